#!/bin/bash
# browse-view.sh - what issue 15 found in mlvm browse, each checked on the
# screen text through tmux, at 80x24 and at 160x48:
#   dialogs use the terminal's width, wrap, and open an entry in full;
#   an older generation counts and lists the LVs created later apart, and a
#   fallback generation is not called current;
#   one map mark and colour per LV, a legend, and the cursor naming a cell's
#   LV (raid fixture; marks checked against LVM2's lvs.json);
#   uuids never split at 80x24; TERM=dumb refused with a message;
#   a content column (libmagic) in the tree, checked against file(1) on an
#   ext2 made by mke2fs in root's extents as LVM2 recorded them.
# Skips (77) when tmux is missing.
. "$(dirname "$0")/common.sh"

command -v tmux >/dev/null 2>&1 || skip "tmux not installed"

mapfile -t DEMO < <(fixture_images demo)
mapfile -t RAID < <(fixture_images raid)
[ "${#DEMO[@]}" -eq 2 ] && [ "${#RAID[@]}" -eq 5 ] || { echo "cannot decompress the fixtures"; exit 99; }
DEMO_DIR=$top_srcdir/fixtures/images/demo
RAID_DIR=$top_srcdir/fixtures/images/raid

SOCK="mlvm-browse-view-$$"
. "$(dirname "$0")/tmux-lib.sh"
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# start NAME W H [ENV=VAL...] -- ARGS...: mlvm browse ARGS in a detached WxH session
start() {
	local name=$1 w=$2 h=$3 envs=""
	shift 3
	while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	cat >"$TMP/run-$name.sh" <<EOF
export LANG=C.UTF-8 LC_ALL=C.UTF-8 $envs
'$MLVM' browse $* 2>'$TMP/err-$name'
echo "EXIT=\$?" >'$TMP/exit-$name'
cat '$TMP/err-$name'
sleep 600
EOF
	tm new-session -d -s "$name" -x "$w" -y "$h" "bash '$TMP/run-$name.sh'"
}
# py NAME WHAT SCRIPT ARGS...: run a python check on the screen (stdin)
py() {
	local name=$1 what=$2 script=$3
	shift 3
	sleep 0.2
	if screen "$name" | "$PYTHON3" -c "$script" "$@" >"$TMP/py.out" 2>&1; then
		pass "$what"
	else
		fail "$what: $(cat "$TMP/py.out")"
		screen "$name" | sed 's/^/    | /'
	fi
}
quit() {
	keys "$1" Escape Escape q
	for i in $(seq 50); do [ -f "$TMP/exit-$1" ] && break; sleep 0.1; done
	tm kill-session -t "$1" 2>/dev/null
}

# the width of the box whose top line holds TITLE (stdin: the screen)
BOXW='
import sys
title, want = sys.argv[1], int(sys.argv[2])
for line in sys.stdin.read().splitlines():
    i = line.find(title)
    if i < 0:
        continue
    l = max(line.rfind("┌", 0, i), line.rfind("+", 0, i))
    r = line.find("┐", i)
    if r < 0:
        r = line.find("+", i)
    w = r - l + 1
    sys.exit(0 if l >= 0 and r > 0 and w >= want else "box %r is %d wide, want >= %d" % (title, w, want))
sys.exit("no box titled %r" % title)
'

# the text of a screen region joined: lines between the box borders, from
# the first line holding FROM, stripped of borders and spaces, joined by " "
JOIN='
import sys, re
frm, want = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().splitlines()
out, l, r = [], -1, -1
for line in lines:
    if l < 0:
        i = line.find(frm)
        if i < 0:
            continue
        l = max(line.rfind("┌", 0, i), line.rfind("│", 0, i))
        r = min([x for x in (line.find("│", i), line.find("┐", i)) if x >= 0] or [len(line)])
        out.append(line[i:r])
        continue
    if len(line) <= l or line[l] == "└":
        break
    out.append(line[l + 1:r])
text = re.sub(r"\s+", " ", " ".join(x.strip() for x in out if x.strip()))
sys.exit(0 if want in text else "%r not in %r" % (want, text[:600]))
'

