/*
 * cli.c - what the commands of the mlvm command line share: messages,
 * opening a set of images, the anomaly report, which VG(s) the user means
 * (--vg) and the "[VG/]LV" lookup.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void cli_err(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage(const struct cli *c, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n", c->prog,
		cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
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

struct mlvm_set *cli_open_set(const struct cli *c, char **images, int n,
			      const struct mlvm_open_opts *opts, int *status)
{
	struct mlvm_open_opts o = { 0 };
	struct mlvm_set *set;
	int i, rc;

	if (opts)
		o = *opts;
	o.strict = c->strict;
	set = mlvm_set_new(&o);
	if (!set) {
		cli_err(c, "out of memory");
		*status = EXIT_FAILED;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		rc = mlvm_set_add_path(set, images[i]);
		if (rc) {
			cli_err(c, "cannot open %s: %s", images[i], mlvm_source_strerror(rc));
			mlvm_set_free(set);
			*status = EXIT_FAILED;
			return NULL;
		}
	}
	rc = mlvm_set_assemble(set);
	if (rc < 0) {
		cli_err(c, "cannot assemble the images: %s", strerror(-rc));
		mlvm_set_free(set);
		*status = EXIT_FAILED;
		return NULL;
	}
	*status = EXIT_DONE;
	return set;
}

bool cli_output_ok(const struct cli *c, bool write_failed)
{
	if (fflush(stdout) != 0 || ferror(stdout) || write_failed) {
		cli_err(c, "cannot write output");
		return false;
	}
	return true;
}

static const char *sev_name(enum mlvm_severity s)
{
	return s == MLVM_SEV_ERROR ? "error" : s == MLVM_SEV_WARNING ? "warning" : "notice";
}

void cli_print_report(const struct cli *c, const struct mlvm_report *r)
{
	size_t i;

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
		json_end_object(j);
	}
	if (r->dropped) {
		json_begin_object(j, NULL);
		json_string(j, "code", "report_full");
		json_string(j, "severity", "warning");
		json_null(j, "message");
		json_null(j, "image");
		json_null(j, "offset");
		json_end_object(j);
	}
	json_end_array(j);
}

bool cli_vg_selected(const struct cli *c, const struct mlvm_vg *vg)
{
	return !c->vg || !strcmp(c->vg, vg->name);
}

size_t cli_vgs_selected(const struct cli *c, const struct mlvm_set *set)
{
	size_t i, n = 0;

	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_selected(c, set->vgs[i]))
			n++;
	return n;
}

const char *cli_no_vg_reason(const struct cli *c, const struct mlvm_open_opts *oo, char *buf,
			     size_t len, const char **code)
{
	if (oo->want_generation)
		snprintf(buf, len, "no intact generation %llu%s%s in the images given (mlvm history lists them)",
			 (unsigned long long)oo->generation, c->vg ? " of vg " : "", c->vg ? c->vg : "");
	else if (c->vg)
		snprintf(buf, len, "no volume group named %s in the images given", c->vg);
	else
		snprintf(buf, len, "no volume group found in the images given");
	if (code)
		*code = oo->want_generation ? "no_generation" : "no_vg";
	return buf;
}

void cli_no_vg_error(const struct cli *c, const struct mlvm_open_opts *oo, struct mlvm_report *r)
{
	char why[512];
	const char *code;

	cli_no_vg_reason(c, oo, why, sizeof(why), &code);
	mlvm_error(r, code, NULL, -1, "%s", why);
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

int cli_lookup_lv(const struct cli *c, const struct mlvm_set *set, const char *spec,
		  const struct mlvm_vg **vg_out, const struct mlvm_lv **lv_out)
{
	const char *slash = strchr(spec, '/'), *name = slash ? slash + 1 : spec;
	char vgname[256] = "";
	const struct mlvm_vg *found_vg = NULL;
	const struct mlvm_lv *found = NULL;
	struct mlvm_buf near = { 0 }, vgs = { 0 };
	size_t i, n_found = 0, n_near = 0, n_vgs = 0;
	uint32_t k;

	if (slash) {
		size_t l = (size_t)(slash - spec);

		if (l >= sizeof(vgname))
			l = sizeof(vgname) - 1;
		memcpy(vgname, spec, l);
		vgname[l] = '\0';
	}
	for (i = 0; i < set->n_vgs; i++) {
		const struct mlvm_vg *vg = set->vgs[i];
		const struct mlvm_lv *lv;

		if (!cli_vg_selected(c, vg) || (slash && strcmp(vg->name, vgname)))
			continue;
		n_vgs++;
		mlvm_buf_printf(&vgs, "%s%s", vgs.len ? ", " : "", vg->name);
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
				mlvm_buf_printf(&near, "%s%s/%s", near.len ? ", " : "", vg->name,
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
		cli_err(c, "lv %s is in several volume groups (%s): say VG/%s or use --vg",
			name, vgs.data ? vgs.data : "", name);
	} else if (n_vgs == 0) {
		cli_err(c, "no volume group %s%s in the images given",
			slash ? "named " : "", slash ? vgname : (c->vg ? c->vg : "found"));
	} else {
		cli_err(c, "no lv %s in volume group %s%s%s", name, vgs.data ? vgs.data : "",
			n_near ? "; near names: " : "", n_near ? near.data : "");
	}
	mlvm_buf_free(&near);
	mlvm_buf_free(&vgs);
	return EXIT_FAILED;
}
