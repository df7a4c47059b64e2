/*
 * export.c - the exporter (export.h): an LV's bytes to a file, with the
 * SHA-256 of what was written.
 *
 * The LV is read in chunks into a ring of MLVM_EXPORT_NBUF buffers; with the
 * hash a second thread hashes the chunks in order while the caller's thread
 * reads and writes the next ones, so an export takes as long as the slower
 * of copying and hashing (SHA-256 is the slower one when the page cache
 * holds the images). Without the hash and without --sparse plain image
 * bytes go from the images, mapped, straight to writev ("direct copy").
 */
#include "export/export.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/util.h"

#define CHUNK MLVM_EXPORT_CHUNK
#define NBUF MLVM_EXPORT_NBUF
#define BLOCK 4096		/* sparse output looks for zeros block by block */
#define AHEAD 2			/* chunks announced before they are read */

/* ------------------------------------------------------------ one run */

struct run {
	struct mlvm_lv_reader *rd;
	struct mlvm_export_out *o;
	const struct mlvm_export_cb *cb;
	bool said;		/* cb->error called */
};

/* say why the export fails (once) and return rc */
static int fail(struct run *x, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct run *x, int rc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (x->said || !x->cb || !x->cb->error)
		return rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->cb->error(x->cb->ud, rc, msg);
	x->said = true;
	return rc;
}

static bool cancelled(const struct run *x)
{
	return x->cb && x->cb->cancel && *x->cb->cancel;
}

/*
 * Write len bytes to the output (at off when at is set, else at its file
 * position). The caller's flag is checked before each write, so a write to
 * a full pipe that a signal broke off ends with -ECANCELED instead of
 * blocking again; other errors are said.
 */
