/*
 * fuzz_nested.c - nested discovery (map/nested.h) on images in memory: the
 * input holds up to FUZZ_MAX_PARTS images separated by FUZZ_SPLIT; the set
 * is assembled with mlvm_set_assemble_nested, so LVs holding PV labels or
 * partition tables (hostile ones: pointing outside the LV, at the table
 * itself, LVs inside LVs past the depth bound, copies of outer PVs) are
 * opened and assembled again. Then the first bytes of every LV source are
 * read, with the missing parts they report, and each probe buffer is
 * classified by mlvm_nested_probe_buffer.
 */
#include <stdlib.h>

#include "map/nested.h"
#include "fuzz.h"
#include "io/source.h"

static void count(void *ctx, uint64_t start, uint64_t len)
{
	(void)start;
	*(uint64_t *)ctx += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_open_opts o = { .nested_min_bytes = 1 };	/* the inputs' LVs are tiny */
	struct mlvm_set *set;
	uint8_t buf[MLVM_NESTED_PROBE];
	uint64_t missing = 0;
	size_t i;

	(void)mlvm_nested_probe_buffer(data, size < sizeof(buf) ? size : sizeof(buf));
	set = mlvm_set_new(&o);
	if (!set)
		return 0;
	if (fuzz_add_images(set, data, size))
		goto out;
	if (mlvm_set_assemble_nested(set) < 0)
		goto out;
	for (i = 0; i < set->n_srcs; i++) {
		struct mlvm_source *s = set->srcs[i];
		size_t len = s->size < sizeof(buf) ? (size_t)s->size : sizeof(buf);

		if (!s->inside || mlvm_source_read(s, buf, len, s->size - len))
			continue;
		mlvm_source_missing(s, s->size - len, len, count, &missing);
		if (missing > len)
			abort();	/* more missing than was read */
		missing = 0;
	}
out:
	mlvm_set_free(set);
	return 0;
}
