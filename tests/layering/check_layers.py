#!/usr/bin/env python3
"""The layering rules of docs/ARCHITECTURE.md, checked on every source file.

Each folder may include only the folders its rule names (by the quoted include's path); a
longer folder prefix wins (server/net/ over server/). No source file may pass MAX_LINES lines.
Every file docs/ARCHITECTURE.md names in backquotes exists, so the description cannot drift
from the tree unnoticed. Exits non-zero and names every breach.
Usage: check_layers.py <repository root>
"""
import pathlib
import re
import sys

MAX_LINES = 800

# folder -> include prefixes it may use (its own folder always included).
RULES = {
    "base/": ["base/"],
    "wal/": ["base/"],
    "snapshot/": ["base/"],
    "engine/": ["base/"],
    "server/net/": ["base/"],
    "server/commands/": ["base/", "engine/", "server/net/", "server/acl.h", "server/blocking.h",
                         "server/config.h", "server/notify.h", "server/pubsub.h", "server/server.h",
                         "server/slowlog.h", "server/command_stats.h", "server/monitor.h",
                         "server/latency.h", "server/memory_stats.h",
                         "server/watches.h", "server/persistence.h", "server/snapshots.h",
                         "server/scripting.h"],
    # The core: dispatch, housekeeping, persistence, snapshots, config. Of the command layer
    # it knows the table and the error texts, never a family.
    "server/": ["base/", "engine/", "wal/", "snapshot/", "server/net/",
                "server/commands/command.h", "server/commands/errors.h"],
    "tools/": ["base/", "wal/", "snapshot/", "engine/"],
    "bench/": [""],
    "tests/": [""],
}
# Test code beside a folder may use the test utilities too.
TEST_EXTRA = ["tests/util/", "tests/fuzz/", "wal/fault_injection.h", "base/fault_injection.h",
              "engine/test_util.h", "wal/test_util.h"]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rule_for(path: str):
    best = None
    for folder in RULES:
        if path.startswith(folder) and (best is None or len(folder) > len(best)):
            best = folder
    return best


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    breaches = []
    checked = 0
    for file in sorted(root.rglob("*")):
        if file.suffix not in (".h", ".cc") or not file.is_file():
            continue
        rel = file.relative_to(root).as_posix()
        if rel.startswith("build") or "/corpus/" in rel:
            continue
        folder = rule_for(rel)
        if folder is None:
            continue
        checked += 1
        text = file.read_text(errors="replace")
        lines = text.count("\n")
        if lines > MAX_LINES:
            breaches.append(f"{rel}: {lines} lines (at most {MAX_LINES})")
        allowed = [folder] + RULES[folder]
        if file.stem.endswith("_test"):
            allowed += TEST_EXTRA
        for name in INCLUDE.findall(text):
            if "/" not in name:
                continue  # a sibling header of a generated or third-party kind
            if not any(name.startswith(prefix) for prefix in allowed):
                breaches.append(f"{rel}: includes {name}, which {folder} may not")
    doc = root / "docs" / "ARCHITECTURE.md"
    for name in re.findall(r"`([a-z_]+/[A-Za-z0-9_./]*)`", doc.read_text()):
        if not (root / name).exists():
            breaches.append(f"docs/ARCHITECTURE.md: names {name}, which does not exist")
    for b in breaches:
        print(b)
    print(f"check_layers: {checked} files, {len(breaches)} breaches")
    return 1 if breaches or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
