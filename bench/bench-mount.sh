#!/usr/bin/env bash
# bench/bench-mount.sh -- a large sequential read through `mlvm mount`
# against `mlvm export` of the same LV, on a real LVM2 striped LV.
#
# Usage (as root):   MLVM=/path/to/src/mlvm bash bench/bench-mount.sh
#                    make bench-mount
#
# Environment knobs (all optional):
#   MLVM      the mlvm binary                       (default: ./src/mlvm)
#   LV_MIB    size of the striped LV, MiB           (default: 2048)
#   REPS      timed repetitions per tool            (default: 5; medians reported)
#   KEEP      if 1, keep the scratch dir
#   PAGE_REPORTING  if "off", stop this VM's free page reporting for the
#             run (see bench/page-reporting.sh); the figures say how much
#             memory went back to the host otherwise
#
# What it does:
#   1. two sparse files under /var/tmp on loop devices, pvcreate, vgcreate
#      -s 4m, `lvcreate --driverloaded n -an -Zn -i2 -I64k` of LV_MIB (no
#      device-mapper needed); the loop devices are detached again: mlvm reads
#      the files;
#   2. fills the LV's extents with pseudo-random data (openssl aes-ctr
#      keystream, else /dev/urandom) and reads the PV files once so the page
#      cache holds them;
#   3. checks that the mounted file's SHA-256 is export's;
#   4. times, REPS times each and alternating: `mlvm export --lv VG/big -o -`
#      into /dev/null (export as it runs by default: its time is SHA-256's),
#      `mlvm export --no-sha256 -o - | dd of=/dev/null bs=1M` (the bytes
#      delivered to a reader, with no hash: the strict comparison), and
#      `dd if=MNT/VG/big of=/dev/null bs=1M` on a fresh
#      mount (mounted before, unmounted after each run, outside the timing,
#      so the mount's page cache is cold: every byte goes through FUSE); the
#      same read with the mount run single-threaded (--single-threaded);
#   5. prints the throughputs, the ratios mount/export (target >= 0.8)
#      against both, PASS/MISS, and the mount daemon's peak RSS (VmHWM,
#      read before each multi-threaded mount is unmounted: the largest).
# It is a benchmark, not a test: exit 0 even when the target is missed, 1
# when something failed to run, 77 when it cannot run here (not root, no
# LVM2, no FUSE). The mount, the loop devices and the scratch directory are
# removed on exit whatever happens.

set -euo pipefail

SKIP=77
MLVM=${MLVM:-./src/mlvm}
. "$(dirname "$0")/lib.sh"
LV_MIB=${LV_MIB:-2048}
REPS=${REPS:-5}

say()  { printf 'bench-mount: %s\n' "$*" >&2; }
die()  { say "ERROR: $*"; exit 1; }
skip() { say "SKIP: $*"; exit "$SKIP"; }
. "$(dirname "$0")/page-reporting.sh"
. "$(dirname "$0")/striped-vg.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "must be run as root (needs losetup, the LVM2 tools and FUSE); try: sudo make bench-mount"
fi
export PATH="$PATH:/usr/sbin:/sbin"
for t in losetup pvcreate vgcreate lvcreate lvs pvs dd python3 truncate mktemp sha256sum fusermount3 mountpoint; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not found (Debian: apt-get install lvm2 util-linux python3 coreutils fuse3)"
done
[ -e /dev/fuse ] || skip "no /dev/fuse here"
[ -x "$MLVM" ] || die "MLVM='$MLVM' is not an executable (build it: make src/mlvm)"
MLVM=$(cd "$(dirname "$MLVM")" && pwd)/$(basename "$MLVM")
for v in LV_MIB REPS; do
	case ${!v} in ''|*[!0-9]*|0) die "$v must be a positive number";; esac
done
[ $((LV_MIB % 8)) -eq 0 ] || die "LV_MIB must be a multiple of 8"

export LVM_SUPPRESS_FD_WARNINGS=1
LVMCONF='backup { backup=0 archive=0 } devices { use_devicesfile=0 }'

