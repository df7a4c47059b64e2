#!/bin/bash
# The command line: help, version, usage errors (exit 2), inputs that cannot
# be read (exit 1 with a message naming the image), hostile images (never a
# signal), and JSON that stays valid.
. "$(dirname "$0")/common.sh"

expect_status 0 "--help" --help && grep -q '^Usage: mlvm' "$TMP/out" || fail "--help text"
expect_status 0 "--version" --version && grep -Eq '^mlvm [0-9]+\.[0-9]+' "$TMP/out" || fail "--version text"
expect_status 0 "read --help" read --help && grep -q 'mlvm read' "$TMP/out" || fail "read --help text"
expect_status 0 "help after command" read -h
expect_status 2 "no arguments" && grep -q 'Usage' "$TMP/err" || fail "usage on stderr"
expect_status 2 "unknown command" frobnicate x.img && grep -q "unknown command 'frobnicate'" "$TMP/err" || fail "unknown command message"
expect_status 2 "read without images" read && grep -q 'no image given' "$TMP/err" || fail "no image message"
expect_status 2 "unknown option" read --bogus x.img && grep -q "unknown option '--bogus'" "$TMP/err" || fail "unknown option message"
expect_status 2 "--vg without a name" read --vg

expect_status 1 "nonexistent image" read "$TMP/nope.img" && grep -q "cannot open $TMP/nope.img" "$TMP/err" || fail "nonexistent image message"
expect_status 1 "a directory" read "$TMP" && grep -q "cannot open $TMP" "$TMP/err" || fail "directory message"
: >"$TMP/empty.img"
expect_status 1 "empty image" read "$TMP/empty.img" && grep -q "no LVM2 physical volume found" "$TMP/err" || fail "empty image message"
head -c 1048576 /dev/zero >"$TMP/zero.img"
expect_status 1 "zero image" --json read "$TMP/zero.img"
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["vgs"]==[] and any(w["code"]=="no_label" for w in d["warnings"])' "$TMP/out" ||
	fail "zero image JSON"
grep -q "no volume group found" "$TMP/err" || fail "zero image: error on stderr with --json"

# a real PV cut short at every structure boundary: never a signal, a message when nothing is found
if command -v xz >/dev/null; then
	mapfile -t imgs < <(fixture_images linear)
	for cut in 0 511 512 1024 2048 4096 4608 5120 6144 8192 65536 1048576; do
		head -c "$cut" "${imgs[0]}" >"$TMP/cut.img"
		run_mlvm --json read "$TMP/cut.img"
		if [ "$status" -gt 2 ]; then
			fail "image cut at $cut: exit $status"
		elif ! "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" 2>/dev/null; then
			fail "image cut at $cut: output is not JSON"
		else
			pass "image cut at $cut: exit $status"
		fi
	done
	# the committed text cut in the middle: the older generation before it is
	# used, and the warnings name the image and the offsets
	off=$("$MLVM" --json read "${imgs[0]}" | "$PYTHON3" -c 'import json,sys; s=json.load(sys.stdin)["vgs"][0]["source"]; print(s["offset"]+s["size"]//2)')
	head -c "$off" "${imgs[0]}" >"$TMP/cut.img"
	expect_status 0 "text cut short" read "$TMP/cut.img"
	grep -q "cut.img at byte [0-9]*: .*\[generation_fallback\]" "$TMP/err" ||
		fail "text cut short: no generation_fallback with an offset: $(cat "$TMP/err")"
	grep -q "^seqno  *|3  *|$" "$TMP/out" || fail "text cut short: seqno 3 expected: $(grep seqno "$TMP/out")"
fi
# output that cannot be written is an error, not silence
if [ -w /dev/full ] && command -v xz >/dev/null; then
	mapfile -t imgs < <(fixture_images demo)
	"$MLVM" --json read "${imgs[@]}" >/dev/full 2>"$TMP/err"
	[ $? -eq 1 ] && grep -q "cannot write output" "$TMP/err" && pass "--json to a full disk" || fail "--json to a full disk"
	"$MLVM" read "${imgs[@]}" >/dev/full 2>"$TMP/err"
	[ $? -eq 1 ] && grep -q "cannot write output" "$TMP/err" && pass "table to a full disk" || fail "table to a full disk"
fi
finish
