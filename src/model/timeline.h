/*
 * timeline.h - the events of a VG's history, from its intact generations:
 * the engine behind `mlvm timeline`.
 *
 * The caller gives every intact generation it found (each parsed into a
 * struct mlvm_vg, one entry per distinct text of a VG id and seqno) in any
 * order. The engine sorts them (VG lineage, then seqno; never the order
 * given), chains generations of one VG across a new uuid by diff.c's rule
 * (mlvm_vg_follows: a PV shared, every seqno of one older than every seqno
 * of the other), and turns each step between consecutive generations into
 * events through mlvm_vg_diff. What each event says and the generations
 * that support it:
 * - vg_created: the lineage's first generation has seqno 1 (its
 *   creation_time); otherwise vg_first_seen (its first generation) and a
 *   gap event for seqnos 1..N-1;
 * - lv_created: an LV of the first generation (supported by it) or added
 *   between two (both bounds); time: the LV's own creation_time and
 *   creation_host from its section, else the newer generation's;
 * - lv_removed, pv_removed and every other change: between the last
 *   generation that has the old state (from) and the first that has the new
 *   one (to), both seqnos and times; time: the newer generation's;
 * - gap: seqnos from..to (exclusive) missing: changes between them unknown;
 * - conflict: two different texts carry one seqno of one VG id (the first
 *   by the sort is used, the other named).
 * Times: a generation's own creation_time is when it was written; of a
 * generation known only from archive copies (archived_before) it is
 * unknown, and its creation_time is the time of the step to the next
 * seqno instead (LVM2 archives the old metadata just before it changes
 * it). An event's time is its newer generation's, else that.
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_TIMELINE_H
#define MLVM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "model/vg.h"

/* one intact generation given to the engine (not copied: it must outlive
 * the events) */
struct mlvm_tl_gen {
	const struct mlvm_vg *vg;	/* its parsed text (name, id, seqno, creation_*) */
	const char *copies;		/* where its copies were found, in words ("pv0.img mda1 at
					 * byte 4608; ..."); may be NULL */
	size_t n_copies;		/* how many copies carry this text */
	bool archived_before;		/* every copy is an LVM2 archive ("Created *before*
					 * executing"): vg's creation_time and creation_host
					 * are when and where the next command began, not
					 * when this generation was written */
	const void *cookie;		/* the caller's, untouched */
};

enum mlvm_tl_kind {
	MLVM_TL_VG_CREATED,
	MLVM_TL_VG_FIRST_SEEN,
	MLVM_TL_VG_RENAMED,
	MLVM_TL_VG_UUID_CHANGED,
	MLVM_TL_VG_CHANGED,	/* extent_size, limits, status, tags (field) */
	MLVM_TL_PV_ADDED,
	MLVM_TL_PV_REMOVED,
	MLVM_TL_PV_RESIZED,
	MLVM_TL_PV_CHANGED,	/* status, tags (field) */
	MLVM_TL_LV_CREATED,
	MLVM_TL_LV_REMOVED,
	MLVM_TL_LV_RENAMED,
	MLVM_TL_LV_RESIZED,
	MLVM_TL_LV_MOVED,
	MLVM_TL_LV_TAGGED,
	MLVM_TL_LV_UNTAGGED,
	MLVM_TL_LV_STATUS,
	MLVM_TL_HLV_RECORDED,	/* LVM2 recorded a removed LV as historical (record_lvs_history) */
	MLVM_TL_HLV_DROPPED,	/* a historical LV's record is gone (lvremove of -NAME) */
	MLVM_TL_GAP,
	MLVM_TL_CONFLICT,
	MLVM_TL_N_KINDS
};

struct mlvm_tl_event {
	enum mlvm_tl_kind kind;
	const char *field;		/* vg_changed, pv_changed: which (static), else NULL */
	char *vg;			/* the VG's name in the newer generation */
	char *vg_id;			/* and its uuid */
	char *lv, *pv;			/* the LV's or PV's name (the newer), else NULL */
	char *id;			/* the LV's or PV's uuid, else NULL */
	char *before, *after;		/* as text, NULL where none; lv_tagged: after, the tags
					 * added; lv_untagged: before, the tags taken off */
	int64_t time;			/* seconds since the epoch (UTC), 0 unknown */
	char *host;			/* the host that made the change, NULL unknown */
	bool time_is_lv;		/* time and host are the LV's own (lv_created) */
	bool time_is_archive;		/* time and host are an archive's of the seqno
					 * before (when LVM2 began the change) */
	/* the generations that bound it: from (the last with the old state;
	 * -1 for an event of one generation) and to (the first with the new
	 * state), indexes into the caller's array; for a gap, the seqnos
	 * missing are from_seqno+1 .. to_seqno-1 */
	long from, to;
	unsigned lineage;		/* which VG lineage (0, 1, ... in the order of the events) */
	uint64_t from_seqno, to_seqno;
	int64_t from_time, to_time;	/* their creation_times, 0 unknown */
};

/* "vg_created", "lv_removed", ... (the JSON/CSV kind); NULL past the end */
const char *mlvm_tl_kind_name(enum mlvm_tl_kind k);

/*
 * The events of gens[0..n) (any order): 0 with *out (free with
 * mlvm_tl_events_free) and *n_out, or -ENOMEM. Events come per VG lineage
 * (lineages by the name, then id, of their newest generation), in seqno
 * order, and in each step in diff.c's order (lv_created of a lineage's first
 * generation by LV name).
 */
int mlvm_timeline(const struct mlvm_tl_gen *gens, size_t n, struct mlvm_tl_event **out,
		  size_t *n_out);
void mlvm_tl_events_free(struct mlvm_tl_event *v, size_t n);

#endif
