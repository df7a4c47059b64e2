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
 * A float token longer than FLOAT_MAX_LEN bytes is an "invalid number"
 * (-EINVAL); integers of any length are read without copying.
 *
 * Two passes, so that a failed parse leaves the caller's text untouched:
 *  1. tokenize and build the tree without writing to the text; nodes point
 *     at the first byte of their key or string, and a few flags in
 *     cfg_node.quote say how each was written;
 *  2. once the tree is kept, walk it and NUL-terminate keys and strings
 *     where they lie (removing \" and \\ escapes), then set quote to its
 *     public meaning. Tokens never overlap, and the byte after a token is
 *     never part of another token's content, so the order does not matter.
 * The only token that can end exactly at len with no byte left for a NUL is
 * a bare word value at the very end of a text without a NUL; that one is
 * copied into the arena in pass 1.
 *
 * Numbers: a value starting with a digit, or with [+-.] followed by a digit
 * (or "+." / "-." and a digit), is a number. It is an integer if strtoll
 * base 0 would take all of it (overflow is an error), else a float if it is
 * a decimal float ([+-]digits[.digits][e[+-]digits]), else an error. strtod
 * converts floats, so LC_NUMERIC must be "C" (the default).
 *
 * Lenient parsing stops at the first error (a syntax error, or the depth or
 * node limit) and keeps every complete item before it: sections are linked
 * in when their '{' is read, so open ones stay; a scalar or an array item is
 * linked in only once its value (its ']') is complete, so a cut item goes.
 */
#include "text/config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOAT_MAX_LEN 127
#define CHUNK_FIRST 4096u
#define CHUNK_MAX (64u << 10)

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
	max_align_t data[];
};

static void arena_free(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
}

/* n bytes aligned to align (a power of two up to max_align_t), zeroed */
static void *arena_alloc(struct chunk **arena, size_t n, size_t align)
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
		c = malloc(total);
		if (!c)
			return NULL;
		c->next = *arena;
		c->used = 0;
		c->size = cap;
		*arena = c;
	}
	ptr = (char *)c->data + c->used;
	c->used += n;
	memset(ptr, 0, n);
	return ptr;
}

/* ------------------------------------------------------------ characters */

/* character classes, independent of the locale; bytes >= 0x80 are none */
#define C_SPACE 0x01
#define C_DIGIT 0x02
#define C_KEY 0x04	/* may appear in a bare key */
#define C_WORD 0x08	/* may appear in a bare word (a superset of C_KEY) */
#define SP C_SPACE
#define KY (C_KEY | C_WORD)
#define DG (C_DIGIT | C_KEY | C_WORD)
#define WD C_WORD

static const uint8_t char_class[256] = {
	[' '] = SP, ['\t'] = SP, ['\n'] = SP, ['\r'] = SP, ['\v'] = SP,
	['\f'] = SP,
	['0'] = DG, ['1'] = DG, ['2'] = DG, ['3'] = DG, ['4'] = DG,
	['5'] = DG, ['6'] = DG, ['7'] = DG, ['8'] = DG, ['9'] = DG,
	['a'] = KY, ['b'] = KY, ['c'] = KY, ['d'] = KY, ['e'] = KY, ['f'] = KY,
	['g'] = KY, ['h'] = KY, ['i'] = KY, ['j'] = KY, ['k'] = KY, ['l'] = KY,
	['m'] = KY, ['n'] = KY, ['o'] = KY, ['p'] = KY, ['q'] = KY, ['r'] = KY,
	['s'] = KY, ['t'] = KY, ['u'] = KY, ['v'] = KY, ['w'] = KY, ['x'] = KY,
	['y'] = KY, ['z'] = KY,
	['A'] = KY, ['B'] = KY, ['C'] = KY, ['D'] = KY, ['E'] = KY, ['F'] = KY,
	['G'] = KY, ['H'] = KY, ['I'] = KY, ['J'] = KY, ['K'] = KY, ['L'] = KY,
	['M'] = KY, ['N'] = KY, ['O'] = KY, ['P'] = KY, ['Q'] = KY, ['R'] = KY,
	['S'] = KY, ['T'] = KY, ['U'] = KY, ['V'] = KY, ['W'] = KY, ['X'] = KY,
	['Y'] = KY, ['Z'] = KY,
	['_'] = KY, ['.'] = KY, ['+'] = KY, ['-'] = KY,
	['/'] = WD, [':'] = WD, ['@'] = WD,
};

