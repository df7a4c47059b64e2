/*
 * test_label.c - unit tests for the label sector and pv_header (label.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imgbuild.h"
#include "disk/label.h"
#include "io/source.h"
#include "base/util.h"
#include "disk/crc.h"

#define UUID_A "AbCdEf0123456789GhIjKlMnOpQrStUv"
#define IMG_SIZE (64u * 1024u)

/* find a label in an image held in memory; the source is closed again */
static int find_in(uint8_t *img, size_t size, uint64_t base, struct mlvm_label *out,
		   struct mlvm_report *r)
{
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	int rc;

	assert_non_null(s);
	rc = mlvm_label_find(s, base, out, r);
	mlvm_source_close(s);
	return rc;
}

/* the code's entry, which must exist and lie at offset */
static void assert_reported_at(const struct mlvm_report *r, const char *code, int64_t offset)
{
	const struct mlvm_anomaly *a = ib_report_find(r, code);

	if (!a)
		ib_report_print(r);
	assert_non_null(a);
	assert_int_equal(a->offset, offset);
	assert_non_null(a->message);
	assert_string_equal(a->image, "disk.img");
}

/* a label of LVM2's usual shape: one data area, one mda, extension v2 */
static void usual_label(struct ib_label *l, unsigned sector)
{
	ib_label_init(l, UUID_A, 8u << 20);
	l->sector = sector;
	ib_label_add_data(l, 1u << 20, 0);
	ib_label_add_mda(l, 4096, (1u << 20) - 4096);
}

static void label_found_in_each_of_sectors_0_to_3(void **state)
{
	unsigned sector;

	(void)state;
	for (sector = 0; sector < 4; sector++) {
		uint8_t *img = ib_image_new(IMG_SIZE, 0);
		struct mlvm_report r;
		struct mlvm_label lab;
		struct ib_label l;

		mlvm_report_init(&r);
		usual_label(&l, sector);
		ib_write_label(img, IMG_SIZE, 0, &l);
		assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
		assert_int_equal(lab.sector, sector);
		assert_int_equal(lab.sector_field, sector);
		assert_true(lab.magic_ok);
		assert_true(lab.sector_ok);
		assert_true(lab.crc_ok);
		assert_false(lab.shifted);
		assert_int_equal(lab.kind, MLVM_LABEL_LVM2);
		assert_string_equal(lab.pv_uuid, UUID_A);
		assert_int_equal(r.n, 0);
		mlvm_report_free(&r);
		free(img);
	}
}

static void label_in_sector_4_is_beyond_the_scan(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	usual_label(&l, 3);
	ib_write_label(img, IMG_SIZE, 0, &l);
	/* move it to sector 4: LVM2 only looks at sectors 0..3 */
	memmove(img + 4 * 512, img + 3 * 512, 512);
	memset(img + 3 * 512, 0, 512);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, NULL), -ENOENT);
	free(img);
}

static void label_parses_every_pv_header_field(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;
	uint32_t crc;

	(void)state;
	mlvm_report_init(&r);
	ib_label_init(&l, UUID_A, 0x123456789aULL);
	ib_label_add_data(&l, 1u << 20, 0);
	ib_label_add_data(&l, 0x40000000ULL, 0x1000);
	ib_label_add_mda(&l, 4096, 1044480);
	ib_label_add_mda(&l, 0x1234500000ULL, 1048576);
	l.ext_version = 2;
	l.ext_flags = 1;
	ib_label_add_ba(&l, 0x200000, 0x100000);
	crc = ib_write_label(img, IMG_SIZE, 0, &l);

	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(r.n, 0);
	assert_string_equal(lab.id, "LABELONE");
	assert_string_equal(lab.type, "LVM2 001");
	assert_int_equal(lab.crc_stored, crc);
	assert_int_equal(lab.crc_computed, crc);
	assert_int_equal(lab.pvh_offset, 32);
	assert_string_equal(lab.pv_uuid, UUID_A);
	assert_int_equal(lab.device_size, 0x123456789aULL);
	assert_int_equal(lab.n_data, 2);
	assert_int_equal(lab.data[0].offset, 1u << 20);
	assert_int_equal(lab.data[0].size, 0);
	assert_int_equal(lab.data[1].offset, 0x40000000ULL);
	assert_int_equal(lab.data[1].size, 0x1000);
	assert_int_equal(lab.n_mda, 2);
	assert_int_equal(lab.mda[0].offset, 4096);
	assert_int_equal(lab.mda[0].size, 1044480);
	assert_int_equal(lab.mda[1].offset, 0x1234500000ULL);
	assert_int_equal(lab.mda[1].size, 1048576);
	assert_true(lab.has_ext);
	assert_int_equal(lab.ext_version, 2);
	assert_int_equal(lab.ext_flags, 1);
	assert_int_equal(lab.n_ba, 1);
	assert_int_equal(lab.ba[0].offset, 0x200000);
	assert_int_equal(lab.ba[0].size, 0x100000);
	assert_false(lab.lists_truncated);
	mlvm_report_free(&r);
	free(img);
}

