/*
 * thin_removed.h - the thin LVs of a VG's older generations that its newest
 * generation no longer has (lvremove'd), and whether their dm-thin mapping
 * can still be recovered from the pool's stale metadata blocks (thin.h).
 *
 * The older generations are the set's carved intact copies (open the set
 * with .carve); each seqno is parsed once, and only when its text holds a
 * thin segment. An LV is matched by its LV id; the one listed is the last
 * generation that has it. Its mapping is looked for in the pool's metadata
 * LV as the newest generation (the assembled VG) places it: the pool must
 * still exist there under the same name.
 *
 * Layer: map (src/map). May include: base, io, disk, text, model.
 */
#ifndef MLVM_THIN_REMOVED_H
#define MLVM_THIN_REMOVED_H

#include <stddef.h>
#include <stdint.h>

#include "model/assemble.h"
#include "model/vg.h"

/* what the pool's metadata says of a removed thin LV's device */
enum mlvm_thin_mapping {
	MLVM_THIN_MAPPING_UNKNOWN,	/* the pool (or its metadata) cannot be read */
	MLVM_THIN_MAPPING_NOT_FOUND,	/* no stale tree names the device */
	MLVM_THIN_MAPPING_FOUND,	/* recovered from stale blocks */
	MLVM_THIN_MAPPING_LIVE,		/* the current metadata still holds it */
};

struct mlvm_thin_removed {
	char *lv;		/* its name in the last generation that has it */
	char *lv_id;
	char *pool;
	uint64_t device_id;
	uint64_t seqno;		/* that last generation */
	enum mlvm_thin_mapping mapping;
};

/*
 * The removed thin LVs of vg (a VG of set, its newest generation), sorted
 * by seqno then name: *out malloc'd (NULL when *n is 0), free with
 * mlvm_thin_removed_free. Problems met go nowhere (history reports the
 * generations itself). 0 or -ENOMEM.
 */
int mlvm_thin_removed_list(struct mlvm_set *set, const struct mlvm_vg *vg,
			   struct mlvm_thin_removed **out, size_t *n);

void mlvm_thin_removed_free(struct mlvm_thin_removed *v, size_t n);

/* "unknown", "not-found", "found", "live" */
const char *mlvm_thin_mapping_name(enum mlvm_thin_mapping m);

#endif
