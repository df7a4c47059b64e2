#!/usr/bin/env bash
# bench/bench-containers.sh -- export an LV from compressed evidence
# containers: `mlvm export` from an E01 (ewfacquire -c best) against
# `ewfexport -f raw` of the same bytes, and from a compressed qcow2 (zlib,
# and zstd when this qemu-img makes it) against `qemu-img convert -O raw`,
# side by side in one run.
#
# Usage (as root):   MLVM=/path/to/src/mlvm bash bench/bench-containers.sh
#                    make bench-containers
#
# Knobs: MLVM (default ./src/mlvm), SIZE_MIB (the PV, default 2048), REPS
# (default 3, the median is reported; mlvm and the peer run alternately),
# KEEP=1 keeps the scratch dir (images, containers) for profiling;
# PAGE_REPORTING=off stops this VM's free page reporting for the run (see
# bench/page-reporting.sh: writing into memory the VM handed back to its
# host costs host page faults, which made the same export take 0.9 s or
# 2.3 s from one run to the next, whichever tool ran); the figures say how
# much memory went back to the host otherwise.
#
# 1. A PV of SIZE_MIB on a loop device, made by LVM2 (pvcreate, vgcreate,
#    one LV over all its extents, not activated: no device-mapper needed).
# 2. An ext4 filesystem written into the LV's bytes (mkfs.ext4 -d -E offset:
#    nothing is mounted) holding a realistic mix: about 35 % text (log-like
#    lines), 30 % random bytes, 10 % a file of zeros, the rest free (zeros).
# 3. The PV acquired with `ewfacquire -c best` and `qemu-img convert -c -O
#    qcow2` (zlib; and -o compression_type=zstd when supported); the time
#    each took is shown.
# 4. Checks that `mlvm export` of the LV from every container has the raw
#    LV's sha256, then times (median of REPS) `mlvm export --lv VG/LV -o
#    FILE CONTAINER` (it hashes with SHA-256 as it writes; ewfexport hashes
#    with MD5) against `ewfexport -u -q -f raw -o OFF -B SIZE` (the LV's
#    bytes only) and `qemu-img convert -O raw` (the whole PV: compared in
#    throughput, bytes written per second), mlvm with MLVM_IO_THREADS=0
#    (one libewf handle, or mlvm's own qcow2 reader on one thread), and,
#    for information, mlvm export --no-sha256 (like for like with qemu-img,
#    which hashes nothing); and once `openssl speed -evp sha256`, the most
#    a hashing export can write.
# 5. Prints the throughputs, the ratios (target >= 1.5, issue 18, on the
#    hashing export) and mlvm's peak RSS, and the BENCH-RESULT lines
#    bench-all collects.
#
# It is a benchmark, not a test: exit 0 even when a target is missed, 1 when
# something failed to run, 77 when it cannot run here. The loop device is
# detached and the scratch dir removed on exit, whatever happens.
set -euo pipefail

