/*
 * sha256.h - SHA-256 through OpenSSL's libcrypto (EVP), for export.
 *
 * Layer: base (src/base). May include: nothing of mlvm's.
 */
#ifndef MLVM_SHA256_H
#define MLVM_SHA256_H

#include <stddef.h>

struct mlvm_sha256;

/* A fresh digest; NULL when libcrypto cannot give one. */
struct mlvm_sha256 *mlvm_sha256_new(void);

/* Add bytes; 0 or -EIO. */
int mlvm_sha256_update(struct mlvm_sha256 *h, const void *data, size_t len);

/* Finish: 64 lowercase hex digits and a NUL in hex; 0 or -EIO. */
int mlvm_sha256_final(struct mlvm_sha256 *h, char hex[65]);

void mlvm_sha256_free(struct mlvm_sha256 *h);

#endif
