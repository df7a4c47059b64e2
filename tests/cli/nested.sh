#!/bin/bash
# nested.sh - volumes inside volumes (issue 17, "Guest disks inside LVs"),
# against LVM2 itself. A guest disk (GPT by sgdisk, two partitions, each a
# PV; VG "guest" with a linear and a striped LV over random bytes) is made
# on loop devices over windows of one file, then copied by dd into an LV of
# a host VG at the PE offsets LVM2 reports. mlvm on the host image alone:
#  - shows the guest VG, whose PV is the LV host/guestdisk (read, map);
#  - exports both guest LVs byte-identical to the bytes LVM2 placed them on
#    (computed here from LVM2's own seg_pe_ranges, pe_start, stripe size);
#  - scan says where the guest PVs are: inside LV host/guestdisk at byte N;
#  - --no-nested: no guest VG;
#  - a host image cut short inside the guest's extents: the guest LVs list
#    the missing ranges (exit 1 without --allow-missing);
#  - a host LV holding a copy of the host PV's label and metadata: never
#    merged, warned (nested_duplicate_pv);
#  - a host LV with a GPT whose partitions lie outside it, one with an MBR
#    partition pointing at the table itself: read works, nothing invented;
#  - a chain of six VGs, each in an LV of the next: four levels are opened,
#    the fifth is named (nested_depth) and not.
# Needs root, loop devices, lvm2 and sgdisk or sfdisk (skips with 77 otherwise).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
command -v sfdisk >/dev/null || skip "sfdisk not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1
loop_cleanup_on_exit
NO=(--driverloaded n)
MiB=$((1 << 20))

lvmq() { "$@" >>"$TMP/lvm.log" 2>&1 || { echo "FAILED: $*"; tail -20 "$TMP/lvm.log"; exit 99; }; }
# pe_start in bytes of PV device $2 (devices in D)
pe_start() { pvs "${D[@]}" --noheadings --units b --nosuffix -o pe_start "$1" | tr -d ' '; }
# LVM2's segments of VG $1 as JSON into $2
segs() { lvs "${D[@]}" --reportformat json --units b --nosuffix \
	-o lv_name,seg_start_pe,seg_pe_ranges,stripes,stripe_size "$1" 2>/dev/null >"$2"; }
# copy FILE into LV $2 of VG $3 (D set, extent size $4 bytes) inside image $5 whose PV is device $6
copy_into_lv() {
	local file=$1 lv=$2 vg=$3 es=$4 img=$5 dev=$6 ps
	ps=$(pe_start "$dev")
	segs "$vg" "$TMP/copy.json"
	"$PYTHON3" - "$TMP/copy.json" "$lv" "$es" "$ps" <<'PY' >"$TMP/copy.plan"
import json, sys
segs, lv, es, ps = json.load(open(sys.argv[1]))["report"][0]["lv"], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for s in segs:
    if s["lv_name"] != lv:
        continue
    start = int(s["seg_start_pe"])
    dev, r = s["seg_pe_ranges"].split(":")
    a, b = map(int, r.split("-"))
    print(start * es, ps + a * es, (b - a + 1) * es)
PY
	while read -r lo po n; do
		dd if="$file" of="$img" bs=64k iflag=skip_bytes,count_bytes oflag=seek_bytes \
			skip="$lo" seek="$po" count="$n" conv=notrunc status=none || exit 99
	done <"$TMP/copy.plan"
}

# ---------------------------------------------------------------- the guest disk
G=$TMP/guest.img
head -c $((40 * MiB)) /dev/urandom >"$G"
printf 'label: gpt\nstart=2048, size=38912, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\nstart=40960, size=38912, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' |
	sfdisk -q "$G" >>"$TMP/lvm.log" 2>&1 || { echo "sfdisk failed"; exit 99; }
