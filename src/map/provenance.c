/*
 * provenance.c - extent provenance across metadata generations (see
 * provenance.h for what counts as reuse and the limits).
 */
#include "map/provenance.h"
#include "base/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/assemble.h"
#include "text/carve.h"
#include "base/util.h"

/* ------------------------------------------------------------ interning */

struct strtab {
	char **s;		/* by index */
	size_t n, cap;
	uint32_t *slot;		/* index + 1, 0 empty */
	size_t mask;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static long strtab_find(const struct strtab *t, const char *s)
{
	size_t i;

	if (!t->slot)
		return -1;
	for (i = hash_str(s) & t->mask; t->slot[i]; i = (i + 1) & t->mask)
		if (!strcmp(t->s[t->slot[i] - 1], s))
			return (long)t->slot[i] - 1;
	return -1;
}

static int strtab_grow(struct strtab *t)
{
	size_t cap = t->mask ? (t->mask + 1) * 2 : 64, i, j;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		for (j = hash_str(t->s[i]) & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = (uint32_t)(i + 1);
	}
	free(t->slot);
	t->slot = slot;
	t->mask = cap - 1;
	return 0;
}

/* index of s, added when new: >= 0 or -ENOMEM */
static long strtab_intern(struct strtab *t, const char *s)
{
	long i = strtab_find(t, s);
	size_t j;

	if (i >= 0)
		return i;
	if (t->n >= UINT32_MAX - 1)
		return -ENOMEM;
	if (!t->slot || (t->n + 1) * 2 > t->mask + 1) {
		if (strtab_grow(t))
			return -ENOMEM;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **v = realloc(t->s, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->s = v;
		t->cap = cap;
	}
	t->s[t->n] = strdup(s);
	if (!t->s[t->n])
		return -ENOMEM;
	for (j = hash_str(s) & t->mask; t->slot[j]; j = (j + 1) & t->mask)
		;
	t->slot[j] = (uint32_t)(t->n + 1);
	return (long)t->n++;
}

static void strtab_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slot);
}

/* ------------------------------------------------------------ the engine */

/* a name an LV took from generation g on */
struct lvname {
	size_t g;
	char *name;
};

struct plv {
	struct lvname *names;
	size_t n_names;
};

/* generations a PV was in the VG, as runs */
struct prun {
	size_t g_first, g_last;
};

struct ppv {
	uint64_t pe_count;	/* newest */
	uint64_t max_pe;	/* largest over the generations */
	struct prun *runs;
	size_t n_runs;
};

/* one segment area on a PV over a run of generations */
struct rec {
	uint64_t pe, count;
	uint64_t key;		/* the segment's first LE */
	uint64_t stripe;	/* sectors (several areas), 0 */
	uint32_t pv, lv, top;
	uint32_t area, n_areas;
	size_t g_first, g_last;
};

struct mlvm_prov {
	char *vg_id;
	uint64_t *seqnos;
	size_t n_gens, cap_gens;
	struct strtab pv_ids, lv_ids;
	struct ppv *pvs;	/* by pv_ids index */
	size_t cap_pvs;
	struct plv *lvs;	/* by lv_ids index */
	size_t cap_lvs;
	struct rec *recs;
	size_t n_recs, cap_recs;
	size_t *alive;		/* records of the newest generation, sorted (cmp_rec) */
	size_t n_alive;
};

struct mlvm_prov *mlvm_prov_new(const char *vg_id)
{
	struct mlvm_prov *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->vg_id = strdup(vg_id ? vg_id : "");
	if (!p->vg_id) {
		free(p);
		return NULL;
	}
	return p;
}

void mlvm_prov_free(struct mlvm_prov *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->lv_ids.n && p->lvs; i++) {
		for (j = 0; j < p->lvs[i].n_names; j++)
			free(p->lvs[i].names[j].name);
		free(p->lvs[i].names);
	}
	for (i = 0; i < p->pv_ids.n && p->pvs; i++)
		free(p->pvs[i].runs);
	free(p->lvs);
	free(p->pvs);
	strtab_free(&p->pv_ids);
	strtab_free(&p->lv_ids);
	free(p->recs);
	free(p->alive);
	free(p->seqnos);
	free(p->vg_id);
	free(p);
}

size_t mlvm_prov_n_gens(const struct mlvm_prov *p)
{
	return p->n_gens;
}

uint64_t mlvm_prov_gen_seqno(const struct mlvm_prov *p, size_t i)
{
	return i < p->n_gens ? p->seqnos[i] : 0;
}

long mlvm_prov_gen_index(const struct mlvm_prov *p, uint64_t seqno)
{
	size_t lo = 0, hi = p->n_gens;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->seqnos[mid] < seqno)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n_gens && p->seqnos[lo] == seqno ? (long)lo : -1;
}

size_t mlvm_prov_n_pvs(const struct mlvm_prov *p)
{
	return p->pv_ids.n;
}

const char *mlvm_prov_pv_id(const struct mlvm_prov *p, size_t i)
{
	return i < p->pv_ids.n ? p->pv_ids.s[i] : NULL;
}

uint64_t mlvm_prov_pv_pe_count(const struct mlvm_prov *p, size_t i)
{
	return i < p->pv_ids.n ? p->pvs[i].pe_count : 0;
}

/* the name LV i had in generation g (its first name when none is older) */
static const char *lv_name_at(const struct mlvm_prov *p, uint32_t i, size_t g)
{
	const struct plv *l = &p->lvs[i];
	size_t k;

	if (!l->n_names)
		return "?";
	for (k = l->n_names; k > 1; k--)
		if (l->names[k - 1].g <= g)
			break;
	return l->names[k - 1].name;
}

/* the first generation after g in which LV i has another name, SIZE_MAX */
static size_t name_change_after(const struct mlvm_prov *p, uint32_t i, size_t g)
{
	const struct plv *l = &p->lvs[i];
	size_t k;

	for (k = 0; k < l->n_names; k++)
		if (l->names[k].g > g)
			return l->names[k].g;
	return SIZE_MAX;
}

/* ------------------------------------------------------------ top LV */

/* the LV that refers to each hidden LV first (areas, then keys naming it), -1 */
struct parents_ctx {
	const struct mlvm_vg *vg;
	int32_t *par;
	uint32_t l;
};

