#!/bin/bash
# timeline.sh - mlvm timeline against a scripted history made by the real
# lvm2 tools at known times (faketime): vgcreate, lvcreate (two LVs),
# lvextend, lvrename, lvchange --addtag, lvremove, vgrename, vgextend.
# The expected events come from the script (its times) and from LVM2's own
# answers at each step (vgs seqno, lvs lv_uuid and lv_time, pvs pv_uuid),
# never from mlvm:
#  - --json: exactly the script's events, each at the script's time, bound
#    to the seqnos LVM2 reported before and after the step; an LV's creation
#    at LVM2's lv_time (its own creation_time); the removal between the
#    last seqno that has the LV and the first that does not, both times;
#    no gap, no move; every event names copies of its generations;
#  - the same answer whatever the order of the images;
#  - --csv parses with python's csv module: the documented header, one row
#    per event, the same kinds, times and seqnos;
#  - --bodyfile is accepted by mactime -b (The Sleuth Kit), which lists
#    every event at its time;
#  - the text: one line per event, ISO 8601 UTC times; --copies lists the
#    copies; --vg NEW keeps the VG's events from before its rename;
#    --vg of no VG exits 1;
#  - with the rings zeroed, LVM2's own archive and backup files (--metadata)
#    give the same events, and the removal's older bound names the lvremove
#    LVM2 archived it before.
# Needs root, loop devices, lvm2 and faketime (skips with 77 otherwise).
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for loop devices"
command -v lvm >/dev/null || skip "lvm2 not installed"
command -v faketime >/dev/null || skip "faketime not installed"
losetup -f >/dev/null 2>&1 || skip "no free loop device"

export LVM_SUPPRESS_FD_WARNINGS=1 TZ=UTC
vg=mlvmtl$$
vg2=mlvmtl$$b
P0=$TMP/pv0.img
P1=$TMP/pv1.img
truncate -s 64M "$P0" "$P1"
l0=$(losetup -f --show "$P0") || skip "cannot attach a loop device"
l1=$(losetup -f --show "$P1") || { losetup -d "$l0"; skip "cannot attach a loop device"; }
trap 'loop_release "$l0"; loop_release "$l1"; rm -rf "$TMP"' EXIT
D=(--devices "$l0" --devices "$l1")
NO=(--driverloaded n)

# LVM2 keeps its archive (a copy before every change) and backup files here
mkdir -p "$TMP/archive" "$TMP/backup"
CONF=(--config "backup { backup = 1 archive = 1 backup_dir = \"$TMP/backup\" archive_dir = \"$TMP/archive\" }")
lvmq() { "$@" >>"$TMP/lvm.log" 2>&1 || { echo "FAILED: $*"; tail -20 "$TMP/lvm.log"; exit 99; }; }
# at TIME CMD...: run an lvm2 command with the clock stopped at TIME (UTC)
at() { local t=$1 cmd=$2; shift 2; lvmq faketime -f "$t" "$cmd" "${CONF[@]}" "$@"; }
seqno() { vgs "${D[@]}" --noheadings -o seqno "$1" 2>/dev/null | tr -d ' '; }
# STEP TIME SEQNO: the script's record, for the checker
step() { echo "$1 $2 $(seqno "$3")" >>"$TMP/steps"; }

