/*
 * test_util.c - the base layer's helpers: the in-place sort against qsort.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/util.h"
#include "vmflags.h"

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

static int cmp_rec_count(const void *a, const void *b, void *arg)
{
	++*(size_t *)arg;
	return cmp_rec(a, b);
}

/*
 * mlvm_sort_runs gives qsort's order (a total one) on every shape: sorted,
 * rotated, a few sorted runs one after the other, more runs than it merges,
 * random, reversed, equal keys; and a sorted or reversed array takes
 * n - 1 comparisons, a rotated one at most 2n.
 */
static void sort_runs_matches_qsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 17, 1000, 20011 };
	size_t s, shape, i;
	unsigned seed = 777;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];

		for (shape = 0; shape < 9; shape++) {
			struct rec *a = calloc(n ? n : 1, sizeof(*a)), *b = calloc(n ? n : 1, sizeof(*b));
			size_t runs = (size_t[]){ 1, 1, 2, 3, 7, 0, 0, 0, 0 }[shape], calls = 0;

			assert_non_null(a);
			assert_non_null(b);
			if (shape == 5)		/* just past what it merges */
				runs = n / 16 + 2;
			for (i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				a[i].tie = (uint32_t)i;
				if (runs)	/* run r holds keys ascending */
					a[i].key = (i % ((n + runs - 1) / runs)) * 3 + (seed >> 30) % 2;
				else if (shape == 6)
					a[i].key = seed >> 4;
				else if (shape == 7)
					a[i].key = n - i;
				else
					a[i].key = 5;
				if (runs)
					a[i].tie = (uint32_t)(i % ((n + runs - 1) / runs)) * 4 + (uint32_t)(i / ((n + runs - 1) / runs));
				memset(a[i].pad, (int)(seed & 0xff), sizeof(a[i].pad));
			}
			if (shape == 1 && n > 2) {	/* rotated by a third */
				struct rec *r = malloc(n * sizeof(*r));

				assert_non_null(r);
				memcpy(r, a + n / 3, (n - n / 3) * sizeof(*r));
				memcpy(r + (n - n / 3), a, (n / 3) * sizeof(*r));
				memcpy(a, r, n * sizeof(*r));
				free(r);
			}
			memcpy(b, a, n * sizeof(*a));
			mlvm_sort_runs(a, n, sizeof(*a), cmp_rec_count, &calls);
			qsort(b, n, sizeof(*b), cmp_rec);
			assert_memory_equal(a, b, (n ? n : 1) * sizeof(*a));
			if ((shape == 0 || shape == 7) && n > 1)
				assert_int_equal(calls, n - 1);
			/* (a small array with two runs is over n / 16 + 2 runs:
			 * qsort_r's count, which a sanitizer's qsort_r adds to) */
			if (shape == 1 && n >= 64)
				assert_true(calls <= 2 * n);
			free(a);
			free(b);
		}
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

/* shapes that push a quicksort towards its worst case, against qsort */
static void sort_handles_hard_shapes(void **state)
{
	enum { N = 20011 };
	static struct rec a[N], b[N];
	size_t shape, i;

	(void)state;
	for (shape = 0; shape < 4; shape++) {
		for (i = 0; i < N; i++) {
			switch (shape) {
			case 0: a[i].key = 7; break;				/* all equal */
			case 1: a[i].key = i < N / 2 ? i : N - i; break;	/* organ pipe */
			case 2: a[i].key = i % 2 ? i : N - i; break;		/* interleaved runs */
			default: a[i].key = i % 64; break;			/* sawtooth */
			}
			a[i].tie = (uint32_t)(shape == 0 ? N - i : i);
			memset(a[i].pad, (int)(i & 0xff), sizeof(a[i].pad));
		}
		memcpy(b, a, sizeof(a));
		mlvm_sort(a, N, sizeof(*a), cmp_rec);
		qsort(b, N, sizeof(*b), cmp_rec);
		assert_memory_equal(a, b, sizeof(a));
	}
}

