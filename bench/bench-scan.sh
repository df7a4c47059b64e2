#!/usr/bin/env bash
# bench/bench-scan.sh -- time the whole-image sector scan (`mlvm scan`)
# over a 4 GiB image held in the page cache, against `dd` reading the same
# file, and check that it finds a PV hidden at an odd sector offset.
#
# Usage:   bash bench/bench-scan.sh            (from the top of the tree)
#          MLVM=/path/to/src/mlvm bash bench/bench-scan.sh
#
# Environment knobs (all optional):
#   MLVM      the mlvm binary; `$MLVM scan IMAGE` is timed when it exists and
#             the scan command works                    (default: ./src/mlvm)
#   SIZE_MIB  image size in MiB                         (default: 4096)
#   PV_SECTOR 512-byte sector where the PV image goes   (default: 2468013, odd,
#             about 1.18 GiB in)
#   REPS      timed runs per command, the best is kept  (default: 3)
#   TMPDIR    where the scratch image lives             (default: /var/tmp)
#   CC        compiler for the driver                   (default: cc)
#
# What it does, in one run:
#   1. Fills SIZE_MIB of pseudo-random bytes (AES-128-CTR keystream from
#      openssl over /dev/zero: about 1 GB/s, incompressible, and honest: every
#      sector has random first bytes, so about a quarter of them pass the
#      first-byte text filter and go to the slower check; a sparse or zeroed
#      file would flatter the scan). Without openssl it falls back to
#      /dev/urandom (slower to make, same result).
#   2. Writes fixtures/images/linear/pv0.img.xz (a real 2 MiB PV made by
#      LVM2) at sector PV_SECTOR with dd conv=notrunc.
#   3. Warms the page cache (cat > /dev/null, twice) and checks that the
#      image is resident enough to mean something (needs ~SIZE_MIB free RAM).
#   4. Compiles a small driver (kept in this script, built in the temp dir
#      from src/disk/scan.c and src/io/source.c with -O2) and times it in five modes:
#        source       mlvm_scan_source over mlvm_source_open: exactly the
#                     library path `mlvm scan` uses (pread of 2 MiB pieces,
#                     each searched by the reader thread that read it)
#        pread        pread into a reused, page-aligned 4 MiB buffer,
#                     mlvm_scan_buffer on each (source without the wrapper)
#        pread+fadv   the same after posix_fadvise(SEQUENTIAL)
#        mmap         the whole file mapped, MADV_SEQUENTIAL, one
#                     mlvm_scan_buffer call (memory: the mapping is page
#                     cache, but the whole image is mapped at once)
#        mmap-window  64 MiB windows mapped with MAP_POPULATE, scanned and
#                     unmapped one after the other (bounded mapping)
#      each with and without text-start detection, checks that every mode
#      finds the PV's label and mda header where they are, and times
#      `dd if=IMAGE of=/dev/null bs=4M` for comparison.
#   5. When `$MLVM scan IMAGE` runs (exit 0), times it too and checks that
#      its output names the PV's start (or label) and mda 1's offset. Then
#      the deep-history case: an LVM2 archive file (the fixture's committed
#      metadata in vgcfgbackup layout) is written at an odd byte three
#      quarters in, and `$MLVM scan --deep IMAGE` and `$MLVM history --deep
#      IMAGE` (metadata text searched at every byte) are timed in the same
#      run and checked to find it; a ratio line compares each with
#      `mlvm scan` (target: within 2x). Both are timed again with
#      MLVM_IO_THREADS=0 (no read-ahead thread), and each gets a
#      BENCH-RESULT line (scan-deep, history-deep: dd time / its time,
#      target >= 0.8, issue 18).
#   6. Prints GB/s (10^9 bytes per second, best of REPS), the ratio to dd,
#      and PASS/MISS against the 1 GB/s target.
# It is a benchmark, not a test: it exits 0 when the target is missed, 1
# when something failed to run, 77 (skip) when it cannot run here. The
# scratch directory (and the 4 GiB file) is removed on exit whatever happens.

set -euo pipefail