lvmq pvcreate "${D[@]}" "$l0" "$l1"
at '2026-01-02 03:04:05' vgcreate "${D[@]}" -s 4m "$vg" "$l0"
step vgcreate '2026-01-02 03:04:05' "$vg"
at '2026-01-03 04:05:06' lvcreate "${D[@]}" "${NO[@]}" -an -Zn -l 2 -n lv1 "$vg"
step lvcreate1 '2026-01-03 04:05:06' "$vg"
at '2026-01-04 05:06:07' lvcreate "${D[@]}" "${NO[@]}" -an -Zn -l 3 -n scratch "$vg"
step lvcreate2 '2026-01-04 05:06:07' "$vg"
lvs "${D[@]}" --reportformat json -o lv_name,lv_uuid,lv_time "$vg" >"$TMP/lvs.json" 2>/dev/null
at '2026-01-05 06:07:08' lvextend "${D[@]}" "${NO[@]}" -l +2 "$vg/lv1"
step lvextend '2026-01-05 06:07:08' "$vg"
at '2026-01-06 07:08:09' lvrename "${D[@]}" "${NO[@]}" "$vg" lv1 data
step lvrename '2026-01-06 07:08:09' "$vg"
at '2026-01-07 08:09:10' lvchange "${D[@]}" "${NO[@]}" --addtag secret "$vg/data"
step addtag '2026-01-07 08:09:10' "$vg"
at '2026-01-08 09:10:11' lvremove "${D[@]}" "${NO[@]}" -f "$vg/scratch"
step lvremove '2026-01-08 09:10:11' "$vg"
at '2026-01-09 10:11:12' vgrename "${D[@]}" "$vg" "$vg2"
step vgrename '2026-01-09 10:11:12' "$vg2"
at '2026-01-10 11:12:13' vgextend "${D[@]}" "$vg2" "$l1"
step vgextend '2026-01-10 11:12:13' "$vg2"
vgs "${D[@]}" --noheadings -o vg_uuid "$vg2" 2>/dev/null | tr -d ' ' >"$TMP/vgid"
pvs "${D[@]}" --noheadings -o pv_uuid "$l1" 2>/dev/null | tr -d ' ' >"$TMP/pv1id"
PE_START=$(pvs "${D[@]}" --noheadings --units b --nosuffix -o pe_start "$l0" | tr -d ' ')
losetup -d "$l1"
losetup -d "$l0"
trap 'rm -rf "$TMP"' EXIT
cat "$TMP/steps"

run_mlvm --json timeline "$P0" "$P1"
cp "$TMP/out" "$TMP/tl.json"
[ "$status" -eq 0 ] || fail "timeline --json: exit $status: $(head -c 400 "$TMP/err")"
run_mlvm --json timeline "$P1" "$P0"
cmp -s "$TMP/out" "$TMP/tl.json" && pass "--json: the same events whatever the order of the images" ||
	fail "--json: the order of the images changes the events"

"$PYTHON3" - "$TMP" "$vg" "$vg2" <<'PY' >"$TMP/check" 2>&1 && pass "--json: the script's events at the script's times and LVM2's seqnos" || { fail "--json disagrees with the script:"; cat "$TMP/check"; }
import calendar, json, os, sys, time
tmp, vg, vg2 = sys.argv[1:4]
def epoch(s):
    return calendar.timegm(time.strptime(s, '%Y-%m-%d %H:%M:%S'))
steps = {}
for line in open(os.path.join(tmp, 'steps')):
    name, d, t, seq = line.split()
    steps[name] = (epoch(d + ' ' + t), int(seq))
lvs = {l['lv_name']: l for l in json.load(open(os.path.join(tmp, 'lvs.json')))['report'][0]['lv']}
vgid = open(os.path.join(tmp, 'vgid')).read().strip()
pv1id = open(os.path.join(tmp, 'pv1id')).read().strip()
ev = json.load(open(os.path.join(tmp, 'tl.json')))['events']
bad = []
def lvtime(name):  # LVM2's lv_time: "2026-01-03 04:05:06 +0000"
    return epoch(lvs[name]['lv_time'][:19])
def prev(name):
    order = ['vgcreate', 'lvcreate1', 'lvcreate2', 'lvextend', 'lvrename', 'addtag', 'lvremove',
             'vgrename', 'vgextend']
    return steps[order[order.index(name) - 1]]
