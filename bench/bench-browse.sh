#!/usr/bin/env bash
# bench/bench-browse.sh -- time mlvm browse on a volume group of 10,000 LVs:
# the first screen (from the start of the command, images assembled, tree
# built, drawn) and the redraw after each keypress, inside tmux at 80x24.
#
# Usage (as root):   MLVM=/path/to/src/mlvm bash bench/bench-browse.sh
#                    make bench-browse
#                    IMAGE=/var/tmp/mlvm-bench.X/pv.img bash bench/bench-browse.sh
#                        (reuse an image kept by KEEP=1 bench/bench-read.sh or
#                        by KEEP=1 here: no root or LVM2 needed then)
#
# Environment knobs (all optional):
#   MLVM        the mlvm binary                      (default: ./src/mlvm)
#   NLV         number of LVs                        (default: 10000)
#   RUNS        browser starts timed (median)        (default: 5)
#   EXTENT_SIZE, MDA_SIZE as in bench-read.sh
#   KEEP        if 1, keep the scratch dir and its image
#
# The VG is generated exactly as bench/bench-read.sh does (NLV LVs x 2 linear
# segments, loaded with vgcfgrestore on a loop device). The browser writes
# its own timings when MLVM_BROWSE_TIMING names a file (see mlvm(1)):
# "first_draw_ms T" once, then "key_ms T key=K" per key. Targets: first
# screen < 200 ms, every keypress redraw < 20 ms. Also the browser's peak
# RSS (VmHWM, read before it is told to quit: the largest of the runs).
# Prints PASS/MISS; exits 0
# when it ran (targets missed or not), 1 when something failed, 77 when it
# cannot run here (not root without IMAGE, tmux or LVM2 missing).

set -euo pipefail

SKIP=77
NLV=${NLV:-10000}
RUNS=${RUNS:-5}
EXTENT_SIZE=${EXTENT_SIZE:-64k}
MDA_SIZE=${MDA_SIZE:-64m}
MLVM=${MLVM:-./src/mlvm}

say()  { printf 'bench: %s\n' "$*" >&2; }
die()  { say "ERROR: $*"; exit 1; }
skip() { say "SKIP: $*"; exit "$SKIP"; }
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "tmux not found (apt-get install tmux)"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
[ -x "$MLVM" ] || die "MLVM='$MLVM' is not an executable (build it: make src/mlvm)"
MLVM=$(cd "$(dirname "$MLVM")" && pwd)/$(basename "$MLVM")
case $NLV in ''|*[!0-9]*) die "NLV must be a number";; esac

WORK=$(mktemp -d /var/tmp/mlvm-bench-browse.XXXXXX)
LOOP=
SOCK="mlvm-bench-browse-$$"
cleanup() {
	local rc=$?
	set +e
	tmux -L "$SOCK" kill-server 2>/dev/null
	if [ -n "$LOOP" ]; then
		losetup -d "$LOOP" 2>/dev/null || say "WARNING: could not detach $LOOP"
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		say "KEEP=1: leaving $WORK (remove it yourself)"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ -n "${IMAGE:-}" ]; then
	[ -r "$IMAGE" ] || die "IMAGE='$IMAGE' is not readable"
	IMG=$IMAGE
	say "reusing $IMG"
else
	if [ "$(id -u)" -ne 0 ]; then
		skip "must be run as root to build the VG (needs losetup and LVM2), or give IMAGE="
	fi
	export PATH="$PATH:/usr/sbin:/sbin"
	for t in losetup pvcreate vgcreate vgcfgbackup vgcfgrestore truncate; do
		command -v "$t" >/dev/null 2>&1 || skip "'$t' not found (Debian: apt-get install lvm2 util-linux)"
	done
	export LVM_SUPPRESS_FD_WARNINGS=1
	LVMCONF='backup { backup=0 archive=0 } devices { use_devicesfile=0 }'
	IMG=$WORK/pv.img
	VG="mlvmbench_$$_$(date +%s)"
	. "$(dirname "$0")/big-vg.sh"
	make_big_vg
	LOOP_DEV=$LOOP
	losetup -d "$LOOP_DEV" && LOOP=
