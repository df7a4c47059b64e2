/*
 * util.c - growable buffer and small formatting helpers.
 */
#include "base/util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int mlvm_buf_reserve(struct mlvm_buf *b, size_t extra)
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
	int rc = mlvm_buf_reserve(b, len);

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
	rc = mlvm_buf_reserve(b, (size_t)n);
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

/*
 * What human() writes in binary units, without printf (a table of 100,000
 * LVs has as many sizes, and printf's float formatting was a tenth of its
 * time): under 2^53 bytes the double bytes / 1024^u is exact, and printf
 * rounds that exact value to 2 decimals to nearest, ties to even, as the
 * integer division here does. false: use human() (larger, or out short).
 */
static bool human_binary(uint64_t bytes, const char *const *units, char *out, size_t outlen)
{
	char tmp[MLVM_U64_DEC_MAX + 16];
	unsigned u = 0, shift;
	uint64_t q, r, half;
	size_t n, ul;

	if (bytes >= (1ull << 53))
		return false;
	while (u < 6 && bytes >> (10 * (u + 1)))
		u++;
	if (u == 0) {
		n = mlvm_u64_dec(tmp, bytes);
		memcpy(tmp + n, " B", 3);
		n += 2;
	} else {
		shift = 10 * u;
		q = bytes * 100 >> shift;	/* < 2^60: no overflow */
		r = bytes * 100 & ((1ull << shift) - 1);
		half = 1ull << (shift - 1);
		if (r > half || (r == half && (q & 1)))
			q++;
		n = mlvm_u64_dec(tmp, q / 100);
		tmp[n++] = '.';
		tmp[n++] = (char)('0' + q % 100 / 10);
		tmp[n++] = (char)('0' + q % 10);
		tmp[n++] = ' ';
		ul = strlen(units[u]);
		memcpy(tmp + n, units[u], ul + 1);
		n += ul;
	}
	if (n >= outlen)
		return false;
	memcpy(out, tmp, n + 1);
	return true;
}

void mlvm_human_size(uint64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	if (!human_binary(bytes, units, out, outlen))
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

static void swap_elems(unsigned char *a, unsigned char *b, size_t size)
{
	if (a == b)
		return;
	if (size % sizeof(uint64_t) == 0 && ((uintptr_t)a | (uintptr_t)b) % _Alignof(uint64_t) == 0) {
		uint64_t *x = (uint64_t *)(void *)a, *y = (uint64_t *)(void *)b;

		for (size /= sizeof(uint64_t); size--; x++, y++) {
			uint64_t t = *x;

			*x = *y;
			*y = t;
		}
		return;
	}
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
		swap_elems(base + root * size, base + top * size, size);
		root = top;
	}
}

static void heap_sort(unsigned char *b, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp);
	for (i = n - 1; i > 0; i--) {
		swap_elems(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp);
	}
}

static void insertion_sort(unsigned char *b, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cmp(b + (j - 1) * size, b + j * size) > 0; j--)
			swap_elems(b + (j - 1) * size, b + j * size, size);
}

/*
 * Introsort: quicksort with the median of three as pivot, insertion sort
 * below 16 elements, heapsort where the partitions go too deep (2 log2 n),
 * so O(n log n) whatever the input. The larger side is looped over and
 * the smaller recursed into: the stack stays O(log n).
 */
