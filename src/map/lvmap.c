/*
 * lvmap.c - reading a logical volume's bytes through its segments.
 *
 * A reader is a tree: the LV asked for, and one shared reader per sub-LV it
 * reaches (raid images, mirror legs, thin pool metadata and data, snapshot
 * origin and COW store, cache origins). Each LV of the VG gets at most one
 * reader per tree, built depth first; meeting an LV still being built is a
 * cycle (-ELOOP), and nesting is bounded by LVMAP_MAX_DEPTH.
 *
 * Reads go straight into the caller's buffer: a request is cut into the
 * longest runs that map to one contiguous range of one image (a whole
 * linear segment, one stripe chunk) and each run is one pread. Only
 * degraded raid (rebuilding from parity) uses scratch buffers.
 *
 * What cannot be read is zero-filled and recorded in a "miss" list in the
 * coordinates of the buffer being filled; the top-level read turns it into
 * the reader's sorted, merged and bounded list of missing LV ranges.
 * Mirrors, raid1 and raid10 retry a missing range on the next copy; raid4/5/6
 * rebuild a missing data chunk from P (XOR) or, for raid6, from P and Q
 * (GF(2^8), polynomial 0x11d, as md computes them).
 *
 * Layout facts (from the kernel's drivers/md/raid5.c raid5_compute_sector()
 * and dm-raid.c's raid_types table):
 *   chunk c of the array lies in stripe s = c / data_disks, data index
 *   d = c % data_disks, at offset s * chunk in every image;
 *   raid4 is md level 5 with ALGORITHM_PARITY_0 (parity on image 0);
 *   raid5_n: parity on the last image; la/ra/ls/rs: parity rotating
 *   (left: n-1-s%n, right: s%n), asymmetric data skips the parity image,
 *   symmetric data starts after it; raid6_zr/nr/nc are the "ddf" layouts,
 *   whose Q syndrome weights each data image by g^(image index), while the
 *   *_6 layouts weight data images in order from image 0.
 *   raid10 (near): copy k of chunk c is on image (c*copies+k) % n at row
 *   (c*copies+k) / n.
 */
#include "map/lvmap.h"
#include "map/cow.h"
#include "io/source.h"
#include "map/thin.h"
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LVMAP_MAX_DEPTH 32
#define LVMAP_MAX_MISSING 4096		/* ranges kept per reader */
#define MISS_MAX 4096			/* ranges kept per request */
#define MISS_INLINE 8
#define RECON_PIECE (64u << 10)		/* raid rebuild works in pieces this big */
#define MAX_RAID_IMAGES 256

/* ------------------------------------------------------------ miss lists */

struct miss {
	struct mlvm_range in[MISS_INLINE];
	struct mlvm_range *v;		/* in, or heap */
	size_t n, cap;
};

static void miss_init(struct miss *m)
{
	m->v = m->in;
	m->n = 0;
	m->cap = MISS_INLINE;
}

static void miss_free(struct miss *m)
{
	if (m->v != m->in)
		free(m->v);
	miss_init(m);
}

static void hull(struct mlvm_range *r, uint64_t start, uint64_t len)
{
	uint64_t end = r->start + r->len, nend = start + len;

	if (start < r->start)
		r->start = start;
	if (nend > end)
		end = nend;
	r->len = end - r->start;
}

/* ranges are mostly added in increasing order: merge with the last one */
static void miss_add(struct miss *m, uint64_t start, uint64_t len)
{
	struct mlvm_range *last = m->n ? &m->v[m->n - 1] : NULL;

	if (!len)
		return;
	if (last && start <= last->start + last->len && start >= last->start) {
		hull(last, start, len);
		return;
	}
	if (m->n == m->cap) {
		size_t ncap = m->cap * 2;
		struct mlvm_range *nv = NULL;

		if (m->cap < MISS_MAX)
			nv = malloc(ncap * sizeof(*nv));
		if (!nv) {
			hull(last, start, len);	/* bounded: over-report, never lose */
			return;
		}
		memcpy(nv, m->v, m->n * sizeof(*nv));
		if (m->v != m->in)
			free(m->v);
		m->v = nv;
		m->cap = ncap;
	}
	m->v[m->n].start = start;
	m->v[m->n].len = len;
	m->n++;
}

/* copy src's ranges into dst, shifted by delta */
static void miss_move(struct miss *dst, struct miss *src, uint64_t delta)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		miss_add(dst, src->v[i].start + delta, src->v[i].len);
	miss_free(src);
}

/* ------------------------------------------------------------ structures */

enum seg_kind {
	K_BROKEN,		/* cannot be mapped: zeros, missing */
	K_ERROR,		/* the "error" target */
	K_ZERO,
	K_STRIPED,		/* striped, linear, raid0 */
	K_MIRROR,		/* mirror, raid1 */
	K_RAID10,
	K_RAID456,
	K_THIN,
	K_THIN_POOL,
	K_SNAPSHOT,
	K_ORIGIN,		/* cache, writecache: read area 0 */
};

enum raid_algo {
	A_LA, A_RA, A_LS, A_RS, A_P0, A_PN,		/* raid4/5 */
	A_ZR, A_NR, A_NC, A_N6, A_LA6, A_RA6, A_LS6, A_RS6,	/* raid6 */
};

struct area {
	struct mlvm_source *src;	/* a PV's image */
	struct mlvm_lv_reader *lv;	/* or a sub-LV */
	uint64_t base;			/* byte offset of the area in src or lv */
	uint64_t len;			/* bytes readable from base (past: missing) */
	bool bad;			/* nothing readable */
	bool degraded;			/* some of it is missing */
	uint32_t pv1;			/* on a missing PV: its index + 1 (0: not) */
	const char *name;		/* the PV or LV named (for the words) */
};

struct tree;

struct seg {
	uint64_t start, len;		/* bytes of the LV */
	enum seg_kind kind;
	enum raid_algo algo;
	unsigned n;			/* areas */
	unsigned parity;
	unsigned copies;
	uint64_t chunk;			/* stripe bytes */
	struct area *a;
	struct area **alt_a;		/* mirror/raid10 scratch, n entries */
	uint64_t *alt_o;
	int leg;			/* mirror: -1 or the one image to read */
	unsigned first;			/* mirror: first intact image */
	/* thin */
	struct seg *pool;		/* the pool's K_THIN_POOL segment */
	uint64_t dev_id;
	struct area ext;		/* thin external origin (lv != NULL when set) */
	/* thin-pool: a[0] is _tdata */
	struct mlvm_thin_pool *tp;
	uint64_t block;			/* bytes */
	/* snapshot: a[0] origin, a[1] COW store */
	struct mlvm_cow *cow;
	struct tree *t;
	struct mlvm_lv_reader *rd;	/* the reader it belongs to */
};

struct mlvm_lv_reader {
	struct tree *t;
	const struct mlvm_lv *lv;
	uint64_t size;
	struct seg *segs;
	uint32_t n_segs;
	bool degraded;
	bool top;
	struct mlvm_range *missing;
	size_t n_missing, cap_missing;
};

enum { ST_NONE, ST_BUILDING, ST_DONE, ST_FAILED };

/*
 * How the bytes a missing PV held are read, worked out from the layout once
 * the tree is built: rebuilt from parity (raid4/5/6 with no more images
 * missing than it has parity), read from another copy (mirror, raid1 and
 * raid10 with an intact copy of every chunk), not needed (a raid image
 * holding only parity), partly (other images are themselves partly
 * missing: rebuilt or read where they are readable, zeros elsewhere) or
 * zeros.
 */
enum { W_ZEROS, W_PARITY, W_LEG, W_PARITY_ONLY, W_SOME_PARITY, W_SOME_LEG, W_MODES };

struct pv_word {
	bool set;
	const struct seg *g;		/* the segment that recovers them */
	const char *by;			/* its LV */
	unsigned img;			/* the image of g the PV's bytes are in */
	const char *owner;		/* the LV with the area on the missing PV */
};

struct tree {
	const struct mlvm_vg *vg;
	struct mlvm_report *r;
	uint64_t eb;			/* extent bytes */
	struct mlvm_lv_reader **by_lv;
	uint8_t *state;
	int *err;
	const char **pv_lv;		/* per missing PV: an LV with an area on it */
	struct pv_word *pv_words;	/* per PV and mode: how its bytes are read */
	uint8_t gexp[512];
	uint8_t glog[256];
	char image[8];			/* reports here name no image */
};

static int rd_read(struct mlvm_lv_reader *rd, uint8_t *buf, uint64_t len, uint64_t off,
		   struct miss *m, uint64_t bpos);

/* ------------------------------------------------------------ GF(2^8) */

static void gf_init(struct tree *t)
{
	unsigned x = 1, i;

	for (i = 0; i < 255; i++) {
		t->gexp[i] = (uint8_t)x;
		t->gexp[i + 255] = (uint8_t)x;
		t->glog[x] = (uint8_t)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	t->gexp[510] = t->gexp[0];
	t->gexp[511] = t->gexp[1];
	t->glog[0] = 0;
}

static uint8_t gf_mul(const struct tree *t, uint8_t a, uint8_t b)
{
	if (!a || !b)
		return 0;
	return t->gexp[t->glog[a] + t->glog[b]];
}

static uint8_t gf_inv(const struct tree *t, uint8_t a)
{
	return a ? t->gexp[255 - t->glog[a]] : 0;
}

static uint8_t gf_pow2(const struct tree *t, unsigned e)
{
	return t->gexp[e % 255];
}

/* dst ^= src * c */
static void gf_muladd(const struct tree *t, uint8_t *dst, const uint8_t *src, size_t len, uint8_t c)
{
	uint8_t row[256];
	size_t i;

	for (i = 0; i < 256; i++)
		row[i] = gf_mul(t, (uint8_t)i, c);
	for (i = 0; i < len; i++)
		dst[i] ^= row[src[i]];
}

static void gf_scale(const struct tree *t, uint8_t *buf, size_t len, uint8_t c)
{
	uint8_t row[256];
	size_t i;

	for (i = 0; i < 256; i++)
		row[i] = gf_mul(t, (uint8_t)i, c);
	for (i = 0; i < len; i++)
		buf[i] = row[buf[i]];
}

static void xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] ^= src[i];
}

