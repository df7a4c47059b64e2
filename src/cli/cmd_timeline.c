/*
 * cmd_timeline.c - mlvm timeline: the events of every VG's history, from
 * every intact generation found, as text, CSV, a Sleuth Kit body file or
 * JSON. The events are the library's (src/model/timeline.c); this file
 * gathers the generations and renders.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/timeline.h"
#include "model/vgspec.h"
#include "text/carve.h"

static const char timeline_help[] =
	"Usage: mlvm timeline [--csv | --bodyfile | --copies] [--json] [--vg VG] IMAGE...\n"
	"\n"
	"The history of every VG as events, from every intact generation of its\n"
	"metadata found (committed copies and older copies still in the rings,\n"
	"--metadata files), in seqno order: VG created (or first seen), renamed, uuid\n"
	"changed; PV added, removed, resized; LV created (at the LV's own\n"
	"creation_time, on its creation_host), resized, moved, renamed, tagged,\n"
	"untagged, status changed, removed (between the last generation that has\n"
	"it and the first that does not: both bounds). Seqnos missing between two\n"
	"generations are an event too (the changes between them are unknown), and\n"
	"two different texts of one seqno (conflict). Every event names the\n"
	"generations (seqnos) and the copies that support it.\n"
	"Times are UTC: ISO 8601 in the text and CSV, Unix seconds in the body\n"
	"file and JSON. A VG renamed or given a new uuid (vgchange --uuid) stays\n"
	"one history.\n"
	"The text: one line per event (TIME (UTC), EVENT, HOST, what happened and\n"
	"the seqnos); --copies adds under each the generations behind it and where\n"
	"each copy of them was found (image, metadata area, byte offset).\n"
	"--csv: RFC 4180 CSV with a header row (columns in mlvm(1)).\n"
	"--bodyfile: The Sleuth Kit body file 3.x (MD5|name|inode|mode|UID|GID|\n"
	"size|atime|mtime|ctime|crtime), one line per event whose time is known,\n"
	"for mactime -b and other timeline tools.\n"
	"--vg VG (a name, a VG uuid or NAME@UUID) keeps the history of the VG that\n"
	"answers to it under any of its names.\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help); an archive copy also says\n"
	"the command LVM2 was about to run (JSON: command).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images (LVM2's archive files in a filesystem on an LV, old rings).\n"
	"Exit status: 0 done, 1 no intact generation found, 2 usage error.\n"
	"Options may come before or after the images; -- ends them.\n";

/* one intact generation: the copies of one text of one VG id and seqno */
struct tgen {
	char *text;			/* the leader's text (owned) */
	size_t len;
	struct mlvm_vg *vg;		/* parsed */
	char **copies;			/* where each copy is, in words */
	size_t n_copies;
	char *joined;			/* the same, "; " between */
	const char *command;		/* what LVM2 was about to run on it (an archive
					 * copy's), NULL when no copy says; the set's */
	bool archived_before;		/* text is an LVM2 archive's (its time: the next
					 * command's) */
};

/* a copy LVM2 archived just before changing it: its time and host are the next command's */
static bool archived_before(const struct mlvm_gen_ref *r)
{
	static const char mark[] = "Created *before* executing";

	return r->loose && r->loose->archive_format && !strncmp(r->g->description, mark, sizeof(mark) - 1);
}

/* one more copy of t: where it is in words ("pv0.img mda1 at byte 4608",
 * "--metadata vg.backup", ...), and the command an archive copy names */
static int add_copy(struct tgen *t, const struct mlvm_gen_ref *r)
{
	char **v = realloc(t->copies, (t->n_copies + 1) * sizeof(*v)), where[1024];

	if (!v)
		return -ENOMEM;
	t->copies = v;
	v[t->n_copies] = strdup(mlvm_gen_ref_origin(r, where, sizeof(where)));
	if (!v[t->n_copies])
		return -ENOMEM;
	t->n_copies++;
	if (!t->command && archived_before(r))
		t->command = r->loose->command;
	return 0;
}

static void tgens_free(struct tgen *t, size_t n)
{
	size_t i, k;

	for (i = 0; t && i < n; i++) {
		free(t[i].text);
		mlvm_vg_free(t[i].vg);
		for (k = 0; k < t[i].n_copies; k++)
			free(t[i].copies[k]);
		free(t[i].copies);
		free(t[i].joined);
	}
	free(t);
}

