#!/bin/bash
# words.sh - the words mlvm uses match what happened to the bytes (issue 13).
# Expected answers come from LVM2 (the fixtures' lvs/pvs/vgs JSON and
# vgcfgbackup, `vgs -o vg_uuid` on the live images) and the fixtures' seeded
# content hashes, never from mlvm's own output.
#   degraded (raid5_ls r5, raid1 r1) and mirror (mirror, raid1 with 2 and 3
#   images) with one PV left out: exit 0, bytes equal to the seeded content
#   and to the intact export, no missing_ranges, a rebuilt_from_parity /
#   read_from_other_leg warning naming the LV and the missing PV's uuid, and
#   nothing said to read as zeros; r5 with two PVs out: exit 1, missing
#   exactly the chunks not on the remaining image (md's raid5_ls layout over
#   LVM2's stripe_size and rimage placement), lv_pv_missing for both PVs;
#   thin: exporting the pool exits 1 naming its thin LVs and _tdata (LVM2's
#   lvs pool_lv / data_lv); _tdata exports raw;
#   snapshot: the COW LV's first chunk zeroed in a copy (offset from LVM2's
#   seg_pe_ranges, pe_start, extent size and chunk_size): the snapshot
#   exports as its origin's seeded bytes, exit 0, with snapshot_cow_empty;
#   a non-zero wrong magic still reads as missing (exit 1);
#   live lvm2 (root, lvm, loop devices): mount --all-generations after
#   vgchange --uuid, vgmerge and vgrename+vgcreate of the old name: the live
#   VGs under their plain names, the VGs only old generations hold under
#   @history/NAME@UUID/ (mount needs /dev/fuse: skipped with a message when
#   absent); a thin pool is not shown by mount.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"

# ------------------------------------------------------------ fixtures

"$PYTHON3" - "$MLVM" "$FIXTURES" "$TMP" <<'PY' || failed=1
import hashlib, json, lzma, os, subprocess, sys

mlvm, fixtures, tmp = sys.argv[1:4]
failures = 0

def ok(what):
    print('ok: ' + what)

def bad(what):
    global failures
    failures += 1
    print('FAIL: ' + what)

def check(cond, what):
    (ok if cond else bad)(what)
    return cond

def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()

def images(name):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    out = {}
    m = json.load(open(os.path.join(fixtures, name, 'manifest.json')))
    for pv in m['pvs']:
        dst = os.path.join(d, pv['file'][:-3])
        if not os.path.exists(dst):
            with lzma.open(os.path.join(fixtures, name, pv['file'])) as fi, open(dst, 'wb') as fo:
                fo.write(fi.read())
        out[pv['file'][:-len('.img.xz')]] = (dst, pv['pv_uuid'])
    return m, out

def export(vg, lv, imgs, extra=()):
    out = os.path.join(tmp, 'out.img')
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([mlvm, '--json', 'export', '--lv', '%s/%s' % (vg, lv), '-o', out] + list(extra) + imgs,
                       capture_output=True)
    if p.returncode < 0 or p.returncode > 128:
        bad('export %s/%s: killed by a signal' % (vg, lv))
    try:
        js = json.loads(p.stdout) if p.stdout.strip() else {}
    except ValueError:
        js = {}
    data = open(out, 'rb').read() if os.path.exists(out) else None
    return p.returncode, js, data, p.stderr.decode(errors='replace')

def codes(js, code):
    return [w['message'] for w in js.get('warnings', []) if w['code'] == code]

def zeros_said(js, stderr):
    text = stderr + json.dumps(js.get('warnings', []))
    return 'read as zeros' in text or 'reads as zeros' in text

