/*
 * layout.h - LVM2's on-disk structures, declared once: the label sector,
 * the pv_header with its lists, the metadata area header and its raw_locn
 * slots. Every field is a named byte offset from the start of its
 * structure (and a size where it is not the width of its read); all
 * integers are little-endian, read with mlvm_le32/64 and written with
 * mlvm_put_le32/64 (base/util.h). The parsers (disk/label.c, disk/mda.c)
 * and the writer's encoder (write/write.c) use these names only.
 *
 *   label sector (one of sectors 0..3, MLVM_SECTOR_SIZE bytes)
 *     0 id "LABELONE"   8 sector number u64   16 crc u32 of [20, 512)
 *    20 offset of the pv_header u32 (32)      24 type "LVM2 001"
 *   pv_header (at that offset)
 *     0 pv uuid, 32 bytes (no dashes)         32 device size u64 (bytes)
 *    40 data-area list, then metadata-area list: disk_locn entries, each
 *       list ended by an entry whose offset is 0
 *     then, when its version is not 0, the extension: 0 version u32,
 *     4 flags u32 (1: in a VG), 8 bootloader-area list
 *   disk_locn  0 offset u64 (bytes)  8 size u64 (bytes; 0: to the end)
 *   mda_header (at the start of each metadata area, 512 bytes)
 *     0 crc u32 of [4, 512)  4 magic, 16 bytes  20 version u32 (1)
 *    24 start u64 (absolute byte offset of this header)  32 size u64
 *    40 raw_locn[0] (committed)  64 raw_locn[1] (precommitted)
 *    88 an all-zero raw_locn ends the list
 *   raw_locn   0 offset u64 (from the area start)  8 size u64 (with the
 *              NUL)  16 checksum u32 (crc of the text)  20 flags u32
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_DISK_LAYOUT_H
#define MLVM_DISK_LAYOUT_H

/* label sector */
#define MLVM_LABEL_ID "LABELONE"
#define MLVM_LABEL_ID_SHIFTED "MBCFMPOF"	/* LABELONE with every byte +1 */
#define MLVM_LABEL_TYPE_LVM2 "LVM2 001"
#define MLVM_LABEL_TYPE_JOURNALLED "JOUR 001"
#define MLVM_LABEL_ID_OFF 0
#define MLVM_LABEL_ID_LEN 8
#define MLVM_LABEL_SECTOR_OFF 8
#define MLVM_LABEL_CRC_OFF 16
#define MLVM_LABEL_CRC_START 20		/* the crc covers [20, sector end) */
#define MLVM_LABEL_PVH_OFFSET_OFF 20
#define MLVM_LABEL_TYPE_OFF 24
#define MLVM_LABEL_TYPE_LEN 8
#define MLVM_LABEL_PVH_AT 32		/* where LVM2 puts the pv_header */

/* pv_header */
#define MLVM_PVH_UUID_OFF 0
#define MLVM_PVH_UUID_LEN 32
#define MLVM_PVH_DEVICE_SIZE_OFF 32
#define MLVM_PVH_LISTS_OFF 40		/* the data-area list starts here */

/* disk_locn, the entries of the pv_header's lists */
#define MLVM_DISK_LOCN_OFFSET_OFF 0
#define MLVM_DISK_LOCN_SIZE_OFF 8
#define MLVM_DISK_LOCN_SIZE 16

/* pv_header extension, after the metadata-area list */
#define MLVM_PVH_EXT_VERSION_OFF 0
#define MLVM_PVH_EXT_FLAGS_OFF 4
#define MLVM_PVH_EXT_LISTS_OFF 8	/* the bootloader-area list */
#define MLVM_PVH_EXT_VERSION 2		/* what LVM2 writes */
#define MLVM_PVH_EXT_FLAG_IN_VG 1u

/* mda_header */
#define MLVM_MDA_HEADER_SIZE 512u
#define MLVM_MDA_MAGIC " LVM2 x[5A%r0N*>"
#define MLVM_MDA_MAGIC_JOURNALLED "JOURNALLED!1!1!!"
#define MLVM_MDA_VERSION 1
#define MLVM_MDA_CRC_OFF 0
#define MLVM_MDA_CRC_START 4		/* the crc covers [4, 512) */
#define MLVM_MDA_MAGIC_OFF 4
#define MLVM_MDA_MAGIC_LEN 16
#define MLVM_MDA_VERSION_OFF 20
#define MLVM_MDA_START_OFF 24
#define MLVM_MDA_SIZE_OFF 32
#define MLVM_MDA_RAW_LOCN_OFF 40	/* raw_locn[i] at 40 + i * 24 */

/* raw_locn */
#define MLVM_RAW_LOCN_OFFSET_OFF 0
#define MLVM_RAW_LOCN_SIZE_OFF 8
#define MLVM_RAW_LOCN_CHECKSUM_OFF 16
#define MLVM_RAW_LOCN_FLAGS_OFF 20
#define MLVM_RAW_LOCN_SIZE 24
#define MLVM_RAW_LOCN_IGNORED 0x1u

#endif
