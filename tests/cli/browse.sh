#!/bin/bash
# browse.sh - mlvm browse driven in tmux on the demo fixture: open, move,
# fold/unfold, search, an older generation (scratch shown and marked
# removed), export (bytes compared with mlvm export and with LVM2's recorded
# extents), resize, help, damage, quit; --ascii; and no terminal -> exit 2.
# Skips (77) when tmux is missing.
. "$(dirname "$0")/common.sh"

command -v tmux >/dev/null 2>&1 || skip "tmux not installed"
command -v sha256sum >/dev/null 2>&1 || skip "sha256sum not installed"

mapfile -t IMGS < <(fixture_images demo)
[ "${#IMGS[@]}" -eq 2 ] || { echo "cannot decompress the demo fixture"; exit 99; }

# ------------------------------------------------------------ no terminal
"$MLVM" browse "${IMGS[@]}" </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
if [ "$st" -eq 2 ] && grep -q "terminal" "$TMP/err"; then
	pass "browse without a tty exits 2 and says so"
else
	fail "browse without a tty: exit $st, stderr: $(cat "$TMP/err")"
fi

# ------------------------------------------------------------ tmux
SOCK="mlvm-browse-test-$$"
. "$(dirname "$0")/tmux-lib.sh"
KEYS_SETTLE=0.1
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
WORK=$TMP/work
mkdir -p "$WORK"

# start NAME ARGS...: mlvm browse ARGS in a detached 80x24 session
start() {
	local name=$1
	shift
	cat >"$TMP/run-$name.sh" <<EOF
cd '$WORK' || exit 1
export LANG=C.UTF-8 LC_ALL=C.UTF-8 MLVM_BROWSE_TIMING='$TMP/timing-$name'
'$MLVM' browse $*
echo "EXIT=\$?" >'$TMP/exit-$name'
sleep 600
EOF
	tm new-session -d -s "$name" -x 80 -y 24 "bash '$TMP/run-$name.sh'"
}

start b "${IMGS[0]}" "${IMGS[1]}"
check b "vg demo +seqno 10 \\(current\\)" "opens on the demo VG" 10
check b "Logical volumes \\(5\\)" "tree lists the LVs"
check b "pv0 +rrrrrrrrrrrrssssddddddddllll" "extent map of pv0 (root, swap, data, logs)"
check b "pv1 +hhhhhhhhhhhhhhdddddddd" "extent map of pv1 (home, data)"
check b "0 warnings" "status line with the warning count"
[ "$(screen b | wc -l)" -eq 24 ] && pass "24 lines drawn" || fail "not 24 lines"

# move: rows are vg, PV group, pv0, pv1, LV group, data, home, ...
keys b j j j j j j
check b "Logical volume demo/home" "j moves to home"
check b "pv1 +##############" "home highlighted on the extent map"
keys b Down
check b "Logical volume demo/logs" "Down moves to logs"
keys b Home
check b "Volume group demo" "Home goes to the VG"
keys b End
check b "Logical volume demo/swap" "End goes to the last LV"
keys b PPage
check b "Volume group demo" "PgUp goes up a page"
keys b NPage
check b "Logical volume demo/swap" "PgDn goes down a page"

# fold and unfold the LV group
keys b Home j j j j
check b "Logical volumes of demo: 5" "on the LV group"
keys b Enter
check_not b "[└|\`] swap .*256.00 KiB" "Enter folds the LV group"
keys b Enter
check b "[└|\`] swap .*256.00 KiB" "Enter unfolds it again"

# search
keys b / s w a
check b "^/swa" "the search prompt shows what is typed"
keys b Enter
check b "Logical volume demo/swap" "/swa selects swap"
keys b Home / s Enter
check b "Logical volume demo/logs" "/s selects the first match from the selection"
keys b n
check b "Logical volume demo/swap" "n goes to the next match"
keys b n
check b "Logical volume demo/logs" "n wraps around"

# details pane scrolls on Tab
keys b Tab
check b "Details " "Tab moves to the details pane"
keys b Tab Tab