SKIP=77
TOP=$(cd "$(dirname "$0")/.." && pwd)
MLVM=${MLVM:-$TOP/src/mlvm}
SIZE_MIB=${SIZE_MIB:-4096}
PV_SECTOR=${PV_SECTOR:-2468013}
REPS=${REPS:-3}
CC=${CC:-cc}
TARGET_GBS=1

say()  { printf 'bench-scan: %s\n' "$*" >&2; }
die()  { say "ERROR: $*"; exit 1; }
. "$(dirname "$0")/lib.sh"
skip() { say "SKIP: $*"; exit "$SKIP"; }

for v in SIZE_MIB PV_SECTOR REPS; do
	case ${!v} in ''|*[!0-9]*) die "$v must be a number";; esac
done
[ "$REPS" -ge 1 ] || die "REPS must be at least 1"
for t in xz dd "$CC" awk; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not found"
done
PV_XZ=$TOP/fixtures/images/linear/pv0.img.xz
[ -r "$PV_XZ" ] || skip "$PV_XZ not found"
for f in disk/scan.c disk/scan.h io/source.c io/source.h base/util.h; do
	[ -r "$TOP/src/$f" ] || die "src/$f not found"
done

size_bytes=$((SIZE_MIB * 1024 * 1024))
avail_kib=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
if [ -n "$avail_kib" ] && [ $((avail_kib * 1024)) -lt $((size_bytes + size_bytes / 4)) ]; then
	skip "needs about $((SIZE_MIB * 5 / 4)) MiB of free RAM to keep the image in the page cache (MemAvailable $((avail_kib / 1024)) MiB)"
