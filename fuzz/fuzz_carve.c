/*
 * fuzz_carve.c - history carving: the input is a whole metadata area
 * (header at +0, ring from +512). mlvm_carve_area runs with the header the
 * input carries (raw_locn slots and checksums) and without one; every
 * generation found has its text reassembled and (a bounded number) parsed.
 */
#include <stdlib.h>

#include "text/carve.h"
#include "text/config.h"
#include "fuzz.h"
#include "disk/mda.h"
#include "base/report.h"

#define FUZZ_MAX_PARSES 16

static void carve(const uint8_t *data, size_t size, const struct mlvm_mda_header *h)
{
	struct mlvm_generation *gens = NULL;
	struct mlvm_report r;
	size_t n = 0, i;

	mlvm_report_init(&r);
	if (mlvm_carve_area(data, size, h, &gens, &n, &r, "fuzz.img", 4096) == 0) {
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
