/*
 * seg_cache.c - the cache family: cache and writecache LVs read from their
 * origin, a cache-pool from its data sub-LV, with a warning that the cache
 * may hold dirty blocks the origin lacks. Where the origin is a hole, so is
 * the cached LV. See seg.h.
 */
#include "map/seg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cache_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		       struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *key = !strcmp(ty->name, "cache-pool") ? "data" : "origin";
	int rc;

	(void)leg;
	g->a = calloc(1, sizeof(*g->a));
	if (!g->a)
		return -ENOMEM;
	g->n = 1;
	rc = lvmap_named_area(t, &g->a[0], s, key, depth, rd->lv->name, true);
	if (rc && rc != -ENOENT)
		return rc;
	g->ops = &lvmap_seg_cache;
	mlvm_warn(t->r, "lv_cache_dirty", NULL, -1,
		  "lv %s: %s: read from its %s; the cache may hold dirty blocks not in the origin",
		  rd->lv->name, ty->name, key);
	return 0;
}

const struct seg_ops lvmap_seg_cache = {
	.family = "cache",
	.build = cache_build,
	.map = lvmap_map_first_area,
	.is_hole = lvmap_first_area_is_hole,
	.locate = true,
};