#undef SP
#undef KY
#undef DG
#undef WD

static bool is_space(char c)
{
	return char_class[(unsigned char)c] & C_SPACE;
}

static bool is_digit(char c)
{
	return char_class[(unsigned char)c] & C_DIGIT;
}

static bool is_key_char(char c)
{
	return char_class[(unsigned char)c] & C_KEY;
}

static bool is_word_char(char c)
{
	return char_class[(unsigned char)c] & C_WORD;
}

static int digit_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* ------------------------------------------------------------ tokenizer */

enum tok_type {
	TK_EOF,
	TK_LBRACE,
	TK_RBRACE,
	TK_LBRACK,
	TK_RBRACK,
	TK_COMMA,
	TK_EQ,
	TK_RUN,		/* word characters: a key, word or number */
	TK_STR,		/* quoted string */
};

struct token {
	enum tok_type type;
	size_t off;	/* first byte (the opening quote for TK_STR) */
	size_t end;	/* past the content (TK_STR: the closing quote) */
	uint32_t line;
	uint32_t col;
	char quote;	/* TK_STR: '"' or '\'' */
};

struct frame {
	struct cfg_node *node;
	struct cfg_node *tail;
	size_t off;	/* where its key token starts */
	uint32_t line;
	uint32_t col;
};

struct parser {
	char *text;
	size_t len;		/* bytes the caller gave */
	size_t end;		/* bytes to parse: up to the first NUL */
	size_t pos;
	uint32_t line;
	size_t line_start;
	struct chunk *arena;
	size_t n_nodes;		/* allocated, the root included */
	size_t pending;		/* nodes of an array not yet attached */
	struct cfg_error *err;
	int rc;			/* the error fail_at() last reported */
	int depth;
	struct frame frames[MLVM_CFG_MAX_DEPTH + 1];
};

static uint32_t column_of(const struct parser *p, size_t off)
{
	return (uint32_t)(off - p->line_start + 1);
}

__attribute__((format(printf, 6, 7)))
static int fail_at(struct parser *p, int rc, size_t off, uint32_t line,
		   uint32_t col, const char *fmt, ...)
{
	va_list ap;

	p->err->line = line;
	p->err->column = col;
	p->err->offset = off;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
	p->rc = rc;
	return rc;
}

#define fail_tok(p, rc, t, ...) \
	fail_at((p), (rc), (t)->off, (t)->line, (t)->col, __VA_ARGS__)

static void new_line(struct parser *p, size_t nl)
{
	p->line++;
	p->line_start = nl + 1;
}

