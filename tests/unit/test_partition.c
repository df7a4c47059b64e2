/*
 * test_partition.c - unit tests for MBR/EBR and GPT partition tables
 * (partition.c). Images are built in memory; two are real sfdisk output.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "io/partition.h"
#include "base/report.h"
#include "io/source.h"
#include "base/util.h"

#define SEC 512u
#define MiB (1024u * 1024u)
#define LVM_GUID "E6D6D379-F507-44C2-A23C-238F2A3DF928"
#define LINUX_GUID "0FC63DAF-8483-4772-8E79-3D69D8477DE4"

/* a run of non-zero bytes at an offset of an otherwise zero image */
struct run {
	size_t off;
	size_t len;
	const char *bytes;
};

/*
 * Real sfdisk (util-linux 2.38.1) output, kept as its non-zero byte runs.
 * sfdisk_gpt, a 4 MiB image:
 *   printf 'label: gpt\nlabel-id: 11223344-5566-7788-99AA-BBCCDDEEFF00\n
 *   size=1M, type=E6D6D379-F507-44C2-A23C-238F2A3DF928, name=lvm1,
 *     uuid=0A0B0C0D-0E0F-1011-1213-141516171819\n
 *   size=1M, uuid=2A0B0C0D-0E0F-1011-1213-141516171819\n' | sfdisk g.img
 * sfdisk -d g.img: start=34 size=2048 (lvm1), start=2082 size=2048 (Linux).
 * sfdisk_dos, a 16 MiB image:
 *   printf 'label: dos\nlabel-id: 0x12345678\n,4M,8e\n,,5\n,2M,83\n,2M,8e\n' | sfdisk m.img
 * sfdisk -d m.img: 1 start=2048 size=8192 8e; 2 start=10240 size=22528 5;
 *   5 start=12288 size=4096 83; 6 start=18432 size=4096 8e.
 */
/* sfdisk_gpt: non-zero byte runs of g.img (4194304 bytes) */
static const struct run sfdisk_gpt[] = {
	{ 448, 12,
	  "\x02\x00\xee\xff\xff\xff\x01\x00\x00\x00\xff\x1f" },
	{ 510, 93,
	  "\x55\xaa\x45\x46\x49\x20\x50\x41\x52\x54\x00\x00\x01\x00\x5c\x00"
	  "\x00\x00\x4e\xcc\xcf\x62\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00"
	  "\x00\x00\xff\x1f\x00\x00\x00\x00\x00\x00\x22\x00\x00\x00\x00\x00"
	  "\x00\x00\xde\x1f\x00\x00\x00\x00\x00\x00\x44\x33\x22\x11\x66\x55"
	  "\x88\x77\x99\xaa\xbb\xcc\xdd\xee\xff\x00\x02\x00\x00\x00\x00\x00"
	  "\x00\x00\x80\x00\x00\x00\x80\x00\x00\x00\x2b\x5e\x7b" },
	{ 1024, 42,
	  "\x79\xd3\xd6\xe6\x07\xf5\xc2\x44\xa2\x3c\x23\x8f\x2a\x3d\xf9\x28"
	  "\x0d\x0c\x0b\x0a\x0f\x0e\x11\x10\x12\x13\x14\x15\x16\x17\x18\x19"
	  "\x22\x00\x00\x00\x00\x00\x00\x00\x21\x08" },
	{ 1080, 7,
	  "\x6c\x00\x76\x00\x6d\x00\x31" },
	{ 1152, 42,
	  "\xaf\x3d\xc6\x0f\x83\x84\x72\x47\x8e\x79\x3d\x69\xd8\x47\x7d\xe4"
	  "\x0d\x0c\x0b\x2a\x0f\x0e\x11\x10\x12\x13\x14\x15\x16\x17\x18\x19"
	  "\x22\x08\x00\x00\x00\x00\x00\x00\x21\x10" },
	{ 4177408, 42,
	  "\x79\xd3\xd6\xe6\x07\xf5\xc2\x44\xa2\x3c\x23\x8f\x2a\x3d\xf9\x28"
	  "\x0d\x0c\x0b\x0a\x0f\x0e\x11\x10\x12\x13\x14\x15\x16\x17\x18\x19"
	  "\x22\x00\x00\x00\x00\x00\x00\x00\x21\x08" },
	{ 4177464, 7,
	  "\x6c\x00\x76\x00\x6d\x00\x31" },
	{ 4177536, 42,
	  "\xaf\x3d\xc6\x0f\x83\x84\x72\x47\x8e\x79\x3d\x69\xd8\x47\x7d\xe4"
	  "\x0d\x0c\x0b\x2a\x0f\x0e\x11\x10\x12\x13\x14\x15\x16\x17\x18\x19"
	  "\x22\x08\x00\x00\x00\x00\x00\x00\x21\x10" },
	{ 4193792, 91,
	  "\x45\x46\x49\x20\x50\x41\x52\x54\x00\x00\x01\x00\x5c\x00\x00\x00"
	  "\x1e\xf8\xa3\x1d\x00\x00\x00\x00\xff\x1f\x00\x00\x00\x00\x00\x00"
	  "\x01\x00\x00\x00\x00\x00\x00\x00\x22\x00\x00\x00\x00\x00\x00\x00"
	  "\xde\x1f\x00\x00\x00\x00\x00\x00\x44\x33\x22\x11\x66\x55\x88\x77"
	  "\x99\xaa\xbb\xcc\xdd\xee\xff\x00\xdf\x1f\x00\x00\x00\x00\x00\x00"
	  "\x80\x00\x00\x00\x80\x00\x00\x00\x2b\x5e\x7b" },
};
/* sfdisk_dos: non-zero byte runs of m.img (16777216 bytes) */
static const struct run sfdisk_dos[] = {
	{ 440, 36,
	  "\x78\x56\x34\x12\x00\x00\x00\x20\x21\x00\x8e\xa2\x22\x00\x00\x08"
	  "\x00\x00\x00\x20\x00\x00\x00\xa2\x23\x00\x05\x0a\x08\x02\x00\x28"
	  "\x00\x00\x00\x58" },
	{ 510, 2,
	  "\x55\xaa" },
	{ 5243327, 29,
	  "\xc3\x04\x00\x83\x05\x04\x01\x00\x08\x00\x00\x00\x10\x00\x00\x00"
	  "\x05\x05\x01\x05\x66\x25\x01\x00\x18\x00\x00\x00\x18" },
	{ 5243390, 2,
	  "\x55\xaa" },
	{ 8389055, 13,
	  "\x25\x25\x01\x8e\x66\x25\x01\x00\x08\x00\x00\x00\x10" },
	{ 8389118, 2,
	  "\x55\xaa" },
};

