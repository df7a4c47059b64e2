#!/bin/bash
# Historical LVs and the bootloader area, against LVM2 itself: a PV made by
# pvcreate --bootloaderareasize, a thin pool with a chain of thin snapshots
# (written with vgcfgrestore --force: lvcreate cannot make thin LVs without
# device-mapper), then lvremove of two snapshots with
# metadata/record_lvs_history = 1, which LVM2 records in the VG's
# historical_logical_volumes section even though it cannot reach the pool.
# mlvm's read (JSON and table), diff and scan are compared with what
# lvs -H, pvs and vgs report.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

lvm_private_conf 'metadata { record_lvs_history = 1 }'

cd "$TMP" || exit 99
vg=hist$$
"$PYTHON3" -c 'import random,sys; open(sys.argv[1],"wb").write(random.Random(7).randbytes(64 << 20))' a.img
loop_attach a.img || { fail "losetup"; finish; }
D=(--devices "$loop")
lvmq pvcreate -q "${D[@]}" --bootloaderareasize 1m "$loop" &&
	lvmq vgcreate -q "${D[@]}" -s 1m "$vg" "$loop" &&
	lvmq vgcfgbackup -q "${D[@]}" -f base.vg "$vg" || finish

# pool (tmeta at PE 0, tdata at PE 2) and thin1 <- snap1 <- snap2 <- snap3
"$PYTHON3" - base.vg thin.vg <<'PY' || { fail "writing the thin metadata"; finish; }
import sys
t = open(sys.argv[1]).read()
def lv(name, n, status, segment, flags="", time=1700000000):
    return f'''
		{name} {{
			id = "aaaaaa-aaaa-aaaa-aaaa-aaaa-aaaa-aaaaa{n}"
			status = [{status}]
			flags = [{flags}]
			creation_time = {time}
			creation_host = "fixture"
			segment_count = 1
			segment1 {{
				start_extent = 0
{segment}
			}}
		}}'''
RWV = '"READ", "WRITE", "VISIBLE"'
def thin(dev, tid, origin=None):
    s = f'\t\t\t\textent_count = 8\n\t\t\t\ttype = "thin"\n\t\t\t\tthin_pool = "pool"\n\t\t\t\ttransaction_id = {tid}\n\t\t\t\tdevice_id = {dev}'
    return s + (f'\n\t\t\t\torigin = "{origin}"' if origin else "")
lvs = "\n\tlogical_volumes {" + \
    lv("pool", 1, RWV, '\t\t\t\textent_count = 16\n\t\t\t\ttype = "thin-pool"\n\t\t\t\tmetadata = "pool_tmeta"\n'
       '\t\t\t\tpool = "pool_tdata"\n\t\t\t\ttransaction_id = 4\n\t\t\t\tchunk_size = 128\n'
       '\t\t\t\tdiscards = "passdown"\n\t\t\t\tzero_new_blocks = 0') + \
    lv("thin1", 2, RWV, thin(1, 0), time=1700000100) + \
    lv("snap1", 3, RWV, thin(2, 1, "thin1"), '"ACTIVATION_SKIP"', 1700000200) + \
    lv("snap2", 4, RWV, thin(3, 2, "snap1"), '"ACTIVATION_SKIP"', 1700000300) + \
    lv("snap3", 5, RWV, thin(4, 3, "snap2"), '"ACTIVATION_SKIP"', 1700000400) + \
    lv("pool_tmeta", 6, '"READ", "WRITE"', '\t\t\t\textent_count = 2\n\t\t\t\ttype = "striped"\n'
       '\t\t\t\tstripe_count = 1\n\t\t\t\tstripes = ["pv0", 0]') + \
    lv("pool_tdata", 7, '"READ", "WRITE"', '\t\t\t\textent_count = 16\n\t\t\t\ttype = "striped"\n'
       '\t\t\t\tstripe_count = 1\n\t\t\t\tstripes = ["pv0", 2]') + "\n\t}\n"
