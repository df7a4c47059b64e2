/*
 * seg.h - the LV reader's segment families and what they share (private to
 * src/map: lvmap.c and the seg_*.c files).
 *
 * A reader (struct mlvm_lv_reader) is a list of segments sorted by LV
 * offset; each segment belongs to one family, which does everything
 * type-specific through its ops table (struct seg_ops):
 *
 *   seg_simple.c    error, zero, and "broken" (a segment that cannot be mapped)
 *   seg_linear.c    striped, linear, raid0, raid0_meta
 *   seg_mirror.c    mirror, raid1
 *   seg_raid.c      raid10 and raid4/5/6 (parity rebuilds use gf256.c)
 *   seg_thin.c      thin and thin-pool (the pool's metadata: thin.c)
 *   seg_snapshot.c  old-style snapshots (the COW store: cow.c)
 *   seg_cache.c     cache, writecache, cache-pool: the origin
 *   seg_integrity.c integrity: the data sub-LV (_iorig)
 *
 * Adding a segment type is one family file (or one more row for an
 * existing family) plus one row in lvmap.c's type table.
 *
 * Every family has one address function (map) that says where the bytes
 * at a segment offset come from: a run of an area (a PV's image or a
 * sub-LV), zeros, or nothing readable. Both the read path and
 * mlvm_lv_locate() go through it, so the address arithmetic exists once.
 * Families whose reads do more than follow map (copies to retry, parity to
 * rebuild) have their own read, which starts from the same address.
 *
 * Segment offsets (x) are bytes from the segment's start; x + len never
 * exceeds the segment's length (the reader clips). Reads fill buf and add
 * what could not be read to m at bpos (buf's offset in the request).
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_MAP_SEG_H
#define MLVM_MAP_SEG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/report.h"
#include "io/source.h"
#include "map/cow.h"
#include "map/gf256.h"
#include "map/lvmap.h"
#include "map/ranges.h"
#include "map/thin.h"
#include "model/vg.h"

#define LVMAP_MAX_DEPTH 32

struct mlvm_lv_reader;
struct seg;

/* an area of a segment: a range of a PV's image, or of a sub-LV */
struct area {
	struct mlvm_source *src;	/* a PV's image */
	struct mlvm_lv_reader *lv;	/* or a sub-LV */
	uint64_t base;			/* byte offset of the area in src or lv */
	uint64_t len;			/* bytes readable from base (past: missing) */
	bool bad;			/* nothing readable */
	bool degraded;			/* some of it is missing */
	uint32_t pv1;			/* on a missing PV: its index + 1 (0: not) */
	const char *name;		/* the PV or LV named (for the words) */
};

/* a row of the type table: a segment type name and its family */
struct seg_type {
	const char *name;
	const struct seg_ops *ops;
	unsigned algo;			/* raid4/5/6: the layout (seg_raid.c's enum) */
	unsigned parity;		/* raid4/5/6: parity images (1 or 2) */
};

/* where the bytes at a segment offset come from (a family's map answer) */
enum seg_loc_kind {
	LOC_AREA,			/* run bytes of area a from off */
	LOC_ZERO,			/* run bytes of zeros, known to be zeros */
	LOC_MISSING,			/* run bytes that cannot be read (zeros, recorded) */
};

struct seg_loc {
	enum seg_loc_kind kind;
	const struct area *a;
	uint64_t off;			/* in a */
	uint64_t run;			/* 1..len bytes from x */
};

struct tree;

