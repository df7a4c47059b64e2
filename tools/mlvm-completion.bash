# bash completion for mlvm                                 -*- shell-script -*-
#
# Installed by `make install` as $(bashcompletiondir)/mlvm (bash-completion's
# completionsdir, else $(datadir)/bash-completion/completions); or source it.
#
# Completes the command (from `mlvm --list-commands`), the options of the
# command (the words --xxx of `mlvm help COMMAND`, and the global options),
# image files, and the values of --lv ([VG/]LV), --vg (VG names),
# --generation/--from/--to (seqnos) by asking `mlvm --json read` or
# `mlvm --json history` about the images already on the line. mlvm is run
# as the line names it (./src/mlvm works too); it never writes when asked.

# the options of command $2 (mlvm is $1), cached per command
_mlvm_options()
{
	local prog=$1 cmd=$2 key
	key=${cmd//-/_}
	if [[ -z ${_mlvm_opts_cache[$key]+set} ]]; then
		_mlvm_opts_cache[$key]=$(
			{ "$prog" help "$cmd"; "$prog" --help; } 2>/dev/null |
				grep -o -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')
	fi
	printf '%s\n' ${_mlvm_opts_cache[$key]}
}

# does option $1 of mlvm take a value (the next word)
_mlvm_takes_value()
{
	case $1 in
	--vg | --pv | --copy-at | --metadata | --lv | -o | --output | --record | --generation | --from | --to | --size | \
		--extent-size | --metadata-size | --metadata-copies | --data-alignment | --leg)
		return 0 ;;
	esac
	return 1
}

_mlvm()
{
	local cur prev prog cmd="" i w json images=() vgopt=() metaopt=()
	declare -gA _mlvm_opts_cache 2>/dev/null || true
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}
	# the command, the images on the line (after the cursor too), --vg
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		((i == COMP_CWORD)) && continue
		w=${COMP_WORDS[i]}
		if [[ $w == --vg ]]; then
			vgopt=(--vg "${COMP_WORDS[i + 1]}")
			((i++))
			continue
		fi
		if [[ $w == --metadata ]]; then
			metaopt+=(--metadata "${COMP_WORDS[i + 1]}")
			((i++))
			continue
		fi
		if _mlvm_takes_value "$w"; then
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		if [[ -z $cmd ]]; then
			((i < COMP_CWORD)) && cmd=$w
		elif [[ -f $w || -b $w ]]; then
			images+=("$w")
		fi
	done

	case $prev in
	--lv)
		((${#images[@]})) || return 0
		json=$("$prog" --json read "${vgopt[@]}" "${images[@]}" 2>/dev/null) || true
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$json" | _mlvm_json_names lv)" -- "$cur"))
		return 0 ;;
	--vg)
		((${#images[@]})) || return 0
		json=$("$prog" --json read "${images[@]}" 2>/dev/null) || true
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$json" | _mlvm_json_names vg)" -- "$cur"))
		return 0 ;;
	--generation | --from | --to)
		((${#images[@]})) || return 0
		json=$("$prog" --json history "${vgopt[@]}" "${metaopt[@]}" "${images[@]}" 2>/dev/null) || true
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$json" | _mlvm_json_names seqno)" -- "$cur"))
		return 0 ;;
	-o | --output | --pv | --copy-at | --metadata | --record)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	--size | --extent-size | --metadata-size | --metadata-copies | --data-alignment | --leg)
		return 0 ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --strict --deep --no-nested --vg --pv --copy-at --metadata --record --record-no-hash --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$prog" --list-commands 2>/dev/null)" -- "$cur"))
		fi
		return 0
	fi
	if [[ $cmd == help ]]; then
		((${#images[@]})) || COMPREPLY=($(compgen -W "$("$prog" --list-commands 2>/dev/null)" -- "$cur"))
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_mlvm_options "$prog" "$cmd")" -- "$cur"))
		return 0
	fi
	# an image (or a mount point, or a word such as an LV name: files are a fair guess)
	COMPREPLY=($(compgen -f -- "$cur"))
	compopt -o filenames 2>/dev/null
	return 0
}

# names out of mlvm's JSON on stdin: "lv" (LV, VG/LV of the visible LVs),
# "vg" (VG names), "seqno" (the seqnos of the generations)
_mlvm_json_names()
{
	local py
	py=$(command -v python3) || return 0
	"$py" -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit()
out = []
if sys.argv[1] == "seqno":
    out = sorted({g["seqno"] for g in d.get("generations", []) if g.get("seqno") is not None})
for vg in d.get("vgs", []):
    if sys.argv[1] == "vg":
        out.append(vg["name"])
    elif sys.argv[1] == "lv":
        for lv in vg.get("lvs", []):
            if lv.get("visible", True):
                out += [lv["name"], vg["name"] + "/" + lv["name"]]
print("\n".join(map(str, out)))' "$1" 2>/dev/null
}

complete -F _mlvm mlvm
