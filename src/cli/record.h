/*
 * record.h - the case record: --record FILE appends to FILE one JSON Lines
 * record per command run (doc/interface.md, "The case record").
 *
 * main snapshots the command line and the start time first of all
 * (cli_record_snapshot), then, once the global options are read, opens
 * FILE (cli_record_open: O_APPEND|O_CREAT, refused when FILE is one of the
 * files the command line names, compared by device and inode, so that
 * neither an input image nor any other file given is written to). The
 * commands name their input images where they open them (cli_open_set and
 * the write path call cli_record_images) and export its output
 * (cli_record_output). At the end main calls cli_record_finish once: each
 * image is hashed (the file's own SHA-256, what sha256sum prints, and for
 * a container the SHA-256 of its media bytes and the acquisition hashes
 * it stores, verified), the record is built with the report entries the
 * run printed (cli_reports_kept) and written with one write(2), so that
 * runs appending to one FILE at once never interleave.
 *
 * Layer: cli (src/cli). May include: base, io, disk, text, model, map, export, write, fs, tui.
 */
#ifndef MLVM_RECORD_H
#define MLVM_RECORD_H

#include <stdbool.h>
#include <stdint.h>

struct cli;
struct cli_record;

/* the command line (copied: argv is rearranged later) and the time now;
 * NULL when out of memory */
struct cli_record *cli_record_snapshot(int argc, char *const *argv);
void cli_record_free(struct cli_record *r);

/*
 * Open path to append the record to (hash: hash the images). words are
 * the words left after the global options (the command and its arguments):
 * path must not be the same file as any of them (nor as the part after
 * '=' of a word that has one). EXIT_DONE with c->record set (r is c's
 * from now on), or EXIT_FAILED after saying why (r is freed).
 */
int cli_record_open(struct cli *c, struct cli_record *r, const char *path, bool hash,
		    int n_words, char *const *words);

/* the images a command opens (as given); repeats are listed once */
void cli_record_images(const struct cli *c, char *const *images, int n);

/* export's output: its path as given, bytes written and SHA-256 (NULL: not hashed) */
void cli_record_output(const struct cli *c, const char *path, uint64_t size,
		       const char *sha256);

/*
 * Hash the images and append the record of a run that ends with status.
 * Returns status, or EXIT_FAILED when the record could not be written
 * (said). Frees the record; c->record is NULL after.
 */
int cli_record_finish(struct cli *c, int status);

#endif
