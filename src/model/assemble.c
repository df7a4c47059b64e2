/*
 * assemble.c - from images to volume groups.
 *
 * 1. every image: the label in sectors 0..3 at offset 0 and at the start of
 *    every partition (MBR, GPT); when none is found there (or always, with
 *    opts.deep) a scan of every sector for labels, metadata area headers
 *    and metadata text finds PVs at any offset, and PVs whose label is gone;
 * 2. every metadata area: its header and committed slot, the slot's text
 *    checked against its CRC, and the VG name, id and seqno read from the
 *    first bytes of the text; areas whose committed copy is unusable (and
 *    every area, with opts.carve) are carved for older generations;
 * 3. per VG id: the best copy is read in full and turned into the model.
 *    Like LVM2, the committed copy with the highest seqno whose checksum is
 *    good and whose text parses; when there is none (damage), the newest
 *    intact generation found in the rings, with a warning that says which
 *    seqno was used and why. Disagreeing copies are reported;
 * 4. the VG's PVs are matched to the PVs found, by uuid; a PV whose label is
 *    gone gets its uuid from the text (the PV section whose sizes fit).
 */
#include "model/assemble.h"
#include "model/vgspec.h"
#include "base/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "text/carve.h"
#include "text/config.h"
#include "disk/crc.h"
#include "model/deep.h"
#include "disk/scan.h"
#include "io/magic.h"
#include "base/util.h"

#define PEEK_BYTES 4096u
#define MAX_DEVS 4096u		/* PVs found in one set, at most */
#define DEFAULT_MDA_OFFSET 4096u	/* where LVM2 puts the first metadata area */
#define TEXT_PROBE_MAX (16u << 20)	/* bytes read to size a header-less area */
#define DESCRIBE_BYTES (128u * 1024)	/* bytes libmagic names an image without a PV by */

struct mlvm_set *mlvm_set_new(const struct mlvm_open_opts *opts)
{
	struct mlvm_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	mlvm_report_init(&set->report);
	if (opts)
		set->opts = *opts;
	if (set->opts.want_generation)
		set->opts.carve = true;
	return set;
}

int mlvm_set_add_source(struct mlvm_set *set, struct mlvm_source *src)
{
	struct mlvm_source **p = realloc(set->srcs, (set->n_srcs + 1) * sizeof(*p));

	if (!p) {
		mlvm_source_close(src);
		return -ENOMEM;
	}
	set->srcs = p;
	set->srcs[set->n_srcs++] = src;
	return 0;
}

int mlvm_set_add_path(struct mlvm_set *set, const char *path)
{
	struct mlvm_source *src;
	struct mlvm_report why;
	int rc;

	mlvm_report_init(&why);
	rc = mlvm_source_open(path, 0, &src, &why);
	if (rc)
		mlvm_error(&set->report, "open", path, -1, "cannot open %s: %s", path,
			   mlvm_source_open_error(&why, rc));
	mlvm_report_free(&why);
	return rc ? rc : mlvm_set_add_source(set, src);
}

const char *mlvm_set_open_message(const struct mlvm_set *set, const char *path, int rc,
				  char *buf, size_t len)
{
	const char *msg = mlvm_report_last_message(&set->report, "open");

	if (msg)
		return msg;
	snprintf(buf, len, "cannot open %s: %s", path, strerror(rc < 0 ? -rc : rc));
	return buf;
}

void mlvm_set_free(struct mlvm_set *set)
{
	size_t i;
	unsigned k;

	if (!set)
		return;
	for (i = 0; i < set->n_views; i++)
		mlvm_source_close(set->views[i]);
	free(set->views);
	/* last first: a source over an LV (nested) reads through the VGs
	 * and sources before it */
	for (i = set->n_srcs; i-- > 0;)
		mlvm_source_close(set->srcs[i]);
	free(set->srcs);
	for (i = 0; i < set->n_vgs; i++)
		mlvm_vg_free(set->vgs[i]);
	free(set->vgs);
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++) {
			free(set->devs[i].mda[k].gens);
			free(set->devs[i].mda[k].text);
		}
	free(set->devs);
	for (i = 0; i < set->n_loose; i++) {
		mlvm_loose_clear(set->loose[i]);
		free(set->loose[i]);
	}
	free(set->loose);
	mlvm_set_deep_free(set);
	if (set->tables)
		for (i = 0; i < set->n_probed; i++)
			mlvm_partitions_free(&set->tables[i]);
	free(set->tables);
	mlvm_report_free(&set->report);
	free(set);
}

/* ------------------------------------------------------------ helpers */

static void raw_uuid_strip(const char *in, char out[33])
{
	size_t o = 0;

	for (; *in && o < 32; in++)
		if (*in != '-')
			out[o++] = *in;
	out[o] = '\0';
}

static const char *dev_where(const struct mlvm_pvdev *d, char *buf, size_t len)
{
	char uuid[39];

	if (d->uuid[0])
		mlvm_uuid_format(d->uuid, strlen(d->uuid), uuid);
	else
		snprintf(uuid, sizeof(uuid), "uuid unknown");
	if (d->base)
		snprintf(buf, len, "%s (pv %s at byte %llu)", d->src->name, uuid,
			 (unsigned long long)d->base);
	else
		snprintf(buf, len, "%s (pv %s)", d->src->name, uuid);
	return buf;
}

static struct mlvm_source *shifted_view(struct mlvm_set *set, struct mlvm_source *src)
{
	struct mlvm_source **p, *v;
	size_t i;

	for (i = 0; i < set->n_views; i++)
		if (set->views[i]->priv == src)
			return set->views[i];
	v = mlvm_source_shifted(src);
	if (!v)
		return NULL;
	p = realloc(set->views, (set->n_views + 1) * sizeof(*p));
	if (!p) {
		mlvm_source_close(v);
		return NULL;
	}
	set->views = p;
	set->views[set->n_views++] = v;
	return v;
}

static struct mlvm_pvdev *dev_at(struct mlvm_set *set, const struct mlvm_source *src, uint64_t base)
{
	size_t i;

	for (i = 0; i < set->n_devs; i++)
		if (set->devs[i].src == src && set->devs[i].base == base)
			return &set->devs[i];
	return NULL;
}

/* the PV whose metadata area (or PV header area) holds absolute offset off */
static bool inside_known(const struct mlvm_set *set, const struct mlvm_source *src, uint64_t off)
{
	size_t i;
	unsigned k;

	for (i = 0; i < set->n_devs; i++) {
		const struct mlvm_pvdev *d = &set->devs[i];

		if (d->src != src)
			continue;
		if (off >= d->base && off - d->base < DEFAULT_MDA_OFFSET)
			return true;
		for (k = 0; k < d->n_mda; k++)
			if (off >= d->mda[k].abs && off - d->mda[k].abs < d->mda[k].size)
				return true;
	}
	return false;
}

/* one pointer into the devs array that was at old, moved to where it is now */
static const struct mlvm_pvdev *rebased(const struct mlvm_set *set, const struct mlvm_pvdev *d,
					uintptr_t old)
{
	uintptr_t u = (uintptr_t)d, end = old + set->n_devs * sizeof(*set->devs);

	if (!d || u < old || u >= end)
		return d;
	return &set->devs[(u - old) / sizeof(*set->devs)];
}

/*
 * The devs array moved (a later round of assembly found more PVs, inside
 * LVs): the VGs assembled so far point into it.
 */
static void rebase_devs(struct mlvm_set *set, uintptr_t old)
{
	size_t v;
	uint32_t i, k;

	for (v = 0; v < set->n_vgs; v++)
		for (i = 0; i < set->vgs[v]->n_pvs; i++) {
			struct mlvm_pv *pv = &set->vgs[v]->pvs[i];

			pv->dev = rebased(set, pv->dev, old);
			for (k = 0; k < pv->n_others; k++)
				pv->others[k] = rebased(set, pv->others[k], old);
		}
}

static struct mlvm_pvdev *new_dev(struct mlvm_set *set, struct mlvm_source *src, uint64_t base)
{
	struct mlvm_pvdev *p, *d;
	uintptr_t old;

	if (set->n_devs >= MAX_DEVS) {
		mlvm_warn(&set->report, "too_many_pvs", src->name, (int64_t)base,
			  "more than %u PVs found; the rest are not read", MAX_DEVS);
		return NULL;
	}
	old = (uintptr_t)set->devs;
	p = realloc(set->devs, (set->n_devs + 1) * sizeof(*p));
	if (!p)
		return NULL;
	set->devs = p;
	if (old && old != (uintptr_t)p)
		rebase_devs(set, old);
	d = &set->devs[set->n_devs++];
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->meta = src;
	d->base = base;
	d->vg_index = -1;
	return d;
}

static const struct mlvm_partition *partition_of(const struct mlvm_set *set, size_t si, uint64_t off)
{
	const struct mlvm_partition_table *t;
	size_t i;

	if (!set->tables)
		return NULL;
	t = &set->tables[si];
	for (i = 0; i < t->n; i++)
		if (!t->parts[i].extended && off >= t->parts[i].start &&
		    off - t->parts[i].start < t->parts[i].size)
			return &t->parts[i];
	return NULL;
}

/* ------------------------------------------------------------ metadata areas */

/* read the VG name, id and seqno from the first bytes of a copy */
static void peek_text(struct mlvm_source *s, const struct mlvm_ring_span *sp,
		      struct mlvm_mda_info *m)
{
	struct mlvm_ring_span head = *sp;
	struct cfg_tree *tree = NULL;
	const struct cfg_node *n;
	const char *id;
	int64_t seq;
	char *buf;

	if (head.size > PEEK_BYTES)
		head.size = PEEK_BYTES;
	if (mlvm_ring_read(s, &head, &buf))
		return;
	if (cfg_parse_lenient(buf, (size_t)head.size, &tree, NULL, NULL, -1) < 0) {
		free(buf);
		return;
	}
	for (n = cfg_child(tree->root); n; n = cfg_next(n)) {
		if (cfg_type(n) != CFG_SECTION || cfg_get_str(n, "id", &id))
			continue;
		snprintf(m->vg_name, sizeof(m->vg_name), "%s", cfg_key(n));
		snprintf(m->vg_id, sizeof(m->vg_id), "%s", id);
		if (!cfg_get_int(n, "seqno", &seq) && seq >= 0) {
			m->seqno = (uint64_t)seq;
			m->peek_ok = true;
		}
		break;
	}
	cfg_free(tree);
}

static struct mlvm_ring_span committed_span(const struct mlvm_mda_info *m)
{
	struct mlvm_ring_span sp = {
		.area_abs = m->abs,
		.area_size = m->hdr.size,
		.off = m->hdr.rl[0].offset,
		.size = m->hdr.rl[0].size,
	};

	return sp;
}

uint64_t mlvm_ring_keep_min = 4u << 20;

/* is a copy of m's committed text (the same stored checksum and size)
 * kept already, by another area? */
static bool text_kept_elsewhere(const struct mlvm_set *set, const struct mlvm_mda_info *m)
{
	size_t i;
	unsigned k;

	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++) {
			const struct mlvm_mda_info *o = &set->devs[i].mda[k];

			if (o != m && o->text && o->hdr.rl[0].checksum == m->hdr.rl[0].checksum &&
			    o->hdr.rl[0].size == m->hdr.rl[0].size)
				return true;
		}
	return false;
}

/* the texts kept by the probe that no load took: dropped once a pass of
 * assembly is over, so none outlives it (the image may be written next) */
static void drop_kept_texts(struct mlvm_set *set)
{
	size_t i;
	unsigned k;

	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++) {
			free(set->devs[i].mda[k].text);
			set->devs[i].mda[k].text = NULL;
		}
}