/* parse text as t's generation (t takes text); false when it holds no VG of that seqno */
static bool take_text(struct tgen *t, char *text, size_t len, const struct mlvm_gen_ref *r)
{
	char *copy = malloc(len + 1);
	struct mlvm_vg *vg = NULL;

	if (!copy)
		return false;
	memcpy(copy, text, len + 1);
	/* the VG model takes copy; problems of old copies are not this command's */
	if (mlvm_vg_from_text(copy, len, &vg, NULL, mlvm_gen_ref_image(r), -1) || !vg->id ||
	    vg->seqno != r->g->seqno) {
		mlvm_vg_free(vg);
		return false;
	}
	mlvm_vg_free(t->vg);
	free(t->text);
	t->vg = vg;
	t->text = text;
	t->len = len;
	t->archived_before = archived_before(r);
	return true;
}

/*
 * The intact generations of the set: one per VG section of a VG id and
 * seqno (a ring copy and the archive file of one generation differ in
 * their trailer only: mlvm_carve_same_vg), with the copies that hold it.
 * The text used is a copy that says when the generation was written (a
 * ring's, a backup's) rather than an archive's, when there is one. Rows
 * come in the library's order (VG id, seqno, ...), so the copies of one
 * seqno are neighbours. 0 or -ENOMEM.
 */
static int gather(struct mlvm_set *set, struct tgen **out, size_t *n_out)
{
	struct mlvm_gen_ref *rows = NULL;
	struct tgen *t = NULL;
	size_t n = 0, nt = 0, run = 0, i, k;
	int rc = mlvm_set_generations(set, &rows, &n);

	*out = NULL;
	*n_out = 0;
	if (rc)
		return rc;
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t) {
		free(rows);
		return -ENOMEM;
	}
	for (i = 0; i < n && !rc; i++) {
		const struct mlvm_generation *g = rows[i].g;
		char *text = NULL;
		size_t len = 0;

		if (mlvm_generation_state(g) != MLVM_GEN_OK || !g->seqno_known || !g->vg_id[0] ||
		    mlvm_gen_ref_text(set, &rows[i], &text, &len))
			continue;
		/* the generation of this VG id and seqno whose VG section is this one's */
		if (!nt || strcmp(t[run].vg->id ? t[run].vg->id : "", g->vg_id) || t[run].vg->seqno != g->seqno)
			run = nt;
		for (k = run; k < nt; k++)
			if (mlvm_carve_same_vg(t[k].text, t[k].len, text, len))
				break;
		if (k == nt) {
			if (!take_text(&t[nt], text, len, &rows[i])) {
				free(text);
				continue;
			}
			nt++;
		} else if (t[k].archived_before && !archived_before(&rows[i])) {
			/* a copy that says when it was written: its text leads */
			if (!take_text(&t[k], text, len, &rows[i]))
				free(text);
		} else {
			free(text);
		}
		rc = add_copy(&t[k], &rows[i]);
	}
	for (i = 0; i < nt && !rc; i++) {
		struct mlvm_buf b = { 0 };

		for (k = 0; k < t[i].n_copies; k++)
			mlvm_buf_printf(&b, "%s%s", k ? "; " : "", t[i].copies[k]);
		t[i].joined = b.data;
		if (!t[i].joined)
			rc = -ENOMEM;
	}
	free(rows);
	if (rc) {
		tgens_free(t, nt);
		return rc;
	}
	*out = t;
	*n_out = nt;
	return 0;
}

/* ------------------------------------------------------------ words */

static const char *utc(int64_t t, char *buf, size_t len)
{
	if (t <= 0 || !cli_utc_time((uint64_t)t, true, buf, len)[0])
		snprintf(buf, len, "%s", "unknown");
	return buf;
}

/* what an event is about: "vg0/lv1" (an LV), "vg0 pv1" (a PV) or "vg0" */
static void subject(const struct mlvm_tl_event *e, struct mlvm_buf *b)
{
	const char *vg = e->vg ? e->vg : "?";

	if (e->lv)
		mlvm_buf_printf(b, "%s/%s", vg, e->lv);
	else if (e->pv)
		mlvm_buf_printf(b, "%s %s", vg, e->pv);
	else
		mlvm_buf_printf(b, "%s", vg);
}

