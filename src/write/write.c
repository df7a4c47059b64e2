/*
 * write.c - the write path: text tree and serializer, names and sizes, PV
 * layout, label and metadata area header bytes, ring placement, commit.
 * See write.h for the rules followed.
 */
#include "write/write.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "base/units.h"
#include "disk/layout.h"
#include "disk/crc.h"
#include "model/vg.h"

/* ------------------------------------------------------------ text tree */

static struct mlvm_wnode *wnode_new(const char *key, enum cfg_type type)
{
	struct mlvm_wnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = (uint8_t)type;
	n->quote = '"';
	if (key && !(n->key = strdup(key))) {
		free(n);
		return NULL;
	}
	return n;
}

void mlvm_wnode_free(struct mlvm_wnode *n)
{
	while (n) {
		struct mlvm_wnode *next = n->next;

		mlvm_wnode_free(n->child);
		free(n->key);
		free(n->s);
		free(n);
		n = next;
	}
}

struct mlvm_wnode *mlvm_wnode_from_cfg(const struct cfg_node *n)
{
	struct mlvm_wnode *w = wnode_new(cfg_key(n), cfg_type(n));
	const struct cfg_node *c;
	struct mlvm_wnode **tail;

	if (!w)
		return NULL;
	switch (cfg_type(n)) {
	case CFG_SECTION:
	case CFG_ARRAY:
		tail = &w->child;
		for (c = cfg_child(n); c; c = cfg_next(c)) {
			if (!(*tail = mlvm_wnode_from_cfg(c))) {
				mlvm_wnode_free(w);
				return NULL;
			}
			tail = &(*tail)->next;
		}
		break;
	case CFG_INT:
		w->i = cfg_int(n);
		break;
	case CFG_FLOAT:
		w->f = cfg_float(n);
		break;
	default:
		w->quote = (char)(cfg_quote(n) ? cfg_quote(n) : '"');
		if (!(w->s = strdup(cfg_str(n) ? cfg_str(n) : ""))) {
			mlvm_wnode_free(w);
			return NULL;
		}
	}
	return w;
}

struct mlvm_wnode *mlvm_wnode_section(const char *key)
{
	return wnode_new(key, CFG_SECTION);
}

struct mlvm_wnode *mlvm_wnode_array(const char *key)
{
	return wnode_new(key, CFG_ARRAY);
}

struct mlvm_wnode *mlvm_wnode_int(const char *key, int64_t v)
{
	struct mlvm_wnode *n = wnode_new(key, CFG_INT);

	if (n)
		n->i = v;
	return n;
}

struct mlvm_wnode *mlvm_wnode_str(const char *key, const char *s)
{
	struct mlvm_wnode *n = wnode_new(key, CFG_STRING);

	if (n && !(n->s = strdup(s))) {
		mlvm_wnode_free(n);
		return NULL;
	}
	return n;
}

struct mlvm_wnode *mlvm_wnode_find(const struct mlvm_wnode *sec, const char *key)
{
	struct mlvm_wnode *c;

