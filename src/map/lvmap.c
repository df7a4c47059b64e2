/*
 * lvmap.c - reading a logical volume's bytes through its segments: the
 * reader (build, read, holes, locate, missing ranges, the words about
 * missing PVs). Everything that depends on a segment's type is in its
 * family's file, reached through the ops table (seg.h).
 *
 * A reader is a tree: the LV asked for, and one shared reader per sub-LV it
 * reaches (raid images, mirror legs, thin pool metadata and data, snapshot
 * origin and COW store, cache origins). Each LV of the VG gets at most one
 * reader per tree, built depth first; meeting an LV still being built is a
 * cycle (-ELOOP), and nesting is bounded by LVMAP_MAX_DEPTH.
 *
 * Reads go straight into the caller's buffer: a request is cut into the
 * longest runs that map to one contiguous range of one image (a whole
 * linear segment, one stripe chunk) and each run is one pread. Only
 * degraded raid (rebuilding from parity) uses scratch buffers.
 *
 * What cannot be read is zero-filled and recorded in a "miss" list in the
 * coordinates of the buffer being filled; the top-level read turns it into
 * the reader's sorted, merged and bounded list of missing LV ranges
 * (ranges.c). Mirrors, raid1 and raid10 retry a missing range on the next
 * copy; raid4/5/6 rebuild a missing data chunk from P (XOR) or, for raid6,
 * from P and Q (GF(2^8), gf256.c).
 */
#include "map/lvmap.h"
#include "map/seg.h"
#include "base/units.h"
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_NONE, ST_BUILDING, ST_DONE, ST_FAILED };

/*
 * How the bytes a missing PV held are read, worked out from the layout once
 * the tree is built: rebuilt from parity (raid4/5/6 with no more images
 * missing than it has parity), read from another copy (mirror, raid1 and
 * raid10 with an intact copy of every chunk), not needed (a raid image
 * holding only parity), partly (other images are themselves partly
 * missing: rebuilt or read where they are readable, zeros elsewhere) or
 * zeros.
 */
enum { W_ZEROS, W_PARITY, W_LEG, W_PARITY_ONLY, W_SOME_PARITY, W_SOME_LEG, W_MODES };

struct pv_word {
	bool set;
	const struct seg *g;		/* the segment that recovers them */
	const char *by;			/* its LV */
	unsigned img;			/* the image of g the PV's bytes are in */
	const char *owner;		/* the LV with the area on the missing PV */
};

static int rd_read(struct mlvm_lv_reader *rd, uint8_t *buf, uint64_t len, uint64_t off,
		   struct lvmap_miss *m, uint64_t bpos);

/* ------------------------------------------------------------ areas */

/* the missing parts a source (an LV's bytes) reports, in buffer coordinates */
struct src_miss {
	struct lvmap_miss *m;
	uint64_t pos;		/* source offset of the buffer's bpos */
	uint64_t bpos;
};

static void src_miss_add(void *ctx, uint64_t start, uint64_t len)
{
	struct src_miss *sm = ctx;

	lvmap_miss_add(sm->m, sm->bpos + (start - sm->pos), len);
}

int lvmap_area_read(const struct area *a, uint8_t *buf, uint64_t len, uint64_t off,
		     struct lvmap_miss *m, uint64_t bpos)
{
	uint64_t n = 0;

	if (!len)
		return 0;
	if (!a->bad && off < a->len)
		n = a->len - off < len ? a->len - off : len;
	if (n < len) {
		memset(buf + n, 0, len - n);
		lvmap_miss_add(m, bpos + n, len - n);
	}
	if (!n)
		return 0;
	if (a->src) {
		uint64_t pos = a->base + off, k = 0;
		int rc;

		if (pos < a->src->size)
			k = a->src->size - pos < n ? a->src->size - pos : n;
		if (k < n) {
			memset(buf + k, 0, n - k);
			lvmap_miss_add(m, bpos + k, n - k);
		}
		if (!k)
			return 0;
		rc = mlvm_source_read(a->src, buf, k, pos);
		if (!rc && a->src->ops->missing) {
			/* an LV's bytes (nested): what its host could not give */
			struct src_miss sm = { .m = m, .pos = pos, .bpos = bpos };

			mlvm_source_missing(a->src, pos, k, src_miss_add, &sm);
		}
		return rc == -ERANGE ? -EIO : rc;
	}
	return rd_read(a->lv, buf, n, a->base + off, m, bpos);
}

/* read len at off of alts[0], retrying what is missing on alts[1..] */
int lvmap_read_alts(struct area **alts, const uint64_t *offs, unsigned nalt, uint8_t *buf,
		     uint64_t len, struct lvmap_miss *m, uint64_t bpos)
{
	struct lvmap_miss todo, next, probe;
	unsigned k;
	size_t i;
	int rc;

	lvmap_miss_init(&todo);
	rc = lvmap_area_read(alts[0], buf, len, offs[0], &todo, 0);
	for (k = 1; !rc && k < nalt && todo.n; k++) {
		lvmap_miss_init(&next);
		for (i = 0; !rc && i < todo.n; i++) {
			uint64_t s = todo.v[i].start, l = todo.v[i].len;

			lvmap_miss_init(&probe);
			rc = lvmap_area_read(alts[k], buf + s, l, offs[k] + s, &probe, 0);
			lvmap_miss_move(&next, &probe, s);
		}
		lvmap_miss_free(&todo);
		todo = next;
		if (todo.v == next.in)
			todo.v = todo.in;
	}
	lvmap_miss_move(m, &todo, bpos);
	return rc;
}

