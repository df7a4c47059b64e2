/*
 * locate.h - which LV of an assembled VG holds a byte of an image, and at
 * which offset inside it: image byte -> PV extent -> segment area -> LE ->
 * LV byte. Used to say where a copy of metadata text found outside the
 * metadata areas lies (history --deep, scan --deep).
 *
 * Contract: linear and striped segments are mapped exactly (stripe_size
 * chunks taken round-robin over the areas). A byte of a sub-LV (a mirror
 * leg, a raid image, a thin pool's data) is followed up to the LV that
 * uses it while the mapping is the identity (mirror and raid1 legs: the
 * leg's LE is the parent's LE); where it is not (raid4/5/6/10 images,
 * thin pool data, cache, snapshot COW) the sub-LV itself is named. Only
 * PVs found on the image asked about count (pv->src == src). No I/O.
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_LOCATE_H
#define MLVM_LOCATE_H

#include <stdbool.h>
#include <stdint.h>

#include "io/source.h"
#include "model/vg.h"

struct mlvm_lv_place {
	const struct mlvm_lv *lv;	/* the visible LV, or the sub-LV where the
					 * mapping stops being the identity */
	uint64_t offset;		/* byte inside lv */
	const struct mlvm_pv *pv;	/* the PV the byte lies on */
	uint64_t pe;			/* its physical extent */
};

/*
 * Where the byte `byte` of src lies in vg: true and *out filled when it is
 * inside a PV extent allocated to an LV; false when it is outside every PV
 * of vg on src, in a free extent, or the text's numbers overflow.
 */
bool mlvm_vg_locate_byte(const struct mlvm_vg *vg, const struct mlvm_source *src,
			 uint64_t byte, struct mlvm_lv_place *out);

#endif
