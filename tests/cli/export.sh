#!/bin/bash
# mlvm export against the oracle (tests/cli/export_oracle.py), which computes
# every LV's bytes independently of mlvm from LVM2's recorded answers and the
# images. For every fixture and every LV (lv2000: every 50th):
#   `mlvm --json export --lv VG/LV -o FILE IMAGES...` writes the oracle's bytes
#   (sha256), and its JSON summary agrees (lv, vg, bytes, sha256,
#   missing_ranges); an LV with missing ranges exits 1 without
#   --allow-missing and writes them as zeros with it;
#   --no-sha256 (the copy that hands image pages straight to the kernel)
#   writes the same bytes and lists the same missing ranges, with a null
#   sha256;
#   --leg N of mirror/raid1 LVs gives that leg's bytes, with and without
#   --no-sha256;
#   cache and writecache LVs warn that the cache may hold newer blocks;
#   --sparse gives the same bytes, and fewer allocated blocks when the LV
#   has holes (thin unmapped blocks, zero segments);
#   -o - writes the bytes to stdout;
#   an input image or an existing file is not overwritten without --force.
# The degraded fixture is also run with manifest missing_pvs left out
# (striped with missing ranges, raid5 rebuilt from parity, raid1 from its
# second image). The images are never modified.
. "$(dirname "$0")/common.sh"

command -v xz >/dev/null || skip "xz not installed"
"$PYTHON3" -c 'import lzma' 2>/dev/null || skip "python3 with lzma needed"

# the oracle's own checks first: they need no mlvm
if "$PYTHON3" "$top_srcdir/tests/cli/export_oracle.py" --self-test >"$TMP/selftest" 2>&1; then
	pass "oracle self-test (md layout pictures, GF(2^8), exception store)"
else
	fail "oracle self-test:"; cat "$TMP/selftest"
fi

"$MLVM" --help 2>&1 | grep -q 'export' || { echo "mlvm has no export command yet"; failed=1; }

"$PYTHON3" - "$MLVM" "$FIXTURES" "$TMP" "$top_srcdir/tests/cli/export_oracle.py" <<'PY' || failed=1
import hashlib, json, lzma, os, subprocess, sys

mlvm, fixtures, tmp, oracle_py = sys.argv[1:5]
failures = 0

def ok(what):
    print('ok: ' + what)

def bad(what):
    global failures
    failures += 1
    print('FAIL: ' + what)

def sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()

def run(args, stdout_file=None):
    out = open(stdout_file, 'wb') if stdout_file else subprocess.PIPE
    p = subprocess.run([mlvm] + args, stdout=out, stderr=subprocess.PIPE)
    if stdout_file:
        out.close()
    if p.returncode < 0 or p.returncode > 128:
        bad('mlvm %s: killed by a signal (%d)' % (' '.join(args[:4]), p.returncode))
    return p

def images_of(name, manifest, omit):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    paths = []
    for pv in manifest['pvs']:
        if pv['file'][:-len('.img.xz')] in omit:
            continue
        dst = os.path.join(d, pv['file'][:-3])
        if not os.path.exists(dst):
            with lzma.open(os.path.join(fixtures, name, pv['file'])) as fi, open(dst, 'wb') as fo:
                fo.write(fi.read())
        paths.append(dst)
    return paths

