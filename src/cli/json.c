/*
 * json.c - streaming JSON writer.
 */
#include "cli/json.h"
#include "base/util.h"

#include <math.h>
#include <string.h>

static bool stdout_begun;

bool json_stdout_begun(void)
{
	return stdout_begun;
}

void json_init(struct json *j, FILE *f, bool pretty)
{
	if (f == stdout)
		stdout_begun = true;
	j->f = f;
	j->buf = j->store;
	j->len = 0;
	j->cap = JSON_BUF_SIZE;
	j->error = false;
	j->mem = (struct mlvm_buf){ 0 };
	j->depth = 0;
	j->need_comma[0] = false;
	j->inline_[0] = false;
	j->pretty = pretty;
}

/*
 * A stream's output goes through a private buffer (store): stdio's
 * per-call locking dominated the time of a large document. A part writes
 * into its memory, which flush makes larger when full (the JSON of
 * 100,000 LVs went through a 64 KiB buffer and was copied into the
 * part's memory from there, some 76 MB).
 */
static void flush(struct json *j)
{
	if (!j->f) {	/* a part: its memory made larger (no room: error) */
		j->mem.len = j->len;
		if (mlvm_buf_reserve(&j->mem, j->cap - j->len + (64u << 10))) {
			j->error = true;
			return;
		}
		j->buf = j->mem.data;
		j->cap = j->mem.cap;
		return;
	}
	if (!j->len)
		return;
	if (fwrite(j->buf, 1, j->len, j->f) != j->len) {
		j->error = true;
	}
	j->len = 0;
}

void json_flush(struct json *j)
{
	flush(j);
}

void json_part_begin(struct json *part, const struct json *j, bool after_item)
{
	struct mlvm_buf mem = part->mem;
	int d;

	json_init(part, NULL, j->pretty);
	/* the memory of the part before, emptied: a block of LVs' JSON is
	 * some 200 KiB, and memory that big came fresh from the kernel each
	 * time it was allocated anew. The part writes straight into it (no
	 * copy through a buffer): the first write that finds no room makes
	 * it (flush) */
	part->mem = mem;
	part->mem.len = 0;
	part->buf = mem.data;
	part->cap = mem.data ? mem.cap : 0;
	part->depth = j->depth;
	for (d = 0; d <= j->depth; d++) {
		part->need_comma[d] = j->need_comma[d];
		part->inline_[d] = j->inline_[d];
	}
	if (after_item)
		part->need_comma[j->depth] = true;
}

int json_part_write(struct json *part, FILE *f)
{
	int rc = part->error ? -1 : 0;

	if (part->len && fwrite(part->buf, 1, part->len, f) != part->len)
		rc = -1;
	part->mem.len = part->len = 0;
	part->error = false;
	return rc;
}

void json_part_end(struct json *part)
{
	mlvm_buf_free(&part->mem);
}

void json_items_added(struct json *j)
{
	j->need_comma[j->depth] = true;
}

static void put_slow(struct json *j, const void *p, size_t n)
{
	while (n > 0) {
		size_t room = j->cap - j->len, k = n < room ? n : room;

		if (k) {
			memcpy(j->buf + j->len, p, k);
			j->len += k;
			p = (const char *)p + k;
			n -= k;
		}
		if (j->len == j->cap) {
			flush(j);
			if (j->len == j->cap)
				return;	/* a part out of memory (error set): lost */
		}
	}
}

/* the common case (it fits) inline; put_slow crosses the buffer's end */
static inline void put(struct json *j, const void *p, size_t n)
{
	if (n < j->cap - j->len) {
		memcpy(j->buf + j->len, p, n);
		j->len += n;
		return;
	}
	put_slow(j, p, n);
}

static void putch(struct json *j, char c)
{
	if (j->len == j->cap) {
		flush(j);
		if (j->len == j->cap)
			return;	/* a part out of memory (error set): lost */
	}
	j->buf[j->len++] = c;
}

static void puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void put_u64(struct json *j, uint64_t v)
{
	char tmp[MLVM_U64_DEC_MAX];

	put(j, tmp, mlvm_u64_dec(tmp, v));
}

