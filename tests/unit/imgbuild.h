/*
 * imgbuild.h - an in-memory builder of synthetic LVM2 PV images for tests.
 *
 * Nothing here does I/O: an image is a malloc'd byte array the tests hand to
 * mlvm_source_memory(). Every field is written byte by byte, little-endian,
 * at the offsets of docs/lvm-format.md, so the builder does not share code
 * with the parser it tests (only the CRC, whose own tests stand apart).
 *
 * Misuse (a write outside the image, a list longer than the builder holds)
 * is a bug in the test, not a behaviour under test: the builder prints what
 * went wrong and aborts.
 */
#ifndef MLVM_TEST_IMGBUILD_H
#define MLVM_TEST_IMGBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/report.h"

#define IB_SECTOR 512u
#define IB_MAX_LOCN 32
#define IB_MAX_PVS 8

/* ------------------------------------------------------------ images */

/* A new image of size bytes: zeroed when seed is 0, otherwise filled with a
 * pseudo-random pattern derived from seed (never all zero). */
uint8_t *ib_image_new(size_t size, uint32_t seed);

/* Fill [off, off+len) of img with the seeded pattern (seed 0: zeroes). */
void ib_fill(uint8_t *img, size_t size, uint64_t off, uint64_t len, uint32_t seed);

void ib_put_le32(uint8_t *img, size_t size, uint64_t off, uint32_t v);
void ib_put_le64(uint8_t *img, size_t size, uint64_t off, uint64_t v);
void ib_put_bytes(uint8_t *img, size_t size, uint64_t off, const void *p, size_t len);

/* ------------------------------------------------------------ label */

struct ib_locn {
	uint64_t offset;
	uint64_t size;
};

struct ib_label {
	unsigned sector;		/* 0..3 (any sector, for tests) */
	char id[8];			/* "LABELONE"; not NUL-terminated */
	char type[8];			/* "LVM2 001" */
	uint64_t sector_field;		/* written at +8; ib_label_init sets = sector */
	bool sector_field_auto;		/* true: write sector, ignore sector_field */
	uint32_t pvh_offset;		/* 32 */
	char pv_uuid[32];		/* raw, no dashes */
	uint64_t device_size;		/* bytes */
	struct ib_locn data[IB_MAX_LOCN];
	unsigned n_data;
	struct ib_locn mda[IB_MAX_LOCN];
	unsigned n_mda;
	bool ext;			/* write the pv_header_extension */
	uint32_t ext_version;		/* 2 */
	uint32_t ext_flags;		/* 1 */
	struct ib_locn ba[IB_MAX_LOCN];
	unsigned n_ba;
	bool bad_crc;			/* store the correct CRC xor 1 */
	bool shift;			/* after everything, add 1 to every byte (mirage wipe) */
};

/* LVM2's defaults: sector 1, "LABELONE", "LVM2 001", pv_header at 32, the
 * given raw 32-char uuid (NULL: a fixed one), extension version 2 flags 1,
 * no lists. */
void ib_label_init(struct ib_label *l, const char *pv_uuid, uint64_t device_size);
void ib_label_add_data(struct ib_label *l, uint64_t offset, uint64_t size);
void ib_label_add_mda(struct ib_label *l, uint64_t offset, uint64_t size);
void ib_label_add_ba(struct ib_label *l, uint64_t offset, uint64_t size);

/* Write the label sector (the whole 512 bytes: zeroes after the lists) at
 * base + sector*512. Returns the CRC it computed over bytes 20..511. */
uint32_t ib_write_label(uint8_t *img, size_t size, uint64_t base, const struct ib_label *l);

/* ------------------------------------------------------------ mda */

struct ib_rlocn {
	uint64_t offset;		/* relative to the area start */
	uint64_t size;			/* bytes including the NUL */
	uint32_t checksum;
	uint32_t flags;
};

struct ib_mda {
	char magic[16];			/* " LVM2 x[5A%r0N*>" */
	uint32_t version;		/* 1 */
	uint64_t start;			/* relative to the PV start */
	uint64_t size;			/* whole area, header included */
	struct ib_rlocn rl[2];		/* [0] committed, [1] precommitted */
	bool bad_crc;			/* store the correct CRC xor 1 */
};

/* A good header for an area at start (relative to the PV) of size bytes,
 * with empty slots. */
void ib_mda_init(struct ib_mda *m, uint64_t start, uint64_t size);

