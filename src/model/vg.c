/*
 * vg.c - build the VG model from parsed metadata text.
 *
 * Lenient: every problem is reported (with the text line) and the best
 * model possible is built. Only a text with no VG section at all fails.
 * Limits: LV, PV, segment and area counts are bounded by the number of
 * nodes in the tree, so nothing here allocates more than the text implies.
 */
#include "model/vg.h"
#include "base/units.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"
#include "base/util.h"
#include "io/source.h"
#include "model/usage.h"

struct ctx {
	struct mlvm_vg *vg;
	struct mlvm_report *r;
	const char *image;
	int64_t where;
	/* counted by read_lvs, so the passes after it skip what no LV has */
	uint32_t n_snapshots;	/* LVs mlvm_lv_is_snapshot takes for a snapshot */
	uint32_t n_raid_segs;	/* segments whose type begins "raid" */
	uint32_t n_reshaping;	/* LVs whose first segment has a reshape_count */
	uint32_t n_unknown_status;	/* status flags LVM2 would refuse the text for */
};

#define LINE(c, n) cfg_line((c)->vg->tree, (n))
#define W(c, code, node, ...) \
	mlvm_warn((c)->r, (code), (c)->image, (c)->where, __VA_ARGS__)

static const char *const vg_status_known[] = {
	"RESIZEABLE", "READ", "WRITE", "EXPORTED", "PVMOVE", "CLUSTERED",
	"SHARED", "PARTIAL", NULL
};
static const char *const pv_status_known[] = {
	"ALLOCATABLE", "EXPORTED", "MISSING", NULL
};
static const char *const lv_status_known[] = {
	"READ", "WRITE", "VISIBLE", "FIXED_MINOR", "PVMOVE", "LOCKED",
	"NOTSYNCED", "REBUILD", "WRITEMOSTLY", "ACTIVATION_SKIP",
	"MIRROR_NOTSYNCED", "MERGING", "CONVERTING", "MIRRORED",
	"MIRROR_IMAGE", "MIRROR_LOG", "RAID", "RAID_META", "RAID_IMAGE",
	"THIN_VOLUME", "THIN_POOL", "THIN_POOL_DATA", "THIN_POOL_METADATA",
	"CACHE", "CACHE_POOL", "CACHE_POOL_DATA", "CACHE_POOL_METADATA",
	"LV_PENDING_DELETE", "ERROR_WHEN_FULL", "CROP_METADATA",
	"CACHE_VOL", "CACHE_USES_CACHEVOL", "RESHAPE", "RESHAPE_DATA_OFFSET",
	"DATA_OFFSET_CHANGED", "REMOVE_AFTER_RESHAPE", "METADATA_FORMAT",
	"INTEGRITY", "INTEGRITY_METADATA", "LV_TEMPORARY", "LV_NOSCAN",
	"REMOVED", NULL
};

static const struct cfg_node *seg_areas_node(const struct cfg_node *seg, const char **key);

/* ------------------------------------------------------------ helpers */

/*
 * a then b into out (cut to cap - 1 bytes), as snprintf "%s%s" would: the
 * subject of the warnings about one PV, LV or segment, made for each of
 * them whether or not a warning comes (10,000 LVs: 30,000 of them)
 */
static void what_of(char *out, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > cap - 1)
		la = cap - 1;
	if (lb > cap - 1 - la)
		lb = cap - 1 - la;
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	out[la + lb] = '\0';
}

bool mlvm_cfg_array_has(const struct cfg_node *arr, const char *s)
{
	const struct cfg_node *e;

	if (!arr || cfg_type(arr) != CFG_ARRAY)
		return false;
	for (e = cfg_child(arr); e; e = cfg_next(e))
		if ((cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD) && !strcmp(cfg_str(e), s))
			return true;
	return false;
}

bool mlvm_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= 128 || name[0] == '-' || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' ||
		      c == '-'))
			return false;
	}
	return true;
}

const struct cfg_node *mlvm_node_array(const struct cfg_node *section, const char *key)
{
	return section ? cfg_find_type(section, key, CFG_ARRAY) : NULL;
}

uint64_t mlvm_stripe_size_of(const struct cfg_node *n)
{
	n = cfg_of_type(n, CFG_INT);
	return n && cfg_int(n) > 0 ? (uint64_t)cfg_int(n) : 0;
}

uint64_t mlvm_seg_stripe_size(const struct mlvm_segment *s)
{
	return mlvm_stripe_size_of(cfg_find(s->node, "stripe_size"));
}

const char *mlvm_seg_areas_key(const struct mlvm_segment *s)
{
	const char *key;

	seg_areas_node(s->node, &key);
	return key;
}

uint64_t mlvm_lv_size(const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	uint64_t sectors, bytes, extents = lv->extent_count;

	extents -= lv->reshape_extents < extents ? lv->reshape_extents : extents;
	if (!mlvm_mul_ok(extents, vg->extent_size, &sectors) ||
	    !mlvm_mul_ok(sectors, MLVM_SECTOR_SIZE, &bytes))
		return UINT64_MAX;
	return bytes;
}

bool mlvm_pv_extent_bytes(const struct mlvm_vg *vg, const struct mlvm_pv *pv, uint64_t pe,
			  uint64_t count, uint64_t *off, uint64_t *len)
{
	uint64_t ext, start;

	return !pv->missing && pv->src &&
	       mlvm_mul_ok(vg->extent_size, MLVM_SECTOR_SIZE, &ext) &&
	       mlvm_mul_ok(pv->pe_start, MLVM_SECTOR_SIZE, &start) &&
	       mlvm_add_ok(start, pv->offset, &start) &&
	       mlvm_mul_ok(pe, ext, off) && mlvm_add_ok(*off, start, off) &&
	       mlvm_mul_ok(count, ext, len);
}

/* get_array, get_str and get_u64 of a child already found (n: NULL when
 * sec has none under key) */
static const struct cfg_node *array_at(struct ctx *c, const struct cfg_node *n,
				       const char *key, const char *what)
{
	if (!n)
		return NULL;
	if (cfg_type(n) != CFG_ARRAY) {
		W(c, "text_type", n, "%s: %s is not an array (line %u)", what, key, LINE(c, n));
		return NULL;
	}
	return n;
}

static const struct cfg_node *get_array(struct ctx *c, const struct cfg_node *sec,
					const char *key, const char *what)
{
	return array_at(c, cfg_find(sec, key), key, what);
}

static void check_status(struct ctx *c, const struct cfg_node *arr,
			 const char *const *known, const char *what)
{
	const struct cfg_node *e;

	if (!arr)
		return;
	for (e = cfg_child(arr); e; e = cfg_next(e)) {
		const char *const *k;
		const char *flag;

		if (cfg_type(e) != CFG_STRING && cfg_type(e) != CFG_WORD) {
			W(c, "text_status", e, "%s: status holds a non-string (line %u)", what, LINE(c, arr));
			continue;
		}
		flag = cfg_str(e);
		for (k = known; *k; k++)
			if ((*k)[0] == flag[0] && !strcmp(*k, flag))
				break;
		if (!*k) {
			W(c, "text_status", e, "%s: unknown status flag \"%s\" (line %u)",
			  what, flag, LINE(c, e) ? LINE(c, e) : LINE(c, arr));
			c->n_unknown_status++;
		}
	}
}

static const char *str_at(struct ctx *c, const struct cfg_node *sec, const struct cfg_node *n,
			  const char *key, const char *what, bool required)
{
	if (!n) {
		if (required)
			W(c, "text_missing", sec, "%s: no %s (line %u)", what, key, LINE(c, sec));
		return NULL;
	}
	if (cfg_type(n) != CFG_STRING && cfg_type(n) != CFG_WORD) {
		W(c, "text_type", n, "%s: %s is not a string (line %u)", what, key, LINE(c, n));
		return NULL;
	}
	return cfg_str(n);
}

static const char *get_str(struct ctx *c, const struct cfg_node *sec, const char *key,
			   const char *what, bool required)
{
	return str_at(c, sec, cfg_find(sec, key), key, what, required);
}