/* bytes 0..159 of a label sector written by LVM2 2.03.16 in sector 1 */
static const uint8_t lvm2_label[160] = {
	0x4c, 0x41, 0x42, 0x45, 0x4c, 0x4f, 0x4e, 0x45, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xda, 0x30, 0x5b, 0xf4, 0x20, 0x00, 0x00, 0x00, 0x4c, 0x56, 0x4d, 0x32, 0x20, 0x30, 0x30, 0x31,
	0x41, 0x53, 0x67, 0x68, 0x69, 0x53, 0x70, 0x52, 0x5a, 0x75, 0x5a, 0x70, 0x34, 0x33, 0x51, 0x72,
	0x30, 0x50, 0x47, 0x56, 0x33, 0x6e, 0x64, 0x5a, 0x42, 0x44, 0x49, 0x34, 0x48, 0x4c, 0x57, 0x39,
	0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xf0, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void label_parses_sector_written_by_lvm2(void **state)
{
	uint8_t *sec = calloc(1, 512);
	struct mlvm_report r;
	struct mlvm_label lab;

	(void)state;
	assert_non_null(sec);
	mlvm_report_init(&r);
	memcpy(sec, lvm2_label, sizeof(lvm2_label));
	assert_int_equal(mlvm_label_parse(sec, 1, &lab, &r, "disk.img", 0), 0);
	assert_int_equal(r.n, 0);
	assert_true(lab.crc_ok);
	assert_int_equal(lab.crc_stored, 0xf45b30dau);
	assert_true(lab.sector_ok);
	assert_string_equal(lab.pv_uuid, "ASghiSpRZuZp43Qr0PGV3ndZBDI4HLW9");
	assert_int_equal(lab.device_size, 2097152);
	assert_int_equal(lab.n_data, 1);
	assert_int_equal(lab.data[0].offset, 1048576);
	assert_int_equal(lab.data[0].size, 0);
	assert_int_equal(lab.n_mda, 1);
	assert_int_equal(lab.mda[0].offset, 4096);
	assert_int_equal(lab.mda[0].size, 1044480);
	assert_true(lab.has_ext);
	assert_int_equal(lab.ext_version, 2);
	assert_int_equal(lab.ext_flags, 1);
	assert_int_equal(lab.n_ba, 0);
	mlvm_report_free(&r);
	free(sec);
}

static void label_reports_crc_mismatch_at_crc_field(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;
	uint32_t crc;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 2);
	l.bad_crc = true;
	crc = ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_false(lab.crc_ok);
	assert_true(lab.magic_ok);
	assert_true(lab.sector_ok);
	assert_int_equal(lab.crc_computed, crc);
	assert_int_equal(lab.crc_stored, crc ^ 1u);
	assert_reported_at(&r, "label_crc", 2 * 512 + 16);
	assert_int_equal(r.n, 1);
	/* the damaged label still yields its fields */
	assert_string_equal(lab.pv_uuid, UUID_A);
	assert_int_equal(lab.n_mda, 1);
	mlvm_report_free(&r);
	free(img);
}

