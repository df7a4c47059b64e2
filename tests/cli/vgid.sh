#!/bin/bash
# VG identity on the command line, against LVM2 itself (needs root, loop
# devices and lvm2; PVs filled with random bytes first).
#
# Two images, each a PV of its own VG, both VGs named the same, each with an
# LV home whose bytes are known (the random bytes LVM2's pe_start and
# seg_pe_ranges place it on, different in each). With both images given, in
# both orders: --vg NAME@UUID, --vg UUID (with and without dashes), --lv
# UUID/home and --lv NAME@UUID/home export the right VG's bytes (uuids from
# `vgs -o vg_name,vg_uuid --reportformat json`); read, map, dump, history,
# diff and browse take the same specs; plain --vg NAME and --lv NAME/home
# (and --lv home) are refused with exit 1 naming both VGs as NAME@UUID.
#
# A third image, one VG renamed with vgrename and given a new uuid with
# vgchange --uuid: diff --from OLD --to NEW reports vg_changed with the name
# and id before and after as vgcfgbackup shows them before and after each
# change (--vg OLDNAME follows the VG across both; --from VG:SEQNO names a
# side), and two VGs that share no PV are not compared.
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1
LOOP=
trap '[ -n "$LOOP" ] && loop_release "$LOOP"; fusermount3 -u "$TMP/mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
VG=vgid$$
VR=vgidr$$

lvmopts() { printf '%s\n' --devices "$1" --config 'backup { backup = 0 archive = 0 } devices { use_devicesfile = 0 }'; }

# attach IMAGE: the loop device in $LOOP
attach() {
	LOOP=$(losetup -f --show "$1") || { fail "losetup $1"; finish; }
}
detach() {
	losetup -d "$LOOP"
	LOOP=
}