static void indent(struct json *j)
{
	/* a newline and up to 64 levels of two spaces, written in one put */
	static const char nl[] = "\n"
		"                                                                "
		"                                                                ";
	size_t n;

	if (!j->pretty)
		return;
	n = (size_t)j->depth * 2;
	if (n <= sizeof(nl) - 2) {
		put(j, nl, n + 1);
		return;
	}
	put(j, nl, sizeof(nl) - 1);
	for (n -= sizeof(nl) - 2; n > 0;) {
		size_t k = n < sizeof(nl) - 2 ? n : sizeof(nl) - 2;

		put(j, nl + 1, k);
		n -= k;
	}
}

/* plain_key[c]: byte c needs no escape and is plain ASCII (NUL is not) */
static const unsigned char plain_key[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static bool plain(unsigned char c)
{
	return plain_key[c];
}

/* write a string body with escapes; invalid UTF-8 becomes U+FFFD */
static void put_escaped(struct json *j, const unsigned char *s, size_t len)
{
	size_t i = 0;

	if (len + 2 < j->cap - j->len) {
		/* one pass: copy while the bytes are plain (names, uuids, words) */
		char *o = j->buf + j->len;

		o[0] = '"';
		while (i < len && plain(s[i])) {
			o[1 + i] = (char)s[i];
			i++;
		}
		if (i == len) {
			o[1 + len] = '"';
			j->len += len + 2;
			return;
		}
		j->len += 1 + i;
	} else {
		putch(j, '"');
	}
	while (i < len) {
		unsigned char c = s[i];
		size_t need, k, run;

		for (run = i; run < len && plain(s[run]); run++)
			;
		if (run > i) {
			put(j, s + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			putch(j, '\\');
			putch(j, (char)c);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': puts_(j, "\\n"); break;
			case '\t': puts_(j, "\\t"); break;
			case '\r': puts_(j, "\\r"); break;
			default: {
				char u[8];

				snprintf(u, sizeof(u), "\\u%04x", c);
				puts_(j, u);
				break;
			}
			}
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			need = 0;
		for (k = 1; need && k <= need; k++)
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				need = 0;
		/* overlong and surrogate forms */
		if (need == 2 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0)))
			need = 0;
		if (need == 3 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
			need = 0;
		if (!need) {
			puts_(j, "\xef\xbf\xbd");
			i++;
			continue;
		}
		put(j, s + i, need + 1);
		i += need + 1;
	}
	putch(j, '"');
}

static void prefix_slow(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			puts_(j, j->inline_[j->depth] && j->pretty ? ", " : ",");
		j->need_comma[j->depth] = true;
		if (!j->inline_[j->depth])
			indent(j);
	}
	if (key) {
		put_escaped(j, (const unsigned char *)key, strlen(key));
		puts_(j, j->pretty ? ": " : ":");
	}
}


/* the indent prefix writes whole: its ind bytes are the first of these */
#define INDENT_FAST 32
static const char spaces[INDENT_FAST] = "                                ";

/*
 * What comes before a value: the comma, the newline and indent, the key.
 * Written with byte stores straight into the buffer when it has room for
 * the most that writes, the indent is at most INDENT_FAST and the key is
 * plain and under 64 bytes (every key mlvm writes, most of the text's);
 * else prefix_slow, which writes the same bytes. A read of 100,000 LVs
 * writes some 3,000,000 of these: the key is checked and copied in one
 * pass, through a table, and the indent is one fixed-size copy (calls to
 * memcpy and memset, and the check byte by byte, were half the JSON's
 * instructions).
 */
bool json_fast_prefix = true;

