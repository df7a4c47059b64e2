/*
 * provenance.h - extent provenance: which LV owned each PV extent in every
 * metadata generation found, and when an older generation's extents were
 * later given to another LV.
 *
 * An engine is built from the intact generations of one VG (complete,
 * parse_ok, checksum not bad, as the assembler counts them; one copy per
 * seqno, the first that loads: a committed copy whose checksum was checked
 * before a ring copy), added in rising seqno order. PVs are
 * matched across generations by PV uuid (the `pvN` names are local to one
 * text), LVs by LV id (a rename is not a reuse).
 *
 * Ownership is kept as extent ranges, one record per segment area on a PV,
 * and a record lives over a span of generations: a generation that maps an
 * area exactly as the generation before extends the record instead of
 * adding one. Memory is the distinct areas over all generations (for a VG
 * of 10,000 LVs that barely changes, about one generation's areas), never
 * one entry per extent.
 *
 * What an extent's owner is in a generation: the LV whose segment area lies
 * on it (sub-LVs too: a raid image, _tdata, _cmeta own their extents) and
 * its position in that LV: for a single-area segment the LE (segment start
 * + offset in the area), for a segment of several areas (striped) the
 * segment's first LE, stripe size, area number and offset in the area.
 * Segments split or merged without moving data keep their positions.
 *
 * Reuse. An extent that generation S gives to LV X at position P is reused
 * when a later generation gives it to another LV, or to X at another
 * position (the bytes moved); the earliest such later generation found is
 * the one named. An extent that later became merely free is not reused (the
 * history shows it). Limits: only generations still in the metadata rings
 * are seen: when seqnos between the last one that did not show the change
 * and the one that does are gone, the change happened somewhere between
 * (after_seqno, seqno] and `exact` is false. A PV that left the VG is not
 * followed. A change of layout that keeps the data (lvconvert of a linear LV
 * to raid1 moves its extents to a new sub-LV) counts as reuse, naming the
 * sub-LV and the visible LV it is part of.
 *
 * The library never prints: anomalies go to the report given.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_PROVENANCE_H
#define MLVM_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map/lvmap.h"
#include "base/report.h"
#include "model/vg.h"

struct mlvm_set;
struct mlvm_prov;

/* most LV byte ranges mlvm_prov_lv_bytes lists before it coarsens them */
#define MLVM_PROV_MAX_RANGES (1u << 20)

/* An empty engine for VG id vg_id (copied). NULL on allocation failure. */
struct mlvm_prov *mlvm_prov_new(const char *vg_id);

/*
 * Add one generation (the model is only read, not kept). Generations must
 * come in rising seqno order: the same seqno again is ignored (returns 1),
 * a lower one or another VG's model gives -EINVAL; 0 or -ENOMEM.
 */
int mlvm_prov_add(struct mlvm_prov *p, const struct mlvm_vg *vg);

/*
 * Build the engine of VG vg_id from the carved generations of a set (open
 * it with .carve or .want_generation). Each seqno once: the copies are read
 * again (each metadata area once, mapped when the image allows, else read
 * whole: at most MLVM_CARVE_MAX_AREA bytes held) and parsed one at a time,
 * each model freed before the next; a copy that
 * does not load is skipped for the next copy of the same seqno. Problems of
 * the old texts themselves are not reported (history and read do that).
 * 0 and *out, or -ENOMEM / read errors.
 */
int mlvm_prov_from_set(struct mlvm_set *set, const char *vg_id, struct mlvm_prov **out);

void mlvm_prov_free(struct mlvm_prov *p);

/* the generations held, rising; index i from 0 */
size_t mlvm_prov_n_gens(const struct mlvm_prov *p);
uint64_t mlvm_prov_gen_seqno(const struct mlvm_prov *p, size_t i);
/* index of seqno, -1 when it is not held */
long mlvm_prov_gen_index(const struct mlvm_prov *p, uint64_t seqno);

/* one stretch of extents of generation S given to someone else later */
struct mlvm_prov_reuse {
	int32_t pv;		/* index in the vg given to mlvm_prov_reused */
	uint64_t pe;		/* first PE */
	uint64_t count;
	int32_t lv;		/* owner in S: index in that vg (maybe a sub-LV) */
	uint64_t seqno;		/* the earliest later generation found where it was taken */
	uint64_t after_seqno;	/* the generation found before it (the extent still X's) */
	bool exact;		/* no seqno between after_seqno and seqno is missing */
	bool same_lv;		/* taken by X itself at another position (moved) */
	const char *taker;	/* the LV that took it, as named in seqno (owned by p) */
	const char *taker_id;
	const char *taker_top;	/* the visible LV taker is part of in seqno (taker if none) */
	const char *taker_top_id;
};

