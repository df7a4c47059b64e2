#!/bin/bash
# mlvm export, the command's behaviour (the bytes themselves are checked
# against an independent oracle by export.sh): what it refuses to write,
# --force, -o -, --sparse, the sha256 line and the JSON summary, exit
# statuses, the progress bar only on a terminal, unknown LVs, missing PVs;
# --no-sha256 (same bytes, no sha256 line, a null sha256 in the JSON), an
# image cut short under a running export (an error, never a signal), a
# filesystem without room for the LV (refused before writing, as root).
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
"$PYTHON3" -c 'import json, pty' 2>/dev/null || skip "python3 needed"

mapfile -t imgs < <(fixture_images demo)
out=$TMP/x.img
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# a plain export: the sha256 line on stderr matches the file, nothing on stdout
if expect_status 0 "export data" export --lv data -o "$out" "${imgs[@]}"; then
	want=$(sha_of "$out")
	grep -qx "sha256 $want  $out" "$TMP/err" || fail "sha256 line: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "export wrote to stdout"
	[ "$(stat -c %s "$out")" -eq 1048576 ] || fail "size $(stat -c %s "$out")"
	# no progress bar when stderr is not a terminal
	! grep -q 'MiB/s' "$TMP/err" && ! grep -q $'\r' "$TMP/err" || fail "progress bar on a non-terminal"
fi
data_sha=$want
# VG/LV names the same LV
expect_status 0 "export demo/data" export --lv demo/data -o "$TMP/y.img" --vg demo "${imgs[@]}" &&
	[ "$(sha_of "$TMP/y.img")" = "$data_sha" ] || fail "demo/data differs from data"

# an existing file is not overwritten without --force; with it, it is
echo keep >"$TMP/exists"
expect_status 1 "export to an existing file" export --lv data -o "$TMP/exists" "${imgs[@]}" &&
	grep -q "exists" "$TMP/err" && [ "$(cat "$TMP/exists")" = keep ] || fail "existing file touched"
expect_status 0 "export --force" export --lv data -o "$TMP/exists" --force "${imgs[@]}" &&
	[ "$(sha_of "$TMP/exists")" = "$data_sha" ] || fail "--force: wrong bytes"

# never one of the images, even with --force (nor through another name)
sum_before=$(sha_of "${imgs[0]}")
expect_status 1 "export onto an image" export --lv data -o "${imgs[0]}" "${imgs[@]}"
expect_status 1 "export onto an image --force" export --lv data -o "${imgs[0]}" --force "${imgs[@]}" &&
	grep -q "one of the images" "$TMP/err" || fail "message: $(cat "$TMP/err")"
ln "${imgs[0]}" "$TMP/hardlink.img"
expect_status 1 "export onto an image's hard link --force" export --lv data -o "$TMP/hardlink.img" --force "${imgs[@]}"
[ "$(sha_of "${imgs[0]}")" = "$sum_before" ] || fail "an image was changed"

# -o -: the bytes on stdout; refused on a terminal; not with --json
"$MLVM" export --lv data -o - "${imgs[@]}" >"$TMP/stdout.img" 2>"$TMP/err"
[ $? -eq 0 ] && [ "$(sha_of "$TMP/stdout.img")" = "$data_sha" ] || fail "-o -: $(cat "$TMP/err")"
grep -qx "sha256 $data_sha  -" "$TMP/err" || fail "-o -: sha256 line: $(cat "$TMP/err")"
expect_status 2 "--json with -o -" --json export --lv data -o - "${imgs[@]}"

