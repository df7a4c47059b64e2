#!/bin/bash
# mlvm's writes against LVM2 itself, on loop devices: seeded random sequences
# of mlvm operations (format, create, remove, resize, rename, add-tag,
# remove-tag) on 1 to 3 images, with LVM2 changing the same VG now and then
# (lvcreate, lvremove, lvextend). After every step LVM2 (vgck, pvck --dump
# headers, lvs/vgs JSON, vgcfgbackup) must report exactly the VG mlvm read
# --json shows: LV names, uuids, sizes, segments, tags, seqno. One scenario
# uses the smallest metadata area so that the ring wraps many times.
# Needs root, loop devices and lvm2 (skips with 77 otherwise).
# MLVM_WRITE_SEED=N replays a sequence; MLVM_WRITE_STEPS=N sets its length.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1 LVM_SYSTEM_DIR=$TMP/lvm
mkdir -p "$LVM_SYSTEM_DIR"
printf 'backup {\nbackup = 0\narchive = 0\n}\ndevices {\nuse_devicesfile = 0\nobtain_device_list_from_udev = 0\n}\nglobal {\nuse_lvmlockd = 0\n}\n' \
	>"$LVM_SYSTEM_DIR/lvm.conf"
LOOPS=()
cleanup() { local l; for l in "${LOOPS[@]}"; do loop_release "$l"; done; rm -rf "$TMP"; }
trap cleanup EXIT

seed=${MLVM_WRITE_SEED:-$(date +%s)}
steps=${MLVM_WRITE_STEPS:-30}
echo "seed $seed, $steps steps a scenario (MLVM_WRITE_SEED=$seed replays)"

