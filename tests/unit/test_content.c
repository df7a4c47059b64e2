/*
 * test_content.c - unit tests for content.c (libmagic naming) and
 * sha256.c (libcrypto), on memory buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "map/content.h"
#include "io/magic.h"
#include "base/sha256.h"

static void content_names_all_zero_start_zeros(void **state)
{
	static unsigned char buf[65536];
	char out[128];

	(void)state;
	assert_int_equal(mlvm_magic_describe(buf, sizeof(buf), out, sizeof(out)), 0);
	assert_string_equal(out, "zeros");
}

static void content_names_empty_buffer_empty(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(mlvm_magic_describe("", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "empty");
}

static void content_finds_ext_superblock(void **state)
{
	unsigned char *buf = calloc(1, 65536);
	char out[256];

	(void)state;
	assert_non_null(buf);
	/* an ext2 superblock at 1024: magic 0xEF53 at 1024 + 56, rev 1 */
	buf[1024 + 56] = 0x53;
	buf[1024 + 57] = 0xef;
	buf[1024 + 76] = 1;
	buf[1024 + 24] = 2;	/* log block size */
	assert_int_equal(mlvm_magic_describe(buf, 65536, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "ext"));
	free(buf);
}

static void content_truncates_to_the_buffer(void **state)
{
	unsigned char buf[4096];
	char out[5];

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "%PDF-1.4\n", 9);
	assert_int_equal(mlvm_magic_describe(buf, sizeof(buf), out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 4);
	mlvm_magic_cleanup();
}

static void sha256_of_abc_is_the_fips_vector(void **state)
{
	struct mlvm_sha256 *h = mlvm_sha256_new();
	char hex[65];

	(void)state;
	assert_non_null(h);
	assert_int_equal(mlvm_sha256_update(h, "a", 1), 0);
	assert_int_equal(mlvm_sha256_update(h, "bc", 2), 0);
	assert_int_equal(mlvm_sha256_final(h, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mlvm_sha256_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(content_names_all_zero_start_zeros),
		cmocka_unit_test(content_names_empty_buffer_empty),
		cmocka_unit_test(content_finds_ext_superblock),
		cmocka_unit_test(content_truncates_to_the_buffer),
		cmocka_unit_test(sha256_of_abc_is_the_fips_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
