/*
 * cmd_recover.c - the generations of the metadata: mlvm history, diff, dump.
 */
#include "cli/cli.h"
#include "model/diff.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/carve.h"
#include "base/util.h"
#include "model/vgspec.h"
#include "map/thin_removed.h"

/* ------------------------------------------------------------ history */

static const char history_help[] =
	"Usage: mlvm history [--copies] [--verbose] [--deep] [--json] [--vg VG] IMAGE...\n"
	"\n"
	"List every metadata generation still present in every metadata area of\n"
	"every PV: the committed copy, older copies the ring still holds, and\n"
	"fragments of copies whose beginning a newer one overwrote (marked\n"
	"incomplete). Copies of another VG in the same area are listed under their\n"
	"own VG. Any listed seqno can be given to read/dump --generation.\n"
	"One line per generation: its state (committed, precommitted, ok for an\n"
	"intact older copy, or the damage), its creation_time (TIME (UTC), ISO\n"
	"8601: 2026-01-02T03:04:05Z), its creation_host (HOST), how many copies\n"
	"of it were found (COPIES), the images and metadata areas holding them\n"
	"(FOUND IN), and its description, cut to fit the terminal (100 columns\n"
	"when not on one). Copies of one seqno whose text or state differ are\n"
	"listed on lines of their own; intact copies of one seqno whose VG sections\n"
	"differ show the state conflict (JSON: \"conflict\": true): read\n"
	"--generation decides between them, or --copy-at IMAGE@BYTE.\n"
	"--copies: under each generation one line per copy: image, metadata area,\n"
	"byte offset in the image, size (for an archive copy, the command LVM2\n"
	"was about to run).\n"
	"-v, --verbose: descriptions in full, and the copies as with --copies.\n"
	"--vg VG (a name, a VG uuid or NAME@UUID) lists only that VG's. Where\n"
	"generations of two VG uuids share a name (two VGs of one name, or one\n"
	"VG before and after vgchange --uuid), the VG column shows NAME@UUID.\n"
	"--deep: also search every byte of every image, outside the metadata\n"
	"areas, for copies of metadata text: LVM2 archive and backup files\n"
	"(/etc/lvm/archive, /etc/lvm/backup) inside a filesystem, old rings left\n"
	"by a PV re-created with another layout, stray fragments. Each is listed\n"
	"as a copy of its generation; FOUND IN names the file holding it (ext2/3/4),\n"
	"else the LV and byte offset in it (VG/LV@N, \"free\" when the filesystem has\n"
	"that block unallocated), else the image and byte offset (IMAGE@N).\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"After the generations, \"removed thin LVs:\" lists the thin LVs an older\n"
	"generation has and the newest does not, with whether their mapping was\n"
	"found in the pool's stale metadata (JSON: removed_thin_lvs).\n"
	"Options may come before or after the images; -- ends them.\n";

/* rows of history by VG name, then VG id (for names two VG ids share);
 * only the groups matter, not the order inside one */
static int cmp_hrow_name(const void *a, const void *b, void *arg)
{
	const struct mlvm_gen_ref *x = *(const struct mlvm_gen_ref *const *)a, *y = *(const struct mlvm_gen_ref *const *)b;
	int c = strcmp(x->g->vg_name, y->g->vg_name);

	(void)arg;
	return c ? c : strcmp(x->g->vg_id, y->g->vg_id);
}

/*
 * Which rows name a VG whose name generations of another VG id share
 * (two VGs of one name, or one VG before and after vgchange --uuid): those
 * are shown as NAME@UUID. dup has n entries; false when out of memory.
 */
static bool shared_names(const struct mlvm_gen_ref *rows, size_t n, bool *dup)
{
	const struct mlvm_gen_ref **by = calloc(n ? n : 1, sizeof(*by));
	size_t i, start, k;

	if (!by)
		return false;
	for (i = 0; i < n; i++)
		by[i] = &rows[i];
	mlvm_sort_runs(by, n, sizeof(*by), cmp_hrow_name, NULL);	/* rows come by VG id */
	for (start = 0; start < n; start = i) {
		bool several = false;

		for (i = start + 1; i < n && !strcmp(by[i]->g->vg_name, by[start]->g->vg_name); i++)
			if (strcmp(by[i]->g->vg_id, by[start]->g->vg_id))
				several = true;
		for (k = start; several && by[start]->g->vg_name[0] && k < i; k++)
			dup[by[k] - rows] = true;
	}
	free(by);
	return true;
}

static const char *slot_name(int slot)
{
	return slot == 0 ? "committed" : slot == 1 ? "precommitted" : NULL;
}

/* "committed", "precommitted", "ok" (an intact older copy) or the damage,
 * with the slot that points at a damaged copy: "committed, bad-checksum" */
static const char *gen_state_text(const struct mlvm_generation *g, bool conflict, char *buf, size_t len)
{
	const char *st = mlvm_gen_state_name(mlvm_generation_state(g)), *slot = slot_name(g->slot);

	/* intact, but other copies of its seqno hold other text */
	if (conflict) {
		snprintf(buf, len, "%s%sconflict", slot ? slot : "", slot ? ", " : "");
		return buf;
	}
	if (!slot)
		return st;
	if (!strcmp(st, "ok"))
		return slot;
	snprintf(buf, len, "%s, %s", slot, st);
	return buf;
}

/* ------------------------------------------------------------ history: one line per generation */

#define HIST_LEADERS 16		/* texts compared per seqno: more copies get lines of their own */
#define HIST_FOUND_MAX 40	/* the FOUND IN column, listed in full up to this wide */
#define HIST_DESC_MIN 20	/* the description gets at least this, FOUND IN giving way */
#define HIST_HOST_MAX 12	/* the HOST column, cut to this */

/*
 * The copies of one generation: rows that share VG name and id, a known
 * seqno, state, slot and text. Rows are in the library's order (VG id,
 * seqno, image, offset), so copies of one seqno are neighbours; group[i]
 * is the index of the first row of row i's group.
 */
