/*
 * screen_main.c - the main screen of mlvm browse and its keys:
 *   row 0        header: VG, seqno, generation shown
 *   tree pane    VGs, PVs, LVs (sub-LVs folded)  | details pane
 *   map pane     one line (or more) of cells per PV of the selected VG
 *   last row     status: counts, warnings, messages
 * Tab moves the focus between the three panes; the keys move in the
 * focused one. The dialogs (the other screens) are drawn over it.
 */
#include "tui/ui.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

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

/* ------------------------------------------------------------ layout */

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
	if (ui_small()) {
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

/* the content (libmagic) of a node, NULL when not computed yet */
static const char *content_of(struct browser *b, int32_t node)
{
	return b->content && node >= 0 && (size_t)node < b->n_content ? b->content[node] : NULL;
}

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
	ui_box(b, l->tree_y, l->tree_x, l->tree_h, l->tree_w, title, b->focus == FOCUS_TREE);
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
		ui_fill(y, x, inner_w);
		if (is_sel)
			attron(b->focus == FOCUS_TREE ? A_REVERSE : A_BOLD | A_UNDERLINE);
		for (d = 0; d < gi && d < inner_w; d++) {
			if (guides[d] == '|')
				mvaddch(y, x + d, ui_ch_v(b));
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
		ui_put(y, x, name, avail);
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
			ui_put(y, x, tag, avail);
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
				ui_put(y, cx, shortc, cw);
				if (!is_sel)
					attroff(A_DIM);
			}
		}
		if (size[0] && avail > (int)strlen(size) + 1)
			ui_put(y, l->tree_x + 1 + inner_w - (int)strlen(size), size, (int)strlen(size));
		if (is_sel)
			attroff(A_REVERSE | A_BOLD | A_UNDERLINE);
	}
	/* a scroll indicator */
	if (m->n_rows > (size_t)inner_h && inner_h > 0)
		ui_putf(l->tree_y + l->tree_h - 1, l->tree_x + 2, l->tree_w - 4, " %zu/%zu ",
			tm_sel_row(m) + 1, m->n_rows);
}

/* ------------------------------------------------------------ details pane */


static void details_draw(struct browser *b, const struct layout *l)
{
	struct tm_text t = { 0 };
	static struct wrapped wl[MAX_WRAPPED];
	int inner_h = l->det_h - 2, inner_w = l->det_w - 2, kw, i;
	size_t n;

	ui_box(b, l->det_y, l->det_x, l->det_h, l->det_w, "Details", b->focus == FOCUS_DETAILS);
	if (b->m->sel < 0)
		return;
	if (b->det_node != b->m->sel) {
		b->det_node = b->m->sel;
		b->det_top = 0;
	}
	tm_details(b->m, b->m->sel, content_of(b, b->m->sel), &t);
	{
		/* the extents reused since: right under the heading and the
		 * change line, not below a long content or the text as written,
		 * where they could be scrolled out of sight */
		const struct tm_text *ru = node_reuse(b, b->m->sel);
		size_t before = t.n, at = t.n ? 1 : 0, k;
		char **moved;

		for (k = 0; k < before; k++)
			if (!strncmp(t.lines[k], "change\t", 7)) {
				at = k + 1;
				break;
			}
		for (i = 0; (size_t)i < ru->n; i++)
			tm_text_add(&t, "%s", ru->lines[i]);
		k = t.n - before;
		if (k && at < before && (moved = malloc(k * sizeof(*moved)))) {
			memcpy(moved, t.lines + before, k * sizeof(*moved));
			memmove(t.lines + at + k, t.lines + at, (before - at) * sizeof(*moved));
			memcpy(t.lines + at, moved, k * sizeof(*moved));
			free(moved);
		}
	}
	kw = ui_key_width(&t, inner_w);
	n = ui_wrap_text(&t, inner_w, kw, wl, MAX_WRAPPED);
	if (inner_h > 0 && b->det_top + (size_t)inner_h > n)
		b->det_top = n > (size_t)inner_h ? n - (size_t)inner_h : 0;
	for (i = 0; i < inner_h && b->det_top + (size_t)i < n; i++)
		ui_wrapped_draw(b, l->det_y + 1 + i, l->det_x + 1, inner_w, kw, &wl[b->det_top + (size_t)i],
				true);
	if (n > (size_t)inner_h && inner_h > 0)
		ui_putf(l->det_y + l->det_h - 1, l->det_x + 2, l->det_w - 4, " %zu-%zu/%zu ",
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
		ui_box(b, l->map_y, 0, l->map_h, COLS, "Extent map", b->focus == FOCUS_MAP);
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
			ui_fill(yy, 1, inner_w);
			attron(A_DIM);
			ui_put(yy, 2, buf, inner_w - 1);
			attroff(A_DIM);
		}
	}
	for (y = 0; y < inner_h && b->map_top + (size_t)y < w->vg->n_pvs; y++) {
		size_t nc, c;

		p = (uint32_t)(b->map_top + (size_t)y);
		ui_fill(l->map_y + 1 + y, 1, inner_w);
		if (p == b->map_pv && b->focus == FOCUS_MAP)
			attron(A_REVERSE);
		ui_put(l->map_y + 1 + y, 1, w->vg->pvs[p].name, name_w);
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
	ui_box(b, l->map_y, 0, l->map_h, COLS, title, b->focus == FOCUS_MAP);
}

