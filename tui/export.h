/*
 * export.h - copy one LV's bytes to a new file, a step at a time, so the
 * browser can draw a progress bar and let the user cancel between steps.
 * No curses here.
 *
 * The file is created with O_CREAT|O_EXCL: an existing file (an input image
 * among them) is never overwritten or truncated. The LV is read through
 * mlvm_lv_read (src/map/lvmap.h) in 4 MiB chunks and hashed with SHA-256 as it
 * is written. What the reader could not read is zero-filled and listed as
 * missing ranges.
 *
 * Layer: tui (tui). May include: base, io, disk, text, model, map, export, write.
 */
#ifndef MLVM_TUI_EXPORT_H
#define MLVM_TUI_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/report.h"
#include "model/vg.h"

#define TM_EXPORT_CHUNK (4u << 20)

struct tm_export;

/*
 * Open the LV for reading and create path. 0, or a negative errno with a
 * message in err ("cannot create x.img: file exists").
 */
int tm_export_start(const struct mlvm_vg *vg, const struct mlvm_lv *lv, const char *path,
		    struct tm_export **out, char *err, size_t errlen);

/* Copy the next chunk: 1 more to do, 0 finished (file closed), negative errno
 * (message in err; the partial file is removed). */
int tm_export_step(struct tm_export *x, char *err, size_t errlen);

/* bytes written so far, the LV's size, seconds since the start */
void tm_export_progress(const struct tm_export *x, uint64_t *done, uint64_t *total, double *secs);

/* after the last step: the SHA-256 as 64 hex digits, the number of missing
 * ranges and their total length */
void tm_export_result(const struct tm_export *x, char hex[65], size_t *n_missing,
		      uint64_t *missing_bytes);

/* release; when the export did not finish, remove the partial file */
void tm_export_free(struct tm_export *x);

#endif
