/*
 * test_thin.c - unit tests for the dm-thin metadata reader (thin.c).
 *
 * tests/unit/data/thin/pool.meta.xz is what thin_restore (0.9.0) wrote for
 * pool.xml beside it into a 1 MiB file; the tests read it through
 * `xz -dc`, so they need no thin-provisioning-tools. Where thin_restore and
 * thin_dump are installed, the same XML is restored again and a pool with
 * a three-level tree is built and checked against thin_dump; otherwise
 * those tests are skipped.
 *
 * Damage is made in memory; where only one check should fail, the node's
 * checksum is recomputed with the bitwise crc32c below, written without
 * the library so that a mistake in its table shows up.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/report.h"
#include "map/thin.h"
#include "base/util.h"

#define BLK 4096u
#define SB_XOR 160774u
#define NODE_XOR 121107u

/* ------------------------------------------------------------ helpers */

struct mem {
	uint8_t *buf;
	size_t size;
	unsigned reads;
	int64_t fail_block;	/* reads of this block fail, -1: none */
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	m->reads++;
	if (!mlvm_range_ok(m->size, off, len))
		return -EIO;
	if (m->fail_block >= 0 && off / BLK == (uint64_t)m->fail_block)
		return -EIO;
	memcpy(buf, m->buf + off, len);
	return 0;
}

static uint32_t ref_crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return crc;	/* no final inversion, as dm_bm_checksum */
}

static uint32_t ref_csum(const uint8_t *blk, uint32_t salt)
{
	return ref_crc32c(blk + 4, BLK - 4) ^ salt;
}

static void fix_csum(uint8_t *img, uint64_t blk, uint32_t salt)
{
	mlvm_put_le32(img + blk * BLK, ref_csum(img + blk * BLK, salt));
}

static const char *srcdir(void)
{
	const char *top = getenv("top_srcdir");

	return top ? top : ".";
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* the whole output of cmd, or NULL */
static uint8_t *slurp_cmd(const char *cmd, size_t *size)
{
	FILE *f = popen(cmd, "r");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			uint8_t *nb;

			cap = cap ? 2 * cap : 1 << 20;
			nb = realloc(buf, cap);
			assert_non_null(nb);
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	if (pclose(f) != 0 || n == 0) {
		free(buf);
		return NULL;
	}
	*size = n;
	return buf;
}

static uint8_t *load_committed(size_t *size)
{
	char cmd[4096];
	uint8_t *img;

	snprintf(cmd, sizeof(cmd), "xz -dc '%s/tests/unit/data/thin/pool.meta.xz'", srcdir());
	img = slurp_cmd(cmd, size);
	assert_non_null(img);
	assert_int_equal(*size, 1u << 20);
	return img;
}

static size_t count_code(const struct mlvm_report *r, const char *code)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->items[i].code, code) == 0)
			n++;
	return n;
}

/* ------------------------------------------------------------ expected mappings */

struct map {
	uint64_t dev, vb, db;
};

struct expect {
	struct map *m;
	size_t n, cap;
	uint64_t devs[64];
	size_t ndevs;
	uint32_t block_size;
};

static void expect_add(struct expect *e, uint64_t dev, uint64_t vb, uint64_t db)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 1024;
		e->m = realloc(e->m, e->cap * sizeof(*e->m));
		assert_non_null(e->m);
	}
	e->m[e->n].dev = dev;
	e->m[e->n].vb = vb;
	e->m[e->n].db = db;
	e->n++;
}

static bool attr(const char *line, const char *name, uint64_t *v)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(line, key);
	if (!p)
		return false;
	*v = strtoull(p + strlen(key), NULL, 10);
	return true;
}

/* thin_dump / thin_restore XML, one element a line */
static void parse_xml(const char *path, struct expect *e)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	uint64_t dev = 0, a, b, len, v;

	assert_non_null(f);
	memset(e, 0, sizeof(*e));
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "<superblock") && attr(line, "data_block_size", &v)) {
			e->block_size = (uint32_t)v;
		} else if (strstr(line, "<device") && attr(line, "dev_id", &dev)) {
			assert_true(e->ndevs < 64);
			e->devs[e->ndevs++] = dev;
		} else if (strstr(line, "<range_mapping")) {
			assert_true(attr(line, "origin_begin", &a) && attr(line, "data_begin", &b) &&
				    attr(line, "length", &len));
			for (v = 0; v < len; v++)
				expect_add(e, dev, a + v, b + v);
		} else if (strstr(line, "<single_mapping")) {
			assert_true(attr(line, "origin_block", &a) && attr(line, "data_block", &b));
			expect_add(e, dev, a, b);
		}
	}
	fclose(f);
}

static int map_cmp(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->vb != y->vb)
		return x->vb < y->vb ? -1 : 1;
	return 0;
}

static bool expect_has(const struct expect *e, uint64_t dev, uint64_t vb)
{
	struct map k = { dev, vb, 0 };

	return bsearch(&k, e->m, e->n, sizeof(k), map_cmp) != NULL;
}

/*
 * Every mapping of e is found, the blocks around them are unmapped, and
 * next_mapped enumerates exactly e's blocks for every device.
 */
