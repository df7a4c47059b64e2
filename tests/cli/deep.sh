#!/bin/bash
# history/scan --deep against LVM2 itself, on loop devices. LVM2 writes its
# archive and backup files (backup { archive = 1 }) through a history of
# changes (vgcreate, lvcreate, lvextend, lvrename, lvremove); those files go
# into an ext4 filesystem made with mkfs.ext4 -d on an LV of the same VG,
# and the ring's older copies are zeroed, so the old generations survive only
# in the archive files. Checked: history --deep lists every archive file's
# seqno and description with its path in the filesystem, its LV and offset;
# vgcfgrestore --list names the same files. Then: a PV re-created with one
# metadata area over one that had two (the old second ring now lies outside
# every ring: its copies are found at the offsets they had), and the PV with
# its label and ring wiped (the archive copies are still found, at the same
# image offsets). Needs root, loop devices, lvm2 and mkfs.ext4 (skips with 77).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"
"$MLVM" scan --help | grep -q -- --deep || skip "mlvm without --deep"

. "$(dirname "$0")/deep-common.sh"
deep_lvm_history

# the filesystem with the archive and backup files, written where LVM2 put root
mkfs.ext4 -q -F -b 4096 -d "$D" "$TMP/fs.img" 16M >>"$TMP/lvm.log" 2>&1 || { fail "mkfs.ext4 -d"; finish; }
deep_put_fs "$TMP/fs.img"

# the ring: every copy but the committed one zeroed
deep_zero_ring

# the oracle: LVM2's archive files themselves (seqno, description, path)
deep_want

run_mlvm --json history --deep "$L"
[ "$status" -eq 0 ] && pass "history --deep runs" || fail "history --deep: exit $status: $(head -3 "$TMP/err")"
cp "$TMP/out" "$TMP/h1.json"
"$PYTHON3" - "$TMP/h1.json" "$TMP/want" "$VG" "$root_at" <<'PY' && pass "every archive/backup file found with its seqno, description, path, LV and offset" || fail "archive files (see above)"
import json, sys
h = json.load(open(sys.argv[1]))["generations"]
vg, root_at = sys.argv[3], int(sys.argv[4])
bad = 0
for line in open(sys.argv[2]):
    seq, path, desc = line.rstrip("\n").split("\t")
    rows = [g for g in h if g["origin"] == "image" and g["fs_path"] == path]
    if len(rows) != 1:
        print(f"FAIL: {path}: {len(rows)} rows"); bad = 1; continue
    g = rows[0]
    want = {"seqno": int(seq), "description": desc, "vg": vg, "lv": f"{vg}/root",
            "fs_type": "ext4", "parse_ok": True, "complete": True}
    for k, v in want.items():
        if g[k] != v:
            print(f"FAIL: {path}: {k} {g[k]!r}, LVM2 wrote {v!r}"); bad = 1
    if g["offset"] != root_at + g["lv_offset"] or g["lv_offset"] % 4096:
        print(f"FAIL: {path}: image offset {g['offset']}, lv_offset {g['lv_offset']}, root at {root_at}"); bad = 1
# the generations the ring lost are there only through the files
ring = {g["seqno"] for g in h if g["origin"] == "ring"}
files = {g["seqno"] for g in h if g["origin"] == "image"}
if len(ring) != 1 or not (files - ring):
    print(f"FAIL: ring seqnos {sorted(ring)}, archive seqnos {sorted(files)}"); bad = 1
sys.exit(bad)
PY
# the text names the files too (history --deep --verbose: a line per copy)
run_mlvm history --deep --verbose "$L"
f1=$(sed -n '1p' "$TMP/want" | cut -f2)
grep -q "file $f1)" "$TMP/out" && pass "history --deep --verbose names $f1" ||
	fail "history --deep --verbose does not name $f1: $(head -5 "$TMP/out")"
run_mlvm history "$L"
grep -q "$f1" "$TMP/out" && fail "history without --deep lists the archive files" || pass "history without --deep reads the rings only"
run_mlvm --json scan --deep "$L"
"$PYTHON3" - "$TMP/out" "$TMP/want" <<'PY' && pass "scan --deep lists the copies with their files" || fail "scan --deep (see above)"
import json, sys
c = json.load(open(sys.argv[1]))["copies"]
want = [l.split("\t")[1] for l in open(sys.argv[2])]
got = [x["fs_path"] for x in c if x["fs_path"]]
missing = [w for w in want if w not in got]
if missing:
    print(f"FAIL: scan --deep misses {missing}"); sys.exit(1)
PY

