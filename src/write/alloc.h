/*
 * alloc.h - the extent allocator of the write path: where new extents of an
 * LV go.
 *
 * It starts from the extent usage model (model/usage.h): every extent that
 * any area of any LV claims (of every segment type, areas past a PV's end
 * and overlapping ones included) is in use and never handed out. Free
 * extents are kept as runs sorted by PV and extent; taking extents removes
 * them, so two takes from one allocator never return an extent twice.
 *
 * Policy (what mlvm create and resize document): first the free run that
 * starts exactly at a preferred extent (to extend an LV's last segment in
 * place), then first fit over the PVs in their metadata order, one run per
 * free run used.
 *
 * Layer: write (src/write). May include: base, io, disk, text, model.
 */
#ifndef MLVM_ALLOC_H
#define MLVM_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "model/vg.h"

/* extents [pe, pe + len) of PV pv (index in vg->pvs) */
struct mlvm_run {
	uint32_t pv;
	uint64_t pe, len;
};

struct mlvm_alloc {
	const struct mlvm_vg *vg;
	struct mlvm_run *free;		/* free runs, sorted by pv then pe */
	size_t n_free;
	uint64_t n_extents;		/* free extents in all the runs */
};

/* The free extents of vg. 0 or -ENOMEM (a free with mlvm_alloc_free is
 * safe either way). a lives no longer than vg. */
int mlvm_alloc_init(struct mlvm_alloc *a, const struct mlvm_vg *vg);
void mlvm_alloc_free(struct mlvm_alloc *a);

/*
 * Take need extents: first from (pref_pv, pref_pe) when that extent is free
 * (as much of its free run as needed; pref_pv < 0: no preference), then
 * first fit over the PVs in order. The runs taken are appended to *runs
 * (realloc'd; the caller frees it), in the order they were taken.
 * 0; -ENOSPC when fewer than need extents are free (nothing taken); -ENOMEM
 * (the allocator may have lost extents: free it).
 */
int mlvm_alloc_take(struct mlvm_alloc *a, uint64_t need, int64_t pref_pv, uint64_t pref_pe,
		    struct mlvm_run **runs, size_t *n_runs);

/* Whole extents of vg needed for bytes (rounded up); 0 when the VG's
 * extent size is 0. */
uint64_t mlvm_extents_for(const struct mlvm_vg *vg, uint64_t bytes);

#endif
