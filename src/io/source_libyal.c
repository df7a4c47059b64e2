/*
 * source_libyal.c - the adapter shared by the libyal container libraries
 * (see source_libyal.h).
 */
#include "io/source_libyal.h"
#include "io/source_error.h"
#include "io/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* at most this much per library call */
#define LIBYAL_READ_MAX (16u << 20)

struct libyal_priv {
	const struct mlvm_libyal *lib;
	void *h;
	uint64_t aux;		/* examine's, for check */
	pthread_mutex_t lock;
};

int mlvm_libyal_error(const struct mlvm_libyal *lib, int rc, void *e, const char *what,
		      const char *name, struct mlvm_report *r, const char *path)
{
	char msg[2048] = "";

	if (e)
		lib->error_text(e, msg, sizeof(msg));
	return mlvm_source_fail(r, path, rc, "%s%s%s: %s", what, name ? " " : "",
				name ? name : "", mlvm_source_lib_message(msg, sizeof(msg), lib->lib));
}

static void drop_error(const struct mlvm_libyal *lib, void *e)
{
	char msg[8];

	if (e)
		lib->error_text(e, msg, sizeof(msg));
}

static int libyal_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct libyal_priv *p = s->priv;
	const struct mlvm_libyal *lib = p->lib;
	uint8_t *b = buf;
	uint64_t start = off, total = len;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	while (len > 0) {
		void *e = NULL;
		size_t want = len < LIBYAL_READ_MAX ? len : LIBYAL_READ_MAX;
		ssize_t n = lib->read(p->h, b, want, off, &e);

		drop_error(lib, e);
		/* an error, or no data before the end of the media */
		if (n <= 0) {
			rc = -EIO;
			break;
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	if (!rc && lib->check)
		rc = lib->check(s, p->h, p->aux, start, total);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int libyal_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	return -EROFS;
}

static int libyal_sync(struct mlvm_source *s)
{
	return 0;
}

static void libyal_close(struct mlvm_source *s)
{
	struct libyal_priv *p = s->priv;

	p->lib->close(p->h, 1);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int libyal_stored_hash(struct mlvm_source *s, enum mlvm_digest_alg alg, char *hex)
{
	struct libyal_priv *p = s->priv;
	unsigned char md[64];
	int n;

	if (!p->lib->stored_hash)
		return 0;
	pthread_mutex_lock(&p->lock);
	n = p->lib->stored_hash(p->h, alg, md, sizeof(md));
	pthread_mutex_unlock(&p->lock);
	if (n <= 0)
		return n < 0 ? -EIO : 0;
	mlvm_hex(md, (size_t)n, hex);
	return 1;
}

static const struct mlvm_source_ops libyal_ops = {
	.stored_hash = libyal_stored_hash,
	.pread = libyal_pread,
	.pwrite = libyal_pwrite,
	.sync = libyal_sync,
	.close = libyal_close,
};

int mlvm_libyal_open(const struct mlvm_libyal *lib, const char *path, const char *format,
		     void *ctx, struct mlvm_source **out, struct mlvm_report *r)
{
	struct mlvm_source *s = NULL;
	struct libyal_priv *p = NULL;
	char what[96];
	uint64_t size = 0;
	void *e = NULL;
	int rc, opened = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p || !(s->name = strdup(path))) {
		rc = mlvm_source_fail(r, path, -ENOMEM, "%s", strerror(ENOMEM));
		goto fail;
	}
	p->lib = lib;
	if (lib->initialize(&p->h, &e) != 1) {
		p->h = NULL;
		rc = mlvm_libyal_error(lib, -ENOMEM, e, "cannot open", path, r, path);
		goto fail;
	}
	if (lib->open(p->h, path, ctx, &e) != 1) {
		snprintf(what, sizeof(what), "it is %s %s image that %s cannot open",
			 lib->article, format, lib->lib);
		rc = mlvm_libyal_error(lib, -EIO, e, what, NULL, r, path);
		goto fail;
	}
	opened = 1;
	if (lib->media_size(p->h, &size, &e) != 1) {
		snprintf(what, sizeof(what), "it is %s %s image whose %s %s cannot read",
			 lib->article, format, lib->header, lib->lib);
		rc = mlvm_libyal_error(lib, -EIO, e, what, NULL, r, path);
		goto fail;
	}
	if (lib->examine) {
		rc = lib->examine(lib, p->h, path, format, ctx, &p->aux, r);
		if (rc)
			goto fail;
	}
	pthread_mutex_init(&p->lock, NULL);
	s->size = size;
	s->ops = &libyal_ops;
	s->priv = p;
	*out = s;
	return 0;
fail:
	if (p && p->h)
		lib->close(p->h, opened);
	if (s)
		free(s->name);
	free(s);
	free(p);
	return rc;
}
