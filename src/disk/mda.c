/*
 * mda.c - metadata area headers and reading copies out of the ring.
 */
#include "disk/mda.h"
#include "disk/crc.h"
#include "base/util.h"

#include <errno.h>
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
 * A copy's bytes [from, to) (offsets in the copy, across the wrap): read
 * into buf + from, its pages mapped first (with crc_too, READ_CRC_CHUNK at
 * a time, each chunk's CRC chained from crc while it is in the cache);
 * or, with buf NULL, read RING_CHUNK at a time into a buffer of its own
 * and their CRC chained from crc. The span must have passed
 * mlvm_ring_check.
 */
struct ring_run {
	struct mlvm_source *s;
	const struct mlvm_ring_span *sp;
	char *buf;
	bool crc_too;
	uint64_t from, to;
	uint32_t crc;
	int rc;
};

/* read and checked at a time by mlvm_ring_read_crc: within a core's cache */
#define READ_CRC_CHUNK (256u << 10)

static void *ring_run(void *arg)
{
	struct ring_run *c = arg;
	uint64_t first = c->sp->area_size - c->sp->off;	/* bytes before the wrap */
	uint64_t x = c->from;
	uint8_t *chunk = NULL;

	if (c->buf)
		mlvm_prefault(c->buf + c->from, (size_t)(c->to - c->from));
	else if (!(chunk = malloc(RING_CHUNK))) {
		c->rc = -ENOMEM;
		return NULL;
	}
	while (x < c->to && !c->rc) {
		uint64_t stop = x < first && first < c->to ? first : c->to;
		uint64_t abs = x < first ? c->sp->area_abs + c->sp->off + x :
			       c->sp->area_abs + MLVM_MDA_HEADER_SIZE + (x - first);
		size_t n;

		if (c->buf) {
			n = (size_t)(stop - x);
			if (c->crc_too && n > READ_CRC_CHUNK)
				n = READ_CRC_CHUNK;
			c->rc = mlvm_source_read(c->s, c->buf + x, n, abs);
			if (!c->rc && c->crc_too)
				c->crc = mlvm_crc(c->crc, c->buf + x, n);
		} else {
			n = stop - x > RING_CHUNK ? RING_CHUNK : (size_t)(stop - x);
			c->rc = mlvm_source_read(c->s, chunk, n, abs);
			if (!c->rc)
				c->crc = mlvm_crc(c->crc, chunk, n);
		}
		x += n;
	}
	free(chunk);
	return NULL;
}

/* from this many bytes, a copy is read, or its CRC computed, in two halves
 * at once (up to 1 GiB: a hostile span larger than that, on one thread) */
#define RING_SPLIT_MIN (4u << 20)
#define RING_SPLIT_MAX (1ull << 30)

/*
 * The whole copy through ring_run (r[0] holds s, sp and buf), the CRC
 * begun at crc0: in two halves on two threads when the copy is large and
 * the image may be read so (source->concurrent, MLVM_IO_THREADS), the
 * second begun at MLVM_CRC_PART and joined (mlvm_crc_join). r[0].crc is
 * the copy's CRC then; the error is the first in the copy's order.
 */
static int ring_runs(struct ring_run r[2], uint32_t crc0)
{
	const struct mlvm_ring_span *sp = r[0].sp;

	r[0].from = 0;
	r[0].to = sp->size;
	r[0].crc = crc0;
	if (sp->size < RING_SPLIT_MIN || sp->size > RING_SPLIT_MAX || !r[0].s->concurrent ||
	    mlvm_io_threads(2) < 2) {
		ring_run(&r[0]);
		return r[0].rc;
	}
	r[1] = r[0];
	r[0].to = r[1].from = sp->size / 2;
	r[1].crc = MLVM_CRC_PART;
	mlvm_run_pair(ring_run, &r[0], &r[1]);
	if (r[0].rc || r[1].rc)
		return r[0].rc ? r[0].rc : r[1].rc;
	if (!r[0].buf || r[0].crc_too)	/* a CRC was computed */
		r[0].crc = mlvm_crc_join(r[0].crc, r[1].crc, r[1].to - r[1].from);
	return 0;
}

/* mlvm_ring_read, and the CRC too when crc is not NULL */
static int ring_read(struct mlvm_source *s, const struct mlvm_ring_span *sp, char **out,
		     uint32_t *crc)
{
	struct ring_run r[2] = { { .s = s, .sp = sp, .crc_too = crc != NULL } };
	int rc;

	*out = NULL;
	rc = mlvm_ring_check(sp, s->size, NULL);
	if (rc)
		return rc;
	if (sp->size >= SIZE_MAX)
		return -E2BIG;
	r[0].buf = mlvm_alloc_huge((size_t)sp->size + 1);
	if (!r[0].buf)
		return -ENOMEM;
	rc = ring_runs(r, MLVM_CRC_INITIAL);
	if (rc) {
		free(r[0].buf);
		return rc;
	}
	r[0].buf[sp->size] = '\0';
	*out = r[0].buf;
	if (crc)
		*crc = r[0].crc;
	return 0;
}

int mlvm_ring_read(struct mlvm_source *s, const struct mlvm_ring_span *sp, char **out)
{
	return ring_read(s, sp, out, NULL);
}

int mlvm_ring_read_crc(struct mlvm_source *s, const struct mlvm_ring_span *sp, char **out,
		       uint32_t *crc)
{
	return ring_read(s, sp, out, crc);
}

int mlvm_ring_crc(struct mlvm_source *s, const struct mlvm_ring_span *sp, uint32_t *crc)
{
	struct ring_run r[2] = { { .s = s, .sp = sp } };
	int rc;

	rc = mlvm_ring_check(sp, s->size, NULL);
	if (rc)
		return rc;
	rc = ring_runs(r, MLVM_CRC_INITIAL);
	if (!rc)
		*crc = r[0].crc;
	return rc;
}