#define SFDISK_GPT_SIZE (4u * MiB)
#define SFDISK_DOS_SIZE (16u * MiB)

static uint8_t *img_new(size_t size)
{
	uint8_t *img = calloc(1, size);

	assert_non_null(img);
	return img;
}

static uint8_t *img_from_runs(const struct run *runs, size_t n, size_t size)
{
	uint8_t *img = img_new(size);
	size_t i;

	for (i = 0; i < n; i++) {
		assert_true(runs[i].off + runs[i].len <= size);
		memcpy(img + runs[i].off, runs[i].bytes, runs[i].len);
	}
	return img;
}

/* read the table of an image held in memory; the source is closed again */
static int read_table(uint8_t *img, size_t size, struct mlvm_partition_table *t,
		      struct mlvm_report *r)
{
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	int rc;

	assert_non_null(s);
	rc = mlvm_partitions_read(s, t, r);
	mlvm_source_close(s);
	return rc;
}

static const struct mlvm_anomaly *find_code(const struct mlvm_report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].code, code))
			return &r->items[i];
	return NULL;
}

static void print_report(const struct mlvm_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		fprintf(stderr, "  %s @%lld: %s\n", r->items[i].code,
			(long long)r->items[i].offset, r->items[i].message);
}

/* the code's entry, which must exist (at offset, unless offset is -2) */
static void assert_reported(const struct mlvm_report *r, const char *code, int64_t offset)
{
	const struct mlvm_anomaly *a = find_code(r, code);

	if (!a || (offset != -2 && a->offset != offset))
		print_report(r);
	assert_non_null(a);
	if (offset != -2)
		assert_int_equal(a->offset, offset);
	assert_string_equal(a->image, "disk.img");
}

static void assert_no_warnings(const struct mlvm_report *r)
{
	if (mlvm_report_count(r, MLVM_SEV_WARNING))
		print_report(r);
	assert_int_equal(mlvm_report_count(r, MLVM_SEV_WARNING), 0);
}

static void assert_part(const struct mlvm_partition *p, unsigned index,
			uint64_t start_sector, uint64_t sectors)
{
	assert_int_equal(p->index, index);
	assert_int_equal(p->start, start_sector * SEC);
	assert_int_equal(p->size, sectors * SEC);
	assert_int_equal(p->size_stated, sectors * SEC);
	assert_false(p->clipped);
}

/* ---- MBR builders ---- */

static void mbr_entry(uint8_t *img, uint64_t sector, unsigned slot, uint8_t type,
		      uint32_t start, uint32_t count)
{
	uint8_t *sec = img + sector * SEC;
	uint8_t *p = sec + 446 + slot * 16;

	p[0] = 0;
	p[4] = type;
	mlvm_put_le32(p + 8, start);
	mlvm_put_le32(p + 12, count);
	sec[510] = 0x55;
	sec[511] = 0xaa;
}

/* ---- GPT builder ---- */

/* dashed GUID text to its on-disk bytes (first three fields little-endian) */
static void guid_bytes(const char *text, uint8_t out[16])
{
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t be[16];
	unsigned i, j = 0;

	for (i = 0; text[i] && j < 16; i++) {
		unsigned v;

		if (text[i] == '-')
			continue;
		assert_int_equal(sscanf(text + i, "%2x", &v), 1);
		be[j++] = (uint8_t)v;
		i++;
	}
	assert_int_equal(j, 16);
	for (i = 0; i < 16; i++)
		out[i] = be[order[i]];
}

struct gpt_ent {
	const char *type;
	uint64_t first, last;
	const char *name;	/* ASCII */
};

struct gpt_layout {
	uint32_t n_entries;
	uint32_t entry_size;
	bool backup;
};

static void gpt_header_crc(uint8_t *img, uint64_t lba)
{
	uint8_t *h = img + lba * SEC;

	mlvm_put_le32(h + 16, 0);
	mlvm_put_le32(h + 16, (uint32_t)crc32(0, h, mlvm_le32(h + 12)));
}

