/*
 * scan.c - find LVM2 labels, metadata area headers and metadata text starts
 * at every 512-byte sector of an image.
 *
 * The hot loop looks at three 8-byte words per sector (+0, +4, +24) and,
 * with text starts asked for, at the first two bytes; a sector that matches
 * none of the constants costs a handful of compares, so the scan runs at
 * the speed the bytes arrive. Only sectors that pass that filter go through
 * check_sector(), which applies the exact rules of scan.h. The same
 * check_sector() handles a partial last sector, testing for each check that
 * its bytes are there.
 */
#include "disk/scan.h"
#include "io/readahead.h"
#include "base/units.h"
#include "disk/layout.h"
#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* 8 bytes as a little-endian word, to compare with ld64() of the bytes */
#define K8(a, b, c, d, e, f, g, h) \
	((uint64_t)(uint8_t)(a) | (uint64_t)(uint8_t)(b) << 8 | \
	 (uint64_t)(uint8_t)(c) << 16 | (uint64_t)(uint8_t)(d) << 24 | \
	 (uint64_t)(uint8_t)(e) << 32 | (uint64_t)(uint8_t)(f) << 40 | \
	 (uint64_t)(uint8_t)(g) << 48 | (uint64_t)(uint8_t)(h) << 56)

/* label: id and type (disk/layout.h); mda header: the two halves of its magic */
#define K_LABELONE	K8('L', 'A', 'B', 'E', 'L', 'O', 'N', 'E')
#define K_LABELONE_S	K8('M', 'B', 'C', 'F', 'M', 'P', 'O', 'F')
#define K_LVM2		K8('L', 'V', 'M', '2', ' ', '0', '0', '1')
#define K_JOUR		K8('J', 'O', 'U', 'R', ' ', '0', '0', '1')
#define K_LVM2_S	K8('M', 'W', 'N', '3', '!', '1', '1', '2')
#define K_JOUR_S	K8('K', 'P', 'V', 'S', '!', '1', '1', '2')
/* mda header magics at +4, in two halves: " LVM2 x[5A%r0N*>" */
#define K_MDA_A		K8(' ', 'L', 'V', 'M', '2', ' ', 'x', '[')
#define K_MDA_B		K8('5', 'A', '%', 'r', '0', 'N', '*', '>')
#define K_JRN_A		K8('J', 'O', 'U', 'R', 'N', 'A', 'L', 'L')
#define K_JRN_B		K8('E', 'D', '!', '1', '!', '1', '!', '!')
#define K_MDA_SA	K8('!', 'M', 'W', 'N', '3', '!', 'y', '\\')
#define K_MDA_SB	K8('6', 'B', '&', 's', '1', 'O', '+', '?')
#define K_JRN_SA	K8('K', 'P', 'V', 'S', 'O', 'B', 'M', 'M')
#define K_JRN_SB	K8('F', 'E', '"', '2', '"', '2', '"', '"')

/* LVM names: [A-Za-z0-9._+-], as bit masks over the characters 0..127 */
#define NAME_LO ((1ull << '+') | (1ull << '-') | (1ull << '.') | (0x3ffull << '0'))
#define NAME_HI ((0x3ffffffull << ('A' - 64)) | (1ull << ('_' - 64)) | \
		 (0x3ffffffull << ('a' - 64)))
#define NAME_MAX_LEN 127

struct scan_ctx {
	bool text;
	size_t max_hits;
	struct mlvm_hit **hits;
	size_t *n;
	size_t *cap;
	bool *truncated;
};

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* is c an LVM name's byte? Its bit, 0 or 1, found without branches */
static inline unsigned name_bit(uint8_t c)
{
	uint64_t m = (c & 64) ? NAME_HI : NAME_LO;

	return (unsigned)(m >> (c & 63) & 1) & (unsigned)(c < 128);
}

static inline bool is_name(uint8_t c)
{
	return name_bit(c) != 0;
}

/*
 * Could a text start (text_start) begin at p, of two bytes at least? Its
 * first two steps, exactly: a name's byte but '-', then another, a blank or
 * '{'. In random bytes one sector in four passes is_name alone, at random:
 * a mispredicted branch, then check_sector. One in fifteen passes both,
 * their bits and-ed without branches (perf of history --deep over 4 GiB:
 * the scan loop and check_sector 15.5 % of the run before, 10.3 % after).
 */
