#!/usr/bin/env bash
# Brings po/ up to date with the sources: extracts every string marked for
# translation (wf_tr, wf_ntr, N_) into po/wufei.pot and merges it into
# po/zh_CN.po and po/en.po. New strings then show as untranslated (en: filled
# with the English by msgen) until translated; tests/i18n fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' | grep -v '^tests/' | LC_ALL=C sort)
xgettext --from-code=UTF-8 --language=C --keyword= --keyword=wf_tr:2 \
  --keyword=wf_ntr:2,3 --keyword=N_ --add-comments=TRANSLATORS: \
  --package-name=wufei --msgid-bugs-address=none --no-location --sort-output \
  -o po/wufei.pot "${files[@]}"
msgmerge --quiet --update --backup=none --no-location --sort-output po/zh_CN.po po/wufei.pot
# English: the message ids are English; a new one is its own translation
# (no fuzzy matching: an English entry never needs a translator's review)
msgmerge --quiet --update --backup=none --no-location --sort-output --no-fuzzy-matching \
  po/en.po po/wufei.pot
msgen po/en.po -o po/en.po.new && mv po/en.po.new po/en.po
echo "po: $(msgattrib --untranslated po/zh_CN.po | grep -c '^msgid ' || true) entries of zh_CN.po to translate (the header counts as one)"
