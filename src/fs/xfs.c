/*
 * xfs.c - the file owning bytes of an XFS filesystem (xfs.h). Everything
 * on disk is big-endian; structures are read field by field.
 */
#include "fs/xfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XFS_MAX_BTREE_LEVELS 9		/* deeper than any real XFS btree */
/*
 * Work bounds. A sound filesystem never needs more btree blocks, directory
 * blocks or inode chunks than it has blocks (inode chunks: than it can
 * hold), so each is also capped by the filesystem's size: pointers that
 * lead to the same blocks again and again cost no more than that.
 */
#define XFS_MAX_BTREE_BLOCKS (1u << 20)	/* btree blocks read, per pass */
#define XFS_MAX_DIR_BLOCKS (1u << 20)	/* directory blocks read, in all */
#define XFS_MAX_CHUNKS (1u << 20)	/* inode chunks read (64 inodes each) */
#define XFS_MAX_DIR_EXTENTS (1u << 16)	/* extents kept for one directory */
#define XFS_DIR_LEAF_OFFSET (32ull << 30)	/* directory data below this byte */

#define S_IFMT_ 0170000u
#define S_IFDIR_ 0040000u

enum { FMT_DEV = 0, FMT_LOCAL = 1, FMT_EXTENTS = 2, FMT_BTREE = 3 };

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned log2u(uint64_t v)
{
	unsigned l = 0;

	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

struct xfs {
	mlvm_xfs_read_fn read;
	void *ctx;
	uint64_t limit;		/* bytes readable: min(device, filesystem) */
	uint32_t bsize, agblocks, agcount, dirbsize;
	unsigned blocklog, agblklog, inopblog, dirblklog;
	uint16_t sectsize, isize;
	uint64_t dblocks, rootino, log_lin, logblocks;
	bool v5, ftype, spinodes, dirv2;
	unsigned budget;	/* btree blocks left for the current pass */
	unsigned chunks;	/* inode chunks left */
	unsigned max_btree, max_dirblocks;	/* the caps above, for this filesystem */
};

static int rd(struct xfs *x, void *buf, size_t len, uint64_t off)
{
	if (off > x->limit || len > x->limit - off)
		return -EINVAL;
	return x->read(x->ctx, buf, len, off) < 0 ? -EIO : 0;
}

/* ------------------------------------------------------------ superblock */

struct sbinfo {
	uint32_t bsize, agblocks, agcount;
	uint64_t dblocks, rootino, logstart;
	uint32_t logblocks, f2, incompat;
	uint16_t version, sectsize, isize, inopblock;
	uint8_t blocklog, sectlog, inodelog, inopblog, agblklog, dirblklog;
};

static bool parse_sb(const uint8_t *sb, size_t n, struct sbinfo *s)
{
	unsigned v;

	if (n < 256 || memcmp(sb, "XFSB", 4))
		return false;
	s->bsize = be32(sb + 4);
	s->dblocks = be64(sb + 8);
	s->logstart = be64(sb + 48);
	s->rootino = be64(sb + 56);
	s->agblocks = be32(sb + 84);
	s->agcount = be32(sb + 88);
	s->logblocks = be32(sb + 96);
	s->version = be16(sb + 100);
	s->sectsize = be16(sb + 102);
	s->isize = be16(sb + 104);
	s->inopblock = be16(sb + 106);
	s->blocklog = sb[120];
	s->sectlog = sb[121];
	s->inodelog = sb[122];
	s->inopblog = sb[123];
	s->agblklog = sb[124];
	s->dirblklog = sb[192];
	s->f2 = be32(sb + 200);
	s->incompat = be32(sb + 216);
	v = s->version & 0xf;
	if (v != 4 && v != 5)
		return false;
	if (!pow2(s->bsize) || s->bsize < 512 || s->bsize > 65536 || log2u(s->bsize) != s->blocklog)
		return false;
	if (!pow2(s->sectsize) || s->sectsize < 512 || s->sectsize > 32768 ||
	    log2u(s->sectsize) != s->sectlog || s->sectsize > s->bsize)
		return false;
	if (!pow2(s->isize) || s->isize < 256 || s->isize > 2048 ||
	    log2u(s->isize) != s->inodelog || s->isize > s->bsize)
		return false;
	if (s->inopblock != s->bsize / s->isize || log2u(s->inopblock) != s->inopblog)
		return false;
	if (s->agblocks < 5 || s->agblklog > 31 || s->agblklog < log2u(s->agblocks) ||
	    s->agblklog > log2u(s->agblocks) + 1 || (1ull << s->agblklog) < s->agblocks)
		return false;
	if (!s->agcount || s->agcount > (1u << 24) || !s->dblocks ||
	    s->dblocks > (uint64_t)s->agcount * s->agblocks ||
	    s->dblocks <= (uint64_t)(s->agcount - 1) * s->agblocks)
		return false;
	if (s->dirblklog > 16 || s->blocklog + s->dirblklog > 16)
		return false;
	if (!s->rootino || s->agblklog + s->inopblog > 63)
		return false;
	return true;
}

bool mlvm_xfs_is_sb(const uint8_t *sb, size_t n)
{
	struct sbinfo s;

	return sb && parse_sb(sb, n, &s);
}

/* filesystem block number (agno:agbno) to linear block; false when outside */
static bool fsb_lin(const struct xfs *x, uint64_t fsb, uint64_t *lin)
{
	uint64_t agno = fsb >> x->agblklog, agbno = fsb & ((1ull << x->agblklog) - 1);

	if (agno >= x->agcount || agbno >= x->agblocks)
		return false;
	*lin = agno * x->agblocks + agbno;
	return *lin < x->dblocks;
}

static bool ino_off(const struct xfs *x, uint64_t ino, uint64_t *off)
{
	uint64_t lin;

	if (!fsb_lin(x, ino >> x->inopblog, &lin))
		return false;
	*off = (lin << x->blocklog) + (ino & ((1ull << x->inopblog) - 1)) * x->isize;
	return true;
}

/* ------------------------------------------------------------ inodes and forks */

struct inode {
	uint8_t *b;		/* isize bytes */
	uint16_t mode;
	uint8_t fmt[2];		/* data, attr */
	uint32_t fork_off[2], fork_len[2];
	uint64_t next[2];
	uint16_t flags;
};

/* parse an inode core; false when it is not one in use */
static bool parse_inode(const struct xfs *x, uint8_t *b, struct inode *in)
{
	uint32_t core, lit, forkoff;
	uint64_t flags2 = 0;

	if (be16(b) != 0x494e || (b[4] != 1 && b[4] != 2 && b[4] != 3))
		return false;
	if (x->v5 != (b[4] == 3))
		return false;
	in->b = b;
	in->mode = be16(b + 2);
	if (!in->mode)
		return false;
	core = b[4] == 3 ? 176 : 100;
	if (x->isize <= core)
		return false;
	lit = x->isize - core;
	forkoff = (uint32_t)b[82] * 8;
	if (forkoff > lit)
		return false;
	in->fmt[0] = b[5];
	in->fmt[1] = forkoff ? b[83] : FMT_DEV;
	in->fork_off[0] = core;
	in->fork_len[0] = forkoff ? forkoff : lit;
	in->fork_off[1] = core + forkoff;
	in->fork_len[1] = forkoff ? lit - forkoff : 0;
	in->flags = be16(b + 90);
	if (b[4] == 3)
		flags2 = be64(b + 120);
	if (flags2 & (1ull << 4)) {	/* XFS_DIFLAG2_NREXT64 */
		in->next[0] = be64(b + 24);
		in->next[1] = be32(b + 76);
	} else {
		in->next[0] = be32(b + 76);
		in->next[1] = be16(b + 80);
	}
	return true;
}

/*
 * one extent: file block off, linear block lin, count blocks; nonzero stops.
 * off is BMBT_BLOCK for a block of the fork's btree.
 */
#define BMBT_BLOCK UINT64_MAX
typedef int (*extent_fn)(void *p, uint64_t off, uint64_t lin, uint64_t count);

static int bmbt_rec(struct xfs *x, const uint8_t *r, extent_fn fn, void *p)
{
	uint64_t l0 = be64(r), l1 = be64(r + 8);
	uint64_t off = (l0 & ((1ull << 63) - 1)) >> 9;
	uint64_t fsb = ((l0 & 0x1ff) << 43) | (l1 >> 21);
	uint64_t count = l1 & ((1ull << 21) - 1), lin;

	if (!count || !fsb_lin(x, fsb, &lin))
		return 0;	/* damaged: skipped */
	if ((fsb & ((1ull << x->agblklog) - 1)) + count > x->agblocks || lin + count > x->dblocks)
		return 0;
	return fn(p, off, lin, count);
}

static int bmbt_walk(struct xfs *x, uint64_t fsb, unsigned level, extent_fn fn, void *p)
{
	uint32_t hdr = x->v5 ? 72 : 24, maxrecs, nrec, i;
	uint64_t lin;
	uint8_t *b;
	int rc = 0;

	if (!x->budget || !fsb_lin(x, fsb, &lin))
		return 0;
	x->budget--;
	b = malloc(x->bsize);
	if (!b)
		return -ENOMEM;
	if (rd(x, b, x->bsize, lin << x->blocklog) < 0 || memcmp(b, x->v5 ? "BMA3" : "BMAP", 4) ||
	    be16(b + 4) != level)
		goto out;
	rc = fn(p, BMBT_BLOCK, lin, 1);	/* the btree block is the inode's too */
	nrec = be16(b + 6);
	if (rc) {
	} else if (!level) {
		maxrecs = (x->bsize - hdr) / 16;
		for (i = 0; i < nrec && i < maxrecs && !rc; i++)
			rc = bmbt_rec(x, b + hdr + 16 * i, fn, p);
	} else {
		maxrecs = (x->bsize - hdr) / 16;
		for (i = 0; i < nrec && i < maxrecs && !rc; i++)
			rc = bmbt_walk(x, be64(b + hdr + 8 * maxrecs + 8 * i), level - 1, fn, p);
	}
out:
	free(b);
	return rc;
}

/* every extent of fork w (0 data, 1 attr) of in; <0 only for -ENOMEM */
static int fork_extents(struct xfs *x, const struct inode *in, int w, extent_fn fn, void *p)
{
	const uint8_t *f = in->b + in->fork_off[w];
	uint32_t len = in->fork_len[w], maxrecs, nrec, i, level;
	uint64_t n;
	int rc = 0;

	if (in->fmt[w] == FMT_EXTENTS) {
		n = in->next[w];
		if (n > len / 16)
			n = len / 16;
		for (i = 0; i < n && !rc; i++)
			rc = bmbt_rec(x, f + 16 * i, fn, p);
	} else if (in->fmt[w] == FMT_BTREE) {
		if (len < 4 + 16)
			return 0;
		level = be16(f);
		nrec = be16(f + 2);
		maxrecs = (len - 4) / 16;
		if (!level || level > XFS_MAX_BTREE_LEVELS)
			return 0;
		for (i = 0; i < nrec && i < maxrecs && !rc; i++)
			rc = bmbt_walk(x, be64(f + 4 + 8 * maxrecs + 8 * i), level - 1, fn, p);
	}
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ owners: inode scan */

struct want {
	uint64_t lin;		/* linear filesystem block */
	uint64_t ino;		/* owner, 0 until found */
	size_t idx;		/* in the caller's arrays */
};

struct scan {
	struct xfs *x;
	struct want *w;		/* sorted by lin */
	size_t n, left;
	uint64_t ino;
};

static int cmp_want(const void *a, const void *b)
{
	const struct want *p = a, *q = b;

	return p->lin < q->lin ? -1 : p->lin > q->lin;
}

static size_t lower_bound(const struct want *w, size_t n, uint64_t lin)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w[mid].lin < lin)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int scan_extent(void *p, uint64_t off, uint64_t lin, uint64_t count)
{
	struct scan *s = p;
	size_t k;

	(void)off;
	for (k = lower_bound(s->w, s->n, lin); k < s->n && s->w[k].lin < lin + count; k++)
		if (!s->w[k].ino) {
			s->w[k].ino = s->ino;
			s->left--;
		}
	return s->left ? 0 : 1;
}

static int scan_inode(struct scan *s, uint8_t *b, uint64_t ino)
{
	struct inode in;
	int rc = 0;

	if (!parse_inode(s->x, b, &in))
		return 0;
	s->ino = ino;
	if (!(in.flags & 1))	/* XFS_DIFLAG_REALTIME: data on the rt device */
		rc = fork_extents(s->x, &in, 0, scan_extent, s);
	if (!rc && s->left)
		rc = fork_extents(s->x, &in, 1, scan_extent, s);
	return rc;
}

static int scan_chunk(struct scan *s, uint32_t agno, const uint8_t *r, uint8_t *chunk)
{
	struct xfs *x = s->x;
	uint32_t startino = be32(r);
	uint16_t holemask = x->spinodes ? be16(r + 4) : 0;
	uint64_t freemask = be64(r + 8), ino0, off;
	unsigned i;
	int rc = 0;

	if (startino > UINT32_MAX - 64 || !x->chunks)
		return 0;
	x->chunks--;
	ino0 = (uint64_t)agno << (x->agblklog + x->inopblog) | startino;
	if (!ino_off(x, ino0, &off) || rd(x, chunk, 64u * x->isize, off) < 0)
		return 0;
	for (i = 0; i < 64 && !rc && s->left; i++) {
		if ((holemask >> (i / 4)) & 1 || (freemask >> i) & 1)
			continue;
		rc = scan_inode(s, chunk + (size_t)i * x->isize, ino0 + i);
	}
	return rc;
}

static int inobt_walk(struct scan *s, uint32_t agno, uint32_t agbno, unsigned level,
		      uint8_t *chunk)
{
	struct xfs *x = s->x;
	uint32_t hdr = x->v5 ? 56 : 16, maxrecs, nrec, i;
	uint8_t *b;
	int rc = 0;

	if (!x->budget || agbno >= x->agblocks || !s->left)
		return 0;
	x->budget--;
	b = malloc(x->bsize);
	if (!b)
		return -ENOMEM;
	if (rd(x, b, x->bsize, ((uint64_t)agno * x->agblocks + agbno) << x->blocklog) < 0 ||
	    memcmp(b, x->v5 ? "IAB3" : "IABT", 4) || be16(b + 4) != level)
		goto out;
	nrec = be16(b + 6);
	if (!level) {
		maxrecs = (x->bsize - hdr) / 16;
		for (i = 0; i < nrec && i < maxrecs && !rc && s->left; i++)
			rc = scan_chunk(s, agno, b + hdr + 16 * i, chunk);
	} else {
		maxrecs = (x->bsize - hdr) / 8;
		for (i = 0; i < nrec && i < maxrecs && !rc && s->left; i++)
			rc = inobt_walk(s, agno, be32(b + hdr + 4 * maxrecs + 4 * i), level - 1, chunk);
	}
out:
	free(b);
	return rc;
}

static int scan_inodes(struct scan *s)
{
	struct xfs *x = s->x;
	uint8_t *chunk = malloc(64u * x->isize), agi[32];
	uint32_t agno, root, level;
	int rc = 0;

	if (!chunk)
		return -ENOMEM;
	for (agno = 0; agno < x->agcount && s->left && rc >= 0; agno++) {
		uint64_t at = ((uint64_t)agno * x->agblocks << x->blocklog) + 2u * x->sectsize;

		if (rd(x, agi, sizeof(agi), at) < 0 || memcmp(agi, "XAGI", 4) ||
		    be32(agi + 8) != agno)
			continue;
		root = be32(agi + 20);
		level = be32(agi + 24);
		if (!level || level > XFS_MAX_BTREE_LEVELS)
			continue;
		rc = inobt_walk(s, agno, root, level - 1, chunk);
	}
	free(chunk);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ free space */

/* true when the by-block free-space btree of the AG lists agbno as free */
static int bnobt_free(struct xfs *x, uint32_t agno, uint32_t agbno, uint32_t blk, unsigned level,
		      bool *free_)
{
	uint32_t hdr = x->v5 ? 56 : 16, maxrecs, nrec, i, pick;
	uint8_t *b;
	int rc = 0;

	if (!x->budget || blk >= x->agblocks)
		return 0;
	x->budget--;
	b = malloc(x->bsize);
	if (!b)
		return -ENOMEM;
	if (rd(x, b, x->bsize, ((uint64_t)agno * x->agblocks + blk) << x->blocklog) < 0 ||
	    memcmp(b, x->v5 ? "AB3B" : "ABTB", 4) || be16(b + 4) != level)
		goto out;
	nrec = be16(b + 6);
	if (!level) {
		maxrecs = (x->bsize - hdr) / 8;
		for (i = 0; i < nrec && i < maxrecs; i++) {
			uint32_t st = be32(b + hdr + 8 * i), cnt = be32(b + hdr + 8 * i + 4);

			if (st <= agbno && agbno - st < cnt)
				*free_ = true;
		}
	} else {
		maxrecs = (x->bsize - hdr) / 12;
		if (nrec > maxrecs)
			nrec = maxrecs;
		for (i = 0, pick = nrec; i < nrec; i++)
			if (be32(b + hdr + 8 * i) <= agbno)
				pick = i;	/* the last key at or before agbno */
		if (pick < nrec)
			rc = bnobt_free(x, agno, agbno, be32(b + hdr + 8 * maxrecs + 4 * pick),
					level - 1, free_);
	}
out:
	free(b);
	return rc;
}

static int block_free(struct xfs *x, uint64_t lin, bool *free_)
{
	uint32_t agno = (uint32_t)(lin / x->agblocks), agbno = (uint32_t)(lin % x->agblocks);
	uint8_t agf[32];
	uint32_t root, level;

	*free_ = false;
	if (rd(x, agf, sizeof(agf), ((uint64_t)agno * x->agblocks << x->blocklog) + x->sectsize) < 0 ||
	    memcmp(agf, "XAGF", 4) || be32(agf + 8) != agno)
		return 0;
	root = be32(agf + 16);
	level = be32(agf + 28);
	if (!level || level > XFS_MAX_BTREE_LEVELS)
		return 0;
	return bnobt_free(x, agno, agbno, root, level - 1, free_);
}

/* ------------------------------------------------------------ names: directory walk */

struct ext {
	uint64_t off, lin, count;
};

struct exts {
	struct ext *e;
	size_t n, cap;
	bool full;
};

static int keep_extent(void *p, uint64_t off, uint64_t lin, uint64_t count)
{
	struct exts *v = p;

	if (off == BMBT_BLOCK)
		return 0;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		struct ext *e;

		if (v->cap >= XFS_MAX_DIR_EXTENTS) {
			v->full = true;
			return 1;
		}
		e = realloc(v->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		v->e = e;
		v->cap = cap;
	}
	v->e[v->n].off = off;
	v->e[v->n].lin = lin;
	v->e[v->n].count = count;
	v->n++;
	return 0;
}

struct walk {
	struct xfs *x;
	const uint64_t *inos;	/* wanted inodes, sorted, distinct */
	char **paths;		/* per inos[] */
	size_t n, named;
	uint64_t *seen;		/* directories visited: open addressing, 0 = empty */
	size_t seen_cap, seen_n;
	size_t entries, dirblocks;
	unsigned depth;
	char path[4096];
	size_t len;
	int err;
};

/* false when dir was visited already (or the table is full) */
static bool visit(struct walk *w, uint64_t dir)
{
	size_t h;

	if (w->seen_n * 2 >= w->seen_cap) {
		size_t cap = w->seen_cap ? w->seen_cap * 2 : 1024, i;
		uint64_t *t;

		if (cap > 2 * (size_t)MLVM_FS_MAX_ENTRIES)
			return false;
		t = calloc(cap, sizeof(*t));
		if (!t) {
			w->err = -ENOMEM;
			return false;
		}
		for (i = 0; i < w->seen_cap; i++)
			if (w->seen[i]) {
				h = (size_t)(w->seen[i] * 0x9e3779b97f4a7c15ull) & (cap - 1);
				while (t[h])
					h = (h + 1) & (cap - 1);
				t[h] = w->seen[i];
			}
		free(w->seen);
		w->seen = t;
		w->seen_cap = cap;
	}
	h = (size_t)(dir * 0x9e3779b97f4a7c15ull) & (w->seen_cap - 1);
	while (w->seen[h]) {
		if (w->seen[h] == dir)
			return false;
		h = (h + 1) & (w->seen_cap - 1);
	}
	w->seen[h] = dir;
	w->seen_n++;
	return true;
}

static bool done(const struct walk *w)
{
	return w->err || w->named >= w->n || w->entries > MLVM_FS_MAX_ENTRIES;
}

static void walk_dir(struct walk *w, uint64_t dir);

/* is ino a directory? ftype 2 says so; without ftype its inode says */
static bool is_dir(struct walk *w, uint64_t ino, int ftype)
{
	uint8_t *b;
	uint64_t off;
	struct inode in;
	bool r = false;

	if (ftype >= 0)
		return ftype == 2;
	if (!ino_off(w->x, ino, &off))
		return false;
	b = malloc(w->x->isize);
	if (!b) {
		w->err = -ENOMEM;
		return false;
	}
	if (!rd(w->x, b, w->x->isize, off) && parse_inode(w->x, b, &in))
		r = (in.mode & S_IFMT_) == S_IFDIR_;
	free(b);
	return r;
}

static void entry(struct walk *w, const uint8_t *name, size_t nl, uint64_t ino, int ftype)
{
	size_t keep = w->len, lo = 0, hi = w->n;

	if (done(w) || ++w->entries > MLVM_FS_MAX_ENTRIES)
		return;
	if (!nl || (nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.'))
		return;
	if (memchr(name, '/', nl) || memchr(name, 0, nl) || w->len + 1 + nl >= sizeof(w->path))
		return;
	w->path[w->len] = '/';
	memcpy(w->path + w->len + 1, name, nl);
	w->len += 1 + nl;
	w->path[w->len] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->inos[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < w->n && w->inos[lo] == ino && !w->paths[lo]) {
		w->paths[lo] = strdup(w->path);
		if (!w->paths[lo])
			w->err = -ENOMEM;
		else
			w->named++;
	}
	if (!done(w) && w->depth < MLVM_FS_MAX_DEPTH && is_dir(w, ino, ftype))
		walk_dir(w, ino);
	w->len = keep;
	w->path[w->len] = '\0';
}

static void shortform(struct walk *w, const uint8_t *f, uint32_t len)
{
	unsigned count, i8, isz, i;
	uint32_t p;

	if (len < 6)
		return;
	count = f[0];
	i8 = f[1];
	isz = i8 ? 8 : 4;
	p = 2 + isz;
	for (i = 0; i < count && !done(w); i++) {
		unsigned nl, ft = w->x->ftype ? 1 : 0;
		uint64_t ino;

		if (p + 3 > len)
			return;
		nl = f[p];
		if (p + 3 + nl + ft + isz > len)
			return;
		ino = isz == 8 ? be64(f + p + 3 + nl + ft) : be32(f + p + 3 + nl + ft);
		entry(w, f + p + 3, nl, ino, ft ? f[p + 3 + nl] : -1);
		p += 3 + nl + ft + isz;
	}
}

/* the entries of one directory data block (XD2B/XDB3 or XD2D/XDD3) */
static void data_block(struct walk *w, const uint8_t *b)
{
	struct xfs *x = w->x;
	uint32_t size = x->dirbsize, p, end = size, ft = x->ftype ? 1 : 0;
	bool block;

	if (x->v5) {
		block = !memcmp(b, "XDB3", 4);
		if (!block && memcmp(b, "XDD3", 4))
			return;
		p = 64;
	} else {
		block = !memcmp(b, "XD2B", 4);
		if (!block && memcmp(b, "XD2D", 4))
			return;
		p = 16;
	}
	if (block) {
		uint32_t count = be32(b + size - 8);

		if (count > (size - p - 8) / 8)
			return;
		end = size - 8 - count * 8;
	}
	while (p + 8 <= end && !done(w)) {
		uint32_t nl, len;

		if (be16(b + p) == 0xffff) {	/* unused */
			len = be16(b + p + 2);
			if (len < 8 || len % 8 || len > end - p)
				return;
			p += len;
			continue;
		}
		if (end - p < 16)	/* the smallest entry */
			return;
		nl = b[p + 8];
		len = (8 + 1 + nl + ft + 2 + 7) & ~7u;
		if (!nl || len > end - p)
			return;
		entry(w, b + p + 9, nl, be64(b + p), ft ? b[p + 9 + nl] : -1);
		p += len;
	}
}

/* read directory block at file block fb (dirbsize bytes) through the extents */
static bool dir_read(struct walk *w, const struct exts *v, uint64_t fb, uint8_t *buf)
{
	struct xfs *x = w->x;
	uint32_t nb = x->dirbsize >> x->blocklog, i;
	size_t k, lo, hi;

	for (i = 0; i < nb; i++) {
		uint64_t want = fb + i;

		for (lo = 0, hi = v->n; lo < hi;) {	/* the first extent after want */
			size_t mid = lo + (hi - lo) / 2;

			if (v->e[mid].off <= want)
				lo = mid + 1;
			else
				hi = mid;
		}
		k = lo ? lo - 1 : v->n;
		if (k == v->n || want - v->e[k].off >= v->e[k].count ||
		    rd(x, buf + ((size_t)i << x->blocklog), x->bsize,
		       (v->e[k].lin + (want - v->e[k].off)) << x->blocklog) < 0)
			return false;
	}
	return true;
}

static int cmp_ext(const void *a, const void *b)
{
	const struct ext *p = a, *q = b;

	return p->off < q->off ? -1 : p->off > q->off;
}

static void walk_dir(struct walk *w, uint64_t dir)
{
	struct xfs *x = w->x;
	struct exts v = { 0 };
	struct inode in;
	uint64_t off, leafb = XFS_DIR_LEAF_OFFSET >> x->blocklog, last = 0;
	uint32_t fsbs = x->dirbsize >> x->blocklog;
	uint8_t *ib = NULL, *db = NULL;
	size_t k;

	if (done(w) || !visit(w, dir) || !ino_off(x, dir, &off))
		return;
	w->depth++;
	ib = malloc(x->isize);
	if (!ib) {
		w->err = -ENOMEM;
		goto out;
	}
	if (rd(x, ib, x->isize, off) < 0 || !parse_inode(x, ib, &in) ||
	    (in.mode & S_IFMT_) != S_IFDIR_)
		goto out;
	if (in.fmt[0] == FMT_LOCAL) {
		shortform(w, ib + in.fork_off[0], in.fork_len[0]);
		goto out;
	}
	if (fork_extents(x, &in, 0, keep_extent, &v) < 0) {
		w->err = -ENOMEM;
		goto out;
	}
	db = malloc(x->dirbsize);
	if (!db) {
		w->err = -ENOMEM;
		goto out;
	}
	if (v.n)
		qsort(v.e, v.n, sizeof(*v.e), cmp_ext);
	for (k = 0; k < v.n && !done(w); k++) {
		uint64_t fb = (v.e[k].off + fsbs - 1) / fsbs * fsbs;

		if (fb < last)
			fb = last;	/* overlapping extents: each block once */
		for (; fb < v.e[k].off + v.e[k].count && fb < leafb && !done(w); fb += fsbs) {
			if (++w->dirblocks > x->max_dirblocks) {
				w->entries = MLVM_FS_MAX_ENTRIES + 1;
				break;
			}
			if (dir_read(w, &v, fb, db))
				data_block(w, db);
			last = fb + fsbs;
		}
	}
out:
	w->depth--;
	free(v.e);
	free(db);
	free(ib);
}

/* ------------------------------------------------------------ the whole */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t p = *(const uint64_t *)a, q = *(const uint64_t *)b;

	return p < q ? -1 : p > q;
}

static int set_path(struct mlvm_fs_owner *o, const char *s)
{
	o->path = strdup(s);
	return o->path ? 0 : -ENOMEM;
}

int mlvm_xfs_owners_read(mlvm_xfs_read_fn read, void *ctx, uint64_t size, const uint64_t *offs,
			 size_t n, struct mlvm_fs_owner *out)
{
	struct xfs x = { 0 };
	struct sbinfo s;
	struct scan sc = { 0 };
	struct walk w = { 0 };
	uint8_t sb[512];
	uint64_t *inos = NULL, nblk;
	size_t i, k, ni = 0;
	int rc = 0;

	memset(out, 0, n * sizeof(*out));
	if (!n || size < sizeof(sb) || read(ctx, sb, sizeof(sb), 0) < 0 ||
	    !parse_sb(sb, sizeof(sb), &s))
		return 0;
	x.read = read;
	x.ctx = ctx;
	x.bsize = s.bsize;
	x.blocklog = s.blocklog;
	x.agblocks = s.agblocks;
	x.agblklog = s.agblklog;
	x.agcount = s.agcount;
	x.dblocks = s.dblocks;
	x.sectsize = s.sectsize;
	x.isize = s.isize;
	x.inopblog = s.inopblog;
	x.dirblklog = s.dirblklog;
	x.dirbsize = s.bsize << s.dirblklog;
	x.rootino = s.rootino;
	x.v5 = (s.version & 0xf) == 5;
	x.ftype = x.v5 ? (s.incompat & 1) : !!(s.f2 & 0x200);
	x.spinodes = x.v5 && (s.incompat & 2);
	x.dirv2 = x.v5 || (s.version & 0x2000);
	x.limit = size;
	nblk = x.limit >> x.blocklog;	/* the blocks there are to read */
	x.max_btree = nblk + 16 < XFS_MAX_BTREE_BLOCKS ? (unsigned)nblk + 16 : XFS_MAX_BTREE_BLOCKS;
	x.max_dirblocks = nblk + 16 < XFS_MAX_DIR_BLOCKS ? (unsigned)nblk + 16 : XFS_MAX_DIR_BLOCKS;
	if (x.dblocks << x.blocklog >> x.blocklog == x.dblocks && (x.dblocks << x.blocklog) < size)
		x.limit = x.dblocks << x.blocklog;
	x.logblocks = 0;
	if (s.logstart && fsb_lin(&x, s.logstart, &x.log_lin) && s.logblocks &&
	    s.logblocks <= x.dblocks - x.log_lin)
		x.logblocks = s.logblocks;
	for (i = 0; i < n; i++)
		memcpy(out[i].fs_type, "xfs", 4);

	sc.x = &x;
	sc.w = calloc(n, sizeof(*sc.w));
	if (!sc.w) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint64_t lin = offs[i] >> x.blocklog;

		if (lin >= x.dblocks || offs[i] >= x.limit)
			continue;
		if (x.logblocks && lin >= x.log_lin && lin - x.log_lin < x.logblocks) {
			if ((rc = set_path(&out[i], "<log>")) < 0)
				goto out;
			continue;
		}
		sc.w[sc.n].lin = lin;
		sc.w[sc.n].idx = i;
		sc.n++;
	}
	if (!sc.n)
		goto out;
	qsort(sc.w, sc.n, sizeof(*sc.w), cmp_want);
	sc.left = sc.n;
	x.budget = x.max_btree;
	x.chunks = XFS_MAX_CHUNKS;
	if ((nblk << x.inopblog) / 64 + 16 < x.chunks)
		x.chunks = (unsigned)((nblk << x.inopblog) / 64 + 16);
	if ((rc = scan_inodes(&sc)) < 0)
		goto out;

	/* not owned: free when the free-space btree says so */
	for (k = 0; k < sc.n; k++) {
		bool fr = false;

		if (sc.w[k].ino)
			continue;
		x.budget = 64;
		if ((rc = block_free(&x, sc.w[k].lin, &fr)) < 0)
			goto out;
		out[sc.w[k].idx].unallocated = fr;
	}

	/* names of the owners */
	inos = calloc(sc.n, sizeof(*inos));
	if (!inos) {
		rc = -ENOMEM;
		goto out;
	}
	for (k = 0; k < sc.n; k++)
		if (sc.w[k].ino)
			inos[ni++] = sc.w[k].ino;
	if (!ni)
		goto out;
	qsort(inos, ni, sizeof(*inos), cmp_u64);
	for (i = 1, k = 1; i < ni; i++)
		if (inos[i] != inos[k - 1])
			inos[k++] = inos[i];
	ni = k;
	w.x = &x;
	w.inos = inos;
	w.n = ni;
	w.paths = calloc(ni, sizeof(*w.paths));
	if (!w.paths) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ni; i++)
		if (inos[i] == x.rootino) {
			if (!(w.paths[i] = strdup("/"))) {
				rc = -ENOMEM;
				goto out;
			}
			w.named++;
		}
	x.budget = x.max_btree;	/* shared by every directory */
	if (x.dirv2)
		walk_dir(&w, x.rootino);
	if (w.err) {
		rc = w.err;
		goto out;
	}
	for (k = 0; k < sc.n; k++) {
		struct mlvm_fs_owner *o = &out[sc.w[k].idx];
		const uint64_t *hit;
		char tmp[48];

		if (!sc.w[k].ino)
			continue;
		hit = bsearch(&sc.w[k].ino, inos, ni, sizeof(*inos), cmp_u64);
		if (hit && w.paths[hit - inos]) {
			rc = set_path(o, w.paths[hit - inos]);
		} else {
			snprintf(tmp, sizeof(tmp), "<inode %llu>", (unsigned long long)sc.w[k].ino);
			rc = set_path(o, tmp);
		}
		if (rc < 0)
			goto out;
	}
out:
	if (w.paths)
		for (i = 0; i < ni; i++)
			free(w.paths[i]);
	free(w.paths);
	free(w.seen);
	free(inos);
	free(sc.w);
	if (rc < 0)
		for (i = 0; i < n; i++)
			mlvm_fs_owner_clear(&out[i]);
	return rc;
}

static int lv_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return mlvm_lv_read(ctx, buf, len, off);
}

int mlvm_xfs_owners(struct mlvm_lv_reader *rd, const uint64_t *offs, size_t n,
		    struct mlvm_fs_owner *out)
{
	return mlvm_xfs_owners_read(lv_read, rd, mlvm_lv_reader_size(rd), offs, n, out);
}
