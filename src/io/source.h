/*
 * source.h - where image bytes come from.
 *
 * One small interface: a file or block device read with pread, or a memory
 * buffer (tests, fuzzers). Inspection never opens an image for writing:
 * mlvm_source_open() uses O_RDONLY unless MLVM_SOURCE_WRITE is asked for.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_SOURCE_H
#define MLVM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

struct mlvm_source;
struct mlvm_report;

struct mlvm_source_ops {
	/* read exactly len bytes at off (the caller has checked the range);
	 * 0 or a negative errno */
	int (*pread)(struct mlvm_source *s, void *buf, size_t len, uint64_t off);
	int (*pwrite)(struct mlvm_source *s, const void *buf, size_t len, uint64_t off);
	int (*sync)(struct mlvm_source *s);
	void (*close)(struct mlvm_source *s);
	/* optional: map [off, off+len) read-only (see mlvm_source_map) */
	int (*map)(struct mlvm_source *s, uint64_t off, size_t len, int flags,
		   const void **ptr, void **cookie);
	/* optional: the digest of its media the container stores (see
	 * mlvm_source_stored_hash) */
	int (*stored_hash)(struct mlvm_source *s, enum mlvm_digest_alg alg, char *hex);
	/* optional: [off, off+len) (in the source) will be read soon */
	void (*willneed)(struct mlvm_source *s, uint64_t off, uint64_t len);
	/* optional, both or neither: the same, into buf (see
	 * mlvm_source_willneed_into), and giving buf back */
	void (*willneed_into)(struct mlvm_source *s, void *buf, uint64_t off, uint64_t len);
	void (*forget)(struct mlvm_source *s, const void *buf, size_t len);
	/* optional, for a source over other bytes (a logical volume's): call
	 * add(ctx, start, len) for each part of [off, off + len), in order,
	 * that its reads gave as zeros because the bytes behind it are missing */
	void (*missing)(struct mlvm_source *s, uint64_t off, uint64_t len,
			void (*add)(void *ctx, uint64_t start, uint64_t len), void *ctx);
	/* optional: the words of the last failed read (see
	 * mlvm_source_read_error): 1 with them in buf, or 0 */
	int (*read_error)(struct mlvm_source *s, char *buf, size_t size);
};

/*
 * What a source is when it is not an image given by the user but the bytes
 * of a logical volume found in the images (nested discovery, map/nested.h):
 * the VG (name, uuid) and LV (name, uuid) whose bytes it reads, and how deep
 * it lies (1: an LV of a VG on the images themselves, 2: an LV of a VG
 * found inside such an LV, ...).
 */
struct mlvm_source_inside {
	const char *vg;
	const char *vg_id;
	const char *lv;
	const char *lv_id;
	unsigned depth;
};

struct mlvm_source {
	char *name;		/* the path as the user gave it */
	uint64_t size;		/* bytes */
	const struct mlvm_source_ops *ops;
	void *priv;
	int writable;
	const struct mlvm_source_inside *inside;	/* NULL: an image */
	int concurrent;		/* reads may run on two threads at once (files,
				 * block devices, memory: what io/readahead.h's
				 * reader thread needs); 0 for the others */
};

enum {
	MLVM_SOURCE_WRITE = 1,
	MLVM_SOURCE_RAW = 2,	/* the file's own bytes: no container is recognised */
};

/*
 * Open a regular file or block device; 0 or a negative errno. Its format
 * is recognised by content (detect.h): qcow2 images (versions 2 and 3,
 * zlib or zstd compression) are read by mlvm itself (source_qcow2.h);
 * EWF (E01), qcow version 1 and VHD/VHDX images are opened read-only
 * through libewf, libqcow and libvhdi. A container's size is the size of
 * the disk it holds; MLVM_SOURCE_WRITE on one fails with -EROFS.
 * With MLVM_SOURCE_RAW the file is read as it is, container or not (what
 * sha256sum reads).
 * On failure ONE entry goes to r (NULL: no words): severity error, code
 * "open", image path, offset -1, and as message the reason alone: what
 * the image is and why it cannot be opened (a format this build cannot
 * read and which package adds it, the library's own message), or
 * strerror(-rc) when there is nothing more to say.
 */
int mlvm_source_open(const char *path, int flags, struct mlvm_source **out,
		     struct mlvm_report *r);

/*
 * The reason of a failed mlvm_source_open() whose report is r: the message
 * of r's last entry when it is an "open" one, else strerror(-rc).
 */
const char *mlvm_source_open_error(const struct mlvm_report *r, int rc);

/* A source over memory the caller keeps alive (not copied); NULL on ENOMEM.
 * writable memory sources accept pwrite within their size. */
