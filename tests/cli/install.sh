#!/bin/bash
# install.sh - the library as others build on it: `make install` into a
# DESTDIR, then a small C program (tests/cli/install_lvs.c) compiled with
# `pkg-config --cflags --libs libmlvm` against the installed header and
# shared library opens a fixture and lists its LVs, compared with LVM2's
# lvs.json. Also: the soname and the links beside the library, the symbols
# it exports (libmlvm_* only), what it links (no ncurses, no fuse), the
# installed header compiling on its own with -pedantic and exposing no
# internal struct, and the installed Python module importing.
. "$(dirname "$0")/common.sh"

command -v pkg-config >/dev/null || skip "pkg-config not installed"
command -v readelf >/dev/null || skip "readelf not installed (binutils)"
command -v xz >/dev/null || skip "xz not installed"
CC=${MLVM_CC:-cc}
root=$TMP/root

# install from the build tree, outside the make running this test
(cd "$top_builddir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	"${MAKE:-make}" install DESTDIR="$root") >"$TMP/install.log" 2>&1 ||
	{ tail -30 "$TMP/install.log"; fail "make install DESTDIR"; finish; }
pass "make install DESTDIR"

pc=$(find "$root" -name libmlvm.pc -path '*/pkgconfig/*' | head -1)
[ -n "$pc" ] || { fail "libmlvm.pc not installed"; finish; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$(dirname "$pc")
libdir=$root$(pkg-config --variable=libdir libmlvm | sed "s|^$root||")
incdir=$root$(pkg-config --variable=includedir libmlvm | sed "s|^$root||")
[ "$(pkg-config --modversion libmlvm)" = "$(sed -n 's/^#define LIBMLVM_VERSION "\(.*\)"/\1/p' "$incdir/mlvm/mlvm.h")" ] ||
	fail "libmlvm.pc's version differs from the header's"

# what was installed
for f in "$libdir/libmlvm.so.0.1.0" "$incdir/mlvm/mlvm.h"; do
	[ -f "$f" ] || fail "not installed: ${f#$root}"
done
[ "$(readlink "$libdir/libmlvm.so.0")" = libmlvm.so.0.1.0 ] || fail "libmlvm.so.0 is not a link to libmlvm.so.0.1.0"
[ "$(readlink "$libdir/libmlvm.so")" = libmlvm.so.0 ] || fail "libmlvm.so is not a link to libmlvm.so.0"
find "$root" -name mlvm -type f -path '*/bin/*' | grep -q . || fail "bin/mlvm not installed"
find "$root" -name mlvm.1 -path '*/man1/*' | grep -q . || fail "the man page not installed"
comp=$(find "$root" -name mlvm -type f -path '*/bash-completion/completions/*' | head -1)
if [ -z "$comp" ]; then
	fail "the bash completion not installed (bash-completion/completions/mlvm)"
else
	cmp -s "$comp" "$top_srcdir/tools/mlvm-completion.bash" || fail "the installed bash completion differs from tools/mlvm-completion.bash"
	bash -c '. "$1" && complete -p mlvm' _ "$comp" 2>/dev/null | grep -q -- '-F _mlvm' ||
		fail "the installed bash completion does not register _mlvm"
fi

# the shared library: its soname, what it exports, what it needs
so=$libdir/libmlvm.so.0.1.0
readelf -d "$so" >"$TMP/dyn"
grep -q 'Library soname: \[libmlvm.so.0\]' "$TMP/dyn" && pass "soname libmlvm.so.0" ||
	fail "soname: $(grep -i soname "$TMP/dyn")"
if grep -E 'NEEDED.*(ncurses|tinfo|fuse)' "$TMP/dyn"; then
	fail "the shared library links ncurses or fuse"
fi
if grep -E 'NEEDED.*lib(z|uuid)\.a' "$TMP/dyn"; then
	fail "the shared library names a static archive"
fi
readelf --dyn-syms -W "$so" | awk '$5 == "GLOBAL" && $7 != "UND" && $7 != "ABS" { print $8 }' |
	sed 's/@.*//' | sort -u >"$TMP/syms"
grep -q '^libmlvm_open$' "$TMP/syms" || fail "libmlvm_open is not exported"
if grep -v '^libmlvm_' "$TMP/syms" | grep .; then
	fail "the shared library exports symbols outside libmlvm_*"
else
	pass "exports $(wc -l <"$TMP/syms") symbols, libmlvm_* only"
fi

# the installed header on its own: C99 and C11, -pedantic, C++ too
for std in c99 c11; do
	echo '#include <mlvm/mlvm.h>' | $CC -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only \
		-I"$incdir" -x c - 2>"$TMP/cc.err" && pass "the header compiles alone (-std=$std -pedantic)" ||
		fail "the header alone, -std=$std: $(head -5 "$TMP/cc.err")"
done
if command -v c++ >/dev/null; then
	echo '#include <mlvm/mlvm.h>' | c++ -Wall -Wextra -Werror -pedantic -fsyntax-only \
		-I"$incdir" -x c++ - 2>"$TMP/cc.err" || fail "the header as C++: $(head -5 "$TMP/cc.err")"
fi
# it exposes no struct's members and includes only standard headers
if grep -nE 'struct[[:space:]]+[A-Za-z_0-9]+[[:space:]]*\{' "$incdir/mlvm/mlvm.h"; then
	fail "the installed header defines a struct"
fi
if grep -oE 'struct[[:space:]]+[A-Za-z_0-9]+' "$incdir/mlvm/mlvm.h" | awk '{ print $2 }' | sort -u |
	grep -vxE 'libmlvm_handle|libmlvm_lv_reader'; then
	fail "the installed header names an internal struct"
fi
if grep -E '^#[[:space:]]*include' "$incdir/mlvm/mlvm.h" | grep -vE '<(stddef|stdint)\.h>'; then
	fail "the installed header includes more than standard headers"
fi
[ "$(ls "$incdir/mlvm")" = mlvm.h ] || fail "headers beside mlvm.h installed: $(ls "$incdir/mlvm")"

# a program built through pkg-config against the installed library
prog=$TMP/install_lvs
# shellcheck disable=SC2046,SC2086
if $CC -std=c11 -Wall -Wextra -Werror ${MLVM_SAN_FLAGS:-} $(pkg-config --cflags libmlvm) \
	-o "$prog" "$top_srcdir/tests/cli/install_lvs.c" $(pkg-config --libs libmlvm) 2>"$TMP/cc.err"; then
	pass "a program builds with pkg-config --cflags --libs libmlvm"
else
	fail "building against the installed library: $(head -10 "$TMP/cc.err")"
	finish
fi
ldd_out=$(LD_LIBRARY_PATH=$libdir ldd "$prog")
echo "$ldd_out" | grep -q "libmlvm.so.0 => $libdir/libmlvm.so.0" ||
	fail "the program does not load the installed library: $ldd_out"

"$PYTHON3" -c 'import json' 2>/dev/null || skip "python3 needed to read lvs.json"
for fx in linear vg3pv striped3; do
	mapfile -t imgs < <(fixture_images "$fx")
	if ! LD_LIBRARY_PATH=$libdir "$prog" "${imgs[@]}" >"$TMP/$fx.out" 2>"$TMP/$fx.err"; then
		fail "$fx: install_lvs: $(head -5 "$TMP/$fx.err")"
		continue
	fi
	"$PYTHON3" - "$FIXTURES/$fx/lvs.json" "$TMP/$fx.out" <<'PY' >"$TMP/cmp" 2>&1 &&
import json, sys
rows = json.load(open(sys.argv[1]))["report"][0]
rows = rows.get("seg") or rows.get("lv")
want = sorted({(r["vg_name"], r["lv_name"], r["lv_uuid"], int(r["lv_size"]))
               for r in rows if not r["lv_name"].startswith("[")})
got = []
for line in open(sys.argv[2]):
    vg, lv, uuid, size, read = line.split()
    if int(read) != int(size):
        sys.exit("%s/%s: read %s bytes of %s" % (vg, lv, read, size))
    got.append((vg, lv, uuid, int(size)))
if sorted(got) != want:
    sys.exit("got %s\nLVM2 says %s" % (sorted(got), want))
print(len(got))
PY
		pass "$fx: the installed library lists LVM2's $(cat "$TMP/cmp") LVs and reads them whole" ||
		fail "$fx: $(cat "$TMP/cmp")"
done

# the library through its public interface under valgrind: no invalid
# access, no leak (not in a sanitizer build)
if command -v valgrind >/dev/null && [ -z "${MLVM_SAN_FLAGS:-}" ]; then
	mapfile -t imgs < <(fixture_images wrapped)
	if LD_LIBRARY_PATH=$libdir valgrind -q --error-exitcode=3 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$prog" "${imgs[@]}" >"$TMP/vg.out" 2>"$TMP/vg.err"; then
		pass "install_lvs under valgrind: clean"
		# as many as pvck --dump metadata_search found
		n=$(grep -c 'metadata at .* seqno ' "$FIXTURES/wrapped/pv0.mda1.pvck-metadata_search.txt")
		grep -q "^install_lvs: $n generations opened\$" "$TMP/vg.err" ||
			fail "wrapped: pvck found $n copies in the ring: $(grep generations "$TMP/vg.err")"
	else
		fail "install_lvs under valgrind: $(grep -v '^install_lvs:' "$TMP/vg.err" | head -20)"
	fi
fi

# the installed Python module imports from where it was installed
if [ -n "${MLVM_PYTHON_MODULE_DIR:-}" ]; then
	pymod=$(find "$root" -name mlvm.so -path '*-packages/*' | head -1)
	if [ -z "$pymod" ]; then
		fail "the Python module was not installed"
	elif [ -z "${MLVM_SAN_FLAGS:-}" ]; then
		mapfile -t imgs < <(fixture_images linear)
		got=$(PYTHONPATH=$(dirname "$pymod") "$PYTHON3" -c '
import sys, mlvm
h = mlvm.open(sys.argv[1:])
print(mlvm.__file__, sorted(lv.name for lv in h.vgs[0].lvs))' "${imgs[@]}" 2>&1)
		case $got in
		"$(dirname "$pymod")/mlvm.so ['lv_large', 'lv_medium', 'lv_small']") pass "the installed Python module imports and lists the LVs" ;;
		*) fail "the installed Python module: $got" ;;
		esac
	fi
fi
finish
