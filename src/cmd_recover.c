/*
 * cmd_recover.c - the generations of the metadata: mlvm history, diff, dump.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carve.h"
#include "util.h"

/* ------------------------------------------------------------ history */

static const char history_help[] =
	"Usage: mlvm history [--json] [--vg NAME] IMAGE...\n"
	"\n"
	"List every metadata generation still present in every metadata area of\n"
	"every PV: the committed copy, older copies the ring still holds, and\n"
	"fragments of copies whose beginning a newer one overwrote (marked\n"
	"incomplete). Copies of another VG in the same area are listed under their\n"
	"own VG. Any listed seqno can be given to read/dump --generation.\n";

struct hrow {
	const struct mlvm_pvdev *dev;
	const struct mlvm_mda_info *mda;
	const struct mlvm_generation *g;
};

static int cmp_hrow(const void *a, const void *b)
{
	const struct hrow *x = a, *y = b;
	int c = strcmp(x->g->vg_id, y->g->vg_id);

	if (c)
		return c;
	if (x->g->seqno_known != y->g->seqno_known)
		return x->g->seqno_known ? 1 : -1;
	if (x->g->seqno != y->g->seqno)
		return x->g->seqno < y->g->seqno ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->mda->index - y->mda->index;
}

static const char *gen_state(const struct mlvm_generation *g)
{
	if (g->fragment)
		return "fragment";
	if (!g->complete)
		return "incomplete";
	if (g->checksum_ok == 0)
		return "bad-checksum";
	if (!g->parse_ok)
		return "unparsable";
	return "ok";
}

static const char *slot_name(int slot)
{
	return slot == 0 ? "committed" : slot == 1 ? "precommitted" : NULL;
}

