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
# screen < 200 ms, every keypress redraw < 20 ms. Prints PASS/MISS; exits 0
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
	lvmq() { # run an LVM command restricted to our loop device, stderr to a log
		local cmd=$1; shift
		"$cmd" --devices "$LOOP" --config "$LVMCONF" "$@" 2>>"$WORK/lvm.log"
	}

	# Sizes: LV i uses PE i and PE NLV+i (1 extent each), so 2*NLV extents; add
	# room for the metadata area and some slack.
	to_bytes() { # LVM size suffix (k/m/g, default 512-byte sectors) -> bytes
		python3 -c '
import sys
s = sys.argv[1].lower(); m = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
print(int(s[:-1]) * m[s[-1]] if s[-1] in m else int(s) * 512)' "$1" ||
			die "bad size '$1'"
	}
	es_bytes=$(to_bytes "$EXTENT_SIZE")
	mda_bytes=$(to_bytes "$MDA_SIZE")
	img_bytes=$(( (2 * NLV + 64) * es_bytes + mda_bytes + 16 * 1024 * 1024 ))

	say "scratch dir $WORK, image $((img_bytes >> 20)) MiB (sparse), VG $VG"
	truncate -s "$img_bytes" "$IMG"
	LOOP=$(losetup --find --show "$IMG")
	say "attached $IMG as $LOOP"

	lvmq() { # run an LVM command restricted to our loop device, stderr to a log
		local cmd=$1; shift
		"$cmd" --devices "$LOOP" --config "$LVMCONF" "$@" 2>>"$WORK/lvm.log"
	}

	lvmq pvcreate -q --metadatasize "$MDA_SIZE" "$LOOP" >/dev/null ||
		die "pvcreate failed: $(tail -5 "$WORK/lvm.log")"
	lvmq vgcreate -q -s "$EXTENT_SIZE" "$VG" "$LOOP" >/dev/null ||
		die "vgcreate failed: $(tail -5 "$WORK/lvm.log")"
	lvmq vgcfgbackup -q -f "$WORK/empty.vg" "$VG" >/dev/null ||
		die "vgcfgbackup failed: $(tail -5 "$WORK/lvm.log")"

	# ------------------------------------------------------------------ metadata
	say "generating metadata for $NLV LVs x 2 segments"
	python3 - "$WORK/empty.vg" "$WORK/big.vg" "$NLV" <<'PY'
import random, re, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(src).read()
pe_count = int(re.search(r'^\s*pe_count = (\d+)', text, re.M).group(1))
if pe_count < 2 * n:
    sys.exit("PV has %d extents, need %d" % (pe_count, 2 * n))
rng = random.Random(20240601)
alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
def lvid():
    s = "".join(rng.choice(alnum) for _ in range(32))
    parts, i = [], 0
    for w in (6, 4, 4, 4, 4, 4, 6):
        parts.append(s[i:i + w]); i += w
    return "-".join(parts)
out = ["\tlogical_volumes {\n"]
for i in range(n):
    # Extent i, then extent n+i: never adjacent, so 2 real segments per LV;
    # all 2n extents distinct, so nothing overlaps.
    out.append('''
\t\tlv%05d {
\t\t\tid = "%s"
\t\t\tstatus = ["READ", "WRITE", "VISIBLE"]
\t\t\tflags = []
\t\t\tcreation_time = 1700000000
\t\t\tcreation_host = "mlvm-bench"
\t\t\tsegment_count = 2

\t\t\tsegment1 {
\t\t\t\tstart_extent = 0
\t\t\t\textent_count = 1

\t\t\t\ttype = "striped"
\t\t\t\tstripe_count = 1

\t\t\t\tstripes = [
\t\t\t\t\t"pv0", %d
\t\t\t\t]
\t\t\t}
\t\t\tsegment2 {
\t\t\t\tstart_extent = 1
\t\t\t\textent_count = 1

\t\t\t\ttype = "striped"
\t\t\t\tstripe_count = 1

\t\t\t\tstripes = [
\t\t\t\t\t"pv0", %d
\t\t\t\t]
\t\t\t}
\t\t}
''' % (i, lvid(), i, n + i))
out.append("\t}\n")
# Insert the section just before the closing brace of the VG block (the last
# line that is exactly "}").
lines = text.splitlines(keepends=True)
last = max(k for k, l in enumerate(lines) if l.rstrip("\n") == "}")
lines[last:last] = out
if "\tlogical_volumes {" in text:
    sys.exit("template already has logical_volumes")
open(dst, "w").write("".join(lines))
PY
	say "metadata file $(( $(stat -c %s "$WORK/big.vg") >> 10 )) KiB; loading it with vgcfgrestore"
	lvmq vgcfgrestore -q -f "$WORK/big.vg" "$VG" >/dev/null ||
		die "vgcfgrestore failed: $(tail -5 "$WORK/lvm.log")"
	sync
	LOOP_DEV=$LOOP
	losetup -d "$LOOP_DEV" && LOOP=
fi

# ------------------------------------------------------------------ timing
# one browser start per run: wait for the first screen, send keys, quit
KEYS=(j j j j j j j j j j NPage NPage NPage NPage End Home Down Up Enter Enter
      Tab Tab Tab / l v 0 5 0 0 0 Enter n s s s)
TIMES=$WORK/timings
: >"$TIMES"
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
	tmux -L "$SOCK" send-keys -t "r$run" q
	sleep 0.3
	cat "$WORK/t$run" >>"$TIMES"
done

python3 - "$TIMES" "$NLV" "$RUNS" "$IMG" <<'PY'
import statistics, sys
path, nlv, runs, img = sys.argv[1:]
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
print("  first screen (command start to drawn): median %7.1f ms   max %7.1f ms   target < 200 ms   %s"
      % (statistics.median(first), max(first), verdict(max(first) < 200)))
print("  keypress redraw:                        median %7.2f ms   p95 %6.2f ms   max %6.2f ms   target < 20 ms   %s"
      % (statistics.median(keys), p95, max(keys), verdict(max(keys) < 20)))
PY
say "done"
