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
