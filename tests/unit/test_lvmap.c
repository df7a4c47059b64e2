/*
 * test_lvmap.c - reading LVs through their segments (lvmap.c): VGs built
 * from metadata text, PVs attached by hand to memory images, and every
 * byte read compared with what an independent, straightforward model of
 * the layout says (raid parity is written here from the md layout
 * descriptions, then read back whole and with images missing).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "map/lvmap.h"
#include "io/source.h"
#include "base/util.h"
#include "model/vg.h"

#define NPV 8
#define EB 4096u			/* extent_size 8 sectors */
#define PE_START 8u			/* sectors */
#define PE_START_B (PE_START * 512u)
#define PE_COUNT 64u
#define PV_BYTES (PE_START_B + PE_COUNT * EB)

struct fx {
	struct mlvm_vg *vg;
	struct mlvm_report r;
	uint8_t *img[NPV];
	struct mlvm_source *src[NPV];
};

static uint8_t pat(unsigned pv, uint64_t o)
{
	return (uint8_t)(o * 13 + (o >> 8) * 7 + (o >> 12) * 31 + pv * 0x55 + 1);
}

static void lv_text(struct mlvm_buf *b, const char *name, int nseg, const char *body)
{
	assert_int_equal(mlvm_buf_printf(b,
		"%s {\nid = \"abcdef-0123-4567-89ab-cdef-0123-456789\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = %d\n%s}\n",
		name, nseg, body), 0);
}

static void lin(struct mlvm_buf *b, const char *name, unsigned ext, unsigned pv, unsigned pe)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "segment1 {\nstart_extent = 0\nextent_count = %u\ntype = \"striped\"\n"
		 "stripe_count = 1\nstripes = [\"pv%u\", %u]\n}\n", ext, pv, pe);
	lv_text(b, name, 1, body);
}

static void fx_open(struct fx *f, const char *lvs)
{
	struct mlvm_buf t = { 0 };
	unsigned i;
	int rc;

	memset(f, 0, sizeof(*f));
	mlvm_report_init(&f->r);
	assert_int_equal(mlvm_buf_printf(&t,
		"vg0 {\nid = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\nseqno = 1\n"
		"format = \"lvm2\"\nstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
		"extent_size = %u\nmax_lv = 0\nmax_pv = 0\nphysical_volumes {\n", EB / 512), 0);
	for (i = 0; i < NPV; i++)
		assert_int_equal(mlvm_buf_printf(&t,
			"pv%u {\nid = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBB%u\"\n"
			"status = [\"ALLOCATABLE\"]\ndev_size = %u\npe_start = %u\npe_count = %u\n}\n",
			i, i, PV_BYTES / 512, PE_START, PE_COUNT), 0);
	assert_int_equal(mlvm_buf_printf(&t, "}\nlogical_volumes {\n%s}\n}\n"
		"contents = \"Text Format Volume Group\"\nversion = 1\n", lvs), 0);
	rc = mlvm_vg_from_text(t.data, t.len, &f->vg, &f->r, NULL, -1);
	assert_int_equal(rc, 0);
	for (i = 0; i < NPV; i++) {
		char name[16];
		uint64_t o;
		int pi;
		struct mlvm_pv *pv;

		f->img[i] = malloc(PV_BYTES);
		assert_non_null(f->img[i]);
		for (o = 0; o < PV_BYTES; o++)
			f->img[i][o] = pat(i, o);
		snprintf(name, sizeof(name), "pv%u", i);
		f->src[i] = mlvm_source_memory(name, f->img[i], PV_BYTES, 0);
		assert_non_null(f->src[i]);
		pi = mlvm_vg_pv_index(f->vg, name);
		assert_true(pi >= 0);
		pv = &f->vg->pvs[pi];
		pv->src = f->src[i];
		pv->offset = 0;
		pv->missing = false;
	}
}

static void fx_missing(struct fx *f, unsigned i, bool missing)
{
	char name[16];
	struct mlvm_pv *pv;

	snprintf(name, sizeof(name), "pv%u", i);
	pv = &f->vg->pvs[mlvm_vg_pv_index(f->vg, name)];
	pv->missing = missing;
	pv->src = missing ? NULL : f->src[i];
}

static void fx_close(struct fx *f)
{
	unsigned i;

	for (i = 0; i < NPV; i++) {
		mlvm_source_close(f->src[i]);
		free(f->img[i]);
	}
	mlvm_vg_free(f->vg);
	mlvm_report_free(&f->r);
}

static uint8_t *pe_ptr(struct fx *f, unsigned pv, uint64_t pe)
{
	return f->img[pv] + PE_START_B + pe * EB;
}

static struct mlvm_lv_reader *open_lv(struct fx *f, const char *name, int leg)
{
	const struct mlvm_lv *lv = mlvm_vg_find_lv(f->vg, name);
	struct mlvm_lv_reader_opts o = { .leg = leg };
	struct mlvm_lv_reader *rd = NULL;

	assert_non_null(lv);
	assert_int_equal(mlvm_lv_reader_new(f->vg, lv, &o, &rd, &f->r), 0);
	assert_non_null(rd);
	return rd;
}

static uint64_t last_direct;	/* bytes mlvm_lv_locate placed in an image, last read_all */

/*
 * Walk the LV with mlvm_lv_locate in pieces of `piece` bytes (odd sizes give
 * unaligned offsets). Every answer covers 1..asked bytes; a direct run holds
 * exactly the bytes mlvm_lv_read returns there, and no range the reader has
 * recorded as missing overlaps it (callers read the whole LV first, so every
 * missing range is known). Returns how many bytes were direct.
 */
static uint64_t check_locate(struct mlvm_lv_reader *rd, size_t piece)
{
	uint64_t size = mlvm_lv_reader_size(rd), start, off, end, direct = 0, soff, run;
	uint8_t *a = malloc(piece), *b = malloc(piece);
	struct mlvm_source *src;

	assert_non_null(a);
	assert_non_null(b);
	/* each piece from its own start: runs end on stripe chunk boundaries,
	 * so a walk that went on from the last run would never ask mid-chunk */
	for (start = 0; start < size; start += piece) {
		end = size - start < piece ? size : start + piece;
		for (off = start; off < end; off += run) {
			uint64_t ask = end - off;
			int rc = mlvm_lv_locate(rd, off, ask, &src, &soff, &run);

			if (run < 1 || run > ask)
				fail_msg("locate at %llu for %llu bytes: run %llu", (unsigned long long)off,
					 (unsigned long long)ask, (unsigned long long)run);
			if (rc == 0) {
				const struct mlvm_range *m;
				size_t n, i;

				assert_non_null(src);
				assert_int_equal(mlvm_source_read(src, a, (size_t)run, soff), 0);
				assert_int_equal(mlvm_lv_read(rd, b, (size_t)run, off), 0);
				if (memcmp(a, b, (size_t)run))
					fail_msg("locate at %llu: image bytes at %llu differ from the LV's",
						 (unsigned long long)off, (unsigned long long)soff);
				m = mlvm_lv_reader_missing(rd, &n);
				for (i = 0; i < n; i++)
					if (m[i].start < off + run && off < m[i].start + m[i].len)
						fail_msg("locate placed %llu+%llu in an image, but it is missing",
							 (unsigned long long)off, (unsigned long long)run);
				direct += run;
			} else {
				assert_int_equal(rc, -ENOENT);
				assert_null(src);
			}
		}
	}
	assert_int_equal(mlvm_lv_locate(rd, size, 1, &src, &soff, &run), -EINVAL);
	free(a);
	free(b);
	return direct;
}