static bool u64_at(struct ctx *c, const struct cfg_node *sec, const struct cfg_node *n,
		   const char *key, const char *what, bool required, uint64_t *out)
{
	*out = 0;
	if (!n) {
		if (required)
			W(c, "text_missing", sec, "%s: no %s (line %u)", what, key, LINE(c, sec));
		return false;
	}
	if (cfg_type(n) != CFG_INT || cfg_int(n) < 0) {
		W(c, "text_type", n, "%s: %s is not a non-negative integer (line %u)",
		  what, key, LINE(c, n));
		return false;
	}
	*out = (uint64_t)cfg_int(n);
	return true;
}

static bool get_u64(struct ctx *c, const struct cfg_node *sec, const char *key,
		    const char *what, bool required, uint64_t *out)
{
	return u64_at(c, sec, cfg_find(sec, key), key, what, required, out);
}

/* ------------------------------------------------------------ name index */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/*
 * A table of count names for index_find: each slot holds the name's hash
 * and its index, so a probe reads a name only when the hashes match (a
 * name read is a cache miss into a large text). hashes: the names' hashes
 * when the caller has them (read_lvs works them out while each name is in
 * the cache), else NULL. The first of duplicate names wins.
 */
static int index_build(uint32_t count, const char *(*name_of)(const struct mlvm_vg *, uint32_t),
		       const uint32_t *hashes, const struct mlvm_vg *vg, uint64_t **slots,
		       uint32_t *mask)
{
	uint32_t size = 16, i;

	/* a load of at most 3/4: probes stay short, the table small */
	while (size < count + count / 3 + 1 && size < (1u << 30))
		size *= 2;
	*slots = calloc(size, sizeof(uint64_t));
	if (!*slots)
		return -ENOMEM;
	/* written all over: its pages mapped in one call (10,000 LVs: 64
	 * faults of a fresh mapping's pages, one at a time, before) */
	mlvm_prefault(*slots, (size_t)size * sizeof(uint64_t));
	*mask = size - 1;
	for (i = 0; i < count; i++) {
		const char *name = name_of(vg, i);
		uint64_t *at;
		uint32_t h, p;

		if (!name)
			continue;
		h = hashes ? hashes[i] : hash_str(name);
		for (p = h & *mask; *(at = &(*slots)[p]); p = (p + 1) & *mask)
			if ((uint32_t)(*at >> 32) == h && !strcmp(name_of(vg, (uint32_t)*at - 1), name))
				break;
		if (!*at)
			*at = (uint64_t)h << 32 | (i + 1);
	}
	return 0;
}

static int index_find(const uint64_t *slots, uint32_t mask, const char *name,
		      const char *(*name_of)(const struct mlvm_vg *, uint32_t),
		      const struct mlvm_vg *vg)
{
	uint32_t h, p;

	if (!slots)
		return -1;
	h = hash_str(name);
	for (p = h & mask; slots[p]; p = (p + 1) & mask)
		if ((uint32_t)(slots[p] >> 32) == h && !strcmp(name_of(vg, (uint32_t)slots[p] - 1), name))
			return (int)((uint32_t)slots[p] - 1);
	return -1;
}

static const char *lv_name_of(const struct mlvm_vg *vg, uint32_t i)
{
	return vg->lvs[i].name;
}

static const char *pv_name_of(const struct mlvm_vg *vg, uint32_t i)
{
	return vg->pvs[i].name;
}

int mlvm_vg_lv_index(const struct mlvm_vg *vg, const char *name)
{
	return index_find(vg->lv_hash, vg->lv_hash_mask, name, lv_name_of, vg);
}

int mlvm_vg_pv_index(const struct mlvm_vg *vg, const char *name)
{
	return index_find(vg->pv_hash, vg->pv_hash_mask, name, pv_name_of, vg);
}

unsigned mlvm_seg_lv_refs(const struct mlvm_vg *vg, const struct mlvm_segment *s, unsigned what,
			  mlvm_lv_ref_fn fn, void *ctx)
{
	const struct cfg_node *n;
	unsigned count = 0;
	uint32_t k;

	if (what & MLVM_REFS_AREAS)
		for (k = 0; k < s->n_areas; k++) {
			const struct mlvm_area *a = &s->areas[k];

			if (a->kind != MLVM_AREA_LV || a->ref < 0 || (uint32_t)a->ref >= vg->n_lvs)
				continue;
			count++;
			if (fn && !fn(ctx, NULL, (uint32_t)a->ref))
				return count;
		}
	if (what & MLVM_REFS_KEYS)
		for (n = s->node ? cfg_child(s->node) : NULL; n; n = cfg_next(n)) {
			int lvi;

			if (!cfg_key(n) || (cfg_type(n) != CFG_STRING && cfg_type(n) != CFG_WORD) ||
			    !strcmp(cfg_key(n), "type"))
				continue;
			lvi = mlvm_vg_lv_index(vg, cfg_str(n));
			if (lvi < 0)
				continue;
			count++;
			if (fn && !fn(ctx, cfg_key(n), (uint32_t)lvi))
				return count;
		}
	return count;
}

const struct mlvm_lv *mlvm_vg_find_lv(const struct mlvm_vg *vg, const char *name)
{
	int i = mlvm_vg_lv_index(vg, name);

	return i < 0 ? NULL : &vg->lvs[i];
}

/* ------------------------------------------------------------ PVs */

static int read_pvs(struct ctx *c, const struct cfg_node *sec)
{
	struct mlvm_vg *vg = c->vg;
	const struct cfg_node *n;
	size_t count = sec ? cfg_count(sec) : 0;

	if (!sec) {
		W(c, "text_missing", NULL, "vg %s: no physical_volumes section", vg->name);
		return 0;
	}
	if (count > UINT32_MAX)
		return -E2BIG;
	vg->pvs = calloc(count ? count : 1, sizeof(*vg->pvs));
	if (!vg->pvs)
		return -ENOMEM;
	for (n = cfg_child(sec); n; n = cfg_next(n)) {
		struct mlvm_pv *pv = &vg->pvs[vg->n_pvs];
		char what[160];

		if (cfg_type(n) != CFG_SECTION) {
			W(c, "text_type", n, "physical_volumes: %s is not a section (line %u)",
			  cfg_key(n) ? cfg_key(n) : "?", LINE(c, n));
			continue;
		}
		what_of(what, sizeof(what), "pv ", cfg_key(n));
		pv->node = n;
		pv->name = cfg_key(n);
		pv->id = get_str(c, n, "id", what, true);
		pv->device = get_str(c, n, "device", what, false);
		pv->status = get_array(c, n, "status", what);
		pv->flags = get_array(c, n, "flags", what);
		pv->tags = get_array(c, n, "tags", what);
		check_status(c, pv->status, pv_status_known, what);
		get_u64(c, n, "dev_size", what, false, &pv->dev_size);
		get_u64(c, n, "pe_start", what, true, &pv->pe_start);
		get_u64(c, n, "pe_count", what, true, &pv->pe_count);
		get_u64(c, n, "ba_start", what, false, &pv->ba_start);
		get_u64(c, n, "ba_size", what, false, &pv->ba_size);
		if (!pv->ba_start != !pv->ba_size) {
			/* LVM2 refuses the text: take neither */
			W(c, "text_bootloader_area", n,
			  "%s: ba_start %llu and ba_size %llu: a bootloader area needs both (line %u)",
			  what, (unsigned long long)pv->ba_start, (unsigned long long)pv->ba_size,
			  LINE(c, n));
			pv->ba_start = pv->ba_size = 0;
		}
		pv->missing = true;	/* until the assembler finds it */
		if (!mlvm_add_ok(vg->total_extents, pv->pe_count, &vg->total_extents))
			vg->total_extents = UINT64_MAX;
		vg->n_pvs++;
	}
	return index_build(vg->n_pvs, pv_name_of, NULL, vg, &vg->pv_hash, &vg->pv_hash_mask);
}

/* ------------------------------------------------------------ LVs */

static const char *const area_keys[] = { "stripes", "mirrors", "raids", "raid0_lvs", NULL };