static void check_against(struct mlvm_thin_pool *p, struct expect *e)
{
	size_t i, j, k;
	uint64_t db, next, vb;

	qsort(e->m, e->n, sizeof(*e->m), map_cmp);
	assert_int_equal(mlvm_thin_block_sectors(p), e->block_size);
	for (i = 0; i < e->n; i++) {
		assert_int_equal(mlvm_thin_lookup(p, e->m[i].dev, e->m[i].vb, &db), 0);
		assert_int_equal(db, e->m[i].db);
		for (k = 0; k < 2; k++) {
			vb = k ? e->m[i].vb + 1 : e->m[i].vb - 1;
			if (e->m[i].vb == 0 && !k)
				continue;
			if (!expect_has(e, e->m[i].dev, vb))
				assert_int_equal(mlvm_thin_lookup(p, e->m[i].dev, vb, &db), -ENOENT);
		}
	}
	for (j = 0; j < e->ndevs; j++) {
		uint64_t dev = e->devs[j];

		i = 0;
		while (i < e->n && e->m[i].dev < dev)
			i++;
		vb = 0;
		while (mlvm_thin_next_mapped(p, dev, vb, &next) == 0) {
			assert_true(i < e->n);
			assert_int_equal(e->m[i].dev, dev);
			assert_int_equal(next, e->m[i].vb);
			i++;
			vb = next + 1;
		}
		assert_true(i == e->n || e->m[i].dev != dev);
	}
}

/* ------------------------------------------------------------ raw walking (test side) */

static uint64_t raw_root(const uint8_t *img)
{
	return mlvm_le64(img + 320);
}

/* the leaf a lookup of key in the tree at root ends in */
static uint64_t raw_leaf(const uint8_t *img, uint64_t root, uint64_t key)
{
	uint64_t blk = root;

	while (mlvm_le32(img + blk * BLK + 4) & 1) {
		const uint8_t *n = img + blk * BLK;
		uint32_t nr = mlvm_le32(n + 16), max = mlvm_le32(n + 20), i = 0;

		while (i + 1 < nr && mlvm_le64(n + 32 + 8 * (i + 1)) <= key)
			i++;
		blk = mlvm_le64(n + 32 + 8 * max + 8 * i);
	}
	return blk;
}

/* byte offset of key's value in a node, or 0 */
static size_t raw_value_off(const uint8_t *img, uint64_t blk, uint64_t key)
{
	const uint8_t *n = img + blk * BLK;
	uint32_t nr = mlvm_le32(n + 16), max = mlvm_le32(n + 20), i;

	for (i = 0; i < nr; i++)
		if (mlvm_le64(n + 32 + 8 * i) == key)
			return blk * BLK + 32 + 8 * max + 8 * i;
	return 0;
}

static uint64_t raw_dev_root(const uint8_t *img, uint64_t dev)
{
	uint64_t leaf = raw_leaf(img, raw_root(img), dev);
	size_t off = raw_value_off(img, leaf, dev);

	assert_int_not_equal(off, 0);
	return mlvm_le64(img + off);
}

/* ------------------------------------------------------------ fixtures */

struct fx {
	uint8_t *img;
	size_t size;
	struct mem m;
	struct mlvm_report r;
	struct mlvm_thin_pool *p;
};

static void fx_load(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->img = load_committed(&f->size);
	f->m.buf = f->img;
	f->m.size = f->size;
	f->m.fail_block = -1;
	mlvm_report_init(&f->r);
}

static int fx_open(struct fx *f)
{
	return mlvm_thin_open(mem_read, &f->m, f->m.size, &f->p, &f->r, "pool_tmeta");
}

static void fx_free(struct fx *f)
{
	mlvm_thin_close(f->p);
	mlvm_report_free(&f->r);
	free(f->img);
}

static void committed_xml(struct expect *e)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/unit/data/thin/pool.xml", srcdir());
	parse_xml(path, e);
}

/* ------------------------------------------------------------ tests */

static void thin_checksums_of_committed_image_match_reference_crc32c(void **state)
{
	struct fx f;
	uint64_t b, nodes = 0;

	(void)state;
	fx_load(&f);
	assert_int_equal(mlvm_le32(f.img), ref_csum(f.img, SB_XOR));
	assert_int_equal(mlvm_le64(f.img + 32), 27022010);
	for (b = 1; b < f.size / BLK; b++) {
		const uint8_t *n = f.img + b * BLK;

		/* btree nodes: leaf or internal, their own block number */
		if ((mlvm_le32(n + 4) == 1 || mlvm_le32(n + 4) == 2) && mlvm_le64(n + 8) == b &&
		    mlvm_le32(n + 24) == 8) {
			assert_int_equal(mlvm_le32(n), ref_csum(n, NODE_XOR));
			nodes++;
		}
	}
	assert_true(nodes >= 6);
	fx_free(&f);
}

