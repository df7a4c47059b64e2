/*
 * cow.c - the dm-snapshot persistent exception store, read-only.
 *
 * A header whose magic is 0 is a new store (as dm-snapshot's read_header
 * takes it): no exceptions, the snapshot is its origin.
 *
 * Layout (the kernel's drivers/md/dm-snap-persistent.c), all little-endian,
 * in chunks of chunk_size sectors:
 *   chunk 0: header {magic u32 0x70416e53 "SnAp", valid u32, version u32 (1),
 *            chunk_size u32 (sectors)};
 *   then areas: area i is a metadata chunk at 1 + i * (epa + 1), epa =
 *   chunk bytes / 16, holding epa exceptions {old_chunk u64, new_chunk u64}
 *   (new_chunk counts chunks of the COW device), followed by the epa data
 *   chunks they point at. The list ends at the first exception whose
 *   new_chunk is 0; a full area continues in the next one.
 * A later exception for the same origin chunk replaces an earlier one.
 *
 * Bounds: metadata chunks are read in pieces of at most 64 KiB whatever the
 * chunk size, the number of exceptions cannot exceed the chunks of the COW
 * LV, and every exception is checked against it.
 */
#include "map/cow.h"
#include "base/units.h"
#include "disk/cow_layout.h"
#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SNAP_MAGIC 0x70416e53u
#define SNAP_VERSION 1u
#define COW_PIECE (64u << 10)
#define COW_MAX_REPORTS 20

struct cow_ex {
	uint64_t old_chunk;
	uint64_t new_chunk;
	uint64_t seq;		/* order in the store, for "later wins" */
};

struct mlvm_cow {
	uint32_t chunk_sectors;		/* 0 in a new (empty) store */
	bool empty;			/* magic 0: a new store, no exceptions */
	struct cow_ex *ex;
	size_t n;
};

