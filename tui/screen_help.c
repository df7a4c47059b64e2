/*
 * screen_help.c - the help dialog (? or F1): the keys and what the screen
 * shows, wrapped to the terminal's width, scrolled with the list keys.
 */
#include "tui/ui.h"

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
	"guest VGs\ta VG found inside an LV (a guest disk) is under that LV: unfold the LV for the guest VG, its PVs and LVs, used like any other; one whose PVs lie in several LVs (or partly on an image) stays at the top, its label naming them (VG guest (guest in host/a, host/b; image disk2.img))",
	"content\twhat libmagic says each LV holds (its first 128 KiB), filled in for the rows on screen when no key is pressed; the details say it in full",
	"Header\tseqno N (current), or FALLBACK when the committed copies were unusable and the newest intact generation in a ring is shown, or GONE when no metadata area commits the VG any longer (d says why)",
};

#define N_HELP (sizeof(help_lines) / sizeof(help_lines[0]))

static void help_draw(struct browser *b)
{
	struct tm_text t = { 0 };
	size_t i;

	for (i = 0; i < N_HELP; i++)
		tm_text_add(&t, "%s", help_lines[i]);
	ui_text_dialog(b, "Help: mlvm browse (Esc closes)", &t, &b->list_top, NULL);
	tm_text_free(&t);
}


static void help_key(struct browser *b, int k)
{
	if (ui_list_key(&b->list_top, 4 * N_HELP, k))	/* wrapped: help_draw clamps */
		return;
	switch (k) {
	case 27: case 'q': case '\n': case '\r': case KEY_ENTER: case 'd': case '?':
		b->mode = MODE_MAIN;
		break;
	default: break;
	}
}

const struct tui_screen tui_screen_help = { "help", help_draw, help_key };
