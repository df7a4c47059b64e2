/*
 * thin.c - the dm-thin pool metadata reader (read-only, damage-tolerant).
 *
 * On-disk layout (little-endian, 4096-byte metadata blocks; facts from the
 * kernel's drivers/md/dm-thin-metadata.c and persistent-data/):
 *
 *   superblock, block 0                 btree node, any other block
 *     0 csum           le32               0 csum          le32
 *     4 flags          le32 (1: needs     4 flags         le32 (1 internal,
 *                      check)                                    2 leaf)
 *     8 blocknr        le64 (0)           8 blocknr       le64 (its own)
 *    16 uuid           16 bytes          16 nr_entries    le32
 *    32 magic          le64 27022010     20 max_entries   le32
 *    40 version        le32 (1, 2)       24 value_size    le32
 *    44 time           le32              28 padding       le32
 *    48 trans_id       le64              32 keys          le64 x max_entries
 *    56 held_root      le64                 values        value_size x
 *    64 data sm root   128 bytes                          max_entries
 *                      (nr_blocks le64 first)
 *   192 metadata sm root 128 bytes
 *   320 data_mapping_root   le64
 *   328 device_details_root le64
 *   336 data_block_size     le32 (sectors)
 *   340 metadata_block_size le32 (sectors, 8)
 *   344 metadata_nr_blocks  le64
 *   352 compat, compat_ro, incompat flags le32 each
 *
 * Checksums: crc32c (Castagnoli, reflected 0x82f63b78) of bytes 4..4095
 * with seed 0xffffffff and no final inversion, xor a salt: 160774 for the
 * superblock, 121107 for btree nodes.
 *
 * The mapping tree has two levels, each a btree of its own: device id ->
 * subtree root, then virtual block -> (data block << 24 | time). Internal
 * node values are le64 block numbers; every value in these trees is 8
 * bytes. A child's keys lie in [its key in the parent, the next key).
 *
 * Every node is checked when it is read (checksum, block number, flags,
 * value size, entry counts against the block size, ascending keys); a bad
 * node is reported once and remembered, and whatever lies under it reads
 * as damaged (-EIO), never as followed blindly. Child pointers are checked
 * against the metadata size and the path (no cycles), depth is bounded.
 * Decoded nodes sit in a bounded LRU cache keyed by block number, and the
 * last leaf used is remembered, so a sequential export reads every node
 * once. Report offsets are byte offsets inside the metadata device named
 * by `what`.
 *
 * Recovery from stale blocks. dm-thin shadows (copies on write) every node
 * it changes and never zeroes a freed block, so a removed device's old
 * top-level leaf and its mapping tree stay until their blocks are reused.
 * When dev_root finds no device (or a damaged way to it), the whole
 * metadata is read once (scan_once): every block that passes the node
 * checks with value size 8 or 24 is a candidate; a leaf with 8-byte values
 * that all point inside the metadata may be a top-level leaf (a per-device
 * leaf's values are data block << 24 | time, past any metadata block but
 * for data block 0), one with 24-byte values is a device details leaf.
 * Each top-level candidate naming the device gives a root; each distinct
 * root's tree is walked whole (walk_tree: every node checked, each block at
 * most once per walk, key ranges, depth TM_MAX_DEPTH, TM_EVAL_BUDGET nodes a
 * tree and TM_RECOVER_BUDGET a device), with the checks' reports held back
 * (trial walks, p->quiet). The tree preferred (cand_better) is, in order:
 * one without a bad node or a mapping past the data device; one whose
 * mapping count a device details entry for the device agrees with (the
 * details of that same transaction survive); the highest mapping time
 * stamp (the pool's time advances with each snapshot, and a later version
 * of a device's tree holds its earlier mappings); the most mappings
 * (later transactions within one time only add blocks, discards aside);
 * the higher root block (only to be deterministic). The device then reads
 * through that root like any other ("thin_mapping_recovered" names it);
 * what lies under a damaged node of it reads as -EIO (missing).
 * Reuse: the current trees are walked once (owners_build) into a table of
 * (data block, device, virtual block) sorted by data block; a recovered
 * mapping whose data block the table holds (another device's, or a live
 * snapshot still sharing it: the two cannot be told apart for sure) is
 * reused ("thin_block_reused", once per device named). The table is
 * bounded (TM_MAX_OWNERS, else "thin_reuse_partial").
 */
#include "map/thin.h"
#include "base/units.h"
#include "disk/thin_layout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define TM_BLOCK		4096u
#define TM_SB_MAGIC		27022010u
#define TM_SB_CSUM_XOR		160774u
#define TM_BTREE_CSUM_XOR	121107u
#define TM_NEEDS_CHECK		1u
#define TM_NODE_INTERNAL	1u
#define TM_NODE_LEAF		2u
#define TM_NODE_HDR		MLVM_THIN_NODE_HEADER_SIZE
#define TM_VALUE_SIZE		8u
#define TM_MAX_DEPTH		32	/* per btree; real trees are < 10 deep */
#define TM_CACHE_SLOTS		512	/* 2 MiB of nodes */
#define TM_HASH_BITS		10
#define TM_DEV_SLOTS		16	/* device roots remembered */
#define TM_WALK_BUDGET		20000	/* nodes one next_mapped call may visit */
#define TM_EVAL_BUDGET		200000	/* nodes one candidate tree may have */
#define TM_RECOVER_BUDGET	2000000	/* nodes weighed for one device */
#define TM_MAX_RECS		4096	/* devices recovered per pool */
#define TM_MAX_OWNERS		(16u << 20)	/* current mappings remembered */
#define TM_CRC32C_POLY		0x82f63b78u

/* a set of 64-bit numbers (blocks or device ids already reported) */
struct u64set {
	uint64_t *v;
	uint8_t *used;
	size_t cap;
	size_t n;
};

/* a growing array of 64-bit numbers */
struct u64vec {
	uint64_t *v;
	size_t n, cap;
};

/* a device's recovery: status 0 (info valid), -ENOENT or -EEXIST */
struct rec {
	uint64_t dev;
	int status;
	struct mlvm_thin_recovered info;
};

/* one mapping of the current metadata */
struct owner {
	uint64_t db;
	uint64_t vb;
	uint64_t dev;
	uint32_t time;
};

struct tnode {
	uint64_t blk;
	int status;		/* 0, or -EIO: the node is bad */
	bool used;
	uint32_t flags;
	uint32_t nr;
	uint32_t max;
	unsigned pins;		/* held by a walk: not evicted */
	int prev, next;		/* LRU list, most recent first */
	int hnext;		/* hash chain */
	uint8_t *data;		/* TM_BLOCK bytes, allocated on first use */
};

/* the key range [lo, hi] a node was reached for */
struct span {
	uint64_t blk;
	uint64_t lo;
	uint64_t hi;
};

struct mlvm_thin_pool {
	mlvm_read_fn read;
	void *ctx;
	uint64_t meta_size;
	struct mlvm_report *r;
	char *what;

