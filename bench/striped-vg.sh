# bench/striped-vg.sh -- sourced by bench-export.sh and bench-mount.sh: a VG
# over two sparse PV files on loop devices, striped LVs in it made by LVM2
# (lvcreate --driverloaded n: no device-mapper needed), where their extents
# lie, and pseudo-random data to put there. Expects WORK, VG, LVMCONF, the
# LOOPS array (the scripts detach what it holds) and the say and die
# functions.
#
#   striped_vg PV_MIB          pv0.img and pv1.img of PV_MIB MiB (sparse) in
#                              WORK, attached, pvcreate, vgcreate -s 4m VG
#   striped_lv NAME MIB        lvcreate -i2 -I64k of MIB MiB
#   striped_areas N            WORK/areas.txt, a line "LV PVINDEX BYTE_OFFSET
#                              BYTES" per stripe area, from LVM2's pvs and
#                              lvs; dies unless there are N lines
#   fill KEY PV MIB_OFF MIB    pseudo-random bytes (a stream keyed by KEY)
#                              into pvPV.img at MIB_OFF MiB

lvmq() { # an LVM command restricted to our loop devices, stderr to a log
	local cmd=$1; shift
	"$cmd" --devices "$DEVS" --config "$LVMCONF" "$@" 2>>"$WORK/lvm.log"
}

striped_vg() {
	local i
	for i in 0 1; do
		truncate -s "${1}M" "$WORK/pv$i.img"
		LOOPS+=("$(losetup --find --show "$WORK/pv$i.img")")
	done
	DEVS="${LOOPS[0]},${LOOPS[1]}"
	say "scratch $WORK, PVs ${LOOPS[*]} (${1} MiB each, sparse), VG $VG"
	lvmq pvcreate -q "${LOOPS[@]}" >/dev/null || die "pvcreate: $(tail -3 "$WORK/lvm.log")"
	lvmq vgcreate -q -s 4m "$VG" "${LOOPS[@]}" >/dev/null || die "vgcreate: $(tail -3 "$WORK/lvm.log")"
}

striped_lv() {
	lvmq lvcreate -q --driverloaded n -an -Zn -y -i2 -I64k -L "${2}m" -n "$1" "$VG" >/dev/null ||
		die "lvcreate $1: $(tail -3 "$WORK/lvm.log")"
}

striped_areas() {
	lvmq pvs --noheadings --units b --nosuffix -o pv_name,pe_start "${LOOPS[@]}" >"$WORK/pvs.txt"
	lvmq lvs --driverloaded n --noheadings --units b --nosuffix -o lv_name,seg_pe_ranges,vg_extent_size "$VG" >"$WORK/lvs.txt"
	python3 - "$WORK/pvs.txt" "$WORK/lvs.txt" "${LOOPS[@]}" >"$WORK/areas.txt" <<'PY' || die "cannot work out the LVs' extents"
import sys
pvs = {l.split()[0]: int(l.split()[1]) for l in open(sys.argv[1]) if l.strip()}
loops = sys.argv[3:]
for line in open(sys.argv[2]):
    f = line.split()
    if not f:
        continue
    name, es = f[0], int(f[-1])
    for r in f[1:-1]:
        dev, rng = r.rsplit(':', 1)
        a, b = (int(x) for x in rng.split('-'))
        print(name, loops.index(dev), pvs[dev] + a * es, (b - a + 1) * es)
PY
	[ "$(wc -l <"$WORK/areas.txt")" -eq "$1" ] || die "expected $1 stripe areas, got: $(cat "$WORK/areas.txt")"
}

stream() { # a fast pseudo-random stream
	if command -v openssl >/dev/null 2>&1; then
		openssl enc -aes-128-ctr -nosalt -pass "pass:mlvm-bench-$1" -pbkdf2 -in /dev/zero 2>/dev/null
	else
		cat /dev/urandom
	fi
}

fill() { # the stream dies of SIGPIPE: not an error
	( set +o pipefail
	  stream "$1" | dd of="$WORK/pv$2.img" bs=1M seek="$3" count="$4" iflag=fullblock \
		conv=notrunc status=none ) || die "cannot write data into pv$2.img"
}
