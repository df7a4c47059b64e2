/*
 * cmd_write.c - the write operations of the original quickstart: format,
 * create, remove, resize, rename, add-tag, remove-tag
 * (doc/interface.md).
 *
 * Every operation reads the VG with the assembler, refuses one that is
 * damaged, inconsistent, missing a PV or has a precommitted copy left over
 * (unless --force), edits a copy of its metadata tree (keys it does not
 * know are kept), serializes it as LVM2 would, checks that the result reads
 * back, and commits it with seqno + 1 to every metadata area in use. Only
 * these commands open images for writing.
 */
#include "cli/cli.h"
#include "cli/record.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "base/util.h"
#include "base/units.h"
#include "write/alloc.h"
#include "write/edit.h"
#include "write/write.h"

/* the last lines of every write command's --help */
#define WRITE_HELP_TAIL \
	"An image with no write bit for anyone (chmod 444) or a block device is\n" \
	"refused unless --force (evidence is safe by default).\n" \
	"Options may come before or after the images and words; -- ends them.\n"

static const char format_help[] =
	"Usage: mlvm format [--vg NAME] [--extent-size SIZE] [--metadata-size SIZE]\n"
	"                   [--metadata-copies 1|2] [--data-alignment SIZE] [--force] IMAGE...\n"
	"\n"
	"Make every IMAGE an LVM2 physical volume and one volume group over all of\n"
	"them (default name \"volumegroup\"), laid out as pvcreate and vgcreate do:\n"
	"label in sector 1, metadata area at 4 KiB (a second one at the end with\n"
	"--metadata-copies 2), extents from pe_start = 4 KiB + metadata size rounded\n"
	"up to the data alignment (1 MiB by default). Extent size 4 MiB by default.\n"
	"An image that already holds a PV, a VG or a partition table is refused\n"
	"unless --force. SIZE: a number with K, M, G, T (or KiB, MiB, GiB, TiB).\n"
	WRITE_HELP_TAIL;

static const char create_help[] =
	"Usage: mlvm create [--size SIZE] [--force] IMAGE... NAME\n"
	"\n"
	"Add a linear LV of SIZE (rounded up to whole extents; one extent when no\n"
	"size is given, since LVM2 refuses an LV without extents), placed first fit\n"
	"over the free extents of the PVs in order: one segment per free run.\n"
	WRITE_HELP_TAIL;

static const char remove_help[] =
	"Usage: mlvm remove [--force] IMAGE... LV\n"
	"\n"
	"Remove a linear or striped LV that no other LV uses.\n"
	WRITE_HELP_TAIL;

static const char resize_help[] =
	"Usage: mlvm resize [--force] IMAGE... LV [+|-]SIZE\n"
	"\n"
	"Set the size of a linear or striped LV (or grow/shrink it by SIZE with\n"
	"+/-), rounded up to whole extents. Growing extends the last segment when\n"
	"the extents after it are free, then takes free runs first fit; shrinking\n"
	"cuts segments from the end.\n"
	"A word of a dash and a digit (-4M) is a SIZE, never an option.\n"
	WRITE_HELP_TAIL;

static const char rename_help[] =
	"Usage: mlvm rename [--force] IMAGE... LV NEW\n"
	"\n"
	"Rename an LV (not a hidden sub-LV, nor an LV that other LVs refer to).\n"
	WRITE_HELP_TAIL;

static const char addtag_help[] =
	"Usage: mlvm add-tag [--force] IMAGE... LV TAG\n"
	"\n"
	"Add a tag to an LV. Tags: 1 to 1024 characters of A-Z a-z 0-9 _ + . - / = ! : # &.\n"
	WRITE_HELP_TAIL;

static const char removetag_help[] =
	"Usage: mlvm remove-tag [--force] IMAGE... LV TAG\n"
	"\n"
	"Remove a tag from an LV.\n"
	WRITE_HELP_TAIL;

/* ------------------------------------------------------------ shared */

struct wopts {
	bool force;
	const char *size;		/* create --size */
	const char *extent_size, *metadata_size, *data_alignment;
	int copies;
	char **operands;		/* images and words, in order */
	int n_operands;
};

/* options common to the write commands, anywhere on the line (a last word
 * like "-4M" for resize is an operand); the operands are collected in
 * w->operands (freed by the caller). Returns 0, or -1 after printing a
 * usage error / help (status in *st). */
