/*
 * test_export.c - the exporter (src/export/export.c): an LV of two
 * segments on two memory PVs, 12 MiB (three chunks), exported to files in
 * a temporary directory by each path (the hash thread, the writing
 * thread, a stream written by the caller's thread, sparse) and compared
 * byte for byte with the PV slices the metadata names; progress calls,
 * cancellation by the callback and by the flag, a missing PV (zeros,
 * listed, not an error), a write error said once whichever thread writes,
 * the output rules (never overwrite, never an input, a partial file
 * removed), and buffers lent to PVs that take them (as qcow2 images do):
 * read in place, always taken back.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "export/export.h"
#include "base/sha256.h"
#include "base/util.h"
#include "io/source.h"
#include "model/vg.h"

#define MIB (1024u * 1024u)
/* not a flag of the exporter's: run() then says the file is a stream, whose
 * writes stay on the caller's thread */
#define MLVM_EXPORT_STREAM_TEST (1u << 30)
#define EB MIB			/* extent_size 2048 sectors */
#define PE_START_B MIB
#define PE_COUNT 8u
#define PV_BYTES (PE_START_B + PE_COUNT * EB)
#define LV_BYTES (12u * MIB)	/* 6 extents on pv0 from PE 1, 6 on pv1 from PE 2 */

struct fx {
	struct mlvm_vg *vg;
	struct mlvm_report r;
	uint8_t *img[2];
	struct mlvm_source *src[2];
	struct mlvm_lv_reader *rd;
	uint8_t *want;		/* the LV's bytes, from the layout */
	char dir[64], out[96];
};

/*
 * A PV that takes lent buffers (mlvm_source_willneed_into), as a qcow2
 * image does: memory that records the ranges lent to it (never one lent
 * twice at once), counts the reads into the very place lent for them,
 * takes the ranges back on mlvm_source_forget, and fails reads from
 * fail_at on (UINT64_MAX: never).
 */
#define MAX_LENT 16
struct lender {
	const uint8_t *img;
	uint64_t fail_at;
	struct {
		const uint8_t *buf;
		uint64_t off, len;
	} lent[MAX_LENT];
	unsigned n, lends, in_place;
};

static int lender_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct lender *l = s->priv;
	unsigned i;

	if (off + len > l->fail_at)
		return -EIO;
	for (i = 0; i < l->n; i++)
		if (off >= l->lent[i].off && off + len <= l->lent[i].off + l->lent[i].len &&
		    (const uint8_t *)buf == l->lent[i].buf + (off - l->lent[i].off))
			l->in_place++;
	memcpy(buf, l->img + off, len);
	return 0;
}

static void lender_willneed_into(struct mlvm_source *s, void *buf, uint64_t off, uint64_t len)
{
	struct lender *l = s->priv;
	const uint8_t *b = buf;
	unsigned i;

	for (i = 0; i < l->n; i++)
		assert_false(b < l->lent[i].buf + l->lent[i].len && l->lent[i].buf < b + len);
	assert_true(l->n < MAX_LENT);
	l->lent[l->n].buf = b;
	l->lent[l->n].off = off;
	l->lent[l->n].len = len;
	l->n++;
	l->lends++;
}

static void lender_forget(struct mlvm_source *s, const void *buf, size_t len)
{
	struct lender *l = s->priv;
	const uint8_t *b = buf;
	unsigned i = 0;

	while (i < l->n)
		if (l->lent[i].buf >= b && l->lent[i].buf < b + len)
			l->lent[i] = l->lent[--l->n];
		else
			i++;
}

static int lender_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	(void)s, (void)buf, (void)len, (void)off;
	return -EROFS;
}

static int lender_sync(struct mlvm_source *s)
{
	(void)s;
	return 0;
}

static void lender_close(struct mlvm_source *s)
{
	free(s->priv);
}

static const struct mlvm_source_ops lender_ops = {
	.pread = lender_pread,
	.pwrite = lender_pwrite,
	.sync = lender_sync,
	.close = lender_close,
	.willneed_into = lender_willneed_into,
	.forget = lender_forget,
};

static struct mlvm_source *lender_new(const char *name, const uint8_t *img, size_t size)
{
	struct mlvm_source *s = calloc(1, sizeof(*s));
	struct lender *l = calloc(1, sizeof(*l));

