/*
 * browser.c - the views of mlvm browse: they only draw what tui/model.c
 * computes and turn keys into model calls.
 *
 * Screen (80x24 and up):
 *   row 0        header: VG, seqno, generation shown
 *   tree pane    VGs, PVs, LVs (sub-LVs folded)  | details pane
 *   map pane     one line (or more) of cells per PV of the selected VG
 *   last row     status: counts, warnings, messages, prompts
 * Dialogs (help, generations, damage, export) are drawn over it.
 */
#include "tui/browser.h"

#include <ctype.h>
#include <curses.h>
#include <unistd.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/model.h"
#include "export/export.h"
#include "map/provenance.h"
#include "base/util.h"
#include "model/vgspec.h"

#include "map/content.h"
#include "io/magic.h"

enum mode {
	MODE_MAIN,
	MODE_HELP,
	MODE_GENS,
	MODE_DAMAGE,
	MODE_VIEW,		/* one entry of a list, in full */
	MODE_PROMPT,		/* search or filter, in the status line */
	MODE_EXPORT_PATH,
	MODE_EXPORT_RUN,
	MODE_EXPORT_DONE,
};

enum focus { FOCUS_TREE, FOCUS_DETAILS, FOCUS_MAP, FOCUS_COUNT };

enum {
	PAIR_HEADER = 1,
	PAIR_ADDED,
	PAIR_REMOVED,
	PAIR_CHANGED,
	PAIR_WARN,
	PAIR_FREE,
	PAIR_LV0 = 10,		/* 6 map colours (background) */
	PAIR_FG0 = 20,		/* the same colours as text */
};
#define N_LV_COLOURS TM_N_COLOURS

struct line_edit {
	char buf[1024];
	size_t len, pos;
};

struct browser {
	const struct tui_opts *o;
	struct mlvm_set *cur;		/* as the images are now */
	struct mlvm_set *old;		/* the older generation shown, or NULL */
	struct mlvm_set *carved;	/* every generation, for the timeline (lazy) */
	struct mlvm_prov *prov;		/* extent provenance of the older generation shown */
	int32_t reuse_node;		/* the node reuse_lines describe, -1 */
	struct tm_text reuse_lines;	/* its extents_reused warnings */
	uint64_t old_seqno;
	char old_vg_id[40];
	struct tm_model *m;
	char **content;			/* per node, computed when idle */
	size_t n_content;
	bool content_failed;
	bool content_busy;		/* filling the visible rows' content, one per pass */
	int content_col;		/* where the tree's content column starts, 0 none */
	enum mode mode;
	enum focus focus;
	bool ascii, colour, quit;
	/* details */
	int32_t det_node;
	size_t det_top;
	/* map cursor */
	uint32_t map_pv;
	size_t map_cell;
	size_t map_top;
	/* search and filter */
	char search[1024];
	bool prompt_filter;
	struct line_edit le;
	/* dialogs */
	struct tm_gen *gens;
	size_t n_gens, gen_sel, gen_top;
	size_t list_top;		/* help */
	size_t dmg_sel, dmg_top;	/* damage list: selected entry, first entry shown */
	struct tm_text view;		/* MODE_VIEW: the entry */
	char view_title[200];
	size_t view_top;
	enum mode view_back;		/* the mode Esc returns to */
	struct mlvm_lv_reader *x_rd;	/* MODE_EXPORT_RUN: the export under way */
	struct mlvm_export_out x_out;
	uint64_t x_done, x_total;
	double x_t0;
	char x_path[1024];
	char x_err[1280];
	char x_hex[65];
	uint64_t x_bytes;
	size_t x_missing;
	uint64_t x_missing_bytes;
	uint64_t x_reused_bytes;	/* bytes of the LV on extents a later generation reused */
	size_t x_reused;
	bool x_reused_exact;
	double x_secs, x_drawn;
	char x_lv[300];
	char msg[512];
	FILE *timing;
	bool first_drawn;
};

/* ------------------------------------------------------------ small helpers */

double tui_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void say(struct browser *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct browser *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->msg, sizeof(b->msg), fmt, ap);
	va_end(ap);
}

/* the older generation shown: which of its extents later generations reused
 * (extents_reused warnings into its report, shown by d) */
static void old_provenance(struct browser *b)
{
	size_t i;

	mlvm_prov_free(b->prov);
	b->prov = NULL;
	tm_text_free(&b->reuse_lines);
	b->reuse_node = -1;
	if (!b->old || !b->old_vg_id[0])
		return;
	if (mlvm_prov_from_set(b->old, b->old_vg_id, &b->prov))
		return;
	for (i = 0; i < b->old->n_vgs; i++)
		if (b->old->vgs[i]->id && !strcmp(b->old->vgs[i]->id, b->old_vg_id))
			(void)mlvm_prov_warn(b->prov, b->old->vgs[i], NULL, &b->old->report, NULL,
					     NULL, NULL);
}

/* the reuse warnings of an LV node of the older generation (cached) */
static const struct tm_text *node_reuse(struct browser *b, int32_t node)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	struct mlvm_report r;
	size_t i;

	if (node == b->reuse_node)
		return &b->reuse_lines;
	tm_text_free(&b->reuse_lines);
	b->reuse_node = node;
	if (!b->prov || node < 0 || b->m->nodes[node].ghost ||
	    !b->m->vgs[b->m->nodes[node].vg].base || !tm_node_lv(b->m, node, &vg, &lv))
		return &b->reuse_lines;
	mlvm_report_init(&r);
	(void)mlvm_prov_warn(b->prov, vg, lv, &r, NULL, NULL, NULL);
	for (i = 0; i < r.n; i++)
		if (!strcmp(r.items[i].code, "extents_reused"))
			tm_text_add(&b->reuse_lines, "reused\tREUSED %s", r.items[i].message);
	mlvm_report_free(&r);
	return &b->reuse_lines;
}

