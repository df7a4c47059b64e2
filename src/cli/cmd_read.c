/*
 * cmd_read.c - mlvm read: the VG(s) as the original key/value table, or the
 * full model as JSON (doc/interface.md).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "map/content.h"
#include "base/util.h"

static const char read_help[] =
	"Usage: mlvm read [--generation SEQNO] [--json] [--strict] [--vg VG] IMAGE...\n"
	"\n"
	"Print the volume group(s) held by the images: VG, PVs, every LV (hidden\n"
	"sub-LVs too) with its segments and their areas, and the free extents.\n"
	"Without --json: the key/value table of the original mlvm quickstart,\n"
	"extended with seqno, sizes, segment types and areas.\n"
	"With --json: the full model (see mlvm(1) and interface.md).\n"
	"--generation SEQNO shows the VG as that generation of its metadata (as\n"
	"listed by mlvm history) describes it, removed LVs included.\n"
	"Damage is reported on stderr (or under \"warnings\" with --json).\n"
	"Each visible LV's content is named from its first bytes (libmagic:\n"
	"\"ext4 filesystem\", \"LUKS encrypted file\"...; \"zeros\" when blank) when\n"
	"the VGs shown hold at most 256 visible LVs; --content names it however many\n"
	"there are, --no-content never.\n"
	"Exit status: 0 done, 1 no volume group found, 2 usage error.\n"
	"Options may come before or after the images; -- ends them.\n";

/* name what each visible LV holds (libmagic), see read_help */
#define CONTENT_AUTO_MAX 256
static bool content_on;

static bool lv_content(const struct mlvm_vg *vg, const struct mlvm_lv *lv, char *s, size_t len)
{
	return content_on && lv->visible && mlvm_vg_lv_content(vg, lv, s, len) == 0;
}

/* ------------------------------------------------------------ table */

struct table {
	char **keys;
	char **vals;
	size_t n, cap;
	size_t kw, vw;
};

static void row(struct table *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void row(struct table *t, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v = NULL;
	size_t kl, vl;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **k = realloc(t->keys, cap * sizeof(*k));
		char **vv;

		if (!k)
			return;
		t->keys = k;
		vv = realloc(t->vals, cap * sizeof(*vv));
		if (!vv)
			return;
		t->vals = vv;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	if (!v)
		return;
	t->keys[t->n] = strdup(key);
	if (!t->keys[t->n]) {
		free(v);
		return;
	}
	t->vals[t->n++] = v;
	kl = strlen(key);
	vl = strlen(v);
	if (kl > t->kw)
		t->kw = kl;
	if (vl > t->vw)
		t->vw = vl;
}

static void put_cell(FILE *f, const char *s, size_t w)
{
	size_t n = strlen(s);

	fputs(s, f);
	for (; n < w; n++)
		fputc(' ', f);
	fputc('|', f);
}

static void table_print(struct table *t, FILE *f)
{
	size_t kw = (t->kw > 3 ? t->kw : 3) + 1, vw = (t->vw > 5 ? t->vw : 5) + 1, i;

	put_cell(f, "key", kw);
	put_cell(f, "value", vw);
	fputc('\n', f);
	for (i = 0; i < kw; i++)
		fputc('-', f);
	fputc('|', f);
	for (i = 0; i < vw; i++)
		fputc('-', f);
	fputs("|\n", f);
	for (i = 0; i < t->n; i++) {
		put_cell(f, t->keys[i], kw);
		put_cell(f, t->vals[i], vw);
		fputc('\n', f);
	}
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->keys[i]);
		free(t->vals[i]);
	}
	free(t->keys);
	free(t->vals);
}

/* "A, B, C" from a string array */
static char *join(const struct cfg_node *arr)
{
	struct mlvm_buf b = { 0 };
	const struct cfg_node *e;

	mlvm_buf_append(&b, "", 0);
	if (arr)
		for (e = arr->v.child; e; e = e->next)
			if (e->type == CFG_STRING || e->type == CFG_WORD)
				mlvm_buf_printf(&b, "%s%s", b.len ? ", " : "", e->v.s);
	return b.data;
}

static char *areas_text(const struct mlvm_segment *s)
{
	struct mlvm_buf b = { 0 };
	uint32_t i;

	mlvm_buf_append(&b, "", 0);
	for (i = 0; i < s->n_areas; i++)
		mlvm_buf_printf(&b, "%s%s:%llu", i ? ", " : "", s->areas[i].name,
				(unsigned long long)s->areas[i].start);
	return b.data;
}

