#!/bin/bash
# mlvm map against LVM2 as the oracle: for every fixture, each LV segment's
# PE ranges (lvs seg_pe_ranges) and each PV's extent count and free extents
# (pvs pv_pe_count - pv_pe_alloc_count) agree with what LVM2 recorded; --lv,
# --generation, usage errors, and overlaps and areas past a PV's end in
# metadata edited to have them.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
"$PYTHON3" -c 'import json' 2>/dev/null || skip "python3 needed"

n=0
for dir in "$FIXTURES"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/lvs.json" ] && [ -f "$dir/pvs.json" ] || continue
	n=$((n + 1))
	mapfile -t imgs < <(fixture_images "$name")
	if ! expect_status 0 "map --json $name" --json map "${imgs[@]}"; then
		continue
	fi
	cp "$TMP/out" "$TMP/map-$name.json"
	if "$PYTHON3" - "$dir" "$TMP/map-$name.json" >"$TMP/cmp" 2>&1 <<'PY'; then
import json, os, sys
d, mp = sys.argv[1], sys.argv[2]
lvs = json.load(open(os.path.join(d, 'lvs.json')))['report'][0]['seg']
pvs = json.load(open(os.path.join(d, 'pvs.json')))['report'][0]['pv']
m = json.load(open(mp))
bad = []
vgname = lvs[0]['vg_name'] if lvs else pvs[0]['vg_name']
vgs = [v for v in m['vgs'] if v['name'] == vgname]
if len(vgs) != 1:
    sys.exit('map has no vg %s: %s' % (vgname, [v['name'] for v in m['vgs']]))
vg = vgs[0]
dev2id = {p['pv_name']: p['pv_uuid'] for p in pvs}
mpv = {p['id']: p for p in vg['pvs']}
name2id = {p['name']: p['id'] for p in vg['pvs']}
# PVs: extent counts and free extents
for p in pvs:
    if p.get('vg_name') != vgname:
        continue
    q = mpv.get(p['pv_uuid'])
    if q is None:
        bad.append('pv %s not in the map' % p['pv_uuid']); continue
    pe, alloc = int(p['pv_pe_count']), int(p['pv_pe_alloc_count'])
    if q['pe_count'] != pe:
        bad.append('%s pe_count %d, LVM2 %d' % (q['name'], q['pe_count'], pe))
    if q['free_extents'] != pe - alloc or q['used_extents'] != alloc:
        bad.append('%s used/free %d/%d, LVM2 %d/%d' % (q['name'], q['used_extents'],
                   q['free_extents'], alloc, pe - alloc))
    # the extents list covers the PV exactly once when nothing overlaps
    cov = sum(e['count'] for e in q['extents'])
    free = sum(e['count'] for e in q['extents'] if e.get('free'))
    if cov != pe or free != pe - alloc:
        bad.append('%s extents list covers %d (free %d), expected %d (free %d)' % (
            q['name'], cov, free, pe, pe - alloc))
    starts = [e['start'] for e in q['extents']]
    if starts != sorted(starts):
        bad.append('%s extents not in PE order' % q['name'])
# LVs: each segment's ranges
mlv = {l['name']: l for l in vg['lvs']}
seen = {}
for s in lvs:
    name = s['lv_name'].strip('[]')
    seen[name] = seen.get(name, 0) + 1
    l = mlv.get(name)
    if l is None:
        bad.append('lv %s not in the map' % name); continue
    st, sz = int(s['seg_start_pe']), int(s['seg_size_pe'])
    segs = [g for g in l['segments'] if g['le_start'] == st]
    if len(segs) != 1 or segs[0]['le_count'] != sz:
        bad.append('lv %s: no segment at LE %d of %d extents' % (name, st, sz)); continue
    g = segs[0]
    want_pv, want_lv = set(), set()
    for r in s['seg_pe_ranges'].split():
        dev, rng = r.rsplit(':', 1)
        a, b = (int(x) for x in rng.split('-'))
        if dev in dev2id:
            want_pv.add((dev2id[dev], a, b))
        else:
            want_lv.add((dev.strip('[]'), a, b))
    have_pv = {(name2id.get(x['pv']), x['pe_start'], x['pe_start'] + x['pe_count'] - 1)
               for x in g['areas'] if 'pv' in x}
    have_lv = {(x['lv'], x['le_start'], x['le_start'] + x['le_count'] - 1)
               for x in g['areas'] + g['refs'] if 'lv' in x}
    if have_pv != want_pv:
        bad.append('lv %s segment at LE %d: pv ranges %s, LVM2 %s' % (name, st, sorted(have_pv), sorted(want_pv)))
    # LVM2 leaves out raid metadata sub-LVs: what it lists must be there
    if not want_lv <= have_lv:
        bad.append('lv %s segment at LE %d: lv ranges %s, LVM2 %s' % (name, st, sorted(have_lv), sorted(want_lv)))
    # and the PV side of the map says the same
    for (pid, a, b) in want_pv:
        q = mpv[pid]
        if not any(e.get('lv') == name and e['start'] == a and e['count'] == b - a + 1 and
                   e['le_start'] == st for e in q['extents']):
            bad.append('%s extents %d-%d: not listed as lv %s' % (q['name'], a, b, name))