static void probe_mda(struct mlvm_set *set, struct mlvm_pvdev *d, unsigned i)
{
	struct mlvm_mda_info *m = &d->mda[i];
	struct mlvm_report *r = &set->report;
	const char *img = d->src->name;
	uint8_t hb[MLVM_MDA_HEADER_SIZE];
	struct mlvm_ring_span sp;
	const char *why;
	uint32_t crc;
	int rc;

	if (mlvm_source_read(d->meta, hb, sizeof(hb), m->abs)) {
		mlvm_warn(r, "mda_outside", img, m->abs,
			  "metadata area %d at offset %llu lies outside the image", m->index,
			  (unsigned long long)m->abs);
		return;
	}
	m->header_read = true;
	mlvm_mda_header_parse(hb, m->abs - d->base, &m->hdr);
	if (!m->hdr.magic_ok)
		mlvm_warn(r, m->hdr.journalled ? "mda_journalled" : "mda_magic", img, m->abs + 4,
			  m->hdr.journalled ?
			  "metadata area %d header has the xenvm journalled magic \"JOURNALLED!1!1!!\"" :
			  "metadata area %d header has a bad magic", m->index);
	if (!m->hdr.crc_ok)
		mlvm_warn(r, "mda_crc", img, m->abs,
			  "metadata area %d header crc mismatch: stored 0x%08x, computed 0x%08x",
			  m->index, m->hdr.crc_stored, m->hdr.crc_computed);
	if (!m->hdr.version_ok)
		mlvm_warn(r, "mda_version", img, m->abs + 20,
			  "metadata area %d header version is %u, not 1", m->index, m->hdr.version);
	if (!m->hdr.start_ok)
		mlvm_warn(r, "mda_start", img, m->abs + 24,
			  "metadata area %d header says it starts at %llu, but it is at %llu",
			  m->index, (unsigned long long)m->hdr.start,
			  (unsigned long long)(m->abs - d->base));
	if (!m->hdr.size_ok)
		mlvm_warn(r, "mda_size", img, m->abs + 32,
			  "metadata area %d header size %llu is too small", m->index,
			  (unsigned long long)m->hdr.size);
	else if (m->hdr.size != m->size && m->size)
		mlvm_warn(r, "mda_size", img, m->abs + 32,
			  "metadata area %d header size %llu differs from the label's %llu",
			  m->index, (unsigned long long)m->hdr.size,
			  (unsigned long long)m->size);
	if (!m->size && m->hdr.size_ok && m->hdr.magic_ok)
		m->size = m->hdr.size;
	m->header_ok = mlvm_mda_header_ok(&m->hdr);
	if (!m->header_ok) {
		mlvm_warn(r, "mda_header", img, m->abs,
			  set->opts.strict ?
			  "metadata area %d header is not usable (--strict: its text is not read)" :
			  "metadata area %d header is not usable; its ring is searched for metadata instead",
			  m->index);
		return;
	}
	if (m->hdr.rl[1].offset || m->hdr.rl[1].size)
		mlvm_warn(r, "mda_precommitted", img, m->abs + 64,
			  "metadata area %d has a precommitted copy (offset %llu, size %llu): a command died between precommit and commit",
			  m->index, (unsigned long long)m->hdr.rl[1].offset,
			  (unsigned long long)m->hdr.rl[1].size);
	m->ignored = m->hdr.rl[0].flags & MLVM_RAW_LOCN_IGNORED;
	if (m->ignored) {
		mlvm_notice(r, "mda_ignored", img, m->abs + 40,
			    "metadata area %d is marked ignored", m->index);
		return;
	}
	if (m->hdr.rl[0].offset == 0 && m->hdr.rl[0].size == 0)
		return;		/* no VG: a fresh PV or a removed VG */
	sp = committed_span(m);
	if (mlvm_ring_check(&sp, d->src->size, &why)) {
		mlvm_warn(r, "mda_locn", img, m->abs + 40,
			  "metadata area %d committed slot (offset %llu, size %llu): %s",
			  m->index, (unsigned long long)sp.off, (unsigned long long)sp.size, why);
		return;
	}
	m->has_text = true;
	if (sp.size >= mlvm_ring_keep_min && !text_kept_elsewhere(set, m))
		rc = mlvm_ring_read_crc(d->meta, &sp, &m->text, &crc);
	else
		rc = mlvm_ring_crc(d->meta, &sp, &crc);
	if (rc) {
		mlvm_warn(r, "text_read", img, m->abs + sp.off,
			  "cannot read metadata area %d text: %s", m->index, strerror(-rc));
		m->has_text = false;
		return;
	}
	m->text_crc_ok = crc == m->hdr.rl[0].checksum;
	if (!m->text_crc_ok) {	/* not loaded as it is: not kept */
		free(m->text);
		m->text = NULL;
	}
	peek_text(d->meta, &sp, m);
	if (!m->text_crc_ok)
		mlvm_warn(r, "text_crc", img, m->abs + sp.off,
			  "metadata area %d committed text%s%s%s crc mismatch: stored 0x%08x, computed 0x%08x",
			  m->index, m->peek_ok ? " (vg " : "", m->peek_ok ? m->vg_name : "",
			  m->peek_ok ? ")" : "", m->hdr.rl[0].checksum, crc);
}

/* carve one area for its generations (once) */
static void carve_mda(struct mlvm_set *set, struct mlvm_pvdev *d, struct mlvm_mda_info *m)
{
	int rc;

	if (m->carved || m->size < 2 * MLVM_MDA_HEADER_SIZE)
		return;
	m->carved = true;
	rc = mlvm_carve_source(d->meta, m->abs, m->size,
			       m->header_read && m->hdr.magic_ok ? &m->hdr : NULL,
			       &m->gens, &m->n_gens, &set->report);
	if (rc && rc != -ENOMEM)
		mlvm_warn(&set->report, "carve", d->src->name, m->abs,
			  "metadata area %d cannot be searched: %s", m->index, strerror(-rc));
}

/* ------------------------------------------------------------ discovery */

/* a PV whose label sits in sectors 0..3 from base; true when one was added */
static bool try_label_at(struct mlvm_set *set, size_t si, uint64_t base)
{
	struct mlvm_source *src = set->srcs[si];
	struct mlvm_report *r = &set->report;
	const struct mlvm_partition *part;
	struct mlvm_pvdev *d;
	struct mlvm_label lab;
	unsigned i;
	int rc;

	if (dev_at(set, src, base))
		return true;
	rc = mlvm_label_find_ex(src, base, set->opts.strict ? MLVM_LABEL_STRICT : 0, &lab, r);
	if (rc == -ENOENT)
		return false;
	if (rc) {
		mlvm_error(r, "read", src->name, (int64_t)base, "cannot read %s: %s", src->name, strerror(-rc));
		return false;
	}
	d = new_dev(set, src, base);
	if (!d)
		return false;
	d->found_by = MLVM_FOUND_LABEL;
	d->has_label = true;
	d->label = lab;
	memcpy(d->uuid, lab.pv_uuid, sizeof(d->uuid));
	if (lab.shifted)
		d->meta = shifted_view(set, src);
	if (!d->meta) {
		set->n_devs--;
		return false;
	}
	part = partition_of(set, si, base);
	if (part) {
		d->in_partition = true;
		d->part = *part;
	}
	if (base)
		mlvm_notice(r, "pv_offset", src->name, (int64_t)base,
			    "pv found at byte %llu of %s%s", (unsigned long long)base, src->name,
			    part ? " (in a partition)" : "");
	if (lab.device_size > src->size - base)
		mlvm_warn(r, "image_truncated", src->name,
			  (int64_t)(base + lab.sector * MLVM_SECTOR_SIZE + 64),
			  "label says the PV is %llu bytes, but the image holds only %llu: the image is cut short",
			  (unsigned long long)lab.device_size,
			  (unsigned long long)(src->size - base));
	for (i = 0; i < lab.n_mda && d->n_mda < MLVM_MAX_MDAS; i++) {
		struct mlvm_mda_info *m = &d->mda[d->n_mda];

		m->index = (int)d->n_mda + 1;
		m->size = lab.mda[i].size;
		if (!mlvm_add_ok(base, lab.mda[i].offset, &m->abs)) {
			mlvm_warn(r, "mda_outside", src->name,
				  (int64_t)(base + lab.sector * MLVM_SECTOR_SIZE),
				  "metadata area offset %llu is impossible",
				  (unsigned long long)lab.mda[i].offset);
			continue;
		}
		d->n_mda++;
		probe_mda(set, d, (unsigned)(d->n_mda - 1));
	}
	if (lab.n_mda > MLVM_MAX_MDAS)
		mlvm_warn(r, "label_lists", src->name, (int64_t)(base + lab.sector * MLVM_SECTOR_SIZE),
			  "label lists %u metadata areas; only the first %u are read",
			  lab.n_mda, MLVM_MAX_MDAS);
	return true;
}

/* a metadata area header found by the scan, where no label said it was */
static void found_mda_header(struct mlvm_set *set, size_t si, uint64_t off, bool shifted)
{
	struct mlvm_source *src = set->srcs[si], *meta = src;
	struct mlvm_mda_header h;
	struct mlvm_pvdev *d;
	struct mlvm_mda_info *m;
	uint8_t hb[MLVM_MDA_HEADER_SIZE];
	const struct mlvm_partition *part;
	uint64_t base;

	if (inside_known(set, src, off))
		return;
	if (shifted && !(meta = shifted_view(set, src)))
		return;
	if (mlvm_source_read(meta, hb, sizeof(hb), off))
		return;
	mlvm_mda_header_parse(hb, 0, &h);
	/* the header says where it is from the PV start; LVM2 puts mda1 at 4096 */
	base = h.start <= off && h.start < (1ULL << 40) && h.start % MLVM_SECTOR_SIZE == 0 ?
	       off - h.start : (off >= DEFAULT_MDA_OFFSET ? off - DEFAULT_MDA_OFFSET : 0);
	d = dev_at(set, src, base);
	if (d && (d->has_label || d->n_mda >= MLVM_MAX_MDAS))
		return;
	if (!d) {
		d = new_dev(set, src, base);
		if (!d)
			return;
		d->found_by = MLVM_FOUND_MDA;
		d->meta = meta;
		part = partition_of(set, si, base);
		if (part) {
			d->in_partition = true;
			d->part = *part;
		}
		mlvm_warn(&set->report, "pv_no_label", src->name, (int64_t)base,
			  "no label at byte %llu, but a metadata area header at byte %llu: a PV whose label is gone",
			  (unsigned long long)base, (unsigned long long)off);
	}
	m = &d->mda[d->n_mda];
	m->index = (int)d->n_mda + 1;
	m->abs = off;
	m->size = h.size_ok && mlvm_range_ok(src->size, off, h.size) ? h.size : 0;
	d->n_mda++;
	probe_mda(set, d, (unsigned)(d->n_mda - 1));
	if (!m->size)
		m->size = src->size - off < (1u << 20) ? src->size - off : (1u << 20);
}

/*
 * Metadata text in a ring whose header and label are gone. The area is
 * taken to start where LVM2 puts it (4096 bytes into the PV, the PV at the
 * image start or at the partition holding the text) and to end where the
 * text's PV section says the data starts.
 */
static void found_text(struct mlvm_set *set, size_t si, uint64_t off)
{
	struct mlvm_source *src = set->srcs[si];
	const struct mlvm_partition *part = partition_of(set, si, off);
	uint64_t base = part ? part->start : 0, end = 0, len;
	struct cfg_tree *tree = NULL;
	const struct cfg_node *n, *pvs, *pv;
	struct mlvm_pvdev *d;
	struct mlvm_mda_info *m;
	char *buf;

	if (inside_known(set, src, off) || off < base + DEFAULT_MDA_OFFSET + MLVM_MDA_HEADER_SIZE)
		return;
	len = src->size - off < TEXT_PROBE_MAX ? src->size - off : TEXT_PROBE_MAX;
	buf = malloc((size_t)len + 1);
	if (!buf)
		return;
	if (mlvm_source_read(src, buf, (size_t)len, off)) {
		free(buf);
		return;
	}
	buf[len] = '\0';
	if (cfg_parse_lenient(buf, (size_t)len, &tree, NULL, NULL, -1) < 0) {
		free(buf);
		return;
	}
	for (n = cfg_child(tree->root); n && !end; n = cfg_next(n)) {
		if (cfg_type(n) != CFG_SECTION || !(pvs = cfg_find_type(n, "physical_volumes", CFG_SECTION)))
			continue;
		for (pv = cfg_child(pvs); pv; pv = cfg_next(pv)) {
			int64_t pe_start;
			uint64_t e;

			if (cfg_type(pv) != CFG_SECTION || cfg_get_int(pv, "pe_start", &pe_start) ||
			    pe_start <= 0 || !mlvm_mul_ok((uint64_t)pe_start, MLVM_SECTOR_SIZE, &e) ||
			    !mlvm_add_ok(e, base, &e))
				continue;
			if (e > off && (!end || e < end))
				end = e;
		}
	}
	cfg_free(tree);
	if (!end || end > src->size)
		end = off + (1u << 20) < src->size ? off + (1u << 20) : src->size;
	d = new_dev(set, src, base);
	if (!d)
		return;
	d->found_by = MLVM_FOUND_TEXT;
	if (part) {
		d->in_partition = true;
		d->part = *part;
	}
	m = &d->mda[d->n_mda++];
	m->index = 1;
	m->abs = base + DEFAULT_MDA_OFFSET;
	m->size = end - m->abs;
	mlvm_warn(&set->report, "pv_no_label", src->name, (int64_t)off,
		  "metadata text at byte %llu with neither label nor metadata area header: "
		  "taking its ring to be bytes %llu-%llu",
		  (unsigned long long)off, (unsigned long long)m->abs,
		  (unsigned long long)(end - 1));
}

static int scan_source(struct mlvm_set *set, size_t si)
{
	struct mlvm_source *src = set->srcs[si];
	struct mlvm_scan_opts o = { .text = true };
	struct mlvm_deepcarver *dc = NULL;
	struct mlvm_hit *hits = NULL;
	size_t n = 0, i;
	bool truncated = false;
	int rc;

	/* --deep: the text carver reads along (model/deep.c) */
	if (set->opts.carve_anywhere && !src->inside && mlvm_set_deep_piece(set, src, &o, &dc) < 0)
		return -ENOMEM;
	rc = mlvm_scan_source(src, &o, &hits, &n, &truncated);
	if (dc && mlvm_set_deep_keep(set, si, dc) < 0) {
		free(hits);
		return -ENOMEM;
	}
	if (rc) {
		mlvm_warn(&set->report, "scan", src->name, -1, "cannot scan %s: %s",
			  src->name, strerror(-rc));
		return 0;
	}
	if (truncated)
		mlvm_warn(&set->report, "scan_truncated", src->name, -1,
			  "too many candidate sectors in %s; the scan stopped early", src->name);
	/* labels first, then headers, then text: each finds what the last missed */
	for (i = 0; i < n; i++) {
		uint8_t sec[MLVM_SECTOR_SIZE];
		struct mlvm_label lab;
		uint64_t k;

		if (hits[i].kind != MLVM_HIT_LABEL && hits[i].kind != MLVM_HIT_LABEL_SHIFTED)
			continue;
		if (mlvm_source_read(src, sec, sizeof(sec), hits[i].offset))
			continue;
		/* the sector it states, when plausible; LVM2 writes sector 1 */
		if (mlvm_label_parse(sec, 1, &lab, NULL, src->name, 0))
			continue;
		k = lab.sector_field < MLVM_LABEL_SCAN_SECTORS ? lab.sector_field : 1;
		if (hits[i].offset >= k * MLVM_SECTOR_SIZE)
			try_label_at(set, si, hits[i].offset - k * MLVM_SECTOR_SIZE);
	}
	if (!set->opts.strict) {
		for (i = 0; i < n; i++)
			if (hits[i].kind == MLVM_HIT_MDA || hits[i].kind == MLVM_HIT_MDA_SHIFTED ||
			    hits[i].kind == MLVM_HIT_MDA_JOURNALLED)
				found_mda_header(set, si, hits[i].offset,
						 hits[i].kind == MLVM_HIT_MDA_SHIFTED);
		for (i = 0; i < n; i++)
			if (hits[i].kind == MLVM_HIT_TEXT)
				found_text(set, si, hits[i].offset);
	}
	free(hits);
	return 0;
}