static bool seg_key_index(const char *key, uint64_t *idx)
{
	uint64_t v = 0;
	const char *p;

	if (key[0] != 's' || key[1] != 'e' || strncmp(key, "segment", 7) || !key[7])
		return false;
	for (p = key + 7; *p; p++) {
		if (*p < '0' || *p > '9' || v > UINT32_MAX)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*idx = v;
	return true;
}

#define N_AREA_KEYS (sizeof(area_keys) / sizeof(area_keys[0]) - 1)

/* the areas array of a segment, of the keys picked from it in area_keys'
 * order: the first of them that is an array */
static const struct cfg_node *areas_of(const struct cfg_node *const *picked, const char **key)
{
	unsigned i;

	for (i = 0; i < N_AREA_KEYS; i++)
		if (cfg_of_type(picked[i], CFG_ARRAY)) {
			*key = area_keys[i];
			return picked[i];
		}
	*key = NULL;
	return NULL;
}

static const struct cfg_node *seg_areas_node(const struct cfg_node *seg, const char **key)
{
	const struct cfg_node *a[N_AREA_KEYS];

	cfg_pick(seg, area_keys, N_AREA_KEYS, a);
	return areas_of(a, key);
}

/* number of areas an areas array describes: a name, optionally followed by a number */
static uint32_t count_areas(const struct cfg_node *arr)
{
	const struct cfg_node *e;
	uint32_t n = 0;

	for (e = cfg_child(arr); e; e = cfg_next(e))
		if (cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD)
			n++;
	return n;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct mlvm_segment *x = a, *y = b;

	/* segments are sorted by their index, stashed in area_len meanwhile */
	return x->area_len < y->area_len ? -1 : x->area_len > y->area_len;
}

static uint64_t seg_int(const struct cfg_node *seg, const char *key, uint64_t dflt)
{
	const struct cfg_node *n = cfg_find_type(seg, key, CFG_INT);

	return n && cfg_int(n) >= 0 ? (uint64_t)cfg_int(n) : dflt;
}

/* how many extents of each area the segment uses */
static uint64_t compute_area_len(const struct mlvm_segment *s)
{
	const char *t = s->type ? s->type : "";
	uint64_t n = s->n_areas;

	if (n == 0)
		return 0;
	if (!strncmp(t, "striped", 7) || !strncmp(t, "raid0", 5))
		return s->extent_count / n;
	if (!strncmp(t, "raid10", 6)) {
		uint64_t copies = seg_int(s->node, "data_copies", 2);
		uint64_t images = n / 2;

		return images ? s->extent_count * (copies ? copies : 2) / images : 0;
	}
	if (!strncmp(t, "raid4", 5) || !strncmp(t, "raid5", 5) || !strncmp(t, "raid6", 5)) {
		uint64_t images = n / 2, parity = !strncmp(t, "raid6", 5) ? 2 : 1;

		return images > parity ? s->extent_count / (images - parity) : 0;
	}
	return s->extent_count;	/* mirror, raid1, pvmove and the like */
}

/* the keys read_segments reads of a segment; the areas' keys last, in
 * area_keys' order */
enum {
	SK_START, SK_COUNT, SK_TYPE, SK_STRIPE_COUNT, SK_STRIPE_SIZE, SK_RESHAPE,
	SK_AREAS, SK_N = SK_AREAS + N_AREA_KEYS
};
static const char *const seg_keys[SK_N] = {
	"start_extent", "extent_count", "type", "stripe_count", "stripe_size", "reshape_count",
	"stripes", "mirrors", "raids", "raid0_lvs",
};

/*
 * The segments of lv: lv->segs[0..n_segs-1] hold each segmentN section
 * (node) and its N (in area_len), in text order. count_node is the LV's
 * segment_count, or NULL.
 */
static int read_segments(struct ctx *c, struct mlvm_lv *lv, const struct cfg_node *count_node,
			 struct mlvm_area **area_next, const struct mlvm_area *area_end,
			 const char *what)
{
	struct mlvm_segment *segs = lv->segs;
	uint32_t i, n_segs = lv->n_segs;
	uint64_t expect = 0, declared;

	if (n_segs > 1)
		qsort(segs, n_segs, sizeof(*segs), cmp_seg);

	if (u64_at(c, lv->node, count_node, "segment_count", what, true, &declared) &&
	    declared != n_segs)
		W(c, "text_segments", lv->node, "%s: segment_count is %llu but %u %s present",
		  what, (unsigned long long)declared, n_segs,
		  mlvm_plural(n_segs, "segment is", "segments are"));

	for (i = 0; i < n_segs; i++) {
		struct mlvm_segment *s = &segs[i];
		const struct cfg_node *arr, *e, *k[SK_N];
		const char *areas_key;
		char swhat[240];

		if (s->area_len != (uint64_t)i + 1)
			W(c, "text_segments", s->node, "%s: %s where segment%u was expected (line %u)",
			  what, cfg_key(s->node), i + 1, LINE(c, s->node));
		what_of(swhat, sizeof(swhat), what, " ");
		what_of(swhat + strlen(swhat), sizeof(swhat) - strlen(swhat), cfg_key(s->node), "");
		cfg_pick(s->node, seg_keys, SK_N, k);
		u64_at(c, s->node, k[SK_START], "start_extent", swhat, true, &s->start_extent);
		u64_at(c, s->node, k[SK_COUNT], "extent_count", swhat, true, &s->extent_count);
		s->type = str_at(c, s->node, k[SK_TYPE], "type", swhat, true);
		if (s->type && !strncmp(s->type, "raid", 4))
			c->n_raid_segs++;
		/* the first segment's reshape_count, kept in reshape_extents
		 * until resolve_areas works out what it means */
		if (i == 0 && k[SK_RESHAPE] && cfg_type(k[SK_RESHAPE]) == CFG_INT &&
		    cfg_int(k[SK_RESHAPE]) > 0) {
			lv->reshape_extents = (uint64_t)cfg_int(k[SK_RESHAPE]);
			c->n_reshaping++;
		}
		if (s->start_extent != expect)
			W(c, "text_segments", s->node, "%s: starts at extent %llu, expected %llu (line %u)",
			  swhat, (unsigned long long)s->start_extent,
			  (unsigned long long)expect, LINE(c, s->node));
		if (!mlvm_add_ok(s->start_extent, s->extent_count, &expect))
			expect = UINT64_MAX;
		if (!mlvm_add_ok(lv->extent_count, s->extent_count, &lv->extent_count))
			lv->extent_count = UINT64_MAX;

		arr = areas_of(k + SK_AREAS, &areas_key);
		s->areas = *area_next;
		if (arr) {
			for (e = cfg_child(arr); e; e = cfg_next(e)) {
				const struct cfg_node *pe;	/* the extent after a name */
				struct mlvm_area *a;

				if (cfg_type(e) != CFG_STRING && cfg_type(e) != CFG_WORD) {
					if (cfg_type(e) != CFG_INT || e == cfg_child(arr))
						W(c, "text_areas", e, "%s: unexpected value in %s (line %u)",
						  swhat, areas_key, LINE(c, arr));
					continue;
				}
				if (s->areas + s->n_areas >= area_end)
					return -EIO;	/* more than read_lvs counted */
				a = &s->areas[s->n_areas++];
				a->name = cfg_str(e);
				/* a PV now, while the name is in the cache; an LV's
				 * name once every LV is known (resolve_areas) */
				a->ref = mlvm_vg_pv_index(c->vg, a->name);
				a->kind = a->ref >= 0 ? MLVM_AREA_PV : MLVM_AREA_LV;
				a->start = 0;
				pe = cfg_next(e);
				if (pe && cfg_type(pe) == CFG_INT) {
					if (cfg_int(pe) < 0)
						W(c, "text_areas", e, "%s: negative extent for area %s (line %u)",
						  swhat, a->name, LINE(c, e) ? LINE(c, e) : LINE(c, arr));
					else
						a->start = (uint64_t)cfg_int(pe);
					e = pe;
				}
			}
			*area_next += s->n_areas;
		}
		if (s->type && !strcmp(s->type, "striped")) {
			uint64_t sc;

			if (u64_at(c, s->node, k[SK_STRIPE_COUNT], "stripe_count", swhat, true, &sc) &&
			    sc != s->n_areas)
				W(c, "text_areas", s->node, "%s: stripe_count %llu but %u %s listed (line %u)",
				  swhat, (unsigned long long)sc, s->n_areas,
				  mlvm_plural(s->n_areas, "stripe", "stripes"), LINE(c, s->node));
			if (s->n_areas == 0)
				W(c, "text_areas", s->node, "%s: striped segment without stripes (line %u)",
				  swhat, LINE(c, s->node));
			else if (s->extent_count % s->n_areas)
				W(c, "text_areas", s->node, "%s: extent_count %llu not divisible by %u %s (line %u)",
				  swhat, (unsigned long long)s->extent_count, s->n_areas,
				  mlvm_plural(s->n_areas, "stripe", "stripes"), LINE(c, s->node));
			if (s->n_areas > 1 && mlvm_stripe_size_of(k[SK_STRIPE_SIZE]) == 0)
				W(c, "text_areas", s->node, "%s: %u stripes but no stripe_size (line %u)",
				  swhat, s->n_areas, LINE(c, s->node));
		}
		s->area_len = compute_area_len(s);
	}
	return 0;
}

/* the offset of a piece of n items (1 when none) of size bytes after
 * *end, on a cache line of its own, into *at, and *end moved past it;
 * false on overflow */
static bool piece_after(uint64_t *end, size_t n, size_t size, uint64_t *at)
{
	uint64_t bytes, up;

	if (!mlvm_mul_ok(n ? n : 1, size, &bytes) || !mlvm_add_ok(*end, 63, &up))
		return false;
	*at = up & ~(uint64_t)63;
	return mlvm_add_ok(*at, bytes, end) && *end <= SIZE_MAX;
}

/*
 * The LVs, their segments and their areas in one block, zeroed: the LVs
 * at its start (vg->lvs, which frees it). A VG of 10,000 LVs x 2
 * segments needs 2.1 MiB: in one block it lies mostly in a huge page
 * (mlvm_alloc_huge), where three blocks of 0.5 to 1.1 MiB each took 540
 * pages of 4 KiB, each of them a fault of some microseconds in a virtual
 * machine. 0 or -ENOMEM.
 */
static int model_alloc(struct mlvm_vg *vg, size_t n_lvs, size_t n_segs, size_t n_areas)
{
	uint64_t size = 0, lv_at, seg_at, area_at;
	char *m;

	if (!piece_after(&size, n_lvs, sizeof(*vg->lvs), &lv_at) ||
	    !piece_after(&size, n_segs, sizeof(*vg->seg_pool), &seg_at) ||
	    !piece_after(&size, n_areas, sizeof(*vg->area_pool), &area_at))
		return -ENOMEM;
	m = mlvm_alloc_huge((size_t)size);
	if (!m)
		return -ENOMEM;
	mlvm_prefault(m, (size_t)size);
	memset(m, 0, (size_t)size);
	vg->lvs = (struct mlvm_lv *)(void *)(m + lv_at);
	vg->seg_pool = (struct mlvm_segment *)(void *)(m + seg_at);
	vg->area_pool = (struct mlvm_area *)(void *)(m + area_at);
	return 0;
}

/*
 * LV sections from first up to end (NULL: the last) of logical_volumes
 * into vg->lvs from index run->lv0, their segments from run->seg_next and
 * areas from run->area_next, up to lv_end, seg_end and area_end (read_lvs
 * counted them: the pools have room; past them is -EIO, never a write),
 * each LV's name's hash into hashes at its index (for index_build).
 * Each run on cache lines of its own (128 bytes: a line, or two that the
 * CPU fetches together): both threads write theirs at every LV.
 */
struct lv_run {
	_Alignas(128) struct ctx c;	/* the run's words and counts */
	const struct cfg_node *first, *end;
	uint32_t lv0, n;		/* the first LV's index; LVs read */
	uint32_t lv_end;		/* the index past its last LV (read_lvs' count) */
	struct mlvm_segment *seg_next;
	const struct mlvm_segment *seg_end;
	struct mlvm_area *area_next;
	const struct mlvm_area *area_end;
	uint32_t *hashes;
	int rc;
};

static int read_lv_run(struct lv_run *run)
{
	struct ctx *c = &run->c;
	struct mlvm_vg *vg = c->vg;
	const struct cfg_node *n, *m;

	for (n = run->first; n != run->end; n = cfg_next(n)) {
		/* what is read of the LV's own keys, found in the walk that
		 * finds its segments (as cfg_pick would) */
		static const char *const lv_keys[] = { "id", "status", "flags", "tags", "segment_count" };
		const struct cfg_node *status, *k[5] = { NULL };
		struct mlvm_lv *lv;
		char what[200];
		int rc;

		if (cfg_type(n) != CFG_SECTION) {
			W(c, "text_type", n, "logical_volumes: %s is not a section (line %u)",
			  cfg_key(n) ? cfg_key(n) : "?", LINE(c, n));
			continue;
		}
		if (run->lv0 + run->n >= run->lv_end)
			return -EIO;	/* more LVs than counted: never a write */
		lv = &vg->lvs[run->lv0 + run->n++];
		what_of(what, sizeof(what), "lv ", cfg_key(n));
		lv->node = n;
		lv->name = cfg_key(n);
		run->hashes[lv - vg->lvs] = lv->name ? hash_str(lv->name) : 0;
		if (!mlvm_name_valid(lv->name))
			W(c, "text_name", n, "%s: not a valid LV name (line %u)", what, LINE(c, n));
		lv->segs = run->seg_next;
		for (m = cfg_child(n); m; m = cfg_next(m)) {
			uint64_t idx;

			if (cfg_type(m) == CFG_SECTION && seg_key_index(cfg_key(m), &idx)) {
				if (lv->segs + lv->n_segs >= run->seg_end)
					return -EIO;	/* more than read_lvs counted */
				lv->segs[lv->n_segs].node = m;
				lv->segs[lv->n_segs++].area_len = idx;	/* read_segments' sort key */
				continue;
			}
			cfg_pick_child(m, lv_keys, 5, k);
		}
		run->seg_next += lv->n_segs;
		lv->id = str_at(c, n, k[0], "id", what, true);
		status = array_at(c, k[1], "status", what);
		array_at(c, k[2], "flags", what);
		array_at(c, k[3], "tags", what);
		check_status(c, status, lv_status_known, what);
		lv->visible = mlvm_cfg_array_has(status, "VISIBLE");
		rc = read_segments(c, lv, k[4], &run->area_next, run->area_end, what);
		if (rc)
			return rc;
		if (mlvm_lv_is_snapshot(lv))
			c->n_snapshots++;
	}
	return 0;
}

static void *lv_run_thread(void *arg)
{
	struct lv_run *run = arg;

	run->rc = read_lv_run(run);
	return NULL;
}

/* LVs from which a VG's LVs are read on two threads (read_lvs) */
#define LV_SPLIT_MIN 4096

/* where read_lvs may split the LVs: every stride-th LV section, with the
 * segments and areas before it; the stride doubles as they fill */
#define N_SPLITS 64
struct lv_split {
	const struct cfg_node *node;
	size_t lv, seg, area;
};

/* the LV sections from first up to end (NULL: the last) of
 * logical_volumes, counted with their segments and areas; on a thread of
 * its own, on cache lines of its own */
struct lv_count {
	_Alignas(128) const struct cfg_node *first;
	const struct cfg_node *end;
	size_t lvs, segs, areas;
};

/* one LV section n into k */
static void count_lv(const struct cfg_node *n, struct lv_count *k)
{
	const struct cfg_node *m;

	k->lvs++;
	for (m = cfg_child(n); m; m = cfg_next(m)) {
		uint64_t idx;
		const char *key;
		const struct cfg_node *arr;

		if (cfg_type(m) != CFG_SECTION || !seg_key_index(cfg_key(m), &idx))
			continue;
		k->segs++;
		arr = seg_areas_node(m, &key);
		if (arr)
			k->areas += count_areas(arr);
	}
}

static void *count_lvs(void *arg)
{
	struct lv_count *k = arg;
	const struct cfg_node *n;

	for (n = k->first; n != k->end; n = cfg_next(n))
		if (cfg_type(n) == CFG_SECTION)
			count_lv(n, k);
	return NULL;
}

static int read_lvs(struct ctx *c, const struct cfg_node *sec)
{
	struct mlvm_vg *vg = c->vg;
	const struct cfg_node *n, *half;
	size_t n_lvs = 0, n_segs = 0, n_areas = 0, stride = 256;
	struct lv_split splits[N_SPLITS], *at = NULL;
	unsigned n_splits = 0, i;
	struct lv_run run[2];
	struct mlvm_report r2;
	pthread_t th;
	bool threaded = false;
	uint32_t *hashes;
	int rc;

	if (!sec)
		return 0;
	/*
	 * Count first, so the model takes one allocation whatever its
	 * size. When the text was parsed in two halves that split this
	 * list (cfg_half_start), each half counted on a thread of its own,
	 * and the LVs are read in the same two runs below; else the count
	 * notes where they may be split.
	 */
	half = cfg_half_start(vg->tree, sec);
	if (half && mlvm_io_threads(2) >= 2) {
		struct lv_count k[2] = { { .first = cfg_child(sec), .end = half },
					 { .first = half, .end = NULL } };

		mlvm_run_pair(count_lvs, &k[0], &k[1]);
		n_lvs = k[0].lvs + k[1].lvs;
		n_segs = k[0].segs + k[1].segs;
		n_areas = k[0].areas + k[1].areas;
		splits[0] = (struct lv_split){ half, k[0].lvs, k[0].segs, k[0].areas };
		at = &splits[0];
	}
	if (!at) {
		struct lv_count k = { .first = cfg_child(sec) };

		for (n = cfg_child(sec); n; n = cfg_next(n)) {
			if (cfg_type(n) != CFG_SECTION)
				continue;
			if (k.lvs % stride == 0) {
				if (n_splits == N_SPLITS) {
					for (i = 0; i < N_SPLITS / 2; i++)
						splits[i] = splits[2 * i];
					n_splits = N_SPLITS / 2;
					stride *= 2;
				}
				if (k.lvs % stride == 0)
					splits[n_splits++] = (struct lv_split){ n, k.lvs, k.segs, k.areas };
			}
			count_lv(n, &k);
		}
		n_lvs = k.lvs;
		n_segs = k.segs;
		n_areas = k.areas;
	}
	if (n_lvs > UINT32_MAX || n_segs > UINT32_MAX || n_areas > UINT32_MAX)
		return -E2BIG;
	rc = model_alloc(vg, n_lvs, n_segs, n_areas);
	hashes = malloc((n_lvs ? n_lvs : 1) * sizeof(*hashes));
	if (rc || !hashes) {
		free(hashes);
		return -ENOMEM;
	}

	/*
	 * A large VG's LVs on two threads, split at the noted LV nearest the
	 * middle: the second run's words go to a report of its own, added
	 * after the first run's, so the report is the one a single run
	 * makes.
	 */
	for (i = 1; i < n_splits; i++)	/* the notes, when no half was counted */
		if (!at || (splits[i].lv > n_lvs / 2 ? splits[i].lv - n_lvs / 2 : n_lvs / 2 - splits[i].lv) <
			   (at->lv > n_lvs / 2 ? at->lv - n_lvs / 2 : n_lvs / 2 - at->lv))
			at = &splits[i];
	run[0] = (struct lv_run){ .c = { .vg = vg, .r = c->r, .image = c->image, .where = c->where },
				  .first = cfg_child(sec), .end = NULL, .lv_end = (uint32_t)n_lvs,
				  .seg_next = vg->seg_pool, .seg_end = vg->seg_pool + n_segs,
				  .area_next = vg->area_pool, .area_end = vg->area_pool + n_areas,
				  .hashes = hashes };
	if (at && n_lvs >= LV_SPLIT_MIN && mlvm_io_threads(2) >= 2) {
		mlvm_report_init(&r2);
		run[1] = run[0];
		run[0].end = at->node;
		run[0].lv_end = (uint32_t)at->lv;
		run[0].seg_end = vg->seg_pool + at->seg;
		run[0].area_end = vg->area_pool + at->area;
		run[1].first = at->node;
		run[1].lv0 = (uint32_t)at->lv;
		run[1].seg_next = vg->seg_pool + at->seg;
		run[1].area_next = vg->area_pool + at->area;
		run[1].c.r = c->r ? &r2 : NULL;
		threaded = mlvm_thread_create(&th, lv_run_thread, &run[1]) == 0;
		if (!threaded) {	/* this thread reads them all */
			run[0].end = NULL;
			run[0].lv_end = (uint32_t)n_lvs;
			run[0].seg_end = vg->seg_pool + n_segs;
			run[0].area_end = vg->area_pool + n_areas;
		}
	}
	run[0].rc = read_lv_run(&run[0]);
	if (threaded) {
		pthread_join(th, NULL);
		mlvm_report_append(c->r, &r2);
	}
	/* what the runs counted */
	for (i = 0; i < (threaded ? 2u : 1u); i++) {
		c->n_snapshots += run[i].c.n_snapshots;
		c->n_raid_segs += run[i].c.n_raid_segs;
		c->n_reshaping += run[i].c.n_reshaping;
		c->n_unknown_status += run[i].c.n_unknown_status;
		vg->n_lvs += run[i].n;
	}
	if (run[0].rc || (threaded && run[1].rc))
		rc = run[0].rc ? run[0].rc : run[1].rc;
	/* the first run read the LVs the count saw before the split */
	else if (threaded && run[0].n != at->lv)
		rc = -EIO;
	else
		rc = index_build(vg->n_lvs, lv_name_of, hashes, vg, &vg->lv_hash, &vg->lv_hash_mask);
	free(hashes);
	return rc;
}

/* resolve area names and count the extents PV areas use */
static void resolve_areas(struct ctx *c)
{
	struct mlvm_vg *vg = c->vg;
	uint64_t used = 0;
	uint32_t i, j, k;

	for (i = 0; i < vg->n_lvs; i++) {
		struct mlvm_lv *lv = &vg->lvs[i];

		for (j = 0; j < lv->n_segs; j++) {
			struct mlvm_segment *s = &lv->segs[j];

			for (k = 0; k < s->n_areas; k++) {
				struct mlvm_area *a = &s->areas[k];

				/* read_segments found the PVs already */
				if (a->kind == MLVM_AREA_PV) {
					struct mlvm_pv *pv = &vg->pvs[a->ref];
					uint64_t end;

					if (!mlvm_add_ok(a->start, s->area_len, &end) || end > pv->pe_count)
						W(c, "text_areas", s->node,
						  "lv %s %s: area on %s extents %llu+%llu runs past its %llu %s (line %u)",
						  lv->name, cfg_key(s->node), a->name,
						  (unsigned long long)a->start,
						  (unsigned long long)s->area_len,
						  (unsigned long long)pv->pe_count,
						  mlvm_plural(pv->pe_count, "extent", "extents"), LINE(c, s->node));
					if (!mlvm_add_ok(used, s->area_len, &used))
						used = UINT64_MAX;
					continue;
				}
				a->ref = mlvm_vg_lv_index(vg, a->name);
				if (a->ref < 0)
					W(c, "text_areas", s->node,
					  "lv %s %s: area names \"%s\", which is neither a PV nor an LV of this VG (line %u)",
					  lv->name, cfg_key(s->node), a->name, LINE(c, s->node));
				else if ((uint32_t)a->ref == i)
					W(c, "text_areas", s->node,
					  "lv %s %s: area refers to the LV itself (line %u)",
					  lv->name, cfg_key(s->node), LINE(c, s->node));
			}
		}
	}
	/*
	 * A raid LV in the middle of a reshape keeps reshape_count spare
	 * extents per data image; LVM2 leaves them out of the LV's size (but
	 * not out of its images' sizes).
	 */
	for (i = 0; c->n_raid_segs && i < vg->n_lvs; i++) {
		for (j = 0; j < vg->lvs[i].n_segs; j++) {
			const struct mlvm_segment *t = &vg->lvs[i].segs[j];

			if (!t->type || strncmp(t->type, "raid", 4))
				continue;
			for (k = 0; k < t->n_areas; k++)
				if (t->areas[k].kind == MLVM_AREA_LV && t->areas[k].ref >= 0 &&
				    (uint32_t)t->areas[k].ref != i)
					vg->lvs[t->areas[k].ref].raid_image = true;
		}
	}
	/*
	 * Old-style snapshots as LVM2 shows them: the COW LV is the visible
	 * snapshot, the virtual snapshotN LV that ties it to its origin is not.
	 */
	for (i = 0; c->n_snapshots && i < vg->n_lvs; i++) {
		struct mlvm_lv *lv = &vg->lvs[i];
		const char *cow;
		int ci;

		if (lv->n_segs != 1 || !lv->segs[0].type || strcmp(lv->segs[0].type, "snapshot") ||
		    cfg_get_str(lv->segs[0].node, "cow_store", &cow))
			continue;
		ci = mlvm_vg_lv_index(vg, cow);
		if (ci >= 0 && (uint32_t)ci != i)
			vg->lvs[ci].visible = lv->visible;
		lv->visible = false;
	}
	for (i = 0; c->n_reshaping && i < vg->n_lvs; i++) {
		struct mlvm_lv *lv = &vg->lvs[i];
		const struct mlvm_segment *s;
		uint64_t reshape = lv->reshape_extents, images, parity, data;

		/* read_segments kept the first segment's reshape_count here */
		lv->reshape_extents = 0;
		if (!reshape || !lv->n_segs || lv->raid_image)
			continue;
		s = &lv->segs[0];
		if (!s->type)
			continue;
		/* the data images: raids lists rmeta and rimage LVs in pairs */
		for (images = 0, k = 0; k < s->n_areas; k++)
			images += !strstr(s->areas[k].name, "_rmeta_");
		parity = !strncmp(s->type, "raid6", 5) ? 2 :
			 (!strncmp(s->type, "raid4", 5) || !strncmp(s->type, "raid5", 5)) ? 1 : 0;
		data = images > 2 ? images - parity : 1;
		if (!mlvm_mul_ok(reshape, data, &lv->reshape_extents))
			lv->reshape_extents = lv->extent_count;
	}
	if (used > vg->total_extents)
		W(c, "text_areas", NULL, "vg %s: LVs use %llu %s but the PVs hold only %llu",
		  vg->name, (unsigned long long)used, mlvm_plural(used, "extent", "extents"),
		  (unsigned long long)vg->total_extents);
}

/*
 * LVs whose areas lead back to themselves through other LVs (a -> b -> a):
 * LVM2 refuses such a text and a reader following them would never end. An
 * iterative depth-first walk over the LV areas (each LV enters the stack
 * once, so it is bounded by n_lvs); one warning per edge that closes a cycle.
 * An LV naming itself directly is reported by resolve_areas.
 */
static void check_cycles(struct ctx *c)
{
	struct mlvm_vg *vg = c->vg;
	struct frame {
		uint32_t lv, seg, area;
	} *st = NULL;
	uint8_t *state = NULL;	/* 0 not seen, 1 on the path, 2 done */
	uint32_t i, depth;

	if (!vg->n_lvs)
		return;
	state = calloc(vg->n_lvs, 1);
	st = malloc((size_t)vg->n_lvs * sizeof(*st));
	if (!state || !st)
		goto out;
	for (i = 0; i < vg->n_lvs; i++) {
		if (state[i])
			continue;
		state[i] = 1;
		st[0] = (struct frame){ i, 0, 0 };
		depth = 1;
		while (depth) {
			struct frame *f = &st[depth - 1];
			const struct mlvm_lv *lv = &vg->lvs[f->lv];
			const struct mlvm_segment *s = NULL;
			const struct mlvm_area *a = NULL;

			while (f->seg < lv->n_segs) {
				s = &lv->segs[f->seg];
				if (f->area < s->n_areas) {
					a = &s->areas[f->area++];
					break;
				}
				f->seg++;
				f->area = 0;
			}
			if (!a) {
				state[f->lv] = 2;
				depth--;
				continue;
			}
			if (a->kind != MLVM_AREA_LV || a->ref < 0 || (uint32_t)a->ref == f->lv ||
			    (uint32_t)a->ref >= vg->n_lvs)
				continue;
			if (state[a->ref] == 1)
				W(c, "text_areas", s->node,
				  "lv %s %s: area names lv %s, which leads back to lv %s: the LVs form a cycle (line %u)",
				  lv->name, cfg_key(s->node), a->name, lv->name, LINE(c, s->node));
			else if (state[a->ref] == 0) {
				state[a->ref] = 1;
				st[depth++] = (struct frame){ (uint32_t)a->ref, 0, 0 };
			}
		}
	}
out:
	free(state);
	free(st);
}

/*
 * From the extent usage model (usage.h): the free extents, and physical
 * extents claimed by two areas (LVM2 refuses such a text: data of one LV
 * would be read as another's), one warning per area that starts inside an
 * earlier one. 0 or -ENOMEM.
 */
static int check_usage(struct ctx *c)
{
	struct mlvm_vg *vg = c->vg;
	struct mlvm_usage u;
	size_t k;

	if (mlvm_usage_build(vg, &u)) {
		mlvm_usage_free(&u);
		return -ENOMEM;
	}
	vg->free_extents = mlvm_usage_free_extents(&u);
	for (k = 0; k < u.n_clashes; k++) {
		const struct mlvm_extent_clash *x = &u.clashes[k];

		if (!x->overlap)
			continue;
		W(c, "text_areas", vg->lvs[x->b->lv].node,
		  "pv %s: extents %llu-%llu are used by both lv %s and lv %s",
		  vg->pvs[x->pv].name, (unsigned long long)x->start,
		  (unsigned long long)(x->start + x->count - 1), vg->lvs[x->a->lv].name,
		  vg->lvs[x->b->lv].name);
	}
	mlvm_usage_free(&u);
	return 0;
}

/* ------------------------------------------------------------ VG */

/* ------------------------------------------------------------ historical LVs */

static bool get_time(struct ctx *c, const struct cfg_node *sec, const char *key,
		     const char *what, int64_t *out)
{
	uint64_t v;

	*out = 0;
	if (!get_u64(c, sec, key, what, false, &v))
		return false;
	*out = v > INT64_MAX ? INT64_MAX : (int64_t)v;
	return true;
}

int mlvm_vg_hlv_index(const struct mlvm_vg *vg, const char *name)
{
	for (uint32_t i = 0; name && i < vg->n_hlvs; i++)
		if (vg->hlvs[i].name && !strcmp(vg->hlvs[i].name, name))
			return (int)i;
	return -1;
}

/* the member an origin string names ("lv" or "-historical"), false when none */
static bool origin_member(const struct mlvm_vg *vg, const char *origin, struct mlvm_lineage *m)
{
	int i;

	if (!origin)
		return false;
	if (origin[0] == MLVM_HLV_PREFIX) {
		i = mlvm_vg_hlv_index(vg, origin + 1);
		m->historical = true;
	} else {
		i = mlvm_vg_lv_index(vg, origin);
		m->historical = false;
	}
	if (i < 0)
		return false;
	m->index = (uint32_t)i;
	return true;
}

static int read_hlvs(struct ctx *c, const struct cfg_node *sec)
{
	struct mlvm_vg *vg = c->vg;
	const struct cfg_node *n, *e;
	size_t count = sec ? cfg_count(sec) : 0;
	uint32_t i;

	if (!sec)
		return 0;
	if (count > UINT32_MAX)
		return -E2BIG;
	vg->hlvs = calloc(count ? count : 1, sizeof(*vg->hlvs));
	if (!vg->hlvs)
		return -ENOMEM;
	for (n = cfg_child(sec); n; n = cfg_next(n)) {
		struct mlvm_hlv *h = &vg->hlvs[vg->n_hlvs];
		char what[160];
		const char *s;

		if (cfg_type(n) != CFG_SECTION) {
			W(c, "text_type", n, "historical_logical_volumes: %s is not a section (line %u)",
			  cfg_key(n) ? cfg_key(n) : "?", LINE(c, n));
			continue;
		}
		snprintf(what, sizeof(what), "historical lv %s", cfg_key(n));
		h->node = n;
		h->name = cfg_key(n);
		s = get_str(c, n, "name", what, false);
		if (s)
			h->name = s;
		h->id = get_str(c, n, "id", what, true);
		get_time(c, n, "creation_time", what, &h->creation_time);
		get_time(c, n, "removal_time", what, &h->removal_time);
		h->origin = get_str(c, n, "origin", what, false);
		h->descendants = get_array(c, n, "descendants", what);
		vg->n_hlvs++;
	}
	/* every name they give must be a member of the VG, as LVM2 requires */
	for (i = 0; i < vg->n_hlvs; i++) {
		const struct mlvm_hlv *h = &vg->hlvs[i];
		struct mlvm_lineage m;

		if (h->origin && !origin_member(vg, h->origin, &m))
			W(c, "text_history", h->node,
			  "historical lv %s: origin %s is neither an LV nor a historical LV (line %u)",
			  h->name, h->origin, LINE(c, h->node));
		for (e = h->descendants ? cfg_child(h->descendants) : NULL; e; e = cfg_next(e))
			if ((cfg_type(e) != CFG_STRING && cfg_type(e) != CFG_WORD) ||
			    mlvm_vg_lv_index(vg, cfg_str(e)) < 0)
				W(c, "text_history", h->node,
				  "historical lv %s: descendant %s is not an LV of the VG (line %u)",
				  h->name, cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD ? cfg_str(e) : "?",
				  LINE(c, h->node));
	}
	return 0;
}

/* a member as one number: LVs first, then historical LVs */
static uint32_t member_id(const struct mlvm_vg *vg, struct mlvm_lineage m)
{
	return m.historical ? vg->n_lvs + m.index : m.index;
}

static struct mlvm_lineage member_of(const struct mlvm_vg *vg, uint32_t id)
{
	struct mlvm_lineage m = { id, false };

	if (id >= vg->n_lvs) {
		m.index = id - vg->n_lvs;
		m.historical = true;
	}
	return m;
}

/* the parent of every member (UINT32_MAX: none), see mlvm_lineage_walk */
static uint32_t *lineage_parents(const struct mlvm_vg *vg)
{
	uint32_t total = vg->n_lvs + vg->n_hlvs, i;
	uint32_t *parent = malloc((total ? total : 1) * sizeof(*parent));
	struct mlvm_lineage m;

	if (!parent)
		return NULL;
	for (i = 0; i < total; i++)
		parent[i] = UINT32_MAX;
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];
		const char *origin;

		if (lv->n_segs && lv->segs[0].type && !strcmp(lv->segs[0].type, "thin") &&
		    !cfg_get_str(lv->segs[0].node, "origin", &origin) &&
		    origin_member(vg, origin, &m) && !m.historical)
			parent[i] = m.index;
	}
	/* an LV whose origin was removed: the historical LV that names it */
	for (i = 0; i < vg->n_hlvs; i++) {
		const struct mlvm_hlv *h = &vg->hlvs[i];
		const struct cfg_node *e;
		int l;

		if (origin_member(vg, h->origin, &m))
			parent[vg->n_lvs + i] = member_id(vg, m);
		for (e = h->descendants ? cfg_child(h->descendants) : NULL; e; e = cfg_next(e))
			if ((cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD) &&
			    (l = mlvm_vg_lv_index(vg, cfg_str(e))) >= 0 && parent[l] == UINT32_MAX)
				parent[l] = vg->n_lvs + i;
	}
	return parent;
}

