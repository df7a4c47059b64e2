"""lvmimg.py - build small LVM2 PV images and metadata texts in Python.

Shared by fuzz/make-seeds.py (the seed corpora) and tests/cli/hostile.sh
(hostile values). Written from the on-disk layout (see src/disk/label.h and
src/disk/mda.h), not from mlvm's code. Every integer is little-endian.
"""
import random
import struct
import zlib

SECTOR = 512
MDA_MAGIC = b" LVM2 x[5A%r0N*>"
INITIAL_CRC = 0xF597A6CF


def lvm_crc(data, crc=INITIAL_CRC):
    """LVM2's calc_crc: CRC-32 from INITIAL_CRC with no final xor."""
    return zlib.crc32(data, crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


def dashed(raw):
    """32-char uuid -> 6-4-4-4-4-4-6 as the text writes it."""
    parts = [6, 4, 4, 4, 4, 4, 6]
    out, i = [], 0
    for p in parts:
        out.append(raw[i:i + p])
        i += p
    return "-".join(out)


def raw_uuid(text_id):
    return text_id.replace("-", "")


def uuid_for(seed):
    r = random.Random("uuid:%s" % seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(r.choice(alphabet) for _ in range(32))


def label_sector(pv_uuid, device_size, data_areas, mdas, sector=1, ext=True,
                 label_id=b"LABELONE", label_type=b"LVM2 001", bad_crc=False):
    """The 512-byte label sector: data_areas and mdas are [(offset, size)]."""
    body = bytearray(SECTOR)
    body[0:8] = label_id
    struct.pack_into("<Q", body, 8, sector)
    struct.pack_into("<I", body, 20, 32)
    body[24:32] = label_type
    body[32:64] = pv_uuid.encode()[:32].ljust(32, b"\0")
    struct.pack_into("<Q", body, 64, device_size)
    off = 72
    for lst in (data_areas, mdas):
        for o, s in lst:
            if off + 16 > SECTOR:
                break
            struct.pack_into("<QQ", body, off, o, s)
            off += 16
        off += 16  # terminator (zeros)
    if ext and off + 8 + 16 <= SECTOR:
        struct.pack_into("<II", body, off, 2, 1)
    crc = lvm_crc(bytes(body[20:]))
    if bad_crc:
        crc ^= 1
    struct.pack_into("<I", body, 16, crc)
    return bytes(body)


def mda_header(start, size, rl0=(0, 0, 0, 0), rl1=(0, 0, 0, 0), magic=MDA_MAGIC,
               version=1, bad_crc=False):
    """The 512-byte metadata area header; rlN = (offset, size, checksum, flags)."""
    h = bytearray(SECTOR)
    h[4:20] = magic
    struct.pack_into("<IQQ", h, 20, version, start, size)
    struct.pack_into("<QQII", h, 40, *rl0)
    struct.pack_into("<QQII", h, 64, *rl1)
    crc = lvm_crc(bytes(h[4:]))
    if bad_crc:
        crc ^= 1
    struct.pack_into("<I", h, 0, crc)
    return bytes(h)


def ring_write(img, area_abs, area_size, off, data):
    """Write data into the ring at relative off, wrapping to +512 as LVM2 does."""
    first = min(len(data), area_size - off)
    img[area_abs + off:area_abs + off + first] = data[:first]
    rest = data[first:]
    if rest:
        img[area_abs + SECTOR:area_abs + SECTOR + len(rest)] = rest


def build_pv(text, pv_uuid, size, mda_abs=4096, mda_size=8192, pe_start=None,
             text_off=512, seed=None, text_bytes=None):
    """A PV image (bytearray): label in sector 1, one mda holding text as the
    committed copy at text_off, data area from pe_start (filled with a seeded
    pattern when seed is given)."""
    if pe_start is None:
        pe_start = mda_abs + mda_size
    img = bytearray(size)
    if seed is not None and size > pe_start:
        r = random.Random("data:%s" % seed)
        img[pe_start:] = r.randbytes(size - pe_start)
    data = text_bytes if text_bytes is not None else text.encode() + b"\0"
    img[SECTOR:2 * SECTOR] = label_sector(pv_uuid, size, [(pe_start, 0)], [(mda_abs, mda_size)])
    crc = 0
    if data:
        ring_write(img, mda_abs, mda_size, text_off, data)
        crc = lvm_crc(data)
    img[mda_abs:mda_abs + SECTOR] = mda_header(mda_abs, mda_size, (text_off, len(data), crc, 0))
    return img


class VG:
    """A small VG text, written the way LVM2 writes it."""

    def __init__(self, name="vg0", seqno=1, extent_size=8, seed="vg"):
        self.name = name
        self.id = dashed(uuid_for("vg:%s" % seed))
        self.seqno = seqno
        self.extent_size = extent_size
        self.pvs = []   # (name, text id, dev_size, pe_start, pe_count)
        self.lvs = []   # (name, visible, [segment text])
        self.seed = seed

    def add_pv(self, dev_size, pe_start, pe_count, name=None):
        name = name or "pv%d" % len(self.pvs)
        raw = uuid_for("pv:%s:%s" % (self.seed, name))
        self.pvs.append((name, dashed(raw), dev_size, pe_start, pe_count))
        return raw

    def add_lv(self, name, segments, visible=True, extra=""):
        self.lvs.append((name, visible, segments, extra))

    @staticmethod
    def seg(start, count, type_, body):
        return (start, count, type_, body)

    def text(self):
        o = []
        o.append("%s {\nid = \"%s\"\nseqno = %d\nformat = \"lvm2\"\n"
                 "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\n"
                 "extent_size = %d\nmax_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n\n"
                 % (self.name, self.id, self.seqno, self.extent_size))
        o.append("physical_volumes {\n")
        for name, pid, dev_size, pe_start, pe_count in self.pvs:
            o.append("\n%s {\nid = \"%s\"\ndevice = \"/dev/fuzz\"\n\n"
                     "status = [\"ALLOCATABLE\"]\nflags = []\ndev_size = %d\n"
                     "pe_start = %d\npe_count = %d\n}\n" % (name, pid, dev_size, pe_start, pe_count))
        o.append("}\n")
        if self.lvs:
            o.append("\nlogical_volumes {\n")
            for i, (name, visible, segs, extra) in enumerate(self.lvs):
                status = '"READ", "WRITE", "VISIBLE"' if visible else '"READ", "WRITE"'
                o.append("\n%s {\nid = \"%s\"\nstatus = [%s]\nflags = []\n%s"
                         "creation_time = 1700000000\ncreation_host = \"fuzz\"\n"
                         "segment_count = %d\n"
                         % (name, dashed(uuid_for("lv:%s:%s" % (self.seed, name))), status,
                            extra, len(segs)))
                for k, (start, count, type_, body) in enumerate(segs):
                    o.append("\nsegment%d {\nstart_extent = %d\nextent_count = %d\n\n"
                             "type = \"%s\"\n%s}\n" % (k + 1, start, count, type_, body))
                o.append("}\n")
            o.append("}\n")
        o.append("}\n# Generated by LVM2 version 2.03.16(2) (2022-05-18): Thu Jan  1 00:00:00 2024\n\n"
                 "contents = \"Text Format Volume Group\"\nversion = 1\n\n"
                 "description = \"fuzz seed\"\n\ncreation_host = \"fuzz\"\n"
                 "creation_time = 1700000000\t# Thu Jan  1 00:00:00 2024\n\n")
        return "".join(o)


def striped(areas, stripe_size=None):
    """Body of a striped segment: areas = [(pv or lv name, start)]."""
    b = "stripe_count = %d\n" % len(areas)
    if stripe_size is not None:
        b += "stripe_size = %d\n" % stripe_size
    b += "\nstripes = [\n" + ",\n".join('"%s", %d' % a for a in areas) + "\n]\n"
    return b
