#!/bin/bash
# python.sh - the Python module mlvm (python/mlvmmodule.c) against the
# fixtures: tests/python/test_mlvm.py under python3's unittest (LVM2's
# recorded answers, the bytes of `mlvm export`, the wrapped fixture's older
# generations). Skipped when configure found no python3 headers.
. "$(dirname "$0")/common.sh"

[ -n "${MLVM_PYTHON_MODULE_DIR:-}" ] ||
	skip "the Python module was not built: configure found no python3 headers (python3-dev)"
mod=$MLVM_PYTHON_MODULE_DIR/mlvm.so
[ -f "$mod" ] || { fail "$mod was not built"; finish; }

# a sanitizer build: python3 itself is not instrumented, so the module's
# sanitizer runtimes are loaded first (and python's own leaks not counted)
if [ -n "${MLVM_SAN_FLAGS:-}" ]; then
	pre=$(ldd "$mod" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | paste -sd:)
	[ -z "$pre" ] || export LD_PRELOAD=$pre
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
fi
PYTHONPATH=$MLVM_PYTHON_MODULE_DIR${PYTHONPATH:+:$PYTHONPATH} \
	"$PYTHON3" "$top_srcdir/tests/python/test_mlvm.py" -v >"$TMP/log" 2>&1
st=$?
cat "$TMP/log"
if [ "$st" -ne 0 ]; then
	fail "tests/python/test_mlvm.py: exit $st"
elif ! tail -1 "$TMP/log" | grep -q '^OK'; then
	fail "tests/python/test_mlvm.py did not end with OK"
else
	pass "tests/python/test_mlvm.py: $(grep -c '\.\.\. ok$' "$TMP/log") tests ok"
fi
finish
