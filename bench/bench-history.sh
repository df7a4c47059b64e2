#!/usr/bin/env bash
# bench/bench-history.sh -- time `mlvm history` against LVM2's
# `pvck --dump metadata_search` on a PV whose 64 MiB metadata area is full of
# generations, side by side in one run.
#
# Usage (as root):   MLVM=/path/to/src/mlvm bash bench/bench-history.sh
#                    make bench-history
#
# Knobs: MLVM (default ./src/mlvm), MDA_SIZE (pvcreate --metadatasize,
# default 64m), REPS (default 5, the median is reported), KEEP=1 (keep the
# scratch dir with the filled image, for profiling). Target (issue 18):
# pvck/mlvm >= 20. Prints a BENCH-RESULT line for bench-all (bench/lib.sh).
#
# The PV, its label, its metadata area header and the VG are made by LVM2
# (pvcreate, vgcreate, lvcreate on a loop device). The ring is then filled
# with generations of that VG's own metadata text the way LVM2's ring works
# -- each copy at the previous one's end rounded up to 512, seqno + 1, the
# header committed to the last copy with its CRC -- because letting LVM2
# write tens of thousands of commits one by one would take an hour. pvck
# must (and is checked to) find them all. It is a benchmark, not a test:
# exit 0 even when the target is missed, 77 when it cannot run here.
set -euo pipefail

MLVM=${MLVM:-./src/mlvm}
MDA_SIZE=${MDA_SIZE:-64m}
REPS=${REPS:-5}
say() { printf 'bench: %s\n' "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
die() { say "ERROR: $*"; exit 1; }
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "must be run as root (losetup and the LVM2 tools)"
export PATH="$PATH:/usr/sbin:/sbin"
for t in losetup pvcreate vgcreate lvcreate pvck python3; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not found (Debian: apt-get install lvm2 python3)"
done
[ -x "$MLVM" ] || die "MLVM='$MLVM' is not executable (make src/mlvm)"
MLVM=$(cd "$(dirname "$MLVM")" && pwd)/$(basename "$MLVM")

dir=$(mktemp -d /var/tmp/mlvm-bench-history.XXXXXX)
loop=
cleanup() {
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then say "KEEP=1: leaving $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
bench_lvm_env "$dir"
img=$dir/pv.img
truncate -s 256M "$img"
loop=$(losetup -f --show "$img")
vg=mlvmhist_$$
pvcreate -q --devices "$loop" --metadatasize "$MDA_SIZE" "$loop" >/dev/null
vgcreate -q --devices "$loop" -s 1m "$vg" "$loop" >/dev/null
for i in 1 2 3 4 5 6 7 8; do
	lvcreate -q --devices "$loop" --driverloaded n -an -Zn -n "lv$i" -l 2 --addtag "t$i" "$vg" >/dev/null 2>&1
done
losetup -d "$loop"
loop=

say "filling the ring with generations"
python3 - "$img" <<'PY'
import re, struct, sys, zlib
def crc(b): return zlib.crc32(b, 0xf597a6cf ^ 0xffffffff) ^ 0xffffffff
f = open(sys.argv[1], 'r+b')
f.seek(4096); h = bytearray(f.read(512))
assert h[4:20] == b' LVM2 x[5A%r0N*>'
start, size = struct.unpack_from('<QQ', h, 24)
off, tsize, csum, flags = struct.unpack_from('<QQII', h, 40)
f.seek(start + off); text = f.read(tsize - 1).decode()
seq0 = int(re.search(r'seqno = (\d+)', text).group(1))
pos = (off + tsize + 511) // 512 * 512
n = 0
last = None
while True:
    seq = seq0 + n + 1
    t = re.sub(r'seqno = \d+', 'seqno = %d' % seq, text, count=1)
    t = t.replace('description = "', 'description = "generation %d: ' % seq, 1)
    data = t.encode() + b'\0'
    if pos + 512 > size:
        break
    if pos + len(data) > size:
        break          # stop before the ring would wrap over the first copies
    f.seek(start + pos); f.write(data)
    f.write(b'\0' * ((-len(data)) % 512))
    last = (pos, len(data), crc(data))
    pos = (pos + len(data) + 511) // 512 * 512
    n += 1
struct.pack_into('<QQII', h, 40, last[0], last[1], last[2], 0)
struct.pack_into('<QQII', h, 64, 0, 0, 0, 0)
struct.pack_into('<I', h, 0, crc(bytes(h[4:])))
f.seek(4096); f.write(h)
print(n, file=sys.stderr)
PY
loop=$(losetup -f --show "$img")
pvck_out=$dir/pvck.txt
pvck --devicesfile "" --dump metadata_search "$loop" >"$pvck_out" 2>/dev/null || true
found_pvck=$(grep -c '^ *metadata at [0-9]' "$pvck_out" || true)
found_mlvm=$("$MLVM" --json history "$img" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["generations"]))')
say "pvck finds $found_pvck copies, mlvm $found_mlvm"
[ "$found_mlvm" -ge "$found_pvck" ] || die "mlvm lists fewer generations than pvck"

times() {
	python3 - "$REPS" "$@" <<'PY'
import os, statistics, subprocess, sys, time
reps = int(sys.argv[1]); cmd = sys.argv[2:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
ts = []
for _ in range(reps):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append(time.perf_counter() - t)
print('%.4f' % statistics.median(ts))
PY
}
t_pvck=$(times pvck --devicesfile "" --dump metadata_search "$loop")
t_mlvm=$(times "$MLVM" history "$img")
t_mlvm_json=$(times "$MLVM" --json history "$img")
ratio=$(bench_ratio_down "$t_pvck" "$t_mlvm")
ratio_json=$(python3 -c "print('%.2f' % ($t_pvck / $t_mlvm_json))")
verdict=$(python3 -c "print('PASS' if $t_pvck / $t_mlvm >= 20 else 'MISS')")
rss=$(bench_rss "$MLVM" history "$img")
echo
echo "mlvm history benchmark: metadata area $MDA_SIZE, $found_pvck generations, $REPS runs each (median)"
printf '  pvck --dump metadata_search   %8.3f s\n' "$t_pvck"
printf '  mlvm history                  %8.3f s   pvck/mlvm = %s   target >= 20   %s   peak RSS %s KiB\n' "$t_mlvm" "$ratio" "$verdict" "$rss"
printf '  mlvm --json history           %8.3f s   pvck/mlvm = %s\n' "$t_mlvm_json" "$ratio_json"
bench_result history "${t_mlvm}s" "${t_pvck}s" pvck+--dump+metadata_search "$ratio" ">=20" "$rss"
bench_result history-json "${t_mlvm_json}s" "${t_pvck}s" pvck+--dump+metadata_search "$ratio_json" - -
