#!/bin/bash
# export-interrupt.sh - Ctrl-C (SIGINT) and SIGTERM during mlvm export: the
# copy stops, the partial file mlvm created is removed, a message says how
# far it got and what was left, the exit status is 128 + the signal; with
# --json an error object on stdout; a progress bar on a terminal ends with
# a newline, not erased; an output mlvm did not create (a FIFO, stdout) is
# left, and an export blocked writing to a pipe nobody reads still stops.
#
# The LV is made at test time with mlvm's own write commands on a sparse
# image (2.5 GiB of zeros, a few KiB on disk): big enough that an export
# takes seconds, so the signal, sent once the output exists, comes mid-copy.
. "$(dirname "$0")/common.sh"

"$PYTHON3" -c 'import json, pty, signal' 2>/dev/null || skip "python3 needed"
command -v mkfifo >/dev/null || skip "mkfifo needed"

img=$TMP/big.img
truncate -s 3G "$img" || skip "no sparse 3 GiB file here"
expect_status 0 "format the image" format "$img" || finish
expect_status 0 "create a 2.5 GiB LV" create --size 2560M "$img" big || finish
size=$((2560 * 1024 * 1024))

"$PYTHON3" - "$MLVM" "$TMP" "$img" "$size" <<'PY' || fail "see above"
import json, os, pty, re, select, signal, stat, subprocess, sys, time

mlvm, tmp, img, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
bad = 0


def check(ok, what, detail=''):
    global bad
    print(('ok: ' if ok else 'FAIL: ') + what + ('' if ok else ': ' + detail))
    if not ok:
        bad = 1


def dfl():
    # as from a terminal, whatever this test was started under (a shell
    # without job control starts background jobs with SIGINT ignored)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until(ready, p, secs=60):
    end = time.time() + secs
    while time.time() < end and p.poll() is None:
        if ready():
            return True
        time.sleep(0.01)
    return False


def readable(fd):
    return bool(select.select([fd], [], [], 0)[0])


def export(args, out, sig=signal.SIGINT, stdout=subprocess.PIPE, ready=None, delay=0.3):
    """start an export, send sig delay seconds after ready() (default: out
    exists, which mlvm creates after its handlers are in place) says it
    started, return (status, stdout, stderr)"""
    p = subprocess.Popen([mlvm, 'export'] + args + ['--lv', 'big', '-o', out, img],
                         stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                         preexec_fn=dfl)
    started = wait_until(ready or (lambda: os.path.exists(out)), p)
    time.sleep(delay)
    if p.poll() is not None:
        o, e = p.communicate()
        return ('finished before the signal' if started else 'never started', o, e)
    p.send_signal(sig)
    try:
        o, e = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        o, e = p.communicate()
        return ('did not stop', o, e)
    return p.returncode, o, e


INTR = re.compile(r'^mlvm: export interrupted at (\d+) of %d bytes; (.*)$' % size, re.M)

# a new regular file: removed, exit 130, how far it got
out = os.path.join(tmp, 'out.img')
rc, o, e = export([], out)
e = e.decode()
m = INTR.search(e)
check(rc == 130, 'SIGINT: exit 130', '%r %s' % (rc, e))
check(m is not None and m.group(2) == 'removed partial ' + out, 'SIGINT: the message', e)
check(m is not None and int(m.group(1)) < size and int(m.group(1)) % (4 << 20) == 0,
      'SIGINT: the bytes written are whole chunks, fewer than the LV', e)
check(not os.path.exists(out), 'SIGINT: the partial file is gone')
check('sha256' not in e, 'SIGINT: no sha256 line for a partial copy', e)

# --sparse, one-copy path (--no-sha256): the same
for extra in (['--sparse'], ['--no-sha256']):
    rc, o, e = export(extra, out)
    e = e.decode()
    m = INTR.search(e)
    check(rc == 130 and m is not None and not os.path.exists(out),
          'SIGINT with %s: exit 130, said, removed' % extra[0], '%r %s' % (rc, e))

