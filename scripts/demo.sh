#!/usr/bin/env bash
# The demo: a whole kiosk on simulated devices, headless.
#   1. installs Debian packages and builds (build/)
#   2. starts wufei-devsim: a Yaohua XK3190-A9 scale, an EM4100 card reader
#      and an ESC/POS printer on pseudo-terminals
#   3. starts wufei-central on SQLite and enrols, as the central office
#      does, the categories and rates, residents, a staff member, a lost
#      card and the kiosk's public key
#   4. creates a journal and a receipt key, starts wufei-kiosk, which
#      down-syncs from central, and plays residents and staff: cards and
#      weights through the simulator, taps on the kiosk's console
#   5. prints the journal, verifies it, scans the printed receipts' QR codes
#      and shows that central holds every record and verifies a receipt;
#      every screen the kiosk showed is drawn to demo-out/screens/*.png
#   6. checks itself: exits non-zero unless the journal verifies, central
#      holds every journal record, the drops were recorded and a printed
#      receipt's QR code verifies at central
#   7. replays the visits in English on a copy of the journal (a scripted
#      run, demo-out/en/) and ends by writing one PNG of every screen shown
#      in both languages: demo-out/screens/contact-sheet.png
# Everything it makes lands in demo-out/. No hardware, no display needed.
# The test suite runs it too (ctest demo), with WUFEI_DEMO_BIN=DIR (programs
# already built: no install, no build) and WUFEI_DEMO_OUT=DIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -n "${WUFEI_DEMO_BIN:-}" ]; then
  bin=$WUFEI_DEMO_BIN
else
  bash scripts/deps.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target wufei-kiosk wufei-devsim wufei-central wufei_pty_shim >/dev/null
  bin=$top/build/bin
fi
shim=$(cd "$bin/.." && pwd)/lib/libwufei_pty_shim.so
out=${WUFEI_DEMO_OUT:-$top/demo-out}
rm -rf "$out"
mkdir -p "$out/dev"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() {
  exec 3>&- 4>&- 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

say "simulated devices (wufei-devsim)"
mkfifo "$out/devsim.in" "$out/kiosk.in"
$bin/wufei-devsim --dir "$out/dev" --scale xk3190-a9 --card em4100 --printer escpos \
  <"$out/devsim.in" >"$out/devsim.out" 2>"$out/devsim.err" &
pids+=($!)
exec 3>"$out/devsim.in"
for _ in $(seq 50); do [ -s "$out/devsim.out" ] && break; sleep 0.1; done
head -c 300 "$out/devsim.out"; echo " ..."

say "journal and receipt key of kiosk 1"
$bin/wufei-kiosk keygen --out "$out/kiosk.key"
$bin/wufei-kiosk ledger init "$out/journal.db" --kiosk 1

say "central office: enrols rates, residents, staff, a lost card and the kiosk (wufei-central)"
db="sqlite:$out/central.db"
c() { $bin/wufei-central "$@" --db "$db"; }
c rates set --id 1 --code paper --name "纸类 Paper" --unit g --rate 2000 --min 100 --max 50000 --daily-limit 20000
c rates set --id 2 --code plastic --name "塑料 Plastic" --unit g --rate 3000 --min 50 --max 30000 --daily-limit 10000
c rates set --id 3 --code metal --name "金属 Metal" --unit g --rate 5000 --min 50 --max 30000 --daily-limit 10000
c rates set --id 4 --code glass --name "玻璃 Glass" --unit g --rate 1000 --min 100 --max 40000 --daily-limit 20000
c rates set --id 5 --code textiles --name "纺织物 Textiles" --unit g --rate 1500 --min 100 --max 30000 --daily-limit 15000
c rates set --id 6 --code batteries --name "电池 Batteries" --unit piece --rate 2 --min 1 --max 50 --daily-limit 20
c resident add --id 1001 --card em4100:0014868981 --name "王*" --points 120
c resident add --id 1002 --card em4100:0010597059 --name "李*"
c resident add --id 1003 --card em4100:0010435873 --name "张*"
c resident block 1003 --reason "account closed: moved away"
printf '1234\n' | c staff add --id 7 --card em4100:0001122867 --name "陈*" --role staff   # the PIN on stdin
c blocklist add --card em4100:0185339150 --reason "card reported stolen"
c kiosk add 1 --pubkey "$out/kiosk.key.pub" --name "Demo kiosk"
$bin/wufei-central serve --db "$db" --listen 127.0.0.1:0 >"$out/central.out" 2>"$out/central.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$out/central.out" ] && break; sleep 0.1; done
port=$(head -1 "$out/central.out" | sed 's/.*://')
echo "wufei-central serving on 127.0.0.1:$port"