	if (!sec)
		return NULL;
	for (c = sec->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

void mlvm_wnode_append(struct mlvm_wnode *parent, struct mlvm_wnode *c)
{
	struct mlvm_wnode **t = &parent->child;

	while (*t)
		t = &(*t)->next;
	c->next = NULL;
	*t = c;
}

void mlvm_wnode_insert_after(struct mlvm_wnode *parent, struct mlvm_wnode *after,
			     struct mlvm_wnode *c)
{
	if (!after) {
		c->next = parent->child;
		parent->child = c;
		return;
	}
	c->next = after->next;
	after->next = c;
}

bool mlvm_wnode_unlink(struct mlvm_wnode *parent, struct mlvm_wnode *c)
{
	struct mlvm_wnode **t;

	for (t = &parent->child; *t; t = &(*t)->next)
		if (*t == c) {
			*t = c->next;
			c->next = NULL;
			return true;
		}
	return false;
}

static void wnode_clear_value(struct mlvm_wnode *n)
{
	mlvm_wnode_free(n->child);
	n->child = NULL;
	free(n->s);
	n->s = NULL;
}

int mlvm_wnode_set_int(struct mlvm_wnode *sec, const char *key, int64_t v)
{
	struct mlvm_wnode *n = mlvm_wnode_find(sec, key);

	if (n) {
		wnode_clear_value(n);
		n->type = CFG_INT;
		n->i = v;
		return 0;
	}
	if (!(n = mlvm_wnode_int(key, v)))
		return -ENOMEM;
	mlvm_wnode_append(sec, n);
	return 0;
}

int mlvm_wnode_set_str(struct mlvm_wnode *sec, const char *key, const char *s)
{
	struct mlvm_wnode *n = mlvm_wnode_find(sec, key);
	char *d;

	if (n) {
		if (!(d = strdup(s)))
			return -ENOMEM;
		wnode_clear_value(n);
		n->type = CFG_STRING;
		n->quote = '"';
		n->s = d;
		return 0;
	}
	if (!(n = mlvm_wnode_str(key, s)))
		return -ENOMEM;
	mlvm_wnode_append(sec, n);
	return 0;
}

size_t mlvm_wnode_count(const struct mlvm_wnode *n)
{
	const struct mlvm_wnode *c;
	size_t k = 0;

	for (c = n ? n->child : NULL; c; c = c->next)
		k++;
	return k;
}

struct mlvm_wnode *mlvm_wnode_vg(const struct mlvm_wnode *root)
{
	struct mlvm_wnode *c;

	for (c = root ? root->child : NULL; c; c = c->next)
		if (c->type == CFG_SECTION)
			return c;
	return NULL;
}

/* ------------------------------------------------------------ serializer */

/*
 * Where a section sits decides its blank lines (LVM2's export.c prints them
 * at fixed places): the VG section, the physical_volumes/logical_volumes
 * lists, a PV, an LV, a segment, anything else.
 */
enum sec_kind { K_VG, K_LIST, K_PV, K_LV, K_SEG, K_PLAIN };

struct out {
	struct mlvm_buf *b;
	int err;
};

static void put(struct out *o, const char *s)
{
	if (!o->err && mlvm_buf_append(o->b, s, strlen(s)))
		o->err = -ENOMEM;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->err = -ENOMEM;
		return;
	}
	put(o, s);
	free(s);
}

static void put_scalar(struct out *o, const struct mlvm_wnode *n)
{
	const char *p;

	switch (n->type) {
	case CFG_INT:
		putf(o, "%lld", (long long)n->i);
		break;
	case CFG_FLOAT:
		putf(o, "%f", n->f);
		break;
	case CFG_WORD:
		put(o, n->s ? n->s : "");
		break;
	case CFG_STRING:
		if (n->quote == '\'') {
			putf(o, "'%s'", n->s ? n->s : "");
			break;
		}
		put(o, "\"");
		for (p = n->s ? n->s : ""; *p; p++) {
			char c[3] = { '\\', *p, 0 };

			put(o, (*p == '"' || *p == '\\') ? c : c + 1);
		}
		put(o, "\"");
		break;
	default:
		break;
	}
}

static bool is_area_array(const struct mlvm_wnode *n)
{
	static const char *const keys[] = { "stripes", "mirrors", "raids", "raid0_lvs", NULL };
	const char *const *k;

	for (k = keys; *k; k++)
		if (!strcmp(n->key, *k))
			return true;
	return false;
}

static void put_array(struct out *o, const struct mlvm_wnode *n, bool multiline)
{
	const struct mlvm_wnode *e;
	size_t group = 1, k = 0;

	if (!multiline) {
		put(o, "[");
		for (e = n->child; e; e = e->next) {
			if (e != n->child)
				put(o, ", ");
			put_scalar(o, e);
		}
		put(o, "]");
		return;
	}
	/* one area a line: "pv0", 0 / "lv_rmeta_0", "lv_rimage_0" / "lv_rimage_0" */
	if (n->child && n->child->next &&
	    (n->child->next->type == CFG_INT || !strcmp(n->key, "raids")))
		group = 2;
	put(o, "[\n");
	for (e = n->child; e; e = e->next, k++) {
		put_scalar(o, e);
		if (!e->next)
			put(o, "\n");
		else if ((k + 1) % group == 0)
			put(o, ",\n");
		else
			put(o, ", ");
	}
	put(o, "]");
}

static void put_item(struct out *o, const struct mlvm_wnode *n, enum sec_kind in);

static void put_section(struct out *o, const struct mlvm_wnode *s, enum sec_kind kind)
{
	const struct mlvm_wnode *c;
	bool blank_done = false;

	putf(o, "%s {\n", s->key ? s->key : "");
	switch (kind) {
	case K_VG: {
		static const char *const order[] = { "physical_volumes", "logical_volumes", NULL };
		const char *const *k;

		for (c = s->child; c; c = c->next)
			if (c->type != CFG_SECTION)
				put_item(o, c, kind);
		/* LVM2: blank, PVs, blank, LVs (if any), blank, then the rest */
		for (k = order; *k; k++) {
			put(o, "\n");
			if ((c = mlvm_wnode_find(s, *k)) && c->type == CFG_SECTION)
				put_section(o, c, K_LIST);
		}
		put(o, "\n");
		for (c = s->child; c; c = c->next)
			if (c->type == CFG_SECTION && strcmp(c->key, order[0]) && strcmp(c->key, order[1]))
				put_section(o, c, K_LIST);
		break;
	}
	case K_LIST: {
		enum sec_kind sub = !strcmp(s->key, "physical_volumes") ? K_PV :
				    !strcmp(s->key, "logical_volumes") ? K_LV : K_PLAIN;

		for (c = s->child; c; c = c->next) {
			if (c->type == CFG_SECTION) {
				put(o, "\n");
				put_section(o, c, sub);
			} else {
				put_item(o, c, kind);
			}
		}
		break;
	}
	case K_PV:
		for (c = s->child; c; c = c->next) {
			if (!blank_done && c->key && strcmp(c->key, "id") && strcmp(c->key, "device") &&
			    strcmp(c->key, "device_id_type") && strcmp(c->key, "device_id")) {
				put(o, "\n");
				blank_done = true;
			}
			put_item(o, c, kind);
		}
		break;
	case K_LV:
		for (c = s->child; c; c = c->next) {
			if (c->type == CFG_SECTION) {
				if (!blank_done)
					put(o, "\n");
				blank_done = true;
				put_section(o, c, K_SEG);
			} else {
				put_item(o, c, kind);
			}
		}
		break;
	case K_SEG:
		for (c = s->child; c; c = c->next) {
			if (c->type == CFG_ARRAY && c->key && is_area_array(c))
				put(o, "\n");
			put_item(o, c, kind);
			if (c->key && !strcmp(c->key, "extent_count"))
				put(o, "\n");
		}
		break;
	case K_PLAIN:
		for (c = s->child; c; c = c->next)
			put_item(o, c, kind);
		break;
	}
	put(o, "}\n");
}

static void put_item(struct out *o, const struct mlvm_wnode *n, enum sec_kind in)
{
	if (n->type == CFG_SECTION) {
		put_section(o, n, K_PLAIN);
		return;
	}
	putf(o, "%s = ", n->key ? n->key : "");
	if (n->type == CFG_ARRAY)
		put_array(o, n, in == K_SEG && is_area_array(n));
	else
		put_scalar(o, n);
	put(o, "\n");
}

/* ctime()'s layout without its newline, in local time */
static void ctime_text(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(out, len, "%a %b %e %H:%M:%S %Y", &tm))
		snprintf(out, len, "%lld", (long long)t);
}

