/*
 * cli.c - what the commands of the mlvm command line share: messages,
 * opening a set of images, the anomaly report, which VG(s) the user means
 * (--vg) and the "[VG/]LV" lookup.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/record.h"
#include "fs/fsowner.h"
#include "model/vgspec.h"
#include "map/nested.h"
#include "text/carve.h"

/*
 * What the --json error object says (cli_json_error): the first error the
 * command met, either said with cli_err/cli_usage (code "failed" or
 * "usage") or recorded in a report it printed (that entry's code); a later
 * report error gives a "failed" one its code, image and offset. And copies
 * of the entries of the reports printed, for its "warnings".
 */
static struct {
	bool set;
	char code[64];
	char message[2048];
	char *image;
	int64_t offset;
	struct mlvm_report seen;
	const struct mlvm_report *last;	/* the report copied last, and how far */
	size_t last_n;
} failure = { .offset = -1 };

static void note_error(const char *code, const char *image, int64_t offset, const char *message)
{
	bool upgrade = failure.set && !strcmp(failure.code, "failed") && strcmp(code, "failed") &&
		       strcmp(code, "usage");

	if (failure.set && !upgrade)
		return;
	snprintf(failure.code, sizeof(failure.code), "%s", code);
	if (!failure.set)
		snprintf(failure.message, sizeof(failure.message), "%s", message);
	free(failure.image);
	failure.image = image ? strdup(image) : NULL;
	failure.offset = offset;
	failure.set = true;
}

static void say(const struct cli *c, const char *code, const char *image, const char *fmt,
		va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s\n", c->prog, msg);
	note_error(code, image, -1, msg);
}

void cli_err(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(c, "failed", NULL, fmt, ap);
	va_end(ap);
}

void cli_fail(const struct cli *c, const char *code, const char *image, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(c, code, image, fmt, ap);
	va_end(ap);
}