static void intro_sort(unsigned char *b, size_t n, size_t size, unsigned depth,
		       int (*cmp)(const void *, const void *))
{
	while (n > 16) {
		unsigned char *lo, *hi, *mid;
		size_t i, j, left, right;

		if (depth-- == 0) {
			heap_sort(b, n, size, cmp);
			return;
		}
		lo = b;
		mid = b + (n / 2) * size;
		hi = b + (n - 1) * size;
		if (cmp(mid, lo) < 0)
			swap_elems(mid, lo, size);
		if (cmp(hi, mid) < 0) {
			swap_elems(hi, mid, size);
			if (cmp(mid, lo) < 0)
				swap_elems(mid, lo, size);
		}
		/* the pivot to the front; Hoare partition of b[1 .. n-1] */
		swap_elems(b, mid, size);
		i = 0;
		j = n;
		for (;;) {
			do
				i++;
			while (i < n && cmp(b + i * size, b) < 0);
			do
				j--;
			while (cmp(b + j * size, b) > 0);
			if (i >= j)
				break;
			swap_elems(b + i * size, b + j * size, size);
		}
		swap_elems(b, b + j * size, size);
		/* b[0 .. j) <= pivot = b[j] <= b(j .. n) */
		left = j;
		right = n - j - 1;
		if (left < right) {
			intro_sort(b, left, size, depth, cmp);
			b += (j + 1) * size;
			n = right;
		} else {
			intro_sort(b + (j + 1) * size, right, size, depth, cmp);
			n = left;
		}
	}
	insertion_sort(b, n, size, cmp);
}

void mlvm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned depth = 0;
	size_t m;

	if (n < 2 || !size)
		return;
	for (m = n; m > 1; m >>= 1)
		depth += 2;
	intro_sort(base, n, size, depth, cmp);
}

size_t mlvm_u64_dec(char *out, uint64_t v)
{
	char tmp[MLVM_U64_DEC_MAX];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, tmp + i, sizeof(tmp) - i);
	return sizeof(tmp) - i;
}

/* two digits of v at p */
static void two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

const char *mlvm_utc_format(uint64_t t, bool iso, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	/*
	 * Years 1970 to 9999 by arithmetic (days to a civil date, as in
	 * H. Hinnant's "chrono-compatible low-level date algorithms"): a read
	 * of 10,000 LVs asks for 10,000 times, and gmtime_r with strftime was
	 * 2 % of it. Anything else goes through gmtime_r and strftime.
	 */
	if (t < 253402300800ull && len >= (iso ? 21u : 20u)) {
		uint64_t days = t / 86400, secs = t % 86400;
		uint64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
		uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
		unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
		unsigned y = (unsigned)(yoe + era * 400 + (m <= 2));

		two(buf, y / 100);
		two(buf + 2, y % 100);
		buf[4] = '-';
		two(buf + 5, m);
		buf[7] = '-';
		two(buf + 8, d);
		buf[10] = iso ? 'T' : ' ';
		two(buf + 11, (unsigned)(secs / 3600));
		buf[13] = ':';
		two(buf + 14, (unsigned)(secs / 60 % 60));
		buf[16] = ':';
		two(buf + 17, (unsigned)(secs % 60));
		if (iso)
			buf[19] = 'Z';
		buf[iso ? 20 : 19] = '\0';
		return buf;
	}
	if (t > (uint64_t)INT64_MAX || (uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%s", "");
	return buf;
}

#define HUGE_PAGE (2u << 20)
#define HUGE_WASTE 8	/* a block rounded up to huge pages by at most 1/8 */

void *mlvm_alloc_huge(size_t n)
{
	size_t huge = n & ~(size_t)(HUGE_PAGE - 1), rest = n - huge;
	void *p = NULL;

	/* the last huge page's rest taken too when it is small beside the
	 * block: the block's end then lies in a huge page as well */
	if (rest && HUGE_PAGE - rest <= n / HUGE_WASTE && huge <= SIZE_MAX - HUGE_PAGE)
		n = huge += HUGE_PAGE;
	if (!huge)
		return malloc(n ? n : 1);
	if (posix_memalign(&p, HUGE_PAGE, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, huge, MADV_HUGEPAGE);	/* a hint */
#endif
	return p;
}

int mlvm_thread_create(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void mlvm_thread_helper(void)
{
#if defined(__linux__) && defined(SYS_gettid)
	/* on Linux a nice value is a thread's: setpriority on its id */
	int now;

	errno = 0;
	now = getpriority(PRIO_PROCESS, 0);
	if (now == -1 && errno)
		return;
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), now + MLVM_NICE_HELPER);
#endif
}

void mlvm_run_pair(void *(*fn)(void *), void *a, void *b)
{
	pthread_t th;

	if (mlvm_thread_create(&th, fn, b) == 0) {
		fn(a);
		pthread_join(th, NULL);
	} else {
		fn(a);
		fn(b);
	}
}

void mlvm_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)4095;

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);	/* Linux 5.14+; a hint */
#else
	(void)p;
	(void)n;