# generations: choose seqno 5, where scratch exists
keys b g
check b "Generations of vg demo" "g opens the generations timeline" 10
check b ">\\*10 +20[0-9-]+ [0-9:]+ ok +2 " "the current generation is listed first"
n_gen=$(screen b | grep -cE "^.{3} [ >][ *][0-9]+ +[0-9]{4}-")
[ "$n_gen" -eq 10 ] && pass "10 generations listed" || fail "$n_gen generations listed, expected 10"
keys b j j j j j
check b "-n homes -l 8" "the selected generation's description is shown"
keys b Enter
check b "GENERATION 5 \\(current 10\\)" "generation 5 is shown" 10
check b "scratch -removed later" "scratch is shown and marked removed later"
check b "homes ~renamed\\+resized" "homes is marked renamed and resized (later)"
check b "data \\+created later" "data is marked created later"
keys b / s c r Enter
check b "REMOVED since seqno 5" "the removed LV can be selected"
check b "pv1 +######hhhhhhhh" "scratch's extents highlighted on pv1"

# export the removed LV
keys b e
check b "Export demo/scratch" "e opens the export dialog"
keys b C-u
tm send-keys -t b -l "$WORK/scratch.img"
keys b Enter
check b "SHA-256" "export finishes" 10
sum=$(sha256sum "$WORK/scratch.img" 2>/dev/null | cut -d' ' -f1)
if [ -n "$sum" ] && screen b | grep -q "$sum"; then
	pass "the SHA-256 shown is the file's"
else
	fail "SHA-256 of $WORK/scratch.img ($sum) not on the screen"
fi
"$MLVM" export --generation 5 --lv scratch -o "$TMP/scratch-cli.img" "${IMGS[@]}" 2>/dev/null
if cmp -s "$WORK/scratch.img" "$TMP/scratch-cli.img"; then
	pass "exported bytes equal mlvm export --generation 5 --lv scratch"
else
	fail "exported scratch differs from mlvm export"
fi
keys b Escape
# never overwrite: the same path again is refused
keys b e C-u
tm send-keys -t b -l "$WORK/scratch.img"
keys b Enter
check b "cannot create .*[Ff]ile exists" "export refuses an existing file"
keys b Escape
[ "$(sha256sum "$WORK/scratch.img" | cut -d' ' -f1)" = "$sum" ] &&
	pass "the existing file is untouched" || fail "the existing file changed"
# nor an input image
keys b e C-u
tm send-keys -t b -l "${IMGS[0]}"
keys b Enter
check b "cannot create .*[Ff]ile exists" "export refuses an input image"
keys b Escape

# back to the current generation, export root (linear) and compare it with
# the bytes LVM2 recorded for it (lvs.json: /dev/loop0 = pv0, PE 0-11)
keys b g
check b "Generations of vg demo" "g again" 10
keys b Home Enter
check b "vg demo +seqno 10 \\(current\\)" "back to the current generation" 10
keys b / r o o t Enter
check b "Logical volume demo/root" "root selected"
keys b e C-u
tm send-keys -t b -l "$WORK/root.img"
keys b Enter
check b "SHA-256" "export of root finishes" 10
keys b Escape
if "$PYTHON3" - "$top_srcdir/fixtures/images/demo" "${IMGS[0]}" "$WORK/root.img" <<'PY'
import json, sys
d, img, out = sys.argv[1:]
man = json.load(open(d + "/manifest.json"))
lvs = json.load(open(d + "/lvs.json"))["report"][0]["seg"]
pv0 = [p for p in man["pvs"] if p["file"] == "pv0.img.xz"][0]
segs = [s for s in lvs if s["lv_name"] == "root"]
assert len(segs) == 1 and segs[0]["devices"] == "/dev/loop0(0)", segs
es = 64 * 1024
first = int(segs[0]["devices"].split("(")[1].rstrip(")"))
size = int(segs[0]["seg_size"])
with open(img, "rb") as f:
    f.seek(pv0["pe_start"] + first * es)
    want = f.read(size)
