/*
 * vg.h - the volume group model built from one metadata text.
 *
 * Strings and the status/flags/tags arrays point into the parsed config tree,
 * which the VG owns; nothing is copied. Every LV is kept, hidden sub-LVs
 * too. Segment areas name PVs or LVs by index (or -1 when the name does not
 * resolve, which is reported).
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_VG_H
#define MLVM_VG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "text/config.h"
#include "base/report.h"

struct mlvm_source;
struct mlvm_loose;
struct mlvm_pvdev;
struct mlvm_mda_info;
struct mlvm_generation;

enum mlvm_area_kind {
	MLVM_AREA_PV,
	MLVM_AREA_LV,
};

struct mlvm_area {
	const char *name;	/* as written in the text */
	uint64_t start;		/* first PE (on a PV) or LE (on an LV) */
	int32_t ref;		/* index in vg->pvs or vg->lvs, -1 when unknown */
	uint8_t kind;		/* enum mlvm_area_kind */
};

struct mlvm_segment {
	const struct cfg_node *node;	/* the segmentN section */
	const char *type;		/* "striped", "raid1", "thin+..." */
	uint64_t start_extent;
	uint64_t extent_count;
	uint64_t area_len;		/* extents each area covers */
	struct mlvm_area *areas;
	uint32_t n_areas;
};

struct mlvm_lv {
	const struct cfg_node *node;
	const char *name;
	const char *id;
	uint64_t extent_count;		/* sum of the segments */
	uint64_t reshape_extents;	/* raid reshape space, not part of the size */
	struct mlvm_segment *segs;
	uint32_t n_segs;
	bool visible;
	bool raid_image;		/* an image of a raid LV */
};

struct mlvm_pv {
	const struct cfg_node *node;
	const char *name;		/* "pv0": local to this text */
	const char *id;			/* with dashes, as in the text */
	const char *device;		/* hint only, may be NULL */
	const struct cfg_node *status;
	const struct cfg_node *flags;
	const struct cfg_node *tags;
	uint64_t dev_size;		/* sectors */
	uint64_t pe_start;		/* sectors */
	uint64_t pe_count;
	uint64_t ba_start;		/* bootloader area (pvcreate --bootloaderareasize), */
	uint64_t ba_size;		/* sectors from the PV start; 0 and 0 when none */
	/* where it was found (filled by the assembler) */
	struct mlvm_source *src;	/* NULL when missing */
	uint64_t offset;		/* bytes from image start to PV start */
	bool missing;			/* no image supplies it (also when ambiguous) */
	bool ambiguous;			/* several images fit and nothing tells them
					 * apart: none is used (the user may choose) */
	uint8_t found_by;		/* enum mlvm_pv_evidence: how src was tied to it */
	const struct mlvm_pvdev *dev;	/* the PV found for it, NULL when missing */
	/* when ambiguous: the PVs found that fit it equally; otherwise other
	 * copies of it (same uuid) that were not used. Owned by the VG. */
	const struct mlvm_pvdev **others;
	uint32_t n_others;
};

/*
 * A historical LV (LVM2's metadata/record_lvs_history = 1): a removed LV
 * that LVM2 keeps a record of in the VG's historical_logical_volumes section
 * because it is part of the lineage of an LV still present (thin
 * snapshots). Nothing of its data is described; only who it was.
 */
struct mlvm_hlv {
	const struct cfg_node *node;
	const char *name;		/* the section's key, or its "name" key */
	const char *id;			/* with dashes, NULL when not given */
	int64_t creation_time;		/* seconds since the epoch, 0 when not given */
	int64_t removal_time;		/* seconds since the epoch, 0 when not given */
	const char *origin;		/* as written: "lv" (live) or "-name" (historical), or NULL */
	const struct cfg_node *descendants;	/* string array as written (live LVs), or NULL */
};

/* LVM2 writes a historical LV's name with this prefix where it stands for
 * an LV (origin, lvs -H) */
#define MLVM_HLV_PREFIX '-'

/* how the assembler tied an image's PV to a PV of the text */
enum mlvm_pv_evidence {
	MLVM_PV_BY_NONE,		/* missing */
	MLVM_PV_BY_LABEL,		/* its label names its uuid */
	MLVM_PV_BY_DAMAGED_LABEL,	/* a label that fails its checks, near its uuid */
	MLVM_PV_BY_FIT,			/* no label: the only PV of the VG it fits */
	MLVM_PV_BY_CHOICE,		/* the user said so (--pv) */
};

/* "label", "damaged_label", "fit", "choice" or NULL for MLVM_PV_BY_NONE */
const char *mlvm_pv_evidence_name(enum mlvm_pv_evidence e);