	uint64_t nr_blocks;	/* metadata blocks that can be read */
	uint64_t data_nr_blocks;	/* from the data space map root, 0: unknown */
	uint32_t block_sectors;
	uint64_t mapping_root;	/* 0: unusable */

	uint32_t crc_table[256];

	struct tnode *nodes;
	struct tnode oom;	/* handed out when a node cannot be allocated */
	int lru_head, lru_tail;
	int buckets[1 << TM_HASH_BITS];

	struct u64set blamed;	/* blocks already reported */
	struct u64set devs_reported;
	bool budget_reported;

	/* device roots looked up, by dev_id % TM_DEV_SLOTS */
	struct {
		bool valid;
		uint64_t id;
		uint64_t root;
		int status;
	} devs[TM_DEV_SLOTS];

	/* the last leaf a lookup ended in */
	bool leaf_valid;
	uint64_t leaf_dev;
	struct span leaf;

	uint64_t trans_id;

	/* recovery from stale blocks (see the header comment) */
	bool quiet;		/* trial walks: bad nodes are not reported */
	bool scanned;
	struct u64vec tops;	/* leaves that may be top-level leaves */
	struct u64vec details;	/* device details leaves */
	struct rec *recs;
	size_t n_recs, cap_recs;
	bool owners_built;
	bool owners_partial;
	struct owner *owners;	/* the current metadata's mappings, by data block */
	size_t n_owners, cap_owners;
	struct u64set reuse_reported;	/* other devices already named */
};

/* ------------------------------------------------------------ crc32c */

static void crc32c_init(uint32_t t[256])
{
	uint32_t i, c;
	int k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (TM_CRC32C_POLY & (0u - (c & 1u)));
		t[i] = c;
	}
}

/* raw reflected crc32c: no inversion in or out */
static uint32_t crc32c(const uint32_t t[256], uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = t[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
	return crc;
}

/* the persistent-data block checksum */
static uint32_t block_csum(const uint32_t table[256], const uint8_t *blk, uint32_t salt)
{
	return crc32c(table, 0xffffffffu, blk + MLVM_THIN_CSUM_START, TM_BLOCK - MLVM_THIN_CSUM_START) ^ salt;
}

/* ------------------------------------------------------------ sets */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* true when v was not in the set (it is now, unless memory ran out) */
static bool u64set_add(struct u64set *s, uint64_t v)
{
	size_t i, mask;

	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 64, j;
		uint64_t *nv = calloc(ncap, sizeof(*nv));
		uint8_t *nu = calloc(ncap, 1);

		if (!nv || !nu) {
			free(nv);
			free(nu);
			return true;
		}
		for (j = 0; j < s->cap; j++) {
			if (!s->used[j])
				continue;
			i = mix64(s->v[j]) & (ncap - 1);
			while (nu[i])
				i = (i + 1) & (ncap - 1);
			nu[i] = 1;
			nv[i] = s->v[j];
		}
		free(s->v);
		free(s->used);
		s->v = nv;
		s->used = nu;
		s->cap = ncap;
	}
	mask = s->cap - 1;
	for (i = mix64(v) & mask; s->used[i]; i = (i + 1) & mask)
		if (s->v[i] == v)
			return false;
	s->used[i] = 1;
	s->v[i] = v;
	s->n++;
	return true;
}

static void u64set_free(struct u64set *s)
{
	free(s->v);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ reporting */

/* Report a problem with metadata block blk, once per block. */
__attribute__((format(printf, 5, 6)))
static void blame(struct mlvm_thin_pool *p, uint64_t blk, uint32_t at, const char *code,
		  const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->quiet || !u64set_add(&p->blamed, blk))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mlvm_warn(p->r, code, p->what, blk * TM_BLOCK + at, "%s", msg);
}

/* ------------------------------------------------------------ nodes */

static inline uint64_t node_key(const struct tnode *n, uint32_t i)
{
	return mlvm_le64(n->data + TM_NODE_HDR + 8u * i);
}

static inline uint64_t node_value(const struct tnode *n, uint32_t i)
{
	return mlvm_le64(n->data + TM_NODE_HDR + 8u * n->max + 8u * i);
}

static inline uint32_t value_at(const struct tnode *n, uint32_t i)
{
	return TM_NODE_HDR + 8u * n->max + 8u * i;
}

