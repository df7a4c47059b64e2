"""A small, independent reader of LVM2 metadata text (vgcfgbackup files).

Used by the tests as a second opinion: it shares no code with mlvm's C
parser, so comparing mlvm's answers against it (and against LVM2's own
reports) catches mistakes in either.
"""
import re

_TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\n]+) |
    (?P<comment>\#[^\n]*) |
    (?P<dq>"(?:[^"\\]|\\.)*") |
    (?P<sq>'[^']*') |
    (?P<num>[-+]?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)(?![A-Za-z_])) |
    (?P<word>[A-Za-z0-9_.+\-/:@]+) |
    (?P<punct>[=\[\]{},])
''', re.X)


def number(val):
    """strtoll base 0 for integers (0x hex, leading 0 octal), else a float"""
    sign = -1 if val.startswith('-') else 1
    body = val.lstrip('+-')
    if body.lower().startswith('0x'):
        return sign * int(body, 16)
    if '.' in body or 'e' in body.lower():
        return float(val)
    if len(body) > 1 and body.startswith('0'):
        return sign * int(body, 8)
    return sign * int(body)


def tokens(text):
    text = text.split('\0', 1)[0]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError('bad character at %d: %r' % (pos, text[pos:pos + 20]))
        pos = m.end()
        kind = m.lastgroup
        if kind in ('ws', 'comment'):
            continue
        val = m.group()
        if kind == 'dq':
            val = re.sub(r'\\(.)', r'\1', val[1:-1])
            yield ('str', val)
        elif kind == 'sq':
            yield ('str', val[1:-1])
        elif kind == 'num':
            yield ('num', number(val))
        elif kind == 'word':
            yield ('word', val)
        else:
            yield ('p', val)


def parse(text):
    """Return nested dicts (insertion-ordered); arrays become lists."""
    toks = list(tokens(text))
    pos = 0

    def value():
        nonlocal pos
        kind, val = toks[pos]
        pos += 1
        if (kind, val) == ('p', '['):
            arr = []
            while toks[pos] != ('p', ']'):
                if toks[pos] == ('p', ','):
                    pos += 1
                    continue
                k, v = toks[pos]
                pos += 1
                arr.append(v)
            pos += 1
            return arr
        return val

    def section(end):
        nonlocal pos
        out = {}
        while pos < len(toks) and toks[pos] != ('p', end):
            kind, key = toks[pos]
            pos += 1
            if toks[pos] == ('p', '{'):
                pos += 1
                out[key] = section('}')
                pos += 1
            elif toks[pos] == ('p', '='):
                pos += 1
                out[key] = value()
            else:
                raise ValueError('expected = or { after %r' % key)
        return out

    return section(None)


def vg_section(tree):
    for k, v in tree.items():
        if isinstance(v, dict) and 'id' in v and 'seqno' in v:
            return k, v
    raise ValueError('no VG section')
