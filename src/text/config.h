/*
 * config.h - parser for LVM2's metadata text (libdm config syntax).
 *
 * Grammar (what LVM2 writes and what its own parser accepts):
 *   file     := item*
 *   item     := KEY '=' value | KEY '{' item* '}'
 *   value    := INT | FLOAT | STRING | WORD | '[' [scalar {','? scalar}] ']'
 *   scalar   := INT | FLOAT | STRING | WORD
 * KEY is [A-Za-z0-9_.+-]+ (a quoted "string" is accepted as a key too, as
 * libdm does). '#' starts a comment to the end of the line. Integers take an
 * optional sign and follow strtoll base 0 (0x.. hex, a leading 0 is octal);
 * a number with '.' (or that strtoll does not consume) is a float.
 * "double-quoted" strings know the escapes \" and \\ (any other backslash is
 * kept as it is); 'single-quoted' strings have no escapes. A bare word is a
 * run of [A-Za-z0-9_.+-/:@]. Commas between array items are optional, arrays
 * may be empty and may mix types. A NUL byte ends the text.
 *
 * Limits: MLVM_CFG_MAX_DEPTH nested sections/arrays, MLVM_CFG_MAX_TEXT bytes
 * of input, MLVM_CFG_MAX_NODES nodes. Errors name line and column (1-based).
 *
 * The parser works in place: the text buffer is modified and the tree takes
 * ownership of it, so strings in the tree stay valid until cfg_free(). Its
 * keys and strings are NUL-terminated, their escapes removed, and packed
 * to the start of the buffer (of each half, after a split parse), the ones
 * that repeat shared; the pages of the buffer above them are given back to
 * the system. So a tree holds about a sixth of its text (a VG's keys,
 * blanks, numbers and repeated strings are most of it); what cfg_line
 * needs of the rest is kept, a byte a node. A tree's nodes lie in one
 * mapping of their own (config.c), not in an allocation each.
 *
 * Layer: text (src/text). May include: base, io, disk.
 */
#ifndef MLVM_CONFIG_H
#define MLVM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MLVM_CFG_MAX_DEPTH 64
#define MLVM_CFG_MAX_TEXT (256u << 20)	/* 256 MiB */
#define MLVM_CFG_MAX_NODES (16u << 20)

enum cfg_type {
	CFG_SECTION,	/* key { ... }: cfg_child() is the first item */
	CFG_ARRAY,	/* key = [ ... ]: cfg_child() is the first element (key NULL) */
	CFG_INT,	/* cfg_int() */
	CFG_FLOAT,	/* cfg_float() */
	CFG_STRING,	/* cfg_str(), quoted in the text */
	CFG_WORD,	/* cfg_str(), a bare word */
};

/*
 * A node is 16 bytes, and refers to what it points at by distance, not by
 * address: a VG of 100,000 LVs has some 1,900,000 nodes, which took 50 MB
 * as pointers (26 bytes a node) and take 30 MB so. The parser (config.c)
 * puts a tree's nodes in one mapping of their own, aligned to 2 MiB, where
 * each 2 MiB begins with a struct cfg_region_head that says where the text
 * is: a node finds its key and string from its own address. The fields
 * are config.c's; everything else reads a node through the functions
 * below. Without a line number: cfg_line() works it out when asked.
 */
struct cfg_node {
	uint32_t key_;		/* 0: none; else 1 + the key's offset in the text
				 * (and config.c's flags while it parses) */
	uint32_t next_;		/* the next sibling's distance in bytes, a multiple
				 * of 16 (0: none) | enum cfg_type */
	union {
		int64_t i;
		double f;
		struct {
			uint32_t at;	/* the first child's distance in bytes (0: none),
					 * or the string's offset in the text */
			uint32_t aux;	/* a string's quote; CFG_COPIED; config.c's flags */
		} r;
	} v_;
};

#define CFG_TYPE_MASK 0x7u
#define CFG_LINK_MASK (~(uint32_t)15)	/* the distance in next_ */
#define CFG_COPIED 0x100u	/* v_.r.aux: the string is the head's copy */
#define CFG_HEAD_ALIGN ((uintptr_t)2 << 20)