static void label_rejects_sector_mismatch(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	l.sector_field_auto = false;
	l.sector_field = 3;
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_false(lab.sector_ok);
	assert_true(lab.crc_ok);
	assert_int_equal(lab.sector, 1);
	assert_int_equal(lab.sector_field, 3);
	assert_reported_at(&r, "label_sector", 512 + 8);
	assert_int_equal(r.n, 1);
	mlvm_report_free(&r);
	free(img);
}

static void label_accepts_lvm2_type_under_another_id(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	memcpy(l.id, "XABEL\x01NE", 8);
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_false(lab.magic_ok);
	assert_true(lab.crc_ok);	/* the CRC does not cover the id */
	assert_int_equal(lab.kind, MLVM_LABEL_LVM2);
	assert_string_equal(lab.id, "XABEL?NE");
	assert_reported_at(&r, "label_magic", 512);
	assert_int_equal(r.n, 1);
	assert_string_equal(lab.pv_uuid, UUID_A);
	mlvm_report_free(&r);
	free(img);
}

static void label_recognises_journalled_type(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	memcpy(l.type, "JOUR 001", 8);
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(lab.kind, MLVM_LABEL_JOURNALLED);
	assert_string_equal(lab.type, "JOUR 001");
	assert_true(lab.magic_ok);
	assert_true(lab.crc_ok);
	assert_null(ib_report_find(&r, "label_type"));
	assert_reported_at(&r, "label_journalled", 512 + 24);
	assert_int_equal(r.n, 1);

	/* and under an id that is not LABELONE, as with LVM2 001 */
	memcpy(l.id, "\0\0\0\0\0\0\0\0", 8);
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(lab.kind, MLVM_LABEL_JOURNALLED);
	assert_false(lab.magic_ok);
	assert_reported_at(&r, "label_magic", 512);
	mlvm_report_free(&r);
	free(img);
}

static void label_reports_unknown_type_under_labelone(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 0);
	memcpy(l.type, "LVM1 001", 8);
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(lab.kind, MLVM_LABEL_UNKNOWN_TYPE);
	assert_true(lab.magic_ok);
	assert_reported_at(&r, "label_type", 24);
	assert_int_equal(r.n, 1);
	mlvm_report_free(&r);
	free(img);
}

static void label_unshifts_sector_wiped_by_mirage(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;
	const struct mlvm_anomaly *a;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	l.shift = true;
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_memory_equal(img + 512, "MBCFMPOF", 8);
	assert_memory_equal(img + 512 + 24, "MWN3!112", 8);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_true(lab.shifted);
	assert_true(lab.magic_ok);
	assert_true(lab.crc_ok);
	assert_true(lab.sector_ok);
	assert_int_equal(lab.kind, MLVM_LABEL_LVM2);
	assert_string_equal(lab.id, "LABELONE");
	assert_string_equal(lab.pv_uuid, UUID_A);
	assert_int_equal(lab.device_size, 8u << 20);
	assert_int_equal(lab.n_mda, 1);
	assert_int_equal(lab.mda[0].offset, 4096);
	/* a notice, not a warning: nothing is damaged */
	a = ib_report_find(&r, "label_shifted");
	assert_non_null(a);
	assert_int_equal(a->severity, MLVM_SEV_NOTICE);
	assert_int_equal(a->offset, 512);
	assert_int_equal(mlvm_report_count(&r, MLVM_SEV_WARNING), 0);
	/* the image itself is not modified */
	assert_memory_equal(img + 512, "MBCFMPOF", 8);
	mlvm_report_free(&r);
	free(img);
}

static void label_shifted_id_needs_a_shifted_label_type(void **state)
{
	uint8_t sec[512];
	struct mlvm_label lab;

	(void)state;
	memset(sec, 0x42, sizeof(sec));
	memcpy(sec, "MBCFMPOF", 8);
	assert_int_equal(mlvm_label_parse(sec, 0, &lab, NULL, "disk.img", 0), -ENOENT);
	/* the shifted journalled type is accepted too */
	memcpy(sec + 24, "KPVS!112", 8);
	assert_int_equal(mlvm_label_parse(sec, 0, &lab, NULL, "disk.img", 0), 0);
	assert_true(lab.shifted);
	assert_int_equal(lab.kind, MLVM_LABEL_JOURNALLED);
}

