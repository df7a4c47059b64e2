#!/bin/bash
# What the text output says, checked against LVM2's own answers (issue 15,
# Output):
#  - read: every size with its unit, as vgs/pvs report them (--units b, s,
#    m and the default), the VG's creation time (UTC, as pvck dumps the
#    committed text), host and description, the LVs' creation times
#    (vgcfgbackup), long text cut with "..." (full with --verbose, and in
#    JSON, which adds creation_time_utc);
#  - history: one line per generation (the seqnos pvck's metadata_search
#    lists), TIME (UTC), the images holding each, within 100 columns;
#    --verbose lists every copy at the offsets pvck gives;
#  - diff: an LV or PV named once per line; pv_changed names its PV and what
#    changed (LVM2 on loop devices: pvchange --addtag, pvresize; as root);
#  - map: the bytes of every PE range and area in its image (pvs pe_start +
#    PE * vg_extent_size, lvs seg_pe_ranges), also for a PV inside an MBR
#    partition;
#  - a metadata area cut by the end of the image is said to run past the end
#    of the image, not into another copy;
#  - counts in messages agree with their nouns ("1 free extent").
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"

mapfile -t demo < <(fixture_images demo)
D=$FIXTURES/demo

# ------------------------------------------------------------------ read
if expect_status 0 "read demo (table)" read "${demo[@]}"; then
	cp "$TMP/out" "$TMP/read.h"
	run_mlvm read --units b "${demo[@]}"
	cp "$TMP/out" "$TMP/read.b"
	run_mlvm read --units s "${demo[@]}"
	cp "$TMP/out" "$TMP/read.s"
	run_mlvm read --units m "${demo[@]}"
	cp "$TMP/out" "$TMP/read.m"
	run_mlvm read --verbose "${demo[@]}"
	cp "$TMP/out" "$TMP/read.v"
	run_mlvm --json read "${demo[@]}"
	cp "$TMP/out" "$TMP/read.json"
	"$PYTHON3" - "$D" "$TMP" <<'PY' && pass "read: sizes with units, times in UTC, host and description as LVM2 has them" ||
import datetime, json, os, re, sys
d, tmp = sys.argv[1], sys.argv[2]
def rows(name):
    out = {}
    for line in open(os.path.join(tmp, name)).read().splitlines()[2:]:
        k, v = line.split('|')[:2]
        out[k.strip()] = v.rstrip()
    return out
h, b, s, m, v = (rows('read.' + x) for x in 'hbsmv')
vg = json.load(open(os.path.join(d, 'vgs.json')))['report'][0]['vg'][0]
pvs = {p['pv_uuid']: p for p in json.load(open(os.path.join(d, 'pvs.json')))['report'][0]['pv']}
man = json.load(open(os.path.join(d, 'manifest.json')))
bad = []
def eq(got, want, what):
    if got != want:
        bad.append('%s: %r, expected %r' % (what, got, want))
def human(n):
    for i, u in enumerate(['KiB', 'MiB', 'GiB', 'TiB']):
        if n < 1024 ** (i + 2):
            return '%.2f %s' % (n / 1024 ** (i + 1), u)
