/*
 * test_provenance.c - extent provenance: which extents of an older
 * generation later ones gave to another LV, their LV byte ranges, and the
 * per-PV history, on generations written as LVM2 text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "map/provenance.h"
#include "base/util.h"
#include "model/vg.h"

#define VGID "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA"
#define PVA "BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBBB"
#define PVB "CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC"
#define ID_HOME "HHHHHH-HHHH-HHHH-HHHH-HHHH-HHHH-HHHHHH"
#define ID_SCR "SSSSSS-SSSS-SSSS-SSSS-SSSS-SSSS-SSSSSS"
#define ID_VAR "VVVVVV-VVVV-VVVV-VVVV-VVVV-VVVV-VVVVVV"
#define ID_STR "TTTTTT-TTTT-TTTT-TTTT-TTTT-TTTT-TTTTTT"

/* extent size 8 sectors (4 KiB) keeps the byte numbers small */
#define X 4096u

/*
 * A generation: pv0 is PVA and pv1 PVB unless swap (then the names are
 * the other way round: names are local to one text), lvs the
 * logical_volumes body.
 */
static struct mlvm_vg *gen(uint64_t seqno, bool swap, const char *lvs)
{
	struct mlvm_buf b = { 0 };
	struct mlvm_vg *vg = NULL;
	struct mlvm_report r;
	int rc;

	mlvm_buf_printf(&b,
			"vg0 {\nid = \"" VGID "\"\nseqno = %llu\nformat = \"lvm2\"\n"
			"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\n"
			"extent_size = 8\nmax_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n"
			"physical_volumes {\n"
			"pv0 {\nid = \"%s\"\nstatus = [\"ALLOCATABLE\"]\ndev_size = 262144\n"
			"pe_start = 2048\npe_count = 100\n}\n"
			"pv1 {\nid = \"%s\"\nstatus = [\"ALLOCATABLE\"]\ndev_size = 262144\n"
			"pe_start = 2048\npe_count = 100\n}\n}\n"
			"logical_volumes {\n%s}\n}\n"
			"contents = \"Text Format Volume Group\"\nversion = 1\n",
			(unsigned long long)seqno, swap ? PVB : PVA, swap ? PVA : PVB, lvs);
	assert_non_null(b.data);
	mlvm_report_init(&r);
	rc = mlvm_vg_from_text(b.data, b.len, &vg, &r, NULL, -1);
	mlvm_report_free(&r);
	assert_int_equal(rc, 0);
	return vg;
}

/* an LV with one linear segment: name, id, LE count, pv, first PE */
static void lin(struct mlvm_buf *b, const char *name, const char *id, unsigned count,
		const char *pv, unsigned pe)
{
	mlvm_buf_printf(b,
			"%s {\nid = \"%s\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\n"
			"segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = %u\n"
			"type = \"striped\"\nstripe_count = 1\nstripes = [\"%s\", %u]\n}\n}\n",
			name, id, count, pv, pe);
}

/* a linear LV of two segments */
static void lin2(struct mlvm_buf *b, const char *name, const char *id, unsigned c1,
		 const char *pv1, unsigned pe1, unsigned c2, const char *pv2, unsigned pe2)
{
	mlvm_buf_printf(b,
			"%s {\nid = \"%s\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\n"
			"segment_count = 2\nsegment1 {\nstart_extent = 0\nextent_count = %u\n"
			"type = \"striped\"\nstripe_count = 1\nstripes = [\"%s\", %u]\n}\n"
			"segment2 {\nstart_extent = %u\nextent_count = %u\n"
			"type = \"striped\"\nstripe_count = 1\nstripes = [\"%s\", %u]\n}\n}\n",
			name, id, c1, pv1, pe1, c1, c2, pv2, pe2);
}

/* add generations built from texts (NULL-terminated list of bodies) */
static struct mlvm_prov *build(const uint64_t *seqnos, const char *const *bodies, size_t n,
			       const bool *swap)
{
	struct mlvm_prov *p = mlvm_prov_new(VGID);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		struct mlvm_vg *vg = gen(seqnos[i], swap ? swap[i] : false, bodies[i]);

		assert_int_equal(mlvm_prov_add(p, vg), 0);
		mlvm_vg_free(vg);
	}
	return p;
}

static char *body_lin(const char *name, const char *id, unsigned count, const char *pv, unsigned pe)
{
	struct mlvm_buf b = { 0 };

	lin(&b, name, id, count, pv, pe);
	return b.data;
}

/* ------------------------------------------------------------ basics */