void lvmap_fill_missing(uint8_t *buf, uint64_t len, struct lvmap_miss *m, uint64_t bpos)
{
	memset(buf, 0, len);
	lvmap_miss_add(m, bpos, len);
}

/* ------------------------------------------------------------ segments */

int lvmap_seg_read_runs(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			struct lvmap_miss *m, uint64_t bpos, seg_run_fn run)
{
	while (len) {
		uint64_t n = len;
		int rc = run(g, buf, len, x, m, bpos, &n);

		if (rc)
			return rc;
		buf += n;
		bpos += n;
		x += n;
		len -= n;
	}
	return 0;
}

/* the run g->ops->map gives: area bytes, zeros or missing */
static int mapped_run(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		      struct lvmap_miss *m, uint64_t bpos, uint64_t *n)
{
	struct seg_loc loc;

	g->ops->map(g, x, len, &loc);
	*n = loc.run;
	switch (loc.kind) {
	case LOC_AREA:
		return lvmap_area_read(loc.a, buf, loc.run, loc.off, m, bpos);
	case LOC_ZERO:
		memset(buf, 0, loc.run);
		break;
	case LOC_MISSING:
		lvmap_fill_missing(buf, loc.run, m, bpos);
		break;
	}
	return 0;
}

int lvmap_seg_read_mapped(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			  struct lvmap_miss *m, uint64_t bpos)
{
	return lvmap_seg_read_runs(g, buf, len, x, m, bpos, mapped_run);
}

static int seg_read(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		    struct lvmap_miss *m, uint64_t bpos)
{
	if (g->ops->read)
		return g->ops->read(g, buf, len, x, m, bpos);
	return lvmap_seg_read_mapped(g, buf, len, x, m, bpos);
}

