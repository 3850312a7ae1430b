#!/usr/bin/env bash
# Checks the translations (ctest i18n_po): every catalogue in po/ passes
# msgfmt --check (format strings, plural forms, header), has no untranslated
# and no fuzzy entry, and holds every string the sources mark for
# translation (wf_tr, wf_ntr, N_): a string added to the code without a
# translation fails here. scripts/po-update.sh brings po/ up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
mapfile -t files < <(git ls-files '*.c' 2>/dev/null | grep -v '^tests/' || true)
if [ ${#files[@]} -eq 0 ]; then # not a git checkout: every C file but tests'
  mapfile -t files < <(find common kiosk devices ui central -name '*.c' | LC_ALL=C sort)
fi
xgettext --from-code=UTF-8 --language=C --keyword= --keyword=wf_tr:2 \
  --keyword=wf_ntr:2,3 --keyword=N_ -o "$tmp/fresh.pot" "${files[@]}"
for lang in zh_CN en; do
  po=po/$lang.po
  if ! msgfmt --check --statistics -o /dev/null "$po" 2>"$tmp/stat"; then
    cat "$tmp/stat" >&2
    echo "check-po: $po: msgfmt --check failed" >&2
    status=1
  fi
  untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
  # an empty catalogue prints nothing; one with entries prints its header too
  [ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  if [ "$untranslated" -ne 0 ] || [ "$fuzzy" -ne 0 ]; then
    echo "check-po: $po: $untranslated untranslated, $fuzzy fuzzy:" >&2
    msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | tail -n +3 >&2 || true
    msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' | tail -n +3 >&2 || true
    status=1
  fi
  if [ -s "$tmp/fresh.pot" ] && ! msgcmp --use-untranslated "$po" "$tmp/fresh.pot" 2>"$tmp/cmp"; then
    echo "check-po: $po lacks strings the sources use (run scripts/po-update.sh):" >&2
    grep -A1 'this message is used but not defined' "$tmp/cmp" >&2 || cat "$tmp/cmp" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "check-po: zh_CN and en complete"
exit $status
