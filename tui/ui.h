/*
 * ui.h - the browser's private parts (tui/ only): its state (struct
 * browser), its modes, the screens and the drawing helpers they share.
 *
 * Each screen is a file tui/screen_*.c defining one const struct
 * tui_screen: draw() paints it (the dialogs over the main screen, which
 * ui_draw paints first), key() turns a key into model calls and mode
 * changes. tui/browser.c holds the state's set-up, the loop and the
 * dispatch through a table indexed by enum mode; tui/draw.c the helpers
 * declared here. All drawing goes through curses' stdscr; nothing here is
 * thread-safe (the browser has one thread).
 *
 * Layer: tui (tui). May include: base, io, disk, text, model, map, export, write, fs.
 */
#ifndef MLVM_TUI_UI_H
#define MLVM_TUI_UI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tui/browser.h"
#include "tui/model.h"
#include "export/export.h"
#include "map/provenance.h"

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

/* ------------------------------------------------------------ layout */

struct layout {
	int tree_y, tree_x, tree_h, tree_w;
	int det_y, det_x, det_h, det_w;
	int map_y, map_h;
	int legend_rows;	/* rows of the map pane given to the legend */
	bool small;
};
/* is the terminal too small for the browser (it then says so and nothing else) */
bool ui_small(void);

#define MAX_WRAPPED 4000

/* lines as drawn, wrapped to the pane (key column kw) */
struct wrapped {
	const char *s;		/* the text of this screen line */
	int len;
	const char *key;	/* the key on the first line of an entry, else NULL */
	int klen;
	bool heading;
	int indent;		/* where the value starts on the line */
};

/* ------------------------------------------------------------ screens */

struct tui_screen {
	const char *name;
	/* paint the screen; dialogs are painted over the main screen */
	void (*draw)(struct browser *b);
	/* one key (never KEY_RESIZE) */
	void (*key)(struct browser *b, int k);
};

extern const struct tui_screen tui_screen_main;	/* screen_main.c: tree, details, map */
extern const struct tui_screen tui_screen_help;	/* screen_help.c */
extern const struct tui_screen tui_screen_gens;	/* screen_gens.c: the generations list */
extern const struct tui_screen tui_screen_damage;	/* screen_damage.c */
extern const struct tui_screen tui_screen_view;	/* screen_view.c: one entry in full */
extern const struct tui_screen tui_screen_prompt;	/* screen_prompt.c: search, filter */
extern const struct tui_screen tui_screen_export;	/* screen_export.c: path, progress, result */

/* the screen of mode m */
const struct tui_screen *ui_screen(enum mode m);

/* ------------------------------------------------------------ browser.c */

/* set the status line's message */
void ui_say(struct browser *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* paint the whole screen for b->mode (not refreshed) */
void ui_draw(struct browser *b);
/* one key, to the screen of b->mode */
void ui_key(struct browser *b, int k);
/* (re)build the model from cur and old, keeping the selection by name; 0 or -ENOMEM */
int ui_rebuild(struct browser *b);
/* the extent provenance of the older generation shown (b->prov, b->reuse_lines reset) */
void ui_old_provenance(struct browser *b);
/* open and assemble the images with the browser's options over oo; NULL and err on failure */
struct mlvm_set *ui_open_set(struct browser *b, const struct mlvm_open_opts *oo, char *err, size_t len);
/* the current VG of the selection (its base when an older one is shown), or NULL */
const struct mlvm_vg *ui_sel_current_vg(const struct browser *b);

/* ------------------------------------------------------------ draw.c */

/* draw at most w columns of s at y, x: bytes outside printable ASCII as '?' */
void ui_put(int y, int x, const char *s, int w);
void ui_putf(int y, int x, int w, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* blank w columns at y, x (clipped to the screen) */
void ui_fill(int y, int x, int w);
/* the vertical line character ('|' with --ascii) */
chtype ui_ch_v(const struct browser *b);
/* a box with its title in the top border (reversed when hot) */
void ui_box(const struct browser *b, int y, int x, int h, int w, const char *title, bool hot);
/* a cleared box for a dialog, centred; returns its geometry */
void ui_dialog_box(const struct browser *b, int want_h, int want_w, const char *title,
		   int *y, int *x, int *h, int *w);
/* the width of dialogs: the terminal's, less a margin */
int ui_dialog_width(void);
/* key/value lines (tm_text) wrapped to width with keys in a column kw wide; returns the lines */
size_t ui_wrap_text(const struct tm_text *t, int width, int kw, struct wrapped *out, size_t max);
/* one line of ui_wrap_text at y, x (values starting REMOVED or REUSED in red when mark_removed) */
void ui_wrapped_draw(const struct browser *b, int y, int x, int inner_w, int kw, const struct wrapped *e,
		     bool mark_removed);
/* the key column for t: the longest key, at most a third of width (and 22) */
int ui_key_width(const struct tm_text *t, int width);
/* a dialog of key/value lines, scrolled by *top (clamped), footer in its bottom border */
void ui_text_dialog(struct browser *b, const char *title, const struct tm_text *t, size_t *top,
		    const char *footer);
/*
 * Move *pos in a list of n entries for the keys Up/Down (k/j), PgUp/PgDn
 * (8 entries), Home and End; true when k was one of them.
 */
bool ui_list_key(size_t *pos, size_t n, int k);
/* the colour pairs, unless NO_COLOR, TERM=dumb or no colours (b->colour) */
void ui_colours_init(struct browser *b);

/* ------------------------------------------------------------ screens' entries */

/* screen_prompt.c: the line editor of the prompt and the export path */
void ui_le_set(struct line_edit *le, const char *s);
/* a key for the line: 1 Enter, -1 Esc, 0 otherwise */
int ui_le_key(struct line_edit *le, int k);
/* start a search (/) or filter (f) prompt */
void ui_prompt_start(struct browser *b, bool filter);
/* screen_gens.c: carve the generations of the selected VG and list them */
void ui_gens_open(struct browser *b);
/* screen_export.c: the export path prompt for the selected LV */
void ui_export_start(struct browser *b);
/* screen_export.c: the export begun, to its end (done, failed or cancelled); reads keys */
void ui_export_run(struct browser *b);

#endif