/* the segment holding byte off, or the first one after it (n_segs: none) */
static uint32_t seg_find(const struct mlvm_lv_reader *rd, uint64_t off)
{
	uint32_t lo = 0, hi = rd->n_segs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct seg *g = &rd->segs[mid];

		if (off >= g->start + g->len)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int rd_read(struct mlvm_lv_reader *rd, uint8_t *buf, uint64_t len, uint64_t off,
		   struct lvmap_miss *m, uint64_t bpos)
{
	uint32_t i = seg_find(rd, off);

	while (len) {
		struct seg *g = i < rd->n_segs ? &rd->segs[i] : NULL;
		uint64_t n;
		int rc;

		if (!g || off < g->start) {
			/* a gap between segments, or past the last one */
			n = g && g->start - off < len ? g->start - off : len;
			memset(buf, 0, n);
			lvmap_miss_add(m, bpos, n);
		} else {
			n = g->start + g->len - off;
			if (n > len)
				n = len;
			rc = seg_read(g, buf, n, off - g->start, m, bpos);
			if (rc)
				return rc;
			i++;
		}
		buf += n;
		bpos += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------ building */

/* remember the missing PV; the words come once the tree is built (words()) */
static void pv_missing_seen(struct tree *t, uint32_t pi, const char *lvname)
{
	if (!t->pv_lv[pi])
		t->pv_lv[pi] = lvname ? lvname : "?";
}

/* an area on a PV or sub-LV; extra bytes (raid data_offset) are skipped */
static int area_build(struct tree *t, struct area *a, const struct mlvm_area *ma, uint64_t need,
		      uint64_t extra, int depth, const char *lvname)
{
	const struct mlvm_vg *vg = t->vg;
	uint64_t off;

	memset(a, 0, sizeof(*a));
	a->bad = true;
	a->degraded = true;
	a->name = ma->name;
	if (ma->ref < 0) {
		mlvm_warn(t->r, "lv_area_unknown", NULL, -1,
			  "lv %s: area \"%s\" names neither a pv nor an lv: it reads as zeros",
			  lvname, ma->name ? ma->name : "");
		return 0;
	}
	if (ma->kind == MLVM_AREA_PV) {
		const struct mlvm_pv *pv;

		if ((uint32_t)ma->ref >= vg->n_pvs)
			return 0;
		pv = &vg->pvs[ma->ref];
		if (pv->missing || !pv->src) {
			pv_missing_seen(t, (uint32_t)ma->ref, lvname);
			a->pv1 = (uint32_t)ma->ref + 1;
			return 0;
		}
		if (!mlvm_mul_ok(pv->pe_start, MLVM_SECTOR_SIZE, &off) || !mlvm_add_ok(off, pv->offset, &off) ||
		    !mlvm_mul_ok(ma->start, t->eb, &a->base) || !mlvm_add_ok(a->base, off, &a->base) ||
		    !mlvm_add_ok(a->base, extra, &a->base)) {
			mlvm_warn(t->r, "lv_area_range", pv->src->name, -1,
				  "lv %s: area on %s at extent %llu lies beyond any image",
				  lvname, pv->name, (unsigned long long)ma->start);
			return 0;
		}
		a->src = pv->src;
		a->len = UINT64_MAX - a->base;
		a->bad = false;
		a->degraded = a->base > pv->src->size || need > pv->src->size - a->base;
		if (a->degraded)
			mlvm_warn(t->r, "lv_area_range", pv->src->name, (int64_t)(a->base > INT64_MAX ? -1 : (int64_t)a->base),
				  "lv %s: area on %s runs past the end of its image: the rest reads as zeros",
				  lvname, pv->name);
		return 0;
	} else {
		struct mlvm_lv_reader *sub;
		int rc;

		if ((uint32_t)ma->ref >= vg->n_lvs)
			return 0;
		rc = lvmap_get_reader(t, ma->ref, depth + 1, &sub, lvname);
		if (rc)
			return rc;
		if (!mlvm_mul_ok(ma->start, t->eb, &off) || !mlvm_add_ok(off, extra, &off) ||
		    off > sub->size) {
			mlvm_warn(t->r, "lv_area_range", NULL, -1,
				  "lv %s: area on lv %s starts past its end", lvname, sub->lv->name);
			return 0;
		}
		a->lv = sub;
		a->base = off;
		a->len = sub->size - off;
		a->bad = false;
		a->degraded = sub->degraded || a->len < need;
		return 0;
	}
}

/* a sub-LV named by a segment key (thin_pool, origin, metadata, ...) as an area */
int lvmap_named_area(struct tree *t, struct area *a, const struct mlvm_segment *s,
		     const char *key, int depth, const char *lvname, bool required)
{
	const char *name;
	struct mlvm_area ma;

	memset(a, 0, sizeof(*a));
	a->bad = a->degraded = true;
	if (cfg_get_str(s->node, key, &name)) {
		if (required)
			mlvm_warn(t->r, "lv_segment_key", NULL, -1,
				  "lv %s: %s segment has no %s", lvname, s->type, key);
		return required ? -ENOENT : 0;
	}
	memset(&ma, 0, sizeof(ma));
	ma.name = name;
	ma.kind = MLVM_AREA_LV;
	ma.ref = mlvm_vg_lv_index(t->vg, name);
	return area_build(t, a, &ma, 0, 0, depth, lvname);
}

int lvmap_read_fn(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mlvm_lv_reader *rd = ctx;
	struct lvmap_miss m;
	int rc;

	if (!mlvm_range_ok(rd->size, off, len))
		return -ERANGE;
	lvmap_miss_init(&m);
	rc = rd_read(rd, buf, len, off, &m, 0);
	if (!rc && m.n)
		rc = -EIO;
	lvmap_miss_free(&m);
	return rc;
}

bool lvmap_all_areas_bad(const struct seg *g, unsigned bad)
{
	return bad && bad == g->n;
}

bool lvmap_first_area_is_hole(const struct seg *g, uint64_t x, uint64_t len, int depth)
{
	return g->a[0].lv && !g->a[0].bad && depth < LVMAP_MAX_DEPTH &&
	       lvmap_rd_is_hole(g->a[0].lv, g->a[0].base + x, len, depth + 1);
}

void lvmap_map_first_area(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	loc->kind = LOC_AREA;
	loc->a = &g->a[0];
	loc->off = x;
	loc->run = len;
}

/* the segment types and their families (names without any "+FLAGS") */
static const struct seg_type types[] = {
	{ "striped", &lvmap_seg_striped, 0, 0 },
	{ "linear", &lvmap_seg_striped, 0, 0 },
	{ "raid0", &lvmap_seg_striped, 0, 0 },
	{ "raid0_meta", &lvmap_seg_striped, 0, 0 },
	{ "mirror", &lvmap_seg_mirror, 0, 0 },
	{ "raid1", &lvmap_seg_mirror, 0, 0 },
	{ "raid10", &lvmap_seg_raid10, 0, 0 },
	{ "raid10_near", &lvmap_seg_raid10, 0, 0 },
	{ "raid4", &lvmap_seg_raid456, A_P0, 1 },
	{ "raid5_0", &lvmap_seg_raid456, A_P0, 1 },
	{ "raid5_n", &lvmap_seg_raid456, A_PN, 1 },
	{ "raid5_la", &lvmap_seg_raid456, A_LA, 1 },
	{ "raid5_ra", &lvmap_seg_raid456, A_RA, 1 },
	{ "raid5_ls", &lvmap_seg_raid456, A_LS, 1 },
	{ "raid5", &lvmap_seg_raid456, A_LS, 1 },
	{ "raid5_rs", &lvmap_seg_raid456, A_RS, 1 },
	{ "raid6_zr", &lvmap_seg_raid456, A_ZR, 2 },
	{ "raid6", &lvmap_seg_raid456, A_ZR, 2 },
	{ "raid6_nr", &lvmap_seg_raid456, A_NR, 2 },
	{ "raid6_nc", &lvmap_seg_raid456, A_NC, 2 },
	{ "raid6_n_6", &lvmap_seg_raid456, A_N6, 2 },
	{ "raid6_la_6", &lvmap_seg_raid456, A_LA6, 2 },
	{ "raid6_ra_6", &lvmap_seg_raid456, A_RA6, 2 },
	{ "raid6_ls_6", &lvmap_seg_raid456, A_LS6, 2 },
	{ "raid6_rs_6", &lvmap_seg_raid456, A_RS6, 2 },
	{ "thin", &lvmap_seg_thin, 0, 0 },
	{ "thin-pool", &lvmap_seg_thin_pool, 0, 0 },
	{ "snapshot", &lvmap_seg_snapshot, 0, 0 },
	{ "cache", &lvmap_seg_cache, 0, 0 },
	{ "writecache", &lvmap_seg_cache, 0, 0 },
	{ "cache-pool", &lvmap_seg_cache, 0, 0 },
	{ "integrity", &lvmap_seg_integrity, 0, 0 },
	{ "error", &lvmap_seg_error, 0, 0 },
	{ "zero", &lvmap_seg_zero, 0, 0 },
	{ NULL, NULL, 0, 0 },
};


/* reshape state LVM may leave in a raid segment: reported, not applied */
static const char *const unsupported_keys[] = {
	"reshape_count", "delta_disks", "data_copies_far", "data_copies_offset", NULL
};

static bool is_raid(const char *t)
{
	return !strncmp(t, "raid", 4);
}

/* image areas of a raid segment: raid0_lvs all, raids = [rmeta, rimage, ...] odd ones */
static bool raids_paired(const struct mlvm_segment *s)
{
	const char *key = mlvm_seg_areas_key(s);
	uint32_t i;

	if (!key || strcmp(key, "raids") || s->n_areas % 2)
		return false;
	for (i = 0; i < s->n_areas; i += 2)
		if (!s->areas[i].name || !strstr(s->areas[i].name, "rmeta"))
			return false;
	return true;
}

uint64_t lvmap_seg_u64(const struct mlvm_segment *s, const char *key, uint64_t dflt)
{
	int64_t v;

	return cfg_get_int(s->node, key, &v) == 0 && v >= 0 ? (uint64_t)v : dflt;
}

bool lvmap_seg_shape(struct tree *t, const struct mlvm_lv_reader *rd,
		     const struct mlvm_segment *s, struct seg *g, const struct seg_type *ty,
		     bool raid_offset, struct seg_shape *sh)
{
	const char *lvname = rd->lv->name;
	unsigned i;

	sh->first = 0;
	sh->step = 1;
	sh->extra = 0;
	if (is_raid(ty->name) && raids_paired(s)) {
		sh->first = 1;
		sh->step = 2;
	}
	sh->nimg = (s->n_areas - sh->first + sh->step - 1) / sh->step;
	if (!sh->nimg) {
		mlvm_warn(t->r, "lv_segment_areas", NULL, -1,
			  "lv %s: %s segment without areas: it reads as zeros", lvname, s->type);
		return false;
	}
	if (raid_offset && is_raid(ty->name) && cfg_find(s->node, "data_offset")) {
		sh->extra = lvmap_seg_u64(s, "data_offset", 0);
		if (!mlvm_mul_ok(sh->extra, MLVM_SECTOR_SIZE, &sh->extra)) {
			mlvm_warn(t->r, "lv_data_offset", NULL, -1, "lv %s: data_offset out of range", lvname);
			return false;
		}
	}
	for (i = 0; unsupported_keys[i]; i++) {
		if (cfg_find(s->node, unsupported_keys[i]))
			mlvm_warn(t->r, "lv_reshape", NULL, -1,
				  "lv %s: segment key %s is not supported and ignored", lvname,
				  unsupported_keys[i]);
	}
	g->chunk = mlvm_seg_stripe_size(s);
	if (!mlvm_mul_ok(g->chunk, MLVM_SECTOR_SIZE, &g->chunk))
		g->chunk = 0;
	return true;
}

bool lvmap_seg_chunk_ok(struct tree *t, const struct mlvm_lv_reader *rd,
			const struct mlvm_segment *s, const struct seg *g)
{
	if (!g->chunk)
		mlvm_warn(t->r, "lv_stripe_size", NULL, -1,
			  "lv %s: %s segment without a usable stripe_size: it reads as zeros",
			  rd->lv->name, s->type);
	return g->chunk != 0;
}

int lvmap_seg_areas(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		    struct seg *g, const struct seg_shape *sh, uint64_t per, int depth)
{
	unsigned i;
	int rc;

	g->a = calloc(sh->nimg, sizeof(*g->a));
	g->alt_a = calloc(sh->nimg, sizeof(*g->alt_a));
	g->alt_o = calloc(sh->nimg, sizeof(*g->alt_o));
	if (!g->a || !g->alt_a || !g->alt_o)
		return -ENOMEM;
	g->n = sh->nimg;
	for (i = 0; i < sh->nimg; i++) {
		rc = area_build(t, &g->a[i], &s->areas[sh->first + (size_t)i * sh->step], per, sh->extra,
				depth, rd->lv->name);
		if (rc)
			return rc;
	}
	return 0;
}

/* set up g from s through its family (g->start and g->len are set) */
static int seg_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		     struct seg *g, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	const struct seg_type *ty;
	char base[64];
	const char *plus;
	size_t bl;

	g->t = t;
	g->rd = rd;
	g->leg = -1;
	g->ops = &lvmap_seg_broken;
	if (!s->type) {
		mlvm_warn(t->r, "lv_segment_type", NULL, -1, "lv %s: a segment has no type: it reads as zeros", lvname);
		return 0;
	}
	plus = strchr(s->type, '+');
	bl = plus ? (size_t)(plus - s->type) : strlen(s->type);
	if (bl >= sizeof(base))
		bl = sizeof(base) - 1;
	memcpy(base, s->type, bl);
	base[bl] = 0;
	for (ty = types; ty->name && strcmp(ty->name, base); ty++)
		;
	if (!ty->name && (!strcmp(base, "vdo") || !strcmp(base, "vdo-pool"))) {
		mlvm_error(t->r, "lv_vdo", NULL, -1,
			   "lv %s: segment type %s is VDO, which cannot be read: VDO stores "
			   "blocks deduplicated and compressed, found through its block map and "
			   "slab depot, which mlvm does not map", lvname, s->type);
		return -ENOTSUP;
	}
	if (!ty->name) {
		mlvm_error(t->r, "lv_segment_type", NULL, -1,
			   "lv %s: segment type %s cannot be mapped", lvname, s->type);
		return -ENOTSUP;
	}
	if (plus && strstr(plus, "RESHAPE"))
		mlvm_warn(t->r, "lv_reshape", NULL, -1,
			  "lv %s: segment type %s: a reshape was in progress; only data_offset is honoured, "
			  "data may be read in the old or new layout", lvname, s->type);
	g->algo = ty->algo;
	g->parity = ty->parity;
	return ty->ops->build(t, rd, s, g, ty, depth, leg);
}

static void reader_free_one(struct mlvm_lv_reader *rd)
{
	uint32_t i;

	if (!rd)
		return;
	for (i = 0; i < rd->n_segs; i++) {
		struct seg *g = &rd->segs[i];

		if (g->ops->free)
			g->ops->free(g);
		free(g->a);
		free(g->alt_a);
		free(g->alt_o);
	}
	free(rd->segs);
	lvmap_ranges_free(&rd->missing);
	lvmap_ranges_free(&rd->reused);
	free(rd);
}

static int reader_build(struct tree *t, const struct mlvm_lv *lv, int depth, int leg,
			struct mlvm_lv_reader **out)
{
	struct mlvm_lv_reader *rd = calloc(1, sizeof(*rd));
	uint64_t prev_end = 0, full;
	uint32_t i;
	int rc = 0;

	if (!rd)
		return -ENOMEM;
	rd->t = t;
	rd->lv = lv;
	rd->size = mlvm_lv_size(t->vg, lv);
	/* segments span all the extents; a raid LV's reshape space is cut off the end */
	if (!mlvm_mul_ok(lv->extent_count, t->eb, &full))
		full = UINT64_MAX;
	rd->segs = calloc(lv->n_segs ? lv->n_segs : 1, sizeof(*rd->segs));
	if (!rd->segs) {
		free(rd);
		return -ENOMEM;
	}
	if (!t->eb && lv->extent_count)
		mlvm_warn(t->r, "lv_extent_size", NULL, -1, "lv %s: the vg has no extent size", lv->name);
	for (i = 0; i < lv->n_segs && !rc; i++) {
		const struct mlvm_segment *s = &lv->segs[i];
		struct seg *g = &rd->segs[rd->n_segs];
		uint64_t start, len;

		if (!mlvm_mul_ok(s->start_extent, t->eb, &start) || !mlvm_mul_ok(s->extent_count, t->eb, &len) ||
		    !mlvm_add_ok(start, len, &len) || start < prev_end || len > full) {
			mlvm_warn(t->r, "lv_segment_range", NULL, -1,
				  "lv %s: %s extents %llu+%llu overlap or lie outside the lv: skipped",
				  lv->name, s->node && cfg_key(s->node) ? cfg_key(s->node) : "segment",
				  (unsigned long long)s->start_extent, (unsigned long long)s->extent_count);
			continue;
		}
		if (len > rd->size)
			len = rd->size > start ? rd->size : start;
		g->start = start;
		g->len = len - start;
		if (!g->len)
			continue;
		prev_end = len;
		rd->n_segs++;
		rc = seg_build(t, rd, s, g, depth, leg);
	}
	for (i = 0; i < rd->n_segs; i++) {
		struct seg *g = &rd->segs[i];
		unsigned k, bad = 0;

		for (k = 0; k < g->n; k++)
			bad += g->a[k].degraded;
		if (g->ops->degrades ? g->ops->degrades(g, bad) : bad > 0)
			rd->degraded = true;
	}
	if (rc) {
		reader_free_one(rd);
		return rc;
	}
	*out = rd;
	return 0;
}

int lvmap_get_reader(struct tree *t, int idx, int depth, struct mlvm_lv_reader **out,
		     const char *from)
{
	const struct mlvm_lv *lv;
	int rc;

	if (idx < 0 || (uint32_t)idx >= t->vg->n_lvs)
		return -ENOENT;
	lv = &t->vg->lvs[idx];
	switch (t->state[idx]) {
	case ST_DONE:
		*out = t->by_lv[idx];
		return 0;
	case ST_FAILED:
		return t->err[idx];
	case ST_BUILDING:
		mlvm_error(t->r, "lv_loop", NULL, -1,
			   "lv %s: refers back to lv %s: the lvs form a cycle", from, lv->name);
		return -ELOOP;
	default:
		break;
	}
	if (depth > LVMAP_MAX_DEPTH) {
		mlvm_error(t->r, "lv_loop", NULL, -1,
			   "lv %s: lvs nest more than %d deep", from, LVMAP_MAX_DEPTH);
		return -ELOOP;
	}
	t->state[idx] = ST_BUILDING;
	rc = reader_build(t, lv, depth, -1, &t->by_lv[idx]);
	if (rc) {
		t->state[idx] = ST_FAILED;
		t->err[idx] = rc;
		t->by_lv[idx] = NULL;
		return rc;
	}
	t->state[idx] = ST_DONE;
	*out = t->by_lv[idx];
	return 0;
}

static void tree_free(struct tree *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->vg->n_lvs; i++)
		reader_free_one(t->by_lv[i]);
	free(t->by_lv);
	free(t->state);
	free(t->err);
	free(t->pv_lv);
	free(t->pv_words);
	free(t);
}

/* the hidden "snapshot" LV whose cow_store is lv, or NULL */
static const struct mlvm_lv *snapshot_of_cow(const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	uint32_t i;

	/* a VG without snapshots (counted when it was built): no LV to look
	 * at; 100,000 LVs looked at for each reader made the browser's
	 * content column cost 1 ms a row */
	if (vg->snapshots_counted && !vg->n_snapshot_lvs)
		return NULL;
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *o = &vg->lvs[i];
		const char *cow;

		if (o == lv || !mlvm_lv_is_snapshot(o))
			continue;
		if (!cfg_get_str(o->segs[0].node, "cow_store", &cow) && lv->name && !strcmp(cow, lv->name))
			return o;
	}
	return NULL;
}


