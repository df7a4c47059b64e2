/*
 * test_lex.c - the metadata text tokenizer (text/lex.h) shared by the
 * parser and the carver: tokens, escapes, numbers, NUL bytes, unterminated
 * strings, positions; and that nesting is the grammar's limit, not the
 * lexer's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "text/config.h"
#include "base/report.h"
#include "cfgerr.h"
#include "text/lex.h"

/* the token types of s[0..n), up to and including the first EOF/BAD */
static size_t types(const char *s, size_t n, int *out, size_t max)
{
	struct mlvm_token t;
	size_t pos = 0, k = 0;
	int type;

	do {
		type = mlvm_lex_next(s, n, &pos, &t);
		if (k < max)
			out[k] = type;
		k++;
	} while (type != MLVM_TOK_EOF && type != MLVM_TOK_BAD &&
		 type != MLVM_TOK_UNTERMINATED);
	return k;
}

static void lex_splits_punctuation_runs_and_strings(void **state)
{
	static const char s[] = "vg0 {\n id = \"a b\" # comment { ]\n"
				"x=[1,'two' /dev/sda]\n}";
	static const int want[] = {
		MLVM_TOK_RUN, MLVM_TOK_LBRACE, MLVM_TOK_RUN, MLVM_TOK_EQ,
		MLVM_TOK_STR, MLVM_TOK_RUN, MLVM_TOK_EQ, MLVM_TOK_LBRACK,
		MLVM_TOK_RUN, MLVM_TOK_COMMA, MLVM_TOK_STR, MLVM_TOK_RUN,
		MLVM_TOK_RBRACK, MLVM_TOK_RBRACE, MLVM_TOK_EOF,
	};
	int got[32];
	size_t n, i;

	(void)state;
	n = types(s, sizeof(s) - 1, got, 32);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static void lex_run_knows_whether_it_is_a_key(void **state)
{
	struct mlvm_token t;
	size_t pos = 0;
	static const char s[] = "a.b-c_+9 /dev/sda x@y";

	(void)state;
	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_RUN);
	assert_true(t.all_key);
	assert_int_equal(t.end - t.off, 8);
	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_RUN);
	assert_false(t.all_key);
	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_RUN);
	assert_false(t.all_key);
	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_EOF);
}

static void lex_double_quoted_escapes_and_single_quoted_none(void **state)
{
	struct mlvm_token t;
	size_t pos = 0, quote = 0;
	/* "a\"b\\c\d"  'e\'  "" */
	static const char s[] = "\"a\\\"b\\\\c\\d\" 'e\\' \"\"";
	char buf[64];

	(void)state;
	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_STR);
	assert_int_equal(t.quote, '"');
	assert_int_equal(t.start, 0);
	assert_int_equal(t.off, 1);
	assert_true(mlvm_lex_equals(s, &t, "a\"b\\c\\d"));
	assert_false(mlvm_lex_equals(s, &t, "a\"b\\c\\"));
	assert_false(mlvm_lex_equals(s, &t, "a\\\"b\\\\c\\d"));
	memcpy(buf, s + t.off, sizeof(s) - t.off);
	assert_int_equal(mlvm_lex_unquote_at(buf, sizeof(s) - t.off, '"', &quote), 7);
	assert_string_equal(buf, "a\"b\\c\\d");
	assert_int_equal(quote, t.end - t.off);	/* as written: 9 bytes, two escapes */
	memcpy(buf, "ab\"", 4);	/* no escape: the quote is the NUL's place */
	assert_int_equal(mlvm_lex_unquote_at(buf, 4, '"', &quote), 2);
	assert_int_equal(quote, 2);

	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_STR);
	assert_int_equal(t.quote, '\'');
	assert_true(mlvm_lex_equals(s, &t, "e\\"));
	memcpy(buf, s + t.off, sizeof(s) - t.off);
	(void)mlvm_lex_unquote_at(buf, sizeof(s) - t.off, '\'', &quote);
	assert_string_equal(buf, "e\\");

	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_STR);
	assert_int_equal(t.end, t.off);
	assert_true(mlvm_lex_equals(s, &t, ""));
	assert_int_equal(mlvm_lex_next(s, strlen(s), &pos, &t), MLVM_TOK_EOF);
}

