/*
 * fuzz_label.c - the label sector and pv_header: mlvm_label_parse on one
 * 512-byte sector (the input, zero-padded or cut), then mlvm_label_find and
 * its strict form over the whole input as an image (sectors 0..3).
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "disk/label.h"
#include "base/report.h"
#include "io/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sector[MLVM_SECTOR_SIZE];
	struct mlvm_label l;
	struct mlvm_report r;
	struct mlvm_source *s;

	mlvm_report_init(&r);
	memset(sector, 0, sizeof(sector));
	memcpy(sector, data, size < sizeof(sector) ? size : sizeof(sector));
	(void)mlvm_label_parse(sector, 1, &l, &r, "fuzz.img", 512);

	s = mlvm_source_memory("fuzz.img", (void *)data, size, 0);
	if (s) {
		(void)mlvm_label_find(s, 0, &l, &r);
		(void)mlvm_label_find_ex(s, 0, MLVM_LABEL_STRICT, &l, &r);
		if (size > 512)
			(void)mlvm_label_find(s, 512, &l, &r);
		mlvm_source_close(s);
	}
	mlvm_report_free(&r);
	return 0;
}
