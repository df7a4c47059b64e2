/*
 * screen_damage.c - the damage list (d): every anomaly of the images as
 * they are and of the older generation shown, with its image and byte
 * offset, wrapped; Enter opens one in full (screen_view.c).
 */
#include "tui/ui.h"

#include <string.h>

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
		total += damage_lines(b, i, ui_dialog_width() - 4);
	snprintf(title, sizeof(title), "Damage and notices: %zu (Enter opens one in full, Esc closes)", n);
	ui_dialog_box(b, (int)(n ? total : 1) + 2, ui_dialog_width(), title, &y, &x, &h, &w);
	if (!n) {
		ui_put(y + 1, x + 2, "nothing to report: every checksum and structure checked out", w - 4);
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
			ui_put(y + 1 + row, x + 2, buf, iw);
		}
		attroff(A_BOLD | A_REVERSE | COLOR_PAIR(PAIR_WARN));
		ns = tm_wrap(a->message, (size_t)(iw > 3 ? iw - 2 : 1), sp, 256);
		for (k = 0; k < ns && k < 256 && row < h - 2; k++, row++) {
			snprintf(buf, sizeof(buf), "%.*s", (int)sp[k].len, a->message + sp[k].off);
			ui_put(y + 1 + row, x + 4, buf, iw - 2);
		}
	}
	ui_putf(y + h - 1, x + 2, w - 4, " %zu/%zu ", b->dmg_sel + 1, n);
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

static void damage_key(struct browser *b, int k)
{
	if (ui_list_key(&b->dmg_sel, damage_count(b), k))
		return;
	switch (k) {
	case '\n': case '\r': case KEY_ENTER: case 'i': case KEY_RIGHT: case 'l':
		damage_view(b, b->dmg_sel);
		break;
	case 27: case 'q': case 'd':
		b->mode = MODE_MAIN;
		break;
	default: break;
	}
}

const struct tui_screen tui_screen_damage = { "damage", damage_draw, damage_key };