fi

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/mlvm-bench-scan.XXXXXX")
cleanup() {
	local rc=$?
	set +e
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
IMG=$WORK/big.img

# ------------------------------------------------------------------ driver
cat >"$WORK/driver.c" <<'EOF'
/* scan-driver MODE FILE [text]: prints "kind offset" per hit on stdout */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/scan.h"
#include "io/source.h"

#define PREAD_CHUNK (4u << 20)
#define WINDOW (64u << 20)

static int fail(const char *what, int err)
{
	fprintf(stderr, "scan-driver: %s: %s\n", what, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	struct mlvm_scan_opts o = { 0 };
	struct mlvm_hit *hits = NULL;
	size_t n = 0, cap = 0, i;
	bool trunc = false;
	const char *mode, *path;
	struct stat st;
	uint64_t size;
	int fd, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: scan-driver source|pread|pread+fadv|mmap|mmap-window FILE [text]\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	o.text = argc > 3 && !strcmp(argv[3], "text");

	if (!strcmp(mode, "source")) {
		struct mlvm_source *s;

		rc = mlvm_source_open(path, 0, &s, NULL);
		if (rc < 0)
			return fail(path, -rc);
		rc = mlvm_scan_source(s, &o, &hits, &n, &trunc);
		mlvm_source_close(s);
		if (rc < 0)
			return fail("scan", -rc);
		goto out;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(path, errno);
	size = (uint64_t)st.st_size;

	if (!strcmp(mode, "pread") || !strcmp(mode, "pread+fadv")) {
		uint8_t *buf;
		uint64_t pos;

		if (posix_memalign((void **)&buf, 4096, PREAD_CHUNK))
			return fail("malloc", ENOMEM);
		if (!strcmp(mode, "pread+fadv"))
			posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		for (pos = 0; pos < size && !trunc;) {
			size_t want = size - pos < PREAD_CHUNK ? (size_t)(size - pos) : PREAD_CHUNK;
			ssize_t got = pread(fd, buf, want, (off_t)pos);

			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return fail("pread", got < 0 ? errno : EIO);
			/* a short read mid-sector would split a sector: keep
			 * whole sectors unless at the end */
			if ((size_t)got < want && got >= 512)
				got &= ~(ssize_t)511;
			rc = mlvm_scan_buffer(buf, (size_t)got, pos, &o, &hits, &n, &cap, &trunc);
			if (rc < 0)
				return fail("scan", -rc);
			pos += (uint64_t)got;
		}
		free(buf);
	} else if (!strcmp(mode, "mmap")) {
		uint8_t *map;

		if (size) {
			map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (map == MAP_FAILED)
				return fail("mmap", errno);
			madvise(map, size, MADV_SEQUENTIAL);
			rc = mlvm_scan_buffer(map, size, 0, &o, &hits, &n, &cap, &trunc);
			munmap(map, size);
			if (rc < 0)
				return fail("scan", -rc);
		}
	} else if (!strcmp(mode, "mmap-window")) {
		uint64_t pos;

		for (pos = 0; pos < size && !trunc; pos += WINDOW) {
			size_t len = size - pos < WINDOW ? (size_t)(size - pos) : WINDOW;
			uint8_t *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)pos);

			if (map == MAP_FAILED)
				return fail("mmap", errno);
			rc = mlvm_scan_buffer(map, len, pos, &o, &hits, &n, &cap, &trunc);
			munmap(map, len);
			if (rc < 0)
				return fail("scan", -rc);
		}
	} else {
		fprintf(stderr, "scan-driver: unknown mode %s\n", mode);
		return 2;
	}
	close(fd);
out:
	for (i = 0; i < n; i++)
		printf("%s %llu\n", mlvm_hit_kind_name(hits[i].kind), (unsigned long long)hits[i].offset);
	if (trunc)
		printf("truncated\n");
	free(hits);
	return 0;
}
EOF
say "compiling the driver"
# the driver links the library mlvm was built with (next to the binary)
libmlvm=$(dirname "$MLVM")/libmlvm.a
[ -f "$libmlvm" ] || die "no $libmlvm next to $MLVM (build mlvm first)"
extra_libs=$(pkg-config --libs zlib uuid 2>/dev/null || echo "-lz -luuid")
for l in libewf libqcow libvhdi libdeflate libzstd; do
	extra_libs="$extra_libs $(pkg-config --libs "$l" 2>/dev/null || true)"
done
# shellcheck disable=SC2086
"$CC" -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -I"$TOP/src" \
	"$WORK/driver.c" "$libmlvm" $extra_libs -ldl -pthread -o "$WORK/scan-driver" ||
	die "could not compile the driver"

# ------------------------------------------------------------------ image
pv_off=$((PV_SECTOR * 512))
xz -dc "$PV_XZ" >"$WORK/pv.img" || die "cannot decompress $PV_XZ"
pv_bytes=$(stat -c %s "$WORK/pv.img")
[ $((pv_off + pv_bytes)) -le "$size_bytes" ] || die "PV_SECTOR $PV_SECTOR puts the PV past the image end"

if command -v openssl >/dev/null 2>&1; then
	say "filling $SIZE_MIB MiB with an AES-128-CTR keystream (openssl)"
	openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:mlvm-bench-scan </dev/zero 2>/dev/null |
		head -c "$size_bytes" >"$IMG" || true	# openssl dies of SIGPIPE
else
	say "filling $SIZE_MIB MiB from /dev/urandom (no openssl; slower)"
	head -c "$size_bytes" /dev/urandom >"$IMG"
fi
[ "$(stat -c %s "$IMG")" -eq "$size_bytes" ] || die "image is not $size_bytes bytes"
dd if="$WORK/pv.img" of="$IMG" bs=1M oflag=seek_bytes seek="$pv_off" conv=notrunc status=none ||
	die "cannot place the PV"
# the deep-history case: an archive file at an odd byte, three quarters in
arch_off=$((size_bytes / 4 * 3 + 1234))
if [ -x "$MLVM" ] && "$MLVM" dump "$WORK/pv.img" >"$WORK/ring.txt" 2>/dev/null; then
	{
		printf '# Generated by LVM2 version 2.03.16(2) (2022-05-18): bench\n\n'
		printf 'contents = "Text Format Volume Group"\nversion = 1\n\n'
		printf 'description = "Created *before* executing '"'"'lvcreate bench'"'"'"\n\n'
		printf 'creation_host = "bench"\ncreation_time = 1700000000\n\n'
		sed -n '/^[A-Za-z0-9._+-]* {$/,/^}$/p' "$WORK/ring.txt"
	} >"$WORK/archive.vg"
	dd if="$WORK/archive.vg" of="$IMG" bs=1M oflag=seek_bytes seek="$arch_off" conv=notrunc status=none ||
		die "cannot place the archive file"
fi
rm -f "$WORK/pv.img"

# Where the PV's structures must be found (from the fixture's pvck headers):
# the label in the PV's sector 1, mda 1's header at +4096.
want_label=$((pv_off + 512))
want_mda=$((pv_off + 4096))
say "PV placed at sector $PV_SECTOR (byte $pv_off): expecting label at $want_label, mda at $want_mda"

say "warming the page cache"
cat "$IMG" >/dev/null
cat "$IMG" >/dev/null
if command -v fincore >/dev/null 2>&1; then
	say "resident: $(fincore -n -o RES "$IMG" 2>/dev/null | tr -d ' ') of $(stat -c %s "$IMG") bytes"
fi

# ------------------------------------------------------------------ timing
now_ns() { date +%s%N; }

# best_of NAME CHECK CMD...: run CMD REPS times (stdout to $WORK/out.NAME),
# print the best wall time in seconds; CHECK=1 verifies the hits.
best_of() {
	local name=$1 check=$2 best= i t0 t1 dt
	shift 2
	for ((i = 0; i < REPS; i++)); do
		t0=$(now_ns)
		"$@" >"$WORK/out.$name" 2>"$WORK/err.$name" ||
			die "$name failed: $(tail -3 "$WORK/err.$name")"
		t1=$(now_ns)
		dt=$((t1 - t0))
		if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
	done
	if [ "$check" = 1 ]; then
		grep -Eq "^label +$want_label\$" "$WORK/out.$name" ||
			die "$name did not report the label at $want_label: $(head -5 "$WORK/out.$name")"
		grep -Eq "^mda +$want_mda\$" "$WORK/out.$name" ||
			die "$name did not report the mda header at $want_mda"
	fi
	awk -v ns="$best" 'BEGIN { printf "%.4f\n", ns / 1e9 }'
}

results=()
ratios=()
declare -A deep_s=() deep_rss=()
add_result() { # label seconds
	results+=("$1|$2")
}

say "timing dd ($REPS runs)"
t=$(best_of dd 0 dd if="$IMG" of=/dev/null bs=4M)
dd_s=$t
add_result "dd if=IMAGE of=/dev/null bs=4M" "$t"

for mode in source pread pread+fadv mmap mmap-window; do
	for text in notext text; do
		say "timing driver $mode $text ($REPS runs)"
		t=$(best_of "$mode.$text" 1 "$WORK/scan-driver" "$mode" "$IMG" "$text")
		add_result "driver $mode ($text)" "$t"
	done
done
say "driver hits (source, text): $(tr '\n' ' ' <"$WORK/out.source.text")"

mlvm_note=
if [ -x "$MLVM" ] && "$MLVM" scan "$IMG" >"$WORK/out.mlvm.probe" 2>"$WORK/err.mlvm.probe"; then
	say "timing $MLVM scan ($REPS runs)"
	t=$(best_of mlvm 0 "$MLVM" scan "$IMG")
	mlvm_s=$t
	mlvm_rss=$(bench_rss "$MLVM" scan "$IMG")
	# mlvm scan names the PV by its start (or its label) and mda 1 by its header
	if grep -Eqw "$pv_off|$want_label" "$WORK/out.mlvm" && grep -qw "$want_mda" "$WORK/out.mlvm"; then
		add_result "mlvm scan IMAGE" "$t"
	else
		add_result "mlvm scan IMAGE (MISSED the PV)" "$t"
	fi
	scan_s=$t
	if "$MLVM" scan --deep --help >/dev/null 2>&1 && [ -s "$WORK/archive.vg" ]; then
		for cmd in scan history; do
			say "timing $MLVM $cmd --deep ($REPS runs)"
			t=$(best_of "mlvm-$cmd-deep" 0 "$MLVM" $cmd --deep "$IMG")
			if [ "$cmd" = scan ]; then
				grep -q "^[^ ].* at byte $arch_off: .*archive/backup file" "$WORK/out.mlvm-$cmd-deep" && found=1 || found=0
			else
				"$MLVM" --json history --deep "$IMG" 2>/dev/null | grep -q "\"offset\": $arch_off," && found=1 || found=0
			fi
			if [ "$found" = 1 ]; then
				add_result "mlvm $cmd --deep IMAGE" "$t"
			else
				add_result "mlvm $cmd --deep IMAGE (MISSED the archive)" "$t"
			fi
			ratios+=("$(awk -v a="$t" -v b="$scan_s" -v c="$cmd" 'BEGIN {
				printf "  ratio: mlvm %s --deep / mlvm scan = %.2f (target <= 2: %s)", c, a / b, a / b <= 2 ? "PASS" : "MISS" }')")
			deep_s[$cmd]=$t
			deep_rss[$cmd]=$(bench_rss "$MLVM" $cmd --deep "$IMG")
			# the same without the read-ahead thread (io/readahead.h)
			say "timing MLVM_IO_THREADS=0 $MLVM $cmd --deep ($REPS runs)"
			t=$(best_of "mlvm-$cmd-deep-serial" 0 env MLVM_IO_THREADS=0 "$MLVM" $cmd --deep "$IMG")
			add_result "mlvm $cmd --deep IMAGE (MLVM_IO_THREADS=0)" "$t"
		done
	fi
else
	mlvm_note="mlvm scan: not available ($MLVM: $(head -1 "$WORK/err.mlvm.probe" 2>/dev/null || echo 'not built'))"
fi

# ------------------------------------------------------------------ summary
echo
echo "scan benchmark: $SIZE_MIB MiB image in the page cache (AES-CTR random fill), PV at sector $PV_SECTOR, best of $REPS"
echo "  $(uname -sr), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
for r in "${results[@]}"; do
	label=${r%|*}
	secs=${r##*|}
	awk -v l="$label" -v s="$secs" -v b="$size_bytes" -v dd="$dd_s" -v tg="$TARGET_GBS" '
	BEGIN {
		gbs = b / s / 1e9
		v = (l ~ /^dd /) ? "" : (gbs >= tg ? "PASS" : "MISS")
		printf "  %-34s %8.3f s  %6.2f GB/s  %5.2fx dd  %s\n", l, s, gbs, dd / s, v
	}'
done
[ -z "$mlvm_note" ] || echo "  $mlvm_note"
for r in "${ratios[@]}"; do echo "$r"; done
echo "  target: >= $TARGET_GBS GB/s (10^9 bytes/s); 'x dd' = dd time / scan time"
# the line bench-all collects (bench/lib.sh's format): issue 18's target,
# mlvm scan's throughput >= 0.8 of dd's on the same file (rounded down)
if [ -n "${mlvm_s:-}" ]; then
	bench_result scan "$(awk -v b="$size_bytes" -v s="$mlvm_s" 'BEGIN { printf "%.2fGB/s", b / s / 1e9 }')" \
		"$(awk -v b="$size_bytes" -v s="$dd_s" 'BEGIN { printf "%.2fGB/s", b / s / 1e9 }')" dd+bs=4M \
		"$(bench_ratio_down "$dd_s" "$mlvm_s")" ">=0.8" "$mlvm_rss"
	for cmd in scan history; do
		[ -n "${deep_s[$cmd]:-}" ] || continue
		bench_result "$cmd-deep" "$(awk -v b="$size_bytes" -v s="${deep_s[$cmd]}" 'BEGIN { printf "%.2fGB/s", b / s / 1e9 }')" \
			"$(awk -v b="$size_bytes" -v s="$dd_s" 'BEGIN { printf "%.2fGB/s", b / s / 1e9 }')" dd+bs=4M \
			"$(bench_ratio_down "$dd_s" "${deep_s[$cmd]}")" ">=0.8" "${deep_rss[$cmd]}"
	done
fi
