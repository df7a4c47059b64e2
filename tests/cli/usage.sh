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

# mlvm help [COMMAND]; near names for unknown commands and options
expect_status 0 "mlvm help" help && grep -q '^Usage: mlvm' "$TMP/out" || fail "mlvm help: usage on stdout"
for cmd in read scan history diff dump map export mount browse format create remove resize rename add-tag remove-tag; do
	"$MLVM" "$cmd" --help >"$TMP/h1" 2>/dev/null
	if expect_status 0 "mlvm help $cmd" help "$cmd" && [ -s "$TMP/out" ] && cmp -s "$TMP/out" "$TMP/h1" &&
		grep -q "mlvm $cmd" "$TMP/out"; then :; else fail "mlvm help $cmd is not $cmd --help"; fi
done
expect_status 2 "mlvm help of an unknown command" help raed && grep -q "unknown command 'raed' (did you mean 'read'?)" "$TMP/err" ||
	fail "help raed: $(cat "$TMP/err")"
expect_status 2 "mlvm help with two words" help read scan
expect_status 2 "a misspelt command" raed x.img && grep -q "unknown command 'raed' (did you mean 'read'?)" "$TMP/err" ||
	fail "raed: $(cat "$TMP/err")"
expect_status 2 "a command cut short" hist x.img && grep -q "did you mean 'history'?" "$TMP/err" || fail "hist: $(cat "$TMP/err")"
grep -q "did you mean" <("$MLVM" frobnicate 2>&1) && fail "frobnicate: a suggestion that is not near"
expect_status 2 "a misspelt option" read --generatoin 3 x.img &&
	grep -q "unknown option '--generatoin' for read (did you mean '--generation'?)" "$TMP/err" || fail "--generatoin: $(cat "$TMP/err")"
expect_status 2 "an ambiguous option" export --l x x.img && grep -q "option '--l' of export is ambiguous: --lv, --leg" "$TMP/err" ||
	fail "export --l: $(cat "$TMP/err")"
expect_status 2 "a value to an option that takes none" read --content=yes x.img &&
	grep -q "option '--content' of read takes no value" "$TMP/err" || fail "--content=yes: $(cat "$TMP/err")"
expect_status 2 "a value missing after the images" read x.img --generation &&
	grep -q "option '--generation' needs a value" "$TMP/err" || fail "--generation at the end: $(cat "$TMP/err")"
# a file name that starts with '-': the option named is -d, not the command, with the way out
expect_status 2 "an image named -dash.img" read -dash.img &&
	grep -q "unknown option '-d' (in '-dash.img') for read" "$TMP/err" && grep -q -- "write ./-dash.img, or put it after --" "$TMP/err" ||
	fail "-dash.img: $(cat "$TMP/err")"
