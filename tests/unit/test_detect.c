/*
 * test_detect.c - unit tests for detect.c: image formats by content on
 * small buffers, and the open of truncated or garbage containers (a clear
 * error, never a crash, never a raw read).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/report.h"
#include "io/magic.h"
#include "io/detect.h"
#include "io/source.h"
#include "io/source_error.h"

static uint8_t head[MLVM_DETECT_HEAD];
static uint8_t tail[MLVM_DETECT_TAIL];

static int reset(void **state)
{
	(void)state;
	memset(head, 0, sizeof(head));
	memset(tail, 0, sizeof(tail));
	return 0;
}

static enum mlvm_format detect_head(const void *sig, size_t len)
{
	memcpy(head, sig, len);
	return mlvm_detect_buffers(head, sizeof(head), tail, sizeof(tail));
}

static void detect_finds_ewf_signature(void **state)
{
	(void)state;
	assert_int_equal(detect_head("EVF\x09\x0d\x0a\xff\x00", 8), MLVM_FORMAT_EWF);
}

static void detect_finds_ewf2_signature(void **state)
{
	(void)state;
	assert_int_equal(detect_head("EVF2\x0d\x0a\x81\x00", 8), MLVM_FORMAT_EWF2);
}

static void detect_tells_l01_from_e01(void **state)
{
	(void)state;
	assert_int_equal(detect_head("LVF\x09\x0d\x0a\xff\x00", 8), MLVM_FORMAT_L01);
}

static void detect_finds_qcow_signature(void **state)
{
	(void)state;
	assert_int_equal(detect_head("QFI\xfb\x00\x00\x00\x03", 8), MLVM_FORMAT_QCOW);
}

static void detect_finds_vhdx_signature(void **state)
{
	(void)state;
	assert_int_equal(detect_head("vhdxfile", 8), MLVM_FORMAT_VHDX);
}

static void detect_finds_vhd_footer_at_end(void **state)
{
	(void)state;
	memcpy(tail, "conectix", 8);
	assert_int_equal(mlvm_detect_buffers(head, sizeof(head), tail, sizeof(tail)),
			 MLVM_FORMAT_VHD);
}

static void detect_finds_vhd_footer_copy_at_start(void **state)
{
	(void)state;
	/* a dynamic VHD whose end was cut off: no tail footer */
	assert_int_equal(detect_head("conectix", 8), MLVM_FORMAT_VHD);
	assert_int_equal(mlvm_detect_buffers(head, sizeof(head), NULL, 0), MLVM_FORMAT_VHD);
}

static void detect_ignores_vhd_footer_not_at_the_last_sector(void **state)
{
	(void)state;
	memcpy(tail + 8, "conectix", 8);
	assert_int_equal(mlvm_detect_buffers(head, sizeof(head), tail, sizeof(tail)),
			 MLVM_FORMAT_RAW);
	/* a tail shorter than a sector says nothing */
	memcpy(tail, "conectix", 8);
	assert_int_equal(mlvm_detect_buffers(head, sizeof(head), tail, 100), MLVM_FORMAT_RAW);
}

static void detect_names_formats_no_library_reads(void **state)
{
	(void)state;
	assert_int_equal(detect_head("KDMV", 4), MLVM_FORMAT_VMDK);
	reset(NULL);
	assert_int_equal(detect_head("QED\0", 4), MLVM_FORMAT_QED);
	reset(NULL);
	memcpy(head + 0x40, "\x7f\x10\xda\xbe", 4);
	assert_int_equal(detect_head("<<< Oracle VM VirtualBox Disk Image >>>\n", 40),
			 MLVM_FORMAT_VDI);
}

static void detect_reads_lvm_pv_as_raw(void **state)
{
	(void)state;
	memcpy(head + 512, "LABELONE", 8);
	memcpy(head + 512 + 24, "LVM2 001", 8);
	assert_int_equal(mlvm_detect_buffers(head, sizeof(head), tail, sizeof(tail)),
			 MLVM_FORMAT_RAW);
	assert_true(mlvm_detect_looks_raw(head, sizeof(head)));
}

static void detect_zeros_and_mbr_look_raw(void **state)
{
	(void)state;
	assert_true(mlvm_detect_looks_raw(head, sizeof(head)));
	head[510] = 0x55;
	head[511] = 0xaa;
	head[446] = 0x80;
	assert_true(mlvm_detect_looks_raw(head, sizeof(head)));
	head[510] = 0;
	assert_false(mlvm_detect_looks_raw(head, sizeof(head)));
}

