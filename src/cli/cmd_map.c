/*
 * cmd_map.c - mlvm map: the extent map of the VG(s). Per PV, its extents in
 * PE order and what each range belongs to (LV, segment, area, LE range) or
 * that it is free; per LV, its logical-to-physical map. Two LVs on one PE
 * and areas past a PV's pe_count are reported.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "map/provenance.h"
#include "base/units.h"
#include "model/usage.h"
#include "base/util.h"

static const char map_help[] =
	"Usage: mlvm map [--lv [VG/]LV] [--generation SEQNO] [--json] [--vg NAME] IMAGE...\n"
	"       mlvm map --history [--json] [--vg NAME] IMAGE...\n"
	"\n"
	"The extent map of the volume group(s): for each PV, where it starts in\n"
	"its image, its pe_start, and its physical extents in order: what each\n"
	"range belongs to (LV, segment, area and the segment's logical extents) or\n"
	"that it is free, and the bytes it occupies in the PV's image (first and\n"
	"last, from the image's start); for each LV (hidden sub-LVs too), its\n"
	"logical extents mapped to PV extents (with their bytes in the image) or\n"
	"to a sub-LV's logical extents, segment by segment and area by area.\n"
	"Extents used by two LVs and areas past the end of their PV are reported.\n"
	"--lv [VG/]LV shows only that LV (and the sub-LVs it is built on).\n"
	"--generation SEQNO maps the VG as that generation describes it, and warns\n"
	"(extents_reused) where a later generation gave its extents to another LV.\n"
	"--history: per PV, the owner of every extent range in every intact\n"
	"generation still in the metadata rings (which LVs once lived in what is\n"
	"free today).\n"
	"Segments are numbered as in the metadata (segment1...), areas from 0.\n"
	"Exit status: 0 done, 1 no volume group or no such LV, 2 usage error.\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may come before or after the images; -- ends them.\n";

/* ------------------------------------------------------------ the map */

struct vgmap {
	const struct mlvm_vg *vg;
	struct mlvm_usage u;	/* which extents are in use, by what */
	bool *shown;		/* per LV: part of what was asked */
};

static void vgmap_free(struct vgmap *m)
{
	mlvm_usage_free(&m->u);
	free(m->shown);
}

/*
 * The LVs a segment names outside its areas list (thin-pool's pool and
 * metadata, cache's origin and cache_pool, snapshot's origin and cow_store,
 * ...): every string key that is the name of an LV of the VG. Calls fn for
 * each; returns how many.
 */
static unsigned seg_refs(const struct mlvm_vg *vg, const struct mlvm_segment *s,
			 void (*fn)(void *ctx, const char *key, int lvi), void *ctx)
{
	const struct cfg_node *n;
	unsigned count = 0;

	for (n = s->node ? cfg_child(s->node) : NULL; n; n = cfg_next(n)) {
		int lvi;

		if (!cfg_key(n) || (cfg_type(n) != CFG_STRING && cfg_type(n) != CFG_WORD) ||
		    !strcmp(cfg_key(n), "type"))
			continue;
		lvi = mlvm_vg_lv_index(vg, cfg_str(n));
		if (lvi < 0)
			continue;
		count++;
		if (fn)
			fn(ctx, cfg_key(n), lvi);
	}
	return count;
}

static void mark_shown(struct vgmap *m, uint32_t lvi);

static void mark_ref(void *ctx, const char *key, int lvi)
{
	mark_shown(ctx, (uint32_t)lvi);
}

/* mark lv and every LV it is built on (bounded: each LV once) */
static void mark_shown(struct vgmap *m, uint32_t lvi)
{
	const struct mlvm_lv *lv = &m->vg->lvs[lvi];
	uint32_t j, k;

	if (m->shown[lvi])
		return;
	m->shown[lvi] = true;
	for (j = 0; j < lv->n_segs; j++)
		for (k = 0; k < lv->segs[j].n_areas; k++) {
			const struct mlvm_area *a = &lv->segs[j].areas[k];

			if (a->kind == MLVM_AREA_LV && a->ref >= 0 && (uint32_t)a->ref < m->vg->n_lvs)
				mark_shown(m, (uint32_t)a->ref);
		}
	for (j = 0; j < lv->n_segs; j++)
		seg_refs(m->vg, &lv->segs[j], mark_ref, m);
}

