#!/usr/bin/env python3
"""po-set.py PO MSGID MSGSTR [MSGID MSGSTR ...] — writes translations into a
.po file (exact msgid match; msgids may span lines) and clears their fuzzy
mark and previous-msgid comments; for translators working from the command
line. Plural entries are left alone. Fails on a msgid the file does not hold."""
import re
import sys


def unquote(lines):
    return "".join(re.match(r'^(?:msgid )?"(.*)"$', l).group(1) for l in lines)


def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def main(argv):
    if len(argv) < 4 or len(argv) % 2 != 0:
        sys.exit(__doc__)
    path, pairs = argv[1], argv[2:]
    want = {esc(m): esc(t) for m, t in zip(pairs[0::2], pairs[1::2])}
    blocks = open(path, encoding="utf-8").read().split("\n\n")
    done = set()
    for i, b in enumerate(blocks):
        lines = b.split("\n")
        try:
            start = next(j for j, l in enumerate(lines) if l.startswith("msgid "))
        except StopIteration:
            continue
        end = start + 1
        while end < len(lines) and lines[end].startswith('"'):
            end += 1
        if end >= len(lines) or not lines[end].startswith("msgstr "):
            continue  # a plural entry
        mid = unquote(lines[start:end])
        if mid not in want or mid == "":
            continue
        head = []
        for l in lines[:start]:
            if l.startswith("#|"):
                continue
            if l.startswith("#,"):
                flags = [f.strip() for f in l[2:].split(",") if f.strip() != "fuzzy"]
                if not flags:
                    continue
                l = "#, " + ", ".join(flags)
            head.append(l)
        blocks[i] = "\n".join(head + lines[start:end] + ['msgstr "%s"' % want[mid]])
        done.add(mid)
    missing = set(want) - done
    if missing:
        sys.exit("po-set: %s: no entry %s" % (path, ", ".join(sorted(missing))))
    open(path, "w", encoding="utf-8").write("\n\n".join(blocks))


if __name__ == "__main__":
    main(sys.argv)
