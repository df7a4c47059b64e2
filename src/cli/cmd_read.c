/*
 * cmd_read.c - mlvm read: the VG(s) as the original key/value table, or the
 * full model as JSON (doc/interface.md).
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "map/content.h"
#include "base/units.h"
#include "base/util.h"
#include "io/source.h"

static const char read_help[] =
	"Usage: mlvm read [--generation SEQNO] [--units UNIT] [--verbose] [--json] [--strict]\n"
	"                 [--vg VG] IMAGE...\n"
	"\n"
	"Print the volume group(s) held by the images: VG, PVs, every LV (hidden\n"
	"sub-LVs too) with its segments and their areas, and the free extents.\n"
	"Without --json: the key/value table of the original mlvm quickstart,\n"
	"extended with seqno, sizes, segment types and areas.\n"
	"Sizes in the table carry their unit: by default the count LVM2 records\n"
	"(sectors of 512 bytes, bytes or extents) and the size in binary units\n"
	"(\"8192 sectors, 4.00 MiB\"). --units UNIT shows them in one unit, as\n"
	"lvm2's reports do: b bytes, s sectors, k m g t KiB to TiB, K M G T kB to TB\n"
	"(powers of 1000), h (the default) or H (the count and a size in powers of\n"
	"1000). The VG's creation time (UTC), host and description and each LV's\n"
	"creation time and host are rows of their own. Long free text (the\n"
	"description, the content) is cut to 60 characters with \"...\";\n"
	"-v, --verbose shows it in full.\n"
	"With --json: the full model (see mlvm(1) and interface.md); sizes there\n"
	"stay plain numbers in the units interface.md gives.\n"
	"--generation SEQNO shows the VG as that generation of its metadata (as\n"
	"listed by mlvm history) describes it, removed LVs included.\n"
	"Damage is reported on stderr (or under \"warnings\" with --json).\n"
	"Each visible LV's content is named from its first bytes (libmagic:\n"
	"\"ext4 filesystem\", \"LUKS encrypted file\"...; \"zeros\" when blank) when\n"
	"the VGs shown hold at most 256 visible LVs; --content names it however many\n"
	"there are, --no-content never.\n"
	"Exit status: 0 done, 1 no volume group found, 2 usage error.\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may come before or after the images; -- ends them.\n";

/* name what each visible LV holds (libmagic), see read_help */
#define CONTENT_AUTO_MAX 256
static bool content_on;

/* from this many LVs, their rows or JSON are made on two threads, in
 * blocks of LV_BLOCK LVs where they are written in turn */
#define LV_PARALLEL_MIN 2048
#define LV_BLOCK 256

/* the alignment of lv_blocks' writers (a cache line, or two that the CPU
 * fetches together): the two threads write their own all the time, and
 * with writer[0]'s last fields on the line of writer[1]'s first, that
 * line went back and forth between the cores at every value (perf: a
 * fifth of a 100,000-LV read --json in json.c's prefix) */
#define WRITER_ALIGN 128

static bool lv_content(const struct mlvm_vg *vg, const struct mlvm_lv *lv, char *s, size_t len)
{
	return content_on && lv->visible && mlvm_vg_lv_content(vg, lv, s, len) == 0;
}

/* are vg's LVs made on two threads (lv_blocks)? Not while naming their
 * content (content_on): that reads the images */
static bool lv_parallel(const struct mlvm_vg *vg)
{
	return vg->n_lvs >= LV_PARALLEL_MIN && !content_on && mlvm_io_threads(2) >= 2;
}

/*
 * The LVs of a large VG made on two threads, the JSON's and the table's:
 * blocks of LV_BLOCK LVs, the even ones by this thread into writer[0], the
 * odd ones by another into writer[1]. make() makes LVs [from, to) in a
 * writer; write(), when there is one, then adds what the writer holds to
 * the output in block order (its turn: no other writes), so the bytes are
 * those one thread makes; false from it marks the run failed.
 */
struct lv_blocks {
	const struct mlvm_vg *vg;
	void (*make)(void *w, const struct mlvm_vg *vg, uint32_t from, uint32_t to);
	bool (*write)(void *w);
	void *writer[2];
	uint32_t n_blocks;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint32_t turn;			/* the block whose bytes go next */
	bool failed;
};

/* blocks first, first + step, ... of b, into writer[first] */
static void lv_blocks_run(struct lv_blocks *b, uint32_t first, uint32_t step)
{
	void *w = b->writer[first];
	uint32_t k;

	for (k = first; k < b->n_blocks; k += step) {
		uint32_t from = k * LV_BLOCK;
		uint32_t to = b->vg->n_lvs - from > LV_BLOCK ? from + LV_BLOCK : b->vg->n_lvs;
		bool ok;

		b->make(w, b->vg, from, to);
		if (!b->write)
			continue;
		pthread_mutex_lock(&b->mu);
		while (b->turn != k)
			pthread_cond_wait(&b->cv, &b->mu);
		pthread_mutex_unlock(&b->mu);
		ok = b->write(w);
		pthread_mutex_lock(&b->mu);
		b->failed |= !ok;
		b->turn++;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
	}
}

static void *lv_blocks_odd(void *arg)
{
	lv_blocks_run(arg, 1, 2);
	return NULL;
}