int mlvm_text_serialize(const struct mlvm_wnode *root, const struct mlvm_text_style *st,
			struct mlvm_buf *out)
{
	struct out o = { .b = out, .err = 0 };
	const struct mlvm_wnode *vg = mlvm_wnode_vg(root), *c, *ct;
	char when[64];
	int64_t t = 0;

	if (!vg)
		return -EINVAL;
	put_section(&o, vg, K_VG);
	ct = mlvm_wnode_find(root, "creation_time");
	if (ct && ct->type == CFG_INT)
		t = ct->i;
	ctime_text(t, when, sizeof(when));
	putf(&o, "# Generated by %s: %s\n\n",
	     st && st->generator ? st->generator : "mlvm version " PACKAGE_VERSION, when);
	for (c = root->child; c; c = c->next) {
		if (c == vg)
			continue;
		if (c->type == CFG_SECTION) {
			put_section(&o, c, K_PLAIN);
			continue;
		}
		if (c->key && !strcmp(c->key, "creation_host") && st && st->uname) {
			putf(&o, "%s = ", c->key);
			put_scalar(&o, c);
			putf(&o, "\t# %s\n", st->uname);
			continue;
		}
		if (c->key && !strcmp(c->key, "creation_time") && c->type == CFG_INT) {
			putf(&o, "creation_time = %lld\t# %s\n\n", (long long)c->i, when);
			continue;
		}
		put_item(&o, c, K_PLAIN);
		if (c->key && (!strcmp(c->key, "version") || !strcmp(c->key, "description")))
			put(&o, "\n");
	}
	if (!o.err && out->len == 0)
		o.err = -EINVAL;
	return o.err;
}