/* home 0-9, scratch 10-19; scratch removed; home extended over 10-14 */
static void test_linear_reuse(void **state)
{
	struct mlvm_buf g1 = { 0 }, g3 = { 0 };
	char *g2 = body_lin("home", ID_HOME, 10, "pv0", 0);
	const char *bodies[3];
	uint64_t seq[3] = { 5, 6, 7 };
	struct mlvm_prov *p;
	struct mlvm_vg *v1;
	struct mlvm_prov_reuse *it;
	struct mlvm_range *rv;
	size_t n, nr;
	bool exact;

	(void)state;
	lin(&g1, "home", ID_HOME, 10, "pv0", 0);
	lin(&g1, "scratch", ID_SCR, 10, "pv0", 10);
	lin(&g3, "home", ID_HOME, 15, "pv0", 0);	/* one merged segment */
	bodies[0] = g1.data;
	bodies[1] = g2;
	bodies[2] = g3.data;
	p = build(seq, bodies, 3, NULL);
	assert_int_equal(mlvm_prov_n_gens(p), 3);
	assert_int_equal(mlvm_prov_gen_index(p, 6), 1);
	assert_int_equal(mlvm_prov_gen_index(p, 8), -1);

	v1 = gen(5, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v1, &it, &n), 0);
	/* only scratch's first 5 extents; home growing in place is no reuse */
	assert_int_equal(n, 1);
	assert_int_equal(it[0].pe, 10);
	assert_int_equal(it[0].count, 5);
	assert_string_equal(v1->lvs[it[0].lv].name, "scratch");
	assert_string_equal(v1->pvs[it[0].pv].id, PVA);
	assert_int_equal(it[0].seqno, 7);
	assert_int_equal(it[0].after_seqno, 6);
	assert_true(it[0].exact);
	assert_false(it[0].same_lv);
	assert_string_equal(it[0].taker, "home");
	assert_string_equal(it[0].taker_top, "home");
	assert_int_equal(mlvm_prov_lv_bytes(v1, &v1->lvs[1], it, n, &rv, &nr, &exact), 0);
	assert_true(exact);
	assert_int_equal(nr, 1);
	assert_int_equal(rv[0].start, 0);
	assert_int_equal(rv[0].len, 5 * X);
	free(rv);
	/* home's own bytes: none */
	assert_int_equal(mlvm_prov_lv_bytes(v1, &v1->lvs[0], it, n, &rv, &nr, &exact), 0);
	assert_int_equal(nr, 0);
	free(it);
	mlvm_vg_free(v1);

	/* the newest generation: nothing later */
	v1 = gen(7, false, g3.data);
	assert_int_equal(mlvm_prov_reused(p, v1, &it, &n), 0);
	assert_int_equal(n, 0);
	mlvm_vg_free(v1);
	/* a seqno the engine does not hold */
	v1 = gen(9, false, g3.data);
	assert_int_equal(mlvm_prov_reused(p, v1, &it, &n), -ENOENT);
	mlvm_vg_free(v1);

	mlvm_prov_free(p);
	free(g1.data);
	free(g2);
	free(g3.data);
}

