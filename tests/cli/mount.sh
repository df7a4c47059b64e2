#!/bin/bash
# mlvm mount: the LVs as read-only files in a FUSE filesystem.
#   usage errors (exit 2) and a mountpoint that is not a directory (exit 1);
#   demo: one file per LV under demo/, sizes and creation times from the
#   metadata, modes 0444/0555, bytes equal to mlvm export's and, for the
#   linear LVs, to the bytes at their extents computed from LVM2's own
#   lvs.json/pvs.json; every write, create, unlink, mkdir, rename, truncate
#   and chmod fails with EROFS; concurrent readers (threads on one fd and on
#   several) get the right bytes;
#   --all-generations: demo/@generations/1..10, "scratch" there in 4-6 only
#   (as export --generation gives it), "homes" before its rename, more
#   generations read than the cache holds, a file kept open while its
#   generation is pushed out of the cache still reads right;
#   --generation 4: the VG as it was; the default (background) mode;
#   raid: hidden sub-LVs under @hidden/; degraded (pv2 left out): the LV on
#   the missing PV reads as zeros and that is logged (stderr, @mlvm.log);
#   an ext4 filesystem written into LV root of a copy of demo is loop-mounted
#   read-only from MNT/demo/root and a known file read back (debugfs when
#   loop mounting cannot be done here, saying why).
# Every mount runs with --foreground under this script, so mlvm's exit status
# and its stderr (sanitizer reports) are checked after fusermount3 -u.
# Needs /dev/fuse, fusermount3 and the right to mount (root here); skips
# (77) saying why otherwise. Everything is unmounted on exit, also on failure.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"

