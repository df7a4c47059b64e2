/*
 * sha256.h - message digests (SHA-256, and MD5 and SHA-1 for the
 * acquisition hashes that containers store) through OpenSSL's libcrypto
 * (EVP), loaded on first use.
 *
 * Layer: base (src/base). May include: nothing of mlvm's.
 */
#ifndef MLVM_SHA256_H
#define MLVM_SHA256_H

#include <stddef.h>

enum mlvm_digest_alg {
	MLVM_DIGEST_SHA256,
	MLVM_DIGEST_MD5,
	MLVM_DIGEST_SHA1,
	MLVM_DIGEST_COUNT
};

/* the longest digest in hex with its NUL (SHA-256) */
#define MLVM_DIGEST_HEX_MAX 65

struct mlvm_digest;

/* A fresh digest of alg; NULL when libcrypto cannot give one. */
struct mlvm_digest *mlvm_digest_new(enum mlvm_digest_alg alg);

/* Add bytes; 0 or -EIO. */
int mlvm_digest_update(struct mlvm_digest *h, const void *data, size_t len);

/* Finish: the digest as lowercase hex digits and a NUL in hex (at least
 * MLVM_DIGEST_HEX_MAX bytes); 0 or -EIO. */
int mlvm_digest_final(struct mlvm_digest *h, char hex[MLVM_DIGEST_HEX_MAX]);

void mlvm_digest_free(struct mlvm_digest *h);

/* "sha256", "md5", "sha1" */
const char *mlvm_digest_name(enum mlvm_digest_alg alg);

/* n bytes as 2n lowercase hex digits and a NUL in hex */
void mlvm_hex(const unsigned char *bytes, size_t n, char *hex);

/* SHA-256 alone, as export uses it: the same digest under its own name */
struct mlvm_sha256;

/* A fresh digest; NULL when libcrypto cannot give one. */
struct mlvm_sha256 *mlvm_sha256_new(void);

/* Add bytes; 0 or -EIO. */
int mlvm_sha256_update(struct mlvm_sha256 *h, const void *data, size_t len);

/* Finish: 64 lowercase hex digits and a NUL in hex; 0 or -EIO. */
int mlvm_sha256_final(struct mlvm_sha256 *h, char hex[65]);

void mlvm_sha256_free(struct mlvm_sha256 *h);

#endif
