/*
 * vgspec.h - which volume group a user means.
 *
 * A VG spec, as --vg and the VG part of "VG/LV" take it, is one of
 *   NAME        the VG's name (LVM2 names never hold '@', '/' or ':'),
 *   UUID        the VG's uuid, with or without its dashes (32 characters
 *               once the dashes are taken out), compared exactly,
 *   NAME@UUID   both: the VG of that name and that uuid.
 * Two VGs of one name are told apart by NAME@UUID (or UUID).
 *
 * Layer: model (src/model). May include: base, io, disk, text.
 */
#ifndef MLVM_VGSPEC_H
#define MLVM_VGSPEC_H

#include <stdbool.h>
#include <stddef.h>

/* Does the VG with this name and id (either may be NULL) answer to spec? */
bool mlvm_vgspec_match(const char *spec, const char *name, const char *id);

/*
 * The 32 characters of a uuid without its dashes into out (33 bytes):
 * true when s is such a uuid (32 letters and digits once the dashes are
 * taken out), else false and out is empty.
 */
bool mlvm_vgspec_uuid(const char *s, size_t len, char out[33]);

/* "NAME@UUID" for a VG (UUID as the text has it), into buf; returns buf */
const char *mlvm_vgspec_format(const char *name, const char *id, char *buf, size_t len);

#endif
