/*
 * screen_export.c - the export of the selected LV (e), over the one
 * exporter (src/export/export.h): the path prompt (a new file, never
 * overwritten), the progress while it runs (Esc cancels and the partial
 * file is removed), then the bytes written, their SHA-256 and what could
 * not be read. The main loop calls ui_export_run in MODE_EXPORT_RUN.
 */
#include "tui/ui.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* ------------------------------------------------------------ drawing */

static void export_draw(struct browser *b)
{
	int y, x, h, w;
	char title[400];

	snprintf(title, sizeof(title), "Export %s", b->x_lv);
	ui_dialog_box(b, 10, 76, title, &y, &x, &h, &w);
	if (b->mode == MODE_EXPORT_PATH) {
		int fw = w - 6, start = 0;

		ui_put(y + 2, x + 2, "Write the LV's bytes to a new file (never overwritten):", w - 4);
		if ((int)b->le.pos >= fw)
			start = (int)b->le.pos - fw + 1;
		attron(A_UNDERLINE);
		ui_fill(y + 3, x + 3, fw);
		ui_put(y + 3, x + 3, b->le.buf + start, fw);
		attroff(A_UNDERLINE);
		if (b->x_err[0]) {
			if (b->colour)
				attron(COLOR_PAIR(PAIR_REMOVED));
			ui_put(y + 5, x + 2, b->x_err, w - 4);
			attroff(COLOR_PAIR(PAIR_REMOVED));
		}
		ui_put(y + h - 2, x + 2, "Enter: export   Esc: cancel", w - 4);
		move(y + 3, x + 3 + (int)b->le.pos - start);
		curs_set(1);
		return;
	}
	if (b->mode == MODE_EXPORT_RUN && b->x_rd) {
		uint64_t done = b->x_done, total = b->x_total;
		double secs = tui_now() - b->x_t0;
		char rate[40], eta[24], hd[32], ht[32];
		int bw = w - 6, fillw, i;

		tm_rate_eta(done, total, secs, rate, sizeof(rate), eta, sizeof(eta));
		tm_human(done, hd, sizeof(hd));
		tm_human(total, ht, sizeof(ht));
		ui_putf(y + 2, x + 2, w - 4, "to %s", b->x_path);
		fillw = total ? (int)((double)bw * (double)done / (double)total) : bw;
		mvaddch(y + 3, x + 2, '[');
		for (i = 0; i < bw; i++)
			mvaddch(y + 3, x + 3 + i, i < fillw ? (b->ascii ? '#' : ACS_CKBOARD) : ' ');
		mvaddch(y + 3, x + 3 + bw, ']');
		ui_putf(y + 4, x + 2, w - 4, "%3d%%  %s of %s  %s  %s left",
			total ? (int)(100.0 * (double)done / (double)total) : 100, hd, ht, rate, eta);
		ui_put(y + h - 2, x + 2, "Esc: cancel (the partial file is removed)", w - 4);
		return;
	}
	/* done */
	ui_putf(y + 2, x + 2, w - 4, "wrote %llu bytes to %s", (unsigned long long)b->x_bytes, b->x_path);
	ui_put(y + 3, x + 2, "SHA-256", w - 4);
	attron(A_BOLD);
	ui_put(y + 4, x + 2, b->x_hex, w - 4);
	attroff(A_BOLD);
	if (b->x_missing)
		ui_putf(y + 5, x + 2, w - 4, "%zu range%s (%llu bytes) could not be read: zero-filled",
			b->x_missing, mlvm_plural(b->x_missing, "", "s"), (unsigned long long)b->x_missing_bytes);
	else
		ui_put(y + 5, x + 2, "every byte was read", w - 4);
	if (b->x_reused) {
		if (b->colour)
			attron(COLOR_PAIR(PAIR_REMOVED));
		ui_putf(y + 6, x + 2, w - 4, "%s%llu bytes in %zu range%s lie on extents a later generation reused (d)",
			b->x_reused_exact ? "" : "at most ", (unsigned long long)b->x_reused_bytes,
			b->x_reused, mlvm_plural(b->x_reused, "", "s"));
		attroff(COLOR_PAIR(PAIR_REMOVED));
	}
	ui_putf(y + 7, x + 2, w - 4, "in %.2f s", b->x_secs);
	ui_put(y + h - 2, x + 2, "Enter or Esc: close", w - 4);
}

/* ------------------------------------------------------------ actions */

void ui_export_start(struct browser *b)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	char name[400];

	if (!tm_node_lv(b->m, b->m->sel, &vg, &lv)) {
		ui_say(b, "select a logical volume to export");
		return;
	}
	snprintf(b->x_lv, sizeof(b->x_lv), "%s/%s", vg->name, lv->name);
	if (b->m->vgs[b->m->nodes[b->m->sel].vg].base && !b->m->nodes[b->m->sel].ghost)
		snprintf(name, sizeof(name), "%s-%s-seqno%llu.img", vg->name, lv->name,
			 (unsigned long long)vg->seqno);
	else
		snprintf(name, sizeof(name), "%s-%s.img", vg->name, lv->name);
	ui_le_set(&b->le, name);
	b->x_err[0] = 0;
	b->mode = MODE_EXPORT_PATH;
}

