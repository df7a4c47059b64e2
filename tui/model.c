/*
 * model.c - selection, sorting, folding, filtering, search, generation
 * marks, extent map cells and detail lines for the browser. No curses here:
 * tests/unit/test_tuimodel.c drives all of it.
 */
#include "tui/model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/carve.h"
#include "text/config.h"
#include "base/util.h"
#include "model/usage.h"

/* owner arrays are at most this long per PV: larger PVs share entries */
#define TM_MAP_MAX (1u << 22)
/* owner entries filled at most, whatever overlapping areas a text claims */
#define TM_MAP_BUDGET (1u << 26)
/* children listed in a group's details */
#define TM_MAX_LISTED 500
/* how deep sub-LVs are followed up the folding chain */
#define TM_MAX_DEPTH 64

/* ------------------------------------------------------------ building */

static int32_t add_node(struct tm_model *m, uint8_t kind, uint32_t v, int32_t idx, int32_t parent)
{
	struct tm_node *n;

	if (m->n_nodes == m->cap_nodes) {
		size_t cap = m->cap_nodes ? m->cap_nodes * 2 : 64;

		if (cap > INT32_MAX)
			return -1;
		n = realloc(m->nodes, cap * sizeof(*n));
		if (!n)
			return -1;
		m->nodes = n;
		m->cap_nodes = cap;
	}
	n = &m->nodes[m->n_nodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->vg = v;
	n->idx = idx;
	n->base_idx = -1;
	n->parent = parent;
	n->first_child = -1;
	n->next_sibling = -1;
	return (int32_t)m->n_nodes++;
}

/* link child at the end of parent's children (order is fixed by sorting later) */
static void link_child(struct tm_model *m, int32_t parent, int32_t child)
{
	struct tm_node *p = &m->nodes[parent];

	m->nodes[child].parent = parent;
	m->nodes[child].next_sibling = p->first_child;	/* reversed; sorted later */
	p->first_child = child;
	p->n_children++;
}

/* the LVs a segment key names (pool, metadata, origin, cow_store, ...) */
static int32_t seg_key_lv(const struct mlvm_vg *vg, const struct cfg_node *n)
{
	if (!cfg_key(n) || (cfg_type(n) != CFG_STRING && cfg_type(n) != CFG_WORD) ||
	    !strcmp(cfg_key(n), "type"))
		return -1;
	return mlvm_vg_lv_index(vg, cfg_str(n));
}

static bool would_cycle(const int32_t *parent, int32_t child, int32_t p)
{
	int depth = 0;

	for (; p >= 0 && depth < TM_MAX_DEPTH; p = parent[p], depth++)
		if (p == child)
			return true;
	return depth >= TM_MAX_DEPTH;
}

/* fold each hidden LV under the LV that uses it */
static void fold_hidden(const struct mlvm_vg *vg, int32_t *parent)
{
	uint32_t i, s, k;
	const struct cfg_node *n;

	for (i = 0; i < vg->n_lvs; i++)
		parent[i] = -1;
	/* referred to by an area or a segment key */
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];

		for (s = 0; s < lv->n_segs; s++) {
			const struct mlvm_segment *sg = &lv->segs[s];

			for (k = 0; k < sg->n_areas; k++) {
				int32_t c = sg->areas[k].ref;

				if (sg->areas[k].kind == MLVM_AREA_LV && c >= 0 && (uint32_t)c < vg->n_lvs &&
				    (uint32_t)c != i && !vg->lvs[c].visible && parent[c] < 0 &&
				    !would_cycle(parent, c, (int32_t)i))
					parent[c] = (int32_t)i;
			}
			for (n = sg->node ? cfg_child(sg->node) : NULL; n; n = cfg_next(n)) {
				int32_t c = seg_key_lv(vg, n);

				if (c >= 0 && (uint32_t)c != i && !vg->lvs[c].visible && parent[c] < 0 &&
				    !would_cycle(parent, c, (int32_t)i))
					parent[c] = (int32_t)i;
			}
		}
	}
	/* hidden and used by no one (a snapshot's snapshotN): under what it uses */
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];
		int32_t to = -1, cow = -1;

		if (lv->visible || parent[i] >= 0)
			continue;
		for (s = 0; s < lv->n_segs && cow < 0; s++)
			for (n = lv->segs[s].node ? cfg_child(lv->segs[s].node) : NULL; n; n = cfg_next(n)) {
				int32_t c = seg_key_lv(vg, n);

				if (c < 0 || (uint32_t)c == i)
					continue;
				if (!strcmp(cfg_key(n), "cow_store")) {
					cow = c;
					break;
				}
				if (to < 0)
					to = c;
			}
		if (cow >= 0)
			to = cow;
		if (to >= 0 && !would_cycle(parent, (int32_t)i, to))
			parent[i] = to;
	}
}

/*
 * The extents each LV holds on each PV, from the extent usage model: a map
 * unit holds the lowest-numbered LV with extents in it, or -2 (one extent
 * per unit only) when two LVs claim it.
 */
static int build_owner(struct tm_vgview *w)
{
	const struct mlvm_vg *vg = w->vg;
	struct mlvm_usage us;
	uint64_t budget = TM_MAP_BUDGET;
	uint32_t p;
	size_t i;

	w->owner = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*w->owner));
	w->unit = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*w->unit));
	w->owner_len = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*w->owner_len));
	w->used = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*w->used));
	if (!w->owner || !w->unit || !w->owner_len || !w->used)
		return -ENOMEM;
	for (p = 0; p < vg->n_pvs; p++) {
		uint64_t pe = vg->pvs[p].pe_count, unit = 1, len;

		if (pe > TM_MAP_MAX)
			unit = (pe + TM_MAP_MAX - 1) / TM_MAP_MAX;
		len = (pe + unit - 1) / unit;
		w->unit[p] = unit;
		w->owner_len[p] = len;
		w->owner[p] = malloc((len ? len : 1) * sizeof(int32_t));
		if (!w->owner[p])
			return -ENOMEM;
		for (i = 0; i < len; i++)
			w->owner[p][i] = -1;
	}
	if (mlvm_usage_build(vg, &us)) {
		mlvm_usage_free(&us);
		return -ENOMEM;
	}
	for (p = 0; p < vg->n_pvs; p++)
		w->used[p] = us.pv_used[p];
	for (i = 0; i < us.n_uses && budget; i++) {
		const struct mlvm_extent_use *e = &us.uses[i];
		uint64_t pe = vg->pvs[e->pv].pe_count, unit = w->unit[e->pv], end, u;
		int32_t lv = (int32_t)e->lv;

		if (e->start >= pe || !mlvm_extent_use_count(&us, e))
			continue;
		end = mlvm_extent_use_end(&us, e);
		if (end > pe)
			end = pe;
		for (u = e->start / unit; u <= (end - 1) / unit && budget; u++, budget--) {
			int32_t *o = &w->owner[e->pv][u];

			if (*o == -1)
				*o = lv;
			else if (*o != lv && unit == 1)
				*o = -2;
			else if (*o > lv)
				*o = lv;
		}
	}
	mlvm_usage_free(&us);
	return 0;
}

struct id_ent {
	const char *id;
	int32_t idx;
};

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct id_ent *)a)->id, ((const struct id_ent *)b)->id);
}

static struct id_ent *id_index(const struct mlvm_vg *vg, size_t *n)
{
	struct id_ent *e = malloc((vg->n_lvs ? vg->n_lvs : 1) * sizeof(*e));
	uint32_t i;

	*n = 0;
	if (!e)
		return NULL;
	for (i = 0; i < vg->n_lvs; i++)
		if (vg->lvs[i].id) {
			e[*n].id = vg->lvs[i].id;
			e[*n].idx = (int32_t)i;
			(*n)++;
		}
	qsort(e, *n, sizeof(*e), cmp_id);
	return e;
}

static int32_t id_find(const struct id_ent *e, size_t n, const char *id)
{
	struct id_ent key = { id, -1 }, *f;

	if (!id || !e)
		return -1;
	f = bsearch(&key, e, n, sizeof(*e), cmp_id);
	return f ? f->idx : -1;
}

static int32_t lv_root(const struct tm_vgview *w, int32_t lv);

/* a mark is free and may be used (never '.', '#', '!', '?': they mean other things) */
static bool mark_ok(const bool *used, int c)
{
	return c > 0 && c < 128 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9')) && !used[c];
}

