/*
 * cow_layout.h - the dm-snapshot persistent exception store's on-disk
 * structures, declared once (facts from the kernel's
 * drivers/md/dm-snap-persistent.c); integers little-endian. Read by
 * map/cow.c.
 *
 *   header, at the start of chunk 0
 *     0 magic u32 (0x70416e53, "SnAp")   4 valid u32   8 version u32 (1)
 *    12 chunk_size u32 (sectors)
 *   exception, packed in the metadata chunks (chunk bytes / 16 a chunk)
 *     0 old_chunk u64 (origin)   8 new_chunk u64 (in the COW device)
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_COW_LAYOUT_H
#define MLVM_COW_LAYOUT_H

/* header */
#define MLVM_COW_MAGIC_OFF 0
#define MLVM_COW_VALID_OFF 4
#define MLVM_COW_VERSION_OFF 8
#define MLVM_COW_CHUNK_SIZE_OFF 12
#define MLVM_COW_HEADER_SIZE 16

/* exception */
#define MLVM_COW_EX_OLD_OFF 0
#define MLVM_COW_EX_NEW_OFF 8
#define MLVM_COW_EX_SIZE 16

#endif
