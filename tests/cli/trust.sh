#!/bin/bash
# Never silently wrong: which image supplies a PV is decided on evidence,
# never on the order of the images, and where the evidence cannot decide
# mlvm says so and refuses what depends on it. Images made by the real lvm2
# tools on loop devices (random bytes under the PVs); the expected bytes of
# every LV come from LVM2's own report of its PE ranges (lvs --segments)
# read straight out of the images, the uuids and seqnos from pvs/vgs.
# Every case runs with the images in both orders.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1
export LVM_SYSTEM_DIR=$TMP/lvm
mkdir -p "$LVM_SYSTEM_DIR"
cat >"$LVM_SYSTEM_DIR/lvm.conf" <<'EOF'
backup {
	backup = 0
	archive = 0
}
devices {
	use_devicesfile = 0
	obtain_device_list_from_udev = 0
}
global {
	use_lvmlockd = 0
}
EOF
loop_cleanup_on_exit
detach() { losetup -d "$1"; }
lvmq() { "$@" >>"$TMP/lvm.log" 2>&1 || { fail "lvm: $* (see below)"; tail -5 "$TMP/lvm.log"; return 1; }; }
random_image() { "$PYTHON3" -c 'import random,sys; open(sys.argv[1],"wb").write(random.Random(int(sys.argv[2])).randbytes(int(sys.argv[3]) << 20))' "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# truth PREFIX DEV=IMAGE...: the expected bytes of each LV (PREFIX-LV.raw) from
# LVM2's own report (pvs.json, segs.json, extent_size, as saved just before),
# read out of the images; and PREFIX-uuids.json: image -> PV uuid
truth() {
	"$PYTHON3" - "$@" <<'PY' || fail "oracle $1"
import json, sys
prefix = sys.argv[1]
dev_img = dict(a.split("=", 1) for a in sys.argv[2:])
pvs = {p["pv_name"]: p for r in json.load(open("pvs.json"))["report"] for p in r["pv"]}
ext = int(open("extent_size").read())
json.dump({dev_img[d]: p["pv_uuid"] for d, p in pvs.items() if d in dev_img},
          open(prefix + "-uuids.json", "w"))
out = {}
for r in json.load(open("segs.json"))["report"]:
    for s in r["seg"]:
        data = out.setdefault(s["lv_name"], bytearray())
        areas = []
        for rng in s["seg_pe_ranges"].split():
            dev, pe = rng.rsplit(":", 1)
            first, last = map(int, pe.split("-"))
            f = open(dev_img[dev], "rb")
            f.seek(int(pvs[dev]["pe_start"]) + first * ext)
            areas.append(f.read((last - first + 1) * ext))
        n = int(s["stripes"])
        if n == 1:
            data += areas[0]
        else:
            ss = int(s["stripe_size"])
            for c in range(len(areas[0]) * n // ss):
                a, o = c % n, (c // n) * ss
                data += areas[a][o:o + ss]
for lv, data in out.items():
    open("%s-%s.raw" % (prefix, lv), "wb").write(data)
PY
}
# lvm2_answers VG DEVICES: save LVM2's pvs, segments and extent size of VG
lvm2_answers() {
	pvs --devices "$2" --reportformat json --units b --nosuffix -o pv_name,pv_uuid,pe_start >pvs.json
	lvs --devices "$2" --segments --reportformat json --units b --nosuffix \
		-o lv_name,seg_start_pe,seg_size_pe,stripes,stripe_size,seg_pe_ranges "$1" >segs.json
	vgs --devices "$2" --noheadings -o vg_extent_size --units b --nosuffix "$1" | tr -d ' ' >extent_size
}

vg=trust$$
cd "$TMP" || exit 99
random_image a.img 1 32
random_image b.img 2 32
la=$(attach a.img) && lb=$(attach b.img) || { fail "losetup"; finish; }
D=(--devices "$la,$lb")
NOACT=(--driverloaded n -an -Zn)
lvmq pvcreate -q "${D[@]}" "$la" "$lb" &&
	lvmq vgcreate -q "${D[@]}" -s 4m "$vg" "$la" "$lb" &&
	lvmq lvcreate -q "${D[@]}" "${NOACT[@]}" -n first -l 3 "$vg" "$la" &&
	lvmq lvcreate -q "${D[@]}" "${NOACT[@]}" -n second -l 3 "$vg" "$lb" &&
	lvmq lvcreate -q "${D[@]}" "${NOACT[@]}" -n str -i 2 -I 64k -l 4 "$vg" || finish
old_seqno=$(vgs "${D[@]}" --noheadings -o vg_seqno "$vg" | tr -d ' ')
cp a.img a-old.img
lvmq lvcreate -q "${D[@]}" "${NOACT[@]}" -n newlv -l 2 "$vg" "$la" || finish
new_seqno=$(vgs "${D[@]}" --noheadings -o vg_seqno "$vg" | tr -d ' ')
lvm2_answers "$vg" "$la,$lb"
detach "$la"
detach "$lb"

truth truth "$la=a.img" "$lb=b.img"
uuid_of() { "$PYTHON3" -c 'import json,sys; print(json.load(open("truth-uuids.json"))[sys.argv[1]])' "$1"; }
ua=$(uuid_of a.img)
ub=$(uuid_of b.img)

# export_is WHAT WANT_STATUS LV TRUTH ARGS...: export LV, compare with TRUTH (or skip with -)
export_is() {
	local what=$1 want=$2 lv=$3 truth=$4
	shift 4
	rm -f out.raw
	run_mlvm export --lv "$vg/$lv" -o out.raw "$@"
	if [ "$status" -ne "$want" ]; then
		fail "$what: exit $status, expected $want: $(grep -v '^sha256' "$TMP/err" | head -c 600)"
		return 1
	fi
	if [ "$truth" != - ] && [ "$(sha out.raw)" != "$(sha "$truth")" ]; then
		fail "$what: the bytes differ from LVM2's extents of $lv"
		return 1
	fi
	pass "$what"
}
# warned CODE WHAT: the last run reported CODE (on stderr, with its image and byte)
warned() { grep -q "\[$1\]" "$TMP/err" && pass "$2" || fail "$2: no $1 in: $(head -c 800 "$TMP/err")"; }
not_warned() { grep -q "\[$1\]" "$TMP/err" && fail "$2: $1 in: $(grep "\[$1\]" "$TMP/err" | head -3)" || pass "$2"; }

# ---- 1. two PVs whose labels are gone, of the same size: nothing tells them apart
cp a.img a0.img
cp b.img b0.img
dd if=/dev/zero of=a0.img bs=512 seek=1 count=1 conv=notrunc status=none
dd if=/dev/zero of=b0.img bs=512 seek=1 count=1 conv=notrunc status=none
for order in "a0.img b0.img" "b0.img a0.img"; do
	set -- $order
	run_mlvm --json read "$@"
	"$PYTHON3" - "$TMP/out" <<'PY' && pass "labels gone ($order): both PVs ambiguous, each naming both images" ||
import json, sys
d = json.load(open(sys.argv[1]))
pvs = d["vgs"][0]["pvs"]
ok = all(p["ambiguous"] and p["missing"] and p["image"] is None and
         sorted(c["image"] for c in p["candidates"]) == ["a0.img", "b0.img"] for p in pvs)
codes = [w["code"] for w in d["warnings"]]
sys.exit(0 if ok and codes.count("pv_ambiguous") == 2 else 1)
PY
		fail "labels gone ($order): $(head -c 1200 "$TMP/out")"
	export_is "labels gone ($order): export of first is refused" 1 first - "$@"
	warned pv_ambiguous "labels gone ($order): export says the PV is ambiguous"
	export_is "labels gone ($order): striped export is refused" 1 str - "$@"
	export_is "labels gone ($order): --pv by name for both PVs" 0 first truth-first.raw "$@" --pv pv0=a0.img --pv pv1=b0.img
	warned pv_chosen "labels gone ($order): the choice is reported"
	export_is "labels gone ($order): --pv by uuid for one, the other by elimination, striped LV" 0 str truth-str.raw \
		--pv "$ub=b0.img" "$@"
	warned pv_no_label "labels gone ($order): the other PV is said to be tied by elimination"
	export_is "labels gone ($order): second LV after the choice" 0 second truth-second.raw "$@" --pv="$ua=a0.img"
	expect_status 1 "labels gone ($order): --pv naming an image not given" read "$@" --pv pv0=nosuch.img
	warned pv_choice "labels gone ($order): the bad choice is an error naming it"
done
# mount offers no bytes that depend on the guess: the LV cannot be opened,
# and the log says why
if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null && "$MLVM" mount --help >/dev/null 2>&1; then
	mkdir -p mnt
	if "$MLVM" mount a0.img b0.img mnt 2>mount.err; then
		if cat "mnt/$vg/first" >/dev/null 2>&1; then
			fail "mount: an LV on an ambiguous PV could be read"
		else
			pass "mount: an LV on an ambiguous PV cannot be read"
		fi
		grep -q "several images fit equally" mnt/@mlvm.log && pass "mount: @mlvm.log says why" ||
			fail "mount: @mlvm.log: $(tail -5 mnt/@mlvm.log)"
		fusermount3 -u mnt || umount -l mnt
	else
		echo "mount not possible here: $(cat mount.err)"
	fi
fi
expect_status 2 "--pv without IMAGE is a usage error" read a0.img --pv pv0
expect_status 2 "--pv without a PV is a usage error" read a0.img --pv =a0.img

# a PV added later (vgextend): the older generations in the first PV's ring
# do not list the second, so the two unlabelled PVs can be told apart
random_image m1.img 11 32
random_image m2.img 12 32
l1=$(attach m1.img) && l2=$(attach m2.img) || { fail "losetup"; finish; }
lvmq pvcreate -q --devices "$l1,$l2" "$l1" "$l2" &&
	lvmq vgcreate -q --devices "$l1,$l2" -s 4m "${vg}m" "$l1" &&
	lvmq lvcreate -q --devices "$l1,$l2" "${NOACT[@]}" -n one -l 2 "${vg}m" &&
	lvmq vgextend -q --devices "$l1,$l2" "${vg}m" "$l2" &&
	lvmq lvcreate -q --devices "$l1,$l2" "${NOACT[@]}" -n two -l 2 "${vg}m" "$l2" &&
	lvm2_answers "${vg}m" "$l1,$l2"
detach "$l1"
detach "$l2"
truth mtruth "$l1=m1.img" "$l2=m2.img"
for f in m1 m2; do dd if=/dev/zero of=$f.img bs=512 seek=1 count=1 conv=notrunc status=none; done
for order in "m1.img m2.img" "m2.img m1.img"; do
	set -- $order
	rm -f out.raw
	run_mlvm export --lv "${vg}m/one" -o out.raw "$@"
	[ "$status" -eq 0 ] && [ "$(sha out.raw)" = "$(sha mtruth-one.raw)" ] &&
		pass "labels gone, PV added later ($order): told apart by the generations in its ring" ||
		fail "labels gone, PV added later ($order): exit $status: $(head -c 800 "$TMP/err")"
	warned pv_no_label "labels gone, PV added later ($order): pv_no_label says how"
	grep -q "generations in its own metadata area" "$TMP/err" &&
		pass "labels gone, PV added later ($order): the evidence is named" ||
		fail "labels gone, PV added later ($order): $(grep pv_no_label "$TMP/err")"
	rm -f out.raw
	run_mlvm export --lv "${vg}m/two" -o out.raw "$@"
	[ "$status" -eq 0 ] && [ "$(sha out.raw)" = "$(sha mtruth-two.raw)" ] &&
		pass "labels gone, PV added later ($order): the other PV by elimination" ||
		fail "labels gone, PV added later ($order): two: exit $status"
done

# ---- 2. a stale copy of a PV: the copy with the newest metadata supplies metadata and data
for order in "a-old.img a.img b.img" "b.img a.img a-old.img"; do
	set -- $order
	export_is "stale copy ($order): newlv comes from the copy whose metadata is used" 0 newlv truth-newlv.raw "$@"
	warned duplicate_pv "stale copy ($order): duplicate_pv"
	grep "\[duplicate_pv\]" "$TMP/err" | grep -q "a-old.img at byte 0 (seqno $old_seqno)" &&
		pass "stale copy ($order): the unused copy is named with its seqno $old_seqno" ||
		fail "stale copy ($order): $(grep "\[duplicate_pv\]" "$TMP/err")"
	export_is "stale copy ($order): first" 0 first truth-first.raw "$@"
	run_mlvm --json read "$@"
	"$PYTHON3" - "$TMP/out" "$new_seqno" <<'PY' && pass "stale copy ($order): read uses seqno $new_seqno, pv0 from a.img, a-old.img listed" ||
import json, sys
d = json.load(open(sys.argv[1]))
vg = d["vgs"][0]
pv0 = [p for p in vg["pvs"] if p["image"] == "a.img"]
ok = (vg["seqno"] == int(sys.argv[2]) and vg["source"]["image"] in ("a.img", "b.img") and len(pv0) == 1 and
      [x["image"] for x in pv0[0]["duplicates"]] == ["a-old.img"] and
      not [w for w in d["warnings"] if w["code"] == "pv_orphan"])
sys.exit(0 if ok else 1)
PY
		fail "stale copy ($order): $(head -c 1500 "$TMP/out")"
done
# two copies with the same metadata: which holds the data cannot be told;
# only the LVs on that PV are refused
cp a.img a-clone.img
for order in "a.img a-clone.img b.img" "b.img a-clone.img a.img"; do
	set -- $order
	export_is "clone ($order): first, on the cloned PV, is refused" 1 first - "$@"
	warned pv_ambiguous "clone ($order): pv_ambiguous"
	export_is "clone ($order): second, on the other PV, is exported" 0 second truth-second.raw "$@"
	export_is "clone ($order): --pv settles it" 0 first truth-first.raw "$@" --pv "pv0=a-clone.img"
done
# one file given twice (or through another path) is one copy
ln -s a.img a-link.img
for order in "a.img a-link.img b.img" "b.img a-link.img a.img"; do
	set -- $order
	export_is "same file twice ($order): first" 0 first truth-first.raw "$@"
	warned same_image "same file twice ($order): same_image notice"
	not_warned pv_ambiguous "same file twice ($order): not ambiguous"
done

# ---- 3. one byte of the PV uuid in the label changed (label crc now bad)
cp a.img a3.img
"$PYTHON3" - <<'PY'
f = open("a3.img", "r+b")
f.seek(512 + 32 + 5)
c = f.read(1)
f.seek(512 + 32 + 5)
f.write(bytes([c[0] ^ 1]))
PY
for order in "a3.img b.img" "b.img a3.img"; do
	set -- $order
	export_is "damaged label ($order): first is read from its PV" 0 first truth-first.raw "$@"
	warned label_crc "damaged label ($order): label_crc"
	warned pv_label_damaged "damaged label ($order): pv_label_damaged says how it was tied"
	not_warned pv_missing "damaged label ($order): no PV missing"
	export_is "damaged label ($order): striped" 0 str truth-str.raw "$@"
done

# ---- 5. two VGs of the same name (LVM2 warns about them too)
random_image c.img 3 16
random_image d.img 4 16
lc=$(attach c.img) && ld=$(attach d.img) || { fail "losetup"; finish; }
lvmq pvcreate -q --devices "$lc" "$lc" && lvmq vgcreate -q --devices "$lc" "$vg" "$lc"
lvmq pvcreate -q --devices "$ld" "$ld" && lvmq vgcreate -q --devices "$ld" "$vg" "$ld"
uc=$(vgs --devices "$lc" --noheadings -o vg_uuid "$vg" | tr -d ' ')
ud=$(vgs --devices "$ld" --noheadings -o vg_uuid "$vg" | tr -d ' ')
# --metadatacopies 0: a PV without metadata areas, and a PV grown by pvresize
random_image e.img 5 32
random_image f.img 6 32
le=$(attach e.img) && lf=$(attach f.img) || { fail "losetup"; finish; }
lvmq pvcreate -q --devices "$le,$lf" --setphysicalvolumesize 16m "$le" &&
	lvmq pvcreate -q --devices "$le,$lf" --metadatacopies 0 "$lf" &&
	lvmq vgcreate -q --devices "$le,$lf" "${vg}b" "$le" "$lf" &&
	lvmq pvresize -q --devices "$le,$lf" "$le"
for l in "$lc" "$ld" "$le" "$lf"; do detach "$l"; done
for order in "c.img d.img" "d.img c.img"; do
	set -- $order
	run_mlvm read "$@"
	warned vg_name_duplicate "same-name VGs ($order): vg_name_duplicate"
	grep "\[vg_name_duplicate\]" "$TMP/err" | grep -q "$vg@$uc" && grep "\[vg_name_duplicate\]" "$TMP/err" | grep -q "$vg@$ud" &&
		pass "same-name VGs ($order): both named NAME@UUID as LVM2 reports the uuids" ||
		fail "same-name VGs ($order): $(cat "$TMP/err")"
done
run_mlvm read c.img
not_warned vg_name_duplicate "one VG: no vg_name_duplicate"
run_mlvm read e.img f.img
not_warned pv_size "pvresize: no pv_size warning (LVM2 leaves the label's size)"
not_warned pv_orphan "metadatacopies 0 with its VG: not an orphan"
run_mlvm read f.img
warned pv_no_mda "metadatacopies 0 alone: pv_no_mda"
not_warned pv_orphan "metadatacopies 0 alone: not called an orphan"
finish