/*
 * What an image without a PV holds, as words to follow "no LVM2 physical
 * volume found in IMAGE": ": it is empty", " (libmagic: ext4 filesystem
 * data)", " (its first bytes are all zeros)", or "" when libmagic has
 * nothing to say ("data") or cannot be asked.
 */
static const char *describe_source(struct mlvm_source *src, char *out, size_t len)
{
	size_t n = src->size < DESCRIBE_BYTES ? (size_t)src->size : DESCRIBE_BYTES;
	char desc[256];
	void *buf;
	int rc;

	out[0] = '\0';
	if (src->size == 0) {
		snprintf(out, len, ": it is empty");
		return out;
	}
	buf = malloc(n);
	if (!buf)
		return out;
	rc = mlvm_source_read(src, buf, n, 0);
	if (rc == 0)
		rc = mlvm_magic_describe(buf, n, desc, sizeof(desc));
	free(buf);
	if (rc == 0 && !strcmp(desc, "zeros"))
		snprintf(out, len, " (its first %zu bytes are all zeros)", n);
	else if (rc == 0 && strcmp(desc, "data"))
		snprintf(out, len, " (libmagic: %s)", desc);
	return out;
}

static int probe_source(struct mlvm_set *set, size_t si)
{
	struct mlvm_source *src = set->srcs[si];
	struct mlvm_partition_table *t = &set->tables[si];
	size_t before = set->n_devs, i;
	int rc;

	rc = mlvm_partitions_read(src, t, &set->report);
	if (rc)
		mlvm_warn(&set->report, "partition_read", src->name, -1,
			  "cannot read the partition table of %s: %s", src->name, strerror(-rc));
	try_label_at(set, si, 0);
	for (i = 0; i < t->n; i++)
		if (!t->parts[i].extended && t->parts[i].start && t->parts[i].size)
			try_label_at(set, si, t->parts[i].start);
	/* an LV's bytes (nested discovery found a label there): never scanned
	 * whole unless asked, as a guest disk may be large */
	if (set->opts.deep || (set->n_devs == before && !src->inside))
		scan_source(set, si);
	if (set->n_devs == before && !src->inside) {
		char what[300];

		mlvm_warn(&set->report, "no_label", src->name, 0,
			  "no LVM2 physical volume found in %s%s", src->name,
			  describe_source(src, what, sizeof(what)));
	}
	return 0;
}

/* ------------------------------------------------------------ choosing */

/* loose copies after ring copies: carved from an image (by image name,
 * offset) before files (by path) */
static int cmp_loose(const struct mlvm_loose *x, const struct mlvm_loose *y)
{
	int c;

	if (!x != !y)
		return !x ? -1 : 1;
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	if (x->origin == MLVM_ORIGIN_FILE)
		return strcmp(x->path, y->path);
	c = strcmp(x->src->name, y->src->name);
	if (c)
		return c;
	return x->g.offset < y->g.offset ? -1 : x->g.offset > y->g.offset;
}

/* a copy of a VG's metadata that could be used */
struct cand {
	struct mlvm_pvdev *dev;			/* NULL for a loose copy */
	struct mlvm_mda_info *mda;		/* NULL for a loose copy */
	const struct mlvm_generation *gen;	/* NULL: the committed slot */
	const struct mlvm_loose *loose;		/* a copy outside the rings (gen its g) */
	const char *vg_id;
	const char *vg_name;
	uint64_t seqno;
	bool good;		/* committed with a good crc, or an intact generation */
};

static int cmp_cand(const void *a, const void *b, void *arg)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->vg_id, y->vg_id);

	if (c)
		return c;
	if (x->good != y->good)
		return x->good ? -1 : 1;
	/* committed copies before carved generations, then newest first */
	if (!x->gen != !y->gen)
		return !x->gen ? -1 : 1;
	if (x->seqno != y->seqno)
		return x->seqno > y->seqno ? -1 : 1;
	/* the same seqno in a ring and outside: the ring's first; loose copies
	 * by image and offset, then files by path */
	if (x->loose || y->loose)
		return cmp_loose(x->loose, y->loose);
	/* the same seqno in several places: by image name and place, so that
	 * the copy used never depends on the order of the images */
	c = strcmp(x->dev->src->name, y->dev->src->name);
	if (c)
		return c;
	if (x->dev->base != y->dev->base)
		return x->dev->base < y->dev->base ? -1 : 1;
	if (x->mda->index != y->mda->index)
		return x->mda->index - y->mda->index;
	if (x->gen && y->gen && x->gen->offset != y->gen->offset)
		return x->gen->offset < y->gen->offset ? -1 : 1;
	return 0;
}

/* the image a candidate was read from (a --metadata file: its path) */
static const char *cand_image(const struct cand *c)
{
	struct mlvm_gen_ref r = { c->dev, c->mda, c->gen, c->loose };

	return mlvm_gen_ref_image(&r);
}

static void cand_name(const struct cand *c, char *buf, size_t len)
{
	char where[300];

	if (c->loose) {
		struct mlvm_gen_ref r = { NULL, NULL, c->gen, c->loose };

		mlvm_gen_ref_origin(&r, buf, len);
		return;
	}
	dev_where(c->dev, where, sizeof(where));
	snprintf(buf, len, "%s mda%d%s", where, c->mda->index, c->gen ? " (in its ring)" : "");
}

static int load_cand(struct mlvm_set *set, const struct cand *c, struct mlvm_vg **out)
{
	int64_t where;
	char *text = NULL;
	size_t len;
	uint64_t size;
	bool wrapped;
	int rc;

	*out = NULL;
	if (c->loose) {
		/* a file has no place to name beside its path */
		where = c->loose->origin == MLVM_ORIGIN_FILE ? -1 : (int64_t)c->loose->g.offset;
		text = malloc(c->loose->len + 1);
		rc = text ? 0 : -ENOMEM;
		if (text) {
			memcpy(text, c->loose->text, c->loose->len + 1);
			len = c->loose->len;
		}
		size = c->loose->len;
		wrapped = false;
	} else if (!c->gen) {
		struct mlvm_ring_span sp = committed_span(c->mda);

		where = (int64_t)(sp.area_abs + sp.off);
		if (c->mda->text) {	/* read by the probe: taken */
			text = c->mda->text;
			c->mda->text = NULL;
			rc = 0;
		} else {
			rc = mlvm_ring_read(c->dev->meta, &sp, &text);
		}
		len = (size_t)sp.size;
		size = sp.size;
		wrapped = mlvm_ring_wraps(&sp);
	} else {
		where = (int64_t)(c->mda->abs + c->gen->offset);
		rc = mlvm_set_generation_text(set, c->dev, c->mda, c->gen, &text, &len);
		size = c->gen->size;
		wrapped = c->gen->wrapped;
	}
	if (rc) {
		mlvm_warn(&set->report, "text_read", cand_image(c), where,
			  "cannot read metadata text: %s", strerror(-rc));
		return rc;
	}
	rc = mlvm_vg_from_text(text, len, out, &set->report, cand_image(c), where);
	if (!rc && set->opts.strict && (*out)->n_unknown_status) {
		mlvm_warn(&set->report, "text_status", cand_image(c), where,
			  "vg %s: metadata with unknown status flags refused, as LVM2 does (--strict)",
			  (*out)->name);
		mlvm_vg_free(*out);
		*out = NULL;
		rc = -EINVAL;
	}
	if (rc) {
		if (!c->gen)
			c->mda->load_failed = true;
		return rc;
	}
	(*out)->source.image = cand_image(c);
	(*out)->source.loose = c->loose;
	if (c->loose) {
		(*out)->source.offset = c->loose->g.offset;
		(*out)->source.size = size;
		(*out)->source.gen = c->gen;
		return 0;
	}
	memcpy((*out)->source.pv_id, c->dev->uuid, sizeof((*out)->source.pv_id));
	(*out)->source.mda = c->mda->index;
	(*out)->source.offset = (uint64_t)where;
	(*out)->source.size = size;
	(*out)->source.checksum = c->gen ? 0 : c->mda->hdr.rl[0].checksum;
	(*out)->source.wrapped = wrapped;
	(*out)->source.dev = c->dev;
	(*out)->source.mda_info = c->mda;
	(*out)->source.gen = c->gen;
	return 0;
}

/* ------------------------------------------------------------ PV identity */

#define UUID_NEAR 4		/* a damaged label's uuid this many characters off still names a PV */
#define MAX_LISTED 8		/* candidates or copies named in one message */

/* a label that passes its checks: its uuid names the PV */
static bool label_sound(const struct mlvm_pvdev *d)
{
	return d->has_label && d->label.crc_ok && d->label.sector_ok &&
	       (d->label.magic_ok || d->label.shifted);
}

/* the PV's room in its image, bytes: to the end of its partition or image */
static uint64_t dev_room(const struct mlvm_pvdev *d)
{
	uint64_t end = d->src->size;

	if (d->in_partition && d->part.size && d->part.start <= d->base &&
	    d->part.size <= UINT64_MAX - d->part.start && d->part.start + d->part.size < end)
		end = d->part.start + d->part.size;
	return end > d->base ? end - d->base : 0;
}

/* the newest seqno of VG vg_id that d's metadata areas hold intact, 0 when none */
static uint64_t dev_vg_seqno(const struct mlvm_pvdev *d, const char *vg_id)
{
	uint64_t best = 0;
	unsigned k;
	size_t g;

	if (!vg_id)
		return 0;
	for (k = 0; k < d->n_mda; k++) {
		const struct mlvm_mda_info *m = &d->mda[k];

		if (m->peek_ok && m->text_crc_ok && !m->load_failed && !strcmp(m->vg_id, vg_id) &&
		    m->seqno > best)
			best = m->seqno;
		for (g = 0; g < m->n_gens; g++) {
			const struct mlvm_generation *gen = &m->gens[g];

			if (gen->seqno_known && gen->complete && gen->parse_ok && gen->checksum_ok != 0 &&
			    !strcmp(gen->vg_id, vg_id) && gen->seqno > best)
				best = gen->seqno;
		}
	}
	return best;
}

/* d's metadata areas name VG vg_id (committed copy or any generation) */
static bool dev_holds_vg(const struct mlvm_pvdev *d, const char *vg_id)
{
	unsigned k;
	size_t g;

	if (!vg_id)
		return false;
	for (k = 0; k < d->n_mda; k++) {
		if (d->mda[k].peek_ok && !strcmp(d->mda[k].vg_id, vg_id))
			return true;
		for (g = 0; g < d->mda[k].n_gens; g++)
			if (!strcmp(d->mda[k].gens[g].vg_id, vg_id))
				return true;
	}
	return false;
}

