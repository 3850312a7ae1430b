#!/usr/bin/env bash
# test_help.sh — what a technician sees from --help, for wufei-kiosk,
# wufei-central and wufei-devsim (WUFEI_BIN: the built binaries):
#  - PROGRAM --help and PROGRAM help: exit 0, the list on stdout, nothing on
#    stderr; every command with a one-line summary; the commands issue 14
#    names are there;
#  - PROGRAM COMMAND --help, for every listed COMMAND: exit 0, that command's
#    usage (it names the command) on stdout;
#  - an unknown command: exit 2, nothing on stdout, the message and the list
#    on stderr;
#  - central: a usage error in one command shows that command's usage only;
#  - every `PROGRAM COMMAND [SUBCOMMAND]` docs/OPERATIONS.md names exists:
#    COMMAND is listed, SUBCOMMAND is a word of COMMAND's usage.
set -uo pipefail
here=$(dirname "$0")
# shellcheck source=tests/docs/lib.sh
. "$here/lib.sh"
bin=${WUFEI_BIN:?WUFEI_BIN: the directory of the built binaries}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A want=(
  [wufei-kiosk]="run ledger keygen help"
  [wufei-central]="serve kiosk verify-receipt resident rates staff blocklist alerts receipt points user audit token report day migrate backup help"
  [wufei-devsim]="parse help"
)

for prog in wufei-kiosk wufei-central wufei-devsim; do
  p=$bin/$prog
  for h in --help help; do
    "$p" $h >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || fail "$prog $h exits $rc, not 0"
    [ -s "$tmp/err" ] && fail "$prog $h wrote to stderr: $(head -c 200 "$tmp/err")"
    grep -q '^commands:' "$tmp/out" || fail "$prog $h has no 'commands:' list"
  done
  cmp -s <("$p" --help) <("$p" help) || fail "$prog help and $prog --help differ"
  mapfile -t listed < <(commands_of "$p")
  [ ${#listed[@]} -gt 0 ] || { fail "$prog --help lists no command"; continue; }
  # one line each, with a summary
  for c in "${listed[@]}"; do
    n=$("$p" --help | grep -cE "^  $c +[^ ].{8,}$")
    [ "$n" -eq 1 ] || fail "$prog --help: '$c' is not on exactly one line with a summary"
  done
  for c in ${want[$prog]}; do
    printf '%s\n' "${listed[@]}" | grep -qx -- "$c" || fail "$prog --help does not list '$c'"
  done
  for c in "${listed[@]}"; do
    "$p" "$c" --help >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || fail "$prog $c --help exits $rc, not 0"
    [ -s "$tmp/err" ] && fail "$prog $c --help wrote to stderr: $(head -c 200 "$tmp/err")"
    head -n1 "$tmp/out" | grep -q '^usage: ' || fail "$prog $c --help does not start with 'usage: '"
    grep -qE "$prog (\[)?$c\b" "$tmp/out" || fail "$prog $c --help does not show '$prog $c ...'"
  done
  "$p" no-such-command >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] || fail "$prog no-such-command exits $rc, not 2"
  [ -s "$tmp/out" ] && fail "$prog no-such-command wrote to stdout"
  grep -q "unknown command 'no-such-command'" "$tmp/err" ||
    fail "$prog no-such-command does not say 'unknown command'"
  grep -q '^commands:' "$tmp/err" || fail "$prog no-such-command does not list the commands"
done

# A command's usage error shows that command's usage, not every command's.
"$bin/wufei-central" kiosk frobnicate --db "sqlite:$tmp/c.db" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "wufei-central kiosk frobnicate exits $rc, not 2"
grep -q 'wufei-central kiosk add NUMBER' "$tmp/err" ||
  fail "wufei-central kiosk frobnicate does not show kiosk's usage"
grep -q 'wufei-central rates' "$tmp/err" &&
  fail "wufei-central kiosk frobnicate shows other commands' usage"

# The kiosk with no command (or options only) still runs the kiosk: a missing
# configuration is the kiosk's own error, not a usage error.
"$bin/wufei-kiosk" --config "$tmp/none.ini" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "wufei-kiosk --config MISSING exits $rc, not 1"
grep -q 'refusing to start' "$tmp/err" || fail "wufei-kiosk --config MISSING: $(cat "$tmp/err")"

# The technician's guide names only commands that exist.
guide=$here/../../docs/OPERATIONS.md
[ -f "$guide" ] || fail "$guide is missing"
while read -r prog cmd sub; do
  commands_of "$bin/$prog" | grep -qx -- "$cmd" ||
    { fail "OPERATIONS.md: '$prog $cmd': no such command"; continue; }
  [ -z "$sub" ] && continue
  "$bin/$prog" "$cmd" --help | grep -qw -- "$sub" ||
    fail "OPERATIONS.md: '$prog $cmd $sub': $sub is not in '$prog $cmd --help'"
done < <(grep -oE 'wufei-(kiosk|central|devsim) [a-z][a-z-]*( [a-z][a-z0-9-]*)?' "$guide" | sort -u)

if [ "$failures" -gt 0 ]; then
  echo "test_help: $failures failure(s)" >&2
  exit 1
fi
echo "test_help: ok"
