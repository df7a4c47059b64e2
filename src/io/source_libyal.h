/*
 * source_libyal.h - one adapter for the libyal container libraries
 * (libewf, libqcow, libvhdi): an image opened read-only through its
 * library behind the usual struct mlvm_source.
 *
 * The libraries share one shape (initialize a handle, open a path, read
 * the media size, read a buffer at an offset, close and free; errors come
 * as a handle whose backtrace is printed then freed), so each library is
 * a small table of those functions (struct mlvm_libyal, in its
 * source_{ewf,qcow,vhdi}.c, built only with its library: configure's
 * HAVE_LIBEWF, HAVE_LIBQCOW, HAVE_LIBVHDI) and this adapter does the rest:
 * the source's size is the media size; pread maps to the library's read,
 * at most 16 MiB a call, serialised per handle with a mutex (the libraries
 * keep a cache and, libewf 20140813, a current offset per handle: one
 * reader at a time); writes fail with -EROFS.
 *
 * Parallel reads (tables with .parallel: libewf, libqcow). Decompressing
 * is what makes a container slow, and one handle decompresses on one core,
 * so a large read (1 MiB or more) and a willneed hint (mlvm_source_
 * willneed: the exporter's read-ahead) go to a pool of worker threads, one
 * per core (MLVM_IO_THREADS in the environment overrides: 0 turns the pool
 * off), each with its OWN handle on the same files (opened with the
 * opener's ctx on first use), each reading whole 1 MiB-aligned pieces
 * into a cache of at most 24 pieces per source (memory bounded). A read
 * copies its bytes out of the pieces; a piece the cache has no room for,
 * or whose read (or check) failed, is read again the serial way, exactly
 * the bytes asked for, so what a read returns (the bytes, or -EIO) is the
 * serial path's. Smaller reads (labels, metadata) stay on the one handle.
 *
 * Errors: opening fails with a negative errno and ONE "open" entry for
 * the path in the caller's report (io/source_error.h): "cannot open PATH:
 * <library message>" (-ENOMEM) when no handle can be made, "it is A FORMAT
 * image that LIB cannot open: ..." (-EIO), "it is A FORMAT image whose
 * HEADER LIB cannot read: ..." (-EIO), what the table's examine hook
 * refuses (a backing file, a parent, encryption, missing segments: its own
 * words). A read fails with -EIO alone: the library's message is dropped
 * (a read has no report to word it in, and no caller asked for it).
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_SOURCE_LIBYAL_H
#define MLVM_SOURCE_LIBYAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/sha256.h"

struct mlvm_source;
struct mlvm_report;

/*
 * One library. h is the library's handle (libqcow_file_t * ...), e its
 * error (libqcow_error_t *), both as void *: every function sets *e only
 * when it fails, and the adapter hands it to error_text.
 */
struct mlvm_libyal {
	const char *lib;		/* "libqcow": in messages */
	const char *article;		/* "a" or "an", before the format name */
	const char *header;		/* what media_size failing means: "header" */
	/* make a handle: 1, or not 1 with *e */
	int (*initialize)(void **h, void **e);
	/* open path (ctx: the opener's); 1, or not 1 with *e */
	int (*open)(void *h, const char *path, void *ctx, void **e);
	/* 1 and *size, or not 1 with *e */
	int (*media_size)(void *h, uint64_t *size, void **e);
	/* optional, after media_size: 0, or a negative errno with its ONE
	 * "open" entry added to r (mlvm_libyal_error or mlvm_source_fail);
	 * *aux is kept for check */
	int (*examine)(const struct mlvm_libyal *lib, void *h, const char *path,
		       const char *format, void *ctx, uint64_t *aux, struct mlvm_report *r);
	/* bytes read (> 0), 0 at the end, or < 0 with *e */
	ssize_t (*read)(void *h, void *buf, size_t len, uint64_t off, void **e);
	/* optional, after every read: 0 or a negative errno */
	int (*check)(struct mlvm_source *s, void *h, uint64_t aux, uint64_t off, uint64_t len);
	/* optional: the digest of the media the image stores: its size in
	 * bytes into md (at most 64), 0 when none is stored, or < 0 */
	int (*stored_hash)(void *h, enum mlvm_digest_alg alg, unsigned char *md, size_t size);
	/* close (when opened) and free the handle */
	void (*close)(void *h, int opened);
	/* the error's backtrace into msg (or ""), then free the error */
	void (*error_text)(void *e, char *msg, size_t size);
	/* optional: frees the opener's ctx; with it, mlvm_libyal_open owns
	 * ctx from the call on (kept to open the workers' handles) */
	void (*ctx_free)(void *ctx);
	/* handles of the library may be read on different threads at once,
	 * one handle per thread: the parallel reader is used */
	int parallel;
};

