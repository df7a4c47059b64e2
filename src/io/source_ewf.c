/*
 * source_ewf.c - EWF (E01, Ex01) images through libewf, read-only.
 *
 * The segment files (.E01, .E02, ...) are found from the one given with
 * libewf_glob(); a file whose name libewf_glob() does not understand (it
 * goes by the extension) is opened alone, as a single segment. libewf is
 * not thread-safe (the Debian 12 build, 20140813, has no multi-thread
 * support and keeps a current offset per handle): reads are serialised per
 * source with a mutex.
 */
#include "io/detect.h"
#include "io/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libewf.h>

/* at most this much per library call */
#define EWF_READ_MAX (16u << 20)

struct ewf_priv {
	libewf_handle_t *h;
	pthread_mutex_t lock;
	uint32_t bytes_per_sector;
};

/*
 * A chunk whose checksum does not match is still returned by libewf (and
 * recorded, once, in its list of checksum errors): a read that touches
 * one fails instead, so that damage is reported, never passed on as data.
 * 0, or -EIO with the sectors named.
 */
static int ewf_check_checksums(struct mlvm_source *s, uint64_t off, uint64_t len)
{
	struct ewf_priv *p = s->priv;
	uint32_t n = 0, i;
	uint64_t start, count, bps = p->bytes_per_sector ? p->bytes_per_sector : 512;

	if (libewf_handle_get_number_of_checksum_errors(p->h, &n, NULL) != 1)
		return 0;
	for (i = 0; i < n; i++) {
		if (libewf_handle_get_checksum_error(p->h, i, &start, &count, NULL) != 1)
			continue;
		/* [start, start+count) sectors against [off, off+len) bytes */
		if (start > UINT64_MAX / bps || count > UINT64_MAX / bps)
			continue;
		if (start * bps < off + len && off < start * bps + count * bps)
			return mlvm_source_set_error(-EIO,
				"cannot read %s: checksum error in EWF sectors %llu-%llu",
				s->name, (unsigned long long)start,
				(unsigned long long)(start + count - 1));
	}
	return 0;
}

/* rc with the library's message, in mlvm_source_strerror(); frees e */
static int ewf_error(int rc, libewf_error_t **e, const char *what, const char *path)
{
	char msg[2048] = "";

	if (*e) {
		if (libewf_error_backtrace_sprint(*e, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		libewf_error_free(e);
	}
	return mlvm_source_set_error(rc, "%s%s%s: %s", what, path ? " " : "",
				     path ? path : "", mlvm_source_lib_message(msg, "libewf"));
}

static int ewf_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct ewf_priv *p = s->priv;
	uint8_t *b = buf;
	uint64_t start = off, total = len;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	while (len > 0) {
		libewf_error_t *e = NULL;
		size_t want = len < EWF_READ_MAX ? len : EWF_READ_MAX;
		ssize_t n;

#if LIBEWF_VERSION >= 20160000
		n = libewf_handle_read_buffer_at_offset(p->h, b, want, (off64_t)off, &e);
#else
		n = libewf_handle_read_random(p->h, b, want, (off64_t)off, &e);
#endif
		if (n < 0) {
			rc = ewf_error(-EIO, &e, "cannot read", s->name);
			break;
		}
		if (e)
			libewf_error_free(&e);
		if (n == 0) {
			rc = mlvm_source_set_error(-EIO, "cannot read %s: libewf returned no data at byte %llu",
						   s->name, (unsigned long long)off);
			break;
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	if (!rc)
		rc = ewf_check_checksums(s, start, total);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int ewf_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	return -EROFS;
}

static int ewf_sync(struct mlvm_source *s)
{
	return 0;
}

static void ewf_close(struct mlvm_source *s)
{
	struct ewf_priv *p = s->priv;
	libewf_error_t *e = NULL;

	if (libewf_handle_close(p->h, &e) != 0 && e)
		libewf_error_free(&e);
	if (libewf_handle_free(&p->h, &e) != 1 && e)
		libewf_error_free(&e);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct mlvm_source_ops ewf_ops = {
	.pread = ewf_pread,
	.pwrite = ewf_pwrite,
	.sync = ewf_sync,
	.close = ewf_close,
};

int mlvm_source_open_ewf(const char *path, struct mlvm_source **out)
{
	libewf_error_t *e = NULL;
	char **names = NULL;
	char *one[1] = { (char *)path };
	int n = 0, globbed, rc;
	struct mlvm_source *s = NULL;
	struct ewf_priv *p = NULL;
	size64_t size = 0;

	*out = NULL;
	globbed = libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &names, &n, &e) == 1 &&
		  n > 0;
	if (e)
		libewf_error_free(&e);
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p || !(s->name = strdup(path))) {
		rc = -ENOMEM;
		goto fail;
	}
	if (libewf_handle_initialize(&p->h, &e) != 1) {
		rc = ewf_error(-ENOMEM, &e, "cannot open", path);
		goto fail;
	}
	if (libewf_handle_open(p->h, globbed ? names : one, globbed ? n : 1,
			       LIBEWF_OPEN_READ, &e) != 1) {
		rc = ewf_error(-EIO, &e, "it is an EWF image that libewf cannot open", NULL);
		libewf_handle_free(&p->h, NULL);
		goto fail;
	}
	if (libewf_handle_get_media_size(p->h, &size, &e) != 1) {
		rc = ewf_error(-EIO, &e, "it is an EWF image whose media size libewf cannot read", NULL);
		libewf_handle_close(p->h, NULL);
		libewf_handle_free(&p->h, NULL);
		goto fail;
	}
	/* a missing or cut segment file: libewf would read its chunks as
	 * zeros (or garbage), silently */
	if (libewf_handle_segment_files_corrupted(p->h, &e) != 0) {
		if (e)
			libewf_error_free(&e);
		rc = mlvm_source_set_error(-EIO,
			"it is an EWF image whose segment files are incomplete or damaged "
			"(libewf found %d: %s%s; is a later segment missing?)",
			globbed ? n : 1, globbed ? names[0] : path, globbed && n > 1 ? " ..." : "");
		libewf_handle_close(p->h, NULL);
		libewf_handle_free(&p->h, NULL);
		goto fail;
	}
	if (libewf_handle_get_bytes_per_sector(p->h, &p->bytes_per_sector, &e) != 1 && e)
		libewf_error_free(&e);
	if (globbed)
		libewf_glob_free(names, n, NULL);
	pthread_mutex_init(&p->lock, NULL);
	s->size = (uint64_t)size;
	s->ops = &ewf_ops;
	s->priv = p;
	*out = s;
	return 0;
fail:
	if (globbed)
		libewf_glob_free(names, n, NULL);
	if (s)
		free(s->name);
	free(s);
	free(p);
	return rc;
}