/* Write the 512-byte header at base + m->start (or at base + at when at is
 * not UINT64_MAX: a header that lies about its start). Returns its CRC. */
uint32_t ib_write_mda(uint8_t *img, size_t size, uint64_t base, uint64_t at,
		      const struct ib_mda *m);

/*
 * Write len bytes of text into the ring of the area at area_abs (absolute)
 * of area_size bytes, at relative offset off, wrapping exactly as LVM2 does:
 * the first part runs to the end of the area, the rest continues at
 * area_abs+512. Returns mlvm_crc over the len bytes (chained across the two
 * parts), for raw_locn.checksum.
 */
uint32_t ib_write_text(uint8_t *img, size_t size, uint64_t area_abs, uint64_t area_size,
		       uint64_t off, const void *text, size_t len);

/* Write a NUL-terminated text (strlen+1 bytes) as a committed copy: fills
 * rl offset, size and checksum (flags left as they were). */
void ib_write_copy(uint8_t *img, size_t size, uint64_t area_abs, uint64_t area_size,
		   uint64_t off, const char *text, struct ib_rlocn *rl);

/* ------------------------------------------------------------ VG text */

struct ib_vg_pv {
	const char *uuid;		/* raw 32 chars; written with dashes */
	uint64_t dev_size;		/* sectors */
	uint64_t pe_start;		/* sectors */
	uint64_t pe_count;
};

struct ib_vg {
	const char *name;
	const char *id;			/* raw 32 chars; written with dashes */
	uint64_t seqno;
	uint64_t extent_size;		/* sectors */
	struct ib_vg_pv pvs[IB_MAX_PVS];
	unsigned n_pvs;
	unsigned n_lvs;			/* linear LVs "lv0", "lv1", ... */
	uint64_t lv_extents;		/* extents per LV */
};

/*
 * A minimal valid VG text as LVM2 writes it: the VG section (id, seqno,
 * format, status, flags, extent_size, max_lv, max_pv, metadata_copies,
 * physical_volumes, logical_volumes) first, then contents, version,
 * description, creation_host, creation_time, ending "\n\n" (the NUL that
 * follows is part of the copy). LV i is one striped segment with one stripe
 * on pv (i % n_pvs), placed after the previous LVs on that PV. malloc'd.
 */
char *ib_vg_text(const struct ib_vg *vg);

/* One PV holding all the LVs: pv uuid, 8192 sectors, pe_start 2048,
 * extent_size 8 (4 KiB) and pe_count 768. */
void ib_vg_init(struct ib_vg *vg, const char *name, const char *id, uint64_t seqno,
		const char *pv_uuid, unsigned n_lvs);

/* ------------------------------------------------------------ whole PVs */

/*
 * A PV the way pvcreate + vgcreate lay it out: label in sector 1, mda1 at
 * 4096 ending at pe_start, optionally mda2 at the end of the image, data
 * area at pe_start. Headers have empty slots until ib_pv_commit().
 */
struct ib_pv {
	uint8_t *img;
	size_t size;
	uint64_t pe_start;		/* bytes */
	uint64_t mda_abs[2];
	uint64_t mda_size[2];
	unsigned n_mda;
	struct ib_label label;
	struct ib_mda mda[2];
};

/* Build it (image zeroed, or pattern-filled when seed != 0, then the PV
 * structures written over it). mda_size 0 means pe_start - 4096 for mda1;
 * mda2 (when n_mda == 2) is mda2_size bytes at the end, aligned down to 512. */
void ib_pv_build(struct ib_pv *pv, size_t size, const char *pv_uuid, uint64_t pe_start,
		 unsigned n_mda, uint64_t mda2_size, uint32_t seed);

/* Write text as the committed copy of mda i (0 or 1) at relative offset off
 * (0: the first copy, 512), then rewrite the header. */
void ib_pv_commit(struct ib_pv *pv, unsigned i, const char *text, uint64_t off);

/* Rewrite the header of mda i from pv->mda[i] (after a test changed it). */
void ib_pv_rewrite_mda(struct ib_pv *pv, unsigned i);

void ib_pv_free(struct ib_pv *pv);

/* ------------------------------------------------------------ reports */

/* The first entry with this code, or NULL. */
const struct mlvm_anomaly *ib_report_find(const struct mlvm_report *r, const char *code);

/* How many entries carry this code. */
size_t ib_report_count(const struct mlvm_report *r, const char *code);

/* Print every entry to stderr (to see why a test failed). */
void ib_report_print(const struct mlvm_report *r);

#endif
