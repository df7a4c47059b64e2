/*
 * test_tuimodel.c - the browser's model (tui/model.c): the tree built from
 * a VG, folding of hidden sub-LVs, sorting, filtering and search, moving
 * the selection, generation diff marks, extent map cells, details, guest
 * VGs under the LV that holds them (tests/unit/data/nested, made by LVM2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/model.h"
#include "text/carve.h"
#include "model/vg.h"
#include "io/source.h"
#include "model/assemble.h"
#include "map/nested.h"

#define LV(name, id, status, segs) \
	name " {\nid = \"" id "\"\nstatus = [" status "]\nflags = []\nsegment_count = 1\n" segs "}\n"
#define SEG(start, count, body) \
	"segment1 {\nstart_extent = " #start "\nextent_count = " #count "\n" body "}\n"
#define VIS "\"READ\", \"WRITE\", \"VISIBLE\""
#define HID "\"READ\", \"WRITE\""

static const char head[] =
	"vg0 {\n"
	"id = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\n"
	"seqno = %d\n"
	"format = \"lvm2\"\n"
	"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
	"flags = []\n"
	"extent_size = 8192\n"
	"max_lv = 0\n"
	"max_pv = 0\n"
	"physical_volumes {\n"
	"pv0 {\nid = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB\"\nstatus = [\"ALLOCATABLE\"]\n"
	"dev_size = 262144\npe_start = 2048\npe_count = 20\n}\n"
	"pv1 {\nid = \"CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC\"\nstatus = [\"ALLOCATABLE\"]\n"
	"dev_size = 262144\npe_start = 2048\npe_count = 20\n}\n"
	"}\n"
	"logical_volumes {\n";

static const char tail[] =
	"}\n}\n"
	"contents = \"Text Format Volume Group\"\nversion = 1\n"
	"description = \"test\"\ncreation_host = \"host\"\ncreation_time = 1700000000\n";

/* linear on pv0 0-3, a raid1 with its images on pv0 4-5 and pv1 0-1, a
 * thin pool and a thin LV, an old-style snapshot of lin (as LVM2 writes it:
 * snapshot0 VISIBLE, its COW LV snap not; the VG model shows snap) */
