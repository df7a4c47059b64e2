/*
 * test_mda.c - unit tests for metadata area headers and the ring (mda.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disk/crc.h"
#include "imgbuild.h"
#include "disk/mda.h"
#include "io/source.h"

/* ------------------------------------------------------------ headers */

/* write m at offset 'at' of a scratch sector and parse it as read at 'where' */
static void parse_built(const struct ib_mda *m, uint64_t where, struct mlvm_mda_header *h)
{
	uint8_t *buf = malloc(512);	/* exactly the header: ASan sees over-reads */

	assert_non_null(buf);
	ib_write_mda(buf, 512, 0, 0, m);
	mlvm_mda_header_parse(buf, where, h);
	free(buf);
}

static void mda_header_parses_every_field_of_a_good_header(void **state)
{
	struct mlvm_mda_header h;
	struct ib_mda m;
	uint32_t crc;
	uint8_t buf[512];

	(void)state;
	ib_mda_init(&m, 4096, 1044480);
	m.rl[0] = (struct ib_rlocn){ 4608, 1687, 0xd070df64u, 0 };
	m.rl[1] = (struct ib_rlocn){ 0x123456789aULL, 77, 0xdeadbeefu, MLVM_RAW_LOCN_IGNORED };
	crc = ib_write_mda(buf, sizeof(buf), 0, 0, &m);
	mlvm_mda_header_parse(buf, 4096, &h);
	assert_int_equal(h.crc_stored, crc);
	assert_int_equal(h.crc_computed, crc);
	assert_true(h.crc_ok);
	assert_true(h.magic_ok);
	assert_false(h.journalled);
	assert_string_equal(h.magic, MLVM_MDA_MAGIC);
	assert_int_equal(h.version, 1);
	assert_true(h.version_ok);
	assert_int_equal(h.start, 4096);
	assert_true(h.start_ok);
	assert_int_equal(h.size, 1044480);
	assert_true(h.size_ok);
	assert_int_equal(h.rl[0].offset, 4608);
	assert_int_equal(h.rl[0].size, 1687);
	assert_int_equal(h.rl[0].checksum, 0xd070df64u);
	assert_int_equal(h.rl[0].flags, 0);
	assert_int_equal(h.rl[1].offset, 0x123456789aULL);
	assert_int_equal(h.rl[1].size, 77);
	assert_int_equal(h.rl[1].checksum, 0xdeadbeefu);
	assert_int_equal(h.rl[1].flags, MLVM_RAW_LOCN_IGNORED);
	assert_true(mlvm_mda_header_ok(&h));
}

static void mda_header_parses_header_written_by_lvm2(void **state)
{
	static const uint8_t head[64] = {
		0xf3, 0x2d, 0xc2, 0xae, 0x20, 0x4c, 0x56, 0x4d, 0x32, 0x20, 0x78, 0x5b, 0x35, 0x41, 0x25, 0x72,
		0x30, 0x4e, 0x2a, 0x3e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0xf0, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x97, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0xdf, 0x70, 0xd0, 0x00, 0x00, 0x00, 0x00,
	};
	struct mlvm_mda_header h;
	uint8_t buf[512];

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, head, sizeof(head));
	mlvm_mda_header_parse(buf, 4096, &h);
	assert_true(mlvm_mda_header_ok(&h));
	assert_int_equal(h.crc_stored, 0xaec22df3u);
	assert_int_equal(h.size, 1044480);
	assert_int_equal(h.rl[0].offset, 4608);
	assert_int_equal(h.rl[0].size, 1687);
	assert_int_equal(h.rl[0].checksum, 0xd070df64u);
	assert_int_equal(h.rl[1].offset, 0);
	assert_int_equal(h.rl[1].size, 0);
}

static void mda_header_detects_crc_mismatch(void **state)
{
	struct mlvm_mda_header h;
	struct ib_mda m;

	(void)state;
	ib_mda_init(&m, 4096, 1044480);
	m.bad_crc = true;
	parse_built(&m, 4096, &h);
	assert_false(h.crc_ok);
	assert_int_equal(h.crc_stored, h.crc_computed ^ 1u);
	assert_true(h.magic_ok && h.version_ok && h.start_ok && h.size_ok);
	assert_false(mlvm_mda_header_ok(&h));
}