/* draw at most w columns of s at y, x: bytes outside printable ASCII as '?' */
static void put(int y, int x, const char *s, int w)
{
	char buf[512];
	int i;

	if (w <= 0 || y < 0 || x < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	if (w > (int)sizeof(buf) - 1)
		w = (int)sizeof(buf) - 1;
	for (i = 0; i < w && s && s[i]; i++)
		buf[i] = (unsigned char)s[i] >= 32 && (unsigned char)s[i] < 127 ? s[i] : '?';
	buf[i] = 0;
	mvaddstr(y, x, buf);
}

static void putf(int y, int x, int w, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void putf(int y, int x, int w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(y, x, buf, w);
}

static void fill(int y, int x, int w)
{
	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return;
	if (x + w > COLS)
		w = COLS - x;
	mvhline(y, x, ' ', w);
}

static chtype ch_h(const struct browser *b) { return b->ascii ? '-' : ACS_HLINE; }
static chtype ch_v(const struct browser *b) { return b->ascii ? '|' : ACS_VLINE; }

static void box_at(const struct browser *b, int y, int x, int h, int w, const char *title, bool hot)
{
	int i;

	if (h < 2 || w < 2)
		return;
	for (i = 1; i < w - 1; i++) {
		mvaddch(y, x + i, ch_h(b));
		mvaddch(y + h - 1, x + i, ch_h(b));
	}
	for (i = 1; i < h - 1; i++) {
		mvaddch(y + i, x, ch_v(b));
		mvaddch(y + i, x + w - 1, ch_v(b));
	}
	mvaddch(y, x, b->ascii ? '+' : ACS_ULCORNER);
	mvaddch(y, x + w - 1, b->ascii ? '+' : ACS_URCORNER);
	mvaddch(y + h - 1, x, b->ascii ? '+' : ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, b->ascii ? '+' : ACS_LRCORNER);
	if (title && w > 6) {
		if (hot)
			attron(A_BOLD | A_REVERSE);
		putf(y, x + 2, w - 4, " %s ", title);
		if (hot)
			attroff(A_BOLD | A_REVERSE);
	}
}

/* a cleared box for a dialog, centred; returns its geometry */
static void dialog_box(const struct browser *b, int want_h, int want_w, const char *title,
		       int *y, int *x, int *h, int *w)
{
	int i;

	*h = want_h < LINES - 2 ? want_h : LINES - 2;
	*w = want_w < COLS - 2 ? want_w : COLS - 2;
	*y = (LINES - *h) / 2;
	*x = (COLS - *w) / 2;
	for (i = 0; i < *h; i++)
		fill(*y + i, *x, *w);
	box_at(b, *y, *x, *h, *w, title, true);
}

static void timing_log(struct browser *b, const char *what, double ms, int key)
{
	if (!b->timing)
		return;
	if (key)
		fprintf(b->timing, "%s %.3f key=%d\n", what, ms, key);
	else
		fprintf(b->timing, "%s %.3f nodes=%zu\n", what, ms, b->m ? b->m->n_nodes : 0);
	fflush(b->timing);
}

/* ------------------------------------------------------------ model and sets */

static void content_reset(struct browser *b, size_t n_nodes)
{
	size_t i;

	for (i = 0; b->content && i < b->n_content; i++)
		free(b->content[i]);
	free(b->content);
	b->content = n_nodes ? calloc(n_nodes, sizeof(*b->content)) : NULL;
	b->n_content = b->content ? n_nodes : 0;
}

/* the VGs of a set the user asked for (--vg: NAME, UUID or NAME@UUID) */
static bool vg_wanted(const struct browser *b, const struct mlvm_vg *vg)
{
	return mlvm_vgspec_match(b->o->vg, vg->name, vg->id);
}

/* (re)build the model from cur and old, keeping the selection by name */
static int rebuild(struct browser *b)
{
	const struct mlvm_vg **vgs, **bases;
	struct tm_model *m;
	size_t i, n = 0, j;
	char keep_name[256] = "", keep_vg[256] = "";
	int keep_kind = -1;

	if (b->m && b->m->sel >= 0) {
		const struct tm_node *nd = &b->m->nodes[b->m->sel];

		keep_kind = nd->kind;
		snprintf(keep_name, sizeof(keep_name), "%s", tm_node_name(b->m, b->m->sel));
		/* by name and id: two VGs may share a name */
		mlvm_vgspec_format(b->m->vgs[nd->vg].vg->name, b->m->vgs[nd->vg].vg->id, keep_vg,
				   sizeof(keep_vg));
	}
	vgs = calloc(b->cur->n_vgs + 1, sizeof(*vgs));
	bases = calloc(b->cur->n_vgs + 1, sizeof(*bases));
	if (!vgs || !bases) {
		free(vgs);
		free(bases);
		return -ENOMEM;
	}
	for (i = 0; i < b->cur->n_vgs; i++) {
		const struct mlvm_vg *vg = b->cur->vgs[i];

		if (!vg_wanted(b, vg))
			continue;
		vgs[n] = vg;
		bases[n] = NULL;
		if (b->old && vg->id && !strcmp(vg->id, b->old_vg_id))
			for (j = 0; j < b->old->n_vgs; j++)
				if (b->old->vgs[j]->id && !strcmp(b->old->vgs[j]->id, b->old_vg_id)) {
					vgs[n] = b->old->vgs[j];
					bases[n] = vg;
				}
		n++;
	}
	m = tm_model_new(vgs, bases, n);
	free(vgs);
	free(bases);
	if (!m)
		return -ENOMEM;
	if (b->m) {
		m->sort = b->m->sort;
		if (m->sort != TM_SORT_NAME)
			tm_set_sort(m, m->sort);
		if (b->m->filter[0])
			tm_set_filter(m, b->m->filter);
	}
	content_reset(b, 0);
	tm_model_free(b->m);
	b->m = m;
	tm_text_free(&b->reuse_lines);	/* node numbers change */
	b->reuse_node = -1;
	content_reset(b, m->n_nodes);
	b->det_node = -1;
	if (keep_kind >= 0)
		for (i = 0; i < m->n_nodes; i++) {
			const struct mlvm_vg *v;
			char here[256];

			if (m->nodes[i].kind != keep_kind || strcmp(tm_node_name(m, (int32_t)i), keep_name))
				continue;
			v = m->vgs[m->nodes[i].vg].vg;
			if (!strcmp(mlvm_vgspec_format(v->name, v->id, here, sizeof(here)), keep_vg)) {
				tm_select(m, (int32_t)i);
				break;
			}
		}
	return 0;
}

static struct mlvm_set *open_set(struct browser *b, const struct mlvm_open_opts *oo, char *err, size_t len)
{
	struct mlvm_open_opts o = *oo;
	struct mlvm_set *set;
	int i, rc;

	o.strict = b->o->strict;
	o.pv_choices = b->o->pv_choices;
	o.n_pv_choices = b->o->n_pv_choices;
	set = mlvm_set_new(&o);
	if (!set) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	for (i = 0; i < b->o->n_images; i++) {
		rc = mlvm_set_add_path(set, b->o->images[i]);
		if (rc) {
			snprintf(err, len, "cannot open %s: %s", b->o->images[i], mlvm_source_strerror(rc));
			mlvm_set_free(set);
			return NULL;
		}
	}
	rc = mlvm_set_assemble(set);
	if (rc < 0) {
		snprintf(err, len, "cannot assemble the images: %s", strerror(-rc));
		mlvm_set_free(set);
		return NULL;
	}
	return set;
}

/* the current VG of the selection (its base when an older one is shown) */
static const struct mlvm_vg *sel_current_vg(const struct browser *b)
{
	const struct tm_vgview *w;

	if (!b->m || !b->m->n_vgs)
		return NULL;
	w = &b->m->vgs[tm_node_vg(b->m, b->m->sel)];
	return w->base ? w->base : w->vg;
}

/* ------------------------------------------------------------ layout */

struct layout {
	int tree_y, tree_x, tree_h, tree_w;
	int det_y, det_x, det_h, det_w;
	int map_y, map_h;
	int legend_rows;	/* rows of the map pane given to the legend */
	bool small;
};

#define LEGEND_MAX 8192
static char legend_buf[LEGEND_MAX];

/*
 * The map legend of VG v: "r=root  s=swap ... .=free #=selected
 * !=claimed twice", wrapped to the map's width; returns its lines, the
 * spans stored in sp (up to max).
 */
static int legend_wrap(const struct browser *b, uint32_t v, struct tm_span *sp, size_t max)
{
	const struct tm_vgview *w;
	size_t o = 0, i;
	int width = COLS - 4;

	if (!b->m || v >= b->m->n_vgs)
		return 0;
	w = &b->m->vgs[v];
	legend_buf[0] = 0;
	for (i = 0; i < w->n_legend && o + 80 < LEGEND_MAX; i++) {
		int32_t lv = w->legend[i];

		o += (size_t)snprintf(legend_buf + o, LEGEND_MAX - o, "%c=%s  ", w->lv_mark[lv],
				      w->vg->lvs[lv].name);
	}
	if (i < w->n_legend)
		o += (size_t)snprintf(legend_buf + o, LEGEND_MAX - o, "(%u more)  ", w->n_legend - (uint32_t)i);
	{
		bool missing = false;

		for (i = 0; i < w->vg->n_pvs; i++)
			missing |= w->vg->pvs[i].missing;
		snprintf(legend_buf + o, LEGEND_MAX - o, ".=free  #=selected  !=claimed twice%s",
			 missing ? "  ?=missing PV" : "");
	}
	return (int)tm_wrap(legend_buf, (size_t)(width > 8 ? width : 8), sp, max);
}

static void layout(const struct browser *b, struct layout *l)
{
	uint32_t npv = 0;
	int body, want;

	memset(l, 0, sizeof(*l));
	if (LINES < 12 || COLS < 50) {
		l->small = true;
		return;
	}
	if (b->m && b->m->n_vgs)
		npv = b->m->vgs[tm_node_vg(b->m, b->m->sel)].vg->n_pvs;
	body = LINES - 2;
	l->legend_rows = b->m && b->m->n_vgs ? legend_wrap(b, tm_node_vg(b->m, b->m->sel), NULL, 0) : 0;
	if (l->legend_rows > 3)
		l->legend_rows = 3;
	want = 2 + (int)(npv ? npv : 1) + l->legend_rows;
	l->map_h = want < body / 2 ? want : body / 2;
	if (l->map_h < 3)
		l->map_h = 3;
	/* the PVs keep a row at least */
	if (l->legend_rows > l->map_h - 3)
		l->legend_rows = l->map_h - 3;
	l->map_y = 1 + body - l->map_h;
	l->tree_y = l->det_y = 1;
	l->tree_h = l->det_h = body - l->map_h;
	l->tree_x = 0;
	l->tree_w = COLS * 2 / 5 > 34 ? COLS * 2 / 5 : 34;
	l->det_x = l->tree_w;
	l->det_w = COLS - l->tree_w;
}

/* ------------------------------------------------------------ tree pane */

static const char *content_of(struct browser *b, int32_t node);

/*
 * Where the content column starts in the tree pane (0: no room): after the
 * widest LV name (guides, tag included) of the rows on screen, leaving the
 * size its 10 columns; at least 8 columns for the content.
 */
static void content_column(struct browser *b, int inner_h, int inner_w)
{
	const struct tm_model *m = b->m;
	int row, widest = 0;

	b->content_col = 0;
	for (row = 0; row < inner_h && m->top + (size_t)row < m->n_rows; row++) {
		int32_t n = m->rows[m->top + (size_t)row];
		char name[300];
		int wdt;

		if (m->nodes[n].kind != TM_LV)
			continue;
		tm_node_label(m, n, name, sizeof(name));
		wdt = 2 * (m->nodes[n].depth - 1) + 2 + (int)strlen(name) + (int)strlen(tm_node_tag(m, n));
		if (wdt > widest)
			widest = wdt;
	}
	if (!widest)
		return;
	if (widest > inner_w / 2)
		widest = inner_w / 2;
	if (inner_w - 11 - (widest + 1) >= 8)
		b->content_col = widest + 1;
}

static void tree_draw(struct browser *b, const struct layout *l)
{
	struct tm_model *m = b->m;
	int inner_h = l->tree_h - 2, inner_w = l->tree_w - 2, row;
	char title[64];

	snprintf(title, sizeof(title), "Volumes (%s)", tm_sort_name(m->sort));
	box_at(b, l->tree_y, l->tree_x, l->tree_h, l->tree_w, title, b->focus == FOCUS_TREE);
	tm_scroll(m, (size_t)(inner_h > 0 ? inner_h : 1));
	content_column(b, inner_h, inner_w);
	for (row = 0; row < inner_h; row++) {
		size_t r = m->top + (size_t)row;
		int32_t n, a;
		const struct tm_node *nd;
		char guides[160], size[32], tag[40] = "", name[300];
		const char *content = NULL;
		int y = l->tree_y + 1 + row, x = l->tree_x + 1, gi = 0, d, nlen, avail;
		bool is_sel;
		attr_t at = A_NORMAL;
		short pair = 0;

		if (r >= m->n_rows)
			break;
		n = m->rows[r];
		nd = &m->nodes[n];
		is_sel = n == m->sel;
		/* guides: one column pair per level under the VG */
		guides[0] = 0;
		for (d = nd->depth - 1; d >= 1; d--) {
			/* the ancestor at depth d: does it have a sibling below? */
			a = n;
			while (a >= 0 && m->nodes[a].depth > d)
				a = m->nodes[a].parent;
			if (gi < (int)sizeof(guides) - 3) {
				guides[gi++] = a >= 0 && m->nodes[a].next_sibling >= 0 ? '|' : ' ';
				guides[gi++] = ' ';
			}
		}
		guides[gi] = 0;
		/* reverse the pairs: they were collected bottom-up */
		{
			int i, j;

			for (i = 0, j = gi - 2; i < j; i += 2, j -= 2) {
				char t = guides[i];

				guides[i] = guides[j];
				guides[j] = t;
			}
		}
		fill(y, x, inner_w);
		if (is_sel)
			attron(b->focus == FOCUS_TREE ? A_REVERSE : A_BOLD | A_UNDERLINE);
		for (d = 0; d < gi && d < inner_w; d++) {
			if (guides[d] == '|')
				mvaddch(y, x + d, ch_v(b));
		}
		x += gi;
		if (nd->depth >= 1 && x < l->tree_x + inner_w) {
			bool last = nd->next_sibling < 0;

			if (b->ascii)
				mvaddch(y, x, last ? '`' : '|');
			else
				mvaddch(y, x, last ? ACS_LLCORNER : ACS_LTEE);
			x++;
		}
		if (x < l->tree_x + inner_w)
			mvaddch(y, x++, nd->n_children ? (nd->folded && !m->filter[0] ? '+' : '-') : ' ');
		tm_node_label(m, n, name, sizeof(name));
		snprintf(tag, sizeof(tag), "%s", tm_node_tag(m, n));
		switch (nd->kind) {
		case TM_VG:
		case TM_GROUP_PVS:
		case TM_GROUP_LVS:
			at = A_BOLD;
			break;
		case TM_LV: {
			const struct mlvm_vg *vg;
			const struct mlvm_lv *lv;

			tm_node_lv(m, n, &vg, &lv);
			if (!lv->visible)
				at = A_DIM;
			if (!nd->ghost && b->colour)
				pair = (short)(PAIR_FG0 + (int)tm_lv_colour(m, nd->vg, nd->idx));
			content = content_of(b, n);
			break;
		}
		default:
			break;
		}
		size[0] = 0;
		if (nd->kind == TM_LV || nd->kind == TM_PV || nd->kind == TM_VG)
			tm_human(tm_node_bytes(m, n), size, sizeof(size));
		avail = l->tree_x + 1 + inner_w - x;
		nlen = (int)strlen(name);
		if (pair && !is_sel)
			attron(COLOR_PAIR(pair));
		attron(at);
		put(y, x, name, avail);
		attroff(at);
		if (pair && !is_sel)
			attroff(COLOR_PAIR(pair));
		x += nlen < avail ? nlen : avail;
		avail = l->tree_x + 1 + inner_w - x;
		if (tag[0] && avail > 0) {
			short tp = nd->marks & TM_MARK_ADDED ? PAIR_ADDED :
				   nd->marks & TM_MARK_REMOVED ? PAIR_REMOVED : PAIR_CHANGED;

			if (b->colour)
				attron(COLOR_PAIR(tp));
			attron(A_BOLD);
			put(y, x, tag, avail);
			attroff(A_BOLD);
			if (b->colour)
				attroff(COLOR_PAIR(tp));
			x += (int)strlen(tag) < avail ? (int)strlen(tag) : avail;
			avail = l->tree_x + 1 + inner_w - x;
		}
		if (nd->kind == TM_LV && b->content_col > 0) {
			/* the content column: after the widest name shown, before the size */
			int cx = l->tree_x + 1 + b->content_col, cw = l->tree_x + 1 + inner_w - 11 - cx;
			char shortc[200];

			if (cx > x && cw >= 4) {
				if (content)
					tm_content_short(content, shortc, sizeof(shortc));
				else
					snprintf(shortc, sizeof(shortc), "%s", nd->ghost ? "" : "...");
				if (!is_sel)
					attron(A_DIM);
				put(y, cx, shortc, cw);
				if (!is_sel)
					attroff(A_DIM);
			}
		}
		if (size[0] && avail > (int)strlen(size) + 1)
			put(y, l->tree_x + 1 + inner_w - (int)strlen(size), size, (int)strlen(size));
		if (is_sel)
			attroff(A_REVERSE | A_BOLD | A_UNDERLINE);
	}
	/* a scroll indicator */
	if (m->n_rows > (size_t)inner_h && inner_h > 0)
		putf(l->tree_y + l->tree_h - 1, l->tree_x + 2, l->tree_w - 4, " %zu/%zu ",
		     tm_sel_row(m) + 1, m->n_rows);
}

/* ------------------------------------------------------------ details pane */

static const char *content_of(struct browser *b, int32_t node)
{
	return b->content && node >= 0 && (size_t)node < b->n_content ? b->content[node] : NULL;
}

/* lines as drawn, wrapped to the pane (key column kw) */
struct wrapped {
	const char *s;		/* the text of this screen line */
	int len;
	const char *key;	/* the key on the first line of an entry, else NULL */
	int klen;
	bool heading;
	int indent;		/* where the value starts on the line */
};

/*
 * Key/value lines wrapped at spaces (tm_wrap) into the value column; a
 * value that would be cut inside a word there (a uuid, a path) but fits
 * the pane goes on the next line, indented, so it is never split.
 */
static size_t wrap_text(const struct tm_text *t, int width, int kw, struct wrapped *out, size_t max)
{
	static struct tm_span sp[512];
	size_t n = 0, i, k, ns;

	for (i = 0; i < t->n && n < max; i++) {
		const char *line = t->lines[i], *tab = strchr(line, '\t');
		const char *v;
		int vw = width - kw - 1, indent = kw + 1;
		bool cut = false, own = false;

		if (vw < 8)
			vw = 8;
		if (!tab) {
			ns = tm_wrap(line, (size_t)(width > 1 ? width : 1), sp, 512);
			for (k = 0; k < ns && k < 512 && n < max; k++)
				out[n++] = (struct wrapped){ line + sp[k].off, (int)sp[k].len, NULL, 0, true, 0 };
			continue;
		}
		v = tab + 1;
		if ((int)(tab - line) > kw && width - 2 > 8) {
			/* a key too long for its column: the value goes below it */
			own = true;
			indent = 2;
			ns = tm_wrap(v, (size_t)(width - 2), sp, 512);
		} else {
			ns = tm_wrap(v, (size_t)vw, sp, 512);
			for (k = 0; k < ns && k < 512; k++)
				cut |= sp[k].cut;
		}
		if (cut && width - 2 > vw) {
			/* on lines of their own, the key alone above */
			size_t ns2 = tm_wrap(v, (size_t)(width - 2), sp, 512);
			bool cut2 = false;

			for (k = 0; k < ns2 && k < 512; k++)
				cut2 |= sp[k].cut;
			if (!cut2 || ns2 < ns) {
				own = true;
				ns = ns2;
				indent = 2;
			} else {
				ns = tm_wrap(v, (size_t)vw, sp, 512);
			}
		}
		if (own && n < max)
			out[n++] = (struct wrapped){ "", 0, line, (int)(tab - line), false, -1 };
		for (k = 0; k < ns && k < 512 && n < max; k++)
			out[n++] = (struct wrapped){ v + sp[k].off, (int)sp[k].len,
						     !own && k == 0 ? line : NULL,
						     !own && k == 0 ? (int)(tab - line) : 0, false, indent };
	}
	return n;
}

/* the key column: the longest key, at most a third of the pane (and 22) */
static int key_width(const struct tm_text *t, int width)
{
	size_t i;
	int kw = 6, cap = width / 3 < 22 ? width / 3 : 22;

	for (i = 0; i < t->n; i++) {
		const char *tab = strchr(t->lines[i], '\t');

		if (tab && (int)(tab - t->lines[i]) > kw)
			kw = (int)(tab - t->lines[i]);
	}
	return kw < cap ? kw : cap;
}

#define MAX_WRAPPED 4000

static void details_draw(struct browser *b, const struct layout *l)
{
	struct tm_text t = { 0 };
	static struct wrapped wl[MAX_WRAPPED];
	int inner_h = l->det_h - 2, inner_w = l->det_w - 2, kw, i;
	size_t n;

	box_at(b, l->det_y, l->det_x, l->det_h, l->det_w, "Details", b->focus == FOCUS_DETAILS);
	if (b->m->sel < 0)
		return;
	if (b->det_node != b->m->sel) {
		b->det_node = b->m->sel;
		b->det_top = 0;
	}
	tm_details(b->m, b->m->sel, content_of(b, b->m->sel), &t);
	{
		const struct tm_text *ru = node_reuse(b, b->m->sel);

		for (i = 0; (size_t)i < ru->n; i++)
			tm_text_add(&t, "%s", ru->lines[i]);
	}
	kw = key_width(&t, inner_w);
	n = wrap_text(&t, inner_w, kw, wl, MAX_WRAPPED);
	if (inner_h > 0 && b->det_top + (size_t)inner_h > n)
		b->det_top = n > (size_t)inner_h ? n - (size_t)inner_h : 0;
	for (i = 0; i < inner_h && b->det_top + (size_t)i < n; i++) {
		const struct wrapped *w = &wl[b->det_top + (size_t)i];
		int y = l->det_y + 1 + i, x = l->det_x + 1;
		char buf[512];

		if (w->heading) {
			snprintf(buf, sizeof(buf), "%.*s", w->len, w->s);
			attron(A_BOLD | A_UNDERLINE);
			put(y, x, buf, inner_w);
			attroff(A_BOLD | A_UNDERLINE);
			continue;
		}
		if (w->key) {
			snprintf(buf, sizeof(buf), "%.*s", w->klen, w->key);
			attron(A_BOLD);
			put(y, x, buf, w->indent < 0 ? inner_w : kw);
			attroff(A_BOLD);
		}
		snprintf(buf, sizeof(buf), "%.*s", w->len, w->s);
		if ((!strncmp(buf, "REMOVED", 7) || !strncmp(buf, "REUSED", 6)) && b->colour)
			attron(COLOR_PAIR(PAIR_REMOVED) | A_BOLD);
		if (w->indent >= 0)
			put(y, x + w->indent, buf, inner_w - w->indent);
		attroff(COLOR_PAIR(PAIR_REMOVED) | A_BOLD);
	}
	if (n > (size_t)inner_h && inner_h > 0)
		putf(l->det_y + l->det_h - 1, l->det_x + 2, l->det_w - 4, " %zu-%zu/%zu ",
		     b->det_top + 1, b->det_top + (size_t)inner_h < n ? b->det_top + (size_t)inner_h : n, n);
	tm_text_free(&t);
}

/* ------------------------------------------------------------ map pane */

#define MAX_CELLS 4096

/* the width of PV names and of the cells in the map pane */
static int map_geometry(const struct tm_vgview *w, int *cells_w)
{
	int name_w = 4, cw;
	uint32_t p;

	for (p = 0; p < w->vg->n_pvs; p++)
		if ((int)strlen(w->vg->pvs[p].name) > name_w)
			name_w = (int)strlen(w->vg->pvs[p].name);
	if (name_w > 8)
		name_w = 8;
	cw = COLS - 2 - name_w - 1;
	if (cw > MAX_CELLS)
		cw = MAX_CELLS;
	*cells_w = cw > 0 ? cw : 0;
	return name_w;
}

static void map_draw(struct browser *b, const struct layout *l)
{
	static struct tm_cell cells[MAX_CELLS];
	uint32_t v = tm_node_vg(b->m, b->m->sel);
	const struct tm_vgview *w;
	int inner_h = l->map_h - 2, inner_w = COLS - 2, y, name_w, cw;
	uint32_t p;
	char title[512];
	uint64_t per = 1;
	int32_t sel;

	if (!b->m->n_vgs) {
		box_at(b, l->map_y, 0, l->map_h, COLS, "Extent map", b->focus == FOCUS_MAP);
		return;
	}
	w = &b->m->vgs[v];
	sel = tm_sel_lv(b->m, v);
	name_w = map_geometry(w, &cw);
	if (b->map_pv >= w->vg->n_pvs)
		b->map_pv = 0;
	if (b->map_pv < b->map_top)
		b->map_top = b->map_pv;
	if (inner_h > 0 && b->map_pv >= b->map_top + (size_t)inner_h)
		b->map_top = b->map_pv - (size_t)inner_h + 1;
	inner_h -= l->legend_rows;
	if (l->legend_rows > 0) {
		static struct tm_span sp[64];
		int nl = legend_wrap(b, v, sp, 64), i;

		for (i = 0; i < l->legend_rows && i < nl && i < 64; i++) {
			char buf[512];
			int yy = l->map_y + 1 + inner_h + i;

			if (i == l->legend_rows - 1 && nl > l->legend_rows)
				snprintf(buf, sizeof(buf), "%.*s ... (Tab to the map: the cursor names each cell)",
					 (int)sp[i].len, legend_buf + sp[i].off);
			else
				snprintf(buf, sizeof(buf), "%.*s", (int)sp[i].len, legend_buf + sp[i].off);
			fill(yy, 1, inner_w);
			attron(A_DIM);
			put(yy, 2, buf, inner_w - 1);
			attroff(A_DIM);
		}
	}
	for (y = 0; y < inner_h && b->map_top + (size_t)y < w->vg->n_pvs; y++) {
		size_t nc, c;

		p = (uint32_t)(b->map_top + (size_t)y);
		fill(l->map_y + 1 + y, 1, inner_w);
		if (p == b->map_pv && b->focus == FOCUS_MAP)
			attron(A_REVERSE);
		put(l->map_y + 1 + y, 1, w->vg->pvs[p].name, name_w);
		attroff(A_REVERSE);
		nc = tm_map_cells(b->m, v, p, cells, (size_t)cw, p == b->map_pv ? &per : NULL);
		if (p == b->map_pv && b->map_cell >= nc)
			b->map_cell = nc ? nc - 1 : 0;
		for (c = 0; c < nc; c++) {
			const struct tm_cell *cell = &cells[c];
			chtype ch;
			attr_t at = A_NORMAL;

			if (w->vg->pvs[p].missing) {
				ch = '?';
			} else if (cell->lv == -1) {
				ch = '.';
				if (b->colour)
					at |= COLOR_PAIR(PAIR_FREE);
			} else if (cell->lv == -2) {
				ch = '!';
				at |= A_BOLD;
			} else {
				char mk = tm_lv_mark(b->m, v, cell->lv);

				ch = (chtype)(unsigned char)(mk ? mk : '*');
				if (b->colour)
					at |= COLOR_PAIR(PAIR_LV0 + (int)tm_lv_colour(b->m, v, cell->lv));
				if (cell->used < cell->total)
					at |= A_DIM;
			}
			if (cell->sel) {
				ch = '#';
				at = A_REVERSE | A_BOLD;
			}
			if (b->focus == FOCUS_MAP && p == b->map_pv && c == b->map_cell)
				at = A_REVERSE | A_BLINK | A_BOLD;
			attron(at);
			mvaddch(l->map_y + 1 + y, 1 + name_w + 1 + (int)c, ch);
			attroff(at);
		}
	}
	snprintf(title, sizeof(title), "Extent map of %s", w->vg->name);
	if (b->focus == FOCUS_MAP && b->map_pv < w->vg->n_pvs) {
		size_t nc = tm_map_cells(b->m, v, b->map_pv, cells, (size_t)cw, &per);

		if (b->map_cell >= nc)
			b->map_cell = nc ? nc - 1 : 0;
		if (nc) {
			const struct tm_cell *cell = &cells[b->map_cell];
			uint64_t e0 = b->map_cell * per, e1 = e0 + cell->total;
			char what[300], rng[64];

			if (per > 1 && e1 > e0 + 1)
				snprintf(rng, sizeof(rng), "PE %llu-%llu", (unsigned long long)e0,
					 (unsigned long long)(e1 - 1));
			else
				snprintf(rng, sizeof(rng), "PE %llu", (unsigned long long)e0);
			if (w->vg->pvs[b->map_pv].missing)
				snprintf(what, sizeof(what), "the PV is missing");
			else if (cell->lv >= 0 && cell->root >= 0 && cell->root != cell->lv)
				snprintf(what, sizeof(what), "%s [%s] (%c)", w->vg->lvs[cell->root].name,
					 w->vg->lvs[cell->lv].name, tm_lv_mark(b->m, v, cell->lv));
			else if (cell->lv >= 0)
				snprintf(what, sizeof(what), "%s (%c)", w->vg->lvs[cell->lv].name,
					 tm_lv_mark(b->m, v, cell->lv));
			else
				snprintf(what, sizeof(what), "%s", cell->lv == -2 ? "claimed twice" : "free");
			snprintf(title, sizeof(title), "%.40s %s: %.300s", w->vg->pvs[b->map_pv].name, rng, what);
		}
	} else {
		snprintf(title, sizeof(title), "Extent map of %s: %s%s", w->vg->name,
			 per > 1 ? "" : "1 cell = 1 extent", sel >= 0 ? ", # = selected" : "");
		if (per > 1)
			snprintf(title, sizeof(title), "Extent map of %s: 1 cell = %llu %s%s", w->vg->name,
				 (unsigned long long)per, mlvm_plural(per, "extent", "extents"), sel >= 0 ? ", # = selected" : "");
	}
	box_at(b, l->map_y, 0, l->map_h, COLS, title, b->focus == FOCUS_MAP);
}

/* ------------------------------------------------------------ header, status */

static void header_draw(struct browser *b)
{
	const struct tm_vgview *w = b->m->n_vgs ? &b->m->vgs[tm_node_vg(b->m, b->m->sel)] : NULL;
	char buf[400];

	attron(A_REVERSE);
	fill(0, 0, COLS);
	if (!w)
		snprintf(buf, sizeof(buf), " mlvm browse: no volume group");
	else if (w->base)
		snprintf(buf, sizeof(buf), " vg %s  GENERATION %llu (%s %llu)  since: %u removed, %u created, %u renamed, %u resized",
			 w->vg->name, (unsigned long long)w->vg->seqno,
			 !strcmp(tm_vg_standing(w->base, false), "current") ? "current" : "newest readable",
			 (unsigned long long)w->base->seqno,
			 w->n_removed, w->n_added, w->n_renamed, w->n_resized);
	else if (!strcmp(tm_vg_standing(w->vg, false), "fallback"))
		snprintf(buf, sizeof(buf), " mlvm browse  vg %s  seqno %llu (FALLBACK: committed copies unusable, d)  %u %s  %u %s",
			 w->vg->name, (unsigned long long)w->vg->seqno, w->vg->n_pvs,
			 mlvm_plural(w->vg->n_pvs, "PV", "PVs"), w->vg->n_lvs,
			 mlvm_plural(w->vg->n_lvs, "LV", "LVs"));
	else if (!strcmp(tm_vg_standing(w->vg, false), "gone"))
		snprintf(buf, sizeof(buf), " mlvm browse  vg %s  seqno %llu (GONE: committed nowhere, d)  %u %s  %u %s",
			 w->vg->name, (unsigned long long)w->vg->seqno, w->vg->n_pvs,
			 mlvm_plural(w->vg->n_pvs, "PV", "PVs"), w->vg->n_lvs,
			 mlvm_plural(w->vg->n_lvs, "LV", "LVs"));
	else
		snprintf(buf, sizeof(buf), " mlvm browse  vg %s  seqno %llu (current)  %u %s  %u %s",
			 w->vg->name, (unsigned long long)w->vg->seqno, w->vg->n_pvs,
			 mlvm_plural(w->vg->n_pvs, "PV", "PVs"), w->vg->n_lvs,
			 mlvm_plural(w->vg->n_lvs, "LV", "LVs"));
	put(0, 0, buf, COLS);
	attroff(A_REVERSE);
}

static size_t warn_count(const struct browser *b)
{
	return mlvm_report_count(&b->cur->report, MLVM_SEV_WARNING) + b->cur->report.dropped;
}

static void status_draw(struct browser *b)
{
	int y = LINES - 1;
	size_t nw = warn_count(b);
	char left[64];

	fill(y, 0, COLS);
	if (b->mode == MODE_PROMPT) {
		const char *p = b->prompt_filter ? "filter: " : "/";
		int pl = (int)strlen(p);

		put(y, 0, p, pl);
		put(y, pl, b->le.buf, COLS - pl - 1);
		move(y, pl + (int)b->le.pos < COLS ? pl + (int)b->le.pos : COLS - 1);
		return;
	}
	snprintf(left, sizeof(left), "%zu warning%s", nw, mlvm_plural(nw, "", "s"));
	if (nw && b->colour)
		attron(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	else
		attron(A_BOLD);
	put(y, 0, left, COLS);
	attroff(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	if (b->msg[0])
		putf(y, (int)strlen(left), COLS - (int)strlen(left), "  %s", b->msg);
	else
		putf(y, (int)strlen(left), COLS - (int)strlen(left), "%s  %s",
		     b->m->filter[0] ? "  [filtered]" : "",
		     "?:help /:search g:generations e:export d:damage q:quit");
}

/* ------------------------------------------------------------ dialogs */

static const char *const help_lines[] = {
	"Moving",
	"Up/Down, k/j\tmove the selection (in the focused pane)",
	"PgUp/PgDn\ta page up or down",
	"Home/End\tfirst or last row",
	"Tab, Shift-Tab\tnext or previous pane: tree, details, extent map",
	"Enter\tfold or unfold; on a leaf, show its details",
	"Left/Right, h/l\tfold (or go to the parent), unfold",
	"In the map\tLeft/Right move over cells, Up/Down over PVs,",
	"\tEnter selects the LV under the cursor",
	"Finding",
	"/\tsearch names (case-insensitive substring)",
	"n\tnext match",
	"f\tfilter: show only names holding a string (empty: all)",
	"s\tsort by name, size, metadata order",
	"Evidence",
	"g\tgenerations: every metadata generation in the rings; Enter shows the VG as it was, i opens a generation's row in full (its whole description). In an older generation an LV is tagged +created later (it did not exist yet: listed last, counted apart), -removed later, ~renamed later or ~resized later",
	"d\tdamage: every anomaly with its image and byte offset, wrapped; Enter opens one in full",
	"e\texport the selected LV to a new file (never overwrites),",
	"\twith its SHA-256; Esc cancels",
	"Other",
	"?\tthis help",
	"Esc\tclose a dialog, clear the filter",
	"q\tquit",
	"Extent map",
	"marks\tone mark per LV, shared by its sub-LVs: the first letter or digit of its name no other LV took (else in upper case, else any free one; + past 62 LVs), one colour each in turn; the legend under the map lists them",
	"other cells\t'.' free, '#' the selected LV and its sub-LVs, '!' claimed twice, '?' on a missing PV",
	"cursor\tTab to the map: the box title names the PV, the extents and the LV of the cell under the cursor",
	"Tree",
	"content\twhat libmagic says each LV holds (its first 128 KiB), filled in for the rows on screen when no key is pressed; the details say it in full",
	"Header\tseqno N (current), or FALLBACK when the committed copies were unusable and the newest intact generation in a ring is shown, or GONE when no metadata area commits the VG any longer (d says why)",
};

#define N_HELP (sizeof(help_lines) / sizeof(help_lines[0]))

/* dialogs use the terminal's width (htop's and ncdu's full-screen lists) */
static int dialog_width(void)
{
	return COLS - 4 > 40 ? COLS - 4 : COLS - 2;
}

/*
 * A dialog of key/value lines (tm_text), wrapped to its width: headings
 * bold, keys in a column, long values on lines of their own; scrolled by
 * *top (clamped here).
 */
static void text_dialog(struct browser *b, const char *title, const struct tm_text *t, size_t *top,
			const char *footer)
{
	static struct wrapped wl[MAX_WRAPPED];
	int y, x, h, w, i, kw, inner_w = dialog_width() - 4;
	size_t n;

	kw = key_width(t, inner_w);
	n = wrap_text(t, inner_w, kw, wl, MAX_WRAPPED);
	dialog_box(b, (int)n + 2, dialog_width(), title, &y, &x, &h, &w);
	inner_w = w - 4;
	if (*top + (size_t)(h - 2) > n)
		*top = n > (size_t)(h - 2) ? n - (size_t)(h - 2) : 0;
	for (i = 0; i < h - 2 && *top + (size_t)i < n; i++) {
		const struct wrapped *e = &wl[*top + (size_t)i];
		char buf[512];
		int yy = y + 1 + i, xx = x + 2;

		if (e->heading) {
			snprintf(buf, sizeof(buf), "%.*s", e->len, e->s);
			attron(A_BOLD | A_UNDERLINE);
			put(yy, xx, buf, inner_w);
			attroff(A_BOLD | A_UNDERLINE);
			continue;
		}
		if (e->key) {
			snprintf(buf, sizeof(buf), "%.*s", e->klen, e->key);
			attron(A_BOLD);
			put(yy, xx, buf, e->indent < 0 ? inner_w : kw);
			attroff(A_BOLD);
		}
		if (e->indent >= 0) {
			snprintf(buf, sizeof(buf), "%.*s", e->len, e->s);
			put(yy, xx + e->indent, buf, inner_w - e->indent);
		}
	}
	if (n > (size_t)(h - 2))
		putf(y + h - 1, x + 2, w - 4, " %zu-%zu/%zu %s", *top + 1,
		     *top + (size_t)(h - 2) < n ? *top + (size_t)(h - 2) : n, n, footer ? footer : "");
	else if (footer)
		putf(y + h - 1, x + 2, w - 4, " %s", footer);
}

static void help_draw(struct browser *b)
{
	struct tm_text t = { 0 };
	size_t i;

	for (i = 0; i < N_HELP; i++)
		tm_text_add(&t, "%s", help_lines[i]);
	text_dialog(b, "Help: mlvm browse (Esc closes)", &t, &b->list_top, NULL);
	tm_text_free(&t);
}

/* an entry opened in full (Enter in the damage list, i in the generations) */
static void view_draw(struct browser *b)
{
	text_dialog(b, b->view_title, &b->view, &b->view_top, "Esc: back ");
}

/* what '*' stands for in the generations list: the VG assembled now */
static const char *gens_star(const struct browser *b)
{
	const struct mlvm_vg *cv = sel_current_vg(b);
	const char *st = cv ? tm_vg_standing(cv, false) : "current";

	return !strcmp(st, "fallback") ? "in use (a fallback: the committed copies are unusable)" :
	       !strcmp(st, "gone") ? "newest (the VG is committed nowhere now)" : "current";
}

static void gens_draw(struct browser *b)
{
	static struct tm_span sp[64];
	int y, x, h, w, i, inner, dl = 0, want_dl = 0;
	char title[200];
	const struct mlvm_vg *cv = sel_current_vg(b);
	const char *d = b->gen_sel < b->n_gens ? b->gens[b->gen_sel].description : "";

	snprintf(title, sizeof(title), "Generations of vg %.100s: Enter shows one, i opens it in full, Esc closes",
		 cv ? cv->name : "?");
	want_dl = (int)tm_wrap(d, (size_t)(dialog_width() - 4), sp, 64);
	dialog_box(b, (int)b->n_gens + 4 + want_dl, dialog_width(), title, &y, &x, &h, &w);
	/* the selected generation's description, in full below the list (a third of the box at most) */
	dl = (int)tm_wrap(d, (size_t)(w - 4), sp, 64);
	if (dl > (h - 4) / 3 + 1)
		dl = (h - 4) / 3 + 1;
	inner = h - 3 - dl;
	if (inner < 1)
		inner = 1;
	attron(A_BOLD);
	putf(y + 1, x + 2, w - 4, "  %-7s %-19s %-12s %-6s %s", "SEQNO", "TIME (UTC)", "STATE", "COPIES",
	     "DESCRIPTION");
	attroff(A_BOLD);
	if (b->gen_sel < b->gen_top)
		b->gen_top = b->gen_sel;
	if (inner > 0 && b->gen_sel >= b->gen_top + (size_t)inner)
		b->gen_top = b->gen_sel - (size_t)inner + 1;
	for (i = 0; i < inner && b->gen_top + (size_t)i < b->n_gens; i++) {
		const struct tm_gen *g = &b->gens[b->gen_top + (size_t)i];
		char when[32] = "-", seq[24] = "?";
		time_t t = (time_t)g->creation_time;
		struct tm tmv;
		bool shown = b->old ? g->seqno_known && g->seqno == b->old_seqno : g->current;

		if (g->creation_time && gmtime_r(&t, &tmv))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tmv);
		if (g->seqno_known)
			snprintf(seq, sizeof(seq), "%llu", (unsigned long long)g->seqno);
		if (b->gen_top + (size_t)i == b->gen_sel)
			attron(A_REVERSE);
		if (!g->usable)
			attron(A_DIM);
		fill(y + 2 + i, x + 1, w - 2);
		putf(y + 2 + i, x + 2, w - 4, "%c%c%-7s %-19s %-12s %-6u %s", shown ? '>' : ' ',
		     g->current ? '*' : ' ', seq, when, g->state, g->copies,
		     g->description[0] ? g->description : "-");
		attroff(A_REVERSE | A_DIM);
	}
	for (i = 0; i < dl && i < 64; i++) {
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)sp[i].len, d + sp[i].off);
		put(y + h - 1 - dl + i, x + 2, buf, w - 4);
	}
	putf(y + h - 1, x + 2, w - 4, " * %s  > shown  %zu generation%s ", gens_star(b), b->n_gens,
	     mlvm_plural(b->n_gens, "", "s"));
}

/* open the selected generation's row in full */
static void gens_view(struct browser *b)
{
	const struct tm_gen *g;
	char when[40] = "-";
	time_t t;
	struct tm tmv;

	if (b->gen_sel >= b->n_gens)
		return;
	g = &b->gens[b->gen_sel];
	t = (time_t)g->creation_time;
	if (g->creation_time && gmtime_r(&t, &tmv))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tmv);
	tm_text_free(&b->view);
	if (g->seqno_known)
		tm_text_add(&b->view, "seqno\t%llu%s", (unsigned long long)g->seqno,
			    g->current ? (strcmp(gens_star(b), "current") ? " (the one assembled now)" : " (current)") : "");
	else
		tm_text_add(&b->view, "seqno\tunknown (a fragment)");
	tm_text_add(&b->view, "creation_time\t%s (%llu)", when, (unsigned long long)g->creation_time);
	tm_text_add(&b->view, "state\t%s%s", g->state, g->usable ? "" : " (no intact copy: cannot be shown)");
	tm_text_add(&b->view, "copies\t%u", g->copies);
	tm_text_add(&b->view, "description\t%s", g->description[0] ? g->description : "-");
	snprintf(b->view_title, sizeof(b->view_title), "Generation %s", g->seqno_known ? "" : "(fragment)");
	if (g->seqno_known)
		snprintf(b->view_title, sizeof(b->view_title), "Generation %llu", (unsigned long long)g->seqno);
	b->view_top = 0;
	b->view_back = MODE_GENS;
	b->mode = MODE_VIEW;
}

