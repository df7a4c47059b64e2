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
 *  1. tokenize and build the tree without writing to the text; nodes hold
 *     the offsets of their key and string in the text, and a few flags
 *     (F_KEY_*, F_VAL_*) say how each was written;
 *  2. once the tree is kept, walk it and NUL-terminate keys and strings
 *     (removing \" and \\ escapes), keep a string's quote for cfg_quote(),
 *     and pack them to the start of the text, counting each node's line
 *     on the way ("fix-up" below). Tokens never overlap, and the byte
 *     after a token is never part of another token's content.
 * A large text is parsed on two threads, both passes ("split parse" and
 * fix_all below).
 * The only token that can end exactly at len with no byte left for a NUL is
 * a bare word value at the very end of a text without a NUL; that one is
 * copied in pass 1, into room the nodes' mapping keeps for it (copy_room).
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
#include <sys/mman.h>

/* pass-1 flags, until the fix-up pass: of the key above its offset in
 * key_ (the text is at most MLVM_CFG_MAX_TEXT bytes), of a string or word
 * value in v_.r.aux (beside CFG_COPIED) */
#define F_KEY_DQ (1u << 30)	/* key was "double-quoted" */
#define F_KEY_SQ (1u << 31)	/* key was 'single-quoted' */
#define F_KEY_FLAGS (F_KEY_DQ | F_KEY_SQ)
#define F_VAL_DQ 0x200u
#define F_VAL_SQ 0x400u

_Static_assert(sizeof(struct cfg_node) == 16, "a node is 16 bytes");
_Static_assert(MLVM_CFG_MAX_TEXT < F_KEY_DQ, "a key's offset lies below its flags");

/* ------------------------------------------------------------ the nodes' mapping */

/*
 * A tree's nodes lie in one mapping, reserved (PROT_NONE) at the start for
 * as many nodes as its text can hold and made writable as they are used,
 * so that they never move and the links between them are distances (a
 * node's next sibling and first child always come after it). The mapping
 * is aligned to 2 MiB, and the first node's place of each 2 MiB holds a
 * struct cfg_region_head instead (the first one is the head of struct
 * region), so that cfg_head() finds it by rounding a node's address down.
 *
 * As many nodes as a text can hold: every node but the root stands for a
 * token and the byte after it (a key and its '=' or '{', an array element
 * and its separator or ']'), so a text of n bytes has at most n / 2 + 2;
 * node_room() adds a margin. A parser that finds its nodes used up fails
 * ("too many nodes"), never writes past them.
 */

#define PAGE 4096u
#define HEAD_SLOTS (CFG_HEAD_ALIGN / sizeof(struct cfg_node))	/* a head's every so many */
/* mapped 256 KiB ahead of use: one call instead of 64 page faults */
#define PREFAULT_STEP ((size_t)256 << 10)

struct region {
	struct cfg_region_head head;	/* first: cfg_head() */
	size_t size;			/* bytes mapped */
	char *copy;			/* the copied word's room (malloc), */
	size_t copy_cap;		/* this many bytes */
};

/* nodes a text of n bytes can hold, with a margin */
static size_t node_room(size_t n)
{
	return n / 2 + 64;
}

/* the places n nodes take, the heads between them counted */
static size_t slots_for(size_t n)
{
	return n + n / (HEAD_SLOTS - 1) + 2;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/*
 * A mapping for slots places of nodes (the first is region's own), the
 * head's page writable, and copy_room bytes for a copied word (0: none).
 * NULL when it cannot be had.
 */
static struct region *region_new(const char *text, size_t slots, size_t copy_room)
{
	size_t size, align = CFG_HEAD_ALIGN;
	uintptr_t a, raw;
	struct region *rg;
	void *m;

	if (slots > ((size_t)1 << 40) / sizeof(struct cfg_node))
		return NULL;
	size = round_up(slots * sizeof(struct cfg_node), PAGE);
	m = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	raw = (uintptr_t)m;
	a = (raw + align - 1) & ~(uintptr_t)(align - 1);
	if (a > raw)
		munmap(m, a - raw);
	if (raw + size + align > a + size)
		munmap((void *)(a + size), raw + size + align - (a + size));
#ifdef MADV_HUGEPAGE
	if (size >= CFG_HEAD_ALIGN)
		(void)madvise((void *)a, size, MADV_HUGEPAGE);	/* a hint */
#endif
	/* the head's page writable, and the rest of its huge page with it:
	 * a huge page is given only where all of it is writable when first
	 * touched, and the head written alone first left the first 2 MiB in
	 * 512 pages of 4 KiB for good, each a fault of its own (some
	 * microseconds in a virtual machine) */
	if (mprotect((void *)a, size < CFG_HEAD_ALIGN ? (PAGE < size ? PAGE : size) : CFG_HEAD_ALIGN,
		     PROT_READ | PROT_WRITE) != 0) {
		munmap((void *)a, size);
		return NULL;
	}
	rg = (struct region *)a;
	rg->size = size;
	rg->copy_cap = copy_room;
	rg->copy = copy_room ? malloc(copy_room) : NULL;
	if (copy_room && !rg->copy) {
		munmap(rg, size);
		return NULL;
	}
	rg->head.text = text;
	rg->head.copy = rg->copy;
	return rg;
}

static void region_free(struct region *rg)
{
	if (rg) {
		free(rg->copy);
		munmap(rg, rg->size);
	}
}

/* the place of node index i of the mapping (index 0: struct region) */
static struct cfg_node *region_slot(struct region *rg, size_t i)
{
	return (struct cfg_node *)(void *)rg + i;
}

/*
 * The places one parser may take: [cur, lim), of which [.., open) is
 * writable and [.., mapped) prefaulted.
 */
struct node_range {
	struct region *rg;
	struct cfg_node *cur, *lim;
	char *open, *mapped;
};

static void range_init(struct node_range *r, struct region *rg, struct cfg_node *from,
		       struct cfg_node *lim)
{
	uintptr_t pg = (uintptr_t)from & ~(uintptr_t)(PAGE - 1);

	r->rg = rg;
	r->cur = from;
	r->lim = lim;
	/* the page it begins in may be another range's, writable already:
	 * making it writable again does no harm */
	r->open = r->mapped = (char *)pg;
}

/* the next place of r, writable and mapped; NULL when r is full or its
 * pages cannot be had */
static struct cfg_node *range_take(struct node_range *r)
{
	struct cfg_node *n = r->cur;
	char *end;

	for (;;) {
		if (n >= r->lim)
			return NULL;
		end = (char *)(void *)(n + 1);
		if (end > r->open) {
			/* up to a huge page's end (the mapping is aligned to
			 * one): a huge page is given only where all of it is
			 * writable */
			char *lim = (char *)round_up((uintptr_t)r->lim, PAGE);
			char *to = (char *)round_up((uintptr_t)end, CFG_HEAD_ALIGN);

			if (to > lim)
				to = lim;
			if (mprotect(r->open, (size_t)(to - r->open), PROT_READ | PROT_WRITE) != 0)
				return NULL;
			r->open = to;
		}
		if (end > r->mapped) {
			char *to = r->mapped + PREFAULT_STEP;

			if (to > r->open)
				to = r->open;
			mlvm_prefault(r->mapped, (size_t)(to - r->mapped));
			r->mapped = to;
		}
		if ((uintptr_t)n & (CFG_HEAD_ALIGN - 1))
			break;
		/* a 2 MiB's first place: its head */
		*(struct cfg_region_head *)(void *)n = r->rg->head;
		n++;
	}
	r->cur = n + 1;
	return n;
}

/* links, as distances in bytes: b comes after a (a parser's nodes are
 * taken in order, and the second half's lie after the main parser's) */
static uint32_t distance(const struct cfg_node *a, const struct cfg_node *b)
{
	return b ? (uint32_t)((size_t)(b - a) * sizeof(struct cfg_node)) : 0;
}

static void set_next(struct cfg_node *a, const struct cfg_node *b)
{
	a->next_ = (a->next_ & ~CFG_LINK_MASK) | distance(a, b);
}

static void set_child(struct cfg_node *a, const struct cfg_node *b)
{
	a->v_.r.at = distance(a, b);
}

static void set_type(struct cfg_node *n, enum cfg_type t)
{
	n->next_ = (n->next_ & ~CFG_TYPE_MASK) | (uint32_t)t;
}

static struct cfg_node *next_of(const struct cfg_node *n)
{
	return (struct cfg_node *)(uintptr_t)cfg_next(n);
}

static struct cfg_node *child_of(const struct cfg_node *n)
{
	return (struct cfg_node *)(uintptr_t)cfg_child(n);
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
	struct node_range nodes;	/* this parser's, in its region */
	struct cfg_node *nodes_end;	/* the region's */
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
	struct cfg_node *split_first;	/* the second half's first place (its heads) */
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
		set_type(n, CFG_INT);
		return 0;
	case MLVM_NUM_FLOAT:
		n->v_.f = fv;
		set_type(n, CFG_FLOAT);
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

static struct cfg_node *split_drop(struct parser *p);

/* A zeroed node at t's line, or NULL with the error in p->rc. */
static struct cfg_node *new_node(struct parser *p, const struct mlvm_token *t)
{
	struct cfg_node *n;

	if (p->n_nodes >= MLVM_CFG_MAX_NODES) {
		fail_tok(p, -E2BIG, t, "too many nodes (limit %u)",
			 MLVM_CFG_MAX_NODES);
		return NULL;
	}
	n = range_take(&p->nodes);
	if (!n && p->split)	/* past the split's place: see split_drop */
		n = split_drop(p);
	if (!n) {
		fail_tok(p, p->nodes.cur < p->nodes.lim ? -ENOMEM : -E2BIG, t,
			 p->nodes.cur < p->nodes.lim ? "out of memory" : "too many nodes");
		return NULL;
	}
	*n = (struct cfg_node){ .key_ = 0 };	/* stores, not a call of memset */
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

	if (t->type == MLVM_TOK_STR) {
		set_type(n, CFG_STRING);
		n->v_.r.at = (uint32_t)t->off;
		n->v_.r.aux = t->quote == '"' ? F_VAL_DQ : F_VAL_SQ;
		return 0;
	}
	len = t->end - t->off;
	kind = mlvm_lex_number(p->text + t->off, len, &iv, &fv);
	if (kind != MLVM_NUM_WORD)
		return parse_number(p, t, n, kind, iv, fv);
	set_type(n, CFG_WORD);
	n->v_.r.at = (uint32_t)t->off;
	if (t->end < p->len)
		return 0;
	/* a word ending at len, with no byte left to terminate it: copied
	 * into the room the head keeps for it (parse: the text's last run of
	 * word bytes, which holds it) */
	if (len >= p->nodes.rg->copy_cap)
		return fail_tok(p, -ENOMEM, t, "out of memory");
	memcpy(p->nodes.rg->copy, p->text + t->off, len);
	p->nodes.rg->copy[len] = '\0';	/* cfg_region_head.copy points here */
	n->v_.r.aux = CFG_COPIED;
	return 0;
}

static void set_key(struct cfg_node *n, const struct mlvm_token *k)
{
	n->key_ = (uint32_t)k->off + 1;
	if (k->type == MLVM_TOK_STR)
		n->key_ |= k->quote == '"' ? F_KEY_DQ : F_KEY_SQ;
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
		set_next(f->tail, n);
	else
		set_child(f->node, n);
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
			set_next(tail, n);
		else
			set_child(a, n);
		tail = n;
		comma_ok = true;
	}
}

static int unterminated_section(struct parser *p)
{
	const struct frame *f = &p->frames[p->depth];
	const struct cfg_node *n = f->node;
	size_t start = (size_t)(n->key_ & ~F_KEY_FLAGS) - 1, i = start;

	if (n->key_ & F_KEY_FLAGS) {
		while (i < p->end && p->text[i] != p->text[start - 1])
			i++;
	} else {
		while (i < p->end && mlvm_lex_is(p->text[i], MLVM_LEX_WORD))
			i++;
	}
	return fail_at(p, -EINVAL, f->off,
		       "unterminated section '%.*s'",
		       (int)(i - start > 64 ? 64 : i - start), p->text + start);
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
			set_key(n, &k);
			set_type(n, CFG_SECTION);
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
		set_key(n, &k);
		p->pending = 1;
		if (t.type == MLVM_TOK_LBRACK) {
			set_type(n, CFG_ARRAY);
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
	struct cfg_node *heads;		/* levels 0..BASE of the second: the
					 * first nodes of its range */
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

/* where the second half begins (split_point), when the text is large and
 * a thread may run it; else 0 */
static size_t split_want(const struct parser *p)
{
	size_t at;

	if (p->end < cfg_split_min || mlvm_io_threads(2) < 2)
		return 0;
	at = cfg_split_at ? cfg_split_at : split_point(p->text, p->end);
	return at < p->end ? at : 0;
}

/* nodes the second half takes before its own: its heads */
#define HEADS (MLVM_CFG_MAX_DEPTH + 1)

/* start the second half at `at`, in the nodes [from, p->nodes_end) */
static void split_start(struct parser *p, size_t at, struct cfg_node *from)
{
	struct split *s;
	int i;

	if (!at || !(s = calloc(1, sizeof(*s))))
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
	s->q.nodes_end = p->nodes_end;
	range_init(&s->q.nodes, p->nodes.rg, from, p->nodes_end);
	for (i = 0; i < HEADS; i++) {
		struct cfg_node *h = range_take(&s->q.nodes);

		if (!h) {
			free(s);
			return;
		}
		*h = (struct cfg_node){ .key_ = 0 };	/* a section */
		if (!i)
			s->heads = h;
		s->q.frames[i].node = h;
	}
	if (mlvm_thread_create(&s->th, split_run, s) != 0) {
		free(s);
		return;
	}
	p->split = s;
	p->split_at = at;
	p->split_first = from;
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
	free(s);
}

/*
 * The main parser ran out of its nodes before it got to the split's place
 * where a key may stand, so it went past the place: the second half cannot
 * be taken (take_split), and is dropped now; the main parser takes on the
 * rest of the nodes, the second half's with them. Its next node, or NULL.
 */
static struct cfg_node *split_drop(struct parser *p)
{
	split_end(p->split, true);
	split_free(p->split);
	p->split = NULL;
	p->nodes.lim = p->nodes_end;
	return range_take(&p->nodes);
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
	struct cfg_node *n;
	int d = p->depth, x;

	p->split = NULL;
	split_end(s, !here);
	if (!here || s->rc != 0 ||
	    d + q->min_depth < BASE ||			/* a '}' below depth 0 */
	    d + q->max_open - BASE >= MLVM_CFG_MAX_DEPTH ||	/* too deep */
	    q->n_nodes > MLVM_CFG_MAX_NODES - p->n_nodes) {
		split_free(s);
		p->nodes.lim = p->nodes_end;	/* the second half's too */
		return false;
	}
	/* what it read at the levels it began below: the main parser's sections */
	for (x = q->min_depth; x <= BASE; x++) {
		struct frame *f = &p->frames[d + x - BASE];

		n = child_of(&s->heads[x]);
		if (!n)
			continue;
		p->cut[p->n_cut].prev = f->tail;
		p->cut[p->n_cut++].parent = f->node;
		append(f, n);
		if (q->frames[x].node == &s->heads[x])	/* still its frame: the tail known */
			n = q->frames[x].tail;
		else
			while (cfg_next(n))
				n = next_of(n);
		f->tail = n;
	}
	/* the sections it opened and left open: now the main parser's */
	for (x = q->min_depth + 1; x <= q->depth; x++)
		p->frames[d + x - BASE] = q->frames[x];
	p->depth = d + q->depth - BASE;
	p->n_nodes += q->n_nodes;
	p->pos = q->half_end;
	p->split_taken = true;
	p->nodes = q->nodes;	/* what is left after its nodes */
	split_free(s);
	return true;
}

#undef BASE

/* ------------------------------------------------------------ fix-up */

/*
 * Pass 2 also packs the text: a node's key and string are moved down to the
 * start of the text (of its half, after a split parse), one after another,
 * and the pages they leave are given back (MADV_DONTNEED). Most of a text is
 * not kept: blanks, '=', numbers (their nodes hold the values), quotes, and
 * keys and strings that were packed already, which are shared ("READ",
 * "striped", "start_extent": a small cache of packed strings, where one
 * that was shared stays until two others in a row miss it). A VG of
 * 10,000 LVs keeps some 650 KB of its 4 MB (bench-read.sh's).
 *
 * Packing goes in the order of the text, so a byte is only written once it
 * was read: nothing is packed above the byte being read (wp <= pos below).
 * The tree is walked depth-first, which is the order of the text; after a
 * split parse the second half's lists lie deepest first in the text (the
 * section open where it began closes before the ones around it).
 *
 * So that cfg_line still tells a node's line once the text is gone, the
 * walk counts the newlines as it goes and keeps each node's line in a
 * table of the nodes' places (struct cfg_lines): a byte for each place,
 * the line's distance from the node before it (LINE_FAR: in `far`), and a
 * line for each block of LINE_BLOCK places.
 */

#define LINE_BLOCK 256u
#define LINE_FAR 255u		/* the node's line is in lines->far */
#define PACK_CACHE 1024u	/* packed strings remembered, for sharing */
#define PACK_SHARE_MAX 64u	/* longer strings are not looked for */
#define PACK_HIT 0x80000000u
#define STEP_PREFAULT ((size_t)64 << 10)	/* lines->step mapped this far ahead */
#define GUESS_DEPTH 8u		/* guesses for nodes this deep, */
#define GUESS_PLACES 16u	/* this far in their list: fix_node */

_Static_assert(HEAD_SLOTS % LINE_BLOCK == 0, "the second half's places begin a block");

struct line_far {
	uint32_t slot;
	uint32_t line;
};

struct cfg_lines {
	uint8_t *step;		/* for each place: the line less the last one's
				 * (in the order of the places), or LINE_FAR */
	size_t step_size;	/* bytes mapped */
	uint32_t *block;	/* for each block: the line before its first place */
	struct line_far *far;	/* LINE_FAR places, by place */
	size_t n_far;
	bool bad;		/* a node out of order: lines unknown (never) */
};

/* one walk of pass 2, over one half */
struct pack {
	const struct parser *p;
	struct cfg_lines *lines;
	const struct cfg_node *slot0;	/* the mapping's first place */
	size_t wp;		/* where the next string is packed */
	size_t pos;		/* newlines are counted up to here */
	size_t end;		/* the half's end: pages above wp up to here go */
	uint32_t line;		/* newlines from the half's start to pos */
	uint32_t last;		/* the line of the last node seen */
	size_t last_slot;	/* its place */
	size_t blk;		/* lines->block filled up to this one */
	size_t blk0;		/* the half's first block */
	size_t step_mapped;	/* lines->step prefaulted up to this place */
	struct line_far *far;	/* this half's LINE_FAR places */
	size_t n_far, cap_far;
	bool bad;
	struct guess {		/* by depth and place in a list: fix_node */
		uint32_t key, val;	/* 1 + a packed string's offset; 0: none */
		uint32_t key_len, val_len;
		char val_kind;		/* GUESS_BARE, a quote, or 0: no guess */
	} guess[GUESS_DEPTH][GUESS_PLACES];
	struct {
		uint32_t off;	/* 1 + a packed string's offset; 0: none */
		uint32_t len;	/* its length, and PACK_HIT when it was shared since
				 * a string last missed it */
	} cache[PACK_CACHE];
};

/* the newlines in s[0..n); the bytes up to lim may be read. A gap between
 * two tokens is mostly a few bytes ("\n\t\t", " = "): one load of 16. */
static uint32_t count_nl_long(const char *s, size_t n, const char *lim)
{
	uint32_t c = 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');

	for (; n - i >= 16 || (i < n && s + i + 16 <= lim); i += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(s + i)), nl));

		if (n - i < 16)
			m &= (1u << (n - i)) - 1;
		for (; m; m &= m - 1)
			c++;
		if (n - i <= 16)
			return c;
	}
#else
	(void)lim;
#endif
	for (; i < n; i++)
		c += s[i] == '\n';
	return c;
}

static inline uint32_t count_nl(const char *s, size_t n, const char *lim)
{
#ifdef __SSE2__
	if (n <= 16 && lim - s >= 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)s), _mm_set1_epi8('\n'))) &
			((1u << n) - 1);
		uint32_t c = 0;

		for (; m; m &= m - 1)
			c++;
		return c;
	}
