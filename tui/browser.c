/*
 * browser.c - mlvm browse: the browser's state and its loop. It sets up
 * the model (tui/model.c) from the sets, runs the loop (draw, wait for a
 * key or fill the LV content column when idle, dispatch the key), writes
 * the timing log and hands each mode's drawing and keys to its screen
 * (tui/screen_*.c) through a table indexed by enum mode.
 */
#include "tui/ui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "model/vgspec.h"
#include "map/content.h"
#include "map/nested.h"
#include "io/magic.h"

/* ------------------------------------------------------------ small helpers */

double tui_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void ui_say(struct browser *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->msg, sizeof(b->msg), fmt, ap);
	va_end(ap);
}

/* the older generation shown: which of its extents later generations reused
 * (extents_reused warnings into its report, shown by d) */
void ui_old_provenance(struct browser *b)
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
int ui_rebuild(struct browser *b)
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

struct mlvm_set *ui_open_set(struct browser *b, const struct mlvm_open_opts *oo, char *err, size_t len)
{
	struct mlvm_open_opts o = *oo;
	struct mlvm_set *set;
	int i, rc;

	o.strict = b->o->strict;
	o.pv_choices = b->o->pv_choices;
	o.n_pv_choices = b->o->n_pv_choices;
	o.copy_at = b->o->copy_at;
	o.copy_at_lenient = true;	/* a copy of another seqno: not this one's choice */
	set = mlvm_set_new(&o);
	if (!set) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	for (i = 0; i < b->o->n_images; i++) {
		rc = mlvm_set_add_path(set, b->o->images[i]);
		if (rc) {
			char buf[512];

			snprintf(err, len, "%s",
				 mlvm_set_open_message(set, b->o->images[i], rc, buf, sizeof(buf)));
			mlvm_set_free(set);
			return NULL;
		}
	}
	rc = b->cur ? mlvm_set_copy_loose(set, b->cur) : 0;	/* --metadata files */
	if (rc) {
		snprintf(err, len, "out of memory");
		mlvm_set_free(set);
		return NULL;
	}
	/* as the command line's set: guest VGs inside LVs too (their generations) */
	rc = b->o->no_nested ? mlvm_set_assemble(set) : mlvm_set_assemble_nested(set);
	if (rc < 0) {
		snprintf(err, len, "cannot assemble the images: %s", strerror(-rc));
		mlvm_set_free(set);
		return NULL;
	}
	return set;
}

/* the current VG of the selection (its base when an older one is shown) */
const struct mlvm_vg *ui_sel_current_vg(const struct browser *b)
{
	const struct tm_vgview *w;

	if (!b->m || !b->m->n_vgs)
		return NULL;
	w = &b->m->vgs[tm_node_vg(b->m, b->m->sel)];
	return w->base ? w->base : w->vg;
}

/* ------------------------------------------------------------ screens */

static const struct tui_screen *const screens[] = {
	[MODE_MAIN] = &tui_screen_main,
	[MODE_HELP] = &tui_screen_help,
	[MODE_GENS] = &tui_screen_gens,
	[MODE_DAMAGE] = &tui_screen_damage,
	[MODE_VIEW] = &tui_screen_view,
	[MODE_PROMPT] = &tui_screen_prompt,
	[MODE_EXPORT_PATH] = &tui_screen_export,
	[MODE_EXPORT_RUN] = &tui_screen_export,
	[MODE_EXPORT_DONE] = &tui_screen_export,
};

const struct tui_screen *ui_screen(enum mode m)
{
	return screens[m];
}

/* the main screen, then the mode's dialog (or prompt) over it */
void ui_draw(struct browser *b)
{
	erase();
	curs_set(0);
	tui_screen_main.draw(b);
	if (ui_small() || b->mode == MODE_MAIN)
		return;
	screens[b->mode]->draw(b);
}

void ui_key(struct browser *b, int k)
{
	if (k == KEY_RESIZE)
		return;		/* the next draw uses the new size */
	screens[b->mode]->key(b, k);
}

/* ------------------------------------------------------------ content (idle) */

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

/* ------------------------------------------------------------ terminal */

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
	if (ui_rebuild(&b)) {
		fprintf(stderr, "%s: out of memory\n", o->prog);
		rc = 1;
		goto out;
	}
	timing_log(&b, "model_ms", (tui_now() - o->t0) * 1000.0, 0);
	ui_old_provenance(&b);
	if (old)
		ui_say(&b, "generation %llu shown: g lists every generation",
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
	ui_colours_init(&b);
	while (!b.quit) {
		double t_key = 0;
		int k;

		if (!drawn) {
			ui_draw(&b);
			refresh();
		}
		drawn = false;
		if (!b.first_drawn) {
			b.first_drawn = true;
			timing_log(&b, "first_draw_ms", (tui_now() - o->t0) * 1000.0, 0);
		}
		if (b.mode == MODE_EXPORT_RUN) {
			ui_export_run(&b);		/* reads the keys as it goes */
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
		ui_key(&b, k);
		if (b.quit)
			break;
		ui_draw(&b);
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