	assert_non_null(s);
	assert_non_null(l);
	l->img = img;
	l->fail_at = UINT64_MAX;
	s->name = strdup(name);
	assert_non_null(s->name);
	s->size = size;
	s->ops = &lender_ops;
	s->priv = l;
	return s;
}

/* fx_open's PVs: lenders (else memory) */
static bool fx_lenders;

static uint8_t pat(unsigned pv, uint64_t o)
{
	return (uint8_t)(o * 13 + (o >> 8) * 7 + (o >> 12) * 31 + pv * 0x55 + 1);
}

static void fx_open(struct fx *f, bool pv1_missing)
{
	struct mlvm_buf t = { 0 };
	const struct mlvm_lv *lv;
	unsigned i;

	memset(f, 0, sizeof(*f));
	mlvm_report_init(&f->r);
	assert_int_equal(mlvm_buf_printf(&t,
		"vg0 {\nid = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\nseqno = 1\n"
		"format = \"lvm2\"\nstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
		"extent_size = %u\nmax_lv = 0\nmax_pv = 0\nphysical_volumes {\n"
		"pv0 {\nid = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBB0\"\nstatus = [\"ALLOCATABLE\"]\n"
		"dev_size = %u\npe_start = %u\npe_count = %u\n}\n"
		"pv1 {\nid = \"BBBBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBBB1\"\nstatus = [\"ALLOCATABLE\"]\n"
		"dev_size = %u\npe_start = %u\npe_count = %u\n}\n}\n"
		"logical_volumes {\nlv {\nid = \"abcdef-0123-4567-89ab-cdef-0123-456789\"\n"
		"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 2\n"
		"segment1 {\nstart_extent = 0\nextent_count = 6\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv0\", 1]\n}\n"
		"segment2 {\nstart_extent = 6\nextent_count = 6\ntype = \"striped\"\n"
		"stripe_count = 1\nstripes = [\"pv1\", 2]\n}\n}\n}\n}\n"
		"contents = \"Text Format Volume Group\"\nversion = 1\n",
		EB / 512, PV_BYTES / 512, PE_START_B / 512, PE_COUNT,
		PV_BYTES / 512, PE_START_B / 512, PE_COUNT), 0);
	/* the text is the call's */
	assert_int_equal(mlvm_vg_from_text(t.data, t.len, &f->vg, &f->r, NULL, -1), 0);
	for (i = 0; i < 2; i++) {
		char name[8];
		struct mlvm_pv *pv;
		uint64_t o;

		/* page-aligned, as a caller's buffer may well be; the
		 * exporter only reads it (checked after each export) */
		f->img[i] = aligned_alloc(4096, PV_BYTES);
		assert_non_null(f->img[i]);
		for (o = 0; o < PV_BYTES; o++)
			f->img[i][o] = pat(i, o);
		snprintf(name, sizeof(name), "pv%u", i);
		f->src[i] = fx_lenders ? lender_new(name, f->img[i], PV_BYTES) :
					 mlvm_source_memory(name, f->img[i], PV_BYTES, 0);
		assert_non_null(f->src[i]);
		pv = &f->vg->pvs[mlvm_vg_pv_index(f->vg, name)];
		pv->offset = 0;
		pv->missing = i == 1 && pv1_missing;
		pv->src = pv->missing ? NULL : f->src[i];
	}
	/* a zero extent in the middle (LV bytes 3-4 MiB) for the sparse path */
	memset(f->img[0] + PE_START_B + 3 * EB, 0, EB);
	f->want = malloc(LV_BYTES);
	assert_non_null(f->want);
	memcpy(f->want, f->img[0] + PE_START_B + 1 * EB, 6 * EB);
	if (pv1_missing)
		memset(f->want + 6 * EB, 0, 6 * EB);
	else
		memcpy(f->want + 6 * EB, f->img[1] + PE_START_B + 2 * EB, 6 * EB);
	lv = mlvm_vg_find_lv(f->vg, "lv");
	assert_non_null(lv);
	assert_int_equal(mlvm_lv_reader_new(f->vg, lv, NULL, &f->rd, &f->r), 0);
	assert_int_equal(mlvm_lv_reader_size(f->rd), LV_BYTES);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_export.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->out, sizeof(f->out), "%s/out.img", f->dir);
}