static inline bool text_candidate(const uint8_t *p)
{
	uint8_t a = p[0], b = p[1];

	return (name_bit(a) & (unsigned)(a != '-') &
		(name_bit(b) | (unsigned)(b == ' ') | (unsigned)(b == '\t') | (unsigned)(b == '{'))) != 0;
}

static size_t skip_blanks(const uint8_t *p, size_t i, size_t avail)
{
	while (i < avail && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* `<name> {\n` then `id = "` (see scan.h), all within p[0..avail) */
static bool text_start(const uint8_t *p, size_t avail)
{
	size_t i = 0;

	if (avail == 0 || !is_name(p[0]) || p[0] == '-')
		return false;
	while (i < avail && i <= NAME_MAX_LEN && is_name(p[i]))
		i++;
	if (i > NAME_MAX_LEN)
		return false;
	if (p[0] == '.' && (i == 1 || (i == 2 && p[1] == '.')))
		return false;
	i = skip_blanks(p, i, avail);
	if (i >= avail || p[i] != '{')
		return false;
	i = skip_blanks(p, i + 1, avail);
	if (i >= avail || p[i] != '\n')
		return false;
	i = skip_blanks(p, i + 1, avail);
	if (avail - i < 2 || p[i] != 'i' || p[i + 1] != 'd')
		return false;
	i = skip_blanks(p, i + 2, avail);
	if (i >= avail || p[i] != '=')
		return false;
	i = skip_blanks(p, i + 1, avail);
	return i < avail && p[i] == '"';
}

/* 0, 1 when max_hits stopped the scan, or -ENOMEM */
static int add_hit(struct scan_ctx *c, enum mlvm_hit_kind kind, uint64_t off)
{
	if (*c->n >= c->max_hits) {
		*c->truncated = true;
		return 1;
	}
	if (*c->n == *c->cap) {
		size_t ncap = *c->cap ? *c->cap * 2 : 64;
		struct mlvm_hit *h;

		if (ncap > c->max_hits)
			ncap = c->max_hits;
		if (ncap > SIZE_MAX / sizeof(*h))
			return -ENOMEM;
		h = realloc(*c->hits, ncap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		*c->hits = h;
		*c->cap = ncap;
	}
	(*c->hits)[*c->n].kind = kind;
	(*c->hits)[*c->n].offset = off;
	(*c->n)++;
	return 0;
}

/* The exact checks for one sector of avail (1..512) bytes at offset off. */
static int check_sector(struct scan_ctx *c, const uint8_t *p, size_t avail, uint64_t off)
{
	uint64_t w0 = avail >= MLVM_LABEL_ID_OFF + 8 ? ld64(p + MLVM_LABEL_ID_OFF) : 0;
	uint64_t w24 = avail >= MLVM_LABEL_TYPE_OFF + 8 ? ld64(p + MLVM_LABEL_TYPE_OFF) : 0;
	int rc = 0;

	if (w0 == K_LABELONE || w24 == K_LVM2 || w24 == K_JOUR)
		rc = add_hit(c, MLVM_HIT_LABEL, off);
	else if (w0 == K_LABELONE_S && (w24 == K_LVM2_S || w24 == K_JOUR_S))
		rc = add_hit(c, MLVM_HIT_LABEL_SHIFTED, off);
	if (rc)
		return rc;
	if (avail >= MLVM_MDA_MAGIC_OFF + MLVM_MDA_MAGIC_LEN) {
		uint64_t a = ld64(p + MLVM_MDA_MAGIC_OFF), b = ld64(p + MLVM_MDA_MAGIC_OFF + 8);

		if (a == K_MDA_A && b == K_MDA_B)
			rc = add_hit(c, MLVM_HIT_MDA, off);
		else if (a == K_JRN_A && b == K_JRN_B)
			rc = add_hit(c, MLVM_HIT_MDA_JOURNALLED, off);
		else if ((a == K_MDA_SA && b == K_MDA_SB) || (a == K_JRN_SA && b == K_JRN_SB))
			rc = add_hit(c, MLVM_HIT_MDA_SHIFTED, off);
		if (rc)
			return rc;
	}
	if (c->text && text_start(p, avail))
		rc = add_hit(c, MLVM_HIT_TEXT, off);
	return rc;
}

/* Could this full sector hold anything? Word compares only. */
static inline bool candidate(const uint8_t *p, bool text)
{
	uint64_t w0 = ld64(p + MLVM_LABEL_ID_OFF), w4 = ld64(p + MLVM_MDA_MAGIC_OFF);
	uint64_t w24 = ld64(p + MLVM_LABEL_TYPE_OFF);

	return w0 == K_LABELONE || w0 == K_LABELONE_S ||
	       w24 == K_LVM2 || w24 == K_JOUR ||
	       w4 == K_MDA_A || w4 == K_JRN_A || w4 == K_MDA_SA || w4 == K_JRN_SA ||
	       (text && text_candidate(p));
}

const char *mlvm_hit_kind_name(enum mlvm_hit_kind kind)
{
	switch (kind) {
	case MLVM_HIT_LABEL:
		return "label";
	case MLVM_HIT_LABEL_SHIFTED:
		return "label_shifted";
	case MLVM_HIT_MDA:
		return "mda";
	case MLVM_HIT_MDA_JOURNALLED:
		return "mda_journalled";
	case MLVM_HIT_MDA_SHIFTED:
		return "mda_shifted";
	case MLVM_HIT_TEXT:
		return "text";
	}
	return "?";
}

int mlvm_scan_buffer(const uint8_t *buf, size_t len, uint64_t base,
		     const struct mlvm_scan_opts *o, struct mlvm_hit **hits,
		     size_t *n, size_t *cap, bool *truncated)
{
	struct scan_ctx c;
	uint64_t lo, hi, first;
	size_t i, limit;
	int rc;

	if (!hits || !n || !cap || !truncated || (!buf && len) || *n > *cap)
		return -EINVAL;
	c.text = o && o->text;
	c.max_hits = o && o->max_hits ? o->max_hits : MLVM_SCAN_MAX_HITS_DEFAULT;
	c.hits = hits;
	c.n = n;
	c.cap = cap;
	c.truncated = truncated;

	/* the absolute range to look at: buffer, options, then sector starts */
	lo = base;
	hi = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	if (o && o->start > lo)
		lo = o->start;
	if (o && o->end && o->end < hi)
		hi = o->end;
	if (lo >= hi || lo > UINT64_MAX - (MLVM_SECTOR_SIZE - 1))
		return 0;
	first = (lo + MLVM_SECTOR_SIZE - 1) & ~(uint64_t)(MLVM_SECTOR_SIZE - 1);
	if (first >= hi)
		return 0;
	i = (size_t)(first - base);
	limit = (size_t)(hi - base);

	for (; limit - i >= MLVM_SECTOR_SIZE; i += MLVM_SECTOR_SIZE) {
		if (__builtin_expect(!candidate(buf + i, c.text), 1))
			continue;
		rc = check_sector(&c, buf + i, MLVM_SECTOR_SIZE, base + i);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	if (i < limit) {
		rc = check_sector(&c, buf + i, limit - i, base + i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* the hits of one piece, found on a reader thread (mlvm_scan_source) */
struct piece_hits {
	struct mlvm_hit *v;
	size_t n, cap;
	bool truncated;		/* more than max_hits in this piece alone */
	int rc;
};

struct scan_work {
	const struct mlvm_scan_opts *o;
	struct piece_hits slot[MLVM_READAHEAD_MAX_SLOTS];
};

/* on a reader thread: the piece's own hits, into its slot */
static void scan_piece(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t base)
{
	struct scan_work *w = ctx;
	struct piece_hits *p = &w->slot[slot];

	if (w->o->piece_work)
		w->o->piece_work(w->o->piece_ctx, slot, buf, len, base);
	p->n = 0;
	p->truncated = false;
	p->rc = mlvm_scan_buffer(buf, len, base, w->o, &p->v, &p->n, &p->cap, &p->truncated);
}

/* a piece's hits after those before it, as one mlvm_scan_buffer call over
 * the whole range would have left them: 0, or -ENOMEM */
static int join_hits(const struct piece_hits *p, size_t max_hits, struct mlvm_hit **hits,
		     size_t *n, size_t *cap, bool *truncated)
{
	size_t take = p->n, room = max_hits - *n;

	if (take > room)
		take = room;
	if (*n + take > *cap) {
		size_t ncap = *cap ? *cap : 64;
		struct mlvm_hit *h;

		while (ncap < *n + take)
			ncap *= 2;
		if (ncap > max_hits)
			ncap = max_hits;
		if (ncap > SIZE_MAX / sizeof(*h))
			return -ENOMEM;
		h = realloc(*hits, ncap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		*hits = h;
		*cap = ncap;
	}
	if (take)
		memcpy(*hits + *n, p->v, take * sizeof(*p->v));
	*n += take;
	if (take < p->n || p->truncated)
		*truncated = true;
	return 0;
}

int mlvm_scan_source(struct mlvm_source *s, const struct mlvm_scan_opts *o,
		     struct mlvm_hit **hits, size_t *n, bool *truncated)
{
	struct mlvm_scan_opts opts = { 0 };
	struct scan_work *w;
	uint64_t pos, end;
	size_t cap = 0, bufsize, max_hits, i;
	struct mlvm_readahead *ra = NULL;
	int rc = 0;

	if (hits)
		*hits = NULL;
	if (n)
		*n = 0;
	if (truncated)
		*truncated = false;
	if (!s || !hits || !n || !truncated)
		return -EINVAL;
	if (o)
		opts = *o;
	end = opts.end && opts.end < s->size ? opts.end : s->size;
	if (opts.start >= end || opts.start > UINT64_MAX - (MLVM_SECTOR_SIZE - 1))
		return 0;
	pos = (opts.start + MLVM_SECTOR_SIZE - 1) & ~(uint64_t)(MLVM_SECTOR_SIZE - 1);
	if (pos >= end)
		return 0;
	opts.start = pos;
	opts.end = end;
	max_hits = opts.max_hits ? opts.max_hits : MLVM_SCAN_MAX_HITS_DEFAULT;
	bufsize = end - pos < MLVM_SCAN_CHUNK ? (size_t)(end - pos) : MLVM_SCAN_CHUNK;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->o = &opts;
	/* the pieces, page-aligned (the kernel's copy out of the page cache
	 * runs about twice as fast into an aligned buffer: 5 vs 10 GB/s),
	 * read and searched on reader threads, each piece by the core that
	 * copied it, while its bytes are in that core's cache: with the copy
	 * on one thread and the search on another, scan --deep of a 4 GiB
	 * image ran at 0.67 of dd (MLVM_IO_THREADS=0: serial) */
	rc = mlvm_readahead_open_work(s, pos, end, bufsize,
				      mlvm_io_threads(MLVM_READAHEAD_MAX_READERS), scan_piece, w,
				      &ra);
	if (rc < 0) {
		free(w);
		return rc;
	}

	/* chunks start at sector boundaries and are whole sectors except the
	 * last, so every sector is looked at exactly once */
	while (!*truncated) {
		const uint8_t *buf;
		size_t got;
		unsigned slot = 0;

		rc = mlvm_readahead_next_slot(ra, &buf, &got, &pos, &slot);
		if (rc <= 0)
			break;
		if (opts.piece && (rc = opts.piece(opts.piece_ctx, slot, buf, got, pos)) < 0)
			break;
		rc = w->slot[slot].rc;
		if (rc == 0)
			rc = join_hits(&w->slot[slot], max_hits, hits, n, &cap, truncated);
		if (rc < 0)
			break;
	}
	mlvm_readahead_close(ra);
	for (i = 0; i < MLVM_READAHEAD_MAX_SLOTS; i++)
		free(w->slot[i].v);
	free(w);
	if (rc < 0) {
		free(*hits);
		*hits = NULL;
		*n = 0;
		*truncated = false;
		return rc;
	}
	if (*n == 0) {
		free(*hits);
		*hits = NULL;
	}
	return 0;
}
