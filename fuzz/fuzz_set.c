/*
 * fuzz_set.c - the whole open-and-assemble path on images in memory: the
 * input holds up to FUZZ_MAX_PARTS images separated by FUZZ_SPLIT, each
 * added with mlvm_source_memory; mlvm_set_assemble runs with deep (every
 * sector scanned), carve (every ring carved) and carve_anywhere (metadata
 * text at any byte, placed in its LV). Then what the commands ask
 * of a set: each VG's text read again, and each carved generation's text.
 */
#include <stdlib.h>

#include "model/assemble.h"
#include "text/carve.h"
#include "fuzz.h"
#include "io/source.h"

/* bounds what one input may cost in generation texts */
#define FUZZ_MAX_GEN_TEXTS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_open_opts o = { .deep = true, .carve = true, .carve_anywhere = true };
	struct mlvm_set *set;
	size_t i, d, g, texts = 0;
	char *text;
	size_t len;

	set = mlvm_set_new(&o);
	if (!set)
		return 0;
	if (fuzz_add_images(set, data, size))
		goto out;
	if (mlvm_set_assemble(set) < 0)
		goto out;
	for (i = 0; i < set->n_vgs; i++)
		if (mlvm_set_vg_text(set, set->vgs[i], &text, &len) == 0)
			free(text);
	for (d = 0; d < set->n_devs; d++) {
		const struct mlvm_pvdev *dev = &set->devs[d];
		unsigned m;

		for (m = 0; m < dev->n_mda && m < MLVM_MAX_MDAS; m++)
			for (g = 0; g < dev->mda[m].n_gens && texts < FUZZ_MAX_GEN_TEXTS; g++, texts++)
				if (mlvm_set_generation_text(set, dev, &dev->mda[m],
							     &dev->mda[m].gens[g], &text, &len) == 0)
					free(text);
	}
out:
	mlvm_set_free(set);
	return 0;
}
