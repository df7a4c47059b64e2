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
finish
