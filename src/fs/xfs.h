/*
 * xfs.h - a small read-only XFS reader: which file owns given bytes of an
 * XFS filesystem (fsowner.h's contract, for the XFS inside an LV).
 *
 * Read: superblock v4 and v5 (CRC-enabled; block headers XFS3, XDB3,
 * XDD3, BMA3, IAB3, AB3B are recognised but no CRC is verified: a block
 * with a bad CRC is read as if good), every AG, the inode btree of each
 * AG (IABT/IAB3, sparse inode chunks) for the inodes in use, inode cores
 * v2 and v3, data and attribute forks in extents or btree format
 * (BMAP/BMA3, walked to the leaves), directories shortform, block, leaf
 * and node (the data blocks below the 32 GiB leaf offset, with or without
 * the ftype byte), and the by-block free-space btree of an AG (ABTB/AB3B).
 * How: every inode in use is walked once until each wanted block has its
 * inode; then the directory tree from sb_rootino (each directory visited
 * once, at most MLVM_FS_MAX_DEPTH deep and MLVM_FS_MAX_ENTRIES entries)
 * names those inodes. An inode no directory names is "<inode N>", the
 * internal log "<log>"; a block no inode owns is unallocated only when
 * the free-space btree lists it free, else unknown (AG headers, btree
 * blocks, the AGFL). Every on-disk number is distrusted: each read is
 * checked against the filesystem and device size, each loop and btree
 * walk is bounded, and damage leaves owners unknown. Realtime devices are
 * not read (their extents are not on the data device).
 *
 * Layer: fs (src/fs). May include: base, io, disk, text, model, map.
 */
#ifndef MLVM_XFS_H
#define MLVM_XFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/fsowner.h"
#include "map/lvmap.h"

/* true when sb[0..n) starts with an XFS superblock of sane geometry */
bool mlvm_xfs_is_sb(const uint8_t *sb, size_t n);

/*
 * mlvm_fs_owners for an XFS filesystem in the LV read by rd: out[i] for
 * the LV byte offs[i]. 0 (every owner unknown when rd holds no readable
 * XFS), or -ENOMEM. Release with mlvm_fs_owner_clear.
 */
int mlvm_xfs_owners(struct mlvm_lv_reader *rd, const uint64_t *offs, size_t n,
		    struct mlvm_fs_owner *out);

/*
 * The same over any byte source of size bytes: read(ctx, buf, len, off)
 * fills buf with len bytes at off (off + len <= size) and returns 0, or a
 * negative errno. Used by the tests and the fuzz target.
 */
typedef int (*mlvm_xfs_read_fn)(void *ctx, void *buf, size_t len, uint64_t off);
int mlvm_xfs_owners_read(mlvm_xfs_read_fn read, void *ctx, uint64_t size, const uint64_t *offs,
			 size_t n, struct mlvm_fs_owner *out);

#endif