static void mda_header_detects_bad_magic(void **state)
{
	struct mlvm_mda_header h;
	struct ib_mda m;

	(void)state;
	ib_mda_init(&m, 4096, 1044480);
	m.magic[15] = '<';
	parse_built(&m, 4096, &h);
	assert_true(h.crc_ok);
	assert_false(h.magic_ok);
	assert_false(h.journalled);
	assert_memory_equal(h.magic, " LVM2 x[5A%r0N*<", 17);
	assert_false(mlvm_mda_header_ok(&h));
}

static void mda_header_recognises_journalled_magic(void **state)
{
	struct mlvm_mda_header h;
	struct ib_mda m;

	(void)state;
	ib_mda_init(&m, 4096, 1044480);
	memcpy(m.magic, MLVM_MDA_MAGIC_JOURNALLED, 16);
	parse_built(&m, 4096, &h);
	assert_true(h.crc_ok);
	assert_false(h.magic_ok);
	assert_true(h.journalled);
	assert_string_equal(h.magic, "JOURNALLED!1!1!!");
	assert_false(mlvm_mda_header_ok(&h));
}

static void mda_header_rejects_version_other_than_1(void **state)
{
	static const uint32_t versions[] = { 0, 2, 0x01000000u, 0xffffffffu };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct mlvm_mda_header h;
		struct ib_mda m;

		ib_mda_init(&m, 4096, 1044480);
		m.version = versions[i];
		parse_built(&m, 4096, &h);
		assert_true(h.crc_ok);
		assert_int_equal(h.version, versions[i]);
		assert_false(h.version_ok);
		assert_false(mlvm_mda_header_ok(&h));
	}
}

static void mda_header_rejects_start_other_than_where_it_was_read(void **state)
{
	struct mlvm_mda_header h;
	struct ib_mda m;

	(void)state;
	ib_mda_init(&m, 4096, 1044480);
	parse_built(&m, 4096 + 512, &h);
	assert_true(h.crc_ok);
	assert_int_equal(h.start, 4096);
	assert_false(h.start_ok);
	assert_false(mlvm_mda_header_ok(&h));
	/* mda2 at the end of a big PV: the full 64 bits are compared */
	ib_mda_init(&m, 0x100000000ULL + 4096, 1048576);
	parse_built(&m, 4096, &h);
	assert_false(h.start_ok);
	parse_built(&m, 0x100000000ULL + 4096, &h);
	assert_true(h.start_ok);
	assert_true(mlvm_mda_header_ok(&h));
}

static void mda_header_rejects_size_below_1024(void **state)
{
	struct mlvm_mda_header h;
	struct ib_mda m;

	(void)state;
	ib_mda_init(&m, 4096, 1023);
	parse_built(&m, 4096, &h);
	assert_true(h.crc_ok);
	assert_false(h.size_ok);
	assert_false(mlvm_mda_header_ok(&h));
	ib_mda_init(&m, 4096, 0);
	parse_built(&m, 4096, &h);
	assert_false(h.size_ok);
	ib_mda_init(&m, 4096, 1024);
	parse_built(&m, 4096, &h);
	assert_true(h.size_ok);
	assert_true(mlvm_mda_header_ok(&h));
}

/* ------------------------------------------------------------ ring_check */

static void ring_check_accepts_a_copy_inside_the_text_part(void **state)
{
	struct mlvm_ring_span sp = { 4096, 8192, 512, 100 };
	const char *why = NULL;

	(void)state;
	assert_int_equal(mlvm_ring_check(&sp, 4096 + 8192, &why), 0);
	/* the whole text part, and the last byte of the area */
	sp.size = 8192 - 512;
	assert_int_equal(mlvm_ring_check(&sp, 4096 + 8192, &why), 0);
	sp.off = 8191;
	sp.size = 1;
	assert_int_equal(mlvm_ring_check(&sp, 4096 + 8192, &why), 0);
	assert_int_equal(mlvm_ring_check(&sp, 4096 + 8192, NULL), 0);
}

static void ring_check_rejects_offset_inside_the_header(void **state)
{
	static const uint64_t offs[] = { 0, 1, 40, 511 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct mlvm_ring_span sp = { 4096, 8192, offs[i], 100 };
		const char *why = NULL;

		assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
		assert_non_null(why);
		assert_non_null(strstr(why, "offset"));
	}
}