static int parse_opts(struct cli *c, const char *cmd, const char *help, int argc, char **argv,
		      struct wopts *w, int *st)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 'L' },
		{ "extent-size", required_argument, NULL, 's' },
		{ "metadata-size", required_argument, NULL, 'm' },
		{ "metadata-copies", required_argument, NULL, 'c' },
		{ "data-alignment", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool is_format = !strcmp(cmd, "format"), is_create = !strcmp(cmd, "create");
	int opt;

	int last = argc;

	memset(w, 0, sizeof(*w));
	w->copies = 1;
	w->operands = calloc((size_t)argc + 1, sizeof(char *));
	if (!w->operands) {
		cli_err(c, "out of memory");
		*st = EXIT_FAILED;
		return -1;
	}
	if (!strcmp(cmd, "resize") && argc > 1 && argv[argc - 1][0] == '-' &&
	    argv[argc - 1][1] >= '0' && argv[argc - 1][1] <= '9')
		last = argc - 1;	/* "-4M": shrink by 4 MiB, not an option */
	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, cmd, last, argv, "hfL:", opts);
	gopt.negative_operands = !strcmp(cmd, "resize");
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			*st = EXIT_DONE;
			return -1;
		case 'f':
			w->force = true;
			break;
		case 'L':
			if (!is_create)
				goto unknown;
			w->size = optarg;
			break;
		case 's':
		case 'm':
		case 'a':
		case 'c':
			if (!is_format)
				goto unknown;
			if (opt == 's')
				w->extent_size = optarg;
			else if (opt == 'm')
				w->metadata_size = optarg;
			else if (opt == 'a')
				w->data_alignment = optarg;
			else if (!strcmp(optarg, "1") || !strcmp(optarg, "2"))
				w->copies = optarg[0] - '0';
			else {
				*st = cli_usage(c, cmd, "--metadata-copies takes 1 or 2, not '%s'", optarg);
				return -1;
			}
			break;
		default:
unknown:
			*st = cli_bad_option(&gopt, opt);
			return -1;
		}
	}
	while (optind < last)	/* in order, "--" or not */
		w->operands[w->n_operands++] = argv[optind++];
	if (last < argc)
		w->operands[w->n_operands++] = argv[last];
	return 0;
}

/* "mlvm create disk.raw x", as LVM2 puts its command line in description */
static char *command_line(int argc, char **argv)
{
	struct mlvm_buf b = { 0 };
	int i;

	mlvm_buf_printf(&b, "mlvm");
	for (i = 0; i < argc; i++)
		mlvm_buf_printf(&b, " %s", argv[i]);
	return b.data;
}

struct host {
	char node[256];
	char uname[1024];
};

static void host_get(struct host *h)
{
	struct utsname u;

	if (uname(&u)) {
		snprintf(h->node, sizeof(h->node), "localhost");
		h->uname[0] = '\0';
		return;
	}
	snprintf(h->node, sizeof(h->node), "%s", u.nodename);
	snprintf(h->uname, sizeof(h->uname), "%s %s %s %s %s", u.sysname, u.nodename, u.release,
		 u.version, u.machine);
}

static int parse_size_arg(struct cli *c, const char *cmd, const char *what, const char *arg,
			  uint64_t *out)
{
	int rc = mlvm_parse_size(arg, out);

	if (rc == -ERANGE)
		return cli_usage(c, cmd, "%s '%s' is too large", what, arg);
	if (rc)
		return cli_usage(c, cmd, "%s takes a size (a number with K, M, G, T, KiB, MiB, GiB "
				 "or TiB), not '%s'", what, arg);
	return 0;
}

/* the id as LVM2 writes it: 6-4-4-4-4-4-6 */
static void new_id(char out[39])
{
	char raw[33];

	mlvm_id_generate(raw);
	mlvm_uuid_format(raw, 32, out);
}

static void print_result(struct cli *c, const struct mlvm_report *r, const char *action,
			 const char *vg, uint64_t seqno, const char *lv, const char *msg)
{
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "action", action);
		json_string(&j, "vg", vg);
		json_uint(&j, "seqno", seqno);
		if (lv)
			json_string(&j, "lv", lv);
		json_string(&j, "message", msg);
		if (r)
			cli_json_report(&j, r);
		else {
			json_begin_array(&j, "warnings");
			json_end_array(&j);
		}
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("%s\n", msg);
	}
	fflush(stdout);
}

/* ------------------------------------------------------------ opening a VG to change */

struct target {
	struct mlvm_set *set;
	struct mlvm_vg *vg;
	struct mlvm_wnode *root;	/* the copy being edited */
	struct mlvm_wnode *vgsec;
	struct mlvm_commit_area areas[64];
	size_t n_areas;
};

static void target_free(struct target *t)
{
	mlvm_wnode_free(t->root);
	mlvm_set_free(t->set);
}

/*
 * The evidence-safe default: an image whose mode gives no one write
 * permission (chmod 444: root would write to it all the same) or a block
 * device is not written to unless --force. EXIT_DONE, or EXIT_FAILED after
 * a message naming the image. An image that cannot be looked at is left to
 * the open that follows to report.
 */
static int evidence_guard(struct cli *c, const char *cmd, char **images, int n, bool force)
{
	struct stat st;
	int k;

	for (k = 0; k < n && !force; k++) {
		if (stat(images[k], &st) != 0)
			continue;
		if (S_ISBLK(st.st_mode)) {
			cli_fail(c, "block_device", images[k],
				 "%s is a block device: not written to (mlvm %s --force writes to it)",
				 images[k], cmd);
			return EXIT_FAILED;
		}
		if (S_ISREG(st.st_mode) && !(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))) {
			cli_fail(c, "read_only", images[k],
				 "%s is read-only (mode %04o, no write permission for anyone): not "
				 "written to (chmod u+w it, or mlvm %s --force writes anyway)",
				 images[k], (unsigned)(st.st_mode & 07777), cmd);
			return EXIT_FAILED;
		}
	}
	return EXIT_DONE;
}

