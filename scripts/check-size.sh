#!/usr/bin/env bash
# Size gate (docs/ARCHITECTURE.md, "Files that hold one thing"): no C source
# file outside tests/ over 600 lines, no function over 80 lines (the lines
# between its opening and closing brace; clang-format puts both at column 0).
# Prints the five largest of each, then every file and function beyond the
# limits, and exits non-zero if there is one. Usage: check-size.sh [DIR]
set -uo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"
FILE_MAX=600 FUNC_MAX=80
mapfile -t files < <(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^tests/' |
  while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ ${#files[@]} -gt 0 ] || { echo "size: no source files found" >&2; exit 1; }

wc -l "${files[@]}" | grep -v ' total$' | sort -rn >/tmp/wufei-size.$$
funcs=$(awk '
  /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ { sig = $0; sigfile = FILENAME; next }
  /^\{/ && sig != "" && FILENAME == sigfile { start = FNR; name = sig; next }
  /^\}/ && start { n = FNR - start - 1; sub(/\(.*/, "", name); k = split(name, w, /[ *]+/);
                   printf "%d %s:%d %s\n", n, FILENAME, start, w[k]; start = 0; sig = "" }
' "${files[@]}" | sort -rn)

echo "size: largest files (limit $FILE_MAX lines):"
head -5 /tmp/wufei-size.$$ | sed 's/^/  /'
echo "size: longest functions (limit $FUNC_MAX lines):"
echo "$funcs" | head -5 | sed 's/^/  /'
rc=0
while read -r n f; do
  if [ "$n" -gt $FILE_MAX ]; then echo "size: $f has $n lines (over $FILE_MAX)"; rc=1; fi
done </tmp/wufei-size.$$
while read -r n where name; do
  [ -n "$n" ] || continue
  if [ "$n" -gt $FUNC_MAX ]; then echo "size: $name at $where has $n lines (over $FUNC_MAX)"; rc=1; fi
done <<<"$funcs"
rm -f /tmp/wufei-size.$$
[ $rc -eq 0 ] && echo "size: ok (${#files[@]} files)"
exit $rc