static bool same_generation(struct mlvm_set *set, const struct mlvm_gen_ref *a, char *a_text,
			    size_t a_len, const struct mlvm_gen_ref *b)
{
	const struct mlvm_generation *x = a->g, *y = b->g;
	char *t = NULL;
	size_t len = 0;
	bool same;

	/* a copy outside the rings (no slot, no checksum, no NUL) is a copy of
	 * a ring's generation when its text is the same */
	bool loose = a->loose || b->loose;

	if (!x->seqno_known || !y->seqno_known || x->seqno != y->seqno || strcmp(x->vg_id, y->vg_id) ||
	    strcmp(x->vg_name, y->vg_name) ||
	    (!loose && (x->size != y->size || x->slot != y->slot || x->checksum_ok != y->checksum_ok)) ||
	    mlvm_generation_state(x) != mlvm_generation_state(y) || !a_text ||
	    mlvm_gen_ref_text(set, b, &t, &len))
		return false;
	same = loose ? mlvm_carve_same_vg(a_text, a_len, t, len) : len == a_len && !memcmp(t, a_text, len);
	free(t);
	return same;
}

/* rows i and k hold the same seqno of the same VG: the run in which the
 * copies of one generation are neighbours (rows without a seqno are alone) */
static bool same_run(const struct mlvm_gen_ref *rows, size_t i, size_t k)
{
	const struct mlvm_generation *a = rows[i].g, *b = rows[k].g;

	return i == k || (a->seqno_known && b->seqno_known && a->seqno == b->seqno &&
			  !strcmp(a->vg_id, b->vg_id));
}

static int group_generations(struct mlvm_set *set, const struct mlvm_gen_ref *rows, size_t n,
			     size_t *group)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		size_t k, tried = 0;

		group[i] = i;
		if (!same_run(rows, run, i))
			run = i;
		for (k = run; k < i && tried < HIST_LEADERS; k++) {
			char *t = NULL;
			size_t len = 0;
			bool same;

			if (group[k] != k)
				continue;
			tried++;
			if (mlvm_gen_ref_text(set, &rows[k], &t, &len))
				t = NULL;
			same = same_generation(set, &rows[k], t, len, &rows[i]);
			free(t);
			if (same) {
				group[i] = k;
				break;
			}
		}
	}
	return 0;
}

/* an image as the history shows it: its base name when no two images of the
 * set share one (an LV's bytes, nested, keep their VG/LV path) */
/* a file or image path as FOUND IN shows it: its base name when short */
static const char *name_label(const char *name, bool short_names)
{
	const char *b = strrchr(name, '/');

	return short_names && b && b[1] ? b + 1 : name;
}

/* an image as FOUND IN shows it: an LV's bytes (nested) by its whole VG/LV name */
static const char *image_label(const struct mlvm_source *src, bool short_names)
{
	return src->inside ? src->name : name_label(src->name, short_names);
}

static bool base_names_unique(const struct mlvm_set *set)
{
	size_t i, k;

	for (i = 0; i < set->n_devs; i++)
		for (k = i + 1; k < set->n_devs; k++) {
			if (set->devs[i].src != set->devs[k].src &&
			    !strcmp(image_label(set->devs[i].src, true), image_label(set->devs[k].src, true)))
				return false;
		}
	return true;
}

/*
 * Where the copies of the generation whose first row is lead are: "pv0.img,
 * pv1.img" (with "mdaN" after each when mdas says any PV holds a copy in its
 * second area: "pv0.img mda1+2"); "M images" when the list is wider than
 * max (COPIES counts them). *n_copies: how many copies.
 */
static void found_in(const struct mlvm_set *set, const struct mlvm_gen_ref *rows, size_t n,
		     const size_t *group, size_t lead, bool mdas, bool short_names, size_t max,
		     struct mlvm_buf *out, size_t *n_copies)
{
	size_t i, copies = 0, images = 0, files = 0;
	const struct mlvm_source *last = NULL;

