#!/bin/bash
# The commands under valgrind: read (table and JSON), scan, history, dump,
# diff, map and export (with and without the hash) on every fixture, and
# read/scan on hostile inputs (an empty image, a zero image, a fixture cut
# inside its metadata). Any
# memory error or any definite or indirect leak fails the test
# (--error-exitcode=99). Skipped for sanitizer builds (valgrind cannot run
# them) and when valgrind is not installed. MLVM_VALGRIND_QUICK=1 runs only
# read and history on each fixture.
. "$(dirname "$0")/common.sh"

command -v valgrind >/dev/null || skip "valgrind not installed"
command -v xz >/dev/null || skip "xz not installed"
if command -v ldd >/dev/null && ldd "$MLVM" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan)'; then
	skip "mlvm is built with sanitizers; valgrind cannot run it"
fi

VG_OPTS=(--quiet --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99
	--track-fds=no --num-callers=30)
n_runs=0

# vg WHAT ARGS...: mlvm ARGS under valgrind; fails on a valgrind error
vg() {
	local what=$1 st
	shift
	valgrind "${VG_OPTS[@]}" --log-file="$TMP/vg.log" "$MLVM" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	n_runs=$((n_runs + 1))
	if [ "$st" -eq 99 ] || [ -s "$TMP/vg.log" ]; then
		fail "$what: valgrind: $(head -40 "$TMP/vg.log")"
	elif [ "$st" -gt 2 ]; then
		fail "$what: exit $st ($(head -c 300 "$TMP/err"))"
	else
		pass "$what (exit $st)"
	fi
}

have_cmd() { "$MLVM" --help 2>&1 | grep -Eq "^  $1( |$)"; }

for dir in "$FIXTURES"/*/; do
	fx=$(basename "$dir")
	ls "$dir"/pv*.img.xz >/dev/null 2>&1 || continue
	mapfile -t imgs < <(fixture_images "$fx")
	vg "$fx: read" read "${imgs[@]}"
	vg "$fx: history" --json history "${imgs[@]}"
	[ "${MLVM_VALGRIND_QUICK:-0}" = 1 ] && continue
	vg "$fx: read --json" --json read "${imgs[@]}"
	vg "$fx: scan" scan "${imgs[@]}"
	vg "$fx: dump" dump "${imgs[@]}"
	seqnos=$(history_span "$TMP/out")
	if [ -n "$seqnos" ]; then
		set -- $seqnos
		vg "$fx: diff $1 $2" diff --from "$1" --to "$2" "${imgs[@]}"
		vg "$fx: read --generation $1" read --generation "$1" "${imgs[@]}"
	fi
	have_cmd map && vg "$fx: map" map "${imgs[@]}"
	if have_cmd export; then
		lv=$(first_vg_lvs "${imgs[@]}" | tail -1)
		[ -n "$lv" ] && vg "$fx: export $lv" export --lv "$lv" -o "$TMP/lv.raw" "${imgs[@]}"
		rm -f "$TMP/lv.raw"
		# the one-copy path (images mapped, handed to writev)
		[ -n "$lv" ] && vg "$fx: export --no-sha256 $lv" export --no-sha256 --lv "$lv" -o "$TMP/lv.raw" "${imgs[@]}"
		rm -f "$TMP/lv.raw"
	fi
done

# hostile inputs
: >"$TMP/empty.img"
vg "empty image: read" read "$TMP/empty.img"
head -c 1048576 /dev/zero >"$TMP/zero.img"
vg "zero image: scan" scan "$TMP/zero.img"
mapfile -t imgs < <(fixture_images linear)
head -c 5000 "${imgs[0]}" >"$TMP/cut.img"
vg "cut image: read" read "$TMP/cut.img"
vg "cut image: history" history "$TMP/cut.img"

echo "$n_runs runs under valgrind"
finish