static int put(struct run *x, const unsigned char *p, size_t len, uint64_t off, bool at)
{
	while (len > 0) {
		ssize_t n;

		/* a signal during a write to a pipe ends it early: EINTR, or
		 * a short count when part of it went */
		if (cancelled(x))
			return -ECANCELED;
		n = at ? pwrite(x->o->fd, p, len, (off_t)off) : write(x->o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = n < 0 ? -errno : -EIO;

			return fail(x, rc, "cannot write %s: %s", x->o->path, strerror(-rc));
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------ hashing thread */

struct slot {
	unsigned char *buf;
	size_t len;
	bool zeros;		/* hash len zero bytes, buf unused */
	bool ready;		/* filled, waiting for the hasher */
};

struct hasher {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slot slots[NBUF];
	const unsigned char *zero;	/* CHUNK zero bytes */
	struct mlvm_sha256 *sha;
	uint64_t n_chunks;
	bool failed;
	bool stop;
};

static void *hash_main(void *arg)
{
	struct hasher *h = arg;
	uint64_t i;

	for (i = 0; i < h->n_chunks; i++) {
		struct slot *s = &h->slots[i % NBUF];
		int rc;

		pthread_mutex_lock(&h->lock);
		while (!s->ready && !h->stop)
			pthread_cond_wait(&h->cond, &h->lock);
		if (!s->ready) {
			pthread_mutex_unlock(&h->lock);
			break;
		}
		pthread_mutex_unlock(&h->lock);
		rc = mlvm_sha256_update(h->sha, s->zeros ? h->zero : s->buf, s->len);
		pthread_mutex_lock(&h->lock);
		if (rc)
			h->failed = true;
		s->ready = false;
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

/* start the hasher (signals are the caller's: mlvm_thread_create) */
static int hash_start(struct hasher *h, pthread_t *th)
{
	int rc = mlvm_thread_create(th, hash_main, h);

	return rc ? -rc : 0;
}

/* wait until the hasher is done with slot s */
static void slot_wait_free(struct hasher *h, struct slot *s)
{
	pthread_mutex_lock(&h->lock);
	while (s->ready)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

static void slot_post(struct hasher *h, struct slot *s, size_t len, bool zeros)
{
	if (!h->sha)	/* no hash: nobody reads the slots */
		return;
	pthread_mutex_lock(&h->lock);
	s->len = len;
	s->zeros = zeros;
	s->ready = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/*
 * A chunk buffer aligned like the page cache's pages: the kernel copies into
 * and out of it with `rep movsb`, about twice as fast to an aligned address
 * as to malloc's 16-byte one. Huge pages where the system gives them on
 * request spare the copies TLB misses.
 */
static unsigned char *chunk_alloc(void)
{
	return mlvm_alloc_huge(CHUNK);
}

/* ------------------------------------------------------------ sparse output */

/* all zero, word by word (buffers are at least 8-byte aligned) */
static bool zero_block(const unsigned char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	size_t i, n = len / 8;

	for (i = 0; i + 4 <= n; i += 4)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3])
			return false;
	for (; i < n; i++)
		if (w[i])
			return false;
	for (i = n * 8; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* write a chunk at off, leaving all-zero blocks as holes */
static int put_sparse(struct run *x, const unsigned char *buf, size_t len, uint64_t off)
{
	size_t i = 0;

	while (i < len) {
		size_t b = len - i < BLOCK ? len - i : BLOCK, j;
		int rc;

		if (zero_block(buf + i, b)) {
			i += b;
			continue;
		}
		/* a run of data blocks */
		for (j = i + b; j < len; j += b) {
			b = len - j < BLOCK ? len - j : BLOCK;
			if (zero_block(buf + j, b))
				break;
		}
		rc = put(x, buf + i, j - i, off + i, true);
		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

/* ------------------------------------------------------------ read errors */

/*
 * Reading [off, off + len) of the LV failed with rc: say where. The range is
 * read again run by run (each run lying in one image, or computed), and a
 * failing run in an image page by page, so that the message names the image
 * and the byte in it; buf holds len bytes. Returns rc.
 */
static int read_failed(struct run *x, unsigned char *buf, uint64_t off, size_t len, int rc)
{
	uint64_t pos = 0, soff, run, k;
	struct mlvm_source *src;
	char why[400];

	while (pos < len) {
		int direct = mlvm_lv_locate(x->rd, off + pos, len - pos, &src, &soff, &run) == 0;
		int r = mlvm_lv_read(x->rd, buf, (size_t)run, off + pos);

		if (!r) {
			pos += run;
			continue;
		}
		if (!direct)
			return fail(x, rc, "cannot read the lv at byte %llu: %s",
				    (unsigned long long)(off + pos), strerror(-r));
		for (k = 0; k < run; k += BLOCK) {
			size_t n = run - k < BLOCK ? (size_t)(run - k) : BLOCK;

			r = mlvm_source_read(src, buf, n, soff + k);
			if (r)
				break;
		}
		if (k >= run)
			k = 0;
		/* a source that can say more (qcow2: the cluster and its host byte) */
		if (r && r != -ERANGE && mlvm_source_read_error(src, why, sizeof(why)))
			return fail(x, rc, "cannot read %s at byte %llu (byte %llu of the lv): %s",
				    src->name, (unsigned long long)(soff + k),
				    (unsigned long long)(off + pos + k), why);
		return fail(x, rc, "cannot read %s at byte %llu (byte %llu of the lv): %s", src->name,
			    (unsigned long long)(soff + k), (unsigned long long)(off + pos + k),
			    strerror(r == -ERANGE || !r ? EIO : -r));
	}
	/* every run read well the second time */
	return fail(x, rc, "cannot read the lv at byte %llu: %s", (unsigned long long)off,
		    strerror(-rc));
}

/* read [off, off + len) of the LV into buf; a failure is said */
static int get(struct run *x, unsigned char *buf, size_t len, uint64_t off)
{
	int rc = mlvm_lv_read(x->rd, buf, len, off);

	return rc ? read_failed(x, buf, off, len, rc) : 0;
}

/*
 * The chunk at off will be read soon: its plain image bytes are announced
 * to their sources (mlvm_source_willneed), so that a container that
 * decompresses (E01, qcow) reads them on its worker threads while this
 * thread writes the chunks before. Computed parts are not announced.
 */
static void announce(struct mlvm_lv_reader *rd, uint64_t off, uint64_t size)
{
	uint64_t end = size - off < CHUNK ? size : off + CHUNK, soff, run;
	struct mlvm_source *src;

	while (off < end) {
		int rc = mlvm_lv_locate(rd, off, end - off, &src, &soff, &run);

		if (rc == 0)
			mlvm_source_willneed(src, soff, run);
		else if (rc != -ENOENT)
			break;
		off += run;
	}
}

/* ------------------------------------------------------------ direct copy */

/*
 * Without a hash to compute and without sparse output, nothing needs the
 * LV's bytes in user space: where they are plain bytes of an image (lvmap's
 * mlvm_lv_locate), writev() is handed the image mapped into memory and the
 * kernel copies page cache to page cache once, where read-then-write copies
 * twice. The mapping is lazy and only the kernel touches it, so an image
 * page that cannot be read makes writev fail with EFAULT (never SIGBUS);
 * that part is then read the ordinary way, which reports the error. What
 * must be computed (parity, zeros, missing parts, snapshots) goes through
 * mlvm_lv_read into the chunk buffer. Pages touched are unmapped after
 * each write, so the mapping never adds more than a chunk to the RSS.
 */

#define IOV_CAP 256

struct image_map {
	struct mlvm_source *src;
	const unsigned char *base;	/* NULL: cannot be mapped, read instead */
	void *cookie;
	uint64_t lo, hi;		/* bytes queued since the last write: one run,
					 * as pieces far apart are written apart */
};

struct direct {
	struct image_map *m;
	size_t n, cap, last;
	struct iovec iov[IOV_CAP];
	int niov;
	uint64_t from;			/* LV offset of iov[0] */
	uint64_t queued;		/* bytes in iov */
};

static struct image_map *direct_map(struct direct *d, struct mlvm_source *src)
{
	struct image_map *m;
	const void *p;
	size_t i;

	if (d->n && d->m[d->last].src == src)
		return &d->m[d->last];
	for (i = 0; i < d->n; i++)
		if (d->m[i].src == src)
			return &d->m[d->last = i];
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct image_map *v = realloc(d->m, cap * sizeof(*v));

		if (!v)
			return NULL;
		d->m = v;
		d->cap = cap;
	}
	m = &d->m[d->n];
	memset(m, 0, sizeof(*m));
	m->src = src;
	m->lo = UINT64_MAX;
	if (src->size == 0 || src->size > SIZE_MAX ||
	    mlvm_source_map_ex(src, 0, (size_t)src->size, MLVM_MAP_LAZY, &p, &m->cookie))
		m->base = NULL;
	else
		m->base = p;
	d->last = d->n++;
	return m;
}

/*
 * advice on the pages of the images queued for writing: MADV_POPULATE_READ
 * before the write (the kernel's copy from a page not yet in our page
 * tables stops, zero-fills and retries; one populate call is far cheaper),
 * MADV_DONTNEED after it, to drop them from our page tables (not from the
 * page cache) and keep the RSS bounded; only on maps of files (those with
 * a cookie: a memory source's map is the caller's own memory, and
 * MADV_DONTNEED would zero it). Both are hints: when the kernel refuses
 * one, only speed or RSS suffer, never the bytes.
 */
static void direct_advise(struct direct *d, int advice, bool reset)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t page = pg > 0 ? (uint64_t)pg : 4096;
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct image_map *m = &d->m[i];
		uint64_t lo;

		if (!m->base || m->lo >= m->hi)
			continue;
		lo = m->lo / page * page;
		/* a map without a cookie is not ours to drop: it is the
		 * memory a memory source reads from (the caller's data, not a
		 * file's cached pages), which MADV_DONTNEED would zero */
		if (advice != MADV_DONTNEED || m->cookie)
			(void)madvise((void *)(uintptr_t)(m->base + lo), (size_t)(m->hi - lo),
				      advice);
		if (reset) {
			m->lo = UINT64_MAX;
			m->hi = 0;
		}
	}
}

static void direct_free(struct direct *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->m[i].base)
			mlvm_source_unmap(d->m[i].cookie);
	free(d->m);
}

/*
 * Write what is queued. A part the kernel could not copy from an image
 * (EFAULT: a page of it could not be read) is read through the LV reader
 * into buf (the chunk's buffer; chunk is the LV offset of its first byte)
 * and written from there, so a read error is reported as such.
 */
static int direct_flush(struct run *x, struct direct *d, unsigned char *buf, uint64_t chunk)
{
	struct iovec *v = d->iov;
	int nv = d->niov, rc = 0;
	uint64_t done = 0;

#ifdef MADV_POPULATE_READ
	direct_advise(d, MADV_POPULATE_READ, false);
#endif
	while (nv > 0) {
		ssize_t n;

		if (cancelled(x)) {	/* as in put() */
			rc = -ECANCELED;
			break;
		}
		n = writev(x->o->fd, v, nv);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EFAULT) {
			rc = -errno;
			fail(x, rc, "cannot write %s: %s", x->o->path, strerror(-rc));
			break;
		}
		if (n <= 0) {	/* EFAULT, or nothing written: the ordinary way */
			uint64_t at = d->from + done, left = d->queued - done;
			unsigned char *b = buf + (at - chunk);

			rc = get(x, b, (size_t)left, at);
			if (!rc)
				rc = put(x, b, (size_t)left, 0, false);
			break;
		}
		done += (uint64_t)n;
		while (nv > 0 && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++;
			nv--;
		}
		if (nv > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	direct_advise(d, MADV_DONTNEED, true);
	d->niov = 0;
	d->from += d->queued;
	d->queued = 0;
	return rc;
}

static void direct_queue(struct direct *d, const void *p, size_t len)
{
	struct iovec *last = d->niov ? &d->iov[d->niov - 1] : NULL;

	if (last && (const char *)last->iov_base + last->iov_len == (const char *)p) {
		last->iov_len += len;
	} else {
		d->iov[d->niov].iov_base = (void *)(uintptr_t)p;
		d->iov[d->niov].iov_len = len;
		d->niov++;
	}
	d->queued += len;
}

/* one chunk [off, off + len) of the LV to the output; buf is CHUNK bytes */
static int direct_chunk(struct run *x, struct direct *d, unsigned char *buf, uint64_t off,
			size_t len)
{
	uint64_t pos = 0;
	int rc;

	d->from = off;
	while (pos < len) {
		struct mlvm_source *src;
		struct image_map *m = NULL;
		uint64_t soff, run;
		const void *p;

		if (d->niov == IOV_CAP && (rc = direct_flush(x, d, buf, off)))
			return rc;
		if (mlvm_lv_locate(x->rd, off + pos, len - pos, &src, &soff, &run) == 0)
			m = direct_map(d, src);
		if (m && m->base && m->lo < m->hi && (soff > m->hi || soff + run < m->lo)) {
			/* not next to what is queued from this image (thin blocks
			 * far apart): write that first, so that the range advised
			 * holds only pages that are written */
			if ((rc = direct_flush(x, d, buf, off)))
				return rc;
		}
		if (m && m->base) {
			p = m->base + soff;
			if (soff < m->lo)
				m->lo = soff;
			if (soff + run > m->hi)
				m->hi = soff + run;
		} else {
			rc = get(x, buf + pos, (size_t)run, off + pos);
			if (rc)
				return rc;
			p = buf + pos;
		}
		direct_queue(d, p, (size_t)run);
		pos += run;
	}
	return direct_flush(x, d, buf, off);
}

/* ------------------------------------------------------------ the copy */

int mlvm_export_run(struct mlvm_lv_reader *rd, struct mlvm_export_out *o, unsigned flags,
		    const struct mlvm_export_cb *cb, struct mlvm_export_result *res)
{
	struct run x = { .rd = rd, .o = o, .cb = cb };
	uint64_t size = mlvm_lv_reader_size(rd), off = 0, i;
	bool hash = flags & MLVM_EXPORT_SHA256, sparse = flags & MLVM_EXPORT_SPARSE;
	bool direct = !hash && !sparse, started = false;
	int rc = 0, k, nbuf = hash ? NBUF : 1;
	unsigned char *zero = NULL;
	char hex[65] = "";
	struct hasher h;
	struct direct d;
	pthread_t th;

	if (res) {
		res->written = 0;
		res->sha256[0] = '\0';
	}
	if (o->fd < 0 || (sparse && o->kind != MLVM_EXPORT_FILE))
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	memset(&h, 0, sizeof(h));
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	h.n_chunks = (size + CHUNK - 1) / CHUNK;
	if (hash) {
		h.sha = mlvm_sha256_new();
		zero = calloc(1, CHUNK);	/* never written: stays the kernel's zero page */
		h.zero = zero;
		if (!h.sha || !zero)
			rc = -ENOMEM;
	}
	for (k = 0; k < nbuf && (uint64_t)k < h.n_chunks; k++) {
		h.slots[k].buf = chunk_alloc();
		if (!h.slots[k].buf)
			rc = -ENOMEM;
	}
	if (!rc && hash)
		rc = hash_start(&h, &th);
	if (rc) {
		fail(&x, rc, "cannot start the export: %s", strerror(-rc));
		goto out;
	}
	started = hash;
	for (i = 0; i < h.n_chunks; i++, off += CHUNK) {
		struct slot *s = &h.slots[i % (uint64_t)nbuf];
		size_t len = size - off < CHUNK ? (size_t)(size - off) : CHUNK;

		if (cancelled(&x)) {
			rc = -ECANCELED;
			break;
		}
		slot_wait_free(&h, s);
		for (k = i ? AHEAD : 1; k <= AHEAD && i + (uint64_t)k < h.n_chunks; k++)
			announce(rd, off + (uint64_t)k * CHUNK, size);
		if (direct) {
			rc = direct_chunk(&x, &d, s->buf, off, len);
		} else if (sparse && mlvm_lv_is_hole(rd, off, len)) {
			slot_post(&h, s, len, true);
		} else {
			rc = get(&x, s->buf, len, off);
			if (!rc)
				rc = sparse ? put_sparse(&x, s->buf, len, off) :
					      put(&x, s->buf, len, 0, false);
			if (!rc)
				slot_post(&h, s, len, false);
		}
		if (rc)
			break;
		if (res)
			res->written = off + len;
		if (cb && cb->progress && cb->progress(cb->ud, off + len, size)) {
			rc = -ECANCELED;
			break;
		}
	}
	if (!rc && sparse && ftruncate(o->fd, (off_t)size) != 0) {
		rc = -errno;
		fail(&x, rc, "cannot set the size of %s: %s", o->path, strerror(-rc));
	}
	if (!rc && (flags & MLVM_EXPORT_SYNC) && o->kind == MLVM_EXPORT_FILE &&
	    fsync(o->fd) != 0 && errno != EINVAL && errno != EROFS) {
		rc = -errno;
		fail(&x, rc, "cannot write %s: %s", o->path, strerror(-rc));
	}
out:
	if (started) {
		pthread_mutex_lock(&h.lock);
		h.stop = true;
		pthread_cond_broadcast(&h.cond);
		pthread_mutex_unlock(&h.lock);
		pthread_join(th, NULL);
	}
	if (!rc && hash && (h.failed || mlvm_sha256_final(h.sha, hex)))
		rc = fail(&x, -EIO, "cannot compute the sha256");
	if (!rc && res)
		memcpy(res->sha256, hex, sizeof(hex));
	direct_free(&d);
	mlvm_sha256_free(h.sha);
	for (k = 0; k < NBUF; k++)
		free(h.slots[k].buf);
	free(zero);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
	return rc;
}

/* ------------------------------------------------------------ the output */

/*
 * A pipe holds 64 KiB by default: a writer handing it 4 MiB chunks wakes
 * its reader (and sleeps) every 16 pages, and the wakeups, not the copying,
 * then take most of the time. Ask for a 1 MiB pipe (what an unprivileged
 * process may ask for by default); when that is refused the pipe stays as
 * it was.
 */
static void widen_pipe(int fd, const struct stat *st)
{
#ifdef F_SETPIPE_SZ
	if (S_ISFIFO(st->st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
	(void)st;
#endif
}

static enum mlvm_export_kind kind_of(const struct stat *st)
{
	return S_ISREG(st->st_mode) ? MLVM_EXPORT_FILE :
	       S_ISBLK(st->st_mode) ? MLVM_EXPORT_BLOCK : MLVM_EXPORT_STREAM;
}

static void out_init(struct mlvm_export_out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->fd = -1;
}

/* path is one of the inputs (the same file under any name) */
static bool is_input(const struct stat *st, const char *const *inputs, size_t n)
{
	struct stat is;
	size_t i;

	for (i = 0; i < n; i++)
		if (stat(inputs[i], &is) == 0 && is.st_dev == st->st_dev && is.st_ino == st->st_ino)
			return true;
	return false;
}

int mlvm_export_out_open(struct mlvm_export_out *o, const char *path, unsigned flags,
			 const char *const *inputs, size_t n_inputs, uint64_t size)
{
	struct stat st;
	int fd;

	out_init(o, path);
	o->own_fd = true;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return -errno;
		o->kind = MLVM_EXPORT_FILE;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0)
			return -errno;
		o->fd = fd;
		o->created = true;
		return 0;
	}
	o->kind = kind_of(&st);
	if (is_input(&st, inputs, n_inputs))
		return -EXDEV;
	if (!(flags & MLVM_EXPORT_OVERWRITE))
		return -EEXIST;
	switch (o->kind) {
	case MLVM_EXPORT_BLOCK: {
		off_t end;

		/* O_EXCL on a block device: fails when it is mounted or in use */
		fd = open(path, O_WRONLY | O_EXCL | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		end = lseek(fd, 0, SEEK_END);
		if (end >= 0)
			o->dev_size = (uint64_t)end;
		if (end >= 0 && o->dev_size < size) {
			close(fd);
			return -ENOSPC;
		}
		if (lseek(fd, 0, SEEK_SET) != 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		o->fd = fd;
		return 0;
	}
	case MLVM_EXPORT_FILE:
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
		break;
	default:
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0)
			widen_pipe(fd, &st);
		break;
	}
	if (fd < 0)
		return -errno;
	o->fd = fd;
	return 0;
}

int mlvm_export_out_fd(struct mlvm_export_out *o, int fd, const char *name)
{
	struct stat st;

	out_init(o, name);
	o->fd = fd;
	if (fstat(fd, &st) != 0)
		return -errno;
	o->kind = kind_of(&st);
	if (o->kind == MLVM_EXPORT_STREAM)
		widen_pipe(fd, &st);
	return 0;
}

int mlvm_export_out_reserve(struct mlvm_export_out *o, uint64_t size,
			    const struct mlvm_export_cb *cb)
{
#ifdef FALLOC_FL_KEEP_SIZE
	struct run x = { .o = o, .cb = cb };
	int rc;

	if (o->kind != MLVM_EXPORT_FILE || size == 0 || size > (uint64_t)INT64_MAX)
		return 0;
	if (fallocate(o->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) == 0)
		return 0;
	if (errno != ENOSPC && errno != EDQUOT && errno != EFBIG)
		return 0;	/* not supported here: nothing lost */
	rc = -errno;
	fail(&x, rc, "%s: no room for the lv's %llu bytes: %s", o->path,
	     (unsigned long long)size, strerror(-rc));
	/* give back what was reserved (opening emptied the file) */
	if (ftruncate(o->fd, 0) != 0 && cb && cb->error) {
		char msg[1024];
		int e = errno;

		snprintf(msg, sizeof(msg), "%s: cannot release the blocks reserved for it: %s",
			 o->path, strerror(e));
		cb->error(cb->ud, -e, msg);
	}
	return rc;
#else
	(void)o;
	(void)size;
	(void)cb;
	return 0;
#endif
}

int mlvm_export_out_close(struct mlvm_export_out *o, bool keep)
{
	int rc = 0;

	if (o->fd < 0)		/* never opened, or closed already */
		return 0;
	if (o->own_fd && close(o->fd) != 0)
		rc = -errno;
	o->fd = -1;
	if ((!keep || rc) && o->created && o->path)
		o->removed = unlink(o->path) == 0;
	return rc;
}