def check_fixture(name, degraded):
    fx = os.path.join(fixtures, name)
    manifest = json.load(open(os.path.join(fx, 'manifest.json')))
    omit = manifest.get('missing_pvs', []) if degraded else []
    tag = name + (' (without %s)' % ', '.join(omit) if degraded else '')
    args = [oracle_py, fx] + (['--degraded'] if degraded else [])
    p = subprocess.run([sys.executable] + args, capture_output=True, text=True)
    if p.returncode != 0:
        bad('%s: oracle failed: %s %s' % (tag, p.stdout[-500:], p.stderr[-500:]))
        return
    orc = json.loads(p.stdout)
    vg = orc['vg']
    imgs = images_of(name, manifest, omit)
    before = [sha(i) for i in imgs]
    names = sorted(orc['lvs'])
    if name == 'lv2000':
        names = names[::50]
    out = os.path.join(tmp, 'out.img')
    n_ok = 0
    sparse_done = stdout_done = False
    for lv in names:
        e = orc['lvs'][lv]
        what = '%s %s/%s' % (tag, vg, lv)
        if 'skip' in e:
            p = run(['export', '--lv', '%s/%s' % (vg, lv), '-o', out, '--force'] + imgs)
            print('info: %s: not compared (%s); mlvm exit %d' % (what, e['skip'], p.returncode))
            continue
        missing = e['missing_ranges']
        if os.path.exists(out):
            os.unlink(out)
        base = ['--json', 'export', '--lv', '%s/%s' % (vg, lv), '-o', out]
        if missing:
            p = run(base + imgs)
            if p.returncode != 1:
                bad('%s: %d missing range(s) but exit %d without --allow-missing' % (what, len(missing), p.returncode))
            if os.path.exists(out):
                os.unlink(out)
            base.append('--allow-missing')
        p = run(base + imgs)
        if p.returncode != 0:
            bad('%s: exit %d: %s' % (what, p.returncode, p.stderr.decode(errors='replace')[:300]))
            continue
        good = True
        try:
            js = json.loads(p.stdout)
        except ValueError:
            bad('%s: --json summary is not JSON: %r' % (what, p.stdout[:200]))
            continue
        got = sha(out) if os.path.exists(out) else None
        if got != e['sha256'] or os.path.getsize(out) != e['size']:
            bad('%s: bytes differ from the oracle (sha256 %s, size %s; want %s, %d)'
                % (what, got, os.path.getsize(out) if got else None, e['sha256'], e['size']))
            good = False
        for key, want in (('lv', lv), ('vg', vg), ('bytes', e['size']), ('sha256', e['sha256']),
                          ('missing_ranges', missing)):
            if js.get(key) != want:
                bad('%s: summary %s = %r, oracle says %r' % (what, key, js.get(key), want))
                good = False
        if e.get('warnings'):
            said = p.stderr.decode(errors='replace') + json.dumps(js.get('warnings', []))
            if 'cache' not in said.lower():
                bad('%s: no warning that the cache may hold newer blocks' % what)
                good = False
        os.unlink(out)
        q = run(base + ['--no-sha256'] + imgs)
        try:
            qs = json.loads(q.stdout) if q.returncode == 0 else {}
        except ValueError:
            qs = {}
        if q.returncode != 0 or not os.path.exists(out) or sha(out) != e['sha256']:
            bad('%s --no-sha256: exit %d, bytes differ from the oracle' % (what, q.returncode))
            good = False
        elif 'sha256' not in qs or qs['sha256'] is not None or qs.get('missing_ranges') != missing:
            bad('%s --no-sha256: summary sha256 %r (want null), missing_ranges %r (want %r)'
                % (what, qs.get('sha256', 'absent'), qs.get('missing_ranges'), missing))
            good = False
        for leg, le in sorted(e.get('legs', {}).items()):
            for extra in ([], ['--no-sha256']):
                os.unlink(out)
                q = run(['export', '--lv', '%s/%s' % (vg, lv), '-o', out, '--leg', leg] + extra
                        + (['--allow-missing'] if le['missing_ranges'] else []) + imgs)
                if q.returncode != 0 or sha(out) != le['sha256']:
                    bad('%s --leg %s %s: exit %d, bytes %s, oracle %s' % (what, leg, ' '.join(extra),
                        q.returncode, sha(out) if os.path.exists(out) else None, le['sha256']))
                    good = False
        if e.get('hole_ranges') or not sparse_done:
            sparse_done = True
            os.unlink(out)
            q = run(['export', '--sparse', '--lv', '%s/%s' % (vg, lv), '-o', out]
                    + (['--allow-missing'] if missing else []) + imgs)
            if q.returncode != 0 or sha(out) != e['sha256']:
                bad('%s --sparse: exit %d, bytes differ' % (what, q.returncode))
                good = False
            elif e.get('hole_ranges'):
                holes = sum(ln for _, ln in e['hole_ranges'])
                alloc = os.stat(out).st_blocks * 512
                if alloc > e['size'] - holes + 65536:
                    bad('%s --sparse: %d bytes allocated for %d bytes with %d bytes of holes'
                        % (what, alloc, e['size'], holes))
                    good = False
        if not stdout_done:
            stdout_done = True
            so = os.path.join(tmp, 'stdout.img')
            q = run(['export', '--lv', '%s/%s' % (vg, lv), '-o', '-']
                    + (['--allow-missing'] if missing else []) + imgs, stdout_file=so)
            if q.returncode != 0 or sha(so) != e['sha256']:
                bad('%s -o -: exit %d, stdout bytes differ' % (what, q.returncode))
                good = False
        if good:
            n_ok += 1
    n_all = sum(1 for l in names if 'skip' not in orc['lvs'][l])
    print('%s: %d of %d LVs exported as the oracle says (%s)' % ('ok' if n_ok == n_all else 'FAIL', n_ok, n_all, tag))
    # refusals: an input image, an existing file
    lv = next((l for l in names if 'skip' not in orc['lvs'][l] and not orc['lvs'][l]['missing_ranges']), None)
    if lv and not degraded:
        e = orc['lvs'][lv]
        p = run(['export', '--lv', '%s/%s' % (vg, lv), '-o', imgs[0], '--force'] + imgs)
        if p.returncode == 0:
            bad('%s: export over an input image succeeded' % tag)
        victim = os.path.join(tmp, 'exists.img')
        with open(victim, 'wb') as f:
            f.write(b'keep me')
        p = run(['export', '--lv', '%s/%s' % (vg, lv), '-o', victim] + imgs)
        if p.returncode == 0 or open(victim, 'rb').read() != b'keep me':
            bad('%s: an existing file was overwritten without --force (exit %d)' % (tag, p.returncode))
        p = run(['export', '--lv', '%s/%s' % (vg, lv), '-o', victim, '--force'] + imgs)
        if p.returncode != 0 or sha(victim) != e['sha256']:
            bad('%s: --force over an existing file: exit %d' % (tag, p.returncode))
        os.unlink(victim)
    if [sha(i) for i in imgs] != before:
        bad('%s: an image changed' % tag)

names = sorted(d for d in os.listdir(fixtures) if os.path.exists(os.path.join(fixtures, d, 'manifest.json')))
for name in names:
    check_fixture(name, False)
    if json.load(open(os.path.join(fixtures, name, 'manifest.json'))).get('missing_pvs'):
        check_fixture(name, True)
sys.exit(1 if failures else 0)
PY
finish
