/*
 * cmd_mount.c - mlvm mount: the LVs of the images as read-only files, in a
 * FUSE filesystem (libfuse3, high-level API), for the examiner's own tools
 * (fsstat, fls, mount -o ro,loop, photorec, sha256sum) without an export.
 *
 * The tree (every name mlvm adds starts with '@', which no LVM2 name may
 * hold, so it never collides with a VG or LV):
 *
 *   MNT/@mlvm.log                  what was logged (missing PVs, ranges
 *                                  read as zeros, generations assembled)
 *   MNT/VG/LV                      each visible LV, read through its segments
 *   MNT/VG/@hidden/LV              hidden sub-LVs (_rimage_0, _tmeta...)
 *   MNT/VG/@generations/SEQNO/...  (--all-generations) the VG as each
 *                                  generation in the rings describes it,
 *                                  removed LVs included; same layout
 *   MNT/@history/NAME@UUID/...     (--all-generations) a VG that only old
 *                                  generations hold (uuid changed, merged,
 *                                  removed); same layout. A live VG keeps
 *                                  its plain name (NAME@UUID when two live
 *                                  VGs share it).
 *
 * Thin pool LVs are not shown: their bytes are their thin LVs' (the log
 * says so, naming them and POOL_tdata).
 *
 * Reads go through mlvm_lv_read, the mapping export uses, straight into
 * FUSE's reply buffer. Every open file has its own reader, serialized by a
 * mutex (a reader keeps state: missing ranges, thin and COW lookups), so
 * readers of different files, or of one file through different opens, run
 * in parallel on libfuse's worker threads. Generations are assembled on
 * first access (an mlvm_set opened with want_generation), kept in a cache
 * of GEN_CACHE_MAX sets, the least recently used one without open files
 * freed first. One global mutex guards that cache and the log.
 *
 * The log is kept in memory (at most LOG_MAX bytes, repeated lines once)
 * and shown as MNT/@mlvm.log; with --foreground it also goes to stderr.
 */
#include "cli/cli.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char mount_help[] =
	"Usage: mlvm mount [--generation SEQNO | --all-generations] [--foreground]\n"
	"                  [--single-threaded] [--readahead KIB] [-o FUSEOPTS]\n"
	"                  [--nonempty]\n"
	"                  [--vg NAME] IMAGE... MOUNTPOINT\n"
	"\n"
	"Mount the logical volumes of the images, read-only, on MOUNTPOINT (an\n"
	"existing directory) as a FUSE filesystem: one file per LV, read through\n"
	"its segments as mlvm export reads it, for fsstat, fls, photorec,\n"
	"sha256sum or mount -o ro,loop. The images are only read.\n"
	"\n"
	"  MOUNTPOINT/VG/LV                     each visible LV (mode 0444)\n"
	"  MOUNTPOINT/VG/@hidden/LV             its hidden sub-LVs\n"
	"  MOUNTPOINT/VG/@generations/SEQNO/    with --all-generations: the VG as each\n"
	"                                       metadata generation still in the rings\n"
	"                                       describes it, removed LVs included\n"	"  MOUNTPOINT/@history/NAME@UUID/       with --all-generations: a VG found only\n"
	"                                       in old generations (uuid changed, merged,\n"
	"                                       removed); the live VG keeps its name\n"
	"  MOUNTPOINT/@mlvm.log                 missing PVs, ranges read as zeros,\n"
	"                                       damage found (also on stderr with\n"
	"                                       --foreground)\n"
	"\n"
	"  --generation SEQNO   the VG as that generation maps it (mlvm history)\n"
	"  --all-generations    add VG/@generations/SEQNO/ for every generation, and\n"
	"                       @history/NAME@UUID/ for VGs only old generations hold\n"
	"  -f, --foreground     stay in the foreground, log to stderr too\n"
	"  -s, --single-threaded\n"
	"                       serve one request at a time\n"
	"  --readahead KIB      the kernel's readahead for the mount (default 1024;\n"
	"                       0 leaves the kernel's own)\n"
	"  -o FUSEOPTS          more FUSE mount options (allow_other, ...)\n"
	"  --nonempty           mount even on a directory that is not empty (what it\n"
	"                       holds is hidden until the unmount); without it, a\n"
	"                       non-empty MOUNTPOINT is refused\n"
	"--metadata FILE (repeatable): a vgcfgbackup, archive or dump file as one\n"
	"more copy of its generation, in --all-generations too (mlvm --help).\n"
	"--deep: also the generations of the metadata text carved at any byte of\n"
	"the images, outside the metadata areas (mlvm --help).\n"
	"Options may follow the images and MOUNTPOINT; -- ends them.\n"
	"\n"
	"Parts of an LV that cannot be read (a missing PV) read as zeros and are\n"
	"logged. A thin pool LV is not shown (its bytes are its thin LVs'; its raw\n"
	"data area is VG/@hidden/POOL_tdata). Sizes are the LVs' sizes in the\n"
	"metadata; times the LV's creation_time, else the generation's. Writes fail\n"
	"with EROFS.\n"
	"In the background (the default), mlvm says on stderr where the LVs are\n"
	"and how to unmount them: fusermount3 -u MOUNTPOINT\n"
	"Exit status: 0 mounted (and, with --foreground, unmounted again), 1 no VG,\n"
	"cannot mount, or built without FUSE support, 2 usage error.\n";

#ifndef HAVE_FUSE3

int cmd_mount(struct cli *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(mount_help, stdout);
			return EXIT_DONE;
		}
	cli_err(c, "this mlvm was built without FUSE support: install libfuse3-dev "
		"(Debian; and fuse3 for fusermount3), then run ./configure and make again");
	return EXIT_FAILED;
}

#else /* HAVE_FUSE3 */

#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <pthread.h>

#include "text/carve.h"
#include "map/lvmap.h"
#include "base/util.h"

#define GEN_CACHE_MAX 8		/* generations kept assembled */
#define LOG_MAX (4u << 20)	/* bytes of log kept */
#define SEEN_SLOTS 8192		/* distinct log lines remembered (dedup) */
#define MAX_READ (1u << 20)	/* FUSE max_read */
#define PFX "@"			/* what mlvm adds: no LVM name holds '@' */
#define LOG_NAME PFX "mlvm.log"
#define HIDDEN_NAME PFX "hidden"
#define GENS_NAME PFX "generations"
#define HISTORY_NAME PFX "history"

/* one generation of a VG, as found in the rings */
struct gen {
	uint64_t seqno;
	int64_t time;
};

