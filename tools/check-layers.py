#!/usr/bin/env python3
"""check-layers.py - the layering rule of mlvm's source tree, checked.

The tree is layered (doc/architecture.md). A file in a layer may include
headers of its own layer and of the layers listed for it below, never of a
higher one; every #include of mlvm's names its layer ("io/source.h"). The
library (every layer but cli and tui) never prints, never parses argv, never
exits and never includes curses, getopt or fuse; the browser's model
(tui/model.*) holds no curses. Every header states its layer in its opening
comment, in the words of the table below:

    * Layer: disk (src/disk). May include: base, io.

Usage: check-layers.py [TOP]     check the tree at TOP (default: ..)
       check-layers.py --self-test
Prints one line per violation (file:line: what) and exits 1 when there is
any, 0 otherwise.
"""
import os
import re
import sys
import tempfile

# lowest first; each layer with the layers it may include besides its own
LAYERS = [
    ("base", "src/base", []),
    ("io", "src/io", ["base"]),
    ("disk", "src/disk", ["base", "io"]),
    ("text", "src/text", ["base", "io", "disk"]),
    ("model", "src/model", ["base", "io", "disk", "text"]),
    ("map", "src/map", ["base", "io", "disk", "text", "model"]),
    ("export", "src/export", ["base", "io", "disk", "text", "model", "map"]),
    ("write", "src/write", ["base", "io", "disk", "text", "model"]),
    ("fs", "src/fs", ["base", "io", "disk", "text", "model", "map"]),
    ("api", "src/api", ["base", "io", "disk", "text", "model", "map", "export", "write", "fs", "mlvm"]),
    ("tui", "tui", ["base", "io", "disk", "text", "model", "map", "export", "write", "fs"]),
    ("cli", "src/cli", ["base", "io", "disk", "text", "model", "map", "export", "write", "fs", "tui"]),
]
FRONT_ENDS = {"cli", "tui"}
# system headers the library must not include
LIB_FORBIDDEN_SYS = re.compile(r"^(n?curses(w)?/|n?cursesw?\.h$|curses\.h$|term\.h$|getopt\.h$|fuse)")
CURSES_SYS = re.compile(r"^(n?curses(w)?/|n?cursesw?\.h$|curses\.h$|term\.h$)")
# calls that print, exit or read argv: never in the library
LIB_FORBIDDEN_CALLS = re.compile(
    r"\b(printf|vprintf|fprintf|vfprintf|dprintf|puts|fputs|putchar|fputc|putc|perror|"
    r"fwrite|exit|_exit|abort|getopt|getopt_long|err|errx|warn|warnx)\s*\(")