WORK=$(mktemp -d /var/tmp/mlvm-bmount.XXXXXX)
MNT=$WORK/mnt
mkdir "$MNT"
LOOPS=()
VG="mlvmbmnt_$$_$(date +%s)"
umount_mnt() {
	# /proc/mounts, not mountpoint(1): a mount whose daemon died still counts
	if grep -q " $MNT fuse" /proc/mounts; then
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || say "WARNING: could not unmount $MNT"
	fi
}
detach() {
	local l
	for l in "${LOOPS[@]}"; do
		losetup -d "$l" 2>/dev/null || say "WARNING: could not detach $l"
	done
	LOOPS=()
}
cleanup() {
	local rc=$?
	set +e
	page_reporting_restore
	umount_mnt
	detach
	if [ "${KEEP:-0}" = 1 ]; then
		say "KEEP=1: leaving $WORK (remove it yourself)"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
page_reporting_off

striped_vg $(( LV_MIB / 2 + 64 ))
striped_lv big "$LV_MIB"
striped_areas 2
detach

say "filling lv big (${LV_MIB} MiB) with data"
MiB=$((1024 * 1024))
while read -r lv pv off len; do
	fill "$pv" "$pv" $((off / MiB)) $((len / MiB))
done <"$WORK/areas.txt"
sync
cat "$WORK/pv0.img" "$WORK/pv1.img" >/dev/null
IMGS=("$WORK/pv0.img" "$WORK/pv1.img")

do_mount() { # extra mlvm mount options
	"$MLVM" mount "$@" "${IMGS[@]}" "$MNT" 2>>"$WORK/mount.log" || die "mlvm mount failed: $(tail -3 "$WORK/mount.log")"
	[ -f "$MNT/$VG/big" ] || die "$MNT/$VG/big is not there"
}

# the bytes through the mount are export's
sha_exp=$("$MLVM" export --lv "$VG/big" -o - "${IMGS[@]}" 2>/dev/null | sha256sum | cut -d' ' -f1)
do_mount
sha_mnt=$(sha256sum "$MNT/$VG/big" | cut -d' ' -f1)
umount_mnt
[ "$sha_exp" = "$sha_mnt" ] || die "the mounted file's sha256 $sha_mnt differs from export's $sha_exp"
say "sha256 of the mounted file = export's ($sha_exp)"

timeit() { # seconds for CMD...
	python3 - "$@" <<'PY'
import subprocess, sys, time
t0 = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.4f" % (time.perf_counter() - t0))
PY
}

say "timing export vs dd through the mount (multi-threaded, then --single-threaded), ${LV_MIB} MiB, $REPS runs each"
rep0=$(page_reporting_kib)
: >"$WORK/t-export"; : >"$WORK/t-copy"; : >"$WORK/t-mount"; : >"$WORK/t-mount-s"; : >"$WORK/hwm"
for i in $(seq "$REPS"); do
	timeit sh -c "exec '$MLVM' export --lv '$VG/big' -o - '${IMGS[0]}' '${IMGS[1]}' >/dev/null" >>"$WORK/t-export" ||
		die "mlvm export failed"
	timeit bash -c "set -o pipefail; '$MLVM' export --no-sha256 --lv '$VG/big' -o - '${IMGS[0]}' '${IMGS[1]}' | dd of=/dev/null bs=1M status=none" >>"$WORK/t-copy" ||
		die "mlvm export --no-sha256 failed"
	do_mount
	timeit dd if="$MNT/$VG/big" of=/dev/null bs=1M >>"$WORK/t-mount" || die "dd through the mount failed"
	bench_hwm_kib "$(bench_pid_of "$MLVM" "$MNT")" >>"$WORK/hwm"
	umount_mnt
	do_mount --single-threaded
	timeit dd if="$MNT/$VG/big" of=/dev/null bs=1M >>"$WORK/t-mount-s" || die "dd through the mount failed"
	umount_mnt
done

rep1=$(page_reporting_kib)

python3 - "$WORK" "$LV_MIB" "$REPS" $(( (rep1 - rep0) / 1024 )) <<'PY'
import math, os, statistics, sys
work, mib, reps, reported = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
# the daemon's peak RSS after each multi-threaded read: the largest ("-": unread)
hwm = [int(l) for l in open('%s/hwm' % work) if l.strip().isdigit()]
rss = str(max(hwm)) if hwm else '-'
load = lambda n: [float(l) for l in open('%s/t-%s' % (work, n)) if l.strip()]
e, c, m, s = load('export'), load('copy'), load('mount'), load('mount-s')
me, mc, mm, ms = (statistics.median(x) for x in (e, c, m, s))
# export and the mount alternate: the median of each pair's ratio is steadier
ratio = statistics.median(a / b for a, b in zip(e, m))
ratio_s = statistics.median(a / b for a, b in zip(e, s))
ratio_c = statistics.median(a / b for a, b in zip(c, m))
ratio_cs = statistics.median(a / b for a, b in zip(c, s))
runs = lambda x: ','.join('%.3f' % v for v in x)
print()
print('mlvm mount benchmark: %d MiB LV striped over 2 PVs (64 KiB stripes), images in the page cache, %s runs each (median)' % (mib, reps))
print('  mlvm export -o - >/dev/null             %7.3f s  %7.1f MiB/s   runs %s' % (me, mib / me, runs(e)))
print('  mlvm export --no-sha256 -o - | dd       %7.3f s  %7.1f MiB/s   runs %s' % (mc, mib / mc, runs(c)))
print('  dd bs=1M through the mount              %7.3f s  %7.1f MiB/s   runs %s' % (mm, mib / mm, runs(m)))
print('  dd bs=1M, mount --single-threaded       %7.3f s  %7.1f MiB/s   runs %s' % (ms, mib / ms, runs(s)))
print('  mount daemon peak RSS (VmHWM)           %s' % ('%.1f MiB' % (int(rss) / 1024.0) if rss != '-' else 'not read'))
print()
print('  speed  mount/export throughput             = %5.3f   target >= 0.8   %s  (--single-threaded: %5.3f)'
      % (ratio, 'PASS' if ratio >= 0.8 else 'MISS', ratio_s))
print('  speed  mount/export --no-sha256 throughput = %5.3f   target >= 0.8   %s  (--single-threaded: %5.3f)'
      % (ratio_c, 'PASS' if ratio_c >= 0.8 else 'MISS', ratio_cs))
# the lines bench-all collects (bench/lib.sh's format), the ratio rounded
# down (bench-all judges the figure shown: never a pass by rounding)
print('BENCH-RESULT bench=mount mlvm=%.1fMiB/s peer=%.1fMiB/s peer_tool=mlvm+export ratio=%.3f target=>=0.8 rss_kib=%s'
      % (mib / mm, mib / me, math.floor(ratio * 1000 + 1e-9) / 1000, rss))
try:
    print('  (load average %s on %d CPUs during the run)' % (open('/proc/loadavg').read().split()[0], os.cpu_count()))
except OSError:
    pass
if reported > 0:
    print('  (this VM gave %d MiB of free memory back to its host during the runs: writing into such'
          ' memory costs host page faults, so times vary; PAGE_REPORTING=off turns that off for a run)' % reported)
PY
say "done (the mount and $WORK are being removed)"