/* ------------------------------------------------------------ areas */

static int area_read(struct area *a, uint8_t *buf, uint64_t len, uint64_t off,
		     struct miss *m, uint64_t bpos)
{
	uint64_t n = 0;

	if (!len)
		return 0;
	if (!a->bad && off < a->len)
		n = a->len - off < len ? a->len - off : len;
	if (n < len) {
		memset(buf + n, 0, len - n);
		miss_add(m, bpos + n, len - n);
	}
	if (!n)
		return 0;
	if (a->src) {
		uint64_t pos = a->base + off, k = 0;
		int rc;

		if (pos < a->src->size)
			k = a->src->size - pos < n ? a->src->size - pos : n;
		if (k < n) {
			memset(buf + k, 0, n - k);
			miss_add(m, bpos + k, n - k);
		}
		if (!k)
			return 0;
		rc = mlvm_source_read(a->src, buf, k, pos);
		return rc == -ERANGE ? -EIO : rc;
	}
	return rd_read(a->lv, buf, n, a->base + off, m, bpos);
}

/* read len at off of alts[0], retrying what is missing on alts[1..] */
static int read_alts(struct area **alts, const uint64_t *offs, unsigned nalt, uint8_t *buf,
		     uint64_t len, struct miss *m, uint64_t bpos)
{
	struct miss todo, next, probe;
	unsigned k;
	size_t i;
	int rc;

	miss_init(&todo);
	rc = area_read(alts[0], buf, len, offs[0], &todo, 0);
	for (k = 1; !rc && k < nalt && todo.n; k++) {
		miss_init(&next);
		for (i = 0; !rc && i < todo.n; i++) {
			uint64_t s = todo.v[i].start, l = todo.v[i].len;

			miss_init(&probe);
			rc = area_read(alts[k], buf + s, l, offs[k] + s, &probe, 0);
			miss_move(&next, &probe, s);
		}
		miss_free(&todo);
		todo = next;
		if (todo.v == next.in)
			todo.v = todo.in;
	}
	miss_move(m, &todo, bpos);
	return rc;
}

/* ------------------------------------------------------------ segments */

static int seg_striped(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		       struct miss *m, uint64_t bpos)
{
	while (len) {
		uint64_t c = x / g->chunk, w = x % g->chunk, n = g->chunk - w;
		int rc;

		if (n > len)
			n = len;
		rc = area_read(&g->a[c % g->n], buf, n, (c / g->n) * g->chunk + w, m, bpos);
		if (rc)
			return rc;
		buf += n;
		bpos += n;
		x += n;
		len -= n;
	}
	return 0;
}

static int seg_mirror(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		      struct miss *m, uint64_t bpos)
{
	unsigned k, na = 0;

	if (g->leg >= 0)
		return area_read(&g->a[g->leg], buf, len, x, m, bpos);
	for (k = 0; k < g->n; k++) {
		g->alt_a[na] = &g->a[(g->first + k) % g->n];
		g->alt_o[na++] = x;
	}
	return read_alts(g->alt_a, g->alt_o, na, buf, len, m, bpos);
}

static int seg_raid10(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		      struct miss *m, uint64_t bpos)
{
	while (len) {
		uint64_t c = x / g->chunk, w = x % g->chunk, n = g->chunk - w, p;
		unsigned k, na = 0;
		int rc;

		if (n > len)
			n = len;
		for (k = 0; k < g->copies; k++) {
			uint64_t row;

			if (!mlvm_mul_ok(c, g->copies, &p) || !mlvm_add_ok(p, k, &p) ||
			    !mlvm_mul_ok(p / g->n, g->chunk, &row) || !mlvm_add_ok(row, w, &row))
				continue;
			g->alt_a[na] = &g->a[p % g->n];
			g->alt_o[na++] = row;
		}
		if (na)
			rc = read_alts(g->alt_a, g->alt_o, na, buf, n, m, bpos);
		else {
			memset(buf, 0, n);
			miss_add(m, bpos, n);
			rc = 0;
		}
		if (rc)
			return rc;
		buf += n;
		bpos += n;
		x += n;
		len -= n;
	}
	return 0;
}

/* where chunk c of a raid4/5/6 segment lives (md's raid5_compute_sector) */
static void r456_map(const struct seg *g, uint64_t c, uint64_t *stripe, unsigned *dev,
		     unsigned *pd, unsigned *qd)
{
	unsigned n = g->n, dd = n - g->parity;
	uint64_t s = c / dd;
	unsigned d = (unsigned)(c % dd), p = 0, q = n;	/* q == n: none */

	switch (g->algo) {
	case A_LA:
		p = dd - (unsigned)(s % n);
		if (d >= p)
			d++;
		break;
	case A_RA:
		p = (unsigned)(s % n);
		if (d >= p)
			d++;
		break;
	case A_LS:
		p = dd - (unsigned)(s % n);
		d = (p + 1 + d) % n;
		break;
	case A_RS:
		p = (unsigned)(s % n);
		d = (p + 1 + d) % n;
		break;
	case A_P0:
		p = 0;
		d++;
		break;
	case A_PN:
		p = dd;
		break;
	case A_ZR:
	case A_NR:
		p = g->algo == A_ZR ? (unsigned)(s % n) : n - 1 - (unsigned)((s + 1) % n);
		q = p + 1;
		if (p == n - 1) {
			d++;
			q = 0;
		} else if (d >= p) {
			d += 2;
		}
		break;
	case A_NC:
		p = n - 1 - (unsigned)(s % n);
		q = (p + n - 1) % n;
		d = (p + 1 + d) % n;
		break;
	case A_N6:
		p = dd;
		q = dd + 1;
		break;
	case A_LA6:
	case A_RA6:
		p = g->algo == A_LA6 ? dd - (unsigned)(s % (n - 1)) : (unsigned)(s % (n - 1));
		if (d >= p)
			d++;
		q = n - 1;
		break;
	case A_LS6:
	case A_RS6:
		p = g->algo == A_LS6 ? dd - (unsigned)(s % (n - 1)) : (unsigned)(s % (n - 1));
		d = (p + 1 + d) % (n - 1);
		q = n - 1;
		break;
	}
	*stripe = s;
	*dev = d;
	*pd = p;
	*qd = q;
}

/* the Q syndrome weight index of data image dev */
static unsigned q_slot(const struct seg *g, unsigned dev, unsigned pd, unsigned qd)
{
	unsigned i, slot = 0, d0;

	if (g->algo == A_ZR || g->algo == A_NR || g->algo == A_NC)
		return dev;	/* ddf layouts: every image keeps its index */
	d0 = qd == g->n - 1 ? 0 : qd + 1;
	for (i = d0;; i = (i + 1) % g->n) {
		if (i == dev)
			return slot;
		if (i != pd && i != qd)
			slot++;
	}
}

/*
 * Rebuild len bytes at image offset io of data image tdev into out from the
 * other images. false when too many of them are missing too.
 */
static int r456_rebuild(struct seg *g, unsigned tdev, unsigned pd, unsigned qd, uint64_t io,
			uint8_t *out, uint64_t len, bool *ok)
{
	const struct tree *t = g->t;
	uint8_t *pacc, *qacc, *tmp, *pbuf, *qbuf;
	unsigned i, nmiss = 0, y = 0;
	bool p_ok = true, q_ok = g->parity == 2;
	int rc = 0;

	*ok = false;
	pacc = calloc(5, (size_t)len);
	if (!pacc)
		return -ENOMEM;
	qacc = pacc + len;
	tmp = qacc + len;
	pbuf = tmp + len;
	qbuf = pbuf + len;
	for (i = 0; i < g->n && !rc; i++) {
		struct miss probe;

		if (i == tdev)
			continue;
		miss_init(&probe);
		rc = area_read(&g->a[i], tmp, len, io, &probe, 0);
		if (probe.n) {
			if (i == pd)
				p_ok = false;
			else if (i == qd)
				q_ok = false;
			else {
				nmiss++;
				y = i;
			}
			miss_free(&probe);
			continue;
		}
		if (i == pd)
			memcpy(pbuf, tmp, len);
		else if (i == qd)
			memcpy(qbuf, tmp, len);
		else {
			xor_into(pacc, tmp, len);
			if (g->parity == 2)
				gf_muladd(t, qacc, tmp, len, gf_pow2(t, q_slot(g, i, pd, qd)));
		}
	}
	if (rc)
		goto out;
	if (nmiss == 0 && p_ok) {
		xor_into(pacc, pbuf, len);
		memcpy(out, pacc, len);
		*ok = true;
	} else if (nmiss == 0 && q_ok) {
		/* D = (Q + Qacc) / g^x */
		xor_into(qacc, qbuf, len);
		gf_scale(t, qacc, len, gf_inv(t, gf_pow2(t, q_slot(g, tdev, pd, qd))));
		memcpy(out, qacc, len);
		*ok = true;
	} else if (nmiss == 1 && p_ok && q_ok) {
		/* Dx = (Qxy + g^y Pxy) / (g^x + g^y) */
		uint8_t gx = gf_pow2(t, q_slot(g, tdev, pd, qd));
		uint8_t gy = gf_pow2(t, q_slot(g, y, pd, qd));

		xor_into(pacc, pbuf, len);	/* Pxy */
		xor_into(qacc, qbuf, len);	/* Qxy */
		gf_muladd(t, qacc, pacc, len, gy);
		gf_scale(t, qacc, len, gf_inv(t, (uint8_t)(gx ^ gy)));
		memcpy(out, qacc, len);
		*ok = true;
	}
out:
	free(pacc);
	return rc;
}

