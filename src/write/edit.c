/*
 * edit.c - the changes mlvm makes to a metadata tree, and their commit
 * (edit.h).
 */
#include "write/edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

/* segments an LV may have for mlvm to change it */
#define MAX_SEGS 4096

/* ------------------------------------------------------------ LVs in the tree */

struct mlvm_wnode *mlvm_edit_lvs(struct mlvm_wnode *vgsec, bool create)
{
	struct mlvm_wnode *l = mlvm_wnode_find(vgsec, "logical_volumes");

	if (!l && create && (l = mlvm_wnode_section("logical_volumes")))
		mlvm_wnode_append(vgsec, l);
	return l;
}

struct mlvm_wnode *mlvm_edit_find_lv(struct mlvm_wnode *vgsec, const char *name)
{
	struct mlvm_wnode *lv = mlvm_wnode_find(mlvm_edit_lvs(vgsec, false), name);

	return lv && lv->type == CFG_SECTION ? lv : NULL;
}

static bool is_str(const struct mlvm_wnode *e)
{
	return e->type == CFG_STRING || e->type == CFG_WORD;
}

bool mlvm_wnode_array_has(const struct mlvm_wnode *arr, const char *s)
{
	const struct mlvm_wnode *e;

	for (e = arr ? arr->child : NULL; e; e = e->next)
		if (is_str(e) && !strcmp(e->s, s))
			return true;
	return false;
}

/* does any string value under n equal name? */
static bool mentions(const struct mlvm_wnode *n, const char *name)
{
	for (; n; n = n->next) {
		if (is_str(n) && n->s && !strcmp(n->s, name))
			return true;
		if ((n->type == CFG_SECTION || n->type == CFG_ARRAY) && mentions(n->child, name))
			return true;
	}
	return false;
}

bool mlvm_edit_lv_plain(struct mlvm_wnode *vgsec, struct mlvm_wnode *lv, char *why, size_t len)
{
	struct mlvm_wnode *l = mlvm_edit_lvs(vgsec, false), *o, *s;

	if (!mlvm_wnode_array_has(mlvm_wnode_find(lv, "status"), "VISIBLE")) {
		snprintf(why, len, "it is a hidden sub-LV");
		return false;
	}
	for (s = lv->child; s; s = s->next) {
		struct mlvm_wnode *type, *stripes;

		if (s->type != CFG_SECTION)
			continue;
		type = mlvm_wnode_find(s, "type");
		stripes = mlvm_wnode_find(s, "stripes");
		if (!type || type->type != CFG_STRING || strcmp(type->s, "striped") || !stripes) {
			snprintf(why, len, "it has a segment of type %s (mlvm changes linear and "
				 "striped LVs only)", type && type->s ? type->s : "?");
			return false;
		}
	}
	for (o = l ? l->child : NULL; o; o = o->next)
		if (o != lv && o->type == CFG_SECTION && mentions(o->child, lv->key)) {
			snprintf(why, len, "LV %s refers to it", o->key);
			return false;
		}
	return true;
}

/* the segments of an LV section, in order */
static size_t lv_segments(struct mlvm_wnode *lv, struct mlvm_wnode **segs, size_t max)
{
	struct mlvm_wnode *s;
	size_t n = 0;

	for (s = lv->child; s; s = s->next)
		if (s->type == CFG_SECTION && n < max)
			segs[n++] = s;
	return n;
}

static int64_t seg_int(struct mlvm_wnode *s, const char *key)
{
	struct mlvm_wnode *n = mlvm_wnode_find(s, key);

	return n && n->type == CFG_INT ? n->i : -1;
}

static struct mlvm_wnode *make_segment(unsigned idx, uint64_t start, uint64_t count,
				       const char *pv, uint64_t pe)
{
	char key[32];
	struct mlvm_wnode *s, *arr, *e1, *e2;

	snprintf(key, sizeof(key), "segment%u", idx);
	s = mlvm_wnode_section(key);
	arr = mlvm_wnode_array("stripes");
	e1 = mlvm_wnode_str(NULL, pv);
	e2 = mlvm_wnode_int(NULL, (int64_t)pe);
	if (!s || !arr || !e1 || !e2 || mlvm_wnode_set_int(s, "start_extent", (int64_t)start) ||
	    mlvm_wnode_set_int(s, "extent_count", (int64_t)count) ||
	    mlvm_wnode_set_str(s, "type", "striped") || mlvm_wnode_set_int(s, "stripe_count", 1)) {
		mlvm_wnode_free(s);
		mlvm_wnode_free(arr);
		mlvm_wnode_free(e1);
		mlvm_wnode_free(e2);
		return NULL;
	}
	mlvm_wnode_append(arr, e1);
	mlvm_wnode_append(arr, e2);
	mlvm_wnode_append(s, arr);
	return s;
}

