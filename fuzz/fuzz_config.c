/*
 * fuzz_config.c - the metadata text parser and the VG model: the input is
 * a metadata text, given to cfg_parse and (on its own copy) to
 * cfg_parse_lenient; every tree built goes through mlvm_vg_from_tree, and
 * the model is walked the way the commands walk it.
 */
#include <stdlib.h>
#include <string.h>

#include "text/config.h"
#include "fuzz.h"
#include "base/report.h"
#include "model/vg.h"

static char *copy(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (t) {
		memcpy(t, data, size);
		t[size] = '\0';
	}
	return t;
}

static void walk_tree(const struct cfg_node *n, unsigned depth)
{
	/* bounded by the parser's own depth limit */
	for (; n; n = cfg_next(n)) {
		if (cfg_type(n) == CFG_SECTION || cfg_type(n) == CFG_ARRAY) {
			(void)cfg_count(n);
			if (depth < MLVM_CFG_MAX_DEPTH + 2)
				walk_tree(cfg_child(n), depth + 1);
		}
	}
}

static void walk_vg(const struct mlvm_vg *vg)
{
	uint32_t i, j;

	for (i = 0; i < vg->n_pvs; i++)
		(void)mlvm_vg_pv_index(vg, vg->pvs[i].name);
	for (i = 0; i < vg->n_lvs; i++) {
		const struct mlvm_lv *lv = &vg->lvs[i];

		if (lv->name) {
			(void)mlvm_vg_find_lv(vg, lv->name);
			(void)mlvm_vg_lv_index(vg, lv->name);
			(void)mlvm_name_valid(lv->name);
		}
		(void)mlvm_lv_size(vg, lv);
		(void)mlvm_node_array(lv->node, "tags");
		for (j = 0; j < lv->n_segs; j++) {
			(void)mlvm_seg_stripe_size(&lv->segs[j]);
			(void)mlvm_seg_areas_key(&lv->segs[j]);
		}
	}
	(void)mlvm_cfg_array_has(vg->status, "WRITE");
}

static void build(struct cfg_tree *t)
{
	struct mlvm_report r;
	struct mlvm_vg *vg = NULL;
	int64_t i64;
	const char *s;

	(void)cfg_get_int(t->root, "seqno", &i64);
	(void)cfg_get_str(t->root, "contents", &s);
	walk_tree(t->root, 0);
	mlvm_report_init(&r);
	if (mlvm_vg_from_tree(t, &vg, &r, "fuzz.img", 4608) == 0 && vg) {
		walk_vg(vg);
		mlvm_vg_free(vg);
	}
	mlvm_report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_tree *t = NULL;
	char *text;
	int rc;

	text = copy(data, size);
	if (!text)
		return 0;
	if (cfg_parse(text, size, &t, NULL, NULL, -1) == 0)
		build(t);
	else
		free(text);

	text = copy(data, size);
	if (!text)
		return 0;
	t = NULL;
	rc = cfg_parse_lenient(text, size, &t, NULL, NULL, -1);
	if (rc == 0 || rc == 1)
		build(t);
	else
		free(text);
	return 0;
}
