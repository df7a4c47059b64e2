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

void mlvm_report_free(struct mlvm_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].code);
		free(r->items[i].message);
		free(r->items[i].image);
	}
	free(r->items);
	mlvm_report_init(r);
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
	if (!a->code || !a->message || (image && !a->image)) {
		free(a->code);
		free(a->message);
		free(a->image);
		r->dropped++;
		return;
	}
	r->n++;
}

size_t mlvm_report_count(const struct mlvm_report *r, enum mlvm_severity min)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->items[i].severity >= min)
			n++;
	return n;
}
