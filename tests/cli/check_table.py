#!/usr/bin/env python3
"""check_table.py [-o OPTION]... MLVM IMAGE... -- mlvm read's key/value
table (with each OPTION, e.g. -o --verbose -o --units -o H), made both
ways cmd_read.c makes it: rows kept and printed at the end (--content:
TABLE_KEEP) and rows measured, dropped and made again line by line
(--no-content: TABLE_MEASURE then TABLE_PRINT). Each table's cells must be
as wide as its widest key and value (so a measure that counted a value
longer or shorter than printed shows), every line as wide as the heading,
and the two tables must hold the same rows but the LVs' content rows.
Exit 1 with what differs."""
import subprocess
import sys

args = sys.argv[1:]
opts = []       # -o OPTION...: more options for both reads
while args[:1] == ["-o"]:
    opts.append(args[1])
    args = args[2:]
mlvm, imgs = args[0], args[1:]
bad = []


def table(mode):
    p = subprocess.run([mlvm, "read", mode] + opts + imgs, capture_output=True)
    if p.returncode != 0:
        bad.append("read %s: exit %d: %s" % (mode, p.returncode, p.stderr.decode(errors="replace")[-300:]))
        return []
    # latin-1: a character per byte, as cells are padded (to bytes)
    lines = p.stdout.decode("latin-1").split("\n")
    if lines[-1] != "":
        bad.append("read %s: no newline at the end" % mode)
    lines = lines[:-1]
    head, rule = lines[0], lines[1]
    kw = head.index("|")
    vw = len(head) - kw - 2
    if head != "key".ljust(kw) + "|" + "value".ljust(vw) + "|":
        bad.append("read %s: heading %r" % (mode, head))
    if rule != "-" * kw + "|" + "-" * vw + "|":
        bad.append("read %s: rule %r" % (mode, rule))
    rows, kmax, vmax = [], 3, 5
    for i, line in enumerate(lines[2:], 3):
        if len(line) != len(head) or line[kw] != "|" or line[-1] != "|":
            bad.append("read %s: line %d is not %d wide with its bars at %d and %d: %r"
                       % (mode, i, len(head), kw, len(head) - 1, line[:200]))
            continue
        k, v = line[:kw].rstrip(" "), line[kw + 1:-1].rstrip(" ")
        kmax, vmax = max(kmax, len(k)), max(vmax, len(v))
        rows.append((k, v))
    # a cell is its widest content and one space (the heading's at least)
    if (kw, vw) != (kmax + 1, vmax + 1):
        bad.append("read %s: cells %d and %d wide, the widest key and value %d and %d"
                   % (mode, kw, vw, kmax, vmax))
    return rows


kept = table("--content")
printed = table("--no-content")
if not kept or not printed:
    bad.append("no rows (--content %d, --no-content %d)" % (len(kept), len(printed)))
kept = [r for r in kept if not r[0].endswith("/content")]
if kept != printed:
    for a, b in zip(kept, printed):
        if a != b:
            bad.append("first difference: --content %r, --no-content %r" % (a, b))
            break
    else:
        bad.append("--content has %d rows but the content, --no-content %d" % (len(kept), len(printed)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