/* a VG folder */
struct vgent {
	const struct mlvm_vg *vg;	/* in the main set */
	char dir[200];
	bool historic;			/* only in old generations: under @history/ */
	struct gen *gens;		/* --all-generations: ascending seqno */
	size_t n_gens;
};

/* an assembled generation of one VG (the other VGs as they are now, so
 * that the host LV of a guest VG is there) */
struct gcache {
	uint64_t seqno;
	char vg_id[64];			/* the VG's uuid, "" for every VG */
	struct mlvm_set *set;
	unsigned refs;			/* resolved nodes and open files using it */
	uint64_t last;			/* use tick, for LRU */
};

struct mctx {
	const struct cli *c;
	char **images;			/* absolute paths, for the generations */
	int n_images;
	bool foreground;
	bool all_gens;
	bool want_generation;
	unsigned readahead_kb;
	char *mountpoint;		/* absolute */
	struct mlvm_set *set;
	struct vgent *vgs;
	size_t n_vgs;
	pthread_mutex_t lock;		/* gcache, log, seen */
	struct gcache **cache;
	size_t n_cache;
	uint64_t tick;
	char *log;
	size_t log_len;
	size_t log_dropped;
	uint64_t *seen;
	size_t n_seen;
	int64_t mount_time;
	bool readahead_done;
	/* the LVs and folders open now (under lock): freed at exit when the
	 * kernel unmounted before it sent their release */
	struct open_link *open_fh;
	struct open_link *open_dh;
};

/* the first member of an open LV or folder: its place in mctx's list */
struct open_link {
	struct open_link *prev, *next;
};

/* an open folder (fi->fh): its path, for readdir without one */
struct dh {
	struct open_link link;		/* first: in mctx.open_dh */
	char path[];
};

static struct mctx *ctx_get(void)
{
	return fuse_get_context()->private_data;
}

/* l at the head of the open list *head, or out of it */
static void open_add(struct mctx *m, struct open_link **head, struct open_link *l)
{
	pthread_mutex_lock(&m->lock);
	l->prev = NULL;
	l->next = *head;
	if (l->next)
		l->next->prev = l;
	*head = l;
	pthread_mutex_unlock(&m->lock);
}

static void open_del(struct mctx *m, struct open_link **head, struct open_link *l)
{
	pthread_mutex_lock(&m->lock);
	if (l->prev)
		l->prev->next = l->next;
	else
		*head = l->next;
	if (l->next)
		l->next->prev = l->prev;
	pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------ log */

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h | 1;	/* 0 marks an empty slot */
}

/* true the first time a line is seen (always true once the table is full) */
static bool seen_first(struct mctx *m, const char *line)
{
	uint64_t h = fnv(line);
	size_t i = (size_t)h % SEEN_SLOTS;

	if (!m->seen || m->n_seen >= SEEN_SLOTS / 2)
		return true;
	while (m->seen[i]) {
		if (m->seen[i] == h)
			return false;
		i = (i + 1) % SEEN_SLOTS;
	}
	m->seen[i] = h;
	m->n_seen++;
	return true;
}

static void mlog_locked(struct mctx *m, const char *fmt, va_list ap)
{
	char line[1024], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (!seen_first(m, line))
		return;
	if (m->foreground)
		fprintf(stderr, "%s: %s\n", m->c->prog, line);
	if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(stamp, "-");
	n = strlen(stamp) + 1 + strlen(line) + 1;
	if (m->log_len + n > LOG_MAX) {
		m->log_dropped++;
		return;
	}
	if (!m->log)
		m->log = malloc(LOG_MAX);
	if (!m->log) {
		m->log_dropped++;
		return;
	}
	m->log_len += (size_t)snprintf(m->log + m->log_len, LOG_MAX - m->log_len, "%s %s\n",
				       stamp, line);
}

