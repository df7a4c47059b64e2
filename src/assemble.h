/*
 * assemble.h - open a set of images, find their PVs and metadata, and
 * assemble the volume groups they hold.
 *
 * A PV is matched to the VG's text by its uuid, wherever it was found. The
 * copy of the metadata that wins is, as in LVM2, the highest seqno among the
 * copies whose header, checksum and text are good; copies that disagree are
 * reported. An absent PV is marked missing, not fatal.
 */
#ifndef MLVM_ASSEMBLE_H
#define MLVM_ASSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "label.h"
#include "mda.h"
#include "report.h"
#include "source.h"
#include "vg.h"

#define MLVM_MAX_MDAS 2		/* LVM2 uses at most two per PV */

/* one metadata area of a PV and what its committed slot holds */
struct mlvm_mda_info {
	int index;			/* 1 or 2 */
	uint64_t abs;			/* absolute offset of the header in the image */
	uint64_t size;			/* area size, bytes (from the label) */
	bool header_read;
	bool header_ok;
	struct mlvm_mda_header hdr;
	bool ignored;			/* RAW_LOCN_IGNORED on the committed slot */
	bool has_text;			/* committed slot points at text */
	bool text_crc_ok;
	bool peek_ok;			/* VG name, id and seqno read from the text */
	char vg_name[128];
	char vg_id[40];
	uint64_t seqno;
};

/* a PV found in an image */
struct mlvm_pvdev {
	struct mlvm_source *src;
	uint64_t base;			/* PV start in the image, bytes */
	struct mlvm_label label;
	struct mlvm_mda_info mda[MLVM_MAX_MDAS];
	unsigned n_mda;
	int vg_index;			/* index in set->vgs, -1 when none */
};

struct mlvm_open_opts {
	bool strict;			/* refuse damage as LVM2 would */
};

struct mlvm_set {
	struct mlvm_source **srcs;
	size_t n_srcs;
	struct mlvm_pvdev *devs;
	size_t n_devs;
	struct mlvm_vg **vgs;
	size_t n_vgs;
	struct mlvm_report report;
	struct mlvm_open_opts opts;
};

/* An empty set. */
struct mlvm_set *mlvm_set_new(const struct mlvm_open_opts *opts);

/* Open an image read-only and add it; 0 or a negative errno (reported). */
int mlvm_set_add_path(struct mlvm_set *set, const char *path);

/* Add a source the set then owns. */
int mlvm_set_add_source(struct mlvm_set *set, struct mlvm_source *src);

/*
 * Find the PVs in every image and assemble the VGs. Returns the number of
 * VGs assembled (0 when none was found) or a negative errno.
 */
int mlvm_set_assemble(struct mlvm_set *set);

void mlvm_set_free(struct mlvm_set *set);

#endif
