/*
 * lvmap.h - reading a logical volume's bytes through its segments.
 *
 * A reader maps LV byte offsets to PV bytes (or to sub-LV bytes, and so on
 * down) for every segment type whose data can be mapped: striped (linear),
 * raid0/raid0_meta, mirror/raid1 (from the first intact image, or a chosen
 * leg), raid10, raid4/raid5_{la,ls,ra,rs,n}/raid6_{zr,nr,nc} (the data
 * stripes, rebuilt from parity when one image is missing), thin (through
 * the pool's dm-thin metadata, unmapped blocks read as zeros), old-style
 * snapshots (the origin with the COW exception store applied),
 * cache/writecache (the origin, with a warning that the cache may hold
 * dirty blocks), error and zero. raid data_offset is honoured.
 *
 * What cannot be read (a missing PV whose bytes no parity or other copy
 * gives back, an area past the end of an image, an unmappable type) reads
 * as zeros and is recorded as a missing range; it is never silently
 * hidden. A thin pool LV itself is refused (its data area is its _tdata
 * sub-LV). Readers never write.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_LVMAP_H
#define MLVM_LVMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/report.h"
#include "io/source.h"
#include "model/vg.h"

/* a byte range of the LV */
struct mlvm_range {
	uint64_t start;
	uint64_t len;
};

/* a generic positioned read, for modules that read through an LV */
typedef int (*mlvm_read_fn)(void *ctx, void *buf, size_t len, uint64_t off);

struct mlvm_lv_reader_opts {
	int leg;		/* mirror/raid1 image to read, -1: the first intact one */
	bool cow_raw;		/* an old-style snapshot's visible LV (the COW store named
				 * by a "snapshot" segment's cow_store) is read as the
				 * snapshot (the origin as it was) unless this is set */
};

struct mlvm_lv_reader;

/*
 * A reader for lv of vg (the VG's PVs must have been attached to their
 * images by the assembler). Returns 0, -ENOTSUP with a message naming the
 * segment type when the LV cannot be mapped at all, -ELOOP when LVs refer
 * to each other in a cycle or nest too deep, -EISDIR when lv is a thin pool
 * (its bytes are its thin LVs': an error "thin_pool_lv" names them and the
 * _tdata sub-LV, which can be read raw), -EBUSY when its bytes lie on a PV
 * that several images fit equally (an error "lv_pv_ambiguous": which one
 * holds them is the user's call, --pv), or -ENOMEM. Problems found while
 * setting up go to r; a missing PV is described by how its bytes are read:
 * "rebuilt_from_parity", "read_from_other_leg", "parity_pv_missing" (a raid
 * image holding only parity, not needed) or "lv_pv_missing" (zeros).
 */
int mlvm_lv_reader_new(const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		       const struct mlvm_lv_reader_opts *opts,
		       struct mlvm_lv_reader **out, struct mlvm_report *r);

/* true when lv is a thin pool (mlvm_lv_reader_new refuses it with -EISDIR) */
bool mlvm_lv_is_thin_pool(const struct mlvm_lv *lv);

/* the LV's size in bytes */
uint64_t mlvm_lv_reader_size(const struct mlvm_lv_reader *rd);

/*
 * Read len bytes at off (off + len <= size). Parts that cannot be read are
 * zero-filled and added to the missing ranges. Returns 0, or a negative
 * errno when an image read fails outright (EIO).
 */
int mlvm_lv_read(struct mlvm_lv_reader *rd, void *buf, size_t len, uint64_t off);

/*
 * true when [off, off + len) is known to hold only zeros without reading
 * (a thin LV's unmapped blocks, a zero segment): export --sparse skips it.
 */
bool mlvm_lv_is_hole(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len);

/*
 * Where the bytes at off come from when they are plain bytes of one image
 * (no parity to compute, no zeros to make up, nothing known to be missing):
 * 0 with *src and *src_off, *run (1..len) being how many bytes from off
 * lie contiguously in *src from *src_off. -ENOENT when the bytes at off
 * must be computed or may be missing: read those *run bytes with
 * mlvm_lv_read (which records what is missing). -EINVAL for a range
 * outside the LV. Lets a copy hand image bytes to the kernel without
 * reading them first; it never records missing ranges itself.
 */
int mlvm_lv_locate(struct mlvm_lv_reader *rd, uint64_t off, uint64_t len,
		   struct mlvm_source **src, uint64_t *src_off, uint64_t *run);

/* the ranges that could not be read so far, sorted and merged */
const struct mlvm_range *mlvm_lv_reader_missing(const struct mlvm_lv_reader *rd, size_t *n);

/*
 * The ranges read so far, sorted and merged, that a removed thin LV's
 * recovered mapping (thin.h) puts on data blocks the pool's current
 * metadata has since given to another thin device: read all the same,
 * their bytes may be that device's ("thin_block_reused").
 */
const struct mlvm_range *mlvm_lv_reader_reused(const struct mlvm_lv_reader *rd, size_t *n);

void mlvm_lv_reader_free(struct mlvm_lv_reader *rd);

#endif
