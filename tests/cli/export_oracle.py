#!/usr/bin/env python3
"""The expected bytes of every LV of a fixture, from LVM2's recorded answers.

usage: export_oracle.py [--degraded] [--check] [--write DIR] FIXTURE_DIR
       export_oracle.py --self-test

For each LV of the fixture's VG this computes what `mlvm export` must write,
independently of mlvm's C code: from the images (manifest.json), LVM2's
vgcfgbackup.txt and lvs.json (the PE ranges and stripe sizes LVM2 itself
reported), and, for thin LVs, the dm-thin mapping thin_dump read back from
the image (thin-metadata.xml). It prints JSON:

  {"fixture", "vg", "degraded", "omitted_pvs": [...],
   "lvs": {LV: {"size", "sha256", "missing_ranges": [[start, length], ...],
                "hole_ranges": [...]   (known zeros with no storage: thin
                                        unmapped blocks, zero segments),
                "legs": {N: {"sha256", "missing_ranges"}}  (mirror, raid1),
                "warnings": [...],     (cache, writecache)
                "skip": reason}},      (an LV with no data of its own)
   "checks": [...]}                    (what --check verified)

--degraded leaves out the images of manifest["missing_pvs"] (the fixture's
missing-PV case). --check also verifies every LV against the seeded content
the fixture generator recorded (manifest["content"]): the same sha256 when
nothing is missing, else the seeded bytes where readable and zeros where
missing; and that every raid4/5/6 stripe's parity (P, and Q for raid6) is
consistent. --write DIR writes each LV's expected bytes to DIR/<LV>.img.
Exit status 0, or 1 when a check fails.

Mappings (the facts, with their sources):
  striped/linear/raid0: chunk c of stripe_size goes to area c % n at chunk
    c / n of that area (LVM2 lib/metadata, the dm-stripe target).
  mirror/raid1: every leg a full copy; the first leg, others filling what it
    cannot give.
  raid4/5/6: drivers/md/raid5.c raid5_compute_sector: chunk c is in stripe
    c / k (k data devices) at position c % k, then per algorithm; dm-raid's
    raid4 is ALGORITHM_PARITY_0 (parity on the first image, drivers/md/
    dm-raid.c raid_types, passed through by lvm2 lib/raid/raid.c);
    raid6_zr/nr/nc are md's "ddf" layouts, whose Q is sum g^i * D_i over
    device index i (raid6_idx_to_slot), GF(2^8) with polynomial 0x11d.
  raid10: md near layout (raid10.c __raid10_find_phys): copy r of chunk c
    is at virtual slot c*copies + r, device slot % n, chunk row slot / n.
  data_offset (sectors) shifts data inside each image; a segment's
    extent_count includes reshape_count extents per data image.
  thin: blocks of chunk_size through the thin_dump mapping, unmapped = zeros.
  snapshot: drivers/md/dm-snap-persistent.c: chunk 0 header (magic
    0x70416e53, valid, version 1, chunk_size), exception areas of
    chunk_size/16 {old, new} le64 pairs at chunk 1 + i * (per_area + 1),
    ended by new_chunk == 0; the snapshot is the origin with them applied.
  cache/writecache: the origin (the cache may hold newer blocks: warning).
  zero: zeros; error: zeros, missing.
"""
import hashlib
import json
import lzma
import os
import random
import struct
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lvmtext  # noqa: E402

# ------------------------------------------------------------------ GF(2^8)
def _gf_mul2(x):
    x <<= 1
    return (x ^ 0x11d) if x & 0x100 else x


MUL2 = bytes(_gf_mul2(v) for v in range(256))


def xor(a, b):
    return (int.from_bytes(a, 'little') ^ int.from_bytes(b, 'little')).to_bytes(len(a), 'little')


def syndrome(blocks):
    """Q = sum over i of g^i * blocks[i] (None = zeros), by Horner's rule"""
    n = len(next(b for b in blocks if b is not None))
    q = bytes(n)
    for b in reversed(blocks):
        q = q.translate(MUL2)
        if b is not None:
            q = xor(q, b)
    return q


