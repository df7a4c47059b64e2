/*
 * test_xfs.c - the XFS reader (fs/xfs.c) against xfsprogs: small XFS
 * images made at test time by mkfs.xfs -p PROTOFILE (v5 with ftype, and
 * v4 without ftype), holding a directory of 2000 long names (node format,
 * its fork a btree: its blocks lie between the files' blocks), nested
 * directories and a 3 MB file (not bigger than an AG: mkfs.xfs 6.1 -p
 * writes such a file over the next AG's headers). The oracle is xfs_db's
 * `blockget -n` + `blockuse -n` over every block: data and directory
 * blocks name their inode's path, free blocks are unallocated, the log
 * is "<log>", anything else stays unknown. Then the images damaged at
 * random in their metadata blocks must never crash the reader, and a
 * directory entry turned into a cycle (/etc/lvm/backup naming the root)
 * must neither hang nor lose the other names. Skipped
 * without mkfs.xfs and xfs_db.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/xfs.h"

#define FS_BYTES (64u << 20)
#define BS 4096u
#define NBLK (FS_BYTES / BS)

struct mem {
	uint8_t *b;
	uint64_t size;
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (off > m->size || len > m->size - off)
		return -EINVAL;
	memcpy(buf, m->b + off, len);
	return 0;
}

struct oracle {
	char type[16];
	char path[300];		/* "" when none */
};

static char dir[64];

static int sh(const char *cmd)
{
	return system(cmd);
}

static bool have_tools(void)
{
	return sh("command -v mkfs.xfs >/dev/null 2>&1 && command -v xfs_db >/dev/null 2>&1") == 0;
}

/* make the image; false when mkfs.xfs refused */
static bool make_image(const char *opts, const char *img)
{
	char cmd[1024], path[256];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/proto", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "boot\n0 0\nd--755 0 0\netc d--755 0 0\nlvm d--755 0 0\narchive d--755 0 0\n");
	for (i = 0; i < 2000; i++)
		fprintf(f, "vg_%05d-1234567890123456789012345678901234.vg ---644 0 0 %s/small\n", i,
			dir);
	fprintf(f, "$\nbackup d--755 0 0\nvg ---644 0 0 %s/small\n$\n$\nbig ---644 0 0 %s/big\n$\n"
		"top ---644 0 0 %s/small\n$\n", dir, dir, dir);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "rm -f %s && truncate -s %u %s && TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 "
		 "mkfs.xfs -q -f %s -d agcount=4 -p %s/proto %s >/dev/null 2>&1",
		 img, FS_BYTES, img, opts, dir, img);
	return sh(cmd) == 0;
}

static struct oracle *read_oracle(const char *img)
{
	struct oracle *o = calloc(NBLK, sizeof(*o));
	char cmd[1024], line[1024];
	FILE *p;
	unsigned ag, seen = 0;

	assert_non_null(o);
	for (ag = 0; ag < 4; ag++) {
		snprintf(cmd, sizeof(cmd),
			 "xfs_db -r -c 'blockget -n' -c 'fsblock %u' -c 'blockuse -n -c %u' %s 2>/dev/null",
			 ag * (NBLK / 4), NBLK / 4, img);
		p = popen(cmd, "r");
		assert_non_null(p);
		while (fgets(line, sizeof(line), p)) {
			unsigned long blk, a, b;
			char type[16], path[256] = "";
			unsigned long long ino;
			int k;

			/* block 12300 (3/12) type data inode 98435 etc/lvm/... */
			k = sscanf(line, "block %lu (%lu/%lu) type %15s inode %llu %255s", &blk, &a, &b,
				   type, &ino, path);
			if (k < 4)
				continue;
			blk = a * (NBLK / 4) + b;
			if (blk >= NBLK)
				continue;
			snprintf(o[blk].type, sizeof(o[blk].type), "%s", type);
			if (k == 6)
				snprintf(o[blk].path, sizeof(o[blk].path), "/%s", path);
			else if (k == 5)
				snprintf(o[blk].path, sizeof(o[blk].path), "<inode %llu>", ino);
			seen++;
		}
		pclose(p);
	}
	assert_int_equal(seen, NBLK);
	return o;
}

static struct mem load(const char *img)
{
	struct mem m = { malloc(FS_BYTES), FS_BYTES };
	int fd = open(img, O_RDONLY);

	assert_non_null(m.b);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, m.b, FS_BYTES, 0), (ssize_t)FS_BYTES);
	close(fd);
	return m;
}