# stdout/stderr named at all
LIB_FORBIDDEN_STREAMS = re.compile(r"\b(stdout|stderr)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
LAYER_LINE = re.compile(r"Layer: (\S+) \((\S+)\)\. May include: ([^.]*)\.")


def strip_comments_and_strings(text):
    """Blank out comments, string and character literals, keeping lines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * max(0, j - i - 2) + (c if j - i >= 2 else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def may_include_words(allowed):
    return ", ".join(allowed) if allowed else "nothing of mlvm's"


def check(top):
    problems = []
    by_name = {name: (d, allowed) for name, d, allowed in LAYERS}
    by_dir = {d: name for name, d, _ in LAYERS}
    # no source file directly in src/: every one lives in a layer
    srcdir = os.path.join(top, "src")
    if os.path.isdir(srcdir):
        for f in sorted(os.listdir(srcdir)):
            if f.endswith((".c", ".h")):
                problems.append("src/%s: a source file outside every layer folder" % f)
        for f in sorted(os.listdir(srcdir)):
            p = os.path.join(srcdir, f)
            if os.path.isdir(p) and "src/" + f not in by_dir and f not in (".deps", ".dirstamp"):
                problems.append("src/%s/: a folder that is no layer (add it to tools/check-layers.py and doc/architecture.md)" % f)
    for name, d, allowed in LAYERS:
        path = os.path.join(top, d)
        if not os.path.isdir(path):
            continue
        library = name not in FRONT_ENDS
        for f in sorted(os.listdir(path)):
            if not f.endswith((".c", ".h")):
                continue
            rel = "%s/%s" % (d, f)
            with open(os.path.join(path, f), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            lines = text.split("\n")
            for no, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, hdr = m.groups()
                if kind == '"':
                    if "/" not in hdr:
                        problems.append('%s:%d: #include "%s" does not name its layer' % (rel, no, hdr))
                        continue
                    target = hdr.split("/", 1)[0]
                    if target != name and target not in allowed:
                        what = "a higher or unrelated layer" if target in by_name else "no layer"
                        problems.append('%s:%d: layer %s includes "%s" (%s; %s may include: %s)'
                                        % (rel, no, name, hdr, what, name, may_include_words(allowed)))
                else:
                    if library and LIB_FORBIDDEN_SYS.match(hdr):
                        problems.append("%s:%d: the library includes <%s>" % (rel, no, hdr))
                    if name == "tui" and f.startswith("model.") and CURSES_SYS.match(hdr):
                        problems.append("%s:%d: the browser's model includes <%s>" % (rel, no, hdr))
            if library and f.endswith(".c"):
                code = strip_comments_and_strings(text).split("\n")
                for no, line in enumerate(code, 1):
                    if line.lstrip().startswith("#"):
                        continue
                    for m in LIB_FORBIDDEN_CALLS.finditer(line):
                        # a declaration or a member named like a call is not a call
                        before = line[:m.start()].rstrip()
                        if before.endswith((".", "->")):
                            continue
                        problems.append("%s:%d: the library calls %s()" % (rel, no, m.group(1)))
                    if LIB_FORBIDDEN_STREAMS.search(line):
                        problems.append("%s:%d: the library names %s"
                                        % (rel, no, LIB_FORBIDDEN_STREAMS.search(line).group(1)))
            if f.endswith(".h"):
                m = LAYER_LINE.search(text)
                want = "Layer: %s (%s). May include: %s." % (name, d, may_include_words(allowed))
                if not m:
                    problems.append("%s: its opening comment does not state its layer (\"%s\")" % (rel, want))
                elif m.group(0) != want:
                    problems.append("%s: states \"%s\", the rule is \"%s\"" % (rel, m.group(0), want))
    return problems


def self_test():
    """The checker finds each kind of violation in a small tree made up here."""
    files = {
        "src/base/ok.h": "/*\n * Layer: base (src/base). May include: nothing of mlvm's.\n */\n",
        "src/base/up.c": '#include "io/source.h"\n',
        "src/io/flat.c": '#include "util.h"\n',
        "src/io/noline.h": "/* no layer line */\n",
        "src/io/wrong.h": "/*\n * Layer: io (src/io). May include: base, disk.\n */\n",
        "src/disk/print.c": '#include <stdio.h>\nvoid f(void) { printf("x"); fprintf(stderr, "y"); }\n',
        "src/disk/quiet.c": '/* printf("no") */\nstatic const char *s = "exit(1)";\nint g(void) { return snprintf(0, 0, "%d", 1); }\n',
        "src/model/curses.c": "#include <ncurses.h>\n",
        "src/stray.c": "",
        "tui/model.c": "#include <curses.h>\n",
        "tui/cli.c": '#include "cli/cli.h"\n',
    }
    expect = [
        ("src/base/up.c:1", "includes \"io/source.h\""),
        ("src/io/flat.c:1", "does not name its layer"),
        ("src/io/noline.h", "does not state its layer"),
        ("src/io/wrong.h", "the rule is"),
        ("src/disk/print.c:2", "calls printf()"),
        ("src/disk/print.c:2", "calls fprintf()"),
        ("src/disk/print.c:2", "names stderr"),
        ("src/model/curses.c:1", "includes <ncurses.h>"),
        ("src/stray.c", "outside every layer"),
        ("tui/model.c:1", "model includes <curses.h>"),
        ("tui/cli.c:1", "includes \"cli/cli.h\""),
    ]
    with tempfile.TemporaryDirectory() as top:
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(top, rel)), exist_ok=True)
            with open(os.path.join(top, rel), "w") as fh:
                fh.write(text)
        got = check(top)
    bad = 0
    for where, what in expect:
        if not any(p.startswith(where) and what in p for p in got):
            print("self-test: missed %s: %s" % (where, what))
            bad = 1
    for p in got:
        if p.startswith(("src/base/ok.h", "src/disk/quiet.c")):
            print("self-test: false alarm: %s" % p)
            bad = 1
    if len(got) != len(expect):
        print("self-test: %d findings, expected %d:\n  %s" % (len(got), len(expect), "\n  ".join(got)))
        bad = 1
    print("self-test: %s" % ("failed" if bad else "passed (%d violations found as planted)" % len(expect)))
    return bad


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    top = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems = check(top)
    for p in problems:
        print(p)
    if problems:
        print("check-layers: %d violation%s (rules: tools/check-layers.py, doc/architecture.md)"
              % (len(problems), "" if len(problems) == 1 else "s"))
        return 1
    print("check-layers: every file keeps to its layer")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