/* read the whole LV in odd-sized pieces; then check mlvm_lv_locate over it */
static uint8_t *read_all(struct mlvm_lv_reader *rd, size_t piece)
{
	uint64_t size = mlvm_lv_reader_size(rd), off;
	uint8_t *buf = malloc(size ? size : 1);

	assert_non_null(buf);
	memset(buf, 0xEE, size);
	for (off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? (size_t)(size - off) : piece;

		assert_int_equal(mlvm_lv_read(rd, buf + off, n, off), 0);
	}
	last_direct = check_locate(rd, piece);
	return buf;
}

/* entries of r from index `from` on with this code whose message holds all the needles */
static size_t said(const struct mlvm_report *r, size_t from, const char *code, const char *n1,
		   const char *n2)
{
	size_t i, k = 0;

	for (i = from; i < r->n; i++)
		if (!strcmp(r->items[i].code, code) && (!n1 || strstr(r->items[i].message, n1)) &&
		    (!n2 || strstr(r->items[i].message, n2)))
			k++;
	return k;
}

static size_t n_missing(struct mlvm_lv_reader *rd)
{
	size_t n;

	mlvm_lv_reader_missing(rd, &n);
	return n;
}

/* ------------------------------------------------------------ linear, striped */

static void linear_multisegment_reads_across_the_boundary(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;
	uint64_t x;

	lv_text(&b, "lin", 2,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 10]\n}\n"
		"segment2 {\nstart_extent = 4\nextent_count = 6\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv1\", 3]\n}\n");
	fx_open(&f, b.data);
	rd = open_lv(&f, "lin", -1);
	assert_int_equal(mlvm_lv_reader_size(rd), 10 * EB);
	all = read_all(rd, 777);
	assert_int_equal(last_direct, 10 * EB);	/* all of it plain image bytes */
	for (x = 0; x < 10 * EB; x++) {
		uint8_t e = x < 4 * EB ? pe_ptr(&f, 0, 10)[x] : pe_ptr(&f, 1, 3)[x - 4 * EB];

		if (all[x] != e)
			fail_msg("byte %llu: %02x, expected %02x", (unsigned long long)x, all[x], e);
	}
	/* one read spanning the boundary at odd offsets */
	memset(all, 0, 2000);
	assert_int_equal(mlvm_lv_read(rd, all, 2000, 4 * EB - 999), 0);
	assert_memory_equal(all, pe_ptr(&f, 0, 10) + 4 * EB - 999, 999);
	assert_memory_equal(all + 999, pe_ptr(&f, 1, 3), 1001);
	assert_int_equal(n_missing(rd), 0);
	assert_int_equal(mlvm_lv_read(rd, all, 2, 10 * EB - 1), -ERANGE);
	assert_false(mlvm_lv_is_hole(rd, 0, 100));
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

/* model: chunk c of a striped area set goes to area c % n at chunk c / n */
static uint8_t striped_byte(struct fx *f, uint64_t x, unsigned n, uint64_t cs,
			    const unsigned *pvs, const unsigned *pes)
{
	uint64_t c = x / cs, area = c % n, off = (c / n) * cs + x % cs;

	return pe_ptr(f, pvs[area], pes[area])[off];
}

static void striped_2_and_3_with_different_stripe_sizes(void **state)
{
	static const unsigned pv2[] = { 0, 1 }, pe2[] = { 0, 5 };
	static const unsigned pv3[] = { 2, 3, 4 }, pe3[] = { 1, 0, 7 };
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;
	uint64_t x, s1 = 8 * EB, total = s1 + 12 * EB;
	size_t pieces[] = { 777, 4096, 65536, 1 << 20 };
	size_t p;

	lv_text(&b, "st", 2,
		"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"striped\"\n"
		"stripe_count = 2\nstripe_size = 2\nstripes = [\"pv0\", 0, \"pv1\", 5]\n}\n"
		"segment2 {\nstart_extent = 8\nextent_count = 12\ntype = \"striped\"\n"
		"stripe_count = 3\nstripe_size = 16\nstripes = [\"pv2\", 1, \"pv3\", 0, \"pv4\", 7]\n}\n");
	fx_open(&f, b.data);
	rd = open_lv(&f, "st", -1);
	assert_int_equal(mlvm_lv_reader_size(rd), total);
	for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		all = read_all(rd, pieces[p]);
		assert_int_equal(last_direct, total);
		for (x = 0; x < total; x++) {
			uint8_t e = x < s1 ? striped_byte(&f, x, 2, 1024, pv2, pe2)
					   : striped_byte(&f, x - s1, 3, 8192, pv3, pe3);

			if (all[x] != e)
				fail_msg("piece %zu byte %llu: %02x, expected %02x", pieces[p],
					 (unsigned long long)x, all[x], e);
		}
		free(all);
	}
	assert_int_equal(n_missing(rd), 0);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

static void raid0_and_raid0_meta_stripe_over_sub_lvs(void **state)
{
	static const unsigned pvs[] = { 0, 1 }, pes[] = { 20, 20 };
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;
	uint64_t x;
	const char *names[] = { "r0", "r0m" };
	int k;

	lv_text(&b, "r0", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"raid0\"\n"
		"stripe_count = 2\nstripe_size = 4\n"
		"raid0_lvs = [\"r0_rimage_0\", 0, \"r0_rimage_1\", 0]\n}\n");
	lin(&b, "r0_rimage_0", 4, 0, 20);
	lin(&b, "r0_rimage_1", 4, 1, 20);
	lv_text(&b, "r0m", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"raid0_meta\"\n"
		"stripe_count = 2\nstripe_size = 4\n"
		"raids = [\"r0m_rmeta_0\", 0, \"r0_rimage_0\", 0, \"r0m_rmeta_1\", 0, \"r0_rimage_1\", 0]\n}\n");
	lin(&b, "r0m_rmeta_0", 1, 5, 0);
	lin(&b, "r0m_rmeta_1", 1, 5, 1);
	fx_open(&f, b.data);
	for (k = 0; k < 2; k++) {
		rd = open_lv(&f, names[k], -1);
		all = read_all(rd, 3001);
		for (x = 0; x < 8 * EB; x++)
			if (all[x] != striped_byte(&f, x, 2, 2048, pvs, pes))
				fail_msg("%s byte %llu", names[k], (unsigned long long)x);
		assert_int_equal(n_missing(rd), 0);
		free(all);
		mlvm_lv_reader_free(rd);
	}
	mlvm_buf_free(&b);
	fx_close(&f);
}

/* ------------------------------------------------------------ mirrors */

