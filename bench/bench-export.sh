#!/usr/bin/env bash
# bench/bench-export.sh -- time `mlvm export` against `dd bs=4M` copying the
# same extents, on a real LVM2 striped LV.
#
# Usage (as root):   MLVM=/path/to/src/mlvm bash bench/bench-export.sh
#                    make bench-export
#
# Environment knobs (all optional):
#   MLVM      the mlvm binary                       (default: ./src/mlvm)
#   LV_MIB    size of the striped LV, MiB           (default: 2048)
#   SPARSE_MIB size of the mostly empty LV, MiB     (default: 1024)
#   REPS      timed rounds                          (default: 5; medians reported)
#   KEEP      if 1, keep the scratch dir
#   PAGE_REPORTING  if "off", stop this VM's free page reporting for the run
#             (restored on exit): a VM that hands idle free memory back to
#             its host pays host page faults when it writes into that memory
#             again, which makes page-cache writes vary several-fold from
#             run to run; the figures say when it happened
#
# What it does, in one run:
#   1. two sparse files under /var/tmp on loop devices, pvcreate, vgcreate
#      -s 4m, then `lvcreate --driverloaded n -an -Zn -i2 -I64k` of LV_MIB
#      (the striped LV) and SPARSE_MIB (the mostly empty one) -- no
#      device-mapper needed;
#   2. fills the striped LV's extents on both PVs with pseudo-random data
#      (openssl aes-ctr keystream, else /dev/urandom), and puts 8 MiB of data
#      in the mostly empty LV; reads both files once so the page cache holds
#      them;
#   3. REPS rounds, each running in turn: `dd bs=4M` copying the striped
#      LV's extents from the two PV files (the same total bytes, 4 MiB
#      sequential writes to a new file in the same directory; area after
#      area, so not in the LV's order), `mlvm export --no-sha256`, read+hash
#      (reading what that export just wrote, the LV's bytes, from the page
#      cache 4 MiB at a time and hashing it on one core, with python's
#      hashlib, which is OpenSSL's SHA-256 as in mlvm; the loop is timed,
#      not python's start: what checking the output's SHA-256 costs; its
#      digest must be the one mlvm's export says) and `mlvm export` (which
#      also hashes what it writes); before each run
#      `sync` and the removal of its previous output, outside the timing;
#      mlvm's peak RSS comes from wait4();
#   4. the same for `--sparse` on the mostly empty LV, against dd copying its
#      extents in full (dd writes the zeros, mlvm leaves holes);
#   5. prints the figures and PASS/MISS: export --no-sha256 time / dd time
#      <= 1.05, peak RSS < 64 MiB, --sparse --no-sha256 faster than dd and
#      smaller on disk. The SHA-256 runs on its own thread beside the copy,
#      so it takes as long as the slower of the two: where SHA-256 (about
#      1.5 GB/s with SHA-NI) is slower than dd copying page cache, no hashing
#      export keeps up with dd. The hashing export is judged, round by
#      round, against the slower of dd and of reading and hashing the same
#      bytes (read+hash): its time / that <= 1.05, i.e. the copy and the
#      write cost it next to nothing beyond its hash. Its time / dd's is
#      printed beside it, for information (and as export-raw-dd for
#      bench-all), and so is the hashing alone, without the reads (some 15 %
#      less than read+hash here). The same for --sparse with the hash (holes
#      are hashed too).
# It is a benchmark, not a test: exit 0 even when a target is missed, 1 when
# something failed to run, 77 when it cannot run here (not root, no LVM2).
# Every LVM command is confined to the scratch loop devices (--devices),
# nothing is written under /etc/lvm, and the loop devices and the scratch
# directory are removed on exit whatever happens.

set -euo pipefail

SKIP=77
MLVM=${MLVM:-./src/mlvm}
LV_MIB=${LV_MIB:-2048}
SPARSE_MIB=${SPARSE_MIB:-1024}
REPS=${REPS:-5}