static char pick_mark(const char *name, bool *used)
{
	static const char pool[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;
	int c = 0, pass;

	/* the name's letters and digits in order, in lower case, then upper case */
	for (pass = 0; pass < 2 && !c; pass++)
		for (i = 0; name && name[i] && i < 64 && !c; i++) {
			int ch = (unsigned char)name[i];

			if (ch >= 'A' && ch <= 'Z')
				ch += 'a' - 'A';
			if (pass && ch >= 'a' && ch <= 'z')
				ch += 'A' - 'a';
			if (mark_ok(used, ch))
				c = ch;
		}
	for (i = 0; !c && pool[i]; i++)
		if (mark_ok(used, pool[i]))
			c = pool[i];
	if (!c)
		return TM_MARK_MORE;
	used[c] = true;
	return (char)c;
}

/* a mark and a colour for each top LV that holds extents, its sub-LVs share them */
static int assign_marks(struct tm_vgview *w)
{
	const struct mlvm_vg *vg = w->vg;
	bool used[128] = { false };
	uint32_t i, s, k, rank = 0;

	w->lv_mark = calloc(vg->n_lvs ? vg->n_lvs : 1, 1);
	w->lv_colour = calloc(vg->n_lvs ? vg->n_lvs : 1, 1);
	w->legend = malloc((vg->n_lvs ? vg->n_lvs : 1) * sizeof(int32_t));
	if (!w->lv_mark || !w->lv_colour || !w->legend)
		return -ENOMEM;
	/* which roots hold extents: lv_mark 1 for now */
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];
		bool has = false;

		for (s = 0; s < lv->n_segs && !has; s++)
			for (k = 0; k < lv->segs[s].n_areas && !has; k++)
				has = lv->segs[s].areas[k].kind == MLVM_AREA_PV;
		if (has)
			w->lv_mark[lv_root(w, (int32_t)i)] = 1;
	}
	for (i = 0; i < vg->n_lvs; i++) {
		if (!w->lv_mark[i])
			continue;
		w->lv_mark[i] = pick_mark(vg->lvs[i].name, used);
		w->lv_colour[i] = (uint8_t)(rank % TM_N_COLOURS);
		w->legend[w->n_legend++] = (int32_t)i;
		rank++;
	}
	return 0;
}

char tm_lv_mark(const struct tm_model *m, uint32_t v, int32_t lv)
{
	const struct tm_vgview *w;

	if (v >= m->n_vgs || lv < 0 || (uint32_t)lv >= m->vgs[v].vg->n_lvs)
		return 0;
	w = &m->vgs[v];
	return w->lv_mark[lv_root(w, lv)];
}

unsigned tm_lv_colour(const struct tm_model *m, uint32_t v, int32_t lv)
{
	const struct tm_vgview *w;
	int32_t r;

	if (v >= m->n_vgs || lv < 0 || (uint32_t)lv >= m->vgs[v].vg->n_lvs)
		return 0;
	w = &m->vgs[v];
	r = lv_root(w, lv);
	return w->lv_mark[r] ? w->lv_colour[r] : (unsigned)r % TM_N_COLOURS;
}

static int build_vg(struct tm_model *m, uint32_t v)
{
	struct tm_vgview *w = &m->vgs[v];
	const struct mlvm_vg *vg = w->vg;
	int32_t vgn, gp, gl, n;
	uint32_t i;

	w->lv_node = malloc((vg->n_lvs ? vg->n_lvs : 1) * sizeof(int32_t));
	w->lv_parent = malloc((vg->n_lvs ? vg->n_lvs : 1) * sizeof(int32_t));
	w->pv_node = malloc((vg->n_pvs ? vg->n_pvs : 1) * sizeof(int32_t));
	if (!w->lv_node || !w->lv_parent || !w->pv_node || build_owner(w))
		return -ENOMEM;
	vgn = add_node(m, TM_VG, v, -1, -1);
	if (vgn < 0)
		return -ENOMEM;
	w->node = vgn;
	gp = add_node(m, TM_GROUP_PVS, v, -1, vgn);
	gl = gp < 0 ? -1 : add_node(m, TM_GROUP_LVS, v, -1, vgn);
	if (gl < 0)
		return -ENOMEM;
	link_child(m, vgn, gl);
	link_child(m, vgn, gp);
	for (i = 0; i < vg->n_pvs; i++) {
		n = add_node(m, TM_PV, v, (int32_t)i, gp);
		if (n < 0)
			return -ENOMEM;
		w->pv_node[i] = n;
		link_child(m, gp, n);
	}
	fold_hidden(vg, w->lv_parent);
	if (assign_marks(w))
		return -ENOMEM;
	for (i = 0; i < vg->n_lvs; i++) {
		n = add_node(m, TM_LV, v, (int32_t)i, -1);
		if (n < 0)
			return -ENOMEM;
		w->lv_node[i] = n;
	}
	for (i = 0; i < vg->n_lvs; i++) {
		int32_t p = w->lv_parent[i];

		link_child(m, p >= 0 ? w->lv_node[p] : gl, w->lv_node[i]);
	}
	/* marks against the current generation */
	if (w->base && w->base != vg) {
		size_t nb = 0, na = 0;
		struct id_ent *bi = id_index(w->base, &nb), *ai = id_index(vg, &na);

		if ((!bi && w->base->n_lvs) || (!ai && vg->n_lvs)) {
			free(bi);
			free(ai);
			return -ENOMEM;
		}
		for (i = 0; i < vg->n_lvs; i++) {
			const struct mlvm_lv *lv = &vg->lvs[i];
			struct tm_node *nd = &m->nodes[w->lv_node[i]];
			int32_t b = id_find(bi, nb, lv->id);

			nd->base_idx = b;
			if (b < 0) {
				nd->marks |= TM_MARK_REMOVED;
				w->n_removed++;
				continue;
			}
			if (strcmp(lv->name, w->base->lvs[b].name)) {
				nd->marks |= TM_MARK_RENAMED;
				w->n_renamed++;
			}
			if (lv->extent_count != w->base->lvs[b].extent_count) {
				nd->marks |= TM_MARK_RESIZED;
				w->n_resized++;
			}
		}
		for (i = 0; i < w->base->n_lvs; i++) {
			const struct mlvm_lv *lv = &w->base->lvs[i];

			if (id_find(ai, na, lv->id) >= 0)
				continue;
			n = add_node(m, TM_LV, v, (int32_t)i, -1);
			if (n < 0) {
				free(bi);
				free(ai);
				return -ENOMEM;
			}
			m->nodes[n].ghost = true;
			m->nodes[n].marks = TM_MARK_ADDED;
			m->nodes[n].base_idx = (int32_t)i;
			w->n_added++;
			w->n_later++;
			link_child(m, gl, n);
		}
		free(bi);
		free(ai);
	}
	/* hidden children start folded */
	for (i = 0; i < vg->n_lvs; i++)
		if (m->nodes[w->lv_node[i]].n_children)
			m->nodes[w->lv_node[i]].folded = true;
	return 0;
}

/* ------------------------------------------------------------ guest VGs */

/* the LV of view h whose bytes in names (by uuid, else by name), -1 */
static int32_t inside_lv(const struct tm_vgview *h, const struct mlvm_source_inside *in)
{
	const struct mlvm_vg *vg = h->vg;
	uint32_t i;

	if (in->vg_id && vg->id) {
		if (strcmp(in->vg_id, vg->id))
			return -1;
	} else if (!in->vg || !vg->name || strcmp(in->vg, vg->name)) {
		return -1;
	}
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];

		if ((in->lv_id && lv->id) ? !strcmp(in->lv_id, lv->id) :
		    (in->lv && lv->name && !strcmp(in->lv, lv->name)))
			return (int32_t)i;
	}
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* node lies under (or is) top in the tree as linked so far */
static bool node_under(const struct tm_model *m, int32_t node, int32_t top)
{
	size_t d = 0;

	for (; node >= 0 && d <= m->n_nodes; node = m->nodes[node].parent, d++)
		if (node == top)
			return true;
	return false;
}

/*
 * Show guest VG g under the LV that holds all its PVs, or, when its PVs
 * lie in several LVs (or one not in the model, or partly in the images),
 * name those LVs in g->guest_in. A VG with no PV inside an LV is left alone.
 */
