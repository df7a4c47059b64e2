/*
 * thin.h - dm-thin pool metadata (the _tmeta LV): superblock, space maps
 * aside, the two-level mapping btree (device id -> virtual block -> data
 * block and time) and the device details tree.
 *
 * Read-only and damage-tolerant: every block is checked (checksum, block
 * number, node flags, key order, bounds) and a bad node is reported and its
 * subtree treated as unmapped, never followed blindly. Depth and visited
 * blocks are bounded, so a cyclic tree cannot hang the reader.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_THIN_H
#define MLVM_THIN_H

#include <stdint.h>

#include "map/lvmap.h"
#include "base/report.h"

struct mlvm_thin_pool;

/*
 * Open pool metadata read through read/ctx (meta_size bytes). Returns 0 or
 * a negative errno (-EINVAL: not dm-thin metadata; the reason is reported).
 */
int mlvm_thin_open(mlvm_read_fn read, void *ctx, uint64_t meta_size,
		   struct mlvm_thin_pool **out, struct mlvm_report *r, const char *what);

/* data block size in 512-byte sectors */
uint32_t mlvm_thin_block_sectors(const struct mlvm_thin_pool *p);

/*
 * Map virtual block vblock of thin device dev_id: 0 and *data_block, or
 * -ENOENT when the block is unmapped (reads as zeros), or -EIO when the
 * tree is damaged on the way (reported once per bad node).
 */
int mlvm_thin_lookup(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t vblock,
		     uint64_t *data_block);

/*
 * The next mapped virtual block of dev_id at or after vblock: 0 and
 * *next, or -ENOENT when there is none (for sparse export: skip the gap).
 */
int mlvm_thin_next_mapped(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t vblock,
			  uint64_t *next);

void mlvm_thin_close(struct mlvm_thin_pool *p);

#endif