/*
 * The reused extents of the generation vg is (vg->seqno must be one of the
 * engine's, vg its model): sorted by PV, PE. *out is malloc'd (NULL when
 * *n is 0); the strings point into p. 0, -ENOENT when vg's seqno is not
 * held, -ENOMEM.
 */
int mlvm_prov_reused(const struct mlvm_prov *p, const struct mlvm_vg *vg,
		     struct mlvm_prov_reuse **out, size_t *n);

/*
 * The byte ranges of lv (of vg) that lie on the given reused extents, sorted
 * and merged; *out malloc'd (NULL when *n is 0). Linear and striped
 * segments on PVs are translated exactly (striped: only the chunks of the
 * stripes on reused extents). A segment built on sub-LVs (raid, mirror,
 * thin, cache, snapshot...) whose sub-LVs hold reused extents is listed
 * whole and *exact set false; so is a striped segment without a stripe
 * size, and, past MLVM_PROV_MAX_RANGES ranges, each remaining area's reused
 * stretch from its first to its last chunk. *exact is true otherwise.
 * 0 or -ENOMEM.
 */
int mlvm_prov_lv_bytes(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       const struct mlvm_prov_reuse *items, size_t n_items,
		       struct mlvm_range **out, size_t *n, bool *exact);

/* the visible LV whose bytes LV lvi of vg ends up in (lvi when none), -1 on a bad index */
int32_t mlvm_prov_top(const struct mlvm_vg *vg, int32_t lvi);

/*
 * Warn about the reused extents of generation vg for the LV lv (or, when lv
 * is NULL, every visible LV touched) with code "extents_reused": one
 * warning per LV, taker and seqno, naming the LV byte ranges (the first
 * ones and how many), the later LV, the seqno, and the PV extents. Also
 * "extents_unknown" (warning) when vg's seqno is not among the engine's
 * generations (nothing can be said), and "generations_missing" (notice)
 * when seqnos after vg's are gone from the rings (a reuse that was undone
 * within them cannot be seen). When
 * ranges/n_ranges/exact are given (lv not NULL) they receive every reused
 * byte range of lv (malloc'd). 0 or -ENOMEM.
 */
int mlvm_prov_warn(const struct mlvm_prov *p, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		   struct mlvm_report *r, struct mlvm_range **ranges, size_t *n_ranges,
		   bool *exact);

/* ------------------------------------------------------------ history */

/* one owner of a PE interval over a run of generations */
struct mlvm_prov_span {
	size_t g_first, g_last;	/* generation indexes */
	bool free;		/* no LV owned it (the PV was in the VG) */
	bool absent;		/* the PV was not in the VG (nor free nor owned) */
	const char *lv;		/* owner (its name throughout the span: a rename
				 * starts a new span), NULL when free/absent */
	const char *lv_id;
	const char *top;	/* the visible LV it was part of */
	bool striped;		/* a segment of several areas: le is the segment's
				 * first LE, area_off the offset in area `area` */
	uint64_t le;		/* single area: LE of the interval's first extent */
	uint64_t area_off;
	uint32_t area, n_areas;
};

struct mlvm_prov_interval {
	uint64_t pe, count;
	struct mlvm_prov_span *spans;	/* by generation, every generation covered */
	size_t n_spans;
};

/* the PVs seen in any generation (by uuid) */
size_t mlvm_prov_n_pvs(const struct mlvm_prov *p);
const char *mlvm_prov_pv_id(const struct mlvm_prov *p, size_t i);
/* its pe_count in the newest generation that has it */
uint64_t mlvm_prov_pv_pe_count(const struct mlvm_prov *p, size_t i);

/*
 * The history of PV i: its extents [0, max pe_count) cut into intervals
 * whose owners are the same in every generation, each with its owners
 * generation by generation (runs of generations with the same owner are
 * one span). *out malloc'd, free with mlvm_prov_history_free. 0 or -ENOMEM.
 */
int mlvm_prov_history(const struct mlvm_prov *p, size_t i, struct mlvm_prov_interval **out,
		      size_t *n);
void mlvm_prov_history_free(struct mlvm_prov_interval *iv, size_t n);

#endif
