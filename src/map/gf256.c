/*
 * gf256.c - arithmetic in GF(2^8), polynomial 0x11d (see gf256.h).
 */
#include "map/gf256.h"

void mlvm_gf256_init(struct mlvm_gf256 *gf)
{
	unsigned x = 1, i;

	for (i = 0; i < 255; i++) {
		gf->exp[i] = (uint8_t)x;
		gf->exp[i + 255] = (uint8_t)x;
		gf->log[x] = (uint8_t)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	gf->exp[510] = gf->exp[0];
	gf->exp[511] = gf->exp[1];
	gf->log[0] = 0;
}

uint8_t mlvm_gf256_mul(const struct mlvm_gf256 *gf, uint8_t a, uint8_t b)
{
	if (!a || !b)
		return 0;
	return gf->exp[gf->log[a] + gf->log[b]];
}

uint8_t mlvm_gf256_inv(const struct mlvm_gf256 *gf, uint8_t a)
{
	return a ? gf->exp[255 - gf->log[a]] : 0;
}

uint8_t mlvm_gf256_pow2(const struct mlvm_gf256 *gf, unsigned e)
{
	return gf->exp[e % 255];
}

/* row[i] = i * c: one table per call, then one lookup per byte */
static void mul_row(const struct mlvm_gf256 *gf, uint8_t row[256], uint8_t c)
{
	unsigned i;

	for (i = 0; i < 256; i++)
		row[i] = mlvm_gf256_mul(gf, (uint8_t)i, c);
}

void mlvm_gf256_muladd(const struct mlvm_gf256 *gf, uint8_t *dst, const uint8_t *src, size_t len,
		       uint8_t c)
{
	uint8_t row[256];
	size_t i;

	mul_row(gf, row, c);
	for (i = 0; i < len; i++)
		dst[i] ^= row[src[i]];
}

void mlvm_gf256_scale(const struct mlvm_gf256 *gf, uint8_t *buf, size_t len, uint8_t c)
{
	uint8_t row[256];
	size_t i;

	mul_row(gf, row, c);
	for (i = 0; i < len; i++)
		buf[i] = row[buf[i]];
}

void mlvm_gf256_xor(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] ^= src[i];
}