static void mlog(struct mctx *m, bool locked, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mlog(struct mctx *m, bool locked, const char *fmt, ...)
{
	va_list ap;

	if (!locked)
		pthread_mutex_lock(&m->lock);
	va_start(ap, fmt);
	mlog_locked(m, fmt, ap);
	va_end(ap);
	if (!locked)
		pthread_mutex_unlock(&m->lock);
}

static const char *sev_word(enum mlvm_severity s)
{
	return s == MLVM_SEV_ERROR ? "error" : s == MLVM_SEV_WARNING ? "warning" : "notice";
}

/* report entries [from, r->n) into the log */
static void log_report(struct mctx *m, bool locked, const char *what,
		       const struct mlvm_report *r, size_t from)
{
	size_t i;

	for (i = from; i < r->n; i++) {
		const struct mlvm_anomaly *a = &r->items[i];

		if (a->image && a->offset >= 0)
			mlog(m, locked, "%s%s%s: %s at byte %lld: %s [%s]", what, *what ? ": " : "",
			     sev_word(a->severity), a->image, (long long)a->offset, a->message, a->code);
		else
			mlog(m, locked, "%s%s%s: %s%s%s [%s]", what, *what ? ": " : "",
			     sev_word(a->severity), a->image ? a->image : "", a->image ? ": " : "",
			     a->message, a->code);
	}
}

/* ------------------------------------------------------------ generations */

static int cmp_gen(const void *a, const void *b)
{
	const struct gen *x = a, *y = b;

	return x->seqno < y->seqno ? -1 : x->seqno > y->seqno;
}

/* every seqno of ve's VG that a ring holds an intact copy of, and the current one */
static int collect_gens(struct mlvm_set *set, struct vgent *ve)
{
	struct mlvm_gen_ref *refs;
	size_t i, n = 0, n_refs, o;
	struct gen *v;

	if (mlvm_set_generations(set, &refs, &n_refs))
		return -ENOMEM;
	v = malloc((n_refs + 1) * sizeof(*v));
	if (!v) {
		free(refs);
		return -ENOMEM;
	}
	v[n++] = (struct gen){ ve->vg->seqno, ve->vg->creation_time };
	/* rings and loose copies (--metadata files) alike */
	for (i = 0; i < n_refs; i++) {
		const struct mlvm_generation *gen = refs[i].g;

		if (!ve->vg->id || strcmp(gen->vg_id, ve->vg->id) || !gen->seqno_known || !gen->parse_ok)
			continue;
		v[n++] = (struct gen){ gen->seqno, (int64_t)gen->creation_time };
	}
	free(refs);
	qsort(v, n, sizeof(*v), cmp_gen);
	for (i = 0, o = 0; i < n; i++) {
		if (o && v[o - 1].seqno == v[i].seqno) {
			if (!v[o - 1].time)
				v[o - 1].time = v[i].time;
			continue;
		}
		v[o++] = v[i];
	}
	ve->gens = v;
	ve->n_gens = o;
	return 0;
}

/* the assembled set of generation seqno, with a reference (lock held) */
static struct gcache *gen_get_locked(struct mctx *m, uint64_t seqno, const char *vg_id)
{
	struct mlvm_open_opts o = { .want_generation = true, .generation = seqno,
				    .strict = m->c->strict, .pv_choices = m->c->pv_choices,
				    .n_pv_choices = m->c->n_pv_choices,
				    .copy_at = m->c->have_copy_at ? &m->c->copy_at : NULL,
				    .copy_at_lenient = true };	/* one of the generations' */
	struct gcache *e, **nc;
	size_t i, victim;
	int rc = 0, k;
	char what[64];

	for (i = 0; i < m->n_cache; i++)
		if (m->cache[i]->seqno == seqno && !strcmp(m->cache[i]->vg_id, vg_id ? vg_id : "")) {
			m->cache[i]->refs++;
			m->cache[i]->last = ++m->tick;
			return m->cache[i];
		}
	/* make room: drop the least recently used set nobody holds */
	while (m->n_cache >= GEN_CACHE_MAX) {
		victim = m->n_cache;
		for (i = 0; i < m->n_cache; i++)
			if (!m->cache[i]->refs &&
			    (victim == m->n_cache || m->cache[i]->last < m->cache[victim]->last))
				victim = i;
		if (victim == m->n_cache)
			break;	/* all in use: grow past the bound for now */
		mlog(m, true, "generation %llu: released (cache of %d generations)",
		     (unsigned long long)m->cache[victim]->seqno, GEN_CACHE_MAX);
		mlvm_set_free(m->cache[victim]->set);
		free(m->cache[victim]);
		m->cache[victim] = m->cache[--m->n_cache];
	}
	nc = realloc(m->cache, (m->n_cache + 1) * sizeof(*nc));
	e = calloc(1, sizeof(*e));
	if (!nc || !e) {
		if (nc)
			m->cache = nc;
		free(e);
		return NULL;
	}
	m->cache = nc;
	e->seqno = seqno;
	snprintf(e->vg_id, sizeof(e->vg_id), "%s", vg_id ? vg_id : "");
	o.generation_vg = e->vg_id[0] ? e->vg_id : NULL;	/* lives as long as the set */
	e->set = mlvm_set_new(&o);
	if (!e->set) {
		free(e);
		return NULL;
	}
	for (k = 0; k < m->n_images && !rc; k++) {
		rc = mlvm_set_add_path(e->set, m->images[k]);
		if (rc) {
			char buf[512];

			mlog(m, true, "generation %llu: %s", (unsigned long long)seqno,
			     mlvm_set_open_message(e->set, m->images[k], rc, buf, sizeof(buf)));
		}
	}
	if (!rc) {
		rc = mlvm_set_copy_loose(e->set, m->set);
		if (rc)
			mlog(m, true, "generation %llu: out of memory", (unsigned long long)seqno);
	}
	if (!rc) {
		rc = cli_assemble(m->c, e->set);
		if (rc < 0)
			mlog(m, true, "generation %llu: cannot assemble the images: %s",
			     (unsigned long long)seqno, strerror(-rc));
	}
	snprintf(what, sizeof(what), "generation %llu", (unsigned long long)seqno);
	log_report(m, true, what, &e->set->report, 0);
	mlog(m, true, "generation %llu: assembled (%zu vg%s)", (unsigned long long)seqno,
	     e->set->n_vgs, mlvm_plural(e->set->n_vgs, "", "s"));
	e->refs = 1;
	e->last = ++m->tick;
	m->cache[m->n_cache++] = e;
	return e;
}

static void gen_put(struct mctx *m, struct gcache *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&m->lock);
	e->refs--;
	pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------ paths */

enum nkind { N_ROOT, N_LOG, N_HISTORY, N_VG, N_HIDDEN, N_GENS, N_GEN, N_LV };

struct node {
	enum nkind kind;
	struct vgent *ve;
	const struct gen *gen;		/* under @generations/SEQNO */
	struct gcache *gc;		/* a reference, released by node_put */
	const struct mlvm_vg *vg;	/* the VG as this folder shows it (NULL: the
					 * generation could not be assembled) */
	const struct mlvm_lv *lv;
};

static void node_put(struct mctx *m, struct node *n)
{
	gen_put(m, n->gc);
	n->gc = NULL;
}

static bool vg_has_hidden(const struct mlvm_vg *vg)
{
	uint32_t i;

	for (i = 0; vg && i < vg->n_lvs; i++)
		if (!vg->lvs[i].visible && !mlvm_lv_is_thin_pool(&vg->lvs[i]))
			return true;
	return false;
}

static bool any_historic(const struct mctx *m)
{
	size_t i;

	for (i = 0; i < m->n_vgs; i++)
		if (m->vgs[i].historic)
			return true;
	return false;
}

/* the next component of *p (advanced), copied to out; false at the end */
static bool next_comp(const char **p, char *out, size_t len)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == '/')
		s++;
	if (!*s)
		return false;
	e = strchr(s, '/');
	n = e ? (size_t)(e - s) : strlen(s);
	if (n >= len)
		n = len - 1;	/* too long for any name here: will not match */
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + (e ? (size_t)(e - s) : strlen(s));
	return true;
}

/* the rest of a path inside a folder of LVs (a VG, or one of its generations) */
static int resolve_lvs(struct node *n, const char *p, enum nkind dir_kind)
{
	char comp[NAME_MAX + 1];
	const struct mlvm_lv *lv;
	bool hidden = false;

	if (!next_comp(&p, comp, sizeof(comp))) {
		n->kind = dir_kind;
		return 0;
	}
	if (!strcmp(comp, HIDDEN_NAME)) {
		if (!vg_has_hidden(n->vg))
			return -ENOENT;
		if (!next_comp(&p, comp, sizeof(comp))) {
			n->kind = N_HIDDEN;
			return 0;
		}
		hidden = true;
	}
	/* a thin pool is no file: its bytes are its thin LVs' (logged at mount) */
	if (!n->vg || !(lv = mlvm_vg_find_lv(n->vg, comp)) || lv->visible == hidden ||
	    mlvm_lv_is_thin_pool(lv))
		return -ENOENT;
	if (next_comp(&p, comp, sizeof(comp)))
		return -ENOTDIR;
	n->kind = N_LV;
	n->lv = lv;
	return 0;
}