# make_pv_vg IMAGE VGNAME: random bytes, one PV, one VG with a 4 MiB LV home;
# writes IMAGE.uuid (LVM2's vg_uuid) and IMAGE.home (home's bytes, from LVM2's
# pe_start, extent size and seg_pe_ranges)
make_pv_vg() {
	local img=$1 name=$2 o pe_start ext range first
	dd if=/dev/urandom of="$img" bs=1M count=16 status=none
	attach "$img"
	mapfile -t o < <(lvmopts "$LOOP")
	if ! { pvcreate -q "${o[@]}" "$LOOP" && vgcreate -q "${o[@]}" "$name" "$LOOP" &&
		lvcreate -q "${o[@]}" --driverloaded n -an -Zn -L 4M -n home "$name"; } >>"$TMP/lvm.log" 2>&1; then
		detach
		fail "lvm2 could not make $name on $img: $(tail -5 "$TMP/lvm.log")"
		finish
	fi
	vgs "${o[@]}" -o vg_name,vg_uuid --reportformat json "$name" 2>>"$TMP/lvm.log" |
		"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["report"][0]["vg"][0]["vg_uuid"])' >"$img.uuid"
	pe_start=$(pvs "${o[@]}" --noheadings --units b --nosuffix -o pe_start "$LOOP" 2>>"$TMP/lvm.log" | tr -d ' ')
	ext=$(vgs "${o[@]}" --noheadings --units b --nosuffix -o vg_extent_size "$name" 2>>"$TMP/lvm.log" | tr -d ' ')
	range=$(lvs "${o[@]}" --noheadings -o seg_pe_ranges "$name/home" 2>>"$TMP/lvm.log" | tr -d ' ')
	detach
	first=${range##*:}
	first=${first%%-*}
	if [ -z "$pe_start" ] || [ -z "$ext" ] || [ -z "$first" ] || [ ! -s "$img.uuid" ]; then
		fail "lvm2 did not report $name's geometry (pe_start '$pe_start', extent '$ext', range '$range')"
		finish
	fi
	dd if="$img" of="$img.home" bs=1M iflag=skip_bytes,count_bytes skip=$((pe_start + first * ext)) \
		count=$((4 << 20)) status=none
}

A=$TMP/a.img
B=$TMP/b.img
make_pv_vg "$A" "$VG"
make_pv_vg "$B" "$VG"
UA=$(cat "$A.uuid")
UB=$(cat "$B.uuid")
[ "$UA" != "$UB" ] || fail "lvm2 gave both VGs one uuid"
cmp -s "$A.home" "$B.home" && fail "the two homes hold the same bytes: the test could not tell them apart"

# export_is WHAT FILE ARGS...: mlvm ARGS -o OUT exits 0 and OUT holds FILE's bytes
export_is() {
	local what=$1 want=$2
	shift 2
	rm -f "$TMP/x.raw"
	run_mlvm "$@"
	if [ "$status" -ne 0 ]; then
		fail "$what: exit $status ($(head -c 400 "$TMP/err"))"
	elif cmp -s "$want" "$TMP/x.raw"; then
		pass "$what"
	else
		fail "$what: exported bytes are not that VG's home"
	fi
}

# refused_naming_both WHAT ARGS...: exit 1, stderr names NAME@UA and NAME@UB
refused_naming_both() {
	local what=$1
	shift
	run_mlvm "$@"
	if [ "$status" -ne 1 ]; then
		fail "$what: exit $status, expected 1 (stderr: $(head -c 400 "$TMP/err"))"
	elif grep -qF "$VG@$UA" "$TMP/err" && grep -qF "$VG@$UB" "$TMP/err"; then
		pass "$what"
	else
		fail "$what: stderr does not name $VG@$UA and $VG@$UB: $(head -c 600 "$TMP/err")"
	fi
}

nodash() { printf '%s' "$1" | tr -d -; }

for order in "$A $B" "$B $A"; do
	read -r I1 I2 <<<"$order"
	IMGS=("$I1" "$I2")
	tag="($(basename "$I1") $(basename "$I2"))"

	# read lists both, with the ids LVM2 reports
	run_mlvm --json read "${IMGS[@]}"
	got=$("$PYTHON3" -c 'import json,sys; print(" ".join(sorted(v["name"]+"@"+v["id"] for v in json.load(open(sys.argv[1]))["vgs"])))' "$TMP/out" 2>/dev/null)
	want=$(printf '%s\n' "$VG@$UA" "$VG@$UB" | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] && pass "read $tag lists both VGs as LVM2 does" ||
		fail "read $tag: VGs '$got', LVM2: '$want'"
	grep -q '"vg_name_duplicate"' "$TMP/out" && pass "read $tag warns vg_name_duplicate" ||
		fail "read $tag: no vg_name_duplicate warning"

	for side in A B; do
		if [ $side = A ]; then U=$UA; H=$A.home; else U=$UB; H=$B.home; fi
		export_is "$tag --vg NAME@UUID ($side) exports its home" "$H" --vg "$VG@$U" export -o "$TMP/x.raw" --lv home "${IMGS[@]}"
		export_is "$tag --vg UUID ($side)" "$H" --vg "$U" export -o "$TMP/x.raw" --lv home "${IMGS[@]}"
		export_is "$tag --vg UUID without dashes ($side)" "$H" --vg "$(nodash "$U")" export -o "$TMP/x.raw" --lv home "${IMGS[@]}"
		export_is "$tag --lv UUID/home ($side)" "$H" export -o "$TMP/x.raw" --lv "$U/home" "${IMGS[@]}"
		export_is "$tag --lv NAME@UUID/home ($side)" "$H" export -o "$TMP/x.raw" --lv "$VG@$U/home" "${IMGS[@]}"
		export_is "$tag --vg=NAME@UUID with --lv NAME/home ($side)" "$H" --vg="$VG@$(nodash "$U")" export -o "$TMP/x.raw" --lv "$VG/home" "${IMGS[@]}"

		run_mlvm --json --vg "$U" read "${IMGS[@]}"
		got=$("$PYTHON3" -c 'import json,sys; print(" ".join(v["id"] for v in json.load(open(sys.argv[1]))["vgs"]))' "$TMP/out" 2>/dev/null)
		[ "$status" -eq 0 ] && [ "$got" = "$U" ] && pass "$tag read --vg UUID ($side) shows that VG only" ||
			fail "$tag read --vg UUID ($side): exit $status, ids '$got'"
		run_mlvm --vg "$VG@$U" dump "${IMGS[@]}"
		[ "$status" -eq 0 ] && grep -qF "id = \"$U\"" "$TMP/out" && pass "$tag dump --vg NAME@UUID ($side)" ||
			fail "$tag dump --vg NAME@UUID ($side): exit $status ($(head -c 300 "$TMP/err"))"
		run_mlvm --json map --lv "$VG@$U/home" "${IMGS[@]}"
		[ "$status" -eq 0 ] && "$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d["vgs"])==1 and d["vgs"][0].get("name")==sys.argv[2] else 1)' "$TMP/out" "$VG" &&
			pass "$tag map --lv NAME@UUID/home ($side)" ||
			fail "$tag map --lv NAME@UUID/home ($side): exit $status ($(head -c 300 "$TMP/err"))"
		run_mlvm --json --vg "$VG@$U" history "${IMGS[@]}"
		got=$("$PYTHON3" -c 'import json,sys; print(" ".join(sorted({g["vg_id"] for g in json.load(open(sys.argv[1]))["generations"]})))' "$TMP/out" 2>/dev/null)
		[ "$status" -eq 0 ] && [ "$got" = "$U" ] && pass "$tag history --vg NAME@UUID ($side) lists that VG's generations only" ||
			fail "$tag history --vg NAME@UUID ($side): exit $status, vg ids '$got'"
		run_mlvm --json --vg "$U" diff --from 1 --to 2 "${IMGS[@]}"
		got=$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["to_vg"]["id"], " ".join(c["kind"]+":"+str(c["lv"]) for c in d["changes"]))' "$TMP/out" 2>/dev/null)
		[ "$status" -eq 0 ] && [ "$got" = "$U lv_added:home" ] && pass "$tag diff --vg UUID ($side): lvcreate home" ||
			fail "$tag diff --vg UUID ($side): exit $status, '$got' ($(head -c 300 "$TMP/err"))"
	done

	refused_naming_both "$tag --vg NAME export refused" --vg "$VG" export --lv home -o "$TMP/no.raw" "${IMGS[@]}"
	refused_naming_both "$tag --lv NAME/home refused" export --lv "$VG/home" -o "$TMP/no.raw" "${IMGS[@]}"
	refused_naming_both "$tag --lv home refused" export --lv home -o "$TMP/no.raw" "${IMGS[@]}"
	[ -e "$TMP/no.raw" ] && fail "$tag: a refused export left a file"
	refused_naming_both "$tag read --vg NAME refused" --vg "$VG" read "${IMGS[@]}"
	[ -s "$TMP/out" ] && fail "$tag read --vg NAME: printed a VG anyway"
	refused_naming_both "$tag map --vg NAME refused" --vg "$VG" map "${IMGS[@]}"
	refused_naming_both "$tag dump --vg NAME refused" --vg "$VG" dump "${IMGS[@]}"
	refused_naming_both "$tag diff --vg NAME refused" --vg "$VG" diff --from 1 --to 2 "${IMGS[@]}"
	run_mlvm --json --vg "$VG" read "${IMGS[@]}"
	grep -q '"vg_ambiguous"' "$TMP/out" && pass "$tag read --json --vg NAME: error vg_ambiguous" ||
		fail "$tag read --json --vg NAME: no vg_ambiguous error in the JSON"
	run_mlvm scan "${IMGS[@]}"
	grep -qF "vg $VG@$UA" "$TMP/out" && grep -qF "vg $VG@$UB" "$TMP/out" &&
		pass "$tag scan names the two VGs of one name as NAME@UUID" ||
		fail "$tag scan does not tell the two VGs apart: $(head -c 400 "$TMP/out")"
	run_mlvm --json scan "${IMGS[@]}"
	got=$("$PYTHON3" -c 'import json,sys; print(" ".join(sorted(p["vg"]+"@"+str(p["vg_id"]) for p in json.load(open(sys.argv[1]))["pvs"])))' "$TMP/out" 2>/dev/null)
	[ "$got" = "$want" ] && pass "$tag scan --json: vg_id of each PV as LVM2 reports" ||
		fail "$tag scan --json: '$got', LVM2: '$want'"
	run_mlvm history "${IMGS[@]}"
	grep -qF "$VG@$UA" "$TMP/out" && grep -qF "$VG@$UB" "$TMP/out" &&
		pass "$tag history names the two VGs of one name as NAME@UUID" ||
		fail "$tag history does not tell the two VGs apart"
