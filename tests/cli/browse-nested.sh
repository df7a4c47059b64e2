#!/bin/bash
# browse-nested.sh - mlvm browse shows a guest VG under the LV that holds
# it (issue 17), through tmux on the screen text:
#   the host image of tests/unit/data/nested (made afresh by its make.sh
#   with LVM2 when root, lvm2, sfdisk and a loop device are here, else the
#   committed one): the host LV starts folded, unfolding it shows the guest
#   VG, its PV (the host LV) and its LV (names from LVM2's lvs.json); the
#   guest LV's details and its export dialog open;
#   with LVM2 also a guest VG over two host LVs (make.sh SPLIT=1): at the
#   top, labelled with both, and the tree the same whatever the order of
#   the images.
# Skips (77) when tmux is missing.
. "$(dirname "$0")/common.sh"

command -v tmux >/dev/null 2>&1 || skip "tmux not installed"
command -v xz >/dev/null 2>&1 || skip "xz not installed"

DATA=$top_srcdir/tests/unit/data/nested
SPLIT=
if [ "$(id -u)" -eq 0 ] && command -v lvm >/dev/null && command -v sfdisk >/dev/null &&
	losetup -f >/dev/null 2>&1; then
	mkdir -p "$TMP/built"
	if SPLIT=1 bash "$DATA/make.sh" "$TMP/built" >"$TMP/make.log" 2>&1; then
		DATA=$TMP/built
		xz -dc "$DATA/split.img.xz" >"$TMP/split.img" || exit 99
		SPLIT=$TMP/split.img
		pass "make.sh made the host image and the two-host image with LVM2"
	else
		fail "make.sh failed: $(tail -5 "$TMP/make.log")"
	fi
else
	echo "SKIP (part): not root, or no lvm2/sfdisk/loop device: the committed image only, no two-host case"
fi
xz -dc "$DATA/host.img.xz" >"$TMP/host.img" || exit 99
# host VG, host LV holding the guest (the one LVM2 made 1 MiB), guest VG, guest LV
read -r HVG HLV GVG GLV < <("$PYTHON3" - "$DATA/lvs.json" <<'PY'
import json, sys
h, g = json.load(open(sys.argv[1]))["report"]
disk = [l for l in h["lv"] if l["lv_name"] == "guestdisk"][0]
print(disk["vg_name"], disk["lv_name"], g["lv"][0]["vg_name"], g["lv"][0]["lv_name"])
PY
)
[ -n "$GLV" ] || { echo "cannot read lvs.json"; exit 99; }

SOCK="mlvm-browse-nested-$$"
. "$(dirname "$0")/tmux-lib.sh"
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# start NAME W H -- ARGS...: mlvm browse ARGS in a detached WxH session
start() {
	local name=$1 w=$2 h=$3
	shift 4
	cat >"$TMP/run-$name.sh" <<EOS
export LANG=C.UTF-8 LC_ALL=C.UTF-8
'$MLVM' browse $* 2>'$TMP/err-$name'
echo "EXIT=\$?" >'$TMP/exit-$name'
cat '$TMP/err-$name'
sleep 600
EOS
	tm new-session -d -s "$name" -x "$w" -y "$h" "bash '$TMP/run-$name.sh'"
}
# quit NAME: q, then the browser must have exited 0 with nothing on stderr
# (no sanitizer report either)
quit() {
	keys "$1" Escape Escape q
	for i in $(seq 50); do [ -f "$TMP/exit-$1" ] && break; sleep 0.1; done
	tm kill-session -t "$1" 2>/dev/null
	if grep -q "EXIT=0" "$TMP/exit-$1" 2>/dev/null && ! [ -s "$TMP/err-$1" ]; then
		pass "$1: q quits, exit 0, nothing on stderr"
	else
		fail "$1: $(cat "$TMP/exit-$1" 2>/dev/null || echo "no exit"): $(head -c 800 "$TMP/err-$1")"
	fi
}
# the tree pane (the left box) of a screen
tree() { screen "$1" | cut -c1-48; }

start h 120 30 -- "$TMP/host.img"
check h "^│-VG $HVG " "the host VG at the top" 10
check h "[├└]\+$HLV " "the host LV $HVG/$HLV is folded (+): it holds something"
check_not h "VG $GVG" "the guest VG is not at the top, nor shown while its host LV is folded"
# VG, Physical volumes, pv0, Logical volumes, before, guestdisk
keys h Down Down Down Down Down
check h "Logical volume $HVG/$HLV" "the host LV selected"
keys h Right
check h "^│    [└├]-VG $GVG +[0-9.]+ KiB" "unfolded: the guest VG right under the host LV"
check h "pv0 $HVG/$HLV " "the guest's PV is the host LV"
check h "[└├] $GLV " "the guest LV $GVG/$GLV in the tree"
# VG guest, Physical volumes, pv0, Logical volumes, data
keys h Down Down Down Down Down Enter
check h "Logical volume $GVG/$GLV" "the guest LV's details open"
check h "vg $GVG +seqno" "the header names the guest VG"
check h "Extent map of $GVG" "the extent map is the guest VG's"
keys h e
check h "Export $GVG/$GLV" "the export dialog opens on the guest LV"
keys h Escape
keys h g
check h "Generations of vg $GVG" "g opens the guest VG's generations"
check h " 2 generations" "g lists both (vgcreate, lvcreate), as mlvm history does"
keys h Escape
keys h Left Left	# the focus back to the tree, then up
check h "Logical volumes of $GVG: 1" "Left (back in the tree) goes up to the guest VG's Logical volumes"
quit h

start nn 120 30 -- --no-nested "$TMP/host.img"
check nn "[├└] $HLV " "--no-nested: the host LV holds nothing to unfold" 10
check_not nn "VG $GVG" "--no-nested: no guest VG"
quit nn

if [ -n "$SPLIT" ]; then
	start s 120 30 -- "$SPLIT"
	check s "^│-VG split \(guest in host2/a, host2/b\)" "a guest VG over two host LVs stays at the top, naming both" 10
	check s "[├└] a  " "host2/a holds no VG node (nothing to unfold)"
	check s "[├└] b  " "host2/b holds no VG node"
	quit s
	# the tree does not depend on the order of the images
	start o1 120 40 -- "$SPLIT" "$TMP/host.img"
	start o2 120 40 -- "$TMP/host.img" "$SPLIT"
	wait_for o1 "VG split" 10
	wait_for o2 "VG split" 10
	for s in o1 o2; do
		keys $s / "$GLV" Enter
	done
	sleep 0.3
	if [ "$(tree o1)" = "$(tree o2)" ] && tree o1 | grep -q "VG $GVG"; then
		pass "the same tree whatever the order of the images"
	else
		fail "the tree depends on the order of the images:"
		paste <(tree o1) <(tree o2) | sed 's/^/    | /'
	fi
	quit o1
	quit o2
fi
finish
