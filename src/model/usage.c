/*
 * usage.c - the model of PV extent usage (usage.h).
 */
#include "model/usage.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

uint64_t mlvm_extent_use_end(const struct mlvm_usage *u, const struct mlvm_extent_use *e)
{
	uint64_t count = mlvm_extent_use_count(u, e);

	return e->start + count < e->start ? UINT64_MAX : e->start + count;
}

static int cmp_use(const void *x, const void *y, void *arg)
{
	const struct mlvm_extent_use *a = x, *b = y;

	(void)arg;
	if (a->pv != b->pv)
		return a->pv < b->pv ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->lv != b->lv)
		return a->lv < b->lv ? -1 : 1;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	return a->area < b->area ? -1 : a->area > b->area;
}

static int add_clash(struct mlvm_usage *u, size_t *cap, const struct mlvm_extent_clash *c)
{
	if (u->n_clashes == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct mlvm_extent_clash *p = realloc(u->clashes, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		u->clashes = p;
		*cap = n;
	}
	u->clashes[u->n_clashes++] = *c;
	return 0;
}

void mlvm_usage_free(struct mlvm_usage *u)
{
	if (!u)
		return;
	free(u->uses);
	free(u->pv_first);
	free(u->pv_used);
	free(u->clashes);
	memset(u, 0, sizeof(*u));
}

#define RADIX_BITS 11u
#define RADIX (1u << RADIX_BITS)

/* the digit of e's key (pv, start) at bit shift of start (pv_digit:
 * of pv) */
static inline uint32_t use_digit(const struct mlvm_extent_use *e, bool pv_digit, unsigned shift)
{
	return (uint32_t)((pv_digit ? (uint64_t)e->pv : e->start) >> shift) & (RADIX - 1);
}

/* one stable pass of a radix sort: n uses from src to dst by a digit;
 * false when every use has the same digit (nothing moved) */
static bool radix_pass(const struct mlvm_extent_use *src, struct mlvm_extent_use *dst, size_t n,
		       bool pv_digit, unsigned shift)
{
	size_t count[RADIX] = { 0 }, at = 0, i;
	uint32_t d;

	for (i = 0; i < n; i++)
		count[use_digit(&src[i], pv_digit, shift)]++;
	if (count[use_digit(&src[0], pv_digit, shift)] == n)
		return false;
	for (d = 0; d < RADIX; d++) {
		size_t c = count[d];

		count[d] = at;
		at += c;
	}
	for (i = 0; i < n; i++)
		dst[count[use_digit(&src[i], pv_digit, shift)]++] = src[i];
	return true;
}

static unsigned bit_length(uint64_t v)
{
	unsigned b = 0;

	while (v) {
		b++;
		v >>= 1;
	}
	return b;
}

/* the passes of the digits of a key of bits bits (pv_digit: the PV's,
 * else the start's), each moving the uses between *a and *b */
static void radix_passes(struct mlvm_extent_use **a, struct mlvm_extent_use **b, size_t n,
			 bool pv_digit, unsigned bits)
{
	struct mlvm_extent_use *t;
	unsigned shift;

	for (shift = 0; shift < bits; shift += RADIX_BITS)
		if (radix_pass(*a, *b, n, pv_digit, shift)) {
			t = *a;
			*a = *b;
			*b = t;
		}
}

/*
 * The uses sorted as cmp_use orders them. collect makes them in the order
 * of (lv, seg, area), which is cmp_use's after (pv, start), so a stable
 * sort by (pv, start) alone gives cmp_use's order: a radix sort (least
 * significant digit first, RADIX_BITS at a time, only as many digits as
 * the largest start and PV index have). A VG of 10,000 LVs of two
 * segments each, one in the PV's first half and one in its second, makes
 * 10,000 runs of two: merging them (qsort_r) was a tenth of a read
 * --json, its scratch memory faulted in page by page; two passes now.
 * Without memory for the scratch, mlvm_sort_runs.
 */
static void sort_uses(struct mlvm_usage *u)
{
	struct mlvm_extent_use *a = u->uses, *b;
	uint64_t max_start = 0;
	uint32_t max_pv = 0;
	size_t n = u->n_uses, i;
	bool sorted = true;

	for (i = 0; i < n; i++) {
		if (a[i].start > max_start)
			max_start = a[i].start;
		if (a[i].pv > max_pv)
			max_pv = a[i].pv;
		if (i && (a[i].pv < a[i - 1].pv || (a[i].pv == a[i - 1].pv && a[i].start < a[i - 1].start)))
			sorted = false;
	}
	if (sorted)
		return;
	b = malloc(n * sizeof(*b));
	if (!b) {
		mlvm_sort_runs(a, n, sizeof(*a), cmp_use, NULL);
		return;
	}
	mlvm_prefault(b, n * sizeof(*b));
	radix_passes(&a, &b, n, false, bit_length(max_start));
	radix_passes(&a, &b, n, true, bit_length(max_pv));
	free(b);	/* the scratch: the old array, or the new one unused */
	u->uses = a;
}

/* the uses of every PV area of a known PV, sorted */
static int collect(struct mlvm_usage *u)
{
	const struct mlvm_vg *vg = u->vg;
	size_t n = 0;
	uint32_t l, j, k;

	for (l = 0; l < vg->n_lvs; l++)
		for (j = 0; j < vg->lvs[l].n_segs; j++)
			n += vg->lvs[l].segs[j].n_areas;
	u->uses = malloc((n ? n : 1) * sizeof(*u->uses));
	if (!u->uses)
		return -ENOMEM;
	mlvm_prefault(u->uses, n * sizeof(*u->uses));
	for (l = 0; l < vg->n_lvs; l++)
		for (j = 0; j < vg->lvs[l].n_segs; j++) {
			const struct mlvm_segment *s = &vg->lvs[l].segs[j];

			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];

				if (a->kind != MLVM_AREA_PV || a->ref < 0 || (uint32_t)a->ref >= vg->n_pvs)
					continue;
				u->uses[u->n_uses++] = (struct mlvm_extent_use){
					.start = a->start, .pv = (uint32_t)a->ref,
					.lv = l, .seg = j, .area = k,
				};
			}
		}
	sort_uses(u);
	return 0;
}