i = t.rindex("}")
open(sys.argv[2], "w").write(t[:i] + lvs + t[i:])
PY
lvmq vgcfgrestore -q "${D[@]}" --force -f thin.vg "$vg" || finish
before=$(vgs "${D[@]}" --noheadings -o vg_seqno "$vg" | tr -d ' ')
# lvm2 cannot tell the pool (no device-mapper) and says so, but commits the
# metadata with the removed LVs' record: that record is what is tested
lvremove "${D[@]}" --driverloaded n -f "$vg/snap2" >>"$TMP/lvm.log" 2>&1
lvremove "${D[@]}" --driverloaded n -f "$vg/snap1" >>"$TMP/lvm.log" 2>&1
after=$(vgs "${D[@]}" --noheadings -o vg_seqno "$vg" | tr -d ' ')
lvs "${D[@]}" -H -a --reportformat json \
	-o lv_name,lv_uuid,lv_time,lv_time_removed,lv_full_ancestors,lv_full_descendants "$vg" >lvs.json 2>>"$TMP/lvm.log"
pvs "${D[@]}" --reportformat json --units b --nosuffix -o pv_name,pv_ba_start,pv_ba_size >pvs.json 2>>"$TMP/lvm.log"
# the last, dropping the record of -snap2 (lvremove of a historical LV)
lvremove "${D[@]}" --driverloaded n -f "$vg/-snap2" >>"$TMP/lvm.log" 2>&1
last=$(vgs "${D[@]}" --noheadings -o vg_seqno "$vg" | tr -d ' ')
losetup -d "$loop"

grep -q '"-snap1"' lvs.json && grep -q '"-snap2"' lvs.json ||
	{ fail "lvm2 recorded no historical LVs: $(tail -5 "$TMP/lvm.log")"; finish; }

# ---- read --json at the generation lvs -H reported: historical_lvs as lvs -H
run_mlvm --json read --generation "$after" a.img
"$PYTHON3" - lvs.json "$TMP/out" <<'PY' && pass "read --json: historical_lvs as lvs -H reports them" ||
import calendar, json, sys, time
def epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%d %H:%M:%S %z")) if s else None
lvm = {r["lv_name"]: r for rep in json.load(open(sys.argv[1]))["report"] for r in rep["lv"]
       if r["lv_name"].startswith("-")}
vg = json.load(open(sys.argv[2]))["vgs"][0]
mine = {"-" + h["name"]: h for h in vg["historical_lvs"]}
ok = sorted(lvm) == sorted(mine)
for name, r in lvm.items():
    h = mine.get(name)
    if not h:
        continue
    got = (h["id"], h["creation_time"], h["removal_time"], h["ancestors"], sorted(h["descendants"]))
    want = (r["lv_uuid"], epoch(r["lv_time"]), epoch(r["lv_time_removed"]),
            [a for a in r["lv_full_ancestors"].split(",") if a],
            sorted(d for d in r["lv_full_descendants"].split(",") if d))
    if got != want:
        print(name, "mlvm:", got, "lvs -H:", want)
        ok = False
if not ok:
    print("lvs -H:", sorted(lvm), "mlvm:", sorted(mine))
sys.exit(0 if ok else 1)
PY
	fail "read --json historical_lvs differ from lvs -H"
# the bootloader area as pvs reports it (the PV starts at byte 0 of the image)
"$PYTHON3" - pvs.json "$TMP/out" <<'PY' && pass "read --json: bootloader_area as pvs reports it" ||
import json, sys
p = json.load(open(sys.argv[1]))["report"][0]["pv"][0]
ba = json.load(open(sys.argv[2]))["vgs"][0]["pvs"][0]["bootloader_area"]
want = {"start": int(p["pv_ba_start"]), "size": int(p["pv_ba_size"]), "offset": int(p["pv_ba_start"])}
print("pvs:", want, "mlvm:", ba)
sys.exit(0 if ba == want and want["size"] == 1 << 20 else 1)
PY
	fail "read --json bootloader_area differs from pvs"

