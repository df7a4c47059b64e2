/*
 * detect.c - image formats by content and the container dispatch (see
 * detect.h).
 */
#include "io/detect.h"
#include "base/units.h"

#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/layout.h"
#include "io/magic.h"
#include "io/source.h"
#include "io/source_error.h"
#include "io/source_libyal.h"
#include "io/source_qcow2.h"
#include "base/util.h"

/* ------------------------------------------------------------ signatures */

static bool at(const uint8_t *buf, size_t len, size_t off, const void *sig, size_t n)
{
	return buf && off <= len && n <= len - off && memcmp(buf + off, sig, n) == 0;
}

enum mlvm_format mlvm_detect_buffers(const uint8_t *head, size_t head_len,
				     const uint8_t *tail, size_t tail_len)
{
	static const uint8_t vdi_sig[4] = { 0x7f, 0x10, 0xda, 0xbe };

	if (at(head, head_len, MLVM_EWF_SIG_OFF, "EVF\x09\x0d\x0a\xff\x00", 8))
		return MLVM_FORMAT_EWF;
	if (at(head, head_len, MLVM_EWF_SIG_OFF, "EVF2\x0d\x0a\x81\x00", 8))
		return MLVM_FORMAT_EWF2;
	if (at(head, head_len, MLVM_EWF_SIG_OFF, "LVF\x09\x0d\x0a\xff\x00", 8) ||
	    at(head, head_len, MLVM_EWF_SIG_OFF, "LEF2\x0d\x0a\x81\x00", 8))
		return MLVM_FORMAT_L01;
	if (at(head, head_len, MLVM_QCOW_SIG_OFF, "QFI\xfb", 4))
		return MLVM_FORMAT_QCOW;
	if (at(head, head_len, MLVM_VHDX_SIG_OFF, "vhdxfile", 8))
		return MLVM_FORMAT_VHDX;
	/* every VHD ends with its footer; dynamic and differencing ones
	 * also start with a copy of it */
	if (tail_len >= MLVM_VHD_FOOTER_SIZE &&
	    at(tail, tail_len, tail_len - MLVM_VHD_FOOTER_SIZE + MLVM_VHD_SIG_OFF, "conectix", 8))
		return MLVM_FORMAT_VHD;
	if (at(head, head_len, MLVM_VHD_SIG_OFF, "conectix", 8))
		return MLVM_FORMAT_VHD;
	if (at(head, head_len, MLVM_VMDK_SIG_OFF, "KDMV", 4) ||
	    at(head, head_len, MLVM_VMDK_SIG_OFF, "COWD", 4) ||
	    at(head, head_len, MLVM_VMDK_SIG_OFF, "# Disk DescriptorFile", 21))
		return MLVM_FORMAT_VMDK;
	if (at(head, head_len, MLVM_VDI_SIG_OFF, vdi_sig, 4) &&
	    at(head, head_len, MLVM_VDI_TEXT_OFF, "<<< ", 4))
		return MLVM_FORMAT_VDI;
	if (at(head, head_len, MLVM_QED_SIG_OFF, "QED\0", 4))
		return MLVM_FORMAT_QED;
	if (at(head, head_len, MLVM_PARALLELS_SIG_OFF, "WithoutFreeSpace", 16) ||
	    at(head, head_len, MLVM_PARALLELS_SIG_OFF, "WithouFreSpacExt", 16))
		return MLVM_FORMAT_PARALLELS;
	return MLVM_FORMAT_RAW;
}

enum mlvm_format mlvm_detect_magic_desc(const char *d)
{
	if (!d)
		return MLVM_FORMAT_RAW;
	if (strstr(d, "EWF/Expert Witness") || strstr(d, "EnCase image"))
		return MLVM_FORMAT_EWF;
	if (strstr(d, "QEMU QCOW"))
		return MLVM_FORMAT_QCOW;
	if (strstr(d, "QEMU QED"))
		return MLVM_FORMAT_QED;
	if (strstr(d, "Microsoft Disk Image eXtended"))
		return MLVM_FORMAT_VHDX;
	if (strstr(d, "Microsoft Disk Image"))
		return MLVM_FORMAT_VHD;
	if (strstr(d, "VMware") && strstr(d, "disk image"))
		return MLVM_FORMAT_VMDK;
	if (strstr(d, "VirtualBox Disk Image"))
		return MLVM_FORMAT_VDI;
	return MLVM_FORMAT_RAW;
}

int mlvm_detect_looks_raw(const uint8_t *head, size_t head_len)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (at(head, head_len, i * MLVM_SECTOR_SIZE, "LABELONE", 8))
			return 1;
	if (head_len >= MLVM_MBR_MAGIC_OFF + 2 && head[MLVM_MBR_MAGIC_OFF] == MLVM_MBR_MAGIC_0 &&
	    head[MLVM_MBR_MAGIC_OFF + 1] == MLVM_MBR_MAGIC_1)
		return 1;
	for (i = 0; i < head_len; i++)
		if (head[i])
			return 0;
	return 1;
}