say()  { printf 'bench-export: %s\n' "$*" >&2; }
die()  { say "ERROR: $*"; exit 1; }
skip() { say "SKIP: $*"; exit "$SKIP"; }
. "$(dirname "$0")/page-reporting.sh"
. "$(dirname "$0")/striped-vg.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "must be run as root (needs losetup and the LVM2 tools); try: sudo make bench-export"
fi
export PATH="$PATH:/usr/sbin:/sbin"
for t in losetup pvcreate vgcreate lvcreate lvs pvs dd python3 truncate mktemp sha256sum; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not found (Debian: apt-get install lvm2 util-linux python3 coreutils)"
done
[ -x "$MLVM" ] || die "MLVM='$MLVM' is not an executable (build it: make src/mlvm)"
MLVM=$(cd "$(dirname "$MLVM")" && pwd)/$(basename "$MLVM")
for v in LV_MIB SPARSE_MIB REPS; do
	case ${!v} in ''|*[!0-9]*|0) die "$v must be a positive number";; esac
done
[ $((LV_MIB % 8)) -eq 0 ] && [ $((SPARSE_MIB % 8)) -eq 0 ] || die "LV_MIB and SPARSE_MIB must be multiples of 8"

export LVM_SUPPRESS_FD_WARNINGS=1
LVMCONF='backup { backup=0 archive=0 } devices { use_devicesfile=0 }'