done
# browse: on a terminal (tmux), --vg UUID opens on that VG; --vg NAME is refused
if command -v script >/dev/null; then
	script -qec "'$MLVM' --vg '$VG' browse '$A' '$B'" /dev/null >"$TMP/err" 2>&1 </dev/null
	status=$?
	[ "$status" -eq 1 ] && grep -qF "$VG@$UA" "$TMP/err" && grep -qF "$VG@$UB" "$TMP/err" &&
		pass "browse --vg NAME on a terminal: refused, naming both" ||
		fail "browse --vg NAME on a terminal: exit $status ($(head -c 300 "$TMP/err"))"
fi
if command -v tmux >/dev/null; then
	SOCK=mlvm-vgid-$$
	tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 30 \
		"LANG=C.UTF-8 LC_ALL=C.UTF-8 '$MLVM' --vg '$(nodash "$UB")' browse '$A' '$B'; sleep 60"
	for i in $(seq 50); do
		tmux -L "$SOCK" capture-pane -p >"$TMP/screen" 2>/dev/null
		grep -q "Details" "$TMP/screen" && break
		sleep 0.1
	done
	tmux -L "$SOCK" kill-server 2>/dev/null
	grep -qF "$UB" "$TMP/screen" && ! grep -qF "$UA" "$TMP/screen" &&
		pass "browse --vg UUID opens on that VG only" ||
		fail "browse --vg UUID: screen: $(head -c 600 "$TMP/screen")"