static bool parent_ref(void *ctx, const char *key, uint32_t r)
{
	struct parents_ctx *c = ctx;

	(void)key;
	if (r != c->l && !c->vg->lvs[r].visible && c->par[r] < 0)
		c->par[r] = (int32_t)c->l;
	return true;
}

static int32_t *parents_of(const struct mlvm_vg *vg)
{
	struct parents_ctx c = { .vg = vg };
	uint32_t l, j;

	c.par = malloc((vg->n_lvs ? vg->n_lvs : 1) * sizeof(*c.par));
	if (!c.par)
		return NULL;
	for (l = 0; l < vg->n_lvs; l++)
		c.par[l] = -1;
	for (l = 0; l < vg->n_lvs; l++) {
		c.l = l;
		for (j = 0; j < vg->lvs[l].n_segs; j++)
			mlvm_seg_lv_refs(vg, &vg->lvs[l].segs[j], MLVM_REFS_ALL, parent_ref, &c);
	}
	return c.par;
}

static int32_t top_with(const struct mlvm_vg *vg, const int32_t *par, int32_t lvi)
{
	int32_t cur = lvi;
	uint32_t steps;

	for (steps = 0; steps <= vg->n_lvs; steps++) {
		if (vg->lvs[cur].visible || par[cur] < 0)
			return vg->lvs[cur].visible ? cur : lvi;
		cur = par[cur];
	}
	return lvi;	/* a cycle: no visible LV */
}

int32_t mlvm_prov_top(const struct mlvm_vg *vg, int32_t lvi)
{
	int32_t *par, t;

	if (lvi < 0 || (uint32_t)lvi >= vg->n_lvs)
		return -1;
	if (vg->lvs[lvi].visible)
		return lvi;
	par = parents_of(vg);
	if (!par)
		return lvi;
	t = top_with(vg, par, lvi);
	free(par);
	return t;
}

/* ------------------------------------------------------------ adding */

static int cmp_rec(const struct rec *a, const struct rec *b)
{
#define CMP(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
	CMP(pv);
	CMP(pe);
	CMP(count);
	CMP(lv);
	CMP(key);
	CMP(stripe);
	CMP(area);
	CMP(n_areas);
	CMP(top);
#undef CMP
	return 0;
}

static int cmp_rec_q(const void *x, const void *y)
{
	return cmp_rec(x, y);
}