static void ring_check_rejects_offset_past_the_area(void **state)
{
	static const uint64_t offs[] = { 8192, 8193, 1u << 20, UINT64_MAX };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct mlvm_ring_span sp = { 4096, 8192, offs[i], 1 };
		const char *why = NULL;

		assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
		assert_non_null(why);
		assert_non_null(strstr(why, "offset"));
	}
}

static void ring_check_rejects_size_zero(void **state)
{
	struct mlvm_ring_span sp = { 4096, 8192, 512, 0 };
	const char *why = NULL;

	(void)state;
	assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
	assert_non_null(why);
	assert_non_null(strstr(why, "zero"));
}

static void ring_check_rejects_size_larger_than_the_text_part(void **state)
{
	static const uint64_t sizes[] = { 8192 - 512 + 1, 8192, 1ULL << 30, UINT64_MAX };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mlvm_ring_span sp = { 4096, 8192, 4096, sizes[i] };
		const char *why = NULL;

		assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
		assert_non_null(why);
		assert_non_null(strstr(why, "size"));
	}
}

static void ring_check_rejects_area_past_the_end_of_the_image(void **state)
{
	struct mlvm_ring_span sp = { 4096, 8192, 512, 100 };
	const char *why = NULL;

	(void)state;
	assert_int_equal(mlvm_ring_check(&sp, 4096 + 8191, &why), -ERANGE);
	assert_non_null(why);
	assert_non_null(strstr(why, "past the end"));
	sp.area_abs = 1u << 20;
	assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
	/* offset + size that would overflow 64 bits */
	sp.area_abs = UINT64_MAX - 100;
	sp.area_size = 8192;
	assert_int_equal(mlvm_ring_check(&sp, UINT64_MAX, &why), -ERANGE);
	sp.area_abs = 4096;
	sp.area_size = UINT64_MAX;
	assert_int_equal(mlvm_ring_check(&sp, UINT64_MAX, &why), -ERANGE);
}

static void ring_check_rejects_area_smaller_than_1024(void **state)
{
	struct mlvm_ring_span sp = { 4096, 1023, 512, 1 };
	const char *why = NULL;

	(void)state;
	assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
	assert_non_null(why);
	sp.area_size = 0;
	assert_int_equal(mlvm_ring_check(&sp, 1u << 20, &why), -ERANGE);
}

static void ring_read_rejects_1gib_text_in_small_image_before_allocating(void **state)
{
	const size_t size = 64u * 1024u;
	uint8_t *img = ib_image_new(size, 3);
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	struct mlvm_ring_span sp = { 4096, 16384, 512, 1ULL << 30 };
	char *out = (char *)1;
	uint32_t crc = 0x1234;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mlvm_ring_read(s, &sp, &out), -ERANGE);
	assert_null(out);
	assert_int_equal(mlvm_ring_crc(s, &sp, &crc), -ERANGE);
	assert_int_equal(crc, 0x1234);
	/* an area that claims 2 GiB in a 64 KiB image */
	sp.area_size = 2ULL << 30;
	assert_int_equal(mlvm_ring_read(s, &sp, &out), -ERANGE);
	assert_null(out);
	/* a size malloc could never satisfy: -ERANGE (not -ENOMEM or -E2BIG)
	 * proves the range check comes before the allocation */
	sp.area_size = 16384;
	sp.size = 1ULL << 62;
	assert_int_equal(mlvm_ring_read(s, &sp, &out), -ERANGE);
	assert_null(out);
	mlvm_source_close(s);
	free(img);
}

/* ------------------------------------------------------------ ring_read */

/* a text of len bytes (the last one NUL) that shows its own position */
static char *numbered_text(size_t len)
{
	char *t = malloc(len);
	size_t i;

	assert_non_null(t);
	for (i = 0; i + 1 < len; i++)
		t[i] = (i % 64 == 63) ? '\n' : (char)('!' + (i / 64 + i) % 90);
	t[len - 1] = '\0';
	return t;
}

