# bench/big-vg.sh -- sourced by bench-read.sh and bench-browse.sh: make the
# VG of NLV LVs x SEGS (1 or 2, default 2) linear segments they time, with
# LVM2 on a loop device. Expects WORK, IMG, VG, NLV, EXTENT_SIZE, MDA_SIZE,
# LVMCONF and the say and die functions; make_big_vg leaves the image
# attached as $LOOP. LVM2 keeps a VG's text under half its metadata area:
# 100,000 LVs fit a 64 MiB one with SEGS=1 (about 25 MiB), not with 2.

lvmq() { # run an LVM command restricted to our loop device, stderr to a log
	local cmd=$1; shift
	"$cmd" --devices "$LOOP" --config "$LVMCONF" "$@" 2>>"$WORK/lvm.log"
}

make_big_vg() {
	SEGS=${SEGS:-2}; export SEGS
	case $SEGS in 1 | 2) ;; *) die "SEGS must be 1 or 2, not '$SEGS'" ;; esac
	# Sizes: LV i uses PE i and PE NLV+i (1 extent each), so 2*NLV extents; add
	# room for the metadata area and some slack.
	to_bytes() { # LVM size suffix (k/m/g, default 512-byte sectors) -> bytes
		python3 -c '
import sys
s = sys.argv[1].lower(); m = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
print(int(s[:-1]) * m[s[-1]] if s[-1] in m else int(s) * 512)' "$1" ||
			die "bad size '$1'"
	}
	es_bytes=$(to_bytes "$EXTENT_SIZE")
	mda_bytes=$(to_bytes "$MDA_SIZE")
	img_bytes=$(( (2 * NLV + 64) * es_bytes + mda_bytes + 16 * 1024 * 1024 ))

	say "scratch dir $WORK, image $((img_bytes >> 20)) MiB (sparse), VG $VG"
	truncate -s "$img_bytes" "$IMG"
	LOOP=$(losetup --find --show "$IMG")
	say "attached $IMG as $LOOP"

	lvmq pvcreate -q --metadatasize "$MDA_SIZE" "$LOOP" >/dev/null ||
		die "pvcreate failed: $(tail -5 "$WORK/lvm.log")"
	lvmq vgcreate -q -s "$EXTENT_SIZE" "$VG" "$LOOP" >/dev/null ||
		die "vgcreate failed: $(tail -5 "$WORK/lvm.log")"
	lvmq vgcfgbackup -q -f "$WORK/empty.vg" "$VG" >/dev/null ||
		die "vgcfgbackup failed: $(tail -5 "$WORK/lvm.log")"

	# ------------------------------------------------------------------ metadata
	say "generating metadata for $NLV LVs x $SEGS segments"
	python3 - "$WORK/empty.vg" "$WORK/big.vg" "$NLV" "$SEGS" <<'PY'
import random, re, sys
src, dst, n, segs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
text = open(src).read()
pe_count = int(re.search(r'^\s*pe_count = (\d+)', text, re.M).group(1))
if pe_count < 2 * n:
    sys.exit("PV has %d extents, need %d" % (pe_count, 2 * n))
rng = random.Random(20240601)
alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
def lvid():
    s = "".join(rng.choice(alnum) for _ in range(32))
    parts, i = [], 0
    for w in (6, 4, 4, 4, 4, 4, 6):
        parts.append(s[i:i + w]); i += w
    return "-".join(parts)
out = ["\tlogical_volumes {\n"]
for i in range(n):
    # Extent i, then extent n+i: never adjacent, so 2 real segments per LV;
    # all 2n extents distinct, so nothing overlaps.
    seg2 = '''\t\t\tsegment2 {
\t\t\t\tstart_extent = 1
\t\t\t\textent_count = 1

\t\t\t\ttype = "striped"
\t\t\t\tstripe_count = 1

\t\t\t\tstripes = [
\t\t\t\t\t"pv0", %d
\t\t\t\t]
\t\t\t}
''' % (n + i) if segs == 2 else ''
    out.append('''
\t\tlv%05d {
\t\t\tid = "%s"
\t\t\tstatus = ["READ", "WRITE", "VISIBLE"]
\t\t\tflags = []
\t\t\tcreation_time = 1700000000
\t\t\tcreation_host = "mlvm-bench"
\t\t\tsegment_count = %d

\t\t\tsegment1 {
\t\t\t\tstart_extent = 0
\t\t\t\textent_count = 1

\t\t\t\ttype = "striped"
\t\t\t\tstripe_count = 1

\t\t\t\tstripes = [
\t\t\t\t\t"pv0", %d
\t\t\t\t]
\t\t\t}
%s\t\t}
''' % (i, lvid(), segs, i, seg2))
out.append("\t}\n")
# Insert the section just before the closing brace of the VG block (the last
# line that is exactly "}").
lines = text.splitlines(keepends=True)
last = max(k for k, l in enumerate(lines) if l.rstrip("\n") == "}")
lines[last:last] = out
if "\tlogical_volumes {" in text:
    sys.exit("template already has logical_volumes")
open(dst, "w").write("".join(lines))
PY
	say "metadata file $(( $(stat -c %s "$WORK/big.vg") >> 10 )) KiB; loading it with vgcfgrestore"
	lvmq vgcfgrestore -q -f "$WORK/big.vg" "$VG" >/dev/null ||
		die "vgcfgrestore failed: $(tail -5 "$WORK/lvm.log")"
	sync
}
