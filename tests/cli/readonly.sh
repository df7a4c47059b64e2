#!/bin/bash
# Inspection never opens an image for writing. Every inspection command
# (read, read --json, scan, history, diff, dump, map, export with and
# without --no-sha256, and a scripted browse session when `mlvm browse`
# exists) runs on the fixtures under `strace -f`; every open of an image
# path must be read-only (no O_RDWR, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND;
# no creat/truncate of it), and every image must be byte-for-byte unchanged
# (sha256 before and after).
. "$(dirname "$0")/common.sh"
# mlvm runs under strace here, and LeakSanitizer cannot work under ptrace:
# in a sanitizer build, leaks are checked by the other tests instead
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

command -v strace >/dev/null || skip "strace not installed (tools/install-deps.sh installs it)"
command -v xz >/dev/null || skip "xz not installed"
command -v sha256sum >/dev/null || skip "sha256sum not installed"
# strace needs ptrace; some sandboxes forbid it
strace -f -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not permitted)"

LOG=$TMP/strace.log
n_runs=0

# check_log WHAT IMAGES...: no write-capable open of any image in $LOG
# (WHAT empty: report nothing, only the status)
check_log() {
	local what=$1
	shift
	if ! "$PYTHON3" - "$LOG" "$@" >"$TMP/bad" <<'PY'
import re, sys, os
log, imgs = sys.argv[1], set(sys.argv[2:])
imgs |= {os.path.realpath(p) for p in imgs}
bad = []
opened = set()
call = re.compile(r'^\d+\s+(?:<\.\.\. )?(openat2?|open|creat|truncate)\((?:AT_FDCWD|\d+|-?\d+)?,?\s*"((?:[^"\\]|\\.)*)"(.*)$')
for line in open(log, errors="replace"):
    m = call.match(line)
    if not m:
        continue
    fn, path, rest = m.groups()
    if path not in imgs and os.path.realpath(path) not in imgs:
        continue
    opened.add(path)
    if fn in ("creat", "truncate") or re.search(r'O_RDWR|O_WRONLY|O_CREAT|O_TRUNC|O_APPEND', rest):
        bad.append(line.strip())
for b in bad:
    print(b)
sys.exit(1 if bad else (0 if opened else 2))
PY
	then
		case $? in
		2) [ -n "$what" ] && fail "$what: strace saw no open of any image (is the log right?)" ;;
		*) [ -n "$what" ] && fail "$what: an image was opened for writing: $(head -3 "$TMP/bad")" ;;
		esac
		return 1
	fi
	return 0
}

# traced WHAT IMAGES -- MLVM ARGS...: run mlvm under strace and check the log
traced() {
	local what=$1 imgs=() st
	shift
	while [ "$1" != -- ]; do
		imgs+=("$1")
		shift
	done
	shift
	strace -f -qq -e trace=open,openat,openat2,creat,truncate -o "$LOG" \
		"$MLVM" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	n_runs=$((n_runs + 1))
	if [ "$st" -gt 2 ]; then
		fail "$what: exit $st ($(head -c 300 "$TMP/err"))"
		return 1
	fi
	check_log "$what" "${imgs[@]}" && pass "$what: read-only (exit $st)"
}

have_cmd() { "$MLVM" --help 2>&1 | grep -Eq "^  $1( |$)"; }

# the checker itself: a write-capable open of an image must be caught
printf 'x' >"$TMP/canary.img"
strace -f -qq -e trace=open,openat,openat2,creat,truncate -o "$LOG" \
	"$PYTHON3" -c 'import sys; open(sys.argv[1], "r+b").close()' "$TMP/canary.img"
if check_log "" "$TMP/canary.img"; then
	fail "the strace check did not catch an O_RDWR open"
else
	pass "the strace check catches an O_RDWR open"
fi

