#!/bin/bash
# The machinery of `make bench-all` (never a timed test): result lines made
# by bench/lib.sh's bench_result are collected by bench/summary.py into one
# table whose PASS/MISS follows ratio and target (>=X, <X); SKIP and FAIL
# rows pass through; a malformed line or none at all is an error (exit 2).
# And lib.sh's probe of a running process's peak RSS (bench_pid_of,
# bench_hwm_kib), which the mount and browse benchmarks report.
. "$(dirname "$0")/common.sh"
command -v "$PYTHON3" >/dev/null || skip "python3 not installed"
bench=$(cd "$(dirname "$0")/../../bench" && pwd)
. "$bench/lib.sh"

{
	bench_result read-json 0.051s 1.026s lvs+--segments 20.12 '>=20' 20480
	bench_result history 0.300s 3.120s pvck 10.40 '>=20' 9000
	bench_result read-json-memory 9.0MiB 3.8MiB metadata+text 2.37 '<3' 9216
	bench_result export-e01-1handle 80MB/s 150MB/s mlvm - - -
	echo "BENCH-STATUS bench=mount status=SKIP reason=fusermount3 not found"
	echo "some human output that is not a result"
} >"$TMP/log"
"$PYTHON3" "$bench/summary.py" "$TMP/log" >"$TMP/table" 2>"$TMP/err" || fail "summary failed: $(cat "$TMP/err")"
row() { grep -E "^$1 " "$TMP/table"; }
row read-json | grep -q ' PASS$' && pass "20.12 against >=20 is a PASS" || fail "read-json row: $(row read-json)"
row history | grep -q ' MISS$' && pass "10.40 against >=20 is a MISS" || fail "history row: $(row history)"
row read-json-memory | grep -q ' PASS$' && pass "2.37 against <3 is a PASS" || fail "memory row: $(row read-json-memory)"
row read-json | grep -q '20.0 MiB' && pass "peak RSS in MiB" || fail "read-json RSS: $(row read-json)"
row read-json | grep -q 'lvs --segments' && pass "the peer tool's words" || fail "peer tool: $(row read-json)"
row export-e01-1handle | grep -Eq ' -$' && pass "no target, no verdict" || fail "no-target row: $(row export-e01-1handle)"
row mount | grep -q 'SKIP: fusermount3 not found' && pass "a skipped bench has its row" || fail "skip row: $(row mount)"
grep -q '^2 PASS, 1 MISS, 2 without a verdict$' "$TMP/table" && pass "the count line" ||
	fail "count line: $(tail -1 "$TMP/table")"
[ "$(grep -c . "$TMP/table")" -eq 8 ] && pass "one row a result, a header, a rule, the count" ||
	fail "table: $(cat "$TMP/table")"

bench_result two words 2>/dev/null && fail "bench_result took 2 fields"
bench_result a 'b c' d e f g h 2>/dev/null && fail "bench_result took a field with a space"
echo "BENCH-RESULT bench=x mlvm=1s peer=2s" >"$TMP/bad"
"$PYTHON3" "$bench/summary.py" "$TMP/bad" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q missing "$TMP/err" && pass "a line missing fields is refused" ||
	fail "malformed line: $(cat "$TMP/err")"
echo "nothing here" >"$TMP/none"
"$PYTHON3" "$bench/summary.py" "$TMP/none" >/dev/null 2>&1
[ $? -eq 2 ] && pass "no result line is an error" || fail "no result line accepted"

# the peak RSS of a process still running (the mount's daemon, the
# browser): found by its executable and an argument, read from /proc
sleeper=$(command -v sleep)
"$sleeper" 37.25 &
spid=$!
found=$(bench_pid_of "$sleeper" 37.25)
[ "$found" = "$spid" ] && pass "bench_pid_of finds the process by executable and argument" ||
	fail "bench_pid_of: '$found', the sleep is $spid"
[ -z "$(bench_pid_of /bin/false-not-there 37.25)" ] && pass "another executable is not taken" ||
	fail "bench_pid_of took a process of another executable"
hwm=$(bench_hwm_kib "$spid")
want=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$spid/status")
case $hwm in
''|*[!0-9]*) fail "bench_hwm_kib of a running process: '$hwm'" ;;
*) [ "$hwm" -gt 0 ] && [ "$hwm" -eq "$want" ] && pass "bench_hwm_kib reads VmHWM ($hwm KiB)" ||
	fail "bench_hwm_kib: $hwm, /proc says $want" ;;
esac
kill "$spid"
wait "$spid" 2>/dev/null
[ "$(bench_hwm_kib "$spid")" = - ] && pass "a process gone reads as -" || fail "bench_hwm_kib of a gone process"
finish