/* true when nothing of area a can be read (a linear sub-LV on missing PVs included) */
static bool area_wholly_missing(const struct area *a)
{
	uint32_t i;

	if (a->bad)
		return true;
	if (!a->lv)
		return false;
	for (i = 0; i < a->lv->n_segs; i++) {
		const struct seg *g = &a->lv->segs[i];

		if (!g->ops->gone || !g->ops->gone(g))
			return false;
	}
	return true;
}

/*
 * 2 when every byte of the segment can be read although some areas are
 * degraded, 1 when some of the degraded areas' bytes can (the others being
 * partly readable), 0 when none
 */
static int seg_recovers(const struct seg *g)
{
	unsigned k, bad = 0, gone = 0;

	for (k = 0; k < g->n; k++) {
		bad += g->a[k].degraded;
		gone += area_wholly_missing(&g->a[k]);
	}
	if (!bad || !g->ops->recovers)
		return 0;
	return g->ops->recovers(g, bad, gone);
}

static void words_walk(struct tree *t, struct mlvm_lv_reader *rd, const struct pv_word *via,
		       int mode, int depth, uint8_t *visited);

static void words_area(struct tree *t, const struct area *a, const char *owner,
		       const struct pv_word *via, int mode, int depth, uint8_t *visited)
{
	if (a->pv1 && a->pv1 <= t->vg->n_pvs) {
		struct pv_word *w = &t->pv_words[(size_t)(a->pv1 - 1) * W_MODES + (unsigned)mode];

		if (!w->set) {
			*w = *via;
			w->set = true;
			w->owner = owner;
		}
	}
	if (a->lv)
		words_walk(t, a->lv, via, mode, depth + 1, visited);
}