#endif
}

void mlvm_prefault_read(const void *p, size_t n)
{
#ifdef MADV_POPULATE_READ
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + n + 4095) & ~(uintptr_t)4095;

	if (n)
		(void)madvise((void *)a, e - a, MADV_POPULATE_READ);	/* a hint */
#else
	(void)p;
	(void)n;
#endif
}

/* turn the k elements at p around */
static void reverse(char *p, size_t k, size_t size)
{
	char *x = p, *y = p + (k - 1) * size;

	for (; x < y; x += size, y -= size) {
		size_t b;

		for (b = 0; b < size; b++) {
			char t = x[b];

			x[b] = y[b];
			y[b] = t;
		}
	}
}

/* merge the runs [lo, mid) and [mid, hi) of src into dst (same places) */
static void merge_runs(const char *src, char *dst, size_t lo, size_t mid, size_t hi, size_t size,
		       int (*cmp)(const void *, const void *, void *), void *arg)
{
	size_t i = lo, j = mid, o = lo;

	/* equal: the first run's first */
	while (i < mid && j < hi) {
		if (cmp(src + j * size, src + i * size, arg) < 0)
			memcpy(dst + o++ * size, src + j++ * size, size);
		else
			memcpy(dst + o++ * size, src + i++ * size, size);
	}
	if (i < mid)
		memcpy(dst + o * size, src + i * size, (mid - i) * size);
	else if (j < hi)
		memcpy(dst + o * size, src + j * size, (hi - j) * size);
}

void mlvm_sort_runs(void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *, void *), void *arg)
{
	char *a = base, *tmp, *src, *dst;
	size_t *start, nr, cap, i, j;

	if (n < 2)
		return;
	/* where each run starts; more than n / 16 runs: qsort_r */
	cap = n / 16 + 2;
	start = malloc(cap * sizeof(*start));
	if (!start) {
		qsort_r(base, n, size, cmp, arg);
		return;
	}
	nr = 0;
	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (j < n && cmp(a + i * size, a + j * size, arg) > 0) {
			/* strictly descending: turned around, it is a run too */
			while (j + 1 < n && cmp(a + j * size, a + (j + 1) * size, arg) > 0)
				j++;
			reverse(a + i * size, ++j - i, size);
		} else if (j < n) {	/* a[i] <= a[i + 1] is known */
			for (j++; j < n && cmp(a + (j - 1) * size, a + j * size, arg) <= 0; j++)
				;
		}
		if (nr + 1 >= cap) {
			free(start);
			qsort_r(base, n, size, cmp, arg);
			return;
		}
		start[nr++] = i;
	}
	if (nr == 1) {
		free(start);
		return;
	}
	tmp = malloc(n * size);
	if (!tmp) {
		free(start);
		qsort_r(base, n, size, cmp, arg);
		return;
	}
	start[nr] = n;
	src = a;
	dst = tmp;
	while (nr > 1) {
		size_t k, m = 0;

		for (k = 0; k + 1 < nr; k += 2) {
			merge_runs(src, dst, start[k], start[k + 1], start[k + 2], size, cmp, arg);
			start[m++] = start[k];
		}
		if (k < nr) {	/* an odd run out: copied as it is */
			memcpy(dst + start[k] * size, src + start[k] * size,
			       (start[k + 1] - start[k]) * size);
			start[m++] = start[k];
		}
		start[m] = n;
		nr = m;
		src = dst;
		dst = dst == tmp ? a : tmp;
	}
	if (src != a)
		memcpy(a, src, n * size);
	free(tmp);
	free(start);
}