static size_t damage_count(const struct browser *b)
{
	return b->cur->report.n + (b->old ? b->old->report.n : 0);
}

static const struct mlvm_anomaly *damage_item(const struct browser *b, size_t i, bool *from_old)
{
	*from_old = i >= b->cur->report.n;
	return *from_old ? &b->old->report.items[i - b->cur->report.n] : &b->cur->report.items[i];
}

static void damage_where(const struct mlvm_anomaly *a, char *where, size_t len)
{
	if (a->image && a->offset >= 0)
		snprintf(where, len, "%s at byte %lld", a->image, (long long)a->offset);
	else
		snprintf(where, len, "%s", a->image ? a->image : "-");
}

static const char *sev_name(const struct mlvm_anomaly *a)
{
	return a->severity == MLVM_SEV_ERROR ? "error" : a->severity == MLVM_SEV_WARNING ? "warning" : "notice";
}

/*
 * The heading line of a damage entry; "at byte N" is glued to the image
 * with \001 for spaces, so wrapping never parts them (unglue() on drawing).
 */
static void damage_head(const struct browser *b, size_t i, char *out, size_t len)
{
	bool from_old;
	const struct mlvm_anomaly *a = damage_item(b, i, &from_old);
	char where[600];

	if (a->image && a->offset >= 0)
		snprintf(where, sizeof(where), "%s\001at\001byte\001%lld", a->image, (long long)a->offset);
	else
		snprintf(where, sizeof(where), "%s", a->image ? a->image : "-");
	snprintf(out, len, "%-7s %-18s %s%s", sev_name(a), a->code, where,
		 from_old ? " (older generation)" : "");
}