all_imgs=()
for dir in "$FIXTURES"/*/; do
	fx=$(basename "$dir")
	ls "$dir"/pv*.img.xz >/dev/null 2>&1 || continue
	mapfile -t imgs < <(fixture_images "$fx")
	all_imgs+=("${imgs[@]}")
	sha256sum "${imgs[@]}" >"$TMP/$fx.sha"

	traced "$fx: read" "${imgs[@]}" -- read "${imgs[@]}"
	traced "$fx: read --json" "${imgs[@]}" -- --json read "${imgs[@]}"
	traced "$fx: scan" "${imgs[@]}" -- scan "${imgs[@]}"
	traced "$fx: history" "${imgs[@]}" -- --json history "${imgs[@]}"
	# two generations of the first VG for diff, dump and read --generation
	seqnos=$(history_span "$TMP/out")
	if [ -n "$seqnos" ]; then
		set -- $seqnos
		traced "$fx: diff" "${imgs[@]}" -- diff --from "$1" --to "$2" "${imgs[@]}"
		traced "$fx: dump --generation $1" "${imgs[@]}" -- dump --generation "$1" "${imgs[@]}"
		traced "$fx: read --generation $1" "${imgs[@]}" -- read --generation "$1" "${imgs[@]}"
	fi
	traced "$fx: dump" "${imgs[@]}" -- dump "${imgs[@]}"
	if have_cmd map; then
		traced "$fx: map" "${imgs[@]}" -- map "${imgs[@]}"
	fi
	if have_cmd export; then
		# every visible LV of the first VG
		lvs=$(first_vg_lvs "${imgs[@]}" | head -4)
		for lv in $lvs; do
			traced "$fx: export $lv" "${imgs[@]}" -- export --lv "$lv" -o "$TMP/lv.raw" "${imgs[@]}"
			rm -f "$TMP/lv.raw"
			# the one-copy path maps the images (read-only, from the same fds)
			traced "$fx: export --no-sha256 $lv" "${imgs[@]}" -- export --no-sha256 --lv "$lv" -o "$TMP/lv.raw" "${imgs[@]}"
			rm -f "$TMP/lv.raw"
		done
	fi
	if sha256sum --quiet -c "$TMP/$fx.sha" >/dev/null 2>&1; then
		pass "$fx: images unchanged (sha256)"
	else
		fail "$fx: an image changed: $(sha256sum -c "$TMP/$fx.sha" 2>&1 | grep -v ': OK')"
	fi
done

# a scripted browser session (tmux), when the browser exists
if have_cmd browse && command -v tmux >/dev/null; then
	mapfile -t imgs < <(fixture_images demo)
	sha256sum "${imgs[@]}" >"$TMP/browse.sha"
	sock=$TMP/tmux.sock
	tmux -S "$sock" new-session -d -x 120 -y 40 \
		"strace -f -qq -e trace=open,openat,openat2,creat,truncate -o '$LOG' '$MLVM' browse ${imgs[*]}; echo browse-exit \$? > '$TMP/browse.rc'; sleep 1"
	sleep 1
	for k in Down Down Enter Tab Down Enter Escape Up Enter Escape; do
		tmux -S "$sock" send-keys "$k" 2>/dev/null
		sleep 0.2
	done
	tmux -S "$sock" capture-pane -p >"$TMP/browse.screen" 2>/dev/null
	tmux -S "$sock" send-keys q 2>/dev/null
	for _ in $(seq 50); do
		[ -f "$TMP/browse.rc" ] && break
		sleep 0.1
	done
	tmux -S "$sock" kill-server 2>/dev/null
	if [ ! -f "$TMP/browse.rc" ]; then
		fail "browse: did not exit on q (screen: $(head -5 "$TMP/browse.screen"))"
	else
		n_runs=$((n_runs + 1))
		check_log "browse session" "${imgs[@]}" && pass "browse session: read-only ($(cat "$TMP/browse.rc"))"
	fi
	sha256sum --quiet -c "$TMP/browse.sha" >/dev/null 2>&1 && pass "browse: images unchanged" ||
		fail "browse: an image changed"
fi

[ "$n_runs" -gt 0 ] || fail "no command was traced"
echo "$n_runs traced runs over ${#all_imgs[@]} images"
finish
