"""thinrec.py - removed thin LVs read back from stale dm-thin metadata.

Builds, with thin_restore (thin-provisioning-tools) and fuzz/lvmimg.py, a
one-PV VG with a thin pool and two LVM generations:

  seqno 1: thin LVs keep (device 1) and gone (device 2), pool transaction 3
  seqno 2: gone removed (lvremove: a new pool transaction without device 2)

The pool metadata is that of transaction 3 (thin_restore of the older XML)
with the newer transaction's blocks written over it only where the newer
metadata space map marks a block used: dm-thin never zeroes a freed block,
so device 2's old tree and the top-level leaf that named it stay. Known
data is written into _tdata for every mapped block; the expected bytes of
each LV come from this script's own mapping tables, never from mlvm.

Variants:
  removed   device 2 removed, nothing reused
  reused    the newer transaction also creates device 3, which takes two of
            device 2's old data blocks (their bytes are rewritten)
  damaged   only the older generation, with a broken superblock (checksum
            and mapping root): the current LVs read through recovered trees

usage: thinrec.py MLVM LVMIMG_DIR TMPDIR   (prints ok:/FAIL: lines)
       thinrec.py MLVM LVMIMG_DIR TMPDIR --image FILE
           writes the "removed" variant's image only (for contract.sh)
"""
import hashlib
import json
import os
import random
import struct
import subprocess
import sys

mlvm, lvmimg_dir, tmp = sys.argv[1:4]
image_only = sys.argv[5] if len(sys.argv) == 6 and sys.argv[4] == '--image' else None
sys.path.insert(0, lvmimg_dir)
import lvmimg as L  # noqa: E402

failures = 0
BLK = 4096
DATA_BLOCK = 64 * 1024          # 128 sectors
EXT = 1 << 20                   # extent size 1 MiB
NR_DATA = 64                    # _tdata: 4 extents of 16 data blocks
VBLOCKS = 16                    # a thin LV: one extent


def ok(what):
    print('ok: ' + what)


def bad(what):
    global failures
    failures += 1
    print('FAIL: ' + what)


def check(cond, what):
    (ok if cond else bad)(what)


# ------------------------------------------------------------ dm-thin side

def dev_xml(dev, maps, tx=0):
    s = ('  <device dev_id="%d" mapped_blocks="%d" transaction="%d" creation_time="0" '
         'snap_time="0">\n' % (dev, len(maps), tx))
    for vb, db, t in sorted(maps):
        s += '    <single_mapping origin_block="%d" data_block="%d" time="%d"/>\n' % (vb, db, t)
    return s + '  </device>\n'


def pool_xml(devs, tx, time):
    return ('<superblock uuid="" time="%d" transaction="%d" version="2" data_block_size="128" '
            'nr_data_blocks="%d">\n' % (time, tx, NR_DATA)) + ''.join(devs) + '</superblock>\n'


def restore(xml, path, size=EXT):
    with open(path + '.xml', 'w') as f:
        f.write(xml)
    with open(path, 'wb') as f:
        f.truncate(size)
    subprocess.run(['thin_restore', '-q', '-i', path + '.xml', '-o', path], check=True,
                   stdout=subprocess.DEVNULL)
    with open(path, 'rb') as f:
        return bytearray(f.read())