/* first index whose key is >= k (nr when none) */
static uint32_t lower_bound(const struct tnode *n, uint64_t k)
{
	uint32_t lo = 0, hi = n->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (node_key(n, mid) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* first index whose key is > k (nr when none) */
static uint32_t upper_bound(const struct tnode *n, uint64_t k)
{
	uint32_t lo = 0, hi = n->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (node_key(n, mid) <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Check the 4096-byte block data as btree node blk: NULL when it is one
 * (*hdr filled), else the warning code, with msg and *at (the offending
 * byte) set. value_size must be want_vsize, or 8 or the device details'
 * size when want_vsize is 0 (the scanner's test).
 */
static const char *node_verdict(const uint32_t crc_table[256], const uint8_t *data, uint64_t blk,
				uint32_t want_vsize, struct mlvm_thin_node_hdr *hdr, uint32_t *at,
				char *msg, size_t msz)
{
	uint32_t csum, want, i, kind, max_fit;

	memset(hdr, 0, sizeof(*hdr));
	csum = mlvm_le32(data + MLVM_THIN_NODE_CSUM_OFF);
	want = block_csum(crc_table, data, TM_BTREE_CSUM_XOR);
	*at = MLVM_THIN_NODE_CSUM_OFF;
	if (csum != want) {
		snprintf(msg, msz, "btree node %llu: bad checksum 0x%08x, computed 0x%08x",
			 (unsigned long long)blk, csum, want);
		return "thin_node_csum";
	}
	*at = MLVM_THIN_NODE_BLOCKNR_OFF;
	if (mlvm_le64(data + MLVM_THIN_NODE_BLOCKNR_OFF) != blk) {
		snprintf(msg, msz, "btree node %llu says it is block %llu", (unsigned long long)blk,
			 (unsigned long long)mlvm_le64(data + MLVM_THIN_NODE_BLOCKNR_OFF));
		return "thin_node_blocknr";
	}
	hdr->flags = mlvm_le32(data + MLVM_THIN_NODE_FLAGS_OFF);
	kind = hdr->flags & (TM_NODE_INTERNAL | TM_NODE_LEAF);
	*at = MLVM_THIN_NODE_FLAGS_OFF;
	if (kind != TM_NODE_INTERNAL && kind != TM_NODE_LEAF) {
		snprintf(msg, msz, "btree node %llu: flags 0x%x are neither internal nor leaf",
			 (unsigned long long)blk, hdr->flags);
		return "thin_node_flags";
	}
	hdr->nr = mlvm_le32(data + MLVM_THIN_NODE_NR_ENTRIES_OFF);
	hdr->max = mlvm_le32(data + MLVM_THIN_NODE_MAX_ENTRIES_OFF);
	hdr->value_size = mlvm_le32(data + MLVM_THIN_NODE_VALUE_SIZE_OFF);
	*at = MLVM_THIN_NODE_VALUE_SIZE_OFF;
	if (want_vsize ? hdr->value_size != want_vsize :
	    (hdr->value_size != TM_VALUE_SIZE && hdr->value_size != MLVM_THIN_DETAILS_VALUE_SIZE) ||
	    (kind == TM_NODE_INTERNAL && hdr->value_size != TM_VALUE_SIZE)) {
		snprintf(msg, msz, "btree node %llu: value size %u, mapping trees hold %u",
			 (unsigned long long)blk, hdr->value_size, TM_VALUE_SIZE);
		return "thin_node_value_size";
	}
	max_fit = (TM_BLOCK - TM_NODE_HDR) / (8u + hdr->value_size);
	*at = MLVM_THIN_NODE_MAX_ENTRIES_OFF;
	if (hdr->max > max_fit) {
		snprintf(msg, msz, "btree node %llu: max_entries %u does not fit a block",
			 (unsigned long long)blk, hdr->max);
		return "thin_node_entries";
	}
	*at = MLVM_THIN_NODE_NR_ENTRIES_OFF;
	if (hdr->nr > hdr->max) {
		snprintf(msg, msz, "btree node %llu: nr_entries %u > max_entries %u",
			 (unsigned long long)blk, hdr->nr, hdr->max);
		return "thin_node_entries";
	}
	if (kind == TM_NODE_INTERNAL && hdr->nr == 0) {
		snprintf(msg, msz, "btree node %llu: internal node without entries",
			 (unsigned long long)blk);
		return "thin_node_entries";
	}
	for (i = 1; i < hdr->nr; i++) {
		uint64_t k = mlvm_le64(data + TM_NODE_HDR + 8u * i);
		uint64_t k0 = mlvm_le64(data + TM_NODE_HDR + 8u * (i - 1));

		if (k <= k0) {
			*at = TM_NODE_HDR + 8u * i;
			snprintf(msg, msz, "btree node %llu: key %u (%llu) is not above key %u (%llu)",
				 (unsigned long long)blk, i, (unsigned long long)k, i - 1,
				 (unsigned long long)k0);
			return "thin_node_order";
		}
	}
	return NULL;
}

/* Read and check block blk into n (status 0 or -EIO, reported). */
static void node_load(struct mlvm_thin_pool *p, struct tnode *n, uint64_t blk)
{
	struct mlvm_thin_node_hdr h;
	const char *code;
	char msg[200];
	uint32_t at;

	n->status = -EIO;
	n->flags = n->nr = n->max = 0;
	if (blk >= p->nr_blocks || !mlvm_range_ok(p->meta_size, blk * TM_BLOCK, TM_BLOCK)) {
		blame(p, blk, 0, "thin_node_read",
		      "btree node %llu lies past the end of the metadata (%llu %s)",
		      (unsigned long long)blk, (unsigned long long)p->nr_blocks,
		      mlvm_plural(p->nr_blocks, "block", "blocks"));
		return;
	}
	if (p->read(p->ctx, n->data, TM_BLOCK, blk * TM_BLOCK) != 0) {
		blame(p, blk, 0, "thin_node_read", "cannot read btree node %llu",
		      (unsigned long long)blk);
		return;
	}
	code = node_verdict(p->crc_table, n->data, blk, TM_VALUE_SIZE, &h, &at, msg, sizeof(msg));
	if (code) {
		blame(p, blk, at, code, "%s", msg);
		return;
	}
	n->flags = h.flags;
	n->nr = h.nr;
	n->max = h.max;
	n->status = 0;
}

static void lru_unlink(struct mlvm_thin_pool *p, int i)
{
	struct tnode *n = &p->nodes[i];

	if (n->prev >= 0)
		p->nodes[n->prev].next = n->next;
	else
		p->lru_head = n->next;
	if (n->next >= 0)
		p->nodes[n->next].prev = n->prev;
	else
		p->lru_tail = n->prev;
	n->prev = n->next = -1;
}

static void lru_push_front(struct mlvm_thin_pool *p, int i)
{
	struct tnode *n = &p->nodes[i];

	n->prev = -1;
	n->next = p->lru_head;
	if (p->lru_head >= 0)
		p->nodes[p->lru_head].prev = i;
	p->lru_head = i;
	if (p->lru_tail < 0)
		p->lru_tail = i;
}

static unsigned node_hash(uint64_t blk)
{
	return (unsigned)((blk * 0x9e3779b97f4a7c15ULL) >> (64 - TM_HASH_BITS));
}

/* The node at block blk, from the cache or read and checked now. */
static struct tnode *node_get(struct mlvm_thin_pool *p, uint64_t blk)
{
	unsigned h = node_hash(blk);
	int i, *pp;

	for (i = p->buckets[h]; i >= 0; i = p->nodes[i].hnext) {
		if (p->nodes[i].blk == blk) {
			if (p->lru_head != i) {
				lru_unlink(p, i);
				lru_push_front(p, i);
			}
			return &p->nodes[i];
		}
	}
	for (i = p->lru_tail; p->nodes[i].pins; i = p->nodes[i].prev)
		;	/* at most TM_MAX_DEPTH nodes are pinned */
	if (!p->nodes[i].data) {
		p->nodes[i].data = malloc(TM_BLOCK);
		if (!p->nodes[i].data) {
			p->oom.blk = blk;
			p->oom.status = -ENOMEM;
			return &p->oom;
		}
	}
	if (p->nodes[i].used) {
		for (pp = &p->buckets[node_hash(p->nodes[i].blk)]; *pp != i;
		     pp = &p->nodes[*pp].hnext)
			;
		*pp = p->nodes[i].hnext;
	}
	lru_unlink(p, i);
	lru_push_front(p, i);
	p->nodes[i].used = true;
	p->nodes[i].blk = blk;
	p->nodes[i].hnext = p->buckets[h];
	p->buckets[h] = i;
	node_load(p, &p->nodes[i], blk);
	return &p->nodes[i];
}

/*
 * Check child pointer i of the good internal node n (block path[depth],
 * ancestors path[0..depth-1]): inside the metadata, not the superblock,
 * not an ancestor. Reports once per parent block.
 */
static bool child_ok(struct mlvm_thin_pool *p, const struct tnode *n, uint32_t i,
		     const uint64_t *path, int depth)
{
	uint64_t child = node_value(n, i);
	int d;

	if (child == 0 || child >= p->nr_blocks) {
		blame(p, n->blk, value_at(n, i), "thin_node_pointer",
		      "btree node %llu: entry %u points to block %llu, outside the metadata (%llu %s)",
		      (unsigned long long)n->blk, i, (unsigned long long)child,
		      (unsigned long long)p->nr_blocks, mlvm_plural(p->nr_blocks, "block", "blocks"));
		return false;
	}
	for (d = 0; d <= depth; d++) {
		if (path[d] == child) {
			blame(p, n->blk, value_at(n, i), "thin_node_cycle",
			      "btree node %llu: entry %u points back to block %llu on its own path",
			      (unsigned long long)n->blk, i, (unsigned long long)child);
			return false;
		}
	}
	return true;
}

/* A good node reached for keys [lo, hi] must hold no key outside it. */
static void check_span(struct mlvm_thin_pool *p, const struct tnode *n, uint64_t lo, uint64_t hi)
{
	if (n->nr == 0 || (node_key(n, 0) >= lo && node_key(n, n->nr - 1) <= hi))
		return;
	blame(p, n->blk, TM_NODE_HDR, "thin_node_range",
	      "btree node %llu: keys %llu..%llu lie outside its parent's range %llu..%llu",
	      (unsigned long long)n->blk, (unsigned long long)node_key(n, 0),
	      (unsigned long long)node_key(n, n->nr - 1), (unsigned long long)lo,
	      (unsigned long long)hi);
}

/* narrow [lo, hi] to the range of child i of internal node n */
static void child_span(const struct tnode *n, uint32_t i, uint64_t *lo, uint64_t *hi)
{
	if (node_key(n, i) > *lo)
		*lo = node_key(n, i);
	if (i + 1 < n->nr && node_key(n, i + 1) - 1 < *hi)
		*hi = node_key(n, i + 1) - 1;
}

/*
 * Look key up in the btree rooted at root: 0 and *val, -ENOENT, or -EIO
 * (damage on the way, reported). *sp gets the leaf and its key range.
 */
static int tree_find(struct mlvm_thin_pool *p, uint64_t root, uint64_t key, uint64_t *val,
		     struct span *sp)
{
	uint64_t path[TM_MAX_DEPTH];
	uint64_t blk = root, lo = 0, hi = UINT64_MAX;
	int depth;

	for (depth = 0; depth < TM_MAX_DEPTH; depth++) {
		struct tnode *n = node_get(p, blk);
		uint32_t i;

		if (n->status)
			return n->status;
		check_span(p, n, lo, hi);
		if (n->flags & TM_NODE_LEAF) {
			if (sp) {
				sp->blk = blk;
				sp->lo = lo;
				sp->hi = hi;
			}
			i = lower_bound(n, key);
			if (i >= n->nr || node_key(n, i) != key)
				return -ENOENT;
			*val = node_value(n, i);
			return 0;
		}
		i = upper_bound(n, key);
		if (i == 0)
			return -ENOENT;	/* below the first key */
		i--;
		path[depth] = blk;
		if (!child_ok(p, n, i, path, depth))
			return -EIO;
		child_span(n, i, &lo, &hi);
		blk = node_value(n, i);
	}
	blame(p, root, 0, "thin_node_depth", "btree rooted at block %llu is deeper than %d levels",
	      (unsigned long long)root, TM_MAX_DEPTH);
	return -EIO;
}

static int recover(struct mlvm_thin_pool *p, uint64_t dev_id, int why, uint64_t *root);

/* the root of dev_id's mapping subtree: 0, -ENOENT or -EIO */
static int dev_root(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t *root)
{
	unsigned slot = (unsigned)(dev_id % TM_DEV_SLOTS);
	uint64_t v = 0;
	int rc;

	if (p->devs[slot].valid && p->devs[slot].id == dev_id) {
		*root = p->devs[slot].root;
		return p->devs[slot].status;
	}
	if (!p->mapping_root)
		rc = -EIO;
	else
		rc = tree_find(p, p->mapping_root, dev_id, &v, NULL);
	if (rc == 0 && (v == 0 || v >= p->nr_blocks)) {
		if (u64set_add(&p->devs_reported, dev_id))
			mlvm_warn(p->r, "thin_dev_root", p->what, -1,
				  "thin device %llu: mapping root %llu lies outside the metadata (%llu %s)",
				  (unsigned long long)dev_id, (unsigned long long)v,
				  (unsigned long long)p->nr_blocks, mlvm_plural(p->nr_blocks, "block", "blocks"));
		rc = -EIO;
	}
	/* a root that fails its checks (reported by node_get) is damage too */
	if (rc == 0 && node_get(p, v)->status == -EIO)
		rc = -EIO;
	if ((rc == -ENOENT || rc == -EIO) && recover(p, dev_id, rc, &v) == 0)
		rc = 0;
	else if (rc == -EIO && !p->mapping_root)
		;	/* the superblock's root was said to be unusable */
	else if (rc == -ENOENT && u64set_add(&p->devs_reported, dev_id))
		mlvm_warn(p->r, "thin_dev_missing", p->what, p->mapping_root * TM_BLOCK,
			  "thin device %llu is not in the pool metadata and no stale mapping tree "
			  "naming it was found: it reads as zeros",
			  (unsigned long long)dev_id);
	if (rc != -ENOMEM) {
		p->devs[slot].valid = true;
		p->devs[slot].id = dev_id;
		p->devs[slot].root = v;
		p->devs[slot].status = rc;
	}
	*root = v;
	return rc;
}

/* decode a leaf value: 0 and *data_block, or -EIO when it points past the data device */
static int decode_mapping(struct mlvm_thin_pool *p, uint64_t leaf_blk, uint64_t v,
			  uint64_t vblock, uint64_t *data_block)
{
	uint64_t db = v >> 24;

	if (p->data_nr_blocks && db >= p->data_nr_blocks) {
		blame(p, leaf_blk, 0, "thin_mapping_range",
		      "btree leaf %llu maps virtual block %llu to data block %llu, past the %llu data %s",
		      (unsigned long long)leaf_blk, (unsigned long long)vblock,
		      (unsigned long long)db, (unsigned long long)p->data_nr_blocks,
		      mlvm_plural(p->data_nr_blocks, "block", "blocks"));
		return -EIO;
	}
	*data_block = db;
	return 0;
}

int mlvm_thin_lookup(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t vblock,
		     uint64_t *data_block)
{
	struct span sp = { 0, 0, 0 };
	uint64_t root, v;
	int rc;

	if (p->leaf_valid && p->leaf_dev == dev_id && vblock >= p->leaf.lo &&
	    vblock <= p->leaf.hi) {
		struct tnode *n = node_get(p, p->leaf.blk);

		if (n->status == 0) {
			uint32_t i = lower_bound(n, vblock);

			if (i >= n->nr || node_key(n, i) != vblock)
				return -ENOENT;
			return decode_mapping(p, n->blk, node_value(n, i), vblock, data_block);
		}
	}
	rc = dev_root(p, dev_id, &root);
	if (rc)
		return rc;
	rc = tree_find(p, root, vblock, &v, &sp);
	if (sp.blk) {
		p->leaf_valid = true;
		p->leaf_dev = dev_id;
		p->leaf = sp;
	}
	if (rc)
		return rc;
	return decode_mapping(p, sp.blk, v, vblock, data_block);
}

/*
 * The first key >= v within [lo, hi] under blk: 0 and *next, or -ENOENT.
 * A damaged subtree may hold anything: its first block at or after v is
 * returned, so the caller's lookup meets the -EIO.
 */
static int walk_next(struct mlvm_thin_pool *p, uint64_t blk, uint64_t v, uint64_t lo,
		     uint64_t hi, uint64_t *path, int depth, unsigned *budget, uint64_t *next)
{
	uint64_t from = v > lo ? v : lo;
	struct tnode *n;
	uint32_t i;
	int rc;

	if (depth >= TM_MAX_DEPTH) {
		blame(p, path[0], 0, "thin_node_depth",
		      "btree rooted at block %llu is deeper than %d levels",
		      (unsigned long long)path[0], TM_MAX_DEPTH);
		*next = from;
		return 0;
	}
	if (*budget == 0) {
		if (!p->budget_reported)
			mlvm_warn(p->r, "thin_walk_budget", p->what, blk * TM_BLOCK,
				  "searching the next mapped block visited more than %d nodes",
				  TM_WALK_BUDGET);
		p->budget_reported = true;
		*next = from;
		return 0;
	}
	(*budget)--;
	n = node_get(p, blk);
	if (n->status) {
		*next = from;
		return 0;
	}
	check_span(p, n, lo, hi);
	if (n->flags & TM_NODE_LEAF) {
		i = lower_bound(n, from);
		if (i >= n->nr || node_key(n, i) > hi)
			return -ENOENT;
		*next = node_key(n, i);
		return 0;
	}
	path[depth] = blk;
	n->pins++;	/* the walk below must not evict n */
	rc = -ENOENT;
	i = upper_bound(n, from);
	for (i = i ? i - 1 : 0; i < n->nr; i++) {
		uint64_t clo = lo, chi = hi;

		child_span(n, i, &clo, &chi);
		if (clo > chi || chi < from)
			continue;
		if (!child_ok(p, n, i, path, depth)) {
			*next = from > clo ? from : clo;
			rc = 0;
			break;
		}
		rc = walk_next(p, node_value(n, i), from, clo, chi, path, depth + 1, budget, next);
		if (rc == 0)
			break;
	}
	n->pins--;
	return rc;
}

int mlvm_thin_next_mapped(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t vblock,
			  uint64_t *next)
{
	uint64_t path[TM_MAX_DEPTH];
	unsigned budget = TM_WALK_BUDGET;
	uint64_t root;
	int rc;

	rc = dev_root(p, dev_id, &root);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		*next = vblock;	/* unknown: let the lookup say -EIO */
		return 0;
	}
	return walk_next(p, root, vblock, 0, UINT64_MAX, path, 0, &budget, next);
}

/* ------------------------------------------------------------ recovery */

/* v with room for one more element (n used of *cap), or NULL (v is kept) */
static void *grow(void *v, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? 2 * *cap : 64;
	nv = realloc(v, ncap * elem);
	if (nv)
		*cap = ncap;
	return nv;
}

static bool u64vec_push(struct u64vec *a, uint64_t v)
{
	uint64_t *nv = grow(a->v, &a->cap, a->n, sizeof(*a->v));

	if (!nv)
		return false;
	a->v = nv;
	a->v[a->n++] = v;
	return true;
}

/* one whole-tree walk: every block at most once, depth and nodes bounded */
struct walk {
	struct u64set seen;
	uint64_t budget;
	uint64_t nodes;
	uint64_t bad;		/* nodes that fail, or pointers that cannot be followed */
	int (*leaf)(struct mlvm_thin_pool *p, const struct tnode *n, void *ud);
	void *ud;
	int rc;			/* the first failure of leaf (-ENOMEM) */
};

static void walk_tree(struct mlvm_thin_pool *p, struct walk *w, uint64_t blk, uint64_t lo,
		      uint64_t hi, uint64_t *path, int depth)
{
	struct tnode *n;
	uint32_t i;

	if (depth >= TM_MAX_DEPTH || w->budget == 0 || w->rc) {
		w->bad++;
		return;
	}
	if (!u64set_add(&w->seen, blk)) {	/* a tree never holds a block twice */
		w->bad++;
		return;
	}
	w->budget--;
	w->nodes++;
	n = node_get(p, blk);
	if (n->status) {
		w->bad++;
		if (n->status == -ENOMEM)
			w->rc = -ENOMEM;
		return;
	}
	if (n->nr && (node_key(n, 0) < lo || node_key(n, n->nr - 1) > hi)) {
		check_span(p, n, lo, hi);
		w->bad++;
	}
	n->pins++;
	if (n->flags & TM_NODE_LEAF) {
		int rc = w->leaf(p, n, w->ud);

		if (rc && !w->rc)
			w->rc = rc;
		n->pins--;
		return;
	}
	path[depth] = blk;
	for (i = 0; i < n->nr; i++) {
		uint64_t clo = lo, chi = hi;

		child_span(n, i, &clo, &chi);
		if (!child_ok(p, n, i, path, depth)) {
			w->bad++;
			continue;
		}
		walk_tree(p, w, node_value(n, i), clo, chi, path, depth + 1);
	}
	n->pins--;
}

static int walk_run(struct mlvm_thin_pool *p, struct walk *w, uint64_t root)
{
	uint64_t path[TM_MAX_DEPTH];

	walk_tree(p, w, root, 0, UINT64_MAX, path, 0);
	u64set_free(&w->seen);
	return w->rc;
}

/* what a candidate per-device tree holds */
struct eval {
	uint64_t mapped;
	uint64_t bad_values;	/* mappings past the data device */
	uint32_t max_time;
};

static int eval_leaf(struct mlvm_thin_pool *p, const struct tnode *n, void *ud)
{
	struct eval *e = ud;
	uint32_t i;

	for (i = 0; i < n->nr; i++) {
		uint64_t v = node_value(n, i);
		uint32_t t = (uint32_t)(v & ((1u << MLVM_THIN_TIME_BITS) - 1));

		if (p->data_nr_blocks && (v >> MLVM_THIN_TIME_BITS) >= p->data_nr_blocks)
			e->bad_values++;
		if (t > e->max_time)
			e->max_time = t;
	}
	e->mapped += n->nr;
	return 0;
}

/*
 * Read every block once: leaves that pass every check and whose values all
 * point inside the metadata may be top-level leaves (device id -> subtree
 * root); leaves with 24-byte values are device details.
 */
static int scan_once(struct mlvm_thin_pool *p)
{
	struct mlvm_thin_node_hdr h;
	uint8_t *buf;
	char msg[200];
	uint64_t blk;
	uint32_t at, i;

	if (p->scanned)
		return 0;
	buf = malloc(TM_BLOCK);
	if (!buf)
		return -ENOMEM;
	p->scanned = true;
	for (blk = 1; blk < p->nr_blocks; blk++) {
		bool top = true;

		if (!mlvm_range_ok(p->meta_size, blk * TM_BLOCK, TM_BLOCK) ||
		    p->read(p->ctx, buf, TM_BLOCK, blk * TM_BLOCK) != 0)
			continue;
		if (node_verdict(p->crc_table, buf, blk, 0, &h, &at, msg, sizeof(msg)) ||
		    !(h.flags & TM_NODE_LEAF) || h.nr == 0)
			continue;
		if (h.value_size == MLVM_THIN_DETAILS_VALUE_SIZE) {
			if (!u64vec_push(&p->details, blk))
				goto oom;
			continue;
		}
		for (i = 0; i < h.nr && top; i++) {
			uint64_t v = mlvm_le64(buf + TM_NODE_HDR + 8u * h.max + 8u * i);

			top = v != 0 && v < p->nr_blocks;
		}
		if (top && !u64vec_push(&p->tops, blk))
			goto oom;
	}
	free(buf);
	return 0;
oom:
	free(buf);
	return -ENOMEM;
}

/* true when a device details leaf says dev_id had `mapped` blocks mapped */
static bool details_agree(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t mapped)
{
	struct mlvm_thin_node_hdr h;
	uint8_t *buf = malloc(TM_BLOCK);
	char msg[200];
	uint32_t at;
	size_t k;
	bool yes = false;

	if (!buf)
		return false;
	for (k = 0; k < p->details.n && !yes; k++) {
		uint64_t blk = p->details.v[k];
		uint32_t i;

		if (p->read(p->ctx, buf, TM_BLOCK, blk * TM_BLOCK) != 0 ||
		    node_verdict(p->crc_table, buf, blk, MLVM_THIN_DETAILS_VALUE_SIZE, &h, &at, msg,
				 sizeof(msg)))
			continue;
		for (i = 0; i < h.nr; i++) {
			const uint8_t *val = buf + TM_NODE_HDR + 8u * h.max +
					     MLVM_THIN_DETAILS_VALUE_SIZE * i;

			if (mlvm_le64(buf + TM_NODE_HDR + 8u * i) == dev_id &&
			    mlvm_le64(val + MLVM_THIN_DETAILS_MAPPED_OFF) == mapped)
				yes = true;
		}
	}
	free(buf);
	return yes;
}

/* a better b: consistent, then agreed by a details entry, newer, larger, later block */
static bool cand_better(const struct mlvm_thin_recovered *a, bool a_ok,
			const struct mlvm_thin_recovered *b, bool b_ok)
{
	if (a_ok != b_ok)
		return a_ok;
	if (a->details != b->details)
		return a->details;
	if (a->max_time != b->max_time)
		return a->max_time > b->max_time;
	if (a->mapped != b->mapped)
		return a->mapped > b->mapped;
	return a->root > b->root;
}

static struct rec *rec_find(struct mlvm_thin_pool *p, uint64_t dev_id)
{
	size_t k;

	for (k = 0; k < p->n_recs; k++)
		if (p->recs[k].dev == dev_id)
			return &p->recs[k];
	return NULL;
}

/* weigh every stale tree named for dev_id: 0 and *best, -ENOENT, -ENOMEM */
static int recover_search(struct mlvm_thin_pool *p, uint64_t dev_id, struct mlvm_thin_recovered *best,
			  uint64_t *bad_out)
{
	struct u64set roots = { 0 };
	uint64_t budget = TM_RECOVER_BUDGET, best_bad = 0;
	bool have = false;
	unsigned cands = 0;
	size_t k;
	int rc = 0;

	for (k = 0; k < p->tops.n && budget && !rc; k++) {
		struct mlvm_thin_recovered c = { 0 };
		struct walk w = { .leaf = eval_leaf };
		struct eval e = { 0 };
		struct tnode *n = node_get(p, p->tops.v[k]);
		uint32_t i;
		uint64_t root;

		if (n->status) {
			if (n->status == -ENOMEM)
				rc = -ENOMEM;
			continue;
		}
		i = lower_bound(n, dev_id);
		if (i >= n->nr || node_key(n, i) != dev_id)
			continue;
		root = node_value(n, i);
		c.top_leaf = n->blk;
		if (!u64set_add(&roots, root))
			continue;	/* weighed already */
		cands++;
		w.budget = budget < TM_EVAL_BUDGET ? budget : TM_EVAL_BUDGET;
		w.ud = &e;
		rc = walk_run(p, &w, root);
		budget -= w.nodes;
		c.root = root;
		c.nodes = w.nodes;
		c.mapped = e.mapped;
		c.max_time = e.max_time;
		if (rc)
			break;
		if (w.bad + e.bad_values == 0)
			c.details = details_agree(p, dev_id, e.mapped);
		if (!have || cand_better(&c, w.bad + e.bad_values == 0, best, best_bad == 0)) {
			*best = c;
			best_bad = w.bad + e.bad_values;
			have = true;
		}
	}
	u64set_free(&roots);
	if (rc)
		return rc;
	if (!budget && !p->budget_reported) {
		mlvm_warn(p->r, "thin_walk_budget", p->what, -1,
			  "recovering thin device %llu weighed more than %d nodes: the rest were not",
			  (unsigned long long)dev_id, TM_RECOVER_BUDGET);
		p->budget_reported = true;
	}
	best->candidates = cands;
	*bad_out = best_bad;
	return have ? 0 : -ENOENT;
}

/*
 * Find dev_id's mapping tree among stale blocks (why: -ENOENT, the current
 * trees do not name it; -EIO, the way to it is damaged): 0 and *root, or
 * -ENOENT / -ENOMEM.
 */
static int recover(struct mlvm_thin_pool *p, uint64_t dev_id, int why, uint64_t *root)
{
	struct mlvm_thin_recovered best = { 0 };
	struct rec *rc_slot, *nrecs;
	uint64_t bad = 0;
	bool quiet = p->quiet;
	int rc;

	rc_slot = rec_find(p, dev_id);
	if (rc_slot) {
		*root = rc_slot->info.root;
		return rc_slot->status == 0 ? 0 : -ENOENT;
	}
	if (p->n_recs >= TM_MAX_RECS)
		return -ENOENT;
	nrecs = grow(p->recs, &p->cap_recs, p->n_recs, sizeof(*p->recs));
	if (!nrecs)
		return -ENOMEM;
	p->recs = nrecs;
	rc = scan_once(p);
	if (!rc) {
		p->quiet = true;	/* trial walks: rejected trees are not reported */
		rc = recover_search(p, dev_id, &best, &bad);
		p->quiet = quiet;
	}
	if (rc == -ENOMEM)
		return rc;
	rc_slot = &p->recs[p->n_recs++];
	memset(rc_slot, 0, sizeof(*rc_slot));
	rc_slot->dev = dev_id;
	rc_slot->status = rc;
	rc_slot->info = best;
	if (rc)
		return rc;
	*root = best.root;
	mlvm_warn(p->r, "thin_mapping_recovered", p->what, best.root * TM_BLOCK,
		  "thin device %llu %s: its mapping was recovered from stale metadata blocks: "
		  "tree root block %llu named by top-level leaf block %llu, %llu %s in %llu %s, "
		  "newest time stamp %u%s (%u candidate %s weighed)%s",
		  (unsigned long long)dev_id,
		  why == -ENOENT ? "is not in the pool's current metadata" :
		  "cannot be reached through the pool's current metadata",
		  (unsigned long long)best.root, (unsigned long long)best.top_leaf,
		  (unsigned long long)best.mapped, mlvm_plural(best.mapped, "mapping", "mappings"),
		  (unsigned long long)best.nodes, mlvm_plural(best.nodes, "node", "nodes"),
		  best.max_time, best.details ? ", mapped count agreed by a device details entry" : "",
		  best.candidates, mlvm_plural(best.candidates, "tree", "trees"),
		  bad ? "; parts of it fail their checks and read as missing" : "");
	p->leaf_valid = false;
	return 0;
}

int mlvm_thin_recovery(struct mlvm_thin_pool *p, uint64_t dev_id, struct mlvm_thin_recovered *out)
{
	struct rec *r;
	uint64_t root;
	int rc;

	rc = dev_root(p, dev_id, &root);
	if (rc == -ENOMEM)
		return rc;
	r = rec_find(p, dev_id);
	if (!r)
		return rc == 0 ? -EEXIST : -ENOENT;
	if (r->status)
		return r->status;
	*out = r->info;
	return 0;
}

/* ------------------------------------------------------------ reuse */

static int owner_cmp(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	if (x->db != y->db)
		return x->db < y->db ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->vb < y->vb ? -1 : x->vb > y->vb;
}

struct owner_ctx {
	uint64_t dev;
};

static int owner_leaf(struct mlvm_thin_pool *p, const struct tnode *n, void *ud)
{
	const struct owner_ctx *oc = ud;
	uint32_t i;

	for (i = 0; i < n->nr; i++) {
		uint64_t v = node_value(n, i);
		struct owner *no;

		if (p->n_owners >= TM_MAX_OWNERS) {
			p->owners_partial = true;
			return 0;
		}
		no = grow(p->owners, &p->cap_owners, p->n_owners, sizeof(*no));
		if (!no)
			return -ENOMEM;
		p->owners = no;
		p->owners[p->n_owners].db = v >> MLVM_THIN_TIME_BITS;
		p->owners[p->n_owners].vb = node_key(n, i);
		p->owners[p->n_owners].dev = oc->dev;
		p->owners[p->n_owners].time = (uint32_t)(v & ((1u << MLVM_THIN_TIME_BITS) - 1));
		p->n_owners++;
	}
	return 0;
}

/* every current device's tree, walked from a top-level leaf */
static int owner_top_leaf(struct mlvm_thin_pool *p, const struct tnode *n, void *ud)
{
	uint32_t i;
	int rc;

	(void)ud;
	for (i = 0; i < n->nr; i++) {
		struct owner_ctx oc = { node_key(n, i) };
		struct walk w = { .leaf = owner_leaf, .ud = &oc, .budget = TM_RECOVER_BUDGET };
		uint64_t root = node_value(n, i);

		if (root == 0 || root >= p->nr_blocks || rec_find(p, oc.dev)) {
			p->owners_partial = true;
			continue;
		}
		rc = walk_run(p, &w, root);
		if (rc)
			return rc;
		if (w.bad)
			p->owners_partial = true;
	}
	return 0;
}

static int owners_build(struct mlvm_thin_pool *p)
{
	struct walk w = { .leaf = owner_top_leaf, .budget = TM_RECOVER_BUDGET };
	int rc;

	if (p->owners_built)
		return 0;
	p->owners_built = true;
	if (!p->mapping_root) {
		p->owners_partial = true;
		return 0;
	}
	rc = walk_run(p, &w, p->mapping_root);
	if (w.bad)
		p->owners_partial = true;
	if (rc)
		return rc;
	if (p->n_owners)
		qsort(p->owners, p->n_owners, sizeof(*p->owners), owner_cmp);
	if (p->owners_partial)
		mlvm_warn(p->r, "thin_reuse_partial", p->what, p->mapping_root * TM_BLOCK,
			  "the pool's current mapping trees could not all be read: a recovered block "
			  "given to another device since may not be said");
	return 0;
}

int mlvm_thin_block_reused(struct mlvm_thin_pool *p, uint64_t dev_id, uint64_t vblock,
			   uint64_t db, uint64_t *other)
{
	struct rec *r = rec_find(p, dev_id);
	uint64_t v = 0;
	uint32_t t;
	size_t lo = 0, hi;
	int rc;

	if (!r || r->status)
		return -ENOENT;
	rc = owners_build(p);
	if (rc)
		return rc;
	if (tree_find(p, r->info.root, vblock, &v, NULL) != 0 || v >> MLVM_THIN_TIME_BITS != db)
		return -ENOENT;
	t = (uint32_t)(v & ((1u << MLVM_THIN_TIME_BITS) - 1));
	hi = p->n_owners;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->owners[mid].db < db)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < p->n_owners && p->owners[lo].db == db; lo++) {
		const struct owner *o = &p->owners[lo];

		if (o->dev == dev_id && o->vb == vblock)
			continue;	/* its own mapping, where the current trees still hold it */
		*other = o->dev;
		if (u64set_add(&p->reuse_reported, o->dev))
			mlvm_warn(p->r, "thin_block_reused", p->what, -1,
				  "recovered thin device %llu: data block %llu (virtual block %llu) "
				  "is now mapped by thin device %llu at virtual block %llu%s: "
				  "shared with it or given to it since, the bytes read may be that "
				  "device's (listed as reused)",
				  (unsigned long long)dev_id, (unsigned long long)db,
				  (unsigned long long)vblock, (unsigned long long)o->dev,
				  (unsigned long long)o->vb,
				  o->vb == vblock && o->time == t ? " with the same time stamp" : "");
		return 1;
	}
	return 0;
}

uint64_t mlvm_thin_transaction_id(const struct mlvm_thin_pool *p)
{
	return p->trans_id;
}

const char *mlvm_thin_node_check(const uint8_t *data, uint64_t blk, struct mlvm_thin_node_hdr *hdr)
{
	uint32_t table[256], at;
	char msg[200];

	crc32c_init(table);
	return node_verdict(table, data, blk, 0, hdr, &at, msg, sizeof(msg));
}

/* ------------------------------------------------------------ superblock */

uint32_t mlvm_thin_block_sectors(const struct mlvm_thin_pool *p)
{
	return p->block_sectors;
}

int mlvm_thin_open(mlvm_read_fn read, void *ctx, uint64_t meta_size,
		   struct mlvm_thin_pool **out, struct mlvm_report *r, const char *what)
{
	struct mlvm_thin_pool *p;
	uint8_t sb[TM_BLOCK];
	uint64_t magic, sb_blocks, have, root;
	uint32_t csum, want, version, mbs, dbs, flags, incompat;
	int i, rc;

	*out = NULL;
	if (meta_size < TM_BLOCK) {
		mlvm_error(r, "thin_sb_short", what, 0,
			   "pool metadata of %llu bytes cannot hold a superblock",
			   (unsigned long long)meta_size);
		return -EINVAL;
	}
	rc = read(ctx, sb, TM_BLOCK, 0);
	if (rc) {
		mlvm_error(r, "thin_sb_read", what, 0, "cannot read the pool metadata superblock");
		return rc < 0 ? rc : -EIO;
	}
	magic = mlvm_le64(sb + MLVM_THIN_SB_MAGIC_OFF);
	if (magic != TM_SB_MAGIC) {
		mlvm_error(r, "thin_sb_magic", what, MLVM_THIN_SB_MAGIC_OFF,
			   "not dm-thin metadata: superblock magic %llu, expected %u",
			   (unsigned long long)magic, TM_SB_MAGIC);
		return -EINVAL;
	}
	mbs = mlvm_le32(sb + MLVM_THIN_SB_META_BLOCK_SIZE_OFF);
	if (mbs != TM_BLOCK / MLVM_SECTOR_SIZE) {
		mlvm_error(r, "thin_sb_block_size", what, MLVM_THIN_SB_META_BLOCK_SIZE_OFF,
			   "metadata block size of %u sectors, only %u is supported", mbs,
			   TM_BLOCK / MLVM_SECTOR_SIZE);
		return -EINVAL;
	}
	dbs = mlvm_le32(sb + MLVM_THIN_SB_DATA_BLOCK_SIZE_OFF);
	if (dbs == 0) {
		mlvm_error(r, "thin_sb_data_block_size", what, MLVM_THIN_SB_DATA_BLOCK_SIZE_OFF, "data block size is 0");
		return -EINVAL;
	}

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->nodes = calloc(TM_CACHE_SLOTS, sizeof(*p->nodes));
	if (what)
		p->what = strdup(what);
	if (!p->nodes || (what && !p->what)) {
		free(p->nodes);
		free(p->what);
		free(p);
		return -ENOMEM;
	}
	p->read = read;
	p->ctx = ctx;
	p->meta_size = meta_size;
	p->r = r;
	p->block_sectors = dbs;
	crc32c_init(p->crc_table);
	for (i = 0; i < (1 << TM_HASH_BITS); i++)
		p->buckets[i] = -1;
	p->lru_head = p->lru_tail = -1;
	for (i = 0; i < TM_CACHE_SLOTS; i++) {
		p->nodes[i].hnext = -1;
		lru_push_front(p, i);
	}

	csum = mlvm_le32(sb + MLVM_THIN_SB_CSUM_OFF);
	want = block_csum(p->crc_table, sb, TM_SB_CSUM_XOR);
	if (csum != want)
		mlvm_warn(r, "thin_sb_csum", what, MLVM_THIN_SB_CSUM_OFF,
			  "superblock checksum 0x%08x, computed 0x%08x: reading on, every node is checked",
			  csum, want);
	if (mlvm_le64(sb + MLVM_THIN_SB_BLOCKNR_OFF) != 0)
		mlvm_warn(r, "thin_sb_blocknr", what, MLVM_THIN_SB_BLOCKNR_OFF, "superblock says it is block %llu",
			  (unsigned long long)mlvm_le64(sb + MLVM_THIN_SB_BLOCKNR_OFF));
	version = mlvm_le32(sb + MLVM_THIN_SB_VERSION_OFF);
	if (version < 1 || version > 2)
		mlvm_warn(r, "thin_sb_version", what, MLVM_THIN_SB_VERSION_OFF,
			  "metadata version %u, this reader knows 1 and 2", version);
	if (dbs % 128 || dbs > 2097152)
		mlvm_warn(r, "thin_sb_data_block_size", what, MLVM_THIN_SB_DATA_BLOCK_SIZE_OFF,
			  "data block size of %u sectors is not a multiple of 64 KiB up to 1 GiB", dbs);
	flags = mlvm_le32(sb + MLVM_THIN_SB_FLAGS_OFF);
	if (flags & TM_NEEDS_CHECK)
		mlvm_notice(r, "thin_sb_needs_check", what, MLVM_THIN_SB_FLAGS_OFF,
			    "the pool metadata is flagged as needing a check");
	if (mlvm_le64(sb + MLVM_THIN_SB_HELD_ROOT_OFF))
		mlvm_notice(r, "thin_sb_held_root", what, MLVM_THIN_SB_HELD_ROOT_OFF,
			    "a metadata snapshot is held at block %llu",
			    (unsigned long long)mlvm_le64(sb + MLVM_THIN_SB_HELD_ROOT_OFF));
	incompat = mlvm_le32(sb + MLVM_THIN_SB_INCOMPAT_OFF);
	if (incompat)
		mlvm_warn(r, "thin_sb_incompat", what, MLVM_THIN_SB_INCOMPAT_OFF,
			  "unknown incompatible feature flags 0x%x", incompat);

	have = meta_size / TM_BLOCK;
	sb_blocks = mlvm_le64(sb + MLVM_THIN_SB_META_NR_BLOCKS_OFF);
	p->nr_blocks = have;
	if (sb_blocks > have)
		mlvm_warn(r, "thin_sb_truncated", what, MLVM_THIN_SB_META_NR_BLOCKS_OFF,
			  "superblock says %llu metadata blocks, only %llu are present",
			  (unsigned long long)sb_blocks, (unsigned long long)have);
	else if (sb_blocks)
		p->nr_blocks = sb_blocks;
	p->data_nr_blocks = mlvm_le64(sb + MLVM_THIN_SB_DATA_NR_BLOCKS_OFF);
	p->trans_id = mlvm_le64(sb + MLVM_THIN_SB_TRANS_ID_OFF);

	root = mlvm_le64(sb + MLVM_THIN_SB_DATA_MAPPING_ROOT_OFF);
	if (root == 0 || root >= p->nr_blocks)
		mlvm_error(r, "thin_sb_root", what, MLVM_THIN_SB_DATA_MAPPING_ROOT_OFF,
			   "data mapping root %llu lies outside the metadata (%llu %s): no block can be mapped",
			   (unsigned long long)root, (unsigned long long)p->nr_blocks,
			   mlvm_plural(p->nr_blocks, "block", "blocks"));
	else
		p->mapping_root = root;
	*out = p;
	return 0;
}

void mlvm_thin_close(struct mlvm_thin_pool *p)
{
	int i;

	if (!p)
		return;
	u64set_free(&p->blamed);
	u64set_free(&p->devs_reported);
	u64set_free(&p->reuse_reported);
	free(p->tops.v);
	free(p->details.v);
	free(p->recs);
	free(p->owners);
	for (i = 0; i < TM_CACHE_SLOTS; i++)
		free(p->nodes[i].data);
	free(p->nodes);
	free(p->what);
	free(p);
}
