#!/usr/bin/env bash
# Style gate: clang-format on every tracked C file, and no banned calls.
# Exits non-zero naming each offending file or line.
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ ${#files[@]} -gt 0 ]; then
  if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/wufei-format.$$; then
    echo "style: clang-format differences (run clang-format -i on these files):" >&2
    grep -oE '^[^:]+\.(c|h)' /tmp/wufei-format.$$ | sort -u | sed 's/^/  /' >&2
    rc=1
  fi
  rm -f /tmp/wufei-format.$$
  # Banned calls (STYLE.md): unbounded or non-reentrant string and number functions.
  if grep -nE '(^|[^A-Za-z0-9_.>])(sprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\(' "${files[@]}" \
      | grep -vE '^\S+:[0-9]+:\s*(\*|//)'; then
    echo "style: banned call (sprintf strcpy strcat strtok atoi gets) above" >&2
    rc=1
  fi
fi
[ $rc -eq 0 ] && echo "style: ok (${#files[@]} files)"
exit $rc