fi

# ------------------------------------------------------------------ timing
# one browser start per run: wait for the first screen, send keys, quit
KEYS=(j j j j j j j j j j NPage NPage NPage NPage End Home Down Up Enter Enter
      Tab Tab Tab / l v 0 5 0 0 0 Enter n s s s)
TIMES=$WORK/timings
: >"$TIMES"
: >"$WORK/hwm"
for ((run = 1; run <= RUNS; run++)); do
	: >"$WORK/t$run"
	tmux -L "$SOCK" -f /dev/null new-session -d -s "r$run" -x 80 -y 24 \
		"MLVM_BROWSE_TIMING='$WORK/t$run' '$MLVM' browse '$IMG' 2>>'$WORK/mlvm.err'; sleep 1"
	for ((i = 0; i < 200; i++)); do
		grep -q '^first_draw_ms' "$WORK/t$run" 2>/dev/null && break
		sleep 0.05
	done
	grep -q '^first_draw_ms' "$WORK/t$run" || die "no first draw in run $run: $(tail -3 "$WORK/mlvm.err" 2>/dev/null)"
	for k in "${KEYS[@]}"; do
		tmux -L "$SOCK" send-keys -t "r$run" "$k"
		sleep 0.05
	done
	sleep 0.3
	bench_hwm_kib "$(bench_pid_of "$MLVM" "browse $IMG")" >>"$WORK/hwm"
	tmux -L "$SOCK" send-keys -t "r$run" q
	sleep 0.3
	cat "$WORK/t$run" >>"$TIMES"
done

python3 - "$TIMES" "$NLV" "$RUNS" "$IMG" "$WORK/hwm" <<'PY'
import os, statistics, sys
path, nlv, runs, img, hwm_path = sys.argv[1:]
hwm = [int(l) for l in open(hwm_path) if l.strip().isdigit()]
rss = str(max(hwm)) if hwm else "-"
# BENCH_TAG and FIRST_TARGET_MS: bench-all's browse-100k ("-100k", 300 ms)
tag = os.environ.get("BENCH_TAG", "")
first_target = float(os.environ.get("FIRST_TARGET_MS", "200"))
first, keys = [], []
for line in open(path):
    f = line.split()
    if f[0] == "first_draw_ms":
        first.append(float(f[1]))
    elif f[0] == "key_ms":
        keys.append(float(f[1]))
if not first or not keys:
    sys.exit("no timings recorded")
keys.sort()
p95 = keys[min(len(keys) - 1, int(len(keys) * 0.95))]
def verdict(ok): return "PASS" if ok else "MISS"
print()
print("mlvm browse benchmark: %s LVs, 80x24 in tmux, %s starts, %d keypresses" % (nlv, runs, len(keys)))
print("  first screen (command start to drawn): median %7.1f ms   max %7.1f ms   target < %g ms   %s"
      % (statistics.median(first), max(first), first_target, verdict(max(first) < first_target)))
print("  keypress redraw:                        median %7.2f ms   p95 %6.2f ms   max %6.2f ms   target < 20 ms   %s"
      % (statistics.median(keys), p95, max(keys), verdict(max(keys) < 20)))
print("  browser peak RSS (VmHWM):               %s" % ("%.1f MiB" % (int(rss) / 1024.0) if rss != "-" else "not read"))
# the lines bench-all collects (bench/lib.sh's format): no peer, the figure is the ratio
print("BENCH-RESULT bench=browse-first-screen%s mlvm=%.1fms peer=- peer_tool=- ratio=%.1f target=<%g rss_kib=%s"
      % (tag, max(first), max(first), first_target, rss))
print("BENCH-RESULT bench=browse-keypress%s mlvm=%.2fms peer=- peer_tool=- ratio=%.2f target=<20 rss_kib=%s"
      % (tag, max(keys), max(keys), rss))
PY
say "done"
