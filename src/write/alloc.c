/*
 * alloc.c - the extent allocator (alloc.h).
 */
#include "write/alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"
#include "model/usage.h"

void mlvm_alloc_free(struct mlvm_alloc *a)
{
	if (!a)
		return;
	free(a->free);
	memset(a, 0, sizeof(*a));
}

static int push_run(struct mlvm_run **v, size_t *n, size_t *cap, const struct mlvm_run *r)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct mlvm_run *p = realloc(*v, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = *r;
	return 0;
}

int mlvm_alloc_init(struct mlvm_alloc *a, const struct mlvm_vg *vg)
{
	struct mlvm_usage u;
	size_t cap = 0;
	uint32_t p;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->vg = vg;
	if (mlvm_usage_build(vg, &u)) {
		mlvm_usage_free(&u);
		return -ENOMEM;
	}
	for (p = 0; p < vg->n_pvs && !rc; p++) {
		struct mlvm_run r = { .pv = p };
		uint64_t from = 0;

		while (!rc && mlvm_usage_free_run(&u, p, from, &r.pe, &r.len)) {
			rc = push_run(&a->free, &a->n_free, &cap, &r);
			a->n_extents += r.len;
			from = r.pe + r.len;
		}
	}
	mlvm_usage_free(&u);
	return rc;
}

/* take len extents of free run i from extent pe on (inside the run) */
static int take(struct mlvm_alloc *a, size_t i, uint64_t pe, uint64_t len, struct mlvm_run **runs,
		size_t *n_runs)
{
	struct mlvm_run *f = &a->free[i], got = { .pv = f->pv, .pe = pe, .len = len }, *r;
	uint64_t end = f->pe + f->len;

	r = realloc(*runs, (*n_runs + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	*runs = r;
	r[(*n_runs)++] = got;
	a->n_extents -= len;
	if (pe == f->pe) {		/* from the start: the run shrinks */
		f->pe += len;
		f->len -= len;
	} else if (pe + len == end) {	/* up to its end */
		f->len -= len;
	} else {			/* from the middle: the run splits in two */
		struct mlvm_run *v = realloc(a->free, (a->n_free + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->free = v;
		f = &v[i];
		memmove(f + 2, f + 1, (a->n_free - i - 1) * sizeof(*f));
		a->n_free++;
		f[1] = (struct mlvm_run){ .pv = f->pv, .pe = pe + len, .len = end - pe - len };
		f->len = pe - f->pe;
	}
	return 0;
}

int mlvm_alloc_take(struct mlvm_alloc *a, uint64_t need, int64_t pref_pv, uint64_t pref_pe,
		    struct mlvm_run **runs, size_t *n_runs)
{
	size_t i;
	int rc;

	if (a->n_extents < need)
		return -ENOSPC;
	/* the free run holding the preferred extent */
	for (i = 0; need && pref_pv >= 0 && i < a->n_free; i++) {
		const struct mlvm_run *f = &a->free[i];
		uint64_t len;

		if ((int64_t)f->pv != pref_pv || !f->len || pref_pe < f->pe || pref_pe - f->pe >= f->len)
			continue;
		len = f->pe + f->len - pref_pe;
		if (len > need)
			len = need;
		if ((rc = take(a, i, pref_pe, len, runs, n_runs)))
			return rc;
		need -= len;
		break;
	}
	/* first fit */
	for (i = 0; need && i < a->n_free; i++) {
		uint64_t len = a->free[i].len < need ? a->free[i].len : need;

		if (!len)
			continue;
		if ((rc = take(a, i, a->free[i].pe, len, runs, n_runs)))
			return rc;
		need -= len;
	}
	return need ? -ENOSPC : 0;
}

uint64_t mlvm_extents_for(const struct mlvm_vg *vg, uint64_t bytes)
{
	uint64_t ext = vg->extent_size * MLVM_SECTOR_SIZE;

	if (!ext)
		return 0;
	return bytes / ext + (bytes % ext ? 1 : 0);
}
