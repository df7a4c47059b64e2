# bench/page-reporting.sh -- sourced by benchmarks that time page-cache
# writes. A VM with free page reporting (virtio-balloon) hands idle free
# memory back to its host, and writing into such memory again costs host
# page faults: the same dd of 2 GiB then takes 0.6 s or 6 s from one run to
# the next. These helpers say when that happened, and can stop it for a run.
#
#   page_reporting_off       when PAGE_REPORTING=off: stop the reporting
#                            (page_reporting_order set one above the largest
#                            page order, /proc/buddyinfo having a column per
#                            order); restore with page_reporting_restore
#   page_reporting_restore   put the order back (call it from the EXIT trap)
#   page_reporting_kib       KiB handed back to the host so far (0 if none)
# They use say() from the sourcing script.

PR_DIR=/sys/module/page_reporting/parameters
PR_SAVED=

page_reporting_off() {
	local off
	[ "${PAGE_REPORTING:-on}" = off ] || return 0
	if [ ! -w "$PR_DIR/page_reporting_order" ]; then
		say "PAGE_REPORTING=off: this kernel does no free page reporting"
		return 0
	fi
	PR_SAVED=$(cat "$PR_DIR/page_reporting_order")
	off=$(awk 'NR == 1 { print NF - 4 }' /proc/buddyinfo)
	if echo "$off" >"$PR_DIR/page_reporting_order" 2>/dev/null; then
		say "free page reporting off for the run (page_reporting_order $PR_SAVED -> $off)"
	else
		say "WARNING: cannot turn free page reporting off"
		PR_SAVED=
	fi
}

page_reporting_restore() {
	[ -n "$PR_SAVED" ] || return 0
	echo "$PR_SAVED" >"$PR_DIR/page_reporting_order" ||
		say "WARNING: could not restore $PR_DIR/page_reporting_order to $PR_SAVED"
	PR_SAVED=
}

page_reporting_kib() {
	cat "$PR_DIR/reported_kib" 2>/dev/null || echo 0
}
