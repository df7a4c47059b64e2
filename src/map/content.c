/*
 * content.c - name what an LV holds with libmagic.
 *
 * The naming itself is io/magic.c's (libmagic, loaded on first need).
 */
#include "map/content.h"
#include "io/magic.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(char *out, size_t outlen, const char *s)
{
	if (!outlen)
		return;
	snprintf(out, outlen, "%s", s);
}

/* true when the missing ranges cover [0, len) */
static bool none_read(const struct mlvm_lv_reader *rd, uint64_t len)
{
	const struct mlvm_range *m;
	size_t n, i;

	m = mlvm_lv_reader_missing(rd, &n);
	for (i = 0; i < n; i++)
		if (m[i].start == 0 && m[i].len >= len)
			return true;
	return false;
}

int mlvm_lv_content(struct mlvm_lv_reader *rd, char *out, size_t outlen)
{
	uint64_t size = mlvm_lv_reader_size(rd);
	size_t len = size < MLVM_CONTENT_BYTES ? (size_t)size : MLVM_CONTENT_BYTES;
	void *buf;
	int rc;

	if (len == 0) {
		put(out, outlen, "empty");
		return 0;
	}
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	rc = mlvm_lv_read(rd, buf, len, 0);
	if (rc == 0 && none_read(rd, len))
		put(out, outlen, "unreadable");
	else if (rc == 0)
		rc = mlvm_magic_describe(buf, len, out, outlen);
	free(buf);
	return rc;
}

int mlvm_vg_lv_content(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       char *out, size_t outlen)
{
	struct mlvm_lv_reader_opts o = { .leg = -1 };
	struct mlvm_lv_reader *rd = NULL;
	struct mlvm_report r;
	int rc;

	mlvm_report_init(&r);
	rc = mlvm_lv_reader_new(vg, lv, &o, &rd, &r);
	if (rc == 0) {
		rc = mlvm_lv_content(rd, out, outlen);
		mlvm_lv_reader_free(rd);
	}
	mlvm_report_free(&r);
	return rc;
}