static void label_shifted_id_with_plain_lvm2_type_is_accepted_as_lvm2_does(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	memcpy(l.id, "MBCFMPOF", 8);
	ib_write_label(img, IMG_SIZE, 0, &l);
	/* LVM2 accepts any id when the type is "LVM2 001", so must we */
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_false(lab.shifted);
	assert_false(lab.magic_ok);
	assert_int_equal(lab.kind, MLVM_LABEL_LVM2);
	assert_string_equal(lab.pv_uuid, UUID_A);
	assert_reported_at(&r, "label_magic", 512);
	mlvm_report_free(&r);
	free(img);
}

static void label_sector_without_id_or_type_is_enoent(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 7);
	struct mlvm_report r;
	struct mlvm_label lab;
	uint8_t zero[512];

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(mlvm_label_parse(img, 0, &lab, &r, "disk.img", 0), -ENOENT);
	memset(zero, 0, sizeof(zero));
	assert_int_equal(mlvm_label_parse(zero, 0, &lab, &r, "disk.img", 0), -ENOENT);
	/* LABELONE's type at the id's place is not enough either */
	memcpy(zero, "LVM2 001", 8);
	assert_int_equal(mlvm_label_parse(zero, 0, &lab, &r, "disk.img", 0), -ENOENT);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), -ENOENT);
	assert_int_equal(r.n, 0);
	mlvm_report_free(&r);
	free(img);
}

/*
 * A label sector (sector 0) holding data_entries data areas; with
 * data_entries >= 27 the data list has no terminator, otherwise the mda list
 * after it has none. Every byte after the last whole entry is non-zero, and
 * the CRC is right, so only the lists are wrong.
 */
static uint8_t *sector_with_full_lists(unsigned data_entries)
{
	uint8_t *sec = malloc(512);	/* exactly one sector: ASan sees any over-read */
	struct ib_label l;
	size_t pos = 72;
	unsigned i;

	assert_non_null(sec);
	ib_label_init(&l, UUID_A, 1u << 30);
	l.sector = 0;
	l.ext = false;
	ib_write_label(sec, 512, 0, &l);
	for (i = 0; i < data_entries && pos + 16 <= 512; i++, pos += 16) {
		ib_put_le64(sec, 512, pos, 0x100000);
		ib_put_le64(sec, 512, pos + 8, 0);
	}
	if (i == data_entries) {
		ib_put_le64(sec, 512, pos, 0);	/* data list terminator */
		ib_put_le64(sec, 512, pos + 8, 0);
		pos += 16;
	}
	for (; pos < 512; pos++)
		sec[pos] = (uint8_t)(0x11 + pos % 7);
	ib_put_le32(sec, 512, 16, mlvm_crc(MLVM_CRC_INITIAL, sec + 20, 492));
	return sec;
}

static void label_data_list_running_off_sector_is_truncated(void **state)
{
	uint8_t *sec = sector_with_full_lists(1000);
	struct mlvm_report r;
	struct mlvm_label lab;

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(mlvm_label_parse(sec, 0, &lab, &r, "disk.img", 0), 0);
	assert_true(lab.crc_ok);
	assert_true(lab.lists_truncated);
	/* 440 bytes hold 27 whole entries; none past the sector */
	assert_int_equal(lab.n_data, 27);
	assert_int_equal(lab.data[26].offset, 0x100000);
	assert_int_equal(lab.n_mda, 0);
	assert_false(lab.has_ext);
	/* reported where the list that ran off starts, inside the sector */
	assert_reported_at(&r, "label_lists", 72);
	mlvm_report_free(&r);
	free(sec);
}

