#!/bin/bash
# provenance.sh - extents of an older generation that a later one gave to
# another LV (issue 13, item 4), against LVM2 itself. Two random-filled
# 64 MiB PVs, 4 MiB extents; the real lvm2 tools make: home (linear, pv0),
# scratch (linear, pv0), str (striped over both PVs, 64 KiB stripes); then
# lvremove scratch, lvremove str, lvextend home on pv0 (LVM2 hands it the
# first free extents: scratch's and str's stripe on pv0); lvrename home
# house (a rename is no reuse). The expected
# answers come from LVM2's own reports (lvs seg_pe_ranges, pvs pe_start,
# vgs seqno) taken at each step and from the image bytes, never from mlvm:
#  - export --generation S --lv scratch exits 0, warns extents_reused naming
#    home and the seqno of the lvextend, and its reused_ranges are exactly
#    the LV byte ranges LVM2's segment ranges imply (all of scratch);
#  - the same for str: only the chunks of its stripe on pv0 (every other
#    64 KiB), not those on pv1, which stayed free;
#  - the bytes exported are the image's bytes there (home's today);
#  - a generation where nothing was reused since (home alone) gives no
#    extents_reused and reused_ranges [];
#  - map --generation S warns; map --history (text and --json) lists
#    scratch and str as the old owners of the extents home has now.
# Needs root, loop devices and lvm2 (skips with 77 otherwise).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1
vg=mlvmprov$$
P0=$TMP/pv0.img
P1=$TMP/pv1.img
head -c $((64 << 20)) /dev/urandom >"$P0"
head -c $((64 << 20)) /dev/urandom >"$P1"
l0=$(losetup -f --show "$P0") || skip "cannot attach a loop device"
l1=$(losetup -f --show "$P1") || { losetup -d "$l0"; skip "cannot attach a loop device"; }
trap 'loop_release "$l0"; loop_release "$l1"; rm -rf "$TMP"' EXIT
D=(--devices "$l0" --devices "$l1")
NO=(--driverloaded n)

lvmq() { "$@" >>"$TMP/lvm.log" 2>&1 || { echo "FAILED: $*"; tail -20 "$TMP/lvm.log"; exit 99; }; }
seqno() { vgs "${D[@]}" --noheadings -o seqno "$vg" 2>/dev/null | tr -d ' '; }
# LVM2's segments: lvs JSON (name, seg_start_pe, seg_pe_ranges, stripes, stripe_size)
segs() { lvs "${D[@]}" --reportformat json --units b --nosuffix \
	-o lv_name,seg_start_pe,seg_pe_ranges,stripes,stripe_size "$vg" 2>/dev/null >"$1"; }

lvmq pvcreate "${D[@]}" "$l0" "$l1"
lvmq vgcreate "${D[@]}" -s 4m "$vg" "$l0" "$l1"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -l 3 -n home "$vg" "$l0"
S_HOME=$(seqno)
segs "$TMP/segs-home.json"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -l 4 -n scratch "$vg" "$l0"
lvmq lvcreate "${D[@]}" "${NO[@]}" -an -Zn -i 2 -I 64k -l 4 -n str "$vg" "$l0" "$l1"
S=$(seqno)
segs "$TMP/segs-S.json"
lvmq lvremove "${D[@]}" "${NO[@]}" -f "$vg/scratch"
lvmq lvremove "${D[@]}" "${NO[@]}" -f "$vg/str"
lvmq lvextend "${D[@]}" "${NO[@]}" -l +6 "$vg/home" "$l0"
T=$(seqno)
segs "$TMP/segs-T.json"
# a rename afterwards is no reuse (LVs are matched by id)
lvmq lvrename "${D[@]}" "${NO[@]}" "$vg" home house
R=$(seqno)
PE_START=$(pvs "${D[@]}" --noheadings --units b --nosuffix -o pe_start "$l0" | tr -d ' ')
PV0_ID=$(pvs "${D[@]}" --noheadings -o pv_uuid "$l0" | tr -d ' ')
losetup -d "$l1"
losetup -d "$l0"
trap 'rm -rf "$TMP"' EXIT
echo "seqnos: home alone $S_HOME, before removal $S, after lvextend $T, after lvrename $R; pe_start $PE_START"
[ -n "$S" ] && [ -n "$T" ] && [ "$T" -gt "$S" ] || { echo "no seqnos from LVM2"; exit 99; }