/* the screen lines of damage entry i at width w: heading and message, wrapped */
static size_t damage_lines(const struct browser *b, size_t i, int w)
{
	static struct tm_span sp[1];
	bool from_old;
	char head[900];

	damage_head(b, i, head, sizeof(head));
	return tm_wrap(head, (size_t)(w > 1 ? w : 1), sp, 0) +
	       tm_wrap(damage_item(b, i, &from_old)->message, (size_t)(w > 3 ? w - 2 : 1), sp, 0);
}

static void damage_draw(struct browser *b)
{
	static struct tm_span sp[256];
	int y, x, h, w, row, iw;
	size_t n = damage_count(b), i, total = 0, used;
	char title[160];

	for (i = 0; i < n && total < 10000; i++)
		total += damage_lines(b, i, dialog_width() - 4);
	snprintf(title, sizeof(title), "Damage and notices: %zu (Enter opens one in full, Esc closes)", n);
	dialog_box(b, (int)(n ? total : 1) + 2, dialog_width(), title, &y, &x, &h, &w);
	if (!n) {
		put(y + 1, x + 2, "nothing to report: every checksum and structure checked out", w - 4);
		return;
	}
	iw = w - 4;
	if (b->dmg_sel >= n)
		b->dmg_sel = n - 1;
	if (b->dmg_top > b->dmg_sel)
		b->dmg_top = b->dmg_sel;
	/* scroll until the selected entry fits (or is first) */
	for (;;) {
		used = 0;
		for (i = b->dmg_top; i <= b->dmg_sel; i++)
			used += damage_lines(b, i, iw);
		if (used <= (size_t)(h - 2) || b->dmg_top == b->dmg_sel)
			break;
		b->dmg_top++;
	}
	row = 0;
	for (i = b->dmg_top; i < n && row < h - 2; i++) {
		bool from_old, sel = i == b->dmg_sel;
		const struct mlvm_anomaly *a = damage_item(b, i, &from_old);
		char head[900], buf[512];
		size_t k, ns;

		damage_head(b, i, head, sizeof(head));
		ns = tm_wrap(head, (size_t)iw, sp, 256);
		if (a->severity >= MLVM_SEV_WARNING && b->colour && !sel)
			attron(COLOR_PAIR(PAIR_WARN));
		attron(sel ? A_BOLD | A_REVERSE : A_BOLD);
		for (k = 0; k < ns && k < 256 && row < h - 2; k++, row++) {
			char *c;

			snprintf(buf, sizeof(buf), "%.*s", (int)sp[k].len, head + sp[k].off);
			for (c = buf; *c; c++)
				if (*c == '\001')
					*c = ' ';
			put(y + 1 + row, x + 2, buf, iw);
		}
		attroff(A_BOLD | A_REVERSE | COLOR_PAIR(PAIR_WARN));
		ns = tm_wrap(a->message, (size_t)(iw > 3 ? iw - 2 : 1), sp, 256);
		for (k = 0; k < ns && k < 256 && row < h - 2; k++, row++) {
			snprintf(buf, sizeof(buf), "%.*s", (int)sp[k].len, a->message + sp[k].off);
			put(y + 1 + row, x + 4, buf, iw - 2);
		}
	}
	putf(y + h - 1, x + 2, w - 4, " %zu/%zu ", b->dmg_sel + 1, n);
}

