#!/bin/bash
# Hostile values: tests/cli/hostile.py builds small VGs (every checksum
# correct) with pe_count, extent_size, stripe_count and stripe_size of 0, 1
# and 2^63, areas naming PVs or LVs that do not exist, LVs that refer to
# themselves or form a cycle, segments with gaps or overlaps, extents used
# twice, a declared text size of 1 GiB, nesting 10,000 deep and images cut
# short at every structure boundary. On each, every inspection command
# (read, read --json, scan, history, dump, map, export of every LV) must end
# within 10 s, within 1 GiB of address space (prlimit; or of peak RSS under a
# sanitizer build), with status 0, 1 or 2 (never a signal), and what the
# commands print on stderr must name what is wrong (the case's regex).
. "$(dirname "$0")/common.sh"

LIMIT_S=10
LIMIT_KB=$((1024 * 1024))

"$PYTHON3" "$top_srcdir/tests/cli/hostile.py" "$TMP/cases" || { echo "hostile.py failed"; exit 99; }

sanitized=0
if command -v ldd >/dev/null && ldd "$MLVM" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan)'; then
	sanitized=1	# ASan reserves terabytes of address space: measure RSS instead
fi
have_prlimit=0
command -v prlimit >/dev/null && have_prlimit=1
have_time=0
[ -x /usr/bin/time ] && have_time=1

have_cmd() { "$MLVM" --help 2>&1 | grep -Eq "^  $1( |$)"; }
have_map=0
have_export=0
have_cmd map && have_map=1
have_cmd export && have_export=1

# bounded WHAT ARGS...: run mlvm bounded in time and memory; stderr is
# appended to $TMP/case.err
bounded() {
	local what=$1 st rss
	shift
	local cmd=(timeout -s KILL "$LIMIT_S" "$MLVM" "$@")
	[ "$sanitized" = 0 ] && [ "$have_prlimit" = 1 ] && cmd=(prlimit --as=$((LIMIT_KB * 1024)) -- "${cmd[@]}")
	if [ "$have_time" = 1 ]; then
		/usr/bin/time -f '%M' -o "$TMP/rss" "${cmd[@]}" >"$TMP/out" 2>"$TMP/err1"
		st=$?
	else
		"${cmd[@]}" >"$TMP/out" 2>"$TMP/err1"
		st=$?
	fi
	cat "$TMP/err1" >>"$TMP/case.err"
	# /usr/bin/time reports a child killed by a signal as 128+N or its own line
	if grep -q 'Command terminated by signal\|Command exited with non-zero status' "$TMP/rss" 2>/dev/null; then
		rss=$(tail -1 "$TMP/rss")
	else
		rss=$(cat "$TMP/rss" 2>/dev/null)
	fi
	if [ "$st" -eq 137 ] || [ "$st" -eq 124 ]; then
		fail "$what: did not finish within ${LIMIT_S}s"
		return 1
	elif [ "$st" -gt 2 ]; then
		fail "$what: exit $st (a signal or a crash): $(grep -v '^mlvm: \(warning\|notice\)' "$TMP/err1" | head -c 600)"
		return 1
	elif [ -n "$rss" ] && [ "$rss" -gt "$LIMIT_KB" ] 2>/dev/null; then
		fail "$what: peak RSS ${rss} KiB over ${LIMIT_KB} KiB"
		return 1
	fi
	return 0
}

n_cases=0
while IFS=$'\t' read -r name regex what; do
	n_cases=$((n_cases + 1))
	imgs=("$TMP/cases/$name"/pv*.img)
	: >"$TMP/case.err"
	ok=1
	bounded "$name: read" read "${imgs[@]}" || ok=0
	bounded "$name: read --json" --json read "${imgs[@]}" || ok=0
	if ! "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" 2>/dev/null; then
		fail "$name: read --json is not JSON"
		ok=0
	fi
	cp "$TMP/out" "$TMP/read.json"
	bounded "$name: scan" scan "${imgs[@]}" || ok=0
	bounded "$name: history" history "${imgs[@]}" || ok=0
	bounded "$name: dump" dump "${imgs[@]}" || ok=0
	[ "$have_map" = 1 ] && { bounded "$name: map" map "${imgs[@]}" || ok=0; }
	if [ "$have_export" = 1 ]; then
		lvs=$("$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for vg in d.get("vgs", []):
    for lv in vg.get("lvs", []):
        print(vg["name"] + "/" + lv["name"])' "$TMP/read.json" 2>/dev/null | head -12)
		for lv in $lvs; do
			bounded "$name: export $lv" export --lv "$lv" -o "$TMP/lv.raw" "${imgs[@]}" || ok=0
			rm -f "$TMP/lv.raw"
		done
	fi
	if [ "$regex" != - ] && ! grep -Eiq -- "$regex" "$TMP/case.err"; then
		fail "$name ($what): no message matching /$regex/: $(head -c 600 "$TMP/case.err")"
		ok=0
	fi
	[ "$ok" = 1 ] && pass "$name: $what"
done <"$TMP/cases/cases.tsv"

[ "$n_cases" -gt 0 ] || fail "no hostile case was built"
echo "$n_cases hostile cases"
finish
