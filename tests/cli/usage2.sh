#!/bin/bash
# The command line, continued (issue 15): what an image without a PV holds,
# the evidence-safe write default, --json error objects, --vg keeping other
# VGs' warnings out, and LVs removed in an earlier generation.
. "$(dirname "$0")/common.sh"

# --- an image without a PV: say what it is
expect_status 1 "/dev/null" read /dev/null && grep -q "cannot open /dev/null: is empty" "$TMP/err" ||
	fail "/dev/null: $(cat "$TMP/err")"
: >"$TMP/empty.img"
expect_status 1 "an empty file" read "$TMP/empty.img" &&
	grep -q "no LVM2 physical volume found in $TMP/empty.img: it is empty" "$TMP/err" || fail "empty: $(cat "$TMP/err")"
head -c 100000 /dev/zero >"$TMP/zeros.img"
expect_status 1 "zeros" read "$TMP/zeros.img" &&
	grep -q "no LVM2 physical volume found in $TMP/zeros.img (its first 100000 bytes are all zeros)" "$TMP/err" ||
	fail "zeros: $(cat "$TMP/err")"
"$PYTHON3" -c '
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
    chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"") + bytes(4096))' "$TMP/picture.png"
if command -v file >/dev/null && file -b "$TMP/picture.png" | grep -q PNG; then
	expect_status 1 "a PNG" read "$TMP/picture.png" &&
		grep -q "no LVM2 physical volume found in $TMP/picture.png (libmagic: PNG image data" "$TMP/err" ||
		fail "png: $(cat "$TMP/err")"
	expect_status 1 "a PNG, scan" scan "$TMP/picture.png" && grep -q "(libmagic: PNG image data" "$TMP/err" ||
		fail "png scan: $(cat "$TMP/err")"
fi

# --- write commands: a file with no write bit for anyone, or a block device, only with --force
truncate -s 64M "$TMP/ro.img"
chmod 444 "$TMP/ro.img"
cp "$TMP/ro.img" "$TMP/before.img"
expect_status 1 "format of a chmod 444 image" format "$TMP/ro.img" &&
	grep -q "$TMP/ro.img is read-only (mode 0444, no write permission for anyone): not written to" "$TMP/err" ||
	fail "format 444: $(cat "$TMP/err")"