# (event, vg, lv, pv, after, time, from seqno (None: one generation), to seqno, time_source)
want = [
    ('vg_created', vg, None, None, None, steps['vgcreate'][0], None, steps['vgcreate'][1], 'generation'),
    ('pv_added', vg, None, 'pv0', 'pv0', steps['vgcreate'][0], None, steps['vgcreate'][1], 'generation'),
    ('lv_created', vg, 'lv1', None, 'lv1', lvtime('lv1'), prev('lvcreate1')[1], steps['lvcreate1'][1], 'lv'),
    ('lv_created', vg, 'scratch', None, 'scratch', lvtime('scratch'), prev('lvcreate2')[1], steps['lvcreate2'][1], 'lv'),
    ('lv_resized', vg, 'lv1', None, '4 extents', steps['lvextend'][0], prev('lvextend')[1], steps['lvextend'][1], 'generation'),
    ('lv_renamed', vg, 'data', None, 'data', steps['lvrename'][0], prev('lvrename')[1], steps['lvrename'][1], 'generation'),
    ('lv_tagged', vg, 'data', None, 'secret', steps['addtag'][0], prev('addtag')[1], steps['addtag'][1], 'generation'),
    ('lv_removed', vg, 'scratch', None, None, steps['lvremove'][0], prev('lvremove')[1], steps['lvremove'][1], 'generation'),
    ('vg_renamed', vg2, None, None, vg2, steps['vgrename'][0], prev('vgrename')[1], steps['vgrename'][1], 'generation'),
    ('pv_added', vg2, None, 'pv1', 'pv1', steps['vgextend'][0], prev('vgextend')[1], steps['vgextend'][1], 'generation'),
]
# the script's own times for the LVs, as LVM2 recorded them
if lvtime('lv1') != steps['lvcreate1'][0] or lvtime('scratch') != steps['lvcreate2'][0]:
    bad.append('LVM2 did not take the faked time: %s' % lvs)
got = [(e['event'], e['vg'], e['lv'], e['pv'], e['after'], e['time'],
        e['from']['seqno'] if e['from'] else None, e['to']['seqno'], e['time_source']) for e in ev]
for w in want:
    if w not in got:
        bad.append('missing %r' % (w,))
for g in got:
    if g not in want:
        bad.append('unexpected %r' % (g,))
for e in ev:
    if e['vg_id'] != vgid:
        bad.append('%s: vg_id %s, LVM2 %s' % (e['event'], e['vg_id'], vgid))
    for side in ('from', 'to'):
        s = e[side]
        if s and not s['copies']:
            bad.append('%s: no copies for seqno %s' % (e['event'], s['seqno']))
        if s and s['time_utc'] != time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(s['time'])):
            bad.append('%s: time_utc %s' % (e['event'], s['time_utc']))
    if e['time_utc'] != time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(e['time'])):
        bad.append('%s: time_utc %s for %s' % (e['event'], e['time_utc'], e['time']))
rm = [e for e in ev if e['event'] == 'lv_removed']
if rm and (rm[0]['from']['time'] != steps['addtag'][0] or rm[0]['to']['time'] != steps['lvremove'][0]):
    bad.append('lv_removed bounds: %s .. %s' % (rm[0]['from'], rm[0]['to']))
if rm and rm[0]['id'] != lvs['scratch']['lv_uuid']:
    bad.append('lv_removed id %s, LVM2 %s' % (rm[0]['id'], lvs['scratch']['lv_uuid']))
pa = [e for e in ev if e['event'] == 'pv_added' and e['pv'] == 'pv1']
if pa and pa[0]['id'] != pv1id:
    bad.append('pv_added id %s, LVM2 %s' % (pa[0]['id'], pv1id))
# after vgextend the generation is on both PVs
if pa and not any('pv1.img' in c for c in pa[0]['to']['copies']):
    bad.append('seqno %d not found on pv1.img: %s' % (pa[0]['to']['seqno'], pa[0]['to']['copies']))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

# ------------------------------------------------------------------ CSV
run_mlvm timeline --csv "$P0" "$P1"
[ "$status" -eq 0 ] || fail "--csv: exit $status"
"$PYTHON3" - "$TMP/out" "$TMP/tl.json" <<'PY' >"$TMP/check" 2>&1 && pass "--csv: RFC 4180 with its header, one row per event, the JSON's kinds, times and seqnos" || { fail "--csv:"; cat "$TMP/check"; }
import csv, json, sys
raw = open(sys.argv[1], newline='').read()
rows = list(csv.reader(raw.splitlines(True), strict=True))
ev = json.load(open(sys.argv[2]))['events']
head = ['time_utc', 'time', 'event', 'vg', 'vg_id', 'lv', 'pv', 'id', 'field', 'before', 'after', 'host',
        'time_source', 'from_seqno', 'from_time_utc', 'to_seqno', 'to_time_utc', 'copies', 'description']
