/*
 * gf256.h - arithmetic in GF(2^8) for raid6's Q syndrome.
 *
 * The field of md's raid6 (and of LVM2's raid6 segments, which are md's):
 * polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), generator g = 2. Q is the
 * sum of g^i * D_i over the data images; P is their XOR. Rebuilding one
 * data image from Q, or two from P and Q, divides by g^x or by g^x + g^y.
 *
 * The tables live in a caller-owned struct filled by mlvm_gf256_init (no
 * global state, nothing to lock). Every function is total: 0 has no
 * inverse and mlvm_gf256_inv(0) returns 0.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_MAP_GF256_H
#define MLVM_MAP_GF256_H

#include <stddef.h>
#include <stdint.h>

struct mlvm_gf256 {
	uint8_t exp[512];		/* g^i for i in 0..509 (two turns: no reduction of log sums) */
	uint8_t log[256];		/* log_g of 1..255; log[0] unused (0) */
};

void mlvm_gf256_init(struct mlvm_gf256 *gf);

/* a * b */
uint8_t mlvm_gf256_mul(const struct mlvm_gf256 *gf, uint8_t a, uint8_t b);
/* 1 / a (0 for 0) */
uint8_t mlvm_gf256_inv(const struct mlvm_gf256 *gf, uint8_t a);
/* g^e, e taken modulo 255 */
uint8_t mlvm_gf256_pow2(const struct mlvm_gf256 *gf, unsigned e);

/* dst[i] ^= src[i] * c for len bytes */
void mlvm_gf256_muladd(const struct mlvm_gf256 *gf, uint8_t *dst, const uint8_t *src, size_t len,
		       uint8_t c);
/* buf[i] *= c for len bytes */
void mlvm_gf256_scale(const struct mlvm_gf256 *gf, uint8_t *buf, size_t len, uint8_t c);
/* dst[i] ^= src[i] for len bytes (addition in the field: raid's P) */
void mlvm_gf256_xor(uint8_t *dst, const uint8_t *src, size_t len);

#endif
