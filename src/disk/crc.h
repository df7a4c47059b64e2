/*
 * crc.h - the LVM2 checksum: reflected CRC-32 (0xEDB88320), initial value
 * 0xf597a6cf, no final xor; computed with zlib. Chains across pieces:
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

#endif
