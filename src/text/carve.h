/*
 * carve.h - list every metadata generation still present in one metadata
 * area, including fragments of copies whose first sectors were overwritten.
 *
 * The engine behind `mlvm history`. It works on a buffer holding the whole
 * area (mlvm_carve_area, no I/O) or reads one from a source first
 * (mlvm_carve_source).
 *
 * How an area is carved (one linear pass; the ring is [512, area_size) and
 * wraps back to +512):
 *  1. Starts. At each 512-byte boundary from +512 a copy is recognised as
 *     pvck does: line 1 `<vgname> {` (name chars [A-Za-z0-9._+-], < 128),
 *     line 2 `id = "...`, line 3 `seqno = N` (spaces and tabs tolerated
 *     around the tokens). Only the first few hundred bytes of a sector are
 *     looked at. A raw_locn of the header whose offset is 512-aligned and
 *     inside the text but where no copy was recognised (its first lines are
 *     damaged) is taken as a start too.
 *  2. Copies. Each start owns the ring up to the next start (in ring order,
 *     the last one wrapping to the first). The copy is read to its first
 *     NUL inside that stretch; if the stretch ends first (the text runs
 *     into another copy's start) the copy is truncated: complete = false.
 *  3. Fragments. After a copy's NUL, zero bytes are skipped; every run of
 *     bytes up to the next NUL (or the next start) is a fragment of an
 *     older copy whose beginning was overwritten. A run is listed when it
 *     looks like metadata text (a "key = value" and a newline, at most one
 *     control byte in 64); fragment = true, complete = false. If the area
 *     holds no recognised start at all, the whole ring is scanned this way,
 *     beginning after its first NUL.
 *  Each generation's fields come from a light scan of its text, never a
 *  search of the whole area: vg_name, vg_id, seqno from its first lines
 *  (for a fragment only if it still holds an `id = "..."` line directly
 *  followed by `seqno = N`, which only the VG section has); description,
 *  creation_host and creation_time from the top-level lines that follow
 *  the last `contents = "Text Format Volume Group"` line (the trailer every
 *  copy ends with, so fragments, which are tails, usually keep it).
 *
 * parse_ok: true when the copy ran to its NUL, its text is accepted by a
 * syntax check that follows cfg_parse's grammar and limits exactly (the
 * config.h grammar, MLVM_CFG_MAX_DEPTH/_NODES/_TEXT, the integer and float
 * rules) without building a tree or copying the text, and it is a VG text:
 * a top-level section named vg_name (any section when the name was not
 * recovered) and a first top-level `contents` equal to the string
 * "Text Format Volume Group". The unit tests compare this check with
 * cfg_parse on damaged copies. Truncated copies and fragments always have
 * parse_ok = false. mlvm_carve_parse() runs the real parser on one
 * generation (for read/dump --generation). Copies that fail the check, or
 * whose name/id/seqno the header scan missed, are parsed with
 * cfg_parse_lenient (one text copy each) to fill name, id and seqno.
 * Why not cfg_parse every copy: over a 64 MiB area of ~36000 copies that
 * alone took ~170 ms, against ~1.1 s for pvck --dump metadata_search.
 *
 * complete: started at a recognised start, ran to its NUL, and the VG
 * section (line 1's '{') closed: the parse succeeded, or, for a text that
 * does not parse, a quote- and comment-aware brace count returned to 0.
 *
 * Bounds: at most one generation per 512-byte sector of the area (the
 * sector holding its first recovered byte); memory is the results array
 * plus, for a copy that wraps or is parsed, one copy of its text.
 *
 * Layer: text (src/text). May include: base, io, disk.
 */
#ifndef MLVM_CARVE_H
#define MLVM_CARVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk/mda.h"
#include "base/report.h"
#include "io/source.h"

/* largest area mlvm_carve_source reads */
#define MLVM_CARVE_MAX_AREA (256u << 20)