/* an LV removed whose extents stay free is not reused; one renamed neither */
static void test_free_and_rename(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 };
	char *g3 = body_lin("house", ID_HOME, 10, "pv0", 0);
	const char *bodies[3];
	uint64_t seq[3] = { 1, 2, 3 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	size_t n;

	(void)state;
	lin(&g1, "home", ID_HOME, 10, "pv0", 0);
	lin(&g1, "scratch", ID_SCR, 10, "pv0", 10);
	lin(&g2, "house", ID_HOME, 10, "pv0", 0);	/* renamed */
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	bodies[2] = g3;
	p = build(seq, bodies, 3, NULL);
	v = gen(1, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	assert_int_equal(n, 0);
	mlvm_vg_free(v);
	{
		/* the history names the LV as it was called in each span */
		struct mlvm_prov_interval *iv;
		size_t pa = strcmp(mlvm_prov_pv_id(p, 0), PVA) ? 1 : 0;

		assert_int_equal(mlvm_prov_history(p, pa, &iv, &n), 0);
		assert_true(n >= 2);
		assert_int_equal(iv[0].pe, 0);
		assert_int_equal(iv[0].count, 10);
		assert_int_equal(iv[0].n_spans, 2);
		assert_string_equal(iv[0].spans[0].lv, "home");
		assert_int_equal(iv[0].spans[0].g_last, 0);
		assert_string_equal(iv[0].spans[1].lv, "house");
		assert_int_equal(iv[0].spans[1].g_first, 1);
		assert_int_equal(iv[0].spans[1].g_last, 2);
		assert_string_equal(iv[0].spans[0].lv_id, iv[0].spans[1].lv_id);
		assert_int_equal(iv[1].pe, 10);
		assert_string_equal(iv[1].spans[0].lv, "scratch");
		assert_true(iv[1].spans[1].free);
		mlvm_prov_history_free(iv, n);
	}
	mlvm_prov_free(p);
	free(g1.data);
	free(g2.data);
	free(g3);
}

/* the same LV at another LE (its bytes moved) is reuse, named as such */
static void test_moved(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 };
	const char *bodies[2];
	uint64_t seq[2] = { 1, 2 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	size_t n;

	(void)state;
	lin(&g1, "home", ID_HOME, 10, "pv0", 0);
	/* home now starts at PE 5: its LE 0-4 on PE 5-9 */
	lin(&g2, "home", ID_HOME, 10, "pv0", 5);
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	p = build(seq, bodies, 2, NULL);
	v = gen(1, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].pe, 5);
	assert_int_equal(it[0].count, 5);
	assert_true(it[0].same_lv);
	assert_string_equal(it[0].taker, "home");
	free(it);
	{
		struct mlvm_report r;
		struct mlvm_range *rv;
		size_t nr;
		bool exact;

		mlvm_report_init(&r);
		assert_int_equal(mlvm_prov_warn(p, v, &v->lvs[0], &r, &rv, &nr, &exact), 0);
		assert_int_equal(r.n, 1);
		assert_non_null(strstr(r.items[0].message, "lv home itself at another position"));
		assert_non_null(strstr(r.items[0].message, "other bytes of lv home"));
		/* home's LE 5-9 were on PE 5-9 */
		assert_int_equal(nr, 1);
		assert_int_equal(rv[0].start, 5 * X);
		assert_int_equal(rv[0].len, 5 * X);
		assert_true(exact);
		free(rv);
		mlvm_report_free(&r);
	}
	mlvm_vg_free(v);
	mlvm_prov_free(p);
	free(g1.data);
	free(g2.data);
}

/* taken twice: each extent names the earliest generation that took it;
 * a gap in the seqnos makes the seqno inexact */
