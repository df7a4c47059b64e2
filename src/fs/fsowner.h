/*
 * fsowner.h - which file of the filesystem inside an LV owns given bytes of
 * that LV: the path of the regular file (or directory) whose data block
 * holds them, or "unallocated" when the filesystem has the block free.
 * Says where a copy of metadata text carved from an image lies
 * (history --deep, scan --deep).
 *
 * Filesystems read: XFS (v4 and v5) by mlvm's own read-only reader
 * (xfs.h: tried first, when the LV starts with an XFS superblock; its
 * inode btrees, extent maps, directories and free-space btrees), then
 * ext2, ext3 and ext4, through libext2fs (e2fsprogs),
 * opened read-only (EXT2_FLAG_64BITS, never EXT2_FLAG_RW) over the LV
 * reader by a private io_manager that refuses every write. How: the block
 * bitmap says free or in use; for blocks in use one inode scan walks each
 * in-use inode's blocks (ext2fs_block_iterate3) until every wanted block
 * has its inode; then one walk of the directory tree from the root (at most
 * MLVM_FS_MAX_DEPTH deep, MLVM_FS_MAX_ENTRIES entries) names those inodes.
 * An inode no directory names is given as "<inode N>" ("<journal>" for the
 * ext3/4 journal). Without libext2fs (configure) ext2/3/4 is not read and
 * its owners stay unknown. Other filesystems (swap, none) leave the owner
 * unknown with fs_type "".
 *
 * Layer: fs (src/fs). May include: base, io, disk, text, model, map.
 */
#ifndef MLVM_FSOWNER_H
#define MLVM_FSOWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map/lvmap.h"

#define MLVM_FS_MAX_DEPTH 64
#define MLVM_FS_MAX_ENTRIES (1u << 22)

struct mlvm_fs_owner {
	char fs_type[8];	/* "xfs", "ext2", "ext3", "ext4"; "" when not read */
	char *path;		/* malloc'd, NULL when unknown or unallocated */
	bool unallocated;	/* the filesystem has the block free */
};

/* true: XFS is always read (built in); ext2/3/4 only with libext2fs */
bool mlvm_fs_supported(void);

/*
 * The owners of the LV bytes offs[0..n) (any order) of the LV read by rd:
 * out[i] for offs[i]. 0 (also when the LV holds no filesystem read here:
 * every out[i] then unknown), or -ENOMEM. Release with mlvm_fs_owner_clear.
 */
int mlvm_fs_owners(struct mlvm_lv_reader *rd, const uint64_t *offs, size_t n,
		   struct mlvm_fs_owner *out);

void mlvm_fs_owner_clear(struct mlvm_fs_owner *o);

/*
 * For the set's loose copies carved from an image that lie in a visible LV
 * of an assembled VG (model/deep.h placed them): fs_type, fs_path and
 * fs_unallocated from the filesystem in that LV, one pass per LV. An LV
 * that cannot be read (a thin pool, an ambiguous PV) is left unnamed, and
 * its reader's problems are not reported (the copy's place is a detail).
 * 0 or -ENOMEM.
 */
struct mlvm_set;
int mlvm_fs_name_loose(struct mlvm_set *set);

#endif
