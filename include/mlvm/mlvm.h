/*
 * <mlvm/mlvm.h> - libmlvm, the public interface: open disk images holding
 * Linux LVM2 volumes (damaged ones too), list their volume groups, physical
 * and logical volumes and the metadata generations still present in the
 * metadata areas, and read an LV's bytes as of any intact generation.
 *
 * Layer: the public API, the top of the library. This header includes only
 * C standard headers; its implementation (src/api/api.c) may include every
 * library header of src/, never the command line (cli.h, json.h, tui/).
 *
 * Conventions
 * - Every object is opaque and reached through functions named
 *   libmlvm_OBJECT_VERB. Functions that can fail return 0 (or a count) or
 *   a negative errno; libmlvm_error() then gives the reason in words
 *   (lowercase, no full stop, naming the image and byte offset when there
 *   is one).
 * - The library never prints and never writes to an image: images are
 *   opened read-only.
 * - What the library noticed (damage worked around, stale copies, missing
 *   PVs, parts of an LV that could not be read) is in the handle's
 *   warnings: a stable code, a message, the image and the absolute byte
 *   offset in it. An answer is never silently wrong: read the warnings.
 *
 * Indexes: VGs are numbered 0..libmlvm_vg_count()-1 in the handle; PVs,
 * LVs and their segments 0..count-1 within their VG (every LV, hidden
 * sub-LVs too: see libmlvm_lv_visible); generations and warnings
 * 0..count-1 in the handle. An index out of range gives NULL, 0 or
 * -EINVAL as the function says.
 *
 * Ownership and lifetimes: a handle owns everything reached through it.
 * Strings returned are valid until the handle is closed. An LV reader
 * refers to its handle's images and VG: close every reader before its
 * handle.
 *
 * Thread-safety: the library keeps no global state except the error
 * message, which is per thread. Different handles may be used from
 * different threads at once; one handle and the readers opened from it
 * must be used by one thread at a time.
 *
 * Sizes and offsets are in bytes. uuids are written as LVM2 writes them
 * (6-4-4-4-4-4-6 characters).
 */
#ifndef LIBMLVM_MLVM_H
#define LIBMLVM_MLVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBMLVM_VERSION_MAJOR 0
#define LIBMLVM_VERSION_MINOR 1
#define LIBMLVM_VERSION_PATCH 0
#define LIBMLVM_VERSION "0.1.0"

/* the version of the library running ("0.1.0"), which may be newer than
 * LIBMLVM_VERSION the caller was built with */
const char *libmlvm_version(void);

/*
 * Why the last call of this thread that failed failed, in words; "" when
 * none has. Valid until the thread's next call into the library.
 */
const char *libmlvm_error(void);

/* ------------------------------------------------------------ handles */

struct libmlvm_handle;

/* flags for libmlvm_open */
#define LIBMLVM_OPEN_STRICT 1u	/* refuse damage as LVM2 would */
#define LIBMLVM_OPEN_DEEP 2u	/* look for PVs at every sector of every image */
#define LIBMLVM_OPEN_NO_NESTED 4u	/* do not look inside LVs for guest disks */

/*
 * Open n images (files or block devices; raw, or EWF/qcow/VHD when the
 * library was built with their readers) read-only and assemble the VGs
 * they hold. Every metadata area is carved for its older generations.
 * Unless LIBMLVM_OPEN_NO_NESTED, LVs that hold a guest disk (a PV label, or
 * a partition table with a PV in a partition, as `mlvm --no-nested`
 * describes) are opened as images of their own, named "VG/LV", and the VGs
 * in them are VGs of the handle like any other, up to 4 levels deep:
 * libmlvm_pv_nested_depth() tells their PVs from the images' own.
 * 0 and *out, or a negative errno (an image that cannot be opened,
 * -EINVAL for n == 0 or an unknown flag, -ENOMEM). Finding no VG is not a
 * failure: libmlvm_vg_count() is then 0 and the warnings say why.
 */
int libmlvm_open(const char *const *paths, size_t n, unsigned flags,
		 struct libmlvm_handle **out);

/*
 * The same, with each VG as of its metadata generation seqno (the LVs of
 * that time, removed ones included): only VGs holding an intact
 * generation seqno are assembled.
 */
int libmlvm_open_generation(const char *const *paths, size_t n, unsigned flags,
			    uint64_t seqno, struct libmlvm_handle **out);

/*
 * One VG as of its generation seqno, the other VGs as they are now (so that
 * a guest VG found inside an LV is read with its host LV still there): vg
 * is NAME, UUID or NAME@UUID, as `mlvm --vg` takes it. With copy_image
 * (an image path as given, or a metadata file's path with copy_offset 0),
 * the copy of that generation starting at byte copy_offset of it is read,
 * as `mlvm --copy-at IMAGE@BYTE`: copies of one seqno whose VG sections
 * differ are otherwise decided by the metadata areas committing each text,
 * and a tie is refused. -ENOENT (libmlvm_error() says why: no such
 * generation of that VG, generation_ambiguous, copy_choice) when the VG is
 * not there as of seqno; -EINVAL without vg; else as libmlvm_open.
 */