static void thin_committed_image_matches_its_xml(void **state)
{
	struct fx f;
	struct expect e;
	uint64_t db, next;

	(void)state;
	fx_load(&f);
	assert_int_equal(fx_open(&f), 0);
	/* device 1 has 604 mappings: its subtree root is an internal node */
	assert_int_equal(mlvm_le32(f.img + raw_dev_root(f.img, 1) * BLK + 4), 1);
	committed_xml(&e);
	assert_int_equal(e.n, 604 + 12 + 3);
	check_against(f.p, &e);
	/* a block shared by three devices */
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 5, &db), 0);
	assert_int_equal(db, 5);
	assert_int_equal(mlvm_thin_lookup(f.p, 2, 5, &db), 0);
	assert_int_equal(db, 5);
	assert_int_equal(mlvm_thin_lookup(f.p, 7, 7, &db), 0);
	assert_int_equal(db, 5);
	/* gaps and the far end */
	assert_int_equal(mlvm_thin_next_mapped(f.p, 1, 100, &next), 0);
	assert_int_equal(next, 150);
	assert_int_equal(mlvm_thin_next_mapped(f.p, 1, 1003, &next), 0);
	assert_int_equal(next, 4000000);
	assert_int_equal(mlvm_thin_next_mapped(f.p, 1, 4000001, &next), -ENOENT);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, UINT64_MAX, &db), -ENOENT);
	assert_int_equal(mlvm_thin_next_mapped(f.p, 7, 8, &next), 0);
	assert_int_equal(next, 1000000000);
	/* the empty device: nothing mapped, nothing reported */
	assert_int_equal(mlvm_thin_lookup(f.p, 3, 0, &db), -ENOENT);
	assert_int_equal(mlvm_thin_next_mapped(f.p, 3, 0, &next), -ENOENT);
	assert_int_equal(f.r.n, 0);
	/* a device the pool does not know: reported once */
	assert_int_equal(mlvm_thin_lookup(f.p, 4, 0, &db), -ENOENT);
	assert_int_equal(mlvm_thin_lookup(f.p, 4, 1, &db), -ENOENT);
	assert_int_equal(mlvm_thin_next_mapped(f.p, 4, 0, &next), -ENOENT);
	assert_int_equal(f.r.n, 1);
	assert_string_equal(f.r.items[0].code, "thin_dev_missing");
	free(e.m);
	fx_free(&f);
}

static void thin_sequential_lookups_read_every_node_once(void **state)
{
	struct fx f;
	uint64_t vb, db;
	unsigned reads;

	(void)state;
	fx_load(&f);
	assert_int_equal(fx_open(&f), 0);
	reads = f.m.reads;
	for (vb = 0; vb < 5000; vb++)
		(void)mlvm_thin_lookup(f.p, 1, vb, &db);
	/* top-level leaf, subtree root, three leaves */
	assert_true(f.m.reads - reads <= 6);
	reads = f.m.reads;
	for (vb = 0; vb < 5000; vb++)
		(void)mlvm_thin_lookup(f.p, 1, vb, &db);
	assert_int_equal(f.m.reads, reads);
	fx_free(&f);
}

static void thin_restore_of_committed_xml_reads_the_same(void **state)
{
	char dir[] = "/tmp/test_thin.XXXXXX", cmd[8192], meta[64];
	struct mlvm_report r;
	struct mlvm_thin_pool *p = NULL;
	struct expect e;
	struct mem m;
	size_t size;
	uint8_t *img;

	(void)state;
	if (!have_tool("thin_restore") || !have_tool("xz"))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(meta, sizeof(meta), "%s/meta", dir);
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 1M '%s' && thin_restore -q -i '%s/tests/unit/data/thin/pool.xml' -o '%s'",
		 meta, srcdir(), meta);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "cat '%s'", meta);
	img = slurp_cmd(cmd, &size);
	assert_non_null(img);
	m = (struct mem){ img, size, 0, -1 };
	mlvm_report_init(&r);
	assert_int_equal(mlvm_thin_open(mem_read, &m, size, &p, &r, "meta"), 0);
	committed_xml(&e);
	check_against(p, &e);
	assert_int_equal(r.n, 0);
	free(e.m);
	mlvm_thin_close(p);
	mlvm_report_free(&r);
	free(img);
	unlink(meta);
	rmdir(dir);
}

/*
 * A pool big enough for three-level trees: device 1 with 70000 mappings in
 * runs, device 2 sharing part of it, device 9 sparse. thin_dump must
 * agree with what was written, and the reader with thin_dump.
 */
