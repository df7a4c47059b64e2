/*
 * assemble.h - open a set of images, find their PVs and metadata, and
 * assemble the volume groups they hold.
 *
 * A PV is matched to the VG's text by its uuid, wherever it was found. The
 * copy of the metadata that wins is, as in LVM2, the highest seqno among the
 * copies whose header, checksum and text are good; copies that disagree are
 * reported. An absent PV is marked missing, not fatal.
 *
 * PV identity is decided on evidence, never on the order of the images:
 * - a uuid found in several images: the copy whose metadata areas hold the
 *   newest seqno of the VG supplies the PV (metadata and data); the others
 *   are listed (duplicate_pv). Copies that tie (and are not one file given
 *   twice) leave the PV ambiguous (pv_ambiguous): it is not used;
 * - a PV without a usable label (gone, or failing its checks) that holds
 *   the VG's metadata is tied to the VG's missing PV it alone can be: by its
 *   damaged label's uuid (a few characters off), by size, by elimination.
 *   Where several fit equally, all stay unused and pv_ambiguous names them;
 * - the user's --pv choices (opts.pv_choices) come first.
 * The result does not depend on the order the images were added in.
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_ASSEMBLE_H
#define MLVM_ASSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk/label.h"
#include "disk/mda.h"
#include "io/partition.h"
#include "base/report.h"
#include "io/source.h"
#include "model/loose.h"
#include "model/vg.h"

#define MLVM_MAX_MDAS 2		/* LVM2 uses at most two per PV */

struct mlvm_generation;

/* one metadata area of a PV and what its committed slot holds */
struct mlvm_mda_info {
	int index;			/* 1 or 2 */
	uint64_t abs;			/* absolute offset of the area (its header) in the image */
	uint64_t size;			/* area size, bytes (label's, else header's, else a guess) */
	bool header_read;
	bool header_ok;
	struct mlvm_mda_header hdr;
	bool ignored;			/* RAW_LOCN_IGNORED on the committed slot */
	bool has_text;			/* committed slot points at text */
	bool text_crc_ok;
	bool peek_ok;			/* VG name, id and seqno read from the text */
	bool load_failed;		/* the committed text did not parse */
	bool head_reported;		/* its missing name/id/seqno was reported */
	char vg_name[128];
	char vg_id[40];
	uint64_t seqno;
	/* generations carved from the ring (when asked for or needed) */
	bool carved;
	struct mlvm_generation *gens;
	size_t n_gens;
	/* the committed copy as the probe read it (mlvm_ring_keep_min), for
	 * load_cand to take; none is kept past the assembly pass */
	char *text;
};

/* From this many bytes (4 MiB), a committed copy is read whole by the
 * probe, its CRC checked as it is read, and kept for the load, instead of
 * read twice (once for the CRC, once to parse). For tests: 0 keeps every
 * copy, SIZE_MAX none. */
extern uint64_t mlvm_ring_keep_min;

enum mlvm_found_by {
	MLVM_FOUND_LABEL,		/* its label */
	MLVM_FOUND_MDA,			/* a metadata area header, the label being gone */
	MLVM_FOUND_TEXT,		/* metadata text in the ring, label and header gone */
};

/* a PV found in an image */
struct mlvm_pvdev {
	struct mlvm_source *src;	/* the image: data extents are read here */
	struct mlvm_source *meta;	/* label and metadata are read here: src,
					 * or a shifted view of it (mirage wipe) */
	uint64_t base;			/* PV start in the image, bytes */
	enum mlvm_found_by found_by;
	bool has_label;
	struct mlvm_label label;
	char uuid[33];			/* from the label, or worked out from the text */
	bool in_partition;
	struct mlvm_partition part;
	struct mlvm_mda_info mda[MLVM_MAX_MDAS];
	unsigned n_mda;
	int vg_index;			/* index in set->vgs, -1 when none */
	bool used;			/* its VG reads this PV's data from it (false
					 * for a duplicate not chosen or an ambiguous
					 * candidate, which keep vg_index) */
};

/*
 * The user's word on which image holds a PV (--pv PV=IMAGE): pv is a PV
 * uuid (with or without dashes) or its name in the VG's text ("pv0");
 * image is an image path as given to the set (or another path to the same
 * file). It settles what evidence cannot (duplicates, unlabelled PVs that
 * fit equally) and is reported as the reason.
 */
