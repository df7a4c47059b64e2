/*
 * source_qcow.c - qcow (versions 1 to 3) images through libqcow, read-only:
 * libqcow's table for the libyal adapter (source_libyal.h).
 *
 * libqcow does not find or open a backing file by itself (the caller would
 * have to open it and hand it over with libqcow_file_set_parent_file, and
 * only a qcow one), so an image with a backing file is refused with its
 * name rather than read with holes; so is an encrypted one. libqcow
 * (20201213) is built with multi-thread support, but a handle keeps one
 * current offset under one lock: reads are serialised per handle (the
 * adapter's mutex) and large ones spread over worker threads with a
 * handle each (the adapter's parallel reader).
 */
#include "io/source_libyal.h"
#include "io/source_error.h"

#include <errno.h>
#include <stdio.h>

#include <libqcow.h>

MLVM_LIBYAL_FILE_FUNCTIONS(qcow, libqcow, LIBQCOW_OPEN_READ)

/* encryption and a backing file: refused with their words */
static int qcow_examine(const struct mlvm_libyal *lib, void *h, const char *path,
			const char *format, void *ctx, uint64_t *aux,
			struct mlvm_report *r)
{
	libqcow_error_t *e = NULL;
	uint32_t version = 0, method = 0;
	uint8_t backing[256];
	size_t backing_size = 0;
	int rc;

	if (libqcow_file_get_format_version(h, &version, &e) != 1 ||
	    libqcow_file_get_encryption_method(h, &method, &e) != 1)
		return mlvm_libyal_error(lib, -EIO, e,
			"it is a qcow image whose header libqcow cannot read", NULL, r, path);
	if (method != LIBQCOW_ENCRYPTION_METHOD_NONE)
		return mlvm_source_fail(r, path, -ENOTSUP,
			"it is an encrypted qcow%s image (method %u): mlvm does not decrypt it "
			"(qemu-img convert -O raw with the key does)",
			version >= 2 ? "2" : "", (unsigned)method);
	rc = libqcow_file_get_utf8_backing_filename_size(h, &backing_size, &e);
	if (rc == 1 && backing_size > 1) {
		if (backing_size > sizeof(backing) ||
		    libqcow_file_get_utf8_backing_filename(h, backing, sizeof(backing), &e) != 1)
			snprintf((char *)backing, sizeof(backing), "name unreadable");
		if (e)
			libqcow_error_free(&e);
		return mlvm_source_fail(r, path, -ENOTSUP,
			"it is a qcow%s image over a backing file (%s), which libqcow does not open "
			"by itself: mlvm cannot read it alone; flatten it first "
			"(qemu-img convert -O raw %s OUT.raw)",
			version >= 2 ? "2" : "", (const char *)backing, path);
	}
	if (e)
		libqcow_error_free(&e);
	return 0;
}

static const struct mlvm_libyal qcow_lib = {
	.lib = "libqcow",
	.article = "a",
	.header = "header",
	.initialize = qcow_initialize,
	.open = qcow_open,
	.media_size = qcow_media_size,
	.examine = qcow_examine,
	.read = qcow_read,
	.close = qcow_close,
	.error_text = qcow_error_text,
	.parallel = 1,
};

int mlvm_source_open_qcow(const char *path, struct mlvm_source **out, struct mlvm_report *r)
{
	return mlvm_libyal_open(&qcow_lib, path, "qcow", NULL, out, r);
}
