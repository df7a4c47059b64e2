/*
 * fuzz_deepcarve.c - finding metadata text at any byte, over memory. The
 * first 4 bytes choose the options (the buffer's base offset, not always a
 * multiple of 512; a skip range; a small max_copies); the rest is carved,
 * and every copy must lie inside the buffer, in offset order, none inside
 * another, at most max_copies.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "text/deepcarve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_deepcarve_opts o = { 0 };
	struct mlvm_byte_range skip;
	struct mlvm_text_copy *c = NULL;
	size_t n = 0, i;
	bool truncated = false;
	uint64_t base;

	if (size < 4)
		return 0;
	base = (uint64_t)data[0] * 37;
	if (data[1]) {
		skip.start = base + (uint64_t)data[1] * 64;
		skip.end = skip.start + (uint64_t)data[2] * 64;
		o.skip = &skip;
		o.n_skip = 1;
	}
	o.max_copies = data[3] & 0x0f;
	data += 4;
	size -= 4;
	if (mlvm_deepcarve_buffer(data, size, base, &o, &c, &n, &truncated) == 0) {
		for (i = 0; i < n; i++) {
			if (c[i].offset < base || c[i].len > size || c[i].offset - base > size - c[i].len)
				abort();
			if (i && (c[i].offset < c[i - 1].offset ||
				  c[i].offset + c[i].len <= c[i - 1].offset + c[i - 1].len))
				abort();
		}
		if (o.max_copies && n > o.max_copies)
			abort();
	}
	free(c);
	return 0;
}
