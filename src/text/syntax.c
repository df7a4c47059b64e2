/*
 * syntax.c - the carver's syntax check, from the first byte or against the
 * text checked before it (syntax.h says why the second gives the same
 * answer).
 */
#include "text/syntax.h"
#include "text/config.h"
#include "text/lex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* config.h's limits; tests/unit/test_syntax.c builds this file with small
 * ones so that the limits are met in texts of a few hundred bytes */
#ifndef MLVM_SYNTAX_MAX_DEPTH
#define MLVM_SYNTAX_MAX_DEPTH MLVM_CFG_MAX_DEPTH
#endif
#ifndef MLVM_SYNTAX_MAX_NODES
#define MLVM_SYNTAX_MAX_NODES MLVM_CFG_MAX_NODES
#endif
#ifndef MLVM_SYNTAX_MAX_TEXT
#define MLVM_SYNTAX_MAX_TEXT MLVM_CFG_MAX_TEXT
#endif

/* a boundary is noted when it lies this far past the last one noted: the
 * notes of a text take at most 20 bytes per 64 of it, whatever the text */
#define MARK_GAP 64
/* bytes hashed at a boundary to find it in the previous text */
#define WINDOW 32
/* after this many boundaries in a row where no skip was found, look only
 * at every 16th */
#define MAX_MISSES 16

/* ------------------------------------------------------------ the grammar */

/* a bare run used as a value: a word, or a number config.c accepts */
static bool value_ok(const char *s, const struct mlvm_token *t)
{
	return mlvm_lex_short_int(s + t->off, t->end - t->off) ||
	       mlvm_lex_number(s + t->off, t->end - t->off, NULL, NULL) <= MLVM_NUM_FLOAT;
}

static bool key_ok(const struct mlvm_token *t)
{
	return t->type == MLVM_TOK_STR ? t->end > t->off : t->all_key;
}

/* v is the string value "thin" (a thin LV's segment type, as in
 * mlvm_thin_removed_list's search) */
static bool is_thin(const char *s, const struct mlvm_token *v)
{
	return v->type == MLVM_TOK_STR && v->end - v->off == 4 && !memcmp(s + v->off, "thin", 4);
}

/* the check's state at a statement boundary */
struct state {
	size_t pos;
	size_t nodes;		/* counted as config.c counts them (the root is 1) */
	size_t vgs;		/* top-level sections named vg_name begun */
	size_t thins;		/* string values "thin" met */
	int depth;
	bool cs;		/* the first top-level `contents` was met ... */
	bool cok;		/* ... and its value is right */
};

/* a noted boundary: a struct state in 20 bytes (MLVM_SYNTAX_MAX_TEXT and
 * _NODES fit 32 bits, _DEPTH 8) */
struct mark {
	uint32_t pos, nodes, vgs, thins;
	uint8_t depth, cs, cok;
};

struct mlvm_syntax_base {
	/* the text checked before, and its notes, by place */
	const char *text;
	size_t n;
	char *owned;		/* the buffer of text when the base keeps it */
	char vg_name[128];
	bool named;		/* vg_name holds the name it was checked with */
	struct mark *m;
	size_t nm, cap;
	/* hash of each noted boundary's next WINDOW bytes, built when first
	 * wanted: slots of mark index + 1 (0 free) and the hash */
	uint32_t *slot;
	uint64_t *hv;
	size_t mask;
	bool hashed;
	/* the notes of the text being checked */
	struct mark *nw;
	size_t nn, ncap;
	bool noting;		/* false once a note could not be kept */
	int64_t delta;		/* previous place minus new place at the last skip */
	unsigned off_shift;	/* boundaries in a row whose bytes differ at delta */
	size_t skipped;		/* bytes not read again, over all texts */
};

/* room for k more notes; false when out of memory */
static bool reserve(struct mlvm_syntax_base *b, size_t k)
{
	size_t cap = b->ncap ? b->ncap : 64;
	struct mark *nw;

	if (b->ncap - b->nn >= k)
		return true;
	while (cap - b->nn < k)
		cap *= 2;
	nw = realloc(b->nw, cap * sizeof(*nw));
	if (!nw)
		return false;
	b->nw = nw;
	b->ncap = cap;
	return true;
}

