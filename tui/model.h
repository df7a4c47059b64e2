/*
 * model.h - what the browser shows, without curses (ncdu's dirlist.c).
 *
 * A model is a tree over one or more VGs:
 *
 *   VG
 *     Physical volumes      (a group node)
 *       pv0 ...
 *     Logical volumes       (a group node)
 *       home
 *       r1                  (folded: its hidden sub-LVs below)
 *         r1_rmeta_0 ...
 *
 * A guest VG (nested discovery, map/nested.h: its PVs lie inside an LV of
 * another VG of the model) is shown under that LV when all its PVs lie in
 * that one LV, recursively (guest inside guest):
 *
 *   VG host
 *     Logical volumes
 *       guestdisk           (folded: the guest VG below)
 *         VG guest
 *           Physical volumes ...
 *           Logical volumes ...
 *
 * A guest VG whose PVs lie in several LVs (or in an LV the model does not
 * show, or partly in the images themselves) stays at the top, its label
 * saying where its PVs are ("VG guest (guest in host/a, host/b)"). Where
 * a guest VG goes does not depend on the order of the VGs given (the VGs
 * at the top keep that order, which the assembler makes independent of
 * the order of the images); a host LV found in no VG given, or a loop,
 * leaves the guest at the top.
 *
 * A hidden sub-LV (x_rimage_0, x_tmeta, x_mlog, a snapshot's snapshotN, ...)
 * is folded under the first LV that refers to it, by a segment area or by
 * a segment key naming it (pool, metadata, origin, cow_store, ...); a
 * hidden LV no one refers to goes under its cow_store, else under the
 * first LV it refers to, else at the top. Visible LVs are never folded.
 *
 * The model keeps the selection (a node, so it survives re-sorting and
 * folding), the rows currently shown, the first row on screen, the sort
 * order and a name filter; it searches names; it marks what changed when a
 * VG is shown as an older generation (each VG may carry the current
 * generation as its "base"); it computes extent map cells and the detail
 * lines of a node. The views in browser.c only draw what it produces.
 *
 * VGs are borrowed: they must outlive the model.
 *
 * Layer: tui (tui). May include: base, io, disk, text, model, map, export, write, fs.
 */
#ifndef MLVM_TUI_MODEL_H
#define MLVM_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/assemble.h"
#include "model/vg.h"

enum tm_kind {
	TM_VG,
	TM_GROUP_PVS,
	TM_GROUP_LVS,
	TM_PV,
	TM_LV,
};

/* what changed for an LV of an older generation, against the current one */
enum {
	TM_MARK_ADDED = 1,	/* only in the current generation (a ghost node) */
	TM_MARK_REMOVED = 2,	/* only in the generation shown */
	TM_MARK_RENAMED = 4,
	TM_MARK_RESIZED = 8,
};

struct tm_node {
	uint8_t kind;		/* enum tm_kind */
	uint8_t marks;		/* TM_MARK_* */
	bool folded;
	bool ghost;		/* an LV of the base VG (added since the generation shown) */
	bool match;		/* its subtree matches the filter */
	uint16_t depth;
	uint32_t vg;		/* index in model->vgs */
	int32_t idx;		/* PV or LV index (in the base VG for a ghost), -1 */
	int32_t base_idx;	/* the same LV in the base VG, -1 */
	int32_t parent;		/* node, -1 for a VG at the top (a guest VG: its host LV) */
	int32_t first_child;
	int32_t next_sibling;
	uint32_t n_children;
	uint32_t seq;		/* position in model->order */
};

/* one VG of the model, with what was computed for it */
struct tm_vgview {
	const struct mlvm_vg *vg;	/* shown */
	const struct mlvm_vg *base;	/* the current generation, NULL when vg is it */
	int32_t node;			/* its VG node */
	int32_t host;			/* the LV node it is shown under (a guest VG), -1 */
	char *guest_in;			/* a guest VG at the top: the LVs its PVs lie in,
					 * "host/a, host/b" (sorted); NULL otherwise */
	int32_t *lv_node;		/* LV index -> node */
	int32_t *lv_parent;		/* LV index -> the LV it is folded under, -1 */
	int32_t *pv_node;		/* PV index -> node */
	int32_t **owner;		/* per PV: LV owning each map unit, -1 free, -2 claimed twice */
	uint64_t *unit;			/* per PV: extents per map unit (1 unless huge) */
	uint64_t *owner_len;		/* per PV: entries in owner[] */
	uint64_t *used;			/* per PV: extents used by LVs */
	char *lv_mark;			/* LV index -> its map mark (its root's), 0 none */
	uint8_t *lv_colour;		/* LV index -> its colour, 0..TM_N_COLOURS-1 */
	int32_t *legend;		/* the top LVs holding extents, in text order */
	uint32_t n_legend;
	uint32_t n_later;		/* LVs of the base created after the generation shown */
	uint32_t n_added, n_removed, n_renamed, n_resized;
};