static void gpt_header(uint8_t *img, uint64_t lba, uint64_t alt, uint64_t entries_lba,
		       uint64_t last_lba, const struct gpt_layout *l, uint32_t entries_crc)
{
	uint8_t *h = img + lba * SEC;
	uint64_t array_sectors = ((uint64_t)l->n_entries * l->entry_size + SEC - 1) / SEC;

	memcpy(h, "EFI PART", 8);
	mlvm_put_le32(h + 8, 0x00010000);
	mlvm_put_le32(h + 12, 92);
	mlvm_put_le64(h + 24, lba);
	mlvm_put_le64(h + 32, alt);
	mlvm_put_le64(h + 40, 2 + array_sectors);
	mlvm_put_le64(h + 48, last_lba - 1 - array_sectors);
	guid_bytes("11223344-5566-7788-99aa-bbccddeeff00", h + 56);
	mlvm_put_le64(h + 72, entries_lba);
	mlvm_put_le32(h + 80, l->n_entries);
	mlvm_put_le32(h + 84, l->entry_size);
	mlvm_put_le32(h + 88, entries_crc);
	gpt_header_crc(img, lba);
}

/* a protective MBR, a primary GPT at LBA 1 with its array at LBA 2 and, if
 * asked, the backup array and header at the end of the image */
static void gpt_write(uint8_t *img, size_t size, const struct gpt_ent *e, unsigned n,
		      const struct gpt_layout *l)
{
	uint64_t last_lba = size / SEC - 1;
	size_t array_bytes = (size_t)l->n_entries * l->entry_size;
	uint64_t array_sectors = (array_bytes + SEC - 1) / SEC;
	uint8_t *array = img + 2 * SEC;
	uint32_t crc;
	unsigned i, k;

	mbr_entry(img, 0, 0, 0xee, 1, (uint32_t)last_lba);
	for (i = 0; i < n; i++) {
		uint8_t *p = array + (size_t)i * l->entry_size;

		guid_bytes(e[i].type, p);
		guid_bytes("00000000-0000-0000-0000-00000000000a", p + 16);
		p[16] = (uint8_t)(i + 1);
		mlvm_put_le64(p + 32, e[i].first);
		mlvm_put_le64(p + 40, e[i].last);
		for (k = 0; e[i].name && e[i].name[k] && k < 36; k++)
			p[56 + 2 * k] = (uint8_t)e[i].name[k];
	}
	crc = (uint32_t)crc32(0, array, (uInt)array_bytes);
	gpt_header(img, 1, last_lba, 2, last_lba, l, crc);
	if (l->backup) {
		memcpy(img + (last_lba - array_sectors) * SEC, array, array_bytes);
		gpt_header(img, last_lba, 1, last_lba - array_sectors, last_lba, l, crc);
	}
}

static const struct gpt_layout std_layout = { 128, 128, true };

static const struct gpt_ent three_entries[] = {
	{ LINUX_GUID, 2048, 4095, "root" },
	{ LVM_GUID, 4096, 8191, "lvm-pv" },
	{ "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", 8192, 10239, "EFI System" },
};

/* ================================================================ MBR */

static void mbr_lists_two_primaries(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x83, 2048, 4096);
	mbr_entry(img, 0, 1, 0x8e, 6144, 8192);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_MBR);
	assert_int_equal(t.n, 2);
	assert_part(&t.parts[0], 1, 2048, 4096);
	assert_int_equal(t.parts[0].mbr_type, 0x83);
	assert_false(t.parts[0].lvm_type);
	assert_part(&t.parts[1], 2, 6144, 8192);
	assert_int_equal(t.parts[1].mbr_type, 0x8e);
	assert_true(t.parts[1].lvm_type);
	assert_int_equal(t.parts[1].entry_offset, 446 + 16);
	assert_string_equal(t.parts[1].type_guid, "");
	assert_string_equal(t.parts[1].name, "");
	assert_int_equal(r.n, 0);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

/* primary 1, extended 2 at sector 4096 holding three logicals */
static void build_extended(uint8_t *img)
{
	mbr_entry(img, 0, 0, 0x83, 2048, 2048);
	mbr_entry(img, 0, 1, 0x0f, 4096, 12288);
	/* EBR 1 at 4096: logical at +2048, link to the EBR at ext+6144 */
	mbr_entry(img, 4096, 0, 0x8e, 2048, 2048);
	mbr_entry(img, 4096, 1, 0x05, 6144, 4096);
	/* EBR 2 at 10240: logical at +1024, link to the EBR at ext+10240 */
	mbr_entry(img, 10240, 0, 0x83, 1024, 2048);
	mbr_entry(img, 10240, 1, 0x05, 10240, 2048);
	/* EBR 3 at 14336: logical at +1, end of chain */
	mbr_entry(img, 14336, 0, 0x8e, 1, 1000);
}