#endif
	return count_nl_long(s, n, lim);
}

/* the newlines up to offset at, not yet packed over */
static inline void pack_count(struct pack *k, size_t at)
{
	if (at < k->pos) {	/* the tree is the text's order: never */
		k->bad = true;
		return;
	}
	k->line += count_nl(k->p->text + k->pos, at - k->pos, k->p->text + k->end);
	k->pos = at;
}

/* node n is on line k->line (relative to the half's start) */
static inline void pack_line(struct pack *k, const struct cfg_node *n)
{
	size_t slot = (size_t)(n - k->slot0), b = slot / LINE_BLOCK;
	uint32_t d = k->line - k->last;

	if (slot < k->last_slot) {
		k->bad = true;
		return;
	}
	while (k->blk < b)
		k->lines->block[++k->blk] = k->last;
	if (slot >= k->step_mapped) {	/* one call, not a fault a page */
		size_t to = (slot + STEP_PREFAULT) & ~(size_t)(STEP_PREFAULT - 1);

		if (to > k->lines->step_size)
			to = k->lines->step_size;
		mlvm_prefault(k->lines->step + (slot & ~(size_t)(PAGE - 1)),
			      to - (slot & ~(size_t)(PAGE - 1)));
		k->step_mapped = to;
	}
	if (d >= LINE_FAR) {
		if (k->n_far == k->cap_far) {
			size_t cap = k->cap_far ? 2 * k->cap_far : 16;
			struct line_far *f = realloc(k->far, cap * sizeof(*f));

			if (!f) {
				k->bad = true;
				return;
			}
			k->far = f;
			k->cap_far = cap;
		}
		k->far[k->n_far++] = (struct line_far){ (uint32_t)slot, k->line };
		d = LINE_FAR;
	}
	k->lines->step[slot] = (uint8_t)d;
	k->last = k->line;
	k->last_slot = slot;
}