static int resolve(struct mctx *m, const char *path, struct node *n, bool need_vg)
{
	char comp[NAME_MAX + 1], *end;
	const char *p = path;
	unsigned long long seq;
	size_t i;
	int rc;

	memset(n, 0, sizeof(*n));
	if (!next_comp(&p, comp, sizeof(comp))) {
		n->kind = N_ROOT;
		return 0;
	}
	if (!strcmp(comp, LOG_NAME)) {
		if (next_comp(&p, comp, sizeof(comp)))
			return -ENOTDIR;
		n->kind = N_LOG;
		return 0;
	}
	{
		bool hist = false;

		if (!strcmp(comp, HISTORY_NAME)) {
			if (!any_historic(m))
				return -ENOENT;
			if (!next_comp(&p, comp, sizeof(comp))) {
				n->kind = N_HISTORY;
				return 0;
			}
			hist = true;
		}
		for (i = 0; i < m->n_vgs; i++)
			if (m->vgs[i].historic == hist && !strcmp(m->vgs[i].dir, comp))
				break;
	}
	if (i == m->n_vgs)
		return -ENOENT;
	n->ve = &m->vgs[i];
	n->vg = n->ve->vg;
	{
		const char *save = p;

		if (!m->all_gens || !next_comp(&p, comp, sizeof(comp)) || strcmp(comp, GENS_NAME)) {
			p = save;
			return resolve_lvs(n, p, N_VG);
		}
	}
	/* VG/@generations[/SEQNO[/...]] */
	if (!next_comp(&p, comp, sizeof(comp))) {
		n->kind = N_GENS;
		return 0;
	}
	errno = 0;
	seq = strtoull(comp, &end, 10);
	if (!comp[0] || *end || errno || comp[0] == '-' || comp[0] == '+')
		return -ENOENT;
	for (i = 0; i < n->ve->n_gens; i++)
		if (n->ve->gens[i].seqno == seq)
			break;
	if (i == n->ve->n_gens)
		return -ENOENT;
	n->gen = &n->ve->gens[i];
	{
		const char *save = p;

		if (!need_vg && !next_comp(&p, comp, sizeof(comp))) {
			n->kind = N_GEN;	/* its getattr needs no assembly */
			return 0;
		}
		p = save;
	}
	if (seq == n->ve->vg->seqno && !m->want_generation) {
		n->vg = n->ve->vg;	/* the current one: the main set */
	} else {
		pthread_mutex_lock(&m->lock);
		n->gc = gen_get_locked(m, seq, n->ve->vg->id);
		pthread_mutex_unlock(&m->lock);
		if (!n->gc)
			return -ENOMEM;
		n->vg = NULL;
		for (i = 0; i < n->gc->set->n_vgs; i++) {
			const struct mlvm_vg *g = n->gc->set->vgs[i];

			if (g->id && n->ve->vg->id && !strcmp(g->id, n->ve->vg->id))
				n->vg = g;
		}
	}
	rc = resolve_lvs(n, p, N_GEN);
	if (rc)
		node_put(m, n);
	return rc;
}

/* ------------------------------------------------------------ attributes */

/* an open LV (fi->fh); the log's handle is &log_handle */
struct fh {
	struct open_link link;		/* first: in mctx.open_fh */
	pthread_mutex_t lock;
	struct mlvm_lv_reader *rd;
	struct gcache *gc;
	uint64_t size;
	int64_t time;
	uint64_t missing_logged;	/* bytes of missing ranges already logged */
	struct mlvm_report rep;
	size_t rep_logged;
	char label[300];		/* "vg/lv" or "vg/lv (generation N)" */
};

static struct fh log_handle;


static int64_t lv_time(const struct mlvm_vg *vg, const struct mlvm_lv *lv)
{
	int64_t t;

	if (lv && lv->node && cfg_get_int(lv->node, "creation_time", &t) == 0 && t > 0)
		return t;
	return vg ? vg->creation_time : 0;
}

static void fill_times(struct stat *st, int64_t t)
{
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = (time_t)t;
}

static int mlvm_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct mctx *m = ctx_get();
	struct node n;
	int rc;
	int64_t t = m->mount_time;
	uint64_t size = 0;
	bool dir = true;

	memset(st, 0, sizeof(*st));
	if (!path) {
		/* fstat of an open file: nullpath_ok gives its handle only */
		const struct fh *h = fi ? (const struct fh *)(uintptr_t)fi->fh : NULL;

		if (!h)
			return -EBADF;
		memset(&n, 0, sizeof(n));
		n.kind = N_LOG;
		if (h != &log_handle) {
			n.kind = N_ROOT;	/* not looked at below */
			dir = false;
			size = h->size;
			t = h->time;
		}
	} else {
		rc = resolve(m, path, &n, false);
		if (rc)
			return rc;
	}
	switch (n.kind) {
	case N_ROOT:	/* (or an open LV, without its path) */
		break;
	case N_LOG:
		dir = false;
		pthread_mutex_lock(&m->lock);
		size = m->log_len;
		pthread_mutex_unlock(&m->lock);
		break;
	case N_HISTORY:
		break;
	case N_VG:
	case N_HIDDEN:
	case N_GENS:
		t = n.vg ? n.vg->creation_time : t;
		break;
	case N_GEN:
		t = n.gen->time ? n.gen->time : n.ve->vg->creation_time;
		break;
	case N_LV:
		dir = false;
		size = mlvm_lv_size(n.vg, n.lv);
		t = lv_time(n.vg, n.lv);
		break;
	}
	node_put(m, &n);
	st->st_mode = dir ? S_IFDIR | 0555 : S_IFREG | 0444;
	st->st_nlink = dir ? 2 : 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_size = (off_t)(size > INT64_MAX ? INT64_MAX : size);
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
	st->st_blksize = MAX_READ;
	fill_times(st, t);
	return 0;
}