fi

# mount: --vg NAME@UUID mounts that VG (its home has its bytes); --vg NAME is refused
if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null && grep -q "mount" <("$MLVM" --help); then
	MNT=$TMP/mnt
	mkdir -p "$MNT"
	run_mlvm --vg "$VG" mount "$A" "$B" "$MNT"
	[ "$status" -eq 1 ] && grep -qF "$VG@$UA" "$TMP/err" && grep -qF "$VG@$UB" "$TMP/err" &&
		pass "mount --vg NAME: refused, naming both" ||
		fail "mount --vg NAME: exit $status ($(head -c 300 "$TMP/err"))"
	grep -q " $MNT fuse" /proc/mounts && { fail "mount --vg NAME mounted anyway"; fusermount3 -u "$MNT"; }
	"$MLVM" --vg "$VG@$UA" mount --foreground "$A" "$B" "$MNT" >"$TMP/mount.out" 2>"$TMP/mount.err" &
	mpid=$!
	for i in $(seq 100); do
		grep -q " $MNT fuse" /proc/mounts && break
		kill -0 "$mpid" 2>/dev/null || break
		sleep 0.05
	done
	if grep -q " $MNT fuse" /proc/mounts; then
		cmp -s "$A.home" "$MNT/$VG/home" && pass "mount --vg NAME@UUID: $VG/home holds that VG's bytes" ||
			fail "mount --vg NAME@UUID: $VG/home differs ($(ls "$MNT" 2>&1))"
		fusermount3 -u "$MNT" || umount -l "$MNT"
		wait "$mpid"
	else
		msg=$(tail -c 300 "$TMP/mount.err")
		kill "$mpid" 2>/dev/null
		wait "$mpid" 2>/dev/null
		case $msg in
		*"cannot mount on"*|*fusermount*|*"Operation not permitted"*|*"Permission denied"*)
			echo "FUSE mounts are not possible here: $msg";;
		*) fail "mount --vg NAME@UUID did not come up: $msg";;
		esac
	fi
fi

run_mlvm --vg "$VG@$UA" export --lv home -o "$TMP/y.raw" "$B"
[ "$status" -eq 1 ] && grep -qF "they hold $VG" "$TMP/err" && pass "--vg NAME@UUID of a VG not in the images: refused, naming the one there" ||
	fail "--vg NAME@UUID of an absent VG: exit $status ($(head -c 300 "$TMP/err"))"

# ---- one VG renamed, then given a new uuid; vgcfgbackup before and after
C=$TMP/c.img
dd if=/dev/urandom of="$C" bs=1M count=16 status=none
attach "$C"
mapfile -t O < <(lvmopts "$LOOP")
backup() { vgcfgbackup -q "${O[@]}" -f "$TMP/$1.vg" "$2" >>"$TMP/lvm.log" 2>&1; }
if ! { pvcreate -q "${O[@]}" "$LOOP" && vgcreate -q "${O[@]}" "$VR" "$LOOP" &&
	lvcreate -q "${O[@]}" --driverloaded n -an -Zn -L 4M -n home "$VR" && backup before "$VR" &&
	vgrename -q "${O[@]}" "$VR" "${VR}n" && backup renamed "${VR}n" &&
	vgchange -q "${O[@]}" --driverloaded n --uuid "${VR}n" && backup newid "${VR}n"; } >>"$TMP/lvm.log" 2>&1; then
	detach
	fail "lvm2 could not rename and re-uuid $VR: $(tail -5 "$TMP/lvm.log")"
	finish