/* walk the tree from rd, noting how each missing PV's bytes are read */
static void words_walk(struct tree *t, struct mlvm_lv_reader *rd, const struct pv_word *via,
		       int mode, int depth, uint8_t *visited)
{
	size_t idx = (size_t)(rd->lv - t->vg->lvs);
	uint32_t i;
	unsigned k;

	if (depth > LVMAP_MAX_DEPTH || idx >= t->vg->n_lvs || (visited[idx] & (1u << mode)))
		return;
	visited[idx] |= (uint8_t)(1u << mode);	/* at most W_MODES visits per LV */
	for (i = 0; i < rd->n_segs; i++) {
		const struct seg *g = &rd->segs[i];
		int rec = seg_recovers(g);

		for (k = 0; k < g->n; k++) {
			struct pv_word cv = *via;
			int cm = mode;

			if (rec && g->a[k].degraded) {
				cv.g = g;
				cv.by = rd->lv->name;
				cv.img = k;
				if (g->ops->parity_only)
					cm = g->ops->parity_only(g, k) ? W_PARITY_ONLY : rec == 2 ? W_PARITY : W_SOME_PARITY;
				else
					cm = rec == 2 ? W_LEG : W_SOME_LEG;
			}
			words_area(t, &g->a[k], rd->lv->name, &cv, cm, depth, visited);
		}
		if (g->ops->via && g->ops->via(g))
			words_walk(t, g->ops->via(g), via, mode, depth + 1, visited);
		if (g->ext.lv)
			words_area(t, &g->ext, rd->lv->name, via, mode, depth, visited);
	}
}

