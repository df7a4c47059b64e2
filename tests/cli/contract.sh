#!/bin/bash
# The contract (doc/interface.md) against real output: every JSON key the
# document names appears in the output of the commands on the fixtures
# (thin, raid, snapshots, mirror, cache, a wrapped ring, a degraded VG, a PV
# missing, a partition table, an image without a PV, a removed thin LV, a guest
# disk in an LV), and the output has no key the document does not name
# (tests/cli/contract.py).
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
sets=()
for f in demo thin raid raid0 snapshot cache mirror degraded wrapped twomda errzero multiseg striped3 ignoredmda; do
	[ -d "$FIXTURES/$f" ] || continue
	fixture_images "$f" >/dev/null
	sets+=("$TMP/$f")
done
# damage: a VG missing a PV, beside an image that holds none
mkdir -p "$TMP/partial"
cp "$TMP/demo/pv0.img" "$TMP/partial/pv0.img"
head -c 1048576 /dev/zero >"$TMP/partial/pv9.img"
sets+=("$TMP/partial")
# a PV inside an MBR partition (starting at sector 2048)
mkdir -p "$TMP/mbr"
mapfile -t lin < <(fixture_images linear)
"$PYTHON3" -c '
import struct, sys
pv = open(sys.argv[1], "rb").read()
mbr = bytearray(512)
mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x8e, b"\0\0\0", 2048, len(pv) // 512)
mbr[510:512] = b"\x55\xaa"
with open(sys.argv[2], "wb") as f:
    f.write(bytes(mbr) + bytes(2047 * 512) + pv)' "${lin[0]}" "$TMP/mbr/pv0.img" || fail "making an MBR image"
sets+=("$TMP/mbr")
# a removed thin LV whose mapping survives in stale pool metadata (history's
# removed_thin_lvs): needs thin_restore
if command -v thin_restore >/dev/null; then
	mkdir -p "$TMP/thinrec"
	"$PYTHON3" "$top_srcdir/tests/cli/thinrec.py" "$MLVM" "$top_srcdir/fuzz" "$TMP" \
		--image "$TMP/thinrec/pv0.img" >/dev/null || fail "making the thinrec image"
	sets+=("$TMP/thinrec")
fi
# a guest disk inside an LV (nested): the linear fixture's PV copied into the
# first LV of a VG mlvm itself writes (extents from byte 1 MiB)
mkdir -p "$TMP/nested"
truncate -s 8M "$TMP/nested/pv0.img"
if "$MLVM" format --vg hostvg --extent-size 1M "$TMP/nested/pv0.img" >/dev/null &&
	"$MLVM" create --size 3M "$TMP/nested/pv0.img" guestdisk >/dev/null &&
	dd if="${lin[0]}" of="$TMP/nested/pv0.img" bs=1M seek=1 conv=notrunc status=none; then
	sets+=("$TMP/nested")
else
	fail "making a nested image"
fi

if "$PYTHON3" "$top_srcdir/tests/cli/contract.py" "$MLVM" "$top_srcdir/doc/interface.md" "${sets[@]}" >"$TMP/contract.log" 2>&1; then
	cat "$TMP/contract.log"
	pass "doc/interface.md and the output agree"
else
	cat "$TMP/contract.log"
	fail "doc/interface.md and the output disagree"
fi
finish
