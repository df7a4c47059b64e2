/*
 * test_crc.c - unit tests for the LVM2 checksum (crc.c).
 *
 * The reference below is the textbook bitwise reflected CRC-32 with LVM2's
 * initial value and no final xor, written without zlib, so a mistake in the
 * zlib translation (pre/post inversion) shows up as a mismatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disk/crc.h"

static uint32_t ref_crc(uint32_t crc, const uint8_t *p, size_t len)
{
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return crc;
}

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void crc_of_empty_input_is_initial_value(void **state)
{
	(void)state;
	assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, "", 0), 0xf597a6cfu);
	assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, NULL, 0), 0xf597a6cfu);
	/* any starting value passes through an empty piece unchanged */
	assert_int_equal(mlvm_crc(0x12345678u, "x", 0), 0x12345678u);
}

static void crc_of_check_string_matches_bitwise_reference(void **state)
{
	static const char s[] = "123456789";

	(void)state;
	assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, s, 9),
			 ref_crc(MLVM_CRC_INITIAL, (const uint8_t *)s, 9));
	/* the value itself, so reference and implementation cannot drift together */
	assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, s, 9), 0x4991cf02u);
	/* and it is not the standard CRC-32 (0xcbf43926) */
	assert_int_not_equal(mlvm_crc(MLVM_CRC_INITIAL, s, 9), 0xcbf43926u);
}

static void crc_of_random_buffers_matches_bitwise_reference(void **state)
{
	uint8_t buf[4096] = { 0 };
	size_t len;

	(void)state;
	for (len = 0; len <= sizeof(buf); len = len ? len * 2 + 1 : 1) {
		fill_pattern(buf, len, (uint32_t)len);
		assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, buf, len),
				 ref_crc(MLVM_CRC_INITIAL, buf, len));
	}
}

static void crc_chains_across_pieces_like_one_pass(void **state)
{
	static const char s[] = "vg0 {\nid = \"abcdef-ghij-klmn-opqr-stuv-wxyz-012345\"\nseqno = 7\n}\n";
	size_t len = sizeof(s) - 1, cut;
	uint32_t whole = mlvm_crc(MLVM_CRC_INITIAL, s, len);

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		uint32_t c = mlvm_crc(MLVM_CRC_INITIAL, s, cut);

		assert_int_equal(mlvm_crc(c, s + cut, len - cut), whole);
	}
	assert_int_equal(whole, ref_crc(MLVM_CRC_INITIAL, (const uint8_t *)s, len));
}

/* bytes 0..159 of a label sector written by LVM2 2.03.16 (the rest is zero) */
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

/* bytes 0..111 of the metadata area header LVM2 wrote on the same PV */
static const uint8_t lvm2_mda_header[112] = {
	0xf3, 0x2d, 0xc2, 0xae, 0x20, 0x4c, 0x56, 0x4d, 0x32, 0x20, 0x78, 0x5b, 0x35, 0x41, 0x25, 0x72,
	0x30, 0x4e, 0x2a, 0x3e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xf0, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x97, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0xdf, 0x70, 0xd0, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void crc_matches_checksums_written_by_lvm2(void **state)
{
	uint8_t sec[512];

	(void)state;
	memset(sec, 0, sizeof(sec));
	memcpy(sec, lvm2_label, sizeof(lvm2_label));
	assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, sec + 20, 512 - 20), 0xf45b30dau);

	memset(sec, 0, sizeof(sec));
	memcpy(sec, lvm2_mda_header, sizeof(lvm2_mda_header));
	assert_int_equal(mlvm_crc(MLVM_CRC_INITIAL, sec + 4, 512 - 4), 0xaec22df3u);
}

static void crc_of_one_mebibyte_matches_reference_and_chains(void **state)
{
	static uint8_t big[1u << 20];
	uint32_t a, b;

	(void)state;
	fill_pattern(big, sizeof(big), 99);
	a = mlvm_crc(MLVM_CRC_INITIAL, big, sizeof(big));
	b = mlvm_crc(mlvm_crc(MLVM_CRC_INITIAL, big, 12345), big + 12345, sizeof(big) - 12345);
	assert_int_equal(a, b);
	assert_int_equal(a, ref_crc(MLVM_CRC_INITIAL, big, sizeof(big)));
}

/* pieces computed apart (mlvm_ring_crc's two halves) join to the CRC of
 * the whole: every cut of a short text, random cuts of 1 MiB, any start */
static void crc_join_of_pieces_is_the_crc_of_the_whole(void **state)
{
	static uint8_t big[1u << 20];
	static const char s[] = "vg0 {\nid = \"abcdef\"\nseqno = 7\n}\n";
	const uint32_t starts[] = { MLVM_CRC_INITIAL, 0, 0x12345678u, MLVM_CRC_PART };
	size_t len = sizeof(s) - 1, cut, k, i;
	uint32_t seed = 7;

	(void)state;
	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++)
		for (cut = 0; cut <= len; cut++)
			assert_int_equal(mlvm_crc_join(mlvm_crc(starts[k], s, cut),
						       mlvm_crc(MLVM_CRC_PART, s + cut, len - cut),
						       len - cut),
					 mlvm_crc(starts[k], s, len));
	fill_pattern(big, sizeof(big), 5);
	for (i = 0; i < 64; i++) {
		seed = seed * 1103515245u + 12345u;
		cut = (seed >> 4) % (sizeof(big) + 1);
		assert_int_equal(mlvm_crc_join(mlvm_crc(MLVM_CRC_INITIAL, big, cut),
					       mlvm_crc(MLVM_CRC_PART, big + cut, sizeof(big) - cut),
					       sizeof(big) - cut),
				 ref_crc(MLVM_CRC_INITIAL, big, sizeof(big)));
	}
	/* a piece begun anywhere but MLVM_CRC_PART does not join */
	assert_int_not_equal(mlvm_crc_join(mlvm_crc(MLVM_CRC_INITIAL, s, 9),
					   mlvm_crc(MLVM_CRC_INITIAL, s + 9, len - 9), len - 9),
			     mlvm_crc(MLVM_CRC_INITIAL, s, len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_of_empty_input_is_initial_value),
		cmocka_unit_test(crc_of_check_string_matches_bitwise_reference),
		cmocka_unit_test(crc_of_random_buffers_matches_bitwise_reference),
		cmocka_unit_test(crc_chains_across_pieces_like_one_pass),
		cmocka_unit_test(crc_matches_checksums_written_by_lvm2),
		cmocka_unit_test(crc_of_one_mebibyte_matches_reference_and_chains),
		cmocka_unit_test(crc_join_of_pieces_is_the_crc_of_the_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
