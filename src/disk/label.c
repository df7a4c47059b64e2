/*
 * label.c - find and parse the LVM2 label sector and pv_header.
 *
 * Field checks are done in a fixed order and recorded (magic, sector field,
 * CRC, header offset, lists); nothing is enforced here, so a damaged label
 * still yields whatever evidence it holds. The lists are read entry by entry
 * and stop at the end of the sector: a list that would run past it is
 * damage, flagged in lists_truncated.
 */
#include "disk/label.h"
#include "disk/crc.h"
#include "disk/layout.h"
#include "base/util.h"

#include <errno.h>
#include <string.h>

#define ID_LEN MLVM_LABEL_ID_LEN
#define TYPE_LEN MLVM_LABEL_TYPE_LEN

void mlvm_unshift(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(buf[i] - 1);
}

static bool is_label_type(const uint8_t *p)
{
	return !memcmp(p, MLVM_LABEL_TYPE_LVM2, TYPE_LEN) ||
	       !memcmp(p, MLVM_LABEL_TYPE_JOURNALLED, TYPE_LEN);
}

static void copy_printable(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
}

/*
 * Read a disk_locn list starting at *pos; entries stop at the all-zero
 * offset terminator. Returns false when the list ran off the sector.
 */
static bool read_locn_list(const uint8_t *sec, size_t *pos,
			   struct mlvm_disk_locn *out, unsigned *n)
{
	*n = 0;
	for (;;) {
		uint64_t off, size;

		if (MLVM_SECTOR_SIZE - *pos < MLVM_DISK_LOCN_SIZE)
			return false;
		off = mlvm_le64(sec + *pos + MLVM_DISK_LOCN_OFFSET_OFF);
		size = mlvm_le64(sec + *pos + MLVM_DISK_LOCN_SIZE_OFF);
		*pos += MLVM_DISK_LOCN_SIZE;
		if (off == 0)
			return true;
		if (*n < MLVM_MAX_LOCN) {
			out[*n].offset = off;
			out[*n].size = size;
			(*n)++;
		}
	}
}