static void thin_large_tree_agrees_with_thin_dump(void **state)
{
	char dir[] = "/tmp/test_thin.XXXXXX", cmd[1024], xml[64], meta[64], dump[64];
	struct expect gen = { 0 }, e;
	struct mlvm_report r;
	struct mlvm_thin_pool *p = NULL;
	struct mem m;
	struct timespec t0, t1;
	uint64_t vb, db, data = 0, span, found = 0, i;
	uint32_t seed = 12345;
	size_t size, k;
	uint8_t *img;
	FILE *f;
	int rc;

	(void)state;
	if (!have_tool("thin_restore") || !have_tool("thin_dump"))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(xml, sizeof(xml), "%s/pool.xml", dir);
	snprintf(meta, sizeof(meta), "%s/meta", dir);
	snprintf(dump, sizeof(dump), "%s/dump.xml", dir);
	f = fopen(xml, "w");
	assert_non_null(f);
	fprintf(f, "<superblock uuid=\"\" time=\"1\" transaction=\"1\" version=\"2\" "
		"data_block_size=\"1024\" nr_data_blocks=\"1000000\">\n");
	fprintf(f, "<device dev_id=\"1\" mapped_blocks=\"0\" transaction=\"0\" creation_time=\"0\" snap_time=\"0\">\n");
	vb = 0;
	while (gen.n < 70000) {
		uint64_t len;

		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % 40;
		vb += (seed >> 8) % 5 == 0 ? 0 : (seed >> 4) % 30;
		for (k = 0; k < len; k++)
			expect_add(&gen, 1, vb + k, data + k);
		fprintf(f, "<range_mapping origin_begin=\"%llu\" data_begin=\"%llu\" length=\"%llu\" time=\"0\"/>\n",
			(unsigned long long)vb, (unsigned long long)data, (unsigned long long)len);
		vb += len;
		data += len + 1;
	}
	span = vb;
	fprintf(f, "</device>\n<device dev_id=\"2\" mapped_blocks=\"0\" transaction=\"0\" creation_time=\"0\" snap_time=\"0\">\n");
	for (i = 0; i < 5000; i++) {
		/* the first 2000 share device 1's blocks, the rest are its own */
		uint64_t d = i < 2000 ? gen.m[i].db : 900000 + i;
		uint64_t v = i < 2000 ? gen.m[i].vb : 200000 + 3 * i;

		expect_add(&gen, 2, v, d);
		fprintf(f, "<single_mapping origin_block=\"%llu\" data_block=\"%llu\" time=\"1\"/>\n",
			(unsigned long long)v, (unsigned long long)d);
	}
	fprintf(f, "</device>\n<device dev_id=\"9\" mapped_blocks=\"0\" transaction=\"0\" creation_time=\"0\" snap_time=\"0\">\n");
	for (i = 0; i < 3000; i++) {
		expect_add(&gen, 9, i * 1000003u, 950000 + i);
		fprintf(f, "<single_mapping origin_block=\"%llu\" data_block=\"%llu\" time=\"1\"/>\n",
			(unsigned long long)(i * 1000003u), (unsigned long long)(950000 + i));
	}
	fprintf(f, "</device>\n</superblock>\n");
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "truncate -s 8M '%s' && thin_restore -q -i '%s' -o '%s' && thin_dump '%s' > '%s'",
		 meta, xml, meta, meta, dump);
	assert_int_equal(system(cmd), 0);

	/* thin_dump agrees with what was written */
	parse_xml(dump, &e);
	gen.block_size = 1024;
	gen.devs[0] = 1;
	gen.devs[1] = 2;
	gen.devs[2] = 9;
	gen.ndevs = 3;
	qsort(gen.m, gen.n, sizeof(*gen.m), map_cmp);
	qsort(e.m, e.n, sizeof(*e.m), map_cmp);
	assert_int_equal(e.n, gen.n);
	assert_memory_equal(e.m, gen.m, gen.n * sizeof(*gen.m));

	snprintf(cmd, sizeof(cmd), "cat '%s'", meta);
	img = slurp_cmd(cmd, &size);
	assert_non_null(img);
	/* device 1's subtree is three levels deep */
	{
		uint64_t root = raw_dev_root(img, 1);
		const uint8_t *n = img + root * BLK;
		uint64_t child = mlvm_le64(n + 32 + 8 * mlvm_le32(n + 20));

		assert_int_equal(mlvm_le32(n + 4), 1);
		assert_int_equal(mlvm_le32(img + child * BLK + 4), 1);
	}
	m = (struct mem){ img, size, 0, -1 };
	mlvm_report_init(&r);
	assert_int_equal(mlvm_thin_open(mem_read, &m, size, &p, &r, "meta"), 0);
	check_against(p, &e);
	assert_int_equal(r.n, 0);

	/* one million sequential lookups */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000000; i++) {
		rc = mlvm_thin_lookup(p, 1, i % span, &db);
		found += rc == 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(found > 0);
	print_message("1000000 sequential lookups: %.3f s (%llu mapped)\n",
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		      (unsigned long long)found);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	seed = 1;
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		(void)mlvm_thin_lookup(p, 1 + (seed >> 30) % 2, (seed >> 8) % span, &db);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("200000 random lookups over two devices: %.3f s\n",
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	mlvm_thin_close(p);
	mlvm_report_free(&r);
	free(img);
	free(gen.m);
	free(e.m);
	unlink(xml);
	unlink(meta);
	unlink(dump);
	rmdir(dir);
}

/* ------------------------------------------------------------ damage */

static void thin_bad_leaf_checksum_gives_eio_and_one_report(void **state)
{
	struct fx f;
	struct expect e;
	uint64_t leaf, other, db, next;
	size_t off;
	int i;

	(void)state;
	fx_load(&f);
	leaf = raw_leaf(f.img, raw_dev_root(f.img, 1), 400);
	other = raw_leaf(f.img, raw_dev_root(f.img, 1), 5);
	assert_int_not_equal(leaf, other);
	off = raw_value_off(f.img, leaf, 400);
	assert_int_not_equal(off, 0);
	f.img[off + 3] ^= 0x40;	/* a data block changes, the checksum does not */
	assert_int_equal(fx_open(&f), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(mlvm_thin_lookup(f.p, 1, 400, &db), -EIO);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 401, &db), -EIO);
	assert_int_equal(count_code(&f.r, "thin_node_csum"), 1);
	assert_int_equal(f.r.items[0].offset, (int64_t)(leaf * BLK));
	assert_string_equal(f.r.items[0].image, "pool_tmeta");
	/* the rest of the pool still reads */
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 5, &db), 0);
	assert_int_equal(db, 5);
	committed_xml(&e);
	assert_int_equal(mlvm_thin_lookup(f.p, 7, 1000000000, &db), 0);
	assert_int_equal(db, 3001);
	/* next_mapped stops in the damaged range instead of skipping it */
	assert_int_equal(mlvm_thin_next_mapped(f.p, 1, 400, &next), 0);
	assert_int_equal(next, 400);
	assert_int_equal(count_code(&f.r, "thin_node_csum"), 1);
	free(e.m);
	fx_free(&f);
}

