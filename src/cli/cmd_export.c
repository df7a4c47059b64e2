/*
 * cmd_export.c - mlvm export: an LV's bytes, read through its segments, to
 * a raw image file (or stdout, or a block device), with the SHA-256 of what
 * was written and the ranges that could not be read.
 *
 * The copy is the library's exporter (export/export.h); this file parses
 * the options, finds the LV as of the generation asked for, draws the
 * progress bar, handles Ctrl-C (SIGINT) and SIGTERM during the copy, and
 * says what happened (text on stderr, or the --json summary).
 */
#include "cli/cli.h"
#include "cli/record.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export/export.h"
#include "map/lvmap.h"
#include "map/nested.h"
#include "map/provenance.h"
#include "base/util.h"

#define MAX_MISSING_SHOWN 20	/* on stderr; the JSON lists them all */

static const char export_help[] =
	"Usage: mlvm export --lv [VG/]LV -o FILE [--generation SEQNO] [--sparse]\n"
	"                   [--leg N] [--no-sha256] [--allow-missing] [--force] [--json]\n"
	"                   IMAGE...\n"
	"\n"
	"Write the bytes of a logical volume, read through its segments (linear,\n"
	"striped, mirror, raid, thin, snapshot...), to FILE: a raw image of the LV.\n"
	"The images are only read. At the end the SHA-256 of every byte written is\n"
	"printed on stderr (\"sha256 HEX  FILE\"), or with --json a summary on stdout.\n"
	"\n"
	"  --lv [VG/]LV         the LV (the VG may be given here or with --vg)\n"
	"  -o, --output FILE    where to write: a new file (refused when it exists,\n"
	"                       unless --force), - for stdout (not a terminal), or a\n"
	"                       block device (with --force; written in place)\n"
	"  --generation SEQNO   the LV as that metadata generation maps it (an LV\n"
	"                       removed since comes back); its bytes on extents a\n"
	"                       later generation gave to another LV are written all\n"
	"                       the same, warned about (extents_reused) and listed\n"
	"                       in the --json summary (reused_ranges); a removed\n"
	"                       thin LV reads through its mapping recovered from\n"
	"                       stale pool metadata (thin_mapping_recovered), blocks\n"
	"                       another thin device has since being reused too\n"
	"                       (thin_block_reused)\n"
	"  --sparse             leave holes for all-zero blocks (regular files only)\n"
	"  --leg N              read mirror/raid1 image N (from 0), not the first intact\n"
	"  --no-sha256          do not hash what is written (hashing runs beside the\n"
	"                       copy, at about 1.7 GB/s with SHA instructions: without\n"
	"                       it, a page-cache copy goes at the kernel's speed)\n"
	"  --allow-missing      exit 0 even when parts could not be read (they are\n"
	"                       written as zeros and listed either way)\n"
	"  --force              overwrite FILE (never one of the IMAGEs)\n"
	"\n"
	"A new FILE's blocks are reserved first (not with --sparse): a filesystem\n"
	"without room for the LV is refused before anything is copied. A progress\n"
	"bar is shown when stderr is a terminal.\n"
	"Exit status: 0 done, 1 no such LV, LV not mappable, cannot write FILE, or\n"
	"parts of the LV missing (without --allow-missing), 2 usage error, 130\n"
	"interrupted by Ctrl-C (143: SIGTERM): the copy stops, a FILE it created is\n"
	"removed, and a message says how far it got and what was left.\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may come before or after the images; -- ends them.\n";

/* ------------------------------------------------------------ the engine's callbacks */

struct run_ui {
	const struct cli *c;
	struct cli_progress pr;
};

static int on_progress(void *ud, uint64_t done, uint64_t total)
{
	struct run_ui *u = ud;

	(void)total;
	cli_progress_draw(&u->pr, done, false);
	return 0;
}

static void on_error(void *ud, int rc, const char *message)
{
	struct run_ui *u = ud;

	(void)rc;
	cli_progress_end(&u->pr, false);
	cli_err(u->c, "%s", message);
}

/*
 * Ctrl-C (SIGINT) and SIGTERM during the copy: the handler only sets the
 * flag the exporter polls between chunks and after a write a signal broke
 * off (no SA_RESTART, so a write blocked on a pipe returns); the command
 * then says what was left and exits 128 + the signal's number.
 */
static volatile sig_atomic_t export_signal;

static void on_signal(int sig)
{
	export_signal = sig;
}