/* a and b are one file (the same image given twice, or two paths to it) */
static bool same_file(const struct mlvm_source *a, const struct mlvm_source *b)
{
	struct stat sa, sb;

	if (a == b)
		return true;
	if (a->inside || b->inside)	/* an LV's bytes: its name is no path */
		return false;
	if (!strcmp(a->name, b->name))
		return true;
	return stat(a->name, &sa) == 0 && stat(b->name, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* characters in which two 32-character uuids differ (32 when not comparable) */
static unsigned uuid_distance(const char *a, const char *b)
{
	unsigned i, n = 0;

	if (strlen(a) != 32 || strlen(b) != 32)
		return 32;
	for (i = 0; i < 32; i++)
		n += a[i] != b[i];
	return n;
}

/* the order PVs found are considered in: by image name and offset, never by
 * the order the images were given in */
static int dev_cmp(const struct mlvm_pvdev *a, const struct mlvm_pvdev *b)
{
	int c = strcmp(a->src->name, b->src->name);

	if (c)
		return c;
	return a->base < b->base ? -1 : a->base > b->base;
}

static int dev_ptr_cmp(const void *x, const void *y)
{
	return dev_cmp(*(const struct mlvm_pvdev *const *)x, *(const struct mlvm_pvdev *const *)y);
}

/* could d be pv: is its room and metadata layout compatible with the text's sizes? */
static bool dev_fits(const struct mlvm_pvdev *d, const struct mlvm_pv *pv, bool *exact)
{
	uint64_t dev_bytes, pe_bytes, room = dev_room(d);
	unsigned k;

	*exact = false;
	if (!mlvm_mul_ok(pv->dev_size, MLVM_SECTOR_SIZE, &dev_bytes) ||
	    !mlvm_mul_ok(pv->pe_start, MLVM_SECTOR_SIZE, &pe_bytes))
		return false;
	for (k = 0; k < d->n_mda; k++) {
		uint64_t rel = d->mda[k].abs - d->base;

		if (d->mda[k].abs < d->base || rel >= DEFAULT_MDA_OFFSET + MLVM_SECTOR_SIZE)
			continue;	/* not a first metadata area */
		if (rel >= pe_bytes || (d->mda[k].header_ok && d->mda[k].size > pe_bytes - rel))
			return false;	/* its first metadata area would run into the data area */
	}
	if (dev_bytes > room + MLVM_SECTOR_SIZE)
		return false;		/* bigger than what the image holds */
	*exact = dev_bytes == room;
	return true;
}

static void raw_uuid_format(const char *raw, char out[39])
{
	mlvm_uuid_format(raw, strlen(raw), out);
}

/* "a.img at byte 0, b.img at byte 0 (seqno 5)" into buf */
static void list_devs(const struct mlvm_pvdev *const *devs, size_t n, const char *vg_id,
		      bool with_seqno, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		if (i == MAX_LISTED) {
			snprintf(buf + o, len - o, " and %zu more", n - i);
			break;
		}
		o += (size_t)snprintf(buf + o, len - o, "%s%s at byte %llu", i ? ", " : "",
				      devs[i]->src->name, (unsigned long long)devs[i]->base);
		if (with_seqno && o < len) {
			uint64_t s = dev_vg_seqno(devs[i], vg_id);

			if (s)
				o += (size_t)snprintf(buf + o, len - o, " (seqno %llu)", (unsigned long long)s);
			else
				o += (size_t)snprintf(buf + o, len - o, " (no metadata of this vg)");
		}
	}
}

static int keep_others(struct mlvm_pv *pv, const struct mlvm_pvdev *const *devs, size_t n)
{
	free(pv->others);
	pv->others = NULL;
	pv->n_others = 0;
	if (!n)
		return 0;
	pv->others = malloc(n * sizeof(*pv->others));
	if (!pv->others)
		return -ENOMEM;
	memcpy(pv->others, devs, n * sizeof(*pv->others));
	pv->n_others = (uint32_t)n;
	return 0;
}

static void use_dev(struct mlvm_set *set, const struct mlvm_vg *vg, struct mlvm_pv *pv,
		    struct mlvm_pvdev *d, int vg_index, enum mlvm_pv_evidence how)
{
	uint64_t bytes;

	pv->missing = false;
	pv->ambiguous = false;
	pv->src = d->src;
	pv->offset = d->base;
	pv->dev = d;
	pv->found_by = (uint8_t)how;
	d->vg_index = vg_index;
	d->used = true;
	if (how != MLVM_PV_BY_LABEL) {
		char raw[33];

		raw_uuid_strip(pv->id, raw);
		memcpy(d->uuid, raw, sizeof(d->uuid));
	}
	/* LVM2 leaves the label's device_size as it was after pvresize: only
	 * a PV bigger than what the image holds is worth a word */
	if (pv->dev_size && (!mlvm_mul_ok(pv->dev_size, MLVM_SECTOR_SIZE, &bytes) || bytes > dev_room(d) + MLVM_SECTOR_SIZE))
		mlvm_warn(&set->report, "pv_size", d->src->name, (int64_t)d->base,
			  "vg %s: pv %s is %llu sectors long in the metadata, but %s holds only %llu bytes from its start: the rest reads as missing",
			  vg->name, pv->name, (unsigned long long)pv->dev_size, d->src->name,
			  (unsigned long long)dev_room(d));
}

/* the user's --pv choice for pv, if any */
static const struct mlvm_pv_choice *choice_for(const struct mlvm_set *set, const struct mlvm_pv *pv)
{
	char want[33], raw[33];
	size_t i;

	raw_uuid_strip(pv->id, raw);
	for (i = 0; i < set->opts.n_pv_choices; i++) {
		const struct mlvm_pv_choice *c = &set->opts.pv_choices[i];

		raw_uuid_strip(c->pv, want);
		if ((pv->name && !strcmp(c->pv, pv->name)) || !strcmp(want, raw))
			return c;
	}
	return NULL;
}

/* the PV the user named for pv: the PV found in that image that is not
 * soundly labelled as another PV; NULL (reported) when there is none or
 * several */
static struct mlvm_pvdev *chosen_dev(struct mlvm_set *set, const struct mlvm_vg *vg,
				     const struct mlvm_pv *pv, const struct mlvm_pv_choice *ch)
{
	struct mlvm_pvdev *found = NULL, *named = NULL;
	char raw[33];
	size_t j, n = 0;
	bool any_src = false;

	struct mlvm_source probe = { .name = (char *)ch->image };

	raw_uuid_strip(pv->id, raw);
	for (j = 0; j < set->n_srcs; j++)
		if (same_file(set->srcs[j], &probe))
			any_src = true;
	for (j = 0; j < set->n_devs; j++) {
		struct mlvm_pvdev *d = &set->devs[j];

		if (!same_file(d->src, &probe))
			continue;
		if (label_sound(d) && strcmp(d->uuid, raw))
			continue;	/* soundly labelled as another PV */
		if (label_sound(d) && !named)
			named = d;
		found = d;
		n++;
	}
	if (named)
		return named;
	if (n == 1)
		return found;
	mlvm_error(&set->report, "pv_choice", ch->image, -1,
		   "vg %s: --pv %s=%s: %s", vg->name, ch->pv, ch->image,
		   !any_src ? "that image is not among the images given" :
		   n ? "the image holds several PVs that could be it" :
		   "the image holds no PV that could be it (none found, or each is labelled as another PV)");
	return NULL;
}
/* --pv: the PVs the user tied to an image */
static void attach_by_choice(struct mlvm_set *set, struct mlvm_vg *vg, int vg_index)
{
	uint32_t i;

	for (i = 0; i < vg->n_pvs; i++) {
		struct mlvm_pv *pv = &vg->pvs[i];
		const struct mlvm_pv_choice *ch;
		struct mlvm_pvdev *d;
		char uuid[39], raw[33];

		if (!pv->id || !(ch = choice_for(set, pv)))
			continue;
		if (!(d = chosen_dev(set, vg, pv, ch)))
			continue;
		if (d->used) {
			mlvm_error(&set->report, "pv_choice", d->src->name, (int64_t)d->base,
				   "vg %s: --pv %s=%s: that PV is already taken as another PV", vg->name,
				   ch->pv, ch->image);
			continue;
		}
		use_dev(set, vg, pv, d, vg_index, MLVM_PV_BY_CHOICE);
		raw_uuid_strip(pv->id, raw);
		raw_uuid_format(raw, uuid);
		mlvm_notice(&set->report, "pv_chosen", d->src->name, (int64_t)d->base,
			    "vg %s: pv %s (%s) is read from %s at byte %llu, as --pv %s=%s says",
			    vg->name, pv->name, uuid, d->src->name, (unsigned long long)d->base,
			    ch->pv, ch->image);
	}
}

/* PVs whose label names them; several copies are decided by their metadata */
static int attach_by_label(struct mlvm_set *set, struct mlvm_vg *vg, int vg_index, struct mlvm_pv *pv)
{
	struct mlvm_pvdev **c;
	size_t n = 0, i, k, n_best = 0, pick = 0;
	uint64_t best = 0;
	char raw[33], uuid[39], list[1200];
	int rc = 0;

	raw_uuid_strip(pv->id, raw);
	raw_uuid_format(raw, uuid);
	c = malloc((set->n_devs ? set->n_devs : 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (i = 0; i < set->n_devs; i++) {
		struct mlvm_pvdev *d = &set->devs[i];

		if (d->has_label && !strcmp(d->uuid, raw) && !d->used &&
		    (d->vg_index < 0 || d->vg_index == vg_index))
			c[n++] = d;
	}
	qsort(c, n, sizeof(*c), dev_ptr_cmp);
	/* one file given twice is one copy */
	for (i = 0, k = 0; i < n; i++) {
		if (k && c[k - 1]->base == c[i]->base && same_file(c[k - 1]->src, c[i]->src)) {
			mlvm_notice(&set->report, "same_image", c[i]->src->name, (int64_t)c[i]->base,
				    "%s and %s are one file: pv %s (%s) is read once", c[k - 1]->src->name,
				    c[i]->src->name, pv->name, uuid);
			c[i]->vg_index = vg_index;
			continue;
		}
		c[k++] = c[i];
	}
	n = k;
	if (!n)
		goto out;
	for (i = 0; i < n; i++) {
		uint64_t sq = dev_vg_seqno(c[i], vg->id);

		if (sq > best || i == 0) {
			best = sq;
			n_best = 1;
			pick = i;
		} else if (sq == best) {
			n_best++;
		}
	}
	for (i = 0; i < n; i++)
		c[i]->vg_index = vg_index;
	if (n_best == 1) {
		struct mlvm_pvdev *d = c[pick];
		bool sound = label_sound(d);

		use_dev(set, vg, pv, d, vg_index, sound ? MLVM_PV_BY_LABEL : MLVM_PV_BY_DAMAGED_LABEL);
		if (!sound)
			mlvm_warn(&set->report, "pv_label_damaged", d->src->name, (int64_t)d->base,
				  "vg %s: the label at byte %llu of %s fails its checks but names pv %s (%s): taken to be it",
				  vg->name, (unsigned long long)d->base, d->src->name, pv->name, uuid);
		if (n > 1) {
			c[pick] = c[n - 1];
			list_devs((const struct mlvm_pvdev *const *)c, n - 1, vg->id, true, list, sizeof(list));
			rc = keep_others(pv, (const struct mlvm_pvdev *const *)c, n - 1);
			mlvm_warn(&set->report, "duplicate_pv", d->src->name, (int64_t)d->base,
				  "vg %s: pv %s (%s) is found in %zu images; %s at byte %llu (seqno %llu) supplies its metadata and data, its metadata being the newest; not used: %s",
				  vg->name, pv->name, uuid, n, d->src->name, (unsigned long long)d->base,
				  (unsigned long long)best, list);
		}
		goto out;
	}
	/* copies that tie: which one holds the data cannot be told */
	for (i = 0, k = 0; i < n; i++)
		if (dev_vg_seqno(c[i], vg->id) == best)
			c[k++] = c[i];
	list_devs((const struct mlvm_pvdev *const *)c, k, vg->id, false, list, sizeof(list));
	rc = keep_others(pv, (const struct mlvm_pvdev *const *)c, k);
	pv->ambiguous = true;
	if (best)
		mlvm_warn(&set->report, "pv_ambiguous", c[0]->src->name, (int64_t)c[0]->base,
			  "vg %s: pv %s (%s) is found in %s, whose metadata are equally new (seqno %llu): which one holds its data cannot be told, so none is used; choose with --pv %s=IMAGE",
			  vg->name, pv->name, uuid, list, (unsigned long long)best, pv->name);
	else
		mlvm_warn(&set->report, "pv_ambiguous", c[0]->src->name, (int64_t)c[0]->base,
			  "vg %s: pv %s (%s) is found in %s, none of which holds metadata to tell them apart: none is used; choose with --pv %s=IMAGE",
			  vg->name, pv->name, uuid, list, pv->name);
out:
	free(c);
	return rc;
}

#define MEMBER_GENS_MAX 64	/* generations read per PV for membership evidence */

/*
 * LVM2 writes a VG's metadata to the PVs that are in it: every generation of
 * the VG in a PV's own rings lists that PV. Clear keep[j] for each PV j of
 * pvs[] that one of them does not list. Returns how many generations were
 * read (0: no evidence).
 */
static size_t membership(struct mlvm_set *set, const struct mlvm_vg *vg, struct mlvm_pvdev *d,
			 const uint32_t *pvs, size_t np, bool *keep)
{
	size_t used = 0, g, j;
	unsigned k;

	for (k = 0; k < d->n_mda; k++) {
		struct mlvm_mda_info *m = &d->mda[k];

		if (!m->carved)
			carve_mda(set, d, m);
		for (g = 0; g < m->n_gens && used < MEMBER_GENS_MAX; g++) {
			const struct mlvm_generation *gen = &m->gens[g];
			const struct cfg_node *n, *pvsec, *pv;
			struct cfg_tree *tree = NULL;
			char *text = NULL;
			size_t len;
			bool *listed;

			if (!gen->complete || !gen->parse_ok || strcmp(gen->vg_id, vg->id))
				continue;
			if (mlvm_set_generation_text(set, d, m, gen, &text, &len))
				continue;
			if (cfg_parse_lenient(text, len, &tree, NULL, NULL, -1) < 0) {
				free(text);
				continue;
			}
			listed = calloc(np ? np : 1, sizeof(*listed));
			pvsec = NULL;
			for (n = cfg_child(tree->root); n && !pvsec; n = cfg_next(n))
				if (cfg_type(n) == CFG_SECTION)
					pvsec = cfg_find_type(n, "physical_volumes", CFG_SECTION);
			if (listed && pvsec) {
				for (pv = cfg_child(pvsec); pv; pv = cfg_next(pv)) {
					const char *id = NULL;
					char raw[33], want[33];

					if (cfg_type(pv) != CFG_SECTION || cfg_get_str(pv, "id", &id) || !id)
						continue;
					raw_uuid_strip(id, raw);
					for (j = 0; j < np; j++) {
						raw_uuid_strip(vg->pvs[pvs[j]].id, want);
						if (!strcmp(raw, want))
							listed[j] = true;
					}
				}
				for (j = 0; j < np; j++)
					if (!listed[j])
						keep[j] = false;
				used++;
			}
			free(listed);
			cfg_free(tree);	/* the tree owns the text */
		}
	}
	return used;
}

enum fit_reason { FIT_NONE, FIT_NEAR_UUID, FIT_MEMBER, FIT_EXACT, FIT_ONLY, FIT_ELIMINATION };

/*
 * PVs found without a usable label (gone, or failing its checks and naming
 * no PV of the VG) that hold this VG's metadata, or whose damaged label is
 * a few characters from a missing PV's uuid: each is tied to the missing
 * PV that it alone can be. Where the evidence leaves several, none is used.
 */
static int attach_by_evidence(struct mlvm_set *set, struct mlvm_vg *vg, int vg_index)
{
	struct mlvm_pvdev **devs = NULL;
	uint32_t *pvs = NULL;
	uint8_t *fit = NULL, *reason = NULL;
	unsigned *dist = NULL;
	size_t nd = 0, np = 0, i, j, k;
	bool changed;
	int rc = -ENOMEM;

	pvs = malloc((vg->n_pvs ? vg->n_pvs : 1) * sizeof(*pvs));
	devs = malloc((set->n_devs ? set->n_devs : 1) * sizeof(*devs));
	if (!pvs || !devs)
		goto out;
	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].id && vg->pvs[i].missing && !vg->pvs[i].ambiguous)
			pvs[np++] = (uint32_t)i;
	for (i = 0; i < set->n_devs && np; i++) {
		struct mlvm_pvdev *d = &set->devs[i];
		bool near = false;

		if (d->used || d->vg_index >= 0 || label_sound(d))
			continue;
		if (d->has_label)
			for (j = 0; j < np && !near; j++) {
				char raw[33];

				raw_uuid_strip(vg->pvs[pvs[j]].id, raw);
				near = uuid_distance(d->uuid, raw) <= UUID_NEAR;
			}
		if (near || dev_holds_vg(d, vg->id))
			devs[nd++] = d;
	}
	rc = 0;
	if (!nd)
		goto out;
	qsort(devs, nd, sizeof(*devs), dev_ptr_cmp);
	rc = -ENOMEM;
	fit = calloc(nd * np, 1);
	dist = calloc(nd * np, sizeof(*dist));
	reason = calloc(nd, 1);
	if (!fit || !dist || !reason)
		goto out;
	for (i = 0; i < nd; i++) {
		unsigned best = 33;
		size_t n_fit = 0, n_exact = 0;

		for (j = 0; j < np; j++) {
			const struct mlvm_pv *pv = &vg->pvs[pvs[j]];
			char raw[33];
			bool exact;

			raw_uuid_strip(pv->id, raw);
			dist[i * np + j] = devs[i]->has_label ? uuid_distance(devs[i]->uuid, raw) : 32;
			if (!dev_fits(devs[i], pv, &exact))
				continue;
			fit[i * np + j] = exact ? 2 : 1;
			n_fit++;
			n_exact += exact;
			if (dist[i * np + j] < best)
				best = dist[i * np + j];
		}
		if (best <= UUID_NEAR) {
			/* a damaged label still names its PV, near enough */
			for (j = 0; j < np; j++)
				if (fit[i * np + j] && dist[i * np + j] != best)
					fit[i * np + j] = 0;
			reason[i] = FIT_NEAR_UUID;
			continue;
		}
		if (n_fit > 1) {
			/* the generations in its own rings name the PVs it can be */
			bool *keep = malloc(np * sizeof(*keep));
			size_t kept = 0;

			if (!keep)
				goto out;
			for (j = 0; j < np; j++)
				keep[j] = true;
			if (membership(set, vg, devs[i], pvs, np, keep)) {
				for (j = 0; j < np; j++)
					kept += fit[i * np + j] && keep[j];
				if (kept && kept < n_fit) {
					for (j = 0; j < np; j++)
						if (!keep[j]) {
							n_exact -= fit[i * np + j] == 2;
							fit[i * np + j] = 0;
						}
					n_fit = kept;
					reason[i] = FIT_MEMBER;
				}
			}
			free(keep);
			if (reason[i] == FIT_MEMBER)
				continue;
		}
		if (n_exact && n_exact < n_fit) {
			for (j = 0; j < np; j++)
				if (fit[i * np + j] == 1)
					fit[i * np + j] = 0;
			reason[i] = FIT_EXACT;
		} else if (n_fit == 1) {
			reason[i] = FIT_ONLY;
		} else {
			reason[i] = FIT_ELIMINATION;
		}
	}
	/* tie each PV found that can be only one PV to it, until nothing changes */
	do {
		changed = false;
		for (i = 0; i < nd; i++) {
			size_t only = np, cnt = 0;
			bool rival = false;

			if (devs[i]->used)
				continue;
			for (j = 0; j < np; j++)
				if (fit[i * np + j]) {
					cnt++;
					only = j;
				}
			if (cnt != 1)
				continue;
			for (k = 0; k < nd && !rival; k++) {
				size_t c2 = 0;

				if (k == i || devs[k]->used || !fit[k * np + only])
					continue;
				for (j = 0; j < np; j++)
					c2 += fit[k * np + j] != 0;
				rival = c2 == 1;
			}
			if (rival)
				continue;	/* two PVs found that can each be only this one */
			{
				struct mlvm_pv *pv = &vg->pvs[pvs[only]];
				struct mlvm_pvdev *d = devs[i];
				char raw[33], uuid[39];
				const char *why;

				use_dev(set, vg, pv, d, vg_index,
					d->has_label ? MLVM_PV_BY_DAMAGED_LABEL : MLVM_PV_BY_FIT);
				raw_uuid_strip(pv->id, raw);
				raw_uuid_format(raw, uuid);
				switch (reason[i]) {
				case FIT_NEAR_UUID:
					why = "its damaged label's uuid is the nearest to it";
					break;
				case FIT_MEMBER:
					why = "the generations in its own metadata area list no other of the VG's missing PVs";
					break;
				case FIT_EXACT:
					why = "its size matches that PV's exactly, and no other's";
					break;
				case FIT_ONLY:
					why = "its sizes fit no other PV of the VG that is missing";
					break;
				default:
					why = "the other PVs it could be are accounted for";
					break;
				}
				if (d->has_label)
					mlvm_warn(&set->report, "pv_label_damaged", d->src->name, (int64_t)d->base,
						  "vg %s: the PV at byte %llu of %s, whose label fails its checks and names uuid %.32s (%u character%s from it), is taken to be %s (%s): %s",
						  vg->name, (unsigned long long)d->base, d->src->name, d->label.pv_uuid,
						  dist[i * np + only], mlvm_plural(dist[i * np + only], "", "s"), pv->name, uuid, why);
				else
					mlvm_warn(&set->report, "pv_no_label", d->src->name, (int64_t)d->base,
						  "vg %s: the PV without a label at byte %llu of %s is taken to be %s (%s): %s",
						  vg->name, (unsigned long long)d->base, d->src->name, pv->name, uuid, why);
				for (k = 0; k < nd; k++)
					fit[k * np + only] = 0;
				changed = true;
			}
		}
	} while (changed);
	/* what is left fits several PVs, or several are left for one PV: ambiguous */
	for (j = 0; j < np; j++) {
		struct mlvm_pv *pv = &vg->pvs[pvs[j]];
		struct mlvm_pvdev **cand;
		char raw[33], uuid[39], list[1200];
		size_t n = 0;

		if (!pv->missing)
			continue;
		cand = malloc(nd * sizeof(*cand));
		if (!cand)
			goto out;
		for (i = 0; i < nd; i++)
			if (!devs[i]->used && fit[i * np + j])
				cand[n++] = devs[i];
		if (n) {
			pv->ambiguous = true;
			for (i = 0; i < n; i++)
				cand[i]->vg_index = vg_index;
			list_devs((const struct mlvm_pvdev *const *)cand, n, vg->id, false, list, sizeof(list));
			raw_uuid_strip(pv->id, raw);
			raw_uuid_format(raw, uuid);
			mlvm_warn(&set->report, "pv_ambiguous", cand[0]->src->name, (int64_t)cand[0]->base,
				  "vg %s: pv %s (%s) could be any of the PVs without a usable label in %s, and nothing tells which: none is used for it; choose with --pv %s=IMAGE",
				  vg->name, pv->name, uuid, list, pv->name);
			if (keep_others(pv, (const struct mlvm_pvdev *const *)cand, n)) {
				free(cand);
				goto out;
			}
		}
		free(cand);
	}
	/* PVs found that hold this VG's metadata and fit none of its missing PVs */
	for (i = 0; i < nd; i++)
		if (!devs[i]->used && devs[i]->vg_index < 0)
			mlvm_warn(&set->report, "pv_unplaced", devs[i]->src->name, (int64_t)devs[i]->base,
				  "vg %s: the PV without a usable label at byte %llu of %s holds the VG's metadata but fits none of its missing PVs: its data is not used",
				  vg->name, (unsigned long long)devs[i]->base, devs[i]->src->name);
	rc = 0;
out:
	free(devs);
	free(pvs);
	free(fit);
	free(dist);
	free(reason);
	return rc;
}

/* tie the VG's PVs to the PVs found: the user's choices, labels, evidence */
static int attach_pvs(struct mlvm_set *set, struct mlvm_vg *vg, int vg_index)
{
	uint32_t i;
	int rc;

	attach_by_choice(set, vg, vg_index);
	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].id && vg->pvs[i].missing) {
			rc = attach_by_label(set, vg, vg_index, &vg->pvs[i]);
			if (rc)
				return rc;
		}
	rc = attach_by_evidence(set, vg, vg_index);
	if (rc)
		return rc;
	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].missing && !vg->pvs[i].ambiguous)
			mlvm_warn(&set->report, "pv_missing", NULL, -1,
				  "vg %s: pv %s (%s, last seen as %s) is missing from the images given",
				  vg->name, vg->pvs[i].name, vg->pvs[i].id,
				  vg->pvs[i].device ? vg->pvs[i].device : "?");
	return 0;
}

