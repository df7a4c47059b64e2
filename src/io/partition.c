/*
 * partition.c - MBR/EBR and GPT partition tables of a whole-disk image.
 *
 * The pure parsers (mlvm_mbr_parse, mlvm_gpt_header_parse,
 * mlvm_gpt_entries_parse) work on buffers; mlvm_partitions_read() does the
 * reading and picks the table. Nothing read from the image is trusted: every
 * partition is clipped to the image (and reported), the EBR chain is bounded
 * and loop-checked, and the GPT entry array is bounded before it is
 * allocated. Damage is recorded in the report and worked around: a bad
 * primary GPT falls back to the backup, a bad checksum with no better copy
 * is accepted with a warning.
 */
#include "io/partition.h"
#include "io/layout.h"
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SEC MLVM_PART_SECTOR
#define MBR_ENTRIES_AT MLVM_MBR_ENTRIES_OFF
#define MBR_ENTRY_SIZE MLVM_MBR_ENTRY_SIZE
#define MBR_DISK_SIG_AT MLVM_MBR_DISK_SIG_OFF
#define MBR_MAGIC_AT MLVM_MBR_MAGIC_OFF

#define GPT_SIGNATURE MLVM_GPT_SIGNATURE
#define GPT_REVISION_1_0 0x00010000u
#define GPT_HEADER_MIN MLVM_GPT_HEADER_MIN
#define GPT_ENTRY_MIN MLVM_GPT_ENTRY_MIN
#define GPT_NAME_AT MLVM_GPT_E_NAME_OFF

bool mlvm_mbr_type_is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

int mlvm_mbr_parse(const uint8_t sector[MLVM_PART_SECTOR], struct mlvm_mbr *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->disk_signature = mlvm_le32(sector + MBR_DISK_SIG_AT);
	out->signature_ok = sector[MBR_MAGIC_AT] == MLVM_MBR_MAGIC_0 &&
			     sector[MBR_MAGIC_AT + 1] == MLVM_MBR_MAGIC_1;
	out->status_ok = true;
	for (i = 0; i < 4; i++) {
		const uint8_t *p = sector + MBR_ENTRIES_AT + i * MBR_ENTRY_SIZE;
		struct mlvm_mbr_entry *e = &out->e[i];

		e->status = p[MLVM_MBR_E_STATUS_OFF];
		e->type = p[MLVM_MBR_E_TYPE_OFF];
		e->start_lba = mlvm_le32(p + MLVM_MBR_E_START_OFF);
		e->n_sectors = mlvm_le32(p + MLVM_MBR_E_SECTORS_OFF);
		if (e->status != 0x00 && e->status != 0x80)
			out->status_ok = false;
		if (e->type == MLVM_MBR_TYPE_GPT)
			out->protective = true;
	}
	return out->signature_ok ? 0 : -ENOENT;
}