struct signals {
	struct sigaction old_int, old_term;
};

static void signals_catch(struct signals *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a blocked write is broken off */
	export_signal = 0;
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	/* a signal ignored when mlvm started (nohup, a background job of a
	 * shell without job control) stays ignored */
	if (s->old_int.sa_handler == SIG_IGN)
		sigaction(SIGINT, &s->old_int, NULL);
	if (s->old_term.sa_handler == SIG_IGN)
		sigaction(SIGTERM, &s->old_term, NULL);
}

static void signals_restore(const struct signals *s)
{
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
}

/*
 * The export was stopped by a signal after written of total bytes: say
 * what was left of the output (removed when mlvm created it), on stderr
 * and with --json as the error object on stdout. Returns the exit status.
 */
static int interrupted(const struct cli *c, const struct mlvm_export_out *o, bool to_stdout,
		       uint64_t written, uint64_t total, const struct mlvm_report *r)
{
	int sig = export_signal ? export_signal : SIGINT;
	char msg[1200], what[1100];

	if (o->removed)
		snprintf(what, sizeof(what), "removed partial %s", o->path);
	else if (to_stdout)
		snprintf(what, sizeof(what), "the first %llu bytes went to stdout",
			 (unsigned long long)written);
	else if (o->kind == MLVM_EXPORT_FILE && !o->created)
		snprintf(what, sizeof(what), "%s is incomplete (not removed: it existed before)",
			 o->path);
	else if (o->kind == MLVM_EXPORT_FILE)
		snprintf(what, sizeof(what), "partial %s could not be removed", o->path);
	else if (o->kind == MLVM_EXPORT_BLOCK)
		snprintf(what, sizeof(what), "%s holds the lv's first %llu bytes, the rest as it was",
			 o->path, (unsigned long long)written);
	else
		snprintf(what, sizeof(what), "the first %llu bytes went to %s",
			 (unsigned long long)written, o->path);
	snprintf(msg, sizeof(msg), "export %s at %llu of %llu bytes; %s",
		 sig == SIGTERM ? "terminated" : "interrupted", (unsigned long long)written,
		 (unsigned long long)total, what);
	cli_err(c, "%s", msg);
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_object(&j, "error");
		json_string(&j, "code", "interrupted");
		json_string(&j, "message", msg);
		json_null(&j, "image");
		json_null(&j, "offset");
		json_end_object(&j);
		json_uint(&j, "bytes", written);
		json_bool(&j, "removed", o->removed);
		cli_json_report(&j, r);
		json_end_object(&j);
		(void)cli_output_ok(c, json_finish(&j) != 0);
	}
	return 128 + sig;
}

/* ------------------------------------------------------------ the output */

/* open FILE (or stdout for "-"); EXIT_DONE, or EXIT_FAILED after saying why */
static int open_output(const struct cli *c, struct mlvm_export_out *o, const char *path,
		       bool force, char **images, int n, uint64_t size)
{
	int rc;

	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			cli_err(c, "not writing an lv image to a terminal: redirect stdout or give -o FILE");
			return EXIT_FAILED;
		}
		rc = mlvm_export_out_fd(o, STDOUT_FILENO, path);
		if (rc)
			cli_err(c, "cannot write %s: %s", path, strerror(-rc));
		return rc ? EXIT_FAILED : EXIT_DONE;
	}
	rc = mlvm_export_out_open(o, path, force ? MLVM_EXPORT_OVERWRITE : 0,
				  (const char *const *)images, (size_t)n, size);
	if (!rc)
		return EXIT_DONE;
	if (rc == -EXDEV)
		cli_err(c, "refusing to write %s: it is one of the images being read", path);
	else if (rc == -EEXIST && !force)
		cli_err(c, "%s exists: not overwriting it without --force", path);
	else if (rc == -ENOSPC && o->kind == MLVM_EXPORT_BLOCK)
		cli_err(c, "%s holds %llu bytes, the lv %llu", path,
			(unsigned long long)o->dev_size, (unsigned long long)size);
	else if (o->kind == MLVM_EXPORT_BLOCK)
		cli_err(c, "cannot open %s: %s", path, strerror(-rc));
	else
		cli_err(c, "cannot create %s: %s", path, strerror(-rc));
	return EXIT_FAILED;
}