for size in 80x24 160x48; do
	W=${size%x*}
	H=${size#*x}
	s=v$W

	# ------------------------------------------------ uuids, keys, details
	start "$s" "$W" "$H" -- "${DEMO[@]}"
	check "$s" "vg demo +seqno 10 \\(current\\)" "$size: opens on demo" 10
	vg_uuid=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["report"][0]["vg"][0]["vg_uuid"])' "$DEMO_DIR/vgs.json")
	check "$s" "$vg_uuid" "$size: the VG uuid (vgs.json) on one line"
	pv0_uuid=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pvs"][0]["pv_uuid"])' "$DEMO_DIR/manifest.json")
	keys "$s" j j
	check "$s" "Physical volume pv0" "$size: pv0 selected"
	check "$s" "$pv0_uuid" "$size: pv0's uuid (LVM2's) on one line"
	check "$s" "device \\(recorded\\)" "$size: a long key is not cut"

	# ------------------------------------------------ help: full width, wrapped
	keys "$s" "?"
	check "$s" "Help: mlvm browse" "$size: ? opens the help"
	py "$s" "$size: the help uses the width" "$BOXW" "Help: mlvm browse" $((W - 4))
	keys "$s" End
	py "$s" "$size: the last help entry is there in full" "$JOIN" "Header" \
		"or GONE when no metadata area commits the VG any longer (d says why)"
	keys "$s" Home
	py "$s" "$size: a long help line wraps instead of being cut" "$JOIN" "generations:" \
		"i opens a generation's row in full (its whole description)"
	keys "$s" Escape

	# ------------------------------------------------ generations dialog
	keys "$s" g
	check "$s" "Generations of vg demo" "$size: g opens the generations" 10
	py "$s" "$size: the generations dialog uses the width" "$BOXW" "Generations of vg demo" $((W - 4))
	# seqno 6's description as LVM2 recorded it (pvck --dump metadata_search)
	d6=$(sed -n '/seqno 6 id/{n;p;q}' "$DEMO_DIR/pv0.mda1.pvck-metadata_search.txt" | sed 's/^ *description = "//; s/"$//')
	[ -n "$d6" ] || fail "no seqno 6 description in the pvck output"
	keys "$s" Home j j j j
	check "$s" "^.{3} [ >] 6 " "$size: seqno 6 listed"
	py "$s" "$size: the selected generation's description in full below the list" "$JOIN" "SEQNO" "$d6"
	keys "$s" i
	check "$s" "Generation 6" "$size: i opens the generation in full"
	py "$s" "$size: the full view holds LVM2's description" "$JOIN" "Generation 6" "description $d6"
	keys "$s" Escape
	check "$s" "Generations of vg demo" "$size: Esc goes back to the list"
	keys "$s" Escape
	quit "$s"

	# ------------------------------------------------ generation 5
	start "$s" "$W" "$H" -- --generation 5 "${DEMO[@]}"
	check "$s" "GENERATION 5 \\(current 10\\)" "$size: --generation 5 opens on it" 10
	# LVM2: seqno 5 held root, swap, scratch, homes (pvck's text); lvs.json
	# (now) has data and logs, which came later
	check "$s" "Logical volumes \\(4\\) \\+2 later" "$size: 4 LVs then, 2 created later counted apart"
	check_not "$s" "Logical volumes \\(6\\)" "$size: not 6"
	check "$s" "data \\+created later" "$size: data tagged created later"
	check "$s" "logs \\+created later" "$size: logs tagged created later"
	check_not "$s" "\\+added" "$size: no +added tag"
	py "$s" "$size: the LVs created later are listed last" '
