/*
 * draw.c - the drawing helpers the browser's screens share (tui/ui.h):
 * clipped text, boxes, dialogs of wrapped key/value lines, list keys and
 * the colour pairs.
 */
#include "tui/ui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ text and boxes */

/* draw at most w columns of s at y, x: bytes outside printable ASCII as '?' */
void ui_put(int y, int x, const char *s, int w)
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

void ui_putf(int y, int x, int w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ui_put(y, x, buf, w);
}

void ui_fill(int y, int x, int w)
{
	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return;
	if (x + w > COLS)
		w = COLS - x;
	mvhline(y, x, ' ', w);
}

static chtype ch_h(const struct browser *b) { return b->ascii ? '-' : ACS_HLINE; }
chtype ui_ch_v(const struct browser *b) { return b->ascii ? '|' : ACS_VLINE; }

void ui_box(const struct browser *b, int y, int x, int h, int w, const char *title, bool hot)
{
	int i;

	if (h < 2 || w < 2)
		return;
	for (i = 1; i < w - 1; i++) {
		mvaddch(y, x + i, ch_h(b));
		mvaddch(y + h - 1, x + i, ch_h(b));
	}
	for (i = 1; i < h - 1; i++) {
		mvaddch(y + i, x, ui_ch_v(b));
		mvaddch(y + i, x + w - 1, ui_ch_v(b));
	}
	mvaddch(y, x, b->ascii ? '+' : ACS_ULCORNER);
	mvaddch(y, x + w - 1, b->ascii ? '+' : ACS_URCORNER);
	mvaddch(y + h - 1, x, b->ascii ? '+' : ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, b->ascii ? '+' : ACS_LRCORNER);
	if (title && w > 6) {
		if (hot)
			attron(A_BOLD | A_REVERSE);
		ui_putf(y, x + 2, w - 4, " %s ", title);
		if (hot)
			attroff(A_BOLD | A_REVERSE);
	}
}

/* a cleared box for a dialog, centred; returns its geometry */
void ui_dialog_box(const struct browser *b, int want_h, int want_w, const char *title,
		       int *y, int *x, int *h, int *w)
{
	int i;

	*h = want_h < LINES - 2 ? want_h : LINES - 2;
	*w = want_w < COLS - 2 ? want_w : COLS - 2;
	*y = (LINES - *h) / 2;
	*x = (COLS - *w) / 2;
	for (i = 0; i < *h; i++)
		ui_fill(*y + i, *x, *w);
	ui_box(b, *y, *x, *h, *w, title, true);
}

/*
 * Key/value lines wrapped at spaces (tm_wrap) into the value column; a
 * value that would be cut inside a word there (a uuid, a path) but fits
 * the pane goes on the next line, indented, so it is never split.
 */
size_t ui_wrap_text(const struct tm_text *t, int width, int kw, struct wrapped *out, size_t max)
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
int ui_key_width(const struct tm_text *t, int width)
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

/*
 * One line of ui_wrap_text at y, x, inner_w wide: a heading bold and
 * underlined, a key bold in its column kw wide, the value after it;
 * values starting REMOVED or REUSED in red when mark_removed.
 */
void ui_wrapped_draw(const struct browser *b, int y, int x, int inner_w, int kw, const struct wrapped *e,
		     bool mark_removed)
{
	char buf[512];

	if (e->heading) {
		snprintf(buf, sizeof(buf), "%.*s", e->len, e->s);
		attron(A_BOLD | A_UNDERLINE);
		ui_put(y, x, buf, inner_w);
		attroff(A_BOLD | A_UNDERLINE);
		return;
	}
	if (e->key) {
		snprintf(buf, sizeof(buf), "%.*s", e->klen, e->key);
		attron(A_BOLD);
		ui_put(y, x, buf, e->indent < 0 ? inner_w : kw);
		attroff(A_BOLD);
	}
	snprintf(buf, sizeof(buf), "%.*s", e->len, e->s);
	if (mark_removed && (!strncmp(buf, "REMOVED", 7) || !strncmp(buf, "REUSED", 6)) && b->colour)
		attron(COLOR_PAIR(PAIR_REMOVED) | A_BOLD);
	if (e->indent >= 0)
		ui_put(y, x + e->indent, buf, inner_w - e->indent);
	if (mark_removed)
		attroff(COLOR_PAIR(PAIR_REMOVED) | A_BOLD);
}

/* dialogs use the terminal's width (htop's and ncdu's full-screen lists) */
int ui_dialog_width(void)
{
	return COLS - 4 > 40 ? COLS - 4 : COLS - 2;
}

/*
 * A dialog of key/value lines (tm_text), wrapped to its width: headings
 * bold, keys in a column, long values on lines of their own; scrolled by
 * *top (clamped here).
 */
void ui_text_dialog(struct browser *b, const char *title, const struct tm_text *t, size_t *top,
			const char *footer)
{
	static struct wrapped wl[MAX_WRAPPED];
	int y, x, h, w, i, kw, inner_w = ui_dialog_width() - 4;
	size_t n;

	kw = ui_key_width(t, inner_w);
	n = ui_wrap_text(t, inner_w, kw, wl, MAX_WRAPPED);
	ui_dialog_box(b, (int)n + 2, ui_dialog_width(), title, &y, &x, &h, &w);
	inner_w = w - 4;
	if (*top + (size_t)(h - 2) > n)
		*top = n > (size_t)(h - 2) ? n - (size_t)(h - 2) : 0;
	for (i = 0; i < h - 2 && *top + (size_t)i < n; i++)
		ui_wrapped_draw(b, y + 1 + i, x + 2, inner_w, kw, &wl[*top + (size_t)i], false);
	if (n > (size_t)(h - 2))
		ui_putf(y + h - 1, x + 2, w - 4, " %zu-%zu/%zu %s", *top + 1,
			*top + (size_t)(h - 2) < n ? *top + (size_t)(h - 2) : n, n, footer ? footer : "");
	else if (footer)
		ui_putf(y + h - 1, x + 2, w - 4, " %s", footer);
}

/* ------------------------------------------------------------ lists */

bool ui_list_key(size_t *pos, size_t n, int k)
{
	switch (k) {
	case KEY_UP: case 'k': if (*pos) (*pos)--; return true;
	case KEY_DOWN: case 'j': if (*pos + 1 < n) (*pos)++; return true;
	case KEY_PPAGE: *pos = *pos > 8 ? *pos - 8 : 0; return true;
	case KEY_NPAGE: *pos += 8; if (*pos >= n) *pos = n ? n - 1 : 0; return true;
	case KEY_HOME: *pos = 0; return true;
	case KEY_END: *pos = n ? n - 1 : 0; return true;
	default: return false;
	}
}

/* ------------------------------------------------------------ colours */

void ui_colours_init(struct browser *b)
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
