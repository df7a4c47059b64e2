/*
 * replay.c - run a fuzz target over its committed corpus without libFuzzer,
 * so every input ever saved (seeds and every crash found) is a `make check`
 * test, under any compiler and under the sanitizer build.
 *
 *   replay_NAME                 every file of $top_srcdir/fuzz/corpus/NAME
 *                               (FUZZ_CORPUS_DIR when top_srcdir is unset)
 *   replay_NAME PATH...         these files, or every file of these directories
 *
 * Inputs run in name order. Exit 0 when every input ran (a crash is the
 * target's own abort or signal), 1 when a path cannot be read, 77 (skip)
 * when the corpus directory is empty.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the target"
#endif
#ifndef FUZZ_CORPUS_DIR
#define FUZZ_CORPUS_DIR "fuzz/corpus/" FUZZ_NAME
#endif

/* inputs larger than this are not fuzz inputs */
#define REPLAY_MAX_INPUT (64u << 20)

static int run_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f) {
		fprintf(stderr, "replay_%s: cannot open %s: %s\n", FUZZ_NAME, path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > (long)REPLAY_MAX_INPUT ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay_%s: cannot read %s\n", FUZZ_NAME, path);
		fclose(f);
		return -1;
	}
	/* a private copy of exactly len bytes, so ASan sees reads past it */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "replay_%s: cannot read %s\n", FUZZ_NAME, path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	(*count)++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay_%s: cannot open %s: %s\n", FUZZ_NAME, dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			abort();
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = p;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(names[i], count) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay_%s: cannot open %s: %s\n", FUZZ_NAME, path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path, count) : run_file(path, count);
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (run_path(argv[i], &count) < 0)
				rc = 1;
	} else {
		const char *top = getenv("top_srcdir");
		char *dir;

		if (top && *top) {
			if (asprintf(&dir, "%s/fuzz/corpus/%s", top, FUZZ_NAME) < 0)
				abort();
		} else {
			dir = strdup(FUZZ_CORPUS_DIR);
			if (!dir)
				abort();
		}
		if (run_dir(dir, &count) < 0)
			rc = 1;
		free(dir);
	}
	if (rc == 0 && count == 0) {
		printf("replay_%s: no input to replay\n", FUZZ_NAME);
		return 77;
	}
	printf("replay_%s: %zu passed, 0 failed\n", FUZZ_NAME, count);
	return rc;
}
