/*
 * test_alloc.c - the extent allocator (write/alloc.h) over the extent usage
 * model (model/usage.h): contiguous runs, runs split over PVs, the
 * preferred extent, not enough space, and never an extent in use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/report.h"
#include "model/usage.h"
#include "model/vg.h"
#include "write/alloc.h"

/* a VG of two PVs (pe0 and pe1 extents of 4 MiB) holding the LVs lvs */
static struct mlvm_vg *vg_of(const char *lvs, unsigned pe0, unsigned pe1, size_t *warnings)
{
	static const char fmt[] =
		"vg0 {\n"
		"id = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\n"
		"seqno = 1\n"
		"format = \"lvm2\"\n"
		"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
		"flags = []\n"
		"extent_size = 8192\n"
		"max_lv = 0\n"
		"max_pv = 0\n"
		"physical_volumes {\n"
		"pv0 {\n"
		"id = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB\"\n"
		"status = [\"ALLOCATABLE\"]\n"
		"dev_size = 16777216\n"
		"pe_start = 2048\n"
		"pe_count = %u\n"
		"}\n"
		"pv1 {\n"
		"id = \"CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC\"\n"
		"status = [\"ALLOCATABLE\"]\n"
		"dev_size = 16777216\n"
		"pe_start = 2048\n"
		"pe_count = %u\n"
		"}\n"
		"}\n"
		"logical_volumes {\n"
		"%s"
		"}\n"
		"}\n"
		"contents = \"Text Format Volume Group\"\n"
		"version = 1\n";
	struct mlvm_report r;
	struct mlvm_vg *vg = NULL;
	size_t len = sizeof(fmt) + strlen(lvs) + 64;
	char *text = malloc(len);
	int rc;

	assert_non_null(text);
	snprintf(text, len, fmt, pe0, pe1, lvs);
	mlvm_report_init(&r);
	rc = mlvm_vg_from_text(text, strlen(text), &vg, &r, NULL, -1);
	assert_int_equal(rc, 0);
	if (warnings)
		*warnings = mlvm_report_count(&r, MLVM_SEV_WARNING);
	else
		assert_int_equal(mlvm_report_count(&r, MLVM_SEV_WARNING), 0);
	mlvm_report_free(&r);
	return vg;
}

