/*
 * fsowner.c - the file owning bytes of an LV (fsowner.h).
 */
#include "fs/fsowner.h"
#include "fs/xfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlvm_fs_owner_clear(struct mlvm_fs_owner *o)
{
	if (!o)
		return;
	free(o->path);
	memset(o, 0, sizeof(*o));
}

/* XFS is read by our own reader (xfs.c): always built in */
bool mlvm_fs_supported(void)
{
	return true;
}

/* XFS when the LV starts with its superblock; 1 when it does not */
static int xfs_owners(struct mlvm_lv_reader *rd, const uint64_t *offs, size_t n,
		      struct mlvm_fs_owner *out)
{
	uint8_t sb[512];

	if (mlvm_lv_reader_size(rd) < sizeof(sb) || mlvm_lv_read(rd, sb, sizeof(sb), 0) < 0 ||
	    !mlvm_xfs_is_sb(sb, sizeof(sb)))
		return 1;
	return mlvm_xfs_owners(rd, offs, n, out);
}

#ifndef HAVE_LIBEXT2FS

int mlvm_fs_owners(struct mlvm_lv_reader *rd, const uint64_t *offs, size_t n,
		   struct mlvm_fs_owner *out)
{
	int rc = xfs_owners(rd, offs, n, out);

	if (rc <= 0)
		return rc;
	memset(out, 0, n * sizeof(*out));
	return 0;
}

#else

#include <ext2fs/ext2fs.h>

/* ------------------------------------------------------------ io_manager over the LV reader */

struct lvio {
	struct mlvm_lv_reader *rd;
	uint64_t size;
};

static struct struct_io_manager lv_io_manager;

static errcode_t lvio_open(const char *name, int flags, io_channel *channel)
{
	struct mlvm_lv_reader *rd = NULL;
	io_channel ch;
	struct lvio *p;

	if (flags & IO_FLAG_RW)
		return EROFS;
	if (sscanf(name, "mlvm-lv:%p", (void **)&rd) != 1 || !rd)
		return EINVAL;
	ch = calloc(1, sizeof(*ch));
	p = calloc(1, sizeof(*p));
	if (!ch || !p) {
		free(ch);
		free(p);
		return ENOMEM;
	}
	ch->name = strdup(name);
	if (!ch->name) {
		free(ch);
		free(p);
		return ENOMEM;
	}
	p->rd = rd;
	p->size = mlvm_lv_reader_size(rd);
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &lv_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = p;
	*channel = ch;
	return 0;
}

static errcode_t lvio_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t lvio_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EINVAL;
	ch->block_size = blksize;
	return 0;
}

static errcode_t lvio_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
	struct lvio *p = ch->private_data;
	uint64_t len = count < 0 ? (uint64_t)-(int64_t)count : (uint64_t)count * (uint64_t)ch->block_size;
	uint64_t off;

	if (__builtin_mul_overflow((uint64_t)block, (uint64_t)ch->block_size, &off) ||
	    off > p->size || len > p->size - off)
		return EXT2_ET_SHORT_READ;
	return mlvm_lv_read(p->rd, data, (size_t)len, off) < 0 ? EIO : 0;
}

static errcode_t lvio_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
	return lvio_read_blk64(ch, block, count, data);
}

static errcode_t lvio_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
	(void)ch;
	(void)block;
	(void)count;
	(void)data;
	return EROFS;
}

static errcode_t lvio_write_blk64(io_channel ch, unsigned long long block, int count,
				  const void *data)
{
	return lvio_write_blk(ch, (unsigned long)block, count, data);
}

static errcode_t lvio_flush(io_channel ch)
{
	(void)ch;
	return 0;
}

static struct struct_io_manager lv_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "mlvm LV reader (read-only)",
	.open = lvio_open,
	.close = lvio_close,
	.set_blksize = lvio_set_blksize,
	.read_blk = lvio_read_blk,
	.write_blk = lvio_write_blk,
	.flush = lvio_flush,
	.read_blk64 = lvio_read_blk64,
	.write_blk64 = lvio_write_blk64,
};

/* ------------------------------------------------------------ owners */

struct want {
	blk64_t blk;
	ext2_ino_t ino;		/* 0 until found */
	size_t idx;		/* in the caller's arrays */
};

struct find {
	struct want *w;
	size_t n, left;
	ext2_ino_t ino;
};

static int block_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk,
		    int ref_offset, void *priv)
{
	struct find *f = priv;
	size_t i;

	(void)fs;
	(void)blockcnt;
	(void)ref_blk;
	(void)ref_offset;
	for (i = 0; i < f->n; i++)
		if (!f->w[i].ino && f->w[i].blk == *blocknr) {
			f->w[i].ino = f->ino;
			f->left--;
		}
	return f->left ? 0 : BLOCK_ABORT;
}

/* the inode of every wanted block in use: one inode scan */
static void find_inodes(ext2_filsys fs, struct find *f)
{
	ext2_inode_scan scan;
	struct ext2_inode inode;
	ext2_ino_t ino;

	if (ext2fs_open_inode_scan(fs, 0, &scan))
		return;
	while (f->left && !ext2fs_get_next_inode(scan, &ino, &inode) && ino) {
		if (!inode.i_links_count || inode.i_dtime ||
		    !ext2fs_inode_has_valid_blocks2(fs, &inode))
			continue;
		f->ino = ino;
		ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY, NULL, block_cb, f);
	}
	ext2fs_close_inode_scan(scan);
}

