#!/usr/bin/env python3
"""packaging/udev/60-wufei.rules, checked without udev running.

Debian 12's udev (252) has no `udevadm verify`. Two checks: udev's own
parser, through `udevadm test` on a device every machine has with the rules
in a private mount namespace (root and package udev; skipped, and said,
otherwise; it reports some mistakes only, e.g. an unknown key); and this
file's stricter parse of every rule line (active and the commented
examples) as udev reads it: comma-separated
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
# the example, and the installed default (packaging/etc/, helper pkg's) when there
KIOSK_INIS = [p for p in (SRC / "packaging/kiosk.ini", SRC / "packaging/etc/kiosk.ini")
              if p.exists()]
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

for ini_path in KIOSK_INIS:
    where = ini_path.relative_to(SRC)
    ini = ini_path.read_text()
    for n, raw in enumerate(ini.splitlines(), 1):
        m = re.match(r"\s*;?\s*transport\s*=\s*serial:(\S+)", raw)
        if m and m.group(1) not in {f"/dev/{x}" for x in NAMES}:
            errors.append(f"{where}:{n}: serial transport {m.group(1)} is not a udev name")
    for name in ("wufei-scale", "wufei-card"):
        if f"serial:/dev/{name}" not in ini:
            errors.append(f"{where}: no device uses /dev/{name}")
if not KIOSK_INIS:
    errors.append("packaging/kiosk.ini is missing")



def udevadm_says(rules_text):
    """What udev's own parser says of rules_text (udevadm test, udev 252):
    the rules go into /run/udev/rules.d and a group file that knows
    wufei-kiosk over /etc/group, both in a private mount namespace, and
    udevadm test runs on a device every machine has (/sys/class/tty/tty).
    Its complaints about the file, or None when it cannot run here."""
    import os
    import shutil
    import subprocess
    import tempfile
    if os.geteuid() != 0 or not shutil.which("udevadm") or not shutil.which("unshare"):
        return None
    with tempfile.TemporaryDirectory() as t:
        os.mkdir(f"{t}/rules")
        Path(f"{t}/rules/60-wufei.rules").write_text(rules_text)
        Path(f"{t}/group").write_text(Path("/etc/group").read_text() + "wufei-kiosk:x:64999:\n")
        script = ('mkdir -p /run/udev/rules.d && mount --bind "$1/rules" /run/udev/rules.d && '
                  'mount --bind "$1/group" /etc/group && '
                  'udevadm test --action=add /sys/class/tty/tty 2>&1')
        r = subprocess.run(["unshare", "-m", "bash", "-c", script, "_", t],
                           capture_output=True, text=True)
        out = r.stdout + r.stderr
        if "Reading rules file: /run/udev/rules.d/60-wufei.rules" not in out:
            return None if r.returncode else [f"udevadm test did not read the rules: {out[-300:]}"]
        return [ln for ln in out.splitlines()
                if "60-wufei.rules" in ln and not ln.startswith("Reading rules file")]


said = udevadm_says(RULES.read_text())
if said is None:
    print("skipped: udevadm test (needs root, unshare and udevadm: package udev)")
else:
    errors += [f"udevadm: {ln}" for ln in said]
    # the check itself: a misspelt key in a copy must be heard
    bad = udevadm_says(RULES.read_text().replace('SYMLINK+="wufei-scale"', 'SYMLNK+="wufei-scale"'))
    if not bad or not any("SYMLNK" in ln for ln in bad):
        errors.append(f"udevadm test did not complain of a misspelt key: {bad}")

for e in errors:
    print("FAIL:", e, file=sys.stderr)
if errors:
    sys.exit(1)
print(f"ok: {RULES.name}: rules parse; {sorted(active_names)}; kiosk.ini uses them")