static int next_token(struct parser *p, struct token *t)
{
	const char *s = p->text;
	size_t i = p->pos, j;
	char c;

	for (;;) {
		while (i < p->end && is_space(s[i])) {
			if (s[i] == '\n')
				new_line(p, i);
			i++;
		}
		if (i < p->end && s[i] == '#') {
			while (i < p->end && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}

	t->off = i;
	t->line = p->line;
	t->col = column_of(p, i);
	t->quote = 0;
	if (i >= p->end) {
		t->type = TK_EOF;
		t->end = p->pos = i;
		return 0;
	}

	c = s[i];
	t->end = i + 1;
	switch (c) {
	case '{':
		t->type = TK_LBRACE;
		break;
	case '}':
		t->type = TK_RBRACE;
		break;
	case '[':
		t->type = TK_LBRACK;
		break;
	case ']':
		t->type = TK_RBRACK;
		break;
	case ',':
		t->type = TK_COMMA;
		break;
	case '=':
		t->type = TK_EQ;
		break;
	case '"':
	case '\'':
		t->type = TK_STR;
		t->quote = c;
		for (j = i + 1; j < p->end && s[j] != c; j++) {
			if (c == '"' && s[j] == '\\' && j + 1 < p->end)
				j++;
			if (s[j] == '\n')
				new_line(p, j);
		}
		if (j >= p->end)
			return fail_tok(p, -EINVAL, t, "unterminated string");
		t->end = j;
		p->pos = j + 1;
		return 0;
	default:
		if (!is_word_char(c)) {
			if (c >= 0x21 && c <= 0x7e)
				return fail_tok(p, -EINVAL, t,
						"unexpected character '%c'", c);
			return fail_tok(p, -EINVAL, t,
					"unexpected byte 0x%02x",
					(unsigned)(unsigned char)c);
		}
		for (j = i + 1; j < p->end && is_word_char(s[j]); j++)
			;
		t->type = TK_RUN;
		t->end = j;
		break;
	}
	p->pos = t->end;
	return 0;
}

/* ------------------------------------------------------------ values */

static bool looks_numeric(const char *s, size_t n)
{
	size_t i = 0;

	if (n && (s[0] == '+' || s[0] == '-'))
		i++;
	if (i < n && s[i] == '.')
		i++;
	return i < n && is_digit(s[i]);
}

/*
 * 1 and *out set when strtoll base 0 would take all of s[0..n); 0 when it
 * would not; -ERANGE when it would but the value does not fit.
 */
static int parse_int(const char *s, size_t n, int64_t *out)
{
	uint64_t mag = 0, limit;
	bool neg = false, over = false;
	size_t i = 0;
	int base = 10, d;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i >= n)
		return 0;
	if (s[i] == '0') {
		base = 8;
		if (i + 2 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
		    digit_value(s[i + 2]) < 16) {
			base = 16;
			i += 2;
		}
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		d = digit_value(s[i]);
		if (d >= base)
			return 0;
		if (mag > (limit - (uint64_t)d) / (uint64_t)base)
			over = true;
		else
			mag = mag * (uint64_t)base + (uint64_t)d;
	}
	if (over)
		return -ERANGE;
	if (neg)
		*out = mag ? -(int64_t)(mag - 1) - 1 : 0;
	else
		*out = (int64_t)mag;
	return 1;
}

/* [+-] digits [. digits] [e [+-] digits], at least one mantissa digit */
static bool is_decimal_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && is_digit(s[i]); i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			digits++;
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n;
}

static int parse_number(struct parser *p, const struct token *t,
			struct cfg_node *n)
{
	const char *s = p->text + t->off;
	size_t len = t->end - t->off;
	char buf[FLOAT_MAX_LEN + 1];
	int64_t iv = 0;
	int rc;

	rc = parse_int(s, len, &iv);
	if (rc == -ERANGE)
		return fail_tok(p, -EINVAL, t, "integer out of range");
	if (rc == 1) {
		n->v.i = iv;
		n->type = CFG_INT;
		return 0;
	}
	if (!is_decimal_float(s, len) || len > FLOAT_MAX_LEN)
		return fail_tok(p, -EINVAL, t, "invalid number '%.*s'",
				(int)(len > 40 ? 40 : len), s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	n->v.f = strtod(buf, NULL);
	if (isinf(n->v.f))
		return fail_tok(p, -EINVAL, t, "number out of range");
	n->type = CFG_FLOAT;
	return 0;
}

/* ------------------------------------------------------------ parser */

/* A zeroed node at t's line, or NULL with the error in p->rc. */
static struct cfg_node *new_node(struct parser *p, const struct token *t)
{
	struct cfg_node *n;

