/*
 * util.c - growable buffer and small formatting helpers.
 */
#include "base/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int buf_reserve(struct mlvm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (!mlvm_add_ok(b->len, extra, &need) || need == SIZE_MAX)
		return -ENOMEM;
	need++;			/* room for the NUL */
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int mlvm_buf_append(struct mlvm_buf *b, const void *data, size_t len)
{
	int rc = buf_reserve(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int mlvm_buf_printf(struct mlvm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void mlvm_buf_free(struct mlvm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mlvm_uuid_format(const char *raw, size_t len, char out[39])
{
	static const int groups[] = { 6, 4, 4, 4, 4, 4, 6 };
	size_t i, o = 0, pos = 0;

	if (len != 32) {
		if (len > 38)
			len = 38;
		memcpy(out, raw, len);
		out[len] = '\0';
		return;
	}
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (i)
			out[o++] = '-';
		memcpy(out + o, raw + pos, (size_t)groups[i]);
		o += (size_t)groups[i];
		pos += (size_t)groups[i];
	}
	out[o] = '\0';
}

static void human(uint64_t bytes, double base, const char *const *units, char *out, size_t outlen)
{
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= base && u < 6) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%llu B", (unsigned long long)bytes);
	else
		snprintf(out, outlen, "%.2f %s", v, units[u]);
}

void mlvm_human_size(uint64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	human(bytes, 1024.0, units, out, outlen);
}

void mlvm_human_size_si(uint64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };

	human(bytes, 1000.0, units, out, outlen);
}

enum io_op { IO_PREAD, IO_PWRITE, IO_WRITE };

static int io_all(enum io_op op, int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = op == IO_PREAD ? pread(fd, p, len, (off_t)off) :
			    op == IO_PWRITE ? pwrite(fd, p, len, (off_t)off) : write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int mlvm_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	return io_all(IO_PREAD, fd, buf, len, off);
}

int mlvm_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	return io_all(IO_PWRITE, fd, (void *)(uintptr_t)buf, len, off);
}

int mlvm_write_all(int fd, const void *buf, size_t len)
{
	return io_all(IO_WRITE, fd, (void *)(uintptr_t)buf, len, 0);
}

const char *mlvm_plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1, top = root;

		if (child < n && cmp(base + child * size, base + top * size) > 0)
			top = child;
		if (child + 1 < n && cmp(base + (child + 1) * size, base + top * size) > 0)
			top = child + 1;
		if (top == root)
			return;
		swap_bytes(base + root * size, base + top * size, size);
		root = top;
	}
}

void mlvm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;
	size_t i;

	if (n < 2 || !size)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp);
	for (i = n - 1; i > 0; i--) {
		swap_bytes(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp);
	}
}

#define HUGE_PAGE (2u << 20)

void *mlvm_alloc_huge(size_t n)
{
	void *p = NULL;

	if (n < HUGE_PAGE)
		return malloc(n ? n : 1);
	if (posix_memalign(&p, HUGE_PAGE, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n & ~(size_t)(HUGE_PAGE - 1), MADV_HUGEPAGE);	/* a hint */
#endif
	return p;
}