struct mlvm_source *mlvm_source_memory(const char *name, void *data, size_t size, int flags);

/*
 * A read-only view of parent with every byte decreased by one: how a PV
 * "wiped" by mirage-block-volume (label and metadata area shifted by +1)
 * is read. The parent must outlive the view. NULL on ENOMEM.
 */
struct mlvm_source *mlvm_source_shifted(struct mlvm_source *parent);

/*
 * The digest of its media bytes that the source's container stores (an
 * E01's acquisition MD5 or SHA-1, read through libewf): 1 with hex (lowercase,
 * MLVM_DIGEST_HEX_MAX bytes), 0 when it stores none of alg (and for files,
 * block devices and other formats), or a negative errno.
 */
int mlvm_source_stored_hash(struct mlvm_source *s, enum mlvm_digest_alg alg, char *hex);

/*
 * How many threads may read for one loop over an image (the --deep
 * read-ahead thread, a container's decompressing workers; the metadata
 * parser's second half, text/config.c), at most max:
 * MLVM_IO_THREADS from the environment when it is set (a number; 0, or
 * anything else, serial), else the cores online (0, serial, with one).
 */
int mlvm_io_threads(int max);

/* Read len bytes at off: 0, -ERANGE when the range is outside the source,
 * or another negative errno. */
int mlvm_source_read(struct mlvm_source *s, void *buf, size_t len, uint64_t off);
int mlvm_source_write(struct mlvm_source *s, const void *buf, size_t len, uint64_t off);
int mlvm_source_sync(struct mlvm_source *s);
void mlvm_source_close(struct mlvm_source *s);

/*
 * A hint: [off, off + len) will be read soon (a copy that goes in order
 * says so a few chunks ahead). Sources that decompress (E01, qcow) start
 * reading it on worker threads into their bounded read-ahead cache
 * (source_libyal.h); the others ignore it. Never fails, never changes
 * what a read returns; a range outside the source is ignored.
 */
void mlvm_source_willneed(struct mlvm_source *s, uint64_t off, uint64_t len);

/*
 * The same hint, for a read of [off, off + len) into buf (len bytes) that
 * is to come: a source that decompresses on worker threads (qcow2) may
 * put the bytes straight into buf ahead of the read, which then has
 * nothing left to copy; the others take it as mlvm_source_willneed. From
 * this call until mlvm_source_forget(s, buf, len) returns, buf is lent to
 * the source: the caller may only read [off, off + len) of s into buf
 * (at once or in parts, each into its own place in buf), and must not
 * otherwise write buf, reuse it or free it. Reads into buf give the same
 * bytes as without the hint.
 */
void mlvm_source_willneed_into(struct mlvm_source *s, void *buf, uint64_t off, uint64_t len);

/*
 * Take back what mlvm_source_willneed_into lent: returns when no thread of
 * the source writes into [buf, buf + len) any more and none will (a piece
 * being decompressed there is waited for; one that reaches into the range
 * from outside it is taken back whole). Harmless on a range never lent.
 */
void mlvm_source_forget(struct mlvm_source *s, const void *buf, size_t len);

/*
 * The parts of [off, off + len) of s that its reads gave as zeros because
 * the bytes behind them are missing (ops->missing; nothing for an image),
 * each passed to add in order.
 */
void mlvm_source_missing(struct mlvm_source *s, uint64_t off, uint64_t len,
			 void (*add)(void *ctx, uint64_t start, uint64_t len), void *ctx);

/*
 * What was wrong with the last read of s that failed, when the source can
 * say more than its errno (a qcow2 image read by mlvm itself: the guest
 * byte, the host byte, why the cluster cannot be read): 1 with the words
 * in buf (size bytes, NUL-terminated), or 0 and buf "".
 */
int mlvm_source_read_error(struct mlvm_source *s, char *buf, size_t size);

/*
 * Map len bytes at off read-only, without copying, when the source allows
 * it (files and block devices are mmap'ed, memory sources point into their
 * buffer): 0 with *ptr, -ENOTSUP when it cannot (read instead), -ERANGE
 * outside the source. Release with mlvm_source_unmap(cookie). A NULL
 * *cookie means *ptr is not a mapping but the source's own memory (a memory
 * source's buffer): read it, never advise its pages away (MADV_DONTNEED
 * would zero them).
 * flags: MLVM_MAP_WHOLE when the caller will read all of it (its pages are
 * then mapped at once, which costs where only some are read).
 */
#define MLVM_MAP_WHOLE 1
int mlvm_source_map(struct mlvm_source *s, uint64_t off, size_t len, int flags,
		    const void **ptr, void **cookie);
void mlvm_source_unmap(void *cookie);

#endif
