/*
 * thin_layout.h - the dm-thin pool metadata's on-disk structures, declared
 * once: the superblock (block 0) and the btree node (every other block).
 * Named byte offsets from the start of the 4096-byte block; integers are
 * little-endian (facts from the kernel's drivers/md/dm-thin-metadata.c and
 * persistent-data/). Read by map/thin.c.
 *
 *   superblock                              btree node
 *     0 csum le32                            0 csum le32
 *     4 flags le32 (1: needs check)          4 flags le32 (1 internal, 2 leaf)
 *     8 blocknr le64 (0)                     8 blocknr le64 (its own)
 *    16 uuid, 16 bytes                      16 nr_entries le32
 *    32 magic le64 (27022010)               20 max_entries le32
 *    40 version le32 (1, 2)                 24 value_size le32
 *    44 time le32   48 trans_id le64        28 padding le32
 *    56 held_root le64                      32 keys le64 x max_entries, then
 *    64 data space map root, 128 bytes         values value_size x max_entries
 *       (nr_blocks le64 first)
 *   192 metadata space map root, 128 bytes
 *   320 data_mapping_root le64   328 device_details_root le64
 *   336 data_block_size le32 (sectors)   340 metadata_block_size le32 (8)
 *   344 metadata_nr_blocks le64
 *   352 compat_flags, 356 compat_ro_flags, 360 incompat_flags le32
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_THIN_LAYOUT_H
#define MLVM_THIN_LAYOUT_H

/* superblock */
#define MLVM_THIN_SB_CSUM_OFF 0
#define MLVM_THIN_SB_FLAGS_OFF 4
#define MLVM_THIN_SB_BLOCKNR_OFF 8
#define MLVM_THIN_SB_UUID_OFF 16
#define MLVM_THIN_SB_MAGIC_OFF 32
#define MLVM_THIN_SB_VERSION_OFF 40
#define MLVM_THIN_SB_TIME_OFF 44
#define MLVM_THIN_SB_TRANS_ID_OFF 48
#define MLVM_THIN_SB_HELD_ROOT_OFF 56
#define MLVM_THIN_SB_DATA_SM_ROOT_OFF 64	/* its nr_blocks le64 first */
#define MLVM_THIN_SB_DATA_NR_BLOCKS_OFF 64
#define MLVM_THIN_SB_META_SM_ROOT_OFF 192
#define MLVM_THIN_SB_DATA_MAPPING_ROOT_OFF 320
#define MLVM_THIN_SB_DEVICE_DETAILS_ROOT_OFF 328
#define MLVM_THIN_SB_DATA_BLOCK_SIZE_OFF 336
#define MLVM_THIN_SB_META_BLOCK_SIZE_OFF 340
#define MLVM_THIN_SB_META_NR_BLOCKS_OFF 344
#define MLVM_THIN_SB_COMPAT_OFF 352
#define MLVM_THIN_SB_COMPAT_RO_OFF 356
#define MLVM_THIN_SB_INCOMPAT_OFF 360

/* btree node */
#define MLVM_THIN_NODE_CSUM_OFF 0
#define MLVM_THIN_NODE_FLAGS_OFF 4
#define MLVM_THIN_NODE_BLOCKNR_OFF 8
#define MLVM_THIN_NODE_NR_ENTRIES_OFF 16
#define MLVM_THIN_NODE_MAX_ENTRIES_OFF 20
#define MLVM_THIN_NODE_VALUE_SIZE_OFF 24
#define MLVM_THIN_NODE_HEADER_SIZE 32u		/* the keys start here */
#define MLVM_THIN_NODE_KEY_SIZE 8u

/*
 * device details tree leaf value (key: device id): mapped_blocks le64,
 * transaction_id le64, creation_time le32, snapshotted_time le32
 */
#define MLVM_THIN_DETAILS_VALUE_SIZE 24u
#define MLVM_THIN_DETAILS_MAPPED_OFF 0
#define MLVM_THIN_DETAILS_TRANS_ID_OFF 8
#define MLVM_THIN_DETAILS_CTIME_OFF 16
#define MLVM_THIN_DETAILS_STIME_OFF 20

/* a per-device mapping value: data block << 24 | time (24 bits) */
#define MLVM_THIN_TIME_BITS 24u

/* both: the checksum covers the block from here to its end */
#define MLVM_THIN_CSUM_START 4

#endif