static int vgmap_build(struct vgmap *m, const struct mlvm_vg *vg, const struct mlvm_lv *only)
{
	uint32_t l;

	memset(m, 0, sizeof(*m));
	m->vg = vg;
	m->shown = calloc(vg->n_lvs ? vg->n_lvs : 1, sizeof(*m->shown));
	if (!m->shown || mlvm_usage_build(vg, &m->u))
		return -1;
	if (only)
		mark_shown(m, (uint32_t)(only - vg->lvs));
	else
		for (l = 0; l < vg->n_lvs; l++)
			m->shown[l] = true;
	return 0;
}

static const char *lv_name(const struct vgmap *m, const struct mlvm_extent_use *u)
{
	return m->vg->lvs[u->lv].name;
}

static const struct mlvm_segment *use_seg(const struct vgmap *m, const struct mlvm_extent_use *u)
{
	return &m->vg->lvs[u->lv].segs[u->seg];
}

/* a segment stripes its data over its areas (as opposed to copying it) */
static bool seg_striped(const struct mlvm_segment *s)
{
	const char *t = s->type ? s->type : "";

	return s->n_areas > 1 && (!strcmp(t, "striped") || !strncmp(t, "raid0", 5));
}

/*
 * The logical extents an LV area covers on its sub-LV. vg.c's area_len
 * counts every name of a "raids" list as an image; there the names go in
 * pairs (rmeta, rimage), and an rmeta is used whole.
 */
static uint64_t lv_area_count(const struct mlvm_vg *vg, const struct mlvm_segment *s, uint32_t k)
{
	const char *key = mlvm_seg_areas_key(s), *t = s->type ? s->type : "";
	const struct mlvm_area *a = &s->areas[k];
	uint64_t images, parity;

	if (!key || strcmp(key, "raids") || s->n_areas < 2)
		return s->area_len;
	if (!(k & 1))	/* rmeta */
		return a->ref >= 0 && (uint32_t)a->ref < vg->n_lvs ? vg->lvs[a->ref].extent_count : 0;
	images = s->n_areas / 2;
	if (!strncmp(t, "raid0", 5))
		return s->extent_count / images;
	if (!strncmp(t, "raid10", 6)) {
		const struct cfg_node *n = cfg_find(s->node, "data_copies");
		uint64_t copies = n && cfg_type(n) == CFG_INT && cfg_int(n) > 0 ? (uint64_t)cfg_int(n) : 2;

		return s->extent_count * copies / images;
	}
	if (!strncmp(t, "raid4", 5) || !strncmp(t, "raid5", 5) || !strncmp(t, "raid6", 5)) {
		parity = !strncmp(t, "raid6", 5) ? 2 : 1;
		return images > parity ? s->extent_count / (images - parity) : 0;
	}
	return s->extent_count;
}

static uint64_t last_of(uint64_t start, uint64_t count)
{
	return count ? start + count - 1 : start;
}

static void report_problems(struct vgmap *m, struct mlvm_report *r)
{
	size_t i;

	for (i = 0; i < m->u.n_clashes; i++) {
		const struct mlvm_extent_clash *p = &m->u.clashes[i];
		const struct mlvm_pv *pv = &m->vg->pvs[p->pv];

		if (p->overlap)
			mlvm_warn(r, "extent_overlap", pv->missing ? NULL : pv->src->name, -1,
				  "vg %s: extents %llu-%llu of %s are used by both lv %s segment%u and lv %s segment%u",
				  m->vg->name, (unsigned long long)p->start,
				  (unsigned long long)last_of(p->start, p->count), pv->name,
				  lv_name(m, p->a), p->a->seg + 1, lv_name(m, p->b), p->b->seg + 1);
	}
}

/* ------------------------------------------------------------ text */

static const struct mlvm_vg *ref_vg;	/* for the seg_refs callbacks */

static void text_ref(void *ctx, const char *key, int lvi)
{
	const struct mlvm_lv *lv = &ref_vg->lvs[lvi];

	fprintf(ctx, "    %s -> lv %s LE 0-%llu\n", key, lv->name,
		(unsigned long long)last_of(0, lv->extent_count));
}

static void json_ref(void *ctx, const char *key, int lvi)
{
	const struct mlvm_lv *lv = &ref_vg->lvs[lvi];
	struct json *j = ctx;

	json_begin_object_inline(j, NULL);
	json_string(j, "role", key);
	json_string(j, "lv", lv->name);
	json_uint(j, "le_start", 0);
	json_uint(j, "le_count", lv->extent_count);
	json_end_object(j);
}

/* "bytes A-B": where PV extents [start, start + count) lie in the PV's
 * image; "bytes ?" when that overflows; "(no image)" for a missing PV */