static void lex_unterminated_strings_stop_the_lexer(void **state)
{
	static const char *const bad[] = {
		"\"abc", "'abc", "\"abc\\\"", "\"\\", "x = \"a\nb",
	};
	struct mlvm_token t;
	size_t i, pos;
	int type;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pos = 0;
		do
			type = mlvm_lex_next(bad[i], strlen(bad[i]), &pos, &t);
		while (type != MLVM_TOK_EOF && type != MLVM_TOK_UNTERMINATED &&
		       type != MLVM_TOK_BAD);
		assert_int_equal(type, MLVM_TOK_UNTERMINATED);
		assert_int_equal(bad[i][t.start], t.quote);
		assert_int_equal(pos, t.start);
	}
	/* the escape needs a byte after it: the quote after \\ closes */
	pos = 0;
	assert_int_equal(mlvm_lex_next("\"a\\\\\"", 5, &pos, &t), MLVM_TOK_STR);
	assert_int_equal(pos, 5);
}

static void lex_nul_byte_is_no_token_and_no_space(void **state)
{
	static const char s[] = "a \0 b";
	struct mlvm_token t;
	size_t pos = 0;
	struct cfg_tree *tree;
	char *text;

	(void)state;
	assert_int_equal(mlvm_lex_next(s, 5, &pos, &t), MLVM_TOK_RUN);
	assert_int_equal(mlvm_lex_next(s, 5, &pos, &t), MLVM_TOK_BAD);
	assert_int_equal(t.start, 2);
	assert_int_equal(pos, 2);
	/* inside a string a NUL is content */
	pos = 0;
	assert_int_equal(mlvm_lex_next("'a\0b'", 5, &pos, &t), MLVM_TOK_STR);
	assert_int_equal(t.end - t.off, 3);
	/* the parser ends its text at the first NUL instead */
	text = malloc(16);
	assert_non_null(text);
	memcpy(text, "a = 1\0garbage{", 14);
	assert_int_equal(cfg_parse(text, 14, &tree, NULL, NULL, -1), 0);
	assert_int_equal(tree->text_len, 5);
	assert_int_equal(cfg_count(tree->root), 1);
	cfg_free(tree);
}

