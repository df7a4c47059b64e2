/*
 * source_ewf.c - EWF (E01, Ex01) images through libewf, read-only.
 *
 * The segment files (.E01, .E02, ...) are found from the one given with
 * libewf_glob(); a file whose name libewf_glob() does not understand (it
 * goes by the extension) is opened alone, as a single segment. libewf is
 * not thread-safe (the Debian 12 build, 20140813, has no multi-thread
 * support and keeps a current offset per handle): reads are serialised per
 * handle (the libyal adapter's mutex, source_libyal.h; this is libewf's
 * table for it), and large reads are spread over worker threads that each
 * open their own handle on the same segment files (the glob is kept for
 * them).
 */
#include "io/source_libyal.h"
#include "io/source_error.h"
#include "io/source.h"
#include "io/detect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libewf.h>

/* the segment files libewf_glob() found for the opener */
struct ewf_glob {
	char **names;
	int n;
	int globbed;
};

/*
 * A chunk whose checksum does not match is still returned by libewf (and
 * recorded, once, in its list of checksum errors): a read that touches
 * one fails instead, so that damage is reported, never passed on as data.
 * aux is the image's bytes per sector (0: unknown, 512 assumed).
 * 0, or -EIO.
 */
static int ewf_check(struct mlvm_source *s, void *h, uint64_t aux, uint64_t off, uint64_t len)
{
	uint32_t n = 0, i;
	uint64_t start, count, bps = aux ? aux : 512;

	if (libewf_handle_get_number_of_checksum_errors(h, &n, NULL) != 1)
		return 0;
	for (i = 0; i < n; i++) {
		if (libewf_handle_get_checksum_error(h, i, &start, &count, NULL) != 1)
			continue;
		/* [start, start+count) sectors against [off, off+len) bytes */
		if (start > UINT64_MAX / bps || count > UINT64_MAX / bps)
			continue;
		if (start * bps < off + len && off < start * bps + count * bps)
			return -EIO;
	}
	return 0;
}

static int ewf_initialize(void **h, void **e)
{
	libewf_handle_t *hd = NULL;
	libewf_error_t *err = NULL;
	int rc = libewf_handle_initialize(&hd, &err);

	*h = hd;
	*e = err;
	return rc;
}

static int ewf_open(void *h, const char *path, void *ctx, void **e)
{
	struct ewf_glob *g = ctx;
	char *one[1] = { (char *)path };
	libewf_error_t *err = NULL;
	int rc = libewf_handle_open(h, g->globbed ? g->names : one, g->globbed ? g->n : 1,
				    LIBEWF_OPEN_READ, &err);

	*e = err;
	return rc;
}

static int ewf_media_size(void *h, uint64_t *size, void **e)
{
	libewf_error_t *err = NULL;
	size64_t sz = 0;
	int rc = libewf_handle_get_media_size(h, &sz, &err);

	*size = (uint64_t)sz;
	*e = err;
	return rc;
}

/* a missing or cut segment file; the bytes per sector for ewf_check */
static int ewf_examine(const struct mlvm_libyal *lib, void *h, const char *path,
		       const char *format, void *ctx, uint64_t *aux, struct mlvm_report *r)
{
	const struct ewf_glob *g = ctx;
	libewf_error_t *e = NULL;
	uint32_t bps = 0;

	/* libewf would read the missing chunks as zeros (or garbage), silently */
	if (libewf_handle_segment_files_corrupted(h, &e) != 0) {
		if (e)
			libewf_error_free(&e);
		return mlvm_source_fail(r, path, -EIO,
			"it is an EWF image whose segment files are incomplete or damaged "
			"(libewf found %d: %s%s; is a later segment missing?)",
			g->globbed ? g->n : 1, g->globbed ? g->names[0] : path,
			g->globbed && g->n > 1 ? " ..." : "");
	}
	if (libewf_handle_get_bytes_per_sector(h, &bps, &e) != 1 && e)
		libewf_error_free(&e);
	*aux = bps;
	return 0;
}

