/*
 * imgbuild.c - synthetic LVM2 PV images in memory, for the unit tests.
 *
 * Offsets follow docs/lvm-format.md; every multi-byte field is stored byte
 * by byte, little-endian.
 */
#include "imgbuild.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk/crc.h"
#include "base/util.h"

#define IB_LABEL_CRC_START 20
#define IB_MDA_MAGIC " LVM2 x[5A%r0N*>"
#define IB_DEFAULT_UUID "IbPvUuid0123456789abcdefghijklmn"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("imgbuild: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void need(size_t size, uint64_t off, uint64_t len, const char *what)
{
	if (off > size || len > size - off)
		die("%s: [%llu, +%llu) is outside the %zu-byte image", what,
		    (unsigned long long)off, (unsigned long long)len, size);
}

/* ------------------------------------------------------------ images */

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

void ib_fill(uint8_t *img, size_t size, uint64_t off, uint64_t len, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1u;
	uint64_t i;

	need(size, off, len, "fill");
	if (seed == 0) {
		memset(img + off, 0, (size_t)len);
		return;
	}
	for (i = 0; i < len; i++) {
		uint8_t b = (uint8_t)(xorshift(&s) >> 24);

		img[off + i] = b ? b : 0x5a;	/* never zero: a pattern is not "empty" */
	}
}

uint8_t *ib_image_new(size_t size, uint32_t seed)
{
	uint8_t *img = calloc(size ? size : 1, 1);

	if (!img)
		die("cannot allocate a %zu-byte image", size);
	if (seed)
		ib_fill(img, size, 0, size, seed);
	return img;
}

void ib_put_bytes(uint8_t *img, size_t size, uint64_t off, const void *p, size_t len)
{
	need(size, off, len, "write");
	memcpy(img + off, p, len);
}

