/*
 * seg_linear.c - the striped family: striped (linear when it has one
 * stripe), raid0 and raid0_meta. Chunk c of the segment is chunk c / n of
 * image c % n; a one-image segment is one run per area. See seg.h.
 */
#include "map/seg.h"

static void striped_map(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	uint64_t c, w;

	loc->kind = LOC_AREA;
	loc->run = lvmap_chunk_run(g->chunk, x, len, &c, &w);
	loc->a = &g->a[c % g->n];
	loc->off = (c / g->n) * g->chunk + w;	/* <= x: no overflow */
}

/* nothing of it can be read when no area can */
static bool striped_gone(const struct seg *g)
{
	unsigned k;

	for (k = 0; k < g->n; k++)
		if (!g->a[k].bad)
			return false;
	return true;
}

static int striped_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
			 struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	struct seg_shape sh;
	int rc;

	(void)leg;
	if (!lvmap_seg_shape(t, rd, s, g, ty, false, &sh))
		return 0;
	if (sh.nimg == 1)
		g->chunk = UINT64_MAX;	/* linear: one run per area */
	if (!lvmap_seg_chunk_ok(t, rd, s, g))
		return 0;
	rc = lvmap_seg_areas(t, rd, s, g, &sh, g->len / sh.nimg, depth);
	if (!rc)
		g->ops = &lvmap_seg_striped;
	return rc;
}

const struct seg_ops lvmap_seg_striped = {
	.family = "striped",
	.build = striped_build,
	.map = striped_map,
	.locate = true,
	.gone = striped_gone,
};
