#!/usr/bin/env bash
# The kiosk as the package installs it, unpacked (dpkg-deb -x) and run with
# its own default /etc/wufei/kiosk.ini: a kiosk not yet enrolled refuses to
# start and names the keys to fill in (number, name) and nothing else; with
# them set in a drop-in (kiosk.ini.d/) the configuration is whole and the
# first start says how to create the journal, at the packaged path, and
# creates none. The binary reads its translations from the installed path
# (/usr/share/locale), not from the folder it was built in.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$(deb wufei-kiosk)" "$tmp/root"
dpkg-deb -x "$(deb wufei-common)" "$tmp/root"
k=$tmp/root/usr/bin/wufei-kiosk
ini=$tmp/root/etc/wufei/kiosk.ini
build=${WUFEI_PACKAGE_BUILD:-$SRC/build-package}

# the installed localedir, and not the build's, is in the binary
strings "$k" >"$tmp/strings"
grep -qx '/usr/share/locale' "$tmp/strings" || fail "wufei-kiosk does not look in /usr/share/locale"
if grep -qF "$build" "$tmp/strings"; then fail "wufei-kiosk names its build folder $build"; fi
out=$(env -u WUFEI_LOCALEDIR "$k" run --config "$ini" --print-config 2>&1) && fail "without /usr/share/locale it started: $out"
printf '%s\n' "$out" | grep -qF '/usr/share/locale/C.UTF-8/LC_MESSAGES/wufei-zh_CN.mo' ||
	fail "without its catalogues it does not name the installed path: $out"
export WUFEI_LOCALEDIR=$tmp/root/usr/share/locale
ok "wufei-kiosk reads /usr/share/locale (here through WUFEI_LOCALEDIR=the unpacked wufei-common)"

# not enrolled: exactly the two keys to fill in
set +e
out=$("$k" run --config "$ini" --print-config 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "the default kiosk.ini was accepted without a number and name"
printf '%s\n' "$out" | grep -q '\[kiosk\] number: required key missing' || fail "no word of number: $out"
printf '%s\n' "$out" | grep -q '\[kiosk\] name: required key missing' || fail "no word of name: $out"
[ "$(printf '%s\n' "$out" | grep -c 'kiosk.ini')" -eq 2 ] || fail "more than number and name refused: $out"
ok "the default kiosk.ini asks for the kiosk's number and name, nothing else"

# enrolled through a drop-in: whole, with the udev names and packaged ledger
printf '[kiosk]\nnumber = 17\nname = Test 1\n' >"$tmp/root/etc/wufei/kiosk.ini.d/50-site.ini"
cfg=$("$k" run --config "$ini" --print-config) || fail "number and name set, still refused"
for want in 'ledger = /var/lib/wufei/kiosk/journal.db' 'transport = serial:/dev/wufei-scale' \
	'transport = serial:/dev/wufei-card' 'transport = serial:/dev/wufei-printer'; do
	printf '%s\n' "$cfg" | grep -qxF "$want" || fail "the default config lacks '$want'"
done
ok "with number and name in kiosk.ini.d/, the config is whole: ledger and devices at the agreed paths"

# first start: no journal, says how to make it, makes none
[ ! -e /var/lib/wufei/kiosk/journal.db ] || {
	echo "skip: this machine has /var/lib/wufei/kiosk/journal.db"
	exit 0
}
set +e
out=$("$k" run --config "$ini" --no-devices </dev/null 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "the kiosk started without a journal"
printf '%s\n' "$out" | grep -qF 'wufei-kiosk ledger init /var/lib/wufei/kiosk/journal.db --kiosk NUMBER' ||
	fail "the first start does not say how to create the journal: $out"
[ ! -e /var/lib/wufei/kiosk/journal.db ] || fail "the first start created a journal"
ok "the first start says: $(printf '%s\n' "$out" | tail -1)"