static int lineage_push(struct mlvm_lineage **out, uint32_t *n, uint32_t *cap,
			struct mlvm_lineage m)
{
	if (*n == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 8;
		struct mlvm_lineage *p = realloc(*out, nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*out = p;
		*cap = nc;
	}
	(*out)[(*n)++] = m;
	return 0;
}

int mlvm_lineage_walk(const struct mlvm_vg *vg, struct mlvm_lineage who, bool descendants,
		      struct mlvm_lineage **out, uint32_t *n)
{
	uint32_t total = vg->n_lvs + vg->n_hlvs, cap = 0, i, top, id;
	uint32_t *parent, *first = NULL, *next = NULL, *stack = NULL;
	uint8_t *seen = NULL;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (who.index >= (who.historical ? vg->n_hlvs : vg->n_lvs))
		return 0;
	parent = lineage_parents(vg);
	seen = calloc(total, 1);
	if (!parent || !seen) {
		rc = -ENOMEM;
		goto done;
	}
	id = member_id(vg, who);
	seen[id] = 1;
	if (!descendants) {
		for (id = parent[id]; id != UINT32_MAX && !seen[id] && !rc; id = parent[id]) {
			seen[id] = 1;
			rc = lineage_push(out, n, &cap, member_of(vg, id));
		}
		goto done;
	}
	/* children lists in text order (LVs first), then depth first */
	first = malloc(total * sizeof(*first));
	next = malloc(total * sizeof(*next));
	stack = malloc(total * sizeof(*stack));
	if (!first || !next || !stack) {
		rc = -ENOMEM;
		goto done;
	}
	for (i = 0; i < total; i++)
		first[i] = UINT32_MAX;
	for (i = total; i-- > 0;)
		if (parent[i] != UINT32_MAX) {
			next[i] = first[parent[i]];
			first[parent[i]] = i;
		}
	top = 0;
	for (i = first[id]; i != UINT32_MAX; i = next[i])
		top++;
	/* push the children so that the first is on top */
	{
		uint32_t k = top;

		for (i = first[id]; i != UINT32_MAX; i = next[i])
			stack[--k] = i;
	}
	while (top && !rc) {
		uint32_t c = stack[--top], k, cnt = 0;

		if (seen[c])
			continue;
		seen[c] = 1;
		rc = lineage_push(out, n, &cap, member_of(vg, c));
		for (i = first[c]; i != UINT32_MAX; i = next[i])
			if (!seen[i])
				cnt++;
		/* each member is pushed at most once: its one parent is seen once */
		k = top + cnt;
		for (i = first[c]; i != UINT32_MAX; i = next[i])
			if (!seen[i])
				stack[--k] = i;
		top += cnt;
	}
done:
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	free(parent);
	free(seen);
	free(first);
	free(next);
	free(stack);
	return rc;
}

const char *mlvm_lineage_name(const struct mlvm_vg *vg, struct mlvm_lineage m, char *buf, size_t len)
{
	if (m.historical)
		snprintf(buf, len, "%c%s", MLVM_HLV_PREFIX,
			 m.index < vg->n_hlvs && vg->hlvs[m.index].name ? vg->hlvs[m.index].name : "?");
	else
		snprintf(buf, len, "%s", m.index < vg->n_lvs ? vg->lvs[m.index].name : "?");
	return buf;
}

char *mlvm_hlv_lineage_text(const struct mlvm_vg *vg, uint32_t h, bool descendants, const char *sep)
{
	struct mlvm_lineage who = { h, true }, *m;
	struct mlvm_buf b = { 0 };
	char name[160];
	uint32_t n, i;

	if (mlvm_lineage_walk(vg, who, descendants, &m, &n))
		return NULL;
	mlvm_buf_append(&b, "", 0);
	for (i = 0; i < n; i++)
		mlvm_buf_printf(&b, "%s%s", i ? sep : "", mlvm_lineage_name(vg, m[i], name, sizeof(name)));
	free(m);
	return b.data;
}

/* ------------------------------------------------------------ the VG */

static const struct cfg_node *find_vg_section(const struct cfg_node *root)
{
	const struct cfg_node *n;

	for (n = cfg_child(root); n; n = cfg_next(n))
		if (cfg_type(n) == CFG_SECTION && cfg_find(n, "id") &&
		    (cfg_find(n, "seqno") || cfg_find(n, "physical_volumes")))
			return n;
	return NULL;
}

bool mlvm_lv_is_snapshot(const struct mlvm_lv *lv)
{
	const char *t = lv && lv->n_segs == 1 ? lv->segs[0].type : NULL;

	return t && !strncmp(t, "snapshot", 8) && (!t[8] || t[8] == '+');
}

int mlvm_vg_from_tree(struct cfg_tree *tree, struct mlvm_vg **out,
		      struct mlvm_report *r, const char *image, int64_t where)
{
	struct ctx c = { .r = r, .image = image, .where = where };
	const struct cfg_node *root = tree->root, *n;
	struct mlvm_vg *vg;
	char what[160];
	const char *s;
	int64_t iv;
	int rc;

