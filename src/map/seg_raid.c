/*
 * seg_raid.c - the raid families with chunks on several images: raid10
 * (near copies) and raid4/5/6 (data rebuilt from parity when an image is
 * missing). See seg.h.
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
#include "map/seg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define RECON_PIECE (64u << 10)		/* raid rebuild works in pieces this big */
#define MAX_RAID_IMAGES 256

/* ------------------------------------------------------------ raid10 */

/* copy k of chunk c, byte w of it: image *img at *row; false on overflow */
static bool r10_copy(const struct seg *g, uint64_t c, unsigned k, uint64_t w, unsigned *img,
		     uint64_t *row)
{
	uint64_t p;

	if (!mlvm_mul_ok(c, g->copies, &p) || !mlvm_add_ok(p, k, &p) ||
	    !mlvm_mul_ok(p / g->n, g->chunk, row) || !mlvm_add_ok(*row, w, row))
		return false;
	*img = (unsigned)(p % g->n);
	return true;
}

/* the first copy */
static void raid10_map(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	uint64_t c, w;
	unsigned img;

	loc->run = lvmap_chunk_run(g->chunk, x, len, &c, &w);
	loc->kind = LOC_MISSING;
	loc->a = NULL;
	loc->off = 0;
	if (r10_copy(g, c, 0, w, &img, &loc->off)) {
		loc->kind = LOC_AREA;
		loc->a = &g->a[img];
	}
}

/* a chunk from its first copy, what that lacks from the next ones */
static int raid10_run(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		      struct lvmap_miss *m, uint64_t bpos, uint64_t *n)
{
	uint64_t c, w;
	unsigned k, na = 0, img;

	*n = lvmap_chunk_run(g->chunk, x, len, &c, &w);
	for (k = 0; k < g->copies; k++) {
		if (!r10_copy(g, c, k, w, &img, &g->alt_o[na]))
			continue;
		g->alt_a[na++] = &g->a[img];
	}
	if (na)
		return lvmap_read_alts(g->alt_a, g->alt_o, na, buf, *n, m, bpos);
	lvmap_fill_missing(buf, *n, m, bpos);
	return 0;
}

static int raid10_read(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		       struct lvmap_miss *m, uint64_t bpos)
{
	return lvmap_seg_read_runs(g, buf, len, x, m, bpos, raid10_run);
}

static int raid10_recovers(const struct seg *g, unsigned bad, unsigned gone)
{
	/*
	 * copy k of chunk c is on image (c * copies + k) % n: the pattern
	 * repeats every n chunks. Chunk c is lost when the `copies` images
	 * from (c * copies) % n on are all degraded: the run of degraded
	 * images from each image is counted once, walking back twice around
	 * the ring (O(n) whatever the metadata says).
	 */
	unsigned run = 0, i, c;
	bool lost = false;

	(void)bad;
	for (i = 2 * g->n; i-- > 0;) {
		run = g->a[i % g->n].degraded ? run + 1 : 0;
		if (i < g->n)
			g->alt_o[i] = run;	/* scratch: degraded run from image i */
	}
	for (c = 0; c < g->n && !lost; c++)
		lost = g->alt_o[((uint64_t)c * g->copies) % g->n] >= g->copies;
	return !lost ? 2 : gone < g->n ? 1 : 0;
}

static int raid10_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
			struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *lvname = rd->lv->name;
	uint64_t copies = lvmap_seg_u64(s, "data_copies", 2);
	struct seg_shape sh;
	int rc;

	(void)leg;
	if (!lvmap_seg_shape(t, rd, s, g, ty, true, &sh))
		return 0;
	if (!lvmap_seg_chunk_ok(t, rd, s, g))
		return 0;
	g->copies = (unsigned)(copies > 0 ? copies : 2);
	if (g->copies > sh.nimg || copies > UINT32_MAX) {
		mlvm_warn(t->r, "lv_segment_areas", NULL, -1,
			  "lv %s: raid10 with %llu %s over %u %s cannot be mapped",
			  lvname, (unsigned long long)copies, mlvm_plural(copies, "copy", "copies"), sh.nimg,
			  mlvm_plural(sh.nimg, "image", "images"));
		return 0;
	}
	rc = lvmap_seg_areas(t, rd, s, g, &sh, g->len / sh.nimg * g->copies, depth);
	if (!rc)
		g->ops = &lvmap_seg_raid10;
	return rc;
}

const struct seg_ops lvmap_seg_raid10 = {
	.family = "raid10",
	.build = raid10_build,
	.map = raid10_map,
	.read = raid10_read,
	.locate = true,
	.degrades = lvmap_all_areas_bad,
	.recovers = raid10_recovers,
};

/* ------------------------------------------------------------ raid4/5/6 */