/* write a copy with the builder and check read, crc and wrap against it */
static void check_copy(uint64_t area_abs, uint64_t area_size, uint64_t off, size_t len,
		       bool expect_wrap)
{
	const size_t size = (size_t)(area_abs + area_size + 4096);
	uint8_t *img = ib_image_new(size, 17);
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	struct mlvm_ring_span sp = { area_abs, area_size, off, len };
	char *text = numbered_text(len), *out = NULL;
	uint32_t want, crc = 0;

	assert_non_null(s);
	want = ib_write_text(img, size, area_abs, area_size, off, text, len);
	assert_int_equal(want, mlvm_crc(MLVM_CRC_INITIAL, text, len));
	assert_int_equal(mlvm_ring_check(&sp, size, NULL), 0);
	assert_int_equal(mlvm_ring_wraps(&sp), expect_wrap);
	assert_int_equal(mlvm_ring_read(s, &sp, &out), 0);
	assert_non_null(out);
	assert_memory_equal(out, text, len);
	assert_int_equal(out[len], '\0');
	assert_int_equal(mlvm_ring_crc(s, &sp, &crc), 0);
	assert_int_equal(crc, want);
	free(out);
	/* both at once */
	crc = 0;
	assert_int_equal(mlvm_ring_read_crc(s, &sp, &out, &crc), 0);
	assert_memory_equal(out, text, len);
	assert_int_equal(out[len], '\0');
	assert_int_equal(crc, want);
	free(out);
	free(text);
	mlvm_source_close(s);
	free(img);
}

static void ring_reads_copy_that_does_not_wrap(void **state)
{
	(void)state;
	check_copy(4096, 1044480, 512, 1687, false);
	/* ending exactly at the end of the area is not a wrap */
	check_copy(4096, 8192, 8192 - 1000, 1000, false);
}

static void ring_copy_wraps_to_area_start(void **state)
{
	const size_t size = 32768;
	const uint64_t area = 4096, area_size = 8192, off = 7168;
	const size_t len = 3000;
	uint8_t *img = ib_image_new(size, 5);
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	struct mlvm_ring_span sp = { area, area_size, off, len };
	char *text = numbered_text(len), *out = NULL;
	uint32_t crc = 0;

	(void)state;
	assert_non_null(s);
	ib_write_text(img, size, area, area_size, off, text, len);
	/* on disk: 1024 bytes at the end of the area, the rest right after the header */
	assert_memory_equal(img + area + off, text, 1024);
	assert_memory_equal(img + area + 512, text + 1024, len - 1024);
	assert_true(mlvm_ring_wraps(&sp));
	assert_int_equal(mlvm_ring_read(s, &sp, &out), 0);
	assert_memory_equal(out, text, len);
	assert_int_equal(out[len], '\0');
	/* the CRC chains across the two pieces */
	assert_int_equal(mlvm_ring_crc(s, &sp, &crc), 0);
	assert_int_equal(crc, mlvm_crc(MLVM_CRC_INITIAL, out, len));
	assert_int_not_equal(crc, mlvm_crc(MLVM_CRC_INITIAL, img + area + off, len));
	free(out);
	free(text);
	mlvm_source_close(s);
	free(img);
}

static void ring_copy_wraps_with_one_byte_at_the_end(void **state)
{
	(void)state;
	check_copy(4096, 8192, 8191, 2, true);
	check_copy(4096, 8192, 8191, 1, false);
	check_copy(0, 1024, 512, 512, false);
}

static void ring_largest_copy_in_the_middle_wraps_up_to_its_own_offset(void **state)
{
	const uint64_t area = 4096, area_size = 8192, off = 4096;
	const size_t len = 8192 - 512;
	const size_t size = 4096 + 8192;	/* the image ends with the area */
	uint8_t *img = ib_image_new(size, 9);
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	struct mlvm_ring_span sp = { area, area_size, off, len };
	char *text = numbered_text(len), *out = NULL;
	uint32_t crc;

	(void)state;
	assert_non_null(s);
	crc = ib_write_text(img, size, area, area_size, off, text, len);
	/* the second part ends exactly where the copy starts */
	assert_memory_equal(img + area + 512, text + 4096, off - 512);
	assert_memory_equal(img + area + off, text, 4096);
	assert_int_equal(mlvm_ring_read(s, &sp, &out), 0);
	assert_memory_equal(out, text, len);
	free(out);
	assert_int_equal(mlvm_ring_crc(s, &sp, &crc), 0);
	assert_int_equal(crc, mlvm_crc(MLVM_CRC_INITIAL, text, len));
	/* one byte more would overwrite its own start: refused */
	sp.size = len + 1;
	assert_int_equal(mlvm_ring_read(s, &sp, &out), -ERANGE);
	assert_null(out);
	free(text);
	mlvm_source_close(s);
	free(img);
}

