/*
 * carve.c - find every metadata generation in one metadata area.
 *
 * Positions: the text part of the area is a ring of T = area_size - 512
 * bytes (from RING_START, after the header). A "virtual" position v counts bytes from the ring's first byte
 * (area offset 512) and may run up to 2T, so that a stretch crossing the
 * end of the area is one interval; its area offset is 512 + v % T.
 *
 * Every scan below covers its own interval of the ring (a start up to the
 * next start), so the whole area is looked at a bounded number of times:
 * memchr for the NUL, a zero skip, memmem for the trailer, and one parse of
 * each complete copy. See carve.h for the rules.
 */
#include "text/carve.h"
#include "base/units.h"
#include "text/config.h"
#include "text/lex.h"
#include "text/syntax.h"
#include "disk/crc.h"
#include "base/util.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the ring starts after the area's header */
#define RING_START MLVM_MDA_HEADER_SIZE
#define PEEK 512u		/* bytes looked at to recognise a copy's start */
#define HEAD_LINES 16		/* lines a fragment's head scan looks at */
#define READ_CHUNK (1u << 20)

static const char contents_value[] = "\"Text Format Volume Group\"";

/* why the buffer carved holds less than the area */
enum carve_cut {
	CARVE_CUT_NONE,
	CARVE_CUT_IMAGE,	/* the image ends inside the area */
	CARVE_CUT_LIMIT,	/* larger than MLVM_CARVE_MAX_AREA */
};

struct carver {
	const uint8_t *buf;
	uint64_t area;		/* area_size */
	uint64_t T;		/* ring size: area - 512 */
	const struct mlvm_mda_header *hdr;
	struct mlvm_report *r;
	const char *image;
	uint64_t area_abs;
	struct mlvm_generation *g;
	size_t n, cap;
	size_t mapped;		/* g[0..mapped) have been prefaulted */
	uint64_t max;		/* at most this many generations: sectors in the ring */
	enum carve_cut cut;	/* the buffer ends before the area does: no wrap */
	struct mlvm_syntax_base *sx;	/* the serial syntax checks' (syntax.h) */
};

/*
 * Where copy i of the k recognised starts owns the ring to (virtual
 * offset): the next start, the first start again after the wrap, or, in an
 * area cut short, the cut (the real ring goes on past the bytes we have).
 */
static uint64_t copy_stretch_end(const struct carver *c, size_t i, size_t k)
{
	if (i + 1 < k)
		return c->g[i + 1].offset - RING_START;
	return c->cut != CARVE_CUT_NONE ? c->T : c->g[0].offset - RING_START + c->T;
}

/* ------------------------------------------------------------ the ring */

static uint64_t ring_off(const struct carver *c, uint64_t v)
{
	return RING_START + v % c->T;
}

static const uint8_t *ring_ptr(const struct carver *c, uint64_t v)
{
	return c->buf + ring_off(c, v);
}

/* bytes contiguous in the buffer from v (to the end of the area) */
static uint64_t ring_run(const struct carver *c, uint64_t v)
{
	return c->area - ring_off(c, v);
}

/* first NUL in [v, v+len) (len <= T): true and *pos, or false */
static bool ring_find_nul(const struct carver *c, uint64_t v, uint64_t len,
			  uint64_t *pos)
{
	while (len > 0) {
		uint64_t run = ring_run(c, v);
		const uint8_t *p = ring_ptr(c, v), *z;

		if (run > len)
			run = len;
		z = memchr(p, 0, (size_t)run);
		if (z) {
			*pos = v + (uint64_t)(z - p);
			return true;
		}
		v += run;
		len -= run;
	}
	return false;
}

/* how many of the n bytes at p are zeros before the first other byte */
static uint64_t zeros_at(const uint8_t *p, uint64_t n)
{
	static const uint8_t zero[64];
	uint64_t i = 0;

	while (i + sizeof(zero) <= n && !memcmp(p + i, zero, sizeof(zero)))
		i += sizeof(zero);
	while (i < n && !p[i])
		i++;
	return i;
}

/* first non-zero byte in [v, v+len): its position, or v+len */
static uint64_t ring_skip_zeros(const struct carver *c, uint64_t v, uint64_t len)
{
	uint64_t end = v + len;

	while (v < end) {
		uint64_t run = ring_run(c, v), i;

		if (run > end - v)
			run = end - v;
		i = zeros_at(ring_ptr(c, v), run);
		if (i < run)
			return v + i;
		v += run;
	}
	return end;
}

/* copy [v, v+len) (len <= T) to dst */
static void ring_copy(const struct carver *c, uint64_t v, uint64_t len, uint8_t *dst)
{
	while (len > 0) {
		uint64_t run = ring_run(c, v);

		if (run > len)
			run = len;
		memcpy(dst, ring_ptr(c, v), (size_t)run);
		dst += run;
		v += run;
		len -= run;
	}
}

/* CRC of [v, v+len) (len <= T), chained across the wrap */
static uint32_t ring_crc(const struct carver *c, uint64_t v, uint64_t len)
{
	uint32_t crc = MLVM_CRC_INITIAL;

	while (len > 0) {
		uint64_t run = ring_run(c, v);

		if (run > len)
			run = len;
		crc = mlvm_crc(crc, ring_ptr(c, v), (size_t)run);
		v += run;
		len -= run;
	}
	return crc;
}

/*
 * A contiguous view of [v, v+len): a pointer into the buffer, or (when the
 * stretch wraps) a malloc'd copy in *tmp. NULL on ENOMEM.
 */
static const char *ring_view(const struct carver *c, uint64_t v, uint64_t len, char **tmp)
{
	*tmp = NULL;
	if (len <= ring_run(c, v))
		return (const char *)ring_ptr(c, v);
	*tmp = malloc((size_t)len + 1);
	if (!*tmp)
		return NULL;
	ring_copy(c, v, len, (uint8_t *)*tmp);
	(*tmp)[len] = '\0';
	return *tmp;
}

/*
 * Read [v, v+len) of the ring of the area of area_size bytes at area_abs
 * in s into dst, following the wrap as ring_copy does: 0 or a read error.
 */
