#!/bin/bash
# The layering rule (doc/architecture.md): tools/check-layers.py finds the
# violations it is meant to find in a tree planted with them, and none in
# mlvm's own tree.
. "$(dirname "$0")/common.sh"

"$PYTHON3" "$top_srcdir/tools/check-layers.py" --self-test >"$TMP/out" 2>&1 &&
	pass "the checker finds every planted violation" ||
	fail "check-layers --self-test: $(cat "$TMP/out")"
"$PYTHON3" "$top_srcdir/tools/check-layers.py" "$top_srcdir" >"$TMP/out" 2>&1 &&
	pass "every file keeps to its layer" ||
	fail "check-layers: $(cat "$TMP/out")"
finish
