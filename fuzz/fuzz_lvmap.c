/*
 * fuzz_lvmap.c - mapping and reading LVs: the input is a set of images as
 * for fuzz_set (separated by FUZZ_SPLIT), assembled without deep scan; for
 * every LV of every VG a reader is built and the LV read, all of it when it
 * is small, else a few chunks at the start, middle and end (a hostile text
 * may declare an LV of 2^63 bytes). Holes and missing ranges are asked for,
 * and where mlvm_lv_locate places each piece: a run it calls plain image
 * bytes must lie inside the image and equal what mlvm_lv_read returns there
 * (abort() otherwise, so the fuzzer reports it).
 */
#include <stdlib.h>
#include <string.h>

#include "model/assemble.h"
#include "fuzz.h"
#include "map/lvmap.h"
#include "io/source.h"

#define CHUNK 4096u
/* bytes read per input, all LVs together */
#define FUZZ_READ_BUDGET (8u << 20)
/* LVs with a reader per input */
#define FUZZ_MAX_READERS 64

static uint64_t budget;

/* [off, off + len) walked with mlvm_lv_locate; buf has room for 2 * CHUNK */
static void check_locate(struct mlvm_lv_reader *rd, uint8_t *buf, uint64_t off, size_t len)
{
	uint64_t pos = 0, soff, run;
	struct mlvm_source *src;

	while (pos < len) {
		int rc = mlvm_lv_locate(rd, off + pos, len - pos, &src, &soff, &run);

		if (run < 1 || run > len - pos)
			abort();
		if (rc == 0) {
			if (!src || soff > src->size || run > src->size - soff)
				abort();
			if (mlvm_lv_read(rd, buf, (size_t)run, off + pos) == 0 &&
			    mlvm_source_read(src, buf + CHUNK, (size_t)run, soff) == 0 &&
			    memcmp(buf, buf + CHUNK, (size_t)run) != 0)
				abort();
		}
		pos += run;
	}
}

static void read_at(struct mlvm_lv_reader *rd, uint8_t *buf, uint64_t size, uint64_t off)
{
	size_t len;

	if (off >= size || budget < 2 * CHUNK)
		return;
	len = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
	budget -= 2 * len;
	(void)mlvm_lv_is_hole(rd, off, len);
	(void)mlvm_lv_read(rd, buf, len, off);
	check_locate(rd, buf, off, len);
}

static void read_lv(const struct mlvm_vg *vg, const struct mlvm_lv *lv, int leg, uint8_t *buf)
{
	struct mlvm_lv_reader_opts o = { .leg = leg };
	struct mlvm_lv_reader *rd = NULL;
	struct mlvm_report r;
	uint64_t size, off;
	const struct mlvm_range *m;
	size_t nm;

	mlvm_report_init(&r);
	if (mlvm_lv_reader_new(vg, lv, &o, &rd, &r) == 0 && rd) {
		size = mlvm_lv_reader_size(rd);
		if (size <= 256u * CHUNK) {
			for (off = 0; off < size; off += CHUNK)
				read_at(rd, buf, size, off);
		} else {
			read_at(rd, buf, size, 0);
			read_at(rd, buf, size, CHUNK + 1);
			read_at(rd, buf, size, size / 2 - 7);
			read_at(rd, buf, size, size - CHUNK);
			read_at(rd, buf, size, size - 1);
		}
		m = mlvm_lv_reader_missing(rd, &nm);
		(void)m;
		mlvm_lv_reader_free(rd);
	}
	mlvm_report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_set *set;
	size_t i, readers = 0;
	uint32_t l;
	uint8_t *buf;

	buf = malloc(2 * CHUNK);	/* a piece, and the same bytes from its image */
	if (!buf)
		return 0;
	budget = FUZZ_READ_BUDGET;
	set = mlvm_set_new(NULL);
	if (!set) {
		free(buf);
		return 0;
	}
	if (fuzz_add_images(set, data, size))
		goto out;
	if (mlvm_set_assemble(set) <= 0)
		goto out;
	for (i = 0; i < set->n_vgs; i++) {
		const struct mlvm_vg *vg = set->vgs[i];

		for (l = 0; l < vg->n_lvs && readers < FUZZ_MAX_READERS; l++, readers++) {
			read_lv(vg, &vg->lvs[l], -1, buf);
			if (l == 0)
				read_lv(vg, &vg->lvs[l], 1, buf);
		}
	}
out:
	mlvm_set_free(set);
	free(buf);
	return 0;
}
