/*
 * sha256.c - message digests through OpenSSL's libcrypto EVP interface.
 *
 * libcrypto is loaded with dlopen on first use rather than linked: merely
 * linking it costs every mlvm run ~1.5 MiB of resident memory (its
 * relocations), and only export and --record hash.
 */
#include "base/sha256.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
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
	__typeof__(EVP_sha256) *md[MLVM_DIGEST_COUNT];
	__typeof__(EVP_DigestInit_ex) *init;
	__typeof__(EVP_DigestUpdate) *update;
	__typeof__(EVP_DigestFinal_ex) *final;
} lib;

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void load_once(void)
{
	static const char *const names[] = {
		"libcrypto.so." STR(OPENSSL_VERSION_MAJOR), "libcrypto.so", NULL
	};
	const char *const *n;

	lib.state = -1;
	for (n = names; *n && !lib.handle; n++)
		lib.handle = dlopen(*n, RTLD_NOW | RTLD_LOCAL);
	if (!lib.handle)
		return;
	*(void **)&lib.ctx_new = dlsym(lib.handle, "EVP_MD_CTX_new");
	*(void **)&lib.ctx_free = dlsym(lib.handle, "EVP_MD_CTX_free");
	*(void **)&lib.md[MLVM_DIGEST_SHA256] = dlsym(lib.handle, "EVP_sha256");
	*(void **)&lib.md[MLVM_DIGEST_MD5] = dlsym(lib.handle, "EVP_md5");
	*(void **)&lib.md[MLVM_DIGEST_SHA1] = dlsym(lib.handle, "EVP_sha1");
	*(void **)&lib.init = dlsym(lib.handle, "EVP_DigestInit_ex");
	*(void **)&lib.update = dlsym(lib.handle, "EVP_DigestUpdate");
	*(void **)&lib.final = dlsym(lib.handle, "EVP_DigestFinal_ex");
	if (lib.ctx_new && lib.ctx_free && lib.init && lib.update && lib.final)
		lib.state = 1;
}

/* digests are made from several threads at once (--record's hashers) */
static int load(void)
{
	pthread_once(&lib_once, load_once);
	return lib.state;
}

struct mlvm_digest {
	EVP_MD_CTX *ctx;
	unsigned size;		/* bytes of the digest */
};

const char *mlvm_digest_name(enum mlvm_digest_alg alg)
{
	switch (alg) {
	case MLVM_DIGEST_MD5:
		return "md5";
	case MLVM_DIGEST_SHA1:
		return "sha1";
	default:
		return "sha256";
	}
}

struct mlvm_digest *mlvm_digest_new(enum mlvm_digest_alg alg)
{
	static const unsigned sizes[MLVM_DIGEST_COUNT] = { 32, 16, 20 };
	struct mlvm_digest *h;

	if ((unsigned)alg >= MLVM_DIGEST_COUNT || load() != 1 || !lib.md[alg])
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->size = sizes[alg];
	h->ctx = lib.ctx_new();
	if (!h->ctx || lib.init(h->ctx, lib.md[alg](), NULL) != 1) {
		mlvm_digest_free(h);
		return NULL;
	}
	return h;
}

int mlvm_digest_update(struct mlvm_digest *h, const void *data, size_t len)
{
	return lib.update(h->ctx, data, len) == 1 ? 0 : -EIO;
}

void mlvm_hex(const unsigned char *bytes, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * n] = '\0';
}

int mlvm_digest_final(struct mlvm_digest *h, char hex[MLVM_DIGEST_HEX_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (lib.final(h->ctx, md, &n) != 1 || n != h->size)
		return -EIO;
	mlvm_hex(md, n, hex);
	return 0;
}

void mlvm_digest_free(struct mlvm_digest *h)
{
	if (!h)
		return;
	if (h->ctx)
		lib.ctx_free(h->ctx);
	free(h);
}

/* ------------------------------------------------------------ SHA-256 */

struct mlvm_sha256 *mlvm_sha256_new(void)
{
	return (struct mlvm_sha256 *)mlvm_digest_new(MLVM_DIGEST_SHA256);
}

int mlvm_sha256_update(struct mlvm_sha256 *h, const void *data, size_t len)
{
	return mlvm_digest_update((struct mlvm_digest *)h, data, len);
}

int mlvm_sha256_final(struct mlvm_sha256 *h, char hex[65])
{
	return mlvm_digest_final((struct mlvm_digest *)h, hex);
}

void mlvm_sha256_free(struct mlvm_sha256 *h)
{
	mlvm_digest_free((struct mlvm_digest *)h);
}
