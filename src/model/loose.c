/*
 * loose.c - copies of metadata text outside the metadata areas: adding
 * them to a set (carved copies, --metadata files), telling duplicates,
 * and the accessors that treat them like ring generations (text, origin).
 */
#include "model/assemble.h"
#include "model/loose.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text/carve.h"
#include "text/config.h"

#define READ_CHUNK (1u << 20)

const char *mlvm_copy_origin_name(enum mlvm_copy_origin o)
{
	static const char *const names[] = {
		[MLVM_ORIGIN_RING] = "ring",
		[MLVM_ORIGIN_IMAGE] = "image",
		[MLVM_ORIGIN_FILE] = "file",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : NULL;
}

void mlvm_loose_clear(struct mlvm_loose *l)
{
	if (!l)
		return;
	free(l->path);
	free(l->text);
	free(l->command);
	free(l->lv);
	free(l->fs_type);
	free(l->fs_path);
	l->path = l->text = l->command = l->lv = l->fs_type = l->fs_path = NULL;
}

int mlvm_gen_ref_text(struct mlvm_set *set, const struct mlvm_gen_ref *r, char **text, size_t *len)
{
	*text = NULL;
	if (r->loose) {
		char *t = malloc(r->loose->len + 1);

		if (!t)
			return -ENOMEM;
		memcpy(t, r->loose->text, r->loose->len);
		t[r->loose->len] = '\0';
		*text = t;
		*len = r->loose->len;
		return 0;
	}
	if (!r->dev || !r->mda || !r->g)
		return -EINVAL;
	return mlvm_set_generation_text(set, r->dev, r->mda, r->g, text, len);
}

int mlvm_gen_ref_description(struct mlvm_set *set, const struct mlvm_gen_ref *r, char **out)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if (!r->g->description_cut) {
		if (r->g->description[0] && !(*out = strdup(r->g->description)))
			return -ENOMEM;
		return 0;
	}
	rc = mlvm_gen_ref_text(set, r, &text, &len);
	if (rc)
		return rc;
	rc = mlvm_carve_description(text, len, out);
	free(text);
	return rc;
}

const char *mlvm_gen_ref_image(const struct mlvm_gen_ref *r)
{
	if (!r->loose)
		return r->dev->src->name;
	if (r->loose->origin == MLVM_ORIGIN_FILE)
		return r->loose->path;
	return r->loose->src ? r->loose->src->name : NULL;
}

uint64_t mlvm_gen_ref_offset(const struct mlvm_gen_ref *r)
{
	return r->loose ? r->loose->g.offset : r->mda->abs + r->g->offset;
}

const char *mlvm_gen_ref_origin(const struct mlvm_gen_ref *r, char *buf, size_t len)
{
	const struct mlvm_loose *l = r->loose;
	size_t o;

	if (!len)
		return buf;
	if (!l) {
		snprintf(buf, len, "%s mda%d at byte %llu", mlvm_gen_ref_image(r), r->mda->index,
			 (unsigned long long)mlvm_gen_ref_offset(r));
		return buf;
	}
	if (l->origin == MLVM_ORIGIN_FILE) {
		snprintf(buf, len, "--metadata %s", l->path ? l->path : "?");
		return buf;
	}
	snprintf(buf, len, "%s at byte %llu", l->src ? l->src->name : "?",
		 (unsigned long long)mlvm_gen_ref_offset(r));
	o = strlen(buf);
	if (l->lv && o < len) {
		snprintf(buf + o, len - o, " (in LV %s at byte %llu%s%s%s%s%s)", l->lv,
			 (unsigned long long)l->lv_offset,
			 l->fs_path ? ", file " : "", l->fs_path ? l->fs_path : "",
			 l->fs_unallocated ? ", unallocated space of its " : "",
			 l->fs_unallocated ? (l->fs_type ? l->fs_type : "") : "",
			 l->fs_unallocated ? (l->fs_type ? " filesystem" : "filesystem") : "");
	}
	return buf;
}

static bool intact_copy(const struct mlvm_gen_ref *r)
{
	const struct mlvm_generation *g = r->g;

	return g->complete && g->parse_ok && g->checksum_ok != 0 && !g->fragment;
}