static void test_earliest_and_gap(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 }, g3 = { 0 };
	const char *bodies[3];
	uint64_t seq[3] = { 10, 11, 15 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	size_t n;

	(void)state;
	lin(&g1, "scratch", ID_SCR, 10, "pv0", 0);		/* PE 0-9 */
	lin(&g2, "var", ID_VAR, 3, "pv0", 4);			/* PE 4-6 at 11 */
	lin(&g3, "var", ID_VAR, 3, "pv0", 4);
	lin(&g3, "home", ID_HOME, 10, "pv0", 0 + 20);		/* elsewhere */
	lin2(&g3, "str", ID_STR, 4, "pv0", 0, 3, "pv0", 7);	/* PE 0-3, 7-9 at 15 */
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	bodies[2] = g3.data;
	p = build(seq, bodies, 3, NULL);
	v = gen(10, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(it[0].pe, 0);
	assert_int_equal(it[0].count, 4);
	assert_int_equal(it[0].seqno, 15);
	assert_int_equal(it[0].after_seqno, 11);
	assert_false(it[0].exact);		/* 12-14 are gone */
	assert_string_equal(it[0].taker, "str");
	assert_int_equal(it[1].pe, 4);
	assert_int_equal(it[1].count, 3);
	assert_int_equal(it[1].seqno, 11);
	assert_true(it[1].exact);
	assert_string_equal(it[1].taker, "var");
	assert_int_equal(it[2].pe, 7);
	assert_int_equal(it[2].count, 3);
	assert_int_equal(it[2].seqno, 15);
	free(it);
	{
		struct mlvm_report r;
		size_t k, n_reused = 0, n_missing = 0;

		mlvm_report_init(&r);
		assert_int_equal(mlvm_prov_warn(p, v, NULL, &r, NULL, NULL, NULL), 0);
		for (k = 0; k < r.n; k++) {
			if (!strcmp(r.items[k].code, "extents_reused"))
				n_reused++;
			if (!strcmp(r.items[k].code, "generations_missing")) {
				n_missing++;
				assert_int_equal(r.items[k].severity, MLVM_SEV_NOTICE);
				assert_non_null(strstr(r.items[k].message,
						       "3 later generations (seqnos 12-14) are gone"));
			}
			if (!strcmp(r.items[k].code, "extents_reused") &&
			    strstr(r.items[k].message, "lv str"))
				assert_non_null(strstr(r.items[k].message,
						       "by seqno 15 (after seqno 11; the generations between are gone"));
		}
		/* scratch: to var at 11, to str by 15 */
		assert_int_equal(n_reused, 2);
		assert_int_equal(n_missing, 1);
		mlvm_report_free(&r);
	}
	mlvm_vg_free(v);
	{
		/* a generation the engine does not hold: said, not silent */
		struct mlvm_report r;

		v = gen(12, false, g1.data);
		mlvm_report_init(&r);
		assert_int_equal(mlvm_prov_warn(p, v, NULL, &r, NULL, NULL, NULL), 0);
		assert_int_equal(r.n, 1);
		assert_string_equal(r.items[0].code, "extents_unknown");
		assert_int_equal(r.items[0].severity, MLVM_SEV_WARNING);
		mlvm_report_free(&r);
		mlvm_vg_free(v);
	}
	mlvm_prov_free(p);
	free(g1.data);
	free(g2.data);
	free(g3.data);
}

/* PVs are matched by uuid, not by their local pvN names */
static void test_pv_by_uuid(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 };
	const char *bodies[2];
	uint64_t seq[2] = { 1, 2 };
	bool swap[2] = { false, true };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	size_t n;

	(void)state;
	lin(&g1, "scratch", ID_SCR, 10, "pv0", 0);	/* on PVA */
	/* in generation 2 "pv1" is PVA: home on PVA PE 0-9 takes them;
	 * scratch moved to "pv0" = PVB: its own data elsewhere */
	lin(&g2, "home", ID_HOME, 10, "pv1", 0);
	lin(&g2, "scratch", ID_SCR, 10, "pv0", 0);
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	p = build(seq, bodies, 2, swap);
	v = gen(1, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(it[0].taker, "home");
	assert_string_equal(v->pvs[it[0].pv].id, PVA);
	free(it);
	mlvm_vg_free(v);
	mlvm_prov_free(p);
	free(g1.data);
	free(g2.data);
}

/* ------------------------------------------------------------ striped */

static const char str_lv[] =
	"str {\nid = \"" ID_STR "\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\n"
	"segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 8\n"
	"type = \"striped\"\nstripe_count = 2\nstripe_size = 2\n"	/* 1 KiB chunks */
	"stripes = [\"pv0\", 10, \"pv1\", 10]\n}\n}\n";

static void test_striped(void **state)
{
	struct mlvm_buf g2 = { 0 };
	const char *bodies[2];
	uint64_t seq[2] = { 1, 2 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	struct mlvm_range *rv;
	size_t n, nr, i;
	bool exact;

	(void)state;
	/* home takes pv0 PE 11-12: stripe 0's area extents 1-2 */
	lin(&g2, "home", ID_HOME, 2, "pv0", 11);
	bodies[0] = str_lv;
	bodies[1] = g2.data;
	p = build(seq, bodies, 2, NULL);
	v = gen(1, false, str_lv);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].pe, 11);
	assert_int_equal(it[0].count, 2);
	assert_int_equal(mlvm_prov_lv_bytes(v, &v->lvs[0], it, n, &rv, &nr, &exact), 0);
	assert_true(exact);
	/* area bytes 4096-12287 of stripe 0 = chunks 4..11 of the area, each
	 * at LV chunk 2*c: 8 ranges of 1 KiB, every other KiB */
	assert_int_equal(nr, 8);
	for (i = 0; i < nr; i++) {
		assert_int_equal(rv[i].start, (uint64_t)(2 * (4 + i)) * 1024);
		assert_int_equal(rv[i].len, 1024);
	}
	free(rv);
	free(it);
	mlvm_vg_free(v);
	mlvm_prov_free(p);
	free(g2.data);
}

/* ------------------------------------------------------------ sub-LVs */

static const char raid_lv[] =
	"r1 {\nid = \"RRRRRR-RRRR-RRRR-RRRR-RRRR-RRRR-RRRRRR\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\n"
	"segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
	"type = \"raid1\"\ndevice_count = 2\nregion_size = 1024\n"
	"raids = [\"r1_rmeta_0\", \"r1_rimage_0\", \"r1_rmeta_1\", \"r1_rimage_1\"]\n}\n}\n"
	"r1_rmeta_0 {\nid = \"M0M0M0-M0M0-M0M0-M0M0-M0M0-M0M0-M0M0M0\"\nstatus = [\"READ\", \"WRITE\"]\n"
	"flags = []\nsegment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
	"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n}\n}\n"
	"r1_rimage_0 {\nid = \"I0I0I0-I0I0-I0I0-I0I0-I0I0-I0I0-I0I0I0\"\nstatus = [\"READ\", \"WRITE\"]\n"
	"flags = []\nsegment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
	"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 1]\n}\n}\n"
	"r1_rmeta_1 {\nid = \"M1M1M1-M1M1-M1M1-M1M1-M1M1-M1M1-M1M1M1\"\nstatus = [\"READ\", \"WRITE\"]\n"
	"flags = []\nsegment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
	"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 0]\n}\n}\n"
	"r1_rimage_1 {\nid = \"I1I1I1-I1I1-I1I1-I1I1-I1I1-I1I1-I1I1I1\"\nstatus = [\"READ\", \"WRITE\"]\n"
	"flags = []\nsegment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
	"type = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 1]\n}\n}\n";

