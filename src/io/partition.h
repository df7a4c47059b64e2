/*
 * partition.h - the MBR (with its EBR chain) and GPT partition tables of a
 * whole-disk image, so PVs can be looked for inside partitions.
 *
 * Sector size is 512 bytes. All on-disk fields are little-endian.
 *
 * MBR, sector 0:
 *   440 disk signature u32   446 four 16-byte entries   510 0x55 0xaa
 *   entry: 0 status (0x00 or 0x80)  1 CHS (ignored)  4 type  5 CHS (ignored)
 *          8 start LBA u32  12 sector count u32
 * Extended partitions (types 0x05, 0x0f, 0x85) hold a chain of EBRs, each a
 * sector of the MBR's layout: a data entry (the logical partition, relative
 * to that EBR) and an extended-type entry linking to the next EBR (relative
 * to the start of the outermost extended partition). Type 0xee (protective
 * MBR) means the disk is GPT.
 *
 * GPT header, LBA 1 (backup at the last LBA):
 *   0 "EFI PART"  8 revision u32  12 header size u32  16 header crc u32
 *   20 reserved  24 my LBA  32 alternate LBA  40 first usable LBA
 *   48 last usable LBA  56 disk GUID[16]  72 entries LBA  80 entry count u32
 *   84 entry size u32  88 entries crc u32 (92 bytes)
 * GPT entry: 0 type GUID[16]  16 unique GUID[16]  32 first LBA  40 last LBA
 *   (inclusive)  48 attributes  56 name, 36 UTF-16LE code units
 * Both CRCs are the standard CRC-32 (zlib's crc32), not LVM's; the header
 * CRC covers header-size bytes with the CRC field zeroed.
 *
 * Limits: at most MLVM_MBR_MAX_EBR EBRs are followed; a GPT entry array may
 * hold at most MLVM_GPT_MAX_ENTRIES entries of at most MLVM_GPT_MAX_ENTRY_SIZE
 * bytes and MLVM_GPT_MAX_ARRAY bytes in all. A header beyond these is
 * rejected (reported), never allocated for.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_PARTITION_H
#define MLVM_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/report.h"
#include "io/source.h"

/*
 * The size of a logical block, the unit of MBR and GPT LBAs: a property of
 * the disk (4096 on 4Kn disks), not LVM2's sector (MLVM_SECTOR_SIZE), though
 * mlvm reads partition tables as written for 512-byte logical blocks only.
 */
#define MLVM_PART_SECTOR 512u
#define MLVM_MBR_MAX_EBR 1024
#define MLVM_GPT_MAX_ENTRIES 65536u
#define MLVM_GPT_MAX_ENTRY_SIZE 4096u
#define MLVM_GPT_MAX_ARRAY (8u << 20)
#define MLVM_GPT_NAME_UNITS 36		/* UTF-16 code units in an entry name */
#define MLVM_GPT_LVM_GUID "e6d6d379-f507-44c2-a23c-238f2a3df928"
#define MLVM_MBR_TYPE_LVM 0x8e
#define MLVM_MBR_TYPE_GPT 0xee

enum mlvm_part_scheme { MLVM_PART_MBR, MLVM_PART_GPT };

struct mlvm_partition {
	enum mlvm_part_scheme scheme;
	unsigned index;		/* 1-based, as Linux numbers them: MBR
				 * primaries 1-4, logicals from 5; GPT entry
				 * number + 1 */
	uint64_t start;		/* bytes from image start */
	uint64_t size;		/* bytes, clipped to the image end */
	uint64_t size_stated;	/* bytes, as the table says */
	bool clipped;		/* size < size_stated: runs past the image end */
	uint64_t entry_offset;	/* absolute byte offset of its table entry */
	uint8_t mbr_type;	/* MBR type byte (0x8e = Linux LVM), 0 for GPT */
	bool extended;		/* MBR extended partition: holds EBRs, not data */
	char type_guid[37];	/* GPT type GUID, lowercase and dashed; "" for MBR */
	char guid[37];		/* GPT unique partition GUID; "" for MBR */
	char name[3 * MLVM_GPT_NAME_UNITS + 1];	/* GPT name as UTF-8; "" for MBR */
	bool lvm_type;		/* the type says Linux LVM */
};

