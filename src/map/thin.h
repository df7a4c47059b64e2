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

#include <stdbool.h>
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

/*
 * Recovery from stale metadata blocks. When the current trees do not name
 * dev_id (a removed thin LV read from an older generation) or the path to
 * it is damaged, the metadata is scanned once for btree nodes that pass
 * every check (mlvm_thin_node_check) and dev_id's mapping tree is rebuilt
 * from the stale top-level leaves that name it (thin.c's header comment
 * says which one is preferred); a warning "thin_mapping_recovered" names
 * the blocks and time used. Lookups of dev_id then go through it.
 */
struct mlvm_thin_recovered {
	uint64_t root;		/* root block of the recovered per-device tree */
	uint64_t top_leaf;	/* the stale top-level leaf that named it */
	uint64_t mapped;	/* mappings in it */
	uint64_t nodes;		/* nodes in it */
	uint32_t max_time;	/* highest mapping time stamp in it */
	unsigned candidates;	/* distinct roots weighed */
	bool details;		/* a device details entry agrees on mapped */
};

/*
 * 0 and *out when dev_id reads through a recovered tree, -ENOENT when no
 * tree was found for it, -EEXIST when the current metadata holds it (no
 * recovery needed), -ENOMEM. Runs the recovery when not done yet.
 */
int mlvm_thin_recovery(struct mlvm_thin_pool *p, uint64_t dev_id,
		       struct mlvm_thin_recovered *out);

/*
 * For a recovered dev_id whose virtual block vblock maps to data block db:
 * 1 and *other when the current metadata gives db to a device (another, or
 * dev_id itself at another virtual block), 0 when it does not, -ENOENT when
 * dev_id is not recovered. A block a live snapshot still shares with the
 * removed device is said too: the metadata cannot tell sharing from reuse
 * for sure, and a reused block said to be intact would be the worse error.
 * The first time a device is met a warning "thin_block_reused" says so.
 */
int mlvm_thin_block_reused(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t vblock,
			   uint64_t db, uint64_t *other);

/* the superblock's transaction id */
uint64_t mlvm_thin_transaction_id(const struct mlvm_thin_pool *p);

/* a btree node's header, as the checks read it */
struct mlvm_thin_node_hdr {
	uint32_t flags;		/* 1 internal, 2 leaf */
	uint32_t nr;
	uint32_t max;
	uint32_t value_size;	/* 8 (mapping trees) or 24 (device details) */
};

/*
 * The scanner's test of one 4096-byte block read from metadata block blk:
 * NULL when it is a btree node (checksum with dm-thin's salt, blocknr ==
 * blk, internal or leaf, nr_entries <= max_entries <= what fits, value
 * size 8 or 24 (leaves only), ascending keys) and *hdr is filled, else the
 * warning code naming the failed check.
 */
const char *mlvm_thin_node_check(const uint8_t *data, uint64_t blk, struct mlvm_thin_node_hdr *hdr);

void mlvm_thin_close(struct mlvm_thin_pool *p);

#endif
