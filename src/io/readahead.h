/*
 * readahead.h - an image read in pieces by threads of its own while the
 * caller works on the pieces before, which it is given in order (the piece
 * loops of disk/scan.c and text/deepcarve.c).
 *
 * mlvm_readahead_open gives [start, end) of s as pieces of chunk bytes (the
 * last one shorter), each read with mlvm_source_read. With reader threads
 * (readers > 0, s->concurrent, and a thread could be started), a ring of
 * readers + 2 page-aligned buffers of chunk bytes: each reader takes the
 * next piece not yet taken by another, reads it into its slot (piece k in
 * slot k % slots) and, when the caller gave one, runs the work function on
 * it there, while its bytes are still in that core's cache; the caller
 * takes the pieces in order, and the piece taken is the caller's until its
 * next call. Without (readers 0: MLVM_IO_THREADS=0, one core, another kind
 * of source), one buffer read and worked on in the caller's thread when it
 * asks: the loop as it always was.
 *
 * What the caller sees is the same either way: the same pieces, each
 * worked on once before it is given, and a read that fails is returned
 * when the caller reaches its piece, with its offset, and ends the pieces
 * (no reader starts a piece after it; a piece after it that was being
 * read is dropped). The caller may stop at any piece: mlvm_readahead_close
 * stops and joins the threads and frees everything. The threads take no
 * signals. s must not be closed before it; the caller may read s itself
 * meanwhile (s->concurrent).
 *
 * The work function runs on several threads at once, each on its own
 * slot: it must keep what it finds per slot (the slot number is below
 * MLVM_READAHEAD_MAX_SLOTS), and the caller reads it when it is given that
 * piece (mlvm_readahead_next_slot); until the caller's next call nothing
 * writes that slot.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_READAHEAD_H
#define MLVM_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "io/source.h"

#define MLVM_READAHEAD_MAX_READERS 4
#define MLVM_READAHEAD_MAX_SLOTS (MLVM_READAHEAD_MAX_READERS + 2)

struct mlvm_readahead;

/* runs on a reader thread (or in the caller's, serial) on each piece read */
typedef void (*mlvm_readahead_work)(void *ctx, unsigned slot, const uint8_t *buf, size_t len,
				    uint64_t off);

/* 0 and *out, -EINVAL, -ENOMEM; readers: reader threads, from
 * mlvm_io_threads(MLVM_READAHEAD_MAX_READERS) (more are taken as the most) */
int mlvm_readahead_open(struct mlvm_source *s, uint64_t start, uint64_t end, size_t chunk,
			int readers, struct mlvm_readahead **out);

/* the same, with work (may be NULL) run on each piece read, before the
 * caller is given it */
int mlvm_readahead_open_work(struct mlvm_source *s, uint64_t start, uint64_t end, size_t chunk,
			     int readers, mlvm_readahead_work work, void *ctx,
			     struct mlvm_readahead **out);

/*
 * The next piece: 1 with *buf (len bytes at *off; valid until the next call
 * or close), 0 when there are no more, or the negative errno of the read of
 * the piece at *off (no piece after it).
 */
int mlvm_readahead_next(struct mlvm_readahead *ra, const uint8_t **buf, size_t *len,
			uint64_t *off);

/* the same, and the slot the piece was worked on in (*slot, when 1) */
int mlvm_readahead_next_slot(struct mlvm_readahead *ra, const uint8_t **buf, size_t *len,
			     uint64_t *off, unsigned *slot);

/* how many reader threads are running (tests); 0: serial */
int mlvm_readahead_threaded(const struct mlvm_readahead *ra);

/* stop, join and free (NULL: nothing) */
void mlvm_readahead_close(struct mlvm_readahead *ra);

#endif
