/*
 * seg_thin.c - the thin family: thin volumes and their thin-pool.
 *
 * A thin-pool segment opens the pool's dm-thin metadata (its "metadata"
 * sub-LV, through thin.c) and keeps its data sub-LV (_tdata) as area 0; the
 * pool's own bytes are its data area. A thin segment maps each block of
 * the volume through the pool's metadata to a block of the data area;
 * unmapped blocks read as zeros (a hole), or from an external origin when
 * the volume has one. A thin volume whose pool cannot be used stays in the
 * broken family (zeros, missing). See seg.h.
 */
#include "map/seg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/units.h"
#include "base/util.h"

/* ------------------------------------------------------------ thin-pool */

static void pool_free(struct seg *g)
{
	if (g->tp)
		mlvm_thin_close(g->tp);
	g->tp = NULL;
}

static int pool_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		      struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	struct area meta;
	struct mlvm_thin_pool *tp = NULL;
	uint64_t chunk_sectors, tid;
	char what[300];
	int rc;

	(void)ty;
	(void)leg;
	g->a = calloc(1, sizeof(*g->a));
	if (!g->a)
		return -ENOMEM;
	g->n = 1;
	rc = lvmap_named_area(t, &g->a[0], s, "pool", depth, lvname, true);
	if (rc && rc != -ENOENT)
		return rc;
	rc = lvmap_named_area(t, &meta, s, "metadata", depth, lvname, true);
	if (rc && rc != -ENOENT)
		return rc;
	g->ops = &lvmap_seg_thin_pool;
	if (meta.bad || !meta.lv) {
		mlvm_warn(t->r, "thin_meta", NULL, -1,
			  "lv %s: thin pool metadata cannot be read: its thin volumes read as zeros", lvname);
		return 0;
	}
	snprintf(what, sizeof(what), "lv %s/%s", t->vg->name ? t->vg->name : "?", meta.lv->lv->name);
	rc = mlvm_thin_open(lvmap_read_fn, meta.lv, meta.lv->size, &tp, t->r, what);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		mlvm_warn(t->r, "thin_meta", NULL, -1,
			  "lv %s: thin pool metadata unusable: its thin volumes read as zeros", lvname);
		return 0;
	}
	g->tp = tp;
	tid = lvmap_seg_u64(s, "transaction_id", UINT64_MAX);
	if (tid != UINT64_MAX && tid != mlvm_thin_transaction_id(tp))
		mlvm_warn(t->r, "thin_transaction_mismatch", NULL, -1,
			  "lv %s: LVM's text (seqno %llu) says transaction_id %llu, the pool metadata "
			  "says %llu: %s",
			  lvname, (unsigned long long)t->vg->seqno, (unsigned long long)tid,
			  (unsigned long long)mlvm_thin_transaction_id(tp),
			  tid < mlvm_thin_transaction_id(tp) ?
			  "the metadata is newer than this text, thin devices removed since are "
			  "looked for in stale metadata blocks" :
			  "the metadata is older than this text, a thin device the text names may "
			  "be missing from it");
	chunk_sectors = lvmap_seg_u64(s, "chunk_size", 0);
	if (mlvm_thin_block_sectors(tp))
		g->block = (uint64_t)mlvm_thin_block_sectors(tp) * MLVM_SECTOR_SIZE;
	else
		g->block = chunk_sectors * MLVM_SECTOR_SIZE;
	if (chunk_sectors && chunk_sectors * MLVM_SECTOR_SIZE != g->block)
		mlvm_warn(t->r, "thin_chunk_size", NULL, -1,
			  "lv %s: chunk_size %llu sectors but the pool metadata says %llu: using the metadata",
			  lvname, (unsigned long long)chunk_sectors,
			  (unsigned long long)(g->block / MLVM_SECTOR_SIZE));
	if (!g->block) {
		mlvm_thin_close(tp);
		g->tp = NULL;
		mlvm_warn(t->r, "thin_chunk_size", NULL, -1, "lv %s: thin pool without a block size", lvname);
	}
	return 0;
}

const struct seg_ops lvmap_seg_thin_pool = {
	.family = "thin-pool",
	.build = pool_build,
	.map = lvmap_map_first_area,
	.locate = true,
	.free = pool_free,
};

/* ------------------------------------------------------------ thin */

/*
 * 1 when vb of a recovered (removed) thin device maps to a data block the
 * current metadata gave to another device since, else 0 (thin.h)
 */
static int reused_block(const struct seg *g, uint64_t vb, uint64_t db, uint64_t *other)
{
	return mlvm_thin_block_reused(g->pool->tp, g->dev_id, vb, db, other) == 1;
}

/*
 * A mapped block: the run of blocks mapped contiguously from block vb; an
 * unmapped one: zeros (or the external origin) up to the next mapped block.
 */