expect_status 1 "an option word after --" read -- --generation && grep -q "cannot open --generation" "$TMP/err" ||
	fail "read -- --generation: $(cat "$TMP/err")"

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
# Options may follow the images (GNU order), the same in every command:
# same_both_ways WHAT ARGS_A... ::: ARGS_B...: the same status, stdout and
# stderr both ways (run in $TMP/demo, where the image names are short)
same_both_ways() {
	local what=$1 a=() b=() side=a
	shift
	for w in "$@"; do
		if [ "$w" = ::: ]; then side=b; elif [ $side = a ]; then a+=("$w"); else b+=("$w"); fi
	done
	(cd "$TMP/demo" && "$MLVM" "${a[@]}" >"$TMP/a.out" 2>"$TMP/a.err"; echo $? >"$TMP/a.rc")
	(cd "$TMP/demo" && "$MLVM" "${b[@]}" >"$TMP/b.out" 2>"$TMP/b.err"; echo $? >"$TMP/b.rc")
	sed -i 's/^\(Write from .*\)$//' "$TMP/a.out" "$TMP/b.out"
	if ! cmp -s "$TMP/a.rc" "$TMP/b.rc"; then
		fail "$what: exit $(cat "$TMP/a.rc") one way, $(cat "$TMP/b.rc") the other: $(head -c 300 "$TMP/b.err")"
	elif ! cmp -s "$TMP/a.out" "$TMP/b.out" || ! cmp -s "$TMP/a.err" "$TMP/b.err"; then
		fail "$what: the output differs: $(diff "$TMP/a.out" "$TMP/b.out" | head -5) $(diff "$TMP/a.err" "$TMP/b.err" | head -5)"
	elif [ "$(cat "$TMP/a.rc")" -ne "${want_rc:-0}" ]; then
		fail "$what: exit $(cat "$TMP/a.rc"), expected ${want_rc:-0}: $(head -c 300 "$TMP/a.err")"
	else
		pass "$what (exit $(cat "$TMP/a.rc"))"
	fi
}
if command -v xz >/dev/null; then
	fixture_images demo >/dev/null
	cp "$TMP/demo/pv0.img" "$TMP/demo/-d0.img"
	for cmd in read dump map; do
		same_both_ways "$cmd: --generation after the images" "$cmd" --generation 5 pv0.img pv1.img ::: "$cmd" pv0.img pv1.img --generation 5
		same_both_ways "$cmd: --generation between the images" "$cmd" --generation=5 pv0.img pv1.img ::: "$cmd" pv0.img --generation=5 pv1.img
		same_both_ways "$cmd: -- ends the options" "$cmd" --generation 5 ./-d0.img pv1.img ::: "$cmd" pv1.img --generation 5 -- ./-d0.img
		POSIXLY_CORRECT=1 same_both_ways "$cmd: options after the images with POSIXLY_CORRECT" "$cmd" --generation 5 pv0.img pv1.img ::: "$cmd" pv0.img pv1.img --generation 5
	done
	# the generation asked for is the one shown, whichever way it was asked
	(cd "$TMP/demo" && "$MLVM" --json read pv0.img pv1.img --generation 5 2>/dev/null) |
		"$PYTHON3" -c 'import json,sys; assert json.load(sys.stdin)["vgs"][0]["seqno"] == 5' &&
		pass "read IMAGE... --generation 5 shows seqno 5" || fail "read IMAGE... --generation 5: not seqno 5"
	same_both_ways "read: --json and --content after" read --json --content pv0.img pv1.img ::: read pv0.img pv1.img --content --json
	same_both_ways "read: a file named -d0.img after --" read -- -d0.img pv1.img ::: read pv1.img -- -d0.img
	grep -q -- "-d0.img" "$TMP/b.out" || fail "read -- -d0.img: the image is not named: $(cat "$TMP/b.out")"
	same_both_ways "map: --lv after the images" map --lv demo/home pv0.img pv1.img ::: map pv0.img pv1.img --lv demo/home
	same_both_ways "map: --history after the images" map --history pv0.img pv1.img ::: map pv0.img pv1.img --history
	same_both_ways "scan: --json after the images" scan --json pv0.img pv1.img ::: scan pv0.img pv1.img --json
	same_both_ways "scan: --help after the images" scan --help ::: scan pv0.img --help
	same_both_ways "history: --vg after the images" history --vg demo pv0.img pv1.img ::: history pv0.img pv1.img --vg demo
	same_both_ways "history: --help after the images" history --help ::: history pv0.img --help
	same_both_ways "diff: --from/--to after the images" diff --from 5 --to 10 pv0.img pv1.img ::: diff pv0.img --to 10 pv1.img --from 5
	same_both_ways "export: --lv and -o after the images" export --lv demo/home -o - pv0.img pv1.img ::: export pv0.img pv1.img --lv demo/home -o -
	same_both_ways "export: --sparse, --generation after" export --generation 9 --sparse --lv demo/home -o - pv0.img pv1.img ::: export pv0.img pv1.img --lv=demo/home -o- --sparse --generation 9
	# browse needs a terminal: both ways end there, after the options
	want_rc=2 same_both_ways "browse: --ascii after the images" browse --ascii pv0.img pv1.img ::: browse pv0.img pv1.img --ascii
	same_both_ways "browse: --help after the images" browse --help ::: browse pv0.img --help
	want_rc=2 same_both_ways "browse: --json after the images is refused alike" browse --json pv0.img ::: browse pv0.img --json
	# an unknown option, before or after the images, is a usage error naming it and the command
	for cmd in read scan history dump map browse; do
		want_rc=2 same_both_ways "$cmd: an unknown option" "$cmd" --bogus pv0.img ::: "$cmd" pv0.img --bogus
		grep -q "unknown option '--bogus' for $cmd" "$TMP/b.err" || fail "$cmd --bogus: $(cat "$TMP/b.err")"
		want_rc=2 same_both_ways "$cmd: a file named -d0.img without --" "$cmd" -d0.img ::: "$cmd" pv1.img -d0.img
		grep -q "unknown option '-d' (in '-d0.img') for $cmd" "$TMP/b.err" || fail "$cmd -d0.img: $(cat "$TMP/b.err")"
	done
	want_rc=2 same_both_ways "diff: an unknown option" diff --from 5 --to 10 --bogus pv0.img ::: diff pv0.img --from 5 --to 10 --bogus
	want_rc=2 same_both_ways "export: an unknown option" export --lv demo/home -o - --bogus pv0.img ::: export pv0.img --lv demo/home -o - --bogus
	want_rc=2 same_both_ways "export: --lv missing its value at the end" export -o - pv0.img --lv ::: export pv0.img -o - --lv
	grep -q "option '--lv' needs a value" "$TMP/b.err" || fail "export --lv at the end: $(cat "$TMP/b.err")"

	# the write commands, on images they format: their WORDS stay in order
	for x in a b; do head -c $((16 << 20)) /dev/zero >"$TMP/w$x.img"; done
	w_same() {	# w_same WHAT ARGS_A ::: ARGS_B with IMG for the image
		local what=$1 a=() b=() side=a
		shift
		for w in "$@"; do
			if [ "$w" = ::: ]; then side=b; continue; fi
			[ "$w" = IMG ] && w=$TMP/w$side.img
			if [ $side = a ]; then a+=("$w"); else b+=("$w"); fi
		done
		"$MLVM" "${a[@]}" >/dev/null 2>"$TMP/a.err"; ra=$?
		"$MLVM" "${b[@]}" >/dev/null 2>"$TMP/b.err"; rb=$?
		for x in a b; do
			"$MLVM" --json read "$TMP/w$x.img" 2>/dev/null | "$PYTHON3" -c '
import json, sys
for vg in json.load(sys.stdin)["vgs"]:
    print(vg["seqno"], vg["free_extents"])
    for lv in vg["lvs"]:
        print(lv["name"], lv.get("tags"), lv.get("extent_count"), [(s.get("start_extent"), s.get("extent_count")) for s in lv.get("segments", [])])' >"$TMP/$x.lvs"
		done
		if [ "$ra" -ne "${want_rc:-0}" ] || [ "$rb" -ne "$ra" ]; then
			fail "$what: exit $ra one way, $rb the other: $(head -c 300 "$TMP/a.err") $(head -c 300 "$TMP/b.err")"
		elif ! cmp -s "$TMP/a.lvs" "$TMP/b.lvs" || [ ! -s "$TMP/a.lvs" ]; then
			fail "$what: the images differ: $(diff "$TMP/a.lvs" "$TMP/b.lvs" | head -6)"
		else
			pass "$what (exit $ra)"
		fi
	}
	w_same "format: options after the image" format --vg fmtvg --extent-size 1M --metadata-copies 2 IMG ::: format IMG --metadata-copies=2 --extent-size=1M --vg fmtvg
	grep -q "^1 " "$TMP/a.lvs" || fail "format: no VG at seqno 1: $(cat "$TMP/a.lvs")"
	w_same "create: --size after the words" create --size 4M IMG newvol ::: create IMG newvol --size 4M
	grep -q "^newvol [^ ]* 4 \[" "$TMP/a.lvs" || fail "create: newvol of 4 extents not made: $(cat "$TMP/a.lvs")"
	w_same "rename: --force between the words" rename --force IMG newvol renamed ::: rename IMG newvol --force renamed
	grep -q "^renamed " "$TMP/a.lvs" || fail "rename: renamed not there"
	w_same "add-tag: --force after" add-tag --force IMG renamed mytag ::: add-tag IMG renamed mytag --force
	grep -q "^renamed \['mytag'\]" "$TMP/a.lvs" || fail "add-tag: tag not there: $(cat "$TMP/a.lvs")"
	w_same "remove-tag: after --" remove-tag IMG renamed mytag ::: remove-tag -- IMG renamed mytag
	w_same "resize: -4M as the last word, --force first or not" resize --force IMG renamed -- -2M ::: resize IMG renamed -2M
	grep -q "^renamed [^ ]* 2 \[" "$TMP/a.lvs" || fail "resize -2M: not 2 extents: $(cat "$TMP/a.lvs")"
	w_same "resize: +4M with --force after" resize IMG renamed +4M ::: resize IMG renamed +4M --force
	grep -q "^renamed [^ ]* 6 \[" "$TMP/a.lvs" || fail "resize +4M: not 6 extents: $(cat "$TMP/a.lvs")"
	w_same "resize: -1M followed by an option" resize IMG renamed -1M --force ::: resize --force IMG renamed -1M
	grep -q "^renamed [^ ]* 5 \[" "$TMP/a.lvs" || fail "resize -1M: not 5 extents: $(cat "$TMP/a.lvs")"
	sha_a=$(sha256sum <"$TMP/wa.img")
	want_rc=2 w_same "create: an unknown option after the words" create IMG other --bogus ::: create --bogus IMG other
	grep -q "unknown option '--bogus' for create" "$TMP/b.err" || fail "create --bogus: $(cat "$TMP/b.err")"
	want_rc=2 w_same "create: --extent-size is format's" create IMG other --extent-size 4M ::: create --extent-size 4M IMG other
	grep -q "option '--extent-size' does not apply to create" "$TMP/b.err" || fail "create --extent-size: $(cat "$TMP/b.err")"
	[ "$sha_a" = "$(sha256sum <"$TMP/wa.img")" ] && pass "a usage error leaves the image alone" || fail "a usage error changed the image"
	w_same "remove: --force after the words" remove IMG renamed --force ::: remove --force IMG renamed
	grep -q "^renamed " "$TMP/a.lvs" && fail "remove: renamed still there"
	# one of a thing is singular (the write, read, map and diff messages)
	"$MLVM" create --size 1M "$TMP/wa.img" one >"$TMP/one.out" 2>&1
	grep -q 'Logical volume "one" created: 1 extent (1.00 MiB) in 1 segment\.' "$TMP/one.out" &&
		pass "create: 1 extent in 1 segment" || fail "create of one extent says: $(cat "$TMP/one.out")"
	"$MLVM" read "$TMP/wa.img" | grep -q "^one/size  *|1 extent, 1.00 MiB  *|" && pass "read: 1 extent" ||
		fail "read: not '1 extent': $("$MLVM" read "$TMP/wa.img" | grep size)"
	"$MLVM" map "$TMP/wa.img" | grep -q "^lv one  1 extent (1.00 MiB)" && pass "map: 1 extent" || fail "map: not '1 extent'"
	gen=$("$MLVM" --json read "$TMP/wa.img" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["vgs"][0]["seqno"])')
	"$MLVM" resize "$TMP/wa.img" one +1M >/dev/null 2>&1
	"$MLVM" diff --from "$gen" --to $((gen + 1)) "$TMP/wa.img" >"$TMP/d.out" 2>&1
	grep -q "1 extent\b" "$TMP/d.out" && grep -q "2 extents" "$TMP/d.out" && pass "diff: 1 extent to 2 extents" ||
		fail "diff of a resize from one extent: $(cat "$TMP/d.out")"
	for f in "$TMP"/*.out "$TMP"/*.err; do
		grep -HE "(^|[^0-9])1 (extents|segments|stripes|PVs|LVs|lvs|vgs|areas|images)\b" "$f" && fail "a plural after 1 in $f"
	done
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
