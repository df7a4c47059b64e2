#!/bin/bash
# Every fixture: `mlvm read --json` agrees with what LVM2 recorded (VG, every
# PV, every LV and segment with its areas and tags), the table shows the
# quickstart's rows (its cells as wide as the widest row, whether the rows
# are kept or measured and made again: check_table.py), and the images are
# left byte for byte unchanged.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
"$PYTHON3" -c 'import lzma' 2>/dev/null || skip "python3 with lzma needed"
n=0
for dir in "$FIXTURES"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/manifest.json" ] || continue
	n=$((n + 1))
	if "$PYTHON3" "$top_srcdir/tests/cli/compare_read.py" "$MLVM" "$dir" "$TMP" >"$TMP/cmp" 2>&1; then
		pass "read --json matches LVM2 on $name"
	else
		fail "read --json differs from LVM2 on $name:"
		cat "$TMP/cmp"
	fi
	# the table made both ways (rows kept, or measured and made again)
	mapfile -t fimgs < <(fixture_images "$name")
	if "$PYTHON3" "$top_srcdir/tests/cli/check_table.py" "$MLVM" "${fimgs[@]}" >"$TMP/tab" 2>&1; then
		pass "read's table on $name: cells as wide as the widest row, kept or measured"
	else
		fail "read's table on $name:"
		cat "$TMP/tab"
	fi
	# images untouched: compare with the sha256 LVM2's run recorded
	"$PYTHON3" - "$dir" "$TMP/$name" <<'PY' || fail "$name: an image changed after reading"
import hashlib, json, os, sys
m = json.load(open(os.path.join(sys.argv[1], 'manifest.json')))
for pv in m['pvs']:
    p = os.path.join(sys.argv[2], pv['file'][:-3])
    h = hashlib.sha256(open(p, 'rb').read()).hexdigest()
    if h != pv['sha256']:
        print('%s: sha256 %s, recorded %s' % (p, h, pv['sha256']))
        sys.exit(1)
PY
done
[ "$n" -ge 11 ] || fail "only $n fixtures found under $FIXTURES"

# the table of the original quickstart, on the demo image
mapfile -t imgs < <(fixture_images demo)
if expect_status 0 "read demo (table)" read "${imgs[@]}"; then
	head -1 "$TMP/out" | grep -Eq '^key +\|value +\|$' || fail "table header: $(head -1 "$TMP/out")"
	sed -n 2p "$TMP/out" | grep -Eq '^-+\|-+\|$' || fail "table rule: $(sed -n 2p "$TMP/out")"
	for key in name id seqno status extent_size max_lv max_pv pv0/name pv0/id pv0/stored_device \
		pv0/real_device pv0/status pv0/size_in_sectors pv0/pe_start pv0/pe_count pv0/label/id \
		pv0/label/device_size pv0/label/extents pv0/label/metadata_areas root/name root/id \
		root/tags root/status root/segments root/size root/segment1 free_space; do
		grep -Eq "^${key//\//\\/} +\|" "$TMP/out" || fail "table has no row $key"
	done
	grep -Eq '^name +\|demo +\|$' "$TMP/out" || fail "table: vg name row"
	grep -Eq '^data/segment1 +\|striped \(2 stripes of 64.00 KiB\), extents 0-15, on pv0:16, pv1:14 +\|$' "$TMP/out" ||
		fail "table: striped segment row: $(grep '^data/segment1' "$TMP/out")"
	grep -Eq '^home/segment2 +\|linear, extents 8-13, on pv1:0 +\|$' "$TMP/out" ||
		fail "table: linear segment row: $(grep '^home/segment2' "$TMP/out")"
	[ ! -s "$TMP/err" ] || fail "warnings on the clean demo image: $(cat "$TMP/err")"
fi

# --vg picks a VG; an unknown one is an error
expect_status 0 "read --vg demo" read --vg demo "${imgs[@]}"
expect_status 1 "read --vg nosuch" read --vg nosuch "${imgs[@]}" &&
	grep -q "no volume group named nosuch" "$TMP/err" || fail "--vg nosuch message"

# one PV of two: the VG is still read, the other PV is marked missing
expect_status 0 "read demo with one PV missing" --json read "${imgs[0]}"
"$PYTHON3" - "$TMP/out" <<'PY' || fail "missing PV not reported"
import json, sys
d = json.load(open(sys.argv[1]))
pvs = d['vgs'][0]['pvs']
assert [p['missing'] for p in pvs] == [False, True], pvs
assert pvs[1]['image'] is None and pvs[1]['offset'] is None
assert any(w['code'] == 'pv_missing' for w in d['warnings']), d['warnings']
PY
finish