static void thin_rejects_bad_superblock_magic(void **state)
{
	struct fx f;

	(void)state;
	fx_load(&f);
	f.img[32] ^= 1;
	assert_int_equal(fx_open(&f), -EINVAL);
	assert_null(f.p);
	assert_int_equal(count_code(&f.r, "thin_sb_magic"), 1);
	assert_int_equal(f.r.items[0].offset, 32);
	fx_free(&f);

	/* too short for a superblock, or all zeros */
	fx_load(&f);
	f.m.size = 100;
	assert_int_equal(fx_open(&f), -EINVAL);
	memset(f.img, 0, BLK);
	f.m.size = f.size;
	assert_int_equal(fx_open(&f), -EINVAL);
	fx_free(&f);
}

static void thin_bad_superblock_checksum_is_reported_and_read_past(void **state)
{
	struct fx f;
	uint64_t db;

	(void)state;
	fx_load(&f);
	f.img[48] ^= 1;	/* trans_id */
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(count_code(&f.r, "thin_sb_csum"), 1);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 150, &db), 0);
	assert_int_equal(db, 200);
	fx_free(&f);
}

static void thin_child_pointing_to_itself_is_bounded(void **state)
{
	struct fx f;
	uint64_t root, db, next;
	uint8_t *n;
	uint32_t max;

	(void)state;
	fx_load(&f);
	root = raw_dev_root(f.img, 1);
	n = f.img + root * BLK;
	max = mlvm_le32(n + 20);
	assert_true(mlvm_le32(n + 16) >= 2);
	mlvm_put_le64(n + 32 + 8 * max + 8, root);	/* child 1 -> the node itself */
	fix_csum(f.img, root, NODE_XOR);
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, mlvm_le64(n + 40), &db), -EIO);
	assert_int_equal(count_code(&f.r, "thin_node_cycle"), 1);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 0, &db), 0);
	/* enumeration terminates and stops at the damaged range */
	for (db = 0; mlvm_thin_next_mapped(f.p, 1, db, &next) == 0; db = next + 1)
		if (next >= mlvm_le64(n + 40))
			break;
	assert_int_equal(next, mlvm_le64(n + 40));
	assert_int_equal(count_code(&f.r, "thin_node_cycle"), 1);
	fx_free(&f);
}

static void thin_child_pointer_outside_metadata_is_reported(void **state)
{
	struct fx f;
	uint64_t root, db;
	uint8_t *n;

	(void)state;
	fx_load(&f);
	root = raw_dev_root(f.img, 1);
	n = f.img + root * BLK;
	mlvm_put_le64(n + 32 + 8 * mlvm_le32(n + 20), 1u << 30);
	fix_csum(f.img, root, NODE_XOR);
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 0, &db), -EIO);
	assert_int_equal(count_code(&f.r, "thin_node_pointer"), 1);
	fx_free(&f);
}

static void thin_truncated_metadata_reads_as_damaged(void **state)
{
	struct fx f;
	uint64_t db, next, dev, vb;

	(void)state;
	fx_load(&f);
	f.m.size = 3 * BLK;
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(count_code(&f.r, "thin_sb_truncated"), 1);
	for (dev = 0; dev < 9; dev++)
		for (vb = 0; vb < 1000; vb += 7) {
			assert_int_not_equal(mlvm_thin_lookup(f.p, dev, vb, &db), 0);
			if (mlvm_thin_next_mapped(f.p, dev, vb, &next) == 0)
				assert_int_equal(next, vb);
		}
	assert_true(count_code(&f.r, "thin_sb_root") + count_code(&f.r, "thin_node_read") >= 1);
	fx_free(&f);

	/* a read error on one leaf */
	fx_load(&f);
	f.m.fail_block = (int64_t)raw_leaf(f.img, raw_dev_root(f.img, 1), 400);
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 400, &db), -EIO);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 5, &db), 0);
	assert_int_equal(count_code(&f.r, "thin_node_read"), 1);
	fx_free(&f);
}