static int add_vg(struct mlvm_set *set, struct mlvm_vg *vg)
{
	struct mlvm_vg **p = realloc(set->vgs, (set->n_vgs + 1) * sizeof(*p));

	if (!p) {
		mlvm_vg_free(vg);
		return -ENOMEM;
	}
	set->vgs = p;
	set->vgs[set->n_vgs] = vg;
	set->n_vgs++;
	return attach_pvs(set, vg, (int)set->n_vgs - 1);
}

/* why the committed copies of a group could not be used, for the fallback warning */
static void committed_trouble(const struct cand *c, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		const struct mlvm_mda_info *m = c[i].mda;
		const char *why;

		if (c[i].gen)	/* a ring's generation or a loose copy */
			continue;
		why = !m->text_crc_ok ? "has a bad checksum" :
		      m->load_failed ? "does not parse" : NULL;
		if (!why)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%sthe committed copy (seqno %llu) of mda%d on %s %s",
				      o ? "; " : "", (unsigned long long)c[i].seqno, m->index,
				      c[i].dev->src->name, why);
	}
}

/*
 * The normal end of a VG's life rather than damage: no copy of the group is
 * committed, and every metadata area holding its generations has a sound
 * header whose committed slot is empty (vgremove) or holds another VG (its
 * PVs re-used, merged, or the VG given a new uuid). 0 with the words in buf,
 * or -1 when it looks like damage.
 */
static int gone_reason(const struct cand *c, size_t n, char *buf, size_t len)
{
	const char *other = NULL, *other_id = NULL;
	bool empty = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mlvm_mda_info *m = c[i].mda;

		if (c[i].loose)
			continue;
		if (!c[i].gen || !m->header_ok)
			return -1;
		if (!m->hdr.rl[0].offset && !m->hdr.rl[0].size)
			empty = true;
		else if (m->peek_ok && strcmp(m->vg_id, c[i].vg_id) && m->text_crc_ok) {
			other = m->vg_name;
			other_id = m->vg_id;
		} else
			return -1;
	}
	if (other)
		snprintf(buf, len, "%sits metadata areas now hold vg %s (%s): the VG was given a new uuid, merged, or its PVs re-used",
			 empty ? "some of its metadata areas are empty and " : "", other, other_id);
	else
		snprintf(buf, len, "its metadata areas' committed slots are empty, as vgremove leaves them");
	return 0;
}

/*
 * The copies of one seqno that disagree (the seqno --generation asks for,
 * or without it the newest committed one). A copy is
 * one text at one place: a ring's committed slot and the generation carved
 * at the same byte are one copy. Copies with the same VG section form a
 * text; the text used is the one the user named (--copy-at), else the one
 * that the most metadata areas' committed slots point at, else the one the
 * most areas hold. Loose copies (outside the rings) never outvote ring ones.
 */
struct gcopy {
	size_t cand;			/* the first candidate naming it */
	const char *image;
	uint64_t at;			/* its first byte in the image (0: a file) */
	char *text;
	size_t len;
	uint32_t crc;
	size_t text_id;			/* the text (group of equal VG sections) */
	bool committed;			/* an area's committed slot points at it */
	bool unfit;			/* its text ranks below another's: no vote */
};

struct gtext {
	size_t committed;		/* areas whose committed slot points at it */
	size_t areas;			/* areas holding it */
	bool ring;			/* some copy of it is in a ring */
	int rank;			/* 2: builds a VG LVM2 would accept, 1: one with
					 * status flags LVM2 refuses, 0: none */
};

/* how acceptable a text is (struct gtext's rank): parsed once, quietly */
static int text_rank(const char *text, size_t len)
{
	struct mlvm_report r;
	struct mlvm_vg *vg = NULL;
	char *copy = malloc(len + 1);
	int rank;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	mlvm_report_init(&r);
	if (mlvm_vg_from_text(copy, len, &vg, &r, NULL, -1))
		rank = 0;
	else
		rank = vg->n_unknown_status ? 1 : 2;
	mlvm_vg_free(vg);
	mlvm_report_free(&r);
	return rank;
}

/* where a candidate's text starts in its image */
static uint64_t cand_start(const struct cand *c)
{
	if (c->loose)
		return c->loose->origin == MLVM_ORIGIN_FILE ? 0 : c->loose->g.offset;
	if (!c->gen)
		return c->mda->abs + c->mda->hdr.rl[0].offset;
	return c->mda->abs + c->gen->offset;
}

/* one candidate's text (malloc'd, NUL-terminated) */
static int cand_text(struct mlvm_set *set, const struct cand *c, char **text, size_t *len)
{
	*text = NULL;
	if (c->loose) {
		*text = malloc(c->loose->len + 1);
		if (!*text)
			return -ENOMEM;
		memcpy(*text, c->loose->text, c->loose->len + 1);
		*len = c->loose->len;
		return 0;
	}
	if (!c->gen) {
		struct mlvm_ring_span sp = committed_span(c->mda);
		int rc = mlvm_ring_read(c->dev->meta, &sp, text);

		*len = (size_t)sp.size;
		return rc;
	}
	return mlvm_set_generation_text(set, c->dev, c->mda, c->gen, text, len);
}

/* the metadata area a candidate lies in, as one key for the PV's copies in
 * several images too: a PV uuid and area index ("" and the area's address
 * when the uuid is unknown) */
static bool same_area(const struct cand *a, const struct cand *b)
{
	if (a->loose || b->loose)
		return false;
	if (a->mda->index != b->mda->index)
		return false;
	if (a->dev->uuid[0] && b->dev->uuid[0])
		return !strcmp(a->dev->uuid, b->dev->uuid);
	return a->mda == b->mda;
}

static bool copy_chosen(const struct mlvm_set *set, const struct gcopy *g, const struct cand *c)
{
	const struct mlvm_copy_choice *ch = set->opts.copy_at;
	struct mlvm_source probe = { .name = (char *)ch->image };

	if (g->at != ch->offset)
		return false;
	if (c->loose && c->loose->origin == MLVM_ORIGIN_FILE)
		return !strcmp(c->loose->path, ch->image);
	return same_file(c->loose ? c->loose->src : c->dev->src, &probe);
}

