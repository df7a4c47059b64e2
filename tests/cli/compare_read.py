#!/usr/bin/env python3
"""Compare `mlvm read --json` on a fixture with LVM2's recorded answers.

usage: compare_read.py MLVM FIXTURE_DIR WORKDIR

The fixture directory holds the PV images (xz) and what LVM2 itself said
about them: vgcfgbackup.txt, lvs.json (one row per segment), vgs.json,
pvs.json and manifest.json (see fixtures/README.md). Every VG, PV, LV and
segment mlvm reports is checked against them, and nothing LVM2 lists may be
missing from mlvm's answer. Exit 0 when everything matches, 1 otherwise.
"""
import json
import lzma
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lvmtext  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def eq(a, b, what):
    check(a == b, '%s: mlvm says %r, LVM2 says %r' % (what, a, b))


def report_rows(path, kind):
    with open(path) as f:
        data = json.load(f)
    rows = []
    for rep in data['report']:
        rows.extend(rep.get(kind, []))
    return rows


def decompress(fixture, workdir, manifest):
    paths = []
    for pv in manifest['pvs']:
        src = os.path.join(fixture, pv['file'])
        dst = os.path.join(workdir, pv['file'][:-3] if pv['file'].endswith('.xz') else pv['file'])
        if not os.path.exists(dst):
            with lzma.open(src) as fi, open(dst, 'wb') as fo:
                while True:
                    buf = fi.read(1 << 20)
                    if not buf:
                        break
                    fo.write(buf)
        paths.append(dst)
    return paths


def strip_brackets(name):
    return name[1:-1] if name.startswith('[') and name.endswith(']') else name