	if (p->n_nodes >= MLVM_CFG_MAX_NODES) {
		fail_tok(p, -E2BIG, t, "too many nodes (limit %u)",
			 MLVM_CFG_MAX_NODES);
		return NULL;
	}
	n = arena_alloc(&p->arena, sizeof(*n), _Alignof(struct cfg_node));
	if (!n) {
		fail_tok(p, -ENOMEM, t, "out of memory");
		return NULL;
	}
	p->n_nodes++;
	return n;
}

/* A scalar value (string, word or number) from token t into node n. */
static int scalar(struct parser *p, const struct token *t, struct cfg_node *n)
{
	size_t len;
	char *copy;

	if (t->type == TK_STR) {
		n->type = CFG_STRING;
		n->v.s = p->text + t->off + 1;
		n->quote |= t->quote == '"' ? F_VAL_DQ : F_VAL_SQ;
		return 0;
	}
	len = t->end - t->off;
	if (looks_numeric(p->text + t->off, len))
		return parse_number(p, t, n);
	n->type = CFG_WORD;
	if (t->end < p->len) {
		n->v.s = p->text + t->off;
		return 0;
	}
	/* a word ending at len, with no byte left to terminate it */
	copy = arena_alloc(&p->arena, len + 1, 1);
	if (!copy)
		return fail_tok(p, -ENOMEM, t, "out of memory");
	memcpy(copy, p->text + t->off, len);
	n->v.s = copy;
	n->quote |= F_VAL_COPIED;
	return 0;
}

static void set_key(struct parser *p, struct cfg_node *n, const struct token *k)
{
	if (k->type == TK_STR) {
		n->key = p->text + k->off + 1;
		n->quote |= k->quote == '"' ? F_KEY_DQ : F_KEY_SQ;
	} else {
		n->key = p->text + k->off;
	}
}

static int check_key(struct parser *p, const struct token *k)
{
	size_t i;

	if (k->type == TK_STR) {
		if (k->end == k->off + 1)
			return fail_tok(p, -EINVAL, k, "empty key");
		return 0;
	}
	for (i = k->off; i < k->end; i++)
		if (!is_key_char(p->text[i]))
			return fail_at(p, -EINVAL, i, k->line,
				       k->col + (uint32_t)(i - k->off),
				       "invalid character '%c' in key",
				       p->text[i]);
	return 0;
}

static void append(struct frame *f, struct cfg_node *n)
{
	if (f->tail)
		f->tail->next = n;
	else
		f->node->v.child = n;
	f->tail = n;
}

/* After '[': elements up to ']', into array node a. */
static int parse_array(struct parser *p, struct cfg_node *a,
		       const struct token *open)
{
	struct cfg_node *tail = NULL, *n;
	bool comma_ok = false;
	struct token t;
	int rc;

	for (;;) {
		rc = next_token(p, &t);
		if (rc)
			return rc;
		switch (t.type) {
		case TK_RBRACK:
			return 0;
		case TK_COMMA:
			if (!comma_ok)
				return fail_tok(p, -EINVAL, &t,
						"unexpected ','");
			comma_ok = false;
			continue;
		case TK_STR:
		case TK_RUN:
			break;
		case TK_EOF:
			return fail_tok(p, -EINVAL, open, "unterminated array");
		case TK_LBRACK:
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
			tail->next = n;
		else
			a->v.child = n;
		tail = n;
		comma_ok = true;
	}
}

static int unterminated_section(struct parser *p)
{
	const struct frame *f = &p->frames[p->depth];
	const struct cfg_node *n = f->node;
	size_t start = (size_t)(n->key - p->text), i = start;

	if (n->quote & (F_KEY_DQ | F_KEY_SQ)) {
		while (i < p->end && p->text[i] != p->text[start - 1])
			i++;
	} else {
		while (i < p->end && is_word_char(p->text[i]))
			i++;
	}
	return fail_at(p, -EINVAL, f->off, f->line, f->col,
		       "unterminated section '%.*s'",
		       (int)(i - start > 64 ? 64 : i - start), n->key);
}

static int parse_items(struct parser *p)
{
	struct cfg_node *n;
	struct token k, t;
	struct frame *f;
	int rc;

	for (;;) {
		f = &p->frames[p->depth];
		rc = next_token(p, &k);
		if (rc)
			return rc;
		switch (k.type) {
		case TK_EOF:
			if (!p->depth)
				return 0;
			return unterminated_section(p);
		case TK_RBRACE:
			if (!p->depth)
				return fail_tok(p, -EINVAL, &k,
						"unexpected '}'");
			p->depth--;
			continue;
		case TK_RUN:
		case TK_STR:
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
		if (t.type == TK_LBRACE) {
			if (p->depth >= MLVM_CFG_MAX_DEPTH)
				return fail_tok(p, -E2BIG, &t,
						"nesting too deep (limit %d)",
						MLVM_CFG_MAX_DEPTH);
			n = new_node(p, &k);
			if (!n)
				return p->rc;
			set_key(p, n, &k);
			n->type = CFG_SECTION;
			append(f, n);
			p->depth++;
			p->frames[p->depth] = (struct frame){
				.node = n, .off = k.off, .line = k.line,
				.col = k.col,
			};
			continue;
		}
		if (t.type != TK_EQ)
			return fail_tok(p, -EINVAL, &t,
					"expected '=' or '{' after key");

		rc = next_token(p, &t);
		if (rc)
			return rc;
		if (t.type != TK_LBRACK && t.type != TK_STR && t.type != TK_RUN)
			return fail_tok(p, -EINVAL, &t, "expected a value");
		if (t.type == TK_LBRACK && p->depth >= MLVM_CFG_MAX_DEPTH)
			return fail_tok(p, -E2BIG, &t,
					"nesting too deep (limit %d)",
					MLVM_CFG_MAX_DEPTH);
		n = new_node(p, &k);
		if (!n)
			return p->rc;
		set_key(p, n, &k);
		p->pending = 1;
		if (t.type == TK_LBRACK) {
			n->type = CFG_ARRAY;
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

/* ------------------------------------------------------------ fix-up */

/* NUL-terminate the bare word starting at i (it is followed by a byte). */
static void terminate_bare(const struct parser *p, size_t i)
{
	while (i < p->end && is_word_char(p->text[i]))
		i++;
	if (i < p->len)
		p->text[i] = '\0';
}

/*
 * Unescape and NUL-terminate the quoted string whose content starts at i.
 * Pass 1 found its closing quote, with the same rules, before the end.
 */
static void terminate_quoted(const struct parser *p, size_t i, char q)
{
	char *s = p->text;
	size_t w = i;

	while (s[i] != q) {
		if (q == '"' && s[i] == '\\') {
			if (s[i + 1] != '"' && s[i + 1] != '\\')
				s[w++] = s[i];
			i++;
		}
		s[w++] = s[i++];
	}
	s[w] = '\0';
}

static void fix_node(const struct parser *p, struct cfg_node *n)
{
	uint8_t f = n->quote;

	if (n->key) {
		size_t k = (size_t)(n->key - p->text);

		if (f & F_KEY_DQ)
			terminate_quoted(p, k, '"');
		else if (f & F_KEY_SQ)
			terminate_quoted(p, k, '\'');
		else
			terminate_bare(p, k);
	}
	n->quote = 0;
	if (n->type == CFG_STRING) {
		n->quote = f & F_VAL_DQ ? '"' : '\'';
		terminate_quoted(p, (size_t)(n->v.s - p->text), (char)n->quote);
	} else if (n->type == CFG_WORD && !(f & F_VAL_COPIED)) {
		terminate_bare(p, (size_t)(n->v.s - p->text));
	}
}

/* Depth-first over the kept tree; lists are at most MAX_DEPTH + 1 deep. */
static void fix_tree(const struct parser *p, struct cfg_node *root)
{
	struct cfg_node *stack[MLVM_CFG_MAX_DEPTH + 2], *n;
	size_t sp = 0;

	stack[sp++] = root->v.child;
	while (sp) {
		n = stack[sp - 1];
		if (!n) {
			sp--;
			continue;
		}
		stack[sp - 1] = n->next;
		fix_node(p, n);
		if ((n->type == CFG_SECTION || n->type == CFG_ARRAY) &&
		    n->v.child && sp < sizeof(stack) / sizeof(stack[0]))
			stack[sp++] = n->v.child;
	}
}

/* ------------------------------------------------------------ API */

static int text_too_large(struct parser *p)
{
	const char *s = p->text, *nl;
	size_t off = 0;

	while ((nl = memchr(s + off, '\n', MLVM_CFG_MAX_TEXT - off))) {
		off = (size_t)(nl - s) + 1;
		new_line(p, off - 1);
	}
	return fail_at(p, -E2BIG, MLVM_CFG_MAX_TEXT, p->line,
		       column_of(p, MLVM_CFG_MAX_TEXT),
		       "text too large (limit %u bytes)", MLVM_CFG_MAX_TEXT);
}

static int parse(char *text, size_t len, struct cfg_tree **out,
		 struct cfg_error *err, bool lenient)
{
	struct cfg_error dummy;
	struct cfg_tree *tree;
	struct cfg_node *root;
	struct parser p;
	const char *nul;
	struct token t0 = { .line = 1, .col = 1 };
	int rc;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (out)
		*out = NULL;
	if (!out || (!text && len)) {
		snprintf(err->message, sizeof(err->message),
			 "invalid argument");
		return -EINVAL;
	}

	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	nul = len ? memchr(text, '\0', len) : NULL;
	p.end = nul ? (size_t)(nul - text) : len;
	p.line = 1;
	p.err = err;
	if (p.end > MLVM_CFG_MAX_TEXT)
		return text_too_large(&p);

	root = new_node(&p, &t0);
	if (!root)
		return p.rc;
	root->type = CFG_SECTION;
	p.frames[0].node = root;

	rc = parse_items(&p);
	if (rc && (!lenient || rc == -ENOMEM || !root->v.child))
		goto fail;

	tree = malloc(sizeof(*tree));
	if (!tree) {
		memset(err, 0, sizeof(*err));
		rc = fail_at(&p, -ENOMEM, 0, 1, 1, "out of memory");
		goto fail;
	}
	fix_tree(&p, root);
	tree->root = root;
	tree->lines = NULL;
	tree->n_lines = 0;
	tree->text = text;
	tree->text_len = p.end;
	tree->n_nodes = p.n_nodes - p.pending;
	tree->arena = p.arena;
	*out = tree;
	return rc ? 1 : 0;

fail:
	arena_free(p.arena);
	return rc;
}

int cfg_parse(char *text, size_t len, struct cfg_tree **out,
	      struct cfg_error *err)
{
	return parse(text, len, out, err, false);
}

int cfg_parse_lenient(char *text, size_t len, struct cfg_tree **out,
		      struct cfg_error *err)
{
	return parse(text, len, out, err, true);
}

uint32_t cfg_line(struct cfg_tree *t, const struct cfg_node *n)
{
	const char *at = NULL;
	size_t off, lo, hi, i;

	if (!t || !n)
		return 0;
	if (n->key)
		at = n->key;
	else if ((n->type == CFG_STRING || n->type == CFG_WORD) && n->v.s)
		at = n->v.s;
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

	if (!section || section->type != CFG_SECTION || !key)
		return NULL;
	for (n = section->v.child; n; n = n->next)
		if (n->key && !strcmp(n->key, key))
			return n;
	return NULL;
}

const struct cfg_node *cfg_find_type(const struct cfg_node *section,
				     const char *key, enum cfg_type type)
{
	const struct cfg_node *n = cfg_find(section, key);

	return n && n->type == type ? n : NULL;
}

int cfg_get_int(const struct cfg_node *section, const char *key,
		int64_t *out)
{
	const struct cfg_node *n = cfg_find(section, key);

	if (!n)
		return -ENOENT;
	if (n->type != CFG_INT)
		return -EINVAL;
	*out = n->v.i;
	return 0;
}

int cfg_get_str(const struct cfg_node *section, const char *key,
		const char **out)
{
	const struct cfg_node *n = cfg_find(section, key);

	if (!n)
		return -ENOENT;
	if (n->type != CFG_STRING && n->type != CFG_WORD)
		return -EINVAL;
	*out = n->v.s;
	return 0;
}

size_t cfg_count(const struct cfg_node *n)
{
	const struct cfg_node *c;
	size_t count = 0;

	if (!n || (n->type != CFG_SECTION && n->type != CFG_ARRAY))
		return 0;
	for (c = n->v.child; c; c = c->next)
		count++;
	return count;
}