/* append runs as segments to an LV, growing its last segment when a run
 * continues it on the same PV; the number of segments in *n_segs */
static int add_runs(const struct mlvm_vg *vg, struct mlvm_wnode *lv, const struct mlvm_run *runs,
		    size_t n_runs, size_t *n_segs)
{
	struct mlvm_wnode *segs[MAX_SEGS], *last;
	size_t n = lv_segments(lv, segs, MAX_SEGS), i;
	uint64_t total = 0;

	for (i = 0; i < n; i++)
		total += (uint64_t)seg_int(segs[i], "extent_count");
	last = n ? segs[n - 1] : NULL;
	for (i = 0; i < n_runs; i++) {
		struct mlvm_wnode *st = last ? mlvm_wnode_find(last, "stripes") : NULL;
		const char *pv = vg->pvs[runs[i].pv].name;

		if (last && seg_int(last, "stripe_count") == 1 && st && mlvm_wnode_count(st) == 2 &&
		    st->child->type == CFG_STRING && !strcmp(st->child->s, pv) &&
		    st->child->next->type == CFG_INT &&
		    (uint64_t)st->child->next->i + (uint64_t)seg_int(last, "extent_count") == runs[i].pe) {
			mlvm_wnode_set_int(last, "extent_count", seg_int(last, "extent_count") +
					   (int64_t)runs[i].len);
		} else {
			struct mlvm_wnode *s = make_segment((unsigned)n + 1, total, runs[i].len, pv,
							    runs[i].pe);

			if (!s)
				return -ENOMEM;
			mlvm_wnode_append(lv, s);
			last = s;
			n++;
		}
		total += runs[i].len;
	}
	if (n_segs)
		*n_segs = n;
	return mlvm_wnode_set_int(lv, "segment_count", (int64_t)n);
}

/* need extents from a fresh allocator over vg: 0, -ENOSPC (free count in
 * *free_extents), -ENOMEM */
static int allocate(const struct mlvm_vg *vg, uint64_t need, int64_t pref_pv, uint64_t pref_pe,
		    struct mlvm_run **runs, size_t *n_runs, uint64_t *free_extents)
{
	struct mlvm_alloc a;
	int rc = mlvm_alloc_init(&a, vg);

	if (!rc) {
		*free_extents = a.n_extents;
		rc = mlvm_alloc_take(&a, need, pref_pv, pref_pe, runs, n_runs);
	}
	mlvm_alloc_free(&a);
	return rc;
}

/* ------------------------------------------------------------ operations */

static int add_strings(struct mlvm_wnode *parent, const char *key, const char *const *v)
{
	struct mlvm_wnode *arr = mlvm_wnode_array(key), *e;

	if (!arr)
		return -ENOMEM;
	mlvm_wnode_append(parent, arr);
	for (; *v; v++) {
		if (!(e = mlvm_wnode_str(NULL, *v)))
			return -ENOMEM;
		mlvm_wnode_append(arr, e);
	}
	return 0;
}

int mlvm_edit_create(const struct mlvm_vg *vg, struct mlvm_wnode *vgsec, const char *name,
		     uint64_t need, const char *id, int64_t when, const char *host,
		     struct mlvm_edit_result *res)
{
	static const char *const status[] = { "READ", "WRITE", "VISIBLE", NULL };
	static const char *const none[] = { NULL };
	struct mlvm_wnode *l, *lv, *after = NULL, *o;
	struct mlvm_run *runs = NULL;
	size_t n_runs = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (mlvm_edit_find_lv(vgsec, name))
		return -EEXIST;
	rc = allocate(vg, need, -1, 0, &runs, &n_runs, &res->free_extents);
	if (rc) {
		free(runs);
		return rc;
	}
	if (!(l = mlvm_edit_lvs(vgsec, true)) || !(lv = mlvm_wnode_section(name))) {
		free(runs);
		return -ENOMEM;
	}
	/* LVM2 writes visible LVs first, then hidden ones */
	for (o = l->child; o; o = o->next)
		if (o->type == CFG_SECTION && mlvm_wnode_array_has(mlvm_wnode_find(o, "status"), "VISIBLE"))
			after = o;
	if (!after)
		for (o = l->child; o && o->type != CFG_SECTION; o = o->next)
			after = o;
	mlvm_wnode_insert_after(l, after, lv);
	if (mlvm_wnode_set_str(lv, "id", id) || add_strings(lv, "status", status) ||
	    add_strings(lv, "flags", none) || mlvm_wnode_set_int(lv, "creation_time", when) ||
	    mlvm_wnode_set_str(lv, "creation_host", host) ||
	    mlvm_wnode_set_int(lv, "segment_count", 0) ||
	    add_runs(vg, lv, runs, n_runs, NULL))
		rc = -ENOMEM;
	res->extents = need;
	res->n_segments = n_runs;
	free(runs);
	return rc;
}