static const char *pe_bytes(const struct mlvm_vg *vg, const struct mlvm_pv *pv, uint64_t start,
			    uint64_t count, char *buf, size_t len)
{
	uint64_t off, n, last;

	if (pv->missing)
		snprintf(buf, len, "(no image)");
	else if (!count || !mlvm_pv_extent_bytes(vg, pv, start, count, &off, &n) || !n ||
		 !mlvm_add_ok(off, n - 1, &last))
		snprintf(buf, len, "bytes ?");
	else
		snprintf(buf, len, "bytes %llu-%llu", (unsigned long long)off, (unsigned long long)last);
	return buf;
}

/* the start of a line for PV extents [start, start + count): "  PE A-B  bytes C-D  " */
static void pe_line(FILE *f, const struct mlvm_vg *vg, const struct mlvm_pv *pv, uint64_t start,
		    uint64_t count)
{
	char range[64], bytes[64];

	snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)start,
		 (unsigned long long)last_of(start, count));
	fprintf(f, "  PE %-15s %-29s ", range, pe_bytes(vg, pv, start, count, bytes, sizeof(bytes)));
}

static void text_vg(const struct vgmap *m, const struct mlvm_lv *only, FILE *f)
{
	const struct mlvm_vg *vg = m->vg;
	char size[32], range[64];
	uint32_t p, l, j, k;
	size_t i;

	ref_vg = vg;
	mlvm_human_size(vg->extent_size * 512, size, sizeof(size));
	fprintf(f, "vg %s  seqno %llu  extent size %s\n", vg->name,
		(unsigned long long)vg->seqno, size);
	for (p = 0; p < vg->n_pvs; p++) {
		const struct mlvm_pv *pv = &vg->pvs[p];
		uint64_t cover = 0, pe = pv->pe_count;
		bool any = false;

		fprintf(f, "\n%s  %s  pe_count %llu  used %llu  free %llu\n", pv->name,
			pv->missing ? "(missing)" : pv->src->name, (unsigned long long)pe,
			(unsigned long long)m->u.pv_used[p], (unsigned long long)(pe - m->u.pv_used[p]));
		if (!pv->missing) {
			uint64_t pe0, n;

			if (mlvm_mul_ok(pv->pe_start, MLVM_SECTOR_SIZE, &n))
				mlvm_human_size(n, size, sizeof(size));
			else
				snprintf(size, sizeof(size), "beyond 16 EiB");
			fprintf(f, "  pv at byte %llu of %s, pe_start %llu %s (%s)", (unsigned long long)pv->offset,
				pv->src->name, (unsigned long long)pv->pe_start,
				mlvm_plural(pv->pe_start, "sector", "sectors"), size);
			if (mlvm_pv_extent_bytes(vg, pv, 0, 1, &pe0, &n))
				fprintf(f, ": PE 0 at byte %llu\n", (unsigned long long)pe0);
			else
				fputs(": PE 0 beyond any image\n", f);
		}
		for (i = m->u.pv_first[p]; i < m->u.pv_first[p + 1]; i++) {
			const struct mlvm_extent_use *u = &m->u.uses[i];
			const struct mlvm_segment *s = use_seg(m, u);
			uint64_t end = u->start + mlvm_extent_use_count(&m->u, u);

			if (!only && u->start > cover && cover < pe) {
				uint64_t fe = u->start < pe ? u->start : pe;

				pe_line(f, vg, pv, cover, fe - cover);
				fputs("free\n", f);
			}
			if (end > cover)
				cover = end;
			if (!m->shown[u->lv])
				continue;
			any = true;
			pe_line(f, vg, pv, u->start, mlvm_extent_use_count(&m->u, u));
			fprintf(f, "%s segment%u area%u  LE %llu-%llu",
				lv_name(m, u), u->seg + 1, u->area, (unsigned long long)s->start_extent,
				(unsigned long long)last_of(s->start_extent, s->extent_count));
			if (seg_striped(s))
				fprintf(f, " (stripe %u of %u)", u->area + 1, s->n_areas);
			else if (s->n_areas > 1)
				fprintf(f, " (copy %u of %u)", u->area + 1, s->n_areas);
			if (end > pe)
				fputs("  PAST END", f);
			fputc('\n', f);
		}
		if (!only && cover < pe) {
			pe_line(f, vg, pv, cover, pe - cover);
			fputs("free\n", f);
		} else if (only && !any) {
			fputs("  (nothing of this lv)\n", f);
		}
	}
	for (l = 0; l < vg->n_lvs; l++) {
		const struct mlvm_lv *lv = &vg->lvs[l];

		if (!m->shown[l])
			continue;
		mlvm_human_size(mlvm_lv_size(vg, lv), size, sizeof(size));
		fprintf(f, "\nlv %s%s  %llu %s (%s)\n", lv->name, lv->visible ? "" : " (hidden)",
			(unsigned long long)lv->extent_count,
			mlvm_plural(lv->extent_count, "extent", "extents"), size);
		for (j = 0; j < lv->n_segs; j++) {
			const struct mlvm_segment *s = &lv->segs[j];

			snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)s->start_extent,
				 (unsigned long long)last_of(s->start_extent, s->extent_count));
			fprintf(f, "  segment%u %s  LE %s", j + 1,
				s->type && !strcmp(s->type, "striped") && s->n_areas == 1 ? "linear" :
				s->type ? s->type : "?", range);
			if (s->n_areas == 0 && !seg_refs(vg, s, NULL, NULL))
				fputs("  (no areas)", f);
			else if (seg_striped(s))
				fprintf(f, "  striped over %u %s", s->n_areas,
					mlvm_plural(s->n_areas, "area", "areas"));
			fputc('\n', f);
			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];

				if (a->kind == MLVM_AREA_PV) {
					const struct mlvm_pv *apv = a->ref >= 0 ? &vg->pvs[a->ref] : NULL;
					char bytes[64];

					fprintf(f, "    area%u -> %s PE %llu-%llu%s", k, a->name,
						(unsigned long long)a->start,
						(unsigned long long)last_of(a->start, s->area_len),
						a->ref < 0 ? " (unknown pv)" : "");
					if (apv && !apv->missing)
						fprintf(f, "  %s of %s", pe_bytes(vg, apv, a->start, s->area_len,
									   bytes, sizeof(bytes)),
							apv->src->name);
					else if (apv)
						fputs("  (pv missing)", f);
					fputc('\n', f);
				} else {
					uint64_t cnt = lv_area_count(vg, s, k);

					fprintf(f, "    area%u -> lv %s LE %llu-%llu%s\n", k, a->name,
						(unsigned long long)a->start,
						(unsigned long long)last_of(a->start, cnt),
						a->ref < 0 ? " (unknown lv)" : "");
				}
			}
			seg_refs(vg, s, text_ref, f);
		}
	}
	if (m->u.n_clashes)
		fputc('\n', f);
	for (i = 0; i < m->u.n_clashes; i++) {
		const struct mlvm_extent_clash *pr = &m->u.clashes[i];

		if (only && !m->shown[pr->a->lv] && !(pr->b && m->shown[pr->b->lv]))
			continue;
		if (pr->overlap)
			fprintf(f, "overlap: %s PE %llu-%llu used by %s segment%u and %s segment%u\n",
				vg->pvs[pr->pv].name, (unsigned long long)pr->start,
				(unsigned long long)last_of(pr->start, pr->count), lv_name(m, pr->a),
				pr->a->seg + 1, lv_name(m, pr->b), pr->b->seg + 1);
		else
			fprintf(f, "past end: %s PE %llu-%llu (pe_count %llu) used by %s segment%u\n",
				vg->pvs[pr->pv].name, (unsigned long long)pr->start,
				(unsigned long long)last_of(pr->start, pr->count),
				(unsigned long long)vg->pvs[pr->pv].pe_count, lv_name(m, pr->a),
				pr->a->seg + 1);
	}
}