fi
detach
# NAME ID SEQNO of a vgcfgbackup file
vgfacts() {
	"$PYTHON3" -c '
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"^(\S+) \{\s*\n\s*id = \"([^\"]+)\"\s*\n\s*seqno = (\d+)", t, re.M)
print(m.group(1), m.group(2), m.group(3)) if m else sys.exit(1)' "$1"
}
read -r N0 I0 S0 < <(vgfacts "$TMP/before.vg")
read -r N1 I1 S1 < <(vgfacts "$TMP/renamed.vg")
read -r N2 I2 S2 < <(vgfacts "$TMP/newid.vg")
if [ -z "${S2:-}" ] || [ "$N0" = "$N1" ] || [ "$I1" = "$I2" ] || [ "$I0" != "$I1" ]; then
	fail "vgcfgbackup did not show the rename and the new uuid: $N0 $I0 $S0 / $N1 $I1 $S1 / $N2 ${I2:-} ${S2:-}"
	finish
fi

# vg_changed FILE: "field:before>after ..." of the diff's vg_changed entries
vg_changed() {
	"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s:%s>%s" % (c.get("field"), c["before"], c["after"]) for c in d["changes"] if c["kind"] == "vg_changed"))' "$1" 2>/dev/null
}
# diff_says WHAT WANT ARGS...: mlvm --json ARGS exits 0, its vg_changed entries are WANT
diff_says() {
	local what=$1 want=$2 got
	shift 2
	run_mlvm --json "$@"
	got=$(vg_changed "$TMP/out")
	[ "$status" -eq 0 ] && [ "$got" = "$want" ] && pass "$what" ||
		fail "$what: exit $status, vg_changed '$got', LVM2: '$want' ($(head -c 300 "$TMP/err"))"
}
diff_says "vgrename: diff --from $S0 --to $S1 reports the name" "name:$N0>$N1" diff --from "$S0" --to "$S1" "$C"
diff_says "vgchange --uuid: diff --from $S1 --to $S2 reports the id" "id:$I1>$I2" diff --from "$S1" --to "$S2" "$C"
diff_says "both: diff --from $S0 --to $S2" "name:$N0>$N2 id:$I0>$I2" diff --from "$S0" --to "$S2" "$C"
diff_says "--vg OLDNAME follows the VG across both" "name:$N0>$N2 id:$I0>$I2" --vg "$N0" diff --from "$S0" --to "$S2" "$C"
diff_says "--vg NEWUUID follows it back" "name:$N0>$N2 id:$I0>$I2" --vg "$I2" diff --from "$S0" --to "$S2" "$C"
diff_says "--from VG:SEQNO --to NAME@UUID:SEQNO" "name:$N0>$N2 id:$I0>$I2" diff --from "$N0:$S0" --to "$N2@$I2:$S2" "$C"
diff_says "backwards: --from $S2 --to $S0" "name:$N2>$N0 id:$I2>$I0" diff --from "$S2" --to "$S0" "$C"
run_mlvm --json diff --from "$S1" --to "$S2" "$C"
"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = [{"name": sys.argv[2], "id": sys.argv[3]}, {"name": sys.argv[4], "id": sys.argv[5]}]
sys.exit(0 if [d["from_vg"], d["to_vg"]] == want and d["from"] == int(sys.argv[6]) and d["to"] == int(sys.argv[7]) else 1)' \
	"$TMP/out" "$N1" "$I1" "$N2" "$I2" "$S1" "$S2" 2>/dev/null &&
	pass "diff --json: from_vg and to_vg as vgcfgbackup shows them" || fail "diff --json from_vg/to_vg: $(head -c 400 "$TMP/out")"
run_mlvm diff --from "$S1" --to "$S2" "$C"
grep -qF "$I1 -> $I2" "$TMP/out" && pass "diff (text) shows the uuid change" || fail "diff (text): $(head -c 300 "$TMP/out")"

# VGs that share no PV are not compared, even when named
run_mlvm diff --from "$VG@$UA:1" --to "$N2@$I2:$S2" "$A" "$C"
[ "$status" -eq 1 ] && grep -q "share no PV" "$TMP/err" && pass "two VGs that share no PV: refused, saying so" ||
	fail "unrelated VGs: exit $status ($(head -c 300 "$TMP/err"))"
expect_status 2 "diff --from :5 is a usage error" diff --from ":5" --to 1 "$C"

finish