enum tm_sort {
	TM_SORT_NAME,		/* names, digits compared as numbers */
	TM_SORT_SIZE,		/* largest first */
	TM_SORT_TEXT,		/* as the metadata text lists them */
	TM_SORT_COUNT,
};

struct tm_model {
	struct tm_vgview *vgs;
	size_t n_vgs;
	struct tm_node *nodes;
	size_t n_nodes, cap_nodes;
	int32_t *order;		/* every node in tree order (preorder) */
	int32_t *rows;		/* the nodes shown, in order */
	size_t n_rows;
	int32_t *node_row;	/* node -> row, -1 when not shown */
	int32_t sel;		/* the selected node, -1 when the model is empty */
	size_t top;		/* first row on screen */
	enum tm_sort sort;
	char filter[128];	/* "" for none; a case-insensitive substring */
	/* private to the sorting: each node's place among its siblings by
	 * name (strverscmp, then node index), made for rank_n nodes, and each
	 * node's extents (the size sort's key) */
	uint32_t *rank;
	size_t rank_n;
	uint64_t *size_key;
};

/*
 * A model over n VGs; bases (may be NULL, or hold NULLs) gives for each VG
 * the current generation to mark changes against. NULL on allocation
 * failure.
 */
struct tm_model *tm_model_new(const struct mlvm_vg *const *vgs,
			      const struct mlvm_vg *const *bases, size_t n);
void tm_model_free(struct tm_model *m);

/* the name a node shows ("Logical volumes" for a group) */
const char *tm_node_name(const struct tm_model *m, int32_t node);
/* the VG and LV of an LV node (the base VG's for a ghost); false otherwise */
bool tm_node_lv(const struct tm_model *m, int32_t node, const struct mlvm_vg **vg,
		const struct mlvm_lv **lv);
/* the node's size in bytes (VG, PV, LV), 0 for groups */
uint64_t tm_node_bytes(const struct tm_model *m, int32_t node);
/* the node of an LV of VG v by name (also ghosts), -1 */
int32_t tm_find(const struct tm_model *m, uint32_t v, const char *name);

/* ------------------------------------------------------------ moving */

/* the row of the selection (0 when nothing is shown) */
size_t tm_sel_row(const struct tm_model *m);
/* move the selection by delta rows (clamped) */
void tm_move(struct tm_model *m, long delta);
void tm_home(struct tm_model *m);
void tm_end(struct tm_model *m);
/* select a node, unfolding what hides it; false when the filter hides it */
bool tm_select(struct tm_model *m, int32_t node);
/* keep the selection inside a window of height rows (adjusts m->top) */
void tm_scroll(struct tm_model *m, size_t height);

/* ------------------------------------------------------------ folding */

bool tm_has_children(const struct tm_model *m, int32_t node);
/* Enter: fold or unfold the selection; false when it has no children */
bool tm_toggle(struct tm_model *m);
/* Left: fold the selection, or, if folded or a leaf, go to its parent */
void tm_fold_or_parent(struct tm_model *m);
/* Right: unfold the selection */
void tm_unfold(struct tm_model *m);

/* ------------------------------------------------------------ order, filter, search */

void tm_set_sort(struct tm_model *m, enum tm_sort s);
const char *tm_sort_name(enum tm_sort s);
/* show only the nodes whose name (or a descendant's) holds s; "" or NULL for all */
void tm_set_filter(struct tm_model *m, const char *s);
/*
 * Select the next node (after the selection when next, else from it) in
 * tree order whose name holds s (case-insensitive), wrapping around and
 * unfolding what hides it. Group nodes are skipped. false when none.
 */
bool tm_search(struct tm_model *m, const char *s, bool next);

/* ------------------------------------------------------------ extent map */

struct tm_cell {
	int32_t lv;		/* an LV with extents in the cell, -1 all free, -2 overlap */
	int32_t root;		/* the top LV lv is folded under (its colour), or lv */
	uint32_t used;		/* extents of the cell that are used */
	uint32_t total;		/* extents of the cell */
	bool sel;		/* holds extents of the selected LV (or of its sub-LVs) */
};

/*
 * The extent map of PV pv of VG v in at most max cells: one cell per
 * extent when they fit, else *per extents per cell. Returns the number of
 * cells filled.
 */
size_t tm_map_cells(const struct tm_model *m, uint32_t v, uint32_t pv,
		    struct tm_cell *cells, size_t max, uint64_t *per);
