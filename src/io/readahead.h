/*
 * readahead.h - an image read in pieces, in order, by a thread of its own
 * while the caller works on the piece before (the --deep piece loop of
 * disk/scan.c and text/deepcarve.c).
 *
 * mlvm_readahead_open gives [start, end) of s as pieces of chunk bytes (the
 * last one shorter), each read with mlvm_source_read. With a reader thread
 * (threads > 0, s->concurrent, and the thread could be started), a ring of
 * MLVM_READAHEAD_SLOTS page-aligned buffers of chunk bytes: the thread
 * fills them ahead, the caller takes them in order; the piece taken is the
 * caller's until its next call. Without (threads 0: MLVM_IO_THREADS=0, one
 * core, another kind of source), one buffer read in the caller's thread
 * when it asks: the loop as it always was.
 *
 * What the caller sees is the same either way: the same pieces, and a read
 * that fails is returned when the caller reaches its piece, with its
 * offset, and ends the pieces (the reader reads nothing after it). The
 * caller may stop at any piece: mlvm_readahead_close stops and joins the
 * thread and frees everything. The thread takes no signals. s must not be
 * closed before it; the caller may read s itself meanwhile (s->concurrent).
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_READAHEAD_H
#define MLVM_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "io/source.h"

#define MLVM_READAHEAD_SLOTS 3

struct mlvm_readahead;

/* 0 and *out, -EINVAL, -ENOMEM; threads: from mlvm_io_threads(1) */
int mlvm_readahead_open(struct mlvm_source *s, uint64_t start, uint64_t end, size_t chunk,
			int threads, struct mlvm_readahead **out);

/*
 * The next piece: 1 with *buf (len bytes at *off; valid until the next call
 * or close), 0 when there are no more, or the negative errno of the read of
 * the piece at *off (no piece after it).
 */
int mlvm_readahead_next(struct mlvm_readahead *ra, const uint8_t **buf, size_t *len,
			uint64_t *off);

/* whether a reader thread is running (tests) */
int mlvm_readahead_threaded(const struct mlvm_readahead *ra);

/* stop, join and free (NULL: nothing) */
void mlvm_readahead_close(struct mlvm_readahead *ra);

#endif
