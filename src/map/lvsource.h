/*
 * lvsource.h - a logical volume's bytes as an image source: the "LV
 * source" through which nested discovery (nested.h) opens a guest disk
 * that a hypervisor keeps in an LV.
 *
 * Reads go through an LV reader (lvmap.h) over the host VG, serialised by a
 * lock (a reader is not shared between threads otherwise). The source is
 * read-only, cannot be mapped, and reports through ops->missing
 * (mlvm_source_missing) which bytes its reads gave as zeros because the
 * host's bytes behind them are missing; an LV reader over a guest VG on it
 * turns those into the guest LV's own missing ranges. Its name is the LV
 * path "VG/LV" (or "VG@UUID/LV" when asked), and its `inside` names the VG,
 * the LV and the depth. The host VG must outlive the source.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_LVSOURCE_H
#define MLVM_LVSOURCE_H

#include "io/source.h"
#include "model/vg.h"

/*
 * A source over lv of vg named name (copied), at depth. 0, or what
 * mlvm_lv_reader_new() returns (-ENOTSUP, -ELOOP, -EISDIR, -EBUSY,
 * -ENOMEM); the reader's words are dropped: the LV is read as its host
 * would be, and what is missing shows in the guest's missing ranges.
 */
int mlvm_lv_source_new(const struct mlvm_vg *vg, const struct mlvm_lv *lv, const char *name,
		       unsigned depth, struct mlvm_source **out);

#endif
