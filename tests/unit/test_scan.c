/*
 * test_scan.c - unit tests for the whole-image sector scan (scan.c).
 *
 * Images are built in memory: a pseudo-random background (so that zero
 * bytes do not hide a check that reads the wrong place) with structures
 * written at chosen sectors. Buffers are malloc'd to their exact size, so
 * AddressSanitizer catches any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disk/scan.h"
#include "io/readahead.h"
#include "io/source.h"
#include "text/deepcarve.h"

#define S 512u

/* ------------------------------------------------------------ helpers */

/* an image of size bytes filled with a seeded xorshift pattern */
static uint8_t *image_new(size_t size, uint32_t seed)
{
	uint8_t *img = malloc(size ? size : 1);
	uint32_t x = seed ? seed : 1;
	size_t i;

	assert_non_null(img);
	for (i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		img[i] = (uint8_t)(x >> 11);
	}
	return img;
}

static void put(uint8_t *img, size_t size, uint64_t off, const void *p, size_t len)
{
	assert_true(off <= size && len <= size - off);
	memcpy(img + off, p, len);
}

static void put_label(uint8_t *img, size_t size, uint64_t off)
{
	put(img, size, off, "LABELONE", 8);
	put(img, size, off + 24, "LVM2 001", 8);
}

static void put_mda(uint8_t *img, size_t size, uint64_t off)
{
	put(img, size, off + 4, " LVM2 x[5A%r0N*>", 16);
}

static void put_text(uint8_t *img, size_t size, uint64_t off, const char *t)
{
	put(img, size, off, t, strlen(t));
}

struct scan_result {
	struct mlvm_hit *hits;
	size_t n;
	size_t cap;
	bool truncated;
	int rc;
};

/* scan a whole buffer, the text check on or off */
static struct scan_result scan_buf(const uint8_t *buf, size_t len, uint64_t base,
				   const struct mlvm_scan_opts *o)
{
	struct scan_result r = { 0 };

	r.rc = mlvm_scan_buffer(buf, len, base, o, &r.hits, &r.n, &r.cap, &r.truncated);
	return r;
}

static struct scan_result scan_mem(uint8_t *img, size_t size, const struct mlvm_scan_opts *o)
{
	struct mlvm_source *s = mlvm_source_memory("disk.img", img, size, 0);
	struct scan_result r = { 0 };

	assert_non_null(s);
	r.rc = mlvm_scan_source(s, o, &r.hits, &r.n, &r.truncated);
	mlvm_source_close(s);
	return r;
}

static void print_hits(const struct scan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		fprintf(stderr, "  hit %zu: %s at %llu (sector %llu)\n", i,
			mlvm_hit_kind_name(r->hits[i].kind),
			(unsigned long long)r->hits[i].offset,
			(unsigned long long)(r->hits[i].offset / S));
}

struct want {
	enum mlvm_hit_kind kind;
	uint64_t offset;
};

static void assert_hits(const struct scan_result *r, const struct want *w, size_t nw)
{
	size_t i;

	assert_int_equal(r->rc, 0);
	if (r->n != nw)
		print_hits(r);
	assert_int_equal(r->n, nw);
	for (i = 0; i < nw; i++) {
		if (r->hits[i].kind != w[i].kind || r->hits[i].offset != w[i].offset)
			print_hits(r);
		assert_int_equal(r->hits[i].kind, w[i].kind);
		assert_int_equal(r->hits[i].offset, w[i].offset);
	}
}

/* one sector holding t at its start (background random), scanned with text on */
static size_t text_hits_in_sector(const char *t, size_t at)
{
	uint8_t *img = image_new(2 * S, 99);
	struct mlvm_scan_opts o = { .text = true };
	struct scan_result r;
	size_t n;

	put_text(img, 2 * S, at, t);
	r = scan_buf(img, 2 * S, 0, &o);
	assert_int_equal(r.rc, 0);
	n = r.n;
	free(r.hits);
	free(img);
	return n;
}

/* ------------------------------------------------------------ every kind */

#define KIND_SIZE (256u * S)

static uint8_t *every_kind_image(void)
{
	uint8_t *img = image_new(KIND_SIZE, 7);

	put_label(img, KIND_SIZE, 0);
	put_mda(img, KIND_SIZE, 1 * S);
	put_mda(img, KIND_SIZE, 7 * S);
	put(img, KIND_SIZE, 7 * S + 4, "JOURNALLED!1!1!!", 16);
	/* LVM2's quirk: any id under its own type */
	put(img, KIND_SIZE, 40 * S + 24, "LVM2 001", 8);
	put(img, KIND_SIZE, 41 * S, "LABELONE", 8);
	put(img, KIND_SIZE, 41 * S + 24, "JOUR 001", 8);
	put(img, KIND_SIZE, 42 * S + 24, "JOUR 001", 8);
	put(img, KIND_SIZE, 123 * S, "MBCFMPOF", 8);
	put(img, KIND_SIZE, 123 * S + 24, "MWN3!112", 8);
	put(img, KIND_SIZE, 124 * S, "MBCFMPOF", 8);
	put(img, KIND_SIZE, 124 * S + 24, "KPVS!112", 8);
	put(img, KIND_SIZE, 200 * S + 4, "!MWN3!y\\6B&s1O+?", 16);
	put(img, KIND_SIZE, 201 * S + 4, "KPVSOBMMFE\"2\"2\"\"", 16);
	put_text(img, KIND_SIZE, 210 * S,
		 "fx_linear {\nid = \"Ab12Cd-34Ef-56Gh-78Ij-90Kl-12Mn-345678\"\nseqno = 5\n");
	put_label(img, KIND_SIZE, KIND_SIZE - S);
	return img;
}