static void raid1_leg_choice_and_missing_leg_fallback(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;
	size_t r0;

	lv_text(&b, "m", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 6\ntype = \"raid1\"\n"
		"device_count = 2\nregion_size = 1024\n"
		"raids = [\"m_rmeta_0\", 0, \"m_rimage_0\", 0, \"m_rmeta_1\", 0, \"m_rimage_1\", 0]\n}\n");
	lin(&b, "m_rmeta_0", 1, 7, 0);
	lin(&b, "m_rmeta_1", 1, 7, 1);
	/* image 0: 4 extents on pv0, 2 on pv3 */
	lv_text(&b, "m_rimage_0", 2,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 30]\n}\n"
		"segment2 {\nstart_extent = 4\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv3\", 30]\n}\n");
	lin(&b, "m_rimage_1", 6, 1, 30);
	lv_text(&b, "pvmove0", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 3\ntype = \"mirror\"\n"
		"mirror_count = 2\nmirrors = [\"pv2\", 40, \"pv4\", 41]\n}\n");
	fx_open(&f, b.data);

	rd = open_lv(&f, "m", -1);
	all = read_all(rd, 5000);
	assert_int_equal(last_direct, 6 * EB);
	assert_memory_equal(all, pe_ptr(&f, 0, 30), 4 * EB);
	assert_memory_equal(all + 4 * EB, pe_ptr(&f, 3, 30), 2 * EB);
	free(all);
	mlvm_lv_reader_free(rd);

	rd = open_lv(&f, "m", 1);
	all = read_all(rd, 5000);
	assert_memory_equal(all, pe_ptr(&f, 1, 30), 6 * EB);
	free(all);
	mlvm_lv_reader_free(rd);

	/* pv3 gone: image 0 is degraded, image 1 is read first; the words say so */
	fx_missing(&f, 3, true);
	r0 = f.r.n;
	rd = open_lv(&f, "m", -1);
	all = read_all(rd, 5000);
	assert_memory_equal(all, pe_ptr(&f, 1, 30), 6 * EB);
	assert_int_equal(n_missing(rd), 0);
	assert_int_equal(said(&f.r, r0, "read_from_other_leg", "pv3 (BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBB3)",
			      "leg m_rimage_0 on it are read from the other leg (m_rimage_1)"), 1);
	assert_int_equal(said(&f.r, r0, "lv_pv_missing", NULL, NULL), 0);
	assert_int_equal(said(&f.r, r0, "rebuilt_from_parity", NULL, NULL), 0);
	free(all);
	mlvm_lv_reader_free(rd);

	/* pv1 gone too: image 0 where it exists, the rest missing; neither PV's
	 * bytes are all zeros (pv1's first 4 extents come from image 0) */
	fx_missing(&f, 1, true);
	r0 = f.r.n;
	rd = open_lv(&f, "m", -1);
	assert_int_equal(said(&f.r, r0, "lv_pv_missing", "pv1 (", "where they are readable, the rest reads as zeros"), 1);
	assert_int_equal(said(&f.r, r0, "lv_pv_missing", "pv3 (", "where they are readable, the rest reads as zeros"), 1);
	assert_int_equal(said(&f.r, r0, "read_from_other_leg", NULL, NULL), 0);
	all = read_all(rd, 5000);
	assert_int_equal(last_direct, 4 * EB);	/* not the part no image holds */
	assert_memory_equal(all, pe_ptr(&f, 0, 30), 4 * EB);
	{
		size_t n;
		const struct mlvm_range *mr = mlvm_lv_reader_missing(rd, &n);

		assert_int_equal(n, 1);
		assert_int_equal(mr[0].start, 4 * EB);
		assert_int_equal(mr[0].len, 2 * EB);
	}
	free(all);
	mlvm_lv_reader_free(rd);

	/* pv1 back, pv0 gone: per-range fallback from image 0 to image 1 is moot;
	 * choose leg 0 explicitly: no fallback, missing is reported */
	fx_missing(&f, 1, false);
	fx_missing(&f, 3, false);
	fx_missing(&f, 0, true);
	r0 = f.r.n;
	rd = open_lv(&f, "m", 0);
	all = read_all(rd, 5000);
	assert_memory_equal(all + 4 * EB, pe_ptr(&f, 3, 30), 2 * EB);
	assert_int_equal(n_missing(rd), 1);
	assert_int_equal(said(&f.r, r0, "lv_pv_missing", "pv0 (", "its extents read as zeros"), 1);
	assert_int_equal(said(&f.r, r0, "read_from_other_leg", NULL, NULL), 0);
	free(all);
	mlvm_lv_reader_free(rd);
	fx_missing(&f, 0, false);

	/* a pvmove mirror over PV areas */
	rd = open_lv(&f, "pvmove0", -1);
	all = read_all(rd, 5000);
	assert_memory_equal(all, pe_ptr(&f, 2, 40), 3 * EB);
	free(all);
	mlvm_lv_reader_free(rd);
	fx_missing(&f, 2, true);
	r0 = f.r.n;
	rd = open_lv(&f, "pvmove0", -1);
	all = read_all(rd, 5000);
	assert_memory_equal(all, pe_ptr(&f, 4, 41), 3 * EB);
	assert_int_equal(said(&f.r, r0, "read_from_other_leg", "lv pvmove0: pv pv2 (", "other leg (pv4)"), 1);
	free(all);
	mlvm_lv_reader_free(rd);

	mlvm_buf_free(&b);
	fx_close(&f);
}

static void raid1_mid_leg_hole_falls_back_per_range(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;

	/* image 0: extents 0-1 pv0, 2 on pv3, 3-5 pv0; image 1: 0-3 pv1, 4 on pv4, 5 pv1 */
	lv_text(&b, "m", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 6\ntype = \"raid1\"\n"
		"raids = [\"m_rmeta_0\", 0, \"m_rimage_0\", 0, \"m_rmeta_1\", 0, \"m_rimage_1\", 0]\n}\n");
	lin(&b, "m_rmeta_0", 1, 7, 0);
	lin(&b, "m_rmeta_1", 1, 7, 1);
	lv_text(&b, "m_rimage_0", 3,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 0]\n}\n"
		"segment2 {\nstart_extent = 2\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv3\", 0]\n}\n"
		"segment3 {\nstart_extent = 3\nextent_count = 3\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 2]\n}\n");
	lv_text(&b, "m_rimage_1", 3,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv1\", 0]\n}\n"
		"segment2 {\nstart_extent = 4\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv4\", 0]\n}\n"
		"segment3 {\nstart_extent = 5\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv1\", 4]\n}\n");
	fx_open(&f, b.data);
	fx_missing(&f, 3, true);
	fx_missing(&f, 4, true);
	/* both images degraded, in different places: every byte is still there */
	rd = open_lv(&f, "m", -1);
	all = read_all(rd, 3 * EB + 100);
	assert_memory_equal(all, pe_ptr(&f, 0, 0), 2 * EB);
	assert_memory_equal(all + 2 * EB, pe_ptr(&f, 1, 2), EB);
	assert_memory_equal(all + 3 * EB, pe_ptr(&f, 0, 2), 3 * EB);
	assert_int_equal(n_missing(rd), 0);
	free(all);
	mlvm_lv_reader_free(rd);
	/* image 1 gone entirely: extent 2 has no copy left */
	fx_missing(&f, 1, true);
	rd = open_lv(&f, "m", -1);
	all = read_all(rd, 3 * EB);
	assert_memory_equal(all, pe_ptr(&f, 0, 0), 2 * EB);
	assert_memory_equal(all + 3 * EB, pe_ptr(&f, 0, 2), 3 * EB);
	assert_int_equal(n_missing(rd), 1);
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

/* ------------------------------------------------------------ raid10, raid4/5/6 */

static uint8_t data_byte(uint64_t x)
{
	return (uint8_t)(x * 7 + (x >> 9) * 13 + (x >> 15) * 3 + 1);
}