static void mbr_extended_logicals_numbered_from_5(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	build_extended(img);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 5);
	assert_part(&t.parts[0], 1, 2048, 2048);
	assert_part(&t.parts[1], 2, 4096, 12288);
	assert_true(t.parts[1].extended);
	assert_false(t.parts[0].extended);
	assert_part(&t.parts[2], 5, 4096 + 2048, 2048);
	assert_true(t.parts[2].lvm_type);
	assert_int_equal(t.parts[2].entry_offset, 4096 * SEC + 446);
	assert_part(&t.parts[3], 6, 10240 + 1024, 2048);
	assert_int_equal(t.parts[3].mbr_type, 0x83);
	assert_part(&t.parts[4], 7, 14336 + 1, 1000);
	assert_false(t.parts[4].extended);
	assert_no_warnings(&r);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void ebr_chain_loop_stops_with_warning(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x05, 2048, 8192);
	mbr_entry(img, 2048, 0, 0x83, 63, 100);
	mbr_entry(img, 2048, 1, 0x05, 1000, 1000);
	mbr_entry(img, 3048, 0, 0x83, 63, 100);
	mbr_entry(img, 3048, 1, 0x05, 0, 8192);	/* back to the first EBR */
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 3);
	assert_part(&t.parts[1], 5, 2048 + 63, 100);
	assert_part(&t.parts[2], 6, 3048 + 63, 100);
	assert_reported(&r, "ebr_loop", 2048 * SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void ebr_chain_longer_than_limit_stops_with_warning(void **state)
{
	unsigned n_ebr = MLVM_MBR_MAX_EBR + 10, i;
	size_t size = (2048 + 2 * (size_t)n_ebr + 16) * SEC;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x05, 2048, 2 * n_ebr);
	for (i = 0; i < n_ebr; i++) {
		mbr_entry(img, 2048 + 2 * i, 0, 0x83, 1, 1);
		if (i + 1 < n_ebr)
			mbr_entry(img, 2048 + 2 * i, 1, 0x05, 2 * (i + 1), 2);
	}
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 1 + MLVM_MBR_MAX_EBR);
	assert_int_equal(t.parts[t.n - 1].index, 4 + MLVM_MBR_MAX_EBR);
	assert_reported(&r, "ebr_too_long", (2048 + 2 * MLVM_MBR_MAX_EBR) * SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void ebr_without_signature_stops_chain(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	build_extended(img);
	img[10240 * SEC + 510] = 0;	/* EBR 2 */
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.parts[2].index, 5);
	assert_reported(&r, "ebr_signature", 10240 * SEC + 510);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void mbr_partition_past_image_end_is_clipped_with_warning(void **state)
{
	size_t size = 4 * MiB;	/* 8192 sectors */
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x8e, 2048, 10000);
	mbr_entry(img, 0, 1, 0x83, 0xfffff000u, 0xffffffffu);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.parts[0].start, 2048 * SEC);
	assert_int_equal(t.parts[0].size, (8192 - 2048) * SEC);
	assert_int_equal(t.parts[0].size_stated, 10000 * SEC);
	assert_true(t.parts[0].clipped);
	assert_reported(&r, "part_past_end", 446);
	assert_int_equal(t.parts[1].start, (uint64_t)0xfffff000u * SEC);
	assert_int_equal(t.parts[1].size, 0);
	assert_true(t.parts[1].clipped);
	assert_reported(&r, "part_outside", 446 + 16);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void mbr_overlapping_partitions_are_reported(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x83, 2048, 4096);
	mbr_entry(img, 0, 1, 0x8e, 8192, 1024);
	mbr_entry(img, 0, 2, 0x8e, 4096, 1024);	/* inside partition 1 */
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 3);
	assert_reported(&r, "part_overlap", 4096 * SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void no_signature_means_no_table(void **state)
{
	size_t size = 1 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x83, 2048, 4096);
	img[510] = 0;
	memcpy(img + SEC, "LABELONE", 8);	/* a whole-disk PV */
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 0);
	assert_null(t.parts);
	assert_int_equal(r.n, 0);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void boot_sector_with_bad_status_bytes_is_not_a_table(void **state)
{
	size_t size = 1 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;
	struct mlvm_mbr mbr;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0x83, 63, 100);
	img[446] = 0x12;
	assert_int_equal(mlvm_mbr_parse(img, &mbr), 0);
	assert_false(mbr.status_ok);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 0);
	assert_reported(&r, "mbr_status", 446);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void image_shorter_than_one_sector_has_no_table(void **state)
{
	uint8_t img[100];
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	memset(img, 0xff, sizeof(img));
	mlvm_report_init(&r);
	assert_int_equal(read_table(img, sizeof(img), &t, &r), 0);
	assert_int_equal(t.n, 0);
	assert_reported(&r, "part_short_image", 0);
	assert_int_equal(read_table(img, 0, &t, &r), 0);
	assert_int_equal(t.n, 0);
	mlvm_report_free(&r);
}

static void mbr_parse_reads_entries_and_signature(void **state)
{
	uint8_t sec[512] = { 0 };
	struct mlvm_mbr mbr;

	(void)state;
	mbr_entry(sec, 0, 3, 0xee, 1, 0xffffffffu);
	mlvm_put_le32(sec + 440, 0xdeadbeef);
	assert_int_equal(mlvm_mbr_parse(sec, &mbr), 0);
	assert_true(mbr.signature_ok);
	assert_true(mbr.protective);
	assert_true(mbr.status_ok);
	assert_int_equal(mbr.disk_signature, 0xdeadbeef);
	assert_int_equal(mbr.e[3].type, 0xee);
	assert_int_equal(mbr.e[3].start_lba, 1);
	assert_int_equal(mbr.e[3].n_sectors, 0xffffffffu);
	sec[511] = 0;
	assert_int_equal(mlvm_mbr_parse(sec, &mbr), -ENOENT);
	assert_false(mbr.signature_ok);
	assert_true(mlvm_mbr_type_is_extended(0x05));
	assert_true(mlvm_mbr_type_is_extended(0x0f));
	assert_true(mlvm_mbr_type_is_extended(0x85));
	assert_false(mlvm_mbr_type_is_extended(0x83));
}

