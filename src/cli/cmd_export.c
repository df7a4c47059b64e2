/*
 * cmd_export.c - mlvm export: an LV's bytes, read through its segments, to
 * a raw image file (or stdout, or a block device), with the SHA-256 of what
 * was written and the ranges that could not be read.
 *
 * Memory stays bounded whatever the LV's size: the LV is read in 4 MiB
 * chunks into a ring of NBUF buffers; a second thread hashes the chunks in
 * order while the first reads and writes the next ones, so an export takes
 * as long as the slower of copying and hashing (SHA-256 is the slower one
 * when the page cache holds the images). With --no-sha256 and without
 * --sparse nothing needs the bytes in user space: plain image bytes go from
 * the images, mapped, straight to writev (see "direct copy").
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "map/lvmap.h"
#include "map/provenance.h"
#include "base/sha256.h"
#include "base/util.h"

#define CHUNK (4u << 20)
#define NBUF 6		/* 24 MiB in flight: rides out the hasher being descheduled */
#define BLOCK 4096		/* --sparse looks for zeros block by block */
#define MAX_MISSING_SHOWN 20	/* on stderr; the JSON lists them all */

static const char export_help[] =
	"Usage: mlvm export --lv [VG/]LV -o FILE [--generation SEQNO] [--sparse]\n"
	"                   [--leg N] [--no-sha256] [--allow-missing] [--force] [--json]\n"
	"                   IMAGE...\n"
	"\n"
	"Write the bytes of a logical volume, read through its segments (linear,\n"
	"striped, mirror, raid, thin, snapshot...), to FILE: a raw image of the LV.\n"
	"The images are only read. At the end the SHA-256 of every byte written is\n"
	"printed on stderr (\"sha256 HEX  FILE\"), or with --json a summary on stdout.\n"
	"\n"
	"  --lv [VG/]LV         the LV (the VG may be given here or with --vg)\n"
	"  -o, --output FILE    where to write: a new file (refused when it exists,\n"
	"                       unless --force), - for stdout (not a terminal), or a\n"
	"                       block device (with --force; written in place)\n"
	"  --generation SEQNO   the LV as that metadata generation maps it (an LV\n"
	"                       removed since comes back); its bytes on extents a\n"
	"                       later generation gave to another LV are written all\n"
	"                       the same, warned about (extents_reused) and listed\n"
	"                       in the --json summary (reused_ranges)\n"
	"  --sparse             leave holes for all-zero blocks (regular files only)\n"
	"  --leg N              read mirror/raid1 image N (from 0), not the first intact\n"
	"  --no-sha256          do not hash what is written (hashing runs beside the\n"
	"                       copy, at about 1.7 GB/s with SHA instructions: without\n"
	"                       it, a page-cache copy goes at the kernel's speed)\n"
	"  --allow-missing      exit 0 even when parts could not be read (they are\n"
	"                       written as zeros and listed either way)\n"
	"  --force              overwrite FILE (never one of the IMAGEs)\n"
	"\n"
	"A new FILE's blocks are reserved first (not with --sparse): a filesystem\n"
	"without room for the LV is refused before anything is copied. A progress\n"
	"bar is shown when stderr is a terminal.\n"
	"Exit status: 0 done, 1 no such LV, LV not mappable, cannot write FILE, or\n"
	"parts of the LV missing (without --allow-missing), 2 usage error.\n"
	"Options may come before or after the images; -- ends them.\n";

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
	if (!h->sha)	/* --no-sha256: nobody reads the slots */
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
	void *p = NULL;

	if (posix_memalign(&p, 2u << 20, CHUNK) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, CHUNK, MADV_HUGEPAGE);	/* a hint: failure costs nothing */
#endif
	return p;
}

/* ------------------------------------------------------------ output */

enum out_kind { OUT_FILE, OUT_STDOUT, OUT_BLOCK, OUT_OTHER };

struct out {
	const char *path;
	int fd;
	enum out_kind kind;
	bool created;		/* we made the file: remove it on a hard failure */
	bool sparse;
};

/* all zero, word by word (buffers are malloc'd: 8-byte aligned) */
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

/* write a chunk, leaving all-zero blocks as holes */
static int write_sparse(int fd, const unsigned char *buf, size_t len, uint64_t off)
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
		rc = mlvm_pwrite_all(fd, buf + i, j - i, off + i);
		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

/* ------------------------------------------------------------ progress */

