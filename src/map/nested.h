/*
 * nested.h - volumes inside volumes: guest disks that hypervisors keep in
 * LVs (Proxmox, oVirt, libvirt LVM pools, OpenStack Cinder), with their own
 * partition table and LVM2 inside.
 *
 * mlvm_set_assemble_nested() assembles a set as mlvm_set_assemble() does,
 * then looks at the first MLVM_NESTED_PROBE bytes of every LV that could
 * hold a disk (visible, not a thin pool, at least MLVM_NESTED_MIN_BYTES
 * long or opts.nested_min_bytes when set; hidden sub-LVs such as _tdata,
 * _tmeta, raid images are never probed; LVs that cannot be read as a whole,
 * e.g. whose PV is ambiguous, are skipped) with one read: a PV label in
 * sectors 0-3, or an MBR/GPT whose partitions (their first sectors read
 * once more) hold one. Each such LV is added to the set as an image of its
 * own (an LV source, lvsource.h, named "VG/LV", or "VG@UUID/LV" when two
 * VGs share the name; its `inside` says whose bytes it is) and the set is
 * assembled again, so the guest VG is a VG of the set like any other; and
 * so on, at most MLVM_NESTED_MAX_DEPTH levels deep (a label found deeper is
 * reported, "nested_depth", and not followed). An LV that holds a PV the
 * images already gave (found by a deep scan, as `scan` does) is not opened
 * again. It never loops: each VG is
 * probed once, a guest VG whose uuid is one already assembled is not
 * assembled again (its PVs are reported as copies, "nested_duplicate_pv"),
 * and the depth bounds the rest. The result does not depend on the order
 * of the images: LVs are probed VG by VG in the set's order, which the
 * assembler makes independent of it.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_NESTED_H
#define MLVM_NESTED_H

#include "model/assemble.h"

#define MLVM_NESTED_MAX_DEPTH 4
/* bytes read at the start of an LV: sectors 0-3, which hold a PV label,
 * the MBR (sector 0) and the GPT header (sector 1) */
#define MLVM_NESTED_PROBE 2048u
/* LVM2 puts no PV on a device smaller than 512 KiB (PV_MIN_SIZE_KB, the
 * floor of lvm.conf's devices/pv_min_size, 2 MiB by default): a smaller LV
 * holds no guest PV, in itself or in a partition, and is not probed */
#define MLVM_NESTED_MIN_BYTES (512u * 1024u)

/* mlvm_set_assemble() with nested discovery: the number of VGs or a
 * negative errno. */
int mlvm_set_assemble_nested(struct mlvm_set *set);

/*
 * The visible LV of the set whose bytes hold byte off of src (through a
 * linear segment): 0 with *vg, *lv and the byte in the LV *lv_off, or
 * -ENOENT. scan says so of a PV a deep scan finds in an image; discovery
 * does not open an LV again whose PVs the images already gave.
 */
int mlvm_nested_lv_at(const struct mlvm_set *set, const struct mlvm_source *src, uint64_t off,
		      const struct mlvm_vg **vg, const struct mlvm_lv **lv, uint64_t *lv_off);

/*
 * What a probe of the first bytes of an LV (or any disk) says: whether buf
 * (len bytes from its start) holds a PV label in sectors 0-3 or the start
 * of a partition table (an MBR signature with a sound entry, or "EFI PART"
 * at byte 512). Pure, for tests and fuzzers.
 */
enum mlvm_nested_probe { MLVM_NESTED_NONE, MLVM_NESTED_LABEL, MLVM_NESTED_PARTITIONS };
enum mlvm_nested_probe mlvm_nested_probe_buffer(const uint8_t *buf, size_t len);

/*
 * Where the missing bytes of a guest LV come from. A guest LV's bytes that
 * could not be read are bytes of its host LV that could not be read (a
 * host PV missing, or its image cut short): one origin per run of host LV
 * bytes, within one host segment, that lies under the guest LV's extents
 * (on the guest PVs whose image is that host LV) and read as missing so
 * far. For the host bytes of a one-area segment on a PV, the PV and where
 * they lie in its image; for others, the segment's PVs that are missing.
 */
#define MLVM_ORIGIN_MAX_PVS 8
struct mlvm_missing_origin {
	const char *image;		/* the guest PV's image: the host LV's path */
	const struct mlvm_vg *host_vg;	/* NULL when the host VG is not in the set */
	const struct mlvm_lv *host_lv;	/* NULL likewise */
	uint64_t start, len;		/* bytes of the host LV */
	/* the host PVs under them: the one PV of a one-area segment (whether
	 * missing or not), else those of the segment that are missing */
	const struct mlvm_pv *pvs[MLVM_ORIGIN_MAX_PVS];
	uint32_t n_pvs;
	bool linear;			/* one area: pv_off is where start lies */
	uint64_t pv_off;		/* byte of pvs[0]'s image (when linear and present) */
};

/*
 * The origins of the missing ranges of lv of vg (a guest VG: its PVs' images
 * are LV sources; nothing for a VG on images). Call after reading the LV
 * (the host readers record what they could not read). 0 with *out (free())
 * and *n, or -ENOMEM.
 */
int mlvm_missing_origins(const struct mlvm_set *set, const struct mlvm_vg *vg,
			 const struct mlvm_lv *lv, struct mlvm_missing_origin **out, size_t *n);

#endif