/* ------------------------------------------------------------ names, ids, sizes */

#define NAME_RULE "names take 1 to 127 characters of A-Z a-z 0-9 . _ + -, not a leading '-', " \
		  "and are not \".\" or \"..\""

int mlvm_lv_name_check(const char *name, struct mlvm_report *r)
{
	static const char *const prefixes[] = { "pvmove", "snapshot", NULL };
	static const char *const parts[] = {
		"_cdata", "_cmeta", "_corig", "_cpool", "_cvol", "_imeta", "_iorig",
		"_mimage", "_mlog", "_pmspare", "_rimage", "_rmeta", "_tdata", "_tmeta",
		"_vdata", "_vorigin", "_wcorig", NULL
	};
	const char *const *p;

	if (!mlvm_name_valid(name)) {
		mlvm_error(r, "lv_name", NULL, -1, "invalid LV name '%s': " NAME_RULE, name);
		return -EINVAL;
	}
	for (p = prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p))) {
			mlvm_error(r, "lv_name", NULL, -1,
				   "invalid LV name '%s': names starting \"%s\" are reserved by LVM2", name, *p);
			return -EINVAL;
		}
	for (p = parts; *p; p++)
		if (strstr(name, *p)) {
			mlvm_error(r, "lv_name", NULL, -1,
				   "invalid LV name '%s': names including \"%s\" are reserved by LVM2", name, *p);
			return -EINVAL;
		}
	return 0;
}

int mlvm_vg_name_check(const char *name, struct mlvm_report *r)
{
	if (!mlvm_name_valid(name)) {
		mlvm_error(r, "vg_name", NULL, -1, "invalid VG name '%s': " NAME_RULE, name);
		return -EINVAL;
	}
	return 0;
}

int mlvm_tag_check(const char *tag, struct mlvm_report *r)
{
	size_t n = strlen(tag), i;

	if (n == 0 || n > 1024) {
		mlvm_error(r, "tag", NULL, -1, "invalid tag '%s': tags take 1 to 1024 characters", tag);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tag[i];

		if (!(isascii(c) && isalnum(c)) && !strchr("_+.-/=!:#&", c)) {
			mlvm_error(r, "tag", NULL, -1, "invalid tag '%s': tags take only the characters "
				   "A-Z a-z 0-9 _ + . - / = ! : # &", tag);
			return -EINVAL;
		}
	}
	return 0;
}

void mlvm_id_from_bytes(const uint8_t bytes[32], char out[33])
{
	static const char alphabet[] = MLVM_ID_ALPHABET;
	int i;

	for (i = 0; i < 32; i++)
		out[i] = alphabet[bytes[i] % 62];
	out[32] = '\0';
}

void mlvm_id_generate(char out[33])
{
	uuid_t a, b;
	uint8_t bytes[32];

	uuid_generate(a);
	uuid_generate(b);
	memcpy(bytes, a, 16);
	memcpy(bytes + 16, b, 16);
	mlvm_id_from_bytes(bytes, out);
}

int mlvm_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;
	const char *p;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	p = end;
	switch (tolower((unsigned char)*p)) {
	case '\0':
		break;
	case 'b':
		p++;
		break;
	case 'k':
		shift = 10;
		p++;
		break;
	case 'm':
		shift = 20;
		p++;
		break;
	case 'g':
		shift = 30;
		p++;
		break;
	case 't':
		shift = 40;
		p++;
		break;
	default:
		return -EINVAL;
	}
	if (shift && (!strcmp(p, "iB") || !strcmp(p, "ib")))
		p += 2;
	if (*p)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)v << shift;
	return 0;
}