static int nest_guest(struct tm_model *m, uint32_t v)
{
	struct tm_vgview *g = &m->vgs[v];
	const struct mlvm_vg *vg = g->vg;
	const struct mlvm_source *one = NULL;
	const char **names;
	size_t n = 0, i, k, len = 1;
	bool single = true;
	uint32_t p;

	g->host = -1;
	names = malloc((vg->n_pvs ? vg->n_pvs : 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (p = 0; p < vg->n_pvs; p++) {
		const struct mlvm_source *src = vg->pvs[p].missing ? NULL : vg->pvs[p].src;

		if (!src)
			continue;
		if (!src->inside || (one && strcmp(one->name, src->name)))
			single = false;
		if (!one && src->inside)
			one = src;
		if (src->inside)
			names[n++] = src->name;
	}
	if (!n) {
		free(names);
		return 0;
	}
	if (single) {
		for (i = 0; i < m->n_vgs; i++) {
			int32_t lv, host;

			if (i == v || (lv = inside_lv(&m->vgs[i], one->inside)) < 0)
				continue;
			host = m->vgs[i].lv_node[lv];
			if (node_under(m, host, g->node))	/* never a loop */
				break;
			link_child(m, host, g->node);
			m->nodes[host].folded = true;
			g->host = host;
			free(names);
			return 0;
		}
	}
	/* at the top: "host/a, host/b", each LV once, sorted; then the images
	 * that hold its other PVs: "host/a; image pv2.img" */
	qsort(names, n, sizeof(*names), cmp_str);
	k = n;
	for (p = 0; p < vg->n_pvs; p++) {
		const struct mlvm_source *src = vg->pvs[p].missing ? NULL : vg->pvs[p].src;

		if (src && !src->inside)
			names[n++] = src->name;
	}
	qsort(names + k, n - k, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		len += strlen(names[i]) + sizeof("; image ");
	g->guest_in = malloc(len);
	if (!g->guest_in) {
		free(names);
		return -ENOMEM;
	}
	g->guest_in[0] = 0;
	for (i = 0; i < n; i++) {
		if (i && !strcmp(names[i - 1], names[i]))
			continue;	/* each place once */
		strcat(g->guest_in, i < k ? (i ? ", " : "") : (i ? "; image " : "image "));
		strcat(g->guest_in, names[i]);
	}
	free(names);
	return 0;
}

/* ------------------------------------------------------------ names and sizes */

static const struct mlvm_vg *node_vg(const struct tm_model *m, const struct tm_node *n)
{
	const struct tm_vgview *w = &m->vgs[n->vg];

	return n->ghost ? w->base : w->vg;
}

const char *tm_node_name(const struct tm_model *m, int32_t node)
{
	const struct tm_node *n;

	if (node < 0 || (size_t)node >= m->n_nodes)
		return "";
	n = &m->nodes[node];
	switch (n->kind) {
	case TM_VG:
		return m->vgs[n->vg].vg->name;
	case TM_GROUP_PVS:
		return "Physical volumes";
	case TM_GROUP_LVS:
		return "Logical volumes";
	case TM_PV:
		return m->vgs[n->vg].vg->pvs[n->idx].name;
	default:
		return node_vg(m, n)->lvs[n->idx].name;
	}
}

bool tm_node_lv(const struct tm_model *m, int32_t node, const struct mlvm_vg **vg,
		const struct mlvm_lv **lv)
{
	const struct tm_node *n;

	if (node < 0 || (size_t)node >= m->n_nodes || m->nodes[node].kind != TM_LV)
		return false;
	n = &m->nodes[node];
	*vg = node_vg(m, n);
	*lv = &(*vg)->lvs[n->idx];
	return true;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return mlvm_mul_ok(a, b, &r) ? r : UINT64_MAX;
}

uint64_t tm_node_bytes(const struct tm_model *m, int32_t node)
{
	const struct tm_node *n = &m->nodes[node];
	const struct mlvm_vg *vg = node_vg(m, n);

	switch (n->kind) {
	case TM_VG:
		return sat_mul(sat_mul(vg->total_extents, vg->extent_size), 512);
	case TM_PV:
		return sat_mul(vg->pvs[n->idx].dev_size, 512);
	case TM_LV:
		return mlvm_lv_size(vg, &vg->lvs[n->idx]);
	default:
		return 0;
	}
}

static uint64_t node_extents(const struct tm_model *m, const struct tm_node *n)
{
	if (n->kind == TM_LV)
		return node_vg(m, n)->lvs[n->idx].extent_count;
	if (n->kind == TM_PV)
		return m->vgs[n->vg].vg->pvs[n->idx].pe_count;
	return 0;
}

int32_t tm_find(const struct tm_model *m, uint32_t v, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].vg == v && m->nodes[i].kind == TM_LV &&
		    !strcmp(tm_node_name(m, (int32_t)i), name))
			return (int32_t)i;
	return -1;
}

uint32_t tm_node_vg(const struct tm_model *m, int32_t node)
{
	return node >= 0 && (size_t)node < m->n_nodes ? m->nodes[node].vg : 0;
}

void tm_human(uint64_t bytes, char *out, size_t len)
{
	mlvm_human_size(bytes, out, len);
}

/* ------------------------------------------------------------ order and rows */

/* two nodes by name (strverscmp), then by index: the order rank[] keeps
 * among siblings */
static int cmp_names(const void *a, const void *b, void *ctx)
{
	const struct tm_model *m = ctx;
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	int c = strverscmp(tm_node_name(m, x), tm_node_name(m, y));

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static int cmp_nodes(const void *a, const void *b, void *ctx)
{
	const struct tm_model *m = ctx;
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	const struct tm_node *p = &m->nodes[x], *q = &m->nodes[y];

	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	/* LVs created after the generation shown are listed apart, last */
	if (p->ghost != q->ghost)
		return p->ghost ? 1 : -1;
	if (p->kind == TM_LV && m->sort == TM_SORT_SIZE) {
		uint64_t s = m->size_key[x], t = m->size_key[y];

		if (s != t)
			return s > t ? -1 : 1;
	}
	if (p->kind == TM_LV && m->sort == TM_SORT_TEXT) {
		if (p->idx != q->idx)
			return p->idx < q->idx ? -1 : 1;
		return 0;
	}
	/* the names' order (strverscmp, then the index), worked out once */
	return m->rank[x] < m->rank[y] ? -1 : m->rank[x] > m->rank[y];
}

/* n's children, in their order, into out (room for every node); how many */
static size_t children(const struct tm_model *m, const struct tm_node *n, int32_t *out)
{
	size_t k = 0;
	int32_t c;

	for (c = n->first_child; c >= 0 && k < m->n_nodes; c = m->nodes[c].next_sibling)
		out[k++] = c;
	return k;
}

/*
 * The names' order and the sizes, once for the nodes there are: a sort by
 * strverscmp of 100,000 LVs took 25-30 ms for each press of s, which only
 * changes the key; with the ranks a sort compares two integers. A node's
 * rank is its place among its siblings (only siblings are compared), so
 * each group is sorted on its own (mlvm_sort_runs: a group in order costs
 * n - 1 comparisons; a VG of 100,000 LVs took 20-25 ms to sort at the
 * first screen).
 */
static int sort_keys(struct tm_model *m, int32_t *tmp)
{
	size_t i, j, k;

	if (m->rank && m->rank_n == m->n_nodes)
		return 0;
	free(m->rank);
	free(m->size_key);
	m->rank_n = 0;
	m->rank = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof(*m->rank));
	m->size_key = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof(*m->size_key));
	if (!m->rank || !m->size_key)
		return -ENOMEM;
	for (i = 0; i < m->n_nodes; i++) {
		m->rank[i] = 0;
		m->size_key[i] = node_extents(m, &m->nodes[i]);
	}
	for (i = 0; i < m->n_nodes; i++) {
		const struct tm_node *n = &m->nodes[i];

		if (n->n_children < 2)
			continue;
		k = children(m, n, tmp);
		/* metadata often lists LVs by name: then n - 1 comparisons */
		mlvm_sort_runs(tmp, k, sizeof(*tmp), cmp_names, m);
		for (j = 0; j < k; j++)
			m->rank[tmp[j]] = (uint32_t)j;
	}
	m->rank_n = m->n_nodes;
	return 0;
}

