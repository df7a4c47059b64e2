/*
 * api.c - libmlvm's public interface (<mlvm/mlvm.h>) over the library's
 * internals: the assembler (assemble.h), the VG model (vg.h), the carved
 * generations (carve.h), the LV reader (lvmap.h) and the report
 * (report.h).
 *
 * Layer: the public API, the top of the library. May include every library
 * header of src/ and include/mlvm/mlvm.h; never the command line (cli.h,
 * json.h) or tui/. Nothing here prints.
 *
 * A handle is one assembled set plus what the accessors need: the paths
 * and flags (to open the images again as of a generation) and the carved
 * generations of every metadata area, sorted as `mlvm history` lists them.
 * The error message of the last failure is kept per thread.
 */
#include <mlvm/mlvm.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/assemble.h"
#include "text/carve.h"
#include "map/lvmap.h"
#include "map/nested.h"
#include "base/report.h"
#include "io/source.h"
#include "model/vg.h"
#include "model/vgspec.h"

struct libmlvm_handle {
	struct mlvm_set *set;
	char **paths;
	size_t n_paths;
	unsigned flags;
	struct mlvm_gen_ref *gens;
	size_t n_gens;
	char **long_desc;	/* per generation: its description whole when longer
				 * than the 255 bytes carved, else NULL */
	char *gen_vg;		/* libmlvm_open_vg_generation's VG and copy (the
				 * set's options point at them) */
	struct mlvm_copy_choice copy;
};

struct libmlvm_lv_reader {
	struct mlvm_lv_reader *rd;
};

static _Thread_local char last_error[768];

__attribute__((format(printf, 2, 3)))
static int fail(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return rc;
}

const char *libmlvm_version(void)
{
	return LIBMLVM_VERSION;
}

const char *libmlvm_error(void)
{
	return last_error;
}

/* ------------------------------------------------------------ handles */

static int collect_generations(struct libmlvm_handle *h)
{
	size_t i;
	int rc = mlvm_set_generations(h->set, &h->gens, &h->n_gens);

	if (rc || !h->n_gens)
		return rc;
	h->long_desc = calloc(h->n_gens, sizeof(*h->long_desc));
	if (!h->long_desc)
		return -ENOMEM;
	for (i = 0; i < h->n_gens; i++)
		if (h->gens[i].g->description_cut &&
		    mlvm_gen_ref_description(h->set, &h->gens[i], &h->long_desc[i]) == -ENOMEM)
			return -ENOMEM;
	return 0;
}

/* the newest error that refused a generation's copies, or NULL */
static const char *refusal(const struct mlvm_report *r)
{
	size_t i;

	for (i = r->n; i-- > 0;)
		if (r->items[i].code && (!strcmp(r->items[i].code, "generation_ambiguous") ||
					 !strcmp(r->items[i].code, "copy_choice")))
			return r->items[i].message;
	return NULL;
}

/* the VG answering to spec is there as of generation seqno */
static bool gen_vg_there(const struct mlvm_set *set, const char *spec, uint64_t seqno)
{
	size_t i;

	for (i = 0; i < set->n_vgs; i++)
		if (set->vgs[i]->seqno == seqno &&
		    mlvm_vgspec_match(spec, set->vgs[i]->name, set->vgs[i]->id))
			return true;
	return false;
}

#define OPEN_FLAGS (LIBMLVM_OPEN_STRICT | LIBMLVM_OPEN_DEEP | LIBMLVM_OPEN_NO_NESTED)

/* what a generation open is for: one VG (NULL: every VG), one copy (image
 * NULL: the copies decide) */
struct gen_want {
	const char *vg;
	const char *copy_image;
	uint64_t copy_offset;
};