/* ------------------------------------------------------------ PV layout */

int mlvm_pv_layout_compute(uint64_t dev_size, uint64_t mda_size, uint64_t alignment,
			   int copies, uint64_t extent_bytes, struct mlvm_pv_layout *out)
{
	uint64_t req, end;

	memset(out, 0, sizeof(*out));
	if (!alignment || alignment % 4096 || !extent_bytes || copies < 1 || copies > 2)
		return -EINVAL;
	dev_size -= dev_size % MLVM_SECTOR_SIZE;
	req = (mda_size + 4095) / 4096 * 4096;
	if (req > dev_size)
		return -ENOSPC;
	out->dev_size = dev_size;
	out->pe_start = (MLVM_MDA1_OFFSET + req + alignment - 1) / alignment * alignment;
	out->mda[0].offset = MLVM_MDA1_OFFSET;
	out->mda[0].size = out->pe_start - MLVM_MDA1_OFFSET;
	out->n_mda = 1;
	end = dev_size;
	if (copies == 2) {
		uint64_t start = (dev_size - req) / alignment * alignment;

		if (start < out->pe_start)
			return -ENOSPC;
		out->mda[1].offset = start;
		out->mda[1].size = dev_size - start;
		out->n_mda = 2;
		end = start;
	}
	if (end < out->pe_start)
		return -ENOSPC;
	out->pe_count = (end - out->pe_start) / extent_bytes;
	if (out->pe_count == 0)
		return -ENOSPC;
	return 0;
}

void mlvm_label_build(uint8_t sector[MLVM_SECTOR_SIZE], const struct mlvm_pv_layout *l)
{
	uint8_t *p = sector + MLVM_LABEL_PVH_AT;
	unsigned i;

	memset(sector, 0, MLVM_SECTOR_SIZE);
	memcpy(sector + MLVM_LABEL_ID_OFF, MLVM_LABEL_ID, MLVM_LABEL_ID_LEN);
	mlvm_put_le64(sector + MLVM_LABEL_SECTOR_OFF, 1);
	mlvm_put_le32(sector + MLVM_LABEL_PVH_OFFSET_OFF, MLVM_LABEL_PVH_AT);
	memcpy(sector + MLVM_LABEL_TYPE_OFF, MLVM_LABEL_TYPE_LVM2, MLVM_LABEL_TYPE_LEN);
	memcpy(p + MLVM_PVH_UUID_OFF, l->uuid, MLVM_PVH_UUID_LEN);
	mlvm_put_le64(p + MLVM_PVH_DEVICE_SIZE_OFF, l->dev_size);
	p += MLVM_PVH_LISTS_OFF;
	/* data areas: one, from pe_start to the end */
	mlvm_put_le64(p + MLVM_DISK_LOCN_OFFSET_OFF, l->pe_start);
	mlvm_put_le64(p + MLVM_DISK_LOCN_SIZE_OFF, 0);
	p += 2 * MLVM_DISK_LOCN_SIZE;	/* and the terminator */
	for (i = 0; i < l->n_mda; i++, p += MLVM_DISK_LOCN_SIZE) {
		mlvm_put_le64(p + MLVM_DISK_LOCN_OFFSET_OFF, l->mda[i].offset);
		mlvm_put_le64(p + MLVM_DISK_LOCN_SIZE_OFF, l->mda[i].size);
	}
	p += MLVM_DISK_LOCN_SIZE;	/* terminator */
	mlvm_put_le32(p + MLVM_PVH_EXT_VERSION_OFF, MLVM_PVH_EXT_VERSION);
	mlvm_put_le32(p + MLVM_PVH_EXT_FLAGS_OFF, l->in_vg ? MLVM_PVH_EXT_FLAG_IN_VG : 0);
	/* then an empty bootloader-area list: its terminator is zero */
	mlvm_put_le32(sector + MLVM_LABEL_CRC_OFF,
		      mlvm_crc(MLVM_CRC_INITIAL, sector + MLVM_LABEL_CRC_START,
			       MLVM_SECTOR_SIZE - MLVM_LABEL_CRC_START));
}

