/*
 * test_locate.c - unit tests for image byte -> LV and offset (locate.c):
 * linear across segments, striped chunks, a raid1 leg climbed to its LV,
 * a raid5 image left as the sub-LV, free extents, other images.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/report.h"
#include "io/source.h"
#include "model/locate.h"
#include "model/vg.h"

/* extent_size 8 sectors = 4 KiB; pe_start 2048 sectors = 1 MiB */
static const char text[] =
	"vg0 {\n"
	"id = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\n"
	"seqno = 3\n"
	"format = \"lvm2\"\n"
	"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
	"extent_size = 8\n"
	"max_lv = 0\n"
	"max_pv = 0\n"
	"physical_volumes {\n"
	"pv0 {\n"
	"id = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB\"\n"
	"status = [\"ALLOCATABLE\"]\n"
	"dev_size = 262144\n"
	"pe_start = 2048\n"
	"pe_count = 100\n"
	"}\n"
	"pv1 {\n"
	"id = \"CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC\"\n"
	"status = [\"ALLOCATABLE\"]\n"
	"dev_size = 262144\n"
	"pe_start = 2048\n"
	"pe_count = 100\n"
	"}\n"
	"}\n"
	"logical_volumes {\n"
	"lin {\n"
	"id = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 2\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 4\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv0\", 10]\n"
	"}\n"
	"segment2 {\n"
	"start_extent = 4\n"
	"extent_count = 2\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv1\", 0]\n"
	"}\n"
	"}\n"
	"str {\n"
	"id = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 4\n"
	"type = \"striped\"\n"
	"stripe_count = 2\n"
	"stripe_size = 2\n"	/* 1 KiB chunks */
	"stripes = [\"pv0\", 20, \"pv1\", 20]\n"
	"}\n"
	"}\n"
	"m_rimage_0 {\n"
	"id = \"FFFFFF-FFFF-FFFF-FFFF-FFFF-FFFF-FFFFFF\"\n"
	"status = [\"READ\", \"WRITE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 3\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv0\", 40]\n"
	"}\n"
	"}\n"
	"m_rimage_1 {\n"
	"id = \"GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG\"\n"
	"status = [\"READ\", \"WRITE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 3\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv1\", 40]\n"
	"}\n"
	"}\n"
	"m {\n"
	"id = \"HHHHHH-HHHH-HHHH-HHHH-HHHH-HHHH-HHHHHH\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 3\n"
	"type = \"raid1\"\n"
	"device_count = 2\n"
	"region_size = 1024\n"
	"raids = [\"m_rmeta_0\", \"m_rimage_0\", \"m_rmeta_1\", \"m_rimage_1\"]\n"
	"}\n"
	"}\n"
	"r_rimage_0 {\n"
	"id = \"IIIIII-IIII-IIII-IIII-IIII-IIII-IIIIII\"\n"
	"status = [\"READ\", \"WRITE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 2\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv0\", 60]\n"
	"}\n"
	"}\n"
	"r {\n"
	"id = \"JJJJJJ-JJJJ-JJJJ-JJJJ-JJJJ-JJJJ-JJJJJJ\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 2\n"
	"type = \"raid5\"\n"
	"device_count = 2\n"
	"stripe_size = 128\n"
	"region_size = 1024\n"
	"raids = [\"r_rmeta_0\", \"r_rimage_0\"]\n"
	"}\n"
	"}\n"
	"}\n"
	"}\n";

#define EXT 4096u
#define PE0 (1u << 20)
#define PV0_AT 0u		/* pv0 at the start of image a */
#define PV1_AT 8192u		/* pv1 at byte 8192 of image b */

struct fx {
	struct mlvm_vg *vg;
	struct mlvm_report r;
	struct mlvm_source *a, *b;
	uint8_t bytes[16];
};

static struct fx *setup(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *t = strdup(text);

	assert_non_null(f);
	mlvm_report_init(&f->r);
	assert_int_equal(mlvm_vg_from_text(t, strlen(t), &f->vg, &f->r, "t.img", 0), 0);
	f->a = mlvm_source_memory("a.img", f->bytes, sizeof(f->bytes), 0);
	f->b = mlvm_source_memory("b.img", f->bytes, sizeof(f->bytes), 0);
	f->vg->pvs[0].src = f->a;
	f->vg->pvs[0].offset = PV0_AT;
	f->vg->pvs[0].missing = false;
	f->vg->pvs[1].src = f->b;
	f->vg->pvs[1].offset = PV1_AT;
	f->vg->pvs[1].missing = false;
	return f;
}

static void teardown(struct fx *f)
{
	mlvm_vg_free(f->vg);
	mlvm_report_free(&f->r);
	mlvm_source_close(f->a);
	mlvm_source_close(f->b);
	free(f);
}

static void expect(struct fx *f, struct mlvm_source *s, uint64_t byte, const char *lv, uint64_t off)
{
	struct mlvm_lv_place p;

	assert_true(mlvm_vg_locate_byte(f->vg, s, byte, &p));
	assert_string_equal(p.lv->name, lv);
	assert_int_equal(p.offset, off);
}

static void linear_across_segments(void **state)
{
	struct fx *f = setup();

	(void)state;
	expect(f, f->a, PV0_AT + PE0 + 10 * EXT, "lin", 0);
	expect(f, f->a, PV0_AT + PE0 + 13 * EXT + 77, "lin", 3 * EXT + 77);
	expect(f, f->b, PV1_AT + PE0 + 1 * EXT + 5, "lin", 5 * EXT + 5);
	teardown(f);
}

static void striped_chunks(void **state)
{
	struct fx *f = setup();

	(void)state;
	/* chunks of 1 KiB: pv0 holds LV chunks 0, 2, 4...; pv1 1, 3, 5... */
	expect(f, f->a, PV0_AT + PE0 + 20 * EXT + 10, "str", 10);
	expect(f, f->b, PV1_AT + PE0 + 20 * EXT + 10, "str", 1024 + 10);
	expect(f, f->a, PV0_AT + PE0 + 20 * EXT + 1024 + 3, "str", 2048 + 3);
	expect(f, f->b, PV1_AT + PE0 + 21 * EXT + 1, "str", (2 * 4 + 1) * 1024 + 1);
	teardown(f);
}

static void raid1_leg_climbs_raid5_image_stays(void **state)
{
	struct fx *f = setup();

	(void)state;
	expect(f, f->a, PV0_AT + PE0 + 41 * EXT + 9, "m", EXT + 9);
	expect(f, f->b, PV1_AT + PE0 + 42 * EXT, "m", 2 * EXT);
	expect(f, f->a, PV0_AT + PE0 + 61 * EXT + 1, "r_rimage_0", EXT + 1);
	teardown(f);
}

static void outside_any_lv(void **state)
{
	struct fx *f = setup();
	struct mlvm_lv_place p;

	(void)state;
	assert_false(mlvm_vg_locate_byte(f->vg, f->a, PV0_AT + 100, &p));		/* before pe_start */
	assert_false(mlvm_vg_locate_byte(f->vg, f->a, PV0_AT + PE0 + 90 * EXT, &p));	/* free */
	assert_false(mlvm_vg_locate_byte(f->vg, f->a, PV0_AT + PE0 + 100 * EXT, &p));	/* past the PV */
	assert_false(mlvm_vg_locate_byte(f->vg, f->b, PV0_AT + PE0 + 10 * EXT, &p));	/* other image */
	teardown(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear_across_segments),
		cmocka_unit_test(striped_chunks),
		cmocka_unit_test(raid1_leg_climbs_raid5_image_stays),
		cmocka_unit_test(outside_any_lv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