static void thin_map(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	const struct seg *ps = g->pool;
	uint64_t vb, w, n, db, next, at;
	int rc;

	loc->a = NULL;
	loc->off = 0;
	if (!ps || !ps->tp) {
		loc->kind = LOC_MISSING;
		loc->run = len;
		return;
	}
	n = lvmap_chunk_run(ps->block, x, len, &vb, &w);
	rc = mlvm_thin_lookup(ps->tp, g->dev_id, vb, &db);
	if (rc == -ENOENT) {
		/* unmapped up to the next mapped block */
		int nr = mlvm_thin_next_mapped(ps->tp, g->dev_id, vb + 1, &next);

		if (nr == -ENOENT)
			n = len;
		else if (nr == 0 && next > vb && mlvm_mul_ok(next, ps->block, &at) && at > x)
			n = at - x < len ? at - x : len;
		loc->run = n;
		if (g->ext.lv) {
			loc->kind = LOC_AREA;
			loc->a = &g->ext;
			loc->off = x;
		} else {
			loc->kind = LOC_ZERO;
		}
	} else if (rc == 0) {
		uint64_t k, d2, other;
		int reused = reused_block(g, vb, db, &other);

		/* extend over blocks mapped contiguously (and reused alike) */
		for (k = 1; n < len; k++) {
			uint64_t step = len - n < ps->block ? len - n : ps->block;

			if (mlvm_thin_lookup(ps->tp, g->dev_id, vb + k, &d2) || d2 != db + k ||
			    reused_block(g, vb + k, d2, &other) != reused)
				break;
			n += step;
		}
		if (reused == 1 && g->rd && g->rd->top)
			lvmap_ranges_add(&g->rd->reused, g->start + x, n);
		loc->run = n;
		loc->kind = LOC_MISSING;
		if (mlvm_mul_ok(db, ps->block, &loc->off) && mlvm_add_ok(loc->off, w, &loc->off)) {
			loc->kind = LOC_AREA;
			loc->a = &ps->a[0];
		} else {
			loc->off = 0;
		}
	} else {
		loc->kind = LOC_MISSING;
		loc->run = n;
	}
}

static bool thin_is_hole(const struct seg *g, uint64_t x, uint64_t n, int depth)
{
	uint64_t first, last, next;
	int rc;

	(void)depth;
	if (!g->pool || !g->pool->tp)	/* unusable pool: read, and recorded missing */
		return false;
	first = x / g->pool->block;
	last = (x + n - 1) / g->pool->block;
	rc = mlvm_thin_next_mapped(g->pool->tp, g->dev_id, first, &next);
	return !g->ext.lv && (rc == -ENOENT || (rc == 0 && next > last));
}

/* the pool's reader (reached through the pool, not through an area) */
static struct mlvm_lv_reader *thin_via(const struct seg *g)
{
	return g->pool ? g->pool->rd : NULL;
}

static int thin_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		      struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	const char *pname;
	struct mlvm_lv_reader *pool;
	uint32_t k;
	int pi, rc;

	(void)ty;
	(void)leg;
	g->ops = &lvmap_seg_thin;
	g->dev_id = lvmap_seg_u64(s, "device_id", UINT64_MAX);
	if (cfg_get_str(s->node, "thin_pool", &pname) || (pi = mlvm_vg_lv_index(t->vg, pname)) < 0) {
		mlvm_warn(t->r, "thin_pool", NULL, -1,
			  "lv %s: thin volume without a usable thin_pool: it reads as zeros", lvname);
		return 0;
	}
	rc = lvmap_get_reader(t, pi, depth + 1, &pool, lvname);
	if (rc)
		return rc;
	for (k = 0; k < pool->n_segs; k++)
		if (pool->segs[k].ops == &lvmap_seg_thin_pool)
			g->pool = &pool->segs[k];
	if (!g->pool)
		mlvm_warn(t->r, "thin_pool", NULL, -1,
			  "lv %s: thin_pool %s is not a thin pool: it reads as zeros", lvname, pname);
	if (g->dev_id == UINT64_MAX)
		mlvm_warn(t->r, "thin_device", NULL, -1, "lv %s: thin volume without device_id", lvname);
	/*
	 * Only an external origin is read through for unprovisioned
	 * blocks; "origin" merely records which thin LV this one was
	 * snapshotted from (its shared blocks are in the pool already).
	 */
	if (cfg_find(s->node, "external_origin")) {
		const char *key = "external_origin";

		rc = lvmap_named_area(t, &g->ext, s, key, depth, lvname, false);
		if (rc)
			return rc;
		mlvm_warn(t->r, "thin_external_origin", NULL, -1,
			  "lv %s: thin volume with an external origin: unprovisioned blocks are read from it",
			  lvname);
		if (!g->ext.lv)
			g->ext.bad = true;
	}
	if (!g->pool || !g->pool->tp)
		g->ops = &lvmap_seg_broken;
	return 0;
}

const struct seg_ops lvmap_seg_thin = {
	.family = "thin",
	.build = thin_build,
	.map = thin_map,
	.is_hole = thin_is_hole,
	.locate = true,
	.via = thin_via,
};