static void raids_text(struct mlvm_buf *b, const char *name, const char *type, unsigned n,
		       unsigned lv_ext, unsigned img_ext, unsigned stripe, const char *extra)
{
	char body[4096], *p = body;
	unsigned i;

	p += sprintf(p, "segment1 {\nstart_extent = 0\nextent_count = %u\ntype = \"%s\"\n"
		     "device_count = %u\nstripe_size = %u\nregion_size = 1024\n%s\nraids = [",
		     lv_ext, type, n, stripe, extra);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"%s_rmeta_%u\", 0, \"%s_rimage_%u\", 0", i ? ", " : "",
			     name, i, name, i);
	sprintf(p, "]\n}\n");
	lv_text(b, name, 1, body);
	for (i = 0; i < n; i++) {
		char nm[64];

		snprintf(nm, sizeof(nm), "%s_rmeta_%u", name, i);
		lin(b, nm, 1, 7, 50 + i);
		snprintf(nm, sizeof(nm), "%s_rimage_%u", name, i);
		lin(b, nm, img_ext, i, 0);
	}
}

static void check_data(struct mlvm_lv_reader *rd, size_t piece, bool expect_complete)
{
	uint64_t size = mlvm_lv_reader_size(rd), x;
	uint8_t *all = read_all(rd, piece);

	for (x = 0; x < size; x++)
		if (all[x] != data_byte(x)) {
			if (!expect_complete)
				break;
			fail_msg("byte %llu: %02x, expected %02x", (unsigned long long)x, all[x],
				 data_byte(x));
		}
	if (expect_complete)
		assert_int_equal(n_missing(rd), 0);
	else
		assert_true(n_missing(rd) > 0);
	free(all);
}

static void raid10_near_layout_and_missing_image(void **state)
{
	unsigned nimg;

	for (nimg = 3; nimg <= 4; nimg++) {
		struct fx f;
		struct mlvm_buf b = { 0 };
		struct mlvm_lv_reader *rd;
		uint64_t cs = 2048, lvsize = 6 * EB * nimg / 3, i, k;
		unsigned d;

		/* 2 copies over nimg images: each image holds lvsize * 2 / nimg */
		raids_text(&b, "r10", "raid10", nimg, (unsigned)(lvsize / EB),
			   (unsigned)(lvsize * 2 / nimg / EB), 4, "data_copies = 2");
		fx_open(&f, b.data);
		/* md near layout: logical chunk i on images (2i+k) mod n at row (2i+k) / n */
		for (i = 0; i < lvsize / cs; i++)
			for (k = 0; k < 2; k++) {
				uint64_t p = 2 * i + k, j;
				uint8_t *dst = pe_ptr(&f, (unsigned)(p % nimg), 0) + (p / nimg) * cs;

				for (j = 0; j < cs; j++)
					dst[j] = data_byte(i * cs + j);
			}
		rd = open_lv(&f, "r10", -1);
		check_data(rd, 3333, true);
		assert_int_equal(last_direct, lvsize);
		mlvm_lv_reader_free(rd);
		for (d = 0; d < nimg; d++) {
			size_t r0 = f.r.n;
			char pvw[32];

			snprintf(pvw, sizeof(pvw), "pv pv%u (", d);
			fx_missing(&f, d, true);
			rd = open_lv(&f, "r10", -1);
			check_data(rd, 3333, true);
			assert_int_equal(said(&f.r, r0, "read_from_other_leg", pvw, NULL), 1);
			assert_int_equal(said(&f.r, r0, "lv_pv_missing", NULL, NULL), 0);
			mlvm_lv_reader_free(rd);
			fx_missing(&f, d, false);
		}
		if (nimg == 4) {
			/* images 0 and 2 gone: every chunk keeps its copy on 1 or 3 */
			size_t r0 = f.r.n;

			fx_missing(&f, 0, true);
			fx_missing(&f, 2, true);
			rd = open_lv(&f, "r10", -1);
			check_data(rd, 3333, true);
			assert_int_equal(said(&f.r, r0, "read_from_other_leg", NULL, NULL), 2);
			assert_int_equal(said(&f.r, r0, "lv_pv_missing", NULL, NULL), 0);
			mlvm_lv_reader_free(rd);
			fx_missing(&f, 2, false);
		}
		/* two adjacent images gone: some chunks have no copy left, the
		 * others are read from the remaining copies: said so, per PV */
		{
			size_t r0 = f.r.n;

			fx_missing(&f, 0, true);
			fx_missing(&f, 1, true);
			rd = open_lv(&f, "r10", -1);
			check_data(rd, 3333, false);
			assert_int_equal(said(&f.r, r0, "lv_pv_missing", "where they are readable", NULL), 2);
			assert_int_equal(said(&f.r, r0, "read_from_other_leg", NULL, NULL), 0);
			mlvm_lv_reader_free(rd);
		}
		mlvm_buf_free(&b);
		fx_close(&f);
	}
}

/* GF(2^8) multiply, bit by bit, polynomial 0x11d */
static uint8_t gmul(uint8_t a, uint8_t b)
{
	uint8_t r = 0;

	while (b) {
		if (b & 1)
			r ^= a;
		b >>= 1;
		a = (uint8_t)((a << 1) ^ (a & 0x80 ? 0x1d : 0));
	}
	return r;
}

static uint8_t gpow(unsigned e)
{
	uint8_t r = 1;

	while (e--)
		r = gmul(r, 2);
	return r;
}

/*
 * The layouts as the md/dm-raid documentation describes them, for stripe
 * s over n images: where P and Q are and which image holds data chunk k.
 */
static void layout(const char *type, unsigned n, uint64_t s, unsigned *p, unsigned *q, unsigned *dev)
{
	unsigned k, d = 0, nd;

	*p = 0;
	*q = n;	/* none */
	if (!strcmp(type, "raid4")) {
		*p = 0;			/* dedicated first parity image */
	} else if (!strcmp(type, "raid5_n")) {
		*p = n - 1;		/* dedicated last parity image */
	} else if (!strcmp(type, "raid5_la") || !strcmp(type, "raid5_ls")) {
		*p = n - 1 - (unsigned)(s % n);	/* parity moves left from the last image */
	} else if (!strcmp(type, "raid5_ra") || !strcmp(type, "raid5_rs")) {
		*p = (unsigned)(s % n);		/* parity moves right from the first image */
	} else if (!strcmp(type, "raid6_zr")) {
		*p = (unsigned)(s % n);
		*q = (*p + 1) % n;
	} else if (!strcmp(type, "raid6_nr")) {
		*p = n - 1 - (unsigned)((s + 1) % n);
		*q = (*p + 1) % n;
	} else if (!strcmp(type, "raid6_nc")) {
		*p = n - 1 - (unsigned)(s % n);
		*q = (*p + n - 1) % n;
	} else if (!strcmp(type, "raid6_n_6")) {
		*p = n - 2;
		*q = n - 1;
	} else {
		fail_msg("no layout for %s", type);
	}
	nd = n - (*q < n ? 2 : 1);
	if (!strcmp(type, "raid5_ls") || !strcmp(type, "raid5_rs") || !strcmp(type, "raid6_nc")) {
		/* symmetric: data continues after the parity image, wrapping */
		for (k = 0; k < nd; k++)
			dev[k] = (*p + 1 + k) % n;
	} else {
		/* asymmetric / restart: data on the other images in order */
		for (k = 0; k < n; k++)
			if (k != *p && k != *q)
				dev[d++] = k;
	}
}