# the reused LV byte ranges LVM2's segments imply for LV $1 of generation S:
# its extents that home holds at T, through its stripes
expect_ranges() {
	"$PYTHON3" - "$TMP/segs-S.json" "$TMP/segs-T.json" "$1" "$l0" "$l1" <<'PY'
import json, sys
S, T, lv, l0, l1 = sys.argv[1:6]
X = 4 << 20
def segs(path):
    return json.load(open(path))["report"][0]["lv"]
def ranges(s):  # [(dev, first, last)] per stripe, in order
    out = []
    for r in s["seg_pe_ranges"].split():
        dev, pe = r.rsplit(":", 1)
        a, b = pe.split("-")
        out.append((dev, int(a), int(b)))
    return out
home = set()
for s in segs(T):
    if s["lv_name"] == "home":
        for dev, a, b in ranges(s):
            home |= {(dev, e) for e in range(a, b + 1)}
res = []
for s in segs(S):
    if s["lv_name"] != lv:
        continue
    st = ranges(s)
    n = len(st)
    C = int(s["stripe_size"] or 0)
    base = int(s["seg_start_pe"]) * X
    for k, (dev, a, b) in enumerate(st):
        for e in range(a, b + 1):
            if (dev, e) not in home:
                continue
            o0, o1 = (e - a) * X, (e - a + 1) * X
            if n == 1:
                res.append([base + o0, X])
                continue
            for ci in range(o0 // C, (o1 - 1) // C + 1):
                res.append([base + (ci * n + k) * C, C])
res.sort()
merged = []
for s, l in res:
    if merged and merged[-1][0] + merged[-1][1] == s:
        merged[-1][1] += l
    else:
        merged.append([s, l])
print(json.dumps(merged))
PY
}

# check_export LV SEQNO EXPECTED_JSON WANT_WARNING
check_export() {
	local lv=$1 gen=$2 want=$3 warn=$4
	rm -f "$TMP/$lv-$gen.img"
	run_mlvm --json export --generation "$gen" --lv "$lv" -o "$TMP/$lv-$gen.img" "$P0" "$P1"
	if [ "$status" -ne 0 ]; then
		fail "export --generation $gen --lv $lv: exit $status ($(head -c 300 "$TMP/err"))"
		return
	fi
	pass "export --generation $gen --lv $lv exits 0"
	"$PYTHON3" - "$TMP/out" "$want" "$warn" "$T" "$lv" <<'PY' && pass "export --generation $gen --lv $lv: reused_ranges and warnings as LVM2's segments imply" || fail "export --generation $gen --lv $lv: summary $(head -c 1500 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
want, warn, T, lv = json.loads(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5]
ok = True
if d.get("reused_ranges") != want:
    print("reused_ranges", d.get("reused_ranges"), "expected", want); ok = False
if d.get("reused_ranges_exact") is not True:
    print("reused_ranges_exact is not true"); ok = False
w = [x for x in d.get("warnings", []) if x["code"] == "extents_reused"]
if warn:
    if not w:
        print("no extents_reused warning"); ok = False
    for x in w:
        m = x["message"]
        if "lv home" not in m or ("seqno %s" % T) not in m or ("lv %s" % lv) not in m:
            print("warning does not name home, seqno", T, "and", lv, ":", m); ok = False
        if x["severity"] != "warning" or not x.get("image") or x.get("offset", -1) < 0:
            print("warning without image/offset:", x); ok = False
elif w:
    print("unexpected extents_reused:", w); ok = False
sys.exit(0 if ok else 1)
PY
}

want_scratch=$(expect_ranges scratch)
want_str=$(expect_ranges str)
echo "LVM2 implies: scratch $want_scratch"
echo "LVM2 implies: str $(echo "$want_str" | head -c 200)..."
[ "$want_scratch" = "[[0, 16777216]]" ] || fail "the LVM2 layout is not the one this test means: scratch $want_scratch"
n_str=$(echo "$want_str" | "$PYTHON3" -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n_str" -gt 1 ] || fail "the LVM2 layout is not the one this test means: str $want_str"

check_export scratch "$S" "$want_scratch" 1
check_export str "$S" "$want_str" 1
check_export home "$S_HOME" "[]" 0
check_export home "$S" "[]" 0
check_export house "$R" "[]" 0

# the bytes written are the image's bytes at scratch's extents: home's data now
first_pe=$("$PYTHON3" -c '
import json, sys
for s in json.load(open(sys.argv[1]))["report"][0]["lv"]:
    if s["lv_name"] == "scratch":
        print(s["seg_pe_ranges"].split(":")[1].split("-")[0])' "$TMP/segs-S.json")
if cmp -s "$TMP/scratch-$S.img" <(dd if="$P0" bs=1M skip=$((PE_START / 1048576 + first_pe * 4)) count=16 status=none); then
	pass "export of scratch at seqno $S holds the image's bytes at its extents"
else
	fail "export of scratch at seqno $S differs from the image's bytes at PE $first_pe"
fi
rm -f "$TMP/home-now.img"
"$MLVM" export --lv house -o "$TMP/home-now.img" "$P0" "$P1" 2>/dev/null
if cmp -s "$TMP/scratch-$S.img" <(dd if="$TMP/home-now.img" bs=4M skip="$first_pe" count=4 status=none); then
	pass "what export gives as scratch at seqno $S is home's extents today (and was said)"
else
	fail "scratch at seqno $S is not home's LE $first_pe-... today: the test's premise is wrong"
fi

# map --generation S warns; a generation with nothing reused since does not
run_mlvm map --generation "$S" "$P0" "$P1"
if [ "$status" -eq 0 ] && grep -q '\[extents_reused\]' "$TMP/err" && grep -q "lv scratch lie on extents.*lv home at seqno $T" "$TMP/err" &&
	grep -q "lv str lie on extents.*lv home at seqno $T" "$TMP/err"; then
	pass "map --generation $S warns extents_reused for scratch and str, naming home and seqno $T"
else
	fail "map --generation $S: exit $status, stderr: $(cat "$TMP/err")"
fi
run_mlvm map --generation "$S_HOME" "$P0" "$P1"
if [ "$status" -eq 0 ] && ! grep -q 'extents_reused' "$TMP/err"; then
	pass "map --generation $S_HOME (home alone) gives no extents_reused"
else
	fail "map --generation $S_HOME: exit $status, stderr: $(cat "$TMP/err")"
fi

# map --history: the old owners of what home has now
run_mlvm map --history "$P0" "$P1"
if [ "$status" -eq 0 ] && grep -q "scratch LE 0-3" "$TMP/out" && grep -q "seqno $T  *home LE 3-6" "$TMP/out" &&
	grep -q "seqno $R  *house LE 3-6" "$TMP/out" &&
	grep -q "str segment at LE 0, stripe 1 of 2" "$TMP/out"; then
	pass "map --history lists scratch and str under the extents home (house since $R) has now"
else
	fail "map --history: exit $status: $(cat "$TMP/out" "$TMP/err")"
fi
run_mlvm --json map --history "$P0" "$P1"
if [ "$status" -eq 0 ] && "$PYTHON3" - "$TMP/out" "$TMP/segs-S.json" "$TMP/segs-T.json" "$PV0_ID" "$S" "$T" "$l0" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
S, T, pvid, s, t, l0 = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
def owner(pv, pe, seqno):
    for iv in pv["extents"]:
        if iv["start"] <= pe < iv["start"] + iv["count"]:
            for o in iv["owners"]:
                if o["from_seqno"] <= seqno <= o["to_seqno"]:
                    return o
    return None
pv = [p for p in d["vgs"][0]["pvs"] if p["id"] == pvid]
assert pv, "pv0 not in the history"
pv = pv[0]
assert s in d["vgs"][0]["generations"] and t in d["vgs"][0]["generations"]
for path, seq in ((S, s), (T, t)):
    for seg in json.load(open(path))["report"][0]["lv"]:
        for r in seg["seg_pe_ranges"].split():
            dev, pe = r.rsplit(":", 1)
            if dev != l0:
                continue
            a, b = map(int, pe.split("-"))
            for e in range(a, b + 1):
                o = owner(pv, e, seq)
                assert o and o["state"] == "used" and o["lv"] == seg["lv_name"], \
                    "pv0 PE %d at seqno %d: %r, LVM2 says %s" % (e, seq, o, seg["lv_name"])
PY
then
	pass "map --json --history: every extent of pv0 has LVM2's owner at seqnos $S and $T"
else
	fail "map --json --history disagrees with LVM2 (exit $status)"
fi

expect_status 2 "map --history with --lv is a usage error" map --history --lv home "$P0" "$P1"

# the browser: the older generation's damage list names the reuse
if command -v tmux >/dev/null 2>&1; then
	SOCK="mlvm-prov-test-$$"
	tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
	trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
	cat >"$TMP/run.sh" <<EOF
export LANG=C.UTF-8 LC_ALL=C.UTF-8
'$MLVM' browse --generation $S '$P0' '$P1'
sleep 600
EOF
	tm new-session -d -s prov -x 120 -y 40 "bash '$TMP/run.sh'"
	found=0
	for i in $(seq 1 100); do
		tm capture-pane -p -t prov | grep -q "generation $S shown" && break
		sleep 0.05
	done
	tm send-keys -t prov d
	for i in $(seq 1 100); do
		if tm capture-pane -p -t prov -J | grep -q "extents_reused"; then
			found=1
			break
		fi
		sleep 0.05
	done
	if [ "$found" -eq 1 ]; then
		pass "browse --generation $S: the damage list shows extents_reused"
	else
		fail "browse --generation $S: no extents_reused in the damage list: $(tm capture-pane -p -t prov)"
	fi
	# wait_screen REGEX: until the screen matches (5 s)
	wait_screen() {
		local i
		for i in $(seq 1 100); do
			tm capture-pane -p -t prov -J | grep -Eq -- "$1" && return 0
			sleep 0.05
		done
		return 1
	}
	tm send-keys -t prov Escape
	sleep 0.2
	tm send-keys -t prov / s c r a t c h Enter
	if wait_screen "REUSED vg $vg generation $S"; then
		pass "browse: scratch's details say REUSED"
	else
		fail "browse: no REUSED in scratch's details: $(tm capture-pane -p -t prov)"
	fi
	tm send-keys -t prov e
	sleep 0.2
	tm send-keys -t prov C-u
	tm send-keys -t prov -l "$TMP/browse-scratch.img"
	tm send-keys -t prov Enter
	if wait_screen "16777216 bytes in 1 range lie on extents a later generation reused"; then
		pass "browse: the export of scratch says how many of its bytes lie on reused extents"
	else
		fail "browse: the export result does not mention the reuse: $(tm capture-pane -p -t prov)"
	fi
	if cmp -s "$TMP/browse-scratch.img" "$TMP/scratch-$S.img"; then
		pass "browse: the exported bytes are mlvm export's"
	else
		fail "browse: exported scratch differs from mlvm export --generation $S"
	fi
	tm kill-server 2>/dev/null
fi
finish