static const char lvs_now[] =
	LV("lin", "LLLLLL-LLLL-LLLL-LLLL-LLLL-LLLL-LLLLLL", VIS,
	   SEG(0, 4, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n"))
	LV("r1", "RRRRRR-RRRR-RRRR-RRRR-RRRR-RRRR-RRRRRR", VIS,
	   SEG(0, 1, "type = \"raid1\"\ndevice_count = 2\n"
		  "raids = [\"r1_rmeta_0\", \"r1_rimage_0\", \"r1_rmeta_1\", \"r1_rimage_1\"]\n"))
	LV("r1_rmeta_0", "M0M0M0-M0M0-M0M0-M0M0-M0M0-M0M0-M0M0M0", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 4]\n"))
	LV("r1_rimage_0", "I0I0I0-I0I0-I0I0-I0I0-I0I0-I0I0-I0I0I0", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 5]\n"))
	LV("r1_rmeta_1", "M1M1M1-M1M1-M1M1-M1M1-M1M1-M1M1-M1M1M1", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 0]\n"))
	LV("r1_rimage_1", "I1I1I1-I1I1-I1I1-I1I1-I1I1-I1I1-I1I1I1", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 1]\n"))
	LV("pool", "PPPPPP-PPPP-PPPP-PPPP-PPPP-PPPP-PPPPPP", VIS,
	   SEG(0, 2, "type = \"thin-pool\"\nmetadata = \"pool_tmeta\"\npool = \"pool_tdata\"\n"
		  "transaction_id = 1\nchunk_size = 128\n"))
	LV("pool_tmeta", "TMTMTM-TMTM-TMTM-TMTM-TMTM-TMTM-TMTMTM", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 2]\n"))
	LV("pool_tdata", "TDTDTD-TDTD-TDTD-TDTD-TDTD-TDTD-TDTDTD", HID,
	   SEG(0, 2, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 3]\n"))
	LV("thin1", "THTHTH-THTH-THTH-THTH-THTH-THTH-THTHTH", VIS,
	   SEG(0, 10, "type = \"thin\"\nthin_pool = \"pool\"\ntransaction_id = 0\ndevice_id = 1\n"))
	LV("snap", "SSSSSS-SSSS-SSSS-SSSS-SSSS-SSSS-SSSSSS", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 10]\n"))
	LV("snapshot0", "S0S0S0-S0S0-S0S0-S0S0-S0S0-S0S0-S0S0S0", VIS,
	   SEG(0, 4, "type = \"snapshot\"\nchunk_size = 8\norigin = \"lin\"\ncow_store = \"snap\"\n"));

/* an older generation: lin was smaller and called "old", gone is there,
 * r1, pool, thin1 and the snapshot did not exist yet */
static const char lvs_then[] =
	LV("old", "LLLLLL-LLLL-LLLL-LLLL-LLLL-LLLL-LLLLLL", VIS,
	   SEG(0, 2, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n"))
	LV("gone", "GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG", VIS,
	   SEG(0, 3, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 15]\n"));

static struct mlvm_vg *make_vg(int seqno, const char *lvs)
{
	struct mlvm_report r;
	struct mlvm_vg *vg = NULL;
	size_t len = strlen(head) + strlen(lvs) + strlen(tail) + 32;
	char *text = malloc(len);
	int n;

	assert_non_null(text);
	n = snprintf(text, len, head, seqno);
	n += snprintf(text + n, len - (size_t)n, "%s%s", lvs, tail);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_vg_from_text(text, (size_t)n, &vg, &r, NULL, -1), 0);
	mlvm_report_free(&r);
	return vg;
}

struct fix {
	struct mlvm_vg *now, *then;
	struct tm_model *m;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	const struct mlvm_vg *vgs[1];

	f->now = make_vg(10, lvs_now);
	vgs[0] = f->now;
	f->m = tm_model_new(vgs, NULL, 1);
	assert_non_null(f->m);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	tm_model_free(f->m);
	mlvm_vg_free(f->now);
	mlvm_vg_free(f->then);
	free(f);
	return 0;
}

/* the names of the rows shown, space-separated */
static const char *rows(const struct tm_model *m)
{
	static char buf[2048];
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < m->n_rows && o < sizeof(buf) - 64; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
				      tm_node_name(m, m->rows[i]));
	return buf;
}

static const char *sel_name(const struct tm_model *m)
{
	return tm_node_name(m, m->sel);
}

static void tree_lists_vg_pvs_and_visible_lvs(void **state)
{
	struct fix *f = *state;

	assert_string_equal(rows(f->m),
			    "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 snap thin1");
	assert_string_equal(sel_name(f->m), "vg0");
	assert_int_equal(f->m->nodes[f->m->rows[0]].kind, TM_VG);
}

static void hidden_sub_lvs_fold_under_their_lv(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;
	int32_t r1 = tm_find(m, 0, "r1"), pool = tm_find(m, 0, "pool"), snap = tm_find(m, 0, "snap");

	assert_int_equal(m->nodes[r1].n_children, 4);
	assert_true(m->nodes[r1].folded);
	assert_int_equal(m->nodes[tm_find(m, 0, "r1_rimage_0")].parent, r1);
	assert_int_equal(m->nodes[tm_find(m, 0, "r1_rmeta_1")].parent, r1);
	assert_int_equal(m->nodes[tm_find(m, 0, "pool_tmeta")].parent, pool);
	assert_int_equal(m->nodes[tm_find(m, 0, "pool_tdata")].parent, pool);
	/* the snapshot's hidden snapshot0 goes under its cow_store */
	assert_int_equal(m->nodes[tm_find(m, 0, "snapshot0")].parent, snap);
	/* a visible LV another refers to is not folded */
	assert_int_not_equal(m->nodes[tm_find(m, 0, "thin1")].parent, pool);
	assert_int_equal(m->nodes[tm_find(m, 0, "lin")].kind, TM_LV);
}

static void enter_unfolds_and_folds(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;

	assert_true(tm_select(m, tm_find(m, 0, "r1")));
	assert_true(tm_toggle(m));
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 "
			    "r1_rimage_0 r1_rimage_1 r1_rmeta_0 r1_rmeta_1 snap thin1");
	assert_int_equal(m->nodes[tm_find(m, 0, "r1_rimage_0")].depth, 3);
	assert_true(tm_toggle(m));
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 snap thin1");
	/* a leaf has nothing to fold */
	assert_true(tm_select(m, tm_find(m, 0, "lin")));
	assert_false(tm_toggle(m));
	/* Left goes to the parent, then folds it */
	tm_fold_or_parent(m);
	assert_string_equal(sel_name(m), "Logical volumes");
	tm_fold_or_parent(m);
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes");
	tm_unfold(m);
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 snap thin1");
}

static void folding_the_selection_away_selects_its_parent(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;

	assert_true(tm_select(m, tm_find(m, 0, "pool_tdata")));	/* unfolds pool */
	assert_false(m->nodes[tm_find(m, 0, "pool")].folded);
	assert_true(tm_select(m, tm_find(m, 0, "pool")));
	tm_toggle(m);
	assert_string_equal(sel_name(m), "pool");
	assert_int_equal(m->node_row[tm_find(m, 0, "pool_tdata")], -1);
}

static void sorting_by_size_and_by_text(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;

	tm_set_sort(m, TM_SORT_SIZE);
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes thin1 lin pool r1 snap");
	tm_set_sort(m, TM_SORT_TEXT);
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin r1 pool thin1 snap");
	tm_set_sort(m, TM_SORT_NAME);
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 snap thin1");
	assert_string_equal(tm_sort_name(TM_SORT_SIZE), "size");
}

static void filter_shows_matches_and_their_ancestors(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;

	tm_set_filter(m, "RIMAGE");
	assert_string_equal(rows(m), "vg0 Logical volumes r1 r1_rimage_0 r1_rimage_1");
	tm_set_filter(m, "nothing-like-it");
	assert_int_equal(m->n_rows, 0);
	tm_set_filter(m, "");
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 snap thin1");
	assert_int_not_equal(m->sel, -1);
}

static void search_unfolds_and_wraps(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;

	assert_true(tm_search(m, "Image", false));
	assert_string_equal(sel_name(m), "r1_rimage_0");
	assert_false(m->nodes[tm_find(m, 0, "r1")].folded);
	assert_true(tm_search(m, "image", true));
	assert_string_equal(sel_name(m), "r1_rimage_1");
	assert_true(tm_search(m, "image", true));
	assert_string_equal(sel_name(m), "r1_rimage_0");	/* wrapped */
	assert_false(tm_search(m, "zzz", true));
	assert_string_equal(sel_name(m), "r1_rimage_0");
	/* group nodes are not matched */
	assert_false(tm_search(m, "volumes", true));
	assert_string_equal(sel_name(m), "r1_rimage_0");
}

static void moving_clamps_and_scrolls(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;

	tm_home(m);
	tm_move(m, -5);
	assert_string_equal(sel_name(m), "vg0");
	tm_move(m, 2);
	assert_string_equal(sel_name(m), "pv0");
	tm_move(m, 1000);
	assert_string_equal(sel_name(m), "thin1");
	assert_int_equal(tm_sel_row(m), m->n_rows - 1);
	tm_scroll(m, 4);
	assert_int_equal(m->top, m->n_rows - 4);
	tm_home(m);
	tm_scroll(m, 4);
	assert_int_equal(m->top, 0);
	tm_end(m);
	tm_move(m, -1);
	assert_string_equal(sel_name(m), "snap");
}

static void older_generation_marks_changes(void **state)
{
	struct fix *f = *state;
	const struct mlvm_vg *vgs[1], *bases[1];
	struct tm_model *m;
	const struct tm_vgview *w;
	struct tm_text t = { 0 };
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	size_t i;
	bool seen = false;

	f->then = make_vg(4, lvs_then);
	vgs[0] = f->then;
	bases[0] = f->now;
	m = tm_model_new(vgs, bases, 1);
	assert_non_null(m);
	w = &m->vgs[0];
	assert_int_equal(w->n_removed, 1);
	assert_int_equal(w->n_renamed, 1);
	assert_int_equal(w->n_resized, 1);
	assert_int_equal(w->n_added, 11);	/* every LV of now but lin */
	assert_int_equal(m->nodes[tm_find(m, 0, "gone")].marks, TM_MARK_REMOVED);
	assert_int_equal(m->nodes[tm_find(m, 0, "old")].marks, TM_MARK_RENAMED | TM_MARK_RESIZED);
	assert_true(m->nodes[tm_find(m, 0, "r1")].ghost);
	assert_int_equal(m->nodes[tm_find(m, 0, "r1")].marks, TM_MARK_ADDED);
	/* a removed LV can be selected and names its LV of the old VG (to export) */
	assert_true(tm_select(m, tm_find(m, 0, "gone")));
	assert_true(tm_node_lv(m, m->sel, &vg, &lv));
	assert_ptr_equal(vg, f->then);
	assert_string_equal(lv->name, "gone");
	assert_int_equal(tm_node_bytes(m, m->sel), 3ull * 8192 * 512);
	tm_details(m, m->sel, NULL, &t);
	for (i = 0; i < t.n; i++)
		if (strstr(t.lines[i], "REMOVED since seqno 4"))
			seen = true;
	assert_true(seen);
	tm_text_free(&t);
	/* a ghost names the current VG's LV */
	assert_true(tm_node_lv(m, tm_find(m, 0, "thin1"), &vg, &lv));
	assert_ptr_equal(vg, f->now);
	tm_model_free(m);
}

static void map_cells_one_per_extent_with_selection(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;
	struct tm_cell c[64];
	uint64_t per = 0;
	int32_t lin = f->now->lvs[0].name && !strcmp(f->now->lvs[0].name, "lin") ? 0 : -1;
	size_t n;

	assert_int_equal(lin, 0);
	n = tm_map_cells(m, 0, 0, c, 64, &per);
	assert_int_equal(n, 20);
	assert_int_equal(per, 1);
	assert_int_equal(c[0].lv, lin);
	assert_int_equal(c[3].lv, lin);
	assert_int_equal(c[6].lv, -1);
	assert_int_equal(c[6].used, 0);
	assert_false(c[0].sel);
	/* r1_rimage_0 sits on pv0 PE 5; its colour is r1's */
	assert_string_equal(f->now->lvs[c[5].lv].name, "r1_rimage_0");
	assert_string_equal(f->now->lvs[c[5].root].name, "r1");
	/* selecting r1 highlights its sub-LVs on every PV */
	assert_true(tm_select(m, tm_find(m, 0, "r1")));
	n = tm_map_cells(m, 0, 0, c, 64, NULL);
	assert_true(c[4].sel);
	assert_true(c[5].sel);
	assert_false(c[0].sel);
	n = tm_map_cells(m, 0, 1, c, 64, NULL);
	assert_true(c[0].sel && c[1].sel);
	assert_false(c[2].sel);
	/* fewer cells than extents: 4 extents a cell */
	assert_true(tm_select(m, tm_find(m, 0, "lin")));
	n = tm_map_cells(m, 0, 0, c, 5, &per);
	assert_int_equal(n, 5);
	assert_int_equal(per, 4);
	assert_true(c[0].sel);
	assert_int_equal(c[0].used, 4);
	assert_int_equal(c[1].used, 2);
	assert_int_equal(c[1].total, 4);
	assert_false(c[1].sel);
	assert_int_equal(c[4].lv, -1);
	assert_int_equal(tm_map_cells(m, 0, 7, c, 5, NULL), 0);
}

static bool has_line(const struct tm_text *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strstr(t->lines[i], s))
			return true;
	return false;
}

static void details_give_exact_sizes_and_areas(void **state)
{
	struct fix *f = *state;
	struct tm_model *m = f->m;
	struct tm_text t = { 0 };

	tm_details(m, tm_find(m, 0, "lin"), "Linux rev 1.0 ext4 filesystem data", &t);
	assert_true(has_line(&t, "size\t16.00 MiB (16777216 bytes, 32768 sectors, 4 extents)"));
	assert_true(has_line(&t, "content\tLinux rev 1.0 ext4"));
	assert_true(has_line(&t, "area 0\tpv0 PE 0-3 (PV missing)"));
	assert_true(has_line(&t, "type\tstriped (linear)"));
	assert_true(has_line(&t, "id\tLLLLLL-LLLL"));
	tm_text_free(&t);
	tm_details(m, tm_find(m, 0, "r1"), NULL, &t);
	assert_true(has_line(&t, "uses\tr1_rimage_0"));
	assert_true(has_line(&t, "raids\t[r1_rmeta_0, r1_rimage_0, r1_rmeta_1, r1_rimage_1]"));
	tm_text_free(&t);
	tm_details(m, tm_find(m, 0, "r1_rimage_0"), NULL, &t);
	assert_true(has_line(&t, "part of\tr1"));
	assert_true(has_line(&t, "visible\tno"));
	tm_text_free(&t);
	tm_details(m, m->vgs[0].pv_node[0], NULL, &t);
	assert_true(has_line(&t, "extents\t80.00 MiB (83886080 bytes, 163840 sectors, 20 extents)"));
	assert_true(has_line(&t, "used\t24.00 MiB"));
	tm_text_free(&t);
	tm_details(m, m->vgs[0].node, NULL, &t);
	assert_true(has_line(&t, "LVs\t12 (7 hidden)"));
	tm_text_free(&t);
}

/* the VG's details list its historical LVs (record_lvs_history) with their
 * times and lineage, named "-NAME" as lvs -H names them */
static void details_list_historical_lvs(void **state)
{
	static const char lvs[] =
		LV("thin1", "THTHTH-THTH-THTH-THTH-THTH-THTH-THTHTH", VIS,
		   SEG(0, 10, "type = \"thin\"\nthin_pool = \"pool\"\ntransaction_id = 0\ndevice_id = 1\n"))
		LV("snap2", "S2S2S2-S2S2-S2S2-S2S2-S2S2-S2S2-S2S2S2", VIS,
		   SEG(0, 10, "type = \"thin\"\nthin_pool = \"pool\"\ntransaction_id = 2\ndevice_id = 3\n"))
		"}\n"
		"historical_logical_volumes {\n"
		"snap1 {\nid = \"H1H1H1-H1H1-H1H1-H1H1-H1H1-H1H1-H1H1H1\"\n"
		"creation_time = 1700000200\nremoval_time = 1700000500\n"
		"origin = \"thin1\"\ndescendants = [\"snap2\"]\n}\n";
	struct mlvm_vg *vg = make_vg(12, lvs);
	const struct mlvm_vg *vgs[1] = { vg };
	struct tm_model *m = tm_model_new(vgs, NULL, 1);
	struct tm_text t = { 0 };

	(void)state;
	assert_non_null(m);
	tm_details(m, m->vgs[0].node, NULL, &t);
	assert_true(has_line(&t, "Historical LVs"));
	assert_true(has_line(&t, "-snap1\tremoved 2023-11-14 22:21:40 UTC, id H1H1H1"));
	assert_true(has_line(&t, "  created\t2023-11-14 22:16:40 UTC"));
	assert_true(has_line(&t, "  origin\tthin1"));
	assert_true(has_line(&t, "  ancestors\tthin1"));
	assert_true(has_line(&t, "  descendants\tsnap2"));
	tm_text_free(&t);
	tm_model_free(m);
	mlvm_vg_free(vg);
}

static void generations_one_row_per_seqno_newest_first(void **state)
{
	struct mlvm_generation g[4];
	struct mlvm_pvdev dev[2];
	struct mlvm_set set;
	struct tm_gen *out;
	size_t n;
	int i;

	(void)state;
	memset(g, 0, sizeof(g));
	memset(dev, 0, sizeof(dev));
	memset(&set, 0, sizeof(set));
	for (i = 0; i < 4; i++) {
		strcpy(g[i].vg_id, "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA");
		g[i].seqno_known = true;
		g[i].complete = g[i].parse_ok = true;
		g[i].checksum_ok = -1;
	}
	g[0].seqno = 1;
	g[1].seqno = 2;
	g[1].complete = false;		/* a damaged copy of 2 on dev 0 ... */
	g[2].seqno = 2;			/* ... and a good one on dev 1 */
	strcpy(g[2].description, "lvcreate");
	g[3].seqno = 0;
	g[3].seqno_known = false;
	g[3].fragment = true;
	g[3].vg_id[0] = 0;	/* its VG is not known */
	g[3].complete = false;
	/* the list is in image order: the devices need images */
	dev[0].src = mlvm_source_memory("a.img", g, sizeof(g), 0);
	dev[1].src = mlvm_source_memory("b.img", g, sizeof(g), 0);
	assert_non_null(dev[0].src);
	assert_non_null(dev[1].src);
	dev[0].n_mda = 1;
	dev[0].mda[0].gens = g;
	dev[0].mda[0].n_gens = 2;
	dev[1].n_mda = 1;
	dev[1].mda[0].gens = g + 2;
	dev[1].mda[0].n_gens = 2;
	set.devs = dev;
	set.n_devs = 2;
	assert_int_equal(tm_generations(&set, "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA", 2, &out, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].seqno, 2);
	assert_true(out[0].current);
	assert_int_equal(out[0].copies, 2);
	assert_string_equal(out[0].state, "ok");
	assert_true(out[0].usable);
	assert_string_equal(out[0].description, "lvcreate");
	assert_int_equal(out[1].seqno, 1);
	assert_false(out[1].current);
	assert_false(out[2].seqno_known);
	assert_string_equal(out[2].state, "fragment");
	assert_false(out[2].usable);
	free(out);
	/* another VG's generations are left out */
	assert_int_equal(tm_generations(&set, "ZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZ", 2, &out, &n), 0);
	assert_int_equal(n, 1);	/* only the fragment, whose VG is unknown */
	free(out);
	mlvm_source_close(dev[0].src);
	mlvm_source_close(dev[1].src);
}

static void rate_and_time_left(void **state)
{
	char rate[32], eta[32];

	(void)state;
	tm_rate_eta(10 << 20, 40 << 20, 2.0, rate, sizeof(rate), eta, sizeof(eta));
	assert_string_equal(rate, "5.00 MiB/s");
	assert_string_equal(eta, "0:06");
	tm_rate_eta(0, 40 << 20, 0, rate, sizeof(rate), eta, sizeof(eta));
	assert_string_equal(rate, "-");
	assert_string_equal(eta, "--:--");
	tm_rate_eta(1, 1ull << 40, 1.0, rate, sizeof(rate), eta, sizeof(eta));
	assert_string_equal(eta, "99:59:59");
}

static void empty_model_is_harmless(void **state)
{
	struct tm_model *m = tm_model_new(NULL, NULL, 0);
	struct tm_text t = { 0 };

	(void)state;
	assert_non_null(m);
	assert_int_equal(m->n_rows, 0);
	assert_int_equal(m->sel, -1);
	tm_move(m, 1);
	tm_home(m);
	tm_end(m);
	assert_false(tm_toggle(m));
	tm_fold_or_parent(m);
	assert_false(tm_search(m, "x", true));
	tm_set_filter(m, "x");
	tm_details(m, m->sel, NULL, &t);
	assert_int_equal(t.n, 0);
	tm_model_free(m);
}


/* ------------------------------------------------------------ issue 15: the browser's views */

/* LVs sharing first letters (as in a raid VG: every name starts with r; swap and scratch) */
static const char lvs_clash[] =
	LV("r4", "R4R4R4-R4R4-R4R4-R4R4-R4R4-R4R4-R4R4R4", VIS,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n"))
	LV("r5_la", "R5R5R5-R5R5-R5R5-R5R5-R5R5-R5R5-R5R5R5", VIS,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 1]\n"))
	LV("r6", "R6R6R6-R6R6-R6R6-R6R6-R6R6-R6R6-R6R6R6", VIS,
	   SEG(0, 1, "type = \"raid1\"\ndevice_count = 1\nraids = [\"r6_rmeta_0\", \"r6_rimage_0\"]\n"))
	LV("r6_rmeta_0", "M6M6M6-M6M6-M6M6-M6M6-M6M6-M6M6-M6M6M6", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 0]\n"))
	LV("r6_rimage_0", "I6I6I6-I6I6-I6I6-I6I6-I6I6-I6I6-I6I6I6", HID,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 1]\n"))
	LV("swap", "SWSWSW-SWSW-SWSW-SWSW-SWSW-SWSW-SWSWSW", VIS,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 2]\n"))
	LV("scratch", "SCSCSC-SCSC-SCSC-SCSC-SCSC-SCSC-SCSCSC", VIS,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 3]\n"))
	LV("s", "SSSSSS-SSSS-SSSS-SSSS-SSSS-SSSS-SSSSSS", VIS,
	   SEG(0, 1, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 4]\n"))
	LV("nothing", "NNNNNN-NNNN-NNNN-NNNN-NNNN-NNNN-NNNNNN", VIS,
	   SEG(0, 4, "type = \"zero\"\n"));

static void map_marks_are_distinct_with_a_legend(void **state)
{
	struct mlvm_vg *vg = make_vg(3, lvs_clash);
	const struct mlvm_vg *vgs[1] = { vg };
	struct tm_model *m = tm_model_new(vgs, NULL, 1);
	const struct tm_vgview *w;
	struct tm_cell c[32];
	bool seen[128] = { false };
	uint32_t i;
	size_t n;

	(void)state;
	assert_non_null(m);
	w = &m->vgs[0];
	/* first letters where free, else another of the name's, else upper case */
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "r4")), 'r');
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "r5_la")), '5');
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "r6")), '6');
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "swap")), 's');
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "scratch")), 'c');
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "s")), 'S');
	/* sub-LVs share their LV's mark and colour; an LV without extents has none */
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "r6_rimage_0")), '6');
	assert_int_equal(tm_lv_colour(m, 0, mlvm_vg_lv_index(vg, "r6_rmeta_0")),
			 tm_lv_colour(m, 0, mlvm_vg_lv_index(vg, "r6")));
	assert_int_equal(tm_lv_mark(m, 0, mlvm_vg_lv_index(vg, "nothing")), 0);
	/* the legend: the six top LVs with extents, in metadata order, each mark once */
	assert_int_equal(w->n_legend, 6);
	for (i = 0; i < w->n_legend; i++) {
		char mk = w->lv_mark[w->legend[i]];

		assert_false(seen[(unsigned char)mk]);
		seen[(unsigned char)mk] = true;
		assert_true(strchr(".#!?", mk) == NULL);
		/* colours go round: neighbours in the legend differ */
		if (i)
			assert_int_not_equal(w->lv_colour[w->legend[i]], w->lv_colour[w->legend[i - 1]]);
	}
	assert_string_equal(vg->lvs[w->legend[0]].name, "r4");
	assert_string_equal(vg->lvs[w->legend[5]].name, "s");
	/* the cells carry the LV; its mark is its root's */
	n = tm_map_cells(m, 0, 1, c, 32, NULL);
	assert_true(n >= 2);
	assert_int_equal(tm_lv_mark(m, 0, c[1].lv), '6');
	tm_model_free(m);
	mlvm_vg_free(vg);
}

