/*
 * source_qcow2.c - qcow2 images read by mlvm itself (see source_qcow2.h).
 *
 * The layout (qemu's docs/interop/qcow2.txt), all big-endian:
 *   header  0 magic "QFI\xfb", 4 version, 8 backing_file_offset (u64),
 *          16 backing_file_size, 20 cluster_bits, 24 size (u64),
 *          32 crypt_method, 36 l1_size, 40 l1_table_offset (u64), ...
 *          (72 bytes in version 2); version 3 adds 72 incompatible_features
 *          (u64), 80 compatible, 88 autoclear, 96 refcount_order,
 *          100 header_length, 104 compression_type (u8, when header_length
 *          is more than 104).
 *   L1 entry: bits 9..55 the L2 table's offset (cluster-aligned; 0: none).
 *   L2 entry: bit 62 compressed. Standard: bits 9..55 the cluster's offset
 *          (0: unallocated), bit 0 the cluster reads as zeros. Compressed,
 *          with x = 62 - (cluster_bits - 8): bits 0..x-1 the host offset,
 *          bits x..61 the number of 512-byte sectors it spans beyond its
 *          first one; the data is at most (n + 1) * 512 - (offset & 511)
 *          bytes, a raw deflate stream or a zstd frame per the header.
 * Bounds are checked by subtracting from the trusted file size.
 */
#include "io/source_qcow2.h"
#include "io/source.h"
#include "io/source_error.h"
#include "base/util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zstd.h>

#define HDR_V2 72u
#define HDR_V3 104u
#define MAX_L1_BYTES (32u << 20)	/* qemu's QCOW_MAX_L1_SIZE */
#define OFFSET_MASK 0x00fffffffffffe00ull	/* bits 9..55 */
#define L2_COMPRESSED (1ull << 62)
#define L2_ZERO 1ull
#define MAX_WORKERS 8
#define UNIT_MIN (256u << 10)	/* a worker's piece: whole clusters, at least this */
#define ENTRIES_AT_ONCE 512u	/* L2 entries read with one pread */
#define PIECE_MIN (1u << 20)	/* a read-ahead piece: whole clusters, at least this */
#define CACHE_BYTES (16u << 20)	/* read-ahead pieces: at most this much... */
#define MAX_SLOTS 16		/* ...and this many */
#define MAX_LENT 16		/* pieces read ahead into a reader's buffer at once */

enum slot_state { SLOT_EMPTY, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

/*
 * A read-ahead piece (mlvm_source_willneed): decompressed by a worker,
 * copied out by the read that wants it, then free again. A lent one
 * (mlvm_source_willneed_into) is decompressed into the reader's buffer,
 * where its read finds it in place: nothing is copied.
 */
struct q2_slot {
	uint64_t off;
	size_t len;
	uint8_t *buf;		/* the cache's memory, or the reader's (lent) */
	enum slot_state state;
	int rc;
	int pins;		/* a read copying out of it */
	uint64_t seq;		/* queue order, then age */
	bool lent;		/* one of the first MAX_LENT: buf is the reader's */
};

enum { COMP_ZLIB = 0, COMP_ZSTD = 1 };

/* one thread's scratch: compressed input, one cluster out, decompressors */
struct q2_ctx {
	uint8_t *in;
	uint8_t *out;
	struct libdeflate_decompressor *zd;
	ZSTD_DCtx *zs;
};

struct q2 {
	struct mlvm_source *file;
	uint64_t file_size;
	unsigned cluster_bits, l2_bits;
	uint64_t cluster_size;
	uint64_t size;
	uint64_t *l1;		/* the entries the size needs */
	uint64_t l1_n;
	int compression;
	unsigned csize_shift;
	uint64_t csize_mask, coffset_mask;

	pthread_mutex_t err_lock;
	char err[320];		/* the last read error's words */

	pthread_mutex_t serial_lock;	/* serial_ctx */
	struct q2_ctx serial_ctx;

