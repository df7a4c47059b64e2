/*
 * json.h - a small streaming JSON writer (output only).
 *
 * Strings are escaped and made valid UTF-8 (invalid bytes become U+FFFD),
 * since metadata from damaged images can hold anything.
 *
 * Layer: cli (src/cli). May include: base, io, disk, text, model, map, export, write, fs, tui.
 */
#ifndef MLVM_JSON_H
#define MLVM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"
#include "text/config.h"

#define JSON_MAX_DEPTH 128

#define JSON_BUF_SIZE 65536

struct json {
	FILE *f;			/* NULL: a part, held in memory (json_part_begin) */
	char *buf;			/* store, or a part's memory (mem.data) */
	size_t len;			/* bytes waiting in buf */
	size_t cap;			/* buf's size */
	bool error;			/* a write to f failed (a part: out of memory) */
	struct mlvm_buf mem;		/* a part: its memory, written straight
					 * into (buf and cap are mem's) */
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool inline_[JSON_MAX_DEPTH];	/* this level prints on one line */
	bool pretty;
	char store[JSON_BUF_SIZE];	/* a stream's buffer (not a part's) */
};

void json_init(struct json *j, FILE *f, bool pretty);
/* For tests: false writes what comes before every value (comma, indent,
 * key) the general way, which a short plain key otherwise skips; the bytes
 * are the same either way (tests/unit/test_json.c) */
extern bool json_fast_prefix;
/* has a document to stdout been begun in this process (the --json error
 * object is printed only when none was) */
bool json_stdout_begun(void);
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
/* the same, printed on one line even when pretty (short arrays, small objects) */
void json_begin_array_inline(struct json *j, const char *key);
void json_begin_object_inline(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *s);
void json_string_len(struct json *j, const char *key, const char *s, size_t len);
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* a config value: ints, floats, strings, arrays and sections (as objects) */
void json_cfg_value(struct json *j, const char *key, const struct cfg_node *n);
/* an array of strings from a config array (NULL gives []) */
void json_cfg_strings(struct json *j, const char *key, const struct cfg_node *arr);
/* finish the document with a newline and flush; 0, or -1 when writing failed */
int json_finish(struct json *j);

/*
 * Parts: items of the array or object j is in, written by other writers
 * (on other threads) and added to j's stream in order. json_part_begin
 * makes part a writer into memory in j's nesting state, after an item of
 * the container when after_item; part is zeroed before its first
 * json_part_begin, and keeps its memory from one to the next.
 * json_part_write adds what it holds to a stream and empties it (-1 when
 * writing failed or memory ran out); json_part_end frees its memory. j
 * must be flushed (json_flush) before the first part is written, and told
 * with json_items_added that its container holds items after the last.
 */
void json_flush(struct json *j);
void json_part_begin(struct json *part, const struct json *j, bool after_item);
int json_part_write(struct json *part, FILE *f);
void json_part_end(struct json *part);
void json_items_added(struct json *j);

#endif
