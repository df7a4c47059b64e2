/*
 * lvsource.c - a logical volume's bytes as an image source (lvsource.h).
 */
#include "map/lvsource.h"
#include "map/lvmap.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lv_priv {
	struct mlvm_lv_reader *rd;
	pthread_mutex_t lock;
	struct mlvm_source_inside inside;
	char *vg, *vg_id, *lv, *lv_id;
};

static int lv_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct lv_priv *p = s->priv;
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = mlvm_lv_read(p->rd, buf, len, off);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int lv_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	(void)s;
	(void)buf;
	(void)len;
	(void)off;
	return -EROFS;
}

static int lv_sync(struct mlvm_source *s)
{
	(void)s;
	return 0;
}

static void lv_missing(struct mlvm_source *s, uint64_t off, uint64_t len,
		       void (*add)(void *ctx, uint64_t start, uint64_t len), void *ctx)
{
	struct lv_priv *p = s->priv;
	const struct mlvm_range *v;
	size_t n, i;

	pthread_mutex_lock(&p->lock);
	v = mlvm_lv_reader_missing(p->rd, &n);
	for (i = 0; i < n; i++) {
		uint64_t a = v[i].start, b = v[i].start + v[i].len;

		if (b <= off)
			continue;
		if (a >= off + len)
			break;
		if (a < off)
			a = off;
		if (b > off + len)
			b = off + len;
		add(ctx, a, b - a);
	}
	pthread_mutex_unlock(&p->lock);
}

static void lv_free(struct lv_priv *p)
{
	mlvm_lv_reader_free(p->rd);
	free(p->vg);
	free(p->vg_id);
	free(p->lv);
	free(p->lv_id);
	free(p);
}

static void lv_close(struct mlvm_source *s)
{
	struct lv_priv *p = s->priv;

	pthread_mutex_destroy(&p->lock);
	lv_free(p);
}

static const struct mlvm_source_ops lv_ops = {
	.pread = lv_pread,
	.pwrite = lv_pwrite,
	.sync = lv_sync,
	.close = lv_close,
	.missing = lv_missing,
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int mlvm_lv_source_new(const struct mlvm_vg *vg, const struct mlvm_lv *lv, const char *name,
		       unsigned depth, struct mlvm_source **out)
{
	struct mlvm_lv_reader_opts ro = { .leg = -1 };
	struct mlvm_source *s;
	struct lv_priv *p;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = mlvm_lv_reader_new(vg, lv, &ro, &p->rd, NULL);
	if (rc) {
		free(p);
		return rc;
	}
	s = calloc(1, sizeof(*s));
	p->vg = dup_or_empty(vg->name);
	p->vg_id = dup_or_empty(vg->id);
	p->lv = dup_or_empty(lv->name);
	p->lv_id = dup_or_empty(lv->id);
	if (!s || !p->vg || !p->vg_id || !p->lv || !p->lv_id || !(s->name = strdup(name)) ||
	    pthread_mutex_init(&p->lock, NULL)) {
		if (s)
			free(s->name);
		free(s);
		lv_free(p);
		return -ENOMEM;
	}
	p->inside = (struct mlvm_source_inside){ .vg = p->vg, .vg_id = p->vg_id, .lv = p->lv,
						 .lv_id = p->lv_id, .depth = depth };
	s->size = mlvm_lv_reader_size(p->rd);
	s->ops = &lv_ops;
	s->priv = p;
	s->inside = &p->inside;
	*out = s;
	return 0;
}
