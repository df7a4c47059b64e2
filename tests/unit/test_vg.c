/*
 * test_vg.c - the VG model built from metadata text, hostile text included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "base/util.h"
#include "model/diff.h"
#include "model/vg.h"

static const char base_text[] =
	"vg0 {\n"
	"id = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\n"
	"seqno = %s\n"
	"format = \"lvm2\"\n"
	"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
	"flags = []\n"
	"tags = [\"t1\", \"t2\"]\n"
	"extent_size = %s\n"
	"max_lv = 0\n"
	"max_pv = 0\n"
	"metadata_copies = 0\n"
	"physical_volumes {\n"
	"pv0 {\n"
	"id = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB\"\n"
	"device = \"/dev/sda\"\n"
	"status = [\"ALLOCATABLE\"]\n"
	"flags = []\n"
	"dev_size = 262144\n"
	"pe_start = 2048\n"
	"pe_count = %s\n"
	"}\n"
	"pv1 {\n"
	"id = \"CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC\"\n"
	"status = [\"ALLOCATABLE\"]\n"
	"dev_size = 262144\n"
	"pe_start = 2048\n"
	"pe_count = 31\n"
	"}\n"
	"}\n"
	"logical_volumes {\n"
	"%s"
	"}\n"
	"}\n"
	"contents = \"Text Format Volume Group\"\n"
	"version = 1\n"
	"description = \"test\"\n"
	"creation_host = \"host\"\n"
	"creation_time = 1700000000\n";

static const char good_lvs[] =
	"lin {\n"
	"id = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"flags = []\n"
	"tags = [\"os\"]\n"
	"segment_count = 2\n"
	"segment2 {\n"		/* out of order on purpose */
	"start_extent = 4\n"
	"extent_count = 2\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv1\", 0]\n"
	"}\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 4\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv0\", 10]\n"
	"}\n"
	"}\n"
	"str {\n"
	"id = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 6\n"
	"type = \"striped\"\n"
	"stripe_count = 2\n"
	"stripe_size = 128\n"
	"stripes = [\"pv0\", 0, \"pv1\", 10]\n"
	"}\n"
	"}\n"
	"hidden_rimage_0 {\n"
	"id = \"FFFFFF-FFFF-FFFF-FFFF-FFFF-FFFF-FFFFFF\"\n"
	"status = [\"READ\", \"WRITE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 1\n"
	"type = \"striped\"\n"
	"stripe_count = 1\n"
	"stripes = [\"pv0\", 20]\n"
	"}\n"
	"}\n"
	"r0 {\n"
	"id = \"GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\n"
	"extent_count = 1\n"
	"type = \"raid0\"\n"
	"stripe_count = 1\n"
	"stripe_size = 128\n"
	"raid0_lvs = [\"hidden_rimage_0\"]\n"
	"}\n"
	"}\n";

struct built {
	struct mlvm_vg *vg;
	struct mlvm_report r;
	int rc;
};

static void build(struct built *b, const char *seqno, const char *extent_size,
		  const char *pe_count, const char *lvs)
{
	char *text = NULL;
	int n = asprintf(&text, base_text, seqno, extent_size, pe_count, lvs);

	assert_true(n > 0);
	mlvm_report_init(&b->r);
	b->rc = mlvm_vg_from_text(text, (size_t)n, &b->vg, &b->r, "test.img", 4608);
}

static void done(struct built *b)
{
	mlvm_vg_free(b->vg);
	mlvm_report_free(&b->r);
}

static bool has_code(const struct mlvm_report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].code, code))
			return true;
	return false;
}

static void vg_builds_full_model(void **state)
{
	struct built b;
	const struct mlvm_lv *lv;

	(void)state;
	build(&b, "7", "8192", "31", good_lvs);
	assert_int_equal(b.rc, 0);
	assert_int_equal(b.r.n, 0);
	assert_string_equal(b.vg->name, "vg0");
	assert_int_equal(b.vg->seqno, 7);
	assert_int_equal(b.vg->extent_size, 8192);
	assert_true(mlvm_cfg_array_has(b.vg->tags, "t2"));
	assert_string_equal(b.vg->description, "test");
	assert_int_equal(b.vg->creation_time, 1700000000);
	assert_int_equal(b.vg->n_pvs, 2);
	assert_string_equal(b.vg->pvs[1].name, "pv1");
	assert_int_equal(b.vg->pvs[0].pe_start, 2048);
	assert_true(b.vg->pvs[0].missing);
	assert_int_equal(b.vg->n_lvs, 4);

	lv = mlvm_vg_find_lv(b.vg, "lin");
	assert_non_null(lv);
	assert_true(lv->visible);
	assert_int_equal(lv->n_segs, 2);
	assert_int_equal(lv->extent_count, 6);
	assert_int_equal(mlvm_lv_size(b.vg, lv), 6ULL * 8192 * 512);
	/* sorted by segment number, whatever the text order */
	assert_int_equal(lv->segs[0].start_extent, 0);
	assert_int_equal(lv->segs[0].areas[0].kind, MLVM_AREA_PV);
	assert_int_equal(lv->segs[0].areas[0].ref, 0);
	assert_int_equal(lv->segs[0].areas[0].start, 10);
	assert_int_equal(lv->segs[1].areas[0].ref, 1);

	lv = mlvm_vg_find_lv(b.vg, "str");
	assert_non_null(lv);
	assert_int_equal(lv->segs[0].n_areas, 2);
	assert_int_equal(mlvm_seg_stripe_size(&lv->segs[0]), 128);
	assert_int_equal(lv->segs[0].area_len, 3);

	lv = mlvm_vg_find_lv(b.vg, "hidden_rimage_0");
	assert_non_null(lv);
	assert_false(lv->visible);

	lv = mlvm_vg_find_lv(b.vg, "r0");
	assert_non_null(lv);
	assert_string_equal(mlvm_seg_areas_key(&lv->segs[0]), "raid0_lvs");
	assert_true(mlvm_cfg_array_has(mlvm_node_array(mlvm_vg_find_lv(b.vg, "lin")->node, "tags"), "os"));
	assert_int_equal(lv->segs[0].areas[0].kind, MLVM_AREA_LV);
	assert_int_equal(lv->segs[0].areas[0].ref, mlvm_vg_lv_index(b.vg, "hidden_rimage_0"));
	assert_null(mlvm_vg_find_lv(b.vg, "nosuch"));

	/* 62 extents: lin 4+2, str 3+3, rimage 1 */
	assert_int_equal(b.vg->total_extents, 62);
	assert_int_equal(b.vg->free_extents, 62 - 13);
	done(&b);
}