static const struct want every_kind_want[] = {
	{ MLVM_HIT_LABEL, 0 },
	{ MLVM_HIT_MDA, 1 * S },
	{ MLVM_HIT_MDA_JOURNALLED, 7 * S },
	{ MLVM_HIT_LABEL, 40 * S },
	{ MLVM_HIT_LABEL, 41 * S },
	{ MLVM_HIT_LABEL, 42 * S },
	{ MLVM_HIT_LABEL_SHIFTED, 123 * S },
	{ MLVM_HIT_LABEL_SHIFTED, 124 * S },
	{ MLVM_HIT_MDA_SHIFTED, 200 * S },
	{ MLVM_HIT_MDA_SHIFTED, 201 * S },
	{ MLVM_HIT_TEXT, 210 * S },
	{ MLVM_HIT_LABEL, KIND_SIZE - S },
};
#define N_EVERY (sizeof(every_kind_want) / sizeof(every_kind_want[0]))

static void buffer_finds_every_kind_at_its_sector(void **state)
{
	uint8_t *img = every_kind_image();
	struct mlvm_scan_opts o = { .text = true };
	struct scan_result r = scan_buf(img, KIND_SIZE, 0, &o);

	assert_hits(&r, every_kind_want, N_EVERY);
	assert_false(r.truncated);
	free(r.hits);
	free(img);
}

static void buffer_offsets_are_absolute(void **state)
{
	uint8_t *img = every_kind_image();
	struct mlvm_scan_opts o = { .text = true };
	struct want w[N_EVERY];
	struct scan_result r;
	uint64_t base = (5ull << 30) + 3 * S;	/* past 4 GiB */
	size_t i;

	for (i = 0; i < N_EVERY; i++) {
		w[i] = every_kind_want[i];
		w[i].offset += base;
	}
	r = scan_buf(img, KIND_SIZE, base, &o);
	assert_hits(&r, w, N_EVERY);
	free(r.hits);
	free(img);
}

static void source_finds_every_kind(void **state)
{
	uint8_t *img = every_kind_image();
	struct mlvm_scan_opts o = { .text = true };
	struct scan_result r = scan_mem(img, KIND_SIZE, &o);

	assert_hits(&r, every_kind_want, N_EVERY);
	assert_false(r.truncated);
	free(r.hits);
	free(img);
}

static void text_starts_only_when_asked(void **state)
{
	uint8_t *img = every_kind_image();
	struct want w[N_EVERY];
	struct scan_result r;
	size_t i, nw = 0;

	for (i = 0; i < N_EVERY; i++)
		if (every_kind_want[i].kind != MLVM_HIT_TEXT)
			w[nw++] = every_kind_want[i];
	r = scan_mem(img, KIND_SIZE, NULL);
	assert_hits(&r, w, nw);
	free(r.hits);
	free(img);
}

static void one_sector_can_give_two_hits_in_kind_order(void **state)
{
	uint8_t *img = image_new(4 * S, 3);
	struct want w[] = { { MLVM_HIT_LABEL, 2 * S }, { MLVM_HIT_MDA, 2 * S } };
	struct scan_result r;

	put_mda(img, 4 * S, 2 * S);
	put(img, 4 * S, 2 * S + 24, "LVM2 001", 8);
	r = scan_buf(img, 4 * S, 0, NULL);
	assert_hits(&r, w, 2);
	free(r.hits);
	free(img);
}

/* ------------------------------------------------------------ near misses */

static void partial_ids_and_magics_are_not_hits(void **state)
{
	uint8_t *img = image_new(32 * S, 11);
	struct want w[] = { { MLVM_HIT_LABEL, 9 * S } };
	struct scan_result r;

	put(img, 32 * S, 1 * S, "LABELONX", 8);		/* id half there */
	put(img, 32 * S, 2 * S, "LABEL", 5);
	put(img, 32 * S, 3 * S + 24, "LVM2 00", 7);	/* type cut short */
	put(img, 32 * S, 4 * S + 4, " LVM2 x[5A%r0N*", 15);	/* magic cut short */
	put(img, 32 * S, 5 * S + 4, " LVM2 x[", 8);	/* first half only */
	put(img, 32 * S, 6 * S + 4, "JOURNALLED!1!1!", 15);
	put(img, 32 * S, 7 * S, "MBCFMPOF", 8);		/* shifted id, wrong type */
	put(img, 32 * S, 7 * S + 24, "MWN3!113", 8);
	put(img, 32 * S, 8 * S + 24, "MWN3!112", 8);	/* shifted type, no id */
	put(img, 32 * S, 9 * S, "MBCFMPOF", 8);		/* shifted id, plain type: */
	put(img, 32 * S, 9 * S + 24, "LVM2 001", 8);	/* LVM2 takes it as is */
	put(img, 32 * S, 10 * S + 1, "LABELONE", 8);	/* not at a sector start */
	put(img, 32 * S, 11 * S + 5, " LVM2 x[5A%r0N*>", 16);
	put(img, 32 * S, 12 * S + 25, "LVM2 001", 8);
	put(img, 32 * S, 13 * S + 8, "LABELONE", 8);
	r = scan_buf(img, 32 * S, 0, NULL);
	assert_hits(&r, w, 1);
	free(r.hits);
	free(img);
}

/* ------------------------------------------------------------ text starts */

static void text_start_as_lvm_writes_it(void **state)
{
	assert_int_equal(text_hits_in_sector(
		"fx_linear {\nid = \"Ab12Cd-34Ef-56Gh-78Ij-90Kl-12Mn-345678\"\nseqno = 5\n"
		"format = \"lvm2\"\n", 0), 1);
	/* a name with every kind of name character */
	assert_int_equal(text_hits_in_sector("a.B_c+D-9 {\nid = \"x", 0), 1);
	/* the shortest */
	assert_int_equal(text_hits_in_sector("v{\nid=\"", 0), 1);
}

static void text_start_tolerates_tabs_and_spaces(void **state)
{
	assert_int_equal(text_hits_in_sector("vg0\t{\t\n\tid\t=\t\"x\"\n", 0), 1);
	assert_int_equal(text_hits_in_sector("vg0   {  \n   id   =   \"x\"\n", 0), 1);
	assert_int_equal(text_hits_in_sector("vg0{\n\t\t\tid = \"x\"\n", 0), 1);
}