/* where the text this VG came from was read */
struct mlvm_text_source {
	const char *image;		/* NULL when not from an image */
	char pv_id[33];			/* raw 32-char uuid of the PV it was read on */
	int mda;			/* 1 or 2, 0 when unknown */
	uint64_t offset;		/* absolute byte offset in image */
	uint64_t size;			/* bytes including the NUL */
	uint32_t checksum;
	bool wrapped;
	/* where the assembler found it (NULL when not from a set) */
	const struct mlvm_pvdev *dev;
	const struct mlvm_mda_info *mda_info;
	const struct mlvm_generation *gen;	/* NULL: the committed slot */
	const struct mlvm_loose *loose;		/* a copy outside the rings (dev,
						 * mda_info NULL, gen its g) */
};

struct mlvm_vg {
	struct cfg_tree *tree;		/* owned */
	const struct cfg_node *node;	/* the VG section */
	const char *name;
	const char *id;
	uint64_t seqno;
	uint64_t extent_size;		/* sectors */
	int64_t max_lv;
	int64_t max_pv;
	const struct cfg_node *status;
	const struct cfg_node *flags;
	const struct cfg_node *tags;
	const char *description;	/* top-level keys, may be NULL */
	const char *creation_host;
	int64_t creation_time;
	struct mlvm_pv *pvs;
	uint32_t n_pvs;
	struct mlvm_lv *lvs;		/* one block with area_pool and seg_pool */
	uint32_t n_lvs;
	struct mlvm_hlv *hlvs;		/* historical_logical_volumes, in text order */
	uint32_t n_hlvs;
	struct mlvm_area *area_pool;	/* every segment's areas, in lvs's block */
	struct mlvm_segment *seg_pool;	/* every LV's segments, in lvs's block */
	uint64_t total_extents;
	uint64_t free_extents;
	uint32_t n_unknown_status;	/* status flags LVM2 would refuse the text for */
	struct mlvm_text_source source;
	bool gone;			/* no metadata area commits it any longer (removed,
					 * re-used, merged, new uuid): from a ring's past */
	/* how many LVs are an old-style snapshot (one segment of type
	 * "snapshot"), counted by mlvm_vg_from_tree (private: snapshots_counted
	 * false, a VG made otherwise, means not counted) */
	uint32_t n_snapshot_lvs;
	bool snapshots_counted;
	/* name lookup tables (private): slot = the name's hash << 32 |
	 * index + 1, 0 = empty */
	uint64_t *lv_hash;
	uint64_t *pv_hash;
	uint32_t lv_hash_mask;
	uint32_t pv_hash_mask;
};

/* whether lv is an old-style snapshot: one segment, of type "snapshot"
 * (or "snapshot+..."); its cow_store names the LV that holds its data */
bool mlvm_lv_is_snapshot(const struct mlvm_lv *lv);

/*
 * Build a VG from a parsed text; takes ownership of tree (also on failure).
 * Problems are reported against image at text offset 'where' (the absolute
 * offset of the text in the image, or -1). Returns 0, -EINVAL when the text
 * holds no usable VG, or -ENOMEM.
 */
int mlvm_vg_from_tree(struct cfg_tree *tree, struct mlvm_vg **out,
		      struct mlvm_report *r, const char *image, int64_t where);

/* Parse text (owned by the call, also on failure) and build a VG. */
int mlvm_vg_from_text(char *text, size_t len, struct mlvm_vg **out,
		      struct mlvm_report *r, const char *image, int64_t where);

void mlvm_vg_free(struct mlvm_vg *vg);

/* LV or PV by name; NULL when absent */
const struct mlvm_lv *mlvm_vg_find_lv(const struct mlvm_vg *vg, const char *name);
int mlvm_vg_lv_index(const struct mlvm_vg *vg, const char *name);
int mlvm_vg_pv_index(const struct mlvm_vg *vg, const char *name);

/*
 * The LVs a segment is built on, the one definition: with MLVM_REFS_AREAS,
 * each of its areas that is an LV of the VG (key NULL); with
 * MLVM_REFS_KEYS, each string key other than "type" whose value names an
 * LV of the VG (a thin pool's "pool" and "metadata", a thin LV's
 * "thin_pool", a snapshot's "origin" and "cow_store", a cache's
 * "cache_pool", ...). fn(ctx, key, lvi) is called for each in that order;
 * returning false stops the walk. Returns how many were visited.
 */