int mlvm_usage_build(const struct mlvm_vg *vg, struct mlvm_usage *u)
{
	size_t i, cap = 0;
	uint32_t p;

	memset(u, 0, sizeof(*u));
	u->vg = vg;
	u->pv_first = calloc((size_t)vg->n_pvs + 1, sizeof(*u->pv_first));
	u->pv_used = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*u->pv_used));
	if (!u->pv_first || !u->pv_used || collect(u))
		return -ENOMEM;
	for (p = 0, i = 0; p <= vg->n_pvs; p++) {
		while (i < u->n_uses && u->uses[i].pv < p)
			i++;
		u->pv_first[p] = i;
	}
	/* per PV: extents used, overlaps, areas past the end */
	for (p = 0; p < vg->n_pvs; p++) {
		uint64_t pe_count = vg->pvs[p].pe_count, cover = 0;
		const struct mlvm_extent_use *far = NULL;	/* the use reaching furthest so far */

		for (i = u->pv_first[p]; i < u->pv_first[p + 1]; i++) {
			const struct mlvm_extent_use *e = &u->uses[i];
			uint64_t end = mlvm_extent_use_end(u, e);
			uint64_t s = e->start > cover ? e->start : cover;
			uint64_t t = end < pe_count ? end : pe_count;

			if (mlvm_extent_use_count(u, e) && far && e->start < cover) {
				struct mlvm_extent_clash c = {
					.overlap = true, .pv = p, .start = e->start,
					.count = (end < cover ? end : cover) - e->start, .a = far, .b = e,
				};

				if (add_clash(u, &cap, &c))
					return -ENOMEM;
			}
			if (end > pe_count) {
				uint64_t ps = e->start > pe_count ? e->start : pe_count;
				struct mlvm_extent_clash c = {
					.overlap = false, .pv = p, .start = ps, .count = end - ps, .a = e,
				};

				if (add_clash(u, &cap, &c))
					return -ENOMEM;
			}
			if (!mlvm_extent_use_count(u, e))
				continue;
			if (t > s)
				u->pv_used[p] += t - s;
			if (end > cover) {
				cover = end;
				far = e;
			}
		}
	}
	return 0;
}

uint64_t mlvm_usage_pv_free(const struct mlvm_usage *u, uint32_t pv)
{
	uint64_t pe = u->vg->pvs[pv].pe_count;

	return u->pv_used[pv] < pe ? pe - u->pv_used[pv] : 0;
}

uint64_t mlvm_usage_free_extents(const struct mlvm_usage *u)
{
	uint64_t f = 0;
	uint32_t p;

	for (p = 0; p < u->vg->n_pvs; p++)
		f += mlvm_usage_pv_free(u, p);
	return f;
}

bool mlvm_usage_free_run(const struct mlvm_usage *u, uint32_t pv, uint64_t from,
			 uint64_t *start, uint64_t *count)
{
	uint64_t pe = u->vg->pvs[pv].pe_count, cover = from;
	size_t i;

	for (i = u->pv_first[pv]; i < u->pv_first[pv + 1] && cover < pe; i++) {
		const struct mlvm_extent_use *e = &u->uses[i];
		uint64_t end = mlvm_extent_use_end(u, e);

		if (!mlvm_extent_use_count(u, e) || end <= cover)
			continue;
		if (e->start > cover)
			break;
		cover = end;
	}
	if (cover >= pe)
		return false;
	/* stopped at the first use after the gap, or at the PV's last use */
	*start = cover;
	*count = (i < u->pv_first[pv + 1] && u->uses[i].start < pe ? u->uses[i].start : pe) - cover;
	return true;
}