/* images that hold only parity in every stripe (md layouts) */
static bool parity_only_image(const char *type, unsigned n, unsigned i)
{
	if (!strcmp(type, "raid4"))
		return i == 0;
	if (!strcmp(type, "raid5_n"))
		return i == n - 1;
	if (!strcmp(type, "raid6_n_6"))
		return i + 2 >= n;
	return false;
}

static void raid456_case(const char *type, unsigned n, unsigned parity, unsigned data_offset_ext)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	const uint64_t cs = 2048, per = 8 * EB;	/* data bytes per image */
	uint64_t s, j;
	unsigned nd = n - parity, k, i, i2;
	char extra[64];

	snprintf(extra, sizeof(extra), data_offset_ext ? "data_offset = %u" : "# %u",
		 data_offset_ext * EB / 512);
	raids_text(&b, "r", type, n, (unsigned)(per * nd / EB), (unsigned)(per / EB) + data_offset_ext,
		   (unsigned)(cs / 512), extra);
	fx_open(&f, b.data);
	for (s = 0; s < per / cs; s++) {
		unsigned p, q, dev[16];
		uint8_t *pp, *qq;

		layout(type, n, s, &p, &q, dev);
		pp = pe_ptr(&f, p, data_offset_ext) + s * cs;
		qq = q < n ? pe_ptr(&f, q, data_offset_ext) + s * cs : NULL;
		memset(pp, 0, cs);
		if (qq)
			memset(qq, 0, cs);
		for (k = 0; k < nd; k++) {
			uint8_t *dst = pe_ptr(&f, dev[k], data_offset_ext) + s * cs;

			for (j = 0; j < cs; j++) {
				uint8_t v = data_byte((s * nd + k) * cs + j);

				dst[j] = v;
				pp[j] ^= v;
				if (qq)
					qq[j] ^= gmul(gpow(dev[k]), v);
			}
		}
	}
	rd = open_lv(&f, "r", -1);
	check_data(rd, 5555, true);
	assert_int_equal(last_direct, per * nd);	/* every data chunk from its image */
	mlvm_lv_reader_free(rd);
	/* one image missing: rebuilt from P (or Q), and said so; an image of
	 * parity only is not needed */
	for (i = 0; i < n; i++) {
		size_t r0 = f.r.n;
		char pvw[32], imgw[32];

		snprintf(pvw, sizeof(pvw), "pv pv%u (", i);
		snprintf(imgw, sizeof(imgw), "image r_rimage_%u on it", i);
		fx_missing(&f, i, true);
		rd = open_lv(&f, "r", -1);
		check_data(rd, 1 << 20, true);
		assert_int_equal(said(&f.r, r0, "lv_pv_missing", NULL, NULL), 0);
		if (parity_only_image(type, n, i))
			assert_int_equal(said(&f.r, r0, "parity_pv_missing", pvw, imgw), 1);
		else
			assert_int_equal(said(&f.r, r0, "rebuilt_from_parity", pvw, imgw), 1);
		mlvm_lv_reader_free(rd);
		fx_missing(&f, i, false);
	}
	/* two missing: raid6 rebuilds, raid5 cannot */
	for (i = 0; i < n; i++)
		for (i2 = i + 1; i2 < n; i2++) {
			size_t r0 = f.r.n;

			fx_missing(&f, i, true);
			fx_missing(&f, i2, true);
			rd = open_lv(&f, "r", -1);
			check_data(rd, 7777, parity == 2);
			/* raid6: both rebuilt (or not needed); raid4/5: the bytes are gone */
			assert_int_equal(said(&f.r, r0, "lv_pv_missing", NULL, NULL), parity == 2 ? 0 : 2);
			assert_int_equal(said(&f.r, r0, "rebuilt_from_parity", NULL, NULL) +
					 said(&f.r, r0, "parity_pv_missing", NULL, NULL), parity == 2 ? 2 : 0);
			mlvm_lv_reader_free(rd);
			fx_missing(&f, i, false);
			fx_missing(&f, i2, false);
			if (parity == 1)
				goto done;
		}
done:
	mlvm_buf_free(&b);
	fx_close(&f);
}

static void raid4_parity_on_first_image(void **state)
{
	raid456_case("raid4", 4, 1, 0);
	raid456_case("raid4", 3, 1, 0);
}

static void raid5_layouts(void **state)
{
	static const char *const t[] = { "raid5_la", "raid5_ra", "raid5_ls", "raid5_rs", "raid5_n" };
	unsigned i, n;

	for (i = 0; i < 5; i++)
		for (n = 3; n <= 5; n++)
			raid456_case(t[i], n, 1, 0);
}

static void raid6_layouts_rebuild_two_missing(void **state)
{
	static const char *const t[] = { "raid6_zr", "raid6_nr", "raid6_nc", "raid6_n_6" };
	unsigned i, n;

	for (i = 0; i < 4; i++)
		for (n = 4; n <= 6; n++)
			raid456_case(t[i], n, 2, 0);
}