say "kiosk configuration"
{
  cat packaging/demo/kiosk.ini
  cat <<INI

[device.scale]
role = scale
transport = serial:$out/dev/scale
protocol = xk3190-a9
unit = kg

[device.card]
role = card
transport = serial:$out/dev/card
protocol = em4100

[device.printer]
role = printer
transport = serial:$out/dev/printer
protocol = escpos
baud = 115200
qr = raster
INI
} | sed -e "s|^ledger = .*|ledger = $out/journal.db|" \
        -e "s|^\[kiosk\]|[kiosk]\nkey_file = $out/kiosk.key|" \
        -e "s|^\[central\]|[central]\nurl = http://127.0.0.1:$port|" \
  >"$out/kiosk.ini"
echo "$out/kiosk.ini"

# With a display the kiosk also shows its screens in a window (taps on it
# work too); headless (or WUFEI_DEMO_HEADLESS=1) only the screenshots.
window=
if [ -n "${DISPLAY:-}" ] && [ -z "${WUFEI_DEMO_HEADLESS:-}" ]; then window=--window; fi
say "the kiosk (wufei-kiosk run), live on the simulated devices"
# libserialport refuses pseudo-terminals; the test shim makes them answer like
# UARTs. A sanitizer build needs its ASan runtime first in the preload list.
asan=$(ldd "$bin/wufei-kiosk" | awk '/libasan/ {print $3}')
LD_PRELOAD=${asan:+$asan:}$shim \
  $bin/wufei-kiosk run --config "$out/kiosk.ini" --screenshots "$out/screens" $window \
    <"$out/kiosk.in" >"$out/kiosk.log" 2>&1 &
kiosk=$!
pids+=($kiosk)
exec 4>"$out/kiosk.in"
tail -f "$out/kiosk.log" --pid "$kiosk" &
pids+=($!)
problems=()
fail() { problems+=("$*"); printf '\033[1mdemo: %s\033[0m\n' "$*"; }
sim() { echo "$*" >&3; }
tap() { echo "$*" >&4; }
# mark; ...; seen PATTERN: waits (up to 15 s) for PATTERN in what the kiosk
# logged since the mark, so the demo follows the kiosk instead of a stopwatch.
mark() { from=$(($(wc -l <"$out/kiosk.log") + 1)); }
seen() {
  for _ in $(seq 150); do
    tail -n +"$from" "$out/kiosk.log" | grep -q -- "$1" && return 0
    sleep 0.1
  done
  fail "the kiosk never logged '$1'"
  return 0
}
for _ in $(seq 150); do grep -q "categories loaded" "$out/kiosk.log" && break; sleep 0.1; done
grep -q "categories loaded" "$out/kiosk.log" || fail "no categories from central"
empty() { sim "weight 0"; sleep 1.5; } # the platform seen empty and still: the next bag counts

echo "# resident 王* drops 1.25 kg of paper"
empty
mark; sim "card 0400E2E1F5"; seen "screen category"
mark; tap "tap category paper"; sim "weight 1250"; seen "screen confirm"
mark; tap "tap confirm"; seen "screen receipt"; seen "printer: "
echo "# ... and 4 batteries"
mark; tap "tap another"; seen "screen category"
tap "tap category batteries"
for _ in 1 2 3 4; do tap "tap more"; done
mark; tap "tap confirm"; seen "screen receipt"; seen "printer: "
mark; tap "tap done"; seen "screen attract"
empty

echo "# a blocked card is refused"
mark; sim "card 05009F3D21"; seen "screen refused"
mark; tap "tap done"; seen "screen attract"

echo "# an unknown card drops 800 g of plastic anonymously, for a claimable receipt, in English"
mark; sim "card 0B0B0B0B0B"; seen "screen unknown-card"
tap "tap language" # the rest of this visit in the other language; attract returns to Chinese
mark; tap "tap anonymous"; seen "screen category"
mark; tap "tap category plastic"; sim "weight 800"; seen "screen confirm"
mark; tap "tap confirm"; seen "screen receipt"; seen "printer: "
mark; tap "tap done"; seen "screen attract"
empty

echo "# staff 陈* logs in (PIN 1234), sees the kiosk's health, checks the test weight, takes the kiosk out of service"
mark; sim "card 0600112233"; seen "screen pin"
mark; tap "pin 1234"; seen "staff: sync: "; seen "staff: scale: up for"; seen "staff: printer: up for"
sim "weight 5000"; sleep 2
mark; tap "tap test-weight"; seen "staff action"
empty
mark; tap "tap zero"; seen "scale: protocol xk3190-a9 takes no such command"

mark; tap "tap oos-on"; tap "tap exit"; seen "screen out-of-service"
mark; tap "sync"; seen "sync: outbox empty"
tap "quit"
st=0; wait "$kiosk" || st=$?
[ "$st" -eq 0 ] || fail "wufei-kiosk exited with status $st"
sleep 0.5