static int mlvm_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct mctx *m = ctx_get();
	struct node n;
	char name[32];
	size_t i;
	uint32_t j;
	int rc;

	/* with nullpath_ok readdir is given no path: opendir kept it */
	if (!path && fi->fh)
		path = ((const struct dh *)(uintptr_t)fi->fh)->path;
	if (!path)
		return -EBADF;
	rc = resolve(m, path, &n, true);
	if (rc)
		return rc;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	switch (n.kind) {
	case N_ROOT:
		fill(buf, LOG_NAME, NULL, 0, 0);
		if (any_historic(m))
			fill(buf, HISTORY_NAME, NULL, 0, 0);
		for (i = 0; i < m->n_vgs; i++)
			if (!m->vgs[i].historic)
				fill(buf, m->vgs[i].dir, NULL, 0, 0);
		break;
	case N_HISTORY:
		for (i = 0; i < m->n_vgs; i++)
			if (m->vgs[i].historic)
				fill(buf, m->vgs[i].dir, NULL, 0, 0);
		break;
	case N_VG:
	case N_GEN:
		if (m->all_gens && n.kind == N_VG)
			fill(buf, GENS_NAME, NULL, 0, 0);
		if (vg_has_hidden(n.vg))
			fill(buf, HIDDEN_NAME, NULL, 0, 0);
		/* fall through */
	case N_HIDDEN:
		for (j = 0; n.vg && j < n.vg->n_lvs; j++)
			if (n.vg->lvs[j].visible == (n.kind != N_HIDDEN) && n.vg->lvs[j].name &&
			    !mlvm_lv_is_thin_pool(&n.vg->lvs[j]))
				fill(buf, n.vg->lvs[j].name, NULL, 0, 0);
		break;
	case N_GENS:
		for (i = 0; i < n.ve->n_gens; i++) {
			snprintf(name, sizeof(name), "%llu", (unsigned long long)n.ve->gens[i].seqno);
			fill(buf, name, NULL, 0, 0);
		}
		break;
	default:
		rc = -ENOTDIR;
	}
	node_put(m, &n);
	return rc;
}

/* ------------------------------------------------------------ readahead */

/*
 * Raise the kernel's readahead for the new mount (its bdi is named after
 * the mount's device number, read from /proc/self/mountinfo: a stat of the
 * mountpoint would wait for this very daemon). Done at the first open:
 * FUSE's INIT, which sets it back to at most 128 KiB, is over by then.
 * Root only; logged and left as it is otherwise.
 */
static void set_readahead(struct mctx *m)
{
	FILE *f;
	char line[4096], dev[64] = "", path[128];
	unsigned maj, min;
	bool done;

	pthread_mutex_lock(&m->lock);
	done = m->readahead_done;
	m->readahead_done = true;
	pthread_mutex_unlock(&m->lock);
	if (done || !m->readahead_kb)
		return;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mp[PATH_MAX];
		const char *sep = strstr(line, " - ");

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mp) != 3 || !sep)
			continue;
		if (!strcmp(mp, m->mountpoint) && !strncmp(sep, " - fuse.mlvm ", 13))
			snprintf(dev, sizeof(dev), "%u:%u", maj, min);
	}
	fclose(f);
	if (!dev[0])
		return;
	snprintf(path, sizeof(path), "/sys/class/bdi/%s/read_ahead_kb", dev);
	f = fopen(path, "we");
	if (!f) {
		mlog(m, false, "readahead left as the kernel set it (%s: %s)", path, strerror(errno));
		return;
	}
	fprintf(f, "%u\n", m->readahead_kb);
	if (fclose(f) != 0)
		mlog(m, false, "readahead left as the kernel set it (%s: %s)", path, strerror(errno));
}

/* ------------------------------------------------------------ files */


static int mlvm_open(const char *path, struct fuse_file_info *fi)
{
	struct mctx *m = ctx_get();
	struct mlvm_lv_reader_opts ro = { .leg = -1 };
	struct node n;
	struct fh *h;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	set_readahead(m);
	rc = resolve(m, path, &n, false);
	if (rc)
		return rc;
	if (n.kind == N_LOG) {
		fi->fh = (uint64_t)(uintptr_t)&log_handle;
		fi->direct_io = 1;	/* it grows: never cached, read past its stat size */
		return 0;
	}
	if (n.kind != N_LV) {
		node_put(m, &n);
		return -EISDIR;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		node_put(m, &n);
		return -ENOMEM;
	}
	mlvm_report_init(&h->rep);
	pthread_mutex_init(&h->lock, NULL);
	if (n.gen)
		snprintf(h->label, sizeof(h->label), "lv %s/%s (generation %llu)", n.vg->name,
			 n.lv->name, (unsigned long long)n.gen->seqno);
	else
		snprintf(h->label, sizeof(h->label), "lv %s/%s", n.vg->name, n.lv->name);
	rc = mlvm_lv_reader_new(n.vg, n.lv, &ro, &h->rd, &h->rep);
	log_report(m, false, h->label, &h->rep, 0);
	h->rep_logged = h->rep.n;
	if (rc) {
		if (rc == -ENOTSUP)
			mlog(m, false, "%s: its segment type cannot be mapped: not readable", h->label);
		else if (rc == -EBUSY)
			mlog(m, false, "%s: not readable: it lies on a PV that several images fit equally (say which with --pv)",
			     h->label);
		else
			mlog(m, false, "%s: cannot be read: %s", h->label, strerror(-rc));
		mlvm_report_free(&h->rep);
		pthread_mutex_destroy(&h->lock);
		free(h);
		node_put(m, &n);
		return rc == -ENOTSUP ? -EOPNOTSUPP : rc == -ENOMEM ? -ENOMEM : -EIO;
	}
	h->size = mlvm_lv_reader_size(h->rd);
	h->time = lv_time(n.vg, n.lv);
	h->gc = n.gc;	/* the reference moves to the open file */
	open_add(m, &m->open_fh, &h->link);
	fi->fh = (uint64_t)(uintptr_t)h;
	fi->keep_cache = 1;	/* the bytes never change */
	return 0;
}

/* log the parts of [off, off + len) that could not be read, once */
static void log_missing(struct mctx *m, struct fh *h, uint64_t off, uint64_t len)
{
	const struct mlvm_range *r;
	size_t n, i;
	uint64_t total = 0;

	r = mlvm_lv_reader_missing(h->rd, &n);
	for (i = 0; i < n; i++)
		total += r[i].len;
	if (total == h->missing_logged)
		return;
	h->missing_logged = total;
	for (i = 0; i < n; i++) {
		uint64_t a = r[i].start > off ? r[i].start : off;
		uint64_t b = r[i].start + r[i].len < off + len ? r[i].start + r[i].len : off + len;

		if (a < b)
			mlog(m, false, "%s: bytes %llu-%llu could not be read (missing PV or area): read as zeros",
			     h->label, (unsigned long long)a, (unsigned long long)(b - 1));
	}
}

static int read_log(struct mctx *m, char *buf, size_t size, off_t off)
{
	size_t n = 0;

	pthread_mutex_lock(&m->lock);
	if (off >= 0 && (uint64_t)off < m->log_len) {
		n = m->log_len - (size_t)off < size ? m->log_len - (size_t)off : size;
		memcpy(buf, m->log + off, n);
	}
	pthread_mutex_unlock(&m->lock);
	return (int)n;
}