static void check_image(const char *opts, const char *tag)
{
	char img[128];
	struct oracle *o;
	struct mem m;
	uint64_t *offs = calloc(NBLK, sizeof(*offs));
	struct mlvm_fs_owner *out = calloc(NBLK, sizeof(*out));
	unsigned i, named = 0, freeb = 0, big = 0, arch = 0;
	uint32_t seed = 12345;

	assert_non_null(offs);
	assert_non_null(out);
	snprintf(img, sizeof(img), "%s/%s.img", dir, tag);
	if (!make_image(opts, img)) {
		free(offs);
		free(out);
		skip();
	}
	o = read_oracle(img);
	m = load(img);
	assert_true(mlvm_xfs_is_sb(m.b, 512));
	for (i = 0; i < NBLK; i++)
		offs[i] = (uint64_t)i * BS + (i * 97u) % BS;
	assert_int_equal(mlvm_xfs_owners_read(mem_read, &m, m.size, offs, NBLK, out), 0);
	for (i = 0; i < NBLK; i++) {
		const char *t = o[i].type;

		assert_string_equal(out[i].fs_type, "xfs");
		if (!strcmp(t, "data") || !strcmp(t, "dir")) {
			if (!out[i].path || strcmp(out[i].path, o[i].path))
				fail_msg("%s block %u (%s): mlvm says %s, xfs_db %s", tag, i, t,
					 out[i].path ? out[i].path : "(null)", o[i].path);
			named++;
			big += !strcmp(o[i].path, "/etc/big");
			arch += !strcmp(t, "dir") && !strcmp(o[i].path, "/etc/lvm/archive");
		} else if (!strcmp(t, "free1") || !strcmp(t, "free2")) {
			if (!out[i].unallocated || out[i].path)
				fail_msg("%s block %u free, mlvm: %s", tag, i,
					 out[i].path ? out[i].path : "not free");
			freeb++;
		} else if (!strcmp(t, "log")) {
			assert_non_null(out[i].path);
			assert_string_equal(out[i].path, "<log>");
		} else if (out[i].path || out[i].unallocated) {
			fail_msg("%s block %u (%s): mlvm says %s", tag, i, t,
				 out[i].path ? out[i].path : "unallocated");
		}
	}
	assert_true(named > 700);
	assert_true(freeb > 1000);
	assert_true(big >= 700);
	assert_true(arch >= 30);	/* a node directory (btree fork) */

	/* a few wanted offsets only, past the end, and duplicates */
	{
		uint64_t few[4] = { offs[0], (uint64_t)FS_BYTES + 5, 0, UINT64_MAX };
		struct mlvm_fs_owner fo[4];

		assert_int_equal(mlvm_xfs_owners_read(mem_read, &m, m.size, few, 4, fo), 0);
		assert_null(fo[1].path);
		assert_false(fo[1].unallocated);
		assert_null(fo[3].path);
		for (i = 0; i < 4; i++)
			mlvm_fs_owner_clear(&fo[i]);
	}
	for (i = 0; i < NBLK; i++)
		mlvm_fs_owner_clear(&out[i]);

	/* damage: random bytes of metadata blocks, never a crash */
	for (unsigned round = 0; round < 150; round++) {
		uint8_t save[64];
		uint64_t at[64];
		unsigned k;

		for (k = 0; k < 64; k++) {
			unsigned b;

			do {
				seed = seed * 1103515245u + 12345u;
				b = (seed >> 8) % NBLK;
			} while (!strcmp(o[b].type, "data") || !strcmp(o[b].type, "free2") ||
				 !strcmp(o[b].type, "log"));
			seed = seed * 1103515245u + 12345u;
			at[k] = (uint64_t)b * BS + (round < 50 ? (seed >> 8) % 256 : (seed >> 8) % BS);
			save[k] = m.b[at[k]];
			m.b[at[k]] ^= (uint8_t)(1u << (seed % 8)) | (uint8_t)(round & 0xf0);
		}
		assert_int_equal(mlvm_xfs_owners_read(mem_read, &m, m.size, offs, NBLK, out), 0);
		for (i = 0; i < NBLK; i++)
			mlvm_fs_owner_clear(&out[i]);
		for (k = 64; k-- > 0;)
			m.b[at[k]] = save[k];
	}
	free(m.b);

	/* a cycle: /etc/lvm/backup made to name the root directory (v5) */
	if (!strcmp(tag, "v5")) {
		char cmd[512];
		unsigned vg = 0, named2 = 0;

		snprintf(cmd, sizeof(cmd),
			 "xfs_db -x -c 'path /etc/lvm' -c 'write u3.sfdir3.list[1].inumber.i4 128' %s "
			 ">/dev/null 2>&1", img);
		assert_int_equal(sh(cmd), 0);
		m = load(img);
		assert_int_equal(mlvm_xfs_owners_read(mem_read, &m, m.size, offs, NBLK, out), 0);
		for (i = 0; i < NBLK; i++) {
			if (!strcmp(o[i].path, "/etc/lvm/backup/vg")) {
				/* no directory names it now */
				assert_non_null(out[i].path);
				assert_true(!strncmp(out[i].path, "<inode ", 7));
				vg++;
			} else if (!strcmp(o[i].type, "data") && strncmp(o[i].path, "/etc/lvm/backup", 15)) {
				assert_non_null(out[i].path);
				assert_string_equal(out[i].path, o[i].path);
				named2++;
			}
			mlvm_fs_owner_clear(&out[i]);
		}
		assert_int_equal(vg, 1);
		assert_true(named2 > 700);
		free(m.b);
	}
	free(o);
	free(offs);
	free(out);
}

static void test_v5(void **state)
{
	(void)state;
	if (!dir[0])
		skip();
	check_image("-m crc=1 -n ftype=1 -i size=512", "v5");
}

static void test_v4(void **state)
{
	(void)state;
	if (!dir[0])
		skip();
	check_image("-m crc=0 -n ftype=0 -i size=256", "v4");
}

static void test_not_xfs(void **state)
{
	uint8_t b[1024] = "XFSB";
	struct mem m = { b, sizeof(b) };
	uint64_t off = 100;
	struct mlvm_fs_owner o;

	(void)state;
	assert_false(mlvm_xfs_is_sb(b, sizeof(b)));
	assert_false(mlvm_xfs_is_sb(b, 3));
	assert_int_equal(mlvm_xfs_owners_read(mem_read, &m, m.size, &off, 1, &o), 0);
	assert_string_equal(o.fs_type, "");
	assert_null(o.path);
}

static int setup(void **state)
{
	char cmd[256];

	(void)state;
	if (!have_tools())
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/test_xfs.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "echo 'test {' >%s/small && head -c 3000000 /dev/zero | tr '\\0' x >%s/big", dir, dir);
	return sh(cmd) ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (dir[0] && !getenv("TEST_XFS_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		sh(cmd);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_xfs),
		cmocka_unit_test(test_v5),
		cmocka_unit_test(test_v4),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