/* ------------------------------------------------------------ header, status */

static void header_draw(struct browser *b)
{
	const struct tm_vgview *w = b->m->n_vgs ? &b->m->vgs[tm_node_vg(b->m, b->m->sel)] : NULL;
	char buf[400];

	attron(A_REVERSE);
	ui_fill(0, 0, COLS);
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
	ui_put(0, 0, buf, COLS);
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

	ui_fill(y, 0, COLS);
	snprintf(left, sizeof(left), "%zu warning%s", nw, mlvm_plural(nw, "", "s"));
	if (nw && b->colour)
		attron(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	else
		attron(A_BOLD);
	ui_put(y, 0, left, COLS);
	attroff(COLOR_PAIR(PAIR_WARN) | A_BOLD);
	if (b->msg[0])
		ui_putf(y, (int)strlen(left), COLS - (int)strlen(left), "  %s", b->msg);
	else
		ui_putf(y, (int)strlen(left), COLS - (int)strlen(left), "%s  %s",
			b->m->filter[0] ? "  [filtered]" : "",
			"?:help /:search g:generations e:export d:damage q:quit");
}

/* ------------------------------------------------------------ the screen */

bool ui_small(void)
{
	return LINES < 12 || COLS < 50;
}

static void main_draw(struct browser *b)
{
	struct layout l;

	layout(b, &l);
	if (l.small) {
		ui_putf(0, 0, COLS, "terminal too small (%dx%d): mlvm browse needs 50x12", COLS, LINES);
		ui_putf(1, 0, COLS, "q quits");
		return;
	}
	header_draw(b);
	if (b->m->n_vgs) {
		tree_draw(b, &l);
		details_draw(b, &l);
		map_draw(b, &l);
	}
	status_draw(b);
}

/* ------------------------------------------------------------ keys */

static int tree_height(const struct browser *b)
{
	struct layout l;

	layout(b, &l);
	return l.tree_h > 3 ? l.tree_h - 2 : 1;
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
		ui_gens_open(b);
		return;
	case 'e':
		ui_export_start(b);
		return;
	case '/':
		ui_prompt_start(b, false);
		return;
	case 'f':
		ui_prompt_start(b, true);
		return;
	case 'n':
		if (!b->search[0])
			ui_say(b, "no search yet: / to search");
		else if (!tm_search(m, b->search, true))
			ui_say(b, "no name holds \"%s\"", b->search);
		return;
	case 's':
		tm_set_sort(m, (enum tm_sort)((m->sort + 1) % TM_SORT_COUNT));
		ui_say(b, "sorted by %s", tm_sort_name(m->sort));
		return;
	case 27:
		if (m->filter[0]) {
			tm_set_filter(m, NULL);
			ui_say(b, "filter cleared");
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
				ui_say(b, "no LV there");
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

const struct tui_screen tui_screen_main = { "main", main_draw, main_key };