static int mlvm_read(const char *path, char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct mctx *m = ctx_get();
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;
	size_t n;
	int rc;

	if (h == &log_handle)
		return read_log(m, buf, size, off);
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= h->size)
		return 0;
	n = h->size - (uint64_t)off < size ? (size_t)(h->size - (uint64_t)off) : size;
	if (n > INT_MAX)
		n = INT_MAX & ~(size_t)4095;
	pthread_mutex_lock(&h->lock);
	rc = mlvm_lv_read(h->rd, buf, n, (uint64_t)off);
	if (rc)
		mlog(m, false, "%s: cannot read %zu bytes at byte %lld: %s", h->label, n,
		     (long long)off, strerror(-rc));
	else
		log_missing(m, h, (uint64_t)off, n);
	if (h->rep.n > h->rep_logged) {
		log_report(m, false, h->label, &h->rep, h->rep_logged);
		h->rep_logged = h->rep.n;
	}
	pthread_mutex_unlock(&h->lock);
	return rc ? (rc == -ENOMEM ? -ENOMEM : -EIO) : (int)n;
}

static void fh_free(struct mctx *m, struct fh *h)
{
	mlvm_lv_reader_free(h->rd);
	mlvm_report_free(&h->rep);
	pthread_mutex_destroy(&h->lock);
	gen_put(m, h->gc);
	free(h);
}

static int mlvm_release(const char *path, struct fuse_file_info *fi)
{
	struct mctx *m = ctx_get();
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;

	if (!h || h == &log_handle)
		return 0;
	open_del(m, &m->open_fh, &h->link);
	fh_free(m, h);
	return 0;
}

static int mlvm_opendir(const char *path, struct fuse_file_info *fi)
{
	struct mctx *m = ctx_get();
	struct node n;
	struct dh *d;
	int rc = resolve(m, path, &n, false);

	if (rc)
		return rc;
	if (n.kind == N_LOG || n.kind == N_LV)
		rc = -ENOTDIR;
	node_put(m, &n);
	if (rc)
		return rc;
	d = malloc(sizeof(*d) + strlen(path) + 1);
	if (!d)
		return -ENOMEM;
	strcpy(d->path, path);
	open_add(m, &m->open_dh, &d->link);
	fi->fh = (uint64_t)(uintptr_t)d;
	return 0;
}

static int mlvm_releasedir(const char *path, struct fuse_file_info *fi)
{
	struct mctx *m = ctx_get();
	struct dh *d = (struct dh *)(uintptr_t)fi->fh;

	if (!d)
		return 0;
	open_del(m, &m->open_dh, &d->link);
	free(d);
	return 0;
}

static int mlvm_statfs(const char *path, struct statvfs *sv)
{
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = 4096;
	sv->f_frsize = 4096;
	sv->f_namemax = NAME_MAX;
	sv->f_flag = ST_RDONLY;
	return 0;
}

/* every change: a read-only filesystem (the ro mount refuses them first) */
static int rofs_write(const char *p, const char *b, size_t s, off_t o, struct fuse_file_info *fi)
{
	return -EROFS;
}
static int rofs_create(const char *p, mode_t md, struct fuse_file_info *fi) { return -EROFS; }
static int rofs_mknod(const char *p, mode_t md, dev_t d) { return -EROFS; }
static int rofs_mkdir(const char *p, mode_t md) { return -EROFS; }
static int rofs_path(const char *p) { return -EROFS; }
static int rofs_2path(const char *a, const char *b) { return -EROFS; }
static int rofs_rename(const char *a, const char *b, unsigned int f) { return -EROFS; }
static int rofs_chmod(const char *p, mode_t md, struct fuse_file_info *fi) { return -EROFS; }
static int rofs_chown(const char *p, uid_t u, gid_t g, struct fuse_file_info *fi) { return -EROFS; }
static int rofs_truncate(const char *p, off_t o, struct fuse_file_info *fi) { return -EROFS; }
static int rofs_utimens(const char *p, const struct timespec tv[2], struct fuse_file_info *fi)
{
	return -EROFS;
}
static int rofs_setxattr(const char *p, const char *n, const char *v, size_t s, int f)
{
	return -EROFS;
}
static int rofs_removexattr(const char *p, const char *n) { return -EROFS; }
static int rofs_fallocate(const char *p, int md, off_t o, off_t l, struct fuse_file_info *fi)
{
	return -EROFS;
}

static void *mlvm_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct mctx *m = ctx_get();

	cfg->nullpath_ok = 1;		/* read and release use the handle only */
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;	/* the log's size changes */
	cfg->negative_timeout = 1.0;
	conn->max_read = MAX_READ;	/* as the max_read mount option says */
	return m;
}

static const struct fuse_operations mlvm_ops = {
	.init = mlvm_init,
	.getattr = mlvm_getattr,
	.readdir = mlvm_readdir,
	.opendir = mlvm_opendir,
	.releasedir = mlvm_releasedir,
	.open = mlvm_open,
	.read = mlvm_read,
	.release = mlvm_release,
	.statfs = mlvm_statfs,
	.write = rofs_write,
	.create = rofs_create,
	.mknod = rofs_mknod,
	.mkdir = rofs_mkdir,
	.unlink = rofs_path,
	.rmdir = rofs_path,
	.symlink = rofs_2path,
	.link = rofs_2path,
	.rename = rofs_rename,
	.chmod = rofs_chmod,
	.chown = rofs_chown,
	.truncate = rofs_truncate,
	.utimens = rofs_utimens,
	.setxattr = rofs_setxattr,
	.removexattr = rofs_removexattr,
	.fallocate = rofs_fallocate,
};

/* ------------------------------------------------------------ command */

static void ctx_free(struct mctx *m)
{
	size_t i;
	int k;

	/* LVs still open: a file closed just before the unmount whose
	 * release the kernel never sent (the FUSE loop has ended: no lock) */
	while (m->open_fh) {
		struct fh *h = (struct fh *)m->open_fh;	/* link is first */

		m->open_fh = h->link.next;
		fh_free(m, h);
	}
	while (m->open_dh) {
		struct dh *d = (struct dh *)m->open_dh;

		m->open_dh = d->link.next;
		free(d);
	}
	for (i = 0; i < m->n_cache; i++) {
		mlvm_set_free(m->cache[i]->set);
		free(m->cache[i]);
	}
	free(m->cache);
	for (i = 0; i < m->n_vgs; i++)
		free(m->vgs[i].gens);
	free(m->vgs);
	for (k = 0; k < m->n_images; k++)
		free(m->images[k]);
	free(m->images);
	free(m->mountpoint);
	free(m->log);
	free(m->seen);
	if (m->set)
		mlvm_set_free(m->set);
	pthread_mutex_destroy(&m->lock);
}