int mlvm_label_parse(const uint8_t *sector, uint64_t sector_no,
		     struct mlvm_label *out, struct mlvm_report *r,
		     const char *image, uint64_t base)
{
	uint8_t sec[MLVM_SECTOR_SIZE];
	uint64_t at = base + sector_no * MLVM_SECTOR_SIZE;
	size_t pos, list;
	bool truncated;
	unsigned i;

	memset(out, 0, sizeof(*out));
	memcpy(sec, sector, sizeof(sec));
	if (!memcmp(sec + MLVM_LABEL_ID_OFF, MLVM_LABEL_ID_SHIFTED, ID_LEN)) {
		uint8_t t[TYPE_LEN];

		memcpy(t, sec + MLVM_LABEL_TYPE_OFF, TYPE_LEN);
		mlvm_unshift(t, TYPE_LEN);
		if (is_label_type(t)) {
			mlvm_unshift(sec, sizeof(sec));
			out->shifted = true;
		}
	}
	/* LVM2 takes any id when the type is its own (an unshifted
	 * "MBCFMPOF" + "LVM2 001" sector included) */
	if (!out->shifted && memcmp(sec + MLVM_LABEL_ID_OFF, MLVM_LABEL_ID, ID_LEN) &&
	    !is_label_type(sec + MLVM_LABEL_TYPE_OFF))
		return -ENOENT;

	out->sector = sector_no;
	copy_printable(out->id, sec + MLVM_LABEL_ID_OFF, ID_LEN);
	copy_printable(out->type, sec + MLVM_LABEL_TYPE_OFF, TYPE_LEN);
	out->magic_ok = !memcmp(sec + MLVM_LABEL_ID_OFF, MLVM_LABEL_ID, ID_LEN);
	out->sector_field = mlvm_le64(sec + MLVM_LABEL_SECTOR_OFF);
	out->sector_ok = out->sector_field == sector_no;
	out->crc_stored = mlvm_le32(sec + MLVM_LABEL_CRC_OFF);
	out->crc_computed = mlvm_crc(MLVM_CRC_INITIAL, sec + MLVM_LABEL_CRC_START,
				     MLVM_SECTOR_SIZE - MLVM_LABEL_CRC_START);
	out->crc_ok = out->crc_stored == out->crc_computed;
	out->pvh_offset = mlvm_le32(sec + MLVM_LABEL_PVH_OFFSET_OFF);
	if (!memcmp(sec + MLVM_LABEL_TYPE_OFF, MLVM_LABEL_TYPE_LVM2, TYPE_LEN))
		out->kind = MLVM_LABEL_LVM2;
	else if (!memcmp(sec + MLVM_LABEL_TYPE_OFF, MLVM_LABEL_TYPE_JOURNALLED, TYPE_LEN))
		out->kind = MLVM_LABEL_JOURNALLED;
	else
		out->kind = MLVM_LABEL_UNKNOWN_TYPE;

	if (out->shifted)
		mlvm_notice(r, "label_shifted", image, at,
			    "label id \"MBCFMPOF\" in sector %llu: a PV wiped by mirage-block-volume (every byte +1), read shifted back",
			    (unsigned long long)sector_no);
	else if (!out->magic_ok)
		mlvm_warn(r, "label_magic", image, at,
			  "label id in sector %llu is \"%s\", not \"LABELONE\" (accepted for its type \"%s\", as LVM2 does)",
			  (unsigned long long)sector_no, out->id, out->type);
	if (!out->sector_ok)
		mlvm_warn(r, "label_sector", image, at + MLVM_LABEL_SECTOR_OFF,
			  "label in sector %llu says it is in sector %llu",
			  (unsigned long long)sector_no,
			  (unsigned long long)out->sector_field);
	if (!out->crc_ok)
		mlvm_warn(r, "label_crc", image, at + MLVM_LABEL_CRC_OFF,
			  "label crc mismatch in sector %llu: stored 0x%08x, computed 0x%08x",
			  (unsigned long long)sector_no, out->crc_stored,
			  out->crc_computed);
	if (out->kind == MLVM_LABEL_UNKNOWN_TYPE)
		mlvm_warn(r, "label_type", image, at + MLVM_LABEL_TYPE_OFF,
			  "label type \"%s\" is not \"LVM2 001\"", out->type);
	else if (out->kind == MLVM_LABEL_JOURNALLED)
		mlvm_warn(r, "label_journalled", image, at + MLVM_LABEL_TYPE_OFF,
			  "label type \"JOUR 001\": a journalled VG (xenvm, mirage-block-volume), which LVM2 does not read");

	pos = out->pvh_offset;
	if (pos != MLVM_LABEL_PVH_AT) {
		mlvm_warn(r, "label_offset", image, at + MLVM_LABEL_PVH_OFFSET_OFF,
			  "pv_header offset %u in label (LVM2 writes 32)",
			  out->pvh_offset);
		if (pos < MLVM_LABEL_PVH_AT || pos > MLVM_SECTOR_SIZE - MLVM_PVH_LISTS_OFF) {
			pos = MLVM_LABEL_PVH_AT;	/* the only place LVM2 ever puts it */
		}
	}
	memcpy(out->pv_uuid, sec + pos + MLVM_PVH_UUID_OFF, MLVM_PVH_UUID_LEN);
	out->pv_uuid[MLVM_PVH_UUID_LEN] = '\0';
	for (i = 0; i < MLVM_PVH_UUID_LEN; i++) {
		unsigned char c = (unsigned char)out->pv_uuid[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z'))) {
			mlvm_warn(r, "pv_uuid", image, at + pos + i,
				  "pv uuid in label has a character outside [0-9a-zA-Z] at position %u",
				  i);
			out->pv_uuid[i] = '?';
		}
	}
	out->device_size = mlvm_le64(sec + pos + MLVM_PVH_DEVICE_SIZE_OFF);
	pos += MLVM_PVH_LISTS_OFF;

	/* a list that runs off is reported where it starts, inside the sector */
	list = pos;
	truncated = !read_locn_list(sec, &pos, out->data, &out->n_data);
	if (!truncated) {
		list = pos;
		truncated = !read_locn_list(sec, &pos, out->mda, &out->n_mda);
	}
	if (truncated) {
		out->lists_truncated = true;
		mlvm_warn(r, "label_lists", image, at + list,
			  "pv_header area lists run off the end of label sector %llu",
			  (unsigned long long)sector_no);
		return 0;
	}
	if (out->n_data == MLVM_MAX_LOCN || out->n_mda == MLVM_MAX_LOCN)
		mlvm_warn(r, "label_lists", image, at,
			  "pv_header lists hold an implausible number of entries");

	/* extension: only if it fits in the sector and has a version */
	if (MLVM_SECTOR_SIZE - pos >= MLVM_PVH_EXT_LISTS_OFF) {
		uint32_t ver = mlvm_le32(sec + pos + MLVM_PVH_EXT_VERSION_OFF);

		if (ver != 0) {
			out->has_ext = true;
			out->ext_version = ver;
			out->ext_flags = mlvm_le32(sec + pos + MLVM_PVH_EXT_FLAGS_OFF);
			pos += MLVM_PVH_EXT_LISTS_OFF;
			list = pos;
			if (!read_locn_list(sec, &pos, out->ba, &out->n_ba)) {
				out->lists_truncated = true;
				mlvm_warn(r, "label_lists", image, at + list,
					  "pv_header bootloader area list runs off the end of label sector %llu",
					  (unsigned long long)sector_no);
			}
		}
	}
	return 0;
}

