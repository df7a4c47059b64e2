/*
 * report.h - the anomaly list the library hands back instead of printing.
 *
 * Each entry has a short stable code ("label_crc", "mda_magic", ...), a
 * human message (lowercase, no full stop), the image it concerns and the
 * absolute byte offset inside that image (-1 when there is none), and the
 * VG it is about when it is about one (mlvm_report_tie_vg).
 *
 * Layer: base (src/base). May include: nothing of mlvm's.
 */
#ifndef MLVM_REPORT_H
#define MLVM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mlvm_severity {
	MLVM_SEV_NOTICE,	/* worth knowing, nothing is wrong */
	MLVM_SEV_WARNING,	/* damage or inconsistency, worked around */
	MLVM_SEV_ERROR,		/* something could not be done */
};

struct mlvm_anomaly {
	enum mlvm_severity severity;
	char *code;
	char *message;
	char *image;		/* may be NULL */
	int64_t offset;		/* absolute byte offset in image, or -1 */
	char *vg_name;		/* the VG the entry is about (name, uuid as */
	char *vg_id;		/* written), NULL when not tied to one VG */
};

/* The list is bounded: past MLVM_REPORT_MAX entries only a count is kept. */
#define MLVM_REPORT_MAX 10000

struct mlvm_report {
	struct mlvm_anomaly *items;
	size_t n;
	size_t cap;
	size_t dropped;		/* entries not kept because the list was full */
};

void mlvm_report_init(struct mlvm_report *r);
void mlvm_report_free(struct mlvm_report *r);

/* Add an entry; never fails visibly (on allocation failure the entry is
 * counted in dropped). */
void mlvm_report_add(struct mlvm_report *r, enum mlvm_severity sev,
		     const char *code, const char *image, int64_t offset,
		     const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#define mlvm_warn(r, code, image, off, ...) \
	mlvm_report_add((r), MLVM_SEV_WARNING, (code), (image), (int64_t)(off), __VA_ARGS__)
#define mlvm_notice(r, code, image, off, ...) \
	mlvm_report_add((r), MLVM_SEV_NOTICE, (code), (image), (int64_t)(off), __VA_ARGS__)
#define mlvm_error(r, code, image, off, ...) \
	mlvm_report_add((r), MLVM_SEV_ERROR, (code), (image), (int64_t)(off), __VA_ARGS__)

/*
 * Tie the entries from index `from` on that are tied to no VG yet to the
 * VG name/id (copied; either may be NULL): what the library reports while
 * it reads one VG's metadata is about that VG; image-level damage (labels,
 * metadata area headers) is not tied. Entries that cannot be tied (no
 * memory) stay untied.
 */
void mlvm_report_tie_vg(struct mlvm_report *r, size_t from, const char *vg_name,
			const char *vg_id);

/*
 * Keep the entries keep(entry, arg) says true of, in order, and free the
 * others; returns how many were removed.
 */
size_t mlvm_report_filter(struct mlvm_report *r,
			  bool (*keep)(const struct mlvm_anomaly *a, void *arg), void *arg);

/*
 * Move src's entries to the end of dst, as if they had been added to dst
 * (past MLVM_REPORT_MAX only counted in dst->dropped, as src's own dropped
 * ones are); src is left empty. How a report made on another thread joins
 * the one it belongs to. dst NULL: src's entries are freed.
 */
void mlvm_report_append(struct mlvm_report *dst, struct mlvm_report *src);

/* Number of entries of at least the given severity. */
size_t mlvm_report_count(const struct mlvm_report *r, enum mlvm_severity min);

/*
 * The message of r's last entry when its code is code (any code when code
 * is NULL); NULL when r is NULL or empty, or its last entry has another
 * code. How a caller takes the words of the call that just failed.
 */
const char *mlvm_report_last_message(const struct mlvm_report *r, const char *code);

#endif