/* "abcdef..." of a uuid with or without dashes: false when it does not fit */
static bool raw_uuid(const char *id, char out[33])
{
	size_t n = 0;

	for (; id && *id; id++) {
		if (*id == '-')
			continue;
		if (n == 32)
			return false;
		out[n++] = *id;
	}
	out[n] = 0;
	return n == 32;
}

/*
 * true when vg exists only in old generations: it was assembled from a
 * ring, not from a committed copy, and the PVs it lists that are here have
 * moved on (their committed copy is another VG's, or empty with a good
 * header: merged, uuid changed, removed), none still committing to it and
 * none with a damaged area (then the ring copy may be the live one).
 */
static bool vg_historic(const struct mlvm_set *set, const struct mlvm_vg *vg)
{
	size_t i;
	uint32_t p;
	unsigned k;
	bool moved = false;
	char raw[33];

	if (!vg->source.gen || !vg->id)
		return false;
	for (i = 0; i < set->n_devs; i++) {
		const struct mlvm_pvdev *d = &set->devs[i];
		bool mine = false;

		for (p = 0; p < vg->n_pvs && !mine; p++)
			mine = raw_uuid(vg->pvs[p].id, raw) && !strcmp(raw, d->uuid);
		if (!mine)
			continue;
		for (k = 0; k < d->n_mda; k++) {
			const struct mlvm_mda_info *a = &d->mda[k];

			if (a->ignored)
				continue;
			if (a->peek_ok && a->text_crc_ok && !a->load_failed) {
				if (!strcmp(a->vg_id, vg->id))
					return false;
				moved = true;
			} else if (a->header_ok && !a->has_text) {
				moved = true;	/* an orphan now */
			} else {
				return false;	/* damaged: cannot tell */
			}
		}
	}
	return moved;
}

/*
 * The VG folders: a live VG is named after itself (NAME@ID when two live
 * VGs share a name); a VG that exists only in old generations goes under
 * @history/NAME@ID, never taking a live VG's name.
 */
static int build_vgs(struct mctx *m)
{
	size_t i, j;
	int rc;

	m->vgs = calloc(m->set->n_vgs ? m->set->n_vgs : 1, sizeof(*m->vgs));
	if (!m->vgs)
		return -ENOMEM;
	for (i = 0; i < m->set->n_vgs; i++) {
		struct vgent *ve = &m->vgs[m->n_vgs];
		const struct mlvm_vg *vg = m->set->vgs[i];
		bool dup = false;

		if (!cli_vg_selected(m->c, vg) || !vg->name)
			continue;
		ve->vg = vg;
		ve->historic = m->all_gens && vg_historic(m->set, vg);
		for (j = 0; j < m->set->n_vgs && !ve->historic; j++) {
			const struct mlvm_vg *o = m->set->vgs[j];

			if (j != i && o->name && !strcmp(o->name, vg->name) && cli_vg_selected(m->c, o) &&
			    !(m->all_gens && vg_historic(m->set, o)))
				dup = true;
		}
		if (ve->historic || dup || !strcmp(vg->name, LOG_NAME) || !strcmp(vg->name, HISTORY_NAME))
			snprintf(ve->dir, sizeof(ve->dir), "%s" PFX "%s", vg->name, vg->id ? vg->id : "");
		else
			snprintf(ve->dir, sizeof(ve->dir), "%s", vg->name);
		if (m->all_gens) {
			rc = collect_gens(m->set, ve);
			if (rc)
				return rc;
		}
		m->n_vgs++;
	}
	return 0;
}

/* a thin pool is not offered as a file: say so, and what to read instead */
static void log_thin_pools(struct mctx *m)
{
	size_t i;
	uint32_t j;

	for (i = 0; i < m->n_vgs; i++) {
		const struct mlvm_vg *vg = m->vgs[i].vg;

		for (j = 0; j < vg->n_lvs; j++) {
			struct mlvm_report r;
			struct mlvm_lv_reader *rd = NULL;
			char what[300];

			if (!mlvm_lv_is_thin_pool(&vg->lvs[j]))
				continue;
			mlvm_report_init(&r);
			if (mlvm_lv_reader_new(vg, &vg->lvs[j], NULL, &rd, &r) == 0)
				mlvm_lv_reader_free(rd);	/* not expected: a pool is refused */
			snprintf(what, sizeof(what), "lv %s/%s: not shown", vg->name, vg->lvs[j].name);
			log_report(m, false, what, &r, 0);
			mlvm_report_free(&r);
		}
	}
}

static int add_fuse_opt(struct fuse_args *a, const char *opt)
{
	return fuse_opt_add_arg(a, "-o") || fuse_opt_add_arg(a, opt) ? -ENOMEM : 0;
}