static int open_set(const char *const *paths, size_t n, unsigned flags, bool want_gen,
		    uint64_t seqno, const struct gen_want *gw, struct libmlvm_handle **out)
{
	struct mlvm_open_opts oo = { .carve = true };
	struct libmlvm_handle *h;
	size_t i;
	int rc;

	if (!out)
		return fail(-EINVAL, "no place for the handle given");
	*out = NULL;
	if (!paths || n == 0)
		return fail(-EINVAL, "no image given");
	if (flags & ~OPEN_FLAGS)
		return fail(-EINVAL, "unknown flags 0x%x", flags & ~OPEN_FLAGS);
	for (i = 0; i < n; i++)
		if (!paths[i] || !*paths[i])
			return fail(-EINVAL, "image %zu: empty path", i);
	oo.strict = flags & LIBMLVM_OPEN_STRICT;
	oo.deep = flags & LIBMLVM_OPEN_DEEP;
	oo.want_generation = want_gen;
	oo.generation = seqno;
	h = calloc(1, sizeof(*h));
	if (!h)
		return fail(-ENOMEM, "out of memory");
	h->flags = flags;
	h->paths = calloc(n, sizeof(*h->paths));
	if (gw && gw->vg && !(h->gen_vg = strdup(gw->vg))) {
		libmlvm_close(h);
		return fail(-ENOMEM, "out of memory");
	}
	oo.generation_vg = h->gen_vg;
	if (gw && gw->copy_image) {
		h->copy.image = strdup(gw->copy_image);
		h->copy.offset = gw->copy_offset;
		if (!h->copy.image) {
			libmlvm_close(h);
			return fail(-ENOMEM, "out of memory");
		}
		oo.copy_at = &h->copy;
	}
	h->set = mlvm_set_new(&oo);
	if (!h->paths || !h->set) {
		libmlvm_close(h);
		return fail(-ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		h->paths[i] = strdup(paths[i]);
		if (!h->paths[i]) {
			libmlvm_close(h);
			return fail(-ENOMEM, "out of memory");
		}
		h->n_paths++;
	}
	for (i = 0; i < n; i++) {
		rc = mlvm_set_add_path(h->set, paths[i]);
		if (rc) {
			char buf[512];

			fail(rc, "%s", mlvm_set_open_message(h->set, paths[i], rc, buf, sizeof(buf)));
			libmlvm_close(h);
			return rc;
		}
	}
	rc = flags & LIBMLVM_OPEN_NO_NESTED ? mlvm_set_assemble(h->set) :
					      mlvm_set_assemble_nested(h->set);
	if (rc < 0) {
		libmlvm_close(h);
		return fail(rc, "cannot assemble the images: %s", strerror(-rc));
	}
	if (want_gen && h->gen_vg && !gen_vg_there(h->set, h->gen_vg, seqno)) {
		const char *why = refusal(&h->set->report);

		if (why)
			fail(-ENOENT, "%s", why);
		else
			fail(-ENOENT, "vg %s: no intact metadata generation %llu in the images given",
			     h->gen_vg, (unsigned long long)seqno);
		libmlvm_close(h);
		return -ENOENT;
	}
	if (want_gen && h->set->n_vgs == 0) {
		libmlvm_close(h);
		return fail(-ENOENT, "no vg has an intact metadata generation %llu in the images given",
			    (unsigned long long)seqno);
	}
	rc = collect_generations(h);
	if (rc) {
		libmlvm_close(h);
		return fail(rc, "out of memory");
	}
	*out = h;
	return 0;
}

int libmlvm_open(const char *const *paths, size_t n, unsigned flags,
		 struct libmlvm_handle **out)
{
	return open_set(paths, n, flags, false, 0, NULL, out);
}

int libmlvm_open_generation(const char *const *paths, size_t n, unsigned flags,
			    uint64_t seqno, struct libmlvm_handle **out)
{
	return open_set(paths, n, flags, true, seqno, NULL, out);
}

int libmlvm_open_vg_generation(const char *const *paths, size_t n, unsigned flags,
			       const char *vg, uint64_t seqno, const char *copy_image,
			       uint64_t copy_offset, struct libmlvm_handle **out)
{
	struct gen_want gw = { vg, copy_image, copy_offset };

	if (!vg || !*vg) {
		if (out)
			*out = NULL;
		return fail(-EINVAL, "no vg given");
	}
	return open_set(paths, n, flags, true, seqno, &gw, out);
}

int libmlvm_handle_at_generation(const struct libmlvm_handle *h, uint64_t seqno,
				 struct libmlvm_handle **out)
{
	if (!h)
		return fail(-EINVAL, "no handle given");
	return open_set((const char *const *)h->paths, h->n_paths, h->flags, true, seqno, NULL, out);
}

void libmlvm_close(struct libmlvm_handle *h)
{
	size_t i;

	if (!h)
		return;
	if (h->set)
		mlvm_set_free(h->set);
	for (i = 0; i < h->n_paths; i++)
		free(h->paths[i]);
	free(h->paths);
	for (i = 0; h->long_desc && i < h->n_gens; i++)
		free(h->long_desc[i]);
	free(h->long_desc);
	free(h->gens);
	free(h->gen_vg);
	free((char *)h->copy.image);
	free(h);
}

size_t libmlvm_image_count(const struct libmlvm_handle *h)
{
	return h ? h->n_paths : 0;
}

const char *libmlvm_image_path(const struct libmlvm_handle *h, size_t image)
{
	return h && image < h->n_paths ? h->paths[image] : NULL;
}

/* ------------------------------------------------------------ VGs */

static const struct mlvm_vg *get_vg(const struct libmlvm_handle *h, size_t vg)
{
	return h && vg < h->set->n_vgs ? h->set->vgs[vg] : NULL;
}

size_t libmlvm_vg_count(const struct libmlvm_handle *h)
{
	return h ? h->set->n_vgs : 0;
}

const char *libmlvm_vg_name(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v ? v->name : NULL;
}

const char *libmlvm_vg_uuid(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v ? v->id : NULL;
}

uint64_t libmlvm_vg_seqno(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v ? v->seqno : 0;
}

uint64_t libmlvm_vg_extent_size(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	if (!v || v->extent_size > UINT64_MAX / 512)
		return 0;
	return v->extent_size * 512;
}

int libmlvm_vg_gone(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v && v->gone;
}

int libmlvm_vg_find(const struct libmlvm_handle *h, const char *name)
{
	size_t i;

	int found = -1;

	if (!h || !name)
		return fail(-EINVAL, "no handle or name given");
	for (i = 0; i < h->set->n_vgs && i < INT32_MAX; i++) {
		const struct mlvm_vg *v = h->set->vgs[i];

		if (!mlvm_vgspec_match(name, v->name, v->id))
			continue;
		if (found >= 0)	/* two VGs of one name: the caller must say which */
			return fail(-EEXIST, "several vgs answer to %s (%s@%s, %s@%s, ...): name one as NAME@UUID or by its uuid",
				    name, h->set->vgs[found]->name, h->set->vgs[found]->id ? h->set->vgs[found]->id : "?",
				    v->name, v->id ? v->id : "?");
		found = (int)i;
	}
	if (found >= 0)
		return found;
	return fail(-ENOENT, "no vg %s in the images given", name);
}

/* ------------------------------------------------------------ PVs */

static const struct mlvm_pv *get_pv(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v && pv < v->n_pvs ? &v->pvs[pv] : NULL;
}

size_t libmlvm_pv_count(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v ? v->n_pvs : 0;
}

const char *libmlvm_pv_name(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_pv *p = get_pv(h, vg, pv);

	return p ? p->name : NULL;
}

const char *libmlvm_pv_uuid(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_pv *p = get_pv(h, vg, pv);

	return p ? p->id : NULL;
}

const char *libmlvm_pv_image(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_pv *p = get_pv(h, vg, pv);

	return p && !p->missing && p->src ? p->src->name : NULL;
}

uint64_t libmlvm_pv_offset(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_pv *p = get_pv(h, vg, pv);

	return p && !p->missing && p->src ? p->offset : 0;
}

unsigned libmlvm_pv_nested_depth(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_pv *p = get_pv(h, vg, pv);

	return p && !p->missing && p->src && p->src->inside ? p->src->inside->depth : 0;
}

int libmlvm_pv_missing(const struct libmlvm_handle *h, size_t vg, size_t pv)
{
	const struct mlvm_pv *p = get_pv(h, vg, pv);

	return p && (p->missing || !p->src);
}

/* ------------------------------------------------------------ LVs */

static const struct mlvm_lv *get_lv(const struct libmlvm_handle *h, size_t vg, size_t lv)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v && lv < v->n_lvs ? &v->lvs[lv] : NULL;
}

