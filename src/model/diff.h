/*
 * diff.h - what changed between two generations of a VG: the one engine
 * behind `mlvm diff` (and what a timeline will read).
 *
 * Changes come in a fixed order: the VG's own fields (name, id,
 * extent_size, limits, status, tags), then per PV of a (removed, size,
 * status, tags), PVs added, then per LV of a (removed, renamed, resized,
 * moved, tags, status) and LVs added, then historical LVs
 * (record_lvs_history) whose record was dropped, then those recorded anew.
 * LVs, historical LVs and PVs are matched by id, so a rename is a rename,
 * not a removal and an addition.
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_DIFF_H
#define MLVM_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/vg.h"

struct mlvm_vg_change {
	const char *kind;	/* lv_added, lv_removed, lv_renamed, lv_resized, lv_moved,
				 * lv_tags, lv_status, hlv_added, hlv_removed, pv_added,
				 * pv_removed, pv_changed, vg_changed (static strings) */
	const char *field;	/* vg_changed: name, id, extent_size, limits, status, tags;
				 * pv_changed: size, status, tags; NULL otherwise */
	char *lv;		/* the LV's name (lv_* kinds; the newer name), "-name"
				 * (hlv_* kinds: a historical LV), else NULL */
	char *pv;		/* the PV's name (pv_* kinds, as the newer generation names it) */
	char *id;		/* the LV's, PV's or (vg_changed) the older VG's uuid */
	char *before, *after;	/* as text; NULL where there is none (added, removed) */
};

/*
 * The changes from a to b (b the newer): 0 with *out (free with
 * mlvm_vg_changes_free) and *n (0: none), or -ENOMEM.
 */
int mlvm_vg_diff(const struct mlvm_vg *a, const struct mlvm_vg *b, struct mlvm_vg_change **out,
		 size_t *n);
void mlvm_vg_changes_free(struct mlvm_vg_change *v, size_t n);

/*
 * The rules that tie generations of two VG uuids into one VG (vgchange
 * --uuid), the one definition for diff and the timeline:
 * mlvm_vg_same_id: two uuids are equal, with or without dashes;
 * mlvm_vg_share_pv: a and b name a PV of the same uuid;
 * mlvm_vg_follows: a PV shared and every seqno of one side
 * ([a_lo, a_hi], [b_lo, b_hi]) older than every seqno of the other.
 */
bool mlvm_vg_same_id(const char *a, const char *b);
bool mlvm_vg_share_pv(const struct mlvm_vg *a, const struct mlvm_vg *b);
bool mlvm_vg_follows(const struct mlvm_vg *a, uint64_t a_lo, uint64_t a_hi, const struct mlvm_vg *b,
		     uint64_t b_lo, uint64_t b_hi);

#endif
