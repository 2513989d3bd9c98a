#!/usr/bin/env python3
"""Checks that README.md names every directive the server knows (server/config_table.cc: the
settings and the old names), so that the list of directives and their status stays whole.

Usage: check_readme_directives.py REPO_ROOT. Exit 1 listing what README.md does not name."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
table = (root / "server/config_table.cc").read_text()
readme = (root / "README.md").read_text()
names = re.findall(r'\{Param::\w+,\s*"([^"]+)"', table)
names += re.findall(r'\{"([^"]+)", "[^"]+"\},', table)
if len(names) < 150:
    print(f"only {len(names)} directives found in server/config_table.cc: the pattern is stale")
    sys.exit(1)
named = set(re.findall(r"`([^`\s]+)`", readme))
missing = [n for n in names if n not in named]
for n in missing:
    print(f"README.md does not name the directive `{n}`")
print(f"{len(names) - len(missing)} of {len(names)} directives named in README.md")
sys.exit(1 if missing else 0)