def main():
    mlvm, fixture, workdir = sys.argv[1:4]
    workdir = os.path.join(workdir, os.path.basename(os.path.normpath(fixture)))
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(fixture, 'manifest.json')) as f:
        manifest = json.load(f)
    images = decompress(fixture, workdir, manifest)
    before = [os.stat(p).st_mtime_ns for p in images]
    proc = subprocess.run([mlvm, 'read', '--json'] + images, capture_output=True, text=True)
    if proc.returncode != 0:
        print('mlvm read failed (%d): %s' % (proc.returncode, proc.stderr))
        return 1
    out = json.loads(proc.stdout)
    after = [os.stat(p).st_mtime_ns for p in images]
    eq(after, before, 'image modification times')

    with open(os.path.join(fixture, 'vgcfgbackup.txt')) as f:
        backup = lvmtext.parse(f.read())
    vgname, vgtext = lvmtext.vg_section(backup)
    vgs = report_rows(os.path.join(fixture, 'vgs.json'), 'vg')
    pvs = report_rows(os.path.join(fixture, 'pvs.json'), 'pv')
    segs = report_rows(os.path.join(fixture, 'lvs.json'), 'seg')
    if not segs:
        segs = report_rows(os.path.join(fixture, 'lvs.json'), 'lv')

    mine = [v for v in out['vgs'] if v['name'] == vgname]
    eq(len(mine), 1, 'number of VGs named %s' % vgname)
    if not mine:
        return report()
    vg = mine[0]
    lvm_vg = [v for v in vgs if v['vg_name'] == vgname][0]

    # ---- VG
    eq(vg['id'], lvm_vg['vg_uuid'], 'vg id')
    eq(vg['seqno'], int(lvm_vg['vg_seqno']), 'vg seqno')
    eq(vg['extent_size'] * 512, int(lvm_vg['vg_extent_size']), 'extent size (bytes)')
    eq(vg['free_extents'], int(lvm_vg['vg_free_count']), 'free extents')
    eq(vg['extent_count'], int(lvm_vg['vg_extent_count']), 'extent count')
    eq(sorted(vg['tags']), sorted(t for t in lvm_vg['vg_tags'].split(',') if t), 'vg tags')
    eq(vg['status'], vgtext.get('status'), 'vg status')
    eq(vg['max_lv'], int(lvm_vg['max_lv']), 'max_lv')
    eq(vg['max_pv'], int(lvm_vg['max_pv']), 'max_pv')
    check(vg['source']['image'] in images, 'source image %r is one of the images' % vg['source']['image'])

    # ---- PVs: match by uuid
    by_uuid = {p['id']: p for p in vg['pvs']}
    eq(len(vg['pvs']), int(lvm_vg['pv_count']), 'pv count')
    dev_to_pvname = {}
    for lp in pvs:
        if lp.get('vg_name') != vgname:
            continue
        p = by_uuid.get(lp['pv_uuid'])
        check(p is not None, 'pv %s listed by LVM2 is missing from mlvm' % lp['pv_uuid'])
        if not p:
            continue
        dev_to_pvname[lp['pv_name']] = p['name']
        eq(p['pe_start'] * 512, int(lp['pe_start']), 'pv %s pe_start' % p['name'])
        eq(p['pe_count'], int(lp['pv_pe_count']), 'pv %s pe_count' % p['name'])
        eq(sorted(p['tags']), sorted(t for t in lp['pv_tags'].split(',') if t), 'pv %s tags' % p['name'])
        eq(p['missing'], False, 'pv %s missing' % p['name'])
        m = [x for x in manifest['pvs'] if x['pv_uuid'] == lp['pv_uuid']]
        if m:
            want = os.path.join(workdir, m[0]['file'][:-3])
            eq(p['image'], want, 'pv %s image' % p['name'])
            eq(p['offset'], 0, 'pv %s offset' % p['name'])
        t = vgtext['physical_volumes'][p['name']]
        eq(p['dev_size'], t['dev_size'], 'pv %s dev_size (vgcfgbackup)' % p['name'])
        eq(p['status'], t.get('status'), 'pv %s status (vgcfgbackup)' % p['name'])

    # ---- LVs: every LV LVM2 lists (lvs -a), hidden ones too
    lvm_lvs = {}
    for row in segs:
        if row.get('vg_name', vgname) != vgname:
            continue
        lvm_lvs.setdefault(strip_brackets(row['lv_name']), []).append(row)
    mine_lvs = {lv['name']: lv for lv in vg['lvs']}
    text_lvs = vgtext.get('logical_volumes', {})
    eq(sorted(mine_lvs), sorted(text_lvs), 'LV names (vgcfgbackup)')
    for name, rows in lvm_lvs.items():
        lv = mine_lvs.get(name)
        check(lv is not None, 'lv %s listed by LVM2 is missing from mlvm' % name)
        if not lv:
            continue
        r0 = rows[0]
        eq(lv['id'], r0['lv_uuid'], 'lv %s id' % name)
        eq(lv['size'], int(r0['lv_size']), 'lv %s size' % name)
        eq(sorted(lv['tags']), sorted(t for t in r0['lv_tags'].split(',') if t), 'lv %s tags' % name)
        eq(lv['visible'], not r0['lv_name'].startswith('['), 'lv %s visible' % name)
        rows = sorted(rows, key=lambda r: int(r['seg_start_pe']))
        eq(len(lv['segments']), len(rows), 'lv %s segment count' % name)
        for seg, row in zip(lv['segments'], rows):
            what = 'lv %s segment at %s' % (name, row['seg_start_pe'])
            eq(seg['start_extent'], int(row['seg_start_pe']), what + ' start')
            eq(seg['extent_count'], int(row['seg_size_pe']), what + ' extent count')
            lvm_type = row['segtype']
            # lvs names the type without the flags LVM2 appends in the text
            # ("cache-pool+METADATA_FORMAT", "raid5_ls+RESHAPE_DATA_OFFSET")
            mytype = seg['type'].split('+')[0]
            eq('linear' if mytype == 'striped' and len(seg['areas']) == 1 else mytype,
               lvm_type, what + ' type')
            if int(row['stripe_size']):
                eq(seg.get('stripe_size', 0) * 512, int(row['stripe_size']), what + ' stripe size')
            # areas: "/dev/loop0:16-23 /dev/loop1:14-21" or "[x_rimage_0]:0-7 ..."
            ranges = [r for r in row['seg_pe_ranges'].split() if r]
            if ranges and seg['areas'] and 'pv' in seg['areas'][0]:
                want = []
                for rg in ranges:
                    dev, span = rg.rsplit(':', 1)
                    want.append({'pv': dev_to_pvname.get(dev, dev), 'pe': int(span.split('-')[0])})
                eq(seg['areas'], want, what + ' areas')
        # every key of every segment as vgcfgbackup wrote it
        t = text_lvs[name]
        eq(lv['status'], t.get('status'), 'lv %s status (vgcfgbackup)' % name)
        eq(lv['flags'], t.get('flags', []), 'lv %s flags (vgcfgbackup)' % name)
        for i, seg in enumerate(lv['segments']):
            ts = t['segment%d' % (i + 1)]
            for key, val in ts.items():
                if key in ('start_extent', 'extent_count', 'type', 'stripe_size'):
                    eq(seg.get(key), val, 'lv %s segment%d %s (vgcfgbackup)' % (name, i + 1, key))
                else:
                    eq(seg.get(key), val, 'lv %s segment%d %s (vgcfgbackup)' % (name, i + 1, key))
            for key in ('stripes', 'mirrors', 'raids', 'raid0_lvs'):
                if key in ts:
                    want = []
                    vals = ts[key]
                    i2 = 0
                    while i2 < len(vals):
                        nm = vals[i2]
                        num = vals[i2 + 1] if i2 + 1 < len(vals) and isinstance(vals[i2 + 1], int) else None
                        kind = 'pv' if nm in vgtext['physical_volumes'] else 'lv'
                        want.append({kind: nm, ('pe' if kind == 'pv' else 'le'): num or 0})
                        i2 += 2 if num is not None else 1
                    eq(seg['areas'], want, 'lv %s segment%d areas (vgcfgbackup %s)' % (name, i + 1, key))
    for name, lv in mine_lvs.items():
        # LVM2's lvs never lists the virtual snapshotN LV of an old-style
        # snapshot (it shows the COW LV as the snapshot instead)
        virtual = [s['type'] for s in lv['segments']] == ['snapshot']
        check(name in lvm_lvs or (virtual and not lv['visible']),
              'mlvm lists lv %s that LVM2 does not' % name)

    # no warnings on a clean fixture, unless the manifest expects them
    expected = set(manifest.get('expect_warnings', []))
    for w in out.get('warnings', []):
        if w['severity'] in ('warning', 'error'):
            check(w['code'] in expected, 'unexpected warning on a clean fixture: %s' % w)
    return report()


def report():
    if failures:
        for f in failures[:50]:
            print('MISMATCH', f)
        if len(failures) > 50:
            print('... %d more' % (len(failures) - 50))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
