#!/usr/bin/env python3
"""The JSON contract of doc/interface.md against real output.

contract.py MLVM INTERFACE_MD FIXTURE_DIR... (each dir holds the pv*.img of
one fixture, decompressed). Reads every JSON shape of the document (a fenced
block after a line naming `CMD --json`), takes the keys it names, runs the
commands on the fixtures and fails when a documented key never appears in
the output, or when the output has a key the document does not name (the
keys of a segment, "every other key ... as written in the text", aside).
Prints what it compared; exit 0 when they agree, 1 otherwise.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def shapes(path):
    """{"read --json": set of keys, ...} from the fenced blocks of the doc"""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = {}
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            names = re.findall(r"`([^`]*--json)`", before) or re.findall(r"`(--record FILE)`", before)
            if names:
                out[names[-1]] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        i += 1
    # "warnings": [...] is the list read's shape spells out
    read = out.get("read --json", "")
    warn = keys_of(read[read.find('"warnings"'):]) if '"warnings"' in read else set()
    return {name: keys_of(text) | (warn if '"warnings"' in text else set())
            for name, text in out.items()}


OPTIONAL = set()  # keys documented as "(if any ...)": need not appear


def keys_of(text):
    """the quoted words that are keys: not inside (...), not after ':' or '|'"""
    keys = set()
    depth = 0
    prev = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == '"':
            j = text.index('"', i + 1)
            word = text[i + 1:j]
            if depth == 0 and prev not in (":", "|"):
                keys.add(word)
                if re.match(r'\s*\((if any|[^()]*, if any)', text[j + 1:]):
                    OPTIONAL.add(word)
            prev = '"'
            i = j + 1
            continue
        if not ch.isspace():
            prev = ch
        i += 1
    return keys


SEGMENT_FREE = ("segments",)  # lists whose objects carry keys of the text


def walk(doc, found, under=None):
    """every key of the document into found (the keys of segments aside)"""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if under == "segments" and k not in ("start_extent", "extent_count", "type",
                                                 "stripe_size", "areas"):
                continue
            found.add(k)
            walk(v, found, k)
    elif isinstance(doc, list):
        for v in doc:
            walk(v, found, under)


def run(mlvm, args, want_status=None):
    p = subprocess.run([mlvm, "--json"] + args, capture_output=True, text=True)
    if want_status is not None and p.returncode != want_status:
        return None
    try:
        return json.loads(p.stdout)
    except ValueError:
        print(f"FAIL: mlvm --json {' '.join(args)}: not JSON (exit {p.returncode}): {p.stdout[:200]!r}")
        return None


def main():
    mlvm, doc = sys.argv[1], sys.argv[2]
    fixtures = [sorted(glob.glob(os.path.join(d, "pv*.img"))) for d in sys.argv[3:]]
    fixtures = [f for f in fixtures if f]
    documented = shapes(doc)
    want = {"read --json", "history --json", "scan --json", "diff --json", "dump --json",
            "export --json", "map --history --json", "timeline --json", "--json", "--record FILE"}
    failed = False
    missing_shapes = want - set(documented)
    if missing_shapes:
        print(f"FAIL: no shape in {doc} for {sorted(missing_shapes)}")
        failed = True
    found = {k: set() for k in documented}
    tmp = tempfile.mkdtemp()
    record = os.path.join(tmp, "case.jsonl")
    for imgs in fixtures:
        r = run(mlvm, ["read"] + imgs, 0)
        if r:
            walk(r, found["read --json"])
        for cmd in (["history"], ["scan"], ["map", "--history"], ["dump"], ["timeline"]):
            d = run(mlvm, cmd + imgs, 0)
            if d:
                walk(d, found[" ".join(cmd) + " --json"])
        h = run(mlvm, ["history"] + imgs, 0) or {}
        vgs = sorted({g["vg"] for g in h.get("generations", []) if g.get("vg")})
        for vg in vgs:
            seqnos = sorted({g["seqno"] for g in h["generations"]
                             if g.get("vg") == vg and g.get("parse_ok") and g.get("complete")})
            if len(seqnos) >= 2:
                d = run(mlvm, ["diff", "--vg", vg, "--from", str(seqnos[0]), "--to", str(seqnos[-1])] + imgs, 0)
                if d:
                    walk(d, found["diff --json"])
            if seqnos:
                d = run(mlvm, ["dump", "--vg", vg, "--generation", str(seqnos[0])] + imgs, 0)
                if d:
                    walk(d, found["dump --json"])
        for vg in (r or {}).get("vgs", []):
            for lv in vg["lvs"]:
                if not lv["visible"]:
                    continue
                seqnos = sorted({g["seqno"] for g in h.get("generations", [])
                                 if g.get("vg_id") == vg["id"] and g.get("parse_ok")})
                gen = ["--generation", str(seqnos[0])] if seqnos else []
                ok = False
                for extra in ([], gen):
                    d = run(mlvm, ["--record", record, "export", "--vg", vg["id"], "--lv", lv["name"], "--force",
                                   "--allow-missing", "-o", os.path.join(tmp, "lv.raw")] + extra + imgs, 0)
                    if d:
                        walk(d, found["export --json"])
                        ok = True
                if ok:
                    break  # one LV per VG that exports
    # errors: the error object of a failure that gets no document of its own
    damaged = [f for f in fixtures if "partial" in f[0]] or fixtures[:1]
    for args in (["read", "--bogus"], ["read", "/dev/null"],
                 ["export", "--lv", "nothere", "-o", os.path.join(tmp, "x")] + (damaged[0] if damaged else [])):
        d = run(mlvm, args)
        if d:
            walk(d, found["--json"])
    # the case record (JSON Lines): read, export (above), a failure, an E01
    for imgs in fixtures:
        subprocess.run([mlvm, "--record", record, "read"] + imgs, capture_output=True)
    subprocess.run([mlvm, "--record", record, "read", "/dev/null"], capture_output=True)
    if fixtures and shutil.which("ewfacquire"):
        e01 = os.path.join(tmp, "e01")
        subprocess.run(["ewfacquire", "-u", "-q", "-C", "case", "-D", "contract", "-e", "mlvm",
                        "-E", "pv0", "-N", "none", "-c", "none", "-t", e01, fixtures[0][0]],
                       capture_output=True)
        subprocess.run([mlvm, "--record", record, "read", e01 + ".E01"], capture_output=True)
    else:
        print("note: no ewfacquire: the E01 keys of --record FILE are not checked")
        OPTIONAL.update({"acquisition", "md5", "sha1", "computed_md5", "computed_sha1", "verified"})
    if os.path.exists(record) and "--record FILE" in found:
        for line in open(record, encoding="utf-8"):
            walk(json.loads(line), found["--record FILE"])
    for shape in sorted(documented):
        keys, seen = documented[shape], found.get(shape, set())
        if shape not in want:
            print(f"note: the shape of {shape} is not run by this test")
            continue
        never = sorted(keys - seen - OPTIONAL)
        extra = sorted(seen - keys)
        print(f"{shape}: {len(keys)} keys documented, {len(seen)} seen")
        if never:
            print(f"FAIL: {shape}: documented but never in the output: {never}")
            failed = True
        if extra:
            print(f"FAIL: {shape}: in the output but not documented: {extra}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
