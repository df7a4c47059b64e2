/*
 * screen_view.c - one entry of a list in full (Enter in the damage list,
 * i in the generations), over the list it came from (b->view_back), which
 * Esc returns to. The entry is b->view (key/value lines), titled
 * b->view_title; the list screens fill them.
 */
#include "tui/ui.h"

static void view_draw(struct browser *b)
{
	ui_screen(b->view_back)->draw(b);
	ui_text_dialog(b, b->view_title, &b->view, &b->view_top, "Esc: back ");
}

static void view_key(struct browser *b, int k)
{
	/* no End: the length is the dialog's (view_draw clamps the rest) */
	if (k != KEY_END && ui_list_key(&b->view_top, SIZE_MAX / 2, k))
		return;
	switch (k) {
	case 27: case 'q': case '\n': case '\r': case KEY_ENTER: case KEY_LEFT: case 'h':
		b->mode = b->view_back;
		break;
	default: break;
	}
}

const struct tui_screen tui_screen_view = { "view", view_draw, view_key };