static void map_marks_run_out_past_62(void **state)
{
	char *lvs = malloc(80 * 400), *vgtext;
	size_t o = 0;
	struct mlvm_vg *vg;
	const struct mlvm_vg *vgs[1];
	struct tm_model *m;
	int i, more = 0;
	bool seen[128] = { false };

	(void)state;
	assert_non_null(lvs);
	/* 70 one-extent LVs a0..a69 (sharing pv0's and pv1's 40 extents: marks do not care) */
	for (i = 0; i < 70; i++)
		o += (size_t)snprintf(lvs + o, 80 * 400 - o,
			"a%d {\nid = \"A%05d-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\nstatus = [" VIS "]\nflags = []\n"
			"segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
			"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv%d\", %d]\n}\n}\n",
			i, i, (i / 20) % 2, i % 20);
	vgtext = lvs;
	vg = make_vg(2, vgtext);
	vgs[0] = vg;
	m = tm_model_new(vgs, NULL, 1);
	assert_non_null(m);
	assert_int_equal(m->vgs[0].n_legend, 70);
	for (i = 0; i < 70; i++) {
		char mk = tm_lv_mark(m, 0, i);

		assert_true(mk != 0);
		if (mk == TM_MARK_MORE) {
			more++;
			continue;
		}
		assert_false(seen[(unsigned char)mk]);
		seen[(unsigned char)mk] = true;
	}
	/* 62 letters and digits, then the rest share TM_MARK_MORE (the cursor names them) */
	assert_int_equal(more, 8);
	assert_int_equal(tm_lv_mark(m, 0, 0), 'a');
	assert_int_equal(tm_lv_mark(m, 0, 69), TM_MARK_MORE);
	tm_model_free(m);
	mlvm_vg_free(vg);
	free(lvs);
}

