/*
 * cfgerr.h - test helper: the syntax error cfg_parse added to a report,
 * read back from its message ("metadata text does not parse: line L
 * column C: WHAT") so tests can check line, column and words.
 */
#ifndef MLVM_TEST_CFGERR_H
#define MLVM_TEST_CFGERR_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/report.h"

struct cfgerr {
	unsigned line;
	unsigned column;
	char message[160];
	int entries;		/* how many entries the report held */
};

/* fill e from r's only entry and empty r; e->entries says how many there
 * were (a parse adds exactly one entry when it fails or meets an error) */
static inline void cfgerr_take(struct mlvm_report *r, struct cfgerr *e)
{
	int used = 0;

	memset(e, 0, sizeof(*e));
	e->entries = (int)r->n;
	if (r->n == 1 &&
	    !strcmp(r->items[0].code, "text_parse") &&
	    sscanf(r->items[0].message,
		   "metadata text does not parse: line %u column %u: %n",
		   &e->line, &e->column, &used) == 2 && used > 0)
		snprintf(e->message, sizeof(e->message), "%s",
			 r->items[0].message + used);
	mlvm_report_free(r);
	mlvm_report_init(r);
}

#endif
