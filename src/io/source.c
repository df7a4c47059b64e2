/*
 * source.c - image sources: a file or block device (pread), or memory.
 */
#include "io/source.h"
#include "io/detect.h"
#include "io/source_error.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct fd_priv {
	int fd;
};

static int fd_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct fd_priv *p = s->priv;

	return mlvm_pread_all(p->fd, buf, len, off);	/* -EIO: the file shrank under us */
}

static int fd_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	struct fd_priv *p = s->priv;

	return mlvm_pwrite_all(p->fd, buf, len, off);
}

static int fd_sync(struct mlvm_source *s)
{
	struct fd_priv *p = s->priv;

	return fsync(p->fd) ? -errno : 0;
}

static void fd_close(struct mlvm_source *s)
{
	struct fd_priv *p = s->priv;

	close(p->fd);
	free(p);
}

struct map_cookie {
	void *base;
	size_t len;
};

static int fd_map(struct mlvm_source *s, uint64_t off, size_t len, int flags,
		  const void **ptr, void **cookie)
{
	struct fd_priv *p = s->priv;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t delta = off % (uint64_t)(page > 0 ? page : 4096);
	struct map_cookie *c = malloc(sizeof(*c));
	void *base;

	if (!c)
		return -ENOMEM;
	c->len = len + (size_t)delta;
	base = mmap(NULL, c->len, PROT_READ,
		    MAP_SHARED | ((flags & MLVM_MAP_WHOLE) ? MAP_POPULATE : 0), p->fd,
		    (off_t)(off - delta));
	if (base == MAP_FAILED) {
		free(c);
		return -ENOTSUP;
	}
	c->base = base;
	*ptr = (const uint8_t *)base + delta;
	*cookie = c;
	return 0;
}

static const struct mlvm_source_ops fd_ops = {
	.pread = fd_pread,
	.pwrite = fd_pwrite,
	.sync = fd_sync,
	.close = fd_close,
	.map = fd_map,
};

/* rc, with strerror's words for it as path's "open" entry */
static int open_errno(struct mlvm_report *r, const char *path, int rc)
{
	return mlvm_source_fail(r, path, rc, "%s", strerror(-rc));
}

int mlvm_source_open(const char *path, int flags, struct mlvm_source **out,
		     struct mlvm_report *r)
{
	struct mlvm_source *s;
	struct fd_priv *p;
	struct stat st;
	uint64_t size;
	enum mlvm_format fmt;
	int fd, err;

	*out = NULL;
	fd = open(path, ((flags & MLVM_SOURCE_WRITE) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return open_errno(r, path, -errno);
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return open_errno(r, path, err);
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			err = -errno;
			close(fd);
			return open_errno(r, path, err);
		}
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else if (S_ISCHR(st.st_mode)) {
		char one;
		ssize_t got = read(fd, &one, 1);

		/* /dev/null: nothing to read; /dev/zero and the like: no size */
		close(fd);
		return mlvm_source_fail(r, path, -EINVAL, "%s", got == 0 ? "is empty" :
					"a character device, not a file or a block device");
	} else {
		close(fd);
		return open_errno(r, path, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL);
	}
	/* by content: E01, qcow, VHD(X) are read through their library */
	if (flags & MLVM_SOURCE_RAW)
		fmt = MLVM_FORMAT_RAW, err = 0;
	else
		err = mlvm_detect_fd(fd, size, &fmt);
	if (err || fmt != MLVM_FORMAT_RAW) {
		close(fd);
		/* mlvm_container_open words its own failures */
		return err ? open_errno(r, path, err) : mlvm_container_open(path, fmt, flags, out, r);
	}
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p || !(s->name = strdup(path))) {
		free(s);
		free(p);
		close(fd);
		return open_errno(r, path, -ENOMEM);
	}
	p->fd = fd;
	s->size = size;
	s->ops = &fd_ops;
	s->priv = p;
	s->concurrent = 1;	/* pread */
	s->writable = !!(flags & MLVM_SOURCE_WRITE);
	*out = s;
	return 0;
}

struct mem_priv {
	uint8_t *data;
};

static int mem_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct mem_priv *p = s->priv;

	memcpy(buf, p->data + off, len);
	return 0;
}

static int mem_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	struct mem_priv *p = s->priv;

	memcpy(p->data + off, buf, len);
	return 0;
}

static int mem_sync(struct mlvm_source *s)
{
	return 0;
}

static void mem_close(struct mlvm_source *s)
{
	free(s->priv);
}

static int mem_map(struct mlvm_source *s, uint64_t off, size_t len, int flags,
		   const void **ptr, void **cookie)
{
	struct mem_priv *p = s->priv;

	(void)len;
	(void)flags;
	*ptr = p->data + off;
	*cookie = NULL;
	return 0;
}

static const struct mlvm_source_ops mem_ops = {
	.pread = mem_pread,
	.pwrite = mem_pwrite,
	.sync = mem_sync,
	.close = mem_close,
	.map = mem_map,
};

