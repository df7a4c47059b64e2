/*
 * hash.h - the digests of a whole source, in one read pass.
 *
 * mlvm_source_hash reads a source from its first byte to its last, in
 * order, in chunks of MLVM_HASH_CHUNK bytes, and gives the digests asked
 * for (SHA-256, MD5, SHA-1: base/sha256.h) of the bytes as the source
 * presents them (a container: its media bytes). Each digest runs in a
 * thread of its own while the caller's thread reads the next chunks (at
 * most MLVM_HASH_NBUF chunks in flight; those threads block every signal),
 * so that hashing runs at the speed of the slowest of the disk and the one
 * digest, not of their sum. Memory is bounded whatever the size.
 *
 * progress (may be NULL) is called from the caller's thread after every
 * chunk read, with the bytes read so far and the source's size; nonzero
 * stops the hashing (-ECANCELED).
 *
 * Returns 0 with out->hex[alg] set for every alg in algs (a bit mask of
 * 1u << enum mlvm_digest_alg); -ECANCELED; -ENOMEM (or -ENOSYS when
 * libcrypto cannot give a digest); or the negative errno of a read that
 * failed, with out->error_offset the first byte of the first 4 KiB piece
 * that could not be read (a damaged container chunk reads as -EIO). On failure no hex is set.
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_HASH_H
#define MLVM_HASH_H

#include <stdint.h>

#include "base/sha256.h"

struct mlvm_source;

#define MLVM_HASH_CHUNK (4u << 20)
#define MLVM_HASH_NBUF 6

struct mlvm_hashes {
	char hex[MLVM_DIGEST_COUNT][MLVM_DIGEST_HEX_MAX];	/* "" when not asked or failed */
	uint64_t bytes;		/* bytes hashed (the source's size on success) */
	int64_t error_offset;	/* a read failed there; -1 otherwise */
};

#define MLVM_HASH_BIT(alg) (1u << (alg))

int mlvm_source_hash(struct mlvm_source *s, unsigned algs,
		     int (*progress)(void *ud, uint64_t done, uint64_t total), void *ud,
		     struct mlvm_hashes *out);

/* the same with chunks of chunk bytes (> 0): for tests */
int mlvm_source_hash_chunked(struct mlvm_source *s, unsigned algs, size_t chunk,
			     int (*progress)(void *ud, uint64_t done, uint64_t total), void *ud,
			     struct mlvm_hashes *out);

#endif
