/*
 * edit.h - the changes mlvm makes to a VG's metadata tree, and their
 * verify-then-commit.
 *
 * Every function edits a copy of the metadata (struct mlvm_wnode, write.h)
 * that the caller made from the VG model it read; keys the functions do not
 * know are kept. They print nothing: they return 0 or a negative errno and,
 * where the caller needs more to say what happened, fill a result struct.
 * An operation that fails leaves the tree as it was, except after -ENOMEM
 * (drop the tree then).
 *
 * mlvm_commit_tree() is the one way a changed tree reaches the disk: seqno
 * + 1, description, host and time set; serialized as LVM2 writes it; read
 * back with the VG parser, which must not complain at all and must find the
 * seqno and VG name meant; then committed to every metadata area (write.h's
 * mlvm_commit). Nothing is written when any step before the commit fails.
 *
 * Layer: write (src/write). May include: base, io, disk, text, model.
 */
#ifndef MLVM_EDIT_H
#define MLVM_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/report.h"
#include "model/vg.h"
#include "write/alloc.h"
#include "write/write.h"

/* ------------------------------------------------------------ LVs in the tree */

/* The logical_volumes section of a VG section; created (appended) when
 * create and absent. NULL when absent, or on ENOMEM. */
struct mlvm_wnode *mlvm_edit_lvs(struct mlvm_wnode *vgsec, bool create);
/* The LV section named name, or NULL */
struct mlvm_wnode *mlvm_edit_find_lv(struct mlvm_wnode *vgsec, const char *name);
/* Does array arr (NULL: none) hold the string or word s? */
bool mlvm_wnode_array_has(const struct mlvm_wnode *arr, const char *s);

/*
 * Whether mlvm may change LV lv (remove, rename, resize): it is visible, its
 * segments are all "striped" over PVs, and no other LV refers to it. true,
 * or false with the reason in why.
 */
bool mlvm_edit_lv_plain(struct mlvm_wnode *vgsec, struct mlvm_wnode *lv, char *why, size_t len);

/* ------------------------------------------------------------ operations */

/* what an operation did, or why it could not */
struct mlvm_edit_result {
	uint64_t extents;	/* create, resize: the LV's extents after */
	uint64_t before;	/* resize: the LV's extents before */
	size_t n_segments;	/* create: segments the LV got */
	uint64_t free_extents;	/* -ENOSPC: free extents of the VG */
	uint64_t keep;		/* resize -EINVAL: extents that would stay in ... */
	int64_t stripes;	/* ... a segment of this many stripes */
	bool unchanged;		/* nothing to do (resize to the same size, tag there) */
};

/*
 * Add a visible linear LV of need extents (> 0) named name, with id, creation time
 * (when) and host, placed by the allocator (first fit): one segment per free run.
 * vg is the model the tree was copied from. 0; -EEXIST (an LV of that
 * name); -ENOSPC (res->free_extents); -ENOMEM.
 */
int mlvm_edit_create(const struct mlvm_vg *vg, struct mlvm_wnode *vgsec, const char *name,
		     uint64_t need, const char *id, int64_t when, const char *host,
		     struct mlvm_edit_result *res);

/* Remove LV lv (and the logical_volumes section when it is left empty). */
void mlvm_edit_remove(struct mlvm_wnode *vgsec, struct mlvm_wnode *lv);

/* Rename LV lv. 0; -EEXIST; -ENOMEM. */
int mlvm_edit_rename(struct mlvm_wnode *vgsec, struct mlvm_wnode *lv, const char *name);

/*
 * Give LV lv want extents (> 0): growing extends its last segment when the
 * extents after it are free, then takes free runs first fit; shrinking cuts
 * segments from the end. res->before and res->extents; res->unchanged when
 * it has want already. 0; -E2BIG (more than 4096 segments); -ENOSPC
 * (res->free_extents); -EINVAL (the cut falls inside a striped segment:
 * res->keep, res->stripes); -ENOMEM.
 */
int mlvm_edit_resize(const struct mlvm_vg *vg, struct mlvm_wnode *lv, uint64_t want,
		     struct mlvm_edit_result *res);

/* The extents LV lv has (the sum of its segments' extent_count); -E2BIG
 * when it has more than 4096 segments. */
int mlvm_edit_lv_extents(struct mlvm_wnode *lv, uint64_t *extents);

/*
 * Add (add true) or remove tag on LV lv. res->unchanged when it has (has
 * not) the tag already. 0; -ENOTDIR (its tags key is not a list); -ENOMEM.
 */
int mlvm_edit_tag(struct mlvm_wnode *lv, const char *tag, bool add, struct mlvm_edit_result *res);

/* ------------------------------------------------------------ commit */

enum mlvm_commit_step {
	MLVM_COMMIT_SEQNO = 1,	/* the VG has no usable seqno */
	MLVM_COMMIT_LAYOUT,	/* the text could not be laid out (rc) */
	MLVM_COMMIT_CHECK,	/* the text does not read back as meant (the report) */
	MLVM_COMMIT_WRITE,	/* mlvm_commit failed (its errors in the report) */
};

struct mlvm_commit_result {
	uint64_t seqno;			/* the seqno committed */
	enum mlvm_commit_step failed;	/* 0, or the step that failed */
};

/*
 * Commit root (a whole metadata tree) to areas as described above;
 * cmdline goes into description ("Write from CMDLINE."), host into
 * creation_host, uname into the creation_host comment (NULL: none). The
 * read-back's complaints, and what failed in the write, are added to check
 * (the caller's list). 0 with
 * res->seqno, or a negative errno with res->failed.
 */
int mlvm_commit_tree(struct mlvm_wnode *root, struct mlvm_commit_area *areas, size_t n_areas,
		     const char *cmdline, const char *host, const char *uname, const char *expect_vg,
		     struct mlvm_report *check, struct mlvm_commit_result *res);

#endif
