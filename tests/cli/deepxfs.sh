#!/bin/bash
# history/scan --deep naming files in XFS, against LVM2 and xfsprogs on a
# loop device. LVM2 writes its archive and backup files through a history
# of changes (deep-common.sh); those files go into an XFS made with
# mkfs.xfs -p PROTOFILE on a file (no mount), written onto an LV of the same
# VG, and the ring's older copies are zeroed, so the old generations survive
# only in the archive files. Checked: history --deep --json gives every
# file LVM2 wrote with its seqno, fs_type "xfs" and its path, at an LV
# offset inside that file's blocks as xfs_db's bmap gives them; scan --deep
# names them too; a copy in a block XFS has free is unallocated. Needs
# root, loop devices, lvm2, mkfs.xfs and xfs_db (skips with 77).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
command -v mkfs.xfs >/dev/null || skip "mkfs.xfs not installed"
command -v xfs_db >/dev/null || skip "xfs_db not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"
"$MLVM" scan --help | grep -q -- --deep || skip "mlvm without --deep"

. "$(dirname "$0")/deep-common.sh"
deep_lvm_history

# the XFS with the archive and backup files, populated by a protofile
# (a padding file after each, so that they do not lie in one run of blocks)
"$PYTHON3" - "$D" "$TMP" >"$TMP/proto" <<'PY'
import os, sys
top, tmp = sys.argv[1], sys.argv[2]
open(os.path.join(tmp, "pad"), "w").write("p" * 20000)
out = ["boot", "0 0", "d--755 0 0"]
def walk(d, depth):
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isdir(p):
            out.append(" " * depth + f"{name} d--755 0 0")
            walk(p, depth + 1)
            out.append(" " * depth + "$")
        else:
            out.append(" " * depth + f"{name} ---644 0 0 {p}")
            out.append(" " * depth + f"{name}.pad ---644 0 0 {os.path.join(tmp, 'pad')}")
walk(top, 1)
out.append("$")
print("\n".join(out))
PY
rm -f "$TMP/fs.img"
truncate -s 16M "$TMP/fs.img"
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -b size=4096 -p "$TMP/proto" "$TMP/fs.img" >>"$TMP/lvm.log" 2>&1 ||
	{ fail "mkfs.xfs -p: $(tail -3 "$TMP/lvm.log")"; finish; }
agblocks=$(xfs_db -r -c 'sb 0' -c 'p agblocks' "$TMP/fs.img" | sed 's/.*= //')
# the oracle's blocks: "path<TAB>first linear block<TAB>count" per extent
while IFS=$'\t' read -r _ path _; do
	xfs_db -r -c "path $path" -c bmap "$TMP/fs.img" |
		sed -n "s|.*startblock [0-9]* (\([0-9]*\)/\([0-9]*\)) count \([0-9]*\).*|$path\t\1\t\2\t\3|p"
done < <(deep_want; cat "$TMP/want") | awk -F'\t' -v agb="$agblocks" '{print $1 "\t" $2 * agb + $3 "\t" $4}' >"$TMP/blocks"
[ -s "$TMP/blocks" ] || { fail "xfs_db bmap of the archive files"; finish; }
deep_put_fs "$TMP/fs.img"
deep_zero_ring
deep_want

run_mlvm --json history --deep "$L"
[ "$status" -eq 0 ] && pass "history --deep runs" || fail "history --deep: exit $status: $(head -3 "$TMP/err")"
"$PYTHON3" - "$TMP/out" "$TMP/want" "$TMP/blocks" "$VG" "$root_at" <<'PY' && pass "every archive/backup file found with its seqno, fs_type xfs, path, LV and an offset inside its blocks" || fail "archive files in XFS (see above)"
import json, sys
h = json.load(open(sys.argv[1]))["generations"]
blocks = {}
for line in open(sys.argv[3]):
    p, b, c = line.rstrip("\n").split("\t")
    blocks.setdefault(p, []).append((int(b), int(c)))