# --deep is global: a generation only the archive files hold is read, and
# exported, as LVM2 wrote it there (the archive file taken before lvremove
# holds secret, with its PE range), and the timeline has its removal
arch=$(grep -l "executing 'lvremove" "$D"/etc/lvm/archive/*.vg | head -1)
s_secret=$(sed -n 's/^[[:space:]]*seqno = \([0-9]*\)$/\1/p' "$arch" | head -1)
run_mlvm --json read --deep --generation "$s_secret" "$L"
"$PYTHON3" - "$TMP/out" "$arch" <<'PY' && pass "read --deep --generation $s_secret: the LVs of LVM2's archive file" || fail "read --deep --generation $s_secret (see above): $(head -3 "$TMP/err")"
import json, re, sys
vg = json.load(open(sys.argv[1]))["vgs"][0]
text = open(sys.argv[2]).read()
lvs_text = text[text.index("logical_volumes {"):]
want = sorted(set(re.findall(r"^\t\t(\w+) \{$", lvs_text, re.M)))
got = sorted(lv["name"] for lv in vg["lvs"])
if got != want or "secret" not in got:
    print(f"FAIL: LVs {got}, the archive file has {want}"); sys.exit(1)
src = vg["source"]
if src["origin"] != "image" or src["pv_id"] is not None or not (src.get("fs_path") or "").startswith("/etc/lvm/archive/"):
    print(f"FAIL: source {src}"); sys.exit(1)
PY
run_mlvm read "$L"
grep -q secret "$TMP/out" && fail "secret in the current VG" || pass "secret is not in the current VG"
sec_pe=$(awk '/^\t\tsecret \{/{f=1} f && /"pv0", [0-9]+/{sub(/.*"pv0", */, ""); sub(/[^0-9].*/, ""); print; exit}' "$arch")
run_mlvm export --deep --generation "$s_secret" --lv "$VG/secret" -o "$TMP/secret.raw" "$L"
if [ "$status" -le 1 ] && [ -s "$TMP/secret.raw" ] &&
	cmp -s "$TMP/secret.raw" <(dd if="$L" bs=1M iflag=skip_bytes skip=$((pe_start + sec_pe * 1048576)) count=2 status=none); then
	pass "export --deep --generation $s_secret: secret's bytes at the PEs LVM2's archive file gives ($sec_pe)"
else
	fail "export --deep of secret (exit $status, PE $sec_pe): $(head -3 "$TMP/err")"
fi
run_mlvm --json timeline --deep "$L"
"$PYTHON3" - "$TMP/out" "$VG" <<'PY' && pass "timeline --deep: secret created and removed, from the archive files" || fail "timeline --deep (see above)"
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
names = {(e["event"], e["lv"]) for e in ev}
want = {("lv_created", "secret"), ("lv_removed", "secret")}
if not want <= names:
    print(f"FAIL: events {sorted(names)}"); sys.exit(1)
PY
run_mlvm --json timeline "$L"
grep -q '"secret"' "$TMP/out" && fail "timeline without --deep knows secret (the ring was zeroed)" || pass "timeline without --deep: only the ring's generation"

# the label and the whole metadata area wiped: the copies in the files remain
dd if=/dev/zero of="$L" bs=512 seek=1 count=1 conv=notrunc status=none
dd if=/dev/zero of="$L" bs=4096 seek=1 count=$(((pe_start - 4096) / 4096)) conv=notrunc status=none
sync
run_mlvm --json history --deep "$L"
"$PYTHON3" - "$TMP/out" "$TMP/h1.json" <<'PY' && pass "label and ring wiped: the archive copies are still found where they were" || fail "wiped PV (see above)"
import json, sys
now = json.load(open(sys.argv[1]))["generations"]
before = json.load(open(sys.argv[2]))["generations"]
want = {(g["seqno"], g["offset"]) for g in before if g["origin"] == "image"}
got = {(g["seqno"], g["offset"]) for g in now if g["origin"] == "image"}
if not want or want - got:
    print(f"FAIL: missing {sorted(want - got)}"); sys.exit(1)
if any(g["origin"] == "ring" for g in now):
    print("FAIL: a ring copy after the ring was wiped"); sys.exit(1)
PY

# a PV re-created with one metadata area over one that had two: the old
# second ring (at the end of the device) now lies outside every ring
IMG2=$TMP/two.img
truncate -s 32M "$IMG2"
L2=$(losetup -f --show "$IMG2") || { fail "losetup"; finish; }
LOOPS+=("$L2")
lv2() { lvm "$@" --devices "$L2" >>"$TMP/lvm.log" 2>&1 || fail "lvm $*: $(tail -3 "$TMP/lvm.log")"; }
VG2=mlvmdeep2$$
lv2 pvcreate -q --pvmetadatacopies 2 --metadatasize 256k "$L2"
lv2 vgcreate -q -s 1m "$VG2" "$L2"
lv2 lvcreate -q --driverloaded n -an -Zn -n a -L 4m "$VG2"
lv2 lvcreate -q --driverloaded n -an -Zn -n b -L 4m "$VG2"
"$MLVM" --json history "$L2" >"$TMP/old.json" 2>/dev/null
lv2 vgremove -q -f "$VG2"
lv2 pvcreate -q -ff -y --pvmetadatacopies 1 --metadatasize 512k "$L2"
run_mlvm --json history --deep "$L2"
"$PYTHON3" - "$TMP/out" "$TMP/old.json" <<'PY' && pass "old second ring's copies found outside the new ring, at their offsets" || fail "re-created PV (see above)"
import json, sys
now = json.load(open(sys.argv[1]))["generations"]
old = json.load(open(sys.argv[2]))["generations"]
want = {(g["seqno"], g["offset"]) for g in old if g["mda"] == 2 and g["complete"]}
got = {(g["seqno"], g["offset"]) for g in now if g["origin"] == "image"}
if not want or want - got:
    print(f"FAIL: want {sorted(want)}, got {sorted(got)}"); sys.exit(1)
PY
finish