say "the journal (wufei-kiosk ledger dump)"
$bin/wufei-kiosk ledger dump "$out/journal.db"
say "journal check (wufei-kiosk ledger verify)"
$bin/wufei-kiosk ledger verify "$out/journal.db" || fail "the journal does not verify"

say "printed receipts (simulated printer), their QR codes scanned with zbarimg"
urls=()
for png in "$out"/dev/printer-*.png; do
  [ -e "$png" ] || continue
  u=$(zbarimg --raw -q "$png" 2>/dev/null || true)
  echo "$png -> $u"
  [ -n "$u" ] && urls+=("$u")
done

say "the kiosk's screens, drawn headless (demo-out/screens/)"
ls "$out/screens"
shots=$(ls "$out"/screens/*.png 2>/dev/null | wc -l)
[ "$shots" -ge 20 ] || fail "only $shots screenshots"
for png in "$out"/screens/*-receipt.png; do
  [ -e "$png" ] || { fail "no receipt screen drawn"; break; }
  u=$(zbarimg --raw -q "$png" 2>/dev/null || true)
  case " ${urls[*]} " in
    *" $u "*) echo "$png -> $u (the printed receipt's URL)" ;;
    *) fail "the QR code on $png ($u) is not a printed receipt's URL" ;;
  esac
done

say "central office: what central holds of kiosk 1, and the receipts checked"
held=$(sqlite3 "$out/central.db" "SELECT count(*) FROM records WHERE kiosk = 1;")
journal=$($bin/wufei-kiosk ledger dump "$out/journal.db" | wc -l)
drops=$($bin/wufei-kiosk ledger dump "$out/journal.db" | grep -c '"kind":"drop"' || true)
echo "central holds $held records of kiosk 1; the journal holds $journal, $drops of them drops"
[ "$held" -eq "$journal" ] || fail "central holds $held records, the journal $journal"
[ "$drops" -eq 3 ] || fail "$drops drops recorded, 3 expected"
c alerts list
[ ${#urls[@]} -eq 3 ] || fail "${#urls[@]} printed receipts scanned, 3 expected"
for u in "${urls[@]}"; do
  c verify-receipt "$u" || fail "central does not verify $u"
done
say "the same visits in English: a scripted run on a copy of the journal (demo-out/en/)"
# The live kiosk speaks Chinese, its default, but for one visit switched to
# English; this pass shows every screen in English, on a virtual clock, with
# no devices and no central (the demo's journal and central stay as checked).
en=$out/en
mkdir -p "$en"
sqlite3 "$out/journal.db" ".backup '$en/journal.db'"
cp "$out/journal.db.hwm" "$en/journal.db.hwm"
sed -e "s|^ledger = .*|ledger = $en/journal.db|" \
    -e "s|^\[kiosk\]|[kiosk]\nkey_file = $out/kiosk.key|" \
    -e "s|^\[screen\]|[screen]\nlanguage = en|" packaging/demo/kiosk.ini >"$en/kiosk.ini"
cat >"$en/visits.txt" <<'VISITS'
# The demo's visits again, in English ([screen] language = en).
weight 0 for 1500
card em4100:0014868981
expect screen category
tap category paper
weight 1250 for 1500
expect screen confirm
tap confirm
expect screen receipt
tap another
tap category batteries
tap more
tap more
expect screen count
tap confirm
expect screen receipt
tap done
card em4100:0010435873
expect screen refused
tap done
card em4100:0011223344
expect screen unknown-card
tap anonymous
expect screen category
tap cancel
card em4100:0001122867
expect screen pin
pin 1234
expect screen staff
tap oos-on
tap exit
expect screen out-of-service
VISITS
$bin/wufei-kiosk run --config "$en/kiosk.ini" --script "$en/visits.txt" --no-devices \
  --screenshots "$en/screens" >"$en/kiosk.log" 2>&1 ||
  fail "the English pass failed (demo-out/en/kiosk.log): $(tail -1 "$en/kiosk.log")"
ls "$en/screens"

say "contact sheet: every screen the demo showed, in both languages"
if scripts/contact-sheet.sh "$out/screens/contact-sheet.png" \
  "The demo, live on simulated devices (default language: Chinese; the anonymous visit switches to English)" \
  "$out/screens" "The same visits in English (a scripted run, [screen] language = en)" "$en/screens"; then
  echo "$out/screens/contact-sheet.png"
else
  fail "no contact sheet"
fi

if [ ${#problems[@]} -eq 0 ]; then
  say "demo: ok: everything is in $out"
else
  say "demo: FAILED (${#problems[@]} problems, listed above); everything is in $out"
  exit 1
fi
