/*
 * vmflags.h - for unit tests: how the kernel holds a page of this process,
 * from /proc/self/smaps (VmFlags: "hg" advised for huge pages, "nh" advised
 * against them).
 */
#ifndef MLVM_TEST_VMFLAGS_H
#define MLVM_TEST_VMFLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* the VmFlags of the mapping holding address a, into flags; false when it
 * cannot be told (no smaps) */
static inline bool vm_flags_at(uintptr_t a, char *flags, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, len, "%s", line + 8);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

/* does the page of address a carry the two-letter VmFlag flag (" hg",
 * " nh": with its space)? -1: cannot be told (no smaps, or a kernel
 * without transparent huge pages, where the advice fails) */
static inline int vm_flag_at(const void *a, const char *flag)
{
	char flags[512];

	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0 ||
	    !vm_flags_at((uintptr_t)a, flags, sizeof(flags)))
		return -1;
	return strstr(flags, flag) != NULL;
}

#endif