static void wrap_breaks_at_spaces_and_cuts_long_words(void **state)
{
	struct tm_span sp[16];
	size_t n;
	const char *uuid = "oCZXEi-qgfA-ePFb-0uUC-2XSp-JHpH-oiMmQh";
	const char *s = "metadata area 1 committed text crc mismatch";

	(void)state;
	n = tm_wrap(s, 20, sp, 16);
	assert_int_equal(n, 3);
	assert_int_equal(sp[0].off, 0);
	assert_int_equal(sp[0].len, 15);	/* "metadata area 1" */
	assert_false(sp[0].cut);
	assert_memory_equal(s + sp[1].off, "committed text crc", 18);
	assert_int_equal(sp[1].len, 18);
	assert_memory_equal(s + sp[2].off, "mismatch", 8);
	/* a uuid wider than the line is cut, and says so */
	n = tm_wrap(uuid, 30, sp, 16);
	assert_int_equal(n, 2);
	assert_true(sp[0].cut);
	assert_int_equal(sp[0].len + sp[1].len, strlen(uuid));
	/* it fits a line of 38: one line, not cut */
	n = tm_wrap(uuid, 38, sp, 16);
	assert_int_equal(n, 1);
	assert_false(sp[0].cut);
	/* empty: one empty line; counting without storing */
	assert_int_equal(tm_wrap("", 10, sp, 16), 1);
	assert_int_equal(sp[0].len, 0);
	assert_int_equal(tm_wrap(s, 20, NULL, 0), 3);
	/* width 0 never loops */
	assert_int_equal(tm_wrap("abc", 0, sp, 16), 3);
	/* every byte but the break spaces is kept, in order */
	{
		const char *t = "a  bb ccc dddd eeeee";
		size_t k, total = 0;

		n = tm_wrap(t, 6, sp, 16);
		for (k = 0; k < n; k++) {
			total += sp[k].len;
			assert_true(sp[k].len <= 6);
		}
		assert_int_equal(n, 4);	/* "a  bb" "ccc" "dddd" "eeeee" */
		assert_int_equal(total, 17);
	}
}