static int seg_raid456(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		       struct miss *m, uint64_t bpos)
{
	while (len) {
		uint64_t c = x / g->chunk, w = x % g->chunk, n = g->chunk - w, s, io;
		unsigned dev, pd, qd;
		struct miss probe;
		int rc;

		if (n > len)
			n = len;
		r456_map(g, c, &s, &dev, &pd, &qd);
		io = s * g->chunk + w;	/* <= x: no overflow */
		miss_init(&probe);
		rc = area_read(&g->a[dev], buf, n, io, &probe, 0);
		if (!rc && probe.n) {
			/* rebuild the piece from the other images */
			uint64_t done = 0;
			uint8_t *tmp = malloc(n < RECON_PIECE ? (size_t)n : RECON_PIECE);

			if (!tmp) {
				miss_free(&probe);
				return -ENOMEM;
			}
			while (!rc && done < n) {
				uint64_t l = n - done < RECON_PIECE ? n - done : RECON_PIECE;
				bool ok;

				rc = r456_rebuild(g, dev, pd, qd, io + done, tmp, l, &ok);
				if (!rc && ok) {
					memcpy(buf + done, tmp, l);
				} else if (!rc) {
					size_t i;

					for (i = 0; i < probe.n; i++) {
						uint64_t a = probe.v[i].start, b = a + probe.v[i].len;

						if (a < done)
							a = done;
						if (b > done + l)
							b = done + l;
						if (a < b)
							miss_add(m, bpos + a, b - a);
					}
				}
				done += l;
			}
			free(tmp);
		}
		miss_free(&probe);
		if (rc)
			return rc;
		buf += n;
		bpos += n;
		x += n;
		len -= n;
	}
	return 0;
}

static int seg_thin(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		    struct miss *m, uint64_t bpos)
{
	struct seg *ps = g->pool;

	if (!ps || !ps->tp) {
		memset(buf, 0, len);
		miss_add(m, bpos, len);
		return 0;
	}
	while (len) {
		uint64_t vb = x / ps->block, w = x % ps->block, n = ps->block - w, db, next, at;
		int rc = mlvm_thin_lookup(ps->tp, g->dev_id, vb, &db);

		if (rc == -ENOENT) {
			/* unmapped up to the next mapped block */
			uint64_t run = n < len ? n : len;
			int nr = mlvm_thin_next_mapped(ps->tp, g->dev_id, vb + 1, &next);

			if (nr == -ENOENT)
				run = len;
			else if (nr == 0 && next > vb && mlvm_mul_ok(next, ps->block, &at) && at > x)
				run = at - x < len ? at - x : len;
			if (g->ext.lv)
				rc = area_read(&g->ext, buf, run, x, m, bpos);
			else {
				memset(buf, 0, run);
				rc = 0;
			}
			if (rc)
				return rc;
			n = run;
		} else if (rc == 0) {
			uint64_t k, d2, pos;

			if (n > len)
				n = len;
			/* extend over blocks mapped contiguously */
			for (k = 1; n < len; k++) {
				uint64_t step = len - n < ps->block ? len - n : ps->block;

				if (mlvm_thin_lookup(ps->tp, g->dev_id, vb + k, &d2) || d2 != db + k)
					break;
				n += step;
			}
			if (!mlvm_mul_ok(db, ps->block, &pos) || !mlvm_add_ok(pos, w, &pos)) {
				memset(buf, 0, n);
				miss_add(m, bpos, n);
			} else if ((rc = area_read(&ps->a[0], buf, n, pos, m, bpos))) {
				return rc;
			}
		} else {
			if (n > len)
				n = len;
			memset(buf, 0, n);
			miss_add(m, bpos, n);
		}
		buf += n;
		bpos += n;
		x += n;
		len -= n;
	}
	return 0;
}

static int seg_snapshot(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			struct miss *m, uint64_t bpos)
{
	uint64_t cb = g->chunk;

	while (len) {
		uint64_t c = x / cb, w = x % cb, n = cb - w, nc, pos;
		int rc;

		if (n > len)
			n = len;
		if (mlvm_cow_lookup(g->cow, c, &nc) == 0) {
			if (!mlvm_mul_ok(nc, cb, &pos) || !mlvm_add_ok(pos, w, &pos)) {
				memset(buf, 0, n);
				miss_add(m, bpos, n);
				rc = 0;
			} else {
				rc = area_read(&g->a[1], buf, n, pos, m, bpos);
			}
		} else {
			/* origin chunks without exceptions, as one run */
			uint64_t k;

			for (k = 1; n < len && mlvm_cow_lookup(g->cow, c + k, &nc) == -ENOENT; k++)
				n += len - n < cb ? len - n : cb;
			rc = area_read(&g->a[0], buf, n, x, m, bpos);
		}
		if (rc)
			return rc;
		buf += n;
		bpos += n;
		x += n;
		len -= n;
	}
	return 0;
}

static int seg_read(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		    struct miss *m, uint64_t bpos)
{
	switch (g->kind) {
	case K_ZERO:
		memset(buf, 0, len);
		return 0;
	case K_STRIPED:
		if (g->n == 1)
			return area_read(&g->a[0], buf, len, x, m, bpos);
		return seg_striped(g, buf, len, x, m, bpos);
	case K_MIRROR:
		return seg_mirror(g, buf, len, x, m, bpos);
	case K_RAID10:
		return seg_raid10(g, buf, len, x, m, bpos);
	case K_RAID456:
		return seg_raid456(g, buf, len, x, m, bpos);
	case K_THIN:
		return seg_thin(g, buf, len, x, m, bpos);
	case K_THIN_POOL:
	case K_ORIGIN:
		return area_read(&g->a[0], buf, len, x, m, bpos);
	case K_SNAPSHOT:
		return seg_snapshot(g, buf, len, x, m, bpos);
	case K_BROKEN:
	case K_ERROR:
		break;
	}
	memset(buf, 0, len);
	miss_add(m, bpos, len);
	return 0;
}

