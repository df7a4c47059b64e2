/*
 * mlvm.c - the command line: global options and dispatch.
 */
#include "cli/cli.h"
#include "cli/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mlvm [GLOBAL OPTIONS] COMMAND [OPTIONS] IMAGE... [WORDS]\n"
	"       mlvm help [COMMAND]\n"
	"\n"
	"Options, global or the command's, may stand anywhere after the command,\n"
	"before or after the images; -- ends them (mlvm read -- -odd.img, or\n"
	"./-odd.img). An unknown option is a usage error.\n"
	"\n"
	"Inspect LVM2 physical volumes in disk images, even damaged ones, and make\n"
	"or change simple ones (format, create, ...) so that LVM2 accepts them.\n"
	"Several IMAGEs form one set: a VG spread over several PVs is assembled\n"
	"from all of them, matched by PV uuid.\n"
	"\n"
	"Commands:\n"
	"  read [--generation SEQNO] [--units UNIT] [--verbose] IMAGE...\n"
	"                       the volume group(s): a key/value table (sizes with\n"
	"                       their units), or the full model with --json; as of\n"
	"                       an older generation\n"
	"  scan IMAGE...        every PV label and metadata area found, with its health\n"
	"  history [--copies] [--verbose] IMAGE...\n"
	"                       every metadata generation still present in the rings,\n"
	"                       one line each with its time, host and copies counted\n"
	"                       (--copies: every copy; --verbose: and in full)\n"
	"  diff --from [VG:]SEQNO --to [VG:]SEQNO IMAGE...\n"
	"                       what changed between two generations (across a\n"
	"                       vgrename or vgchange --uuid too)\n"
	"  timeline [--csv | --bodyfile] IMAGE...\n"
	"                       every VG's history as events (created, renamed,\n"
	"                       resized, removed, ...) with their UTC times, from\n"
	"                       every generation found\n"
	"  dump [--generation SEQNO] IMAGE...\n"
	"                       a generation's metadata text, for vgcfgrestore -f\n"
	"  map [--lv [VG/]LV] [--generation SEQNO] IMAGE...\n"
	"                       which PV extents belong to which LV segment, what is\n"
	"                       free, and their bytes in the images\n"
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
	"inconsistent VG, an image with no write bit for anyone (chmod 444) and a\n"
	"block device are refused unless --force):\n"
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
	"  --json               machine-readable output on stdout (a failure too: a\n"
	"                       JSON error object, same exit status)\n"
	"  --strict             treat damage as LVM2 would: refuse instead of recovering\n"
	"  --deep               also carve LVM2 metadata text from every byte of the\n"
	"                       images, outside the metadata areas (archive and\n"
	"                       backup files in a filesystem, old rings, fragments):\n"
	"                       their generations are read, exported, mapped, diffed\n"
	"                       and put on the timeline as those of the rings;\n"
	"                       history and scan list each copy and where it lies\n"
	"  --no-nested          do not look inside LVs for guest disks (a partition\n"
	"                       table or a PV label in an LV's first sectors, whose\n"
	"                       VGs are otherwise read as any other, 4 levels deep)\n"
	"  --vg VG              pick one VG when the images hold several: its name,\n"
	"                       its uuid (dashes or not) or NAME@UUID (two VGs of one\n"
	"                       name: --vg NAME is refused, naming them as NAME@UUID);\n"
	"                       so does VG in --lv VG/LV; warnings about the other\n"
	"                       VGs are not shown\n"
	"  --pv PV=IMAGE        PV (its uuid, or its name such as pv0) is the one in\n"
	"                       IMAGE: settles duplicate or unlabelled PVs that the\n"
	"                       evidence cannot tell apart (repeatable)\n"
	"  --copy-at IMAGE@BYTE read, export, map, dump, diff, browse and mount\n"
	"                       --generation: use the copy of that generation that\n"
	"                       starts at BYTE of IMAGE (history --copies lists them),\n"
	"                       when copies of one seqno disagree\n"
	"  --metadata FILE      a file of LVM2 metadata text (vgcfgbackup, an\n"
	"                       /etc/lvm/archive or backup file, mlvm dump) as one\n"
	"                       more copy of its generation: read, export, map, diff,\n"
	"                       dump, browse and mount --generation use it as one\n"
	"                       from a ring, never as the current state (repeatable)\n"
	"  --record FILE        append to FILE (JSON Lines) a record of this run: the\n"
	"                       version, command line, start and end times (UTC),\n"
	"                       exit status, each image's path, size and SHA-256\n"
	"                       (a container's file and media bytes, an E01's stored\n"
	"                       MD5/SHA-1 verified), every warning, export's output\n"
	"                       and its SHA-256; FILE is never one of the files given\n"
	"  --record-no-hash     with --record: do not hash the images\n"
	"  -h, --help           this help (mlvm help COMMAND or mlvm COMMAND --help\n"
	"                       for a command's)\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 done (warnings on stderr), 1 could not do what was asked,\n"
	"2 usage error. Inspection commands never open an image for writing.\n"
	"See mlvm(1).\n";

struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
};

static const struct command commands[] = {
	{ "read", cmd_read },
	{ "scan", cmd_scan },
	{ "history", cmd_history },
	{ "diff", cmd_diff },
	{ "timeline", cmd_timeline },
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

/* --copy-at IMAGE@BYTE: 0, or a usage error */
static int set_copy_at(struct cli *c, char *arg)
{
	char *at = strrchr(arg, '@'), *end;
	unsigned long long v;

	if (!at || at == arg || !at[1] || at[1] == '-' || at[1] == '+')
		return cli_usage(c, NULL, "--copy-at takes IMAGE@BYTE (an image path and the byte offset a copy of the generation starts at), not '%s'", arg);
	errno = 0;
	v = strtoull(at + 1, &end, 10);
	if (errno || *end)
		return cli_usage(c, NULL, "--copy-at takes IMAGE@BYTE with BYTE a number of bytes, not '%s'", at + 1);
	if (c->have_copy_at)
		return cli_usage(c, NULL, "--copy-at given twice: it names one copy");
	*at = '\0';	/* argv is ours to split */
	c->copy_at.image = arg;
	c->copy_at.offset = v;
	c->have_copy_at = true;
	return 0;
}

/* --metadata FILE: 0, or EXIT_FAILED */
static int add_metadata(struct cli *c, const char *arg)
{
	const char **p = realloc(c->metadata, (c->n_metadata + 1) * sizeof(*p));

	if (!p) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	c->metadata = p;
	p[c->n_metadata++] = arg;
	return 0;
}

/*
 * Take the global options out of argv wherever they stand (before "--"),
 * leaving the command and its own arguments in order.
 */
struct globals {
	bool help, version;
	const char *record;	/* --record FILE */
	bool record_no_hash;
};

static int take_globals(struct cli *c, int *argc, char **argv, struct globals *g)
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
		} else if (!strcmp(a, "--deep")) {
			c->deep = true;
		} else if (!strcmp(a, "--no-nested")) {
			c->no_nested = true;
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
		} else if (!strcmp(a, "--copy-at") || !strncmp(a, "--copy-at=", 10)) {
			int rc;

			if (!a[9] && i + 1 >= *argc)
				return cli_usage(c, NULL, "option '--copy-at' requires IMAGE@BYTE");
			rc = set_copy_at(c, a[9] ? argv[i] + 10 : argv[++i]);
			if (rc)
				return rc;
		} else if (!strcmp(a, "--metadata") || !strncmp(a, "--metadata=", 11)) {
			int rc;

			if (!a[10] && (i + 1 >= *argc || !argv[i + 1][0]))
				return cli_usage(c, NULL, "option '--metadata' requires a file of metadata text");
			if (a[10] && !a[11])
				return cli_usage(c, NULL, "option '--metadata' requires a file of metadata text");
			rc = add_metadata(c, a[10] ? a + 11 : argv[++i]);
			if (rc)
				return rc;
		} else if (!strcmp(a, "--record")) {
			if (i + 1 >= *argc || !argv[i + 1][0])
				return cli_usage(c, NULL, "option '--record' requires a file name");
			g->record = argv[++i];
		} else if (!strncmp(a, "--record=", 9)) {
			if (!a[9])
				return cli_usage(c, NULL, "option '--record' requires a file name");
			g->record = a + 9;
		} else if (!strcmp(a, "--record-no-hash")) {
			g->record_no_hash = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			g->help = true;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			g->version = true;
		} else {
			argv[o++] = argv[i];
		}
	}
	*argc = o;
	argv[o] = NULL;
	return 0;
}