static void text_start_rejects_near_misses(void **state)
{
	static const char *const bad[] = {
		"-vg {\nid = \"x\"\n",		/* leading '-' */
		". {\nid = \"x\"\n",		/* "." and ".." are not names */
		".. {\nid = \"x\"\n",
		" vg {\nid = \"x\"\n",		/* line 1 indented */
		"vg {\n\nid = \"x\"\n",		/* a blank line between */
		"vg {x\nid = \"x\"\n",
		"vg\n{\nid = \"x\"\n",
		"vg {\nid = x\n",		/* id not a string */
		"vg {\nidx = \"x\"\n",
		"vg {\nid \"x\"\n",
		"vg {\nseqno = 5\n",
		"vg = {\nid = \"x\"\n",
		"vg/x {\nid = \"x\"\n",
		"vg {\r\nid = \"x\"\n",
		"\xc3\xa9t\xc3\xa9 {\nid = \"x\"\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (text_hits_in_sector(bad[i], 0) != 0)
			fail_msg("reported as a text start: \"%s\"", bad[i]);
	}
}

static void text_start_name_length_limit(void **state)
{
	char t[200];

	memset(t, 'n', 127);
	strcpy(t + 127, " {\nid = \"x\"\n");
	assert_int_equal(text_hits_in_sector(t, 0), 1);
	memset(t, 'n', 128);
	strcpy(t + 128, " {\nid = \"x\"\n");
	assert_int_equal(text_hits_in_sector(t, 0), 0);
}

/* every byte value as the name's second character */
static void text_start_name_characters(void **state)
{
	unsigned c;

	for (c = 0; c < 256; c++) {
		char t[32];
		bool name = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			    c == '+' || c == '-';
		bool blank = c == ' ' || c == '\t';

		t[0] = 'v';
		t[1] = (char)c;
		strcpy(t + 2, " {\nid = \"x\"\n");
		if (c == 0)
			continue;	/* strlen would stop there; a NUL is not a name byte */
		if (text_hits_in_sector(t, 0) != (name || blank ? 1u : 0u))
			fail_msg("byte 0x%02x as a name character misjudged", c);
		/* and as the first character */
		t[0] = (char)c;
		t[1] = 'v';
		if (text_hits_in_sector(t, 0) != (name && c != '-' ? 1u : 0u))
			fail_msg("byte 0x%02x as the first name character misjudged", c);
	}
}

static void text_not_at_a_sector_start_is_not_reported(void **state)
{
	const char *t = "vg0 {\nid = \"x\"\nseqno = 1\n";

	assert_int_equal(text_hits_in_sector(t, 1), 0);
	assert_int_equal(text_hits_in_sector(t, 100), 0);
	assert_int_equal(text_hits_in_sector(t, S + 7), 0);
	/* starts in sector 0 and runs into sector 1, which starts mid-text */
	assert_int_equal(text_hits_in_sector(t, S - 4), 0);
	assert_int_equal(text_hits_in_sector(t, S - 5), 0);
	/* but a sector that starts inside the name starts with a shorter name
	 * ("g0 {", "0 {"): that is a VG-looking start like any other */
	assert_int_equal(text_hits_in_sector(t, S - 1), 1);
	assert_int_equal(text_hits_in_sector(t, S - 2), 1);
}

/* The documented false positive: a PV or LV section that begins exactly at
 * a sector start looks like a VG start. */
static void section_with_id_at_sector_start_looks_like_a_vg(void **state)
{
	assert_int_equal(text_hits_in_sector("lv1 {\n\t\t\tid = \"x\"\n\t\t\tstatus = [", 0), 1);
	assert_int_equal(text_hits_in_sector("pv0 {\n\t\t\tid = \"x\"\n\t\t\tdevice = ", 0), 1);
	/* a section without an id line right after is not */
	assert_int_equal(text_hits_in_sector("segment1 {\n\t\t\t\tstart_extent = 0\n", 0), 0);
}

/* The lines must lie in the sector: a start whose id line is cut by the
 * sector end is not a hit (the next sector starts mid-text). */
static void text_start_must_fit_in_its_sector(void **state)
{
	uint8_t *img = image_new(2 * S, 5);
	struct mlvm_scan_opts o = { .text = true };
	struct scan_result r;
	char t[S + 32];

	memset(t, 'n', 120);
	strcpy(t + 120, " {\nid = \"x\"\n");
	put_text(img, 2 * S, 0, t);
	r = scan_buf(img, 2 * S, 0, &o);	/* fits: found */
	assert_int_equal(r.n, 1);
	free(r.hits);
	r = scan_buf(img, 120 + 8, 0, &o);	/* buffer ends after "id": not */
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
	free(r.hits);
	free(img);
}

/* ------------------------------------------------------------ ranges */

static void buffer_not_starting_at_a_sector(void **state)
{
	/* buf[0] is absolute offset 100: its first sector starts at buf+412 */
	uint8_t *img = image_new(4 * S, 13);
	struct want w[] = { { MLVM_HIT_LABEL, S }, { MLVM_HIT_MDA, 3 * S } };
	struct scan_result r;

	put(img, 4 * S, 0, "LABELONE", 8);	/* absolute 100: not a sector */
	put_label(img, 4 * S, S - 100);
	put_mda(img, 4 * S, 3 * S - 100);
	r = scan_buf(img, 4 * S, 100, NULL);
	assert_hits(&r, w, 2);
	free(r.hits);
	free(img);
}

static void options_limit_the_range(void **state)
{
	uint8_t *img = image_new(16 * S, 17);
	struct mlvm_scan_opts o = { .start = 2 * S + 1, .end = 9 * S + 7 };
	struct scan_result r;
	unsigned i;

	for (i = 0; i < 16; i++)
		put_label(img, 16 * S, i * S);
	/* start rounds up to sector 3; sector 9 has 7 bytes in range, one
	 * short of "LABELONE" (the type at +24 is out of range too) */
	r = scan_buf(img, 16 * S, 0, &o);
	assert_int_equal(r.n, 6);	/* sectors 3..8 */
	assert_int_equal(r.hits[0].offset, 3 * S);
	assert_int_equal(r.hits[5].offset, 8 * S);
	free(r.hits);
	r = scan_mem(img, 16 * S, &o);
	assert_int_equal(r.n, 6);
	free(r.hits);

	/* with 8 bytes of sector 9 in range its id is complete */
	o.end = 9 * S + 8;
	r = scan_mem(img, 16 * S, &o);
	assert_int_equal(r.n, 7);
	assert_int_equal(r.hits[6].offset, 9 * S);
	free(r.hits);

	/* start past the image, start == end, end beyond the image */
	o.start = 16 * S;
	o.end = 0;
	r = scan_mem(img, 16 * S, &o);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
	assert_null(r.hits);
	o.start = 5 * S;
	o.end = 5 * S;
	r = scan_mem(img, 16 * S, &o);
	assert_int_equal(r.n, 0);
	o.start = 14 * S;
	o.end = 1000 * S;
	r = scan_mem(img, 16 * S, &o);
	assert_int_equal(r.n, 2);
	free(r.hits);
	free(img);
}