/* the segment holding byte off, or the first one after it (n_segs: none) */
static uint32_t seg_find(const struct mlvm_lv_reader *rd, uint64_t off)
{
	uint32_t lo = 0, hi = rd->n_segs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct seg *g = &rd->segs[mid];

		if (off >= g->start + g->len)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int rd_read(struct mlvm_lv_reader *rd, uint8_t *buf, uint64_t len, uint64_t off,
		   struct miss *m, uint64_t bpos)
{
	uint32_t i = seg_find(rd, off);

	while (len) {
		struct seg *g = i < rd->n_segs ? &rd->segs[i] : NULL;
		uint64_t n;
		int rc;

		if (!g || off < g->start) {
			/* a gap between segments, or past the last one */
			n = g && g->start - off < len ? g->start - off : len;
			memset(buf, 0, n);
			miss_add(m, bpos, n);
		} else {
			n = g->start + g->len - off;
			if (n > len)
				n = len;
			rc = seg_read(g, buf, n, off - g->start, m, bpos);
			if (rc)
				return rc;
			i++;
		}
		buf += n;
		bpos += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------ building */

static int get_reader(struct tree *t, int idx, int depth, struct mlvm_lv_reader **out,
		      const char *from);

/* remember the missing PV; the words come once the tree is built (words()) */
static void pv_missing_seen(struct tree *t, uint32_t pi, const char *lvname)
{
	if (!t->pv_lv[pi])
		t->pv_lv[pi] = lvname ? lvname : "?";
}

/* an area on a PV or sub-LV; extra bytes (raid data_offset) are skipped */
static int area_build(struct tree *t, struct area *a, const struct mlvm_area *ma, uint64_t need,
		      uint64_t extra, int depth, const char *lvname)
{
	const struct mlvm_vg *vg = t->vg;
	uint64_t off;

	memset(a, 0, sizeof(*a));
	a->bad = true;
	a->degraded = true;
	a->name = ma->name;
	if (ma->ref < 0) {
		mlvm_warn(t->r, "lv_area_unknown", NULL, -1,
			  "lv %s: area \"%s\" names neither a pv nor an lv: it reads as zeros",
			  lvname, ma->name ? ma->name : "");
		return 0;
	}
	if (ma->kind == MLVM_AREA_PV) {
		const struct mlvm_pv *pv;

		if ((uint32_t)ma->ref >= vg->n_pvs)
			return 0;
		pv = &vg->pvs[ma->ref];
		if (pv->missing || !pv->src) {
			pv_missing_seen(t, (uint32_t)ma->ref, lvname);
			a->pv1 = (uint32_t)ma->ref + 1;
			return 0;
		}
		if (!mlvm_mul_ok(pv->pe_start, 512, &off) || !mlvm_add_ok(off, pv->offset, &off) ||
		    !mlvm_mul_ok(ma->start, t->eb, &a->base) || !mlvm_add_ok(a->base, off, &a->base) ||
		    !mlvm_add_ok(a->base, extra, &a->base)) {
			mlvm_warn(t->r, "lv_area_range", pv->src->name, -1,
				  "lv %s: area on %s at extent %llu lies beyond any image",
				  lvname, pv->name, (unsigned long long)ma->start);
			return 0;
		}
		a->src = pv->src;
		a->len = UINT64_MAX - a->base;
		a->bad = false;
		a->degraded = a->base > pv->src->size || need > pv->src->size - a->base;
		if (a->degraded)
			mlvm_warn(t->r, "lv_area_range", pv->src->name, (int64_t)(a->base > INT64_MAX ? -1 : (int64_t)a->base),
				  "lv %s: area on %s runs past the end of its image: the rest reads as zeros",
				  lvname, pv->name);
		return 0;
	} else {
		struct mlvm_lv_reader *sub;
		int rc;

		if ((uint32_t)ma->ref >= vg->n_lvs)
			return 0;
		rc = get_reader(t, ma->ref, depth + 1, &sub, lvname);
		if (rc)
			return rc;
		if (!mlvm_mul_ok(ma->start, t->eb, &off) || !mlvm_add_ok(off, extra, &off) ||
		    off > sub->size) {
			mlvm_warn(t->r, "lv_area_range", NULL, -1,
				  "lv %s: area on lv %s starts past its end", lvname, sub->lv->name);
			return 0;
		}
		a->lv = sub;
		a->base = off;
		a->len = sub->size - off;
		a->bad = false;
		a->degraded = sub->degraded || a->len < need;
		return 0;
	}
}

/* a sub-LV named by a segment key (thin_pool, origin, metadata, ...) as an area */
static int named_area(struct tree *t, struct area *a, const struct mlvm_segment *s,
		      const char *key, int depth, const char *lvname, bool required)
{
	const char *name;
	struct mlvm_area ma;

	memset(a, 0, sizeof(*a));
	a->bad = a->degraded = true;
	if (cfg_get_str(s->node, key, &name)) {
		if (required)
			mlvm_warn(t->r, "lv_segment_key", NULL, -1,
				  "lv %s: %s segment has no %s", lvname, s->type, key);
		return required ? -ENOENT : 0;
	}
	memset(&ma, 0, sizeof(ma));
	ma.name = name;
	ma.kind = MLVM_AREA_LV;
	ma.ref = mlvm_vg_lv_index(t->vg, name);
	return area_build(t, a, &ma, 0, 0, depth, lvname);
}

static int lv_read_fn(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mlvm_lv_reader *rd = ctx;
	struct miss m;
	int rc;

	if (!mlvm_range_ok(rd->size, off, len))
		return -ERANGE;
	miss_init(&m);
	rc = rd_read(rd, buf, len, off, &m, 0);
	if (!rc && m.n)
		rc = -EIO;
	miss_free(&m);
	return rc;
}

struct type_map {
	const char *name;
	enum seg_kind kind;
	enum raid_algo algo;
	unsigned parity;
};

static const struct type_map types[] = {
	{ "striped", K_STRIPED, 0, 0 },
	{ "linear", K_STRIPED, 0, 0 },
	{ "raid0", K_STRIPED, 0, 0 },
	{ "raid0_meta", K_STRIPED, 0, 0 },
	{ "mirror", K_MIRROR, 0, 0 },
	{ "raid1", K_MIRROR, 0, 0 },
	{ "raid10", K_RAID10, 0, 0 },
	{ "raid10_near", K_RAID10, 0, 0 },
	{ "raid4", K_RAID456, A_P0, 1 },
	{ "raid5_0", K_RAID456, A_P0, 1 },
	{ "raid5_n", K_RAID456, A_PN, 1 },
	{ "raid5_la", K_RAID456, A_LA, 1 },
	{ "raid5_ra", K_RAID456, A_RA, 1 },
	{ "raid5_ls", K_RAID456, A_LS, 1 },
	{ "raid5", K_RAID456, A_LS, 1 },
	{ "raid5_rs", K_RAID456, A_RS, 1 },
	{ "raid6_zr", K_RAID456, A_ZR, 2 },
	{ "raid6", K_RAID456, A_ZR, 2 },
	{ "raid6_nr", K_RAID456, A_NR, 2 },
	{ "raid6_nc", K_RAID456, A_NC, 2 },
	{ "raid6_n_6", K_RAID456, A_N6, 2 },
	{ "raid6_la_6", K_RAID456, A_LA6, 2 },
	{ "raid6_ra_6", K_RAID456, A_RA6, 2 },
	{ "raid6_ls_6", K_RAID456, A_LS6, 2 },
	{ "raid6_rs_6", K_RAID456, A_RS6, 2 },
	{ "thin", K_THIN, 0, 0 },
	{ "thin-pool", K_THIN_POOL, 0, 0 },
	{ "snapshot", K_SNAPSHOT, 0, 0 },
	{ "cache", K_ORIGIN, 0, 0 },
	{ "writecache", K_ORIGIN, 0, 0 },
	{ "cache-pool", K_ORIGIN, 0, 0 },
	{ "error", K_ERROR, 0, 0 },
	{ "zero", K_ZERO, 0, 0 },
	{ NULL, K_BROKEN, 0, 0 },
};

/* reshape state LVM may leave in a raid segment: reported, not applied */
static const char *const unsupported_keys[] = {
	"reshape_count", "delta_disks", "data_copies_far", "data_copies_offset", NULL
};

static bool is_raid(const char *t)
{
	return !strncmp(t, "raid", 4);
}

/* image areas of a raid segment: raid0_lvs all, raids = [rmeta, rimage, ...] odd ones */
static bool raids_paired(const struct mlvm_segment *s)
{
	const char *key = mlvm_seg_areas_key(s);
	uint32_t i;

	if (!key || strcmp(key, "raids") || s->n_areas % 2)
		return false;
	for (i = 0; i < s->n_areas; i += 2)
		if (!s->areas[i].name || !strstr(s->areas[i].name, "rmeta"))
			return false;
	return true;
}

static uint64_t seg_u64(const struct mlvm_segment *s, const char *key, uint64_t dflt)
{
	int64_t v;

	return cfg_get_int(s->node, key, &v) == 0 && v >= 0 ? (uint64_t)v : dflt;
}

static int seg_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
		     struct seg *g, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	const struct type_map *tm;
	char base[64];
	const char *plus;
	size_t bl;
	unsigned i, first_img = 0, step = 1, nimg;
	uint64_t extra = 0, per, chunk_sectors;
	int rc;

	g->t = t;
	g->rd = rd;
	g->leg = -1;
	g->kind = K_BROKEN;
	if (!s->type) {
		mlvm_warn(t->r, "lv_segment_type", NULL, -1, "lv %s: a segment has no type: it reads as zeros", lvname);
		return 0;
	}
	plus = strchr(s->type, '+');
	bl = plus ? (size_t)(plus - s->type) : strlen(s->type);
	if (bl >= sizeof(base))
		bl = sizeof(base) - 1;
	memcpy(base, s->type, bl);
	base[bl] = 0;
	for (tm = types; tm->name && strcmp(tm->name, base); tm++)
		;
	if (!tm->name) {
		mlvm_error(t->r, "lv_segment_type", NULL, -1,
			   "lv %s: segment type %s cannot be mapped", lvname, s->type);
		return -ENOTSUP;
	}
	if (plus && strstr(plus, "RESHAPE"))
		mlvm_warn(t->r, "lv_reshape", NULL, -1,
			  "lv %s: segment type %s: a reshape was in progress; only data_offset is honoured, "
			  "data may be read in the old or new layout", lvname, s->type);

	g->algo = tm->algo;
	g->parity = tm->parity;
	if (tm->kind == K_ERROR || tm->kind == K_ZERO) {
		g->kind = tm->kind;
		if (tm->kind == K_ERROR)
			mlvm_warn(t->r, "lv_error_segment", NULL, -1,
				  "lv %s: an error segment cannot be read: it reads as zeros", lvname);
		return 0;
	}

	if (tm->kind == K_THIN_POOL) {
		struct area meta;
		struct mlvm_thin_pool *tp = NULL;
		char what[300];

		g->a = calloc(1, sizeof(*g->a));
		if (!g->a)
			return -ENOMEM;
		g->n = 1;
		rc = named_area(t, &g->a[0], s, "pool", depth, lvname, true);
		if (rc && rc != -ENOENT)
			return rc;
		rc = named_area(t, &meta, s, "metadata", depth, lvname, true);
		if (rc && rc != -ENOENT)
			return rc;
		g->kind = K_THIN_POOL;
		if (meta.bad || !meta.lv) {
			mlvm_warn(t->r, "thin_meta", NULL, -1,
				  "lv %s: thin pool metadata cannot be read: its thin volumes read as zeros", lvname);
			return 0;
		}
		snprintf(what, sizeof(what), "lv %s/%s", t->vg->name ? t->vg->name : "?", meta.lv->lv->name);
		rc = mlvm_thin_open(lv_read_fn, meta.lv, meta.lv->size, &tp, t->r, what);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			mlvm_warn(t->r, "thin_meta", NULL, -1,
				  "lv %s: thin pool metadata unusable: its thin volumes read as zeros", lvname);
			return 0;
		}
		g->tp = tp;
		chunk_sectors = seg_u64(s, "chunk_size", 0);
		if (mlvm_thin_block_sectors(tp))
			g->block = (uint64_t)mlvm_thin_block_sectors(tp) * 512;
		else
			g->block = chunk_sectors * 512;
		if (chunk_sectors && chunk_sectors * 512 != g->block)
			mlvm_warn(t->r, "thin_chunk_size", NULL, -1,
				  "lv %s: chunk_size %llu sectors but the pool metadata says %llu: using the metadata",
				  lvname, (unsigned long long)chunk_sectors, (unsigned long long)(g->block / 512));
		if (!g->block) {
			mlvm_thin_close(tp);
			g->tp = NULL;
			mlvm_warn(t->r, "thin_chunk_size", NULL, -1, "lv %s: thin pool without a block size", lvname);
		}
		return 0;
	}

	if (tm->kind == K_THIN) {
		const char *pname;
		int pi;
		struct mlvm_lv_reader *pool;
		uint32_t k;

		g->kind = K_THIN;
		g->dev_id = seg_u64(s, "device_id", UINT64_MAX);
		if (cfg_get_str(s->node, "thin_pool", &pname) || (pi = mlvm_vg_lv_index(t->vg, pname)) < 0) {
			mlvm_warn(t->r, "thin_pool", NULL, -1,
				  "lv %s: thin volume without a usable thin_pool: it reads as zeros", lvname);
			return 0;
		}
		rc = get_reader(t, pi, depth + 1, &pool, lvname);
		if (rc)
			return rc;
		for (k = 0; k < pool->n_segs; k++)
			if (pool->segs[k].kind == K_THIN_POOL)
				g->pool = &pool->segs[k];
		if (!g->pool)
			mlvm_warn(t->r, "thin_pool", NULL, -1,
				  "lv %s: thin_pool %s is not a thin pool: it reads as zeros", lvname, pname);
		if (g->dev_id == UINT64_MAX)
			mlvm_warn(t->r, "thin_device", NULL, -1, "lv %s: thin volume without device_id", lvname);
		/*
		 * Only an external origin is read through for unprovisioned
		 * blocks; "origin" merely records which thin LV this one was
		 * snapshotted from (its shared blocks are in the pool already).
		 */
		if (cfg_find(s->node, "external_origin")) {
			const char *key = "external_origin";

			rc = named_area(t, &g->ext, s, key, depth, lvname, false);
			if (rc)
				return rc;
			mlvm_warn(t->r, "thin_external_origin", NULL, -1,
				  "lv %s: thin volume with an external origin: unprovisioned blocks are read from it",
				  lvname);
			if (!g->ext.lv)
				g->ext.bad = true;
		}
		if (!g->pool || !g->pool->tp)
			g->kind = K_BROKEN;
		return 0;
	}

	if (tm->kind == K_SNAPSHOT) {
		struct mlvm_cow *cow = NULL;
		char what[300];
		uint64_t cs;

		g->a = calloc(2, sizeof(*g->a));
		if (!g->a)
			return -ENOMEM;
		g->n = 2;
		rc = named_area(t, &g->a[0], s, "origin", depth, lvname, true);
		if (rc && rc != -ENOENT)
			return rc;
		rc = named_area(t, &g->a[1], s, "cow_store", depth, lvname, true);
		if (rc && rc != -ENOENT)
			return rc;
		if (g->a[1].bad || !g->a[1].lv || g->a[0].bad) {
			mlvm_warn(t->r, "snapshot_parts", NULL, -1,
				  "lv %s: snapshot origin or cow store cannot be read: it reads as zeros", lvname);
			return 0;
		}
		snprintf(what, sizeof(what), "lv %s/%s", t->vg->name ? t->vg->name : "?", g->a[1].lv->lv->name);
		rc = mlvm_cow_open(lv_read_fn, g->a[1].lv, g->a[1].lv->size, &cow, t->r, what);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			mlvm_warn(t->r, "snapshot_cow", NULL, -1,
				  "lv %s: the snapshot's exception store is unusable: it reads as zeros", lvname);
			return 0;
		}
		cs = seg_u64(s, "chunk_size", 0);
		if (mlvm_cow_is_empty(cow)) {
			/* no exceptions: any chunk size reads the origin; the segment's, else 8 sectors */
			mlvm_notice(t->r, "snapshot_cow_empty", NULL, -1,
				    "lv %s: the exception store in %s has a zero header, a new and empty store "
				    "as dm-snapshot takes it: the snapshot reads as its origin, lv %s",
				    lvname, g->a[1].lv->lv->name, g->a[0].name ? g->a[0].name : "?");
			g->cow = cow;
			g->chunk = cs && cs <= (UINT64_MAX >> 9) ? cs * 512 : 4096;
			g->kind = K_SNAPSHOT;
			return 0;
		}
		if (cs && cs != mlvm_cow_chunk_sectors(cow))
			mlvm_warn(t->r, "snapshot_chunk_size", NULL, -1,
				  "lv %s: chunk_size %llu but the exception store says %u: using the store's",
				  lvname, (unsigned long long)cs, mlvm_cow_chunk_sectors(cow));
		g->cow = cow;
		g->chunk = (uint64_t)mlvm_cow_chunk_sectors(cow) * 512;
		g->kind = K_SNAPSHOT;
		return 0;
	}

	if (tm->kind == K_ORIGIN) {
		const char *key = !strcmp(base, "cache-pool") ? "data" : "origin";

		g->a = calloc(1, sizeof(*g->a));
		if (!g->a)
			return -ENOMEM;
		g->n = 1;
		rc = named_area(t, &g->a[0], s, key, depth, lvname, true);
		if (rc && rc != -ENOENT)
			return rc;
		g->kind = K_ORIGIN;
		mlvm_warn(t->r, "lv_cache_dirty", NULL, -1,
			  "lv %s: %s: read from its %s; the cache may hold dirty blocks not in the origin",
			  lvname, base, key);
		return 0;
	}

	/* striped, mirror and raid: areas */
	if (is_raid(base) && raids_paired(s)) {
		first_img = 1;
		step = 2;
	}
	nimg = (s->n_areas - first_img + step - 1) / step;
	if (!nimg) {
		mlvm_warn(t->r, "lv_segment_areas", NULL, -1,
			  "lv %s: %s segment without areas: it reads as zeros", lvname, s->type);
		return 0;
	}
	if (is_raid(base) && tm->kind != K_STRIPED && cfg_find(s->node, "data_offset")) {
		extra = seg_u64(s, "data_offset", 0);
		if (!mlvm_mul_ok(extra, 512, &extra)) {
			mlvm_warn(t->r, "lv_data_offset", NULL, -1, "lv %s: data_offset out of range", lvname);
			return 0;
		}
	}
	for (i = 0; unsupported_keys[i]; i++) {
		if (cfg_find(s->node, unsupported_keys[i]))
			mlvm_warn(t->r, "lv_reshape", NULL, -1,
				  "lv %s: segment key %s is not supported and ignored", lvname,
				  unsupported_keys[i]);
	}

	g->chunk = mlvm_seg_stripe_size(s);
	if (!mlvm_mul_ok(g->chunk, 512, &g->chunk))
		g->chunk = 0;
	if (tm->kind == K_STRIPED && nimg == 1)
		g->chunk = UINT64_MAX;	/* linear: one run per area */
	if (tm->kind != K_MIRROR && !g->chunk) {
		mlvm_warn(t->r, "lv_stripe_size", NULL, -1,
			  "lv %s: %s segment without a usable stripe_size: it reads as zeros", lvname, s->type);
		return 0;
	}
	if (tm->kind == K_RAID456 && (nimg > MAX_RAID_IMAGES || nimg < tm->parity + (tm->parity == 2 ? 1u : 2u))) {
		mlvm_warn(t->r, "lv_segment_areas", NULL, -1,
			  "lv %s: %s segment with %u %s cannot be mapped: it reads as zeros",
			  lvname, s->type, nimg, mlvm_plural(nimg, "image", "images"));
		return 0;
	}
	if (tm->kind == K_RAID10) {
		g->copies = (unsigned)(seg_u64(s, "data_copies", 2) > 0 ? seg_u64(s, "data_copies", 2) : 2);
		if (g->copies > nimg || seg_u64(s, "data_copies", 2) > UINT32_MAX) {
			mlvm_warn(t->r, "lv_segment_areas", NULL, -1,
				  "lv %s: raid10 with %llu %s over %u %s cannot be mapped",
				  lvname, (unsigned long long)seg_u64(s, "data_copies", 2),
				  mlvm_plural(seg_u64(s, "data_copies", 2), "copy", "copies"), nimg,
				  mlvm_plural(nimg, "image", "images"));
			return 0;
		}
	}
	/* bytes each area should provide */
	per = 0;
	if (g->len) {
		uint64_t data = g->len;

		if (tm->kind == K_MIRROR)
			per = data;
		else if (tm->kind == K_RAID10)
			per = data / nimg * g->copies;
		else
			per = data / (nimg - tm->parity);
	}
	g->a = calloc(nimg, sizeof(*g->a));
	g->alt_a = calloc(nimg, sizeof(*g->alt_a));
	g->alt_o = calloc(nimg, sizeof(*g->alt_o));
	if (!g->a || !g->alt_a || !g->alt_o)
		return -ENOMEM;
	g->n = nimg;
	for (i = 0; i < nimg; i++) {
		rc = area_build(t, &g->a[i], &s->areas[first_img + (size_t)i * step], per, extra, depth, lvname);
		if (rc)
			return rc;
	}
	g->kind = tm->kind;
	if (tm->kind == K_MIRROR) {
		if (leg >= 0 && (unsigned)leg >= nimg) {
			mlvm_error(t->r, "lv_leg", NULL, -1, "lv %s: no image %d (it has %u)", lvname, leg, nimg);
			return -EINVAL;
		}
		g->leg = leg;
		for (i = 0; i < nimg && g->a[i].degraded; i++)
			;
		g->first = i < nimg ? i : 0;
	}
	return 0;
}