/* Open image read-write: 0, or rc with "cannot open IMAGE for writing: REASON" said */
static int open_for_writing(struct cli *c, const char *image, struct mlvm_source **out)
{
	struct mlvm_report why;
	int rc;

	mlvm_report_init(&why);
	rc = mlvm_source_open(image, MLVM_SOURCE_WRITE, out, &why);
	if (rc)
		cli_err(c, "cannot open %s for writing: %s", image, mlvm_source_open_error(&why, rc));
	mlvm_report_free(&why);
	return rc;
}

/*
 * Open the images read-write, assemble, pick the VG, and check it is fit to
 * be changed. Problems are listed; they refuse the operation unless force.
 * Returns EXIT_DONE with t filled, or an exit status.
 */
static int target_open(struct cli *c, const char *cmd, char **images, int n, bool force,
		       struct target *t)
{
	struct mlvm_open_opts oo = { .strict = c->strict, .pv_choices = c->pv_choices,
				     .n_pv_choices = c->n_pv_choices };
	size_t i, problems = 0;
	uint32_t p;
	int rc, k;

	memset(t, 0, sizeof(*t));
	cli_record_images(c, images, n);
	if (evidence_guard(c, cmd, images, n, force))
		return EXIT_FAILED;
	t->set = mlvm_set_new(&oo);
	if (!t->set) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	for (k = 0; k < n; k++) {
		struct mlvm_source *s;

		if (open_for_writing(c, images[k], &s))
			return EXIT_FAILED;
		rc = mlvm_set_add_source(t->set, s);
		if (rc) {
			cli_err(c, "cannot open %s for writing: %s", images[k], strerror(-rc));
			return EXIT_FAILED;
		}
	}
	rc = mlvm_set_assemble(t->set);
	if (rc < 0) {
		cli_err(c, "cannot assemble the images: %s", strerror(-rc));
		return EXIT_FAILED;
	}
	cli_report_selected(c, &t->set->report);
	for (i = 0; i < t->set->n_vgs; i++) {
		if (!cli_vg_selected(c, t->set->vgs[i]))
			continue;
		if (t->vg) {
			cli_print_report(c, &t->set->report);
			cli_err(c, "the images hold several volume groups (%s, %s, ...): pick one with --vg",
				t->vg->name, t->set->vgs[i]->name);
			return EXIT_FAILED;
		}
		t->vg = t->set->vgs[i];
	}
	if (!t->vg) {
		cli_print_report(c, &t->set->report);
		if (c->vg)
			cli_err(c, "no volume group named %s in the images given", c->vg);
		else
			cli_err(c, "no volume group found in the images given (mlvm format makes one)");
		return EXIT_FAILED;
	}
	/* damage the assembler saw */
	problems += mlvm_report_count(&t->set->report, MLVM_SEV_WARNING);
	if (problems)
		cli_print_report(c, &t->set->report);
	if (t->vg->source.gen) {
		cli_err(c, "vg %s was recovered from an older generation (seqno %llu), not its committed copy",
			t->vg->name, (unsigned long long)t->vg->seqno);
		problems++;
	}
	if (t->vg->n_unknown_status) {
		cli_err(c, "vg %s has status flags LVM2 does not know", t->vg->name);
		problems++;
	}
	for (p = 0; p < t->vg->n_pvs; p++) {
		const struct mlvm_pv *pv = &t->vg->pvs[p];
		const struct mlvm_pvdev *d;
		unsigned m;

		if (pv->missing) {
			cli_err(c, "%s (%s) of vg %s is missing: give every image of the VG", pv->name,
				pv->id ? pv->id : "?", t->vg->name);
			problems++;
			continue;
		}
		d = mlvm_set_pv_dev(t->set, pv);
		if (!d) {
			problems++;
			continue;
		}
		if (d->meta != d->src) {
			cli_err(c, "%s: the PV was wiped by mirage-block-volume (every byte shifted): "
				"mlvm does not write to it", d->src->name);
			return EXIT_FAILED;
		}
		if (d->found_by != MLVM_FOUND_LABEL || !d->has_label || !d->label.magic_ok ||
		    !d->label.sector_ok || !d->label.crc_ok) {
			cli_err(c, "%s: the label of %s is damaged or missing", d->src->name, pv->name);
			problems++;
		}
		for (m = 0; m < d->n_mda; m++) {
			const struct mlvm_mda_info *mi = &d->mda[m];

			if (!mi->header_ok) {
				cli_err(c, "%s: metadata area %d header is damaged", d->src->name, mi->index);
				problems++;
				continue;
			}
			if (mi->ignored)
				continue;
			if (mi->hdr.rl[1].offset || mi->hdr.rl[1].size) {
				cli_err(c, "%s: metadata area %d has a precommitted copy left over (a command "
					"died between precommit and commit)", d->src->name, mi->index);
				problems++;
			}
			if (!mi->has_text || !mi->text_crc_ok || !mi->peek_ok) {
				cli_err(c, "%s: metadata area %d has no intact committed copy", d->src->name,
					mi->index);
				problems++;
			} else if (mi->seqno != t->vg->seqno || (t->vg->id && strcmp(mi->vg_id, t->vg->id))) {
				cli_err(c, "%s: metadata area %d holds seqno %llu, not %llu: the copies disagree",
					d->src->name, mi->index, (unsigned long long)mi->seqno,
					(unsigned long long)t->vg->seqno);
				problems++;
			}
			if (t->n_areas < sizeof(t->areas) / sizeof(t->areas[0])) {
				struct mlvm_commit_area *a = &t->areas[t->n_areas++];

				a->src = d->src;
				a->pv_base = d->base;
				a->abs = mi->abs;
				a->size = mi->hdr.size;
				a->old = mi->hdr.rl[0];
			}
		}
	}
	if (problems && !force) {
		cli_err(c, "vg %s is damaged or inconsistent: not changed (mlvm %s --force writes anyway)",
			t->vg->name, cmd);
		return EXIT_FAILED;
	}
	if (t->n_areas == 0) {
		cli_err(c, "vg %s has no metadata area mlvm can write to", t->vg->name);
		return EXIT_FAILED;
	}
	t->root = mlvm_wnode_from_cfg(t->vg->tree->root);
	if (!t->root || !(t->vgsec = mlvm_wnode_vg(t->root))) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}