/* open damage entry i in full */
static void damage_view(struct browser *b, size_t i)
{
	bool from_old;
	const struct mlvm_anomaly *a;
	char where[600];

	if (i >= damage_count(b))
		return;
	a = damage_item(b, i, &from_old);
	tm_text_free(&b->view);
	damage_where(a, where, sizeof(where));
	tm_text_add(&b->view, "severity\t%s", sev_name(a));
	tm_text_add(&b->view, "code\t%s", a->code);
	tm_text_add(&b->view, "image\t%s", a->image ? a->image : "-");
	if (a->offset >= 0)
		tm_text_add(&b->view, "offset\tbyte %lld", (long long)a->offset);
	else
		tm_text_add(&b->view, "offset\t-");
	tm_text_add(&b->view, "found\t%s", from_old ? "assembling the older generation shown" :
		    "assembling the images as they are");
	tm_text_add(&b->view, "message\t%s", a->message);
	snprintf(b->view_title, sizeof(b->view_title), "Damage %zu of %zu: %.60s", i + 1, damage_count(b), a->code);
	b->view_top = 0;
	b->view_back = MODE_DAMAGE;
	b->mode = MODE_VIEW;
}

static void export_draw(struct browser *b)
{
	int y, x, h, w;
	char title[400];

	snprintf(title, sizeof(title), "Export %s", b->x_lv);
	dialog_box(b, 10, 76, title, &y, &x, &h, &w);
	if (b->mode == MODE_EXPORT_PATH) {
		int fw = w - 6, start = 0;

		put(y + 2, x + 2, "Write the LV's bytes to a new file (never overwritten):", w - 4);
		if ((int)b->le.pos >= fw)
			start = (int)b->le.pos - fw + 1;
		attron(A_UNDERLINE);
		fill(y + 3, x + 3, fw);
		put(y + 3, x + 3, b->le.buf + start, fw);
		attroff(A_UNDERLINE);
		if (b->x_err[0]) {
			if (b->colour)
				attron(COLOR_PAIR(PAIR_REMOVED));
			put(y + 5, x + 2, b->x_err, w - 4);
			attroff(COLOR_PAIR(PAIR_REMOVED));
		}
		put(y + h - 2, x + 2, "Enter: export   Esc: cancel", w - 4);
		move(y + 3, x + 3 + (int)b->le.pos - start);
		return;
	}
	if (b->mode == MODE_EXPORT_RUN && b->x_rd) {
		uint64_t done = b->x_done, total = b->x_total;
		double secs = tui_now() - b->x_t0;
		char rate[40], eta[24], hd[32], ht[32];
		int bw = w - 6, fillw, i;

		tm_rate_eta(done, total, secs, rate, sizeof(rate), eta, sizeof(eta));
		tm_human(done, hd, sizeof(hd));
		tm_human(total, ht, sizeof(ht));
		putf(y + 2, x + 2, w - 4, "to %s", b->x_path);
		fillw = total ? (int)((double)bw * (double)done / (double)total) : bw;
		mvaddch(y + 3, x + 2, '[');
		for (i = 0; i < bw; i++)
			mvaddch(y + 3, x + 3 + i, i < fillw ? (b->ascii ? '#' : ACS_CKBOARD) : ' ');
		mvaddch(y + 3, x + 3 + bw, ']');
		putf(y + 4, x + 2, w - 4, "%3d%%  %s of %s  %s  %s left",
		     total ? (int)(100.0 * (double)done / (double)total) : 100, hd, ht, rate, eta);
		put(y + h - 2, x + 2, "Esc: cancel (the partial file is removed)", w - 4);
		return;
	}
	/* done */
	putf(y + 2, x + 2, w - 4, "wrote %llu bytes to %s", (unsigned long long)b->x_bytes, b->x_path);
	put(y + 3, x + 2, "SHA-256", w - 4);
	attron(A_BOLD);
	put(y + 4, x + 2, b->x_hex, w - 4);
	attroff(A_BOLD);
	if (b->x_missing)
		putf(y + 5, x + 2, w - 4, "%zu range%s (%llu bytes) could not be read: zero-filled",
		     b->x_missing, mlvm_plural(b->x_missing, "", "s"), (unsigned long long)b->x_missing_bytes);
	else
		put(y + 5, x + 2, "every byte was read", w - 4);
	if (b->x_reused) {
		if (b->colour)
			attron(COLOR_PAIR(PAIR_REMOVED));
		putf(y + 6, x + 2, w - 4, "%s%llu bytes in %zu range%s lie on extents a later generation reused (d)",
		     b->x_reused_exact ? "" : "at most ", (unsigned long long)b->x_reused_bytes,
		     b->x_reused, mlvm_plural(b->x_reused, "", "s"));
		attroff(COLOR_PAIR(PAIR_REMOVED));
	}
	putf(y + 7, x + 2, w - 4, "in %.2f s", b->x_secs);
	put(y + h - 2, x + 2, "Enter or Esc: close", w - 4);
}

