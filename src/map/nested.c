/*
 * nested.c - volumes inside volumes (nested.h): probe every LV that could
 * hold a disk, add those that hold a PV to the set, assemble again.
 */
#include "map/nested.h"
#include "map/lvmap.h"
#include "map/lvsource.h"
#include "disk/label.h"
#include "io/layout.h"
#include "io/partition.h"
#include "base/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a PV label in one of the first four sectors of buf */
static bool label_in(const uint8_t *buf, size_t len)
{
	struct mlvm_label lab;
	uint64_t k;

	for (k = 0; k < MLVM_LABEL_SCAN_SECTORS && (k + 1) * MLVM_SECTOR_SIZE <= len; k++) {
		const uint8_t *sec = buf + k * MLVM_SECTOR_SIZE;

		/* what a label can start with (scan.h's rule), before parsing */
		if (memcmp(sec, "LABELONE", 8) && memcmp(sec, "MBCFMPOF", 8) &&
		    memcmp(sec + 24, "LVM2 001", 8) && memcmp(sec + 24, "JOUR 001", 8))
			continue;
		if (mlvm_label_parse(sec, k, &lab, NULL, NULL, 0) == 0)
			return true;
	}
	return false;
}

enum mlvm_nested_probe mlvm_nested_probe_buffer(const uint8_t *buf, size_t len)
{
	struct mlvm_mbr mbr;
	unsigned i;

	if (label_in(buf, len))
		return MLVM_NESTED_LABEL;
	if (len >= 2 * MLVM_PART_SECTOR &&
	    !memcmp(buf + MLVM_PART_SECTOR + MLVM_GPT_SIGNATURE_OFF, MLVM_GPT_SIGNATURE,
		    MLVM_GPT_SIGNATURE_LEN))
		return MLVM_NESTED_PARTITIONS;
	if (len < MLVM_PART_SECTOR || mlvm_mbr_parse(buf, &mbr) || !mbr.status_ok)
		return MLVM_NESTED_NONE;
	for (i = 0; i < 4; i++)
		if (mbr.e[i].type && mbr.e[i].start_lba && mbr.e[i].n_sectors)
			return MLVM_NESTED_PARTITIONS;
	return MLVM_NESTED_NONE;
}

/* a PV label at the start of one of the partitions of s */
static bool label_in_partition(struct mlvm_source *s)
{
	struct mlvm_partition_table t;
	uint8_t buf[MLVM_LABEL_SCAN_SECTORS * MLVM_SECTOR_SIZE];
	bool found = false;
	size_t i;

	if (mlvm_partitions_read(s, &t, NULL))
		return false;
	for (i = 0; i < t.n && !found; i++) {
		const struct mlvm_partition *p = &t.parts[i];

		if (p->extended || !p->start || p->size < sizeof(buf) || p->start >= s->size ||
		    s->size - p->start < sizeof(buf))
			continue;
		found = !mlvm_source_read(s, buf, sizeof(buf), p->start) && label_in(buf, sizeof(buf));
	}
	mlvm_partitions_free(&t);
	return found;
}

/* how deep vg lies: the deepest of the sources its PVs were found on */
static unsigned vg_depth(const struct mlvm_vg *vg)
{
	unsigned d = 0;
	uint32_t i;

	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].src && vg->pvs[i].src->inside && vg->pvs[i].src->inside->depth > d)
			d = vg->pvs[i].src->inside->depth;
	return d;
}

/* "VG/LV", or "VG@UUID/LV" when another VG of the set has the name */
static void lv_path(const struct mlvm_set *set, const struct mlvm_vg *vg,
		    const struct mlvm_lv *lv, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < set->n_vgs; i++)
		if (set->vgs[i] != vg && !strcmp(set->vgs[i]->name, vg->name) && vg->id) {
			snprintf(buf, len, "%s@%s/%s", vg->name, vg->id, lv->name);
			return;
		}
	snprintf(buf, len, "%s/%s", vg->name, lv->name);
}

/* byte off of image src lies in lv of vg, at *lv_off, through a linear segment */
static bool lv_holds(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		     const struct mlvm_source *src, uint64_t off, uint64_t *lv_off)
{
	uint64_t es = vg->extent_size * MLVM_SECTOR_SIZE;
	uint32_t i;

	for (i = 0; i < lv->n_segs; i++) {
		const struct mlvm_segment *g = &lv->segs[i];
		const struct mlvm_area *a = g->areas;
		const struct mlvm_pv *pv;
		uint64_t at, len;

		if (g->n_areas != 1 || !mlvm_seg_is(g, "striped") || a->kind != MLVM_AREA_PV ||
		    a->ref < 0 || (uint32_t)a->ref >= vg->n_pvs)
			continue;
		pv = &vg->pvs[a->ref];
		if (pv->src != src || !mlvm_pv_extent_bytes(vg, pv, a->start, g->area_len, &at, &len))
			continue;
		if (off >= at && off - at < len) {
			*lv_off = g->start_extent * es + (off - at);
			return true;
		}
	}
	return false;
}