/* One image scanned as two buffers gives the same list as one scan. */
static void successive_buffers_append(void **state)
{
	uint8_t *img = image_new(16 * S, 43);
	struct scan_result a = { 0 };
	unsigned i;

	for (i = 0; i < 16; i++)
		put_label(img, 16 * S, i * S);
	a.rc = mlvm_scan_buffer(img, 5 * S, 0, NULL, &a.hits, &a.n, &a.cap, &a.truncated);
	assert_int_equal(a.rc, 0);
	a.rc = mlvm_scan_buffer(img + 5 * S, 11 * S, 5 * S, NULL, &a.hits, &a.n,
				&a.cap, &a.truncated);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.n, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(a.hits[i].offset, i * S);
	free(a.hits);
	free(img);
}

/* A size that is not a multiple of 512: the partial last sector is checked
 * with the bytes it has and nothing past the end is read (the source reads
 * into its own buffer; the exact-size image catches the buffer scan). */
static void partial_last_sector(void **state)
{
	size_t size = 3 * S + 100;
	uint8_t *img = image_new(size, 19);
	struct want w[] = { { MLVM_HIT_LABEL, 3 * S } };
	struct scan_result r;
	size_t tail;

	put_label(img, size, 3 * S);
	r = scan_mem(img, size, NULL);
	assert_hits(&r, w, 1);
	free(r.hits);
	r = scan_buf(img, size, 0, NULL);
	assert_hits(&r, w, 1);
	free(r.hits);
	free(img);

	/* an mda magic needs bytes 4..19: a 20-byte tail has it, 19 not */
	for (tail = 1; tail <= 40; tail++) {
		size = 2 * S + tail;
		img = image_new(size, 23);
		if (tail >= 20)
			put_mda(img, size, 2 * S);
		else if (tail > 4)
			put(img, size, 2 * S + 4, " LVM2 x[5A%r0N*>", tail - 4);
		r = scan_buf(img, size, 0, NULL);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.n, tail >= 20 ? 1 : 0);
		free(r.hits);
		r = scan_mem(img, size, NULL);
		assert_int_equal(r.n, tail >= 20 ? 1 : 0);
		free(r.hits);
		free(img);
	}

	/* a type at +24 needs a 32-byte tail */
	for (tail = 24; tail <= 40; tail++) {
		size = S + tail;
		img = image_new(size, 29);
		put(img, size, S + 24, "LVM2 001", tail >= 32 ? 8 : tail - 24);
		r = scan_buf(img, size, 0, NULL);
		assert_int_equal(r.n, tail >= 32 ? 1 : 0);
		free(r.hits);
		free(img);
	}
}

static void empty_source_and_buffer(void **state)
{
	uint8_t byte = 0;
	struct mlvm_source *s = mlvm_source_memory("empty.img", &byte, 0, 0);
	struct mlvm_hit *hits = (struct mlvm_hit *)&byte;	/* must be reset */
	size_t n = 99, cap = 0;
	bool trunc = true;

	assert_non_null(s);
	assert_int_equal(mlvm_scan_source(s, NULL, &hits, &n, &trunc), 0);
	assert_null(hits);
	assert_int_equal(n, 0);
	assert_false(trunc);
	mlvm_source_close(s);

	hits = NULL;
	n = 0;
	trunc = false;
	assert_int_equal(mlvm_scan_buffer(NULL, 0, 0, NULL, &hits, &n, &cap, &trunc), 0);
	assert_null(hits);
	assert_int_equal(n, 0);
	assert_false(trunc);
}

static void bad_arguments(void **state)
{
	uint8_t buf[S] = { 0 };
	struct mlvm_source *s = mlvm_source_memory("disk.img", buf, sizeof(buf), 0);
	struct mlvm_hit *hits = NULL;
	size_t n = 0, cap = 0;
	bool trunc = false;

	assert_non_null(s);
	assert_int_equal(mlvm_scan_source(NULL, NULL, &hits, &n, &trunc), -EINVAL);
	assert_int_equal(mlvm_scan_source(s, NULL, NULL, &n, &trunc), -EINVAL);
	assert_int_equal(mlvm_scan_source(s, NULL, &hits, NULL, &trunc), -EINVAL);
	assert_int_equal(mlvm_scan_source(s, NULL, &hits, &n, NULL), -EINVAL);
	assert_int_equal(mlvm_scan_buffer(NULL, 1, 0, NULL, &hits, &n, &cap, &trunc), -EINVAL);
	assert_int_equal(mlvm_scan_buffer(buf, 1, 0, NULL, &hits, NULL, &cap, &trunc), -EINVAL);
	n = 2;	/* more entries than capacity */
	assert_int_equal(mlvm_scan_buffer(buf, 1, 0, NULL, &hits, &n, &cap, &trunc), -EINVAL);
	mlvm_source_close(s);
}

/* ------------------------------------------------------------ chunks */

/* Hits at the last sector of one chunk and the first of the next are found
 * once each, in order; so is a text start at a chunk boundary. */
