"""tests/python/test_mlvm.py - the Python module mlvm against the fixtures.

Run by tests/cli/python.sh (make check) with the module on PYTHONPATH and
MLVM pointing at the mlvm program. The expected answers come from LVM2:
the fixtures' lvs.json, vgs.json and pvs.json (LV names, uuids, sizes),
ring-history.txt (what each seqno of the wrapped fixture did, and where
LVM2 wrote it); the bytes are compared with `mlvm export` of the same LV,
which export.sh checks against an independent oracle.
"""

import hashlib
import json
import lzma
import os
import shutil
import subprocess
import tempfile
import unittest

import mlvm

TOP_SRCDIR = os.environ.get(
    "top_srcdir", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(TOP_SRCDIR, "fixtures", "images")
MLVM = os.environ.get("MLVM", "mlvm")
TMP = None


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="mlvm-python.")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def images(name):
    """the fixture's images, decompressed once into TMP"""
    src = os.path.join(FIXTURES, name)
    out = os.path.join(TMP, name)
    os.makedirs(out, exist_ok=True)
    paths = []
    for f in sorted(os.listdir(src)):
        if f.startswith("pv") and f.endswith(".img.xz"):
            p = os.path.join(out, f[:-3])
            if not os.path.exists(p):
                with lzma.open(os.path.join(src, f)) as i, open(p, "wb") as o:
                    shutil.copyfileobj(i, o)
            paths.append(p)
    return paths


def lvm2(name, what):
    """rows of the fixture's LVM2 report what (lvs, vgs, pvs)"""
    with open(os.path.join(FIXTURES, name, what + ".json")) as f:
        rep = json.load(f)["report"][0]
    for key in ("seg", "lv", "vg", "pv"):
        if key in rep:
            return rep[key]
    raise KeyError(what)


