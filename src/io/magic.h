/*
 * magic.h - name a buffer's bytes as libmagic does ("Linux rev 1.0 ext4
 * filesystem data", "LUKS encrypted file"...).
 *
 * libmagic is dlopen()ed on first need and its database loaded at most once
 * per process; an all-zero buffer is named "zeros" and an empty one "empty"
 * without asking it (libmagic would say "data").
 *
 * Layer: io (src/io). May include: base.
 */
#ifndef MLVM_MAGIC_H
#define MLVM_MAGIC_H

#include <stddef.h>

/*
 * Describe buf (len bytes) into out (NUL-terminated, truncated to outlen).
 * 0, or -EIO when libmagic cannot be loaded or fails.
 */
int mlvm_magic_describe(const void *buf, size_t len, char *out, size_t outlen);

/* Release libmagic's database (for leak checkers; safe to call anytime). */
void mlvm_magic_cleanup(void);

#endif
