/*
 * timeline.c - the events of a VG's history (timeline.h).
 */
#include "model/timeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/diff.h"

static const char *const kind_names[MLVM_TL_N_KINDS] = {
	[MLVM_TL_VG_CREATED] = "vg_created",
	[MLVM_TL_VG_FIRST_SEEN] = "vg_first_seen",
	[MLVM_TL_VG_RENAMED] = "vg_renamed",
	[MLVM_TL_VG_UUID_CHANGED] = "vg_uuid_changed",
	[MLVM_TL_VG_CHANGED] = "vg_changed",
	[MLVM_TL_PV_ADDED] = "pv_added",
	[MLVM_TL_PV_REMOVED] = "pv_removed",
	[MLVM_TL_PV_RESIZED] = "pv_resized",
	[MLVM_TL_PV_CHANGED] = "pv_changed",
	[MLVM_TL_LV_CREATED] = "lv_created",
	[MLVM_TL_LV_REMOVED] = "lv_removed",
	[MLVM_TL_LV_RENAMED] = "lv_renamed",
	[MLVM_TL_LV_RESIZED] = "lv_resized",
	[MLVM_TL_LV_MOVED] = "lv_moved",
	[MLVM_TL_LV_TAGGED] = "lv_tagged",
	[MLVM_TL_LV_UNTAGGED] = "lv_untagged",
	[MLVM_TL_LV_STATUS] = "lv_status_changed",
	[MLVM_TL_HLV_RECORDED] = "hlv_recorded",
	[MLVM_TL_HLV_DROPPED] = "hlv_dropped",
	[MLVM_TL_GAP] = "gap",
	[MLVM_TL_CONFLICT] = "conflict",
};

const char *mlvm_tl_kind_name(enum mlvm_tl_kind k)
{
	return (unsigned)k < MLVM_TL_N_KINDS ? kind_names[k] : NULL;
}

struct builder {
	const struct mlvm_tl_gen *gens;
	struct mlvm_tl_event *v;
	size_t n, cap;
	unsigned lineage;		/* of the events being made */
	int err;
};

static char *dup_or_null(struct builder *b, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		b->err = -ENOMEM;
	return c;
}

/*
 * When generation g was written (0 unknown) and on which host (*host, if
 * host): its own creation_time, unless only archive copies hold it; then,
 * when prev is the seqno just before it and is known from an archive copy,
 * that copy's time (LVM2 archived prev just before the change to g).
 */
static int64_t gen_time(const struct builder *b, long g, long prev, const char **host)
{
	const struct mlvm_tl_gen *x = &b->gens[g], *p = prev >= 0 ? &b->gens[prev] : NULL;

	if (host)
		*host = NULL;
	if (!x->archived_before) {
		if (host)
			*host = x->vg->creation_host;
		return x->vg->creation_time;
	}
	if (p && p->archived_before && p->vg->seqno + 1 == x->vg->seqno) {
		if (host)
			*host = p->vg->creation_host;
		return p->vg->creation_time;
	}
	return 0;
}

/* a new event bounded by generations from (-1: none) and to */
static struct mlvm_tl_event *event(struct builder *b, enum mlvm_tl_kind kind, long from, long to)
{
	const struct mlvm_vg *t = b->gens[to].vg;
	const char *host = NULL;
	struct mlvm_tl_event *e;

	if (b->err)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct mlvm_tl_event *v = realloc(b->v, cap * sizeof(*v));

		if (!v) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->v = v;
		b->cap = cap;
	}
	e = &b->v[b->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->lineage = b->lineage;
	e->from = from;
	e->to = to;
	e->to_seqno = t->seqno;
	e->to_time = gen_time(b, to, from, &host);
	if (from >= 0) {
		e->from_seqno = b->gens[from].vg->seqno;
		e->from_time = gen_time(b, from, -1, NULL);
	}
	e->vg = dup_or_null(b, t->name);
	e->vg_id = dup_or_null(b, t->id);
	e->time = e->to_time;
	e->time_is_archive = b->gens[to].archived_before && e->time;
	/* a gap or a conflict is no change made on a host */
	if (kind != MLVM_TL_GAP && kind != MLVM_TL_CONFLICT)
		e->host = dup_or_null(b, host);
	return e;
}

