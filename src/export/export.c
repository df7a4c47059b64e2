/*
 * export.c - the exporter (export.h): an LV's bytes to a file, with the
 * SHA-256 of what was written.
 *
 * The LV is read in chunks into a ring of MLVM_EXPORT_NBUF buffers, and a
 * second thread takes the chunks in order ("the stage"): with the hash it
 * hashes them while the caller's thread reads and writes the next ones, so
 * an export takes as long as the slower of copying and hashing (SHA-256 is
 * the slower one when the page cache holds the images); without the hash,
 * to a file or block device, it writes them while the caller's thread
 * reads the next ones. A stream without the hash is read and written by
 * the caller's thread alone.
 *
 * Every byte goes through a buffer: read (pread, or a container's
 * decompression) then write, as dd does. Handing writev the images mapped
 * into memory copies once instead of twice but was 2.8 times slower than
 * dd on the VM this was measured on: each page of the mapping costs a
 * fault and, when it is dropped again, a TLB flush on every core; a
 * buffer used over and over costs neither.
 *
 * With the stage, the buffers of the chunks announced ahead are lent to
 * their sources (mlvm_source_willneed_into), so that a qcow2 image's
 * workers decompress straight into them instead of into their cache, from
 * which the chunk's read would copy them.
 */
#include "export/export.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/util.h"
#include "io/source.h"

#define CHUNK MLVM_EXPORT_CHUNK
#define NBUF MLVM_EXPORT_NBUF
#define BLOCK 4096		/* sparse output looks for zeros block by block */
#define AHEAD 2			/* chunks announced before they are read */

/* ------------------------------------------------------------ one run */

/*
 * What a thread that reads or writes needs. The caller's thread and the
 * stage's writing have one each: a failure is said once through cb->error
 * from the caller's thread, so the stage's words wait in `deferred` until
 * the caller's thread says them.
 */
struct run {
	struct mlvm_lv_reader *rd;
	struct mlvm_export_out *o;
	const struct mlvm_export_cb *cb;
	bool said;		/* cb->error called (or the words kept) */
	bool defer;		/* keep the words in deferred: not the caller's thread */
	char deferred[1024];
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
	if (x->defer)
		vsnprintf(x->deferred, sizeof(x->deferred), fmt, ap);
	else
		vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!x->defer)
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
 * What the sources of a chunk are told about its plain image bytes
 * (computed parts are not theirs), run by run:
 *   ANNOUNCE   it will be read soon (mlvm_source_willneed), so that a
 *              container that decompresses (E01, qcow) reads it on its
 *              worker threads while this thread writes the chunks before;
 *   LEND       the same, for a read into buf, the chunk's buffer, which the
 *              sources may decompress straight into
 *              (mlvm_source_willneed_into): buf is lent to them;
 *   TAKE_BACK  buf is the chunk's again: none of their threads writes
 *              into it any more (mlvm_source_forget).
 * The runs are found the same way each time.
 */
enum hint { ANNOUNCE, LEND, TAKE_BACK };

static void hint(struct mlvm_lv_reader *rd, uint64_t off, uint64_t size, unsigned char *buf,
		 enum hint how)
{
	uint64_t start = off, end = size - off < CHUNK ? size : off + CHUNK, soff, run;
	struct mlvm_source *src;

	while (off < end) {
		int rc = mlvm_lv_locate(rd, off, end - off, &src, &soff, &run);

		if (rc == 0 && how == ANNOUNCE)
			mlvm_source_willneed(src, soff, run);
		else if (rc == 0 && how == LEND)
			mlvm_source_willneed_into(src, buf + (off - start), soff, run);
		else if (rc == 0)
			mlvm_source_forget(src, buf + (off - start), (size_t)run);
		else if (rc != -ENOENT)
			break;
		off += run;
	}
}

/* ------------------------------------------------------------ the stage */

struct slot {
	unsigned char *buf;
	size_t len;
	uint64_t off;		/* LV offset of buf[0] */
	bool zeros;		/* len zero bytes, buf unused: hashed from the
				 * zero chunk, or a hole the stage skips */
	bool ready;		/* filled, waiting for the stage */
	bool lent;		/* buf lent to the sources of the chunk at lent_off
				 * (hint), not yet taken back */
	uint64_t lent_off;
};

struct stage {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slot slots[NBUF];
	const unsigned char *zero;	/* CHUNK zero bytes (hashing) */
	struct mlvm_sha256 *sha;	/* hash the chunks; NULL: write them */
	struct run w;			/* writing: the stage's own */
	bool sparse;			/* writing: leave zero blocks as holes */
	uint64_t n_chunks;
	uint64_t done;			/* chunks the stage has finished, in order */
	uint64_t written;		/* writing: bytes written from the LV's start */
	int rc;				/* the stage's failure, 0 while none */
	bool stop;			/* no chunk will come after those posted */
	bool abort;			/* leave the rest: failed or cancelled */
};