static void label_mda_list_running_off_sector_is_truncated(void **state)
{
	uint8_t *sec = sector_with_full_lists(1);
	struct mlvm_report r;
	struct mlvm_label lab;

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(mlvm_label_parse(sec, 0, &lab, &r, "disk.img", 0), 0);
	assert_true(lab.lists_truncated);
	assert_int_equal(lab.n_data, 1);
	assert_int_equal(lab.data[0].offset, 0x100000);
	/* after 72 + 2*16 bytes, 408 bytes hold 25 entries */
	assert_int_equal(lab.n_mda, 25);
	assert_false(lab.has_ext);
	/* the list that ran off starts at byte 104 of the sector */
	assert_reported_at(&r, "label_lists", 104);
	mlvm_report_free(&r);
	free(sec);
}

static void label_bootloader_list_running_off_sector_is_truncated(void **state)
{
	uint8_t *sec = malloc(512);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;
	size_t pos;

	(void)state;
	assert_non_null(sec);
	mlvm_report_init(&r);
	ib_label_init(&l, UUID_A, 1u << 30);
	l.sector = 0;
	ib_label_add_data(&l, 1u << 20, 0);
	ib_label_add_mda(&l, 4096, 4096);
	ib_write_label(sec, 512, 0, &l);
	/* extension at 72 + 32 + 32 = 136: version, flags, then a list to the end */
	assert_int_equal(mlvm_le32(sec + 136), 2);
	for (pos = 144; pos < 512; pos++)
		sec[pos] = 0x77;
	ib_put_le32(sec, 512, 16, mlvm_crc(MLVM_CRC_INITIAL, sec + 20, 492));
	assert_int_equal(mlvm_label_parse(sec, 0, &lab, &r, "disk.img", 0), 0);
	assert_true(lab.crc_ok);
	assert_true(lab.has_ext);
	assert_true(lab.lists_truncated);
	assert_int_equal(lab.n_data, 1);
	assert_int_equal(lab.n_mda, 1);
	assert_int_equal(lab.n_ba, 23);
	assert_int_equal(lab.ba[0].offset, 0x7777777777777777ULL);
	assert_reported_at(&r, "label_lists", 144);
	mlvm_report_free(&r);
	free(sec);
}

static void label_extension_that_just_fits_is_read(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;
	unsigned i;

	(void)state;
	mlvm_report_init(&r);
	ib_label_init(&l, UUID_A, 1u << 30);
	l.sector = 0;
	/* 72 + 24*16 + 2*16 = 488: the extension at 488, its empty list at 496..511 */
	for (i = 0; i < 23; i++)
		ib_label_add_data(&l, (i + 1) * 4096ULL, 4096);
	ib_label_add_mda(&l, 1u << 20, 1u << 20);
	l.ext_flags = 0x10001;
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(mlvm_le32(img + 488), 2);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(lab.n_data, 23);
	assert_int_equal(lab.data[22].offset, 23 * 4096);
	assert_int_equal(lab.n_mda, 1);
	assert_true(lab.has_ext);
	assert_int_equal(lab.ext_version, 2);
	assert_int_equal(lab.ext_flags, 0x10001);
	assert_int_equal(lab.n_ba, 0);
	assert_false(lab.lists_truncated);
	assert_int_equal(r.n, 0);

	/* one more data area: the extension header fits (504..511), its list does not */
	ib_label_add_data(&l, 24 * 4096ULL, 4096);
	l.ext = false;
	ib_write_label(img, IMG_SIZE, 0, &l);
	ib_put_le32(img, IMG_SIZE, 504, 2);
	ib_put_le32(img, IMG_SIZE, 508, 1);
	ib_put_le32(img, IMG_SIZE, 16, mlvm_crc(MLVM_CRC_INITIAL, img + 20, 492));
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_true(lab.crc_ok);
	assert_int_equal(lab.n_data, 24);
	assert_true(lab.has_ext);
	assert_int_equal(lab.ext_version, 2);
	assert_int_equal(lab.ext_flags, 1);
	assert_true(lab.lists_truncated);
	assert_non_null(ib_report_find(&r, "label_lists"));

	/* the same with a zero version: no extension, nothing wrong */
	mlvm_report_free(&r);
	ib_put_le32(img, IMG_SIZE, 504, 0);
	ib_put_le32(img, IMG_SIZE, 16, mlvm_crc(MLVM_CRC_INITIAL, img + 20, 492));
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_false(lab.has_ext);
	assert_false(lab.lists_truncated);
	assert_int_equal(r.n, 0);
	mlvm_report_free(&r);
	free(img);
}

