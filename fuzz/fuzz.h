/*
 * fuzz.h - shared by the fuzz targets (fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput. It is linked either with
 * libFuzzer (./configure --enable-fuzzing CC=clang; `make fuzz`) or with
 * replay.c, a plain main() that runs it over every file of the target's
 * committed corpus, fuzz/corpus/NAME/ (`make check`).
 *
 * A target must never print, leak, or depend on state left by a previous
 * input.
 */
#ifndef MLVM_FUZZ_H
#define MLVM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The images of a set travel in one input, separated by FUZZ_SPLIT (at most
 * FUZZ_MAX_PARTS parts; the rest of the input stays in the last part).
 */
#define FUZZ_SPLIT "\n--PV--\n"
#define FUZZ_SPLIT_LEN 8
#define FUZZ_MAX_PARTS 4

struct fuzz_part {
	const uint8_t *data;
	size_t size;
};

static inline size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts)
{
	size_t n = 0, start = 0, i;

	for (i = 0; n + 1 < FUZZ_MAX_PARTS && size >= FUZZ_SPLIT_LEN &&
		    i <= size - FUZZ_SPLIT_LEN; i++) {
		size_t k;

		for (k = 0; k < FUZZ_SPLIT_LEN && data[i + k] == (uint8_t)FUZZ_SPLIT[k]; k++)
			;
		if (k < FUZZ_SPLIT_LEN)
			continue;
		parts[n].data = data + start;
		parts[n].size = i - start;
		n++;
		start = i + FUZZ_SPLIT_LEN;
		i = start - 1;
	}
	parts[n].data = data + start;
	parts[n].size = size - start;
	return n + 1;
}

#ifdef MLVM_ASSEMBLE_H
/* add the images of one input to set as memory sources pv0.img...: 0, or
 * -1 (out of memory) */
static inline int fuzz_add_images(struct mlvm_set *set, const uint8_t *data, size_t size)
{
	static const char *const names[FUZZ_MAX_PARTS] = { "pv0.img", "pv1.img", "pv2.img", "pv3.img" };
	struct fuzz_part parts[FUZZ_MAX_PARTS];
	size_t n = fuzz_split(data, size, parts), i;

	for (i = 0; i < n; i++) {
		struct mlvm_source *s = mlvm_source_memory(names[i], (void *)parts[i].data,
							   parts[i].size, 0);

		if (!s || mlvm_set_add_source(set, s) != 0)
			return -1;
	}
	return 0;
}
#endif

#endif
