#!/usr/bin/env python3
"""Generations: mlvm history, read --generation, diff and dump against LVM2.

usage: check_history.py MLVM FIXTURE_DIR WORKDIR

For every metadata copy that LVM2's `pvck --dump metadata_search` found in
the fixture (recorded in pvN.mdaM.pvck-metadata_search.txt):
  - `mlvm --json history` lists it at the same absolute offset, with the same
    size, seqno and VG id, complete and parsing;
  - the copy's text, cut out of the image by this script at the place pvck
    named (following the ring wrap) and parsed by an independent reader
    (lvmtext.py), describes the same LVs, PVs and segments as
    `mlvm --json read --generation SEQNO`;
  - `mlvm dump --generation SEQNO` prints that same text.
Between consecutive generations, `mlvm --json diff` reports exactly the
changes the two texts imply. Exit 0 when all holds, 1 otherwise.
"""
import json
import lzma
import os
import re
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lvmtext  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def lvm_crc(data):
    return zlib.crc32(data, 0xf597a6cf ^ 0xffffffff) ^ 0xffffffff


def decompress(fixture, workdir, manifest):
    paths = {}
    for pv in manifest['pvs']:
        dst = os.path.join(workdir, pv['file'][:-3])
        if not os.path.exists(dst):
            with lzma.open(os.path.join(fixture, pv['file'])) as fi, open(dst, 'wb') as fo:
                fo.write(fi.read())
        paths[pv['file'].split('.')[0]] = dst
    return paths


SEARCH = re.compile(r'Searching for metadata at offset (\d+) size (\d+)')
COPY = re.compile(r'metadata at (\d+) length (\d+) crc ([0-9a-f]+) vg (\S+) seqno (\d+) id (\S+)')


def pvck_copies(fixture):
    """[(pvname, mda, area_off, area_size, off, length, crc, vg, seqno, id)]"""
    out = []
    for name in sorted(os.listdir(fixture)):
        m = re.match(r'(pv\d+)\.mda(\d)\.pvck-metadata_search\.txt$', name)
        if not m:
            continue
        area = None
        for line in open(os.path.join(fixture, name)):
            s = SEARCH.search(line)
            if s:
                area = (int(s.group(1)), int(s.group(2)))
            c = COPY.search(line)
            if c and area:
                out.append((m.group(1), int(m.group(2)), area[0], area[1], int(c.group(1)),
                            int(c.group(2)), int(c.group(3), 16), c.group(4), int(c.group(5)),
                            c.group(6)))
    return out


def ring_text(image, area_off, area_size, off, length):
    with open(image, 'rb') as f:
        rel = off - area_off
        first = min(length, area_size - rel)
        f.seek(off)
        data = f.read(first)
        if first < length:
            f.seek(area_off + 512)
            data += f.read(length - first)
    return data


def mlvm(args):
    p = subprocess.run(args, capture_output=True)
    if p.returncode < 0:
        failures.append('%s killed by signal %d' % (' '.join(args), -p.returncode))
    return p


def lv_summary_text(vgtext):
    lvs = {}
    for name, lv in vgtext.get('logical_volumes', {}).items():
        segs = []
        i = 1
        while 'segment%d' % i in lv:
            s = lv['segment%d' % i]
            segs.append((s['start_extent'], s['extent_count'], s['type']))
            i += 1
        lvs[name] = (lv['id'], sorted(lv.get('tags', [])), segs)
    return lvs


def lv_summary_json(vg):
    return {lv['name']: (lv['id'], sorted(lv['tags']),
                         [(s['start_extent'], s['extent_count'], s['type']) for s in lv['segments']])
            for lv in vg['lvs']}


def expected_changes(a, b):
    """the changes two VG texts imply, as (kind, lv name) pairs"""
    la = {lv['id']: (name, lv) for name, lv in a.get('logical_volumes', {}).items()}
    lb = {lv['id']: (name, lv) for name, lv in b.get('logical_volumes', {}).items()}
    out = set()
    for lid, (name, lv) in la.items():
        if lid not in lb:
            out.add(('lv_removed', name))
            continue
        nb, lvb = lb[lid]
        if nb != name:
            out.add(('lv_renamed', nb))

        def count(x):
            return sum(x['segment%d' % i]['extent_count'] for i in range(1, x['segment_count'] + 1))
        if count(lv) != count(lvb):
            out.add(('lv_resized', nb))
        if sorted(lv.get('tags', [])) != sorted(lvb.get('tags', [])):
            out.add(('lv_tags', nb))
        if lv.get('status') != lvb.get('status'):
            out.add(('lv_status', nb))
    for lid, (name, lv) in lb.items():
        if lid not in la:
            out.add(('lv_added', name))
    return out