static void label_without_extension_has_no_ext(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	l.ext = false;		/* LVM2 before 2.02.110: zeroes after the lists */
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_false(lab.has_ext);
	assert_int_equal(lab.n_ba, 0);
	assert_false(lab.lists_truncated);
	assert_int_equal(r.n, 0);
	mlvm_report_free(&r);
	free(img);
}

static void label_bogus_pv_header_offset_falls_back_to_32(void **state)
{
	static const uint32_t bogus[] = { 0, 31, 473, 512, 0xffffffffu };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		uint8_t *img = ib_image_new(IMG_SIZE, 0);
		struct mlvm_report r;
		struct mlvm_label lab;
		struct ib_label l;

		mlvm_report_init(&r);
		usual_label(&l, 1);
		l.pvh_offset = bogus[i];	/* the builder still writes the header at 32 */
		ib_write_label(img, IMG_SIZE, 0, &l);
		assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
		assert_int_equal(lab.pvh_offset, bogus[i]);
		assert_true(lab.crc_ok);
		assert_reported_at(&r, "label_offset", 512 + 20);
		assert_string_equal(lab.pv_uuid, UUID_A);
		assert_int_equal(lab.n_mda, 1);
		assert_int_equal(lab.mda[0].offset, 4096);
		mlvm_report_free(&r);
		free(img);
	}
}

static void label_plausible_pv_header_offset_is_followed(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	l.pvh_offset = 64;
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_reported_at(&r, "label_offset", 512 + 20);
	assert_string_equal(lab.pv_uuid, UUID_A);
	assert_int_equal(lab.device_size, 8u << 20);
	assert_int_equal(lab.n_mda, 1);
	assert_int_equal(lab.mda[0].offset, 4096);

	/* at the last place where uuid and size fit, the lists run off */
	mlvm_report_free(&r);
	memset(img + 512, 0, 512);
	memcpy(img + 512, "LABELONE", 8);
	ib_put_le64(img, IMG_SIZE, 512 + 8, 1);
	ib_put_le32(img, IMG_SIZE, 512 + 20, 472);
	memcpy(img + 512 + 24, "LVM2 001", 8);
	memcpy(img + 512 + 472, UUID_A, 32);
	ib_put_le64(img, IMG_SIZE, 512 + 504, 12345);
	ib_put_le32(img, IMG_SIZE, 512 + 16, mlvm_crc(MLVM_CRC_INITIAL, img + 512 + 20, 492));
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_true(lab.crc_ok);
	assert_string_equal(lab.pv_uuid, UUID_A);
	assert_int_equal(lab.device_size, 12345);
	assert_true(lab.lists_truncated);
	assert_int_equal(lab.n_data, 0);
	mlvm_report_free(&r);
	free(img);
}

static void label_reports_uuid_characters_outside_the_id_set(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	ib_label_init(&l, "AbCdEf-123456789GhIjKlMnOpQrStUv", 1u << 20);
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_string_equal(lab.pv_uuid, "AbCdEf?123456789GhIjKlMnOpQrStUv");
	assert_reported_at(&r, "pv_uuid", 512 + 32 + 6);
	mlvm_report_free(&r);
	free(img);
}

