/*
 * record.c - the case record, --record FILE (see record.h; the format is
 * doc/interface.md's "The case record").
 */
#include "cli/record.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/report.h"
#include "io/detect.h"
#include "io/hash.h"
#include "io/source.h"

struct cli_record {
	int argc;
	char **argv;		/* the command line as given */
	struct timespec start;
	int fd;			/* FILE, open for appending; -1 before cli_record_open */
	char *path;
	bool hash;
	char **images;		/* as given, each once */
	size_t n_images;
	bool have_output;	/* export's */
	char *out_path;
	char *out_real;		/* resolved, or NULL */
	uint64_t out_size;
	char out_sha256[65];	/* "" when not hashed */
	bool oom;		/* something could not be kept: said in the record */
};

struct cli_record *cli_record_snapshot(int argc, char *const *argv)
{
	struct cli_record *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = -1;
	clock_gettime(CLOCK_REALTIME, &r->start);
	r->argv = calloc((size_t)argc + 1, sizeof(*r->argv));
	if (!r->argv) {
		free(r);
		return NULL;
	}
	for (r->argc = 0; r->argc < argc; r->argc++) {
		r->argv[r->argc] = strdup(argv[r->argc]);
		if (!r->argv[r->argc]) {
			cli_record_free(r);
			return NULL;
		}
	}
	return r;
}

void cli_record_free(struct cli_record *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < (size_t)r->argc; i++)
		free(r->argv[i]);
	free(r->argv);
	for (i = 0; i < r->n_images; i++)
		free(r->images[i]);
	free(r->images);
	free(r->path);
	free(r->out_path);
	free(r->out_real);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

/* a and b are the same file: one inode, or one block device under two names */
static bool same_file(const struct stat *a, const struct stat *b)
{
	if (a->st_dev == b->st_dev && a->st_ino == b->st_ino)
		return true;
	return S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode) && a->st_rdev == b->st_rdev;
}

/* the word of the command line that names the file st is, or NULL */
static const char *named_by(const struct stat *st, int n, char *const *words)
{
	struct stat ws;
	int i;

	for (i = 0; i < n; i++) {
		const char *eq = strchr(words[i], '=');

		if (stat(words[i], &ws) == 0 && same_file(st, &ws))
			return words[i];
		/* --pv PV=IMAGE, --opt=FILE */
		if (eq && eq[1] && stat(eq + 1, &ws) == 0 && same_file(st, &ws))
			return eq + 1;
	}
	return NULL;
}

/* found, or the image of a --pv PV=IMAGE (split from its word already) that is st */
static const char *pv_image_named(const struct cli *c, const struct stat *st, const char *found)
{
	struct stat ws;
	size_t i;

	for (i = 0; !found && i < c->n_pv_choices; i++)
		if (stat(c->pv_choices[i].image, &ws) == 0 && same_file(st, &ws))
			found = c->pv_choices[i].image;
	return found;
}

int cli_record_open(struct cli *c, struct cli_record *r, const char *path, bool hash,
		    int n_words, char *const *words)
{
	struct stat st;
	const char *input = NULL;
	bool created = false;

	r->hash = hash;
	r->path = strdup(path);
	if (!r->path) {
		cli_err(c, "out of memory");
		cli_record_free(r);
		return EXIT_FAILED;
	}
	/* never opened for writing when it is one of the files given */
	if (stat(path, &st) == 0)
		input = pv_image_named(c, &st, named_by(&st, n_words, words));
	if (!input) {
		int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;

		r->fd = open(path, flags | O_CREAT | O_EXCL, 0644);
		created = r->fd >= 0;
		if (r->fd < 0 && errno == EEXIST)
			r->fd = open(path, flags);
		if (r->fd < 0) {
			cli_fail(c, "record", path, "cannot open the record file %s: %s", path,
				 strerror(errno));
			cli_record_free(r);
			return EXIT_FAILED;
		}
		/* a name that came to be one of them in between */
		if (fstat(r->fd, &st) == 0)
			input = pv_image_named(c, &st, named_by(&st, n_words, words));
	}
	if (input) {
		if (created)	/* the file made just now is an output named too (-o) */
			unlink(path);
		cli_fail(c, "record", path,
			 "--record %s is the same file as %s, given on the command line: the "
			 "record is never written to an input", path, input);
		cli_record_free(r);
		return EXIT_FAILED;
	}
	c->record = r;
	cli_reports_keep();
	return EXIT_DONE;
}