int mlvm_label_find(struct mlvm_source *s, uint64_t base, struct mlvm_label *out,
		    struct mlvm_report *r)
{
	return mlvm_label_find_ex(s, base, 0, out, r);
}

int mlvm_label_find_ex(struct mlvm_source *s, uint64_t base, int flags,
		       struct mlvm_label *out, struct mlvm_report *r)
{
	uint8_t buf[MLVM_SECTOR_SIZE * MLVM_LABEL_SCAN_SECTORS];
	size_t have;
	unsigned i, n;
	int rc, first = -1, good = -1;

	if (base > s->size)
		return -ENOENT;
	have = s->size - base < sizeof(buf) ? (size_t)(s->size - base) : sizeof(buf);
	have -= have % MLVM_SECTOR_SIZE;
	if (have == 0)
		return -ENOENT;
	rc = mlvm_source_read(s, buf, have, base);
	if (rc)
		return rc;
	n = (unsigned)(have / MLVM_SECTOR_SIZE);
	for (i = 0; i < n; i++) {
		struct mlvm_label probe;

		/* parse quietly first; report only for the sector taken */
		if (mlvm_label_parse(buf + i * MLVM_SECTOR_SIZE, i, &probe, NULL,
				     s->name, base))
			continue;
		if ((flags & MLVM_LABEL_STRICT) &&
		    (probe.shifted || probe.kind != MLVM_LABEL_LVM2)) {
			mlvm_warn(r, "label_rejected", s->name, base + i * MLVM_SECTOR_SIZE,
				  "label in sector %u is %s, which LVM2 does not read (--strict)", i,
				  probe.shifted ? "shifted by one (a mirage wipe)" : "not of type \"LVM2 001\"");
			continue;
		}
		if ((flags & MLVM_LABEL_STRICT) && probe.magic_ok &&
		    (!probe.crc_ok || !probe.sector_ok)) {
			mlvm_warn(r, "label_rejected", s->name, base + i * MLVM_SECTOR_SIZE,
				  "label in sector %u fails its %s check and is skipped, as LVM2 does (--strict)",
				  i, probe.crc_ok ? "sector" : "crc");
			continue;
		}
		if (first < 0)
			first = (int)i;
		if ((flags & MLVM_LABEL_STRICT) ||
		    (probe.magic_ok && probe.crc_ok && probe.sector_ok)) {
			good = (int)i;
			break;
		}
	}
	if (first < 0)
		return -ENOENT;
	if (good > first && !(flags & MLVM_LABEL_STRICT))
		mlvm_warn(r, "label_skipped", s->name, base + (uint64_t)first * MLVM_SECTOR_SIZE,
			  "damaged label in sector %d passed over for the sound one in sector %d",
			  first, good);
	i = good >= 0 ? (unsigned)good : (unsigned)first;
	return mlvm_label_parse(buf + i * MLVM_SECTOR_SIZE, i, out, r, s->name, base);
}
