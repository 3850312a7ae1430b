#!/usr/bin/env python3
"""packaging/udev/60-wufei.rules, checked without udev running.

Debian 12's udev (252) has no `udevadm verify`, and `udevadm test` needs a
real device and the system's rules directories; so this parses every rule
line (active and the commented examples) as udev does: comma-separated
KEY[{attr}] OP "value" with a known key, an operator the key allows and a
quoted value; every rule that names a device gives it only to group
wufei-kiosk, mode 0660, and matches vendor and product plus a serial
number or a USB port; the three names the kiosk uses are all there; and
packaging/kiosk.ini's serial transports use those names."""
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
RULES = SRC / "packaging/udev/60-wufei.rules"
KIOSK_INI = SRC / "packaging/kiosk.ini"
NAMES = {"wufei-scale", "wufei-card", "wufei-printer"}

# udev(7): keys that only match, and keys that assign.
MATCH = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM",
         "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR", "ATTRS", "SYSCTL", "ENV", "CONST",
         "TAG", "TAGS", "TEST", "PROGRAM", "RESULT"}
ASSIGN = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR", "SYSCTL",
          "ENV", "TAG", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS"}
WITH_ATTR = {"ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "TEST", "SECLABEL", "RUN",
             "IMPORT"}
TOKEN = re.compile(r'\s*([A-Z]+)(?:\{([^}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')

errors = []


def parse(line, where):
    pairs, pos = [], 0
    while pos < len(line):
        m = TOKEN.match(line, pos)
        if not m:
            errors.append(f"{where}: cannot parse from: {line[pos:pos + 40]!r}")
            return []
        key, attr, op, value, sep = m.groups()
        ok_op = (op in ("==", "!=") and key in MATCH) or \
                (op not in ("==", "!=") and key in ASSIGN)
        if not ok_op:
            errors.append(f"{where}: {key} {op}: not a udev key/operator pair")
        if (attr is not None) != (key in WITH_ATTR) and key not in ("RUN", "IMPORT"):
            errors.append(f"{where}: {key}{{{attr}}}: attribute where none goes, or missing")
        pairs.append((key, attr, op, value))
        pos = m.end()
        if sep == "" and pos < len(line):
            errors.append(f"{where}: missing comma before: {line[pos:pos + 40]!r}")
            return pairs
    return pairs


def check_rule(pairs, where, active):
    d = {}
    for key, attr, op, value in pairs:
        d.setdefault((key, attr, op), value)
    link = d.get(("SYMLINK", None, "+="))
    if link is None:
        errors.append(f"{where}: a rule that names no device (SYMLINK+=)")
        return None
    if d.get(("GROUP", None, "=")) != "wufei-kiosk" or d.get(("MODE", None, "=")) != "0660":
        errors.append(f"{where}: {link} not GROUP=\"wufei-kiosk\", MODE=\"0660\"")
    if d.get(("SUBSYSTEM", None, "==")) == "tty":
        for a in ("idVendor", "idProduct"):
            v = d.get(("ATTRS", a, "=="), "")
            if not re.fullmatch(r"[0-9a-f]{4}", v):
                errors.append(f"{where}: ATTRS{{{a}}} is not 4 lower-case hex digits")
        if ("ATTRS", "serial", "==") not in d and ("KERNELS", None, "==") not in d:
            errors.append(f"{where}: matches any such adapter (no serial, no KERNELS port)")
    if active and link not in NAMES:
        errors.append(f"{where}: {link} is none of {sorted(NAMES)}")
    return link


active_names, chips = set(), set()
for n, raw in enumerate(RULES.read_text().splitlines(), 1):
    line = raw.strip()
    where = f"{RULES.name}:{n}"
    commented = line.startswith("#")
    body = line.lstrip("#").strip()
    if not body or (commented and not re.match(r"(SUBSYSTEM|KERNEL|ACTION)\w*\s*[=!]", body)):
        continue
    pairs = parse(body, where)
    if pairs:
        link = check_rule(pairs, where, not commented)
        if not commented and link:
            active_names.add(link)
        chips.update(v for k, a, o, v in pairs if (k, a) == ("ATTRS", "idVendor"))

for missing in sorted(NAMES - active_names):
    errors.append(f"{RULES.name}: no rule names /dev/{missing}")
for vid in ("0403", "1a86", "067b", "10c4"):
    if vid not in chips:
        errors.append(f"{RULES.name}: no example for USB vendor {vid}")

for n, raw in enumerate(KIOSK_INI.read_text().splitlines(), 1):
    m = re.match(r"\s*;?\s*transport\s*=\s*serial:(\S+)", raw)
    if m and m.group(1) not in {f"/dev/{x}" for x in NAMES}:
        errors.append(f"kiosk.ini:{n}: serial transport {m.group(1)} is not a udev name")
ini = KIOSK_INI.read_text()
for name in ("wufei-scale", "wufei-card"):
    if f"serial:/dev/{name}" not in ini:
        errors.append(f"kiosk.ini: no device uses /dev/{name}")

for e in errors:
    print("FAIL:", e, file=sys.stderr)
if errors:
    sys.exit(1)
print(f"ok: {RULES.name}: rules parse; {sorted(active_names)}; kiosk.ini uses them")
