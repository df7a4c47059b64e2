/*
 * test_hash.c - unit tests for the digests of a whole source (io/hash.c)
 * and the digests under them (base/sha256.c): the published test vectors
 * (FIPS 180 "abc", the empty message, a million 'a'; RFC 1321's), with
 * the source read in odd chunk sizes, progress, cancellation, and a read
 * that fails somewhere in the middle.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "io/hash.h"
#include "io/source.h"

#define ALL (MLVM_HASH_BIT(MLVM_DIGEST_SHA256) | MLVM_HASH_BIT(MLVM_DIGEST_MD5) | \
	     MLVM_HASH_BIT(MLVM_DIGEST_SHA1))

static void hash_mem(const char *data, size_t len, size_t chunk, struct mlvm_hashes *h)
{
	struct mlvm_source *s = mlvm_source_memory("mem", (void *)data, len, 0);

	assert_non_null(s);
	assert_int_equal(mlvm_source_hash_chunked(s, ALL, chunk, NULL, NULL, h), 0);
	assert_int_equal(h->bytes, len);
	assert_int_equal(h->error_offset, -1);
	mlvm_source_close(s);
}

static void digest_known_vectors(void **state)
{
	struct mlvm_hashes h;

	(void)state;
	hash_mem("abc", 3, 1, &h);
	assert_string_equal(h.hex[MLVM_DIGEST_SHA256],
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(h.hex[MLVM_DIGEST_MD5], "900150983cd24fb0d6963f7d28e17f72");
	assert_string_equal(h.hex[MLVM_DIGEST_SHA1], "a9993e364706816aba3e25717850c26c9cd0d89d");
	hash_mem("", 0, 4096, &h);
	assert_string_equal(h.hex[MLVM_DIGEST_SHA256],
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(h.hex[MLVM_DIGEST_MD5], "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(h.hex[MLVM_DIGEST_SHA1], "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

/* a million 'a', read in chunks of odd sizes: the same digests each time */
static void million_a_in_odd_chunks(void **state)
{
	static const size_t chunks[] = { 7, 1000, 65537, 999999, 1000000, 1000001,
					 MLVM_HASH_CHUNK };
	size_t len = 1000000, i;
	char *a = malloc(len);
	struct mlvm_hashes h;

	(void)state;
	assert_non_null(a);
	memset(a, 'a', len);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		hash_mem(a, len, chunks[i], &h);
		assert_string_equal(h.hex[MLVM_DIGEST_SHA256],
				    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		assert_string_equal(h.hex[MLVM_DIGEST_MD5], "7707d6ae4e027c70eea2a935c2296f21");
		assert_string_equal(h.hex[MLVM_DIGEST_SHA1], "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	}
	free(a);
}

/* only the digests asked for are given */
static void only_asked_digests(void **state)
{
	struct mlvm_source *s = mlvm_source_memory("mem", (void *)"abc", 3, 0);
	struct mlvm_hashes h;

	(void)state;
	assert_int_equal(mlvm_source_hash(s, MLVM_HASH_BIT(MLVM_DIGEST_SHA256), NULL, NULL, &h), 0);
	assert_string_equal(h.hex[MLVM_DIGEST_SHA256],
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(h.hex[MLVM_DIGEST_MD5], "");
	assert_string_equal(h.hex[MLVM_DIGEST_SHA1], "");
	mlvm_source_close(s);
}

struct prog {
	uint64_t calls, last, total;
	uint64_t stop_at;	/* nonzero: stop once done reaches it */
};

static int on_progress(void *ud, uint64_t done, uint64_t total)
{
	struct prog *p = ud;

	assert_true(done > p->last);
	p->calls++;
	p->last = done;
	p->total = total;
	return p->stop_at && done >= p->stop_at;
}

static void progress_rises_to_size_and_can_stop(void **state)
{
	size_t len = 100000;
	char *d = calloc(1, len);
	struct mlvm_source *s = mlvm_source_memory("mem", d, len, 0);
	struct prog p = { 0 };
	struct mlvm_hashes h;

	(void)state;
	assert_int_equal(mlvm_source_hash_chunked(s, ALL, 30000, on_progress, &p, &h), 0);
	assert_int_equal(p.calls, 4);
	assert_int_equal(p.last, len);
	assert_int_equal(p.total, len);
	memset(&p, 0, sizeof(p));
	p.stop_at = 60000;
	assert_int_equal(mlvm_source_hash_chunked(s, ALL, 30000, on_progress, &p, &h), -ECANCELED);
	assert_int_equal(p.calls, 2);
	assert_string_equal(h.hex[MLVM_DIGEST_SHA256], "");
	mlvm_source_close(s);
	free(d);
}

/* a source whose bytes [bad, bad + 512) cannot be read */
struct badmem {
	uint64_t bad;
};

static int bad_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct badmem *b = s->priv;

	if (off < b->bad + 512 && b->bad < off + len)
		return -EIO;
	memset(buf, 0, len);
	return 0;
}

static void bad_close(struct mlvm_source *s)
{
	(void)s;
}

static void read_error_names_its_byte(void **state)
{
	static const struct mlvm_source_ops ops = { .pread = bad_pread, .close = bad_close };
	struct badmem b = { .bad = 3 * 4096 + 100 };
	struct mlvm_source *s = calloc(1, sizeof(*s));
	struct mlvm_hashes h;

	(void)state;
	assert_non_null(s);
	s->name = strdup("bad");
	s->size = 1 << 20;
	s->ops = &ops;
	s->priv = &b;
	/* in the second chunk: the first 4 KiB piece that fails is named */
	assert_int_equal(mlvm_source_hash_chunked(s, ALL, 8192, NULL, NULL, &h), -EIO);
	assert_int_equal(h.error_offset, 3 * 4096);
	assert_string_equal(h.hex[MLVM_DIGEST_SHA256], "");
	assert_string_equal(h.hex[MLVM_DIGEST_MD5], "");
	mlvm_source_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digest_known_vectors),
		cmocka_unit_test(million_a_in_odd_chunks),
		cmocka_unit_test(only_asked_digests),
		cmocka_unit_test(progress_rises_to_size_and_can_stop),
		cmocka_unit_test(read_error_names_its_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
