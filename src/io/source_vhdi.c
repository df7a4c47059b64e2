/*
 * source_vhdi.c - VHD (fixed, dynamic) and VHDX images through libvhdi,
 * read-only: libvhdi's table for the libyal adapter (source_libyal.h).
 *
 * libvhdi does not find or open the parent of a differencing image by
 * itself (the caller would open it and hand it over with
 * libvhdi_file_set_parent_file), so a differencing image is refused with
 * its parent's name rather than read with holes. libvhdi (20210425) is
 * built with multi-thread support, but reads are still serialised per
 * source (the adapter's mutex).
 */
#include "io/source_libyal.h"
#include "io/source_error.h"

#include <errno.h>
#include <stdio.h>

#include <libvhdi.h>

MLVM_LIBYAL_FILE_FUNCTIONS(vhdi, libvhdi, LIBVHDI_OPEN_READ)

/* a differencing image: refused with its parent's name */
static int vhdi_examine(const struct mlvm_libyal *lib, void *h, const char *path,
			const char *format, void *ctx, uint64_t *aux,
			struct mlvm_report *r)
{
	libvhdi_error_t *e = NULL;
	uint32_t disk_type = 0;
	uint8_t parent[256];
	size_t parent_size = 0;
	char what[64];
	int rc;

	if (libvhdi_file_get_disk_type(h, &disk_type, &e) != 1) {
		snprintf(what, sizeof(what), "it is a %s image whose header libvhdi cannot read",
			 format);
		return mlvm_libyal_error(lib, -EIO, e, what, NULL, r, path);
	}
	if (disk_type != LIBVHDI_DISK_TYPE_DIFFERENTIAL)
		return 0;
	rc = libvhdi_file_get_utf8_parent_filename_size(h, &parent_size, &e);
	if (rc != 1 || parent_size < 2 || parent_size > sizeof(parent) ||
	    libvhdi_file_get_utf8_parent_filename(h, parent, sizeof(parent), &e) != 1)
		snprintf((char *)parent, sizeof(parent), "name unreadable");
	if (e)
		libvhdi_error_free(&e);
	return mlvm_source_fail(r, path, -ENOTSUP,
		"it is a differencing %s image over a parent (%s), which libvhdi does not "
		"open by itself: mlvm cannot read it alone; merge it first "
		"(qemu-img convert -O raw %s OUT.raw)", format, (const char *)parent, path);
}

static const struct mlvm_libyal vhdi_lib = {
	.lib = "libvhdi",
	.article = "a",
	.header = "header",
	.initialize = vhdi_initialize,
	.open = vhdi_open,
	.media_size = vhdi_media_size,
	.examine = vhdi_examine,
	.read = vhdi_read,
	.close = vhdi_close,
	.error_text = vhdi_error_text,
};

int mlvm_source_open_vhdi(const char *path, const char *format, struct mlvm_source **out,
			  struct mlvm_report *r)
{
	return mlvm_libyal_open(&vhdi_lib, path, format, NULL, out, r);
}
