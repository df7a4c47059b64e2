/*
 * diff.c - what changed between two generations of a VG (diff.h).
 */
#include "model/diff.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/vgspec.h"

struct differ {
	struct mlvm_vg_change *v;
	size_t n, cap;
	int err;		/* -ENOMEM once anything could not be kept */
};

static char *dup_or_null(struct differ *d, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		d->err = -ENOMEM;
	return c;
}

static void change(struct differ *d, const char *kind, const char *field, const char *lv,
		   const char *pv, const char *id, const char *before, const char *after)
{
	struct mlvm_vg_change *c;

	if (d->err)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct mlvm_vg_change *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->err = -ENOMEM;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	c = &d->v[d->n++];
	c->kind = kind;
	c->field = field;
	c->lv = dup_or_null(d, lv);
	c->pv = dup_or_null(d, pv);
	c->id = dup_or_null(d, id);
	c->before = dup_or_null(d, before);
	c->after = dup_or_null(d, after);
}

/* where an LV's extents lie, as text, to show a move */
static char *mapping_of(const struct mlvm_lv *lv)
{
	struct mlvm_buf b = { 0 };
	uint32_t i, k;

	mlvm_buf_append(&b, "", 0);
	for (i = 0; i < lv->n_segs; i++) {
		const struct mlvm_segment *s = &lv->segs[i];

		mlvm_buf_printf(&b, "%s%s@%llu+%llu:", i ? " " : "", s->type ? s->type : "?",
				(unsigned long long)s->start_extent, (unsigned long long)s->extent_count);
		for (k = 0; k < s->n_areas; k++)
			mlvm_buf_printf(&b, "%s%s:%llu", k ? "," : "", s->areas[k].name,
					(unsigned long long)s->areas[k].start);
	}
	return b.data;
}

/*
 * The extents both generations of an LV have lie elsewhere: a segment they
 * share differs in start, type or areas, or in length where it is not the
 * last they share (an lvextend or lvreduce changes the last segment's
 * length in place, or adds or drops segments after it: not a move).
 */
/* an area's PV by uuid (the pvN names are local to each text), else its name */
static const char *area_key(const struct mlvm_vg *vg, const struct mlvm_area *a)
{
	if (a->kind == MLVM_AREA_PV && a->ref >= 0 && (uint32_t)a->ref < vg->n_pvs && vg->pvs[a->ref].id)
		return vg->pvs[a->ref].id;
	if (a->kind == MLVM_AREA_LV && a->ref >= 0 && (uint32_t)a->ref < vg->n_lvs && vg->lvs[a->ref].id)
		return vg->lvs[a->ref].id;
	return a->name ? a->name : "";
}

static bool lv_moved(const struct mlvm_vg *x, const struct mlvm_lv *p, const struct mlvm_vg *y,
		     const struct mlvm_lv *q)
{
	uint32_t i, k, m = p->n_segs < q->n_segs ? p->n_segs : q->n_segs;

	for (i = 0; i < m; i++) {
		const struct mlvm_segment *a = &p->segs[i], *b = &q->segs[i];

		if (a->start_extent != b->start_extent || a->n_areas != b->n_areas ||
		    strcmp(a->type ? a->type : "", b->type ? b->type : "") ||
		    (i + 1 < m && a->extent_count != b->extent_count))
			return true;
		for (k = 0; k < a->n_areas; k++)
			if (a->areas[k].start != b->areas[k].start ||
			    a->areas[k].kind != b->areas[k].kind ||
			    strcmp(area_key(x, &a->areas[k]), area_key(y, &b->areas[k])))
				return true;
	}
	return false;
}

/* name: the LV's (lv_* kinds) or the PV's (pv_* kinds) */
static void diff_strs(struct differ *d, const char *kind, const char *field, const char *name,
		      const char *id, const struct cfg_node *a, const struct cfg_node *b)
{
	char *x = cfg_join_strings(a, ","), *y = cfg_join_strings(b, ",");
	bool pv = !strncmp(kind, "pv_", 3);

	if (x && y && strcmp(x, y))
		change(d, kind, field, pv ? NULL : name, pv ? name : NULL, id, x, y);
	free(x);
	free(y);
}

static const struct mlvm_lv *lv_by_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_lvs; i++)
		if (vg->lvs[i].id && id && !strcmp(vg->lvs[i].id, id))
			return &vg->lvs[i];
	return NULL;
}