static void vg_reads_seqno_at_maximum(void **state)
{
	struct built b;

	(void)state;
	build(&b, "4294967295", "8192", "31", "");
	assert_int_equal(b.rc, 0);
	assert_int_equal(b.vg->seqno, 4294967295ULL);
	assert_false(has_code(&b.r, "text_seqno"));
	done(&b);
	build(&b, "4294967296", "8192", "31", "");
	assert_int_equal(b.rc, 0);
	assert_true(has_code(&b.r, "text_seqno"));
	done(&b);
}

static void vg_warns_on_zero_extent_size(void **state)
{
	struct built b;

	(void)state;
	build(&b, "1", "0", "31", good_lvs);
	assert_int_equal(b.rc, 0);
	assert_true(has_code(&b.r, "text_extent_size"));
	assert_int_equal(mlvm_lv_size(b.vg, mlvm_vg_find_lv(b.vg, "lin")), 0);
	done(&b);
}

static void vg_saturates_huge_counts(void **state)
{
	struct built b;

	(void)state;
	build(&b, "1", "9223372036854775807", "9223372036854775807", good_lvs);
	assert_int_equal(b.rc, 0);
	assert_int_equal(mlvm_lv_size(b.vg, mlvm_vg_find_lv(b.vg, "lin")), UINT64_MAX);
	assert_int_equal(b.vg->total_extents, 9223372036854775807ULL + 31);
	done(&b);
}

static void vg_reports_unknown_area_names(void **state)
{
	static const char lvs[] =
		"bad {\nid = \"x\"\nstatus = [\"READ\"]\nsegment_count = 2\n"
		"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv9\", 0]\n}\n"
		"segment2 {\nstart_extent = 1\nextent_count = 1\ntype = \"mirror\"\n"
		"mirror_count = 1\nmirrors = [\"bad\", 0]\n}\n}\n";
	struct built b;
	const struct mlvm_lv *lv;

	(void)state;
	build(&b, "1", "8192", "31", lvs);
	assert_int_equal(b.rc, 0);
	lv = mlvm_vg_find_lv(b.vg, "bad");
	assert_int_equal(lv->segs[0].areas[0].ref, -1);
	assert_int_equal(lv->segs[0].areas[0].kind, MLVM_AREA_LV);
	/* the LV that names itself is flagged, not followed */
	assert_int_equal(lv->segs[1].areas[0].ref, mlvm_vg_lv_index(b.vg, "bad"));
	assert_true(has_code(&b.r, "text_areas"));
	assert_int_equal(b.vg->free_extents, 62);
	done(&b);
}

static void vg_reports_segment_gaps_and_counts(void **state)
{
	static const char lvs[] =
		"gap {\nid = \"x\"\nstatus = [\"READ\"]\nsegment_count = 3\n"
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 0]\n}\n"
		"segment3 {\nstart_extent = 5\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 2\nstripes = [\"pv0\", 3]\n}\n}\n";
	struct built b;
	size_t i;
	int gaps = 0;

	(void)state;
	build(&b, "1", "8192", "31", lvs);
	assert_int_equal(b.rc, 0);
	for (i = 0; i < b.r.n; i++)
		if (!strcmp(b.r.items[i].code, "text_segments"))
			gaps++;
	/* count mismatch, segment3 where segment2 expected, start 5 not 2 */
	assert_int_equal(gaps, 3);
	assert_true(has_code(&b.r, "text_areas"));	/* stripe_count 2, one stripe */
	assert_int_equal(b.r.items[0].offset, 4608);
	assert_string_equal(b.r.items[0].image, "test.img");
	done(&b);
}

static void vg_flags_area_past_pv_end(void **state)
{
	static const char lvs[] =
		"far {\nid = \"x\"\nstatus = [\"READ\"]\nsegment_count = 1\n"
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv1\", 29]\n}\n}\n";
	struct built b;

	(void)state;
	build(&b, "1", "8192", "31", lvs);
	assert_int_equal(b.rc, 0);
	assert_true(has_code(&b.r, "text_areas"));
	done(&b);
}

static void vg_warns_on_unknown_status(void **state)
{
	static const char lvs[] =
		"odd {\nid = \"x\"\nstatus = [\"RRRR\", \"VISIBLE\"]\nsegment_count = 0\n}\n";
	struct built b;

	(void)state;
	build(&b, "1", "8192", "31", lvs);
	assert_int_equal(b.rc, 0);
	assert_true(has_code(&b.r, "text_status"));
	assert_true(mlvm_vg_find_lv(b.vg, "odd")->visible);
	done(&b);
}

static void vg_rejects_text_without_vg(void **state)
{
	struct mlvm_report r;
	struct mlvm_vg *vg = (struct mlvm_vg *)1;
	char *text = strdup("contents = \"Text Format Volume Group\"\nversion = 1\n");

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(mlvm_vg_from_text(text, strlen(text), &vg, &r, "x", 0), -EINVAL);
	assert_null(vg);
	assert_true(has_code(&r, "text_no_vg"));
	mlvm_report_free(&r);
}

static void vg_reports_unparsable_text(void **state)
{
	struct mlvm_report r;
	struct mlvm_vg *vg;
	char *text = strdup("vg0 {\nid = \"x\"\nseqno = \n}\n");

	(void)state;
	mlvm_report_init(&r);
	assert_true(mlvm_vg_from_text(text, strlen(text), &vg, &r, "x", 100) < 0);
	assert_null(vg);
	assert_true(has_code(&r, "text_parse"));
	assert_int_equal(r.items[0].offset, 100);
	assert_non_null(strstr(r.items[0].message, "line 4"));
	mlvm_report_free(&r);
}

