#!/usr/bin/env bash
# test_man.sh MANDIR — the man pages a technician reads (WUFEI_BIN: the built
# binaries): each renders with no groff or man warning, and its COMMANDS
# section names exactly the commands its program's --help lists, so the page
# and the program cannot drift apart.
set -uo pipefail
here=$(dirname "$0")
# shellcheck source=tests/docs/lib.sh
. "$here/lib.sh"
mandir=${1:?usage: test_man.sh MANDIR}
bin=${WUFEI_BIN:?WUFEI_BIN: the directory of the built binaries}
command -v man >/dev/null || { echo "test_man: needs man (man-db)" >&2; exit 1; }

# The top-level items of the page's COMMANDS section: the ".B NAME" after a
# ".TP" outside any .RS/.RE block.
page_commands() {
  awk '/^\.SH / { on = ($2 == "COMMANDS"); next }
    !on { next }
    /^\.RS/ { depth++; next }
    /^\.RE/ { depth--; next }
    /^\.TP/ { tp = (depth == 0); next }
    tp && /^\.B / { print $2 }
    { tp = 0 }' "$1" | sed 's/\\-/-/g'
}

for page in wufei-kiosk.8 wufei-central.8 wufei-devsim.1; do
  f=$mandir/$page
  [ -f "$f" ] || { fail "$f is missing"; continue; }
  warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
  [ -n "$warn" ] && fail "$page: man/groff warnings: $warn"
  for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT "EXIT STATUS" EXAMPLES \
    "SEE ALSO"; do
    grep -q "^\.SH \"\?$s\"\?\$" "$f" || fail "$page has no $s section"
  done
  prog=${page%.*}
  mapfile -t listed < <(commands_of "$bin/$prog")
  mapfile -t paged < <(page_commands "$f")
  [ ${#listed[@]} -gt 0 ] || fail "$prog --help lists no command"
  for c in "${listed[@]}"; do
    printf '%s\n' "${paged[@]}" | grep -qx -- "$c" || fail "$page: COMMANDS lacks '$c' (in --help)"
  done
  for c in "${paged[@]}"; do
    printf '%s\n' "${listed[@]}" | grep -qx -- "$c" || fail "$page: COMMANDS has '$c', not in --help"
  done
done
grep -q '^\.SH FILES' "$mandir/wufei-kiosk.8" || fail "wufei-kiosk.8 has no FILES section"
grep -q '/etc/wufei/kiosk.ini' "$mandir/wufei-kiosk.8" || fail "wufei-kiosk.8 does not name kiosk.ini"
grep -q '^\.SH FILES' "$mandir/wufei-central.8" || fail "wufei-central.8 has no FILES section"
grep -q '/etc/wufei/central.ini' "$mandir/wufei-central.8" ||
  fail "wufei-central.8 does not name central.ini"

if [ "$failures" -gt 0 ]; then
  echo "test_man: $failures failure(s)" >&2
  exit 1
fi
echo "test_man: ok"