static void set_strs(struct builder *b, struct mlvm_tl_event *e, const char *lv, const char *pv,
		     const char *id, const char *before, const char *after)
{
	if (!e)
		return;
	e->lv = dup_or_null(b, lv);
	e->pv = dup_or_null(b, pv);
	e->id = dup_or_null(b, id);
	e->before = dup_or_null(b, before);
	e->after = dup_or_null(b, after);
}

/* lv_created: the LV's own creation_time and creation_host when its section has them */
static void lv_created(struct builder *b, long from, long to, const struct mlvm_lv *lv)
{
	struct mlvm_tl_event *e = event(b, MLVM_TL_LV_CREATED, from, to);
	const char *host = NULL;
	int64_t t = 0;

	set_strs(b, e, lv->name, NULL, lv->id, NULL, lv->name);
	if (!e || cfg_get_int(lv->node, "creation_time", &t) || t <= 0)
		return;
	e->time = t;
	e->time_is_lv = true;
	e->time_is_archive = false;
	free(e->host);
	e->host = NULL;
	if (!cfg_get_str(lv->node, "creation_host", &host))
		e->host = dup_or_null(b, host);
}

/* the words of list (comma-separated) that are not in other, comma-separated into out */
static void words_not_in(const char *list, const char *other, struct mlvm_buf *out)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ','), *q = other;
		size_t l = end ? (size_t)(end - p) : strlen(p);
		bool found = false;

		while (q && *q && !found) {
			const char *qe = strchr(q, ',');
			size_t ql = qe ? (size_t)(qe - q) : strlen(q);

			found = ql == l && !memcmp(p, q, l);
			q = qe ? qe + 1 : NULL;
		}
		if (!found && l) {
			if (out->len)
				mlvm_buf_append(out, ",", 1);
			mlvm_buf_append(out, p, l);
		}
		p = end ? end + 1 : NULL;
	}
}

/* an LV's tags changed: lv_tagged with the tags added (after), lv_untagged with those taken off (before) */
static void lv_tags(struct builder *b, long from, long to, const struct mlvm_vg_change *c)
{
	struct mlvm_buf added = { 0 }, removed = { 0 };

	words_not_in(c->after, c->before, &added);
	words_not_in(c->before, c->after, &removed);
	if (added.len)
		set_strs(b, event(b, MLVM_TL_LV_TAGGED, from, to), c->lv, NULL, c->id, NULL, added.data);
	if (removed.len)
		set_strs(b, event(b, MLVM_TL_LV_UNTAGGED, from, to), c->lv, NULL, c->id, removed.data,
			 NULL);
	mlvm_buf_free(&added);
	mlvm_buf_free(&removed);
}

static const struct mlvm_lv *lv_by_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; id && i < vg->n_lvs; i++)
		if (vg->lvs[i].id && !strcmp(vg->lvs[i].id, id))
			return &vg->lvs[i];
	return NULL;
}