/* "a, b, c" of g's areas other than img that are intact (all: degraded ones too; bounded) */
static void intact_names(const struct seg *g, unsigned img, bool all, char *buf, size_t len)
{
	unsigned k, n = 0, more = 0;
	size_t at = 0;

	buf[0] = 0;
	for (k = 0; k < g->n; k++) {
		if (k == img || (g->a[k].degraded && !all) || area_wholly_missing(&g->a[k]))
			continue;
		if (n == 4) {
			more++;
			continue;
		}
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s", n ? ", " : "",
				       g->a[k].name ? g->a[k].name : "?");
		if (at >= len)
			at = len - 1;
		n++;
	}
	if (more)
		snprintf(buf + at, len - at, " and %u more", more);
}

/* the words for every missing PV the tree reaches: one entry per PV and way */
static int words(struct tree *t, struct mlvm_lv_reader *top)
{
	const struct mlvm_vg *vg = t->vg;
	struct pv_word none = { 0 };
	uint8_t *visited = calloc(vg->n_lvs ? vg->n_lvs : 1, 1);
	uint32_t pi;
	char names[300];

	if (!visited)
		return -ENOMEM;
	none.by = top->lv->name;
	words_walk(t, top, &none, W_ZEROS, 0, visited);
	free(visited);
	for (pi = 0; pi < vg->n_pvs; pi++) {
		const struct mlvm_pv *pv = &vg->pvs[pi];
		const struct pv_word *w = &t->pv_words[(size_t)pi * W_MODES];
		const char *uuid = pv->id ? pv->id : "?";
		bool any = false;
		int md;

		if (!t->pv_lv[pi])
			continue;
		for (md = 0; md < W_MODES; md++) {
			const struct pv_word *x = &w[md];
			const char *img;

			if (!x->set)
				continue;
			any = true;
			img = x->g && x->img < x->g->n && x->g->a[x->img].name ? x->g->a[x->img].name : "?";
			if (md != W_ZEROS)
				intact_names(x->g, x->img, md == W_SOME_PARITY || md == W_SOME_LEG,
					     names, sizeof(names));
			switch (md) {
			case W_ZEROS:
				mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: its extents read as zeros",
					  x->owner, pv->name, uuid);
				break;
			case W_PARITY:
				mlvm_warn(t->r, "rebuilt_from_parity", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its image %s on it are "
					  "rebuilt from parity and the other images (%s)",
					  x->by, pv->name, uuid, img, names);
				break;
			case W_PARITY_ONLY:
				mlvm_warn(t->r, "parity_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: its image %s on it holds only parity, "
					  "not needed to read the data (from %s)",
					  x->by, pv->name, uuid, img, names);
				break;
			case W_LEG:
				mlvm_warn(t->r, "read_from_other_leg", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its leg %s on it are "
					  "read from the other leg%s (%s)",
					  x->by, pv->name, uuid, img, strchr(names, ',') || strstr(names, " more") ? "s" : "",
					  names);
				break;
			case W_SOME_PARITY:
				mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its image %s on it are rebuilt "
					  "from parity where the other images (%s) are readable, the rest reads as zeros",
					  x->by, pv->name, uuid, img, names);
				break;
			case W_SOME_LEG:
				mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its leg %s on it are read from "
					  "the other legs (%s) where they are readable, the rest reads as zeros",
					  x->by, pv->name, uuid, img, names);
				break;
			}
		}
		if (!any)	/* reached outside the segments (pool metadata): zeros */
			mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
				  "lv %s: pv %s (%s) is missing: its extents read as zeros",
				  t->pv_lv[pi], pv->name, uuid);
	}
	return 0;
}