WORK=$(mktemp -d /var/tmp/mlvm-bexport.XXXXXX)
LOOPS=()
VG="mlvmbexp_$$_$(date +%s)"
cleanup() {
	local rc=$? l
	set +e
	page_reporting_restore
	for l in "${LOOPS[@]}"; do
		losetup -d "$l" 2>/dev/null || say "WARNING: could not detach $l"
	done
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

# each PV holds half of each LV, plus metadata and slack
striped_vg $(( (LV_MIB + SPARSE_MIB) / 2 + 64 ))
striped_lv big "$LV_MIB"
striped_lv empty "$SPARSE_MIB"
striped_areas 4

say "filling lv big (${LV_MIB} MiB) with data"
MiB=$((1024 * 1024))
while read -r lv pv off len; do
	if [ "$lv" = big ]; then
		fill "$pv" "$pv" $((off / MiB)) $((len / MiB))
	else	# a little data at the start and in the middle of each area
		fill "e$pv" "$pv" $((off / MiB)) 2
		fill "m$pv" "$pv" $(((off + len / 2) / MiB)) 2
	fi
done <"$WORK/areas.txt"
sync
# the page cache must hold the PVs for both tools: read them whole (they fit)
cat "$WORK/pv0.img" "$WORK/pv1.img" >/dev/null

# ------------------------------------------------------------------ timing
cat >"$WORK/runner.py" <<'PY'
# runner.py OUT LOG CMD... : sync, remove OUT, then time CMD at once (stdout
# and stderr to LOG); prints "seconds maxrss_kib". OUT is removed after the
# sync, just before the run, so that the pages it frees are likelier to be
# reused still warm (on a VM that hands idle free memory back to its host,
# pages handed back cost host faults when written again).
# runner.py - LOG --sha256 FILE: times reading FILE from the page cache 4 MiB
# at a time and hashing it (python's hashlib: OpenSSL's SHA-256, the one mlvm
# uses); prints "seconds 0 hash_seconds", the last the hashing alone
import hashlib, os, subprocess, sys, time
out, log, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
os.sync()
if argv[0] == '--sha256':
    h, buf, th = hashlib.sha256(), bytearray(4 << 20), 0.0
    mv = memoryview(buf)
    with open(argv[1], 'rb', buffering=0) as f:
        t0 = time.perf_counter()
        while True:
            n = f.readinto(buf)
            if not n:
                break
            t1 = time.perf_counter()
            h.update(mv[:n])
            th += time.perf_counter() - t1
        t = time.perf_counter() - t0
    with open(log, 'a') as lf:
        print(h.hexdigest(), argv[1], file=lf)
    print("%.4f 0 %.4f" % (t, th))
    sys.exit(0)
try:
    os.unlink(out)
except FileNotFoundError:
    pass
with open(log, 'ab') as lf:
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(lf.fileno(), 1)
            os.dup2(lf.fileno(), 2)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    t = time.perf_counter() - t0
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("%s exited with %d (see %s)" % (argv[0], os.waitstatus_to_exitcode(status), log))
print("%.4f %d" % (t, ru.ru_maxrss))
PY

# dd copying the extents of one LV, area after area (4 MiB writes, one output)
cat >"$WORK/dd-copy.sh" <<'EOF'
#!/bin/sh
# dd-copy.sh AREAS LV OUT WORK
set -e
: >"$3"
while read -r lv pv off len; do
	[ "$lv" = "$2" ] || continue
	dd if="$4/pv$pv.img" of="$3" bs=4M iflag=skip_bytes,count_bytes skip="$off" count="$len" \
		oflag=append conv=notrunc status=none
done <"$1"
EOF

# timed NAME OUT CMD...: one timed run, appended to $WORK/t-NAME
timed() {
	local name=$1 out=$2 r
	shift 2
	r=$(python3 "$WORK/runner.py" "$out" "$WORK/$name.log" "$@") ||
		die "$name failed: $(tail -3 "$WORK/$name.log")"
	echo "$r" >>"$WORK/t-$name"
}

# REPS rounds, each running every contender once, in turn; read+hash reads
# and hashes what export --no-sha256 has just written (the LV's bytes in
# order, in the page cache; dd's are the same bytes, area after area)
time_round() { # LV SPARSE_FLAG
	local lv=$1 sparse=$2 i
	for i in $(seq "$REPS"); do
		timed "$lv-dd" "$WORK/out-dd.img" \
			sh "$WORK/dd-copy.sh" "$WORK/areas.txt" "$lv" "$WORK/out-dd.img" "$WORK"
		timed "$lv-copy" "$WORK/out-copy.img" "$MLVM" export --lv "$VG/$lv" --no-sha256 \
			-o "$WORK/out-copy.img" $sparse "$WORK/pv0.img" "$WORK/pv1.img"
		timed "$lv-sha" - --sha256 "$WORK/out-copy.img"
		timed "$lv-mlvm" "$WORK/out-mlvm.img" "$MLVM" export --lv "$VG/$lv" \
			-o "$WORK/out-mlvm.img" $sparse "$WORK/pv0.img" "$WORK/pv1.img"
	done
}

# one untimed run each, and checks: mlvm's sha256 is the file's, both modes
# write the same bytes, dd writes as many
"$MLVM" export --lv "$VG/big" -o "$WORK/out-mlvm.img" "$WORK/pv0.img" "$WORK/pv1.img" 2>"$WORK/first.err" ||
	die "mlvm export failed: $(cat "$WORK/first.err")"
sha_said=$(sed -n 's/^sha256 \([0-9a-f]*\)  .*/\1/p' "$WORK/first.err")
sha_file=$(sha256sum "$WORK/out-mlvm.img" | cut -d' ' -f1)
[ "$sha_said" = "$sha_file" ] || die "mlvm said sha256 $sha_said, the file has $sha_file"
[ "$(stat -c %s "$WORK/out-mlvm.img")" -eq $((LV_MIB * MiB)) ] || die "mlvm's output has the wrong size"
"$MLVM" export --lv "$VG/big" --no-sha256 -o "$WORK/out-copy.img" "$WORK/pv0.img" "$WORK/pv1.img" 2>"$WORK/first.err" ||
	die "mlvm export --no-sha256 failed: $(cat "$WORK/first.err")"
cmp -s "$WORK/out-mlvm.img" "$WORK/out-copy.img" || die "export and export --no-sha256 wrote different bytes"
sh "$WORK/dd-copy.sh" "$WORK/areas.txt" big "$WORK/out-dd.img" "$WORK"
[ "$(stat -c %s "$WORK/out-dd.img")" -eq $((LV_MIB * MiB)) ] || die "dd's output has the wrong size"
rep0=$(page_reporting_kib)
say "timing export of lv big (${LV_MIB} MiB striped) against dd, $REPS rounds"
time_round big ""
# read+hash hashed the LV's bytes: every round's digest must be mlvm's
grep -qv "^$sha_file " "$WORK/big-sha.log" && die "read+hash's digest is not mlvm's sha256 $sha_file (see $WORK/big-sha.log)"
say "timing export --sparse of lv empty (${SPARSE_MIB} MiB, 8 MiB of data) against dd, $REPS rounds"
time_round empty --sparse
rep1=$(page_reporting_kib)
"$MLVM" export --lv "$VG/empty" --sparse -o "$WORK/out-sparse.img" "$WORK/pv0.img" "$WORK/pv1.img" 2>/dev/null ||
	die "mlvm export --sparse failed"
sh "$WORK/dd-copy.sh" "$WORK/areas.txt" empty "$WORK/out-dd.img" "$WORK"
sparse_kib=$(( $(stat -c %b "$WORK/out-sparse.img") * $(stat -c %B "$WORK/out-sparse.img") / 1024 ))
dd_kib=$(( $(stat -c %b "$WORK/out-dd.img") * $(stat -c %B "$WORK/out-dd.img") / 1024 ))

python3 - "$WORK" "$LV_MIB" "$SPARSE_MIB" "$REPS" "$sparse_kib" "$dd_kib" $(( (rep1 - rep0) / 1024 )) <<'PY'
import math, os, statistics, sys
work, lv_mib, sp_mib, reps, sparse_kib, dd_kib, reported = (sys.argv[1], int(sys.argv[2]),
    int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
def load(name):
    try:
        rows = [l.split() for l in open('%s/t-%s' % (work, name)) if l.strip()]
    except FileNotFoundError:
        return None, 0
    return [float(r[0]) for r in rows], max(int(r[1]) for r in rows), [float(r[2]) for r in rows if len(r) > 2]
runs = {k: load(k) for k in ('big-dd', 'big-sha', 'big-copy', 'big-mlvm',
                              'empty-dd', 'empty-sha', 'empty-copy', 'empty-mlvm')}
med = lambda k: statistics.median(runs[k][0])
# contenders run in turn within each round: the median of the per-round
# ratios is steadier than the ratio of the medians on a machine doing other work
def ratio(a, b):
    return statistics.median(x / y for x, y in zip(runs[a][0], runs[b][0]))
def line(label, k, extra=''):
    t = runs[k][0]
    print('  %-38s %7.3f s  %8.1f MiB/s  runs %s%s' % (label, med(k), (lv_mib if k.startswith('big') else sp_mib) / med(k),
          ','.join('%.3f' % x for x in t), extra))
v = lambda ok: 'PASS' if ok else 'MISS'
rss = max(runs[k][1] for k in ('big-copy', 'big-mlvm', 'empty-copy', 'empty-mlvm')) / 1024.0
print()
print('mlvm export benchmark: %d MiB LV striped over 2 PVs (64 KiB stripes), page cache warm, %s rounds (medians)'
      % (lv_mib, reps))
line('dd bs=4M, same extents', 'big-dd')
line('mlvm export --no-sha256', 'big-copy')
line('mlvm export (SHA-256 of the output)', 'big-mlvm')
line('read+hash: the same bytes read, hashed', 'big-sha', '  (hashlib: OpenSSL, 4 MiB reads of the --no-sha256 output;'
     ' the hashing alone %.3f s)' % statistics.median(runs['big-sha'][2]))
print('  --sparse: %d MiB LV holding 8 MiB of data' % sp_mib)
line('dd bs=4M, same extents', 'empty-dd', ', %d KiB allocated' % dd_kib)
line('mlvm export --sparse --no-sha256', 'empty-copy', ', %d KiB allocated' % sparse_kib)
line('mlvm export --sparse', 'empty-mlvm')
line('read+hash: the same bytes read, hashed', 'empty-sha', '  (the hashing alone %.3f s)' % statistics.median(runs['empty-sha'][2]))
print('  mlvm peak RSS (any run)                %7.1f MiB' % rss)
print()
# what the hashing export is held to in each round: the slower of dd's copy
# and of read+hash (the hash runs beside the copy)
def held_ratio(k, lv):
    return statistics.median(x / max(d, h) for x, d, h in
                             zip(runs[k][0], runs[lv + '-dd'][0], runs[lv + '-sha'][0]))
r_copy, r_hash = ratio('big-copy', 'big-dd'), ratio('big-mlvm', 'big-dd')
f_hash, r_sha = held_ratio('big-mlvm', 'big'), ratio('big-sha', 'big-dd')
print('  speed   export --no-sha256 / dd  = %5.3f  target <= 1.05  %s' % (r_copy, v(r_copy <= 1.05)))
print('  speed   export / max(dd, read+hash) = %5.3f  target <= 1.05  %s  (the slower: %s)'
      % (f_hash, v(f_hash <= 1.05), 'read+hash' if r_sha > 1 else 'dd'))
r_alone = statistics.median(x / h for x, h in zip(runs['big-mlvm'][0], runs['big-sha'][2]))
print('          export / dd              = %5.3f  (information; read+hash / dd = %.3f;'
      ' export / the hashing alone = %.3f)' % (r_hash, r_sha, r_alone))
print('  memory  peak RSS                 = %5.1f MiB  target < 64  %s' % (rss, v(rss < 64)))
s_copy, s_hash = ratio('empty-copy', 'empty-dd'), ratio('empty-mlvm', 'empty-dd')
f_sparse = held_ratio('empty-mlvm', 'empty')
print('  sparse  --sparse --no-sha256 / dd = %5.3f  target < 1     %s  (%d KiB vs %d KiB on disk: %s)'
      % (s_copy, v(s_copy < 1), sparse_kib, dd_kib, v(sparse_kib < dd_kib)))
print('  sparse  --sparse / max(dd, read+hash) = %5.3f  target <= 1.05 %s  (--sparse / dd = %.3f: it hashes every byte, holes too)'
      % (f_sparse, v(f_sparse <= 1.05), s_hash))
# the lines bench-all collects (bench/lib.sh's format): throughput ratio = peer time / export time,
# rounded down (bench-all judges the figure shown: never a pass by rounding)
def result(name, k, r, peer_mibs, peer_tool, target='>=0.95'):
    print('BENCH-RESULT bench=%s mlvm=%.1fMiB/s peer=%.1fMiB/s peer_tool=%s ratio=%.3f target=%s rss_kib=%d'
          % (name, lv_mib / med(k), peer_mibs, peer_tool, math.floor(1000 / r + 1e-9) / 1000, target, runs[k][1]))
dd_mibs, sha_mibs = lv_mib / med('big-dd'), lv_mib / med('big-sha')
result('export-raw', 'big-mlvm', f_hash, min(dd_mibs, sha_mibs), 'max(dd,+reading+and+SHA-256)')
result('export-raw-dd', 'big-mlvm', r_hash, dd_mibs, 'dd', '-')
result('export-raw-nosha', 'big-copy', r_copy, dd_mibs, 'dd')
try:
    load1 = open('/proc/loadavg').read().split()[0]
    print('  (load average %s on %d CPUs after the run: figures from a busy machine are noisy)' % (load1, os.cpu_count()))
except OSError:
    pass
if reported > 0:
    print('  (this VM gave %d MiB of free memory back to its host during the runs: writing into such'
          ' memory costs host page faults, so times vary; PAGE_REPORTING=off turns that off for a run)' % reported)
PY
say "done (loop devices and $WORK are being removed)"