struct mlvm_pv_choice {
	const char *pv;
	const char *image;
};

/*
 * The user's word on which copy of a generation to read (--copy-at
 * IMAGE@BYTE): the copy that starts at byte offset of image (a path as
 * given to the set, or another path to the same file; a --metadata file's
 * path with offset 0). It settles copies of one seqno that disagree.
 */
struct mlvm_copy_choice {
	const char *image;
	uint64_t offset;
};

struct mlvm_open_opts {
	bool strict;			/* refuse damage as LVM2 would */
	bool deep;			/* scan every sector of every image for PVs */
	bool carve;			/* carve every metadata area for its generations */
	bool carve_anywhere;		/* also carve metadata text from every byte of every
					 * image, outside the metadata areas (model/deep.h) */
	bool want_generation;		/* assemble the VG as of generation seqno */
	uint64_t generation;
	const char *generation_vg;	/* a VG spec (vgspec.h), not copied: the
					 * generation is that of the VG answering to it
					 * (by any of its names), the other VGs are
					 * assembled as they are now (so that the host
					 * LV of a guest VG is there); NULL: every VG */
	const struct mlvm_copy_choice *copy_at;	/* --copy-at, not copied; only with
						 * want_generation */
	bool copy_at_lenient;		/* a copy_at that names a copy of another seqno of
					 * the VG is not for this generation (diff's two
					 * sides), rather than a copy_choice error */
	uint64_t nested_min_bytes;	/* nested discovery (map/nested.h) probes LVs of at
					 * least this many bytes; 0: MLVM_NESTED_MIN_BYTES */
	const struct mlvm_pv_choice *pv_choices;	/* --pv, not copied */
	size_t n_pv_choices;
};

struct mlvm_set {
	struct mlvm_source **srcs;
	size_t n_srcs;
	struct mlvm_source **views;	/* shifted views, owned */
	size_t n_views;
	struct mlvm_pvdev *devs;
	size_t n_devs;
	struct mlvm_vg **vgs;
	size_t n_vgs;
	struct mlvm_loose **loose;	/* copies found outside the metadata areas, owned */
	size_t n_loose;
	struct mlvm_partition_table *tables;	/* one per source probed */
	size_t n_probed;		/* sources probed by the rounds so far */
	struct mlvm_report report;
	struct mlvm_open_opts opts;
	void *deep;			/* model/deep.c: copies of metadata text the sector
					 * scan's read found (--deep), owned */
	bool copy_at_used;		/* opts.copy_at named the copy a VG was read from */
	bool copy_at_refused;		/* ... or was refused (copy_choice reported) */
};

/* An empty set. */
struct mlvm_set *mlvm_set_new(const struct mlvm_open_opts *opts);

/*
 * Open an image read-only and add it; 0 or a negative errno, reported in
 * set->report as an "open" error "cannot open PATH: REASON" (REASON:
 * mlvm_source_open()'s words) unless adding failed for want of memory.
 */
int mlvm_set_add_path(struct mlvm_set *set, const char *path);

/*
 * The words of the mlvm_set_add_path(set, path) that just failed with rc:
 * its "open" entry's message, else "cannot open PATH: strerror(-rc)"
 * written into buf (len bytes).
 */
const char *mlvm_set_open_message(const struct mlvm_set *set, const char *path, int rc,
				  char *buf, size_t len);

/* Add a source the set then owns. */
int mlvm_set_add_source(struct mlvm_set *set, struct mlvm_source *src);

/*
 * Find the PVs in every image and assemble the VGs. Returns the number of
 * VGs assembled (0 when none was found) or a negative errno.
 */
int mlvm_set_assemble(struct mlvm_set *set);