static void test_sub_lv(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 };
	const char *bodies[2];
	uint64_t seq[2] = { 1, 2 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	struct mlvm_range *rv;
	struct mlvm_report r;
	size_t n, nr;
	bool exact;

	(void)state;
	lin(&g1, "scratch", ID_SCR, 4, "pv1", 20);
	mlvm_buf_append(&g1, raid_lv, strlen(raid_lv));
	/* generation 2: r1 grew to new images... modelled as: scratch gone,
	 * its PE taken by r1_rimage_1 at LE 0-3 (hidden, part of r1) */
	mlvm_buf_printf(&g2, "%s", raid_lv);
	{
		/* r1_rimage_1 moved onto PE 20-23 of pv1 */
		char *s = strstr(g2.data, "stripes = [\"pv1\", 1]");

		assert_non_null(s);
		memcpy(s, "stripes = [\"pv1\",20]", strlen("stripes = [\"pv1\",20]"));
	}
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	p = build(seq, bodies, 2, NULL);
	v = gen(1, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	/* scratch's PE 20-23, and r1_rimage_1's old PE 1-4 (it moved: its
	 * extents became free, not reused: only the move of its own data
	 * counts where someone took them) */
	assert_int_equal(n, 1);
	assert_string_equal(v->lvs[it[0].lv].name, "scratch");
	assert_string_equal(it[0].taker, "r1_rimage_1");
	assert_string_equal(it[0].taker_top, "r1");
	assert_int_equal(mlvm_prov_top(v, mlvm_vg_lv_index(v, "r1_rimage_0")),
			 mlvm_vg_lv_index(v, "r1"));
	free(it);

	/* the warning names the visible LV the taker is part of */
	mlvm_report_init(&r);
	assert_int_equal(mlvm_prov_warn(p, v, mlvm_vg_find_lv(v, "scratch"), &r, &rv, &nr, &exact), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].code, "extents_reused");
	assert_non_null(strstr(r.items[0].message, "lv r1_rimage_1 (part of lv r1) at seqno 2"));
	assert_non_null(strstr(r.items[0].message, "of lv scratch"));
	assert_true(exact);
	assert_int_equal(nr, 1);
	assert_int_equal(rv[0].start, 0);
	assert_int_equal(rv[0].len, 4 * X);
	free(rv);
	mlvm_report_free(&r);
	mlvm_vg_free(v);
	mlvm_prov_free(p);

	/* the other way round: a raid image's extents taken by a linear LV;
	 * the raid1 LV's bytes cannot be narrowed down: whole segment */
	{
		struct mlvm_buf h2 = { 0 };
		const char *b2[2];

		lin(&h2, "home", ID_HOME, 2, "pv1", 2);	/* r1_rimage_1's PE 2-3 */
		b2[0] = raid_lv;
		b2[1] = h2.data;
		p = build(seq, b2, 2, NULL);
		v = gen(1, false, raid_lv);
		mlvm_report_init(&r);
		assert_int_equal(mlvm_prov_warn(p, v, mlvm_vg_find_lv(v, "r1"), &r, &rv, &nr, &exact), 0);
		assert_false(exact);
		assert_int_equal(nr, 1);
		assert_int_equal(rv[0].start, 0);
		assert_int_equal(rv[0].len, 4 * X);
		assert_int_equal(r.n, 1);
		assert_non_null(strstr(r.items[0].message, "not narrowed down"));
		assert_non_null(strstr(r.items[0].message, "of lv r1 "));
		free(rv);
		mlvm_report_free(&r);
		/* without an LV: grouped under the visible LV */
		mlvm_report_init(&r);
		assert_int_equal(mlvm_prov_warn(p, v, NULL, &r, NULL, NULL, NULL), 0);
		assert_int_equal(r.n, 1);
		assert_non_null(strstr(r.items[0].message, "of lv r1 "));
		mlvm_report_free(&r);
		mlvm_vg_free(v);
		mlvm_prov_free(p);
		free(h2.data);
	}
	free(g1.data);
	free(g2.data);
}

/* lvconvert of a linear LV to raid1: its extents go to its new image, a
 * sub-LV of the same visible LV: reuse, said as a change of layout */
