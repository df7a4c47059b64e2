/*
 * export.h - the exporter: an LV's bytes, read through an LV reader
 * (map/lvmap.h), to a file, a block device or a stream, with the SHA-256 of
 * what was written. `mlvm export` and the browser's export both use it.
 *
 * Contract. The LV is copied in order, in chunks of MLVM_EXPORT_CHUNK bytes,
 * memory bounded whatever its size (at most MLVM_EXPORT_NBUF chunks in
 * flight). With MLVM_EXPORT_SHA256 a second thread hashes the chunks in
 * order while the caller's thread reads and writes the next ones. Without
 * the hash, to a file or block device, a second thread writes the chunks
 * in order while the caller's thread reads the next ones (not when
 * mlvm_io_threads(1) is 0: MLVM_IO_THREADS=0 or one core); to a stream
 * (pipe, terminal, socket) the caller's thread writes, so that a signal
 * can break off a write that blocks. The second thread blocks every
 * signal: signals reach the caller's threads only. With MLVM_EXPORT_SPARSE
 * all-zero blocks of a regular file are left as holes and the file's size
 * is set at the end.
 *
 * Parts the reader cannot read are written as zeros and listed by the
 * reader (mlvm_lv_reader_missing): that is not an error here; the caller
 * decides what it means. An image read that fails outright, a write that
 * fails, or the hash failing ends the export with a negative errno, after
 * one call of cb->error with words naming the image and the byte (e.g.
 * "cannot read pv1.img at byte 1048576 (byte 0 of the lv): Input/output
 * error").
 *
 * Progress and cancellation: cb->progress is called from the caller's
 * thread once for every chunk written, in order (when the second thread
 * writes, as the caller's thread learns of it); it returns nonzero to stop. *cb->cancel
 * (a flag a signal handler may set) is checked between chunks and before
 * every write, so a write blocked on a pipe that a signal breaks off (EINTR
 * or a short count: install the handler without SA_RESTART) is not begun
 * again; a signal that lands just before a write blocks is seen at the
 * next signal. Either way the export ends with -ECANCELED, res->written
 * saying how many bytes from the LV's start were written, and cb->error is
 * not called. When the second thread writes, the chunks it held when the
 * callback said stop may have been written too: written counts them, so it
 * may pass the last progress call's done (it is always what the output
 * holds).
 *
 * The output (struct mlvm_export_out): mlvm_export_out_open never
 * overwrites by default, never writes over one of the input images, and
 * remembers whether it created the file, so that mlvm_export_out_close
 * removes a partial file it made and nothing else.
 *
 * The exporter never prints, never exits and never handles signals itself.
 *
 * Layer: export (src/export). May include: base, io, disk, text, model, map.
 */
#ifndef MLVM_EXPORT_H
#define MLVM_EXPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map/lvmap.h"

#define MLVM_EXPORT_CHUNK (4u << 20)
#define MLVM_EXPORT_NBUF 6	/* chunk buffers with the stage (24 MiB): the two chunks
				 * announced ahead and four for the stage to catch up
				 * on, which rides out the hasher being descheduled */

/* flags of mlvm_export_run */
enum {
	MLVM_EXPORT_SHA256 = 1u << 0,	/* hash what is written (res->sha256) */
	MLVM_EXPORT_SPARSE = 1u << 1,	/* holes for all-zero 4 KiB blocks: a regular
					 * file only (-EINVAL otherwise) */
	MLVM_EXPORT_SYNC = 1u << 2,	/* fsync a regular file at the end */
};

/* flags of mlvm_export_out_open */
enum {
	MLVM_EXPORT_OVERWRITE = 1u << 0,	/* an existing file is truncated, a block
						 * device written in place */
};

enum mlvm_export_kind {
	MLVM_EXPORT_FILE,	/* a regular file, written from its start */
	MLVM_EXPORT_BLOCK,	/* a block device, written in place from its start */
	MLVM_EXPORT_STREAM,	/* a pipe, a terminal, a character device, a socket:
				 * written in order */
};

