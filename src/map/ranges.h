/*
 * ranges.h - the LV reader's lists of byte ranges that could not be read.
 *
 * Two lists, both bounded so that hostile metadata cannot make them grow
 * without limit: when one is full a range is merged into a neighbour (the
 * list over-reports, it never loses a missing byte).
 *
 *  - struct lvmap_miss: the ranges missing from one request, in the
 *    coordinates of the buffer being filled. Ranges come mostly in
 *    increasing order and are merged with the last one; the first
 *    LVMAP_MISS_INLINE live inside the struct (no allocation for the common
 *    case), up to LVMAP_MISS_MAX in all.
 *  - struct lvmap_ranges: a reader's sorted, merged list of missing LV
 *    ranges, up to LVMAP_MAX_MISSING.
 *
 * Private to src/map (the reader and its segment families); callers see the
 * result through mlvm_lv_reader_missing().
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_MAP_RANGES_H
#define MLVM_MAP_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "map/lvmap.h"

#define LVMAP_MAX_MISSING 4096		/* ranges kept per reader */
#define LVMAP_MISS_MAX 4096		/* ranges kept per request */
#define LVMAP_MISS_INLINE 8

struct lvmap_miss {
	struct mlvm_range in[LVMAP_MISS_INLINE];
	struct mlvm_range *v;		/* in, or heap */
	size_t n, cap;
};

void lvmap_miss_init(struct lvmap_miss *m);
/* frees what m holds and leaves it empty (initialised) */
void lvmap_miss_free(struct lvmap_miss *m);
/* add [start, start + len); nothing for len 0 */
void lvmap_miss_add(struct lvmap_miss *m, uint64_t start, uint64_t len);
/* add src's ranges to dst shifted by delta; src is freed (left empty) */
void lvmap_miss_move(struct lvmap_miss *dst, struct lvmap_miss *src, uint64_t delta);

struct lvmap_ranges {
	struct mlvm_range *v;		/* sorted by start, disjoint, not touching */
	size_t n, cap;
};

/* add [start, start + len), merging what it touches or overlaps */
void lvmap_ranges_add(struct lvmap_ranges *rs, uint64_t start, uint64_t len);
void lvmap_ranges_free(struct lvmap_ranges *rs);

#endif
