/*
 * fuzz_carve.c - history carving: the input is a whole metadata area
 * (header at +0, ring from +512). mlvm_carve_area runs with the header the
 * input carries (raw_locn slots and checksums) and without one; every
 * generation found has its text reassembled and (a bounded number) parsed.
 * The same area is then carved from a file (a memfd) the way a large ring
 * is read, through small windows in three parts on threads, and must give
 * the same generations.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "text/carve.h"
#include "text/config.h"
#include "fuzz.h"
#include "disk/mda.h"
#include "base/report.h"

#define FUZZ_MAX_PARSES 16

static bool same_gen(const struct mlvm_generation *a, const struct mlvm_generation *b)
{
	return !strcmp(a->vg_name, b->vg_name) && !strcmp(a->vg_id, b->vg_id) &&
	       a->seqno == b->seqno && a->seqno_known == b->seqno_known &&
	       a->offset == b->offset && a->size == b->size && a->complete == b->complete &&
	       a->wrapped == b->wrapped && a->fragment == b->fragment &&
	       a->nul_found == b->nul_found && a->slot == b->slot &&
	       a->checksum_ok == b->checksum_ok && a->parse_ok == b->parse_ok &&
	       a->no_thin == b->no_thin && !strcmp(a->description, b->description) &&
	       a->description_cut == b->description_cut &&
	       a->creation_time == b->creation_time &&
	       !strcmp(a->creation_host, b->creation_host);
}

/* carve data from a file through 4 KiB windows in 3 parts: it must carve
 * gens, n, what the carve from memory gave (called only when that carved:
 * an empty file is an area past the image's end, -ERANGE, where memory of
 * no bytes is too small, -EINVAL) */
static void carve_windows(const uint8_t *data, size_t size, const struct mlvm_mda_header *h,
			  const struct mlvm_generation *gens, size_t n)
{
	struct mlvm_generation *g = NULL;
	struct mlvm_source *s = NULL;
	struct mlvm_report r;
	char path[64];
	size_t k = 0, i;
	int fd = memfd_create("fuzz-carve", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	mlvm_report_init(&r);
	if (mlvm_source_open(path, MLVM_SOURCE_RAW, &s, &r) == 0) {
		if (mlvm_carve_source_tuned(s, 0, size, h, 4096, 3, &g, &k, &r) || k != n)
			__builtin_trap();
		for (i = 0; i < n; i++)
			if (!same_gen(&g[i], &gens[i]))
				__builtin_trap();
		free(g);
		mlvm_source_close(s);
	}
	mlvm_report_free(&r);
	close(fd);
}

static void carve(const uint8_t *data, size_t size, const struct mlvm_mda_header *h)
{
	struct mlvm_generation *gens = NULL;
	struct mlvm_report r;
	size_t n = 0, i;

	mlvm_report_init(&r);
	if (mlvm_carve_area(data, size, h, &gens, &n, &r, "fuzz.img", 4096) == 0) {
		carve_windows(data, size, h, gens, n);
		for (i = 0; i < n; i++) {
			char *text;
			size_t len;
			struct cfg_tree *t;

			if (mlvm_carve_text(data, size, &gens[i], &text, &len) == 0)
				free(text);
			if (i < FUZZ_MAX_PARSES && mlvm_carve_parse(data, size, &gens[i], &t, &r, "fuzz.img", 4096) == 0)
				cfg_free(t);
		}
		free(gens);
	}
	mlvm_report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_mda_header h;

	if (size >= MLVM_MDA_HEADER_SIZE) {
		mlvm_mda_header_parse(data, 0, &h);
		carve(data, size, &h);
	}
	carve(data, size, NULL);
	return 0;
}