static void put(struct mark *m, const struct state *st)
{
	m->pos = (uint32_t)st->pos;
	m->nodes = (uint32_t)st->nodes;
	m->vgs = (uint32_t)st->vgs;
	m->thins = (uint32_t)st->thins;
	m->depth = (uint8_t)st->depth;
	m->cs = st->cs;
	m->cok = st->cok;
}

static void note(struct mlvm_syntax_base *b, const struct state *st)
{
	if (!b->noting)
		return;
	if (!reserve(b, 1)) {
		b->noting = false;	/* the notes so far are still right */
		return;
	}
	put(&b->nw[b->nn++], st);
}

/* ------------------------------------------------------------ skipping */

/* how many bytes x and y have in common from their start, up to max */
static size_t common(const char *x, const char *y, size_t max)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; i + 16 <= max; i += 16) {
		unsigned eq = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(x + i)),
				       _mm_loadu_si128((const __m128i *)(const void *)(y + i))));

		if (eq != 0xffff)
			return i + (size_t)__builtin_ctz(~eq);
	}
#endif
	while (i < max && x[i] == y[i])
		i++;
	return i;
}

/* a hash of the WINDOW bytes at p (fewer when the text ends first) and of
 * the grammar state that must match there */
static uint64_t window_hash(const char *p, size_t avail, int depth, bool cs)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)depth << 1 | cs);
	size_t i, l = avail < WINDOW ? avail : WINDOW;

	h ^= (uint64_t)l << 56;
	for (i = 0; i + 8 <= l; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < l; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return h;
}

/* the hash table of the base's marks; false when out of memory */
static bool build_hash(struct mlvm_syntax_base *b)
{
	size_t size = 16, i;

	while (size < 2 * b->nm)
		size *= 2;
	free(b->slot);
	free(b->hv);
	b->slot = calloc(size, sizeof(*b->slot));
	b->hv = malloc(size * sizeof(*b->hv));
	if (!b->slot || !b->hv) {
		free(b->slot);
		free(b->hv);
		b->slot = NULL;
		b->hv = NULL;
		return false;
	}
	b->mask = size - 1;
	for (i = 0; i < b->nm; i++) {
		const struct mark *m = &b->m[i];
		uint64_t h = window_hash(b->text + m->pos, b->n - m->pos, m->depth, m->cs);
		size_t k = (size_t)h & b->mask;

		/* the same bytes at several marks: the first one stays */
		while (b->slot[k] && b->hv[k] != h)
			k = (k + 1) & b->mask;
		if (!b->slot[k]) {
			b->slot[k] = (uint32_t)(i + 1);
			b->hv[k] = h;
		}
	}
	b->hashed = true;
	return true;
}