static void vg_warns_on_missing_contents(void **state)
{
	struct mlvm_report r;
	struct mlvm_vg *vg;
	char *text = strdup("vg0 {\nid = \"x\"\nseqno = 3\nextent_size = 8\n"
			    "physical_volumes {\n}\n}\nversion = 2\n");

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(mlvm_vg_from_text(text, strlen(text), &vg, &r, "x", 0), 0);
	assert_true(has_code(&r, "text_contents"));
	assert_true(has_code(&r, "text_version"));
	assert_int_equal(vg->n_lvs, 0);
	mlvm_vg_free(vg);
	mlvm_report_free(&r);
}

static void vg_handles_many_lvs_with_hash_lookup(void **state)
{
	struct mlvm_buf lvs = { 0 };
	struct built b;
	char name[32];
	int i;

	(void)state;
	for (i = 0; i < 3000; i++)
		mlvm_buf_printf(&lvs, "lv%d {\nid = \"x\"\nstatus = [\"READ\", \"VISIBLE\"]\nsegment_count = 1\n"
				"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
				"stripe_count = 1\nstripes = [\"lv%d\", 0]\n}\n}\n", i, (i + 1) % 3000);
	build(&b, "1", "8192", "31", lvs.data);
	assert_int_equal(b.rc, 0);
	assert_int_equal(b.vg->n_lvs, 3000);
	for (i = 0; i < 3000; i += 7) {
		snprintf(name, sizeof(name), "lv%d", i);
		assert_int_equal(mlvm_vg_lv_index(b.vg, name), i);
		assert_int_equal(b.vg->lvs[i].segs[0].areas[0].ref, (i + 1) % 3000);
	}
	done(&b);
	mlvm_buf_free(&lvs);
}

/* the name index: names of the same hash (lv4a0f5 and lvbec20 share
 * their 32-bit FNV-1a hash) are told apart by the names; of two LVs of
 * one name, the first is found */
static void lv_index_tells_names_of_one_hash_apart(void **state)
{
	static const char *const names[] = { "lv4a0f5", "dup", "lvbec20", "dup", "other" };
	struct mlvm_buf lvs = { 0 };
	struct built b;
	unsigned i;

	(void)state;
	for (i = 0; i < 5; i++)
		mlvm_buf_printf(&lvs, "%s {\nid = \"x\"\nstatus = [\"READ\", \"VISIBLE\"]\nsegment_count = 1\n"
				"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
				"stripe_count = 1\nstripes = [\"pv0\", %u]\n}\n}\n", names[i], i);
	build(&b, "1", "8192", "31", lvs.data);
	assert_int_equal(b.rc, 0);
	assert_int_equal(b.vg->n_lvs, 5);
	assert_int_equal(mlvm_vg_lv_index(b.vg, "lv4a0f5"), 0);
	assert_int_equal(mlvm_vg_lv_index(b.vg, "lvbec20"), 2);
	assert_int_equal(mlvm_vg_lv_index(b.vg, "dup"), 1);
	assert_int_equal(mlvm_vg_lv_index(b.vg, "other"), 4);
	assert_int_equal(mlvm_vg_lv_index(b.vg, "lv4a0f"), -1);
	assert_int_equal(mlvm_vg_lv_index(b.vg, ""), -1);
	assert_int_equal(mlvm_vg_pv_index(b.vg, "pv0"), 0);
	assert_int_equal(mlvm_vg_pv_index(b.vg, "lv4a0f5"), -1);
	done(&b);
	mlvm_buf_free(&lvs);
}

static void name_rules_follow_lvm2(void **state)
{
	char long_name[200];

	(void)state;
	assert_true(mlvm_name_valid("lv_root.1+x-y"));
	assert_false(mlvm_name_valid(""));
	assert_false(mlvm_name_valid("-lead"));
	assert_false(mlvm_name_valid("."));
	assert_false(mlvm_name_valid(".."));
	assert_false(mlvm_name_valid("a b"));
	assert_false(mlvm_name_valid("a/b"));
	memset(long_name, 'a', 127);
	long_name[127] = '\0';
	assert_true(mlvm_name_valid(long_name));
	long_name[127] = 'a';
	long_name[128] = '\0';
	assert_false(mlvm_name_valid(long_name));
}

/* a thin LV's bytes rest on its pool (a key), the pool's on its data sub-LV
 * (another key), that one's on a PV: an ambiguous PV under any of them
 * makes the thin LV ambiguous, and mlvm_seg_lv_refs names them in order */
static const char thin_lvs[] =
	"pool {\n"
	"id = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\nextent_count = 4\ntype = \"thin-pool\"\n"
	"metadata = \"pool_tmeta\"\npool = \"pool_tdata\"\n"
	"transaction_id = 1\nchunk_size = 128\n"
	"}\n"
	"}\n"
	"thin1 {\n"
	"id = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\nextent_count = 8\ntype = \"thin\"\n"
	"thin_pool = \"pool\"\ntransaction_id = 1\ndevice_id = 1\n"
	"}\n"
	"}\n"
	"pool_tmeta {\n"
	"id = \"FFFFFF-FFFF-FFFF-FFFF-FFFF-FFFF-FFFFFF\"\n"
	"status = [\"READ\", \"WRITE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\"pv0\", 0]\n"
	"}\n"
	"}\n"
	"pool_tdata {\n"
	"id = \"GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG\"\n"
	"status = [\"READ\", \"WRITE\"]\n"
	"segment_count = 1\n"
	"segment1 {\n"
	"start_extent = 0\nextent_count = 4\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\"pv1\", 0]\n"
	"}\n"
	"}\n";

struct refs_seen {
	char names[4][32];
	unsigned n;
};

