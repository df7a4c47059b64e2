/*
 * fuzz_thin.c - the dm-thin metadata reader and its node scanner: the input
 * is pool metadata (_tmeta bytes: superblock in block 0, btree nodes after),
 * held in memory. Every 4096-byte block goes through the scanner's node
 * check; then the pool is opened and devices 0..3, 7 and the keys of the
 * first leaves found are looked up, enumerated (bounded) and recovered from
 * stale nodes, with the reuse check on what maps. Cycles, self-pointers
 * and deep trees must end in bounded time.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "base/report.h"
#include "base/util.h"
#include "map/thin.h"

#define BLK 4096u

struct mem {
	const uint8_t *data;
	size_t size;
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct mem *m = ctx;

	if (!mlvm_range_ok(m->size, off, len))
		return -EIO;
	memcpy(buf, m->data + off, len);
	return 0;
}

static void probe(struct mlvm_thin_pool *p, uint64_t dev)
{
	struct mlvm_thin_recovered info;
	uint64_t vb = 0, next, db, other;
	int i;

	(void)mlvm_thin_lookup(p, dev, 0, &db);
	for (i = 0; i < 64 && mlvm_thin_next_mapped(p, dev, vb, &next) == 0; i++) {
		if (mlvm_thin_lookup(p, dev, next, &db) == 0)
			(void)mlvm_thin_block_reused(p, dev, next, db, &other);
		if (next == UINT64_MAX)
			break;
		vb = next + 1;
	}
	(void)mlvm_thin_recovery(p, dev, &info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t devs[] = { 0, 1, 2, 3, 7 };
	struct mlvm_thin_node_hdr h;
	struct mlvm_thin_pool *p = NULL;
	struct mlvm_report r;
	struct mem m = { data, size };
	uint64_t keys[4];
	size_t b, nk = 0, i;

	for (b = 1; b < size / BLK; b++)
		if (!mlvm_thin_node_check(data + b * BLK, b, &h) && (h.flags & 2) && h.nr &&
		    nk < 4)
			keys[nk++] = mlvm_le64(data + b * BLK + 32);
	mlvm_report_init(&r);
	if (mlvm_thin_open(mem_read, &m, size, &p, &r, "fuzz.meta") == 0) {
		(void)mlvm_thin_block_sectors(p);
		(void)mlvm_thin_transaction_id(p);
		for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
			probe(p, devs[i]);
		for (i = 0; i < nk; i++)
			probe(p, keys[i]);
		mlvm_thin_close(p);
	}
	mlvm_report_free(&r);
	return 0;
}