/* the generations behind an event: "seqno 3", "seqno 5..6" */
static void seqnos(const struct mlvm_tl_event *e, struct mlvm_buf *b)
{
	if (e->kind == MLVM_TL_GAP || e->from < 0 || e->kind == MLVM_TL_CONFLICT)
		mlvm_buf_printf(b, "seqno %llu", (unsigned long long)e->to_seqno);
	else
		mlvm_buf_printf(b, "seqno %llu..%llu", (unsigned long long)e->from_seqno,
				(unsigned long long)e->to_seqno);
}

/* what happened, in words: "created", "resized 4 extents -> 8 extents", ... */
static void what(const struct mlvm_tl_event *e, struct mlvm_buf *b)
{
	const char *x = e->before ? e->before : "", *y = e->after ? e->after : "";
	char t1[32], t2[32];

	switch (e->kind) {
	case MLVM_TL_VG_CREATED:
		mlvm_buf_printf(b, "created");
		break;
	case MLVM_TL_VG_FIRST_SEEN:
		mlvm_buf_printf(b, "first seen (its creation is not in the generations found)");
		break;
	case MLVM_TL_VG_RENAMED:
	case MLVM_TL_LV_RENAMED:
		mlvm_buf_printf(b, "renamed %s -> %s", x, y);
		break;
	case MLVM_TL_VG_UUID_CHANGED:
		mlvm_buf_printf(b, "uuid changed %s -> %s", x, y);
		break;
	case MLVM_TL_VG_CHANGED:
	case MLVM_TL_PV_CHANGED:
		mlvm_buf_printf(b, "%s changed %s -> %s", e->field ? e->field : "?", x, y);
		break;
	case MLVM_TL_PV_ADDED:
		mlvm_buf_printf(b, "pv added (uuid %s)", e->id ? e->id : "?");
		break;
	case MLVM_TL_PV_REMOVED:
	case MLVM_TL_LV_REMOVED:
		mlvm_buf_printf(b, "%sremoved between seqno %llu (%s) and seqno %llu (%s)",
				e->kind == MLVM_TL_PV_REMOVED ? "pv " : "", (unsigned long long)e->from_seqno,
				utc(e->from_time, t1, sizeof(t1)), (unsigned long long)e->to_seqno,
				utc(e->to_time, t2, sizeof(t2)));
		break;
	case MLVM_TL_PV_RESIZED:
	case MLVM_TL_LV_RESIZED:
		mlvm_buf_printf(b, "resized %s -> %s", x, y);
		break;
	case MLVM_TL_LV_CREATED:
		mlvm_buf_printf(b, "created%s", e->time_is_lv ? "" : " (no creation_time of its own: the "
			       "generation's time)");
		break;
	case MLVM_TL_LV_MOVED:
		mlvm_buf_printf(b, "moved %s -> %s", x, y);
		break;
	case MLVM_TL_LV_TAGGED:
		mlvm_buf_printf(b, "tagged %s", y);
		break;
	case MLVM_TL_LV_UNTAGGED:
		mlvm_buf_printf(b, "untagged %s", x);
		break;
	case MLVM_TL_LV_STATUS:
		mlvm_buf_printf(b, "status %s -> %s", x, y);
		break;
	case MLVM_TL_HLV_RECORDED:
		mlvm_buf_printf(b, "recorded as a historical LV (removed; LVM2 keeps its record)");
		break;
	case MLVM_TL_HLV_DROPPED:
		mlvm_buf_printf(b, "its historical LV record dropped");
		break;
	case MLVM_TL_GAP:
		if (e->from < 0)
			mlvm_buf_printf(b, "seqno 1..%llu missing: its history before them unknown",
					(unsigned long long)e->to_seqno - 1);
		else if (e->to_seqno == e->from_seqno + 2)
			mlvm_buf_printf(b, "seqno %llu missing: changes between seqno %llu and %llu unknown",
					(unsigned long long)e->from_seqno + 1, (unsigned long long)e->from_seqno,
					(unsigned long long)e->to_seqno);
		else
			mlvm_buf_printf(b, "seqno %llu..%llu missing: changes between seqno %llu and %llu unknown",
					(unsigned long long)e->from_seqno + 1, (unsigned long long)e->to_seqno - 1,
					(unsigned long long)e->from_seqno, (unsigned long long)e->to_seqno);
		break;
	case MLVM_TL_CONFLICT:
		mlvm_buf_printf(b, "two different texts of seqno %llu: used %s; other %s",
				(unsigned long long)e->to_seqno, x, y);
		break;
	default:
		mlvm_buf_printf(b, "%s", mlvm_tl_kind_name(e->kind));
		break;
	}
}