/* at each 2 MiB of the mapping of a tree's nodes, in a node's place */
struct cfg_region_head {
	const char *text;
	const char *copy;	/* a bare word that ended the text with no byte
				 * after it for a NUL: its copy */
};

static inline const struct cfg_region_head *cfg_head(const struct cfg_node *n)
{
	return (const struct cfg_region_head *)((uintptr_t)n & ~(CFG_HEAD_ALIGN - 1));
}

/* the key; NULL for array elements and the root */
static inline const char *cfg_key(const struct cfg_node *n)
{
	return n->key_ ? cfg_head(n)->text + (n->key_ - 1) : NULL;
}

/* the next sibling, or NULL */
static inline const struct cfg_node *cfg_next(const struct cfg_node *n)
{
	uint32_t d = n->next_ & CFG_LINK_MASK;

	return d ? (const struct cfg_node *)(const void *)((const char *)n + d) : NULL;
}

/* enum cfg_type */
static inline enum cfg_type cfg_type(const struct cfg_node *n)
{
	return (enum cfg_type)(n->next_ & CFG_TYPE_MASK);
}

/* CFG_SECTION, CFG_ARRAY: the first child or element, or NULL */
static inline const struct cfg_node *cfg_child(const struct cfg_node *n)
{
	uint32_t d = n->v_.r.at;

	return d ? (const struct cfg_node *)(const void *)((const char *)n + d) : NULL;
}

/* CFG_STRING, CFG_WORD: the value, NUL-terminated */
static inline const char *cfg_str(const struct cfg_node *n)
{
	const struct cfg_region_head *h = cfg_head(n);

	return n->v_.r.aux & CFG_COPIED ? h->copy : h->text + n->v_.r.at;
}

/* CFG_INT */
static inline int64_t cfg_int(const struct cfg_node *n)
{
	return n->v_.i;
}

/* CFG_FLOAT */
static inline double cfg_float(const struct cfg_node *n)
{
	return n->v_.f;
}

/* CFG_STRING: the quote it was written in, '"' or '\''; else 0 */
static inline char cfg_quote(const struct cfg_node *n)
{
	return cfg_type(n) == CFG_STRING ? (char)(n->v_.r.aux & 0xff) : 0;
}

struct cfg_tree {
	struct cfg_node *root;	/* a CFG_SECTION with key NULL */
	char *text;		/* owned; its keys and strings packed at the start
				 * (of each half), the rest not kept */
	size_t text_len;	/* bytes parsed (up to the first NUL) */
	size_t n_nodes;
	unsigned halves;	/* 2: parsed in two halves at once (cfg_split_min), else 1 */
	void *arena;		/* private: the mapping of the nodes */
	struct cfg_lines *lines;	/* private: each node's line, counted while
					 * packing (config.c) */
	/* private: after a split parse, the first node the second half put in
	 * each list it added to (cfg_half_start) */
	struct cfg_cut {
		const struct cfg_node *parent, *first;
	} cuts[MLVM_CFG_MAX_DEPTH + 1];
	unsigned n_cuts;
};

struct mlvm_report;

/*
 * Parse len bytes of text (stops at the first NUL). text must come from
 * malloc. On success the tree owns text (it is freed by cfg_free) and 0 is
 * returned. On failure returns a negative errno (-EINVAL syntax, -E2BIG a
 * limit, -ENOMEM), and text still belongs to the caller, unchanged (it can
 * be handed to cfg_parse_lenient next).
 *
 * What went wrong is added to r (NULL: no words wanted) as one warning,
 * code "text_parse", image and offset `where` as given (the metadata
 * text's own place; -1 for none), message
 *   metadata text does not parse: line L column C: WHAT
 * with L and C 1-based in the text (0 when no position applies).
 */
int cfg_parse(char *text, size_t len, struct cfg_tree **out,
	      struct mlvm_report *r, const char *image, int64_t where);

