/*
 * cmd_scan.c - mlvm scan: every PV label and metadata area found in the
 * images, wherever it is (offset 0, partitions, any sector), with its health.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "map/nested.h"

static const char scan_help[] =
	"Usage: mlvm scan [--deep] [--json] [--strict] IMAGE...\n"
	"\n"
	"Look at every sector of every image for LVM2 labels, metadata area headers\n"
	"and metadata text, and list each PV found: where (image, byte offset,\n"
	"partition), its label's health (magic, sector field, crc, type), its\n"
	"bootloader area (pvcreate --bootloaderareasize) when its header lists one, each\n"
	"metadata area with its problems, and the VG it belongs to (NAME@UUID when\n"
	"two VGs of the images share the name). Finds PVs at\n"
	"offset 0, inside MBR (primary and logical) and GPT partitions, at any other\n"
	"sector offset, and PVs whose label is gone; and PVs inside LVs (guest disks,\n"
	"unless --no-nested), as \"inside LV VG/LV at byte N\".\n"
	"--deep: also search every byte of every image, outside the metadata\n"
	"areas, for copies of metadata text (LVM2 archive and backup files, old\n"
	"rings, fragments) and list each: image, byte offset, VG, seqno, state,\n"
	"layout, and where it lies (LV and byte offset in it; the ext2/3/4 file\n"
	"holding it, or the filesystem's unallocated space).\n"
	"Options may come before or after the images; -- ends them.\n";

#define MAX_PROBLEMS 16

struct problems {
	const char *v[MAX_PROBLEMS];
	char buf[MAX_PROBLEMS][96];
	unsigned n;
};

static void add(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct problems *p, const char *fmt, ...)
{
	va_list ap;

	if (p->n >= MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->buf[p->n], sizeof(p->buf[p->n]), fmt, ap);
	va_end(ap);
	p->v[p->n] = p->buf[p->n];
	p->n++;
}

static void label_problems(const struct mlvm_pvdev *d, struct problems *p)
{
	const struct mlvm_label *l = &d->label;

	if (!d->has_label) {
		add(p, d->found_by == MLVM_FOUND_MDA ? "no label: found by its metadata area header" :
		    "no label and no metadata area header: found by its metadata text");
		return;
	}
	if (l->shifted)
		add(p, "label and metadata shifted by +1 (wiped by mirage-block-volume)");
	if (!l->magic_ok && !l->shifted)
		add(p, "label id is \"%s\", not LABELONE", l->id);
	if (!l->sector_ok)
		add(p, "label says sector %llu, found in sector %llu",
		    (unsigned long long)l->sector_field, (unsigned long long)l->sector);
	if (!l->crc_ok)
		add(p, "label crc mismatch");
	if (l->kind == MLVM_LABEL_JOURNALLED)
		add(p, "journalled VG label (JOUR 001, xenvm)");
	else if (l->kind == MLVM_LABEL_UNKNOWN_TYPE)
		add(p, "label type \"%s\"", l->type);
	if (l->lists_truncated)
		add(p, "pv_header lists run off the sector");
	if (l->pvh_offset != 32)
		add(p, "pv_header offset %u", l->pvh_offset);
}

static void mda_problems(const struct mlvm_mda_info *m, struct problems *p)
{
	if (!m->header_read) {
		add(p, "outside the image");
		return;
	}
	if (m->hdr.journalled)
		add(p, "journalled magic (JOURNALLED!1!1!!)");
	else if (!m->hdr.magic_ok)
		add(p, "bad magic");
	if (!m->hdr.crc_ok)
		add(p, "header crc mismatch");
	if (!m->hdr.version_ok)
		add(p, "version %u", m->hdr.version);
	if (!m->hdr.start_ok)
		add(p, "header start %llu is not where it is", (unsigned long long)m->hdr.start);
	if (!m->hdr.size_ok)
		add(p, "header size %llu too small", (unsigned long long)m->hdr.size);
	if (m->ignored)
		add(p, "ignored");
	if (m->header_ok && (m->hdr.rl[1].offset || m->hdr.rl[1].size))
		add(p, "precommitted copy left by a command that died");
	if (m->has_text && !m->text_crc_ok)
		add(p, "committed text crc mismatch");
	if (m->load_failed)
		add(p, "committed text does not parse");
}

static void json_problems(struct json *j, const struct problems *p)
{
	unsigned i;

	json_begin_array_inline(j, "problems");
	for (i = 0; i < p->n; i++)
		json_string(j, NULL, p->v[i]);
	json_end_array(j);
}

static const char *dev_vg(const struct mlvm_set *set, const struct mlvm_pvdev *d)
{
	unsigned k;

	if (d->vg_index >= 0)
		return set->vgs[d->vg_index]->name;
	for (k = 0; k < d->n_mda; k++)
		if (d->mda[k].peek_ok)
			return d->mda[k].vg_name;
	return NULL;
}

/* the uuid of the VG dev_vg names, NULL when unknown */
static const char *dev_vg_id(const struct mlvm_set *set, const struct mlvm_pvdev *d)
{
	unsigned k;

	if (d->vg_index >= 0)
		return set->vgs[d->vg_index]->id;
	for (k = 0; k < d->n_mda; k++)
		if (d->mda[k].peek_ok)
			return d->mda[k].vg_id[0] ? d->mda[k].vg_id : NULL;
	return NULL;
}