static inline uint64_t load8(const char *s)
{
	uint64_t v;

	memcpy(&v, s, 8);
	return v;
}

static inline uint32_t load4(const char *s)
{
	uint32_t v;

	memcpy(&v, s, 4);
	return v;
}

/* a hash of s[0..n) from its first and last bytes and its length: keys and
 * the strings that repeat differ there */
static inline uint32_t pack_hash(const char *s, size_t n)
{
	uint64_t h;

	if (n >= 8)
		h = load8(s) * 0x9e3779b97f4a7c15ull ^ load8(s + n - 8) * 0xc2b2ae3d27d4eb4full;
	else if (n >= 4)
		h = load4(s) * 0x9e3779b97f4a7c15ull ^ load4(s + n - 4) * 0xc2b2ae3d27d4eb4full;
	else
		h = (n ? (unsigned char)s[0] | (unsigned char)s[n / 2] << 8 |
			 (unsigned)(unsigned char)s[n - 1] << 16 : 0) * 0x9e3779b97f4a7c15ull;
	h ^= n;
	return (uint32_t)(h >> 32 ^ h);
}

/* a[0..n) == b[0..n) */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	if (n >= 8 && n <= 16)
		return load8(a) == load8(b) && load8(a + n - 8) == load8(b + n - 8);
	if (n >= 4 && n < 8)
		return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
	return !memcmp(a, b, n);
}

