/*
 * source_libyal.c - the adapter shared by the libyal container libraries
 * (see source_libyal.h).
 */
#include "io/source_libyal.h"
#include "io/source_error.h"
#include "io/source.h"
#include "base/util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* at most this much per library call */
#define LIBYAL_READ_MAX (16u << 20)

/* the parallel reader (see source_libyal.h) */
#define PIECE (1u << 20)	/* a worker's unit: PIECE-aligned, a multiple of the
				 * chunk (EWF) or cluster (qcow) sizes */
#define NSLOT 24		/* cached pieces: at most 24 MiB per source */
#define MAX_WORKERS 8
#define POOL_MIN PIECE		/* reads this large go through the workers */

enum slot_state { SLOT_EMPTY, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

struct slot {
	uint64_t off;		/* PIECE-aligned offset in the media */
	size_t len;		/* PIECE, or less at the end of the media */
	unsigned char *buf;	/* PIECE bytes of the pool's mem */
	enum slot_state state;
	int rc;			/* SLOT_DONE: 0, or the read failed */
	int pins;		/* readers copying out of it */
	bool demand;		/* a read waits for it: before read-ahead */
	bool used;		/* copied out at least once */
	uint64_t seq;		/* queue order, then age */
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a piece was queued, or stop */
	pthread_cond_t done;	/* a piece was read */
	pthread_t th[MAX_WORKERS];
	void *h[MAX_WORKERS];	/* one library handle per worker */
	unsigned char *mem;	/* NSLOT pieces, touched as slots are first used */
	int n;
	bool stop;
	uint64_t seq;
	struct slot slot[NSLOT];
};

struct libyal_priv {
	const struct mlvm_libyal *lib;
	void *h;
	uint64_t aux;		/* examine's, for check */
	pthread_mutex_t lock;	/* p->h: one reader at a time */
	char *path;		/* for the workers' handles */
	void *ctx;		/* the opener's, kept when lib->ctx_free */
	pthread_mutex_t pool_once;
	int pool_state;		/* 0 not tried, 1 running, -1 not available */
	struct pool pool;
};

int mlvm_libyal_error(const struct mlvm_libyal *lib, int rc, void *e, const char *what,
		      const char *name, struct mlvm_report *r, const char *path)
{
	char msg[2048] = "";

	if (e)
		lib->error_text(e, msg, sizeof(msg));
	return mlvm_source_fail(r, path, rc, "%s%s%s: %s", what, name ? " " : "",
				name ? name : "", mlvm_source_lib_message(msg, sizeof(msg), lib->lib));
}

static void drop_error(const struct mlvm_libyal *lib, void *e)
{
	char msg[8];

	if (e)
		lib->error_text(e, msg, sizeof(msg));
}

/* [off, off + len) through handle h, then the table's check */
static int read_at(struct mlvm_source *s, void *h, uint8_t *b, size_t len, uint64_t off)
{
	struct libyal_priv *p = s->priv;
	const struct mlvm_libyal *lib = p->lib;
	uint64_t start = off, total = len;

	while (len > 0) {
		void *e = NULL;
		size_t want = len < LIBYAL_READ_MAX ? len : LIBYAL_READ_MAX;
		ssize_t n = lib->read(h, b, want, off, &e);

		drop_error(lib, e);
		/* an error, or no data before the end of the media */
		if (n <= 0)
			return -EIO;
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return lib->check ? lib->check(s, h, p->aux, start, total) : 0;
}

/* the one-handle path: every read before the pool, small ones, fallbacks */
static int serial_read(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct libyal_priv *p = s->priv;
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = read_at(s, p->h, buf, len, off);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ------------------------------------------------------------ the workers */

static void *worker_main(void *arg)
{
	struct mlvm_source *s = arg;
	struct libyal_priv *p = s->priv;
	struct pool *pl = &p->pool;
	void *h;
	int me;

	mlvm_thread_helper();	/* the hasher, when there is one, goes first */
	pthread_mutex_lock(&pl->lock);
	for (me = 0; me < pl->n && !pthread_equal(pl->th[me], pthread_self()); me++)
		;
	h = pl->h[me];
	while (!pl->stop) {
		struct slot *best = NULL;
		int i, rc;

		for (i = 0; i < NSLOT; i++) {
			struct slot *sl = &pl->slot[i];

			if (sl->state != SLOT_QUEUED)
				continue;
			if (!best || (sl->demand && !best->demand) ||
			    (sl->demand == best->demand && sl->seq < best->seq))
				best = sl;
		}
		if (!best) {
			pthread_cond_wait(&pl->work, &pl->lock);
			continue;
		}
		best->state = SLOT_BUSY;
		pthread_mutex_unlock(&pl->lock);
		rc = read_at(s, h, best->buf, best->len, best->off);
		pthread_mutex_lock(&pl->lock);
		best->rc = rc;
		best->state = SLOT_DONE;
		pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* open one handle per worker and start them: 0, or -1 (none could start) */
static int pool_start(struct mlvm_source *s)
{
	struct libyal_priv *p = s->priv;
	const struct mlvm_libyal *lib = p->lib;
	struct pool *pl = &p->pool;
	int want = lib->parallel ? mlvm_io_threads(MAX_WORKERS) : 0, i;
	void *mem = NULL;

	/* huge pages where the system gives them: a page fault costs more
	 * than copying the page (the cache is touched once, then reused) */
	if (!want || !(mem = mlvm_alloc_huge((size_t)NSLOT * PIECE)))
		return -1;
	pl->mem = mem;
	for (i = 0; i < NSLOT; i++)
		pl->slot[i].buf = pl->mem + (size_t)i * PIECE;

	for (i = 0; i < want; i++) {
		void *h = NULL, *e = NULL;

		if (lib->initialize(&h, &e) != 1) {
			drop_error(lib, e);
			break;
		}
		if (lib->open(h, p->path, p->ctx, &e) != 1) {
			drop_error(lib, e);
			lib->close(h, 0);
			break;
		}
		pl->h[i] = h;
	}
	want = i;
	pthread_mutex_init(&pl->lock, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	/* the workers take no signals: they reach the caller's threads only */
	pthread_mutex_lock(&pl->lock);
	for (i = 0; i < want; i++) {
		if (mlvm_thread_create(&pl->th[pl->n], worker_main, s) != 0)
			break;
		pl->n++;
	}
	pthread_mutex_unlock(&pl->lock);
	for (i = pl->n; i < want; i++)
		lib->close(pl->h[i], 1);
	if (!pl->n)
		free(pl->mem);
	return pl->n > 0 ? 0 : -1;
}

static void pool_stop(struct libyal_priv *p)
{
	struct pool *pl = &p->pool;
	int i;

	pthread_mutex_lock(&pl->lock);
	pl->stop = true;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->lock);
	for (i = 0; i < pl->n; i++) {
		pthread_join(pl->th[i], NULL);
		p->lib->close(pl->h[i], 1);
	}
	free(pl->mem);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	pthread_mutex_destroy(&pl->lock);
}

/* the pool, started on first use: true when it runs */
static bool pool_get(struct mlvm_source *s)
{
	struct libyal_priv *p = s->priv;
	int state;

	pthread_mutex_lock(&p->pool_once);
	if (!p->pool_state)
		p->pool_state = pool_start(s) ? -1 : 1;
	state = p->pool_state;
	pthread_mutex_unlock(&p->pool_once);
	return state == 1;
}

/* under the pool's lock: the slot holding the piece at off, or NULL */
static struct slot *slot_find(struct pool *pl, uint64_t off)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (pl->slot[i].state != SLOT_EMPTY && pl->slot[i].off == off)
			return &pl->slot[i];
	return NULL;
}

/*
 * Under the pool's lock: queue the piece at off in a slot, demand (a read
 * waits for it) or read-ahead. Read-ahead takes a slot already copied out
 * (the oldest: its memory is warm) or else an empty one (the first: the
 * cache grows only as far as it is needed); a demand may also take a piece
 * read ahead and not used yet, or not begun. NULL when every slot is taken.
 */
static struct slot *slot_queue(struct mlvm_source *s, uint64_t off, bool demand)
{
	struct libyal_priv *p = s->priv;
	struct pool *pl = &p->pool;
	struct slot *best = NULL;
	int i, rank = 0;

	for (i = 0; i < NSLOT; i++) {
		struct slot *sl = &pl->slot[i];
		int r;

		if (sl->state == SLOT_EMPTY)
			r = 3;
		else if (sl->pins || sl->state == SLOT_BUSY || (sl->state == SLOT_QUEUED && sl->demand))
			r = 0;
		else if (sl->state == SLOT_DONE && sl->used)
			r = 4;
		else
			r = demand ? (sl->state == SLOT_DONE ? 2 : 1) : 0;
		if (r > rank || (r && r != 3 && r == rank && sl->seq < best->seq)) {
			best = sl;
			rank = r;
		}
	}
	if (!best)
		return NULL;
	best->off = off;
	best->len = s->size - off < PIECE ? (size_t)(s->size - off) : PIECE;
	best->state = SLOT_QUEUED;
	best->rc = 0;
	best->demand = demand;
	best->used = false;
	best->seq = ++pl->seq;
	pthread_cond_signal(&pl->work);
	return best;
}

/* under the pool's lock: the piece at off is wanted by a read */
static struct slot *slot_want(struct mlvm_source *s, uint64_t off)
{
	struct slot *sl = slot_find(&((struct libyal_priv *)s->priv)->pool, off);

	if (!sl)
		return slot_queue(s, off, true);
	if (sl->state == SLOT_QUEUED)
		sl->demand = true;
	return sl;
}

/*
 * Read [off, off + len) piece by piece through the workers, keeping the
 * next few pieces of the same read queued; a piece no worker has begun
 * when it is wanted is read by the caller (with the source's own handle).
 * A piece that cannot be queued or that failed is read again with the one
 * handle, as exactly the bytes asked for: the answer (data or error) is
 * the serial path's.
 */
static int pool_read(struct mlvm_source *s, uint8_t *buf, size_t len, uint64_t off)
{
	struct libyal_priv *p = s->priv;
	struct pool *pl = &p->pool;
	uint64_t pos = off, end = off + len, q = off - off % PIECE;
	uint64_t ahead = 2 * (uint64_t)pl->n * PIECE;
	int rc = 0;

	pthread_mutex_lock(&pl->lock);
	while (pos < end) {
		uint64_t pa = pos - pos % PIECE, stop = pa + PIECE < end ? pa + PIECE : end;
		struct slot *sl;

		for (; q < end && q < pa + ahead; q += PIECE)
			if (!slot_want(s, q))
				break;
		sl = slot_want(s, pa);
		if (sl) {
			sl->pins++;
			while (sl->state != SLOT_DONE) {
				if (sl->state == SLOT_QUEUED) {
					/* no worker has begun it: read it here rather
					 * than sleep (a hand-off costs a time slice on
					 * a busy machine) */
					sl->state = SLOT_BUSY;
					pthread_mutex_unlock(&pl->lock);
					pthread_mutex_lock(&p->lock);
					rc = read_at(s, p->h, sl->buf, sl->len, sl->off);
					pthread_mutex_unlock(&p->lock);
					pthread_mutex_lock(&pl->lock);
					sl->rc = rc;
					rc = 0;
					sl->state = SLOT_DONE;
					pthread_cond_broadcast(&pl->done);
				} else {
					pthread_cond_wait(&pl->done, &pl->lock);
				}
			}
			if (!sl->rc) {
				memcpy(buf + (pos - off), sl->buf + (pos - pa), (size_t)(stop - pos));
				sl->used = true;
			}
			sl->pins--;
		}
		if (!sl || sl->rc) {
			pthread_mutex_unlock(&pl->lock);
			rc = serial_read(s, buf + (pos - off), (size_t)(stop - pos), pos);
			pthread_mutex_lock(&pl->lock);
			if (rc)
				break;
		}
		pos = stop;
	}
	pthread_mutex_unlock(&pl->lock);
	return rc;
}

static void libyal_willneed(struct mlvm_source *s, uint64_t off, uint64_t len)
{
	struct libyal_priv *p = s->priv;
	struct pool *pl = &p->pool;
	uint64_t q;

	if (!pool_get(s))
		return;
	pthread_mutex_lock(&pl->lock);
	for (q = off - off % PIECE; q < off + len; q += PIECE)
		if (!slot_find(pl, q) && !slot_queue(s, q, false))
			break;
	pthread_mutex_unlock(&pl->lock);
}

static int libyal_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	if (len >= POOL_MIN && pool_get(s))
		return pool_read(s, buf, len, off);
	return serial_read(s, buf, len, off);
}

static int libyal_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	return -EROFS;
}

static int libyal_sync(struct mlvm_source *s)
{
	return 0;
}

static void libyal_close(struct mlvm_source *s)
{
	struct libyal_priv *p = s->priv;

	if (p->pool_state == 1)
		pool_stop(p);
	p->lib->close(p->h, 1);
	if (p->lib->ctx_free)
		p->lib->ctx_free(p->ctx);
	pthread_mutex_destroy(&p->pool_once);
	pthread_mutex_destroy(&p->lock);
	free(p->path);
	free(p);
}

static int libyal_stored_hash(struct mlvm_source *s, enum mlvm_digest_alg alg, char *hex)
{
	struct libyal_priv *p = s->priv;
	unsigned char md[64];
	int n;

	if (!p->lib->stored_hash)
		return 0;
	pthread_mutex_lock(&p->lock);
	n = p->lib->stored_hash(p->h, alg, md, sizeof(md));
	pthread_mutex_unlock(&p->lock);
	if (n <= 0)
		return n < 0 ? -EIO : 0;
	mlvm_hex(md, (size_t)n, hex);
	return 1;
}

static const struct mlvm_source_ops libyal_ops = {
	.stored_hash = libyal_stored_hash,
	.pread = libyal_pread,
	.pwrite = libyal_pwrite,
	.sync = libyal_sync,
	.close = libyal_close,
	.willneed = libyal_willneed,
};

int mlvm_libyal_open(const struct mlvm_libyal *lib, const char *path, const char *format,
		     void *ctx, struct mlvm_source **out, struct mlvm_report *r)
{
	struct mlvm_source *s = NULL;
	struct libyal_priv *p = NULL;
	char what[96];
	uint64_t size = 0;
	void *e = NULL;
	int rc, opened = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p || !(s->name = strdup(path)) || !(p->path = strdup(path))) {
		rc = mlvm_source_fail(r, path, -ENOMEM, "%s", strerror(ENOMEM));
		goto fail;
	}
	p->lib = lib;
	p->ctx = ctx;
	if (lib->initialize(&p->h, &e) != 1) {
		p->h = NULL;
		rc = mlvm_libyal_error(lib, -ENOMEM, e, "cannot open", path, r, path);
		goto fail;
	}
	if (lib->open(p->h, path, ctx, &e) != 1) {
		snprintf(what, sizeof(what), "it is %s %s image that %s cannot open",
			 lib->article, format, lib->lib);
		rc = mlvm_libyal_error(lib, -EIO, e, what, NULL, r, path);
		goto fail;
	}
	opened = 1;
	if (lib->media_size(p->h, &size, &e) != 1) {
		snprintf(what, sizeof(what), "it is %s %s image whose %s %s cannot read",
			 lib->article, format, lib->header, lib->lib);
		rc = mlvm_libyal_error(lib, -EIO, e, what, NULL, r, path);
		goto fail;
	}
	if (lib->examine) {
		rc = lib->examine(lib, p->h, path, format, ctx, &p->aux, r);
		if (rc)
			goto fail;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->pool_once, NULL);
	s->size = size;
	s->ops = &libyal_ops;
	s->priv = p;
	*out = s;
	return 0;
fail:
	if (p && p->h)
		lib->close(p->h, opened);
	if (lib->ctx_free)
		lib->ctx_free(ctx);
	if (s)
		free(s->name);
	if (p)
		free(p->path);
	free(s);
	free(p);
	return rc;
}