/* the first of the base's marks from lo on that is at pos or past it */
static size_t mark_from(const struct mlvm_syntax_base *b, size_t lo, size_t pos)
{
	size_t hi = b->nm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->m[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* the base's mark at exactly pos, or nm */
static size_t mark_at(const struct mlvm_syntax_base *b, size_t pos)
{
	size_t i = mark_from(b, 0, pos);

	return i < b->nm && b->m[i].pos == pos ? i : b->nm;
}

/*
 * Go on from the base's mark i (its depth and `contents` state are st's):
 * to the last mark j before the end of the bytes the two texts share from
 * there. Returns false when there is no such mark past i.
 */
static bool jump(struct mlvm_syntax_base *b, const char *s, size_t n, struct state *st, size_t i)
{
	const struct mark *mi = &b->m[i];
	size_t a = mi->pos, lim, lo, k;
	struct state t = *st;

	lim = a + common(s + st->pos, b->text + a, n - st->pos < b->n - a ? n - st->pos : b->n - a);
	/* up to the last mark j with pos < lim: the lexer has read the byte
	 * at a boundary (a bare word ends there), so that byte must be shared
	 * too; lo is j + 1 */
	lo = mark_from(b, i + 1, lim);
	if (lo == i + 1)
		return false;
	b->delta = (int64_t)a - (int64_t)st->pos;
	/* the base's boundaries in between are the new text's too, shifted,
	 * with the counts added since mark i */
	if (b->noting && !reserve(b, lo - i - 1))
		b->noting = false;
	for (k = i + 1; k < lo; k++) {
		const struct mark *m = &b->m[k];

		t.pos = st->pos + (m->pos - a);
		t.nodes = st->nodes + (m->nodes - mi->nodes);
		t.vgs = st->vgs + (m->vgs - mi->vgs);
		t.thins = st->thins + (m->thins - mi->thins);
		t.depth = m->depth;
		t.cs = m->cs;
		t.cok = mi->cs ? st->cok : m->cok;
		if (b->noting)
			put(&b->nw[b->nn++], &t);
	}
	b->skipped += t.pos - st->pos;
	*st = t;	/* over the node limit: the caller fails the text */
	return true;
}

/* at a boundary of the new text: skip what the previous text shares */
static bool try_skip(struct mlvm_syntax_base *b, const char *s, size_t n, struct state *st)
{
	int64_t a = (int64_t)st->pos + b->delta;
	size_t i = b->nm, k;
	uint64_t h;

	if (a >= 0 && (uint64_t)a < b->n) {
		i = mark_at(b, (size_t)a);
		if (i < b->nm && b->m[i].depth == st->depth && b->m[i].cs == st->cs &&
		    jump(b, s, n, st, i)) {
			b->off_shift = 0;
			return true;
		}
		/* the same bytes at the last shift: it is right, there is just
		 * no mark to go to yet */
		if (common(s + st->pos, b->text + a,
			   n - st->pos < b->n - (size_t)a ? n - st->pos : b->n - (size_t)a) >= WINDOW) {
			b->off_shift = 0;
			return false;
		}
	}
	/* other bytes at the last shift: a statement was changed in place
	 * (the next boundary is back in step) or text was added or removed;
	 * look the bytes up from the second boundary out of step on */
	if (++b->off_shift < 2)
		return false;
	if (!b->hashed && !build_hash(b))
		return false;
	h = window_hash(s + st->pos, n - st->pos, st->depth, st->cs);
	for (k = (size_t)h & b->mask; b->slot[k]; k = (k + 1) & b->mask) {
		size_t c = b->slot[k] - 1;

		if (b->hv[k] != h)
			continue;
		/* depth and cs are in the hash; compared again for a collision */
		if (c == i || b->m[c].depth != st->depth || b->m[c].cs != st->cs ||
		    !jump(b, s, n, st, c))
			return false;
		b->off_shift = 0;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ the check */

/* with b: note the boundaries in b->nw, and skip with b's text when use */
static bool check(struct mlvm_syntax_base *b, bool use, const char *s, size_t n,
		  const char *vg_name, bool *thin)
{
	struct mlvm_token key, v;
	struct state st = { .nodes = 1 };
	unsigned misses = 0, tick = 0;
	bool skipped = false;

	if (n > MLVM_SYNTAX_MAX_TEXT)
		return false;
	for (;;) {
		int k, t;
		bool top_contents;

		if (b && !skipped) {
			if (!b->nn || st.pos >= b->nw[b->nn - 1].pos + MARK_GAP)
				note(b, &st);
			if (use && (misses < MAX_MISSES || !(++tick & 15))) {
				if (try_skip(b, s, n, &st)) {
					if (st.nodes > MLVM_SYNTAX_MAX_NODES)
						return false;
					misses = 0;
					skipped = true;	/* lex at least one statement now */
					continue;
				}
				misses++;
			}
		}
		skipped = false;
		k = mlvm_lex_next(s, n, &st.pos, &key);
		if (k == MLVM_TOK_EOF) {
			if (st.depth == 0 && st.vgs && st.cok) {
				*thin = st.thins > 0;
				return true;
			}
			return false;
		}
		if (k == MLVM_TOK_RBRACE) {
			if (!st.depth--)
				return false;
			continue;
		}
		if ((k != MLVM_TOK_RUN && k != MLVM_TOK_STR) || !key_ok(&key))
			return false;
		t = mlvm_lex_next(s, n, &st.pos, &v);
		if (t == MLVM_TOK_LBRACE) {
			if (st.depth >= MLVM_SYNTAX_MAX_DEPTH || st.nodes >= MLVM_SYNTAX_MAX_NODES)
				return false;
			st.nodes++;
			if (!st.depth && (!vg_name[0] || mlvm_lex_equals(s, &key, vg_name)))
				st.vgs++;
			if (!st.depth && !st.cs && mlvm_lex_equals(s, &key, "contents"))
				st.cs = true;	/* a section: not a string */
			st.depth++;
			continue;
		}
		if (t != MLVM_TOK_EQ)
			return false;
		top_contents = !st.depth && !st.cs && mlvm_lex_equals(s, &key, "contents");
		t = mlvm_lex_next(s, n, &st.pos, &v);
		if (t != MLVM_TOK_LBRACK && t != MLVM_TOK_STR && t != MLVM_TOK_RUN)
			return false;
		if (t == MLVM_TOK_LBRACK && st.depth >= MLVM_SYNTAX_MAX_DEPTH)
			return false;
		if (st.nodes >= MLVM_SYNTAX_MAX_NODES)
			return false;
		st.nodes++;
		if (top_contents) {
			st.cs = true;
			st.cok = t == MLVM_TOK_STR && mlvm_lex_equals(s, &v, "Text Format Volume Group");
		}
		if (t == MLVM_TOK_RUN && !value_ok(s, &v))
			return false;
		st.thins += is_thin(s, &v);
		if (t == MLVM_TOK_LBRACK) {
			bool comma_ok = false;

			for (;;) {
				t = mlvm_lex_next(s, n, &st.pos, &v);
				if (t == MLVM_TOK_RBRACK)
					break;
				if (t == MLVM_TOK_COMMA) {
					if (!comma_ok)
						return false;
					comma_ok = false;
					continue;
				}
				if (t != MLVM_TOK_STR && t != MLVM_TOK_RUN)
					return false;
				if (st.nodes >= MLVM_SYNTAX_MAX_NODES)
					return false;
				st.nodes++;
				if (t == MLVM_TOK_RUN && !value_ok(s, &v))
					return false;
				st.thins += is_thin(s, &v);
				comma_ok = true;
			}
		}
	}
}

bool mlvm_syntax_ok(const char *s, size_t n, const char *vg_name, bool *thin)
{
	return check(NULL, false, s, n, vg_name, thin);
}

struct mlvm_syntax_base *mlvm_syntax_base_new(void)
{
	return calloc(1, sizeof(struct mlvm_syntax_base));
}

void mlvm_syntax_base_free(struct mlvm_syntax_base *b)
{
	if (!b)
		return;
	free(b->owned);
	free(b->m);
	free(b->nw);
	free(b->slot);
	free(b->hv);
	free(b);
}

bool mlvm_syntax_check(struct mlvm_syntax_base *b, const char *s, size_t n,
		       const char *vg_name, bool *thin, char **own)
{
	size_t vl = strlen(vg_name), cap;
	struct mark *swap;
	bool use, ok;

	if (!b)
		return check(NULL, false, s, n, vg_name, thin);
	use = b->text && b->named && !strcmp(b->vg_name, vg_name);
	b->nn = 0;
	b->noting = true;
	b->delta = 0;
	b->off_shift = 0;
	ok = check(b, use, s, n, vg_name, thin);
	/* s is the text the next one is checked against */
	free(b->owned);
	b->owned = NULL;
	if (own) {
		b->owned = *own;
		*own = NULL;
	}
	b->text = s;
	b->n = n;
	b->named = vl < sizeof(b->vg_name);
	if (b->named)
		memcpy(b->vg_name, vg_name, vl + 1);
	swap = b->m;
	b->m = b->nw;
	b->nw = swap;
	b->nm = b->nn;
	cap = b->cap;
	b->cap = b->ncap;
	b->ncap = cap;
	b->nn = 0;
	b->hashed = false;
	return ok;
}

void mlvm_syntax_base_forget(struct mlvm_syntax_base *b)
{
	if (!b)
		return;
	free(b->owned);
	b->owned = NULL;
	b->text = NULL;
	b->n = 0;
	b->nm = 0;
	b->hashed = false;
}

size_t mlvm_syntax_skipped(const struct mlvm_syntax_base *b)
{
	return b ? b->skipped : 0;
}
