/*
 * lex.h - the one tokenizer of LVM2's metadata text (libdm config syntax),
 * under both the parser (text/config.c) and the carver's syntax check
 * (text/carve.c).
 *
 * Tokens: { } [ ] , =, a run of bare-word characters (a key, a word or a
 * number), a quoted string. Between tokens: whitespace (space, \t \n \r
 * \v \f) and comments ('#' to the end of the line). Character classes are
 * independent of the locale; bytes >= 0x80 belong to no class:
 *   MLVM_LEX_SPACE  the whitespace above
 *   MLVM_LEX_DIGIT  0-9
 *   MLVM_LEX_KEY    [A-Za-z0-9_.+-]: a bare key (and a VG name)
 *   MLVM_LEX_WORD   a bare word: MLVM_LEX_KEY plus / : @
 * "double-quoted" strings know the escapes \" and \\; a backslash before
 * any other byte is kept, but that byte cannot end the string. 'single-
 * quoted' strings have no escapes. The lexer stops at the length it is
 * given: the caller decides where the text ends (config.c: at the first
 * NUL), so a NUL inside the range is an unexpected byte.
 *
 * Numbers (mlvm_lex_number): a run starting with a digit, or with [+-.]
 * followed by a digit (or "+." / "-." and a digit), is a number. It is an
 * integer if strtoll base 0 would take all of it (0x.. hex, a leading 0 is
 * octal; a value outside int64_t is an error, not a float), else a float
 * if it is a decimal float ([+-]digits[.digits][e[+-]digits], at most
 * MLVM_LEX_FLOAT_MAX_LEN bytes, finite), else an error. strtod converts
 * floats, so LC_NUMERIC must be "C" (the default).
 *
 * Nothing here allocates, nests or keeps state between calls: limits on
 * nesting, nodes and text size belong to the grammar (config.h).
 * mlvm_lex_next is inline because the carver runs it over every byte of a
 * 64 MiB metadata area.
 *
 * Layer: text (src/text). May include: base, io, disk.
 */
#ifndef MLVM_LEX_H
#define MLVM_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MLVM_LEX_SPACE 0x01
#define MLVM_LEX_DIGIT 0x02
#define MLVM_LEX_KEY 0x04
#define MLVM_LEX_WORD 0x08

/* the class bits of every byte */
extern const uint8_t mlvm_lex_class[256];

static inline bool mlvm_lex_is(char c, uint8_t cls)
{
	return mlvm_lex_class[(unsigned char)c] & cls;
}

enum mlvm_tok {
	MLVM_TOK_EOF,
	MLVM_TOK_LBRACE,
	MLVM_TOK_RBRACE,
	MLVM_TOK_LBRACK,
	MLVM_TOK_RBRACK,
	MLVM_TOK_COMMA,
	MLVM_TOK_EQ,
	MLVM_TOK_RUN,		/* bare-word characters: a key, word or number */
	MLVM_TOK_STR,		/* a quoted string */
	MLVM_TOK_UNTERMINATED,	/* a quote with no closing quote before the end */
	MLVM_TOK_BAD,		/* a byte that starts no token */
};

struct mlvm_token {
	size_t start;		/* first byte (a string's opening quote) */
	size_t off, end;	/* content: [off, end), a string without quotes */
	uint8_t type;		/* enum mlvm_tok */
	char quote;		/* MLVM_TOK_STR and _UNTERMINATED: '"' or '\'' */
	bool all_key;		/* MLVM_TOK_RUN: every byte is MLVM_LEX_KEY */
};

/*
 * The first byte of s[i..n) that is a, b or c, or n: 16 bytes at a time
 * with SSE2 (a string's bytes are looked at once each, and an LV's id is
 * 38 of them), never reading at or past n.
 */
static inline size_t mlvm_lex_find3(const char *s, size_t i, size_t n, char a, char b, char c)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);

	for (; i < n && n - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
				     _mm_cmpeq_epi8(x, vc)));

		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (s[i] == a || s[i] == b || s[i] == c)
			return i;
	return n;
}

/*
 * The closing quote of a string whose content starts at s[i] (the byte
 * after the opening quote q), or n when the string does not end before n
 * (with nul_ends: nor before a NUL byte).
 */
static inline size_t mlvm_lex_string_end_nul(const char *s, size_t i, size_t n, char q,
					     bool nul_ends)
{
	if (q == '\'') {
		const char *e = i < n ? memchr(s + i, q, n - i) : NULL;

		if (e && nul_ends && memchr(s + i, '\0', (size_t)(e - s) - i))
			return n;
		return e ? (size_t)(e - s) : n;
	}
	for (;;) {
		/* the next byte that ends the string, is a NUL (nul_ends) or
		 * escapes the byte after it */
		i = mlvm_lex_find3(s, i, n, q, '\\', nul_ends ? '\0' : q);
		if (i >= n)
			return n;
		if (s[i] == q)
			return i;
		if (s[i] == '\0')	/* nul_ends */
			return n;
		if (i + 1 < n) {	/* a backslash: the byte after it ends nothing */
			if (nul_ends && s[i + 1] == '\0')
				return n;
			i++;
		}
		i++;
	}
}

static inline size_t mlvm_lex_string_end(const char *s, size_t i, size_t n, char q)
{
	return mlvm_lex_string_end_nul(s, i, n, q, false);
}