void cli_record_images(const struct cli *c, char *const *images, int n)
{
	struct cli_record *r = c->record;
	char **v;
	size_t k;
	int i;

	if (!r)
		return;
	for (i = 0; i < n; i++) {
		for (k = 0; k < r->n_images; k++)
			if (!strcmp(r->images[k], images[i]))
				break;
		if (k < r->n_images)
			continue;
		v = realloc(r->images, (r->n_images + 1) * sizeof(*v));
		if (!v || !(v[r->n_images] = strdup(images[i]))) {
			if (v)
				r->images = v;
			r->oom = true;
			return;
		}
		r->images = v;
		r->n_images++;
	}
}

void cli_record_output(const struct cli *c, const char *path, uint64_t size,
		       const char *sha256)
{
	struct cli_record *r = c->record;

	if (!r)
		return;
	free(r->out_path);
	free(r->out_real);
	r->out_real = strcmp(path, "-") ? realpath(path, NULL) : NULL;	/* stdout: NULL */
	r->out_path = strdup(path);
	if (!r->out_path)
		r->oom = true;
	r->have_output = r->out_path != NULL;
	r->out_size = size;
	snprintf(r->out_sha256, sizeof(r->out_sha256), "%s", sha256 ? sha256 : "");
}

/* ------------------------------------------------------------ the record */

/* UTC, ISO 8601 with milliseconds: 2026-12-02T17:52:57.123Z */
static void iso_ms(const struct timespec *t, char *buf, size_t len)
{
	struct tm tm;
	char s[32];

	if (!gmtime_r(&t->tv_sec, &tm) || !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm))
		s[0] = '\0';
	snprintf(buf, len, "%s.%03ldZ", s, (long)(t->tv_nsec / 1000000));
}

static int on_hash_progress(void *ud, uint64_t done, uint64_t total)
{
	(void)total;
	cli_progress_draw(ud, done, false);
	return 0;
}

/* hash s (what as "file" or "media", in the bar's words) */
static int hash_one(struct mlvm_source *s, const char *name, const char *what, unsigned algs,
		    struct mlvm_hashes *h, char *err, size_t elen)
{
	struct cli_progress pr;
	char label[128], cut[64];
	int rc;

	snprintf(label, sizeof(label), "hashing %s (%s)", cli_ellipsize(name, 40, cut, sizeof(cut)),
		 what);
	cli_progress_start(&pr, s->size, label);
	rc = mlvm_source_hash(s, algs, on_hash_progress, &pr, h);
	if (!rc)
		cli_progress_draw(&pr, s->size, true);
	cli_progress_end(&pr, false);
	if (rc && h->error_offset >= 0)
		snprintf(err, elen, "cannot read the %s bytes at byte %lld: %s", what,
			 (long long)h->error_offset, strerror(-rc));
	else if (rc)
		snprintf(err, elen, "cannot hash the %s bytes: %s", what, strerror(-rc));
	return rc;
}

static void json_hex(struct json *j, const char *key, const char *hex)
{
	if (hex && hex[0])
		json_string(j, key, hex);
	else
		json_null(j, key);
}

/*
 * "segments": an EWF image's segment files in order, each with its size
 * and SHA-256 (the one named is hashed once: named_sha is its hash, NULL
 * when not computed); err gets the first failure when it has none yet.
 */
static void segment_entries(struct json *j, const struct cli_record *rec, const char *path,
			    enum mlvm_format fmt, const char *named_sha, char *err, size_t elen)
{
	struct stat named, st;
	char **files = NULL;
	size_t n = 0, i;
	bool have_named = stat(path, &named) == 0;