/* the NUL-terminated string of len bytes at offset at, packed (or shared):
 * its new offset. pos is past it: nothing at or above at is written over. */
__attribute__((always_inline))
static inline uint32_t pack_string(struct pack *k, size_t at, size_t len)
{
	char *t = k->p->text;
	uint32_t h = 0, off;

	if (len <= PACK_SHARE_MAX) {
		h = pack_hash(t + at, len) & (PACK_CACHE - 1);
		if (k->cache[h].off && (k->cache[h].len & ~PACK_HIT) == len &&
		    same_bytes(t + k->cache[h].off - 1, t + at, len)) {
			k->cache[h].len |= PACK_HIT;
			return k->cache[h].off - 1;
		}
	}
	off = (uint32_t)k->wp;
#ifdef __SSE2__
	if (len < 16 && at - k->wp >= 16 && at + 16 <= k->end)
		/* 16 bytes, the NUL among them: what is stored past it lies
		 * below at, in what was read */
		_mm_storeu_si128((__m128i *)(void *)(t + k->wp),
				 _mm_loadu_si128((const __m128i *)(const void *)(t + at)));
	else
#endif
	if (k->wp != at)
		memmove(t + k->wp, t + at, len + 1);
	k->wp += len + 1;
	if (len <= PACK_SHARE_MAX) {
		/* a second chance for one that was shared: a string that is
		 * met once (an LV's name, its id) does not push out "READ" */
		if (k->cache[h].len & PACK_HIT) {
			k->cache[h].len &= ~PACK_HIT;
		} else {
			k->cache[h].off = off + 1;
			k->cache[h].len = (uint32_t)len;
		}
	}
	return off;
}

