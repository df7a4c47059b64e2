/*
 * test_gf256.c - GF(2^8) arithmetic for raid6 (src/map/gf256.c), checked
 * against a bitwise reference multiply and by rebuilding erased data from
 * P and Q the way the raid6 reader does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "map/gf256.h"

/* multiply by shifting and reducing by x^8 + x^4 + x^3 + x^2 + 1, no tables */
static uint8_t ref_mul(uint8_t a, uint8_t b)
{
	unsigned x = a, r = 0;

	while (b) {
		if (b & 1)
			r ^= x;
		b >>= 1;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	return (uint8_t)r;
}

static void gf256_tables_follow_generator_2(void **state)
{
	struct mlvm_gf256 gf;
	unsigned seen[256] = { 0 }, i;

	(void)state;
	mlvm_gf256_init(&gf);
	assert_int_equal(gf.exp[0], 1);
	assert_int_equal(gf.exp[1], 2);
	assert_int_equal(gf.exp[8], 0x1d);	/* x^8 reduced by 0x11d */
	assert_int_equal(gf.exp[255], 1);
	for (i = 0; i < 255; i++) {
		seen[gf.exp[i]]++;
		assert_int_equal(gf.log[gf.exp[i]], i);
		assert_int_equal(gf.exp[i + 255], gf.exp[i]);
	}
	assert_int_equal(seen[0], 0);
	for (i = 1; i < 256; i++)
		assert_int_equal(seen[i], 1);	/* 2 generates every non-zero element */
}

static void gf256_mul_matches_reference_for_every_pair(void **state)
{
	struct mlvm_gf256 gf;
	unsigned a, b;

	(void)state;
	mlvm_gf256_init(&gf);
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			assert_int_equal(mlvm_gf256_mul(&gf, (uint8_t)a, (uint8_t)b),
					 ref_mul((uint8_t)a, (uint8_t)b));
}

static void gf256_inv_gives_one_and_zero_has_none(void **state)
{
	struct mlvm_gf256 gf;
	unsigned a;

	(void)state;
	mlvm_gf256_init(&gf);
	assert_int_equal(mlvm_gf256_inv(&gf, 0), 0);
	assert_int_equal(mlvm_gf256_inv(&gf, 1), 1);
	for (a = 1; a < 256; a++)
		assert_int_equal(mlvm_gf256_mul(&gf, (uint8_t)a, mlvm_gf256_inv(&gf, (uint8_t)a)), 1);
}

static void gf256_pow2_counts_modulo_255(void **state)
{
	struct mlvm_gf256 gf;
	unsigned e;
	uint8_t x = 1;

	(void)state;
	mlvm_gf256_init(&gf);
	for (e = 0; e < 600; e++) {
		assert_int_equal(mlvm_gf256_pow2(&gf, e), x);
		x = ref_mul(x, 2);
	}
}

static void gf256_buffer_ops_apply_per_byte(void **state)
{
	struct mlvm_gf256 gf;
	uint8_t src[300], dst[300], want[300];
	size_t i;

	(void)state;
	mlvm_gf256_init(&gf);
	for (i = 0; i < sizeof(src); i++) {
		src[i] = (uint8_t)(i * 7 + 3);
		dst[i] = (uint8_t)(i * 13 + 1);
	}
	for (i = 0; i < sizeof(src); i++)
		want[i] = (uint8_t)(dst[i] ^ ref_mul(src[i], 0x53));
	mlvm_gf256_muladd(&gf, dst, src, sizeof(src), 0x53);
	assert_memory_equal(dst, want, sizeof(dst));

	for (i = 0; i < sizeof(src); i++)
		want[i] = ref_mul(dst[i], 0xca);
	mlvm_gf256_scale(&gf, dst, sizeof(dst), 0xca);
	assert_memory_equal(dst, want, sizeof(dst));

	for (i = 0; i < sizeof(src); i++)
		want[i] = (uint8_t)(dst[i] ^ src[i]);
	mlvm_gf256_xor(dst, src, sizeof(dst));
	assert_memory_equal(dst, want, sizeof(dst));

	mlvm_gf256_scale(&gf, dst, sizeof(dst), 0);
	memset(want, 0, sizeof(want));
	assert_memory_equal(dst, want, sizeof(dst));
}

/* P = xor of D_i, Q = sum of g^i D_i; lose D_x and D_y, get them back */
static void gf256_rebuilds_two_lost_data_bytes_from_p_and_q(void **state)
{
	struct mlvm_gf256 gf;
	uint8_t d[6] = { 0x00, 0x11, 0xfe, 0x80, 0x5a, 0x01 };
	unsigned x, y, i;

	(void)state;
	mlvm_gf256_init(&gf);
	for (x = 0; x < 6; x++) {
		for (y = 0; y < 6; y++) {
			uint8_t p = 0, q = 0, pxy = 0, qxy = 0, gx, gy, dx, dy;

			if (x == y)
				continue;
			for (i = 0; i < 6; i++) {
				p ^= d[i];
				q ^= ref_mul(d[i], mlvm_gf256_pow2(&gf, i));
				if (i != x && i != y) {
					pxy ^= d[i];
					qxy ^= ref_mul(d[i], mlvm_gf256_pow2(&gf, i));
				}
			}
			pxy ^= p;
			qxy ^= q;
			gx = mlvm_gf256_pow2(&gf, x);
			gy = mlvm_gf256_pow2(&gf, y);
			/* Dx = (Qxy + g^y Pxy) / (g^x + g^y), then Dy = Pxy + Dx */
			dx = mlvm_gf256_mul(&gf, (uint8_t)(qxy ^ mlvm_gf256_mul(&gf, gy, pxy)),
					    mlvm_gf256_inv(&gf, (uint8_t)(gx ^ gy)));
			dy = (uint8_t)(pxy ^ dx);
			assert_int_equal(dx, d[x]);
			assert_int_equal(dy, d[y]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gf256_tables_follow_generator_2),
		cmocka_unit_test(gf256_mul_matches_reference_for_every_pair),
		cmocka_unit_test(gf256_inv_gives_one_and_zero_has_none),
		cmocka_unit_test(gf256_pow2_counts_modulo_255),
		cmocka_unit_test(gf256_buffer_ops_apply_per_byte),
		cmocka_unit_test(gf256_rebuilds_two_lost_data_bytes_from_p_and_q),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