/* ------------------------------------------------------------ JSON */

/* "offset" and "size": where PV extents [start, start + count) lie in the
 * PV's image, in bytes; null when the PV is missing or that overflows */
static void json_pe_bytes(struct json *j, const struct mlvm_vg *vg, const struct mlvm_pv *pv,
			  uint64_t start, uint64_t count)
{
	uint64_t off, n;

	if (mlvm_pv_extent_bytes(vg, pv, start, count, &off, &n)) {
		json_uint(j, "offset", off);
		json_uint(j, "size", n);
	} else {
		json_null(j, "offset");
		json_null(j, "size");
	}
}

static void json_use(struct json *j, const struct vgmap *m, const struct mlvm_extent_use *u)
{
	const struct mlvm_segment *s = use_seg(m, u);

	json_begin_object_inline(j, NULL);
	json_uint(j, "start", u->start);
	json_uint(j, "count", mlvm_extent_use_count(&m->u, u));
	json_string(j, "lv", lv_name(m, u));
	json_uint(j, "segment", u->seg + 1);
	json_uint(j, "area", u->area);
	json_uint(j, "le_start", s->start_extent);
	json_uint(j, "le_count", s->extent_count);
	json_bool(j, "striped", seg_striped(s));
	json_bool(j, "past_end", u->start + mlvm_extent_use_count(&m->u, u) > m->vg->pvs[u->pv].pe_count);
	json_pe_bytes(j, m->vg, &m->vg->pvs[u->pv], u->start, mlvm_extent_use_count(&m->u, u));
	json_end_object(j);
}