static void put_rlocn(uint8_t *p, const struct mlvm_raw_locn *rl)
{
	if (!rl)
		return;
	mlvm_put_le64(p + MLVM_RAW_LOCN_OFFSET_OFF, rl->offset);
	mlvm_put_le64(p + MLVM_RAW_LOCN_SIZE_OFF, rl->size);
	mlvm_put_le32(p + MLVM_RAW_LOCN_CHECKSUM_OFF, rl->checksum);
	mlvm_put_le32(p + MLVM_RAW_LOCN_FLAGS_OFF, rl->flags);
}

void mlvm_mda_header_build(uint8_t buf[MLVM_MDA_HEADER_SIZE], uint64_t start, uint64_t size,
			   const struct mlvm_raw_locn *rl0, const struct mlvm_raw_locn *rl1)
{
	memset(buf, 0, MLVM_MDA_HEADER_SIZE);
	memcpy(buf + MLVM_MDA_MAGIC_OFF, MLVM_MDA_MAGIC, MLVM_MDA_MAGIC_LEN);
	mlvm_put_le32(buf + MLVM_MDA_VERSION_OFF, MLVM_MDA_VERSION);
	mlvm_put_le64(buf + MLVM_MDA_START_OFF, start);
	mlvm_put_le64(buf + MLVM_MDA_SIZE_OFF, size);
	put_rlocn(buf + MLVM_MDA_RAW_LOCN_OFF, rl0);
	put_rlocn(buf + MLVM_MDA_RAW_LOCN_OFF + MLVM_RAW_LOCN_SIZE, rl1);
	mlvm_put_le32(buf + MLVM_MDA_CRC_OFF,
		      mlvm_crc(MLVM_CRC_INITIAL, buf + MLVM_MDA_CRC_START, MLVM_MDA_HEADER_SIZE - MLVM_MDA_CRC_START));
}

/* ------------------------------------------------------------ ring */

int mlvm_ring_next(uint64_t area_size, const struct mlvm_raw_locn *old, uint64_t new_size,
		   uint64_t *off, uint64_t *max)
{
	const uint64_t H = MLVM_MDA_HEADER_SIZE;	/* the ring starts after the header */
	uint64_t old_start = 0, old_last = 0, new_start, new_last;
	bool have_old, old_wrap = false, new_wrap = false, overlap;

	if (area_size < 2048 || area_size % MLVM_SECTOR_SIZE)
		return -EINVAL;
	*max = (area_size - H) / 2 - H;
	if (new_size == 0 || new_size > *max)
		return -E2BIG;
	have_old = old && !(old->flags & MLVM_RAW_LOCN_IGNORED) && (old->offset || old->size);
	if (have_old) {
		if (old->offset < H || old->offset >= area_size || old->size > area_size - H)
			have_old = false;	/* nonsense: start afresh */
	}
	if (!have_old) {
		*off = H;
		return 0;
	}
	old_start = old->offset;
	if (old->offset + old->size > area_size) {
		old_wrap = true;
		old_last = old->offset + old->size - area_size + H - 1;
	} else {
		old_last = old->offset + old->size - 1;
	}
	if (area_size - old_last < H) {
		new_start = H;
	} else {
		new_start = (old_last + MLVM_SECTOR_SIZE) / MLVM_SECTOR_SIZE * MLVM_SECTOR_SIZE;
		if (new_start > area_size - H)
			new_start = H;
	}
	if (new_start + new_size > area_size) {
		new_wrap = true;
		new_last = new_start + new_size - area_size + H - 1;
	} else {
		new_last = new_start + new_size - 1;
	}
	/* never over the committed copy */
	if (new_wrap && old_wrap)
		overlap = true;
	else if (!new_wrap && !old_wrap)
		overlap = !((new_start > old_last && new_last >= new_start) ||
			    (new_start < old_start && new_last < old_start));
	else if (old_wrap)
		overlap = !(old_last < new_start && new_last < old_start);
	else
		overlap = !(new_last < old_start && old_last < new_start);
	if (overlap)
		return -ENOSPC;
	*off = new_start;
	return 0;
}

/* ------------------------------------------------------------ commit */

static int write_padded(struct mlvm_source *s, uint64_t at, const char *data, size_t len)
{
	size_t padded = (len + MLVM_SECTOR_SIZE - 1) / MLVM_SECTOR_SIZE * MLVM_SECTOR_SIZE;
	char *buf = calloc(1, padded ? padded : MLVM_SECTOR_SIZE);
	int rc;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, data, len);
	rc = mlvm_source_write(s, buf, padded, at);
	free(buf);
	return rc;
}

