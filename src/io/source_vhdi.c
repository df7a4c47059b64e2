/*
 * source_vhdi.c - VHD (fixed, dynamic) and VHDX images through libvhdi,
 * read-only.
 *
 * libvhdi does not find or open the parent of a differencing image by
 * itself (the caller would open it and hand it over with
 * libvhdi_file_set_parent_file), so a differencing image is refused with
 * its parent's name rather than read with holes. libvhdi (20210425) is
 * built with multi-thread support, but reads are still serialised per
 * source with a mutex: one reader at a time per handle.
 */
#include "io/detect.h"
#include "io/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvhdi.h>

#define VHDI_READ_MAX (16u << 20)

struct vhdi_priv {
	libvhdi_file_t *f;
	pthread_mutex_t lock;
};

static int vhdi_error(int rc, libvhdi_error_t **e, const char *what, const char *path)
{
	char msg[2048] = "";

	if (*e) {
		if (libvhdi_error_backtrace_sprint(*e, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		libvhdi_error_free(e);
	}
	return mlvm_source_set_error(rc, "%s%s%s: %s", what, path ? " " : "",
				     path ? path : "", mlvm_source_lib_message(msg, "libvhdi"));
}

static int vhdi_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct vhdi_priv *p = s->priv;
	uint8_t *b = buf;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	while (len > 0) {
		libvhdi_error_t *e = NULL;
		size_t want = len < VHDI_READ_MAX ? len : VHDI_READ_MAX;
		ssize_t n = libvhdi_file_read_buffer_at_offset(p->f, b, want, (off64_t)off, &e);

		if (n < 0) {
			rc = vhdi_error(-EIO, &e, "cannot read", s->name);
			break;
		}
		if (e)
			libvhdi_error_free(&e);
		if (n == 0) {
			rc = mlvm_source_set_error(-EIO, "cannot read %s: libvhdi returned no data at byte %llu",
						   s->name, (unsigned long long)off);
			break;
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int vhdi_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	return -EROFS;
}

static int vhdi_sync(struct mlvm_source *s)
{
	return 0;
}

static void vhdi_close(struct mlvm_source *s)
{
	struct vhdi_priv *p = s->priv;

	libvhdi_file_close(p->f, NULL);
	libvhdi_file_free(&p->f, NULL);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct mlvm_source_ops vhdi_ops = {
	.pread = vhdi_pread,
	.pwrite = vhdi_pwrite,
	.sync = vhdi_sync,
	.close = vhdi_close,
};

int mlvm_source_open_vhdi(const char *path, enum mlvm_format f, struct mlvm_source **out)
{
	const char *name = mlvm_format_name(f);
	libvhdi_error_t *e = NULL;
	struct mlvm_source *s = NULL;
	struct vhdi_priv *p = NULL;
	uint32_t disk_type = 0;
	uint8_t parent[256];
	size_t parent_size = 0;
	size64_t size = 0;
	int rc, opened = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p || !(s->name = strdup(path))) {
		rc = -ENOMEM;
		goto fail;
	}
	if (libvhdi_file_initialize(&p->f, &e) != 1) {
		rc = vhdi_error(-ENOMEM, &e, "cannot open", path);
		goto fail;
	}
	if (libvhdi_file_open(p->f, path, LIBVHDI_OPEN_READ, &e) != 1) {
		char what[64];

		snprintf(what, sizeof(what), "it is a %s image that libvhdi cannot open", name);
		rc = vhdi_error(-EIO, &e, what, NULL);
		goto fail;
	}
	opened = 1;
	if (libvhdi_file_get_disk_type(p->f, &disk_type, &e) != 1 ||
	    libvhdi_file_get_media_size(p->f, &size, &e) != 1) {
		char what[64];

		snprintf(what, sizeof(what), "it is a %s image whose header libvhdi cannot read", name);
		rc = vhdi_error(-EIO, &e, what, NULL);
		goto fail;
	}
	if (disk_type == LIBVHDI_DISK_TYPE_DIFFERENTIAL) {
		rc = libvhdi_file_get_utf8_parent_filename_size(p->f, &parent_size, &e);
		if (rc != 1 || parent_size < 2 || parent_size > sizeof(parent) ||
		    libvhdi_file_get_utf8_parent_filename(p->f, parent, sizeof(parent), &e) != 1)
			snprintf((char *)parent, sizeof(parent), "name unreadable");
		if (e)
			libvhdi_error_free(&e);
		rc = mlvm_source_set_error(-ENOTSUP,
			"it is a differencing %s image over a parent (%s), which libvhdi does not "
			"open by itself: mlvm cannot read it alone; merge it first "
			"(qemu-img convert -O raw %s OUT.raw)", name, (const char *)parent, path);
		goto fail;
	}
	pthread_mutex_init(&p->lock, NULL);
	s->size = (uint64_t)size;
	s->ops = &vhdi_ops;
	s->priv = p;
	*out = s;
	return 0;
fail:
	if (p && p->f) {
		if (opened)
			libvhdi_file_close(p->f, NULL);
		libvhdi_file_free(&p->f, NULL);
	}
	if (s)
		free(s->name);
	free(s);
	free(p);
	return rc;
}