static const struct mlvm_pv *pv_by_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].id && id && !strcmp(vg->pvs[i].id, id))
			return &vg->pvs[i];
	return NULL;
}

/* "N extents", and the dev_size and pe_start (sectors) where they differ from other's */
static void pv_size_text(const struct mlvm_pv *p, const struct mlvm_pv *other, char *buf, size_t len)
{
	int o = snprintf(buf, len, "%llu %s", (unsigned long long)p->pe_count,
			 mlvm_plural(p->pe_count, "extent", "extents"));

	if (o > 0 && (size_t)o < len && p->dev_size != other->dev_size)
		o += snprintf(buf + o, len - (size_t)o, ", dev_size %llu %s", (unsigned long long)p->dev_size,
			      mlvm_plural(p->dev_size, "sector", "sectors"));
	if (o > 0 && (size_t)o < len && p->pe_start != other->pe_start)
		snprintf(buf + o, len - (size_t)o, ", pe_start %llu %s", (unsigned long long)p->pe_start,
			 mlvm_plural(p->pe_start, "sector", "sectors"));
}

static const struct mlvm_hlv *hlv_by_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_hlvs; i++)
		if (vg->hlvs[i].id && id && !strcmp(vg->hlvs[i].id, id))
			return &vg->hlvs[i];
	return NULL;
}

/* the historical LVs (record_lvs_history) of x that y lacks, as changes of
 * kind (hlv_removed: x is the older generation; hlv_added: the newer),
 * named "-name" as LVM2 names them */
static void diff_hlvs(struct differ *d, const struct mlvm_vg *x, const struct mlvm_vg *y,
		      const char *kind)
{
	bool added = !strcmp(kind, "hlv_added");
	char name[160];
	uint32_t i;

	for (i = 0; i < x->n_hlvs; i++) {
		const struct mlvm_hlv *h = &x->hlvs[i];

		if (hlv_by_id(y, h->id))
			continue;
		snprintf(name, sizeof(name), "%c%s", MLVM_HLV_PREFIX, h->name ? h->name : "?");
		change(d, kind, NULL, name, NULL, h->id, added ? NULL : name, added ? name : NULL);
	}
}