static void label_find_in_image_shorter_than_four_sectors(void **state)
{
	struct mlvm_label lab;
	struct ib_label l;
	uint8_t *img;

	(void)state;
	/* 1000 bytes: sector 0 is whole, sector 1 is not */
	img = ib_image_new(1000, 0);
	usual_label(&l, 0);
	ib_write_label(img, 1000, 0, &l);
	assert_int_equal(find_in(img, 1000, 0, &lab, NULL), 0);
	assert_int_equal(lab.sector, 0);
	assert_string_equal(lab.pv_uuid, UUID_A);
	free(img);

	/* a label in sector 1 of a 1000-byte image cannot be read whole */
	img = ib_image_new(1024, 0);
	usual_label(&l, 1);
	ib_write_label(img, 1024, 0, &l);
	assert_int_equal(find_in(img, 1000, 0, &lab, NULL), -ENOENT);
	assert_int_equal(find_in(img, 1024, 0, &lab, NULL), 0);
	assert_int_equal(lab.sector, 1);
	assert_int_equal(find_in(img, 511, 0, &lab, NULL), -ENOENT);
	free(img);

	/* empty image */
	assert_int_equal(find_in(NULL, 0, 0, &lab, NULL), -ENOENT);
}

static void label_found_in_sector_1_when_sector_0_is_garbage(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	ib_fill(img, IMG_SIZE, 0, 512, 1234);	/* an MBR's worth of noise */
	usual_label(&l, 1);
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(lab.sector, 1);
	assert_true(lab.crc_ok);
	assert_int_equal(r.n, 0);
	mlvm_report_free(&r);
	free(img);
}

static void label_find_prefers_a_sound_label_over_an_earlier_damaged_one(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 3);
	ib_write_label(img, IMG_SIZE, 0, &l);
	ib_label_init(&l, "ZZZZZZ0123456789GhIjKlMnOpQrStUv", 1u << 20);
	l.sector = 2;
	l.bad_crc = true;
	ib_write_label(img, IMG_SIZE, 0, &l);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	/* as LVM2 does, the LABELONE sector with a bad crc is passed over */
	assert_int_equal(lab.sector, 3);
	assert_true(lab.crc_ok);
	assert_reported_at(&r, "label_skipped", 2 * 512);
	assert_int_equal(r.n, 1);
	mlvm_report_free(&r);

	/* with no sound label left, the damaged one is still used, and said so */
	memset(img + 3 * 512, 0, 512);
	mlvm_report_init(&r);
	assert_int_equal(find_in(img, IMG_SIZE, 0, &lab, &r), 0);
	assert_int_equal(lab.sector, 2);
	assert_string_equal(lab.pv_uuid, "ZZZZZZ0123456789GhIjKlMnOpQrStUv");
	assert_reported_at(&r, "label_crc", 2 * 512 + 16);
	assert_int_equal(r.n, 1);
	mlvm_report_free(&r);
	free(img);
}

static void label_find_at_a_base_offset_reports_absolute_offsets(void **state)
{
	const uint64_t base = 2048 * 512;	/* a partition at sector 2048 */
	size_t size = base + IMG_SIZE;
	uint8_t *img = ib_image_new(size, 0);
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	mlvm_report_init(&r);
	usual_label(&l, 1);
	l.bad_crc = true;
	l.sector_field_auto = false;
	l.sector_field = 2049;	/* the absolute sector: wrong, it is relative */
	ib_write_label(img, size, base, &l);
	assert_int_equal(find_in(img, size, 0, &lab, NULL), -ENOENT);
	assert_int_equal(find_in(img, size, base, &lab, &r), 0);
	assert_int_equal(lab.sector, 1);
	assert_false(lab.sector_ok);
	assert_reported_at(&r, "label_sector", (int64_t)base + 512 + 8);
	assert_reported_at(&r, "label_crc", (int64_t)base + 512 + 16);
	assert_int_equal(find_in(img, size, size + 1, &lab, NULL), -ENOENT);
	assert_int_equal(find_in(img, size, size, &lab, NULL), -ENOENT);
	mlvm_report_free(&r);
	free(img);
}

static void label_unshift_subtracts_one_from_every_byte(void **state)
{
	uint8_t b[4] = { 0x00, 0x01, 0x4d, 0xff };

	(void)state;
	mlvm_unshift(b, sizeof(b));
	assert_int_equal(b[0], 0xff);
	assert_int_equal(b[1], 0x00);
	assert_int_equal(b[2], 0x4c);
	assert_int_equal(b[3], 0xfe);
}