static int sort_children(struct tm_model *m)
{
	int32_t *tmp = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof(*tmp));
	size_t i, k;
	int32_t c;

	if (!tmp || sort_keys(m, tmp)) {
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < m->n_nodes; i++) {
		struct tm_node *n = &m->nodes[i];

		if (n->n_children < 2)
			continue;
		k = children(m, n, tmp);
		mlvm_sort_runs(tmp, k, sizeof(*tmp), cmp_nodes, m);
		n->first_child = tmp[0];
		for (c = 0; (size_t)c + 1 < k; c++)
			m->nodes[tmp[c]].next_sibling = tmp[c + 1];
		m->nodes[tmp[k - 1]].next_sibling = -1;
	}
	free(tmp);
	return 0;
}

/* preorder over every node; sets depth and seq */
static void build_order(struct tm_model *m)
{
	size_t o = 0, v;

	for (v = 0; v < m->n_vgs; v++) {
		int32_t n = m->vgs[v].node;
		uint16_t depth = 0;

		if (m->vgs[v].host >= 0)
			continue;	/* a guest VG: in its host LV's subtree */

		/* iterative preorder: go down first, then to the next sibling, up when none */
		while (n >= 0 && o < m->n_nodes) {
			struct tm_node *nd = &m->nodes[n];

			nd->depth = depth;
			nd->seq = (uint32_t)o;
			m->order[o++] = n;
			if (nd->first_child >= 0) {
				n = nd->first_child;
				depth++;
				continue;
			}
			while (n >= 0 && m->nodes[n].next_sibling < 0 && n != m->vgs[v].node) {
				n = m->nodes[n].parent;
				depth--;
			}
			if (n < 0 || n == m->vgs[v].node)
				break;
			n = m->nodes[n].next_sibling;
		}
	}
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/*
 * Whether name holds s, ASCII letters in either case: what strcasestr
 * does in a UTF-8 locale (bytes from 0x80 up are their own lower case),
 * without its setup for each name: 'n' over 100,000 LV names took 17 ms
 * with it, most of it in the strnlen its two-way search starts with.
 */
static bool name_has(const char *name, const char *s)
{
	const unsigned char *p, *q;
	unsigned char first;

	if (!s || !*s || !name)
		return false;
	q = (const unsigned char *)s;
	first = ascii_lower(q[0]);
	for (p = (const unsigned char *)name; *p; p++) {
		size_t k = 1;

		if (ascii_lower(*p) != first)
			continue;
		while (q[k] && ascii_lower(p[k]) == ascii_lower(q[k]))
			k++;
		if (!q[k])
			return true;
	}
	return false;
}

static void compute_match(struct tm_model *m)
{
	size_t i;

	for (i = 0; i < m->n_nodes; i++)
		m->nodes[i].match = false;
	if (!m->filter[0])
		return;
	/* children come after their parent in preorder: walk it backwards */
	for (i = m->n_nodes; i-- > 0;) {
		int32_t n = m->order[i];
		struct tm_node *nd = &m->nodes[n];

		if ((nd->kind == TM_LV || nd->kind == TM_PV) && name_has(tm_node_name(m, n), m->filter))
			nd->match = true;
		if (nd->match && nd->parent >= 0)
			m->nodes[nd->parent].match = true;
	}
}

static void build_rows(struct tm_model *m)
{
	size_t i;
	int32_t hide_below = -1;	/* depth under which nodes are folded away */

	m->n_rows = 0;
	for (i = 0; i < m->n_nodes; i++)
		m->node_row[i] = -1;
	for (i = 0; i < m->n_nodes; i++) {
		int32_t n = m->order[i];
		struct tm_node *nd = &m->nodes[n];

		if (hide_below >= 0 && nd->depth > hide_below)
			continue;
		hide_below = -1;
		if (m->filter[0] && !nd->match)
			continue;
		m->node_row[n] = (int32_t)m->n_rows;
		m->rows[m->n_rows++] = n;
		if (nd->folded && !m->filter[0])
			hide_below = nd->depth;
	}
	/* the selection hidden: its nearest shown ancestor, else the first row */
	if (m->sel >= 0) {
		int32_t s = m->sel;

		while (s >= 0 && m->node_row[s] < 0)
			s = m->nodes[s].parent;
		m->sel = s >= 0 ? s : m->n_rows ? m->rows[0] : -1;
	} else if (m->n_rows) {
		m->sel = m->rows[0];
	}
}

static int relayout(struct tm_model *m)
{
	if (sort_children(m))
		return -ENOMEM;
	build_order(m);
	compute_match(m);
	build_rows(m);
	return 0;
}

struct tm_model *tm_model_new(const struct mlvm_vg *const *vgs,
			      const struct mlvm_vg *const *bases, size_t n)
{
	struct tm_model *m = calloc(1, sizeof(*m));
	size_t v;

	if (!m)
		return NULL;
	m->sel = -1;
	m->vgs = calloc(n ? n : 1, sizeof(*m->vgs));
	if (!m->vgs)
		goto fail;
	m->n_vgs = n;
	for (v = 0; v < n; v++) {
		m->vgs[v].vg = vgs[v];
		m->vgs[v].base = bases ? bases[v] : NULL;
		m->vgs[v].host = -1;
		if (build_vg(m, (uint32_t)v))
			goto fail;
	}
	for (v = 0; v < n; v++)
		if (nest_guest(m, (uint32_t)v))
			goto fail;
	m->order = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof(int32_t));
	m->rows = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof(int32_t));
	m->node_row = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof(int32_t));
	if (!m->order || !m->rows || !m->node_row || relayout(m))
		goto fail;
	return m;
fail:
	tm_model_free(m);
	return NULL;
}

void tm_model_free(struct tm_model *m)
{
	size_t v;
	uint32_t p;

	if (!m)
		return;
	for (v = 0; v < m->n_vgs; v++) {
		struct tm_vgview *w = &m->vgs[v];

		if (w->owner)
			for (p = 0; p < w->vg->n_pvs; p++)
				free(w->owner[p]);
		free(w->owner);
		free(w->unit);
		free(w->owner_len);
		free(w->used);
		free(w->lv_node);
		free(w->lv_parent);
		free(w->pv_node);
		free(w->lv_mark);
		free(w->lv_colour);
		free(w->legend);
		free(w->guest_in);
	}
	free(m->vgs);
	free(m->nodes);
	free(m->order);
	free(m->rows);
	free(m->node_row);
	free(m->rank);
	free(m->size_key);
	free(m);
}

/* ------------------------------------------------------------ moving */

size_t tm_sel_row(const struct tm_model *m)
{
	if (m->sel < 0 || m->node_row[m->sel] < 0)
		return 0;
	return (size_t)m->node_row[m->sel];
}

void tm_move(struct tm_model *m, long delta)
{
	long r;

	if (!m->n_rows)
		return;
	r = (long)tm_sel_row(m) + delta;
	if (r < 0)
		r = 0;
	if ((size_t)r >= m->n_rows)
		r = (long)m->n_rows - 1;
	m->sel = m->rows[r];
}

void tm_home(struct tm_model *m)
{
	if (m->n_rows)
		m->sel = m->rows[0];
}

void tm_end(struct tm_model *m)
{
	if (m->n_rows)
		m->sel = m->rows[m->n_rows - 1];
}

bool tm_select(struct tm_model *m, int32_t node)
{
	int32_t p;
	bool changed = false;

	if (node < 0 || (size_t)node >= m->n_nodes)
		return false;
	for (p = m->nodes[node].parent; p >= 0; p = m->nodes[p].parent)
		if (m->nodes[p].folded) {
			m->nodes[p].folded = false;
			changed = true;
		}
	if (changed)
		build_rows(m);
	if (m->node_row[node] < 0)
		return false;
	m->sel = node;
	return true;
}

void tm_scroll(struct tm_model *m, size_t height)
{
	size_t r = tm_sel_row(m);

	if (!height)
		height = 1;
	if (m->n_rows <= height)
		m->top = 0;
	else if (m->top > m->n_rows - height)
		m->top = m->n_rows - height;
	if (r < m->top)
		m->top = r;
	else if (r >= m->top + height)
		m->top = r - height + 1;
}

/* ------------------------------------------------------------ folding */

bool tm_has_children(const struct tm_model *m, int32_t node)
{
	return node >= 0 && (size_t)node < m->n_nodes && m->nodes[node].n_children > 0;
}