/* decimal digits against snprintf, the edges and random values */
static void u64_dec_matches_printf(void **state)
{
	static const uint64_t fixed[] = { 0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u,
					  9999999999999999999ull, UINT64_MAX };
	uint64_t v, seed = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 10000; i++) {
		char want[32], got[MLVM_U64_DEC_MAX + 1];
		size_t n;

		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			v = fixed[i];
		} else {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			v = seed >> (seed % 64);
		}
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		n = mlvm_u64_dec(got, v);
		assert_true(n <= MLVM_U64_DEC_MAX);
		got[n] = '\0';
		assert_string_equal(got, want);
	}
}

/* the arithmetic dates against gmtime_r and strftime */
static void utc_matches_gmtime(void **state)
{
	static const uint64_t fixed[] = {
		0, 1, 59, 86399, 86400, 951782400, 951868799, 951868800, 1709164800,
		4107542400, 253402300799ull, 253402300800ull, 253402387200ull,
	};
	uint64_t t, seed = 99;
	size_t i;
	int iso;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 200000; i++) {
		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			t = fixed[i];
		} else {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			t = (seed >> 11) % 253402400000ull;
		}
		for (iso = 0; iso < 2; iso++) {
			char want[64] = "", got[64];
			time_t tt = (time_t)t;
			struct tm tm;

			assert_non_null(gmtime_r(&tt, &tm));
			assert_true(strftime(want, sizeof(want),
					     iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm) > 0);
			assert_string_equal(mlvm_utc_format(t, iso, got, sizeof(got)), want);
		}
	}
	/* too small a buffer: "" from the fallback, never a cut date */
	{
		char small[20];

		assert_string_equal(mlvm_utc_format(86400, true, small, sizeof(small)), "");
		assert_string_equal(mlvm_utc_format(86400, false, small, sizeof(small)), "1970-01-02 00:00:00");
	}
}

/* printf's way, as mlvm_human_size did it before it formatted integers */
static void human_ref(uint64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= 1024.0 && u < 6) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%llu B", (unsigned long long)bytes);
	else
		snprintf(out, outlen, "%.2f %s", v, units[u]);
}

static void human_check(uint64_t b, size_t outlen)
{
	char want[64], got[64];

	memset(got, 'Z', sizeof(got));
	human_ref(b, want, outlen);
	mlvm_human_size(b, got, outlen);
	if (strcmp(want, got))
		fail_msg("%llu bytes (out %zu): printf \"%s\", mlvm_human_size \"%s\"",
			 (unsigned long long)b, outlen, want, got);
}

/*
 * mlvm_human_size writes exactly what printf's "%.2f" did: every size up to
 * 4 MiB, the ties of every unit (a quotient ending in exactly half a
 * hundredth, rounded to even), the edges of each unit, 2^53 and beyond,
 * a million random sizes of every magnitude, and short buffers.
 */
static void human_size_matches_printf(void **state)
{
	uint64_t b, seed = 0x9e3779b97f4a7c15ull;
	char tie[16];
	unsigned u, i;
	int k;

	(void)state;
	for (b = 0; b <= (4u << 20); b++)
		human_check(b, 64);
	for (u = 1; u <= 6; u++) {
		uint64_t unit = 1ull << (10 * u);

		for (k = -3; k <= 3; k++) {
			human_check(unit + (uint64_t)(int64_t)k, 64);
			human_check(unit * 1023 + (uint64_t)(int64_t)k, 64);
		}
		if (u <= 5)	/* ties: bytes * 100 = (2q + 1) * unit / 2 */
			for (i = 1; i < 2000; i += 2)
				if ((uint64_t)i * unit / 2 % 100 == 0)
					human_check((uint64_t)i * unit / 200, 64);
	}
	for (k = -2; k <= 2; k++)
		human_check((1ull << 53) + (uint64_t)(int64_t)k, 64);
	human_check(UINT64_MAX, 64);
	for (i = 0; i < 1000000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		human_check(seed >> (seed % 64), 64);
	}
	for (i = 1; i < 12; i++)	/* cut short as snprintf cuts */
		human_check(1536 * 1024 + 7, i);
	/* 1152 bytes are 1.125 KiB exactly: "1.12 KiB" (the tie to even) */
	human_check(1152, 64);
	mlvm_human_size(1152, tie, sizeof(tie));
	assert_string_equal(tie, "1.12 KiB");
}