static void older_generation_lists_later_lvs_apart(void **state)
{
	struct fix *f = *state;
	const struct mlvm_vg *vgs[1], *bases[1];
	struct tm_model *m;
	char label[200];
	int32_t gl;
	size_t r, first_ghost = 0, last_real = 0;

	f->then = make_vg(4, lvs_then);
	vgs[0] = f->then;
	bases[0] = f->now;
	m = tm_model_new(vgs, bases, 1);
	assert_non_null(m);
	assert_int_equal(m->vgs[0].n_later, 11);
	/* the group counts the LVs of generation 4 apart from those created later */
	gl = m->nodes[m->vgs[0].node].first_child;
	while (gl >= 0 && m->nodes[gl].kind != TM_GROUP_LVS)
		gl = m->nodes[gl].next_sibling;
	assert_true(gl >= 0);
	tm_node_label(m, gl, label, sizeof(label));
	assert_string_equal(label, "Logical volumes (2) +11 later");
	/* tags say what they are, not "+added" */
	assert_string_equal(tm_node_tag(m, tm_find(m, 0, "r1")), " +created later");
	assert_string_equal(tm_node_tag(m, tm_find(m, 0, "gone")), " -removed later");
	assert_string_equal(tm_node_tag(m, tm_find(m, 0, "old")), " ~renamed+resized later");
	/* listed last, whatever the sort order */
	for (int s = 0; s < TM_SORT_COUNT; s++) {
		tm_set_sort(m, (enum tm_sort)s);
		first_ghost = m->n_rows;
		last_real = 0;
		for (r = 0; r < m->n_rows; r++) {
			const struct tm_node *nd = &m->nodes[m->rows[r]];

			if (nd->kind != TM_LV || nd->parent != gl)
				continue;
			if (nd->ghost && r < first_ghost)
				first_ghost = r;
			if (!nd->ghost)
				last_real = r;
		}
		assert_true(last_real < first_ghost);
	}
	tm_model_free(m);
	/* the current generation: no tags, a plain count */
	assert_string_equal(tm_node_tag(f->m, tm_find(f->m, 0, "lin")), "");
	gl = f->m->nodes[f->m->vgs[0].node].first_child;
	while (gl >= 0 && f->m->nodes[gl].kind != TM_GROUP_LVS)
		gl = f->m->nodes[gl].next_sibling;
	tm_node_label(f->m, gl, label, sizeof(label));
	assert_string_equal(label, "Logical volumes (5)");
}

