#!/usr/bin/env python3
"""make-seeds.py - (re)build the seed inputs of the fuzz corpora.

    python3 fuzz/make-seeds.py [TOP_SRCDIR]

Writes fuzz/corpus/NAME/seed-* from the LVM2 fixtures (label sectors, mda
headers and rings, metadata texts, the head of each image) and from small
synthetic PVs built with lvmimg.py (every segment type mlvm maps, several
PVs in one input separated by "\\n--PV--\\n"). Other files of the corpora
(inputs found by fuzzing, crashes) are left alone. Each seed is < 64 KiB.
"""
import glob
import lzma
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lvmimg as L  # noqa: E402

TOP = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(HERE)
CORPUS = os.path.join(TOP, "fuzz", "corpus")
SPLIT = b"\n--PV--\n"
MAX = 65536


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    data = bytes(data)[:MAX]
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def fixture_images():
    for path in sorted(glob.glob(os.path.join(TOP, "fixtures", "images", "*", "pv*.img.xz"))):
        fx = os.path.basename(os.path.dirname(path))
        pv = os.path.basename(path)[:-len(".img.xz")]
        with lzma.open(path) as f:
            head = f.read(1 << 20)  # label, mda1 of every fixture but lv2000
        yield fx, pv, head


def area_of(head):
    """(abs, size) of mda1 from the label in sector 1, or None."""
    s = head[512:1024]
    if s[:8] != b"LABELONE":
        return None
    off = 72
    while off + 16 <= 512:  # data areas
        o, _ = struct.unpack_from("<QQ", s, off)
        off += 16
        if o == 0:
            break
    o, sz = struct.unpack_from("<QQ", s, off)
    return (o, sz) if o else None


