/*
 * install_lvs.c - a small program built by tests/cli/install.sh against an
 * installed libmlvm, through pkg-config: it opens the images given and
 * prints "VG LV UUID SIZE READ" for every visible LV, READ being how many
 * bytes reading the whole LV returned, then opens the images again as of
 * every intact metadata generation found. Exits 1 on any failure, with
 * the library's message.
 *
 * Layer: a user of the public API: includes <mlvm/mlvm.h> and the C
 * standard headers only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlvm/mlvm.h>

int main(int argc, char **argv)
{
	struct libmlvm_handle *h;
	static char buf[1 << 16];
	size_t vg, lv;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: install_lvs IMAGE...\n");
		return 2;
	}
	if (strcmp(libmlvm_version(), LIBMLVM_VERSION)) {
		fprintf(stderr, "install_lvs: built with %s, running %s\n", LIBMLVM_VERSION, libmlvm_version());
		return 1;
	}
	rc = libmlvm_open((const char *const *)(argv + 1), (size_t)(argc - 1), 0, &h);
	if (rc) {
		fprintf(stderr, "install_lvs: %s\n", libmlvm_error());
		return 1;
	}
	for (vg = 0; vg < libmlvm_vg_count(h); vg++)
		for (lv = 0; lv < libmlvm_lv_count(h, vg); lv++) {
			struct libmlvm_lv_reader *rd;
			uint64_t off = 0;
			int64_t n;

			if (!libmlvm_lv_visible(h, vg, lv))
				continue;
			rc = libmlvm_lv_reader_open(h, vg, lv, &rd);
			if (rc) {
				fprintf(stderr, "install_lvs: %s\n", libmlvm_error());
				libmlvm_close(h);
				return 1;
			}
			while ((n = libmlvm_lv_reader_read(rd, buf, sizeof(buf), off)) > 0)
				off += (uint64_t)n;
			libmlvm_lv_reader_close(rd);
			if (n < 0) {
				fprintf(stderr, "install_lvs: %s\n", libmlvm_error());
				libmlvm_close(h);
				return 1;
			}
			printf("%s %s %s %" PRIu64 " %" PRIu64 "\n", libmlvm_vg_name(h, vg),
			       libmlvm_lv_name(h, vg, lv), libmlvm_lv_uuid(h, vg, lv),
			       libmlvm_lv_size(h, vg, lv), off);
		}
	/* every intact generation opens (on stderr: how many did) */
	{
		size_t g, opened = 0;

		for (g = 0; g < libmlvm_generation_count(h); g++) {
			struct libmlvm_handle *old;
			uint64_t seqno;

			if (!libmlvm_generation_intact(h, g) || libmlvm_generation_seqno(h, g, &seqno))
				continue;
			rc = libmlvm_handle_at_generation(h, seqno, &old);
			if (rc) {
				fprintf(stderr, "install_lvs: %s\n", libmlvm_error());
				libmlvm_close(h);
				return 1;
			}
			if (libmlvm_vg_count(old) == 0 || libmlvm_vg_seqno(old, 0) != seqno) {
				fprintf(stderr, "install_lvs: generation %" PRIu64 " did not open as itself\n", seqno);
				libmlvm_close(old);
				libmlvm_close(h);
				return 1;
			}
			libmlvm_close(old);
			opened++;
		}
		fprintf(stderr, "install_lvs: %zu generations opened\n", opened);
	}
	for (size_t w = 0; w < libmlvm_warning_count(h); w++)
		fprintf(stderr, "install_lvs: %s: %s\n", libmlvm_warning_code(h, w),
			libmlvm_warning_message(h, w));
	libmlvm_close(h);
	return 0;
}
