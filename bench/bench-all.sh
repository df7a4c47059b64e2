#!/usr/bin/env bash
# bench/bench-all.sh -- every benchmark in bench/, then one summary table.
#
# Usage (as root):   make bench-all
#                    MLVM=src/mlvm bash bench/bench-all.sh [NAME...]
#
# Runs bench-read, bench-history, bench-scan, bench-export, bench-mount,
# bench-browse and bench-containers, then read-100k and browse-100k
# (bench-read and bench-browse on a VG of 100,000 LVs in a 64 MiB metadata
# area; the first screen's target is 300 ms there), or the NAMEs given
# (read, scan, read-100k, ...)
# one after the other, each one's own output shown as it comes and kept in
# BENCH_LOGS (default: a new /var/tmp/mlvm-bench-logs.XXXXXX), then prints
# the table bench/summary.py makes of their BENCH-RESULT lines: benchmark,
# mlvm figure, peer figure (lvs, pvck, dd, ewfexport, qemu-img), ratio,
# target (issue 18), mlvm peak RSS, PASS/MISS. A script that skips (exit
# 77: not root, a tool missing) or fails gets a SKIP or FAIL row.
#
# BENCH_QUICK=1: small sizes for a quick run (minutes, not the better part
# of an hour): NLV=2000, REPS=3, SIZE_MIB=512 for scan (its PV_SECTOR about
# 30 % in), 256 for containers,
# unless those are set, and no 100k runs. Each script's own knobs (NLV, REPS, SIZE_MIB,
# MDA_SIZE...) pass through the environment. Exit 0 when the table could
# be made (a MISS is not a failure), 1 otherwise.
#
# PAGE_REPORTING (default here: off): off stops this VM's free page
# reporting for the whole run (restored at the end; see
# bench/page-reporting.sh), and passes on to the scripts that write
# gigabytes into the page cache (export, mount, containers). With it on,
# the same export took 0.9 s or 2.3 s from one run to the next, whichever
# tool ran, and history's 64 MiB ring 78 or 144 ms, as writing into memory
# the VM had handed back to its host costs host page faults.
# PAGE_REPORTING=on keeps it; those three scripts then say how much memory
# went back.
set -u
here=$(cd "$(dirname "$0")" && pwd)
MLVM=${MLVM:-./src/mlvm}
PAGE_REPORTING=${PAGE_REPORTING:-off}
export MLVM PAGE_REPORTING
say() { printf 'bench-all: %s\n' "$*" >&2; }
. "$here/page-reporting.sh"
trap page_reporting_restore EXIT
trap 'exit 130' INT TERM HUP
page_reporting_off
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	export NLV=${NLV:-2000} REPS=${REPS:-3}
	quick_scan=${SIZE_MIB:-512} quick_cont=${SIZE_MIB:-256}
	# bench-scan's PV goes at an odd sector about 1.18 GiB in, past the
	# end of a quick image: there, about 30 % in (still odd)
	quick_pv=${PV_SECTOR:-$((quick_scan * 2048 * 3 / 10 | 1))}
fi
logs=${BENCH_LOGS:-$(mktemp -d /var/tmp/mlvm-bench-logs.XXXXXX)}
mkdir -p "$logs"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	names=(read history scan export mount browse containers)
	[ "${BENCH_QUICK:-0}" = 1 ] || names+=(read-100k browse-100k)
fi

for n in "${names[@]}"; do
	script=$here/bench-${n%-100k}.sh
	log=$logs/$n.log
	if [ ! -f "$script" ]; then
		echo "BENCH-STATUS bench=$n status=FAIL reason=no_$script" >"$log"
		continue
	fi
	echo "=== bench-$n ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
	extra=()
	case $n in
	*-100k) extra=(NLV=100000 SEGS=1 MDA_SIZE=64m BENCH_TAG=-100k FIRST_TARGET_MS=300) ;;
	esac
	if [ "${BENCH_QUICK:-0}" = 1 ]; then
		case $n in
		scan) extra=(SIZE_MIB="$quick_scan" PV_SECTOR="$quick_pv") ;;
		containers) extra=(SIZE_MIB="$quick_cont") ;;
		esac
	fi
	env "${extra[@]}" bash "$script" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	case $rc in
	0) grep -q '^BENCH-RESULT ' "$log" ||
		echo "BENCH-STATUS bench=$n status=FAIL reason=no_result_line" >>"$log" ;;
	77) echo "BENCH-STATUS bench=$n status=SKIP reason=$(grep -m1 'SKIP' "$log" | sed 's/.*SKIP: *//')" >>"$log" ;;
	*) echo "BENCH-STATUS bench=$n status=FAIL reason=exit_$rc:_$(grep -m1 'ERROR' "$log" | sed 's/.*ERROR: *//')" >>"$log" ;;
	esac
done
echo
echo "=== summary ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); free page reporting $PAGE_REPORTING; logs in $logs)"
files=()
for n in "${names[@]}"; do files+=("$logs/$n.log"); done
python3 "$here/summary.py" "${files[@]}" || exit 1