static void chunk_boundaries_are_seamless(void **state)
{
	const size_t C = MLVM_SCAN_CHUNK;
	size_t size = 2 * C + 3 * S;
	uint8_t *img = image_new(size, 31);
	struct mlvm_scan_opts o = { .text = true };
	struct want w[] = {
		{ MLVM_HIT_LABEL, 0 },
		{ MLVM_HIT_MDA, C - S },
		{ MLVM_HIT_LABEL, C },
		{ MLVM_HIT_TEXT, 2 * C - S },
		{ MLVM_HIT_MDA_SHIFTED, 2 * C },
		{ MLVM_HIT_LABEL_SHIFTED, size - S },
	};
	struct scan_result r;

	assert_true(C % S == 0);
	put_label(img, size, 0);
	put_mda(img, size, C - S);
	put_label(img, size, C);
	put_text(img, size, 2 * C - S, "vg_at_the_edge {\nid = \"x\"\nseqno = 7\n");
	put(img, size, 2 * C + 4, "!MWN3!y\\6B&s1O+?", 16);
	put(img, size, size - S, "MBCFMPOF", 8);
	put(img, size, size - S + 24, "MWN3!112", 8);
	r = scan_mem(img, size, &o);
	assert_hits(&r, w, sizeof(w) / sizeof(w[0]));
	free(r.hits);

	/* and starting one sector before the boundary */
	o.start = C - S;
	r = scan_mem(img, size, &o);
	assert_hits(&r, w + 1, sizeof(w) / sizeof(w[0]) - 1);
	free(r.hits);
	free(img);
}

/* ------------------------------------------------------------ bounds */

static void max_hits_truncates(void **state)
{
	size_t size = 64 * S;
	uint8_t *img = image_new(size, 37);
	struct mlvm_scan_opts o = { .max_hits = 4 };
	struct scan_result r;
	unsigned i;

	for (i = 0; i < 10; i++)
		put_label(img, size, (uint64_t)(3 + 5 * i) * S);

	r = scan_mem(img, size, &o);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 4);
	assert_true(r.truncated);
	for (i = 0; i < 4; i++)
		assert_int_equal(r.hits[i].offset, (3 + 5 * i) * S);
	free(r.hits);

	r = scan_buf(img, size, 0, &o);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 4);
	assert_true(r.truncated);
	free(r.hits);

	/* exactly max_hits hits: complete, not truncated */
	o.max_hits = 10;
	r = scan_mem(img, size, &o);
	assert_int_equal(r.n, 10);
	assert_false(r.truncated);
	free(r.hits);

	/* 0 means the default bound */
	o.max_hits = 0;
	r = scan_mem(img, size, &o);
	assert_int_equal(r.n, 10);
	assert_false(r.truncated);
	free(r.hits);

	/* max_hits 1 with two hits in one sector */
	o.max_hits = 1;
	put_mda(img, size, 3 * S);
	r = scan_buf(img, size, 0, &o);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.hits[0].kind, MLVM_HIT_LABEL);
	assert_true(r.truncated);
	free(r.hits);
	free(img);
}

/* A truncated scan stops reading: a source whose later chunks fail to read
 * still succeeds when max_hits is reached in the first chunk. */
struct fail_priv {
	uint8_t *data;
	uint64_t fail_from;
	unsigned reads;
};

static int fail_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct fail_priv *p = s->priv;

	__atomic_fetch_add(&p->reads, 1, __ATOMIC_RELAXED);	/* the reader thread too */
	if (off + len > p->fail_from)
		return -EIO;
	memcpy(buf, p->data + off, len);
	return 0;
}

static void fail_close(struct mlvm_source *s)
{
}

static const struct mlvm_source_ops fail_ops = {
	.pread = fail_pread,
	.close = fail_close,
};

static void read_errors_and_early_stop(void **state)
{
	const size_t C = MLVM_SCAN_CHUNK;
	size_t size = 2 * C;
	uint8_t *img = image_new(size, 41);
	struct fail_priv p = { .data = img, .fail_from = C };
	struct mlvm_source s = { .name = (char *)"bad.img", .size = size,
				 .ops = &fail_ops, .priv = &p };
	struct mlvm_scan_opts o = { .max_hits = 1 };
	struct mlvm_hit *hits = NULL;
	size_t n = 0;
	bool trunc = false;

	put_label(img, size, S);
	put_label(img, size, 2 * S);
	put_label(img, size, C + S);

	/* the second chunk fails: the error comes back, nothing is kept */
	assert_int_equal(mlvm_scan_source(&s, NULL, &hits, &n, &trunc), -EIO);
	assert_null(hits);
	assert_int_equal(n, 0);
	assert_int_equal(p.reads, 2);

	/* max_hits reached in the first chunk: the second is never read */
	p.reads = 0;
	assert_int_equal(mlvm_scan_source(&s, &o, &hits, &n, &trunc), 0);
	assert_int_equal(n, 1);
	assert_true(trunc);
	assert_int_equal(p.reads, 1);
	free(hits);
	free(img);
}

/* ------------------------------------------- the --deep piece loop */

/* what a piece callback saw: each piece's offset, length and a checksum */
struct seen {
	uint64_t off[64];
	size_t len[64];
	uint64_t sum[64];
	unsigned n;
	unsigned stop_at;	/* > 0: fail the piece with that number (1-based) */
	struct mlvm_deepcarver *dc;
	bool no_work;		/* no piece_work: the carver searches in feed */
};

static int see_piece(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t base)
{
	struct seen *v = ctx;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	assert_true(v->n < 64);
	for (i = 0; i < len; i += 61)
		h = (h ^ buf[i]) * 1099511628211ull;
	v->off[v->n] = base;
	v->len[v->n] = len;
	v->sum[v->n] = h;
	v->n++;
	if (v->stop_at && v->n == v->stop_at)
		return -ECANCELED;
	if (v->dc)
		assert_int_equal(mlvm_deepcarver_feed_slot(v->dc, slot, buf, len, base), 0);
	return 0;
}

/* on the reader threads (no cmocka asserts there) */
static void see_work(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t base)
{
	struct seen *v = ctx;

	if (v->dc)
		mlvm_deepcarver_work(v->dc, slot, buf, len, base);
}

struct deep_run {
	int rc;
	struct mlvm_hit *hits;
	size_t n;
	bool trunc;
	struct seen seen;
	struct mlvm_text_copy *copies;
	size_t n_copies;
};

