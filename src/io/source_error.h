/*
 * source_error.h - the words for a failed open or container read.
 *
 * mlvm_source_open() and the container sources (io/source_libyal.h) fail
 * with a negative errno; what the image is and why it cannot be read (a
 * format this build cannot read and which package adds it, the library's
 * own message) is kept per thread beside that errno, for
 * mlvm_source_strerror() (declared in io/source.h) to return. Kept apart
 * from format detection (io/detect.h) so that the container openers, which
 * detect.c calls, do not call back into it.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_SOURCE_ERROR_H
#define MLVM_SOURCE_ERROR_H

/*
 * Record rc with its words for mlvm_source_strerror() in this thread
 * (printf-style; newlines and tabs become spaces); returns rc.
 * mlvm_source_error_clear() forgets them.
 */
int mlvm_source_set_error(int rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mlvm_source_error_clear(void);

/*
 * The most telling line of a libyal library's error backtrace (its first,
 * innermost one, without the full stop), in place; "LIB: unknown error"
 * when there is none.
 */
const char *mlvm_source_lib_message(char *backtrace, const char *lib);

#endif