int libmlvm_open_vg_generation(const char *const *paths, size_t n, unsigned flags,
			       const char *vg, uint64_t seqno, const char *copy_image,
			       uint64_t copy_offset, struct libmlvm_handle **out);

/* h's images opened again as of generation seqno (libmlvm_open_generation
 * with h's paths and flags); h is left as it is */
int libmlvm_handle_at_generation(const struct libmlvm_handle *h, uint64_t seqno,
				 struct libmlvm_handle **out);

void libmlvm_close(struct libmlvm_handle *h);

/* the images given to libmlvm_open, in that order */
size_t libmlvm_image_count(const struct libmlvm_handle *h);
const char *libmlvm_image_path(const struct libmlvm_handle *h, size_t image);

/* ------------------------------------------------------------ VGs */

size_t libmlvm_vg_count(const struct libmlvm_handle *h);
const char *libmlvm_vg_name(const struct libmlvm_handle *h, size_t vg);
const char *libmlvm_vg_uuid(const struct libmlvm_handle *h, size_t vg);
uint64_t libmlvm_vg_seqno(const struct libmlvm_handle *h, size_t vg);
uint64_t libmlvm_vg_extent_size(const struct libmlvm_handle *h, size_t vg);
/* 1 when no metadata area commits the VG any longer (vgremove, its PVs
 * re-used): it is shown as of its newest generation; 0 otherwise */
int libmlvm_vg_gone(const struct libmlvm_handle *h, size_t vg);
/* index of the VG that name (a VG name, its uuid with or without dashes, or
 * NAME@UUID) names; -ENOENT when none does, -EEXIST when several do (two
 * VGs of one name: say which with NAME@UUID) */
int libmlvm_vg_find(const struct libmlvm_handle *h, const char *name);

/* ------------------------------------------------------------ PVs */

size_t libmlvm_pv_count(const struct libmlvm_handle *h, size_t vg);
/* its name in the VG's text ("pv0") */
const char *libmlvm_pv_name(const struct libmlvm_handle *h, size_t vg, size_t pv);
const char *libmlvm_pv_uuid(const struct libmlvm_handle *h, size_t vg, size_t pv);
/* the image holding it, NULL when missing */
const char *libmlvm_pv_image(const struct libmlvm_handle *h, size_t vg, size_t pv);
/* byte offset of the PV's start in its image (0 when missing) */
uint64_t libmlvm_pv_offset(const struct libmlvm_handle *h, size_t vg, size_t pv);
/* 0 for a PV on an image given to libmlvm_open (or missing); N for a PV
 * found inside an LV N levels deep, whose libmlvm_pv_image() is then that
 * LV's path "VG/LV" ("VG@UUID/LV" when two VGs share the name) */
unsigned libmlvm_pv_nested_depth(const struct libmlvm_handle *h, size_t vg, size_t pv);
/* 1 when no image supplies it (or several fit it equally), 0 otherwise */
int libmlvm_pv_missing(const struct libmlvm_handle *h, size_t vg, size_t pv);

/* ------------------------------------------------------------ LVs */

size_t libmlvm_lv_count(const struct libmlvm_handle *h, size_t vg);
const char *libmlvm_lv_name(const struct libmlvm_handle *h, size_t vg, size_t lv);
const char *libmlvm_lv_uuid(const struct libmlvm_handle *h, size_t vg, size_t lv);
/* size as LVM2 reports it */
uint64_t libmlvm_lv_size(const struct libmlvm_handle *h, size_t vg, size_t lv);
/* 1 for an LV LVM2 lists (lvs), 0 for a hidden sub-LV ("lv_rimage_0") */
int libmlvm_lv_visible(const struct libmlvm_handle *h, size_t vg, size_t lv);
size_t libmlvm_lv_segment_count(const struct libmlvm_handle *h, size_t vg, size_t lv);
/* the segment's type as written in the text ("striped", "raid1", "thin") */
const char *libmlvm_lv_segment_type(const struct libmlvm_handle *h, size_t vg, size_t lv,
				    size_t seg);
/* index of the LV named name in VG vg, or -ENOENT */
int libmlvm_lv_find(const struct libmlvm_handle *h, size_t vg, const char *name);

/* ------------------------------------------------------------ generations */

/*
 * Every metadata generation found in every metadata area of every PV:
 * committed copies, older copies the ring still holds, and fragments of
 * copies a newer one overwrote. Sorted by VG uuid, then seqno.
 */