# on a terminal: stdout refused; stderr gets a progress bar, cleared at the end
"$PYTHON3" - "$MLVM" "$TMP" "${imgs[@]}" <<'PY' || fail "terminal behaviour"
import os, pty, subprocess, sys
mlvm, tmp, imgs = sys.argv[1], sys.argv[2], sys.argv[3:]
def run(args, stdout_tty, stderr_tty):
    m, s = pty.openpty()
    p = subprocess.Popen([mlvm] + args, stdin=subprocess.DEVNULL,
                         stdout=s if stdout_tty else subprocess.DEVNULL,
                         stderr=s if stderr_tty else subprocess.DEVNULL)
    os.close(s)
    got = b''
    while True:
        try:
            b = os.read(m, 4096)
        except OSError:
            break
        if not b:
            break
        got += b
    os.close(m)
    return p.wait(), got
rc, got = run(['export', '--lv', 'data', '-o', '-'] + imgs, True, True)
assert rc == 1 and b'terminal' in got, (rc, got)
rc, got = run(['export', '--lv', 'data', '-o', tmp + '/tty.img'] + imgs, False, True)
assert rc == 0, (rc, got)
assert b'100%' in got and b'MiB/s' in got and b'left' in got, got
assert b'\r\x1b[K' in got, got
line = got.split(b'\r\x1b[K')[-1]
assert line.startswith(b'sha256 '), got
PY

# --json: the summary on stdout
if expect_status 0 "export --json" --json export --lv data -o "$TMP/j.img" "${imgs[@]}"; then
	"$PYTHON3" - "$TMP/out" "$data_sha" <<'PY' || fail "export --json summary: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['lv'] == 'data' and d['vg'] == 'demo' and d['generation'] == 10, d
assert d['bytes'] == 1048576 and d['sha256'] == sys.argv[2], d
assert d['missing_ranges'] == [] and d['warnings'] == [], d
PY
fi

# --sparse: zero blocks become holes, same bytes and sha; zero two extents of
# root (pv0 PE 2-3, pe_start 1 MiB, 64 KiB extents) in a copy of the images
mkdir -p "$TMP/z"
cp "${imgs[@]}" "$TMP/z/"
dd if=/dev/zero of="$TMP/z/pv0.img" bs=64k seek=$((16 + 2)) count=2 conv=notrunc status=none
expect_status 0 "export root" export --lv root -o "$TMP/full.img" "$TMP"/z/pv*.img
expect_status 0 "export root --sparse" --json export --lv root -o "$TMP/sparse.img" --sparse "$TMP"/z/pv*.img
full_sha=$(sha_of "$TMP/full.img")
[ "$(sha_of "$TMP/sparse.img")" = "$full_sha" ] || fail "--sparse: other bytes"
grep -q "\"sha256\": \"$full_sha\"" "$TMP/out" || fail "--sparse: sha256 in the summary"
[ "$(stat -c %s "$TMP/sparse.img")" -eq "$(stat -c %s "$TMP/full.img")" ] || fail "--sparse: other size"
fb=$(stat -c %b "$TMP/full.img"); sb=$(stat -c %b "$TMP/sparse.img")
[ "$sb" -lt "$fb" ] || fail "--sparse: $sb blocks allocated, not fewer than $fb"
# a sparse file whose end is a hole still has the full size
dd if=/dev/zero of="$TMP/z/pv0.img" bs=64k seek=$((16 + 10)) count=2 conv=notrunc status=none
expect_status 0 "export root --sparse, hole at the end" export --lv root -o "$TMP/sparse2.img" --sparse "$TMP"/z/pv*.img
[ "$(stat -c %s "$TMP/sparse2.img")" -eq 786432 ] || fail "--sparse: size $(stat -c %s "$TMP/sparse2.img") with a hole at the end"
# --sparse to stdout is written in full, with a notice
"$MLVM" export --lv root -o - --sparse "$TMP"/z/pv*.img 2>"$TMP/err" | cmp -s - "$TMP/sparse2.img" || fail "--sparse -o -: bytes"
grep -q "sparse ignored" "$TMP/err" || fail "--sparse -o -: no notice: $(cat "$TMP/err")"