static void fx_close(struct fx *f)
{
	unsigned i;

	unlink(f->out);
	rmdir(f->dir);
	mlvm_lv_reader_free(f->rd);
	for (i = 0; i < 2; i++) {
		mlvm_source_close(f->src[i]);
		free(f->img[i]);
	}
	free(f->want);
	mlvm_vg_free(f->vg);
	mlvm_report_free(&f->r);
}

/* what the callbacks saw */
struct seen {
	unsigned progress_calls;
	uint64_t last_done, last_total;
	bool rising;
	unsigned stop_after;	/* progress returns nonzero at this call (0: never) */
	unsigned wait_us;	/* progress waits this long before it answers */
	unsigned errors;
	int error_rc;
	char error[1024];
};

static int on_progress(void *ud, uint64_t done, uint64_t total)
{
	struct seen *s = ud;

	if (s->wait_us)
		usleep(s->wait_us);
	if (done <= s->last_done)
		s->rising = false;
	s->last_done = done;
	s->last_total = total;
	s->progress_calls++;
	return s->stop_after && s->progress_calls >= s->stop_after;
}

static void on_error(void *ud, int rc, const char *message)
{
	struct seen *s = ud;

	s->errors++;
	s->error_rc = rc;
	snprintf(s->error, sizeof(s->error), "%s", message);
}

static void file_equals(const char *path, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_non_null(got);
	assert_true(fd >= 0);
	n = read(fd, got, len + 1);
	close(fd);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void sha_of(const uint8_t *p, size_t len, char hex[65])
{
	struct mlvm_sha256 *h = mlvm_sha256_new();

	assert_non_null(h);
	assert_int_equal(mlvm_sha256_update(h, p, len), 0);
	assert_int_equal(mlvm_sha256_final(h, hex), 0);
	mlvm_sha256_free(h);
}

/* export f's LV to f->out with flags; the callbacks' record in s */
static int run(struct fx *f, unsigned flags, struct seen *s, struct mlvm_export_result *res,
	       struct mlvm_export_out *o, const volatile sig_atomic_t *cancel)
{
	struct mlvm_export_cb cb = { .progress = on_progress, .error = on_error,
				     .cancel = cancel, .ud = s };

	s->rising = true;
	assert_int_equal(mlvm_export_out_open(o, f->out, 0, NULL, 0, LV_BYTES), 0);
	assert_true(o->created);
	assert_int_equal(o->kind, MLVM_EXPORT_FILE);
	if (flags & MLVM_EXPORT_STREAM_TEST)
		o->kind = MLVM_EXPORT_STREAM;
	return mlvm_export_run(f->rd, o, flags & ~MLVM_EXPORT_STREAM_TEST, &cb, res);
}

static void each_path_writes_the_lv_bytes_and_hashes_them(void **state)
{
	static const unsigned flags[] = {
		MLVM_EXPORT_SHA256,			/* the hash thread */
		0,					/* the writing thread */
		MLVM_EXPORT_SPARSE,			/* writing, holes for zero blocks */
		MLVM_EXPORT_SPARSE | MLVM_EXPORT_SHA256 | MLVM_EXPORT_SYNC,
		MLVM_EXPORT_STREAM_TEST,		/* as a stream: the caller's thread */
	};
	char want_hex[65];
	struct fx f;
	size_t i;

	(void)state;
	fx_open(&f, false);
	sha_of(f.want, LV_BYTES, want_hex);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct mlvm_export_result res;
		struct mlvm_export_out o;
		struct seen s = { 0 };
		struct stat st;

		assert_int_equal(run(&f, flags[i], &s, &res, &o, NULL), 0);
		assert_int_equal(mlvm_export_out_close(&o, true), 0);
		assert_false(o.removed);
		file_equals(f.out, f.want, LV_BYTES);
		assert_int_equal(res.written, LV_BYTES);
		if (flags[i] & MLVM_EXPORT_SHA256)
			assert_string_equal(res.sha256, want_hex);
		else
			assert_string_equal(res.sha256, "");
		/* one call per chunk, rising, the last at the end */
		assert_int_equal(s.progress_calls, LV_BYTES / MLVM_EXPORT_CHUNK);
		assert_true(s.rising);
		assert_int_equal(s.last_done, LV_BYTES);
		assert_int_equal(s.last_total, LV_BYTES);
		assert_int_equal(s.errors, 0);
		assert_int_equal(stat(f.out, &st), 0);
		assert_int_equal(st.st_size, LV_BYTES);
		assert_int_equal(unlink(f.out), 0);
		/* the sources' own bytes are untouched */
		assert_memory_equal(f.img[0] + PE_START_B + 1 * EB, f.want, 6 * EB);
		assert_memory_equal(f.img[1] + PE_START_B + 2 * EB, f.want + 6 * EB, 6 * EB);
	}
	fx_close(&f);
}

