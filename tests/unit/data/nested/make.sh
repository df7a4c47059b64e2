#!/bin/bash
# make.sh - tests/unit/data/nested/host.img.xz, a host image with a guest
# VG inside one of its LVs (issue 17), made by LVM2 itself, and its oracle:
#   host.img (2 MiB, random-filled first: random.Random(17)): one PV of VG
#     "host" (64 KiB extents) with LVs "before" (128 KiB) and "guestdisk"
#     (1 MiB, after it);
#   guestdisk holds a GPT disk (sfdisk) whose partition 1 is a PV of VG
#     "guest" with a linear LV "data" (256 KiB);
#   lvs.json: `lvs --reportformat json` of host and guest, as LVM2 says.
# The guest disk is made on a loop device over a file of its own, then
# copied by dd into guestdisk at the offset LVM2 reports (seg_pe_ranges and
# pe_start). LVM2's pv_min_size is lowered to 512 KiB so that the images
# stay small, and writes no backup or archive files. No device-mapper: every lvcreate is --driverloaded n -an -Zn.
# With SPLIT=1 it also makes split.img.xz (not committed: browse-nested.sh
# makes it at test time): a 3 MiB image of VG "host2" whose LVs "a" and "b"
# (1 MiB each) each hold a PV (no partition table) of VG "split", whose LV
# "both" spans the two: a guest VG over two host LVs.
# Needs root, lvm2, sfdisk, losetup, python3, xz. Run it here:
#   cd tests/unit/data/nested && sudo ./make.sh
# or make.sh OUTDIR to write them elsewhere (the tests do, at test time).
set -eu
OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
cd "$OUT"
export LVM_SUPPRESS_FD_WARNINGS=1
TMP=$(mktemp -d)
LOOPS=()
trap 'for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT
CONF='devices { pv_min_size = 512 } backup { backup = 0 archive = 0 }'
NO=(--driverloaded n -an -Zn -Wn)
KiB=1024
fill() { python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(int(sys.argv[2])).randbytes(int(sys.argv[1])))' "$1" "$2"; }
attach() { local l; l=$(losetup -f --show "$@"); LOOPS+=("$l"); echo "$l"; }
lvmq() { lvm "$1" --config "$CONF" "${@:2}" >>"$TMP/lvm.log" 2>&1 || { cat "$TMP/lvm.log"; exit 1; }; }

# the guest disk: 1 MiB, GPT, one partition of 1920 sectors at sector 64
fill $((1024 * KiB)) 18 >"$TMP/guest.img"
printf 'label: gpt\nfirst-lba: 34\nstart=64, size=1920, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' |
	sfdisk -q --no-reread "$TMP/guest.img" >>"$TMP/lvm.log"
g=$(attach -o $((64 * 512)) --sizelimit $((1920 * 512)) "$TMP/guest.img")
lvmq pvcreate --devices "$g" --metadatasize 64k --dataalignment 64k "$g"
lvmq vgcreate --devices "$g" -s 64k guest "$g"
lvmq lvcreate --devices "$g" "${NO[@]}" -L 256k -n data guest
lvm lvs --config "$CONF" --devices "$g" --reportformat json --units b --nosuffix \
	-o vg_name,lv_name,lv_uuid,lv_size,seg_pe_ranges guest >"$TMP/guest.json" 2>/dev/null
losetup -d "$g"

# the host: 2 MiB, guestdisk copied into it where LVM2 put its extents
fill $((2048 * KiB)) 17 >host.img
h=$(attach host.img)
lvmq pvcreate --devices "$h" --metadatasize 64k --dataalignment 64k "$h"
lvmq vgcreate --devices "$h" -s 64k host "$h"
lvmq lvcreate --devices "$h" "${NO[@]}" -L 128k -n before host
lvmq lvcreate --devices "$h" "${NO[@]}" -L 1m -n guestdisk host
ps=$(lvm pvs --config "$CONF" --devices "$h" --noheadings --units b --nosuffix -o pe_start "$h" 2>/dev/null | tr -d ' ')
lvm lvs --config "$CONF" --devices "$h" --reportformat json --units b --nosuffix \
	-o vg_name,lv_name,lv_uuid,lv_size,seg_pe_ranges host >"$TMP/host.json" 2>/dev/null
range=$(python3 -c 'import json,sys; print([l for l in json.load(open(sys.argv[1]))["report"][0]["lv"] if l["lv_name"] == "guestdisk"][0]["seg_pe_ranges"].split(":")[1])' "$TMP/host.json")
first=${range%-*}
losetup -d "$h"
dd if="$TMP/guest.img" of=host.img bs=64k oflag=seek_bytes seek=$((ps + first * 64 * KiB)) conv=notrunc status=none
python3 - "$TMP/host.json" "$TMP/guest.json" >lvs.json <<'PY'
import json, sys
out = {"report": [json.load(open(f))["report"][0] for f in sys.argv[1:]]}
json.dump(out, sys.stdout, indent=2)
print()
PY
xz -9 -f host.img

# pe_start + the first extent of LV $1 in VG $2 on device $3, in bytes
lv_at() {
	local ps r
	ps=$(lvm pvs --config "$CONF" --devices "$3" --noheadings --units b --nosuffix -o pe_start "$3" 2>/dev/null | tr -d ' ')
	r=$(lvm lvs --config "$CONF" --devices "$3" --noheadings -o seg_pe_ranges "$2/$1" 2>/dev/null | tr -d ' ')
	r=${r#*:}
	echo $((ps + ${r%-*} * 64 * KiB))
}
if [ "${SPLIT:-}" = 1 ]; then
	fill $((1024 * KiB)) 20 >"$TMP/sa.img"
	fill $((1024 * KiB)) 21 >"$TMP/sb.img"
	a=$(attach "$TMP/sa.img")
	b=$(attach "$TMP/sb.img")
	lvmq pvcreate --devices "$a" --devices "$b" --metadatasize 64k --dataalignment 64k "$a" "$b"
	lvmq vgcreate --devices "$a" --devices "$b" -s 64k split "$a" "$b"
	lvmq lvcreate --devices "$a" --devices "$b" "${NO[@]}" -L 1m -n both split "$a" "$b"
	losetup -d "$a"
	losetup -d "$b"
	fill $((3072 * KiB)) 22 >split.img
	h=$(attach split.img)
	lvmq pvcreate --devices "$h" --metadatasize 64k --dataalignment 64k "$h"
	lvmq vgcreate --devices "$h" -s 64k host2 "$h"
	lvmq lvcreate --devices "$h" "${NO[@]}" -L 1m -n a host2
	lvmq lvcreate --devices "$h" "${NO[@]}" -L 1m -n b host2
	at_a=$(lv_at a host2 "$h")
	at_b=$(lv_at b host2 "$h")
	losetup -d "$h"
	dd if="$TMP/sa.img" of=split.img bs=64k oflag=seek_bytes seek="$at_a" conv=notrunc status=none
	dd if="$TMP/sb.img" of=split.img bs=64k oflag=seek_bytes seek="$at_b" conv=notrunc status=none
	xz -9 -f split.img
fi
ls -l host.img.xz lvs.json