/* "linear" for one stripe (as lvs says), the stripes and their size for more */
static void seg_kind(const struct mlvm_segment *sg, char *out, size_t len)
{
	char size[32];

	if (!sg->type) {
		snprintf(out, len, "?");
	} else if (!strcmp(sg->type, "striped") && sg->n_areas == 1) {
		snprintf(out, len, "linear");
	} else if (mlvm_seg_stripe_size(sg) && sg->n_areas > 1) {
		mlvm_human_size(mlvm_seg_stripe_size(sg) * 512, size, sizeof(size));
		snprintf(out, len, "%s (%u %s of %s)", sg->type, sg->n_areas,
			 mlvm_plural(sg->n_areas, "stripe", "stripes"), size);
	} else {
		snprintf(out, len, "%s", sg->type);
	}
}

static const struct mlvm_pvdev *dev_of(const struct mlvm_set *set, const struct mlvm_pv *pv)
{
	size_t i;

	for (i = 0; i < set->n_devs; i++)
		if (set->devs[i].src == pv->src && set->devs[i].base == pv->offset)
			return &set->devs[i];
	return NULL;
}

static void vg_table(const struct mlvm_set *set, const struct mlvm_vg *vg, FILE *f)
{
	struct table t = { 0 };
	char k[512], size[32], what[256], *s;
	uint32_t i, j;

	row(&t, "name", "%s", vg->name);
	row(&t, "id", "%s", vg->id ? vg->id : "");
	row(&t, "seqno", "%llu", (unsigned long long)vg->seqno);
	s = join(vg->status);
	row(&t, "status", "%s", s ? s : "");
	free(s);
	s = join(vg->tags);
	row(&t, "tags", "%s", s ? s : "");
	free(s);
	row(&t, "extent_size", "%llu", (unsigned long long)vg->extent_size);
	row(&t, "max_lv", "%lld", (long long)vg->max_lv);
	row(&t, "max_pv", "%lld", (long long)vg->max_pv);
	for (i = 0; i < vg->n_pvs; i++) {
		const struct mlvm_pv *pv = &vg->pvs[i];
		const struct mlvm_pvdev *d = pv->missing ? NULL : dev_of(set, pv);

#define PK(suffix) (snprintf(k, sizeof(k), "%s/%s", pv->name, suffix), k)
		row(&t, PK("name"), "%s", pv->name);
		row(&t, PK("id"), "%s", pv->id ? pv->id : "");
		row(&t, PK("stored_device"), "%s", pv->device ? pv->device : "");
		row(&t, PK("real_device"), "%s", pv->ambiguous ? "(ambiguous: see --pv)" :
		    pv->missing ? "(missing)" : pv->src->name);
		if (!pv->missing && pv->offset)
			row(&t, PK("offset"), "%llu", (unsigned long long)pv->offset);
		if (!pv->missing && pv->found_by != MLVM_PV_BY_LABEL)
			row(&t, PK("found_by"), "%s", mlvm_pv_evidence_name(pv->found_by));
		for (j = 0; j < pv->n_others; j++) {
			snprintf(what, sizeof(what), "%s/%s%u", pv->name,
				 pv->ambiguous ? "candidate" : "duplicate", j + 1);
			row(&t, what, "%s at byte %llu", pv->others[j]->src->name,
			    (unsigned long long)pv->others[j]->base);
		}
		s = join(pv->status);
		row(&t, PK("status"), "%s", s ? s : "");
		free(s);
		s = join(pv->tags);
		if (s && *s)
			row(&t, PK("tags"), "%s", s);
		free(s);
		row(&t, PK("size_in_sectors"), "%llu", (unsigned long long)pv->dev_size);
		row(&t, PK("pe_start"), "%llu", (unsigned long long)pv->pe_start);
		row(&t, PK("pe_count"), "%llu", (unsigned long long)pv->pe_count);
		if (d) {
			char uuid[39];

			mlvm_uuid_format(d->label.pv_uuid, strlen(d->label.pv_uuid), uuid);
			row(&t, PK("label/id"), "%s", uuid);
			row(&t, PK("label/device_size"), "%llu", (unsigned long long)d->label.device_size);
			row(&t, PK("label/extents"), "%u", d->label.n_data);
			row(&t, PK("label/metadata_areas"), "%u", d->label.n_mda);
		}
#undef PK
	}
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];