struct seg_ops {
	const char *family;
	/*
	 * Set up g (start and len already set) from segment s of rd's LV. g->ops
	 * is the broken family on entry; build sets it to its own ops once the
	 * segment can be read, and leaves it broken (with a warning in t->r)
	 * when it cannot. Returns 0, or a negative errno that fails the reader
	 * (-ENOMEM, -ELOOP, -EINVAL for a leg that is not there...). leg is the
	 * mirror image asked for (-1: any), for the top LV only.
	 */
	int (*build)(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		     struct seg *g, const struct seg_type *ty, int depth, int leg);
	/* where [x, x + len) starts: one run, 1..len bytes (required) */
	void (*map)(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc);
	/* read [x, x + len); NULL: follow map (lvmap_seg_read_mapped) */
	int (*read)(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x, struct lvmap_miss *m,
		    uint64_t bpos);
	/* [x, x + len) known to be zeros without reading; NULL: never */
	bool (*is_hole)(const struct seg *g, uint64_t x, uint64_t len, int depth);
	/* mlvm_lv_locate may follow map to image bytes (false: always computed) */
	bool locate;
	/* the reader is degraded given `bad` degraded areas; NULL: when bad > 0 */
	bool (*degrades)(const struct seg *g, unsigned bad);
	/* nothing of the segment can be read (with every area bad); NULL: false */
	bool (*gone)(const struct seg *g);
	/*
	 * With bad (> 0) degraded areas of which gone are wholly missing: 2 when
	 * every byte can still be read (from other copies or parity), 1 when some
	 * of the degraded areas' bytes can, 0 when none. NULL: 0.
	 */
	int (*recovers)(const struct seg *g, unsigned bad, unsigned gone);
	/* set for families that recover by parity: image k holds only parity */
	bool (*parity_only)(const struct seg *g, unsigned k);
	/* a reader the segment reads through other than its areas (thin: the pool's) */
	struct mlvm_lv_reader *(*via)(const struct seg *g);
	/* release what build allocated besides the areas; NULL: nothing */
	void (*free)(struct seg *g);
};

struct seg {
	uint64_t start, len;		/* bytes of the LV */
	const struct seg_ops *ops;
	unsigned algo;			/* raid4/5/6 layout */
	unsigned n;			/* areas */
	unsigned parity;
	unsigned copies;
	uint64_t chunk;			/* stripe bytes (snapshot: chunk bytes) */
	struct area *a;
	struct area **alt_a;		/* mirror/raid10 scratch, n entries */
	uint64_t *alt_o;
	int leg;			/* mirror: -1 or the one image to read */
	unsigned first;			/* mirror: first intact image */
	/* thin */
	struct seg *pool;		/* the pool's thin-pool segment */
	uint64_t dev_id;
	struct area ext;		/* thin external origin (lv != NULL when set) */
	/* thin-pool: a[0] is _tdata */
	struct mlvm_thin_pool *tp;
	uint64_t block;			/* bytes */
	/* snapshot: a[0] origin, a[1] COW store */
	struct mlvm_cow *cow;
	struct tree *t;
	struct mlvm_lv_reader *rd;	/* the reader it belongs to */
};

struct mlvm_lv_reader {
	struct tree *t;
	const struct mlvm_lv *lv;
	uint64_t size;
	struct seg *segs;
	uint32_t n_segs;
	bool degraded;
	bool top;
	struct lvmap_ranges missing;
	struct lvmap_ranges reused;	/* recovered thin blocks given away since */
};

struct pv_word;

/* what every reader of one tree shares */
struct tree {
	const struct mlvm_vg *vg;
	struct mlvm_report *r;
	uint64_t eb;			/* extent bytes */
	struct mlvm_lv_reader **by_lv;
	uint8_t *state;
	int *err;
	const char **pv_lv;		/* per missing PV: an LV with an area on it */
	struct pv_word *pv_words;	/* per PV and mode: how its bytes are read */
	struct mlvm_gf256 gf;		/* raid6 */
	char image[8];			/* reports here name no image */
};

/* the families */
extern const struct seg_ops lvmap_seg_broken, lvmap_seg_error, lvmap_seg_zero;
extern const struct seg_ops lvmap_seg_striped, lvmap_seg_mirror, lvmap_seg_raid10, lvmap_seg_raid456;
extern const struct seg_ops lvmap_seg_thin, lvmap_seg_thin_pool, lvmap_seg_snapshot, lvmap_seg_cache;
extern const struct seg_ops lvmap_seg_integrity;
/* the raid4/5/6 layouts (seg_type.algo) */
enum raid_algo {
	A_LA, A_RA, A_LS, A_RS, A_P0, A_PN,		/* raid4/5 */
	A_ZR, A_NR, A_NC, A_N6, A_LA6, A_RA6, A_LS6, A_RS6,	/* raid6 */
};

/* ---- the reader's services to the families (lvmap.c) */

/*
 * Read len bytes at off of area a into buf: past the area, past its image
 * or on a bad area the bytes are zeros and recorded missing.
 */
int lvmap_area_read(const struct area *a, uint8_t *buf, uint64_t len, uint64_t off,
		    struct lvmap_miss *m, uint64_t bpos);
