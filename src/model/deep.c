/*
 * deep.c - copies of metadata text anywhere in the set's images (deep.h).
 */
#include "model/deep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/assemble.h"
#include "model/locate.h"
#include "model/loose.h"
#include "disk/scan.h"
#include "text/carve.h"
#include "text/deepcarve.h"

/* the metadata areas found on image src: the rings, carved by place (not
 * the ring guessed for a PV found by its text alone: it may span anything) */
static int area_ranges(const struct mlvm_set *set, const struct mlvm_source *src,
		       struct mlvm_byte_range **out, size_t *n)
{
	size_t i, k = 0;
	unsigned m;

	*out = calloc(set->n_devs * MLVM_MAX_MDAS + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < set->n_devs; i++)
		for (m = 0; m < set->devs[i].n_mda; m++) {
			const struct mlvm_mda_info *a = &set->devs[i].mda[m];

			if (set->devs[i].src != src || !a->size ||
			    set->devs[i].found_by == MLVM_FOUND_TEXT)
				continue;
			(*out)[k].start = a->abs;
			(*out)[k].end = a->abs + a->size < a->abs ? UINT64_MAX : a->abs + a->size;
			k++;
		}
	*n = k;
	return 0;
}

/* what the sector scan's read found, per source */
struct deep_pass {
	bool kept;
	struct mlvm_text_copy *c;
	size_t n;
};

static int feed_piece(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t base)
{
	/* an error: a pass of its own later */
	(void)mlvm_deepcarver_feed_slot(ctx, slot, buf, len, base);
	return 0;
}

/* on the reader threads: the carver's search of the piece */
static void search_piece(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t base)
{
	mlvm_deepcarver_work(ctx, slot, buf, len, base);
}

int mlvm_set_deep_piece(struct mlvm_set *set, struct mlvm_source *src,
			struct mlvm_scan_opts *o, struct mlvm_deepcarver **dc)
{
	struct mlvm_deepcarve_opts co = { .max_copies = 4 * MLVM_DEEPCARVE_MAX_COPIES };
	int rc;

	(void)set;
	rc = mlvm_deepcarver_new(src, &co, dc);
	if (rc < 0)
		return rc;
	o->piece = feed_piece;
	o->piece_work = search_piece;
	o->piece_ctx = *dc;
	return 0;
}

int mlvm_set_deep_keep(struct mlvm_set *set, size_t si, struct mlvm_deepcarver *dc)
{
	struct deep_pass *p = set->deep;
	struct mlvm_text_copy *c = NULL;
	size_t n = 0;
	bool cut = false, whole = mlvm_deepcarver_done(dc);
	int rc;

	rc = mlvm_deepcarver_finish(dc, &c, &n, &cut);
	if (rc < 0 || cut || !whole) {
		free(c);
		return rc == -ENOMEM ? rc : 0;	/* mlvm_set_carve_images reads it again */
	}
	if (!p) {
		p = calloc(set->n_srcs, sizeof(*p));
		if (!p) {
			free(c);
			return -ENOMEM;
		}
		set->deep = p;
	}
	free(p[si].c);
	p[si].kept = true;
	p[si].c = c;
	p[si].n = n;
	return 0;
}

void mlvm_set_deep_free(struct mlvm_set *set)
{
	struct deep_pass *p = set->deep;
	size_t i;

	for (i = 0; p && i < set->n_srcs; i++)
		free(p[i].c);
	free(p);
	set->deep = NULL;
}

static bool in_ranges(const struct mlvm_byte_range *r, size_t n, uint64_t off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (off >= r[i].start && off < r[i].end)
			return true;
	return false;
}

static int add_copy(struct mlvm_set *set, struct mlvm_source *src, const struct mlvm_text_copy *c)
{
	struct mlvm_loose l;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = mlvm_deepcarve_text(src, c, &l.text, &l.len);
	if (rc < 0) {
		if (rc == -ENOMEM)
			return rc;
		mlvm_warn(&set->report, "deep_carve", src->name, c->offset,
			  "cannot read the metadata text found at byte %llu: %s",
			  (unsigned long long)c->offset, strerror(-rc));
		return 0;
	}
	rc = mlvm_carve_copy(l.text, l.len, &l.g, &l.archive_format, &l.command);
	if (rc < 0) {
		mlvm_loose_clear(&l);
		return rc;
	}
	l.g.offset = c->offset;
	l.g.size = c->len;
	if (!c->complete) {
		l.g.complete = false;
		l.g.parse_ok = false;
	}
	l.g.fragment = c->fragment;
	l.archive_format = c->archive_format;
	l.origin = MLVM_ORIGIN_IMAGE;
	l.src = src;
	return mlvm_set_add_loose(set, &l);
}

int mlvm_set_carve_images(struct mlvm_set *set)
{
	size_t s, i;
	int rc = 0;

	for (s = 0; s < set->n_srcs && !rc; s++) {
		struct mlvm_source *src = set->srcs[s];
		struct mlvm_deepcarve_opts o = { 0 };
		struct mlvm_byte_range *skip;
		struct mlvm_text_copy *c = NULL;
		size_t n = 0;
		bool cut = false;

		rc = area_ranges(set, src, &skip, &o.n_skip);
		if (rc)
			break;
		o.skip = skip;
		if (set->deep && ((struct deep_pass *)set->deep)[s].kept) {
			/* read along with the sector scan: drop the rings' copies now */
			struct deep_pass *p = &((struct deep_pass *)set->deep)[s];
			size_t k = 0;

			c = p->c;
			p->c = NULL;
			for (i = 0; i < p->n; i++)
				if (!in_ranges(skip, o.n_skip, c[i].offset))
					c[k++] = c[i];
			n = k;
			if (n > MLVM_DEEPCARVE_MAX_COPIES) {
				n = MLVM_DEEPCARVE_MAX_COPIES;
				cut = true;
			}
		} else {
			rc = mlvm_deepcarve_source(src, &o, &c, &n, &cut);
		}
		free(skip);
		if (rc < 0) {
			if (rc == -ENOMEM)
				break;
			mlvm_warn(&set->report, "deep_carve", src->name, -1,
				  "cannot search %s for metadata text: %s", src->name, strerror(-rc));
			rc = 0;
			continue;
		}
		if (cut)
			mlvm_warn(&set->report, "deep_carve_truncated", src->name,
				  n ? (int64_t)c[n - 1].offset : -1,
				  "more than %u copies of metadata text in %s: the rest of the image was not searched",
				  MLVM_DEEPCARVE_MAX_COPIES, src->name);
		for (i = 0; i < n && !rc; i++)
			rc = add_copy(set, src, &c[i]);
		free(c);
	}
	return rc;
}

int mlvm_set_place_loose(struct mlvm_set *set)
{
	size_t i, v;

	for (i = 0; i < set->n_loose; i++) {
		struct mlvm_loose *l = set->loose[i];

		if (l->origin != MLVM_ORIGIN_IMAGE || !l->src || l->lv)
			continue;
		for (v = 0; v < set->n_vgs; v++) {
			const struct mlvm_vg *vg = set->vgs[v];
			struct mlvm_lv_place p;
			int len;

			if (vg->gone || !mlvm_vg_locate_byte(vg, l->src, l->g.offset, &p))
				continue;
			len = snprintf(NULL, 0, "%s/%s", vg->name, p.lv->name);
			l->lv = malloc((size_t)len + 1);
			if (!l->lv)
				return -ENOMEM;
			snprintf(l->lv, (size_t)len + 1, "%s/%s", vg->name, p.lv->name);
			l->lv_offset = p.offset;
			break;
		}
	}
	return 0;
}