#define LK(suffix) (snprintf(k, sizeof(k), "%s/%s", lv->name, suffix), k)
		row(&t, LK("name"), "%s", lv->name);
		row(&t, LK("id"), "%s", lv->id ? lv->id : "");
		s = join(mlvm_node_array(lv->node, "tags"));
		row(&t, LK("tags"), "%s", s ? s : "");
		free(s);
		s = join(mlvm_node_array(lv->node, "status"));
		row(&t, LK("status"), "%s", s ? s : "");
		free(s);
		row(&t, LK("segments"), "%u", lv->n_segs);
		mlvm_human_size(mlvm_lv_size(vg, lv), size, sizeof(size));
		row(&t, LK("size"), "%llu %s, %s", (unsigned long long)lv->extent_count,
		    mlvm_plural(lv->extent_count, "extent", "extents"), size);
		if (lv_content(vg, lv, what, sizeof(what)))
			row(&t, LK("content"), "%s", what);
		for (j = 0; j < lv->n_segs; j++) {
			const struct mlvm_segment *sg = &lv->segs[j];
			char sk[600], kind[160];

			snprintf(sk, sizeof(sk), "%s/segment%u", lv->name, j + 1);
			s = areas_text(sg);
			seg_kind(sg, kind, sizeof(kind));
			row(&t, sk, "%s, extents %llu-%llu%s%s", kind,
			    (unsigned long long)sg->start_extent,
			    (unsigned long long)(sg->start_extent + sg->extent_count - (sg->extent_count ? 1 : 0)),
			    s && *s ? ", on " : "", s ? s : "");
			free(s);
		}
#undef LK
	}
	row(&t, "free_space", "%llu", (unsigned long long)vg->free_extents);
	table_print(&t, f);
	table_free(&t);
}

/* ------------------------------------------------------------ JSON */

static bool seg_key_emitted(const struct mlvm_segment *s, const char *key)
{
	static const char *const done[] = {
		"start_extent", "extent_count", "type", "stripe_size", "areas", NULL
	};
	const char *const *d;

	for (d = done; *d; d++)
		if (!strcmp(*d, key))
			return true;
	return false;
}