/* the distinct segment types of an LV, for "cannot be mapped" */
static void seg_types(const struct mlvm_lv *lv, char *out, size_t len)
{
	size_t used = 0;
	uint32_t i, j;

	out[0] = '\0';
	for (i = 0; i < lv->n_segs; i++) {
		const char *t = lv->segs[i].type ? lv->segs[i].type : "(none)";
		bool seen = false;
		int n;

		for (j = 0; j < i; j++)
			if (lv->segs[j].type && !strcmp(lv->segs[j].type, t))
				seen = true;
		if (seen)
			continue;
		n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", t);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* the message of the last error entry of r from index `from` on, NULL when none */
static const char *last_error(const struct mlvm_report *r, size_t from)
{
	size_t i;

	for (i = r->n; i-- > from;)
		if (r->items[i].severity == MLVM_SEV_ERROR)
			return r->items[i].message;
	return NULL;
}

/* the ranges that could not be read, on stderr (all of them are in the JSON) */
static void print_missing(const struct cli *c, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			  const struct mlvm_range *miss, size_t n, bool allowed)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		total += miss[i].len;
		if (i < MAX_MISSING_SHOWN)
			fprintf(stderr, "%s: %s: lv %s/%s: bytes %llu-%llu (%llu bytes) could not be read: written as zeros\n",
				c->prog, allowed ? "warning" : "error", vg->name, lv->name,
				(unsigned long long)miss[i].start,
				(unsigned long long)(miss[i].start + miss[i].len - 1),
				(unsigned long long)miss[i].len);
	}
	if (n > MAX_MISSING_SHOWN)
		fprintf(stderr, "%s: %s: ... and %zu more missing ranges\n", c->prog,
			allowed ? "warning" : "error", n - MAX_MISSING_SHOWN);
	if (n)
		cli_err(c, "lv %s of vg %s: %llu bytes in %zu range%s missing%s", lv->name, vg->name,
			(unsigned long long)total, n, mlvm_plural(n, "", "s"),
			allowed ? " (allowed)" : "; --allow-missing accepts that");
}

/* at most this many origins of missing bytes are warned of (all are in
 * the JSON) */
#define MAX_ORIGINS_WARNED 16

/* what happened to the host bytes behind one origin */
static void origin_cause(const struct mlvm_missing_origin *m, char *buf, size_t size)
{
	const struct mlvm_pv *pv = m->n_pvs ? m->pvs[0] : NULL;
	size_t at;
	uint32_t i;

	if (!m->host_lv) {
		snprintf(buf, size, "its host LV is not among the VGs read");
		return;
	}
	if (m->linear && pv && !pv->missing && pv->src) {
		uint64_t end = m->pv_off + m->len;

		if (end > pv->src->size)
			snprintf(buf, size, "they lie at bytes %llu-%llu of image %s, beyond its end (%llu bytes): PV %s (%s) of VG %s is cut short",
				 (unsigned long long)m->pv_off, (unsigned long long)(end - 1),
				 pv->src->name, (unsigned long long)pv->src->size, pv->name,
				 pv->id ? pv->id : "?", m->host_vg->name);
		else
			snprintf(buf, size, "they lie at bytes %llu-%llu of image %s (PV %s of VG %s), which could not be read",
				 (unsigned long long)m->pv_off, (unsigned long long)(end - 1),
				 pv->src->name, pv->name, m->host_vg->name);
		return;
	}
	if (!m->n_pvs) {
		snprintf(buf, size, "no PV of VG %s under them is missing: the host LV's own segment could not be read",
			 m->host_vg->name);
		return;
	}
	at = (size_t)snprintf(buf, size, "they lie on %s of VG %s, missing:", m->n_pvs > 1 ? "PVs" : "PV",
			      m->host_vg->name);
	for (i = 0; i < m->n_pvs && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s %s (%s)", i ? "," : "", m->pvs[i]->name,
				       m->pvs[i]->id ? m->pvs[i]->id : "?");
}

/*
 * Missing ranges of a guest LV (its VG found inside an LV of the images):
 * where in the host they come from, each warned of ("nested_missing") and
 * all in *orig for the JSON.
 */
