#!/bin/bash
# demo.sh - on a fresh Debian 12 machine: install what is missing, build
# mlvm, and run it on the bundled demo image (fixtures/images/demo): the
# browser on a terminal, mlvm read otherwise.
set -euo pipefail
cd "$(dirname "$0")"

tools/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc)" src/mlvm

demo=$(mktemp -d "${TMPDIR:-/tmp}/mlvm-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
for f in fixtures/images/demo/pv*.img.xz; do
	xz -dc "$f" >"$demo/$(basename "$f" .xz)"
done
# on a terminal: the browser (q quits); otherwise the key/value table
if [ -t 0 ] && [ -t 1 ]; then
	echo "\$ mlvm browse $demo/pv0.img $demo/pv1.img"
	src/mlvm browse "$demo"/pv0.img "$demo"/pv1.img
else
	echo "\$ mlvm read $demo/pv0.img $demo/pv1.img"
	src/mlvm read "$demo"/pv0.img "$demo"/pv1.img
fi