/* "vg0/lv1: created (seqno 3)": the body file's name, the text's event (a
 * removal and a gap name their seqnos already) */
static char *event_line(const struct mlvm_tl_event *e)
{
	struct mlvm_buf b = { 0 };

	subject(e, &b);
	mlvm_buf_printf(&b, ": ");
	what(e, &b);
	if (e->kind != MLVM_TL_LV_REMOVED && e->kind != MLVM_TL_PV_REMOVED && e->kind != MLVM_TL_GAP &&
	    e->kind != MLVM_TL_CONFLICT) {
		mlvm_buf_printf(&b, " (");
		seqnos(e, &b);
		mlvm_buf_printf(&b, ")");
	}
	return b.data;
}

/* the copies behind an event, "; " between: the from generation's and the to's */
static char *event_copies(const struct mlvm_tl_event *e, const struct tgen *t)
{
	struct mlvm_buf b = { 0 };

	mlvm_buf_append(&b, "", 0);
	if (e->from >= 0 && e->kind != MLVM_TL_CONFLICT)
		mlvm_buf_printf(&b, "seqno %llu: %s; ", (unsigned long long)e->from_seqno, t[e->from].joined);
	mlvm_buf_printf(&b, "seqno %llu: %s", (unsigned long long)e->to_seqno, t[e->to].joined);
	return b.data;
}

/* ------------------------------------------------------------ renderers */

/* where an event's time comes from: "lv", "archive" or "generation" */
static const char *time_source(const struct mlvm_tl_event *e)
{
	return e->time_is_lv ? "lv" : e->time_is_archive ? "archive" : "generation";
}

#define HOST_MAX 24		/* the text's HOST column, cut to this */

/* --copies: under an event, one line per generation behind it and one per copy */
static void text_copies(const struct mlvm_tl_event *e, const struct tgen *t)
{
	long g[2] = { e->from, e->to };
	uint64_t seq[2] = { e->from_seqno, e->to_seqno };
	int k;
	size_t i;

	for (k = 0; k < 2; k++) {
		if (g[k] < 0)
			continue;
		printf("    seqno %llu, %zu %s:\n", (unsigned long long)seq[k], t[g[k]].n_copies,
		       mlvm_plural(t[g[k]].n_copies, "copy", "copies"));
		for (i = 0; i < t[g[k]].n_copies; i++)
			printf("      %s\n", t[g[k]].copies[i]);
	}
}