static void json_free(struct json *j, const struct mlvm_vg *vg, const struct mlvm_pv *pv,
		      uint64_t start, uint64_t end)
{
	json_begin_object_inline(j, NULL);
	json_uint(j, "start", start);
	json_uint(j, "count", end - start);
	json_null(j, "lv");
	json_bool(j, "free", true);
	json_pe_bytes(j, vg, pv, start, end - start);
	json_end_object(j);
}

static void json_vg(struct json *j, const struct vgmap *m, const struct mlvm_lv *only)
{
	const struct mlvm_vg *vg = m->vg;
	uint32_t p, l, jj, k;
	size_t i;

	ref_vg = vg;
	json_begin_object(j, NULL);
	json_string(j, "name", vg->name);
	json_string(j, "id", vg->id);
	json_uint(j, "seqno", vg->seqno);
	json_uint(j, "extent_size", vg->extent_size);
	json_begin_array(j, "pvs");
	for (p = 0; p < vg->n_pvs; p++) {
		const struct mlvm_pv *pv = &vg->pvs[p];
		uint64_t cover = 0, pe = pv->pe_count;

		json_begin_object(j, NULL);
		json_string(j, "name", pv->name);
		json_string(j, "id", pv->id);
		if (pv->missing)
			json_null(j, "image");
		else
			json_string(j, "image", pv->src->name);
		json_bool(j, "missing", pv->missing);
		if (pv->missing)
			json_null(j, "offset");
		else
			json_uint(j, "offset", pv->offset);
		json_uint(j, "pe_start", pv->pe_start);
		json_uint(j, "pe_count", pe);
		json_uint(j, "used_extents", m->u.pv_used[p]);
		json_uint(j, "free_extents", pe - m->u.pv_used[p]);
		json_begin_array(j, "extents");
		for (i = m->u.pv_first[p]; i < m->u.pv_first[p + 1]; i++) {
			const struct mlvm_extent_use *u = &m->u.uses[i];

			if (!only && u->start > cover && cover < pe)
				json_free(j, vg, pv, cover, u->start < pe ? u->start : pe);
			if (u->start + mlvm_extent_use_count(&m->u, u) > cover)
				cover = u->start + mlvm_extent_use_count(&m->u, u);
			if (m->shown[u->lv])
				json_use(j, m, u);
		}
		if (!only && cover < pe)
			json_free(j, vg, pv, cover, pe);
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);

	json_begin_array(j, "lvs");
	for (l = 0; l < vg->n_lvs; l++) {
		const struct mlvm_lv *lv = &vg->lvs[l];

		if (!m->shown[l])
			continue;
		json_begin_object(j, NULL);
		json_string(j, "name", lv->name);
		json_bool(j, "visible", lv->visible);
		json_uint(j, "extent_count", lv->extent_count);
		json_begin_array(j, "segments");
		for (jj = 0; jj < lv->n_segs; jj++) {
			const struct mlvm_segment *s = &lv->segs[jj];

			json_begin_object(j, NULL);
			json_uint(j, "segment", jj + 1);
			json_string(j, "type", s->type);
			json_uint(j, "le_start", s->start_extent);
			json_uint(j, "le_count", s->extent_count);
			json_bool(j, "striped", seg_striped(s));
			json_begin_array(j, "areas");
			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];

				json_begin_object_inline(j, NULL);
				json_uint(j, "area", k);
				if (a->kind == MLVM_AREA_PV) {
					json_string(j, "pv", a->name);
					json_uint(j, "pe_start", a->start);
					json_uint(j, "pe_count", s->area_len);
					if (a->ref >= 0 && !vg->pvs[a->ref].missing)
						json_string(j, "image", vg->pvs[a->ref].src->name);
					else
						json_null(j, "image");
					if (a->ref >= 0)
						json_pe_bytes(j, vg, &vg->pvs[a->ref], a->start, s->area_len);
					else
						json_pe_bytes(j, vg, &(struct mlvm_pv){ .missing = true }, 0, 0);
				} else {
					json_string(j, "lv", a->name);
					json_uint(j, "le_start", a->start);
					json_uint(j, "le_count", lv_area_count(vg, s, k));
				}
				json_bool(j, "known", a->ref >= 0);
				json_end_object(j);
			}
			json_end_array(j);
			json_begin_array(j, "refs");
			seg_refs(vg, s, json_ref, j);
			json_end_array(j);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);

	json_begin_array(j, "overlaps");
	for (i = 0; i < m->u.n_clashes; i++) {
		const struct mlvm_extent_clash *pr = &m->u.clashes[i];

		if (!pr->overlap || (only && !m->shown[pr->a->lv] && !m->shown[pr->b->lv]))
			continue;
		json_begin_object_inline(j, NULL);
		json_string(j, "pv", vg->pvs[pr->pv].name);
		json_uint(j, "start", pr->start);
		json_uint(j, "count", pr->count);
		json_begin_array_inline(j, "lvs");
		json_string(j, NULL, lv_name(m, pr->a));
		json_string(j, NULL, lv_name(m, pr->b));
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_begin_array(j, "past_end");
	for (i = 0; i < m->u.n_clashes; i++) {
		const struct mlvm_extent_clash *pr = &m->u.clashes[i];

		if (pr->overlap || (only && !m->shown[pr->a->lv]))
			continue;
		json_begin_object_inline(j, NULL);
		json_string(j, "pv", vg->pvs[pr->pv].name);
		json_uint(j, "start", pr->start);
		json_uint(j, "count", pr->count);
		json_uint(j, "pe_count", vg->pvs[pr->pv].pe_count);
		json_string(j, "lv", lv_name(m, pr->a));
		json_uint(j, "segment", pr->a->seg + 1);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

/* ------------------------------------------------------------ history */

/* the seqnos of a span: "7" or "3-7" */
static void span_seqnos(const struct mlvm_prov *p, const struct mlvm_prov_span *sp, char *buf,
			size_t len)
{
	uint64_t a = mlvm_prov_gen_seqno(p, sp->g_first), b = mlvm_prov_gen_seqno(p, sp->g_last);

	if (a == b)
		snprintf(buf, len, "%llu", (unsigned long long)a);
	else
		snprintf(buf, len, "%llu-%llu", (unsigned long long)a, (unsigned long long)b);
}

/* the PV of vg with uuid id, NULL */
static const struct mlvm_pv *pv_by_uuid(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].id && !strcmp(vg->pvs[i].id, id))
			return &vg->pvs[i];
	return NULL;
}

