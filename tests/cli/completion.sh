#!/bin/bash
# The bash completion (tools/mlvm-completion.bash): sourced in bash, _mlvm
# called as bash calls it (COMP_WORDS, COMP_CWORD), COMPREPLY checked:
# commands, options per command, image files, and --lv/--vg/--generation
# values read from the images already on the line.
. "$(dirname "$0")/common.sh"

script=$top_srcdir/tools/mlvm-completion.bash
[ -f "$script" ] || { fail "no $script"; finish; }
command -v xz >/dev/null || skip "xz not installed"
# shellcheck source=/dev/null
. "$script" || fail "sourcing the completion"
complete -p mlvm 2>/dev/null | grep -q -- '-F _mlvm mlvm' || fail "complete -F _mlvm mlvm not registered"

# complete WORDS...: the last word is the one being completed; COMPREPLY sorted in $TMP/reply
complete_words() {
	COMP_WORDS=("$MLVM" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_mlvm
	printf '%s\n' "${COMPREPLY[@]}" | sort >"$TMP/reply"
}
has() { grep -qx -- "$1" "$TMP/reply"; }
lacks() { ! grep -qx -- "$1" "$TMP/reply"; }

mapfile -t demo < <(fixture_images demo)

complete_words ""
for cmd in read scan history timeline diff dump map export mount browse format create remove resize rename add-tag remove-tag help; do
	has "$cmd" || fail "commands: $cmd missing ($(tr '\n' ' ' <"$TMP/reply"))"
done
complete_words "re"
has read && has remove && has resize && has rename && has remove-tag && lacks scan || fail "re: $(tr '\n' ' ' <"$TMP/reply")"
pass "commands"
complete_words --json "hi"
has history || fail "a command after --json: $(tr '\n' ' ' <"$TMP/reply")"
complete_words "--js"
has --json || fail "global options: $(tr '\n' ' ' <"$TMP/reply")"
complete_words "--rec"
has --record && has --record-no-hash || fail "--record options: $(tr '\n' ' ' <"$TMP/reply")"
complete_words --record case.jsonl "hi"
has history || fail "a command after --record FILE: $(tr '\n' ' ' <"$TMP/reply")"

complete_words export "--"
has --lv && has --sparse && has --generation && has --json && has --vg || fail "export options: $(tr '\n' ' ' <"$TMP/reply")"
complete_words map "--hi"
has --history || fail "map --hi: $(tr '\n' ' ' <"$TMP/reply")"
complete_words read "${demo[0]}" "--gen"
has --generation || fail "read IMAGE --gen: $(tr '\n' ' ' <"$TMP/reply")"
pass "options per command"

complete_words read "$TMP/demo/pv"
has "${demo[0]}" && has "${demo[1]}" || fail "image files: $(tr '\n' ' ' <"$TMP/reply")"
pass "image files"

complete_words export "${demo[@]}" --lv ""
for lv in root swap home data logs demo/root demo/home demo/logs; do
	has "$lv" || fail "--lv: $lv missing ($(tr '\n' ' ' <"$TMP/reply"))"
done
# the images after the word being completed count too
COMP_WORDS=("$MLVM" export --lv "demo/h" "${demo[@]}")
COMP_CWORD=3
COMPREPLY=()
_mlvm
[ "${COMPREPLY[*]}" = demo/home ] || fail "--lv before the images: ${COMPREPLY[*]}"
complete_words export "${demo[@]}" -o x.raw --lv "demo/h"
[ "$(cat "$TMP/reply")" = demo/home ] || fail "--lv demo/h: $(tr '\n' ' ' <"$TMP/reply")"
pass "--lv names from the images on the line"
complete_words read "${demo[@]}" --vg ""
[ "$(cat "$TMP/reply")" = demo ] || fail "--vg: $(tr '\n' ' ' <"$TMP/reply")"
complete_words export "${demo[@]}" --generation ""
has 1 && has 6 && has 10 || fail "--generation: $(tr '\n' ' ' <"$TMP/reply")"
pass "--vg and --generation values"
complete_words help "exp"
[ "$(cat "$TMP/reply")" = export ] || fail "help exp: $(tr '\n' ' ' <"$TMP/reply")"

# completion never writes to an image
sha_before=$(cat "${demo[@]}" | sha256sum)
complete_words format "${demo[@]}" --vg ""
[ "$(cat "${demo[@]}" | sha256sum)" = "$sha_before" ] || fail "completion changed an image"

finish