static void ring_crc_of_wrapped_copy_larger_than_a_read_chunk(void **state)
{
	/* 3 MiB area, a 1.5 MiB copy starting 256 KiB before the end */
	(void)state;
	check_copy(4096, 3u << 20, (3u << 20) - (256u << 10), (3u << 20) / 2, true);
	check_copy(4096, 3u << 20, 512, (1u << 20) + 4097, false);
}

/* from 4 MiB a copy is read, and its CRC computed, in two halves on two
 * threads (mlvm_ring_read, mlvm_ring_crc, MLVM_IO_THREADS=2): the same
 * bytes and CRC as on one thread (0),
 * whether the copy wraps before the middle, after it, exactly at it, or
 * not at all */
static void ring_read_in_two_halves_is_the_read_on_one_thread(void **state)
{
	const uint64_t area_size = 12u << 20;
	const size_t len = (9u << 20) + 4097;	/* odd: halves of unequal size */
	/* where the copy starts, so that it wraps at these bytes of it */
	const uint64_t wrap_at[] = { 1u << 20, len / 2, len / 2 + 1, (8u << 20) + 3, 0 };
	const char *env = getenv("MLVM_IO_THREADS");
	char *saved = env ? strdup(env) : NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wrap_at) / sizeof(wrap_at[0]); i++) {
		uint64_t off = wrap_at[i] ? area_size - wrap_at[i] : 512;

		setenv("MLVM_IO_THREADS", "2", 1);
		check_copy(4096, area_size, off, len, wrap_at[i] != 0);
		setenv("MLVM_IO_THREADS", "0", 1);
		check_copy(4096, area_size, off, len, wrap_at[i] != 0);
	}
	if (saved) {
		setenv("MLVM_IO_THREADS", saved, 1);
		free(saved);
	} else {
		unsetenv("MLVM_IO_THREADS");
	}
}

/* ------------------------------------------------------------ header_ok */

static void mda_header_ok_needs_every_check(void **state)
{
	struct mlvm_mda_header h;
	bool *flags[] = { &h.crc_ok, &h.magic_ok, &h.version_ok, &h.start_ok, &h.size_ok };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		memset(&h, 0, sizeof(h));
		h.crc_ok = h.magic_ok = h.version_ok = h.start_ok = h.size_ok = true;
		assert_true(mlvm_mda_header_ok(&h));
		*flags[i] = false;
		assert_false(mlvm_mda_header_ok(&h));
	}
	/* the journalled magic is not LVM2's */
	memset(&h, 0, sizeof(h));
	h.crc_ok = h.version_ok = h.start_ok = h.size_ok = true;
	h.journalled = true;
	assert_false(mlvm_mda_header_ok(&h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mda_header_parses_every_field_of_a_good_header),
		cmocka_unit_test(mda_header_parses_header_written_by_lvm2),
		cmocka_unit_test(mda_header_detects_crc_mismatch),
		cmocka_unit_test(mda_header_detects_bad_magic),
		cmocka_unit_test(mda_header_recognises_journalled_magic),
		cmocka_unit_test(mda_header_rejects_version_other_than_1),
		cmocka_unit_test(mda_header_rejects_start_other_than_where_it_was_read),
		cmocka_unit_test(mda_header_rejects_size_below_1024),
		cmocka_unit_test(ring_check_accepts_a_copy_inside_the_text_part),
		cmocka_unit_test(ring_check_rejects_offset_inside_the_header),
		cmocka_unit_test(ring_check_rejects_offset_past_the_area),
		cmocka_unit_test(ring_check_rejects_size_zero),
		cmocka_unit_test(ring_check_rejects_size_larger_than_the_text_part),
		cmocka_unit_test(ring_check_rejects_area_past_the_end_of_the_image),
		cmocka_unit_test(ring_check_rejects_area_smaller_than_1024),
		cmocka_unit_test(ring_read_rejects_1gib_text_in_small_image_before_allocating),
		cmocka_unit_test(ring_reads_copy_that_does_not_wrap),
		cmocka_unit_test(ring_copy_wraps_to_area_start),
		cmocka_unit_test(ring_copy_wraps_with_one_byte_at_the_end),
		cmocka_unit_test(ring_largest_copy_in_the_middle_wraps_up_to_its_own_offset),
		cmocka_unit_test(ring_crc_of_wrapped_copy_larger_than_a_read_chunk),
		cmocka_unit_test(ring_read_in_two_halves_is_the_read_on_one_thread),
		cmocka_unit_test(mda_header_ok_needs_every_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