static void text_span(const struct mlvm_prov *p, const struct mlvm_prov_span *sp,
		      uint64_t count, FILE *f)
{
	char seq[64];

	span_seqnos(p, sp, seq, sizeof(seq));
	fprintf(f, "    seqno %-11s ", seq);
	if (sp->absent)
		fputs("(pv not in the vg)\n", f);
	else if (sp->free)
		fputs("free\n", f);
	else if (sp->striped)
		fprintf(f, "%s segment at LE %llu, stripe %u of %u, area extents %llu-%llu%s%s%s\n",
			sp->lv, (unsigned long long)sp->le, sp->area + 1, sp->n_areas,
			(unsigned long long)sp->area_off, (unsigned long long)(sp->area_off + count - 1),
			strcmp(sp->lv, sp->top) ? " (part of " : "",
			strcmp(sp->lv, sp->top) ? sp->top : "", strcmp(sp->lv, sp->top) ? ")" : "");
	else
		fprintf(f, "%s LE %llu-%llu%s%s%s\n", sp->lv, (unsigned long long)sp->le,
			(unsigned long long)(sp->le + count - 1),
			strcmp(sp->lv, sp->top) ? " (part of " : "",
			strcmp(sp->lv, sp->top) ? sp->top : "", strcmp(sp->lv, sp->top) ? ")" : "");
}

static void json_span(struct json *j, const struct mlvm_prov *p, const struct mlvm_prov_span *sp)
{
	json_begin_object_inline(j, NULL);
	json_uint(j, "from_seqno", mlvm_prov_gen_seqno(p, sp->g_first));
	json_uint(j, "to_seqno", mlvm_prov_gen_seqno(p, sp->g_last));
	json_uint(j, "generations", sp->g_last - sp->g_first + 1);
	json_string(j, "state", sp->absent ? "absent" : sp->free ? "free" : "used");
	if (sp->absent || sp->free) {
		json_null(j, "lv");
	} else {
		json_string(j, "lv", sp->lv);
		json_string(j, "lv_id", sp->lv_id);
		json_string(j, "visible_lv", sp->top);
		json_bool(j, "striped", sp->striped);
		if (sp->striped) {
			json_uint(j, "segment_le_start", sp->le);
			json_uint(j, "area", sp->area);
			json_uint(j, "areas", sp->n_areas);
			json_uint(j, "area_extent", sp->area_off);
		} else {
			json_uint(j, "le_start", sp->le);
		}
	}
	json_end_object(j);
}

