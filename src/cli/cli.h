/*
 * cli.h - shared pieces of the mlvm command line.
 *
 * Layer: cli (src/cli). May include: base, io, disk, text, model, map, export, write, fs, tui.
 */
#ifndef MLVM_CLI_H
#define MLVM_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "model/assemble.h"
#include "cli/json.h"

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
	bool deep;		/* --deep: metadata text carved at any byte of the images too */
	bool no_nested;		/* --no-nested: no looking inside LVs for guest disks */
	const char *vg;		/* --vg NAME, UUID or NAME@UUID */
	struct mlvm_pv_choice *pv_choices;	/* --pv PV=IMAGE, repeatable */
	size_t n_pv_choices;
	const char **metadata;	/* --metadata FILE, repeatable: files of metadata text */
	size_t n_metadata;
	struct cli_record *record;	/* --record FILE (cli/record.h), or NULL */
	struct mlvm_copy_choice copy_at;	/* --copy-at IMAGE@BYTE */
	bool have_copy_at;
};

/* --copy-at was passed to a set that reads a generation (cli_open_set) */
bool cli_copy_at_taken(void);

/*
 * With --json, a command that fails (status not EXIT_DONE) without having
 * printed its JSON document leaves on stdout
 *   {"error": {"code", "message", "image", "offset", "status"}, "warnings": [...]}
 * (doc/interface.md): the first error it said (cli_err: code "failed",
 * cli_usage: "usage") or that a report it printed holds (that entry's
 * code), and the entries of the reports printed. main calls it once, at
 * the end; without --json it only forgets.
 */
void cli_json_error(const struct cli *c, int status);
/*
 * The same "error" member, for a command that prints its own document and
 * fails (read, history, map: their "vgs"/"generations" then empty): the
 * error said with cli_err/cli_fail, else r's last error entry.
 */
void cli_json_failed(struct json *j, const struct mlvm_report *r, int status);

/*
 * Where a VG's text was read, the members every source object shares:
 * "origin" ("ring" | "image" | "file"), "pv_id" and "mda" (null outside
 * the rings), and for a copy outside the rings whose LV or file is known
 * "lv", "lv_offset", "file". Members of the object j is in.
 */
struct mlvm_vg;
void cli_json_source_origin(struct json *j, const struct mlvm_vg *vg);
/* the same in words for text output: "pv ..., mda1, byte N" or
 * "--metadata FILE" / "IMAGE at byte N (in LV ...)" */
const char *cli_source_words(const struct mlvm_vg *vg, char *buf, size_t len);