/*
 * Lenient parse for damaged or truncated text: on a syntax error the items
 * parsed so far are kept (open sections are closed where the text stops),
 * the first error is added to r as cfg_parse does and 1 is returned; 0 when
 * the text was clean; negative errno when nothing usable was built (out is
 * then NULL; the error is added to r too). Hitting the depth or node limit
 * counts as an error here, not a failure. When 0 or 1 is returned the tree
 * owns text.
 */
int cfg_parse_lenient(char *text, size_t len, struct cfg_tree **out,
		      struct mlvm_report *r, const char *image, int64_t where);

void cfg_free(struct cfg_tree *t);

/* First direct child of a section with this key, or NULL. */
const struct cfg_node *cfg_find(const struct cfg_node *section, const char *key);
/* Same, but only if it has the given type. */
const struct cfg_node *cfg_find_type(const struct cfg_node *section, const char *key, enum cfg_type type);

/* n when it is a node of the given type, else NULL (NULL too) */
static inline const struct cfg_node *cfg_of_type(const struct cfg_node *n, enum cfg_type type)
{
	return n && cfg_type(n) == type ? n : NULL;
}

/*
 * For each of keys[0..n-1] (distinct), what cfg_find(section, key) gives
 * (the first child under that key, whatever its type) or NULL, found in
 * one walk of the children. For a reader of a dozen keys of each of
 * 100,000 sections, where a walk for each key costs more than the rest of
 * the reading.
 */
void cfg_pick(const struct cfg_node *section, const char *const *keys, unsigned n,
	      const struct cfg_node **out);

/* a node's key is k (NULL is no key); the first byte compared inline,
 * where the keys of a section mostly differ, before the call to strcmp */
static inline int cfg_key_is(const char *key, const char *k)
{
	return key && key[0] == k[0] && (!k[0] || !strcmp(key + 1, k + 1));
}

/* cfg_pick's step, for a walk that looks at the children for more: child
 * c taken as out[i] when its key is keys[i] and out[i] is still NULL;
 * whether it was */
static inline int cfg_pick_child(const struct cfg_node *c, const char *const *keys, unsigned n,
				 const struct cfg_node **out)
{
	const char *key = cfg_key(c);
	unsigned i;

	for (i = 0; i < n; i++)
		if (!out[i] && cfg_key_is(key, keys[i])) {
			out[i] = c;
			return 1;	/* the keys differ: c is no other's */
		}
	return 0;
}

/* Convenience getters: return 0 and set *out, or -ENOENT/-EINVAL. */
int cfg_get_int(const struct cfg_node *section, const char *key, int64_t *out);
int cfg_get_str(const struct cfg_node *section, const char *key, const char **out);

/*
 * The strings (and bare words) of an array joined with sep ("READ, WRITE"),
 * malloc'd; "" for NULL or an empty array; NULL when out of memory.
 */
char *cfg_join_strings(const struct cfg_node *arr, const char *sep);

/*
 * The 1-based line of a node in the text: of its key, or of its string
 * value; 0 when it cannot be told (a number in an array, the root). From
 * the lines counted when the text was packed (a byte a node, and a line
 * for every 256 nodes): at most 256 bytes are looked at.
 */
uint32_t cfg_line(const struct cfg_tree *t, const struct cfg_node *n);

/* Number of children of a section or elements of an array. */
size_t cfg_count(const struct cfg_node *n);

/*
 * Texts of at least cfg_split_min bytes (1 MiB) are parsed on two threads
 * when mlvm_io_threads(2) allows two (config.c, "split parse"); the tree
 * and the errors are the same either way. For tests: cfg_split_min lower,
 * and cfg_split_at (0: config.c's own choice) the byte where the second
 * thread begins.
 */
extern size_t cfg_split_min;
extern size_t cfg_split_at;

/*
 * After a split parse: the first child of parent that the second thread
 * read (the list before it was the first's), a place to split a walk of
 * parent's children in two; NULL when the text was not split there.
 */
const struct cfg_node *cfg_half_start(const struct cfg_tree *t, const struct cfg_node *parent);

#endif