static void detect_short_buffers_match_nothing(void **state)
{
	/* every prefix of every signature, shorter than it: raw, no overread
	 * (each prefix is a heap copy of its own size, which ASan watches) */
	static const struct {
		const char *sig;
		size_t len;
	} sigs[] = {
		{ "EVF\x09\x0d\x0a\xff\x00", 8 }, { "EVF2\x0d\x0a\x81\x00", 8 },
		{ "QFI\xfb", 4 }, { "vhdxfile", 8 }, { "conectix", 8 }, { "KDMV", 4 },
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		for (n = 0; n < sigs[i].len; n++) {
			uint8_t *b = malloc(n ? n : 1);

			assert_non_null(b);
			memcpy(b, sigs[i].sig, n);
			assert_int_equal(mlvm_detect_buffers(b, n, b, n), MLVM_FORMAT_RAW);
			free(b);
		}
	assert_int_equal(mlvm_detect_buffers(NULL, 0, NULL, 0), MLVM_FORMAT_RAW);
}

static void detect_reads_libmagic_descriptions(void **state)
{
	(void)state;
	assert_int_equal(mlvm_detect_magic_desc("EWF/Expert Witness/EnCase image file format"),
			 MLVM_FORMAT_EWF);
	assert_int_equal(mlvm_detect_magic_desc("QEMU QCOW2 Image (v3), 3145728 bytes"),
			 MLVM_FORMAT_QCOW);
	assert_int_equal(mlvm_detect_magic_desc("Microsoft Disk Image eXtended, by QEMU"),
			 MLVM_FORMAT_VHDX);
	assert_int_equal(mlvm_detect_magic_desc("Microsoft Disk Image, Virtual Server or Virtual PC"),
			 MLVM_FORMAT_VHD);
	assert_int_equal(mlvm_detect_magic_desc("VMware4 disk image"), MLVM_FORMAT_VMDK);
	assert_int_equal(mlvm_detect_magic_desc("LVM2 PV (Linux Logical Volume Manager)"),
			 MLVM_FORMAT_RAW);
	assert_int_equal(mlvm_detect_magic_desc("data"), MLVM_FORMAT_RAW);
	assert_int_equal(mlvm_detect_magic_desc(NULL), MLVM_FORMAT_RAW);
}

static void detect_names_every_format(void **state)
{
	int f;

	(void)state;
	for (f = MLVM_FORMAT_RAW; f <= MLVM_FORMAT_PARALLELS; f++)
		assert_string_not_equal(mlvm_format_name((enum mlvm_format)f), "unknown");
}

/* ------------------------------------------------------------ opening */

/* write len bytes of data (then zeros up to size) to a temporary file */
static char *temp_image(const void *data, size_t len, size_t size)
{
	char *path = strdup("/tmp/mlvm-test-detect.XXXXXX");
	uint8_t *buf = calloc(1, size);
	int fd;

	assert_non_null(path);
	assert_non_null(buf);
	memcpy(buf, data, len);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
	return path;
}

/* opening path fails, with words that name the format (and no source) */
static void expect_open_error(const char *path, int flags, const char *words)
{
	struct mlvm_source *s = (struct mlvm_source *)1;
	struct mlvm_report r;
	const struct mlvm_anomaly *a;
	int rc;

	mlvm_report_init(&r);
	rc = mlvm_source_open(path, flags, &s, &r);
	assert_true(rc < 0);
	assert_null(s);
	/* one entry: an "open" error for the image, the reason alone */
	assert_int_equal(r.n, 1);
	a = &r.items[0];
	assert_int_equal(a->severity, MLVM_SEV_ERROR);
	assert_string_equal(a->code, "open");
	assert_string_equal(a->image, path);
	assert_true(a->offset == -1);
	assert_string_equal(mlvm_source_open_error(&r, rc), a->message);
	if (!strstr(a->message, words))
		fail_msg("'%s' does not say '%s'", a->message, words);
	mlvm_report_free(&r);
}

static void open_garbage_ewf_fails_clearly(void **state)
{
	char *p = temp_image("EVF\x09\x0d\x0a\xff\x00\x01garbage-garbage", 24, 4096);

	(void)state;
#ifdef HAVE_LIBEWF
	expect_open_error(p, 0, "EWF");
#else
	expect_open_error(p, 0, "built without libewf: install libewf-dev");
#endif
	unlink(p);
	free(p);
}

static void open_truncated_qcow_fails_clearly(void **state)
{
	/* a qcow2 header cut after its magic and version */
	char *p = temp_image("QFI\xfb\x00\x00\x00\x02", 8, 8);

	(void)state;
	/* read by mlvm itself (io/source_qcow2.h), with or without libqcow */
	expect_open_error(p, 0, "qcow2 image whose header is cut short: 8 bytes of 72");
	unlink(p);
	free(p);
}

static void open_garbage_vhdx_fails_clearly(void **state)
{
	char *p = temp_image("vhdxfile\xff\xfe", 10, 65536);

	(void)state;
#ifdef HAVE_LIBVHDI
	expect_open_error(p, 0, "VHDX image that libvhdi cannot open");
#else
	expect_open_error(p, 0, "built without libvhdi: install libvhdi-dev");
#endif
	unlink(p);
	free(p);
}

static void open_garbage_vhd_footer_fails_clearly(void **state)
{
	uint8_t img[4096];
	char *p;

	(void)state;
	memset(img, 0xa5, sizeof(img));
	memcpy(img + sizeof(img) - 512, "conectix", 8);
	p = temp_image(img, sizeof(img), sizeof(img));
#ifdef HAVE_LIBVHDI
	expect_open_error(p, 0, "VHD image that libvhdi cannot open");
#else
	expect_open_error(p, 0, "built without libvhdi: install libvhdi-dev");
#endif
	unlink(p);
	free(p);
}

static void open_container_for_writing_is_refused(void **state)
{
	char *p = temp_image("QFI\xfb\x00\x00\x00\x03", 8, 4096);

	(void)state;
	expect_open_error(p, MLVM_SOURCE_WRITE, "mlvm writes only to raw images");
	assert_int_equal(mlvm_source_open(p, MLVM_SOURCE_WRITE, &(struct mlvm_source *){ NULL }, NULL),
			 -EROFS);
	unlink(p);
	free(p);
}

static void open_unreadable_format_names_it(void **state)
{
	char *p = temp_image("KDMV\x01\x00\x00\x00", 8, 4096);

	(void)state;
	expect_open_error(p, 0, "VMware VMDK image, which mlvm cannot read");
	unlink(p);
	free(p);
}

static void open_raw_still_opens_raw(void **state)
{
	uint8_t img[2048] = { 0 };
	struct mlvm_source *s = NULL;
	char *p;

	(void)state;
	memcpy(img + 512, "LABELONE", 8);
	p = temp_image(img, sizeof(img), sizeof(img));
	assert_int_equal(mlvm_source_open(p, 0, &s, NULL), 0);
	assert_non_null(s);
	assert_int_equal(s->size, sizeof(img));
	mlvm_source_close(s);
	/* and the words of an errno with nothing more to say are strerror's */
	assert_string_equal(mlvm_source_open_error(NULL, -ENOENT), strerror(ENOENT));
	unlink(p);
	free(p);
}

static void open_missing_file_says_strerror(void **state)
{
	(void)state;
	expect_open_error("/nonexistent-mlvm-dir/image.raw", 0, strerror(ENOENT));
}

static void lib_message_keeps_the_innermost_line(void **state)
{
	char bt[] = "libqcow_x: unable to read header.\nlibqcow_file_open: unable to open file: a.\n";
	char empty[64] = "";

	(void)state;
	assert_string_equal(mlvm_source_lib_message(bt, sizeof(bt), "libqcow"),
			    "libqcow_x: unable to read header");
	assert_string_equal(mlvm_source_lib_message(empty, sizeof(empty), "libqcow"),
			    "libqcow: unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(detect_finds_ewf_signature, reset),
		cmocka_unit_test_setup(detect_finds_ewf2_signature, reset),
		cmocka_unit_test_setup(detect_tells_l01_from_e01, reset),
		cmocka_unit_test_setup(detect_finds_qcow_signature, reset),
		cmocka_unit_test_setup(detect_finds_vhdx_signature, reset),
		cmocka_unit_test_setup(detect_finds_vhd_footer_at_end, reset),
		cmocka_unit_test_setup(detect_finds_vhd_footer_copy_at_start, reset),
		cmocka_unit_test_setup(detect_ignores_vhd_footer_not_at_the_last_sector, reset),
		cmocka_unit_test_setup(detect_names_formats_no_library_reads, reset),
		cmocka_unit_test_setup(detect_reads_lvm_pv_as_raw, reset),
		cmocka_unit_test_setup(detect_zeros_and_mbr_look_raw, reset),
		cmocka_unit_test(detect_short_buffers_match_nothing),
		cmocka_unit_test(detect_reads_libmagic_descriptions),
		cmocka_unit_test(detect_names_every_format),
		cmocka_unit_test(open_garbage_ewf_fails_clearly),
		cmocka_unit_test(open_truncated_qcow_fails_clearly),
		cmocka_unit_test(open_garbage_vhdx_fails_clearly),
		cmocka_unit_test(open_garbage_vhd_footer_fails_clearly),
		cmocka_unit_test(open_container_for_writing_is_refused),
		cmocka_unit_test(open_unreadable_format_names_it),
		cmocka_unit_test(open_raw_still_opens_raw),
		cmocka_unit_test(open_missing_file_says_strerror),
		cmocka_unit_test(lib_message_keeps_the_innermost_line),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	mlvm_magic_cleanup();
	return rc;
}