/* ------------------------------------------------------------ drawing */

static void draw(struct browser *b)
{
	struct layout l;

	erase();
	curs_set(0);
	layout(b, &l);
	if (l.small) {
		putf(0, 0, COLS, "terminal too small (%dx%d): mlvm browse needs 50x12", COLS, LINES);
		putf(1, 0, COLS, "q quits");
		return;
	}
	header_draw(b);
	if (b->m->n_vgs) {
		tree_draw(b, &l);
		details_draw(b, &l);
		map_draw(b, &l);
	}
	status_draw(b);
	switch (b->mode) {
	case MODE_HELP:
		help_draw(b);
		break;
	case MODE_GENS:
		gens_draw(b);
		break;
	case MODE_DAMAGE:
		damage_draw(b);
		break;
	case MODE_VIEW:
		if (b->view_back == MODE_GENS)
			gens_draw(b);
		else
			damage_draw(b);
		view_draw(b);
		break;
	case MODE_EXPORT_PATH:
	case MODE_EXPORT_RUN:
	case MODE_EXPORT_DONE:
		export_draw(b);
		break;
	default:
		break;
	}
	if (b->mode == MODE_PROMPT || b->mode == MODE_EXPORT_PATH)
		curs_set(1);
}

/* ------------------------------------------------------------ line editor */

static void le_set(struct line_edit *le, const char *s)
{
	snprintf(le->buf, sizeof(le->buf), "%s", s);
	le->len = le->pos = strlen(le->buf);
}

/* a key for the line: 1 Enter, -1 Esc, 0 otherwise */
static int le_key(struct line_edit *le, int k)
{
	switch (k) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return 1;
	case 27:
		return -1;
	case KEY_LEFT:
		if (le->pos)
			le->pos--;
		return 0;
	case KEY_RIGHT:
		if (le->pos < le->len)
			le->pos++;
		return 0;
	case KEY_HOME:
	case 1:			/* ^A */
		le->pos = 0;
		return 0;
	case KEY_END:
	case 5:			/* ^E */
		le->pos = le->len;
		return 0;
	case 21:		/* ^U */
		le->len = le->pos = 0;
		le->buf[0] = 0;
		return 0;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (le->pos) {
			memmove(le->buf + le->pos - 1, le->buf + le->pos, le->len - le->pos + 1);
			le->pos--;
			le->len--;
		}
		return 0;
	case KEY_DC:
		if (le->pos < le->len) {
			memmove(le->buf + le->pos, le->buf + le->pos + 1, le->len - le->pos);
			le->len--;
		}
		return 0;
	default:
		if (k >= 32 && k < 127 && le->len + 1 < sizeof(le->buf)) {
			memmove(le->buf + le->pos + 1, le->buf + le->pos, le->len - le->pos + 1);
			le->buf[le->pos++] = (char)k;
			le->len++;
		}
		return 0;
	}
}

/* ------------------------------------------------------------ actions */

static void open_generations(struct browser *b)
{
	const struct mlvm_vg *cv = sel_current_vg(b);
	size_t i;

	if (!cv) {
		say(b, "no volume group");
		return;
	}
	if (!b->carved) {
		struct mlvm_open_opts oo = { .carve = true };
		char err[300];

		say(b, "carving the metadata areas for older generations...");
		draw(b);
		doupdate();
		refresh();
		b->carved = open_set(b, &oo, err, sizeof(err));
		if (!b->carved) {
			say(b, "%s", err);
			return;
		}
	}
	free(b->gens);
	b->gens = NULL;
	b->n_gens = 0;
	if (tm_generations(b->carved, cv->id, cv->seqno, &b->gens, &b->n_gens)) {
		say(b, "out of memory");
		return;
	}
	b->gen_sel = b->gen_top = 0;
	for (i = 0; i < b->n_gens; i++)
		if (b->old ? b->gens[i].seqno_known && b->gens[i].seqno == b->old_seqno : b->gens[i].current)
			b->gen_sel = i;
	b->msg[0] = 0;
	b->mode = MODE_GENS;
}

/* show generation seqno of VG vg_id (the current one when it is) */
static void show_generation(struct browser *b, const char *vg_id, uint64_t seqno, bool current)
{
	struct mlvm_open_opts oo = { .want_generation = true, .generation = seqno };
	struct mlvm_set *set;
	char err[300];
	size_t i;

	if (current) {
		struct mlvm_set *was = b->old;

		b->old = NULL;
		b->old_vg_id[0] = 0;
		if (rebuild(b))	/* it reads the model still pointing into was */
			b->quit = true;
		old_provenance(b);
		mlvm_set_free(was);
		say(b, "showing the generation assembled now (seqno %llu, %s)", (unsigned long long)seqno,
		    tm_vg_standing(sel_current_vg(b), false));
		return;
	}
	say(b, "assembling generation %llu...", (unsigned long long)seqno);
	draw(b);
	refresh();
	set = open_set(b, &oo, err, sizeof(err));
	if (!set) {
		say(b, "%s", err);
		return;
	}
	for (i = 0; i < set->n_vgs; i++)
		if (set->vgs[i]->id && vg_id && !strcmp(set->vgs[i]->id, vg_id))
			break;
	if (i == set->n_vgs) {
		mlvm_set_free(set);
		say(b, "generation %llu has no intact copy to show", (unsigned long long)seqno);
		return;
	}
	{
		struct mlvm_set *was = b->old;

		b->old = set;
		b->old_seqno = seqno;
		snprintf(b->old_vg_id, sizeof(b->old_vg_id), "%s", vg_id);
		if (rebuild(b))	/* it reads the model still pointing into was */
			b->quit = true;
		old_provenance(b);
		mlvm_set_free(was);
	}
	{
		const struct tm_vgview *w = &b->m->vgs[tm_node_vg(b->m, b->m->sel)];

		say(b, "generation %llu: since then %u removed, %u created, %u renamed, %u resized",
		    (unsigned long long)seqno, w->n_removed, w->n_added, w->n_renamed, w->n_resized);
	}
}

static void start_export_dialog(struct browser *b)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	char name[400];

	if (!tm_node_lv(b->m, b->m->sel, &vg, &lv)) {
		say(b, "select a logical volume to export");
		return;
	}
	snprintf(b->x_lv, sizeof(b->x_lv), "%s/%s", vg->name, lv->name);
	if (b->m->vgs[b->m->nodes[b->m->sel].vg].base && !b->m->nodes[b->m->sel].ghost)
		snprintf(name, sizeof(name), "%s-%s-seqno%llu.img", vg->name, lv->name,
			 (unsigned long long)vg->seqno);
	else
		snprintf(name, sizeof(name), "%s-%s.img", vg->name, lv->name);
	le_set(&b->le, name);
	b->x_err[0] = 0;
	b->mode = MODE_EXPORT_PATH;
}