static bool note_ref(void *ctx, const char *key, uint32_t lvi)
{
	struct refs_seen *r = ctx;

	(void)lvi;
	if (r->n < 4)
		snprintf(r->names[r->n++], sizeof(r->names[0]), "%s", key ? key : "(area)");
	return true;
}

static void vg_ambiguity_follows_lvs_named_by_keys(void **state)
{
	struct refs_seen seen = { .n = 0 };
	const struct mlvm_lv *thin, *pool, *tmeta;
	struct built b;

	(void)state;
	build(&b, "7", "8192", "31", thin_lvs);
	assert_int_equal(b.rc, 0);
	thin = mlvm_vg_find_lv(b.vg, "thin1");
	pool = mlvm_vg_find_lv(b.vg, "pool");
	tmeta = mlvm_vg_find_lv(b.vg, "pool_tmeta");
	assert_non_null(thin);
	assert_non_null(pool);
	assert_non_null(tmeta);
	assert_int_equal(mlvm_seg_lv_refs(b.vg, &pool->segs[0], MLVM_REFS_ALL, note_ref, &seen), 2);
	assert_string_equal(seen.names[0], "metadata");
	assert_string_equal(seen.names[1], "pool");
	assert_int_equal(mlvm_seg_lv_refs(b.vg, &pool->segs[0], MLVM_REFS_AREAS, NULL, NULL), 0);
	assert_int_equal(mlvm_seg_lv_refs(b.vg, &thin->segs[0], MLVM_REFS_KEYS, NULL, NULL), 1);

	assert_null(mlvm_lv_ambiguous_pv(b.vg, thin));
	b.vg->pvs[1].ambiguous = true;	/* pv1 holds pool_tdata */
	assert_ptr_equal(mlvm_lv_ambiguous_pv(b.vg, thin), &b.vg->pvs[1]);
	assert_ptr_equal(mlvm_lv_ambiguous_pv(b.vg, pool), &b.vg->pvs[1]);
	assert_null(mlvm_lv_ambiguous_pv(b.vg, tmeta));
	done(&b);
}

/* the diff engine: a rename keeps its id, a tag change names the LV once,
 * an LV only in the newer generation is added, the other way removed */
static void vg_diff_matches_by_id(void **state)
{
	static const char extra[] =
		"extra {\n"
		"id = \"HHHHHH-HHHH-HHHH-HHHH-HHHH-HHHH-HHHHHH\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
		"segment_count = 1\n"
		"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 30]\n}\n"
		"}\n";
	struct mlvm_vg_change *ch = NULL;
	struct built a, b;
	char *renamed, *p;
	size_t n, i;
	bool saw_rename = false, saw_tags = false, saw_added = false;

	(void)state;
	renamed = malloc(strlen(good_lvs) + sizeof(extra) + 8);
	assert_non_null(renamed);
	/* "lin {" becomes "lin2 {", its tag "os" becomes "boot", plus an LV */
	p = renamed;
	p += sprintf(p, "lin2%s", good_lvs + 3);
	strcpy(p, extra);
	p = strstr(renamed, "tags = [\"os\"]");
	assert_non_null(p);
	memcpy(p, "tags = [\"bo\"]", 13);
	build(&a, "5", "8192", "31", good_lvs);
	build(&b, "6", "8192", "31", renamed);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(mlvm_vg_diff(a.vg, b.vg, &ch, &n), 0);
	for (i = 0; i < n; i++) {
		if (!strcmp(ch[i].kind, "lv_renamed")) {
			saw_rename = true;
			assert_string_equal(ch[i].before, "lin");
			assert_string_equal(ch[i].after, "lin2");
			assert_string_equal(ch[i].lv, "lin2");
		} else if (!strcmp(ch[i].kind, "lv_tags")) {
			saw_tags = true;
			assert_string_equal(ch[i].before, "os");
			assert_string_equal(ch[i].after, "bo");
		} else if (!strcmp(ch[i].kind, "lv_added")) {
			saw_added = true;
			assert_string_equal(ch[i].lv, "extra");
			assert_null(ch[i].before);
		} else {
			fail_msg("unexpected change %s", ch[i].kind);
		}
	}
	assert_true(saw_rename && saw_tags && saw_added);
	mlvm_vg_changes_free(ch, n);
	/* and back: the LV is removed */
	assert_int_equal(mlvm_vg_diff(b.vg, a.vg, &ch, &n), 0);
	for (i = 0; i < n && strcmp(ch[i].kind, "lv_removed"); i++)
		;
	assert_true(i < n);
	assert_string_equal(ch[i].lv, "extra");
	mlvm_vg_changes_free(ch, n);
	assert_int_equal(mlvm_vg_diff(a.vg, a.vg, &ch, &n), 0);
	assert_int_equal(n, 0);
	mlvm_vg_changes_free(ch, n);
	done(&a);
	done(&b);
	free(renamed);
}

/* historical LVs (record_lvs_history): thin1 <- -s1 <- -s2 <- s3 <- s4, as
 * LVM2 writes them after lvremove of s1 and s2 (s3's origin is gone from its
 * segment; -s2 names it among its descendants), plus a hostile cycle */