static int sync_all(struct mlvm_commit_area *a, size_t n)
{
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (a[j].src == a[i].src)
				break;
		if (j < i)
			continue;
		rc = mlvm_source_sync(a[i].src);
		if (rc)
			return rc;
	}
	return 0;
}

int mlvm_commit(struct mlvm_commit_area *areas, size_t n, const char *text, size_t len,
		struct mlvm_report *r)
{
	char *copy;
	size_t i, size = len + 1;
	uint32_t crc;
	uint8_t hdr[MLVM_MDA_HEADER_SIZE];
	int rc = 0;

	copy = malloc(size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	crc = mlvm_crc(MLVM_CRC_INITIAL, copy, size);
	for (i = 0; i < n; i++) {
		struct mlvm_commit_area *a = &areas[i];
		uint64_t off, max;

		rc = mlvm_ring_next(a->size, &a->old, size, &off, &max);
		if (rc == -E2BIG) {
			mlvm_error(r, "commit_too_big", a->src->name, (int64_t)a->abs,
				   "the metadata text (%zu bytes) is larger than a metadata "
				   "area of %llu bytes on %s takes (%llu bytes at most)", size,
				   (unsigned long long)a->size, a->src->name, (unsigned long long)max);
			goto out;
		}
		if (rc) {
			mlvm_error(r, "commit_no_room", a->src->name, (int64_t)a->abs,
				   "the metadata area at byte %llu of %s has no room for "
				   "%zu bytes without overwriting the committed copy",
				   (unsigned long long)a->abs, a->src->name, size);
			goto out;
		}
		a->new_rl.offset = off;
		a->new_rl.size = size;
		a->new_rl.checksum = crc;
		a->new_rl.flags = 0;
	}
	/* 1: the text */
	for (i = 0; i < n && !rc; i++) {
		struct mlvm_commit_area *a = &areas[i];
		uint64_t first = a->new_rl.offset + size > a->size ? a->size - a->new_rl.offset : size;

		rc = write_padded(a->src, a->abs + a->new_rl.offset, copy, first);
		if (!rc && first < size)
			rc = write_padded(a->src, a->abs + MLVM_MDA_HEADER_SIZE, copy + first, size - first);
		if (rc)
			mlvm_error(r, "commit_write", a->src->name, (int64_t)(a->abs + a->new_rl.offset),
				   "cannot write metadata text to %s: %s", a->src->name, strerror(-rc));
	}
	if (!rc && (rc = sync_all(areas, n)))
		mlvm_error(r, "commit_sync", NULL, -1, "cannot sync: %s", strerror(-rc));
	/* 2: precommit */
	for (i = 0; i < n && !rc; i++) {
		struct mlvm_commit_area *a = &areas[i];

		mlvm_mda_header_build(hdr, a->abs - a->pv_base, a->size, &a->old, &a->new_rl);
		rc = mlvm_source_write(a->src, hdr, sizeof(hdr), a->abs);
		if (rc)
			mlvm_error(r, "commit_write", a->src->name, (int64_t)a->abs,
				   "cannot write a metadata area header to %s: %s", a->src->name,
				   strerror(-rc));
	}
	if (!rc && (rc = sync_all(areas, n)))
		mlvm_error(r, "commit_sync", NULL, -1, "cannot sync: %s", strerror(-rc));
	/* 3: commit */
	for (i = 0; i < n && !rc; i++) {
		struct mlvm_commit_area *a = &areas[i];

		mlvm_mda_header_build(hdr, a->abs - a->pv_base, a->size, &a->new_rl, NULL);
		rc = mlvm_source_write(a->src, hdr, sizeof(hdr), a->abs);
		if (rc)
			mlvm_error(r, "commit_write", a->src->name, (int64_t)a->abs,
				   "cannot write a metadata area header to %s: %s", a->src->name,
				   strerror(-rc));
	}
	if (!rc && (rc = sync_all(areas, n)))
		mlvm_error(r, "commit_sync", NULL, -1, "cannot sync: %s", strerror(-rc));
out:
	free(copy);
	return rc;
}