# ------------------------------------------------------------------ md layouts
def raid5_compute(kind, n, c):
    """(stripe, data device, P device, Q device or None) of data chunk c,
    as drivers/md/raid5.c raid5_compute_sector works it out"""
    raid6 = kind.startswith('raid6')
    k = n - (2 if raid6 else 1)
    stripe, dd = divmod(c, k)
    s2 = stripe % n
    qd = None
    if kind == 'raid4':                # dm-raid: level 5, ALGORITHM_PARITY_0
        pd = 0
        dd += 1
    elif kind == 'raid5_n':            # ALGORITHM_PARITY_N
        pd = k
    elif kind == 'raid5_la':
        pd = k - s2
        if dd >= pd:
            dd += 1
    elif kind == 'raid5_ra':
        pd = s2
        if dd >= pd:
            dd += 1
    elif kind == 'raid5_ls':
        pd = k - s2
        dd = (pd + 1 + dd) % n
    elif kind == 'raid5_rs':
        pd = s2
        dd = (pd + 1 + dd) % n
    elif kind in ('raid6_zr', 'raid6_nr'):
        pd = s2 if kind == 'raid6_zr' else n - 1 - (stripe + 1) % n
        qd = pd + 1
        if pd == n - 1:
            dd += 1
            qd = 0
        elif dd >= pd:
            dd += 2
    elif kind == 'raid6_nc':
        pd = n - 1 - s2
        qd = (pd + n - 1) % n
        dd = (pd + 1 + dd) % n
    else:
        raise ValueError('no md layout for ' + kind)
    return stripe, dd, pd, qd


