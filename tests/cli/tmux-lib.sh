# tmux-lib.sh - the browser tests' tmux helpers (sourced after common.sh by
# browse.sh, browse-view.sh and browse-nested.sh; each has its own start(),
# the way it launches mlvm browse). SOCK names the tmux server.

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

# screen NAME: the session's screen text
screen() { tm capture-pane -p -t "$1"; }

# wait_for NAME REGEX [SECONDS]: until the screen matches
wait_for() {
	local i n=$(( ${3:-5} * 20 ))
	for ((i = 0; i < n; i++)); do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.05
	done
	return 1
}

# keys NAME KEYS...: send keys, then let the screen settle
keys() {
	local name=$1
	shift
	tm send-keys -t "$name" "$@"
	sleep "${KEYS_SETTLE:-0.15}"
}

# check NAME REGEX WHAT [SECONDS]: the screen matches within SECONDS (3)
check() {
	if wait_for "$1" "$2" "${4:-3}"; then
		pass "$3"
	else
		fail "$3: no /$2/ on the screen:"
		screen "$1" | sed 's/^/    | /'
	fi
}

# check_not NAME REGEX WHAT: the screen does not match (after a moment)
check_not() {
	sleep 0.2
	if screen "$1" | grep -Eq -- "$2"; then
		fail "$3: /$2/ on the screen"
		screen "$1" | sed 's/^/    | /'
	else
		pass "$3"
	fi
}
