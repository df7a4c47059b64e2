/*
 * fuzz_deepcarve.c - finding metadata text at any byte, over memory. The
 * first 4 bytes choose the options (the buffer's base offset, not always a
 * multiple of 512; a skip range; a small max_copies); the rest is carved,
 * and every copy must lie inside the buffer, in offset order, none inside
 * another, at most max_copies. Without skip range and max_copies, the
 * data is also fed piece by piece (mlvm_deepcarver over a memory source,
 * pieces of 1 to 1786 bytes chosen by the third byte), which must give
 * the buffer's copies exactly: no copy lost or doubled where a piece ends.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "text/deepcarve.h"

/* the copies of data fed in pieces of piece bytes equal the buffer's */
static void pieces(const uint8_t *data, size_t size, size_t piece)
{
	struct mlvm_text_copy *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i, pos = 0;
	bool ta = false, tb = false;
	struct mlvm_source *s;
	struct mlvm_deepcarver *dc = NULL;

	if (mlvm_deepcarve_buffer(data, size, 0, NULL, &a, &na, &ta) < 0)
		return;
	s = mlvm_source_memory("fuzz", (void *)data, size, 0);
	if (!s || mlvm_deepcarver_new(s, NULL, &dc) < 0) {
		if (s)
			mlvm_source_close(s);
		free(a);
		return;
	}
	while (!mlvm_deepcarver_done(dc)) {
		size_t l = size - pos < piece ? size - pos : piece;

		if (mlvm_deepcarver_feed(dc, data + pos, l, pos) < 0)
			break;
		pos += l;
	}
	if (mlvm_deepcarver_finish(dc, &b, &nb, &tb) == 0 && !ta && !tb) {
		if (na != nb)
			abort();
		for (i = 0; i < na; i++)
			if (a[i].offset != b[i].offset || a[i].len != b[i].len ||
			    a[i].complete != b[i].complete || a[i].archive_format != b[i].archive_format)
				abort();
	}
	mlvm_source_close(s);
	free(a);
	free(b);
}

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
	if (!o.n_skip && !o.max_copies)
		pieces(data, size, (size_t)data[-2] * 7 + 1);
	return 0;
}