# ---- the table
run_mlvm read --generation "$after" a.img
grep -q '^-snap1/removal_time *|20' "$TMP/out" && grep -q '^-snap2/ancestors *|-snap1, thin1 *|' "$TMP/out" &&
	grep -q '^-snap1/descendants *|-snap2, snap3 *|' "$TMP/out" &&
	grep -q '^pv0/bootloader_area/size *|2048 sectors, 1.00 MiB' "$TMP/out" &&
	pass "read: -NAME rows and the bootloader area in the table" ||
	fail "read table: $(grep -E '^-snap|bootloader' "$TMP/out")"

# ---- diff: the removals record the LVs; lvremove -NAME drops the record
run_mlvm diff --from "$before" --to "$after" a.img
grep -q '^lv_removed  *snap1$' "$TMP/out" && grep -q '^hlv_added  *-snap1$' "$TMP/out" &&
	grep -q '^hlv_added  *-snap2$' "$TMP/out" &&
	pass "diff: lv_removed and hlv_added for each removed snapshot" ||
	fail "diff $before..$after: $(cat "$TMP/out" "$TMP/err")"
run_mlvm --json diff --from "$after" --to "$last" a.img
"$PYTHON3" -c '
import json, sys
c = json.load(open(sys.argv[1]))["changes"]
sys.exit(0 if [(x["kind"], x["lv"], x["id"]) for x in c] ==
         [("hlv_removed", "-snap2", "aaaaaa-aaaa-aaaa-aaaa-aaaa-aaaa-aaaaa4")] else 1)' "$TMP/out" &&
	pass "diff --json: lvremove of -snap2 is hlv_removed" || fail "diff $after..$last: $(cat "$TMP/out")"

# ---- timeline: the same records as events of their generations
run_mlvm --json timeline a.img
"$PYTHON3" - "$TMP/out" "$before" "$after" "$last" <<'PY' && pass "timeline: hlv_recorded for each removed snapshot, hlv_dropped for -snap2, at their seqnos" ||
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
before, after, last = (int(x) for x in sys.argv[2:5])
got = sorted((e["event"], e["lv"], e["to"]["seqno"]) for e in ev if e["event"].startswith("hlv_"))
rec = [g for g in got if g[0] == "hlv_recorded"]
drop = [g for g in got if g[0] == "hlv_dropped"]
ok = {g[1] for g in rec} == {"-snap1", "-snap2"} and all(before < g[2] <= after for g in rec)
ok &= drop == [("hlv_dropped", "-snap2", drop[0][2])] if drop else False
ok &= bool(drop) and after < drop[0][2] <= last
if not ok:
    print(got)
sys.exit(0 if ok else 1)
PY
	fail "timeline: $(cat "$TMP/out" | head -c 1500)"

# ---- scan: the bootloader area from the PV header
run_mlvm scan a.img
grep -q '^  bootarea  byte 1048576, 1048576 bytes' "$TMP/out" && pass "scan: bootarea line" ||
	fail "scan: $(cat "$TMP/out")"
run_mlvm --json scan a.img
"$PYTHON3" -c '
import json, sys
p = json.load(open(sys.argv[1]))["pvs"][0]
sys.exit(0 if p["bootloader_area"] == {"start": 1 << 20, "size": 1 << 20, "offset": 1 << 20} else 1)' "$TMP/out" &&
	pass "scan --json: bootloader_area" || fail "scan --json: $(grep -A2 bootloader "$TMP/out")"
# a PV at byte 4096 of its image: the offsets in the image move, the start does not
{ head -c 4096 /dev/zero; cat a.img; } >shifted.img
run_mlvm --json read shifted.img
"$PYTHON3" -c '
import json, sys
b = json.load(open(sys.argv[1]))["vgs"][0]["pvs"][0]["bootloader_area"]
sys.exit(0 if b == {"start": 1 << 20, "size": 1 << 20, "offset": (1 << 20) + 4096} else 1)' "$TMP/out" &&
	pass "read --json: bootloader_area offset follows the PV's offset" || fail "shifted: $(grep -A2 bootloader "$TMP/out")"
finish
