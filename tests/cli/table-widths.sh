#!/bin/bash
# table-widths.sh - the key/value table's cells are as wide as its widest
# key and value when its measure skips the LVs whose rows cannot widen them
# (lv_within in cmd_read.c, by bounds of the rows' lengths). Each VG of
# table_widths.py has plain LVs one byte narrower than one row of a wide LV
# (a creation_host whole or cut, ASCII and UTF-8, a size past 16 EiB, a
# striped segment, tags, a long name as a value and in keys): a bound one
# byte short would leave the wide row wider than measured. Checked: that
# the VG is so made (on one thread from the rows kept, --content; on two
# from the rows measured), then both tables, rows kept and
# rows measured then printed (check_table.py), on one thread (40 LVs:
# with the default units, --verbose and other --units) and on two (2,600:
# the default units).
# Run from the image's directory: its path (a PV row) stays short.
. "$(dirname "$0")/common.sh"

"$PYTHON3" "$top_srcdir/tests/cli/table_widths.py" "$TMP/cases" >"$TMP/cases.txt" ||
	{ echo "table_widths.py failed"; exit 99; }
n=0
while read -r name wide what length; do
	n=$((n + 1))
	if [ "$what" != - ]; then
		# the wide LV's widest row is LENGTH bytes, every other row's less
		# (but the LVs' content: rows of --content alone). Rows kept
		# (--content) on one thread; on two, --no-content (naming the
		# content of 2,600 LVs takes half a second a read)
		mode=--content
		case $name in *-parallel) mode=--no-content ;; esac
		(cd "$TMP/cases/$name" && "$MLVM" read $mode pv0.img 2>/dev/null) >"$TMP/table"
		"$PYTHON3" - "$TMP/table" "$wide" "$what" "$length" >"$TMP/tight" <<'PY'
import sys
path, wide, what, length = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(path, "rb").read().decode("latin-1").split("\n")[2:-1]
mine, rest = 0, 0
for line in lines:
    k, v = line.split("|")[0].rstrip(" "), line.split("|")[1].rstrip(" ")
    if k.endswith("/content"):      # not in the measured table
        continue
    w = len(k) if what == "key" else len(v)
    if k.startswith(wide + "/"):
        mine = max(mine, w)
    else:
        rest = max(rest, w)
if (mine, rest) != (length, length - 1):
    print("the wide LV's widest %s is %d bytes, the rest's %d: %d and %d expected"
          % (what, mine, rest, length, length - 1))
    sys.exit(1)
PY
		if [ $? -eq 0 ]; then
			pass "$name: $wide's widest $what ($length bytes) is one byte wider than the rest"
		else
			fail "$name: not made as meant: $(cat "$TMP/tight")"
		fi
	fi
	all_opts=("" "-o --verbose" "-o --units -o H" "-o --units -o b")
	case $name in *-parallel) all_opts=("") ;; esac
	for opts in "${all_opts[@]}"; do
		# shellcheck disable=SC2086
		if (cd "$TMP/cases/$name" && "$PYTHON3" "$top_srcdir/tests/cli/check_table.py" $opts "$MLVM" pv0.img) >"$TMP/out" 2>&1; then
			pass "$name ${opts:-(default units)}: cells as wide as the widest row"
		else
			fail "$name ${opts:-(default units)}:"
			cat "$TMP/out"
		fi
	done
done <"$TMP/cases.txt"
[ "$n" -eq 18 ] || fail "$n VGs checked, 18 expected"
finish
