/*
 * report.c - the anomaly list.
 */
#include "base/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlvm_report_init(struct mlvm_report *r)
{
	memset(r, 0, sizeof(*r));
}

static void anomaly_free(struct mlvm_anomaly *a)
{
	free(a->code);
	free(a->message);
	free(a->image);
	free(a->vg_name);
	free(a->vg_id);
}

void mlvm_report_free(struct mlvm_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		anomaly_free(&r->items[i]);
	free(r->items);
	mlvm_report_init(r);
}

void mlvm_report_append(struct mlvm_report *dst, struct mlvm_report *src)
{
	size_t i, room;

	if (!dst) {
		mlvm_report_free(src);
		return;
	}
	room = dst->n < MLVM_REPORT_MAX ? MLVM_REPORT_MAX - dst->n : 0;
	if (room > src->n)
		room = src->n;
	if (dst->cap - dst->n < room) {
		size_t cap = dst->cap ? dst->cap : 16;
		struct mlvm_anomaly *p;

		while (cap - dst->n < room)
			cap *= 2;
		p = realloc(dst->items, cap * sizeof(*p));
		if (!p) {
			room = 0;	/* counted below */
		} else {
			dst->items = p;
			dst->cap = cap;
		}
	}
	for (i = 0; i < room; i++)
		dst->items[dst->n++] = src->items[i];
	for (; i < src->n; i++) {
		anomaly_free(&src->items[i]);
		dst->dropped++;
	}
	dst->dropped += src->dropped;
	free(src->items);
	mlvm_report_init(src);
}

size_t mlvm_report_filter(struct mlvm_report *r,
			  bool (*keep)(const struct mlvm_anomaly *a, void *arg), void *arg)
{
	size_t i, o = 0;

	for (i = 0; i < r->n; i++) {
		if (keep(&r->items[i], arg))
			r->items[o++] = r->items[i];
		else
			anomaly_free(&r->items[i]);
	}
	i = r->n - o;
	r->n = o;
	return i;
}

void mlvm_report_add(struct mlvm_report *r, enum mlvm_severity sev,
		     const char *code, const char *image, int64_t offset,
		     const char *fmt, ...)
{
	struct mlvm_anomaly *a;
	va_list ap;
	char *msg = NULL;

	if (!r)
		return;
	if (r->n >= MLVM_REPORT_MAX) {
		r->dropped++;
		return;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct mlvm_anomaly *p = realloc(r->items, cap * sizeof(*p));

		if (!p) {
			r->dropped++;
			return;
		}
		r->items = p;
		r->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	a = &r->items[r->n];
	a->severity = sev;
	a->code = strdup(code);
	a->message = msg;
	a->image = image ? strdup(image) : NULL;
	a->offset = offset;
	a->vg_name = NULL;
	a->vg_id = NULL;
	if (!a->code || !a->message || (image && !a->image)) {
		free(a->code);
		free(a->message);
		free(a->image);
		r->dropped++;
		return;
	}
	r->n++;
}

void mlvm_report_tie_vg(struct mlvm_report *r, size_t from, const char *vg_name,
			const char *vg_id)
{
	size_t i;

	if (!r || (!vg_name && !vg_id))
		return;
	for (i = from; i < r->n; i++) {
		struct mlvm_anomaly *a = &r->items[i];

		if (a->vg_name || a->vg_id)
			continue;
		a->vg_name = vg_name ? strdup(vg_name) : NULL;
		a->vg_id = vg_id ? strdup(vg_id) : NULL;
		if ((vg_name && !a->vg_name) || (vg_id && !a->vg_id)) {
			free(a->vg_name);
			free(a->vg_id);
			a->vg_name = a->vg_id = NULL;
		}
	}
}

size_t mlvm_report_count(const struct mlvm_report *r, enum mlvm_severity min)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->items[i].severity >= min)
			n++;
	return n;
}

const char *mlvm_report_last_message(const struct mlvm_report *r, const char *code)
{
	const struct mlvm_anomaly *a;

	if (!r || !r->n)
		return NULL;
	a = &r->items[r->n - 1];
	if (code && (!a->code || strcmp(a->code, code)))
		return NULL;
	return a->message;
}
