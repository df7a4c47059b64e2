/*
 * test_json.c - the JSON writer: what it writes before each value (the
 * comma, the indent, the key) is written a fast way for short plain keys
 * and shallow nesting; the bytes must be those the general way writes.
 * Parts (items written into memory, as read's LVs are on two threads) must
 * add the bytes the stream itself writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json.h"

/* keys at the fast path's edges: plain and short, needing escapes, not
 * ASCII, 62 to 65 and 100 bytes, empty */
static const char *keys[16];

static void keys_init(void)
{
	static char k62[63], k63[64], k64[65], k65[66], k100[101];

	memset(k62, 'a', 62);
	memset(k63, 'b', 63);
	memset(k64, 'c', 64);
	memset(k65, 'd', 65);
	memset(k100, 'e', 100);
	keys[0] = "name";
	keys[1] = "extent_count";
	keys[2] = "we\"ird";
	keys[3] = "back\\slash";
	keys[4] = "\xc3\xbctf8";
	keys[5] = "ctl\x01";
	keys[6] = k62;
	keys[7] = k63;
	keys[8] = k64;
	keys[9] = k65;
	keys[10] = k100;
	keys[11] = "";
	keys[12] = "del\x7f";
	keys[13] = "~tilde ";
	keys[14] = "a";
	keys[15] = "\xff";
}

/* a random document: values, objects and arrays (inline or not) nested up
 * to 40 deep, crossing the writer's buffer many times */
static void value(struct json *j, unsigned *seed, int depth, bool in_array, size_t *budget,
		  bool spine)
{
	const char *key = in_array ? NULL : keys[rand_r(seed) % 16];
	unsigned what = (unsigned)rand_r(seed) % (depth < 40 && *budget > 0 ? 12 : 5);
	unsigned n, i, deeper = 99;

	if (*budget > 0)
		(*budget)--;
	/* mostly containers that are not inline: inside an inline one
	 * everything is inline */
	if (what >= 9 || ((what == 7 || what == 8) && depth < 24 && rand_r(seed) % 8))
		what = 5 + (what & 1);
	/* a spine: containers that are not inline down to depth 40, one of
	 * each one's children going on (the indent goes past the fast path's) */
	if (spine && depth < 40)
		what = 5 + (unsigned)rand_r(seed) % 2;
	switch (what) {
	case 0: json_uint(j, key, (uint64_t)rand_r(seed) * 977u); break;
	case 1: json_int(j, key, -(int64_t)rand_r(seed)); break;
	case 2: json_string(j, key, keys[rand_r(seed) % 16]); break;
	case 3: json_bool(j, key, rand_r(seed) & 1); break;
	case 4: json_null(j, key); break;
	default:
		n = (unsigned)rand_r(seed) % 4 + 1;
		if (spine && depth < 40)
			deeper = (unsigned)rand_r(seed) % n;
		if (what == 5)
			json_begin_object(j, key);
		else if (what == 6)
			json_begin_array(j, key);
		else if (what == 7)
			json_begin_object_inline(j, key);
		else
			json_begin_array_inline(j, key);
		for (i = 0; i < n; i++)
			value(j, seed, depth + 1, what == 6 || what == 8, budget, i == deeper);
		if (what == 5 || what == 7)
			json_end_object(j);
		else
			json_end_array(j);
	}
}

