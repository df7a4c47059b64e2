/*
 * fuzz_mda.c - the metadata area header and the ring: the input is one
 * area (header at +0, text from +512, wrapping back to +512), held in a
 * memory source. Both raw_locn slots are checked and read (text and CRC),
 * with the area size the header states and with the input's own size.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "disk/mda.h"
#include "io/source.h"

static void read_slot(struct mlvm_source *s, const struct mlvm_raw_locn *rl, uint64_t area_size)
{
	struct mlvm_ring_span sp = { .area_abs = 0, .area_size = area_size,
				     .off = rl->offset, .size = rl->size };
	const char *why = NULL;
	char *text = NULL;
	uint32_t crc;

	if (mlvm_ring_check(&sp, s->size, &why) != 0)
		return;
	(void)mlvm_ring_wraps(&sp);
	if (mlvm_ring_read(s, &sp, &text) == 0)
		free(text);
	(void)mlvm_ring_crc(s, &sp, &crc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_mda_header h;
	struct mlvm_source *s;
	int i;

	if (size < MLVM_MDA_HEADER_SIZE)
		return 0;
	mlvm_mda_header_parse(data, 0, &h);
	(void)mlvm_mda_header_ok(&h);
	s = mlvm_source_memory("fuzz.img", (void *)data, size, 0);
	if (!s)
		return 0;
	for (i = 0; i < 2; i++) {
		read_slot(s, &h.rl[i], h.size);
		read_slot(s, &h.rl[i], size);
	}
	mlvm_source_close(s);
	return 0;
}
