#!/usr/bin/python3
"""Peer: validate every file of a catalogue with Python `jsonschema` (Debian python3-jsonschema).

What a team would otherwise script: one Draft202012Validator per file kind, built once from
rules/<kind>.schema.json (cross-file $refs resolved from the other schemas of rules/), then every
file of the catalogue validated with it.  YAML files are read with python3-yaml (its C loader
when available) or skipped when python3-yaml is not installed.  Schema layer only: none of
meshgate's rules.

    peer_jsonschema.py RULES_DIR CATALOGUE_DIR

Prints one line: files, yaml files, skipped, invalid files, errors.  Exit 0 when every file is
valid, 1 otherwise.
"""

import json
import os
import sys

import jsonschema

try:
    import yaml
    YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
except ImportError:  # the peer then skips YAML files
    yaml = None

KINDS = ["data-product", "data-product-producer-info", "data-product-outputs",
         "data-product-visibility", "data-product-consumers", "data-product-inputs"]


def main():
    rules, root = sys.argv[1], sys.argv[2]
    store = {}
    for k in KINDS:
        with open(os.path.join(rules, k + ".schema.json")) as f:
            s = json.load(f)
        store[s["$id"]] = s
    validators = {}
    for k in KINDS:
        s = store["https://meshgate.dev/schemas/%s.schema.json" % k]
        cls = jsonschema.Draft202012Validator
        try:  # jsonschema >= 4.18: referencing
            from referencing import Registry, Resource
            reg = Registry().with_resources(
                [(u, Resource.from_contents(x)) for u, x in store.items()])
            validators[k] = cls(s, registry=reg, format_checker=cls.FORMAT_CHECKER)
        except ImportError:  # Debian bookworm's 4.10: RefResolver with a store
            res = jsonschema.RefResolver.from_schema(s, store=store)
            validators[k] = cls(s, resolver=res, format_checker=cls.FORMAT_CHECKER)
    nfiles = nyaml = skipped = invalid = errors = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            base, ext = os.path.splitext(fn)
            if base not in validators or ext not in (".json", ".yaml", ".yml"):
                continue
            path = os.path.join(dirpath, fn)
            if ext != ".json":
                if yaml is None:
                    skipped += 1
                    continue
                nyaml += 1
                with open(path, "rb") as f:
                    doc = yaml.load(f, Loader=YAML_LOADER)
            else:
                with open(path, "rb") as f:
                    doc = json.load(f)
            nfiles += 1
            n = sum(1 for _ in validators[base].iter_errors(doc))
            if n:
                invalid += 1
                errors += n
    print("jsonschema peer: %d files (%d yaml), %d skipped, %d invalid, %d errors"
          % (nfiles, nyaml, skipped, invalid, errors))
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
