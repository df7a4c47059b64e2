#!/bin/bash
# Removed thin LVs read back from stale dm-thin metadata (issue 17): pool
# metadata written by thin_restore for two transactions, the newer one over
# the older only where its space map marks a block used (as dm-thin leaves
# freed blocks), and checked byte for byte against the script's own data;
# see tests/cli/thinrec.py for the variants (removed, reused, damaged, a
# device no stale tree names) and what each checks: export --generation,
# thin_mapping_recovered, thin_block_reused and reused_ranges,
# thin_transaction_mismatch, history's removed thin LVs.
. "$(dirname "$0")/common.sh"

command -v thin_restore >/dev/null || skip "thin_restore (thin-provisioning-tools) not installed"

"$PYTHON3" "$top_srcdir/tests/cli/thinrec.py" "$MLVM" "$top_srcdir/fuzz" "$TMP" || failed=1
finish