size_t libmlvm_generation_count(const struct libmlvm_handle *h);
/* the VG it belongs to; NULL when not recovered (a fragment) */
const char *libmlvm_generation_vg_name(const struct libmlvm_handle *h, size_t gen);
const char *libmlvm_generation_vg_uuid(const struct libmlvm_handle *h, size_t gen);
/* 0 and *seqno, or -ENOENT when the seqno was not recovered */
int libmlvm_generation_seqno(const struct libmlvm_handle *h, size_t gen, uint64_t *seqno);
/* the image, and the absolute byte offset of the copy's first byte in it
 * (a --metadata file: its path and 0) */
const char *libmlvm_generation_image(const struct libmlvm_handle *h, size_t gen);
uint64_t libmlvm_generation_offset(const struct libmlvm_handle *h, size_t gen);
/* bytes recovered */
uint64_t libmlvm_generation_size(const struct libmlvm_handle *h, size_t gen);
/* "ok", "fragment", "incomplete", "bad-checksum" or "unparsable" (as
 * `mlvm history` says); NULL for an index out of range */
const char *libmlvm_generation_state(const struct libmlvm_handle *h, size_t gen);
/* 1 when the state is "ok": the copy can be opened with
 * libmlvm_open_generation */
int libmlvm_generation_intact(const struct libmlvm_handle *h, size_t gen);
/* 1 when it is the copy the area's header commits */
int libmlvm_generation_committed(const struct libmlvm_handle *h, size_t gen);
/* from the copy's text; NULL / 0 when not found */
const char *libmlvm_generation_description(const struct libmlvm_handle *h, size_t gen);
const char *libmlvm_generation_creation_host(const struct libmlvm_handle *h, size_t gen);
uint64_t libmlvm_generation_creation_time(const struct libmlvm_handle *h, size_t gen);

/* ------------------------------------------------------------ warnings */

#define LIBMLVM_NOTICE 0	/* worth knowing, nothing is wrong */
#define LIBMLVM_WARNING 1	/* damage or inconsistency, worked around */
#define LIBMLVM_ERROR 2		/* something could not be done */

/* what the library noticed while opening, and while opening LV readers */
size_t libmlvm_warning_count(const struct libmlvm_handle *h);
/* LIBMLVM_NOTICE, _WARNING or _ERROR; -EINVAL for an index out of range */
int libmlvm_warning_severity(const struct libmlvm_handle *h, size_t w);
/* a short stable code ("mda_stale", "lv_pv_missing"), see doc/mlvm.1 */
const char *libmlvm_warning_code(const struct libmlvm_handle *h, size_t w);
const char *libmlvm_warning_message(const struct libmlvm_handle *h, size_t w);
/* the image it concerns, NULL when none */
const char *libmlvm_warning_image(const struct libmlvm_handle *h, size_t w);
/* absolute byte offset in that image, -1 when none */
int64_t libmlvm_warning_offset(const struct libmlvm_handle *h, size_t w);

/* ------------------------------------------------------------ reading an LV */

struct libmlvm_lv_reader;

/*
 * A reader of LV lv of VG vg. 0 and *out, or: -ENOTSUP when its segment
 * type cannot be mapped, -ELOOP when its LVs refer to each other in a
 * cycle, -EBUSY when it lies on a PV several images fit equally (its bytes
 * depend on which one it is), -EINVAL, -ENOMEM. Problems found while
 * setting up (missing PVs) are added to the handle's warnings.
 */
int libmlvm_lv_reader_open(struct libmlvm_handle *h, size_t vg, size_t lv,
			   struct libmlvm_lv_reader **out);
/* the bytes the reader reads over: the LV's size, except for an old-style
 * snapshot, which reads as its origin was (the origin's size) */
uint64_t libmlvm_lv_reader_size(const struct libmlvm_lv_reader *rd);
/*
 * Read up to len bytes at offset: returns the number of bytes read (fewer
 * than len only at the end of the LV, 0 at or past it) or a negative errno
 * (-EIO when an image read fails). Parts that cannot be read (a missing
 * PV, an area past the end of an image) read as zeros and are added to
 * the missing ranges.
 */
int64_t libmlvm_lv_reader_read(struct libmlvm_lv_reader *rd, void *buf, size_t len,
			       uint64_t offset);
/* the byte ranges of the LV that could not be read so far, sorted */
size_t libmlvm_lv_reader_missing_count(const struct libmlvm_lv_reader *rd);
/* 0 with *start and *len of range i, -EINVAL for an index out of range */
int libmlvm_lv_reader_missing_range(const struct libmlvm_lv_reader *rd, size_t i,
				    uint64_t *start, uint64_t *len);
void libmlvm_lv_reader_close(struct libmlvm_lv_reader *rd);

#ifdef __cplusplus
}
#endif

#endif