def raid10_near(n, copies, c):
    """[(device, row)] of the copies of chunk c (md raid10 near layout)"""
    return [((c * copies + r) % n, (c * copies + r) // n) for r in range(copies)]


# ------------------------------------------------------------------ ranges
def ranges(mask, want):
    """[[start, len]] where mask[i] == want"""
    out, i, n = [], 0, len(mask)
    while i < n:
        j = mask.find(bytes([want]), i)
        if j < 0:
            break
        k = mask.find(bytes([1 - want]), j)
        if k < 0:
            k = n
        out.append([j, k - j])
        i = k
    return out


class Bytes:
    """an LV's bytes with a mask: 1 readable, 0 missing; and a holes mask"""

    def __init__(self, size):
        self.data = bytearray(size)
        self.known = bytearray(size)
        self.hole = bytearray(size)

    def put(self, off, other, o_off, length):
        self.data[off:off + length] = other.data[o_off:o_off + length]
        self.known[off:off + length] = other.known[o_off:o_off + length]
        self.hole[off:off + length] = other.hole[o_off:o_off + length]

    def complete(self, a, b):
        return self.known.find(0, a, b) < 0


# ------------------------------------------------------------------ the oracle
class Oracle:
    def __init__(self, fixture, degraded=False):
        self.dir = fixture
        self.manifest = json.load(open(os.path.join(fixture, 'manifest.json')))
        self.vgname, self.vg = lvmtext.vg_section(
            lvmtext.parse(open(os.path.join(fixture, 'vgcfgbackup.txt')).read()))
        self.ext = self.vg['extent_size'] * 512
        self.lvs = self.vg.get('logical_volumes', {})
        rows = []
        for rep in json.load(open(os.path.join(fixture, 'lvs.json')))['report']:
            rows.extend(rep.get('seg', []))
        self.rows = {}
        for r in rows:
            name = r['lv_name'].strip('[]')
            self.rows.setdefault(name, []).append(r)
        self.omitted = list(self.manifest.get('missing_pvs', [])) if degraded else []
        # PV images: by the uuid LVM2 recorded, and by the loop device name
        # lvs.json uses
        self.by_uuid = {}
        self.by_dev = {}
        omit_files = set(p + '.img.xz' for p in self.omitted)
        for pv in self.manifest['pvs']:
            img = None
            if pv['file'] not in omit_files:
                with lzma.open(os.path.join(fixture, pv['file'])) as f:
                    img = f.read()
            entry = (img, pv['pe_start'])
            self.by_uuid[pv['pv_uuid']] = entry
            self.by_dev[pv['recorded_as']] = entry
        self.cache = {}
        self.warnings = {}
        self.legs = {}
        self.parity_rows = 0
        self.parity_bad = []

    # -- helpers
    def segments(self, lv):
        d = self.lvs[lv]
        return [d['segment%d' % (i + 1)] for i in range(d['segment_count'])]

    def data_images(self, seg):
        t, n = seg['type'].split('+')[0], seg.get('device_count', 1)
        if t == 'raid10':
            return n // seg.get('data_copies', 2)
        if t.startswith('raid6'):
            return n - 2
        if t.startswith('raid4') or t.startswith('raid5'):
            return n - 1
        return 1

    def seg_bytes(self, seg):
        return (seg['extent_count'] - seg.get('reshape_count', 0) * self.data_images(seg)) * self.ext

    def size(self, lv):
        rows = self.rows.get(lv)
        if rows and not self.cow_of(lv):
            return int(rows[0]['lv_size'])        # LVM2's answer
        if self.cow_of(lv):                        # a snapshot: the origin's size
            return self.size(self.cow_of(lv)['origin'])
        return sum(self.seg_bytes(s) for s in self.segments(lv))

    def cow_of(self, lv):
        """the snapshot segment whose COW store lv is (or lv's own)"""
        for name, d in self.lvs.items():
            for s in self.segments(name):
                if s['type'] == 'snapshot' and (s.get('cow_store') == lv or name == lv):
                    return s
        return None

    def pv_area(self, pvname):
        return self.by_uuid[self.vg['physical_volumes'][pvname]['id']]

    # -- reading
    def read(self, lv, leg=None, raw=False):
        """lv's bytes; raw: a snapshot's COW LV itself, not the snapshot"""
        key = (lv, leg, raw)
        if key not in self.cache:
            self.cache[key] = self._read(lv, leg, raw)
        return self.cache[key]

    def _read(self, lv, leg, raw):
        snap = None if raw else self.cow_of(lv)
        if snap is not None:
            return self.snapshot(snap)
        size = self.size(lv) if not raw else sum(self.seg_bytes(s) for s in self.segments(lv))
        out = Bytes(size)
        pos = 0
        for seg in self.segments(lv):
            length = min(self.seg_bytes(seg), len(out.data) - pos)
            part = self.read_seg(lv, seg, length, leg)
            out.put(pos, part, 0, length)
            pos += length
        return out

    def read_seg(self, lv, seg, length, leg):
        t = seg['type'].split('+')[0]
        if t in ('striped', 'raid0', 'raid0_meta'):
            return self.striped(lv, seg, length)
        if t == 'zero':
            b = Bytes(length)
            b.known[:] = b'\1' * length
            b.hole[:] = b'\1' * length
            return b
        if t == 'error':
            return Bytes(length)
        if t in ('mirror', 'raid1'):
            if t == 'mirror':
                legs = [(a, le * self.ext) for a, le in zip(seg['mirrors'][0::2], seg['mirrors'][1::2])]
            else:
                legs = [(im, 0) for im in seg['raids'][1::2]]
            reads = [self.read(im) for im, _ in legs]
            self.legs[lv] = [(r, off) for r, (_, off) in zip(reads, legs)]
            order = list(range(len(legs)))
            if leg is not None:
                order = [leg]
            out = Bytes(length)
            for i in reversed(order):            # the first leg wins, others fill
                r, off = reads[i], legs[i][1]
                for a, ln in ranges(r.known[off:off + length], 1):
                    out.put(a, r, off + a, ln)
            return out
        if t == 'raid10':
            return self.raid10(seg, length)
        if t.startswith('raid4') or t.startswith('raid5') or t.startswith('raid6'):
            return self.raid456(lv, seg, t, length)
        if t == 'thin':
            return self.thin(lv, seg, length)
        if t in ('cache', 'writecache'):
            self.warnings.setdefault(lv, []).append(
                '%s: the cache may hold blocks newer than the origin %s' % (t, seg['origin']))
            o = self.read(seg['origin'])
            out = Bytes(length)
            out.put(0, o, 0, length)
            return out
        raise NotImplementedError(t)

    def striped(self, lv, seg, length):
        """striped/linear over PVs, raid0 over sub-LVs: PE ranges and stripe
        size as LVM2 reported them in lvs.json"""
        row = [r for r in self.rows[lv] if int(r['seg_start_pe']) == seg['start_extent']][0]
        areas = []
        for rng in row['seg_pe_ranges'].split():
            where, span = rng.rsplit(':', 1)
            first = int(span.split('-')[0])
            if where.startswith('/dev/'):
                img, pe_start = self.by_dev[where]
                areas.append(('pv', img, pe_start + first * self.ext))
            else:
                areas.append(('lv', self.read(where), first * self.ext))
        n = len(areas)
        assert n == int(row['stripes']), row
        chunk = int(row['stripe_size']) if n > 1 else length
        out = Bytes(length)
        pos = 0
        while pos < length:
            c, within = divmod(pos, chunk)
            take = min(chunk - within, length - pos)
            kind, src, base = areas[c % n]
            off = base + (c // n) * chunk + within
            if kind == 'pv':
                if src is not None:
                    out.data[pos:pos + take] = src[off:off + take]
                    out.known[pos:pos + take] = b'\1' * take
            else:
                out.put(pos, src, off, take)
            pos += take
        return out

    def raid456(self, lv, seg, t, length):
        images = [self.read(im) for im in seg['raids'][1::2]]
        n = len(images)
        chunk = seg['stripe_size'] * 512
        doff = seg.get('data_offset', 0) * 512
        k = n - (2 if t.startswith('raid6') else 1)
        out = Bytes(length)
        rows_seen = set()
        for c in range(length // chunk):
            stripe, dd, pd, qd = raid5_compute(t, n, c)
            off = doff + stripe * chunk
            src = images[dd]
            if stripe not in rows_seen:
                rows_seen.add(stripe)
                self.check_parity(lv, t, images, stripe, off, chunk, pd, qd)
            if src.complete(off, off + chunk):
                out.put(c * chunk, src, off, chunk)
                continue
            # rebuild from P and the other data devices (not Q)
            others = [i for i in range(n) if i not in (dd, qd)]
            if all(images[i].complete(off, off + chunk) for i in others):
                blk = bytes(chunk)
                for i in others:
                    blk = xor(blk, bytes(images[i].data[off:off + chunk]))
                out.data[c * chunk:(c + 1) * chunk] = blk
                out.known[c * chunk:(c + 1) * chunk] = b'\1' * chunk
            else:
                out.put(c * chunk, src, off, chunk)
        return out

    def check_parity(self, lv, t, images, stripe, off, chunk, pd, qd):
        if not all(im.complete(off, off + chunk) for im in images):
            return
        blocks = [bytes(im.data[off:off + chunk]) for im in images]
        p = bytes(chunk)
        for i, b in enumerate(blocks):
            if i not in (pd, qd):
                p = xor(p, b)
        self.parity_rows += 1
        if p != blocks[pd]:
            self.parity_bad.append('%s stripe %d: P on image %d does not match' % (lv, stripe, pd))
        if qd is not None:
            q = syndrome([b if i not in (pd, qd) else None for i, b in enumerate(blocks)])
            if q != blocks[qd]:
                self.parity_bad.append('%s stripe %d: Q on image %d does not match' % (lv, stripe, qd))

    def raid10(self, seg, length):
        images = [self.read(im) for im in seg['raids'][1::2]]
        n, copies = len(images), seg.get('data_copies', 2)
        chunk = seg['stripe_size'] * 512
        doff = seg.get('data_offset', 0) * 512
        out = Bytes(length)
        for c in range(length // chunk):
            places = raid10_near(n, copies, c)
            whole = [(d, row) for d, row in places
                     if images[d].complete(doff + row * chunk, doff + (row + 1) * chunk)]
            d, row = (whole or places)[0]        # the first intact copy
            out.put(c * chunk, images[d], doff + row * chunk, chunk)
        return out

    def thin(self, lv, seg, length):
        pool = self.segments(seg['thin_pool'])[0]
        chunk = pool['chunk_size'] * 512
        tdata = self.read(pool['pool'])
        tree = ET.parse(os.path.join(self.dir, 'thin-metadata.xml')).getroot()
        assert int(tree.get('data_block_size')) == pool['chunk_size']
        dev = [d for d in tree.findall('device') if int(d.get('dev_id')) == seg['device_id']]
        out = Bytes(length)
        out.known[:] = b'\1' * length
        out.hole[:] = b'\1' * length
        for m in (dev[0] if dev else []):
            if m.tag == 'single_mapping':
                vb, db, ln = int(m.get('origin_block')), int(m.get('data_block')), 1
            else:
                vb, db, ln = int(m.get('origin_begin')), int(m.get('data_begin')), int(m.get('length'))
            a = vb * chunk
            take = min(ln * chunk, length - a)
            if take > 0:
                out.put(a, tdata, db * chunk, take)
                out.hole[a:a + take] = bytes(take)
        return out

    def snapshot(self, seg):
        origin = self.read(seg['origin'])
        cow = self.read(seg['cow_store'], raw=True)
        out = Bytes(len(origin.data))
        out.put(0, origin, 0, len(origin.data))
        out.hole[:] = bytes(len(out.data))
        cs = seg['chunk_size'] * 512
        magic, valid, version, hdr_cs = struct.unpack_from('<IIII', cow.data, 0)
        if not cow.complete(0, 16) or magic != 0x70416e53 or valid != 1 or version != 1 or hdr_cs != seg['chunk_size']:
            raise ValueError('%s: no valid snapshot header (magic %#x valid %d version %d chunk %d)'
                             % (seg['cow_store'], magic, valid, version, hdr_cs))
        per_area = cs // 16
        area = 0
        while True:
            base = (1 + area * (per_area + 1)) * cs
            if base + cs > len(cow.data):
                break
            full = True
            for i in range(per_area):
                old, new = struct.unpack_from('<QQ', cow.data, base + 16 * i)
                if new == 0:
                    full = False
                    break
                if (old + 1) * cs <= len(out.data):
                    out.put(old * cs, cow, new * cs, cs)
            if not full:
                break
            area += 1
        return out


def summary(b):
    return {'size': len(b.data), 'sha256': hashlib.sha256(bytes(b.data)).hexdigest(),
            'missing_ranges': ranges(b.known, 0), 'hole_ranges': ranges(b.hole, 1)}


def run(fixture, degraded, check, write):
    o = Oracle(fixture, degraded)
    res = {'fixture': os.path.basename(os.path.normpath(fixture)), 'vg': o.vgname,
           'degraded': degraded, 'omitted_pvs': o.omitted, 'lvs': {}, 'checks': []}
    failures = []
    for lv, d in o.lvs.items():
        types = set(s['type'].split('+')[0] for s in o.segments(lv))
        if types & {'thin-pool', 'cache-pool'}:
            res['lvs'][lv] = {'skip': 'a %s has no data of its own (its data and metadata are sub-LVs)' % types.pop()}
            continue
        b = o.read(lv)
        e = summary(b)
        if lv in o.warnings:
            e['warnings'] = o.warnings[lv]
        if lv in o.legs:
            e['legs'] = {}
            for i, (r, off) in enumerate(o.legs[lv]):
                leg = Bytes(len(b.data))
                leg.put(0, r, off, len(b.data))
                s = summary(leg)
                e['legs'][str(i)] = {'sha256': s['sha256'], 'missing_ranges': s['missing_ranges']}
        res['lvs'][lv] = e
        if write:
            with open(os.path.join(write, lv + '.img'), 'wb') as f:
                f.write(bytes(b.data))
    if check:
        content = o.manifest.get('content', {})
        spec = o.manifest.get('content_spec', {}).get('lvs', {})
        for lv, want in sorted(content.items()):
            got = res['lvs'].get(lv)
            if got is None or 'skip' in got:
                failures.append('%s: seeded content recorded but no expected bytes' % lv)
                continue
            if got['size'] != want['size']:
                failures.append('%s: size %d, seeded content %d' % (lv, got['size'], want['size']))
                continue
            if not got['missing_ranges']:
                ok = got['sha256'] == want['sha256']
                res['checks'].append('%s: sha256 equals the seeded content: %s' % (lv, ok))
                if not ok:
                    failures.append('%s: sha256 %s, seeded content %s' % (lv, got['sha256'], want['sha256']))
                continue
            # something is missing: compare with the regenerated seed bytes
            s = spec.get(lv, {})
            if s.get('kind', 'plain') != 'plain':
                failures.append('%s: missing ranges but no plain seed to compare with' % lv)
                continue
            truth = bytearray(random.Random(s['seed']).randbytes(want['size']))
            pos = 0
            for seg in o.segments(lv):
                ln = o.seg_bytes(seg)
                if seg['type'] in ('zero', 'error'):
                    truth[pos:pos + ln] = bytes(ln)
                pos += ln
            if hashlib.sha256(bytes(truth)).hexdigest() != want['sha256']:
                failures.append('%s: regenerated seed bytes do not match the recorded sha256' % lv)
                continue
            b = o.read(lv)
            for a, ln in ranges(b.known, 0):
                truth[a:a + ln] = bytes(ln)
            ok = bytes(truth) == bytes(b.data)
            res['checks'].append('%s: seeded content where readable, zeros in %d missing range(s): %s'
                                 % (lv, len(got['missing_ranges']), ok))
            if not ok:
                failures.append('%s: readable bytes differ from the seeded content' % lv)
        res['checks'].append('raid4/5/6 stripes with P (and Q) checked: %d, inconsistent: %d'
                             % (o.parity_rows, len(o.parity_bad)))
        failures.extend(o.parity_bad)
    res['failures'] = failures
    return res, failures


# ------------------------------------------------------------------ self-test
# Layout pictures written out by hand from the md/dm-raid documentation of
# each algorithm (rows = stripes 0.., columns = devices; numbers = data
# chunks, P/Q parity), not produced by the code above.
PICTURES = {
    ('raid5_la', 4): ['0 1 2 P', '3 4 P 5', '6 P 7 8', 'P 9 10 11'],
    ('raid5_ls', 4): ['0 1 2 P', '4 5 P 3', '8 P 6 7', 'P 9 10 11'],
    ('raid5_ra', 4): ['P 0 1 2', '3 P 4 5', '6 7 P 8', '9 10 11 P'],
    ('raid5_rs', 4): ['P 0 1 2', '5 P 3 4', '7 8 P 6', '9 10 11 P'],
    ('raid5_n', 4): ['0 1 2 P', '3 4 5 P'],
    ('raid4', 4): ['P 0 1 2', 'P 3 4 5'],
    ('raid5_ls', 3): ['0 1 P', '3 P 2', 'P 4 5'],
    ('raid6_zr', 5): ['P Q 0 1 2', '3 P Q 4 5', '6 7 P Q 8', '9 10 11 P Q', 'Q 12 13 14 P'],
    ('raid6_nr', 5): ['0 1 2 P Q', '3 4 P Q 5', '6 P Q 7 8', 'P Q 9 10 11', 'Q 12 13 14 P'],
    ('raid6_nc', 5): ['0 1 2 Q P', '4 5 Q P 3', '8 Q P 6 7', 'Q P 9 10 11', 'P 12 13 14 Q'],
}


def self_test():
    bad = []
    for (kind, n), rows in PICTURES.items():
        k = n - (2 if kind.startswith('raid6') else 1)
        for s, row in enumerate(rows):
            cells = row.split()
            for c in range(s * k, (s + 1) * k):
                stripe, dd, pd, qd = raid5_compute(kind, n, c)
                if stripe != s or cells[dd] != str(c) or cells[pd] != 'P' or (qd is not None and cells[qd] != 'Q'):
                    bad.append('%s/%d chunk %d: stripe %d dev %d P %d Q %s, picture %r'
                               % (kind, n, c, stripe, dd, pd, qd, row))
    # raid10 near, 2 copies: 4 devices "0 0 1 1 / 2 2 3 3", 3 devices "0 0 1 / 1 2 2"
    for n, pic in ((4, ['0 0 1 1', '2 2 3 3']), (3, ['0 0 1', '1 2 2'])):
        for c in range(len(pic) * n // 2):
            for d, row in raid10_near(n, 2, c):
                if pic[row].split()[d] != str(c):
                    bad.append('raid10/%d chunk %d at dev %d row %d' % (n, c, d, row))
    # GF(2^8) with 0x11d: 2 * 0x80 = 0x1d; Q of D0 = D1 = 1 is 1 ^ 2 = 3;
    # 2^8 = 0x1d, so a block at device 8 contributes 0x1d * D
    if MUL2[0x80] != 0x1d or MUL2[0x01] != 0x02:
        bad.append('GF mul2')
    if syndrome([b'\x01', b'\x01']) != b'\x03':
        bad.append('Q of [1, 1]')
    if syndrome([None] * 8 + [b'\x01']) != b'\x1d':
        bad.append('Q of g^8')
    # parity recovers any lost device of a random raid6 stripe
    rnd = random.Random('oracle-self-test')
    data = [rnd.randbytes(16) for _ in range(3)]
    p = xor(xor(data[0], data[1]), data[2])
    if xor(xor(p, data[0]), data[2]) != data[1]:
        bad.append('P rebuild')
    # a synthetic COW: two exceptions in area 0
    cs = 4096
    cow = bytearray(6 * cs)
    struct.pack_into('<IIII', cow, 0, 0x70416e53, 1, 1, 8)
    struct.pack_into('<QQQQ', cow, cs, 1, 2, 0, 3)
    cow[2 * cs:3 * cs] = b'A' * cs
    cow[3 * cs:4 * cs] = b'B' * cs
    o = Oracle.__new__(Oracle)
    o.cache = {('org', None, False): _filled(b'o' * (4 * cs)), ('cow', None, True): _filled(bytes(cow))}
    view = o.snapshot({'origin': 'org', 'cow_store': 'cow', 'chunk_size': 8})
    if bytes(view.data) != b'B' * cs + b'A' * cs + b'o' * (2 * cs):
        bad.append('snapshot exception store')
    return bad


def _filled(data):
    b = Bytes(len(data))
    b.data[:] = data
    b.known[:] = b'\1' * len(data)
    return b


def main(argv):
    if argv == ['--self-test']:
        bad = self_test()
        print(json.dumps({'self_test': 'failed' if bad else 'ok', 'failures': bad}, indent=1))
        return 1 if bad else 0
    degraded = check = False
    write = None
    args = []
    it = iter(argv)
    for a in it:
        if a == '--degraded':
            degraded = True
        elif a == '--check':
            check = True
        elif a == '--write':
            write = next(it)
        else:
            args.append(a)
    if len(args) != 1:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    res, failures = run(args[0], degraded, check, write)
    print(json.dumps(res, indent=1, sort_keys=True))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
