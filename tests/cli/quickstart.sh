#!/bin/bash
# The original mirage-block-volume quickstart, exactly as written, in a
# temporary directory; then (root and loop devices) LVM2 must accept the
# image: pvck, vgck, and lvs lists myfirstvolume.
. "$(dirname "$0")/common.sh"

mkdir -p "$TMP/qs"
cd "$TMP/qs" || exit 99
mlvm() { "$MLVM" "$@"; }

dd if=/dev/zero of=disk.raw bs=1M count=1 seek=128 2>/dev/null || fail "dd"
mlvm format disk.raw >format.out 2>&1 || fail "mlvm format disk.raw: $(cat format.out)"
mlvm read disk.raw >read1.out 2>&1 || fail "first mlvm read: $(cat read1.out)"
mlvm create disk.raw myfirstvolume >create.out 2>&1 || fail "mlvm create disk.raw myfirstvolume: $(cat create.out)"
mlvm read disk.raw >read2.out 2>&1 || fail "second mlvm read: $(cat read2.out)"

# value of a row of the table: row FILE KEY
row() { awk -F'|' -v k="$2" '{ key = $1; sub(/ +$/, "", key); v = $2; sub(/ +$/, "", v); if (key == k) { print v; exit } }' "$1"; }
check_row() { # FILE KEY EXPECTED (a regex)
	local v
	v=$(row "$1" "$2")
	if [[ $v =~ ^$3$ ]]; then pass "$1: $2 = $v"; else fail "$1: $2 is '$v', expected /$3/"; fi
}
id_re='[0-9A-Za-z]{6}(-[0-9A-Za-z]{4}){5}-[0-9A-Za-z]{6}'
for f in read1.out read2.out; do
	check_row $f name volumegroup
	check_row $f id "$id_re"
	check_row $f status "RESIZEABLE, READ, WRITE"
	check_row $f extent_size '8192 sectors, 4.00 MiB'
	check_row $f max_lv 0
	check_row $f max_pv 0
	check_row $f pv0/name pv0
	check_row $f pv0/id "$id_re"
	check_row $f pv0/stored_device disk.raw
	check_row $f pv0/real_device disk.raw
	check_row $f pv0/status ALLOCATABLE
	check_row $f pv0/size_in_sectors '264192 sectors, 129.00 MiB'
	check_row $f pv0/pe_start '2048 sectors, 1.00 MiB'
	check_row $f pv0/pe_count 32
	check_row $f pv0/label/device_size '135266304 bytes, 129.00 MiB'
done
check_row read1.out seqno 1
check_row read1.out free_space '32 extents, 128.00 MiB'
check_row read2.out seqno 2
check_row read2.out myfirstvolume/name myfirstvolume
check_row read2.out myfirstvolume/id "$id_re"
check_row read2.out myfirstvolume/status "READ, WRITE, VISIBLE"
check_row read2.out myfirstvolume/segment1 "linear, extents 0-0, on pv0:0"
check_row read2.out free_space '31 extents, 124.00 MiB'
grep -q 'gets one extent' create.out && pass "create says the LV gets one extent" ||
	fail "create does not say that the LV without a size gets one extent"

# LVM2 accepts the image
if [ "$(id -u)" -ne 0 ] || ! command -v lvm >/dev/null || ! losetup -f >/dev/null 2>&1; then
	echo "SKIP: LVM2 acceptance needs root, lvm2 and a free loop device"
	finish
fi
export LVM_SUPPRESS_FD_WARNINGS=1 LVM_SYSTEM_DIR=$TMP/lvm
mkdir -p "$LVM_SYSTEM_DIR"
printf 'backup {\nbackup = 0\narchive = 0\n}\ndevices {\nuse_devicesfile = 0\nobtain_device_list_from_udev = 0\n}\nglobal {\nuse_lvmlockd = 0\n}\n' \
	>"$LVM_SYSTEM_DIR/lvm.conf"
# the VG name is the default "volumegroup": refuse to run if a host VG has it
if vgs volumegroup >/dev/null 2>&1; then
	echo "SKIP: a volume group named volumegroup exists on this host"
	finish
fi
loop=$(losetup -f --show disk.raw) || { fail "losetup"; finish; }
trap 'loop_release "$loop"; rm -rf "$TMP"' EXIT
lvm pvck --devicesfile "" --driverloaded n "$loop" >pvck.out 2>&1 && pass "pvck accepts the image" ||
	fail "pvck: $(cat pvck.out)"
vgck --devices "$loop" volumegroup >vgck.out 2>&1 && pass "vgck accepts volumegroup" ||
	fail "vgck: $(cat vgck.out)"
lvs --devices "$loop" --noheadings -o lv_name,lv_uuid,lv_size --units b --nosuffix volumegroup >lvs.out 2>lvs.err ||
	fail "lvs: $(cat lvs.err)"
id=$(row read2.out myfirstvolume/id)
if grep -q "myfirstvolume *$id *4194304" lvs.out; then pass "lvs lists myfirstvolume ($id, 4 MiB)"; else
	fail "lvs does not list myfirstvolume $id of 4 MiB: $(cat lvs.out)"; fi
losetup -d "$loop"
finish
