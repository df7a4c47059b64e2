/*
 * source_error.c - the words for a failed open (see source_error.h);
 * mlvm_source_open_error() of source.h.
 */
#include "io/source_error.h"
#include "io/source.h"
#include "base/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mlvm_source_fail(struct mlvm_report *r, const char *path, int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	char *p;

	if (!r)
		return rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* library messages come with newlines and tabs: one line */
	for (p = msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	mlvm_error(r, "open", path, -1, "%s", msg);
	return rc;
}

const char *mlvm_source_lib_message(char *bt, size_t size, const char *lib)
{
	size_t n;

	bt[strcspn(bt, "\r\n")] = '\0';
	n = strlen(bt);
	while (n > 0 && (bt[n - 1] == '.' || bt[n - 1] == ' '))
		bt[--n] = '\0';
	if (!n)
		snprintf(bt, size, "%s: unknown error", lib);
	return bt;
}

const char *mlvm_source_open_error(const struct mlvm_report *r, int rc)
{
	const char *msg = mlvm_report_last_message(r, "open");

	return msg ? msg : strerror(rc < 0 ? -rc : rc);
}