	*out = NULL;
	n = find_vg_section(root);
	if (!n) {
		mlvm_warn(r, "text_no_vg", image, where, "metadata text holds no volume group section");
		cfg_free(tree);
		return -EINVAL;
	}
	vg = calloc(1, sizeof(*vg));
	if (!vg) {
		cfg_free(tree);
		return -ENOMEM;
	}
	c.vg = vg;
	vg->tree = tree;
	vg->node = n;
	vg->name = cfg_key(n);
	vg->source.offset = where < 0 ? 0 : (uint64_t)where;
	vg->source.image = image;
	snprintf(what, sizeof(what), "vg %s", vg->name);

	if (!cfg_get_str(root, "contents", &s)) {
		if (strcmp(s, "Text Format Volume Group"))
			W(&c, "text_contents", root, "contents is \"%s\", not \"Text Format Volume Group\"", s);
	} else {
		W(&c, "text_contents", root, "metadata text has no contents line");
	}
	if (!cfg_get_int(root, "version", &iv)) {
		if (iv != 1)
			W(&c, "text_version", root, "metadata text version is %lld, not 1", (long long)iv);
	} else {
		W(&c, "text_version", root, "metadata text has no version line");
	}
	if (cfg_get_str(root, "description", &vg->description))
		vg->description = NULL;
	if (cfg_get_str(root, "creation_host", &vg->creation_host))
		vg->creation_host = NULL;
	if (cfg_get_int(root, "creation_time", &vg->creation_time))
		vg->creation_time = 0;