/* one chunk through the stage: hashed or written; 0 or a negative errno */
static int stage_chunk(struct stage *h, const struct slot *s)
{
	if (h->sha)
		return mlvm_sha256_update(h->sha, s->zeros ? h->zero : s->buf, s->len) ? -EIO : 0;
	if (s->zeros)	/* a hole of sparse output */
		return 0;
	return h->sparse ? put_sparse(&h->w, s->buf, s->len, s->off) :
			   put(&h->w, s->buf, s->len, 0, false);
}

static void *stage_main(void *arg)
{
	struct stage *h = arg;
	uint64_t i;

	for (i = 0; i < h->n_chunks; i++) {
		struct slot *s = &h->slots[i % NBUF];
		int rc;

		pthread_mutex_lock(&h->lock);
		while (!s->ready && !h->stop && !h->abort)
			pthread_cond_wait(&h->cond, &h->lock);
		if (!s->ready || h->abort) {
			pthread_mutex_unlock(&h->lock);
			break;
		}
		pthread_mutex_unlock(&h->lock);
		rc = stage_chunk(h, s);
		pthread_mutex_lock(&h->lock);
		s->ready = false;
		if (rc) {
			h->rc = rc;
			h->abort = true;
		} else {
			h->done++;
			if (!h->sha)
				h->written = s->off + s->len;
		}
		pthread_cond_broadcast(&h->cond);
		pthread_mutex_unlock(&h->lock);
		if (rc)
			break;
	}
	return NULL;
}

/* start the stage (signals are the caller's: mlvm_thread_create) */
static int stage_start(struct stage *h, pthread_t *th)
{
	int rc = mlvm_thread_create(th, stage_main, h);

	return rc ? -rc : 0;
}