int mlvm_set_conflicts(struct mlvm_set *set, const struct mlvm_gen_ref *r, size_t n, bool *conflict)
{
	size_t i = 0, j, k;

	for (k = 0; k < n; k++)
		conflict[k] = false;
	while (i < n) {
		char *first = NULL, *t;
		size_t first_len = 0, tl;
		bool differ = false;
		int rc;

		for (j = i + 1; j < n && r[i].g->seqno_known && r[j].g->seqno_known &&
		     r[j].g->seqno == r[i].g->seqno && !strcmp(r[j].g->vg_id, r[i].g->vg_id) &&
		     r[i].g->vg_id[0]; j++)
			;
		/* every intact copy of the run against the first intact one */
		for (k = i; k < j && j - i > 1 && !differ; k++) {
			if (!intact_copy(&r[k]))
				continue;
			rc = mlvm_gen_ref_text(set, &r[k], &t, &tl);
			if (rc == -ENOMEM) {
				free(first);
				return rc;
			}
			if (rc)
				continue;
			if (!first) {
				first = t;
				first_len = tl;
				continue;
			}
			differ = !(tl == first_len && !memcmp(first, t, tl)) &&
				 !mlvm_carve_same_vg(first, first_len, t, tl);
			free(t);
		}
		free(first);
		for (k = i; k < j && differ; k++)
			conflict[k] = intact_copy(&r[k]);
		i = j;
	}
	return 0;
}

static bool same_generation(const struct mlvm_generation *a, const struct mlvm_generation *b)
{
	return a->vg_id[0] && a->seqno_known && b->seqno_known && a->seqno == b->seqno &&
	       !strcmp(a->vg_id, b->vg_id);
}

/* the duplicate flags of the loose copies in r (sorted as
 * mlvm_set_generations sorts) */
static void mark_in(struct mlvm_set *set, const struct mlvm_gen_ref *r, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct mlvm_loose *l = (struct mlvm_loose *)r[i].loose;

		if (!l)
			continue;
		l->duplicate = false;
		/* the copies of its generation listed before it */
		for (j = i; j > 0 && same_generation(r[j - 1].g, &l->g) && !l->duplicate; j--) {
			char *t;
			size_t tl;

			if (r[j - 1].loose) {
				l->duplicate = mlvm_carve_same_vg(r[j - 1].loose->text, r[j - 1].loose->len,
								  l->text, l->len);
				continue;
			}
			if (r[j - 1].g->fragment || mlvm_gen_ref_text(set, &r[j - 1], &t, &tl))
				continue;
			l->duplicate = mlvm_carve_same_vg(t, tl, l->text, l->len);
			free(t);
		}
	}
}

int mlvm_set_mark_duplicates(struct mlvm_set *set)
{
	struct mlvm_gen_ref *r;
	size_t n;
	int rc;

	if (!set->n_loose)
		return 0;
	rc = mlvm_set_generations(set, &r, &n);
	if (rc)
		return rc;
	mark_in(set, r, n);
	free(r);
	return 0;
}

int mlvm_set_add_loose(struct mlvm_set *set, struct mlvm_loose *l)
{
	struct mlvm_loose **p, *copy;

	p = realloc(set->loose, (set->n_loose + 1) * sizeof(*p));
	if (p)
		set->loose = p;
	copy = p ? malloc(sizeof(*copy)) : NULL;
	if (!copy) {
		mlvm_loose_clear(l);
		return -ENOMEM;
	}
	*copy = *l;
	copy->duplicate = false;
	memset(l, 0, sizeof(*l));
	set->loose[set->n_loose++] = copy;
	/* only the copies of its generation can change: linear in the set */
	{
		struct mlvm_gen_ref *r;
		size_t n;
		int rc = mlvm_set_copies_of(set, &copy->g, &r, &n);

		if (rc)
			return rc;
		mark_in(set, r, n);
		free(r);
	}
	return 0;
}

static int dup_str(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -ENOMEM : 0;
}

