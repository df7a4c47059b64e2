/*
 * test_util.c - the base layer's helpers: the in-place sort against qsort.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct rec {
	uint64_t key;
	uint32_t tie;
	char pad[20];		/* 32 bytes: as the extent-usage entries */
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->tie < y->tie ? -1 : x->tie > y->tie;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_byte(const void *a, const void *b)
{
	return *(const unsigned char *)a - *(const unsigned char *)b;
}

static void sort_matches_qsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 64, 1000, 20011 };
	size_t s, i;
	unsigned seed = 12345;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		struct rec *a = calloc(n ? n : 1, sizeof(*a)), *b = calloc(n ? n : 1, sizeof(*b));

		assert_non_null(a);
		assert_non_null(b);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i].key = (seed >> 8) % (n / 3 + 1);	/* many equal keys */
			a[i].tie = (uint32_t)i;
			memset(a[i].pad, (int)(i & 0xff), sizeof(a[i].pad));
		}
		memcpy(b, a, n * sizeof(*a));
		mlvm_sort(a, n, sizeof(*a), cmp_rec);
		qsort(b, n, sizeof(*b), cmp_rec);
		assert_memory_equal(a, b, (n ? n : 1) * sizeof(*a));
		free(a);
		free(b);
	}
}

static void sort_handles_sorted_reversed_and_bytes(void **state)
{
	unsigned char bytes[300];
	uint64_t v[1000];
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		v[i] = 1000 - i;
	mlvm_sort(v, 1000, sizeof(v[0]), cmp_u64);	/* reversed */
	for (i = 0; i < 1000; i++)
		assert_int_equal(v[i], i + 1);
	mlvm_sort(v, 1000, sizeof(v[0]), cmp_u64);	/* sorted already */
	for (i = 0; i < 1000; i++)
		assert_int_equal(v[i], i + 1);
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)((i * 7919) & 0xff);
	mlvm_sort(bytes, sizeof(bytes), 1, cmp_byte);
	for (i = 1; i < sizeof(bytes); i++)
		assert_true(bytes[i - 1] <= bytes[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sort_matches_qsort),
		cmocka_unit_test(sort_handles_sorted_reversed_and_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