/* the step from generation from to generation to, through the diff engine */
static void step(struct builder *b, long from, long to)
{
	const struct mlvm_vg *a = b->gens[from].vg, *z = b->gens[to].vg;
	struct mlvm_vg_change *ch = NULL;
	size_t n = 0, i;

	if (z->seqno > a->seqno + 1)
		event(b, MLVM_TL_GAP, from, to);
	if (mlvm_vg_diff(a, z, &ch, &n)) {
		b->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n && !b->err; i++) {
		const struct mlvm_vg_change *c = &ch[i];
		enum mlvm_tl_kind k;
		struct mlvm_tl_event *e;

		if (!strcmp(c->kind, "lv_added")) {
			const struct mlvm_lv *lv = lv_by_id(z, c->id);

			if (lv)
				lv_created(b, from, to, lv);
			continue;
		}
		if (!strcmp(c->kind, "lv_tags")) {
			lv_tags(b, from, to, c);
			continue;
		}
		if (!strcmp(c->kind, "vg_changed"))
			k = !strcmp(c->field, "name") ? MLVM_TL_VG_RENAMED
			    : !strcmp(c->field, "id") ? MLVM_TL_VG_UUID_CHANGED : MLVM_TL_VG_CHANGED;
		else if (!strcmp(c->kind, "pv_changed"))
			k = !strcmp(c->field, "size") ? MLVM_TL_PV_RESIZED : MLVM_TL_PV_CHANGED;
		else if (!strcmp(c->kind, "pv_added"))
			k = MLVM_TL_PV_ADDED;
		else if (!strcmp(c->kind, "pv_removed"))
			k = MLVM_TL_PV_REMOVED;
		else if (!strcmp(c->kind, "lv_removed"))
			k = MLVM_TL_LV_REMOVED;
		else if (!strcmp(c->kind, "lv_renamed"))
			k = MLVM_TL_LV_RENAMED;
		else if (!strcmp(c->kind, "lv_resized"))
			k = MLVM_TL_LV_RESIZED;
		else if (!strcmp(c->kind, "lv_moved"))
			k = MLVM_TL_LV_MOVED;
		else if (!strcmp(c->kind, "lv_status"))
			k = MLVM_TL_LV_STATUS;
		else if (!strcmp(c->kind, "hlv_added"))
			k = MLVM_TL_HLV_RECORDED;
		else if (!strcmp(c->kind, "hlv_removed"))
			k = MLVM_TL_HLV_DROPPED;
		else
			continue;	/* a kind diff.h does not list yet */
		e = event(b, k, from, to);
		set_strs(b, e, c->lv, c->pv, c->id, c->before, c->after);
		if (e && (k == MLVM_TL_VG_CHANGED || k == MLVM_TL_PV_CHANGED))
			e->field = c->field;
	}
	mlvm_vg_changes_free(ch, n);
}

/* ------------------------------------------------------------ order */

/* a generation in the sort: the caller's entry and its index */
struct slot {
	const struct mlvm_tl_gen *g;
	long i;
};

static int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* by VG id, seqno, then more copies first, then where they are (never the order given) */
static int cmp_gen(const void *x, const void *y)
{
	const struct mlvm_tl_gen *a = ((const struct slot *)x)->g, *b = ((const struct slot *)y)->g;
	int c = str_cmp(a->vg->id, b->vg->id);

	if (c)
		return c;
	if (a->vg->seqno != b->vg->seqno)
		return a->vg->seqno < b->vg->seqno ? -1 : 1;
	if (a->n_copies != b->n_copies)
		return a->n_copies > b->n_copies ? -1 : 1;
	c = str_cmp(a->copies, b->copies);
	return c ? c : str_cmp(a->vg->name, b->vg->name);
}

/* one VG id's generations: s[lo..hi) of the sorted slots, other texts of one seqno included */
struct run {
	size_t lo, hi;
	const struct mlvm_vg *first, *last;
	long next;		/* the run that continues it under a new uuid, -1 none */
	bool has_prev;
	const struct mlvm_vg *newest;	/* of its lineage (filled for lineage heads) */
};

/* lineages by the name, then id, of their newest generation */
static int cmp_lineage(const void *x, const void *y)
{
	const struct mlvm_vg *a = (*(const struct run *const *)x)->newest;
	const struct mlvm_vg *b = (*(const struct run *const *)y)->newest;
	int c = str_cmp(a->name, b->name);

	return c ? c : str_cmp(a->id, b->id);
}

/* the runs of one VG id, in s's order */
static size_t make_runs(const struct slot *s, size_t n, struct run *runs)
{
	size_t i, n_runs = 0;

	for (i = 0; i < n; i++) {
		const struct mlvm_vg *v = s[i].g->vg;

		if (!n_runs || str_cmp(runs[n_runs - 1].first->id, v->id)) {
			runs[n_runs].lo = i;
			runs[n_runs].first = v;
			runs[n_runs].next = -1;
			n_runs++;
		}
		runs[n_runs - 1].hi = i + 1;
		runs[n_runs - 1].last = v;
	}
	return n_runs;
}

/*
 * A run whose seqnos follow another's on a PV they share continues it
 * under a new uuid: the run that ends latest before it starts, when only
 * one does. Every link goes to a run of higher seqnos: no cycle.
 */