/*
 * mlvm_set_assemble() in two steps, so that sources found by assembling
 * (LVs that hold PVs, map/nested.h) can be added between rounds:
 * mlvm_set_assemble_more() probes the sources added since its last call
 * and assembles the VGs of the PVs found there (0 or a negative errno);
 * VGs assembled in earlier rounds stay as they are (pointers to them and to
 * set->devs entries stay valid: the VGs' are kept up to date), and nothing
 * said about them is said again. A PV found in a later round that is a copy
 * of a PV of a VG already assembled (or holds its metadata) is not merged
 * into it: a warning "nested_duplicate_pv" says so. Once no more sources
 * will be added, mlvm_set_assemble_finish() says what is left to say about
 * the whole set (--pv choices that fit nothing, VG names used twice, PVs
 * of no VG) and returns the number of VGs.
 */
int mlvm_set_assemble_more(struct mlvm_set *set);
int mlvm_set_assemble_finish(struct mlvm_set *set);

void mlvm_set_free(struct mlvm_set *set);

/* The device of the set that PV pv of one of its VGs was found on (same
 * image, same offset in it), or NULL (a missing PV). */
const struct mlvm_pvdev *mlvm_set_pv_dev(const struct mlvm_set *set, const struct mlvm_pv *pv);

/*
 * A metadata area's bytes held in memory: mapped when the source can map,
 * read otherwise; at most MLVM_CARVE_MAX_AREA bytes, and never past the end
 * of the image (a truncated image gives a shorter view). Open fills v (0,
 * -ERANGE when the area starts past the image's end, -ENOMEM, or a read
 * error); close releases it and zeroes v (safe on a zeroed v).
 */
struct mlvm_area_view {
	const uint8_t *buf;
	size_t size;
	void *cookie;		/* mapped */
	uint8_t *owned;		/* read */
};

int mlvm_area_view_open(const struct mlvm_pvdev *dev, const struct mlvm_mda_info *mda,
			struct mlvm_area_view *v);
void mlvm_area_view_close(struct mlvm_area_view *v);

/*
 * The text of one carved generation of dev's metadata area mda (malloc'd,
 * NUL-terminated; *len bytes before the NUL). The area is read again.
 */
int mlvm_set_generation_text(struct mlvm_set *set, const struct mlvm_pvdev *dev,
			     const struct mlvm_mda_info *mda,
			     const struct mlvm_generation *g, char **text, size_t *len);

/*
 * What state a carved generation is in, best first: ok (whole, checksum
 * right or not recorded, parses), bad-checksum, unparsable, incomplete (cut
 * short), fragment (a piece of text without its start). history and the
 * browser show these words.
 */
enum mlvm_gen_state {
	MLVM_GEN_OK,
	MLVM_GEN_BAD_CHECKSUM,
	MLVM_GEN_UNPARSABLE,
	MLVM_GEN_INCOMPLETE,
	MLVM_GEN_FRAGMENT,
	MLVM_GEN_N_STATES
};

enum mlvm_gen_state mlvm_generation_state(const struct mlvm_generation *g);
/* "ok", "bad-checksum", "unparsable", "incomplete", "fragment"; NULL past the end */
const char *mlvm_gen_state_name(enum mlvm_gen_state s);

/* one generation's copy and where it was found: a ring (dev, mda, loose
 * NULL) or outside the rings (loose, dev and mda NULL); g is the copy's */
struct mlvm_gen_ref {
	const struct mlvm_pvdev *dev;
	const struct mlvm_mda_info *mda;
	const struct mlvm_generation *g;
	const struct mlvm_loose *loose;
};

/*
 * Every generation carved from the set's metadata areas and every loose
 * copy (malloc'd array of *n, NULL when none; free()), sorted by VG id,
 * seqno (unknown first), then ring copies (by image name, PV offset, area
 * and offset in it) before copies carved elsewhere from an image (by image
 * name, offset) before files (by path): never by the order the images or
 * files were added in. 0 or -ENOMEM.
 */
int mlvm_set_generations(const struct mlvm_set *set, struct mlvm_gen_ref **out, size_t *n);

/* The copies of g's generation (the same VG id and known seqno) among
 * them, in the same order; none when g's VG id or seqno is unknown. */
int mlvm_set_copies_of(const struct mlvm_set *set, const struct mlvm_generation *g,
		       struct mlvm_gen_ref **out, size_t *n);

/*
 * The text of one copy listed by mlvm_set_generations (malloc'd,
 * NUL-terminated; *len bytes before the NUL): a ring copy is read again,
 * a loose one copied. 0 or a negative errno.
 */