/* another PV of the set is in a VG of the same name but another uuid */
static bool vg_name_shared(const struct mlvm_set *set, const struct mlvm_pvdev *d)
{
	const char *name = dev_vg(set, d), *id = dev_vg_id(set, d);
	size_t i;

	for (i = 0; name && id && i < set->n_devs; i++) {
		const char *n2 = dev_vg(set, &set->devs[i]), *i2 = dev_vg_id(set, &set->devs[i]);

		if (n2 && i2 && !strcmp(n2, name) && strcmp(i2, id))
			return true;
	}
	return false;
}

/* the bootloader area the PV header's extension lists (pvcreate
 * --bootloaderareasize; LVM2 writes at most one), NULL when none */
static const struct mlvm_disk_locn *dev_bootloader_area(const struct mlvm_pvdev *d)
{
	return d->has_label && d->label.has_ext && d->label.n_ba && d->label.ba[0].size ?
	       &d->label.ba[0] : NULL;
}

/* the LV a PV lies in: the LV source it was found on, or an LV of the
 * images whose bytes hold it (a deep scan finds a guest PV in the image) */
struct inside {
	const char *vg, *lv;
	uint64_t offset;
};

static bool inside_lv(const struct mlvm_set *set, const struct mlvm_pvdev *d, struct inside *in)
{
	const struct mlvm_vg *vg;
	const struct mlvm_lv *lv;

	if (d->src->inside) {
		*in = (struct inside){ d->src->inside->vg, d->src->inside->lv, d->base };
		return true;
	}
	if (mlvm_nested_lv_at(set, d->src, d->base, &vg, &lv, &in->offset))
		return false;
	in->vg = vg->name;
	in->lv = lv->name;
	return true;
}

static void scan_json(const struct mlvm_set *set, struct json *j)
{
	const struct mlvm_disk_locn *ba;
	uint64_t off;
	size_t i;
	unsigned k;

	json_begin_array(j, "pvs");
	for (i = 0; i < set->n_devs; i++) {
		const struct mlvm_pvdev *d = &set->devs[i];
		struct problems lp = { .n = 0 };
		struct inside in;
		char uuid[39];

		label_problems(d, &lp);
		json_begin_object(j, NULL);
		json_string(j, "image", d->src->name);
		json_uint(j, "offset", d->base);
		if (d->in_partition) {
			json_begin_object_inline(j, "partition");
			json_string(j, "scheme", d->part.scheme == MLVM_PART_GPT ? "gpt" : "mbr");
			json_uint(j, "index", d->part.index);
			json_uint(j, "start", d->part.start);
			json_string(j, "name", d->part.name);
			json_end_object(j);
		} else {
			json_null(j, "partition");
		}
		if (inside_lv(set, d, &in)) {
			json_begin_object_inline(j, "inside");
			json_string(j, "vg", in.vg);
			json_string(j, "lv", in.lv);
			json_uint(j, "offset", in.offset);
			json_end_object(j);
		} else {
			json_null(j, "inside");
		}
		json_string(j, "found_by", d->found_by == MLVM_FOUND_LABEL ? "label" :
			    d->found_by == MLVM_FOUND_MDA ? "mda_header" : "metadata_text");
		if (d->has_label)
			json_uint(j, "label_sector", d->label.sector);
		else
			json_null(j, "label_sector");
		if (d->uuid[0]) {
			mlvm_uuid_format(d->uuid, strlen(d->uuid), uuid);
			json_string(j, "pv_id", uuid);
		} else {
			json_null(j, "pv_id");
		}
		if (d->has_label) {
			json_uint(j, "device_size", d->label.device_size);
			json_begin_object_inline(j, "label");
			json_bool(j, "magic_ok", d->label.magic_ok);
			json_bool(j, "sector_ok", d->label.sector_ok);
			json_bool(j, "crc_ok", d->label.crc_ok);
			json_string(j, "type", d->label.type);
			json_bool(j, "shifted", d->label.shifted);
			json_end_object(j);
		} else {
			json_null(j, "device_size");
			json_null(j, "label");
		}
		ba = dev_bootloader_area(d);
		if (ba) {
			json_begin_object_inline(j, "bootloader_area");
			json_uint(j, "start", ba->offset);
			json_uint(j, "size", ba->size);
			if (mlvm_add_ok(d->base, ba->offset, &off))
				json_uint(j, "offset", off);
			else
				json_null(j, "offset");
			json_end_object(j);
		} else {
			json_null(j, "bootloader_area");
		}
		json_begin_array(j, "mdas");
		for (k = 0; k < d->n_mda; k++) {
			const struct mlvm_mda_info *m = &d->mda[k];
			struct problems mp = { .n = 0 };

			mda_problems(m, &mp);
			json_begin_object(j, NULL);
			json_int(j, "index", m->index);
			json_uint(j, "offset", m->abs);
			json_uint(j, "size", m->size);
			json_bool(j, "header_ok", m->header_ok);
			if (m->has_text) {
				json_begin_object_inline(j, "committed");
				json_uint(j, "offset", m->abs + m->hdr.rl[0].offset);
				json_uint(j, "size", m->hdr.rl[0].size);
				json_bool(j, "checksum_ok", m->text_crc_ok);
				if (m->peek_ok)
					json_uint(j, "seqno", m->seqno);
				else
					json_null(j, "seqno");
				json_end_object(j);
			} else {
				json_null(j, "committed");
			}
			json_problems(j, &mp);
			json_end_object(j);
		}
		json_end_array(j);
		json_string(j, "vg", dev_vg(set, d));
		json_string(j, "vg_id", dev_vg_id(set, d));
		json_problems(j, &lp);
		json_end_object(j);
	}
	json_end_array(j);
}