/* "mlvm: " + message to stderr */
void cli_err(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the same, giving the --json error object its code (as the warnings'
 * codes: "open", "no_lv", ...) and image (may be NULL) */
void cli_fail(const struct cli *c, const char *code, const char *image, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* usage error: message, a hint to --help, and EXIT_USAGE */
int cli_usage(const struct cli *c, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Option parsing, the same in every command (GNU style): options and
 * operands in any order whatever POSIXLY_CORRECT says, "--" ends the
 * options. cli_getopt_init, then cli_getopt in a loop as getopt_long
 * (shortopts without a leading "+", "-" or ":"); at -1, argv[optind] to
 * argv[argc - 1] are the operands in the order given. On '?' or ':' (an
 * unknown option, a missing value) return cli_bad_option(g, opt): it
 * names the option and the command, suggests a near option, tells how to
 * name a file that starts with '-', and returns EXIT_USAGE.
 */
struct cli_getopt {
	const struct cli *c;
	const char *cmd;
	int argc;
	char **argv;
	char shortopts[40];
	const struct option *longopts;
	int n_operands;		/* gathered so far in argv[1..] */
	int word;		/* argv index of the word being looked at */
	bool mid_word;		/* inside a group of short options (-fs) */
	bool negative_operands;	/* "-4M" (a dash and a digit) is an operand: resize */
};
void cli_getopt_init(struct cli_getopt *g, const struct cli *c, const char *cmd, int argc,
		     char **argv, const char *shortopts, const struct option *longopts);
int cli_getopt(struct cli_getopt *g);
int cli_bad_option(const struct cli_getopt *g, int opt);

/*
 * " (did you mean 'x'?)" or " (did you mean 'x' or 'y'?)" naming the
 * names nearest to word (prefix of each: pre, e.g. "--"), or "" when none
 * is near; in buf, returned.
 */
const char *cli_did_you_mean(const char *word, const char *const *names, size_t n,
			     const char *pre, char *buf, size_t len);

/*
 * Open the images and assemble: NULL after printing why when an image cannot
 * be opened (and *status is set).
 */
/* assemble set as the command line asks: with nested discovery
 * (map/nested.h) unless --no-nested */
int cli_assemble(const struct cli *c, struct mlvm_set *set);

struct mlvm_set *cli_open_set(const struct cli *c, char **images, int n,
			      const struct mlvm_open_opts *opts, int *status);

/*
 * With --vg, drop from r the entries tied to a VG that does not answer to
 * it (warnings about the other VGs of the images); entries tied to no VG
 * (image-level damage) stay. cli_open_set does it for the set's report.
 */
void cli_report_selected(const struct cli *c, struct mlvm_report *r);

/* a seqno as given to --generation/--from/--to: 0 or a usage error status */
int cli_parse_seqno(const struct cli *c, const char *cmd, const char *opt,
		    const char *arg, uint64_t *out);

/* Flush stdout: true when everything written (and write_failed is false)
 * reached it, else says "cannot write output" and returns false. */
bool cli_output_ok(const struct cli *c, bool write_failed);

/*
 * Text output that fits: the terminal's width when stdout is a terminal of
 * at least CLI_MIN_WIDTH columns, else CLI_DEFAULT_WIDTH. cli_ellipsize:
 * s itself when it has at most max bytes, else its first max - 3 bytes
 * (cut at a UTF-8 character boundary) and "..." in buf (returned).
 */
#define CLI_DEFAULT_WIDTH 100
#define CLI_MIN_WIDTH 60
size_t cli_text_width(void);
const char *cli_ellipsize(const char *s, size_t max, char *buf, size_t len);

/* t (seconds since the epoch) in UTC: "2026-01-02 03:04:05", or with iso
 * "2026-01-02T03:04:05Z"; "" when it is not a time gmtime can show (in buf) */
const char *cli_utc_time(uint64_t t, bool iso, char *buf, size_t len);

/*
 * A progress bar on stderr, drawn only when stderr is a terminal:
 * "[LABEL ][######......]  40%   123.4 MiB/s  0:12 left", at most ten
 * times a second (force: now). cli_progress_start sets it up (label may
 * be NULL; not copied); cli_progress_end erases it (keep: ends its line
 * instead, leaving it to be seen).
 */
struct cli_progress {
	bool on;
	bool drawn;
	struct timespec t0, last;
	uint64_t total;
	const char *label;
};
void cli_progress_start(struct cli_progress *p, uint64_t total, const char *label);
void cli_progress_draw(struct cli_progress *p, uint64_t done, bool force);
void cli_progress_end(struct cli_progress *p, bool keep);

/*
 * The entries of every report printed (cli_print_report, cli_json_report)
 * in this run, each once, for the case record: collected from the call of
 * cli_reports_keep on. cli_failure: the first error said with
 * cli_err/cli_fail/cli_usage (false when none).
 */
void cli_reports_keep(void);
const struct mlvm_report *cli_reports_kept(void);
void cli_reports_kept_free(void);
bool cli_failure(const char **code, const char **message);

/* the anomalies: to stderr as text, or as a "warnings" array in JSON */
void cli_print_report(const struct cli *c, const struct mlvm_report *r);
void cli_json_report(struct json *j, const struct mlvm_report *r);

/* where a copy of metadata text lies, for history and scan --deep: its origin, lv, lv_offset, fs_type, fs_path, fs_unallocated keys (null
 * when not known; a ring copy has none) */
void cli_json_copy_place(struct json *j, const struct mlvm_gen_ref *r);

/*
 * Which VG the user means. --vg (and the VG part of "VG/LV") takes a VG
 * spec: NAME, UUID (with or without dashes) or NAME@UUID (src/vgspec.h).
 * cli_vg_matches: does vg answer to spec (any VG does to NULL);
 * cli_vg_selected: does it answer to --vg (or is there no --vg);
 * cli_vgs_matching: how many VGs of the set answer to spec;
 * cli_vgs_selected: how many are selected: 0 also when several VGs answer
 * to --vg, which names one VG (cli_no_vg_reason then names them).
 */
bool cli_vg_matches(const char *spec, const struct mlvm_vg *vg);
bool cli_vg_selected(const struct cli *c, const struct mlvm_vg *vg);
size_t cli_vgs_matching(const char *spec, const struct mlvm_set *set);
size_t cli_vgs_selected(const struct cli *c, const struct mlvm_set *set);

/* a VG as the user can give it back to --vg: its name, or NAME@UUID when
 * another VG of the set has the same name (in buf, returned) */
const char *cli_vg_label(const struct mlvm_set *set, const struct mlvm_vg *vg, char *buf, size_t len);
/* the labels of the VGs that answer to spec (NULL: all), ", " between */
struct mlvm_buf;
void cli_vg_candidates(const struct mlvm_set *set, const char *spec, struct mlvm_buf *out);

/*
 * When no VG is selected, why, in words for the user (in buf, returned):
 * several VGs answer to --vg (named as NAME@UUID), the generation oo asks
 * for is not intact in the images, no VG answers to --vg (the ones there
 * are named), or there is none at all; *code (if code) is "vg_ambiguous",
 * "no_generation" or "no_vg". set may be NULL. cli_no_vg_error records it
 * in r as an error.
 */
const char *cli_no_vg_reason(const struct cli *c, const struct mlvm_set *set,
			     const struct mlvm_open_opts *oo, char *buf, size_t len, const char **code);
void cli_no_vg_error(const struct cli *c, const struct mlvm_set *set,
		     const struct mlvm_open_opts *oo, struct mlvm_report *r);

/*
 * The one VG the user means: the one --vg selects, or the only one. NULL
 * with *status EXIT_FAILED (the reason recorded in set's report) when none
 * or several answer to --vg, or EXIT_USAGE (said) when there is no --vg
 * and the set holds several.
 */
const struct mlvm_vg *cli_pick_vg(const struct cli *c, struct mlvm_set *set,
				  const struct mlvm_open_opts *oo, const char *cmd, int *status);

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
/* the events of every VG's history (cmd_timeline.c) */
int cmd_timeline(struct cli *c, int argc, char **argv);
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
 * The VG part of an LV spec "VG/LV" into buf (a VG spec), or --vg when the
 * spec has none (NULL when neither): the VG --generation is for.
 */
const char *cli_lvspec_vg(const struct cli *c, const char *spec, char *buf, size_t len);

/*
 * Find the LV "[VG/]LV" among the selected VGs (VG: a VG spec, as --vg
 * takes): EXIT_DONE, or EXIT_FAILED after a message naming the LV and the
 * VG(s) searched, with near names; a VG part or --vg that several VGs answer
 * to is refused, naming them as NAME@UUID.
 */
int cli_lookup_lv(const struct cli *c, const struct mlvm_set *set, const char *spec,
		  const struct mlvm_vg **vg, const struct mlvm_lv **lv);

#endif
