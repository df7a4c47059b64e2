/*
 * test_assemble.c - unit tests for finding PVs and assembling VGs
 * (assemble.c), on synthetic images built in memory.
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

#include "model/assemble.h"
#include "imgbuild.h"
#include "io/source.h"

#define UUID_A "PvAaaa0123456789abcdefghijklmnop"
#define UUID_B "PvBbbb0123456789abcdefghijklmnop"
#define VGID_1 "VgOne10123456789abcdefghijklmnop"
#define VGID_2 "VgTwo20123456789abcdefghijklmnop"
#define VGID_1_DASHED "VgOne1-0123-4567-89ab-cdef-ghij-klmnop"

#define PV_SIZE (4u << 20)		/* 8192 sectors, as ib_vg_init says */
#define PE_START (1u << 20)		/* 2048 sectors */
#define MDA1_ABS 4096u
#define MDA2_SIZE (64u << 10)
#define MDA2_ABS (PV_SIZE - MDA2_SIZE)

/* ------------------------------------------------------------ helpers */

/* add a memory source over the PV's image (the set owns the source only) */
static struct mlvm_source *add(struct mlvm_set *set, struct ib_pv *pv, const char *name)
{
	struct mlvm_source *s = mlvm_source_memory(name, pv->img, pv->size, 0);

	assert_non_null(s);
	assert_int_equal(mlvm_set_add_source(set, s), 0);
	return s;
}

/* a PV with one mda holding a VG text built from vg */
static void pv_with_vg(struct ib_pv *pv, const char *uuid, const struct ib_vg *vg)
{
	char *text = ib_vg_text(vg);

	ib_pv_build(pv, PV_SIZE, uuid, PE_START, 1, 0, 0);
	ib_pv_commit(pv, 0, text, 0);
	free(text);
}

/* a PV with two mdas, each holding the text of its own VG description */
static void pv_with_two_mdas(struct ib_pv *pv, const char *uuid, const struct ib_vg *vg1,
			     const struct ib_vg *vg2)
{
	char *t1 = ib_vg_text(vg1), *t2 = ib_vg_text(vg2);

	ib_pv_build(pv, PV_SIZE, uuid, PE_START, 2, MDA2_SIZE, 0);
	assert_int_equal(pv->mda_abs[1], MDA2_ABS);
	ib_pv_commit(pv, 0, t1, 0);
	ib_pv_commit(pv, 1, t2, 0);
	free(t1);
	free(t2);
}

static void vg_one_pv(struct ib_vg *vg, uint64_t seqno, unsigned n_lvs)
{
	ib_vg_init(vg, "vg0", VGID_1, seqno, UUID_A, n_lvs);
	vg->pvs[0].pe_count = (PV_SIZE - PE_START - MDA2_SIZE) / 4096;	/* 752 */
}

/* the report holds exactly n warnings (or worse); printed when it does not */
static void assert_warnings(const struct mlvm_set *set, size_t n)
{
	size_t have = mlvm_report_count(&set->report, MLVM_SEV_WARNING);

	if (have != n)
		ib_report_print(&set->report);
	assert_int_equal(have, n);
}

static const struct mlvm_anomaly *expect(const struct mlvm_set *set, const char *code,
					 const char *image, int64_t offset)
{
	const struct mlvm_anomaly *a = ib_report_find(&set->report, code);

	if (!a)
		ib_report_print(&set->report);
	assert_non_null(a);
	if (image)
		assert_string_equal(a->image, image);
	else
		assert_null(a->image);
	assert_int_equal(a->offset, offset);
	return a;
}

static const struct mlvm_vg *vg_named(const struct mlvm_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n_vgs; i++)
		if (!strcmp(set->vgs[i]->name, name))
			return set->vgs[i];
	fail_msg("no vg %s", name);
	return NULL;
}

/* ------------------------------------------------------------ tests */