/* some copy of metadata text, of any VG and seqno, starts where --copy-at
 * says (a ring's committed slot or carved generation, a loose copy) */
static bool copy_at_anywhere(const struct mlvm_set *set)
{
	const struct mlvm_copy_choice *ch = set->opts.copy_at;
	struct mlvm_source probe = { .name = (char *)ch->image };
	size_t i, g;
	unsigned k;

	for (i = 0; i < set->n_devs; i++) {
		const struct mlvm_pvdev *d = &set->devs[i];

		if (!same_file(d->src, &probe))
			continue;
		for (k = 0; k < d->n_mda; k++) {
			const struct mlvm_mda_info *m = &d->mda[k];

			if (m->has_text && m->abs + m->hdr.rl[0].offset == ch->offset)
				return true;
			for (g = 0; g < m->n_gens; g++)
				if (m->abs + m->gens[g].offset == ch->offset)
					return true;
		}
	}
	for (i = 0; i < set->n_loose; i++) {
		const struct mlvm_loose *l = set->loose[i];

		if (l->origin == MLVM_ORIGIN_FILE ? !strcmp(l->path, ch->image) && !ch->offset :
		    l->src && same_file(l->src, &probe) && l->g.offset == ch->offset)
			return true;
	}
	return false;
}

static void list_copies(const struct gcopy *g, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s@%llu (crc 0x%08x)", i ? ", " : "",
				      g[i].image, (unsigned long long)g[i].at, g[i].crc);
}

static int cmp_gcopy(const void *a, const void *b)
{
	const struct gcopy *x = a, *y = b;
	int c = strcmp(x->image, y->image);

	if (c)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * Decide which candidates of seqno may be read (the one --generation asks
 * for; with current, the newest committed one, when no generation is asked
 * for and --copy-at does not apply): use[i] set for those; 1 when the
 * choice is refused (reported: generation_ambiguous, copy_choice), 0
 * otherwise, negative errno. Copies of the texts not used
 * are warned about (generation_conflict) once the VG is read: *out
 * receives the copies (malloc'd, sorted by image and byte) with their text
 * ids.
 */
static int decide_copies(struct mlvm_set *set, const struct cand *c, size_t n, uint64_t seqno,
			 bool current, bool *use, struct gcopy **out, size_t *n_out)
{
	const struct mlvm_copy_choice *copy_at = current ? NULL : set->opts.copy_at;
	struct gcopy *g = NULL;
	struct gtext *t = NULL;
	size_t n_g = 0, n_t = 0, i = 0, j, win = SIZE_MAX, chosen = SIZE_MAX;
	bool tie = false, any_ring = false, here = false, other_seqno = false;
	char list[2000];
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	for (i = 0; i < n; i++)
		use[i] = false;
	g = calloc(n ? n : 1, sizeof(*g));
	t = calloc(n ? n : 1, sizeof(*t));
	if (!g || !t) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint64_t at;
		size_t k;

		if (!c[i].good || c[i].seqno != seqno)
			continue;
		at = cand_start(&c[i]);
		for (k = 0; k < n_g; k++) {
			const struct cand *o = &c[g[k].cand];

			if (o->loose == c[i].loose && o->mda == c[i].mda && g[k].at == at)
				break;	/* a committed slot and its carved generation */
		}
		if (k < n_g) {
			g[k].committed |= !c[i].gen || (c[i].gen->slot == 0 && !c[i].loose);
			continue;
		}
		g[n_g] = (struct gcopy){ .cand = i, .image = cand_image(&c[i]), .at = at,
					 .committed = !c[i].gen || (!c[i].loose && c[i].gen->slot == 0) };
		if (cand_text(set, &c[i], &g[n_g].text, &g[n_g].len)) {
			free(g[n_g].text);
			continue;	/* said when it is read (or not needed) */
		}
		if (!c[i].gen)
			g[n_g].crc = c[i].mda->hdr.rl[0].checksum;
		else
			g[n_g].crc = mlvm_crc(MLVM_CRC_INITIAL, g[n_g].text,
					      g[n_g].len + (c[i].gen->nul_found &&
							    c[i].gen->size == g[n_g].len + 1));
		for (k = 0; k < n_g; k++)
			if ((g[k].len == g[n_g].len && !memcmp(g[k].text, g[n_g].text, g[k].len)) ||
			    mlvm_carve_same_vg(g[k].text, g[k].len, g[n_g].text, g[n_g].len))
				break;
		g[n_g].text_id = k < n_g ? g[k].text_id : n_t++;
		n_g++;
	}
	/* texts that do not build a VG, or one LVM2 refuses (unknown status
	 * flags), lose to those that do: they get no votes */
	if (n_t > 1) {
		int best = 0;

		for (j = 0; j < n_t; j++)
			t[j].rank = -1;
		for (i = 0; i < n_g; i++) {
			if (t[g[i].text_id].rank >= 0)
				continue;
			t[g[i].text_id].rank = text_rank(g[i].text, g[i].len);
			if (t[g[i].text_id].rank < 0) {
				rc = t[g[i].text_id].rank;
				goto out;
			}
			if (t[g[i].text_id].rank > best)
				best = t[g[i].text_id].rank;
		}
		for (i = 0; i < n_g; i++) {
			g[i].unfit = t[g[i].text_id].rank < best;
			if (g[i].unfit && t[g[i].text_id].rank == 1)
				mlvm_warn(&set->report, "text_status", g[i].image,
					  c[g[i].cand].loose && c[g[i].cand].loose->origin == MLVM_ORIGIN_FILE ?
					  -1 : (int64_t)g[i].at,
					  "vg %s: the copy of seqno %llu at %s@%llu has status flags LVM2 does not know (LVM2 refuses such text): a copy of that seqno LVM2 accepts is read instead",
					  c[0].vg_name, (unsigned long long)seqno, g[i].image,
					  (unsigned long long)g[i].at);
		}
	}
	/* votes: each area once per text, committed or merely held */
	for (i = 0; i < n_g; i++) {
		const struct cand *ci = &c[g[i].cand];
		bool seen_area = false, seen_commit = false;

		if (ci->loose || g[i].unfit)
			continue;
		t[g[i].text_id].ring = any_ring = true;
		for (j = 0; j < i; j++) {
			if (g[j].text_id != g[i].text_id || !same_area(&c[g[j].cand], ci))
				continue;
			seen_area = true;
			seen_commit |= g[j].committed;
		}
		if (!seen_area)
			t[g[i].text_id].areas++;
		if (g[i].committed && !seen_commit)
			t[g[i].text_id].committed++;
	}
	if (copy_at) {
		/* the choice is about this VG when a copy of it starts there */
		for (i = 0; i < n; i++) {
			struct gcopy probe = { .at = cand_start(&c[i]) };

			if (copy_chosen(set, &probe, &c[i])) {
				here = true;
				other_seqno |= c[i].seqno != seqno;
			}
		}
		for (i = 0; i < n_g && here; i++)
			if (copy_chosen(set, &g[i], &c[g[i].cand]))
				break;
	}
	if (copy_at && here && i < n_g) {
		chosen = i;
		win = g[i].text_id;
	} else if (copy_at &&
		   (here ? !(other_seqno && set->opts.copy_at_lenient) :
		    n_t > 1 && any_ring && !copy_at_anywhere(set))) {
		/* here: the place holds a copy of this VG, not of this seqno;
		 * nowhere: it holds no copy at all, and this VG's copies disagree */
		{
			qsort(g, n_g, sizeof(*g), cmp_gcopy);
			list_copies(g, n_g, list, sizeof(list));
			mlvm_error(&set->report, "copy_choice", set->opts.copy_at->image,
				   (int64_t)set->opts.copy_at->offset,
				   "vg %s: --copy-at %s@%llu: no intact copy of generation %llu starts there; its copies: %s",
				   c[0].vg_name, set->opts.copy_at->image,
				   (unsigned long long)set->opts.copy_at->offset,
				   (unsigned long long)seqno, n_g ? list : "none");
			set->copy_at_refused = true;
			rc = 1;
			goto out;
		}
	} else if (n_t > 1 && any_ring) {
		for (i = 0; i < n_t; i++) {
			if (!t[i].ring)
				continue;
			if (win == SIZE_MAX || t[i].committed > t[win].committed ||
			    (t[i].committed == t[win].committed && t[i].areas > t[win].areas)) {
				win = i;
				tie = false;
			} else if (t[i].committed == t[win].committed && t[i].areas == t[win].areas) {
				tie = true;
			}
		}
		if (tie) {
			qsort(g, n_g, sizeof(*g), cmp_gcopy);
			list_copies(g, n_g, list, sizeof(list));
			mlvm_error(&set->report, "generation_ambiguous", NULL, -1,
				   "vg %s: the copies of %sgeneration %llu disagree and as many committed metadata areas, and as many areas, hold each text: not read; choose one with %s%s--copy-at IMAGE@BYTE: %s",
				   c[0].vg_name, current ? "its newest " : "", (unsigned long long)seqno,
				   current ? "--generation " : "", current ? "SEQNO " : "", list);
			rc = 1;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		size_t k;

		if (!c[i].good || c[i].seqno != seqno)
			continue;
		if (win == SIZE_MAX) {
			use[i] = true;	/* one text, or loose copies only: the first */
			continue;
		}
		for (k = 0; k < n_g; k++) {
			const struct cand *o = &c[g[k].cand];

			if (o->loose == c[i].loose && o->mda == c[i].mda && g[k].at == cand_start(&c[i]))
				break;
		}
		if (k < n_g)
			use[i] = chosen != SIZE_MAX ? k == chosen : g[k].text_id == win;
	}
	qsort(g, n_g, sizeof(*g), cmp_gcopy);
	*out = g;
	*n_out = n_g;
	g = NULL;
	n_g = 0;
out:
	for (i = 0; i < n_g; i++)
		free(g[i].text);
	free(g);
	free(t);
	return rc;
}

/*
 * The seqno of the newest committed copies when good committed copies of
 * it hold different texts (by their checksums), else 0: the current state
 * is then decided as --generation decides between copies.
 */
static uint64_t committed_disagree(const struct cand *c, size_t n)
{
	const struct cand *first = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!c[i].good || c[i].gen || c[i].loose)
			continue;
		if (!first)
			first = &c[i];
		else if (c[i].seqno == first->seqno &&
			 c[i].mda->hdr.rl[0].checksum != first->mda->hdr.rl[0].checksum)
			return first->seqno;
	}
	return 0;
}

static void free_gcopies(struct gcopy *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++)
		free(g[i].text);
	free(g);
}

static int load_group(struct mlvm_set *set, struct cand *c, size_t n, bool want);

/*
 * Assemble one VG from its candidate copies (one group: one VG id); what is
 * reported meanwhile is about that VG and tied to it. want: as of
 * generation opts.generation (else as it is now).
 */
static int assemble_group(struct mlvm_set *set, struct cand *c, size_t n, bool want)
{
	size_t mark = set->report.n;
	int rc = load_group(set, c, n, want);

	mlvm_report_tie_vg(&set->report, mark, n ? c[0].vg_name : NULL, n ? c[0].vg_id : NULL);
	return rc;
}

