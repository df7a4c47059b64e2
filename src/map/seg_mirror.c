/*
 * seg_mirror.c - the mirror family: mirror and raid1. Every image holds the
 * whole segment; a read takes the chosen leg, or the first intact image and
 * retries what it lacks on the next ones in turn. See seg.h.
 */
#include "map/seg.h"

#include <errno.h>

/* the image read first */
static unsigned mirror_first(const struct seg *g)
{
	return g->leg >= 0 ? (unsigned)g->leg : g->first;
}

static void mirror_map(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	loc->kind = LOC_AREA;
	loc->a = &g->a[mirror_first(g)];
	loc->off = x;
	loc->run = len;
}

static int mirror_read(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		       struct lvmap_miss *m, uint64_t bpos)
{
	unsigned k, na = 0;

	if (g->leg >= 0)
		return lvmap_area_read(&g->a[g->leg], buf, len, x, m, bpos);
	for (k = 0; k < g->n; k++) {
		g->alt_a[na] = &g->a[(mirror_first(g) + k) % g->n];
		g->alt_o[na++] = x;
	}
	return lvmap_read_alts(g->alt_a, g->alt_o, na, buf, len, m, bpos);
}

static int mirror_recovers(const struct seg *g, unsigned bad, unsigned gone)
{
	if (g->leg >= 0)
		return 0;
	return bad < g->n ? 2 : gone < g->n ? 1 : 0;
}

static int mirror_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
			struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	struct seg_shape sh;
	unsigned i;
	int rc;

	if (!lvmap_seg_shape(t, rd, s, g, ty, true, &sh))
		return 0;
	rc = lvmap_seg_areas(t, rd, s, g, &sh, g->len, depth);
	if (rc)
		return rc;
	g->ops = &lvmap_seg_mirror;
	if (leg >= 0 && (unsigned)leg >= sh.nimg) {
		mlvm_error(t->r, "lv_leg", NULL, -1, "lv %s: no image %d (it has %u)", lvname, leg, sh.nimg);
		return -EINVAL;
	}
	g->leg = leg;
	for (i = 0; i < sh.nimg && g->a[i].degraded; i++)
		;
	g->first = i < sh.nimg ? i : 0;
	return 0;
}

const struct seg_ops lvmap_seg_mirror = {
	.family = "mirror",
	.build = mirror_build,
	.map = mirror_map,
	.read = mirror_read,
	.locate = true,
	.degrades = lvmap_all_areas_bad,
	.recovers = mirror_recovers,
};