static void reader_free_one(struct mlvm_lv_reader *rd)
{
	uint32_t i;

	if (!rd)
		return;
	for (i = 0; i < rd->n_segs; i++) {
		struct seg *g = &rd->segs[i];

		if (g->tp)
			mlvm_thin_close(g->tp);
		if (g->cow)
			mlvm_cow_close(g->cow);
		free(g->a);
		free(g->alt_a);
		free(g->alt_o);
	}
	free(rd->segs);
	free(rd->missing);
	free(rd);
}

static int reader_build(struct tree *t, const struct mlvm_lv *lv, int depth, int leg,
			struct mlvm_lv_reader **out)
{
	struct mlvm_lv_reader *rd = calloc(1, sizeof(*rd));
	uint64_t prev_end = 0, full;
	uint32_t i;
	int rc = 0;

	if (!rd)
		return -ENOMEM;
	rd->t = t;
	rd->lv = lv;
	rd->size = mlvm_lv_size(t->vg, lv);
	/* segments span all the extents; a raid LV's reshape space is cut off the end */
	if (!mlvm_mul_ok(lv->extent_count, t->eb, &full))
		full = UINT64_MAX;
	rd->segs = calloc(lv->n_segs ? lv->n_segs : 1, sizeof(*rd->segs));
	if (!rd->segs) {
		free(rd);
		return -ENOMEM;
	}
	if (!t->eb && lv->extent_count)
		mlvm_warn(t->r, "lv_extent_size", NULL, -1, "lv %s: the vg has no extent size", lv->name);
	for (i = 0; i < lv->n_segs && !rc; i++) {
		const struct mlvm_segment *s = &lv->segs[i];
		struct seg *g = &rd->segs[rd->n_segs];
		uint64_t start, len;

		if (!mlvm_mul_ok(s->start_extent, t->eb, &start) || !mlvm_mul_ok(s->extent_count, t->eb, &len) ||
		    !mlvm_add_ok(start, len, &len) || start < prev_end || len > full) {
			mlvm_warn(t->r, "lv_segment_range", NULL, -1,
				  "lv %s: %s extents %llu+%llu overlap or lie outside the lv: skipped",
				  lv->name, s->node && s->node->key ? s->node->key : "segment",
				  (unsigned long long)s->start_extent, (unsigned long long)s->extent_count);
			continue;
		}
		if (len > rd->size)
			len = rd->size > start ? rd->size : start;
		g->start = start;
		g->len = len - start;
		if (!g->len)
			continue;
		prev_end = len;
		rd->n_segs++;
		rc = seg_build(t, rd, s, g, depth, leg);
	}
	for (i = 0; i < rd->n_segs; i++) {
		struct seg *g = &rd->segs[i];
		unsigned k, bad = 0;

		if (g->kind == K_BROKEN || g->kind == K_ERROR)
			rd->degraded = true;
		for (k = 0; k < g->n; k++)
			bad += g->a[k].degraded;
		if (g->kind == K_MIRROR || g->kind == K_RAID10) {
			if (bad && bad == g->n)
				rd->degraded = true;
		} else if (g->kind == K_RAID456) {
			if (bad > g->parity)
				rd->degraded = true;
		} else if (bad) {
			rd->degraded = true;
		}
	}
	if (rc) {
		reader_free_one(rd);
		return rc;
	}
	*out = rd;
	return 0;
}