/* read len at offs[0] of alts[0], retrying what is missing on alts[1..nalt) */
int lvmap_read_alts(struct area **alts, const uint64_t *offs, unsigned nalt, uint8_t *buf,
		    uint64_t len, struct lvmap_miss *m, uint64_t bpos);
/*
 * A read of the run of [x, x + len) that starts at x: fills buf with the
 * first *n (1..len) bytes, recording what is missing in m at bpos.
 */
typedef int (*seg_run_fn)(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			  struct lvmap_miss *m, uint64_t bpos, uint64_t *n);
/* read [x, x + len) run after run with run() */
int lvmap_seg_read_runs(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			struct lvmap_miss *m, uint64_t bpos, seg_run_fn run);
/* read by following g->ops->map run by run */
int lvmap_seg_read_mapped(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			  struct lvmap_miss *m, uint64_t bpos);
/* map to area 0 at the same offset, the whole range (an LV read through one sub-LV) */
void lvmap_map_first_area(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc);
/* an is_hole hook for a segment read through area 0 (a sub-LV) at the same offset */
bool lvmap_first_area_is_hole(const struct seg *g, uint64_t x, uint64_t len, int depth);
/* a degrades hook: only when every area is degraded (one intact copy reads it all) */
bool lvmap_all_areas_bad(const struct seg *g, unsigned bad);
/* zeros recorded missing */
void lvmap_fill_missing(uint8_t *buf, uint64_t len, struct lvmap_miss *m, uint64_t bpos);
/* mlvm_lv_is_hole below depth */
bool lvmap_rd_is_hole(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth);

/*
 * Split off the run of [x, x + len) that lies in one chunk of `chunk` bytes:
 * *c the chunk's index, *w the offset in it; returns the run (1..len).
 */
static inline uint64_t lvmap_chunk_run(uint64_t chunk, uint64_t x, uint64_t len, uint64_t *c,
				       uint64_t *w)
{
	uint64_t n;

	*c = x / chunk;
	*w = x % chunk;
	n = chunk - *w;
	return n < len ? n : len;
}

/* the reader of LV idx in tree t (built when first asked; cycles: -ELOOP) */
int lvmap_get_reader(struct tree *t, int idx, int depth, struct mlvm_lv_reader **out,
		     const char *from);
/*
 * A sub-LV named by segment key `key` (thin_pool, origin, metadata...) as
 * area a; required: warn and return -ENOENT when s has no such key.
 */
int lvmap_named_area(struct tree *t, struct area *a, const struct mlvm_segment *s,
		     const char *key, int depth, const char *lvname, bool required);
/* an mlvm_read_fn over a reader (for thin.c and cow.c): -EIO when bytes are missing */
int lvmap_read_fn(void *ctx, void *buf, size_t len, uint64_t off);
/* the non-negative integer key of s, else dflt */
uint64_t lvmap_seg_u64(const struct mlvm_segment *s, const char *key, uint64_t dflt);

/*
 * The areas of a striped, mirror or raid segment: how the images are laid
 * out in s's areas and what is known before they are built.
 */
struct seg_shape {
	unsigned nimg;			/* images */
	unsigned first, step;		/* image i is s->areas[first + i * step] */
	uint64_t extra;			/* raid data_offset, bytes */
};

/*
 * Work out s's shape and g->chunk (stripe_size in bytes, 0 when unusable),
 * warning about what is ignored. data_offset is honoured when raid_offset
 * and ty is a raid type. false (g stays broken, a warning given) when the
 * segment has no images or its data_offset is out of range.
 */
bool lvmap_seg_shape(struct tree *t, const struct mlvm_lv_reader *rd,
		     const struct mlvm_segment *s, struct seg *g, const struct seg_type *ty,
		     bool raid_offset, struct seg_shape *sh);
/* true when g->chunk is usable; else warn (the segment stays broken) */
bool lvmap_seg_chunk_ok(struct tree *t, const struct mlvm_lv_reader *rd,
			const struct mlvm_segment *s, const struct seg *g);
/* allocate g's areas and scratch and build each, per bytes expected of each */
int lvmap_seg_areas(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		    struct seg *g, const struct seg_shape *sh, uint64_t per, int depth);

#endif