/* damage one field of the leaf holding (1, 400), fix the checksum, expect code */
static void leaf_damage(void (*hurt)(uint8_t *n), const char *code)
{
	struct fx f;
	uint64_t leaf, db;

	fx_load(&f);
	leaf = raw_leaf(f.img, raw_dev_root(f.img, 1), 400);
	hurt(f.img + leaf * BLK);
	fix_csum(f.img, leaf, NODE_XOR);
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 400, &db), -EIO);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 401, &db), -EIO);
	assert_int_equal(count_code(&f.r, code), 1);
	assert_int_equal(f.r.n, 1);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 5, &db), 0);
	fx_free(&f);
}

static void hurt_nr_entries(uint8_t *n)
{
	mlvm_put_le32(n + 16, mlvm_le32(n + 20) + 1);
}

static void hurt_max_entries(uint8_t *n)
{
	mlvm_put_le32(n + 20, 1000);
}

static void hurt_key_order(uint8_t *n)
{
	uint64_t k = mlvm_le64(n + 32 + 8 * 3);

	mlvm_put_le64(n + 32 + 8 * 3, mlvm_le64(n + 32 + 8 * 4));
	mlvm_put_le64(n + 32 + 8 * 4, k);
}

static void hurt_blocknr(uint8_t *n)
{
	mlvm_put_le64(n + 8, mlvm_le64(n + 8) + 1);
}

static void hurt_flags(uint8_t *n)
{
	mlvm_put_le32(n + 4, 0);
}

static void hurt_value_size(uint8_t *n)
{
	mlvm_put_le32(n + 24, 24);
}

static void thin_leaf_nr_entries_above_max_is_damage(void **state)
{
	(void)state;
	leaf_damage(hurt_nr_entries, "thin_node_entries");
	leaf_damage(hurt_max_entries, "thin_node_entries");
}

static void thin_leaf_keys_out_of_order_are_damage(void **state)
{
	(void)state;
	leaf_damage(hurt_key_order, "thin_node_order");
}

static void thin_leaf_header_damage_is_reported(void **state)
{
	(void)state;
	leaf_damage(hurt_blocknr, "thin_node_blocknr");
	leaf_damage(hurt_flags, "thin_node_flags");
	leaf_damage(hurt_value_size, "thin_node_value_size");
}

static void thin_mapping_past_data_device_is_eio(void **state)
{
	struct fx f;
	uint64_t leaf, db;
	size_t off;

	(void)state;
	fx_load(&f);
	leaf = raw_leaf(f.img, raw_dev_root(f.img, 1), 400);
	off = raw_value_off(f.img, leaf, 400);
	mlvm_put_le64(f.img + off, (uint64_t)5000 << 24);	/* 4096 data blocks */
	fix_csum(f.img, leaf, NODE_XOR);
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 400, &db), -EIO);
	assert_int_equal(mlvm_thin_lookup(f.p, 1, 401, &db), 0);
	assert_int_equal(db, 1201);
	assert_int_equal(count_code(&f.r, "thin_mapping_range"), 1);
	fx_free(&f);
}

/*
 * Every mapping tree node, every 8-byte word of its first 80 and its last
 * ones and a few between, set to hostile values with the checksum fixed: the reader
 * must stay in bounds (ASan) and finish.
 */
static void thin_survives_hostile_nodes_with_valid_checksums(void **state)
{
	static const uint64_t vals[] = { 0, 1, 2, 3, 0xffffffffffffffffULL, 0x7fffffff, 255 };
	struct fx f;
	uint8_t *orig, save[BLK];
	uint64_t b, db, next, dev, vb;
	size_t w, v, k;
	unsigned opened = 0;

	(void)state;
	fx_load(&f);
	orig = f.img;
	for (b = 1; b < 24; b++) {
		uint32_t kind = mlvm_le32(orig + b * BLK + 4);

		if ((kind != 1 && kind != 2) || mlvm_le32(orig + b * BLK + 24) != 8)
			continue;	/* not a mapping tree node: never read */
		memcpy(save, orig + b * BLK, BLK);
		for (w = 1; w < BLK / 8; w += (w < 80 || w > BLK / 8 - 24) ? 1 : 37) {
			for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				mlvm_put_le64(orig + b * BLK + 8 * w, vals[v]);
				fix_csum(orig, b, NODE_XOR);
				mlvm_report_init(&f.r);
				if (fx_open(&f) == 0) {
					opened++;
					for (dev = 0; dev < 8; dev++) {
						for (vb = 0; vb < 1100; vb += 97)
							(void)mlvm_thin_lookup(f.p, dev, vb, &db);
						for (vb = 0, k = 0; k < 40 &&
						     mlvm_thin_next_mapped(f.p, dev, vb, &next) == 0; k++)
							vb = next + 13;
					}
					mlvm_thin_close(f.p);
					f.p = NULL;
				}
				mlvm_report_free(&f.r);
				memcpy(orig + b * BLK, save, BLK);
			}
		}
	}
	assert_true(opened > 0);
	mlvm_report_init(&f.r);
	fx_free(&f);
}


/* ------------------------------------------------------------ node scanner, recovery */