# one PV left out of raid5 / raid1 / mirror: complete, and said so
for name, omit, cases in (
        ('degraded', 'pv1', (('r5', 'rebuilt_from_parity'), ('r1', 'read_from_other_leg'))),
        ('mirror', 'pv0', (('mir', 'read_from_other_leg'), ('r1_2', 'read_from_other_leg'),
                           ('r1_3', 'read_from_other_leg'))),
        ('mirror', 'pv1', (('mir', 'read_from_other_leg'), ('r1_2', 'read_from_other_leg'),
                           ('r1_3', 'read_from_other_leg')))):
    m, imgs = images(name)
    vg = m['vg']
    allimgs = [imgs[k][0] for k in sorted(imgs)]
    some = [imgs[k][0] for k in sorted(imgs) if k != omit]
    uuid = imgs[omit][1]
    for lv, code in cases:
        want = m['content'][lv]['sha256']
        rc, js, intact, err = export(vg, lv, allimgs)
        check(rc == 0 and intact is not None and hashlib.sha256(intact).hexdigest() == want,
              '%s/%s intact: exit %d, the seeded bytes' % (name, lv, rc))
        rc, js, data, err = export(vg, lv, some)
        what = '%s/%s without %s' % (name, lv, omit)
        check(rc == 0, '%s: exit %d (%s)' % (what, rc, err.strip()[-300:]))
        check(data is not None and hashlib.sha256(data).hexdigest() == want and data == intact,
              '%s: byte-identical to the intact export and the seeded content' % what)
        check(js.get('missing_ranges') == [], '%s: missing_ranges %r' % (what, js.get('missing_ranges')))
        said = codes(js, code)
        check(len(said) == 1 and uuid in said[0] and ('lv %s:' % lv) in said[0],
              '%s: one %s naming lv %s and pv %s: %r' % (what, code, lv, uuid, said))
        check(not codes(js, 'lv_pv_missing') and not zeros_said(js, err),
              '%s: nothing said to read as zeros' % what)