	if (mlvm_container_files(path, fmt, &files, &n)) {
		json_null(j, "segments");
		if (!err[0])
			snprintf(err, elen, "cannot list the segment files: %s", strerror(ENOMEM));
		return;
	}
	json_begin_array(j, "segments");
	for (i = 0; i < n; i++) {
		struct mlvm_report why;
		struct mlvm_source *seg = NULL;
		struct mlvm_hashes h = { 0 };
		char one[1024] = "";
		bool is_named = have_named && stat(files[i], &st) == 0 && same_file(&named, &st);
		bool ok = false;
		int rc;

		mlvm_report_init(&why);
		json_begin_object(j, NULL);
		json_string(j, "path", files[i]);
		rc = mlvm_source_open(files[i], MLVM_SOURCE_RAW, &seg, &why);
		if (rc)
			snprintf(one, sizeof(one), "cannot open segment %s: %s", files[i],
				 mlvm_source_open_error(&why, rc));
		else if (rec->hash && !is_named)
			ok = hash_one(seg, files[i], "file", MLVM_HASH_BIT(MLVM_DIGEST_SHA256), &h,
				      one, sizeof(one)) == 0;
		if (seg)
			json_uint(j, "size", seg->size);
		else
			json_null(j, "size");
		json_hex(j, "sha256", is_named ? named_sha : ok ? h.hex[MLVM_DIGEST_SHA256] : NULL);
		json_end_object(j);
		if (one[0] && !err[0])
			snprintf(err, elen, "%s", one);
		mlvm_source_close(seg);
		mlvm_report_free(&why);
	}
	json_end_array(j);
	mlvm_container_files_free(files, n);
}

/* one element of "images" */
static void image_entry(struct json *j, const struct cli_record *rec, const char *path)
{
	struct mlvm_report why;
	struct mlvm_source *raw = NULL, *media = NULL;
	struct mlvm_hashes fh = { 0 }, mh = { 0 };
	enum mlvm_format fmt = MLVM_FORMAT_RAW;
	char real[PATH_MAX], err[1024] = "";
	char stored[MLVM_DIGEST_COUNT][MLVM_DIGEST_HEX_MAX] = { { 0 } };
	bool container = false, ewf = false, file_ok = false, media_ok = false;
	unsigned algs = MLVM_HASH_BIT(MLVM_DIGEST_SHA256);
	int rc, fd, alg;

	mlvm_report_init(&why);
	json_begin_object(j, NULL);
	json_string(j, "path", path);
	json_string(j, "resolved", realpath(path, real) ? real : NULL);
	rc = mlvm_source_open(path, MLVM_SOURCE_RAW, &raw, &why);
	if (rc) {
		snprintf(err, sizeof(err), "cannot open %s: %s", path,
			 mlvm_source_open_error(&why, rc));
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || mlvm_detect_fd(fd, raw->size, &fmt))
		fmt = MLVM_FORMAT_RAW;
	if (fd >= 0)
		close(fd);
	container = fmt != MLVM_FORMAT_RAW;
	if (container) {
		rc = mlvm_source_open(path, 0, &media, &why);
		if (rc)
			snprintf(err, sizeof(err), "cannot open %s: %s", path,
				 mlvm_source_open_error(&why, rc));
	}
	/* the acquisition hashes the container stores */
	for (alg = MLVM_DIGEST_MD5; media && alg <= MLVM_DIGEST_SHA1; alg++)
		if (mlvm_source_stored_hash(media, (enum mlvm_digest_alg)alg, stored[alg]) == 1) {
			algs |= MLVM_HASH_BIT(alg);
			ewf = true;
		}
	ewf = ewf || fmt == MLVM_FORMAT_EWF || fmt == MLVM_FORMAT_EWF2;
	if (rec->hash) {
		file_ok = hash_one(raw, path, "file", MLVM_HASH_BIT(MLVM_DIGEST_SHA256), &fh, err,
				   sizeof(err)) == 0;
		if (media && file_ok)
			media_ok = hash_one(media, path, "media", algs, &mh, err, sizeof(err)) == 0;
	}
out:
	json_string(j, "format", raw ? mlvm_format_name(fmt) : NULL);
	if (raw)
		json_uint(j, "size", raw->size);
	else
		json_null(j, "size");
	if (raw && (media || !container))
		json_uint(j, "media_size", media ? media->size : raw->size);
	else
		json_null(j, "media_size");
	json_hex(j, "sha256", file_ok ? fh.hex[MLVM_DIGEST_SHA256] : NULL);
	/* a raw image's media bytes are its file's */
	json_hex(j, "media_sha256", container ? (media_ok ? mh.hex[MLVM_DIGEST_SHA256] : NULL) :
		 file_ok ? fh.hex[MLVM_DIGEST_SHA256] : NULL);
	if (ewf) {
		bool any = false, bad = false;

		json_begin_object(j, "acquisition");
		json_hex(j, "md5", stored[MLVM_DIGEST_MD5]);
		json_hex(j, "sha1", stored[MLVM_DIGEST_SHA1]);
		json_hex(j, "computed_md5", media_ok ? mh.hex[MLVM_DIGEST_MD5] : NULL);
		json_hex(j, "computed_sha1", media_ok ? mh.hex[MLVM_DIGEST_SHA1] : NULL);
		for (alg = MLVM_DIGEST_MD5; media_ok && alg <= MLVM_DIGEST_SHA1; alg++)
			if (stored[alg][0]) {
				any = true;
				bad = bad || strcmp(stored[alg], mh.hex[alg]) != 0;
			}
		/* null: nothing stored, not hashed, or the media could not be read */
		if (any)
			json_bool(j, "verified", !bad);
		else
			json_null(j, "verified");
		json_end_object(j);
	} else {
		json_null(j, "acquisition");
	}
	if (raw && (fmt == MLVM_FORMAT_EWF || fmt == MLVM_FORMAT_EWF2))
		segment_entries(j, rec, path, fmt, file_ok ? fh.hex[MLVM_DIGEST_SHA256] : NULL, err,
				sizeof(err));
	else
		json_null(j, "segments");
	json_string(j, "error", err[0] ? err : NULL);
	json_end_object(j);
	mlvm_source_close(media);
	mlvm_source_close(raw);
	mlvm_report_free(&why);
}