ext = int(vg['vg_extent_size'])
eq(h['extent_size'], '%d sectors, %s' % (ext // 512, human(ext)), 'extent_size')
eq(b['extent_size'], '%d bytes' % ext, 'extent_size --units b')
eq(s['extent_size'], '%d sectors' % (ext // 512), 'extent_size --units s')
eq(m['extent_size'], '%.2f MiB' % (ext / 1048576), 'extent_size --units m')
nfree, free = int(vg['vg_free_count']), int(vg['vg_free'])
eq(h['free_space'], '%d extents, %s' % (nfree, human(free)), 'free_space')
eq(b['free_space'], '%d extents, %d bytes' % (nfree, free), 'free_space --units b')
for i, p in enumerate(man['pvs']):
    lp = pvs[p['pv_uuid']]
    eq(h['pv%d/pe_start' % i], '%d sectors, %s' % (int(lp['pe_start']) // 512, human(int(lp['pe_start']))),
       'pv%d/pe_start' % i)
    eq(b['pv%d/pe_start' % i], '%s bytes' % lp['pe_start'], 'pv%d/pe_start --units b' % i)
    eq(b['pv%d/label/device_size' % i], '%s bytes' % lp['dev_size'], 'pv%d/label/device_size --units b' % i)
    eq(h['pv%d/label/device_size' % i], '%s bytes, %s' % (lp['dev_size'], human(int(lp['dev_size']))),
       'pv%d/label/device_size' % i)
# the committed text as pvck dumped it: creation_time, host, description
# (pvck writes it unindented: the VG's keys are the ones after "contents")
text = open(os.path.join(d, 'pv0.mda1.metadata.txt')).read()
text = text[text.rindex('contents = "Text Format Volume Group"'):]
t = int(re.search(r'^creation_time = (\d+)', text, re.M).group(1))
host = re.search(r'^creation_host = "([^"]*)"', text, re.M).group(1)
desc = re.search(r'^description = "([^"]*)"', text, re.M).group(1)
utc = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
eq(h['creation_time'], utc.strftime('%Y-%m-%d %H:%M:%S UTC'), 'creation_time')
eq(h['creation_host'], host, 'creation_host')
eq(v['description'], desc, 'description --verbose')
if len(desc) > 60:
    eq(h['description'], desc[:57] + '...', 'description cut')
else:
    bad.append('the demo description is short: the cut is not tested')
j = json.load(open(os.path.join(tmp, 'read.json')))['vgs'][0]
eq(j['creation_time'], t, 'json creation_time')
eq(j['creation_time_utc'], utc.strftime('%Y-%m-%dT%H:%M:%SZ'), 'json creation_time_utc')
eq(j['description'], desc, 'json description')
# each LV's creation time and host, as vgcfgbackup has them
bk = open(os.path.join(d, 'vgcfgbackup.txt')).read()
for lv in j['lvs']:
    sec = re.search(r'^\t\t%s \{.*?creation_time = (\d+).*?creation_host = "([^"]*)"' % re.escape(lv['name']),
                    bk, re.M | re.S)
    lt = datetime.datetime.fromtimestamp(int(sec.group(1)), datetime.timezone.utc)
    eq(h[lv['name'] + '/creation_time'], lt.strftime('%Y-%m-%d %H:%M:%S UTC'), lv['name'] + '/creation_time')
    eq(h[lv['name'] + '/creation_host'], sec.group(2), lv['name'] + '/creation_host')
    eq(lv['creation_time_utc'], lt.strftime('%Y-%m-%dT%H:%M:%SZ'), lv['name'] + ' json creation_time_utc')
for name, r in (('default', h), ('--units b', b)):
    for k, val in r.items():
        if re.fullmatch(r'\d+', val) and k.rsplit('/', 1)[-1] not in ('seqno', 'max_lv', 'max_pv', 'pe_count',
                                                                     'extents', 'metadata_areas', 'segments'):
            bad.append('%s: row %s is a bare number: %s' % (name, k, val))
for x in bad:
    print(x)
sys.exit(1 if bad else 0)
PY
		fail "read: sizes, times or text differ from LVM2's"
	awk '{ if (length($0) > 100) { print; n++ } } END { exit n > 0 }' "$TMP/read.h" ||
		fail "read: lines over 100 columns: $(awk 'length($0) > 100' "$TMP/read.h" | head -3)"
fi
expect_status 2 "read --units x is a usage error" read --units x "${demo[@]}" &&
	grep -q -- "--units takes one of" "$TMP/err" || fail "read --units x: $(cat "$TMP/err")"

# a long libmagic string: cut in the table, full with --verbose and in JSON.
# root's first bytes become a gzip file with a long name (libmagic quotes it).
"$PYTHON3" -c 'import gzip, sys
with open(sys.argv[1], "wb") as f:
    with gzip.GzipFile("evidence-collected-from-the-suspect-laptop-drive.tar", "wb", 9, f, 1767323045) as z:
        z.write(b"x" * 4096)' "$TMP/long.gz"
if cp "${demo[0]}" "$TMP/elf0.img" && cp "${demo[1]}" "$TMP/elf1.img" &&
	"$MLVM" --json map --lv root "$TMP/elf0.img" "$TMP/elf1.img" >"$TMP/map.json" 2>/dev/null; then
	off=$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([a for l in d["vgs"][0]["lvs"] if l["name"]=="root" for s in l["segments"] for a in s["areas"]][0]["offset"])' "$TMP/map.json")
	dd if="$TMP/long.gz" of="$TMP/elf0.img" bs=512 seek=$((off / 512)) conv=notrunc status=none
	run_mlvm --json read "$TMP/elf0.img" "$TMP/elf1.img"
	content=$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([l["content"] or "" for l in d["vgs"][0]["lvs"] if l["name"]=="root"][0])' "$TMP/out")
	if [ "${#content}" -le 60 ]; then
		echo "note: libmagic names the gzip file in ${#content} characters ('$content'): the cut is not tested"
	else
		run_mlvm read "$TMP/elf0.img" "$TMP/elf1.img"
		got=$(awk -F'|' '$1 ~ /^root\/content / { sub(/ +$/, "", $2); print $2 }' "$TMP/out")
		[ "$got" = "${content:0:57}..." ] && pass "read: a ${#content}-character content cut to 60 with ..." ||
			fail "read: content row '$got', expected '${content:0:57}...'"
		awk '{ if (length($0) > 100) n++ } END { exit n > 0 }' "$TMP/out" &&
			pass "read: the long content does not widen the table past 100 columns" ||
			fail "read: table wider than 100 columns with a long content"
		run_mlvm read -v "$TMP/elf0.img" "$TMP/elf1.img"
		got=$(awk -F'|' '$1 ~ /^root\/content / { sub(/ +$/, "", $2); print $2 }' "$TMP/out")
		[ "$got" = "$content" ] && pass "read -v: the content in full" || fail "read -v: content '$got'"
	fi
fi

# ------------------------------------------------------------------ history
check_history_text() { # FIXTURE
	local fx=$1 imgs
	mapfile -t imgs < <(fixture_images "$fx")
	run_mlvm history "${imgs[@]}"
	cp "$TMP/out" "$TMP/hist.txt"
	run_mlvm history --verbose "${imgs[@]}"
	cp "$TMP/out" "$TMP/hist.v"
	run_mlvm history --copies "${imgs[@]}"
	cp "$TMP/out" "$TMP/hist.c"
	run_mlvm --json history "${imgs[@]}"
	cp "$TMP/out" "$TMP/hist.json"
	"$PYTHON3" - "$FIXTURES/$fx" "$TMP" "${imgs[@]}" <<'PY'
import glob, json, os, re, sys
d, tmp, imgs = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(os.path.join(tmp, 'hist.txt')).read().splitlines()
bad = []
head = lines[0]
for col in ('TIME (UTC)', 'HOST', 'COPIES', 'FOUND IN'):
    if col not in head:
        bad.append('header: no %s: %r' % (col, head))
long = [l for l in lines if len(l) > 100]
if long:
    bad.append('%d lines over 100 columns: %r' % (len(long), long[0]))
# LVM2's answer: every copy pvck found, per image and area
copies = {}
for f in glob.glob(os.path.join(d, 'pv*.mda*.pvck-metadata_search.txt')):
    pv, mda = re.match(r'(pv\d+)\.mda(\d)', os.path.basename(f)).groups()
    for m in re.finditer(r'metadata at (\d+) length (\d+) crc \w+ vg (\S+) seqno (\d+)', open(f).read()):
        copies.setdefault((m.group(3), int(m.group(4))), set()).add((pv + '.img', int(mda)))
pos = head.index('STATE'), head.index('TIME (UTC)'), head.index('FOUND IN'), head.index('DESCRIPTION')
host_at, copies_at = head.index('HOST'), head.index('COPIES')
hosts = {}
for g in json.load(open(os.path.join(tmp, 'hist.json')))['generations']:
    if g['seqno'] is not None:
        hosts[(g['vg'], g['seqno'])] = g['creation_host'] or '-'
counted_copies = {}
mdas = any(m > 1 for w in copies.values() for _, m in w)
seen, states = {}, {}
for l in lines[1:]:
    f = l.split()
    if f[1] == '?':
        continue
    key = (f[0], int(f[1]))
    state, where = l[pos[0]:pos[1]].strip(), l[pos[2]:pos[3]].strip()
    if (key, state) in states:
        bad.append('generation %s seqno %d: two lines of state %s' % (key + (state,)))
    states[(key, state)] = True
    host = l[host_at:copies_at].strip()
    if key in hosts and host != hosts[key][:12] and not (len(hosts[key]) > 12 and host.endswith('...')):
        bad.append('seqno %d: HOST %r, JSON %r' % (key[1], host, hosts[key]))
    counted_copies[key] = counted_copies.get(key, 0) + int(l[copies_at:pos[2]].strip())
    m = re.fullmatch(r'(\d+) images?', where)
    got = seen.setdefault(key, set())
    if m:
        got.add(('*', int(m.group(1))))
        continue
    for item in where.split(', '):
        if mdas:
            img, ms = item.split(' mda')
            got |= {(img, int(x)) for x in ms.split('+')}
        else:
            got.add((item, 1))
for key, where in copies.items():
    if key not in seen:
        bad.append('seqno %d of %s (pvck) not listed' % (key[1], key[0]))
        continue
    got = seen[key]
    images = sum(n for i, n in got if i == '*')
    listed = {x for x in got if x[0] != '*'}
    if not listed <= where or (not images and len(listed) != len(where)) or \
            (images and images != len({i for i, _ in where})):
        bad.append('seqno %d: found in %s, pvck %s' % (key[1], sorted(got), sorted(where)))
    if counted_copies.get(key) != len(where):
        bad.append('seqno %d: COPIES %s, pvck %d copies' % (key[1], counted_copies.get(key), len(where)))
# --verbose and --copies: one line per copy, at the offsets pvck gives (area start + offset)
v = open(os.path.join(tmp, 'hist.v')).read()
cp = open(os.path.join(tmp, 'hist.c')).read()
js = json.load(open(os.path.join(tmp, 'hist.json')))['generations']
for g in js:
    line = '    %s mda%d at byte %d, %d bytes' % (g['image'], g['mda'], g['offset'], g['size'])
    if line not in v:
        bad.append('--verbose has no line %r' % line)
    if line not in cp:
        bad.append('--copies has no line %r' % line)
    if g['creation_time'] and g['seqno'] is not None and g['creation_time_utc'] not in v:
        bad.append('time %s of seqno %s not in the text' % (g['creation_time_utc'], g['seqno']))
for x in bad:
    print(x)
sys.exit(1 if bad else 0)
PY
}
for fx in demo twomda ignoredmda wrapped; do
	[ -d "$FIXTURES/$fx" ] || continue
	check_history_text "$fx" >"$TMP/hc" 2>&1 && pass "history $fx: one line per generation, as pvck finds them, TIME (UTC), HOST, COPIES as pvck counts them, --copies, within 100 columns" ||
		{ fail "history $fx:"; cat "$TMP/hc"; }
done

# ------------------------------------------------------------------ diff
if expect_status 0 "diff demo 5 -> 10" diff --from 5 --to 10 "${demo[@]}"; then
	grep -Eq '^lv_added +data$' "$TMP/out" && grep -Eq '^lv_removed +scratch$' "$TMP/out" &&
		pass "diff: an LV added or removed is named once" ||
		fail "diff: $(cat "$TMP/out")"
	grep -Eq '^lv_renamed +home +homes -> home$' "$TMP/out" || fail "diff: rename row: $(grep renamed "$TMP/out")"
fi

# ------------------------------------------------------------------ map
map_bytes() { # DIR IMAGE... : offsets in map --json against pvs pe_start and lvs seg_pe_ranges
	local dir=$1
	shift
	"$MLVM" --json map "$@" >"$TMP/map.json" 2>"$TMP/err" || { echo "map: exit $?"; return 1; }
	"$PYTHON3" - "$dir" "$TMP/map.json" "${PVOFF:-0}" <<'PY'
import json, os, re, sys
d, mp, pvoff = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
vgs = json.load(open(os.path.join(d, 'vgs.json')))['report'][0]['vg'][0]
pvs = {p['pv_uuid']: p for p in json.load(open(os.path.join(d, 'pvs.json')))['report'][0]['pv']}
dev = {p['pv_name']: p['pv_uuid'] for p in pvs.values()}
ext = int(vgs['vg_extent_size'])
vg = mp['vgs'][0]
bad = []
byname = {}
for p in vg['pvs']:
    lp = pvs[p['id']]
    byname[p['name']] = lp
    if p['offset'] != pvoff or p['pe_start'] * 512 != int(lp['pe_start']):
        bad.append('%s: offset %s pe_start %s, LVM2 pe_start %s' % (p['name'], p['offset'], p['pe_start'], lp['pe_start']))
    for e in p['extents']:
        want = pvoff + int(lp['pe_start']) + e['start'] * ext
        if e['offset'] != want or e['size'] != e['count'] * ext:
            bad.append('%s PE %d+%d: offset %s size %s, expected %d %d' % (p['name'], e['start'], e['count'],
                                                                        e['offset'], e['size'], want, e['count'] * ext))
# every PE range LVM2 gives an LV segment is an area with those bytes
areas = {}
for l in vg['lvs']:
    for s in l['segments']:
        for a in s['areas']:
            if 'pv' in a:
                areas[(l['name'], a['pv'], a['pe_start'])] = a
for s in json.load(open(os.path.join(d, 'lvs.json')))['report'][0]['seg']:
    name = s['lv_name'].strip('[]')
    for r in s['seg_pe_ranges'].split():
        m = re.fullmatch(r'(\S+):(\d+)-(\d+)', r)
        if not m or m.group(1) not in dev:
            continue	# a sub-LV's LE range, not a PV's
        uuid = dev[m.group(1)]
        pvname = [p['name'] for p in vg['pvs'] if p['id'] == uuid][0]
        a = areas.get((name, pvname, int(m.group(2))))
        want = pvoff + int(pvs[uuid]['pe_start']) + int(m.group(2)) * ext
        n = (int(m.group(3)) - int(m.group(2)) + 1) * ext
        if not a or a['offset'] != want or a['size'] != n:
            bad.append('%s %s: %s, expected offset %d size %d' % (name, r, a, want, n))
for x in bad:
    print(x)
sys.exit(1 if bad else 0)
PY
}
for dir in "$FIXTURES"/*/; do
	fx=$(basename "$dir")
	[ -f "$dir/lvs.json" ] || continue
	mapfile -t imgs < <(fixture_images "$fx")
	map_bytes "$dir" "${imgs[@]}" >"$TMP/mc" 2>&1 && pass "map --json $fx: byte offsets as LVM2's pe_start and PE ranges give them" ||
		{ fail "map --json $fx:"; cat "$TMP/mc"; }
done
# a PV inside an MBR partition starting at sector 2048: everything 1 MiB further
mapfile -t lin < <(fixture_images linear)
"$PYTHON3" - "${lin[0]}" "$TMP/disk.img" <<'PY' || fail "cannot build the partitioned image"
import struct, sys
pv = open(sys.argv[1], 'rb').read()
sectors = len(pv) // 512
mbr = bytearray(512)
mbr[446:462] = struct.pack('<B3sB3sII', 0, b'\0\0\0', 0x8e, b'\0\0\0', 2048, sectors)
mbr[510:512] = b'\x55\xaa'
with open(sys.argv[2], 'wb') as f:
    f.write(mbr + bytes(2048 * 512 - 512) + pv)
PY
PVOFF=1048576 map_bytes "$FIXTURES/linear" "$TMP/disk.img" >"$TMP/mc" 2>&1 &&
	pass "map --json: a PV in a partition at byte 1048576: offsets shifted by it" ||
	{ fail "map --json partitioned:"; cat "$TMP/mc"; }
run_mlvm map "$TMP/disk.img"
pe_start=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["report"][0]["pv"][0]["pe_start"])' "$FIXTURES/linear/pvs.json")
grep -q "^  pv at byte 1048576 of $TMP/disk.img, pe_start $((pe_start / 512)) sectors .*: PE 0 at byte $((1048576 + pe_start))$" "$TMP/out" &&
	pass "map: the PV's offset in the disk image, pe_start and where PE 0 begins" ||
	fail "map: PV line: $(grep '^  pv at' "$TMP/out")"

# ------------------------------------------------------------------ a cut metadata area
"$MLVM" --json history "${lin[0]}" >"$TMP/h.json" 2>/dev/null
cut=$("$PYTHON3" -c 'import json,sys; g=[x for x in json.load(open(sys.argv[1]))["generations"] if x["slot"]=="committed"][0]; print(g["offset"] + g["size"] // 2)' "$TMP/h.json")
head -c "$cut" "${lin[0]}" >"$TMP/cut.img"
run_mlvm history "$TMP/cut.img"
if grep -q "carve_truncated" "$TMP/err"; then
	grep "carve_truncated" "$TMP/err" | grep -q "runs past the end of the image" &&
		! grep -q "another copy" "$TMP/err" &&
		pass "a copy cut by the end of the image is said to be so" ||
		fail "cut copy: $(grep carve_truncated "$TMP/err")"
else
	fail "no carve_truncated notice for a copy cut by the image end: $(cat "$TMP/err")"
fi

# ------------------------------------------------------------------ counts and nouns
truncate -s 8M "$TMP/w.img"
"$MLVM" format --extent-size 1M "$TMP/w.img" >/dev/null 2>&1 || fail "format"
free=$("$MLVM" --json read "$TMP/w.img" 2>/dev/null | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["vgs"][0]["free_extents"])')
if [ -n "$free" ] && [ "$free" -gt 1 ]; then
	"$MLVM" create --size $((free - 1))M "$TMP/w.img" big >/dev/null 2>&1 || fail "create big"
	run_mlvm create --size 2M "$TMP/w.img" small
	grep -q "has 1 free extent, 2 needed" "$TMP/err" && pass "1 free extent (not 'extents')" ||
		fail "create with 1 extent free: $(cat "$TMP/err")"
	run_mlvm read "$TMP/w.img"
	grep -Eq '^free_space +\|1 extent, 1.00 MiB +\|$' "$TMP/out" && pass "read: free_space 1 extent" ||
		fail "read: free_space row: $(grep free_space "$TMP/out")"
fi

# ------------------------------------------------------------------ pv_changed (LVM2 on loop devices)
if [ "$(id -u)" -ne 0 ] || ! command -v lvm >/dev/null || ! losetup -f >/dev/null 2>&1; then
	echo "SKIP: pv_changed against LVM2 needs root, lvm2 and free loop devices"
	finish
fi
export LVM_SUPPRESS_FD_WARNINGS=1
LOOPS=()
trap 'for l in "${LOOPS[@]}"; do loop_release "$l"; done; rm -rf "$TMP"' EXIT
VG=out$$
truncate -s 8M "$TMP/a.img"
truncate -s 16M "$TMP/b.img"
for f in a b; do
	l=$(losetup -f --show "$TMP/$f.img") || { fail "losetup"; finish; }
	LOOPS+=("$l")
done
o=(--devices "${LOOPS[0]},${LOOPS[1]}" --config 'backup { backup = 0 archive = 0 } devices { use_devicesfile = 0 }')
if ! { pvcreate -q "${o[@]}" "${LOOPS[0]}" && pvcreate -q "${o[@]}" --setphysicalvolumesize 8M "${LOOPS[1]}" &&
	vgcreate -q "${o[@]}" -s 1M "$VG" "${LOOPS[0]}" "${LOOPS[1]}" &&
	pvchange -q "${o[@]}" --addtag evidence "${LOOPS[1]}" &&
	pvresize -q "${o[@]}" "${LOOPS[1]}"; } >"$TMP/lvm.log" 2>&1; then
	fail "lvm2: $(tail -5 "$TMP/lvm.log")"
	finish
fi
pvs "${o[@]}" --reportformat json -o pv_name,pv_uuid,pv_tags,pv_pe_count "${LOOPS[1]}" >"$TMP/pvs.json" 2>>"$TMP/lvm.log"
vgcfgbackup "${o[@]}" -f "$TMP/bk.txt" "$VG" >>"$TMP/lvm.log" 2>&1
for l in "${LOOPS[@]}"; do losetup -d "$l"; done
LOOPS=()
run_mlvm --json diff --from 1 --to 3 "$TMP/a.img" "$TMP/b.img"
cp "$TMP/out" "$TMP/diff.json"
run_mlvm diff --from 1 --to 3 "$TMP/a.img" "$TMP/b.img"
"$PYTHON3" - "$TMP" <<'PY' && pass "diff: pv_changed rows name the PV (as vgcfgbackup does) and what changed, as pvs reports it" ||
import json, os, re, sys
tmp = sys.argv[1]
lp = json.load(open(os.path.join(tmp, 'pvs.json')))['report'][0]['pv'][0]
bk = open(os.path.join(tmp, 'bk.txt')).read()
name = re.search(r'(pv\d+) \{\s*id = "%s"' % re.escape(lp['pv_uuid']), bk).group(1)
ch = json.load(open(os.path.join(tmp, 'diff.json')))['changes']
text = open(os.path.join(tmp, 'out')).read()
bad = []
pc = [c for c in ch if c['kind'] == 'pv_changed']
tags = [c for c in pc if c['field'] == 'tags']
size = [c for c in pc if c['field'] == 'size']
if not tags or tags[0]['pv'] != name or tags[0]['after'] != lp['pv_tags'] or tags[0]['lv'] is not None:
    bad.append('tags change: %s (pvs: %s)' % (tags, lp))
if not size or size[0]['pv'] != name or not size[0]['after'].startswith(lp['pv_pe_count'] + ' extents'):
    bad.append('size change: %s (pvs: %s)' % (size, lp))
if not re.search(r'^pv_changed +%s +tags:  -> %s$' % (name, re.escape(lp['pv_tags'])), text, re.M):
    bad.append('text tags row: %r' % text)
if not re.search(r'^pv_changed +%s +size: \d+ extents.* -> %s extents' % (name, lp['pv_pe_count']), text, re.M):
    bad.append('text size row: %r' % text)
for x in bad:
    print(x)
sys.exit(1 if bad else 0)
PY
	fail "diff pv_changed: $(cat "$TMP/out" "$TMP/err")"
finish