void mlvm_edit_remove(struct mlvm_wnode *vgsec, struct mlvm_wnode *lv)
{
	struct mlvm_wnode *l = mlvm_edit_lvs(vgsec, false);

	mlvm_wnode_unlink(l, lv);
	mlvm_wnode_free(lv);
	if (mlvm_wnode_count(l) == 0) {
		mlvm_wnode_unlink(vgsec, l);
		mlvm_wnode_free(l);
	}
}

int mlvm_edit_rename(struct mlvm_wnode *vgsec, struct mlvm_wnode *lv, const char *name)
{
	char *k;

	if (mlvm_edit_find_lv(vgsec, name))
		return -EEXIST;
	if (!(k = strdup(name)))
		return -ENOMEM;
	free(lv->key);
	lv->key = k;
	return 0;
}

int mlvm_edit_lv_extents(struct mlvm_wnode *lv, uint64_t *extents)
{
	struct mlvm_wnode *segs[MAX_SEGS];
	size_t n = lv_segments(lv, segs, MAX_SEGS), i;

	*extents = 0;
	if (n >= MAX_SEGS)
		return -E2BIG;
	for (i = 0; i < n; i++)
		*extents += (uint64_t)seg_int(segs[i], "extent_count");
	return 0;
}

/* shrink to want (< the LV's extents): cut segments from the end */
static int shrink(struct mlvm_wnode *lv, struct mlvm_wnode **segs, size_t n, uint64_t want,
		  struct mlvm_edit_result *res)
{
	size_t cut = n, i;

	/* the segment the new end falls in; every one after it goes */
	while (cut > 0 && (uint64_t)seg_int(segs[cut - 1], "start_extent") >= want)
		cut--;
	if (cut > 0) {
		int64_t se = seg_int(segs[cut - 1], "start_extent");
		int64_t cnt = seg_int(segs[cut - 1], "extent_count");
		int64_t sc = seg_int(segs[cut - 1], "stripe_count");

		if ((uint64_t)(se + cnt) > want) {
			uint64_t keep = want - (uint64_t)se;

			if (sc > 1 && keep % (uint64_t)sc) {
				res->keep = keep;
				res->stripes = sc;
				return -EINVAL;
			}
			mlvm_wnode_set_int(segs[cut - 1], "extent_count", (int64_t)keep);
		}
	}
	for (i = cut; i < n; i++) {
		mlvm_wnode_unlink(lv, segs[i]);
		mlvm_wnode_free(segs[i]);
	}
	return mlvm_wnode_set_int(lv, "segment_count", (int64_t)cut);
}

int mlvm_edit_resize(const struct mlvm_vg *vg, struct mlvm_wnode *lv, uint64_t want,
		     struct mlvm_edit_result *res)
{
	struct mlvm_wnode *segs[MAX_SEGS], *last, *st;
	size_t n = lv_segments(lv, segs, MAX_SEGS), n_runs = 0;
	struct mlvm_run *runs = NULL;
	int64_t pref_pv = -1;
	uint64_t pref_pe = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = mlvm_edit_lv_extents(lv, &res->before)))
		return rc;
	res->extents = want;
	if (want == res->before) {
		res->unchanged = true;
		return 0;
	}
	if (want < res->before)
		return shrink(lv, segs, n, want, res);
	/* grow: the last segment in place when it is linear and can */
	last = n ? segs[n - 1] : NULL;
	st = last ? mlvm_wnode_find(last, "stripes") : NULL;
	if (last && seg_int(last, "stripe_count") == 1 && st && st->child &&
	    st->child->type == CFG_STRING && st->child->next && st->child->next->type == CFG_INT) {
		pref_pv = mlvm_vg_pv_index(vg, st->child->s);
		pref_pe = (uint64_t)st->child->next->i + (uint64_t)seg_int(last, "extent_count");
	}
	rc = allocate(vg, want - res->before, pref_pv, pref_pe, &runs, &n_runs, &res->free_extents);
	if (!rc)
		rc = add_runs(vg, lv, runs, n_runs, NULL);
	free(runs);
	return rc;
}

