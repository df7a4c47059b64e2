/*
 * ranges.c - the LV reader's lists of byte ranges that could not be read
 * (see ranges.h).
 */
#include "map/ranges.h"

#include <stdlib.h>
#include <string.h>

void lvmap_miss_init(struct lvmap_miss *m)
{
	m->v = m->in;
	m->n = 0;
	m->cap = LVMAP_MISS_INLINE;
}

void lvmap_miss_free(struct lvmap_miss *m)
{
	if (m->v != m->in)
		free(m->v);
	lvmap_miss_init(m);
}

/* widen r to cover [start, start + len) too */
static void hull(struct mlvm_range *r, uint64_t start, uint64_t len)
{
	uint64_t end = r->start + r->len, nend = start + len;

	if (start < r->start)
		r->start = start;
	if (nend > end)
		end = nend;
	r->len = end - r->start;
}

/* ranges are mostly added in increasing order: merge with the last one */
void lvmap_miss_add(struct lvmap_miss *m, uint64_t start, uint64_t len)
{
	struct mlvm_range *last = m->n ? &m->v[m->n - 1] : NULL;

	if (!len)
		return;
	if (last && start <= last->start + last->len && start >= last->start) {
		hull(last, start, len);
		return;
	}
	if (m->n == m->cap) {
		size_t ncap = m->cap * 2;
		struct mlvm_range *nv = NULL;

		if (m->cap < LVMAP_MISS_MAX)
			nv = malloc(ncap * sizeof(*nv));
		if (!nv) {
			hull(last, start, len);	/* bounded: over-report, never lose */
			return;
		}
		memcpy(nv, m->v, m->n * sizeof(*nv));
		if (m->v != m->in)
			free(m->v);
		m->v = nv;
		m->cap = ncap;
	}
	m->v[m->n].start = start;
	m->v[m->n].len = len;
	m->n++;
}

void lvmap_miss_move(struct lvmap_miss *dst, struct lvmap_miss *src, uint64_t delta)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		lvmap_miss_add(dst, src->v[i].start + delta, src->v[i].len);
	lvmap_miss_free(src);
}

void lvmap_ranges_add(struct lvmap_ranges *rs, uint64_t start, uint64_t len)
{
	size_t lo = 0, hi = rs->n, i, j;
	struct mlvm_range *v;
	uint64_t end = start + len;

	if (!len)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->v[mid].start + rs->v[mid].len < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;	/* first range ending at or after start */
	if (i == rs->n || rs->v[i].start > end) {
		/* no overlap: insert */
		if (rs->n == rs->cap) {
			size_t ncap = rs->cap ? rs->cap * 2 : 16;

			v = ncap <= LVMAP_MAX_MISSING ? realloc(rs->v, ncap * sizeof(*v)) : NULL;
			if (!v) {
				/* full: widen a neighbour */
				if (!rs->n)
					return;
				i = i ? i - 1 : 0;
				hull(&rs->v[i], start, len);
				goto merge;
			}
			rs->v = v;
			rs->cap = ncap;
		}
		memmove(&rs->v[i + 1], &rs->v[i], (rs->n - i) * sizeof(*rs->v));
		rs->v[i].start = start;
		rs->v[i].len = len;
		rs->n++;
		return;
	}
	hull(&rs->v[i], start, len);
merge:
	/* swallow the following ranges that now touch it */
	for (j = i + 1; j < rs->n && rs->v[j].start <= rs->v[i].start + rs->v[i].len; j++)
		hull(&rs->v[i], rs->v[j].start, rs->v[j].len);
	memmove(&rs->v[i + 1], &rs->v[j], (rs->n - j) * sizeof(*rs->v));
	rs->n -= j - i - 1;
}

void lvmap_ranges_free(struct lvmap_ranges *rs)
{
	free(rs->v);
	rs->v = NULL;
	rs->n = rs->cap = 0;
}