	if (!mlvm_name_valid(vg->name))
		W(&c, "text_name", n, "%s: not a valid VG name", what);
	vg->id = get_str(&c, n, "id", what, true);
	get_u64(&c, n, "seqno", what, true, &vg->seqno);
	if (vg->seqno > UINT32_MAX)
		W(&c, "text_seqno", n, "%s: seqno %llu is beyond LVM2's 32-bit range",
		  what, (unsigned long long)vg->seqno);
	if (get_u64(&c, n, "extent_size", what, true, &vg->extent_size) && vg->extent_size == 0)
		W(&c, "text_extent_size", n, "%s: extent_size is 0", what);
	if (cfg_get_int(n, "max_lv", &vg->max_lv))
		vg->max_lv = 0;
	if (cfg_get_int(n, "max_pv", &vg->max_pv))
		vg->max_pv = 0;
	vg->status = get_array(&c, n, "status", what);
	vg->flags = get_array(&c, n, "flags", what);
	vg->tags = get_array(&c, n, "tags", what);
	check_status(&c, vg->status, vg_status_known, what);

	rc = read_pvs(&c, cfg_find_type(n, "physical_volumes", CFG_SECTION));
	if (!rc)
		rc = read_lvs(&c, cfg_find_type(n, "logical_volumes", CFG_SECTION));
	if (!rc)
		rc = read_hlvs(&c, cfg_find_type(n, "historical_logical_volumes", CFG_SECTION));
	if (rc) {
		mlvm_vg_free(vg);
		return rc;
	}
	resolve_areas(&c);
	check_cycles(&c);
	rc = check_usage(&c);
	if (rc) {
		mlvm_vg_free(vg);
		return rc;
	}
	/* the LVs a cow store may belong to (lvmap's snapshot_of_cow asks each
	 * reader: with none, it need not look at every LV of the VG) */
	vg->n_snapshot_lvs = c.n_snapshots;
	vg->snapshots_counted = true;
	vg->n_unknown_status = c.n_unknown_status;
	*out = vg;
	return 0;
}

int mlvm_vg_from_text(char *text, size_t len, struct mlvm_vg **out,
		      struct mlvm_report *r, const char *image, int64_t where)
{
	struct cfg_tree *tree = NULL;
	int rc;

