/*
 * vgspec.c - which volume group a user means: NAME, UUID or NAME@UUID
 * (see vgspec.h).
 */
#include "model/vgspec.h"

#include <stdio.h>
#include <string.h>

bool mlvm_vgspec_uuid(const char *s, size_t len, char out[33])
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '-')
			continue;
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) ||
		    n == 32) {
			out[0] = '\0';
			return false;
		}
		out[n++] = ch;
	}
	if (n != 32) {
		out[0] = '\0';
		return false;
	}
	out[n] = '\0';
	return true;
}

static bool same_uuid(const char *want, const char *id)
{
	char have[33];

	return id && mlvm_vgspec_uuid(id, strlen(id), have) && !strcmp(want, have);
}

bool mlvm_vgspec_match(const char *spec, const char *name, const char *id)
{
	const char *at;
	char want[33];

	if (!spec)
		return true;
	at = strchr(spec, '@');
	if (at) {
		size_t l = (size_t)(at - spec);

		return name && strlen(name) == l && !strncmp(spec, name, l) &&
		       mlvm_vgspec_uuid(at + 1, strlen(at + 1), want) && same_uuid(want, id);
	}
	if (name && !strcmp(spec, name))
		return true;
	return mlvm_vgspec_uuid(spec, strlen(spec), want) && same_uuid(want, id);
}

const char *mlvm_vgspec_format(const char *name, const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s@%s", name ? name : "?", id ? id : "?");
	return buf;
}