# SIGTERM with --json: exit 143, the error object on stdout
rc, o, e = export(['--json'], out, sig=signal.SIGTERM)
e = e.decode()
check(rc == 143, 'SIGTERM: exit 143', '%r %s' % (rc, e))
check(re.search(r'^mlvm: export terminated at \d+ of %d bytes; removed partial ' % size
                + re.escape(out) + '$', e, re.M) is not None, 'SIGTERM: the message', e)
try:
    j = json.loads(o)
    err = j['error']
    check(err['code'] == 'interrupted' and 'removed partial' in err['message']
          and err['image'] is None and err['offset'] is None and j['removed'] is True
          and isinstance(j['bytes'], int) and j['bytes'] < size and 'warnings' in j,
          '--json: the error object', repr(j))
except Exception as ex:
    check(False, '--json: the error object', '%r: %r' % (ex, o))
check(not os.path.exists(out), 'SIGTERM: the partial file is gone')

# an existing file overwritten with --force: not removed, said
with open(out, 'w') as f:
    f.write('before')
rc, o, e = export(['--force'], out, ready=lambda: os.path.getsize(out) != 6)  # truncated
e = e.decode()
check(rc == 130 and 'is incomplete (not removed: it existed before)' in e and os.path.exists(out),
      '--force onto an existing file: kept and said', '%r %s' % (rc, e))
os.unlink(out)

# a FIFO nobody reads: the export blocks in write(); SIGINT still stops it
fifo = os.path.join(tmp, 'fifo')
os.mkfifo(fifo)
hold = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)   # a reader that never reads
for extra in ([], ['--no-sha256']):
    rc, o, e = export(['--force'] + extra, fifo, ready=lambda: readable(hold))
    e = e.decode()
    check(rc == 130 and re.search(r'^mlvm: export interrupted at \d+ of %d bytes; the first \d+ '
                                  r'bytes went to %s$' % (size, re.escape(fifo)), e, re.M)
          and stat.S_ISFIFO(os.stat(fifo).st_mode),
          'blocked on a FIFO %s: stops, says so, the FIFO left' % ' '.join(extra), '%r %s' % (rc, e))
    try:
        while os.read(hold, 1 << 20):
            pass
    except BlockingIOError:
        pass

# -o - into that FIFO: "went to stdout"
with open(fifo, 'wb', buffering=0) as w:
    rc, o, e = export([], '-', stdout=w, ready=lambda: readable(hold))
e = e.decode()
check(rc == 130 and re.search(r'^mlvm: export interrupted at \d+ of %d bytes; the first \d+ bytes '
                              r'went to stdout$' % size, e, re.M) is not None,
      '-o - blocked: stops and says so', '%r %s' % (rc, e))
os.close(hold)

# on a terminal: the progress bar ends with a newline and stays
m_, s_ = pty.openpty()
p = subprocess.Popen([mlvm, 'export', '--lv', 'big', '-o', out, img], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=s_, preexec_fn=dfl)
os.close(s_)
got = b''
end = time.time() + 60
while b'MiB/s' not in got and time.time() < end and p.poll() is None:
    if select.select([m_], [], [], 0.1)[0]:
        got += os.read(m_, 4096)
p.send_signal(signal.SIGINT)
while True:
    try:
        b = os.read(m_, 4096)
    except OSError:
        break
    if not b:
        break
    got += b
os.close(m_)
rc = p.wait()
check(rc == 130 and re.search(rb'MiB/s +\d+:\d\d left \r?\nmlvm: export interrupted', got) is not None
      and b'\x1b[K' not in got, 'on a terminal: the bar ends with a newline', '%r %r' % (rc, got[-300:]))
check(not os.path.exists(out), 'on a terminal: the partial file is gone')
sys.exit(bad)
PY

finish