static void test_layout_change(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 };
	const char *bodies[2];
	uint64_t seq[2] = { 1, 2 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_report r;

	(void)state;
	lin(&g1, "r1", "RRRRRR-RRRR-RRRR-RRRR-RRRR-RRRR-RRRRRR", 4, "pv0", 1);
	mlvm_buf_printf(&g2, "%s", raid_lv);
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	p = build(seq, bodies, 2, NULL);
	v = gen(1, false, g1.data);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_prov_warn(p, v, NULL, &r, NULL, NULL, NULL), 0);
	assert_int_equal(r.n, 1);
	assert_non_null(strstr(r.items[0].message, "lv r1_rimage_0 (part of lv r1) at seqno 2"));
	assert_non_null(strstr(r.items[0].message, "still part of lv r1, whose layout changed"));
	mlvm_report_free(&r);
	mlvm_vg_free(v);
	mlvm_prov_free(p);
	free(g1.data);
	free(g2.data);
}

/* hostile numbers and overlaps: answers stay bounded, nothing wraps */
static void test_hostile(void **state)
{
	struct mlvm_buf g1 = { 0 }, g2 = { 0 };
	const char *bodies[2];
	uint64_t seq[2] = { 1, 2 };
	struct mlvm_prov *p;
	struct mlvm_vg *v;
	struct mlvm_prov_reuse *it;
	struct mlvm_prov_interval *iv;
	struct mlvm_report r;
	struct mlvm_range *rv;
	size_t n, nr, i, k;
	bool exact;

	(void)state;
	/* two LVs on the same extents, one area at the end of the PE space,
	 * a striped segment without a stripe size */
	lin(&g1, "a", ID_HOME, 10, "pv0", 0);
	lin(&g1, "b", ID_SCR, 10, "pv0", 5);
	mlvm_buf_printf(&g1,
			"far {\nid = \"" ID_VAR "\"\nstatus = [\"READ\", \"VISIBLE\"]\nflags = []\n"
			"segment_count = 1\nsegment1 {\nstart_extent = 4611686018427387904\n"
			"extent_count = 1000\ntype = \"striped\"\nstripe_count = 1\n"
			"stripes = [\"pv1\", 4611686018427387904]\n}\n}\n"
			"nss {\nid = \"" ID_STR "\"\nstatus = [\"READ\", \"VISIBLE\"]\nflags = []\n"
			"segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
			"type = \"striped\"\nstripe_count = 2\n"
			"stripes = [\"pv0\", 50, \"pv1\", 50]\n}\n}\n");
	lin(&g2, "c", "CCCCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCCCC", 100, "pv0", 0);
	mlvm_buf_printf(&g2,
			"d {\nid = \"DDDDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDDDD\"\nstatus = [\"READ\", \"VISIBLE\"]\n"
			"flags = []\nsegment_count = 1\nsegment1 {\nstart_extent = 0\n"
			"extent_count = 1000\ntype = \"striped\"\nstripe_count = 1\n"
			"stripes = [\"pv1\", 4611686018427387904]\n}\n}\n");
	bodies[0] = g1.data;
	bodies[1] = g2.data;
	p = build(seq, bodies, 2, NULL);
	v = gen(1, false, g1.data);
	assert_int_equal(mlvm_prov_reused(p, v, &it, &n), 0);
	assert_true(n >= 3);
	for (i = 0; i < n; i++) {
		assert_true(it[i].count > 0);
		assert_true(it[i].pe + it[i].count > it[i].pe || it[i].pe + it[i].count == 0);
	}
	for (k = 0; k < v->n_lvs; k++) {
		assert_int_equal(mlvm_prov_lv_bytes(v, &v->lvs[k], it, n, &rv, &nr, &exact), 0);
		for (i = 0; i + 1 < nr; i++)
			assert_true(rv[i].start + rv[i].len < rv[i + 1].start);
		if (!strcmp(v->lvs[k].name, "nss") || !strcmp(v->lvs[k].name, "far"))
			assert_false(exact);	/* no stripe size: whole segment; past 2^64 */
		free(rv);
	}
	free(it);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_prov_warn(p, v, NULL, &r, NULL, NULL, NULL), 0);
	assert_true(r.n >= 3);
	mlvm_report_free(&r);
	for (k = 0; k < mlvm_prov_n_pvs(p); k++) {
		assert_int_equal(mlvm_prov_history(p, k, &iv, &n), 0);
		for (i = 0; i < n; i++)
			assert_true(iv[i].count > 0 && iv[i].n_spans > 0);
		mlvm_prov_history_free(iv, n);
	}
	mlvm_vg_free(v);
	mlvm_prov_free(p);
	free(g1.data);
	free(g2.data);
}

