/*
 * util.h - little-endian accessors, bounds checks, a growable buffer and
 * whole reads and writes.
 *
 * Every untrusted length goes through mlvm_range_ok(): bounds are checked by
 * subtracting from the trusted size, never by adding to an untrusted offset.
 *
 * Layer: base (src/base). May include: nothing of mlvm's.
 */
#ifndef MLVM_UTIL_H
#define MLVM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

static inline uint16_t mlvm_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t mlvm_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t mlvm_le64(const uint8_t *p)
{
	return (uint64_t)mlvm_le32(p) | (uint64_t)mlvm_le32(p + 4) << 32;
}

static inline void mlvm_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void mlvm_put_le64(uint8_t *p, uint64_t v)
{
	mlvm_put_le32(p, (uint32_t)v);
	mlvm_put_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * n bytes, not initialised, released with free(); NULL on ENOMEM. From
 * 2 MiB up the block is aligned to 2 MiB and advised for transparent huge
 * pages (MADV_HUGEPAGE, a hint): a large buffer that is filled once
 * (a metadata ring, the parser's node arena, an export chunk) then costs a
 * few page faults instead of one a 4 KiB page, and page faults are what
 * such a fill mostly costs (a profile of read --json of 10,000 LVs: 15 %
 * in the fault handler, 15 % in memset touching fresh pages). A block
 * that whole huge pages hold with at most an eighth more (from 1.78 MiB)
 * is rounded up to them, so that its end lies in one too: in a virtual
 * machine a fault of a 4 KiB page costs 6 to 12 microseconds, and the
 * last 1.83 MiB of a 3.83 MiB text took 470 of them.
 */
void *mlvm_alloc_huge(size_t n);

/*
 * pthread_create with every signal blocked in the new thread: signals
 * reach the caller's threads only (the worker, reader and hasher threads
 * all start this way). 0, or pthread_create's error number.
 */
int mlvm_thread_create(pthread_t *th, void *(*fn)(void *), void *arg);

/*
 * Lower the calling thread's scheduling priority (nice +MLVM_NICE_HELPER
 * over the process's), for helpers that work ahead of a thread that waits
 * for them: a container's decompression workers. Where a thread must keep
 * its core (an export's hasher, which bounds its speed), they then yield
 * it rather than share it; idle cores they use all the same. Linux only;
 * elsewhere, and when refused, nothing changes (a hint).
 */
#define MLVM_NICE_HELPER 5
void mlvm_thread_helper(void);

/* fn(b) on a thread of its own (mlvm_thread_create) while fn(a) runs on
 * this one, both done on return; both on this one when no thread starts */
void mlvm_run_pair(void *(*fn)(void *), void *a, void *b);

/*
 * Map the pages of [p, p + n) now, in one call (madvise MADV_POPULATE_WRITE,
 * Linux 5.14 and later; nothing elsewhere), for a buffer about to be filled
 * whole: each page's first touch is otherwise a fault of its own, and in a
 * virtual machine a fault costs some microseconds (a 4 MiB text: 1,000).
 */
void mlvm_prefault(void *p, size_t n);

/* The same for a read-only mapping about to be read whole
 * (MADV_POPULATE_READ): its pages are mapped in one call. */
void mlvm_prefault_read(const void *p, size_t n);

/* true when [off, off+len) lies inside [0, size) */
static inline bool mlvm_range_ok(uint64_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

/* a*b, or false on overflow */
static inline bool mlvm_mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

static inline bool mlvm_add_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/* Growable byte buffer, always NUL-terminated when len > 0 or after _cstr. */
struct mlvm_buf {
	char *data;
	size_t len;
	size_t cap;
};

int mlvm_buf_append(struct mlvm_buf *b, const void *data, size_t len);
/* room for extra more bytes (and a NUL) after len, len unchanged: for
 * writing in place at data + len; 0 or -ENOMEM */
int mlvm_buf_reserve(struct mlvm_buf *b, size_t extra);
int mlvm_buf_printf(struct mlvm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mlvm_buf_free(struct mlvm_buf *b);

/* Format a 32-character LVM uuid as 6-4-4-4-4-4-6 into out[39]. A string of
 * another length is copied as it is (truncated to 38 characters). */
void mlvm_uuid_format(const char *raw, size_t len, char out[39]);

/* The noun for n things: one when n is 1, else many ("1 extent", "2
 * extents"): the one helper for counts in messages and tables. */
const char *mlvm_plural(unsigned long long n, const char *one, const char *many);

/* Format bytes as a human size with binary units ("4.00 MiB"). */
void mlvm_human_size(uint64_t bytes, char *out, size_t outlen);
/* The same in powers of 1000 ("4.19 MB"), as lvm2's --units H. */
void mlvm_human_size_si(uint64_t bytes, char *out, size_t outlen);

/*
 * Sort n elements of size bytes in place, as qsort does, without
 * allocating: glibc's qsort (before 2.37) merge-sorts through a copy of the
 * whole array, doubling the peak memory of a large sort. Introsort
 * (quicksort, heapsort past 2 log2 n levels, insertion sort for small
 * runs): not stable (give cmp a total order), O(n log n) whatever the
 * input, O(log n) stack.
 */
void mlvm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/*
 * Sort like qsort_r, faster on what is mostly in order: the ascending runs
 * already there, and the strictly descending ones turned around, are found
 * and merged (n - 1 comparisons for a sorted or reversed array, about 2n
 * for a rotated one, as a ring's generations in area order are). More
 * than n / 16 runs, or no memory for the merge's copy (n * size bytes),
 * and it is qsort_r. Not stable: give cmp a total order when the result
 * must not depend on the input's order.
 */
void mlvm_sort_runs(void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *, void *), void *arg);

/* v in decimal at out (room for MLVM_U64_DEC_MAX bytes), no NUL; its length */
#define MLVM_U64_DEC_MAX 20
size_t mlvm_u64_dec(char *out, uint64_t v);

/*
 * UTC time t (seconds since 1970) as "YYYY-MM-DD HH:MM:SS", or with iso
 * "YYYY-MM-DDTHH:MM:SSZ", into buf; "" when it cannot be shown (len too
 * small, beyond gmtime). Returns buf. Thread-safe.
 */
const char *mlvm_utc_format(uint64_t t, bool iso, char *buf, size_t len);

/*
 * All len bytes, however many calls it takes (short transfers, EINTR):
 * 0, a negative errno, or -EIO when a read meets the end of the file (it
 * shrank under us) or a write moves nothing.
 */
int mlvm_pread_all(int fd, void *buf, size_t len, uint64_t off);
int mlvm_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
int mlvm_write_all(int fd, const void *buf, size_t len);	/* at the file position */

#endif
