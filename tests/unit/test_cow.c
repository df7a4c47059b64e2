/*
 * test_cow.c - the dm-snapshot persistent exception store (cow.c), on
 * stores built by hand in memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "map/cow.h"
#include "base/util.h"

struct mem {
	uint8_t *p;
	uint64_t size;
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (!mlvm_range_ok(m->size, off, len))
		return -ERANGE;
	memcpy(buf, m->p + off, len);
	return 0;
}

/* a store of nchunks chunks of cs sectors with its header */
static struct mem store_new(uint32_t cs, uint64_t nchunks)
{
	struct mem m;

	m.size = nchunks * cs * 512;
	m.p = calloc(1, m.size);
	assert_non_null(m.p);
	mlvm_put_le32(m.p, 0x70416e53);
	mlvm_put_le32(m.p + 4, 1);
	mlvm_put_le32(m.p + 8, 1);
	mlvm_put_le32(m.p + 12, cs);
	return m;
}

static void put_ex(struct mem *m, uint32_t cs, uint64_t area, uint64_t i, uint64_t old_chunk,
		   uint64_t new_chunk)
{
	uint64_t epa = cs * 512 / 16;
	uint64_t off = (1 + area * (epa + 1)) * cs * 512 + i * 16;

	mlvm_put_le64(m->p + off, old_chunk);
	mlvm_put_le64(m->p + off + 8, new_chunk);
}

static void cow_reads_exceptions_later_one_wins(void **state)
{
	struct mem m = store_new(8, 64);
	struct mlvm_report r;
	struct mlvm_cow *c;
	uint64_t nc;

	mlvm_report_init(&r);
	put_ex(&m, 8, 0, 0, 5, 2);
	put_ex(&m, 8, 0, 1, 7, 3);
	put_ex(&m, 8, 0, 2, 5, 4);
	put_ex(&m, 8, 0, 4, 9, 5);	/* after the terminator at 3: not read */
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	assert_int_equal(mlvm_cow_chunk_sectors(c), 8);
	assert_int_equal(mlvm_cow_lookup(c, 5, &nc), 0);
	assert_int_equal(nc, 4);
	assert_int_equal(mlvm_cow_lookup(c, 7, &nc), 0);
	assert_int_equal(nc, 3);
	assert_int_equal(mlvm_cow_lookup(c, 9, &nc), -ENOENT);
	assert_int_equal(mlvm_cow_lookup(c, 0, &nc), -ENOENT);
	assert_int_equal(mlvm_report_count(&r, MLVM_SEV_WARNING), 0);
	mlvm_cow_close(c);
	mlvm_report_free(&r);
	free(m.p);
}

static void cow_full_area_continues_in_next(void **state)
{
	/* 1-sector chunks: 32 exceptions per area */
	struct mem m = store_new(1, 200);
	struct mlvm_report r;
	struct mlvm_cow *c;
	uint64_t i, nc;

	mlvm_report_init(&r);
	for (i = 0; i < 32; i++)
		put_ex(&m, 1, 0, i, 1000 + i, 2 + i);
	put_ex(&m, 1, 1, 0, 5000, 35);
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	for (i = 0; i < 32; i++) {
		assert_int_equal(mlvm_cow_lookup(c, 1000 + i, &nc), 0);
		assert_int_equal(nc, 2 + i);
	}
	assert_int_equal(mlvm_cow_lookup(c, 5000, &nc), 0);
	assert_int_equal(nc, 35);
	mlvm_cow_close(c);
	mlvm_report_free(&r);
	free(m.p);
}

static void cow_rejects_bad_header(void **state)
{
	struct mem m = store_new(8, 4);
	struct mlvm_report r;
	struct mlvm_cow *c = NULL;

	mlvm_report_init(&r);
	m.p[0] ^= 1;
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), -EINVAL);
	assert_null(c);
	m.p[0] ^= 1;
	mlvm_put_le32(m.p + 8, 2);	/* version */
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), -EINVAL);
	mlvm_put_le32(m.p + 8, 1);
	mlvm_put_le32(m.p + 12, 12);	/* not a power of two */
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), -EINVAL);
	mlvm_put_le32(m.p + 12, 0x80000000u);	/* larger than the store */
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), -EINVAL);
	assert_int_equal(mlvm_cow_open(mem_read, &m, 100, &c, &r, "cow"), -EINVAL);
	assert_true(mlvm_report_count(&r, MLVM_SEV_ERROR) >= 5);
	mlvm_report_free(&r);
	free(m.p);
}

