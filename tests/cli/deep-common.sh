# deep-common.sh - sourced (after common.sh) by the --deep tests that put
# LVM2's own archive files into a filesystem on an LV (deep.sh: ext4,
# deepxfs.sh: XFS). Needs root, loop devices and lvm2 (the caller skips).
#
# deep_lvm_history: a 64 MiB loop device $L (image $IMG, random bytes) and
#   a VG $VG with LVs root (16 MiB) and data, through a history of changes
#   (vgcreate, lvcreate, lvextend, lvrename, lvcreate + lvremove of secret)
#   with LVM2 archiving every generation into $D/etc/lvm/{archive,backup};
#   checks that LVM2 wrote the files and vgcfgrestore --list names them.
#   Sets pe_start and root_at (image offset of LV root).
# deep_put_fs FSIMG: writes the filesystem image FSIMG where root lies.
# deep_zero_ring: zeroes every copy of the ring but the committed one, so
#   the older generations survive only in the archive files.
# deep_want: $TMP/want, the oracle: "seqno<TAB>/etc/lvm/.../file<TAB>desc"
#   per file LVM2 wrote.

deep_lvm_history() {
	export LVM_SUPPRESS_FD_WARNINGS=1 LVM_SYSTEM_DIR=$TMP/lvm
	D=$TMP/D
	mkdir -p "$LVM_SYSTEM_DIR" "$D/etc/lvm/archive" "$D/etc/lvm/backup"
	printf 'backup {\nbackup = 1\narchive = 1\nbackup_dir = "%s"\narchive_dir = "%s"\nretain_min = 100\n}\ndevices {\nuse_devicesfile = 0\nobtain_device_list_from_udev = 0\n}\nglobal {\nuse_lvmlockd = 0\n}\n' \
		"$D/etc/lvm/backup" "$D/etc/lvm/archive" >"$LVM_SYSTEM_DIR/lvm.conf"
	LOOPS=()
	cleanup() { local l; for l in "${LOOPS[@]}"; do loop_release "$l"; done; rm -rf "$TMP"; }
	trap cleanup EXIT

	VG=mlvmdeep$$
	IMG=$TMP/disk.img
	head -c 64M /dev/urandom >"$IMG"	# random: exported bytes mean something
	L=$(losetup -f --show "$IMG") || { fail "losetup"; finish; }
	LOOPS+=("$L")
	lv() { lvm "$@" --devices "$L" >>"$TMP/lvm.log" 2>&1 || fail "lvm $*: $(tail -3 "$TMP/lvm.log")"; }

	lv pvcreate -q "$L"
	lv vgcreate -q -s 1m "$VG" "$L"
	lv lvcreate -q --driverloaded n -an -Zn -n root -L 16m "$VG"
	lv lvcreate -q --driverloaded n -an -Zn -n data -L 4m "$VG"
	lv lvextend -q --driverloaded n -L +4m "$VG/data"
	lv lvrename -q --driverloaded n "$VG" data data2
	lv lvcreate -q --driverloaded n -an -Zn -n secret -L 2m "$VG"
	lv lvremove -q -y --driverloaded n "$VG/secret"
	[ "$failed" -eq 0 ] || finish
	ls "$D/etc/lvm/archive"/*.vg >/dev/null 2>&1 || { fail "LVM2 wrote no archive file"; finish; }
	lvm vgcfgrestore --list "$VG" >"$TMP/list" 2>&1 || fail "vgcfgrestore --list: $(head -3 "$TMP/list")"
	n_arch=$(ls "$D/etc/lvm/archive"/*.vg | wc -l)
	n_list=$(grep -c '^ *File:' "$TMP/list")
	[ "$n_arch" -ge 5 ] && [ "$n_list" -ge "$n_arch" ] && pass "LVM2 wrote $n_arch archive files, vgcfgrestore --list names $n_list files" ||
		fail "archive files: $n_arch, vgcfgrestore --list: $n_list"

	pe_start=$(lvm pvs --devices "$L" --noheadings --units b --nosuffix -o pe_start "$L" | tr -d ' ')
	root_pe=$(lvm lvs --devices "$L" --noheadings -o seg_pe_ranges "$VG/root" | sed 's/.*://; s/-.*//' | tr -d ' ')
	root_at=$((pe_start + root_pe * 1048576))
}

deep_put_fs() {
	dd if="$1" of="$L" bs=1M oflag=seek_bytes seek="$root_at" conv=notrunc status=none || fail "writing the filesystem"
	sync
}

deep_zero_ring() {
	"$MLVM" --json history "$L" >"$TMP/h0.json" 2>/dev/null
	"$PYTHON3" - "$TMP/h0.json" "$L" <<'PY' || fail "zeroing the ring's older copies"
import json, os, sys
h = json.load(open(sys.argv[1]))
fd = os.open(sys.argv[2], os.O_WRONLY)
n = 0
for g in h["generations"]:
    if g["origin"] == "ring" and g["slot"] != "committed":
        os.pwrite(fd, bytes(g["size"]), g["offset"])
        n += 1
os.close(fd)
print(f"zeroed {n} older ring copies")
PY
	sync
}

deep_want() {
	"$PYTHON3" - "$D" >"$TMP/want" <<'PY'
import os, re, sys
top = sys.argv[1]
for sub in ("etc/lvm/archive", "etc/lvm/backup"):
    for f in sorted(os.listdir(os.path.join(top, sub))):
        t = open(os.path.join(top, sub, f)).read()
        seq = re.search(r"^\s*seqno = (\d+)", t, re.M).group(1)
        desc = re.search(r'^description = "(.*)"$', t, re.M).group(1)
        print(f"{seq}\t/{sub}/{f}\t{desc}")
PY
}