def meta_used_blocks(meta):
    """Blocks the metadata space map marks used (2 bits a block, in bitmap
    blocks listed by the index block at the space map root's bitmap_root)."""
    nr_blocks, _alloc, bitmap_root = struct.unpack_from('<QQQ', meta, 192)
    idx = bitmap_root * BLK
    used = set()
    per = (BLK - 16) * 4
    for k in range((nr_blocks + per - 1) // per):
        bm = struct.unpack_from('<Q', meta, idx + 16 + 16 * k)[0] * BLK
        for b in range(k * per, min(nr_blocks, (k + 1) * per)):
            i = b - k * per
            if (meta[bm + 16 + i // 4] >> ((i % 4) * 2)) & 3:
                used.add(b)
    return used


def overlay(old, new):
    """new's used blocks written over old (the rest of old stays)."""
    out = bytearray(old)
    used = meta_used_blocks(new)
    for b in used:
        out[b * BLK:(b + 1) * BLK] = new[b * BLK:(b + 1) * BLK]
    return out, used


# mappings (virtual block, data block, time)
KEEP = [(0, 0, 0), (1, 1, 0), (5, 2, 0), (15, 7, 0)]
GONE = [(0, 3, 0), (2, 4, 1), (3, 5, 1), (9, 6, 1), (14, 8, 1)]
NEW3 = [(0, 4, 2), (1, 6, 2)]          # the reused variant: data blocks 4 and 6
# a removed device with a bigger tree, restored before device 2 so that
# device 2's nodes lie past what the newer transaction writes, and many
# empty removed devices so that the older top-level tree has several leaves
BULK = [(v, 60 + v % 4, 0) for v in range(2600)]
PAD = list(range(10, 400))


def older_pool():
    devs = [dev_xml(1, KEEP), dev_xml(4, BULK), dev_xml(2, GONE, tx=2)]
    devs += [dev_xml(d, []) for d in PAD]
    return pool_xml(devs, 3, 2)


def newer_pool(reused):
    devs = [dev_xml(1, KEEP)]
    if reused:
        devs.append(dev_xml(3, NEW3, tx=4))
    return pool_xml(devs, 4 if not reused else 5, 3)


def block_bytes(seed, db):
    return random.Random('%s:%d' % (seed, db)).randbytes(DATA_BLOCK)


# ------------------------------------------------------------ LVM side

def vg_text(seqno, with_gone, with_new3, tx):
    v = L.VG('trvg', seqno=seqno, extent_size=EXT // 512, seed='thinrec')
    v.add_pv(0, 0, 0)   # replaced below
    v.pvs.pop()
    v.add_lv('pool', [(0, 4, 'thin-pool',
                       'metadata = "pool_tmeta"\npool = "pool_tdata"\ntransaction_id = %d\n'
                       'chunk_size = 128\ndiscards = "passdown"\nzero_new_blocks = 1\n' % tx)])
    v.add_lv('pool_tmeta', [(0, 1, 'striped', L.striped([('pv0', 0)]))], visible=False)
    v.add_lv('pool_tdata', [(0, 4, 'striped', L.striped([('pv0', 1)]))], visible=False)
    v.add_lv('keep', [(0, 1, 'thin', 'thin_pool = "pool"\ntransaction_id = 0\ndevice_id = 1\n')])
    if with_gone:
        v.add_lv('gone', [(0, 1, 'thin', 'thin_pool = "pool"\ntransaction_id = 1\ndevice_id = 2\n')])
    if with_new3:
        v.add_lv('new3', [(0, 1, 'thin', 'thin_pool = "pool"\ntransaction_id = 4\ndevice_id = 3\n')])
    return v


MDA = 1 << 20
PE_START = 4096 + MDA
PE_COUNT = 6


def build_image(texts, meta, data_blocks):
    """One PV: texts (oldest first) in the metadata ring, the last one
    committed; pool_tmeta at PE 0, pool_tdata at PE 1..4."""
    size = PE_START + PE_COUNT * EXT
    raw = L.uuid_for('pv:thinrec:pv0')
    encoded = []
    for v in texts:
        v.pvs = [('pv0', L.dashed(raw), size // 512, PE_START // 512, PE_COUNT)]
        encoded.append(v.text().encode() + b'\0')
    img = L.build_pv('', raw, size, mda_abs=4096, mda_size=MDA, pe_start=PE_START,
                     text_bytes=b'')
    off = 512
    for data in encoded:
        L.ring_write(img, 4096, MDA, off, data)
        last = (off, len(data), L.lvm_crc(data), 0)
        off += (len(data) + 511) // 512 * 512
    img[4096:4096 + 512] = L.mda_header(4096, MDA, last)
    img[PE_START:PE_START + len(meta)] = meta
    for db, b in data_blocks.items():
        at = PE_START + EXT + db * DATA_BLOCK
        img[at:at + DATA_BLOCK] = b
    return img


def expected(maps, blocks):
    out = bytearray(VBLOCKS * DATA_BLOCK)
    for vb, db, _t in maps:
        out[vb * DATA_BLOCK:(vb + 1) * DATA_BLOCK] = blocks[db]
    return bytes(out)


def export(img, lv, gen=None, extra=()):
    out = os.path.join(tmp, 'out.bin')
    if os.path.exists(out):
        os.remove(out)
    args = [mlvm, '--json', 'export', '--lv', 'trvg/' + lv, '-o', out, '--allow-missing']
    if gen is not None:
        args += ['--generation', str(gen)]
    p = subprocess.run(args + list(extra) + [img], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode < 0:
        bad('mlvm export %s killed by signal %d' % (lv, -p.returncode))
    try:
        js = json.loads(p.stdout)
    except ValueError:
        js = {}
    data = open(out, 'rb').read() if os.path.exists(out) else None
    return p.returncode, js, data, p.stderr.decode()


def codes(js):
    return [w.get('code') for w in js.get('warnings', [])]


def warning(js, code):
    return [w for w in js.get('warnings', []) if w.get('code') == code]


def ranges_of(maps, vbs):
    """merged byte ranges of the given virtual blocks"""
    out = []
    for vb in sorted(vbs):
        s = vb * DATA_BLOCK
        if out and out[-1][0] + out[-1][1] == s:
            out[-1][1] += DATA_BLOCK
        else:
            out.append([s, DATA_BLOCK])
    return out


def main():
    old = restore(older_pool(), os.path.join(tmp, 'old.meta'))
    blocks = {db: block_bytes('v1', db) for _vb, db, _t in KEEP + GONE}

    # ---------------------------------------------------------- removed
    for variant in ('removed', 'reused'):
        reused = variant == 'reused'
        new = restore(newer_pool(reused), os.path.join(tmp, variant + '.new.meta'))
        meta, used = overlay(old, new)
        data = dict(blocks)
        if reused:
            for _vb, db, _t in NEW3:
                data[db] = block_bytes('v2', db)
        tx_new = 5 if reused else 4
        texts = [vg_text(1, True, False, 3), vg_text(2, False, reused, tx_new)]
        img = image_only or os.path.join(tmp, variant + '.img')
        with open(img, 'wb') as f:
            f.write(build_image(texts, meta, data))
        if image_only:
            return

        # the current generation: keep reads as it always did, nothing recovered
        rc, js, got, err = export(img, 'keep')
        check(rc == 0 and got == expected(KEEP, data) and
              'thin_mapping_recovered' not in codes(js),
              '%s: keep (current generation) byte for byte, nothing recovered (rc %d)'
              % (variant, rc))

        rc, js, got, err = export(img, 'gone', gen=1)
        rec = warning(js, 'thin_mapping_recovered')
        check(len(rec) == 1 and 'thin device 2' in rec[0].get('message', ''),
              '%s: gone (generation 1) says its mapping was recovered: %r' % (variant, rec))
        check('thin_dev_missing' not in codes(js),
              '%s: gone is not said to read as zeros' % variant)
        want = expected(GONE, blocks)   # as it was written before the removal
        if not reused:
            check(rc == 0 and got == want,
                  '%s: gone exported byte for byte from its recovered mapping (rc %d)'
                  % (variant, rc))
            check(js.get('reused_ranges') == [] and js.get('missing_ranges') == [],
                  '%s: no reused or missing ranges: %r %r'
                  % (variant, js.get('reused_ranges'), js.get('missing_ranges')))
        else:
            taken = {db for _vb, db, _t in NEW3}
            gone_vbs = [vb for vb, db, _t in GONE if db in taken]
            kept = [(vb, db, t) for vb, db, t in GONE if db not in taken]
            exp = bytearray(expected(kept, blocks))
            for vb, db, _t in GONE:
                if db in taken:
                    exp[vb * DATA_BLOCK:(vb + 1) * DATA_BLOCK] = data[db]
            check(rc == 0 and got == bytes(exp),
                  'reused: gone exported from its recovered mapping, reused blocks as they are now')
            check(js.get('reused_ranges') == ranges_of(GONE, gone_vbs),
                  'reused: reused_ranges are the blocks device 3 took: %r, want %r'
                  % (js.get('reused_ranges'), ranges_of(GONE, gone_vbs)))
            ru = warning(js, 'thin_block_reused')
            check(len(ru) == 1 and 'thin device 3' in ru[0].get('message', ''),
                  'reused: thin_block_reused names device 3: %r' % ru)
            rc3, js3, got3, _ = export(img, 'new3')
            check(rc3 == 0 and got3 == expected(NEW3, data) and js3.get('reused_ranges') == [],
                  'reused: new3 (current) byte for byte')
        tm = warning(js, 'thin_transaction_mismatch')
        check(len(tm) == 1, '%s: generation 1 against newer pool metadata: '
              'thin_transaction_mismatch once: %r' % (variant, tm))

        # history lists the removed thin LV and whether its mapping was found
        p = subprocess.run([mlvm, '--json', 'history', img], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        try:
            hj = json.loads(p.stdout)
        except ValueError:
            hj = {}
        rt = hj.get('removed_thin_lvs', [])
        check(any(t.get('lv') == 'gone' and t.get('device_id') == 2 and
                  t.get('mapping_found') is True and t.get('generation') == 1 for t in rt),
              '%s: history --json lists gone with its mapping found: %r' % (variant, rt))
        p = subprocess.run([mlvm, 'history', img], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        out = p.stdout.decode()
        check('removed thin LVs' in out and 'gone' in out,
              '%s: history lists gone under "removed thin LVs"' % variant)

    # ---------------------------------------------------------- damaged
    meta = bytearray(old)
    struct.pack_into('<Q', meta, 320, 0)          # data mapping root: gone
    meta[0] ^= 0xff                               # and a bad checksum
    img = os.path.join(tmp, 'damaged.img')
    with open(img, 'wb') as f:
        f.write(build_image([vg_text(1, True, False, 3)], meta, blocks))
    for lv, maps in (('keep', KEEP), ('gone', GONE)):
        rc, js, got, err = export(img, lv)
        check(rc == 0 and got == expected(maps, blocks),
              'damaged: %s read through the recovered tree byte for byte (rc %d)' % (lv, rc))
        check('thin_sb_csum' in codes(js) and 'thin_sb_root' in codes(js) and
              'thin_mapping_recovered' in codes(js),
              'damaged: %s: bad checksum, bad root and the recovery said: %r' % (lv, codes(js)))

    # a device no stale tree names: zeros, said
    meta = bytearray(old)
    img = os.path.join(tmp, 'nodev.img')
    t = vg_text(1, True, False, 3)
    t.lvs = [x for x in t.lvs if x[0] != 'gone']
    t.add_lv('ghost', [(0, 1, 'thin', 'thin_pool = "pool"\ntransaction_id = 1\ndevice_id = 7\n')])
    with open(img, 'wb') as f:
        f.write(build_image([t], meta, blocks))
    rc, js, got, err = export(img, 'ghost')
    check(got == bytes(VBLOCKS * DATA_BLOCK) and 'thin_dev_missing' in codes(js) and
          'thin_mapping_recovered' not in codes(js),
          'a device no tree names reads as zeros with thin_dev_missing: %r' % codes(js))
    sys.exit(1 if failures else 0)


main()