/* one VG's history, text or JSON; -ENOMEM */
static int history_vg(const struct cli *c, struct mlvm_set *set, const struct mlvm_vg *vg,
		      struct json *j, FILE *f)
{
	struct mlvm_prov *p = NULL;
	size_t i, k, g, n;
	int rc;

	(void)c;
	rc = mlvm_prov_from_set(set, vg->id, &p);
	if (rc)
		return rc;
	if (j) {
		json_begin_object(j, NULL);
		json_string(j, "name", vg->name);
		json_string(j, "id", vg->id);
		json_uint(j, "extent_size", vg->extent_size);
		json_begin_array_inline(j, "generations");
		for (g = 0; g < mlvm_prov_n_gens(p); g++)
			json_uint(j, NULL, mlvm_prov_gen_seqno(p, g));
		json_end_array(j);
		json_begin_array(j, "pvs");
	} else {
		char size[32];

		mlvm_human_size(vg->extent_size * 512, size, sizeof(size));
		fprintf(f, "vg %s  extent size %s  %zu intact generation%s:", vg->name, size,
			mlvm_prov_n_gens(p), mlvm_plural(mlvm_prov_n_gens(p), "", "s"));
		for (g = 0; g < mlvm_prov_n_gens(p); g++)
			fprintf(f, " %llu", (unsigned long long)mlvm_prov_gen_seqno(p, g));
		fputc('\n', f);
	}
	if (!mlvm_prov_n_gens(p))
		mlvm_warn(&set->report, "no_generation", NULL, -1,
			  "vg %s: no intact generation found in the metadata rings", vg->name);
	for (i = 0; i < mlvm_prov_n_pvs(p); i++) {
		struct mlvm_prov_interval *iv = NULL;
		const struct mlvm_pv *now = pv_by_uuid(vg, mlvm_prov_pv_id(p, i));
		const char *name = now ? now->name : NULL;

		rc = mlvm_prov_history(p, i, &iv, &n);
		if (rc)
			break;
		if (j) {
			json_begin_object(j, NULL);
			json_string(j, "id", mlvm_prov_pv_id(p, i));
			json_string(j, "name", name);
			if (now && !now->missing)
				json_string(j, "image", now->src->name);
			else
				json_null(j, "image");
			json_uint(j, "pe_count", mlvm_prov_pv_pe_count(p, i));
			json_begin_array(j, "extents");
			for (k = 0; k < n; k++) {
				size_t s;

				json_begin_object(j, NULL);
				json_uint(j, "start", iv[k].pe);
				json_uint(j, "count", iv[k].count);
				json_begin_array(j, "owners");
				for (s = 0; s < iv[k].n_spans; s++)
					json_span(j, p, &iv[k].spans[s]);
				json_end_array(j);
				json_end_object(j);
			}
			json_end_array(j);
			json_end_object(j);
		} else {
			fprintf(f, "\n%s  %s  %s  pe_count %llu\n", name ? name : "(not in the vg now)",
				mlvm_prov_pv_id(p, i), now && !now->missing ? now->src->name : "(missing)",
				(unsigned long long)mlvm_prov_pv_pe_count(p, i));
			for (k = 0; k < n; k++) {
				char range[64];
				size_t s;

				snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)iv[k].pe,
					 (unsigned long long)(iv[k].pe + iv[k].count - 1));
				fprintf(f, "  PE %s\n", range);
				for (s = 0; s < iv[k].n_spans; s++)
					text_span(p, &iv[k].spans[s], iv[k].count, f);
			}
		}
		mlvm_prov_history_free(iv, n);
	}
	if (j) {
		json_end_array(j);
		json_end_object(j);
	}
	mlvm_prov_free(p);
	return rc;
}

static int cmd_map_history(struct cli *c, int argc, char **argv, int first)
{
	struct mlvm_open_opts oo = { .carve = true };
	struct mlvm_set *set;
	struct json j;
	bool write_failed = false, any = false;
	size_t i;
	int status = EXIT_DONE, rc = 0;

	set = cli_open_set(c, argv + first, argc - first, &oo, &status);
	if (!set)
		return status;
	if (cli_vgs_selected(c, set) == 0) {
		cli_no_vg_error(c, set, &oo, &set->report);
		status = EXIT_FAILED;
	}
	if (c->json) {
		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "vgs");
	}
	for (i = 0; i < set->n_vgs && status == EXIT_DONE; i++) {
		if (!cli_vg_selected(c, set->vgs[i]) || !set->vgs[i]->id)
			continue;
		if (!c->json && any)
			fputc('\n', stdout);
		any = true;
		rc = history_vg(c, set, set->vgs[i], c->json ? &j : NULL, stdout);
		if (rc) {
			cli_err(c, "cannot work out the history of vg %s: %s", set->vgs[i]->name,
				strerror(-rc));
			status = EXIT_FAILED;
		}
	}
	if (c->json) {
		json_end_array(&j);
		if (status != EXIT_DONE)
			cli_json_failed(&j, &set->report, status);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	}
	if (!cli_output_ok(c, write_failed))
		status = EXIT_FAILED;
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return status;
}

