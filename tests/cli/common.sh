# common.sh - sourced by the CLI tests (automake's test driver runs them).
# Exit codes: 0 pass, 1 fail, 77 skip, 99 hard error.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MLVM:=$top_builddir/src/mlvm}"
: "${PYTHON3:=python3}"
FIXTURES=$top_srcdir/fixtures/images
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mlvm-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0

# loop_release DEV: detach DEV if it still holds a file of this test (under
# $TMP). For cleanup paths: a loop device detached earlier may since have
# been taken by another test running beside this one (make check -j).
loop_release() {
	local back
	back=$(losetup -n -O BACK-FILE "$1" 2>/dev/null) || return 0
	case "$back" in
	"$TMP"/*) losetup -d "$1" 2>/dev/null ;;
	esac
	return 0
}

# lvm_private_conf [SECTION...]: point LVM2 at an lvm.conf of its own under
# $TMP (no backups, no devices file, no udev, no lvmlockd), with the extra
# config sections given appended
lvm_private_conf() {
	export LVM_SUPPRESS_FD_WARNINGS=1
	export LVM_SYSTEM_DIR=$TMP/lvm
	mkdir -p "$LVM_SYSTEM_DIR"
	{
		printf 'backup {\n\tbackup = 0\n\tarchive = 0\n}\n'
		printf 'devices {\n\tuse_devicesfile = 0\n\tobtain_device_list_from_udev = 0\n}\n'
		printf 'global {\n\tuse_lvmlockd = 0\n}\n'
		printf '%s\n' "$@"
	} >"$LVM_SYSTEM_DIR/lvm.conf"
}

# lvmq CMD...: run an lvm2 command, its output into $TMP/lvm.log; a failure
# is a test failure naming the command
lvmq() { "$@" >>"$TMP/lvm.log" 2>&1 || { fail "lvm: $* (see below)"; tail -5 "$TMP/lvm.log"; return 1; }; }

# loop_release_all: detach every loop device whose file is under $TMP (a
# test's own, however it was attached: `$(attach ...)` runs in a subshell,
# so a list kept by the caller would miss them)
loop_release_all() {
	local dev back
	command -v losetup >/dev/null || return 0
	losetup -n -l -O NAME,BACK-FILE 2>/dev/null | while read -r dev back; do
		case "$back" in
		"$TMP"/*) losetup -d "$dev" 2>/dev/null ;;
		esac
	done
	return 0
}

# attach FILE [OFFSET SIZE]: attach FILE (from OFFSET, SIZE bytes) to a
# free loop device and print it; released by loop_release_all, which the
# EXIT trap of loop_cleanup_on_exit runs
attach() {
	if [ $# -gt 1 ]; then
		losetup -f --show -o "$2" --sizelimit "$3" "$1"
	else
		losetup -f --show "$1"
	fi
}

# loop_cleanup_on_exit: at exit, release the test's loop devices, then
# remove $TMP (unless KEEP_TMP is set)
loop_cleanup_on_exit() {
	trap 'loop_release_all; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
}

# loop_attach IMAGE: attach IMAGE to a free loop device as $loop, released
# (loop_release) when the test exits
loop_attach() {
	loop=$(losetup -f --show "$1") || return 1
	trap 'loop_release "$loop"; rm -rf "$TMP"' EXIT
}

fail() { echo "FAIL: $*"; failed=1; }
pass() { echo "ok: $*"; }
skip() { echo "SKIP: $*"; exit 77; }
finish() { [ "$failed" -eq 0 ] && exit 0 || exit 1; }

# run mlvm, keeping stdout, stderr and the status: run_mlvm ARGS...
run_mlvm() {
	"$MLVM" "$@" >"$TMP/out" 2>"$TMP/err"
	status=$?
}

# expect_status N WHAT ARGS...
expect_status() {
	local want=$1 what=$2
	shift 2
	run_mlvm "$@"
	if [ "$status" -ne "$want" ]; then
		fail "$what: exit $status, expected $want (stderr: $(head -c 400 "$TMP/err"))"
		return 1
	fi
	if [ "$status" -gt 128 ]; then
		fail "$what: killed by a signal"
		return 1
	fi
	pass "$what"
}

# VG/LV for every visible LV of the first VG in the images (mlvm --json read)
first_vg_lvs() {
	"$MLVM" --json read "$@" 2>/dev/null | "$PYTHON3" -c '
import json, sys
d = json.load(sys.stdin)
for vg in d.get("vgs", [])[:1]:
    for lv in vg.get("lvs", []):
        if lv.get("visible", True):
            print(vg["name"] + "/" + lv["name"])' 2>/dev/null
}

# "FIRST LAST": the oldest and newest intact seqno of the VG most of the
# generations in a `mlvm --json history` output FILE belong to; empty if none
history_span() {
	"$PYTHON3" -c '
import json, sys
g = json.load(open(sys.argv[1])).get("generations", [])
vgs = [x["vg"] for x in g if x.get("vg")]
vg = max(set(vgs), key=vgs.count) if vgs else None
s = sorted({x["seqno"] for x in g if x.get("vg") == vg and x.get("seqno") is not None and x.get("parse_ok")})
print(" ".join(map(str, [s[0], s[-1]])) if s else "")' "$1" 2>/dev/null
}

# decompress a fixture's images into $TMP/<fixture>/ and print their paths
fixture_images() {
	local name=$1 f out
	mkdir -p "$TMP/$name"
	for f in "$FIXTURES/$name"/pv*.img.xz; do
		out=$TMP/$name/$(basename "$f" .xz)
		[ -f "$out" ] || xz -dc "$f" >"$out"
		printf '%s\n' "$out"
	done
}