static void export_begin(struct browser *b)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;
	struct mlvm_report r;
	int rc;

	if (!tm_node_lv(b->m, b->m->sel, &vg, &lv))
		return;
	snprintf(b->x_path, sizeof(b->x_path), "%s", b->le.buf);
	b->x_err[0] = 0;
	b->x_reused = 0;
	b->x_reused_bytes = 0;
	b->x_reused_exact = true;
	if (b->prov && b->m->vgs[b->m->nodes[b->m->sel].vg].base && !b->m->nodes[b->m->sel].ghost) {
		/* an older generation's LV: its bytes on extents reused since */
		struct mlvm_range *rv = NULL;
		size_t n = 0, i;

		mlvm_report_init(&r);
		if (!mlvm_prov_warn(b->prov, vg, lv, &r, &rv, &n, &b->x_reused_exact)) {
			b->x_reused = n;
			for (i = 0; i < n; i++)
				b->x_reused_bytes += rv[i].len;
		}
		free(rv);
		mlvm_report_free(&r);
	}
	if (!b->x_path[0]) {
		snprintf(b->x_err, sizeof(b->x_err), "no file name given");
		return;
	}
	mlvm_report_init(&r);
	rc = mlvm_lv_reader_new(vg, lv, NULL, &b->x_rd, &r);
	if (rc) {
		const char *why = r.n ? r.items[r.n - 1].message : "";

		if ((rc == -EISDIR || rc == -EBUSY) && r.n)	/* a thin pool or an ambiguous PV: the error says why */
			snprintf(b->x_err, sizeof(b->x_err), "cannot export: %s", why);
		else
			snprintf(b->x_err, sizeof(b->x_err), "cannot read lv %s: %s%s%s", lv->name,
				 strerror(-rc), r.n ? ": " : "", why);
		b->x_rd = NULL;
		mlvm_report_free(&r);
		return;		/* the dialog shows x_err */
	}
	mlvm_report_free(&r);
	b->x_total = mlvm_lv_reader_size(b->x_rd);
	/* never overwrite: an existing file, input images included, is refused */
	rc = mlvm_export_out_open(&b->x_out, b->x_path, 0, NULL, 0, b->x_total);
	if (rc) {
		snprintf(b->x_err, sizeof(b->x_err), "cannot create %s: %s", b->x_path, strerror(-rc));
		mlvm_lv_reader_free(b->x_rd);
		b->x_rd = NULL;
		return;
	}
	b->x_done = 0;
	b->x_drawn = 0;
	b->x_t0 = tui_now();
	b->mode = MODE_EXPORT_RUN;	/* the main loop runs it: export_run */
}

/* the exporter's words for a failure, for the status line */
static void export_error(void *ud, int rc, const char *message)
{
	struct browser *b = ud;

	(void)rc;
	snprintf(b->x_err, sizeof(b->x_err), "%s", message);
}

/*
 * After each chunk: keys are read (Esc cancels: export_cancel leaves
 * MODE_EXPORT_RUN, which stops the exporter) and the dialog redrawn, at
 * most every 0.1 s.
 */
static int export_progress(void *ud, uint64_t done, uint64_t total)
{
	struct browser *b = ud;
	double now;
	int k;

	(void)total;
	b->x_done = done;
	while ((k = getch()) != ERR) {
		ui_key(b, k);
		if (b->mode != MODE_EXPORT_RUN)
			return 1;
	}
	now = tui_now();
	if (now - b->x_drawn >= 0.1) {
		b->x_drawn = now;
		ui_draw(b);
		refresh();
	}
	return 0;
}

/* the export begun by export_begin, to its end: done, failed or cancelled */
void ui_export_run(struct browser *b)
{
	struct mlvm_export_cb cb = { .progress = export_progress, .error = export_error, .ud = b };
	struct mlvm_export_result res;
	const struct mlvm_range *r;
	size_t n = 0, i;
	int rc, crc;

	timeout(0);
	rc = mlvm_export_out_reserve(&b->x_out, b->x_total, &cb);
	if (!rc)
		rc = mlvm_export_run(b->x_rd, &b->x_out, MLVM_EXPORT_SHA256 | MLVM_EXPORT_SYNC, &cb,
				     &res);
	crc = mlvm_export_out_close(&b->x_out, rc == 0);
	if (crc && !rc) {
		rc = crc;
		snprintf(b->x_err, sizeof(b->x_err), "cannot write %s: %s", b->x_path,
			 strerror(-crc));
	}
	if (rc == -ECANCELED) {
		ui_say(b, "export cancelled; %s removed", b->x_path);
	} else if (rc) {
		b->mode = MODE_MAIN;
		ui_say(b, "export failed: %s (partial file removed)", b->x_err);
	} else {
		memcpy(b->x_hex, res.sha256, sizeof(b->x_hex));
		r = mlvm_lv_reader_missing(b->x_rd, &n);
		b->x_missing = n;
		b->x_missing_bytes = 0;
		for (i = 0; i < n; i++)
			b->x_missing_bytes += r[i].len;
		b->x_bytes = res.written;
		b->x_secs = tui_now() - b->x_t0;
		b->mode = MODE_EXPORT_DONE;
		ui_say(b, "exported %s to %s, sha256 %s", b->x_lv, b->x_path, b->x_hex);
	}
	mlvm_lv_reader_free(b->x_rd);
	b->x_rd = NULL;
	b->x_err[0] = 0;
}

/* Esc during the export: export_progress stops the exporter on seeing
 * the mode change; export_run removes the partial file and says so */
static void export_cancel(struct browser *b)
{
	b->mode = MODE_MAIN;
}

static void export_key(struct browser *b, int k)
{
	switch (b->mode) {
	case MODE_EXPORT_PATH: {
		int r = ui_le_key(&b->le, k);

		if (r < 0)
			b->mode = MODE_MAIN;
		else if (r > 0)
			export_begin(b);
		break;
	}
	case MODE_EXPORT_RUN:
		if (k == 27)
			export_cancel(b);
		break;
	case MODE_EXPORT_DONE:
		if (k == 27 || k == '\n' || k == '\r' || k == KEY_ENTER || k == 'q')
			b->mode = MODE_MAIN;
		break;
	default:
		break;
	}
}

const struct tui_screen tui_screen_export = { "export", export_draw, export_key };
