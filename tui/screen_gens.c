/*
 * screen_gens.c - the generations of the selected VG (g): every metadata
 * generation carved from the rings, one a row with the selected one's
 * description below; Enter shows the VG as it was (an older set, diffed
 * against the current one), i opens a row in full (screen_view.c).
 */
#include "tui/ui.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

/* what '*' stands for in the generations list: the VG assembled now */
static const char *gens_star(const struct browser *b)
{
	const struct mlvm_vg *cv = ui_sel_current_vg(b);
	const char *st = cv ? tm_vg_standing(cv, false) : "current";

	return !strcmp(st, "fallback") ? "in use (a fallback: the committed copies are unusable)" :
	       !strcmp(st, "gone") ? "newest (the VG is committed nowhere now)" : "current";
}

static void gens_draw(struct browser *b)
{
	static struct tm_span sp[64];
	int y, x, h, w, i, inner, dl = 0, want_dl = 0;
	char title[200];
	const struct mlvm_vg *cv = ui_sel_current_vg(b);
	const char *d = b->gen_sel < b->n_gens ? b->gens[b->gen_sel].description : "";

	snprintf(title, sizeof(title), "Generations of vg %.100s: Enter shows one, i opens it in full, Esc closes",
		 cv ? cv->name : "?");
	want_dl = (int)tm_wrap(d, (size_t)(ui_dialog_width() - 4), sp, 64);
	ui_dialog_box(b, (int)b->n_gens + 4 + want_dl, ui_dialog_width(), title, &y, &x, &h, &w);
	/* the selected generation's description, in full below the list (a third of the box at most) */
	dl = (int)tm_wrap(d, (size_t)(w - 4), sp, 64);
	if (dl > (h - 4) / 3 + 1)
		dl = (h - 4) / 3 + 1;
	inner = h - 3 - dl;
	if (inner < 1)
		inner = 1;
	attron(A_BOLD);
	ui_putf(y + 1, x + 2, w - 4, "  %-7s %-19s %-12s %-6s %s", "SEQNO", "TIME (UTC)", "STATE", "COPIES",
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
		ui_fill(y + 2 + i, x + 1, w - 2);
		ui_putf(y + 2 + i, x + 2, w - 4, "%c%c%-7s %-19s %-12s %-6u %s", shown ? '>' : ' ',
			g->current ? '*' : ' ', seq, when, g->state, g->copies,
			g->description[0] ? g->description : "-");
		attroff(A_REVERSE | A_DIM);
	}
	for (i = 0; i < dl && i < 64; i++) {
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)sp[i].len, d + sp[i].off);
		ui_put(y + h - 1 - dl + i, x + 2, buf, w - 4);
	}
	ui_putf(y + h - 1, x + 2, w - 4, " * %s  > shown  %zu generation%s ", gens_star(b), b->n_gens,
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

void ui_gens_open(struct browser *b)
{
	const struct mlvm_vg *cv = ui_sel_current_vg(b);
	size_t i;

	if (!cv) {
		ui_say(b, "no volume group");
		return;
	}
	if (!b->carved) {
		struct mlvm_open_opts oo = { .carve = true };
		char err[300];

		ui_say(b, "carving the metadata areas for older generations...");
		ui_draw(b);
		doupdate();
		refresh();
		b->carved = ui_open_set(b, &oo, err, sizeof(err));
		if (!b->carved) {
			ui_say(b, "%s", err);
			return;
		}
	}
	free(b->gens);
	b->gens = NULL;
	b->n_gens = 0;
	if (tm_generations(b->carved, cv->id, cv->seqno, &b->gens, &b->n_gens)) {
		ui_say(b, "out of memory");
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
	/* that VG's generation; the others as they are now (a guest VG's host LV) */
	struct mlvm_open_opts oo = { .want_generation = true, .generation = seqno, .generation_vg = vg_id };
	struct mlvm_set *set;
	char err[300];
	size_t i;

	if (current) {
		struct mlvm_set *was = b->old;

		b->old = NULL;
		b->old_vg_id[0] = 0;
		if (ui_rebuild(b))	/* it reads the model still pointing into was */
			b->quit = true;
		ui_old_provenance(b);
		mlvm_set_free(was);
		ui_say(b, "showing the generation assembled now (seqno %llu, %s)", (unsigned long long)seqno,
		       tm_vg_standing(ui_sel_current_vg(b), false));
		return;
	}
	ui_say(b, "assembling generation %llu...", (unsigned long long)seqno);
	ui_draw(b);
	refresh();
	set = ui_open_set(b, &oo, err, sizeof(err));
	if (!set) {
		ui_say(b, "%s", err);
		return;
	}
	for (i = 0; i < set->n_vgs; i++)
		if (set->vgs[i]->id && vg_id && !strcmp(set->vgs[i]->id, vg_id))
			break;
	if (i == set->n_vgs) {
		mlvm_set_free(set);
		ui_say(b, "generation %llu has no intact copy to show", (unsigned long long)seqno);
		return;
	}
	{
		struct mlvm_set *was = b->old;

		b->old = set;
		b->old_seqno = seqno;
		snprintf(b->old_vg_id, sizeof(b->old_vg_id), "%s", vg_id);
		if (ui_rebuild(b))	/* it reads the model still pointing into was */
			b->quit = true;
		ui_old_provenance(b);
		mlvm_set_free(was);
	}
	{
		const struct tm_vgview *w = &b->m->vgs[tm_node_vg(b->m, b->m->sel)];

		ui_say(b, "generation %llu: since then %u removed, %u created, %u renamed, %u resized",
		       (unsigned long long)seqno, w->n_removed, w->n_added, w->n_renamed, w->n_resized);
	}
}
static void gens_key(struct browser *b, int k)
{
	if (ui_list_key(&b->gen_sel, b->n_gens, k))
		return;
	switch (k) {
	case 'i': case KEY_RIGHT: case 'l':
		gens_view(b);
		break;
	case 27: case 'q': case 'g':
		b->mode = MODE_MAIN;
		break;
	case '\n': case '\r': case KEY_ENTER: {
		const struct tm_gen *g;
		const struct mlvm_vg *cv = ui_sel_current_vg(b);
		char id[40];

		if (b->gen_sel >= b->n_gens || !cv)
			break;
		g = &b->gens[b->gen_sel];
		if (!g->seqno_known) {
			ui_say(b, "a fragment with no seqno cannot be shown (mlvm history lists it)");
			break;
		}
		if (!g->usable) {
			ui_say(b, "generation %llu has no intact copy (%s)", (unsigned long long)g->seqno, g->state);
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

const struct tui_screen tui_screen_gens = { "generations", gens_draw, gens_key };
