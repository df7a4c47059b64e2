/*
 * source_qcow.c - qcow (versions 1 to 3) images through libqcow, read-only.
 *
 * libqcow does not find or open a backing file by itself (the caller would
 * have to open it and hand it over with libqcow_file_set_parent_file, and
 * only a qcow one), so an image with a backing file is refused with its
 * name rather than read with holes; so is an encrypted one. libqcow
 * (20201213) is built with multi-thread support, but reads are still
 * serialised per source with a mutex: one reader at a time per handle.
 */
#include "io/detect.h"
#include "io/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libqcow.h>

#define QCOW_READ_MAX (16u << 20)

struct qcow_priv {
	libqcow_file_t *f;
	pthread_mutex_t lock;
};

static int qcow_error(int rc, libqcow_error_t **e, const char *what, const char *path)
{
	char msg[2048] = "";

	if (*e) {
		if (libqcow_error_backtrace_sprint(*e, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		libqcow_error_free(e);
	}
	return mlvm_source_set_error(rc, "%s%s%s: %s", what, path ? " " : "",
				     path ? path : "", mlvm_source_lib_message(msg, "libqcow"));
}

static int qcow_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct qcow_priv *p = s->priv;
	uint8_t *b = buf;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	while (len > 0) {
		libqcow_error_t *e = NULL;
		size_t want = len < QCOW_READ_MAX ? len : QCOW_READ_MAX;
		ssize_t n = libqcow_file_read_buffer_at_offset(p->f, b, want, (off64_t)off, &e);

		if (n < 0) {
			rc = qcow_error(-EIO, &e, "cannot read", s->name);
			break;
		}
		if (e)
			libqcow_error_free(&e);
		if (n == 0) {
			rc = mlvm_source_set_error(-EIO, "cannot read %s: libqcow returned no data at byte %llu",
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

static int qcow_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	return -EROFS;
}

static int qcow_sync(struct mlvm_source *s)
{
	return 0;
}

static void qcow_close(struct mlvm_source *s)
{
	struct qcow_priv *p = s->priv;

	libqcow_file_close(p->f, NULL);
	libqcow_file_free(&p->f, NULL);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct mlvm_source_ops qcow_ops = {
	.pread = qcow_pread,
	.pwrite = qcow_pwrite,
	.sync = qcow_sync,
	.close = qcow_close,
};

int mlvm_source_open_qcow(const char *path, struct mlvm_source **out)
{
	libqcow_error_t *e = NULL;
	struct mlvm_source *s = NULL;
	struct qcow_priv *p = NULL;
	uint32_t version = 0, method = 0;
	uint8_t backing[256];
	size_t backing_size = 0;
	size64_t size = 0;
	int rc, opened = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p || !(s->name = strdup(path))) {
		rc = -ENOMEM;
		goto fail;
	}
	if (libqcow_file_initialize(&p->f, &e) != 1) {
		rc = qcow_error(-ENOMEM, &e, "cannot open", path);
		goto fail;
	}
	if (libqcow_file_open(p->f, path, LIBQCOW_OPEN_READ, &e) != 1) {
		rc = qcow_error(-EIO, &e, "it is a qcow image that libqcow cannot open", NULL);
		goto fail;
	}
	opened = 1;
	if (libqcow_file_get_format_version(p->f, &version, &e) != 1 ||
	    libqcow_file_get_encryption_method(p->f, &method, &e) != 1 ||
	    libqcow_file_get_media_size(p->f, &size, &e) != 1) {
		rc = qcow_error(-EIO, &e, "it is a qcow image whose header libqcow cannot read", NULL);
		goto fail;
	}
	if (method != LIBQCOW_ENCRYPTION_METHOD_NONE) {
		rc = mlvm_source_set_error(-ENOTSUP,
			"it is an encrypted qcow%s image (method %u): mlvm does not decrypt it "
			"(qemu-img convert -O raw with the key does)",
			version >= 2 ? "2" : "", (unsigned)method);
		goto fail;
	}
	rc = libqcow_file_get_utf8_backing_filename_size(p->f, &backing_size, &e);
	if (rc == 1 && backing_size > 1) {
		if (backing_size > sizeof(backing) ||
		    libqcow_file_get_utf8_backing_filename(p->f, backing, sizeof(backing), &e) != 1)
			snprintf((char *)backing, sizeof(backing), "name unreadable");
		if (e)
			libqcow_error_free(&e);
		rc = mlvm_source_set_error(-ENOTSUP,
			"it is a qcow%s image over a backing file (%s), which libqcow does not open "
			"by itself: mlvm cannot read it alone; flatten it first "
			"(qemu-img convert -O raw %s OUT.raw)",
			version >= 2 ? "2" : "", (const char *)backing, path);
		goto fail;
	}
	if (e)
		libqcow_error_free(&e);
	pthread_mutex_init(&p->lock, NULL);
	s->size = (uint64_t)size;
	s->ops = &qcow_ops;
	s->priv = p;
	*out = s;
	return 0;
fail:
	if (p && p->f) {
		if (opened)
			libqcow_file_close(p->f, NULL);
		libqcow_file_free(&p->f, NULL);
	}
	if (s)
		free(s->name);
	free(s);
	free(p);
	return rc;
}
