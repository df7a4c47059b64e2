#!/bin/bash
# Generations and scanning on every fixture: history lists every copy LVM2's
# pvck found, read --generation / dump / diff agree with those copies' text
# (tests/cli/check_history.py), and scan reports each PV with a sound label.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
for dir in "$FIXTURES"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/manifest.json" ] || continue
	if "$PYTHON3" "$top_srcdir/tests/cli/check_history.py" "$MLVM" "$dir" "$TMP" >"$TMP/hc" 2>&1; then
		pass "$(tail -1 "$TMP/hc")"
	else
		fail "generations of $name:"
		cat "$TMP/hc"
	fi
done

mapfile -t imgs < <(fixture_images demo)
expect_status 0 "scan demo" --json scan "${imgs[@]}"
"$PYTHON3" - "$TMP/out" "${imgs[@]}" <<'PY' || fail "scan demo JSON"
import json, sys
d = json.load(open(sys.argv[1]))
pvs = d['pvs']
assert [p['image'] for p in pvs] == sys.argv[2:], pvs
for p in pvs:
    assert p['offset'] == 0 and p['partition'] is None and p['label_sector'] == 1, p
    assert p['label'] == {'magic_ok': True, 'sector_ok': True, 'crc_ok': True,
                          'type': 'LVM2 001', 'shifted': False}, p['label']
    assert p['vg'] == 'demo' and p['problems'] == [], p
    assert len(p['mdas']) == 1 and p['mdas'][0]['header_ok'] and p['mdas'][0]['offset'] == 4096, p
    assert p['mdas'][0]['committed']['checksum_ok'] and p['mdas'][0]['committed']['seqno'] == 10
PY
expect_status 0 "scan demo (text)" scan "${imgs[@]}"
grep -q 'label     sector 1, type "LVM2 001", ok' "$TMP/out" || fail "scan text: label line"

# usage errors of the generation commands
expect_status 2 "diff without --to" diff --from 1 "${imgs[@]}"
expect_status 2 "read --generation x" read --generation x "${imgs[@]}"
expect_status 2 "read --generation without a value" read --generation
expect_status 1 "read --generation 999" read --generation 999 "${imgs[@]}" &&
	grep -q "no intact generation 999" "$TMP/err" || fail "missing generation message"
expect_status 1 "dump --generation 999" dump --generation 999 "${imgs[@]}"
expect_status 0 "diff of a generation with itself" --json diff --from 7 --to 7 "${imgs[@]}" &&
	"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["changes"]==[] and d["from"]==d["to"]==7' "$TMP/out" ||
	fail "diff 7..7 JSON"
finish
