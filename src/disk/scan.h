/*
 * scan.h - the fast whole-image scan behind `mlvm scan`: every 512-byte
 * sector of an image (at absolute offsets that are multiples of 512) is
 * checked for the start of an LVM2 structure, so PVs are found inside
 * partitions, at odd sector offsets and after a damaged partition table.
 *
 * Only a sector's first bytes are looked at, with 8-byte word compares:
 *
 *   kind                     what is at the sector start
 *   MLVM_HIT_LABEL           "LABELONE" at +0, or the type "LVM2 001" or
 *                            "JOUR 001" at +24 under any id (LVM2 takes such
 *                            a sector; mlvm_label_parse does too)
 *   MLVM_HIT_LABEL_SHIFTED   "MBCFMPOF" at +0 and "MWN3!112" or "KPVS!112" at
 *                            +24: a label with every byte +1, as
 *                            mirage-block-volume "wipes" a PV (the same rule
 *                            as mlvm_label_parse; "MBCFMPOF" with an unshifted
 *                            "LVM2 001" is an ordinary MLVM_HIT_LABEL)
 *   MLVM_HIT_MDA             metadata area header magic " LVM2 x[5A%r0N*>"
 *                            at +4
 *   MLVM_HIT_MDA_JOURNALLED  "JOURNALLED!1!1!!" at +4 (xenvm/mirage)
 *   MLVM_HIT_MDA_SHIFTED     either magic with every byte +1 at +4
 *   MLVM_HIT_TEXT            (only with opts.text) a metadata text start:
 *                            line 1 is `<name> {` and line 2 starts `id = "`
 *
 * Nothing else is checked (no CRC, no sector field, no version): a hit is a
 * place worth parsing, and the caller parses it with label.h / mda.h /
 * carve.h, which record the damage. A sector can give more than one hit
 * (e.g. an mda magic at +4 and a label type at +24); they are then listed
 * in the order of the enum.
 *
 * Text starts. Line 1: a name of 1..127 characters from [A-Za-z0-9._+-],
 * not starting with '-' and not "." or "..", then optional blanks (spaces,
 * tabs), '{', optional blanks and '\n'. Line 2: optional blanks, "id",
 * optional blanks, '=', optional blanks, '"'. Both lines must lie inside the
 * sector. A non-name first byte (a zeroed or binary sector) rejects the
 * sector after one table look-up. This is the pvck metadata_search rule
 * without its `seqno = N` line, so a PV or LV section of an older or
 * current copy, e.g. "lv1 {\n\t\t\tid = \"...", that happens to begin
 * exactly at a sector start is reported as well: such a hit looks like a
 * VG start and only a parse tells them apart. Text that does not begin at
 * a sector start is never reported.
 *
 * Partial sectors. Where the range (or the image) ends inside a sector, that
 * sector is checked with the bytes it has: a check needing bytes past the
 * end fails, so nothing is read past the range.
 *
 * Hits come in offset order. The scan stops at max_hits: when a further hit
 * is found, it is not stored, *truncated is set and the scan ends.
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_SCAN_H
#define MLVM_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/source.h"

/* bytes mlvm_scan_source reads at a time (a multiple of 512) */
#define MLVM_SCAN_CHUNK (2u << 20)
/* max_hits when the options give 0 */
#define MLVM_SCAN_MAX_HITS_DEFAULT ((size_t)1 << 20)

enum mlvm_hit_kind {
	MLVM_HIT_LABEL,
	MLVM_HIT_LABEL_SHIFTED,
	MLVM_HIT_MDA,
	MLVM_HIT_MDA_JOURNALLED,
	MLVM_HIT_MDA_SHIFTED,
	MLVM_HIT_TEXT,
};

struct mlvm_hit {
	enum mlvm_hit_kind kind;
	uint64_t offset;	/* absolute byte offset of the sector */
};

struct mlvm_scan_opts {
	uint64_t start;		/* bytes; scanning begins at the first sector
				 * boundary at or after start */
	uint64_t end;		/* bytes, exclusive; 0 = the end of the image */
	bool text;		/* also look for metadata text starts */
	size_t max_hits;	/* 0 = MLVM_SCAN_MAX_HITS_DEFAULT */
	/* mlvm_scan_source only, may be NULL: called with every piece it
	 * reads, in offset order, so another search can share the read (the
	 * --deep text carver); a negative return stops the scan with it.
	 * slot: the read-ahead slot the piece was in (io/readahead.h) */
	int (*piece)(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t base);
	/* mlvm_scan_source only, may be NULL: called first with every piece,
	 * on the reader threads (several at once, in any order), with the same
	 * slot: the part of piece's work that can be done there (the carver's
	 * search), kept per slot for piece */
	void (*piece_work)(void *ctx, unsigned slot, const uint8_t *buf, size_t len,
			   uint64_t base);
	void *piece_ctx;
};

/* A short stable name for a kind: "label", "label_shifted", "mda",
 * "mda_journalled", "mda_shifted", "text" ("?" for anything else). */
const char *mlvm_hit_kind_name(enum mlvm_hit_kind kind);

/*
 * Scan [o->start, o->end) of s sector by sector (o may be NULL: the whole
 * image, no text, the default bound). The range is clamped to the image.
 * Reads MLVM_SCAN_CHUNK bytes at a time with mlvm_source_read. The pieces
 * are read and searched on reader threads (io/readahead.h: as many as
 * MLVM_IO_THREADS or the cores, at most MLVM_READAHEAD_MAX_READERS, into
 * two more buffers than readers) and their hits joined here in offset
 * order; MLVM_IO_THREADS=0 or one core: one buffer, read and searched in
 * the caller's thread. The hits, the pieces and the errors are the same
 * either way; memory is the buffers plus the hits.
 *
 * On success returns 0, *hits is a malloc'd array of *n hits in offset order
 * (NULL when *n is 0; free() it) and *truncated tells whether max_hits cut
 * the scan short. On failure returns a negative errno (-EINVAL for bad
 * arguments, -ENOMEM, or the read error) with *hits NULL and *n 0.
 */
int mlvm_scan_source(struct mlvm_source *s, const struct mlvm_scan_opts *o,
		     struct mlvm_hit **hits, size_t *n, bool *truncated);

/*
 * The same over memory, with no I/O (tests, fuzzers, a caller with its own
 * reader): buf[0] lies at absolute offset base, and sectors are those at
 * absolute multiples of 512 inside [base, base+len) and [o->start, o->end)
 * (end 0 = no limit). Hits are appended to the growable array *hits of *n
 * entries and capacity *cap (start with NULL, 0, 0), so successive buffers
 * of one image can be scanned into the same array; max_hits counts all of
 * *n. Returns 0, -EINVAL or -ENOMEM (hits found so far are kept, the array
 * stays the caller's to free). *truncated is set to true when a hit had to
 * be dropped because of max_hits (and is left alone otherwise); the scan
 * then stops.
 */
int mlvm_scan_buffer(const uint8_t *buf, size_t len, uint64_t base,
		     const struct mlvm_scan_opts *o, struct mlvm_hit **hits,
		     size_t *n, size_t *cap, bool *truncated);

#endif