/* ================================================================ GPT */

static void gpt_lists_three_entries_with_lvm_type_and_name(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	gpt_write(img, size, three_entries, 3, &std_layout);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_GPT);
	assert_false(t.gpt_backup_used);
	assert_int_equal(t.n, 3);
	assert_part(&t.parts[0], 1, 2048, 2048);
	assert_string_equal(t.parts[0].type_guid, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	assert_string_equal(t.parts[0].name, "root");
	assert_false(t.parts[0].lvm_type);
	assert_part(&t.parts[1], 2, 4096, 4096);
	assert_string_equal(t.parts[1].type_guid, MLVM_GPT_LVM_GUID);
	assert_string_equal(t.parts[1].guid, "00000002-0000-0000-0000-00000000000a");
	assert_string_equal(t.parts[1].name, "lvm-pv");
	assert_true(t.parts[1].lvm_type);
	assert_int_equal(t.parts[1].mbr_type, 0);
	assert_int_equal(t.parts[1].entry_offset, 2 * SEC + 128);
	assert_part(&t.parts[2], 3, 8192, 2048);
	assert_string_equal(t.parts[2].name, "EFI System");
	assert_int_equal(t.parts[2].scheme, MLVM_PART_GPT);
	assert_no_warnings(&r);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_index_is_entry_number_plus_one_with_gaps(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct gpt_ent e[3] = { three_entries[0], three_entries[1], three_entries[2] };
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	e[0].type = "00000000-0000-0000-0000-000000000000";	/* entry 0 empty */
	gpt_write(img, size, e, 3, &std_layout);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.parts[0].index, 2);
	assert_int_equal(t.parts[1].index, 3);
	assert_no_warnings(&r);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_bad_header_crc_uses_backup_with_warning(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	gpt_write(img, size, three_entries, 3, &std_layout);
	img[SEC + 40] ^= 1;	/* first usable LBA, under the CRC */
	memset(img + 2 * SEC, 0, 32 * SEC);	/* and the primary array too */
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_GPT);
	assert_true(t.gpt_backup_used);
	assert_int_equal(t.n, 3);
	assert_part(&t.parts[1], 2, 4096, 4096);
	assert_true(t.parts[1].lvm_type);
	assert_int_equal(t.parts[1].entry_offset, (size / SEC - 33) * SEC + 128);
	assert_reported(&r, "gpt_header_crc", SEC + 16);
	assert_reported(&r, "gpt_backup_used", size - SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_bad_entries_crc_uses_backup_array(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	gpt_write(img, size, three_entries, 3, &std_layout);
	mlvm_put_le64(img + 2 * SEC + 128 + 32, 5000);	/* primary entry 2's first LBA */
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_true(t.gpt_backup_used);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.parts[1].start, 4096 * SEC);
	assert_reported(&r, "gpt_entries_crc", 2 * SEC);
	assert_reported(&r, "gpt_backup_used", size - SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_bad_entries_crc_without_backup_is_used_with_warning(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct gpt_layout l = std_layout;
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	l.backup = false;
	gpt_write(img, size, three_entries, 3, &l);
	mlvm_put_le64(img + 2 * SEC + 128 + 32, 5000);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_false(t.gpt_backup_used);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.parts[1].start, 5000 * SEC);
	assert_reported(&r, "gpt_entries_crc", 2 * SEC);
	assert_reported(&r, "gpt_backup_missing", size - SEC);
	assert_reported(&r, "gpt_damaged", SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

/* set a header field in both copies and fix their CRCs */
static void gpt_set_both(uint8_t *img, size_t size, size_t field, uint32_t v)
{
	uint64_t last = size / SEC - 1;

	mlvm_put_le32(img + SEC + field, v);
	mlvm_put_le32(img + last * SEC + field, v);
	gpt_header_crc(img, 1);
	gpt_header_crc(img, last);
}

static void gpt_rejects_huge_entry_count_and_bad_entry_sizes(void **state)
{
	static const struct {
		size_t field;
		uint32_t value;
		const char *code;
	} cases[] = {
		{ 80, 0x80000000u, "gpt_entry_count" },
		{ 80, 0xffffffffu, "gpt_entry_count" },
		{ 84, 0, "gpt_entry_size" },
		{ 84, 0x10000000u, "gpt_entry_size" },
		{ 84, 0xfffffff8u, "gpt_entry_size" },
		{ 84, 130, "gpt_entry_size" },
		{ 80, 65536, "gpt_array_size" },	/* 65536 x 256: 16 MiB */
	};
	size_t size = 8 * MiB, i;
	uint8_t *img = img_new(size);

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mlvm_partition_table t;
		struct mlvm_report r;
		struct mlvm_gpt_header h;
		struct gpt_layout l = std_layout;

		mlvm_report_init(&r);
		memset(img, 0, size);
		l.entry_size = i == 6 ? 256 : 128;	/* 64 x 256, then 65536 x 256 */
		l.n_entries = i == 6 ? 64 : 128;
		gpt_write(img, size, three_entries, 3, &l);
		gpt_set_both(img, size, cases[i].field, cases[i].value);
		assert_int_equal(mlvm_gpt_header_parse(img + SEC, SEC, 1, &h, NULL, NULL), -EINVAL);
		assert_false(h.usable);
		assert_int_equal(read_table(img, size, &t, &r), 0);
		assert_int_equal(t.n, 0);
		assert_reported(&r, cases[i].code, SEC + cases[i].field);
		assert_reported(&r, "gpt_unusable", SEC);
		assert_reported(&r, "gpt_missing", SEC);
		mlvm_partitions_free(&t);
		mlvm_report_free(&r);
	}
	free(img);
}

static void gpt_header_parse_checks_fields_in_order(void **state)
{
	size_t size = 1 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_gpt_header h;
	struct mlvm_report r;

	(void)state;
	gpt_write(img, size, three_entries, 1, &std_layout);
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, SEC, 1, &h, NULL, NULL), 0);
	assert_true(h.crc_ok);
	assert_true(h.usable);
	assert_int_equal(h.n_entries, 128);
	assert_int_equal(h.entry_size, 128);
	assert_int_equal(h.array_bytes, 16384);
	assert_int_equal(h.entries_lba, 2);
	assert_int_equal(h.alternate_lba, size / SEC - 1);
	assert_string_equal(h.disk_guid, "11223344-5566-7788-99aa-bbccddeeff00");
	/* the same header read as if it were at LBA 7 */
	mlvm_report_init(&r);
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, SEC, 7, &h, &r, "disk.img"), -EBADMSG);
	assert_false(h.my_lba_ok);
	assert_reported(&r, "gpt_my_lba", 7 * SEC + 24);
	mlvm_report_free(&r);
	/* too short a buffer, no signature, header size out of range */
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, 91, 1, &h, NULL, NULL), -EINVAL);
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, 7, 1, &h, NULL, NULL), -ENOENT);
	assert_int_equal(mlvm_gpt_header_parse(img, SEC, 1, &h, NULL, NULL), -ENOENT);
	mlvm_put_le32(img + SEC + 12, 91);
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, SEC, 1, &h, NULL, NULL), -EINVAL);
	mlvm_put_le32(img + SEC + 12, 513);
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, SEC, 1, &h, NULL, NULL), -EINVAL);
	mlvm_put_le32(img + SEC + 12, 92);
	img[SEC + 20] = 1;	/* reserved, under the CRC */
	assert_int_equal(mlvm_gpt_header_parse(img + SEC, SEC, 1, &h, NULL, NULL), -EBADMSG);
	assert_false(h.crc_ok);
	assert_true(h.usable);
	free(img);
}