int cli_usage(const struct cli *c, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(c, "usage", NULL, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n", c->prog,
		cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

/*
 * Copy the entries of r that into has not had yet: r is the report copied
 * last (*last), up to *last_n, or another one, copied whole.
 */
static void copy_new(struct mlvm_report *into, const struct mlvm_report **last, size_t *last_n,
		     const struct mlvm_report *r, bool errors)
{
	size_t i = *last == r ? *last_n : 0;

	for (; i < r->n; i++) {
		const struct mlvm_anomaly *a = &r->items[i];

		mlvm_report_add(into, a->severity, a->code, a->image, a->offset, "%s", a->message);
		mlvm_report_tie_vg(into, into->n ? into->n - 1 : 0, a->vg_name, a->vg_id);
		if (errors && a->severity == MLVM_SEV_ERROR)
			note_error(a->code, a->image, a->offset, a->message);
	}
	into->dropped += r->dropped;
	*last = r;
	*last_n = r->n;
}

/* the entries of r not copied yet, for the error object's warnings */
static void note_report(const struct mlvm_report *r)
{
	copy_new(&failure.seen, &failure.last, &failure.last_n, r, true);
}

/* the entries printed in this run, for the case record (cli_reports_keep) */
static struct {
	bool on;
	struct mlvm_report seen;
	const struct mlvm_report *last;
	size_t last_n;
} kept;

static void keep_report(const struct mlvm_report *r)
{
	if (kept.on && r != &kept.seen && r != &failure.seen)
		copy_new(&kept.seen, &kept.last, &kept.last_n, r, false);
}

void cli_reports_keep(void)
{
	kept.on = true;
}

const struct mlvm_report *cli_reports_kept(void)
{
	return &kept.seen;
}

void cli_reports_kept_free(void)
{
	mlvm_report_free(&kept.seen);
	kept.on = false;
	kept.last = NULL;
}

bool cli_failure(const char **code, const char **message)
{
	*code = failure.set ? failure.code : NULL;
	*message = failure.set ? failure.message : NULL;
	return failure.set;
}

/* the error object's members: code, message, image, offset, status */
static void error_members(struct json *j, const char *code, const char *message,
			  const char *image, int64_t offset, int status)
{
	json_string(j, "code", code);
	json_string(j, "message", message);
	json_string(j, "image", image);
	if (offset >= 0)
		json_int(j, "offset", offset);
	else
		json_null(j, "offset");
	json_int(j, "status", status);
}

void cli_json_failed(struct json *j, const struct mlvm_report *r, int status)
{
	const struct mlvm_anomaly *last = NULL;
	size_t i;

	json_begin_object(j, "error");
	for (i = 0; i < r->n; i++)
		if (r->items[i].severity == MLVM_SEV_ERROR)
			last = &r->items[i];
	if (failure.set)
		error_members(j, failure.code, failure.message, failure.image, failure.offset, status);
	else if (last)
		error_members(j, last->code, last->message, last->image, last->offset, status);
	else
		error_members(j, "failed", NULL, NULL, -1, status);
	json_end_object(j);
}

void cli_json_error(const struct cli *c, int status)
{
	struct json j;

	if (!c->json || status == EXIT_DONE || json_stdout_begun()) {
		mlvm_report_free(&failure.seen);
		free(failure.image);
		failure.image = NULL;
		return;
	}
	json_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_begin_object(&j, "error");
	error_members(&j, failure.set ? failure.code : status == EXIT_USAGE ? "usage" : "failed",
		      failure.set ? failure.message : NULL, failure.image, failure.offset, status);
	json_end_object(&j);
	cli_json_report(&j, &failure.seen);
	json_end_object(&j);
	json_finish(&j);
	mlvm_report_free(&failure.seen);
	free(failure.image);
	failure.image = NULL;
}

int cli_parse_seqno(const struct cli *c, const char *cmd, const char *opt,
		    const char *arg, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-')
		return cli_usage(c, cmd, "%s takes a seqno (a whole number), not '%s'", opt, arg);
	*out = v;
	return 0;
}

int cli_assemble(const struct cli *c, struct mlvm_set *set)
{
	return c->no_nested ? mlvm_set_assemble(set) : mlvm_set_assemble_nested(set);
}

static bool copy_at_taken;

struct mlvm_set *cli_open_set(const struct cli *c, char **images, int n,
			      const struct mlvm_open_opts *opts, int *status)
{
	struct mlvm_open_opts o = { 0 };
	struct mlvm_set *set;
	int i, rc;

	cli_record_images(c, images, n);
	if (opts)
		o = *opts;
	o.strict = c->strict;
	if (c->deep)
		o.carve_anywhere = true;
	o.pv_choices = c->pv_choices;
	o.n_pv_choices = c->n_pv_choices;
	o.copy_at = c->have_copy_at ? &c->copy_at : NULL;
	copy_at_taken |= o.copy_at && o.want_generation;
	set = mlvm_set_new(&o);
	if (!set) {
		cli_err(c, "out of memory");
		*status = EXIT_FAILED;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		rc = mlvm_set_add_path(set, images[i]);
		if (rc) {
			char buf[512];

			cli_fail(c, "open", images[i], "%s",
				 mlvm_set_open_message(set, images[i], rc, buf, sizeof(buf)));
			mlvm_set_free(set);
			*status = EXIT_FAILED;
			return NULL;
		}
	}
	for (i = 0; i < (int)c->n_metadata; i++) {
		rc = mlvm_set_add_metadata_file(set, c->metadata[i]);
		if (rc) {
			const char *msg = mlvm_report_last_message(&set->report, "metadata_file");

			cli_fail(c, "metadata_file", c->metadata[i], "%s",
				 msg ? msg : strerror(-rc));
			mlvm_set_free(set);
			*status = EXIT_FAILED;
			return NULL;
		}
	}
	rc = cli_assemble(c, set);
	if (rc >= 0 && o.carve_anywhere)
		rc = mlvm_fs_name_loose(set);	/* the files holding carved copies */
	if (rc < 0) {
		cli_err(c, "cannot assemble the images: %s", strerror(-rc));
		mlvm_set_free(set);
		*status = EXIT_FAILED;
		return NULL;
	}
	cli_report_selected(c, &set->report);
	/* a --pv the images do not bear out: the user's word was not taken */
	for (i = 0; i < (int)set->report.n; i++)
		if (!strcmp(set->report.items[i].code, "pv_choice")) {
			cli_print_report(c, &set->report);
			cli_err(c, "--pv: the choice cannot be applied (see above)");
			mlvm_set_free(set);
			*status = EXIT_FAILED;
			return NULL;
		}
	/* copies of the generation that disagree and nothing decides, or a
	 * --copy-at that names none: the bytes would depend on a guess */
	for (i = 0; i < (int)set->report.n; i++) {
		const struct mlvm_anomaly *a = &set->report.items[i];

		if (a->severity == MLVM_SEV_ERROR && (!strcmp(a->code, "generation_ambiguous") ||
						       !strcmp(a->code, "copy_choice"))) {
			cli_print_report(c, &set->report);	/* the error with it */
			mlvm_set_free(set);
			*status = EXIT_FAILED;
			return NULL;
		}
	}
	*status = EXIT_DONE;
	return set;
}

bool cli_copy_at_taken(void)
{
	return copy_at_taken;
}

void cli_json_copy_place(struct json *j, const struct mlvm_gen_ref *r)
{
	const struct mlvm_loose *l = r->loose;

	json_string(j, "origin", mlvm_copy_origin_name(l ? l->origin : MLVM_ORIGIN_RING));
	json_string(j, "lv", l ? l->lv : NULL);
	if (l && l->lv)
		json_uint(j, "lv_offset", l->lv_offset);
	else
		json_null(j, "lv_offset");
	json_string(j, "fs_type", l ? l->fs_type : NULL);
	json_string(j, "fs_path", l ? l->fs_path : NULL);
	json_bool(j, "fs_unallocated", l && l->fs_unallocated);
}

static bool tied_to_selected(const struct mlvm_anomaly *a, void *arg)
{
	const struct cli *c = arg;

	return (!a->vg_name && !a->vg_id) || mlvm_vgspec_match(c->vg, a->vg_name, a->vg_id);
}

void cli_report_selected(const struct cli *c, struct mlvm_report *r)
{
	if (c->vg)
		mlvm_report_filter(r, tied_to_selected, (void *)c);
}

bool cli_output_ok(const struct cli *c, bool write_failed)
{
	if (fflush(stdout) != 0 || ferror(stdout) || write_failed) {
		cli_fail(c, "output", NULL, "cannot write output");
		return false;
	}
	return true;
}

size_t cli_text_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= CLI_MIN_WIDTH)
		return ws.ws_col;
	return CLI_DEFAULT_WIDTH;
}