/* the thin-pool segment of lv, or NULL */
static const struct mlvm_segment *thin_pool_seg(const struct mlvm_lv *lv)
{
	uint32_t i;

	for (i = 0; i < lv->n_segs; i++) {
		const char *ty = lv->segs[i].type;

		if (ty && !strncmp(ty, "thin-pool", 9) && (!ty[9] || ty[9] == '+'))
			return &lv->segs[i];
	}
	return NULL;
}

bool mlvm_lv_is_thin_pool(const struct mlvm_lv *lv)
{
	return lv && thin_pool_seg(lv) != NULL;
}

/*
 * A thin pool's own bytes are no volume's: refuse it, naming (a few of) its
 * thin LVs and the _tdata sub-LV that holds its raw data area.
 */
static int refuse_thin_pool(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			    const struct mlvm_segment *ps, struct mlvm_report *r)
{
	char thins[300];
	const char *tdata = NULL;
	size_t at = 0;
	unsigned n = 0, more = 0;
	uint32_t i, k;

	thins[0] = 0;
	if (cfg_get_str(ps->node, "pool", &tdata))
		tdata = NULL;
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *o = &vg->lvs[i];

		for (k = 0; k < o->n_segs; k++) {
			const char *pn;

			if (!o->segs[k].type || strcmp(o->segs[k].type, "thin") ||
			    cfg_get_str(o->segs[k].node, "thin_pool", &pn) || !lv->name || strcmp(pn, lv->name))
				continue;
			if (n == 4)
				more++;
			else {
				at += (size_t)snprintf(thins + at, at < sizeof(thins) ? sizeof(thins) - at : 0,
						       "%s%s", n ? ", " : "", o->name ? o->name : "?");
				if (at >= sizeof(thins))
					at = sizeof(thins) - 1;
				n++;
			}
			break;
		}
	}
	if (more)
		snprintf(thins + at, sizeof(thins) - at, " and %u more", more);
	mlvm_error(r, "thin_pool_lv", NULL, -1,
		   "lv %s is a thin pool: its bytes are those of its thin lvs (%s), read each of those; "
		   "%s holds the pool's raw data area and can be exported as it is",
		   lv->name ? lv->name : "?", n ? thins : "none", tdata ? tdata : "its _tdata sub-lv");
	return -EISDIR;
}

int mlvm_lv_reader_new(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       const struct mlvm_lv_reader_opts *opts,
		       struct mlvm_lv_reader **out, struct mlvm_report *r)
{
	struct tree *t;
	struct mlvm_lv_reader *rd = NULL;
	int idx, rc;
	uint32_t n;

	*out = NULL;
	if (!vg || !lv)
		return -EINVAL;
	if (lv < vg->lvs || lv >= vg->lvs + vg->n_lvs)
		return -EINVAL;
	if (!opts || !opts->cow_raw) {
		const struct mlvm_lv *snap = snapshot_of_cow(vg, lv);

		if (snap) {
			mlvm_notice(r, "lv_snapshot", NULL, -1,
				    "lv %s is the cow store of snapshot %s: read as the snapshot",
				    lv->name, snap->name);
			lv = snap;
		}
	}
	if (thin_pool_seg(lv))
		return refuse_thin_pool(vg, lv, thin_pool_seg(lv), r);
	{
		/* bytes on a PV that several images fit equally depend on a guess */
		const struct mlvm_pv *amb = mlvm_lv_ambiguous_pv(vg, lv);

		if (amb) {
			mlvm_error(r, "lv_pv_ambiguous", NULL, -1,
				   "lv %s lies on pv %s (%s), which several images fit equally: its bytes depend on which one it is; say which with --pv %s=IMAGE",
				   lv->name, amb->name, amb->id ? amb->id : "?", amb->name);
			return -EBUSY;
		}
	}
	idx = (int)(lv - vg->lvs);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->vg = vg;
	t->r = r;
	n = vg->n_lvs ? vg->n_lvs : 1;
	t->by_lv = calloc(n, sizeof(*t->by_lv));
	t->state = calloc(n, 1);
	t->err = calloc(n, sizeof(*t->err));
	t->pv_lv = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*t->pv_lv));
	t->pv_words = calloc((size_t)(vg->n_pvs ? vg->n_pvs : 1) * W_MODES, sizeof(*t->pv_words));
	if (!t->by_lv || !t->state || !t->err || !t->pv_lv || !t->pv_words) {
		tree_free(t);
		return -ENOMEM;
	}
	if (!mlvm_mul_ok(vg->extent_size, MLVM_SECTOR_SIZE, &t->eb))
		t->eb = 0;
	mlvm_gf256_init(&t->gf);
	t->state[idx] = ST_BUILDING;
	rc = reader_build(t, lv, 0, opts ? opts->leg : -1, &rd);
	if (rc) {
		tree_free(t);
		return rc;
	}
	rd->top = true;
	t->by_lv[idx] = rd;
	t->state[idx] = ST_DONE;
	rc = words(t, rd);
	if (rc) {
		tree_free(t);
		return rc;
	}
	*out = rd;
	return 0;
}

