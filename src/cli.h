/*
 * cli.h - shared pieces of the mlvm command line.
 */
#ifndef MLVM_CLI_H
#define MLVM_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "assemble.h"
#include "json.h"

/* exit statuses (doc/interface.md) */
enum {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,	/* could not do what was asked */
	EXIT_USAGE = 2,
};

struct cli {
	const char *prog;	/* "mlvm" */
	bool json;
	bool strict;
	const char *vg;		/* --vg NAME */
	struct mlvm_pv_choice *pv_choices;	/* --pv PV=IMAGE, repeatable */
	size_t n_pv_choices;
};

/* "mlvm: " + message to stderr */
void cli_err(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* usage error: message, a hint to --help, and EXIT_USAGE */
int cli_usage(const struct cli *c, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Open the images and assemble: NULL after printing why when an image cannot
 * be opened (and *status is set).
 */
struct mlvm_set *cli_open_set(const struct cli *c, char **images, int n,
			      const struct mlvm_open_opts *opts, int *status);

/* a seqno as given to --generation/--from/--to: 0 or a usage error status */
int cli_parse_seqno(const struct cli *c, const char *cmd, const char *opt,
		    const char *arg, uint64_t *out);

/* Flush stdout: true when everything written (and write_failed is false)
 * reached it, else says "cannot write output" and returns false. */
bool cli_output_ok(const struct cli *c, bool write_failed);

/* the anomalies: to stderr as text, or as a "warnings" array in JSON */
void cli_print_report(const struct cli *c, const struct mlvm_report *r);
void cli_json_report(struct json *j, const struct mlvm_report *r);

/* the VGs of a set the user asked for (--vg), or all */
bool cli_vg_selected(const struct cli *c, const struct mlvm_vg *vg);
size_t cli_vgs_selected(const struct cli *c, const struct mlvm_set *set);

/*
 * When no VG is selected, why, in words for the user (in buf, returned):
 * the generation oo asks for is not intact in the images, no VG has the
 * --vg name, or there is none at all; *code (if code) is "no_generation"
 * or "no_vg". cli_no_vg_error records it in r as an error.
 */
const char *cli_no_vg_reason(const struct cli *c, const struct mlvm_open_opts *oo, char *buf,
			     size_t len, const char **code);
void cli_no_vg_error(const struct cli *c, const struct mlvm_open_opts *oo, struct mlvm_report *r);

/*
 * Words for why lv's bytes cannot be handed out: they lie on a PV that
 * several images fit equally (ambiguous), named with its candidates and
 * the --pv that settles it. NULL (buf untouched) when nothing stands in
 * the way.
 */
const char *cli_lv_ambiguity(const struct mlvm_vg *vg, const struct mlvm_lv *lv, char *buf,
			     size_t len);

int cmd_read(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
int cmd_history(struct cli *c, int argc, char **argv);
int cmd_diff(struct cli *c, int argc, char **argv);
int cmd_dump(struct cli *c, int argc, char **argv);
int cmd_map(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
/* a read-only FUSE filesystem of the LVs (cmd_mount.c) */
int cmd_mount(struct cli *c, int argc, char **argv);
/* the ncurses browser (tui/cmd_browse.c) */
int cmd_browse(struct cli *c, int argc, char **argv);
/* the write operations (cmd_write.c): the only commands that open images for writing */
int cmd_format(struct cli *c, int argc, char **argv);
int cmd_create(struct cli *c, int argc, char **argv);
int cmd_remove(struct cli *c, int argc, char **argv);
int cmd_resize(struct cli *c, int argc, char **argv);
int cmd_rename(struct cli *c, int argc, char **argv);
int cmd_add_tag(struct cli *c, int argc, char **argv);
int cmd_remove_tag(struct cli *c, int argc, char **argv);

/*
 * Find the LV "[VG/]LV" among the selected VGs: EXIT_DONE, or EXIT_FAILED
 * after a message naming the LV and the VG(s) searched, with near names.
 */
int cli_lookup_lv(const struct cli *c, const struct mlvm_set *set, const char *spec,
		  const struct mlvm_vg **vg, const struct mlvm_lv **lv);

#endif