size_t libmlvm_lv_count(const struct libmlvm_handle *h, size_t vg)
{
	const struct mlvm_vg *v = get_vg(h, vg);

	return v ? v->n_lvs : 0;
}

const char *libmlvm_lv_name(const struct libmlvm_handle *h, size_t vg, size_t lv)
{
	const struct mlvm_lv *l = get_lv(h, vg, lv);

	return l ? l->name : NULL;
}

const char *libmlvm_lv_uuid(const struct libmlvm_handle *h, size_t vg, size_t lv)
{
	const struct mlvm_lv *l = get_lv(h, vg, lv);

	return l ? l->id : NULL;
}

uint64_t libmlvm_lv_size(const struct libmlvm_handle *h, size_t vg, size_t lv)
{
	const struct mlvm_lv *l = get_lv(h, vg, lv);

	return l ? mlvm_lv_size(h->set->vgs[vg], l) : 0;
}

int libmlvm_lv_visible(const struct libmlvm_handle *h, size_t vg, size_t lv)
{
	const struct mlvm_lv *l = get_lv(h, vg, lv);

	return l && l->visible;
}

size_t libmlvm_lv_segment_count(const struct libmlvm_handle *h, size_t vg, size_t lv)
{
	const struct mlvm_lv *l = get_lv(h, vg, lv);

	return l ? l->n_segs : 0;
}

