/*
 * seg_simple.c - the segment families with no areas: "error" (reads fail:
 * zeros, recorded missing), "zero" (zeros, a hole) and "broken", the family
 * of every segment that cannot be mapped (no type row builds it: a segment
 * is broken until its family's build succeeds). See seg.h.
 */
#include "map/seg.h"

static void map_missing(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	(void)g;
	(void)x;
	loc->kind = LOC_MISSING;
	loc->a = NULL;
	loc->off = 0;
	loc->run = len;
}

static void map_zero(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	map_missing(g, x, len, loc);
	loc->kind = LOC_ZERO;
}

static bool always(const struct seg *g)
{
	(void)g;
	return true;
}

static bool always_degrades(const struct seg *g, unsigned bad)
{
	(void)bad;
	return always(g);
}

static bool zero_is_hole(const struct seg *g, uint64_t x, uint64_t len, int depth)
{
	(void)x;
	(void)len;
	(void)depth;
	return always(g);
}

static int error_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		       struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	(void)s;
	(void)ty;
	(void)depth;
	(void)leg;
	g->ops = &lvmap_seg_error;
	mlvm_warn(t->r, "lv_error_segment", NULL, -1,
		  "lv %s: an error segment cannot be read: it reads as zeros", rd->lv->name);
	return 0;
}

static int zero_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		      struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	(void)t;
	(void)rd;
	(void)s;
	(void)ty;
	(void)depth;
	(void)leg;
	g->ops = &lvmap_seg_zero;
	return 0;
}

const struct seg_ops lvmap_seg_broken = {
	.family = "broken",
	.map = map_missing,
	.locate = true,
	.degrades = always_degrades,
	.gone = always,
};

const struct seg_ops lvmap_seg_error = {
	.family = "error",
	.build = error_build,
	.map = map_missing,
	.locate = true,
	.degrades = always_degrades,
	.gone = always,
};

const struct seg_ops lvmap_seg_zero = {
	.family = "zero",
	.build = zero_build,
	.map = map_zero,
	.is_hole = zero_is_hole,
	.locate = true,
};