for name, l in mlv.items():
    # LVM2 does not list old-style snapshots' internal "snapshotN" LVs
    if l['segments'] and all(g['type'] == 'snapshot' for g in l['segments']) and name not in seen:
        continue
    if seen.get(name, 0) != len(l['segments']):
        bad.append('lv %s: %d segments, LVM2 %d' % (name, len(l['segments']), seen.get(name, 0)))
if vg['overlaps'] or vg['past_end']:
    bad.append('overlaps/past_end on a clean fixture: %s %s' % (vg['overlaps'], vg['past_end']))
for b in bad[:20]:
    print(b)
sys.exit(1 if bad else 0)
PY
		pass "map matches LVM2 on $name"
	else
		fail "map differs from LVM2 on $name:"
		cat "$TMP/cmp"
	fi
done
[ "$n" -ge 11 ] || fail "only $n fixtures found under $FIXTURES"

mapfile -t imgs < <(fixture_images demo)
# the text form
if expect_status 0 "map demo (text)" map "${imgs[@]}"; then
	grep -Eq '^pv0 .* pe_count 32 +used 28 +free 4$' "$TMP/out" || fail "text: pv0 header: $(grep '^pv0' "$TMP/out")"
	# bytes in the image: pe_start 1048576 + PE * 65536 (LVM2's pvs pe_start, vgs vg_extent_size)
	grep -Eq '^  PE 16-23 +bytes 2097152-2621439 +data segment1 area0 +LE 0-15 \(stripe 1 of 2\)$' "$TMP/out" ||
		fail "text: data stripe row: $(grep '^  PE 16-23' "$TMP/out")"
	grep -Eq '^  PE 28-31 +bytes 2883584-3145727 +free$' "$TMP/out" || fail "text: free row"
	grep -Eq '^    area1 -> pv1 PE 14-21  bytes 1966080-2490367 of .*/pv1\.img$' "$TMP/out" || fail "text: lv map row"
	[ ! -s "$TMP/err" ] || fail "map demo: stderr: $(cat "$TMP/err")"
fi
# --lv: that LV only; VG/LV works too
if expect_status 0 "map --lv home" map --lv demo/home "${imgs[@]}"; then
	grep -q '^lv home' "$TMP/out" || fail "--lv home: no lv home section"
	! grep -q '^lv data\|free$\| root segment' "$TMP/out" || fail "--lv home shows other LVs or free space"
fi
expect_status 0 "map --json --lv data" --json map --lv data "${imgs[@]}" &&
	"$PYTHON3" -c '
import json, sys
v = json.load(open(sys.argv[1]))["vgs"][0]
assert [l["name"] for l in v["lvs"]] == ["data"], v["lvs"]
assert all(e["lv"] == "data" for p in v["pvs"] for e in p["extents"]), v["pvs"]' "$TMP/out" ||
	fail "--json --lv data lists other LVs"
# an unknown LV: 1, naming it and the VG, with near names
expect_status 1 "map --lv hme" map --lv hme "${imgs[@]}" &&
	{ grep -q "no lv hme in volume group demo" "$TMP/err" && grep -q "demo/home" "$TMP/err"; } ||
	fail "unknown lv message: $(cat "$TMP/err")"