static void assemble_single_pv_vg(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct mlvm_source *src;
	const struct mlvm_vg *v;
	struct ib_pv pv;
	struct ib_vg vg;
	char *text;
	unsigned i;

	(void)state;
	ib_vg_init(&vg, "vg0", VGID_1, 3, UUID_A, 3);
	text = ib_vg_text(&vg);
	ib_pv_build(&pv, PV_SIZE, UUID_A, PE_START, 1, 0, 0);
	ib_pv_commit(&pv, 0, text, 0);
	src = add(set, &pv, "pv0.img");

	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_warnings(set, 0);
	assert_int_equal(set->n_vgs, 1);
	v = set->vgs[0];
	assert_string_equal(v->name, "vg0");
	assert_string_equal(v->id, VGID_1_DASHED);
	assert_int_equal(v->seqno, 3);
	assert_int_equal(v->extent_size, 8);
	assert_string_equal(v->description, "Write from vgcreate vg0 /dev/loop0.");
	assert_string_equal(v->creation_host, "vm");
	assert_int_equal(v->n_pvs, 1);
	assert_string_equal(v->pvs[0].name, "pv0");
	assert_false(v->pvs[0].missing);
	assert_ptr_equal(v->pvs[0].src, src);
	assert_int_equal(v->pvs[0].offset, 0);
	assert_int_equal(v->pvs[0].pe_count, 768);
	assert_int_equal(v->n_lvs, 3);
	for (i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "lv%u", i);
		assert_non_null(mlvm_vg_find_lv(v, name));
		assert_int_equal(mlvm_vg_find_lv(v, name)->extent_count, 2);
		assert_true(mlvm_vg_find_lv(v, name)->visible);
	}
	assert_int_equal(v->total_extents, 768);
	assert_int_equal(v->free_extents, 768 - 6);
	assert_string_equal(v->source.image, "pv0.img");
	assert_string_equal(v->source.pv_id, UUID_A);
	assert_int_equal(v->source.mda, 1);
	assert_int_equal(v->source.offset, MDA1_ABS + 512);
	assert_int_equal(v->source.size, strlen(text) + 1);
	assert_int_equal(v->source.checksum, pv.mda[0].rl[0].checksum);
	assert_false(v->source.wrapped);
	assert_int_equal(set->n_devs, 1);
	assert_int_equal(set->devs[0].vg_index, 0);
	assert_int_equal(set->devs[0].n_mda, 1);
	assert_true(set->devs[0].mda[0].header_ok);
	assert_true(set->devs[0].mda[0].text_crc_ok);
	/* no copy the probe kept outlives the assembly */
	assert_null(set->devs[0].mda[0].text);
	free(text);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_two_mdas_with_the_same_text_agree(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_vg *v;
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 9, 2);
	pv_with_two_mdas(&pv, UUID_A, &vg, &vg);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_warnings(set, 0);
	v = set->vgs[0];
	assert_int_equal(v->seqno, 9);
	assert_int_equal(v->n_lvs, 2);
	assert_int_equal(v->free_extents, 752 - 4);
	assert_true(v->source.mda == 1 || v->source.mda == 2);
	assert_int_equal(v->source.offset, v->source.mda == 1 ? MDA1_ABS + 512 : MDA2_ABS + 512);
	assert_int_equal(set->devs[0].n_mda, 2);
	assert_true(set->devs[0].mda[1].header_ok);
	assert_true(set->devs[0].mda[1].text_crc_ok);
	assert_int_equal(set->devs[0].mda[1].seqno, 9);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_prefers_highest_seqno_and_reports_stale_mda(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_anomaly *a;
	const struct mlvm_vg *v;
	struct ib_vg old, new;
	struct ib_pv pv;

	(void)state;
	vg_one_pv(&old, 5, 1);
	vg_one_pv(&new, 6, 4);
	pv_with_two_mdas(&pv, UUID_A, &old, &new);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	v = set->vgs[0];
	assert_int_equal(v->seqno, 6);
	assert_int_equal(v->n_lvs, 4);
	assert_int_equal(v->source.mda, 2);
	assert_int_equal(v->source.offset, MDA2_ABS + 512);
	a = expect(set, "mda_stale", "pv0.img", MDA1_ABS);
	assert_int_equal(a->severity, MLVM_SEV_WARNING);
	assert_non_null(strstr(a->message, "seqno 5"));
	assert_int_equal(ib_report_count(&set->report, "mda_stale"), 1);
	assert_warnings(set, 1);
	/* the stale copy, kept by the probe when mlvm_ring_keep_min lets it
	 * and never loaded, is dropped with the assembly pass */
	assert_null(set->devs[0].mda[0].text);
	assert_null(set->devs[0].mda[1].text);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_skips_copy_with_bad_text_crc(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_vg *v;
	struct ib_pv pv;
	struct ib_vg vg;
	char *p;

	(void)state;
	vg_one_pv(&vg, 4, 2);
	pv_with_two_mdas(&pv, UUID_A, &vg, &vg);
	/* damage one byte of mda1's text: in the description, so it still parses */
	p = strstr((char *)pv.img + MDA1_ABS + 512, "vgcreate");
	assert_non_null(p);
	*p = 'V';
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	v = set->vgs[0];
	assert_int_equal(v->source.mda, 2);
	assert_string_equal(v->description, "Write from vgcreate vg0 /dev/loop0.");
	expect(set, "text_crc", "pv0.img", MDA1_ABS + 512);
	assert_false(set->devs[0].mda[0].text_crc_ok);
	assert_true(set->devs[0].mda[1].text_crc_ok);
	assert_null(ib_report_find(&set->report, "vg_unreadable"));
	assert_null(ib_report_find(&set->report, "mda_stale"));
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_skips_copy_whose_stored_checksum_is_wrong(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;
	struct ib_vg old, new;

	(void)state;
	/* the newer copy has the bad checksum: the older, good one is used, as LVM2 does */
	vg_one_pv(&old, 4, 1);
	vg_one_pv(&new, 5, 2);
	pv_with_two_mdas(&pv, UUID_A, &new, &old);
	pv.mda[0].rl[0].checksum ^= 0x80000000u;
	ib_pv_rewrite_mda(&pv, 0);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_int_equal(set->vgs[0]->seqno, 4);
	assert_int_equal(set->vgs[0]->source.mda, 2);
	expect(set, "text_crc", "pv0.img", MDA1_ABS + 512);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_never_uses_a_copy_whose_checksum_is_bad(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4, 1);
	pv_with_vg(&pv, UUID_A, &vg);
	pv.mda[0].rl[0].checksum ^= 1;
	ib_pv_rewrite_mda(&pv, 0);
	add(set, &pv, "pv0.img");
	/* the text parses, but LVM2 drops it, and so do we */
	assert_int_equal(mlvm_set_assemble(set), 0);
	assert_int_equal(set->n_vgs, 0);
	expect(set, "text_crc", "pv0.img", MDA1_ABS + 512);
	expect(set, "vg_unreadable", "pv0.img", -1);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_falls_back_to_older_copy_when_newest_does_not_parse(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_anomaly *a;
	struct ib_vg old, new;
	char *t5, *t6, *p;
	struct ib_pv pv;

	(void)state;
	vg_one_pv(&old, 5, 1);
	vg_one_pv(&new, 6, 2);
	t5 = ib_vg_text(&old);
	t6 = ib_vg_text(&new);
	/* a syntax error after the head: name, id and seqno still read */
	p = strstr(t6, "contents");
	assert_non_null(p);
	memcpy(p, "contents = = ", 13);
	ib_pv_build(&pv, PV_SIZE, UUID_A, PE_START, 2, MDA2_SIZE, 0);
	ib_pv_commit(&pv, 0, t6, 0);	/* its CRC is right: it was written so */
	ib_pv_commit(&pv, 1, t5, 0);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_int_equal(set->vgs[0]->seqno, 5);
	assert_int_equal(set->vgs[0]->source.mda, 2);
	assert_true(set->devs[0].mda[0].text_crc_ok);
	assert_true(set->devs[0].mda[0].peek_ok);
	assert_int_equal(set->devs[0].mda[0].seqno, 6);
	expect(set, "text_parse", "pv0.img", MDA1_ABS + 512);
	a = expect(set, "mda_stale", "pv0.img", MDA1_ABS);
	assert_non_null(strstr(a->message, "unusable"));
	free(t5);
	free(t6);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_reports_bad_mda_magic_and_uses_the_other_mda(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4, 2);
	pv_with_two_mdas(&pv, UUID_A, &vg, &vg);
	memcpy(pv.mda[0].magic, " LVM2 x[5A%r0N*?", 16);
	ib_pv_rewrite_mda(&pv, 0);	/* good CRC over the bad magic */
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_int_equal(set->vgs[0]->source.mda, 2);
	expect(set, "mda_magic", "pv0.img", MDA1_ABS + 4);
	expect(set, "mda_header", "pv0.img", MDA1_ABS);
	assert_null(ib_report_find(&set->report, "mda_crc"));
	assert_false(set->devs[0].mda[0].header_ok);
	assert_false(set->devs[0].mda[0].has_text);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_reports_each_mda_header_problem_at_its_field(void **state)
{
	static const struct {
		const char *code;
		unsigned field;
	} cases[] = {
		{ "mda_crc", 0 }, { "mda_journalled", 4 }, { "mda_version", 20 },
		{ "mda_start", 24 }, { "mda_size", 32 },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mlvm_set *set = mlvm_set_new(NULL);
		struct ib_pv pv;
		struct ib_vg vg;

		vg_one_pv(&vg, 4, 1);
		pv_with_two_mdas(&pv, UUID_A, &vg, &vg);
		switch (i) {
		case 0:
			pv.mda[0].bad_crc = true;
			break;
		case 1:
			memcpy(pv.mda[0].magic, "JOURNALLED!1!1!!", 16);
			break;
		case 2:
			pv.mda[0].version = 2;
			break;
		case 3:
			pv.mda[0].start = 8192;
			break;
		default:
			pv.mda[0].size = 1000;
			break;
		}
		ib_write_mda(pv.img, pv.size, 0, MDA1_ABS, &pv.mda[0]);
		add(set, &pv, "pv0.img");
		assert_int_equal(mlvm_set_assemble(set), 1);
		expect(set, cases[i].code, "pv0.img", MDA1_ABS + cases[i].field);
		expect(set, "mda_header", "pv0.img", MDA1_ABS);
		assert_int_equal(set->vgs[0]->source.mda, 2);
		mlvm_set_free(set);
		ib_pv_free(&pv);
	}
}

/* a VG over two PVs: lv0, lv2 on pv0 (UUID_A); lv1, lv3 on pv1 (UUID_B) */
static void vg_two_pvs(struct ib_vg *vg)
{
	ib_vg_init(vg, "vg2", VGID_1, 12, UUID_A, 4);
	vg->pvs[1] = vg->pvs[0];
	vg->pvs[1].uuid = UUID_B;
	vg->n_pvs = 2;
}

static void assemble_vg_over_two_pvs_matched_by_uuid(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct mlvm_source *sa, *sb;
	const struct mlvm_vg *v;
	const struct mlvm_lv *lv;
	struct ib_pv a, b;
	struct ib_vg vg;

	(void)state;
	vg_two_pvs(&vg);
	pv_with_vg(&a, UUID_A, &vg);
	pv_with_vg(&b, UUID_B, &vg);
	/* given in the other order: names and order do not matter, uuids do */
	sb = add(set, &b, "second.img");
	sa = add(set, &a, "first.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_warnings(set, 0);
	v = set->vgs[0];
	assert_int_equal(v->n_pvs, 2);
	assert_ptr_equal(v->pvs[0].src, sa);
	assert_ptr_equal(v->pvs[1].src, sb);
	assert_false(v->pvs[0].missing);
	assert_false(v->pvs[1].missing);
	assert_int_equal(v->total_extents, 2 * 768);
	assert_int_equal(v->free_extents, 2 * 768 - 8);
	lv = mlvm_vg_find_lv(v, "lv1");
	assert_non_null(lv);
	assert_int_equal(lv->segs[0].n_areas, 1);
	assert_int_equal(lv->segs[0].areas[0].ref, 1);
	assert_int_equal(lv->segs[0].areas[0].start, 0);
	lv = mlvm_vg_find_lv(v, "lv2");
	assert_int_equal(lv->segs[0].areas[0].ref, 0);
	assert_int_equal(lv->segs[0].areas[0].start, 2);
	assert_int_equal(set->devs[0].vg_index, 0);
	assert_int_equal(set->devs[1].vg_index, 0);
	mlvm_set_free(set);
	ib_pv_free(&a);
	ib_pv_free(&b);
}

static void assemble_marks_absent_pv_missing_and_still_assembles(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_anomaly *w;
	struct mlvm_source *sb;
	const struct mlvm_vg *v;
	struct ib_pv b;
	struct ib_vg vg;

	(void)state;
	vg_two_pvs(&vg);
	pv_with_vg(&b, UUID_B, &vg);
	sb = add(set, &b, "second.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	v = set->vgs[0];
	assert_string_equal(v->name, "vg2");
	assert_true(v->pvs[0].missing);
	assert_null(v->pvs[0].src);
	assert_false(v->pvs[1].missing);
	assert_ptr_equal(v->pvs[1].src, sb);
	assert_int_equal(v->n_lvs, 4);
	w = expect(set, "pv_missing", NULL, -1);
	assert_non_null(strstr(w->message, "pv0"));
	assert_int_equal(ib_report_count(&set->report, "pv_missing"), 1);
	mlvm_set_free(set);
	ib_pv_free(&b);
}

static void assemble_reports_precommitted_slot_and_uses_committed_copy(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_vg committed, pending;
	char *t7, *t8;
	struct ib_pv pv;
	uint64_t next;

	(void)state;
	vg_one_pv(&committed, 7, 1);
	vg_one_pv(&pending, 8, 2);
	t7 = ib_vg_text(&committed);
	t8 = ib_vg_text(&pending);
	ib_pv_build(&pv, PV_SIZE, UUID_A, PE_START, 1, 0, 0);
	ib_pv_commit(&pv, 0, t7, 0);
	/* the next copy starts after the previous one, rounded up to 512 */
	next = (512 + strlen(t7) + 1 + 511) / 512 * 512;
	ib_write_copy(pv.img, pv.size, MDA1_ABS, pv.mda_size[0], next, t8, &pv.mda[0].rl[1]);
	ib_pv_rewrite_mda(&pv, 0);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_int_equal(set->vgs[0]->seqno, 7);
	assert_int_equal(set->vgs[0]->n_lvs, 1);
	expect(set, "mda_precommitted", "pv0.img", MDA1_ABS + 64);
	free(t7);
	free(t8);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_reads_committed_copy_that_wraps(void **state)
{
	const uint64_t mda_size = 8192, pe_start = MDA1_ABS + 8192;
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_vg *v;
	struct ib_pv pv;
	struct ib_vg vg;
	char *text;
	size_t len;

	(void)state;
	ib_vg_init(&vg, "wrapvg", VGID_1, 40, UUID_A, 3);
	vg.pvs[0].pe_start = pe_start / 512;
	vg.pvs[0].pe_count = (PV_SIZE - pe_start) / 4096;
	text = ib_vg_text(&vg);
	len = strlen(text) + 1;
	assert_true(len > 1024 && len < mda_size - 1024);
	ib_pv_build(&pv, PV_SIZE, UUID_A, pe_start, 1, 0, 0);
	assert_int_equal(pv.mda_size[0], mda_size);
	/* an older copy sits at +512; the newest starts 1 KiB before the end */
	ib_fill(pv.img, pv.size, MDA1_ABS + 512, mda_size - 512, 77);
	ib_pv_commit(&pv, 0, text, mda_size - 1024);
	assert_memory_equal(pv.img + MDA1_ABS + 512, text + 1024, len - 1024);
	add(set, &pv, "wrap.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_warnings(set, 0);
	v = set->vgs[0];
	assert_string_equal(v->name, "wrapvg");
	assert_int_equal(v->seqno, 40);
	assert_int_equal(v->n_lvs, 3);
	assert_string_equal(v->creation_host, "vm");
	assert_true(v->source.wrapped);
	assert_int_equal(v->source.offset, MDA1_ABS + mda_size - 1024);
	assert_int_equal(v->source.size, len);
	free(text);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_ignored_mda_gives_notice_and_vg_comes_from_other_pv(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_anomaly *n;
	const struct mlvm_vg *v;
	struct ib_pv a, b;
	struct ib_vg vg;

	(void)state;
	vg_two_pvs(&vg);
	pv_with_vg(&a, UUID_A, &vg);
	pv_with_vg(&b, UUID_B, &vg);
	a.mda[0].rl[0].flags = MLVM_RAW_LOCN_IGNORED;
	ib_pv_rewrite_mda(&a, 0);
	add(set, &a, "a.img");
	add(set, &b, "b.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	n = expect(set, "mda_ignored", "a.img", MDA1_ABS + 40);
	assert_int_equal(n->severity, MLVM_SEV_NOTICE);
	assert_warnings(set, 0);
	v = set->vgs[0];
	assert_string_equal(v->source.image, "b.img");
	assert_string_equal(v->source.pv_id, UUID_B);
	assert_true(set->devs[0].mda[0].ignored);
	assert_false(set->devs[0].mda[0].has_text);
	/* the PV with the ignored area is still part of the VG */
	assert_false(v->pvs[0].missing);
	assert_false(v->pvs[1].missing);
	mlvm_set_free(set);
	ib_pv_free(&a);
	ib_pv_free(&b);
}

static void assemble_reports_raw_locn_outside_the_area(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4, 1);
	pv_with_two_mdas(&pv, UUID_A, &vg, &vg);
	pv.mda[0].rl[0].offset = pv.mda_size[0] + 512;
	ib_pv_rewrite_mda(&pv, 0);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	expect(set, "mda_locn", "pv0.img", MDA1_ABS + 40);
	assert_int_equal(set->vgs[0]->source.mda, 2);
	assert_false(set->devs[0].mda[0].has_text);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_rejects_1gib_slot_in_small_image(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4, 1);
	pv_with_vg(&pv, UUID_A, &vg);
	pv.mda[0].rl[0].size = 1ULL << 30;
	ib_pv_rewrite_mda(&pv, 0);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 0);
	expect(set, "mda_locn", "pv0.img", MDA1_ABS + 40);
	expect(set, "pv_orphan", "pv0.img", 0);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_reports_slot_whose_text_has_no_vg_head(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;

	(void)state;
	ib_pv_build(&pv, PV_SIZE, UUID_A, PE_START, 1, 0, 0);
	/* a good checksum over text that is not a VG (a ring overwritten by something else) */
	ib_pv_commit(&pv, 0, "# nothing here\nkey = 1\n\n", 1024);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 0);
	assert_true(set->devs[0].mda[0].text_crc_ok);
	assert_false(set->devs[0].mda[0].peek_ok);
	expect(set, "text_parse", "pv0.img", MDA1_ABS + 1024);
	expect(set, "pv_orphan", "pv0.img", 0);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_reads_seqno_at_its_maximum(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4294967295ULL, 1);
	pv_with_vg(&pv, UUID_A, &vg);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_int_equal(set->vgs[0]->seqno, 4294967295ULL);
	assert_int_equal(set->devs[0].mda[0].seqno, 4294967295ULL);
	assert_warnings(set, 0);
	mlvm_set_free(set);
	ib_pv_free(&pv);

	/* one more is beyond LVM2's range: read, but reported */
	set = mlvm_set_new(NULL);
	vg_one_pv(&vg, 4294967296ULL, 1);
	pv_with_vg(&pv, UUID_A, &vg);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_int_equal(set->vgs[0]->seqno, 4294967296ULL);
	assert_non_null(ib_report_find(&set->report, "text_seqno"));
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_strict_rejects_label_with_bad_crc(void **state)
{
	const struct mlvm_open_opts strict = { .strict = true };
	struct mlvm_set *set;
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4, 1);
	pv_with_vg(&pv, UUID_A, &vg);
	pv.label.bad_crc = true;
	ib_write_label(pv.img, pv.size, 0, &pv.label);

	set = mlvm_set_new(&strict);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 0);
	expect(set, "label_rejected", "pv0.img", 512);
	assert_int_equal(set->n_devs, 0);
	mlvm_set_free(set);

	/* lenient by default: the same image assembles, with the damage reported */
	set = mlvm_set_new(NULL);
	add(set, &pv, "pv0.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	expect(set, "label_crc", "pv0.img", 512 + 16);
	assert_null(ib_report_find(&set->report, "label_rejected"));
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

static void assemble_survives_truncation_at_every_sector(void **state)
{
	const uint64_t mda_size = 4096, pe_start = MDA1_ABS + 4096;
	const size_t full = 64u << 10;
	struct ib_pv pv;
	struct ib_vg vg;
	size_t cut, text_end;
	char *text;

	(void)state;
	ib_vg_init(&vg, "cutvg", VGID_1, 21, UUID_A, 2);
	vg.pvs[0].dev_size = full / 512;
	vg.pvs[0].pe_start = pe_start / 512;
	vg.pvs[0].pe_count = (full - pe_start) / 4096;
	text = ib_vg_text(&vg);
	assert_true(strlen(text) + 1 <= mda_size - 512);
	text_end = MDA1_ABS + 512 + strlen(text) + 1;
	ib_pv_build(&pv, full, UUID_A, pe_start, 1, 0, 31);
	ib_pv_commit(&pv, 0, text, 0);

	for (cut = 0; cut <= full; cut += 512) {
		/* exactly cut bytes, so any read past the end trips ASan */
		uint8_t *img = malloc(cut ? cut : 1);
		struct mlvm_set *set = mlvm_set_new(NULL);
		struct mlvm_source *s;
		int rc;

		assert_non_null(img);
		memcpy(img, pv.img, cut);
		s = mlvm_source_memory("cut.img", img, cut, 0);
		assert_non_null(s);
		assert_int_equal(mlvm_set_add_source(set, s), 0);
		rc = mlvm_set_assemble(set);
		if (cut < text_end) {
			/* the text is not all there: nothing may be assembled */
			assert_int_equal(rc, 0);
			assert_int_equal(set->n_vgs, 0);
			if (cut < 1024)
				assert_non_null(ib_report_find(&set->report, "no_label"));
			else
				assert_int_equal(set->n_devs, 1);
		} else if (cut < MDA1_ABS + mda_size) {
			/* the area is cut short but the copy is whole: found in the ring */
			assert_int_equal(rc, 1);
			assert_int_equal(set->vgs[0]->seqno, 21);
			assert_int_equal(set->vgs[0]->n_lvs, 2);
			assert_non_null(ib_report_find(&set->report, "mda_locn"));
			assert_non_null(ib_report_find(&set->report, "generation_fallback"));
		} else {
			assert_int_equal(rc, 1);
			assert_string_equal(set->vgs[0]->name, "cutvg");
			assert_int_equal(set->vgs[0]->seqno, 21);
			assert_int_equal(set->vgs[0]->n_lvs, 2);
			assert_false(set->vgs[0]->pvs[0].missing);
		}
		mlvm_set_free(set);
		free(img);
	}
	free(text);
	ib_pv_free(&pv);
}

static void assemble_two_different_vgs_in_two_images(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct mlvm_source *sa, *sb;
	const struct mlvm_vg *alpha, *beta;
	struct ib_vg va, vb;
	struct ib_pv a, b;

	(void)state;
	ib_vg_init(&va, "alpha", VGID_2, 3, UUID_A, 1);
	ib_vg_init(&vb, "beta", VGID_1, 17, UUID_B, 5);
	pv_with_vg(&a, UUID_A, &va);
	pv_with_vg(&b, UUID_B, &vb);
	sa = add(set, &a, "a.img");
	sb = add(set, &b, "b.img");
	assert_int_equal(mlvm_set_assemble(set), 2);
	assert_warnings(set, 0);
	alpha = vg_named(set, "alpha");
	beta = vg_named(set, "beta");
	assert_int_equal(alpha->seqno, 3);
	assert_int_equal(alpha->n_lvs, 1);
	assert_ptr_equal(alpha->pvs[0].src, sa);
	assert_int_equal(beta->seqno, 17);
	assert_int_equal(beta->n_lvs, 5);
	assert_ptr_equal(beta->pvs[0].src, sb);
	assert_ptr_equal(set->vgs[set->devs[0].vg_index], alpha);
	assert_ptr_equal(set->vgs[set->devs[1].vg_index], beta);
	mlvm_set_free(set);
	ib_pv_free(&a);
	ib_pv_free(&b);
}

static void assemble_image_without_label_reports_no_label(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	uint8_t *img = ib_image_new(1u << 20, 8);
	struct mlvm_source *s = mlvm_source_memory("blank.img", img, 1u << 20, 0);

	(void)state;
	assert_non_null(s);
	assert_int_equal(mlvm_set_add_source(set, s), 0);
	assert_int_equal(mlvm_set_assemble(set), 0);
	expect(set, "no_label", "blank.img", 0);
	assert_int_equal(set->n_devs, 0);
	mlvm_set_free(set);
	free(img);
}

static void assemble_pv_without_vg_is_an_orphan(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_anomaly *n;
	struct ib_pv pv;

	(void)state;
	ib_pv_build(&pv, PV_SIZE, UUID_A, PE_START, 2, MDA2_SIZE, 0);	/* pvcreate only */
	add(set, &pv, "fresh.img");
	assert_int_equal(mlvm_set_assemble(set), 0);
	n = expect(set, "pv_orphan", "fresh.img", 0);
	assert_int_equal(n->severity, MLVM_SEV_NOTICE);
	assert_warnings(set, 0);
	assert_true(set->devs[0].mda[0].header_ok);
	assert_false(set->devs[0].mda[0].has_text);
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

/* the same PV in two images with the same metadata: nothing says which one
 * holds its data, so neither is used, in either order */
static void assemble_identical_copies_of_a_pv_are_ambiguous(void **state)
{
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		struct mlvm_set *set = mlvm_set_new(NULL);
		const struct mlvm_pv *p;
		struct ib_pv pv;
		struct ib_vg vg;

		vg_one_pv(&vg, 4, 1);
		pv_with_vg(&pv, UUID_A, &vg);
		add(set, &pv, order ? "copy.img" : "one.img");
		add(set, &pv, order ? "one.img" : "copy.img");
		assert_int_equal(mlvm_set_assemble(set), 1);
		p = &set->vgs[0]->pvs[0];
		assert_true(p->missing);
		assert_true(p->ambiguous);
		assert_null(p->src);
		assert_int_equal(p->n_others, 2);
		/* listed by name, whatever the order they were given in */
		assert_string_equal(p->others[0]->src->name, "copy.img");
		assert_string_equal(p->others[1]->src->name, "one.img");
		expect(set, "pv_ambiguous", "copy.img", 0);
		assert_null(ib_report_find(&set->report, "pv_missing"));
		assert_null(ib_report_find(&set->report, "mda_conflict"));
		assert_null(ib_report_find(&set->report, "pv_orphan"));
		mlvm_set_free(set);
		ib_pv_free(&pv);
	}
}

/* --pv settles which copy is used */
static void assemble_choice_settles_identical_copies(void **state)
{
	static const struct mlvm_pv_choice ch[] = { { "pv0", "copy.img" } };
	struct mlvm_open_opts o = { .pv_choices = ch, .n_pv_choices = 1 };
	struct mlvm_set *set = mlvm_set_new(&o);
	struct mlvm_source *copy;
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 4, 1);
	pv_with_vg(&pv, UUID_A, &vg);
	add(set, &pv, "one.img");
	copy = add(set, &pv, "copy.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_ptr_equal(set->vgs[0]->pvs[0].src, copy);
	assert_int_equal(set->vgs[0]->pvs[0].found_by, MLVM_PV_BY_CHOICE);
	expect(set, "pv_chosen", "copy.img", 0);
	assert_null(ib_report_find(&set->report, "pv_ambiguous"));
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

/* a stale copy: the copy whose metadata is the newest supplies the PV, and
 * the other is listed with its seqno, in either order */
static void assemble_duplicate_pv_with_newest_metadata_wins(void **state)
{
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		struct mlvm_set *set = mlvm_set_new(NULL);
		struct mlvm_source *newer;
		const struct mlvm_anomaly *a;
		struct ib_pv old, cur;
		struct ib_vg v4, v5;

		vg_one_pv(&v4, 4, 1);
		vg_one_pv(&v5, 5, 2);
		pv_with_vg(&old, UUID_A, &v4);
		pv_with_vg(&cur, UUID_A, &v5);
		if (order) {
			newer = add(set, &cur, "new.img");
			add(set, &old, "old.img");
		} else {
			add(set, &old, "old.img");
			newer = add(set, &cur, "new.img");
		}
		assert_int_equal(mlvm_set_assemble(set), 1);
		assert_int_equal(set->vgs[0]->seqno, 5);
		assert_ptr_equal(set->vgs[0]->pvs[0].src, newer);
		assert_int_equal(set->vgs[0]->pvs[0].n_others, 1);
		assert_string_equal(set->vgs[0]->pvs[0].others[0]->src->name, "old.img");
		a = expect(set, "duplicate_pv", "new.img", 0);
		assert_non_null(strstr(a->message, "old.img at byte 0 (seqno 4)"));
		assert_null(ib_report_find(&set->report, "pv_orphan"));
		mlvm_set_free(set);
		ib_pv_free(&old);
		ib_pv_free(&cur);
	}
}

/* zero the label sector of a built PV */
static void wipe_label(struct ib_pv *pv)
{
	memset(pv->img + 512, 0, 512);
}

/* two PVs of one VG, both labels gone, the same size: ambiguous in either
 * order; choosing one ties the other by elimination */
static void assemble_unlabelled_pvs_that_fit_equally_are_ambiguous(void **state)
{
	int order, choose;

	(void)state;
	for (choose = 0; choose < 2; choose++)
		for (order = 0; order < 2; order++) {
			static const struct mlvm_pv_choice ch[] = { { UUID_B, "b.img" } };
			struct mlvm_open_opts o = { .pv_choices = ch, .n_pv_choices = (size_t)choose };
			struct mlvm_set *set = mlvm_set_new(&o);
			struct mlvm_source *sa, *sb;
			const struct mlvm_vg *v;
			struct ib_pv a, b;
			struct ib_vg vg;

			vg_two_pvs(&vg);
			pv_with_vg(&a, UUID_A, &vg);
			pv_with_vg(&b, UUID_B, &vg);
			wipe_label(&a);
			wipe_label(&b);
			if (order) {
				sb = add(set, &b, "b.img");
				sa = add(set, &a, "a.img");
			} else {
				sa = add(set, &a, "a.img");
				sb = add(set, &b, "b.img");
			}
			assert_int_equal(mlvm_set_assemble(set), 1);
			v = set->vgs[0];
			if (!choose) {
				assert_true(v->pvs[0].ambiguous && v->pvs[1].ambiguous);
				assert_null(v->pvs[0].src);
				assert_null(v->pvs[1].src);
				assert_int_equal(v->pvs[0].n_others, 2);
				assert_int_equal(ib_report_count(&set->report, "pv_ambiguous"), 2);
			} else {
				assert_ptr_equal(v->pvs[1].src, sb);
				assert_int_equal(v->pvs[1].found_by, MLVM_PV_BY_CHOICE);
				assert_ptr_equal(v->pvs[0].src, sa);
				assert_int_equal(v->pvs[0].found_by, MLVM_PV_BY_FIT);
				assert_null(ib_report_find(&set->report, "pv_ambiguous"));
			}
			mlvm_set_free(set);
			ib_pv_free(&a);
			ib_pv_free(&b);
		}
}

/* unlabelled PVs of different sizes: each is tied to the PV it alone fits */
static void assemble_unlabelled_pvs_told_apart_by_size(void **state)
{
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		struct mlvm_set *set = mlvm_set_new(NULL);
		struct mlvm_source *sa, *sb;
		struct ib_pv a, b;
		struct ib_vg vg;

		vg_two_pvs(&vg);
		vg.pvs[1].dev_size = 2 * PV_SIZE / 512;	/* pv1 is twice as big */
		pv_with_vg(&a, UUID_A, &vg);
		{
			char *text = ib_vg_text(&vg);

			ib_pv_build(&b, 2 * PV_SIZE, UUID_B, PE_START, 1, 0, 0);
			ib_pv_commit(&b, 0, text, 0);
			free(text);
		}
		wipe_label(&a);
		wipe_label(&b);
		if (order) {
			sb = add(set, &b, "b.img");
			sa = add(set, &a, "a.img");
		} else {
			sa = add(set, &a, "a.img");
			sb = add(set, &b, "b.img");
		}
		assert_int_equal(mlvm_set_assemble(set), 1);
		assert_ptr_equal(set->vgs[0]->pvs[0].src, sa);
		assert_ptr_equal(set->vgs[0]->pvs[1].src, sb);
		assert_int_equal(ib_report_count(&set->report, "pv_no_label"), 4);
		assert_null(ib_report_find(&set->report, "pv_ambiguous"));
		mlvm_set_free(set);
		ib_pv_free(&a);
		ib_pv_free(&b);
	}
}

/* one byte of the uuid in a label changed: the label fails its crc, but its
 * uuid is one character from pv0's, which is missing: it is pv0 */
static void assemble_damaged_label_near_a_missing_pvs_uuid_is_tied_to_it(void **state)
{
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		struct mlvm_set *set = mlvm_set_new(NULL);
		struct mlvm_source *sa, *sb;
		const struct mlvm_anomaly *w;
		struct ib_pv a, b;
		struct ib_vg vg;

		vg_two_pvs(&vg);
		pv_with_vg(&a, UUID_A, &vg);
		pv_with_vg(&b, UUID_B, &vg);
		a.img[512 + 32 + 7] ^= 1;
		if (order) {
			sb = add(set, &b, "b.img");
			sa = add(set, &a, "a.img");
		} else {
			sa = add(set, &a, "a.img");
			sb = add(set, &b, "b.img");
		}
		assert_int_equal(mlvm_set_assemble(set), 1);
		assert_ptr_equal(set->vgs[0]->pvs[0].src, sa);
		assert_ptr_equal(set->vgs[0]->pvs[1].src, sb);
		assert_int_equal(set->vgs[0]->pvs[0].found_by, MLVM_PV_BY_DAMAGED_LABEL);
		w = expect(set, "pv_label_damaged", "a.img", 0);
		assert_non_null(strstr(w->message, "1 character from it"));
		assert_null(ib_report_find(&set->report, "pv_missing"));
		assert_null(ib_report_find(&set->report, "pv_orphan"));
		mlvm_set_free(set);
		ib_pv_free(&a);
		ib_pv_free(&b);
	}
}

/* vgremove zeroes the committed slots and leaves the text: with the rings
 * carved, the VG is shown from its newest generation as a VG that is gone,
 * a notice, not a damage warning */
static void assemble_removed_vg_is_gone_not_damaged(void **state)
{
	struct mlvm_open_opts o = { .carve = true };
	struct mlvm_set *set = mlvm_set_new(&o);
	const struct mlvm_anomaly *n;
	struct ib_pv pv;
	struct ib_vg vg;

	(void)state;
	vg_one_pv(&vg, 6, 2);
	pv_with_vg(&pv, UUID_A, &vg);
	memset(&pv.mda[0].rl[0], 0, sizeof(pv.mda[0].rl[0]));
	ib_pv_rewrite_mda(&pv, 0);
	add(set, &pv, "removed.img");
	assert_int_equal(mlvm_set_assemble(set), 1);
	assert_true(set->vgs[0]->gone);
	assert_int_equal(set->vgs[0]->seqno, 6);
	n = expect(set, "vg_gone", "removed.img", (int64_t)(MDA1_ABS + 512));
	assert_int_equal(n->severity, MLVM_SEV_NOTICE);
	assert_non_null(strstr(n->message, "as vgremove leaves them"));
	assert_null(ib_report_find(&set->report, "generation_fallback"));
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

/* a PV with no metadata area whose label says it is in a VG, given alone */
static void assemble_pv_without_mda_in_a_vg_is_not_an_orphan(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	struct ib_pv pv;

	(void)state;
	ib_pv_build(&pv, PV_SIZE, UUID_A, PE_START, 0, 0, 0);
	pv.label.ext_flags = 1;
	ib_write_label(pv.img, pv.size, 0, &pv.label);
	add(set, &pv, "nomda.img");
	assert_int_equal(mlvm_set_assemble(set), 0);
	expect(set, "pv_no_mda", "nomda.img", 0);
	assert_null(ib_report_find(&set->report, "pv_orphan"));
	mlvm_set_free(set);
	ib_pv_free(&pv);
}

/* two VGs of one name: warned about, as LVM2 does */
static void assemble_warns_about_two_vgs_of_one_name(void **state)
{
	struct mlvm_set *set = mlvm_set_new(NULL);
	const struct mlvm_anomaly *w;
	struct ib_pv a, b;
	struct ib_vg v1, v2;

	(void)state;
	ib_vg_init(&v1, "data", VGID_1, 3, UUID_A, 1);
	ib_vg_init(&v2, "data", VGID_2, 7, UUID_B, 1);
	pv_with_vg(&a, UUID_A, &v1);
	pv_with_vg(&b, UUID_B, &v2);
	add(set, &b, "b.img");
	add(set, &a, "a.img");
	assert_int_equal(mlvm_set_assemble(set), 2);
	w = ib_report_find(&set->report, "vg_name_duplicate");
	assert_non_null(w);
	assert_non_null(strstr(w->message, "data@" VGID_1_DASHED));
	assert_non_null(strstr(w->message, "data@VgTwo2-0123-4567-89ab-cdef-ghij-klmnop"));
	assert_int_equal(ib_report_count(&set->report, "vg_name_duplicate"), 1);
	mlvm_set_free(set);
	ib_pv_free(&a);
	ib_pv_free(&b);
}


/* ------------------------------------------------------------ copies of one seqno that disagree */

#define UUID_C "PvCccc0123456789abcdefghijklmnop"
#define COPY_AT (MDA1_ABS + 512u)	/* the first copy of mda1's ring */

/* a VG over three PVs (lv0 on pv0, lv1 on pv1); lv_extents per LV: the
 * copies of seqno 12 that disagree differ in it */
static char *vg_three_text(uint64_t seqno, uint64_t lv_extents)
{
	struct ib_vg vg;

	ib_vg_init(&vg, "vg3", VGID_1, seqno, UUID_A, 2);
	vg.pvs[1] = vg.pvs[0];
	vg.pvs[1].uuid = UUID_B;
	vg.pvs[2] = vg.pvs[0];
	vg.pvs[2].uuid = UUID_C;
	vg.n_pvs = 3;
	vg.lv_extents = lv_extents;
	return ib_vg_text(&vg);
}

/* each PV's mda1 commits its text (NULL: the PV is not built) */
static void three_pvs(struct ib_pv *pv, const char *ta, const char *tb, const char *tc)
{
	const char *uuids[3] = { UUID_A, UUID_B, UUID_C }, *texts[3] = { ta, tb, tc };
	unsigned i;

	for (i = 0; i < 3; i++) {
		memset(&pv[i], 0, sizeof(pv[i]));
		if (!texts[i])
			continue;
		ib_pv_build(&pv[i], PV_SIZE, uuids[i], PE_START, 1, 0, 0);
		ib_pv_commit(&pv[i], 0, texts[i], 0);
	}
}

/* a set of the PVs built, added in the order given (names a.img, b.img, c.img) */
static struct mlvm_set *open_three(struct ib_pv *pv, const unsigned *order, const struct mlvm_open_opts *o)
{
	static const char *const names[3] = { "a.img", "b.img", "c.img" };
	struct mlvm_set *set = mlvm_set_new(o);
	unsigned i;

	for (i = 0; i < 3; i++)
		if (pv[order[i]].img)
			add(set, &pv[order[i]], names[order[i]]);
	assert_true(mlvm_set_assemble(set) >= 0);
	return set;
}

static uint64_t lv0_extents(const struct mlvm_vg *vg)
{
	const struct mlvm_lv *lv = mlvm_vg_find_lv(vg, "lv0");

	assert_non_null(lv);
	return lv->extent_count;
}

static void free_three(struct ib_pv *pv)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		if (pv[i].img)
			ib_pv_free(&pv[i]);
}

static const unsigned orders[2][3] = { { 0, 1, 2 }, { 2, 1, 0 } };

/* two areas commit one text of seqno 12, a third another (the same
 * checksum twice counts twice): the two win, in any order, and the third
 * is named with its image and byte */
static void ring_conflict_majority(void **state)
{
	struct mlvm_open_opts o = { .carve = true, .want_generation = true, .generation = 12 };
	char *x = vg_three_text(12, 10), *y = vg_three_text(12, 30);
	struct ib_pv pv[3];
	unsigned k;

	(void)state;
	three_pvs(pv, x, x, y);
	for (k = 0; k < 2; k++) {
		struct mlvm_set *set = open_three(pv, orders[k], &o);
		const struct mlvm_anomaly *a;

		assert_int_equal(set->n_vgs, 1);
		assert_int_equal(lv0_extents(set->vgs[0]), 10);
		assert_int_equal(ib_report_count(&set->report, "generation_conflict"), 1);
		a = expect(set, "generation_conflict", "c.img", COPY_AT);
		assert_non_null(strstr(a->message, "c.img@4608"));
		assert_non_null(strstr(a->message, "a.img@4608"));	/* the copy used */
		assert_null(ib_report_find(&set->report, "generation_ambiguous"));
		mlvm_set_free(set);
	}
	/* not under --generation: the current state, as before (mda_conflict) */
	{
		struct mlvm_open_opts cur = { .carve = true };
		struct mlvm_set *set = open_three(pv, orders[1], &cur);
		struct mlvm_gen_ref *r;
		bool conflict[16];
		size_t n, i;

		assert_int_equal(set->n_vgs, 1);
		assert_int_equal(mlvm_set_generations(set, &r, &n), 0);
		assert_true(n == 3);
		assert_int_equal(mlvm_set_conflicts(set, r, n, conflict), 0);
		for (i = 0; i < n; i++)
			assert_true(conflict[i]);
		free(r);
		mlvm_set_free(set);
	}
	free_three(pv);
	free(x);
	free(y);
}

/* one committed slot each and as many areas each: refused, every copy named */
static void ring_conflict_tie_refused(void **state)
{
	struct mlvm_open_opts o = { .carve = true, .want_generation = true, .generation = 12 };
	char *x = vg_three_text(12, 10), *y = vg_three_text(12, 30);
	struct ib_pv pv[3];
	unsigned k;

	(void)state;
	three_pvs(pv, x, y, NULL);
	for (k = 0; k < 2; k++) {
		struct mlvm_set *set = open_three(pv, orders[k], &o);
		const struct mlvm_anomaly *a;

		assert_int_equal(set->n_vgs, 0);
		a = expect(set, "generation_ambiguous", NULL, -1);
		assert_int_equal(a->severity, MLVM_SEV_ERROR);
		assert_non_null(strstr(a->message, "a.img@4608 (crc 0x"));
		assert_non_null(strstr(a->message, "b.img@4608 (crc 0x"));
		assert_true(strstr(a->message, "a.img@") < strstr(a->message, "b.img@"));
		mlvm_set_free(set);
	}
	/* a copy of a.img's PV given beside it is the same metadata area, no
	 * second vote: still a tie */
	for (k = 0; k < 2; k++) {
		struct mlvm_set *set = mlvm_set_new(&o);

		if (k)
			add(set, &pv[1], "b.img");
		add(set, &pv[0], "a.img");
		add(set, &pv[0], "a-copy.img");
		if (!k)
			add(set, &pv[1], "b.img");
		assert_true(mlvm_set_assemble(set) >= 0);
		assert_int_equal(set->n_vgs, 0);
		expect(set, "generation_ambiguous", NULL, -1);
		mlvm_set_free(set);
	}
	/* the committed slots tie, but a third area's ring still holds x (its
	 * committed slot moved on to seqno 13): x is held by more areas */
	{
		char *z = vg_three_text(13, 10);

		ib_pv_build(&pv[2], PV_SIZE, UUID_C, PE_START, 1, 0, 0);
		ib_pv_commit(&pv[2], 0, x, 0);
		ib_pv_commit(&pv[2], 0, z, 512 + ((strlen(x) + 1 + 511) / 512) * 512);
		for (k = 0; k < 2; k++) {
			struct mlvm_set *set = open_three(pv, orders[k], &o);

			assert_int_equal(set->n_vgs, 1);
			assert_int_equal(lv0_extents(set->vgs[0]), 10);
			expect(set, "generation_conflict", "b.img", COPY_AT);
			assert_int_equal(ib_report_count(&set->report, "generation_conflict"), 1);
			mlvm_set_free(set);
		}
		free(z);
	}
	free_three(pv);
	free(x);
	free(y);
}

/* --copy-at settles a tie, and overrides a majority; a place holding no
 * copy of the generation is refused, naming the copies */
static void ring_conflict_copy_at(void **state)
{
	struct mlvm_copy_choice ch = { "b.img", COPY_AT }, none = { "b.img", COPY_AT + 512 };
	struct mlvm_open_opts o = { .carve = true, .want_generation = true, .generation = 12,
				    .copy_at = &ch };
	char *x = vg_three_text(12, 10), *y = vg_three_text(12, 30);
	struct ib_pv pv[3];
	unsigned k;

	(void)state;
	three_pvs(pv, x, y, x);	/* x holds the majority; b.img holds y */
	for (k = 0; k < 2; k++) {
		struct mlvm_set *set = open_three(pv, orders[k], &o);

		assert_int_equal(set->n_vgs, 1);
		assert_int_equal(lv0_extents(set->vgs[0]), 30);
		assert_string_equal(set->vgs[0]->source.image, "b.img");
		assert_int_equal(ib_report_count(&set->report, "generation_conflict"), 2);
		assert_null(ib_report_find(&set->report, "copy_choice"));
		mlvm_set_free(set);
	}
	o.copy_at = &none;
	for (k = 0; k < 2; k++) {
		struct mlvm_set *set = open_three(pv, orders[k], &o);
		const struct mlvm_anomaly *a;

		/* an error: the CLI refuses the set (the VG as the copies decide is
		 * assembled, the choice named nothing of it) */
		a = expect(set, "copy_choice", "b.img", COPY_AT + 512);
		assert_int_equal(a->severity, MLVM_SEV_ERROR);
		assert_non_null(strstr(a->message, "a.img@4608"));
		assert_non_null(strstr(a->message, "b.img@4608"));
		assert_non_null(strstr(a->message, "c.img@4608"));
		mlvm_set_free(set);
	}
	free_three(pv);
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(assemble_single_pv_vg),
		cmocka_unit_test(assemble_two_mdas_with_the_same_text_agree),
		cmocka_unit_test(assemble_prefers_highest_seqno_and_reports_stale_mda),
		cmocka_unit_test(assemble_skips_copy_with_bad_text_crc),
		cmocka_unit_test(assemble_skips_copy_whose_stored_checksum_is_wrong),
		cmocka_unit_test(assemble_never_uses_a_copy_whose_checksum_is_bad),
		cmocka_unit_test(assemble_falls_back_to_older_copy_when_newest_does_not_parse),
		cmocka_unit_test(assemble_reports_bad_mda_magic_and_uses_the_other_mda),
		cmocka_unit_test(assemble_reports_each_mda_header_problem_at_its_field),
		cmocka_unit_test(assemble_vg_over_two_pvs_matched_by_uuid),
		cmocka_unit_test(assemble_marks_absent_pv_missing_and_still_assembles),
		cmocka_unit_test(assemble_reports_precommitted_slot_and_uses_committed_copy),
		cmocka_unit_test(assemble_reads_committed_copy_that_wraps),
		cmocka_unit_test(assemble_ignored_mda_gives_notice_and_vg_comes_from_other_pv),
		cmocka_unit_test(assemble_reports_raw_locn_outside_the_area),
		cmocka_unit_test(assemble_rejects_1gib_slot_in_small_image),
		cmocka_unit_test(assemble_reports_slot_whose_text_has_no_vg_head),
		cmocka_unit_test(assemble_reads_seqno_at_its_maximum),
		cmocka_unit_test(assemble_strict_rejects_label_with_bad_crc),
		cmocka_unit_test(assemble_survives_truncation_at_every_sector),
		cmocka_unit_test(assemble_two_different_vgs_in_two_images),
		cmocka_unit_test(assemble_image_without_label_reports_no_label),
		cmocka_unit_test(assemble_pv_without_vg_is_an_orphan),
		cmocka_unit_test(assemble_identical_copies_of_a_pv_are_ambiguous),
		cmocka_unit_test(assemble_choice_settles_identical_copies),
		cmocka_unit_test(assemble_duplicate_pv_with_newest_metadata_wins),
		cmocka_unit_test(assemble_unlabelled_pvs_that_fit_equally_are_ambiguous),
		cmocka_unit_test(assemble_unlabelled_pvs_told_apart_by_size),
		cmocka_unit_test(assemble_damaged_label_near_a_missing_pvs_uuid_is_tied_to_it),
		cmocka_unit_test(assemble_warns_about_two_vgs_of_one_name),
		cmocka_unit_test(assemble_removed_vg_is_gone_not_damaged),
		cmocka_unit_test(assemble_pv_without_mda_in_a_vg_is_not_an_orphan),
		cmocka_unit_test(ring_conflict_majority),
		cmocka_unit_test(ring_conflict_tie_refused),
		cmocka_unit_test(ring_conflict_copy_at),
	};
	int rc = cmocka_run_group_tests_name("committed copies read for the CRC, then again to load",
					     tests, NULL, NULL);

	/* every committed copy read once by the probe and kept for the load,
	 * as one of mlvm_ring_keep_min bytes is: the same answers */
	mlvm_ring_keep_min = 0;
	return rc | cmocka_run_group_tests_name("committed copies kept from the probe", tests, NULL, NULL);
}