/* where chunk c of a raid4/5/6 segment lives (md's raid5_compute_sector) */
static void r456_chunk(const struct seg *g, uint64_t c, uint64_t *stripe, unsigned *dev,
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

/*
 * Where [x, x + len) starts: the run in one chunk, on data image *dev at
 * image offset *io, with the stripe's parity on *pd and Q on *qd (n: none).
 */
static uint64_t r456_where(const struct seg *g, uint64_t x, uint64_t len, unsigned *dev,
			   unsigned *pd, unsigned *qd, uint64_t *io)
{
	uint64_t c, w, s, n = lvmap_chunk_run(g->chunk, x, len, &c, &w);

	r456_chunk(g, c, &s, dev, pd, qd);
	*io = s * g->chunk + w;	/* <= x: no overflow */
	return n;
}

static void raid456_map(const struct seg *g, uint64_t x, uint64_t len, struct seg_loc *loc)
{
	unsigned dev, pd, qd;

	loc->kind = LOC_AREA;
	loc->run = r456_where(g, x, len, &dev, &pd, &qd, &loc->off);
	loc->a = &g->a[dev];
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
 * other images. *ok false when too many of them are missing too.
 */
static int r456_rebuild(struct seg *g, unsigned tdev, unsigned pd, unsigned qd, uint64_t io,
			uint8_t *out, uint64_t len, bool *ok)
{
	const struct mlvm_gf256 *gf = &g->t->gf;
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
		struct lvmap_miss probe;

		if (i == tdev)
			continue;
		lvmap_miss_init(&probe);
		rc = lvmap_area_read(&g->a[i], tmp, len, io, &probe, 0);
		if (probe.n) {
			if (i == pd)
				p_ok = false;
			else if (i == qd)
				q_ok = false;
			else {
				nmiss++;
				y = i;
			}
			lvmap_miss_free(&probe);
			continue;
		}
		if (i == pd)
			memcpy(pbuf, tmp, len);
		else if (i == qd)
			memcpy(qbuf, tmp, len);
		else {
			mlvm_gf256_xor(pacc, tmp, len);
			if (g->parity == 2)
				mlvm_gf256_muladd(gf, qacc, tmp, len,
						  mlvm_gf256_pow2(gf, q_slot(g, i, pd, qd)));
		}
	}
	if (rc)
		goto out;
	if (nmiss == 0 && p_ok) {
		mlvm_gf256_xor(pacc, pbuf, len);
		memcpy(out, pacc, len);
		*ok = true;
	} else if (nmiss == 0 && q_ok) {
		/* D = (Q + Qacc) / g^x */
		mlvm_gf256_xor(qacc, qbuf, len);
		mlvm_gf256_scale(gf, qacc, len,
				 mlvm_gf256_inv(gf, mlvm_gf256_pow2(gf, q_slot(g, tdev, pd, qd))));
		memcpy(out, qacc, len);
		*ok = true;
	} else if (nmiss == 1 && p_ok && q_ok) {
		/* Dx = (Qxy + g^y Pxy) / (g^x + g^y) */
		uint8_t gx = mlvm_gf256_pow2(gf, q_slot(g, tdev, pd, qd));
		uint8_t gy = mlvm_gf256_pow2(gf, q_slot(g, y, pd, qd));

		mlvm_gf256_xor(pacc, pbuf, len);	/* Pxy */
		mlvm_gf256_xor(qacc, qbuf, len);	/* Qxy */
		mlvm_gf256_muladd(gf, qacc, pacc, len, gy);
		mlvm_gf256_scale(gf, qacc, len, mlvm_gf256_inv(gf, (uint8_t)(gx ^ gy)));
		memcpy(out, qacc, len);
		*ok = true;
	}
out:
	free(pacc);
	return rc;
}

/* a chunk from its data image; what that lacks rebuilt from the others */
static int raid456_run(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
		       struct lvmap_miss *m, uint64_t bpos, uint64_t *np)
{
	unsigned dev, pd, qd;
	uint64_t io, n = r456_where(g, x, len, &dev, &pd, &qd, &io);
	struct lvmap_miss probe;
	int rc;

	*np = n;
	lvmap_miss_init(&probe);
	rc = lvmap_area_read(&g->a[dev], buf, n, io, &probe, 0);
	if (!rc && probe.n) {
		/* rebuild the piece from the other images */
		uint64_t done = 0;
		uint8_t *tmp = malloc(n < RECON_PIECE ? (size_t)n : RECON_PIECE);

		if (!tmp) {
			lvmap_miss_free(&probe);
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
						lvmap_miss_add(m, bpos + a, b - a);
				}
			}
			done += l;
		}
		free(tmp);
	}
	lvmap_miss_free(&probe);
	return rc;
}

static int raid456_read(struct seg *g, uint8_t *buf, uint64_t len, uint64_t x,
			struct lvmap_miss *m, uint64_t bpos)
{
	return lvmap_seg_read_runs(g, buf, len, x, m, bpos, raid456_run);
}

/* degraded when more images are than parity makes up for */
static bool raid456_degrades(const struct seg *g, unsigned bad)
{
	return bad > g->parity;
}

static int raid456_recovers(const struct seg *g, unsigned bad, unsigned gone)
{
	return bad <= g->parity ? 2 : gone <= g->parity ? 1 : 0;
}

/* true when image k holds parity in every stripe */
static bool raid456_parity_only(const struct seg *g, unsigned k)
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

static int raid456_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
			 struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	struct seg_shape sh;
	int rc;

	(void)leg;
	if (!lvmap_seg_shape(t, rd, s, g, ty, true, &sh))
		return 0;
	if (!lvmap_seg_chunk_ok(t, rd, s, g))
		return 0;
	if (sh.nimg > MAX_RAID_IMAGES || sh.nimg < ty->parity + (ty->parity == 2 ? 1u : 2u)) {
		mlvm_warn(t->r, "lv_segment_areas", NULL, -1,
			  "lv %s: %s segment with %u %s cannot be mapped: it reads as zeros",
			  rd->lv->name, s->type, sh.nimg, mlvm_plural(sh.nimg, "image", "images"));
		return 0;
	}
	rc = lvmap_seg_areas(t, rd, s, g, &sh, g->len / (sh.nimg - ty->parity), depth);
	if (!rc)
		g->ops = &lvmap_seg_raid456;
	return rc;
}

const struct seg_ops lvmap_seg_raid456 = {
	.family = "raid4/5/6",
	.build = raid456_build,
	.map = raid456_map,
	.read = raid456_read,
	.locate = true,
	.degrades = raid456_degrades,
	.recovers = raid456_recovers,
	.parity_only = raid456_parity_only,
};