/* a zero magic is a new, empty store (dm-snapshot's read_header): no
 * exceptions, whatever the rest holds; a wrong non-zero magic stays refused */
static void cow_zero_header_is_an_empty_store(void **state)
{
	struct mem m = store_new(8, 16);
	struct mlvm_report r;
	struct mlvm_cow *c = NULL;
	uint64_t nc;

	mlvm_report_init(&r);
	put_ex(&m, 8, 0, 0, 3, 2);	/* would be an exception under a good header */
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	assert_false(mlvm_cow_is_empty(c));
	assert_int_equal(mlvm_cow_lookup(c, 3, &nc), 0);
	mlvm_cow_close(c);

	memset(m.p, 0, 16);		/* the whole header zeroed */
	c = NULL;
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	assert_non_null(c);
	assert_true(mlvm_cow_is_empty(c));
	assert_int_equal(mlvm_cow_chunk_sectors(c), 0);
	assert_int_equal(mlvm_cow_lookup(c, 3, &nc), -ENOENT);
	assert_int_equal(mlvm_cow_lookup(c, 0, &nc), -ENOENT);
	mlvm_cow_close(c);

	mlvm_put_le32(m.p + 12, 8);	/* only the magic zero: still a new store */
	c = NULL;
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	assert_true(mlvm_cow_is_empty(c));
	mlvm_cow_close(c);
	assert_int_equal(mlvm_report_count(&r, MLVM_SEV_WARNING), 0);

	mlvm_put_le32(m.p, 0x00000001);	/* a wrong magic is no store */
	c = NULL;
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), -EINVAL);
	assert_null(c);
	assert_int_equal(mlvm_report_count(&r, MLVM_SEV_ERROR), 1);
	mlvm_report_free(&r);
	free(m.p);
}

static void cow_ignores_exceptions_outside_the_store(void **state)
{
	struct mem m = store_new(8, 16);
	struct mlvm_report r;
	struct mlvm_cow *c;
	uint64_t nc;

	mlvm_report_init(&r);
	mlvm_put_le32(m.p + 4, 0);	/* invalidated snapshot: warned, still read */
	put_ex(&m, 8, 0, 0, 1, 99);	/* past the end */
	put_ex(&m, 8, 0, 1, 2, 1);	/* the metadata chunk itself */
	put_ex(&m, 8, 0, 2, 3, 2);
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	assert_int_equal(mlvm_cow_lookup(c, 1, &nc), -ENOENT);
	assert_int_equal(mlvm_cow_lookup(c, 2, &nc), -ENOENT);
	assert_int_equal(mlvm_cow_lookup(c, 3, &nc), 0);
	assert_int_equal(nc, 2);
	assert_int_equal(mlvm_report_count(&r, MLVM_SEV_WARNING), 3);
	mlvm_cow_close(c);
	mlvm_report_free(&r);
	free(m.p);
}

static void cow_store_without_terminator_is_bounded(void **state)
{
	/* every slot filled with valid-looking exceptions, no terminator */
	struct mem m = store_new(1, 70);
	struct mlvm_report r;
	struct mlvm_cow *c;
	uint64_t a, i, nc;

	mlvm_report_init(&r);
	for (a = 0; a < 3; a++)
		for (i = 0; i < 32; i++)
			if (1 + a * 33 < 70)
				put_ex(&m, 1, a, i, a * 100 + i, 2 + a * 33 + i < 70 ? 2 + a * 33 + i : 2);
	assert_int_equal(mlvm_cow_open(mem_read, &m, m.size, &c, &r, "cow"), 0);
	assert_int_equal(mlvm_cow_lookup(c, 131, &nc), 0);
	assert_int_equal(nc, 66);
	assert_int_equal(mlvm_cow_lookup(c, 200, &nc), 0);
	assert_int_equal(nc, 68);
	mlvm_cow_close(c);
	mlvm_report_free(&r);
	free(m.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cow_reads_exceptions_later_one_wins),
		cmocka_unit_test(cow_full_area_continues_in_next),
		cmocka_unit_test(cow_rejects_bad_header),
		cmocka_unit_test(cow_zero_header_is_an_empty_store),
		cmocka_unit_test(cow_ignores_exceptions_outside_the_store),
		cmocka_unit_test(cow_store_without_terminator_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