static void thin_node_check_accepts_nodes_and_names_each_failure(void **state)
{
	struct mlvm_thin_node_hdr h;
	struct fx f;
	uint64_t top, det;
	uint8_t blk[BLK];

	(void)state;
	fx_load(&f);
	top = raw_leaf(f.img, raw_root(f.img), 1);
	assert_null(mlvm_thin_node_check(f.img + top * BLK, top, &h));
	assert_int_equal(h.value_size, 8);
	assert_true(h.flags & 2);
	assert_true(h.nr >= 1 && h.nr <= h.max);
	det = mlvm_le64(f.img + 328);	/* the device details root: 24-byte values */
	assert_null(mlvm_thin_node_check(f.img + det * BLK, det, &h));
	assert_int_equal(h.value_size, 24);
	/* the superblock has another salt */
	assert_string_equal(mlvm_thin_node_check(f.img, 0, &h), "thin_node_csum");
	/* a node read at another block */
	assert_string_equal(mlvm_thin_node_check(f.img + top * BLK, top + 1, &h), "thin_node_blocknr");
	memcpy(blk, f.img + top * BLK, BLK);
	blk[100] ^= 1;
	assert_string_equal(mlvm_thin_node_check(blk, top, &h), "thin_node_csum");
	memcpy(blk, f.img + top * BLK, BLK);
	mlvm_put_le32(blk + 16, mlvm_le32(blk + 20) + 1);
	mlvm_put_le32(blk, ref_csum(blk, NODE_XOR));
	assert_string_equal(mlvm_thin_node_check(blk, top, &h), "thin_node_entries");
	memcpy(blk, f.img + top * BLK, BLK);
	mlvm_put_le32(blk + 4, 3);
	mlvm_put_le32(blk, ref_csum(blk, NODE_XOR));
	assert_string_equal(mlvm_thin_node_check(blk, top, &h), "thin_node_flags");
	memcpy(blk, f.img + top * BLK, BLK);
	mlvm_put_le32(blk + 24, 16);
	mlvm_put_le32(blk, ref_csum(blk, NODE_XOR));
	assert_string_equal(mlvm_thin_node_check(blk, top, &h), "thin_node_value_size");
	fx_free(&f);
}

/* the last all-zero block of the image (a free metadata block) */
static uint64_t free_block(const uint8_t *img, size_t size, uint64_t below)
{
	uint64_t b;
	size_t i;

	for (b = (below ? below : size / BLK) - 1; b > 0; b--) {
		for (i = 0; i < BLK && !img[b * BLK + i]; i++)
			;
		if (i == BLK)
			return b;
	}
	fail_msg("no free block");
	return 0;
}

/*
 * lvremove as dm-thin does it: the top-level leaf naming dev is shadowed
 * (a copy at a free block keeps naming it, stale) and the live one loses
 * dev. Returns the stale copy's block.
 */
static uint64_t remove_dev_keep_stale(uint8_t *img, size_t size, uint64_t dev)
{
	uint64_t top = raw_leaf(img, raw_root(img), dev), stale = free_block(img, size, 0);
	uint8_t *n = img + top * BLK;
	uint32_t nr = mlvm_le32(n + 16), max = mlvm_le32(n + 20), i;

	memcpy(img + stale * BLK, n, BLK);
	mlvm_put_le64(img + stale * BLK + 8, stale);
	fix_csum(img, stale, NODE_XOR);
	for (i = 0; i < nr && mlvm_le64(n + 32 + 8 * i) != dev; i++)
		;
	assert_true(i < nr);
	memmove(n + 32 + 8 * i, n + 32 + 8 * (i + 1), 8 * (nr - i - 1));
	memmove(n + 32 + 8 * max + 8 * i, n + 32 + 8 * max + 8 * (i + 1), 8 * (nr - i - 1));
	mlvm_put_le32(n + 16, nr - 1);
	fix_csum(img, top, NODE_XOR);
	return stale;
}

static void thin_removed_device_read_through_stale_top_leaf(void **state)
{
	struct mlvm_thin_recovered info;
	struct expect e;
	struct fx f;
	uint64_t stale, db, other;
	size_t i, n2 = 0;

	(void)state;
	committed_xml(&e);
	fx_load(&f);
	stale = remove_dev_keep_stale(f.img, f.size, 2);
	assert_int_equal(fx_open(&f), 0);
	for (i = 0; i < e.n; i++) {
		if (e.m[i].dev != 2)
			continue;
		n2++;
		assert_int_equal(mlvm_thin_lookup(f.p, 2, e.m[i].vb, &db), 0);
		assert_int_equal(db, e.m[i].db);
		/* device 1 maps the same data blocks 0..9 and 4095 (2 is its
		 * snapshot): said as reused, conservatively; 2000 is 2's alone */
		other = 99;
		assert_int_equal(mlvm_thin_block_reused(f.p, 2, e.m[i].vb, db, &other),
				 db == 2000 ? 0 : 1);
		if (db != 2000)
			assert_int_equal(other, 1);
	}
	assert_int_equal(n2, 12);
	assert_int_equal(count_code(&f.r, "thin_mapping_recovered"), 1);
	assert_int_equal(count_code(&f.r, "thin_block_reused"), 1);
	assert_int_equal(count_code(&f.r, "thin_dev_missing"), 0);
	assert_int_equal(mlvm_thin_recovery(f.p, 2, &info), 0);
	assert_int_equal(info.top_leaf, stale);
	assert_int_equal(info.mapped, 12);
	assert_true(info.details);
	assert_int_equal(info.max_time, 2);
	assert_int_equal(mlvm_thin_recovery(f.p, 1, &info), -EEXIST);
	assert_int_equal(mlvm_thin_block_reused(f.p, 1, 0, 0, &other), -ENOENT);
	/* a device no tree names: zeros, said */
	assert_int_equal(mlvm_thin_lookup(f.p, 99, 0, &db), -ENOENT);
	assert_int_equal(mlvm_thin_recovery(f.p, 99, &info), -ENOENT);
	assert_int_equal(count_code(&f.r, "thin_dev_missing"), 1);
	fx_free(&f);
	free(e.m);
}