static int push_rec(struct mlvm_prov *p, const struct rec *r)
{
	if (p->n_recs == p->cap_recs) {
		size_t cap = p->cap_recs ? p->cap_recs * 2 : 256;
		struct rec *v = realloc(p->recs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->recs = v;
		p->cap_recs = cap;
	}
	p->recs[p->n_recs++] = *r;
	return 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *v;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	v = realloc(*arr, c * size);
	if (!v)
		return -ENOMEM;
	memset((char *)v + *cap * size, 0, (c - *cap) * size);
	*arr = v;
	*cap = c;
	return 0;
}

static int note_pv(struct mlvm_prov *p, long i, const struct mlvm_pv *pv, size_t g)
{
	struct ppv *x;

	if (grow((void **)&p->pvs, &p->cap_pvs, p->pv_ids.n, sizeof(*p->pvs)))
		return -ENOMEM;
	x = &p->pvs[i];
	x->pe_count = pv->pe_count;
	if (pv->pe_count > x->max_pe)
		x->max_pe = pv->pe_count;
	if (x->n_runs && x->runs[x->n_runs - 1].g_last + 1 == g) {
		x->runs[x->n_runs - 1].g_last = g;
	} else if (!x->n_runs || x->runs[x->n_runs - 1].g_last != g) {
		struct prun *v = realloc(x->runs, (x->n_runs + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		x->runs = v;
		x->runs[x->n_runs++] = (struct prun){ g, g };
	}
	return 0;
}

static int note_lv(struct mlvm_prov *p, long i, const char *name, size_t g)
{
	struct plv *x;
	struct lvname *v;

	if (grow((void **)&p->lvs, &p->cap_lvs, p->lv_ids.n, sizeof(*p->lvs)))
		return -ENOMEM;
	x = &p->lvs[i];
	if (x->n_names && !strcmp(x->names[x->n_names - 1].name, name))
		return 0;
	v = realloc(x->names, (x->n_names + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	x->names = v;
	x->names[x->n_names].g = g;
	x->names[x->n_names].name = strdup(name);
	if (!x->names[x->n_names].name)
		return -ENOMEM;
	x->n_names++;
	return 0;
}

/* the key an LV is known by: its id, or its name when it has none */
static const char *lv_key(const struct mlvm_lv *lv, char *buf, size_t len)
{
	if (lv->id)
		return lv->id;
	snprintf(buf, len, "name:%s", lv->name ? lv->name : "");
	return buf;
}

int mlvm_prov_add(struct mlvm_prov *p, const struct mlvm_vg *vg)
{
	long *pvmap = NULL, *lvmap = NULL;
	int32_t *par = NULL;
	struct rec *nr = NULL;
	size_t n_nr = 0, cap_nr = 0, g, i, a_i, *alive = NULL, n_alive = 0;
	uint32_t l, j, k;
	int rc = -ENOMEM;
	char buf[300];

	if (!vg->id || strcmp(vg->id, p->vg_id))
		return -EINVAL;
	if (p->n_gens && vg->seqno == p->seqnos[p->n_gens - 1])
		return 1;
	if (p->n_gens && vg->seqno < p->seqnos[p->n_gens - 1])
		return -EINVAL;
	if (grow((void **)&p->seqnos, &p->cap_gens, p->n_gens + 1, sizeof(*p->seqnos)))
		return -ENOMEM;
	g = p->n_gens;
	pvmap = malloc((vg->n_pvs ? vg->n_pvs : 1) * sizeof(*pvmap));
	lvmap = malloc((vg->n_lvs ? vg->n_lvs : 1) * sizeof(*lvmap));
	par = parents_of(vg);
	if (!pvmap || !lvmap || !par)
		goto out;
	for (i = 0; i < vg->n_pvs; i++) {
		pvmap[i] = -1;
		if (!vg->pvs[i].id)
			continue;
		pvmap[i] = strtab_intern(&p->pv_ids, vg->pvs[i].id);
		if (pvmap[i] < 0 || note_pv(p, pvmap[i], &vg->pvs[i], g))
			goto out;
	}
	for (l = 0; l < vg->n_lvs; l++) {
		lvmap[l] = strtab_intern(&p->lv_ids, lv_key(&vg->lvs[l], buf, sizeof(buf)));
		if (lvmap[l] < 0 || note_lv(p, lvmap[l], vg->lvs[l].name ? vg->lvs[l].name : "?", g))
			goto out;
	}
	for (l = 0; l < vg->n_lvs; l++) {
		int32_t top = top_with(vg, par, (int32_t)l);

		for (j = 0; j < vg->lvs[l].n_segs; j++) {
			const struct mlvm_segment *s = &vg->lvs[l].segs[j];

			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];
				struct rec r;

				if (a->kind != MLVM_AREA_PV || a->ref < 0 || (uint32_t)a->ref >= vg->n_pvs ||
				    pvmap[a->ref] < 0 || !s->area_len)
					continue;
				memset(&r, 0, sizeof(r));
				r.pe = a->start;
				r.count = s->area_len;
				r.key = s->start_extent;
				r.stripe = s->n_areas > 1 ? mlvm_seg_stripe_size(s) : 0;
				r.pv = (uint32_t)pvmap[a->ref];
				r.lv = (uint32_t)lvmap[l];
				r.top = (uint32_t)lvmap[top];
				r.area = k;
				r.n_areas = s->n_areas;
				r.g_first = r.g_last = g;
				if (grow((void **)&nr, &cap_nr, n_nr + 1, sizeof(*nr)))
					goto out;
				nr[n_nr++] = r;
			}
		}
	}
	if (n_nr)
		qsort(nr, n_nr, sizeof(*nr), cmp_rec_q);
	alive = malloc((n_nr ? n_nr : 1) * sizeof(*alive));
	if (!alive)
		goto out;
	/* the same area as in the generation before extends its record */
	for (i = 0, a_i = 0; i < n_nr; i++) {
		int c = 1;

		if (i > 0 && !cmp_rec(&nr[i], &nr[i - 1]))
			continue;	/* the same area twice */
		while (a_i < p->n_alive && (c = cmp_rec(&p->recs[p->alive[a_i]], &nr[i])) < 0)
			a_i++;
		if (a_i < p->n_alive && c == 0 && g > 0 && p->recs[p->alive[a_i]].g_last == g - 1) {
			p->recs[p->alive[a_i]].g_last = g;
			alive[n_alive++] = p->alive[a_i];
			a_i++;
			continue;
		}
		if (push_rec(p, &nr[i]))
			goto out;
		alive[n_alive++] = p->n_recs - 1;
	}
	free(p->alive);
	p->alive = alive;
	p->n_alive = n_alive;
	alive = NULL;
	p->seqnos[p->n_gens++] = vg->seqno;
	rc = 0;
out:
	free(alive);
	free(nr);
	free(par);
	free(pvmap);
	free(lvmap);
	return rc;
}

/* ------------------------------------------------------------ from a set */

struct gencopy {
	const struct mlvm_pvdev *dev;
	const struct mlvm_mda_info *mda;
	const struct mlvm_generation *g;
	const struct mlvm_gen_ref *ref;	/* in mlvm_set_generations' list */
};

static int cmp_copy(const void *x, const void *y)
{
	const struct gencopy *a = x, *b = y;

	if (a->g->seqno != b->g->seqno)
		return a->g->seqno < b->g->seqno ? -1 : 1;
	/* committed slot copies (checksum compared) first */
	if ((a->g->checksum_ok == 1) != (b->g->checksum_ok == 1))
		return a->g->checksum_ok == 1 ? -1 : 1;
	/* ring copies before copies outside the rings, those in the list's order */
	if (a->ref->loose || b->ref->loose)
		return !a->ref->loose ? -1 : !b->ref->loose ? 1 : a->ref < b->ref ? -1 : a->ref > b->ref;
	/* then always the same area first: its buffer is kept */
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->mda != b->mda)
		return a->mda < b->mda ? -1 : 1;
	return a->g < b->g ? -1 : a->g > b->g;
}

/* one metadata area held in memory (mapped or read), reused across copies */
/* the metadata area last read, kept while its generations are parsed */
struct area_cache {
	const struct mlvm_mda_info *mda;
	struct mlvm_area_view v;
};

/* the text of generation g of area mda, reading the area only when it is
 * not the one held already */
static int area_text(struct mlvm_set *set, struct area_cache *a, const struct gencopy *c,
		     char **text, size_t *len)
{
	const struct mlvm_mda_info *mda = c->mda;

	if (c->ref->loose)
		return mlvm_gen_ref_text(set, c->ref, text, len);
	if (a->mda != mda) {
		int rc;

		mlvm_area_view_close(&a->v);
		a->mda = NULL;
		rc = mlvm_area_view_open(c->dev, mda, &a->v);
		if (rc)
			return rc;
		a->mda = mda;
	}
	return mlvm_carve_text(a->v.buf, a->v.size, c->g, text, len);
}

int mlvm_prov_from_set(struct mlvm_set *set, const char *vg_id, struct mlvm_prov **out)
{
	struct gencopy *c = NULL;
	struct area_cache area = { 0 };
	struct mlvm_prov *p;
	struct mlvm_gen_ref *refs = NULL;
	size_t n = 0, n_refs = 0, i, g, done_seqno_set = 0;
	uint64_t done_seqno = 0;
	int rc = 0;

	*out = NULL;
	p = mlvm_prov_new(vg_id);
	if (!p)
		return -ENOMEM;
	rc = mlvm_set_generations(set, &refs, &n_refs);
	c = rc ? NULL : malloc((n_refs ? n_refs : 1) * sizeof(*c));
	if (!c) {
		free(refs);
		mlvm_prov_free(p);
		return -ENOMEM;
	}
	for (g = 0; g < n_refs; g++) {
		const struct mlvm_generation *gen = refs[g].g;

		if (!gen->seqno_known || strcmp(gen->vg_id, vg_id) || !gen->complete ||
		    !gen->parse_ok || gen->checksum_ok == 0 ||
		    (refs[g].loose && refs[g].loose->duplicate))
			continue;
		c[n] = (struct gencopy){ refs[g].dev, refs[g].mda, gen, &refs[g] };
		n++;
	}
	if (n)
		qsort(c, n, sizeof(*c), cmp_copy);
	for (i = 0; i < n; i++) {
		struct mlvm_report scratch;
		struct mlvm_vg *vg = NULL;
		char *text = NULL;
		size_t len = 0;
		int r;

		if (done_seqno_set && c[i].g->seqno == done_seqno)
			continue;	/* this seqno is in already */
		r = area_text(set, &area, &c[i], &text, &len);
		if (r == -ENOMEM) {
			rc = r;
			break;
		}
		if (r)
			continue;
		mlvm_report_init(&scratch);
		r = mlvm_vg_from_text(text, len, &vg, &scratch, NULL, -1);
		mlvm_report_free(&scratch);
		if (r == -ENOMEM) {
			rc = r;
			break;
		}
		if (r)
			continue;	/* the next copy of this seqno, if any */
		r = mlvm_prov_add(p, vg);
		mlvm_vg_free(vg);
		if (r < 0 && r != -EINVAL) {
			rc = r;
			break;
		}
		done_seqno = c[i].g->seqno;
		done_seqno_set = 1;
	}
	mlvm_area_view_close(&area.v);
	free(c);
	free(refs);
	if (rc) {
		mlvm_prov_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* ------------------------------------------------------------ reuse */

/* the same data position at the extents both cover */
static bool same_position(const struct rec *a, const struct rec *b)
{
	if (a->lv != b->lv || a->n_areas != b->n_areas)
		return false;
	if (a->n_areas <= 1)
		return a->key - a->pe == b->key - b->pe;
	return a->key == b->key && a->stripe == b->stripe && a->area == b->area && a->pe == b->pe;
}

static int cmp_pv_pe(const void *x, const void *y)
{
	const struct rec *a = *(const struct rec *const *)x, *b = *(const struct rec *const *)y;

	if (a->pv != b->pv)
		return a->pv < b->pv ? -1 : 1;
	if (a->pe != b->pe)
		return a->pe < b->pe ? -1 : 1;
	return a->g_first < b->g_first ? -1 : a->g_first > b->g_first;
}

static uint64_t rec_end(const struct rec *r)
{
	return r->pe + r->count < r->pe ? UINT64_MAX : r->pe + r->count;
}

struct cand {
	uint64_t s, e;
	const struct rec *b;
};

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

struct reuse_out {
	struct mlvm_prov_reuse *v;
	size_t n, cap;
};

static int emit(const struct mlvm_prov *p, const struct mlvm_vg *vg, const long *pv_in_vg,
		const long *lv_in_vg, size_t gs, const struct rec *a, const struct rec *b,
		uint64_t s, uint64_t e, struct reuse_out *o)
{
	struct mlvm_prov_reuse *x;
	size_t g = b->g_first;

	(void)vg;
	(void)gs;
	if (pv_in_vg[a->pv] < 0 || lv_in_vg[a->lv] < 0)
		return 0;
	if (o->n) {
		x = &o->v[o->n - 1];
		if (x->pv == pv_in_vg[a->pv] && x->pe + x->count == s && x->lv == lv_in_vg[a->lv] &&
		    x->seqno == p->seqnos[g] && x->taker_id == p->lv_ids.s[b->lv]) {
			x->count += e - s;
			return 0;
		}
	}
	if (grow((void **)&o->v, &o->cap, o->n + 1, sizeof(*o->v)))
		return -ENOMEM;
	x = &o->v[o->n++];
	x->pv = (int32_t)pv_in_vg[a->pv];
	x->pe = s;
	x->count = e - s;
	x->lv = (int32_t)lv_in_vg[a->lv];
	x->seqno = p->seqnos[g];
	x->after_seqno = p->seqnos[g - 1];
	x->exact = p->seqnos[g] - p->seqnos[g - 1] == 1;
	x->same_lv = a->lv == b->lv;
	x->taker = lv_name_at(p, b->lv, g);
	x->taker_id = p->lv_ids.s[b->lv];
	x->taker_top = lv_name_at(p, b->top, g);
	x->taker_top_id = p->lv_ids.s[b->top];
	return 0;
}

/* the parts of a taken later, each by the earliest record that took it */
static int reuse_of(const struct mlvm_prov *p, const struct mlvm_vg *vg, const long *pv_in_vg,
		    const long *lv_in_vg, size_t gs, const struct rec *a, struct cand *cs, size_t nc,
		    struct reuse_out *o)
{
	uint64_t *pts = malloc(2 * nc * sizeof(*pts));
	size_t np = 0, i, j;
	int rc = 0;

	if (!pts)
		return -ENOMEM;
	for (i = 0; i < nc; i++) {
		pts[np++] = cs[i].s;
		pts[np++] = cs[i].e;
	}
	qsort(pts, np, sizeof(*pts), cmp_u64);
	for (i = 0; i + 1 < np && !rc; i++) {
		const struct rec *best = NULL;

		if (pts[i] == pts[i + 1])
			continue;
		for (j = 0; j < nc; j++)
			if (cs[j].s <= pts[i] && cs[j].e > pts[i] &&
			    (!best || cs[j].b->g_first < best->g_first))
				best = cs[j].b;
		if (best)
			rc = emit(p, vg, pv_in_vg, lv_in_vg, gs, a, best, pts[i], pts[i + 1], o);
	}
	free(pts);
	return rc;
}

int mlvm_prov_reused(const struct mlvm_prov *p, const struct mlvm_vg *vg,
		     struct mlvm_prov_reuse **out, size_t *n_out)
{
	const struct rec **A = NULL, **B = NULL;
	long *pv_in_vg = NULL, *lv_in_vg = NULL, gi;
	uint64_t *maxend = NULL;
	struct cand *cs = NULL;
	size_t nA = 0, nB = 0, i, cap_cs = 0, gs;
	struct reuse_out o = { 0 };
	char buf[300];
	int rc = -ENOMEM;

	*out = NULL;
	*n_out = 0;
	gi = mlvm_prov_gen_index(p, vg->seqno);
	if (gi < 0)
		return -ENOENT;
	gs = (size_t)gi;
	pv_in_vg = malloc((p->pv_ids.n ? p->pv_ids.n : 1) * sizeof(*pv_in_vg));
	lv_in_vg = malloc((p->lv_ids.n ? p->lv_ids.n : 1) * sizeof(*lv_in_vg));
	A = malloc((p->n_recs ? p->n_recs : 1) * sizeof(*A));
	B = malloc((p->n_recs ? p->n_recs : 1) * sizeof(*B));
	maxend = malloc((p->n_recs ? p->n_recs : 1) * sizeof(*maxend));
	if (!pv_in_vg || !lv_in_vg || !A || !B || !maxend)
		goto out;
	for (i = 0; i < p->pv_ids.n; i++)
		pv_in_vg[i] = -1;
	for (i = 0; i < p->lv_ids.n; i++)
		lv_in_vg[i] = -1;
	for (i = 0; i < vg->n_pvs; i++) {
		long k = vg->pvs[i].id ? strtab_find(&p->pv_ids, vg->pvs[i].id) : -1;

		if (k >= 0)
			pv_in_vg[k] = (long)i;
	}
	for (i = 0; i < vg->n_lvs; i++) {
		long k = strtab_find(&p->lv_ids, lv_key(&vg->lvs[i], buf, sizeof(buf)));

		if (k >= 0)
			lv_in_vg[k] = (long)i;
	}
	for (i = 0; i < p->n_recs; i++) {
		const struct rec *r = &p->recs[i];

		if (r->g_first <= gs && r->g_last >= gs)
			A[nA++] = r;
		else if (r->g_first > gs)
			B[nB++] = r;
	}
	qsort(A, nA, sizeof(*A), cmp_pv_pe);
	qsort(B, nB, sizeof(*B), cmp_pv_pe);
	for (i = 0; i < nB; i++) {
		uint64_t e = rec_end(B[i]);

		maxend[i] = i > 0 && B[i - 1]->pv == B[i]->pv && maxend[i - 1] > e ? maxend[i - 1] : e;
	}
	for (i = 0; i < nA; i++) {
		const struct rec *a = A[i];
		uint64_t ae = rec_end(a);
		size_t lo = 0, hi = nB, nc = 0;

		/* B entries before (pv, ae): the last one at index lo - 1 */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (B[mid]->pv < a->pv || (B[mid]->pv == a->pv && B[mid]->pe < ae))
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo > 0 && B[lo - 1]->pv == a->pv && maxend[lo - 1] > a->pe) {
			const struct rec *b = B[--lo];
			uint64_t s = b->pe > a->pe ? b->pe : a->pe, e = rec_end(b) < ae ? rec_end(b) : ae;

			if (s >= e || same_position(a, b))
				continue;
			if (grow((void **)&cs, &cap_cs, nc + 1, sizeof(*cs)))
				goto out;
			cs[nc++] = (struct cand){ s, e, b };
		}
		if (nc && reuse_of(p, vg, pv_in_vg, lv_in_vg, gs, a, cs, nc, &o))
			goto out;
	}
	*out = o.v;
	*n_out = o.n;
	o.v = NULL;
	rc = 0;
out:
	free(o.v);
	free(cs);
	free(maxend);
	free(A);
	free(B);
	free(pv_in_vg);
	free(lv_in_vg);
	return rc;
}

/* ------------------------------------------------------------ LV bytes */

struct rangev {
	struct mlvm_range *v;
	size_t n, cap;
};

static int add_range(struct rangev *r, uint64_t s, uint64_t len)
{
	if (!len)
		return 0;
	if (r->n && r->v[r->n - 1].start + r->v[r->n - 1].len == s) {
		r->v[r->n - 1].len += len;
		return 0;
	}
	if (grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
		return -ENOMEM;
	r->v[r->n].start = s;
	r->v[r->n].len = len;
	r->n++;
	return 0;
}

static int cmp_range(const void *x, const void *y)
{
	const struct mlvm_range *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

static void sort_merge(struct rangev *r)
{
	size_t i, o = 0;

	if (!r->n)
		return;
	qsort(r->v, r->n, sizeof(*r->v), cmp_range);
	for (i = 1; i < r->n; i++) {
		struct mlvm_range *last = &r->v[o];
		uint64_t end = last->start + last->len;

		if (r->v[i].start <= end) {
			uint64_t e2 = r->v[i].start + r->v[i].len;

			if (e2 > end)
				last->len = e2 - last->start;
		} else {
			r->v[++o] = r->v[i];
		}
	}
	r->n = o + 1;
}

/* mark every LV reachable from lv's segments (areas and keys naming LVs) */
struct reach_ctx {
	const struct mlvm_vg *vg;
	bool *seen;
	uint32_t depth;
	uint32_t skip;		/* an LV not to follow (the one asked about) */
};

static void reach_from(struct reach_ctx *c, uint32_t l);

static bool reach_ref(void *ctx, const char *key, uint32_t r)
{
	struct reach_ctx *c = ctx;
	uint32_t skip = c->skip;

	(void)key;
	if (r == skip)
		return true;
	c->skip = UINT32_MAX;	/* only the first level skips it */
	reach_from(c, r);
	c->skip = skip;
	return true;
}

/* mark l and every LV reachable from it */
static void reach(const struct mlvm_vg *vg, uint32_t l, bool *seen)
{
	struct reach_ctx c = { .vg = vg, .seen = seen, .skip = UINT32_MAX };

	reach_from(&c, l);
}

static void reach_from(struct reach_ctx *c, uint32_t l)
{
	uint32_t j;

	if (c->seen[l] || c->depth > c->vg->n_lvs)
		return;
	c->seen[l] = true;
	c->depth++;
	for (j = 0; j < c->vg->lvs[l].n_segs; j++)
		mlvm_seg_lv_refs(c->vg, &c->vg->lvs[l].segs[j], MLVM_REFS_ALL, reach_ref, c);
	c->depth--;
}

/* a segment that stripes (or, with one area, maps linearly) onto PVs */
static bool seg_on_pvs(const struct mlvm_segment *s)
{
	const char *t = s->type ? s->type : "";
	uint32_t k;

	if (!s->n_areas || strcmp(t, "striped"))
		return false;
	for (k = 0; k < s->n_areas; k++)
		if (s->areas[k].kind != MLVM_AREA_PV)
			return false;
	return true;
}

int mlvm_prov_lv_bytes(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       const struct mlvm_prov_reuse *items, size_t n_items,
		       struct mlvm_range **out, size_t *n, bool *exact)
{
	struct rangev r = { 0 };
	uint32_t li = (uint32_t)(lv - vg->lvs), j, k;
	uint64_t X = vg->extent_size * MLVM_SECTOR_SIZE, size = mlvm_lv_size(vg, lv), chunks = 0;
	bool *seen = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	*n = 0;
	*exact = true;
	if (!n_items || !X)
		return 0;
	seen = calloc(vg->n_lvs ? vg->n_lvs : 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (j = 0; j < lv->n_segs; j++) {
		const struct mlvm_segment *s = &lv->segs[j];
		uint64_t seg_b, seg_e, C = mlvm_seg_stripe_size(s) * MLVM_SECTOR_SIZE;
		bool whole = false;

		if (!mlvm_mul_ok(s->start_extent, X, &seg_b)) {
			*exact = false;	/* past 2^64 bytes: cannot be placed */
			continue;
		}
		if (!mlvm_mul_ok(s->start_extent + s->extent_count, X, &seg_e) ||
		    s->start_extent + s->extent_count < s->start_extent)
			seg_e = UINT64_MAX;
		if (seg_e > size)
			seg_e = size;
		if (seg_b >= seg_e)
			continue;
		if (seg_on_pvs(s) && (s->n_areas == 1 || C)) {
			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];

				for (i = 0; i < n_items; i++) {
					const struct mlvm_prov_reuse *it = &items[i];
					uint64_t ps, pe, oa, ob, ci, c0, c1, ie, ae;

					if (it->lv != (int32_t)li || it->pv != a->ref)
						continue;
					ie = it->pe + it->count < it->pe ? UINT64_MAX : it->pe + it->count;
					ae = a->start + s->area_len < a->start ? UINT64_MAX : a->start + s->area_len;
					ps = it->pe > a->start ? it->pe : a->start;
					pe = ie < ae ? ie : ae;
					if (ps >= pe)
						continue;
					if (!mlvm_mul_ok(ps - a->start, X, &oa) ||
					    !mlvm_mul_ok(pe - a->start, X, &ob)) {
						whole = true;
						continue;
					}
					if (s->n_areas == 1) {
						uint64_t b0 = seg_b + oa, b1 = seg_b + ob;

						if (b1 > seg_e)
							b1 = seg_e;
						if (b0 < b1 && add_range(&r, b0, b1 - b0))
							goto out;
						continue;
					}
					c0 = oa / C;
					c1 = (ob - 1) / C;
					if (chunks + (c1 - c0 + 1) > MLVM_PROV_MAX_RANGES) {
						/* too many: from the first chunk to the last */
						uint64_t b0 = seg_b + (c0 * s->n_areas + k) * C + (oa - c0 * C);
						uint64_t b1 = seg_b + (c1 * s->n_areas + k) * C + (ob - c1 * C);

						*exact = false;
						if (b1 > seg_e)
							b1 = seg_e;
						if (b0 < b1 && add_range(&r, b0, b1 - b0))
							goto out;
						continue;
					}
					chunks += c1 - c0 + 1;
					for (ci = c0; ci <= c1; ci++) {
						uint64_t lo = ci * C > oa ? ci * C : oa;
						uint64_t hi = (ci + 1) * C < ob ? (ci + 1) * C : ob;
						uint64_t b0 = seg_b + (ci * s->n_areas + k) * C + (lo - ci * C);
						uint64_t b1 = b0 + (hi - lo);

						if (b1 > seg_e)
							b1 = seg_e;
						if (b0 < b1 && add_range(&r, b0, b1 - b0))
							goto out;
					}
				}
			}
		} else {
			/* built on sub-LVs (or not translatable): listed whole
			 * when anything it rests on was reused */
			struct reach_ctx under = { .vg = vg, .seen = seen, .skip = li };

			memset(seen, 0, vg->n_lvs * sizeof(*seen));
			mlvm_seg_lv_refs(vg, s, MLVM_REFS_ALL, reach_ref, &under);
			for (i = 0; i < n_items && !whole; i++) {
				const struct mlvm_prov_reuse *it = &items[i];

				if (it->lv >= 0 && (uint32_t)it->lv < vg->n_lvs && seen[it->lv])
					whole = true;
				/* this LV's own PV areas in a segment we cannot translate */
				if (it->lv == (int32_t)li)
					for (k = 0; k < s->n_areas; k++)
						if (s->areas[k].kind == MLVM_AREA_PV && s->areas[k].ref == it->pv &&
						    it->pe < s->areas[k].start + s->area_len &&
						    s->areas[k].start < it->pe + it->count)
							whole = true;
			}
		}
		if (whole) {
			*exact = false;
			if (add_range(&r, seg_b, seg_e - seg_b))
				goto out;
		}
	}
	sort_merge(&r);
	*out = r.v;
	*n = r.n;
	r.v = NULL;
	rc = 0;
out:
	free(r.v);
	free(seen);
	return rc;
}

/* ------------------------------------------------------------ warnings */

static void range_words(const struct mlvm_range *v, size_t n, char *buf, size_t len)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += v[i].len;
	if (!n) {
		snprintf(buf, len, "bytes (that cannot be placed: its segments lie past 2^64 bytes)");
		return;
	}
	if (n == 1)
		snprintf(buf, len, "bytes %llu-%llu (%llu bytes)", (unsigned long long)v[0].start,
			 (unsigned long long)(v[0].start + v[0].len - 1), (unsigned long long)total);
	else
		snprintf(buf, len, "bytes %llu-%llu and %zu more ranges (%llu bytes in %zu ranges)",
			 (unsigned long long)v[0].start, (unsigned long long)(v[0].start + v[0].len - 1),
			 n - 1, (unsigned long long)total, n);
}

int mlvm_prov_warn(const struct mlvm_prov *p, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		   struct mlvm_report *r, struct mlvm_range **ranges, size_t *n_ranges,
		   bool *exact)
{
	struct mlvm_prov_reuse *items = NULL, *grp = NULL;
	int32_t *par = NULL, *tops = NULL;
	bool *seen = NULL, *done = NULL, all_exact = true;
	size_t n = 0, i, j, ng;
	int rc;

	if (ranges) {
		*ranges = NULL;
		*n_ranges = 0;
		*exact = true;
	}
	{
		long gi = mlvm_prov_gen_index(p, vg->seqno);
		const char *img = vg->source.image;
		int64_t at = img ? (int64_t)vg->source.offset : -1;

		if (gi < 0) {
			mlvm_warn(r, "extents_unknown", img, at,
				  "vg %s generation %llu is not among the intact generations read: whether later generations reused its extents is not known",
				  vg->name, (unsigned long long)vg->seqno);
			return 0;
		}
		{
			size_t k;
			uint64_t missing = 0, first = 0, last = 0;

			for (k = (size_t)gi + 1; k < p->n_gens; k++)
				if (p->seqnos[k] - p->seqnos[k - 1] > 1) {
					if (!missing)
						first = p->seqnos[k - 1] + 1;
					last = p->seqnos[k] - 1;
					missing += p->seqnos[k] - p->seqnos[k - 1] - 1;
				}
			if (missing)
				mlvm_notice(r, "generations_missing", img, at,
					    "vg %s generation %llu: %llu later generation%s (seqnos %llu-%llu) %s gone from the metadata rings: extents they gave to other lvs and that were free again by the next generation found cannot be seen",
					    vg->name, (unsigned long long)vg->seqno, (unsigned long long)missing,
					    mlvm_plural(missing, "", "s"), (unsigned long long)first,
					    (unsigned long long)last, missing == 1 ? "is" : "are");
		}
	}
	rc = mlvm_prov_reused(p, vg, &items, &n);
	if (rc || !n)
		return rc == -ENOENT ? 0 : rc;
	rc = -ENOMEM;
	par = parents_of(vg);
	tops = malloc(n * sizeof(*tops));
	done = calloc(n, sizeof(*done));
	grp = malloc(n * sizeof(*grp));
	seen = calloc(vg->n_lvs ? vg->n_lvs : 1, sizeof(*seen));
	if (!par || !tops || !done || !grp || !seen)
		goto out;
	if (lv)
		reach(vg, (uint32_t)(lv - vg->lvs), seen);
	for (i = 0; i < n; i++) {
		tops[i] = lv ? (int32_t)(lv - vg->lvs) : top_with(vg, par, items[i].lv);
		if (lv && !seen[items[i].lv])
			done[i] = true;	/* not part of lv */
	}
	if (lv && ranges) {
		size_t m = 0;
		bool ex;

		for (i = 0; i < n; i++)
			if (!done[i])
				grp[m++] = items[i];
		if (mlvm_prov_lv_bytes(vg, lv, grp, m, ranges, n_ranges, &ex))
			goto out;
		*exact = ex;
	}
	for (i = 0; i < n; i++) {
		const struct mlvm_lv *t;
		const struct mlvm_pv *pv;
		struct mlvm_range *rv = NULL;
		size_t nr = 0;
		bool ex = true;
		char rw[200], pes[200], when[200], part[300], now[300];
		uint64_t X = vg->extent_size * MLVM_SECTOR_SIZE, off;
		int64_t where = -1;

		if (done[i])
			continue;
		/* the group: same LV shown, taker and seqno */
		for (ng = 0, j = i; j < n; j++)
			if (!done[j] && tops[j] == tops[i] && items[j].taker_id == items[i].taker_id &&
			    items[j].seqno == items[i].seqno) {
				grp[ng++] = items[j];
				done[j] = true;
			}
		t = &vg->lvs[tops[i]];
		if (mlvm_prov_lv_bytes(vg, t, grp, ng, &rv, &nr, &ex))
			goto out;
		if (!ex)
			all_exact = false;
		range_words(rv, nr, rw, sizeof(rw));
		free(rv);
		pv = &vg->pvs[grp[0].pv];
		snprintf(pes, sizeof(pes), "%s PE %llu-%llu%s", pv->name,
			 (unsigned long long)grp[0].pe,
			 (unsigned long long)(grp[0].pe + grp[0].count - 1),
			 ng > 1 ? " and more" : "");
		if (grp[0].exact)
			snprintf(when, sizeof(when), "at seqno %llu", (unsigned long long)grp[0].seqno);
		else
			snprintf(when, sizeof(when),
				 "by seqno %llu (after seqno %llu; the generations between are gone from the rings)",
				 (unsigned long long)grp[0].seqno, (unsigned long long)grp[0].after_seqno);
		if (grp[0].same_lv)
			snprintf(part, sizeof(part), "lv %s itself at another position (its data moved)",
				 grp[0].taker);
		else if (strcmp(grp[0].taker, grp[0].taker_top))
			snprintf(part, sizeof(part), "lv %s (part of lv %s)", grp[0].taker, grp[0].taker_top);
		else
			snprintf(part, sizeof(part), "lv %s", grp[0].taker);
		if (!pv->missing && pv->src && mlvm_mul_ok(grp[0].pe, X, &off) &&
		    mlvm_add_ok(off, pv->offset + pv->pe_start * MLVM_SECTOR_SIZE, &off) && off <= INT64_MAX)
			where = (int64_t)off;
		if (grp[0].same_lv)
			snprintf(now, sizeof(now), "they may hold other bytes of lv %s now", t->name);
		else if (t->id && !strcmp(grp[0].taker_top_id, t->id))
			snprintf(now, sizeof(now),
				 "they are still part of lv %s, whose layout changed: they may hold other bytes of it now",
				 t->name);
		else
			snprintf(now, sizeof(now), "they may hold lv %s's data now, not %s's",
				 grp[0].taker_top, t->name);
		mlvm_warn(r, "extents_reused", pv->missing || !pv->src ? NULL : pv->src->name, where,
			  "vg %s generation %llu: %s of lv %s lie on extents (%s) given to %s %s: %s%s",
			  vg->name, (unsigned long long)vg->seqno, rw, t->name, pes, part, when, now,
			  ex ? "" : "; not narrowed down to the bytes: whole segments built on sub-LVs are counted");
	}
	if (ranges && !all_exact)
		*exact = false;
	rc = 0;
out:
	free(items);
	free(grp);
	free(par);
	free(tops);
	free(done);
	free(seen);
	return rc;
}

/* ------------------------------------------------------------ history */

static int cmp_rec_ptr_g(const void *x, const void *y)
{
	const struct rec *a = *(const struct rec *const *)x, *b = *(const struct rec *const *)y;

	if (a->g_first != b->g_first)
		return a->g_first < b->g_first ? -1 : 1;
	return a < b ? -1 : a > b;
}

static bool pv_present(const struct ppv *x, size_t g)
{
	size_t i;

	for (i = 0; i < x->n_runs; i++)
		if (x->runs[i].g_first <= g && g <= x->runs[i].g_last)
			return true;
	return false;
}

void mlvm_prov_history_free(struct mlvm_prov_interval *iv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(iv[i].spans);
	free(iv);
}

/* the spans of one elementary interval [x, y) given the records covering it (by g_first) */
static int spans_of(const struct mlvm_prov *p, const struct ppv *pv, const struct rec **cov,
		    size_t nc, uint64_t x, struct mlvm_prov_interval *iv)
{
	size_t g = 0, c = 0, cap = 0;

	iv->spans = NULL;
	iv->n_spans = 0;
	while (g < p->n_gens) {
		struct mlvm_prov_span sp;

		memset(&sp, 0, sizeof(sp));
		while (c < nc && cov[c]->g_last < g)
			c++;
		if (c < nc && cov[c]->g_first <= g) {
			const struct rec *r = cov[c];
			size_t ch = name_change_after(p, r->lv, g), ct = name_change_after(p, r->top, g);

			/* a span ends where the LV (or the one it is part of) was renamed */
			if (ct < ch)
				ch = ct;
			sp.g_first = g;
			sp.g_last = ch - 1 < r->g_last ? ch - 1 : r->g_last;
			sp.lv = lv_name_at(p, r->lv, g);
			sp.lv_id = p->lv_ids.s[r->lv];
			sp.top = lv_name_at(p, r->top, g);
			sp.striped = r->n_areas > 1;
			sp.le = r->n_areas > 1 ? r->key : r->key + (x - r->pe);
			sp.area_off = x - r->pe;
			sp.area = r->area;
			sp.n_areas = r->n_areas;
			g = sp.g_last + 1;
		} else {
			size_t end = c < nc ? cov[c]->g_first : p->n_gens;
			bool pres = pv_present(pv, g);

			sp.g_first = g;
			sp.free = pres;
			sp.absent = !pres;
			while (g + 1 < end && pv_present(pv, g + 1) == pres)
				g++;
			sp.g_last = g;
			g++;
		}
		if (iv->n_spans) {
			/* the same owner at the same position (its record changed
			 * elsewhere, e.g. the segment grew): one span */
			struct mlvm_prov_span *q = &iv->spans[iv->n_spans - 1];

			if (q->g_last + 1 == sp.g_first && q->free == sp.free && q->absent == sp.absent &&
			    q->lv_id == sp.lv_id && q->striped == sp.striped && q->le == sp.le &&
			    q->area == sp.area && q->n_areas == sp.n_areas &&
			    q->area_off == sp.area_off && (!q->lv || (!strcmp(q->lv, sp.lv) &&
			    !strcmp(q->top, sp.top)))) {
				q->g_last = sp.g_last;
				continue;
			}
		}
		if (grow((void **)&iv->spans, &cap, iv->n_spans + 1, sizeof(*iv->spans)))
			return -ENOMEM;
		iv->spans[iv->n_spans++] = sp;
	}
	return 0;
}

int mlvm_prov_history(const struct mlvm_prov *p, size_t pvi, struct mlvm_prov_interval **out,
		      size_t *n_out)
{
	const struct rec **rs = NULL, **cov = NULL, **prev = NULL, **act = NULL;
	uint64_t *pts = NULL;
	size_t nr = 0, np = 0, i, j, nc, nprev = 0, cap = 0, n = 0, n_act = 0;
	struct mlvm_prov_interval *iv = NULL;
	const struct ppv *pv;
	int rc = -ENOMEM;

	*out = NULL;
	*n_out = 0;
	if (pvi >= p->pv_ids.n)
		return -EINVAL;
	pv = &p->pvs[pvi];
	for (i = 0; i < p->n_recs; i++)
		if (p->recs[i].pv == pvi)
			nr++;
	rs = malloc((nr ? nr : 1) * sizeof(*rs));
	cov = malloc((nr ? nr : 1) * sizeof(*cov));
	prev = malloc((nr ? nr : 1) * sizeof(*prev));
	act = malloc((nr ? nr : 1) * sizeof(*act));
	pts = malloc((2 * nr + 2) * sizeof(*pts));
	if (!rs || !cov || !prev || !act || !pts)
		goto out;
	nr = 0;
	pts[np++] = 0;
	pts[np++] = pv->max_pe;
	for (i = 0; i < p->n_recs; i++)
		if (p->recs[i].pv == pvi) {
			rs[nr++] = &p->recs[i];
			pts[np++] = p->recs[i].pe;
			pts[np++] = rec_end(&p->recs[i]);
		}
	qsort(pts, np, sizeof(*pts), cmp_u64);
	qsort(rs, nr, sizeof(*rs), cmp_pv_pe);	/* one PV: by pe */
	/* sweep: act holds the records covering x */
	for (i = 0, j = 0; i + 1 < np; i++) {
		uint64_t x = pts[i], y = pts[i + 1];
		size_t k, na = 0;
		bool same;

		if (x == y)
			continue;
		while (j < nr && rs[j]->pe <= x)
			act[n_act++] = rs[j++];
		for (k = 0; k < n_act; k++)
			if (rec_end(act[k]) > x)
				act[na++] = act[k];
		n_act = na;
		nc = n_act;
		memcpy(cov, act, nc * sizeof(*cov));
		qsort(cov, nc, sizeof(*cov), cmp_rec_ptr_g);
		same = n > 0 && nc == nprev && iv[n - 1].pe + iv[n - 1].count == x &&
		       !memcmp(cov, prev, nc * sizeof(*cov));
		if (same) {
			iv[n - 1].count += y - x;
			continue;
		}
		if (grow((void **)&iv, &cap, n + 1, sizeof(*iv)))
			goto out;
		iv[n].pe = x;
		iv[n].count = y - x;
		if (spans_of(p, pv, cov, nc, x, &iv[n]))
			goto out;
		n++;
		memcpy(prev, cov, nc * sizeof(*cov));
		nprev = nc;
	}
	*out = iv;
	*n_out = n;
	iv = NULL;
	rc = 0;
out:
	if (iv)
		mlvm_prov_history_free(iv, n);
	free(rs);
	free(cov);
	free(prev);
	free(act);
	free(pts);
	return rc;
}
