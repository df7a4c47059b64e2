/*
 * units.h - the units LVM2's on-disk formats count in.
 *
 * LVM2 counts sizes and offsets in its metadata text (extent_size, pe_start,
 * dev_size, the thin pool's chunk_size...) in 512-byte sectors, whatever the
 * device's logical block size; the label is looked for in the first four
 * 512-byte sectors. This is the one definition of that unit: code that means
 * "an LVM2 sector" says MLVM_SECTOR_SIZE, never a bare 512.
 *
 * Layer: base (src/base). May include: nothing of mlvm's.
 */
#ifndef MLVM_UNITS_H
#define MLVM_UNITS_H

#define MLVM_SECTOR_SIZE 512u
#define MLVM_SECTOR_SHIFT 9

#endif
