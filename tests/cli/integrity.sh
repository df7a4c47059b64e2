#!/bin/bash
# raid1 with --raidintegrity y, and VDO, against LVM2's own reading of the
# metadata: lvcreate cannot make either without device-mapper, so the VG's
# metadata is written as LVM2 writes it (integrity images over NAME_iorig
# data and NAME_imeta metadata sub-LVs; a vdo-pool and its vdo LV) and
# restored with vgcfgrestore, which checks it; the bytes under the LVs are
# placed by the test. The expected bytes come from LVM2's report of where
# each _iorig lies (lvs --segments, pvs), read straight out of the image.
# mlvm must read the raid1 LV (and each integrity image) as those bytes,
# say that the integrity tags were not verified, and refuse VDO naming it.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

lvm_private_conf
sha() { sha256sum "$1" | cut -d' ' -f1; }

cd "$TMP" || exit 99
vg=integ$$
"$PYTHON3" -c 'import random,sys; open(sys.argv[1],"wb").write(random.Random(17).randbytes(64 << 20))' a.img
loop_attach a.img || { fail "losetup"; finish; }
D=(--devices "$loop")
lvmq pvcreate -q "${D[@]}" "$loop" &&
	lvmq vgcreate -q "${D[@]}" -s 1m "$vg" "$loop" &&
	lvmq vgcfgbackup -q "${D[@]}" -f base.vg "$vg" || finish

# r1: raid1 of two integrity images (4 extents), each over _iorig (data) and
# _imeta (its tags, superblock and journal); vpool/vlv: a VDO pool and LV
"$PYTHON3" - base.vg integ.vg vdo.vg <<'PY' || { fail "writing the metadata"; finish; }
import sys
t = open(sys.argv[1]).read()
n = [0]
def lv(name, status, segment, count):
    n[0] += 1
    return f'''
		{name} {{
			id = "bbbbbb-bbbb-bbbb-bbbb-bbbb-bbbb-bbbb{n[0]:02d}"
			status = [{status}]
			flags = []
			creation_time = 1700000000
			creation_host = "fixture"
			segment_count = 1
			segment1 {{
				start_extent = 0
				extent_count = {count}
{segment}
			}}
		}}'''
def lin(name, pe, count):
    return lv(name, '"READ", "WRITE"',
              f'\t\t\t\ttype = "striped"\n\t\t\t\tstripe_count = 1\n\t\t\t\tstripes = ["pv0", {pe}]', count)
def integ(i):
    return lv(f"r1_rimage_{i}", '"READ", "WRITE"',
              f'\t\t\t\ttype = "integrity"\n\t\t\t\torigin = "r1_rimage_{i}_iorig"\n'
              '\t\t\t\tdata_sectors = 8192\n\t\t\t\tmode = "J"\n\t\t\t\ttag_size = 4\n'
              '\t\t\t\tblock_size = 512\n\t\t\t\tinternal_hash = "crc32c"\n'
              f'\t\t\t\tmeta_dev = "r1_rimage_{i}_imeta"', 4)
lvs = lv("r1", '"READ", "WRITE", "VISIBLE"',
         '\t\t\t\ttype = "raid1"\n\t\t\t\tdevice_count = 2\n\t\t\t\tregion_size = 1024\n'
         '\t\t\t\traids = ["r1_rmeta_0", "r1_rimage_0", "r1_rmeta_1", "r1_rimage_1"]', 4)
lvs += integ(0) + integ(1)
lvs += lin("r1_rmeta_0", 0, 1) + lin("r1_rimage_0_iorig", 1, 4) + lin("r1_rimage_0_imeta", 5, 1)
lvs += lin("r1_rmeta_1", 6, 1) + lin("r1_rimage_1_iorig", 7, 4) + lin("r1_rimage_1_imeta", 11, 1)
i = t.rindex("}")
open(sys.argv[2], "w").write(t[:i] + "\n\tlogical_volumes {" + lvs + "\n\t}\n" + t[i:])
vdo = lv("vlv", '"READ", "WRITE", "VISIBLE"',
         '\t\t\t\ttype = "vdo"\n\t\t\t\tvdo_pool = "vpool"\n\t\t\t\tvdo_offset = 0', 20)
vdo += lv("vpool", '"READ", "WRITE"',
          '\t\t\t\ttype = "vdo-pool"\n\t\t\t\tdata = "vpool_vdata"\n\t\t\t\theader_size = 512\n'
          '\t\t\t\tvirtual_extents = 20\n\t\t\t\tuse_compression = 1\n\t\t\t\tuse_deduplication = 1\n'
          '\t\t\t\tuse_metadata_hints = 1\n\t\t\t\tminimum_io_size = 4096\n'
          '\t\t\t\tblock_map_cache_size_mb = 128\n\t\t\t\tblock_map_era_length = 16380\n'
          '\t\t\t\tuse_sparse_index = 0\n\t\t\t\tindex_memory_size_mb = 256\n\t\t\t\tmax_discard = 1\n'
          '\t\t\t\tslab_size_mb = 2048\n\t\t\t\tack_threads = 1\n\t\t\t\tbio_threads = 1\n'
          '\t\t\t\tbio_rotation = 64\n\t\t\t\tcpu_threads = 2\n\t\t\t\thash_zone_threads = 1\n'
          '\t\t\t\tlogical_threads = 1\n\t\t\t\tphysical_threads = 1\n\t\t\t\twrite_policy = "auto"', 8)
vdo += lin("vpool_vdata", 20, 8)
open(sys.argv[3], "w").write(t[:i] + "\n\tlogical_volumes {" + lvs + vdo + "\n\t}\n" + t[i:])
PY
lvmq vgcfgrestore -q "${D[@]}" --force -f integ.vg "$vg" || finish
lvs "${D[@]}" -a --segments --reportformat json --units b --nosuffix \
	-o lv_name,segtype,seg_pe_ranges "$vg" >segs.json 2>>"$TMP/lvm.log"