static const char hist_lvs[] =
	"s3 {\n"
	"id = \"HHHHHH-HHHH-HHHH-HHHH-HHHH-HHHH-HHHHHH\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"thin\"\n"
	"thin_pool = \"pool\"\ntransaction_id = 3\ndevice_id = 4\n}\n"
	"}\n"
	"s4 {\n"
	"id = \"IIIIII-IIII-IIII-IIII-IIII-IIII-IIIIII\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
	"segment_count = 1\n"
	"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"thin\"\n"
	"thin_pool = \"pool\"\ntransaction_id = 4\ndevice_id = 5\norigin = \"s3\"\n}\n"
	"}\n"
	"}\n"
	"historical_logical_volumes {\n"
	"s2 {\n"
	"id = \"JJJJJJ-JJJJ-JJJJ-JJJJ-JJJJ-JJJJ-JJJJJJ\"\n"
	"creation_time = 1700000300\nremoval_time = 1700000500\n"
	"origin = \"-s1\"\ndescendants = [\"s3\"]\n"
	"}\n"
	"s1 {\n"
	"id = \"KKKKKK-KKKK-KKKK-KKKK-KKKK-KKKK-KKKKKK\"\n"
	"creation_time = 1700000200\nremoval_time = 1700000500\n"
	"origin = \"thin1\"\n"
	"}\n"
	"c1 {\nid = \"LLLLLL-LLLL-LLLL-LLLL-LLLL-LLLL-LLLLLL\"\norigin = \"-c2\"\n}\n"
	"c2 {\nid = \"MMMMMM-MMMM-MMMM-MMMM-MMMM-MMMM-MMMMMM\"\norigin = \"-c1\"\n}\n"
	"lost {\nid = \"NNNNNN-NNNN-NNNN-NNNN-NNNN-NNNN-NNNNNN\"\norigin = \"nothere\"\n}\n";

/* the names of a lineage walk, joined by "," */
static void lineage_is(const struct mlvm_vg *vg, const char *hlv, bool descendants, const char *want)
{
	struct mlvm_lineage who, *m;
	char got[256] = "", name[64];
	uint32_t n, i;
	int h = mlvm_vg_hlv_index(vg, hlv);

	assert_true(h >= 0);
	who.index = (uint32_t)h;
	who.historical = true;
	assert_int_equal(mlvm_lineage_walk(vg, who, descendants, &m, &n), 0);
	for (i = 0; i < n; i++) {
		strcat(got, i ? "," : "");
		strcat(got, mlvm_lineage_name(vg, m[i], name, sizeof(name)));
	}
	free(m);
	assert_string_equal(got, want);
}

static void vg_reads_historical_lvs_and_their_lineage(void **state)
{
	char *lvs = malloc(sizeof(thin_lvs) + sizeof(hist_lvs));
	struct mlvm_vg_change *ch = NULL;
	struct built a, b;
	size_t n, i, added = 0;

	(void)state;
	assert_non_null(lvs);
	strcpy(lvs, thin_lvs);
	strcat(lvs, hist_lvs);
	build(&b, "9", "8192", "31", lvs);
	assert_int_equal(b.rc, 0);
	assert_int_equal(b.vg->n_hlvs, 5);
	assert_string_equal(b.vg->hlvs[1].name, "s1");
	assert_string_equal(b.vg->hlvs[1].id, "KKKKKK-KKKK-KKKK-KKKK-KKKK-KKKK-KKKKKK");
	assert_int_equal(b.vg->hlvs[1].creation_time, 1700000200);
	assert_int_equal(b.vg->hlvs[1].removal_time, 1700000500);
	assert_string_equal(b.vg->hlvs[0].origin, "-s1");
	/* what lvs -H says: lv_full_ancestors, lv_full_descendants */
	lineage_is(b.vg, "s2", false, "-s1,thin1");
	lineage_is(b.vg, "s2", true, "s3,s4");
	lineage_is(b.vg, "s1", false, "thin1");
	lineage_is(b.vg, "s1", true, "-s2,s3,s4");
	/* a cycle ends, an unknown origin is no ancestor and is reported */
	lineage_is(b.vg, "c1", false, "-c2");
	lineage_is(b.vg, "c2", true, "-c1");
	lineage_is(b.vg, "lost", false, "");
	assert_true(has_code(&b.r, "text_history"));
	assert_int_equal(mlvm_vg_hlv_index(b.vg, "nothere"), -1);

	/* diff: from a generation without the record to one with it */
	build(&a, "8", "8192", "31", thin_lvs);
	assert_int_equal(a.rc, 0);
	assert_int_equal(mlvm_vg_diff(a.vg, b.vg, &ch, &n), 0);
	for (i = 0; i < n; i++)
		if (!strcmp(ch[i].kind, "hlv_added")) {
			added++;
			assert_null(ch[i].before);
			if (!strcmp(ch[i].lv, "-s1"))
				assert_string_equal(ch[i].id, "KKKKKK-KKKK-KKKK-KKKK-KKKK-KKKK-KKKKKK");
		}
	assert_int_equal(added, 5);
	mlvm_vg_changes_free(ch, n);
	assert_int_equal(mlvm_vg_diff(b.vg, a.vg, &ch, &n), 0);
	for (i = 0; i < n && strcmp(ch[i].kind, "hlv_removed"); i++)
		;
	assert_true(i < n);
	assert_string_equal(ch[i].before, "-s2");
	mlvm_vg_changes_free(ch, n);
	done(&a);
	done(&b);
	free(lvs);
}

/* a hidden striped LV of one extent on pv0 at extent pe, with more of
 * its segment's keys */
#define HIDDEN_LV(name, more, pe) \
	name " {\n" \
	"id = \"HHHHHH-HHHH-HHHH-HHHH-HHHH-HHHH-HHHHHH\"\n" \
	"status = [\"READ\", \"WRITE\"]\n" \
	"segment_count = 1\n" \
	"segment1 {\n" \
	"start_extent = 0\n" \
	"extent_count = 1\n" \
	"type = \"striped\"\n" \
	"stripe_count = 1\n" \
	more \
	"stripes = [\"pv0\", " #pe "]\n" \
	"}\n" \
	"}\n"
/* an image's reshape_count: LVM2 never counts it */
#define SUB_LV(name, pe) HIDDEN_LV(name, "reshape_count = 7\n", pe)

/*
 * What vg_from_tree reads of a section is what cfg_find gives for each key
 * (the first child under it), though it reads them all in one walk; and
 * the passes after it (reshape space, raid images, old-style snapshots)
 * see the same segments they would see reading the text again.
 */
