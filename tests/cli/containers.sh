#!/bin/bash
# Container images: EWF (E01, one segment, split, compressed), qcow2, VHDX
# and VHD (dynamic, fixed) copies of the raw fixtures demo, striped3 and
# wrapped, made at run time by fixtures/make-containers.sh (qemu-img,
# ewfacquire; skip when neither is installed). On each, mlvm must answer as
# on the raw images: read --json, history --json (image paths aside), scan,
# dump, map, and the bytes of every LV from export (when mlvm has export).
# A container is never opened for writing (strace, when it can trace), a
# write command on one is refused, and a cut container fails clearly.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
command -v qemu-img >/dev/null || command -v ewfacquire >/dev/null ||
	skip "neither qemu-img (qemu-utils) nor ewfacquire (ewf-tools) is installed"

have_export=0
"$MLVM" --help 2>&1 | grep -q '^  export' && have_export=1
can_strace=0
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && can_strace=1

# the words of a mlvm built without the format's library, if it is one
built_without() {	# built_without FORMAT-DIR
	case $1 in
	e01*) echo "built without libewf: install libewf-dev and rebuild" ;;
	qcow2) echo "built without libqcow: install libqcow-dev and rebuild" ;;
	vhd*) echo "built without libvhdi: install libvhdi-dev and rebuild" ;;
	esac
}

# normalise OUTFILE DIR: image paths under DIR (any extension) become pvN
norm() {
	sed -E "s#$2/(pv[0-9]+)\.[A-Za-z0-9]+#\1#g; s#(pv[0-9]+)\.(img|qcow2|vhdx|vhd|E01)#\1#g" "$1"
}

# answers NAME DIR IMAGES...: every answer compared, into $TMP/ans/NAME/
answers() {
	local name=$1 dir=$2 lv
	shift 2
	mkdir -p "$TMP/ans/$name"
	"$MLVM" --json read --no-content "$@" >"$TMP/o" 2>&1; echo "exit $?" >>"$TMP/o"
	norm "$TMP/o" "$dir" >"$TMP/ans/$name/read.json"
	"$MLVM" --json history "$@" >"$TMP/o" 2>&1; echo "exit $?" >>"$TMP/o"
	norm "$TMP/o" "$dir" >"$TMP/ans/$name/history.json"
	for c in scan dump map; do
		"$MLVM" $c "$@" >"$TMP/o" 2>&1; echo "exit $?" >>"$TMP/o"
		norm "$TMP/o" "$dir" >"$TMP/ans/$name/$c.txt"
	done
	if [ $have_export = 1 ]; then
		"$MLVM" --json read --no-content "$@" 2>/dev/null | "$PYTHON3" -c '
import json, sys
for vg in json.load(sys.stdin).get("vgs", []):
    for lv in vg.get("lvs", []):
        if "VISIBLE" in lv.get("status", []) or lv.get("visible", True):
            print(vg["name"] + "/" + lv["name"])' >"$TMP/lvs"
		while read -r lv; do
			"$MLVM" export --lv "$lv" -o - "$@" 2>/dev/null | sha256sum |
				sed "s#-\$#$lv exit ${PIPESTATUS[0]}#" >>"$TMP/ans/$name/export.sha"
		done <"$TMP/lvs"
	fi
}