static int load_group(struct mlvm_set *set, struct cand *c, size_t n, bool want)
{
	struct mlvm_vg *vg = NULL;
	size_t i, chosen = n, n_g = 0, win = SIZE_MAX;
	uint64_t newest = 0, current = 0;
	char a[400], b[400], trouble[600];
	struct gcopy *g = NULL;
	bool *use = NULL;
	int rc;

	for (i = 0; i < n; i++)
		if (c[i].seqno > newest)
			newest = c[i].seqno;
	if (want || (current = committed_disagree(c, n)) != 0) {
		use = calloc(n ? n : 1, sizeof(*use));
		if (!use)
			return -ENOMEM;
		rc = decide_copies(set, c, n, current ? current : set->opts.generation, current != 0,
				   use, &g, &n_g);
		if (rc) {
			free(use);
			return rc < 0 ? rc : 0;	/* refused: reported */
		}
	}
	for (i = 0; i < n; i++) {
		if (!c[i].good)
			break;
		if (want && (c[i].seqno != set->opts.generation || !use[i]))
			continue;
		if (current && c[i].seqno == current && !use[i])
			continue;	/* the text fewer committed areas hold */
		if (i > 0 && !c[i].gen && !c[i - 1].gen && c[i].seqno == c[i - 1].seqno &&
		    c[i].mda->hdr.rl[0].checksum == c[i - 1].mda->hdr.rl[0].checksum &&
		    c[i].mda->hdr.rl[0].size == c[i - 1].mda->hdr.rl[0].size)
			continue;	/* same text as the one that just failed */
		if (load_cand(set, &c[i], &vg) == 0) {
			chosen = i;
			break;
		}
	}
	free(use);
	if (!vg) {
		free_gcopies(g, n_g);
		return 0;	/* reported at the end if nothing else turns up */
	}
	cand_name(&c[chosen], a, sizeof(a));
	if (set->opts.copy_at && want) {
		struct gcopy probe = { .at = cand_start(&c[chosen]) };

		set->copy_at_used |= copy_chosen(set, &probe, &c[chosen]);
	}
	if (want) {
		uint64_t at = cand_start(&c[chosen]);
		const char *img = cand_image(&c[chosen]);

		mlvm_notice(&set->report, "generation", cand_image(&c[chosen]),
			    c[chosen].loose && c[chosen].loose->origin == MLVM_ORIGIN_FILE ? -1 :
			    (int64_t)vg->source.offset,
			    "vg %s as of generation %llu, read from %s (the newest is %llu)%s",
			    vg->name, (unsigned long long)vg->seqno, a, (unsigned long long)newest,
			    set->opts.copy_at ? ", the copy --copy-at names" : "");
		for (i = 0; i < n_g && win == SIZE_MAX; i++)
			if (!strcmp(g[i].image, img) && g[i].at == at)
				win = g[i].text_id;
		/* every copy of this seqno holding another text is named, with
		 * the copy used: never dropped silently */
		for (i = 0; i < n_g; i++) {
			const struct cand *ci = &c[g[i].cand];

			if (win == SIZE_MAX || g[i].text_id == win)
				continue;
			if (ci->loose) {
				cand_name(ci, b, sizeof(b));
				mlvm_warn(&set->report, "generation_conflict", g[i].image,
					  ci->loose->origin == MLVM_ORIGIN_FILE ? -1 : (int64_t)g[i].at,
					  "vg %s: %s holds seqno %llu with other text; using %s",
					  vg->name, b, (unsigned long long)vg->seqno, a);
				continue;
			}
			mlvm_warn(&set->report, "generation_conflict", g[i].image, (int64_t)g[i].at,
				  "vg %s: the copy of seqno %llu at %s@%llu (crc 0x%08x, mda%d%s) holds other text than the copy used, %s@%llu (%s)%s",
				  vg->name, (unsigned long long)vg->seqno, g[i].image,
				  (unsigned long long)g[i].at, g[i].crc, ci->mda->index,
				  g[i].committed ? ", committed" : ", in its ring", img,
				  (unsigned long long)at, a,
				  set->opts.copy_at ? ", the copy --copy-at names" :
				  "; chosen by the committed slots of the metadata areas, then the areas holding each text; --copy-at IMAGE@BYTE uses another");
		}
	} else if (c[chosen].gen && !gone_reason(c, n, trouble, sizeof(trouble))) {
		mlvm_notice(&set->report, "vg_gone", cand_image(&c[chosen]), (int64_t)vg->source.offset,
			    "vg %s (%s) is committed by no metadata area any longer (%s): shown as of seqno %llu, its newest generation, found in the ring of %s",
			    vg->name, vg->id ? vg->id : "?", trouble, (unsigned long long)vg->seqno, a);
		vg->gone = true;
	} else if (c[chosen].gen) {
		committed_trouble(c, n, trouble, sizeof(trouble));
		mlvm_warn(&set->report, "generation_fallback", cand_image(&c[chosen]),
			  (int64_t)vg->source.offset,
			  "vg %s: using seqno %llu found in the ring of %s, the newest intact generation: %s",
			  vg->name, (unsigned long long)vg->seqno, a,
			  trouble[0] ? trouble : "no committed copy is readable");
	}
	if (!want) {
		for (i = 0; i < n; i++) {
			if (i == chosen || c[i].gen)
				continue;
			if (c[i].good && c[i].seqno == vg->seqno && !c[chosen].gen &&
			    c[i].mda->hdr.rl[0].checksum == c[chosen].mda->hdr.rl[0].checksum)
				continue;
			if (!c[i].good && c[i].seqno <= vg->seqno)
				continue;	/* its own damage is reported already */
			cand_name(&c[i], b, sizeof(b));
			mlvm_warn(&set->report, c[i].seqno == vg->seqno ? "mda_conflict" : "mda_stale",
				  c[i].dev->src->name, (int64_t)c[i].mda->abs,
				  "vg %s: %s holds seqno %llu, %s; using seqno %llu from %s%s",
				  vg->name, b, (unsigned long long)c[i].seqno,
				  c[i].seqno == vg->seqno ? "with different text" :
				  c[i].seqno > vg->seqno ? "newer but unusable" : "older",
				  (unsigned long long)vg->seqno, a,
				  current && c[i].seqno == vg->seqno ?
				  " (the copies are decided as for --generation: text LVM2 accepts, then more committed metadata areas, then more areas; --generation SEQNO --copy-at IMAGE@BYTE reads another)" : "");
		}
	}
	free_gcopies(g, n_g);
	return add_vg(set, vg);
}

static bool mda_usable(const struct mlvm_mda_info *m)
{
	return m->has_text && m->text_crc_ok && m->peek_ok && !m->load_failed;
}

/* a committed slot that points somewhere (an empty one means no VG) */
static bool mda_has_slot(const struct mlvm_mda_info *m)
{
	return m->header_ok && (m->hdr.rl[0].offset || m->hdr.rl[0].size);
}

static int collect(struct mlvm_set *set, struct cand **out, size_t *n_out)
{
	struct cand *c;
	size_t n = 0, cap = 1, i, g;
	unsigned k;

	/* one allocation, its pages mapped in one call: an area can hold
	 * 100,000 generations, and on the VM this was measured on each page
	 * faulted in one at a time cost some 10 us */
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			cap += 1 + set->devs[i].mda[k].n_gens;
	if (set->opts.want_generation)
		cap += set->n_loose;
	c = malloc(cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	mlvm_prefault(c, cap * sizeof(*c));
	for (i = 0; i < set->n_devs; i++) {
		for (k = 0; k < set->devs[i].n_mda; k++) {
			struct mlvm_pvdev *d = &set->devs[i];
			struct mlvm_mda_info *m = &d->mda[k];

			if (m->has_text && m->peek_ok) {
				c[n] = (struct cand){ .dev = d, .mda = m, .vg_id = m->vg_id,
						      .vg_name = m->vg_name, .seqno = m->seqno,
						      .good = mda_usable(m) };
				n++;
			} else if (m->has_text && !m->head_reported) {
				m->head_reported = true;
				mlvm_warn(&set->report, "text_parse", d->src->name,
					  (int64_t)(m->abs + m->hdr.rl[0].offset),
					  "metadata area %d committed text does not start with a volume group name, id and seqno",
					  m->index);
			}
			/* newest first, as they are sorted: the area's generations
			 * come by VG id and seqno (carve.c), so this is one run */
			for (g = m->n_gens; g-- > 0;) {
				const struct mlvm_generation *gen = &m->gens[g];

				if (!gen->vg_id[0] || !gen->seqno_known)
					continue;
				c[n] = (struct cand){ .dev = d, .mda = m, .gen = gen,
						      .vg_id = gen->vg_id, .vg_name = gen->vg_name,
						      .seqno = gen->seqno,
						      .good = gen->complete && gen->parse_ok &&
							      gen->checksum_ok != 0 && !set->opts.strict };
				n++;
			}
		}
	}
	/* copies outside the rings: candidates for --generation only, never
	 * for the current state (an archive file is not what the PVs commit) */
	for (i = 0; i < set->n_loose && set->opts.want_generation; i++) {
		const struct mlvm_loose *l = set->loose[i];

		if (l->duplicate || !l->g.vg_id[0] || !l->g.seqno_known)
			continue;
		c[n++] = (struct cand){ .gen = &l->g, .loose = l, .vg_id = l->g.vg_id,
					.vg_name = l->g.vg_name, .seqno = l->g.seqno,
					.good = l->g.complete && l->g.parse_ok };
	}
	/* each area's generations come sorted (carve.c), newest last: runs */
	mlvm_sort_runs(c, n, sizeof(*c), cmp_cand, NULL);
	*out = c;
	*n_out = n;
	return 0;
}

static bool vg_assembled(const struct mlvm_set *set, const char *id)
{
	size_t i;

	for (i = 0; i < set->n_vgs; i++)
		if (set->vgs[i]->id && !strcmp(set->vgs[i]->id, id))
			return true;
	return false;
}

/* some copy of the group c[0..n) was found on a PV from index first on */
static bool group_has_new(const struct mlvm_set *set, const struct cand *c, size_t n, size_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((size_t)(c[i].dev - set->devs) >= first)
			return true;
	return false;
}

/* --generation is for the VG of the group c[0..n) (generation_vg names it
 * by any of the names its copies give, or is not set) */
static bool generation_of(const struct mlvm_set *set, const struct cand *c, size_t n)
{
	size_t i;

	if (!set->opts.want_generation || !set->opts.generation_vg)
		return true;
	for (i = 0; i < n; i++)
		if (mlvm_vgspec_match(set->opts.generation_vg, c[i].vg_name, c[i].vg_id))
			return true;
	return false;
}

/*
 * The group c[0..n) of a VG that --generation is not for: assembled as it
 * is now, from the rings only (copies outside them are candidates for a
 * generation, never for the current state).
 */
static int assemble_now(struct mlvm_set *set, struct cand *c, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!c[i].loose)
			c[k++] = c[i];	/* the order (cmp_cand) is kept */
	if (!k)
		return 0;
	return assemble_group(set, c, k, false);
}

/*
 * Assemble every VG the copies found so far describe and that is not
 * assembled yet, considering only VGs with a copy on a PV found in this
 * round (index first on; earlier rounds said all there was to say about
 * the others). With final, say which VGs could not be read at all.
 */
static int assemble_pending(struct mlvm_set *set, bool final, size_t first)
{
	struct cand *c = NULL;
	size_t n = 0, start, j;
	bool now;
	int rc;

	rc = collect(set, &c, &n);
	if (rc)
		return rc;
	for (start = 0; start < n && !rc; start = j) {
		for (j = start + 1; j < n && !strcmp(c[j].vg_id, c[start].vg_id); j++)
			;
		if (vg_assembled(set, c[start].vg_id) || !group_has_new(set, c + start, j - start, first))
			continue;
		now = !generation_of(set, c + start, j - start);
		rc = now ? assemble_now(set, c + start, j - start) :
			   assemble_group(set, c + start, j - start, set->opts.want_generation);
		if (!rc && final && (now || !set->opts.want_generation) && !vg_assembled(set, c[start].vg_id))
			mlvm_warn(&set->report, "vg_unreadable", cand_image(&c[start]), -1,
				  "vg %s (%s): no metadata copy has a good checksum and parses",
				  c[start].vg_name, c[start].vg_id);
	}
	free(c);
	return rc;
}

/*
 * VGs that no metadata area holds but copies outside the rings do: not
 * assembled (an archive file or a stray copy is not what the PVs commit),
 * a notice each naming the newest such copy and --generation.
 */
static int loose_only_notices(struct mlvm_set *set)
{
	struct mlvm_gen_ref *r;
	size_t n, i, j;
	int rc;

	if (!set->n_loose)
		return 0;
	rc = mlvm_set_generations(set, &r, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i = j) {
		const struct mlvm_gen_ref *newest = NULL;
		size_t mark = set->report.n;
		char where[600];

		for (j = i; j < n && !strcmp(r[j].g->vg_id, r[i].g->vg_id); j++)
			if (r[j].loose && !r[j].loose->duplicate && r[j].g->seqno_known)
				newest = &r[j];
		if (!newest || !r[i].g->vg_id[0] || vg_assembled(set, r[i].g->vg_id))
			continue;
		mlvm_notice(&set->report, "vg_loose_only", mlvm_gen_ref_image(newest),
			    newest->loose->origin == MLVM_ORIGIN_FILE ? -1 :
			    (int64_t)mlvm_gen_ref_offset(newest),
			    "vg %s (%s) is in no metadata area of the images given, only in copies found elsewhere (the newest: seqno %llu, %s): read it as of a generation (--generation SEQNO)",
			    newest->g->vg_name, newest->g->vg_id, (unsigned long long)newest->g->seqno,
			    mlvm_gen_ref_origin(newest, where, sizeof(where)));
		mlvm_report_tie_vg(&set->report, mark, newest->g->vg_name, newest->g->vg_id);
	}
	free(r);
	return 0;
}

/*
 * PVs found inside LVs (a later round) that are copies of a PV, or hold the
 * metadata of a VG, assembled in an earlier round: the copy found first (the
 * outer one) is the one used; say so and never merge them.
 */
static void nested_copies(struct mlvm_set *set, size_t first)
{
	size_t i, v;
	uint32_t p;

	for (i = first; i < set->n_devs; i++) {
		struct mlvm_pvdev *d = &set->devs[i];
		char where[300], uuid[39];

		if (d->vg_index >= 0)
			continue;
		for (v = 0; v < set->n_vgs; v++) {
			const struct mlvm_vg *vg = set->vgs[v];
			const struct mlvm_pv *same = NULL;

			for (p = 0; p < vg->n_pvs && !same && d->uuid[0]; p++) {
				char raw[33];

				if (!vg->pvs[p].id)
					continue;
				raw_uuid_strip(vg->pvs[p].id, raw);
				if (!strcmp(raw, d->uuid))
					same = &vg->pvs[p];
			}
			if (!same && !(vg->id && dev_holds_vg(d, vg->id)))
				continue;
			d->vg_index = (int)v;
			d->used = false;
			mlvm_uuid_format(d->uuid, strlen(d->uuid), uuid);
			if (same)
				mlvm_warn(&set->report, "nested_duplicate_pv", d->src->name, (int64_t)d->base,
					  "%s is a copy of pv %s (%s) of vg %s, which was found outside it (%s at byte %llu): the outer one is used, this copy is not",
					  dev_where(d, where, sizeof(where)), same->name, uuid, vg->name,
					  same->src ? same->src->name : "missing",
					  (unsigned long long)same->offset);
			else
				mlvm_warn(&set->report, "nested_duplicate_pv", d->src->name, (int64_t)d->base,
					  "%s holds metadata of vg %s (%s), which was assembled from the PVs found outside it: not merged, not used",
					  dev_where(d, where, sizeof(where)), vg->name, vg->id);
			break;
		}
	}
}

static int assemble_more(struct mlvm_set *set);

int mlvm_set_assemble_more(struct mlvm_set *set)
{
	int rc = assemble_more(set);

	drop_kept_texts(set);
	return rc;
}