static void scan_text(const struct mlvm_set *set)
{
	const struct mlvm_disk_locn *ba;
	uint64_t off;
	size_t i;
	unsigned k, p;

	for (i = 0; i < set->n_devs; i++) {
		const struct mlvm_pvdev *d = &set->devs[i];
		struct problems lp = { .n = 0 };
		const char *vg = dev_vg(set, d);
		struct inside in;
		char uuid[39] = "?";

		label_problems(d, &lp);
		if (d->uuid[0])
			mlvm_uuid_format(d->uuid, strlen(d->uuid), uuid);
		if (d->src->inside)
			printf("inside LV %s at byte %llu", d->src->name, (unsigned long long)d->base);
		else
			printf("%s at byte %llu", d->src->name, (unsigned long long)d->base);
		if (!d->src->inside && inside_lv(set, d, &in))
			printf(" (inside LV %s/%s at byte %llu)", in.vg, in.lv,
			       (unsigned long long)in.offset);
		if (d->in_partition)
			printf(" (%s partition %u%s%s)", d->part.scheme == MLVM_PART_GPT ? "gpt" : "mbr",
			       d->part.index, d->part.name[0] ? " " : "", d->part.name);
		/* two VGs of one name: NAME@UUID, as --vg takes it */
		printf(": pv %s, vg %s%s%s\n", uuid, vg ? vg : "(none)", vg_name_shared(set, d) ? "@" : "",
		       vg_name_shared(set, d) ? dev_vg_id(set, d) : "");
		if (d->has_label)
			printf("  label     sector %llu, type \"%s\", %s\n",
			       (unsigned long long)d->label.sector, d->label.type,
			       lp.n ? "damaged" : "ok");
		for (p = 0; p < lp.n; p++)
			printf("            %s\n", lp.v[p]);
		ba = dev_bootloader_area(d);
		if (ba && mlvm_add_ok(d->base, ba->offset, &off))
			printf("  bootarea  byte %llu, %llu bytes (bootloader area, byte %llu of the PV)\n",
			       (unsigned long long)off, (unsigned long long)ba->size,
			       (unsigned long long)ba->offset);
		else if (ba)
			printf("  bootarea  byte %llu of the PV, %llu bytes (bootloader area, beyond the image)\n",
			       (unsigned long long)ba->offset, (unsigned long long)ba->size);
		for (k = 0; k < d->n_mda; k++) {
			const struct mlvm_mda_info *m = &d->mda[k];
			struct problems mp = { .n = 0 };

			mda_problems(m, &mp);
			printf("  mda%d      byte %llu, %llu bytes, header %s", m->index,
			       (unsigned long long)m->abs, (unsigned long long)m->size,
			       m->header_ok ? "ok" : "damaged");
			if (m->has_text && m->peek_ok)
				printf(", committed seqno %llu%s", (unsigned long long)m->seqno,
				       m->text_crc_ok ? "" : " (bad checksum)");
			putchar('\n');
			for (p = 0; p < mp.n; p++)
				printf("            %s\n", mp.v[p]);
		}
	}
}

