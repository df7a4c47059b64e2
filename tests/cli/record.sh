#!/bin/bash
# The case record (--record FILE): one JSON line per run appended to one
# file, every line parsed by python; argv as given, UTC times with ms, the
# exit status; image hashes equal sha256sum's, export's output hash equals
# sha256sum of the file written; warnings are the report's; --record-no-hash;
# an E01 whose stored MD5/SHA-1 verify and one with a flipped byte in a
# chunk (never "verified": true); runs at once never interleave; a record
# path that is an input is refused and the input left as it was; an
# unwritable record path fails before any work (exit 1).
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
mapfile -t demo < <(fixture_images demo)
[ ${#demo[@]} -ge 2 ] || skip "no demo fixture"
rec=$TMP/case.jsonl
cd "$TMP" || exit 99

# check.py RECORD: prints one line per record, "ok" or the fault
cat >"$TMP/check.py" <<'PY'
import json, re, sys
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    r = json.loads(line)
    assert line.endswith("\n") and "\n" not in line[:-1], "not one line"
    for k in ("mlvm_version", "argv", "start", "end", "status", "hashed", "images",
              "output", "error", "complete", "warnings"):
        assert k in r, f"record {n}: no {k}"
    assert TIME.match(r["start"]) and TIME.match(r["end"]), f"record {n}: times {r['start']} {r['end']}"
    assert r["start"] <= r["end"], f"record {n}: ends before it starts"
print(n)
PY

# 1. several commands, one file
expect_status 0 "read --record" --record "$rec" read "${demo[@]}"
expect_status 0 "scan --record" scan "${demo[@]}" --record="$rec"
expect_status 0 "export --record" export --lv demo/root -o "$TMP/root.raw" "${demo[@]}" --record "$rec"
expect_status 1 "read of a missing image --record" read "$TMP/nothere.img" --record "$rec"
n=$("$PYTHON3" "$TMP/check.py" "$rec" 2>&1)
[ "$n" = 4 ] && pass "four runs, four records, each one JSON line" || fail "records: $n"

"$PYTHON3" - "$rec" "$MLVM" "${demo[@]}" "$TMP/root.raw" >"$TMP/py.out" 2>&1 <<'PY' || fail "record contents: $(cat "$TMP/py.out")"
import hashlib, json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
mlvm, imgs, out = sys.argv[2], sys.argv[3:-1], sys.argv[-1]
def sha(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()
read, scan, export, missing = recs
assert read["argv"] == [mlvm, "--record", sys.argv[1], "read"] + imgs, read["argv"]
assert scan["argv"] == [mlvm, "scan"] + imgs + ["--record=" + sys.argv[1]], scan["argv"]
for r in (read, scan, export):
    assert r["status"] == 0 and r["error"] is None and r["hashed"] is True
    assert [i["path"] for i in r["images"]] == imgs
    for i, p in zip(r["images"], imgs):
        assert i["resolved"] == os.path.realpath(p)
        assert i["size"] == os.path.getsize(p) == i["media_size"]
        assert i["sha256"] == sha(p) == i["media_sha256"], (i, sha(p))
        assert i["format"] == "raw" and i["acquisition"] is None and i["error"] is None
assert read["output"] is None
o = export["output"]
assert o["path"] == out and o["resolved"] == os.path.realpath(out)
assert o["size"] == os.path.getsize(out) and o["sha256"] == sha(out), o
assert missing["status"] == 1 and missing["error"]["code"] == "open", missing["error"]
assert missing["images"][0]["sha256"] is None and missing["images"][0]["error"]
print("ok")
PY
grep -qx ok "$TMP/py.out" && pass "argv exact, hashes equal sha256sum (images and export output)"

# 2. warnings: the report's entries (one PV of two: pv_missing)
expect_status 0 "read of one PV of two --record" --record "$TMP/w.jsonl" read "${demo[0]}"
"$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
w = [x for x in r["warnings"] if x["code"] == "pv_missing"]
assert w and w[0]["severity"] == "warning" and w[0]["vg"] == "demo", r["warnings"]
' "$TMP/w.jsonl" && pass "warnings recorded (pv_missing)" || fail "warnings not recorded"
# with --json the same entries
expect_status 0 "--json read of one PV of two --record" --json --record "$TMP/wj.jsonl" read "${demo[0]}"
"$PYTHON3" -c '
import json, sys
a = json.loads(open(sys.argv[1]).readline())["warnings"]
b = json.load(open(sys.argv[2]))["warnings"]
assert a == b, (a, b)' "$TMP/wj.jsonl" "$TMP/out" && pass "the record's warnings are --json's" ||
	fail "the record's warnings differ from --json's"

# 3. --record-no-hash
expect_status 0 "--record-no-hash" read "${demo[@]}" --record "$TMP/nh.jsonl" --record-no-hash
"$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["hashed"] is False
assert all(i["sha256"] is None and i["media_sha256"] is None and i["size"] for i in r["images"])
' "$TMP/nh.jsonl" && pass "--record-no-hash: sizes, no hashes" || fail "--record-no-hash"
expect_status 2 "--record-no-hash without --record" read "${demo[@]}" --record-no-hash

# 4. a record path that is an input: refused, the image untouched
before=$(sha256sum <"${demo[0]}")
ln "${demo[0]}" "$TMP/hardlink.img"
for target in "${demo[0]}" "$TMP/hardlink.img"; do
	expect_status 1 "--record $(basename "$target") (an input) refused" read "${demo[@]}" --record "$target"
	grep -q "never written to an input" "$TMP/err" || fail "no reason given: $(cat "$TMP/err")"
done
# the -o of an export, named as the record too: refused, nothing left behind
expect_status 1 "--record FILE that is export's -o refused" export --lv demo/root -o "$TMP/same.out" "${demo[@]}" --record "$TMP/same.out"
[ -e "$TMP/same.out" ] && fail "a file was left at $TMP/same.out" || pass "nothing left at the -o path"
expect_status 1 "--record IMAGE of --pv refused" read "${demo[1]}" --pv "pv0=${demo[0]}" --record "$TMP/hardlink.img"
[ "$(sha256sum <"${demo[0]}")" = "$before" ] && pass "the input is unchanged" || fail "the input changed"

# 5. unwritable record path: exit 1 before any work
expect_status 1 "--record in a missing directory" export --lv demo/root -o "$TMP/never.raw" "${demo[@]}" --record "$TMP/no/such/dir/r.jsonl"
grep -q "cannot open the record file" "$TMP/err" || fail "no clear error: $(cat "$TMP/err")"
[ -e "$TMP/never.raw" ] && fail "the export ran all the same" || pass "nothing exported"
mkdir -p "$TMP/adir"
expect_status 1 "--record a directory" read "${demo[@]}" --record "$TMP/adir"
expect_status 1 "--json --record unwritable" --json --record "$TMP/no/r.jsonl" read "${demo[@]}"
"$PYTHON3" -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["code"]=="record", e' "$TMP/out" &&
	pass "--json: the error object says record" || fail "--json error object: $(cat "$TMP/out")"

# 6. runs at once append whole lines
for k in 1 2 3 4 5 6; do
	"$MLVM" --record "$TMP/par.jsonl" read "${demo[@]}" >/dev/null 2>&1 &
done
wait
n=$("$PYTHON3" "$TMP/check.py" "$TMP/par.jsonl" 2>&1)
[ "$n" = 6 ] && pass "six runs at once: six whole records" || fail "runs at once: $n"

# 7. hashing never opens an image for writing (strace, when it can trace)
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq \
		-e trace=open,openat,openat2,creat,truncate -o "$TMP/strace.log" \
		"$MLVM" --record "$TMP/st.jsonl" read "${demo[@]}" >/dev/null 2>&1
	opened=$(grep -cF -e "${demo[0]}" -e "${demo[1]}" "$TMP/strace.log")
	bad=$(grep -F -e "${demo[0]}" -e "${demo[1]}" "$TMP/strace.log" | grep -E "O_RDWR|O_WRONLY|O_CREAT|O_TRUNC|O_APPEND|creat\(|truncate\(")
	if [ "$opened" -gt 0 ] && [ -z "$bad" ] && grep -q 'st.jsonl.*O_APPEND' "$TMP/strace.log"; then
		pass "--record: images opened read-only ($opened opens), the record O_APPEND"
	else
		fail "--record: opens: $opened; for writing: $bad"
	fi
fi

# 8. E01: the acquisition hashes, verified; and a flipped byte
if command -v ewfacquire >/dev/null && "$MLVM" read "${demo[0]}" >/dev/null 2>&1 &&
   ewfacquire -u -q -C case -D "mlvm test" -e mlvm -E pv0 -N none -c none -d sha1 \
	-t "$TMP/e01pv0" "${demo[0]}" >/dev/null 2>&1 &&
   ! "$MLVM" read "$TMP/e01pv0.E01" 2>&1 | grep -q "built without libewf"; then
	expect_status 0 "E01 --record" --record "$TMP/e.jsonl" read "$TMP/e01pv0.E01"
	"$PYTHON3" - "$TMP/e.jsonl" "$TMP/e01pv0.E01" "${demo[0]}" <<'PY' && pass "E01: file and media SHA-256, stored MD5/SHA-1 verified" || fail "E01 record"
import hashlib, json, sys
i = json.loads(open(sys.argv[1]).readline())["images"][0]
e01, raw = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
assert i["format"].startswith("EWF"), i
assert i["sha256"] == hashlib.sha256(e01).hexdigest() and i["size"] == len(e01), i
assert i["media_sha256"] == hashlib.sha256(raw).hexdigest() and i["media_size"] == len(raw), i
a = i["acquisition"]
assert a["md5"] == hashlib.md5(raw).hexdigest() == a["computed_md5"], a
assert a["sha1"] == hashlib.sha1(raw).hexdigest() == a["computed_sha1"], a
assert a["verified"] is True and i["error"] is None, i
PY
	# a split E01 (1 MiB segments): every segment file with its own SHA-256
	if ewfacquire -u -q -C case -D "mlvm test" -e mlvm -E pv0 -N none -c none -d sha1 \
		-S 1048576 -t "$TMP/split" "${demo[0]}" >/dev/null 2>&1 &&
	   [ -f "$TMP/split.E02" ]; then
		expect_status 0 "split E01 --record" --record "$TMP/s.jsonl" read "$TMP/split.E01"
		"$PYTHON3" - "$TMP/s.jsonl" "$TMP" <<'PY' && pass "split E01: each segment file's size and SHA-256, as sha256sum says" || fail "split E01 record: $(cat "$TMP/s.jsonl")"
import glob, hashlib, json, os, sys
i = json.loads(open(sys.argv[1]).readline())["images"][0]
want = sorted(glob.glob(os.path.join(sys.argv[2], "split.E*")))
assert len(want) > 1, want
got = i["segments"]
assert [os.path.realpath(s["path"]) for s in got] == [os.path.realpath(w) for w in want], (got, want)
for s, w in zip(got, want):
    b = open(w, "rb").read()
    assert s["size"] == len(b) and s["sha256"] == hashlib.sha256(b).hexdigest(), (s, w)
assert i["sha256"] == got[0]["sha256"] and i["error"] is None and i["acquisition"]["verified"] is True, i
PY
		# --record-no-hash: the segments listed, not hashed
		expect_status 0 "split E01 --record-no-hash" --record "$TMP/sn.jsonl" --record-no-hash read "$TMP/split.E01"
		"$PYTHON3" -c '
import json, sys
i = json.loads(open(sys.argv[1]).readline())["images"][0]
assert len(i["segments"]) > 1 and all(s["sha256"] is None and s["size"] > 0 for s in i["segments"]), i' "$TMP/sn.jsonl" &&
			pass "split E01 --record-no-hash: segments listed, not hashed" || fail "split E01 --record-no-hash: $(cat "$TMP/sn.jsonl")"
	else
		fail "ewfacquire -S 1048576 made no split E01"
	fi
	# a byte flipped inside a chunk's data: the chunk's checksum fails
	cp "$TMP/e01pv0.E01" "$TMP/bad.E01"
	"$PYTHON3" -c '
import sys
f = open(sys.argv[1], "r+b"); f.seek(2000000); b = f.read(1); f.seek(2000000); f.write(bytes([b[0] ^ 0xff]))' "$TMP/bad.E01"
	run_mlvm --record "$TMP/bad.jsonl" read "$TMP/bad.E01"
	"$PYTHON3" - "$TMP/bad.jsonl" "$TMP/bad.E01" <<'PY' && pass "E01 with a flipped byte: not verified, and why" || fail "flipped E01 record: $(cat "$TMP/bad.jsonl")"
import hashlib, json, sys
i = json.loads(open(sys.argv[1]).readline())["images"][0]
assert i["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest(), i
a = i["acquisition"]
assert a["md5"] and a["verified"] is not True, a
# the read fails (the chunk's checksum) or the hash differs: said either way
assert (i["error"] and "cannot read the media bytes at byte" in i["error"]
        and a["verified"] is None and i["media_sha256"] is None) or a["verified"] is False, i
PY
else
	echo "SKIP (part): ewfacquire or libewf missing: no E01 record checked"
fi
finish