static int say_origins(struct mlvm_set *set, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       struct mlvm_missing_origin **orig, size_t *n_orig)
{
	char cause[512];
	size_t i;
	int rc;

	rc = mlvm_missing_origins(set, vg, lv, orig, n_orig);
	if (rc)
		return rc;
	for (i = 0; i < *n_orig && i < MAX_ORIGINS_WARNED; i++) {
		const struct mlvm_missing_origin *m = &(*orig)[i];

		origin_cause(m, cause, sizeof(cause));
		mlvm_warn(&set->report, "nested_missing", m->image, -1,
			  "lv %s/%s lies on LV %s (a guest disk): its bytes %llu-%llu could not be read, so neither could the guest's bytes on them; %s",
			  vg->name, lv->name, m->image, (unsigned long long)m->start,
			  (unsigned long long)(m->start + m->len - 1), cause);
	}
	if (*n_orig > MAX_ORIGINS_WARNED)
		mlvm_warn(&set->report, "nested_missing", vg->name, -1,
			  "lv %s/%s: %zu more runs of host LV bytes could not be read (missing_origins in --json lists them all)",
			  vg->name, lv->name, *n_orig - MAX_ORIGINS_WARNED);
	return 0;
}

static void json_origins(struct json *j, const struct mlvm_missing_origin *v, size_t n)
{
	size_t i;
	uint32_t k;

	json_begin_array(j, "missing_origins");
	for (i = 0; i < n; i++) {
		const struct mlvm_missing_origin *m = &v[i];
		const struct mlvm_pv *pv = m->n_pvs ? m->pvs[0] : NULL;

		json_begin_object(j, NULL);
		json_string(j, "image", m->image);
		json_string(j, "host_vg", m->host_vg ? m->host_vg->name : NULL);
		json_string(j, "host_lv", m->host_lv ? m->host_lv->name : NULL);
		json_uint(j, "start", m->start);
		json_uint(j, "length", m->len);
		json_begin_array(j, "host_pvs");
		for (k = 0; k < m->n_pvs; k++) {
			json_begin_object(j, NULL);
			json_string(j, "name", m->pvs[k]->name);
			json_string(j, "id", m->pvs[k]->id);
			json_bool(j, "missing", m->pvs[k]->missing);
			json_end_object(j);
		}
		json_end_array(j);
		if (m->linear && pv && !pv->missing && pv->src) {
			json_string(j, "host_image", pv->src->name);
			json_uint(j, "host_image_offset", m->pv_off);
			json_bool(j, "beyond_end", m->pv_off + m->len > pv->src->size);
		} else {
			json_null(j, "host_image");
			json_null(j, "host_image_offset");
			json_bool(j, "beyond_end", false);
		}
		json_end_object(j);
	}
	json_end_array(j);
}

/* ------------------------------------------------------------ command */

static int range_cmp(const void *a, const void *b)
{
	const struct mlvm_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Add the reader's recovered-thin reused ranges (known once the LV was
 * read) to *v (the extents reused, from provenance): sorted and merged.
 */