	for (i = lead; i < n && same_run(rows, lead, i); i++) {
		const struct mlvm_loose *l = rows[i].loose;

		if (group[i] != lead)
			continue;
		copies++;
		if (l) {
			/* a file by its name, a copy elsewhere in an image as IMAGE@BYTE */
			if (l->origin == MLVM_ORIGIN_FILE)
				files++;
			else
				images++;
			if (l->origin == MLVM_ORIGIN_FILE)
				mlvm_buf_printf(out, "%s%s", out->len ? ", " : "",
						name_label(l->path, true));
			else if (l->fs_path)
				mlvm_buf_printf(out, "%s%s", out->len ? ", " : "", l->fs_path);
			else if (l->lv)
				mlvm_buf_printf(out, "%s%s@%llu%s", out->len ? ", " : "", l->lv,
						(unsigned long long)l->lv_offset,
						l->fs_unallocated ? " free" : "");
			else
				mlvm_buf_printf(out, "%s%s@%llu", out->len ? ", " : "",
						name_label(mlvm_gen_ref_image(&rows[i]), short_names),
						(unsigned long long)mlvm_gen_ref_offset(&rows[i]));
			last = NULL;
		} else if (rows[i].dev->src != last) {
			const char *label = image_label(rows[i].dev->src, short_names);

			images++;
			if (out->len)
				mlvm_buf_append(out, ", ", 2);
			mlvm_buf_append(out, label, strlen(label));
			if (mdas)
				mlvm_buf_printf(out, " mda%d", rows[i].mda->index);
			last = rows[i].dev->src;
		} else if (mdas) {
			mlvm_buf_printf(out, "+%d", rows[i].mda->index);
		}
	}
	if (out->len > max) {
		out->len = 0;
		if (images || !files)
			mlvm_buf_printf(out, "%zu %s%s", images, mlvm_plural(images, "image", "images"),
					files ? " and " : "");
		if (files)
			mlvm_buf_printf(out, "%zu %s", files, mlvm_plural(files, "file", "files"));
	}
	*n_copies = copies;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

#define HIST_CELLS 8

/* the columns' alignment: SEQNO and COPIES to the right, as "%*s" */
static const bool hist_right[HIST_CELLS] = { false, true, false, false, false, true, false, false };

/*
 * One table line into b (emptied first): cell i padded to w[i] bytes as
 * printf's "%-*s" pads it ("%*s" where hist_right says), the cells two
 * spaces apart, then a newline. The heading and every row go through it,
 * so they line up by construction. The line's length is known before it
 * is written, so b grows once and the bytes are put in place: 19,000 rows
 * of 8 cells appended piece by piece took 42 million instructions, a
 * tenth of `mlvm history` over a full ring. 0 or -ENOMEM.
 */
static int row_put(struct mlvm_buf *b, const char *const *cell, const size_t *w)
{
	size_t len[HIST_CELLS], need = 1, i;
	char *p;

	for (i = 0; i < HIST_CELLS; i++) {
		len[i] = strlen(cell[i]);
		need += max_sz(len[i], w[i]) + 2;
	}
	b->len = 0;
	if (mlvm_buf_reserve(b, need))
		return -ENOMEM;
	p = b->data;
	for (i = 0; i < HIST_CELLS; i++) {
		size_t pad = len[i] < w[i] ? w[i] - len[i] : 0;

		if (i) {
			memcpy(p, "  ", 2);
			p += 2;
		}
		if (hist_right[i]) {
			memset(p, ' ', pad);
			p += pad;
		}
		memcpy(p, cell[i], len[i]);
		p += len[i];
		if (!hist_right[i]) {
			memset(p, ' ', pad);
			p += pad;
		}
	}
	*p++ = '\n';
	*p = '\0';
	b->len = (size_t)(p - b->data);
	return 0;
}

/* under a generation, one line per copy (--copies, --verbose) */
static void history_copies(const struct mlvm_gen_ref *rows, size_t n, const size_t *group, size_t lead)
{
	size_t k;

	for (k = lead; k < n && same_run(rows, lead, k); k++) {
		const struct mlvm_generation *c = rows[k].g;

		if (group[k] != lead)
			continue;
		if (rows[k].loose) {
			const char *cmd = rows[k].loose->command;
			char where[600];

			printf("    %s, %llu %s%s%s%s\n", mlvm_gen_ref_origin(&rows[k], where, sizeof(where)),
			       (unsigned long long)rows[k].loose->len,
			       mlvm_plural(rows[k].loose->len, "byte", "bytes"),
			       cmd ? ", written before running '" : "", cmd ? cmd : "", cmd ? "'" : "");
			continue;
		}
		printf("    %s mda%d at byte %llu, %llu %s%s%s\n", rows[k].dev->src->name,
		       rows[k].mda->index, (unsigned long long)(rows[k].mda->abs + c->offset),
		       (unsigned long long)c->size, mlvm_plural(c->size, "byte", "bytes"),
		       c->wrapped ? ", wraps to the start of the ring" : "",
		       c->checksum_ok == 1 ? ", checksum ok" : "");
	}
}

static int history_text(struct mlvm_set *set, const struct mlvm_gen_ref *rows, size_t n,
			const bool *dup, bool verbose, bool copies)
{
	size_t *group = calloc(n, sizeof(*group)), *n_copies = calloc(n, sizeof(*n_copies));
	size_t *found_at = calloc(n, sizeof(*found_at));
	const char **vgl = calloc(n, sizeof(*vgl));
	char **own = calloc(n, sizeof(*own));
	bool *conflict = calloc(n, sizeof(*conflict));
	/* the FOUND IN cells end to end, each with its NUL (found_at: where),
	 * made one at a time in fb: two allocations, not two per row (19,000
	 * rows: their first touches of fresh heap cost more than the rows) */
	struct mlvm_buf line = { 0 }, fb = { 0 }, found = { 0 };
	static const char *const head[HIST_CELLS] = { "VG", "SEQNO", "STATE", "TIME (UTC)", "HOST",
						      "COPIES", "FOUND IN", "DESCRIPTION" };
	size_t i, w_vg = 2, w_seq = 5, w_state = 5, w_found = 8, w_host = 4, width = cli_text_width(), used, cap;
	size_t w[HIST_CELLS];	/* the columns' widths, each row's and the heading's */
	bool mdas = false, short_names = base_names_unique(set);
	int rc = -ENOMEM;

	if (!group || !vgl || !own || !found_at || !n_copies || !conflict ||
	    mlvm_set_conflicts(set, rows, n, conflict))
		goto out;
	group_generations(set, rows, n, group);
	for (i = 0; i < n; i++)
		if (rows[i].mda && rows[i].mda->index > 1)
			mdas = true;
	for (i = 0; i < n; i++) {
		const struct mlvm_generation *g = rows[i].g;
		char label[200], sb[64], seq[24];

		if (group[i] != i)
			continue;
		if (dup[i]) {
			mlvm_vgspec_format(g->vg_name, g->vg_id, label, sizeof(label));
			own[i] = strdup(label);
			if (!own[i])
				goto out;
			vgl[i] = own[i];
		} else {
			vgl[i] = g->vg_name[0] ? g->vg_name : "?";
		}
		w_vg = max_sz(w_vg, strlen(vgl[i]));
		w_seq = max_sz(w_seq, g->seqno_known ? mlvm_u64_dec(seq, g->seqno) : 1);
		w_state = max_sz(w_state, strlen(gen_state_text(g, conflict[i], sb, sizeof(sb))));
		w_host = max_sz(w_host, strlen(g->creation_host));
	}
	w_host = w_host < HIST_HOST_MAX ? w_host : HIST_HOST_MAX;
	/* FOUND IN lists the copies when that leaves the description room */
	used = w_vg + 2 + w_seq + 2 + w_state + 2 + 20 + 2 + w_host + 2 + 6 + 2;
	cap = width > used + 2 + HIST_DESC_MIN ? width - used - 2 - HIST_DESC_MIN : 0;
	cap = cap < HIST_FOUND_MAX ? cap : HIST_FOUND_MAX;
	for (i = 0; i < n; i++) {
		if (group[i] != i)
			continue;
		fb.len = 0;
		found_in(set, rows, n, group, i, mdas, short_names, cap, &fb, &n_copies[i]);
		found_at[i] = found.len;
		if (mlvm_buf_append(&found, fb.data ? fb.data : "", fb.len + 1))
			goto out;
		w_found = max_sz(w_found, fb.len);
	}
	/* VG, SEQNO, STATE, TIME (UTC), HOST, COPIES, FOUND IN, two spaces between */
	used += w_found + 2;
	w[0] = w_vg;
	w[1] = w_seq;
	w[2] = w_state;
	w[3] = 20;
	w[4] = w_host;
	w[5] = 6;
	w[6] = w_found;
	w[7] = 0;	/* the description: not padded */
	if (row_put(&line, head, w))
		goto out;
	fwrite(line.data, 1, line.len, stdout);
	for (i = 0; i < n; i++) {
		const struct mlvm_generation *g = rows[i].g;
		char when[32], seq[24] = "?", sb[64], cut[512], host[HIST_HOST_MAX * 4 + 8], nc[24];
		char *whole = NULL;
		const char *desc;
		size_t room = width > used + HIST_DESC_MIN ? width - used : HIST_DESC_MIN;
		int bad;

		if (group[i] != i)
			continue;
		/* whole: a description longer than the 255 bytes carved is read
		 * again from its copy (one that is not cut is the carved one) */
		if (g->description_cut && mlvm_gen_ref_description(set, &rows[i], &whole) == -ENOMEM)
			goto out;
		desc = whole ? whole : g->description[0] ? g->description : "-";
		if (!g->creation_time || !cli_utc_time(g->creation_time, true, when, sizeof(when))[0])
			snprintf(when, sizeof(when), "-");
		if (g->seqno_known)
			seq[mlvm_u64_dec(seq, g->seqno)] = '\0';
		nc[mlvm_u64_dec(nc, n_copies[i])] = '\0';
		{
			const char *const row[HIST_CELLS] = {
				vgl[i], seq, gen_state_text(g, conflict[i], sb, sizeof(sb)), when,
				g->creation_host[0] ?
					cli_ellipsize(g->creation_host, HIST_HOST_MAX, host, sizeof(host)) : "-",
				nc, found.data + found_at[i],
				verbose ? desc : cli_ellipsize(desc, room, cut, sizeof(cut)),
			};

			bad = row_put(&line, row, w);
		}
		free(whole);
		if (bad)
			goto out;
		fwrite(line.data, 1, line.len, stdout);
		if (verbose || copies)
			history_copies(rows, n, group, i);
	}
	rc = 0;
out:
	for (i = 0; own && i < n; i++)
		free(own[i]);
	free(own);
	free(vgl);
	free(found_at);
	free(group);
	free(n_copies);
	free(conflict);
	mlvm_buf_free(&line);
	mlvm_buf_free(&fb);
	mlvm_buf_free(&found);
	return rc;
}

/* ------------------------------------------------------------ history: removed thin LVs */

/*
 * The thin LVs older generations have and the newest does not, for each VG
 * --vg selects: a JSON array "removed_thin_lvs" (j given) or a section
 * "removed thin LVs:" on stdout (only when there is one). 0 or -ENOMEM.
 */
static int history_removed_thin(struct cli *c, struct mlvm_set *set, struct json *j)
{
	bool head = false;
	size_t i, k;
	int rc = 0;

	if (j)
		json_begin_array(j, "removed_thin_lvs");
	for (i = 0; i < set->n_vgs && !rc; i++) {
		const struct mlvm_vg *vg = set->vgs[i];
		struct mlvm_thin_removed *v = NULL;
		size_t n = 0;

		if (!vg->name || !mlvm_vgspec_match(c->vg, vg->name, vg->id))
			continue;
		rc = mlvm_thin_removed_list(set, vg, &v, &n);
		for (k = 0; k < n && !rc; k++) {
			const struct mlvm_thin_removed *e = &v[k];

			if (j) {
				json_begin_object_inline(j, NULL);
				json_string(j, "vg", vg->name);
				json_string(j, "vg_id", vg->id);
				json_string(j, "lv", e->lv);
				json_string(j, "lv_id", e->lv_id);
				json_string(j, "pool", e->pool);
				json_uint(j, "device_id", e->device_id);
				json_uint(j, "generation", e->seqno);
				json_string(j, "mapping", mlvm_thin_mapping_name(e->mapping));
				if (e->mapping == MLVM_THIN_MAPPING_FOUND ||
				    e->mapping == MLVM_THIN_MAPPING_NOT_FOUND)
					json_bool(j, "mapping_found", e->mapping == MLVM_THIN_MAPPING_FOUND);
				else
					json_null(j, "mapping_found");
				json_end_object(j);
				continue;
			}
			if (!head)
				printf("\nremoved thin LVs:\n");
			head = true;
			printf("  %s/%s  device %llu of pool %s, last in generation %llu: %s\n",
			       vg->name, e->lv, (unsigned long long)e->device_id, e->pool,
			       (unsigned long long)e->seqno,
			       e->mapping == MLVM_THIN_MAPPING_FOUND ?
			       "mapping found in stale pool metadata (export --generation reads it)" :
			       e->mapping == MLVM_THIN_MAPPING_NOT_FOUND ?
			       "no mapping found (its blocks read as zeros)" :
			       e->mapping == MLVM_THIN_MAPPING_LIVE ?
			       "its device id is still in the pool's metadata (reused by a newer thin LV?)" :
			       "the pool's metadata cannot be read");
		}
		mlvm_thin_removed_free(v, n);
	}
	if (j)
		json_end_array(j);
	return rc;
}

int cmd_history(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "copies", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { .carve = true };
	struct mlvm_set *set;
	struct mlvm_gen_ref *rows = NULL;
	size_t n = 0, i, g;
	int opt, status;
	bool write_failed = false, verbose = false, copies = false;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "history", argc, argv, "hv", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(history_help, stdout);
			return EXIT_DONE;
		case 'v':
			verbose = true;
			break;
		case 'C':
			copies = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "history", "no image given");
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	if (mlvm_set_generations(set, &rows, &n)) {
		cli_err(c, "out of memory");
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	/* the generations of the VGs --vg names, in the library's order */
	for (i = 0, g = 0; i < n; i++)
		if (mlvm_vgspec_match(c->vg, rows[i].g->vg_name, rows[i].g->vg_id))
			rows[g++] = rows[i];
	n = g;
	if (n == 0)
		mlvm_error(&set->report, "no_generation", NULL, -1,
			   "no metadata generation found in the images given");
	if (c->json) {
		size_t *group = calloc(n ? n : 1, sizeof(*group)), *count = calloc(n ? n : 1, sizeof(*count));
		bool *conflict = calloc(n ? n : 1, sizeof(*conflict));
		struct json j;

		if (!group || !count || !conflict || mlvm_set_conflicts(set, rows, n, conflict)) {
			cli_err(c, "out of memory");
			free(group);
			free(count);
			free(conflict);
			free(rows);
			mlvm_set_free(set);
			return EXIT_FAILED;
		}
		/* how many copies each row's generation has, as the text counts them */
		group_generations(set, rows, n, group);
		for (i = 0; i < n; i++)
			count[group[i]]++;
		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "generations");
		for (i = 0; i < n; i++) {
			const struct mlvm_generation *gen = rows[i].g;
			char uuid[39], when[32], *desc = NULL;

			json_begin_object_inline(&j, NULL);
			json_string(&j, "vg", gen->vg_name[0] ? gen->vg_name : NULL);
			json_string(&j, "vg_id", gen->vg_id[0] ? gen->vg_id : NULL);
			if (gen->seqno_known)
				json_uint(&j, "seqno", gen->seqno);
			else
				json_null(&j, "seqno");
			cli_json_copy_place(&j, &rows[i]);
			json_string(&j, "image", mlvm_gen_ref_image(&rows[i]));
			if (rows[i].dev && rows[i].dev->uuid[0]) {
				mlvm_uuid_format(rows[i].dev->uuid, strlen(rows[i].dev->uuid), uuid);
				json_string(&j, "pv_id", uuid);
			} else {
				json_null(&j, "pv_id");
			}
			if (rows[i].mda)
				json_int(&j, "mda", rows[i].mda->index);
			else
				json_null(&j, "mda");
			json_uint(&j, "offset", mlvm_gen_ref_offset(&rows[i]));
			json_uint(&j, "size", gen->size);
			json_string(&j, "slot", slot_name(gen->slot));
			if (gen->checksum_ok < 0)
				json_null(&j, "checksum_ok");
			else
				json_bool(&j, "checksum_ok", gen->checksum_ok == 1);
			json_bool(&j, "parse_ok", gen->parse_ok);
			json_bool(&j, "complete", gen->complete);
			json_bool(&j, "wrapped", gen->wrapped);
			json_bool(&j, "fragment", gen->fragment);
			json_bool(&j, "conflict", conflict[i]);
			if (mlvm_gen_ref_description(set, &rows[i], &desc) == -ENOMEM)
				mlvm_error(&set->report, "out_of_memory", NULL, -1,
					   "out of memory reading a generation's description");
			json_string(&j, "description", desc ? desc : gen->description[0] ? gen->description : NULL);
			free(desc);
			desc = NULL;
			if (gen->creation_time)
				json_uint(&j, "creation_time", gen->creation_time);
			else
				json_null(&j, "creation_time");
			json_string(&j, "creation_time_utc",
				    gen->creation_time && cli_utc_time(gen->creation_time, true, when, sizeof(when))[0]
				    ? when : NULL);
			json_string(&j, "creation_host", gen->creation_host[0] ? gen->creation_host : NULL);
			json_uint(&j, "copies", count[group[i]]);
			json_string(&j, "command", rows[i].loose ? rows[i].loose->command : NULL);
			json_end_object(&j);
		}
		json_end_array(&j);
		if (history_removed_thin(c, set, &j))
			mlvm_error(&set->report, "out_of_memory", NULL, -1,
				   "out of memory listing the removed thin LVs");
		free(group);
		free(count);
		free(conflict);
		if (n == 0)
			cli_json_failed(&j, &set->report, EXIT_FAILED);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else if (n) {
		bool *dup = calloc(n, sizeof(*dup));

		if (!dup || !shared_names(rows, n, dup)) {
			cli_err(c, "out of memory");
			free(dup);
			free(rows);
			mlvm_set_free(set);
			return EXIT_FAILED;
		}
		if (history_text(set, rows, n, dup, verbose, copies) || history_removed_thin(c, set, NULL)) {
			cli_err(c, "out of memory");
			free(dup);
			free(rows);
			mlvm_set_free(set);
			return EXIT_FAILED;
		}
		free(dup);
	}
	free(rows);
	if (!cli_output_ok(c, write_failed)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return n ? EXIT_DONE : EXIT_FAILED;
}

/* ------------------------------------------------------------ dump */

static const char dump_help[] =
	"Usage: mlvm dump [--generation SEQNO] [--vg VG] IMAGE...\n"
	"\n"
	"Print the metadata text of the VG as LVM2 reads it (or as generation SEQNO\n"
	"has it), as a file that `vgcfgrestore -f FILE VG` accepts. Damaged copies\n"
	"are never dumped: the text is the one mlvm read uses.\n"
	"With --json: the text and where it was read (vg, vg_id, seqno, image,\n"
	"pv_id, mda, offset, size, from_ring, text, warnings).\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may come before or after the images; -- ends them.\n";

static int parse_generation_opts(struct cli *c, const char *cmd, const char *help,
				 int argc, char **argv, struct mlvm_open_opts *oo, int *done)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "generation", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*done = 0;
	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, cmd, argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			*done = 1;
			return EXIT_DONE;
		case 'g':
			if (cli_parse_seqno(c, cmd, "--generation", optarg, &oo->generation))
				return EXIT_USAGE;
			oo->want_generation = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (optind >= argc)
		return cli_usage(c, cmd, "no image given");
	return EXIT_DONE;
}

int cmd_dump(struct cli *c, int argc, char **argv)
{
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_set *set;
	const struct mlvm_vg *vg;
	char *text = NULL, uuid[39];
	size_t len = 0;
	int status, done, rc;

	status = parse_generation_opts(c, "dump", dump_help, argc, argv, &oo, &done);
	if (status || done)
		return status;
	oo.generation_vg = c->vg;	/* the named VG's generation; the others as now */
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	vg = cli_pick_vg(c, set, &oo, "dump", &status);
	if (!vg) {
		cli_print_report(c, &set->report);
		mlvm_set_free(set);
		return status;
	}
	rc = mlvm_set_vg_text(set, vg, &text, &len);
	if (rc) {
		cli_err(c, "cannot read the metadata text of vg %s again: %s", vg->name, strerror(-rc));
		cli_print_report(c, &set->report);
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	mlvm_uuid_format(vg->source.pv_id, strlen(vg->source.pv_id), uuid);
	if (c->json) {
		/* the text and where it was read: its provenance */
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "vg", vg->name);
		json_string(&j, "vg_id", vg->id);
		json_uint(&j, "seqno", vg->seqno);
		json_string(&j, "image", vg->source.image);
		cli_json_source_origin(&j, vg);
		json_uint(&j, "offset", vg->source.offset);
		json_uint(&j, "size", vg->source.size);
		json_bool(&j, "from_ring", vg->source.gen && !vg->source.loose);
		json_string_len(&j, "text", text, len);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		free(text);
		rc = json_finish(&j);
		mlvm_set_free(set);
		return cli_output_ok(c, rc != 0) ? EXIT_DONE : EXIT_FAILED;
	}
	if (vg->source.loose) {
		char where[600];

		printf("# vg %s seqno %llu, recovered by mlvm from %s (%llu bytes, outside the metadata areas)\n",
		       vg->name, (unsigned long long)vg->seqno, cli_source_words(vg, where, sizeof(where)),
		       (unsigned long long)vg->source.size);
	} else {
		printf("# vg %s seqno %llu, recovered by mlvm from %s (pv %s, mda%d, byte %llu, %llu bytes%s)\n",
		       vg->name, (unsigned long long)vg->seqno, vg->source.image, uuid, vg->source.mda,
		       (unsigned long long)vg->source.offset, (unsigned long long)vg->source.size,
		       vg->source.gen ? ", from its ring" : ", the committed copy");
	}
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		putchar('\n');
	free(text);
	if (!cli_output_ok(c, false)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return EXIT_DONE;
}

/* ------------------------------------------------------------ diff */

static const char diff_help[] =
	"Usage: mlvm diff --from [VG:]SEQNO --to [VG:]SEQNO [--json] [--vg VG] IMAGE...\n"
	"\n"
	"What changed in a VG between two generations of its metadata: LVs added,\n"
	"removed, renamed (matched by id), resized, moved, retagged or with another\n"
	"status; PVs added, removed or changed (pv_changed says what: size, status\n"
	"or tags); VG settings changed, its name and its uuid too (vg_changed).\n"
	"One line per change: its kind, the LV, PV or VG setting, before -> after.\n"
	"A VG is a name, a VG uuid or NAME@UUID. The two generations may belong to\n"
	"VGs of different names or uuids (vgrename, vgchange --uuid): they are\n"
	"compared when they share a PV and their seqnos follow on across the\n"
	"change, or when both are named (--from VG:SEQNO --to VG:SEQNO) and share\n"
	"a PV. Generations of VGs that share no PV are not compared.\n"
	"Exit status: 0 done, 1 no such generation or not one VG, 2 usage error.\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may come before or after the images; -- ends them.\n";

/*
 * One change, as text or as a JSON object. In the text, each row names its
 * LV, PV or VG field once: an LV or PV added or removed is not named again
 * as its before or after.
 */
static void render_change(struct json *j, const struct mlvm_vg_change *ch)
{
	const char *kind = ch->kind, *field = ch->field, *lv = ch->lv, *pv = ch->pv;
	const char *before = ch->before, *after = ch->after;
	const char *who = lv ? lv : pv ? pv : field ? field : "";
	bool named_only = !strcmp(kind, "lv_added") || !strcmp(kind, "lv_removed") ||
			  !strcmp(kind, "hlv_added") || !strcmp(kind, "hlv_removed") ||
			  !strcmp(kind, "pv_added") || !strcmp(kind, "pv_removed");

	if (j) {
		json_begin_object_inline(j, NULL);
		json_string(j, "kind", kind);
		json_string(j, "field", field);
		json_string(j, "lv", lv);
		json_string(j, "pv", pv);
		json_string(j, "id", ch->id);
		json_string(j, "before", before);
		json_string(j, "after", after);
		json_end_object(j);
		return;
	}
	if (named_only) {
		printf("%-12s %s\n", kind, who);
		return;
	}
	printf("%-12s %-24s %s%s%s%s%s\n", kind, who, pv && field ? field : "", pv && field ? ": " : "",
	       before ? before : "", before && after ? " -> " : "", after ? after : "");
}

/* ------------------------------------------------------------ diff: which VGs */

/* the seqnos of VG id found in the metadata areas of the set, committed or carved */
static bool seqno_range(const struct mlvm_set *set, const char *id, uint64_t *lo, uint64_t *hi)
{
	struct mlvm_gen_ref *refs = NULL;
	bool any = false;
	size_t i, n = 0;
	unsigned k;

	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++) {
			const struct mlvm_mda_info *m = &set->devs[i].mda[k];

			if (m->peek_ok && mlvm_vg_same_id(m->vg_id, id)) {
				*lo = any && *lo < m->seqno ? *lo : m->seqno;
				*hi = any && *hi > m->seqno ? *hi : m->seqno;
				any = true;
			}
		}
	/* the generations carved from the rings and the copies outside them */
	if (mlvm_set_generations(set, &refs, &n))
		n = 0;
	for (i = 0; i < n; i++) {
		const struct mlvm_generation *gen = refs[i].g;

		if (!gen->seqno_known || !mlvm_vg_same_id(gen->vg_id, id))
			continue;
		*lo = any && *lo < gen->seqno ? *lo : gen->seqno;
		*hi = any && *hi > gen->seqno ? *hi : gen->seqno;
		any = true;
	}
	free(refs);
	return any;
}

enum link { LINK_NONE, LINK_SHARED, LINK_FOLLOWS, LINK_SAME };

/*
 * How two VGs of the two generations are one VG: the same id; another id
 * on a PV they share, every seqno of one older than every seqno of the
 * other (vgchange --uuid writes the next seqno under the new id); a PV
 * shared but seqnos that interleave; or nothing in common.
 */
static enum link vg_link(const struct mlvm_set *set, const struct mlvm_vg *a, const struct mlvm_vg *b)
{
	uint64_t alo = 0, ahi = 0, blo = 0, bhi = 0;