int mlvm_detect_fd(int fd, uint64_t size, enum mlvm_format *out)
{
	uint8_t head[MLVM_DETECT_HEAD] = { 0 }, tail[MLVM_DETECT_TAIL] = { 0 };
	size_t head_len = size < sizeof(head) ? (size_t)size : sizeof(head);
	size_t tail_len = size < sizeof(tail) ? 0 : sizeof(tail);
	char desc[256];
	int rc;

	*out = MLVM_FORMAT_RAW;
	rc = mlvm_pread_all(fd, head, head_len, 0);
	if (!rc && tail_len)
		rc = mlvm_pread_all(fd, tail, tail_len, size - tail_len);
	if (rc)
		return rc;
	*out = mlvm_detect_buffers(head, head_len, tail, tail_len);
	/* libmagic's second opinion, only for what does not look like a disk */
	if (*out == MLVM_FORMAT_RAW && head_len && !mlvm_detect_looks_raw(head, head_len) &&
	    mlvm_magic_describe(head, head_len, desc, sizeof(desc)) == 0)
		*out = mlvm_detect_magic_desc(desc);
	return 0;
}

/* ------------------------------------------------------------ names */

const char *mlvm_format_name(enum mlvm_format f)
{
	switch (f) {
	case MLVM_FORMAT_RAW: return "raw";
	case MLVM_FORMAT_EWF: return "EWF (E01)";
	case MLVM_FORMAT_EWF2: return "EWF2 (Ex01)";
	case MLVM_FORMAT_QCOW: return "qcow";
	case MLVM_FORMAT_VHD: return "VHD";
	case MLVM_FORMAT_VHDX: return "VHDX";
	case MLVM_FORMAT_L01: return "EWF logical evidence (L01)";
	case MLVM_FORMAT_VMDK: return "VMware VMDK";
	case MLVM_FORMAT_VDI: return "VirtualBox VDI";
	case MLVM_FORMAT_QED: return "QEMU QED";
	case MLVM_FORMAT_PARALLELS: return "Parallels";
	}
	return "unknown";
}

static const char *article(enum mlvm_format f)
{
	return f == MLVM_FORMAT_EWF || f == MLVM_FORMAT_EWF2 || f == MLVM_FORMAT_L01 ? "an" : "a";
}

/* ------------------------------------------------------------ dispatch */

#if !defined(HAVE_LIBEWF) || !defined(HAVE_LIBVHDI)
static int built_without(struct mlvm_report *r, const char *path, enum mlvm_format f,
			 const char *lib, const char *pkg)
{
	return mlvm_source_fail(r, path, -EMEDIUMTYPE,
		"it is %s %s image, but this mlvm was built without %s: install %s and rebuild",
		article(f), mlvm_format_name(f), lib, pkg);
}
#endif

void mlvm_container_files_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

int mlvm_container_files(const char *path, enum mlvm_format f, char ***paths, size_t *n)
{
	*paths = NULL;
	*n = 0;
#ifdef HAVE_LIBEWF
	if (f == MLVM_FORMAT_EWF || f == MLVM_FORMAT_EWF2) {
		int rc = mlvm_ewf_segment_files(path, paths, n);

		if (rc || *n)
			return rc;
	}
#else
	(void)f;
#endif
	*paths = calloc(1, sizeof(**paths));
	if (!*paths || !((*paths)[0] = strdup(path))) {
		free(*paths);
		*paths = NULL;
		return -ENOMEM;
	}
	*n = 1;
	return 0;
}

int mlvm_container_open(const char *path, enum mlvm_format f, int flags,
			struct mlvm_source **out, struct mlvm_report *r)
{
	*out = NULL;
	if (flags & MLVM_SOURCE_WRITE)
		return mlvm_source_fail(r, path, -EROFS,
			"it is %s %s image: mlvm writes only to raw images",
			article(f), mlvm_format_name(f));
	switch (f) {
	case MLVM_FORMAT_RAW:
		return mlvm_source_fail(r, path, -EINVAL, "%s", strerror(EINVAL));
	case MLVM_FORMAT_EWF:
	case MLVM_FORMAT_EWF2:
#ifdef HAVE_LIBEWF
		return mlvm_source_open_ewf(path, out, r);
#else
		return built_without(r, path, f, "libewf", "libewf-dev");
#endif
	case MLVM_FORMAT_QCOW: {
		/* qcow2 by mlvm itself; what it leaves (qcow version 1) to libqcow */
		int rc = mlvm_source_open_qcow2(path, out, r);

		if (rc != MLVM_QCOW2_NOT_MINE)
			return rc;
#ifdef HAVE_LIBQCOW
		return mlvm_source_open_qcow(path, out, r);
#else
		return mlvm_source_fail(r, path, -EMEDIUMTYPE,
			"it is a qcow image of version 1, which mlvm reads through libqcow, "
			"but this mlvm was built without libqcow: install libqcow-dev and rebuild");
#endif
	}
	case MLVM_FORMAT_VHD:
	case MLVM_FORMAT_VHDX:
#ifdef HAVE_LIBVHDI
		return mlvm_source_open_vhdi(path, mlvm_format_name(f), out, r);
#else
		return built_without(r, path, f, "libvhdi", "libvhdi-dev");
#endif
	case MLVM_FORMAT_L01:
		return mlvm_source_fail(r, path, -EMEDIUMTYPE,
			"it is %s %s image, which holds files, not a disk: mlvm cannot read it",
			article(f), mlvm_format_name(f));
	case MLVM_FORMAT_VMDK:
	case MLVM_FORMAT_VDI:
	case MLVM_FORMAT_QED:
	case MLVM_FORMAT_PARALLELS:
		break;
	}
	return mlvm_source_fail(r, path, -EMEDIUMTYPE,
		"it is %s %s image, which mlvm cannot read: convert it to raw first "
		"(qemu-img convert -O raw %s OUT.raw)", article(f), mlvm_format_name(f), path);
}