static int add_thin_reused(const struct mlvm_lv_reader *rd, struct mlvm_range **v, size_t *n)
{
	const struct mlvm_range *t;
	struct mlvm_range *all;
	size_t nt, i, k;

	t = mlvm_lv_reader_reused(rd, &nt);
	if (!nt)
		return 0;
	all = realloc(*v, (*n + nt) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	memcpy(all + *n, t, nt * sizeof(*all));
	nt += *n;
	qsort(all, nt, sizeof(*all), range_cmp);
	for (i = 1, k = 0; i < nt; i++) {
		if (all[i].start <= all[k].start + all[k].len) {
			uint64_t end = all[i].start + all[i].len;

			if (end > all[k].start + all[k].len)
				all[k].len = end - all[k].start;
		} else {
			all[++k] = all[i];
		}
	}
	*v = all;
	*n = k + 1;
	return 0;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "lv", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "generation", required_argument, NULL, 'g' },
		{ "sparse", no_argument, NULL, 's' },
		{ "leg", required_argument, NULL, 'L' },
		{ "allow-missing", no_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-sha256", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_lv_reader_opts ro = { .leg = -1 };
	struct mlvm_lv_reader *rd = NULL;
	const struct mlvm_vg *vg = NULL;
	const struct mlvm_lv *lv = NULL;
	struct mlvm_export_out o = { .fd = -1 };
	struct mlvm_export_result res = { 0 };
	struct run_ui ui = { .c = c };
	struct mlvm_export_cb cb = { .progress = on_progress, .error = on_error,
				     .cancel = &export_signal, .ud = &ui };
	struct signals sigs;
	const char *lvspec = NULL, *path = NULL;
	char gen_vg[256];
	const struct mlvm_range *miss = NULL;
	struct mlvm_range *reused = NULL;
	size_t n_reused = 0;
	struct mlvm_missing_origin *orig = NULL;
	size_t n_orig = 0;
	bool reused_exact = true;
	struct mlvm_set *set;
	bool sparse = false, allow_missing = false, force = false, write_failed = false, hash = true;
	bool to_stdout, caught = false;
	char types[256], why[512];
	const char *unmapped;
	size_t first_entry;
	unsigned flags = 0;
	uint64_t size;
	size_t n_miss = 0, i;
	int opt, status = EXIT_DONE, rc, crc;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "export", argc, argv, "ho:", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(export_help, stdout);
			return EXIT_DONE;
		case 'l':
			lvspec = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'g':
			if (cli_parse_seqno(c, "export", "--generation", optarg, &oo.generation))
				return EXIT_USAGE;
			oo.want_generation = true;
			break;
		case 's':
			sparse = true;
			break;
		case 'L': {
			uint64_t leg;

			if (cli_parse_seqno(c, "export", "--leg", optarg, &leg))
				return EXIT_USAGE;
			if (leg > 1000)
				return cli_usage(c, "export", "--leg %s: no LV has that many images", optarg);
			ro.leg = (int)leg;
			break;
		}
		case 'm':
			allow_missing = true;
			break;
		case 'f':
			force = true;
			break;
		case 'n':
			hash = false;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (!lvspec || !*lvspec)
		return cli_usage(c, "export", "which LV? give --lv [VG/]LV");
	if (!path || !*path)
		return cli_usage(c, "export", "where to? give -o FILE (or -o - for stdout)");
	if (optind >= argc)
		return cli_usage(c, "export", "no image given");
	if (c->json && !strcmp(path, "-"))
		return cli_usage(c, "export", "--json prints its summary on stdout: it cannot go with -o -");

	oo.generation_vg = cli_lvspec_vg(c, lvspec, gen_vg, sizeof(gen_vg));
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	if (cli_vgs_selected(c, set) == 0) {
		cli_err(c, "%s", cli_no_vg_reason(c, set, &oo, why, sizeof(why), NULL));
		status = EXIT_FAILED;
		goto done;
	}
	status = cli_lookup_lv(c, set, lvspec, &vg, &lv);
	if (status != EXIT_DONE)
		goto done;
	if (cli_lv_ambiguity(vg, lv, why, sizeof(why))) {
		cli_err(c, "cannot export: %s", why);
		status = EXIT_FAILED;
		goto done;
	}

	if (oo.want_generation) {
		/* extents of this generation that later generations gave to
		 * another LV: exported all the same, but said */
		struct mlvm_prov *pr = NULL;

		rc = mlvm_prov_from_set(set, vg->id, &pr);
		if (!rc)
			rc = mlvm_prov_warn(pr, vg, lv, &set->report, &reused, &n_reused,
					    &reused_exact);
		mlvm_prov_free(pr);
		if (rc) {
			cli_err(c, "cannot work out which extents later generations reused: %s",
				strerror(-rc));
			status = EXIT_FAILED;
			goto done;
		}
	}
	first_entry = set->report.n;
	rc = mlvm_lv_reader_new(vg, lv, &ro, &rd, &set->report);
	if (rc) {
		seg_types(lv, types, sizeof(types));
		/* the reader's error says which segment, of which (sub-)LV, and why */
		unmapped = last_error(&set->report, first_entry);
		if (rc == -ENOTSUP && unmapped)
			cli_err(c, "cannot export lv %s of vg %s: %s", lv->name, vg->name, unmapped);
		else if (rc == -ENOTSUP)
			cli_err(c, "cannot export lv %s of vg %s: its segment type (%s) cannot be mapped",
				lv->name, vg->name, types);
		else if (rc == -ELOOP)
			cli_err(c, "cannot export lv %s of vg %s: its LVs refer to each other in a cycle or nest too deep",
				lv->name, vg->name);
		else if (rc == -EISDIR)	/* the thin_pool_lv error names its thin LVs and _tdata */
			cli_err(c, "cannot export lv %s of vg %s: it is a thin pool", lv->name, vg->name);
		else
			cli_err(c, "cannot export lv %s of vg %s: %s", lv->name, vg->name, strerror(-rc));
		status = EXIT_FAILED;
		goto done;
	}

	/* from here a partial output can exist: a signal stops the copy,
	 * which removes what it made and says so */
	signals_catch(&sigs);
	caught = true;
	size = mlvm_lv_reader_size(rd);
	to_stdout = !strcmp(path, "-");
	status = open_output(c, &o, path, force, argv + optind, argc - optind, size);
	if (status != EXIT_DONE)
		goto done;
	/* stdout is written in order, whatever it is */
	if (sparse && o.kind == MLVM_EXPORT_FILE && !to_stdout)
		flags |= MLVM_EXPORT_SPARSE;
	else if (sparse)
		mlvm_notice(&set->report, "export_not_sparse", NULL, -1,
			    "--sparse ignored: %s is %s, written in full", o.path,
			    to_stdout ? "stdout" : o.kind == MLVM_EXPORT_BLOCK ? "a block device" :
			    "not a regular file");
	if (hash)
		flags |= MLVM_EXPORT_SHA256;

	if (!to_stdout && !(flags & MLVM_EXPORT_SPARSE) &&
	    mlvm_export_out_reserve(&o, size, &cb) != 0) {
		mlvm_export_out_close(&o, false);
		if (o.removed)
			cli_err(c, "%s removed", o.path);
		status = EXIT_FAILED;
		goto done;
	}
	cli_progress_start(&ui.pr, size, NULL);
	rc = mlvm_export_run(rd, &o, flags, &cb, &res);
	if (!rc)
		cli_progress_draw(&ui.pr, size, true);	/* 100%, however short the run */
	cli_progress_end(&ui.pr, rc == -ECANCELED);	/* where it stopped stays on screen */
	crc = mlvm_export_out_close(&o, rc == 0);
	if (!rc && crc) {
		rc = crc;
		cli_err(c, "cannot write %s: %s", o.path, strerror(-rc));
	}
	if (rc == -ECANCELED) {
		status = interrupted(c, &o, to_stdout, res.written, size, &set->report);
		goto done;
	}
	if (rc) {
		if (o.removed)
			cli_err(c, "%s removed", o.path);
		status = EXIT_FAILED;
		goto done;
	}

	cli_record_output(c, o.path, res.written, hash ? res.sha256 : NULL);
	rc = add_thin_reused(rd, &reused, &n_reused);
	if (rc) {
		cli_err(c, "cannot list the reused ranges: %s", strerror(-rc));
		status = EXIT_FAILED;
		goto done;
	}
	miss = mlvm_lv_reader_missing(rd, &n_miss);
	if (n_miss && !allow_missing)
		status = EXIT_FAILED;
	if (n_miss && (rc = say_origins(set, vg, lv, &orig, &n_orig))) {
		cli_err(c, "cannot tell where the missing bytes come from: %s", strerror(-rc));
		status = EXIT_FAILED;
		goto done;
	}

	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "lv", lv->name);
		json_string(&j, "vg", vg->name);
		json_uint(&j, "generation", vg->seqno);
		json_string(&j, "file", o.path);
		json_uint(&j, "bytes", res.written);
		if (hash)
			json_string(&j, "sha256", res.sha256);
		else
			json_null(&j, "sha256");
		json_bool(&j, "sparse", (flags & MLVM_EXPORT_SPARSE) != 0);
		json_begin_array(&j, "missing_ranges");
		for (i = 0; i < n_miss; i++) {
			json_begin_array_inline(&j, NULL);
			json_uint(&j, NULL, miss[i].start);
			json_uint(&j, NULL, miss[i].len);
			json_end_array(&j);
		}
		json_end_array(&j);
		json_begin_array(&j, "reused_ranges");
		for (i = 0; i < n_reused; i++) {
			json_begin_array_inline(&j, NULL);
			json_uint(&j, NULL, reused[i].start);
			json_uint(&j, NULL, reused[i].len);
			json_end_array(&j);
		}
		json_end_array(&j);
		json_bool(&j, "reused_ranges_exact", reused_exact);
		json_origins(&j, orig, n_orig);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
		if (!cli_output_ok(c, write_failed))
			status = EXIT_FAILED;
	} else if (hash) {
		fprintf(stderr, "sha256 %s  %s\n", res.sha256, o.path);
	}
	print_missing(c, vg, lv, miss, n_miss, allow_missing);
done:
	mlvm_export_out_close(&o, false);	/* only when open: not after the copy */
	if (caught)
		signals_restore(&sigs);
	cli_print_report(c, &set->report);
	if (rd)
		mlvm_lv_reader_free(rd);
	free(reused);
	free(orig);
	mlvm_set_free(set);
	return status;
}