MOUNTS=()	# our FUSE mountpoints
LOOPMNT=""	# the ext4 loop mount
PIDS=()		# our mlvm mount processes
cleanup() {
	local d p
	set +e
	if [ -n "$LOOPMNT" ] && grep -q " $LOOPMNT " /proc/mounts; then
		umount "$LOOPMNT" 2>/dev/null || umount -l "$LOOPMNT"
	fi
	for d in "${MOUNTS[@]}"; do
		grep -q " $d fuse" /proc/mounts && { fusermount3 -u "$d" 2>/dev/null || umount -l "$d"; }
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

run_mlvm mount /nonexistent-image /nonexistent-dir
if grep -q "without FUSE support" "$TMP/err"; then
	skip "this mlvm was built without FUSE support (install libfuse3-dev and reconfigure)"
fi
expect_status 2 "mount without arguments is a usage error" mount
expect_status 2 "mount with an image but no mountpoint is a usage error" mount "$FIXTURES/demo/pv0.img.xz"
expect_status 2 "--generation with --all-generations is a usage error" \
	mount --generation 3 --all-generations a b
expect_status 2 "--generation takes a seqno" mount --generation x a b
: >"$TMP/notadir"
mapfile -t DEMO < <(fixture_images demo)
expect_status 1 "a mountpoint that is not a directory is refused" mount "${DEMO[@]}" "$TMP/notadir"
"$MLVM" mount --help | grep -q "fusermount3 -u MOUNTPOINT" && pass "--help says how to unmount" ||
	fail "--help does not say how to unmount"

[ -c /dev/fuse ] || skip "no /dev/fuse here: FUSE mounts cannot be tested"
command -v fusermount3 >/dev/null || skip "fusermount3 not installed (Debian: fuse3)"

# mount_fg NAME DIR ARGS...: mlvm mount --foreground ARGS DIR, in the
# background of this script, until the mount is there (0) or mlvm gave up
declare -A MPID
mount_fg() {
	local name=$1 dir=$2 i
	shift 2
	mkdir -p "$dir"
	"$MLVM" mount --foreground "$@" "$dir" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	MPID[$name]=$!
	PIDS+=($!)
	MOUNTS+=("$dir")
	for i in $(seq 200); do
		grep -q " $dir fuse" /proc/mounts && return 0
		kill -0 "${MPID[$name]}" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# unmount_fg NAME DIR: unmount; mlvm must exit 0 with no sanitizer report
unmount_fg() {
	local name=$1 dir=$2 st
	if ! fusermount3 -u "$dir"; then
		fail "$name: fusermount3 -u $dir failed"
		umount -l "$dir" 2>/dev/null
	fi
	wait "${MPID[$name]}"
	st=$?
	if [ "$st" -ne 0 ]; then
		fail "$name: mlvm mount exited $st after the unmount ($(tail -c 600 "$TMP/$name.err"))"
	elif grep -Eq "AddressSanitizer|LeakSanitizer|runtime error" "$TMP/$name.err"; then
		fail "$name: sanitizer report: $(grep -E -m3 "Sanitizer|runtime error" "$TMP/$name.err")"
	else
		pass "$name: unmounted, mlvm exited 0"
	fi
}

MNT=$TMP/mnt
if ! mount_fg demo "$MNT" "${DEMO[@]}"; then
	msg=$(tail -c 400 "$TMP/demo.err")
	case $msg in
	*"cannot mount on"*|*fusermount*|*"Operation not permitted"*|*"Permission denied"*)
		skip "FUSE mounts are not possible here: $msg";;
	esac
	fail "mlvm mount of demo did not come up: $msg"
	finish
fi
pass "demo mounted on $MNT"

# ---------------------------------------------------------------- demo
names=$(cd "$MNT" && ls -A | tr '\n' ' ')
[ "$names" = "@mlvm.log demo " ] && pass "top folder holds @mlvm.log and demo" ||
	fail "top folder holds: $names"
names=$(cd "$MNT/demo" && ls -A | tr '\n' ' ')
[ "$names" = "data home logs root swap " ] && pass "demo/ holds one file per LV" ||
	fail "demo/ holds: $names"

"$PYTHON3" - "$MLVM" "$MNT" "$FIXTURES/demo" "$TMP" "${DEMO[@]}" <<'PY' || failed=1
import errno, json, os, random, stat, subprocess, sys, threading
mlvm, mnt, fx, tmp, imgs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
bad = 0
def ok(w): print('ok: ' + w)
def fail(w):
    global bad
    bad += 1
    print('FAIL: ' + w)
def export(lv, gen=None):
    a = [mlvm, 'export', '--lv', 'demo/' + lv, '-o', '-'] + (['--generation', str(gen)] if gen else []) + imgs
    return subprocess.run(a, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout

# LVM2's own answers: sizes, and the bytes of the linear LVs from their extents
lvs = json.load(open(fx + '/lvs.json'))['report'][0]['seg']
pvs = json.load(open(fx + '/pvs.json'))['report'][0]['pv']
man = json.load(open(fx + '/manifest.json'))
dev_img = {p['recorded_as']: imgs[i] for i, p in enumerate(man['pvs'])}
pe_start = {p['pv_name']: int(p['pe_start']) for p in pvs}
es = int(json.load(open(fx + '/vgs.json'))['report'][0]['vg'][0]['vg_extent_size'])
oracle, sizes = {}, {}
for s in lvs:
    sizes[s['lv_name']] = int(s['lv_size'])
    if s['segtype'] != 'linear':
        continue
    dev, rng = s['seg_pe_ranges'].split(':')
    a, b = (int(x) for x in rng.split('-'))
    with open(dev_img[dev], 'rb') as f:
        f.seek(pe_start[dev] + a * es)
        part = f.read((b - a + 1) * es)
    oracle.setdefault(s['lv_name'], {})[int(s['seg_start'])] = part
meta = json.loads(subprocess.run([mlvm, '--json', 'read', '--no-content'] + imgs,
                                 stdout=subprocess.PIPE, check=True).stdout)['vgs'][0]
ctime = {l['name']: l.get('creation_time') for l in meta['lvs']}

for lv, size in sorted(sizes.items()):
    p = os.path.join(mnt, 'demo', lv)
    st = os.stat(p)
    if st.st_size != size:
        fail('%s: size %d, lvs says %d' % (lv, st.st_size, size))
    elif stat.S_IMODE(st.st_mode) != 0o444 or not stat.S_ISREG(st.st_mode):
        fail('%s: mode %o' % (lv, st.st_mode))
    elif ctime.get(lv) and int(st.st_mtime) != ctime[lv]:
        fail('%s: mtime %d, creation_time %d' % (lv, st.st_mtime, ctime[lv]))
    else:
        ok('%s: size, mode 0444 and creation time from the metadata' % lv)
    data = open(p, 'rb').read()
    if data != export(lv):
        fail('%s: bytes differ from mlvm export' % lv)
    else:
        ok('%s: bytes equal mlvm export' % lv)
    if lv in oracle:
        want = b''.join(oracle[lv][k] for k in sorted(oracle[lv]))
        if data != want:
            fail('%s: bytes differ from the extents LVM2 recorded' % lv)
        else:
            ok('%s: bytes equal its extents as LVM2 recorded them (linear)' % lv)
for d in (mnt, mnt + '/demo'):
    m = stat.S_IMODE(os.stat(d).st_mode)
    (ok if m == 0o555 else fail)('%s: folder mode %o' % (d, m))

# every change is refused with EROFS
f = os.path.join(mnt, 'demo', 'root')
tries = [
    ('open for writing', lambda: os.open(f, os.O_WRONLY)),
    ('open read-write', lambda: os.open(f, os.O_RDWR)),
    ('create', lambda: os.open(os.path.join(mnt, 'demo', 'new'), os.O_WRONLY | os.O_CREAT, 0o644)),
    ('unlink', lambda: os.unlink(f)),
    ('mkdir', lambda: os.mkdir(os.path.join(mnt, 'demo', 'dir'))),
    ('rename', lambda: os.rename(f, os.path.join(mnt, 'demo', 'root2'))),
    ('truncate', lambda: os.truncate(f, 0)),
    ('chmod', lambda: os.chmod(f, 0o644)),
    ('write into the log', lambda: os.open(os.path.join(mnt, '@mlvm.log'), os.O_WRONLY | os.O_APPEND)),
]
for what, fn in tries:
    try:
        r = fn()
        if isinstance(r, int):
            os.close(r)
        fail('%s: allowed' % what)
    except OSError as e:
        (ok if e.errno == errno.EROFS else fail)('%s: %s' % (what, os.strerror(e.errno)))

# concurrent readers: threads on one shared fd and on fds of their own
want = {lv: export(lv) for lv in ('data', 'home')}
shared = {lv: os.open(os.path.join(mnt, 'demo', lv), os.O_RDONLY) for lv in want}
errs = []
def reader(seed):
    rnd = random.Random(seed)
    own = {lv: os.open(os.path.join(mnt, 'demo', lv), os.O_RDONLY) for lv in want}
    try:
        for i in range(300):
            lv = rnd.choice(list(want))
            fd = shared[lv] if i % 2 else own[lv]
            off = rnd.randrange(len(want[lv]))
            n = rnd.randrange(1, 200000)
            got = os.pread(fd, n, off)
            if got != want[lv][off:off + n]:
                errs.append('%s at %d+%d' % (lv, off, n))
    finally:
        for fd in own.values():
            os.close(fd)
ts = [threading.Thread(target=reader, args=(s,)) for s in range(8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for fd in shared.values():
    os.close(fd)
(fail if errs else ok)('8 concurrent readers, 2400 random reads: %s' % (', '.join(errs[:5]) or 'all right'))
sys.exit(1 if bad else 0)
PY
unmount_fg demo "$MNT"
grep -q " $MNT fuse" /proc/mounts && fail "still mounted after fusermount3 -u" || pass "gone after fusermount3 -u"

# ---------------------------------------------------------------- generations
if mount_fg gens "$MNT" --all-generations "${DEMO[@]}"; then
	pass "demo mounted with --all-generations"
	gens=$(cd "$MNT/demo/@generations" && ls | sort -n | tr '\n' ' ')
	[ "$gens" = "1 2 3 4 5 6 7 8 9 10 " ] && pass "demo/@generations holds seqnos 1-10" ||
		fail "demo/@generations holds: $gens"
	"$PYTHON3" - "$MLVM" "$MNT" "${DEMO[@]}" <<'PY' || failed=1
import os, subprocess, sys
mlvm, mnt, imgs = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = 0
def ok(w): print('ok: ' + w)
def fail(w):
    global bad
    bad += 1
    print('FAIL: ' + w)
g = os.path.join(mnt, 'demo', '@generations')
def export(lv, gen):
    return subprocess.run([mlvm, 'export', '--lv', 'demo/' + lv, '-o', '-', '--generation', str(gen)] + imgs,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
# a file of generation 4 held open while all ten generations are looked at
# (more than the cache of 8 holds)
held = os.open(os.path.join(g, '4', 'scratch'), os.O_RDONLY)
has = {}
for s in range(1, 11):
    has[s] = sorted(os.listdir(os.path.join(g, str(s))))
want_scratch = {4, 5, 6}
got_scratch = {s for s in has if 'scratch' in has[s]}
(ok if got_scratch == want_scratch else fail)('scratch present in generations %s (LVM2 created it at 4, removed it at 7)' % sorted(got_scratch))
('scratch' in os.listdir(os.path.join(mnt, 'demo')) and fail or ok)('scratch absent from the current demo/')
(ok if 'homes' in has[5] and 'home' not in has[5] and 'home' in has[8] else fail)('homes before its rename at 8, home after')
(ok if has[10] == sorted(x for x in os.listdir(os.path.join(mnt, 'demo')) if not x.startswith('@')) else fail)(
    'generation 10 holds what demo/ holds')
(ok if has[1] == [] else fail)('generation 1 (vgcreate) holds no LV: %s' % has[1])
for s in (4, 6):
    data = open(os.path.join(g, str(s), 'scratch'), 'rb').read()
    (ok if data == export('scratch', s) else fail)('generation %d: scratch equals export --generation %d' % (s, s))
data = os.pread(held, 1 << 20, 0)
(ok if data == export('scratch', 4) else fail)('a file held open while its generation left the cache reads right')
os.close(held)
log = open(os.path.join(mnt, '@mlvm.log')).read()
(ok if 'generation 4: assembled' in log and 'released' in log else fail)('the log shows generations assembled and released')
sys.exit(1 if bad else 0)
PY
	unmount_fg gens "$MNT"
else
	fail "mount --all-generations did not come up: $(tail -c 400 "$TMP/gens.err")"
fi

if mount_fg gen4 "$MNT" --generation 4 "${DEMO[@]}"; then
	names=$(cd "$MNT/demo" && ls -A | tr '\n' ' ')
	[ "$names" = "root scratch swap " ] && pass "--generation 4: demo/ holds root scratch swap" ||
		fail "--generation 4: demo/ holds: $names"
	unmount_fg gen4 "$MNT"
else
	fail "mount --generation 4 did not come up: $(tail -c 400 "$TMP/gen4.err")"
fi

# ---------------------------------------------------------------- background
mkdir -p "$MNT"
MOUNTS+=("$MNT")
if "$MLVM" mount "${DEMO[@]}" "$MNT" 2>"$TMP/bg.err"; then
	if grep -q " $MNT fuse" /proc/mounts && cmp -s "$MNT/demo/root" <("$MLVM" export --lv demo/root -o - "${DEMO[@]}" 2>/dev/null); then
		pass "background mount: mounted when mlvm returns, root reads right"
	else
		fail "background mount: not mounted or wrong bytes"
	fi
	fusermount3 -u "$MNT" || fail "background mount: fusermount3 -u failed"
	sleep 0.2
	grep -q " $MNT fuse" /proc/mounts && fail "background mount still there" || pass "background mount unmounted"
else
	fail "background mount failed: $(cat "$TMP/bg.err")"
fi
grep -q "mounted 1 vg (5 lvs, 0 hidden) on $MNT, read-only, in the background; unmount with: fusermount3 -u $MNT$" "$TMP/bg.err" &&
	pass "background mount: says on stderr where the LVs are and how to unmount" ||
	fail "background mount: no word on stderr: $(cat "$TMP/bg.err")"

# options after the images and the mountpoint, as before them; -- ends them
if "$MLVM" mount "${DEMO[@]}" "$MNT" --generation 4 2>"$TMP/bg4.err"; then
	names=$(cd "$MNT/demo" && ls -A | tr '\n' ' ')
	[ "$names" = "root scratch swap " ] && pass "mount IMAGE... MNT --generation 4: demo/ holds root scratch swap" ||
		fail "mount IMAGE... MNT --generation 4: demo/ holds: $names"
	fusermount3 -u "$MNT" || fail "mount ... --generation 4: fusermount3 -u failed"
	sleep 0.2
else
	fail "mount IMAGE... MNT --generation 4 failed: $(cat "$TMP/bg4.err")"
fi
expect_status 2 "mount: an unknown option after the mountpoint" mount "${DEMO[@]}" "$MNT" --bogus &&
	grep -q "unknown option '--bogus' for mount" "$TMP/err" || fail "mount --bogus: $(cat "$TMP/err")"
grep -q " $MNT fuse" /proc/mounts && fail "mount --bogus mounted all the same"
cp "${DEMO[0]}" "$TMP/demo/-d0.img"
if (cd "$TMP/demo" && "$MLVM" mount pv1.img -- -d0.img "$MNT" 2>"$TMP/dash.err"); then
	[ -f "$MNT/demo/root" ] && pass "mount IMAGE -- -d0.img MNT: an image named -d0.img after --" ||
		fail "mount -- -d0.img: no demo/root"
	fusermount3 -u "$MNT" || fail "mount -- -d0.img: fusermount3 -u failed"
	sleep 0.2
else
	fail "mount IMAGE -- -d0.img MNT failed: $(cat "$TMP/dash.err")"
fi
# a mountpoint that holds something is refused (the mount would hide it),
# unless --nonempty
mkdir -p "$TMP/full"
echo evidence >"$TMP/full/notes.txt"
MOUNTS+=("$TMP/full")
expect_status 1 "a non-empty mountpoint is refused" mount "${DEMO[@]}" "$TMP/full" &&
	grep -q "cannot mount on $TMP/full: the directory is not empty.*(--nonempty mounts anyway)" "$TMP/err" ||
	fail "non-empty mountpoint: $(cat "$TMP/err")"
grep -q " $TMP/full fuse" /proc/mounts && fail "the non-empty mountpoint was mounted on all the same"
if "$MLVM" mount "${DEMO[@]}" "$TMP/full" --nonempty 2>"$TMP/ne.err"; then
	[ -f "$TMP/full/demo/root" ] && [ ! -e "$TMP/full/notes.txt" ] &&
		pass "--nonempty: mounted over what the directory holds" || fail "--nonempty: not mounted"
	fusermount3 -u "$TMP/full" || fail "--nonempty: fusermount3 -u failed"
	sleep 0.2
	[ "$(cat "$TMP/full/notes.txt" 2>/dev/null)" = evidence ] && pass "--nonempty: the file is back after the unmount" ||
		fail "--nonempty: the file is not back"
else
	fail "mount --nonempty failed: $(cat "$TMP/ne.err")"
fi

# ---------------------------------------------------------------- hidden, missing
mapfile -t RAID < <(fixture_images raid)
if mount_fg raid "$MNT" "${RAID[@]}"; then
	vg=$(cd "$MNT" && ls | grep -v '^@')
	hid=$(ls "$MNT/$vg/@hidden" 2>/dev/null | head -1)
	if [ -n "$hid" ] && [ ! -e "$MNT/$vg/$hid" ] &&
		cmp -s "$MNT/$vg/@hidden/$hid" <("$MLVM" export --lv "$vg/$hid" -o - "${RAID[@]}" 2>/dev/null); then
		pass "raid: hidden sub-LV $hid under $vg/@hidden/, bytes equal export"
	else
		fail "raid: no hidden sub-LV under @hidden, or wrong bytes ($hid)"
	fi
	n_raid=0
	for f in "$MNT/$vg"/*; do
		[ -f "$f" ] || continue
		cmp -s "$f" <("$MLVM" export --lv "$vg/$(basename "$f")" -o - "${RAID[@]}" 2>/dev/null) || fail "raid: $f differs from export"
		n_raid=$((n_raid + 1))
	done
	pass "raid: $n_raid visible LVs compared with export"
	unmount_fg raid "$MNT"
else
	fail "mount of raid did not come up: $(tail -c 400 "$TMP/raid.err")"
fi

mapfile -t DEG < <(fixture_images degraded)
if mount_fg degraded "$MNT" "${DEG[0]}" "${DEG[1]}"; then
	if cmp -s "$MNT/fx_degraded/on_pv2" <(head -c "$(stat -c %s "$MNT/fx_degraded/on_pv2")" /dev/zero); then
		pass "degraded: the LV on the missing PV reads as zeros"
	else
		fail "degraded: on_pv2 does not read as zeros"
	fi
	grep -q "on_pv2: bytes .* read as zeros" "$MNT/@mlvm.log" && pass "degraded: @mlvm.log names the range read as zeros" ||
		fail "degraded: @mlvm.log: $(cat "$MNT/@mlvm.log")"
	unmount_fg degraded "$MNT"
	grep -q "on_pv2: bytes .* read as zeros" "$TMP/degraded.err" && pass "degraded: --foreground logs it on stderr" ||
		fail "degraded: not on stderr: $(cat "$TMP/degraded.err")"
else
	fail "mount of degraded did not come up: $(tail -c 400 "$TMP/degraded.err")"
fi

# ---------------------------------------------------------------- ext4 in an LV
if ! command -v mkfs.ext4 >/dev/null || ! command -v debugfs >/dev/null; then
	echo "SKIP (part): mkfs.ext4/debugfs not installed (Debian: e2fsprogs): no ext4 test"
else
	mkdir -p "$TMP/ext" "$TMP/extsrc"
	cp "${DEMO[@]}" "$TMP/ext/"
	EXT=("$TMP/ext/pv0.img" "$TMP/ext/pv1.img")
	secret="mlvm mount test $$ $(date +%s)"
	echo "$secret" >"$TMP/extsrc/known.txt"
	# where LV root is: pe_start + PE * extent_size of its only (linear) segment
	loc=$("$MLVM" --json read --no-content "${EXT[@]}" | "$PYTHON3" -c '
import json, sys
vg = json.load(sys.stdin)["vgs"][0]
lv = [l for l in vg["lvs"] if l["name"] == "root"][0]
seg = lv["segments"][0]
assert len(lv["segments"]) == 1 and seg["stripe_count"] == 1
pv = [p for p in vg["pvs"] if p["name"] == seg["areas"][0]["pv"]][0]
print(pv["image"], (pv["pe_start"] + seg["areas"][0]["pe"] * vg["extent_size"]) * 512, lv["size"])')
	read -r img off size <<<"$loc"
	if mkfs.ext4 -q -F -O ^has_journal -b 1024 -N 32 -d "$TMP/extsrc" "$TMP/fs.img" $((size / 1024)) >"$TMP/mkfs.err" 2>&1 &&
		dd if="$TMP/fs.img" of="$img" bs=64k seek="$off" oflag=seek_bytes conv=notrunc status=none; then
		if mount_fg ext4 "$MNT" "${EXT[@]}"; then
			LOOPMNT=$TMP/x
			mkdir -p "$LOOPMNT"
			if mount -o ro,loop "$MNT/demo/root" "$LOOPMNT" 2>"$TMP/loop.err"; then
				got=$(cat "$LOOPMNT/known.txt" 2>&1)
				[ "$got" = "$secret" ] && pass "ext4 in LV root: mount -o ro,loop MNT/demo/root, known.txt read back" ||
					fail "ext4 loop mount: known.txt holds '$got'"
				umount "$LOOPMNT" || umount -l "$LOOPMNT"
			else
				echo "note: mount -o ro,loop from the FUSE file failed here ($(head -c 300 "$TMP/loop.err")): reading it with debugfs instead"
				got=$(debugfs -R 'cat /known.txt' "$MNT/demo/root" 2>/dev/null)
				[ "$got" = "$secret" ] && pass "ext4 in LV root: debugfs read known.txt back from MNT/demo/root" ||
					fail "ext4 via debugfs: known.txt holds '$got'"
			fi
			unmount_fg ext4 "$MNT"
		else
			fail "mount of the ext4 copy did not come up: $(tail -c 400 "$TMP/ext4.err")"
		fi
	else
		fail "cannot make the ext4 filesystem: $(cat "$TMP/mkfs.err")"
	fi
fi

# ---------------------------------------------------------------- a guest VG's generations
# tests/unit/data/nested: VG guest inside LV host/guestdisk, generation 1
# (vgcreate, no LV) and 2 (data); host's generation 1 has no guestdisk, so
# guest's generation 1 is assembled with its host as it is now
NESTED=$top_srcdir/tests/unit/data/nested
xz -dc "$NESTED/host.img.xz" >"$TMP/host.img" || { fail "cannot decompress the nested image"; finish; }
if mount_fg nested "$MNT" --all-generations "$TMP/host.img"; then
	g1=$(ls -A "$MNT/guest/@generations/1" 2>&1) && [ -z "$g1" ] &&
		pass "guest/@generations/1: the guest VG as of its generation 1 (no LV yet), its host LV still there" ||
		fail "guest/@generations/1: $g1"
	if "$MLVM" export --generation 2 --lv guest/data -o "$TMP/g2.raw" "$TMP/host.img" 2>/dev/null &&
		cmp -s "$MNT/guest/@generations/2/data" "$TMP/g2.raw"; then
		pass "guest/@generations/2/data holds export --generation 2's bytes"
	else
		fail "guest/@generations/2/data differs from export --generation 2"
	fi
	unmount_fg nested "$MNT"
else
	fail "mount --all-generations of the nested image did not come up: $(tail -c 400 "$TMP/nested.err")"
fi

finish
