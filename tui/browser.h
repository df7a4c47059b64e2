/*
 * browser.h - the ncurses browser over a set of images (mlvm browse).
 *
 * The browser draws what tui/model.c computes: a tree of VGs, PVs and LVs,
 * the details of the selection, an extent map per PV and a status line;
 * dialogs for the generations timeline, the damage list, help, search and
 * export. Each screen is a file tui/screen_*.c with a draw and a key
 * function (ncdu's way); tui/ui.h is the private interface between them.
 *
 * Layer: tui (tui). May include: base, io, disk, text, model, map, export, write, fs.
 */
#ifndef MLVM_TUI_BROWSER_H
#define MLVM_TUI_BROWSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/assemble.h"

struct tui_opts {
	const char *prog;		/* "mlvm", for messages */
	char **images;
	int n_images;
	const char *vg;			/* --vg NAME, UUID or NAME@UUID (vgspec.h), or NULL */
	bool strict;
	bool no_nested;			/* --no-nested: sets opened by the browser (g) do
					 * not look inside LVs either */
	const struct mlvm_pv_choice *pv_choices;	/* --pv */
	size_t n_pv_choices;
	const struct mlvm_copy_choice *copy_at;	/* --copy-at: the generations
						 * opened take it (for the seqno
						 * whose copy it names) */
	bool ascii;			/* --ascii: no line drawing characters */
	uint64_t generation;		/* shown first when want_generation */
	bool want_generation;
	const char *timing;		/* MLVM_BROWSE_TIMING: append draw timings here */
	double t0;			/* when the command started (CLOCK_MONOTONIC, s) */
};

/*
 * Run the browser until the user quits. cur is the set as assembled now
 * (taken over: freed by the browser), old the set assembled for
 * opts->generation (taken over too, may be NULL). Returns an exit status.
 */
int tui_browse(const struct tui_opts *opts, struct mlvm_set *cur, struct mlvm_set *old);

/*
 * Whether the terminal ($TERM) can run the browser: known to terminfo and
 * able to move the cursor (TERM=dumb cannot). 0, or -1 with the reason
 * (lowercase, no full stop) in why.
 */
int tui_term_check(char *why, size_t len);

/* CLOCK_MONOTONIC in seconds */
double tui_now(void);

#endif