struct mlvm_partition_table {
	enum mlvm_part_scheme scheme;
	struct mlvm_partition *parts;	/* in table order: MBR primaries, then
					 * logicals; GPT by entry number */
	size_t n;
	bool gpt_backup_used;	/* the primary GPT was damaged; read the backup */
};

/*
 * Read the partition table of s (sector size 512). Returns 0 with the table
 * (n is 0 when there is none; scheme is then MLVM_PART_MBR), or a negative
 * errno on read error or -ENOMEM (out is then empty). Anomalies go to r (may
 * be NULL) against s->name with absolute byte offsets: bad GPT header or
 * entries CRC (the backup is used when it is sound), partitions outside the
 * image (kept, clipped), overlapping partitions, an EBR chain that loops or is
 * too long, a protective MBR without a GPT, a GPT without a protective MBR.
 * Release with mlvm_partitions_free().
 */
int mlvm_partitions_read(struct mlvm_source *s, struct mlvm_partition_table *out,
			 struct mlvm_report *r);

/* Free the partition list; t is left empty. */
void mlvm_partitions_free(struct mlvm_partition_table *t);

/* ---- pure parsers over buffers, no I/O (tests, fuzzers) ---- */

struct mlvm_mbr_entry {
	uint8_t status;
	uint8_t type;
	uint32_t start_lba;	/* relative to the MBR, or for EBR links to the
				 * outermost extended partition */
	uint32_t n_sectors;
};

struct mlvm_mbr {
	struct mlvm_mbr_entry e[4];
	uint32_t disk_signature;
	bool signature_ok;	/* 0x55 0xaa at 510 */
	bool status_ok;		/* every status byte is 0x00 or 0x80 */
	bool protective;	/* an entry of type 0xee */
};

/*
 * Parse an MBR or EBR sector. Returns 0 when it carries the 0x55aa
 * signature, -ENOENT when not; the entries are filled in either case.
 */
int mlvm_mbr_parse(const uint8_t sector[MLVM_PART_SECTOR], struct mlvm_mbr *out);

/* true for the MBR types of an extended partition (0x05, 0x0f, 0x85) */
bool mlvm_mbr_type_is_extended(uint8_t type);

struct mlvm_gpt_header {
	uint32_t revision;
	uint32_t header_size;
	uint32_t crc_stored;
	uint32_t crc_computed;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	char disk_guid[37];
	uint64_t entries_lba;
	uint32_t n_entries;
	uint32_t entry_size;
	uint32_t entries_crc;
	uint64_t array_bytes;	/* n_entries * entry_size (when usable) */
	bool crc_ok;
	bool my_lba_ok;
	bool usable;		/* sizes, counts and LBAs can be worked with */
};

/*
 * Parse a GPT header found at LBA lba (the first len bytes of that sector,
 * len >= 92 for a header to be read). Fields are checked in a fixed order:
 * signature, header size, CRC, my LBA, entry size, entry count, array size,
 * usable LBAs, entries LBA. Returns -ENOENT without "EFI PART", -EINVAL when
 * a field makes the header unusable, -EBADMSG when it is usable but its CRC
 * or my LBA is wrong, 0 when sound. Problems go to r (may be NULL) against
 * image at absolute offsets (the header is at lba * 512).
 */
int mlvm_gpt_header_parse(const uint8_t *buf, size_t len, uint64_t lba,
			  struct mlvm_gpt_header *out, struct mlvm_report *r,
			  const char *image);

/*
 * Append the non-empty entries of a GPT entry array (buf, len bytes read at
 * the header's entries LBA; may be shorter than array_bytes when the image
 * is truncated) to t, which must be empty or hold GPT entries. Partitions are
 * clipped to image_size. Returns 0 or -ENOMEM.
 */
int mlvm_gpt_entries_parse(const uint8_t *buf, size_t len,
			   const struct mlvm_gpt_header *h, uint64_t image_size,
			   struct mlvm_partition_table *t, struct mlvm_report *r,
			   const char *image);

/* Format a 16-byte on-disk GUID (first three fields little-endian) as
 * lowercase dashed text. */
void mlvm_guid_format(const uint8_t guid[16], char out[37]);

/*
 * Convert up to units UTF-16LE code units at p to UTF-8 in out (at least
 * 3 * units + 1 bytes), stopping at a NUL unit; unpaired surrogates become
 * U+FFFD. Returns the length written.
 */
size_t mlvm_utf16le_to_utf8(const uint8_t *p, size_t units, char *out);

#endif
