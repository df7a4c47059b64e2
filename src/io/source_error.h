/*
 * source_error.h - the words for a failed open.
 *
 * mlvm_source_open() and the container openers (io/source_libyal.h) fail
 * with a negative errno and add what the image is and why it cannot be
 * read (a format this build cannot read and which package adds it, the
 * library's own message) to the caller's report as ONE entry: severity
 * error, code "open", the image's path, offset -1, the reason alone as
 * message. Every failure path of an opener adds exactly one such entry
 * (mlvm_source_fail), so the opener above it adds none of its own. Kept
 * apart from format detection (io/detect.h) so that the container
 * openers, which detect.c calls, do not call back into it.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_SOURCE_ERROR_H
#define MLVM_SOURCE_ERROR_H

#include <stddef.h>

struct mlvm_report;

/*
 * Add the "open" entry for path to r (NULL: no words) with the reason
 * (printf-style, at most 511 bytes; newlines and tabs become spaces);
 * returns rc.
 */
int mlvm_source_fail(struct mlvm_report *r, const char *path, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The most telling line of a libyal library's error backtrace bt (size
 * bytes): its first, innermost one, without the full stop, in place; "LIB:
 * unknown error" written into bt when there is none.
 */
const char *mlvm_source_lib_message(char *bt, size_t size, const char *lib);

#endif