static int cmp_ex(const void *a, const void *b)
{
	const struct cow_ex *x = a, *y = b;

	if (x->old_chunk != y->old_chunk)
		return x->old_chunk < y->old_chunk ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int ex_push(struct mlvm_cow *c, size_t *cap, uint64_t old_chunk, uint64_t new_chunk)
{
	if (c->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct cow_ex *v = realloc(c->ex, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->ex = v;
		*cap = ncap;
	}
	c->ex[c->n].old_chunk = old_chunk;
	c->ex[c->n].new_chunk = new_chunk;
	c->ex[c->n].seq = c->n;
	c->n++;
	return 0;
}

int mlvm_cow_open(mlvm_read_fn read, void *ctx, uint64_t cow_size,
		  struct mlvm_cow **out, struct mlvm_report *r, const char *what)
{
	uint8_t hdr[MLVM_COW_HEADER_SIZE];
	uint32_t magic, valid, version, cs;
	uint64_t cb, total, epa, area, reports = 0;
	struct mlvm_cow *c;
	uint8_t *piece = NULL;
	size_t cap = 0, i, j;
	bool done = false;
	int rc;

	*out = NULL;
	if (!what)
		what = "cow store";
	if (cow_size < MLVM_SECTOR_SIZE) {
		mlvm_error(r, "cow_size", NULL, -1, "%s: too small for a snapshot exception store", what);
		return -EINVAL;
	}
	rc = read(ctx, hdr, sizeof(hdr), 0);
	if (rc) {
		mlvm_error(r, "cow_read", NULL, -1, "%s: cannot read the exception store header", what);
		return rc;
	}
	magic = mlvm_le32(hdr + MLVM_COW_MAGIC_OFF);
	valid = mlvm_le32(hdr + MLVM_COW_VALID_OFF);
	version = mlvm_le32(hdr + MLVM_COW_VERSION_OFF);
	cs = mlvm_le32(hdr + MLVM_COW_CHUNK_SIZE_OFF);
	if (magic == 0) {
		/*
		 * dm-snapshot (read_header) takes a zero magic for a new store:
		 * no exceptions, the snapshot reads as its origin. The rest of
		 * the store is not looked at, as the kernel does not.
		 */
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->empty = true;
		*out = c;
		return 0;
	}
	if (magic != SNAP_MAGIC) {
		mlvm_error(r, "cow_magic", NULL, -1,
			   "%s: no snapshot exception store (magic 0x%08x, expected 0x%08x)",
			   what, magic, SNAP_MAGIC);
		return -EINVAL;
	}
	if (version != SNAP_VERSION) {
		mlvm_error(r, "cow_version", NULL, -1,
			   "%s: exception store version %u, only %u is known", what, version, SNAP_VERSION);
		return -EINVAL;
	}
	if (!cs || (cs & (cs - 1))) {
		mlvm_error(r, "cow_chunk_size", NULL, -1,
			   "%s: chunk size %u sectors is not a power of two", what, cs);
		return -EINVAL;
	}
	cb = (uint64_t)cs * MLVM_SECTOR_SIZE;
	if (cb > cow_size) {
		mlvm_error(r, "cow_chunk_size", NULL, -1,
			   "%s: chunk size %u sectors exceeds the store", what, cs);
		return -EINVAL;
	}
	if (!valid)
		mlvm_warn(r, "cow_invalid", NULL, -1,
			  "%s: the snapshot was marked invalid (it overflowed or failed): its data may be incomplete",
			  what);

	c = calloc(1, sizeof(*c));
	piece = malloc(cb < COW_PIECE ? (size_t)cb : COW_PIECE);
	if (!c || !piece) {
		free(c);
		free(piece);
		return -ENOMEM;
	}
	c->chunk_sectors = cs;
	total = cow_size / cb;
	epa = cb / MLVM_COW_EX_SIZE;
	for (area = 0; !done; area++) {
		uint64_t meta, off;

		/* meta = 1 + area * (epa + 1), checked */
		if (!mlvm_mul_ok(area, epa + 1, &meta) || !mlvm_add_ok(meta, 1, &meta) || meta >= total) {
			mlvm_notice(r, "cow_end", NULL, -1,
				    "%s: the exception store fills the cow lv (%llu %s)",
				    what, (unsigned long long)c->n,
				    mlvm_plural(c->n, "exception", "exceptions"));
			break;
		}
		off = meta * cb;
		for (i = 0; !done && i < cb; i += COW_PIECE) {
			size_t plen = cb - i < COW_PIECE ? (size_t)(cb - i) : COW_PIECE;

			rc = read(ctx, piece, plen, off + i);
			if (rc) {
				mlvm_warn(r, "cow_read", NULL, -1,
					  "%s: cannot read exception area %llu: later exceptions are lost",
					  what, (unsigned long long)area);
				done = true;
				break;
			}
			for (j = 0; j + MLVM_COW_EX_SIZE <= plen; j += MLVM_COW_EX_SIZE) {
				uint64_t old_chunk = mlvm_le64(piece + j + MLVM_COW_EX_OLD_OFF);
				uint64_t new_chunk = mlvm_le64(piece + j + MLVM_COW_EX_NEW_OFF);
				uint64_t rel;

				if (new_chunk == 0) {
					done = true;
					break;
				}
				/* a data chunk of the store: not the header, not an area's metadata */
				rel = new_chunk >= 1 ? (new_chunk - 1) % (epa + 1) : 0;
				if (new_chunk >= total || rel == 0) {
					if (reports++ < COW_MAX_REPORTS)
						mlvm_warn(r, "cow_exception", NULL, -1,
							  "%s: exception for chunk %llu points at chunk %llu, "
							  "outside the store's data chunks: ignored",
							  what, (unsigned long long)old_chunk,
							  (unsigned long long)new_chunk);
					continue;
				}
				rc = ex_push(c, &cap, old_chunk, new_chunk);
				if (rc) {
					free(piece);
					mlvm_cow_close(c);
					return rc;
				}
			}
		}
	}
	free(piece);
	if (c->n) {
		size_t k = 0;

		qsort(c->ex, c->n, sizeof(*c->ex), cmp_ex);
		/* keep the last exception of each origin chunk */
		for (i = 0; i < c->n; i++) {
			if (i + 1 < c->n && c->ex[i + 1].old_chunk == c->ex[i].old_chunk)
				continue;
			c->ex[k++] = c->ex[i];
		}
		c->n = k;
	}
	*out = c;
	return 0;
}

uint32_t mlvm_cow_chunk_sectors(const struct mlvm_cow *c)
{
	return c->chunk_sectors;
}

bool mlvm_cow_is_empty(const struct mlvm_cow *c)
{
	return c->empty;
}

int mlvm_cow_lookup(const struct mlvm_cow *c, uint64_t old_chunk, uint64_t *cow_chunk)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->ex[mid].old_chunk < old_chunk)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n && c->ex[lo].old_chunk == old_chunk) {
		*cow_chunk = c->ex[lo].new_chunk;
		return 0;
	}
	return -ENOENT;
}

void mlvm_cow_close(struct mlvm_cow *c)
{
	if (!c)
		return;
	free(c->ex);
	free(c);
}