static void diff_vgs(struct differ *d, const struct mlvm_vg *a, const struct mlvm_vg *b)
{
	char x[160], y[160];
	uint32_t i;

	if (!a->name != !b->name || (a->name && strcmp(a->name, b->name)))
		change(d, "vg_changed", "name", NULL, NULL, a->id, a->name, b->name);
	if (!a->id != !b->id || (a->id && strcmp(a->id, b->id)))
		change(d, "vg_changed", "id", NULL, NULL, a->id, a->id, b->id);
	if (a->extent_size != b->extent_size) {
		snprintf(x, sizeof(x), "extent_size %llu", (unsigned long long)a->extent_size);
		snprintf(y, sizeof(y), "extent_size %llu", (unsigned long long)b->extent_size);
		change(d, "vg_changed", "extent_size", NULL, NULL, a->id, x, y);
	}
	if (a->max_lv != b->max_lv || a->max_pv != b->max_pv) {
		snprintf(x, sizeof(x), "max_lv %lld max_pv %lld", (long long)a->max_lv, (long long)a->max_pv);
		snprintf(y, sizeof(y), "max_lv %lld max_pv %lld", (long long)b->max_lv, (long long)b->max_pv);
		change(d, "vg_changed", "limits", NULL, NULL, a->id, x, y);
	}
	diff_strs(d, "vg_changed", "status", NULL, a->id, a->status, b->status);
	diff_strs(d, "vg_changed", "tags", NULL, a->id, a->tags, b->tags);

	for (i = 0; i < a->n_pvs; i++) {
		const struct mlvm_pv *p = &a->pvs[i], *q = pv_by_id(b, p->id);

		if (!q) {
			change(d, "pv_removed", NULL, NULL, p->name, p->id, p->name, NULL);
			continue;
		}
		if (p->pe_count != q->pe_count || p->dev_size != q->dev_size || p->pe_start != q->pe_start) {
			pv_size_text(p, q, x, sizeof(x));
			pv_size_text(q, p, y, sizeof(y));
			change(d, "pv_changed", "size", NULL, q->name, p->id, x, y);
		}
		diff_strs(d, "pv_changed", "status", q->name, p->id, p->status, q->status);
		diff_strs(d, "pv_changed", "tags", q->name, p->id, p->tags, q->tags);
	}
	for (i = 0; i < b->n_pvs; i++)
		if (!pv_by_id(a, b->pvs[i].id))
			change(d, "pv_added", NULL, NULL, b->pvs[i].name, b->pvs[i].id, NULL, b->pvs[i].name);

	for (i = 0; i < a->n_lvs; i++) {
		const struct mlvm_lv *p = &a->lvs[i], *q = lv_by_id(b, p->id);
		char *m1, *m2;

		if (!q) {
			change(d, "lv_removed", NULL, p->name, NULL, p->id, p->name, NULL);
			continue;
		}
		if (strcmp(p->name, q->name))
			change(d, "lv_renamed", NULL, q->name, NULL, p->id, p->name, q->name);
		if (p->extent_count != q->extent_count) {
			snprintf(x, sizeof(x), "%llu %s", (unsigned long long)p->extent_count,
				 mlvm_plural(p->extent_count, "extent", "extents"));
			snprintf(y, sizeof(y), "%llu %s", (unsigned long long)q->extent_count,
				 mlvm_plural(q->extent_count, "extent", "extents"));
			change(d, "lv_resized", NULL, q->name, NULL, p->id, x, y);
		}
		/* moved: the extents they share lie elsewhere (not just grown or shrunk) */
		if (lv_moved(a, p, b, q)) {
			m1 = mapping_of(p);
			m2 = mapping_of(q);
			if (m1 && m2)
				change(d, "lv_moved", NULL, q->name, NULL, p->id, m1, m2);
			else
				d->err = -ENOMEM;
			free(m1);
			free(m2);
		}
		diff_strs(d, "lv_tags", NULL, q->name, p->id, mlvm_node_array(p->node, "tags"),
			  mlvm_node_array(q->node, "tags"));
		diff_strs(d, "lv_status", NULL, q->name, p->id, mlvm_node_array(p->node, "status"),
			  mlvm_node_array(q->node, "status"));
	}
	for (i = 0; i < b->n_lvs; i++)
		if (!lv_by_id(a, b->lvs[i].id))
			change(d, "lv_added", NULL, b->lvs[i].name, NULL, b->lvs[i].id, NULL, b->lvs[i].name);
	diff_hlvs(d, a, b, "hlv_removed");
	diff_hlvs(d, b, a, "hlv_added");
}

int mlvm_vg_diff(const struct mlvm_vg *a, const struct mlvm_vg *b, struct mlvm_vg_change **out,
		 size_t *n)
{
	struct differ d = { 0 };

	*out = NULL;
	*n = 0;
	diff_vgs(&d, a, b);
	if (d.err) {
		mlvm_vg_changes_free(d.v, d.n);
		return d.err;
	}
	*out = d.v;
	*n = d.n;
	return 0;
}

void mlvm_vg_changes_free(struct mlvm_vg_change *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].lv);
		free(v[i].pv);
		free(v[i].id);
		free(v[i].before);
		free(v[i].after);
	}
	free(v);
}

bool mlvm_vg_same_id(const char *a, const char *b)
{
	char x[33], y[33];

	if (!a || !b)
		return false;
	if (!mlvm_vgspec_uuid(a, strlen(a), x) || !mlvm_vgspec_uuid(b, strlen(b), y))
		return !strcmp(a, b);
	return !strcmp(x, y);
}

bool mlvm_vg_share_pv(const struct mlvm_vg *a, const struct mlvm_vg *b)
{
	uint32_t i, k;

	for (i = 0; i < a->n_pvs; i++)
		for (k = 0; k < b->n_pvs; k++)
			if (a->pvs[i].id && mlvm_vg_same_id(a->pvs[i].id, b->pvs[k].id))
				return true;
	return false;
}

bool mlvm_vg_follows(const struct mlvm_vg *a, uint64_t a_lo, uint64_t a_hi, const struct mlvm_vg *b,
		     uint64_t b_lo, uint64_t b_hi)
{
	return mlvm_vg_share_pv(a, b) && (a_hi < b_lo || b_hi < a_lo);
}