static void vg_reads_each_key_as_its_first_child(void **state)
{
	static const char lvs[] =
		"dup {\n"
		"id = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
		"status = [\"READ\"]\n"
		"segment_count = 1\n"
		"segment1 {\n"
		"start_extent = 0\n"
		"extent_count = 3\n"
		"extent_count = 9\n"
		"type = \"mirror\"\n"
		"stripes = 5\n"			/* not an array: the mirrors are */
		"mirrors = [\"pv0\", 0, \"pv1\", 0]\n"
		"stripes = [\"pv1\", 5]\n"	/* a second stripes: never read */
		"}\n"
		"}\n"
		"r5 {\n"
		"id = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
		"segment_count = 1\n"
		"segment1 {\n"
		"start_extent = 0\n"
		"extent_count = 10\n"
		"type = \"raid5_ls\"\n"
		"device_count = 3\n"
		"reshape_count = 2\n"
		"raids = [\"r5_rmeta_0\", \"r5_rimage_0\", \"r5_rmeta_1\", \"r5_rimage_1\","
		" \"r5_rmeta_2\", \"r5_rimage_2\"]\n"
		"}\n"
		"}\n"
		SUB_LV("r5_rmeta_0", 20) SUB_LV("r5_rimage_0", 21)
		SUB_LV("r5_rmeta_1", 22) SUB_LV("r5_rimage_1", 23)
		SUB_LV("r5_rmeta_2", 24) SUB_LV("r5_rimage_2", 25)
		"two {\n"
		"id = \"FFFFFF-FFFF-FFFF-FFFF-FFFF-FFFF-FFFFFF\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
		"segment_count = 2\n"
		"segment1 {\n"
		"start_extent = 0\n"
		"extent_count = 1\n"
		"type = \"striped\"\n"
		"stripe_count = 1\n"
		"stripes = [\"pv0\", 26]\n"
		"}\n"
		"segment2 {\n"
		"start_extent = 1\n"
		"extent_count = 1\n"
		"type = \"striped\"\n"
		"stripe_count = 1\n"
		"reshape_count = 3\n"		/* not the first segment's: no reshape */
		"stripes = [\"pv0\", 27]\n"
		"}\n"
		"}\n"
		HIDDEN_LV("cow", "", 28)
		"snapshot0 {\n"
		"id = \"IIIIII-IIII-IIII-IIII-IIII-IIII-IIIIII\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
		"segment_count = 1\n"
		"segment1 {\n"
		"start_extent = 0\n"
		"extent_count = 1\n"
		"type = \"snapshot\"\n"
		"chunk_size = 8\n"
		"origin = \"two\"\n"
		"cow_store = \"cow\"\n"
		"}\n"
		"}\n";
	struct built b;
	const struct mlvm_lv *lv;
	uint32_t i;

	(void)state;
	build(&b, "7", "8192", "31", lvs);
	assert_int_equal(b.rc, 0);

	lv = mlvm_vg_find_lv(b.vg, "dup");
	assert_non_null(lv);
	assert_true(lv->visible);		/* the first status */
	assert_int_equal(lv->extent_count, 3);	/* the first extent_count */
	assert_string_equal(mlvm_seg_areas_key(&lv->segs[0]), "mirrors");
	assert_int_equal(lv->segs[0].n_areas, 2);
	assert_int_equal(lv->segs[0].areas[1].kind, MLVM_AREA_PV);
	assert_int_equal(lv->segs[0].areas[1].ref, 1);
	assert_int_equal(lv->segs[0].area_len, 3);

	/* raid5 of 3 images: 2 data images, reshape space 2 each */
	lv = mlvm_vg_find_lv(b.vg, "r5");
	assert_non_null(lv);
	assert_int_equal(lv->reshape_extents, 4);
	assert_int_equal(mlvm_lv_size(b.vg, lv), 6ULL * 8192 * 512);
	assert_int_equal(lv->segs[0].n_areas, 6);
	for (i = 0; i < 6; i++) {
		const struct mlvm_lv *img = &b.vg->lvs[lv->segs[0].areas[i].ref];

		assert_int_equal(lv->segs[0].areas[i].kind, MLVM_AREA_LV);
		assert_true(img->raid_image);
		assert_int_equal(img->reshape_extents, 0);
		assert_int_equal(mlvm_lv_size(b.vg, img), 8192ULL * 512);
	}
	lv = mlvm_vg_find_lv(b.vg, "two");
	assert_non_null(lv);
	assert_false(lv->raid_image);
	assert_int_equal(lv->reshape_extents, 0);

	/* the COW LV is the snapshot LVM2 shows; snapshotN is not shown */
	assert_int_equal(b.vg->n_snapshot_lvs, 1);
	assert_true(mlvm_vg_find_lv(b.vg, "cow")->visible);
	assert_false(mlvm_vg_find_lv(b.vg, "snapshot0")->visible);
	assert_false(mlvm_vg_find_lv(b.vg, "two")->raid_image);
	done(&b);
}

/* n LVs, every one with the warnings of the LVs whose number the given
 * steps divide: no id, an unknown status flag, a segment that starts late,
 * an area naming no PV or LV */
static char *many_lvs(unsigned n, unsigned no_id, unsigned bad_status, unsigned late,
		      unsigned unknown_area)
{
	struct mlvm_buf b = { 0 };
	unsigned i;

	for (i = 0; i < n; i++) {
		mlvm_buf_printf(&b, "lv%05u {\n", i);
		if (i % no_id)
			mlvm_buf_printf(&b, "id = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-%06u\"\n", i);
		mlvm_buf_printf(&b, "status = [\"READ\", \"VISIBLE\"%s]\nsegment_count = 1\n"
				"segment1 {\nstart_extent = %u\nextent_count = 1\ntype = \"striped\"\n"
				"stripe_count = 1\nstripes = [\"%s\", 0]\n}\n}\n",
				i % bad_status ? "" : ", \"BOGUS\"", i % late ? 0 : 1,
				i % unknown_area ? "pv0" : (i % 2 ? "nosuch" : "lv00000"));
	}
	assert_non_null(b.data);
	return b.data;
}

/* the model and report of two reads of one text (one thread, two) are
 * the same: the LVs, their segments' areas, the name index, the report */
