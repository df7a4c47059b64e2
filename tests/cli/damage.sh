#!/bin/bash
# Damaged images derived from the LVM2-made fixtures (fixtures/make-damage.sh):
# every case's expected outcome (fixtures/damage.json) for `mlvm --json read`,
# `scan`, `history` and `--strict`, checked by check_damage.py. No case may
# end mlvm by a signal or leave an image changed.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
"$PYTHON3" -c 'import lzma' 2>/dev/null || skip "python3 with lzma needed"
command -v sfdisk >/dev/null || [ -x /usr/sbin/sfdisk ] || [ -x /sbin/sfdisk ] ||
	skip "sfdisk (util-linux/fdisk) needed for the partitioned cases"
[ -x "$MLVM" ] || skip "$MLVM not built"

if ! "$top_srcdir/fixtures/make-damage.sh" "$TMP/damage" >"$TMP/make.log" 2>&1; then
	fail "make-damage.sh failed:"
	cat "$TMP/make.log"
	finish
fi
# check_damage.py prints "ok: CASE" / "FAIL: CASE: why" itself
"$PYTHON3" "$top_srcdir/tests/cli/check_damage.py" "$MLVM" "$TMP/damage" \
	"$top_srcdir/fixtures/damage.json" || failed=1
finish