/* what a helper thread's nice is after mlvm_thread_helper, and the
 * caller's after it ran (errno-checked getpriority: -1 is a nice value) */
struct nice_seen {
	int before, after;
	bool ok;
};

/* is the page of address a advised for huge pages? -1: cannot be told */
static int advised_huge(const void *a)
{
	return vm_flag_at(a, " hg");
}

/*
 * mlvm_alloc_huge: every byte asked for is usable, a block of 2 MiB and
 * more lies on a 2 MiB boundary and is advised for huge pages, its last
 * bytes too when rounding it up to whole huge pages adds at most an
 * eighth (a 3.83 MiB metadata text: its last 1.83 MiB were 470 pages of
 * 4 KiB, each a fault of microseconds in a virtual machine), and a size
 * that cannot be rounded up is refused, never wrapped round to a small
 * block.
 */
static void alloc_huge_blocks(void **state)
{
	static const struct {
		size_t n;
		int tail_huge;	/* must the page of the last byte be advised? */
	} cases[] = {
		{ 4018176, 1 },			/* 3.83 MiB: 4.4 % more */
		{ (2u << 20) + (200u << 10), 0 },	/* 2.2 MiB: 82 % more */
		{ 4u << 20, 1 },		/* whole huge pages */
		{ (2u << 20) - (100u << 10), 1 },	/* 1.9 MiB: 5 % more */
		{ 1u << 20, 0 },		/* 1 MiB: malloc's */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i].n;
		unsigned char *p = mlvm_alloc_huge(n);
		int h;

		assert_non_null(p);
		memset(p, 0xa5, n);
		assert_int_equal(p[n - 1], 0xa5);
		if (cases[i].tail_huge)
			assert_int_equal((uintptr_t)p & ((2u << 20) - 1), 0);
		/* only what must be advised is checked: memory malloc had
		 * before may be advised already (a block mlvm_alloc_huge
		 * took from its heap before, freed since) */
		h = advised_huge(p + n - 1);
		if (h == 0 && cases[i].tail_huge)
			fail_msg("a block of %zu bytes: its last page is not advised for huge pages", n);
		if (n >= (2u << 20) && advised_huge(p) == 0)
			fail_msg("a block of %zu bytes is not advised for huge pages", n);
		free(p);
	}
#ifndef __SANITIZE_ADDRESS__	/* ASan aborts on such a size instead of failing it */
	assert_null(mlvm_alloc_huge(SIZE_MAX));
	assert_null(mlvm_alloc_huge(SIZE_MAX - (1u << 20)));
#endif
}

static void *helper_run(void *arg)
{
	struct nice_seen *n = arg;

	errno = 0;
	n->before = getpriority(PRIO_PROCESS, 0);
	mlvm_thread_helper();
	n->after = getpriority(PRIO_PROCESS, 0);
	n->ok = errno == 0;
	return NULL;
}

static void helper_thread_yields_and_the_caller_does_not(void **state)
{
	struct nice_seen n = { 0 };
	pthread_t th;
	int mine;

	(void)state;
	errno = 0;
	mine = getpriority(PRIO_PROCESS, 0);
	assert_int_equal(errno, 0);
	if (mine + MLVM_NICE_HELPER > 19)
		skip();		/* already as nice as can be */
	assert_int_equal(mlvm_thread_create(&th, helper_run, &n), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(n.ok);
	assert_int_equal(n.before, mine);
#ifdef __linux__
	assert_int_equal(n.after, mine + MLVM_NICE_HELPER);	/* the thread's own */
#endif
	errno = 0;
	assert_int_equal(getpriority(PRIO_PROCESS, 0), mine);	/* not the process's */
	assert_int_equal(errno, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sort_matches_qsort),
		cmocka_unit_test(sort_runs_matches_qsort),
		cmocka_unit_test(sort_handles_sorted_reversed_and_bytes),
		cmocka_unit_test(sort_handles_hard_shapes),
		cmocka_unit_test(utc_matches_gmtime),
		cmocka_unit_test(human_size_matches_printf),
		cmocka_unit_test(u64_dec_matches_printf),
		cmocka_unit_test(helper_thread_yields_and_the_caller_does_not),
		cmocka_unit_test(alloc_huge_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