struct mlvm_export_out {
	const char *path;	/* as given (not copied): for messages and removal */
	int fd;			/* -1 when not open */
	enum mlvm_export_kind kind;
	bool created;		/* this out made the file: removed when not kept */
	bool own_fd;		/* closed by mlvm_export_out_close */
	bool removed;		/* set by mlvm_export_out_close */
	uint64_t dev_size;	/* MLVM_EXPORT_BLOCK: the device's size in bytes */
};

/*
 * Open path for writing an LV of size bytes. A path that does not exist is
 * created (0644, O_EXCL: created is set). An existing one is refused with
 * -EEXIST unless MLVM_EXPORT_OVERWRITE: then a regular file is truncated, a
 * block device is opened with O_EXCL (fails with -EBUSY when it is mounted
 * or in use) and refused with -ENOSPC when smaller than size (dev_size says
 * its size), anything else (a FIFO, a character device) is written as a
 * stream (a pipe is widened to 1 MiB where the system allows it).
 * -EXDEV when path is the same file as one of the n_inputs paths in inputs
 * (under any name), whatever the flags: an export never writes over its
 * evidence. Other failures: the negative errno of stat or open. o->kind is
 * set before the open is tried (FILE for a path that does not exist), so
 * the caller can word a failure; on failure nothing is left open or made.
 */
int mlvm_export_out_open(struct mlvm_export_out *o, const char *path, unsigned flags,
			 const char *const *inputs, size_t n_inputs, uint64_t size);

/*
 * Write to fd, opened by the caller and left open by mlvm_export_out_close
 * (stdout): its kind from fstat (a pipe is widened as above); name is for
 * messages. 0 or the negative errno of fstat.
 */
int mlvm_export_out_fd(struct mlvm_export_out *o, int fd, const char *name);

/*
 * Reserve size bytes for a regular file before writing (beyond its end:
 * its size grows only as bytes are written, so an interrupted export never
 * looks whole): a filesystem without room says so now, not hours into the
 * copy. 0 also where the filesystem cannot reserve (written the ordinary
 * way) and for other kinds; -ENOSPC, -EDQUOT or -EFBIG after cb->error
 * ("out.img: no room for the lv's N bytes: ..."), the blocks reserved
 * given back.
 */
struct mlvm_export_cb;
int mlvm_export_out_reserve(struct mlvm_export_out *o, uint64_t size,
			    const struct mlvm_export_cb *cb);

/*
 * Close (when own_fd) and, when keep is false or the close fails, remove
 * the file if this out created it (removed says whether it was). 0, or the
 * negative errno of close (a write the kernel had deferred failed).
 * Does nothing on an out never opened or closed already (fd -1).
 */
int mlvm_export_out_close(struct mlvm_export_out *o, bool keep);

struct mlvm_export_cb {
	/* after each chunk: bytes written from the LV's start, of total;
	 * nonzero stops the export. May be NULL. */
	int (*progress)(void *ud, uint64_t done, uint64_t total);
	/* why the export failed, once, before it returns the error (not for
	 * -ECANCELED). May be NULL. */
	void (*error)(void *ud, int rc, const char *message);
	/* nonzero stops the export; may be NULL */
	const volatile sig_atomic_t *cancel;
	void *ud;
};

struct mlvm_export_result {
	uint64_t written;	/* bytes from the LV's start written */
	char sha256[65];	/* 64 hex digits with MLVM_EXPORT_SHA256 and success, else "" */
};

/*
 * Copy rd's bytes to o (opened by mlvm_export_out_open or _fd), from the
 * LV's start, as the flags say. 0; -ECANCELED when stopped (progress
 * returned nonzero or *cancel was set); -EINVAL for MLVM_EXPORT_SPARSE on
 * anything but a regular file; or a negative errno after cb->error. res
 * may be NULL; cb may be NULL (no progress, no cancellation, no words).
 */
int mlvm_export_run(struct mlvm_lv_reader *rd, struct mlvm_export_out *o, unsigned flags,
		    const struct mlvm_export_cb *cb, struct mlvm_export_result *res);

#endif