int cmd_history(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { .carve = true };
	struct mlvm_set *set;
	struct hrow *rows = NULL;
	size_t n = 0, i, g;
	unsigned k;
	int opt, status;
	bool write_failed = false;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(history_help, stdout);
			return EXIT_DONE;
		default:
			return cli_usage(c, "history", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage(c, "history", "no image given");
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			n += set->devs[i].mda[k].n_gens;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		cli_err(c, "out of memory");
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	n = 0;
	for (i = 0; i < set->n_devs; i++)
		for (k = 0; k < set->devs[i].n_mda; k++)
			for (g = 0; g < set->devs[i].mda[k].n_gens; g++) {
				const struct mlvm_generation *gen = &set->devs[i].mda[k].gens[g];

				if (c->vg && strcmp(gen->vg_name, c->vg))
					continue;
				rows[n].dev = &set->devs[i];
				rows[n].mda = &set->devs[i].mda[k];
				rows[n].g = gen;
				n++;
			}
	qsort(rows, n, sizeof(*rows), cmp_hrow);
	if (n == 0)
		mlvm_error(&set->report, "no_generation", NULL, -1,
			   "no metadata generation found in the images given");
	if (c->json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "generations");
		for (i = 0; i < n; i++) {
			const struct mlvm_generation *gen = rows[i].g;
			char uuid[39];

			json_begin_object_inline(&j, NULL);
			json_string(&j, "vg", gen->vg_name[0] ? gen->vg_name : NULL);
			json_string(&j, "vg_id", gen->vg_id[0] ? gen->vg_id : NULL);
			if (gen->seqno_known)
				json_uint(&j, "seqno", gen->seqno);
			else
				json_null(&j, "seqno");
			json_string(&j, "image", rows[i].dev->src->name);
			mlvm_uuid_format(rows[i].dev->uuid, strlen(rows[i].dev->uuid), uuid);
			json_string(&j, "pv_id", rows[i].dev->uuid[0] ? uuid : NULL);
			json_int(&j, "mda", rows[i].mda->index);
			json_uint(&j, "offset", rows[i].mda->abs + gen->offset);
			json_uint(&j, "size", gen->size);
			json_string(&j, "slot", slot_name(gen->slot));
			if (gen->checksum_ok < 0)
				json_null(&j, "checksum_ok");
			else
				json_bool(&j, "checksum_ok", gen->checksum_ok == 1);
			json_bool(&j, "parse_ok", gen->parse_ok);
			json_bool(&j, "complete", gen->complete);
			json_bool(&j, "wrapped", gen->wrapped);
			json_bool(&j, "fragment", gen->fragment);
			json_string(&j, "description", gen->description[0] ? gen->description : NULL);
			if (gen->creation_time)
				json_uint(&j, "creation_time", gen->creation_time);
			else
				json_null(&j, "creation_time");
			json_string(&j, "creation_host", gen->creation_host[0] ? gen->creation_host : NULL);
			json_end_object(&j);
		}
		json_end_array(&j);
		cli_json_report(&j, &set->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else if (n) {
		printf("%-16s %8s  %-12s %-4s %10s %8s  %-12s %-20s %s\n", "VG", "SEQNO", "STATE",
		       "MDA", "OFFSET", "SIZE", "SLOT", "TIME", "DESCRIPTION / IMAGE");
		for (i = 0; i < n; i++) {
			const struct mlvm_generation *gen = rows[i].g;
			char when[32] = "-", seq[24] = "?";
			time_t t = (time_t)gen->creation_time;
			struct tm tm;

			if (gen->creation_time && gmtime_r(&t, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			if (gen->seqno_known)
				snprintf(seq, sizeof(seq), "%llu", (unsigned long long)gen->seqno);
			printf("%-16s %8s  %-12s mda%d %10llu %8llu  %-12s %-20s %s [%s]\n",
			       gen->vg_name[0] ? gen->vg_name : "?", seq, gen_state(gen),
			       rows[i].mda->index,
			       (unsigned long long)(rows[i].mda->abs + gen->offset),
			       (unsigned long long)gen->size,
			       slot_name(gen->slot) ? slot_name(gen->slot) : "-", when,
			       gen->description[0] ? gen->description : "-",
			       rows[i].dev->src->name);
		}
	}
	free(rows);
	if (!cli_output_ok(c, write_failed)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return n ? EXIT_DONE : EXIT_FAILED;
}

/* ------------------------------------------------------------ dump */

static const char dump_help[] =
	"Usage: mlvm dump [--generation SEQNO] [--vg NAME] IMAGE...\n"
	"\n"
	"Print the metadata text of the VG as LVM2 reads it (or as generation SEQNO\n"
	"has it), as a file that `vgcfgrestore -f FILE VG` accepts. Damaged copies\n"
	"are never dumped: the text is the one mlvm read uses.\n";

/* the one VG the user means: --vg, or the only one */
static struct mlvm_vg *pick_vg(const struct cli *c, struct mlvm_set *set, const char *cmd, int *status)
{
	struct mlvm_vg *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < set->n_vgs; i++)
		if (cli_vg_selected(c, set->vgs[i])) {
			found = set->vgs[i];
			n++;
		}
	if (n > 1) {
		*status = cli_usage(c, cmd, "the images hold %zu volume groups: pick one with --vg", n);
		return NULL;
	}
	*status = found ? EXIT_DONE : EXIT_FAILED;
	return found;
}

static int parse_generation_opts(struct cli *c, const char *cmd, const char *help,
				 int argc, char **argv, struct mlvm_open_opts *oo, int *done)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "generation", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*done = 0;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			*done = 1;
			return EXIT_DONE;
		case 'g':
			if (cli_parse_seqno(c, cmd, "--generation", optarg, &oo->generation))
				return EXIT_USAGE;
			oo->want_generation = true;
			break;
		case ':':
			return cli_usage(c, cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(c, cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage(c, cmd, "no image given");
	return EXIT_DONE;
}

static void no_vg_error(const struct cli *c, struct mlvm_set *set, const struct mlvm_open_opts *oo)
{
	if (oo->want_generation)
		mlvm_error(&set->report, "no_generation", NULL, -1,
			   "no intact generation %llu%s%s in the images given (mlvm history lists them)",
			   (unsigned long long)oo->generation, c->vg ? " of vg " : "", c->vg ? c->vg : "");
	else
		mlvm_error(&set->report, "no_vg", NULL, -1, "no volume group%s%s found in the images given",
			   c->vg ? " named " : "", c->vg ? c->vg : "");
}

int cmd_dump(struct cli *c, int argc, char **argv)
{
	struct mlvm_open_opts oo = { 0 };
	struct mlvm_set *set;
	struct mlvm_vg *vg;
	char *text = NULL, uuid[39];
	size_t len = 0;
	int status, done, rc;

	status = parse_generation_opts(c, "dump", dump_help, argc, argv, &oo, &done);
	if (status || done)
		return status;
	set = cli_open_set(c, argv + optind, argc - optind, &oo, &status);
	if (!set)
		return status;
	vg = pick_vg(c, set, "dump", &status);
	if (!vg) {
		if (status == EXIT_FAILED)
			no_vg_error(c, set, &oo);
		cli_print_report(c, &set->report);
		mlvm_set_free(set);
		return status;
	}
	rc = mlvm_set_vg_text(set, vg, &text, &len);
	if (rc) {
		cli_err(c, "cannot read the metadata text of vg %s again: %s", vg->name, strerror(-rc));
		cli_print_report(c, &set->report);
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	mlvm_uuid_format(vg->source.pv_id, strlen(vg->source.pv_id), uuid);
	printf("# vg %s seqno %llu, recovered by mlvm from %s (pv %s, mda%d, byte %llu, %llu bytes%s)\n",
	       vg->name, (unsigned long long)vg->seqno, vg->source.image, uuid, vg->source.mda,
	       (unsigned long long)vg->source.offset, (unsigned long long)vg->source.size,
	       vg->source.gen ? ", from its ring" : ", the committed copy");
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		putchar('\n');
	free(text);
	if (!cli_output_ok(c, false)) {
		mlvm_set_free(set);
		return EXIT_FAILED;
	}
	cli_print_report(c, &set->report);
	mlvm_set_free(set);
	return EXIT_DONE;
}

/* ------------------------------------------------------------ diff */

static const char diff_help[] =
	"Usage: mlvm diff --from SEQNO --to SEQNO [--json] [--vg NAME] IMAGE...\n"
	"\n"
	"What changed in a VG between two generations of its metadata: LVs added,\n"
	"removed, renamed (matched by id), resized, moved, retagged or with another\n"
	"status; PVs added, removed or changed; VG settings changed.\n";

struct differ {
	struct json *j;		/* NULL: text */
	const char *vg;
	size_t n;
};

static void change(struct differ *d, const char *kind, const char *lv, const char *id,
		   const char *before, const char *after)
{
	d->n++;
	if (d->j) {
		json_begin_object_inline(d->j, NULL);
		json_string(d->j, "kind", kind);
		json_string(d->j, "lv", lv);
		json_string(d->j, "id", id);
		json_string(d->j, "before", before);
		json_string(d->j, "after", after);
		json_end_object(d->j);
		return;
	}
	printf("%-12s %-24s %s%s%s\n", kind, lv ? lv : "", before ? before : "",
	       before && after ? " -> " : "", after ? after : "");
}

static char *strings_of(const struct cfg_node *arr)
{
	struct mlvm_buf b = { 0 };
	const struct cfg_node *e;

	mlvm_buf_append(&b, "", 0);
	if (arr)
		for (e = arr->v.child; e; e = e->next)
			if (e->type == CFG_STRING || e->type == CFG_WORD)
				mlvm_buf_printf(&b, "%s%s", b.len ? "," : "", e->v.s);
	return b.data;
}

/* where an LV's extents lie, as text, to compare mappings */
static char *mapping_of(const struct mlvm_lv *lv)
{
	struct mlvm_buf b = { 0 };
	uint32_t i, k;

	mlvm_buf_append(&b, "", 0);
	for (i = 0; i < lv->n_segs; i++) {
		const struct mlvm_segment *s = &lv->segs[i];

		mlvm_buf_printf(&b, "%s%s@%llu+%llu:", i ? " " : "", s->type ? s->type : "?",
				(unsigned long long)s->start_extent, (unsigned long long)s->extent_count);
		for (k = 0; k < s->n_areas; k++)
			mlvm_buf_printf(&b, "%s%s:%llu", k ? "," : "", s->areas[k].name,
					(unsigned long long)s->areas[k].start);
	}
	return b.data;
}

static void diff_strs(struct differ *d, const char *kind, const char *name, const char *id,
		      const struct cfg_node *a, const struct cfg_node *b)
{
	char *x = strings_of(a), *y = strings_of(b);

	if (x && y && strcmp(x, y))
		change(d, kind, name, id, x, y);
	free(x);
	free(y);
}

static const struct mlvm_lv *lv_by_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_lvs; i++)
		if (vg->lvs[i].id && id && !strcmp(vg->lvs[i].id, id))
			return &vg->lvs[i];
	return NULL;
}

static const struct mlvm_pv *pv_by_id(const struct mlvm_vg *vg, const char *id)
{
	uint32_t i;

	for (i = 0; i < vg->n_pvs; i++)
		if (vg->pvs[i].id && id && !strcmp(vg->pvs[i].id, id))
			return &vg->pvs[i];
	return NULL;
}

static void diff_vgs(struct differ *d, const struct mlvm_vg *a, const struct mlvm_vg *b)
{
	char x[64], y[64];
	uint32_t i;

	if (strcmp(a->name, b->name))
		change(d, "vg_changed", NULL, a->id, a->name, b->name);
	if (a->extent_size != b->extent_size) {
		snprintf(x, sizeof(x), "extent_size %llu", (unsigned long long)a->extent_size);
		snprintf(y, sizeof(y), "extent_size %llu", (unsigned long long)b->extent_size);
		change(d, "vg_changed", NULL, a->id, x, y);
	}
	if (a->max_lv != b->max_lv || a->max_pv != b->max_pv) {
		snprintf(x, sizeof(x), "max_lv %lld max_pv %lld", (long long)a->max_lv, (long long)a->max_pv);
		snprintf(y, sizeof(y), "max_lv %lld max_pv %lld", (long long)b->max_lv, (long long)b->max_pv);
		change(d, "vg_changed", NULL, a->id, x, y);
	}
	diff_strs(d, "vg_changed", NULL, a->id, a->status, b->status);
	diff_strs(d, "vg_changed", NULL, a->id, a->tags, b->tags);

	for (i = 0; i < a->n_pvs; i++) {
		const struct mlvm_pv *p = &a->pvs[i], *q = pv_by_id(b, p->id);

		if (!q) {
			change(d, "pv_removed", NULL, p->id, p->name, NULL);
			continue;
		}
		if (p->pe_count != q->pe_count || p->dev_size != q->dev_size || p->pe_start != q->pe_start) {
			snprintf(x, sizeof(x), "%llu extents", (unsigned long long)p->pe_count);
			snprintf(y, sizeof(y), "%llu extents", (unsigned long long)q->pe_count);
			change(d, "pv_changed", NULL, p->id, x, y);
		}
		diff_strs(d, "pv_changed", NULL, p->id, p->status, q->status);
		diff_strs(d, "pv_changed", NULL, p->id, p->tags, q->tags);
	}
	for (i = 0; i < b->n_pvs; i++)
		if (!pv_by_id(a, b->pvs[i].id))
			change(d, "pv_added", NULL, b->pvs[i].id, NULL, b->pvs[i].name);

	for (i = 0; i < a->n_lvs; i++) {
		const struct mlvm_lv *p = &a->lvs[i], *q = lv_by_id(b, p->id);
		char *m1, *m2;

		if (!q) {
			change(d, "lv_removed", p->name, p->id, p->name, NULL);
			continue;
		}
		if (strcmp(p->name, q->name))
			change(d, "lv_renamed", q->name, p->id, p->name, q->name);
		if (p->extent_count != q->extent_count) {
			snprintf(x, sizeof(x), "%llu extents", (unsigned long long)p->extent_count);
			snprintf(y, sizeof(y), "%llu extents", (unsigned long long)q->extent_count);
			change(d, "lv_resized", q->name, p->id, x, y);
		}
		m1 = mapping_of(p);
		m2 = mapping_of(q);
		/* moved: the extents they share lie elsewhere (not just grown or shrunk) */
		if (m1 && m2 && strcmp(m1, m2) && strncmp(m1, m2, strlen(m1) < strlen(m2) ? strlen(m1) : strlen(m2)))
			change(d, "lv_moved", q->name, p->id, m1, m2);
		free(m1);
		free(m2);
		diff_strs(d, "lv_tags", q->name, p->id, mlvm_node_array(p->node, "tags"),
			  mlvm_node_array(q->node, "tags"));
		diff_strs(d, "lv_status", q->name, p->id, mlvm_node_array(p->node, "status"),
			  mlvm_node_array(q->node, "status"));
	}
	for (i = 0; i < b->n_lvs; i++)
		if (!lv_by_id(a, b->lvs[i].id))
			change(d, "lv_added", b->lvs[i].name, b->lvs[i].id, NULL, b->lvs[i].name);
}

int cmd_diff(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oa = { .want_generation = true }, ob = { .want_generation = true };
	struct mlvm_set *sa = NULL, *sb = NULL;
	struct mlvm_vg *va, *vb;
	bool have_from = false, have_to = false, write_failed = false;
	struct differ d = { 0 };
	struct json j;
	int opt, status;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(diff_help, stdout);
			return EXIT_DONE;
		case 'f':
			if (cli_parse_seqno(c, "diff", "--from", optarg, &oa.generation))
				return EXIT_USAGE;
			have_from = true;
			break;
		case 't':
			if (cli_parse_seqno(c, "diff", "--to", optarg, &ob.generation))
				return EXIT_USAGE;
			have_to = true;
			break;
		case ':':
			return cli_usage(c, "diff", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(c, "diff", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!have_from || !have_to)
		return cli_usage(c, "diff", "both --from SEQNO and --to SEQNO are needed");
	if (optind >= argc)
		return cli_usage(c, "diff", "no image given");
	sa = cli_open_set(c, argv + optind, argc - optind, &oa, &status);
	if (!sa)
		return status;
	sb = cli_open_set(c, argv + optind, argc - optind, &ob, &status);
	if (!sb) {
		mlvm_set_free(sa);
		return status;
	}
	va = pick_vg(c, sa, "diff", &status);
	vb = va ? pick_vg(c, sb, "diff", &status) : NULL;
	if (!va || !vb) {
		if (status == EXIT_FAILED) {
			no_vg_error(c, va ? sb : sa, va ? &ob : &oa);
			cli_print_report(c, va ? &sb->report : &sa->report);
		}
		mlvm_set_free(sa);
		mlvm_set_free(sb);
		return status;
	}
	if (va->id && vb->id && strcmp(va->id, vb->id)) {
		cli_err(c, "generations %llu and %llu belong to different VGs (%s, %s): pick one with --vg",
			(unsigned long long)oa.generation, (unsigned long long)ob.generation,
			va->name, vb->name);
		mlvm_set_free(sa);
		mlvm_set_free(sb);
		return EXIT_FAILED;
	}
	d.vg = vb->name;
	if (c->json) {
		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_string(&j, "vg", vb->name);
		json_uint(&j, "from", va->seqno);
		json_uint(&j, "to", vb->seqno);
		json_begin_array(&j, "changes");
		d.j = &j;
	} else {
		printf("vg %s: generation %llu -> %llu\n", vb->name, (unsigned long long)va->seqno,
		       (unsigned long long)vb->seqno);
	}
	diff_vgs(&d, va, vb);
	if (c->json) {
		json_end_array(&j);
		cli_json_report(&j, &sb->report);
		json_end_object(&j);
		write_failed = json_finish(&j) != 0;
	} else if (d.n == 0) {
		printf("no changes\n");
	}
	if (!cli_output_ok(c, write_failed)) {
		status = EXIT_FAILED;
	} else {
		status = EXIT_DONE;
	}
	cli_print_report(c, &sb->report);
	mlvm_set_free(sa);
	mlvm_set_free(sb);
	return status;
}