# an unknown LV: 1, naming it and the VG, with near names
expect_status 1 "export an unknown lv" export --lv dta -o "$TMP/u.img" "${imgs[@]}" &&
	grep -q "no lv dta in volume group demo" "$TMP/err" && grep -q "demo/data" "$TMP/err" ||
	fail "unknown lv message: $(cat "$TMP/err")"
[ ! -e "$TMP/u.img" ] || fail "a file was made for an unknown lv"
expect_status 1 "export from an unknown vg" export --lv nosuch/data -o "$TMP/u.img" "${imgs[@]}"

# a PV missing: the missing ranges, exit 1; --allow-missing: 0
if expect_status 1 "export with a PV missing" --json export --lv data -o "$TMP/m.img" "${imgs[0]}"; then
	"$PYTHON3" - "$TMP/out" <<'PY' || fail "missing ranges: $(head -c 800 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
r = d['missing_ranges']
assert r and sum(l for _, l in r) == 524288, r   # pv1's half of the stripes
assert all(s % 65536 == 0 and l == 65536 for s, l in r), r
assert d['bytes'] == 1048576, d
PY
	grep -q "missing" "$TMP/err" || fail "missing ranges not on stderr"
fi
expect_status 0 "export --allow-missing" export --lv data -o "$TMP/m2.img" --allow-missing "${imgs[0]}" &&
	grep -q "missing" "$TMP/err" || fail "--allow-missing: ranges not listed"
expect_status 0 "export home with a PV missing (home is on pv1... not)" export --lv root -o "$TMP/m3.img" "${imgs[0]}"

# usage errors
expect_status 2 "export without --lv" export -o "$TMP/a.img" "${imgs[@]}"
expect_status 2 "export without -o" export --lv data "${imgs[@]}"
expect_status 2 "export without image" export --lv data -o "$TMP/a.img"
expect_status 2 "export --leg x" export --lv data -o "$TMP/a.img" --leg x "${imgs[@]}"
expect_status 2 "export --bogus" export --lv data -o "$TMP/a.img" --bogus "${imgs[@]}"
expect_status 2 "export --generation x" export --lv data -o "$TMP/a.img" --generation x "${imgs[@]}"
expect_status 0 "export --help" export --help
[ ! -e "$TMP/a.img" ] || fail "a usage error made a file"

# --generation: an LV removed since comes back
for fx in demo multiseg wrapped; do
	mapfile -t gimgs < <(fixture_images "$fx")
	run_mlvm --json history "${gimgs[@]}"
	found=$("$PYTHON3" - "$MLVM" "$TMP/out" "${gimgs[@]}" <<'PY'
import json, subprocess, sys
mlvm, hist, imgs = sys.argv[1], sys.argv[2], sys.argv[3:]
gens = sorted({g['seqno'] for g in json.load(open(hist))['generations']
               if g['parse_ok'] and g['complete'] and g['checksum_ok'] is not False})
def lvs(extra):
    p = subprocess.run([mlvm, '--json', 'read', '--no-content'] + extra + imgs, capture_output=True)
    return {l['name'] for l in json.loads(p.stdout)['vgs'][0]['lvs']} if p.returncode == 0 else set()
now = lvs([])
for g in gens:
    gone = sorted(lvs(['--generation', str(g)]) - now)
    if gone:
        print(g, gone[0]); break
PY
)
	[ -n "$found" ] || continue
	set -- $found
	expect_status 1 "export removed lv $2 ($fx)" export --lv "$2" -o "$TMP/g.img" "${gimgs[@]}"
	expect_status 0 "export removed lv $2 --generation $1 ($fx)" --json export --lv "$2" --generation "$1" -o "$TMP/g.img" "${gimgs[@]}" &&
		grep -q "\"generation\": $1," "$TMP/out" || fail "--generation $1: summary $(head -c 300 "$TMP/out")"
	break