static char *write_doc(unsigned seed, bool pretty, bool fast, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct json j;
	size_t budget = 20000;

	assert_non_null(f);
	json_fast_prefix = fast;
	json_init(&j, f, pretty);
	json_begin_array(&j, NULL);
	value(&j, &seed, 1, true, &budget, true);
	while (budget > 0)
		value(&j, &seed, 1, true, &budget, rand_r(&seed) % 8 == 0);
	json_end_array(&j);
	assert_int_equal(json_finish(&j), 0);
	json_fast_prefix = true;
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void fast_prefix_writes_what_the_general_way_writes(void **state)
{
	unsigned seed;

	(void)state;
	keys_init();
	for (seed = 1; seed <= 40; seed++) {
		bool pretty = seed % 4 != 0;
		size_t la, lb;
		char *a = write_doc(seed, pretty, true, &la), *b = write_doc(seed, pretty, false, &lb);

		assert_true(la > 3 * JSON_BUF_SIZE);
		/* the indent went past the fast path's */
		assert_true(!pretty || strstr(a, "\n" "                                  ") != NULL);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
}

/*
 * Keys of 60 to 70 bytes written when the buffer has 98 to 112 bytes of
 * room left, at an indent of 2 to 36: the fast path checks its room for
 * the longest key it takes before it writes.
 */
static void fast_prefix_stays_in_the_buffer(void **state)
{
	char key[72];
	size_t room, kl;
	int depth;

	(void)state;
	for (depth = 0; depth <= 17; depth++)
		for (kl = 60; kl <= 70; kl++)
			for (room = 98; room <= 112; room++) {
				size_t la, lb, k;
				char *out[2];

				memset(key, 'k', kl);
				key[kl] = '\0';
				for (k = 0; k < 2; k++) {
					FILE *f = open_memstream(&out[k], k ? &lb : &la);
					struct json j;
					int d;

					assert_non_null(f);
					json_fast_prefix = k == 0;
					json_init(&j, f, true);
					for (d = 0; d < depth; d++)
						json_begin_array(&j, NULL);
					json_begin_object(&j, NULL);
					/* filler: one string that leaves room + its own
					 * prefix bytes (the next prefix is alike) */
					json_string(&j, "f", "");
					{
						size_t per = j.len, want;

						json_string(&j, "f", "");
						per = j.len - per;	/* one member with an empty value */
						want = JSON_BUF_SIZE - j.len - room;
						if (want > per) {
							char *fill = malloc(want - per + 1);

							assert_non_null(fill);
							memset(fill, 'x', want - per);
							fill[want - per] = '\0';
							json_string(&j, "f", fill);
							free(fill);
						}
					}
					json_string(&j, key, "v");
					json_end_object(&j);
					for (d = 0; d < depth; d++)
						json_end_array(&j);
					assert_int_equal(json_finish(&j), 0);
					json_fast_prefix = true;
					assert_int_equal(fclose(f), 0);
				}
				assert_int_equal(la, lb);
				assert_memory_equal(out[0], out[1], la);
				free(out[0]);
				free(out[1]);
			}
}

/*
 * The items of an array written into parts, blocks of 1 to 40 items each
 * (some far larger than the stream's buffer, so a part's memory grows
 * while written into), added to the stream in order, one part used again
 * block after block: the document is byte for byte the one the stream
 * writes itself.
 */
static void parts_add_what_the_stream_writes(void **state)
{
	unsigned round;

	(void)state;
	keys_init();
	for (round = 0; round < 12; round++) {
		bool pretty = round % 3 != 0;
		char *out[2];
		size_t len[2], k;

		for (k = 0; k < 2; k++) {
			FILE *f = open_memstream(&out[k], &len[k]);
			struct json j, part;
			unsigned seed = round + 1, item = 0, left;

			assert_non_null(f);
			memset(&part, 0, sizeof(part));
			json_init(&j, f, pretty);
			json_begin_object(&j, NULL);
			json_string(&j, "before", "x");
			json_begin_array(&j, "items");
			json_flush(&j);
			for (left = 400; left > 0;) {
				unsigned n = (unsigned)rand_r(&seed) % 40 + 1, i;
				struct json *w = k ? &part : &j;

				n = n < left ? n : left;
				if (k)
					json_part_begin(&part, &j, item > 0);
				for (i = 0; i < n; i++) {
					size_t budget = (unsigned)rand_r(&seed) % 3 ? 30 : 3000;

					value(w, &seed, 1, true, &budget, false);
				}
				if (k)
					assert_int_equal(json_part_write(&part, f), 0);
				item += n;
				left -= n;
			}
			if (k) {
				json_part_end(&part);
				json_items_added(&j);
			}
			json_end_array(&j);
			json_string(&j, "after", "y");
			json_end_object(&j);
			assert_int_equal(json_finish(&j), 0);
			assert_int_equal(fclose(f), 0);
		}
		assert_true(len[0] > 4 * JSON_BUF_SIZE);
		assert_int_equal(len[0], len[1]);
		assert_memory_equal(out[0], out[1], len[0]);
		free(out[0]);
		free(out[1]);
	}
}

/*
 * Each byte alone, as a key and as a value: plain ASCII (0x20 to 0x7e but
 * the quote and the backslash) as it is, the rest escaped or U+FFFD, the
 * rule written out here apart from the writer's table.
 */
static void bytes_are_written_as_json_says(void **state)
{
	unsigned c;

	(void)state;
	for (c = 1; c < 256; c++) {
		char s[2] = { (char)c, 0 }, want[16], *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		struct json j;

		assert_non_null(f);
		json_init(&j, f, false);
		json_begin_object(&j, NULL);
		json_string(&j, s, s);
		json_end_object(&j);
		assert_int_equal(json_finish(&j), 0);
		assert_int_equal(fclose(f), 0);
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			snprintf(want, sizeof(want), "\"%c\"", (char)c);
		else if (c == '"' || c == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", (char)c);
		else if (c == '\n')
			snprintf(want, sizeof(want), "\"\\n\"");
		else if (c == '\t')
			snprintf(want, sizeof(want), "\"\\t\"");
		else if (c == '\r')
			snprintf(want, sizeof(want), "\"\\r\"");
		else if (c < 0x20 || c == 0x7f)
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		else
			snprintf(want, sizeof(want), "\"\xef\xbf\xbd\"");
		{
			char doc[64];

			snprintf(doc, sizeof(doc), "{%s:%s}\n", want, want);
			assert_string_equal(out, doc);
		}
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fast_prefix_writes_what_the_general_way_writes),
		cmocka_unit_test(fast_prefix_stays_in_the_buffer),
		cmocka_unit_test(bytes_are_written_as_json_says),
		cmocka_unit_test(parts_add_what_the_stream_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