/*
 * The table's functions for a library with libyal's LIB_file_* interface
 * (libqcow, libvhdi): static functions PFX_initialize, PFX_open,
 * PFX_media_size, PFX_read, PFX_close and PFX_error_text, expanded where
 * the library's header is included. LIB is its prefix (libqcow), OPEN_READ
 * its read-only open flag.
 */
#define MLVM_LIBYAL_FILE_FUNCTIONS(PFX, LIB, OPEN_READ)					\
static int PFX##_initialize(void **h, void **e)						\
{											\
	LIB##_file_t *f = NULL;								\
	LIB##_error_t *err = NULL;							\
	int rc = LIB##_file_initialize(&f, &err);					\
											\
	*h = f;										\
	*e = err;									\
	return rc;									\
}											\
static int PFX##_open(void *h, const char *path, void *ctx, void **e)			\
{											\
	LIB##_error_t *err = NULL;							\
	int rc = LIB##_file_open(h, path, OPEN_READ, &err);				\
											\
	(void)ctx;									\
	*e = err;									\
	return rc;									\
}											\
static int PFX##_media_size(void *h, uint64_t *size, void **e)				\
{											\
	LIB##_error_t *err = NULL;							\
	size64_t sz = 0;								\
	int rc = LIB##_file_get_media_size(h, &sz, &err);				\
											\
	*size = (uint64_t)sz;								\
	*e = err;									\
	return rc;									\
}											\
static ssize_t PFX##_read(void *h, void *buf, size_t len, uint64_t off, void **e)	\
{											\
	LIB##_error_t *err = NULL;							\
	ssize_t n = LIB##_file_read_buffer_at_offset(h, buf, len, (off64_t)off, &err);	\
											\
	*e = err;									\
	return n;									\
}											\
static void PFX##_close(void *h, int opened)						\
{											\
	LIB##_file_t *f = h;								\
											\
	if (opened)									\
		LIB##_file_close(f, NULL);						\
	LIB##_file_free(&f, NULL);							\
}											\
static void PFX##_error_text(void *e, char *msg, size_t size)				\
{											\
	LIB##_error_t *err = e;								\
											\
	if (LIB##_error_backtrace_sprint(err, msg, size) < 0)				\
		msg[0] = '\0';								\
	LIB##_error_free(&err);								\
}

/*
 * Open path, an image of the library's format (format: its name in
 * messages, "qcow", "VHDX"), with the opener's ctx for open and examine
 * (and for the workers' handles: freed with lib->ctx_free, if any, on
 * failure or when the source is closed).
 * 0 and *out, or a negative errno with its one entry in r (see above).
 */
int mlvm_libyal_open(const struct mlvm_libyal *lib, const char *path, const char *format,
		     void *ctx, struct mlvm_source **out, struct mlvm_report *r);

/*
 * Add path's "open" entry to r: "WHAT[ NAME]: <the library's message>"
 * (NAME left out when NULL); frees e (may be NULL). Returns rc.
 */
int mlvm_libyal_error(const struct mlvm_libyal *lib, int rc, void *e, const char *what,
		      const char *name, struct mlvm_report *r, const char *path);

/* the container openers, each built only with its library; failures as
 * mlvm_libyal_open's */
int mlvm_source_open_ewf(const char *path, struct mlvm_source **out, struct mlvm_report *r);
int mlvm_source_open_qcow(const char *path, struct mlvm_source **out, struct mlvm_report *r);
/* the segment files of the EWF image path as libewf_glob() finds them
 * (mlvm_container_files, detect.h) */
int mlvm_ewf_segment_files(const char *path, char ***paths, size_t *n);
/* format: "VHD" or "VHDX" (mlvm_format_name), in messages */
int mlvm_source_open_vhdi(const char *path, const char *format, struct mlvm_source **out,
			  struct mlvm_report *r);

#endif
