/*
 * layout.h - the on-disk structures src/io reads, declared once: the MBR
 * (and EBR) sector, the GPT header and entry (io/partition.c), and the
 * signatures of container formats (io/detect.c). Named byte offsets from
 * the start of each structure; integers are little-endian.
 *
 *   MBR/EBR sector (one logical block)
 *     440 disk signature u32   446 four entries of 16 bytes   510 55 aa
 *   MBR entry   0 status (0x00, 0x80)   4 type   8 first lba u32
 *               12 sectors u32
 *   GPT header (lba 1; the backup at the last lba)
 *     0 "EFI PART"   8 revision u32   12 header size u32   16 crc u32 (of
 *     header size bytes, this field zeroed)   24 my lba u64
 *     32 alternate lba u64   40 first usable lba u64   48 last usable
 *     lba u64   56 disk guid, 16 bytes   72 entries lba u64
 *     80 number of entries u32   84 entry size u32   88 entries crc u32
 *   GPT entry   0 type guid   16 partition guid   32 first lba u64
 *               40 last lba u64   48 attributes u64   56 name, UTF-16LE
 *   containers: see the table in io/detect.h (signature and offset)
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_IO_LAYOUT_H
#define MLVM_IO_LAYOUT_H

/* MBR and EBR sector */
#define MLVM_MBR_DISK_SIG_OFF 440
#define MLVM_MBR_ENTRIES_OFF 446
#define MLVM_MBR_ENTRY_SIZE 16
#define MLVM_MBR_MAGIC_OFF 510		/* 0x55 0xaa */
#define MLVM_MBR_MAGIC_0 0x55
#define MLVM_MBR_MAGIC_1 0xaa

/* MBR entry */
#define MLVM_MBR_E_STATUS_OFF 0
#define MLVM_MBR_E_TYPE_OFF 4
#define MLVM_MBR_E_START_OFF 8
#define MLVM_MBR_E_SECTORS_OFF 12

/* GPT header */
#define MLVM_GPT_SIGNATURE "EFI PART"
#define MLVM_GPT_SIGNATURE_LEN 8
#define MLVM_GPT_SIGNATURE_OFF 0
#define MLVM_GPT_REVISION_OFF 8
#define MLVM_GPT_HEADER_SIZE_OFF 12
#define MLVM_GPT_CRC_OFF 16
#define MLVM_GPT_MY_LBA_OFF 24
#define MLVM_GPT_ALTERNATE_LBA_OFF 32
#define MLVM_GPT_FIRST_USABLE_OFF 40
#define MLVM_GPT_LAST_USABLE_OFF 48
#define MLVM_GPT_DISK_GUID_OFF 56
#define MLVM_GPT_ENTRIES_LBA_OFF 72
#define MLVM_GPT_N_ENTRIES_OFF 80
#define MLVM_GPT_ENTRY_SIZE_OFF 84
#define MLVM_GPT_ENTRIES_CRC_OFF 88
#define MLVM_GPT_HEADER_MIN 92u		/* the fields above */

/* GPT entry */
#define MLVM_GPT_E_TYPE_GUID_OFF 0
#define MLVM_GPT_E_GUID_OFF 16
#define MLVM_GPT_E_FIRST_LBA_OFF 32
#define MLVM_GPT_E_LAST_LBA_OFF 40
#define MLVM_GPT_E_ATTRIBUTES_OFF 48
#define MLVM_GPT_E_NAME_OFF 56
#define MLVM_GPT_ENTRY_MIN 128u

/* container signatures: offset of each (the bytes are in io/detect.c) */
#define MLVM_EWF_SIG_OFF 0
#define MLVM_QCOW_SIG_OFF 0
#define MLVM_VHDX_SIG_OFF 0
#define MLVM_VHD_FOOTER_SIZE 512u	/* a VHD ends with it ("conectix" at 0) */
#define MLVM_VHD_SIG_OFF 0
#define MLVM_VMDK_SIG_OFF 0
#define MLVM_VDI_TEXT_OFF 0		/* "<<< " */
#define MLVM_VDI_SIG_OFF 0x40		/* 7f 10 da be */
#define MLVM_QED_SIG_OFF 0
#define MLVM_PARALLELS_SIG_OFF 0

#endif
