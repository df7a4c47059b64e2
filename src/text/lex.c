/*
 * lex.c - character classes, escapes and number rules of LVM2's metadata
 * text; the tokenizer itself is inline in lex.h.
 */
#include "text/lex.h"

#include <math.h>
#include <stdlib.h>

#define SP MLVM_LEX_SPACE
#define KY (MLVM_LEX_KEY | MLVM_LEX_WORD)
#define DG (MLVM_LEX_DIGIT | MLVM_LEX_KEY | MLVM_LEX_WORD)
#define WD MLVM_LEX_WORD

const uint8_t mlvm_lex_class[256] = {
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

static bool is_digit(char c)
{
	return mlvm_lex_is(c, MLVM_LEX_DIGIT);
}

bool mlvm_lex_equals(const char *s, const struct mlvm_token *t, const char *word)
{
	size_t i, k = 0, wl = strlen(word);

	if (t->type != MLVM_TOK_STR || t->quote == '\'')
		return t->end - t->off == wl && !memcmp(s + t->off, word, wl);
	for (i = t->off; i < t->end; i++, k++) {
		char ch = s[i];

		if (mlvm_lex_escape(s, i, t->end))
			ch = s[++i];
		if (k >= wl || word[k] != ch)
			return false;
	}
	return k == wl;
}

/* the unquoting from s[i] on, byte by byte, the bytes before it having no
 * escape: the unquoted length; *quote the closing quote's index */
static size_t unquote_from(char *s, size_t i, char q, size_t *quote)
{
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
	*quote = i;
	return w;
}

size_t mlvm_lex_unquote_at(char *s, size_t avail, char q, size_t *quote)
{
	size_t i = mlvm_lex_find3(s, 0, avail, q, q == '"' ? '\\' : q, q);

	if (i < avail && s[i] == q) {
		s[i] = '\0';		/* no escape: nothing moves */
		*quote = i;
		return i;
	}
	return unquote_from(s, i < avail ? i : 0, q, quote);
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

/*
 * 1 and *out set when strtoll base 0 would take all of s[0..n); 0 when it
 * would not; -1 when it would but the value does not fit.
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
		return -1;
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

enum mlvm_num mlvm_lex_number(const char *s, size_t n, int64_t *iv, double *fv)
{
	char buf[MLVM_LEX_FLOAT_MAX_LEN + 1];
	int64_t v = 0;
	size_t i = 0;
	double f;
	int rc;

	if (n && n <= 18 && s[0] >= '1' && s[0] <= '9') {
		/* the common case: a short decimal integer, which fits */
		for (; i < n && is_digit(s[i]); i++)
			v = v * 10 + (s[i] - '0');
		if (i == n) {
			if (iv)
				*iv = v;
			return MLVM_NUM_INT;
		}
		i = 0;
	}
	if (n && (s[0] == '+' || s[0] == '-'))
		i++;
	if (i < n && s[i] == '.')
		i++;
	if (!(i < n && is_digit(s[i])))
		return MLVM_NUM_WORD;
	rc = parse_int(s, n, &v);
	if (rc < 0)
		return MLVM_NUM_INT_RANGE;
	if (rc == 1) {
		if (iv)
			*iv = v;
		return MLVM_NUM_INT;
	}
	if (n > MLVM_LEX_FLOAT_MAX_LEN || !is_decimal_float(s, n))
		return MLVM_NUM_INVALID;
	memcpy(buf, s, n);
	buf[n] = '\0';
	f = strtod(buf, NULL);
	if (isinf(f))
		return MLVM_NUM_FLOAT_RANGE;
	if (fv)
		*fv = f;
	return MLVM_NUM_FLOAT;
}

void mlvm_lex_position(const char *s, size_t off, uint32_t *line, uint32_t *col)
{
	const char *nl;
	size_t from = 0, line_start = 0;
	uint32_t l = 1;

	while (from < off && (nl = memchr(s + from, '\n', off - from))) {
		l++;
		from = line_start = (size_t)(nl - s) + 1;
	}
	*line = l;
	*col = (uint32_t)(off - line_start + 1);
}
