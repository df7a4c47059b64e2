/*
 * fuzz_partition.c - partition tables: the input is a whole-disk image
 * (MBR in sector 0, EBR chains, GPT at LBA 1 with its backup at the last
 * LBA), read through a memory source with mlvm_partitions_read; the pure
 * parsers run on sectors 0 and 1 directly too.
 */
#include <string.h>

#include "fuzz.h"
#include "io/partition.h"
#include "base/report.h"
#include "io/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_partition_table t = { 0 };
	struct mlvm_report r;
	struct mlvm_source *s;
	uint8_t sector[MLVM_PART_SECTOR];
	struct mlvm_mbr mbr;
	struct mlvm_gpt_header gh;

	mlvm_report_init(&r);
	memset(sector, 0, sizeof(sector));
	memcpy(sector, data, size < sizeof(sector) ? size : sizeof(sector));
	(void)mlvm_mbr_parse(sector, &mbr);
	if (size > MLVM_PART_SECTOR)
		(void)mlvm_gpt_header_parse(data + MLVM_PART_SECTOR, size - MLVM_PART_SECTOR, 1,
					    &gh, &r, "fuzz.img");

	s = mlvm_source_memory("fuzz.img", (void *)data, size, 0);
	if (s) {
		if (mlvm_partitions_read(s, &t, &r) == 0)
			mlvm_partitions_free(&t);
		mlvm_source_close(s);
	}
	mlvm_report_free(&r);
	return 0;
}
