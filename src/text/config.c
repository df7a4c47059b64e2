/*
 * config.c - in-place parser for LVM2 metadata text (libdm config syntax).
 *
 * Limits (all give -E2BIG, with the line and column where they were hit):
 *   MLVM_CFG_MAX_DEPTH   sections and arrays nested together; the root is
 *                        depth 0, so "a { b = [ 1 ] }" reaches depth 2.
 *                        Nothing recurses: open sections live on a fixed
 *                        stack of MLVM_CFG_MAX_DEPTH + 1 frames, and the
 *                        fix-up walk uses a stack of the same bound.
 *   MLVM_CFG_MAX_TEXT    bytes of text up to the first NUL.
 *   MLVM_CFG_MAX_NODES   nodes in the tree, the root included.
 * A float token longer than MLVM_LEX_FLOAT_MAX_LEN bytes is an "invalid
 * number" (-EINVAL); integers of any length are read without copying.
 *
 * Tokens, character classes, escapes and the number rules are text/lex.h's
 * (shared with the carver's syntax check). Nothing tracks lines while
 * parsing: an error's line and column are counted from the text once.
 *
 * Two passes, so that a failed parse leaves the caller's text untouched:
 *  1. tokenize and build the tree without writing to the text; nodes point
 *     at the first byte of their key or string, and a few flags in
 *     cfg_node.quote say how each was written;
 *  2. once the tree is kept, walk it and NUL-terminate keys and strings
 *     where they lie (removing \" and \\ escapes), then set quote to its
 *     public meaning. Tokens never overlap, and the byte after a token is
 *     never part of another token's content, so the order does not matter.
 * A large text is parsed on two threads, both passes ("split parse" and
 * fix_all below).
 * The only token that can end exactly at len with no byte left for a NUL is
 * a bare word value at the very end of a text without a NUL; that one is
 * copied into the arena in pass 1.
 *
 * Numbers: see text/lex.h (mlvm_lex_number).
 *
 * Lenient parsing stops at the first error (a syntax error, or the depth or
 * node limit) and keeps every complete item before it: sections are linked
 * in when their '{' is read, so open ones stay; a scalar or an array item is
 * linked in only once its value (its ']') is complete, so a cut item goes.
 */
#include "text/config.h"
#include "base/report.h"
#include "text/lex.h"
#include "base/util.h"
#include "io/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FIRST 4096u
#define CHUNK_MAX (2u << 20)	/* doubling up to a huge page (mlvm_alloc_huge) */

/* pass-1 flags kept in cfg_node.quote until the fix-up pass */
#define F_KEY_DQ 0x01	/* key was "double-quoted" */
#define F_KEY_SQ 0x02	/* key was 'single-quoted' */
#define F_VAL_DQ 0x04
#define F_VAL_SQ 0x08
#define F_VAL_COPIED 0x10	/* v.s already points to a terminated copy */

/* ------------------------------------------------------------ arena */

struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	size_t mapped;	/* data[0 .. mapped) prefaulted (mlvm_prefault) */
	max_align_t data[];
};

/* pages of a chunk are mapped this much at a time ahead of use: one call
 * instead of 64 page faults, and at most this much mapped and unused */
#define PREFAULT_STEP (256u << 10)

static void arena_free(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
}

/* n bytes aligned to align (a power of two up to max_align_t), not zeroed */
static void *arena_alloc_raw(struct chunk **arena, size_t n, size_t align)
{
	struct chunk *c = *arena;
	size_t total, cap;
	void *ptr;

	if (c)
		c->used = (c->used + align - 1) & ~(align - 1);
	if (c && c->used > c->size)
		c->used = c->size;
	if (!c || c->size - c->used < n) {
		total = c ? (c->size + sizeof(*c)) * 2 : CHUNK_FIRST;
		if (total > CHUNK_MAX)
			total = CHUNK_MAX;
		cap = total - sizeof(*c);
		if (cap < n) {
			cap = n;
			total = n + sizeof(*c);
		}
		c = mlvm_alloc_huge(total);
		if (!c)
			return NULL;
		c->next = *arena;
		c->used = 0;
		c->size = cap;
		c->mapped = 0;
		*arena = c;
	}
	ptr = (char *)c->data + c->used;
	c->used += n;
	if (c->used > c->mapped) {
		size_t to = c->used + PREFAULT_STEP < c->size ? c->used + PREFAULT_STEP : c->size;

		mlvm_prefault((char *)c->data + c->mapped, to - c->mapped);
		c->mapped = to;
	}
	return ptr;
}