static int get_reader(struct tree *t, int idx, int depth, struct mlvm_lv_reader **out,
		      const char *from)
{
	const struct mlvm_lv *lv;
	int rc;

	if (idx < 0 || (uint32_t)idx >= t->vg->n_lvs)
		return -ENOENT;
	lv = &t->vg->lvs[idx];
	switch (t->state[idx]) {
	case ST_DONE:
		*out = t->by_lv[idx];
		return 0;
	case ST_FAILED:
		return t->err[idx];
	case ST_BUILDING:
		mlvm_error(t->r, "lv_loop", NULL, -1,
			   "lv %s: refers back to lv %s: the lvs form a cycle", from, lv->name);
		return -ELOOP;
	default:
		break;
	}
	if (depth > LVMAP_MAX_DEPTH) {
		mlvm_error(t->r, "lv_loop", NULL, -1,
			   "lv %s: lvs nest more than %d deep", from, LVMAP_MAX_DEPTH);
		return -ELOOP;
	}
	t->state[idx] = ST_BUILDING;
	rc = reader_build(t, lv, depth, -1, &t->by_lv[idx]);
	if (rc) {
		t->state[idx] = ST_FAILED;
		t->err[idx] = rc;
		t->by_lv[idx] = NULL;
		return rc;
	}
	t->state[idx] = ST_DONE;
	*out = t->by_lv[idx];
	return 0;
}

static void tree_free(struct tree *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->vg->n_lvs; i++)
		reader_free_one(t->by_lv[i]);
	free(t->by_lv);
	free(t->state);
	free(t->err);
	free(t->pv_lv);
	free(t->pv_words);
	free(t);
}

/* the hidden "snapshot" LV whose cow_store is lv, or NULL */
static const struct mlvm_lv *snapshot_of_cow(const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	uint32_t i;

	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *o = &vg->lvs[i];
		const char *cow;

		if (o == lv || o->n_segs != 1 || !o->segs[0].type ||
		    strncmp(o->segs[0].type, "snapshot", 8) ||
		    (o->segs[0].type[8] && o->segs[0].type[8] != '+'))
			continue;
		if (!cfg_get_str(o->segs[0].node, "cow_store", &cow) && lv->name && !strcmp(cow, lv->name))
			return o;
	}
	return NULL;
}


/* ------------------------------------------------------------ words */

/* true when image k of a raid4/5/6 segment holds parity in every stripe */
static bool parity_only(const struct seg *g, unsigned k)
{
	switch (g->algo) {
	case A_P0:
		return k == 0;
	case A_PN:
		return k == g->n - 1;
	case A_N6:
		return k + 2 >= g->n;
	case A_LA6:
	case A_RA6:
	case A_LS6:
	case A_RS6:
		return k == g->n - 1;
	default:
		return false;
	}
}

/* true when nothing of area a can be read (a linear sub-LV on missing PVs included) */
static bool area_wholly_missing(const struct area *a)
{
	uint32_t i;
	unsigned k;

	if (a->bad)
		return true;
	if (!a->lv)
		return false;
	for (i = 0; i < a->lv->n_segs; i++) {
		const struct seg *g = &a->lv->segs[i];

		if (g->kind == K_ZERO || (g->kind != K_BROKEN && g->kind != K_ERROR && g->kind != K_STRIPED))
			return false;
		for (k = 0; g->kind == K_STRIPED && k < g->n; k++)
			if (!g->a[k].bad)
				return false;
	}
	return true;
}

/*
 * 2 when every byte of the segment can be read although some areas are
 * degraded, 1 when some of the degraded areas' bytes can (the others being
 * partly readable), 0 when none
 */
static int seg_recovers(const struct seg *g)
{
	unsigned k, bad = 0, c, gone = 0;

	for (k = 0; k < g->n; k++) {
		bad += g->a[k].degraded;
		gone += area_wholly_missing(&g->a[k]);
	}
	if (!bad)
		return 0;
	switch (g->kind) {
	case K_MIRROR:
		if (g->leg >= 0)
			return 0;
		return bad < g->n ? 2 : gone < g->n ? 1 : 0;
	case K_RAID456:
		return bad <= g->parity ? 2 : gone <= g->parity ? 1 : 0;
	case K_RAID10:
		/*
		 * copy k of chunk c is on image (c * copies + k) % n: the pattern
		 * repeats every n chunks. Chunk c is lost when the `copies`
		 * images from (c * copies) % n on are all degraded: the run of
		 * degraded images from each image is counted once, walking back
		 * twice around the ring (O(n) whatever the metadata says).
		 */
		{
			unsigned run = 0, i;
			bool lost = false;

			for (i = 2 * g->n; i-- > 0;) {
				run = g->a[i % g->n].degraded ? run + 1 : 0;
				if (i < g->n)
					g->alt_o[i] = run;	/* scratch: degraded run from image i */
			}
			for (c = 0; c < g->n && !lost; c++)
				lost = g->alt_o[((uint64_t)c * g->copies) % g->n] >= g->copies;
			return !lost ? 2 : gone < g->n ? 1 : 0;
		}
	default:
		return 0;
	}
}

static void words_walk(struct tree *t, struct mlvm_lv_reader *rd, const struct pv_word *via,
		       int mode, int depth, uint8_t *visited);

static void words_area(struct tree *t, const struct area *a, const char *owner,
		       const struct pv_word *via, int mode, int depth, uint8_t *visited)
{
	if (a->pv1 && a->pv1 <= t->vg->n_pvs) {
		struct pv_word *w = &t->pv_words[(size_t)(a->pv1 - 1) * W_MODES + (unsigned)mode];

		if (!w->set) {
			*w = *via;
			w->set = true;
			w->owner = owner;
		}
	}
	if (a->lv)
		words_walk(t, a->lv, via, mode, depth + 1, visited);
}

