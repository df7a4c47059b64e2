#!/bin/bash
# Crash safety of the write path: every operation is cut after each of its
# writes in turn (strace kills mlvm at its Nth pwrite: no test hook in the
# code), and then mlvm - and LVM2 on a loop device, when root - must read
# either the old or the new generation of the VG, never a corrupt one.
. "$(dirname "$0")/common.sh"
# mlvm runs under strace here, and LeakSanitizer cannot work under ptrace:
# in a sanitizer build, leaks are checked by the other tests instead
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

command -v strace >/dev/null || skip "strace not installed"
strace -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=1 true 2>/dev/null ||
	skip "this strace cannot inject signals"
use_lvm=0
if [ "$(id -u)" -eq 0 ] && command -v lvm >/dev/null && losetup -f >/dev/null 2>&1; then
	use_lvm=1
	export LVM_SUPPRESS_FD_WARNINGS=1 LVM_SYSTEM_DIR=$TMP/lvm
	mkdir -p "$LVM_SYSTEM_DIR"
	printf 'backup {\nbackup = 0\narchive = 0\n}\ndevices {\nuse_devicesfile = 0\nobtain_device_list_from_udev = 0\n}\nglobal {\nuse_lvmlockd = 0\n}\n' \
		>"$LVM_SYSTEM_DIR/lvm.conf"
else
	echo "note: not root or no lvm2/loop devices: checking mlvm only"
fi
LOOPS=()
cleanup() { local l; for l in "${LOOPS[@]}"; do loop_release "$l"; done; rm -rf "$TMP"; }
trap cleanup EXIT
VG=mlvmcrash$$

# what a set of images holds, one line: "seqno LV:size:tags ..." or "none"
state_mlvm() {
	"$MLVM" --json read "$@" 2>/dev/null | "$PYTHON3" -c '
import json, sys
try:
    j = json.load(sys.stdin)
except ValueError:
    print("none"); sys.exit()
if not j["vgs"]:
    print("none"); sys.exit()
v = j["vgs"][0]
print(v["seqno"], " ".join(sorted("%s:%d:%s" % (l["name"], l["size"], ",".join(sorted(l["tags"]))) for l in v["lvs"])))'
}
state_lvm() {
	local devs=() f l
	for f in "$@"; do
		l=$(losetup -f --show "$f") || return 1
		LOOPS+=("$l")
		devs+=("$l")
	done
	local list
	list=$(IFS=,; echo "${devs[*]}")
	if vgck --devices "$list" "$VG" >/dev/null 2>&1; then
		{ vgs --devices "$list" --noheadings -o vg_seqno "$VG" 2>/dev/null
		  lvs --devices "$list" --noheadings --units b --nosuffix -o lv_name,lv_size,lv_tags "$VG" 2>/dev/null; } |
			"$PYTHON3" -c '
import sys
lines = [l.split() for l in sys.stdin.read().splitlines() if l.strip()]
lvs = sorted("%s:%s:%s" % (l[0], l[1], ",".join(sorted(l[2].split(",")) if len(l) > 2 else "")) for l in lines[1:])
print(lines[0][0], " ".join(lvs))'
	else
		echo none
	fi
	for l in "${devs[@]}"; do losetup -d "$l"; done
	LOOPS=()
}

# crash_test NAME SETUP-CMDS OP-ARGS (images are $TMP/base*.img)
crash_test() {
	local name=$1 setup=$2 op=$3 n old new got lgot cuts=0 f bad=0 rc
	rm -f "$TMP"/base*.img "$TMP"/work*.img
	truncate -s 64M "$TMP/base0.img" "$TMP/base1.img"
	(cd "$TMP" && eval "$setup") >/dev/null 2>&1 || { fail "$name: setup"; return; }
	imgs() { local p=$1; echo "$TMP/${p}0.img $TMP/${p}1.img"; }
	old=$(state_mlvm $(imgs base))
	for f in base0 base1; do cp "$TMP/$f.img" "$TMP/${f/base/new}.img"; done
	(cd "$TMP" && eval "\"\$MLVM\" ${op//IMGS/new0.img new1.img}") >/dev/null 2>&1 || { fail "$name: the uncut operation failed"; return; }
	new=$(state_mlvm $(imgs new))
	[ "$old" != "$new" ] || { fail "$name: the operation changed nothing"; return; }
	for ((n = 1; n < 100; n++)); do
		for f in base0 base1; do cp "$TMP/$f.img" "$TMP/${f/base/work}.img"; done
		(cd "$TMP" && eval "strace -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=$n \"\$MLVM\" ${op//IMGS/work0.img work1.img}") >/dev/null 2>&1
		rc=$?
		if [ $rc -ne 137 ]; then	# not killed: every write was done
			[ $rc -eq 0 ] || { fail "$name: mlvm exit $rc (not cut) on attempt $n"; bad=1; }
			break
		fi
		cuts=$((cuts + 1))
		got=$(state_mlvm $(imgs work))
		if [ "$got" != "$old" ] && [ "$got" != "$new" ]; then
			fail "$name: cut after write $((n - 1)): mlvm reads '$got', neither old '$old' nor new '$new'"
			bad=1
		fi
		if [ $use_lvm -eq 1 ]; then
			lgot=$(state_lvm $(imgs work))
			if [ "$lgot" != "$old" ] && [ "$lgot" != "$new" ]; then
				fail "$name: cut after write $((n - 1)): LVM2 reads '$lgot', neither old '$old' nor new '$new'"
				bad=1
			fi
			echo "  $name cut after write $((n - 1)): mlvm $( [ "$got" = "$new" ] && echo new || echo old), LVM2 $( [ "$lgot" = "$new" ] && echo new || echo old)"
		fi
	done
	[ $bad -eq 0 ] || return
	[ $cuts -gt 0 ] && pass "$name: cut after each of its $cuts writes, old or new generation every time" ||
		fail "$name: never cut"
}

F="\"\$MLVM\" format --vg $VG --extent-size 1M --metadata-copies 2 base0.img base1.img"
crash_test format "\"\$MLVM\" format --vg $VG base0.img base1.img >/dev/null; rm -f base0.img base1.img; truncate -s 64M base0.img base1.img" \
	"format --vg $VG --extent-size 1M --metadata-copies 2 IMGS"
crash_test create "$F" "create --size 3M IMGS lvA"
crash_test resize "$F; \"\$MLVM\" create --size 3M base0.img base1.img lvA; \"\$MLVM\" create --size 2M base0.img base1.img lvB" "resize IMGS lvA 70M"
crash_test remove "$F; \"\$MLVM\" create --size 3M base0.img base1.img lvA" "remove IMGS lvA"
crash_test rename "$F; \"\$MLVM\" create --size 3M base0.img base1.img lvA" "rename IMGS lvA lvZ"
crash_test add-tag "$F; \"\$MLVM\" create --size 3M base0.img base1.img lvA" "add-tag IMGS lvA t=1"
crash_test remove-tag "$F; \"\$MLVM\" create --size 3M base0.img base1.img lvA; \"\$MLVM\" add-tag base0.img base1.img lvA t=1" "remove-tag IMGS lvA t=1"
finish