struct mlvm_generation {
	char vg_name[128];	/* "" when not recovered */
	char vg_id[40];		/* as written (6-4-4-4-4-4-6), "" when not recovered */
	uint64_t seqno;
	bool seqno_known;
	uint64_t offset;	/* relative to the area start: the first recovered byte */
	uint64_t size;		/* bytes recovered, including the NUL when found */
	bool complete;		/* ran to its NUL and the VG section closed */
	bool wrapped;		/* runs past the area end and continues at +512 */
	bool fragment;		/* its beginning was overwritten: found by its tail */
	bool nul_found;		/* the recovered bytes end with the text's NUL */
	int slot;		/* 0 committed (raw_locn[0] has this offset),
				 * 1 precommitted (raw_locn[1]), -1 neither */
	int checksum_ok;	/* 1/0 when slot >= 0 and its raw_locn checksum was
				 * compared (CRC over raw_locn.size bytes from
				 * offset, across the wrap); -1 otherwise */
	bool parse_ok;		/* see the top of this file */
	bool no_thin;		/* parse_ok, and no string value in the text is
				 * "thin" (no thin LV: mlvm_thin_removed_list
				 * need not read it); false when not known */
	char description[256];	/* top-level description, "" when not found; its
				 * first 255 bytes (mlvm_carve_description gives
				 * it whole from the copy's text) */
	bool description_cut;	/* the description was longer than that */
	uint64_t creation_time;	/* 0 when not found */
	char creation_host[128];
};

/*
 * Carve an area held in memory: buf holds area_size bytes, buf[0] is the
 * first byte of the mda header. hdr (may be NULL when the header is
 * damaged or unknown) supplies raw_locn for slot and checksum_ok; its own
 * size field is not used. image and area_abs only label report entries.
 *
 * On success returns 0 and sets *out to a malloc'd array of *n entries
 * (NULL when *n == 0), to be released with free(). Sorted by vg_id (""
 * first, so fragments whose VG is unknown lead), then generations with a
 * known seqno by seqno, those without by creation_time; ties by offset.
 * Returns -EINVAL for area_size < 1024 (with a report entry) or a NULL
 * argument, -ENOMEM on allocation failure; *out is then NULL.
 */
int mlvm_carve_area(const uint8_t *buf, size_t area_size,
		    const struct mlvm_mda_header *hdr,
		    struct mlvm_generation **out, size_t *n,
		    struct mlvm_report *r, const char *image, uint64_t area_abs);

/*
 * Carve the area [area_abs, area_abs + area_size) of s: a file's through
 * a read-only mapping, its ring read in 256 KiB windows by one thread per
 * 8 MiB (as many as processors); any other source's read whole in 1 MiB
 * chunks. An area larger than MLVM_CARVE_MAX_AREA or running past the
 * end of the source is cut to what fits (reported as a warning). The ring
 * does not wrap at the cut (the real one goes on past it): a copy crossing
 * the cut is truncated there and says so (carve_truncated: past the end of
 * the image, or past the bytes carved), and the bytes before the first copy
 * are carved as fragments of the ring's tail. Same results
 * and errors as mlvm_carve_area, plus -ERANGE when the area starts outside
 * the source and read errors.
 */
int mlvm_carve_source(struct mlvm_source *s, uint64_t area_abs, uint64_t area_size,
		      const struct mlvm_mda_header *hdr,
		      struct mlvm_generation **out, size_t *n,
		      struct mlvm_report *r);

/*
 * mlvm_carve_source with its reading spelt out, for tests that compare the
 * ways of reading (the results do not depend on them): a ring in a file is
 * read through windows of window bytes (0: through the mapping only), by
 * parts threads (0: by the ring's size and the processors, at most 8).
 */
int mlvm_carve_source_tuned(struct mlvm_source *s, uint64_t area_abs, uint64_t area_size,
			    const struct mlvm_mda_header *hdr, size_t window, unsigned parts,
			    struct mlvm_generation **out, size_t *n,
			    struct mlvm_report *r);

/*
 * The recovered text of one generation, reassembled across the wrap:
 * *text is malloc'd, g->size bytes plus a terminating NUL; *len is the
 * number of bytes before the first NUL (g->size - 1 for a copy whose NUL
 * was found). buf/area_size are what was given to mlvm_carve_area.
 * 0, -ERANGE when g does not fit the area, or -ENOMEM.
 */