static void a_fallback_vg_is_not_called_current(void **state)
{
	struct fix *f = *state;
	struct mlvm_generation g;
	struct tm_text t = { 0 };
	size_t i;
	bool seen = false;

	assert_string_equal(tm_vg_standing(f->now, false), "current");
	assert_string_equal(tm_vg_standing(f->now, true), "older");
	/* read from a ring, not the committed slot: what generation_fallback means */
	memset(&g, 0, sizeof(g));
	f->now->source.gen = &g;
	assert_string_equal(tm_vg_standing(f->now, false), "fallback");
	tm_details(f->m, f->m->vgs[0].node, NULL, &t);
	for (i = 0; i < t.n; i++) {
		assert_null(strstr(t.lines[i], "(current)"));
		if (strstr(t.lines[i], "seqno\t10 (a fallback"))
			seen = true;
	}
	assert_true(seen);
	tm_text_free(&t);
	f->now->gone = true;
	assert_string_equal(tm_vg_standing(f->now, false), "gone");
	f->now->source.gen = NULL;
	f->now->gone = false;
}

static void content_short_keeps_the_first_clause(void **state)
{
	char out[64];

	(void)state;
	tm_content_short("Linux rev 1.0 ext4 filesystem data, UUID=abc, volume name \"x\"", out, sizeof(out));
	assert_string_equal(out, "Linux rev 1.0 ext4 filesystem data");
	tm_content_short("  data", out, sizeof(out));
	assert_string_equal(out, "data");
	tm_content_short("LUKS encrypted file,  ver 2", out, sizeof(out));
	assert_string_equal(out, "LUKS encrypted file");
	tm_content_short("a\tb\n  c", out, sizeof(out));
	assert_string_equal(out, "a b c");
	tm_content_short("abcdefghij", out, 5);
	assert_string_equal(out, "abcd");
	tm_content_short(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* ------------------------------------------------------------ guest VGs */

static const char *top_srcdir(void)
{
	const char *top = getenv("top_srcdir");

	return top ? top : ".";
}

/* LVM2's answer (lvs.json of tests/unit/data/nested): each report's VG and its LVs */
struct oracle {
	char vg[2][64];
	char lv[2][4][64];
	int n_lv[2];
};

static void oracle_read(struct oracle *o)
{
	char path[4096], line[512];
	FILE *f;
	int r = -1;

	memset(o, 0, sizeof(*o));
	snprintf(path, sizeof(path), "%s/tests/unit/data/nested/lvs.json", top_srcdir());
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strstr(line, "\"lv\": ["))
			r++;
		if (r < 0 || r > 1)
			continue;
		if ((v = strstr(line, "\"vg_name\": \"")))
			sscanf(v + 12, "%63[^\"]", o->vg[r]);
		if ((v = strstr(line, "\"lv_name\": \"")) && o->n_lv[r] < 4)
			sscanf(v + 12, "%63[^\"]", o->lv[r][o->n_lv[r]++]);
	}
	fclose(f);
	assert_int_equal(r, 1);
}

/* the set of host.img (decompressed to path), nested discovery on */
static struct mlvm_set *nested_set(char *path, size_t len)
{
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_set *set;
	char cmd[8192];
	int fd;

	snprintf(path, len, "/tmp/test_tuimodel-host-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "xz -dc '%s/tests/unit/data/nested/host.img.xz' > '%s'",
		 top_srcdir(), path);
	assert_int_equal(system(cmd), 0);
	set = mlvm_set_new(&oo);
	assert_non_null(set);
	assert_int_equal(mlvm_set_add_path(set, path), 0);
	assert_true(mlvm_set_assemble_nested(set) >= 0);
	return set;
}

/* the row labels shown, "|"-separated */
static const char *labels(const struct tm_model *m)
{
	static char buf[4096];
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < m->n_rows && o < sizeof(buf) - 300; i++) {
		char l[256];

		tm_node_label(m, m->rows[i], l, sizeof(l));
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "|" : "", l);
	}
	return buf;
}

static void guest_vgs_nest_under_their_host_lv(void **state)
{
	struct oracle o;
	struct mlvm_set *set;
	struct tm_model *m, *rev;
	const struct mlvm_vg *vgs[2], *gvg;
	const struct mlvm_lv *glv;
	char path[64], want[2048], shown[4096];
	int32_t host_lv, guest_vg, guest_lv, lvs;
	uint32_t h = 2, g = 2, i;

	(void)state;
	oracle_read(&o);
	set = nested_set(path, sizeof(path));
	assert_int_equal(set->n_vgs, 2);
	for (i = 0; i < 2; i++) {
		if (!strcmp(set->vgs[i]->name, o.vg[0]))
			h = i;
		if (!strcmp(set->vgs[i]->name, o.vg[1]))
			g = i;
	}
	assert_true(h < 2 && g < 2 && h != g);
	vgs[0] = set->vgs[0];
	vgs[1] = set->vgs[1];
	m = tm_model_new(vgs, NULL, 2);
	assert_non_null(m);
	/* host VG > Logical volumes > guestdisk > VG guest > Logical volumes > data */
	host_lv = tm_find(m, h, "guestdisk");
	assert_true(host_lv >= 0);
	guest_vg = m->vgs[g].node;
	assert_int_equal(m->nodes[guest_vg].parent, host_lv);
	assert_int_equal(m->vgs[g].host, host_lv);
	assert_null(m->vgs[g].guest_in);
	assert_int_equal(m->nodes[m->nodes[host_lv].parent].kind, TM_GROUP_LVS);
	assert_int_equal(m->nodes[m->nodes[m->nodes[host_lv].parent].parent].kind, TM_VG);
	assert_string_equal(tm_node_name(m, m->nodes[m->nodes[host_lv].parent].parent), o.vg[0]);
	assert_string_equal(tm_node_name(m, guest_vg), o.vg[1]);
	assert_int_equal(m->nodes[guest_vg].depth, 3);
	/* every LV LVM2 lists, in its VG's tree */
	for (i = 0; i < (uint32_t)o.n_lv[0]; i++)
		assert_true(tm_find(m, h, o.lv[0][i]) >= 0);
	assert_int_equal(o.n_lv[1], 1);
	guest_lv = tm_find(m, g, o.lv[1][0]);
	assert_true(guest_lv >= 0);
	lvs = m->nodes[guest_lv].parent;
	assert_int_equal(m->nodes[lvs].kind, TM_GROUP_LVS);
	assert_int_equal(m->nodes[lvs].parent, guest_vg);
	assert_int_equal(m->nodes[guest_lv].depth, 5);
	/* the host LV starts folded: one VG at the top, nothing of the guest shown */
	assert_true(m->nodes[host_lv].folded);
	assert_true(tm_has_children(m, host_lv));
	assert_int_equal(m->node_row[guest_vg], -1);
	assert_int_equal(m->nodes[m->rows[0]].kind, TM_VG);
	for (i = 1; i < m->n_rows; i++)
		assert_int_not_equal(m->nodes[m->rows[i]].depth, 0);
	/* unfolding it shows the guest VG, its PVs and LVs right under it */
	assert_true(tm_select(m, host_lv));
	tm_unfold(m);
	snprintf(want, sizeof(want),
		 "VG %s|Physical volumes (1)|pv0 %s|Logical volumes (%d)|%s|%s|VG %s|Physical volumes (1)|pv0 %s/guestdisk|Logical volumes (1)|%s",
		 o.vg[0], path, o.n_lv[0], o.lv[0][0], o.lv[0][1], o.vg[1], o.vg[0], o.lv[1][0]);
	assert_string_equal(labels(m), want);
	/* the guest LV is an LV like any other: selected, its VG and bytes */
	assert_true(tm_select(m, guest_lv));
	assert_true(tm_node_lv(m, guest_lv, &gvg, &glv));
	assert_ptr_equal(gvg, set->vgs[g]);
	assert_string_equal(glv->name, o.lv[1][0]);
	assert_int_equal(tm_node_vg(m, guest_lv), g);
	assert_int_equal(tm_sel_lv(m, g), m->nodes[guest_lv].idx);
	assert_int_equal(tm_node_bytes(m, guest_lv), 256 * 1024);
	/* folding the host LV away selects it; search finds the guest LV again */
	assert_true(tm_select(m, host_lv));
	tm_fold_or_parent(m);
	assert_int_equal(m->node_row[guest_lv], -1);
	assert_true(tm_search(m, o.lv[1][0], false));
	assert_int_equal(m->sel, guest_lv);
	/* a filter on the guest LV keeps its ancestors: host VG, host LV, guest VG */
	tm_set_filter(m, o.lv[1][0]);
	snprintf(want, sizeof(want), "%s Logical volumes guestdisk %s Logical volumes %s",
		 o.vg[0], o.vg[1], o.lv[1][0]);
	assert_string_equal(rows(m), want);
	tm_set_filter(m, "");
	/* the order of the VGs given does not change the tree */
	assert_true(tm_select(m, guest_lv));
	snprintf(shown, sizeof(shown), "%s", labels(m));
	vgs[0] = set->vgs[1];
	vgs[1] = set->vgs[0];
	rev = tm_model_new(vgs, NULL, 2);
	assert_non_null(rev);
	assert_true(tm_select(rev, tm_find(rev, 1 - g, o.lv[1][0])));
	assert_string_equal(labels(rev), shown);
	tm_model_free(rev);
	tm_model_free(m);
	mlvm_set_free(set);
	unlink(path);
}