bad = []
if rows[0] != head:
    bad.append('header %r' % rows[0])
if not raw.endswith('\r\n') or raw.count('\r\n') != len(rows):
    bad.append('records not ended by CRLF')
body = [dict(zip(rows[0], r)) for r in rows[1:]]
if any(len(r) != len(head) for r in rows):
    bad.append('rows of another width')
if len(body) != len(ev):
    bad.append('%d rows, %d events' % (len(body), len(ev)))
for r, e in zip(body, ev):
    w = (e['event'], e['time_utc'] or '', str(e['time'] or ''), str(e['to']['seqno']),
         str(e['from']['seqno']) if e['from'] else '', e['lv'] or '', e['description'])
    g = (r['event'], r['time_utc'], r['time'], r['to_seqno'], r['from_seqno'], r['lv'], r['description'])
    if w != g:
        bad.append('row %r, json %r' % (g, w))
    if e['to']['copies'][0] not in r['copies']:
        bad.append('copies %r' % r['copies'])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

# ------------------------------------------------------------------ body file, through mactime
if command -v mactime >/dev/null; then
	run_mlvm timeline --bodyfile "$P0" "$P1"
	cp "$TMP/out" "$TMP/body"
	if mactime -b "$TMP/body" -d -y -z UTC >"$TMP/mac" 2>"$TMP/macerr"; then
		"$PYTHON3" - "$TMP/mac" "$TMP/tl.json" "$TMP/body" <<'PY' >"$TMP/check" 2>&1 && pass "--bodyfile: mactime lists every event at its time" || { fail "--bodyfile through mactime:"; cat "$TMP/check"; }
import csv, json, sys
mac = list(csv.reader(open(sys.argv[1])))
ev = json.load(open(sys.argv[2]))['events']
body = open(sys.argv[3]).read().splitlines()
bad = []
if len(body) != len([e for e in ev if e['time']]):
    bad.append('%d body lines, %d events with a time' % (len(body), len(ev)))
for l in body:
    if len(l.split('|')) != 11:
        bad.append('not 11 fields: %r' % l)
listed = {}
for r in mac[1:]:
    listed.setdefault(r[-1], []).append(r[0])
for e in ev:
    name = 'LVM ' + e['description']
    if e['time'] and listed.get(name) != [e['time_utc']]:
        bad.append('%r: mactime %s, event %s' % (name, listed.get(name), e['time_utc']))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
	else
		fail "mactime refused the body file: $(cat "$TMP/macerr")"
	fi
else
	echo "note: mactime (sleuthkit) not installed: body file not checked through it"
fi

# ------------------------------------------------------------------ text
run_mlvm timeline "$P0" "$P1"
rm_line=$(grep ' lv_removed ' "$TMP/out")
s6=$(awk '$1 == "addtag" { print $4 }' "$TMP/steps")
s7=$(awk '$1 == "lvremove" { print $4 }' "$TMP/steps")
case "$rm_line" in
"2026-01-08T09:10:11Z  lv_removed "*"$vg/scratch: removed between seqno $s6 (2026-01-07T08:09:10Z) and seqno $s7 (2026-01-08T09:10:11Z)")
	pass "text: lv_removed at its time, with both bounds" ;;
*) fail "text: lv_removed line: '$rm_line'" ;;
esac
head -1 "$TMP/out" | grep -q '^TIME (UTC) ' && [ "$(($(wc -l <"$TMP/out") - 1))" = "$("$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$TMP/tl.json")" ] &&
	pass "text: a TIME (UTC) header and one line per event" || fail "text: $(cat "$TMP/out")"