/* a linear LV of one segment */
#define LIN(name, pv, pe, count) \
	name " {\nid = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-" name "\"\n" \
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n" \
	"segment1 {\nstart_extent = 0\nextent_count = " #count "\ntype = \"striped\"\n" \
	"stripe_count = 1\nstripes = [\"" pv "\", " #pe "]\n}\n}\n"

static void assert_run(const struct mlvm_run *r, uint32_t pv, uint64_t pe, uint64_t len)
{
	assert_int_equal(r->pv, pv);
	assert_int_equal(r->pe, pe);
	assert_int_equal(r->len, len);
}

static void alloc_takes_one_contiguous_run(void **state)
{
	struct mlvm_vg *vg = vg_of(LIN("aaaaaa", "pv0", 0, 3), 10, 10, NULL);
	struct mlvm_alloc a;
	struct mlvm_run *runs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(mlvm_alloc_init(&a, vg), 0);
	assert_int_equal(a.n_extents, 17);
	assert_int_equal(mlvm_alloc_take(&a, 4, -1, 0, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_run(&runs[0], 0, 3, 4);
	assert_int_equal(a.n_extents, 13);
	free(runs);
	mlvm_alloc_free(&a);
	mlvm_vg_free(vg);
}

static void alloc_splits_over_pvs_in_order(void **state)
{
	struct mlvm_vg *vg = vg_of(LIN("aaaaaa", "pv0", 0, 8) LIN("bbbbbb", "pv1", 1, 2), 10, 10, NULL);
	struct mlvm_alloc a;
	struct mlvm_run *runs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(mlvm_alloc_init(&a, vg), 0);
	assert_int_equal(mlvm_alloc_take(&a, 6, -1, 0, &runs, &n), 0);
	assert_int_equal(n, 3);
	assert_run(&runs[0], 0, 8, 2);
	assert_run(&runs[1], 1, 0, 1);
	assert_run(&runs[2], 1, 3, 3);
	free(runs);
	mlvm_alloc_free(&a);
	mlvm_vg_free(vg);
}

static void alloc_prefers_the_extent_after_a_segment(void **state)
{
	struct mlvm_vg *vg = vg_of(LIN("aaaaaa", "pv0", 0, 3) LIN("bbbbbb", "pv0", 5, 2), 10, 10, NULL);
	struct mlvm_alloc a;
	struct mlvm_run *runs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(mlvm_alloc_init(&a, vg), 0);
	/* 3-4 are free after aaaaaa; the rest first fit: 7-9 of pv0 */
	assert_int_equal(mlvm_alloc_take(&a, 4, 0, 3, &runs, &n), 0);
	assert_int_equal(n, 2);
	assert_run(&runs[0], 0, 3, 2);
	assert_run(&runs[1], 0, 7, 2);
	/* from the middle of a free run: it splits, and both halves stay free */
	free(runs);
	runs = NULL;
	n = 0;
	assert_int_equal(mlvm_alloc_take(&a, 2, 1, 4, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_run(&runs[0], 1, 4, 2);
	assert_int_equal(mlvm_alloc_take(&a, 6, -1, 0, &runs, &n), 0);
	assert_int_equal(n, 4);
	assert_run(&runs[1], 0, 9, 1);
	assert_run(&runs[2], 1, 0, 4);
	assert_run(&runs[3], 1, 6, 1);
	free(runs);
	mlvm_alloc_free(&a);
	mlvm_vg_free(vg);
}

static void alloc_ignores_a_preferred_extent_in_use(void **state)
{
	struct mlvm_vg *vg = vg_of(LIN("aaaaaa", "pv0", 0, 3) LIN("bbbbbb", "pv0", 3, 2), 10, 10, NULL);
	struct mlvm_alloc a;
	struct mlvm_run *runs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(mlvm_alloc_init(&a, vg), 0);
	assert_int_equal(mlvm_alloc_take(&a, 2, 0, 3, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_run(&runs[0], 0, 5, 2);
	/* a PV index or extent that does not exist: first fit */
	assert_int_equal(mlvm_alloc_take(&a, 1, 7, 0, &runs, &n), 0);
	assert_int_equal(mlvm_alloc_take(&a, 1, 1, 99, &runs, &n), 0);
	assert_int_equal(n, 3);
	assert_run(&runs[1], 0, 7, 1);
	assert_run(&runs[2], 0, 8, 1);
	free(runs);
	mlvm_alloc_free(&a);
	mlvm_vg_free(vg);
}

static void alloc_refuses_more_than_is_free_and_takes_nothing(void **state)
{
	struct mlvm_vg *vg = vg_of(LIN("aaaaaa", "pv0", 2, 6), 10, 4, NULL);
	struct mlvm_alloc a;
	struct mlvm_run *runs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(mlvm_alloc_init(&a, vg), 0);
	assert_int_equal(a.n_extents, 8);
	assert_int_equal(mlvm_alloc_take(&a, 9, 0, 0, &runs, &n), -ENOSPC);
	assert_int_equal(n, 0);
	assert_int_equal(a.n_extents, 8);
	/* exactly what is free still works afterwards */
	assert_int_equal(mlvm_alloc_take(&a, 8, -1, 0, &runs, &n), 0);
	assert_int_equal(n, 3);
	assert_run(&runs[0], 0, 0, 2);
	assert_run(&runs[1], 0, 8, 2);
	assert_run(&runs[2], 1, 0, 4);
	assert_int_equal(mlvm_alloc_take(&a, 1, -1, 0, &runs, &n), -ENOSPC);
	free(runs);
	mlvm_alloc_free(&a);
	mlvm_vg_free(vg);
}

/* does any area of any LV of vg claim extent pe of PV pv? */
static int claimed(const struct mlvm_vg *vg, uint32_t pv, uint64_t pe)
{
	uint32_t l, s, k;

	for (l = 0; l < vg->n_lvs; l++)
		for (s = 0; s < vg->lvs[l].n_segs; s++)
			for (k = 0; k < vg->lvs[l].segs[s].n_areas; k++) {
				const struct mlvm_area *ar = &vg->lvs[l].segs[s].areas[k];

				if (ar->kind == MLVM_AREA_PV && ar->ref == (int32_t)pv && pe >= ar->start &&
				    pe - ar->start < vg->lvs[l].segs[s].area_len)
					return 1;
			}
	return 0;
}

static void alloc_never_hands_out_an_extent_in_use(void **state)
{
	/* a two-stripe LV over both PVs, two LVs on the same extents, and an
	 * area running past its PV's end: damage the allocator must respect */
	static const char lvs[] =
		"str {\nid = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n"
		"segment1 {\nstart_extent = 0\nextent_count = 6\ntype = \"striped\"\n"
		"stripe_count = 2\nstripe_size = 128\nstripes = [\"pv0\", 1, \"pv1\", 4]\n}\n}\n"
		LIN("aaaaaa", "pv0", 6, 4) LIN("bbbbbb", "pv0", 8, 3) LIN("cccccc", "pv1", 9, 5);
	size_t warnings = 0;
	struct mlvm_vg *vg = vg_of(lvs, 14, 12, &warnings);
	struct mlvm_usage u;
	struct mlvm_alloc a, b;
	struct mlvm_run *runs = NULL;
	uint64_t total = 0, e;
	size_t n = 0, i, j;
	uint8_t seen[2][14] = { { 0 } };

	(void)state;
	assert_true(warnings >= 2);	/* the overlap and the area past the end */
	assert_int_equal(mlvm_usage_build(vg, &u), 0);
	/* pv0: 1-3 (str), 6-10 (aaaaaa, bbbbbb); pv1: 4-6 (str), 9-11 (cccccc) */
	assert_int_equal(u.pv_used[0], 8);
	assert_int_equal(u.pv_used[1], 6);
	assert_int_equal(mlvm_usage_free_extents(&u), 14 - 8 + 12 - 6);
	assert_int_equal(vg->free_extents, mlvm_usage_free_extents(&u));
	mlvm_usage_free(&u);

	assert_int_equal(mlvm_alloc_init(&a, vg), 0);
	assert_int_equal(mlvm_alloc_init(&b, vg), 0);
	assert_int_equal(mlvm_alloc_take(&a, a.n_extents, -1, 0, &runs, &n), 0);
	for (i = 0; i < n; i++)
		for (e = runs[i].pe; e < runs[i].pe + runs[i].len; e++) {
			assert_true(e < vg->pvs[runs[i].pv].pe_count);
			assert_false(claimed(vg, runs[i].pv, e));
			assert_int_equal(seen[runs[i].pv][e]++, 0);	/* never twice */
			total++;
		}
	assert_int_equal(total, 12);
	assert_int_equal(a.n_extents, 0);
	/* the same again, one extent at a time, preferring extents in use */
	for (j = 0; j < 12; j++) {
		struct mlvm_run *one = NULL;
		size_t m = 0;

		assert_int_equal(mlvm_alloc_take(&b, 1, (int64_t)(j % 2), j, &one, &m), 0);
		assert_int_equal(m, 1);
		assert_int_equal(one[0].len, 1);
		assert_false(claimed(vg, one[0].pv, one[0].pe));
		assert_int_equal(seen[one[0].pv][one[0].pe]++, 1);	/* among the free ones */
		free(one);
	}
	assert_int_equal(b.n_extents, 0);
	free(runs);
	mlvm_alloc_free(&a);
	mlvm_alloc_free(&b);
	mlvm_vg_free(vg);
}

static void usage_free_runs_skip_areas_in_use(void **state)
{
	struct mlvm_vg *vg = vg_of(LIN("aaaaaa", "pv0", 2, 3) LIN("bbbbbb", "pv0", 5, 1), 10, 10, NULL);
	struct mlvm_usage u;
	uint64_t s, c;

	(void)state;
	assert_int_equal(mlvm_usage_build(vg, &u), 0);
	assert_true(mlvm_usage_free_run(&u, 0, 0, &s, &c));
	assert_int_equal(s, 0);
	assert_int_equal(c, 2);
	assert_true(mlvm_usage_free_run(&u, 0, 1, &s, &c));
	assert_int_equal(s, 1);
	assert_int_equal(c, 1);
	assert_true(mlvm_usage_free_run(&u, 0, 2, &s, &c));
	assert_int_equal(s, 6);
	assert_int_equal(c, 4);
	assert_false(mlvm_usage_free_run(&u, 0, 10, &s, &c));
	assert_true(mlvm_usage_free_run(&u, 1, 0, &s, &c));
	assert_int_equal(c, 10);
	assert_int_equal(u.n_clashes, 0);
	mlvm_usage_free(&u);
	mlvm_vg_free(vg);
}

/* is use a before use b in the order of usage.c (PV, start, then LV,
 * segment and area)? */
static bool use_before(const struct mlvm_extent_use *a, const struct mlvm_extent_use *b)
{
	if (a->pv != b->pv)
		return a->pv < b->pv;
	if (a->start != b->start)
		return a->start < b->start;
	if (a->lv != b->lv)
		return a->lv < b->lv;
	if (a->seg != b->seg)
		return a->seg < b->seg;
	return a->area < b->area;
}

/*
 * The uses come sorted by PV and start, ties in the order of LV, segment
 * and area, each once: LVs of two segments, the first in the PVs' first
 * extents and the second far out (past the PVs' ends, 33 bits: three
 * digits of the radix sort), many on the same extents, in no order; and
 * a segment of two stripes on the same extent, ordered by area.
 */
static void usage_sorts_uses_by_pv_and_start(void **state)
{
	enum { N = 700 };
	size_t cap = (size_t)N * 400 + 1024, len = 0, i, warnings = 0;
	char *lvs = malloc(cap);
	uint8_t seen[N + 1][2][2] = { { { 0 } } };
	struct mlvm_vg *vg;
	struct mlvm_usage u;

	(void)state;
	assert_non_null(lvs);
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(lvs + len, cap - len,
			"l%05zu {\nid = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-l%05zu\"\n"
			"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 2\n"
			"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
			"stripe_count = 1\nstripes = [\"pv%zu\", %zu]\n}\n"
			"segment2 {\nstart_extent = 1\nextent_count = 1\ntype = \"striped\"\n"
			"stripe_count = 1\nstripes = [\"pv%zu\", %llu]\n}\n}\n",
			i, i, i % 2, i * 37 % 500, (i + 1) % 2,
			5000000000ull - (unsigned long long)(i % 350) * 9);
	snprintf(lvs + len, cap - len, "%s",
		 "twin {\nid = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
		 "status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n"
		 "segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		 "stripe_count = 2\nstripe_size = 128\nstripes = [\"pv1\", 7, \"pv1\", 7]\n}\n}\n");
	vg = vg_of(lvs, 1000, 1000, &warnings);
	assert_true(warnings > 0);	/* the overlaps and the areas past the end */
	assert_int_equal(vg->n_lvs, N + 1);
	assert_int_equal(mlvm_usage_build(vg, &u), 0);
	assert_int_equal(u.n_uses, 2 * N + 2);
	for (i = 0; i < u.n_uses; i++) {
		const struct mlvm_extent_use *e = &u.uses[i];
		const struct mlvm_area *a;

		assert_true(e->lv <= N && e->seg < 2 && e->area < 2);
		assert_int_equal(seen[e->lv][e->seg][e->area]++, 0);
		a = &vg->lvs[e->lv].segs[e->seg].areas[e->area];
		assert_int_equal(e->start, a->start);
		assert_int_equal(e->pv, (uint32_t)a->ref);
		if (i && !use_before(&u.uses[i - 1], e))
			fail_msg("use %zu (pv %u, start %llu, lv %u, seg %u, area %u) is not after use %zu "
				 "(pv %u, start %llu, lv %u, seg %u, area %u)",
				 i, e->pv, (unsigned long long)e->start, e->lv, e->seg, e->area, i - 1,
				 u.uses[i - 1].pv, (unsigned long long)u.uses[i - 1].start,
				 u.uses[i - 1].lv, u.uses[i - 1].seg, u.uses[i - 1].area);
	}
	mlvm_usage_free(&u);
	mlvm_vg_free(vg);
	free(lvs);
}

static void extents_for_rounds_up(void **state)
{
	struct mlvm_vg *vg = vg_of("", 10, 10, NULL);

	(void)state;
	assert_int_equal(mlvm_extents_for(vg, 0), 0);
	assert_int_equal(mlvm_extents_for(vg, 1), 1);
	assert_int_equal(mlvm_extents_for(vg, 4 << 20), 1);
	assert_int_equal(mlvm_extents_for(vg, (4 << 20) + 1), 2);
	mlvm_vg_free(vg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alloc_takes_one_contiguous_run),
		cmocka_unit_test(alloc_splits_over_pvs_in_order),
		cmocka_unit_test(alloc_prefers_the_extent_after_a_segment),
		cmocka_unit_test(alloc_ignores_a_preferred_extent_in_use),
		cmocka_unit_test(alloc_refuses_more_than_is_free_and_takes_nothing),
		cmocka_unit_test(alloc_never_hands_out_an_extent_in_use),
		cmocka_unit_test(usage_free_runs_skip_areas_in_use),
		cmocka_unit_test(usage_sorts_uses_by_pv_and_start),
		cmocka_unit_test(extents_for_rounds_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
