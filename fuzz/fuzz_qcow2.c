/*
 * fuzz_qcow2.c - mlvm's own qcow2 reader (io/source_qcow2.h): the input is
 * a qcow2 image in memory; when it opens, its first 4 MiB are read in
 * 1 MiB reads (the workers' path, half of it announced to be read ahead
 * first) and in 4 KiB reads (serial), then its last 4 KiB; every answer is
 * 0 or -EIO with words for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "base/report.h"
#include "io/source.h"
#include "io/source_qcow2.h"

#define SPAN (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_source *file, *s = NULL;
	struct mlvm_report r;
	uint64_t off, end;
	uint8_t *buf;
	char why[400];

	setenv("MLVM_IO_THREADS", "2", 0);
	file = mlvm_source_memory("fuzz.qcow2", (void *)data, size, 0);
	if (!file)
		return 0;
	mlvm_report_init(&r);
	if (mlvm_qcow2_open_source(file, "fuzz.qcow2", &s, &r) != 0 || !s) {
		mlvm_report_free(&r);
		return 0;
	}
	buf = malloc(SPAN);
	if (buf) {
		end = s->size < SPAN ? s->size : SPAN;
		/* half of it read ahead by the workers first */
		mlvm_source_willneed(s, 0, end / 2);
		for (off = 0; off < end; off += 1u << 20) {
			size_t n = end - off < (1u << 20) ? (size_t)(end - off) : (1u << 20);
			int rc = mlvm_source_read(s, buf, n, off);

			if (rc && (rc != -EIO || !mlvm_source_read_error(s, why, sizeof(why))))
				abort();
		}
		for (off = 0; off < end; off += 4096) {
			size_t n = end - off < 4096 ? (size_t)(end - off) : 4096;
			int rc = mlvm_source_read(s, buf, n, off);

			if (rc && rc != -EIO)
				abort();
		}
		if (s->size > 4096 &&
		    mlvm_source_read(s, buf, 4096, s->size - 4096) == 0)
			(void)buf[0];
		free(buf);
	}
	mlvm_source_close(s);
	mlvm_report_free(&r);
	return 0;
}
