# bench/lib.sh -- shared by the bench scripts (sourced): the machine-readable
# result line that bench/summary.py collects into the one table of
# `make bench-all`, peak-RSS probes, and the LVM2 environment of a run.
#
# bench_result NAME MLVM PEER PEER_TOOL RATIO TARGET RSS_KIB
#   prints (stdout) one line
#     BENCH-RESULT bench=NAME mlvm=MLVM peer=PEER peer_tool=PEER_TOOL ratio=RATIO target=TARGET rss_kib=RSS_KIB
#   MLVM and PEER are figures with their unit (0.107s, 812MB/s, 145ms);
#   RATIO is the figure the target is about (peer time / mlvm time, mlvm
#   throughput / peer throughput, ...); TARGET is >=X or <X on RATIO; a
#   field that does not apply is "-". No field holds a space: in PEER_TOOL
#   a + stands for one (summary.py shows "lvs --segments" for lvs+--segments).
bench_result() {
	[ $# -eq 7 ] || { echo "bench_result: 7 fields expected, got $#: $*" >&2; return 1; }
	local f
	for f in "$@"; do
		case $f in
		*[[:space:]]* | '') echo "bench_result: empty field or one with a space: '$f'" >&2; return 1 ;;
		esac
	done
	printf 'BENCH-RESULT bench=%s mlvm=%s peer=%s peer_tool=%s ratio=%s target=%s rss_kib=%s\n' "$@"
}

# bench_ratio_down A B: A / B to 2 decimals, rounded down: the RATIO of
# a ">=" target (summary.py judges the figure shown: never a pass by rounding)
bench_ratio_down() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", int(a / b * 100 + 1e-9) / 100 }'
}

# bench_rss CMD...: run CMD once (stdout and stderr dropped) and print its
# peak RSS in KiB, as /usr/bin/time -f %M gives it. Not from a python fork:
# Linux carries the high-water RSS of the process that execs over to what
# it runs (signal->maxrss), so a child forked from python reports at least
# python's own RSS (some 13 MiB), whatever CMD used. Without /usr/bin/time
# (Debian: apt-get install time) the python way is taken and a warning says
# that the figure is a ceiling.
bench_rss() {
	local f rc
	if [ -x /usr/bin/time ]; then
		f=$(mktemp)
		rc=0
		/usr/bin/time -f %M -o "$f" "$@" >/dev/null 2>&1 || rc=$?
		tail -n 1 "$f"
		rm -f "$f"
		return "$rc"
	fi
	printf 'bench: WARNING: no /usr/bin/time (Debian: time); peak RSS below includes python'"'"'s own\n' >&2
	python3 - "$@" <<'PY'
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1); os.dup2(fd, 2)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
print(ru.ru_maxrss)
PY
}

# bench_hwm_kib PID: the peak RSS so far of a process still running (the
# mount's daemon, the browser in tmux), in KiB: VmHWM of /proc/PID/status;
# "-" when it cannot be read. bench_pid_of EXE ARG: the newest process whose
# executable is EXE and whose arguments hold ARG (empty when none).
bench_hwm_kib() {
	local v
	v=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null) || v=
	echo "${v:--}"
}
bench_pid_of() {
	local pid best= exe
	exe=$(readlink -f "$1") || exe=$1
	for pid in $(pgrep -f -- "$2" 2>/dev/null); do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || continue
		if [ -z "$best" ] || [ "$pid" -gt "$best" ]; then best=$pid; fi
	done
	echo "$best"
}

# bench_lvm_env DIR: LVM2 commands run with DIR/etc/lvm.conf (made here): no
# backup or archive written under /etc/lvm, no devices file, no udev, no
# lvmlockd; fd warnings off. Exported for the rest of the script.
bench_lvm_env() {
	mkdir -p "$1/etc"
	cat >"$1/etc/lvm.conf" <<'CONF'
backup { backup = 0 archive = 0 }
devices { use_devicesfile = 0 obtain_device_list_from_udev = 0 }
global { use_lvmlockd = 0 }
activation { udev_sync = 0 udev_rules = 0 }
CONF
	export LVM_SYSTEM_DIR=$1/etc LVM_SUPPRESS_FD_WARNINGS=1
}