done
[ -n "$found" ] || echo "note: no fixture has a removed LV in its history"
# --no-sha256: the same bytes, no sha256 line; with --json a null sha256
if expect_status 0 "export --no-sha256" export --lv data --no-sha256 -o "$TMP/n.img" "${imgs[@]}"; then
	[ "$(sha_of "$TMP/n.img")" = "$data_sha" ] || fail "--no-sha256: other bytes"
	! grep -q '^sha256 ' "$TMP/err" || fail "--no-sha256 printed a sha256 line"
fi
rm -f "$TMP/n.img"
expect_status 0 "export --no-sha256 --json" --json export --lv data --no-sha256 -o "$TMP/n.img" "${imgs[@]}" &&
	"$PYTHON3" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "sha256" in d and d["sha256"] is None and d["bytes"] == 1048576, d' "$TMP/out" ||
	fail "--no-sha256 --json: $(head -c 300 "$TMP/out")"
"$MLVM" export --lv data --no-sha256 -o - "${imgs[@]}" 2>"$TMP/err" | cmp -s - "$TMP/n.img" || fail "--no-sha256 -o -: bytes"

# an image cut short while export waits to open its output (a FIFO): the
# pages it maps from that image can no longer be read. export must name the
# image and the first byte it could not read there and exit 1, never die of
# SIGBUS, with or without the hash. LV data's second 64 KiB stripe is the
# first on pv1, at PE 14 (LVM2's seg_pe_ranges for the demo fixture):
# pe_start 1 MiB + 14 x 64 KiB = byte 1966080.
for mode in --no-sha256 ""; do
	mkdir -p "$TMP/cut"
	cp "${imgs[@]}" "$TMP/cut/"
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo"
	"$MLVM" export --lv data $mode -o "$TMP/fifo" --force "$TMP"/cut/pv*.img 2>"$TMP/cut.err" &
	pid=$!
	# export has read the metadata once it waits in open() for a reader of
	# the FIFO (the kernel's wait_for_partner); then cut pv1 to its first
	# MiB (the label and metadata; the data lies past pe_start), and only
	# then let it go on
	for i in $(seq 300); do
		[ "$(cat /proc/$pid/wchan 2>/dev/null)" = wait_for_partner ] && break
		sleep 0.1
	done
	[ "$(cat /proc/$pid/wchan 2>/dev/null)" = wait_for_partner ] ||
		fail "export ${mode:-(with sha256)} never waited to open its FIFO (wchan $(cat /proc/$pid/wchan 2>/dev/null))"
	truncate -s 1M "$TMP/cut/pv1.img"
	exec 7<"$TMP/fifo"
	cat <&7 >"$TMP/cut.out"
	exec 7<&-
	wait "$pid"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "cannot read $TMP/cut/pv1.img at byte 1966080 (byte 65536 of the lv)" "$TMP/cut.err"; then
		pass "image cut short under export ${mode:-(with sha256)}: exit 1, $(grep -m1 'cannot read' "$TMP/cut.err")"
	else
		fail "image cut short under export ${mode:-(with sha256)}: exit $rc: $(cat "$TMP/cut.err")"
	fi
	rm -rf "$TMP/cut"
done

# no room on the target filesystem: refused before a byte is copied, and the
# file removed (a 256 KiB tmpfs; mounting needs root)
if [ "$(id -u)" -eq 0 ] && mkdir -p "$TMP/tiny" && mount -t tmpfs -o size=256k mlvmtest "$TMP/tiny" 2>/dev/null; then
	expect_status 1 "export to a full filesystem" export --lv data -o "$TMP/tiny/d.img" "${imgs[@]}" &&
		grep -q "no room for the lv's 1048576 bytes" "$TMP/err" && [ ! -e "$TMP/tiny/d.img" ] ||
		fail "full filesystem: $(cat "$TMP/err"); $(ls -la "$TMP/tiny")"
	umount "$TMP/tiny"
else
	echo "note: not root (or no tmpfs): the full-filesystem case is not run"
fi
finish