/* walk the tree from rd, noting how each missing PV's bytes are read */
static void words_walk(struct tree *t, struct mlvm_lv_reader *rd, const struct pv_word *via,
		       int mode, int depth, uint8_t *visited)
{
	size_t idx = (size_t)(rd->lv - t->vg->lvs);
	uint32_t i;
	unsigned k;

	if (depth > LVMAP_MAX_DEPTH || idx >= t->vg->n_lvs || (visited[idx] & (1u << mode)))
		return;
	visited[idx] |= (uint8_t)(1u << mode);	/* at most W_MODES visits per LV */
	for (i = 0; i < rd->n_segs; i++) {
		const struct seg *g = &rd->segs[i];
		int rec = seg_recovers(g);

		for (k = 0; k < g->n; k++) {
			struct pv_word cv = *via;
			int cm = mode;

			if (rec && g->a[k].degraded) {
				cv.g = g;
				cv.by = rd->lv->name;
				cv.img = k;
				if (g->kind == K_RAID456)
					cm = parity_only(g, k) ? W_PARITY_ONLY : rec == 2 ? W_PARITY : W_SOME_PARITY;
				else
					cm = rec == 2 ? W_LEG : W_SOME_LEG;
			}
			words_area(t, &g->a[k], rd->lv->name, &cv, cm, depth, visited);
		}
		if (g->kind == K_THIN && g->pool && g->pool->rd)
			words_walk(t, g->pool->rd, via, mode, depth + 1, visited);
		if (g->ext.lv)
			words_area(t, &g->ext, rd->lv->name, via, mode, depth, visited);
	}
}

/* "a, b, c" of g's areas other than img that are intact (all: degraded ones too; bounded) */
static void intact_names(const struct seg *g, unsigned img, bool all, char *buf, size_t len)
{
	unsigned k, n = 0, more = 0;
	size_t at = 0;

	buf[0] = 0;
	for (k = 0; k < g->n; k++) {
		if (k == img || (g->a[k].degraded && !all) || area_wholly_missing(&g->a[k]))
			continue;
		if (n == 4) {
			more++;
			continue;
		}
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s", n ? ", " : "",
				       g->a[k].name ? g->a[k].name : "?");
		if (at >= len)
			at = len - 1;
		n++;
	}
	if (more)
		snprintf(buf + at, len - at, " and %u more", more);
}

/* the words for every missing PV the tree reaches: one entry per PV and way */
static int words(struct tree *t, struct mlvm_lv_reader *top)
{
	const struct mlvm_vg *vg = t->vg;
	struct pv_word none = { 0 };
	uint8_t *visited = calloc(vg->n_lvs ? vg->n_lvs : 1, 1);
	uint32_t pi;
	char names[300];

	if (!visited)
		return -ENOMEM;
	none.by = top->lv->name;
	words_walk(t, top, &none, W_ZEROS, 0, visited);
	free(visited);
	for (pi = 0; pi < vg->n_pvs; pi++) {
		const struct mlvm_pv *pv = &vg->pvs[pi];
		const struct pv_word *w = &t->pv_words[(size_t)pi * W_MODES];
		const char *uuid = pv->id ? pv->id : "?";
		bool any = false;
		int md;

		if (!t->pv_lv[pi])
			continue;
		for (md = 0; md < W_MODES; md++) {
			const struct pv_word *x = &w[md];
			const char *img;

			if (!x->set)
				continue;
			any = true;
			img = x->g && x->img < x->g->n && x->g->a[x->img].name ? x->g->a[x->img].name : "?";
			if (md != W_ZEROS)
				intact_names(x->g, x->img, md == W_SOME_PARITY || md == W_SOME_LEG,
					     names, sizeof(names));
			switch (md) {
			case W_ZEROS:
				mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: its extents read as zeros",
					  x->owner, pv->name, uuid);
				break;
			case W_PARITY:
				mlvm_warn(t->r, "rebuilt_from_parity", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its image %s on it are "
					  "rebuilt from parity and the other images (%s)",
					  x->by, pv->name, uuid, img, names);
				break;
			case W_PARITY_ONLY:
				mlvm_warn(t->r, "parity_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: its image %s on it holds only parity, "
					  "not needed to read the data (from %s)",
					  x->by, pv->name, uuid, img, names);
				break;
			case W_LEG:
				mlvm_warn(t->r, "read_from_other_leg", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its leg %s on it are "
					  "read from the other leg%s (%s)",
					  x->by, pv->name, uuid, img, strchr(names, ',') || strstr(names, " more") ? "s" : "",
					  names);
				break;
			case W_SOME_PARITY:
				mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its image %s on it are rebuilt "
					  "from parity where the other images (%s) are readable, the rest reads as zeros",
					  x->by, pv->name, uuid, img, names);
				break;
			case W_SOME_LEG:
				mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
					  "lv %s: pv %s (%s) is missing: the bytes of its leg %s on it are read from "
					  "the other legs (%s) where they are readable, the rest reads as zeros",
					  x->by, pv->name, uuid, img, names);
				break;
			}
		}
		if (!any)	/* reached outside the segments (pool metadata): zeros */
			mlvm_warn(t->r, "lv_pv_missing", NULL, -1,
				  "lv %s: pv %s (%s) is missing: its extents read as zeros",
				  t->pv_lv[pi], pv->name, uuid);
	}
	return 0;
}

/* the thin-pool segment of lv, or NULL */
static const struct mlvm_segment *thin_pool_seg(const struct mlvm_lv *lv)
{
	uint32_t i;

	for (i = 0; i < lv->n_segs; i++) {
		const char *ty = lv->segs[i].type;

		if (ty && !strncmp(ty, "thin-pool", 9) && (!ty[9] || ty[9] == '+'))
			return &lv->segs[i];
	}
	return NULL;
}

bool mlvm_lv_is_thin_pool(const struct mlvm_lv *lv)
{
	return lv && thin_pool_seg(lv) != NULL;
}

/*
 * A thin pool's own bytes are no volume's: refuse it, naming (a few of) its
 * thin LVs and the _tdata sub-LV that holds its raw data area.
 */
static int refuse_thin_pool(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			    const struct mlvm_segment *ps, struct mlvm_report *r)
{
	char thins[300];
	const char *tdata = NULL;
	size_t at = 0;
	unsigned n = 0, more = 0;
	uint32_t i, k;

	thins[0] = 0;
	if (cfg_get_str(ps->node, "pool", &tdata))
		tdata = NULL;
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *o = &vg->lvs[i];

		for (k = 0; k < o->n_segs; k++) {
			const char *pn;

			if (!o->segs[k].type || strcmp(o->segs[k].type, "thin") ||
			    cfg_get_str(o->segs[k].node, "thin_pool", &pn) || !lv->name || strcmp(pn, lv->name))
				continue;
			if (n == 4)
				more++;
			else {
				at += (size_t)snprintf(thins + at, at < sizeof(thins) ? sizeof(thins) - at : 0,
						       "%s%s", n ? ", " : "", o->name ? o->name : "?");
				if (at >= sizeof(thins))
					at = sizeof(thins) - 1;
				n++;
			}
			break;
		}
	}
	if (more)
		snprintf(thins + at, sizeof(thins) - at, " and %u more", more);
	mlvm_error(r, "thin_pool_lv", NULL, -1,
		   "lv %s is a thin pool: its bytes are those of its thin lvs (%s), read each of those; "
		   "%s holds the pool's raw data area and can be exported as it is",
		   lv->name ? lv->name : "?", n ? thins : "none", tdata ? tdata : "its _tdata sub-lv");
	return -EISDIR;
}

int mlvm_lv_reader_new(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       const struct mlvm_lv_reader_opts *opts,
		       struct mlvm_lv_reader **out, struct mlvm_report *r)
{
	struct tree *t;
	struct mlvm_lv_reader *rd = NULL;
	int idx, rc;
	uint32_t n;

	*out = NULL;
	if (!vg || !lv)
		return -EINVAL;
	if (lv < vg->lvs || lv >= vg->lvs + vg->n_lvs)
		return -EINVAL;
	if (!opts || !opts->cow_raw) {
		const struct mlvm_lv *snap = snapshot_of_cow(vg, lv);

		if (snap) {
			mlvm_notice(r, "lv_snapshot", NULL, -1,
				    "lv %s is the cow store of snapshot %s: read as the snapshot",
				    lv->name, snap->name);
			lv = snap;
		}
	}
	if (thin_pool_seg(lv))
		return refuse_thin_pool(vg, lv, thin_pool_seg(lv), r);
	{
		/* bytes on a PV that several images fit equally depend on a guess */
		const struct mlvm_pv *amb = mlvm_lv_ambiguous_pv(vg, lv);

		if (amb) {
			mlvm_error(r, "lv_pv_ambiguous", NULL, -1,
				   "lv %s lies on pv %s (%s), which several images fit equally: its bytes depend on which one it is; say which with --pv %s=IMAGE",
				   lv->name, amb->name, amb->id ? amb->id : "?", amb->name);
			return -EBUSY;
		}
	}
	idx = (int)(lv - vg->lvs);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->vg = vg;
	t->r = r;
	n = vg->n_lvs ? vg->n_lvs : 1;
	t->by_lv = calloc(n, sizeof(*t->by_lv));
	t->state = calloc(n, 1);
	t->err = calloc(n, sizeof(*t->err));
	t->pv_lv = calloc(vg->n_pvs ? vg->n_pvs : 1, sizeof(*t->pv_lv));
	t->pv_words = calloc((size_t)(vg->n_pvs ? vg->n_pvs : 1) * W_MODES, sizeof(*t->pv_words));
	if (!t->by_lv || !t->state || !t->err || !t->pv_lv || !t->pv_words) {
		tree_free(t);
		return -ENOMEM;
	}
	if (!mlvm_mul_ok(vg->extent_size, 512, &t->eb))
		t->eb = 0;
	gf_init(t);
	t->state[idx] = ST_BUILDING;
	rc = reader_build(t, lv, 0, opts ? opts->leg : -1, &rd);
	if (rc) {
		tree_free(t);
		return rc;
	}
	rd->top = true;
	t->by_lv[idx] = rd;
	t->state[idx] = ST_DONE;
	rc = words(t, rd);
	if (rc) {
		tree_free(t);
		return rc;
	}
	*out = rd;
	return 0;
}

