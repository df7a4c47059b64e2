/*
 * fsname.c - the file holding each loose copy carved from an image
 * (mlvm_fs_name_loose in fsowner.h).
 */
#include "fs/fsowner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/assemble.h"
#include "model/locate.h"
#include "model/loose.h"

/* the copies of the set in LV lv of vg: their indexes and LV offsets */
static size_t copies_in(struct mlvm_set *set, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
			size_t *idx, uint64_t *offs)
{
	size_t i, n = 0;

	for (i = 0; i < set->n_loose; i++) {
		const struct mlvm_loose *l = set->loose[i];
		struct mlvm_lv_place p;

		if (l->origin != MLVM_ORIGIN_IMAGE || !l->src || !l->lv || l->fs_type)
			continue;
		if (!mlvm_vg_locate_byte(vg, l->src, l->g.offset, &p) || p.lv != lv)
			continue;
		idx[n] = i;
		offs[n] = p.offset;
		n++;
	}
	return n;
}

static int name_lv(struct mlvm_set *set, const struct mlvm_vg *vg, const struct mlvm_lv *lv,
		   size_t *idx, uint64_t *offs, struct mlvm_fs_owner *own)
{
	struct mlvm_lv_reader *rd = NULL;
	struct mlvm_report quiet;
	size_t n = copies_in(set, vg, lv, idx, offs), i;
	int rc;

	if (!n || !lv->visible)
		return 0;
	mlvm_report_init(&quiet);
	rc = mlvm_lv_reader_new(vg, lv, NULL, &rd, &quiet);
	mlvm_report_free(&quiet);
	if (rc < 0)
		return rc == -ENOMEM ? rc : 0;
	rc = mlvm_fs_owners(rd, offs, n, own);
	mlvm_lv_reader_free(rd);
	if (rc < 0)
		return rc;
	for (i = 0; i < n && !rc; i++) {
		struct mlvm_loose *l = set->loose[idx[i]];

		if (own[i].fs_type[0] && !(l->fs_type = strdup(own[i].fs_type)))
			rc = -ENOMEM;
		l->fs_path = own[i].path;
		own[i].path = NULL;
		l->fs_unallocated = own[i].unallocated;
	}
	for (i = 0; i < n; i++)
		mlvm_fs_owner_clear(&own[i]);
	return rc;
}

int mlvm_fs_name_loose(struct mlvm_set *set)
{
	struct mlvm_fs_owner *own;
	uint64_t *offs;
	size_t *idx, v;
	uint32_t l;
	int rc = 0;

	if (!set->n_loose || !mlvm_fs_supported())
		return 0;
	idx = calloc(set->n_loose, sizeof(*idx));
	offs = calloc(set->n_loose, sizeof(*offs));
	own = calloc(set->n_loose, sizeof(*own));
	if (!idx || !offs || !own)
		rc = -ENOMEM;
	for (v = 0; v < set->n_vgs && !rc; v++) {
		const struct mlvm_vg *vg = set->vgs[v];

		if (vg->gone)
			continue;
		for (l = 0; l < vg->n_lvs && !rc; l++)
			rc = name_lv(set, vg, &vg->lvs[l], idx, offs, own);
	}
	free(idx);
	free(offs);
	free(own);
	return rc;
}
