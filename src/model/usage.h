/*
 * usage.h - which physical extents of a VG are in use, and by what: the one
 * model of PV extent usage.
 *
 * Built from a struct mlvm_vg (after its areas are resolved): every area of
 * every segment that lies on a known PV, sorted per PV by first extent (ties
 * in LV, segment, area order); per PV the extents in use within its
 * pe_count (extents two areas claim count once; extents past pe_count not
 * at all), and the free runs between the areas; and what the text gets
 * wrong: two areas on one extent, an area past the PV's last extent.
 * The VG model's free_extents, `mlvm map`, the browser's extent map and the
 * write path's allocator all read it.
 *
 * The model points into the VG (uses name LVs, segments and areas by index):
 * it lives no longer than the VG it was built from. It does not change.
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_USAGE_H
#define MLVM_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/vg.h"

/* one area of one segment on a PV (24 bytes: a VG of 100,000 LVs has
 * hundreds of thousands; how many extents it spans is its segment's
 * area_len, mlvm_extent_use_count) */
struct mlvm_extent_use {
	uint64_t start;		/* first PE */
	uint32_t pv;		/* index in vg->pvs */
	uint32_t lv;		/* index in vg->lvs */
	uint32_t seg;		/* index in the LV's segs */
	uint32_t area;		/* index in the segment's areas */
};

/* extents claimed twice, or past the end of their PV */
struct mlvm_extent_clash {
	bool overlap;		/* else: past the PV's end */
	uint32_t pv;
	uint64_t start, count;	/* the extents concerned */
	/* overlap: a is the earlier area reaching furthest, b the one that
	 * starts inside it; past the end: a is the area, b NULL */
	const struct mlvm_extent_use *a, *b;
};

struct mlvm_usage {
	const struct mlvm_vg *vg;
	struct mlvm_extent_use *uses;	/* sorted: pv, start, lv, seg, area */
	size_t n_uses;
	size_t *pv_first;		/* PV p's uses are uses[pv_first[p] .. pv_first[p + 1]) */
	uint64_t *pv_used;		/* per PV: extents in use within pe_count */
	struct mlvm_extent_clash *clashes;	/* per PV in PE order */
	size_t n_clashes;
};

/*
 * Build the model of vg into u (which the caller owns; free it with
 * mlvm_usage_free, also after a failure). Areas of zero extents are listed
 * but clash with nothing. 0 or -ENOMEM.
 */
int mlvm_usage_build(const struct mlvm_vg *vg, struct mlvm_usage *u);
void mlvm_usage_free(struct mlvm_usage *u);

/* Extents of PV pv that no area uses (pe_count - pv_used[pv]) */
uint64_t mlvm_usage_pv_free(const struct mlvm_usage *u, uint32_t pv);
/* Free extents of the whole VG: the sum over its PVs */
uint64_t mlvm_usage_free_extents(const struct mlvm_usage *u);

/*
 * The first run of free extents of PV pv that ends after extent from,
 * clipped to start at from: true with *start and *count (> 0); false when
 * there is none up to the PV's pe_count.
 */
bool mlvm_usage_free_run(const struct mlvm_usage *u, uint32_t pv, uint64_t from,
			 uint64_t *start, uint64_t *count);

/* How many extents a use spans: its segment's area_len (may run past the
 * PV's pe_count) */
static inline uint64_t mlvm_extent_use_count(const struct mlvm_usage *u,
					     const struct mlvm_extent_use *e)
{
	return u->vg->lvs[e->lv].segs[e->seg].area_len;
}

/* The end (first extent after) of a use, UINT64_MAX when it overflows */
uint64_t mlvm_extent_use_end(const struct mlvm_usage *u, const struct mlvm_extent_use *e);

#endif