def trim(area, limit=MAX):
    """An area cut after its last non-zero byte (rounded up to 512)."""
    end = len(area.rstrip(b"\0"))
    end = max(1024, (end + 511) // 512 * 512)
    return area[:min(end, limit)]


# --------------------------------------------------------------- fixtures
# fixtures whose metadata area and image head seed mda, carve and scan (the
# others add size more than coverage)
AREA_SEEDS = {"demo", "wrapped", "twomda", "ignoredmda", "thin"}
seen_text = set()
for fx, pv, head in fixture_images():
    tag = "%s-%s" % (fx, pv)
    put("label", tag, head[:2048])
    loc = area_of(head)
    if not loc:
        continue
    a_abs, a_size = loc
    area = head[a_abs:a_abs + a_size]
    if pv == "pv0" and fx in AREA_SEEDS:
        put("mda", tag, trim(area))
        put("carve", tag, trim(area))
        put("scan", tag, b"\x01\x00\x00\x00" + head[:MAX - 4])
    if fx == "wrapped":
        # the whole 32 KiB ring, and the PV cut after it
        put("carve", "wrapped-area", area)
        put("mda", "wrapped-area", area)
        put("set", "wrapped-head", head[:a_abs + a_size + 4096])
    # the committed text of each fixture (not lv2000's 570 KB)
    mfile = os.path.join(TOP, "fixtures", "images", fx, "%s.mda1.metadata.txt" % pv)
    if os.path.exists(mfile):
        t = open(mfile, "rb").read()
        if len(t) < MAX and t not in seen_text and b"{" in t:
            seen_text.add(t)
            put("config", tag, t)
    bfile = os.path.join(TOP, "fixtures", "images", fx, "vgcfgbackup.txt")
    if pv == "pv0" and os.path.exists(bfile):
        t = open(bfile, "rb").read()
        if len(t) < MAX:
            put("config", fx + "-vgcfgbackup", t)

# shifted (mirage-wiped) and journalled labels
for fx, pv, head in fixture_images():
    if fx == "linear":
        put("label", "shifted", bytes((b + 1) & 0xFF for b in head[:2048]))
        j = bytearray(head[:2048])
        j[512 + 24:512 + 32] = b"JOUR 001"
        put("label", "journalled", j)
        put("partition", "linear-pv-no-table", head[:8192])
        break

# --------------------------------------------------------------- synthetic PVs
EXT = 8  # sectors per extent: 4 KiB
EB = EXT * 512


def pv_geometry(pe_count, mda_size=8192):
    pe_start = 4096 + mda_size
    return pe_start, pe_start + pe_count * EB


def make_set(vg, pe_counts, seed, mda_size=8192):
    """Images of a VG whose PVs have pe_counts extents; returns the input."""
    raws = []
    for i, n in enumerate(pe_counts):
        pe_start, size = pv_geometry(n, mda_size)
        raws.append(vg.add_pv(size // 512, pe_start // 512, n))
    text = vg.text()
    imgs = []
    for i, n in enumerate(pe_counts):
        pe_start, size = pv_geometry(n, mda_size)
        imgs.append(bytes(L.build_pv(text, raws[i], size, mda_size=mda_size,
                                     pe_start=pe_start, seed="%s:%d" % (seed, i))))
    return SPLIT.join(imgs)


def lin(pv, start):
    return L.striped([(pv, start)])


sets = {}

v = L.VG("lin", seed="lin")
v.add_lv("a", [(0, 1, "striped", lin("pv0", 0))])
v.add_lv("b", [(0, 1, "striped", lin("pv0", 2)), (1, 1, "striped", lin("pv0", 1))])
sets["linear"] = make_set(v, [4], "lin")

v = L.VG("str", seed="str")
v.add_lv("s", [(0, 4, "striped", L.striped([("pv0", 0), ("pv1", 0)], stripe_size=2))])
v.add_lv("t", [(0, 2, "striped", lin("pv1", 2))])
sets["striped"] = make_set(v, [3, 3], "str")

v = L.VG("mir", seed="mir")
v.add_lv("m", [(0, 2, "mirror", "mirror_count = 2\nregion_size = 8\n\nmirrors = [\n\"m_mimage_0\", 0,\n\"m_mimage_1\", 0\n]\nmirror_log = \"m_mlog\"\n")])
v.add_lv("m_mimage_0", [(0, 2, "striped", lin("pv0", 0))], visible=False)
v.add_lv("m_mimage_1", [(0, 2, "striped", lin("pv0", 2))], visible=False)
v.add_lv("m_mlog", [(0, 1, "striped", lin("pv0", 4))], visible=False)
sets["mirror"] = make_set(v, [5], "mir")

v = L.VG("r1", seed="r1")
v.add_lv("r", [(0, 2, "raid1", "device_count = 2\nregion_size = 8\n\nraids = [\n\"r_rmeta_0\", \"r_rimage_0\",\n\"r_rmeta_1\", \"r_rimage_1\"\n]\n")])
for i in range(2):
    v.add_lv("r_rmeta_%d" % i, [(0, 1, "striped", lin("pv%d" % i, 0))], visible=False)
    v.add_lv("r_rimage_%d" % i, [(0, 2, "striped", lin("pv%d" % i, 1))], visible=False)
sets["raid1"] = make_set(v, [3, 3], "r1")

v = L.VG("r5", seed="r5")
v.add_lv("r", [(0, 4, "raid5_ls", "device_count = 3\nstripe_count = 2\nregion_size = 8\nstripe_size = 2\n\nraids = [\n\"r_rmeta_0\", \"r_rimage_0\",\n\"r_rmeta_1\", \"r_rimage_1\",\n\"r_rmeta_2\", \"r_rimage_2\"\n]\n")])
for i in range(3):
    v.add_lv("r_rmeta_%d" % i, [(0, 1, "striped", lin("pv0", 3 * i))], visible=False)
    v.add_lv("r_rimage_%d" % i, [(0, 2, "striped", lin("pv0", 3 * i + 1))], visible=False)
sets["raid5"] = make_set(v, [9], "r5")

v = L.VG("r0", seed="r0")
v.add_lv("r", [(0, 4, "raid0", "stripe_count = 2\nstripe_size = 2\n\nraid0_lvs = [\n\"r_rimage_0\",\n\"r_rimage_1\"\n]\n")])
v.add_lv("r_rimage_0", [(0, 2, "striped", lin("pv0", 0))], visible=False)
v.add_lv("r_rimage_1", [(0, 2, "striped", lin("pv1", 0))], visible=False)
v.add_lv("r10", [(0, 2, "raid10", "device_count = 4\nstripe_count = 2\nregion_size = 8\nstripe_size = 2\n\nraids = [\n\"x_rmeta_0\", \"x_rimage_0\",\n\"x_rmeta_1\", \"x_rimage_1\",\n\"x_rmeta_2\", \"x_rimage_2\",\n\"x_rmeta_3\", \"x_rimage_3\"\n]\n")])
for i in range(4):
    v.add_lv("x_rmeta_%d" % i, [(0, 0, "striped", lin("pv1", 2))], visible=False)
    v.add_lv("x_rimage_%d" % i, [(0, 1, "striped", lin("pv%d" % (i % 2), 2))], visible=False)
sets["raid0-raid10"] = make_set(v, [3, 3], "r0")

v = L.VG("r6", seed="r6")
v.add_lv("r", [(0, 2, "raid6_zr", "device_count = 4\nstripe_count = 2\nregion_size = 8\nstripe_size = 2\ndata_offset = 0\n\nraids = [\n\"r_rmeta_0\", \"r_rimage_0\",\n\"r_rmeta_1\", \"r_rimage_1\",\n\"r_rmeta_2\", \"r_rimage_2\",\n\"r_rmeta_3\", \"r_rimage_3\"\n]\n")])
for i in range(4):
    v.add_lv("r_rmeta_%d" % i, [(0, 1, "striped", lin("pv0", 2 * i))], visible=False)
    v.add_lv("r_rimage_%d" % i, [(0, 1, "striped", lin("pv0", 2 * i + 1))], visible=False)
sets["raid6"] = make_set(v, [8], "r6")

v = L.VG("zs", seed="zs")
v.add_lv("z", [(0, 2, "zero", ""), (2, 1, "error", ""), (3, 1, "striped", lin("pv0", 0))])
v.add_lv("o", [(0, 2, "striped", lin("pv0", 1))])
v.add_lv("snap", [(0, 2, "snapshot", "chunk_size = 8\norigin = \"o\"\ncow_store = \"c\"\n")], visible=True)
v.add_lv("c", [(0, 1, "striped", lin("pv0", 3))], visible=False)
sets["zero-snapshot"] = make_set(v, [4], "zs")

v = L.VG("th", seed="th")
v.add_lv("pool", [(0, 2, "thin-pool", "metadata = \"pool_tmeta\"\npool = \"pool_tdata\"\ntransaction_id = 1\nchunk_size = 128\ndiscards = \"passdown\"\nzero_new_blocks = 1\n")])
v.add_lv("pool_tmeta", [(0, 1, "striped", lin("pv0", 0))], visible=False)
v.add_lv("pool_tdata", [(0, 2, "striped", lin("pv0", 1))], visible=False)
v.add_lv("thin1", [(0, 4, "thin", "thin_pool = \"pool\"\ntransaction_id = 0\ndevice_id = 1\n")])
v.add_lv("cached", [(0, 1, "cache", "cache_pool = \"pool\"\norigin = \"o2\"\n")])
v.add_lv("o2", [(0, 1, "striped", lin("pv0", 2))], visible=False)
sets["thin-cache"] = make_set(v, [4], "th")

# hostile relations: an LV on itself, a cycle, a missing PV, a gap
v = L.VG("bad", seed="bad")
v.add_lv("self", [(0, 1, "striped", L.striped([("self", 0)]))])
v.add_lv("c1", [(0, 1, "striped", L.striped([("c2", 0)]))])
v.add_lv("c2", [(0, 1, "striped", L.striped([("c1", 0)]))])
v.add_lv("nopv", [(0, 1, "striped", lin("pv7", 0))])
v.add_lv("gap", [(0, 1, "striped", lin("pv0", 0)), (3, 1, "striped", lin("pv0", 1))])
v.add_lv("huge", [(0, 9223372036854775807, "striped", lin("pv0", 0))])
sets["hostile"] = make_set(v, [2], "bad")

v = L.VG("two", seed="two")
v.add_lv("a", [(0, 1, "striped", lin("pv0", 0))])
m = make_set(v, [2], "two")
w = L.VG("one", seed="one")
w.add_lv("b", [(0, 1, "striped", lin("pv0", 0))])
sets["two-vgs"] = m + SPLIT + make_set(w, [2], "one")

# PV identity: the same PV twice, a stale copy beside a newer one, two PVs
# whose labels are gone and that fit equally, a label with one byte of its
# uuid changed (tests/cli/trust.sh has the same cases made by lvm2)
def ident_vg(seqno):
    v = L.VG("ident", seqno=seqno, seed="ident")
    v.add_lv("s", [(0, 4, "striped", L.striped([("pv0", 0), ("pv1", 0)], stripe_size=8))])
    return make_set(v, [2, 2], "ident").split(SPLIT)


pair = ident_vg(3)
sets["dup-pv"] = pair[0] + SPLIT + pair[0] + SPLIT + pair[1]
newer = ident_vg(4)
sets["stale-dup"] = pair[0] + SPLIT + newer[0] + SPLIT + newer[1]
gone = [bytearray(x) for x in pair]
for g in gone:
    g[512:1024] = bytes(512)
sets["unlabelled-pair"] = bytes(gone[0]) + SPLIT + bytes(gone[1])
near = bytearray(pair[0])
near[512 + 32 + 5] ^= 1
sets["damaged-label"] = bytes(near) + SPLIT + pair[1]

for name, data in sets.items():
    assert len(data) < MAX, (name, len(data))
    put("set", name, data)
    put("lvmap", name, data)
    first = data.split(SPLIT)[0]
    put("label", "syn-" + name, first[:2048])
    put("carve", "syn-" + name, first[4096:4096 + 8192])
    put("mda", "syn-" + name, first[4096:4096 + 8192])
    put("scan", "syn-" + name, b"\x03\x00\x00\x00" + first)
    put("config", "syn-" + name, first[4096 + 512:4096 + 8192].split(b"\0")[0])

# a synthetic ring holding three generations, the last one wrapping
area_size = 4096
area = bytearray(area_size)
off = 512
last = None
for seq in (1, 2, 3):
    v = L.VG("ring", seqno=seq, seed="ring")
    v.add_pv(100, 24, 3)
    v.add_lv("lv%d" % seq, [(0, 1, "striped", lin("pv0", 0))])
    t = v.text().encode() + b"\0"
    if off + len(t) > area_size and seq < 3:
        off = 512
    L.ring_write(area, 0, area_size, off, t)
    last = (off, len(t), L.lvm_crc(t), 0)
    off = (off + len(t) + 511) // 512 * 512
    if off >= area_size:
        off = 512
area[0:512] = L.mda_header(4096, area_size, last)
put("carve", "ring3", area)
put("mda", "ring3", area)

# --------------------------------------------------------------- partition tables
def mbr(entries, sig=True):
    s = bytearray(512)
    for i, (status, typ, start, count) in enumerate(entries):
        struct.pack_into("<B3xB3xII", s, 446 + 16 * i, status, typ, start, count)
    if sig:
        s[510:512] = b"\x55\xaa"
    return s


disk = bytearray(64 * 1024)
disk[0:512] = mbr([(0x80, 0x8e, 8, 40), (0, 0x05, 48, 64)])
# EBR chain: logical at 48+2, link to the next EBR at 48+20 (relative to 48)
disk[48 * 512:49 * 512] = mbr([(0, 0x8e, 2, 10), (0, 0x05, 20, 30)])
disk[68 * 512:69 * 512] = mbr([(0, 0x83, 2, 8), (0, 0x05, 0, 10)])  # loops back
put("partition", "mbr-ebr-loop", disk)

disk = bytearray(64 * 1024)
n_lba = len(disk) // 512
disk[0:512] = mbr([(0, 0xEE, 1, n_lba - 1)])


def gpt(my, alt, entries_lba, entries):
    arr = bytearray(128 * 4)
    for i, (first, last, name) in enumerate(entries):
        e = bytearray(128)
        e[0:16] = bytes.fromhex("79d3d6e607f5c244a23c238f2a3df928")
        e[16:32] = bytes(range(16 * i, 16 * i + 16))
        struct.pack_into("<QQQ", e, 32, first, last, 0)
        nm = name.encode("utf-16-le")[:72]
        e[56:56 + len(nm)] = nm
        arr[128 * i:128 * i + 128] = e
    h = bytearray(512)
    h[0:8] = b"EFI PART"
    struct.pack_into("<IIIIQQQQ", h, 8, 0x10000, 92, 0, 0, my, alt, 34 if my == 1 else 34, n_lba - 34)
    h[56:72] = bytes(range(100, 116))
    struct.pack_into("<QIII", h, 72, entries_lba, 4, 128, zlib.crc32(bytes(arr)))
    struct.pack_into("<I", h, 16, zlib.crc32(bytes(h[:92])))
    return h, arr


h, arr = gpt(1, n_lba - 1, 2, [(34, 60, "lvm"), (61, 90, "data")])
disk[512:1024] = h
disk[1024:1024 + len(arr)] = arr
h2, arr2 = gpt(n_lba - 1, 1, n_lba - 5, [(34, 60, "lvm"), (61, 90, "data")])
disk[(n_lba - 5) * 512:(n_lba - 5) * 512 + len(arr2)] = arr2
disk[(n_lba - 1) * 512:n_lba * 512] = h2
put("partition", "gpt", disk)
bad = bytearray(disk)
bad[512 + 20] ^= 1  # primary header CRC broken: the backup is used
put("partition", "gpt-bad-primary", bad)

# ---- dm-thin pool metadata (fuzz_thin): the unit tests' thin_restore image
# cut to 16 blocks, and variants with stale nodes a removed device left


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc


def thin_fix(img, blk, salt=121107):
    struct.pack_into("<I", img, blk * 4096, crc32c(bytes(img[blk * 4096 + 4:(blk + 1) * 4096])) ^ salt)


def thin_leaf_of(img, key):
    """the leaf a lookup of key ends in, from the superblock's mapping root"""
    blk = struct.unpack_from("<Q", img, 320)[0]
    for _ in range(8):
        o = blk * 4096
        flags, _bn, nr, mx = struct.unpack_from("<IQII", img, o + 4)
        if flags & 2:
            return blk
        i = 0
        while i + 1 < nr and struct.unpack_from("<Q", img, o + 32 + 8 * (i + 1))[0] <= key:
            i += 1
        blk = struct.unpack_from("<Q", img, o + 32 + 8 * mx + 8 * i)[0]
    return blk


meta_path = os.path.join(TOP, "tests", "unit", "data", "thin", "pool.meta.xz")
if os.path.exists(meta_path):
    with lzma.open(meta_path) as f:
        meta = bytearray(f.read(16 * 4096))
    put("thin", "pool16", meta)
    # device 2 removed: its top-level leaf shadowed to block 15, stale
    stale = bytearray(meta)
    top = thin_leaf_of(stale, 2)
    if top < 15:
        o = top * 4096
        stale[15 * 4096:16 * 4096] = stale[o:o + 4096]
        struct.pack_into("<Q", stale, 15 * 4096 + 8, 15)
        thin_fix(stale, 15)
        _f, _b, nr, mx = struct.unpack_from("<IQII", stale, o + 4)
        keys = [struct.unpack_from("<Q", stale, o + 32 + 8 * i)[0] for i in range(nr)]
        vals = [struct.unpack_from("<Q", stale, o + 32 + 8 * mx + 8 * i)[0] for i in range(nr)]
        if 2 in keys:
            k = keys.index(2)
            del keys[k], vals[k]
            for i, (kk, vv) in enumerate(zip(keys + [0], vals + [0])):
                struct.pack_into("<Q", stale, o + 32 + 8 * i, kk)
                struct.pack_into("<Q", stale, o + 32 + 8 * mx + 8 * i, vv)
            struct.pack_into("<I", stale, o + 16, nr - 1)
            thin_fix(stale, top)
        put("thin", "stale-top", stale)
        # the stale entry names the leaf itself: a cycle for the scanner
        cyc = bytearray(stale)
        o = 15 * 4096
        _f, _b, nr, mx = struct.unpack_from("<IQII", cyc, o + 4)
        for i in range(nr):
            struct.pack_into("<Q", cyc, o + 32 + 8 * mx + 8 * i, 15)
        thin_fix(cyc, 15)
        put("thin", "stale-cycle", cyc)
        # no mapping root, bad superblock checksum: every device recovered
        nor = bytearray(stale)
        struct.pack_into("<Q", nor, 320, 0)
        put("thin", "no-root", nor)


# XFS (fuzz_xfs): small filesystems made by mkfs.xfs -p PROTOFILE (when
# xfsprogs is installed), as sparse records [u32 BE sector][u16 BE length]
# [bytes] of their non-zero sectors: v5 with a directory big enough for the
# leaf format, v4 without ftype
def xfs_seed(name, opts, nfiles):
    import shutil
    import subprocess
    import tempfile
    if not shutil.which("mkfs.xfs"):
        return
    with tempfile.TemporaryDirectory() as t:
        src = os.path.join(t, "f")
        with open(src, "w") as f:
            f.write("vg {\nseqno = 1\n}\n")
        lines = ["boot", "0 0", "d--755 0 0", "etc d--755 0 0", " lvm d--755 0 0",
                 "  archive d--755 0 0"]
        lines += [f"   vg_{i:05d}-1234567890.vg ---644 0 0 {src}" for i in range(nfiles)]
        lines += ["  $", " $", " top ---644 0 0 " + src, "$", "$"]
        with open(os.path.join(t, "proto"), "w") as f:
            f.write("\n".join(lines) + "\n")
        img = os.path.join(t, "img")
        with open(img, "wb") as f:
            f.truncate(16 << 20)
        env = dict(os.environ, TEST_DIR="1", TEST_DEV="1", QA_CHECK_FS="1")
        r = subprocess.run(["mkfs.xfs", "-q", "-f", "-d", "agcount=1", *opts, "-p",
                            os.path.join(t, "proto"), img], env=env, capture_output=True)
        if r.returncode:
            return
        data = open(img, "rb").read()
    # the log (never read by mlvm) is left out
    bsize, = struct.unpack_from(">I", data, 4)
    logstart, = struct.unpack_from(">Q", data, 48)
    logblocks, = struct.unpack_from(">I", data, 96)
    log = range(logstart * bsize // 512, (logstart + logblocks) * bsize // 512)
    out = bytearray()
    sec = 0
    while sec < len(data) // 512:
        if sec in log or not any(data[sec * 512:sec * 512 + 512]):
            sec += 1
            continue
        start = sec
        while sec < len(data) // 512 and sec - start < 64 and sec not in log and \
                any(data[sec * 512:sec * 512 + 512]):
            sec += 1
        run = data[start * 512:sec * 512]
        out += struct.pack(">IH", start, len(run)) + run
    if len(out) > MAX:
        print(f"xfs seed {name}: {len(out)} bytes, cut to {MAX}")
    put("xfs", name, out)


xfs_seed("v5-leafdir", ["-m", "crc=1", "-n", "ftype=1", "-b", "size=1024"], 40)
xfs_seed("v4-noftype", ["-m", "crc=0", "-n", "ftype=0", "-b", "size=512"], 20)

print("seeds written to", CORPUS)