MLVM=${MLVM:-./src/mlvm}
SIZE_MIB=${SIZE_MIB:-2048}
REPS=${REPS:-3}
TARGET=1.5
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
say() { printf 'bench: %s\n' "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "must be run as root (losetup and the LVM2 tools)"
export PATH="$PATH:/usr/sbin:/sbin"
for t in losetup pvcreate vgcreate lvcreate mkfs.ext4 python3; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not found (Debian: apt-get install lvm2 e2fsprogs python3)"
done
have_ewf=1 have_qemu=1
command -v ewfacquire >/dev/null 2>&1 && command -v ewfexport >/dev/null 2>&1 || have_ewf=0
command -v qemu-img >/dev/null 2>&1 || have_qemu=0
[ $have_ewf = 1 ] || [ $have_qemu = 1 ] ||
	skip "neither ewf-tools (ewfacquire, ewfexport) nor qemu-utils (qemu-img) is installed"
[ -x "$MLVM" ] || die "MLVM='$MLVM' is not executable (make src/mlvm)"
MLVM=$(cd "$(dirname "$MLVM")" && pwd)/$(basename "$MLVM")

. "$here/page-reporting.sh"
dir=$(mktemp -d /var/tmp/mlvm-bench-containers.XXXXXX)
loop=
cleanup() {
	page_reporting_restore
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then say "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
page_reporting_off
bench_lvm_env "$dir"

# ------------------------------------------------------------------ the PV
img=$dir/pv.img
vg=mlvmcont_$$
truncate -s "${SIZE_MIB}M" "$img"
loop=$(losetup -f --show "$img")
pvcreate -q --devices "$loop" "$loop" >/dev/null
vgcreate -q --devices "$loop" -s 4m "$vg" "$loop" >/dev/null
lvcreate -q --devices "$loop" --driverloaded n -an -Zn -n data -l 100%FREE "$vg" >/dev/null 2>&1 ||
	die "lvcreate failed"
losetup -d "$loop"
loop=
read -r lv_off lv_size < <("$MLVM" --json map --lv "$vg/data" "$img" | python3 -c '
import json, sys
a = json.load(sys.stdin)["vgs"][0]["lvs"][0]["segments"][0]["areas"][0]
print(a["offset"], a["size"])') || die "mlvm map found no LV"
say "PV ${SIZE_MIB} MiB, LV $vg/data: $lv_size bytes at byte $lv_off"

# ------------------------------------------------------------------ the filesystem
say "making the content: text, random bytes, zeros"
mkdir "$dir/root"
python3 - "$dir/root" "$lv_size" <<'PY'
import os, random, sys
root, size = sys.argv[1], int(sys.argv[2])
r = random.Random(18)
words = ("evidence examiner volume group extent segment metadata sector block "
         "kernel mount user session login error warning info debug request "
         "response server client address port file path chunk ring").split()
def text_file(path, n):
    with open(path, "wb") as f:
        done = 0
        while done < n:
            lines = []
            for i in range(2000):
                lines.append("%d-%02d-%02d %02d:%02d:%02d host%d %s[%d]: %s\n" % (
                    2020 + r.randrange(6), r.randrange(1, 13), r.randrange(1, 29),
                    r.randrange(24), r.randrange(60), r.randrange(60), r.randrange(50),
                    r.choice(words), r.randrange(1, 65536),
                    " ".join(r.choice(words) for _ in range(r.randrange(4, 14)))))
            b = "".join(lines).encode()[:n - done]
            f.write(b)
            done += len(b)
def random_file(path, n):
    with open(path, "wb") as f:
        while n > 0:
            k = min(n, 8 << 20)
            f.write(r.randbytes(k))
            n -= k
piece = 64 << 20
for kind, share in (("text", 0.35), ("random", 0.30)):
    total = int(size * share)
    os.makedirs(os.path.join(root, kind))
    i = 0
    while total > 0:
        n = min(piece, total)
        (text_file if kind == "text" else random_file)(os.path.join(root, kind, "%s%03d" % (kind, i)), n)
        total -= n
        i += 1
with open(os.path.join(root, "zeros.bin"), "wb") as f:
    z = bytes(1 << 20)
    for _ in range(int(size * 0.10) >> 20):
        f.write(z)
PY
mkfs.ext4 -q -F -b 4096 -E "offset=$lv_off,nodiscard" -d "$dir/root" "$img" "$((lv_size / 1024))k" ||
	die "mkfs.ext4 -d failed"
rm -rf "$dir/root"
raw_sha=$(dd if="$img" bs=4M iflag=skip_bytes,count_bytes skip="$lv_off" count="$lv_size" 2>/dev/null |
	sha256sum | cut -d' ' -f1)

# ------------------------------------------------------------------ the containers
now() { python3 -c 'import time; print("%.3f" % time.monotonic())'; }
containers=()	# name|path|peer tool
acq_notes=()
if [ $have_ewf = 1 ]; then
	say "ewfacquire -c best"
	t0=$(now)
	ewfacquire -u -q -c best -C case -D "mlvm bench" -e mlvm -E pv -N none -t "$dir/pv" "$img" \
		>"$dir/ewfacquire.log" 2>&1 || die "ewfacquire failed: $(tail -3 "$dir/ewfacquire.log")"
	acq_notes+=("ewfacquire -c best: $(python3 -c "print('%.1f' % ($(now) - $t0))") s, $(du -cb "$dir"/pv.E* | tail -1 | cut -f1) bytes")
	containers+=("e01|$dir/pv.E01|ewfexport")
fi
if [ $have_qemu = 1 ]; then
	say "qemu-img convert -c -O qcow2 (zlib)"
	t0=$(now)
	qemu-img convert -c -f raw -O qcow2 "$img" "$dir/pv-zlib.qcow2" || die "qemu-img convert -c failed"
	acq_notes+=("qemu-img convert -c (zlib): $(python3 -c "print('%.1f' % ($(now) - $t0))") s, $(stat -c %s "$dir/pv-zlib.qcow2") bytes")
	containers+=("qcow2-zlib|$dir/pv-zlib.qcow2|qemu-img+convert")
	if qemu-img create -f qcow2 -o help 2>/dev/null | grep -q compression_type; then
		say "qemu-img convert -c -O qcow2 -o compression_type=zstd"
		t0=$(now)
		if qemu-img convert -c -f raw -O qcow2 -o compression_type=zstd "$img" "$dir/pv-zstd.qcow2" \
			2>"$dir/zstd.err"; then
			acq_notes+=("qemu-img convert -c (zstd): $(python3 -c "print('%.1f' % ($(now) - $t0))") s, $(stat -c %s "$dir/pv-zstd.qcow2") bytes")
			containers+=("qcow2-zstd|$dir/pv-zstd.qcow2|qemu-img+convert")
		else
			acq_notes+=("qcow2 zstd: not made ($(head -1 "$dir/zstd.err"))")
		fi
	fi
fi

# ------------------------------------------------------------------ correctness first
# a container this mlvm cannot open (libqcow 20201213 knows no zstd) gets
# a row without a verdict that says so, and is not timed
readable=() unreadable=()
for c in "${containers[@]}"; do
	IFS='|' read -r name path peer <<<"$c"
	if ! "$MLVM" read "$path" >/dev/null 2>"$dir/err"; then
		unreadable+=("$name|$(head -1 "$dir/err" | sed 's/.*cannot open [^:]*: //')")
		continue
	fi
	got=$("$MLVM" export --lv "$vg/data" -o - "$path" 2>"$dir/err" | sha256sum | cut -d' ' -f1) || true
	[ "$got" = "$raw_sha" ] || die "mlvm export from $name: sha256 $got, the raw LV's $raw_sha ($(head -3 "$dir/err"))"
	readable+=("$c")
done
say "mlvm export from every container it opens has the raw LV's sha256 $raw_sha"

# ------------------------------------------------------------------ timing
# run_peer NAME PATH: the peer's export of the container, its output removed
run_peer() {
	case $1 in
	e01) ewfexport -u -q -f raw -o "$lv_off" -B "$lv_size" -t "$dir/out-peer" "$2" >/dev/null 2>&1 ;;
	qcow2*) qemu-img convert -f qcow2 -O raw "$2" "$dir/out-peer.raw" ;;
	esac
}
peer_bytes() {
	case $1 in
	e01) echo "$lv_size" ;;
	*) stat -c %s "$img" ;;
	esac
}
# like for like: qemu-img convert -O raw writes a sparse file (it skips
# zero blocks, -S 4k by default), so mlvm export gets --sparse against it
# (the same bytes read back); ewfexport writes every byte, and so does mlvm
# against it. mlvm hashes (SHA-256) what it writes either way; the peers
# do not (ewfexport: MD5)
sparse_for() {	# sparse_for PATH: --sparse for a qcow2 container
	case $1 in *.qcow2) echo --sparse ;; esac
}
run_mlvm() {	# run_mlvm THREADS PATH [OPTION]
	local -a env=()
	[ "$1" = default ] || env=(MLVM_IO_THREADS="$1")
	# shellcheck disable=SC2046
	env "${env[@]}" "$MLVM" export $(sparse_for "$2") ${3:+"$3"} --lv "$vg/data" \
		-o "$dir/out-mlvm.raw" "$2" >/dev/null 2>&1
}
elapsed() {	# elapsed CMD...: "WALL CPU" seconds of CMD (CPU: user+sys of all its processes)
	local TIMEFORMAT='%R %U %S' w u sy
	{ time "$@" 2>/dev/null; } 2>"$dir/time.out" || return 1
	read -r w u sy <"$dir/time.out"
	python3 -c "print('%s %.2f' % ('$w', $u + $sy))"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# what hashing alone costs: OpenSSL's SHA-256 (the library mlvm uses, with
# SHA-NI where the CPU has it) on 4 MiB blocks in memory, in MB/s (0: unknown):
# mlvm export can write no faster than it hashes
sha_mb=0
if command -v openssl >/dev/null 2>&1; then
	sha_mb=$(openssl speed -evp sha256 -bytes 4194304 -seconds 2 2>/dev/null |
		awk '$1 == "sha256" { v = $2; sub(/k$/, "", v); printf "%.1f\n", v / 1000 }')
fi

echo
echo "containers benchmark: PV $SIZE_MIB MiB (LV $lv_size bytes: ext4 with text, random, zeros), $REPS runs each (median), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${acq_notes[@]}"; do echo "  acquired: $n"; done
rep0=$(page_reporting_kib)
for c in "${readable[@]}"; do
	IFS='|' read -r name path peer <<<"$c"
	run_peer "$name" "$path" || die "$peer failed on $name"	# warm-up: page cache
	rm -f "$dir"/out-peer*
	t_peer=() t_mlvm=() t_serial=() t_nosha=() c_peer=() c_mlvm=() c_serial=() c_nosha=()
	for ((i = 0; i < REPS; i++)); do
		read -r w c < <(elapsed run_peer "$name" "$path") || die "$peer failed on $name"
		t_peer+=("$w") c_peer+=("$c")
		rm -f "$dir"/out-peer*
		read -r w c < <(elapsed run_mlvm default "$path") || die "mlvm export failed on $name"
		t_mlvm+=("$w") c_mlvm+=("$c")
		rm -f "$dir/out-mlvm.raw"
		read -r w c < <(elapsed run_mlvm 0 "$path") || die "mlvm export (MLVM_IO_THREADS=0) failed on $name"
		t_serial+=("$w") c_serial+=("$c")
		rm -f "$dir/out-mlvm.raw"
		read -r w c < <(elapsed run_mlvm default "$path" --no-sha256) ||
			die "mlvm export --no-sha256 failed on $name"
		t_nosha+=("$w") c_nosha+=("$c")
		rm -f "$dir/out-mlvm.raw"
	done
	# shellcheck disable=SC2046
	rss=$(bench_rss env "$MLVM" export $(sparse_for "$path") --lv "$vg/data" -o "$dir/out-mlvm.raw" "$path")
	rm -f "$dir/out-mlvm.raw"
	tp=$(median "${t_peer[@]}") tm=$(median "${t_mlvm[@]}") ts=$(median "${t_serial[@]}")
	tn=$(median "${t_nosha[@]}")
	read -r mb_peer mb_mlvm mb_serial ratio ratio_s mb_nosha ratio_n < <(python3 -c "
import math
pb, lb = $(peer_bytes "$name"), $lv_size
p, m, s, n = pb / $tp / 1e6, lb / $tm / 1e6, lb / $ts / 1e6, lb / $tn / 1e6
# m / p rounded down: the verdict and bench-all judge the figure shown
print('%.1f %.1f %.1f %.2f %.2f %.1f %.2f' % (p, m, s, math.floor(m / p * 100 + 1e-9) / 100, m / s, n, n / p))")
	v=$(python3 -c "print('PASS' if $ratio >= $TARGET else 'MISS')")
	printf '  %-11s %-17s %8.1f MB/s  runs %s s, CPU %s s\n' "$name" "${peer//+/ }" "$mb_peer" \
		"${t_peer[*]}" "${c_peer[*]}"
	printf '  %-11s %-17s %8.1f MB/s  runs %s s, CPU %s s   mlvm/peer = %s  target >= %s  %s   peak RSS %s KiB\n' \
		"$name" "mlvm export" "$mb_mlvm" "${t_mlvm[*]}" "${c_mlvm[*]}" "$ratio" "$TARGET" "$v" "$rss"
	printf '  %-11s %-17s %8.1f MB/s  runs %s s, CPU %s s   workers/one handle = %s\n' \
		"$name" "MLVM_IO_THREADS=0" "$mb_serial" "${t_serial[*]}" "${c_serial[*]}" "$ratio_s"
	printf '  %-11s %-17s %8.1f MB/s  runs %s s, CPU %s s   mlvm/peer = %s, neither hashing (information)\n' \
		"$name" "mlvm --no-sha256" "$mb_nosha" "${t_nosha[*]}" "${c_nosha[*]}" "$ratio_n"
	bench_result "export-$name" "${mb_mlvm}MB/s" "${mb_peer}MB/s" "$peer" "$ratio" ">=$TARGET" "$rss"
	bench_result "export-$name-1handle" "${mb_serial}MB/s" "${mb_mlvm}MB/s" "mlvm+(workers)" \
		"$(python3 -c "print('%.2f' % ($mb_serial / $mb_mlvm))")" - -
	bench_result "export-$name-nosha" "${mb_nosha}MB/s" "${mb_peer}MB/s" "$peer" "$ratio_n" - -
done
for u in "${unreadable[@]}"; do
	echo "  ${u%%|*}: mlvm cannot open it: ${u#*|}"
	bench_result "export-${u%%|*}" cannot_open - - - - -
done
echo "  MB/s: 10^6 bytes written per second (mlvm and ewfexport: the LV's bytes; qemu-img: the whole PV);"
[ "$sha_mb" = 0 ] ||
	echo "  SHA-256 alone (openssl speed -evp sha256, 4 MiB blocks): $sha_mb MB/s, the most mlvm export can write while it hashes;"
echo "  CPU: user+sys seconds of each run (steadier than wall time on a busy machine)"
rep=$(( ($(page_reporting_kib) - rep0) / 1024 ))
[ "$rep" -le 0 ] || echo "  (this VM gave $rep MiB of free memory back to its host during the runs: writing into such memory costs host page faults, so times vary; PAGE_REPORTING=off turns that off for a run)"
say "done"