/* ------------------------------------------------------------ adding */

static void test_add_order(void **state)
{
	char *b = body_lin("home", ID_HOME, 1, "pv0", 0);
	struct mlvm_prov *p = mlvm_prov_new(VGID), *q = mlvm_prov_new("ZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZ");
	struct mlvm_vg *v5 = gen(5, false, b), *v3 = gen(3, false, b);

	(void)state;
	assert_int_equal(mlvm_prov_add(p, v5), 0);
	assert_int_equal(mlvm_prov_add(p, v5), 1);		/* the same seqno again */
	assert_int_equal(mlvm_prov_add(p, v3), -EINVAL);	/* older */
	assert_int_equal(mlvm_prov_add(q, v5), -EINVAL);	/* another VG */
	assert_int_equal(mlvm_prov_n_gens(p), 1);
	mlvm_vg_free(v5);
	mlvm_vg_free(v3);
	mlvm_prov_free(p);
	mlvm_prov_free(q);
	free(b);
}

/* ------------------------------------------------------------ history */

static void test_history(void **state)
{
	struct mlvm_buf g1 = { 0 }, g3 = { 0 };
	char *g2 = body_lin("home", ID_HOME, 10, "pv0", 0);
	const char *bodies[3];
	uint64_t seq[3] = { 5, 6, 7 };
	struct mlvm_prov *p;
	struct mlvm_prov_interval *iv;
	size_t n, pa, i;

	(void)state;
	lin(&g1, "home", ID_HOME, 10, "pv0", 0);
	lin(&g1, "scratch", ID_SCR, 10, "pv0", 10);
	lin(&g3, "home", ID_HOME, 15, "pv0", 0);
	bodies[0] = g1.data;
	bodies[1] = g2;
	bodies[2] = g3.data;
	p = build(seq, bodies, 3, NULL);
	assert_int_equal(mlvm_prov_n_pvs(p), 2);
	for (pa = 0; pa < 2; pa++)
		if (!strcmp(mlvm_prov_pv_id(p, pa), PVA))
			break;
	assert_true(pa < 2);
	assert_int_equal(mlvm_prov_pv_pe_count(p, pa), 100);
	assert_int_equal(mlvm_prov_history(p, pa, &iv, &n), 0);
	/* PE 0-9 home throughout; 10-14 scratch, free, home; 15-19 scratch,
	 * free; 20-99 free */
	assert_int_equal(n, 4);
	assert_int_equal(iv[0].pe, 0);
	assert_int_equal(iv[0].count, 10);
	assert_int_equal(iv[0].n_spans, 1);	/* the merged segment is the same owner */
	assert_string_equal(iv[0].spans[0].lv, "home");
	assert_int_equal(iv[0].spans[0].g_first, 0);
	assert_int_equal(iv[0].spans[0].g_last, 2);
	assert_int_equal(iv[1].pe, 10);
	assert_int_equal(iv[1].count, 5);
	assert_int_equal(iv[1].n_spans, 3);
	assert_string_equal(iv[1].spans[0].lv, "scratch");
	assert_int_equal(iv[1].spans[0].le, 0);
	assert_true(iv[1].spans[1].free);
	assert_int_equal(iv[1].spans[1].g_first, 1);
	assert_string_equal(iv[1].spans[2].lv, "home");
	assert_int_equal(iv[1].spans[2].le, 10);
	assert_int_equal(iv[2].pe, 15);
	assert_int_equal(iv[2].count, 5);
	assert_int_equal(iv[2].n_spans, 2);
	assert_int_equal(iv[2].spans[0].le, 5);
	assert_true(iv[2].spans[1].free);
	assert_int_equal(iv[2].spans[1].g_last, 2);
	assert_int_equal(iv[3].pe, 20);
	assert_int_equal(iv[3].count, 80);
	assert_int_equal(iv[3].n_spans, 1);
	assert_true(iv[3].spans[0].free);
	for (i = 0; i < n; i++)
		assert_true(iv[i].n_spans >= 1);
	mlvm_prov_history_free(iv, n);
	assert_int_equal(mlvm_prov_history(p, 99, &iv, &n), -EINVAL);
	mlvm_prov_free(p);
	free(g1.data);
	free(g2);
	free(g3.data);
}