/* the bare word (key or value) at offset i: NUL-terminated over the byte
 * after it (a newline there counted first), and packed */
static inline uint32_t pack_bare(struct pack *k, size_t i, uint32_t *len)
{
	const struct parser *p = k->p;
	size_t e = i;

	while (e < p->end && mlvm_lex_is(p->text[e], MLVM_LEX_WORD))
		e++;
	*len = (uint32_t)(e - i);
	k->pos = e;
	if (e >= p->len)	/* no byte after it (never: such a word is copied) */
		return (uint32_t)i;
	k->line += p->text[e] == '\n';
	p->text[e] = '\0';
	k->pos = e + 1;
	return pack_string(k, i, e - i);
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

/* the quoted string (key or value) whose bytes begin at offset i: its
 * escapes removed, NUL-terminated, its newlines counted, and packed */
static inline uint32_t pack_quoted(struct pack *k, size_t i, char q, uint32_t *len)
{
	size_t quote, n = mlvm_lex_unquote_at(k->p->text + i, string_room(k->p, i), q, &quote);

	k->line += count_nl(k->p->text + i, n, k->p->text + k->end);	/* the escapes hold none */
	k->pos = i + quote + 1;
	*len = (uint32_t)n;
	return pack_string(k, i, n);
}

/*
 * The guess: a node is most often written as the node at the same depth
 * and place in the section before it ("segment1" then "segment2", each
 * with start_extent, extent_count, type "striped" ...). The guess is the
 * packed string that node had; where the text holds it again, followed by
 * what ends it, that string is taken without a scan or a look in the
 * cache. A quoted string is guessed only when it has no backslash, quote
 * or newline, so that the same bytes in the text are the same string.
 */
#define GUESS_BARE 1	/* a guess's kind: a bare word; else its quote, or 0 */

/* is the bare word at offset at the guessed one (packed at off, len bytes)?
 * Then it is taken: pos past it and its end, a newline there counted. */
static inline bool guess_bare(struct pack *k, size_t at, uint32_t off, uint32_t len)
{
	const char *t = k->p->text;
	size_t lim = k->end < k->p->end ? k->end : k->p->end;	/* in its half */

	if (at + len >= lim || mlvm_lex_is(t[at + len], MLVM_LEX_WORD) ||
	    !same_bytes(t + at, t + off, len))
		return false;
	k->line += t[at + len] == '\n';
	k->pos = at + len + 1;
	return true;
}

/* the same for the string quoted by q whose bytes begin at offset at */
static inline bool guess_quoted(struct pack *k, size_t at, uint32_t off, uint32_t len, char q)
{
	const char *t = k->p->text;

	if (string_room(k->p, at) <= len || t[at + len] != q || !same_bytes(t + at, t + off, len))
		return false;
	k->pos = at + len + 1;
	return true;
}

/* a string that, written between quotes q, is these very bytes */
static bool guess_plain(const char *s, size_t len, char q)
{
	return mlvm_lex_find3(s, 0, len, '\\', q, '\n') == len;
}

static void fix_node(struct pack *k, struct cfg_node *n, struct guess *g)
{
	uint32_t f = n->key_, v = n->v_.r.aux, len;
	enum cfg_type type = cfg_type(n);
	bool lined = false;

	if (f) {
		size_t at = (size_t)(f & ~F_KEY_FLAGS) - 1;

		pack_count(k, at);
		pack_line(k, n);
		lined = true;
		if (f & F_KEY_DQ) {
			n->key_ = pack_quoted(k, at, '"', &len) + 1;
		} else if (f & F_KEY_SQ) {
			n->key_ = pack_quoted(k, at, '\'', &len) + 1;
		} else if (g->key && guess_bare(k, at, g->key - 1, g->key_len)) {
			n->key_ = g->key;
		} else {
			n->key_ = pack_bare(k, at, &len) + 1;
			g->key = n->key_;
			g->key_len = len;
		}
	}
	if (type == CFG_STRING || (type == CFG_WORD && !(v & CFG_COPIED))) {
		size_t at = n->v_.r.at;

		pack_count(k, at);
		if (!lined)
			pack_line(k, n);
		lined = true;
		if (type == CFG_STRING) {
			char q = v & F_VAL_DQ ? '"' : '\'';

			n->v_.r.aux = (unsigned char)q;
			if (g->val_kind == q && guess_quoted(k, at, g->val - 1, g->val_len, q)) {
				n->v_.r.at = g->val - 1;
			} else {
				n->v_.r.at = pack_quoted(k, at, q, &len);
				g->val = n->v_.r.at + 1;
				g->val_len = len;
				g->val_kind = guess_plain(k->p->text + n->v_.r.at, len, q) ? q : 0;
			}
		} else if (g->val_kind == GUESS_BARE && guess_bare(k, at, g->val - 1, g->val_len)) {
			n->v_.r.at = g->val - 1;
		} else {
			n->v_.r.at = pack_bare(k, at, &len);
			g->val = n->v_.r.at + 1;
			g->val_len = len;
			g->val_kind = GUESS_BARE;
		}
	}
	if (!lined)	/* cfg_line tells none: a number or a copied word, no key */
		pack_line(k, n);
}

/* Depth-first over a list and what is under it; lists are at most
 * MAX_DEPTH + 1 deep. */
static void fix_list(struct pack *k, struct cfg_node *first)
{
	struct cfg_node *stack[MLVM_CFG_MAX_DEPTH + 2], *n;
	unsigned place[MLVM_CFG_MAX_DEPTH + 2];	/* the next one's in its list */
	size_t sp = 0, d;

	stack[sp] = first;
	place[sp++] = 0;
	while (sp) {
		n = stack[sp - 1];
		if (!n) {
			sp--;
			continue;
		}
		stack[sp - 1] = next_of(n);
		d = sp - 1 < GUESS_DEPTH ? sp - 1 : GUESS_DEPTH - 1;
		fix_node(k, n, &k->guess[d][place[sp - 1] < GUESS_PLACES ? place[sp - 1] : GUESS_PLACES - 1]);
		place[sp - 1]++;
		if ((cfg_type(n) == CFG_SECTION || cfg_type(n) == CFG_ARRAY) &&
		    n->v_.r.at && sp < sizeof(stack) / sizeof(stack[0])) {
			stack[sp] = child_of(n);
			place[sp++] = 0;
		}
	}
}

/* a half's walk begins at offset from, at its first place */
static void pack_init(struct pack *k, const struct parser *p, struct cfg_lines *lines,
		      size_t from, size_t end, const struct cfg_node *first)
{
	memset(k, 0, sizeof(*k));
	k->p = p;
	k->lines = lines;
	k->slot0 = region_slot(p->nodes.rg, 0);
	k->wp = k->pos = from;
	k->end = end;
	k->last_slot = (size_t)(first - k->slot0);
	k->blk = k->blk0 = k->last_slot / LINE_BLOCK;
	lines->block[k->blk] = 0;
}

/*
 * The pages of a half above what it packed: given back. The text buffer
 * lies in huge pages where the system gives them (mlvm_alloc_huge), and a
 * huge page partly given back stays advised for huge pages: the kernel's
 * khugepaged, when its scan came by in the read's lifetime, put the whole
 * 2 MiB back (it fills a range with as few as one page left), and the
 * read's peak RSS went from 11.0 to 14.5 MiB (1 run in about 1,000, on
 * bench-read's 10,000 LVs; /proc/self/smaps at the peak showed the text's
 * 4 MiB whole again). So the range is advised against huge pages first.
 */
static void pack_release(const struct pack *k)
{
	uintptr_t a = ((uintptr_t)(k->p->text + k->wp) + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t e = (uintptr_t)(k->p->text + k->end) & ~(uintptr_t)(PAGE - 1);

	if (e <= a)
		return;
#ifdef MADV_NOHUGEPAGE
	(void)madvise((void *)a, e - a, MADV_NOHUGEPAGE);	/* a hint */
#endif
	(void)madvise((void *)a, e - a, MADV_DONTNEED);	/* zero when touched again */
}

/* a half's lines made absolute: each one plus base, the line its first
 * byte is on */
static void pack_rebase(struct pack *k, uint32_t base)
{
	size_t b, i;

	for (b = k->blk0; b <= k->blk; b++)
		k->lines->block[b] += base;
	for (i = 0; i < k->n_far; i++)
		k->far[i].line += base;
}

struct fix_half {
	struct pack *k;
	struct cfg_node *first[MLVM_CFG_MAX_DEPTH + 1];
	int n;
};

static void *fix_half_run(void *arg)
{
	struct fix_half *h = arg;
	int i;

	for (i = h->n; i-- > 0;)	/* deepest first: the text's order */
		fix_list(h->k, h->first[i]);
	pack_release(h->k);
	return NULL;
}

static void lines_free(struct cfg_lines *l)
{
	if (l) {
		if (l->step)
			munmap(l->step, l->step_size);
		free(l->block);
		free(l->far);
		free(l);
	}
}

/* the line table for the places of a mapping of `slots`; NULL when out of
 * memory */
static struct cfg_lines *lines_new(size_t slots)
{
	struct cfg_lines *l = calloc(1, sizeof(*l));
	void *m;

	if (!l)
		return NULL;
	l->step_size = round_up(slots ? slots : 1, PAGE);
	m = mmap(NULL, l->step_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	l->block = malloc((slots / LINE_BLOCK + 1) * sizeof(*l->block));
	if (m == MAP_FAILED || !l->block) {
		if (m != MAP_FAILED)
			munmap(m, l->step_size);
		free(l->block);
		free(l);
		return NULL;
	}
	l->step = m;
	return l;
}

/*
 * Pass 2 over the kept tree, and the packing. After a split parse, the
 * second half's lists (the ends of lists of the tree, p->cut) are cut off
 * and fixed on another thread while this one fixes the rest, then linked
 * back: each node writes only to the bytes of its own half (a token, the
 * byte after it, and the packed strings before it), so the two never touch
 * the same byte. Returns -ENOMEM when the walk's memory cannot be had,
 * before anything is written.
 */
static int fix_all(const struct parser *p, struct cfg_node *root, struct cfg_tree *tree,
		   size_t slots)
{
	struct pack *k = malloc(2 * sizeof(*k));
	struct cfg_lines *lines = lines_new(slots);
	struct fix_half h = { .n = p->n_cut };
	size_t half_at = p->n_cut ? p->split_at : p->len, i;
	struct line_far *far;
	pthread_t th;
	bool threaded;

	if (!k || !lines) {
		free(k);
		lines_free(lines);
		return -ENOMEM;
	}
	h.k = &k[1];
	for (i = 0; i < (size_t)h.n; i++) {
		struct cfg_node *prev = p->cut[i].prev, *parent = p->cut[i].parent;

		h.first[i] = prev ? next_of(prev) : child_of(parent);
		if (prev)
			set_next(prev, NULL);
		else
			set_child(parent, NULL);
	}
	pack_init(&k[0], p, lines, 0, half_at, root);
	if (h.n)	/* its places begin at its heads, in a block of their own */
		pack_init(&k[1], p, lines, p->split_at, p->len, p->split_first);
	threaded = h.n && mlvm_thread_create(&th, fix_half_run, &h) == 0;
	pack_line(&k[0], root);	/* no key, no string: its place in the lines */
	fix_list(&k[0], child_of(root));
	if (h.n)	/* the second half's lines begin after these */
		pack_count(&k[0], p->split_at);
	pack_release(&k[0]);
	if (threaded)
		pthread_join(th, NULL);
	else if (h.n)
		fix_half_run(&h);
	tree->n_cuts = 0;
	for (i = 0; i < (size_t)h.n; i++) {
		if (p->cut[i].prev)
			set_next(p->cut[i].prev, h.first[i]);
		else
			set_child(p->cut[i].parent, h.first[i]);
		if (h.first[i])
			tree->cuts[tree->n_cuts++] = (struct cfg_cut){ p->cut[i].parent, h.first[i] };
	}
	/* lines: the first half's begin at 1, the second's after the first's */
	pack_rebase(&k[0], 1);
	if (h.n)
		pack_rebase(&k[1], 1 + k[0].line);
	lines->bad = k[0].bad || (h.n && k[1].bad);
	lines->n_far = k[0].n_far + (h.n ? k[1].n_far : 0);
	far = k[0].far;
	if (h.n && k[1].n_far) {
		far = realloc(k[0].far, lines->n_far * sizeof(*far));
		if (far) {
			memcpy(far + k[0].n_far, k[1].far, k[1].n_far * sizeof(*far));
		} else {	/* lines unknown: cfg_line says 0 */
			lines->bad = true;
			lines->n_far = k[0].n_far;
			far = k[0].far;
		}
	}
	if (h.n)
		free(k[1].far);
	lines->far = far;
	tree->lines = lines;
	free(k);
	return 0;
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

/* room for the copy of a bare word that ends the text at its length
 * (scalar): the run of word bytes it ends with, and a NUL; 0 when the text
 * ends in a NUL before that, or with no word byte */
static size_t copy_room(const struct parser *p)
{
	size_t i = p->len;

	if (p->end < p->len)
		return 0;
	while (i > 0 && mlvm_lex_is(p->text[i - 1], MLVM_LEX_WORD))
		i--;
	return i < p->len ? p->len - i + 1 : 0;
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
	struct region *rg = NULL;
	size_t at, total, lead, main_slots = 0;
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

	/* the places of the nodes: struct region's, the main parser's, and
	 * the second half's (split_start), which begin a 2 MiB of their own
	 * (the head there is theirs to write) */
	lead = round_up(sizeof(struct region), sizeof(struct cfg_node)) / sizeof(struct cfg_node);
	at = split_want(&p);
	if (at) {
		main_slots = round_up(lead + slots_for(node_room(at)), HEAD_SLOTS) - lead;
		total = lead + main_slots + slots_for(HEADS + node_room(p.end - at));
		if (total >= ((size_t)1 << 32) / sizeof(struct cfg_node))	/* distances too long */
			at = 0;
	}
	if (!at) {
		main_slots = node_room(p.end);
		if (main_slots > MLVM_CFG_MAX_NODES + 1)
			main_slots = MLVM_CFG_MAX_NODES + 1;
		main_slots = slots_for(main_slots);
		total = lead + main_slots;
	}
	rg = region_new(text, total, copy_room(&p));
	if (!rg) {
		rc = fail_at(&p, -ENOMEM, 0, "out of memory");
		goto report;
	}
	p.nodes_end = region_slot(rg, total);
	range_init(&p.nodes, rg, region_slot(rg, lead), region_slot(rg, lead + main_slots));
	split_start(&p, at, region_slot(rg, lead + main_slots));
	if (!p.split)
		p.nodes.lim = p.nodes_end;

	root = new_node(&p, &t0);
	if (!root) {
		rc = p.rc;
		goto fail;
	}
	p.frames[0].node = root;	/* a section: the type 0 */
	p.depth_limit = MLVM_CFG_MAX_DEPTH;

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
	if (rc && (!lenient || rc == -ENOMEM || !root->v_.r.at))
		goto fail;

	tree = malloc(sizeof(*tree));
	if (!tree) {
		rc = fail_at(&p, -ENOMEM, 0, "out of memory");
		goto fail;
	}
	if (fix_all(&p, root, tree, total) != 0) {
		free(tree);
		rc = fail_at(&p, -ENOMEM, 0, "out of memory");
		goto fail;
	}
	tree->root = root;
	tree->text = text;
	tree->text_len = p.end;
	tree->n_nodes = p.n_nodes - p.pending;
	tree->halves = p.split_taken ? 2 : 1;
	tree->arena = rg;
	*out = tree;
	if (!rc)
		return 0;
	report_error(&p, r, image, where);
	return 1;

fail:
	if (p.split) {
		split_end(p.split, true);
		split_free(p.split);
	}
	region_free(rg);
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

uint32_t cfg_line(const struct cfg_tree *t, const struct cfg_node *n)
{
	const struct cfg_lines *l;
	size_t slot, i, lo, hi;
	uint32_t line;

	if (!t || !n || !(l = t->lines) || l->bad)
		return 0;
	if (!n->key_ && (!(cfg_type(n) == CFG_STRING || cfg_type(n) == CFG_WORD) ||
			 (n->v_.r.aux & CFG_COPIED)))
		return 0;	/* not in the text (a copied word, a number, the root) */
	slot = (size_t)((const char *)n - (const char *)t->arena) / sizeof(*n);
	line = l->block[slot / LINE_BLOCK];
	for (i = slot / LINE_BLOCK * LINE_BLOCK; i <= slot; i++) {
		if (l->step[i] != LINE_FAR) {
			line += l->step[i];
			continue;
		}
		lo = 0;
		hi = l->n_far;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (l->far[mid].slot < i)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == l->n_far || l->far[lo].slot != i)
			return 0;	/* never */
		line = l->far[lo].line;
	}
	return line;
}

void cfg_free(struct cfg_tree *t)
{
	if (!t)
		return;
	region_free(t->arena);
	lines_free(t->lines);
	free(t->text);
	free(t);
}

const struct cfg_node *cfg_find(const struct cfg_node *section,
				const char *key)
{
	const struct cfg_node *n;

	if (!section || cfg_type(section) != CFG_SECTION || !key)
		return NULL;
	/* the first two bytes inline: most keys differ there, and strcmp is a call */
	for (n = cfg_child(section); n; n = cfg_next(n)) {
		const char *k = cfg_key(n);

		if (k && k[0] == key[0] &&
		    (!key[0] || (k[1] == key[1] && (!key[1] || !strcmp(k + 2, key + 2)))))
			return n;
	}
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
	if (!section || cfg_type(section) != CFG_SECTION)
		return;
	for (c = cfg_child(section); c && left; c = cfg_next(c))
		left -= (unsigned)cfg_pick_child(c, keys, n, out);
}

int cfg_get_int(const struct cfg_node *section, const char *key,
		int64_t *out)
{
	const struct cfg_node *n = cfg_find(section, key);

	if (!n)
		return -ENOENT;
	if (cfg_type(n) != CFG_INT)
		return -EINVAL;
	*out = cfg_int(n);
	return 0;
}

int cfg_get_str(const struct cfg_node *section, const char *key,
		const char **out)
{
	const struct cfg_node *n = cfg_find(section, key);

	if (!n)
		return -ENOENT;
	if (cfg_type(n) != CFG_STRING && cfg_type(n) != CFG_WORD)
		return -EINVAL;
	*out = cfg_str(n);
	return 0;
}

size_t cfg_count(const struct cfg_node *n)
{
	const struct cfg_node *c;
	size_t count = 0;

	if (!n || (cfg_type(n) != CFG_SECTION && cfg_type(n) != CFG_ARRAY))
		return 0;
	for (c = cfg_child(n); c; c = cfg_next(c))
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
		for (e = cfg_child(arr); e; e = cfg_next(e))
			if ((cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD) &&
			    mlvm_buf_printf(&b, "%s%s", b.len ? sep : "", cfg_str(e))) {
				mlvm_buf_free(&b);
				return NULL;
			}
	return b.data;
}