static void gpt_partition_past_image_end_is_clipped_with_warning(void **state)
{
	size_t size = 8 * MiB;	/* 16384 sectors */
	uint8_t *img = img_new(size);
	struct gpt_ent e[2] = {
		{ LVM_GUID, 2048, 20479, "big" },
		{ LVM_GUID, 1ull << 40, (1ull << 40) + 10, "far" },
	};
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	gpt_write(img, size, e, 2, &std_layout);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.parts[0].start, 2048 * SEC);
	assert_int_equal(t.parts[0].size_stated, (20480 - 2048) * SEC);
	assert_int_equal(t.parts[0].size, size - 2048 * SEC);
	assert_true(t.parts[0].clipped);
	assert_reported(&r, "part_past_end", 2 * SEC);
	assert_reported(&r, "gpt_entry_usable", 2 * SEC + 32);
	assert_int_equal(t.parts[1].size, 0);
	assert_reported(&r, "part_outside", 2 * SEC + 128);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_entry_with_first_after_last_is_ignored(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct gpt_ent e[2] = {
		{ LVM_GUID, 4096, 2048, "backwards" },
		{ LVM_GUID, 4096, 8191, "ok" },
	};
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	gpt_write(img, size, e, 2, &std_layout);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.parts[0].index, 2);
	assert_reported(&r, "gpt_entry_range", 2 * SEC + 32);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void protective_mbr_without_gpt_warns(void **state)
{
	size_t size = 1 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	mbr_entry(img, 0, 0, 0xee, 1, (uint32_t)(size / SEC - 1));
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.n, 0);
	assert_reported(&r, "gpt_missing", SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_without_protective_mbr_is_read_with_warning(void **state)
{
	size_t size = 8 * MiB;
	uint8_t *img = img_new(size);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	gpt_write(img, size, three_entries, 3, &std_layout);
	memset(img, 0, SEC);
	assert_int_equal(read_table(img, size, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_GPT);
	assert_int_equal(t.n, 3);
	assert_reported(&r, "gpt_no_pmbr", 0);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void gpt_name_is_converted_from_utf16le(void **state)
{
	/* "é", U+1F600 as a surrogate pair, an unpaired high surrogate, "x" */
	static const uint8_t name[] = { 0xe9, 0x00, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8,
					'x', 0, 0, 0, 'y', 0 };
	uint8_t full[72];
	char out[3 * MLVM_GPT_NAME_UNITS + 1];
	unsigned i;

	(void)state;
	assert_int_equal(mlvm_utf16le_to_utf8(name, 7, out), 10);
	assert_string_equal(out, "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
	/* 36 three-byte characters fill the buffer exactly */
	for (i = 0; i < 36; i++) {
		full[2 * i] = 0xac;
		full[2 * i + 1] = 0x20;	/* U+20AC */
	}
	assert_int_equal(mlvm_utf16le_to_utf8(full, 36, out), 108);
	assert_int_equal(strlen(out), 108);
	assert_memory_equal(out + 105, "\xe2\x82\xac", 3);
	/* a high surrogate as the last unit */
	full[70] = 0x00;
	full[71] = 0xd8;
	mlvm_utf16le_to_utf8(full, 36, out);
	assert_memory_equal(out + 105, "\xef\xbf\xbd", 4);
}

/* ============================================================ sfdisk */

static void sfdisk_gpt_is_read_as_sfdisk_wrote_it(void **state)
{
	uint8_t *img = img_from_runs(sfdisk_gpt, sizeof(sfdisk_gpt) / sizeof(sfdisk_gpt[0]),
				     SFDISK_GPT_SIZE);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(read_table(img, SFDISK_GPT_SIZE, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_GPT);
	assert_false(t.gpt_backup_used);
	assert_int_equal(t.n, 2);
	assert_part(&t.parts[0], 1, 34, 2048);
	assert_string_equal(t.parts[0].type_guid, MLVM_GPT_LVM_GUID);
	assert_string_equal(t.parts[0].guid, "0a0b0c0d-0e0f-1011-1213-141516171819");
	assert_string_equal(t.parts[0].name, "lvm1");
	assert_true(t.parts[0].lvm_type);
	assert_part(&t.parts[1], 2, 2082, 2048);
	assert_string_equal(t.parts[1].type_guid, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	assert_string_equal(t.parts[1].guid, "2a0b0c0d-0e0f-1011-1213-141516171819");
	assert_string_equal(t.parts[1].name, "");
	assert_false(t.parts[1].lvm_type);
	assert_int_equal(r.n, 0);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void sfdisk_gpt_with_damaged_primary_is_read_from_backup(void **state)
{
	uint8_t *img = img_from_runs(sfdisk_gpt, sizeof(sfdisk_gpt) / sizeof(sfdisk_gpt[0]),
				     SFDISK_GPT_SIZE);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	img[SEC + 16] ^= 0xff;	/* the stored header CRC */
	assert_int_equal(read_table(img, SFDISK_GPT_SIZE, &t, &r), 0);
	assert_true(t.gpt_backup_used);
	assert_int_equal(t.n, 2);
	assert_part(&t.parts[0], 1, 34, 2048);
	assert_string_equal(t.parts[0].name, "lvm1");
	assert_part(&t.parts[1], 2, 2082, 2048);
	assert_int_equal(t.parts[0].entry_offset, 8159 * SEC);
	assert_reported(&r, "gpt_header_crc", SEC + 16);
	assert_reported(&r, "gpt_backup_used", SFDISK_GPT_SIZE - SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void sfdisk_gpt_truncated_inside_its_entries(void **state)
{
	uint8_t *img = img_from_runs(sfdisk_gpt, sizeof(sfdisk_gpt) / sizeof(sfdisk_gpt[0]),
				     SFDISK_GPT_SIZE);
	struct mlvm_partition_table t;
	struct mlvm_report r;

	(void)state;
	mlvm_report_init(&r);
	/* MBR, header and the first sector of entries (4 of 128) */
	assert_int_equal(read_table(img, 3 * SEC, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_GPT);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.parts[0].name, "lvm1");
	assert_int_equal(t.parts[0].start, 34 * SEC);
	assert_int_equal(t.parts[0].size, 0);
	assert_int_equal(t.parts[0].size_stated, 2048 * SEC);
	assert_true(t.parts[0].clipped);
	assert_reported(&r, "gpt_entries_truncated", 2 * SEC);
	assert_reported(&r, "part_outside", 2 * SEC);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	/* MBR and header only: the array is past the end */
	mlvm_report_init(&r);
	assert_int_equal(read_table(img, 2 * SEC, &t, &r), 0);
	assert_int_equal(t.n, 0);
	assert_reported(&r, "gpt_entries_outside", SEC + 72);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	/* MBR, header and 100 bytes */
	mlvm_report_init(&r);
	assert_int_equal(read_table(img, 2 * SEC + 100, &t, &r), 0);
	assert_int_equal(t.n, 0);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

static void sfdisk_dos_with_logicals_is_read_as_sfdisk_wrote_it(void **state)
{
	uint8_t *img = img_from_runs(sfdisk_dos, sizeof(sfdisk_dos) / sizeof(sfdisk_dos[0]),
				     SFDISK_DOS_SIZE);
	struct mlvm_partition_table t;
	struct mlvm_report r;
	struct mlvm_mbr mbr;

	(void)state;
	mlvm_report_init(&r);
	assert_int_equal(mlvm_mbr_parse(img, &mbr), 0);
	assert_int_equal(mbr.disk_signature, 0x12345678);
	assert_int_equal(read_table(img, SFDISK_DOS_SIZE, &t, &r), 0);
	assert_int_equal(t.scheme, MLVM_PART_MBR);
	assert_int_equal(t.n, 4);
	assert_part(&t.parts[0], 1, 2048, 8192);
	assert_int_equal(t.parts[0].mbr_type, 0x8e);
	assert_true(t.parts[0].lvm_type);
	assert_part(&t.parts[1], 2, 10240, 22528);
	assert_int_equal(t.parts[1].mbr_type, 0x05);
	assert_true(t.parts[1].extended);
	assert_part(&t.parts[2], 5, 12288, 4096);
	assert_int_equal(t.parts[2].mbr_type, 0x83);
	assert_part(&t.parts[3], 6, 18432, 4096);
	assert_int_equal(t.parts[3].mbr_type, 0x8e);
	assert_true(t.parts[3].lvm_type);
	assert_int_equal(r.n, 0);
	mlvm_partitions_free(&t);
	mlvm_report_free(&r);
	free(img);
}

/* ========================================================= robustness */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* flip bytes in the table sectors; every result must stay in the image */
static void mutate_and_read(const struct run *runs, size_t n_runs, size_t size,
			    const uint64_t *sectors, size_t n_sectors, unsigned rounds)
{
	uint8_t *img = img_from_runs(runs, n_runs, size);
	uint8_t *orig = img_from_runs(runs, n_runs, size);
	unsigned round;

	for (round = 0; round < rounds; round++) {
		struct mlvm_partition_table t;
		struct mlvm_report r;
		unsigned k, flips = 1 + rng() % 8;
		size_t i;

		mlvm_report_init(&r);
		for (k = 0; k < flips; k++) {
			uint64_t off = sectors[rng() % n_sectors] * SEC + rng() % SEC;

			img[off] = (uint8_t)rng();
		}
		if (rng() % 4 == 0) {	/* make a damaged header look sound */
			if (!memcmp(img + SEC, "EFI PART", 8) && mlvm_le32(img + SEC + 12) >= 92 &&
			    mlvm_le32(img + SEC + 12) <= SEC)
				gpt_header_crc(img, 1);
		}
		assert_int_equal(read_table(img, size, &t, &r), 0);
		for (i = 0; i < t.n; i++) {
			assert_true(t.parts[i].start <= size || t.parts[i].size == 0);
			assert_true(mlvm_range_ok(size, t.parts[i].start, t.parts[i].size) ||
				    t.parts[i].size == 0);
			assert_true(strlen(t.parts[i].name) < sizeof(t.parts[i].name));
		}
		mlvm_partitions_free(&t);
		mlvm_report_free(&r);
		memcpy(img, orig, 3 * SEC);
		for (k = 0; k < n_sectors; k++)
			memcpy(img + sectors[k] * SEC, orig + sectors[k] * SEC, SEC);
	}
	free(img);
	free(orig);
}

static void damaged_tables_never_yield_partitions_outside_the_image(void **state)
{
	static const uint64_t gpt_sectors[] = { 0, 1, 2, 8159, 8191 };
	static const uint64_t dos_sectors[] = { 0, 10240, 16384 };

	(void)state;
	mutate_and_read(sfdisk_gpt, sizeof(sfdisk_gpt) / sizeof(sfdisk_gpt[0]),
			SFDISK_GPT_SIZE, gpt_sectors, 5, 3000);
	mutate_and_read(sfdisk_dos, sizeof(sfdisk_dos) / sizeof(sfdisk_dos[0]),
			SFDISK_DOS_SIZE, dos_sectors, 3, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mbr_lists_two_primaries),
		cmocka_unit_test(mbr_extended_logicals_numbered_from_5),
		cmocka_unit_test(ebr_chain_loop_stops_with_warning),
		cmocka_unit_test(ebr_chain_longer_than_limit_stops_with_warning),
		cmocka_unit_test(ebr_without_signature_stops_chain),
		cmocka_unit_test(mbr_partition_past_image_end_is_clipped_with_warning),
		cmocka_unit_test(mbr_overlapping_partitions_are_reported),
		cmocka_unit_test(no_signature_means_no_table),
		cmocka_unit_test(boot_sector_with_bad_status_bytes_is_not_a_table),
		cmocka_unit_test(image_shorter_than_one_sector_has_no_table),
		cmocka_unit_test(mbr_parse_reads_entries_and_signature),
		cmocka_unit_test(gpt_lists_three_entries_with_lvm_type_and_name),
		cmocka_unit_test(gpt_index_is_entry_number_plus_one_with_gaps),
		cmocka_unit_test(gpt_bad_header_crc_uses_backup_with_warning),
		cmocka_unit_test(gpt_bad_entries_crc_uses_backup_array),
		cmocka_unit_test(gpt_bad_entries_crc_without_backup_is_used_with_warning),
		cmocka_unit_test(gpt_rejects_huge_entry_count_and_bad_entry_sizes),
		cmocka_unit_test(gpt_header_parse_checks_fields_in_order),
		cmocka_unit_test(gpt_partition_past_image_end_is_clipped_with_warning),
		cmocka_unit_test(gpt_entry_with_first_after_last_is_ignored),
		cmocka_unit_test(protective_mbr_without_gpt_warns),
		cmocka_unit_test(gpt_without_protective_mbr_is_read_with_warning),
		cmocka_unit_test(gpt_name_is_converted_from_utf16le),
		cmocka_unit_test(sfdisk_gpt_is_read_as_sfdisk_wrote_it),
		cmocka_unit_test(sfdisk_gpt_with_damaged_primary_is_read_from_backup),
		cmocka_unit_test(sfdisk_gpt_truncated_inside_its_entries),
		cmocka_unit_test(sfdisk_dos_with_logicals_is_read_as_sfdisk_wrote_it),
		cmocka_unit_test(damaged_tables_never_yield_partitions_outside_the_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