/* ------------------------------------------------------------ command */

int cmd_map(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "lv", required_argument, NULL, 'l' },
		{ "generation", required_argument, NULL, 'g' },
		{ "history", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { 0 };
	bool history = false;
	const struct mlvm_vg *only_vg = NULL;
	const struct mlvm_lv *only = NULL;
	const char *lvspec = NULL;
	char gen_vg[256];
	struct vgmap *maps = NULL;
	struct mlvm_set *set;
	size_t i;
	bool write_failed = false, first = true;
	int opt, status = EXIT_DONE;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "map", argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(map_help, stdout);
			return EXIT_DONE;
		case 'l':
			lvspec = optarg;
			break;
		case 'g':
			if (cli_parse_seqno(c, "map", "--generation", optarg, &oo.generation))
				return EXIT_USAGE;
			oo.want_generation = true;
			break;
		case 'H':
			history = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (lvspec && !*lvspec)
		return cli_usage(c, "map", "--lv needs an LV name");
	if (optind >= argc)
		return cli_usage(c, "map", "no image given");
	if (history && (lvspec || oo.want_generation))
		return cli_usage(c, "map", "--history shows every LV in every generation: it takes no %s",
				 lvspec ? "--lv" : "--generation");
	if (history)
		return cmd_map_history(c, argc, argv, optind);
	oo.generation_vg = cli_lvspec_vg(c, lvspec, gen_vg, sizeof(gen_vg));
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	if (cli_vgs_selected(c, set) == 0) {
		cli_no_vg_error(c, set, &oo, &set->report);
		status = EXIT_FAILED;
	} else if (lvspec) {
		status = cli_lookup_lv(c, set, lvspec, &only_vg, &only);
	}
	if (status != EXIT_DONE) {
		if (c->json) {
			struct json j;

			json_init(&j, stdout, true);
			json_begin_object(&j, NULL);
			json_begin_array(&j, "vgs");
			json_end_array(&j);
			cli_json_failed(&j, &set->report, status);
			cli_json_report(&j, &set->report);
			json_end_object(&j);
			json_finish(&j);
		}
		cli_print_report(c, &set->report);
		mlvm_set_free(set);
		return status;
	}

	maps = calloc(set->n_vgs, sizeof(*maps));
	if (!maps) {
		cli_err(c, "out of memory");
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	for (i = 0; i < set->n_vgs; i++) {
		if (!cli_vg_selected(c, set->vgs[i]) || (only_vg && set->vgs[i] != only_vg))
			continue;
		if (vgmap_build(&maps[i], set->vgs[i], only_vg == set->vgs[i] ? only : NULL)) {
			cli_err(c, "out of memory");
			status = EXIT_FAILED;
			goto out;
		}
		report_problems(&maps[i], &set->report);
		if (oo.want_generation && set->vgs[i]->id) {
			/* extents of this generation given to other LVs later */
			struct mlvm_prov *pr = NULL;
			const struct mlvm_lv *lv = only_vg == set->vgs[i] ? only : NULL;
			int rc = mlvm_prov_from_set(set, set->vgs[i]->id, &pr);

			if (!rc)
				rc = mlvm_prov_warn(pr, set->vgs[i], lv, &set->report, NULL, NULL, NULL);
			mlvm_prov_free(pr);
			if (rc) {
				cli_err(c, "cannot work out which extents later generations reused: %s",
					strerror(-rc));
				status = EXIT_FAILED;
				goto out;
			}
		}
	}
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "vgs");
		for (i = 0; i < set->n_vgs; i++)
			if (maps[i].vg)
				json_vg(&j, &maps[i], only);
		json_end_array(&j);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else {
		for (i = 0; i < set->n_vgs; i++) {
			if (!maps[i].vg)
				continue;
			if (!first)
				fputc('\n', stdout);
			first = false;
			text_vg(&maps[i], only, stdout);
		}
	}
	if (!cli_output_ok(c, write_failed)) {
		status = EXIT_FAILED;
		goto out;
	}
	cli_print_report(c, &set->report);
out:
	for (i = 0; i < set->n_vgs; i++)
		vgmap_free(&maps[i]);
	free(maps);
	mlvm_set_free(set);
	return status;
}