static void raid_data_offset_is_honoured(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;

	raid456_case("raid5_ls", 4, 1, 1);
	raid456_case("raid6_zr", 5, 2, 2);
	/* raid1: data_offset = 16 sectors: data starts 2 extents into each image */
	raids_text(&b, "m", "raid1", 2, 4, 6, 0, "data_offset = 16");
	fx_open(&f, b.data);
	rd = open_lv(&f, "m", 1);
	all = read_all(rd, 4000);
	assert_memory_equal(all, pe_ptr(&f, 1, 2), 4 * EB);
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

/* ------------------------------------------------------------ snapshot, error, zero */

static void snapshot_reads_cow_chunks_over_the_origin(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all, *cow;
	uint64_t c;

	lin(&b, "orig", 8, 0, 0);
	lin(&b, "snap", 8, 1, 0);
	lv_text(&b, "snapshot0", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"snapshot\"\n"
		"chunk_size = 8\norigin = \"orig\"\ncow_store = \"snap\"\n}\n");
	fx_open(&f, b.data);
	/* counted when the VG was built: readers look for the snapshot of a
	 * cow store only in VGs that have one */
	assert_true(f.vg->snapshots_counted);
	assert_int_equal(f.vg->n_snapshot_lvs, 1);
	assert_true(mlvm_lv_is_snapshot(mlvm_vg_find_lv(f.vg, "snapshot0")));
	assert_false(mlvm_lv_is_snapshot(mlvm_vg_find_lv(f.vg, "snap")));
	assert_false(mlvm_lv_is_snapshot(NULL));
	/* the store on pv1: header, area 0 at chunk 1, data chunks 2.. */
	cow = pe_ptr(&f, 1, 0);
	memset(cow, 0, 8 * EB);
	mlvm_put_le32(cow, 0x70416e53);
	mlvm_put_le32(cow + 4, 1);
	mlvm_put_le32(cow + 8, 1);
	mlvm_put_le32(cow + 12, 8);
	mlvm_put_le64(cow + EB, 2);
	mlvm_put_le64(cow + EB + 8, 2);
	mlvm_put_le64(cow + EB + 16, 5);
	mlvm_put_le64(cow + EB + 24, 3);
	memset(cow + 2 * EB, 0xAB, EB);
	memset(cow + 3 * EB, 0xCD, EB);

	rd = open_lv(&f, "snapshot0", -1);
	all = read_all(rd, 1500);
	assert_int_equal(last_direct, 0);	/* computed: the exceptions over the origin */
	for (c = 0; c < 8; c++) {
		if (c == 2 || c == 5) {
			uint8_t want[EB];

			memset(want, c == 2 ? 0xAB : 0xCD, EB);
			assert_memory_equal(all + c * EB, want, EB);
		} else {
			assert_memory_equal(all + c * EB, pe_ptr(&f, 0, c), EB);
		}
	}
	assert_int_equal(n_missing(rd), 0);
	free(all);
	mlvm_lv_reader_free(rd);

	/* the visible snapshot LV (the cow store) reads as the snapshot... */
	rd = open_lv(&f, "snap", -1);
	all = read_all(rd, 1500);
	assert_memory_equal(all, pe_ptr(&f, 0, 0), 2 * EB);
	assert_memory_equal(all + 3 * EB, pe_ptr(&f, 0, 3), 2 * EB);
	assert_int_equal(all[2 * EB], 0xAB);
	free(all);
	mlvm_lv_reader_free(rd);
	/* ...unless its raw bytes are asked for */
	{
		struct mlvm_lv_reader_opts o = { .leg = -1, .cow_raw = true };

		assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "snap"), &o, &rd, &f.r), 0);
		all = read_all(rd, 1500);
		assert_int_equal(mlvm_le32(all), 0x70416e53);
		free(all);
		mlvm_lv_reader_free(rd);
	}

	/* a zeroed header: a new, empty store (dm-snapshot): the origin, with a notice */
	{
		uint8_t hdr[16];
		size_t r0 = f.r.n;

		memcpy(hdr, cow, sizeof(hdr));
		memset(cow, 0, sizeof(hdr));
		rd = open_lv(&f, "snapshot0", -1);
		all = read_all(rd, 1500);
		assert_memory_equal(all, pe_ptr(&f, 0, 0), 8 * EB);
		assert_int_equal(n_missing(rd), 0);
		assert_int_equal(said(&f.r, r0, "snapshot_cow_empty", "lv snapshot0", "reads as its origin, lv orig"), 1);
		assert_int_equal(f.r.items[f.r.n - 1].severity, MLVM_SEV_NOTICE);
		assert_int_equal(said(&f.r, r0, "snapshot_cow", NULL, NULL), 0);
		free(all);
		mlvm_lv_reader_free(rd);
		memcpy(cow, hdr, sizeof(hdr));
	}

	/* a damaged store: the snapshot reads as missing, no crash */
	cow[0] ^= 0xff;
	rd = open_lv(&f, "snapshot0", -1);
	all = read_all(rd, 1500);
	assert_int_equal(n_missing(rd), 1);
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

