/*
 * test_timeline.c - unit tests for the event engine (timeline.c): events
 * from hand-made generations, gaps, removal bounds, renames matched by id,
 * a new uuid followed, conflicts, and order independence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "model/timeline.h"

#define VGID "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA"
#define VGID2 "ZZZZZZ-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA"
#define PV0 "BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB"
#define PV1 "CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC"
#define LV1 "DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD"
#define LV2 "EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE"

/* one LV section: name, id, extents, tags ("" none), creation_time (0 none) */
static void add_lv(struct mlvm_buf *b, const char *name, const char *id, unsigned extents,
		   const char *tags, long long ctime)
{
	mlvm_buf_printf(b, "%s {\nid = \"%s\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\n"
			"tags = [%s]\n", name, id, tags);
	if (ctime)
		mlvm_buf_printf(b, "creation_time = %lld\ncreation_host = \"lvhost\"\n", ctime);
	mlvm_buf_printf(b, "segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = %u\n"
			"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n}\n}\n", extents);
}

/* a generation: VG name, id, seqno, time; with_pv1 adds a second PV; lvs: sections */
static struct mlvm_vg *make_vg(const char *name, const char *id, unsigned seqno, long long t,
			       bool with_pv1, const char *lvs)
{
	struct mlvm_buf b = { 0 };
	struct mlvm_vg *vg = NULL;

	mlvm_buf_printf(&b, "%s {\nid = \"%s\"\nseqno = %u\nformat = \"lvm2\"\n"
			"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\nextent_size = 8192\n"
			"max_lv = 0\nmax_pv = 0\nmetadata_copies = 0\nphysical_volumes {\n"
			"pv0 {\nid = \"" PV0 "\"\nstatus = [\"ALLOCATABLE\"]\nflags = []\n"
			"dev_size = 262144\npe_start = 2048\npe_count = 31\n}\n", name, id, seqno);
	if (with_pv1)
		mlvm_buf_printf(&b, "pv1 {\nid = \"" PV1 "\"\nstatus = [\"ALLOCATABLE\"]\nflags = []\n"
				"dev_size = 262144\npe_start = 2048\npe_count = 31\n}\n");
	mlvm_buf_printf(&b, "}\nlogical_volumes {\n%s}\n}\ncontents = \"Text Format Volume Group\"\n"
			"version = 1\ndescription = \"step %u\"\ncreation_host = \"host\"\n"
			"creation_time = %lld\n", lvs, seqno, t);
	assert_int_equal(mlvm_vg_from_text(b.data, b.len, &vg, NULL, NULL, -1), 0);
	return vg;
}

static char *lvs(const char *n1, unsigned ext1, const char *tags1, bool with2)
{
	struct mlvm_buf b = { 0 };

	mlvm_buf_append(&b, "", 0);
	if (n1)
		add_lv(&b, n1, LV1, ext1, tags1, 1700000100);
	if (with2)
		add_lv(&b, "two", LV2, 2, "", 0);
	return b.data;
}

struct history {
	struct mlvm_vg *vg[8];
	struct mlvm_tl_gen g[8];
	size_t n;
};

static void push(struct history *h, struct mlvm_vg *vg)
{
	h->vg[h->n] = vg;
	h->g[h->n].vg = vg;
	h->g[h->n].n_copies = 1;
	h->n++;
}

static void history_free(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		mlvm_vg_free(h->vg[i]);
}

/* the events as "kind name before->after from..to" lines */
static char *render(const struct mlvm_tl_event *e, size_t n)
{
	struct mlvm_buf b = { 0 };
	size_t i;

	mlvm_buf_append(&b, "", 0);
	for (i = 0; i < n; i++)
		mlvm_buf_printf(&b, "%s %s %s>%s %lld..%lld t%lld%s\n", mlvm_tl_kind_name(e[i].kind),
				e[i].lv ? e[i].lv : e[i].pv ? e[i].pv : e[i].vg, e[i].before ? e[i].before : "",
				e[i].after ? e[i].after : "", e[i].from < 0 ? -1LL : (long long)e[i].from_seqno,
				(long long)e[i].to_seqno, (long long)e[i].time, e[i].time_is_lv ? " lv" : "");
	return b.data;
}