void ib_put_le32(uint8_t *img, size_t size, uint64_t off, uint32_t v)
{
	unsigned i;

	need(size, off, 4, "le32");
	for (i = 0; i < 4; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

void ib_put_le64(uint8_t *img, size_t size, uint64_t off, uint64_t v)
{
	unsigned i;

	need(size, off, 8, "le64");
	for (i = 0; i < 8; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* ------------------------------------------------------------ label */

void ib_label_init(struct ib_label *l, const char *pv_uuid, uint64_t device_size)
{
	memset(l, 0, sizeof(*l));
	l->sector = 1;
	memcpy(l->id, "LABELONE", 8);
	memcpy(l->type, "LVM2 001", 8);
	l->sector_field_auto = true;
	l->pvh_offset = 32;
	memcpy(l->pv_uuid, pv_uuid ? pv_uuid : IB_DEFAULT_UUID, 32);
	l->device_size = device_size;
	l->ext = true;
	l->ext_version = 2;
	l->ext_flags = 1;
}

static void add_locn(struct ib_locn *list, unsigned *n, uint64_t offset, uint64_t size)
{
	if (*n >= IB_MAX_LOCN)
		die("too many disk_locn entries");
	list[*n].offset = offset;
	list[*n].size = size;
	(*n)++;
}

void ib_label_add_data(struct ib_label *l, uint64_t offset, uint64_t size)
{
	add_locn(l->data, &l->n_data, offset, size);
}

void ib_label_add_mda(struct ib_label *l, uint64_t offset, uint64_t size)
{
	add_locn(l->mda, &l->n_mda, offset, size);
}

void ib_label_add_ba(struct ib_label *l, uint64_t offset, uint64_t size)
{
	add_locn(l->ba, &l->n_ba, offset, size);
}

/* append a 0-terminated disk_locn list at *pos; entries that do not fit are
 * dropped (a test that wants a list running off the sector writes it itself) */
static void put_list(uint8_t *sec, size_t *pos, const struct ib_locn *list, unsigned n)
{
	unsigned i;

	for (i = 0; i <= n; i++) {
		uint64_t off = i < n ? list[i].offset : 0, size = i < n ? list[i].size : 0;

		if (IB_SECTOR - *pos < 16)
			die("disk_locn list does not fit in the label sector");
		ib_put_le64(sec, IB_SECTOR, *pos, off);
		ib_put_le64(sec, IB_SECTOR, *pos + 8, size);
		*pos += 16;
	}
}

uint32_t ib_write_label(uint8_t *img, size_t size, uint64_t base, const struct ib_label *l)
{
	uint8_t sec[IB_SECTOR];
	size_t pos;
	uint32_t crc;
	unsigned i;

	if (l->sector > 3)
		die("label sector %u is not one of 0..3", l->sector);
	memset(sec, 0, sizeof(sec));
	memcpy(sec, l->id, 8);
	ib_put_le64(sec, IB_SECTOR, 8, l->sector_field_auto ? l->sector : l->sector_field);
	ib_put_le32(sec, IB_SECTOR, 20, l->pvh_offset);
	memcpy(sec + 24, l->type, 8);
	pos = l->pvh_offset >= 32 && l->pvh_offset <= IB_SECTOR - 40 ? l->pvh_offset : 32;
	memcpy(sec + pos, l->pv_uuid, 32);
	ib_put_le64(sec, IB_SECTOR, pos + 32, l->device_size);
	pos += 40;
	put_list(sec, &pos, l->data, l->n_data);
	put_list(sec, &pos, l->mda, l->n_mda);
	if (l->ext) {
		ib_put_le32(sec, IB_SECTOR, pos, l->ext_version);
		ib_put_le32(sec, IB_SECTOR, pos + 4, l->ext_flags);
		pos += 8;
		put_list(sec, &pos, l->ba, l->n_ba);
	}
	crc = mlvm_crc(MLVM_CRC_INITIAL, sec + IB_LABEL_CRC_START, IB_SECTOR - IB_LABEL_CRC_START);
	ib_put_le32(sec, IB_SECTOR, 16, l->bad_crc ? crc ^ 1u : crc);
	if (l->shift)
		for (i = 0; i < IB_SECTOR; i++)
			sec[i] = (uint8_t)(sec[i] + 1);
	ib_put_bytes(img, size, base + (uint64_t)l->sector * IB_SECTOR, sec, sizeof(sec));
	return crc;
}

/* ------------------------------------------------------------ mda */

void ib_mda_init(struct ib_mda *m, uint64_t start, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->magic, IB_MDA_MAGIC, 16);
	m->version = 1;
	m->start = start;
	m->size = size;
}

static void put_rlocn(uint8_t *h, size_t at, const struct ib_rlocn *rl)
{
	ib_put_le64(h, IB_SECTOR, at, rl->offset);
	ib_put_le64(h, IB_SECTOR, at + 8, rl->size);
	ib_put_le32(h, IB_SECTOR, at + 16, rl->checksum);
	ib_put_le32(h, IB_SECTOR, at + 20, rl->flags);
}

uint32_t ib_write_mda(uint8_t *img, size_t size, uint64_t base, uint64_t at,
		      const struct ib_mda *m)
{
	uint8_t h[IB_SECTOR];
	uint32_t crc;

	memset(h, 0, sizeof(h));
	memcpy(h + 4, m->magic, 16);
	ib_put_le32(h, IB_SECTOR, 20, m->version);
	ib_put_le64(h, IB_SECTOR, 24, m->start);
	ib_put_le64(h, IB_SECTOR, 32, m->size);
	put_rlocn(h, 40, &m->rl[0]);
	put_rlocn(h, 64, &m->rl[1]);
	/* 88..111: the all-zero terminator, already zero */
	crc = mlvm_crc(MLVM_CRC_INITIAL, h + 4, IB_SECTOR - 4);
	ib_put_le32(h, IB_SECTOR, 0, m->bad_crc ? crc ^ 1u : crc);
	ib_put_bytes(img, size, base + (at == UINT64_MAX ? m->start : at), h, sizeof(h));
	return crc;
}

uint32_t ib_write_text(uint8_t *img, size_t size, uint64_t area_abs, uint64_t area_size,
		       uint64_t off, const void *text, size_t len)
{
	const uint8_t *t = text;
	uint64_t first;
	uint32_t crc;

	if (area_size < 2 * IB_SECTOR || off < IB_SECTOR || off >= area_size)
		die("text offset %llu outside the area of %llu bytes",
		    (unsigned long long)off, (unsigned long long)area_size);
	if (len > area_size - IB_SECTOR)
		die("text of %zu bytes larger than the ring", len);
	need(size, area_abs, area_size, "metadata area");
	first = area_size - off;
	if (first > len)
		first = len;
	ib_put_bytes(img, size, area_abs + off, t, (size_t)first);
	crc = mlvm_crc(MLVM_CRC_INITIAL, t, (size_t)first);
	if (first < len) {
		ib_put_bytes(img, size, area_abs + IB_SECTOR, t + first, len - (size_t)first);
		crc = mlvm_crc(crc, t + first, len - (size_t)first);
	}
	return crc;
}

void ib_write_copy(uint8_t *img, size_t size, uint64_t area_abs, uint64_t area_size,
		   uint64_t off, const char *text, struct ib_rlocn *rl)
{
	size_t len = strlen(text) + 1;

	rl->checksum = ib_write_text(img, size, area_abs, area_size, off, text, len);
	rl->offset = off;
	rl->size = len;
}

/* ------------------------------------------------------------ VG text */

static void dashed(const char *raw, char out[39])
{
	static const unsigned groups[] = { 6, 4, 4, 4, 4, 4, 6 };
	unsigned g, o = 0, p = 0;

	for (g = 0; g < 7; g++) {
		if (g)
			out[o++] = '-';
		memcpy(out + o, raw + p, groups[g]);
		o += groups[g];
		p += groups[g];
	}
	out[o] = '\0';
}

/* a deterministic 32-char id in [0-9a-zA-Z] for LV i of a VG */
static void lv_id(const char *vg_id, unsigned i, char out[33])
{
	static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	uint32_t s = 2166136261u ^ (i + 1u) * 16777619u;
	unsigned k;

	for (k = 0; vg_id[k]; k++)
		s = (s ^ (uint8_t)vg_id[k]) * 16777619u;
	for (k = 0; k < 32; k++)
		out[k] = set[xorshift(&s) % 62];
	out[32] = '\0';
}

static void put(struct mlvm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct mlvm_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || mlvm_buf_append(b, s, (size_t)n))
		die("out of memory building a VG text");
	free(s);
}

void ib_vg_init(struct ib_vg *vg, const char *name, const char *id, uint64_t seqno,
		const char *pv_uuid, unsigned n_lvs)
{
	memset(vg, 0, sizeof(*vg));
	vg->name = name;
	vg->id = id;
	vg->seqno = seqno;
	vg->extent_size = 8;
	vg->pvs[0].uuid = pv_uuid;
	vg->pvs[0].dev_size = 8192;
	vg->pvs[0].pe_start = 2048;
	vg->pvs[0].pe_count = 768;
	vg->n_pvs = 1;
	vg->n_lvs = n_lvs;
	vg->lv_extents = 2;
}

char *ib_vg_text(const struct ib_vg *vg)
{
	struct mlvm_buf b = { 0 };
	uint64_t next_pe[IB_MAX_PVS] = { 0 };
	char u[39];
	unsigned i;

	if (vg->n_pvs == 0 || vg->n_pvs > IB_MAX_PVS)
		die("a VG text needs 1..%d PVs", IB_MAX_PVS);
	dashed(vg->id, u);
	put(&b, "%s {\nid = \"%s\"\nseqno = %llu\nformat = \"lvm2\"\n", vg->name, u,
	    (unsigned long long)vg->seqno);
	put(&b, "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\n"
		"extent_size = %llu\nmax_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n\n",
	    (unsigned long long)vg->extent_size);
	put(&b, "physical_volumes {\n\n");
	for (i = 0; i < vg->n_pvs; i++) {
		dashed(vg->pvs[i].uuid, u);
		put(&b, "pv%u {\nid = \"%s\"\ndevice = \"/dev/loop%u\"\n\n"
			"status = [\"ALLOCATABLE\"]\nflags = []\n"
			"dev_size = %llu\npe_start = %llu\npe_count = %llu\n}\n",
		    i, u, i, (unsigned long long)vg->pvs[i].dev_size,
		    (unsigned long long)vg->pvs[i].pe_start,
		    (unsigned long long)vg->pvs[i].pe_count);
		if (i + 1 < vg->n_pvs)
			put(&b, "\n");
	}
	put(&b, "}\n");
	if (vg->n_lvs)
		put(&b, "\nlogical_volumes {\n\n");
	for (i = 0; i < vg->n_lvs; i++) {
		unsigned p = i % vg->n_pvs;
		char raw[33];

		lv_id(vg->id, i, raw);
		dashed(raw, u);
		put(&b, "lv%u {\nid = \"%s\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
			"flags = []\ncreation_time = 1795460280\ncreation_host = \"vm\"\n"
			"segment_count = 1\n\n", i, u);
		put(&b, "segment1 {\nstart_extent = 0\nextent_count = %llu\n\n"
			"type = \"striped\"\nstripe_count = 1\n\nstripes = [\n\"pv%u\", %llu\n]\n}\n}\n",
		    (unsigned long long)vg->lv_extents, p, (unsigned long long)next_pe[p]);
		next_pe[p] += vg->lv_extents;
		if (i + 1 < vg->n_lvs)
			put(&b, "\n");
	}
	if (vg->n_lvs)
		put(&b, "}\n");
	put(&b, "\n}\n# Generated by LVM2 version 2.03.16(2) (2022-05-18): Mon Nov 23 18:58:00 2026\n\n"
		"contents = \"Text Format Volume Group\"\nversion = 1\n\n"
		"description = \"Write from vgcreate %s /dev/loop0.\"\n\n"
		"creation_host = \"vm\"\t# Linux vm 6.18.44 #1 SMP PREEMPT_DYNAMIC x86_64\n"
		"creation_time = 1795460280\t# Mon Nov 23 18:58:00 2026\n\n", vg->name);
	return b.data;
}

/* ------------------------------------------------------------ whole PVs */

void ib_pv_build(struct ib_pv *pv, size_t size, const char *pv_uuid, uint64_t pe_start,
		 unsigned n_mda, uint64_t mda2_size, uint32_t seed)
{
	unsigned i;

	memset(pv, 0, sizeof(*pv));
	if (n_mda > 2 || pe_start < 4096 + 2 * IB_SECTOR || pe_start > size)
		die("bad PV layout");
	pv->img = ib_image_new(size, seed);
	pv->size = size;
	pv->pe_start = pe_start;
	pv->n_mda = n_mda;
	ib_label_init(&pv->label, pv_uuid, size);
	ib_label_add_data(&pv->label, pe_start, 0);
	if (n_mda >= 1) {
		pv->mda_abs[0] = 4096;
		pv->mda_size[0] = pe_start - 4096;
	}
	if (n_mda == 2) {
		uint64_t at = (size - mda2_size) / IB_SECTOR * IB_SECTOR;

		if (mda2_size < 2 * IB_SECTOR || mda2_size > size || at < pe_start)
			die("bad mda2 size");
		pv->mda_abs[1] = at;
		pv->mda_size[1] = size - at;
	}
	/* LVM2 zeroes the label sectors, the mda headers and the first ring sector */
	if (seed)
		ib_fill(pv->img, size, 0, 4 * IB_SECTOR, 0);
	for (i = 0; i < n_mda; i++) {
		ib_label_add_mda(&pv->label, pv->mda_abs[i], pv->mda_size[i]);
		ib_mda_init(&pv->mda[i], pv->mda_abs[i], pv->mda_size[i]);
		if (seed)
			ib_fill(pv->img, size, pv->mda_abs[i], 2 * IB_SECTOR, 0);
		ib_write_mda(pv->img, size, 0, UINT64_MAX, &pv->mda[i]);
	}
	ib_write_label(pv->img, size, 0, &pv->label);
}

void ib_pv_rewrite_mda(struct ib_pv *pv, unsigned i)
{
	if (i >= pv->n_mda)
		die("no mda %u", i);
	ib_write_mda(pv->img, pv->size, 0, UINT64_MAX, &pv->mda[i]);
}

void ib_pv_commit(struct ib_pv *pv, unsigned i, const char *text, uint64_t off)
{
	if (i >= pv->n_mda)
		die("no mda %u", i);
	ib_write_copy(pv->img, pv->size, pv->mda_abs[i], pv->mda_size[i],
		      off ? off : IB_SECTOR, text, &pv->mda[i].rl[0]);
	ib_pv_rewrite_mda(pv, i);
}

void ib_pv_free(struct ib_pv *pv)
{
	free(pv->img);
	pv->img = NULL;
	pv->size = 0;
}

/* ------------------------------------------------------------ reports */

const struct mlvm_anomaly *ib_report_find(const struct mlvm_report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].code, code))
			return &r->items[i];
	return NULL;
}

size_t ib_report_count(const struct mlvm_report *r, const char *code)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].code, code))
			n++;
	return n;
}

void ib_report_print(const struct mlvm_report *r)
{
	static const char *const sev[] = { "notice", "warning", "error" };
	size_t i;

	for (i = 0; i < r->n; i++)
		fprintf(stderr, "  %s %s @%lld %s: %s\n", sev[r->items[i].severity],
			r->items[i].code, (long long)r->items[i].offset,
			r->items[i].image ? r->items[i].image : "-", r->items[i].message);
}