def main():
    prog, fixture, workdir = sys.argv[1:4]
    name = os.path.basename(os.path.normpath(fixture))
    workdir = os.path.join(workdir, name)
    os.makedirs(workdir, exist_ok=True)
    manifest = json.load(open(os.path.join(fixture, 'manifest.json')))
    images = decompress(fixture, workdir, manifest)
    ordered = [images[pv['file'].split('.')[0]] for pv in manifest['pvs']]

    p = mlvm([prog, '--json', 'history'] + ordered)
    check(p.returncode == 0, '%s: history exit %d' % (name, p.returncode))
    hist = json.loads(p.stdout)['generations']
    texts = {}
    for (pv, mda, aoff, asize, off, length, crc, vg, seqno, vid) in pvck_copies(fixture):
        img = images[pv]
        mine = [g for g in hist if g['image'] == img and g['offset'] == off]
        check(len(mine) == 1, '%s: pvck copy %s mda%d at %d (seqno %d) listed %d times by history'
              % (name, pv, mda, off, seqno, len(mine)))
        if mine:
            g = mine[0]
            check(g['size'] == length and g['seqno'] == seqno and g['vg_id'] == vid and g['vg'] == vg,
                  '%s: copy at %d: mlvm %s, pvck size %d seqno %d vg %s' % (name, off, g, length, seqno, vg))
            check(g['complete'] and g['parse_ok'] and g['mda'] == mda,
                  '%s: copy at %d not complete/parsing: %s' % (name, off, g))
        data = ring_text(img, aoff, asize, off, length)
        check(lvm_crc(data) == crc, '%s: the bytes at %d do not have pvck\'s crc' % (name, off))
        texts.setdefault((vid, seqno), data)

    # each generation: read --generation and dump against the independent reader
    by_vg = {}
    for (vid, seqno), data in sorted(texts.items()):
        tree = lvmtext.parse(data.rstrip(b'\0').decode())
        vgname, vgtext = lvmtext.vg_section(tree)
        by_vg.setdefault(vgname, []).append((seqno, vgtext))
        p = mlvm([prog, '--json', 'read', '--vg', vgname, '--generation', str(seqno)] + ordered)
        check(p.returncode == 0, '%s: read --generation %d exit %d: %s'
              % (name, seqno, p.returncode, p.stderr[-300:]))
        if p.returncode != 0:
            continue
        out = json.loads(p.stdout)
        vg = out['vgs'][0]
        check(vg['seqno'] == seqno, '%s: read --generation %d gave seqno %d' % (name, seqno, vg['seqno']))
        want, got = lv_summary_text(vgtext), lv_summary_json(vg)
        check(want == got, '%s: generation %d LVs differ:\n  text %s\n  mlvm %s' % (name, seqno, want, got))
        check(sorted(pv['id'] for pv in vg['pvs']) ==
              sorted(pv['id'] for pv in vgtext['physical_volumes'].values()),
              '%s: generation %d PVs differ' % (name, seqno))
        p = mlvm([prog, 'dump', '--vg', vgname, '--generation', str(seqno)] + ordered)
        check(p.returncode == 0, '%s: dump --generation %d exit %d' % (name, seqno, p.returncode))
        dumped = p.stdout.split(b'\n', 1)[1] if p.stdout.startswith(b'#') else p.stdout
        check(dumped.rstrip(b'\n') == data.rstrip(b'\0').rstrip(b'\n'),
              '%s: dump --generation %d is not the text pvck found' % (name, seqno))

    # consecutive generations: diff
    for vgname, gens in by_vg.items():
        gens.sort(key=lambda x: x[0])
        for (sa, ta), (sb, tb) in zip(gens, gens[1:]):
            p = mlvm([prog, '--json', 'diff', '--vg', vgname, '--from', str(sa), '--to', str(sb)] + ordered)
            check(p.returncode == 0, '%s: diff %d..%d exit %d' % (name, sa, sb, p.returncode))
            if p.returncode:
                continue
            got = {(ch['kind'], ch['lv']) for ch in json.loads(p.stdout)['changes']
                   if ch['kind'] in ('lv_added', 'lv_removed', 'lv_renamed', 'lv_resized',
                                     'lv_tags', 'lv_status')}
            want = expected_changes(ta, tb)
            check(got == want, '%s: diff %d..%d: mlvm %s, texts imply %s' % (name, sa, sb, sorted(got), sorted(want)))

    for f in failures[:40]:
        print('MISMATCH', f)
    if len(failures) > 40:
        print('... %d more' % (len(failures) - 40))
    print('%s: %d copies, %d generations checked' % (name, len(pvck_copies(fixture)), len(texts)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
