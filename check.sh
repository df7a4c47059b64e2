#!/bin/bash
# check.sh - the whole test suite, as CI runs it: install what is missing,
# build with -Werror and run `make check`, every command under valgrind,
# `make check` again under AddressSanitizer and UndefinedBehaviorSanitizer,
# the unit tests that start threads under ThreadSanitizer, the fuzz targets
# briefly, then `make distcheck`. Exits non-zero when any test fails. The
# LVM2 tests on loop devices need root (skipped otherwise).
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)
jobs=$(nproc)

tools/install-deps.sh
autoreconf -fi
SECONDS=0

show_failures() {
	local dir=$1 f
	for f in $(find "$dir" -name '*.log' -path '*tests*' 2>/dev/null); do
		if grep -Eq '^(FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null; then
			echo "===== $f"
			tail -60 "$f"
		fi
	done
}

run_build() {
	local name=$1
	shift
	local dir=$top/build-$name
	echo "=== $name build: configure $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q --enable-werror "$@" && make -j"$jobs" &&
		make -j"$jobs" check) || {
		show_failures "$dir"
		echo "=== $name build: FAILED"
		return 1
	}
	echo "=== $name build: passed (${SECONDS} s since the start)"
}

run_build plain
echo "=== valgrind (every command on every fixture; ${SECONDS} s since the start)"
(cd "$top/build-plain" && make check-valgrind) || {
	echo "=== valgrind: FAILED"
	exit 1
}
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_build sanitizers --enable-asan --enable-ubsan CFLAGS="-O1 -g"
# ThreadSanitizer over the tests whose code starts threads: the scan's
# reader threads, the carver's parts (each finds and checks its copies), qcow2's and E01's
# workers, the export's hasher, the digest workers, the split parse, a
# large VG's LVs read into the model on two threads (test_vg), a large
# copy read and its CRC computed in two halves (test_mda), and read's LVs written on two
# threads (bigvg.sh; a data race fails them)
tsan_tests="tests/unit/test_scan tests/unit/test_deepcarve tests/unit/test_carve"
tsan_tests="$tsan_tests tests/unit/test_qcow2 tests/unit/test_export tests/unit/test_hash tests/unit/test_detect"
tsan_tests="$tsan_tests tests/unit/test_config tests/unit/test_vg tests/unit/test_mda tests/cli/bigvg.sh"
echo "=== tsan build: configure CFLAGS=-fsanitize=thread; make check-TESTS TESTS=\"$tsan_tests\""
rm -rf "$top/build-tsan"
mkdir -p "$top/build-tsan"
(cd "$top/build-tsan" && "$top/configure" -q --enable-werror CFLAGS="-O1 -g -fsanitize=thread" \
	LDFLAGS="-fsanitize=thread" &&
	make -j"$jobs" src/mlvm &&
	TSAN_OPTIONS=halt_on_error=1 make -j"$jobs" check-TESTS TESTS="$tsan_tests") || {
	show_failures "$top/build-tsan"
	echo "=== tsan build: FAILED"
	exit 1
}
echo "=== tsan build: passed (${SECONDS} s since the start)"
if command -v clang >/dev/null; then
	# the libFuzzer targets build, and each runs briefly from its corpus
	echo "=== fuzz build: configure --enable-fuzzing CC=clang; make fuzz FUZZ_SECONDS=10"
	rm -rf "$top/build-fuzz"
	mkdir -p "$top/build-fuzz"
	(cd "$top/build-fuzz" && "$top/configure" -q --enable-fuzzing CC=clang &&
		make -j"$jobs" && make fuzz FUZZ_SECONDS=10 >fuzz.log 2>&1) || {
		tail -60 "$top/build-fuzz/fuzz.log" 2>/dev/null
		echo "=== fuzz build: FAILED"
		exit 1
	}
	echo "=== fuzz build: passed (${SECONDS} s since the start)"
fi
# distcheck checks the tarball: that it holds everything needed to build,
# test, install and uninstall. The whole suite has run twice above; in the
# unpacked tarball the unit tests and the CLI tests that use every committed
# fixture and test script kind run again (the full suite would add a third
# quarter of an hour for nothing new).
dist_tests=$(cd "$top/build-plain" && make -s print-unit-tests 2>/dev/null | tail -1)
dist_tests="$dist_tests tests/cli/read-fixtures.sh tests/cli/usage.sh tests/cli/damage.sh tests/cli/hostile.sh tests/cli/python.sh"
echo "=== distcheck (TESTS: $dist_tests)"
(cd "$top/build-plain" && make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
	TESTS="$dist_tests") || {
	echo "=== distcheck: FAILED"
	exit 1
}
echo "=== all passed (${SECONDS} s)"
