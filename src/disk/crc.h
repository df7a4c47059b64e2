/*
 * crc.h - the LVM2 checksum: reflected CRC-32 (0xEDB88320), initial value
 * 0xf597a6cf, no final xor; computed with libdeflate, joined with zlib's
 * crc32_combine. Chains across pieces:
 * mlvm_crc(mlvm_crc(MLVM_CRC_INITIAL, a, n), b, m) is the CRC of a||b.
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_CRC_H
#define MLVM_CRC_H

#include <stddef.h>
#include <stdint.h>

#define MLVM_CRC_INITIAL 0xf597a6cfU

uint32_t mlvm_crc(uint32_t crc, const void *buf, size_t len);

/*
 * Pieces computed apart (on two threads): a = mlvm_crc(x, A, ...) and
 * b = mlvm_crc(MLVM_CRC_PART, B, len_b) give mlvm_crc(x, A||B, ...) as
 * mlvm_crc_join(a, b, len_b).
 */
#define MLVM_CRC_PART 0xffffffffU
uint32_t mlvm_crc_join(uint32_t a, uint32_t b, uint64_t len_b);

#endif
