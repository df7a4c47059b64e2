#!/bin/bash
# Copies of one seqno that disagree: a VG on three PVs made by the real lvm2
# tools on loop devices (random bytes under the PVs), then the committed copy
# of the current seqno in one or two PVs' metadata areas edited (an LV's
# extent count changed, the text's CRC in raw_locn and the header's CRC made
# right again: "good" copies that say something else). --generation must
# take the text most committed slots hold and name the others, refuse a tie
# (generation_ambiguous), let --copy-at choose (copy_choice when no copy
# starts there), and history must show the conflict; in both orders of the
# images. The expected sizes come from LVM2's own report before the edit.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

lvm_private_conf
loop_cleanup_on_exit
random_image() { "$PYTHON3" -c 'import random,sys; open(sys.argv[1],"wb").write(random.Random(int(sys.argv[2])).randbytes(int(sys.argv[3]) << 20))' "$@"; }

vg=rc$$
cd "$TMP" || exit 99
random_image a.img 11 16
random_image b.img 12 16
random_image c.img 13 16
la=$(attach a.img) && lb=$(attach b.img) && lc=$(attach c.img) || { fail "losetup"; finish; }
D=(--devices "$la,$lb,$lc")
NOACT=(--driverloaded n -an -Zn)
lvmq pvcreate -q "${D[@]}" "$la" "$lb" "$lc" &&
	lvmq vgcreate -q "${D[@]}" -s 1m "$vg" "$la" "$lb" "$lc" &&
	lvmq lvcreate -q "${D[@]}" "${NOACT[@]}" -n first -l 3 "$vg" "$la" &&
	lvmq lvcreate -q "${D[@]}" "${NOACT[@]}" -n second -l 2 "$vg" "$lb" || finish