bool tm_toggle(struct tm_model *m)
{
	if (!tm_has_children(m, m->sel))
		return false;
	m->nodes[m->sel].folded = !m->nodes[m->sel].folded;
	build_rows(m);
	return true;
}

void tm_fold_or_parent(struct tm_model *m)
{
	int32_t p;

	if (m->sel < 0)
		return;
	if (tm_has_children(m, m->sel) && !m->nodes[m->sel].folded && !m->filter[0]) {
		m->nodes[m->sel].folded = true;
		build_rows(m);
		return;
	}
	p = m->nodes[m->sel].parent;
	if (p >= 0 && m->node_row[p] >= 0)
		m->sel = p;
}

void tm_unfold(struct tm_model *m)
{
	if (tm_has_children(m, m->sel) && m->nodes[m->sel].folded) {
		m->nodes[m->sel].folded = false;
		build_rows(m);
	}
}

/* ------------------------------------------------------------ order, filter, search */

void tm_set_sort(struct tm_model *m, enum tm_sort s)
{
	m->sort = s < TM_SORT_COUNT ? s : TM_SORT_NAME;
	relayout(m);
}

const char *tm_sort_name(enum tm_sort s)
{
	return s == TM_SORT_SIZE ? "size" : s == TM_SORT_TEXT ? "metadata order" : "name";
}

void tm_set_filter(struct tm_model *m, const char *s)
{
	snprintf(m->filter, sizeof(m->filter), "%s", s ? s : "");
	compute_match(m);
	build_rows(m);
}