grep -q "lv_created .*$vg/lv1: created (seqno" "$TMP/out" && grep -q '^2026-01-03T04:05:06Z  lv_created' "$TMP/out" &&
	pass "text: lv1 created at its own time" || fail "text: lv1's creation: $(grep lv_created "$TMP/out")"
run_mlvm timeline --copies "$P0" "$P1"
grep -q "^      $P1 mda1 at byte [0-9]*$" "$TMP/out" && grep -q "^    seqno $s7, [0-9]* cop" "$TMP/out" &&
	pass "text --copies: the copies under each event" || fail "text --copies: $(head -20 "$TMP/out")"
run_mlvm --vg "$vg2" timeline "$P0" "$P1"
grep -q " vg_created .*$vg: created (seqno 1)" "$TMP/out" && [ "$status" -eq 0 ] &&
	pass "--vg NEW: the VG's events from before its rename too" || fail "--vg $vg2: $(cat "$TMP/out" "$TMP/err")"
expect_status 1 "--vg of no VG: exit 1" --vg nosuchvg timeline "$P0" "$P1"

# ------------------------------------------------------------------ every origin: LVM2's archive files
# the rings zeroed: the generations live on only in LVM2's archive and
# backup files, given with --metadata; the events must be the same, the
# removal's older bound naming the command LVM2 archived it before
ls "$TMP/archive" "$TMP/backup"
for p in 0 1; do
	cp "$TMP/pv$p.img" "$TMP/wiped$p.img"
	dd if=/dev/zero of="$TMP/wiped$p.img" bs=512 seek=8 count=$(((PE_START - 4096) / 512)) conv=notrunc status=none
done
META=()
for f in "$TMP"/archive/*.vg "$TMP"/backup/*; do META+=(--metadata "$f"); done
run_mlvm --json timeline "${META[@]}" "$TMP/wiped0.img" "$TMP/wiped1.img"
cp "$TMP/out" "$TMP/tl-files.json"
"$PYTHON3" - "$TMP/tl.json" "$TMP/tl-files.json" <<'PY' >"$TMP/check" 2>&1 && pass "--metadata with LVM2's archive files, rings zeroed: the same events; the removal's bound names LVM2's lvremove" || { fail "timeline from the archive files (exit $status):"; cat "$TMP/check"; }
import json, sys
ring = json.load(open(sys.argv[1]))['events']
files = json.load(open(sys.argv[2]))['events']
bad = []
def key(e, archived):
    # an archive file's time is when LVM2 began the next command: seqno 1,
    # archived before the first lvcreate, tells no time of its own
    t = None if archived and e['to']['seqno'] == 1 and e['time_source'] == 'generation' else e['time']
    return (e['event'], e['vg'], e['lv'], e['pv'], e['before'], e['after'], t,
            e['from']['seqno'] if e['from'] else None, e['to']['seqno'])
def source(e, archived):
    # seqnos 2..8 live only in archive files, 9 in the backup file
    if e['time_source'] == 'lv' or e['time'] is None:
        return e['time_source']
    return 'archive' if archived and 2 <= e['to']['seqno'] <= 8 else 'generation'
for r, f in zip(ring, files):
    if f['time_source'] != source(r, True):
        bad.append('%s seqno %d: time_source %s' % (f['event'], f['to']['seqno'], f['time_source']))
if [key(e, True) for e in ring] != [key(e, False) for e in files]:
    bad.append('ring %s\nfiles %s' % ([key(e, True) for e in ring], [key(e, False) for e in files]))
for e in files:
    for side in ('from', 'to'):
        if e[side] and not all(c.startswith('--metadata ') for c in e[side]['copies']):
            bad.append('%s: copies %s' % (e['event'], e[side]['copies']))
rm = [e for e in files if e['event'] == 'lv_removed']
if not rm or 'lvremove' not in (rm[0]['from']['command'] or '') or 'scratch' not in rm[0]['from']['command']:
    bad.append('lv_removed: from %s' % (rm[0]['from'] if rm else None))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
expect_status 2 "--csv with --bodyfile: a usage error" timeline --csv --bodyfile "$P0"
finish