const char *cli_ellipsize(const char *s, size_t max, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n <= max || max < 4 || len == 0)
		return s;
	if (max >= len)
		max = len - 1;
	if (max < 4) {		/* a buffer too small for the "..." */
		snprintf(buf, len, "%.*s", (int)max, s);
		return buf;
	}
	/* cut at a character boundary: never in the middle of a UTF-8 sequence */
	n = max - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);	/* n + 4 <= max + 1 <= len */
	memcpy(buf + n, "...", 4);
	return buf;
}

const char *cli_utc_time(uint64_t t, bool iso, char *buf, size_t len)
{
	return mlvm_utc_format(t, iso, buf, len);
}

/* ------------------------------------------------------------ progress */

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void cli_progress_start(struct cli_progress *p, uint64_t total, const char *label)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO) != 0;
	p->total = total;
	p->label = label;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

void cli_progress_draw(struct cli_progress *p, uint64_t done, bool force)
{
	struct timespec now;
	double el, rate, left, frac;
	char bar[31];
	int i, fill;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && p->drawn && secs(&p->last, &now) < 0.1)
		return;
	if (!force && !p->drawn && secs(&p->t0, &now) < 0.1)
		return;
	p->last = now;
	p->drawn = true;
	el = secs(&p->t0, &now);
	frac = p->total ? (double)done / (double)p->total : 1.0;
	rate = el > 0 ? (double)done / el / (1024.0 * 1024.0) : 0;
	left = rate > 0 ? (double)(p->total - done) / (rate * 1024.0 * 1024.0) : 0;
	fill = (int)(frac * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r%s%s[%s] %3d%%  %7.1f MiB/s  %d:%02d left ", p->label ? p->label : "",
		p->label ? " " : "", bar, (int)(frac * 100), rate, (int)left / 60, (int)left % 60);
	fflush(stderr);
}

void cli_progress_end(struct cli_progress *p, bool keep)
{
	if (p->on && p->drawn) {
		fputs(keep ? "\n" : "\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = false;
}

/* ------------------------------------------------------------ the report */

static const char *sev_name(enum mlvm_severity s)
{
	return s == MLVM_SEV_ERROR ? "error" : s == MLVM_SEV_WARNING ? "warning" : "notice";
}

void cli_print_report(const struct cli *c, const struct mlvm_report *r)
{
	size_t i;

	if (c->json)
		note_report(r);
	keep_report(r);
	for (i = 0; i < r->n; i++) {
		const struct mlvm_anomaly *a = &r->items[i];

		/* with --json the list is in the output; errors still go to stderr */
		if (c->json && a->severity != MLVM_SEV_ERROR)
			continue;
		fprintf(stderr, "%s: %s: ", c->prog, sev_name(a->severity));
		if (a->image && a->offset >= 0)
			fprintf(stderr, "%s at byte %lld: ", a->image, (long long)a->offset);
		else if (a->image)
			fprintf(stderr, "%s: ", a->image);
		fprintf(stderr, "%s [%s]\n", a->message, a->code);
	}
	if (r->dropped)
		fprintf(stderr, "%s: warning: %zu more anomalies not listed\n", c->prog, r->dropped);
}

void cli_json_report(struct json *j, const struct mlvm_report *r)
{
	size_t i;

	keep_report(r);
	json_begin_array(j, "warnings");
	for (i = 0; i < r->n; i++) {
		const struct mlvm_anomaly *a = &r->items[i];

		json_begin_object(j, NULL);
		json_string(j, "code", a->code);
		json_string(j, "severity", sev_name(a->severity));
		json_string(j, "message", a->message);
		json_string(j, "image", a->image);
		if (a->offset >= 0)
			json_int(j, "offset", a->offset);
		else
			json_null(j, "offset");
		json_string(j, "vg", a->vg_name);
		json_string(j, "vg_id", a->vg_id);
		json_end_object(j);
	}
	if (r->dropped) {
		json_begin_object(j, NULL);
		json_string(j, "code", "report_full");
		json_string(j, "severity", "warning");
		json_null(j, "message");
		json_null(j, "image");
		json_null(j, "offset");
		json_null(j, "vg");
		json_null(j, "vg_id");
		json_end_object(j);
	}
	json_end_array(j);
}

/* ------------------------------------------------------------ which VG */

bool cli_vg_matches(const char *spec, const struct mlvm_vg *vg)
{
	return mlvm_vgspec_match(spec, vg->name, vg->id);
}

bool cli_vg_selected(const struct cli *c, const struct mlvm_vg *vg)
{
	return cli_vg_matches(c->vg, vg);
}

size_t cli_vgs_matching(const char *spec, const struct mlvm_set *set)
{
	size_t i, n = 0;

	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_matches(spec, set->vgs[i]))
			n++;
	return n;
}

size_t cli_vgs_selected(const struct cli *c, const struct mlvm_set *set)
{
	size_t n = cli_vgs_matching(c->vg, set);

	/* --vg names one VG: when several answer to it, none is picked */
	return c->vg && n > 1 ? 0 : n;
}

const char *cli_vg_label(const struct mlvm_set *set, const struct mlvm_vg *vg, char *buf, size_t len)
{
	size_t i;

	for (i = 0; set && i < set->n_vgs; i++)
		if (set->vgs[i] != vg && set->vgs[i]->name && vg->name &&
		    !strcmp(set->vgs[i]->name, vg->name))
			return mlvm_vgspec_format(vg->name, vg->id, buf, len);
	if (!vg->name)
		return mlvm_vgspec_format(vg->name, vg->id, buf, len);
	snprintf(buf, len, "%s", vg->name);
	return buf;
}

void cli_vg_candidates(const struct mlvm_set *set, const char *spec, struct mlvm_buf *out)
{
	char label[300];
	size_t i;

	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_matches(spec, set->vgs[i]))
			mlvm_buf_printf(out, "%s%s", out->len ? ", " : "",
					cli_vg_label(set, set->vgs[i], label, sizeof(label)));
}