vg, root_at = sys.argv[4], int(sys.argv[5])
bad = 0
n = 0
for line in open(sys.argv[2]):
    seq, path, desc = line.rstrip("\n").split("\t")
    rows = [g for g in h if g["origin"] == "image" and g["fs_path"] == path]
    if len(rows) != 1:
        print(f"FAIL: {path}: {len(rows)} rows"); bad = 1; continue
    g = rows[0]
    want = {"seqno": int(seq), "description": desc, "vg": vg, "lv": f"{vg}/root",
            "fs_type": "xfs", "fs_unallocated": False, "parse_ok": True, "complete": True}
    for k, v in want.items():
        if g.get(k) != v:
            print(f"FAIL: {path}: {k} {g.get(k)!r}, want {v!r}"); bad = 1
    blk = g["lv_offset"] // 4096
    if g["offset"] != root_at + g["lv_offset"] or not any(b <= blk < b + c for b, c in blocks.get(path, [])):
        print(f"FAIL: {path}: lv_offset {g['lv_offset']} (block {blk}) not in xfs_db's {blocks.get(path)}"); bad = 1
    n += 1
others = [g for g in h if g["origin"] == "image" and g.get("fs_type") != "xfs"]
if others:
    print(f"FAIL: copies in the LV without fs_type xfs: {others}"); bad = 1
ring = {g["seqno"] for g in h if g["origin"] == "ring"}
files = {g["seqno"] for g in h if g["origin"] == "image"}
if len(ring) != 1 or not (files - ring):
    print(f"FAIL: ring seqnos {sorted(ring)}, archive seqnos {sorted(files)}"); bad = 1
print(f"{n} files named")
sys.exit(bad)
PY
run_mlvm --json scan --deep "$L"
"$PYTHON3" - "$TMP/out" "$TMP/want" <<'PY' && pass "scan --deep lists the copies with their XFS files" || fail "scan --deep (see above)"
import json, sys
c = json.load(open(sys.argv[1]))["copies"]
want = [l.split("\t")[1] for l in open(sys.argv[2])]
got = [x["fs_path"] for x in c if x["fs_path"] and x.get("fs_type") == "xfs"]
missing = [w for w in want if w not in got]
if missing:
    print(f"FAIL: scan --deep misses {missing}"); sys.exit(1)
PY

# a copy in a block the XFS has free: the first archive file's text put
# in the last block of the filesystem (free in a new XFS of 16 MiB)
f1=$(sed -n '1p' "$TMP/want" | cut -f2)
s1=$(sed -n '1p' "$TMP/want" | cut -f1)
last=$(( $(xfs_db -r -c 'sb 0' -c 'p dblocks' "$TMP/fs.img" | sed 's/.*= //') - 1 ))
if xfs_db -r -c 'blockget' -c "fsblock $last" -c 'blockuse' "$TMP/fs.img" 2>/dev/null | grep -q 'type free'; then
	dd if="$D$f1" of="$L" bs=4096 oflag=seek_bytes seek=$((root_at + last * 4096)) conv=notrunc status=none
	sync
	run_mlvm --json history --deep "$L"
	"$PYTHON3" - "$TMP/out" "$((last * 4096))" "$s1" <<'PY' && pass "a copy in a free XFS block is unallocated" || fail "free XFS block (see above)"
import json, sys
h = json.load(open(sys.argv[1]))["generations"]
rows = [g for g in h if g["origin"] == "image" and g.get("lv_offset") == int(sys.argv[2])]
if len(rows) != 1 or rows[0]["seqno"] != int(sys.argv[3]) or rows[0].get("fs_type") != "xfs" \
        or rows[0].get("fs_unallocated") is not True or rows[0].get("fs_path"):
    print(f"FAIL: {rows}"); sys.exit(1)
PY
else
	fail "block $last of a new XFS is not free"
fi
finish