uint64_t mlvm_lv_reader_size(const struct mlvm_lv_reader *rd)
{
	return rd->size;
}

/* add [start, start+len) to the sorted, merged, bounded missing list */
static void missing_add(struct mlvm_lv_reader *rd, uint64_t start, uint64_t len)
{
	size_t lo = 0, hi = rd->n_missing, i, j;
	struct mlvm_range *v;
	uint64_t end = start + len;

	if (!len)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rd->missing[mid].start + rd->missing[mid].len < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;	/* first range ending at or after start */
	if (i == rd->n_missing || rd->missing[i].start > end) {
		/* no overlap: insert */
		if (rd->n_missing == rd->cap_missing) {
			size_t ncap = rd->cap_missing ? rd->cap_missing * 2 : 16;

			v = ncap <= LVMAP_MAX_MISSING ? realloc(rd->missing, ncap * sizeof(*v)) : NULL;
			if (!v) {
				/* full: widen a neighbour */
				if (!rd->n_missing)
					return;
				i = i ? i - 1 : 0;
				hull(&rd->missing[i], start, len);
				goto merge;
			}
			rd->missing = v;
			rd->cap_missing = ncap;
		}
		memmove(&rd->missing[i + 1], &rd->missing[i], (rd->n_missing - i) * sizeof(*rd->missing));
		rd->missing[i].start = start;
		rd->missing[i].len = len;
		rd->n_missing++;
		return;
	}
	hull(&rd->missing[i], start, len);
merge:
	/* swallow the following ranges that now touch it */
	for (j = i + 1; j < rd->n_missing &&
	     rd->missing[j].start <= rd->missing[i].start + rd->missing[i].len; j++)
		hull(&rd->missing[i], rd->missing[j].start, rd->missing[j].len);
	memmove(&rd->missing[i + 1], &rd->missing[j], (rd->n_missing - j) * sizeof(*rd->missing));
	rd->n_missing -= j - i - 1;
}

int mlvm_lv_read(struct mlvm_lv_reader *rd, void *buf, size_t len, uint64_t off)
{
	struct miss m;
	size_t i;
	int rc;

	if (!mlvm_range_ok(rd->size, off, len))
		return -ERANGE;
	if (!len)
		return 0;
	miss_init(&m);
	rc = rd_read(rd, buf, len, off, &m, 0);
	for (i = 0; i < m.n; i++)
		missing_add(rd, off + m.v[i].start, m.v[i].len);
	miss_free(&m);
	return rc;
}

static bool rd_is_hole(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth)
{
	uint32_t i = seg_find(rd, off);

	while (len) {
		struct seg *g = i < rd->n_segs ? &rd->segs[i] : NULL;
		uint64_t n, x;

		if (!g || off < g->start)
			return false;
		n = g->start + g->len - off;
		if (n > len)
			n = len;
		x = off - g->start;
		if (g->kind == K_THIN) {
			uint64_t first, last, next;
			int rc;

			if (!g->pool || !g->pool->tp)	/* unusable pool: read, and recorded missing */
				return false;
			first = x / g->pool->block;
			last = (x + n - 1) / g->pool->block;
			rc = mlvm_thin_next_mapped(g->pool->tp, g->dev_id, first, &next);
			if (g->ext.lv || (rc != -ENOENT && !(rc == 0 && next > last)))
				return false;
		} else if (g->kind == K_ORIGIN && g->a[0].lv && !g->a[0].bad && depth < LVMAP_MAX_DEPTH) {
			if (!rd_is_hole(g->a[0].lv, g->a[0].base + x, n, depth + 1))
				return false;
		} else if (g->kind != K_ZERO) {
			return false;
		}
		off += n;
		len -= n;
		i++;
	}
	return true;
}

bool mlvm_lv_is_hole(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len)
{
	if (!rd || !mlvm_range_ok(rd->size, off, len) || !len)
		return false;
	return rd_is_hole(rd, off, len, 0);
}

/* ------------------------------------------------------------ locating */

static int rd_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth,
		     struct mlvm_source **src, uint64_t *src_off, uint64_t *run);

/* [off, off + len) of area a, when its first bytes are plain image bytes */
static int area_locate(const struct area *a, uint64_t off, uint64_t len, int depth,
		       struct mlvm_source **src, uint64_t *src_off, uint64_t *run)
{
	uint64_t n, pos;

	*run = len;
	if (a->bad || off >= a->len)
		return -ENOENT;
	n = a->len - off < len ? a->len - off : len;
	if (a->lv) {
		if (depth >= LVMAP_MAX_DEPTH)
			return -ENOENT;
		return rd_locate(a->lv, a->base + off, n, depth + 1, src, src_off, run);
	}
	pos = a->base + off;
	if (!a->src || pos >= a->src->size) {
		*run = n;
		return -ENOENT;
	}
	*src = a->src;
	*src_off = pos;
	*run = a->src->size - pos < n ? a->src->size - pos : n;
	return 0;
}

static int rd_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len, int depth,
		     struct mlvm_source **src, uint64_t *src_off, uint64_t *run)
{
	uint32_t i = seg_find(rd, off);
	struct seg *g = i < rd->n_segs ? &rd->segs[i] : NULL;
	uint64_t n, x, c, w;

	if (!g || off < g->start) {	/* a gap: missing */
		*run = g && g->start - off < len ? g->start - off : len;
		return -ENOENT;
	}
	n = g->start + g->len - off;
	if (n > len)
		n = len;
	x = off - g->start;
	*run = n;
	switch (g->kind) {
	case K_STRIPED:
		if (g->n == 1)
			return area_locate(&g->a[0], x, n, depth, src, src_off, run);
		c = x / g->chunk;
		w = x % g->chunk;
		if (g->chunk - w < n)
			n = g->chunk - w;
		return area_locate(&g->a[c % g->n], (c / g->n) * g->chunk + w, n, depth,
				   src, src_off, run);
	case K_THIN_POOL:
	case K_ORIGIN:
		return area_locate(&g->a[0], x, n, depth, src, src_off, run);
	case K_MIRROR:
		/* the image read first; when it has a hole the read path tries the others */
		return area_locate(&g->a[g->leg >= 0 ? (unsigned)g->leg : g->first], x, n, depth,
				   src, src_off, run);
	case K_RAID10: {
		uint64_t p, row;

		c = x / g->chunk;
		w = x % g->chunk;
		if (g->chunk - w < n)
			n = g->chunk - w;
		*run = n;
		if (!mlvm_mul_ok(c, g->copies, &p) || !mlvm_mul_ok(p / g->n, g->chunk, &row) ||
		    !mlvm_add_ok(row, w, &row))
			return -ENOENT;
		return area_locate(&g->a[p % g->n], row, n, depth, src, src_off, run);
	}
	case K_RAID456: {
		uint64_t stripe;
		unsigned dev, pd, qd;

		c = x / g->chunk;
		w = x % g->chunk;
		if (g->chunk - w < n)
			n = g->chunk - w;
		*run = n;
		r456_map(g, c, &stripe, &dev, &pd, &qd);
		return area_locate(&g->a[dev], stripe * g->chunk + w, n, depth, src, src_off, run);
	}
	case K_THIN: {
		struct seg *ps = g->pool;
		uint64_t db, pos;

		if (!ps || !ps->tp)
			return -ENOENT;
		w = x % ps->block;
		if (ps->block - w < n)
			n = ps->block - w;
		*run = n;
		if (mlvm_thin_lookup(ps->tp, g->dev_id, x / ps->block, &db) ||
		    !mlvm_mul_ok(db, ps->block, &pos) || !mlvm_add_ok(pos, w, &pos))
			return -ENOENT;
		return area_locate(&ps->a[0], pos, n, depth, src, src_off, run);
	}
	default:	/* zeros, snapshots, error: computed by mlvm_lv_read */
		return -ENOENT;
	}
}

int mlvm_lv_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len,
		   struct mlvm_source **src, uint64_t *src_off, uint64_t *run)
{
	*src = NULL;
	*src_off = 0;
	*run = len;
	if (!rd || !len || !mlvm_range_ok(rd->size, off, len))
		return -EINVAL;
	if (rd_locate(rd, off, len, 0, src, src_off, run) == 0 && *run)
		return 0;
	*src = NULL;
	if (!*run || *run > len)	/* never loop forever on a zero-length answer */
		*run = len;
	return -ENOENT;
}

const struct mlvm_range *mlvm_lv_reader_missing(const struct mlvm_lv_reader *rd, size_t *n)
{
	*n = rd->n_missing;
	return rd->missing;
}

void mlvm_lv_reader_free(struct mlvm_lv_reader *rd)
{
	if (rd && rd->top)
		tree_free(rd->t);
}
