/*
 * seg_snapshot.c - the snapshot family: an old-style snapshot reads its
 * origin (area 0) with the chunks its COW exception store (area 1, read
 * through cow.c) holds copies of taken from the store. See seg.h.
 *
 * mlvm_lv_locate does not follow a snapshot to image bytes (its bytes are
 * always read with mlvm_lv_read), as before the families were split.
 */
#include "map/seg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/units.h"
#include "base/util.h"

/* an exception: the store's copy; else the origin, over the chunks without one */
static void snapshot_map(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	uint64_t cb = g->chunk, c, w, nc, k;

	loc->run = lvmap_chunk_run(cb, x, len, &c, &w);
	if (mlvm_cow_lookup(g->cow, c, &nc) == 0) {
		loc->kind = LOC_MISSING;
		loc->a = NULL;
		if (mlvm_mul_ok(nc, cb, &loc->off) && mlvm_add_ok(loc->off, w, &loc->off)) {
			loc->kind = LOC_AREA;
			loc->a = &g->a[1];
		} else {
			loc->off = 0;
		}
		return;
	}
	/* origin chunks without exceptions, as one run */
	for (k = 1; loc->run < len && mlvm_cow_lookup(g->cow, c + k, &nc) == -ENOENT; k++)
		loc->run += len - loc->run < cb ? len - loc->run : cb;
	loc->kind = LOC_AREA;
	loc->a = &g->a[0];
	loc->off = x;
}

static void snapshot_free(struct seg *g)
{
	if (g->cow)
		mlvm_cow_close(g->cow);
	g->cow = NULL;
}

static int snapshot_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
			  struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	struct mlvm_cow *cow = NULL;
	char what[300];
	uint64_t cs;
	int rc;

	(void)ty;
	(void)leg;
	g->a = calloc(2, sizeof(*g->a));
	if (!g->a)
		return -ENOMEM;
	g->n = 2;
	rc = lvmap_named_area(t, &g->a[0], s, "origin", depth, lvname, true);
	if (rc && rc != -ENOENT)
		return rc;
	rc = lvmap_named_area(t, &g->a[1], s, "cow_store", depth, lvname, true);
	if (rc && rc != -ENOENT)
		return rc;
	if (g->a[1].bad || !g->a[1].lv || g->a[0].bad) {
		mlvm_warn(t->r, "snapshot_parts", NULL, -1,
			  "lv %s: snapshot origin or cow store cannot be read: it reads as zeros", lvname);
		return 0;
	}
	snprintf(what, sizeof(what), "lv %s/%s", t->vg->name ? t->vg->name : "?", g->a[1].lv->lv->name);
	rc = mlvm_cow_open(lvmap_read_fn, g->a[1].lv, g->a[1].lv->size, &cow, t->r, what);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		mlvm_warn(t->r, "snapshot_cow", NULL, -1,
			  "lv %s: the snapshot's exception store is unusable: it reads as zeros", lvname);
		return 0;
	}
	cs = lvmap_seg_u64(s, "chunk_size", 0);
	g->cow = cow;
	g->ops = &lvmap_seg_snapshot;
	if (mlvm_cow_is_empty(cow)) {
		/* no exceptions: any chunk size reads the origin; the segment's, else 8 sectors */
		mlvm_notice(t->r, "snapshot_cow_empty", NULL, -1,
			    "lv %s: the exception store in %s has a zero header, a new and empty store "
			    "as dm-snapshot takes it: the snapshot reads as its origin, lv %s",
			    lvname, g->a[1].lv->lv->name, g->a[0].name ? g->a[0].name : "?");
		g->chunk = cs && cs <= (UINT64_MAX >> MLVM_SECTOR_SHIFT) ? cs * MLVM_SECTOR_SIZE : 4096;
		return 0;
	}
	if (cs && cs != mlvm_cow_chunk_sectors(cow))
		mlvm_warn(t->r, "snapshot_chunk_size", NULL, -1,
			  "lv %s: chunk_size %llu but the exception store says %u: using the store's",
			  lvname, (unsigned long long)cs, mlvm_cow_chunk_sectors(cow));
	g->chunk = (uint64_t)mlvm_cow_chunk_sectors(cow) * MLVM_SECTOR_SIZE;
	return 0;
}

const struct seg_ops lvmap_seg_snapshot = {
	.family = "snapshot",
	.build = snapshot_build,
	.map = snapshot_map,
	.locate = false,
	.free = snapshot_free,
};