struct walk {
	ext2_filsys fs;
	struct find *f;
	char **paths;		/* per want */
	size_t named;
	char path[4096];
	size_t len;
	unsigned depth;
	size_t entries;
	int err;
};

static void walk_dir(struct walk *w, ext2_ino_t dir);

static int dir_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize,
		  char *buf, void *priv)
{
	struct walk *w = priv;
	int nl = ext2fs_dirent_name_len(d);
	size_t i, keep = w->len;

	(void)dir;
	(void)entry;
	(void)offset;
	(void)blocksize;
	(void)buf;
	if (++w->entries > MLVM_FS_MAX_ENTRIES || w->err)
		return DIRENT_ABORT;
	if (!d->inode || (nl == 1 && d->name[0] == '.') ||
	    (nl == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	if (w->len + 1 + (size_t)nl >= sizeof(w->path))
		return 0;
	w->path[w->len] = '/';
	memcpy(w->path + w->len + 1, d->name, (size_t)nl);
	w->len += 1 + (size_t)nl;
	w->path[w->len] = '\0';
	for (i = 0; i < w->f->n; i++)
		if (w->f->w[i].ino == d->inode && !w->paths[i]) {
			w->paths[i] = strdup(w->path);
			if (!w->paths[i])
				w->err = -ENOMEM;
			else
				w->named++;
		}
	if (ext2fs_dirent_file_type(d) == EXT2_FT_DIR && w->depth < MLVM_FS_MAX_DEPTH &&
	    w->named < w->f->n)
		walk_dir(w, d->inode);
	w->len = keep;
	w->path[w->len] = '\0';
	return w->named < w->f->n && !w->err ? 0 : DIRENT_ABORT;
}

static void walk_dir(struct walk *w, ext2_ino_t dir)
{
	w->depth++;
	ext2fs_dir_iterate2(w->fs, dir, 0, NULL, dir_cb, w);
	w->depth--;
}

static const char *ext_type(ext2_filsys fs)
{
	if (ext2fs_has_feature_extents(fs->super) || ext2fs_has_feature_flex_bg(fs->super) ||
	    ext2fs_has_feature_64bit(fs->super))
		return "ext4";
	return ext2fs_has_feature_journal(fs->super) ? "ext3" : "ext2";
}

int mlvm_fs_owners(struct mlvm_lv_reader *rd, const uint64_t *offs, size_t n,
		   struct mlvm_fs_owner *out)
{
	char name[64];
	ext2_filsys fs = NULL;
	struct find f = { 0 };
	struct walk w = { 0 };
	const char *type;
	size_t i;
	int rc = 0;

	memset(out, 0, n * sizeof(*out));
	if (!n)
		return 0;
	rc = xfs_owners(rd, offs, n, out);
	if (rc <= 0)
		return rc;
	rc = 0;
	memset(out, 0, n * sizeof(*out));
	snprintf(name, sizeof(name), "mlvm-lv:%p", (void *)rd);
	if (ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0,
			 &lv_io_manager, &fs))
		return 0;	/* not ext2/3/4, or too damaged to open */
	type = ext_type(fs);
	f.w = calloc(n, sizeof(*f.w));
	w.paths = calloc(n, sizeof(*w.paths));
	if (!f.w || !w.paths) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		snprintf(out[i].fs_type, sizeof(out[i].fs_type), "%s", type);
	if (ext2fs_read_block_bitmap(fs))
		goto out;	/* no bitmap: the type is all that is known */
	for (i = 0; i < n; i++) {
		blk64_t b = offs[i] / fs->blocksize;

		if (b >= ext2fs_blocks_count(fs->super))
			continue;
		if (!ext2fs_test_block_bitmap2(fs->block_map, b)) {
			out[i].unallocated = true;
			continue;
		}
		f.w[f.n].blk = b;
		f.w[f.n].idx = i;
		f.n++;
	}
	f.left = f.n;
	if (!f.n)
		goto out;
	find_inodes(fs, &f);
	w.fs = fs;
	w.f = &f;
	walk_dir(&w, EXT2_ROOT_INO);
	if (w.err) {
		rc = w.err;
		goto out;
	}
	for (i = 0; i < f.n; i++) {
		struct mlvm_fs_owner *o = &out[f.w[i].idx];
		char tmp[48];

		if (w.paths[i]) {
			o->path = w.paths[i];
			w.paths[i] = NULL;
			continue;
		}
		if (!f.w[i].ino)
			continue;	/* in use, but by no inode found: fs metadata */
		if (f.w[i].ino == EXT2_JOURNAL_INO)
			snprintf(tmp, sizeof(tmp), "<journal>");
		else
			snprintf(tmp, sizeof(tmp), "<inode %u>", (unsigned)f.w[i].ino);
		o->path = strdup(tmp);
		if (!o->path) {
			rc = -ENOMEM;
			goto out;
		}
	}
out:
	if (w.paths)
		for (i = 0; i < n; i++)
			free(w.paths[i]);
	free(w.paths);
	free(f.w);
	ext2fs_close_free(&fs);
	if (rc < 0)
		for (i = 0; i < n; i++)
			mlvm_fs_owner_clear(&out[i]);
	return rc;
}

#endif