static void json_pv_others(struct json *j, const char *key, const struct mlvm_pv *pv, bool list)
{
	uint32_t k;

	json_begin_array(j, key);
	for (k = 0; list && k < pv->n_others; k++) {
		json_begin_object(j, NULL);
		json_string(j, "image", pv->others[k]->src->name);
		json_uint(j, "offset", pv->others[k]->base);
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_vg(struct json *j, const struct mlvm_vg *vg)
{
	char uuid[39], what[256];
	uint32_t i, k;
	const struct cfg_node *n;

	json_begin_object(j, NULL);
	json_string(j, "name", vg->name);
	json_string(j, "id", vg->id);
	json_uint(j, "seqno", vg->seqno);
	json_uint(j, "extent_size", vg->extent_size);
	json_cfg_strings(j, "status", vg->status);
	json_cfg_strings(j, "flags", vg->flags);
	json_cfg_strings(j, "tags", vg->tags);
	json_int(j, "max_lv", vg->max_lv);
	json_int(j, "max_pv", vg->max_pv);
	n = cfg_find(vg->node, "format");
	if (n)
		json_cfg_value(j, "format", n);
	n = cfg_find(vg->node, "system_id");
	if (n)
		json_cfg_value(j, "system_id", n);
	json_string(j, "description", vg->description);
	json_string(j, "creation_host", vg->creation_host);
	json_int(j, "creation_time", vg->creation_time);
	json_begin_object(j, "source");
	json_string(j, "image", vg->source.image);
	mlvm_uuid_format(vg->source.pv_id, strlen(vg->source.pv_id), uuid);
	json_string(j, "pv_id", uuid);
	json_int(j, "mda", vg->source.mda);
	json_uint(j, "offset", vg->source.offset);
	json_uint(j, "size", vg->source.size);
	json_bool(j, "wrapped", vg->source.wrapped);
	json_end_object(j);

	json_begin_array(j, "pvs");
	for (i = 0; i < vg->n_pvs; i++) {
		const struct mlvm_pv *pv = &vg->pvs[i];

		json_begin_object(j, NULL);
		json_string(j, "name", pv->name);
		json_string(j, "id", pv->id);
		json_string(j, "device", pv->device);
		json_cfg_strings(j, "status", pv->status);
		json_cfg_strings(j, "flags", pv->flags);
		json_cfg_strings(j, "tags", pv->tags);
		json_uint(j, "dev_size", pv->dev_size);
		json_uint(j, "pe_start", pv->pe_start);
		json_uint(j, "pe_count", pv->pe_count);
		if (pv->missing) {
			json_null(j, "image");
			json_null(j, "offset");
		} else {
			json_string(j, "image", pv->src->name);
			json_uint(j, "offset", pv->offset);
		}
		json_bool(j, "missing", pv->missing);
		json_bool(j, "ambiguous", pv->ambiguous);
		if (pv->missing)
			json_null(j, "found_by");
		else
			json_string(j, "found_by", mlvm_pv_evidence_name(pv->found_by));
		/* ambiguous: the PVs found that fit it equally; else copies not used */
		json_pv_others(j, "candidates", pv, pv->ambiguous);
		json_pv_others(j, "duplicates", pv, !pv->ambiguous);
		json_end_object(j);
	}
	json_end_array(j);

	json_begin_array(j, "lvs");
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];
		uint32_t si;

		json_begin_object(j, NULL);
		json_string(j, "name", lv->name);
		json_string(j, "id", lv->id);
		json_cfg_strings(j, "status", mlvm_node_array(lv->node, "status"));
		json_cfg_strings(j, "flags", mlvm_node_array(lv->node, "flags"));
		json_cfg_strings(j, "tags", mlvm_node_array(lv->node, "tags"));
		json_bool(j, "visible", lv->visible);
		json_uint(j, "extent_count", lv->extent_count);
		json_uint(j, "size", mlvm_lv_size(vg, lv));
		if (lv_content(vg, lv, what, sizeof(what)))
			json_string(j, "content", what);
		else
			json_null(j, "content");
		n = cfg_find(lv->node, "creation_time");
		if (n)
			json_cfg_value(j, "creation_time", n);
		n = cfg_find(lv->node, "creation_host");
		if (n)
			json_cfg_value(j, "creation_host", n);
		json_begin_array(j, "segments");
		for (si = 0; si < lv->n_segs; si++) {
			const struct mlvm_segment *s = &lv->segs[si];

			json_begin_object(j, NULL);
			json_uint(j, "start_extent", s->start_extent);
			json_uint(j, "extent_count", s->extent_count);
			json_string(j, "type", s->type);
			if (cfg_find(s->node, "stripe_size"))
				json_uint(j, "stripe_size", mlvm_seg_stripe_size(s));
			json_begin_array(j, "areas");
			for (k = 0; k < s->n_areas; k++) {
				const struct mlvm_area *a = &s->areas[k];

				json_begin_object_inline(j, NULL);
				if (a->kind == MLVM_AREA_PV) {
					json_string(j, "pv", a->name);
					json_uint(j, "pe", a->start);
				} else {
					json_string(j, "lv", a->name);
					json_uint(j, "le", a->start);
				}
				json_end_object(j);
			}
			json_end_array(j);
			for (n = s->node->v.child; n; n = n->next)
				if (n->key && !seg_key_emitted(s, n->key))
					json_cfg_value(j, n->key, n);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_uint(j, "extent_count", vg->total_extents);
	json_uint(j, "free_extents", vg->free_extents);
	json_end_object(j);
}

/* ------------------------------------------------------------ command */

int cmd_read(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "generation", required_argument, NULL, 'g' },
		{ "content", no_argument, NULL, 'c' },
		{ "no-content", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_set *set;
	size_t i, shown = 0;
	bool write_failed = false;
	int opt, status, content = -1;
	size_t visible = 0;
	uint32_t l;

	struct cli_getopt gopt;

	cli_getopt_init(&gopt, c, "read", argc, argv, "h", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(read_help, stdout);
			return EXIT_DONE;
		case 'c':
		case 'C':
			content = opt == 'c' ? 1 : 0;
			break;
		case 'g':
			if (cli_parse_seqno(c, "read", "--generation", optarg, &oo.generation))
				return EXIT_USAGE;
			oo.want_generation = true;
			break;
		default:
			return cli_bad_option(&gopt, opt);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "read", "no image given");
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	/* none when several VGs answer to --vg: it names one */
	for (i = 0; i < set->n_vgs && cli_vgs_selected(c, set); i++)
		if (cli_vg_selected(c, set->vgs[i])) {
			shown++;
			for (l = 0; l < set->vgs[i]->n_lvs; l++)
				visible += set->vgs[i]->lvs[l].visible;
		}
	content_on = content == 1 || (content == -1 && visible <= CONTENT_AUTO_MAX);
	if (shown == 0)
		cli_no_vg_error(c, set, &oo, &set->report);
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "vgs");
		for (i = 0; shown && i < set->n_vgs; i++)
			if (cli_vg_selected(c, set->vgs[i]))
				json_vg(&j, set->vgs[i]);
		json_end_array(&j);
		if (!shown)
			cli_json_failed(&j, &set->report, EXIT_FAILED);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else {
		bool first = true;

		for (i = 0; shown && i < set->n_vgs; i++) {
			if (!cli_vg_selected(c, set->vgs[i]))
				continue;
			if (!first)
				fputc('\n', stdout);
			first = false;
			vg_table(set, set->vgs[i], stdout);
		}
	}
	if (!cli_output_ok(c, write_failed)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return shown ? EXIT_DONE : EXIT_FAILED;
}
