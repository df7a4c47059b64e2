/*
 * assemble.c - from images to volume groups.
 *
 * 1. every image: the label in sectors 0..3 and its pv_header;
 * 2. every metadata area the label lists: its header and committed slot,
 *    the slot's text checked against its CRC, and the VG name, id and seqno
 *    read from the first bytes of the text;
 * 3. per VG id: the best copy (highest seqno, good CRC, parses) is read
 *    in full and turned into the model; disagreeing copies are reported;
 * 4. the VG's PVs are matched to the PVs found, by uuid.
 */
#include "assemble.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

#define PEEK_BYTES 4096u

struct mlvm_set *mlvm_set_new(const struct mlvm_open_opts *opts)
{
	struct mlvm_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	mlvm_report_init(&set->report);
	if (opts)
		set->opts = *opts;
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
	int rc = mlvm_source_open(path, 0, &src);

	if (rc) {
		mlvm_error(&set->report, "open", path, -1, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	return mlvm_set_add_source(set, src);
}

void mlvm_set_free(struct mlvm_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n_vgs; i++)
		mlvm_vg_free(set->vgs[i]);
	free(set->vgs);
	for (i = 0; i < set->n_srcs; i++)
		mlvm_source_close(set->srcs[i]);
	free(set->srcs);
	free(set->devs);
	mlvm_report_free(&set->report);
	free(set);
}

/* ------------------------------------------------------------ discovery */

static void raw_uuid_strip(const char *in, char out[33])
{
	size_t o = 0;

	for (; *in && o < 32; in++)
		if (*in != '-')
			out[o++] = *in;
	out[o] = '\0';
}

/* read the VG name, id and seqno from the first bytes of a copy */
static void peek_text(struct mlvm_source *s, const struct mlvm_ring_span *sp,
		      struct mlvm_mda_info *m)
{
	struct mlvm_ring_span head = *sp;
	struct cfg_tree *tree = NULL;
	struct cfg_error err;
	const struct cfg_node *n;
	const char *id;
	int64_t seq;
	char *buf;

	if (head.size > PEEK_BYTES)
		head.size = PEEK_BYTES;
	if (mlvm_ring_read(s, &head, &buf))
		return;
	if (cfg_parse_lenient(buf, (size_t)head.size, &tree, &err) < 0) {
		free(buf);
		return;
	}
	for (n = tree->root->v.child; n; n = n->next) {
		if (n->type != CFG_SECTION || cfg_get_str(n, "id", &id))
			continue;
		snprintf(m->vg_name, sizeof(m->vg_name), "%s", n->key);
		snprintf(m->vg_id, sizeof(m->vg_id), "%s", id);
		if (!cfg_get_int(n, "seqno", &seq) && seq >= 0) {
			m->seqno = (uint64_t)seq;
			m->peek_ok = true;
		}
		break;
	}
	cfg_free(tree);
}

static struct mlvm_ring_span committed_span(const struct mlvm_pvdev *d, const struct mlvm_mda_info *m)
{
	struct mlvm_ring_span sp = {
		.area_abs = m->abs,
		.area_size = m->hdr.size,
		.off = m->hdr.rl[0].offset,
		.size = m->hdr.rl[0].size,
	};

	(void)d;
	return sp;
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

