/*
 * locate.c - which LV holds a byte of an image (locate.h).
 */
#include "model/locate.h"

#include <string.h>

#include "base/units.h"
#include "base/util.h"

/* the LV byte of area k's byte `at` (from the area's first PE) in segment s */
static bool seg_byte(const struct mlvm_vg *vg, const struct mlvm_segment *s, uint32_t k,
		     uint64_t at, uint64_t *lv_byte)
{
	uint64_t ext = vg->extent_size * MLVM_SECTOR_SIZE, base, ss, stripe, b;

	if (!mlvm_mul_ok(s->start_extent, ext, &base))
		return false;
	if (mlvm_seg_is(s, "striped") && s->n_areas > 1) {
		ss = mlvm_seg_stripe_size(s) * MLVM_SECTOR_SIZE;
		if (!ss)
			return false;
		stripe = at / ss;
		if (!mlvm_mul_ok(stripe, s->n_areas, &b) || !mlvm_add_ok(b, k, &b) ||
		    !mlvm_mul_ok(b, ss, &b) || !mlvm_add_ok(b, at % ss, &b))
			return false;
		return mlvm_add_ok(base, b, lv_byte);
	}
	return mlvm_add_ok(base, at, lv_byte);
}

/* segment types whose every area is a whole copy of the segment */
static bool identity_legs(const struct mlvm_segment *s)
{
	return mlvm_seg_is(s, "mirror") || mlvm_seg_is(s, "raid1") ||
	       (mlvm_seg_is(s, "striped") && s->n_areas == 1);
}

/* the LV that uses LV l's byte b as an identity leg: updates *l and *b */
static bool climb(const struct mlvm_vg *vg, uint32_t *l, uint64_t *b)
{
	uint64_t ext = vg->extent_size * MLVM_SECTOR_SIZE, first, last;
	uint32_t p, j, k;

	for (p = 0; p < vg->n_lvs; p++)
		for (j = 0; j < vg->lvs[p].n_segs; j++) {
			const struct mlvm_segment *s = &vg->lvs[p].segs[j];

			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];

				if (a->kind != MLVM_AREA_LV || a->ref != (int32_t)*l)
					continue;
				if (!mlvm_mul_ok(a->start, ext, &first) ||
				    !mlvm_mul_ok(s->area_len, ext, &last) ||
				    !mlvm_add_ok(first, last, &last))
					continue;
				if (*b < first || *b >= last)
					continue;
				if (!identity_legs(s))
					return false;	/* raid4/5/6/10, thin, cache: stop here */
				if (!seg_byte(vg, s, k, *b - first, b))
					return false;
				*l = p;
				return true;
			}
		}
	return false;
}

bool mlvm_vg_locate_byte(const struct mlvm_vg *vg, const struct mlvm_source *src,
			 uint64_t byte, struct mlvm_lv_place *out)
{
	uint64_t ext = vg->extent_size * MLVM_SECTOR_SIZE;
	uint32_t p, l, j, k;

	if (!vg || !src || !out || !ext)
		return false;
	for (p = 0; p < vg->n_pvs; p++) {
		const struct mlvm_pv *pv = &vg->pvs[p];
		uint64_t off, len, pe, within;

		if (pv->src != src || !mlvm_pv_extent_bytes(vg, pv, 0, pv->pe_count, &off, &len))
			continue;
		if (byte < off || byte - off >= len)
			continue;
		pe = (byte - off) / ext;
		within = (byte - off) % ext;
		for (l = 0; l < vg->n_lvs; l++)
			for (j = 0; j < vg->lvs[l].n_segs; j++) {
				const struct mlvm_segment *s = &vg->lvs[l].segs[j];

				for (k = 0; k < s->n_areas; k++) {
					const struct mlvm_area *a = &s->areas[k];
					uint64_t b;
					uint32_t at = l;
					unsigned hops;

					if (a->kind != MLVM_AREA_PV || a->ref != (int32_t)p ||
					    pe < a->start || pe - a->start >= s->area_len)
						continue;
					if (!seg_byte(vg, s, k, (pe - a->start) * ext + within, &b))
						return false;
					for (hops = 0; hops < vg->n_lvs && climb(vg, &at, &b); hops++)
						;
					out->lv = &vg->lvs[at];
					out->offset = b;
					out->pv = pv;
					out->pe = pe;
					return true;
				}
			}
		return false;	/* a free extent */
	}
	return false;
}
