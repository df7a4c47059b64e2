/*
 * content.h - what an LV holds (a filesystem, LUKS, swap, a partition
 * table...), as libmagic names it from the LV's first bytes.
 *
 * Only the first MLVM_CONTENT_BYTES (or the whole LV when smaller) are read,
 * through the LV's mapping. A start that is all zeros is named "zeros"
 * without asking libmagic (which would say "data"); see magic.h.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_CONTENT_H
#define MLVM_CONTENT_H

#include <stddef.h>

#include "map/lvmap.h"
#include "model/vg.h"

/* btrfs keeps its superblock at 64 KiB: read a little past it */
#define MLVM_CONTENT_BYTES (128 * 1024)

/*
 * Read the LV's first bytes through rd and describe them. When none of
 * them could be read (a missing PV...) out is "unreadable". 0 or a negative
 * errno (the read failed, or as mlvm_magic_describe).
 */
int mlvm_lv_content(struct mlvm_lv_reader *rd, char *out, size_t outlen);

/*
 * The same for lv of vg, building (and freeing) a reader of its own.
 * Problems met on the way are not reported: the caller only wants a name.
 * Returns 0, or a negative errno when no reader can be built (-ENOTSUP for
 * an unmappable segment type) or reading fails.
 */
int mlvm_vg_lv_content(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       char *out, size_t outlen);

#endif
