/*
 * thin_removed.c - removed thin LVs of older generations and whether their
 * mapping survives in the pool's stale metadata blocks (see thin_removed.h).
 */
#include "map/thin_removed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/report.h"
#include "map/lvmap.h"
#include "map/thin.h"
#include "text/carve.h"
#include "text/config.h"

const char *mlvm_thin_mapping_name(enum mlvm_thin_mapping m)
{
	switch (m) {
	case MLVM_THIN_MAPPING_NOT_FOUND:
		return "not-found";
	case MLVM_THIN_MAPPING_FOUND:
		return "found";
	case MLVM_THIN_MAPPING_LIVE:
		return "live";
	default:
		return "unknown";
	}
}

void mlvm_thin_removed_free(struct mlvm_thin_removed *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].lv);
		free(v[i].lv_id);
		free(v[i].pool);
	}
	free(v);
}

static bool has_lv_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_lvs; i++)
		if (vg->lvs[i].id && !strcmp(vg->lvs[i].id, id))
			return true;
	return false;
}

struct list {
	struct mlvm_thin_removed *v;
	size_t n, cap;
};

/* remember (or move to seqno) the removed thin LV lv of generation old */
static int note(struct list *l, const struct mlvm_vg *old, const struct mlvm_lv *lv,
		const char *pool, uint64_t dev)
{
	struct mlvm_thin_removed *e = NULL;
	size_t i;

	for (i = 0; i < l->n && !e; i++)
		if (!strcmp(l->v[i].lv_id, lv->id))
			e = &l->v[i];
	if (!e) {
		if (l->n == l->cap) {
			size_t ncap = l->cap ? 2 * l->cap : 8;
			struct mlvm_thin_removed *nv = realloc(l->v, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			l->v = nv;
			l->cap = ncap;
		}
		e = &l->v[l->n++];
		memset(e, 0, sizeof(*e));
		e->lv_id = strdup(lv->id);
		if (!e->lv_id)
			return -ENOMEM;
	}
	free(e->lv);
	free(e->pool);
	e->lv = strdup(lv->name ? lv->name : "?");
	e->pool = strdup(pool);
	if (!e->lv || !e->pool)
		return -ENOMEM;
	e->device_id = dev;
	e->seqno = old->seqno;
	return 0;
}

/* the removed thin LVs of one older generation */
static int from_generation(struct list *l, const struct mlvm_vg *cur, const struct mlvm_vg *old)
{
	uint32_t i, k;
	int rc;

	for (i = 0; i < old->n_lvs; i++) {
		const struct mlvm_lv *lv = &old->lvs[i];

		if (!lv->id || has_lv_id(cur, lv->id))
			continue;
		for (k = 0; k < lv->n_segs; k++) {
			const struct mlvm_segment *s = &lv->segs[k];
			const char *pool;
			int64_t dev;

			if (!s->type || strcmp(s->type, "thin") ||
			    cfg_get_str(s->node, "thin_pool", &pool) ||
			    cfg_get_int(s->node, "device_id", &dev) || dev < 0)
				continue;
			rc = note(l, old, lv, pool, (uint64_t)dev);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}

static int rd_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return mlvm_lv_read(ctx, buf, len, off);
}

/* what the pool named in e says of e's device, as the newest generation has it */
static enum mlvm_thin_mapping mapping_of(const struct mlvm_vg *vg, const struct mlvm_thin_removed *e)
{
	struct mlvm_lv_reader_opts ro = { .leg = -1 };
	struct mlvm_lv_reader *rd = NULL;
	struct mlvm_thin_pool *tp = NULL;
	struct mlvm_thin_recovered info;
	struct mlvm_report scratch;
	const struct mlvm_lv *pool, *meta;
	enum mlvm_thin_mapping m = MLVM_THIN_MAPPING_UNKNOWN;
	const char *mname = NULL;
	uint32_t k;
	int rc;

	pool = mlvm_vg_find_lv(vg, e->pool);
	if (!pool)
		return m;
	for (k = 0; k < pool->n_segs && !mname; k++)
		if (pool->segs[k].type && !strncmp(pool->segs[k].type, "thin-pool", 9) &&
		    cfg_get_str(pool->segs[k].node, "metadata", &mname))
			mname = NULL;
	meta = mname ? mlvm_vg_find_lv(vg, mname) : NULL;
	if (!meta)
		return m;
	mlvm_report_init(&scratch);
	if (mlvm_lv_reader_new(vg, meta, &ro, &rd, &scratch) == 0 &&
	    mlvm_thin_open(rd_read, rd, mlvm_lv_reader_size(rd), &tp, &scratch, mname) == 0) {
		rc = mlvm_thin_recovery(tp, e->device_id, &info);
		if (rc == 0)
			m = MLVM_THIN_MAPPING_FOUND;
		else if (rc == -EEXIST)
			m = MLVM_THIN_MAPPING_LIVE;
		else if (rc == -ENOENT)
			m = MLVM_THIN_MAPPING_NOT_FOUND;
	}
	mlvm_thin_close(tp);
	if (rd)
		mlvm_lv_reader_free(rd);
	mlvm_report_free(&scratch);
	return m;
}

static int cmp_removed(const void *a, const void *b)
{
	const struct mlvm_thin_removed *x = a, *y = b;

	if (x->seqno != y->seqno)
		return x->seqno < y->seqno ? -1 : 1;
	return strcmp(x->lv, y->lv);
}

int mlvm_thin_removed_list(struct mlvm_set *set, const struct mlvm_vg *vg,
			   struct mlvm_thin_removed **out, size_t *n)
{
	struct mlvm_gen_ref *rows = NULL;
	struct list l = { 0 };
	uint64_t done = 0;
	bool done_set = false;
	size_t nr = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (!vg->id)
		return 0;
	rc = mlvm_set_generations(set, &rows, &nr);
	for (i = 0; i < nr && !rc; i++) {
		const struct mlvm_generation *g = rows[i].g;
		struct mlvm_report scratch;
		struct mlvm_vg *old = NULL;
		char *text = NULL;
		size_t len = 0;

		if (!g->seqno_known || strcmp(g->vg_id, vg->id) || !g->complete || !g->parse_ok ||
		    g->checksum_ok == 0 || g->seqno >= vg->seqno || (done_set && g->seqno == done))
			continue;
		if (g->no_thin) {	/* the carver's syntax check saw no "thin" */
			done = g->seqno;
			done_set = true;
			continue;
		}
		rc = mlvm_gen_ref_text(set, &rows[i], &text, &len);
		if (rc) {
			rc = rc == -ENOMEM ? rc : 0;
			continue;	/* the next copy of this seqno, if any */
		}
		if (!strstr(text, "\"thin\"")) {	/* no thin segment: nothing to parse */
			free(text);
			done = g->seqno;
			done_set = true;
			continue;
		}
		mlvm_report_init(&scratch);
		rc = mlvm_vg_from_text(text, len, &old, &scratch, NULL, -1);
		mlvm_report_free(&scratch);
		if (rc) {
			rc = rc == -ENOMEM ? rc : 0;
			continue;
		}
		rc = from_generation(&l, vg, old);
		mlvm_vg_free(old);
		done = g->seqno;
		done_set = true;
	}
	free(rows);
	if (rc) {
		mlvm_thin_removed_free(l.v, l.n);
		return rc;
	}
	for (i = 0; i < l.n; i++)
		l.v[i].mapping = mapping_of(vg, &l.v[i]);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_removed);
	*out = l.v;
	*n = l.n;
	return 0;
}