int mlvm_nested_lv_at(const struct mlvm_set *set, const struct mlvm_source *src, uint64_t off,
		      const struct mlvm_vg **vg, const struct mlvm_lv **lv, uint64_t *lv_off)
{
	size_t v;
	uint32_t l;

	for (v = 0; v < set->n_vgs; v++) {
		if (set->vgs[v]->gone)
			continue;
		for (l = 0; l < set->vgs[v]->n_lvs; l++) {
			const struct mlvm_lv *x = &set->vgs[v]->lvs[l];

			if (x->visible && lv_holds(set->vgs[v], x, src, off, lv_off)) {
				*vg = set->vgs[v];
				*lv = x;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/*
 * The first MLVM_NESTED_PROBE bytes of lv lie in one image, at *at of
 * *img, through a linear first segment on a PV that is there.
 */
static bool linear_start(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			 struct mlvm_source **img, uint64_t *at)
{
	const struct mlvm_segment *g = lv->n_segs ? &lv->segs[0] : NULL;
	const struct mlvm_pv *pv;
	uint64_t len;

	if (!g || g->start_extent || g->n_areas != 1 || !mlvm_seg_is(g, "striped") ||
	    g->areas[0].kind != MLVM_AREA_PV || g->areas[0].ref < 0 ||
	    (uint32_t)g->areas[0].ref >= vg->n_pvs)
		return false;
	pv = &vg->pvs[g->areas[0].ref];
	if (pv->ambiguous || !mlvm_pv_extent_bytes(vg, pv, g->areas[0].start, g->area_len, at, &len) ||
	    len < MLVM_NESTED_PROBE || *at >= pv->src->size || pv->src->size - *at < MLVM_NESTED_PROBE)
		return false;
	*img = pv->src;
	return true;
}

/* a PV found in the images lies in lv's bytes (a deep scan found it there) */
static bool lv_holds_known(const struct mlvm_set *set, const struct mlvm_vg *vg,
			   const struct mlvm_lv *lv)
{
	uint64_t at;
	size_t i;

	for (i = 0; i < set->n_devs; i++)
		if (lv_holds(vg, lv, set->devs[i].src, set->devs[i].base, &at))
			return true;
	return false;
}

/* lv is shorter than the smallest device LVM2 makes a PV of (or the
 * opts' bound): no guest PV can be in it */
static bool too_small(const struct mlvm_set *set, const struct mlvm_vg *vg,
		      const struct mlvm_lv *lv)
{
	uint64_t min = set->opts.nested_min_bytes ? set->opts.nested_min_bytes : MLVM_NESTED_MIN_BYTES;

	return mlvm_lv_size(vg, lv) < min;
}

/*
 * Probe lv of vg; add it to the set when it holds a PV (in itself or a
 * partition). 1 when added, 0 when not, or a negative errno (-ENOMEM).
 */
static int probe_lv(struct mlvm_set *set, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		    unsigned depth)
{
	uint8_t buf[MLVM_NESTED_PROBE];
	struct mlvm_source *s, *img;
	uint64_t at;
	enum mlvm_nested_probe what;
	char name[512];
	size_t len;
	bool holds;
	int rc;

	if (!lv->visible || mlvm_lv_is_thin_pool(lv) || !lv->extent_count ||
	    too_small(set, vg, lv) || lv_holds_known(set, vg, lv))
		return 0;
	/* the common case, a linear start, read straight from its image: no
	 * reader is built for the thousands of LVs that hold no disk */
	if (linear_start(vg, lv, &img, &at)) {
		len = (size_t)MLVM_NESTED_PROBE;
		if (mlvm_source_read(img, buf, len, at) ||
		    mlvm_nested_probe_buffer(buf, len) == MLVM_NESTED_NONE)
			return 0;
	}
	lv_path(set, vg, lv, name, sizeof(name));
	rc = mlvm_lv_source_new(vg, lv, name, depth + 1, &s);
	if (rc)
		return rc == -ENOMEM ? rc : 0;	/* not readable as a whole: not probed */
	len = s->size < sizeof(buf) ? (size_t)s->size : sizeof(buf);
	what = mlvm_source_read(s, buf, len, 0) ? MLVM_NESTED_NONE : mlvm_nested_probe_buffer(buf, len);
	holds = what == MLVM_NESTED_LABEL || (what == MLVM_NESTED_PARTITIONS && label_in_partition(s));
	if (!holds) {
		mlvm_source_close(s);
		return 0;
	}
	if (depth >= MLVM_NESTED_MAX_DEPTH) {
		mlvm_notice(&set->report, "nested_depth", name, 0,
			    "LV %s holds an LVM2 physical volume, %u levels deep: volumes inside volumes are followed %d levels deep, so it is not opened",
			    name, depth + 1, MLVM_NESTED_MAX_DEPTH);
		mlvm_source_close(s);
		return 0;
	}
	rc = mlvm_set_add_source(set, s);	/* closes s on failure */
	return rc ? rc : 1;
}

int mlvm_set_assemble_nested(struct mlvm_set *set)
{
	size_t from = 0, to, v;
	uint32_t l;
	int rc, added;

	rc = mlvm_set_assemble_more(set);
	while (!rc) {
		added = 0;
		to = set->n_vgs;
		for (v = from; v < to && !rc; v++) {
			const struct mlvm_vg *vg = set->vgs[v];
			unsigned depth = vg_depth(vg);

			if (vg->gone)
				continue;
			for (l = 0; l < vg->n_lvs && rc >= 0; l++) {
				rc = probe_lv(set, vg, &vg->lvs[l], depth);
				added += rc > 0;
			}
			rc = rc < 0 ? rc : 0;
		}
		from = to;
		if (rc || !added)
			break;
		rc = mlvm_set_assemble_more(set);
	}
	return rc ? rc : mlvm_set_assemble_finish(set);
}

/* ------------------------------------------------------------ missing origins */

/* a run of a guest PV's image (a host LV) that the guest LV's extents use */
struct span {
	struct mlvm_source *src;
	uint64_t start, len;
};

struct spans {
	struct span *v;
	size_t n, cap;
	int err;
};

static void add_span(struct spans *s, struct mlvm_source *src, uint64_t start, uint64_t len)
{
	if (s->err || !len)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct span *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->err = -ENOMEM;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct span){ src, start, len };
}

/* the image runs of lv's extents on PVs whose image is an LV source, the
 * LVs it is built on included (raid images, mirror legs, ...) */
static void guest_spans(const struct mlvm_vg *vg, const struct mlvm_lv *lv, unsigned depth,
			struct spans *s)
{
	uint32_t i, a;

	if (depth > 8)
		return;
	for (i = 0; i < lv->n_segs; i++) {
		const struct mlvm_segment *g = &lv->segs[i];

		for (a = 0; a < g->n_areas; a++) {
			const struct mlvm_area *ar = &g->areas[a];
			uint64_t off, len;

			if (ar->ref < 0)
				continue;
			if (ar->kind == MLVM_AREA_LV) {
				if ((uint32_t)ar->ref < vg->n_lvs)
					guest_spans(vg, &vg->lvs[ar->ref], depth + 1, s);
				continue;
			}
			if ((uint32_t)ar->ref >= vg->n_pvs)
				continue;
			const struct mlvm_pv *pv = &vg->pvs[ar->ref];

			if (pv->src && pv->src->inside &&
			    mlvm_pv_extent_bytes(vg, pv, ar->start, g->area_len, &off, &len))
				add_span(s, pv->src, off, len);
		}
	}
}

struct origins {
	const struct mlvm_set *set;
	struct mlvm_source *src;
	const struct mlvm_vg *host_vg;
	const struct mlvm_lv *host_lv;
	struct mlvm_missing_origin *v;
	size_t n, cap;
	int err;
};

static int push_origin(struct origins *o, const struct mlvm_missing_origin *m)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct mlvm_missing_origin *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = *m;
	return 0;
}

static void note_pv(struct mlvm_missing_origin *m, const struct mlvm_pv *pv)
{
	uint32_t i;

	for (i = 0; i < m->n_pvs; i++)
		if (m->pvs[i] == pv)
			return;
	if (m->n_pvs < MLVM_ORIGIN_MAX_PVS)
		m->pvs[m->n_pvs++] = pv;
}

/* the missing PVs under lv (sub-LVs included) */
static void missing_pvs(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			const struct mlvm_segment *only, unsigned depth, struct mlvm_missing_origin *m)
{
	uint32_t i, a;

	if (depth > 8)
		return;
	for (i = 0; i < lv->n_segs; i++) {
		const struct mlvm_segment *g = &lv->segs[i];

		if (only && g != only)
			continue;
		for (a = 0; a < g->n_areas; a++) {
			const struct mlvm_area *ar = &g->areas[a];

			if (ar->ref < 0)
				continue;
			if (ar->kind == MLVM_AREA_LV && (uint32_t)ar->ref < vg->n_lvs)
				missing_pvs(vg, &vg->lvs[ar->ref], NULL, depth + 1, m);
			else if (ar->kind == MLVM_AREA_PV && (uint32_t)ar->ref < vg->n_pvs &&
				 vg->pvs[ar->ref].missing)
				note_pv(m, &vg->pvs[ar->ref]);
		}
	}
}

/* one run of host LV bytes read as missing: split at the host's segments */
static void add_missing(void *ctx, uint64_t start, uint64_t len)
{
	struct origins *o = ctx;
	const struct mlvm_vg *hv = o->host_vg;
	const struct mlvm_lv *hl = o->host_lv;
	uint64_t es = hv ? hv->extent_size * MLVM_SECTOR_SIZE : 0, end = start + len;
	uint32_t i;

	if (o->err)
		return;
	if (!hv || !hl || !es) {
		struct mlvm_missing_origin m = { .image = o->src->name, .start = start, .len = len };

		o->err = push_origin(o, &m);
		return;
	}
	for (i = 0; i < hl->n_segs && !o->err; i++) {
		const struct mlvm_segment *g = &hl->segs[i];
		uint64_t a = g->start_extent * es, b = (g->start_extent + g->extent_count) * es;
		struct mlvm_missing_origin m = { .image = o->src->name, .host_vg = hv, .host_lv = hl };

		if (b <= start || a >= end)
			continue;
		m.start = start > a ? start : a;
		m.len = (end < b ? end : b) - m.start;
		if (g->n_areas == 1 && g->areas[0].kind == MLVM_AREA_PV && g->areas[0].ref >= 0 &&
		    (uint32_t)g->areas[0].ref < hv->n_pvs && mlvm_seg_is(g, "striped")) {
			const struct mlvm_pv *pv = &hv->pvs[g->areas[0].ref];
			uint64_t off, plen;

			m.linear = true;
			note_pv(&m, pv);
			if (!pv->missing && mlvm_pv_extent_bytes(hv, pv, g->areas[0].start, g->area_len, &off, &plen))
				m.pv_off = off + (m.start - a);
		} else {
			missing_pvs(hv, hl, g, 0, &m);
		}
		o->err = push_origin(o, &m);
	}
}

static int span_cmp(const void *x, const void *y)
{
	const struct span *a = x, *b = y;
	int c = strcmp(a->src->name, b->src->name);

	if (c)
		return c;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* the host VG and LV an LV source reads (by their uuids) */
static void host_of(const struct mlvm_set *set, const struct mlvm_source *src,
		    const struct mlvm_vg **vg, const struct mlvm_lv **lv)
{
	size_t v;
	uint32_t l;

	*vg = NULL;
	*lv = NULL;
	for (v = 0; v < set->n_vgs; v++) {
		const struct mlvm_vg *x = set->vgs[v];

		if (x->gone || !x->id || strcmp(x->id, src->inside->vg_id))
			continue;
		for (l = 0; l < x->n_lvs; l++)
			if (x->lvs[l].id && !strcmp(x->lvs[l].id, src->inside->lv_id)) {
				*vg = x;
				*lv = &x->lvs[l];
				return;
			}
	}
}

int mlvm_missing_origins(const struct mlvm_set *set, const struct mlvm_vg *vg,
			 const struct mlvm_lv *lv, struct mlvm_missing_origin **out, size_t *n)
{
	struct spans s = { 0 };
	struct origins o = { .set = set };
	size_t i, j;

	*out = NULL;
	*n = 0;
	guest_spans(vg, lv, 0, &s);
	if (s.err) {
		free(s.v);
		return s.err;
	}
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), span_cmp);
	/* merge overlapping runs of one image, so no host byte is told twice */
	for (i = 0, j = 0; i < s.n; i++) {
		if (j && s.v[j - 1].src == s.v[i].src &&
		    s.v[i].start <= s.v[j - 1].start + s.v[j - 1].len) {
			uint64_t e = s.v[i].start + s.v[i].len;

			if (e > s.v[j - 1].start + s.v[j - 1].len)
				s.v[j - 1].len = e - s.v[j - 1].start;
			continue;
		}
		s.v[j++] = s.v[i];
	}
	s.n = j;
	for (i = 0; i < s.n && !o.err; i++) {
		o.src = s.v[i].src;
		host_of(set, o.src, &o.host_vg, &o.host_lv);
		mlvm_source_missing(o.src, s.v[i].start, s.v[i].len, add_missing, &o);
	}
	free(s.v);
	if (o.err) {
		free(o.v);
		return o.err;
	}
	*out = o.v;
	*n = o.n;
	return 0;
}