/* "N volume groups answer to --vg SPEC: A@ID1, A@ID2; say which with --vg NAME@UUID" */
static void ambiguous_vg(const struct mlvm_set *set, const char *spec, const char *what,
			 char *buf, size_t len)
{
	struct mlvm_buf b = { 0 };

	cli_vg_candidates(set, spec, &b);
	snprintf(buf, len, "%zu volume groups answer to %s %s: %s; say which with %s NAME@UUID",
		 cli_vgs_matching(spec, set), what, spec, b.data ? b.data : "", what);
	mlvm_buf_free(&b);
}

/* "no volume group named X in the images given (they hold a, b)" */
static void unknown_vg(const struct mlvm_set *set, const char *spec, char *buf, size_t len)
{
	struct mlvm_buf b = { 0 };
	char want[33];
	const char *at = strchr(spec, '@');

	if (set)
		cli_vg_candidates(set, NULL, &b);
	if (at)
		snprintf(buf, len, "no volume group named %.*s with uuid %s in the images given%s%s%s",
			 (int)(at - spec), spec, at + 1, b.len ? " (they hold " : "",
			 b.len ? b.data : "", b.len ? ")" : "");
	else
		snprintf(buf, len, "no volume group named %s%s in the images given%s%s%s", spec,
			 mlvm_vgspec_uuid(spec, strlen(spec), want) ? " or with that uuid" : "",
			 b.len ? " (they hold " : "", b.len ? b.data : "", b.len ? ")" : "");
	mlvm_buf_free(&b);
}

const char *cli_no_vg_reason(const struct cli *c, const struct mlvm_set *set,
			     const struct mlvm_open_opts *oo, char *buf, size_t len, const char **code)
{
	const char *why = oo->want_generation ? "no_generation" : "no_vg";

	if (c->vg && set && cli_vgs_matching(c->vg, set) > 1) {
		ambiguous_vg(set, c->vg, "--vg", buf, len);
		why = "vg_ambiguous";
	} else if (oo->want_generation) {
		snprintf(buf, len, "no intact generation %llu%s%s in the images given (mlvm history lists them)",
			 (unsigned long long)oo->generation, c->vg ? " of vg " : "", c->vg ? c->vg : "");
	} else if (c->vg) {
		unknown_vg(set, c->vg, buf, len);
	} else {
		snprintf(buf, len, "no volume group found in the images given");
	}
	if (code)
		*code = why;
	return buf;
}

void cli_no_vg_error(const struct cli *c, const struct mlvm_set *set,
		     const struct mlvm_open_opts *oo, struct mlvm_report *r)
{
	char why[1024];
	const char *code;

	cli_no_vg_reason(c, set, oo, why, sizeof(why), &code);
	mlvm_error(r, code, NULL, -1, "%s", why);
}