import sys, re
rows = [l for l in sys.stdin.read().splitlines() if re.search(r"[├└] (data|logs|root|swap|scratch|homes)\b", l)]
names = [re.search(r"[├└] (\w+)", r).group(1) for r in rows]
later = [i for i, n in enumerate(names) if n in ("data", "logs")]
then = [i for i, n in enumerate(names) if n not in ("data", "logs")]
sys.exit(0 if len(then) == 4 and len(later) == 2 and max(then) < min(later) else repr(names))
'
	check_not "$s" "seqno 5 \\(current\\)" "$size: generation 5 is not called current"
	quit "$s"

	# ------------------------------------------------ a fallback generation
	cp "${DEMO[0]}" "$TMP/f0.img"
	cp "${DEMO[1]}" "$TMP/f1.img"
	# break the committed text of both PVs (mda at 4096, raw_locn[0].offset
	# 19456 in pvck's headers): LVM2's next newest is seqno 9
	off=$(awk '/raw_locn\[0\].offset/ {print $2; exit}' "$DEMO_DIR/pv0.pvck-headers.txt")
	for f in "$TMP/f0.img" "$TMP/f1.img"; do
		printf 'XXXX' | dd of="$f" bs=1 seek=$((4096 + off + 48)) conv=notrunc status=none
	done
	start "$s" "$W" "$H" -- "$TMP/f0.img" "$TMP/f1.img"
	check "$s" "vg demo +seqno 9 \\(FALLBACK" "$size: a fallback is labelled so" 10
	check_not "$s" "\\(current\\)" "$size: and not (current)"
	keys "$s" g
	check "$s" "\\* in use \\(a fallback" "$size: the generations list says in use, not current" 10
	keys "$s" Escape d
	check "$s" "Damage and notices" "$size: d opens the damage list"
	py "$s" "$size: the damage dialog uses the width" "$BOXW" "Damage and notices" $((W - 4))
	check "$s" "f0.img at byte 23552" "$size: image and offset kept together"
	fb=$("$MLVM" read --json "$TMP/f0.img" "$TMP/f1.img" 2>/dev/null |
		"$PYTHON3" -c 'import json,sys; print([w["message"] for w in json.load(sys.stdin)["warnings"] if w["code"] == "generation_fallback"][0])')
	keys "$s" End k
	check "$s" "generation_fallback" "$size: the fallback warning listed"
	keys "$s" Enter
	check "$s" "Damage [0-9]+ of [0-9]+: generation_fallback" "$size: Enter opens it in full"
	py "$s" "$size: its message in full (as mlvm read --json has it)" "$JOIN" ": generation_fallback" "message $fb"
	keys "$s" Escape
	check "$s" "Damage and notices" "$size: Esc back to the list"
	quit "$s"

	# ------------------------------------------------ extent map marks (raid)
	start "$s" "$W" "$H" -- "${RAID[@]}"
	check "$s" "vg fx_raid" "$size: the raid VG opens" 10
	py "$s" "$size: map marks are distinct per LV, with a legend naming every LV of lvs.json" '
import sys, re, json
screen = sys.stdin.read().splitlines()
segs = json.load(open(sys.argv[1]))["report"][0]["seg"]
tops = sorted({s["lv_name"] for s in segs if not s["lv_name"].startswith("[")})
legend = {}
for l in screen:
    for m in re.finditer(r"(?:^|\s)(\S)=(\S+)", re.sub(r"^[│|]|[│|]$", "", l)):
        legend[m.group(2)] = m.group(1)
missing = [t for t in tops if t not in legend]
if missing and not any("..." in l for l in screen):
    sys.exit("not in the legend: %s" % missing)
marks = [legend[t] for t in tops if t in legend]
if len(set(marks)) != len(marks):
    sys.exit("marks repeat: %s" % legend)
cells = "".join(re.sub(r"^[│|]pv\d +", "", l).split()[0] for l in screen if re.match(r"^[│|]pv\d ", l))
used = set(cells) - set(".#!?")
if len(used) < 5:
    sys.exit("only %s in the map" % used)
if not used <= set(legend.values()):
    sys.exit("map marks %s not in the legend %s" % (used, legend))
' "$RAID_DIR/lvs.json"
	if [ "$W" -ge 160 ]; then
		# one cell per extent: every cell of every PV against lvs.json
		py "$s" "$size: every map cell carries the mark of the LV LVM2 put there" '
import sys, re, json
screen = sys.stdin.read().splitlines()
segs = json.load(open(sys.argv[1]))["report"][0]["seg"]
man = json.load(open(sys.argv[2]))
dev = {p["recorded_as"]: "pv%d" % i for i, p in enumerate(man["pvs"])}
legend = {}
for l in screen:
    for m in re.finditer(r"(?:^|\s)(\S)=(\S+)", re.sub(r"^[│|]|[│|]$", "", l)):
        legend[m.group(2)] = m.group(1)
want = {}
for s in segs:
    d = s["devices"]
    m = re.match(r"^(/dev/\w+)\((\d+)\)$", d)
    if not m:
        continue
    name = s["lv_name"].strip("[]")
    top = re.sub(r"_r(meta|image)_\d+$", "", name)
    n = int(s["seg_size"]) // (16 * 1024)
    for e in range(int(m.group(2)), int(m.group(2)) + n):
        want[(dev[m.group(1)], e)] = legend[top]