/* mlvm_scan_source with a piece callback (and a text carver behind it, as
 * --deep has), MLVM_IO_THREADS=threads */
static void deep_run(struct mlvm_source *s, const char *threads, const struct mlvm_scan_opts *o0,
		     unsigned stop_at, struct deep_run *r)
{
	struct mlvm_scan_opts o = o0 ? *o0 : (struct mlvm_scan_opts){ 0 };
	bool cut = false, no_work = threads[0] == '-';

	memset(r, 0, sizeof(*r));
	/* "-N": N threads, the carver's search left to feed */
	if (no_work)
		threads++;
	r->seen.no_work = no_work;
	setenv("MLVM_IO_THREADS", threads, 1);
	assert_int_equal(mlvm_deepcarver_new(s, NULL, &r->seen.dc), 0);
	r->seen.stop_at = stop_at;
	o.text = true;
	o.piece = see_piece;
	o.piece_work = r->seen.no_work ? NULL : see_work;
	o.piece_ctx = &r->seen;
	r->rc = mlvm_scan_source(s, &o, &r->hits, &r->n, &r->trunc);
	assert_int_equal(mlvm_deepcarver_finish(r->seen.dc, &r->copies, &r->n_copies, &cut), 0);
	r->seen.dc = NULL;
	unsetenv("MLVM_IO_THREADS");
}

static void assert_same_run(const struct deep_run *a, const struct deep_run *b)
{
	size_t i;

	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->trunc, b->trunc);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->hits[i].kind, b->hits[i].kind);
		assert_int_equal(a->hits[i].offset, b->hits[i].offset);
	}
	assert_int_equal(a->seen.n, b->seen.n);
	for (i = 0; i < a->seen.n; i++) {
		assert_int_equal(a->seen.off[i], b->seen.off[i]);
		assert_int_equal(a->seen.len[i], b->seen.len[i]);
		assert_int_equal(a->seen.sum[i], b->seen.sum[i]);
	}
	assert_int_equal(a->n_copies, b->n_copies);
	for (i = 0; i < a->n_copies; i++) {
		assert_int_equal(a->copies[i].offset, b->copies[i].offset);
		assert_int_equal(a->copies[i].len, b->copies[i].len);
	}
}

static void deep_run_free(struct deep_run *r)
{
	free(r->hits);
	free(r->copies);
}

static const char deep_text[] =
	"vgd {\nid = \"hWLu7Y-81Nb-qfuD-jZrl-TVGs-6IDD-IB5cCX\"\nseqno = 3\n"
	"format = \"lvm2\"\nextent_size = 8192\n}\n"
	"contents = \"Text Format Volume Group\"\nversion = 1\n"
	"description = \"\"\ncreation_host = \"vm\"\ncreation_time = 1\n";

/* an image of 5 pieces and a bit: labels, mda headers, metadata text,
 * some across piece ends */
static uint8_t *deep_image(size_t size)
{
	uint8_t *img = image_new(size, 77);
	const size_t C = MLVM_SCAN_CHUNK;
	size_t k, at;

	for (k = 0; k < 5; k++) {
		put_label(img, size, k * C + 7 * S);
		put_mda(img, size, k * C + 9 * S);
		put_text(img, size, k * C + 11 * S, deep_text);
		/* a copy across the piece end, its quote the piece's last byte */
		at = (k + 1) * C - 1 - (size_t)(strstr(deep_text, "\"Text") - deep_text);
		img[at - 1] = 0;
		memcpy(img + at, deep_text, sizeof(deep_text) - 1);
		img[at + sizeof(deep_text) - 1] = 0;
	}
	return img;
}

static void deep_reader_thread_equals_serial(void **state)
{
	const size_t C = MLVM_SCAN_CHUNK;
	size_t size = 5 * C + 12345;
	uint8_t *img = deep_image(size);
	struct mlvm_source *s = mlvm_source_memory("deep.img", img, size, 0);
	struct deep_run a, b;
	struct mlvm_readahead *ra = NULL;
	/* 1, 2, 4 readers and serial without the search split off */
	const char *modes[] = { "1", "2", "4", "-0", "-2" };
	size_t k;

	(void)state;
	assert_non_null(s);
	/* the thread runs when asked for, not with MLVM_IO_THREADS=0 */
	setenv("MLVM_IO_THREADS", "1", 1);
	assert_int_equal(mlvm_io_threads(1), 1);
	assert_int_equal(mlvm_io_threads(0), 0);
	assert_int_equal(mlvm_readahead_open(s, 0, size, C, mlvm_io_threads(1), &ra), 0);
	assert_true(mlvm_readahead_threaded(ra));
	mlvm_readahead_close(ra);
	setenv("MLVM_IO_THREADS", "0", 1);
	assert_int_equal(mlvm_io_threads(1), 0);
	unsetenv("MLVM_IO_THREADS");

	deep_run(s, "0", NULL, 0, &a);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.seen.n, 6);
	assert_true(a.n >= 15);
	assert_int_equal(a.n_copies, 10);
	for (k = 0; k < sizeof(modes) / sizeof(*modes); k++) {
		deep_run(s, modes[k], NULL, 0, &b);
		assert_same_run(&a, &b);
		deep_run_free(&b);
	}
	deep_run_free(&a);
	/* a range that does not start at 0 (no carver: it wants the whole image) */
	{
		struct mlvm_scan_opts o = { .start = C + 1000, .end = 4 * C + 99, .text = true };
		struct mlvm_hit *h1 = NULL, *h2 = NULL;
		struct seen v1 = { 0 }, v2 = { 0 };
		size_t n1 = 0, n2 = 0, i;
		bool t1 = false, t2 = false;

		o.piece = see_piece;
		o.piece_ctx = &v1;
		setenv("MLVM_IO_THREADS", "0", 1);
		assert_int_equal(mlvm_scan_source(s, &o, &h1, &n1, &t1), 0);
		o.piece_ctx = &v2;
		setenv("MLVM_IO_THREADS", "3", 1);
		assert_int_equal(mlvm_scan_source(s, &o, &h2, &n2, &t2), 0);
		unsetenv("MLVM_IO_THREADS");
		assert_int_equal(n1, n2);
		for (i = 0; i < n1; i++)
			assert_int_equal(h1[i].offset, h2[i].offset);
		assert_int_equal(v1.n, v2.n);
		for (i = 0; i < v1.n; i++) {
			assert_int_equal(v1.off[i], v2.off[i]);
			assert_int_equal(v1.sum[i], v2.sum[i]);
		}
		free(h1);
		free(h2);
	}
	/* mlvm_deepcarve_source: the same copies either way */
	{
		struct mlvm_text_copy *c1 = NULL, *c2 = NULL;
		size_t n1 = 0, n2 = 0, i;
		bool t1 = false, t2 = false;

		setenv("MLVM_IO_THREADS", "0", 1);
		assert_int_equal(mlvm_deepcarve_source(s, NULL, &c1, &n1, &t1), 0);
		assert_int_equal(n1, 10);
		for (k = 0; k < 3; k++) {
			setenv("MLVM_IO_THREADS", modes[k], 1);
			assert_int_equal(mlvm_deepcarve_source(s, NULL, &c2, &n2, &t2), 0);
			assert_int_equal(n1, n2);
			for (i = 0; i < n1; i++) {
				assert_int_equal(c1[i].offset, c2[i].offset);
				assert_int_equal(c1[i].len, c2[i].len);
			}
			free(c2);
			c2 = NULL;
		}
		unsetenv("MLVM_IO_THREADS");
		free(c1);
	}
	mlvm_source_close(s);
	free(img);
}