/*
 * Map marks. Each top LV holding extents (its sub-LVs' included) gets a
 * mark of its own: the first letter or digit of its name not taken (lower
 * case), else the first one in upper case, else any letter or digit unused;
 * past 62 such LVs the mark is TM_MARK_MORE (the cursor names the LV).
 * '.', '#', '!' and '?' are never marks. Colours go round TM_N_COLOURS in
 * the same order. The legend lists the marked LVs in metadata order.
 */
#define TM_N_COLOURS 6
#define TM_MARK_MORE '+'
/* the mark of LV lv of VG v (its root's), 0 when it holds no extents */
char tm_lv_mark(const struct tm_model *m, uint32_t v, int32_t lv);
/* the colour of LV lv of VG v (its root's), 0..TM_N_COLOURS-1 */
unsigned tm_lv_colour(const struct tm_model *m, uint32_t v, int32_t lv);

/* the VG of a node */
uint32_t tm_node_vg(const struct tm_model *m, int32_t node);
/* the LV index a selection highlights in VG v, -1 */
int32_t tm_sel_lv(const struct tm_model *m, uint32_t v);

/* ------------------------------------------------------------ details */

/* lines of text: "key\tvalue", or a heading without a tab */
struct tm_text {
	char **lines;
	size_t n, cap;
};

void tm_text_free(struct tm_text *t);
/* append a line (printf-style) */
void tm_text_add(struct tm_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Every field of a node, with sizes in human units and in exact bytes,
 * sectors and extents; for an LV its segments and where each area lies
 * in its image, its relations, and the changes since the generation shown.
 * content (may be NULL) is the LV's libmagic description.
 */
void tm_details(const struct tm_model *m, int32_t node, const char *content, struct tm_text *out);

/*
 * Word wrapping for the views: s cut into lines of at most width bytes,
 * at spaces where it can be; a word longer than width is cut (cut set).
 * The spaces where a line breaks are dropped. Returns the number of lines
 * (at least 1, even for ""), of which at most max are stored.
 */
struct tm_span {
	size_t off, len;
	bool cut;		/* this line ends inside a word */
};
size_t tm_wrap(const char *s, size_t width, struct tm_span *out, size_t max);

/*
 * What an LV node of an older generation is, against the current one
 * (" +created later", " -removed later", " ~renamed later", ...), "" when
 * nothing changed or no older generation is shown.
 */
const char *tm_node_tag(const struct tm_model *m, int32_t node);
/*
 * The label of a node in the tree: "VG demo", "Logical volumes (4)",
 * "VG guest (guest in host/a, host/b)" for a guest VG at the top,
 * "Logical volumes (4) +2 later" (the LVs of the generation shown are
 * counted apart from those created after it, which are listed last and
 * tagged " +created later"), "[hidden]" for a hidden LV, "pv0 IMAGE" for a PV.
 */
void tm_node_label(const struct tm_model *m, int32_t node, char *out, size_t len);

/*
 * How a VG assembled as "the current one" stands: "current" when a
 * committed copy was used, "fallback" when the committed copies were
 * unusable and the newest intact generation in a ring is shown
 * (generation_fallback), "gone" when no metadata area commits the VG any
 * longer (vg_gone), "older" for a VG opened at a chosen generation.
 */
const char *tm_vg_standing(const struct mlvm_vg *vg, bool older);

/*
 * A short form of a libmagic description for the tree's content column:
 * its first clause ("Linux rev 1.0 ext4 filesystem data, UUID=..." ->
 * "Linux rev 1.0 ext4 filesystem data"), spaces squeezed.
 */
void tm_content_short(const char *desc, char *out, size_t len);

/* "1.50 MiB" */
void tm_human(uint64_t bytes, char *out, size_t len);

/* ------------------------------------------------------------ generations */

struct tm_gen {
	uint64_t seqno;
	bool seqno_known;
	uint64_t creation_time;
	char description[256];
	const char *state;	/* "ok", "bad-checksum", "unparsable", "incomplete", "fragment" */
	bool usable;		/* some copy is complete, parses and its checksum is not bad */
	unsigned copies;	/* copies of it found (one per metadata area) */
	bool current;		/* the seqno the current VG has */
};

/*
 * Every generation of VG vg_id the carved set holds, one row per seqno
 * (the best copy's state), newest first; fragments with no seqno last.
 * *out is malloc'd (NULL when *n is 0). 0 or -ENOMEM.
 */
int tm_generations(const struct mlvm_set *set, const char *vg_id, uint64_t current_seqno,
		   struct tm_gen **out, size_t *n);

/* ------------------------------------------------------------ export figures */

/* "12.3 MiB/s" and "1:02" (or "--:--" when unknown) from bytes done, total, seconds */
void tm_rate_eta(uint64_t done, uint64_t total, double seconds,
		 char *rate, size_t rlen, char *eta, size_t elen);

#endif
