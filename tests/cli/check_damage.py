#!/usr/bin/env python3
"""check_damage.py - run mlvm on the damaged images and check fixtures/damage.json.

Usage: check_damage.py [-v] MLVM OUTDIR DAMAGE_JSON [CASE...]

OUTDIR is what fixtures/make-damage.sh wrote (one directory per case).
Every run is `MLVM --json [--strict] COMMAND IMAGES` with the case's images in
order. Prints one line per case, "ok: CASE" or "FAIL: CASE: why; why", and
exits 1 if any case fails (2 on a usage or setup error). With -v, every run
is printed too. A run killed by a signal, a timeout, a status other than the
expected one, stdout that is not JSON, or an image changed by an inspection
command is always a failure.
"""
import hashlib
import json
import os
import subprocess
import sys

TIMEOUT = 120
OPS = {"lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
       "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b, "eq": lambda a, b: a == b}


def base(p):
    return None if p is None else os.path.basename(p)


def short(x, n=160):
    s = json.dumps(x, sort_keys=True) if not isinstance(x, str) else " ".join(x.split())
    return s if len(s) <= n else s[:n] + "..."


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def check_warnings(run, doc, why, stderr):
    ws = doc.get("warnings")
    if ws is None:
        ws = []
        if run.get("warnings") or run.get("no_warnings") or "max_warnings" in run \
                or "message_contains" in run:
            why.append("no \"warnings\" array in the output")
            return
    if not isinstance(ws, list):
        why.append("\"warnings\" is not a list")
        return
    codes = [w.get("code") for w in ws if isinstance(w, dict)]
    for want in run.get("warnings", []):
        alts = want if isinstance(want, list) else [want]
        if not any(a in codes for a in alts):
            why.append("no warning %s (got %s)" % ("|".join(alts), sorted(set(c for c in codes if c)) or "none"))
    for bad in run.get("no_warnings", []):
        if bad in codes:
            msg = next(w.get("message", "") for w in ws if isinstance(w, dict) and w.get("code") == bad)
            why.append("unexpected warning %s: %s" % (bad, short(msg, 120)))
    if "max_warnings" in run and len(ws) > run["max_warnings"]:
        why.append("%d warnings, expected at most %d: %s" % (
            len(ws), run["max_warnings"], short([w.get("code") for w in ws if isinstance(w, dict)])))
    if "message_contains" in run:
        text = run["message_contains"]
        if not any(isinstance(w, dict) and text in str(w.get("message", "")) for w in ws):
            why.append("no warning message mentions %r" % text)


def check_seqno(want, got, why, what="seqno"):
    if isinstance(want, dict):
        for op, v in want.items():
            if not isinstance(got, int) or not OPS[op](got, v):
                why.append("%s %s, expected %s %s" % (what, got, op, v))
    elif got != want:
        why.append("%s %s, expected %s" % (what, got, want))


def check_read(run, doc, why):
    vgs = doc.get("vgs")
    if not isinstance(vgs, list):
        why.append("no \"vgs\" list")
        return
    vg = next((v for v in vgs if isinstance(v, dict) and v.get("name") == run["vg"]), None)
    if vg is None:
        why.append("no VG %s (got %s)" % (run["vg"], [v.get("name") for v in vgs if isinstance(v, dict)]))
        return
    if "seqno" in run:
        check_seqno(run["seqno"], vg.get("seqno"), why)
    if "lvs" in run:
        got = sorted(l.get("name") for l in vg.get("lvs") or [] if isinstance(l, dict))
        want = sorted(run["lvs"])
        if got != want:
            why.append("LVs %s, expected %s" % (got, want))
    pvs = [p for p in vg.get("pvs") or [] if isinstance(p, dict)]
    for want in run.get("pvs", []):
        p = next((p for p in pvs if p.get("id") == want["id"]), None)
        if p is None:
            why.append("no PV %s in the VG" % want["id"])
            continue
        for k, v in want.items():
            if k == "id":
                continue
            g = base(p.get(k)) if k == "image" else p.get(k)
            if g != v:
                why.append("PV %s: %s %s, expected %s" % (want["id"][:6], k, short(g, 60), short(v, 60)))
    src = run.get("source")
    if src:
        s = vg.get("source") or {}
        if "mda" in src and s.get("mda") != src["mda"]:
            why.append("source mda %s, expected %s" % (s.get("mda"), src["mda"]))
        if "image" in src and base(s.get("image")) not in src["image"]:
            why.append("source image %s, expected one of %s" % (base(s.get("image")), src["image"]))


def match(entry, want):
    for k, v in want.items():
        if k == "partition":
            p = entry.get("partition")
            if v is None:
                if p is not None:
                    return "partition %s, expected none" % short(p, 80)
            elif not isinstance(p, dict) or any(p.get(a) != b for a, b in v.items()):
                return "partition %s, expected %s" % (short(p, 80), short(v, 80))
            continue
        if k == "label_type":
            g = (entry.get("label") or {}).get("type")
        elif k == "image":
            g = base(entry.get("image"))
        else:
            g = entry.get(k)
        if g != v:
            return "%s %s, expected %s" % (k, short(g, 60), short(v, 60))
    return None


def check_scan(run, doc, why):
    pvs = doc.get("pvs")
    if not isinstance(pvs, list):
        why.append("no \"pvs\" list")
        return
    pvs = [p for p in pvs if isinstance(p, dict)]
    for want in run.get("scan_pvs", []):
        cands = [p for p in pvs if p.get("pv_id") == want["pv_id"]]
        if not cands:
            why.append("scan lists no PV %s (got %s)" % (want["pv_id"], [p.get("pv_id") for p in pvs]))
            continue
        errs = [match(p, want) for p in cands]
        if all(errs):
            why.append("scan PV %s: %s" % (want["pv_id"][:6], errs[0]))


def check_history(run, doc, why):
    gens = doc.get("generations")
    if not isinstance(gens, list):
        why.append("no \"generations\" list")
        return
    gens = [g for g in gens if isinstance(g, dict)]
    for want in run.get("generations", []):
        if not any(all(g.get(k) == v for k, v in want.items()) for g in gens):
            why.append("no generation with %s" % short(want, 120))
    missing = [s for s in run.get("seqnos_complete", [])
               if not any(g.get("seqno") == s and g.get("complete") is True and g.get("parse_ok") is True
                          for g in gens)]
    if missing:
        why.append("no complete generation for seqno %s" % missing)


def run_one(mlvm, images, run, verbose, label):
    why = []
    argv = [mlvm, "--json"] + (["--strict"] if run.get("strict") else []) + [run["command"]] + images
    before = {p: sha(p) for p in images}
    try:
        pr = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return ["%s: timed out after %d s" % (label, TIMEOUT)]
    except OSError as e:
        return ["%s: cannot run %s: %s" % (label, mlvm, e)]
    rc = pr.returncode
    err = pr.stderr.decode("utf-8", "replace").strip()
    if rc < 0 or rc >= 128:
        why.append("killed by signal %d" % (-rc if rc < 0 else rc - 128))
    elif rc != run["exit"]:
        why.append("exit %d, expected %d%s" % (rc, run["exit"], (" (stderr: %s)" % short(err, 200)) if err else ""))
    for p, h in before.items():
        if sha(p) != h:
            why.append("image %s changed" % os.path.basename(p))
    doc = None
    out = pr.stdout.decode("utf-8", "replace")
    if out.strip():
        try:
            doc = json.loads(out)
        except ValueError as e:
            why.append("stdout is not JSON (%s): %s" % (e, short(out, 80)))
    elif rc == 0:
        why.append("no JSON on stdout")
    if run.get("error") and rc == run["exit"] and not err:
        why.append("no error message on stderr")
    if rc == run["exit"] and rc == 0 and isinstance(doc, dict):
        {"read": check_read, "scan": check_scan, "history": check_history}[run["command"]](run, doc, why)
        check_warnings(run, doc, why, err)
    elif rc == run["exit"] and isinstance(doc, dict) and (run.get("warnings") or run.get("no_warnings")):
        check_warnings(run, doc, why, err)
    if verbose:
        print("  %s %s: %s" % ("ok  " if not why else "FAIL", label, "; ".join(why) or "exit %d" % rc))
    return ["%s: %s" % (label, w) for w in why]


def main(argv):
    verbose = False
    if argv and argv[0] == "-v":
        verbose, argv = True, argv[1:]
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    mlvm, outdir, spec = os.path.abspath(argv[0]), argv[1], argv[2]
    only = set(argv[3:])
    with open(spec) as f:
        cases = json.load(f)["cases"]
    names = [c["name"] for c in cases]
    unknown = only - set(names)
    if unknown:
        print("no such case: %s" % " ".join(sorted(unknown)), file=sys.stderr)
        return 2
    if not os.access(mlvm, os.X_OK):
        print("%s: not executable" % mlvm, file=sys.stderr)
        return 2
    failed = 0
    counts = {"ok": 0, "FAIL": 0}
    for c in cases:
        if only and c["name"] not in only:
            continue
        d = os.path.join(outdir, c["name"])
        images = [os.path.join(d, i) for i in c["images"]]
        absent = [i for i in images if not os.path.isfile(i)]
        if absent:
            why = ["image %s not made (run fixtures/make-damage.sh)" % os.path.relpath(a, outdir) for a in absent]
        else:
            why = []
            if verbose:
                print("%s:" % c["name"])
            for run in c["runs"]:
                label = "%s%s" % (run["command"], " --strict" if run.get("strict") else "")
                why += run_one(mlvm, images, run, verbose, label)
        if why:
            failed += 1
            counts["FAIL"] += 1
            print("FAIL: %s: %s" % (c["name"], "; ".join(why)))
        else:
            counts["ok"] += 1
            print("ok: %s" % c["name"])
        sys.stdout.flush()
    if not only and os.path.isdir(outdir):
        for extra in sorted(set(os.listdir(outdir)) - set(names)):
            if os.path.isdir(os.path.join(outdir, extra)):
                counts["FAIL"] += 1
                failed += 1
                print("FAIL: %s: made by make-damage.sh but has no expectations in %s" % (extra, spec))
    print("%d of %d damage cases pass" % (counts["ok"], counts["ok"] + counts["FAIL"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
