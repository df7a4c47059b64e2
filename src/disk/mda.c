/*
 * mda.c - metadata area headers and reading copies out of the ring.
 */
#include "disk/mda.h"
#include "disk/crc.h"
#include "base/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* bytes read at a time by mlvm_ring_crc: under malloc's mmap threshold, so
 * the buffer is heap memory used again, not pages mapped and faulted anew
 * for each copy checked */
#define RING_CHUNK (64u << 10)

static void parse_raw_locn(const uint8_t *p, struct mlvm_raw_locn *rl)
{
	rl->offset = mlvm_le64(p + MLVM_RAW_LOCN_OFFSET_OFF);
	rl->size = mlvm_le64(p + MLVM_RAW_LOCN_SIZE_OFF);
	rl->checksum = mlvm_le32(p + MLVM_RAW_LOCN_CHECKSUM_OFF);
	rl->flags = mlvm_le32(p + MLVM_RAW_LOCN_FLAGS_OFF);
}

void mlvm_mda_header_parse(const uint8_t *buf, uint64_t where,
			   struct mlvm_mda_header *h)
{
	memset(h, 0, sizeof(*h));
	h->crc_stored = mlvm_le32(buf + MLVM_MDA_CRC_OFF);
	h->crc_computed = mlvm_crc(MLVM_CRC_INITIAL, buf + MLVM_MDA_CRC_START,
				   MLVM_MDA_HEADER_SIZE - MLVM_MDA_CRC_START);
	h->crc_ok = h->crc_stored == h->crc_computed;
	memcpy(h->magic, buf + MLVM_MDA_MAGIC_OFF, MLVM_MDA_MAGIC_LEN);
	h->magic[MLVM_MDA_MAGIC_LEN] = '\0';
	h->magic_ok = !memcmp(buf + MLVM_MDA_MAGIC_OFF, MLVM_MDA_MAGIC, MLVM_MDA_MAGIC_LEN);
	h->journalled = !memcmp(buf + MLVM_MDA_MAGIC_OFF, MLVM_MDA_MAGIC_JOURNALLED,
				MLVM_MDA_MAGIC_LEN);
	h->version = mlvm_le32(buf + MLVM_MDA_VERSION_OFF);
	h->version_ok = h->version == MLVM_MDA_VERSION;
	h->start = mlvm_le64(buf + MLVM_MDA_START_OFF);
	h->start_ok = h->start == where;
	h->size = mlvm_le64(buf + MLVM_MDA_SIZE_OFF);
	h->size_ok = h->size >= 2 * MLVM_MDA_HEADER_SIZE;
	parse_raw_locn(buf + MLVM_MDA_RAW_LOCN_OFF, &h->rl[0]);
	parse_raw_locn(buf + MLVM_MDA_RAW_LOCN_OFF + MLVM_RAW_LOCN_SIZE, &h->rl[1]);
}

bool mlvm_mda_header_ok(const struct mlvm_mda_header *h)
{
	return h->crc_ok && h->magic_ok && h->version_ok && h->start_ok && h->size_ok;
}

int mlvm_ring_check(const struct mlvm_ring_span *sp, uint64_t source_size,
		    const char **why)
{
	const char *dummy;
	uint64_t text;

	if (!why)
		why = &dummy;
	if (sp->area_size < 2 * MLVM_MDA_HEADER_SIZE) {
		*why = "metadata area smaller than 1024 bytes";
		return -ERANGE;
	}
	if (!mlvm_range_ok(source_size, sp->area_abs, sp->area_size)) {
		*why = "metadata area extends past the end of the image";
		return -ERANGE;
	}
	text = sp->area_size - MLVM_MDA_HEADER_SIZE;
	if (sp->off < MLVM_MDA_HEADER_SIZE || sp->off >= sp->area_size) {
		*why = "text offset outside the metadata area";
		return -ERANGE;
	}
	if (sp->size == 0) {
		*why = "text size is zero";
		return -ERANGE;
	}
	if (sp->size > text) {
		*why = "text size larger than the metadata area";
		return -ERANGE;
	}
	return 0;
}

bool mlvm_ring_wraps(const struct mlvm_ring_span *sp)
{
	return sp->size > sp->area_size - sp->off;
}

/*
 * Call fn on each contiguous piece of the copy, in order, at most chunk
 * bytes at a time. The span must have passed mlvm_ring_check.
 */