static void export_begin(struct browser *b)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	struct mlvm_report r;
	int rc;

	if (!tm_node_lv(b->m, b->m->sel, &vg, &lv))
		return;
	snprintf(b->x_path, sizeof(b->x_path), "%s", b->le.buf);
	b->x_err[0] = 0;
	b->x_reused = 0;
	b->x_reused_bytes = 0;
	b->x_reused_exact = true;
	if (b->prov && b->m->vgs[b->m->nodes[b->m->sel].vg].base && !b->m->nodes[b->m->sel].ghost) {
		/* an older generation's LV: its bytes on extents reused since */
		struct mlvm_range *rv = NULL;
		size_t n = 0, i;

		mlvm_report_init(&r);
		if (!mlvm_prov_warn(b->prov, vg, lv, &r, &rv, &n, &b->x_reused_exact)) {
			b->x_reused = n;
			for (i = 0; i < n; i++)
				b->x_reused_bytes += rv[i].len;
		}
		free(rv);
		mlvm_report_free(&r);
	}
	if (!b->x_path[0]) {
		snprintf(b->x_err, sizeof(b->x_err), "no file name given");
		return;
	}
	mlvm_report_init(&r);
	rc = mlvm_lv_reader_new(vg, lv, NULL, &b->x_rd, &r);
	if (rc) {
		const char *why = r.n ? r.items[r.n - 1].message : "";

		if ((rc == -EISDIR || rc == -EBUSY) && r.n)	/* a thin pool or an ambiguous PV: the error says why */
			snprintf(b->x_err, sizeof(b->x_err), "cannot export: %s", why);
		else
			snprintf(b->x_err, sizeof(b->x_err), "cannot read lv %s: %s%s%s", lv->name,
				 strerror(-rc), r.n ? ": " : "", why);
		b->x_rd = NULL;
		mlvm_report_free(&r);
		return;		/* the dialog shows x_err */
	}
	mlvm_report_free(&r);
	b->x_total = mlvm_lv_reader_size(b->x_rd);
	/* never overwrite: an existing file, input images included, is refused */
	rc = mlvm_export_out_open(&b->x_out, b->x_path, 0, NULL, 0, b->x_total);
	if (rc) {
		snprintf(b->x_err, sizeof(b->x_err), "cannot create %s: %s", b->x_path, strerror(-rc));
		mlvm_lv_reader_free(b->x_rd);
		b->x_rd = NULL;
		return;
	}
	b->x_done = 0;
	b->x_drawn = 0;
	b->x_t0 = tui_now();
	b->mode = MODE_EXPORT_RUN;	/* the main loop runs it: export_run */
}

static void key(struct browser *b, int k);

/* the exporter's words for a failure, for the status line */
static void export_error(void *ud, int rc, const char *message)
{
	struct browser *b = ud;

	(void)rc;
	snprintf(b->x_err, sizeof(b->x_err), "%s", message);
}

/*
 * After each chunk: keys are read (Esc cancels: export_cancel leaves
 * MODE_EXPORT_RUN, which stops the exporter) and the dialog redrawn, at
 * most every 0.1 s.
 */
static int export_progress(void *ud, uint64_t done, uint64_t total)
{
	struct browser *b = ud;
	double now;
	int k;

	(void)total;
	b->x_done = done;
	while ((k = getch()) != ERR) {
		key(b, k);
		if (b->mode != MODE_EXPORT_RUN)
			return 1;
	}
	now = tui_now();
	if (now - b->x_drawn >= 0.1) {
		b->x_drawn = now;
		draw(b);
		refresh();
	}
	return 0;
}

/* the export begun by export_begin, to its end: done, failed or cancelled */
static void export_run(struct browser *b)
{
	struct mlvm_export_cb cb = { .progress = export_progress, .error = export_error, .ud = b };
	struct mlvm_export_result res;
	const struct mlvm_range *r;
	size_t n = 0, i;
	int rc, crc;

	timeout(0);
	rc = mlvm_export_out_reserve(&b->x_out, b->x_total, &cb);
	if (!rc)
		rc = mlvm_export_run(b->x_rd, &b->x_out, MLVM_EXPORT_SHA256 | MLVM_EXPORT_SYNC, &cb,
				     &res);
	crc = mlvm_export_out_close(&b->x_out, rc == 0);
	if (crc && !rc) {
		rc = crc;
		snprintf(b->x_err, sizeof(b->x_err), "cannot write %s: %s", b->x_path,
			 strerror(-crc));
	}
	if (rc == -ECANCELED) {
		say(b, "export cancelled; %s removed", b->x_path);
	} else if (rc) {
		b->mode = MODE_MAIN;
		say(b, "export failed: %s (partial file removed)", b->x_err);
	} else {
		memcpy(b->x_hex, res.sha256, sizeof(b->x_hex));
		r = mlvm_lv_reader_missing(b->x_rd, &n);
		b->x_missing = n;
		b->x_missing_bytes = 0;
		for (i = 0; i < n; i++)
			b->x_missing_bytes += r[i].len;
		b->x_bytes = res.written;
		b->x_secs = tui_now() - b->x_t0;
		b->mode = MODE_EXPORT_DONE;
		say(b, "exported %s to %s, sha256 %s", b->x_lv, b->x_path, b->x_hex);
	}
	mlvm_lv_reader_free(b->x_rd);
	b->x_rd = NULL;
	b->x_err[0] = 0;
}

/* Esc during the export: export_progress stops the exporter on seeing
 * the mode change; export_run removes the partial file and says so */
static void export_cancel(struct browser *b)
{
	b->mode = MODE_MAIN;
}

/*
 * The content (libmagic) of LVs, computed when idle, never before the first
 * screen is drawn: the selection first, then the LV rows on screen, one per
 * pass so a key is never kept waiting for more than one LV's 128 KiB. Only
 * rows on screen are looked at (at most one screen's height, a bound like
 * mlvm read's 256), so a VG of 10,000 LVs costs the same as one of 20.
 */
static int32_t content_next(const struct browser *b)
{
	const struct tm_model *m = b->m;
	size_t r, h;

	if (b->mode != MODE_MAIN || !b->content || !m || m->sel < 0)
		return -1;
	if ((size_t)m->sel < b->n_content && m->nodes[m->sel].kind == TM_LV && !b->content[m->sel])
		return m->sel;
	h = (size_t)(LINES > 2 ? LINES : 2);
	for (r = m->top; r < m->n_rows && r < m->top + h; r++) {
		int32_t n = m->rows[r];

		if ((size_t)n < b->n_content && m->nodes[n].kind == TM_LV && !m->nodes[n].ghost &&
		    !b->content[n])
			return n;
	}
	return -1;
}

static bool content_pending(const struct browser *b)
{
	return content_next(b) >= 0;
}

static void content_fill(struct browser *b)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	char out[256];
	int32_t n = content_next(b);
	int rc;

	if (n < 0 || !tm_node_lv(b->m, n, &vg, &lv))
		return;
	rc = mlvm_vg_lv_content(vg, lv, out, sizeof(out));
	if (rc)
		snprintf(out, sizeof(out), "(not readable: %s)", strerror(-rc));
	b->content[n] = strdup(out);
	if (!b->content[n])
		b->content[n] = strdup("");
}

/* ------------------------------------------------------------ keys */

static int tree_height(const struct browser *b)
{
	struct layout l;

	layout(b, &l);
	return l.tree_h > 3 ? l.tree_h - 2 : 1;
}

static void prompt_start(struct browser *b, bool filter)
{
	b->prompt_filter = filter;
	le_set(&b->le, filter ? b->m->filter : "");
	b->mode = MODE_PROMPT;
}

static void main_key(struct browser *b, int k)
{
	struct tm_model *m = b->m;
	long page = tree_height(b) - 1;

	if (page < 1)
		page = 1;
	b->msg[0] = 0;
	switch (k) {
	case 'q':
	case 'Q':
		b->quit = true;
		return;
	case '\t':
		b->focus = (b->focus + 1) % FOCUS_COUNT;
		return;
	case KEY_BTAB:
		b->focus = (b->focus + FOCUS_COUNT - 1) % FOCUS_COUNT;
		return;
	case '?':
	case KEY_F(1):
		b->list_top = 0;
		b->mode = MODE_HELP;
		return;
	case 'd':
		b->dmg_sel = b->dmg_top = 0;
		b->mode = MODE_DAMAGE;
		return;
	case 'g':
		open_generations(b);
		return;
	case 'e':
		start_export_dialog(b);
		return;
	case '/':
		prompt_start(b, false);
		return;
	case 'f':
		prompt_start(b, true);
		return;
	case 'n':
		if (!b->search[0])
			say(b, "no search yet: / to search");
		else if (!tm_search(m, b->search, true))
			say(b, "no name holds \"%s\"", b->search);
		return;
	case 's':
		tm_set_sort(m, (enum tm_sort)((m->sort + 1) % TM_SORT_COUNT));
		say(b, "sorted by %s", tm_sort_name(m->sort));
		return;
	case 27:
		if (m->filter[0]) {
			tm_set_filter(m, NULL);
			say(b, "filter cleared");
		}
		return;
	default:
		break;
	}
	if (b->focus == FOCUS_DETAILS) {
		switch (k) {
		case KEY_UP: case 'k': if (b->det_top) b->det_top--; break;
		case KEY_DOWN: case 'j': b->det_top++; break;
		case KEY_PPAGE: b->det_top = b->det_top > (size_t)page ? b->det_top - (size_t)page : 0; break;
		case KEY_NPAGE: b->det_top += (size_t)page; break;
		case KEY_HOME: b->det_top = 0; break;
		case KEY_END: b->det_top = (size_t)-1 / 2; break;
		case KEY_LEFT: case 'h': b->focus = FOCUS_TREE; break;
		default: break;
		}
		return;
	}
	if (b->focus == FOCUS_MAP) {
		uint32_t v = tm_node_vg(m, m->sel);
		uint32_t npv = m->n_vgs ? m->vgs[v].vg->n_pvs : 0;

		switch (k) {
		case KEY_UP: case 'k': if (b->map_pv) b->map_pv--; break;
		case KEY_DOWN: case 'j': if (b->map_pv + 1 < npv) b->map_pv++; break;
		case KEY_LEFT: case 'h': if (b->map_cell) b->map_cell--; break;
		case KEY_RIGHT: case 'l': b->map_cell++; break;
		case KEY_HOME: b->map_cell = 0; break;
		case KEY_END: b->map_cell = (size_t)-1 / 2; break;
		case KEY_PPAGE: b->map_cell = b->map_cell > 16 ? b->map_cell - 16 : 0; break;
		case KEY_NPAGE: b->map_cell += 16; break;
		case '\n': case '\r': case KEY_ENTER: {
			static struct tm_cell cells[MAX_CELLS];
			int cw;
			size_t nc;

			if (!m->n_vgs)
				break;
			map_geometry(&m->vgs[v], &cw);
			nc = tm_map_cells(m, v, b->map_pv, cells, (size_t)cw, NULL);

			if (b->map_cell < nc && cells[b->map_cell].lv >= 0) {
				tm_select(m, m->vgs[v].lv_node[cells[b->map_cell].lv]);
				b->focus = FOCUS_TREE;
			} else {
				say(b, "no LV there");
			}
			break;
		}
		default: break;
		}
		return;
	}
	switch (k) {
	case KEY_UP: case 'k': tm_move(m, -1); break;
	case KEY_DOWN: case 'j': tm_move(m, 1); break;
	case KEY_PPAGE: tm_move(m, -page); break;
	case KEY_NPAGE: tm_move(m, page); break;
	case KEY_HOME: tm_home(m); break;
	case KEY_END: tm_end(m); break;
	case KEY_LEFT: case 'h': tm_fold_or_parent(m); break;
	case KEY_RIGHT: case 'l': tm_unfold(m); break;
	case ' ': tm_toggle(m); break;
	case '\n': case '\r': case KEY_ENTER:
		if (!tm_toggle(m))
			b->focus = FOCUS_DETAILS;
		break;
	default:
		break;
	}
}