void mlvm_guid_format(const uint8_t g[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

size_t mlvm_utf16le_to_utf8(const uint8_t *p, size_t units, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < units; i++) {
		uint32_t cp = mlvm_le16(p + 2 * i);

		if (cp == 0)
			break;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo = i + 1 < units ? mlvm_le16(p + 2 * (i + 1)) : 0;

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				cp = 0xfffd;
			}
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			cp = 0xfffd;
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | cp >> 18);
			out[o++] = (char)(0x80 | (cp >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
	return o;
}

void mlvm_partitions_free(struct mlvm_partition_table *t)
{
	free(t->parts);
	t->parts = NULL;
	t->n = 0;
}

/* an absolute offset for the report: saturates instead of wrapping */
static uint64_t off_add(uint64_t a, uint64_t b)
{
	uint64_t s;

	return mlvm_add_ok(a, b, &s) ? s : UINT64_MAX;
}

/*
 * Clip p to the image and append it to t. The caller has filled start,
 * size_stated and the rest; the count of entries is bounded by the callers
 * (4 + 4 per EBR, or the GPT entry count).
 */
static int add_part(struct mlvm_partition_table *t, struct mlvm_partition *p,
		    uint64_t image_size, struct mlvm_report *r, const char *image)
{
	p->size = p->size_stated;
	p->clipped = false;
	if (p->start >= image_size) {
		p->size = 0;
		p->clipped = p->size_stated > 0;
		mlvm_warn(r, "part_outside", image, p->entry_offset,
			  "partition %u starts at byte %llu, past the image end (%llu bytes): kept with size 0",
			  p->index, (unsigned long long)p->start,
			  (unsigned long long)image_size);
	} else if (p->size_stated > image_size - p->start) {
		p->size = image_size - p->start;
		p->clipped = true;
		mlvm_warn(r, "part_past_end", image, p->entry_offset,
			  "partition %u (bytes %llu..+%llu) runs %llu bytes past the image end: clipped to %llu bytes",
			  p->index, (unsigned long long)p->start,
			  (unsigned long long)p->size_stated,
			  (unsigned long long)(p->size_stated - p->size),
			  (unsigned long long)p->size);
	}
	if (t->n == SIZE_MAX / sizeof(*t->parts))
		return -ENOMEM;
	if (t->n % 16 == 0) {
		struct mlvm_partition *np = realloc(t->parts, (t->n + 16) * sizeof(*np));

		if (!np)
			return -ENOMEM;
		t->parts = np;
	}
	t->parts[t->n++] = *p;
	return 0;
}

/* ---------------------------------------------------------------- MBR */

struct ebr_walk {
	uint64_t visited[MLVM_MBR_MAX_EBR];	/* EBR LBAs read so far */
	unsigned n_visited;
	unsigned next_index;			/* number of the next logical */
};

static void mbr_fill(struct mlvm_partition *p, unsigned index, uint64_t base_lba,
		     const struct mlvm_mbr_entry *e, uint64_t entry_offset)
{
	memset(p, 0, sizeof(*p));
	p->scheme = MLVM_PART_MBR;
	p->index = index;
	p->start = (base_lba + e->start_lba) * SEC;	/* < 2^33 sectors: no overflow */
	p->size_stated = (uint64_t)e->n_sectors * SEC;
	p->entry_offset = entry_offset;
	p->mbr_type = e->type;
	p->extended = mlvm_mbr_type_is_extended(e->type);
	p->lvm_type = e->type == MLVM_MBR_TYPE_LVM;
}

/*
 * Follow the EBR chain of the extended partition at ext_lba (ext_sectors
 * long), as Linux does: in each EBR every data entry is a logical partition
 * relative to that EBR (entries 3 and 4 only when they fit inside, as they
 * often hold garbage), the first extended-type entry links to the next EBR
 * relative to ext_lba. Stops at MLVM_MBR_MAX_EBR EBRs or an EBR seen before.
 */
static int ebr_chain(struct mlvm_source *s, uint64_t ext_lba, uint64_t ext_sectors,
		     struct ebr_walk *w, struct mlvm_partition_table *t,
		     struct mlvm_report *r)
{
	uint64_t this_lba = ext_lba, this_sectors = ext_sectors;
	uint8_t sec[SEC];

	for (;;) {
		uint64_t at = this_lba * SEC;
		const struct mlvm_mbr_entry *link = NULL;
		struct mlvm_mbr ebr;
		unsigned i;
		int rc;

		for (i = 0; i < w->n_visited; i++) {
			if (w->visited[i] == this_lba) {
				mlvm_warn(r, "ebr_loop", s->name, at,
					  "ebr chain loops back to the ebr at sector %llu: stopped",
					  (unsigned long long)this_lba);
				return 0;
			}
		}
		if (w->n_visited == MLVM_MBR_MAX_EBR) {
			mlvm_warn(r, "ebr_too_long", s->name, at,
				  "ebr chain longer than %d ebrs: stopped before sector %llu",
				  MLVM_MBR_MAX_EBR, (unsigned long long)this_lba);
			return 0;
		}
		w->visited[w->n_visited++] = this_lba;
		if (this_lba < ext_lba || this_lba - ext_lba >= ext_sectors)
			mlvm_warn(r, "ebr_outside_extended", s->name, at,
				  "ebr at sector %llu lies outside its extended partition (sectors %llu..+%llu)",
				  (unsigned long long)this_lba, (unsigned long long)ext_lba,
				  (unsigned long long)ext_sectors);
		if (!mlvm_range_ok(s->size, at, SEC)) {
			mlvm_warn(r, "ebr_outside_image", s->name, at,
				  "ebr at sector %llu lies past the image end: chain stopped",
				  (unsigned long long)this_lba);
			return 0;
		}
		rc = mlvm_source_read(s, sec, SEC, at);
		if (rc < 0)
			return rc;
		if (mlvm_mbr_parse(sec, &ebr) < 0) {
			mlvm_warn(r, "ebr_signature", s->name, at + MBR_MAGIC_AT,
				  "no 0x55aa signature in the ebr at sector %llu: chain stopped",
				  (unsigned long long)this_lba);
			return 0;
		}
		for (i = 0; i < 4; i++) {
			const struct mlvm_mbr_entry *e = &ebr.e[i];
			uint64_t eoff = at + MBR_ENTRIES_AT + i * MBR_ENTRY_SIZE;
			uint64_t rel_end = (uint64_t)e->start_lba + e->n_sectors;
			struct mlvm_partition p;

			if (e->n_sectors == 0)
				continue;
			if (mlvm_mbr_type_is_extended(e->type)) {
				if (!link)
					link = e;
				continue;
			}
			if (i >= 2 && (rel_end > this_sectors || this_lba + e->start_lba < ext_lba ||
				       this_lba + rel_end - ext_lba > ext_sectors)) {
				mlvm_notice(r, "ebr_garbage", s->name, eoff,
					    "entry %u of the ebr at sector %llu does not fit its extended partition: ignored, as Linux does",
					    i + 1, (unsigned long long)this_lba);
				continue;
			}
			mbr_fill(&p, w->next_index++, this_lba, e, eoff);
			if (this_lba + e->start_lba < ext_lba ||
			    this_lba + rel_end - ext_lba > ext_sectors)
				mlvm_warn(r, "logical_outside_extended", s->name, eoff,
					  "logical partition %u (sectors %llu..+%u) is not inside its extended partition",
					  p.index, (unsigned long long)(this_lba + e->start_lba),
					  e->n_sectors);
			rc = add_part(t, &p, s->size, r, s->name);
			if (rc < 0)
				return rc;
		}
		if (!link)
			return 0;
		this_lba = ext_lba + link->start_lba;
		this_sectors = link->n_sectors;
	}
}

/* list the MBR's primaries (skipping 0xee entries) and follow each
 * extended partition's EBR chain */
static int mbr_read(struct mlvm_source *s, const struct mlvm_mbr *mbr,
		    struct mlvm_partition_table *t, struct mlvm_report *r)
{
	struct ebr_walk *w;
	unsigned i;
	int rc = 0;

	t->scheme = MLVM_PART_MBR;
	for (i = 0; i < 4; i++) {
		const struct mlvm_mbr_entry *e = &mbr->e[i];
		struct mlvm_partition p;

		if (e->n_sectors == 0 || e->type == MLVM_MBR_TYPE_GPT)
			continue;
		mbr_fill(&p, i + 1, 0, e, MBR_ENTRIES_AT + i * MBR_ENTRY_SIZE);
		if (e->start_lba == 0)
			mlvm_warn(r, "mbr_entry_start", s->name, p.entry_offset,
				  "partition %u starts at sector 0, over the mbr itself", i + 1);
		rc = add_part(t, &p, s->size, r, s->name);
		if (rc < 0)
			return rc;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->next_index = 5;
	for (i = 0; i < 4 && rc == 0; i++) {
		const struct mlvm_mbr_entry *e = &mbr->e[i];

		if (e->n_sectors != 0 && mlvm_mbr_type_is_extended(e->type))
			rc = ebr_chain(s, e->start_lba, e->n_sectors, w, t, r);
	}
	free(w);
	return rc;
}

/* ---------------------------------------------------------------- GPT */

int mlvm_gpt_header_parse(const uint8_t *buf, size_t len, uint64_t lba,
			  struct mlvm_gpt_header *h, struct mlvm_report *r,
			  const char *image)
{
	uint64_t at = lba <= UINT64_MAX / SEC ? lba * SEC : UINT64_MAX;
	uint8_t tmp[SEC];
	bool fatal = false, damaged = false;

	memset(h, 0, sizeof(*h));
	if (len < MLVM_GPT_SIGNATURE_LEN ||
	    memcmp(buf + MLVM_GPT_SIGNATURE_OFF, GPT_SIGNATURE, MLVM_GPT_SIGNATURE_LEN))
		return -ENOENT;
	if (len < GPT_HEADER_MIN) {
		mlvm_warn(r, "gpt_header_short", image, at,
			  "gpt header at lba %llu is cut short (%zu bytes)",
			  (unsigned long long)lba, len);
		return -EINVAL;
	}
	h->revision = mlvm_le32(buf + MLVM_GPT_REVISION_OFF);
	h->header_size = mlvm_le32(buf + MLVM_GPT_HEADER_SIZE_OFF);
	h->crc_stored = mlvm_le32(buf + MLVM_GPT_CRC_OFF);
	h->my_lba = mlvm_le64(buf + MLVM_GPT_MY_LBA_OFF);
	h->alternate_lba = mlvm_le64(buf + MLVM_GPT_ALTERNATE_LBA_OFF);
	h->first_usable_lba = mlvm_le64(buf + MLVM_GPT_FIRST_USABLE_OFF);
	h->last_usable_lba = mlvm_le64(buf + MLVM_GPT_LAST_USABLE_OFF);
	mlvm_guid_format(buf + MLVM_GPT_DISK_GUID_OFF, h->disk_guid);
	h->entries_lba = mlvm_le64(buf + MLVM_GPT_ENTRIES_LBA_OFF);
	h->n_entries = mlvm_le32(buf + MLVM_GPT_N_ENTRIES_OFF);
	h->entry_size = mlvm_le32(buf + MLVM_GPT_ENTRY_SIZE_OFF);
	h->entries_crc = mlvm_le32(buf + MLVM_GPT_ENTRIES_CRC_OFF);

	if (h->revision != GPT_REVISION_1_0)
		mlvm_notice(r, "gpt_revision", image, at + MLVM_GPT_REVISION_OFF,
			    "gpt header at lba %llu has revision 0x%08x, not 1.0",
			    (unsigned long long)lba, h->revision);
	/* header size: bounded by the sector and by what we were given */
	if (h->header_size < GPT_HEADER_MIN || h->header_size > SEC ||
	    h->header_size > len) {
		mlvm_warn(r, "gpt_header_size", image, at + MLVM_GPT_HEADER_SIZE_OFF,
			  "gpt header at lba %llu states size %u (must be %u..%u)",
			  (unsigned long long)lba, h->header_size, GPT_HEADER_MIN,
			  (unsigned)(len < SEC ? len : SEC));
		return -EINVAL;
	}
	memcpy(tmp, buf, h->header_size);
	memset(tmp + MLVM_GPT_CRC_OFF, 0, 4);
	h->crc_computed = (uint32_t)crc32(0, tmp, h->header_size);
	h->crc_ok = h->crc_computed == h->crc_stored;
	if (!h->crc_ok) {
		damaged = true;
		mlvm_warn(r, "gpt_header_crc", image, at + MLVM_GPT_CRC_OFF,
			  "gpt header crc mismatch at lba %llu: stored 0x%08x, computed 0x%08x",
			  (unsigned long long)lba, h->crc_stored, h->crc_computed);
	}
	h->my_lba_ok = h->my_lba == lba;
	if (!h->my_lba_ok) {
		damaged = true;
		mlvm_warn(r, "gpt_my_lba", image, at + MLVM_GPT_MY_LBA_OFF,
			  "gpt header at lba %llu says it is at lba %llu",
			  (unsigned long long)lba, (unsigned long long)h->my_lba);
	}
	if (h->entry_size < GPT_ENTRY_MIN || h->entry_size % 8 ||
	    h->entry_size > MLVM_GPT_MAX_ENTRY_SIZE) {
		fatal = true;
		mlvm_warn(r, "gpt_entry_size", image, at + MLVM_GPT_ENTRY_SIZE_OFF,
			  "gpt header at lba %llu states entry size %u (must be a multiple of 8, %u..%u)",
			  (unsigned long long)lba, h->entry_size, GPT_ENTRY_MIN,
			  MLVM_GPT_MAX_ENTRY_SIZE);
	}
	if (h->n_entries > MLVM_GPT_MAX_ENTRIES) {
		fatal = true;
		mlvm_warn(r, "gpt_entry_count", image, at + MLVM_GPT_N_ENTRIES_OFF,
			  "gpt header at lba %llu states %u %s (at most %u read)",
			  (unsigned long long)lba, h->n_entries,
			  mlvm_plural(h->n_entries, "entry", "entries"), MLVM_GPT_MAX_ENTRIES);
	}
	if (!fatal) {
		if (!mlvm_mul_ok(h->n_entries, h->entry_size, &h->array_bytes) ||
		    h->array_bytes > MLVM_GPT_MAX_ARRAY) {
			fatal = true;
			mlvm_warn(r, "gpt_array_size", image, at + MLVM_GPT_N_ENTRIES_OFF,
				  "gpt entry array at lba %llu would be %u x %u bytes (at most %u read)",
				  (unsigned long long)lba, h->n_entries, h->entry_size,
				  MLVM_GPT_MAX_ARRAY);
		}
	}
	if (h->first_usable_lba > h->last_usable_lba)
		mlvm_warn(r, "gpt_usable_lbas", image, at + MLVM_GPT_FIRST_USABLE_OFF,
			  "gpt header at lba %llu: first usable lba %llu is after last usable lba %llu",
			  (unsigned long long)lba, (unsigned long long)h->first_usable_lba,
			  (unsigned long long)h->last_usable_lba);
	if (h->entries_lba > UINT64_MAX / SEC) {
		fatal = true;
		mlvm_warn(r, "gpt_entries_lba", image, at + MLVM_GPT_ENTRIES_LBA_OFF,
			  "gpt header at lba %llu: entries lba %llu is out of any disk",
			  (unsigned long long)lba, (unsigned long long)h->entries_lba);
	} else if (!fatal && h->entries_lba <= lba &&
		   lba - h->entries_lba < (h->array_bytes + SEC - 1) / SEC) {
		mlvm_warn(r, "gpt_entries_lba", image, at + MLVM_GPT_ENTRIES_LBA_OFF,
			  "gpt header at lba %llu: its entry array (lba %llu) covers the header",
			  (unsigned long long)lba, (unsigned long long)h->entries_lba);
	}
	h->usable = !fatal;
	return fatal ? -EINVAL : damaged ? -EBADMSG : 0;
}

static bool guid_is_zero(const uint8_t *g)
{
	unsigned i;

	for (i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

int mlvm_gpt_entries_parse(const uint8_t *buf, size_t len,
			   const struct mlvm_gpt_header *h, uint64_t image_size,
			   struct mlvm_partition_table *t, struct mlvm_report *r,
			   const char *image)
{
	uint64_t base = h->entries_lba <= UINT64_MAX / SEC ? h->entries_lba * SEC : UINT64_MAX;
	uint32_t i;
	int rc;

	t->scheme = MLVM_PART_GPT;
	if (!h->usable || h->entry_size < GPT_ENTRY_MIN)
		return 0;
	for (i = 0; i < h->n_entries; i++) {
		size_t pos = (size_t)i * h->entry_size;	/* <= MLVM_GPT_MAX_ARRAY */
		const uint8_t *e;
		uint64_t first, last, sectors;
		struct mlvm_partition p;

		if (pos > len || h->entry_size > len - pos)
			break;
		e = buf + pos;
		if (guid_is_zero(e + MLVM_GPT_E_TYPE_GUID_OFF))
			continue;
		memset(&p, 0, sizeof(p));
		p.scheme = MLVM_PART_GPT;
		p.index = i + 1;
		p.entry_offset = off_add(base, pos);
		first = mlvm_le64(e + MLVM_GPT_E_FIRST_LBA_OFF);
		last = mlvm_le64(e + MLVM_GPT_E_LAST_LBA_OFF);
		if (first > last) {
			mlvm_warn(r, "gpt_entry_range", image, off_add(p.entry_offset, MLVM_GPT_E_FIRST_LBA_OFF),
				  "gpt entry %u: first lba %llu is after last lba %llu: ignored",
				  p.index, (unsigned long long)first, (unsigned long long)last);
			continue;
		}
		if (first < h->first_usable_lba || last > h->last_usable_lba)
			mlvm_warn(r, "gpt_entry_usable", image, off_add(p.entry_offset, MLVM_GPT_E_FIRST_LBA_OFF),
				  "gpt entry %u (lba %llu..%llu) is outside the usable lbas %llu..%llu",
				  p.index, (unsigned long long)first, (unsigned long long)last,
				  (unsigned long long)h->first_usable_lba,
				  (unsigned long long)h->last_usable_lba);
		if (!mlvm_mul_ok(first, SEC, &p.start)) {
			mlvm_warn(r, "part_outside", image, off_add(p.entry_offset, MLVM_GPT_E_FIRST_LBA_OFF),
				  "gpt entry %u starts at lba %llu, beyond any disk: ignored",
				  p.index, (unsigned long long)first);
			continue;
		}
		sectors = last - first;
		if (!mlvm_add_ok(sectors, 1, &sectors) || !mlvm_mul_ok(sectors, SEC, &p.size_stated))
			p.size_stated = UINT64_MAX;
		mlvm_guid_format(e, p.type_guid);
		mlvm_guid_format(e + MLVM_GPT_E_GUID_OFF, p.guid);
		mlvm_utf16le_to_utf8(e + GPT_NAME_AT, MLVM_GPT_NAME_UNITS, p.name);
		p.lvm_type = !strcmp(p.type_guid, MLVM_GPT_LVM_GUID);
		rc = add_part(t, &p, image_size, r, image);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* one GPT copy: its header and entry array as read from the image */
struct gpt_copy {
	uint64_t lba;
	int rc;			/* of mlvm_gpt_header_parse; -ENOENT when not read */
	struct mlvm_gpt_header h;
	uint8_t *array;
	size_t array_len;
	bool entries_ok;	/* complete and its crc matches */
};

static int gpt_copy_read(struct mlvm_source *s, uint64_t lba, struct gpt_copy *c,
			 struct mlvm_report *r)
{
	uint8_t sec[SEC];
	uint64_t off;
	int rc;

	memset(c, 0, sizeof(*c));
	c->lba = lba;
	c->rc = -ENOENT;
	if (lba > UINT64_MAX / SEC || !mlvm_range_ok(s->size, lba * SEC, SEC))
		return 0;
	rc = mlvm_source_read(s, sec, SEC, lba * SEC);
	if (rc < 0)
		return rc;
	c->rc = mlvm_gpt_header_parse(sec, SEC, lba, &c->h, r, s->name);
	if (c->rc != 0 && c->rc != -EBADMSG)
		return 0;

	off = c->h.entries_lba * SEC;	/* checked by the parser */
	if (off >= s->size) {
		mlvm_warn(r, "gpt_entries_outside", s->name, lba * SEC + MLVM_GPT_ENTRIES_LBA_OFF,
			  "gpt entry array of the header at lba %llu (lba %llu) lies past the image end",
			  (unsigned long long)lba, (unsigned long long)c->h.entries_lba);
		return 0;
	}
	c->array_len = (size_t)(c->h.array_bytes < s->size - off ? c->h.array_bytes
								 : s->size - off);
	if (c->array_len < c->h.array_bytes)
		mlvm_warn(r, "gpt_entries_truncated", s->name, off,
			  "gpt entry array at lba %llu is cut short by the image end: %zu of %llu bytes, crc not checked",
			  (unsigned long long)c->h.entries_lba, c->array_len,
			  (unsigned long long)c->h.array_bytes);
	if (c->array_len == 0) {
		c->entries_ok = c->h.array_bytes == 0;
		return 0;
	}
	c->array = malloc(c->array_len);	/* <= MLVM_GPT_MAX_ARRAY */
	if (!c->array)
		return -ENOMEM;
	rc = mlvm_source_read(s, c->array, c->array_len, off);
	if (rc < 0)
		return rc;
	if (c->array_len == c->h.array_bytes) {
		uint32_t crc = (uint32_t)crc32(0, c->array, (uInt)c->array_len);

		c->entries_ok = crc == c->h.entries_crc;
		if (!c->entries_ok)
			mlvm_warn(r, "gpt_entries_crc", s->name, off,
				  "gpt entry array crc mismatch at lba %llu: header says 0x%08x, computed 0x%08x",
				  (unsigned long long)c->h.entries_lba, c->h.entries_crc, crc);
	}
	return 0;
}

/* 0 when unusable; higher is better: a sound header, then a sound array */
static int gpt_copy_score(const struct gpt_copy *c)
{
	if (c->rc != 0 && c->rc != -EBADMSG)
		return 0;
	return 1 + (c->rc == 0 ? 2 : 0) + (c->entries_ok ? 1 : 0);
}

static bool has_gpt_signature(struct mlvm_source *s, uint64_t off)
{
	uint8_t sig[MLVM_GPT_SIGNATURE_LEN];

	return mlvm_range_ok(s->size, off, sizeof(sig)) &&
	       mlvm_source_read(s, sig, sizeof(sig), off + MLVM_GPT_SIGNATURE_OFF) == 0 &&
	       !memcmp(sig, GPT_SIGNATURE, sizeof(sig));
}

/*
 * Read the primary GPT at LBA 1 and the backup (at the primary's alternate
 * LBA, else the last LBA) and use the better: 0 with t filled, -ENOENT when
 * neither is usable, or a negative errno.
 */
static int gpt_read(struct mlvm_source *s, struct mlvm_partition_table *t,
		    struct mlvm_report *r)
{
	uint64_t last_lba = s->size / SEC - 1;	/* the caller checked size >= SEC */
	struct gpt_copy pri, bak;
	const struct gpt_copy *use = NULL;
	uint64_t bak_lba = last_lba;
	int rc, sp, sb;

	memset(&bak, 0, sizeof(bak));
	bak.rc = -ENOENT;
	rc = gpt_copy_read(s, 1, &pri, r);
	if (rc < 0)
		goto out;
	if (pri.rc != -ENOENT && pri.h.alternate_lba > 1 && pri.h.alternate_lba <= last_lba)
		bak_lba = pri.h.alternate_lba;
	if (bak_lba > 1) {
		rc = gpt_copy_read(s, bak_lba, &bak, r);
		if (rc < 0)
			goto out;
		if (bak.rc == -ENOENT && bak_lba != last_lba) {
			free(bak.array);
			bak_lba = last_lba;
			rc = gpt_copy_read(s, bak_lba, &bak, r);
			if (rc < 0)
				goto out;
		}
	}
	sp = gpt_copy_score(&pri);
	sb = gpt_copy_score(&bak);
	if (sp > 0 && sp >= sb)
		use = &pri;
	else if (sb > 0)
		use = &bak;

	if (use == &pri && bak.rc == -ENOENT)
		mlvm_warn(r, "gpt_backup_missing", s->name, bak_lba * SEC,
			  "no backup gpt header at lba %llu (the image may be truncated)",
			  (unsigned long long)bak_lba);
	if (use == &pri && pri.rc != -ENOENT && pri.h.alternate_lba != last_lba)
		mlvm_notice(r, "gpt_alternate_lba", s->name, SEC + MLVM_GPT_ALTERNATE_LBA_OFF,
			    "primary gpt places its backup at lba %llu, the image's last lba is %llu",
			    (unsigned long long)pri.h.alternate_lba,
			    (unsigned long long)last_lba);
	if (use == &bak) {
		t->gpt_backup_used = true;
		mlvm_warn(r, "gpt_backup_used", s->name, bak.lba * SEC,
			  "primary gpt is %s: using the backup gpt at lba %llu",
			  pri.rc == -ENOENT ? "missing" : "damaged",
			  (unsigned long long)bak.lba);
	}
	if (use && gpt_copy_score(use) != 4)
		mlvm_warn(r, "gpt_damaged", s->name, use->lba * SEC,
			  "no sound gpt copy: using the damaged one at lba %llu",
			  (unsigned long long)use->lba);
	if (!use) {
		if (pri.rc != -ENOENT || bak.rc != -ENOENT)
			mlvm_warn(r, "gpt_unusable", s->name, pri.rc != -ENOENT ? SEC : bak_lba * SEC,
				  "gpt headers found but none usable");
		rc = -ENOENT;
		goto out;
	}
	rc = mlvm_gpt_entries_parse(use->array, use->array_len, &use->h, s->size, t, r,
				    s->name);
out:
	free(pri.array);
	free(bak.array);
	return rc;
}

/* ------------------------------------------------------------ checks */

struct extent {
	uint64_t start, end;
	unsigned index;
};

static int extent_cmp(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* report partitions whose stated extents overlap (extended containers,
 * which hold their logicals, are left out) */
static int check_overlaps(const struct mlvm_partition_table *t, struct mlvm_report *r,
			  const char *image)
{
	struct extent *x, far = { 0, 0, 0 };
	size_t i, n = 0;

	if (t->n < 2)
		return 0;
	x = calloc(t->n, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const struct mlvm_partition *p = &t->parts[i];

		if (p->extended || p->size_stated == 0)
			continue;
		x[n].start = p->start;
		x[n].end = off_add(p->start, p->size_stated);
		x[n].index = p->index;
		n++;
	}
	qsort(x, n, sizeof(*x), extent_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && x[i].start < far.end)
			mlvm_warn(r, "part_overlap", image, (int64_t)x[i].start,
				  "partitions %u and %u overlap at byte %llu",
				  far.index, x[i].index, (unsigned long long)x[i].start);
		if (x[i].end > far.end)
			far = x[i];
	}
	free(x);
	return 0;
}

int mlvm_partitions_read(struct mlvm_source *s, struct mlvm_partition_table *out,
			 struct mlvm_report *r)
{
	uint8_t sec[SEC];
	struct mlvm_mbr mbr;
	bool mbr_sig, gpt_tried = false;
	int rc;

	memset(out, 0, sizeof(*out));
	out->scheme = MLVM_PART_MBR;
	if (s->size < SEC) {
		mlvm_notice(r, "part_short_image", s->name, 0,
			    "image is %llu bytes, shorter than one sector: no partition table",
			    (unsigned long long)s->size);
		return 0;
	}
	rc = mlvm_source_read(s, sec, SEC, 0);
	if (rc < 0)
		return rc;
	mbr_sig = mlvm_mbr_parse(sec, &mbr) == 0;

	if (mbr_sig && mbr.protective) {
		gpt_tried = true;
		rc = gpt_read(s, out, r);
		if (rc == -ENOENT) {
			mlvm_warn(r, "gpt_missing", s->name, SEC,
				  "protective mbr (type 0xee) but no usable gpt");
			mlvm_partitions_free(out);
			memset(out, 0, sizeof(*out));
			rc = mbr_read(s, &mbr, out, r);	/* a hybrid MBR's other entries */
		}
	} else if (mbr_sig && mbr.status_ok &&
		   (mbr.e[0].n_sectors || mbr.e[1].n_sectors || mbr.e[2].n_sectors ||
		    mbr.e[3].n_sectors)) {
		rc = mbr_read(s, &mbr, out, r);
		if (rc == 0 && has_gpt_signature(s, SEC))
			mlvm_notice(r, "gpt_ignored", s->name, SEC,
				    "gpt header at lba 1 ignored: the mbr has no protective entry");
	} else {
		gpt_tried = true;
		rc = gpt_read(s, out, r);
		if (rc == 0) {
			mlvm_warn(r, "gpt_no_pmbr", s->name, 0,
				  "gpt found without a protective mbr");
		} else if (rc == -ENOENT) {
			rc = 0;
			memset(out, 0, sizeof(*out));
			out->scheme = MLVM_PART_MBR;
			if (mbr_sig && !mbr.status_ok)
				mlvm_notice(r, "mbr_status", s->name, MBR_ENTRIES_AT,
					    "sector 0 has the 0x55aa signature but invalid status bytes: not a partition table");
		}
	}
	if (rc == 0 && out->n == 0 && gpt_tried && has_gpt_signature(s, 4096))
		mlvm_warn(r, "gpt_sector_size", s->name, 4096,
			  "gpt header at byte 4096: a disk with 4096-byte sectors, not read");
	if (rc == 0)
		rc = check_overlaps(out, r, s->name);
	if (rc < 0) {
		mlvm_partitions_free(out);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}