/* the commands that read a generation, and so take --copy-at */
static bool takes_copy_at(const char *name)
{
	static const char *const takers[] = { "read", "export", "map", "dump", "diff", "browse",
					      "mount", NULL };
	size_t i;

	for (i = 0; takers[i]; i++)
		if (!strcmp(takers[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct cli c = { .prog = "mlvm" };
	const struct command *cmd;
	struct globals g = { 0 };
	struct cli_record *rec;
	bool help = false, via_help = false;
	int rc;

	/* for the shell completion (tools/mlvm-completion.bash): the commands */
	if (argc == 2 && !strcmp(argv[1], "--list-commands")) {
		for (cmd = commands; cmd->name; cmd++)
			puts(cmd->name);
		puts("help");
		return EXIT_DONE;
	}
	/* the command line as given and the time, before anything else */
	rec = cli_record_snapshot(argc, argv);
	rc = take_globals(&c, &argc, argv, &g);
	if (!rc && g.record_no_hash && !g.record)
		rc = cli_usage(&c, NULL, "--record-no-hash goes with --record FILE");
	if (!rc && g.record) {
		if (!rec) {
			cli_err(&c, "out of memory");
			rc = EXIT_FAILED;
		} else {
			rc = cli_record_open(&c, rec, g.record, !g.record_no_hash, argc - 1, argv + 1);
			rec = NULL;	/* c's now, or freed */
		}
	}
	cli_record_free(rec);
	if (rc)
		goto out;
	help = g.help;
	if (g.version) {
		printf("mlvm %s\n", PACKAGE_VERSION);
		rc = EXIT_DONE;
		goto out;
	}
	if (argc < 2) {
		fputs(usage_text, help ? stdout : stderr);
		rc = help ? EXIT_DONE : EXIT_USAGE;
		goto out;
	}
	if (!strcmp(argv[1], "help")) {
		/* mlvm help [COMMAND]: the usage, or that command's --help */
		if (argc > 3) {
			rc = cli_usage(&c, NULL, "help takes one command at most, not '%s'", argv[3]);
			goto out;
		}
		if (argc < 3) {
			fputs(usage_text, stdout);
			rc = EXIT_DONE;
			goto out;
		}
		help = via_help = true;
		argv++;
		argc--;
	}
	for (cmd = commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[1]))
			break;
	if (!cmd->name) {
		if (help && !via_help) {
			/* mlvm --help WORD: the usage */
			fputs(usage_text, stdout);
			rc = EXIT_DONE;
		} else {
			const char *names[sizeof(commands) / sizeof(commands[0])];
			char near[256];
			size_t n = 0;

			for (n = 0; commands[n].name; n++)
				names[n] = commands[n].name;
			rc = cli_usage(&c, NULL, "unknown command '%s'%s", argv[1],
				       cli_did_you_mean(argv[1], names, n, "", near, sizeof(near)));
		}
		goto out;
	}
	if (help) {
		/* let the command print its own help */
		char *hargv[] = { argv[1], (char *)"--help", NULL };

		rc = cmd->run(&c, 2, hargv);
	} else if (c.have_copy_at && !takes_copy_at(cmd->name)) {
		rc = cli_usage(&c, cmd->name, "--copy-at chooses a copy of a generation: read, export, map, dump, diff, browse and mount take it with --generation");
	} else {
		rc = cmd->run(&c, argc - 1, argv + 1);
		if (rc == EXIT_DONE && c.have_copy_at && !cli_copy_at_taken())
			fprintf(stderr, "%s: warning: --copy-at was not used: it chooses a copy of the generation --generation (diff: --from, --to) reads\n",
				c.prog);
	}
out:
	rc = cli_record_finish(&c, rc);
	cli_json_error(&c, rc);
	free(c.pv_choices);
	free(c.metadata);
	return rc;
}
