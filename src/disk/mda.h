/*
 * mda.h - metadata area header and the circular text buffer.
 *
 * Header (512 bytes at the start of the area; its layout, with the
 * named offsets the code uses, is disk/layout.h's):
 *   0 crc of 4..511   4 magic " LVM2 x[5A%r0N*>"   20 version (1)
 *   24 start (absolute byte offset of this header)   32 size (whole area)
 *   40 raw_locn[0] committed   64 raw_locn[1] precommitted   88 terminator
 *   raw_locn = {offset u64 (relative to area start), size u64 (incl. NUL),
 *               checksum u32, flags u32 (bit 1 = ignored)}
 * Text lives in [start+512, start+size) and wraps back to start+512.
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_MDA_H
#define MLVM_MDA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/report.h"
#include "disk/layout.h"
#include "io/source.h"


struct mlvm_raw_locn {
	uint64_t offset;	/* relative to the area start */
	uint64_t size;		/* bytes including the trailing NUL */
	uint32_t checksum;
	uint32_t flags;
};

struct mlvm_mda_header {
	uint32_t crc_stored;
	uint32_t crc_computed;
	char magic[17];
	uint32_t version;
	uint64_t start;
	uint64_t size;
	struct mlvm_raw_locn rl[2];	/* [0] committed, [1] precommitted */
	bool crc_ok;
	bool magic_ok;
	bool journalled;		/* magic is the xenvm journalled one */
	bool version_ok;
	bool start_ok;			/* start equals where it was read */
	bool size_ok;			/* >= 1024 and inside the image */
};

/* Parse a header sector that was read at absolute offset where (relative to
 * the PV start); checks are recorded, not enforced. */
void mlvm_mda_header_parse(const uint8_t *buf, uint64_t where,
			   struct mlvm_mda_header *out);

/* true when LVM2 would accept this header */
bool mlvm_mda_header_ok(const struct mlvm_mda_header *h);

/*
 * A place in the ring: area at absolute image offset area_abs, area_size
 * bytes; a copy at relative offset off of size bytes.
 */
struct mlvm_ring_span {
	uint64_t area_abs;
	uint64_t area_size;
	uint64_t off;
	uint64_t size;
};

/* Validate a span: off inside the text part, size >= 1 and no larger than
 * the text part, and the area inside the source. 0 or -ERANGE with a reason
 * in why (may be NULL). */
int mlvm_ring_check(const struct mlvm_ring_span *sp, uint64_t source_size,
		    const char **why);

/* true when the copy runs past the end of the area and continues at +512 */
bool mlvm_ring_wraps(const struct mlvm_ring_span *sp);

/*
 * Read a copy into a new buffer of size+1 bytes (NUL-terminated), following
 * the wrap. 0 or a negative errno; *out is malloc'd.
 */
int mlvm_ring_read(struct mlvm_source *s, const struct mlvm_ring_span *sp, char **out);

/* CRC of a copy, read in bounded chunks (nothing kept in memory). */
int mlvm_ring_crc(struct mlvm_source *s, const struct mlvm_ring_span *sp, uint32_t *crc);

/* Both at once: the copy read as mlvm_ring_read reads it and its CRC,
 * each piece checked while it is in the cache. */
int mlvm_ring_read_crc(struct mlvm_source *s, const struct mlvm_ring_span *sp, char **out,
		       uint32_t *crc);

#endif