/* the set's copies carved from images, by image name then offset */
static int cmp_loose(const void *x, const void *y)
{
	const struct mlvm_loose *a = *(const struct mlvm_loose *const *)x;
	const struct mlvm_loose *b = *(const struct mlvm_loose *const *)y;
	int c = strcmp(a->src->name, b->src->name);

	if (c)
		return c;
	return a->g.offset < b->g.offset ? -1 : a->g.offset > b->g.offset;
}

static struct mlvm_loose **carved_copies(const struct mlvm_set *set, size_t *n)
{
	struct mlvm_loose **v = calloc(set->n_loose + 1, sizeof(*v));
	size_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < set->n_loose; i++)
		if (set->loose[i]->origin == MLVM_ORIGIN_IMAGE && set->loose[i]->src)
			v[(*n)++] = set->loose[i];
	qsort(v, *n, sizeof(*v), cmp_loose);
	return v;
}

static void copies_json(struct mlvm_set *set, struct mlvm_loose **v, size_t n, struct json *j)
{
	char *desc;
	size_t i;

	json_begin_array(j, "copies");
	for (i = 0; i < n; i++) {
		const struct mlvm_loose *l = v[i];
		struct mlvm_gen_ref r = { .g = &l->g, .loose = l };

		json_begin_object_inline(j, NULL);
		json_string(j, "image", l->src->name);
		json_uint(j, "offset", l->g.offset);
		json_uint(j, "size", l->len);
		json_string(j, "vg", l->g.vg_name[0] ? l->g.vg_name : NULL);
		json_string(j, "vg_id", l->g.vg_id[0] ? l->g.vg_id : NULL);
		if (l->g.seqno_known)
			json_uint(j, "seqno", l->g.seqno);
		else
			json_null(j, "seqno");
		json_string(j, "state", mlvm_gen_state_name(mlvm_generation_state(&l->g)));
		json_string(j, "layout", l->archive_format ? "archive" : "ring");
		desc = NULL;
		if (l->g.description_cut && mlvm_carve_description(l->text, l->len, &desc))
			mlvm_error(&set->report, "out_of_memory", NULL, -1,
				   "out of memory reading a copy's description");
		json_string(j, "description", desc ? desc : l->g.description[0] ? l->g.description : NULL);
		free(desc);
		json_string(j, "command", l->command);
		json_bool(j, "duplicate", l->duplicate);
		cli_json_copy_place(j, &r);
		json_end_object(j);
	}
	json_end_array(j);
}

static void copies_text(struct mlvm_loose **v, size_t n)
{
	size_t i;

	printf("metadata text outside the metadata areas: %zu %s\n", n, mlvm_plural(n, "copy", "copies"));
	for (i = 0; i < n; i++) {
		const struct mlvm_loose *l = v[i];
		char seq[24] = "?";

		if (l->g.seqno_known)
			snprintf(seq, sizeof(seq), "%llu", (unsigned long long)l->g.seqno);
		printf("%s at byte %llu: vg %s seqno %s, %s, %s, %zu %s", l->src->name,
		       (unsigned long long)l->g.offset, l->g.vg_name[0] ? l->g.vg_name : "?", seq,
		       mlvm_gen_state_name(mlvm_generation_state(&l->g)),
		       l->archive_format ? "archive/backup file" : "ring copy", l->len,
		       mlvm_plural(l->len, "byte", "bytes"));
		if (l->lv)
			printf(", in LV %s at byte %llu", l->lv, (unsigned long long)l->lv_offset);
		if (l->fs_path)
			printf(", %s file %s", l->fs_type ? l->fs_type : "", l->fs_path);
		else if (l->fs_unallocated)
			printf(", unallocated in %s", l->fs_type ? l->fs_type : "its filesystem");
		putchar('\n');
		if (l->command)
			printf("            before: %s\n", l->command);
	}
}

int cmd_scan(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { .deep = true };
	struct mlvm_set *set;
	struct mlvm_loose **copies = NULL;
	size_t n_copies = 0;
	int opt, status;
	bool write_failed = false;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "scan", argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(scan_help, stdout);
			return EXIT_DONE;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "scan", "no image given");
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	if (set->n_devs == 0)
		mlvm_error(&set->report, "no_pv", NULL, -1, "no LVM2 physical volume found in the images given");
	if (c->deep && !(copies = carved_copies(set, &n_copies))) {
		cli_err(c, "out of memory");
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		scan_json(set, &j);
		if (copies)
			copies_json(set, copies, n_copies, &j);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else {
		scan_text(set);
		if (copies)
			copies_text(copies, n_copies);
	}
	free(copies);
	if (!cli_output_ok(c, write_failed)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	status = set->n_devs ? EXIT_DONE : EXIT_FAILED;
	mlvm_set_free(set);
	return status;
}