static void error_and_zero_segments(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all, zero[2 * EB];
	size_t n;
	const struct mlvm_range *mr;

	lv_text(&b, "ez", 3,
		"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 0]\n}\n"
		"segment2 {\nstart_extent = 1\nextent_count = 2\ntype = \"error\"\n}\n"
		"segment3 {\nstart_extent = 3\nextent_count = 2\ntype = \"zero\"\n}\n");
	fx_open(&f, b.data);
	rd = open_lv(&f, "ez", -1);
	all = read_all(rd, 1000);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(all, pe_ptr(&f, 0, 0), EB);
	assert_memory_equal(all + EB, zero, 2 * EB);
	assert_memory_equal(all + 3 * EB, zero, 2 * EB);
	mr = mlvm_lv_reader_missing(rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(mr[0].start, EB);
	assert_int_equal(mr[0].len, 2 * EB);
	assert_true(mlvm_lv_is_hole(rd, 3 * EB, 2 * EB));
	assert_true(mlvm_lv_is_hole(rd, 3 * EB + 5, 100));
	assert_false(mlvm_lv_is_hole(rd, 0, EB));
	assert_false(mlvm_lv_is_hole(rd, EB, EB));
	assert_false(mlvm_lv_is_hole(rd, 2 * EB, 2 * EB));
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

static void missing_pv_reads_zeros_and_records_ranges(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all, zero[3 * EB];
	size_t n;
	const struct mlvm_range *mr;

	lv_text(&b, "lv", 3,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 0]\n}\n"
		"segment2 {\nstart_extent = 2\nextent_count = 3\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv1\", 0]\n}\n"
		"segment3 {\nstart_extent = 5\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 60]\n}\n");
	fx_open(&f, b.data);
	fx_missing(&f, 1, true);
	rd = open_lv(&f, "lv", -1);
	all = read_all(rd, 999);	/* many small reads: ranges merge */
	assert_int_equal(last_direct, 4 * EB);	/* all but pv1's three extents */
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(all, pe_ptr(&f, 0, 0), 2 * EB);
	assert_memory_equal(all + 2 * EB, zero, 3 * EB);
	/* segment3's area runs past pv0's 64 extents: the part past the image is missing */
	assert_memory_equal(all + 5 * EB, pe_ptr(&f, 0, 60), 2 * EB);
	mr = mlvm_lv_reader_missing(rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(mr[0].start, 2 * EB);
	assert_int_equal(mr[0].len, 3 * EB);
	assert_true(mlvm_report_count(&f.r, MLVM_SEV_WARNING) > 0);
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

static void area_past_image_end_is_missing(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;
	size_t n;
	const struct mlvm_range *mr;

	lin(&b, "lv", 4, 2, 62);	/* extents 62..65 of a 64-extent pv */
	fx_open(&f, b.data);
	rd = open_lv(&f, "lv", -1);
	all = read_all(rd, 3000);
	assert_int_equal(last_direct, 2 * EB);
	assert_memory_equal(all, pe_ptr(&f, 2, 62), 2 * EB);
	mr = mlvm_lv_reader_missing(rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(mr[0].start, 2 * EB);
	assert_int_equal(mr[0].len, 2 * EB);
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

/* ------------------------------------------------------------ thin */

/* the committed dm-thin metadata image of test_thin (pool.xml describes it) */
static uint8_t *load_thin_meta(size_t *size)
{
	const char *top = getenv("top_srcdir");
	char cmd[4096];
	FILE *p;
	uint8_t *buf = malloc(2u << 20);
	size_t n = 0, got;

	assert_non_null(buf);
	snprintf(cmd, sizeof(cmd), "xz -dc '%s/tests/unit/data/thin/pool.meta.xz' 2>/dev/null",
		 top ? top : ".");
	p = popen(cmd, "r");
	if (!p) {
		free(buf);
		return NULL;
	}
	while ((got = fread(buf + n, 1, (2u << 20) - n, p)) > 0)
		n += got;
	if (pclose(p) != 0 || n != (1u << 20)) {
		free(buf);
		return NULL;
	}
	*size = n;
	return buf;
}

static void thin_volumes_map_through_the_pool(void **state)
{
	/* extents of 64 KiB (the pool's 128-sector blocks); pv0: _tmeta, pv1: _tdata */
	const uint64_t eb = 64u << 10, pvb = 4096 + 100 * eb;
	struct mlvm_buf t = { 0 };
	struct mlvm_report r;
	struct mlvm_vg *vg;
	struct mlvm_source *src[2];
	uint8_t *img[2], *meta, *all, zero[64u << 10];
	size_t msize, n;
	uint64_t o, b;
	const struct mlvm_range *mr;
	struct mlvm_lv_reader *rd;
	const struct mlvm_lv_reader_opts opts = { .leg = -1 };
	int i;

	meta = load_thin_meta(&msize);
	if (!meta)
		skip();
	mlvm_report_init(&r);
	assert_int_equal(mlvm_buf_printf(&t,
		"vg0 {\nid = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\nseqno = 1\nformat = \"lvm2\"\n"
		"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nextent_size = 128\nphysical_volumes {\n"
		"pv0 {\nid = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBB0\"\nstatus = [\"ALLOCATABLE\"]\n"
		"pe_start = 8\npe_count = 100\n}\n"
		"pv1 {\nid = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBB1\"\nstatus = [\"ALLOCATABLE\"]\n"
		"pe_start = 8\npe_count = 100\n}\n}\nlogical_volumes {\n"), 0);
	lv_text(&t, "pool", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 64\ntype = \"thin-pool\"\n"
		"metadata = \"pool_tmeta\"\npool = \"pool_tdata\"\ntransaction_id = 5\nchunk_size = 128\n}\n");
	lin(&t, "pool_tmeta", 16, 0, 0);
	lin(&t, "pool_tdata", 64, 1, 0);
	lv_text(&t, "t2", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 16\ntype = \"thin\"\n"
		"thin_pool = \"pool\"\ntransaction_id = 3\ndevice_id = 2\n}\n");
	lv_text(&t, "t7", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 8\ntype = \"thin\"\n"
		"thin_pool = \"pool\"\ntransaction_id = 5\ndevice_id = 7\n}\n");
	assert_int_equal(mlvm_buf_printf(&t, "}\n}\ncontents = \"Text Format Volume Group\"\nversion = 1\n"), 0);
	assert_int_equal(mlvm_vg_from_text(t.data, t.len, &vg, &r, NULL, -1), 0);
	for (i = 0; i < 2; i++) {
		img[i] = malloc(pvb);
		assert_non_null(img[i]);
		for (o = 0; o < pvb; o++)
			img[i][o] = pat((unsigned)i, o);
		src[i] = mlvm_source_memory(i ? "pv1" : "pv0", img[i], pvb, 0);
		vg->pvs[i].src = src[i];
		vg->pvs[i].missing = false;
	}
	memcpy(img[0] + 4096, meta, msize);
	memset(zero, 0, sizeof(zero));

	/* device 2: blocks 0-9 -> data 0-9, block 10 -> data 2000 (past _tdata), rest unmapped */
	assert_int_equal(mlvm_lv_reader_new(vg, mlvm_vg_find_lv(vg, "t2"), &opts, &rd, &r), 0);
	all = read_all(rd, 100000);
	assert_int_equal(last_direct, 10 * eb);	/* the mapped blocks inside _tdata */
	assert_memory_equal(all, img[1] + 4096, 10 * eb);
	{
		/* locate answers in the read path's runs: blocks mapped
		 * contiguously are one run, unmapped ones up to the next mapped */
		struct mlvm_source *ls;
		uint64_t soff, run;

		assert_int_equal(mlvm_lv_locate(rd, 5, 10 * eb - 5, &ls, &soff, &run), 0);
		assert_ptr_equal(ls, src[1]);
		assert_int_equal(soff, 4096 + 5);
		assert_int_equal(run, 10 * eb - 5);
		assert_int_equal(mlvm_lv_locate(rd, 11 * eb + 3, 5 * eb - 3, &ls, &soff, &run), -ENOENT);
		assert_int_equal(run, 5 * eb - 3);
	}
	for (b = 10; b < 16; b++)
		assert_memory_equal(all + b * eb, zero, eb);
	mr = mlvm_lv_reader_missing(rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(mr[0].start, 10 * eb);
	assert_int_equal(mr[0].len, eb);
	assert_true(mlvm_lv_is_hole(rd, 11 * eb, 5 * eb));
	assert_false(mlvm_lv_is_hole(rd, 9 * eb, 2 * eb));
	assert_false(mlvm_lv_is_hole(rd, 10 * eb + 5, 10));
	free(all);
	mlvm_lv_reader_free(rd);

	/* device 7: block 7 -> data 5 */
	assert_int_equal(mlvm_lv_reader_new(vg, mlvm_vg_find_lv(vg, "t7"), &opts, &rd, &r), 0);
	all = read_all(rd, 70000);
	assert_int_equal(last_direct, eb);
	assert_memory_equal(all + 7 * eb, img[1] + 4096 + 5 * eb, eb);
	for (b = 1; b < 7; b++)
		assert_memory_equal(all + b * eb, zero, eb);
	assert_true(mlvm_lv_is_hole(rd, eb, 6 * eb));
	free(all);
	mlvm_lv_reader_free(rd);

	/* the pool itself is refused, naming its thin LVs and _tdata; _tdata reads raw */
	{
		size_t r0 = r.n;

		rd = (struct mlvm_lv_reader *)&r;	/* must be reset */
		assert_int_equal(mlvm_lv_reader_new(vg, mlvm_vg_find_lv(vg, "pool"), &opts, &rd, &r), -EISDIR);
		assert_null(rd);
		assert_true(mlvm_lv_is_thin_pool(mlvm_vg_find_lv(vg, "pool")));
		assert_false(mlvm_lv_is_thin_pool(mlvm_vg_find_lv(vg, "pool_tdata")));
		assert_int_equal(said(&r, r0, "thin_pool_lv", "lv pool is a thin pool", "(t2, t7)"), 1);
		assert_int_equal(said(&r, r0, "thin_pool_lv", "pool_tdata holds the pool's raw data area", NULL), 1);
		assert_int_equal(r.items[r0].severity, MLVM_SEV_ERROR);
		assert_int_equal(mlvm_lv_reader_new(vg, mlvm_vg_find_lv(vg, "pool_tdata"), &opts, &rd, &r), 0);
		all = read_all(rd, 100000);
		assert_memory_equal(all, img[1] + 4096, 64 * eb);
		free(all);
		mlvm_lv_reader_free(rd);
	}

	/* metadata on a missing PV: zeros and missing, no crash */
	vg->pvs[0].missing = true;
	vg->pvs[0].src = NULL;
	assert_int_equal(mlvm_lv_reader_new(vg, mlvm_vg_find_lv(vg, "t2"), &opts, &rd, &r), 0);
	all = read_all(rd, 100000);
	assert_int_equal(last_direct, 0);
	mr = mlvm_lv_reader_missing(rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(mr[0].len, 16 * eb);
	free(all);
	mlvm_lv_reader_free(rd);

	for (i = 0; i < 2; i++) {
		mlvm_source_close(src[i]);
		free(img[i]);
	}
	free(meta);
	mlvm_vg_free(vg);	/* it owns the text */
	mlvm_report_free(&r);
}

/* ------------------------------------------------------------ hostile metadata */

/* a thin volume whose thin_pool names no LV: zeros, all missing; asking
 * whether a range is a hole (export --sparse) crashed (found by fuzz_lvmap) */
static void thin_volume_without_a_pool_reads_as_missing(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd;
	uint8_t *all;
	size_t n;
	const struct mlvm_range *mr;

	lv_text(&b, "thin", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"thin\"\n"
		"thin_pool = \"nosuchpool\"\ntransaction_id = 0\ndevice_id = 1\n}\n");
	fx_open(&f, b.data);
	rd = open_lv(&f, "thin", -1);
	assert_false(mlvm_lv_is_hole(rd, 0, 4 * EB));
	assert_false(mlvm_lv_is_hole(rd, EB + 5, 100));
	all = read_all(rd, 3000);
	assert_int_equal(last_direct, 0);
	mr = mlvm_lv_reader_missing(rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(mr[0].start, 0);
	assert_int_equal(mr[0].len, 4 * EB);
	free(all);
	mlvm_lv_reader_free(rd);
	mlvm_buf_free(&b);
	fx_close(&f);
}

static void hostile_metadata_fails_cleanly(void **state)
{
	struct fx f;
	struct mlvm_buf b = { 0 };
	struct mlvm_lv_reader *rd = NULL;
	const struct mlvm_lv_reader_opts o = { .leg = -1 };
	uint8_t buf[8192];
	char nm[32];
	int i;
	static const char *const readable[] = {
		"nostripes", "stripe0", "huge", "ghost", "r5one", "r10many", "thinless",
		"snapless", "thinbad", "stripehuge", "cache1", "mirrorghost",
	};
	size_t k;

	lv_text(&b, "nostripes", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\nstripe_count = 0\n}\n");
	lv_text(&b, "stripe0", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\n"
		"stripe_count = 2\nstripe_size = 0\nstripes = [\"pv0\", 0, \"pv1\", 0]\n}\n");
	lv_text(&b, "stripehuge", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\n"
		"stripe_count = 2\nstripe_size = 9223372036854775807\nstripes = [\"pv0\", 0, \"pv1\", 0]\n}\n");
	lv_text(&b, "huge", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 9223372036854775807\ntype = \"striped\"\n"
		"stripe_count = 3\nstripe_size = 1\nstripes = [\"pv0\", 9223372036854775000, \"pv1\", 0, \"pv2\", 0]\n}\n");
	lv_text(&b, "ghost", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"nothing\", 0]\n}\n");
	lv_text(&b, "mirrorghost", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"mirror\"\n"
		"mirrors = [\"nothing\", 0, \"pv0\", 0]\n}\n");
	lv_text(&b, "r5one", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"raid5_ls\"\nstripe_size = 4\n"
		"raids = [\"x_rmeta_0\", 0, \"lin0\", 0]\n}\n");
	lv_text(&b, "r10many", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"raid10\"\nstripe_size = 4\n"
		"data_copies = 100\nraids = [\"x_rmeta_0\", 0, \"lin0\", 0, \"x_rmeta_1\", 0, \"lin0\", 0]\n}\n");
	lv_text(&b, "thinless", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"thin\"\nthin_pool = \"nope\"\n"
		"device_id = 1\n}\n");
	lv_text(&b, "thinbad", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"thin\"\nthin_pool = \"poolgarbage\"\n"
		"device_id = 1\n}\n");
	lv_text(&b, "poolgarbage", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"thin-pool\"\n"
		"metadata = \"lin0\"\npool = \"lin0\"\nchunk_size = 128\n}\n");
	lv_text(&b, "snapless", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"snapshot\"\norigin = \"lin0\"\n"
		"cow_store = \"missingcow\"\nchunk_size = 8\n}\n");
	lv_text(&b, "cache1", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"cache\"\norigin = \"lin0\"\n"
		"cache_pool = \"nope\"\n}\n");
	lin(&b, "lin0", 2, 0, 0);
	lv_text(&b, "loopa", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"loopb\", 0]\n}\n");
	lv_text(&b, "loopb", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"raid1\"\n"
		"raids = [\"x_rmeta_0\", 0, \"loopa\", 0]\n}\n");
	lv_text(&b, "self", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"self\", 0]\n}\n");
	lv_text(&b, "weird", 1,
		"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"vdo-ish\"\n}\n");
	/* a chain 40 deep */
	for (i = 0; i < 40; i++) {
		char body[256];

		snprintf(nm, sizeof(nm), "chain%d", i);
		if (i == 39)
			snprintf(body, sizeof(body),
				 "segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"zero\"\n}\n");
		else
			snprintf(body, sizeof(body),
				 "segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\n"
				 "stripe_count = 1\nstripes = [\"chain%d\", 0]\n}\n", i + 1);
		lv_text(&b, nm, 1, body);
	}
	fx_open(&f, b.data);

	for (k = 0; k < sizeof(readable) / sizeof(readable[0]); k++) {
		uint64_t size;

		rd = NULL;
		if (mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, readable[k]), &o, &rd, &f.r))
			fail_msg("%s: reader refused", readable[k]);
		size = mlvm_lv_reader_size(rd);
		assert_int_equal(mlvm_lv_read(rd, buf, sizeof(buf) < size ? sizeof(buf) : size, 0), 0);
		if (size > sizeof(buf) + 12345)
			assert_int_equal(mlvm_lv_read(rd, buf, sizeof(buf), size - sizeof(buf) - 12345), 0);
		mlvm_lv_reader_free(rd);
	}
	/* a thin pool is no volume of its own, even a garbage one */
	assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "poolgarbage"), &o, &rd, &f.r), -EISDIR);
	assert_null(rd);
	assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "loopa"), &o, &rd, &f.r), -ELOOP);
	assert_null(rd);
	assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "self"), &o, &rd, &f.r), -ELOOP);
	assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "chain0"), &o, &rd, &f.r), -ELOOP);
	assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "chain20"), &o, &rd, &f.r), 0);
	mlvm_lv_reader_free(rd);
	assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "weird"), &o, &rd, &f.r), -ENOTSUP);
	{
		const struct mlvm_lv_reader_opts bad_leg = { .leg = 5 };

		assert_int_equal(mlvm_lv_reader_new(f.vg, mlvm_vg_find_lv(f.vg, "mirrorghost"), &bad_leg,
						    &rd, &f.r), -EINVAL);
	}
	mlvm_buf_free(&b);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear_multisegment_reads_across_the_boundary),
		cmocka_unit_test(striped_2_and_3_with_different_stripe_sizes),
		cmocka_unit_test(raid0_and_raid0_meta_stripe_over_sub_lvs),
		cmocka_unit_test(raid1_leg_choice_and_missing_leg_fallback),
		cmocka_unit_test(raid1_mid_leg_hole_falls_back_per_range),
		cmocka_unit_test(raid10_near_layout_and_missing_image),
		cmocka_unit_test(raid4_parity_on_first_image),
		cmocka_unit_test(raid5_layouts),
		cmocka_unit_test(raid6_layouts_rebuild_two_missing),
		cmocka_unit_test(raid_data_offset_is_honoured),
		cmocka_unit_test(snapshot_reads_cow_chunks_over_the_origin),
		cmocka_unit_test(error_and_zero_segments),
		cmocka_unit_test(missing_pv_reads_zeros_and_records_ranges),
		cmocka_unit_test(area_past_image_end_is_missing),
		cmocka_unit_test(thin_volumes_map_through_the_pool),
		cmocka_unit_test(thin_volume_without_a_pool_reads_as_missing),
		cmocka_unit_test(hostile_metadata_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