int mlvm_set_copy_loose(struct mlvm_set *dst, const struct mlvm_set *src)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < src->n_loose && !rc; i++) {
		const struct mlvm_loose *l = src->loose[i];
		struct mlvm_loose c = *l;

		c.path = c.text = c.command = c.lv = c.fs_type = c.fs_path = NULL;
		c.src = NULL;
		for (k = 0; l->src && k < dst->n_srcs; k++)
			if (!strcmp(dst->srcs[k]->name, l->src->name))
				c.src = dst->srcs[k];
		c.text = malloc(l->len + 1);
		if (!c.text || dup_str(&c.path, l->path) || dup_str(&c.command, l->command) ||
		    dup_str(&c.lv, l->lv) || dup_str(&c.fs_type, l->fs_type) ||
		    dup_str(&c.fs_path, l->fs_path)) {
			mlvm_loose_clear(&c);
			return -ENOMEM;
		}
		memcpy(c.text, l->text, l->len + 1);
		rc = mlvm_set_add_loose(dst, &c);
	}
	return rc;
}

/* the file's bytes, NUL-terminated, at most MLVM_CFG_MAX_TEXT; 0, -EFBIG
 * or a negative errno */
static int read_file(int fd, char **out, size_t *len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;
	struct stat st;

	*out = NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size > MLVM_CFG_MAX_TEXT)
		return -EFBIG;
	for (;;) {
		ssize_t got;

		if (n + READ_CHUNK + 1 > cap) {
			size_t ncap = cap ? cap * 2 : READ_CHUNK + 1;
			char *nb;

			if (ncap > (size_t)MLVM_CFG_MAX_TEXT + READ_CHUNK + 1)
				ncap = (size_t)MLVM_CFG_MAX_TEXT + READ_CHUNK + 1;
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		got = read(fd, buf + n, READ_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (!got)
			break;
		n += (size_t)got;
		if (n > MLVM_CFG_MAX_TEXT) {
			free(buf);
			return -EFBIG;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* why text is not LVM2 metadata text, in words (the parser's, when it
 * refuses the text) */
static void not_metadata_words(const char *text, size_t len, char *buf, size_t blen)
{
	static const char prefix[] = "metadata text does not parse: ";
	struct mlvm_report why;
	struct cfg_tree *t = NULL;
	char *copy = malloc(len + 1);
	const char *msg;

	snprintf(buf, blen, "no volume group section with an id, a seqno and contents = \"Text Format Volume Group\"");
	if (!copy)
		return;
	memcpy(copy, text, len);
	copy[len] = '\0';
	mlvm_report_init(&why);
	if (cfg_parse(copy, len, &t, &why, NULL, -1) == 0) {
		cfg_free(t);
	} else {
		free(copy);
		msg = mlvm_report_last_message(&why, "text_parse");
		if (msg && !strncmp(msg, prefix, sizeof(prefix) - 1))
			msg += sizeof(prefix) - 1;
		if (msg)
			snprintf(buf, blen, "%s", msg);
	}
	mlvm_report_free(&why);
}

int mlvm_set_add_metadata_file(struct mlvm_set *set, const char *path)
{
	struct mlvm_loose l;
	char words[400];
	int fd, rc;

	memset(&l, 0, sizeof(l));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		mlvm_error(&set->report, "metadata_file", path, -1, "cannot open %s: %s", path,
			   strerror(-rc));
		return rc;
	}
	rc = read_file(fd, &l.text, &l.len);
	close(fd);
	if (rc == -EFBIG) {
		mlvm_error(&set->report, "metadata_file", path, -1,
			   "%s: larger than %u bytes, the most metadata text LVM2 or mlvm reads",
			   path, MLVM_CFG_MAX_TEXT);
		return rc;
	}
	if (rc) {
		mlvm_error(&set->report, "metadata_file", path, -1, "cannot read %s: %s", path,
			   strerror(-rc));
		return rc;
	}
	rc = mlvm_carve_copy(l.text, l.len, &l.g, &l.archive_format, &l.command);
	if (!rc && (!l.g.parse_ok || !l.g.vg_id[0] || !l.g.seqno_known)) {
		not_metadata_words(l.text, l.len, words, sizeof(words));
		mlvm_error(&set->report, "metadata_file", path, -1,
			   "%s: not LVM2 metadata text (%s)", path, words);
		rc = -EINVAL;
	}
	l.origin = MLVM_ORIGIN_FILE;
	l.path = rc ? NULL : strdup(path);
	if (!rc && !l.path)
		rc = -ENOMEM;
	if (rc) {
		mlvm_loose_clear(&l);
		return rc;
	}
	return mlvm_set_add_loose(set, &l);
}
