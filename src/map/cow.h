/*
 * cow.h - the dm-snapshot persistent exception store (an old-style
 * snapshot's COW LV): header (magic "SnAp", valid, version 1, chunk size),
 * then areas of one metadata chunk of {old_chunk u64, new_chunk u64}
 * exceptions followed by the data chunks they describe, ended by an
 * exception whose new_chunk is 0.
 *
 * Read-only and damage-tolerant: a bad header or an exception pointing past
 * the COW LV is reported; lookups are bounded.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_COW_H
#define MLVM_COW_H

#include <stdbool.h>
#include <stdint.h>

#include "map/lvmap.h"
#include "base/report.h"

struct mlvm_cow;

/*
 * Open the store read through read/ctx (cow_size bytes): 0 or a negative
 * errno. A header with magic 0 is a new, empty store (dm-snapshot's view):
 * 0, with mlvm_cow_is_empty() true and no chunk size; a non-zero wrong
 * magic is -EINVAL.
 */
int mlvm_cow_open(mlvm_read_fn read, void *ctx, uint64_t cow_size,
		  struct mlvm_cow **out, struct mlvm_report *r, const char *what);

/* chunk size in 512-byte sectors (0 for an empty store) */
uint32_t mlvm_cow_chunk_sectors(const struct mlvm_cow *c);

/* true for a new store (zero magic): every lookup is -ENOENT */
bool mlvm_cow_is_empty(const struct mlvm_cow *c);

/* the COW chunk holding origin chunk old_chunk: 0 and *cow_chunk, or -ENOENT */
int mlvm_cow_lookup(const struct mlvm_cow *c, uint64_t old_chunk, uint64_t *cow_chunk);

void mlvm_cow_close(struct mlvm_cow *c);

#endif