static char *run(struct history *h)
{
	struct mlvm_tl_event *e = NULL;
	size_t n = 0;
	char *s;

	assert_int_equal(mlvm_timeline(h->g, h->n, &e, &n), 0);
	s = render(e, n);
	mlvm_tl_events_free(e, n);
	return s;
}

/* a scripted history: create, lvcreate, extend, rename, tag, remove, vgrename, vgextend */
static void build_script(struct history *h, const int *order)
{
	struct mlvm_vg *v[8];
	char *l;
	int i;

	v[0] = make_vg("vg0", VGID, 1, 1000, false, "");
	l = lvs("one", 4, "", false);
	v[1] = make_vg("vg0", VGID, 2, 2000, false, l);
	free(l);
	l = lvs("one", 8, "", false);
	v[2] = make_vg("vg0", VGID, 3, 3000, false, l);
	free(l);
	l = lvs("uno", 8, "", false);
	v[3] = make_vg("vg0", VGID, 4, 4000, false, l);
	free(l);
	l = lvs("uno", 8, "\"secret\"", false);
	v[4] = make_vg("vg0", VGID, 5, 5000, false, l);
	free(l);
	v[5] = make_vg("vg0", VGID, 6, 6000, false, "");
	v[6] = make_vg("vg1", VGID, 7, 7000, false, "");
	v[7] = make_vg("vg1", VGID, 8, 8000, true, "");
	for (i = 0; i < 8; i++)
		push(h, v[order[i]]);
}

static const char script_events[] =
	"vg_created vg0 > -1..1 t1000\n"
	"pv_added pv0 >pv0 -1..1 t1000\n"
	"lv_created one >one 1..2 t1700000100 lv\n"
	"lv_resized one 4 extents>8 extents 2..3 t3000\n"
	"lv_renamed uno one>uno 3..4 t4000\n"
	"lv_tagged uno >secret 4..5 t5000\n"
	"lv_removed uno uno> 5..6 t6000\n"
	"vg_renamed vg1 vg0>vg1 6..7 t7000\n"
	"pv_added pv1 >pv1 7..8 t8000\n";

/* the script's events, from its generations given in this order */
static void check_script(const int *order)
{
	struct history h = { 0 };
	char *s;

	build_script(&h, order);
	s = run(&h);
	assert_string_equal(s, script_events);
	free(s);
	history_free(&h);
}

static void timeline_scripted_history(void **state)
{
	static const int order[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	(void)state;
	check_script(order);
}

static void timeline_does_not_depend_on_input_order(void **state)
{
	static const int order[8] = { 7, 3, 5, 0, 6, 2, 4, 1 };

	(void)state;
	check_script(order);
}

static void timeline_gap_and_removal_bounds(void **state)
{
	struct history h = { 0 };
	char *l = lvs("one", 4, "", true), *s;

	(void)state;
	push(&h, make_vg("vg0", VGID, 3, 3000, false, l));
	free(l);
	l = lvs("one", 4, "", false);
	push(&h, make_vg("vg0", VGID, 7, 7000, false, l));
	free(l);
	s = run(&h);
	/* seqnos 1-2 unseen: first seen, not created; the LV without its own
	 * time takes its generation's; two's removal is bounded by 3 and 7 */
	assert_string_equal(s, "vg_first_seen vg0 > -1..3 t3000\n"
			       "gap vg0 > -1..3 t3000\n"
			       "pv_added pv0 >pv0 -1..3 t3000\n"
			       "lv_created one >one -1..3 t1700000100 lv\n"
			       "lv_created two >two -1..3 t3000\n"
			       "gap vg0 > 3..7 t7000\n"
			       "lv_removed two two> 3..7 t7000\n");
	free(s);
	history_free(&h);
}

static void timeline_removal_keeps_both_times(void **state)
{
	struct history h = { 0 };
	char *l = lvs("one", 4, "", false);
	struct mlvm_tl_event *e = NULL;
	size_t n = 0, i, found = 0;

	(void)state;
	push(&h, make_vg("vg0", VGID, 1, 1000, false, l));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, ""));
	free(l);
	assert_int_equal(mlvm_timeline(h.g, h.n, &e, &n), 0);
	for (i = 0; i < n; i++)
		if (e[i].kind == MLVM_TL_LV_REMOVED) {
			found++;
			assert_int_equal(e[i].from_seqno, 1);
			assert_int_equal(e[i].from_time, 1000);
			assert_int_equal(e[i].to_seqno, 2);
			assert_int_equal(e[i].to_time, 2000);
			assert_string_equal(e[i].id, LV1);
			assert_int_equal(e[i].from, 0);
			assert_int_equal(e[i].to, 1);
		}
	assert_int_equal(found, 1);
	mlvm_tl_events_free(e, n);
	history_free(&h);
}

