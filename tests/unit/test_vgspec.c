/*
 * test_vgspec.c - unit tests for which VG a user means (vgspec.c): NAME,
 * UUID with or without dashes, NAME@UUID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/vgspec.h"

#define ID "1paPx6-3hs2-V104-C7JC-JIAQ-W1Ih-Z4ETjl"
#define ID_NODASH "1paPx63hs2V104C7JCJIAQW1IhZ4ETjl"
#define OTHER "xl2esp-lvwm-ZoqL-q1ua-2afg-Ioqc-W7T5Yk"

static void vgspec_matches_everything_without_spec(void **state)
{
	(void)state;
	assert_true(mlvm_vgspec_match(NULL, "data", ID));
	assert_true(mlvm_vgspec_match(NULL, NULL, NULL));
}

static void vgspec_matches_name_exactly(void **state)
{
	(void)state;
	assert_true(mlvm_vgspec_match("data", "data", ID));
	assert_false(mlvm_vgspec_match("dat", "data", ID));
	assert_false(mlvm_vgspec_match("Data", "data", ID));
	assert_false(mlvm_vgspec_match("data", NULL, ID));
}

static void vgspec_matches_uuid_with_or_without_dashes(void **state)
{
	(void)state;
	assert_true(mlvm_vgspec_match(ID, "data", ID));
	assert_true(mlvm_vgspec_match(ID_NODASH, "data", ID));
	/* the stored id without dashes, too */
	assert_true(mlvm_vgspec_match(ID, "data", ID_NODASH));
	assert_false(mlvm_vgspec_match(OTHER, "data", ID));
	assert_false(mlvm_vgspec_match(ID, "data", NULL));
}

static void vgspec_uuid_is_compared_whole_and_exactly(void **state)
{
	(void)state;
	/* a prefix is not the uuid */
	assert_false(mlvm_vgspec_match("1paPx6-3hs2", "data", ID));
	/* case matters: LVM2 uuids are case sensitive */
	assert_false(mlvm_vgspec_match("1PAPX6-3hs2-V104-C7JC-JIAQ-W1Ih-Z4ETjl", "data", ID));
	/* one character more */
	assert_false(mlvm_vgspec_match(ID "x", "data", ID));
}

static void vgspec_name_at_uuid_needs_both(void **state)
{
	(void)state;
	assert_true(mlvm_vgspec_match("data@" ID, "data", ID));
	assert_true(mlvm_vgspec_match("data@" ID_NODASH, "data", ID));
	assert_false(mlvm_vgspec_match("data@" OTHER, "data", ID));
	assert_false(mlvm_vgspec_match("other@" ID, "data", ID));
	assert_false(mlvm_vgspec_match("data@", "data", ID));
	assert_false(mlvm_vgspec_match("@" ID, "data", ID));
	assert_false(mlvm_vgspec_match("data@notauuid", "data", ID));
}

static void vgspec_name_that_looks_like_a_uuid_matches_as_a_name(void **state)
{
	(void)state;
	/* a VG may be named like a uuid: the name matches; another VG's uuid too */
	assert_true(mlvm_vgspec_match(ID_NODASH, ID_NODASH, OTHER));
	assert_true(mlvm_vgspec_match(ID_NODASH, "data", ID));
}

static void vgspec_uuid_normalises(void **state)
{
	char out[33];

	(void)state;
	assert_true(mlvm_vgspec_uuid(ID, strlen(ID), out));
	assert_string_equal(out, ID_NODASH);
	assert_false(mlvm_vgspec_uuid("abc", 3, out));
	assert_string_equal(out, "");
	assert_false(mlvm_vgspec_uuid(ID "/", strlen(ID) + 1, out));
	assert_false(mlvm_vgspec_uuid(ID ID, 2 * strlen(ID), out));
	assert_string_equal(out, "");
}

static void vgspec_formats_name_at_uuid(void **state)
{
	char buf[80];

	(void)state;
	assert_string_equal(mlvm_vgspec_format("data", ID, buf, sizeof(buf)), "data@" ID);
	assert_string_equal(mlvm_vgspec_format(NULL, NULL, buf, sizeof(buf)), "?@?");
	/* a short buffer is cut, never overrun */
	assert_string_equal(mlvm_vgspec_format("data", ID, buf, 6), "data@");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vgspec_matches_everything_without_spec),
		cmocka_unit_test(vgspec_matches_name_exactly),
		cmocka_unit_test(vgspec_matches_uuid_with_or_without_dashes),
		cmocka_unit_test(vgspec_uuid_is_compared_whole_and_exactly),
		cmocka_unit_test(vgspec_name_at_uuid_needs_both),
		cmocka_unit_test(vgspec_name_that_looks_like_a_uuid_matches_as_a_name),
		cmocka_unit_test(vgspec_uuid_normalises),
		cmocka_unit_test(vgspec_formats_name_at_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