static void link_runs(struct run *runs, size_t n_runs)
{
	size_t i, k;

	for (i = 0; i < n_runs; i++) {
		long best = -1;
		bool tie = false;

		for (k = 0; k < n_runs; k++) {
			const struct run *r = &runs[k];

			if (k == i || r->next >= 0 || r->last->seqno >= runs[i].first->seqno ||
			    !mlvm_vg_follows(r->last, r->first->seqno, r->last->seqno, runs[i].first,
					     runs[i].first->seqno, runs[i].last->seqno))
				continue;
			if (best >= 0 && runs[best].last->seqno == r->last->seqno) {
				tie = true;
			} else if (best < 0 || runs[best].last->seqno < r->last->seqno) {
				best = (long)k;
				tie = false;
			}
		}
		if (best >= 0 && !tie) {
			runs[best].next = (long)i;
			runs[i].has_prev = true;
		}
	}
}

/* the events of one lineage, from its first run */
static void lineage(struct builder *b, const struct slot *s, const struct run *runs, long r)
{
	const struct mlvm_vg *v = runs[r].first;
	long first = s[runs[r].lo].i, prev = -1;
	uint32_t j;

	event(b, v->seqno == 1 ? MLVM_TL_VG_CREATED : MLVM_TL_VG_FIRST_SEEN, -1, first);
	if (v->seqno != 1)
		event(b, MLVM_TL_GAP, -1, first);
	for (j = 0; j < v->n_pvs; j++)
		set_strs(b, event(b, MLVM_TL_PV_ADDED, -1, first), NULL, v->pvs[j].name, v->pvs[j].id,
			 NULL, v->pvs[j].name);
	for (j = 0; j < v->n_lvs; j++)
		lv_created(b, -1, first, &v->lvs[j]);
	for (; r >= 0 && !b->err; r = runs[r].next) {
		size_t g;

		for (g = runs[r].lo; g < runs[r].hi; g++) {
			if (prev >= 0 && b->gens[prev].vg->seqno == s[g].g->vg->seqno &&
			    !str_cmp(b->gens[prev].vg->id, s[g].g->vg->id)) {
				/* another text of the seqno just used */
				set_strs(b, event(b, MLVM_TL_CONFLICT, prev, s[g].i), NULL, NULL, NULL,
					 b->gens[prev].copies, s[g].g->copies);
				continue;
			}
			if (prev >= 0)
				step(b, prev, s[g].i);
			prev = s[g].i;
		}
	}
}

int mlvm_timeline(const struct mlvm_tl_gen *gens, size_t n, struct mlvm_tl_event **out,
		  size_t *n_out)
{
	struct builder b = { .gens = gens };
	struct slot *s = calloc(n ? n : 1, sizeof(*s));
	struct run *runs = calloc(n ? n : 1, sizeof(*runs));
	struct run **heads = calloc(n ? n : 1, sizeof(*heads));
	size_t i, n_runs, n_heads = 0;

	*out = NULL;
	*n_out = 0;
	if (!s || !runs || !heads) {
		b.err = -ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		s[i].g = &gens[i];
		s[i].i = (long)i;
	}
	mlvm_sort(s, n, sizeof(*s), cmp_gen);
	n_runs = make_runs(s, n, runs);
	link_runs(runs, n_runs);
	for (i = 0; i < n_runs; i++) {
		const struct run *r = &runs[i];

		if (runs[i].has_prev)
			continue;
		while (r->next >= 0)
			r = &runs[r->next];
		runs[i].newest = r->last;
		heads[n_heads++] = &runs[i];
	}
	mlvm_sort(heads, n_heads, sizeof(*heads), cmp_lineage);
	for (i = 0; i < n_heads && !b.err; i++) {
		b.lineage = (unsigned)i;
		lineage(&b, s, runs, (long)(heads[i] - runs));
	}
done:
	free(s);
	free(runs);
	free(heads);
	if (b.err) {
		mlvm_tl_events_free(b.v, b.n);
		return b.err;
	}
	*out = b.v;
	*n_out = b.n;
	return 0;
}

void mlvm_tl_events_free(struct mlvm_tl_event *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].vg);
		free(v[i].vg_id);
		free(v[i].lv);
		free(v[i].pv);
		free(v[i].id);
		free(v[i].before);
		free(v[i].after);
		free(v[i].host);
	}
	free(v);
}