static void timeline_follows_a_new_uuid(void **state)
{
	struct history h = { 0 };
	char *s;

	(void)state;
	push(&h, make_vg("vg0", VGID2, 3, 3000, false, ""));
	push(&h, make_vg("vg0", VGID, 1, 1000, false, ""));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, ""));
	s = run(&h);
	assert_string_equal(s, "vg_created vg0 > -1..1 t1000\n"
			       "pv_added pv0 >pv0 -1..1 t1000\n"
			       "vg_uuid_changed vg0 " VGID ">" VGID2 " 2..3 t3000\n");
	free(s);
	history_free(&h);
}

static void timeline_unrelated_uuid_is_its_own_vg(void **state)
{
	struct history h = { 0 };
	char *s;

	(void)state;
	/* same PV but seqnos interleave: not one VG */
	push(&h, make_vg("vg0", VGID, 1, 1000, false, ""));
	push(&h, make_vg("vg0", VGID, 3, 3000, false, ""));
	push(&h, make_vg("vg9", VGID2, 2, 2000, false, ""));
	s = run(&h);
	assert_non_null(strstr(s, "vg_first_seen vg9 > -1..2 t2000\n"));
	assert_null(strstr(s, "vg_uuid_changed"));
	free(s);
	history_free(&h);
}

static void timeline_conflicting_texts_are_named(void **state)
{
	struct history h = { 0 };
	char *l = lvs("one", 4, "", false), *s;

	(void)state;
	push(&h, make_vg("vg0", VGID, 1, 1000, false, ""));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, l));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, ""));
	free(l);
	h.g[1].copies = "a.img";
	h.g[1].n_copies = 2;
	h.g[2].copies = "b.img";
	s = run(&h);
	/* the text with more copies is used, the other named */
	assert_string_equal(s, "vg_created vg0 > -1..1 t1000\n"
			       "pv_added pv0 >pv0 -1..1 t1000\n"
			       "lv_created one >one 1..2 t1700000100 lv\n"
			       "conflict vg0 a.img>b.img 2..2 t2000\n");
	free(s);
	history_free(&h);
}

static void timeline_move_is_not_an_extend(void **state)
{
	struct history h = { 0 };
	char *a = lvs("one", 4, "", false), *b = lvs("one", 8, "", false), *c = lvs("one", 8, "", false), *s, *p;

	(void)state;
	/* seqno 2 extends in place (not a move); seqno 3 puts the extents elsewhere */
	p = strstr(c, "\"pv0\", 0]");
	assert_non_null(p);
	memcpy(p, "\"pv0\", 9]", 9);
	push(&h, make_vg("vg0", VGID, 1, 1000, false, a));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, b));
	push(&h, make_vg("vg0", VGID, 3, 3000, false, c));
	free(a);
	free(b);
	free(c);
	s = run(&h);
	assert_non_null(strstr(s, "lv_resized one 4 extents>8 extents 1..2 t2000\n"));
	assert_null(strstr(s, "lv_moved one striped@0+4"));
	assert_non_null(strstr(s, "lv_moved one striped@0+8:pv0:0>striped@0+8:pv0:9 2..3 t3000\n"));
	free(s);
	history_free(&h);
}