/* write all of buf with as few write(2) calls as the kernel allows: one */
static int write_line(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int cli_record_finish(struct cli *c, int status)
{
	struct cli_record *r = c->record;
	struct timespec end;
	struct json *j;
	char *line = NULL, when[48];
	const char *code, *message;
	size_t len = 0, i;
	FILE *f;
	int rc = -ENOMEM;

	if (!r)
		return status;
	clock_gettime(CLOCK_REALTIME, &end);
	j = malloc(sizeof(*j));
	f = open_memstream(&line, &len);
	if (j && f) {
		json_init(j, f, false);
		json_begin_object(j, NULL);
		json_string(j, "mlvm_version", PACKAGE_VERSION);
		json_begin_array(j, "argv");
		for (i = 0; i < (size_t)r->argc; i++)
			json_string(j, NULL, r->argv[i]);
		json_end_array(j);
		iso_ms(&r->start, when, sizeof(when));
		json_string(j, "start", when);
		iso_ms(&end, when, sizeof(when));
		json_string(j, "end", when);
		json_int(j, "status", status);
		json_bool(j, "hashed", r->hash);
		json_begin_array(j, "images");
		for (i = 0; i < r->n_images; i++)
			image_entry(j, r, r->images[i]);
		json_end_array(j);
		if (r->have_output) {
			json_begin_object(j, "output");
			json_string(j, "path", r->out_path);
			json_string(j, "resolved", r->out_real);
			json_uint(j, "size", r->out_size);
			json_hex(j, "sha256", r->out_sha256);
			json_end_object(j);
		} else {
			json_null(j, "output");
		}
		if (status != EXIT_DONE && cli_failure(&code, &message)) {
			json_begin_object(j, "error");
			json_string(j, "code", code);
			json_string(j, "message", message);
			json_end_object(j);
		} else {
			json_null(j, "error");
		}
		json_bool(j, "complete", !r->oom);
		cli_json_report(j, cli_reports_kept());
		json_end_object(j);
		rc = json_finish(j) || fclose(f) ? -EIO : 0;
		f = NULL;
	}
	if (f)
		fclose(f);
	free(j);
	if (!rc)
		rc = write_line(r->fd, line, len);
	if (!rc && close(r->fd))
		rc = -errno;
	r->fd = -1;
	if (rc) {
		cli_fail(c, "record", r->path, "cannot write the record to %s: %s", r->path,
			 strerror(-rc));
		if (status == EXIT_DONE)
			status = EXIT_FAILED;
	}
	free(line);
	cli_reports_kept_free();
	cli_record_free(r);
	c->record = NULL;
	return status;
}