rows = {re.match(r"^[│|](pv\d)", l).group(1): re.sub(r"^[│|]pv\d +", "", l).split()[0]
        for l in screen if re.match(r"^[│|]pv\d ", l)}
bad = []
for (pv, e), mk in sorted(want.items()):
    got = rows.get(pv, "")[e:e + 1]
    if got != mk:
        bad.append("%s PE %d: %r, want %r" % (pv, e, got, mk))
free = sum(1 for pv, r in rows.items() for e, c in enumerate(r) if (pv, e) not in want and c != ".")
sys.exit("; ".join(bad[:8]) if bad else ("%d cells not free" % free if free else 0))
' "$RAID_DIR/lvs.json" "$RAID_DIR/manifest.json"
		right=17
		pe_re="PE 17"
	else
		right=8
		pe_re="PE 16-17"
	fi
	# the cursor: pv0 (LVM2's /dev/loop4) PE 17 is r5_n_rimage_0
	keys "$s" Tab Tab
	check "$s" "pv0 PE 0(-1)?: r4 \\[r4_rmeta_0\\] \\(r\\)" "$size: the map cursor names the LV of PE 0 (r4_rmeta_0)"
	for ((i = 0; i < right; i++)); do tm send-keys -t "$s" Right; done
	sleep 0.3
	check "$s" "pv0 $pe_re: r5_n \\[r5_n_r(meta|image)_0\\] \\((.)\\)" "$size: the cursor names r5_n at $pe_re"
	quit "$s"

	# ------------------------------------------------ TERM=dumb
	start "$s" "$W" "$H" TERM=dumb -- "${DEMO[@]}"
	check "$s" "TERM=dumb cannot move the cursor" "$size: TERM=dumb says why instead of a blank screen" 10
	for i in $(seq 50); do [ -f "$TMP/exit-$s" ] && break; sleep 0.1; done
	[ "$(cat "$TMP/exit-$s" 2>/dev/null)" = "EXIT=2" ] && pass "$size: TERM=dumb exits 2" ||
		fail "$size: TERM=dumb: $(cat "$TMP/exit-$s" 2>/dev/null)"
	tm kill-session -t "$s" 2>/dev/null
	rm -f "$TMP/exit-$s"
done

# ------------------------------------------------ the content column
# an ext2 made by mke2fs, written where LVM2 put root (lvs.json: pv0 PE 0-11)
if command -v mke2fs >/dev/null 2>&1 && command -v file >/dev/null 2>&1; then
	cp "${DEMO[0]}" "$TMP/c0.img"
	cp "${DEMO[1]}" "$TMP/c1.img"
	read -r first size < <("$PYTHON3" -c '
import json, sys
segs = [s for s in json.load(open(sys.argv[1]))["report"][0]["seg"] if s["lv_name"] == "root"]
assert len(segs) == 1 and segs[0]["devices"] == "/dev/loop0(0)", segs
print(0, int(segs[0]["seg_size"]))' "$DEMO_DIR/lvs.json")
	pe_start=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pvs"][0]["pe_start"])' "$DEMO_DIR/manifest.json")
	truncate -s "$size" "$TMP/fs.img"
	mke2fs -q -F -t ext2 -b 1024 -L examiner "$TMP/fs.img" >/dev/null 2>&1
	dd if="$TMP/fs.img" of="$TMP/c0.img" bs=65536 seek=$((pe_start / 65536 + first)) conv=notrunc status=none
	want=$(head -c 131072 "$TMP/fs.img" | file -b - | sed 's/,.*//')
	for size in 160x48 80x24; do
		W=${size%x*}
		H=${size#*x}
		s=c$W
		start "$s" "$W" "$H" -- "$TMP/c0.img" "$TMP/c1.img"
		check "$s" "vg demo" "$size: opens with the ext2 in root" 10
		if [ "$W" -ge 160 ]; then
			check "$s" "[├└] root +$(printf '%s' "$want" | sed 's/[.()]/\\&/g') +768.00 KiB" \
				"$size: root's row says what file(1) says: $want" 10
		else
			check "$s" "[├└] root +${want:0:6}" "$size: root's row starts with ${want:0:6}" 10
		fi
		check "$s" "[├└] swap +data " "$size: swap (random bytes) is data"
		quit "$s"
	done
else
	echo "SKIP: mke2fs or file missing: content column not checked"
fi

finish
