#!/bin/bash
# The parallel container readers (io/source_libyal.h for E01, mlvm's own
# io/source_qcow2.h for qcow2): an LV exported from a compressed E01 and
# from a compressed qcow2 through the worker threads
# (MLVM_IO_THREADS=4, whatever the cores; the exporter's read-ahead) has the
# raw export's sha256, and so has the serial path (MLVM_IO_THREADS=0).
# The LV starts 64 KiB past a 1 MiB boundary and holds random bytes, text
# and zeros, so pieces are cut at both ends and some clusters are
# unallocated. A damaged E01 gives the same answer (exit status, bytes,
# words) through both paths.
. "$(dirname "$0")/common.sh"

command -v qemu-img >/dev/null || command -v ewfacquire >/dev/null ||
	skip "neither qemu-img (qemu-utils) nor ewfacquire (ewf-tools) is installed"
"$MLVM" --help 2>&1 | grep -q '^  export' || skip "mlvm built without export"

img=$TMP/pv.img
truncate -s 48M "$img"
"$MLVM" format --extent-size 64k "$img" >/dev/null 2>&1 || fail "format"
"$MLVM" create --size 64k "$img" small >/dev/null 2>&1 || fail "create small"
"$MLVM" create --size 40M "$img" big >/dev/null 2>&1 || fail "create big"
# the data area: 12 MiB random, 10 MiB text, zeros, 6 MiB random (seeded)
"$PYTHON3" - "$img" <<'EOF'
import random, sys
r = random.Random(18)
with open(sys.argv[1], "r+b") as f:
    f.seek(1 << 20)
    f.write(r.randbytes(12 << 20))
    line = b"%d the quick brown fox jumps over the lazy examiner\n"
    f.write(b"".join(line % i for i in range(190000))[:10 << 20])
    f.seek(36 << 20)
    f.write(r.randbytes(6 << 20))
EOF
"$MLVM" export --lv volumegroup/big -o - "$img" 2>/dev/null | sha256sum >"$TMP/raw.sha"
want=$(cut -d' ' -f1 "$TMP/raw.sha")

made=()
if command -v qemu-img >/dev/null; then
	qemu-img convert -c -f raw -O qcow2 "$img" "$TMP/pv.qcow2" && made+=("$TMP/pv.qcow2") ||
		fail "qemu-img convert -c"
fi
if command -v ewfacquire >/dev/null; then
	ewfacquire -u -q -C case -D "mlvm test" -e mlvm -E pv -N none -c best -t "$TMP/pv" "$img" \
		>"$TMP/ewf.log" 2>&1 && made+=("$TMP/pv.E01") || fail "ewfacquire: $(tail -3 "$TMP/ewf.log")"
fi

for c in "${made[@]}"; do
	for n in 0 1 4; do
		got=$(MLVM_IO_THREADS=$n "$MLVM" export --lv volumegroup/big -o - "$c" 2>"$TMP/err" |
			sha256sum | cut -d' ' -f1)
		if [ "$got" = "$want" ]; then
			pass "export from ${c##*.} with MLVM_IO_THREADS=$n has the raw sha256"
		else
			fail "export from ${c##*.} with MLVM_IO_THREADS=$n: $got, raw $want ($(head -c 300 "$TMP/err"))"
		fi
	done
	# to a file (the exporter's chunk loop with its read-ahead) and hashed
	MLVM_IO_THREADS=4 "$MLVM" --json export --lv volumegroup/big -o "$TMP/out.raw" "$c" \
		>"$TMP/out.json" 2>"$TMP/err"
	got=$(sha256sum <"$TMP/out.raw" | cut -d' ' -f1)
	[ "$got" = "$want" ] && grep -q "$want" "$TMP/out.json" &&
		pass "export -o FILE from ${c##*.} through the workers: same bytes, same sha256 said" ||
		fail "export -o FILE from ${c##*.}: $got, raw $want ($(head -c 300 "$TMP/out.json"))"
	rm -f "$TMP/out.raw"
done

# a damaged chunk in the compressed E01: the workers must answer as the
# serial path does (libewf reports a checksum error or returns garbage)
if [ -f "$TMP/pv.E01" ]; then
	cp "$TMP/pv.E01" "$TMP/bad.E01"
	size=$(stat -c %s "$TMP/bad.E01")
	for at in $((size / 3)) $((size / 2)); do
		printf '\xde\xad\xbe\xef' | dd of="$TMP/bad.E01" bs=1 seek=$at conv=notrunc 2>/dev/null
	done
	for n in 0 4; do
		MLVM_IO_THREADS=$n "$MLVM" export --lv volumegroup/big -o - "$TMP/bad.E01" \
			2>"$TMP/bad$n.err" | sha256sum >"$TMP/bad$n.sha"
		echo "exit ${PIPESTATUS[0]}" >>"$TMP/bad$n.sha"
	done
	if cmp -s "$TMP/bad0.sha" "$TMP/bad4.sha" && cmp -s "$TMP/bad0.err" "$TMP/bad4.err"; then
		pass "damaged E01: the same answer through the workers ($(tail -1 "$TMP/bad0.sha"))"
	else
		fail "damaged E01: serial $(tr '\n' ' ' <"$TMP/bad0.sha") $(head -c 200 "$TMP/bad0.err"), " \
			"workers $(tr '\n' ' ' <"$TMP/bad4.sha") $(head -c 200 "$TMP/bad4.err")"
	fi
	grep -q "^exit 0" "$TMP/bad0.sha" && fail "damaged E01 exported without an error"
fi
finish
