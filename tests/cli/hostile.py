#!/usr/bin/env python3
"""hostile.py - build the hostile-value images of tests/cli/hostile.sh.

    hostile.py OUTDIR

Writes OUTDIR/CASE/pvN.img for each case (a small synthetic VG of
fuzz/lvmimg.py with one value or relation made hostile, every checksum
correct) and OUTDIR/cases.tsv: CASE <tab> regex the warnings or error must
match (grep -E, case-insensitive; "-" for none: the value is legal) <tab>
what the case is.
"""
import os
import struct
import sys

TOP = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(TOP, "fuzz"))
import lvmimg as L  # noqa: E402

OUT = sys.argv[1]
EXT = 8
EB = EXT * 512
BIG = 1 << 63          # 2^63: does not fit an int64
cases = []


def lin(pv, start):
    return L.striped([(pv, start)])


def write_set(name, imgs, regex, what):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for i, img in enumerate(imgs):
        with open(os.path.join(d, "pv%d.img" % i), "wb") as f:
            f.write(img)
    cases.append((name, regex, what))


def build(vg, pe_counts, mda_size=8192, pv_fields=None, text_hook=None, seed="h"):
    """Images for vg over PVs of pe_counts extents. pv_fields[i] overrides
    the text's (dev_size, pe_start, pe_count) of PV i; text_hook edits the text."""
    raws = []
    geo = []
    for i, n in enumerate(pe_counts):
        pe_start = 4096 + mda_size
        size = pe_start + max(n, 1) * EB
        geo.append((pe_start, size))
        f = (size // 512, pe_start // 512, n)
        if pv_fields and i in pv_fields:
            f = pv_fields[i]
        raws.append(vg.add_pv(*f))
    text = vg.text()
    if text_hook:
        text = text_hook(text)
    return [bytes(L.build_pv(text, raws[i], geo[i][1], mda_size=mda_size, pe_start=geo[i][0],
                             seed="%s:%d" % (seed, i)))
            for i in range(len(pe_counts))]


def simple_vg(name, extent_size=EXT):
    v = L.VG(name, extent_size=extent_size, seed=name)
    v.add_lv("lv0", [(0, 1, "striped", lin("pv0", 0))])
    v.add_lv("lv1", [(0, 2, "striped", lin("pv0", 1))])
    return v


# ---- pe_count, extent_size: 0, 1, 2^63
for val in (0, 1, BIG):
    v = simple_vg("pecount%d" % (val > 1 and 63 or val))
    write_set("pe_count_%s" % ("2^63" if val == BIG else val),
              build(v, [4], pv_fields={0: (56, 24, val)}),
              r"pe_count|extents|pv0|integer out of range", "a PV whose pe_count is %s" % val)
for val in (0, 1, BIG):
    v = simple_vg("extsize%s" % (val > 1 and 63 or val), extent_size=val)
    write_set("extent_size_%s" % ("2^63" if val == BIG else val), build(v, [4]),
              "" if val == 1 else r"extent_size|integer out of range", "extent_size = %s" % val)

# ---- stripe_count and stripe_size: 0, 1, 2^63
for val in (0, 1, BIG):
    v = L.VG("sc", seed="sc")
    body = "stripe_count = %d\nstripe_size = 2\n\nstripes = [\n\"pv0\", 0,\n\"pv1\", 0\n]\n" % val
    v.add_lv("s", [(0, 2, "striped", body)])
    write_set("stripe_count_%s" % ("2^63" if val == BIG else val), build(v, [2, 2]),
              r"stripe_count|stripes|integer out of range", "stripe_count = %s with 2 stripes listed" % val)
for val in (0, 1, BIG):
    v = L.VG("ss", seed="ss")
    v.add_lv("s", [(0, 2, "striped", L.striped([("pv0", 0), ("pv1", 0)], stripe_size=val))])
    write_set("stripe_size_%s" % ("2^63" if val == BIG else val), build(v, [2, 2]),
              "" if val == 1 else r"stripe_size|integer out of range", "stripe_size = %s" % val)

# ---- areas naming PVs or LVs that do not exist
v = L.VG("nopv", seed="nopv")
v.add_lv("lv0", [(0, 1, "striped", lin("pv7", 0))])
write_set("area_unknown_pv", build(v, [2]), r"pv7", "a stripe on pv7, which the VG does not have")
v = L.VG("nolv", seed="nolv")
v.add_lv("r", [(0, 1, "raid1", "device_count = 2\n\nraids = [\n\"ghost_rmeta_0\", \"ghost_rimage_0\",\n\"ghost_rmeta_1\", \"ghost_rimage_1\"\n]\n")])
write_set("area_unknown_lv", build(v, [2]), r"ghost_r(meta|image)", "a raid1 whose sub-LVs do not exist")
v = L.VG("pvext", seed="pvext")
v.add_lv("lv0", [(0, 1, "striped", lin("pv0", 1000))])
write_set("area_past_pv", build(v, [2]), r"1000|pe_count|past|beyond|outside", "a stripe at PE 1000 of a 2-extent PV")

# ---- LVs that refer to themselves or form a cycle
v = L.VG("selfref", seed="selfref")
v.add_lv("me", [(0, 1, "mirror", "mirror_count = 2\n\nmirrors = [\n\"me\", 0,\n\"me\", 0\n]\n")])
write_set("lv_self", build(v, [2]), r"lv me .*refers to the LV itself",
          "a mirror LV whose legs are itself")
v = L.VG("cycle", seed="cycle")
v.add_lv("a", [(0, 1, "raid1", "device_count = 1\n\nraids = [\n\"b\", \"b\"\n]\n")])
v.add_lv("b", [(0, 1, "raid1", "device_count = 1\n\nraids = [\n\"c\", \"c\"\n]\n")], visible=False)
v.add_lv("c", [(0, 1, "raid1", "device_count = 1\n\nraids = [\n\"a\", \"a\"\n]\n")], visible=False)
write_set("lv_cycle", build(v, [2]), r"lv (a|b|c) .*cycle", "LVs a -> b -> c -> a")
v = L.VG("linself", seed="linself")
v.add_lv("me", [(0, 1, "striped", L.striped([("me", 0)]))])
write_set("lv_self_striped", build(v, [2]), r"lv me .*refers to the LV itself", "a striped LV whose stripe is itself")

# LVs that name themselves through other keys than areas (read by mapping)
v = L.VG("snapself", seed="snapself")
v.add_lv("o", [(0, 1, "striped", lin("pv0", 0))])
v.add_lv("snap", [(0, 1, "snapshot", "chunk_size = 8\norigin = \"snap\"\ncow_store = \"snap\"\n")])
write_set("snapshot_self", build(v, [2]), r"lv snap.*cycle",
          "a snapshot whose origin and COW store are itself")
v = L.VG("thinself", seed="thinself")
v.add_lv("pool", [(0, 1, "thin-pool", "metadata = \"pool\"\npool = \"pool\"\ntransaction_id = 1\nchunk_size = 128\n")])
v.add_lv("t", [(0, 4, "thin", "thin_pool = \"t\"\ntransaction_id = 0\ndevice_id = 1\n")])
write_set("thin_self", build(v, [2]), r"lv (pool|t)\b.*cycle",
          "a thin pool whose data and metadata LVs are itself, a thin LV that is its own pool")

# ---- segments with gaps or overlaps
v = L.VG("gap", seed="gap")
v.add_lv("g", [(0, 1, "striped", lin("pv0", 0)), (3, 1, "striped", lin("pv0", 1))])
write_set("segment_gap", build(v, [4]), r"segment2.*(starts at extent 3|expected)|gap",
          "segment2 starts at extent 3 after a 1-extent segment1")
v = L.VG("ovl", seed="ovl")
v.add_lv("o", [(0, 2, "striped", lin("pv0", 0)), (1, 2, "striped", lin("pv0", 2))])
write_set("segment_overlap", build(v, [4]), r"segment2.*(starts at extent 1|expected)|overlap",
          "segment2 starts inside segment1")
v = L.VG("pvovl", seed="pvovl")
v.add_lv("a", [(0, 2, "striped", lin("pv0", 0))])
v.add_lv("b", [(0, 2, "striped", lin("pv0", 1))])
write_set("pe_overlap", build(v, [4]), r"pv pv0: extents 1-1 are used by both lv a and lv b",
          "two LVs on PE 1 of pv0")
v = L.VG("segcnt", seed="segcnt")
v.add_lv("s", [(0, 1, "striped", lin("pv0", 0))],
         extra="")
write_set("segment_count_lies",
          build(v, [2], text_hook=lambda t: t.replace("segment_count = 1", "segment_count = 9223372036854775807")),
          r"segment_count", "segment_count = 2^63-1 with one segment")
v = L.VG("extcnt", seed="extcnt")
v.add_lv("s", [(0, (1 << 63) - 1, "striped", lin("pv0", 0))])
write_set("extent_count_huge", build(v, [2]), r"extent|PVs hold only|past|beyond",
          "an LV of 2^63-1 extents on a 2-extent PV")

# ---- a declared text size of 1 GiB
v = simple_vg("gib")
imgs = build(v, [4])
img = bytearray(imgs[0])
off, size, crc, flags = struct.unpack_from("<QQII", img, 4096 + 40)
img[4096:4096 + 512] = L.mda_header(4096, 8192, (off, 1 << 30, crc, flags))
write_set("text_size_1GiB", [bytes(img)], r"size|1073741824|raw_locn|ring|mda",
          "raw_locn[0] says the text is 1 GiB in an 8 KiB area")
img = bytearray(imgs[0])
img[4096:4096 + 512] = L.mda_header(4096, 1 << 30, (off, 1 << 29, crc, flags))
write_set("mda_size_1GiB", [bytes(img)], r"size|mda|area|past|beyond|outside",
          "an mda header claiming a 1 GiB area and a 512 MiB text in a 28 KiB image")

# ---- nesting 10,000 deep
deep_sec = "x {\n" * 10000 + "}\n" * 10000
deep_arr = "x = " + "[" * 10000 + "]" * 10000 + "\n"
for name, blob in (("nesting_sections_10000", deep_sec), ("nesting_arrays_10000", deep_arr)):
    v = simple_vg("deep")
    hook = (lambda b: (lambda t: t.replace("max_pv = 0\n", "max_pv = 0\n" + b)))(blob)
    write_set(name, build(v, [4], mda_size=65536, text_hook=hook), r"deep|depth|nest|limit",
              "metadata text nested 10,000 deep")

# ---- a value longer than the table's output buffer (64 KiB): the read
# table's heading and lines are as wide as the widest value
v = simple_vg("longdev")
write_set("device_path_100000", build(v, [2], mda_size=262144,
                                      text_hook=lambda t: t.replace('device = "/dev/fuzz"',
                                                                    'device = "/dev/' + "x" * 100000 + '"', 1)),
          "-", "a PV whose stored device path is 100,000 bytes long")

# names longer than the table's key buffers (512 and 600 bytes): cut, as
# before the keys were built without printf
for nl in (480, 500, 510, 590, 700):
    v = L.VG("longlv%d" % nl, seed="longlv%d" % nl)
    v.add_lv("l" * nl, [(0, 1, "striped", lin("pv0", 0)), (1, 1, "striped", lin("pv0", 1))])
    write_set("lv_name_%d" % nl, build(v, [2], mda_size=65536), r"name",
              "an LV name of %d bytes (LVM2 allows 127)" % nl)

# ---- images cut short at every structure boundary
v = L.VG("cut", seed="cut")
v.add_lv("a", [(0, 2, "striped", lin("pv0", 0))])
v.add_lv("b", [(0, 2, "striped", L.striped([("pv0", 2), ("pv1", 0)], stripe_size=2))])
full = build(v, [4, 2])
text_len = full[0][4096 + 512:].index(b"\0")
bounds = [0, 1, 511, 512, 512 + 32, 512 + 72, 512 + 88, 1024, 4096, 4096 + 40, 4096 + 512,
          4096 + 512 + text_len // 2, 4096 + 512 + text_len, 4096 + 8192, 4096 + 8192 + EB,
          len(full[0]) - 1]
for b in bounds:
    write_set("cut_%d" % b, [full[0][:b], full[1]],
              r"cut short|outside the image|past the end|no LVM2 physical volume|is missing|too small|truncated",
              "pv0 cut at byte %d (label %s, mda header at 4096, text at 4608+%d, data at 12288)"
              % (b, "512..1023", text_len))

# ---- PV identity: duplicates and PVs that nothing tells apart
v = L.VG("ident", seed="ident")
v.add_lv("s", [(0, 4, "striped", L.striped([("pv0", 0), ("pv1", 0)], stripe_size=2))])
pair = build(v, [2, 2])
write_set("pv_twice", [pair[0], pair[0], pair[1]], r"pv_ambiguous|which one holds its data",
          "the same PV in two images with the same metadata")
gone = [bytearray(x) for x in pair]
for g in gone:
    g[512:1024] = bytes(512)
write_set("pv_labels_gone_equal", [bytes(g) for g in gone], r"could be any of the PVs",
          "two PVs of one VG, both labels gone, the same size")
many = []
for i in range(4):
    g = bytearray(pair[i % 2])
    g[512:1024] = bytes(512)
    many.append(bytes(g))
write_set("pv_labels_gone_many", many, r"could be any of the PVs",
          "four unlabelled images fitting two PVs")
near = bytearray(pair[0])
near[512 + 32 + 3] ^= 1
write_set("pv_label_one_byte", [bytes(near), pair[1]], r"pv_label_damaged|fails its checks but|label crc",
          "one byte of a PV uuid in its label changed")

with open(os.path.join(OUT, "cases.tsv"), "w") as f:
    for c in cases:
        f.write("\t".join((c[0], c[1] or "-", c[2])) + "\n")