def exported(imgs, spec, *extra):
    """sha256 of `mlvm export --lv spec` of imgs"""
    out = os.path.join(TMP, "export.img")
    if os.path.exists(out):
        os.unlink(out)
    r = subprocess.run([MLVM, "export", "--lv", spec, "-o", out, "--no-sha256"] + list(extra) + imgs,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise AssertionError("mlvm export %s: %s" % (spec, r.stderr.decode(errors="replace")))
    with open(out, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_all(lv, chunk=65536 + 4096 + 3):
    """the LV's bytes read in odd-sized chunks"""
    h = hashlib.sha256()
    off = 0
    while True:
        b = lv.read(off, chunk)
        if not b:
            break
        h.update(b)
        off += len(b)
    return h.hexdigest(), off


def ring_history():
    """{seqno: (area offset, size, command)} as recorded while LVM2 made the wrapped fixture"""
    hist = {}
    with open(os.path.join(FIXTURES, "wrapped", "ring-history.txt")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            seq, off, size, cmd = line.rstrip("\n").split(" ", 3)
            hist[int(seq)] = (int(off), int(size), cmd)
    return hist


class Version(unittest.TestCase):
    def test_version_is_the_library_version(self):
        self.assertEqual(mlvm.version(), mlvm.__version__)
        self.assertRegex(mlvm.__version__, r"^\d+\.\d+\.\d+$")


class AgainstLvm2(unittest.TestCase):
    FIXTURES = ["linear", "striped2", "striped3", "vg3pv", "multiseg", "demo", "twomda",
                "mirror", "raid", "raid0", "thin", "snapshot", "cache", "lv2000"]

    def test_vgs_pvs_lvs_match_lvm2(self):
        for fx in self.FIXTURES:
            with self.subTest(fixture=fx):
                with mlvm.open(images(fx)) as h:
                    self.assertEqual(len(h.vgs), 1)
                    vg = h.vgs[0]
                    want_vg = lvm2(fx, "vgs")[0]
                    self.assertEqual(vg.name, want_vg["vg_name"])
                    self.assertEqual(vg.uuid, want_vg["vg_uuid"])
                    if "vg_seqno" in want_vg:
                        self.assertEqual(vg.seqno, int(want_vg["vg_seqno"]))
                    if "vg_extent_size" in want_vg:
                        self.assertEqual(vg.extent_size, int(want_vg["vg_extent_size"]))
                    self.assertEqual(sorted(p.uuid for p in vg.pvs),
                                     sorted({r["pv_uuid"] for r in lvm2(fx, "pvs")}))
                    for p in vg.pvs:
                        self.assertFalse(p.missing)
                        self.assertIn(p.image, h.images)
                    want = {}
                    for r in lvm2(fx, "lvs"):
                        want[r["lv_name"]] = (r["lv_uuid"], int(r["lv_size"]))
                    got = {}
                    for lv in vg.all_lvs:
                        name = lv.name if lv.visible else "[%s]" % lv.name
                        got[name] = (lv.uuid, lv.size)
                    # lvs lists every LV LVM2 shows (hidden ones in brackets)
                    for name, v in want.items():
                        self.assertEqual(got.get(name), v, "%s: lv %s" % (fx, name))
                    visible = {n for n in want if not n.startswith("[")}
                    self.assertEqual({lv.name for lv in vg.lvs}, visible)

    def test_lv_lookup_by_name(self):
        with mlvm.open(images("linear")) as h:
            vg = h.vg("fx_linear")
            lv = vg.lv("lv_medium")
            self.assertEqual(lv.uuid, "8RcHuF-9Vce-TAgf-S1hl-qCR9-ozW5-Vebgie")
            self.assertEqual(lv.vg_name, "fx_linear")
            self.assertEqual(lv.segment_types, ("striped",))
            with self.assertRaises(KeyError):
                vg.lv("no_such_lv")
            with self.assertRaises(KeyError):
                h.vg("no_such_vg")


class Bytes(unittest.TestCase):
    def test_lv_bytes_equal_mlvm_export(self):
        for fx in ["linear", "striped3", "multiseg", "raid", "thin", "snapshot"]:
            imgs = images(fx)
            # old-style snapshots (lv_attr "s...") name their origin
            sizes = {r["lv_name"]: (int(r["lv_size"]),
                                    r.get("origin") if r["lv_attr"].startswith("s") else None)
                     for r in lvm2(fx, "lvs")}
            with mlvm.open(imgs) as h:
                vg = h.vgs[0]
                for lv in vg.lvs:
                    with self.subTest(fixture=fx, lv=lv.name):
                        try:
                            got, n = read_all(lv)
                        except OSError as e:
                            # export must refuse the same LV
                            with self.assertRaises(AssertionError):
                                exported(imgs, "%s/%s" % (vg.name, lv.name))
                            self.assertTrue(str(e))
                            continue
                        self.assertEqual(n, lv.data_size)
                        # a snapshot reads as its origin was: the origin's size (LVM2's lvs)
                        origin = sizes[lv.name][1]
                        self.assertEqual(lv.data_size, sizes[origin][0] if origin else lv.size)
                        self.assertEqual(got, exported(imgs, "%s/%s" % (vg.name, lv.name)))
                        self.assertEqual(lv.missing_ranges, [])

    def test_read_bounds(self):
        with mlvm.open(images("linear")) as h:
            lv = h.vgs[0].lv("lv_small")
            whole = lv.read(0, lv.size)
            self.assertEqual(len(whole), lv.size)
            self.assertEqual(lv.read(lv.size - 10, 100), whole[-10:])
            self.assertEqual(lv.read(lv.size, 100), b"")
            self.assertEqual(lv.read(lv.size + 12345, 1), b"")
            self.assertEqual(lv.read(1000, 0), b"")
            self.assertEqual(lv.read(4095, 2), whole[4095:4097])
            with self.assertRaises(ValueError):
                lv.read(-1, 10)
            with self.assertRaises(ValueError):
                lv.read(0, -1)
            with self.assertRaises(ValueError):
                lv.read(0, 1 << 40)

    def test_missing_pv_reads_zeros_and_says_so(self):
        # degraded without its last image: pv2 missing
        imgs = images("degraded")[:2]
        with mlvm.open(imgs) as h:
            vg = h.vgs[0]
            missing = [p for p in vg.pvs if p.missing]
            self.assertEqual(len(missing), 1)
            self.assertIsNone(missing[0].image)
            lv = vg.lv("on_pv2")
            data = lv.read(0, lv.size)
            self.assertEqual(data, bytes(lv.size))
            self.assertEqual(lv.missing_ranges, [(0, lv.size)])
            codes = {w.code for w in h.warnings}
            self.assertIn("lv_pv_missing", codes)
            for w in h.warnings:
                self.assertIn(w.severity, ("notice", "warning", "error"))
                self.assertTrue(w.message and w.message == w.message.rstrip("."))
                self.assertTrue(w.offset is None or w.offset >= 0)
            # the same zeros as export --allow-missing
            self.assertEqual(hashlib.sha256(data).hexdigest(),
                             exported(imgs, "on_pv2", "--allow-missing"))
            ok = vg.lv("on_pv1")
            self.assertEqual(hashlib.sha256(ok.read(0, ok.size)).hexdigest(),
                             exported(imgs, "on_pv1"))
            self.assertEqual(ok.missing_ranges, [])


class Generations(unittest.TestCase):
    def setUp(self):
        self.imgs = images("wrapped")
        self.hist = ring_history()
        self.h = mlvm.open(self.imgs)
        self.vg = self.h.vgs[0]

    def tearDown(self):
        self.h.close()

    def test_generations_are_where_lvm2_wrote_them(self):
        gens = self.vg.generations
        intact = [g for g in gens if g.intact]
        self.assertTrue(len(intact) >= 5)
        self.assertEqual(intact[-1].seqno, max(self.hist))
        self.assertTrue(intact[-1].committed)
        for g in intact:
            off, size, cmd = self.hist[g.seqno]
            self.assertEqual(g.vg_name, "fx_wrapped")
            self.assertEqual(g.vg_uuid, self.vg.uuid)
            self.assertEqual(g.image, self.imgs[0])
            self.assertEqual(g.offset, 4096 + off)       # mda1 at 4096
            self.assertIn(g.size, (size, size + 1))
            self.assertEqual(g.state, "ok")
            self.assertIn(cmd.split()[0], g.description)
            self.assertIsInstance(g.creation_time, int)
        self.assertEqual([g.seqno for g in self.h.generations if g.vg_uuid == self.vg.uuid],
                         [g.seqno for g in gens])

    def test_generations_are_what_pvck_finds(self):
        # pvck --dump metadata_search: "metadata at OFFSET length N crc C vg V seqno S id U"
        want = set()
        with open(os.path.join(FIXTURES, "wrapped", "pv0.mda1.pvck-metadata_search.txt")) as f:
            for line in f:
                w = line.split()
                if w[:2] == ["metadata", "at"] and "seqno" in w:
                    want.add((int(w[w.index("seqno") + 1]), int(w[2]), w[w.index("id") + 1]))
        got = {(g.seqno, g.offset, g.vg_uuid) for g in self.vg.generations if g.intact}
        self.assertTrue(want)
        self.assertEqual(got, want)

    def test_each_intact_generation_opens_as_lvm2_left_it(self):
        hist = self.hist
        intact = sorted(g.seqno for g in self.vg.generations if g.intact)
        names = None
        for seq in intact:
            with self.h.at_generation(seq) as old:
                self.assertEqual(old.generation, seq)
                self.assertEqual(len(old.vgs), 1)
                self.assertEqual(old.vgs[0].seqno, seq)
                self.assertIn("generation", {w.code for w in old.warnings})
                now = {lv.name for lv in old.vgs[0].lvs}
            if names is not None:
                cmd = hist[seq][2].split()
                if cmd[0] == "lvcreate":
                    self.assertEqual(now - names, {cmd[cmd.index("-n") + 1]})
                elif cmd[0] == "lvrename":
                    self.assertEqual(names - now, {cmd[2]})
                    self.assertEqual(now - names, {cmd[3]})
                elif cmd[0] == "lvremove":
                    self.assertEqual(names - now, {cmd[-1].split("/")[1]})
                    self.assertEqual(now - names, set())
                else:
                    self.assertEqual(now, names, cmd)
            names = now

    def test_removed_lv_reads_as_of_its_generation(self):
        # the newest lvremove in the ring: the LV is in the generation before
        removes = [s for s, (_, _, c) in self.hist.items() if c.startswith("lvremove")]
        seq = max(s for s in removes if s - 1 in {g.seqno for g in self.vg.generations if g.intact})
        gone = self.hist[seq][2].split()[-1].split("/")[1]
        with self.assertRaises(KeyError):
            self.vg.lv(gone)
        vg_then = self.vg.at_generation(seq - 1)
        lv = vg_then.lv(gone)
        data = lv.read(0, lv.size)
        self.assertEqual(len(data), lv.size)
        self.assertEqual(hashlib.sha256(data).hexdigest(),
                         exported(self.imgs, gone, "--generation", str(seq - 1)))

    def test_lv_at_generation_follows_its_uuid_across_a_rename(self):
        renames = {s: c.split() for s, (_, _, c) in self.hist.items() if c.startswith("lvrename")}
        intact = {g.seqno for g in self.vg.generations if g.intact}
        seq = max(s for s in renames if s - 1 in intact)
        new = renames[seq][3]
        lv = self.vg.lv(new)
        before = lv.at_generation(seq - 1)
        self.assertEqual(before.name, renames[seq][2])
        self.assertEqual(before.uuid, lv.uuid)
        self.assertEqual(before.read(0, before.size), lv.read(0, lv.size))

    def test_a_generation_not_in_the_images_is_an_error(self):
        with self.assertRaises(OSError) as e:
            self.h.at_generation(1)
        self.assertIn("generation 1", str(e.exception))
        with self.assertRaises(OSError):
            mlvm.open(self.imgs, generation=10 ** 6)
        with self.assertRaises(ValueError):
            mlvm.open(self.imgs, generation=-1)


class Errors(unittest.TestCase):
    def test_an_image_that_cannot_be_opened(self):
        path = os.path.join(TMP, "no-such.img")
        with self.assertRaises(FileNotFoundError) as e:
            mlvm.open([path])
        self.assertIn(path, str(e.exception))
        with self.assertRaises(ValueError):
            mlvm.open([])
        with self.assertRaises(TypeError):
            mlvm.open(42)

    def test_no_vg_is_not_an_error(self):
        blank = os.path.join(TMP, "blank.img")
        with open(blank, "wb") as f:
            f.truncate(1 << 20)
        with mlvm.open(blank) as h:
            self.assertEqual(h.vgs, ())
            self.assertEqual(h.generations, [])

    def test_a_closed_handle(self):
        h = mlvm.open(images("linear"))
        lv = h.vgs[0].lvs[0]
        vg = h.vgs[0]
        lv.read(0, 10)
        h.close()
        self.assertTrue(h.closed)
        for f in (lambda: h.vgs, lambda: vg.lvs, lambda: lv.read(0, 10), lambda: lv.size,
                  lambda: h.warnings):
            with self.assertRaises(ValueError):
                f()
        h.close()   # twice is fine

    def test_objects_outlive_what_made_them(self):
        lv = mlvm.open(images("linear")).vgs[0].lv("lv_small")
        self.assertEqual(len(lv.read(0, 512)), 512)


if __name__ == "__main__":
    unittest.main()