/* one CSV field (RFC 4180: quoted when it holds a comma, quote or line end) */
static void csv_field(const char *s, bool last)
{
	const char *p;

	if (!s)
		s = "";
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (p = s; *p; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static const char *const csv_columns[] = {
	"time_utc", "time", "event", "vg", "vg_id", "lv", "pv", "id", "field", "before", "after",
	"host", "time_source", "from_seqno", "from_time_utc", "to_seqno", "to_time_utc", "copies",
	"description",
};

#define N_CSV (sizeof(csv_columns) / sizeof(csv_columns[0]))

static void render_csv(const struct mlvm_tl_event *e, const char *line, const char *copies)
{
	char tu[32], ft[32], tt[32], ts[24], fs[24], tos[24];
	const char *f[N_CSV];
	size_t i;

	snprintf(ts, sizeof(ts), "%lld", (long long)e->time);
	snprintf(fs, sizeof(fs), "%llu", (unsigned long long)e->from_seqno);
	snprintf(tos, sizeof(tos), "%llu", (unsigned long long)e->to_seqno);
	f[0] = e->time > 0 ? utc(e->time, tu, sizeof(tu)) : "";
	f[1] = e->time > 0 ? ts : "";
	f[2] = mlvm_tl_kind_name(e->kind);
	f[3] = e->vg;
	f[4] = e->vg_id;
	f[5] = e->lv;
	f[6] = e->pv;
	f[7] = e->id;
	f[8] = e->field;
	f[9] = e->before;
	f[10] = e->after;
	f[11] = e->host;
	f[12] = time_source(e);
	f[13] = e->from >= 0 ? fs : "";
	f[14] = e->from >= 0 && e->from_time > 0 ? utc(e->from_time, ft, sizeof(ft)) : "";
	f[15] = tos;
	f[16] = e->to_time > 0 ? utc(e->to_time, tt, sizeof(tt)) : "";
	f[17] = copies;
	f[18] = line;
	for (i = 0; i < N_CSV; i++)
		csv_field(f[i], i + 1 == N_CSV);
}

/*
 * The Sleuth Kit body file 3.x: MD5|name|inode|mode_as_string|UID|GID|size|
 * atime|mtime|ctime|crtime. The event's time in all four (a zero would be
 * listed by mactime as a time of its own), so that mactime shows it once,
 * "macb"; the name says what happened. '|' and line ends in the name
 * become '_'.
 */
static void render_body(const struct mlvm_tl_event *e, const char *line)
{
	long long t = (long long)e->time;
	const char *p;

	fputs("0|LVM ", stdout);
	for (p = line; *p; p++)
		putchar(*p == '|' || *p == '\n' || *p == '\r' ? '_' : *p);
	printf("|0|0|0|0|0|%lld|%lld|%lld|%lld\n", t, t, t, t);
}

static void json_gen(struct json *j, const char *key, const struct tgen *t, long i, uint64_t seqno,
		     int64_t time)
{
	char tu[32];
	size_t k;

	if (i < 0) {
		json_null(j, key);
		return;
	}
	json_begin_object(j, key);
	json_uint(j, "seqno", seqno);
	if (time > 0)
		json_int(j, "time", time);
	else
		json_null(j, "time");
	json_string(j, "time_utc", time > 0 ? utc(time, tu, sizeof(tu)) : NULL);
	json_string(j, "description", t[i].vg->description);
	json_string(j, "command", t[i].command);
	json_begin_array_inline(j, "copies");
	for (k = 0; k < t[i].n_copies; k++)
		json_string(j, NULL, t[i].copies[k]);
	json_end_array(j);
	json_end_object(j);
}

static void render_json(struct json *j, const struct mlvm_tl_event *e, const struct tgen *t,
			const char *line)
{
	char tu[32];

	json_begin_object(j, NULL);
	json_string(j, "event", mlvm_tl_kind_name(e->kind));
	if (e->time > 0)
		json_int(j, "time", e->time);
	else
		json_null(j, "time");
	json_string(j, "time_utc", e->time > 0 ? utc(e->time, tu, sizeof(tu)) : NULL);
	json_string(j, "time_source", time_source(e));
	json_string(j, "host", e->host);
	json_string(j, "vg", e->vg);
	json_string(j, "vg_id", e->vg_id);
	json_string(j, "lv", e->lv);
	json_string(j, "pv", e->pv);
	json_string(j, "id", e->id);
	json_string(j, "field", e->field);
	json_string(j, "before", e->before);
	json_string(j, "after", e->after);
	json_gen(j, "from", t, e->kind == MLVM_TL_CONFLICT ? -1 : e->from, e->from_seqno, e->from_time);
	json_gen(j, "to", t, e->to, e->to_seqno, e->to_time);
	json_string(j, "description", line);
	json_end_object(j);
}

/* ------------------------------------------------------------ the command */

enum tl_format { TL_TEXT, TL_CSV, TL_BODY };

/* which lineages --vg keeps: those with an event whose VG (either bound) answers to it */
static bool *selected_lineages(const struct cli *c, const struct mlvm_tl_event *e, size_t n,
			       const struct tgen *t)
{
	bool *sel = calloc(n + 1, sizeof(*sel));
	size_t i;

	if (!sel)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct mlvm_vg *f = e[i].from >= 0 ? t[e[i].from].vg : NULL;

		if (e[i].lineage <= n &&
		    (mlvm_vgspec_match(c->vg, e[i].vg, e[i].vg_id) || (f && mlvm_vgspec_match(c->vg, f->name, f->id))))
			sel[e[i].lineage] = true;
	}
	return sel;
}

int cmd_timeline(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "csv", no_argument, NULL, 'c' },
		{ "bodyfile", no_argument, NULL, 'b' },
		{ "copies", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { .carve = true };
	enum tl_format fmt = TL_TEXT;
	struct mlvm_tl_gen *in = NULL;
	struct mlvm_tl_event *ev = NULL;
	struct mlvm_set *set;
	struct tgen *t = NULL;
	size_t nt = 0, n_ev = 0, i, shown = 0, w_host = 4;
	bool write_failed = false, *sel = NULL, oom = false, show_copies = false;
	struct cli_getopt gopt;
	struct json j;
	int opt, status;

	cli_getopt_init(&gopt, c, "timeline", argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(timeline_help, stdout);
			return EXIT_DONE;
		case 'C':
			show_copies = true;
			break;
		case 'c':
		case 'b':
			if (fmt != TL_TEXT)
				return cli_usage(c, "timeline", "--csv and --bodyfile exclude each other");
			fmt = opt == 'c' ? TL_CSV : TL_BODY;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (fmt != TL_TEXT && c->json)
		return cli_usage(c, "timeline", "--json excludes %s", fmt == TL_CSV ? "--csv" : "--bodyfile");
	if (optind >= argc)
		return cli_usage(c, "timeline", "no image given");
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	if (gather(set, &t, &nt)) {
		oom = true;
		goto out;
	}
	in = calloc(nt ? nt : 1, sizeof(*in));
	if (!in) {
		oom = true;
		goto out;
	}
	for (i = 0; i < nt; i++) {
		in[i].vg = t[i].vg;
		in[i].copies = t[i].joined;
		in[i].n_copies = t[i].n_copies;
		in[i].archived_before = t[i].archived_before;
	}
	if (mlvm_timeline(in, nt, &ev, &n_ev)) {
		oom = true;
		goto out;
	}
	sel = selected_lineages(c, ev, n_ev, t);
	if (!sel) {
		oom = true;
		goto out;
	}
	for (i = 0; i < n_ev; i++)
		shown += sel[ev[i].lineage];
	if (!shown)
		mlvm_error(&set->report, "no_generation", NULL, -1,
			   "no intact metadata generation%s%s found in the images given",
			   c->vg ? " of a VG that answers to " : "", c->vg ? c->vg : "");
	if (c->json) {
		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "events");
	} else if (fmt == TL_CSV) {
		for (i = 0; i < N_CSV; i++)
			csv_field(csv_columns[i], i + 1 == N_CSV);
	} else if (fmt == TL_TEXT && shown) {
		for (i = 0; i < n_ev; i++)
			if (sel[ev[i].lineage] && ev[i].host && strlen(ev[i].host) > w_host)
				w_host = strlen(ev[i].host);
		w_host = w_host < HOST_MAX ? w_host : HOST_MAX;
		printf("%-20s  %-17s  %-*s  %s\n", "TIME (UTC)", "EVENT", (int)w_host, "HOST", "WHAT (GENERATIONS)");
	}
	for (i = 0; i < n_ev && !oom; i++) {
		char *line, *copies, tu[32];

		if (!sel[ev[i].lineage])
			continue;
		line = event_line(&ev[i]);
		copies = event_copies(&ev[i], t);
		if (!line || !copies) {
			oom = true;
		} else if (c->json) {
			render_json(&j, &ev[i], t, line);
		} else if (fmt == TL_CSV) {
			render_csv(&ev[i], line, copies);
		} else if (fmt == TL_BODY) {
			if (ev[i].time > 0)
				render_body(&ev[i], line);
		} else {
			char hb[HOST_MAX * 4 + 8];

			printf("%-20s  %-17s  %-*s  %s\n", utc(ev[i].time, tu, sizeof(tu)), mlvm_tl_kind_name(ev[i].kind),
			       (int)w_host, ev[i].host ? cli_ellipsize(ev[i].host, HOST_MAX, hb, sizeof(hb)) : "-", line);
			if (show_copies)
				text_copies(&ev[i], t);
		}
		free(line);
		free(copies);
	}
	if (c->json) {
		json_end_array(&j);
		if (!shown)
			cli_json_failed(&j, &set->report, EXIT_FAILED);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	}
out:
	if (oom)
		cli_err(c, "out of memory");
	mlvm_tl_events_free(ev, n_ev);
	free(sel);
	free(in);
	tgens_free(t, nt);
	status = oom || !shown ? EXIT_FAILED : EXIT_DONE;
	if (!cli_output_ok(c, write_failed))
		status = EXIT_FAILED;
	else if (!oom)
		cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return status;
}