/* wait until the stage is done with slot s; its failure, or 0 */
static int slot_wait_free(struct stage *h, const struct slot *s)
{
	int rc;

	pthread_mutex_lock(&h->lock);
	while (s->ready && !h->abort)
		pthread_cond_wait(&h->cond, &h->lock);
	rc = h->rc;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static void slot_post(struct stage *h, struct slot *s, uint64_t off, size_t len, bool zeros)
{
	pthread_mutex_lock(&h->lock);
	s->off = off;
	s->len = len;
	s->zeros = zeros;
	s->ready = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* chunks the stage has finished (*rc: its failure, or 0); with wait, not
 * before it finishes one more than have, fails or is told to abort */
static uint64_t stage_done(struct stage *h, uint64_t have, bool wait, int *rc)
{
	uint64_t done;

	pthread_mutex_lock(&h->lock);
	while (wait && h->done <= have && !h->abort)
		pthread_cond_wait(&h->cond, &h->lock);
	done = h->done;
	*rc = h->rc;
	pthread_mutex_unlock(&h->lock);
	return done;
}

/* no more chunks: the stage finishes those posted (abort: leaves them) */
static void stage_end(struct stage *h, bool abort)
{
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	if (abort)
		h->abort = true;
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

/* ------------------------------------------------------------ the copy */

/*
 * Writing on the stage: progress for every chunk it has finished since
 * *reported (one call each, in order); with wait, first wait for one more.
 * -ECANCELED when the callback says stop, the stage's failure when it
 * failed.
 */
static int stage_progress(struct run *x, struct stage *h, uint64_t *reported, uint64_t size,
			  bool wait, struct mlvm_export_result *res)
{
	int failed;
	uint64_t done = stage_done(h, *reported, wait, &failed);

	for (; *reported < done; (*reported)++) {
		uint64_t end = size - *reported * CHUNK <= CHUNK ? size : (*reported + 1) * CHUNK;

		if (res)
			res->written = end;
		if (x->cb && x->cb->progress && x->cb->progress(x->cb->ud, end, size)) {
			(*reported)++;
			return -ECANCELED;
		}
	}
	return failed;
}

int mlvm_export_run(struct mlvm_lv_reader *rd, struct mlvm_export_out *o, unsigned flags,
		    const struct mlvm_export_cb *cb, struct mlvm_export_result *res)
{
	struct run x = { .rd = rd, .o = o, .cb = cb };
	uint64_t size = mlvm_lv_reader_size(rd), off = 0, i, reported = 0;
	bool hash = flags & MLVM_EXPORT_SHA256, sparse = flags & MLVM_EXPORT_SPARSE;
	/* the stage writes: not to a stream (a write blocked on a pipe must
	 * see the caller's signal, and the stage's thread takes none), and not
	 * on one core or with MLVM_IO_THREADS=0 */
	bool writing = !hash && o->kind != MLVM_EXPORT_STREAM && mlvm_io_threads(1) > 0;
	bool started = false, lend_ahead;
	int rc = 0, k, nbuf = hash || writing ? NBUF : 1;
	unsigned char *zero = NULL;
	char hex[65] = "";
	struct stage h;
	pthread_t th;

	if (res) {
		res->written = 0;
		res->sha256[0] = '\0';
	}
	if (o->fd < 0 || (sparse && o->kind != MLVM_EXPORT_FILE))
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	h.n_chunks = (size + CHUNK - 1) / CHUNK;
	h.sparse = sparse;
	h.w = (struct run){ .rd = rd, .o = o, .cb = cb, .defer = true };
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
	if (!rc && (hash || writing) && h.n_chunks > 0) {
		rc = stage_start(&h, &th);
		started = rc == 0;
		if (rc && writing) {	/* no second thread: read and write in turn */
			writing = false;
			rc = 0;
		}
	}
	if (rc) {
		fail(&x, rc, "cannot start the export: %s", strerror(-rc));
		goto out;
	}
	lend_ahead = started && nbuf > AHEAD;
	for (i = 0; i < h.n_chunks; i++, off += CHUNK) {
		struct slot *s = &h.slots[i % (uint64_t)nbuf];
		size_t len = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		/* lending, the slot of the chunk AHEAD on (or the last one):
		 * the stage takes the slots in order, so once it is done with
		 * that one it is done with those of the chunks before it */
		uint64_t last = i + AHEAD < h.n_chunks ? i + AHEAD : h.n_chunks - 1;
		struct slot *wait = lend_ahead ? &h.slots[last % (uint64_t)nbuf] : s;
		bool hole;

		if (cancelled(&x)) {
			rc = -ECANCELED;
			break;
		}
		if (started && (rc = slot_wait_free(&h, wait)) != 0)
			break;	/* the stage failed: said after it ends */
		if (writing && (rc = stage_progress(&x, &h, &reported, size, false, res)) != 0)
			break;
		/* the chunks ahead; lending, into their buffers (the stage is
		 * done with them), where their own reads then copy nothing */
		for (k = i ? AHEAD : 1; k <= AHEAD && i + (uint64_t)k < h.n_chunks; k++) {
			struct slot *t = &h.slots[(i + (uint64_t)k) % (uint64_t)nbuf];

			hint(rd, off + (uint64_t)k * CHUNK, size, t->buf, lend_ahead ? LEND : ANNOUNCE);
			t->lent = lend_ahead;
			t->lent_off = off + (uint64_t)k * CHUNK;
		}
		hole = sparse && mlvm_lv_is_hole(rd, off, len);
		if (!hole)
			rc = get(&x, s->buf, len, off);
		if (s->lent) {	/* back before the stage sees it */
			hint(rd, off, size, s->buf, TAKE_BACK);
			s->lent = false;
		}
		if (rc)
			break;
		if (writing) {
			slot_post(&h, s, off, len, hole);
			continue;
		}
		if (!hole)
			rc = sparse ? put_sparse(&x, s->buf, len, off) : put(&x, s->buf, len, 0, false);
		if (rc)
			break;
		if (hash)
			slot_post(&h, s, off, len, hole);
		if (res)
			res->written = off + len;
		if (cb && cb->progress && cb->progress(cb->ud, off + len, size)) {
			rc = -ECANCELED;
			break;
		}
	}
	if (started) {
		/* on success the stage finishes what was posted; writing, each
		 * chunk it finishes is progress */
		stage_end(&h, rc != 0);
		while (!rc && writing && reported < h.n_chunks)
			if ((rc = stage_progress(&x, &h, &reported, size, true, res)) != 0)
				stage_end(&h, true);
		pthread_join(th, NULL);
		if (writing && res)
			res->written = h.written;	/* what is in the output */
		if (h.rc && (!rc || rc == h.rc)) {
			/* the stage failed first: its words, or the hash's */
			rc = h.rc;
			if (hash)
				fail(&x, rc, "cannot compute the sha256");
			else if (h.w.said && rc != -ECANCELED)
				fail(&x, rc, "%s", h.w.deferred);
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
	if (!rc && hash && mlvm_sha256_final(h.sha, hex))
		rc = fail(&x, -EIO, "cannot compute the sha256");
	if (!rc && res)
		memcpy(res->sha256, hex, sizeof(hex));
	mlvm_sha256_free(h.sha);
	for (k = 0; k < NBUF; k++) {
		if (h.slots[k].lent)	/* announced, never read: failed or cancelled */
			hint(rd, h.slots[k].lent_off, size, h.slots[k].buf, TAKE_BACK);
		free(h.slots[k].buf);
	}
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