static ssize_t ewf_read(void *h, void *buf, size_t len, uint64_t off, void **e)
{
	libewf_error_t *err = NULL;
	ssize_t n;

#if LIBEWF_VERSION >= 20160000
	n = libewf_handle_read_buffer_at_offset(h, buf, len, (off64_t)off, &err);
#else
	n = libewf_handle_read_random(h, buf, len, (off64_t)off, &err);
#endif
	*e = err;
	return n;
}

/* the acquisition MD5 or SHA-1 the image stores (libewf's own API) */
static int ewf_stored_hash(void *h, enum mlvm_digest_alg alg, unsigned char *md, size_t size)
{
	libewf_error_t *e = NULL;
	size_t want = alg == MLVM_DIGEST_MD5 ? 16 : alg == MLVM_DIGEST_SHA1 ? 20 : 0;
	int rc;

	if (!want || size < want)
		return 0;	/* EWF stores no SHA-256 */
	rc = alg == MLVM_DIGEST_MD5 ? libewf_handle_get_md5_hash(h, md, want, &e) :
				      libewf_handle_get_sha1_hash(h, md, want, &e);
	if (e)
		libewf_error_free(&e);
	return rc == 1 ? (int)want : rc == 0 ? 0 : -1;
}

static void ewf_close(void *h, int opened)
{
	libewf_handle_t *hd = h;
	libewf_error_t *e = NULL;

	if (opened && libewf_handle_close(hd, &e) != 0 && e)
		libewf_error_free(&e);
	if (libewf_handle_free(&hd, &e) != 1 && e)
		libewf_error_free(&e);
}

static void ewf_error_text(void *e, char *msg, size_t size)
{
	libewf_error_t *err = e;

	if (libewf_error_backtrace_sprint(err, msg, size) < 0)
		msg[0] = '\0';
	libewf_error_free(&err);
}

static void ewf_glob_free(void *ctx)
{
	struct ewf_glob *g = ctx;

	if (g && g->globbed)
		libewf_glob_free(g->names, g->n, NULL);
	free(g);
}

static const struct mlvm_libyal ewf_lib = {
	.lib = "libewf",
	.article = "an",
	.header = "media size",
	.initialize = ewf_initialize,
	.open = ewf_open,
	.media_size = ewf_media_size,
	.examine = ewf_examine,
	.read = ewf_read,
	.check = ewf_check,
	.stored_hash = ewf_stored_hash,
	.close = ewf_close,
	.error_text = ewf_error_text,
	.ctx_free = ewf_glob_free,
	.parallel = 1,
};

int mlvm_source_open_ewf(const char *path, struct mlvm_source **out, struct mlvm_report *r)
{
	libewf_error_t *e = NULL;
	struct ewf_glob *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return mlvm_source_fail(r, path, -ENOMEM, "%s", strerror(ENOMEM));
	g->globbed = libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &g->names, &g->n,
				 &e) == 1 && g->n > 0;
	if (e)
		libewf_error_free(&e);
	/* g is the adapter's from here on */
	return mlvm_libyal_open(&ewf_lib, path, "EWF", g, out, r);
}

int mlvm_ewf_segment_files(const char *path, char ***paths, size_t *n)
{
	libewf_error_t *e = NULL;
	char **names = NULL;
	int count = 0, i;

	*paths = NULL;
	*n = 0;
	if (libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &names, &count, &e) != 1 ||
	    count <= 0) {
		if (e)
			libewf_error_free(&e);
		return 0;	/* not a name libewf understands: opened alone */
	}
	*paths = calloc((size_t)count, sizeof(**paths));
	for (i = 0; *paths && i < count; i++)
		if (!((*paths)[i] = strdup(names[i])))
			break;
	libewf_glob_free(names, count, NULL);
	if (!*paths || i < count) {
		mlvm_container_files_free(*paths, (size_t)i);
		*paths = NULL;
		return -ENOMEM;
	}
	*n = (size_t)count;
	return 0;
}