const char *libmlvm_lv_segment_type(const struct libmlvm_handle *h, size_t vg, size_t lv,
				    size_t seg)
{
	const struct mlvm_lv *l = get_lv(h, vg, lv);

	return l && seg < l->n_segs ? l->segs[seg].type : NULL;
}

int libmlvm_lv_find(const struct libmlvm_handle *h, size_t vg, const char *name)
{
	const struct mlvm_vg *v = get_vg(h, vg);
	int i;

	if (!v || !name)
		return fail(-EINVAL, "no such vg, or no name given");
	i = mlvm_vg_lv_index(v, name);
	if (i < 0)
		return fail(-ENOENT, "no lv named %s in vg %s", name, v->name);
	return i;
}

/* ------------------------------------------------------------ generations */

static const struct mlvm_gen_ref *get_gen(const struct libmlvm_handle *h, size_t gen)
{
	return h && gen < h->n_gens ? &h->gens[gen] : NULL;
}

size_t libmlvm_generation_count(const struct libmlvm_handle *h)
{
	return h ? h->n_gens : 0;
}

const char *libmlvm_generation_vg_name(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g && g->g->vg_name[0] ? g->g->vg_name : NULL;
}

const char *libmlvm_generation_vg_uuid(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g && g->g->vg_id[0] ? g->g->vg_id : NULL;
}

int libmlvm_generation_seqno(const struct libmlvm_handle *h, size_t gen, uint64_t *seqno)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	if (!g || !seqno)
		return fail(-EINVAL, "no such generation");
	if (!g->g->seqno_known)
		return fail(-ENOENT, "the seqno of the copy at byte %llu of %s was not recovered",
			    (unsigned long long)mlvm_gen_ref_offset(g), mlvm_gen_ref_image(g));
	*seqno = g->g->seqno;
	return 0;
}

const char *libmlvm_generation_image(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g ? mlvm_gen_ref_image(g) : NULL;
}

uint64_t libmlvm_generation_offset(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g ? mlvm_gen_ref_offset(g) : 0;
}

uint64_t libmlvm_generation_size(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g ? g->g->size : 0;
}

const char *libmlvm_generation_state(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g ? mlvm_gen_state_name(mlvm_generation_state(g->g)) : NULL;
}

int libmlvm_generation_intact(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g && mlvm_generation_state(g->g) == MLVM_GEN_OK;
}

int libmlvm_generation_committed(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g && g->g->slot == 0;
}

const char *libmlvm_generation_description(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	if (g && h->long_desc && h->long_desc[gen])
		return h->long_desc[gen];
	return g && g->g->description[0] ? g->g->description : NULL;
}

const char *libmlvm_generation_creation_host(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g && g->g->creation_host[0] ? g->g->creation_host : NULL;
}

uint64_t libmlvm_generation_creation_time(const struct libmlvm_handle *h, size_t gen)
{
	const struct mlvm_gen_ref *g = get_gen(h, gen);

	return g ? g->g->creation_time : 0;
}

/* ------------------------------------------------------------ warnings */

static const struct mlvm_anomaly *get_warning(const struct libmlvm_handle *h, size_t w)
{
	return h && w < h->set->report.n ? &h->set->report.items[w] : NULL;
}

size_t libmlvm_warning_count(const struct libmlvm_handle *h)
{
	return h ? h->set->report.n : 0;
}

int libmlvm_warning_severity(const struct libmlvm_handle *h, size_t w)
{
	const struct mlvm_anomaly *a = get_warning(h, w);

	if (!a)
		return fail(-EINVAL, "no such warning");
	switch (a->severity) {
	case MLVM_SEV_NOTICE:
		return LIBMLVM_NOTICE;
	case MLVM_SEV_WARNING:
		return LIBMLVM_WARNING;
	default:
		return LIBMLVM_ERROR;
	}
}