static void lex_numbers_follow_strtoll_and_decimal_floats(void **state)
{
	static const struct {
		const char *s;
		enum mlvm_num kind;
		int64_t i;
	} cases[] = {
		{ "0", MLVM_NUM_INT, 0 },
		{ "-0", MLVM_NUM_INT, 0 },
		{ "+5", MLVM_NUM_INT, 5 },
		{ "-17", MLVM_NUM_INT, -17 },
		{ "017", MLVM_NUM_INT, 15 },
		{ "0x1f", MLVM_NUM_INT, 31 },
		{ "-0X10", MLVM_NUM_INT, -16 },
		{ "123456789012345678", MLVM_NUM_INT, 123456789012345678 },
		{ "9223372036854775807", MLVM_NUM_INT, INT64_MAX },
		{ "-9223372036854775808", MLVM_NUM_INT, INT64_MIN },
		{ "0x7fffffffffffffff", MLVM_NUM_INT, INT64_MAX },
		{ "9223372036854775808", MLVM_NUM_INT_RANGE, 0 },
		{ "-9223372036854775809", MLVM_NUM_INT_RANGE, 0 },
		{ "0x8000000000000000", MLVM_NUM_INT_RANGE, 0 },
		{ "99999999999999999999999999999", MLVM_NUM_INT_RANGE, 0 },
		/* overflowing digits, then not an integer: a float after all */
		{ "99999999999999999999.5", MLVM_NUM_FLOAT, 0 },
		{ "08", MLVM_NUM_FLOAT, 0 },
		{ "0x", MLVM_NUM_INVALID, 0 },
		{ "0xg", MLVM_NUM_INVALID, 0 },
		{ "1.5", MLVM_NUM_FLOAT, 0 },
		{ "-.5", MLVM_NUM_FLOAT, 0 },
		{ "+.5e3", MLVM_NUM_FLOAT, 0 },
		{ "3.", MLVM_NUM_FLOAT, 0 },
		{ "1e", MLVM_NUM_INVALID, 0 },
		{ "1e+", MLVM_NUM_INVALID, 0 },
		{ "1.2.3", MLVM_NUM_INVALID, 0 },
		{ "12abc", MLVM_NUM_INVALID, 0 },
		{ "1e308", MLVM_NUM_FLOAT, 0 },
		{ "1e309", MLVM_NUM_FLOAT_RANGE, 0 },
		{ "-1e999", MLVM_NUM_FLOAT_RANGE, 0 },
		{ "abc", MLVM_NUM_WORD, 0 },
		{ "-", MLVM_NUM_WORD, 0 },
		{ "+.", MLVM_NUM_WORD, 0 },
		{ ".", MLVM_NUM_WORD, 0 },
		{ "-abc", MLVM_NUM_WORD, 0 },
		{ "/dev/sda1", MLVM_NUM_WORD, 0 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int64_t i = 42;
		double f = 0;
		enum mlvm_num kind = mlvm_lex_number(cases[k].s, strlen(cases[k].s), &i, &f);

		if (kind != cases[k].kind)
			fail_msg("%s: kind %d, want %d", cases[k].s, kind, cases[k].kind);
		if (kind == MLVM_NUM_INT && i != cases[k].i)
			fail_msg("%s: %lld", cases[k].s, (long long)i);
	}
}

static void lex_float_longer_than_the_limit_is_invalid(void **state)
{
	char s[MLVM_LEX_FLOAT_MAX_LEN + 2];
	double f = 0;

	(void)state;
	memset(s, '1', sizeof(s));
	s[1] = '.';
	assert_int_equal(mlvm_lex_number(s, MLVM_LEX_FLOAT_MAX_LEN, NULL, &f), MLVM_NUM_FLOAT);
	assert_true(f > 1.1 && f < 1.2);
	assert_int_equal(mlvm_lex_number(s, MLVM_LEX_FLOAT_MAX_LEN + 1, NULL, NULL),
			 MLVM_NUM_INVALID);
}

static void lex_position_counts_lines_and_columns(void **state)
{
	static const char s[] = "ab\ncd\n\nef";
	uint32_t line, col;

	(void)state;
	mlvm_lex_position(s, 0, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	mlvm_lex_position(s, 2, &line, &col);	/* the first '\n' */
	assert_int_equal(line, 1);
	assert_int_equal(col, 3);
	mlvm_lex_position(s, 4, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	mlvm_lex_position(s, 8, &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 2);
}

/* an error's position counts the newlines inside strings and comments */
static void lex_parser_error_positions_count_newlines_in_strings(void **state)
{
	static const char src[] = "a = \"x\ny\" # c\n  b = 1.2.3\n";
	struct cfg_tree *tree;
	struct mlvm_report r;
	struct cfgerr err;
	char *text = strdup(src);

	(void)state;
	assert_non_null(text);
	mlvm_report_init(&r);
	assert_int_equal(cfg_parse(text, strlen(text), &tree, &r, NULL, -1), -EINVAL);
	cfgerr_take(&r, &err);
	assert_int_equal(err.entries, 1);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 7);
	assert_string_equal(err.message, "invalid number '1.2.3'");
	assert_string_equal(text, src);
	free(text);
}

/* the lexer has no nesting: depth is the grammar's limit */
static void lex_nesting_is_flat_and_the_parser_limits_it(void **state)
{
	size_t depth, i, len, pos;
	struct mlvm_token t;
	struct cfg_tree *tree;
	struct mlvm_report r;
	struct cfgerr err;
	char *text;
	int rc, opened;

	(void)state;
	for (depth = MLVM_CFG_MAX_DEPTH; depth <= MLVM_CFG_MAX_DEPTH + 1; depth++) {
		text = malloc(depth * 4 + 1);
		assert_non_null(text);
		len = 0;
		for (i = 0; i < depth; i++)
			len += (size_t)sprintf(text + len, "s {");
		for (i = 0; i < depth; i++)
			text[len++] = '}';
		text[len] = '\0';
		pos = 0;
		opened = 0;
		while (mlvm_lex_next(text, len, &pos, &t) != MLVM_TOK_EOF)
			opened += t.type == MLVM_TOK_LBRACE;
		assert_int_equal(opened, (int)depth);
		mlvm_report_init(&r);
		rc = cfg_parse(text, len, &tree, &r, NULL, -1);
		cfgerr_take(&r, &err);
		if (depth == MLVM_CFG_MAX_DEPTH) {
			assert_int_equal(rc, 0);
			cfg_free(tree);
		} else {
			assert_int_equal(rc, -E2BIG);
			assert_int_equal(err.line, 1);
			assert_int_equal(err.column, MLVM_CFG_MAX_DEPTH * 3 + 3);
			free(text);
		}
	}
}

/* the string end and unquote as they were written byte by byte, before
 * mlvm_lex_find3 looked at 16 bytes at a time: the reference */
static size_t ref_string_end(const char *s, size_t i, size_t n, char q, bool nul_ends)
{
	for (; i < n; i++) {
		char ch = s[i];

		if (ch == q)
			return i;
		if (nul_ends && ch == '\0')
			return n;
		if (ch == '\\' && i + 1 < n) {
			if (nul_ends && s[i + 1] == '\0')
				return n;
			i++;
		}
	}
	return n;
}

static void ref_unquote(char *s, char q)
{
	size_t i = 0, w = 0;

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

/*
 * Random strings of quotes, backslashes, NULs and letters, 0 to 100 bytes,
 * their ends at every place around the 16-byte steps: the end of a
 * double-quoted string and the unquoted content are the reference's.
 */
static void string_scan_16_at_a_time_is_the_byte_by_byte_scan(void **state)
{
	static const char alphabet[] = { 'a', 'b', '"', '\\', '\0', '\'', 'x', 'y' };
	unsigned seed = 12345, round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		char s[128], a[128], b[128], *h;
		size_t n = (size_t)rand_r(&seed) % 101, i = n ? (size_t)rand_r(&seed) % (n + 1) : 0, k, quote;
		unsigned sparse = (unsigned)rand_r(&seed) % 4;

		for (k = 0; k < sizeof(s); k++)	/* past n too: never read */
			s[k] = rand_r(&seed) % 8 < (int)sparse + 1 ? alphabet[rand_r(&seed) % 8] : 'm';
		/* n bytes of their own: a read past them fails under ASan */
		h = malloc(n ? n : 1);
		assert_non_null(h);
		memcpy(h, s, n);
		assert_int_equal(mlvm_lex_string_end_nul(h, i, n, '"', false),
				 ref_string_end(s, i, n, '"', false));
		assert_int_equal(mlvm_lex_string_end_nul(h, i, n, '"', true),
				 ref_string_end(s, i, n, '"', true));
		free(h);
		/* a string that ends (its quote within n): unquoted alike */
		k = ref_string_end(s, 0, n, '"', false);
		if (k < n) {
			memcpy(a, s, sizeof(s));
			ref_unquote(a, '"');
			h = malloc(n);	/* n bytes: the quote lies in them */
			assert_non_null(h);
			memcpy(h, s, n);
			(void)mlvm_lex_unquote_at(h, n, '"', &quote);
			assert_memory_equal(a, h, n);
			free(h);
			/* with room past the string too */
			memcpy(b, s, sizeof(s));
			(void)mlvm_lex_unquote_at(b, sizeof(s), '"', &quote);
			assert_memory_equal(a, b, sizeof(s));
		}
		if (memchr(s, '\'', n)) {
			memcpy(a, s, sizeof(s));
			ref_unquote(a, '\'');
			h = malloc(n);
			assert_non_null(h);
			memcpy(h, s, n);
			(void)mlvm_lex_unquote_at(h, n, '\'', &quote);
			assert_memory_equal(a, h, n);
			free(h);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_scan_16_at_a_time_is_the_byte_by_byte_scan),
		cmocka_unit_test(lex_splits_punctuation_runs_and_strings),
		cmocka_unit_test(lex_run_knows_whether_it_is_a_key),
		cmocka_unit_test(lex_double_quoted_escapes_and_single_quoted_none),
		cmocka_unit_test(lex_unterminated_strings_stop_the_lexer),
		cmocka_unit_test(lex_nul_byte_is_no_token_and_no_space),
		cmocka_unit_test(lex_numbers_follow_strtoll_and_decimal_floats),
		cmocka_unit_test(lex_float_longer_than_the_limit_is_invalid),
		cmocka_unit_test(lex_position_counts_lines_and_columns),
		cmocka_unit_test(lex_parser_error_positions_count_newlines_in_strings),
		cmocka_unit_test(lex_nesting_is_flat_and_the_parser_limits_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