static void prefix(struct json *j, const char *key)
{
	size_t ind = (size_t)j->depth * 2, kl = 0;
	bool had = j->need_comma[j->depth];
	char *o;

	/* ", " "\n" INDENT_FAST '"' key(63) '"' ": " */
	if (!json_fast_prefix || ind > INDENT_FAST ||
	    j->cap - j->len < 2 + 1 + INDENT_FAST + 1 + 63 + 3) {
		prefix_slow(j, key);
		return;
	}
	o = j->buf + j->len;
	if (j->depth > 0) {
		bool inl = j->inline_[j->depth];

		if (had) {
			*o++ = ',';
			if (inl && j->pretty)
				*o++ = ' ';
		}
		j->need_comma[j->depth] = true;
		if (!inl && j->pretty) {
			*o++ = '\n';
			memcpy(o, spaces, INDENT_FAST);
			o += ind;
		}
	}
	if (key) {
		unsigned char c;

		*o++ = '"';
		while ((c = (unsigned char)key[kl]) != 0 && plain(c) && kl < 63)
			o[kl++] = (char)c;
		if (key[kl]) {
			/* not plain, or long: nothing above counts (j->len is
			 * where it was), the slow way from the start */
			j->need_comma[j->depth] = had;
			prefix_slow(j, key);
			return;
		}
		o += kl;
		*o++ = '"';
		*o++ = ':';
		if (j->pretty)
			*o++ = ' ';
	}
	j->len = (size_t)(o - j->buf);
}

static void open_(struct json *j, const char *key, char c, bool inl)
{
	bool outer_inline = j->inline_[j->depth];

	prefix(j, key);
	putch(j, c);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
	j->inline_[j->depth] = inl || outer_inline;
}

static void close_(struct json *j, char c)
{
	bool had = j->need_comma[j->depth], inl = j->inline_[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had && !inl)
		indent(j);
	putch(j, c);
}

void json_begin_object(struct json *j, const char *key) { open_(j, key, '{', false); }
void json_begin_object_inline(struct json *j, const char *key) { open_(j, key, '{', true); }
void json_end_object(struct json *j) { close_(j, '}'); }
void json_begin_array(struct json *j, const char *key) { open_(j, key, '[', false); }
void json_begin_array_inline(struct json *j, const char *key) { open_(j, key, '[', true); }
void json_end_array(struct json *j) { close_(j, ']'); }

void json_string_len(struct json *j, const char *key, const char *s, size_t len)
{
	prefix(j, key);
	put_escaped(j, (const unsigned char *)s, len);
}

void json_string(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_null(j, key);
		return;
	}
	json_string_len(j, key, s, strlen(s));
}

void json_int(struct json *j, const char *key, int64_t v)
{
	prefix(j, key);
	if (v < 0) {
		putch(j, '-');
		put_u64(j, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(j, (uint64_t)v);
	}
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	prefix(j, key);
	put_u64(j, v);
}

void json_double(struct json *j, const char *key, double v)
{
	char tmp[40];

	prefix(j, key);
	if (isfinite(v)) {
		snprintf(tmp, sizeof(tmp), "%.17g", v);
		puts_(j, tmp);
	} else {
		puts_(j, "null");
	}
}

void json_bool(struct json *j, const char *key, bool v)
{
	prefix(j, key);
	puts_(j, v ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	prefix(j, key);
	puts_(j, "null");
}

void json_cfg_value(struct json *j, const char *key, const struct cfg_node *n)
{
	const struct cfg_node *c;

	switch (cfg_type(n)) {
	case CFG_INT:
		json_int(j, key, cfg_int(n));
		break;
	case CFG_FLOAT:
		json_double(j, key, cfg_float(n));
		break;
	case CFG_STRING:
	case CFG_WORD:
		json_string(j, key, cfg_str(n));
		break;
	case CFG_ARRAY:
		json_begin_array_inline(j, key);
		for (c = cfg_child(n); c; c = cfg_next(c))
			json_cfg_value(j, NULL, c);
		json_end_array(j);
		break;
	case CFG_SECTION:
		json_begin_object(j, key);
		for (c = cfg_child(n); c; c = cfg_next(c))
			json_cfg_value(j, cfg_key(c) ? cfg_key(c) : "", c);
		json_end_object(j);
		break;
	default:
		json_null(j, key);
	}
}

void json_cfg_strings(struct json *j, const char *key, const struct cfg_node *arr)
{
	const struct cfg_node *c;

	json_begin_array_inline(j, key);
	if (arr && cfg_type(arr) == CFG_ARRAY)
		for (c = cfg_child(arr); c; c = cfg_next(c))
			if (cfg_type(c) == CFG_STRING || cfg_type(c) == CFG_WORD)
				json_string(j, NULL, cfg_str(c));
	json_end_array(j);
}

int json_finish(struct json *j)
{
	putch(j, '\n');
	flush(j);
	return j->error ? -1 : 0;
}