static void progress_returning_stop_cancels_after_that_chunk(void **state)
{
	struct mlvm_export_result res;
	struct mlvm_export_out o;
	struct seen s = { .stop_after = 1 };
	struct fx f;

	(void)state;
	fx_open(&f, false);
	assert_int_equal(run(&f, MLVM_EXPORT_SHA256, &s, &res, &o, NULL), -ECANCELED);
	assert_int_equal(s.progress_calls, 1);
	assert_int_equal(res.written, MLVM_EXPORT_CHUNK);
	assert_string_equal(res.sha256, "");
	assert_int_equal(s.errors, 0);		/* a cancellation is not an error */
	/* not kept: the partial file this out created goes */
	assert_int_equal(mlvm_export_out_close(&o, false), 0);
	assert_true(o.removed);
	assert_int_equal(access(f.out, F_OK), -1);
	fx_close(&f);
}

/*
 * The writing thread: progress still comes once per chunk written, from
 * this thread, and stopping leaves in the file what res->written says. The
 * chunks the thread had in hand when the callback said stop may have gone
 * out too (on a loaded machine all of them: CI saw it), so written is any
 * whole number of chunks from the first on, never less than the progress
 * said and never more than the file holds. Run with the callback quick and
 * slow, several times, so that both orders come up.
 */
static void progress_stop_while_the_thread_writes(void **state)
{
	static const unsigned waits[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1000, 20000 };
	struct fx f;
	size_t i;

	(void)state;
	fx_open(&f, false);
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		struct mlvm_export_result res;
		struct mlvm_export_out o;
		struct seen s = { .stop_after = 1, .wait_us = waits[i] };
		struct stat st;

		assert_int_equal(run(&f, 0, &s, &res, &o, NULL), -ECANCELED);
		assert_int_equal(s.progress_calls, 1);
		assert_int_equal(s.last_done, MLVM_EXPORT_CHUNK);
		assert_int_equal(s.errors, 0);
		assert_true(res.written >= MLVM_EXPORT_CHUNK && res.written <= LV_BYTES);
		assert_int_equal(res.written % MLVM_EXPORT_CHUNK, 0);
		assert_string_equal(res.sha256, "");
		assert_int_equal(mlvm_export_out_close(&o, true), 0);
		assert_int_equal(stat(f.out, &st), 0);
		assert_int_equal((uint64_t)st.st_size, res.written);
		file_equals(f.out, f.want, (size_t)res.written);
		assert_int_equal(unlink(f.out), 0);
	}
	fx_close(&f);
}

static void cancel_flag_stops_before_the_next_chunk(void **state)
{
	static volatile sig_atomic_t flag;
	struct mlvm_export_result res;
	struct mlvm_export_out o;
	struct seen s = { 0 };
	struct fx f;

	(void)state;
	fx_open(&f, false);
	flag = 1;		/* as a signal handler would set it */
	assert_int_equal(run(&f, 0, &s, &res, &o, &flag), -ECANCELED);
	assert_int_equal(s.progress_calls, 0);
	assert_int_equal(res.written, 0);
	assert_int_equal(mlvm_export_out_close(&o, false), 0);
	assert_true(o.removed);
	flag = 0;		/* cleared: the same flag lets an export run */
	assert_int_equal(run(&f, 0, &s, &res, &o, &flag), 0);
	assert_int_equal(mlvm_export_out_close(&o, true), 0);
	file_equals(f.out, f.want, LV_BYTES);
	fx_close(&f);
}