int mlvm_edit_tag(struct mlvm_wnode *lv, const char *tag, bool add, struct mlvm_edit_result *res)
{
	struct mlvm_wnode *tags = mlvm_wnode_find(lv, "tags"), *e;

	memset(res, 0, sizeof(*res));
	if (tags && tags->type != CFG_ARRAY)
		return -ENOTDIR;
	if (add == mlvm_wnode_array_has(tags, tag)) {
		res->unchanged = true;
		return 0;
	}
	if (add) {
		if (!tags) {
			struct mlvm_wnode *after = mlvm_wnode_find(lv, "flags");

			if (!after)
				after = mlvm_wnode_find(lv, "status");
			if (!(tags = mlvm_wnode_array("tags")))
				return -ENOMEM;
			mlvm_wnode_insert_after(lv, after, tags);
		}
		if (!(e = mlvm_wnode_str(NULL, tag)))
			return -ENOMEM;
		mlvm_wnode_append(tags, e);
		return 0;
	}
	for (e = tags->child; e; e = e->next)
		if (is_str(e) && !strcmp(e->s, tag))
			break;
	mlvm_wnode_unlink(tags, e);
	mlvm_wnode_free(e);
	/* LVM2 writes no tags key for an empty list */
	if (!tags->child) {
		mlvm_wnode_unlink(lv, tags);
		mlvm_wnode_free(tags);
	}
	return 0;
}

/* ------------------------------------------------------------ commit */

/* seqno + 1 and the top-level keys of a new generation */
static int stamp(struct mlvm_wnode *root, struct mlvm_wnode *seq, const char *cmdline,
		 const char *host)
{
	struct mlvm_buf desc = { 0 };
	int rc = 0;

	seq->i++;
	mlvm_buf_printf(&desc, "Write from %s.", cmdline);
	if (!mlvm_wnode_find(root, "contents"))
		mlvm_wnode_set_str(root, "contents", "Text Format Volume Group");
	if (!mlvm_wnode_find(root, "version"))
		mlvm_wnode_set_int(root, "version", 1);
	if (mlvm_wnode_set_str(root, "description", desc.data ? desc.data : "") ||
	    mlvm_wnode_set_str(root, "creation_host", host) ||
	    mlvm_wnode_set_int(root, "creation_time", (int64_t)time(NULL)))
		rc = -ENOMEM;
	mlvm_buf_free(&desc);
	return rc;
}

/* does text read back as the VG meant, without a single complaint? */
static int read_back(const struct mlvm_buf *text, int64_t seqno, const char *expect_vg,
		     struct mlvm_report *check)
{
	struct mlvm_report r;
	struct mlvm_vg *vg = NULL;
	char *copy = malloc(text->len + 1);
	size_t i;
	int rc;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text->data, text->len + 1);
	mlvm_report_init(&r);
	rc = mlvm_vg_from_text(copy, text->len, &vg, &r, NULL, -1);
	if (rc == -ENOMEM) {
		mlvm_report_free(&r);
		return rc;
	}
	if (rc || mlvm_report_count(&r, MLVM_SEV_WARNING) ||
	    (unsigned long long)vg->seqno != (unsigned long long)seqno ||
	    (expect_vg && strcmp(vg->name, expect_vg))) {
		for (i = 0; i < r.n; i++)
			mlvm_report_add(check, r.items[i].severity, r.items[i].code, r.items[i].image,
					r.items[i].offset, "%s", r.items[i].message);
		rc = -EPROTO;
	}
	mlvm_vg_free(vg);
	mlvm_report_free(&r);
	return rc;
}

int mlvm_commit_tree(struct mlvm_wnode *root, struct mlvm_commit_area *areas, size_t n_areas,
		     const char *cmdline, const char *host, const char *uname, const char *expect_vg,
		     struct mlvm_report *check, struct mlvm_commit_result *res)
{
	struct mlvm_wnode *seq = mlvm_wnode_find(mlvm_wnode_vg(root), "seqno");
	struct mlvm_text_style st = { .uname = uname };
	struct mlvm_buf text = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	if (!seq || seq->type != CFG_INT || seq->i < 0 || seq->i >= UINT32_MAX) {
		res->failed = MLVM_COMMIT_SEQNO;
		return -EINVAL;
	}
	if ((rc = stamp(root, seq, cmdline, host)))
		return rc;
	rc = mlvm_text_serialize(root, &st, &text);
	if (rc) {
		res->failed = MLVM_COMMIT_LAYOUT;
		goto out;
	}
	rc = read_back(&text, seq->i, expect_vg, check);
	if (rc) {
		if (rc != -ENOMEM)
			res->failed = MLVM_COMMIT_CHECK;
		goto out;
	}
	rc = mlvm_commit(areas, n_areas, text.data, text.len, check);
	if (rc)
		res->failed = MLVM_COMMIT_WRITE;
	else
		res->seqno = (uint64_t)seq->i;
out:
	mlvm_buf_free(&text);
	return rc;
}