static void same_model(const struct built *one, const struct built *two, uint32_t n_lvs)
{
	uint32_t i, k;
	size_t e;

	assert_int_equal(one->rc, 0);
	assert_int_equal(two->rc, 0);
	assert_int_equal(one->vg->n_lvs, n_lvs);
	assert_int_equal(two->vg->n_lvs, n_lvs);
	assert_int_equal(one->vg->n_unknown_status, two->vg->n_unknown_status);
	for (i = 0; i < n_lvs; i++) {
		const struct mlvm_lv *x = &one->vg->lvs[i], *y = &two->vg->lvs[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(mlvm_vg_lv_index(one->vg, x->name), mlvm_vg_lv_index(two->vg, x->name));
		assert_true(x->id == y->id || !strcmp(x->id, y->id));
		assert_int_equal(x->n_segs, y->n_segs);
		assert_int_equal(x->extent_count, y->extent_count);
		assert_int_equal(x->visible, y->visible);
		for (k = 0; k < x->n_segs; k++) {
			uint32_t a;

			assert_int_equal(x->segs[k].n_areas, y->segs[k].n_areas);
			for (a = 0; a < x->segs[k].n_areas; a++) {
				assert_int_equal(x->segs[k].areas[a].kind, y->segs[k].areas[a].kind);
				assert_int_equal(x->segs[k].areas[a].ref, y->segs[k].areas[a].ref);
				assert_int_equal(x->segs[k].areas[a].start, y->segs[k].areas[a].start);
			}
		}
	}
	assert_int_equal(one->r.n, two->r.n);
	assert_int_equal(one->r.dropped, two->r.dropped);
	for (e = 0; e < one->r.n; e++) {
		assert_string_equal(one->r.items[e].code, two->r.items[e].code);
		assert_string_equal(one->r.items[e].message, two->r.items[e].message);
	}
}

/*
 * A VG of more than 4,096 LVs is read on two threads: the model and the
 * report (its order, and its cap of MLVM_REPORT_MAX entries) are those of
 * one thread.
 */
static void vg_read_on_two_threads_is_the_serial_read(void **state)
{
	static const unsigned steps[][4] = { { 101, 211, 307, 401 }, { 1, 1, 2, 3 } };
	unsigned t;

	(void)state;
	for (t = 0; t < 2; t++) {
		char *lvs = many_lvs(6000, steps[t][0], steps[t][1], steps[t][2], steps[t][3]);
		struct built one, two;
		uint32_t i, k;
		size_t e;

		setenv("MLVM_IO_THREADS", "0", 1);
		build(&one, "7", "8192", "100000", lvs);
		setenv("MLVM_IO_THREADS", "2", 1);
		build(&two, "7", "8192", "100000", lvs);
		unsetenv("MLVM_IO_THREADS");
		same_model(&one, &two, 6000);
		/* the first text (over 1 MiB) was parsed in two halves that
		 * split the LVs: they were counted in those halves
		 * (cfg_half_start); the second (under 1 MiB) was not */
		assert_null(cfg_half_start(one.vg->tree, cfg_find(one.vg->node, "logical_volumes")));
		assert_int_equal(two.vg->tree->halves, t ? 1 : 2);
		assert_true(!cfg_half_start(two.vg->tree, cfg_find(two.vg->node, "logical_volumes")) == (t == 1));
		assert_int_equal(one.rc, 0);
		assert_int_equal(two.rc, 0);
		assert_int_equal(one.vg->n_lvs, 6000);
		assert_int_equal(two.vg->n_lvs, 6000);
		assert_int_equal(one.vg->n_unknown_status, two.vg->n_unknown_status);
		assert_int_equal(one.vg->n_unknown_status, t ? 6000 : 6000 / 211 + 1);
		for (i = 0; i < 6000; i++) {
			const struct mlvm_lv *x = &one.vg->lvs[i], *y = &two.vg->lvs[i];

			assert_string_equal(x->name, y->name);
			/* each name's hash, worked out by the run that read it */
			assert_int_equal(mlvm_vg_lv_index(one.vg, x->name), (int)i);
			assert_int_equal(mlvm_vg_lv_index(two.vg, x->name), (int)i);
			assert_true(x->id == y->id || !strcmp(x->id, y->id));
			assert_int_equal(x->n_segs, y->n_segs);
			assert_int_equal(x->extent_count, y->extent_count);
			assert_int_equal(x->visible, y->visible);
			for (k = 0; k < x->segs[0].n_areas; k++) {
				assert_int_equal(x->segs[0].areas[k].kind, y->segs[0].areas[k].kind);
				assert_int_equal(x->segs[0].areas[k].ref, y->segs[0].areas[k].ref);
			}
		}
		assert_int_equal(mlvm_vg_lv_index(two.vg, "lv06000"), -1);
		/* the second case says more than the report keeps */
		assert_true(t == 0 ? one.r.dropped == 0 : one.r.dropped > 0);
		assert_int_equal(one.r.n, two.r.n);
		assert_int_equal(one.r.dropped, two.r.dropped);
		for (e = 0; e < one.r.n; e++) {
			assert_string_equal(one.r.items[e].code, two.r.items[e].code);
			assert_string_equal(one.r.items[e].message, two.r.items[e].message);
		}
		done(&one);
		done(&two);
		free(lvs);
	}
}

/* a striped segment of two stripes is told without a stripe_size, and
 * with one that is not a positive integer; not with one */
static void vg_warns_on_stripes_without_stripe_size(void **state)
{
	static const char *const sizes[] = { "", "stripe_size = 0\n", "stripe_size = \"128\"\n",
					     "stripe_size = 128\n" };
	unsigned k;

	(void)state;
	for (k = 0; k < 4; k++) {
		char lvs[512];
		struct built b;
		const char *msg;

		snprintf(lvs, sizeof(lvs),
			 "str {\nid = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\n"
			 "status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n"
			 "segment1 {\nstart_extent = 0\nextent_count = 6\ntype = \"striped\"\n"
			 "stripe_count = 2\n%sstripes = [\"pv0\", 0, \"pv1\", 10]\n}\n}\n", sizes[k]);
		build(&b, "7", "8192", "31", lvs);
		assert_int_equal(b.rc, 0);
		msg = mlvm_report_last_message(&b.r, "text_areas");
		if (k < 3) {
			assert_non_null(msg);
			assert_non_null(strstr(msg, "2 stripes but no stripe_size"));
		} else {
			assert_false(has_code(&b.r, "text_areas"));
		}
		done(&b);
	}
}

/* a bootloader area needs both ba_start and ba_size (LVM2 refuses one alone) */
static void vg_reads_bootloader_area(void **state)
{
	static const char *const texts[] = { "pe_count = 31\nba_start = 2048\nba_size = 2048\n",
					     "pe_count = 31\nba_size = 2048\n" };
	struct built b;
	char *t;

	(void)state;
	for (int k = 0; k < 2; k++) {
		char *text = NULL;
		int n;

		/* pv1's pe_count line carries the bootloader keys */
		n = asprintf(&text, base_text, "7", "8192", "31", good_lvs);
		assert_true(n > 0);
		t = strstr(text, "pe_count = 31\n}\n}\n");
		assert_non_null(t);
		{
			char *full = NULL;
			int m = asprintf(&full, "%.*s%s%s", (int)(t - text), text, texts[k],
					 t + strlen("pe_count = 31\n"));

			assert_true(m > 0);
			free(text);
			mlvm_report_init(&b.r);
			b.rc = mlvm_vg_from_text(full, (size_t)m, &b.vg, &b.r, "test.img", 0);
		}
		assert_int_equal(b.rc, 0);
		assert_int_equal(b.vg->pvs[0].ba_size, 0);
		assert_int_equal(b.vg->pvs[1].ba_start, k ? 0 : 2048);
		assert_int_equal(b.vg->pvs[1].ba_size, k ? 0 : 2048);
		assert_int_equal(has_code(&b.r, "text_bootloader_area"), k == 1);
		done(&b);
	}
}

/*
 * The text parsed in two halves split at chosen places (cfg_split_at):
 * the LVs counted and read in those halves give the model and report of
 * one thread, wherever the second half begins: at the first LV, at the
 * start of an LV, inside an LV's segment, at a stray value between LVs,
 * at the last LV, or before logical_volumes (no half to count in).
 */
static void vg_counted_in_the_halves_of_a_split_parse(void **state)
{
	/* the second half begins at the key of the second string found after
	 * the first (a key: the split is taken there) */
	static const char *const places[][2] = {
		{ "lv00000 {", "lv00000" }, { "lv01000 {", "lv01000" },
		{ "lv03000 {", "start_extent" }, { "stray = 1", "stray" }, { "lv05999 {", "lv05999" },
		{ "pv1 {", "pv1" }, { "lv04321 {", "id =" },
	};
	char *lvs = many_lvs(6000, 101, 211, 307, 401), *more, *text;
	struct built one, two;
	size_t i;

	(void)state;
	/* a value among the LVs, where no LV section is (warned about) */
	assert_true(asprintf(&more, "%.*sstray = 1\n%s", (int)(strstr(lvs, "lv02500 {") - lvs), lvs,
			     strstr(lvs, "lv02500 {")) > 0);
	setenv("MLVM_IO_THREADS", "0", 1);
	build(&one, "7", "8192", "100000", more);
	assert_true(asprintf(&text, base_text, "7", "8192", "100000", more) > 0);
	cfg_split_min = 1;
	setenv("MLVM_IO_THREADS", "2", 1);
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		const char *p = strstr(text, places[i][0]);

		assert_non_null(p);
		p = strstr(p, places[i][1]);
		assert_non_null(p);
		cfg_split_at = (size_t)(p - text);
		build(&two, "7", "8192", "100000", more);
		same_model(&one, &two, 6000);
		assert_int_equal(two.vg->tree->halves, 2);
		/* split before logical_volumes: none of its LVs counted apart */
		assert_true(!cfg_half_start(two.vg->tree, cfg_find(two.vg->node, "logical_volumes")) ==
			    !strcmp(places[i][0], "pv1 {"));
		done(&two);
	}
	cfg_split_at = 0;
	cfg_split_min = 1u << 20;
	unsetenv("MLVM_IO_THREADS");
	assert_true(has_code(&one.r, "text_type"));
	done(&one);
	free(text);
	free(more);
	free(lvs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vg_builds_full_model),
		cmocka_unit_test(vg_reads_seqno_at_maximum),
		cmocka_unit_test(vg_warns_on_zero_extent_size),
		cmocka_unit_test(vg_saturates_huge_counts),
		cmocka_unit_test(vg_reports_unknown_area_names),
		cmocka_unit_test(vg_reports_segment_gaps_and_counts),
		cmocka_unit_test(vg_flags_area_past_pv_end),
		cmocka_unit_test(vg_warns_on_unknown_status),
		cmocka_unit_test(vg_rejects_text_without_vg),
		cmocka_unit_test(vg_reports_unparsable_text),
		cmocka_unit_test(vg_warns_on_missing_contents),
		cmocka_unit_test(vg_handles_many_lvs_with_hash_lookup),
		cmocka_unit_test(name_rules_follow_lvm2),
		cmocka_unit_test(vg_ambiguity_follows_lvs_named_by_keys),
		cmocka_unit_test(vg_diff_matches_by_id),
		cmocka_unit_test(vg_reads_historical_lvs_and_their_lineage),
		cmocka_unit_test(vg_reads_bootloader_area),
		cmocka_unit_test(vg_warns_on_stripes_without_stripe_size),
		cmocka_unit_test(vg_reads_each_key_as_its_first_child),
		cmocka_unit_test(vg_read_on_two_threads_is_the_serial_read),
		cmocka_unit_test(lv_index_tells_names_of_one_hash_apart),
		cmocka_unit_test(vg_counted_in_the_halves_of_a_split_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