bool tm_search(struct tm_model *m, const char *s, bool next)
{
	size_t start, i;

	if (!s || !*s || !m->n_nodes)
		return false;
	start = m->sel >= 0 ? m->nodes[m->sel].seq + (next ? 1 : 0) : 0;
	for (i = 0; i < m->n_nodes; i++) {
		int32_t n = m->order[(start + i) % m->n_nodes];
		const struct tm_node *nd = &m->nodes[n];

		if (nd->kind == TM_GROUP_PVS || nd->kind == TM_GROUP_LVS)
			continue;
		if (m->filter[0] && !nd->match)
			continue;
		if (name_has(tm_node_name(m, n), s) && tm_select(m, n))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ extent map */

int32_t tm_sel_lv(const struct tm_model *m, uint32_t v)
{
	const struct tm_node *n;

	if (m->sel < 0)
		return -1;
	n = &m->nodes[m->sel];
	if (n->kind != TM_LV || n->vg != v || n->ghost)
		return -1;
	return n->idx;
}

static int32_t lv_root(const struct tm_vgview *w, int32_t lv)
{
	int d = 0;

	while (lv >= 0 && w->lv_parent[lv] >= 0 && d++ < TM_MAX_DEPTH)
		lv = w->lv_parent[lv];
	return lv;
}

static bool under(const struct tm_vgview *w, int32_t lv, int32_t sel)
{
	int d = 0;

	for (; lv >= 0 && d < TM_MAX_DEPTH; lv = w->lv_parent[lv], d++)
		if (lv == sel)
			return true;
	return false;
}

size_t tm_map_cells(const struct tm_model *m, uint32_t v, uint32_t pv,
		    struct tm_cell *cells, size_t max, uint64_t *per_out)
{
	const struct tm_vgview *w;
	uint64_t pe, per, ncells, c, unit;
	int32_t sel;

	if (v >= m->n_vgs || !max)
		return 0;
	w = &m->vgs[v];
	if (pv >= w->vg->n_pvs)
		return 0;
	pe = w->vg->pvs[pv].pe_count;
	unit = w->unit[pv];
	per = pe <= max ? 1 : (pe + max - 1) / max;
	/* a cell covers whole owner entries */
	if (per % unit)
		per += unit - per % unit;
	ncells = pe ? (pe + per - 1) / per : 0;
	if (per_out)
		*per_out = per;
	sel = tm_sel_lv(m, v);
	for (c = 0; c < ncells; c++) {
		struct tm_cell *cell = &cells[c];
		uint64_t e0 = c * per, e1 = e0 + per > pe ? pe : e0 + per, u;

		cell->lv = -1;
		cell->root = -1;
		cell->used = 0;
		cell->total = (uint32_t)(e1 - e0);
		cell->sel = false;
		for (u = e0 / unit; u < w->owner_len[pv] && u * unit < e1; u++) {
			int32_t o = w->owner[pv][u];
			uint64_t span = unit;

			if (o == -1)
				continue;
			if (u * unit + span > e1)
				span = e1 - u * unit;
			cell->used += (uint32_t)span;
			if (o == -2) {
				cell->lv = -2;
				continue;
			}
			if (sel >= 0 && under(w, o, sel))
				cell->sel = true;
			if (cell->lv == -1 || (cell->sel && under(w, o, sel) && !under(w, cell->lv, sel)))
				cell->lv = o;
		}
		if (cell->lv >= 0)
			cell->root = lv_root(w, cell->lv);
	}
	return (size_t)ncells;
}

/* ------------------------------------------------------------ details */

void tm_text_free(struct tm_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	t->lines = NULL;
	t->n = t->cap = 0;
}

void tm_text_add(struct tm_text *t, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		char **l = realloc(t->lines, cap * sizeof(*l));

		if (!l)
			return;
		t->lines = l;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		t->lines[t->n++] = s;
}

/* "4.00 MiB (4194304 bytes, 8192 sectors, 64 extents)" */
static void size_line(struct tm_text *t, const char *key, uint64_t extents, uint64_t extent_size)
{
	uint64_t sectors = sat_mul(extents, extent_size), bytes = sat_mul(sectors, 512);
	char h[32];

	tm_human(bytes, h, sizeof(h));
	tm_text_add(t, "%s\t%s (%llu %s, %llu %s, %llu %s)", key, h,
		    (unsigned long long)bytes, mlvm_plural(bytes, "byte", "bytes"),
		    (unsigned long long)sectors, mlvm_plural(sectors, "sector", "sectors"),
		    (unsigned long long)extents, mlvm_plural(extents, "extent", "extents"));
}

static void value_text(const struct cfg_node *n, struct mlvm_buf *b)
{
	const struct cfg_node *e;

	switch (cfg_type(n)) {
	case CFG_INT:
		mlvm_buf_printf(b, "%lld", (long long)cfg_int(n));
		break;
	case CFG_FLOAT:
		mlvm_buf_printf(b, "%g", cfg_float(n));
		break;
	case CFG_STRING:
	case CFG_WORD:
		mlvm_buf_printf(b, "%s", cfg_str(n));
		break;
	case CFG_ARRAY:
		mlvm_buf_printf(b, "[");
		for (e = cfg_child(n); e; e = cfg_next(e)) {
			if (e != cfg_child(n))
				mlvm_buf_printf(b, ", ");
			if (cfg_type(e) == CFG_ARRAY || cfg_type(e) == CFG_SECTION)
				mlvm_buf_printf(b, "...");
			else
				value_text(e, b);
		}
		mlvm_buf_printf(b, "]");
		break;
	default:
		mlvm_buf_printf(b, "{...}");
	}
}

/* every key of a section as written in the text, sections indented */
static void all_keys(struct tm_text *t, const struct cfg_node *sec, int depth)
{
	const struct cfg_node *n;

	if (!sec || cfg_type(sec) != CFG_SECTION || depth > 4)
		return;
	for (n = cfg_child(sec); n; n = cfg_next(n)) {
		struct mlvm_buf b = { 0 };

		if (!cfg_key(n))
			continue;
		if (cfg_type(n) == CFG_SECTION) {
			tm_text_add(t, "%*s%s {", depth * 2, "", cfg_key(n));
			all_keys(t, n, depth + 1);
			tm_text_add(t, "%*s}", depth * 2, "");
			continue;
		}
		value_text(n, &b);
		tm_text_add(t, "%*s%s\t%s", depth * 2, "", cfg_key(n), b.data ? b.data : "");
		mlvm_buf_free(&b);
	}
}

static void strings_line(struct tm_text *t, const char *key, const struct cfg_node *arr)
{
	struct mlvm_buf b = { 0 };
	const struct cfg_node *e;

	mlvm_buf_append(&b, "", 0);
	if (arr && cfg_type(arr) == CFG_ARRAY)
		for (e = cfg_child(arr); e; e = cfg_next(e))
			if (cfg_type(e) == CFG_STRING || cfg_type(e) == CFG_WORD)
				mlvm_buf_printf(&b, "%s%s", b.len ? ", " : "", cfg_str(e));
	tm_text_add(t, "%s\t%s", key, b.data && *b.data ? b.data : "-");
	mlvm_buf_free(&b);
}

static void when_text(int64_t when, char *out, size_t len)
{
	time_t tt = (time_t)when;
	struct tm tm;

	if (when <= 0 || !gmtime_r(&tt, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, len, "-");
}

/* the names of a lineage, "a, -b" ("-" when none) */
static void lineage_line(struct tm_text *t, const struct mlvm_vg *vg, uint32_t h, bool descendants)
{
	char *s = mlvm_hlv_lineage_text(vg, h, descendants, ", ");

	tm_text_add(t, "  %s\t%s", descendants ? "descendants" : "ancestors", s && *s ? s : "-");
	free(s);
}

/* the historical LVs (removed LVs LVM2 keeps a record of: record_lvs_history) */
static void hlv_lines(const struct mlvm_vg *vg, struct tm_text *t)
{
	char when[40];
	uint32_t i;

	if (!vg->n_hlvs)
		return;
	tm_text_add(t, "Historical LVs (removed; LVM2 keeps their record)");
	for (i = 0; i < vg->n_hlvs; i++) {
		const struct mlvm_hlv *h = &vg->hlvs[i];

		when_text(h->removal_time, when, sizeof(when));
		tm_text_add(t, "%c%s\tremoved %s, id %s", MLVM_HLV_PREFIX, h->name, when,
			    h->id ? h->id : "-");
		when_text(h->creation_time, when, sizeof(when));
		tm_text_add(t, "  created\t%s", when);
		tm_text_add(t, "  origin\t%s", h->origin ? h->origin : "-");
		lineage_line(t, vg, i, false);
		lineage_line(t, vg, i, true);
	}
}

/* the VGs whose PVs lie in lv's bytes (a guest disk, found by nested discovery) */
static void guest_lines(const struct tm_model *m, const struct mlvm_vg *vg,
			const struct mlvm_lv *lv, struct tm_text *t)
{
	size_t v;
	uint32_t i;

	if (!vg->id || !lv->id)
		return;
	for (v = 0; v < m->n_vgs; v++) {
		const struct mlvm_vg *g = m->vgs[v].vg;

		for (i = 0; i < g->n_pvs; i++) {
			const struct mlvm_source_inside *in = g->pvs[i].src ? g->pvs[i].src->inside : NULL;

			if (in && !strcmp(in->vg_id, vg->id) && !strcmp(in->lv_id, lv->id)) {
				tm_text_add(t, "guest disk\tholds VG %s", g->name);
				break;
			}
		}
	}
}

static void vg_details(const struct tm_model *m, const struct tm_vgview *w, struct tm_text *t)
{
	const struct mlvm_vg *vg = w->vg;
	char when[40], uuid[39];
	uint32_t i, hidden = 0;

	for (i = 0; i < vg->n_lvs; i++)
		hidden += !vg->lvs[i].visible;
	tm_text_add(t, "Volume group %s", vg->name);
	if (w->guest_in && strchr(w->guest_in, ','))
		tm_text_add(t, "inside LVs\t%s (a guest disk: its PVs are in those LVs' bytes)",
			    w->guest_in);
	else
		for (i = 0; i < vg->n_pvs; i++)
			if (vg->pvs[i].src && vg->pvs[i].src->inside) {
				tm_text_add(t, "inside LV\t%s (a guest disk: its PVs are in that LV's bytes)",
					    vg->pvs[i].src->name);
				break;
			}
	tm_text_add(t, "id\t%s", vg->id ? vg->id : "-");
	{
		const char *st = tm_vg_standing(vg, w->base != NULL);

		tm_text_add(t, "seqno\t%llu%s", (unsigned long long)vg->seqno,
			    !strcmp(st, "older") ? " (an older generation)" :
			    !strcmp(st, "fallback") ? " (a fallback: the committed copies are unusable, this is the newest intact generation in a ring; see d)" :
			    !strcmp(st, "gone") ? " (no metadata area commits the VG any longer: its newest generation, from a ring; see d)" :
			    " (current)");
	}
	if (w->base)
		tm_text_add(t, "current seqno\t%llu", (unsigned long long)w->base->seqno);
	if (w->base)
		tm_text_add(t, "since then\t%u created, %u removed, %u renamed, %u resized",
			    w->n_added, w->n_removed, w->n_renamed, w->n_resized);
	strings_line(t, "status", vg->status);
	strings_line(t, "flags", vg->flags);
	strings_line(t, "tags", vg->tags);
	tm_text_add(t, "extent_size\t%llu %s (%llu %s)", (unsigned long long)vg->extent_size,
		    mlvm_plural(vg->extent_size, "sector", "sectors"),
		    (unsigned long long)sat_mul(vg->extent_size, 512),
		    mlvm_plural(sat_mul(vg->extent_size, 512), "byte", "bytes"));
	tm_text_add(t, "max_lv\t%lld", (long long)vg->max_lv);
	tm_text_add(t, "max_pv\t%lld", (long long)vg->max_pv);
	tm_text_add(t, "PVs\t%u", vg->n_pvs);
	tm_text_add(t, "LVs\t%u (%u hidden)", vg->n_lvs, hidden);
	size_line(t, "size", vg->total_extents, vg->extent_size);
	size_line(t, "free", vg->free_extents, vg->extent_size);
	tm_text_add(t, "description\t%s", vg->description ? vg->description : "-");
	tm_text_add(t, "creation_host\t%s", vg->creation_host ? vg->creation_host : "-");
	when_text(vg->creation_time, when, sizeof(when));
	tm_text_add(t, "creation_time\t%s (%lld)", when, (long long)vg->creation_time);
	hlv_lines(vg, t);
	tm_text_add(t, "Read from");
	tm_text_add(t, "image\t%s", vg->source.image ? vg->source.image : "-");
	if (vg->source.loose) {
		/* a --metadata file or a copy carved elsewhere from an image */
		struct mlvm_gen_ref r = { NULL, NULL, vg->source.gen, vg->source.loose };
		char where[600];

		tm_text_add(t, "offset\tbyte %llu", (unsigned long long)vg->source.offset);
		tm_text_add(t, "text size\t%llu bytes", (unsigned long long)vg->source.size);
		tm_text_add(t, "copy\toutside the metadata areas: %s",
			    mlvm_gen_ref_origin(&r, where, sizeof(where)));
		(void)m;
		return;
	}
	mlvm_uuid_format(vg->source.pv_id, strlen(vg->source.pv_id), uuid);
	tm_text_add(t, "pv id\t%s", uuid[0] ? uuid : "-");
	tm_text_add(t, "mda\t%d", vg->source.mda);
	tm_text_add(t, "offset\tbyte %llu", (unsigned long long)vg->source.offset);
	tm_text_add(t, "text size\t%llu bytes%s", (unsigned long long)vg->source.size,
		    vg->source.wrapped ? " (wraps around the ring)" : "");
	tm_text_add(t, "copy\t%s", vg->source.gen ? "from the ring (an older copy)" : "the committed slot");
	(void)m;
}

static void pv_details(const struct tm_vgview *w, uint32_t p, struct tm_text *t)
{
	const struct mlvm_vg *vg = w->vg;
	const struct mlvm_pv *pv = &vg->pvs[p];
	char h[32];
	uint64_t free_pe = pv->pe_count - (w->used[p] < pv->pe_count ? w->used[p] : pv->pe_count);

	tm_text_add(t, "Physical volume %s", pv->name);
	tm_text_add(t, "id\t%s", pv->id ? pv->id : "-");
	tm_text_add(t, "device (recorded)\t%s", pv->device ? pv->device : "-");
	tm_text_add(t, "image\t%s", pv->missing ? "(missing)" : pv->src->name);
	if (!pv->missing)
		tm_text_add(t, "offset in image\tbyte %llu", (unsigned long long)pv->offset);
	strings_line(t, "status", pv->status);
	strings_line(t, "flags", pv->flags);
	strings_line(t, "tags", pv->tags);
	tm_human(sat_mul(pv->dev_size, 512), h, sizeof(h));
	tm_text_add(t, "dev_size\t%s (%llu %s, %llu %s)", h,
		    (unsigned long long)sat_mul(pv->dev_size, 512),
		    mlvm_plural(sat_mul(pv->dev_size, 512), "byte", "bytes"),
		    (unsigned long long)pv->dev_size, mlvm_plural(pv->dev_size, "sector", "sectors"));
	tm_text_add(t, "pe_start\tsector %llu (byte %llu)", (unsigned long long)pv->pe_start,
		    (unsigned long long)sat_mul(pv->pe_start, 512));
	if (pv->ba_size)
		tm_text_add(t, "bootloader area\tsectors %llu-%llu (%llu %s from byte %llu)",
			    (unsigned long long)pv->ba_start,
			    (unsigned long long)(pv->ba_start + pv->ba_size - 1),
			    (unsigned long long)sat_mul(pv->ba_size, 512),
			    mlvm_plural(sat_mul(pv->ba_size, 512), "byte", "bytes"),
			    (unsigned long long)sat_mul(pv->ba_start, 512));
	size_line(t, "extents", pv->pe_count, vg->extent_size);
	size_line(t, "used", pv->pe_count - free_pe, vg->extent_size);
	size_line(t, "free", free_pe, vg->extent_size);
	if (pv->node) {
		tm_text_add(t, "As written");
		all_keys(t, pv->node, 0);
	}
}

static void seg_details(const struct mlvm_vg *vg, const struct mlvm_segment *sg, uint32_t i,
			struct tm_text *t)
{
	uint32_t k;
	uint64_t ss = mlvm_seg_stripe_size(sg);

	tm_text_add(t, "Segment %u", i + 1);
	tm_text_add(t, "type\t%s%s", sg->type ? sg->type : "?",
		    sg->type && !strcmp(sg->type, "striped") && sg->n_areas == 1 ? " (linear)" : "");
	tm_text_add(t, "extents\t%llu-%llu (%llu)", (unsigned long long)sg->start_extent,
		    (unsigned long long)(sg->start_extent + sg->extent_count - (sg->extent_count ? 1 : 0)),
		    (unsigned long long)sg->extent_count);
	if (ss)
		tm_text_add(t, "stripe_size\t%llu %s (%llu %s)", (unsigned long long)ss,
			    mlvm_plural(ss, "sector", "sectors"), (unsigned long long)sat_mul(ss, 512),
			    mlvm_plural(sat_mul(ss, 512), "byte", "bytes"));
	for (k = 0; k < sg->n_areas; k++) {
		const struct mlvm_area *a = &sg->areas[k];

		if (a->kind == MLVM_AREA_PV && a->ref >= 0 && (uint32_t)a->ref < vg->n_pvs) {
			const struct mlvm_pv *pv = &vg->pvs[a->ref];
			uint64_t off = sat_mul(sat_mul(a->start, vg->extent_size), 512);
			uint64_t at = off == UINT64_MAX ? off : off + sat_mul(pv->pe_start, 512) + pv->offset;

			if (pv->missing)
				tm_text_add(t, "area %u\t%s PE %llu-%llu (PV missing)", k, a->name,
					    (unsigned long long)a->start,
					    (unsigned long long)(a->start + sg->area_len - (sg->area_len ? 1 : 0)));
			else
				tm_text_add(t, "area %u\t%s PE %llu-%llu, %s byte %llu", k, a->name,
					    (unsigned long long)a->start,
					    (unsigned long long)(a->start + sg->area_len - (sg->area_len ? 1 : 0)),
					    pv->src->name, (unsigned long long)at);
		} else {
			tm_text_add(t, "area %u\t%s %s %llu%s", k, a->kind == MLVM_AREA_LV ? "LV" : "PV",
				    a->name ? a->name : "?", (unsigned long long)a->start,
				    a->ref < 0 ? " (unknown)" : "");
		}
	}
	if (sg->node)
		all_keys(t, sg->node, 1);
}

static void lv_details(const struct tm_model *m, const struct tm_node *n, const char *content,
		       struct tm_text *t)
{
	const struct tm_vgview *w = &m->vgs[n->vg];
	const struct mlvm_vg *vg = node_vg(m, n);
	const struct mlvm_lv *lv = &vg->lvs[n->idx];
	const struct cfg_node *c;
	char when[40];
	uint32_t i;
	int32_t ch;

	tm_text_add(t, "Logical volume %s/%s", vg->name, lv->name);
	if (n->marks & TM_MARK_ADDED)
		tm_text_add(t, "change\tadded after seqno %llu: only in the current generation (%llu)",
			    (unsigned long long)w->vg->seqno, (unsigned long long)w->base->seqno);
	if (n->marks & TM_MARK_REMOVED)
		tm_text_add(t, "change\tREMOVED since seqno %llu (not in the current generation %llu)",
			    (unsigned long long)vg->seqno, (unsigned long long)w->base->seqno);
	if (n->marks & TM_MARK_RENAMED)
		tm_text_add(t, "change\trenamed since: now %s", w->base->lvs[n->base_idx].name);
	if (n->marks & TM_MARK_RESIZED)
		tm_text_add(t, "change\tresized since: now %llu %s (was %llu)",
			    (unsigned long long)w->base->lvs[n->base_idx].extent_count,
			    mlvm_plural(w->base->lvs[n->base_idx].extent_count, "extent", "extents"),
			    (unsigned long long)lv->extent_count);
	tm_text_add(t, "id\t%s", lv->id ? lv->id : "-");
	guest_lines(m, vg, lv, t);
	tm_text_add(t, "visible\t%s", lv->visible ? "yes" : "no (a hidden sub-LV)");
	size_line(t, "size", lv->extent_count, vg->extent_size);
	tm_text_add(t, "segments\t%u", lv->n_segs);
	strings_line(t, "status", mlvm_node_array(lv->node, "status"));
	strings_line(t, "flags", mlvm_node_array(lv->node, "flags"));
	strings_line(t, "tags", mlvm_node_array(lv->node, "tags"));
	c = cfg_find(lv->node, "creation_time");
	if (c && cfg_type(c) == CFG_INT) {
		when_text(cfg_int(c), when, sizeof(when));
		tm_text_add(t, "creation_time\t%s", when);
	}
	c = cfg_find(lv->node, "creation_host");
	if (c && (cfg_type(c) == CFG_STRING || cfg_type(c) == CFG_WORD))
		tm_text_add(t, "creation_host\t%s", cfg_str(c));
	if (content && *content)
		tm_text_add(t, "content\t%s", content);
	if (!n->ghost) {
		if (w->lv_parent[n->idx] >= 0)
			tm_text_add(t, "part of\t%s", vg->lvs[w->lv_parent[n->idx]].name);
		for (ch = n->first_child; ch >= 0; ch = m->nodes[ch].next_sibling)
			if (m->nodes[ch].kind == TM_LV)
				tm_text_add(t, "uses\t%s", tm_node_name(m, ch));
	}
	for (i = 0; i < lv->n_segs; i++)
		seg_details(vg, &lv->segs[i], i, t);
	tm_text_add(t, "As written");
	for (c = lv->node ? cfg_child(lv->node) : NULL; c; c = cfg_next(c)) {
		struct mlvm_buf b = { 0 };

		if (!cfg_key(c) || cfg_type(c) == CFG_SECTION)
			continue;
		value_text(c, &b);
		tm_text_add(t, "%s\t%s", cfg_key(c), b.data ? b.data : "");
		mlvm_buf_free(&b);
	}
}

void tm_details(const struct tm_model *m, int32_t node, const char *content, struct tm_text *out)
{
	const struct tm_node *n;
	int32_t c;

	if (node < 0 || (size_t)node >= m->n_nodes)
		return;
	n = &m->nodes[node];
	switch (n->kind) {
	case TM_VG:
		vg_details(m, &m->vgs[n->vg], out);
		break;
	case TM_PV:
		pv_details(&m->vgs[n->vg], (uint32_t)n->idx, out);
		break;
	case TM_LV:
		lv_details(m, n, content, out);
		break;
	default:
		tm_text_add(out, "%s of %s: %u", tm_node_name(m, node), m->vgs[n->vg].vg->name, n->n_children);
		for (c = n->first_child; c >= 0; c = m->nodes[c].next_sibling) {
			char h[32];

			if (out->n > TM_MAX_LISTED) {
				tm_text_add(out, "...	and more");
				break;
			}
			tm_human(tm_node_bytes(m, c), h, sizeof(h));
			tm_text_add(out, "%s\t%s", tm_node_name(m, c), h);
		}
	}
}

/* ------------------------------------------------------------ generations */

/* the rank of a state word (best first), past the states for an unknown one */
static int state_rank(const char *s)
{
	int i;

	for (i = 0; i < MLVM_GEN_N_STATES; i++)
		if (!strcmp(mlvm_gen_state_name((enum mlvm_gen_state)i), s))
			return i;
	return MLVM_GEN_N_STATES;
}

static int cmp_gen(const void *a, const void *b)
{
	const struct tm_gen *x = a, *y = b;

	if (x->seqno_known != y->seqno_known)
		return x->seqno_known ? -1 : 1;
	if (x->seqno != y->seqno)
		return x->seqno > y->seqno ? -1 : 1;
	return x->creation_time > y->creation_time ? -1 : x->creation_time < y->creation_time;
}

int tm_generations(const struct mlvm_set *set, const char *vg_id, uint64_t current_seqno,
		   struct tm_gen **out, size_t *n_out)
{
	struct tm_gen *r = NULL;
	struct mlvm_gen_ref *refs;
	size_t n = 0, cap = 0, n_refs, i, k;

	*out = NULL;
	*n_out = 0;
	if (mlvm_set_generations(set, &refs, &n_refs))
		return -ENOMEM;
	for (i = 0; i < n_refs; i++) {
		const struct mlvm_generation *gen = refs[i].g;
		const char *st = mlvm_gen_state_name(mlvm_generation_state(gen));
		bool usable = gen->complete && gen->parse_ok && gen->checksum_ok != 0;

		if (vg_id && gen->vg_id[0] && strcmp(gen->vg_id, vg_id))
			continue;
		if (vg_id && !gen->vg_id[0] && gen->seqno_known)
			continue;
		for (k = 0; k < n && gen->seqno_known; k++)
			if (r[k].seqno_known && r[k].seqno == gen->seqno)
				break;
		if (k < n && gen->seqno_known) {
			r[k].copies++;
			r[k].usable |= usable;
			if (state_rank(st) < state_rank(r[k].state))
				r[k].state = st;
			if (!r[k].description[0])
				snprintf(r[k].description, sizeof(r[k].description), "%s",
					 gen->description);
			if (!r[k].creation_time)
				r[k].creation_time = gen->creation_time;
			continue;
		}
		if (n == cap) {
			struct tm_gen *p;

			cap = cap ? cap * 2 : 16;
			p = realloc(r, cap * sizeof(*p));
			if (!p) {
				free(r);
				free(refs);
				return -ENOMEM;
			}
			r = p;
		}
		memset(&r[n], 0, sizeof(r[n]));
		r[n].seqno = gen->seqno;
		r[n].seqno_known = gen->seqno_known;
		r[n].creation_time = gen->creation_time;
		snprintf(r[n].description, sizeof(r[n].description), "%s", gen->description);
		r[n].state = st;
		r[n].usable = usable;
		r[n].copies = 1;
		r[n].current = gen->seqno_known && gen->seqno == current_seqno;
		n++;
	}
	free(refs);
	if (n)
		qsort(r, n, sizeof(*r), cmp_gen);
	*out = r;
	*n_out = n;
	return 0;
}

/* ------------------------------------------------------------ export figures */

void tm_rate_eta(uint64_t done, uint64_t total, double seconds,
		 char *rate, size_t rlen, char *eta, size_t elen)
{
	double bps = seconds > 0 ? (double)done / seconds : 0;
	char h[32];

	if (bps > 0) {
		tm_human((uint64_t)bps, h, sizeof(h));
		snprintf(rate, rlen, "%s/s", h);
	} else {
		snprintf(rate, rlen, "-");
	}
	if (bps > 0 && total >= done) {
		double left = (double)(total - done) / bps;
		unsigned long s = left > 359999 ? 359999 : (unsigned long)(left + 0.5);

		if (s >= 3600)
			snprintf(eta, elen, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
		else
			snprintf(eta, elen, "%lu:%02lu", s / 60, s % 60);
	} else {
		snprintf(eta, elen, "--:--");
	}
}

/* ------------------------------------------------------------ labels and text */

size_t tm_wrap(const char *s, size_t width, struct tm_span *out, size_t max)
{
	size_t len = s ? strlen(s) : 0, pos = 0, n = 0;

	if (!width)
		width = 1;
	do {
		size_t rest = len - pos, take, next;
		bool cut = false;

		if (rest <= width) {
			take = rest;
			next = len;
		} else {
			size_t b = pos + width;	/* s[b] exists: a space there breaks cleanly */

			while (b > pos && s[b] != ' ')
				b--;
			if (b > pos) {
				take = b - pos;
				next = b;
			} else {
				take = width;
				next = pos + width;
				cut = true;
			}
		}
		while (take && s[pos + take - 1] == ' ')
			take--;
		if (n < max)
			out[n] = (struct tm_span){ pos, take, cut };
		n++;
		pos = next;
		while (pos < len && s[pos] == ' ')
			pos++;
	} while (pos < len);
	return n;
}

const char *tm_node_tag(const struct tm_model *m, int32_t node)
{
	const struct tm_node *n;

	if (node < 0 || (size_t)node >= m->n_nodes)
		return "";
	n = &m->nodes[node];
	if (n->kind != TM_LV || !m->vgs[n->vg].base)
		return "";
	if (n->ghost || (n->marks & TM_MARK_ADDED))
		return " +created later";
	if (n->marks & TM_MARK_REMOVED)
		return " -removed later";
	if ((n->marks & TM_MARK_RENAMED) && (n->marks & TM_MARK_RESIZED))
		return " ~renamed+resized later";
	if (n->marks & TM_MARK_RENAMED)
		return " ~renamed later";
	if (n->marks & TM_MARK_RESIZED)
		return " ~resized later";
	return "";
}

void tm_node_label(const struct tm_model *m, int32_t node, char *out, size_t len)
{
	const struct tm_node *n;

	if (!len)
		return;
	out[0] = 0;
	if (node < 0 || (size_t)node >= m->n_nodes)
		return;
	n = &m->nodes[node];
	switch (n->kind) {
	case TM_VG:
		if (m->vgs[n->vg].guest_in)
			snprintf(out, len, "VG %s (guest in %s)", tm_node_name(m, node),
				 m->vgs[n->vg].guest_in);
		else
			snprintf(out, len, "VG %s", tm_node_name(m, node));
		break;
	case TM_GROUP_LVS: {
		uint32_t later = 0;
		int32_t c;

		for (c = n->first_child; c >= 0; c = m->nodes[c].next_sibling)
			later += m->nodes[c].ghost;
		if (later)
			snprintf(out, len, "%s (%u) +%u later", tm_node_name(m, node),
				 n->n_children - later, later);
		else
			snprintf(out, len, "%s (%u)", tm_node_name(m, node), n->n_children);
		break;
	}
	case TM_GROUP_PVS:
		snprintf(out, len, "%s (%u)", tm_node_name(m, node), n->n_children);
		break;
	case TM_LV: {
		const struct mlvm_lv *lv = &node_vg(m, n)->lvs[n->idx];

		snprintf(out, len, lv->visible ? "%s" : "[%s]", lv->name);
		break;
	}
	default: {
		const struct mlvm_pv *pv = &m->vgs[n->vg].vg->pvs[n->idx];

		snprintf(out, len, "%s %s", pv->name, pv->missing || !pv->src ? "(missing)" : pv->src->name);
		break;
	}
	}
}

const char *tm_vg_standing(const struct mlvm_vg *vg, bool older)
{
	if (older)
		return "older";
	if (vg->gone)
		return "gone";
	if (vg->source.gen)
		return "fallback";
	return "current";
}

void tm_content_short(const char *desc, char *out, size_t len)
{
	size_t o = 0;
	const char *p = desc ? desc : "";
	bool space = false;

	if (!len)
		return;
	while (*p == ' ')
		p++;
	for (; *p && *p != ',' && o + 1 < len; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			space = true;
			continue;
		}
		if (space && o && o + 2 < len)
			out[o++] = ' ';
		space = false;
		out[o++] = *p;
	}
	out[o] = 0;
}
