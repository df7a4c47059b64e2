/*
 * source_error.c - the words for a failed open or container read (see
 * source_error.h); mlvm_source_strerror() of source.h.
 */
#include "io/source_error.h"
#include "io/source.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local int err_rc;
static _Thread_local char err_msg[512];

int mlvm_source_set_error(int rc, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	/* library messages come with newlines and tabs: one line */
	for (p = err_msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	err_rc = rc;
	return rc;
}

void mlvm_source_error_clear(void)
{
	err_rc = 0;
	err_msg[0] = '\0';
}

const char *mlvm_source_lib_message(char *bt, const char *lib)
{
	static _Thread_local char unknown[64];
	size_t n;

	bt[strcspn(bt, "\r\n")] = '\0';
	n = strlen(bt);
	while (n > 0 && (bt[n - 1] == '.' || bt[n - 1] == ' '))
		bt[--n] = '\0';
	if (n)
		return bt;
	snprintf(unknown, sizeof(unknown), "%s: unknown error", lib);
	return unknown;
}

const char *mlvm_source_strerror(int rc)
{
	if (rc < 0 && rc == err_rc && err_msg[0])
		return err_msg;
	return strerror(rc < 0 ? -rc : rc);
}