got = open(out, "rb").read()
sys.exit(0 if got == want else 1)
PY
then
	pass "exported root equals its extents as LVM2 recorded them"
else
	fail "exported root differs from pv0's extents 0-11"
fi

# resize: the layout follows
tm resize-window -t b -x 120 -y 40
check b "^.{100,}" "wider after resize-window" 5
lines=$(screen b | wc -l)
[ "$lines" -eq 40 ] && pass "40 lines after resize" || fail "$lines lines after resize, expected 40"
last_box=$(screen b | grep -n "Extent map of demo" | cut -d: -f1)
[ -n "$last_box" ] && [ "$last_box" -gt 24 ] && pass "the map pane moved down" ||
	fail "map pane at line $last_box after resize"
screen b | tail -1 | grep -q "warnings" && pass "status line on the last row after resize" ||
	fail "no status line after resize"
tm resize-window -t b -x 80 -y 24
sleep 0.5
check b "0 warnings" "back to 80x24"
[ "$(screen b | wc -l)" -eq 24 ] && pass "24 lines again" || fail "not 24 lines after shrinking"

# help and damage
keys b "?"
check b "Help: mlvm browse" "? opens the help"
keys b Escape
check_not b "Help: mlvm browse" "Esc closes the help"
keys b d
check b "Damage and notices" "d opens the damage panel"
keys b Escape

# quit
keys b q
for i in $(seq 50); do [ -f "$TMP/exit-b" ] && break; sleep 0.1; done
if [ "$(cat "$TMP/exit-b" 2>/dev/null)" = "EXIT=0" ]; then
	pass "q quits with status 0"
else
	fail "after q: $(cat "$TMP/exit-b" 2>/dev/null || echo 'still running')"
fi
if grep -q "^first_draw_ms " "$TMP/timing-b" && grep -q "^key_ms " "$TMP/timing-b"; then
	pass "MLVM_BROWSE_TIMING records first draw and key redraws"
else
	fail "no timings in $TMP/timing-b"
fi

# stdin a terminal but stdout not: exit 2 too
tm new-session -d -s p -x 80 -y 24 "'$MLVM' browse '${IMGS[0]}' >'$TMP/p.out' 2>'$TMP/p.err'; echo EXIT=\$? >'$TMP/exit-p'; sleep 600"
for i in $(seq 50); do [ -f "$TMP/exit-p" ] && break; sleep 0.1; done
if [ "$(cat "$TMP/exit-p" 2>/dev/null)" = "EXIT=2" ] && grep -q "stdout is not a tty" "$TMP/p.err"; then
	pass "browse with stdout not a tty exits 2 and says so"
else
	fail "browse with stdout not a tty: $(cat "$TMP/exit-p" 2>/dev/null) $(cat "$TMP/p.err" 2>/dev/null)"
fi

# --ascii: no line-drawing characters
start a --ascii "${IMGS[0]}" "${IMGS[1]}"
check a "vg demo" "--ascii opens" 10
if screen a | grep -q "[┌│└─]"; then
	fail "--ascii still draws line characters"
else
	check a "^\\+- Volumes" "--ascii draws boxes with + - |"
fi
keys a q

# a damaged image: the damage panel lists anomalies with image and offset
if [ -f "$FIXTURES/../damage.json" ] && command -v "$PYTHON3" >/dev/null; then
	cp "${IMGS[0]}" "$WORK/bad0.img"
	cp "${IMGS[1]}" "$WORK/bad1.img"
	# break the committed copy's checksum area on pv0 (the text at byte 23552)
	printf 'XXXX' | dd of="$WORK/bad0.img" bs=1 seek=23600 conv=notrunc status=none
	start c "$WORK/bad0.img" "$WORK/bad1.img"
	check c "vg demo" "a damaged image opens" 10
	check c "[1-9][0-9]* warnings?" "the status line counts the warnings"
	keys c d
	check c "bad0.img at byte [0-9]+" "the damage panel names the image and the offset"
	keys c Escape q
fi

finish