	if (a->id && b->id && mlvm_vg_same_id(a->id, b->id))
		return LINK_SAME;
	if (!mlvm_vg_share_pv(a, b))
		return LINK_NONE;
	if (a->id && b->id && seqno_range(set, a->id, &alo, &ahi) &&
	    seqno_range(set, b->id, &blo, &bhi) && mlvm_vg_follows(a, alo, ahi, b, blo, bhi))
		return LINK_FOLLOWS;
	return LINK_SHARED;
}

/* one side of a diff: a generation, of the VG(s) spec names (NULL: any) */
struct side {
	const char *opt;		/* "--from" */
	char spec[256];			/* VG of --from VG:SEQNO, "" when none */
	struct mlvm_open_opts oo;
	struct mlvm_set *set;
};

static int parse_side(struct cli *c, struct side *sd, const char *arg)
{
	const char *colon = strrchr(arg, ':');

	sd->spec[0] = '\0';
	if (colon) {
		size_t l = (size_t)(colon - arg);

		if (l == 0 || l >= sizeof(sd->spec))
			return cli_usage(c, "diff", "%s takes [VG:]SEQNO, not '%s'", sd->opt, arg);
		memcpy(sd->spec, arg, l);
		sd->spec[l] = '\0';
		arg = colon + 1;
	}
	if (cli_parse_seqno(c, "diff", sd->opt, arg, &sd->oo.generation))
		return EXIT_USAGE;
	sd->oo.want_generation = true;
	sd->oo.copy_at_lenient = true;	/* --copy-at names a copy of one side's seqno */
	return EXIT_DONE;
}

static const char *side_spec(const struct cli *c, const struct side *sd)
{
	return sd->spec[0] ? sd->spec : c->vg;
}

/* "generation 5 of data@ID" */
static const char *gen_label(const struct side *sd, const struct mlvm_vg *vg, char *buf, size_t len)
{
	char l[300];

	snprintf(buf, len, "generation %llu of %s", (unsigned long long)sd->oo.generation,
		 mlvm_vgspec_format(vg->name, vg->id, l, sizeof(l)));
	return buf;
}

/* the only VG of a side that answers to spec, NULL when none or several */
static const struct mlvm_vg *only_vg(const struct mlvm_set *set, const char *spec)
{
	const struct mlvm_vg *found = NULL;
	size_t i;

	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_matches(spec, set->vgs[i])) {
			if (found)
				return NULL;
			found = set->vgs[i];
		}
	return found;
}