int mlvm_gen_ref_text(struct mlvm_set *set, const struct mlvm_gen_ref *r, char **text, size_t *len);

/*
 * The copy's top-level description, whole: its first 255 bytes as carved,
 * or, when it was longer (g->description_cut), from the copy's text (read
 * again from its ring). 0 with a malloc'd *out (NULL when it has none), or
 * a negative errno (-ENOMEM; a ring that cannot be read again).
 */
int mlvm_gen_ref_description(struct mlvm_set *set, const struct mlvm_gen_ref *r, char **out);

/*
 * Which copies listed by mlvm_set_generations (r, n in that order) belong
 * to a generation whose intact copies disagree: the same VG id and seqno,
 * other VG sections (split brain, tampering, a write that failed half way).
 * conflict[i] is set for each intact copy (whole, parses, checksum not
 * bad) of such a generation, cleared otherwise. read --generation decides
 * between them (assemble.h's top; --copy-at). 0 or a negative errno.
 */
int mlvm_set_conflicts(struct mlvm_set *set, const struct mlvm_gen_ref *r, size_t n, bool *conflict);

/* The image a copy was found in (a --metadata file: its path as given)
 * and its absolute byte offset there (a file: 0). */
const char *mlvm_gen_ref_image(const struct mlvm_gen_ref *r);
uint64_t mlvm_gen_ref_offset(const struct mlvm_gen_ref *r);

/*
 * Where a copy was found, in words for messages, into buf (len bytes):
 * "pv0.img mda1 at byte 4608", "disk.img at byte N (in LV vg/root at byte
 * M, file /etc/lvm/archive/vg_00002-1.vg)", "--metadata vg.backup".
 * Returns buf.
 */
const char *mlvm_gen_ref_origin(const struct mlvm_gen_ref *r, char *buf, size_t len);

/*
 * Add a copy found outside the metadata areas: the set takes l's strings
 * (l itself is copied; on failure its strings are freed too). A copy with
 * the same VG id, seqno and VG section (mlvm_carve_same_vg: the same text
 * but for layout, blanks and comments) as another copy in the set (ring
 * or loose) is kept as another copy of that generation (duplicate, which
 * of them is decided by mlvm_set_generations' order, not by the order of
 * adding) and never becomes a candidate of its own. Ring generations are
 * those carved when it is decided (again at mlvm_set_assemble's end). Copies added
 * before mlvm_set_assemble are candidates for --generation (see the top
 * of assemble.c); 0 or -ENOMEM.
 */
int mlvm_set_add_loose(struct mlvm_set *set, struct mlvm_loose *l);

/*
 * Give dst (before its mlvm_set_assemble) a copy of every loose copy of
 * src: how a set opened again from the same images (another generation,
 * every generation carved) keeps the --metadata files and carved copies.
 * A copy carved from an image points at dst's image of the same name.
 * 0 or -ENOMEM.
 */
int mlvm_set_copy_loose(struct mlvm_set *dst, const struct mlvm_set *src);

/* Decide again which loose copies are duplicates (see mlvm_set_add_loose),
 * all of them (mlvm_set_add_loose decides for the copies of the added
 * copy's generation only); mlvm_set_assemble calls it. 0 or -ENOMEM. */
int mlvm_set_mark_duplicates(struct mlvm_set *set);

/*
 * --metadata PATH: read a file of metadata text (vgcfgbackup, archive,
 * `mlvm dump` output) read-only and add it as a loose copy (origin FILE).
 * A file larger than MLVM_CFG_MAX_TEXT is refused (-EFBIG); one that does
 * not parse as LVM2 metadata text with a VG section (name, id, seqno) is
 * refused with -EINVAL. Either way one "metadata_file" error is added to
 * set->report, its message "PATH: not LVM2 metadata text (line L column C:
 * WHAT)", "PATH: larger than N bytes" or "cannot open PATH: REASON".
 */
int mlvm_set_add_metadata_file(struct mlvm_set *set, const char *path);

/* The metadata text a VG of the set was built from, read again (malloc'd,
 * NUL-terminated, *len bytes before the NUL). */
int mlvm_set_vg_text(struct mlvm_set *set, const struct mlvm_vg *vg, char **text, size_t *len);

#endif