static int assemble_more(struct mlvm_set *set)
{
	struct mlvm_partition_table *t;
	size_t i, first = set->n_devs, probed = set->n_probed;
	unsigned k;
	bool more;
	int rc = 0;

	t = realloc(set->tables, (set->n_srcs ? set->n_srcs : 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	set->tables = t;
	if (set->n_srcs > probed)
		memset(t + probed, 0, (set->n_srcs - probed) * sizeof(*t));
	set->n_probed = set->n_srcs;
	for (i = probed; i < set->n_srcs; i++) {
		rc = probe_source(set, i);
		if (rc)
			return rc;
	}
	/*
	 * Carve what has to be: every area when asked; otherwise, outside
	 * --strict, the areas whose header is damaged or whose committed copy
	 * cannot be used.
	 */
	for (i = first; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++) {
			struct mlvm_mda_info *m = &set->devs[i].mda[k];

			if (set->opts.carve ||
			    (!set->opts.strict && !m->ignored && !mda_usable(m) &&
			     (mda_has_slot(m) || !m->header_ok)))
				carve_mda(set, &set->devs[i], m);
		}
	if (set->opts.carve_anywhere && !probed) {	/* the images given, once */
		rc = mlvm_set_carve_images(set);
		if (rc)
			return rc;
	}
	/* the files added before the rings were carved are copies of a ring
	 * generation or not: decided now, before any becomes a candidate */
	rc = mlvm_set_mark_duplicates(set);
	if (rc)
		return rc;
	rc = assemble_pending(set, false, first);
	/* committed copies with a good crc that did not load: their rings next */
	more = false;
	for (i = first; i < set->n_devs && !rc && !set->opts.strict; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			if (set->devs[i].mda[k].load_failed && !set->devs[i].mda[k].carved) {
				carve_mda(set, &set->devs[i], &set->devs[i].mda[k]);
				more = true;
			}
	if (more && !rc)
		rc = assemble_pending(set, false, first);
	/* last resort: the ignored areas of PVs still without a VG */
	for (i = first; i < set->n_devs && !rc && !set->opts.strict; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			if (set->devs[i].vg_index < 0 && set->devs[i].mda[k].ignored &&
			    !set->devs[i].mda[k].carved)
				carve_mda(set, &set->devs[i], &set->devs[i].mda[k]);
	if (!rc)
		rc = assemble_pending(set, true, first);
	if (!rc && first)
		nested_copies(set, first);
	return rc;
}

/* copy_choice: the --copy-at place holds no copy of the generation asked
 * for; the copies of that seqno are named */
static int copy_choice_unused(struct mlvm_set *set)
{
	const struct mlvm_copy_choice *ch = set->opts.copy_at;
	struct mlvm_gen_ref *r;
	struct mlvm_buf b = { 0 };
	size_t n, i;
	int rc = mlvm_set_generations(set, &r, &n);

	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if (!r[i].g->seqno_known || r[i].g->seqno != set->opts.generation ||
		    (r[i].loose && r[i].loose->duplicate))
			continue;
		mlvm_buf_printf(&b, "%s%s %s@%llu", b.len ? ", " : "", r[i].g->vg_name,
				mlvm_gen_ref_image(&r[i]),
				(unsigned long long)(r[i].loose && r[i].loose->origin == MLVM_ORIGIN_FILE ?
						     0 : mlvm_gen_ref_offset(&r[i])));
	}
	mlvm_error(&set->report, "copy_choice", ch->image, (int64_t)ch->offset,
		   "--copy-at %s@%llu: no copy of generation %llu starts there; its copies: %s",
		   ch->image, (unsigned long long)ch->offset, (unsigned long long)set->opts.generation,
		   b.len ? b.data : "none");
	mlvm_buf_free(&b);
	free(r);
	set->copy_at_refused = true;
	return 0;
}

int mlvm_set_assemble_finish(struct mlvm_set *set)
{
	size_t i;
	int rc;

	rc = mlvm_set_mark_duplicates(set);	/* against the rings carved since */
	if (!rc && set->opts.carve_anywhere)
		rc = mlvm_set_place_loose(set);
	if (!rc && !set->opts.want_generation)
		rc = loose_only_notices(set);
	if (rc)
		return rc;
	/* --pv choices that name no PV of any VG found */
	for (i = 0; i < set->opts.n_pv_choices; i++) {
		const struct mlvm_pv_choice *ch = &set->opts.pv_choices[i];
		size_t v;
		uint32_t p;
		bool named = false;

		for (v = 0; v < set->n_vgs && !named; v++)
			for (p = 0; p < set->vgs[v]->n_pvs && !named; p++)
				named = set->vgs[v]->pvs[p].id && choice_for(set, &set->vgs[v]->pvs[p]) == ch;
		if (!named)
			mlvm_error(&set->report, "pv_choice", ch->image, -1,
				   "--pv %s=%s: no volume group found has a PV of that uuid or name",
				   ch->pv, ch->image);
	}
	/* a --copy-at that names no copy of any VG */
	if (set->opts.want_generation && set->opts.copy_at && !set->copy_at_used &&
	    !set->copy_at_refused && !set->opts.copy_at_lenient) {
		rc = copy_choice_unused(set);
		if (rc)
			return rc;
	}
	/* VGs that share a name, as LVM2 warns about them */
	for (i = 0; i < set->n_vgs; i++) {
		const struct mlvm_vg *a = set->vgs[i];
		size_t j2, k2;
		bool first = true;

		if (a->gone)
			continue;
		for (k2 = 0; k2 < i && first; k2++)
			if (!set->vgs[k2]->gone && !strcmp(set->vgs[k2]->name, a->name))
				first = false;	/* reported with the first of its name */
		for (j2 = i + 1; j2 < set->n_vgs && first; j2++) {
			const struct mlvm_vg *b = set->vgs[j2];

			if (strcmp(a->name, b->name) || !a->id || !b->id || !strcmp(a->id, b->id) ||
			    a->gone || b->gone)
				continue;
			mlvm_warn(&set->report, "vg_name_duplicate", b->source.image, -1,
				  "vg name %s is used by two volume groups, %s@%s (read from %s) and %s@%s (read from %s): name one as NAME@UUID or by its uuid (--vg, --lv VG/LV)",
				  a->name, a->name, a->id, a->source.image ? a->source.image : "?",
				  b->name, b->id, b->source.image ? b->source.image : "?");
		}
	}
	/* PVs found that belong to no VG that was assembled */
	for (i = 0; i < set->n_devs; i++) {
		char where[300];

		const struct mlvm_pvdev *d = &set->devs[i];

		if (d->vg_index >= 0)
			continue;
		if (d->has_label && !d->n_mda && d->label.has_ext && (d->label.ext_flags & 1))
			mlvm_notice(&set->report, "pv_no_mda", d->src->name, (int64_t)d->base,
				    "%s has no metadata area and its label says it is in a volume group: that VG's metadata is on its other PVs, which are not among the images given",
				    dev_where(d, where, sizeof(where)));
		else
			mlvm_notice(&set->report, "pv_orphan", d->src->name, (int64_t)d->base,
				    "%s belongs to no volume group found", dev_where(d, where, sizeof(where)));
	}
	return (int)set->n_vgs;
}

int mlvm_set_assemble(struct mlvm_set *set)
{
	int rc = mlvm_set_assemble_more(set);

	return rc ? rc : mlvm_set_assemble_finish(set);
}

static int cmp_gen_ref(const void *a, const void *b, void *arg)
{
	const struct mlvm_gen_ref *x = a, *y = b;
	int c = strcmp(x->g->vg_id, y->g->vg_id);

	if (c)
		return c;
	if (x->g->seqno_known != y->g->seqno_known)
		return x->g->seqno_known ? 1 : -1;
	if (x->g->seqno != y->g->seqno)
		return x->g->seqno < y->g->seqno ? -1 : 1;
	if (x->loose || y->loose)
		return cmp_loose(x->loose, y->loose);
	c = dev_cmp(x->dev, y->dev);
	if (c)
		return c;
	if (x->mda->index != y->mda->index)
		return x->mda->index - y->mda->index;
	return x->g->offset < y->g->offset ? -1 : x->g->offset > y->g->offset;
}

enum mlvm_gen_state mlvm_generation_state(const struct mlvm_generation *g)
{
	if (g->fragment)
		return MLVM_GEN_FRAGMENT;
	if (!g->complete)
		return MLVM_GEN_INCOMPLETE;
	if (g->checksum_ok == 0)
		return MLVM_GEN_BAD_CHECKSUM;
	if (!g->parse_ok)
		return MLVM_GEN_UNPARSABLE;
	return MLVM_GEN_OK;
}

const char *mlvm_gen_state_name(enum mlvm_gen_state s)
{
	static const char *const names[MLVM_GEN_N_STATES] = {
		[MLVM_GEN_OK] = "ok",
		[MLVM_GEN_BAD_CHECKSUM] = "bad-checksum",
		[MLVM_GEN_UNPARSABLE] = "unparsable",
		[MLVM_GEN_INCOMPLETE] = "incomplete",
		[MLVM_GEN_FRAGMENT] = "fragment",
	};

	return (unsigned)s < MLVM_GEN_N_STATES ? names[s] : NULL;
}

/* is g a copy of the generation of like (NULL: of any)? */
static bool copy_of(const struct mlvm_generation *g, const struct mlvm_generation *like)
{
	return !like || (g->seqno_known && like->seqno_known && g->seqno == like->seqno &&
			 !strcmp(g->vg_id, like->vg_id));
}

/* the generations of the set, or the copies of like's, sorted */
static int list_generations(const struct mlvm_set *set, const struct mlvm_generation *like,
			    struct mlvm_gen_ref **out, size_t *n)
{
	struct mlvm_gen_ref *r;
	size_t total = 0, i, g, o = 0;
	unsigned k;

	*out = NULL;
	*n = 0;
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			total += set->devs[i].mda[k].n_gens;
	total += set->n_loose;
	if (!total)
		return 0;
	r = malloc(total * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			for (g = 0; g < set->devs[i].mda[k].n_gens; g++)
				if (copy_of(&set->devs[i].mda[k].gens[g], like))
					r[o++] = (struct mlvm_gen_ref){ &set->devs[i], &set->devs[i].mda[k],
									&set->devs[i].mda[k].gens[g], NULL };
	for (i = 0; i < set->n_loose; i++)
		if (copy_of(&set->loose[i]->g, like))
			r[o++] = (struct mlvm_gen_ref){ NULL, NULL, &set->loose[i]->g, set->loose[i] };
	if (!o) {
		free(r);
		return 0;
	}
	/* each area's generations are sorted already (carve.c): runs */
	mlvm_sort_runs(r, o, sizeof(*r), cmp_gen_ref, NULL);
	*out = r;
	*n = o;
	return 0;
}

int mlvm_set_generations(const struct mlvm_set *set, struct mlvm_gen_ref **out, size_t *n)
{
	return list_generations(set, NULL, out, n);
}

int mlvm_set_copies_of(const struct mlvm_set *set, const struct mlvm_generation *g,
		       struct mlvm_gen_ref **out, size_t *n)
{
	if (!g->seqno_known || !g->vg_id[0]) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	return list_generations(set, g, out, n);
}

/* the bytes of mda the carver sees: MLVM_CARVE_MAX_AREA at most, cut at
 * the end of the image; -ERANGE when the area starts past it */
static int area_size(const struct mlvm_pvdev *dev, const struct mlvm_mda_info *mda, uint64_t *size)
{
	*size = mda->size;
	if (*size > MLVM_CARVE_MAX_AREA)
		*size = MLVM_CARVE_MAX_AREA;
	if (mda->abs > dev->meta->size)
		return -ERANGE;
	if (*size > dev->meta->size - mda->abs)
		*size = dev->meta->size - mda->abs;
	return 0;
}

int mlvm_area_view_open(const struct mlvm_pvdev *dev, const struct mlvm_mda_info *mda,
			struct mlvm_area_view *v)
{
	uint64_t size;
	const void *map;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = area_size(dev, mda, &size);
	if (rc)
		return rc;
	if (!mlvm_source_map(dev->meta, mda->abs, (size_t)size, MLVM_MAP_WHOLE, &map,
			     &v->cookie)) {
		v->buf = map;
	} else {
		v->cookie = NULL;
		v->owned = malloc((size_t)size ? (size_t)size : 1);
		if (!v->owned)
			return -ENOMEM;
		rc = mlvm_source_read(dev->meta, v->owned, (size_t)size, mda->abs);
		if (rc) {
			mlvm_area_view_close(v);
			return rc;
		}
		v->buf = v->owned;
	}
	v->size = (size_t)size;
	return 0;
}

void mlvm_area_view_close(struct mlvm_area_view *v)
{
	if (v->cookie)
		mlvm_source_unmap(v->cookie);
	free(v->owned);
	memset(v, 0, sizeof(*v));
}

int mlvm_set_generation_text(struct mlvm_set *set, const struct mlvm_pvdev *dev,
			     const struct mlvm_mda_info *mda,
			     const struct mlvm_generation *g, char **text, size_t *len)
{
	uint64_t size;
	int rc;

	(void)set;
	*text = NULL;
	/* the area as mlvm_area_view_open (and the carver) sees it; only the
	 * generation's bytes are read (history reads thousands of them) */
	rc = area_size(dev, mda, &size);
	if (rc)
		return rc;
	return mlvm_carve_text_read(dev->meta, mda->abs, (size_t)size, g, text, len);
}

int mlvm_set_vg_text(struct mlvm_set *set, const struct mlvm_vg *vg, char **text, size_t *len)
{
	const struct mlvm_text_source *ts = &vg->source;
	int rc;

	*text = NULL;
	if (ts->loose) {
		struct mlvm_gen_ref r = { NULL, NULL, ts->gen, ts->loose };

		return mlvm_gen_ref_text(set, &r, text, len);
	}
	if (!ts->dev || !ts->mda_info)
		return -ENOENT;
	if (ts->gen)
		return mlvm_set_generation_text(set, ts->dev, ts->mda_info, ts->gen, text, len);
	{
		struct mlvm_ring_span sp = committed_span(ts->mda_info);

		rc = mlvm_ring_read(ts->dev->meta, &sp, text);
		if (rc)
			return rc;
		*len = strnlen(*text, (size_t)sp.size);
	}
	return 0;
}

const struct mlvm_pvdev *mlvm_set_pv_dev(const struct mlvm_set *set, const struct mlvm_pv *pv)
{
	size_t i;

	for (i = 0; i < set->n_devs; i++)
		if (set->devs[i].src == pv->src && set->devs[i].base == pv->offset)
			return &set->devs[i];
	return NULL;
}