/*
 * The two VGs to compare. Each side takes the one VG that answers to its
 * own spec (--from VG:SEQNO), else to --vg, else the only VG of that
 * generation; several that answer are refused, naming them. When only --vg
 * is given and one side has no VG that answers to it (renamed, new uuid),
 * that side takes the one VG of its generation that is the other's VG: the
 * same id, or a new id on a PV they share with seqnos that follow on. Two
 * VGs of different ids on a shared PV whose seqnos do not follow on are
 * compared only when the user names both sides; VGs that share no PV never.
 * EXIT_DONE, else a message and EXIT_FAILED or EXIT_USAGE.
 */
static int diff_pick(struct cli *c, struct side *sa, struct side *sb,
		     const struct mlvm_vg **va, const struct mlvm_vg **vb)
{
	struct side *sd[2] = { sa, sb };
	const struct mlvm_vg *v[2] = { NULL, NULL };
	bool named = sa->spec[0] && sb->spec[0];
	char x[400], y[400];
	enum link l;
	int i;

	for (i = 0; i < 2; i++) {
		const char *spec = side_spec(c, sd[i]);
		size_t n = cli_vgs_matching(spec, sd[i]->set);
		struct mlvm_buf b = { 0 };
		int status = EXIT_FAILED;

		if (n <= 1) {
			v[i] = only_vg(sd[i]->set, spec);
			continue;
		}
		cli_vg_candidates(sd[i]->set, spec, &b);
		if (spec)
			cli_err(c, "%zu volume groups of generation %llu answer to %s: %s; say which with %s NAME@UUID",
				n, (unsigned long long)sd[i]->oo.generation, spec, b.data ? b.data : "",
				sd[i]->spec[0] ? sd[i]->opt : "--vg");
		else
			status = cli_usage(c, "diff", "generation %llu is of %zu volume groups (%s): pick one with --vg",
					   (unsigned long long)sd[i]->oo.generation, n, b.data ? b.data : "");
		mlvm_buf_free(&b);
		return status;
	}
	if (!v[0] != !v[1] && c->vg && !named && !sa->spec[0] && !sb->spec[0]) {
		/* only --vg: follow the VG across a rename or a new uuid */
		int e = v[0] ? 1 : 0;
		const struct mlvm_set *set = sd[e]->set;
		const struct mlvm_vg *same = NULL, *follows = NULL;
		size_t k, n_same = 0, n_follows = 0;

		for (k = 0; k < set->n_vgs; k++) {
			l = e ? vg_link(set, v[0], set->vgs[k]) : vg_link(set, set->vgs[k], v[1]);
			if (l == LINK_SAME) {
				same = set->vgs[k];
				n_same++;
			} else if (l == LINK_FOLLOWS) {
				follows = set->vgs[k];
				n_follows++;
			}
		}
		if (n_same == 1)
			v[e] = same;
		else if (n_same == 0 && n_follows == 1)
			v[e] = follows;
	}
	for (i = 0; i < 2; i++)
		if (!v[i]) {
			struct cli tmp = *c;

			tmp.vg = side_spec(c, sd[i]);
			cli_no_vg_error(&tmp, sd[i]->set, &sd[i]->oo, &sd[i]->set->report);
			cli_print_report(c, &sd[i]->set->report);
			return EXIT_FAILED;
		}
	l = vg_link(sb->set, v[0], v[1]);
	if (l == LINK_SAME || l == LINK_FOLLOWS || (l == LINK_SHARED && named)) {
		*va = v[0];
		*vb = v[1];
		return EXIT_DONE;
	}
	gen_label(sa, v[0], x, sizeof(x));
	gen_label(sb, v[1], y, sizeof(y));
	if (l == LINK_NONE)
		cli_err(c, "%s and %s are different volume groups: they share no PV", x, y);
	else
		cli_err(c, "%s and %s share a PV but their seqnos do not follow on across the new uuid; "
			   "to compare them anyway, name both: --from VG:SEQNO --to VG:SEQNO", x, y);
	return EXIT_FAILED;
}