/* a PV that leaves the VG: absent, not free */
static void test_history_absent(void **state)
{
	struct mlvm_prov *p = mlvm_prov_new(VGID);
	struct mlvm_buf b = { 0 };
	struct mlvm_vg *v1, *v2 = NULL;
	struct mlvm_report r;
	struct mlvm_prov_interval *iv;
	size_t n, pb;
	char *one;

	(void)state;
	lin(&b, "home", ID_HOME, 1, "pv0", 0);
	v1 = gen(1, false, b.data);
	assert_int_equal(mlvm_prov_add(p, v1), 0);
	one = malloc(4096);
	assert_non_null(one);
	snprintf(one, 4096,
		 "vg0 {\nid = \"" VGID "\"\nseqno = 2\nformat = \"lvm2\"\nstatus = [\"READ\"]\n"
		 "extent_size = 8\nphysical_volumes {\npv0 {\nid = \"" PVA "\"\n"
		 "dev_size = 262144\npe_start = 2048\npe_count = 100\n}\n}\n"
		 "logical_volumes {\n%s}\n}\ncontents = \"Text Format Volume Group\"\nversion = 1\n",
		 b.data);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_vg_from_text(one, strlen(one), &v2, &r, NULL, -1), 0);
	mlvm_report_free(&r);
	assert_int_equal(mlvm_prov_add(p, v2), 0);
	for (pb = 0; pb < 2; pb++)
		if (!strcmp(mlvm_prov_pv_id(p, pb), PVB))
			break;
	assert_true(pb < 2);
	assert_int_equal(mlvm_prov_history(p, pb, &iv, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(iv[0].n_spans, 2);
	assert_true(iv[0].spans[0].free);
	assert_true(iv[0].spans[1].absent);
	mlvm_prov_history_free(iv, n);
	mlvm_vg_free(v1);
	mlvm_vg_free(v2);
	mlvm_prov_free(p);
	free(b.data);
}

/* ------------------------------------------------------------ bounds */

/* 10,000 LVs over 30 generations, one LV changing per generation: quick,
 * and the answer for the oldest still exact */
static void test_big(void **state)
{
	struct mlvm_prov *p = mlvm_prov_new(VGID);
	struct mlvm_buf base = { 0 };
	struct mlvm_prov_reuse *it;
	struct mlvm_vg *first = NULL;
	clock_t t0 = clock();
	size_t n, g;
	unsigned i;

	(void)state;
	for (g = 0; g < 30; g++) {
		struct mlvm_buf b = { 0 }, t = { 0 };
		struct mlvm_vg *vg = NULL;
		struct mlvm_report r;
		char name[32], id[40];

		for (i = 0; i < 10000; i++) {
			snprintf(name, sizeof(name), "lv%u", i);
			snprintf(id, sizeof(id), "%06u-AAAA-AAAA-AAAA-AAAA-AAAA-%06zu", i,
				 i == g && g > 0 ? g + 1 : (size_t)0);	/* LV g replaced in generation g+1 */
			lin(&b, name, id, 1, "pv0", i);
		}
		mlvm_buf_printf(&t,
				"vg0 {\nid = \"" VGID "\"\nseqno = %zu\nformat = \"lvm2\"\n"
				"status = [\"READ\"]\nextent_size = 8\nphysical_volumes {\n"
				"pv0 {\nid = \"" PVA "\"\ndev_size = 1000000\npe_start = 2048\n"
				"pe_count = 20000\n}\n}\nlogical_volumes {\n%s}\n}\n"
				"contents = \"Text Format Volume Group\"\nversion = 1\n",
				g + 1, b.data);
		mlvm_report_init(&r);
		assert_int_equal(mlvm_vg_from_text(t.data, t.len, &vg, &r, NULL, -1), 0);
		mlvm_report_free(&r);
		assert_int_equal(mlvm_prov_add(p, vg), 0);
		if (g == 0)
			first = vg;
		else
			mlvm_vg_free(vg);
		free(b.data);
	}
	assert_int_equal(mlvm_prov_reused(p, first, &it, &n), 0);
	/* generation 1 has lv0 with the id of generation 1; lvs 1..29 were
	 * replaced (new ids) in generations 2..30 */
	assert_int_equal(n, 29);
	assert_int_equal(it[0].pe, 1);
	assert_int_equal(it[0].seqno, 2);
	assert_int_equal(it[28].pe, 29);
	assert_int_equal(it[28].seqno, 30);
	free(it);
	mlvm_vg_free(first);
	mlvm_prov_free(p);
	free(base.data);
	/* parsing dominates; the engine itself adds little */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 60.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_reuse),
		cmocka_unit_test(test_free_and_rename),
		cmocka_unit_test(test_moved),
		cmocka_unit_test(test_earliest_and_gap),
		cmocka_unit_test(test_pv_by_uuid),
		cmocka_unit_test(test_striped),
		cmocka_unit_test(test_sub_lv),
		cmocka_unit_test(test_layout_change),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_add_order),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_absent),
		cmocka_unit_test(test_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