static void timeline_archive_times_are_the_next_step(void **state)
{
	struct history h = { 0 };
	char *l = lvs("one", 4, "", false), *s;

	(void)state;
	/* archive copies of 1 and 2 (their times: when the commands after them
	 * began), a ring copy of 3 */
	push(&h, make_vg("vg0", VGID, 1, 2000, false, ""));
	push(&h, make_vg("vg0", VGID, 2, 3000, false, l));
	push(&h, make_vg("vg0", VGID, 3, 3000, false, ""));
	free(l);
	h.g[0].archived_before = true;
	h.g[1].archived_before = true;
	s = run(&h);
	assert_string_equal(s, "vg_created vg0 > -1..1 t0\n"
			       "pv_added pv0 >pv0 -1..1 t0\n"
			       "lv_created one >one 1..2 t1700000100 lv\n"
			       "lv_removed one one> 2..3 t3000\n");
	free(s);
	history_free(&h);
}

static void timeline_untag_and_kind_names(void **state)
{
	struct history h = { 0 };
	char *a = lvs("one", 4, "\"x\", \"y\"", false), *b = lvs("one", 4, "\"y\", \"z\"", false), *s;
	int k;

	(void)state;
	push(&h, make_vg("vg0", VGID, 1, 1000, false, a));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, b));
	free(a);
	free(b);
	s = run(&h);
	assert_non_null(strstr(s, "lv_tagged one >z 1..2 t2000\n"));
	assert_non_null(strstr(s, "lv_untagged one x> 1..2 t2000\n"));
	free(s);
	history_free(&h);
	for (k = 0; k < MLVM_TL_N_KINDS; k++)
		assert_non_null(mlvm_tl_kind_name(k));
	assert_null(mlvm_tl_kind_name(MLVM_TL_N_KINDS));
}

/* a historical LV record (record_lvs_history) appearing and going: events of their own */
static void timeline_historical_lvs(void **state)
{
	static const char rec[] = "}\nhistorical_logical_volumes {\nsnap1 {\nid = \"" LV2 "\"\n"
				  "creation_time = 1700000000\nremoval_time = 1700000500\n}\n";
	struct history h = { 0 };
	char *a = lvs("one", 4, "", false), *b;
	struct mlvm_buf with = { 0 };
	char *s;

	(void)state;
	mlvm_buf_printf(&with, "%s%s", a, rec);
	b = with.data;
	push(&h, make_vg("vg0", VGID, 1, 1000, false, a));
	push(&h, make_vg("vg0", VGID, 2, 2000, false, b));
	push(&h, make_vg("vg0", VGID, 3, 3000, false, a));
	free(a);
	free(b);
	s = run(&h);
	assert_non_null(strstr(s, "hlv_recorded -snap1 >-snap1 1..2 t2000\n"));
	assert_non_null(strstr(s, "hlv_dropped -snap1 -snap1> 2..3 t3000\n"));
	free(s);
	history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeline_scripted_history),
		cmocka_unit_test(timeline_does_not_depend_on_input_order),
		cmocka_unit_test(timeline_gap_and_removal_bounds),
		cmocka_unit_test(timeline_removal_keeps_both_times),
		cmocka_unit_test(timeline_follows_a_new_uuid),
		cmocka_unit_test(timeline_unrelated_uuid_is_its_own_vg),
		cmocka_unit_test(timeline_conflicting_texts_are_named),
		cmocka_unit_test(timeline_historical_lvs),
		cmocka_unit_test(timeline_move_is_not_an_extend),
		cmocka_unit_test(timeline_archive_times_are_the_next_step),
		cmocka_unit_test(timeline_untag_and_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