static void label_find_strict_follows_lvm2_rules(void **state)
{
	uint8_t *img = ib_image_new(IMG_SIZE, 0);
	struct mlvm_source *src;
	struct mlvm_report r;
	struct mlvm_label lab;
	struct ib_label l;

	(void)state;
	/* LABELONE with a bad crc in sector 1, a sound label in sector 2 */
	usual_label(&l, 1);
	l.bad_crc = true;
	ib_write_label(img, IMG_SIZE, 0, &l);
	usual_label(&l, 2);
	ib_write_label(img, IMG_SIZE, 0, &l);
	src = mlvm_source_memory("disk.img", img, IMG_SIZE, 0);
	assert_non_null(src);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_label_find_ex(src, 0, MLVM_LABEL_STRICT, &lab, &r), 0);
	assert_int_equal(lab.sector, 2);
	assert_reported_at(&r, "label_rejected", 512);
	mlvm_report_free(&r);

	/* only the damaged LABELONE left: strict finds nothing */
	memset(img + 2 * 512, 0, 512);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_label_find_ex(src, 0, MLVM_LABEL_STRICT, &lab, &r), -ENOENT);
	mlvm_report_free(&r);

	/* another id with the LVM2 type and a stale crc: LVM2 takes it unchecked */
	memset(img, 0, 4 * 512);
	usual_label(&l, 1);
	memcpy(l.id, "XXXXXXXX", 8);
	l.bad_crc = true;
	ib_write_label(img, IMG_SIZE, 0, &l);
	mlvm_report_init(&r);
	assert_int_equal(mlvm_label_find_ex(src, 0, MLVM_LABEL_STRICT, &lab, &r), 0);
	assert_int_equal(lab.sector, 1);
	assert_false(lab.magic_ok);
	assert_false(lab.crc_ok);
	mlvm_report_free(&r);
	mlvm_source_close(src);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_found_in_each_of_sectors_0_to_3),
		cmocka_unit_test(label_in_sector_4_is_beyond_the_scan),
		cmocka_unit_test(label_parses_every_pv_header_field),
		cmocka_unit_test(label_parses_sector_written_by_lvm2),
		cmocka_unit_test(label_reports_crc_mismatch_at_crc_field),
		cmocka_unit_test(label_rejects_sector_mismatch),
		cmocka_unit_test(label_accepts_lvm2_type_under_another_id),
		cmocka_unit_test(label_recognises_journalled_type),
		cmocka_unit_test(label_reports_unknown_type_under_labelone),
		cmocka_unit_test(label_unshifts_sector_wiped_by_mirage),
		cmocka_unit_test(label_shifted_id_needs_a_shifted_label_type),
		cmocka_unit_test(label_shifted_id_with_plain_lvm2_type_is_accepted_as_lvm2_does),
		cmocka_unit_test(label_sector_without_id_or_type_is_enoent),
		cmocka_unit_test(label_data_list_running_off_sector_is_truncated),
		cmocka_unit_test(label_mda_list_running_off_sector_is_truncated),
		cmocka_unit_test(label_bootloader_list_running_off_sector_is_truncated),
		cmocka_unit_test(label_extension_that_just_fits_is_read),
		cmocka_unit_test(label_without_extension_has_no_ext),
		cmocka_unit_test(label_bogus_pv_header_offset_falls_back_to_32),
		cmocka_unit_test(label_plausible_pv_header_offset_is_followed),
		cmocka_unit_test(label_reports_uuid_characters_outside_the_id_set),
		cmocka_unit_test(label_find_in_image_shorter_than_four_sectors),
		cmocka_unit_test(label_found_in_sector_1_when_sector_0_is_garbage),
		cmocka_unit_test(label_find_prefers_a_sound_label_over_an_earlier_damaged_one),
		cmocka_unit_test(label_find_strict_follows_lvm2_rules),
		cmocka_unit_test(label_find_at_a_base_offset_reports_absolute_offsets),
		cmocka_unit_test(label_unshift_subtracts_one_from_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
