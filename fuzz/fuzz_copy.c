/*
 * fuzz_copy.c - standalone copies of metadata text (--metadata files,
 * copies carved outside the rings): the input is one copy, in the ring or
 * the archive layout. mlvm_carve_copy fills a generation from it (the
 * syntax check, the lenient parse, the command of its description); its
 * VG section is found and compared with the input's two halves; a copy the
 * check accepts is parsed for real, and the check must agree.
 */
#include <stdlib.h>
#include <string.h>

#include "text/carve.h"
#include "text/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlvm_generation g;
	const char *text = (const char *)data;
	char *command = NULL, *copy;
	size_t off, n;
	bool archive;

	if (mlvm_carve_copy(text, size, &g, &archive, &command) == 0) {
		free(command);
		if (g.parse_ok && memchr(data, 0, size) == NULL) {
			struct cfg_tree *t = NULL;

			copy = malloc(size + 1);
			if (copy) {
				memcpy(copy, data, size);
				copy[size] = '\0';
				if (cfg_parse(copy, size, &t, NULL, NULL, -1) == 0)
					cfg_free(t);
				else
					abort();	/* the check accepted what the parser refuses */
			}
		}
	}
	if (mlvm_carve_vg_section(text, size, &off, &n) && (off > size || n > size - off))
		abort();
	(void)mlvm_carve_same_vg(text, size / 2, text + size / 2, size - size / 2);
	(void)mlvm_carve_same_vg(text, size, text, size);
	return 0;
}