n_compared=0
for fx in demo striped3 wrapped; do
	mapfile -t raws < <(fixture_images "$fx")
	[ ${#raws[@]} -gt 0 ] || { fail "$fx: no raw images"; continue; }
	answers "$fx-raw" "$TMP/$fx" "${raws[@]}"
	# the reference itself must be worth comparing with
	grep -q '^exit 0$' "$TMP/ans/$fx-raw/read.json" || fail "$fx: mlvm read fails on the raw images"
	if [ $have_export = 1 ] && { [ ! -s "$TMP/ans/$fx-raw/export.sha" ] ||
		grep -q e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "$TMP/ans/$fx-raw/export.sha"; }; then
		fail "$fx: export gives nothing on the raw images"
	fi
	cdir=$TMP/containers/$fx
	mapfile -t formats < <("$top_srcdir/fixtures/make-containers.sh" "$cdir" "${raws[@]}")
	[ ${#formats[@]} -gt 0 ] || { fail "$fx: make-containers.sh made nothing"; continue; }
	for f in "${formats[@]}"; do
		imgs=()
		for r in "${raws[@]}"; do
			b=$(basename "$r" .img)
			case $f in
			e01*) imgs+=("$cdir/$f/$b.E01") ;;
			qcow2) imgs+=("$cdir/$f/$b.qcow2") ;;
			vhdx) imgs+=("$cdir/$f/$b.vhdx") ;;
			vhd*) imgs+=("$cdir/$f/$b.vhd") ;;
			esac
		done
		run_mlvm read "${imgs[@]}"
		words=$(built_without "$f")
		if [ "$status" -eq 1 ] && grep -q "$words" "$TMP/err"; then
			pass "$fx $f: this mlvm says it was built without the library ($words)"
			continue
		fi
		answers "$fx-$f" "$cdir/$f" "${imgs[@]}"
		same=1
		for a in "$TMP/ans/$fx-raw"/*; do
			n=$(basename "$a")
			if ! cmp -s "$a" "$TMP/ans/$fx-$f/$n"; then
				fail "$fx $f: $n differs from the raw image's: $(diff "$a" "$TMP/ans/$fx-$f/$n" | head -5)"
				same=0
			fi
		done
		[ $same = 1 ] && pass "$fx $f: read, history, scan, dump, map$([ $have_export = 1 ] && echo ", export") as on raw"
		n_compared=$((n_compared + 1))

		if [ $can_strace = 1 ]; then
			strace -f -qq -e trace=open,openat,openat2,creat,truncate -o "$TMP/strace.log" \
				"$MLVM" read "${imgs[@]}" >/dev/null 2>&1
			bad=$(grep -E "\"$cdir/$f/[^\"]*\"" "$TMP/strace.log" | grep -E 'O_RDWR|O_WRONLY|O_CREAT|O_TRUNC|O_APPEND|creat\(|truncate\(')
			opened=$(grep -cE "\"$cdir/$f/[^\"]*\"" "$TMP/strace.log")
			if [ -n "$bad" ]; then
				fail "$fx $f: a container was opened for writing: $(echo "$bad" | head -2)"
			elif [ "$opened" -eq 0 ]; then
				fail "$fx $f: strace saw no open of the containers"
			else
				pass "$fx $f: opened read-only ($opened opens)"
			fi
		fi
	done
done
[ $n_compared -gt 0 ] || [ $failed = 1 ] || skip "every container format is missing its library in this mlvm"

# a split E01 is found from any of its segments, and a missing segment is
# refused (libewf would read its chunks as zeros)
split=$TMP/containers/demo/e01split
if [ -f "$split/pv0.E02" ] && [ -f "$split/pv0.E03" ]; then
	if "$MLVM" read "$split/pv0.E01" >/dev/null 2>&1 ||
		! grep -q "built without libewf" <("$MLVM" read "$split/pv0.E01" 2>&1); then
		mkdir -p "$TMP/cut"
		cp "$split"/pv0.E0* "$TMP/cut/"
		rm -f "$TMP/cut/pv0.E03"
		expect_status 1 "split E01 with a segment missing is refused" read "$TMP/cut/pv0.E01" &&
			{ grep -q "segment files are incomplete" "$TMP/err" ||
				fail "missing segment: unclear message: $(head -c 300 "$TMP/err")"; }
	fi
fi

# cut containers: a clear error naming the format, exit 1, no crash
for f in qcow2 vhdx e01; do
	src=$(ls "$TMP/containers/demo/$f"/pv0.* 2>/dev/null | head -1)
	[ -n "$src" ] || continue
	ext=${src##*.}
	head -c 70000 "$src" >"$TMP/cut.$ext"
	expect_status 1 "cut $f image fails cleanly" read "$TMP/cut.$ext" &&
		{ grep -qiE "qcow|vhdx|ewf" "$TMP/err" ||
			fail "cut $f: the error does not name the format: $(head -c 300 "$TMP/err")"; }
done

# write commands refuse containers, and leave them unchanged
q=$TMP/containers/demo/qcow2/pv0.qcow2
if [ -f "$q" ]; then
	sum=$(sha256sum <"$q")
	expect_status 1 "create on a qcow2 image is refused" create "$q" "$TMP/containers/demo/qcow2/pv1.qcow2" newlv
	[ "$(sha256sum <"$q")" = "$sum" ] || fail "create changed a qcow2 image"
fi

finish
