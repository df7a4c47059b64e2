#!/bin/bash
# metadata-file.sh - generations that survive only outside the metadata
# ring, given with --metadata FILE (issue 16), against LVM2 itself. On a
# random-filled 32 MiB PV the real lvm2 tools, with archiving on
# (backup/archive dirs under the test's directory), make a VG in steps:
#   S1 vgcreate; S2 lvcreate a (3 extents); S3 lvcreate b (2 extents);
#   S4 lvextend a +2 (its extents after b's); S5 lvremove b.
# At S2 and S5 `vgcfgbackup -f` writes a backup file; LVM2 writes an
# archive file before every change (S1..S4, "Created *before* executing
# '...'") and /backup/VG after it. The expected answers come from LVM2
# (vgs seqno, lvs --reportformat json seg_pe_ranges, pvs pe_start, and
# the image's bytes at those extents), never from mlvm. Then the whole
# metadata area (header and ring) is zeroed, so that the VG's generations
# survive only in those files, and:
#  - read without --generation does not take a file as the VG's state:
#    exit 1, a vg_loose_only notice naming the newest copy;
#  - read/export/map --generation S with the files: the LVs and segment
#    ranges LVM2 reported at S, and the LV bytes at LVM2's extents;
#  - diff --from S3 --to S5 says b was removed and a resized;
#  - history lists every seqno S1..S5 with the files it was found in, the
#    same whatever order the files were given in; the archive copy of S4
#    says it was made before 'lvremove';
#  - a file that is not metadata text: exit 1, "FILE: not LVM2 metadata
#    text (line N ..."; the files are never opened for writing (chmod 444
#    and their bytes unchanged);
#  - mount --all-generations (when FUSE can mount here) lists S1..S5 under
#    VG/@generations and serves a at S4 with the bytes export gave.
# Needs root, loop devices and lvm2 (skips with 77 otherwise).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1
vg=mlvmmeta$$
P0=$TMP/pv0.img
head -c $((32 << 20)) /dev/urandom >"$P0"
l0=$(losetup -f --show "$P0") || skip "cannot attach a loop device"
trap 'loop_release "$l0"; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/archive" "$TMP/backup"
D=(--devices "$l0")
NO=(--driverloaded n)
CONF=(--config "backup { backup = 1 archive = 1 backup_dir = \"$TMP/backup\" archive_dir = \"$TMP/archive\" }")

lvmq() { "$@" >>"$TMP/lvm.log" 2>&1 || { echo "FAILED: $*"; tail -20 "$TMP/lvm.log"; exit 99; }; }
seqno() { vgs "${D[@]}" --noheadings -o seqno "$vg" 2>/dev/null | tr -d ' '; }
segs() { lvs "${D[@]}" --reportformat json -o lv_name,seg_start_pe,seg_pe_ranges "$vg" 2>/dev/null >"$1"; }

lvmq pvcreate "${D[@]}" "$l0"
lvmq vgcreate "${D[@]}" "${CONF[@]}" -s 1m "$vg" "$l0"
S1=$(seqno); segs "$TMP/segs-$S1.json"
lvmq lvcreate "${D[@]}" "${CONF[@]}" "${NO[@]}" -an -Zn -l 3 -n a "$vg"
S2=$(seqno); segs "$TMP/segs-$S2.json"
lvmq vgcfgbackup "${D[@]}" -f "$TMP/s2.bak" "$vg"
lvmq lvcreate "${D[@]}" "${CONF[@]}" "${NO[@]}" -an -Zn -l 2 -n b "$vg"
S3=$(seqno); segs "$TMP/segs-$S3.json"
lvmq lvextend "${D[@]}" "${CONF[@]}" "${NO[@]}" -l +2 "$vg/a"
S4=$(seqno); segs "$TMP/segs-$S4.json"
lvmq lvremove "${D[@]}" "${CONF[@]}" "${NO[@]}" -f "$vg/b"
S5=$(seqno); segs "$TMP/segs-$S5.json"
lvmq vgcfgbackup "${D[@]}" -f "$TMP/s5.bak" "$vg"
PE_START=$(pvs "${D[@]}" --noheadings --units b --nosuffix -o pe_start "$l0" | tr -d ' ')
losetup -d "$l0"
trap 'rm -rf "$TMP"' EXIT
echo "seqnos: $S1 $S2 $S3 $S4 $S5; pe_start $PE_START"
[ -n "$S5" ] && [ "$S5" -gt "$S1" ] && [ -n "$PE_START" ] || { echo "no seqnos from LVM2"; exit 99; }
ls "$TMP/archive" "$TMP/backup"

# the generations survive only in the files: zero the metadata area
cp "$P0" "$TMP/before-wipe.img"
dd if=/dev/zero of="$P0" bs=512 seek=8 count=$(((PE_START - 4096) / 512)) conv=notrunc status=none
grep -qa "seqno = $S5" "$P0" && { echo "the ring was not wiped"; exit 99; }