static int ring_pread(struct mlvm_source *s, uint64_t area_abs, uint64_t area_size,
		      uint64_t v, uint64_t len, uint8_t *dst)
{
	uint64_t T = area_size - RING_START, at = v % T, done, run;
	int rc;

	for (done = 0; done < len; done += run, at = 0) {	/* on from the ring's start */
		run = T - at;
		if (run > len - done)
			run = len - done;
		rc = mlvm_source_read(s, dst + done, (size_t)run, area_abs + RING_START + at);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ light text scans */

static bool is_name_char(unsigned char ch)
{
	return mlvm_lex_is((char)ch, MLVM_LEX_KEY);
}

static size_t skip_blank(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* at p[i]: blanks, word (wl bytes), blanks, '=', blanks; the index after,
 * or 0. Most lines are not the one looked for: the first byte tells. */
static inline size_t match_key_n(const char *p, size_t i, size_t n, const char *word, size_t wl)
{
	i = skip_blank(p, i, n);
	if (n - i < wl || p[i] != word[0] || memcmp(p + i, word, wl))
		return 0;
	i = skip_blank(p, i + wl, n);
	if (i >= n || p[i] != '=')
		return 0;
	return skip_blank(p, i + 1, n);
}

/* match_key_n for a string literal */
#define match_key(p, i, n, word) match_key_n(p, i, n, "" word, sizeof(word) - 1)

/* end of line: index of the '\n' at or after i, or n */
static size_t line_end(const char *p, size_t i, size_t n)
{
	const char *nl = i < n ? memchr(p + i, '\n', n - i) : NULL;

	return nl ? (size_t)(nl - p) : n;
}

/* `name {` then end of line; the name is copied to out (128 bytes).
 * Returns the index after the '\n', or 0. */
static size_t match_vg_line(const char *p, size_t n, char out[128])
{
	size_t i = 0;

	while (i < n && i < 127 && is_name_char((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || is_name_char((unsigned char)p[i]))
		return 0;
	memcpy(out, p, i);
	out[i] = '\0';
	i = skip_blank(p, i, n);
	if (i >= n || p[i] != '{')
		return 0;
	i = skip_blank(p, i + 1, n);
	if (i < n && p[i] == '\r')
		i++;
	if (i >= n || p[i] != '\n')
		return 0;
	return i + 1;
}

/* `id = "X` on the line starting at i: X (to the quote or end of line,
 * cut to 39 bytes) to out. Index after the line's '\n', or 0. */
static size_t match_id_line(const char *p, size_t i, size_t n, char out[40])
{
	size_t j, e, k = 0;

	j = match_key(p, i, n, "id");
	if (!j || j >= n || p[j] != '"')
		return 0;
	e = line_end(p, j, n);
	if (e >= n)
		return 0;
	for (j++; j < e && p[j] != '"'; j++)
		if (k < 39)
			out[k++] = p[j];
	out[k] = '\0';
	return e + 1;
}

/* `seqno = N` (only blanks after); index after the '\n', or 0 */
static size_t match_seqno_line(const char *p, size_t i, size_t n, uint64_t *seqno)
{
	uint64_t v = 0;
	size_t j, d = 0;

	j = match_key(p, i, n, "seqno");
	if (!j)
		return 0;
	for (; j < n && p[j] >= '0' && p[j] <= '9'; j++, d++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(p[j] - '0'), &v))
			return 0;
	if (!d)
		return 0;
	j = skip_blank(p, j, n);
	if (j < n && p[j] == '\r')
		j++;
	if (j >= n || p[j] != '\n')
		return 0;
	*seqno = v;
	return j + 1;
}

/* The three header lines of a copy (see carve.h). */
static bool match_header(const char *p, size_t n, struct mlvm_generation *g)
{
	char name[128], id[40];
	uint64_t seqno;
	size_t i;

	i = match_vg_line(p, n, name);
	if (!i)
		return false;
	i = match_id_line(p, i, n, id);
	if (!i)
		return false;
	if (!match_seqno_line(p, i, n, &seqno))
		return false;
	memcpy(g->vg_name, name, sizeof(name));
	memcpy(g->vg_id, id, sizeof(id));
	g->seqno = seqno;
	g->seqno_known = true;
	return true;
}

/*
 * Head of a fragment or of a copy whose header lines did not match: line 1
 * may be `name {`; an `id = "..."` line directly followed by `seqno = N`
 * (only the VG section has seqno) gives id and seqno.
 */
static void scan_head(const char *p, size_t n, bool at_start, struct mlvm_generation *g)
{
	size_t i = 0, lines;
	char name[128], id[40];
	uint64_t seqno;

	if (at_start) {
		/* line 1 is the VG's own line, however damaged */
		if (match_vg_line(p, n, name))
			memcpy(g->vg_name, name, sizeof(name));
		i = line_end(p, 0, n) + 1;
	}
	for (lines = 0; lines < HEAD_LINES && i < n; lines++) {
		size_t e = line_end(p, i, n), k;

		k = match_id_line(p, i, n, id);
		if (k && match_seqno_line(p, k, n, &seqno)) {
			if (!g->vg_id[0])
				memcpy(g->vg_id, id, sizeof(id));
			if (!g->seqno_known) {
				g->seqno = seqno;
				g->seqno_known = true;
			}
			return;
		}
		if (e > i && memchr(p + i, '{', e - i))
			return;	/* a section opens: past the VG's own lines */
		i = e + 1;
	}
}

/* a "double-quoted" value at p[i] (escapes \" and \\) into out */
/* the string value at p[i] into out (outsz bytes, NUL included); true
 * when it was longer and cut */
static bool take_string(const char *p, size_t i, size_t n, char *out, size_t outsz)
{
	size_t k = 0;
	bool cut = false;

	out[0] = '\0';
	if (i >= n || p[i] != '"')
		return false;
	for (i++; i < n && p[i] != '"' && p[i] != '\n'; i++) {
		char ch = p[i];

		if (ch != '\\') {
			/* a run of plain bytes, copied at once (k < outsz) */
			size_t e = mlvm_lex_find3(p, i + 1, n, '"', '\n', '\\'), run, m;

			run = e - i;
			m = run < outsz - 1 - k ? run : outsz - 1 - k;
			memcpy(out + k, p + i, m);
			k += m;
			if (m < run)
				cut = true;
			i = e - 1;
			continue;
		}
		if (mlvm_lex_escape(p, i, n))
			ch = p[++i];
		if (k + 1 < outsz)
			out[k++] = ch;
		else
			cut = true;
	}
	out[k] = '\0';
	return cut;
}

/* is the contents line at p[at] (the opening quote of its value) the whole
 * line `contents = "Text Format Volume Group"`? */
static bool contents_line_at(const char *p, size_t at, size_t n)
{
	size_t ls = at, j;

	while (ls > 0 && p[ls - 1] != '\n')
		ls--;
	j = match_key(p, ls, n, "contents");
	return j == at;
}

/* does the line [s, e) open a section (its last non-blank byte a '{')? */
static bool opens_section(const char *p, size_t s, size_t e)
{
	while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\r'))
		e--;
	return e > s && p[e - 1] == '{';
}

/*
 * Top-level trailer: the lines after the last contents line, up to a line
 * that opens a section (the VG section of the archive layout). Linear in n
 * (memmem hops from hit to hit).
 */
static void scan_trailer(const char *p, size_t n, struct mlvm_generation *g)
{
	size_t vl = sizeof(contents_value) - 1, from = 0, i, e = n, lines;
	const char *hit, *last = NULL;
	bool found_back;

	/* the trailer is a few lines from the end: look back there first */
	for (lines = 0; lines < 64 && e > 0 && !last; lines++) {
		const char *nl = memrchr(p, '\n', e - 1);
		size_t ls = nl ? (size_t)(nl - p) + 1 : 0, j;

		j = match_key(p, ls, e, "contents");
		if (j && e - j >= vl && !memcmp(p + j, contents_value, vl))
			last = p + j;
		e = ls;
		if (!ls)
			break;
	}
	found_back = last != NULL;
	while (!found_back && from < n &&
	       (hit = memmem(p + from, n - from, contents_value, vl))) {
		size_t at = (size_t)(hit - p);

		if (contents_line_at(p, at, n))
			last = hit;
		from = at + vl;
	}
	if (!last)
		return;
	i = line_end(p, (size_t)(last - p), n);
	while (i < n) {
		size_t s = i + 1, j;

		i = line_end(p, s, n);
		if (opens_section(p, s, i))
			break;	/* archive layout: the VG section follows */
		if ((j = match_key(p, s, i, "description")))
			g->description_cut = take_string(p, j, i, g->description,
							 sizeof(g->description));
		else if ((j = match_key(p, s, i, "creation_host")))
			take_string(p, j, i, g->creation_host, sizeof(g->creation_host));
		else if ((j = match_key(p, s, i, "creation_time"))) {
			uint64_t v = 0;

			for (; j < i && p[j] >= '0' && p[j] <= '9'; j++)
				if (__builtin_mul_overflow(v, 10, &v) ||
				    __builtin_add_overflow(v, (uint64_t)(p[j] - '0'), &v))
					break;
			g->creation_time = v;
		}
	}
}

/* the index after the '}' that closes the first section of the text, or
 * 0 when it does not close (quote- and comment-aware) */
static size_t first_section_end(const char *p, size_t n)
{
	long depth = 0;
	bool opened = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = p[i];

		if (ch == '#') {
			i = line_end(p, i, n);
		} else if (ch == '"' || ch == '\'') {
			i = mlvm_lex_string_end(p, i + 1, n, ch);
		} else if (ch == '{') {
			depth++;
			opened = true;
		} else if (ch == '}' && opened) {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

static bool first_section_closes(const char *p, size_t n)
{
	return first_section_end(p, n) != 0;
}

/* does a run of bytes look like metadata text? */
static bool looks_like_text(const char *p, size_t n)
{
	size_t i, ctl = 0;

	if (!memchr(p, '\n', n) || !memmem(p, n, " = ", 3))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f)
			ctl++;
	}
	return ctl * 64 <= n;
}

/* ------------------------------------------------------------ lenient parse */

/* id and seqno from the first section of a (lenient) tree, when missing */
static void fill_from_tree(const struct cfg_tree *t, struct mlvm_generation *g)
{
	const struct cfg_node *n;
	const char *id;
	int64_t seqno;

	for (n = cfg_child(t->root); n; n = cfg_next(n))
		if (cfg_type(n) == CFG_SECTION && cfg_key(n))
			break;
	if (!n)
		return;
	if (!g->vg_name[0])
		snprintf(g->vg_name, sizeof(g->vg_name), "%s", cfg_key(n));
	if (!g->vg_id[0] && !cfg_get_str(n, "id", &id))
		snprintf(g->vg_id, sizeof(g->vg_id), "%s", id);
	if (!g->seqno_known && !cfg_get_int(n, "seqno", &seqno) && seqno >= 0) {
		g->seqno = (uint64_t)seqno;
		g->seqno_known = true;
	}
}

/* cfg_parse_lenient on a copy of p[0..n), to fill what the light scans
 * missed; 0 or -ENOMEM */
static int lenient_fill(const char *p, size_t n, struct mlvm_generation *g)
{
	struct cfg_tree *t = NULL;
	char *text = malloc(n + 1);
	int rc;

	if (!text)
		return -ENOMEM;
	memcpy(text, p, n);
	text[n] = '\0';
	rc = cfg_parse_lenient(text, n, &t, NULL, NULL, -1);
	if (rc < 0) {
		free(text);
		return rc == -ENOMEM ? -ENOMEM : 0;
	}
	fill_from_tree(t, g);
	cfg_free(t);
	return 0;
}

/* ------------------------------------------------------------ results */

static struct mlvm_generation *add_gen(struct carver *c)
{
	struct mlvm_generation *g;

	if (c->n >= c->max)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct mlvm_generation *ng;

		if (cap > c->max)
			cap = (size_t)c->max;
		/*
		 * Not realloc: glibc moves a large block with mremap, and on
		 * the VM this was measured on each page of the moved array
		 * then cost a host fault when touched again (the later passes
		 * read every entry: 19,000 generations, 12 MB, some 10 ms). A
		 * copy into huge pages costs a few of those. (Pass 1 grows no
		 * list unless the whole one could not be had: scan_parts.)
		 */
		ng = mlvm_alloc_huge(cap * sizeof(*ng));
		if (!ng)
			return NULL;
		if (c->n)
			memcpy(ng, c->g, c->n * sizeof(*ng));
		free(c->g);
		c->g = ng;
		c->cap = cap;
		c->mapped = c->n;
	}
	/* the entries are filled one by one: map 512 at a time in one call
	 * (19,000 generations of 640 bytes: 2,800 faults otherwise), not the
	 * whole doubled array, most of which may stay unused */
	if (c->n == c->mapped) {
		size_t k = c->cap - c->n < 512 ? c->cap - c->n : 512;

		mlvm_prefault(c->g + c->n, k * sizeof(*c->g));
		c->mapped = c->n + k;
	}
	g = &c->g[c->n++];
	memset(g, 0, sizeof(*g));
	g->slot = -1;
	g->checksum_ok = -1;
	return g;
}

/* Say why a copy whose NUL was not found stops where it does (virtual end) */
static void truncated_notice(const struct carver *c, const struct mlvm_generation *g, uint64_t end)
{
	unsigned long long off = g->offset, size = g->size;

	if (c->cut == CARVE_CUT_IMAGE && end == c->T)
		mlvm_notice(c->r, "carve_truncated", c->image, c->area_abs + g->offset,
			    "metadata copy at area offset %llu runs past the end of the image after %llu %s, "
			    "without its end: the image ends inside the metadata area",
			    off, size, mlvm_plural(size, "byte", "bytes"));
	else if (c->cut == CARVE_CUT_LIMIT && end == c->T)
		mlvm_notice(c->r, "carve_truncated", c->image, c->area_abs + g->offset,
			    "metadata copy at area offset %llu runs past the first %llu bytes of the area, "
			    "the most that is carved, after %llu %s without its end",
			    off, (unsigned long long)c->area, size, mlvm_plural(size, "byte", "bytes"));
	else if (g->size >= c->T)
		mlvm_notice(c->r, "carve_truncated", c->image, c->area_abs + g->offset,
			    "metadata copy at area offset %llu fills the whole ring (%llu %s) without its end",
			    off, size, mlvm_plural(size, "byte", "bytes"));
	else
		mlvm_notice(c->r, "carve_truncated", c->image, c->area_abs + g->offset,
			    "metadata copy at area offset %llu runs into the start of the next copy "
			    "(area offset %llu) after %llu %s without its end",
			    off, (unsigned long long)ring_off(c, end), size, mlvm_plural(size, "byte", "bytes"));
}

/* Fill a copy that starts at virtual v (a recognised or header start) and
 * owns the ring up to v + span (its NUL at pre_nul when pass 1 found it,
 * else UINT64_MAX). Returns the end of its text (after the NUL) or
 * v + span when truncated; negative on ENOMEM via *err. */
static uint64_t fill_copy(struct carver *c, size_t idx, uint64_t v, uint64_t span,
			  bool recognised, int pre_ok, uint64_t pre_nul, int *err)
{
	struct mlvm_generation *g = &c->g[idx];
	uint64_t q = 0, textlen;
	const char *p;
	char *tmp;
	int rc;

	if (pre_nul != UINT64_MAX) {
		g->nul_found = true;
		q = pre_nul;
	} else {
		g->nul_found = ring_find_nul(c, v, span, &q);
	}
	g->size = g->nul_found ? q - v + 1 : span;
	g->wrapped = g->size > c->area - g->offset;
	textlen = g->size - (g->nul_found ? 1 : 0);
	p = ring_view(c, v, textlen, &tmp);
	if (!p) {
		*err = -ENOMEM;
		return v + span;
	}
	if (!recognised)
		scan_head(p, (size_t)textlen, true, g);
	if (pre_nul == UINT64_MAX)	/* else pass 1 scanned it */
		scan_trailer(p, (size_t)textlen, g);
	if (pre_ok >= 0) {
		g->parse_ok = g->nul_found && pre_ok >= 1;
		g->no_thin = g->parse_ok && pre_ok == 1;
	} else {
		bool thin = true;

		g->parse_ok = g->nul_found &&
			mlvm_syntax_check(c->sx, p, (size_t)textlen, g->vg_name, &thin, &tmp);
		g->no_thin = g->parse_ok && !thin;
	}
	g->complete = g->nul_found &&
		(g->parse_ok || first_section_closes(p, (size_t)textlen));
	if (!g->parse_ok || !g->vg_name[0] || !g->vg_id[0] || !g->seqno_known) {
		rc = lenient_fill(p, (size_t)textlen, g);
		if (rc < 0)
			*err = rc;
	}
	free(tmp);
	if (!g->nul_found)
		truncated_notice(c, g, v + span);
	else if (!g->parse_ok)
		mlvm_notice(c->r, "carve_unparsable", c->image, c->area_abs + g->offset,
			    "metadata copy at area offset %llu (seqno %llu) does not parse",
			    (unsigned long long)g->offset, (unsigned long long)g->seqno);
	return g->nul_found ? q + 1 : v + span;
}

/* Fragments in the gap [v, end): runs of bytes between NULs. */
static int carve_gap(struct carver *c, uint64_t v, uint64_t end, uint64_t last_sector)
{
	while (v < end) {
		struct mlvm_generation *g;
		uint64_t a, q, len, sector;
		bool nul;
		const char *p;
		char *tmp;

		a = ring_skip_zeros(c, v, end - v);
		if (a >= end)
			break;
		nul = ring_find_nul(c, a, end - a, &q);
		len = (nul ? q : end) - a;
		v = nul ? q + 1 : end;
		sector = (a % c->T) / MLVM_SECTOR_SIZE;
		if (sector == last_sector)
			continue;	/* one generation per sector */
		p = ring_view(c, a, len, &tmp);
		if (!p)
			return -ENOMEM;
		if (looks_like_text(p, (size_t)len)) {
			g = add_gen(c);
			if (!g) {
				free(tmp);
				return c->n >= c->max ? 0 : -ENOMEM;
			}
			g->offset = ring_off(c, a);
			g->size = len + (nul ? 1 : 0);
			g->nul_found = nul;
			g->wrapped = g->size > c->area - g->offset;
			g->fragment = true;
			scan_head(p, (size_t)len, a % MLVM_SECTOR_SIZE == 0, g);
			scan_trailer(p, (size_t)len, g);
			last_sector = sector;
		}
		free(tmp);
	}
	return 0;
}

/* ------------------------------------------------------------ header slots */

static bool locn_usable(const struct carver *c, const struct mlvm_raw_locn *rl)
{
	return rl->size > 0 && rl->offset >= RING_START && rl->offset < c->area &&
	       rl->offset % MLVM_SECTOR_SIZE == 0;
}

static void mark_slots(struct carver *c)
{
	int s;
	size_t i;

	if (!c->hdr)
		return;
	for (s = 0; s < 2; s++) {
		const struct mlvm_raw_locn *rl = &c->hdr->rl[s];
		struct mlvm_generation *g = NULL;

		if (rl->size == 0)
			continue;
		for (i = 0; i < c->n; i++)
			if (!c->g[i].fragment && c->g[i].offset == rl->offset) {
				g = &c->g[i];
				break;
			}
		if (!g) {
			mlvm_warn(c->r, "carve_locn_no_copy", c->image, c->area_abs,
				  "raw_locn[%d] (offset %llu size %llu) points at no metadata copy",
				  s, (unsigned long long)rl->offset, (unsigned long long)rl->size);
			continue;
		}
		if (g->slot >= 0)
			continue;	/* both slots name the same copy: slot 0 wins */
		g->slot = s;
		if (rl->size > c->T) {
			g->checksum_ok = 0;
			mlvm_warn(c->r, "carve_locn_size", c->image, c->area_abs,
				  "raw_locn[%d] size %llu larger than the metadata area",
				  s, (unsigned long long)rl->size);
			continue;
		}
		g->checksum_ok = ring_crc(c, rl->offset - RING_START, rl->size) == rl->checksum;
		if (!g->checksum_ok)
			mlvm_warn(c->r, "carve_checksum", c->image, c->area_abs + rl->offset,
				  "metadata copy at area offset %llu does not match the checksum of raw_locn[%d]",
				  (unsigned long long)rl->offset, s);
		if (rl->size != g->size)
			mlvm_warn(c->r, "carve_size_mismatch", c->image, c->area_abs + rl->offset,
				  "raw_locn[%d] size %llu but the copy found there has %llu bytes",
				  s, (unsigned long long)rl->size, (unsigned long long)g->size);
	}
}

/* ------------------------------------------------------------ sorting */

static int cmp_gen(const void *pa, const void *pb)
{
	const struct mlvm_generation *a = pa, *b = pb;
	int d = strcmp(a->vg_id, b->vg_id);

	if (d)
		return d;
	if (a->seqno_known != b->seqno_known)
		return a->seqno_known ? 1 : -1;
	if (a->seqno_known && a->seqno != b->seqno)
		return a->seqno < b->seqno ? -1 : 1;
	if (!a->seqno_known && a->creation_time != b->creation_time)
		return a->creation_time < b->creation_time ? -1 : 1;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return 0;
}

/* qsort on an index (the entries are large), then permute in place by
 * following cycles: one temporary entry, no second results array */
static int cmp_index(const void *pa, const void *pb, void *base)
{
	const struct mlvm_generation *g = base;
	const size_t *a = pa, *b = pb;

	return cmp_gen(&g[*a], &g[*b]);
}

static int sort_gens(struct mlvm_generation *g, size_t n)
{
	struct mlvm_generation tmp;
	size_t *idx, i, j, k;

	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		idx[i] = i;
	/* in ring order the copies are one or two runs of ascending seqno */
	mlvm_sort_runs(idx, n, sizeof(*idx), cmp_index, g);
	/* position i must receive g[idx[i]] */
	for (i = 0; i < n; i++) {
		if (idx[i] == i)
			continue;
		tmp = g[i];
		j = i;
		while (idx[j] != i) {
			k = idx[j];
			g[j] = g[k];
			idx[j] = j;
			j = k;
		}
		g[j] = tmp;
		idx[j] = j;
	}
	free(idx);
	return 0;
}

/* ------------------------------------------------------------ carving */

/* is off the offset of a usable raw_locn? */
static bool header_points_at(const struct carver *c, uint64_t off)
{
	int s;

	if (!c->hdr)
		return false;
	for (s = 0; s < 2; s++)
		if (locn_usable(c, &c->hdr->rl[s]) && c->hdr->rl[s].offset == off)
			return true;
	return false;
}

/*
 * Pass 1, finding the starts and checking each copy, in parts: each part
 * looks for starts at the sectors of its own stretch of the ring and checks
 * the copies it found (the syntax check dominates the time of a large area,
 * and copies are independent), on a thread of its own when the ring is
 * large. A part whose last copy runs on past its stretch looks on to the
 * next start (the next part's first, or the first again after the wrap),
 * as the serial pass would. The parts' lists, in ring order, are then put
 * end to end (scan_parts).
 *
 * A part reads the ring of a file through a window of its own, with pread:
 * on the VM this was measured on, touching each page of a 64 MiB mapping
 * for the first time cost more than all the checks (some 40 ms), and a
 * small buffer used over and over costs that once. A copy larger than the
 * window is checked through the mapping, as are all copies of a ring held
 * in memory.
 *
 * Per copy (struct pre): ok 1 sound, 2 sound with a "thin" value in it, 0
 * not sound, -1 where the serial pass must decide.
 */
#define PART_MIN (8u << 20)	/* ring bytes a thread takes at least */
#define PARTS_MAX 8
#define WINDOW (256u << 10)	/* a part's window: in the core's L2 */

struct pre {
	uint64_t nul;		/* where its NUL is (virtual), UINT64_MAX: not found */
	int8_t ok;		/* as above */
	bool gap_zero;		/* nothing but zeros from after the NUL to the next copy */
};

struct part {
	struct carver c;	/* the carver's copy; its list is the part's slice
				 * of the carver's (or one it grows) */
	struct mlvm_source *src;	/* read the ring through win, or NULL */
	size_t window;
	uint64_t from, to;	/* sectors [from, to) of the ring are this part's */
	bool *rec;
	struct pre *pre;
	size_t rcap;
	uint8_t *win;
	uint64_t wv, wn;	/* win holds virtual [wv, wv + wn) */
	struct mlvm_syntax_base *sx;
	int err;
};

/*
 * Bytes [v, v + len) of the ring, from the part's window: NULL when it has
 * no window, when they do not fit in it or cannot be read. The window is
 * refilled from keep (<= v) when that fits, so that the copy being looked
 * at stays in it, else from v.
 */
static const uint8_t *part_bytes(struct part *p, uint64_t v, uint64_t len, uint64_t keep)
{
	const struct carver *c = &p->c;
	uint64_t base, n;

	if (!p->win || len > p->window)
		return NULL;
	if (v >= p->wv && v + len <= p->wv + p->wn)
		return p->win + (v - p->wv);
	base = v + len - keep <= p->window ? keep : v;
	n = p->window < c->T ? p->window : c->T;
	if (v + len > base + n)
		return NULL;
	/* the copy checked last may have been read from the window */
	mlvm_syntax_base_forget(p->sx);
	p->wn = 0;
	if (ring_pread(p->src, c->area_abs, c->area, base, n, p->win)) {
		free(p->win);	/* the mapping says what the bytes are */
		p->win = NULL;
		return NULL;
	}
	p->wv = base;
	p->wn = n;
	return p->win + (v - base);
}

/* check copy i, at virtual v owning span bytes; w: those bytes, or NULL
 * to read them from the buffer */
static void check_copy(struct part *p, size_t i, uint64_t v, uint64_t span, const uint8_t *w)
{
	const struct carver *c = &p->c;
	struct pre *pre = &p->pre[i];
	struct mlvm_generation *g = &c->g[i];
	uint64_t q = 0;
	const char *t;
	char *tmp = NULL;
	bool thin = true;

	pre->ok = -1;
	pre->nul = UINT64_MAX;
	pre->gap_zero = false;
	if (!p->rec[i])
		return;
	if (w) {
		const uint8_t *z = memchr(w, 0, (size_t)span);

		if (!z) {
			pre->ok = 0;
			return;
		}
		q = v + (uint64_t)(z - w);
		t = (const char *)w;
		pre->gap_zero = zeros_at(z + 1, span - (q - v) - 1) == span - (q - v) - 1;
	} else {
		if (p->src) {	/* a mapping: its pages in one call each side of the wrap */
			uint64_t run = ring_run(c, v) < span ? ring_run(c, v) : span;

			mlvm_prefault_read(ring_ptr(c, v), (size_t)run);
			mlvm_prefault_read(ring_ptr(c, v + run), (size_t)(span - run));
		}
		if (!ring_find_nul(c, v, span, &q)) {
			pre->ok = 0;
			return;
		}
		t = ring_view(c, v, q - v, &tmp);
		if (!t)
			return;
		pre->gap_zero = ring_skip_zeros(c, q + 1, v + span - (q + 1)) >= v + span;
	}
	pre->nul = q;
	scan_trailer(t, (size_t)(q - v), g);	/* this copy's entry only */
	/* 1: sound, no "thin" value; 2: sound, with one */
	pre->ok = mlvm_syntax_check(p->sx, t, (size_t)(q - v), g->vg_name, &thin, &tmp) ?
		(thin ? 2 : 1) : 0;
	free(tmp);
}

/* is there a start at virtual sector v? (tmpg filled when it matched the
 * header lines, *ok says so) */
static bool start_at(struct part *p, uint64_t v, uint64_t keep, struct mlvm_generation *tmpg,
		     bool *ok)
{
	const struct carver *c = &p->c;
	uint64_t off = ring_off(c, v);
	uint64_t avail = PEEK < c->T ? PEEK : c->T;
	uint8_t local[PEEK];
	const char *s = (const char *)part_bytes(p, v, avail, keep);

	if (!s) {
		/* one byte per sector is looked at first: fetch ahead of the stride */
		if (c->area - off > 32 * MLVM_SECTOR_SIZE)
			__builtin_prefetch(c->buf + off + 32 * MLVM_SECTOR_SIZE);
		if (c->area - off >= avail) {
			s = (const char *)c->buf + off;
		} else {
			ring_copy(c, v, avail, local);
			s = (const char *)local;
		}
	}
	*ok = false;
	if (!is_name_char((unsigned char)s[0]) && !header_points_at(c, off))
		return false;
	*ok = match_header(s, (size_t)avail, tmpg);	/* writes tmpg only when ok */
	return *ok || header_points_at(c, off);
}

/* check the part's last copy (i), which owns the ring up to end */
static void check_pending(struct part *p, size_t i, uint64_t end)
{
	uint64_t v = p->c.g[i].offset - RING_START;

	check_copy(p, i, v, end - v, part_bytes(p, v, end - v, v));
}

/* room for the flags of the part's newest copy */
static int grow_pre(struct part *p)
{
	size_t ncap = p->rcap ? p->rcap * 2 : 64;
	bool *nr = realloc(p->rec, ncap * sizeof(*nr));
	struct pre *np;

	if (!nr)
		return -ENOMEM;
	p->rec = nr;
	np = realloc(p->pre, ncap * sizeof(*np));
	if (!np)
		return -ENOMEM;
	p->pre = np;
	p->rcap = ncap;
	return 0;
}

static void *part_run(void *arg)
{
	struct part *p = arg;
	struct carver *c = &p->c;
	bool pending = false;
	uint64_t v, pv = 0;

	p->sx = mlvm_syntax_base_new();
	if (p->src)
		p->win = malloc(p->window);
	/* its own sectors: starts, each checked when the next is found */
	for (v = p->from; v < p->to; v += MLVM_SECTOR_SIZE) {
		struct mlvm_generation tmpg, *g;
		bool ok;

		if (!start_at(p, v, pending ? pv : v, &tmpg, &ok))
			continue;
		if (pending)
			check_pending(p, c->n - 1, v);
		g = add_gen(c);
		if (!g || (c->n > p->rcap && grow_pre(p))) {
			p->err = -ENOMEM;
			goto out;
		}
		if (ok) {
			memcpy(g->vg_name, tmpg.vg_name, sizeof(g->vg_name));
			memcpy(g->vg_id, tmpg.vg_id, sizeof(g->vg_id));
			g->seqno = tmpg.seqno;
			g->seqno_known = true;
		}
		g->offset = RING_START + v;
		p->rec[c->n - 1] = ok;
		pending = true;
		pv = v;
	}
	if (!pending)
		goto out;
	/* the last copy owns the ring to the next start after this part's
	 * sectors: the first one again after the wrap, or at a cut the end */
	{
		uint64_t nsec = c->max;	/* sectors in the ring */
		uint64_t end = c->cut != CARVE_CUT_NONE ? c->T : pv + c->T;
		uint64_t j = p->to / MLVM_SECTOR_SIZE, lap = 0;

		for (;; j++) {
			struct mlvm_generation tmpg;
			uint64_t at;
			bool ok;

			if (j == nsec) {
				if (lap || c->cut != CARVE_CUT_NONE)
					break;
				j = 0;	/* sector 0 again, after the wrap */
				lap = c->T;
			}
			at = lap + j * MLVM_SECTOR_SIZE;
			if (at >= end)
				break;
			if (start_at(p, at, pv, &tmpg, &ok)) {
				end = at;
				break;
			}
		}
		check_pending(p, c->n - 1, end);
	}
out:
	free(p->win);
	p->win = NULL;
	mlvm_syntax_base_free(p->sx);
	p->sx = NULL;
	return NULL;
}

/*
 * Pass 1 over the whole ring: the carver's list of starts in ring order,
 * and for each its flags: rec (it matched the header lines; the others
 * come from raw_locn) and pre. src and window: read the ring of the file
 * src through windows of that many bytes (0: through buf); parts: how many
 * (0: by the ring's size and the processors).
 *
 * A sector holds at most one start, so the list is made as long as the
 * ring has sectors (only what is written is touched) and each part writes
 * at its own first sector's index: no part's list is grown and copied,
 * and at the end the parts after the first are moved down behind it. If
 * that much cannot be had, one part grows its list as it goes.
 */
static int scan_parts(struct carver *c, struct mlvm_source *src, size_t window,
		      unsigned parts, bool **rec_out, struct pre **pre_out)
{
	struct part p[PARTS_MAX];
	pthread_t tid[PARTS_MAX];
	bool started[PARTS_MAX] = { false };
	uint64_t nsec = c->max;
	size_t n, t, total = 0;
	bool *rec = NULL;
	struct pre *pre = NULL;
	int rc = 0;

	*rec_out = NULL;
	*pre_out = NULL;
	n = parts;
	if (!n) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = (size_t)(c->T / PART_MIN);
		if (cpus > 0 && n > (size_t)cpus)
			n = (size_t)cpus;
	}
	if (n > PARTS_MAX)
		n = PARTS_MAX;
	if (n > nsec)
		n = (size_t)nsec;
	if (n < 1)
		n = 1;
	if (window > c->T)
		window = (size_t)c->T;
	c->g = mlvm_alloc_huge((size_t)nsec * sizeof(*c->g));
	rec = malloc((size_t)nsec * sizeof(*rec));
	pre = malloc((size_t)nsec * sizeof(*pre));
	if (!c->g || !rec || !pre) {
		free(c->g);
		free(rec);
		free(pre);
		c->g = NULL;
		rec = NULL;
		pre = NULL;
		n = 1;	/* grown as it goes */
	}
	for (t = 0; t < n; t++) {
		uint64_t first = nsec * t / n, last = nsec * (t + 1) / n;

		p[t] = (struct part){ .c = *c, .src = window ? src : NULL, .window = window,
				      .from = first * MLVM_SECTOR_SIZE,
				      .to = last * MLVM_SECTOR_SIZE };
		p[t].c.sx = NULL;
		p[t].c.n = p[t].c.mapped = 0;
		p[t].c.cap = c->g ? (size_t)(last - first) : 0;
		if (c->g) {
			p[t].c.g += first;
			p[t].rec = rec + first;
			p[t].pre = pre + first;
			p[t].rcap = (size_t)(last - first);
		}
	}
	for (t = 1; t < n; t++)
		started[t] = mlvm_thread_create(&tid[t], part_run, &p[t]) == 0;
	part_run(&p[0]);
	for (t = 1; t < n; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			part_run(&p[t]);	/* no thread: its share here */
	}
	for (t = 0; t < n; t++)
		if (p[t].err)
			rc = p[t].err;
	if (rc)
		goto out;
	if (!c->g) {
		c->g = p[0].c.g;
		c->cap = p[0].c.cap;
		c->mapped = p[0].c.mapped;
		rec = p[0].rec;
		pre = p[0].pre;
		total = p[0].c.n;
	} else {
		for (t = 0; t < n; t++) {
			size_t first = (size_t)(p[t].from / MLVM_SECTOR_SIZE);

			if (p[t].c.n && first != total) {
				memmove(c->g + total, c->g + first, p[t].c.n * sizeof(*c->g));
				memmove(rec + total, rec + first, p[t].c.n * sizeof(*rec));
				memmove(pre + total, pre + first, p[t].c.n * sizeof(*pre));
			}
			total += p[t].c.n;
		}
		c->cap = (size_t)nsec;
		c->mapped = total;
	}
	c->n = total;
	*rec_out = rec;
	*pre_out = pre;
	return 0;
out:
	if (p[0].c.g != c->g || !c->g) {	/* grown by the one part */
		free(p[0].c.g);
		free(p[0].rec);
		free(p[0].pre);
	}
	free(c->g);
	free(rec);
	free(pre);
	c->g = NULL;
	c->n = c->cap = c->mapped = 0;
	return rc;
}

static int carve(const uint8_t *buf, size_t area_size, enum carve_cut cut,
		 struct mlvm_source *src, size_t window, unsigned parts,
		 const struct mlvm_mda_header *hdr,
		 struct mlvm_generation **out, size_t *n,
		 struct mlvm_report *r, const char *image, uint64_t area_abs)
{
	struct carver c;
	uint64_t first_v = 0;
	bool *rec = NULL;
	struct pre *pre = NULL;
	size_t k, i;
	int rc, err = 0;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!buf || !out || !n)
		return -EINVAL;
	if (area_size < RING_START + MLVM_SECTOR_SIZE) {
		mlvm_warn(r, "carve_area_small", image, area_abs,
			  "metadata area of %zu bytes is too small to hold text", area_size);
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.area = area_size;
	c.T = area_size - RING_START;
	c.hdr = hdr;
	c.r = r;
	c.image = image;
	c.area_abs = area_abs;
	c.max = (c.T + MLVM_SECTOR_SIZE - 1) / MLVM_SECTOR_SIZE;
	c.cut = cut;

	rc = scan_parts(&c, src, window, parts, &rec, &pre);
	if (rc)
		goto fail;
	k = c.n;
	if (k == 0) {
		/* no start: fragments only, scanning the ring from after a NUL */
		uint64_t q = 0;

		if (cut != CARVE_CUT_NONE)
			rc = carve_gap(&c, 0, c.T, UINT64_MAX);	/* no wrap at a cut */
		else if (ring_find_nul(&c, 0, c.T, &q))
			rc = carve_gap(&c, q + 1, q + 1 + c.T, UINT64_MAX);
		else
			rc = carve_gap(&c, 0, c.T, UINT64_MAX);
		if (rc)
			goto fail;
	}
	c.sx = mlvm_syntax_base_new();	/* NULL: each copy checked from its start */
	if (k)
		first_v = c.g[0].offset - RING_START;
	for (i = 0; i < k; i++) {
		uint64_t v = c.g[i].offset - RING_START;
		uint64_t next = copy_stretch_end(&c, i, k);
		uint64_t end;

		end = fill_copy(&c, i, v, next - v, rec[i], pre ? pre[i].ok : -1,
				pre ? pre[i].nul : UINT64_MAX, &err);
		if (err) {
			rc = err;
			goto fail;
		}
		if (pre && pre[i].gap_zero)
			continue;	/* only zeros up to the next copy */
		rc = carve_gap(&c, end, next, v / MLVM_SECTOR_SIZE);
		if (rc)
			goto fail;
	}
	/* at a cut, the bytes before the first start are the tail of the
	 * ring past the cut (it wrapped beyond what we have): fragments */
	if (k && cut != CARVE_CUT_NONE && first_v) {
		rc = carve_gap(&c, c.T, c.T + first_v, UINT64_MAX);
		if (rc)
			goto fail;
	}
	free(rec);
	rec = NULL;
	free(pre);
	pre = NULL;
	mlvm_syntax_base_free(c.sx);
	c.sx = NULL;
	mark_slots(&c);
	if (c.n > 1) {
		rc = sort_gens(c.g, c.n);
		if (rc)
			goto fail;
	}
	if (!c.n) {
		free(c.g);
		c.g = NULL;
	}
	*out = c.g;
	*n = c.n;
	return 0;
fail:
	free(rec);
	free(pre);
	mlvm_syntax_base_free(c.sx);
	free(c.g);
	return rc;
}

int mlvm_carve_area(const uint8_t *buf, size_t area_size,
		    const struct mlvm_mda_header *hdr,
		    struct mlvm_generation **out, size_t *n,
		    struct mlvm_report *r, const char *image, uint64_t area_abs)
{
	return carve(buf, area_size, CARVE_CUT_NONE, NULL, 0, 0, hdr, out, n, r, image, area_abs);
}

/* g's text fits an area of area_size bytes: its buffer (g->size + 1
 * bytes) in *t, or -ERANGE, -ENOMEM */
static int text_start(size_t area_size, const struct mlvm_generation *g, char **text,
		      size_t *len, char **t)
{
	*text = NULL;
	if (len)
		*len = 0;
	if (area_size < RING_START + MLVM_SECTOR_SIZE || g->offset < RING_START ||
	    g->offset >= area_size || g->size > area_size - RING_START)
		return -ERANGE;
	*t = malloc((size_t)g->size + 1);
	return *t ? 0 : -ENOMEM;
}

/* t holds g's bytes: NUL-terminated, *len up to its first NUL */
static void text_finish(const struct mlvm_generation *g, char *t, char **text, size_t *len)
{
	t[g->size] = '\0';
	if (len)
		*len = (size_t)((char *)memchr(t, '\0', (size_t)g->size + 1) - t);
	*text = t;
}

int mlvm_carve_text(const uint8_t *buf, size_t area_size,
		    const struct mlvm_generation *g, char **text, size_t *len)
{
	struct carver c;
	char *t;
	int rc;

	rc = text_start(buf ? area_size : 0, g, text, len, &t);
	if (rc)
		return rc;
	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.area = area_size;
	c.T = area_size - RING_START;
	ring_copy(&c, g->offset - RING_START, g->size, (uint8_t *)t);
	text_finish(g, t, text, len);
	return 0;
}

int mlvm_carve_text_read(struct mlvm_source *s, uint64_t area_abs, size_t area_size,
			 const struct mlvm_generation *g, char **text, size_t *len)
{
	char *t;
	int rc;

	rc = text_start(area_size, g, text, len, &t);
	if (rc)
		return rc;
	rc = ring_pread(s, area_abs, area_size, g->offset - RING_START, g->size, (uint8_t *)t);
	if (rc) {
		free(t);
		return rc;
	}
	text_finish(g, t, text, len);
	return 0;
}

int mlvm_carve_parse(const uint8_t *buf, size_t area_size,
		     const struct mlvm_generation *g, struct cfg_tree **tree,
		     struct mlvm_report *r, const char *image, int64_t where)
{
	char *text;
	size_t len;
	int rc;

	*tree = NULL;
	rc = mlvm_carve_text(buf, area_size, g, &text, &len);
	if (rc)
		return rc;
	rc = cfg_parse(text, len, tree, r, image, where);
	if (rc)
		free(text);
	return rc;
}

int mlvm_carve_source(struct mlvm_source *s, uint64_t area_abs, uint64_t area_size,
		      const struct mlvm_mda_header *hdr,
		      struct mlvm_generation **out, size_t *n,
		      struct mlvm_report *r)
{
	return mlvm_carve_source_tuned(s, area_abs, area_size, hdr, WINDOW, 0, out, n, r);
}

int mlvm_carve_source_tuned(struct mlvm_source *s, uint64_t area_abs, uint64_t area_size,
			    const struct mlvm_mda_header *hdr, size_t window, unsigned parts,
			    struct mlvm_generation **out, size_t *n,
			    struct mlvm_report *r)
{
	uint64_t size = area_size, done;
	enum carve_cut cut = CARVE_CUT_NONE;
	uint8_t *buf;
	int rc;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!s || !out || !n)
		return -EINVAL;
	if (area_abs >= s->size) {
		mlvm_error(r, "carve_area_range", s->name, area_abs,
			   "metadata area starts past the end of the image");
		return -ERANGE;
	}
	if (size > s->size - area_abs) {
		mlvm_warn(r, "carve_area_cut", s->name, area_abs,
			  "metadata area of %llu bytes runs past the end of the image: carving %llu",
			  (unsigned long long)area_size,
			  (unsigned long long)(s->size - area_abs));
		size = s->size - area_abs;
		cut = CARVE_CUT_IMAGE;
	}
	if (size > MLVM_CARVE_MAX_AREA) {
		mlvm_warn(r, "carve_area_cut", s->name, area_abs,
			  "metadata area of %llu bytes is larger than %u: carving the first %u",
			  (unsigned long long)area_size, MLVM_CARVE_MAX_AREA,
			  MLVM_CARVE_MAX_AREA);
		size = MLVM_CARVE_MAX_AREA;
		cut = CARVE_CUT_LIMIT;
	}
	if (size < RING_START + MLVM_SECTOR_SIZE) {
		mlvm_warn(r, "carve_area_small", s->name, area_abs,
			  "metadata area of %llu bytes is too small to hold text",
			  (unsigned long long)size);
		return -EINVAL;
	}
	/* a file is carved through a read-only mapping (no 64 MiB copy), and
	 * read through small windows where it is looked at in full */
	{
		const void *map;
		void *cookie;

		if (!mlvm_source_map(s, area_abs, (size_t)size, 0, &map, &cookie)) {
			rc = carve(map, (size_t)size, cut, cookie ? s : NULL, window, parts,
				   hdr, out, n, r, s->name, area_abs);
			mlvm_source_unmap(cookie);
			return rc;
		}
	}
	buf = malloc((size_t)size);
	if (!buf)
		return -ENOMEM;
	for (done = 0; done < size; ) {
		size_t chunk = size - done > READ_CHUNK ? READ_CHUNK : (size_t)(size - done);

		rc = mlvm_source_read(s, buf + done, chunk, area_abs + done);
		if (rc) {
			mlvm_error(r, "carve_read", s->name, area_abs + done,
				   "cannot read metadata area: %s", strerror(-rc));
			free(buf);
			return rc;
		}
		done += chunk;
	}
	rc = carve(buf, (size_t)size, cut, NULL, 0, parts, hdr, out, n, r, s->name, area_abs);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------ standalone copies */

int mlvm_carve_description(const char *text, size_t len, char **out)
{
	static const char key[] = "description = \"";
	size_t i = 0, o = 0;
	char *d;

	*out = NULL;
	while (i < len) {
		if (len - i >= sizeof(key) - 1 && !memcmp(text + i, key, sizeof(key) - 1))
			break;
		while (i < len && text[i] != '\n')
			i++;
		i++;
	}
	if (i >= len)
		return 0;
	i += sizeof(key) - 1;
	d = malloc(len - i + 1);
	if (!d)
		return -ENOMEM;
	for (; i < len && text[i] != '"' && text[i] != '\n'; i++) {
		if (text[i] == '\\' && i + 1 < len)
			i++;
		d[o++] = text[i];
	}
	d[o] = '\0';
	*out = d;
	return 0;
}

/* the command of an archive's description: `Created *before* executing
 * 'CMD'` (or *after*) gives CMD, malloc'd in *command; NULL otherwise.
 * LVM2 quotes the command line as it was typed, quotes inside it included,
 * so CMD runs to the description's last quote. */
static int description_command(const char *d, char **command)
{
	static const char mark[] = "executing '";
	const char *a = strstr(d, mark), *e;

	*command = NULL;
	if (!a || strncmp(d, "Created ", 8))
		return 0;
	a += sizeof(mark) - 1;
	e = strrchr(a, '\'');
	if (!e || e == a)
		return 0;
	*command = strndup(a, (size_t)(e - a));
	return *command ? 0 : -ENOMEM;
}

/*
 * Where the VG section of a standalone copy starts: the first line `name {`
 * (len when there is none); *archive: the trailer's contents line comes
 * before it (comments and blank lines are allowed in either layout).
 */
static size_t find_vg_line(const char *text, size_t len, bool *archive)
{
	size_t i = 0;

	*archive = false;
	while (i < len) {
		size_t e = line_end(text, i, len), s = skip_blank(text, i, e);
		char name[128];

		if (s < e && text[s] != '#' && text[s] != '\r') {
			if (match_vg_line(text + s, len - s, name))
				return s;
			if (match_key(text, s, e, "contents"))
				*archive = true;
		}
		i = e + 1;
	}
	return len;
}

bool mlvm_carve_vg_section(const char *text, size_t len, size_t *off, size_t *n)
{
	bool archive;
	size_t at = find_vg_line(text, len, &archive), end;

	if (at >= len)
		return false;
	end = first_section_end(text + at, len - at);
	if (!end)
		return false;
	*off = at;
	*n = end;
	return true;
}

bool mlvm_carve_same_vg(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t ao, an, bo, bn, pa = 0, pb = 0;

	if (!mlvm_carve_vg_section(a, alen, &ao, &an) || !mlvm_carve_vg_section(b, blen, &bo, &bn))
		return false;
	a += ao;
	b += bo;
	for (;;) {
		struct mlvm_token x = { 0 }, y = { 0 };
		int tx = mlvm_lex_next(a, an, &pa, &x), ty = mlvm_lex_next(b, bn, &pb, &y);

		if (tx != ty || x.quote != y.quote || x.end - x.off != y.end - y.off ||
		    memcmp(a + x.off, b + y.off, x.end - x.off))
			return false;
		if (tx == MLVM_TOK_EOF)
			return true;
		if (tx == MLVM_TOK_UNTERMINATED || tx == MLVM_TOK_BAD)
			return false;
	}
}

int mlvm_carve_copy(const char *text, size_t len, struct mlvm_generation *g,
		    bool *archive_format, char **command)
{
	size_t vg_at;
	bool archive = false;
	const char *vgp;
	int rc;

	if (command)
		*command = NULL;
	if (archive_format)
		*archive_format = false;
	if (!text || !g)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->slot = -1;
	g->checksum_ok = -1;
	g->size = len;
	vg_at = find_vg_line(text, len, &archive);
	vgp = text + (vg_at < len ? vg_at : len);
	if (vg_at < len && !match_header(vgp, len - vg_at, g))
		scan_head(vgp, len - vg_at, true, g);
	scan_trailer(text, len, g);
	{
		bool thin = true;

		g->parse_ok = vg_at < len && mlvm_syntax_ok(text, len, g->vg_name, &thin);
		g->no_thin = g->parse_ok && !thin;
	}
	g->complete = vg_at < len &&
		(g->parse_ok || first_section_closes(vgp, len - vg_at));
	g->nul_found = false;
	if (!g->parse_ok || !g->vg_name[0] || !g->vg_id[0] || !g->seqno_known) {
		rc = lenient_fill(text, len, g);
		if (rc < 0)
			return rc;
	}
	if (archive_format)
		*archive_format = archive && vg_at < len;
	if (command) {
		char *whole = NULL;

		rc = mlvm_carve_description(text, len, &whole);
		if (rc)
			return rc;
		rc = description_command(whole ? whole : g->description, command);
		free(whole);
		return rc;
	}
	return 0;
}