/* a read that fails in the middle: the same error, the same pieces before
 * it, nothing after it, in both modes (and from the read-ahead itself, at
 * the failed piece's offset) */
static void deep_read_error_same_with_thread(void **state)
{
	const size_t C = MLVM_SCAN_CHUNK;
	size_t size = 5 * C + 12345;
	uint8_t *img = deep_image(size);
	struct fail_priv p = { .data = img, .fail_from = 2 * C + S };
	struct mlvm_source s = { .name = (char *)"bad.img", .size = size,
				 .ops = &fail_ops, .priv = &p, .concurrent = 1 };
	struct deep_run a, b;
	const char *modes[] = { "0", "1", "2", "4" };
	unsigned m;

	(void)state;
	deep_run(&s, "0", NULL, 0, &a);
	assert_int_equal(a.rc, -EIO);
	assert_null(a.hits);
	assert_int_equal(a.seen.n, 2);
	for (m = 1; m < 4; m++) {
		deep_run(&s, modes[m], NULL, 0, &b);
		assert_same_run(&a, &b);
		deep_run_free(&b);
	}
	deep_run_free(&a);
	for (m = 0; m < 4; m++) {
		struct mlvm_readahead *ra = NULL;
		const uint8_t *buf;
		size_t len;
		uint64_t off = 0;
		unsigned k;

		setenv("MLVM_IO_THREADS", modes[m], 1);
		assert_int_equal(mlvm_readahead_open(&s, 0, size, C,
						     mlvm_io_threads(MLVM_READAHEAD_MAX_READERS), &ra), 0);
		assert_int_equal(mlvm_readahead_threaded(ra), atoi(modes[m]));
		for (k = 0; k < 2; k++) {
			assert_int_equal(mlvm_readahead_next(ra, &buf, &len, &off), 1);
			assert_int_equal(off, k * C);
			assert_int_equal(len, C);
			assert_memory_equal(buf, img + k * C, C);
		}
		assert_int_equal(mlvm_readahead_next(ra, &buf, &len, &off), -EIO);
		assert_int_equal(off, 2 * C);
		assert_int_equal(mlvm_readahead_next(ra, &buf, &len, &off), 0);
		mlvm_readahead_close(ra);
		/* the text carver over the failing source: the same error */
		{
			struct mlvm_text_copy *c = NULL;
			size_t n = 0;
			bool t = false;

			assert_int_equal(mlvm_deepcarve_source(&s, NULL, &c, &n, &t), -EIO);
			assert_null(c);
		}
	}
	unsetenv("MLVM_IO_THREADS");
	free(img);
}

/* stopping early (max_hits, a callback that fails, the caller closing
 * before the end): the thread is joined, nothing leaks (ASan), the result
 * is the serial one */
static void deep_early_stop_with_thread(void **state)
{
	const size_t C = MLVM_SCAN_CHUNK;
	size_t size = 5 * C + 12345;
	uint8_t *img = deep_image(size);
	struct mlvm_source *s = mlvm_source_memory("deep.img", img, size, 0);
	struct mlvm_scan_opts o = { .max_hits = 4 };
	struct deep_run a, b;
	const char *modes[] = { "1", "2", "4" };
	unsigned k;

	(void)state;
	assert_non_null(s);
	deep_run(s, "0", &o, 0, &a);
	assert_int_equal(a.rc, 0);
	assert_true(a.trunc);
	assert_int_equal(a.n, 4);
	for (k = 0; k < 3; k++) {
		deep_run(s, modes[k], &o, 0, &b);
		assert_same_run(&a, &b);
		deep_run_free(&b);
	}
	deep_run_free(&a);
	deep_run(s, "0", NULL, 3, &a);
	assert_int_equal(a.rc, -ECANCELED);
	assert_int_equal(a.seen.n, 3);
	for (k = 0; k < 3; k++) {
		deep_run(s, modes[k], NULL, 3, &b);
		assert_same_run(&a, &b);
		deep_run_free(&b);
	}
	deep_run_free(&a);
	/* closed after 0, 1, 2 pieces, with the ring full or not, by 1 to 4
	 * readers */
	for (k = 0; k < 3 * 4; k++) {
		struct mlvm_readahead *ra = NULL;
		const uint8_t *buf;
		size_t len;
		uint64_t off;
		unsigned i;

		assert_int_equal(mlvm_readahead_open(s, 0, size, C, (int)(k / 3) + 1, &ra), 0);
		assert_int_equal(mlvm_readahead_threaded(ra), (int)(k / 3) + 1);
		for (i = 0; i < k % 3; i++)
			assert_int_equal(mlvm_readahead_next(ra, &buf, &len, &off), 1);
		mlvm_readahead_close(ra);
	}
	mlvm_source_close(s);
	free(img);
}