#define MLVM_REFS_AREAS 1u
#define MLVM_REFS_KEYS 2u
#define MLVM_REFS_ALL (MLVM_REFS_AREAS | MLVM_REFS_KEYS)
typedef bool (*mlvm_lv_ref_fn)(void *ctx, const char *key, uint32_t lvi);
unsigned mlvm_seg_lv_refs(const struct mlvm_vg *vg, const struct mlvm_segment *s, unsigned what,
			  mlvm_lv_ref_fn fn, void *ctx);

/*
 * The model keeps only what it computes; everything else is read from the
 * text when asked (a VG of 10,000 LVs must stay small):
 * mlvm_node_array(lv->node, "tags") is the LV's tags array or NULL.
 */
const struct cfg_node *mlvm_node_array(const struct cfg_node *section, const char *key);
/* stripe_size of a segment in sectors, 0 when not given */
uint64_t mlvm_seg_stripe_size(const struct mlvm_segment *s);
/* the same of a segment's stripe_size node (NULL: 0): sectors, 0 unless a
 * positive integer */
uint64_t mlvm_stripe_size_of(const struct cfg_node *n);

/* segment s has type t; false for a segment whose type is missing or unreadable */
static inline bool mlvm_seg_is(const struct mlvm_segment *s, const char *t)
{
	return s->type && !strcmp(s->type, t);
}
/* the key holding a segment's areas ("stripes", "mirrors", "raids",
 * "raid0_lvs"), or NULL */
const char *mlvm_seg_areas_key(const struct mlvm_segment *s);

/* true when a string array (status, flags, tags) holds s */
bool mlvm_cfg_array_has(const struct cfg_node *arr, const char *s);

/* LV size in bytes as LVM2 reports it: (extent_count - reshape space) *
 * extent_size * 512, saturating */
uint64_t mlvm_lv_size(const struct mlvm_vg *vg, const struct mlvm_lv *lv);

/*
 * Where PV extents [pe, pe + count) lie in the PV's image: *off, the byte
 * of PE pe from the image's start (the PV's offset in its image + pe_start
 * + pe * extent_size, in bytes), and *len, count extents in bytes. False
 * when the PV is missing (no image) or a value overflows 64 bits.
 */
bool mlvm_pv_extent_bytes(const struct mlvm_vg *vg, const struct mlvm_pv *pv, uint64_t pe,
			  uint64_t count, uint64_t *off, uint64_t *len);

/*
 * The first PV of the VG that lv's bytes lie on, through its segments, its
 * sub-LVs and the LVs its segments name (mlvm_seg_lv_refs), that is ambiguous (several images fit it
 * and none is used); NULL when there is none. Its bytes depend on which
 * image is that PV: export and mount refuse them until the user says.
 */
const struct mlvm_pv *mlvm_lv_ambiguous_pv(const struct mlvm_vg *vg, const struct mlvm_lv *lv);

/* historical LV by name (without the '-' prefix); -1 when absent */
int mlvm_vg_hlv_index(const struct mlvm_vg *vg, const char *name);

/*
 * The lineage of LVM2's thin snapshots, live and historical LVs together (what
 * lvs -H reports as lv_full_ancestors / lv_full_descendants). A member is
 * an LV (historical false: index in vg->lvs) or a historical LV (index in
 * vg->hlvs). The parent of a historical LV is its "origin"; the parent of
 * an LV is the origin of its thin segment, else the historical LV that lists
 * it among its descendants.
 */
struct mlvm_lineage {
	uint32_t index;
	bool historical;
};

/*
 * The ancestors (parent first, then its parent...) or, with descendants,
 * every member whose ancestors hold it (depth first, in text order) of the
 * member who. *out is malloc'ed (NULL when *n is 0). A cycle in hostile
 * metadata ends the walk. Returns 0 or -ENOMEM.
 */
int mlvm_lineage_walk(const struct mlvm_vg *vg, struct mlvm_lineage who, bool descendants,
		      struct mlvm_lineage **out, uint32_t *n);

/* the lineage of historical LV h (ancestors, or with descendants its
 * descendants) as names joined by sep ("thin1, -snap1"), "" when none;
 * malloc'ed, NULL when out of memory */
char *mlvm_hlv_lineage_text(const struct mlvm_vg *vg, uint32_t h, bool descendants, const char *sep);

/* the name of a lineage member as lvs -H shows it: "lv", or "-name" for a
 * historical LV (into buf, which it returns) */
const char *mlvm_lineage_name(const struct mlvm_vg *vg, struct mlvm_lineage m, char *buf, size_t len);

/* Valid LVM object name: [A-Za-z0-9._+-], no leading '-', not "." or "..",
 * shorter than 128 characters. */
bool mlvm_name_valid(const char *name);

#endif