/* the same, zeroed */
static void *arena_alloc(struct chunk **arena, size_t n, size_t align)
{
	void *ptr = arena_alloc_raw(arena, n, align);

	if (ptr)
		memset(ptr, 0, n);
	return ptr;
}

/* ------------------------------------------------------------ tokens */

struct frame {
	struct cfg_node *node;
	struct cfg_node *tail;
	size_t off;	/* where its key token starts */
};

struct parser {
	char *text;
	size_t len;		/* bytes the caller gave */
	size_t end;		/* bytes to parse: up to the first NUL; until the
				 * tokenizer meets that NUL (end_known), len */
	bool end_known;
	size_t pos;
	struct chunk *arena;
	size_t n_nodes;		/* allocated, the root included */
	size_t pending;		/* nodes of an array not yet attached */
	int rc;			/* the error fail_at() last recorded */
	uint32_t err_line;	/* where it is and what it says; parse() */
	uint32_t err_column;	/* adds it to the caller's report once */
	char err_message[128];
	int depth;
	struct split *split;	/* the main parser: the second half, parsed on
				 * another thread from split_at (NULL: none) */
	size_t split_at;
	bool split_taken;	/* the second half was taken */
	struct {			/* where its lists were linked in (fix_all): */
		struct cfg_node *prev;	/* after this node, */
		struct cfg_node *parent;	/* else first in this one */
	} cut[MLVM_CFG_MAX_DEPTH + 1];
	int n_cut;
	int depth_limit;	/* MLVM_CFG_MAX_DEPTH; the second half's: see there */
	/* the second half's parser (see "split parse" below) */
	bool half;		/* an end of text ends it without an error */
	int max_open;		/* the deepest depth a section or array opened at */
	int min_depth;		/* the lowest depth a '}' brought it down to */
	size_t half_end;	/* where it stopped: the end of the text */
	const atomic_bool *cancel;	/* give up when set */
	struct frame frames[2 * MLVM_CFG_MAX_DEPTH + 1];
};

/* the error at byte off; its line and column are worked out from the text */
__attribute__((format(printf, 4, 5)))
static int fail_at(struct parser *p, int rc, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->half) {	/* never reported: the main parser reparses the text */
		(void)fmt;
		p->rc = rc;
		return rc;
	}
	mlvm_lex_position(p->text, off, &p->err_line, &p->err_column);
	va_start(ap, fmt);
	vsnprintf(p->err_message, sizeof(p->err_message), fmt, ap);
	va_end(ap);
	p->rc = rc;
	return rc;
}

#define fail_tok(p, rc, t, ...) fail_at((p), (rc), (t)->start, __VA_ARGS__)