static int ring_pieces(const struct mlvm_ring_span *sp,
		       int (*fn)(void *ctx, uint64_t abs, uint64_t len), void *ctx)
{
	uint64_t first = sp->area_size - sp->off;
	int rc;

	if (first > sp->size)
		first = sp->size;
	rc = fn(ctx, sp->area_abs + sp->off, first);
	if (rc || first == sp->size)
		return rc;
	return fn(ctx, sp->area_abs + MLVM_MDA_HEADER_SIZE, sp->size - first);
}

struct read_ctx {
	struct mlvm_source *s;
	char *buf;
	size_t pos;
};

static int read_piece(void *ctx, uint64_t abs, uint64_t len)
{
	struct read_ctx *c = ctx;
	int rc = mlvm_source_read(c->s, c->buf + c->pos, (size_t)len, abs);

	c->pos += (size_t)len;
	return rc;
}

int mlvm_ring_read(struct mlvm_source *s, const struct mlvm_ring_span *sp, char **out)
{
	struct read_ctx c = { .s = s };
	int rc;

	*out = NULL;
	rc = mlvm_ring_check(sp, s->size, NULL);
	if (rc)
		return rc;
	if (sp->size >= SIZE_MAX)
		return -E2BIG;
	c.buf = mlvm_alloc_huge((size_t)sp->size + 1);
	if (!c.buf)
		return -ENOMEM;
	mlvm_prefault(c.buf, (size_t)sp->size + 1);
	rc = ring_pieces(sp, read_piece, &c);
	if (rc) {
		free(c.buf);
		return rc;
	}
	c.buf[sp->size] = '\0';
	*out = c.buf;
	return 0;
}

/* a copy's bytes [from, to) (offsets in the copy, across the wrap), read
 * RING_CHUNK at a time into buf, their CRC chained from crc */
struct crc_run {
	struct mlvm_source *s;
	const struct mlvm_ring_span *sp;
	uint64_t from, to;
	uint32_t crc;
	int rc;
};

static void *crc_run(void *arg)
{
	struct crc_run *c = arg;
	uint64_t first = c->sp->area_size - c->sp->off;	/* bytes before the wrap */
	uint64_t x = c->from;
	uint8_t *buf = malloc(RING_CHUNK);

	if (!buf) {
		c->rc = -ENOMEM;
		return NULL;
	}
	while (x < c->to && !c->rc) {
		uint64_t stop = x < first && first < c->to ? first : c->to;
		size_t n = stop - x > RING_CHUNK ? RING_CHUNK : (size_t)(stop - x);
		uint64_t abs = x < first ? c->sp->area_abs + c->sp->off + x :
			       c->sp->area_abs + MLVM_MDA_HEADER_SIZE + (x - first);

		c->rc = mlvm_source_read(c->s, buf, n, abs);
		if (!c->rc)
			c->crc = mlvm_crc(c->crc, buf, n);
		x += n;
	}
	free(buf);
	return NULL;
}

/* from this many bytes, a copy's CRC is computed in two halves at once
 * (up to 1 GiB: a hostile span larger than that is read on one thread) */
#define CRC_SPLIT_MIN (4u << 20)
#define CRC_SPLIT_MAX (1ull << 30)

int mlvm_ring_crc(struct mlvm_source *s, const struct mlvm_ring_span *sp, uint32_t *crc)
{
	struct crc_run a = { .s = s, .sp = sp, .to = sp->size, .crc = MLVM_CRC_INITIAL };
	struct crc_run b;
	pthread_t th;
	int rc;

	rc = mlvm_ring_check(sp, s->size, NULL);
	if (rc)
		return rc;
	if (sp->size >= CRC_SPLIT_MIN && sp->size <= CRC_SPLIT_MAX && s->concurrent &&
	    mlvm_io_threads(2) >= 2) {
		/* the second half on another thread, begun at MLVM_CRC_PART */
		a.to = sp->size / 2;
		b = (struct crc_run){ .s = s, .sp = sp, .from = a.to, .to = sp->size,
				      .crc = MLVM_CRC_PART };
		if (mlvm_thread_create(&th, crc_run, &b) == 0) {
			crc_run(&a);
			pthread_join(th, NULL);
		} else {
			crc_run(&a);
			crc_run(&b);
		}
		/* the first error in the copy's order, as on one thread */
		if (a.rc || b.rc)
			return a.rc ? a.rc : b.rc;
		*crc = mlvm_crc_join(a.crc, b.crc, b.to - b.from);
		return 0;
	}
	crc_run(&a);
	if (!a.rc)
		*crc = a.crc;
	return a.rc;
}
