/*
 * syntax.h - the carver's syntax check of one metadata text: accepts
 * exactly what cfg_parse accepts (config.h grammar, MLVM_CFG_MAX_DEPTH,
 * _NODES and _TEXT, the number rules of lex.h), without building a tree or
 * copying the text, plus the VG test of a generation's parse_ok: a
 * top-level section named vg_name (any when vg_name is "") and a first
 * top-level `contents` whose value is the string "Text Format Volume Group".
 *
 * A ring holds thousands of generations that differ from each other in a
 * few lines. With a base (mlvm_syntax_check), the check of one text skips
 * the stretches that are byte-identical to the text checked before it:
 *
 *   - while checking, it notes at every statement boundary (where the
 *     grammar is about to read a key or a '}') the state of the check:
 *     place, nesting depth, whether the top-level `contents` was met and
 *     its verdict, and the running counts of nodes, VG sections and "thin"
 *     values;
 *   - at a boundary of the new text whose depth and `contents` state are
 *     those of a noted boundary of the previous text, and whose bytes from
 *     there are the previous text's bytes from there, it goes on at the
 *     last noted boundary of the previous text inside that identical
 *     stretch (the byte there included, since the lexer looks one byte past
 *     a bare word), adding the counts the previous text added in between.
 *
 * The grammar's next step depends on nothing but the bytes read, the depth
 * and the `contents` state; the node limit is checked on the sums (counts
 * only grow). So the answer is the answer of a check from the first byte,
 * whatever the previous text was, sound or not: tests/unit/test_syntax.c
 * compares the two over sequences of damaged and edited texts.
 *
 * Where the new text is aligned against the previous one is a question of
 * speed only: first at the shift of the last skip, then wherever a hash of
 * the next 32 bytes finds the same 32 bytes at a noted boundary.
 *
 * Layer: text (src/text). May include: base, io, disk.
 */
#ifndef MLVM_SYNTAX_H
#define MLVM_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Check s[0..n) from its first byte. Returns whether it is a sound VG text;
 * *thin is set (only when true is returned) to whether a string value
 * "thin" appears in it.
 */
bool mlvm_syntax_ok(const char *s, size_t n, const char *vg_name, bool *thin);

struct mlvm_syntax_base;

/* An empty base (NULL when out of memory; mlvm_syntax_check takes NULL). */
struct mlvm_syntax_base *mlvm_syntax_base_new(void);
void mlvm_syntax_base_free(struct mlvm_syntax_base *b);

/*
 * The same answer as mlvm_syntax_ok, using and then replacing the text
 * checked before with base b (NULL: plain mlvm_syntax_ok). The base keeps
 * s for the next call: either s stays readable until the next call with b
 * returns or b is freed (own NULL or *own NULL), or *own is the malloc'd
 * buffer that holds s, which b takes (it sets *own to NULL and frees it
 * later). Out of memory only makes it slower. A base is used by one thread
 * at a time.
 */
bool mlvm_syntax_check(struct mlvm_syntax_base *b, const char *s, size_t n,
		       const char *vg_name, bool *thin, char **own);

/* The text checked before with b is about to be overwritten or freed: the
 * next check with b reads its text from the first byte. */
void mlvm_syntax_base_forget(struct mlvm_syntax_base *b);

/* Bytes the checks with b did not read again, so far (tests, profiles). */
size_t mlvm_syntax_skipped(const struct mlvm_syntax_base *b);

#endif