FILES=("$TMP"/archive/*.vg "$TMP/backup/$vg" "$TMP/s2.bak" "$TMP/s5.bak")
META=()
for f in "${FILES[@]}"; do META+=(--metadata "$f"); done
chmod 444 "${FILES[@]}"
sha256sum "${FILES[@]}" >"$TMP/files.sha"

# --- no --generation: a file is not the VG's state
run_mlvm "${META[@]}" read "$P0"
if [ "$status" -eq 1 ] && grep -q "vg_loose_only" "$TMP/err" && grep -q "seqno $S5" "$TMP/err"; then
	pass "read without --generation: exit 1, vg_loose_only naming seqno $S5"
else
	fail "read without --generation: exit $status, stderr $(head -c 600 "$TMP/err")"
fi

# --- read --generation S: the LVs and segments LVM2 reported at S
check_read() {
	local s=$1
	run_mlvm --json "${META[@]}" read --generation "$s" "$P0"
	if [ "$status" -ne 0 ]; then
		fail "read --generation $s: exit $status ($(head -c 300 "$TMP/err"))"
		return
	fi
	"$PYTHON3" - "$TMP/out" "$TMP/segs-$s.json" "$s" "$l0" <<'PY' && pass "read --generation $s: LVs and extents as LVM2 reported them" || fail "read --generation $s"
import json, sys
d = json.load(open(sys.argv[1])); lvm = json.load(open(sys.argv[2]))["report"][0]["lv"]
s, dev = int(sys.argv[3]), sys.argv[4]
vg = d["vgs"][0]
ok = vg["seqno"] == s
if vg["source"]["origin"] != "file" or vg["source"]["pv_id"] is not None or vg["source"]["mda"] is not None:
    print("source", vg["source"]); ok = False
want = sorted((x["lv_name"], int(x["seg_start_pe"]), x["seg_pe_ranges"].rsplit(":", 1)[1]) for x in lvm)
have = []
for lv in vg["lvs"]:
    for sg in lv["segments"]:
        for a in sg["areas"]:
            have.append((lv["name"], sg["start_extent"], "%d-%d" % (a["pe"], a["pe"] + sg["extent_count"] - 1)))
have.sort()
if have != want:
    print("have", have, "want", want); ok = False
if not any(w["code"] == "generation" for w in d["warnings"]):
    print("no generation notice"); ok = False
sys.exit(0 if ok else 1)
PY
}
for s in "$S2" "$S3" "$S4" "$S5"; do check_read "$s"; done

# --- export --generation S4 --lv a: the image's bytes at LVM2's extents
run_mlvm "${META[@]}" export --generation "$S4" --lv "$vg/a" -o "$TMP/a.raw" "$P0"
if [ "$status" -eq 0 ]; then
	"$PYTHON3" - "$TMP/a.raw" "$P0" "$TMP/segs-$S4.json" "$PE_START" <<'PY' && pass "export --generation $S4 --lv a: the bytes of LVM2's extents" || fail "export --generation $S4 --lv a: bytes differ"
import json, sys
out, img, segs, pe_start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
X = 1 << 20
want = b""
with open(img, "rb") as f:
    for s in sorted((x for x in json.load(open(segs))["report"][0]["lv"] if x["lv_name"] == "a"),
                    key=lambda x: int(x["seg_start_pe"])):
        a, b = map(int, s["seg_pe_ranges"].rsplit(":", 1)[1].split("-"))
        f.seek(pe_start + a * X)
        want += f.read((b - a + 1) * X)
got = open(out, "rb").read()
sys.exit(0 if got == want and len(got) == 5 * X else 1)
PY
else
	fail "export --generation $S4 --lv a: exit $status ($(head -c 300 "$TMP/err"))"
fi

# --- map --generation S3: b's extents where LVM2 put them
run_mlvm --json "${META[@]}" map --generation "$S3" "$P0"
if [ "$status" -eq 0 ] && grep -q '"b"' "$TMP/out"; then
	pass "map --generation $S3 from the files lists b"
else
	fail "map --generation $S3: exit $status ($(head -c 300 "$TMP/err"))"
fi

# --- diff between two generations that only files hold
run_mlvm --json "${META[@]}" diff --from "$S3" --to "$S5" "$P0"
if [ "$status" -eq 0 ] && "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
k = {(c["kind"], c["lv"]) for c in d["changes"]}
sys.exit(0 if ("lv_removed", "b") in k and ("lv_resized", "a") in k else 1)' "$TMP/out"; then
	pass "diff --from $S3 --to $S5: b removed, a resized"
else
	fail "diff --from $S3 --to $S5: exit $status $(head -c 600 "$TMP/out") $(head -c 300 "$TMP/err")"
fi

# --- history: every generation, from its files, whatever their order
run_mlvm --json "${META[@]}" history "$P0"
cp "$TMP/out" "$TMP/h1.json"
REV=()
for ((i = ${#FILES[@]} - 1; i >= 0; i--)); do REV+=(--metadata "${FILES[$i]}"); done
run_mlvm --json "${REV[@]}" history "$P0"
if cmp -s "$TMP/out" "$TMP/h1.json"; then
	pass "history --json is the same whatever order the files were given in"
else
	fail "history --json depends on the order of --metadata"
fi
"$PYTHON3" - "$TMP/h1.json" "$S1" "$S4" "$S5" "$vg" <<'PY' && pass "history lists $S1..$S5 from the files; the archive copy of $S4 names lvremove" || fail "history from the files: $(head -c 800 "$TMP/h1.json")"
import json, sys
g = json.load(open(sys.argv[1]))["generations"]
s1, s4, s5, vg = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
mine = [x for x in g if x["vg"] == vg]
ok = {x["seqno"] for x in mine} == set(range(s1, s5 + 1))
ok &= all(x["origin"] == "file" and x["pv_id"] is None and x["mda"] is None and x["parse_ok"] for x in mine)
ok &= any(x["seqno"] == s4 and "executing 'lvremove" in (x["description"] or "") for x in mine)
sys.exit(0 if ok else 1)
PY
# FOUND IN says "N files" when the names do not fit; --copies names each
run_mlvm "${META[@]}" history --copies "$P0"
cat "$TMP/out"
if grep -q "s5.bak" "$TMP/out" && grep -qE "^$vg +$S5 " "$TMP/out"; then
	pass "history --copies (text) names the files"
else
	fail "history (text): $(head -c 800 "$TMP/out")"
fi

# --- a file that is not metadata text, one that is too large
printf 'not = [ metadata\n' >"$TMP/junk.txt"
run_mlvm --metadata "$TMP/junk.txt" read --generation "$S2" "$P0"
if [ "$status" -eq 1 ] && grep -q "junk.txt: not LVM2 metadata text (line 1" "$TMP/err"; then
	pass "a file that is not metadata text: exit 1, named, with its line"
else
	fail "junk file: exit $status, stderr $(head -c 300 "$TMP/err")"
fi
truncate -s $(((256 << 20) + 1)) "$TMP/huge.vg"
run_mlvm --metadata "$TMP/huge.vg" read "$P0"
if [ "$status" -eq 1 ] && grep -q "huge.vg: larger than" "$TMP/err"; then
	pass "a file larger than the text limit is refused"
else
	fail "huge file: exit $status, stderr $(head -c 300 "$TMP/err")"
fi
run_mlvm --metadata "$TMP/absent.vg" read "$P0"
[ "$status" -eq 1 ] && grep -q "cannot open $TMP/absent.vg" "$TMP/err" && pass "a file that cannot be opened: exit 1" || fail "absent file: exit $status"

# --- the same generation in the rings and a file: a copy of it, the ring's used
run_mlvm --json --metadata "$TMP/s5.bak" read "$TMP/before-wipe.img"
if [ "$status" -eq 0 ] && "$PYTHON3" -c '
import json, sys
v = json.load(open(sys.argv[1]))["vgs"][0]
sys.exit(0 if v["source"]["origin"] == "ring" and v["seqno"] == int(sys.argv[2]) else 1)' "$TMP/out" "$S5"; then
	pass "with the rings intact the VG is the ring's, not the file's"
else
	fail "ring and file: exit $status $(head -c 300 "$TMP/err")"
fi

# --- mount --all-generations sees the generations only the files hold
if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null && "$MLVM" mount --help 2>/dev/null | grep -q all-generations; then
	# mount needs the VG's current state: a PV whose ring keeps only the
	# committed copy (S5), the older generations only in the files
	"$PYTHON3" - "$TMP/before-wipe.img" "$TMP/committed.img" <<'PY' || { echo "cannot make committed.img"; exit 99; }
import struct, sys
img = bytearray(open(sys.argv[1], "rb").read())
A = 4096
size, = struct.unpack_from("<Q", img, A + 32)
off, ln = struct.unpack_from("<QQ", img, A + 40)
keep = bytes(img[A + off:A + off + ln])
img[A + 512:A + size] = bytes(size - 512)
img[A + off:A + off + ln] = keep
open(sys.argv[2], "wb").write(img)
PY
	mkdir -p "$TMP/mnt"
	if "$MLVM" "${META[@]}" mount --all-generations "$TMP/committed.img" "$TMP/mnt" >"$TMP/mount.out" 2>"$TMP/mount.err"; then
		g=$(ls "$TMP/mnt/$vg/@generations" 2>/dev/null | tr '\n' ' ')
		if [ "$g" = "$(seq -s ' ' "$S1" "$S5") " ] && cmp -s "$TMP/mnt/$vg/@generations/$S4/a" "$TMP/a.raw"; then
			pass "mount --all-generations: generations $g from the files, a at $S4 as exported"
		else
			fail "mount --all-generations: @generations is '$g' ($(tail -3 "$TMP/mnt/@mlvm.log" 2>/dev/null))"
		fi
		fusermount3 -u "$TMP/mnt" || umount -l "$TMP/mnt"
	elif grep -qi "fuse\|permission\|not permitted" "$TMP/mount.err"; then
		echo "SKIP (mount): $(head -c 200 "$TMP/mount.err")"
	else
		fail "mount --all-generations: $(head -c 300 "$TMP/mount.err")"
	fi
else
	echo "SKIP (mount): no FUSE here"
fi

sha256sum -c --quiet "$TMP/files.sha" && pass "the files are unchanged" || fail "a --metadata file changed"
finish
