#!/usr/bin/env python3
"""table_widths.py OUTDIR - the VGs of tests/cli/table-widths.sh.

The measure of `mlvm read`'s key/value table skips the LVs whose rows
cannot widen its cells (lv_within in cmd_read.c), by bounds of their rows'
lengths. A bound one byte short would skip an LV one byte wider than every
row before it, so each case is a VG (fuzz/lvmimg.py, every checksum
correct) of plain LVs whose widest value (a tag of their own) or key is
one byte shorter than one row of one wide LV: its creation_host (60
bytes whole, or cut to 60: ASCII, or UTF-8 cut at a character), its size
past 16 EiB (of an
error segment, whose row is shorter than the size's), a segment of four
stripes, its tags, its name as a value, its name in keys.
And LVs that are not widest: times past year 9999, before 1970, ten
segments. "CASE-serial" has 40 plain LVs, the wide one last (measured on
one thread); "CASE-parallel" 2,600, the wide one after the 300th (two
threads, blocks of 256: in an odd block).

Writes OUTDIR/NAME/pv0.img, and prints for each a line
"NAME WIDE KIND LENGTH": the wide LV's name, "value" or "key", and the
length of its widest row there (the plain LVs': one byte less); KIND "-"
for a VG whose LVs are not widest.
"""
import os
import sys

TOP = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(TOP, "fuzz"))
import lvmimg as L  # noqa: E402

OUT = sys.argv[1]
EXT = 8                 # sectors: 4 KiB extents
EB = EXT * 512
MDA = 1 << 20           # 1 MiB: the 2,600 LVs' text
BIG = 9 * 10 ** 18      # extents: an int64, and more than 16 EiB


def edit(name, fields):
    """a text hook: fields of name's section replaced or added"""
    def hook(text):
        at = text.index("\n%s {\n" % name)
        end = text.index("\nsegment_count", at)
        sect = text[at:end]
        for k, v in fields.items():
            line = "\n%s = " % k
            if line in sect:
                i = sect.index(line)
                j = sect.find("\n", i + 1)
                j = len(sect) if j < 0 else j
                sect = sect[:i] + line + v + sect[j:]
            else:
                sect += line + v
        return text[:at] + sect + text[end:]
    return hook


def tags(*t):
    return "[%s]" % ", ".join('"%s"' % x for x in t)


# CASE: (the wide LV's name, its text fields, its segments' kind, "value"
# or "key", the length of its widest row, what it is)
CASES = {
    "host": ("wide", {"creation_host": '"%s"' % ("h" * 70)}, "linear", "value", 60,
             "creation_host of 70 bytes, cut to 57 and ..."),
    "host60": ("wide", {"creation_host": '"%s"' % ("h" * 60)}, "linear", "value", 60,
               "creation_host of 60 bytes, whole"),
    "hostutf8": ("wide", {"creation_host": '"%s"' % ("\u00e9" * 40)}, "linear", "value", 59,
                 "creation_host of 40 two-byte characters, cut at 56 bytes and ..."),
    "big": ("wide", {}, "big", "value", len("%d extents (beyond 16 EiB)" % BIG),
            "a size past 16 EiB"),
    "stripes": ("wide", {}, "stripes", "value", None, "a segment of four stripes"),
    "tags": ("wide", {"tags": tags("a" * 20, "b" * 20, "c" * 20)}, "linear", "value", 64,
             "three tags of 20 bytes"),
    # a name is in its keys too, 14 bytes longer (NAME/creation_host): for
    # the keys to be no wider than before, the PV's name is 53 bytes
    # (PV/label/metadata_areas: 74), and no segment names it (error)
    "name": ("n" * 60, {}, "error", "value", 60, "a name of 60 bytes, as a value"),
    # the PV's keys reach 24 bytes (pv0/label/metadata_areas)
    "key": ("lvwide00000", {}, "linear", "key", len("lvwide00000/creation_host"),
            "a name whose keys are one byte longer than the PV's"),
    "times": ("wide", {}, "linear", "-", None, "times past 9999 and before 1970, ten segments"),
}


def add(vg, name, kind, pe):
    """name's segments from PE pe of pv0; the next free PE"""
    pv = vg.pvname
    if kind == "stripes":
        vg.add_lv(name, [(0, 4, "striped", L.striped([(pv, pe + i) for i in range(4)], stripe_size=8))])
        return pe + 4
    if kind == "big":   # an error segment: its row is shorter than the size's
        vg.add_lv(name, [(0, BIG, "error", "")])
        return pe
    if kind == "error":
        vg.add_lv(name, [(0, 1, "error", "")])
        return pe
    if kind == "segs":
        vg.add_lv(name, [(i, 1, "striped", L.striped([(pv, pe + i)])) for i in range(10)])
        return pe + 10
    vg.add_lv(name, [(0, 1, "striped", L.striped([(pv, pe)]))])
    return pe + 1


def case(case_name, tag, n_plain, at):
    wide, fields, kind, what, length, _ = CASES[case_name]
    name = "%s-%s" % (case_name, tag)
    vg = L.VG("widths", seed=name)
    vg.pvname = "p" * 53 if case_name == "name" else "pv0"
    plain = "error" if kind == "error" else "linear"
    hooks, pe = [], 0
    if kind == "stripes":
        p = at      # the wide LV's first PE: each plain LV takes one
        length = len("striped (4 stripes of 4.00 KiB), extents 0-3, on %s"
                     % ", ".join("pv0:%d" % (p + i) for i in range(4)))
    for i in range(n_plain + 1):
        if i == at:
            pe = add(vg, wide, kind, pe)
            if fields:
                hooks.append(edit(wide, fields))
            if case_name == "times":
                for k, when in enumerate(("253402300800", "253402300799", "-1")):
                    pe = add(vg, "time%d" % k, "linear", pe)
                    hooks.append(edit("time%d" % k, {"creation_time": when}))
                pe = add(vg, "segs", "segs", pe)
        if i < n_plain:
            lv = "lv%05d" % i
            pe = add(vg, lv, plain, pe)
            if what == "value":     # one byte short of the wide LV's row
                hooks.append(edit(lv, {"tags": tags("t" * (length - 1))}))
    pe = max(pe, 1)
    pe_start = 4096 + MDA
    size = pe_start + pe * EB
    raw = vg.add_pv(size // 512, pe_start // 512, pe, name=vg.pvname)
    text = vg.text()
    for h in hooks:
        text = h(text)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "pv0.img"), "wb") as f:
        f.write(bytes(L.build_pv(text, raw, size, mda_size=MDA, pe_start=pe_start, seed=name)))
    print(name, wide, what, length if length else 0)


for c in CASES:
    case(c, "serial", 40, 40)
    case(c, "parallel", 2600, 300)