static void missing_pv_is_written_as_zeros_and_listed_not_an_error(void **state)
{
	struct mlvm_export_result res;
	struct mlvm_export_out o;
	const struct mlvm_range *m;
	struct seen s = { 0 };
	struct fx f;
	size_t n;

	(void)state;
	fx_open(&f, true);
	assert_int_equal(run(&f, MLVM_EXPORT_SHA256, &s, &res, &o, NULL), 0);
	assert_int_equal(mlvm_export_out_close(&o, true), 0);
	file_equals(f.out, f.want, LV_BYTES);
	m = mlvm_lv_reader_missing(f.rd, &n);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].start, 6 * EB);
	assert_int_equal(m[0].len, 6 * EB);
	assert_int_equal(s.errors, 0);
	fx_close(&f);
}

static void write_error_is_said_once(void **state)
{
	struct mlvm_export_cb cb;
	struct mlvm_export_result res;
	struct mlvm_export_out o;
	struct seen s = { 0 };
	struct fx f;
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	if (fd < 0)
		skip();
	fx_open(&f, false);
	cb = (struct mlvm_export_cb){ .progress = on_progress, .error = on_error, .ud = &s };
	assert_int_equal(mlvm_export_out_fd(&o, fd, "/dev/full"), 0);
	assert_int_equal(o.kind, MLVM_EXPORT_STREAM);
	/* holes need a regular file */
	assert_int_equal(mlvm_export_run(f.rd, &o, MLVM_EXPORT_SPARSE, &cb, &res), -EINVAL);
	assert_int_equal(mlvm_export_run(f.rd, &o, MLVM_EXPORT_SHA256, &cb, &res), -ENOSPC);
	assert_int_equal(s.errors, 1);
	assert_int_equal(s.error_rc, -ENOSPC);
	assert_non_null(strstr(s.error, "cannot write /dev/full"));
	assert_int_equal(res.written, 0);
	assert_int_equal(mlvm_export_out_close(&o, false), 0);	/* not ours: left open */
	assert_false(o.removed);
	assert_int_equal(close(fd), 0);
	fx_close(&f);
}

/*
 * A regular file that cannot grow past 6 MiB (RLIMIT_FSIZE: EFBIG): the
 * second chunk fails, on whichever thread writes it, said once from this
 * thread, and written counts the first chunk only.
 */
static void file_write_error_is_said_once_by_any_path(void **state)
{
	static const unsigned flags[] = { 0, MLVM_EXPORT_SPARSE, MLVM_EXPORT_SHA256,
					  MLVM_EXPORT_STREAM_TEST };
	struct rlimit old, lim;
	void (*was)(int);
	struct fx f;
	size_t i;

	(void)state;
	fx_open(&f, false);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	was = signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct mlvm_export_result res;
		struct mlvm_export_out o;
		struct seen s = { 0 };

		lim = old;
		lim.rlim_cur = 6 * MIB;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		assert_int_equal(run(&f, flags[i], &s, &res, &o, NULL), -EFBIG);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		assert_int_equal(s.errors, 1);
		assert_int_equal(s.error_rc, -EFBIG);
		assert_non_null(strstr(s.error, "cannot write "));
		assert_non_null(strstr(s.error, f.out));
		assert_int_equal(res.written, MLVM_EXPORT_CHUNK);
		assert_string_equal(res.sha256, "");
		assert_int_equal(mlvm_export_out_close(&o, false), 0);
		assert_true(o.removed);
	}
	signal(SIGXFSZ, was);
	fx_close(&f);
}

/*
 * PVs that take lent buffers: the exporter lends the buffers of the chunks
 * it announces (with the hash or the writing thread, not as a stream),
 * each chunk's read lands in the place lent for it, and everything lent is
 * taken back by the time the export returns, whether it succeeded, was
 * cancelled, or failed to read.
 */
