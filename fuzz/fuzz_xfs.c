/*
 * fuzz_xfs.c - the XFS reader (fs/xfs.c) over a hostile filesystem. The
 * input is a sparse 16 MiB device: records of [u32 BE sector (512 bytes)]
 * [u16 BE length][length bytes], laid over zeros in order (a later record
 * wins; one past the end is cut). The owners of a byte every 16 KiB and of
 * each record's first and last byte are asked for; each answer must be
 * consistent (fs_type "xfs" or "", a path only when allocated).
 */
#include <stdlib.h>
#include <string.h>

#include "fs/xfs.h"
#include "fuzz.h"

#define DEV (16u << 20)
#define MAX_RECS 512

struct rec {
	uint64_t off;
	const uint8_t *data;
	size_t len;
};

struct dev {
	struct rec r[MAX_RECS];
	size_t n;
};

static int dev_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct dev *d = ctx;
	size_t i;

	if (off > DEV || len > DEV - off)
		abort();	/* the reader must check before reading */
	memset(buf, 0, len);
	for (i = 0; i < d->n; i++) {
		uint64_t s = d->r[i].off, e = s + d->r[i].len;
		uint64_t a = s > off ? s : off, b = e < off + len ? e : off + len;

		if (a < b)
			memcpy((uint8_t *)buf + (a - off), d->r[i].data + (a - s), (size_t)(b - a));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dev d;
	uint64_t offs[DEV / 16384 + 2 * MAX_RECS];
	static struct mlvm_fs_owner out[DEV / 16384 + 2 * MAX_RECS];
	size_t n = 0, i, p = 0;

	d.n = 0;
	while (p + 6 <= size && d.n < MAX_RECS) {
		uint64_t sec = (uint64_t)data[p] << 24 | (uint64_t)data[p + 1] << 16 |
			       (uint64_t)data[p + 2] << 8 | data[p + 3];
		size_t len = (size_t)data[p + 4] << 8 | data[p + 5];

		p += 6;
		if (len > size - p)
			len = size - p;
		if (sec * 512 < DEV) {
			if (len > DEV - sec * 512)
				len = (size_t)(DEV - sec * 512);
			d.r[d.n].off = sec * 512;
			d.r[d.n].data = data + p;
			d.r[d.n].len = len;
			if (len) {
				offs[n++] = sec * 512;
				offs[n++] = sec * 512 + len - 1;
			}
			d.n++;
		}
		p += len;
	}
	for (i = 0; i < DEV / 16384; i++)
		offs[n++] = (uint64_t)i * 16384 + (i * 61) % 16384;
	if (mlvm_xfs_owners_read(dev_read, &d, DEV, offs, n, out) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (out[i].fs_type[0] && strcmp(out[i].fs_type, "xfs"))
			abort();
		if (out[i].path && (out[i].unallocated || !out[i].fs_type[0] || !out[i].path[0]))
			abort();
		mlvm_fs_owner_clear(&out[i]);
	}
	return 0;
}
