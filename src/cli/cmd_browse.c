/*
 * cmd_browse.c - mlvm browse: the ncurses browser over a set of images.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/browser.h"

static const char browse_help[] =
	"Usage: mlvm browse [--generation SEQNO] [--ascii] [--strict] [--vg VG] IMAGE...\n"
	"\n"
	"Browse the volume group(s) held by the images on a terminal: a tree of\n"
	"VGs, PVs and LVs (hidden sub-LVs folded under their LV; a guest VG found\n"
	"inside an LV under that LV, or at the top naming the LVs its PVs lie in\n"
	"when they are several), every field of the selection, an extent map per\n"
	"PV, the damage found, every metadata generation still in the rings (g:\n"
	"the VG as it was, changes marked), and export of an LV to a new file with\n"
	"its SHA-256 (e). ? lists the keys.\n"
	"--generation SEQNO opens on that generation (as listed by mlvm history).\n"
	"--ascii draws no line-drawing characters (the default outside UTF-8\n"
	"locales); NO_COLOR turns colour off. A terminal that cannot move the\n"
	"cursor (TERM=dumb, an unknown TERM) is refused with exit status 2.\n"
	"The extent map gives each LV a mark and a colour of its own (a legend\n"
	"lists them; Tab to the map and the cursor names a cell's LV); the tree\n"
	"shows what each LV holds (libmagic), filled in for the rows on screen.\n"
	"In an older generation, LVs created later are listed last and tagged.\n"
	"The images are only read; export never overwrites a file.\n"
	"Exit status: 0 done, 1 no volume group found, 2 usage error or no terminal.\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may come before or after the images; -- ends them.\n";

int cmd_browse(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "generation", required_argument, NULL, 'g' },
		{ "ascii", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_opts to = { .prog = c->prog, .vg = c->vg, .strict = c->strict, .no_nested = c->no_nested,
				.pv_choices = c->pv_choices, .n_pv_choices = c->n_pv_choices,
				.copy_at = c->have_copy_at ? &c->copy_at : NULL };
	struct mlvm_open_opts oo = { 0 }, og = { 0 };
	struct mlvm_set *cur, *old = NULL;
	int opt, status;

	to.t0 = tui_now();
	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "browse", argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(browse_help, stdout);
			return EXIT_DONE;
		case 'g':
			if (cli_parse_seqno(c, "browse", "--generation", optarg, &to.generation))
				return EXIT_USAGE;
			to.want_generation = true;
			break;
		case 'a':
			to.ascii = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (c->json)
		return cli_usage(c, "browse", "--json does not apply to browse (try mlvm read --json)");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_err(c, "browse needs a terminal: %s is not a tty (try mlvm read)",
			!isatty(STDIN_FILENO) ? "stdin" : "stdout");
		return EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_usage(c, "browse", "no image given");
	{
		char why[300];

		if (tui_term_check(why, sizeof(why))) {
			cli_err(c, "browse: %s", why);
			return EXIT_USAGE;
		}
	}
	to.images = argv + optind;
	to.n_images = argc - optind;
	to.timing = getenv("MLVM_BROWSE_TIMING");
	if (to.timing && !*to.timing)
		to.timing = NULL;
	cur = cli_open_set(c, to.images, to.n_images, &oo, &status);
	if (!cur)
		return status;
	if (cli_vgs_selected(c, cur) == 0) {
		cli_no_vg_error(c, cur, &oo, &cur->report);
		cli_print_report(c, &cur->report);
		mlvm_set_free(cur);
		return EXIT_FAILED;
	}
	if (to.want_generation) {
		og.want_generation = true;
		og.generation = to.generation;
		og.generation_vg = c->vg;	/* the named VG's; the others as now */
		old = cli_open_set(c, to.images, to.n_images, &og, &status);
		if (!old) {
			mlvm_set_free(cur);
			return status;
		}
		if (cli_vgs_selected(c, old) == 0) {
			cli_no_vg_error(c, old, &og, &old->report);
			cli_print_report(c, &old->report);
			mlvm_set_free(old);
			mlvm_set_free(cur);
			return EXIT_FAILED;
		}
	}
	status = tui_browse(&to, cur, old);
	return status ? EXIT_FAILED : EXIT_DONE;
}