static void json_vg_ident(struct json *j, const char *key, const struct mlvm_vg *vg)
{
	json_begin_object_inline(j, key);
	json_string(j, "name", vg->name);
	json_string(j, "id", vg->id);
	json_end_object(j);
}

int cmd_diff(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct side sa = { .opt = "--from" }, sb = { .opt = "--to" };
	const struct mlvm_vg *va = NULL, *vb = NULL;
	bool have_from = false, have_to = false, write_failed = false;
	struct mlvm_vg_change *changes = NULL;
	size_t n_changes = 0, k;
	struct json j, *jp = NULL;
	char la[300], lb[300];
	int opt, status;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "diff", argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(diff_help, stdout);
			return EXIT_DONE;
		case 'f':
			if (parse_side(c, &sa, optarg))
				return EXIT_USAGE;
			have_from = true;
			break;
		case 't':
			if (parse_side(c, &sb, optarg))
				return EXIT_USAGE;
			have_to = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (!have_from || !have_to)
		return cli_usage(c, "diff", "both --from SEQNO and --to SEQNO are needed");
	if (optind >= argc)
		return cli_usage(c, "diff", "no image given");
	sa.set = cli_open_set(c, argv + optind, argc - optind, &sa.oo, &status);
	if (!sa.set)
		return status;
	sb.set = cli_open_set(c, argv + optind, argc - optind, &sb.oo, &status);
	if (!sb.set) {
		mlvm_set_free(sa.set);
		return status;
	}
	if (c->have_copy_at && !sa.set->copy_at_used && !sb.set->copy_at_used) {
		cli_fail(c, "copy_choice", c->copy_at.image,
			 "--copy-at %s@%llu: no copy of generation %llu or %llu starts there (mlvm history --copies lists them)",
			 c->copy_at.image, (unsigned long long)c->copy_at.offset,
			 (unsigned long long)sa.oo.generation, (unsigned long long)sb.oo.generation);
		mlvm_set_free(sa.set);
		mlvm_set_free(sb.set);
		return EXIT_FAILED;
	}
	status = diff_pick(c, &sa, &sb, &va, &vb);
	if (status != EXIT_DONE) {
		mlvm_set_free(sa.set);
		mlvm_set_free(sb.set);
		return status;
	}
	if (mlvm_vg_diff(va, vb, &changes, &n_changes)) {
		cli_err(c, "out of memory");
		mlvm_set_free(sa.set);
		mlvm_set_free(sb.set);
		return EXIT_FAILED;
	}
	if (c->json) {
		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "vg", vb->name);
		json_uint(&j, "from", va->seqno);
		json_uint(&j, "to", vb->seqno);
		json_vg_ident(&j, "from_vg", va);
		json_vg_ident(&j, "to_vg", vb);
		json_begin_array(&j, "changes");
		jp = &j;
	} else if (mlvm_vg_same_id(va->id, vb->id) && va->name && vb->name && !strcmp(va->name, vb->name)) {
		printf("vg %s: generation %llu -> %llu\n", vb->name, (unsigned long long)va->seqno,
		       (unsigned long long)vb->seqno);
	} else {
		printf("vg %s -> %s: generation %llu -> %llu\n",
		       mlvm_vgspec_format(va->name, va->id, la, sizeof(la)),
		       mlvm_vgspec_format(vb->name, vb->id, lb, sizeof(lb)),
		       (unsigned long long)va->seqno, (unsigned long long)vb->seqno);
	}
	for (k = 0; k < n_changes; k++)
		render_change(jp, &changes[k]);
	mlvm_vg_changes_free(changes, n_changes);
	if (c->json) {
		json_end_array(&j);
		cli_json_report(&j, &sb.set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else if (n_changes == 0) {
		printf("no changes\n");
	}
	if (!cli_output_ok(c, write_failed)) {
		status = EXIT_FAILED;
	} else {
		status = EXIT_DONE;
	}
	cli_print_report(c, &sb.set->report);
	mlvm_set_free(sa.set);
	mlvm_set_free(sb.set);
	return status;
}
