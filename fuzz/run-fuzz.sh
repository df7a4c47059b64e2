#!/bin/bash
# run-fuzz.sh - run one libFuzzer target (built with --enable-fuzzing).
#
#   fuzz/run-fuzz.sh NAME [SECONDS]      fuzz for SECONDS (default 600)
#   fuzz/run-fuzz.sh --merge NAME        add to the committed corpus what
#                                        fuzzing found that brings new edges
#                                        (-merge=1, small inputs only)
#
# Run from the build directory. The committed corpus $top_srcdir/fuzz/corpus/
# NAME is read, never written while fuzzing: new inputs go to
# fuzz/work/NAME/corpus, crashes, leaks, timeouts and ooms to
# fuzz/work/NAME/ (crash-*, leak-*, timeout-*, oom-*). Copy a crash into the
# committed corpus once it is fixed, so `make check` replays it for ever.
# Exit status: that of the fuzzer (0 when nothing was found).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
merge=0
if [ "${1:-}" = --merge ]; then
	merge=1
	shift
fi
name=${1:?usage: run-fuzz.sh [--merge] NAME [SECONDS]}
seconds=${2:-${FUZZ_SECONDS:-600}}
bin=fuzz/fuzz_$name
[ -x "$bin" ] || { echo "run-fuzz: $bin not built (configure --enable-fuzzing CC=clang)" >&2; exit 2; }
seeds=$top_srcdir/fuzz/corpus/$name
work=fuzz/work/$name
mkdir -p "$work/corpus" "$seeds"

case $name in
label) max_len=2048 merge_max=2048 ;;
config | partition | scan | mda | set | lvmap | deepcarve) max_len=65536 merge_max=8192 ;;
*) max_len=65536 merge_max=16384 ;;
esac
dict=
[ -f "$top_srcdir/fuzz/$name.dict" ] && dict=-dict=$top_srcdir/fuzz/$name.dict
[ -z "$dict" ] && case $name in set | lvmap | carve | mda | deepcarve) dict=-dict=$top_srcdir/fuzz/config.dict ;; esac

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ "$merge" = 1 ]; then
	# every committed input stays (seeds, crashes); what fuzzing found is
	# added only where it brings new coverage, and only below 64 KiB
	new=$work/merged
	rm -rf "$new"
	mkdir -p "$new"
	# to keep the committed corpus small: edges only (no hit counters), and
	# only found inputs of at most merge_max bytes
	cp "$seeds"/* "$new"/ 2>/dev/null
	before=$(find "$new" -type f | wc -l)
	rm -rf "$work/small"
	mkdir -p "$work/small"
	find "$work/corpus" -maxdepth 1 -type f -size -$((merge_max + 1))c -exec cp {} "$work/small"/ \;
	"$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
		"$new" "$work/small" || exit $?
	find "$new" -maxdepth 1 -type f -exec cp -n {} "$seeds"/ \;
	echo "run-fuzz: $name: $(($(find "$new" -type f | wc -l) - before)) inputs added;" \
		"corpus now $(find "$seeds" -type f | wc -l) files, $(du -sk "$seeds" | cut -f1) KiB"
	exit 0
fi

echo "run-fuzz: $name for $seconds s (max_len $max_len)"
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
	-print_final_stats=1 -artifact_prefix="$work/" $dict "$work/corpus" "$seeds"
