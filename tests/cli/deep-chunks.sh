#!/bin/bash
# scan --deep and history --deep find a copy of metadata text wherever the
# 4 MiB pieces the image is read in end: the text of `mlvm dump` (a ring
# copy after a comment line) written so that the quote of its
# `"Text Format Volume Group` is the last byte of the first piece, its 'T'
# the last byte of the second piece, and its quote the byte before the
# 4 KiB tail of the third piece (the bytes kept for the next piece), in an
# image of zeros and in one of random bytes. Each copy is listed once, at
# its byte offset, with the read-ahead thread and without it
# (MLVM_IO_THREADS=0).
. "$(dirname "$0")/common.sh"

"$MLVM" scan --help | grep -q -- --deep || skip "mlvm without --deep"
PIECE=$((4 << 20))

pv=$(fixture_images linear | head -1)
"$MLVM" dump "$pv" >"$TMP/copy.vg" 2>/dev/null || { fail "mlvm dump"; finish; }

for fill in zeros random; do
	IMG=$TMP/$fill.img
	"$PYTHON3" - "$TMP/copy.vg" "$IMG" "$fill" "$PIECE" >"$TMP/want" <<'PY' || { fail "making $fill image"; continue; }
import random, sys
text = open(sys.argv[1], "rb").read()
piece = int(sys.argv[4])
q = text.index(b'"Text Format Volume Group')
start = text.index(b"\n") + 1        # the copy begins after the comment line
size = 4 * piece
if sys.argv[3] == "random":
    img = bytearray(random.Random(18).randbytes(size))
else:
    img = bytearray(size)
# the quote's absolute offset for each copy
quotes = [piece - 1, 2 * piece - 2, 3 * piece - 4096 - 1]
for qa in quotes:
    at = qa - q
    img[at - 1] = 0
    img[at:at + len(text)] = text
    img[at + len(text)] = 0
    print(at + start, len(text) - start)
open(sys.argv[2], "wb").write(img)
PY
	for threads in 0 default; do
		if [ "$threads" = 0 ]; then export MLVM_IO_THREADS=0; else unset MLVM_IO_THREADS; fi
		"$MLVM" --json scan --deep "$IMG" >"$TMP/scan.json" 2>"$TMP/err"
		"$MLVM" --json history --deep "$IMG" >"$TMP/hist.json" 2>>"$TMP/err"
		"$PYTHON3" - "$TMP/want" "$TMP/scan.json" "$TMP/hist.json" <<'PY' &&
import json, sys
want = sorted(tuple(map(int, l.split())) for l in open(sys.argv[1]))
scan = json.load(open(sys.argv[2]))["copies"]
hist = [g for g in json.load(open(sys.argv[3]))["generations"] if g["origin"] == "image"]
got_s = sorted((c["offset"], c["size"]) for c in scan)
got_h = sorted((g["offset"], g["size"]) for g in hist)
ok = True
for name, got in (("scan --deep", got_s), ("history --deep", got_h)):
    if got != want:
        print(f"{name}: copies {got}, want {want}")
        ok = False
if any(c["state"] != "ok" or c["seqno"] != 4 for c in scan):
    print("scan --deep: a copy not ok or not seqno 4:", scan)
    ok = False
sys.exit(0 if ok else 1)
PY
			pass "$fill image, MLVM_IO_THREADS=$threads: 3 copies at the piece ends, each once, at its offset" ||
			fail "$fill image, MLVM_IO_THREADS=$threads: $(head -c 300 "$TMP/err")"
	done
done
unset MLVM_IO_THREADS
finish
