/*
 * mlvm.c - the command line: global options and dispatch.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mlvm [GLOBAL OPTIONS] COMMAND [OPTIONS] IMAGE... [WORDS]\n"
	"\n"
	"Inspect LVM2 physical volumes in disk images, even damaged ones, and make\n"
	"or change simple ones (format, create, ...) so that LVM2 accepts them.\n"
	"Several IMAGEs form one set: a VG spread over several PVs is assembled\n"
	"from all of them, matched by PV uuid.\n"
	"\n"
	"Commands:\n"
	"  read [--generation SEQNO] IMAGE...\n"
	"                       the volume group(s): a key/value table, or the full\n"
	"                       model with --json; as of an older generation\n"
	"  scan IMAGE...        every PV label and metadata area found, with its health\n"
	"  history IMAGE...     every metadata generation still present in the rings\n"
	"  diff --from SEQNO --to SEQNO IMAGE...\n"
	"                       what changed between two generations\n"
	"  dump [--generation SEQNO] IMAGE...\n"
	"                       a generation's metadata text, for vgcfgrestore -f\n"
	"  map [--lv [VG/]LV] [--generation SEQNO] IMAGE...\n"
	"                       which PV extents belong to which LV segment, what is free\n"
	"  export --lv [VG/]LV -o FILE [--generation SEQNO] [--sparse] IMAGE...\n"
	"                       the LV's bytes to a raw image file (or - for stdout)\n"
	"  mount IMAGE... MOUNTPOINT [--generation SEQNO | --all-generations]\n"
	"                       every LV as a read-only file (FUSE); fusermount3 -u\n"
	"                       MOUNTPOINT unmounts\n"
	"  browse [--generation SEQNO] [--ascii] IMAGE...\n"
	"                       the ncurses browser: tree, details, extent maps,\n"
	"                       generations, damage, export\n"
	"\n"
	"Write commands (the only ones that open images for writing; a damaged or\n"
	"inconsistent VG is refused unless --force):\n"
	"  format [--vg NAME] [--extent-size SIZE] [--metadata-size SIZE]\n"
	"         [--metadata-copies 1|2] [--data-alignment SIZE] [--force] IMAGE...\n"
	"                       new PVs and one VG over them (default \"volumegroup\")\n"
	"  create [--size SIZE] IMAGE... NAME\n"
	"                       a linear LV, first fit over the free extents\n"
	"  remove IMAGE... LV   remove a linear or striped LV\n"
	"  resize IMAGE... LV [+|-]SIZE\n"
	"                       grow or shrink a linear or striped LV\n"
	"  rename IMAGE... LV NEW\n"
	"  add-tag IMAGE... LV TAG, remove-tag IMAGE... LV TAG\n"
	"  SIZE: a number with K, M, G, T (or KiB, MiB, GiB, TiB); no suffix: bytes\n"
	"\n"
	"Global options:\n"
	"  --json               machine-readable output on stdout\n"
	"  --strict             treat damage as LVM2 would: refuse instead of recovering\n"
	"  --vg NAME            pick one VG when the images hold several\n"
	"  --pv PV=IMAGE        PV (its uuid, or its name such as pv0) is the one in\n"
	"                       IMAGE: settles duplicate or unlabelled PVs that the\n"
	"                       evidence cannot tell apart (repeatable)\n"
	"  -h, --help           this help (mlvm COMMAND --help for a command's)\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 done (warnings on stderr), 1 could not do what was asked,\n"
	"2 usage error. Inspection commands never open an image for writing.\n"
	"See mlvm(1).\n";

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
	o.pv_choices = c->pv_choices;
	o.n_pv_choices = c->n_pv_choices;
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
	/* a --pv the images do not bear out: the user's word was not taken */
	for (i = 0; i < (int)set->report.n; i++)
		if (!strcmp(set->report.items[i].code, "pv_choice")) {
			cli_print_report(c, &set->report);
			cli_err(c, "--pv: the choice cannot be applied (see above)");
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

struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
};

static const struct command commands[] = {
	{ "read", cmd_read },
	{ "scan", cmd_scan },
	{ "history", cmd_history },
	{ "diff", cmd_diff },
	{ "dump", cmd_dump },
	{ "map", cmd_map },
	{ "export", cmd_export },
	{ "mount", cmd_mount },
	{ "browse", cmd_browse },
	{ "format", cmd_format },
	{ "create", cmd_create },
	{ "remove", cmd_remove },
	{ "resize", cmd_resize },
	{ "rename", cmd_rename },
	{ "add-tag", cmd_add_tag },
	{ "remove-tag", cmd_remove_tag },
	{ NULL, NULL },
};

/* --pv PV=IMAGE: 0, or a usage error */
static int add_pv_choice(struct cli *c, char *arg)
{
	char *eq = strchr(arg, '=');
	struct mlvm_pv_choice *p;

	if (!eq || eq == arg || !eq[1])
		return cli_usage(c, NULL, "--pv takes PV=IMAGE (a PV uuid or its name, such as pv0, and an image path), not '%s'", arg);
	p = realloc(c->pv_choices, (c->n_pv_choices + 1) * sizeof(*p));
	if (!p) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	*eq = '\0';	/* argv is ours to split */
	c->pv_choices = p;
	p[c->n_pv_choices].pv = arg;
	p[c->n_pv_choices].image = eq + 1;
	c->n_pv_choices++;
	return 0;
}

/*
 * Take the global options out of argv wherever they stand (before "--"),
 * leaving the command and its own arguments in order.
 */
static int take_globals(struct cli *c, int *argc, char **argv, bool *help, bool *version)
{
	int i, o = 1;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[o++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--strict")) {
			c->strict = true;
		} else if (!strcmp(a, "--vg")) {
			if (i + 1 >= *argc)
				return cli_usage(c, NULL, "option '--vg' requires a volume group name");
			c->vg = argv[++i];
		} else if (!strncmp(a, "--vg=", 5)) {
			c->vg = a + 5;
		} else if (!strcmp(a, "--pv") || !strncmp(a, "--pv=", 5)) {
			int rc;

			if (!a[4] && i + 1 >= *argc)
				return cli_usage(c, NULL, "option '--pv' requires PV=IMAGE");
			rc = add_pv_choice(c, a[4] ? argv[i] + 5 : argv[++i]);
			if (rc)
				return rc;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			*help = true;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			*version = true;
		} else {
			argv[o++] = argv[i];
		}
	}
	*argc = o;
	argv[o] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c = { .prog = "mlvm" };
	const struct command *cmd;
	bool help = false, version = false;
	int rc;

	rc = take_globals(&c, &argc, argv, &help, &version);
	if (rc)
		goto out;
	if (version) {
		printf("mlvm %s\n", PACKAGE_VERSION);
		rc = EXIT_DONE;
		goto out;
	}
	if (argc < 2) {
		fputs(usage_text, help ? stdout : stderr);
		rc = help ? EXIT_DONE : EXIT_USAGE;
		goto out;
	}
	for (cmd = commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[1]))
			break;
	if (!cmd->name) {
		if (help) {
			fputs(usage_text, stdout);
			rc = EXIT_DONE;
		} else {
			rc = cli_usage(&c, NULL, "unknown command '%s'", argv[1]);
		}
		goto out;
	}
	if (help) {
		/* let the command print its own help */
		char *hargv[] = { argv[1], (char *)"--help", NULL };

		rc = cmd->run(&c, 2, hargv);
	} else {
		rc = cmd->run(&c, argc - 1, argv + 1);
	}
out:
	free(c.pv_choices);
	return rc;
}
