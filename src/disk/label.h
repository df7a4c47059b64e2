/*
 * label.h - the LVM2 label sector and pv_header.
 *
 * Layout (all little-endian, one 512-byte sector, one of sectors 0..3; the
 * named offsets the code uses are disk/layout.h's):
 *   0  id "LABELONE"   8  sector number   16 crc of 20..511   20 offset (32)
 *   24 type "LVM2 001" 32 pv_header: uuid[32] device_size u64, then the
 *   data-area list and the metadata-area list of {offset u64, size u64}, each
 *   ended by an all-zero offset, then (version != 0) the extension:
 *   version u32, flags u32, bootloader-area list.
 *
 * Layer: disk (src/disk). May include: base, io.
 */
#ifndef MLVM_LABEL_H
#define MLVM_LABEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/report.h"
#include "base/units.h"
#include "io/source.h"

#define MLVM_LABEL_SCAN_SECTORS 4
#define MLVM_MAX_LOCN 28	/* more cannot fit in one sector */

struct mlvm_disk_locn {
	uint64_t offset;	/* bytes, absolute on the PV */
	uint64_t size;		/* bytes; 0 for a data area means "to the end" */
};

enum mlvm_label_kind {
	MLVM_LABEL_LVM2,	/* "LVM2 001" */
	MLVM_LABEL_JOURNALLED,	/* "JOUR 001": xenvm/mirage journalled VG */
	MLVM_LABEL_UNKNOWN_TYPE,
};

struct mlvm_label {
	uint64_t sector;		/* sector it was found in */
	uint64_t sector_field;		/* sector number it states */
	uint32_t crc_stored;
	uint32_t crc_computed;
	uint32_t pvh_offset;		/* offset of pv_header in the sector */
	char id[9];			/* as found, NUL-terminated */
	char type[9];
	bool magic_ok;			/* id == "LABELONE" */
	bool sector_ok;
	bool crc_ok;
	bool shifted;			/* "MBCFMPOF": every byte +1 (wiped by mirage) */
	enum mlvm_label_kind kind;

	char pv_uuid[33];		/* 32 chars, NUL-terminated */
	uint64_t device_size;
	struct mlvm_disk_locn data[MLVM_MAX_LOCN];
	unsigned n_data;
	struct mlvm_disk_locn mda[MLVM_MAX_LOCN];
	unsigned n_mda;
	bool has_ext;
	uint32_t ext_version;
	uint32_t ext_flags;
	struct mlvm_disk_locn ba[MLVM_MAX_LOCN];
	unsigned n_ba;
	bool lists_truncated;		/* a list ran off the sector */
};

/*
 * Parse one 512-byte sector found at sector number sector_no. Returns 0 when
 * it is an LVM label (id "LABELONE", or type "LVM2 001"/"JOUR 001" under
 * another id as LVM2 tolerates, or the shifted "MBCFMPOF" form), -ENOENT when
 * it is not. Checks are recorded in the struct, not enforced; problems are
 * added to r (may be NULL) against image at absolute offset base.
 */
int mlvm_label_parse(const uint8_t *sector, uint64_t sector_no,
		     struct mlvm_label *out, struct mlvm_report *r,
		     const char *image, uint64_t base);

/*
 * Look for a label in sectors 0..3 from byte offset base of s. Returns 0 and
 * fills out, -ENOENT when there is none, or a negative errno on read error.
 */
int mlvm_label_find(struct mlvm_source *s, uint64_t base, struct mlvm_label *out,
		    struct mlvm_report *r);

/*
 * The same with a choice of rules. By default a sector whose checks all pass
 * is preferred, then the first sector that is a label at all (damage is
 * reported). With MLVM_LABEL_STRICT, LVM2's rules: a "LABELONE" sector
 * whose CRC or sector field is wrong is skipped (reported as label_rejected)
 * and the scan goes on; a sector with another id but an LVM2 type is taken
 * without those checks, as LVM2 does; shifted (mirage-wiped) labels and
 * types other than "LVM2 001" are skipped.
 */
#define MLVM_LABEL_STRICT 1
int mlvm_label_find_ex(struct mlvm_source *s, uint64_t base, int flags,
		       struct mlvm_label *out, struct mlvm_report *r);

/* Undo the mirage "wipe" (every byte +1) in place. */
void mlvm_unshift(uint8_t *buf, size_t len);

#endif