	if (mlvm_source_read(d->src, hb, sizeof(hb), m->abs)) {
		mlvm_warn(r, "mda_outside", img, m->abs,
			  "metadata area %d at offset %llu lies outside the image", m->index,
			  (unsigned long long)m->abs);
		return;
	}
	m->header_read = true;
	mlvm_mda_header_parse(hb, m->abs - d->base, &m->hdr);
	if (!m->hdr.magic_ok) {
		mlvm_warn(r, m->hdr.journalled ? "mda_journalled" : "mda_magic", img, m->abs + 4,
			  m->hdr.journalled ?
			  "metadata area %d header has the xenvm journalled magic \"JOURNALLED!1!1!!\"" :
			  "metadata area %d header has a bad magic", m->index);
	}
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
	m->header_ok = mlvm_mda_header_ok(&m->hdr);
	if (!m->header_ok) {
		mlvm_warn(r, "mda_header", img, m->abs,
			  "metadata area %d header is not usable, its text is not read", m->index);
		return;
	}
	if (m->hdr.rl[1].offset || m->hdr.rl[1].size)
		mlvm_warn(r, "mda_precommitted", img, m->abs + 64,
			  "metadata area %d has a precommitted copy (a command died between precommit and commit)",
			  m->index);
	m->ignored = m->hdr.rl[0].flags & MLVM_RAW_LOCN_IGNORED;
	if (m->ignored) {
		mlvm_notice(r, "mda_ignored", img, m->abs + 40,
			    "metadata area %d is marked ignored", m->index);
		return;
	}
	if (m->hdr.rl[0].offset == 0 && m->hdr.rl[0].size == 0)
		return;		/* no VG: a fresh PV or a removed VG */
	sp = committed_span(d, m);
	if (mlvm_ring_check(&sp, d->src->size, &why)) {
		mlvm_warn(r, "mda_locn", img, m->abs + 40,
			  "metadata area %d committed slot (offset %llu, size %llu): %s",
			  m->index, (unsigned long long)sp.off, (unsigned long long)sp.size, why);
		return;
	}
	m->has_text = true;
	rc = mlvm_ring_crc(d->src, &sp, &crc);
	if (rc) {
		mlvm_warn(r, "text_read", img, m->abs + sp.off,
			  "cannot read metadata area %d text: %s", m->index, strerror(-rc));
		m->has_text = false;
		return;
	}
	m->text_crc_ok = crc == m->hdr.rl[0].checksum;
	if (!m->text_crc_ok)
		mlvm_warn(r, "text_crc", img, m->abs + sp.off,
			  "metadata area %d text crc mismatch: stored 0x%08x, computed 0x%08x",
			  m->index, m->hdr.rl[0].checksum, crc);
	peek_text(d->src, &sp, m);
}

static int probe_source(struct mlvm_set *set, struct mlvm_source *src)
{
	struct mlvm_report *r = &set->report;
	struct mlvm_pvdev *d, *p;
	struct mlvm_label lab;
	unsigned i;
	int rc;

	rc = mlvm_label_find_ex(src, 0, set->opts.strict ? MLVM_LABEL_STRICT : 0, &lab, r);
	if (rc == -ENOENT) {
		mlvm_warn(r, "no_label", src->name, 0, "no LVM2 label in sectors 0-3 of %s", src->name);
		return 0;
	}
	if (rc) {
		mlvm_error(r, "read", src->name, 0, "cannot read %s: %s", src->name, strerror(-rc));
		return 0;
	}
	p = realloc(set->devs, (set->n_devs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	set->devs = p;
	d = &set->devs[set->n_devs++];
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->base = 0;
	d->label = lab;
	d->vg_index = -1;
	if (lab.device_size > src->size - d->base)
		mlvm_warn(r, "image_truncated", src->name, (int64_t)(lab.sector * MLVM_SECTOR_SIZE + 64),
			  "label says the PV is %llu bytes, but the image holds only %llu: the image is cut short",
			  (unsigned long long)lab.device_size,
			  (unsigned long long)(src->size - d->base));
	else if (lab.device_size && lab.device_size != src->size - d->base)
		mlvm_notice(r, "pv_size", src->name, (int64_t)(lab.sector * MLVM_SECTOR_SIZE + 64),
			    "label says the PV is %llu bytes, the image holds %llu",
			    (unsigned long long)lab.device_size,
			    (unsigned long long)(src->size - d->base));
	for (i = 0; i < lab.n_mda && d->n_mda < MLVM_MAX_MDAS; i++) {
		struct mlvm_mda_info *m = &d->mda[d->n_mda];

		m->index = (int)d->n_mda + 1;
		m->size = lab.mda[i].size;
		if (!mlvm_add_ok(d->base, lab.mda[i].offset, &m->abs)) {
			mlvm_warn(r, "mda_outside", src->name, (int64_t)(lab.sector * MLVM_SECTOR_SIZE),
				  "metadata area offset %llu is impossible",
				  (unsigned long long)lab.mda[i].offset);
			continue;
		}
		d->n_mda++;
		probe_mda(set, d, (unsigned)(d->n_mda - 1));
	}
	if (lab.n_mda > MLVM_MAX_MDAS)
		mlvm_warn(r, "label_lists", src->name, (int64_t)(lab.sector * MLVM_SECTOR_SIZE),
			  "label lists %u metadata areas; only the first %u are read",
			  lab.n_mda, MLVM_MAX_MDAS);
	return 0;
}

/* ------------------------------------------------------------ choosing */

struct cand {
	struct mlvm_pvdev *dev;
	struct mlvm_mda_info *mda;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->mda->vg_id, y->mda->vg_id);

	if (c)
		return c;
	if (x->mda->text_crc_ok != y->mda->text_crc_ok)
		return x->mda->text_crc_ok ? -1 : 1;
	if (x->mda->seqno != y->mda->seqno)
		return x->mda->seqno > y->mda->seqno ? -1 : 1;
	return 0;
}

static void cand_name(const struct cand *c, char *buf, size_t len)
{
	char uuid[39];

	mlvm_uuid_format(c->dev->label.pv_uuid, strlen(c->dev->label.pv_uuid), uuid);
	snprintf(buf, len, "%s mda%d (pv %s)", c->dev->src->name, c->mda->index, uuid);
}

static int load_copy(struct mlvm_set *set, const struct cand *c, struct mlvm_vg **out)
{
	struct mlvm_ring_span sp = committed_span(c->dev, c->mda);
	int64_t where = (int64_t)(sp.area_abs + sp.off);
	char *text;
	int rc;

	*out = NULL;
	rc = mlvm_ring_read(c->dev->src, &sp, &text);
	if (rc) {
		mlvm_warn(&set->report, "text_read", c->dev->src->name, where,
			  "cannot read metadata text: %s", strerror(-rc));
		return rc;
	}
	rc = mlvm_vg_from_text(text, (size_t)sp.size, out, &set->report, c->dev->src->name, where);
	if (rc)
		return rc;
	(*out)->source.image = c->dev->src->name;
	memcpy((*out)->source.pv_id, c->dev->label.pv_uuid, sizeof((*out)->source.pv_id));
	(*out)->source.mda = c->mda->index;
	(*out)->source.offset = (uint64_t)where;
	(*out)->source.size = sp.size;
	(*out)->source.checksum = c->mda->hdr.rl[0].checksum;
	(*out)->source.wrapped = mlvm_ring_wraps(&sp);
	return 0;
}

/* attach the PVs found to the VG's PVs by uuid */
static void attach_pvs(struct mlvm_set *set, struct mlvm_vg *vg, int vg_index)
{
	uint32_t i;
	size_t j;

	for (i = 0; i < vg->n_pvs; i++) {
		struct mlvm_pv *pv = &vg->pvs[i];
		uint64_t bytes;
		char raw[33];

		if (!pv->id)
			continue;
		raw_uuid_strip(pv->id, raw);
		for (j = 0; j < set->n_devs; j++) {
			struct mlvm_pvdev *d = &set->devs[j];

			if (strcmp(d->label.pv_uuid, raw))
				continue;
			if (!pv->missing) {
				mlvm_warn(&set->report, "pv_duplicate", d->src->name, (int64_t)d->base,
					  "pv %s (%s) found again in %s; the first one found is used",
					  pv->name, pv->id, d->src->name);
				continue;
			}
			pv->missing = false;
			pv->src = d->src;
			pv->offset = d->base;
			d->vg_index = vg_index;
			if (pv->dev_size && d->label.device_size &&
			    (!mlvm_mul_ok(pv->dev_size, 512, &bytes) ||
			     bytes > d->label.device_size))
				mlvm_warn(&set->report, "pv_size", d->src->name, (int64_t)d->base,
					  "pv %s: metadata says %llu sectors, label says %llu bytes",
					  pv->name, (unsigned long long)pv->dev_size,
					  (unsigned long long)d->label.device_size);
		}
		if (pv->missing)
			mlvm_warn(&set->report, "pv_missing", NULL, -1,
				  "vg %s: pv %s (%s, last seen as %s) is missing from the images given",
				  vg->name, pv->name, pv->id, pv->device ? pv->device : "?");
	}
}

static int assemble_group(struct mlvm_set *set, struct cand *c, size_t n)
{
	struct mlvm_vg *vg = NULL, **p;
	size_t i, chosen = n;
	char a[300], b[300];

	for (i = 0; i < n; i++) {
		if (!c[i].mda->text_crc_ok)
			break;
		if (i > 0 && c[i].mda->seqno == c[i - 1].mda->seqno &&
		    c[i].mda->hdr.rl[0].checksum == c[i - 1].mda->hdr.rl[0].checksum &&
		    c[i].mda->hdr.rl[0].size == c[i - 1].mda->hdr.rl[0].size)
			continue;	/* same text as the one that just failed */
		if (load_copy(set, &c[i], &vg) == 0) {
			chosen = i;
			break;
		}
	}
	if (!vg) {
		mlvm_warn(&set->report, "vg_unreadable", c[0].dev->src->name, -1,
			  "vg %s (%s): no metadata copy has a good checksum and parses",
			  c[0].mda->vg_name, c[0].mda->vg_id);
		return 0;
	}
	cand_name(&c[chosen], a, sizeof(a));
	for (i = 0; i < n; i++) {
		if (i == chosen || !c[i].mda->text_crc_ok)
			continue;
		if (c[i].mda->seqno == vg->seqno &&
		    c[i].mda->hdr.rl[0].checksum == c[chosen].mda->hdr.rl[0].checksum)
			continue;
		cand_name(&c[i], b, sizeof(b));
		mlvm_warn(&set->report, c[i].mda->seqno == vg->seqno ? "mda_conflict" : "mda_stale",
			  c[i].dev->src->name, (int64_t)c[i].mda->abs,
			  "vg %s: %s holds seqno %llu, %s; using seqno %llu from %s",
			  vg->name, b, (unsigned long long)c[i].mda->seqno,
			  c[i].mda->seqno == vg->seqno ? "with different text" :
			  c[i].mda->seqno > vg->seqno ? "newer but unusable" : "older",
			  (unsigned long long)vg->seqno, a);
	}
	p = realloc(set->vgs, (set->n_vgs + 1) * sizeof(*p));
	if (!p) {
		mlvm_vg_free(vg);
		return -ENOMEM;
	}
	set->vgs = p;
	set->vgs[set->n_vgs] = vg;
	attach_pvs(set, vg, (int)set->n_vgs);
	set->n_vgs++;
	return 0;
}

int mlvm_set_assemble(struct mlvm_set *set)
{
	struct cand *c = NULL;
	size_t i, j, n = 0, start;
	unsigned k;
	int rc = 0;

	for (i = 0; i < set->n_srcs; i++) {
		rc = probe_source(set, set->srcs[i]);
		if (rc)
			return rc;
	}
	c = calloc(set->n_devs * MLVM_MAX_MDAS + 1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++) {
			struct mlvm_mda_info *m = &set->devs[i].mda[k];

			if (!m->has_text)
				continue;
			if (!m->peek_ok) {
				mlvm_warn(&set->report, "text_head", set->devs[i].src->name,
					  (int64_t)(m->abs + m->hdr.rl[0].offset),
					  "metadata area %d text does not start with a volume group name, id and seqno",
					  m->index);
				continue;
			}
			c[n].dev = &set->devs[i];
			c[n].mda = m;
			n++;
		}
	qsort(c, n, sizeof(*c), cmp_cand);
	for (start = 0; start < n; start = j) {
		for (j = start + 1; j < n && !strcmp(c[j].mda->vg_id, c[start].mda->vg_id); j++)
			;
		rc = assemble_group(set, c + start, j - start);
		if (rc)
			break;
	}
	free(c);
	/* PVs that carry a label but belong to no VG that was assembled */
	for (i = 0; i < set->n_devs && !rc; i++) {
		struct mlvm_pvdev *d = &set->devs[i];
		char uuid[39];

		if (d->vg_index >= 0)
			continue;
		mlvm_uuid_format(d->label.pv_uuid, strlen(d->label.pv_uuid), uuid);
		mlvm_notice(&set->report, "pv_orphan", d->src->name, (int64_t)d->base,
			    "pv %s in %s belongs to no volume group found", uuid, d->src->name);
	}
	return rc ? rc : (int)set->n_vgs;
}
