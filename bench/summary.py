#!/usr/bin/env python3
"""bench/summary.py -- the one table of every benchmark (make bench-all).

Reads the files given (or stdin) for the lines the bench scripts print
through bench_result (bench/lib.sh):

  BENCH-RESULT bench=NAME mlvm=FIG peer=FIG peer_tool=TOOL ratio=R target=T rss_kib=N

and lines BENCH-STATUS bench=NAME status=SKIP|FAIL reason=WORDS that
bench-all.sh writes for a script that did not run to its end. Prints one
row a result: benchmark, mlvm figure, peer figure, ratio, target, mlvm
peak RSS, and PASS/MISS (a + in peer_tool shows as a space; computed here from ratio and target: >=X or <X;
"-" when there is no target). Exit 0 (a benchmark is not a test); 2 when a
line is malformed or nothing was found.
"""
import re
import sys

FIELDS = ("bench", "mlvm", "peer", "peer_tool", "ratio", "target", "rss_kib")


def parse(line):
    """the fields of one BENCH-RESULT or BENCH-STATUS line, or None"""
    line = line.strip()
    kind, _, rest = line.partition(" ")
    if kind not in ("BENCH-RESULT", "BENCH-STATUS"):
        return None
    f = {}
    if kind == "BENCH-STATUS":
        m = re.match(r"bench=(\S+) status=(\S+) reason=(.*)$", rest)
        if not m:
            raise ValueError("malformed line: " + line)
        return {"bench": m.group(1), "status": m.group(2), "reason": m.group(3)}
    for tok in rest.split():
        k, eq, v = tok.partition("=")
        if not eq or k not in FIELDS or k in f:
            raise ValueError("malformed line: " + line)
        f[k] = v
    if set(f) != set(FIELDS):
        raise ValueError("malformed line (missing %s): %s"
                         % (", ".join(sorted(set(FIELDS) - set(f))), line))
    return f


def verdict(ratio, target):
    """PASS, MISS, or - when there is nothing to judge"""
    m = re.match(r"^(>=|<=|<|>)([0-9.]+)$", target)
    try:
        r = float(ratio)
    except ValueError:
        return "-"
    if not m:
        return "-"
    t = float(m.group(2))
    ok = {">=": r >= t, "<=": r <= t, "<": r < t, ">": r > t}[m.group(1)]
    return "PASS" if ok else "MISS"


def rss(kib):
    try:
        return "%.1f MiB" % (int(kib) / 1024.0)
    except ValueError:
        return "-"


def main(argv):
    rows = []
    try:
        files = [open(p) for p in argv[1:]] or [sys.stdin]
        for fh in files:
            for line in fh:
                f = parse(line)
                if f:
                    rows.append(f)
    except (OSError, ValueError) as e:
        print("summary: %s" % e, file=sys.stderr)
        return 2
    if not rows:
        print("summary: no BENCH-RESULT line found", file=sys.stderr)
        return 2
    head = ("benchmark", "mlvm", "peer", "peer tool", "ratio", "target", "peak RSS", "verdict")
    table = []
    for f in rows:
        if "status" in f:
            table.append((f["bench"], "-", "-", "-", "-", "-", "-", f["status"] + ": " + f["reason"]))
        else:
            table.append((f["bench"], f["mlvm"], f["peer"], f["peer_tool"].replace("+", " "),
                          f["ratio"], f["target"], rss(f["rss_kib"]),
                          verdict(f["ratio"], f["target"])))
    w = [max(len(r[i]) for r in table + [head]) for i in range(len(head))]
    fmt = "  ".join("%%-%ds" % n for n in w)
    print((fmt % head).rstrip())
    print("  ".join("-" * n for n in w))
    for r in table:
        print((fmt % r).rstrip())
    n = {v: sum(1 for r in table if r[-1] == v) for v in ("PASS", "MISS")}
    print("%d PASS, %d MISS, %d without a verdict" % (n["PASS"], n["MISS"], len(table) - n["PASS"] - n["MISS"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