static const char guest_text[] =
	"gst {\n"
	"id = \"GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG\"\n"
	"seqno = 1\nformat = \"lvm2\"\nstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\n"
	"extent_size = 8192\nmax_lv = 0\nmax_pv = 0\n"
	"physical_volumes {\n"
	"pv0 {\nid = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD\"\nstatus = [\"ALLOCATABLE\"]\n"
	"dev_size = 65536\npe_start = 2048\npe_count = 4\n}\n"
	"pv1 {\nid = \"EEEEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEEEE\"\nstatus = [\"ALLOCATABLE\"]\n"
	"dev_size = 65536\npe_start = 2048\npe_count = 4\n}\n"
	"}\n"
	"logical_volumes {\n"
	LV("gdata", "GDGDGD-GDGD-GDGD-GDGD-GDGD-GDGD-GDGDGD", VIS,
	   SEG(0, 2, "type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n"))
	"}\n}\n"
	"contents = \"Text Format Volume Group\"\nversion = 1\n"
	"description = \"test\"\ncreation_host = \"host\"\ncreation_time = 1700000000\n";

/* guest_text, with each of the first n of from[] replaced by to[] */
static char *text_with(const char *const *from, const char *const *to, size_t n)
{
	char *text = strdup(guest_text), *at;
	size_t i;

	assert_non_null(text);
	for (i = 0; i < n; i++) {
		at = strstr(text, from[i]);
		assert_non_null(at);
		assert_int_equal(strlen(from[i]), strlen(to[i]));
		memcpy(at, to[i], strlen(to[i]));
	}
	return text;
}

static struct mlvm_vg *make_guest_as(const char *const *from, const char *const *to, size_t n)
{
	struct mlvm_report r;
	struct mlvm_vg *vg = NULL;
	char *text = text_with(from, to, n);

	mlvm_report_init(&r);
	assert_int_equal(mlvm_vg_from_text(text, strlen(text), &vg, &r, NULL, -1), 0);
	mlvm_report_free(&r);
	return vg;	/* owns text */
}

static struct mlvm_vg *make_guest(void)
{
	return make_guest_as(NULL, NULL, 0);
}

static void guest_vg_over_two_host_lvs_stays_at_the_top(void **state)
{
	struct fix *f = *state;
	static const struct mlvm_source_inside in_lin = {
		"vg0", "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA", "lin", "LLLLLL-LLLL-LLLL-LLLL-LLLL-LLLL-LLLLLL", 1 };
	static const struct mlvm_source_inside in_thin = {
		"vg0", "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA", "thin1", "THTHTH-THTH-THTH-THTH-THTH-THTH-THTHTH", 1 };
	struct mlvm_source s_lin = { .name = (char *)"vg0/lin", .inside = &in_lin };
	struct mlvm_source s_thin = { .name = (char *)"vg0/thin1", .inside = &in_thin };
	struct mlvm_vg *two = make_guest(), *one = make_guest();
	const struct mlvm_vg *vgs[3];
	struct tm_model *m, *rev;
	char l[256];
	int32_t lin, thin1;

	/* two: pv1 in vg0/thin1, pv0 in vg0/lin; one: both PVs in vg0/lin */
	two->pvs[0].src = &s_thin;
	two->pvs[1].src = &s_lin;
	one->pvs[0].src = &s_lin;
	one->pvs[1].src = &s_lin;
	two->pvs[0].missing = two->pvs[1].missing = false;
	one->pvs[0].missing = one->pvs[1].missing = false;
	vgs[0] = two;
	vgs[1] = f->now;
	vgs[2] = one;
	m = tm_model_new(vgs, NULL, 3);
	assert_non_null(m);
	lin = tm_find(m, 1, "lin");
	thin1 = tm_find(m, 1, "thin1");
	assert_true(lin >= 0 && thin1 >= 0);
	/* two LVs: at the top, named; neither LV holds it */
	assert_int_equal(m->nodes[m->vgs[0].node].parent, -1);
	assert_int_equal(m->vgs[0].host, -1);
	tm_node_label(m, m->vgs[0].node, l, sizeof(l));
	assert_string_equal(l, "VG gst (guest in vg0/lin, vg0/thin1)");
	assert_int_equal(m->nodes[thin1].n_children, 0);
	/* one LV: under it, the LV folded */
	assert_int_equal(m->nodes[m->vgs[2].node].parent, lin);
	assert_int_equal(m->nodes[lin].n_children, 1);
	assert_true(m->nodes[lin].folded);
	tm_node_label(m, m->vgs[2].node, l, sizeof(l));
	assert_string_equal(l, "VG gst");
	/* the top: vg0 and the guest of two LVs, each VG node once in the order */
	assert_int_equal(m->nodes[m->order[0]].kind, TM_VG);
	{
		size_t i, vg_nodes = 0;

		for (i = 0; i < m->n_nodes; i++)
			vg_nodes += m->nodes[m->order[i]].kind == TM_VG;
		assert_int_equal(vg_nodes, 3);
	}
	/* a guest VG whose host LV is not in the model stays at the top too */
	vgs[0] = one;
	rev = tm_model_new(vgs, NULL, 1);
	assert_non_null(rev);
	tm_node_label(rev, rev->vgs[0].node, l, sizeof(l));
	assert_string_equal(l, "VG gst (guest in vg0/lin)");
	tm_model_free(rev);
	/* one PV in an LV, the other on an image: at the top, both named */
	{
		struct mlvm_source s_img = { .name = (char *)"disk2.img" };

		one->pvs[1].src = &s_img;
		vgs[0] = one;
		vgs[1] = f->now;
		rev = tm_model_new(vgs, NULL, 2);
		assert_non_null(rev);
		assert_int_equal(rev->vgs[0].host, -1);
		tm_node_label(rev, rev->vgs[0].node, l, sizeof(l));
		assert_string_equal(l, "VG gst (guest in vg0/lin; image disk2.img)");
		tm_model_free(rev);
		one->pvs[1].src = &s_lin;
	}
	tm_model_free(m);
	mlvm_vg_free(two);
	mlvm_vg_free(one);
}