# r5 with two of its three PVs out: what is gone is said to be gone, exactly
m, imgs = images('degraded')
vg = m['vg']
lvs = {l['lv_name']: l for l in json.load(open(os.path.join(fixtures, 'degraded', 'lvs.json')))['report'][0]['seg']}
pvs = {p['pv_uuid']: p['pv_name'] for p in json.load(open(os.path.join(fixtures, 'degraded', 'pvs.json')))['report'][0]['pv']}
r5 = lvs['r5']
stripe = int(r5['stripe_size'])
size = int(r5['lv_size'])
# LVM2's devices: r5_rimage_0(0),r5_rimage_1(0),... and each rimage's PV
order = [d.split('(')[0] for d in r5['devices'].split(',')]
n = len(order)
img_dev = [lvs['[%s]' % o]['devices'].split('(')[0] for o in order]
keep = imgs['pv0']
keep_dev = next(dev for u, dev in pvs.items() if u == keep[1])
check(r5['segtype'] == 'raid5' or r5['segtype'].startswith('raid5'), 'degraded r5 is %s' % r5['segtype'])
want_missing = []
dd = n - 1
for c in range(size // stripe):
    s, d = divmod(c, dd)
    p = dd - s % n                  # raid5_ls (md ALGORITHM_LEFT_SYMMETRIC)
    dev = (p + 1 + d) % n
    if img_dev[dev] != keep_dev:
        if want_missing and want_missing[-1][0] + want_missing[-1][1] == c * stripe:
            want_missing[-1][1] += stripe
        else:
            want_missing.append([c * stripe, stripe])
rc, js, data, err = export(vg, 'r5', [keep[0]], ['--allow-missing'])
check(rc == 0 and js.get('missing_ranges') == want_missing,
      'degraded/r5 with pv1 and pv2 out: missing_ranges %r, LVM2 layout says %r'
      % (js.get('missing_ranges'), want_missing))
rc2, js2, full, _ = export(vg, 'r5', [imgs[k][0] for k in sorted(imgs)])
good = data is not None and full is not None and len(data) == len(full)
for a, l in want_missing:
    good = good and data[a:a + l] == bytes(l)
readable = bytearray(full or b'')
for a, l in want_missing:
    readable[a:a + l] = bytes(l)
check(good and data == bytes(readable), 'degraded/r5 with two PVs out: the rest is the intact bytes, the missing chunks zeros')
rc, js, data, err = export(vg, 'r5', [keep[0]])
check(rc == 1, 'degraded/r5 with two PVs out: exit %d without --allow-missing' % rc)
said = codes(js, 'lv_pv_missing')
check(len(said) == 2 and all('read as zeros' in s for s in said) and
      imgs['pv1'][1] in ' '.join(said) and imgs['pv2'][1] in ' '.join(said) and
      not codes(js, 'rebuilt_from_parity'),
      'degraded/r5 with two PVs out: lv_pv_missing for both PVs, no rebuilt_from_parity: %r' % said)

# a thin pool is refused, naming its thin LVs and _tdata
m, imgs = images('thin')
vg = m['vg']
seg = json.load(open(os.path.join(fixtures, 'thin', 'lvs.json')))['report'][0]['seg']
pool = next(l for l in seg if l['segtype'] == 'thin-pool')
thins = sorted(l['lv_name'] for l in seg if l['pool_lv'] == pool['lv_name'])
tdata = pool['data_lv'].strip('[]')
timgs = [v[0] for v in imgs.values()]
rc, js, data, err = export(vg, pool['lv_name'], timgs)
said = [l for l in err.splitlines() if l.endswith('[thin_pool_lv]')]
check(rc == 1, 'thin pool %s: export exits %d' % (pool['lv_name'], rc))
check(len(thins) >= 2 and len(said) == 1 and said[0].startswith('mlvm: error: ') and
      all(t in said[0] for t in thins) and tdata in said[0] and 'exported' in said[0],
      'thin pool: the error names thin LVs %s and %s: %r' % (thins, tdata, said))
check(data is None, 'thin pool: no output file left')
rc, js, data, err = export(vg, tdata, timgs)
check(rc == 0 and data is not None and len(data) == int(pool['lv_size']) and
      hashlib.sha256(data).hexdigest() == m['content'][tdata]['sha256'],
      'thin pool: %s exports raw (exit %d, its seeded bytes)' % (tdata, rc))
p = subprocess.run([mlvm, 'export', '--lv', '%s/%s' % (vg, pool['lv_name']), '-o', '-'] + timgs,
                   capture_output=True)
check(p.returncode == 1 and not p.stdout and 'thin pool' in p.stderr.decode(),
      'thin pool: -o - exits 1 too, nothing on stdout')

# a zeroed COW header: an empty store, the snapshot reads as its origin
m, imgs = images('snapshot')
vg = m['vg']
fx = os.path.join(fixtures, 'snapshot')
seg = {l['lv_name']: l for l in json.load(open(os.path.join(fx, 'lvs.json')))['report'][0]['seg']}
pe_start = int(json.load(open(os.path.join(fx, 'pvs.json')))['report'][0]['pv'][0]['pe_start'])
eb = int(json.load(open(os.path.join(fx, 'vgs.json')))['report'][0]['vg'][0]['vg_extent_size'])
cow = seg['snap1']
first_pe = int(cow['seg_pe_ranges'].split(':')[1].split('-')[0])
chunk = int(cow['chunk_size'])
src = imgs['pv0'][0]
z = os.path.join(tmp, 'snapshot-zeroed.img')
b = bytearray(open(src, 'rb').read())
at = pe_start + first_pe * eb
check(b[at:at + 4] == b'SnAp', 'snapshot: the COW store of snap1 starts at byte %d (LVM2: %s, pe_start %d, extent %d)'
      % (at, cow['seg_pe_ranges'], pe_start, eb))
b[at:at + chunk] = bytes(chunk)
open(z, 'wb').write(b)
origin = m['content'][cow['origin']]['sha256']
check(m['content']['snap1']['sha256'] != origin, 'snapshot: snap1 differs from its origin while its store is intact')
for lv in ('snap1', 'snapshot0'):
    rc, js, data, err = export(vg, lv, [z])
    said = [w for w in js.get('warnings', []) if w['code'] == 'snapshot_cow_empty']
    check(rc == 0 and data is not None and hashlib.sha256(data).hexdigest() == origin,
          'snapshot %s with a zeroed store header: exit %d, the origin\'s bytes' % (lv, rc))
    check(len(said) == 1 and said[0]['severity'] == 'notice' and 'origin' in said[0]['message'],
          'snapshot %s: a snapshot_cow_empty notice: %r' % (lv, said))
    check(js.get('missing_ranges') == [], 'snapshot %s: nothing missing' % lv)
rc, js, data, err = export(vg, 'snap2', [z])
check(rc == 0 and hashlib.sha256(data).hexdigest() == m['content']['snap2']['sha256'] and
      not [w for w in js.get('warnings', []) if w['code'] == 'snapshot_cow_empty'],
      'snapshot snap2 (store intact) still reads with its exceptions, no notice')
b[at:at + 4] = b'XnAp'
open(z, 'wb').write(b)
rc, js, data, err = export(vg, 'snap1', [z])
check(rc == 1 and js.get('missing_ranges') and codes(js, 'snapshot_cow') and not codes(js, 'snapshot_cow_empty'),
      'snapshot: a wrong non-zero magic is still unusable (exit %d)' % rc)
os.unlink(z)
sys.exit(1 if failures else 0)
PY

# ------------------------------------------------------------ live lvm2

live_skip() { echo "SKIP (live lvm2 part): $*"; finish; }
[ "$(id -u)" -eq 0 ] || live_skip "not root"
command -v lvm >/dev/null || live_skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || live_skip "no free loop device"

LOOPS=()
MOUNTS=()
cleanup() {
	local d l
	set +e
	for d in "${MOUNTS[@]}"; do
		grep -q " $d fuse" /proc/mounts && { fusermount3 -u "$d" 2>/dev/null || umount -l "$d"; }
	done
	for l in "${LOOPS[@]}"; do
		loop_release "$l"
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
export LVM_SUPPRESS_FD_WARNINGS=1

# new_pv FILE: an 8 MiB image of random bytes on a loop device (printed)
new_pv() {
	head -c $((8 << 20)) /dev/urandom >"$1"
	local l
	l=$(losetup -f --show "$1") || return 1
	LOOPS+=("$l")
	echo "$l"
}
detach() {
	local l=$1 i
	losetup -d "$l"
	for i in "${!LOOPS[@]}"; do
		[ "${LOOPS[$i]}" = "$l" ] && unset 'LOOPS[i]'
	done
}
lvmc() {	# lvmc DEVICES... -- COMMAND ARGS...
	local devs=() d
	while [ "$1" != "--" ]; do devs+=(--devices "$1"); shift; done
	shift
	local cmd=$1
	shift
	lvm "$cmd" "${devs[@]}" --config 'backup { backup = 0 archive = 0 } devices { use_devicesfile = 0 }' "$@"
}
vg_uuid() {	# vg_uuid VG DEVICES...
	local vg=$1
	shift
	local a=() d
	for d in "$@"; do a+=("$d"); done
	lvmc "${a[@]}" -- vgs --noheadings -o vg_uuid "$vg" 2>/dev/null | tr -d ' '
}

S=w$$
# 1. vgchange --uuid: the old uuid only lives in the ring
U=$TMP/uuid.img
l=$(new_pv "$U") || live_skip "losetup failed"
if lvmc "$l" -- pvcreate -q "$l" >/dev/null 2>&1 &&
   lvmc "$l" -- vgcreate -q -s 64k "${S}u" "$l" >/dev/null 2>&1 &&
   lvmc "$l" -- lvcreate -q --driverloaded n -an -Zn -n first -L 256k "${S}u" >/dev/null 2>&1; then
	old_u=$(vg_uuid "${S}u" "$l")
	lvmc "$l" -- vgchange -q --driverloaded n --uuid "${S}u" >/dev/null 2>&1
	lvmc "$l" -- lvcreate -q --driverloaded n -an -Zn -n second -L 256k "${S}u" >/dev/null 2>&1
	new_u=$(vg_uuid "${S}u" "$l")
else
	fail "lvm2 could not build the uuid-change image"
fi
detach "$l"

# 2. vgmerge: the VG merged away only lives in its PV's ring
MA=$TMP/merge-a.img MB=$TMP/merge-b.img
la=$(new_pv "$MA") && lb=$(new_pv "$MB") || live_skip "losetup failed"
if lvmc "$la" "$lb" -- pvcreate -q "$la" "$lb" >/dev/null 2>&1 &&
   lvmc "$la" -- vgcreate -q -s 64k "${S}a" "$la" >/dev/null 2>&1 &&
   lvmc "$lb" -- vgcreate -q -s 64k "${S}b" "$lb" >/dev/null 2>&1 &&
   lvmc "$lb" -- lvcreate -q --driverloaded n -an -Zn -n onb -L 256k "${S}b" >/dev/null 2>&1; then
	merged_u=$(vg_uuid "${S}b" "$lb")
	into_u=$(vg_uuid "${S}a" "$la")
	lvmc "$la" "$lb" -- vgmerge -q "${S}a" "${S}b" >/dev/null 2>&1 ||
		fail "vgmerge ${S}a ${S}b failed"
	lvmc "$la" "$lb" -- vgs --noheadings -o vg_name 2>/dev/null | grep -q "${S}b" &&
		fail "${S}b still there after vgmerge"
else
	fail "lvm2 could not build the vgmerge images"
fi
detach "$la"
detach "$lb"

# 3. vgrename, then a new VG under the old name on another PV
RA=$TMP/ren-a.img RB=$TMP/ren-b.img
la=$(new_pv "$RA") && lb=$(new_pv "$RB") || live_skip "losetup failed"
if lvmc "$la" "$lb" -- pvcreate -q "$la" "$lb" >/dev/null 2>&1 &&
   lvmc "$la" -- vgcreate -q -s 64k "${S}r" "$la" >/dev/null 2>&1 &&
   lvmc "$la" -- lvcreate -q --driverloaded n -an -Zn -n was -L 256k "${S}r" >/dev/null 2>&1 &&
   lvmc "$la" -- vgrename -q "${S}r" "${S}n" >/dev/null 2>&1 &&
   lvmc "$lb" -- vgcreate -q -s 64k "${S}r" "$lb" >/dev/null 2>&1 &&
   lvmc "$lb" -- lvcreate -q --driverloaded n -an -Zn -n fresh -L 256k "${S}r" >/dev/null 2>&1; then
	renamed_u=$(vg_uuid "${S}n" "$la")
	reused_u=$(vg_uuid "${S}r" "$lb")
else
	fail "lvm2 could not build the vgrename images"
fi
detach "$la"
detach "$lb"

[ -n "${old_u:-}" ] && [ -n "${new_u:-}" ] && [ "$old_u" != "$new_u" ] &&
	pass "vgchange --uuid: $old_u -> $new_u (LVM2)" || fail "vgchange --uuid gave no new uuid ($old_u, $new_u)"

"$MLVM" mount --help | grep -q "@history/NAME@UUID/" && pass "mount --help names @history/NAME@UUID/" ||
	fail "mount --help does not name @history"

[ -c /dev/fuse ] || live_skip "no /dev/fuse here: the mount part is not tested"
command -v fusermount3 >/dev/null || live_skip "fusermount3 not installed"
run_mlvm mount /nonexistent-image /nonexistent-dir
grep -q "without FUSE support" "$TMP/err" && live_skip "this mlvm was built without FUSE support"

# mount_ls NAME ARGS...: mount --all-generations, list every path (sorted) to $TMP/NAME.ls, unmount
mount_ls() {
	local name=$1 dir=$TMP/mnt-$1
	shift
	mkdir -p "$dir"
	MOUNTS+=("$dir")
	if ! "$MLVM" mount "$@" "$dir" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
		case $(cat "$TMP/$name.err") in
		*"cannot mount on"*|*"Operation not permitted"*|*"Permission denied"*)
			live_skip "FUSE mounts are not possible here: $(tail -c 300 "$TMP/$name.err")";;
		esac
		fail "$name: mlvm mount failed: $(tail -c 300 "$TMP/$name.err")"
		return 1
	fi
	(cd "$dir" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$TMP/$name.ls"
	cp "$dir/@mlvm.log" "$TMP/$name.log"
	fusermount3 -u "$dir" || fail "$name: fusermount3 -u failed"
}
has() { grep -qxF "$2" "$TMP/$1.ls"; }

if mount_ls uuid --all-generations "$U"; then
	has uuid "${S}u/first" && has uuid "${S}u/second" && pass "uuid change: the live VG keeps its name ${S}u/ (first, second)" ||
		fail "uuid change: ${S}u/ is not the live VG: $(head -c 600 "$TMP/uuid.ls")"
	has uuid "@history/${S}u@$old_u/first" && ! has uuid "@history/${S}u@$old_u/second" &&
		pass "uuid change: the old VG is @history/${S}u@$old_u/ (first only)" ||
		fail "uuid change: no @history/${S}u@$old_u/first: $(head -c 600 "$TMP/uuid.ls")"
	has uuid "@history/${S}u@$old_u/@generations" && pass "uuid change: the old VG keeps its @generations" ||
		fail "uuid change: no @generations under @history"
	grep -q "^${S}u@" "$TMP/uuid.ls" && fail "uuid change: the live VG was renamed NAME@UUID" ||
		pass "uuid change: no ${S}u@UUID at the top"
fi
if mount_ls merge --all-generations "$MA" "$MB"; then
	has merge "${S}a/onb" && pass "vgmerge: ${S}a/ holds the merged LV" || fail "vgmerge: no ${S}a/onb"
	has merge "@history/${S}b@$merged_u/onb" && pass "vgmerge: the merged-away VG is @history/${S}b@$merged_u/" ||
		fail "vgmerge: no @history/${S}b@$merged_u/onb: $(head -c 600 "$TMP/merge.ls")"
	grep -q "^${S}b" "$TMP/merge.ls" && fail "vgmerge: ${S}b shown as a live VG" ||
		pass "vgmerge: ${S}b not shown as a live VG"
	grep -q "@history/${S}a" "$TMP/merge.ls" && fail "vgmerge: the live ${S}a ($into_u) under @history" ||
		pass "vgmerge: the live ${S}a not under @history"
fi
if mount_ls ren --all-generations "$RA" "$RB"; then
	has ren "${S}r/fresh" && ! has ren "${S}r/was" && pass "vgrename: the new ${S}r/ ($reused_u) keeps the name" ||
		fail "vgrename: ${S}r/ is not the new VG: $(head -c 600 "$TMP/ren.ls")"
	has ren "${S}n/was" && pass "vgrename: the renamed VG is ${S}n/ ($renamed_u)" || fail "vgrename: no ${S}n/was"
	grep -Eq "^(@history/)?${S}r@" "$TMP/ren.ls" && fail "vgrename: a ${S}r@UUID folder though the old name is live VG ${S}n's history" ||
		pass "vgrename: no ${S}r@UUID folder (the old name is in ${S}n/@generations)"
	ls_gen=$(grep -c "^${S}n/@generations/[0-9]*$" "$TMP/ren.ls")
	[ "$ls_gen" -ge 3 ] && pass "vgrename: ${S}n/@generations holds the generations under the old name ($ls_gen)" ||
		fail "vgrename: ${S}n/@generations holds $ls_gen generations"
fi

# the thin fixture: the pool is not shown, the log says why
mapfile -t THIN < <(fixture_images thin)
if mount_ls thin "${THIN[@]}"; then
	has thin "fx_thin/thin1" && has thin "fx_thin/@hidden/pool_tdata" && ! has thin "fx_thin/pool" &&
		pass "mount: thin LVs and pool_tdata shown, the pool not" ||
		fail "mount: thin listing: $(cat "$TMP/thin.ls")"
	grep -q "fx_thin/pool: not shown.*thin1, thin2.*pool_tdata.*\[thin_pool_lv\]" "$TMP/thin.log" &&
		pass "mount: @mlvm.log says the pool is not shown and why" ||
		fail "mount: @mlvm.log says nothing of the pool: $(grep -i pool "$TMP/thin.log")"
fi
finish