	/* the workers, started on the first large read */
	pthread_mutex_t pool_once;
	int pool_state;		/* 0 not tried, 1 running, -1 none */
	pthread_mutex_t job_lock;	/* one parallel read at a time */
	struct q2_ctx caller_ctx;	/* the job's caller, under job_lock */
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	pthread_t th[MAX_WORKERS];
	struct q2_ctx ctx[MAX_WORKERS];
	int n;
	bool stop;
	/* the current job, under lock */
	uint8_t *jbuf;
	uint64_t joff, jnext, jend, junit;
	unsigned jactive;
	int jrc;
	bool jset;
	/* the read-ahead pieces, under lock: MAX_LENT lent ones, then nslot in
	 * the cache (mem) */
	uint8_t *mem;
	uint64_t piece;
	int nslot;
	uint64_t seq;
	struct q2_slot slot[MAX_LENT + MAX_SLOTS];
};

/* the read-ahead pieces: all of them, the cache's */
#define ALL_SLOTS(q) (MAX_LENT + (q)->nslot)
#define CACHE_SLOT(q, i) (&(q)->slot[MAX_LENT + (i)])

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* ------------------------------------------------------------ read errors */

static int read_error(struct mlvm_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* set on a worker while it reads a piece ahead: its failure keeps no
 * words (the read that wants the piece reads it again and words them) */
static _Thread_local bool reading_ahead;

static int read_error(struct mlvm_source *s, const char *fmt, ...)
{
	struct q2 *q = s->priv;
	va_list ap;

	if (reading_ahead)
		return -EIO;

	pthread_mutex_lock(&q->err_lock);
	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&q->err_lock);
	return -EIO;
}

static int q2_read_error(struct mlvm_source *s, char *buf, size_t size)
{
	struct q2 *q = s->priv;
	int has;

	pthread_mutex_lock(&q->err_lock);
	has = q->err[0] != '\0';
	if (has)
		snprintf(buf, size, "%s", q->err);
	pthread_mutex_unlock(&q->err_lock);
	return has;
}

/* ------------------------------------------------------------ clusters */

static int ctx_init(struct q2 *q, struct q2_ctx *c)
{
	if (c->in)
		return 0;
	c->out = malloc(q->cluster_size);
	/* the longest compressed cluster: 2^(cluster_bits - 8) sectors */
	c->in = malloc((size_t)q->cluster_size * 2);
	if (q->compression == COMP_ZLIB)
		c->zd = libdeflate_alloc_decompressor();
	else
		c->zs = ZSTD_createDCtx();
	if (!c->out || !c->in || (!c->zd && !c->zs)) {
		free(c->out);
		free(c->in);
		libdeflate_free_decompressor(c->zd);
		ZSTD_freeDCtx(c->zs);
		memset(c, 0, sizeof(*c));
		return -ENOMEM;
	}
	return 0;
}

static void ctx_free(struct q2_ctx *c)
{
	free(c->out);
	free(c->in);
	if (c->zd)
		libdeflate_free_decompressor(c->zd);
	if (c->zs)
		ZSTD_freeDCtx(c->zs);
	memset(c, 0, sizeof(*c));
}

/* the compressed cluster at guest byte g (entry e) into out (one cluster) */
static int read_compressed(struct mlvm_source *s, struct q2_ctx *c, uint64_t e, uint64_t g,
			   uint8_t *out)
{
	struct q2 *q = s->priv;
	uint64_t host = e & q->coffset_mask;
	uint64_t nsec = (e >> q->csize_shift) & q->csize_mask;
	uint64_t clen = (nsec + 1) * 512 - (host & 511);
	size_t in_n, out_n = 0;
	int rc;

	if (host >= q->file_size)
		return read_error(s, "the compressed cluster of guest byte %llu is at host byte %llu, "
				  "outside the file (%llu bytes)", (unsigned long long)g,
				  (unsigned long long)host, (unsigned long long)q->file_size);
	/* the last cluster of a file may end before its last sector */
	if (clen > q->file_size - host)
		clen = q->file_size - host;
	rc = mlvm_source_read(q->file, c->in, (size_t)clen, host);
	if (rc)
		return read_error(s, "cannot read the compressed cluster of guest byte %llu at host "
				  "byte %llu: %s", (unsigned long long)g, (unsigned long long)host,
				  strerror(-rc));
	if (q->compression == COMP_ZLIB) {
		size_t used = 0;
		enum libdeflate_result res = libdeflate_deflate_decompress_ex(
			c->zd, c->in, (size_t)clen, out, (size_t)q->cluster_size, &used, &out_n);

		if (res != LIBDEFLATE_SUCCESS || out_n != q->cluster_size)
			return read_error(s, "the compressed cluster of guest byte %llu at host byte "
					  "%llu does not inflate to %llu bytes (%s)",
					  (unsigned long long)g, (unsigned long long)host,
					  (unsigned long long)q->cluster_size,
					  res == LIBDEFLATE_BAD_DATA ? "bad deflate data" :
					  res == LIBDEFLATE_INSUFFICIENT_SPACE ? "it is longer" :
					  res == LIBDEFLATE_SUCCESS ? "it is shorter" : "cut short");
		return 0;
	}
	in_n = ZSTD_findFrameCompressedSize(c->in, (size_t)clen);
	if (!ZSTD_isError(in_n)) {
		out_n = ZSTD_decompressDCtx(c->zs, out, (size_t)q->cluster_size, c->in, in_n);
		if (!ZSTD_isError(out_n) && out_n == q->cluster_size)
			return 0;
	}
	return read_error(s, "the compressed cluster of guest byte %llu at host byte %llu does "
			  "not decompress to %llu bytes (zstd: %s)", (unsigned long long)g,
			  (unsigned long long)host, (unsigned long long)q->cluster_size,
			  ZSTD_isError(in_n) ? ZSTD_getErrorName(in_n) :
			  ZSTD_isError(out_n) ? ZSTD_getErrorName(out_n) : "wrong size");
}

/*
 * [off, off + len) of the guest into buf with c's scratch: L2 entries read
 * a run at a time, adjacent plain clusters read with one pread, compressed
 * clusters decompressed into buf when whole, else through c->out.
 */
static int read_range(struct mlvm_source *s, struct q2_ctx *c, uint8_t *buf, uint64_t off,
		      size_t len)
{
	struct q2 *q = s->priv;
	uint64_t cs = q->cluster_size, l2n = 1ull << q->l2_bits;
	uint8_t raw[ENTRIES_AT_ONCE * 8];
	int rc;

	while (len > 0) {
		uint64_t ci = off >> q->cluster_bits, l1i = ci >> q->l2_bits, l2i = ci & (l2n - 1);
		uint64_t last = (off + len - 1) >> q->cluster_bits;
		uint64_t n = last - ci + 1, l2off, i;

		if (n > l2n - l2i)
			n = l2n - l2i;
		if (n > ENTRIES_AT_ONCE)
			n = ENTRIES_AT_ONCE;
		if (l1i >= q->l1_n)	/* cannot happen: the L1 covers the size */
			return read_error(s, "guest byte %llu lies past the L1 table",
					  (unsigned long long)off);
		l2off = q->l1[l1i] & OFFSET_MASK;
		if (!l2off) {
			/* no L2 table: n clusters unallocated */
			uint64_t span = ((ci + n) << q->cluster_bits) - off;
			size_t k = span < len ? (size_t)span : len;

			memset(buf, 0, k);
			buf += k, off += k, len -= k;
			continue;
		}
		if ((l2off & (cs - 1)) || !mlvm_range_ok(q->file_size, l2off + l2i * 8, n * 8))
			return read_error(s, "the L2 table of guest byte %llu is at host byte %llu, "
					  "%s", (unsigned long long)off, (unsigned long long)l2off,
					  (l2off & (cs - 1)) ? "not on a cluster boundary" :
					  "outside the file");
		rc = mlvm_source_read(q->file, raw, (size_t)(n * 8), l2off + l2i * 8);
		if (rc)
			return read_error(s, "cannot read the L2 table of guest byte %llu at host "
					  "byte %llu: %s", (unsigned long long)off,
					  (unsigned long long)(l2off + l2i * 8), strerror(-rc));
		for (i = 0; i < n && len > 0;) {
			uint64_t e = be64(raw + i * 8), in = off & (cs - 1);
			size_t k = cs - in < len ? (size_t)(cs - in) : len;
			uint64_t host = e & OFFSET_MASK;

			if (e & L2_COMPRESSED) {
				bool whole = in == 0 && k == cs;

				rc = read_compressed(s, c, e, off - in, whole ? buf : c->out);
				if (rc)
					return rc;
				if (!whole)
					memcpy(buf, c->out + in, k);
			} else if ((e & L2_ZERO) || !host) {
				memset(buf, 0, k);
			} else {
				/* the following clusters that lie right after it in the file */
				uint64_t j = i + 1, got = k;

				if (host & (cs - 1))
					return read_error(s, "the cluster of guest byte %llu is at host "
							  "byte %llu, not on a cluster boundary",
							  (unsigned long long)(off - in),
							  (unsigned long long)host);
				while (j < n && got < len) {
					uint64_t f = be64(raw + j * 8);

					if ((f & (L2_COMPRESSED | L2_ZERO | ~0x80fffffffffffe00ull)) ||
					    (f & OFFSET_MASK) != host + (j - i) * cs)
						break;
					got += cs < len - got ? cs : len - got;
					j++;
				}
				if (!mlvm_range_ok(q->file_size, host + in, got))
					return read_error(s, "the cluster of guest byte %llu is at host "
							  "byte %llu, outside the file (%llu bytes)",
							  (unsigned long long)(off - in),
							  (unsigned long long)host,
							  (unsigned long long)q->file_size);
				rc = mlvm_source_read(q->file, buf, (size_t)got, host + in);
				if (rc)
					return read_error(s, "cannot read guest byte %llu at host byte "
							  "%llu: %s", (unsigned long long)off,
							  (unsigned long long)(host + in), strerror(-rc));
				buf += got, off += got, len -= (size_t)got;
				i = j;
				continue;
			}
			buf += k, off += k, len -= k;
			i++;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the workers */

/* under q->lock: take the next piece of the job and read it; false when
 * there is none */
static bool job_step(struct mlvm_source *s, struct q2_ctx *c)
{
	struct q2 *q = s->priv;
	uint64_t a, b;
	int rc;

	if (!q->jset || q->jnext >= q->jend)
		return false;
	a = q->jnext;
	b = a - a % q->junit + q->junit;
	if (b > q->jend)
		b = q->jend;
	q->jnext = b;
	q->jactive++;
	pthread_mutex_unlock(&q->lock);
	rc = ctx_init(q, c);
	if (!rc)
		rc = read_range(s, c, q->jbuf + (a - q->joff), a, (size_t)(b - a));
	pthread_mutex_lock(&q->lock);
	q->jactive--;
	if (rc) {
		if (!q->jrc)
			q->jrc = rc;
		q->jnext = q->jend;	/* the rest is not needed */
	}
	if (q->jnext >= q->jend && !q->jactive)
		pthread_cond_broadcast(&q->done);
	return true;
}

static void *worker_main(void *arg)
{
	struct mlvm_source *s = arg;
	struct q2 *q = s->priv;
	int me;

	mlvm_thread_helper();	/* the hasher, when there is one, goes first */
	pthread_mutex_lock(&q->lock);
	for (me = 0; me < q->n && !pthread_equal(q->th[me], pthread_self()); me++)
		;
	while (!q->stop) {
		struct q2_slot *sl = NULL;
		int i, rc;

		/* a read waiting first, then the oldest piece read ahead */
		if (job_step(s, &q->ctx[me]))
			continue;
		for (i = 0; i < ALL_SLOTS(q); i++)
			if (q->slot[i].state == SLOT_QUEUED && (!sl || q->slot[i].seq < sl->seq))
				sl = &q->slot[i];
		if (!sl) {
			pthread_cond_wait(&q->work, &q->lock);
			continue;
		}
		sl->state = SLOT_BUSY;
		pthread_mutex_unlock(&q->lock);
		rc = ctx_init(q, &q->ctx[me]);
		reading_ahead = true;
		if (!rc)
			rc = read_range(s, &q->ctx[me], sl->buf, sl->off, sl->len);
		reading_ahead = false;
		pthread_mutex_lock(&q->lock);
		sl->rc = rc;
		sl->state = SLOT_DONE;
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static int pool_start(struct mlvm_source *s)
{
	struct q2 *q = s->priv;
	int want = mlvm_io_threads(MAX_WORKERS), i;

	if (!want)
		return -1;
	q->piece = q->cluster_size > PIECE_MIN ? q->cluster_size : PIECE_MIN;
	q->nslot = (int)(CACHE_BYTES / q->piece);
	if (q->nslot > MAX_SLOTS)
		q->nslot = MAX_SLOTS;
	if (q->nslot < 4)
		q->nslot = 4;
	q->mem = mlvm_alloc_huge((size_t)q->nslot * q->piece);
	if (!q->mem)
		return -1;
	for (i = 0; i < q->nslot; i++)
		CACHE_SLOT(q, i)->buf = q->mem + (size_t)i * q->piece;
	for (i = 0; i < MAX_LENT; i++)
		q->slot[i].lent = true;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	pthread_mutex_init(&q->job_lock, NULL);
	/* the workers take no signals (mlvm_thread_create) */
	pthread_mutex_lock(&q->lock);
	for (i = 0; i < want; i++) {
		if (mlvm_thread_create(&q->th[q->n], worker_main, s) != 0)
			break;
		q->n++;
	}
	pthread_mutex_unlock(&q->lock);
	if (q->n)
		return 0;
	free(q->mem);
	q->mem = NULL;
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	pthread_mutex_destroy(&q->lock);
	pthread_mutex_destroy(&q->job_lock);
	return -1;
}

static bool pool_get(struct mlvm_source *s)
{
	struct q2 *q = s->priv;
	int state;

	pthread_mutex_lock(&q->pool_once);
	if (!q->pool_state)
		q->pool_state = pool_start(s) ? -1 : 1;
	state = q->pool_state;
	pthread_mutex_unlock(&q->pool_once);
	return state == 1;
}

static void pool_stop(struct q2 *q)
{
	int i;

	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < q->n; i++) {
		pthread_join(q->th[i], NULL);
		ctx_free(&q->ctx[i]);
	}
	ctx_free(&q->caller_ctx);
	free(q->mem);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	pthread_mutex_destroy(&q->lock);
	pthread_mutex_destroy(&q->job_lock);
}

/* under q->lock: [off, off + len) as one job for the workers and this
 * thread; 0, or the first piece's error */
static int run_job(struct mlvm_source *s, uint8_t *buf, size_t len, uint64_t off)
{
	struct q2 *q = s->priv;

	q->jbuf = buf;
	q->joff = q->jnext = off;
	q->jend = off + len;
	q->junit = q->cluster_size > UNIT_MIN ? q->cluster_size : UNIT_MIN;
	q->jrc = 0;
	q->jactive = 0;
	q->jset = true;
	pthread_cond_broadcast(&q->work);
	while (job_step(s, &q->caller_ctx))
		;
	while (q->jactive)
		pthread_cond_wait(&q->done, &q->lock);
	q->jset = false;
	return q->jrc;
}

/* under q->lock: the slot holding the piece at off, or NULL */
static struct q2_slot *slot_find(struct q2 *q, uint64_t off)
{
	int i;

	for (i = 0; i < ALL_SLOTS(q); i++)
		if (q->slot[i].state != SLOT_EMPTY && q->slot[i].off == off)
			return &q->slot[i];
	return NULL;
}

/*
 * Under q->lock: the slot of the piece at p when its bytes are there or
 * being read ahead (waited for), else NULL. A piece queued but not begun
 * is taken off the queue (the read decompresses it itself), one that
 * failed is freed (read again, for the error's words).
 */
static struct q2_slot *slot_ready(struct q2 *q, uint64_t p)
{
	struct q2_slot *sl = slot_find(q, p);

	if (!sl)
		return NULL;
	if (sl->state == SLOT_QUEUED) {
		sl->state = SLOT_EMPTY;
		return NULL;
	}
	sl->pins++;
	while (sl->state == SLOT_BUSY)
		pthread_cond_wait(&q->done, &q->lock);
	sl->pins--;
	if (sl->rc) {
		if (!sl->pins)
			sl->state = SLOT_EMPTY;
		return NULL;
	}
	return sl;
}

/*
 * A large read: pieces read ahead are copied out of the cache (and their
 * slots freed once read to their end); the rest, in runs, decompressed
 * by the workers and this thread straight into buf. -EBUSY when another
 * large read runs (this one is then read serially).
 */
static int pool_read(struct mlvm_source *s, uint8_t *buf, size_t len, uint64_t off)
{
	struct q2 *q = s->priv;
	uint64_t pos = off, end = off + len;
	int rc = 0;

	if (pthread_mutex_trylock(&q->job_lock))
		return -EBUSY;
	pthread_mutex_lock(&q->lock);
	while (pos < end && !rc) {
		uint64_t p = pos - pos % q->piece, stop = p + q->piece < end ? p + q->piece : end;
		struct q2_slot *sl = slot_ready(q, p);

		if (sl) {
			uint8_t *to = buf + (pos - off), *from = sl->buf + (pos - p);

			sl->pins++;
			pthread_mutex_unlock(&q->lock);
			if (to != from)	/* a lent piece in place: already there */
				memcpy(to, from, (size_t)(stop - pos));
			pthread_mutex_lock(&q->lock);
			if (!--sl->pins) {
				if (stop == p + sl->len)
					sl->state = SLOT_EMPTY;
				if (sl->lent)	/* q2_forget may wait for it */
					pthread_cond_broadcast(&q->done);
			}
			pos = stop;
			continue;
		}
		/* a run of pieces not read ahead */
		while (stop < end) {
			struct q2_slot *next = slot_find(q, stop);

			if (next && next->state == SLOT_QUEUED)
				next->state = SLOT_EMPTY;
			else if (next && next->state != SLOT_EMPTY)
				break;
			stop = stop + q->piece < end ? stop + q->piece : end;
		}
		rc = run_job(s, buf + (pos - off), (size_t)(stop - pos), pos);
		pos = stop;
	}
	pthread_mutex_unlock(&q->lock);
	pthread_mutex_unlock(&q->job_lock);
	return rc;
}

/*
 * [off, off + len) will be read soon: its pieces are queued for the
 * workers, each in a free slot or else in the oldest one read ahead and
 * not read (the cache stays bounded); nothing more when every slot is
 * busy or pinned.
 */
static void q2_willneed(struct mlvm_source *s, uint64_t off, uint64_t len)
{
	struct q2 *q = s->priv;
	uint64_t p;

	if (!pool_get(s))
		return;
	pthread_mutex_lock(&q->lock);
	for (p = off - off % q->piece; p < off + len && p < s->size; p += q->piece) {
		struct q2_slot *sl = NULL;
		int i;

		if (slot_find(q, p))
			continue;
		for (i = 0; i < q->nslot; i++) {
			struct q2_slot *c = CACHE_SLOT(q, i);

			if (c->state == SLOT_EMPTY) {
				sl = c;
				break;
			}
			if (c->state == SLOT_DONE && !c->pins && (!sl || c->seq < sl->seq))
				sl = c;
		}
		if (!sl)
			break;
		sl->off = p;
		sl->len = s->size - p < q->piece ? (size_t)(s->size - p) : (size_t)q->piece;
		sl->state = SLOT_QUEUED;
		sl->rc = 0;
		sl->seq = ++q->seq;
		pthread_cond_signal(&q->work);
	}
	pthread_mutex_unlock(&q->lock);
}

/*
 * [off, off + len) will be read into buf: each piece wholly inside it is
 * queued for the workers in a free lent slot, to be decompressed in place
 * (none free: the read decompresses it itself); the parts of pieces at
 * its ends go to the cache (q2_willneed). buf is lent until q2_forget.
 */
static void q2_willneed_into(struct mlvm_source *s, void *buf, uint64_t off, uint64_t len)
{
	struct q2 *q = s->priv;
	uint64_t end = off + len, first, last, p;
	int i = 0;

	if (!pool_get(s))
		return;
	first = off % q->piece ? off - off % q->piece + q->piece : off;
	last = end == s->size ? end : end - end % q->piece;
	if (first >= last) {
		q2_willneed(s, off, len);
		return;
	}
	pthread_mutex_lock(&q->lock);
	for (p = first; p < last; p += q->piece) {
		struct q2_slot *sl;

		if (slot_find(q, p))
			continue;
		while (i < MAX_LENT && q->slot[i].state != SLOT_EMPTY)
			i++;
		if (i == MAX_LENT)
			break;
		sl = &q->slot[i];
		sl->buf = (uint8_t *)buf + (p - off);
		sl->off = p;
		sl->len = last - p < q->piece ? (size_t)(last - p) : (size_t)q->piece;
		sl->state = SLOT_QUEUED;
		sl->rc = 0;
		sl->seq = ++q->seq;
		pthread_cond_signal(&q->work);
	}
	pthread_mutex_unlock(&q->lock);
	if (first > off)
		q2_willneed(s, off, first - off);
	if (last < end)
		q2_willneed(s, last, end - last);
}

/* under q->lock: every lent slot whose piece's place overlaps [buf,
 * buf + len) free, once no worker decompresses into it and no read copies
 * out of it */
static void lent_free(struct q2 *q, const uint8_t *buf, size_t len)
{
	uintptr_t a = (uintptr_t)buf, b = a + len;
	int i;

	for (i = 0; i < MAX_LENT; i++) {
		struct q2_slot *sl = &q->slot[i];
		uintptr_t x = (uintptr_t)sl->buf;

		if (sl->state == SLOT_EMPTY || x >= b || x + sl->len <= a)
			continue;
		while (sl->state == SLOT_BUSY || sl->pins)
			pthread_cond_wait(&q->done, &q->lock);
		sl->state = SLOT_EMPTY;
	}
}

static bool pool_running(struct q2 *q)
{
	bool on;

	pthread_mutex_lock(&q->pool_once);
	on = q->pool_state == 1;
	pthread_mutex_unlock(&q->pool_once);
	return on;
}

static void q2_forget(struct mlvm_source *s, const void *buf, size_t len)
{
	struct q2 *q = s->priv;

	if (!pool_running(q))
		return;
	pthread_mutex_lock(&q->lock);
	lent_free(q, buf, len);
	pthread_mutex_unlock(&q->lock);
}

/* ------------------------------------------------------------ the source */

static int q2_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct q2 *q = s->priv;
	int rc;

	if (len >= MLVM_QCOW2_PARALLEL_MIN && pool_get(s)) {
		rc = pool_read(s, buf, len, off);
		/* failed part way: the pieces lent in buf after the failing one
		 * are taken back, so that whatever is read into buf next (a
		 * mirror's other leg) is not overwritten by this image's bytes */
		if (rc && rc != -EBUSY)
			q2_forget(s, buf, len);
		if (rc != -EBUSY)
			return rc;
	}
	/* a piece lent in buf is not decompressed there while this read is:
	 * the same bytes, but not two writers at once */
	q2_forget(s, buf, len);
	pthread_mutex_lock(&q->serial_lock);
	rc = ctx_init(q, &q->serial_ctx);
	if (!rc)
		rc = read_range(s, &q->serial_ctx, buf, off, len);
	pthread_mutex_unlock(&q->serial_lock);
	return rc;
}

static int q2_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	(void)s, (void)buf, (void)len, (void)off;
	return -EROFS;
}

static int q2_sync(struct mlvm_source *s)
{
	(void)s;
	return 0;
}

static void q2_free(struct q2 *q)
{
	if (q->pool_state == 1)
		pool_stop(q);
	ctx_free(&q->serial_ctx);
	pthread_mutex_destroy(&q->err_lock);
	pthread_mutex_destroy(&q->serial_lock);
	pthread_mutex_destroy(&q->pool_once);
	mlvm_source_close(q->file);
	free(q->l1);
	free(q);
}

static void q2_close(struct mlvm_source *s)
{
	q2_free(s->priv);
}

static const struct mlvm_source_ops q2_ops = {
	.pread = q2_pread,
	.pwrite = q2_pwrite,
	.sync = q2_sync,
	.close = q2_close,
	.read_error = q2_read_error,
	.willneed = q2_willneed,
	.willneed_into = q2_willneed_into,
	.forget = q2_forget,
};

/* ------------------------------------------------------------ opening */

/* the header's checks, in the order of its fields; 0, NOT_MINE or < 0 */
static int parse_header(struct q2 *q, const char *name, const uint8_t *h, size_t got,
			struct mlvm_report *r)
{
	uint32_t version, cbits, crypt, l1_size, backing_size;
	uint64_t backing_off, l1_off, incompat = 0, need, per_l1;

	if (got < 8 || memcmp(h, "QFI\xfb", 4) != 0)
		return mlvm_source_fail(r, name, -EINVAL,
			"it is a qcow image whose header is cut short: %zu bytes", got);
	version = be32(h + 4);
	if (version == 1)
		return MLVM_QCOW2_NOT_MINE;
	if (version != 2 && version != 3)
		return mlvm_source_fail(r, name, -ENOTSUP,
			"it is a qcow image of version %u (at byte 4), which mlvm cannot read: "
			"only versions 1 to 3 exist", (unsigned)version);
	if (got < (version == 2 ? HDR_V2 : HDR_V3))
		return mlvm_source_fail(r, name, -EINVAL,
			"it is a qcow%s image whose header is cut short: %zu bytes of %u",
			"2", got, version == 2 ? HDR_V2 : HDR_V3);
	backing_off = be64(h + 8);
	backing_size = be32(h + 16);
	cbits = be32(h + 20);
	q->size = be64(h + 24);
	crypt = be32(h + 32);
	l1_size = be32(h + 36);
	l1_off = be64(h + 40);
	if (cbits < 9 || cbits > 21)
		return mlvm_source_fail(r, name, -EINVAL,
			"it is a qcow2 image with cluster_bits %u at byte 20: qcow2 allows 9 to 21",
			(unsigned)cbits);
	q->cluster_bits = cbits;
	q->cluster_size = 1ull << cbits;
	q->l2_bits = cbits - 3;
	if (crypt != 0)
		return mlvm_source_fail(r, name, -ENOTSUP,
			"it is an encrypted qcow2 image (method %u): mlvm does not decrypt it "
			"(qemu-img convert -O raw with the key does)", (unsigned)crypt);
	if (backing_off) {
		char bname[256] = "name unreadable";
		uint8_t raw[255];

		if (backing_size > 0 && backing_size <= sizeof(raw) &&
		    mlvm_range_ok(q->file_size, backing_off, backing_size) &&
		    mlvm_source_read(q->file, raw, backing_size, backing_off) == 0) {
			size_t i;

			for (i = 0; i < backing_size; i++)
				bname[i] = raw[i] >= 0x20 && raw[i] < 0x7f ? (char)raw[i] : '?';
			bname[i] = '\0';
		}
		return mlvm_source_fail(r, name, -ENOTSUP,
			"it is a qcow2 image over a backing file (%s), which mlvm does not open "
			"by itself: mlvm cannot read it alone; flatten it first "
			"(qemu-img convert -O raw %s OUT.raw)", bname, name);
	}
	q->compression = COMP_ZLIB;
	if (version == 3) {
		uint32_t hlen = be32(h + 100);
		unsigned bit;

		incompat = be64(h + 72);
		if (hlen < HDR_V3 || hlen > q->cluster_size)
			return mlvm_source_fail(r, name, -EINVAL,
				"it is a qcow2 image with header_length %u at byte 100: version 3 "
				"needs %u to %llu", (unsigned)hlen, HDR_V3,
				(unsigned long long)q->cluster_size);
		if (incompat & 2)
			return mlvm_source_fail(r, name, -EINVAL,
				"it is a qcow2 image marked corrupt (incompatible feature bit 1 at "
				"byte 72): qemu found its tables inconsistent; mlvm does not read it "
				"(qemu-img check -r all repairs a copy)");
		if (incompat & 4)
			return mlvm_source_fail(r, name, -ENOTSUP,
				"it is a qcow2 image whose data lies in an external data file "
				"(incompatible feature bit 2 at byte 72), which mlvm does not read");
		if (incompat & 16)
			return mlvm_source_fail(r, name, -ENOTSUP,
				"it is a qcow2 image with extended L2 entries (subclusters: "
				"incompatible feature bit 4 at byte 72), which mlvm does not read "
				"(qemu-img convert -O raw does)");
		for (bit = 5; bit < 64; bit++)
			if (incompat & (1ull << bit))
				return mlvm_source_fail(r, name, -ENOTSUP,
					"it is a qcow2 image with unknown incompatible feature bit %u "
					"(at byte 72), which mlvm does not read", bit);
		if (hlen > HDR_V3 && got > HDR_V3) {
			uint8_t ct = h[HDR_V3];

			if (ct > COMP_ZSTD)
				return mlvm_source_fail(r, name, -ENOTSUP,
					"it is a qcow2 image with unknown compression type %u at "
					"byte 104, which mlvm does not read", (unsigned)ct);
			if (ct && !(incompat & 8))
				return mlvm_source_fail(r, name, -EINVAL,
					"it is a qcow2 image with compression type %u at byte 104 "
					"but without incompatible feature bit 3", (unsigned)ct);
			q->compression = ct;
		} else if (incompat & 8) {
			return mlvm_source_fail(r, name, -EINVAL,
				"it is a qcow2 image with incompatible feature bit 3 (compression "
				"type) but a header of %u bytes, without the type", (unsigned)hlen);
		}
	}
	/* the L1 table: in the file, aligned, large enough for the size */
	per_l1 = 1ull << (q->cluster_bits + q->l2_bits);
	need = q->size / per_l1 + (q->size % per_l1 != 0);
	if (l1_size < need)
		return mlvm_source_fail(r, name, -EINVAL,
			"it is a qcow2 image whose L1 table (%u entries, at byte 36) is too small "
			"for its size (%llu bytes need %llu)", (unsigned)l1_size,
			(unsigned long long)q->size, (unsigned long long)need);
	if ((uint64_t)l1_size * 8 > MAX_L1_BYTES)
		return mlvm_source_fail(r, name, -EINVAL,
			"it is a qcow2 image whose L1 table (%u entries, at byte 36) is larger "
			"than qemu makes one (32 MiB)", (unsigned)l1_size);
	if (need && ((l1_off & (q->cluster_size - 1)) ||
		     !mlvm_range_ok(q->file_size, l1_off, need * 8)))
		return mlvm_source_fail(r, name, -EINVAL,
			"it is a qcow2 image whose L1 table (at byte %llu, from byte 40) is %s "
			"(%llu bytes)", (unsigned long long)l1_off,
			(l1_off & (q->cluster_size - 1)) ? "not on a cluster boundary" :
			"outside the file", (unsigned long long)q->file_size);
	q->l1_n = need;
	q->csize_shift = 62 - (q->cluster_bits - 8);
	q->csize_mask = (1ull << (q->cluster_bits - 8)) - 1;
	q->coffset_mask = (1ull << q->csize_shift) - 1;
	return 0;
}

int mlvm_qcow2_open_source(struct mlvm_source *file, const char *name,
			   struct mlvm_source **out, struct mlvm_report *r)
{
	uint8_t h[HDR_V3 + 1];
	struct mlvm_source *s = NULL;
	struct q2 *q;
	size_t got;
	uint64_t i;
	int rc;

	*out = NULL;
	q = calloc(1, sizeof(*q));
	if (!q) {
		mlvm_source_close(file);
		return mlvm_source_fail(r, name, -ENOMEM, "%s", strerror(ENOMEM));
	}
	pthread_mutex_init(&q->err_lock, NULL);
	pthread_mutex_init(&q->serial_lock, NULL);
	pthread_mutex_init(&q->pool_once, NULL);
	q->file = file;
	q->file_size = file->size;
	got = file->size < sizeof(h) ? (size_t)file->size : sizeof(h);
	memset(h, 0, sizeof(h));
	rc = mlvm_source_read(file, h, got, 0);
	if (rc) {
		rc = mlvm_source_fail(r, name, rc, "cannot read its qcow header: %s", strerror(-rc));
		goto fail;
	}
	rc = parse_header(q, name, h, got, r);
	if (rc)
		goto fail;
	if (q->l1_n) {
		uint64_t l1_off = be64(h + 40);

		/* read into the table itself, then turned in place */
		q->l1 = malloc((size_t)q->l1_n * sizeof(*q->l1));
		if (!q->l1) {
			rc = mlvm_source_fail(r, name, -ENOMEM, "%s", strerror(ENOMEM));
			goto fail;
		}
		rc = mlvm_source_read(file, q->l1, (size_t)q->l1_n * 8, l1_off);
		if (rc) {
			rc = mlvm_source_fail(r, name, rc, "cannot read its L1 table at byte %llu: %s",
					      (unsigned long long)l1_off, strerror(-rc));
			goto fail;
		}
		for (i = 0; i < q->l1_n; i++)
			q->l1[i] = be64((const uint8_t *)&q->l1[i]);
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(name))) {
		free(s);
		rc = mlvm_source_fail(r, name, -ENOMEM, "%s", strerror(ENOMEM));
		goto fail;
	}
	s->size = q->size;
	s->ops = &q2_ops;
	s->priv = q;
	s->concurrent = 1;	/* pread on the file; scratch per thread or locked */
	*out = s;
	return 0;
fail:
	q2_free(q);
	return rc;
}

int mlvm_source_open_qcow2(const char *path, struct mlvm_source **out, struct mlvm_report *r)
{
	struct mlvm_source *file;
	int rc;

	*out = NULL;
	rc = mlvm_source_open(path, MLVM_SOURCE_RAW, &file, r);
	if (rc)
		return rc;
	return mlvm_qcow2_open_source(file, path, out, r);
}
