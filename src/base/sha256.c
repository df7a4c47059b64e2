/*
 * sha256.c - SHA-256 through OpenSSL's libcrypto EVP interface.
 *
 * libcrypto is loaded with dlopen on first use rather than linked: merely
 * linking it costs every mlvm run ~1.5 MiB of resident memory (its
 * relocations), and only export hashes.
 */
#include "base/sha256.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/opensslv.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static struct {
	int state;	/* 0 not tried, 1 loaded, -1 failed */
	void *handle;
	__typeof__(EVP_MD_CTX_new) *ctx_new;
	__typeof__(EVP_MD_CTX_free) *ctx_free;
	__typeof__(EVP_sha256) *sha256;
	__typeof__(EVP_DigestInit_ex) *init;
	__typeof__(EVP_DigestUpdate) *update;
	__typeof__(EVP_DigestFinal_ex) *final;
} lib;

static int load(void)
{
	static const char *const names[] = {
		"libcrypto.so." STR(OPENSSL_VERSION_MAJOR), "libcrypto.so", NULL
	};
	const char *const *n;

	if (lib.state)
		return lib.state;
	lib.state = -1;
	for (n = names; *n && !lib.handle; n++)
		lib.handle = dlopen(*n, RTLD_NOW | RTLD_LOCAL);
	if (!lib.handle)
		return -1;
	*(void **)&lib.ctx_new = dlsym(lib.handle, "EVP_MD_CTX_new");
	*(void **)&lib.ctx_free = dlsym(lib.handle, "EVP_MD_CTX_free");
	*(void **)&lib.sha256 = dlsym(lib.handle, "EVP_sha256");
	*(void **)&lib.init = dlsym(lib.handle, "EVP_DigestInit_ex");
	*(void **)&lib.update = dlsym(lib.handle, "EVP_DigestUpdate");
	*(void **)&lib.final = dlsym(lib.handle, "EVP_DigestFinal_ex");
	if (lib.ctx_new && lib.ctx_free && lib.sha256 && lib.init && lib.update && lib.final)
		lib.state = 1;
	return lib.state;
}

struct mlvm_sha256 {
	EVP_MD_CTX *ctx;
};

struct mlvm_sha256 *mlvm_sha256_new(void)
{
	struct mlvm_sha256 *h;

	if (load() != 1)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->ctx = lib.ctx_new();
	if (!h->ctx || lib.init(h->ctx, lib.sha256(), NULL) != 1) {
		mlvm_sha256_free(h);
		return NULL;
	}
	return h;
}

int mlvm_sha256_update(struct mlvm_sha256 *h, const void *data, size_t len)
{
	return lib.update(h->ctx, data, len) == 1 ? 0 : -EIO;
}

int mlvm_sha256_final(struct mlvm_sha256 *h, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (lib.final(h->ctx, md, &n) != 1 || n != 32)
		return -EIO;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

void mlvm_sha256_free(struct mlvm_sha256 *h)
{
	if (!h)
		return;
	if (h->ctx)
		lib.ctx_free(h->ctx);
	free(h);
}
