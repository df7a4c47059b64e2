/*
 * fuzz_scan.c - the sector scan over memory. The first 4 bytes of the input
 * choose the options (text starts on or off, the buffer's base offset, which
 * need not be sector-aligned, a start and end, a small max_hits); the rest
 * is scanned, in one call and again split in two calls into one array.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "disk/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_scan_opts o = { 0 };
	struct mlvm_hit *hits = NULL;
	size_t n = 0, cap = 0, half;
	bool truncated = false;
	uint64_t base;

	if (size < 4)
		return 0;
	o.text = data[0] & 1;
	o.max_hits = (data[0] & 2) ? (size_t)(data[0] >> 2) : 0;
	base = (uint64_t)data[1] * 37;	/* not always a multiple of 512 */
	o.start = (data[2] & 0x80) ? (uint64_t)(data[2] & 0x7f) * 300 : 0;
	o.end = data[3] ? base + (uint64_t)data[3] * 512 + (data[3] & 7) : 0;
	data += 4;
	size -= 4;

	(void)mlvm_scan_buffer(data, size, base, &o, &hits, &n, &cap, &truncated);
	free(hits);

	hits = NULL;
	n = cap = 0;
	truncated = false;
	half = size / 2;
	if (mlvm_scan_buffer(data, half, base, &o, &hits, &n, &cap, &truncated) == 0 && !truncated)
		(void)mlvm_scan_buffer(data + half, size - half, base + half, &o, &hits, &n, &cap,
				       &truncated);
	free(hits);
	return 0;
}
