#!/usr/bin/python3
"""Bump the patch version in a product's data-product file (JSON or YAML) and stage it:
the edit a producer makes before `git commit`, repeatable (used as the hook case's prepare)."""
import re
import subprocess
import sys

path = sys.argv[1]
with open(path) as f:
    text = f.read()
new, n = re.subn(r'(version"?:\s*"?\d+\.\d+\.)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1),
                 text, count=1)
if not n:
    sys.exit("no version in %s" % path)
with open(path, "w") as f:
    f.write(new)
subprocess.run(["git", "add", "--", path], check=True)