seqno=$(vgs "${D[@]}" --noheadings -o vg_seqno "$vg" | tr -d ' ')
ext=$(vgs "${D[@]}" --noheadings -o vg_extent_size --units b --nosuffix "$vg" | tr -d ' ')
lvs "${D[@]}" --reportformat json --units b --nosuffix -o lv_name,lv_size "$vg" >lvs.json
for l in "$la" "$lb" "$lc"; do losetup -d "$l"; done
size_first=$("$PYTHON3" -c '
import json, sys
for r in json.load(open("lvs.json"))["report"]:
    for lv in r["lv"]:
        if lv["lv_name"] == "first":
            print(int(lv["lv_size"]))' )
[ "$size_first" = $((3 * ext)) ] || fail "LVM2 reports first as $size_first bytes, not 3 extents of $ext"

# edit IMAGE COUNT: the committed copy of mda1 gets first's extent_count =
# COUNT, its CRC in raw_locn[0] and the header's CRC fixed; prints the copy's
# absolute byte offset
edit() {
	"$PYTHON3" - "$1" "$2" <<'PY'
import re, struct, sys, zlib
def crc(b):
    return zlib.crc32(b, 0xf597a6cf ^ 0xffffffff) ^ 0xffffffff
path, count = sys.argv[1], int(sys.argv[2])
img = bytearray(open(path, "rb").read())
h = 4096                                   # mda1's header (pvcreate's default)
assert img[h + 4:h + 20] == b" LVM2 x[5A%r0N*>", "no mda header at 4096"
off, size, csum, flags = struct.unpack_from("<QQII", img, h + 40)
start = h + off
text = bytes(img[start:start + size])
assert crc(text) == csum, "the committed copy's CRC is not LVM2's"
i = text.index(b"first {")
m = re.compile(rb"extent_count = 3\n").search(text, i)
assert m, "no extent_count = 3 in first"
new = text[:m.start()] + b"extent_count = %d\n" % count + text[m.end():]
assert len(new) == len(text)
img[start:start + size] = new
struct.pack_into("<I", img, h + 40 + 16, crc(new))
struct.pack_into("<I", img, h, crc(bytes(img[h + 4:h + 512])))
open(path, "wb").write(img)
print(start)
PY
}
# offset of the committed copy of mda1 (unedited)
committed_at() {
	"$PYTHON3" -c '
import struct, sys
img = open(sys.argv[1], "rb").read(8192)
print(4096 + struct.unpack_from("<Q", img, 4096 + 40)[0])' "$1"
}
# first_size: lv "first"'s size in bytes in read --json output ($TMP/out)
first_size() {
	"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for vg in d["vgs"]:
    for lv in vg["lvs"]:
        if lv["name"] == "first":
            print(lv["size"])' "$TMP/out" 2>/dev/null
}

cp c.img c1.img
offc=$(edit c1.img 5) || { fail "editing c1.img"; finish; }
offa=$(committed_at a.img)
offb=$(committed_at b.img)

# ---- 1. two committed copies against one: the two win, the third is named
for order in "a.img b.img c1.img" "c1.img b.img a.img"; do
	run_mlvm --json read --generation "$seqno" $order
	if [ "$status" -eq 0 ] && [ "$(first_size)" = "$size_first" ]; then
		pass "majority ($order): first is LVM2's $size_first bytes"
	else
		fail "majority ($order): exit $status, first $(first_size), want $size_first: $(head -c 600 "$TMP/err")"
	fi
	"$PYTHON3" - "$TMP/out" "$offc" "$offa" <<'PY' && pass "majority ($order): generation_conflict names c1.img@$offc and the copy used" ||
import json, sys
d = json.load(open(sys.argv[1]))
w = [x for x in d["warnings"] if x["code"] == "generation_conflict"]
assert len(w) == 1, w
assert w[0]["image"] == "c1.img" and w[0]["offset"] == int(sys.argv[2]), w
assert "c1.img@%s" % sys.argv[2] in w[0]["message"], w
assert "a.img@%s" % sys.argv[3] in w[0]["message"], w
PY
		fail "majority ($order): warnings $(head -c 800 "$TMP/out")"
done

# ---- 1b. the current state (no --generation) is decided the same way: the
# edited copy under a name that sorts first is still outvoted (it was read,
# chosen by image name, before)
cp c1.img 0c.img
for order in "0c.img a.img b.img" "b.img a.img 0c.img"; do
	run_mlvm --json read $order
	if [ "$status" -eq 0 ] && [ "$(first_size)" = "$size_first" ] &&
		grep -q '"mda_conflict"' "$TMP/out" && grep -q '0c.img' "$TMP/out"; then
		pass "current state, majority ($order): first is LVM2's $size_first bytes, 0c.img named (mda_conflict)"
	else
		fail "current state, majority ($order): exit $status, first $(first_size), want $size_first: $(head -c 600 "$TMP/out")"
	fi
done
rm -f 0c.img

# ---- 2. history shows the conflict
run_mlvm --json history a.img b.img c1.img
"$PYTHON3" - "$TMP/out" "$seqno" <<'PY' && pass "history --json: the copies of seqno $seqno are in conflict" ||
import json, sys
g = [x for x in json.load(open(sys.argv[1]))["generations"] if x["seqno"] == int(sys.argv[2])]
assert len(g) == 3 and all(x["conflict"] for x in g), g
older = [x for x in json.load(open(sys.argv[1]))["generations"] if x["seqno"] != int(sys.argv[2])]
assert not any(x["conflict"] for x in older), older
PY
	fail "history --json: $(head -c 800 "$TMP/out")"
run_mlvm history a.img b.img c1.img
if grep -E "^$vg +$seqno +committed, conflict " "$TMP/out" >/dev/null; then
	pass "history: seqno $seqno shows the state conflict"
else
	fail "history: no conflict state for $seqno: $(cat "$TMP/out")"
fi

# ---- 3. three texts, one area each: refused, every copy named
cp b.img b1.img
offb1=$(edit b1.img 4) || { fail "editing b1.img"; finish; }
for order in "a.img b1.img c1.img" "c1.img a.img b1.img"; do
	run_mlvm --json read --generation "$seqno" $order
	"$PYTHON3" - "$TMP/out" "$offa" "$offb1" "$offc" <<'PY' && [ "$status" -eq 1 ] && pass "tie ($order): exit 1, generation_ambiguous naming the three copies" ||
import json, sys
d = json.load(open(sys.argv[1]))
assert not d.get("vgs"), d
e = d["error"]
assert e["code"] == "generation_ambiguous", e
for img, off in (("a.img", sys.argv[2]), ("b1.img", sys.argv[3]), ("c1.img", sys.argv[4])):
    assert "%s@%s (crc 0x" % (img, off) in e["message"], e
PY
		fail "tie ($order): exit $status: $(head -c 800 "$TMP/out")"
	expect_status 1 "tie ($order): export refused" export --lv "$vg/first" -o out.raw --generation "$seqno" $order
	grep -q "generation_ambiguous" "$TMP/err" || fail "tie ($order): export's stderr does not say generation_ambiguous"
done
run_mlvm --json read a.img b1.img c1.img
"$PYTHON3" - "$TMP/out" <<'PY' && [ "$status" -eq 1 ] && pass "tie, current state: read refused (generation_ambiguous), pointing at --generation and --copy-at" ||
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["code"] == "generation_ambiguous" and "--generation SEQNO --copy-at" in e["message"], e
PY
	fail "tie, current state: exit $status: $(head -c 800 "$TMP/out")"

# ---- 4. --copy-at chooses, in any order; a place with no copy is refused
for order in "a.img b1.img c1.img" "c1.img b1.img a.img"; do
	run_mlvm --json --copy-at "c1.img@$offc" read --generation "$seqno" $order
	[ "$status" -eq 0 ] && [ "$(first_size)" = $((5 * ext)) ] &&
		pass "--copy-at c1.img@$offc ($order): first is 5 extents" ||
		fail "--copy-at c1.img ($order): exit $status, first $(first_size): $(head -c 600 "$TMP/err")"
	run_mlvm --json read --generation "$seqno" $order --copy-at "b1.img@$offb1"
	[ "$status" -eq 0 ] && [ "$(first_size)" = $((4 * ext)) ] &&
		pass "--copy-at b1.img@$offb1 ($order): first is 4 extents" ||
		fail "--copy-at b1.img ($order): exit $status, first $(first_size)"
	rm -f out.raw
	run_mlvm --copy-at "a.img@$offa" export --lv "$vg/first" -o out.raw --generation "$seqno" $order
	[ "$status" -eq 0 ] && [ "$(stat -c %s out.raw)" = "$size_first" ] &&
		pass "--copy-at a.img@$offa ($order): export writes LVM2's $size_first bytes" ||
		fail "--copy-at a.img export ($order): exit $status: $(head -c 600 "$TMP/err")"
	run_mlvm --json --copy-at "a.img@$((offa + 512))" read --generation "$seqno" $order
	"$PYTHON3" - "$TMP/out" <<'PY' && [ "$status" -eq 1 ] && pass "--copy-at a place without a copy ($order): exit 1, copy_choice naming the copies" ||
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["code"] == "copy_choice", e
assert "a.img@" in e["message"] and "b1.img@" in e["message"] and "c1.img@" in e["message"], e
PY
		fail "--copy-at nowhere ($order): exit $status: $(head -c 600 "$TMP/out")"
done
# dump, map and diff take it too
run_mlvm --copy-at "c1.img@$offc" dump --generation "$seqno" a.img b1.img c1.img
grep -q "extent_count = 5" "$TMP/out" && ! grep -q "extent_count = 4" "$TMP/out" &&
	pass "dump --copy-at c1.img: the edited text" || fail "dump --copy-at: exit $status: $(head -c 400 "$TMP/err")"
expect_status 1 "dump of the tie: refused" dump --generation "$seqno" a.img b1.img c1.img
run_mlvm --json --copy-at "b1.img@$offb1" map --generation "$seqno" c1.img b1.img a.img
[ "$status" -eq 0 ] && pass "map --copy-at b1.img: read" || fail "map --copy-at: exit $status: $(head -c 400 "$TMP/err")"
run_mlvm --json --copy-at "c1.img@$offc" diff --from "$((seqno - 1))" --to "$seqno" a.img b1.img c1.img
"$PYTHON3" - "$TMP/out" <<'PY' && pass "diff --copy-at c1.img: first grew by the edited copy" ||
import json, sys
d = json.load(open(sys.argv[1]))
assert any(c.get("lv") == "first" for c in d["changes"]), d["changes"]
PY
	fail "diff --copy-at: exit $status: $(head -c 600 "$TMP/out") $(head -c 400 "$TMP/err")"
expect_status 2 "--copy-at without a number" --copy-at a.img@x read a.img b1.img c1.img
run_mlvm --copy-at "a.img@$offa" read a.img b.img c1.img
grep -q -- "--copy-at was not used" "$TMP/err" && pass "--copy-at without --generation: said to be unused" ||
	fail "--copy-at without --generation: exit $status, nothing said: $(head -c 400 "$TMP/err")"
# the library (through the Python module): the tie refused, copy_at decides
if [ -n "${MLVM_PYTHON_MODULE_DIR:-}" ] && [ -f "$MLVM_PYTHON_MODULE_DIR/mlvm.so" ] && [ -z "${MLVM_SAN_FLAGS:-}" ]; then
	PYTHONPATH=$MLVM_PYTHON_MODULE_DIR "$PYTHON3" - "$vg" "$seqno" "$offc" "$ext" <<'PY' && pass "libmlvm: the tie refused (ENOENT), copy_at reads c1.img's copy (first of 5 extents)" || fail "libmlvm copy_at (see above)"
import errno, sys, mlvm
vg, seqno, offc, ext = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
imgs = ["a.img", "b1.img", "c1.img"]
try:
    mlvm.open(imgs, generation=seqno, vg=vg)
    raise SystemExit("the tie was opened")
except OSError as e:
    assert e.errno == errno.ENOENT and "disagree" in str(e), e
with mlvm.open(imgs, generation=seqno, vg=vg, copy_at=("c1.img", offc)) as h:
    v = [x for x in h.vgs if x.name == vg][0]
    assert [lv.size for lv in v.lvs if lv.name == "first"] == [5 * ext], [(lv.name, lv.size) for lv in v.lvs]
PY
else
	echo "SKIP (part): the Python module was not built, or a sanitizer build"
fi
expect_status 2 "--copy-at with history: a usage error" --copy-at "a.img@$offa" history a.img b1.img c1.img
finish