# scenario: NAME IMAGES SIZE_MIB FORMAT-OPTIONS...
scenario() {
	local name=$1 n=$2 mib=$3 i l devs=()
	shift 3
	for ((i = 0; i < n; i++)); do
		truncate -s "${mib}M" "$TMP/$name$i.img"
		l=$(losetup -f --show "$TMP/$name$i.img") || { fail "losetup"; return; }
		LOOPS+=("$l")
		devs+=("$l")
	done
	if "$PYTHON3" - "$MLVM" "$seed" "${STEPS:-$steps}" "$TMP" "mlvmw$$$name" "$*" "${devs[@]}" <<'PY'; then
import json, random, re, subprocess, sys

mlvm, seed, steps, tmp, vg, fmt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
devs = sys.argv[7:]
rnd = random.Random(f"{seed}/{vg[-8:]}")
L = ["--devices", ",".join(devs)]
errors = []

WRITES = ("format", "create", "remove", "resize", "rename", "add-tag", "remove-tag")
# what a write command says of a VG it finds damaged (--force writes all the same)
DAMAGE = re.compile(r"mlvm: (warning|error):|damaged|missing|disagree|left over|no intact|recovered from|does not know")

def run(cmd, ok=True):
    # the images are loop devices: block devices are written to only with --force
    forced = cmd[0] == mlvm and cmd[1] in WRITES
    if forced:
        cmd = cmd[:2] + ["--force"] + cmd[2:]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exit {p.returncode}\n{p.stdout}{p.stderr}")
    if forced and DAMAGE.search(p.stderr):
        raise SystemExit(f"FAIL: {' '.join(cmd)}: mlvm saw damage in an LVM2-made VG\n{p.stderr}")
    return p

def mine():
    p = run([mlvm, "--json", "read"] + devs)
    j = json.loads(p.stdout)
    assert len(j["vgs"]) == 1, j
    return j["vgs"][0]

def lvm_state():
    lvs = json.loads(run(["lvs"] + L + ["-a", "--reportformat", "json", "--units", "b", "--nosuffix",
                          "-o", "lv_name,lv_uuid,lv_size,lv_tags", vg]).stdout)["report"][0]["lv"]
    segs = json.loads(run(["lvs"] + L + ["-a", "--segments", "--reportformat", "json", "--units", "b",
                           "--nosuffix", "-o", "lv_name,seg_start_pe,seg_size_pe,seg_pe_ranges", vg]).stdout)["report"][0]["seg"]
    vgs = json.loads(run(["vgs"] + L + ["--reportformat", "json", "-o", "vg_name,vg_uuid,vg_seqno,vg_free_count", vg]).stdout)["report"][0]["vg"]
    return lvs, segs, vgs[0]

def compare(step):
    m = mine()
    lvs, segs, v = lvm_state()
    run(["vgck"] + L + [vg])
    for d in devs:
        run(["lvm", "pvck", "--devicesfile", "", "--driverloaded", "n", "--dump", "headers", d])
    run(["vgcfgbackup"] + L + ["-f", f"{tmp}/{vg}.backup", vg])
    img = {p["name"]: p["image"] for p in m["pvs"]}
    want = {}
    for lv in m["lvs"]:
        ranges = []
        for s in lv["segments"]:
            a = s["areas"][0]
            ranges.append((s["start_extent"], s["extent_count"], f"{img[a['pv']]}:{a['pe']}-{a['pe'] + s['extent_count'] - 1}"))
        want[lv["name"]] = (lv["id"], lv["size"], sorted(lv["tags"]), ranges)
    got = {}
    for r in lvs:
        got[r["lv_name"]] = [r["lv_uuid"], int(r["lv_size"]), sorted(t for t in r["lv_tags"].split(",") if t), []]
    for r in segs:
        got[r["lv_name"]][3].append((int(r["seg_start_pe"]), int(r["seg_size_pe"]), r["seg_pe_ranges"]))
    got = {k: tuple(x) for k, x in got.items()}
    if want != got:
        raise SystemExit(f"FAIL step {step}: LVM2 and mlvm disagree\nLVM2: {got}\nmlvm: {want}")
    if int(v["vg_seqno"]) != m["seqno"] or v["vg_uuid"] != m["id"] or int(v["vg_free_count"]) != m["free_extents"]:
        raise SystemExit(f"FAIL step {step}: vg differs: LVM2 {v} mlvm seqno {m['seqno']} id {m['id']} free {m['free_extents']}")
    return m

def ring_offsets():
    out = run(["lvm", "pvck", "--devicesfile", "", "--driverloaded", "n", "--dump", "headers", devs[0]]).stdout
    return [int(x) for x in re.findall(r"mda_header_1\.raw_locn\[0\]\.offset (\d+)", out)]

p = subprocess.run([mlvm, "format", "--vg", vg] + fmt.split() + devs, capture_output=True, text=True)
if p.returncode != 1 or "is a block device: not written to" not in p.stderr:
    raise SystemExit(f"FAIL: format of block devices without --force: exit {p.returncode}\n{p.stderr}")
run([mlvm, "format", "--vg", vg] + fmt.split() + devs)
m = compare("format")
ext = m["extent_size"] * 512
names = 0
restarts = 0
last = ring_offsets()
for step in range(steps):
    m = mine()
    lvs = [l["name"] for l in m["lvs"]]
    free = m["free_extents"]
    ops = ["create"] * 3 + ["add-tag", "rename"] * 2
    if lvs:
        ops += ["resize"] * 3 + ["remove", "add-tag", "remove-tag", "lvm-create", "lvm-extend", "lvm-remove"]
    op = rnd.choice(ops)
    lv = rnd.choice(lvs) if lvs else None
    if op in ("add-tag", "rename", "remove-tag") and not lv:
        op = "create"
    names += 1
    if op == "create" and free:
        n = rnd.randint(1, max(1, min(free, 12)))
        args = ["create"] + (["--size", f"{n * ext // 1024}K"] if rnd.random() < 0.8 else []) + devs + [f"lv{names}"]
        run([mlvm] + args)
    elif op == "create":
        p = run([mlvm, "create"] + devs + [f"lv{names}"], ok=False)
        assert p.returncode == 1, p
    elif op == "resize":
        cur = next(l["extent_count"] for l in m["lvs"] if l["name"] == lv)
        new = rnd.randint(1, cur + free)
        form = rnd.choice(["abs", "rel"])
        size = f"{new * ext // 1024}K" if form == "abs" else (f"+{(new - cur) * ext // 1024}K" if new >= cur else f"-{(cur - new) * ext // 1024}K")
        if new != cur:
            run([mlvm, "resize"] + devs + [lv, size])
    elif op == "remove":
        run([mlvm, "remove"] + devs + [lv])
    elif op == "rename":
        run([mlvm, "rename"] + devs + [lv, f"r{names}"])
    elif op == "add-tag":
        run([mlvm, "add-tag"] + devs + [lv, rnd.choice(["a", "b=1", "c/d:e", "#x&y!"])])
    elif op == "remove-tag":
        tags = next(l["tags"] for l in m["lvs"] if l["name"] == lv)
        if tags:
            run([mlvm, "remove-tag"] + devs + [lv, rnd.choice(tags)])
    elif op == "lvm-create" and free:
        run(["lvcreate"] + L + ["--driverloaded", "n", "-an", "-Zn", "-n", f"lvm{names}", "-l", str(rnd.randint(1, min(free, 8))), vg])
    elif op == "lvm-extend" and free:
        run(["lvextend"] + L + ["--driverloaded", "n", "-l", f"+{rnd.randint(1, min(free, 4))}", f"{vg}/{lv}"])
    elif op == "lvm-remove":
        run(["lvremove"] + L + ["--driverloaded", "n", "-f", f"{vg}/{lv}"])
    compare(f"{step} ({op} {lv or ''})")
    now = ring_offsets()
    if now and last and now[0] < last[0]:
        restarts += 1
    last = now
print(f"ok: {vg}: {steps} random steps on {len(devs)} PV(s), LVM2 agreed after each; the ring restarted {restarts} times")
if "--metadata-size 32k" in fmt and restarts < 2:
    raise SystemExit(f"FAIL: the ring restarted only {restarts} times")
PY
		pass "$name: LVM2 agrees with mlvm after every step"
	else
		fail "$name (seed $seed)"
	fi
	for l in "${devs[@]}"; do losetup -d "$l"; done
}

scenario one 1 129
scenario two 2 64 --extent-size 1M --metadata-copies 2
scenario three 3 48 --extent-size 512K --data-alignment 64k --metadata-size 100k
STEPS=$((steps * 3 > 90 ? steps * 3 : 90)) scenario wrap 1 16 --extent-size 256K --metadata-size 32k --data-alignment 4k
finish