const struct mlvm_vg *cli_pick_vg(const struct cli *c, struct mlvm_set *set,
				  const struct mlvm_open_opts *oo, const char *cmd, int *status)
{
	const struct mlvm_vg *found = NULL;
	struct mlvm_buf b = { 0 };
	size_t i, n = 0;

	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_selected(c, set->vgs[i])) {
			found = set->vgs[i];
			n++;
		}
	if (n == 1) {
		*status = EXIT_DONE;
		return found;
	}
	if (n == 0 || c->vg) {
		cli_no_vg_error(c, set, oo, &set->report);
		*status = EXIT_FAILED;
		return NULL;
	}
	cli_vg_candidates(set, NULL, &b);
	*status = cli_usage(c, cmd, "the images hold %zu volume groups (%s): pick one with --vg", n,
			    b.data ? b.data : "");
	mlvm_buf_free(&b);
	return NULL;
}

/* ------------------------------------------------------------ LV lookup */

static int lower(int ch)
{
	return tolower((unsigned char)ch);
}

/* Levenshtein distance, capped: good enough for "did you mean" */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned row[130], prev, tmp;

	if (la > 128 || lb > 128)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned best = prev + (lower(a[i - 1]) != lower(b[j - 1]));

			tmp = row[j];
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static bool near_name(const char *want, const char *have)
{
	size_t lw = strlen(want);

	if (distance(want, have) <= (lw > 6 ? 2u : 1u))
		return true;
	return lw >= 3 && strcasestr(have, want) != NULL;
}

/* seqno list (rising, distinct) as "3-5, 8" into b */
static void seqno_ranges(const uint64_t *v, size_t n, struct mlvm_buf *b)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && v[j + 1] == v[j] + 1; j++)
			;
		if (j > i)
			mlvm_buf_printf(b, "%s%llu-%llu", b->len ? ", " : "", (unsigned long long)v[i],
					(unsigned long long)v[j]);
		else
			mlvm_buf_printf(b, "%s%llu", b->len ? ", " : "", (unsigned long long)v[i]);
		i = j + 1;
	}
}

/*
 * An LV not in vg as chosen may be in other generations of it still in the
 * metadata rings: in words for the user (" (it exists in generations 3-5;
 * removed at 6: use --generation 5)") into why, or "" when it is in none.
 * The images are opened again with every metadata area carved; each intact
 * generation (complete, parses, checksum not bad) is read once per seqno.
 */
static const char *lv_elsewhere(const struct mlvm_set *set, const struct mlvm_vg *vg,
				const char *name, char *why, size_t len)
{
	struct mlvm_open_opts o = set->opts;
	struct mlvm_set *all;
	struct mlvm_gen_ref *refs = NULL;
	struct mlvm_buf b = { 0 };
	uint64_t *has = NULL, removed = 0, last = 0;
	size_t n = 0, n_has = 0, i;
	bool seen = false, after = false;
	char id[64] = "", renamed[128] = "";
	bool nested = false;

	why[0] = '\0';
	if (!vg->id)
		return why;
	for (i = 0; i < set->n_srcs; i++)
		nested |= set->srcs[i]->inside != NULL;
	o.carve = true;
	o.want_generation = false;
	all = mlvm_set_new(&o);
	if (!all)
		return why;
	for (i = 0; i < set->n_srcs; i++)
		if (!set->srcs[i]->inside && mlvm_set_add_path(all, set->srcs[i]->name))
			goto out;	/* an LV's bytes (nested) are found again */
	if (mlvm_set_copy_loose(all, set))
		goto out;
	if ((nested ? mlvm_set_assemble_nested(all) : mlvm_set_assemble(all)) < 0 ||
	    mlvm_set_generations(all, &refs, &n) || !n)
		goto out;
	has = malloc(n * sizeof(*has));
	if (!has)
		goto out;
	for (i = 0; i < n; i++) {
		const struct mlvm_generation *g = refs[i].g;
		struct mlvm_report scratch;
		struct mlvm_vg *old = NULL;
		char *text = NULL;
		size_t tlen = 0;
		const struct mlvm_lv *lv;
		bool there;

		if (!g->seqno_known || strcmp(g->vg_id, vg->id) || !g->complete || !g->parse_ok ||
		    g->checksum_ok == 0 || (seen && g->seqno == last))
			continue;	/* not intact, another VG, or this seqno is in already */
		if (mlvm_gen_ref_text(all, &refs[i], &text, &tlen))
			continue;
		mlvm_report_init(&scratch);
		if (mlvm_vg_from_text(text, tlen, &old, &scratch, NULL, -1) == 0) {
			seen = true;
			last = g->seqno;
			lv = mlvm_vg_find_lv(old, name);
			there = lv != NULL;
			if (there) {
				has[n_has++] = g->seqno;
				removed = 0;
				after = false;
				snprintf(id, sizeof(id), "%s", lv->id ? lv->id : "");
			} else if (n_has && !after) {
				uint32_t k;

				removed = g->seqno;	/* the first intact one after, without it */
				after = true;
				renamed[0] = '\0';
				for (k = 0; id[0] && k < old->n_lvs; k++)
					if (old->lvs[k].id && !strcmp(old->lvs[k].id, id))
						snprintf(renamed, sizeof(renamed), "%s", old->lvs[k].name);
			}
			mlvm_vg_free(old);
		}
		mlvm_report_free(&scratch);
	}
	if (!n_has)
		goto out;
	seqno_ranges(has, n_has, &b);
	if (removed)	/* "by" when the seqnos between are gone from the rings */
		snprintf(why, len, " (it exists in generation%s %s; %s%s %s %llu: use --generation %llu)",
			 n_has > 1 ? "s" : "", b.data, renamed[0] ? "renamed to " : "removed",
			 renamed, removed == has[n_has - 1] + 1 ? "at" : "by",
			 (unsigned long long)removed, (unsigned long long)has[n_has - 1]);
	else
		snprintf(why, len, " (it exists in generation%s %s: use --generation %llu)",
			 n_has > 1 ? "s" : "", b.data, (unsigned long long)has[n_has - 1]);
out:
	mlvm_buf_free(&b);
	free(has);
	free(refs);
	mlvm_set_free(all);
	return why;
}

