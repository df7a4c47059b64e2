/*
 * deep.h - history/scan --deep: copies of metadata text found at any byte
 * of the set's images, outside the metadata areas, added to the set as
 * loose copies (origin IMAGE), and where each lies (the LV and offset).
 *
 * mlvm_set_assemble runs both when opts.carve_anywhere is set: the carving
 * after the images are probed (so a copy is a candidate of its VG's
 * generations like a ring generation), the placing after the VGs are
 * assembled. Every PV metadata area found (both, whole) is skipped: those
 * are the rings, carved by place (carve.h). Identical copies are kept as
 * copies of one generation by the set (mlvm_set_add_loose).
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_DEEP_H
#define MLVM_DEEP_H

#include <stddef.h>

struct mlvm_set;
struct mlvm_source;
struct mlvm_scan_opts;
struct mlvm_deepcarver;

/*
 * Carve every image of the set (text/deepcarve.h) and add each copy found
 * with its fields (mlvm_carve_copy). A cut list (more than
 * MLVM_DEEPCARVE_MAX_COPIES copies in one image) and a read error are
 * warnings ("deep_carve_truncated", "deep_carve"). 0 or -ENOMEM.
 */
int mlvm_set_carve_images(struct mlvm_set *set);

/*
 * The sector scan and the carving share one read of an image: before
 * mlvm_scan_source, mlvm_set_deep_piece sets o's piece callback to a new
 * carver (*dc); after it, mlvm_set_deep_keep keeps what the carver found
 * for mlvm_set_carve_images (which then does not read that image again)
 * when it saw the whole image without hitting its cap (the rings are not
 * skipped while the scan reads: they are known only after it), and frees
 * dc. Both 0 or -ENOMEM. mlvm_set_deep_free (mlvm_set_free) releases it.
 */
int mlvm_set_deep_piece(struct mlvm_set *set, struct mlvm_source *src,
			struct mlvm_scan_opts *o, struct mlvm_deepcarver **dc);
int mlvm_set_deep_keep(struct mlvm_set *set, size_t si, struct mlvm_deepcarver *dc);
void mlvm_set_deep_free(struct mlvm_set *set);

/*
 * For every loose copy carved from an image, the LV of an assembled VG (not
 * gone) whose extents hold its first byte: lv ("VG/LV") and lv_offset
 * (model/locate.h). 0 or -ENOMEM.
 */
int mlvm_set_place_loose(struct mlvm_set *set);

#endif