/*
 * The new generation, committed by the library (write/edit.h): what went
 * wrong is printed here. Returns an exit status.
 */
static int commit_tree(struct cli *c, struct mlvm_wnode *root, struct mlvm_commit_area *areas,
		       size_t n_areas, const char *cmdline, uint64_t *seqno_out, const char *expect_vg)
{
	struct mlvm_commit_result res;
	struct mlvm_report r;
	struct host h;
	size_t i;
	int rc;

	host_get(&h);
	mlvm_report_init(&r);
	rc = mlvm_commit_tree(root, areas, n_areas, cmdline, h.node, h.uname, expect_vg, &r, &res);
	switch (rc ? res.failed : 0) {
	case 0:
		if (rc)
			cli_err(c, "out of memory");
		break;
	case MLVM_COMMIT_SEQNO:
		cli_err(c, "the VG has no usable seqno");
		break;
	case MLVM_COMMIT_LAYOUT:
		cli_err(c, "cannot lay out the metadata text: %s", strerror(-rc));
		break;
	case MLVM_COMMIT_CHECK:
		for (i = 0; i < r.n; i++)
			cli_err(c, "internal check: %s [%s]", r.items[i].message, r.items[i].code);
		cli_err(c, "the new metadata does not read back as intended: nothing written");
		break;
	case MLVM_COMMIT_WRITE:
		for (i = 0; i < r.n; i++)
			if (r.items[i].severity == MLVM_SEV_ERROR)
				cli_err(c, "%s", r.items[i].message);
		break;
	}
	mlvm_report_free(&r);
	if (rc)
		return EXIT_FAILED;
	*seqno_out = res.seqno;
	return EXIT_DONE;
}

/* ------------------------------------------------------------ format */