static void thin_damaged_superblock_root_read_through_scan(void **state)
{
	struct mlvm_thin_recovered info;
	struct expect e;
	struct fx f;
	uint64_t db;
	size_t i;

	(void)state;
	committed_xml(&e);
	fx_load(&f);
	mlvm_put_le64(f.img + 320, 0);	/* no mapping root, bad checksum */
	assert_int_equal(fx_open(&f), 0);
	assert_int_equal(count_code(&f.r, "thin_sb_csum"), 1);
	for (i = 0; i < e.n; i++) {
		assert_int_equal(mlvm_thin_lookup(f.p, e.m[i].dev, e.m[i].vb, &db), 0);
		assert_int_equal(db, e.m[i].db);
	}
	assert_int_equal(mlvm_thin_recovery(f.p, 7, &info), 0);
	assert_int_equal(count_code(&f.r, "thin_mapping_recovered"), (size_t)e.ndevs - 1);
	fx_free(&f);
	free(e.m);
}

static void thin_recovery_is_bounded_on_hostile_stale_nodes(void **state)
{
	struct mlvm_thin_recovered info;
	struct fx f;
	uint64_t stale, root, self, db, next;
	uint8_t *n;
	uint32_t max;
	int rc;

	(void)state;
	fx_load(&f);
	root = raw_dev_root(f.img, 1);
	stale = remove_dev_keep_stale(f.img, f.size, 2);
	/* device 2's stale entry now names device 1's root, whose child 1
	 * points back to itself; another stale leaf names itself */
	mlvm_put_le64(f.img + raw_value_off(f.img, stale, 2), root);
	fix_csum(f.img, stale, NODE_XOR);
	n = f.img + root * BLK;
	max = mlvm_le32(n + 20);
	mlvm_put_le64(n + 32 + 8 * max + 8, root);
	fix_csum(f.img, root, NODE_XOR);
	self = free_block(f.img, f.size, stale);
	memcpy(f.img + self * BLK, f.img + stale * BLK, BLK);
	mlvm_put_le64(f.img + self * BLK + 8, self);
	mlvm_put_le64(f.img + raw_value_off(f.img, self, 2), self);
	fix_csum(f.img, self, NODE_XOR);
	assert_int_equal(fx_open(&f), 0);
	for (db = 0; mlvm_thin_next_mapped(f.p, 2, db, &next) == 0 && next < 5000000; db = next + 1)
		(void)mlvm_thin_lookup(f.p, 2, next, &db);
	rc = mlvm_thin_recovery(f.p, 2, &info);
	assert_true(rc == 0 || rc == -ENOENT);
	if (rc == 0)
		assert_int_equal(info.candidates, 2);
	assert_true(count_code(&f.r, "thin_mapping_recovered") <= 1);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(thin_checksums_of_committed_image_match_reference_crc32c),
		cmocka_unit_test(thin_committed_image_matches_its_xml),
		cmocka_unit_test(thin_sequential_lookups_read_every_node_once),
		cmocka_unit_test(thin_restore_of_committed_xml_reads_the_same),
		cmocka_unit_test(thin_large_tree_agrees_with_thin_dump),
		cmocka_unit_test(thin_bad_leaf_checksum_gives_eio_and_one_report),
		cmocka_unit_test(thin_rejects_bad_superblock_magic),
		cmocka_unit_test(thin_bad_superblock_checksum_is_reported_and_read_past),
		cmocka_unit_test(thin_child_pointing_to_itself_is_bounded),
		cmocka_unit_test(thin_child_pointer_outside_metadata_is_reported),
		cmocka_unit_test(thin_truncated_metadata_reads_as_damaged),
		cmocka_unit_test(thin_leaf_nr_entries_above_max_is_damage),
		cmocka_unit_test(thin_leaf_keys_out_of_order_are_damage),
		cmocka_unit_test(thin_leaf_header_damage_is_reported),
		cmocka_unit_test(thin_mapping_past_data_device_is_eio),
		cmocka_unit_test(thin_survives_hostile_nodes_with_valid_checksums),
		cmocka_unit_test(thin_node_check_accepts_nodes_and_names_each_failure),
		cmocka_unit_test(thin_removed_device_read_through_stale_top_leaf),
		cmocka_unit_test(thin_damaged_superblock_root_read_through_scan),
		cmocka_unit_test(thin_recovery_is_bounded_on_hostile_stale_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
