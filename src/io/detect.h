/*
 * detect.h - what kind of image a file is, by its content, and the
 * container formats mlvm reads through a library.
 *
 * Recognised by the formats' own signatures, never by file name:
 *   EWF (E01)   "EVF\x09\x0d\x0a\xff\x00" at 0        libewf
 *   EWF2 (Ex01) "EVF2\x0d\x0a\x81\x00" at 0            libewf
 *   qcow (1-3)  "QFI\xfb" at 0          versions 2 and 3 read by mlvm
 *                                       itself (source_qcow2.h), 1 libqcow
 *   VHDX        "vhdxfile" at 0                         libvhdi
 *   VHD         "conectix" in the last 512 bytes (every VHD), or in the
 *               first 512 (the footer copy of dynamic and differencing
 *               VHDs whose end was cut off)        libvhdi
 * and, read by no library here, so refused rather than misread as raw:
 *   L01 (EWF logical evidence), VMDK, VDI, QED, Parallels.
 * When no signature matches and the first 4 KiB do not look like a raw
 * disk (no LVM2 label, no MBR boot signature, not all zeros), libmagic is
 * asked for a second opinion (loaded on first need, as content.c does).
 *
 * A container is opened read-only (through its library, or qcow2 by
 * mlvm's own reader) behind the usual
 * struct mlvm_source (see source.h): the source's size is the media size
 * and pread maps to the library's read at an offset. The libraries are
 * not safe for concurrent reads through one handle (each keeps a cache
 * and, in libewf 20140813, a current offset), so every library's source
 * serialises its reads with a mutex: one reader at a time per handle.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_DETECT_H
#define MLVM_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "io/layout.h"

struct mlvm_source;
struct mlvm_report;

enum mlvm_format {
	MLVM_FORMAT_RAW = 0,	/* none recognised: read the bytes as they are */
	MLVM_FORMAT_EWF,
	MLVM_FORMAT_EWF2,
	MLVM_FORMAT_QCOW,
	MLVM_FORMAT_VHD,
	MLVM_FORMAT_VHDX,
	/* recognised, but no library here reads them */
	MLVM_FORMAT_L01,
	MLVM_FORMAT_VMDK,
	MLVM_FORMAT_VDI,
	MLVM_FORMAT_QED,
	MLVM_FORMAT_PARALLELS,
};

/* bytes of the start of an image that mlvm_detect_buffers() looks at */
#define MLVM_DETECT_HEAD 4096u
/* and of its end: a VHD footer */
#define MLVM_DETECT_TAIL MLVM_VHD_FOOTER_SIZE

/*
 * The format of an image from its first head_len bytes (up to
 * MLVM_DETECT_HEAD) and its last tail_len bytes (up to MLVM_DETECT_TAIL;
 * tail NULL or tail_len 0 when unknown). Signatures only: no I/O, no
 * libmagic; a buffer too short for a signature does not match it.
 */
enum mlvm_format mlvm_detect_buffers(const uint8_t *head, size_t head_len,
				     const uint8_t *tail, size_t tail_len);

/*
 * The format of what libmagic said about an image's start (desc), or
 * MLVM_FORMAT_RAW when it names no container format.
 */
enum mlvm_format mlvm_detect_magic_desc(const char *desc);

/* true when the first bytes look like a raw disk (LVM2 label in sectors
 * 0-3, an MBR boot signature, or all zeros): libmagic is not asked */
int mlvm_detect_looks_raw(const uint8_t *head, size_t head_len);

/*
 * Read the start and end of the open file fd (size bytes) and detect its
 * format, libmagic included. 0 with *out, or a negative errno when fd
 * cannot be read.
 */
int mlvm_detect_fd(int fd, uint64_t size, enum mlvm_format *out);

/* "EWF (E01)", "qcow2", "VHD", ...; "raw" for MLVM_FORMAT_RAW */
const char *mlvm_format_name(enum mlvm_format f);

/*
 * The files the container image path (of format f, as detected) is read
 * from, in order: an EWF image's segment files as libewf_glob() finds them
 * from the name given (.E01, .E02, ...; the case record hashes each); for
 * every other format, for an EWF name libewf does not understand, and
 * without libewf, path alone. 0 with *paths (free with
 * mlvm_container_files_free) and *n >= 1, or -ENOMEM.
 */
int mlvm_container_files(const char *path, enum mlvm_format f, char ***paths, size_t *n);
void mlvm_container_files_free(char **paths, size_t n);

/*
 * Open path, known to be of format f (not raw), as a read-only source.
 * flags as mlvm_source_open(): MLVM_SOURCE_WRITE is refused (-EROFS).
 * A format this build cannot read fails with -EMEDIUMTYPE, and the words
 * for it (which library, which Debian package) go to r as ONE "open"
 * entry, as mlvm_source_open() words them (io/source_error.h). Library
 * errors fail with -EIO and the library's message, a differencing image
 * or a backing file with -ENOTSUP (the openers are io/source_libyal.h's).
 */
int mlvm_container_open(const char *path, enum mlvm_format f, int flags,
			struct mlvm_source **out, struct mlvm_report *r);

#endif