static void list_key(struct browser *b, int k, size_t n)
{
	switch (k) {
	case KEY_UP: case 'k': if (b->list_top) b->list_top--; break;
	case KEY_DOWN: case 'j': if (b->list_top + 1 < n) b->list_top++; break;
	case KEY_PPAGE: b->list_top = b->list_top > 8 ? b->list_top - 8 : 0; break;
	case KEY_NPAGE: b->list_top += 8; if (b->list_top >= n) b->list_top = n ? n - 1 : 0; break;
	case KEY_HOME: b->list_top = 0; break;
	case KEY_END: b->list_top = n ? n - 1 : 0; break;
	case 27: case 'q': case '\n': case '\r': case KEY_ENTER: case 'd': case '?':
		b->mode = MODE_MAIN;
		break;
	default: break;
	}
}

static void damage_key(struct browser *b, int k)
{
	size_t n = damage_count(b);

	switch (k) {
	case KEY_UP: case 'k': if (b->dmg_sel) b->dmg_sel--; break;
	case KEY_DOWN: case 'j': if (b->dmg_sel + 1 < n) b->dmg_sel++; break;
	case KEY_PPAGE: b->dmg_sel = b->dmg_sel > 8 ? b->dmg_sel - 8 : 0; break;
	case KEY_NPAGE: b->dmg_sel = b->dmg_sel + 8 < n ? b->dmg_sel + 8 : (n ? n - 1 : 0); break;
	case KEY_HOME: b->dmg_sel = 0; break;
	case KEY_END: b->dmg_sel = n ? n - 1 : 0; break;
	case '\n': case '\r': case KEY_ENTER: case 'i': case KEY_RIGHT: case 'l':
		damage_view(b, b->dmg_sel);
		break;
	case 27: case 'q': case 'd':
		b->mode = MODE_MAIN;
		break;
	default: break;
	}
}

static void gens_key(struct browser *b, int k)
{
	switch (k) {
	case 'i': case KEY_RIGHT: case 'l':
		gens_view(b);
		break;
	case KEY_UP: case 'k': if (b->gen_sel) b->gen_sel--; break;
	case KEY_DOWN: case 'j': if (b->gen_sel + 1 < b->n_gens) b->gen_sel++; break;
	case KEY_PPAGE: b->gen_sel = b->gen_sel > 8 ? b->gen_sel - 8 : 0; break;
	case KEY_NPAGE: b->gen_sel = b->gen_sel + 8 < b->n_gens ? b->gen_sel + 8 : (b->n_gens ? b->n_gens - 1 : 0); break;
	case KEY_HOME: b->gen_sel = 0; break;
	case KEY_END: b->gen_sel = b->n_gens ? b->n_gens - 1 : 0; break;
	case 27: case 'q': case 'g':
		b->mode = MODE_MAIN;
		break;
	case '\n': case '\r': case KEY_ENTER: {
		const struct tm_gen *g;
		const struct mlvm_vg *cv = sel_current_vg(b);
		char id[40];

		if (b->gen_sel >= b->n_gens || !cv)
			break;
		g = &b->gens[b->gen_sel];
		if (!g->seqno_known) {
			say(b, "a fragment with no seqno cannot be shown (mlvm history lists it)");
			break;
		}
		if (!g->usable) {
			say(b, "generation %llu has no intact copy (%s)", (unsigned long long)g->seqno, g->state);
			break;
		}
		snprintf(id, sizeof(id), "%s", cv->id ? cv->id : "");
		b->mode = MODE_MAIN;
		show_generation(b, id, g->seqno, g->current);
		break;
	}
	default: break;
	}
}

static void prompt_key(struct browser *b, int k)
{
	int r = le_key(&b->le, k);

	if (b->prompt_filter) {
		tm_set_filter(b->m, b->le.buf);	/* as it is typed */
		if (r)
			b->mode = MODE_MAIN;
		if (r < 0) {
			tm_set_filter(b->m, NULL);
			say(b, "filter cleared");
		}
		return;
	}
	if (r < 0) {
		b->mode = MODE_MAIN;
		return;
	}
	if (r > 0) {
		b->mode = MODE_MAIN;
		if (!b->le.buf[0])
			return;
		snprintf(b->search, sizeof(b->search), "%s", b->le.buf);
		if (!tm_search(b->m, b->search, false))
			say(b, "no name holds \"%s\"", b->search);
		else
			say(b, "found \"%s\" (n: next)", b->search);
	}
}

static void key(struct browser *b, int k)
{
	if (k == KEY_RESIZE)
		return;		/* the next draw uses the new size */
	switch (b->mode) {
	case MODE_MAIN:
		main_key(b, k);
		break;
	case MODE_HELP:
		list_key(b, k, 4 * N_HELP);	/* wrapped: help_draw clamps */
		break;
	case MODE_DAMAGE:
		damage_key(b, k);
		break;
	case MODE_VIEW:
		switch (k) {
		case KEY_UP: case 'k': if (b->view_top) b->view_top--; break;
		case KEY_DOWN: case 'j': b->view_top++; break;
		case KEY_PPAGE: b->view_top = b->view_top > 8 ? b->view_top - 8 : 0; break;
		case KEY_NPAGE: b->view_top += 8; break;
		case KEY_HOME: b->view_top = 0; break;
		case 27: case 'q': case '\n': case '\r': case KEY_ENTER: case KEY_LEFT: case 'h':
			b->mode = b->view_back;
			break;
		default: break;
		}
		break;
	case MODE_GENS:
		gens_key(b, k);
		break;
	case MODE_PROMPT:
		prompt_key(b, k);
		break;
	case MODE_EXPORT_PATH: {
		int r = le_key(&b->le, k);

		if (r < 0)
			b->mode = MODE_MAIN;
		else if (r > 0)
			export_begin(b);
		break;
	}
	case MODE_EXPORT_RUN:
		if (k == 27)
			export_cancel(b);
		break;
	case MODE_EXPORT_DONE:
		if (k == 27 || k == '\n' || k == '\r' || k == KEY_ENTER || k == 'q')
			b->mode = MODE_MAIN;
		break;
	}
}

/* ------------------------------------------------------------ terminal */

static void colours_init(struct browser *b)
{
	static const short lv_bg[N_LV_COLOURS] = {
		COLOR_BLUE, COLOR_GREEN, COLOR_MAGENTA, COLOR_CYAN, COLOR_YELLOW, COLOR_RED,
	};
	const char *term = getenv("TERM");
	int i;

	b->colour = has_colors() && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
	if (!b->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_HEADER, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_ADDED, COLOR_GREEN, -1);
	init_pair(PAIR_REMOVED, COLOR_RED, -1);
	init_pair(PAIR_CHANGED, COLOR_YELLOW, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_FREE, -1, -1);
	for (i = 0; i < N_LV_COLOURS; i++) {
		init_pair((short)(PAIR_LV0 + i), lv_bg[i] == COLOR_YELLOW || lv_bg[i] == COLOR_CYAN ||
				  lv_bg[i] == COLOR_GREEN ? COLOR_BLACK : COLOR_WHITE, lv_bg[i]);
		init_pair((short)(PAIR_FG0 + i), lv_bg[i], -1);
	}
}

int tui_browse(const struct tui_opts *o, struct mlvm_set *cur, struct mlvm_set *old)
{
	struct browser b = { .o = o, .cur = cur, .old = old, .det_node = -1, .reuse_node = -1 };
	SCREEN *scr;
	const char *cs;
	int rc = 0;
	bool drawn = false;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	b.ascii = o->ascii || !cs || (strcmp(cs, "UTF-8") && strcmp(cs, "utf8"));
	if (old) {
		size_t i;

		b.old_seqno = o->generation;
		for (i = 0; i < old->n_vgs; i++)
			if (old->vgs[i]->id && mlvm_vgspec_match(o->vg, old->vgs[i]->name, old->vgs[i]->id)) {
				snprintf(b.old_vg_id, sizeof(b.old_vg_id), "%s", old->vgs[i]->id);
				break;
			}
	}
	if (o->timing) {
		b.timing = fopen(o->timing, "a");
		if (!b.timing)
			fprintf(stderr, "%s: cannot open %s for timings: %s\n", o->prog, o->timing, strerror(errno));
	}
	timing_log(&b, "assembled_ms", (tui_now() - o->t0) * 1000.0, 0);
	if (rebuild(&b)) {
		fprintf(stderr, "%s: out of memory\n", o->prog);
		rc = 1;
		goto out;
	}
	timing_log(&b, "model_ms", (tui_now() - o->t0) * 1000.0, 0);
	old_provenance(&b);
	if (old)
		say(&b, "generation %llu shown: g lists every generation",
		    (unsigned long long)o->generation);
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "%s: cannot use the terminal (TERM=%s)\n", o->prog,
			getenv("TERM") ? getenv("TERM") : "");
		rc = 1;
		goto out;
	}
	set_term(scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	colours_init(&b);
	while (!b.quit) {
		double t_key = 0;
		int k;

		if (!drawn) {
			draw(&b);
			refresh();
		}
		drawn = false;
		if (!b.first_drawn) {
			b.first_drawn = true;
			timing_log(&b, "first_draw_ms", (tui_now() - o->t0) * 1000.0, 0);
		}
		if (b.mode == MODE_EXPORT_RUN) {
			export_run(&b);		/* reads the keys as it goes */
			continue;
		}
		timeout(content_pending(&b) ? (b.content_busy ? 0 : 150) : -1);
		k = getch();
		if (k == ERR) {
			b.content_busy = false;
			if (content_pending(&b)) {
				content_fill(&b);
				b.content_busy = true;
			}
			continue;
		}
		b.content_busy = false;
		t_key = tui_now();
		key(&b, k);
		if (b.quit)
			break;
		draw(&b);
		refresh();
		drawn = true;
		timing_log(&b, "key_ms", (tui_now() - t_key) * 1000.0, k);
	}
	endwin();
	delscreen(scr);
out:
	if (b.x_rd) {
		mlvm_export_out_close(&b.x_out, false);
		mlvm_lv_reader_free(b.x_rd);
	}
	if (b.timing)
		fclose(b.timing);
	content_reset(&b, 0);
	tm_text_free(&b.view);
	free(b.gens);
	tm_model_free(b.m);
	mlvm_prov_free(b.prov);
	tm_text_free(&b.reuse_lines);
	mlvm_set_free(b.carved);
	mlvm_set_free(b.old);
	mlvm_set_free(b.cur);
	mlvm_magic_cleanup();
	return rc;
}

/* ------------------------------------------------------------ terminal check */

/* last: term.h defines macros (lines, columns...) that clash with names above */
#include <term.h>

int tui_term_check(char *why, size_t len)
{
	const char *term = getenv("TERM");
	char *cup;
	int err = 0;

	if (!term || !*term) {
		snprintf(why, len, "TERM is not set: mlvm browse needs a terminal type that can move the cursor (e.g. TERM=xterm-256color), or use mlvm read");
		return -1;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		snprintf(why, len, "the terminal type TERM=%.100s is unknown here: set TERM to one terminfo knows (e.g. xterm-256color), or use mlvm read", term);
		return -1;
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (!cup || cup == (char *)-1) {
		snprintf(why, len, "TERM=%.100s cannot move the cursor, which mlvm browse needs: set TERM to your terminal (e.g. xterm-256color), or use mlvm read (plain text)", term);
		return -1;
	}
	return 0;
}