static void guests_of_guests_nest_recursively(void **state)
{
	struct fix *f = *state;
	static const char *const from[] = { "gst {", "GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG", "gdata {" };
	static const char *const to[] = { "gs2 {", "HHHHHH-HHHH-HHHH-HHHH-HHHH-HHHH-HHHHHH", "inner {" };
	static const struct mlvm_source_inside in_lin = {
		"vg0", "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA", "lin", "LLLLLL-LLLL-LLLL-LLLL-LLLL-LLLL-LLLLLL", 1 };
	static const struct mlvm_source_inside in_gdata = {
		"gst", "GGGGGG-GGGG-GGGG-GGGG-GGGG-GGGG-GGGGGG", "gdata", "GDGDGD-GDGD-GDGD-GDGD-GDGD-GDGD-GDGDGD", 2 };
	struct mlvm_source s_lin = { .name = (char *)"vg0/lin", .inside = &in_lin };
	struct mlvm_source s_gdata = { .name = (char *)"gst/gdata", .inside = &in_gdata };
	struct mlvm_vg *mid = make_guest(), *deep = make_guest_as(from, to, 3);
	const struct mlvm_vg *vgs[3];
	struct tm_model *m;
	int32_t lin, gdata, inner;
	uint32_t p;

	for (p = 0; p < 2; p++) {
		mid->pvs[p].src = &s_lin;
		deep->pvs[p].src = &s_gdata;
		mid->pvs[p].missing = deep->pvs[p].missing = false;
	}
	/* the deepest first: the tree does not follow the order given */
	vgs[0] = deep;
	vgs[1] = mid;
	vgs[2] = f->now;
	m = tm_model_new(vgs, NULL, 3);
	assert_non_null(m);
	lin = tm_find(m, 2, "lin");
	gdata = tm_find(m, 1, "gdata");
	inner = tm_find(m, 0, "inner");
	assert_true(lin >= 0 && gdata >= 0 && inner >= 0);
	/* vg0 > Logical volumes > lin > gst > Logical volumes > gdata > gs2 > ... > inner */
	assert_int_equal(m->nodes[m->vgs[1].node].parent, lin);
	assert_int_equal(m->nodes[m->vgs[0].node].parent, gdata);
	assert_int_equal(m->nodes[m->vgs[0].node].depth, 6);
	assert_int_equal(m->nodes[inner].depth, 8);
	assert_string_equal(rows(m), "vg0 Physical volumes pv0 pv1 Logical volumes lin pool r1 snap thin1");
	/* selecting the innermost LV unfolds both host LVs */
	assert_true(tm_select(m, inner));
	assert_string_equal(rows(m),
			    "vg0 Physical volumes pv0 pv1 Logical volumes lin gst Physical volumes pv0 pv1 Logical volumes gdata gs2 Physical volumes pv0 pv1 Logical volumes inner pool r1 snap thin1");
	assert_string_equal(sel_name(m), "inner");
	assert_int_equal(tm_node_vg(m, inner), 0);
	tm_model_free(m);
	mlvm_vg_free(mid);
	mlvm_vg_free(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tree_lists_vg_pvs_and_visible_lvs, setup, teardown),
		cmocka_unit_test_setup_teardown(hidden_sub_lvs_fold_under_their_lv, setup, teardown),
		cmocka_unit_test_setup_teardown(enter_unfolds_and_folds, setup, teardown),
		cmocka_unit_test_setup_teardown(folding_the_selection_away_selects_its_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(sorting_by_size_and_by_text, setup, teardown),
		cmocka_unit_test_setup_teardown(filter_shows_matches_and_their_ancestors, setup, teardown),
		cmocka_unit_test_setup_teardown(search_unfolds_and_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(moving_clamps_and_scrolls, setup, teardown),
		cmocka_unit_test_setup_teardown(older_generation_marks_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(map_cells_one_per_extent_with_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(details_give_exact_sizes_and_areas, setup, teardown),
		cmocka_unit_test(details_list_historical_lvs),
		cmocka_unit_test(generations_one_row_per_seqno_newest_first),
		cmocka_unit_test(rate_and_time_left),
		cmocka_unit_test(empty_model_is_harmless),
		cmocka_unit_test(map_marks_are_distinct_with_a_legend),
		cmocka_unit_test(map_marks_run_out_past_62),
		cmocka_unit_test(wrap_breaks_at_spaces_and_cuts_long_words),
		cmocka_unit_test_setup_teardown(older_generation_lists_later_lvs_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(a_fallback_vg_is_not_called_current, setup, teardown),
		cmocka_unit_test(content_short_keeps_the_first_clause),
		cmocka_unit_test(guest_vgs_nest_under_their_host_lv),
		cmocka_unit_test_setup_teardown(guest_vg_over_two_host_lvs_stays_at_the_top, setup, teardown),
		cmocka_unit_test_setup_teardown(guests_of_guests_nest_recursively, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