const char *libmlvm_warning_code(const struct libmlvm_handle *h, size_t w)
{
	const struct mlvm_anomaly *a = get_warning(h, w);

	return a ? a->code : NULL;
}

const char *libmlvm_warning_message(const struct libmlvm_handle *h, size_t w)
{
	const struct mlvm_anomaly *a = get_warning(h, w);

	return a ? a->message : NULL;
}

const char *libmlvm_warning_image(const struct libmlvm_handle *h, size_t w)
{
	const struct mlvm_anomaly *a = get_warning(h, w);

	return a ? a->image : NULL;
}

int64_t libmlvm_warning_offset(const struct libmlvm_handle *h, size_t w)
{
	const struct mlvm_anomaly *a = get_warning(h, w);

	return a ? a->offset : -1;
}

/* ------------------------------------------------------------ reading an LV */

int libmlvm_lv_reader_open(struct libmlvm_handle *h, size_t vg, size_t lv,
			   struct libmlvm_lv_reader **out)
{
	struct mlvm_lv_reader_opts ro = { .leg = -1 };
	const struct mlvm_lv *l = get_lv(h, vg, lv);
	const struct mlvm_vg *v;
	const struct mlvm_pv *amb;
	struct libmlvm_lv_reader *r;
	int rc;

	if (!out)
		return fail(-EINVAL, "no place for the reader given");
	*out = NULL;
	if (!l)
		return fail(-EINVAL, "no lv %zu in vg %zu", lv, vg);
	v = h->set->vgs[vg];
	amb = mlvm_lv_ambiguous_pv(v, l);
	if (amb)
		return fail(-EBUSY, "lv %s of vg %s lies on pv %s (%s), which several images fit equally: its bytes depend on which one it is",
			    l->name, v->name, amb->name, amb->id ? amb->id : "?");
	r = calloc(1, sizeof(*r));
	if (!r)
		return fail(-ENOMEM, "out of memory");
	rc = mlvm_lv_reader_new(v, l, &ro, &r->rd, &h->set->report);
	if (rc) {
		free(r);
		if (rc == -ENOTSUP)
			return fail(rc, "lv %s of vg %s: its segment type cannot be mapped", l->name, v->name);
		if (rc == -ELOOP)
			return fail(rc, "lv %s of vg %s: its LVs refer to each other in a cycle or nest too deep",
				    l->name, v->name);
		return fail(rc, "lv %s of vg %s: %s", l->name, v->name, strerror(-rc));
	}
	*out = r;
	return 0;
}

uint64_t libmlvm_lv_reader_size(const struct libmlvm_lv_reader *rd)
{
	return rd ? mlvm_lv_reader_size(rd->rd) : 0;
}

int64_t libmlvm_lv_reader_read(struct libmlvm_lv_reader *rd, void *buf, size_t len,
			       uint64_t offset)
{
	uint64_t size;
	int rc;

	if (!rd || (!buf && len))
		return fail(-EINVAL, "no reader or buffer given");
	size = mlvm_lv_reader_size(rd->rd);
	if (offset >= size || len == 0)
		return 0;
	if (len > size - offset)
		len = (size_t)(size - offset);
	if (len > INT64_MAX)
		len = INT64_MAX;
	rc = mlvm_lv_read(rd->rd, buf, len, offset);
	if (rc)
		return fail(rc, "cannot read %zu bytes at byte %llu of the lv: %s", len,
			    (unsigned long long)offset, strerror(-rc));
	return (int64_t)len;
}

size_t libmlvm_lv_reader_missing_count(const struct libmlvm_lv_reader *rd)
{
	size_t n = 0;

	if (rd)
		mlvm_lv_reader_missing(rd->rd, &n);
	return n;
}

int libmlvm_lv_reader_missing_range(const struct libmlvm_lv_reader *rd, size_t i,
				    uint64_t *start, uint64_t *len)
{
	const struct mlvm_range *m;
	size_t n = 0;

	if (!rd || !start || !len)
		return fail(-EINVAL, "no reader given");
	m = mlvm_lv_reader_missing(rd->rd, &n);
	if (i >= n)
		return fail(-EINVAL, "no missing range %zu", i);
	*start = m[i].start;
	*len = m[i].len;
	return 0;
}

void libmlvm_lv_reader_close(struct libmlvm_lv_reader *rd)
{
	if (!rd)
		return;
	mlvm_lv_reader_free(rd->rd);
	free(rd);
}