const char *cli_lvspec_vg(const struct cli *c, const char *spec, char *buf, size_t len)
{
	const char *slash = spec ? strchr(spec, '/') : NULL;

	if (!slash || slash == spec)
		return c->vg;
	snprintf(buf, len, "%.*s", (int)(slash - spec), spec);
	return buf;
}

int cli_lookup_lv(const struct cli *c, const struct mlvm_set *set, const char *spec,
		  const struct mlvm_vg **vg_out, const struct mlvm_lv **lv_out)
{
	const char *slash = strchr(spec, '/'), *name = slash ? slash + 1 : spec;
	char vgname[256] = "", label[300], why[1024];
	const struct mlvm_vg *found_vg = NULL;
	const struct mlvm_lv *found = NULL;
	struct mlvm_buf near = { 0 }, vgs = { 0 };
	size_t i, n_found = 0, n_near = 0, n_vgs = 0;
	uint64_t last_seqno = 0;
	uint32_t k;

	if (slash) {
		size_t l = (size_t)(slash - spec);

		if (l >= sizeof(vgname))
			l = sizeof(vgname) - 1;
		memcpy(vgname, spec, l);
		vgname[l] = '\0';
	}
	/* a VG part (or --vg) several VGs answer to picks none of them */
	if (c->vg && cli_vgs_matching(c->vg, set) > 1) {
		ambiguous_vg(set, c->vg, "--vg", why, sizeof(why));
		cli_fail(c, "vg_ambiguous", NULL, "%s", why);
		return EXIT_FAILED;
	}
	for (i = 0; slash && i < set->n_vgs; i++)
		if (cli_vg_selected(c, set->vgs[i]) && cli_vg_matches(vgname, set->vgs[i]))
			n_vgs++;
	if (n_vgs > 1) {
		struct mlvm_buf b = { 0 };

		cli_vg_candidates(set, vgname, &b);
		cli_fail(c, "vg_ambiguous", NULL, "%zu volume groups answer to %s in %s: %s; say which as NAME@UUID/%s",
			n_vgs, vgname, spec, b.data ? b.data : "", name);
		mlvm_buf_free(&b);
		return EXIT_FAILED;
	}
	n_vgs = 0;
	for (i = 0; i < set->n_vgs; i++) {
		const struct mlvm_vg *vg = set->vgs[i];
		const struct mlvm_lv *lv;

		if (!cli_vg_selected(c, vg) || (slash && !cli_vg_matches(vgname, vg)))
			continue;
		n_vgs++;
		last_seqno = vg->seqno;
		cli_vg_label(set, vg, label, sizeof(label));
		mlvm_buf_printf(&vgs, "%s%s", vgs.len ? ", " : "", label);
		lv = mlvm_vg_find_lv(vg, name);
		if (lv) {
			if (!n_found) {
				found = lv;
				found_vg = vg;
			}
			n_found++;
			continue;
		}
		for (k = 0; k < vg->n_lvs && n_near < 8; k++)
			if (near_name(name, vg->lvs[k].name)) {
				mlvm_buf_printf(&near, "%s%s/%s", near.len ? ", " : "", label,
						vg->lvs[k].name);
				n_near++;
			}
	}
	if (n_found == 1) {
		*vg_out = found_vg;
		*lv_out = found;
		mlvm_buf_free(&near);
		mlvm_buf_free(&vgs);
		return EXIT_DONE;
	}
	if (n_found > 1) {
		cli_fail(c, "lv_ambiguous", NULL, "lv %s is in several volume groups (%s): say VG/%s or use --vg",
			name, vgs.data ? vgs.data : "", name);
	} else if (n_vgs == 0) {
		if (slash || c->vg) {
			unknown_vg(set, slash ? vgname : c->vg, why, sizeof(why));
			cli_fail(c, "no_vg", NULL, "%s", why);
		} else {
			cli_fail(c, "no_vg", NULL, "no volume group found in the images given");
		}
	} else {
		char elsewhere[1024] = "", at[40] = "";

		/* one VG searched: the LV may be in another generation of it */
		if (n_vgs == 1) {
			snprintf(at, sizeof(at), " at seqno %llu", (unsigned long long)last_seqno);
			for (i = 0; i < set->n_vgs; i++)
				if (cli_vg_selected(c, set->vgs[i]) &&
				    (!slash || cli_vg_matches(vgname, set->vgs[i])))
					lv_elsewhere(set, set->vgs[i], name, elsewhere, sizeof(elsewhere));
		}
		cli_fail(c, "no_lv", NULL, "no lv %s in volume group %s%s%s%s%s", name,
			 vgs.data ? vgs.data : "", at,
			elsewhere,
			n_near ? "; near names: " : "", n_near ? near.data : "");
	}
	mlvm_buf_free(&near);
	mlvm_buf_free(&vgs);
	return EXIT_FAILED;
}

