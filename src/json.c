/*
 * json.c - streaming JSON writer.
 */
#include "json.h"

#include <math.h>
#include <string.h>

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* bytes that need no escape and are plain ASCII */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* write a string body with escapes; invalid UTF-8 becomes U+FFFD */
static void put_escaped(FILE *f, const unsigned char *s, size_t len)
{
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t need, k, run;

		for (run = i; run < len && plain(s[run]); run++)
			;
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\t': fputs("\\t", f); break;
			case '\r': fputs("\\r", f); break;
			default: fprintf(f, "\\u%04x", c); break;
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
			fputs("\xef\xbf\xbd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, need + 1, f);
		i += need + 1;
	}
	fputc('"', f);
}

static void prefix(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputs(j->inline_[j->depth] && j->pretty ? ", " : ",", j->f);
		j->need_comma[j->depth] = true;
		if (!j->inline_[j->depth])
			indent(j);
	}
	if (key) {
		put_escaped(j->f, (const unsigned char *)key, strlen(key));
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void open_(struct json *j, const char *key, char c, bool inl)
{
	bool outer_inline = j->inline_[j->depth];

	prefix(j, key);
	fputc(c, j->f);
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
	fputc(c, j->f);
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
	put_escaped(j->f, (const unsigned char *)s, len);
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
	fprintf(j->f, "%lld", (long long)v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	prefix(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_double(struct json *j, const char *key, double v)
{
	prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.17g", v);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->f);
}

void json_cfg_value(struct json *j, const char *key, const struct cfg_node *n)
{
	const struct cfg_node *c;

	switch (n->type) {
	case CFG_INT:
		json_int(j, key, n->v.i);
		break;
	case CFG_FLOAT:
		json_double(j, key, n->v.f);
		break;
	case CFG_STRING:
	case CFG_WORD:
		json_string(j, key, n->v.s);
		break;
	case CFG_ARRAY:
		json_begin_array_inline(j, key);
		for (c = n->v.child; c; c = c->next)
			json_cfg_value(j, NULL, c);
		json_end_array(j);
		break;
	case CFG_SECTION:
		json_begin_object(j, key);
		for (c = n->v.child; c; c = c->next)
			json_cfg_value(j, c->key ? c->key : "", c);
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
	if (arr && arr->type == CFG_ARRAY)
		for (c = arr->v.child; c; c = c->next)
			if (c->type == CFG_STRING || c->type == CFG_WORD)
				json_string(j, NULL, c->v.s);
	json_end_array(j);
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
}
