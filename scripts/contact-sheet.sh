#!/usr/bin/env bash
# One PNG of many screenshots, with labels (ImageMagick's montage): each
# TITLE DIR pair is a section of the sheet with that title, DIR's NNN-*.png
# in name order, each labelled with its file name (without ".png").
#   scripts/contact-sheet.sh OUT.png TITLE DIR [TITLE DIR ...]
# WUFEI_SHEET_WIDTH: a thumbnail's width in pixels (default 270);
# WUFEI_SHEET_COLUMNS: thumbnails a row (default 8).
set -euo pipefail
if [ $# -lt 3 ] || [ $(( ($# - 1) % 2 )) -ne 0 ]; then
  echo "usage: $0 OUT.png TITLE DIR [TITLE DIR ...]" >&2
  exit 2
fi
out=$1
shift
width=${WUFEI_SHEET_WIDTH:-270}
columns=${WUFEI_SHEET_COLUMNS:-8}
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
[ -f "$font" ] || font=$(fc-match -f '%{file}' sans-serif)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sections=()
while [ $# -gt 0 ]; do
  title=$1 dir=$2
  shift 2
  shots=()
  for png in "$dir"/[0-9][0-9][0-9]-*.png; do
    [ -e "$png" ] && shots+=("$png")
  done
  [ ${#shots[@]} -gt 0 ] || { echo "contact-sheet: no NNN-*.png in $dir" >&2; exit 1; }
  labelled=()
  for png in "${shots[@]}"; do
    labelled+=(-label "$(basename "$png" .png)" "$png")
  done
  s=$tmp/section-${#sections[@]}.png
  montage -font "$font" -pointsize 14 -title "$title" -background white \
    "${labelled[@]}" -tile "${columns}x" -geometry "${width}x+6+6" -depth 8 "$s"
  sections+=("$s")
done
montage -background white "${sections[@]}" -tile 1x -geometry +0+12 -depth 8 "$out"