static int next_token(struct parser *p, struct mlvm_token *t)
{
	char c;

	switch (mlvm_lex_next_nul(p->text, p->end, &p->pos, t, true)) {
	case MLVM_TOK_EOF:
		/* at the first NUL, or at len: the text's end, found on the way */
		p->end = t->start;
		p->end_known = true;
		return 0;
	case MLVM_TOK_UNTERMINATED:
		return fail_tok(p, -EINVAL, t, "unterminated string");
	case MLVM_TOK_BAD:
		c = p->text[t->start];
		if (c >= 0x21 && c <= 0x7e)
			return fail_tok(p, -EINVAL, t, "unexpected character '%c'", c);
		return fail_tok(p, -EINVAL, t, "unexpected byte 0x%02x",
				(unsigned)(unsigned char)c);
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ values */

/* a run that looks like a number (kind from mlvm_lex_number) into n */
static int parse_number(struct parser *p, const struct mlvm_token *t,
			struct cfg_node *n, enum mlvm_num kind, int64_t iv,
			double fv)
{
	const char *s = p->text + t->off;
	size_t len = t->end - t->off;

	switch (kind) {
	case MLVM_NUM_INT:
		n->v_.i = iv;
		n->type_ = CFG_INT;
		return 0;
	case MLVM_NUM_FLOAT:
		n->v_.f = fv;
		n->type_ = CFG_FLOAT;
		return 0;
	case MLVM_NUM_INT_RANGE:
		return fail_tok(p, -EINVAL, t, "integer out of range");
	case MLVM_NUM_FLOAT_RANGE:
		return fail_tok(p, -EINVAL, t, "number out of range");
	default:
		return fail_tok(p, -EINVAL, t, "invalid number '%.*s'",
				(int)(len > 40 ? 40 : len), s);
	}
}

/* ------------------------------------------------------------ parser */

/* A zeroed node at t's line, or NULL with the error in p->rc. */
static struct cfg_node *new_node(struct parser *p, const struct mlvm_token *t)
{
	struct cfg_node *n;

	if (p->n_nodes >= MLVM_CFG_MAX_NODES) {
		fail_tok(p, -E2BIG, t, "too many nodes (limit %u)",
			 MLVM_CFG_MAX_NODES);
		return NULL;
	}
	n = arena_alloc_raw(&p->arena, sizeof(*n), _Alignof(struct cfg_node));
	if (!n) {
		fail_tok(p, -ENOMEM, t, "out of memory");
		return NULL;
	}
	*n = (struct cfg_node){ .key_ = NULL };	/* stores, not a call of memset */
	p->n_nodes++;
	return n;
}

/* A scalar value (string, word or number) from token t into node n. */
static int scalar(struct parser *p, const struct mlvm_token *t, struct cfg_node *n)
{
	enum mlvm_num kind;
	int64_t iv = 0;
	double fv = 0;
	size_t len;
	char *copy;

	if (t->type == MLVM_TOK_STR) {
		n->type_ = CFG_STRING;
		n->v_.s = p->text + t->off;
		n->quote_ |= t->quote == '"' ? F_VAL_DQ : F_VAL_SQ;
		return 0;
	}
	len = t->end - t->off;
	kind = mlvm_lex_number(p->text + t->off, len, &iv, &fv);
	if (kind != MLVM_NUM_WORD)
		return parse_number(p, t, n, kind, iv, fv);
	n->type_ = CFG_WORD;
	if (t->end < p->len) {
		n->v_.s = p->text + t->off;
		return 0;
	}
	/* a word ending at len, with no byte left to terminate it */
	copy = arena_alloc(&p->arena, len + 1, 1);
	if (!copy)
		return fail_tok(p, -ENOMEM, t, "out of memory");
	memcpy(copy, p->text + t->off, len);
	n->v_.s = copy;
	n->quote_ |= F_VAL_COPIED;
	return 0;
}

static void set_key(struct parser *p, struct cfg_node *n, const struct mlvm_token *k)
{
	if (k->type == MLVM_TOK_STR) {
		n->key_ = p->text + k->off;
		n->quote_ |= k->quote == '"' ? F_KEY_DQ : F_KEY_SQ;
	} else {
		n->key_ = p->text + k->off;
	}
}

static int check_key(struct parser *p, const struct mlvm_token *k)
{
	size_t i;

	if (k->type == MLVM_TOK_STR) {
		if (k->end == k->off)
			return fail_tok(p, -EINVAL, k, "empty key");
		return 0;
	}
	if (k->all_key)
		return 0;
	for (i = k->off; i < k->end; i++)
		if (!mlvm_lex_is(p->text[i], MLVM_LEX_KEY))
			return fail_at(p, -EINVAL, i,
				       "invalid character '%c' in key",
				       p->text[i]);
	return 0;
}

static void append(struct frame *f, struct cfg_node *n)
{
	if (f->tail)
		f->tail->next_ = n;
	else
		f->node->v_.child = n;
	f->tail = n;
}

/* After '[': elements up to ']', into array node a. */
static int parse_array(struct parser *p, struct cfg_node *a,
		       const struct mlvm_token *open)
{
	struct cfg_node *tail = NULL, *n;
	bool comma_ok = false;
	struct mlvm_token t;
	int rc;

	for (;;) {
		rc = next_token(p, &t);
		if (rc)
			return rc;
		switch (t.type) {
		case MLVM_TOK_RBRACK:
			return 0;
		case MLVM_TOK_COMMA:
			if (!comma_ok)
				return fail_tok(p, -EINVAL, &t,
						"unexpected ','");
			comma_ok = false;
			continue;
		case MLVM_TOK_STR:
		case MLVM_TOK_RUN:
			break;
		case MLVM_TOK_EOF:
			return fail_tok(p, -EINVAL, open, "unterminated array");
		case MLVM_TOK_LBRACK:
			return fail_tok(p, -EINVAL, &t,
					"nested arrays are not allowed");
		default:
			return fail_tok(p, -EINVAL, &t,
					"expected a value or ']' in array");
		}
		n = new_node(p, &t);
		if (!n)
			return p->rc;
		p->pending++;
		rc = scalar(p, &t, n);
		if (rc)
			return rc;
		if (tail)
			tail->next_ = n;
		else
			a->v_.child = n;
		tail = n;
		comma_ok = true;
	}
}

static int unterminated_section(struct parser *p)
{
	const struct frame *f = &p->frames[p->depth];
	const struct cfg_node *n = f->node;
	size_t start = (size_t)(n->key_ - p->text), i = start;

	if (n->quote_ & (F_KEY_DQ | F_KEY_SQ)) {
		while (i < p->end && p->text[i] != p->text[start - 1])
			i++;
	} else {
		while (i < p->end && mlvm_lex_is(p->text[i], MLVM_LEX_WORD))
			i++;
	}
	return fail_at(p, -EINVAL, f->off,
		       "unterminated section '%.*s'",
		       (int)(i - start > 64 ? 64 : i - start), n->key_);
}

static bool take_split(struct parser *p, const struct mlvm_token *k);

static int parse_items(struct parser *p)
{
	struct cfg_node *n;
	struct mlvm_token k, t;
	struct frame *f;
	int rc;

	for (;;) {
		f = &p->frames[p->depth];
		if (p->cancel && atomic_load_explicit(p->cancel, memory_order_relaxed))
			return -ECANCELED;
		rc = next_token(p, &k);
		if (rc)
			return rc;
		if (p->split && k.start >= p->split_at && take_split(p, &k))
			continue;
		switch (k.type) {
		case MLVM_TOK_EOF:
			if (p->half) {
				p->half_end = k.start;
				return 0;
			}
			if (!p->depth)
				return 0;
			return unterminated_section(p);
		case MLVM_TOK_RBRACE:
			if (!p->depth)
				return fail_tok(p, -EINVAL, &k,
						"unexpected '}'");
			p->depth--;
			if (p->depth < p->min_depth)
				p->min_depth = p->depth;
			continue;
		case MLVM_TOK_RUN:
		case MLVM_TOK_STR:
			rc = check_key(p, &k);
			if (rc)
				return rc;
			break;
		default:
			return fail_tok(p, -EINVAL, &k, "expected a key");
		}

		rc = next_token(p, &t);
		if (rc)
			return rc;
		if (t.type == MLVM_TOK_LBRACE) {
			if (p->depth >= p->depth_limit)
				return fail_tok(p, -E2BIG, &t,
						"nesting too deep (limit %d)",
						MLVM_CFG_MAX_DEPTH);
			n = new_node(p, &k);
			if (!n)
				return p->rc;
			set_key(p, n, &k);
			n->type_ = CFG_SECTION;
			append(f, n);
			if (p->depth > p->max_open)
				p->max_open = p->depth;
			p->depth++;
			p->frames[p->depth] = (struct frame){
				.node = n, .off = k.start,
			};
			continue;
		}
		if (t.type != MLVM_TOK_EQ)
			return fail_tok(p, -EINVAL, &t,
					"expected '=' or '{' after key");

		rc = next_token(p, &t);
		if (rc)
			return rc;
		if (t.type != MLVM_TOK_LBRACK && t.type != MLVM_TOK_STR && t.type != MLVM_TOK_RUN)
			return fail_tok(p, -EINVAL, &t, "expected a value");
		if (t.type == MLVM_TOK_LBRACK && p->depth >= p->depth_limit)
			return fail_tok(p, -E2BIG, &t,
					"nesting too deep (limit %d)",
					MLVM_CFG_MAX_DEPTH);
		n = new_node(p, &k);
		if (!n)
			return p->rc;
		set_key(p, n, &k);
		p->pending = 1;
		if (t.type == MLVM_TOK_LBRACK) {
			n->type_ = CFG_ARRAY;
			if (p->depth > p->max_open)
				p->max_open = p->depth;
			rc = parse_array(p, n, &t);
		} else {
			rc = scalar(p, &t, n);
		}
		if (rc)
			return rc;
		p->pending = 0;
		append(f, n);
	}
}

/* ------------------------------------------------------------ split parse */

/*
 * A large text is parsed in two halves at once: the main parser from the
 * start, and a second one, on another thread, from `at`, the first line past
 * the middle that begins with a key followed by '{' or '=' (a guess that
 * this is where an item starts). The second parser does not know how deep
 * that is, so it begins at depth MLVM_CFG_MAX_DEPTH, with a list of its own
 * for each level below (heads[]): a '}' that closes a section it did not
 * open takes it down a level, and the items it then reads belong to that
 * unknown section. It reads to the end of the text.
 *
 * Whether the guess was right is known when the main parser gets there. If
 * the first token it reads where a key may stand begins exactly at `at`,
 * the main parser is in the very state the second began in but for the
 * depth, and the grammar does not look back: the second parser read just
 * what the main one would have. So each level's items are added to the
 * main parser's section at that depth, the sections the second left open
 * become the main parser's, and the main parser goes on at the end of the
 * text. What the second could not know is checked then, with the main
 * parser's depth d added: that no '}' took it below depth 0 ("unexpected
 * '}'"), that nothing opened at a depth over the limit, and the node limit
 * with the nodes before it added. In every other case -- the main parser
 * went past `at` (it was inside a string, a comment or an array), the
 * second met an error, a limit would be crossed -- its work is thrown away
 * and the main parser reads on itself, as without a split. So the tree, the
 * errors and their lines never differ from a parse on one thread. Neither
 * parser writes to the text; pass 2 does, once both are done.
 */
size_t cfg_split_min = 1u << 20;
size_t cfg_split_at;

#define BASE MLVM_CFG_MAX_DEPTH	/* the second parser's starting depth */

struct split {
	size_t at;
	pthread_t th;
	int rc;
	atomic_bool cancel;
	struct cfg_node heads[BASE + 1];	/* levels 0..BASE of the second */
	struct parser q;
};

static void *split_run(void *arg)
{
	struct split *s = arg;

	s->rc = parse_items(&s->q);
	return NULL;
}

/* where a second half may begin: the first line past the middle of
 * text[0..end) that is blanks, a key, blanks and '{' or '='; 0 for none */
static size_t split_point(const char *text, size_t end)
{
	size_t i = end / 2, k, j;
	const char *nl;

	while (i < end && (nl = memchr(text + i, '\n', end - i))) {
		i = (size_t)(nl - text) + 1;
		for (k = i; k < end && (text[k] == ' ' || text[k] == '\t'); k++)
			;
		for (j = k; j < end && mlvm_lex_is(text[j], MLVM_LEX_KEY); j++)
			;
		if (j == k)
			continue;
		while (j < end && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j < end && (text[j] == '{' || text[j] == '='))
			return k;
	}
	return 0;
}

/* start the second half when the text is large and a thread may run it */
static void split_start(struct parser *p)
{
	struct split *s;
	size_t at;
	int i;

	if (p->end < cfg_split_min || mlvm_io_threads(2) < 2)
		return;
	at = cfg_split_at ? cfg_split_at : split_point(p->text, p->end);
	if (!at || at >= p->end || !(s = calloc(1, sizeof(*s))))
		return;
	s->at = at;
	atomic_init(&s->cancel, false);
	s->q.text = p->text;
	s->q.len = p->len;
	s->q.end = p->end;
	s->q.end_known = p->end_known;
	s->q.pos = at;
	s->q.half = true;
	s->q.cancel = &s->cancel;
	s->q.depth = s->q.min_depth = s->q.max_open = BASE;
	s->q.depth_limit = BASE + MLVM_CFG_MAX_DEPTH;
	for (i = 0; i <= BASE; i++) {
		s->heads[i].type_ = CFG_SECTION;
		s->q.frames[i].node = &s->heads[i];
	}
	if (mlvm_thread_create(&s->th, split_run, s) != 0) {
		free(s);
		return;
	}
	p->split = s;
	p->split_at = at;
}

/* wait for the second half (told to give up first when cancel) */
static void split_end(struct split *s, bool cancel)
{
	if (cancel)
		atomic_store(&s->cancel, true);
	pthread_join(s->th, NULL);
}

static void split_free(struct split *s)
{
	arena_free(s->q.arena);
	free(s);
}

/*
 * The main parser read token k, at or past the split's place, where a key
 * may stand: take the second half when it is the same parse (true: go on at
 * its end), else drop it (false: go on with k).
 */
static bool take_split(struct parser *p, const struct mlvm_token *k)
{
	struct split *s = p->split;
	const struct parser *q = &s->q;
	bool here = k->start == s->at && (k->type == MLVM_TOK_RUN || k->type == MLVM_TOK_STR);
	struct chunk *last;
	struct cfg_node *n;
	int d = p->depth, x;

	p->split = NULL;
	split_end(s, !here);
	if (!here || s->rc != 0 ||
	    d + q->min_depth < BASE ||			/* a '}' below depth 0 */
	    d + q->max_open - BASE >= MLVM_CFG_MAX_DEPTH ||	/* too deep */
	    q->n_nodes > MLVM_CFG_MAX_NODES - p->n_nodes) {
		split_free(s);
		return false;
	}
	/* what it read at the levels it began below: the main parser's sections */
	for (x = q->min_depth; x <= BASE; x++) {
		struct frame *f = &p->frames[d + x - BASE];

		n = s->heads[x].v_.child;
		if (!n)
			continue;
		p->cut[p->n_cut].prev = f->tail;
		p->cut[p->n_cut++].parent = f->node;
		append(f, n);
		if (q->frames[x].node == &s->heads[x])	/* still its frame: the tail known */
			n = q->frames[x].tail;
		else
			while (n->next_)
				n = n->next_;
		f->tail = n;
	}
	/* the sections it opened and left open: now the main parser's */
	for (x = q->min_depth + 1; x <= q->depth; x++)
		p->frames[d + x - BASE] = q->frames[x];
	p->depth = d + q->depth - BASE;
	p->n_nodes += q->n_nodes;
	p->pos = q->half_end;
	p->split_taken = true;
	if (q->arena) {	/* its chunks behind the main parser's current one */
		for (last = q->arena; last->next; last = last->next)
			;
		last->next = p->arena->next;
		p->arena->next = q->arena;
		s->q.arena = NULL;
	}
	split_free(s);
	return true;
}

#undef BASE

/* ------------------------------------------------------------ fix-up */

/* NUL-terminate the bare word starting at i (it is followed by a byte). */
static void terminate_bare(const struct parser *p, size_t i)
{
	while (i < p->end && mlvm_lex_is(p->text[i], MLVM_LEX_WORD))
		i++;
	if (i < p->len)
		p->text[i] = '\0';
}

/*
 * The bytes from offset i that a string there may be looked at in (its
 * closing quote lies in them): up to the end of the text, or, after a split
 * parse, of its half (the first half's tokens all end before the second
 * begins, and the other thread writes the second's NULs meanwhile).
 */
static size_t string_room(const struct parser *p, size_t i)
{
	return (p->split_taken && i < p->split_at ? p->split_at : p->end) - i;
}

static void fix_node(const struct parser *p, struct cfg_node *n)
{
	uint8_t f = n->quote_;

	if (n->key_) {
		size_t k = (size_t)(n->key_ - p->text);

		if (f & F_KEY_DQ)
			mlvm_lex_unquote_n(p->text + k, string_room(p, k), '"');
		else if (f & F_KEY_SQ)
			mlvm_lex_unquote_n(p->text + k, string_room(p, k), '\'');
		else
			terminate_bare(p, k);
	}
	n->quote_ = 0;
	if (n->type_ == CFG_STRING) {
		size_t v = (size_t)(n->v_.s - p->text);

		n->quote_ = f & F_VAL_DQ ? '"' : '\'';
		mlvm_lex_unquote_n(p->text + v, string_room(p, v), (char)n->quote_);
	} else if (n->type_ == CFG_WORD && !(f & F_VAL_COPIED)) {
		terminate_bare(p, (size_t)(n->v_.s - p->text));
	}
}

/* Depth-first over a list and what is under it; lists are at most
 * MAX_DEPTH + 1 deep. */
static void fix_list(const struct parser *p, struct cfg_node *first)
{
	struct cfg_node *stack[MLVM_CFG_MAX_DEPTH + 2], *n;
	size_t sp = 0;

	stack[sp++] = first;
	while (sp) {
		n = stack[sp - 1];
		if (!n) {
			sp--;
			continue;
		}
		stack[sp - 1] = n->next_;
		fix_node(p, n);
		if ((n->type_ == CFG_SECTION || n->type_ == CFG_ARRAY) &&
		    n->v_.child && sp < sizeof(stack) / sizeof(stack[0]))
			stack[sp++] = n->v_.child;
	}
}

struct fix_half {
	const struct parser *p;
	struct cfg_node *first[MLVM_CFG_MAX_DEPTH + 1];
	int n;
};

static void *fix_half_run(void *arg)
{
	struct fix_half *h = arg;
	int i;

	for (i = 0; i < h->n; i++)
		fix_list(h->p, h->first[i]);
	return NULL;
}

/*
 * Pass 2 over the kept tree. After a split parse, the second half's lists
 * (the ends of lists of the tree, p->cut) are cut off and fixed on another
 * thread while this one fixes the rest, then linked back: each node
 * writes only to the bytes of its own token and the one after it, so the
 * two never touch the same byte.
 */
static void fix_all(const struct parser *p, struct cfg_node *root, struct cfg_tree *tree)
{
	struct fix_half h = { .p = p, .n = p->n_cut };
	pthread_t th;
	bool threaded;
	int i;

	for (i = 0; i < h.n; i++) {
		struct cfg_node *prev = p->cut[i].prev, *parent = p->cut[i].parent;

		h.first[i] = prev ? prev->next_ : parent->v_.child;
		if (prev)
			prev->next_ = NULL;
		else
			parent->v_.child = NULL;
	}
	threaded = h.n && mlvm_thread_create(&th, fix_half_run, &h) == 0;
	fix_list(p, root->v_.child);
	if (threaded)
		pthread_join(th, NULL);
	else
		fix_half_run(&h);
	tree->n_cuts = 0;
	for (i = 0; i < h.n; i++) {
		if (p->cut[i].prev)
			p->cut[i].prev->next_ = h.first[i];
		else
			p->cut[i].parent->v_.child = h.first[i];
		if (h.first[i])
			tree->cuts[tree->n_cuts++] = (struct cfg_cut){ p->cut[i].parent, h.first[i] };
	}
}

const struct cfg_node *cfg_half_start(const struct cfg_tree *t, const struct cfg_node *parent)
{
	unsigned i;

	for (i = 0; t && i < t->n_cuts; i++)
		if (t->cuts[i].parent == parent)
			return t->cuts[i].first;
	return NULL;
}

/* ------------------------------------------------------------ API */

/* the one report entry of a parse that failed or (lenient) met an error */
static void report_error(const struct parser *p, struct mlvm_report *r,
			 const char *image, int64_t where)
{
	mlvm_warn(r, "text_parse", image, where,
		  "metadata text does not parse: line %u column %u: %s",
		  p->err_line, p->err_column, p->err_message);
}

static int parse(char *text, size_t len, struct cfg_tree **out,
		 struct mlvm_report *r, const char *image, int64_t where,
		 bool lenient)
{
	struct cfg_tree *tree;
	struct cfg_node *root;
	struct parser p;
	const char *nul;
	struct mlvm_token t0 = { .start = 0 };
	int rc;

	memset(&p, 0, sizeof(p));
	if (out)
		*out = NULL;
	if (!out || (!text && len)) {
		snprintf(p.err_message, sizeof(p.err_message),
			 "invalid argument");
		rc = -EINVAL;
		goto report;
	}

	p.text = text;
	p.len = len;
	p.end = len;
	if (len > MLVM_CFG_MAX_TEXT) {
		/* the limit is on the text up to its NUL: find that first here */
		nul = memchr(text, '\0', len);
		p.end = nul ? (size_t)(nul - text) : len;
		p.end_known = true;
	}
	if (p.end > MLVM_CFG_MAX_TEXT) {
		rc = fail_at(&p, -E2BIG, MLVM_CFG_MAX_TEXT,
			     "text too large (limit %u bytes)",
			     MLVM_CFG_MAX_TEXT);
		goto report;
	}

	root = new_node(&p, &t0);
	if (!root) {
		rc = p.rc;
		goto report;
	}
	root->type_ = CFG_SECTION;
	p.frames[0].node = root;
	p.depth_limit = MLVM_CFG_MAX_DEPTH;

	split_start(&p);
	rc = parse_items(&p);
	if (p.split) {	/* the main parser never got to its place */
		split_end(p.split, true);
		split_free(p.split);
		p.split = NULL;
	}
	if (!p.end_known) {
		/* stopped by an error before the end: the text's length as ever */
		nul = memchr(text, '\0', len);
		p.end = nul ? (size_t)(nul - text) : len;
		p.end_known = true;
	}
	if (rc && (!lenient || rc == -ENOMEM || !root->v_.child))
		goto fail;

	tree = malloc(sizeof(*tree));
	if (!tree) {
		rc = fail_at(&p, -ENOMEM, 0, "out of memory");
		goto fail;
	}
	fix_all(&p, root, tree);
	tree->root = root;
	tree->lines = NULL;
	tree->n_lines = 0;
	tree->text = text;
	tree->text_len = p.end;
	tree->n_nodes = p.n_nodes - p.pending;
	tree->halves = p.split_taken ? 2 : 1;
	tree->arena = p.arena;
	*out = tree;
	if (!rc)
		return 0;
	report_error(&p, r, image, where);
	return 1;

fail:
	arena_free(p.arena);
report:
	report_error(&p, r, image, where);
	return rc;
}

int cfg_parse(char *text, size_t len, struct cfg_tree **out,
	      struct mlvm_report *r, const char *image, int64_t where)
{
	return parse(text, len, out, r, image, where, false);
}

int cfg_parse_lenient(char *text, size_t len, struct cfg_tree **out,
		      struct mlvm_report *r, const char *image, int64_t where)
{
	return parse(text, len, out, r, image, where, true);
}

uint32_t cfg_line(struct cfg_tree *t, const struct cfg_node *n)
{
	const char *at = NULL;
	size_t off, lo, hi, i;

	if (!t || !n)
		return 0;
	if (n->key_)
		at = n->key_;
	else if ((n->type_ == CFG_STRING || n->type_ == CFG_WORD) && n->v_.s)
		at = n->v_.s;
	if (!at || at < t->text || at >= t->text + t->text_len)
		return 0;	/* not in the text (a copied word, a number) */
	if (!t->lines) {
		size_t count = 0;

		for (i = 0; i < t->text_len; i++)
			count += t->text[i] == '\n';
		t->lines = malloc((count ? count : 1) * sizeof(*t->lines));
		if (!t->lines)
			return 0;
		for (i = 0; i < t->text_len; i++)
			if (t->text[i] == '\n')
				t->lines[t->n_lines++] = (uint32_t)i;
	}
	/* the number of newlines before the node, plus one */
	off = (size_t)(at - t->text);
	lo = 0;
	hi = t->n_lines;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->lines[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo + 1;
}

void cfg_free(struct cfg_tree *t)
{
	if (!t)
		return;
	arena_free(t->arena);
	free(t->lines);
	free(t->text);
	free(t);
}

const struct cfg_node *cfg_find(const struct cfg_node *section,
				const char *key)
{
	const struct cfg_node *n;

	if (!section || section->type_ != CFG_SECTION || !key)
		return NULL;
	/* the first two bytes inline: most keys differ there, and strcmp is a call */
	for (n = section->v_.child; n; n = n->next_)
		if (n->key_ && n->key_[0] == key[0] &&
		    (!key[0] || (n->key_[1] == key[1] && (!key[1] || !strcmp(n->key_ + 2, key + 2)))))
			return n;
	return NULL;
}

const struct cfg_node *cfg_find_type(const struct cfg_node *section,
				     const char *key, enum cfg_type type)
{
	return cfg_of_type(cfg_find(section, key), type);
}

void cfg_pick(const struct cfg_node *section, const char *const *keys, unsigned n,
	      const struct cfg_node **out)
{
	const struct cfg_node *c;
	unsigned i, left = n;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (!section || section->type_ != CFG_SECTION)
		return;
	for (c = section->v_.child; c && left; c = c->next_)
		left -= (unsigned)cfg_pick_child(c, keys, n, out);
}

int cfg_get_int(const struct cfg_node *section, const char *key,
		int64_t *out)
{
	const struct cfg_node *n = cfg_find(section, key);

	if (!n)
		return -ENOENT;
	if (n->type_ != CFG_INT)
		return -EINVAL;
	*out = n->v_.i;
	return 0;
}

int cfg_get_str(const struct cfg_node *section, const char *key,
		const char **out)
{
	const struct cfg_node *n = cfg_find(section, key);

	if (!n)
		return -ENOENT;
	if (n->type_ != CFG_STRING && n->type_ != CFG_WORD)
		return -EINVAL;
	*out = n->v_.s;
	return 0;
}

size_t cfg_count(const struct cfg_node *n)
{
	const struct cfg_node *c;
	size_t count = 0;

	if (!n || (n->type_ != CFG_SECTION && n->type_ != CFG_ARRAY))
		return 0;
	for (c = n->v_.child; c; c = c->next_)
		count++;
	return count;
}

char *cfg_join_strings(const struct cfg_node *arr, const char *sep)
{
	struct mlvm_buf b = { 0 };
	const struct cfg_node *e;

	if (mlvm_buf_append(&b, "", 0))
		return NULL;
	if (arr)
		for (e = arr->v_.child; e; e = e->next_)
			if ((e->type_ == CFG_STRING || e->type_ == CFG_WORD) &&
			    mlvm_buf_printf(&b, "%s%s", b.len ? sep : "", e->v_.s)) {
				mlvm_buf_free(&b);
				return NULL;
			}
	return b.data;
}