const char *cli_lv_ambiguity(const struct mlvm_vg *vg, const struct mlvm_lv *lv, char *buf,
			     size_t len)
{
	const struct mlvm_pv *pv = mlvm_lv_ambiguous_pv(vg, lv);
	size_t o;
	uint32_t i;

	if (!pv)
		return NULL;
	o = (size_t)snprintf(buf, len, "lv %s of vg %s lies on pv %s (%s), which several images fit equally (",
			     lv->name, vg->name, pv->name, pv->id ? pv->id : "?");
	for (i = 0; i < pv->n_others && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s at byte %llu", i ? ", " : "",
				      pv->others[i]->src->name, (unsigned long long)pv->others[i]->base);
	if (o < len)
		snprintf(buf + o, len - o, "): its bytes depend on which one it is; say which with --pv %s=IMAGE",
			 pv->name);
	return buf;
}

/* ------------------------------------------------------------ options */

void cli_getopt_init(struct cli_getopt *g, const struct cli *c, const char *cmd, int argc,
		     char **argv, const char *shortopts, const struct option *longopts)
{
	memset(g, 0, sizeof(*g));
	g->c = c;
	g->cmd = cmd;
	g->argc = argc;
	g->argv = argv;
	g->longopts = longopts;
	/* "-": operands come back in order as option 1, so that options may
	 * follow them whatever POSIXLY_CORRECT says; ":": a missing value is ':' */
	snprintf(g->shortopts, sizeof(g->shortopts), "-:%s", shortopts);
	optind = 0;	/* a fresh start, even after another parse */
	opterr = 0;
}

int cli_getopt(struct cli_getopt *g)
{
	int opt, k, i;

	for (;;) {
		g->word = optind ? optind : 1;
		if (g->negative_operands && !g->mid_word && g->word < g->argc &&
		    g->argv[g->word][0] == '-' && g->argv[g->word][1] >= '0' &&
		    g->argv[g->word][1] <= '9') {
			/* between words: getopt_long reads optind afresh (a
			 * first parse in the process initialises itself anyway) */
			g->argv[1 + g->n_operands++] = g->argv[g->word];
			optind = g->word + 1;
			continue;
		}
		opt = getopt_long(g->argc, g->argv, g->shortopts, g->longopts, NULL);
		/* a short option that did not end its word: the next is in it */
		g->mid_word = opt != -1 && opt != 1 && optind == g->word;
		if (opt != 1)
			break;
		/* an operand: into the slots already passed, in order */
		g->argv[1 + g->n_operands++] = optarg;
	}
	if (opt != -1)
		return opt;
	/* the end (or "--"): move the operands gathered up to just before
	 * argv[optind], where the rest (after "--") follow */
	k = g->n_operands;
	for (i = k; i >= 1; i--)
		g->argv[optind - k - 1 + i] = g->argv[i];
	optind -= k;
	g->n_operands = 0;
	return -1;
}

const char *cli_did_you_mean(const char *word, const char *const *names, size_t n,
			     const char *pre, char *buf, size_t len)
{
	size_t i, lw = strlen(word), shown = 0, count = 0;
	unsigned best = 99, d, limit = lw > 6 ? 3u : lw > 3 ? 2u : 1u;
	int o;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		d = distance(word, names[i]);
		if (lw >= 2 && !strncmp(names[i], word, lw))
			d = 1;	/* a beginning of it */
		if (d <= limit && d < best)
			best = d;
	}
	if (best == 99)
		return buf;
	for (i = 0; i < n; i++) {
		d = distance(word, names[i]);
		if (lw >= 2 && !strncmp(names[i], word, lw))
			d = 1;
		if (d == best)
			count++;
	}
	o = snprintf(buf, len, " (did you mean ");
	for (i = 0; i < n && o >= 0 && (size_t)o < len; i++) {
		d = distance(word, names[i]);
		if (lw >= 2 && !strncmp(names[i], word, lw))
			d = 1;
		if (d != best)
			continue;
		shown++;
		o += snprintf(buf + o, len - (size_t)o, "%s'%s%s'",
			      shown == 1 ? "" : shown == count ? " or " : ", ", pre, names[i]);
	}
	if (o >= 0 && (size_t)o < len)
		snprintf(buf + o, len - (size_t)o, "?)");
	if (o < 0 || (size_t)o + 3 > len)
		buf[0] = '\0';	/* cut short: better nothing */
	return buf;
}