struct mlvm_source *mlvm_source_memory(const char *name, void *data, size_t size, int flags)
{
	struct mlvm_source *s = calloc(1, sizeof(*s));
	struct mem_priv *p = calloc(1, sizeof(*p));

	if (!s || !p || !(s->name = strdup(name))) {
		free(s);
		free(p);
		return NULL;
	}
	p->data = data;
	s->size = size;
	s->ops = &mem_ops;
	s->priv = p;
	s->concurrent = 1;
	s->writable = !!(flags & MLVM_SOURCE_WRITE);
	return s;
}

static int shifted_pread(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	struct mlvm_source *parent = s->priv;
	uint8_t *b = buf;
	size_t i;
	int rc = mlvm_source_read(parent, buf, len, off);

	if (rc)
		return rc;
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(b[i] - 1);
	return 0;
}

static int shifted_pwrite(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	return -EBADF;
}

static void shifted_close(struct mlvm_source *s)
{
}

static const struct mlvm_source_ops shifted_ops = {
	.pread = shifted_pread,
	.pwrite = shifted_pwrite,
	.sync = mem_sync,
	.close = shifted_close,
};

struct mlvm_source *mlvm_source_shifted(struct mlvm_source *parent)
{
	struct mlvm_source *s = calloc(1, sizeof(*s));

	if (!s || !(s->name = strdup(parent->name))) {
		free(s);
		return NULL;
	}
	s->size = parent->size;
	s->ops = &shifted_ops;
	s->priv = parent;
	s->concurrent = parent->concurrent;
	return s;
}

int mlvm_io_threads(int max)
{
	const char *env = getenv("MLVM_IO_THREADS");
	long n;

	if (max <= 0)
		return 0;
	if (env && *env) {
		char *end;

		n = strtol(env, &end, 10);
		if (*end || n < 0)
			n = 0;
	} else {
		n = sysconf(_SC_NPROCESSORS_ONLN);	/* one core: none */
		if (n <= 1)
			n = 0;
	}
	return n > max ? max : (int)n;
}

int mlvm_source_read(struct mlvm_source *s, void *buf, size_t len, uint64_t off)
{
	if (!mlvm_range_ok(s->size, off, len))
		return -ERANGE;
	if (len == 0)
		return 0;
	return s->ops->pread(s, buf, len, off);
}

int mlvm_source_write(struct mlvm_source *s, const void *buf, size_t len, uint64_t off)
{
	if (!s->writable)
		return -EBADF;
	if (!mlvm_range_ok(s->size, off, len))
		return -ERANGE;
	if (len == 0)
		return 0;
	return s->ops->pwrite(s, buf, len, off);
}

void mlvm_source_willneed(struct mlvm_source *s, uint64_t off, uint64_t len)
{
	if (s->ops->willneed && len > 0 && mlvm_range_ok(s->size, off, len))
		s->ops->willneed(s, off, len);
}

void mlvm_source_willneed_into(struct mlvm_source *s, void *buf, uint64_t off, uint64_t len)
{
	if (len == 0 || !mlvm_range_ok(s->size, off, len))
		return;
	if (s->ops->willneed_into)
		s->ops->willneed_into(s, buf, off, len);
	else if (s->ops->willneed)
		s->ops->willneed(s, off, len);
}

void mlvm_source_forget(struct mlvm_source *s, const void *buf, size_t len)
{
	if (s->ops->forget && len > 0)
		s->ops->forget(s, buf, len);
}

int mlvm_source_sync(struct mlvm_source *s)
{
	return s->writable ? s->ops->sync(s) : 0;
}

int mlvm_source_map(struct mlvm_source *s, uint64_t off, size_t len, int flags,
		    const void **ptr, void **cookie)
{
	*ptr = NULL;
	*cookie = NULL;
	if (!mlvm_range_ok(s->size, off, len))
		return -ERANGE;
	if (!s->ops->map || len == 0)
		return -ENOTSUP;
	return s->ops->map(s, off, len, flags, ptr, cookie);
}

void mlvm_source_unmap(void *cookie)
{
	struct map_cookie *c = cookie;

	if (!c)
		return;
	munmap(c->base, c->len);
	free(c);
}

int mlvm_source_stored_hash(struct mlvm_source *s, enum mlvm_digest_alg alg, char *hex)
{
	hex[0] = '\0';
	if (!s->ops->stored_hash)
		return 0;
	return s->ops->stored_hash(s, alg, hex);
}

void mlvm_source_close(struct mlvm_source *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s->name);
	free(s);
}

void mlvm_source_missing(struct mlvm_source *s, uint64_t off, uint64_t len,
			 void (*add)(void *ctx, uint64_t start, uint64_t len), void *ctx)
{
	if (s && s->ops->missing && len)
		s->ops->missing(s, off, len, add, ctx);
}

int mlvm_source_read_error(struct mlvm_source *s, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (!s || !s->ops->read_error || !size)
		return 0;
	return s->ops->read_error(s, buf, size);
}
