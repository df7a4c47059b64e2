/*
 * screen_prompt.c - the search (/) and filter (f) prompt in the status
 * line, and the line editor it shares with the export path prompt
 * (screen_export.c). The filter applies as it is typed; Esc clears it.
 */
#include "tui/ui.h"

#include <string.h>

/* ------------------------------------------------------------ line editor */


void ui_le_set(struct line_edit *le, const char *s)
{
	snprintf(le->buf, sizeof(le->buf), "%s", s);
	le->len = le->pos = strlen(le->buf);
}

/* a key for the line: 1 Enter, -1 Esc, 0 otherwise */
int ui_le_key(struct line_edit *le, int k)
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

/* ------------------------------------------------------------ the prompt */


void ui_prompt_start(struct browser *b, bool filter)
{
	b->prompt_filter = filter;
	ui_le_set(&b->le, filter ? b->m->filter : "");
	b->mode = MODE_PROMPT;
}
/* over the status line the main screen drew */
static void prompt_draw(struct browser *b)
{
	int y = LINES - 1;
	const char *p = b->prompt_filter ? "filter: " : "/";
	int pl = (int)strlen(p);

	ui_fill(y, 0, COLS);
	ui_put(y, 0, p, pl);
	ui_put(y, pl, b->le.buf, COLS - pl - 1);
	move(y, pl + (int)b->le.pos < COLS ? pl + (int)b->le.pos : COLS - 1);
	curs_set(1);
}


static void prompt_key(struct browser *b, int k)
{
	int r = ui_le_key(&b->le, k);

	if (b->prompt_filter) {
		tm_set_filter(b->m, b->le.buf);	/* as it is typed */
		if (r)
			b->mode = MODE_MAIN;
		if (r < 0) {
			tm_set_filter(b->m, NULL);
			ui_say(b, "filter cleared");
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
			ui_say(b, "no name holds \"%s\"", b->search);
		else
			ui_say(b, "found \"%s\" (n: next)", b->search);
	}
}


const struct tui_screen tui_screen_prompt = { "prompt", prompt_draw, prompt_key };