g1=$(attach "$G" $((2048 * 512)) $((38912 * 512)))
g2=$(attach "$G" $((40960 * 512)) $((38912 * 512)))
D=(--devices "$g1" --devices "$g2")
gvg=guest$$
lvmq pvcreate "${D[@]}" "$g1" "$g2"
lvmq vgcreate "${D[@]}" -s 1m "$gvg" "$g1" "$g2"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 6 -n lin "$gvg" "$g1"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -i 2 -I 64k -l 8 -n str "$gvg" "$g1" "$g2"
segs "$gvg" "$TMP/guest-segs.json"
GPS1=$(pe_start "$g1")
GPS2=$(pe_start "$g2")
GUEST_PV1=$(pvs "${D[@]}" --noheadings -o pv_uuid "$g1" | tr -d ' ')
losetup -d "$g2"
losetup -d "$g1"
# the expected bytes of each guest LV, from LVM2's answers and the guest disk
"$PYTHON3" - "$TMP/guest-segs.json" "$G" "$g1" "$g2" $((2048 * 512 + GPS1)) $((40960 * 512 + GPS2)) "$TMP" <<'PY' || exit 99
import json, sys
segs, img, d1, d2, b1, b2, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
base = {d1: b1, d2: b2}
es = 1 << 20
data = open(img, "rb").read()
lvs = {}
for s in json.load(open(segs))["report"][0]["lv"]:
    areas = []
    for a in s["seg_pe_ranges"].split():
        dev, r = a.split(":")
        lo, hi = map(int, r.split("-"))
        areas.append(data[base[dev] + lo * es: base[dev] + (hi + 1) * es])
    n = int(s["stripes"])
    if n == 1:
        b = areas[0]
    else:
        ch = int(s["stripe_size"])
        b = bytearray()
        for c in range(sum(len(x) for x in areas) // ch):
            b += areas[c % n][(c // n) * ch:(c // n + 1) * ch]
    lvs.setdefault(s["lv_name"], bytearray()).extend(b)
for name, b in lvs.items():
    open(out + "/expect-" + name + ".img", "wb").write(b)
PY

# ---------------------------------------------------------------- the host
H=$TMP/host.img
head -c $((64 * MiB)) /dev/urandom >"$H"
h=$(attach "$H")
D=(--devices "$h")
hvg=host$$
lvmq pvcreate "${D[@]}" "$h"
lvmq vgcreate "${D[@]}" -s 1m "$hvg" "$h"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 2 -n before "$hvg"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 41 -n guestdisk "$hvg"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 4 -n clone "$hvg"
HPS=$(pe_start "$h")
copy_into_lv "$G" guestdisk "$hvg" $MiB "$H" "$h"
# clone: the host PV's own first MiB (label, metadata area), an older
# generation than the host's last (so a deep scan prefers the real one)
head -c $MiB "$H" >"$TMP/clone.bin"
copy_into_lv "$TMP/clone.bin" clone "$hvg" $MiB "$H" "$h"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 4 -n badgpt "$hvg"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 4 -n selfmbr "$hvg"
# badgpt: the first MiB of a 64 MiB GPT disk whose partitions start at 8 MiB
truncate -s $((64 * MiB)) "$TMP/gpt64.img"
printf 'label: gpt\nstart=16384, size=8192, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\nstart=65536, size=8192\n' |
	sfdisk -q "$TMP/gpt64.img" >>"$TMP/lvm.log" 2>&1 || exit 99
head -c $MiB "$TMP/gpt64.img" >"$TMP/badgpt.bin"
copy_into_lv "$TMP/badgpt.bin" badgpt "$hvg" $MiB "$H" "$h"
# selfmbr: an MBR whose LVM partition starts at sector 0 (the table itself) and
# a PV label in sector 1 of the LV... of a PV that does not exist anywhere
"$PYTHON3" - "$TMP/selfmbr.bin" <<'PY'
import struct, sys
b = bytearray(4 << 20)
e = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x8e, b"\0\0\0", 0, 8192)
b[446:462] = e
e2 = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x8e, b"\0\0\0", 4, 8192)   # overlaps it
b[462:478] = e2
b[510:512] = b"\x55\xaa"
open(sys.argv[1], "wb").write(b)
PY
copy_into_lv "$TMP/selfmbr.bin" selfmbr "$hvg" $MiB "$H" "$h"
losetup -d "$h"

# ---------------------------------------------------------------- checks
expect_status 0 "read of the host image" --json read "$H"
"$PYTHON3" - "$TMP/out" "$hvg" "$gvg" <<'PY' && pass "read shows the guest VG on LV $hvg/guestdisk, and the host VG once" || fail "read: $(cat "$TMP/out" | head -c 600)"
import json, sys
d = json.load(open(sys.argv[1]))
names = [v["name"] for v in d["vgs"]]
assert names.count(sys.argv[2]) == 1, names
assert names.count(sys.argv[3]) == 1, names
g = [v for v in d["vgs"] if v["name"] == sys.argv[3]][0]
assert sorted(l["name"] for l in g["lvs"]) == ["lin", "str"], g["lvs"]
imgs = {p.get("image") for p in g["pvs"]}
assert imgs == {sys.argv[2] + "/guestdisk"}, imgs
PY
grep -q nested_duplicate_pv "$TMP/out" && pass "the clone of the host PV is reported (nested_duplicate_pv)" ||
	fail "no nested_duplicate_pv for the clone of the host PV"

for lv in lin str; do
	expect_status 0 "export $gvg/$lv" --json export --lv "$gvg/$lv" -o "$TMP/got-$lv.img" "$H"
	if cmp -s "$TMP/got-$lv.img" "$TMP/expect-$lv.img"; then
		pass "guest $lv is byte-identical to what LVM2 placed"
	else
		fail "guest $lv differs from the expected bytes"
	fi
done

expect_status 0 "scan" scan "$H"
grep -q "inside LV $hvg/guestdisk at byte" "$TMP/out" && pass "scan says inside LV $hvg/guestdisk" ||
	fail "scan does not say inside LV: $(head -c 800 "$TMP/out")"
expect_status 0 "scan --json" --json scan "$H"
"$PYTHON3" - "$TMP/out" "$hvg" <<'PY' && pass "scan --json: inside {vg, lv, offset} at the partition starts" || fail "scan --json inside: $(head -c 800 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
ins = sorted((p["inside"]["vg"], p["inside"]["lv"], p["inside"]["offset"]) for p in d["pvs"] if p.get("inside"))
assert [(v, l) for v, l, o in ins if l == "guestdisk"] == [(sys.argv[2], "guestdisk")] * 2, ins
assert sorted(o for v, l, o in ins if l == "guestdisk") == [2048 * 512, 40960 * 512], ins
PY

expect_status 0 "map of the guest VG" map --vg "$gvg" "$H"
grep -q "$hvg/guestdisk" "$TMP/out" && pass "map names the host LV as the guest's image" ||
	fail "map does not name $hvg/guestdisk"

# a guest VG as of an older generation: --generation is the named VG's, its
# host is read as it is now (LVM2 wrote generation 2 with lin alone)
expect_status 0 "read --generation 2 --vg $gvg" --json read --generation 2 --vg "$gvg" "$H"
"$PYTHON3" - "$TMP/out" "$gvg" <<'PY' && pass "the guest VG as of generation 2: lin alone, its host LV still there" || fail "guest generation 2: $(head -c 600 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
g = [v for v in d["vgs"] if v["name"] == sys.argv[2]]
assert len(g) == 1 and g[0]["seqno"] == 2, g
assert [l["name"] for l in g[0]["lvs"]] == ["lin"], g[0]["lvs"]
PY
expect_status 0 "export --generation 2 --lv $gvg/lin" export --generation 2 --lv "$gvg/lin" -o "$TMP/g2-lin.img" "$H"
cmp -s "$TMP/g2-lin.img" "$TMP/expect-lin.img" && pass "guest lin of generation 2 is byte-identical to what LVM2 placed" ||
	fail "guest lin of generation 2 differs"

expect_status 0 "read --no-nested" --json --no-nested read "$H"
grep -q "\"$gvg\"" "$TMP/out" && fail "--no-nested still shows the guest VG" || pass "--no-nested: no guest VG"

# the host image cut short in the guest's second partition: its PV is still
# found (its label and metadata are early), the striped LV's tail is missing
cut=$((HPS + 2 * MiB + 40960 * 512 + 4 * MiB))
head -c "$cut" "$H" >"$TMP/cut.img"
expect_status 1 "export of a guest LV whose host bytes are cut off" export --lv "$gvg/str" -o "$TMP/cut-str-$RANDOM.img" "$TMP/cut.img"
expect_status 0 "the same with --allow-missing" --json export --allow-missing --lv "$gvg/str" -o "$TMP/cut-str-$RANDOM.img" "$TMP/cut.img"
"$PYTHON3" - "$TMP/out" <<'PY' && pass "the guest LV lists its missing ranges, naming the host LV (nested_missing)" || fail "no missing ranges: $(head -c 600 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["missing_ranges"], d
assert any(w["code"] == "nested_missing" and "guestdisk" in w["message"] for w in d["warnings"]), d["warnings"]
PY
# where they come from: the host LV's bytes past the end of the cut image,
# at the image offsets the cut gives (oracle: the cut itself)
"$PYTHON3" - "$TMP/out" "$hvg" "$TMP/cut.img" "$cut" <<'PY' && pass "missing_origins: the host LV bytes behind them lie past the cut image's end ($cut bytes)" || fail "missing_origins: $(head -c 900 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
hvg, img, cut = sys.argv[2], sys.argv[3], int(sys.argv[4])
o = d["missing_origins"]
assert o, d
for m in o:
    assert m["image"] == hvg + "/guestdisk" and m["host_vg"] == hvg and m["host_lv"] == "guestdisk", m
    assert m["host_image"] == img and m["beyond_end"] is True, m
    assert m["host_image_offset"] >= cut, m
    assert len(m["host_pvs"]) == 1 and m["host_pvs"][0]["missing"] is False, m
assert min(m["host_image_offset"] for m in o) == cut, o
assert sum(m["length"] for m in o) >= sum(r[1] for r in d["missing_ranges"]), (o, d["missing_ranges"])
assert any("beyond its end" in w["message"] for w in d["warnings"] if w["code"] == "nested_missing"), d["warnings"]
PY

# a host VG on two PVs, the guest disk on both; opened with the first image
# alone: the guest's bytes on the second PV are missing, and said to lie on
# that missing PV (its uuid from LVM2's pvs)
HA=$TMP/hosta.img
HB=$TMP/hostb.img
head -c $((24 * MiB)) /dev/urandom >"$HA"
head -c $((24 * MiB)) /dev/urandom >"$HB"
ha=$(attach "$HA")
hb=$(attach "$HB")
D=(--devices "$ha" --devices "$hb")
h2vg=hosttwo$$
lvmq pvcreate "${D[@]}" "$ha" "$hb"
lvmq vgcreate "${D[@]}" -s 1m "$h2vg" "$ha" "$hb"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l 41 -n guestdisk "$h2vg" "$ha" "$hb"
HB_UUID=$(pvs "${D[@]}" --noheadings -o pv_uuid "$hb" | tr -d ' ')
segs "$h2vg" "$TMP/h2.json"
"$PYTHON3" - "$TMP/h2.json" "$G" "$ha" "$HA" "$(pe_start "$ha")" "$hb" "$HB" "$(pe_start "$hb")" <<'PY' || exit 99
import json, sys
segs, guest = json.load(open(sys.argv[1]))["report"][0]["lv"], open(sys.argv[2], "rb").read()
dev = {sys.argv[3]: (sys.argv[4], int(sys.argv[5])), sys.argv[6]: (sys.argv[7], int(sys.argv[8]))}
es = 1 << 20
for s in segs:
    d, r = s["seg_pe_ranges"].split(":")
    a, b = map(int, r.split("-"))
    img, ps = dev[d]
    with open(img, "r+b") as f:
        f.seek(ps + a * es)
        lo = int(s["seg_start_pe"]) * es
        f.write(guest[lo: lo + (b - a + 1) * es])
PY
losetup -d "$hb"
losetup -d "$ha"
expect_status 0 "export of a guest LV whose host PV is missing, --allow-missing" --json export --allow-missing --lv "$gvg/str" -o "$TMP/miss-str-$RANDOM.img" "$HA"
"$PYTHON3" - "$TMP/out" "$h2vg" "$HB_UUID" <<'PY' && pass "missing_origins: the guest's missing bytes lie on the host's missing PV $HB_UUID" || fail "missing_origins with a PV missing: $(head -c 900 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
hvg, uuid = sys.argv[2], sys.argv[3]
assert d["missing_ranges"], d
o = d["missing_origins"]
assert o, d
for m in o:
    assert m["host_vg"] == hvg and m["host_lv"] == "guestdisk", m
    assert [(p["id"], p["missing"]) for p in m["host_pvs"]] == [(uuid, True)], m
    assert m["host_image"] is None, m
assert any(uuid in w["message"] and "missing" in w["message"] for w in d["warnings"] if w["code"] == "nested_missing"), d["warnings"]
PY

# ---------------------------------------------------------------- depth
prev=
for k in 5 4 3 2 1 0; do
	f=$TMP/chain$k.img
	size=$(( (4 + 3 * (5 - k)) * MiB ))
	head -c "$size" /dev/urandom >"$f"
	l=$(attach "$f")
	D=(--devices "$l")
	lvmq pvcreate "${D[@]}" "$l"
	lvmq vgcreate "${D[@]}" -s 1m "n$k$$" "$l"
	lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -Wn -l $(( (size / MiB) - 2 )) -n "lv$k" "n$k$$"
	[ -n "$prev" ] && copy_into_lv "$prev" "lv$k" "n$k$$" $MiB "$f" "$l"
	losetup -d "$l"
	prev=$f
done
expect_status 0 "read of a chain of six nested VGs" --json read "$TMP/chain0.img"
"$PYTHON3" - "$TMP/out" "$$" <<'PY' && pass "four levels opened, the fifth named (nested_depth)" || fail "depth: $(head -c 900 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1])); p = sys.argv[2]
names = sorted(v["name"] for v in d["vgs"])
assert names == sorted("n%d%s" % (k, p) for k in range(5)), names
w = [x for x in d["warnings"] if x["code"] == "nested_depth"]
assert len(w) == 1 and ("n4%s/lv4" % p) in w[0]["message"], w
PY

# ---------------------------------------------------------------- the library
# libmlvm (through the Python module) opens the same guest VGs, says how deep
# each PV lies and in which LV, and does not look inside LVs with nested=False
if [ -n "${MLVM_PYTHON_MODULE_DIR:-}" ] && [ -f "$MLVM_PYTHON_MODULE_DIR/mlvm.so" ] && [ -z "${MLVM_SAN_FLAGS:-}" ]; then
	PYTHONPATH=$MLVM_PYTHON_MODULE_DIR "$PYTHON3" - "$TMP/chain0.img" "$$" <<'PY' && pass "libmlvm: the nested VGs, each PV's depth and host LV; none with nested=False" || fail "libmlvm nested discovery (see above)"
import sys, mlvm
img, p = sys.argv[1], sys.argv[2]
with mlvm.open([img]) as h:
    got = sorted((vg.name, pv.nested_depth, pv.image) for vg in h.vgs for pv in vg.pvs)
want = sorted([("n0" + p, 0, img)] + [("n%d%s" % (k, p), k, "n%d%s/lv%d" % (k - 1, p, k - 1)) for k in range(1, 5)])
assert got == want, (got, want)
with mlvm.open([img], nested=False) as h:
    assert [vg.name for vg in h.vgs] == ["n0" + p], [vg.name for vg in h.vgs]
PY
	# one VG's generation: the guest as of generation 2 (LVM2 made lin alone
	# then), its host LV there as it is now
	PYTHONPATH=$MLVM_PYTHON_MODULE_DIR "$PYTHON3" - "$H" "$gvg" "$hvg" <<'PY' && pass "libmlvm: open_vg_generation reads guest generation 2 (lin alone) with its host as it is now" || fail "libmlvm vg generation (see above)"
import errno, sys, mlvm
img, gvg, hvg = sys.argv[1:4]
with mlvm.open([img], generation=2, vg=gvg) as h:
    g = [vg for vg in h.vgs if vg.name == gvg]
    assert len(g) == 1 and g[0].seqno == 2, [(vg.name, vg.seqno) for vg in h.vgs]
    assert [lv.name for lv in g[0].lvs] == ["lin"], [lv.name for lv in g[0].lvs]
    assert any(vg.name == hvg for vg in h.vgs)
try:
    mlvm.open([img], generation=99, vg=gvg)
    raise SystemExit("generation 99 opened")
except OSError as e:
    assert e.errno == errno.ENOENT, e
PY
else
	echo "SKIP (part): the Python module was not built, or a sanitizer build: libmlvm not checked here"
fi
finish
