/*
 * magic.c - name bytes with libmagic, loaded on first need.
 *
 * libmagic takes tens of milliseconds and several MiB to load its
 * database, so it is loaded lazily, once, and an all-zero buffer (common in
 * images: never used, or discarded) is named without it.
 */
#include "io/magic.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <magic.h>

/*
 * libmagic is loaded with dlopen on first need rather than linked: linking
 * it (and the compression libraries it pulls in) costs every mlvm run
 * resident memory, and most runs never ask it anything.
 */
static struct {
	void *handle;
	__typeof__(magic_open) *open;
	__typeof__(magic_load) *load;
	__typeof__(magic_buffer) *buffer;
	__typeof__(magic_close) *close;
} lib;

static magic_t cookie;
static int cookie_state;	/* 0 not tried, 1 loaded, -1 failed */

static bool load_lib(void)
{
	static const char *const names[] = { "libmagic.so.1", "libmagic.so", NULL };
	const char *const *n;

	for (n = names; *n && !lib.handle; n++)
		lib.handle = dlopen(*n, RTLD_NOW | RTLD_LOCAL);
	if (!lib.handle)
		return false;
	*(void **)&lib.open = dlsym(lib.handle, "magic_open");
	*(void **)&lib.load = dlsym(lib.handle, "magic_load");
	*(void **)&lib.buffer = dlsym(lib.handle, "magic_buffer");
	*(void **)&lib.close = dlsym(lib.handle, "magic_close");
	return lib.open && lib.load && lib.buffer && lib.close;
}

static magic_t get_cookie(void)
{
	if (cookie_state == 0) {
		cookie_state = -1;
		if (!load_lib())
			return NULL;
		cookie = lib.open(MAGIC_NONE);
		if (cookie && lib.load(cookie, NULL) == 0) {
			cookie_state = 1;
		} else if (cookie) {
			lib.close(cookie);
			cookie = NULL;
		}
	}
	return cookie_state == 1 ? cookie : NULL;
}

void mlvm_magic_cleanup(void)
{
	if (cookie)
		lib.close(cookie);
	cookie = NULL;
	cookie_state = 0;
}

static bool all_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
		if ((i & 4095) == 4088 && acc)
			return false;
	}
	for (; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

static void put(char *out, size_t outlen, const char *s)
{
	if (!outlen)
		return;
	snprintf(out, outlen, "%s", s);
}

int mlvm_magic_describe(const void *buf, size_t len, char *out, size_t outlen)
{
	const char *s;
	magic_t m;

	if (len == 0) {
		put(out, outlen, "empty");
		return 0;
	}
	if (all_zero(buf, len)) {
		put(out, outlen, "zeros");
		return 0;
	}
	m = get_cookie();
	if (!m)
		return -EIO;
	s = lib.buffer(m, buf, len);
	if (!s)
		return -EIO;
	put(out, outlen, s);
	return 0;
}

