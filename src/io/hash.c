/*
 * hash.c - the digests of a whole source in one read pass (see hash.h).
 *
 * The caller's thread reads chunks into a ring of MLVM_HASH_NBUF buffers;
 * one thread per digest takes every chunk in order. A buffer is read into
 * again only once every digest thread is done with it.
 */
#include "io/hash.h"
#include "base/util.h"
#include "io/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	uint8_t *buf;
	size_t len;
	uint64_t seq;		/* which chunk it holds */
	unsigned pending;	/* digest threads not done with it; 0: free */
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slot[MLVM_HASH_NBUF];
	uint64_t posted;	/* chunks handed out */
	bool eof;		/* no more chunks will come */
};

struct worker {
	struct pipe *p;
	struct mlvm_digest *d;
	pthread_t th;
	bool started;
	int rc;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipe *p = w->p;
	uint64_t next = 0;

	for (;;) {
		struct slot *s = &p->slot[next % MLVM_HASH_NBUF];

		pthread_mutex_lock(&p->mu);
		while (!(next < p->posted && s->pending && s->seq == next) &&
		       !(p->eof && next >= p->posted))
			pthread_cond_wait(&p->cv, &p->mu);
		if (next >= p->posted) {	/* the end */
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		if (!w->rc)
			w->rc = mlvm_digest_update(w->d, s->buf, s->len);
		pthread_mutex_lock(&p->mu);
		s->pending--;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		next++;
	}
	return NULL;
}

/* the first sector-sized piece of [off, off+len) that cannot be read
 * (off itself when every piece reads: the failure came and went) */
static uint64_t first_bad(struct mlvm_source *s, uint8_t *buf, size_t len, uint64_t off)
{
	size_t at, piece = 4096;

	for (at = 0; at < len; at += piece) {
		size_t n = len - at < piece ? len - at : piece;

		if (mlvm_source_read(s, buf, n, off + at))
			return off + at;
	}
	return off;
}

int mlvm_source_hash_chunked(struct mlvm_source *s, unsigned algs, size_t chunk,
			     int (*progress)(void *ud, uint64_t done, uint64_t total), void *ud,
			     struct mlvm_hashes *out)
{
	struct pipe p;
	struct worker w[MLVM_DIGEST_COUNT];
	unsigned n = 0, k, alg;
	uint64_t off = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->error_offset = -1;
	memset(&p, 0, sizeof(p));
	memset(w, 0, sizeof(w));
	if (!chunk)
		return -EINVAL;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	for (k = 0; k < MLVM_HASH_NBUF; k++) {
		p.slot[k].buf = malloc(chunk);
		if (!p.slot[k].buf)
			rc = -ENOMEM;
	}
	for (alg = 0; !rc && alg < MLVM_DIGEST_COUNT; alg++) {
		if (!(algs & MLVM_HASH_BIT(alg)))
			continue;
		w[n].p = &p;
		w[n].d = mlvm_digest_new((enum mlvm_digest_alg)alg);
		if (!w[n].d)
			rc = -ENOSYS;
		n++;
	}
	/* the digest threads take no signal: they are the caller's */
	for (k = 0; !rc && k < n; k++) {
		if (mlvm_thread_create(&w[k].th, worker_main, &w[k]))
			rc = -EAGAIN;
		else
			w[k].started = true;
	}

	while (!rc && off < s->size) {
		struct slot *sl = &p.slot[p.posted % MLVM_HASH_NBUF];
		size_t len = s->size - off < chunk ? (size_t)(s->size - off) : chunk;

		pthread_mutex_lock(&p.mu);
		while (sl->pending)
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		rc = mlvm_source_read(s, sl->buf, len, off);
		if (rc) {
			out->error_offset = (int64_t)first_bad(s, sl->buf, len, off);
			break;
		}
		pthread_mutex_lock(&p.mu);
		sl->len = len;
		sl->seq = p.posted;
		sl->pending = n;
		p.posted++;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		off += len;
		if (progress && progress(ud, off, s->size))
			rc = -ECANCELED;
	}
	pthread_mutex_lock(&p.mu);
	p.eof = true;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (k = 0; k < n; k++)
		if (w[k].started)
			pthread_join(w[k].th, NULL);
	out->bytes = off;
	k = 0;
	for (alg = 0; alg < MLVM_DIGEST_COUNT; alg++) {
		if (!(algs & MLVM_HASH_BIT(alg)) || k >= n)
			continue;
		if (!rc && (w[k].rc || mlvm_digest_final(w[k].d, out->hex[alg])))
			rc = -EIO;
		mlvm_digest_free(w[k].d);
		k++;
	}
	if (rc)
		for (alg = 0; alg < MLVM_DIGEST_COUNT; alg++)
			out->hex[alg][0] = '\0';
	for (k = 0; k < MLVM_HASH_NBUF; k++)
		free(p.slot[k].buf);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return rc;
}

int mlvm_source_hash(struct mlvm_source *s, unsigned algs,
		     int (*progress)(void *ud, uint64_t done, uint64_t total), void *ud,
		     struct mlvm_hashes *out)
{
	return mlvm_source_hash_chunked(s, algs, MLVM_HASH_CHUNK, progress, ud, out);
}