uint64_t mlvm_lv_reader_size(const struct mlvm_lv_reader *rd)
{
	return rd->size;
}

int mlvm_lv_read(struct mlvm_lv_reader *rd, void *buf, size_t len, uint64_t off)
{
	struct lvmap_miss m;
	size_t i;
	int rc;

	if (!mlvm_range_ok(rd->size, off, len))
		return -ERANGE;
	if (!len)
		return 0;
	lvmap_miss_init(&m);
	rc = rd_read(rd, buf, len, off, &m, 0);
	for (i = 0; i < m.n; i++)
		lvmap_ranges_add(&rd->missing, off + m.v[i].start, m.v[i].len);
	lvmap_miss_free(&m);
	return rc;
}

bool lvmap_rd_is_hole(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth)
{
	uint32_t i = seg_find(rd, off);

	while (len) {
		struct seg *g = i < rd->n_segs ? &rd->segs[i] : NULL;
		uint64_t n;

		if (!g || off < g->start)
			return false;
		n = g->start + g->len - off;
		if (n > len)
			n = len;
		if (!g->ops->is_hole || !g->ops->is_hole(g, off - g->start, n, depth))
			return false;
		off += n;
		len -= n;
		i++;
	}
	return true;
}

bool mlvm_lv_is_hole(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len)
{
	if (!rd || !mlvm_range_ok(rd->size, off, len) || !len)
		return false;
	return lvmap_rd_is_hole(rd, off, len, 0);
}

/* ------------------------------------------------------------ locating */

static int rd_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth,
		     struct mlvm_source **src, uint64_t *src_off, uint64_t *run);

/* [off, off + len) of area a, when its first bytes are plain image bytes */
static int area_locate(const struct area *a, uint64_t off, uint64_t len, int depth,
		       struct mlvm_source **src, uint64_t *src_off, uint64_t *run)
{
	uint64_t n, pos;

	*run = len;
	if (a->bad || off >= a->len)
		return -ENOENT;
	n = a->len - off < len ? a->len - off : len;
	if (a->lv) {
		if (depth >= LVMAP_MAX_DEPTH)
			return -ENOENT;
		return rd_locate(a->lv, a->base + off, n, depth + 1, src, src_off, run);
	}
	pos = a->base + off;
	if (!a->src || pos >= a->src->size || a->src->ops->missing) {
		/* an LV's bytes (nested) are read, so their missing parts are known */
		*run = n;
		return -ENOENT;
	}
	*src = a->src;
	*src_off = pos;
	*run = a->src->size - pos < n ? a->src->size - pos : n;
	return 0;
}

/* where the read path takes the bytes at off from, when they are plain image bytes */
static int rd_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth,
		     struct mlvm_source **src, uint64_t *src_off, uint64_t *run)
{
	uint32_t i = seg_find(rd, off);
	struct seg *g = i < rd->n_segs ? &rd->segs[i] : NULL;
	struct seg_loc loc;
	uint64_t n;

	if (!g || off < g->start) {	/* a gap: missing */
		*run = g && g->start - off < len ? g->start - off : len;
		return -ENOENT;
	}
	n = g->start + g->len - off;
	if (n > len)
		n = len;
	*run = n;
	if (!g->ops->locate)	/* computed by mlvm_lv_read */
		return -ENOENT;
	g->ops->map(g, off - g->start, n, &loc);
	*run = loc.run;
	if (loc.kind != LOC_AREA)	/* zeros, missing: made up by mlvm_lv_read */
		return -ENOENT;
	return area_locate(loc.a, loc.off, loc.run, depth, src, src_off, run);
}

int mlvm_lv_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len,
		   struct mlvm_source **src, uint64_t *src_off, uint64_t *run)
{
	*src = NULL;
	*src_off = 0;
	*run = len;
	if (!rd || !len || !mlvm_range_ok(rd->size, off, len))
		return -EINVAL;
	if (rd_locate(rd, off, len, 0, src, src_off, run) == 0 && *run)
		return 0;
	*src = NULL;
	if (!*run || *run > len)	/* never loop forever on a zero-length answer */
		*run = len;
	return -ENOENT;
}

const struct mlvm_range *mlvm_lv_reader_missing(const struct mlvm_lv_reader *rd, size_t *n)
{
	*n = rd->missing.n;
	return rd->missing.v;
}

const struct mlvm_range *mlvm_lv_reader_reused(const struct mlvm_lv_reader *rd, size_t *n)
{
	*n = rd->reused.n;
	return rd->reused.v;
}

void mlvm_lv_reader_free(struct mlvm_lv_reader *rd)
{
	if (rd && rd->top)
		tree_free(rd->t);
}
