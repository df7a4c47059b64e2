/*
 * cmd_export.c - mlvm export: an LV's bytes, read through its segments, to
 * a raw image file (or stdout, or a block device), with the SHA-256 of what
 * was written and the ranges that could not be read.
 *
 * Memory stays bounded whatever the LV's size: the LV is read in 4 MiB
 * chunks into a ring of NBUF buffers; a second thread hashes the chunks in
 * order while the first reads and writes the next ones, so hashing costs
 * (almost) no wall time.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lvmap.h"
#include "sha256.h"
#include "util.h"

#define CHUNK (4u << 20)
#define NBUF 6		/* 24 MiB in flight: rides out the hasher being descheduled */
#define BLOCK 4096		/* --sparse looks for zeros block by block */
#define MAX_MISSING_SHOWN 20	/* on stderr; the JSON lists them all */

static const char export_help[] =
	"Usage: mlvm export --lv [VG/]LV -o FILE [--generation SEQNO] [--sparse]\n"
	"                   [--leg N] [--allow-missing] [--force] [--json] IMAGE...\n"
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
	"                       removed since comes back)\n"
	"  --sparse             leave holes for all-zero blocks (regular files only)\n"
	"  --leg N              read mirror/raid1 image N (from 0), not the first intact\n"
	"  --allow-missing      exit 0 even when parts could not be read (they are\n"
	"                       written as zeros and listed either way)\n"
	"  --force              overwrite FILE (never one of the IMAGEs)\n"
	"\n"
	"A progress bar is shown when stderr is a terminal.\n"
	"Exit status: 0 done, 1 no such LV, LV not mappable, cannot write FILE, or\n"
	"parts of the LV missing (without --allow-missing), 2 usage error.\n";

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
	pthread_mutex_lock(&h->lock);
	s->len = len;
	s->zeros = zeros;
	s->ready = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
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

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

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
		rc = pwrite_all(fd, buf + i, j - i, off + i);
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

/* ------------------------------------------------------------ the copy */

static int copy_lv(const struct cli *c, struct mlvm_lv_reader *rd, struct out *o,
		   char hex[65], uint64_t *written)
{
	uint64_t size = mlvm_lv_reader_size(rd), off = 0, i;
	struct hasher h;
	struct progress pr = { .on = isatty(STDERR_FILENO) != 0, .total = size };
	pthread_t th;
	unsigned char *zero = NULL;
	int rc = 0, k;
	bool started = false;

	memset(&h, 0, sizeof(h));
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	h.n_chunks = (size + CHUNK - 1) / CHUNK;
	h.sha = mlvm_sha256_new();
	zero = calloc(1, CHUNK);	/* never written: stays the kernel's zero page */
	h.zero = zero;
	for (k = 0; k < NBUF && (uint64_t)k < h.n_chunks; k++) {
		h.slots[k].buf = malloc(CHUNK);
		if (!h.slots[k].buf)
			rc = -ENOMEM;
	}
	if (!h.sha || !zero)
		rc = -ENOMEM;
	if (!rc && pthread_create(&th, NULL, hash_main, &h) != 0)
		rc = -EAGAIN;
	if (rc) {
		cli_err(c, "cannot start the export: %s", strerror(-rc));
		goto out;
	}
	started = true;
	clock_gettime(CLOCK_MONOTONIC, &pr.t0);
	for (i = 0; i < h.n_chunks; i++, off += CHUNK) {
		struct slot *s = &h.slots[i % NBUF];
		size_t len = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		bool hole = o->sparse && mlvm_lv_is_hole(rd, off, len);

		slot_wait_free(&h, s);
		if (hole) {
			slot_post(&h, s, len, true);
		} else {
			rc = mlvm_lv_read(rd, s->buf, len, off);
			if (rc) {
				cli_err(c, "cannot read the lv at byte %llu: %s",
					(unsigned long long)off, strerror(-rc));
				break;
			}
			if (o->sparse)
				rc = write_sparse(o->fd, s->buf, len, off);
			else
				rc = write_all(o->fd, s->buf, len);
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
	if (!rc && (h.failed || mlvm_sha256_final(h.sha, hex))) {
		cli_err(c, "cannot compute the sha256");
		rc = -EIO;
	}
	mlvm_sha256_free(h.sha);
	for (k = 0; k < NBUF; k++)
		free(h.slots[k].buf);
	free(zero);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
	return rc;
}

/* ------------------------------------------------------------ checks */

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
			(unsigned long long)total, n, n == 1 ? "" : "s",
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
	struct mlvm_set *set;
	bool sparse = false, allow_missing = false, force = false, write_failed = false;
	char hex[65] = "", types[256];
	uint64_t written = 0;
	size_t n_miss = 0, i, shown = 0;
	int opt, status = EXIT_DONE, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:ho:", opts, NULL)) != -1) {
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
		case ':':
			return cli_usage(c, "export", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(c, "export", "unknown option '%s'", argv[optind - 1]);
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
	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_selected(c, set->vgs[i]))
			shown++;
	if (shown == 0) {
		if (oo.want_generation)
			cli_err(c, "no intact generation %llu%s%s in the images given (mlvm history lists them)",
				(unsigned long long)oo.generation, c->vg ? " of vg " : "", c->vg ? c->vg : "");
		else if (c->vg)
			cli_err(c, "no volume group named %s in the images given", c->vg);
		else
			cli_err(c, "no volume group found in the images given");
		status = EXIT_FAILED;
		goto done;
	}
	status = cli_lookup_lv(c, set, lvspec, &vg, &lv);
	if (status != EXIT_DONE)
		goto done;

	rc = mlvm_lv_reader_new(vg, lv, &ro, &rd, &set->report);
	if (rc) {
		seg_types(lv, types, sizeof(types));
		if (rc == -ENOTSUP)
			cli_err(c, "cannot export lv %s of vg %s: its segment type (%s) cannot be mapped",
				lv->name, vg->name, types);
		else if (rc == -ELOOP)
			cli_err(c, "cannot export lv %s of vg %s: its LVs refer to each other in a cycle or nest too deep",
				lv->name, vg->name);
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

	rc = copy_lv(c, rd, &o, hex, &written);
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
		json_string(&j, "sha256", hex);
		json_bool(&j, "sparse", o.sparse);
		json_begin_array(&j, "missing_ranges");
		for (i = 0; i < n_miss; i++) {
			json_begin_array_inline(&j, NULL);
			json_uint(&j, NULL, miss[i].start);
			json_uint(&j, NULL, miss[i].len);
			json_end_array(&j);
		}
		json_end_array(&j);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
		if (!cli_output_ok(c, write_failed))
			status = EXIT_FAILED;
	} else {
		fprintf(stderr, "sha256 %s  %s\n", hex, o.path);
	}
	print_missing(c, vg, lv, miss, n_miss, allow_missing);
done:
	if (o.fd >= 0 && o.fd != STDOUT_FILENO)
		close(o.fd);
	cli_print_report(c, &set->report);
	if (rd)
		mlvm_lv_reader_free(rd);
	mlvm_set_free(set);
	return status;
}