cmp -s "$TMP/ro.img" "$TMP/before.img" || fail "format wrote to a chmod 444 image"
chmod 644 "$TMP/ro.img"
expect_status 0 "format of a writable image" format "$TMP/ro.img"
chmod 444 "$TMP/ro.img"
cp "$TMP/ro.img" "$TMP/before.img"
for op in "create ro.img lvx" "remove ro.img lvx" "resize ro.img lvx 8M" "rename ro.img lvx lvy" \
	"add-tag ro.img lvx t" "remove-tag ro.img lvx t"; do
	set -- ${op//ro.img/$TMP/ro.img}
	expect_status 1 "$1 on a chmod 444 image" "$@" && grep -q "read-only (mode 0444" "$TMP/err" &&
		grep -q "mlvm $1 --force writes anyway" "$TMP/err" || fail "$1 444: $(cat "$TMP/err")"
done
cmp -s "$TMP/ro.img" "$TMP/before.img" || fail "a write command wrote to a chmod 444 image"
if [ "$(id -u)" -eq 0 ]; then
	expect_status 0 "create --force on a chmod 444 image (root)" create --force "$TMP/ro.img" lvx
	"$MLVM" --json read "$TMP/ro.img" 2>/dev/null | grep -q '"lvx"' || fail "create --force did not write"
fi
truncate -s 64M "$TMP/ro444.img"
chmod 444 "$TMP/ro444.img"
chmod 640 "$TMP/ro.img"
expect_status 0 "create on a mode 640 image" create "$TMP/ro.img" lvz
# a block device of our own (never one another test may be using)
if [ "$(id -u)" -eq 0 ] && truncate -s 64M "$TMP/blk.img" && blk=$(losetup -f --show "$TMP/blk.img" 2>/dev/null); then
	expect_status 1 "format of a block device" format "$blk" &&
		grep -q "$blk is a block device: not written to (mlvm format --force writes to it)" "$TMP/err" ||
		fail "block device: $(cat "$TMP/err")"
	expect_status 1 "create on a block device" create "$blk" x && grep -q "is a block device" "$TMP/err" ||
		fail "create block device: $(cat "$TMP/err")"
	[ "$(head -c 1048576 "$blk" | tr -d '\0' | wc -c)" -eq 0 ] || fail "format wrote to a block device"
	loop_release "$blk"
fi

# --- --lv of an LV that is not in the generation chosen but in others still in the rings
if command -v xz >/dev/null; then
	mapfile -t demo < <(fixture_images demo)
	expect_status 1 "export --lv of a removed LV" export --lv scratch -o "$TMP/x.raw" "${demo[@]}" &&
		grep -q "no lv scratch in volume group demo at seqno 10 (it exists in generations 4-6; removed at 7: use --generation 6)" "$TMP/err" ||
		fail "removed LV: $(cat "$TMP/err")"
	expect_status 1 "map --lv of a renamed LV" map --lv homes "${demo[@]}" &&
		grep -q "no lv homes in volume group demo at seqno 10 (it exists in generations 5-7; renamed to home at 8: use --generation 7); near names: demo/home" "$TMP/err" ||
		fail "renamed LV: $(cat "$TMP/err")"
	expect_status 1 "export --lv of an LV created later" export --generation 3 --lv logs -o "$TMP/x.raw" "${demo[@]}" &&
		grep -q "no lv logs in volume group demo at seqno 3 (it exists in generation 10: use --generation 10)" "$TMP/err" ||
		fail "later LV: $(cat "$TMP/err")"
	expect_status 0 "the generation it names" export --generation 6 --lv scratch -o "$TMP/x.raw" "${demo[@]}"
	expect_status 1 "an LV in no generation" export --lv nothere -o "$TMP/x.raw" "${demo[@]}" &&
		grep -q "no lv nothere in volume group demo at seqno 10$" "$TMP/err" || fail "nothere: $(cat "$TMP/err")"
fi

# --- --vg: warnings about the other VGs are not shown; image-level ones are
if command -v xz >/dev/null; then
	truncate -s 16M "$TMP/case42.img"
	"$MLVM" format --vg case42 "$TMP/case42.img" >/dev/null 2>&1 || fail "format case42"
	: >"$TMP/nothing.img"
	expect_status 0 "read of two VGs, one missing a PV" read "${demo[0]}" "$TMP/case42.img" &&
		grep -q "vg demo: pv pv1 .* is missing" "$TMP/err" || fail "demo's warning without --vg: $(cat "$TMP/err")"
	expect_status 0 "read --vg case42" read --vg case42 "${demo[0]}" "$TMP/case42.img" "$TMP/nothing.img"
	grep -q "demo" "$TMP/err" && fail "--vg case42 shows warnings about demo: $(cat "$TMP/err")"
	grep -q "nothing.img: it is empty \[no_label\]" "$TMP/err" || fail "--vg case42 hides an image-level warning: $(cat "$TMP/err")"
	expect_status 0 "read --json --vg case42" --json read --vg case42 "${demo[0]}" "$TMP/case42.img"
	"$PYTHON3" -c 'import json,sys; w=json.load(open(sys.argv[1]))["warnings"]; assert not [x for x in w if "demo" in x["message"]], w' "$TMP/out" ||
		fail "--json --vg case42 lists warnings about demo"
	expect_status 0 "read --json --vg demo" --json read --vg demo "${demo[0]}" "$TMP/case42.img"
	"$PYTHON3" -c '
import json, sys
w = [x for x in json.load(open(sys.argv[1]))["warnings"] if x["code"] == "pv_missing"]
assert w and w[0]["vg"] == "demo" and w[0]["vg_id"], w' "$TMP/out" || fail "--vg demo: pv_missing tied to demo: $(cat "$TMP/out")"
	expect_status 0 "history --vg case42" history --vg case42 "${demo[0]}" "$TMP/case42.img"
	grep -q "vg demo" "$TMP/err" && fail "history --vg case42 shows warnings about demo: $(cat "$TMP/err")"
fi

# --- --json: a failing command leaves a JSON error object on stdout, with the exit status of the text run
json_error() {	# json_error WHAT STATUS CODE ARGS...: the error object's code and status
	local what=$1 want=$2 code=$3
	shift 3
	"$MLVM" "$@" >/dev/null 2>&1
	local plain=$?
	expect_status "$want" "$what" --json "$@" || return
	[ "$plain" -eq "$want" ] || fail "$what: exit $plain without --json, $want with it"
	"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["error"]
assert e["code"] == sys.argv[2] and e["status"] == int(sys.argv[3]) and e["message"], e
assert set(e) == {"code", "message", "image", "offset", "status"}, e
assert isinstance(d["warnings"], list)' "$TMP/out" "$code" "$want" || fail "$what: error object: $(head -c 600 "$TMP/out")"
}
json_error "--json usage error" 2 usage read --bogus x.img
json_error "--json unknown command" 2 usage raed x.img
json_error "--json /dev/null" 1 open read /dev/null
json_error "--json scan /dev/null" 1 open scan /dev/null
json_error "--json read: no PV" 1 no_vg read "$TMP/zeros.img"
json_error "--json history: no PV" 1 no_generation history "$TMP/zeros.img"
json_error "--json map: no PV" 1 no_vg map "$TMP/zeros.img"
json_error "--json map --history: no PV" 1 no_vg map --history "$TMP/zeros.img"
json_error "--json dump: no PV" 1 no_vg dump "$TMP/zeros.img"
json_error "--json diff: no PV" 1 no_generation diff --from 1 --to 2 "$TMP/zeros.img"
json_error "--json export: no PV" 1 failed export --lv x -o "$TMP/o.raw" "$TMP/zeros.img"
json_error "--json create on a chmod 444 image" 1 read_only create "$TMP/ro444.img" x 2>/dev/null
if [ -n "${demo[0]:-}" ]; then
	json_error "--json export of a removed LV" 1 no_lv export --lv scratch -o "$TMP/o.raw" "${demo[@]}"
	grep -q '"message": "no lv scratch in volume group demo at seqno 10 (it exists in generations 4-6' "$TMP/out" ||
		fail "export error message: $(cat "$TMP/out")"
	json_error "--json map --lv of a removed LV" 1 no_lv map --lv scratch "${demo[@]}"
	json_error "--json --vg nope" 1 no_vg read --vg nope "${demo[@]}"
	# dump --json: the text and where it came from
	expect_status 0 "dump --json" --json dump --generation 6 "${demo[@]}"
	"$MLVM" dump --generation 6 "${demo[@]}" 2>/dev/null | tail -n +2 >"$TMP/dump.txt"
	"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["vg"] == "demo" and d["seqno"] == 6 and d["mda"] == 1 and d["offset"] > 0 and d["size"] > 0, d
assert d["from_ring"] is True and d["pv_id"] and d["image"] and d["vg_id"], d
t = open(sys.argv[2]).read()
assert d["text"].rstrip("\n") == t.rstrip("\n"), "text differs"
assert "scratch" in d["text"]' "$TMP/out" "$TMP/dump.txt" || fail "dump --json: $(head -c 400 "$TMP/out")"
fi

finish