	*out = NULL;
	rc = cfg_parse(text, len, &tree, r, image, where);
	if (rc) {
		free(text);
		return rc;
	}
	return mlvm_vg_from_tree(tree, out, r, image, where);
}

/* the walk behind mlvm_lv_ambiguous_pv: each LV once, however the LVs
 * share sub-LVs, so hostile metadata cannot make it explode */
struct amb_walk {
	const struct mlvm_vg *vg;
	uint8_t *seen;
	unsigned depth;
	const struct mlvm_pv *found;
};

static void amb_lv(struct amb_walk *w, uint32_t lvi);

static bool amb_ref(void *ctx, const char *key, uint32_t lvi)
{
	struct amb_walk *w = ctx;

	(void)key;
	amb_lv(w, lvi);
	return !w->found;
}

static void amb_lv(struct amb_walk *w, uint32_t lvi)
{
	const struct mlvm_lv *lv = &w->vg->lvs[lvi];
	uint32_t s, a;

	if (w->seen[lvi] || w->depth > 256)
		return;
	w->seen[lvi] = 1;
	for (s = 0; s < lv->n_segs && !w->found; s++)
		for (a = 0; a < lv->segs[s].n_areas; a++) {
			const struct mlvm_area *ar = &lv->segs[s].areas[a];

			if (ar->kind == MLVM_AREA_PV && ar->ref >= 0 && (uint32_t)ar->ref < w->vg->n_pvs &&
			    w->vg->pvs[ar->ref].ambiguous) {
				w->found = &w->vg->pvs[ar->ref];
				return;
			}
		}
	w->depth++;
	for (s = 0; s < lv->n_segs && !w->found; s++)
		mlvm_seg_lv_refs(w->vg, &lv->segs[s], MLVM_REFS_ALL, amb_ref, w);
	w->depth--;
}

const struct mlvm_pv *mlvm_lv_ambiguous_pv(const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	struct amb_walk w = { .vg = vg };
	ptrdiff_t lvi = lv - vg->lvs;

	if (lvi < 0 || (size_t)lvi >= vg->n_lvs)
		return NULL;
	w.seen = calloc(vg->n_lvs, 1);
	if (!w.seen) {
		/* no memory to walk: refuse rather than risk a wrong guess */
		uint32_t i;

		for (i = 0; i < vg->n_pvs; i++)
			if (vg->pvs[i].ambiguous)
				return &vg->pvs[i];
		return NULL;
	}
	amb_lv(&w, (uint32_t)lvi);
	free(w.seen);
	return w.found;
}

const char *mlvm_pv_evidence_name(enum mlvm_pv_evidence e)
{
	switch (e) {
	case MLVM_PV_BY_LABEL:
		return "label";
	case MLVM_PV_BY_DAMAGED_LABEL:
		return "damaged_label";
	case MLVM_PV_BY_FIT:
		return "fit";
	case MLVM_PV_BY_CHOICE:
		return "choice";
	case MLVM_PV_BY_NONE:
		break;
	}
	return NULL;
}

void mlvm_vg_free(struct mlvm_vg *vg)
{
	if (!vg)
		return;
	if (vg->pvs)
		for (uint32_t i = 0; i < vg->n_pvs; i++)
			free(vg->pvs[i].others);
	free(vg->pvs);
	free(vg->lvs);		/* seg_pool and area_pool with it (model_alloc) */
	free(vg->hlvs);
	free(vg->lv_hash);
	free(vg->pv_hash);
	cfg_free(vg->tree);
	free(vg);
}