/* at s[i] in a "double-quoted" string: is this an escape (\" or \\)? */
static inline bool mlvm_lex_escape(const char *s, size_t i, size_t n)
{
	return s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\');
}

/*
 * The next token of s[0..n) at or after *pos, into *t; returns t->type.
 * *pos moves past the token, except for _EOF, _UNTERMINATED and _BAD
 * (where *pos is left at the token's first byte). With nul_ends, the text
 * ends at its first NUL byte as if n were there: _EOF at a NUL where a
 * token would start (t->start is the NUL's place), _UNTERMINATED for a
 * string with a NUL before its quote, a comment stops at it. That spares
 * a parser the search for the NUL through the whole text first.
 */
static inline int mlvm_lex_next_nul(const char *s, size_t n, size_t *pos, struct mlvm_token *t,
				    bool nul_ends)
{
	size_t i = *pos, j;
	char c;

	for (;;) {
		while (i < n && mlvm_lex_is(s[i], MLVM_LEX_SPACE))
			i++;
		if (i < n && s[i] == '#') {
			const char *nl = memchr(s + i, '\n', n - i);
			size_t stop = nl ? (size_t)(nl - s) : n;
			const char *z = nul_ends ? memchr(s + i, '\0', stop - i) : NULL;

			i = z ? (size_t)(z - s) : stop;
			if (z)
				break;
			continue;
		}
		break;
	}
	t->start = t->off = i;
	t->quote = 0;
	*pos = i;
	if (i >= n || (nul_ends && s[i] == '\0')) {
		t->end = i;
		return t->type = MLVM_TOK_EOF;
	}
	c = s[i];
	if (mlvm_lex_is(c, MLVM_LEX_WORD)) {
		uint8_t all = mlvm_lex_class[(unsigned char)c];

		for (j = i + 1; j < n && mlvm_lex_is(s[j], MLVM_LEX_WORD); j++)
			all &= mlvm_lex_class[(unsigned char)s[j]];
		t->all_key = all & MLVM_LEX_KEY;
		t->end = *pos = j;
		return t->type = MLVM_TOK_RUN;
	}
	t->end = i + 1;
	switch (c) {
	case '{': t->type = MLVM_TOK_LBRACE; break;
	case '}': t->type = MLVM_TOK_RBRACE; break;
	case '[': t->type = MLVM_TOK_LBRACK; break;
	case ']': t->type = MLVM_TOK_RBRACK; break;
	case ',': t->type = MLVM_TOK_COMMA; break;
	case '=': t->type = MLVM_TOK_EQ; break;
	case '"':
	case '\'':
		t->quote = c;
		j = mlvm_lex_string_end_nul(s, i + 1, n, c, nul_ends);
		if (j >= n)
			return t->type = MLVM_TOK_UNTERMINATED;
		t->off = i + 1;
		t->end = j;
		*pos = j + 1;
		return t->type = MLVM_TOK_STR;
	default:
		return t->type = MLVM_TOK_BAD;
	}
	*pos = i + 1;
	return t->type;
}

static inline int mlvm_lex_next(const char *s, size_t n, size_t *pos, struct mlvm_token *t)
{
	return mlvm_lex_next_nul(s, n, pos, t, false);
}

/* does token t of s (a run, or a string with its escapes removed) equal word? */
bool mlvm_lex_equals(const char *s, const struct mlvm_token *t, const char *word);

/*
 * Remove the escapes of the string whose content starts at s (it ends at
 * the quote q that mlvm_lex_string_end finds, within s[0..avail)) and
 * NUL-terminate it, in place, over its closing quote or earlier. The bytes
 * before the first escape are looked at 16 at a time (mlvm_lex_find3),
 * none at or past avail. Returns the string's length once unquoted (where
 * its NUL went); *quote is the index of its closing quote, the byte after
 * the string's bytes as written.
 */
size_t mlvm_lex_unquote_at(char *s, size_t avail, char q, size_t *quote);

#define MLVM_LEX_FLOAT_MAX_LEN 127

enum mlvm_num {
	MLVM_NUM_WORD,		/* not a number: a bare word */
	MLVM_NUM_INT,		/* *i set */
	MLVM_NUM_FLOAT,		/* *f set */
	MLVM_NUM_INT_RANGE,	/* an integer outside int64_t */
	MLVM_NUM_INVALID,	/* looks like a number, is neither */
	MLVM_NUM_FLOAT_RANGE,	/* a float that is not finite */
};

/* Classify the run s[0..n) and convert it (i and f may be NULL). */
enum mlvm_num mlvm_lex_number(const char *s, size_t n, int64_t *i, double *f);

/*
 * The common case of mlvm_lex_number, for callers that only classify (the
 * carver's syntax check runs over every copy in a 64 MiB ring): "0", or a
 * run of 1 to 18 decimal digits not starting with 0, is an integer that fits.
 */
static inline bool mlvm_lex_short_int(const char *s, size_t n)
{
	size_t i;

	if (n == 1 && s[0] == '0')
		return true;
	if (!n || n > 18 || s[0] < '1' || s[0] > '9')
		return false;
	for (i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* 1-based line and column of byte off of s (newlines before it, plus one). */
void mlvm_lex_position(const char *s, size_t off, uint32_t *line, uint32_t *col);

#endif