# usage errors
expect_status 2 "map without image" map
expect_status 2 "map --lv without value" map --lv
expect_status 2 "map --bogus" map --bogus "${imgs[@]}"
expect_status 2 "map --generation x" map --generation x "${imgs[@]}"
expect_status 0 "map --help" map --help
# --generation: every generation history lists maps
mapfile -t wimgs < <(fixture_images wrapped)
run_mlvm --json history "${wimgs[@]}"
gen=$("$PYTHON3" -c '
import json, sys
g = [x["seqno"] for x in json.load(open(sys.argv[1]))["generations"] if x["parse_ok"] and x["checksum_ok"] is not False and x["complete"]]
print(min(g) if g else "")' "$TMP/out")
if [ -n "$gen" ]; then
	expect_status 0 "map --generation $gen" --json map --generation "$gen" "${wimgs[@]}" &&
		"$PYTHON3" -c 'import json,sys; assert json.load(open(sys.argv[1]))["vgs"][0]["seqno"] == int(sys.argv[2])' \
			"$TMP/out" "$gen" || fail "map --generation $gen: wrong seqno"
fi
expect_status 1 "map --generation 999999" map --generation 999999 "${wimgs[@]}"

# overlaps and areas past the end: edit the demo's metadata (same length,
# checksums fixed) so that logs starts on PE 20 (inside data's 16-23) and
# swap on PE 29 (its 4 extents run past pe_count 32)
mkdir -p "$TMP/edit"
cp "${imgs[@]}" "$TMP/edit/"
"$PYTHON3" - "$TMP"/edit/pv*.img <<'PY' || fail "could not edit the demo metadata"
import struct, sys, zlib
def crc(b):
    return zlib.crc32(b, 0xf597a6cf ^ 0xffffffff) ^ 0xffffffff
for path in sys.argv[1:]:
    f = open(path, 'r+b')
    f.seek(4096); h = bytearray(f.read(512))
    assert h[4:20] == b' LVM2 x[5A%r0N*>'
    start, = struct.unpack_from('<Q', h, 24)
    off, size, _, _ = struct.unpack_from('<QQII', h, 40)
    f.seek(start + off); t = f.read(size)
    i = t.index(b'logs {'); j = t.index(b'"pv0", 24', i)
    t = t[:j] + b'"pv0", 20' + t[j + 9:]
    i = t.index(b'swap {'); j = t.index(b'"pv0", 12', i)
    t = t[:j] + b'"pv0", 29' + t[j + 9:]
    f.seek(start + off); f.write(t)
    struct.pack_into('<I', h, 56, crc(t[:size]))
    struct.pack_into('<I', h, 0, crc(bytes(h[4:512])))
    f.seek(4096); f.write(h)
PY
expect_status 0 "map with overlap and past end" --json map "$TMP"/edit/pv*.img &&
	"$PYTHON3" - "$TMP/out" <<'PY' || fail "overlap/past end not reported: $(head -c 600 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
v = d['vgs'][0]
assert v['overlaps'] == [{'pv': 'pv0', 'start': 20, 'count': 4, 'lvs': ['data', 'logs']}], v['overlaps']
assert [(p['pv'], p['start'], p['count'], p['lv']) for p in v['past_end']] == [('pv0', 32, 1, 'swap')], v['past_end']
assert any(w['code'] == 'extent_overlap' for w in d['warnings']), d['warnings']
pv0 = v['pvs'][0]
assert pv0['used_extents'] == 12 + 8 + 3, pv0['used_extents']  # root, data, swap's 29-31; logs inside data
PY
run_mlvm map "$TMP"/edit/pv*.img
grep -q '^overlap: pv0 PE 20-23 used by data segment1 and logs segment1$' "$TMP/out" ||
	fail "text: overlap line: $(grep -i overlap "$TMP/out")"
grep -q '^past end: pv0 PE 32-32 (pe_count 32) used by swap segment1$' "$TMP/out" ||
	fail "text: past end line"
grep -q 'extent_overlap' "$TMP/err" || fail "text: no extent_overlap warning on stderr"
finish
