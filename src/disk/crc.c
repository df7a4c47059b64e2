/*
 * crc.c - the LVM2 CRC through zlib's crc32.
 *
 * zlib computes the standard CRC-32 (pre- and post-inverted); LVM2's is the
 * same polynomial with initial value 0xf597a6cf and no final inversion, so
 * feed zlib the inverted state and invert its answer back.
 */
#include "disk/crc.h"

#include <zlib.h>

uint32_t mlvm_crc(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uLong z = crc ^ 0xffffffffU;

	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;

		z = crc32(z, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)z ^ 0xffffffffU;
}

/*
 * zlib's crc32_combine(c1, c2, n) is crc32(c1, B) for c2 = crc32(0, B):
 * the CRC is affine in its starting value. In zlib's terms a is ~a and b,
 * begun at ~MLVM_CRC_PART = 0 (zlib's own start), is ~b.
 */
uint32_t mlvm_crc_join(uint32_t a, uint32_t b, uint64_t len_b)
{
	return (uint32_t)crc32_combine(a ^ 0xffffffffU, b ^ 0xffffffffU, (z_off_t)len_b) ^ 0xffffffffU;
}
