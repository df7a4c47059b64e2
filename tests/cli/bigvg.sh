#!/bin/bash
# A VG of 5,000 LVs made by LVM2 (vgcfgrestore of a generated text, as
# bench/big-vg.sh makes it): large enough that mlvm parses its metadata text
# on two threads (config.c, from 1 MiB), reads its LVs into the model on two
# threads (vg.c, from 4,096 LVs) and writes its LVs' JSON and table rows on
# two threads (cmd_read.c, from 2,048 LVs). LVM2 is the oracle for
# what is there; one thread (MLVM_IO_THREADS=0) is the oracle for the bytes:
# the output must not differ by a byte, nor the exit status when stdout
# cannot be written. Needs root, loop devices and lvm2.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

WORK=$TMP
IMG=$TMP/pv.img
VG=mlvmbig$$
NLV=5000
SEGS=2
EXTENT_SIZE=64k
MDA_SIZE=16m
LVMCONF='backup { backup=0 archive=0 } devices { use_devicesfile=0 }'
LOOP=
export LVM_SUPPRESS_FD_WARNINGS=1
say() { :; }
die() { fail "$*"; finish; }
trap '[ -z "$LOOP" ] || loop_release "$LOOP"; rm -rf "$TMP"' EXIT
. "$top_srcdir/bench/big-vg.sh"
make_big_vg

lvmq lvs --driverloaded n --reportformat json -o lv_name,lv_uuid,seg_count "$VG" >"$TMP/lvs.json" ||
	fail "lvs failed: $(tail -3 "$TMP/lvm.log")"
loop_release "$LOOP"
LOOP=

size=$(stat -c %s "$TMP/big.vg")
[ "$size" -gt $((1 << 20)) ] && pass "the metadata text is over 1 MiB ($size bytes)" ||
	fail "the metadata text is only $size bytes: no split parse"

MLVM_IO_THREADS=2 "$MLVM" --json read "$IMG" >"$TMP/two.json" 2>"$TMP/two.err"; st2=$?
MLVM_IO_THREADS=0 "$MLVM" --json read "$IMG" >"$TMP/one.json" 2>"$TMP/one.err"; st1=$?
[ "$st2" -eq 0 ] && [ "$st1" -eq 0 ] && pass "read --json exits 0 on one and two threads" ||
	fail "read --json exit status: $st2 on two threads, $st1 on one ($(head -3 "$TMP/two.err"))"
cmp -s "$TMP/two.json" "$TMP/one.json" && pass "read --json: the same bytes on two threads as on one" ||
	fail "read --json differs between two threads and one: $(cmp "$TMP/two.json" "$TMP/one.json")"

"$PYTHON3" - "$TMP/lvs.json" "$TMP/two.json" "$VG" <<'PY' && pass "read --json lists the LVs LVM2 lists, in its order" ||
import json, sys
lvm = [(r["lv_name"], r["lv_uuid"], int(r["seg_count"]))
       for rep in json.load(open(sys.argv[1]))["report"] for r in rep["lv"]]
vg = [v for v in json.load(open(sys.argv[2]))["vgs"] if v["name"] == sys.argv[3]]
mine = [(l["name"], l["id"], len(l["segments"])) for l in vg[0]["lvs"]] if len(vg) == 1 else []
if len(lvm) != 5000 or sorted(lvm) != sorted(mine):
    print("LVM2 %d LVs, mlvm %d; first differences:" % (len(lvm), len(mine)),
          sorted(set(lvm) ^ set(mine))[:5])
    sys.exit(1)
# mlvm keeps the text's order: lv00000, lv00001, ...
if [m[0] for m in mine] != ["lv%05d" % i for i in range(5000)]:
    sys.exit("mlvm's LVs are not in the text's order")
PY
	fail "read --json and LVM2 disagree on the LVs"

for args in "read" "read --verbose" "read --units b"; do
	MLVM_IO_THREADS=2 "$MLVM" $args "$IMG" >"$TMP/two.txt" 2>/dev/null; st2=$?
	MLVM_IO_THREADS=0 "$MLVM" $args "$IMG" >"$TMP/one.txt" 2>/dev/null; st1=$?
	if [ "$st2" -eq 0 ] && [ "$st1" -eq 0 ] && cmp -s "$TMP/two.txt" "$TMP/one.txt" &&
		[ "$(grep -c '/segment2 ' "$TMP/two.txt")" -eq 5000 ]; then
		pass "$args: the same table on two threads as on one, 5,000 LVs of 2 segments"
	else
		fail "$args: exit $st2/$st1, tables differ or lack LVs: $(cmp "$TMP/two.txt" "$TMP/one.txt")"
	fi
done

# the table (printed in two passes, line by line) says what LVM2 says
MLVM_IO_THREADS=2 "$MLVM" read "$IMG" >"$TMP/two.txt" 2>/dev/null
"$PYTHON3" - "$TMP/lvs.json" "$TMP/two.txt" <<'PY' && pass "read's table lists the LVs, ids and segment counts LVM2 lists" ||
import json, sys
lvm = {r["lv_name"]: (r["lv_uuid"], r["seg_count"])
       for rep in json.load(open(sys.argv[1]))["report"] for r in rep["lv"]}
rows = {}
lines = open(sys.argv[2]).read().splitlines()
width = len(lines[0])
for line in lines[2:]:
    if len(line) != width:
        sys.exit("a line of another width: %r" % line[:80])
    k, v = line.split("|")[:2]
    rows[k.rstrip()] = v.rstrip()
mine = {rows[k]: (rows[k[:-4] + "id"], rows[k[:-4] + "segments"])
        for k in rows if k.endswith("/name") and k[:-5] in lvm}
if mine != lvm:
    print("LVM2 %d LVs, table %d; first differences:" % (len(lvm), len(mine)),
          sorted(set(lvm.items()) ^ set(mine.items()))[:5])
    sys.exit(1)
PY
	fail "read's table and LVM2 disagree on the LVs"

# a full disk: both fail, and say so
if [ -w /dev/full ]; then
	for t in 2 0; do
		for args in "--json read" "read"; do
			MLVM_IO_THREADS=$t "$MLVM" $args "$IMG" >/dev/full 2>"$TMP/full.err"
			[ $? -eq 1 ] && grep -q . "$TMP/full.err" &&
				pass "$args to a full disk fails with a message ($t threads)" ||
				fail "$args to /dev/full did not fail with status 1 ($t threads)"
		done
	done
fi
finish