/* every block of b, on two threads (this one alone when none starts) */
static void lv_blocks(struct lv_blocks *b)
{
	pthread_t th;

	b->n_blocks = (b->vg->n_lvs + LV_BLOCK - 1) / LV_BLOCK;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (mlvm_thread_create(&th, lv_blocks_odd, b) == 0) {
		lv_blocks_run(b, 0, 2);
		pthread_join(th, NULL);
	} else {
		lv_blocks_run(b, 0, 1);
	}
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

/* ------------------------------------------------------------ table */

/* TABLE_KEEP: the rows live in one buffer, "key\0value\0" after each
 * other (no allocation per row: a VG of 10,000 LVs has some 300,000
 * rows). TABLE_MEASURE writes each value at buf + 0 and drops it;
 * TABLE_PRINT makes each row's line in out, keeping nothing in buf */
struct row_at {
	size_t off;		/* the row's key: an offset in buf */
	uint32_t kl, vl;	/* the lengths of its key and value */
};

struct table {
	char *buf;
	size_t len, bcap;
	size_t mapped;		/* buf[0 .. mapped) prefaulted (mlvm_prefault) */
	struct row_at *at;
	size_t n, cap;
	size_t kw, vw;
	bool full;		/* --verbose: long text in full */
	char units;		/* --units: 'h' (default), 'H', 'b', 's', 'k'...'t', 'K'...'T' */
	bool oom;		/* a row was lost: out of memory */
	bool wider;		/* TABLE_PRINT: a row wider than measured (a bug) */
	enum { TABLE_KEEP, TABLE_MEASURE, TABLE_PRINT } mode;	/* see vg_table */
	/* TABLE_PRINT: each row's line is made in out, cells of widths pkw
	 * and pvw, its value written in place (row_val); out is written to f
	 * when full, or grows when f is NULL. line_at: where the row's line
	 * began (a row wider than measured is taken back to it) */
	struct mlvm_buf out;
	size_t pkw, pvw, line_max, line_at;
	FILE *f;
};

/* bytes kept free after the rows and after a line (see put_cell) */
#define CELL_SLACK 32

/* a cell's spaces from o[n] to o[w), 16 bytes at a time: up to 15 bytes
 * past o[w] are written too (the caller's '|' goes there, and the line has
 * CELL_SLACK bytes after it) */
static inline void pad_cell(char *o, size_t n, size_t w)
{
	static const char spaces[16] = "                ";
	size_t i;

	for (i = n; i < w; i += 16)
		memcpy(o + i, spaces, 16);
}

/* free text longer than this is cut in the table (not with --verbose) */
#define TEXT_MAX 60

static bool table_room(struct table *t, size_t more)
{
	size_t cap;
	char *b;

	more += CELL_SLACK;	/* table_print reads up to 15 bytes past a row */
	if (t->bcap - t->len >= more)
		return true;
	cap = t->bcap ? t->bcap : 1 << 16;
	while (cap - t->len < more)
		cap *= 2;
	b = realloc(t->buf, cap);
	if (!b)
		return false;
	t->buf = b;
	t->bcap = cap;
	return true;
}

static void row(struct table *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void row_end(struct table *t, size_t vl);
static bool row_begin(struct table *t, const char *key, size_t more);

/* where a row begun with row_begin takes its value: in place in its line
 * (TABLE_PRINT), after its key in buf (TABLE_KEEP), at buf + 0 (dropped:
 * TABLE_MEASURE) */
static inline char *row_val(struct table *t)
{
	return t->mode == TABLE_PRINT ? t->out.data + t->out.len : t->buf + t->len;
}

/* the bytes there (row_begin's more at least, and CELL_SLACK past them) */
static inline size_t row_room(const struct table *t)
{
	return t->mode == TABLE_PRINT ? t->out.cap - t->out.len : t->bcap - t->len;
}

/* the key's cell at o: its kl bytes (read no further: it is the caller's
 * string), spaces to w 16 at a time past it, '|' */
static inline void row_key_cell(char *o, const char *key, size_t kl, size_t w)
{
	memcpy(o, key, kl);
	pad_cell(o, kl, w);
	o[w] = '|';
}

static void row(struct table *t, const char *key, const char *fmt, ...)
{
	va_list ap;
	int vl;

	if (!row_begin(t, key, 128))
		return;
	va_start(ap, fmt);
	vl = vsnprintf(row_val(t), row_room(t), fmt, ap);
	va_end(ap);
	if (vl < 0) {
		t->oom = true;
		return;
	}
	/* longer, or into the slack read or padded past a value: room, then
	 * again (both kinds of room keep CELL_SLACK after it) */
	if ((size_t)vl + 1 + CELL_SLACK > row_room(t)) {
		if (t->mode == TABLE_PRINT ? mlvm_buf_reserve(&t->out, (size_t)vl + 1 + 2 * CELL_SLACK) != 0
					   : !table_room(t, (size_t)vl + 1)) {
			t->oom = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(row_val(t), (size_t)vl + 1, fmt, ap);
		va_end(ap);
	}
	row_end(t, (size_t)vl);
}

/* TABLE_MEASURE: a row of a key of kl bytes and a value of vl, measured
 * and not written (what row_begin and row_end do to the widths) */
static void row_measure(struct table *t, size_t kl, size_t vl)
{
	if (kl > UINT32_MAX - 1 || vl > UINT32_MAX - 1) {
		t->oom = true;
		return;
	}
	if (kl > t->kw)
		t->kw = kl;
	if (vl > t->vw)
		t->vw = vl;
}

/* the start of a row: room for its key and more bytes of value, the key
 * written (not when measuring: only its length counts; when printing, as
 * its line's first cell); the value goes at row_val (row_end then).
 * false: lost */
static bool row_begin(struct table *t, const char *key, size_t more)
{
	size_t kl = strlen(key);

	if (kl > UINT32_MAX - 1 || more > UINT32_MAX - 1) {
		t->oom = true;
		return false;
	}
	if (t->mode == TABLE_PRINT) {
		if (kl >= t->pkw) {
			/* wider than measured: never (see row_end) */
			t->wider = true;
			return false;
		}
		if (t->f && t->out.len && t->out.cap - t->out.len <= t->line_max + more) {
			fwrite(t->out.data, 1, t->out.len, t->f);
			t->out.len = 0;
		}
		/* the line, the value's more bytes past its cell, and the
		 * slack row_key_cell and row_end pad into past both */
		if (mlvm_buf_reserve(&t->out, t->line_max + more)) {
			t->oom = true;
			return false;
		}
		t->line_at = t->out.len;
		row_key_cell(t->out.data + t->out.len, key, kl, t->pkw);
		t->out.len += t->pkw + 1;
		return true;
	}
	if (t->mode == TABLE_MEASURE) {
		/* the value alone, at buf + 0, and dropped by row_end */
		if (!table_room(t, more + 1)) {
			t->oom = true;
			return false;
		}
		if (kl > t->kw)
			t->kw = kl;
		return true;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct row_at *v = realloc(t->at, cap * sizeof(*v));

		if (!v) {
			t->oom = true;
			return false;
		}
		/* the new half is written row by row: map it in one call */
		mlvm_prefault(v + t->cap, (cap - t->cap) * sizeof(*v));
		t->at = v;
		t->cap = cap;
	}
	if (!table_room(t, kl + 1 + more + 1)) {
		t->oom = true;
		return false;
	}
	if (t->len + kl + 1 + more + 1 > t->mapped) {
		/* pages mapped 256 KiB ahead in one call, not faulted one by one */
		size_t to = t->len + kl + more + 2 + (256u << 10);

		if (to > t->bcap)
			to = t->bcap;
		if (to > t->mapped) {
			mlvm_prefault(t->buf + t->mapped, to - t->mapped);
			t->mapped = to;
		}
	}
	memcpy(t->buf + t->len, key, kl + 1);
	t->at[t->n] = (struct row_at){ .off = t->len, .kl = (uint32_t)kl };
	t->len += kl + 1;
	if (kl > t->kw)
		t->kw = kl;
	return true;
}

/* the end of a row begun with row_begin whose value is vl bytes */
static void row_end(struct table *t, size_t vl)
{
	if (vl > UINT32_MAX - 1) {
		t->oom = true;
		return;
	}
	if (t->mode == TABLE_MEASURE) {
		if (vl > t->vw)
			t->vw = vl;
		return;
	}
	if (t->mode == TABLE_PRINT) {
		char *o = t->out.data + t->out.len;

		if (vl >= t->pvw) {
			/* wider than measured: the rows are the same both times
			 * and lv_within's bounds are above them, so never; but a
			 * line must not run past its cells, and the table is
			 * not shown as if whole */
			t->wider = true;
			t->out.len = t->line_at;
			return;
		}
		pad_cell(o, vl, t->pvw);
		o[t->pvw] = '|';
		o[t->pvw + 1] = '\n';
		t->out.len += t->pvw + 2;
		return;
	}
	t->buf[t->len + vl] = '\0';
	t->len += vl + 1;
	t->at[t->n++].vl = (uint32_t)vl;
	if (vl > t->vw)
		t->vw = vl;
}

/* a row whose value is s as it is: row(t, key, "%s", s) without printf,
 * which 90,000 rows of a VG of 10,000 LVs spent most of their time in */
static void row_s(struct table *t, const char *key, const char *s)
{
	size_t vl = strlen(s);

	if (t->mode == TABLE_MEASURE) {
		row_measure(t, strlen(key), vl);
		return;
	}
	if (!row_begin(t, key, vl))
		return;
	memcpy(row_val(t), s, vl);
	row_end(t, vl);
}

/* a row of an unsigned number */
static void row_u(struct table *t, const char *key, unsigned long long v)
{
	if (!row_begin(t, key, MLVM_U64_DEC_MAX))
		return;
	row_end(t, mlvm_u64_dec(row_val(t), v));
}

/* the length of the strings of arr (NULL: none) joined with ", " */
static size_t join_len(const struct cfg_node *arr)
{
	const struct cfg_node *e;
	size_t vl = 0;

	if (arr)
		for (e = cfg_child(arr); e; e = cfg_next(e))
			if (cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD)
				vl += (vl ? 2 : 0) + strlen(cfg_str(e));
	return vl;
}

/* a row of the strings of an array joined with ", " (cfg_join_strings) */
static void row_join(struct table *t, const char *key, const struct cfg_node *arr)
{
	const struct cfg_node *e;
	size_t vl = join_len(arr);
	char *o;

	if (t->mode == TABLE_MEASURE) {
		row_measure(t, strlen(key), vl);
		return;
	}
	if (!row_begin(t, key, vl))
		return;
	o = row_val(t);
	vl = 0;
	if (arr)
		for (e = cfg_child(arr); e; e = cfg_next(e))
			if (cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD) {
				size_t n = strlen(cfg_str(e));

				if (vl) {
					memcpy(o + vl, ", ", 2);
					vl += 2;
				}
				memcpy(o + vl, cfg_str(e), n);
				vl += n;
			}
	row_end(t, vl);
}

/* "NAME/SUFFIX" into k (cap bytes), cut as snprintf would */
static const char *key2(char *k, size_t cap, const char *name, const char *suffix)
{
	size_t a = strlen(name), b = strlen(suffix);

	if (a > cap - 2)
		a = cap - 2;
	memcpy(k, name, a);
	k[a] = '/';
	if (b > cap - 2 - a)
		b = cap - 2 - a;
	memcpy(k + a + 1, suffix, b);
	k[a + 1 + b] = '\0';
	return k;
}

/* a row of free text: cut to TEXT_MAX with "..." unless --verbose */
static void row_text(struct table *t, const char *key, const char *text)
{
	char cut[TEXT_MAX + 8];

	row_s(t, key, t->full ? text : cli_ellipsize(text, TEXT_MAX, cut, sizeof(cut)));
}

/* bytes in one unit of --units: "4194304 bytes", "4.00 MiB", "4.19 MB" */
static void size_in(char units, uint64_t bytes, char *out, size_t len)
{
	static const char bin[] = "kmgt", si[] = "KMGT";
	static const char *const bin_name[] = { "KiB", "MiB", "GiB", "TiB" };
	static const char *const si_name[] = { "kB", "MB", "GB", "TB" };
	const char *p;
	double v = (double)bytes;
	unsigned u = 0;

	if ((p = strchr(bin, units)) && units) {
		v /= (double)(1ull << (10 * (p - bin + 1)));
		snprintf(out, len, "%.2f %s", v, bin_name[p - bin]);
	} else if ((p = strchr(si, units)) && units) {
		for (u = 0; u <= (unsigned)(p - si); u++)
			v /= 1000.0;
		snprintf(out, len, "%.2f %s", v, si_name[p - si]);
	} else if (units == 'H') {
		mlvm_human_size_si(bytes, out, len);
	} else {
		mlvm_human_size(bytes, out, len);
	}
}

/* a row "COUNT NOUN, SIZE": row(t, key, "%llu %s, %s", ...) without printf
 * (every LV has one) */
static void count_row(struct table *t, const char *key, uint64_t count, const char *noun,
		      const char *size)
{
	char digits[MLVM_U64_DEC_MAX], *o;
	size_t dl = mlvm_u64_dec(digits, count), nl = strlen(noun), sl = strlen(size);
	size_t vl = dl + 1 + nl + 2 + sl;	/* measured or written: the same */

	if (t->mode == TABLE_MEASURE) {
		row_measure(t, strlen(key), vl);
		return;
	}
	if (!row_begin(t, key, vl))
		return;
	o = row_val(t);
	memcpy(o, digits, dl);
	o[dl] = ' ';
	memcpy(o + dl + 1, noun, nl);
	memcpy(o + dl + 1 + nl, ", ", 2);
	memcpy(o + dl + 3 + nl, size, sl);
	row_end(t, vl);
}

/*
 * A size row's value, unit always shown. count is in what LVM2 records it
 * in (unit/units: "sector"/"sectors", "byte"/"bytes", "extent"/"extents"),
 * bytes the same in bytes (ok false: it overflows). h/H: "COUNT UNITS,
 * SIZE"; b: "N bytes"; s: "N sectors"; k...T: the size; an extent count
 * keeps its count first ("14 extents, 917504 bytes").
 */
static void size_row(struct table *t, const char *key, uint64_t count, const char *unit,
		     const char *units, uint64_t bytes, bool ok)
{
	char sz[64];
	bool extents = !strcmp(units, "extents");

	if (!ok) {
		row(t, key, "%llu %s (beyond 16 EiB)", (unsigned long long)count, mlvm_plural(count, unit, units));
		return;
	}
	switch (t->units) {
	case 'b':
	case 'B':
		snprintf(sz, sizeof(sz), "%llu %s", (unsigned long long)bytes, mlvm_plural(bytes, "byte", "bytes"));
		break;
	case 's':
	case 'S':
		if (bytes % MLVM_SECTOR_SIZE)
			snprintf(sz, sizeof(sz), "%llu.%03llu sectors", (unsigned long long)(bytes / MLVM_SECTOR_SIZE),
				 (unsigned long long)(bytes % MLVM_SECTOR_SIZE * 1000 / MLVM_SECTOR_SIZE));
		else
			snprintf(sz, sizeof(sz), "%llu %s", (unsigned long long)(bytes / MLVM_SECTOR_SIZE),
				 mlvm_plural(bytes / MLVM_SECTOR_SIZE, "sector", "sectors"));
		break;
	default:
		size_in(t->units, bytes, sz, sizeof(sz));
		if (t->units == 'h' || t->units == 'H' || !t->units) {
			count_row(t, key, count, mlvm_plural(count, unit, units), sz);
			return;
		}
	}
	if (extents)
		count_row(t, key, count, mlvm_plural(count, unit, units), sz);
	else
		row_s(t, key, sz);
}

static void sectors_row(struct table *t, const char *key, uint64_t sectors)
{
	uint64_t b;
	bool ok = mlvm_mul_ok(sectors, MLVM_SECTOR_SIZE, &b);

	size_row(t, key, sectors, "sector", "sectors", b, ok);
}

static void bytes_row(struct table *t, const char *key, uint64_t bytes)
{
	size_row(t, key, bytes, "byte", "bytes", bytes, true);
}

static void extents_row(struct table *t, const char *key, uint64_t extents, uint64_t bytes, bool ok)
{
	size_row(t, key, extents, "extent", "extents", bytes, ok);
}

/* a creation_time row: "2026-01-02 03:04:05 UTC" (the number when gmtime cannot show it) */
static void time_row(struct table *t, const char *key, int64_t when)
{
	char buf[40];

	if (when > 0 && cli_utc_time((uint64_t)when, false, buf, sizeof(buf))[0] &&
	    strlen(buf) + 5 <= sizeof(buf))
		row_s(t, key, strcat(buf, " UTC"));
	else if (when > 0 && buf[0])
		row(t, key, "%s UTC", buf);
	else
		row(t, key, "%lld (not a time)", (long long)when);
}

/* "KEY   |VALUE   |" lines, gathered in one output buffer of OUT_BUF bytes
 * (or two lines, the heading, when a line is longer) and written a buffer at a time:
 * stdio's per-call lock and copy were a tenth of a 90,000-line table */
#define OUT_BUF (64u << 10)

/*
 * One cell: s (n bytes) padded with spaces to w, then '|'. Copies and pads
 * 16 bytes at a time, past the cell's end: most cells are short, and a call
 * of memcpy and memset each was a tenth of the table's time. So the line
 * needs CELL_SLACK bytes beyond w + 1, and s may be read up to 15 bytes
 * past its end (table_room keeps that much after the rows).
 */
static void put_cell(char *line, size_t *at, const char *s, size_t n, size_t w)
{
	char *o = line + *at;
	size_t i;

	for (i = 0; i < n; i += 16)
		memcpy(o + i, s + i, 16);
	pad_cell(o, n, w);
	*at += n > w ? n : w;
	line[(*at)++] = '|';
}

/* the heading lines into out (room for two lines); their length */
static size_t heading(char *out, size_t kw, size_t vw)
{
	size_t at = 0;

	put_cell(out, &at, "key             ", 3, kw);
	put_cell(out, &at, "value           ", 5, vw);
	out[at++] = '\n';
	memset(out + at, '-', kw + vw + 1);
	out[at + kw] = '|';
	out[at + kw + vw + 1] = '|';
	out[at + kw + vw + 2] = '\n';
	return at + kw + vw + 3;
}

/* the cell widths of a table whose widest key and value are kw and vw */
static void widths(size_t kw, size_t vw, size_t *pkw, size_t *pvw, size_t *line_max)
{
	*pkw = (kw > 3 ? kw : 3) + 1;
	*pvw = (vw > 5 ? vw : 5) + 1;
	*line_max = *pkw + *pvw + 4 + 2 * CELL_SLACK;
}

/* TABLE_KEEP: -ENOMEM (nothing printed) when a row was lost */
static int table_print(struct table *t, FILE *f)
{
	size_t kw, vw, i, at, line_max, cap;
	char *out;

	widths(t->kw, t->vw, &kw, &vw, &line_max);
	cap = 2 * line_max > OUT_BUF ? 2 * line_max : OUT_BUF;	/* the heading: two lines */
	out = t->oom ? NULL : malloc(cap);
	if (!out)
		return -ENOMEM;
	at = heading(out, kw, vw);
	for (i = 0; i < t->n; i++) {
		const struct row_at *r = &t->at[i];
		const char *k = t->buf + r->off;

		if (cap - at < line_max) {
			fwrite(out, 1, at, f);
			at = 0;
		}
		put_cell(out, &at, k, r->kl, kw);
		put_cell(out, &at, k + r->kl + 1, r->vl, vw);
		out[at++] = '\n';
	}
	fwrite(out, 1, at, f);
	free(out);
	return 0;
}

static void table_free(struct table *t)
{
	free(t->buf);
	free(t->at);
	mlvm_buf_free(&t->out);
}

/* the number of decimal digits of v */
static size_t dec_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * A segment's row value, "KIND, extents FIRST-LAST[, on NAME:START, ...]",
 * as printf once made it, written in place at o without printf (a VG of
 * 10,000 LVs of two segments: 20,000 of them); its length. o NULL: the
 * length alone (lv_within), by the same steps.
 */
static size_t seg_value(char *o, const char *kind, const struct mlvm_segment *sg)
{
	size_t vl, n = strlen(kind);
	uint64_t last = sg->start_extent + sg->extent_count - (sg->extent_count ? 1 : 0);
	uint32_t i;

	if (o) {
		memcpy(o, kind, n);
		memcpy(o + n, ", extents ", 10);
	}
	vl = n + 10;
	vl += o ? mlvm_u64_dec(o + vl, sg->start_extent) : dec_len(sg->start_extent);
	if (o)
		o[vl] = '-';
	vl++;
	vl += o ? mlvm_u64_dec(o + vl, last) : dec_len(last);
	for (i = 0; i < sg->n_areas; i++) {
		n = strlen(sg->areas[i].name);
		if (o) {
			memcpy(o + vl, i ? ", " : ", on ", i ? 2 : 5);
			memcpy(o + vl + (i ? 2 : 5), sg->areas[i].name, n);
			o[vl + (i ? 2 : 5) + n] = ':';
		}
		vl += (i ? 2 : 5) + n + 1;
		vl += o ? mlvm_u64_dec(o + vl, sg->areas[i].start) : dec_len(sg->areas[i].start);
	}
	return vl;
}

/* a segment's row (seg_value) */
static void seg_row(struct table *t, const char *key, const char *kind,
		    const struct mlvm_segment *sg)
{
	size_t bound = strlen(kind) + 10 + 2 * MLVM_U64_DEC_MAX + 1 + 5;
	uint32_t i;

	for (i = 0; i < sg->n_areas; i++)
		bound += strlen(sg->areas[i].name) + 1 + MLVM_U64_DEC_MAX + 2;
	if (!row_begin(t, key, bound))
		return;
	row_end(t, seg_value(row_val(t), kind, sg));
}

/* "linear" for one stripe (as lvs says), the stripes and their size for more */
static void seg_kind(const struct mlvm_segment *sg, char *out, size_t len)
{
	char size[32];

	if (!sg->type) {
		snprintf(out, len, "?");
	} else if (!strcmp(sg->type, "striped") && sg->n_areas == 1) {
		/* cut to len as snprintf would, without it (gcc -O1 found the cut
		 * branch certain once lv_within inlined this: -Wformat-truncation) */
		size_t n = len > sizeof("linear") - 1 ? sizeof("linear") - 1 : len ? len - 1 : 0;

		if (len) {
			memcpy(out, "linear", n);
			out[n] = '\0';
		}
	} else if (mlvm_seg_stripe_size(sg) && sg->n_areas > 1) {
		mlvm_human_size(mlvm_seg_stripe_size(sg) * 512, size, sizeof(size));
		snprintf(out, len, "%s (%u %s of %s)", sg->type, sg->n_areas,
			 mlvm_plural(sg->n_areas, "stripe", "stripes"), size);
	} else {
		snprintf(out, len, "%s", sg->type);
	}
}

/* the historical LVs (record_lvs_history), named as lvs -H does: "-name" */
static void hlv_rows(struct table *t, const struct mlvm_vg *vg)
{
	char k[512], *s;
	uint32_t i;

	for (i = 0; i < vg->n_hlvs; i++) {
		const struct mlvm_hlv *h = &vg->hlvs[i];

#define HK(suffix) (snprintf(k, sizeof(k), "%c%s/%s", MLVM_HLV_PREFIX, h->name, suffix), k)
		row(t, HK("name"), "%c%s (historical: removed, recorded by record_lvs_history)",
		    MLVM_HLV_PREFIX, h->name);
		row(t, HK("id"), "%s", h->id ? h->id : "");
		if (h->creation_time)
			time_row(t, HK("creation_time"), h->creation_time);
		if (h->removal_time)
			time_row(t, HK("removal_time"), h->removal_time);
		if (h->origin)
			row(t, HK("origin"), "%s", h->origin);
		s = mlvm_hlv_lineage_text(vg, i, false, ", ");
		row(t, HK("ancestors"), "%s", s ? s : "(out of memory)");
		free(s);
		s = mlvm_hlv_lineage_text(vg, i, true, ", ");
		row(t, HK("descendants"), "%s", s ? s : "(out of memory)");
		free(s);
#undef HK
	}
}

/* the longest human size (mlvm_human_size): "1024.00 KiB", where
 * 1023.995 KiB rounds up, under 2^53 bytes and over (printf's %.2f of a
 * value under 1024); "1023 B" below 1 KiB */
#define HUMAN_SIZE_MAX 11

/*
 * TABLE_MEASURE: would lv's rows (lv_rows; nl its name's length, k4 its
 * picked keys) leave t's
 * widths as they are? Bounds of each row's key and value lengths, made
 * without making the rows: exact (names, ids, arrays, segments, by the
 * rows' own functions) or above them (a size, at most HUMAN_SIZE_MAX).
 * Measuring every row of a VG of 100,000 LVs, then printing it, was a
 * tenth of its table's time, and most LVs' rows are no wider than the
 * widest before them. A bound under a row's length would show in
 * TABLE_PRINT, which fails the table when a row is wider than measured
 * (row_line): never a cut cell. false when some bound is not at hand
 * (--units other than h, a time that is not a date of years 1970 to
 * 9999): the rows are measured.
 */
static bool lv_within(const struct table *t, const struct mlvm_lv *lv, size_t nl,
		      const struct cfg_node *const k4[4])
{
	const size_t host = sizeof("creation_host") - 1, seg = sizeof("segment") - 1;
	size_t kb, vb = nl, x;
	char kind[160];
	uint32_t j;

	/* keys: NAME/ then creation_host (the longest suffix) or segmentN */
	x = dec_len(lv->n_segs);
	kb = nl + 1 + (seg + x > host ? seg + x : host);
	if (kb > t->kw || content_on || (t->units && t->units != 'h'))
		return false;
#define WITHIN(n) do { size_t n_ = (n); if (n_ > vb) vb = n_; } while (0)
	WITHIN(lv->id ? strlen(lv->id) : 0);
	WITHIN(join_len(cfg_of_type(k4[0], CFG_ARRAY)));
	WITHIN(join_len(cfg_of_type(k4[1], CFG_ARRAY)));
	WITHIN(x);
	/* size: "COUNT extents, SIZE", or "COUNT extents (beyond 16 EiB)" */
	WITHIN(dec_len(lv->extent_count) + 1 + 7 + (2 + HUMAN_SIZE_MAX > 16 ? 2 + HUMAN_SIZE_MAX : 16));
	if (k4[2] && cfg_type(k4[2]) == CFG_INT) {
		/* "YYYY-MM-DD HH:MM:SS UTC" (mlvm_utc_format's years 1970 to 9999) */
		if (cfg_int(k4[2]) <= 0 || cfg_int(k4[2]) >= 253402300800ll)
			return false;
		WITHIN(23);
	}
	if (k4[3] && (cfg_type(k4[3]) == CFG_STRING || cfg_type(k4[3]) == CFG_WORD)) {
		x = strlen(cfg_str(k4[3]));
		WITHIN(t->full || x <= TEXT_MAX ? x : TEXT_MAX);	/* row_text */
	}
	for (j = 0; j < lv->n_segs && vb <= t->vw; j++) {
		seg_kind(&lv->segs[j], kind, sizeof(kind));
		WITHIN(seg_value(NULL, kind, &lv->segs[j]));
	}
#undef WITHIN
	return vb <= t->vw;
}

/* one LV's rows */
static void lv_rows(struct table *t, const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	/* the LV's keys shown here, found in one walk (cfg_pick) */
	static const char *const keys[] = { "tags", "status", "creation_time", "creation_host" };
	const struct cfg_node *n, *k4[4];
	char k[512], what[256];
	size_t nl = strlen(lv->name);
	/* "NAME/" once, each suffix after it (key2 when that would be cut) */
	bool whole = nl + 1 + sizeof("creation_host") <= sizeof(k);
	uint32_t j;

	cfg_pick(lv->node, keys, 4, k4);
	if (t->mode == TABLE_MEASURE && lv_within(t, lv, nl, k4))
		return;
	if (whole) {
		memcpy(k, lv->name, nl);
		k[nl] = '/';
	}
#define LK(suffix) (whole ? (memcpy(k + nl + 1, suffix, sizeof(suffix)), k) : \
		    key2(k, sizeof(k), lv->name, suffix))
	row_s(t, LK("name"), lv->name);
	row_s(t, LK("id"), lv->id ? lv->id : "");
	/* arrays as mlvm_node_array gives them: NULL unless an array */
	row_join(t, LK("tags"), cfg_of_type(k4[0], CFG_ARRAY));
	row_join(t, LK("status"), cfg_of_type(k4[1], CFG_ARRAY));
	row_u(t, LK("segments"), lv->n_segs);
	extents_row(t, LK("size"), lv->extent_count, mlvm_lv_size(vg, lv),
		    mlvm_lv_size(vg, lv) != UINT64_MAX);
	n = k4[2];
	if (n && cfg_type(n) == CFG_INT)
		time_row(t, LK("creation_time"), cfg_int(n));
	n = k4[3];
	if (n && (cfg_type(n) == CFG_STRING || cfg_type(n) == CFG_WORD))
		row_text(t, LK("creation_host"), cfg_str(n));
	if (lv_content(vg, lv, what, sizeof(what)))
		row_text(t, LK("content"), what);
	for (j = 0; j < lv->n_segs; j++) {
		const struct mlvm_segment *sg = &lv->segs[j];
		char sk[600], kind[160];

		if (nl + sizeof("/segment") + MLVM_U64_DEC_MAX <= sizeof(sk)) {	/* not cut */
			memcpy(sk, lv->name, nl);
			memcpy(sk + nl, "/segment", 8);
			sk[nl + 8 + mlvm_u64_dec(sk + nl + 8, (uint64_t)j + 1)] = '\0';
		} else {
			snprintf(sk, sizeof(sk), "%s/segment%u", lv->name, j + 1);
		}
		seg_kind(sg, kind, sizeof(kind));
		seg_row(t, sk, kind, sg);
	}
#undef LK
}

/* a table's rows of LVs [from, to) (lv_blocks' make): measured, or
 * printed into its out */
static void table_lvs(void *w, const struct mlvm_vg *vg, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i < to; i++)
		lv_rows(w, vg, &vg->lvs[i]);
}

/* a block's rows, measured or printed into a table of its own (for f),
 * on cache lines of its own (WRITER_ALIGN) */
struct table_block {
	_Alignas(WRITER_ALIGN) struct table t;	/* first: table_lvs takes the block as a table */
	FILE *f;
};

/* measure the LVs' rows into t, on two threads for a large VG */
static void lv_measure(struct table *t, const struct mlvm_vg *vg)
{
	struct table_block w[2];
	struct lv_blocks b = { .vg = vg, .make = table_lvs, .writer = { &w[0], &w[1] } };
	int i;

	if (!lv_parallel(vg)) {
		table_lvs(t, vg, 0, vg->n_lvs);
		return;
	}
	/* from the widths so far (the VG's rows): lv_within skips more */
	for (i = 0; i < 2; i++)
		w[i] = (struct table_block){
			.t = { .full = t->full, .units = t->units, .mode = TABLE_MEASURE,
			       .kw = t->kw, .vw = t->vw },
		};
	lv_blocks(&b);
	for (i = 0; i < 2; i++) {
		t->kw = t->kw > w[i].t.kw ? t->kw : w[i].t.kw;
		t->vw = t->vw > w[i].t.vw ? t->vw : w[i].t.vw;
		t->oom |= w[i].t.oom;
		table_free(&w[i].t);
	}
}

/* lv_blocks' write: the block's lines to f */
static bool table_block_write(void *w)
{
	struct table_block *x = w;

	fwrite(x->t.out.data, 1, x->t.out.len, x->f);
	x->t.out.len = 0;
	return !x->t.oom;
}

/* print the LVs' lines of t's widths, on two threads for a large VG */
static void lv_print(struct table *t, const struct mlvm_vg *vg)
{
	struct table_block w[2];
	struct lv_blocks b = { .vg = vg, .make = table_lvs, .write = table_block_write,
			       .writer = { &w[0], &w[1] } };
	int i;

	if (!lv_parallel(vg)) {
		table_lvs(t, vg, 0, vg->n_lvs);
		return;
	}
	fwrite(t->out.data, 1, t->out.len, t->f);	/* what came before, first */
	t->out.len = 0;
	for (i = 0; i < 2; i++)
		w[i] = (struct table_block){
			.t = { .full = t->full, .units = t->units, .mode = TABLE_PRINT,
			       .pkw = t->pkw, .pvw = t->pvw, .line_max = t->line_max },
			.f = t->f,
		};
	lv_blocks(&b);
	t->oom |= b.failed;
	t->wider |= w[0].t.wider || w[1].t.wider;
	table_free(&w[0].t);
	table_free(&w[1].t);
}

/* the VG's rows and its PVs' */
static void head_rows(struct table *t, const struct mlvm_set *set, const struct mlvm_vg *vg)
{
	char k[512], what[256], *s;
	uint32_t i, j;

	row(t, "name", "%s", vg->name);
	row(t, "id", "%s", vg->id ? vg->id : "");
	row(t, "seqno", "%llu", (unsigned long long)vg->seqno);
	s = cfg_join_strings(vg->status, ", ");
	row(t, "status", "%s", s ? s : "");
	free(s);
	s = cfg_join_strings(vg->tags, ", ");
	row(t, "tags", "%s", s ? s : "");
	free(s);
	sectors_row(t, "extent_size", vg->extent_size);
	row(t, "max_lv", "%lld", (long long)vg->max_lv);
	row(t, "max_pv", "%lld", (long long)vg->max_pv);
	if (vg->creation_time)
		time_row(t, "creation_time", vg->creation_time);
	if (vg->creation_host)
		row_text(t, "creation_host", vg->creation_host);
	if (vg->description)
		row_text(t, "description", vg->description);
	for (i = 0; i < vg->n_pvs; i++) {
		const struct mlvm_pv *pv = &vg->pvs[i];
		const struct mlvm_pvdev *d = pv->missing ? NULL : mlvm_set_pv_dev(set, pv);
		uint64_t ba;

#define PK(suffix) (snprintf(k, sizeof(k), "%s/%s", pv->name, suffix), k)
		row(t, PK("name"), "%s", pv->name);
		row(t, PK("id"), "%s", pv->id ? pv->id : "");
		row(t, PK("stored_device"), "%s", pv->device ? pv->device : "");
		row(t, PK("real_device"), "%s", pv->ambiguous ? "(ambiguous: see --pv)" :
		    pv->missing ? "(missing)" : pv->src->name);
		if (!pv->missing && pv->offset)
			bytes_row(t, PK("offset"), pv->offset);
		if (!pv->missing && pv->found_by != MLVM_PV_BY_LABEL)
			row(t, PK("found_by"), "%s", mlvm_pv_evidence_name(pv->found_by));
		for (j = 0; j < pv->n_others; j++) {
			snprintf(what, sizeof(what), "%s/%s%u", pv->name,
				 pv->ambiguous ? "candidate" : "duplicate", j + 1);
			row(t, what, "%s at byte %llu", pv->others[j]->src->name,
			    (unsigned long long)pv->others[j]->base);
		}
		s = cfg_join_strings(pv->status, ", ");
		row(t, PK("status"), "%s", s ? s : "");
		free(s);
		s = cfg_join_strings(pv->tags, ", ");
		if (s && *s)
			row(t, PK("tags"), "%s", s);
		free(s);
		sectors_row(t, PK("size_in_sectors"), pv->dev_size);
		sectors_row(t, PK("pe_start"), pv->pe_start);
		row(t, PK("pe_count"), "%llu", (unsigned long long)pv->pe_count);
		if (pv->ba_size) {
			sectors_row(t, PK("bootloader_area/start"), pv->ba_start);
			sectors_row(t, PK("bootloader_area/size"), pv->ba_size);
			if (!pv->missing && mlvm_mul_ok(pv->ba_start, MLVM_SECTOR_SIZE, &ba) &&
			    mlvm_add_ok(ba, pv->offset, &ba))
				row(t, PK("bootloader_area/offset"), "byte %llu of %s",
				    (unsigned long long)ba, pv->src->name);
		}
		if (d) {
			char uuid[39];

			mlvm_uuid_format(d->label.pv_uuid, strlen(d->label.pv_uuid), uuid);
			row(t, PK("label/id"), "%s", uuid);
			bytes_row(t, PK("label/device_size"), d->label.device_size);
			row(t, PK("label/extents"), "%u", d->label.n_data);
			row(t, PK("label/metadata_areas"), "%u", d->label.n_mda);
		}
#undef PK
	}
}

/* the historical LVs' rows and the free space */
static void tail_rows(struct table *t, const struct mlvm_vg *vg)
{
	uint64_t fb;
	bool ok = mlvm_mul_ok(vg->free_extents, vg->extent_size, &fb) &&
		  mlvm_mul_ok(fb, MLVM_SECTOR_SIZE, &fb);

	hlv_rows(t, vg);
	extents_row(t, "free_space", vg->free_extents, fb, ok);
}

/*
 * The key/value table of a VG. Its cells are as wide as its widest key and
 * value, so they are known only once every row is made. While LVs' content
 * is named (a small VG; that reads the images), the rows are kept and
 * printed at the end (TABLE_KEEP). Otherwise they are made twice, so that
 * memory does not grow with the VG: once measured and dropped
 * (TABLE_MEASURE; an LV whose rows cannot widen the cells, lv_within, is
 * not measured), once printed line by line (TABLE_PRINT), the LVs' on two
 * threads for a large VG. -ENOMEM when a row was lost (with TABLE_KEEP,
 * nothing printed; else when measuring, nothing printed); -ERANGE when a
 * row was wider than measured (never; its line is missing).
 */
static int vg_table(const struct mlvm_set *set, const struct mlvm_vg *vg, bool full, char units,
		     FILE *f)
{
	struct table t = { .full = full, .units = units, .mode = TABLE_KEEP };
	uint32_t i;
	int rc;

	if (content_on) {
		head_rows(&t, set, vg);
		for (i = 0; i < vg->n_lvs; i++)
			lv_rows(&t, vg, &vg->lvs[i]);
		tail_rows(&t, vg);
		rc = table_print(&t, f);
		table_free(&t);
		return rc;
	}
	t.mode = TABLE_MEASURE;
	head_rows(&t, set, vg);
	lv_measure(&t, vg);
	tail_rows(&t, vg);
	if (t.oom) {
		table_free(&t);
		return -ENOMEM;
	}
	t.mode = TABLE_PRINT;
	t.f = f;
	widths(t.kw, t.vw, &t.pkw, &t.pvw, &t.line_max);
	/* the heading: two lines */
	if (mlvm_buf_reserve(&t.out, 2 * t.line_max > OUT_BUF ? 2 * t.line_max : OUT_BUF)) {
		table_free(&t);
		return -ENOMEM;
	}
	t.out.len = heading(t.out.data, t.pkw, t.pvw);
	head_rows(&t, set, vg);
	lv_print(&t, vg);
	tail_rows(&t, vg);
	fwrite(t.out.data, 1, t.out.len, f);
	rc = t.oom ? -ENOMEM : t.wider ? -ERANGE : 0;
	table_free(&t);
	return rc;
}

/* ------------------------------------------------------------ JSON */

static bool seg_key_emitted(const struct mlvm_segment *s, const char *key)
{
	(void)s;
	/* "start_extent", "extent_count", "type", "stripe_size", "areas" */
	switch (key[0]) {
	case 's':
		return !strcmp(key, "start_extent") || !strcmp(key, "stripe_size");
	case 'e':
		return !strcmp(key, "extent_count");
	case 't':
		return !strcmp(key, "type");
	case 'a':
		return !strcmp(key, "areas");
	default:
		return false;
	}
}

static void json_pv_others(struct json *j, const char *key, const struct mlvm_pv *pv, bool list)
{
	uint32_t k;

	json_begin_array(j, key);
	for (k = 0; list && k < pv->n_others; k++) {
		json_begin_object(j, NULL);
		json_string(j, "image", pv->others[k]->src->name);
		json_uint(j, "offset", pv->others[k]->base);
		json_end_object(j);
	}
	json_end_array(j);
}

/* an epoch time as ISO 8601 in UTC ("2026-01-02T03:04:05Z"), null when none */
static void json_utc(struct json *j, const char *key, int64_t when)
{
	char buf[40];

	if (when > 0 && cli_utc_time((uint64_t)when, true, buf, sizeof(buf))[0])
		json_string(j, key, buf);
	else
		json_null(j, key);
}

/* a PV's bootloader area as its text records it: bytes from the PV's start,
 * and where that is in its image (null when the PV is missing); null when none */
static void json_bootloader_area(struct json *j, const struct mlvm_pv *pv)
{
	uint64_t start, size, off;

	if (!pv->ba_size || !mlvm_mul_ok(pv->ba_start, MLVM_SECTOR_SIZE, &start) ||
	    !mlvm_mul_ok(pv->ba_size, MLVM_SECTOR_SIZE, &size)) {
		json_null(j, "bootloader_area");
		return;
	}
	json_begin_object_inline(j, "bootloader_area");
	json_uint(j, "start", start);
	json_uint(j, "size", size);
	if (!pv->missing && mlvm_add_ok(start, pv->offset, &off))
		json_uint(j, "offset", off);
	else
		json_null(j, "offset");
	json_end_object(j);
}

/* the lineage of historical LV h as an array of names ("-name" when historical) */
static void json_lineage(struct json *j, const char *key, const struct mlvm_vg *vg, uint32_t h,
			 bool descendants)
{
	struct mlvm_lineage who = { h, true }, *m = NULL;
	char name[160];
	uint32_t n = 0, i;

	json_begin_array(j, key);
	if (!mlvm_lineage_walk(vg, who, descendants, &m, &n))
		for (i = 0; i < n; i++)
			json_string(j, NULL, mlvm_lineage_name(vg, m[i], name, sizeof(name)));
	free(m);
	json_end_array(j);
}

static void json_hlvs(struct json *j, const struct mlvm_vg *vg)
{
	uint32_t i;

	json_begin_array(j, "historical_lvs");
	for (i = 0; i < vg->n_hlvs; i++) {
		const struct mlvm_hlv *h = &vg->hlvs[i];

		json_begin_object(j, NULL);
		json_string(j, "name", h->name);
		json_string(j, "id", h->id);
		if (h->creation_time)
			json_int(j, "creation_time", h->creation_time);
		else
			json_null(j, "creation_time");
		json_utc(j, "creation_time_utc", h->creation_time);
		if (h->removal_time)
			json_int(j, "removal_time", h->removal_time);
		else
			json_null(j, "removal_time");
		json_utc(j, "removal_time_utc", h->removal_time);
		json_string(j, "origin", h->origin);
		json_lineage(j, "ancestors", vg, i, false);
		json_lineage(j, "descendants", vg, i, true);
		json_end_object(j);
	}
	json_end_array(j);
}

/* one LV's object */
static void json_lv(struct json *j, const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	/* the LV's keys written here, found in one walk (cfg_pick) */
	static const char *const keys[] = { "status", "flags", "tags", "creation_time", "creation_host" };
	const struct cfg_node *n, *k5[5];
	char what[256];
	uint32_t si, k;

	cfg_pick(lv->node, keys, 5, k5);
	json_begin_object(j, NULL);
	json_string(j, "name", lv->name);
	json_string(j, "id", lv->id);
	/* arrays as mlvm_node_array gives them: NULL unless an array */
	for (k = 0; k < 3; k++)
		json_cfg_strings(j, keys[k], cfg_of_type(k5[k], CFG_ARRAY));
	json_bool(j, "visible", lv->visible);
	json_uint(j, "extent_count", lv->extent_count);
	json_uint(j, "size", mlvm_lv_size(vg, lv));
	if (lv_content(vg, lv, what, sizeof(what)))
		json_string(j, "content", what);
	else
		json_null(j, "content");
	n = k5[3];
	if (n) {
		json_cfg_value(j, "creation_time", n);
		json_utc(j, "creation_time_utc", cfg_type(n) == CFG_INT ? cfg_int(n) : 0);
	}
	if (k5[4])
		json_cfg_value(j, "creation_host", k5[4]);
	json_begin_array(j, "segments");
	for (si = 0; si < lv->n_segs; si++) {
		const struct mlvm_segment *s = &lv->segs[si];

		json_begin_object(j, NULL);
		json_uint(j, "start_extent", s->start_extent);
		json_uint(j, "extent_count", s->extent_count);
		json_string(j, "type", s->type);
		n = cfg_find(s->node, "stripe_size");
		if (n)	/* mlvm_seg_stripe_size, without a second walk */
			json_uint(j, "stripe_size", mlvm_stripe_size_of(n));
		json_begin_array(j, "areas");
		for (k = 0; k < s->n_areas; k++) {
			const struct mlvm_area *a = &s->areas[k];

			json_begin_object_inline(j, NULL);
			if (a->kind == MLVM_AREA_PV) {
				json_string(j, "pv", a->name);
				json_uint(j, "pe", a->start);
			} else {
				json_string(j, "lv", a->name);
				json_uint(j, "le", a->start);
			}
			json_end_object(j);
		}
		json_end_array(j);
		for (n = cfg_child(s->node); n; n = cfg_next(n)) {
			const char *key = cfg_key(n);

			if (key && !seg_key_emitted(s, key))
				json_cfg_value(j, key, n);
		}
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

/* a block of LVs' JSON, a part (json_part_begin) of the writer j, on
 * cache lines of its own (WRITER_ALIGN) */
struct json_block {
	_Alignas(WRITER_ALIGN) struct json part;
	const struct json *j;		/* at the open "lvs" array */
};

/* lv_blocks' make: LVs [from, to) into the part */
static void json_block_make(void *w, const struct mlvm_vg *vg, uint32_t from, uint32_t to)
{
	struct json_block *x = w;
	uint32_t i;

	json_part_begin(&x->part, x->j, from > 0);
	for (i = from; i < to; i++)
		json_lv(&x->part, vg, &vg->lvs[i]);
}

/* lv_blocks' write: the part to j's stream */
static bool json_block_write(void *w)
{
	struct json_block *x = w;

	return json_part_write(&x->part, x->j->f) == 0;
}

/* the LVs' objects, on two threads for a large VG */
static void json_lvs(struct json *j, const struct mlvm_vg *vg)
{
	/* not zeroed whole: a part never uses its stream buffer (store),
	 * and zeroing two of them touched 128 KiB of fresh stack, 31 page
	 * faults; json_part_begin sets the rest */
	struct json_block w[2];
	struct lv_blocks b = { .vg = vg, .make = json_block_make, .write = json_block_write,
			       .writer = { &w[0], &w[1] } };
	uint32_t i;

	for (i = 0; i < 2; i++) {
		w[i].j = j;
		w[i].part.mem = (struct mlvm_buf){ 0 };
	}
	if (!lv_parallel(vg)) {
		for (i = 0; i < vg->n_lvs; i++)
			json_lv(j, vg, &vg->lvs[i]);
		return;
	}
	json_flush(j);
	lv_blocks(&b);
	json_part_end(&w[0].part);
	json_part_end(&w[1].part);
	json_items_added(j);
	if (b.failed)
		j->error = true;
}

static void json_vg(struct json *j, const struct mlvm_vg *vg)
{
	uint32_t i;
	const struct cfg_node *n;

	json_begin_object(j, NULL);
	json_string(j, "name", vg->name);
	json_string(j, "id", vg->id);
	json_uint(j, "seqno", vg->seqno);
	json_uint(j, "extent_size", vg->extent_size);
	json_cfg_strings(j, "status", vg->status);
	json_cfg_strings(j, "flags", vg->flags);
	json_cfg_strings(j, "tags", vg->tags);
	json_int(j, "max_lv", vg->max_lv);
	json_int(j, "max_pv", vg->max_pv);
	n = cfg_find(vg->node, "format");
	if (n)
		json_cfg_value(j, "format", n);
	n = cfg_find(vg->node, "system_id");
	if (n)
		json_cfg_value(j, "system_id", n);
	json_string(j, "description", vg->description);
	json_string(j, "creation_host", vg->creation_host);
	json_int(j, "creation_time", vg->creation_time);
	json_utc(j, "creation_time_utc", vg->creation_time);
	json_begin_object(j, "source");
	json_string(j, "image", vg->source.image);
	cli_json_source_origin(j, vg);
	json_uint(j, "offset", vg->source.offset);
	json_uint(j, "size", vg->source.size);
	json_bool(j, "wrapped", vg->source.wrapped);
	json_end_object(j);

	json_begin_array(j, "pvs");
	for (i = 0; i < vg->n_pvs; i++) {
		const struct mlvm_pv *pv = &vg->pvs[i];

		json_begin_object(j, NULL);
		json_string(j, "name", pv->name);
		json_string(j, "id", pv->id);
		json_string(j, "device", pv->device);
		json_cfg_strings(j, "status", pv->status);
		json_cfg_strings(j, "flags", pv->flags);
		json_cfg_strings(j, "tags", pv->tags);
		json_uint(j, "dev_size", pv->dev_size);
		json_uint(j, "pe_start", pv->pe_start);
		json_uint(j, "pe_count", pv->pe_count);
		json_bootloader_area(j, pv);
		if (pv->missing) {
			json_null(j, "image");
			json_null(j, "offset");
		} else {
			json_string(j, "image", pv->src->name);
			json_uint(j, "offset", pv->offset);
		}
		json_bool(j, "missing", pv->missing);
		json_bool(j, "ambiguous", pv->ambiguous);
		if (pv->missing)
			json_null(j, "found_by");
		else
			json_string(j, "found_by", mlvm_pv_evidence_name(pv->found_by));
		/* ambiguous: the PVs found that fit it equally; else copies not used */
		json_pv_others(j, "candidates", pv, pv->ambiguous);
		json_pv_others(j, "duplicates", pv, !pv->ambiguous);
		json_end_object(j);
	}
	json_end_array(j);

	json_begin_array(j, "lvs");
	json_lvs(j, vg);
	json_end_array(j);
	json_hlvs(j, vg);
	json_uint(j, "extent_count", vg->total_extents);
	json_uint(j, "free_extents", vg->free_extents);
	json_end_object(j);
}

/* ------------------------------------------------------------ command */

int cmd_read(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "generation", required_argument, NULL, 'g' },
		{ "content", no_argument, NULL, 'c' },
		{ "no-content", no_argument, NULL, 'C' },
		{ "units", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	bool verbose = false;
	char units = 'h';
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_set *set;
	size_t i, shown = 0;
	bool write_failed = false;
	int opt, status, content = -1;
	size_t visible = 0;
	uint32_t l;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "read", argc, argv, "hv", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(read_help, stdout);
			return EXIT_DONE;
		case 'v':
			verbose = true;
			break;
		case 'u':
			if (strlen(optarg) != 1 || !strchr("hHbBsSkKmMgGtT", optarg[0]))
				return cli_usage(c, "read", "--units takes one of h H b s k m g t K M G T, not '%s'",
						 optarg);
			units = optarg[0];
			break;
		case 'c':
		case 'C':
			content = opt == 'c' ? 1 : 0;
			break;
		case 'g':
			if (cli_parse_seqno(c, "read", "--generation", optarg, &oo.generation))
				return EXIT_USAGE;
			oo.want_generation = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "read", "no image given");
	oo.generation_vg = c->vg;	/* the named VG's generation; the others as now */
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	/* none when several VGs answer to --vg: it names one */
	for (i = 0; i < set->n_vgs && cli_vgs_selected(c, set); i++)
		if (cli_vg_selected(c, set->vgs[i])) {
			shown++;
			for (l = 0; l < set->vgs[i]->n_lvs; l++)
				visible += set->vgs[i]->lvs[l].visible;
		}
	content_on = content == 1 || (content == -1 && visible <= CONTENT_AUTO_MAX);
	if (shown == 0)
		cli_no_vg_error(c, set, &oo, &set->report);
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "vgs");
		for (i = 0; shown && i < set->n_vgs; i++)
			if (cli_vg_selected(c, set->vgs[i]))
				json_vg(&j, set->vgs[i]);
		json_end_array(&j);
		if (!shown)
			cli_json_failed(&j, &set->report, EXIT_FAILED);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else {
		bool first = true;

		for (i = 0; shown && i < set->n_vgs; i++) {
			if (!cli_vg_selected(c, set->vgs[i]))
				continue;
			if (!first)
				fputc('\n', stdout);
			first = false;
			int rc = vg_table(set, set->vgs[i], verbose, units, stdout);

			if (rc == -ERANGE) {
				/* never: lv_within or the rows are wrong */
				cli_err(c, "internal error: a row of the table of vg %s is wider than measured; its line is missing",
					set->vgs[i]->name);
				mlvm_set_free(set);
				return EXIT_FAILED;
			}
			if (rc) {
				cli_err(c, "out of memory: the table of vg %s cannot be shown", set->vgs[i]->name);
				mlvm_set_free(set);
				return EXIT_FAILED;
			}
		}
	}
	if (!cli_output_ok(c, write_failed)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return shown ? EXIT_DONE : EXIT_FAILED;
}
