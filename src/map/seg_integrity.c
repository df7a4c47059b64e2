/*
 * seg_integrity.c - the integrity family: an LV of segment type
 * "integrity" (the images of a raid LV made with --raidintegrity y, or an
 * LV made with --integrity) read from its data sub-LV, the segment's
 * "origin" (NAME_iorig). See seg.h.
 *
 * LVM2 gives dm-integrity a separate metadata device (the "meta_dev" key,
 * NAME_imeta): the superblock, the journal and the tags live there, and the
 * data device holds data sector n at its sector n (dm-integrity's
 * get_data_sector with a meta_dev), so the LV reads as its origin, sector
 * for sector. Without meta_dev the tags are interleaved with the data on
 * the origin in a layout the superblock describes; that is not mapped (the
 * segment is refused rather than read wrong).
 *
 * Not done: the tags (internal_hash per block_size block) are not checked,
 * and in journal mode ("J") writes still in the journal on the metadata
 * device are not replayed; a notice says both.
 */
#include "map/seg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int integrity_build(struct tree *t, struct mlvm_lv_reader *rd, const struct mlvm_segment *s,
			   struct seg *g, const struct seg_type *ty, int depth, int leg)
{
	const char *meta = NULL, *origin = NULL, *mode = NULL;
	int rc;

	(void)ty;
	(void)leg;
	if (cfg_get_str(s->node, "meta_dev", &meta)) {
		mlvm_error(t->r, "lv_integrity_internal", NULL, -1,
			   "lv %s: integrity with its tags interleaved with the data (no meta_dev) "
			   "cannot be mapped", rd->lv->name);
		return -ENOTSUP;
	}
	g->a = calloc(1, sizeof(*g->a));
	if (!g->a)
		return -ENOMEM;
	g->n = 1;
	rc = lvmap_named_area(t, &g->a[0], s, "origin", depth, rd->lv->name, true);
	if (rc && rc != -ENOENT)
		return rc;
	g->ops = &lvmap_seg_integrity;
	(void)cfg_get_str(s->node, "origin", &origin);
	(void)cfg_get_str(s->node, "mode", &mode);
	mlvm_notice(t->r, "lv_integrity_unverified", NULL, -1,
		    "lv %s: integrity: read from its data sub-LV %s; its tags (in %s) were not "
		    "verified%s", rd->lv->name, origin ? origin : "?", meta,
		    mode && !strcmp(mode, "J") ?
		    ", and writes still in its journal (mode J) were not replayed" : "");
	return 0;
}

const struct seg_ops lvmap_seg_integrity = {
	.family = "integrity",
	.build = integrity_build,
	.map = lvmap_map_first_area,
	.is_hole = lvmap_first_area_is_hole,
	.locate = true,
};