int cmd_mount(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "generation", required_argument, NULL, 'g' },
		{ "all-generations", no_argument, NULL, 'a' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "single-threaded", no_argument, NULL, 's' },
		{ "readahead", required_argument, NULL, 'r' },
		{ "nonempty", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlvm_open_opts oo = { 0 };
	struct mctx m;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse *f = NULL;
	const char *fuse_extra = NULL;
	bool single = false, mounted = false;
	struct stat st;
	struct cli_getopt gopt;
	char opt_str[256];
	int opt, status = EXIT_DONE, n_img, k, rc, nonempty = 0;
	size_t i, n_lvs = 0, n_hidden = 0;

	memset(&m, 0, sizeof(m));
	m.c = c;
	m.readahead_kb = 1024;
	pthread_mutex_init(&m.lock, NULL);
	cli_getopt_init(&gopt, c, "mount", argc, argv, "hfso:", opts);
	while ((opt = cli_getopt(&gopt)) != -1) {
		switch (opt) {
		case 'h':
			fputs(mount_help, stdout);
			ctx_free(&m);
			return EXIT_DONE;
		case 'g':
			if (cli_parse_seqno(c, "mount", "--generation", optarg, &oo.generation)) {
				ctx_free(&m);
				return EXIT_USAGE;
			}
			oo.want_generation = true;
			break;
		case 'a':
			m.all_gens = true;
			break;
		case 'f':
			m.foreground = true;
			break;
		case 's':
			single = true;
			break;
		case 'N':
			nonempty = 1;
			break;
		case 'o':
			fuse_extra = optarg;
			break;
		case 'r': {
			uint64_t kb;

			if (cli_parse_seqno(c, "mount", "--readahead", optarg, &kb)) {
				ctx_free(&m);
				return EXIT_USAGE;
			}
			if (kb > (1u << 20)) {
				ctx_free(&m);
				return cli_usage(c, "mount", "--readahead %s: at most 1048576 KiB", optarg);
			}
			m.readahead_kb = (unsigned)kb;
			break;
		}
		default:
			ctx_free(&m);
			return cli_bad_option(&gopt, opt);
		}
	}
	if (oo.want_generation && m.all_gens) {
		ctx_free(&m);
		return cli_usage(c, "mount", "--generation and --all-generations do not go together");
	}
	n_img = argc - optind - 1;
	if (n_img < 1) {
		ctx_free(&m);
		return cli_usage(c, "mount", argc - optind < 1 ? "no image given" :
				 "no mountpoint given: mlvm mount IMAGE... MOUNTPOINT");
	}
	m.want_generation = oo.want_generation;
	m.mountpoint = realpath(argv[argc - 1], NULL);
	if (!m.mountpoint || stat(m.mountpoint, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_err(c, "cannot mount on %s: %s", argv[argc - 1],
			m.mountpoint ? strerror(ENOTDIR) : strerror(errno));
		ctx_free(&m);
		return EXIT_FAILED;
	}
	/* a mount hides what the directory holds: not without a word */
	if (!nonempty) {
		DIR *d = opendir(m.mountpoint);
		struct dirent *e = NULL;

		errno = 0;
		while (d && (e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				break;
		if (!d || (!e && errno)) {
			cli_err(c, "cannot mount on %s: cannot list it to see that it is empty: %s "
				"(--nonempty mounts anyway)", m.mountpoint, strerror(errno));
			if (d)
				closedir(d);
			ctx_free(&m);
			return EXIT_FAILED;
		}
		closedir(d);
		if (e) {
			cli_err(c, "cannot mount on %s: the directory is not empty and the mount would "
				"hide what it holds (--nonempty mounts anyway)", m.mountpoint);
			ctx_free(&m);
			return EXIT_FAILED;
		}
	}
	/* absolute paths: the daemon leaves the working directory */
	m.images = calloc((size_t)n_img, sizeof(*m.images));
	if (!m.images) {
		cli_err(c, "out of memory");
		ctx_free(&m);
		return EXIT_FAILED;
	}
	for (k = 0; k < n_img; k++) {
		m.images[k] = realpath(argv[optind + k], NULL);
		if (!m.images[k]) {
			cli_err(c, "cannot open %s: %s", argv[optind + k], strerror(errno));
			ctx_free(&m);
			return EXIT_FAILED;
		}
		m.n_images++;
	}
	oo.carve = m.all_gens;
	oo.generation_vg = c->vg;	/* the named VG's generation; the others as now */
	m.set = cli_open_set(c, m.images, n_img, &oo, &status);
	if (!m.set) {
		ctx_free(&m);
		return status;
	}
	m.seen = calloc(SEEN_SLOTS, sizeof(*m.seen));
	if (build_vgs(&m) || !m.seen) {
		cli_err(c, "out of memory");
		status = EXIT_FAILED;
		goto done;
	}
	cli_print_report(c, &m.set->report);
	{
		bool fg = m.foreground;

		m.foreground = false;	/* printed above already */
		log_report(&m, false, "", &m.set->report, 0);
		m.foreground = fg;
	}
	log_thin_pools(&m);
	if (m.n_vgs == 0 || cli_vgs_selected(c, m.set) == 0) {
		char why[512];

		cli_err(c, "%s", cli_no_vg_reason(c, m.set, &oo, why, sizeof(why), NULL));
		status = EXIT_FAILED;
		goto done;
	}
	for (i = 0; i < m.n_vgs; i++) {
		uint32_t j;

		for (j = 0; j < m.vgs[i].vg->n_lvs; j++) {
			if (mlvm_lv_is_thin_pool(&m.vgs[i].vg->lvs[j]))
				continue;
			if (m.vgs[i].vg->lvs[j].visible)
				n_lvs++;
			else
				n_hidden++;
		}
	}
	m.mount_time = (int64_t)time(NULL);

	snprintf(opt_str, sizeof(opt_str),
		 "ro,default_permissions,fsname=mlvm,subtype=mlvm,max_read=%u", MAX_READ);
	if (fuse_opt_add_arg(&args, c->prog) || add_fuse_opt(&args, opt_str) ||
	    (fuse_extra && add_fuse_opt(&args, fuse_extra))) {
		cli_err(c, "out of memory");
		status = EXIT_FAILED;
		goto done;
	}
	f = fuse_new(&args, &mlvm_ops, sizeof(mlvm_ops), &m);
	if (!f) {
		cli_err(c, "cannot start the FUSE filesystem (bad -o option?)");
		status = EXIT_FAILED;
		goto done;
	}
	if (fuse_mount(f, m.mountpoint) != 0) {
		cli_err(c, "cannot mount on %s (is /dev/fuse there, fuse3 installed, the "
			"directory not mounted on already?)", m.mountpoint);
		status = EXIT_FAILED;
		goto done;
	}
	mounted = true;
	mlog(&m, false, "mounted %zu %s (%zu %s, %zu hidden) on %s, read-only%s; unmount with: fusermount3 -u %s",
	     m.n_vgs, mlvm_plural(m.n_vgs, "vg", "vgs"), n_lvs, mlvm_plural(n_lvs, "lv", "lvs"),
	     n_hidden, m.mountpoint,
	     m.all_gens ? ", every generation under VG/" GENS_NAME "/" : "", m.mountpoint);
	if (!m.foreground) {
		/* the daemon's log goes to @mlvm.log only: say it here once */
		cli_err(c, "mounted %zu %s (%zu %s, %zu hidden) on %s, read-only, in the background; "
			"unmount with: fusermount3 -u %s", m.n_vgs, mlvm_plural(m.n_vgs, "vg", "vgs"),
			n_lvs, mlvm_plural(n_lvs, "lv", "lvs"), n_hidden, m.mountpoint, m.mountpoint);
	}
	if (fuse_daemonize(m.foreground) != 0) {
		cli_err(c, "cannot go to the background");
		status = EXIT_FAILED;
		goto done;
	}
	if (fuse_set_signal_handlers(fuse_get_session(f)) != 0) {
		mlog(&m, false, "cannot install the signal handlers");
		status = EXIT_FAILED;
		goto done;
	}
	rc = single ? fuse_loop(f) : fuse_loop_mt(f, 0);
	fuse_remove_signal_handlers(fuse_get_session(f));
	if (rc < 0) {
		mlog(&m, false, "the FUSE loop failed: %s", strerror(-rc));
		status = EXIT_FAILED;
	}
done:
	if (f) {
		if (mounted)
			fuse_unmount(f);
		fuse_destroy(f);
	}
	fuse_opt_free_args(&args);
	ctx_free(&m);
	return status;
}

#endif /* HAVE_FUSE3 */