pvs "${D[@]}" --reportformat json --units b --nosuffix -o pv_name,pe_start >pvs.json 2>>"$TMP/lvm.log"
vgs "${D[@]}" --noheadings -o vg_extent_size --units b --nosuffix "$vg" | tr -d ' ' >extent_size
cp a.img integ.img
# the same with the tags interleaved with the data (no meta_dev): LVM2 takes it
grep -v 'meta_dev = ' integ.vg >internal.vg
vgcfgrestore "${D[@]}" --force -f internal.vg "$vg" >>"$TMP/lvm.log" 2>&1 && cp a.img internal.img
if vgcfgrestore "${D[@]}" --force -f vdo.vg "$vg" >>"$TMP/lvm.log" 2>&1 &&
	lvs "${D[@]}" -a -o lv_name,segtype "$vg" 2>>"$TMP/lvm.log" | grep -q ' vdo-pool'; then
	cp a.img vdo.img
fi
losetup -d "$loop"

# the truth: each leg's _iorig as LVM2 places it; both legs hold the same
# data (a clean mirror), written from leg 0
"$PYTHON3" - integ.img <<'PY' || { fail "oracle"; finish; }
import json, sys
img = sys.argv[1]
pe_start = int(json.load(open("pvs.json"))["report"][0]["pv"][0]["pe_start"])
ext = int(open("extent_size").read())
segs = {s["lv_name"].strip("[]"): s for r in json.load(open("segs.json"))["report"] for s in r["seg"]}
for i in (0, 1):
    assert segs[f"r1_rimage_{i}"]["segtype"] == "integrity", segs[f"r1_rimage_{i}"]
def where(lv):
    rng = segs[lv]["seg_pe_ranges"].split()[0]
    first, last = map(int, rng.rsplit(":", 1)[1].split("-"))
    return pe_start + first * ext, (last - first + 1) * ext
f = open(img, "r+b")
off0, size = where("r1_rimage_0_iorig")
f.seek(off0)
data = f.read(size)
off1, size1 = where("r1_rimage_1_iorig")
assert size1 == size
f.seek(off1)
f.write(data)
open("truth.raw", "wb").write(data)
PY

expect_status 0 "export raid1 with integrity images" export --lv "$vg/r1" -o r1.raw integ.img
[ "$(sha r1.raw)" = "$(sha truth.raw)" ] && pass "raid1 over integrity reads as the _iorig bytes LVM2 places" ||
	fail "raid1 over integrity: bytes differ from r1_rimage_0_iorig"
grep -q "\[lv_integrity_unverified\]" "$TMP/err" && grep -q "r1_rimage_0_iorig" "$TMP/err" &&
	pass "the export says the integrity tags were not verified" ||
	fail "no lv_integrity_unverified notice: $(cat "$TMP/err")"
expect_status 0 "export an integrity image itself" export --lv "$vg/r1_rimage_1" -o img1.raw integ.img
[ "$(sha img1.raw)" = "$(sha truth.raw)" ] && pass "r1_rimage_1 reads as its _iorig" ||
	fail "r1_rimage_1: bytes differ"
# leg 0's data gone (zeros over its _iorig): raid1 reads the other leg
"$PYTHON3" - integ.img broken.img <<'PY'
import json, shutil, sys
shutil.copy(sys.argv[1], sys.argv[2])
pe_start = int(json.load(open("pvs.json"))["report"][0]["pv"][0]["pe_start"])
ext = int(open("extent_size").read())
for r in json.load(open("segs.json"))["report"]:
    for s in r["seg"]:
        if s["lv_name"].strip("[]") == "r1_rimage_0_iorig":
            first, last = map(int, s["seg_pe_ranges"].split()[0].rsplit(":", 1)[1].split("-"))
            f = open(sys.argv[2], "r+b")
            f.seek(pe_start + first * ext)
            f.write(bytes((last - first + 1) * ext))
PY
expect_status 0 "export r1_rimage_0 with its data zeroed" export --lv "$vg/r1_rimage_0" -o z.raw broken.img
cmp -s z.raw <(head -c "$(stat -c %s truth.raw)" /dev/zero) && pass "r1_rimage_0 reads its own (zeroed) _iorig, not the other leg" ||
	fail "r1_rimage_0 over zeroed _iorig is not zeros"

# an integrity segment without meta_dev (tags interleaved) is refused, not read wrong
if [ -f internal.img ]; then
	expect_status 1 "export of raid1 over integrity with internal tags is refused" \
		export --lv "$vg/r1" -o i.raw internal.img
	grep -q "\[lv_integrity_internal\]" "$TMP/err" && grep -q "r1_rimage_0" "$TMP/err" &&
		pass "the refusal says why and names the integrity image" || fail "internal: $(cat "$TMP/err")"
else
	fail "lvm2 refused integrity without meta_dev: $(tail -3 "$TMP/lvm.log")"
fi

# VDO: refused, the message names VDO and says why
if [ -f vdo.img ]; then
	expect_status 1 "export of a VDO LV is refused" export --lv "$vg/vlv" -o v.raw vdo.img
	grep -q "VDO" "$TMP/err" && grep -q "deduplicated and compressed" "$TMP/err" &&
		grep -q "\[lv_vdo\]" "$TMP/err" && pass "the refusal names VDO and says why" ||
		fail "VDO refusal: $(cat "$TMP/err")"
	[ ! -e v.raw ] && pass "nothing written for the VDO LV" || fail "v.raw written"
else
	echo "note: lvm2 here does not take vdo metadata: $(tail -3 "$TMP/lvm.log")"
fi
finish
