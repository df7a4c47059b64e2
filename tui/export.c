/*
 * export.c - the browser's export: one LV to a new file, in steps.
 */
#include "tui/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "map/lvmap.h"
#include "base/sha256.h"
#include "base/util.h"

struct tm_export {
	struct mlvm_lv_reader *rd;
	struct mlvm_report report;
	struct mlvm_sha256 *md;
	char hex[65];
	char *path;
	int fd;
	uint8_t *buf;
	uint64_t size, done;
	struct timespec t0;
	bool finished;
	bool created;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int tm_export_start(const struct mlvm_vg *vg, const struct mlvm_lv *lv, const char *path,
		    struct tm_export **out, char *err, size_t errlen)
{
	struct tm_export *x;
	int rc;

	*out = NULL;
	if (!path || !*path) {
		snprintf(err, errlen, "no file name given");
		return -EINVAL;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	x->fd = -1;
	mlvm_report_init(&x->report);
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	rc = mlvm_lv_reader_new(vg, lv, NULL, &x->rd, &x->report);
	if (rc) {
		if ((rc == -EISDIR || rc == -EBUSY) && x->report.n)	/* a thin pool or an ambiguous PV: the error says why */
			snprintf(err, errlen, "cannot export: %s", x->report.items[x->report.n - 1].message);
		else
			snprintf(err, errlen, "cannot read lv %s: %s%s%s", lv->name, strerror(-rc),
				 x->report.n ? ": " : "", x->report.n ? x->report.items[x->report.n - 1].message : "");
		tm_export_free(x);
		return rc;
	}
	x->size = mlvm_lv_reader_size(x->rd);
	x->buf = malloc(TM_EXPORT_CHUNK);
	x->md = mlvm_sha256_new();
	x->path = strdup(path);
	if (!x->buf || !x->md || !x->path) {
		snprintf(err, errlen, x->md ? "out of memory" : "sha-256 is not available (libcrypto)");
		tm_export_free(x);
		return -ENOMEM;
	}
	/* never overwrite: an existing file, input images included, is refused */
	x->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
	if (x->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(-rc));
		tm_export_free(x);	/* not created: nothing is removed */
		return rc;
	}
	x->created = true;
	*out = x;
	return 0;
}

int tm_export_step(struct tm_export *x, char *err, size_t errlen)
{
	size_t len;
	int rc;

	if (x->finished)
		return 0;
	if (x->done < x->size) {
		len = x->size - x->done < TM_EXPORT_CHUNK ? (size_t)(x->size - x->done) : TM_EXPORT_CHUNK;
		rc = mlvm_lv_read(x->rd, x->buf, len, x->done);
		if (rc) {
			snprintf(err, errlen, "cannot read the lv at byte %llu: %s",
				 (unsigned long long)x->done, strerror(-rc));
			return rc;
		}
		rc = mlvm_write_all(x->fd, x->buf, len);
		if (rc) {
			snprintf(err, errlen, "cannot write %s: %s", x->path, strerror(-rc));
			return rc;
		}
		if (mlvm_sha256_update(x->md, x->buf, len)) {
			snprintf(err, errlen, "sha-256 failed");
			return -EIO;
		}
		x->done += len;
		if (x->done < x->size)
			return 1;
	}
	if (mlvm_sha256_final(x->md, x->hex)) {
		snprintf(err, errlen, "sha-256 failed");
		return -EIO;
	}
	if (fsync(x->fd) && errno != EINVAL && errno != EROFS) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", x->path, strerror(-rc));
		return rc;
	}
	rc = close(x->fd);
	x->fd = -1;
	if (rc) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", x->path, strerror(-rc));
		return rc;
	}
	x->finished = true;
	return 0;
}

void tm_export_progress(const struct tm_export *x, uint64_t *done, uint64_t *total, double *secs)
{
	*done = x->done;
	*total = x->size;
	*secs = since(&x->t0);
}

void tm_export_result(const struct tm_export *x, char hex[65], size_t *n_missing,
		      uint64_t *missing_bytes)
{
	const struct mlvm_range *r;
	size_t n = 0, i;
	uint64_t sum = 0;

	memcpy(hex, x->hex, sizeof(x->hex));
	r = x->rd ? mlvm_lv_reader_missing(x->rd, &n) : NULL;
	for (i = 0; r && i < n; i++)
		sum += r[i].len;
	*n_missing = r ? n : 0;
	*missing_bytes = sum;
}

void tm_export_free(struct tm_export *x)
{
	if (!x)
		return;
	if (x->fd >= 0)
		close(x->fd);
	if (!x->finished && x->created)
		unlink(x->path);
	if (x->rd)
		mlvm_lv_reader_free(x->rd);
	mlvm_sha256_free(x->md);
	mlvm_report_free(&x->report);
	free(x->buf);
	free(x->path);
	free(x);
}