static void lent_buffers_are_read_in_place_and_always_taken_back(void **state)
{
	static const unsigned flags[] = { MLVM_EXPORT_SHA256, 0,
					  MLVM_EXPORT_SPARSE | MLVM_EXPORT_SHA256,
					  MLVM_EXPORT_STREAM_TEST };
	struct lender *l[2];
	struct fx f;
	size_t i;

	(void)state;
	fx_lenders = true;
	fx_open(&f, false);
	fx_lenders = false;
	l[0] = f.src[0]->priv;
	l[1] = f.src[1]->priv;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		bool lends = !(flags[i] & MLVM_EXPORT_STREAM_TEST);
		struct mlvm_export_result res;
		struct mlvm_export_out o;
		struct seen s = { 0 };

		l[0]->lends = l[1]->lends = l[0]->in_place = l[1]->in_place = 0;
		assert_int_equal(run(&f, flags[i], &s, &res, &o, NULL), 0);
		assert_int_equal(mlvm_export_out_close(&o, true), 0);
		file_equals(f.out, f.want, LV_BYTES);
		assert_int_equal(unlink(f.out), 0);
		assert_int_equal(l[0]->n + l[1]->n, 0);
		/* chunks 1 and 2 announced, lent in three runs (chunk 1 lies
		 * on both PVs), each read in its place */
		assert_int_equal(l[0]->lends + l[1]->lends, lends ? 3 : 0);
		assert_int_equal(l[0]->in_place + l[1]->in_place, lends ? 3 : 0);
	}
	/* cancelled after the first chunk, chunks 1 and 2 lent */
	{
		struct mlvm_export_result res;
		struct mlvm_export_out o;
		struct seen s = { .stop_after = 1 };

		assert_int_equal(run(&f, MLVM_EXPORT_SHA256, &s, &res, &o, NULL), -ECANCELED);
		assert_int_equal(mlvm_export_out_close(&o, false), 0);
		assert_int_equal(l[0]->n + l[1]->n, 0);
	}
	/* a read of chunk 1 fails on pv1 (LV byte 6 MiB on): chunk 2, lent,
	 * is never read, and taken back all the same */
	{
		struct mlvm_export_result res;
		struct mlvm_export_out o;
		struct seen s = { 0 };

		l[1]->fail_at = PE_START_B + 2 * EB;
		l[0]->lends = l[1]->lends = 0;
		assert_int_equal(run(&f, MLVM_EXPORT_SHA256, &s, &res, &o, NULL), -EIO);
		assert_int_equal(mlvm_export_out_close(&o, false), 0);
		assert_int_equal(s.errors, 1);
		assert_int_equal(l[0]->lends + l[1]->lends, 3);
		assert_int_equal(l[0]->n + l[1]->n, 0);
		l[1]->fail_at = UINT64_MAX;
	}
	fx_close(&f);
}

static void output_never_overwrites_and_never_an_input(void **state)
{
	struct mlvm_export_out o;
	const char *inputs[1];
	char other[128];
	struct fx f;
	int fd;

	(void)state;
	fx_open(&f, false);
	fd = open(f.out, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	assert_int_equal(mlvm_export_out_open(&o, f.out, 0, NULL, 0, LV_BYTES), -EEXIST);
	assert_int_equal(o.fd, -1);
	/* the same file under another name is an input, even with OVERWRITE */
	snprintf(other, sizeof(other), "%s/link.img", f.dir);
	assert_int_equal(link(f.out, other), 0);
	inputs[0] = other;
	assert_int_equal(mlvm_export_out_open(&o, f.out, MLVM_EXPORT_OVERWRITE, inputs, 1, LV_BYTES),
			 -EXDEV);
	assert_int_equal(unlink(other), 0);
	/* overwritten on request: truncated, not created, so never removed */
	assert_int_equal(mlvm_export_out_open(&o, f.out, MLVM_EXPORT_OVERWRITE, NULL, 0, LV_BYTES), 0);
	assert_false(o.created);
	assert_int_equal(mlvm_export_out_close(&o, false), 0);
	assert_false(o.removed);
	assert_int_equal(access(f.out, F_OK), 0);
	assert_int_equal(mlvm_export_out_close(&o, false), 0);	/* closed already: nothing */
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_path_writes_the_lv_bytes_and_hashes_them),
		cmocka_unit_test(progress_returning_stop_cancels_after_that_chunk),
		cmocka_unit_test(progress_stop_while_the_thread_writes),
		cmocka_unit_test(cancel_flag_stops_before_the_next_chunk),
		cmocka_unit_test(missing_pv_is_written_as_zeros_and_listed_not_an_error),
		cmocka_unit_test(write_error_is_said_once),
		cmocka_unit_test(file_write_error_is_said_once_by_any_path),
		cmocka_unit_test(lent_buffers_are_read_in_place_and_always_taken_back),
		cmocka_unit_test(output_never_overwrites_and_never_an_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