/* a name or tag the library refused (names: its one error): usage error */
static int bad_name(struct cli *c, const char *cmd, struct mlvm_report *names)
{
	int st = cli_usage(c, cmd, "%s", names->n ? names->items[0].message : "invalid name");

	mlvm_report_free(names);
	return st;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int do_format(struct cli *c, int argc, char **argv, struct wopts *wo)
{
	struct wopts w;
	uint64_t extent = (uint64_t)MLVM_DEFAULT_EXTENT_SECTORS * MLVM_SECTOR_SIZE, mda = MLVM_DEFAULT_MDA_SIZE;
	uint64_t align = MLVM_DEFAULT_ALIGNMENT, seqno = 0;
	const char *vgname = c->vg ? c->vg : "volumegroup";
	struct mlvm_report names = { 0 };	/* empty unless a name is refused */
	struct mlvm_source *srcs[64] = { 0 };
	struct mlvm_pv_layout lay[64];
	struct mlvm_commit_area areas[128];
	struct mlvm_wnode *root = NULL, *vgsec, *pvs, *n;
	struct mlvm_set *set = NULL;
	char vgid[39], *cmdline = NULL, **images;
	size_t n_areas = 0, i, j;
	int n_img, st = EXIT_DONE, rc, k;

	if (parse_opts(c, "format", format_help, argc, argv, wo, &st) < 0)
		return st;
	w = *wo;
	n_img = w.n_operands;
	images = w.operands;
	if (n_img < 1)
		return cli_usage(c, "format", "no image given");
	if (n_img > 64)
		return cli_usage(c, "format", "at most 64 images");
	if (mlvm_vg_name_check(vgname, &names))
		return bad_name(c, "format", &names);
	if (w.extent_size && parse_size_arg(c, "format", "--extent-size", w.extent_size, &extent))
		return EXIT_USAGE;
	if (extent < 1024 || extent % MLVM_SECTOR_SIZE ||
	    ((extent & (extent - 1)) && extent % (128 * 1024)) ||
	    extent / MLVM_SECTOR_SIZE > UINT32_MAX)
		return cli_usage(c, "format", "the extent size must be at least 1 KiB and a power of two "
				 "or a multiple of 128 KiB");
	if (w.metadata_size && parse_size_arg(c, "format", "--metadata-size", w.metadata_size, &mda))
		return EXIT_USAGE;
	if (mda < 8192)
		return cli_usage(c, "format", "the metadata size must be at least 8 KiB");
	if (w.data_alignment && parse_size_arg(c, "format", "--data-alignment", w.data_alignment, &align))
		return EXIT_USAGE;
	if (align < 4096 || align % 4096)
		return cli_usage(c, "format", "the data alignment must be a multiple of 4 KiB");
	for (k = 0; k < n_img; k++)
		for (j = 0; j < (size_t)k; j++)
			if (same_file(images[k], images[j]))
				return cli_usage(c, "format", "%s is given twice", images[k]);

	if (evidence_guard(c, "format", images, n_img, w.force))
		return EXIT_FAILED;
	/* what is there already */
	set = cli_open_set(c, images, n_img, NULL, &st);
	if (!set)
		return st;
	{
		size_t found = 0;

		for (i = 0; i < set->n_srcs; i++) {
			for (j = 0; j < set->n_devs; j++) {
				const struct mlvm_pvdev *d = &set->devs[j];
				char uuid[39];

				if (d->src != set->srcs[i])
					continue;
				mlvm_uuid_format(d->uuid, strlen(d->uuid), uuid);
				cli_err(c, "%s: %s an LVM2 physical volume at byte %llu (PV %s%s%s)",
					set->srcs[i]->name, w.force ? "overwriting" : "already holds",
					(unsigned long long)d->base, uuid,
					d->vg_index >= 0 ? ", in VG " : "",
					d->vg_index >= 0 ? set->vgs[d->vg_index]->name : "");
				found++;
			}
			if (set->tables && set->tables[i].n) {
				cli_err(c, "%s: %s a %s partition table (%zu %s)", set->srcs[i]->name,
					w.force ? "overwriting" : "already holds",
					set->tables[i].scheme == MLVM_PART_GPT ? "GPT" : "MBR", set->tables[i].n,
					mlvm_plural(set->tables[i].n, "partition", "partitions"));
				found++;
			}
		}
		mlvm_set_free(set);
		set = NULL;
		if (found && !w.force) {
			cli_err(c, "not formatted: mlvm format --force overwrites what is there");
			return EXIT_FAILED;
		}
	}

	/* layout of every PV */
	for (k = 0; k < n_img; k++) {
		if (open_for_writing(c, images[k], &srcs[k])) {
			st = EXIT_FAILED;
			goto out;
		}
		rc = mlvm_pv_layout_compute(srcs[k]->size, mda, align, w.copies, extent, &lay[k]);
		if (rc) {
			cli_err(c, "%s: %llu bytes is too small for a PV with %llu-byte metadata areas "
				"and one extent of %llu bytes", images[k],
				(unsigned long long)srcs[k]->size, (unsigned long long)mda,
				(unsigned long long)extent);
			st = EXIT_FAILED;
			goto out;
		}
		mlvm_id_generate(lay[k].uuid);
		lay[k].in_vg = true;
	}

	/* the VG text */
	{
		struct host h;
		struct mlvm_wnode *sa;
		char uuid[39], pvname[32];

		host_get(&h);
		new_id(vgid);
		root = mlvm_wnode_section(NULL);
		vgsec = mlvm_wnode_section(vgname);
		pvs = mlvm_wnode_section("physical_volumes");
		if (!root || !vgsec || !pvs)
			goto oom;
		mlvm_wnode_append(root, vgsec);
		if (mlvm_wnode_set_str(vgsec, "id", vgid) || mlvm_wnode_set_int(vgsec, "seqno", 0) ||
		    mlvm_wnode_set_str(vgsec, "format", "lvm2"))
			goto oom;
		if (!(sa = mlvm_wnode_array("status")))
			goto oom;
		mlvm_wnode_append(vgsec, sa);
		if (!(n = mlvm_wnode_str(NULL, "RESIZEABLE")))
			goto oom;
		mlvm_wnode_append(sa, n);
		if (!(n = mlvm_wnode_str(NULL, "READ")))
			goto oom;
		mlvm_wnode_append(sa, n);
		if (!(n = mlvm_wnode_str(NULL, "WRITE")))
			goto oom;
		mlvm_wnode_append(sa, n);
		if (!(n = mlvm_wnode_array("flags")))
			goto oom;
		mlvm_wnode_append(vgsec, n);
		if (mlvm_wnode_set_int(vgsec, "extent_size", (int64_t)(extent / MLVM_SECTOR_SIZE)) ||
		    mlvm_wnode_set_int(vgsec, "max_lv", 0) || mlvm_wnode_set_int(vgsec, "max_pv", 0) ||
		    mlvm_wnode_set_int(vgsec, "metadata_copies", 0))
			goto oom;
		mlvm_wnode_append(vgsec, pvs);
		for (k = 0; k < n_img; k++) {
			struct mlvm_wnode *pv;

			snprintf(pvname, sizeof(pvname), "pv%d", k);
			mlvm_uuid_format(lay[k].uuid, 32, uuid);
			if (!(pv = mlvm_wnode_section(pvname)))
				goto oom;
			mlvm_wnode_append(pvs, pv);
			if (mlvm_wnode_set_str(pv, "id", uuid) ||
			    mlvm_wnode_set_str(pv, "device", images[k]))
				goto oom;
			if (!(sa = mlvm_wnode_array("status")) || !(n = mlvm_wnode_str(NULL, "ALLOCATABLE")))
				goto oom;
			mlvm_wnode_append(sa, n);
			mlvm_wnode_append(pv, sa);
			if (!(n = mlvm_wnode_array("flags")))
				goto oom;
			mlvm_wnode_append(pv, n);
			if (mlvm_wnode_set_int(pv, "dev_size", (int64_t)(lay[k].dev_size / MLVM_SECTOR_SIZE)) ||
			    mlvm_wnode_set_int(pv, "pe_start", (int64_t)(lay[k].pe_start / MLVM_SECTOR_SIZE)) ||
			    mlvm_wnode_set_int(pv, "pe_count", (int64_t)lay[k].pe_count))
				goto oom;
		}
		if (mlvm_wnode_set_str(root, "contents", "Text Format Volume Group") ||
		    mlvm_wnode_set_int(root, "version", 1))
			goto oom;
	}

	/* 1: empty metadata area headers; 2: the text, committed; 3: the labels */
	for (k = 0; k < n_img; k++)
		for (i = 0; i < lay[k].n_mda; i++) {
			uint8_t hdr[MLVM_MDA_HEADER_SIZE];

			mlvm_mda_header_build(hdr, lay[k].mda[i].offset, lay[k].mda[i].size, NULL, NULL);
			rc = mlvm_source_write(srcs[k], hdr, sizeof(hdr), lay[k].mda[i].offset);
			if (rc) {
				cli_err(c, "cannot write to %s: %s", srcs[k]->name, strerror(-rc));
				st = EXIT_FAILED;
				goto out;
			}
			memset(&areas[n_areas], 0, sizeof(areas[0]));
			areas[n_areas].src = srcs[k];
			areas[n_areas].abs = lay[k].mda[i].offset;
			areas[n_areas++].size = lay[k].mda[i].size;
		}
	for (k = 0; k < n_img; k++)
		if ((rc = mlvm_source_sync(srcs[k]))) {
			cli_err(c, "cannot sync %s: %s", srcs[k]->name, strerror(-rc));
			st = EXIT_FAILED;
			goto out;
		}
	cmdline = command_line(argc, argv);
	st = commit_tree(c, root, areas, n_areas, cmdline ? cmdline : "mlvm format", &seqno, vgname);
	if (st)
		goto out;
	for (k = 0; k < n_img; k++) {
		uint8_t head[MLVM_LABEL_SCAN_SECTORS * MLVM_SECTOR_SIZE] = { 0 };

		mlvm_label_build(head + MLVM_SECTOR_SIZE, &lay[k]);	/* sector 1 */
		rc = mlvm_source_write(srcs[k], head, sizeof(head), 0);
		if (!rc)
			rc = mlvm_source_sync(srcs[k]);
		if (rc) {
			cli_err(c, "cannot write the label to %s: %s", srcs[k]->name, strerror(-rc));
			st = EXIT_FAILED;
			goto out;
		}
	}
	{
		struct mlvm_buf msg = { 0 };
		char size[32];

		mlvm_human_size(extent, size, sizeof(size));
		for (k = 0; k < n_img; k++)
			mlvm_buf_printf(&msg, "Physical volume \"%s\" formatted: pe_start %llu, %llu %s.\n",
					images[k], (unsigned long long)lay[k].pe_start,
					(unsigned long long)lay[k].pe_count,
					mlvm_plural(lay[k].pe_count, "extent", "extents"));
		mlvm_buf_printf(&msg, "Volume group \"%s\" created (extent size %s).", vgname, size);
		print_result(c, NULL, "format", vgname, seqno, NULL, msg.data ? msg.data : "");
		mlvm_buf_free(&msg);
	}
	goto out;
oom:
	cli_err(c, "out of memory");
	st = EXIT_FAILED;
out:
	free(cmdline);
	mlvm_wnode_free(root);
	for (k = 0; k < n_img; k++)
		if (srcs[k])
			mlvm_source_close(srcs[k]);
	return st;
}

int cmd_format(struct cli *c, int argc, char **argv)
{
	struct wopts w = { 0 };
	int st = do_format(c, argc, argv, &w);

	free(w.operands);
	return st;
}

/* ------------------------------------------------------------ LV operations */

enum lv_op { OP_CREATE, OP_REMOVE, OP_RESIZE, OP_RENAME, OP_ADDTAG, OP_DELTAG };

static const struct {
	const char *name;
	const char *help;
	int words;
} ops[] = {
	[OP_CREATE] = { "create", create_help, 1 },
	[OP_REMOVE] = { "remove", remove_help, 1 },
	[OP_RESIZE] = { "resize", resize_help, 2 },
	[OP_RENAME] = { "rename", rename_help, 2 },
	[OP_ADDTAG] = { "add-tag", addtag_help, 2 },
	[OP_DELTAG] = { "remove-tag", removetag_help, 2 },
};

static int lv_command(struct cli *c, enum lv_op op, int argc, char **argv, struct wopts *wo)
{
	const char *cmd = ops[op].name, *lvname, *word = NULL;
	struct mlvm_report names = { 0 };	/* empty unless a name is refused */
	struct wopts w;
	struct target t;
	struct mlvm_wnode *lv = NULL;
	struct mlvm_edit_result res = { 0 };
	struct mlvm_buf msg = { 0 };
	uint64_t size_bytes = 0, seqno = 0;
	char *cmdline = NULL, size[32], reason[256];
	int n_img, st = EXIT_DONE, rc = 0;

	if (parse_opts(c, cmd, ops[op].help, argc, argv, wo, &st) < 0)
		return st;
	w = *wo;
	n_img = w.n_operands - ops[op].words;
	if (n_img < 1)
		return cli_usage(c, cmd, "expected IMAGE... followed by %s",
				 op == OP_CREATE ? "NAME" : op == OP_REMOVE ? "LV" :
				 op == OP_RESIZE ? "LV SIZE" : op == OP_RENAME ? "LV NEW" : "LV TAG");
	lvname = w.operands[w.n_operands - ops[op].words];
	if (ops[op].words == 2)
		word = w.operands[w.n_operands - 1];
	/* check the words before touching anything */
	if ((op == OP_CREATE && mlvm_lv_name_check(lvname, &names)) ||
	    (op == OP_RENAME && mlvm_lv_name_check(word, &names)) ||
	    ((op == OP_ADDTAG || op == OP_DELTAG) && mlvm_tag_check(word, &names)))
		return bad_name(c, cmd, &names);
	if (op == OP_CREATE && w.size && parse_size_arg(c, cmd, "--size", w.size, &size_bytes))
		return EXIT_USAGE;
	if (op == OP_RESIZE &&
	    parse_size_arg(c, cmd, "SIZE", (word[0] == '+' || word[0] == '-') ? word + 1 : word, &size_bytes))
		return EXIT_USAGE;

	st = target_open(c, cmd, w.operands, n_img, w.force, &t);
	if (st)
		goto out;
	if (op != OP_CREATE) {
		lv = mlvm_edit_find_lv(t.vgsec, lvname);
		if (!lv) {
			cli_err(c, "no LV named %s in vg %s", lvname, t.vg->name);
			st = EXIT_FAILED;
			goto out;
		}
	}
	if ((op == OP_REMOVE || op == OP_RENAME || op == OP_RESIZE) &&
	    !mlvm_edit_lv_plain(t.vgsec, lv, reason, sizeof(reason))) {
		cli_err(c, "mlvm does not %s LV %s: %s", cmd, lvname, reason);
		st = EXIT_FAILED;
		goto out;
	}
	switch (op) {
	case OP_CREATE: {
		uint64_t need = mlvm_extents_for(t.vg, size_bytes);
		char id[39];
		struct host h;

		if (mlvm_edit_find_lv(t.vgsec, lvname)) {
			rc = -EEXIST;
			break;
		}
		if (need == 0) {
			need = 1;
			fprintf(stderr, "%s: note: LVM2 refuses an LV without extents: %s gets one extent\n",
				c->prog, lvname);
		}
		host_get(&h);
		new_id(id);
		rc = mlvm_edit_create(t.vg, t.vgsec, lvname, need, id, (int64_t)time(NULL), h.node, &res);
		if (rc == -ENOSPC)
			cli_err(c, "vg %s has %llu free %s, %llu needed", t.vg->name,
				(unsigned long long)res.free_extents,
				mlvm_plural(res.free_extents, "extent", "extents"), (unsigned long long)need);
		if (rc)
			break;
		mlvm_human_size(need * t.vg->extent_size * MLVM_SECTOR_SIZE, size, sizeof(size));
		mlvm_buf_printf(&msg, "Logical volume \"%s\" created: %llu %s (%s) in %zu %s.",
				lvname, (unsigned long long)need, mlvm_plural(need, "extent", "extents"), size,
				res.n_segments, mlvm_plural(res.n_segments, "segment", "segments"));
		break;
	}
	case OP_REMOVE:
		mlvm_edit_remove(t.vgsec, lv);
		lv = NULL;
		mlvm_buf_printf(&msg, "Logical volume \"%s\" removed.", lvname);
		break;
	case OP_RENAME:
		rc = mlvm_edit_rename(t.vgsec, lv, word);
		if (!rc)
			mlvm_buf_printf(&msg, "Renamed \"%s\" to \"%s\".", lvname, word);
		break;
	case OP_RESIZE: {
		uint64_t cur, want, step = mlvm_extents_for(t.vg, size_bytes);

		rc = mlvm_edit_lv_extents(lv, &cur);
		if (rc == -E2BIG) {
			cli_err(c, "LV %s has too many segments", lvname);
			st = EXIT_FAILED;
			goto out;
		}
		want = word[0] == '+' ? cur + step : word[0] == '-' ? (step >= cur ? 0 : cur - step) : step;
		if (want == 0) {
			cli_err(c, "LVM2 refuses an LV without extents: use mlvm remove to remove %s", lvname);
			st = EXIT_FAILED;
			goto out;
		}
		rc = mlvm_edit_resize(t.vg, lv, want, &res);
		if (rc == -ENOSPC)
			cli_err(c, "vg %s has %llu free %s, %llu more needed", t.vg->name,
				(unsigned long long)res.free_extents,
				mlvm_plural(res.free_extents, "extent", "extents"), (unsigned long long)(want - cur));
		else if (rc == -EINVAL)
			cli_err(c, "cannot cut LV %s inside a %lld-stripe segment to %llu extents: use a "
				"multiple of %lld", lvname, (long long)res.stripes,
				(unsigned long long)res.keep, (long long)res.stripes);
		if (rc)
			break;
		if (res.unchanged)
			mlvm_buf_printf(&msg, "Logical volume \"%s\" already has %llu %s: unchanged.",
					lvname, (unsigned long long)cur, mlvm_plural(cur, "extent", "extents"));
		else {
			mlvm_human_size(want * t.vg->extent_size * MLVM_SECTOR_SIZE, size, sizeof(size));
			mlvm_buf_printf(&msg, "Logical volume \"%s\" resized from %llu to %llu %s (%s).",
					lvname, (unsigned long long)cur, (unsigned long long)want,
					mlvm_plural(want, "extent", "extents"), size);
		}
		break;
	}
	case OP_ADDTAG:
	case OP_DELTAG:
		rc = mlvm_edit_tag(lv, word, op == OP_ADDTAG, &res);
		if (rc == -ENOTDIR)
			cli_err(c, "LV %s has a tags key that is not a list", lvname);
		if (rc)
			break;
		if (res.unchanged)
			mlvm_buf_printf(&msg, "Logical volume \"%s\" %s tag \"%s\": unchanged.", lvname,
					op == OP_ADDTAG ? "already has" : "has no", word);
		else if (op == OP_ADDTAG)
			mlvm_buf_printf(&msg, "Logical volume \"%s\" tagged \"%s\".", lvname, word);
		else
			mlvm_buf_printf(&msg, "Tag \"%s\" removed from logical volume \"%s\".", word, lvname);
		break;
	}
	if (rc == -EEXIST)
		cli_err(c, "vg %s already has an LV named %s", t.vg->name, op == OP_RENAME ? word : lvname);
	if (rc == -ENOMEM)
		cli_err(c, "out of memory");
	if (rc) {
		st = EXIT_FAILED;
		goto out;
	}
	if (res.unchanged) {
		print_result(c, NULL, cmd, t.vg->name, t.vg->seqno, lvname, msg.data);
		goto out;
	}
	cmdline = command_line(argc, argv);
	st = commit_tree(c, t.root, t.areas, t.n_areas, cmdline ? cmdline : "mlvm", &seqno, t.vg->name);
	if (!st)
		print_result(c, &t.set->report, cmd, t.vg->name, seqno, lvname, msg.data ? msg.data : "");
out:
	free(cmdline);
	mlvm_buf_free(&msg);
	target_free(&t);
	return st;
}

/* an LV command, with its parsed options freed however it ends */
static int run_lv_command(struct cli *c, enum lv_op op, int argc, char **argv)
{
	struct wopts w = { 0 };
	int st = lv_command(c, op, argc, argv, &w);

	free(w.operands);
	return st;
}

int cmd_create(struct cli *c, int argc, char **argv)
{
	return run_lv_command(c, OP_CREATE, argc, argv);
}

int cmd_remove(struct cli *c, int argc, char **argv)
{
	return run_lv_command(c, OP_REMOVE, argc, argv);
}

int cmd_resize(struct cli *c, int argc, char **argv)
{
	return run_lv_command(c, OP_RESIZE, argc, argv);
}

int cmd_rename(struct cli *c, int argc, char **argv)
{
	return run_lv_command(c, OP_RENAME, argc, argv);
}

int cmd_add_tag(struct cli *c, int argc, char **argv)
{
	return run_lv_command(c, OP_ADDTAG, argc, argv);
}

int cmd_remove_tag(struct cli *c, int argc, char **argv)
{
	return run_lv_command(c, OP_DELTAG, argc, argv);
}
