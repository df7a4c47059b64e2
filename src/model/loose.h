/*
 * loose.h - copies of a VG's metadata text found outside every metadata
 * area: carved from any byte of an image (history --deep), or given by
 * the user as files (--metadata: vgcfgbackup, /etc/lvm/archive, `dump`).
 *
 * A set keeps them beside the ring generations (struct mlvm_set's loose,
 * added with mlvm_set_add_loose or mlvm_set_add_metadata_file, declared in
 * assemble.h) and lists them with those (mlvm_set_generations, whose
 * struct mlvm_gen_ref then has loose set and dev/mda NULL). Their text is
 * held in memory: mlvm_gen_ref_text reads either kind.
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_LOOSE_H
#define MLVM_LOOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/source.h"
#include "text/carve.h"

/* where a copy of metadata text was found */
enum mlvm_copy_origin {
	MLVM_ORIGIN_RING,	/* a PV's metadata area */
	MLVM_ORIGIN_IMAGE,	/* elsewhere in an image of the set */
	MLVM_ORIGIN_FILE,	/* a file given by the user (--metadata) */
};

/* one copy of metadata text found outside every metadata area */
struct mlvm_loose {
	struct mlvm_generation g;	/* as mlvm_carve_copy fills it; g.offset = byte
					 * offset in its image (0 for a file),
					 * g.slot = -1, g.checksum_ok = -1 */
	enum mlvm_copy_origin origin;	/* IMAGE or FILE */
	struct mlvm_source *src;	/* IMAGE: the image of the set it was carved from */
	char *path;			/* FILE: the path as given */
	char *text;			/* the copy, owned, NUL-terminated */
	size_t len;			/* bytes before the NUL */
	bool archive_format;		/* vgcfgbackup/archive layout: comments and
					 * the trailer's keys first, the VG section after */
	char *command;			/* archive/backup: the command LVM2 was about to
					 * run ("lvremove vg/secret" from `Created *before*
					 * executing 'lvremove vg/secret'`), else NULL */
	/* filled after assembly by the carver's caller (NULL/0 unknown): */
	char *lv;			/* "VG/LV" holding the copy's first byte */
	uint64_t lv_offset;		/* its offset inside that LV */
	char *fs_type;			/* the filesystem of that LV ("ext4", "xfs") */
	char *fs_path;			/* the file holding it in that filesystem */
	bool fs_unallocated;		/* in that filesystem's unallocated space */
	/* set by the set: */
	bool duplicate;			/* same VG id, seqno and VG section as a copy
					 * listed before it (a ring copy, or a loose one
					 * earlier in mlvm_set_generations' order): another
					 * copy of that generation, never a candidate */
};

/* "ring", "image", "file" (JSON's "origin"); NULL past the end */
const char *mlvm_copy_origin_name(enum mlvm_copy_origin o);

/* Free l's strings (not l itself); safe on a zeroed struct. */
void mlvm_loose_clear(struct mlvm_loose *l);

#endif