int cli_bad_option(const struct cli_getopt *g, int opt)
{
	const char *word = g->word < g->argc ? g->argv[g->word] : "";
	char name[64], near[256] = "", hint[300] = "";
	const char *names[64];
	size_t n = 0;
	bool file_like;

	if (optopt && !(word[0] == '-' && word[1] == '-')) {
		/* a short option: -x, maybe inside a word such as -dash.img */
		snprintf(name, sizeof(name), "-%c", optopt);
	} else {
		size_t l = strcspn(word, "=");

		snprintf(name, sizeof(name), "%.*s", (int)(l < 60 ? l : 60), word);
	}
	file_like = strlen(word) > 2 && word[1] != '-' ? true :
		    strchr(word, '.') || strchr(word, '/') || access(word, F_OK) == 0;
	if (file_like && opt != ':')
		snprintf(hint, sizeof(hint),
			 "\n(an image whose name starts with '-': write ./%s, or put it after --)",
			 strlen(word) < 200 ? word : "NAME");	/* never a name cut short */
	if (opt == ':')
		return cli_usage(g->c, g->cmd, "option '%s' needs a value", name);
	if (opt != '?')	/* an option the command knows but refuses */
		return cli_usage(g->c, g->cmd, "option '%s' does not apply to %s", name, g->cmd);
	if (name[0] == '-' && name[1] == '-' && name[2] && optopt)
		return cli_usage(g->c, g->cmd, "option '%s' of %s takes no value", name, g->cmd);
	if (name[0] == '-' && name[1] == '-' && name[2]) {
		const struct option *lo;
		size_t count = 0;
		char list[256] = "";
		int o = 0;

		for (lo = g->longopts; lo && lo->name && n < 64; lo++)
			names[n++] = lo->name;
		/* several options begin so: getopt_long calls it ambiguous */
		for (lo = g->longopts; lo && lo->name; lo++)
			if (!strncmp(lo->name, name + 2, strlen(name + 2))) {
				count++;
				if (o >= 0 && (size_t)o < sizeof(list))
					o += snprintf(list + o, sizeof(list) - (size_t)o, "%s--%s",
						      count > 1 ? ", " : "", lo->name);
			}
		if (count > 1)
			return cli_usage(g->c, g->cmd, "option '%s' of %s is ambiguous: %s", name,
					 g->cmd, list);
		cli_did_you_mean(name + 2, names, n, "--", near, sizeof(near));
	}
	if (optopt && name[1] != '-' && strlen(word) > 2)
		return cli_usage(g->c, g->cmd, "unknown option '%s' (in '%s') for %s%s", name, word,
				 g->cmd, hint);
	return cli_usage(g->c, g->cmd, "unknown option '%s' for %s%s%s", name, g->cmd, near, hint);
}

void cli_json_source_origin(struct json *j, const struct mlvm_vg *vg)
{
	const struct mlvm_loose *l = vg->source.loose;
	char uuid[39];

	json_string(j, "origin", mlvm_copy_origin_name(l ? l->origin : MLVM_ORIGIN_RING));
	if (l) {
		json_null(j, "pv_id");
		json_null(j, "mda");
		if (l->lv) {
			json_string(j, "lv", l->lv);
			json_uint(j, "lv_offset", l->lv_offset);
		}
		if (l->fs_path)
			json_string(j, "fs_path", l->fs_path);
		return;
	}
	mlvm_uuid_format(vg->source.pv_id, strlen(vg->source.pv_id), uuid);
	json_string(j, "pv_id", uuid);
	json_int(j, "mda", vg->source.mda);
}

const char *cli_source_words(const struct mlvm_vg *vg, char *buf, size_t len)
{
	char uuid[39];

	if (vg->source.loose) {
		struct mlvm_gen_ref r = { NULL, NULL, vg->source.gen, vg->source.loose };

		return mlvm_gen_ref_origin(&r, buf, len);
	}
	mlvm_uuid_format(vg->source.pv_id, strlen(vg->source.pv_id), uuid);
	snprintf(buf, len, "%s (pv %s, mda%d, byte %llu)", vg->source.image, uuid, vg->source.mda,
		 (unsigned long long)vg->source.offset);
	return buf;
}
