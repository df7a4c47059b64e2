#!/bin/bash
# Against LVM2 itself, now: build fixtures afresh with the real lvm2 tools on
# loop devices (fixtures/make-fixtures.sh) and check that mlvm reads exactly
# what LVM2 reports about them. Needs root, loop devices and lvm2.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

out=$TMP/live
if ! bash "$top_srcdir/fixtures/make-fixtures.sh" "$out" linear striped3 wrapped >"$TMP/make.log" 2>&1; then
	tail -30 "$TMP/make.log"
	fail "make-fixtures.sh failed"
	
# mlvm dump of an older generation is a file LVM2 accepts: vgcfgrestore
# --test takes it, and once restored (on copies of the images) LVM2 reports
# exactly the LVs that mlvm read --generation shows for that generation.
dir=$out/wrapped
vg=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["vg"])' "$dir/manifest.json")
orig=$TMP/wrapped/pv0.img
copy=$TMP/restore.img
gen=$("$MLVM" --json history "$orig" | "$PYTHON3" -c '
import json, sys
g = [x["seqno"] for x in json.load(sys.stdin)["generations"] if x["complete"] and x["parse_ok"]]
print(sorted(g)[len(g) // 2])')
"$MLVM" dump --generation "$gen" "$orig" >"$TMP/gen.vg" || fail "dump --generation $gen"
cp "$orig" "$copy"
loop=$(losetup -f --show "$copy")
trap 'loop_release "$loop"; rm -rf "$TMP"' EXIT
export LVM_SUPPRESS_FD_WARNINGS=1
lvmopts=(--devices "$loop" --config 'backup { backup = 0 archive = 0 } devices { use_devicesfile = 0 }')
if vgcfgrestore "${lvmopts[@]}" --test -f "$TMP/gen.vg" "$vg" >"$TMP/restore.log" 2>&1; then
	pass "vgcfgrestore --test accepts mlvm dump --generation $gen"
else
	fail "vgcfgrestore --test refuses mlvm dump --generation $gen: $(cat "$TMP/restore.log")"
fi
if vgcfgrestore "${lvmopts[@]}" -f "$TMP/gen.vg" "$vg" >>"$TMP/restore.log" 2>&1 &&
	lvs "${lvmopts[@]}" -a --reportformat json --units b --nosuffix -o lv_name,lv_uuid,lv_size,lv_tags "$vg" \
		>"$TMP/lvs.json" 2>>"$TMP/restore.log"; then
	"$MLVM" --json read --generation "$gen" "$orig" >"$TMP/mine.json"
	"$PYTHON3" - "$TMP/lvs.json" "$TMP/mine.json" <<'PY' && pass "restored generation $gen matches read --generation" ||
import json, sys
lvm = {r['lv_name'].strip('[]'): (r['lv_uuid'], int(r['lv_size']), sorted(t for t in r['lv_tags'].split(',') if t))
       for rep in json.load(open(sys.argv[1]))['report'] for r in rep['lv']}
mine = {lv['name']: (lv['id'], lv['size'], sorted(lv['tags'])) for lv in json.load(open(sys.argv[2]))['vgs'][0]['lvs']}
if lvm != mine:
    print('LVM2 after restore:', lvm)
    print('mlvm --generation: ', mine)
    sys.exit(1)
PY
		fail "restored generation $gen differs from read --generation"
else
	fail "vgcfgrestore of generation $gen failed: $(cat "$TMP/restore.log")"
fi
losetup -d "$loop"
finish
fi
for dir in "$out"/*/; do
	name=$(basename "$dir")
	if "$PYTHON3" "$top_srcdir/tests/cli/compare_read.py" "$MLVM" "$dir" "$TMP" >"$TMP/cmp" 2>&1; then
		pass "fresh $name: read --json matches LVM2"
	else
		fail "fresh $name differs from LVM2:"
		cat "$TMP/cmp"
	fi
done

# mlvm dump of an older generation is a file LVM2 accepts: vgcfgrestore
# --test takes it, and once restored (on copies of the images) LVM2 reports
# exactly the LVs that mlvm read --generation shows for that generation.
dir=$out/wrapped
vg=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["vg"])' "$dir/manifest.json")
orig=$TMP/wrapped/pv0.img
copy=$TMP/restore.img
gen=$("$MLVM" --json history "$orig" | "$PYTHON3" -c '
import json, sys
g = [x["seqno"] for x in json.load(sys.stdin)["generations"] if x["complete"] and x["parse_ok"]]
print(sorted(g)[len(g) // 2])')
"$MLVM" dump --generation "$gen" "$orig" >"$TMP/gen.vg" || fail "dump --generation $gen"
cp "$orig" "$copy"
loop=$(losetup -f --show "$copy")
trap 'loop_release "$loop"; rm -rf "$TMP"' EXIT
export LVM_SUPPRESS_FD_WARNINGS=1
lvmopts=(--devices "$loop" --config 'backup { backup = 0 archive = 0 } devices { use_devicesfile = 0 }')
if vgcfgrestore "${lvmopts[@]}" --test -f "$TMP/gen.vg" "$vg" >"$TMP/restore.log" 2>&1; then
	pass "vgcfgrestore --test accepts mlvm dump --generation $gen"
else
	fail "vgcfgrestore --test refuses mlvm dump --generation $gen: $(cat "$TMP/restore.log")"
fi
if vgcfgrestore "${lvmopts[@]}" -f "$TMP/gen.vg" "$vg" >>"$TMP/restore.log" 2>&1 &&
	lvs "${lvmopts[@]}" -a --reportformat json --units b --nosuffix -o lv_name,lv_uuid,lv_size,lv_tags "$vg" \
		>"$TMP/lvs.json" 2>>"$TMP/restore.log"; then
	"$MLVM" --json read --generation "$gen" "$orig" >"$TMP/mine.json"
	"$PYTHON3" - "$TMP/lvs.json" "$TMP/mine.json" <<'PY' && pass "restored generation $gen matches read --generation" ||
import json, sys
lvm = {r['lv_name'].strip('[]'): (r['lv_uuid'], int(r['lv_size']), sorted(t for t in r['lv_tags'].split(',') if t))
       for rep in json.load(open(sys.argv[1]))['report'] for r in rep['lv']}
mine = {lv['name']: (lv['id'], lv['size'], sorted(lv['tags'])) for lv in json.load(open(sys.argv[2]))['vgs'][0]['lvs']}
if lvm != mine:
    print('LVM2 after restore:', lvm)
    print('mlvm --generation: ', mine)
    sys.exit(1)
PY
		fail "restored generation $gen differs from read --generation"
else
	fail "vgcfgrestore of generation $gen failed: $(cat "$TMP/restore.log")"
fi
losetup -d "$loop"
finish