int mlvm_carve_text(const uint8_t *buf, size_t area_size,
		    const struct mlvm_generation *g, char **text, size_t *len);

/*
 * The same, read from the image: the metadata area of area_size bytes
 * (what was carved, MLVM_CARVE_MAX_AREA at most) starts at byte area_abs
 * of s, and only g's bytes are read (one or two reads, across the wrap),
 * not the area. 0, -ERANGE, -ENOMEM, or the read's error.
 */
int mlvm_carve_text_read(struct mlvm_source *s, uint64_t area_abs, size_t area_size,
			 const struct mlvm_generation *g, char **text, size_t *len);

/*
 * Parse one generation with cfg_parse (strict): 0 and *tree (free with
 * cfg_free), or a negative errno with the syntax error added to r as
 * cfg_parse does (r may be NULL; image and where as cfg_parse takes them).
 */
struct cfg_tree;
int mlvm_carve_parse(const uint8_t *buf, size_t area_size,
		     const struct mlvm_generation *g, struct cfg_tree **tree,
		     struct mlvm_report *r, const char *image, int64_t where);

/*
 * The top-level description of a copy of metadata text, whole (struct
 * mlvm_generation keeps only its first 255 bytes, and a command line is
 * often longer): the string of the first line that starts
 * `description = "` at column 0 (LVM2 writes top-level keys unindented; no
 * section has that key), its escapes undone. 0 with a malloc'd *out, NULL
 * when there is none; -ENOMEM.
 */
int mlvm_carve_description(const char *text, size_t len, char **out);

/*
 * Fill g from one standalone copy of metadata text (a file, or text found
 * outside every metadata area), text[0..len) (NUL-terminated or not). Two
 * layouts, told apart by what comes first (comments and blank lines aside):
 *  - ring layout: the VG section (`name {`) first, then the trailer
 *    (`contents = "Text Format Volume Group"`, version, description,
 *    creation_host, creation_time), as in a metadata area or `mlvm dump`;
 *  - archive layout (vgcfgbackup, /etc/lvm/archive and /etc/lvm/backup):
 *    `# Generated by LVM2 ...` comments, the trailer's keys, then the VG
 *    section; *archive_format is then true (a contents line comes before
 *    the first `name {` line).
 * The same scans as a carved copy fill vg_name, vg_id, seqno (header lines,
 * else the lenient parse), description, creation_host, creation_time;
 * parse_ok is the syntax check of the top of this file over the whole
 * text; complete: parse_ok, or the VG section closes. offset 0, size len,
 * slot -1, checksum_ok -1, fragment/wrapped/nul_found false.
 * command (may be NULL): for a description `Created *before* executing
 * 'CMD'` (or *after*), CMD, malloc'd; NULL otherwise.
 * archive_format may be NULL. 0, -EINVAL (NULL text or g) or -ENOMEM.
 */
int mlvm_carve_copy(const char *text, size_t len, struct mlvm_generation *g,
		    bool *archive_format, char **command);

/*
 * The VG section of a standalone copy (either layout): from its `name {`
 * line to the '}' that closes it, as *off and *n; false when there is
 * none or it does not close. Two copies of one generation hold the same
 * VG section whatever their layout: a ring copy and the archive file of
 * that metadata differ in the trailer (description, creation_time) only.
 */
bool mlvm_carve_vg_section(const char *text, size_t len, size_t *off, size_t *n);

/*
 * Do two standalone copies hold the same VG section, token for token? LVM2
 * writes the VG section of an archive or backup file with indentation and
 * comments ("# 4 Megabytes") that it leaves out of a metadata area, so the
 * sections are compared as the tokenizer sees them (blanks and comments
 * aside, strings and values byte for byte). False when either has no VG
 * section that closes.
 */
bool mlvm_carve_same_vg(const char *a, size_t alen, const char *b, size_t blen);

#endif