/* what the work function saw in each slot */
struct worked {
	uint64_t off[MLVM_READAHEAD_MAX_SLOTS];
	uint64_t sum[MLVM_READAHEAD_MAX_SLOTS];
	size_t len[MLVM_READAHEAD_MAX_SLOTS];
	unsigned calls;		/* atomically */
	unsigned bad_slot;	/* atomically: a slot out of range */
};

static uint64_t sum_of(const uint8_t *buf, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	return h;
}

static void work_sum(void *ctx, unsigned slot, const uint8_t *buf, size_t len, uint64_t off)
{
	struct worked *w = ctx;

	__atomic_add_fetch(&w->calls, 1, __ATOMIC_RELAXED);
	if (slot >= MLVM_READAHEAD_MAX_SLOTS) {
		__atomic_add_fetch(&w->bad_slot, 1, __ATOMIC_RELAXED);
		return;
	}
	w->off[slot] = off;
	w->len[slot] = len;
	w->sum[slot] = sum_of(buf, len);
}

/* every piece given in order, whole, each worked on exactly once in the
 * slot it is given with, whatever the number of readers; after a read
 * error: the pieces before it, the error, then nothing */
static void readahead_work_each_piece_once(void **state)
{
	const size_t C = 8192, size = 37 * C + 100;
	uint8_t *img = image_new(size, 5);
	struct mlvm_source *s = mlvm_source_memory("ra.img", img, size, 0);
	struct fail_priv p = { .data = img, .fail_from = 20 * C + 1 };
	struct mlvm_source bad = { .name = (char *)"bad.img", .size = size,
				   .ops = &fail_ops, .priv = &p, .concurrent = 1 };
	int readers, fail;

	(void)state;
	assert_non_null(s);
	for (fail = 0; fail < 2; fail++)
		for (readers = 0; readers <= MLVM_READAHEAD_MAX_READERS + 1; readers++) {
			struct worked w = { 0 };
			struct mlvm_readahead *ra = NULL;
			const uint8_t *buf;
			size_t len, k = 0;
			uint64_t off;
			unsigned slot;
			int rc;

			assert_int_equal(mlvm_readahead_open_work(fail ? &bad : s, 0, size, C, readers,
								  work_sum, &w, &ra), 0);
			assert_int_equal(mlvm_readahead_threaded(ra),
					 readers > MLVM_READAHEAD_MAX_READERS ?
					 MLVM_READAHEAD_MAX_READERS : readers);
			while ((rc = mlvm_readahead_next_slot(ra, &buf, &len, &off, &slot)) == 1) {
				assert_int_equal(off, k * C);
				assert_int_equal(len, k == 37 ? 100 : C);
				assert_memory_equal(buf, img + off, len);
				assert_true(slot < MLVM_READAHEAD_MAX_SLOTS);
				assert_int_equal(w.off[slot], off);
				assert_int_equal(w.len[slot], len);
				assert_int_equal(w.sum[slot], sum_of(buf, len));
				k++;
			}
			if (fail) {
				assert_int_equal(rc, -EIO);
				assert_int_equal(off, 20 * C);
				assert_int_equal(k, 20);
				assert_int_equal(mlvm_readahead_next_slot(ra, &buf, &len, &off, &slot), 0);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(k, 38);
			}
			mlvm_readahead_close(ra);
			/* once a piece read, none twice (every piece from the
			 * failed one on fails to read: not worked on) */
			assert_int_equal(w.calls, fail ? 20 : 38);
			assert_int_equal(w.bad_slot, 0);
		}
	mlvm_source_close(s);
	free(img);
}

static void kind_names(void **state)
{
	assert_string_equal(mlvm_hit_kind_name(MLVM_HIT_LABEL), "label");
	assert_string_equal(mlvm_hit_kind_name(MLVM_HIT_LABEL_SHIFTED), "label_shifted");
	assert_string_equal(mlvm_hit_kind_name(MLVM_HIT_MDA), "mda");
	assert_string_equal(mlvm_hit_kind_name(MLVM_HIT_MDA_JOURNALLED), "mda_journalled");
	assert_string_equal(mlvm_hit_kind_name(MLVM_HIT_MDA_SHIFTED), "mda_shifted");
	assert_string_equal(mlvm_hit_kind_name(MLVM_HIT_TEXT), "text");
	assert_string_equal(mlvm_hit_kind_name((enum mlvm_hit_kind)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buffer_finds_every_kind_at_its_sector),
		cmocka_unit_test(buffer_offsets_are_absolute),
		cmocka_unit_test(source_finds_every_kind),
		cmocka_unit_test(text_starts_only_when_asked),
		cmocka_unit_test(one_sector_can_give_two_hits_in_kind_order),
		cmocka_unit_test(partial_ids_and_magics_are_not_hits),
		cmocka_unit_test(text_start_as_lvm_writes_it),
		cmocka_unit_test(text_start_tolerates_tabs_and_spaces),
		cmocka_unit_test(text_start_rejects_near_misses),
		cmocka_unit_test(text_start_name_length_limit),
		cmocka_unit_test(text_start_name_characters),
		cmocka_unit_test(text_not_at_a_sector_start_is_not_reported),
		cmocka_unit_test(section_with_id_at_sector_start_looks_like_a_vg),
		cmocka_unit_test(text_start_must_fit_in_its_sector),
		cmocka_unit_test(buffer_not_starting_at_a_sector),
		cmocka_unit_test(options_limit_the_range),
		cmocka_unit_test(successive_buffers_append),
		cmocka_unit_test(partial_last_sector),
		cmocka_unit_test(empty_source_and_buffer),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(chunk_boundaries_are_seamless),
		cmocka_unit_test(max_hits_truncates),
		cmocka_unit_test(read_errors_and_early_stop),
		cmocka_unit_test(deep_reader_thread_equals_serial),
		cmocka_unit_test(deep_read_error_same_with_thread),
		cmocka_unit_test(deep_early_stop_with_thread),
		cmocka_unit_test(readahead_work_each_piece_once),
		cmocka_unit_test(kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