struct progress {
	bool on;
	bool drawn;
	struct timespec t0, last;
	uint64_t total;
};

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_draw(struct progress *p, uint64_t done, bool force)
{
	struct timespec now;
	double el, rate, left, frac;
	char bar[31];
	int i, fill;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && p->drawn && secs(&p->last, &now) < 0.1)
		return;
	if (!force && !p->drawn && secs(&p->t0, &now) < 0.1)
		return;
	p->last = now;
	p->drawn = true;
	el = secs(&p->t0, &now);
	frac = p->total ? (double)done / (double)p->total : 1.0;
	rate = el > 0 ? (double)done / el / (1024.0 * 1024.0) : 0;
	left = rate > 0 ? (double)(p->total - done) / (rate * 1024.0 * 1024.0) : 0;
	fill = (int)(frac * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %3d%%  %7.1f MiB/s  %d:%02d left ", bar, (int)(frac * 100),
		rate, (int)left / 60, (int)left % 60);
	fflush(stderr);
}

static void progress_clear(struct progress *p)
{
	if (p->on && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/*
 * Reading [off, off + len) of the LV failed with rc: say where. The range is
 * read again run by run (each run lying in one image, or computed), and a
 * failing run in an image page by page, so that the message names the image
 * and the byte in it; buf holds len bytes.
 */
static void read_failed(const struct cli *c, struct mlvm_lv_reader *rd, unsigned char *buf,
			uint64_t off, size_t len, int rc)
{
	uint64_t pos = 0, soff, run, k;
	struct mlvm_source *src;

	while (pos < len) {
		int direct = mlvm_lv_locate(rd, off + pos, len - pos, &src, &soff, &run) == 0;
		int r = mlvm_lv_read(rd, buf, (size_t)run, off + pos);

		if (!r) {
			pos += run;
			continue;
		}
		if (!direct) {
			cli_err(c, "cannot read the lv at byte %llu: %s",
				(unsigned long long)(off + pos), strerror(-r));
			return;
		}
		for (k = 0; k < run; k += BLOCK) {
			size_t n = run - k < BLOCK ? (size_t)(run - k) : BLOCK;

			r = mlvm_source_read(src, buf, n, soff + k);
			if (r)
				break;
		}
		if (k >= run)
			k = 0;
		cli_err(c, "cannot read %s at byte %llu (byte %llu of the lv): %s", src->name,
			(unsigned long long)(soff + k), (unsigned long long)(off + pos + k),
			strerror(r == -ERANGE || !r ? EIO : -r));
		return;
	}
	/* every run read well the second time */
	cli_err(c, "cannot read the lv at byte %llu: %s", (unsigned long long)off, strerror(-rc));
}

/* ------------------------------------------------------------ direct copy */

/*
 * Without a hash to compute and without --sparse, nothing needs the LV's
 * bytes in user space: where they are plain bytes of an image (lvmap's
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
 * page cache) and keep the RSS bounded. Both are hints: when the kernel
 * refuses one, only speed or RSS suffer, never the bytes.
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
		(void)madvise((void *)(uintptr_t)(m->base + lo), (size_t)(m->hi - lo), advice);
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
static int direct_flush(const struct cli *c, struct mlvm_lv_reader *rd, struct direct *d,
			const struct out *o, unsigned char *buf, uint64_t chunk)
{
	int fd = o->fd;
	struct iovec *v = d->iov;
	int nv = d->niov, rc = 0;
	uint64_t done = 0;

#ifdef MADV_POPULATE_READ
	direct_advise(d, MADV_POPULATE_READ, false);
#endif
	while (nv > 0) {
		ssize_t n = writev(fd, v, nv);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EFAULT) {
			rc = -errno;
			cli_err(c, "cannot write %s: %s", o->path, strerror(-rc));
			break;
		}
		if (n <= 0) {	/* EFAULT, or nothing written: the ordinary way */
			uint64_t at = d->from + done, left = d->queued - done;
			unsigned char *b = buf + (at - chunk);

			rc = mlvm_lv_read(rd, b, (size_t)left, at);
			if (rc) {
				read_failed(c, rd, b, at, (size_t)left, rc);
				break;
			}
			rc = mlvm_write_all(fd, b, (size_t)left);
			if (rc)
				cli_err(c, "cannot write %s: %s", o->path, strerror(-rc));
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

/* one chunk [off, off + len) of the LV to o; buf is CHUNK bytes; errors are reported */
static int direct_chunk(const struct cli *c, struct mlvm_lv_reader *rd, struct direct *d,
			const struct out *o, unsigned char *buf, uint64_t off, size_t len)
{
	uint64_t pos = 0;
	int rc;

	d->from = off;
	while (pos < len) {
		struct mlvm_source *src;
		struct image_map *m = NULL;
		uint64_t soff, run;
		const void *p;

		if (d->niov == IOV_CAP && (rc = direct_flush(c, rd, d, o, buf, off)))
			return rc;
		if (mlvm_lv_locate(rd, off + pos, len - pos, &src, &soff, &run) == 0)
			m = direct_map(d, src);
		if (m && m->base && m->lo < m->hi && (soff > m->hi || soff + run < m->lo)) {
			/* not next to what is queued from this image (thin blocks
			 * far apart): write that first, so that the range advised
			 * holds only pages that are written */
			if ((rc = direct_flush(c, rd, d, o, buf, off)))
				return rc;
		}
		if (m && m->base) {
			p = m->base + soff;
			if (soff < m->lo)
				m->lo = soff;
			if (soff + run > m->hi)
				m->hi = soff + run;
		} else {
			rc = mlvm_lv_read(rd, buf + pos, (size_t)run, off + pos);
			if (rc) {
				read_failed(c, rd, buf + pos, off + pos, (size_t)run, rc);
				return rc;
			}
			p = buf + pos;
		}
		direct_queue(d, p, (size_t)run);
		pos += run;
	}
	return direct_flush(c, rd, d, o, buf, off);
}

/* ------------------------------------------------------------ the copy */

static int copy_lv(const struct cli *c, struct mlvm_lv_reader *rd, struct out *o,
		   bool hash, char hex[65], uint64_t *written)
{
	uint64_t size = mlvm_lv_reader_size(rd), off = 0, i;
	struct hasher h;
	struct progress pr = { .on = isatty(STDERR_FILENO) != 0, .total = size };
	pthread_t th;
	unsigned char *zero = NULL;
	int rc = 0, k, nbuf = hash ? NBUF : 1;
	bool started = false, direct = !hash && !o->sparse;
	struct direct d;

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
	if (!rc && hash && pthread_create(&th, NULL, hash_main, &h) != 0)
		rc = -EAGAIN;
	if (rc) {
		cli_err(c, "cannot start the export: %s", strerror(-rc));
		goto out;
	}
	started = hash;
	clock_gettime(CLOCK_MONOTONIC, &pr.t0);
	for (i = 0; i < h.n_chunks; i++, off += CHUNK) {
		struct slot *s = &h.slots[i % (uint64_t)nbuf];
		size_t len = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		bool hole = o->sparse && mlvm_lv_is_hole(rd, off, len);

		slot_wait_free(&h, s);
		if (direct) {
			rc = direct_chunk(c, rd, &d, o, s->buf, off, len);
			if (rc)
				break;
		} else if (hole) {
			slot_post(&h, s, len, true);
		} else {
			rc = mlvm_lv_read(rd, s->buf, len, off);
			if (rc) {
				read_failed(c, rd, s->buf, off, len, rc);
				break;
			}
			if (o->sparse)
				rc = write_sparse(o->fd, s->buf, len, off);
			else
				rc = mlvm_write_all(o->fd, s->buf, len);
			if (rc) {
				cli_err(c, "cannot write %s: %s", o->path, strerror(-rc));
				break;
			}
			slot_post(&h, s, len, false);
		}
		*written = off + len;
		progress_draw(&pr, off + len, false);
	}
	if (!rc && o->sparse && ftruncate(o->fd, (off_t)size) != 0) {
		rc = -errno;
		cli_err(c, "cannot set the size of %s: %s", o->path, strerror(-rc));
	}
	if (!rc)
		progress_draw(&pr, size, true);	/* 100%, however short the run */
	progress_clear(&pr);
out:
	if (started) {
		pthread_mutex_lock(&h.lock);
		h.stop = true;
		pthread_cond_broadcast(&h.cond);
		pthread_mutex_unlock(&h.lock);
		pthread_join(th, NULL);
	}
	if (!rc && hash && (h.failed || mlvm_sha256_final(h.sha, hex))) {
		cli_err(c, "cannot compute the sha256");
		rc = -EIO;
	}
	direct_free(&d);
	mlvm_sha256_free(h.sha);
	for (k = 0; k < NBUF; k++)
		free(h.slots[k].buf);
	free(zero);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
	return rc;
}

/* ------------------------------------------------------------ checks */

/*
 * A pipe holds 64 KiB by default: a writer handing it 4 MiB chunks wakes
 * its reader (and sleeps) every 16 pages, and the wakeups, not the copying,
 * then take most of the time. Ask for a 1 MiB pipe (what an unprivileged
 * process may ask for by default); when that is refused the pipe stays as
 * it was.
 */
static void widen_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
#endif
}

/* the output is one of the images (or the same file under another name) */
static bool is_an_image(const struct stat *st, char **images, int n)
{
	struct stat is;
	int i;

	for (i = 0; i < n; i++)
		if (stat(images[i], &is) == 0 && is.st_dev == st->st_dev && is.st_ino == st->st_ino)
			return true;
	return false;
}

static int open_output(const struct cli *c, struct out *o, bool force, char **images, int n,
		       uint64_t size)
{
	struct stat st;
	int fd;

	if (!strcmp(o->path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			cli_err(c, "not writing an lv image to a terminal: redirect stdout or give -o FILE");
			return EXIT_FAILED;
		}
		o->fd = STDOUT_FILENO;
		o->kind = OUT_STDOUT;
		widen_pipe(o->fd);
		return EXIT_DONE;
	}
	if (stat(o->path, &st) == 0) {
		if (is_an_image(&st, images, n)) {
			cli_err(c, "refusing to write %s: it is one of the images being read", o->path);
			return EXIT_FAILED;
		}
		if (!force) {
			cli_err(c, "%s exists: not overwriting it without --force", o->path);
			return EXIT_FAILED;
		}
		if (S_ISBLK(st.st_mode)) {
			/* O_EXCL on a block device: fails when it is mounted or in use */
			fd = open(o->path, O_WRONLY | O_EXCL | O_CLOEXEC);
			if (fd < 0) {
				cli_err(c, "cannot open %s: %s", o->path, strerror(errno));
				return EXIT_FAILED;
			}
			o->fd = fd;
			o->kind = OUT_BLOCK;
			{
				off_t end = lseek(fd, 0, SEEK_END);

				if (end >= 0 && (uint64_t)end < size) {
					cli_err(c, "%s holds %llu bytes, the lv %llu", o->path,
						(unsigned long long)end, (unsigned long long)size);
					return EXIT_FAILED;
				}
				lseek(fd, 0, SEEK_SET);
			}
			return EXIT_DONE;
		}
		if (!S_ISREG(st.st_mode)) {
			fd = open(o->path, O_WRONLY | O_CLOEXEC);
			o->kind = OUT_OTHER;
			if (fd >= 0)
				widen_pipe(fd);
		} else {
			fd = open(o->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
			o->kind = OUT_FILE;
		}
	} else {
		fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		o->kind = OUT_FILE;
		o->created = fd >= 0;
	}
	if (fd < 0) {
		cli_err(c, "cannot create %s: %s", o->path, strerror(errno));
		return EXIT_FAILED;
	}
	o->fd = fd;
	return EXIT_DONE;
}

/*
 * Reserve the file's blocks before writing (beyond its end: the size grows
 * only as bytes are written, so an interrupted export never looks whole).
 * A filesystem that cannot hold the LV says so now, not hours into the
 * copy; writes into reserved blocks are also cheaper for the filesystem
 * than allocating as they go. Filesystems without fallocate are written
 * the ordinary way.
 */
static int preallocate(const struct cli *c, struct out *o, uint64_t size)
{
#ifdef FALLOC_FL_KEEP_SIZE
	int e;

	if (size == 0 || size > (uint64_t)INT64_MAX)
		return EXIT_DONE;
	if (fallocate(o->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) == 0)
		return EXIT_DONE;
	if (errno != ENOSPC && errno != EDQUOT && errno != EFBIG)
		return EXIT_DONE;	/* not supported here: nothing lost */
	e = errno;
	cli_err(c, "%s: no room for the lv's %llu bytes: %s", o->path,
		(unsigned long long)size, strerror(e));
	/* give back what was reserved (opening emptied the file) */
	if (ftruncate(o->fd, 0) != 0)
		cli_err(c, "%s: cannot release the blocks reserved for it: %s", o->path,
			strerror(errno));
	return EXIT_FAILED;
#else
	(void)c;
	(void)o;
	(void)size;
	return EXIT_DONE;
#endif
}

/* the distinct segment types of an LV, for "cannot be mapped" */
static void seg_types(const struct mlvm_lv *lv, char *out, size_t len)
{
	size_t used = 0;
	uint32_t i, j;

	out[0] = '\0';
	for (i = 0; i < lv->n_segs; i++) {
		const char *t = lv->segs[i].type ? lv->segs[i].type : "(none)";
		bool seen = false;
		int n;

		for (j = 0; j < i; j++)
			if (lv->segs[j].type && !strcmp(lv->segs[j].type, t))
				seen = true;
		if (seen)
			continue;
		n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", t);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* the ranges that could not be read, on stderr (all of them are in the JSON) */
static void print_missing(const struct cli *c, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			  const struct mlvm_range *miss, size_t n, bool allowed)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		total += miss[i].len;
		if (i < MAX_MISSING_SHOWN)
			fprintf(stderr, "%s: %s: lv %s/%s: bytes %llu-%llu (%llu bytes) could not be read: written as zeros\n",
				c->prog, allowed ? "warning" : "error", vg->name, lv->name,
				(unsigned long long)miss[i].start,
				(unsigned long long)(miss[i].start + miss[i].len - 1),
				(unsigned long long)miss[i].len);
	}
	if (n > MAX_MISSING_SHOWN)
		fprintf(stderr, "%s: %s: ... and %zu more missing ranges\n", c->prog,
			allowed ? "warning" : "error", n - MAX_MISSING_SHOWN);
	if (n)
		cli_err(c, "lv %s of vg %s: %llu bytes in %zu range%s missing%s", lv->name, vg->name,
			(unsigned long long)total, n, mlvm_plural(n, "", "s"),
			allowed ? " (allowed)" : "; --allow-missing accepts that");
}

/* ------------------------------------------------------------ command */

int cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "lv", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "generation", required_argument, NULL, 'g' },
		{ "sparse", no_argument, NULL, 's' },
		{ "leg", required_argument, NULL, 'L' },
		{ "allow-missing", no_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-sha256", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_lv_reader_opts ro = { .leg = -1 };
	struct mlvm_lv_reader *rd = NULL;
	const struct mlvm_vg *vg = NULL;
	const struct mlvm_lv *lv = NULL;
	struct out o = { .fd = -1 };
	const char *lvspec = NULL;
	const struct mlvm_range *miss = NULL;
	struct mlvm_range *reused = NULL;
	size_t n_reused = 0;
	bool reused_exact = true;
	struct mlvm_set *set;
	bool sparse = false, allow_missing = false, force = false, write_failed = false, hash = true;
	char hex[65] = "", types[256], why[512];
	uint64_t written = 0;
	size_t n_miss = 0, i;
	int opt, status = EXIT_DONE, rc;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "export", argc, argv, "ho:", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(export_help, stdout);
			return EXIT_DONE;
		case 'l':
			lvspec = optarg;
			break;
		case 'o':
			o.path = optarg;
			break;
		case 'g':
			if (cli_parse_seqno(c, "export", "--generation", optarg, &oo.generation))
				return EXIT_USAGE;
			oo.want_generation = true;
			break;
		case 's':
			sparse = true;
			break;
		case 'L': {
			uint64_t leg;

			if (cli_parse_seqno(c, "export", "--leg", optarg, &leg))
				return EXIT_USAGE;
			if (leg > 1000)
				return cli_usage(c, "export", "--leg %s: no LV has that many images", optarg);
			ro.leg = (int)leg;
			break;
		}
		case 'm':
			allow_missing = true;
			break;
		case 'f':
			force = true;
			break;
		case 'n':
			hash = false;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (!lvspec || !*lvspec)
		return cli_usage(c, "export", "which LV? give --lv [VG/]LV");
	if (!o.path || !*o.path)
		return cli_usage(c, "export", "where to? give -o FILE (or -o - for stdout)");
	if (optind >= argc)
		return cli_usage(c, "export", "no image given");
	if (c->json && !strcmp(o.path, "-"))
		return cli_usage(c, "export", "--json prints its summary on stdout: it cannot go with -o -");

	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	if (cli_vgs_selected(c, set) == 0) {
		cli_err(c, "%s", cli_no_vg_reason(c, set, &oo, why, sizeof(why), NULL));
		status = EXIT_FAILED;
		goto done;
	}
	status = cli_lookup_lv(c, set, lvspec, &vg, &lv);
	if (status != EXIT_DONE)
		goto done;
	if (cli_lv_ambiguity(vg, lv, why, sizeof(why))) {
		cli_err(c, "cannot export: %s", why);
		status = EXIT_FAILED;
		goto done;
	}

	if (oo.want_generation) {
		/* extents of this generation that later generations gave to
		 * another LV: exported all the same, but said */
		struct mlvm_prov *pr = NULL;

		rc = mlvm_prov_from_set(set, vg->id, &pr);
		if (!rc)
			rc = mlvm_prov_warn(pr, vg, lv, &set->report, &reused, &n_reused,
					    &reused_exact);
		mlvm_prov_free(pr);
		if (rc) {
			cli_err(c, "cannot work out which extents later generations reused: %s",
				strerror(-rc));
			status = EXIT_FAILED;
			goto done;
		}
	}
	rc = mlvm_lv_reader_new(vg, lv, &ro, &rd, &set->report);
	if (rc) {
		seg_types(lv, types, sizeof(types));
		if (rc == -ENOTSUP)
			cli_err(c, "cannot export lv %s of vg %s: its segment type (%s) cannot be mapped",
				lv->name, vg->name, types);
		else if (rc == -ELOOP)
			cli_err(c, "cannot export lv %s of vg %s: its LVs refer to each other in a cycle or nest too deep",
				lv->name, vg->name);
		else if (rc == -EISDIR)	/* the thin_pool_lv error names its thin LVs and _tdata */
			cli_err(c, "cannot export lv %s of vg %s: it is a thin pool", lv->name, vg->name);
		else
			cli_err(c, "cannot export lv %s of vg %s: %s", lv->name, vg->name, strerror(-rc));
		status = EXIT_FAILED;
		goto done;
	}

	status = open_output(c, &o, force, argv + optind, argc - optind, mlvm_lv_reader_size(rd));
	if (status != EXIT_DONE)
		goto done;
	o.sparse = sparse && o.kind == OUT_FILE;
	if (sparse && !o.sparse)
		mlvm_notice(&set->report, "export_not_sparse", NULL, -1,
			    "--sparse ignored: %s is %s, written in full", o.path,
			    o.kind == OUT_STDOUT ? "stdout" : o.kind == OUT_BLOCK ? "a block device" :
			    "not a regular file");

	if (o.kind == OUT_FILE && !o.sparse &&
	    preallocate(c, &o, mlvm_lv_reader_size(rd)) != EXIT_DONE) {
		close(o.fd);
		o.fd = -1;
		if (o.created && unlink(o.path) == 0)
			cli_err(c, "%s removed", o.path);
		status = EXIT_FAILED;
		goto done;
	}
	rc = copy_lv(c, rd, &o, hash, hex, &written);
	if (o.fd != STDOUT_FILENO && close(o.fd) != 0 && !rc) {
		rc = -errno;
		cli_err(c, "cannot write %s: %s", o.path, strerror(-rc));
	}
	o.fd = -1;
	if (rc) {
		if (o.created && unlink(o.path) == 0)
			cli_err(c, "%s removed", o.path);
		status = EXIT_FAILED;
		goto done;
	}

	miss = mlvm_lv_reader_missing(rd, &n_miss);
	if (n_miss && !allow_missing)
		status = EXIT_FAILED;

	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "lv", lv->name);
		json_string(&j, "vg", vg->name);
		json_uint(&j, "generation", vg->seqno);
		json_string(&j, "file", o.path);
		json_uint(&j, "bytes", written);
		if (hash)
			json_string(&j, "sha256", hex);
		else
			json_null(&j, "sha256");
		json_bool(&j, "sparse", o.sparse);
		json_begin_array(&j, "missing_ranges");
		for (i = 0; i < n_miss; i++) {
			json_begin_array_inline(&j, NULL);
			json_uint(&j, NULL, miss[i].start);
			json_uint(&j, NULL, miss[i].len);
			json_end_array(&j);
		}
		json_end_array(&j);
		json_begin_array(&j, "reused_ranges");
		for (i = 0; i < n_reused; i++) {
			json_begin_array_inline(&j, NULL);
			json_uint(&j, NULL, reused[i].start);
			json_uint(&j, NULL, reused[i].len);
			json_end_array(&j);
		}
		json_end_array(&j);
		json_bool(&j, "reused_ranges_exact", reused_exact);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
		if (!cli_output_ok(c, write_failed))
			status = EXIT_FAILED;
	} else if (hash) {
		fprintf(stderr, "sha256 %s  %s\n", hex, o.path);
	}
	print_missing(c, vg, lv, miss, n_miss, allow_missing);
done:
	if (o.fd >= 0 && o.fd != STDOUT_FILENO)
		close(o.fd);
	cli_print_report(c, &set->report);
	if (rd)
		mlvm_lv_reader_free(rd);
	free(reused);
	mlvm_set_free(set);
	return status;
}
