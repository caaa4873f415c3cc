#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ from the test fixtures.

Sources: examples/quickstart, tests/golden/*, rules/, the adidas prototype's
catalogue (../shared/examples/adidas-catalogue, when present) and a few
hand-written edge cases below.  JSON files also get block-style YAML copies,
so the YAML loader starts from the same shapes.  Deterministic: the same
fixtures give the same files.  Run from anywhere: python3 fuzz/seed.py
(stdlib only; it replaces fuzz/corpus/ entirely).
"""
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
CORPUS = os.path.join(FUZZ, "corpus")
SHARED = os.environ.get("MESHGATE_SHARED", os.path.join(ROOT, "..", "shared"))

KINDS = ["data-product", "data-product-producer-info", "data-product-outputs",
         "data-product-visibility", "data-product-consumers", "data-product-inputs"]
MAX_SEED = 16 * 1024  # keeps the committed corpus small

corpus = {}


def add(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        return
    files = corpus.setdefault(target, {})
    digest = hashlib.sha1(data).hexdigest()
    if any(hashlib.sha1(d).hexdigest() == digest for d in files.values()):
        return
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    files[name] = data


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- a small block-style YAML writer for JSON values ----

PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ./@-]*$")
RESERVED = {"null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
            "yes", "no", "on", "off", "y", "n"}


def scalar(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if PLAIN.match(v) and v not in RESERVED and not v.endswith(" ") and ": " not in v:
        return v
    return json.dumps(v, ensure_ascii=False)


def to_yaml(v, indent=0):
    pad = "  " * indent
    out = []
    if isinstance(v, dict):
        if not v:
            return pad + "{}\n"
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{scalar(k)}:\n{to_yaml(x, indent + 1)}")
            else:
                out.append(f"{pad}{scalar(k)}: {to_yaml(x).strip()}\n")
        return "".join(out)
    if isinstance(v, list):
        if not v:
            return pad + "[]\n"
        for x in v:
            if isinstance(x, (dict, list)) and x:
                inner = to_yaml(x, indent + 1)
                out.append(f"{pad}- {inner.lstrip()}")
            else:
                out.append(f"{pad}- {to_yaml(x).strip()}\n")
        return "".join(out)
    return pad + scalar(v) + "\n"


def yaml_copy(data):
    try:
        return to_yaml(json.loads(data))
    except (ValueError, UnicodeDecodeError):
        return None


# ---- catalogues ----

def products(catalogue):
    """{(env, product): {kind index: (name, bytes)}} under a catalogue root."""
    found = {}
    if not os.path.isdir(catalogue):
        return found
    for env in sorted(os.listdir(catalogue)):
        envdir = os.path.join(catalogue, env)
        if not os.path.isdir(envdir) or env.startswith("."):
            continue
        for prod in sorted(os.listdir(envdir)):
            pdir = os.path.join(envdir, prod)
            if not os.path.isdir(pdir):
                continue
            files = {}
            for f in sorted(os.listdir(pdir)):
                stem, _, ext = f.rpartition(".")
                if stem in KINDS and ext in ("json", "yaml", "yml"):
                    files[KINDS.index(stem)] = (f, read(os.path.join(pdir, f)))
            found[(env, prod)] = files
    return found


def validate_seed(a, b=None, config=b""):
    chunks = [a.get(k, ("", b""))[1] for k in range(6)] + [config]
    if b:
        chunks += [b.get(k, ("", b""))[1] for k in range(6)]
    return b"\0".join(chunks)


def catalogue(label, root, catdir, config_path=None):
    config = read(config_path) if config_path and os.path.isfile(config_path) else b""
    if config:
        add("fuzz_config", f"{label}-meshgate.yaml", config)
        add("fuzz_schema", f"{label}-meshgate.yaml", config)
    prods = products(catdir)
    by_env = {}
    for (env, prod), files in prods.items():
        by_env.setdefault(env, []).append(files)
        for k, (name, data) in files.items():
            tag = f"{label}-{env}-{prod}-{name}"
            if name.endswith(".json"):
                add("fuzz_json", tag, data)
                y = yaml_copy(data)
                if y:
                    add("fuzz_yaml", tag + ".yaml", y)
                    add("fuzz_schema", tag + ".yaml", y)
            else:
                add("fuzz_yaml", tag, data)
            add("fuzz_schema", tag, data)
    for env, plist in sorted(by_env.items()):
        add("fuzz_validate", f"{label}-{env}-1", validate_seed(plist[0], None, config))
        if len(plist) > 1:
            add("fuzz_validate", f"{label}-{env}-2", validate_seed(plist[0], plist[1], config))


def fixtures():
    catalogue("quickstart", ROOT, os.path.join(ROOT, "examples/quickstart/data-products-catalogue"),
              os.path.join(ROOT, "examples/quickstart/meshgate.yaml"))
    golden = os.path.join(ROOT, "tests/golden")
    for case in sorted(os.listdir(golden)):
        cdir = os.path.join(golden, case)
        if os.path.isdir(os.path.join(cdir, "data-products-catalogue")):
            catalogue(case, cdir, os.path.join(cdir, "data-products-catalogue"),
                      os.path.join(cdir, "meshgate.yaml"))
    adidas = os.path.join(SHARED, "examples/adidas-catalogue")
    if os.path.isdir(adidas):
        catalogue("adidas", adidas, adidas)
    else:
        print("note: %s not found; adidas seeds skipped" % adidas, file=sys.stderr)
    rules = os.path.join(ROOT, "rules")
    for f in sorted(os.listdir(rules)):
        data = read(os.path.join(rules, f))
        if f.endswith(".json"):
            add("fuzz_json", "rules-" + f, data)
            for pat in sorted(set(re.findall(r'"pattern"\s*:\s*("(?:[^"\\]|\\.)*")', data.decode()))):
                add("fuzz_regex", "rules-pattern-" + hashlib.sha1(pat.encode()).hexdigest()[:8],
                    json.loads(pat).encode() + b"\0" + b"arn:aws:iam::123456789012:role/x")
            for pat in sorted(set(re.findall(r'"(\^[^"]*)"\s*:', data.decode()))):
                add("fuzz_regex", "rules-pprop-" + hashlib.sha1(pat.encode()).hexdigest()[:8],
                    json.loads('"' + pat + '"').encode() + b"\0x-extension")
        elif f.endswith((".yaml", ".yml")):
            add("fuzz_yaml", "rules-" + f, data)


# ---- hand-written edge cases ----

JSON_CASES = {
    "empty-object": "{}",
    "scalars": '[null,true,false,0,-0,1.5e300,-1E-300,123456789012345678901234567890,"",0.1]',
    "escapes": r'{"a":"\u0000\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","\u0000k":1}',
    "nested": "[" * 60 + "]" * 60,
    "too-deep": "[" * 70 + "]" * 70,
    "bom": "\ufeff{\"a\": [1, 2, {\"b\": null}]}",
    "duplicate-key": '{"a":1,"a":2}',
    "bad-utf8": b'{"a":"\xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80"}',
    "lone-surrogate": r'["\ud800","\udc00x"]',
    "numbers": "[1e400, -1e-400, 01, 1., .5, -, 1e, 0x10]",
    "trailing": '{"a":1} x',
    "multiline": '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "\u00fc\u00f1\u00ee"\n}\n',
}

YAML_CASES = {
    "anchors": "a: &x [1, 2, {k: v}]\nb: *x\nc: &s text\nd: *s\n",
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    "tags": "a: !!str 1\nb: !custom x\n",
    "merge-key": "base: &b {x: 1}\nobj:\n  <<: *b\n  y: 2\n",
    "scalars": "- ~\n- null\n- true\n- False\n- yes\n- 0x1F\n- 0o17\n- -12\n- 1.5e3\n- .inf\n- .nan\n- '1'\n- \"\\u00e9\\x41\"\n",
    "block-scalars": "lit: |\n  line 1\n  line 2\nfold: >-\n  folded\n  text\nkeep: |+\n  k\n\n",
    "flow": "{a: [1, {b: c}], 'd': \"e\", ? f : g}\n",
    "complex-key": "? [a, b]\n: c\n",
    "two-docs": "a: 1\n---\nb: 2\n",
    "directives": "%YAML 1.2\n%TAG ! tag:example.com,2000:\n---\na: 1\n...\n",
    "empty-doc": "---\n",
    "comments-only": "# nothing here\n",
    "duplicate-key": "a: 1\na: 2\n",
    "control-char": "a: \"x\x01y\"\n",
    "bom-crlf": "\ufeffa: 1\r\nb:\r\n  - 2\r\n",
    "unicode-lines": "a: x\u2028b\nc: \u00e9\u00e8\n",
    "redefined-anchor": "a: &x 1\nb: *x\nc: &x 2\nd: *x\n",
    "undefined-alias": "a: *nope\n",
    "deep": "a:\n" + "".join("  " * i + "- \n" for i in range(1, 70)),
    # what YAML 1.2 rejects (or reads otherwise) and libyaml accepts: docs/rules.md, parse
    "spec-indent": "k: [a,\nb]\nq: \"c\nd\"\n",
    "spec-comment": "k: \"v\"#c\nl: [a]#c\nm: >#c\n  x\n",
    "spec-flow-indicators": "a: [-, -]\nb: {a: -}\nc: [?x, ? y]\nd: {-: a, ?e: f}\n",
    "spec-directive": "---\na # c\n%YAML 1.2\n---\nb\n",
    "spec-bom-unicode": "\ufeffk: \"\u00e9\u00e9#\"\nl: [\u00e9,\n  b]\n",
}

CONFIG = """catalogue: data-products-catalogue
protected-branch: main
rules:
  unclassified-sensitive: error
  self-consumer: off
  no-such-rule: error
suppressions:
  - rule: public-sensitive
    path: data-products-catalogue/dev/**
    reason: dev data is synthetic
  - rule: account-id
    path: "*/legacy/*"
    reason: migrating
pii:
  replace: false
  patterns:
    - name: badge number
      match: [badge number, badge id]
      unless: [badge type]
    - name: card pan
      pci: true
      match: [pan]
limits:
  max-file-bytes: 4096
  max-depth: 8
  max-alias-nodes: 100
"""

REGEX_CASES = [
    (r"^[0-9]{12}$", "123456789012"),
    (r"^arn:aws:iam::[0-9]{12}:role/[\w+=,.@/-]+$", "arn:aws:iam::123456789012:role/a/b"),
    (r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", "s3://bucket-name/prefix/x"),
    (r"(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"),
    (r"(?:x|y|z){2,5}?\b\B", "xyzzy"),
    (r"[^\d\s\W]\p{L}\p{Letter}+", "a\u00e9\u4e2d"),
    (r"\x41\u0042\u{1F600}\cJ\0\t\n[\u{10FFFF}-\u{10FFFF}]", "AB\U0001F600\n"),
    (r"(?<name>a)|\1|(?=x)|(?!y)|(?<=z)", "a"),
    (r"a{1000}", "a" * 1000),
    (r"a{2,1}|[z-a]|(|)", ""),
    (r"^$|^.$|.{3}", "\u0000"),
    (r"[[\]\\-]{0,}", "[]\\-"),
]

STATUS_CASES = {
    "github-422": '{"message":"Validation Failed","errors":[{"resource":"Status","code":"custom",'
                  '"field":"state","message":"state is not included in the list"}],'
                  '"documentation_url":"https://docs.github.com/rest/commits/statuses"}',
    "github-401": '{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}',
    "github-404": '{"message":"Not Found"}',
    "gitlab-message-object": '{"message":{"state":["is invalid"],"name":["is too long"]}}',
    "gitlab-message-array": '{"message":["403 Forbidden"]}',
    "gitlab-error": '{"error":"insufficient_scope","error_description":"The request requires higher privileges"}',
    "control-chars": '{"message":"line1\\nline2\\t\\u0000\\u009f\\u007f end"}',
    "long": '{"message":"' + "\u00e9x" * 200 + '"}',
    "bad-utf8": b'{"message":"\xff\xfe\xc3"}',
    "html": "<html><body>502 Bad Gateway</body></html>",
    "token-echo": '{"message":"token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB is invalid"}',
    "nested": '{"message":' + "[" * 100 + "]" * 100 + "}",
    "empty": "",
}


# ---- git index files ----

def git_index_seeds():
    """Index files of versions 2-4 made by git itself from --index-info
    (no stat data, so the bytes do not depend on the machine), plus a few
    byte-level variants git would not write."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HOME=tmp, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
        env.pop("GIT_INDEX_FILE", None)

        def git(*args, stdin=None, index=None):
            e = dict(env, GIT_INDEX_FILE=index) if index else env
            return subprocess.run(("git", "-C", tmp) + args, input=stdin, env=e, check=True,
                                  capture_output=True).stdout

        try:
            git("init", "-q", "-b", "main")
        except (OSError, subprocess.CalledProcessError):
            print("note: git not available; git index seeds skipped", file=sys.stderr)
            return
        blobs = [git("hash-object", "-w", "--stdin", stdin=b"{\"x\": %d}\n" % i).strip().decode()
                 for i in range(4)]
        paths = ["README.md", "data-products-catalogue/dev/a/data-product.json",
                 "data-products-catalogue/dev/a/data-product-outputs.yaml",
                 "data-products-catalogue/prod/b/data-product.json", "meshgate.yaml"]
        info = "".join("100644 %s 0\t%s\n" % (blobs[i % 4], p) for i, p in enumerate(paths))
        info += "120000 %s 0\tlink\n" % blobs[0]
        info += "160000 %s 0\tvendor/sub\n" % ("a" * 40)

        def make(name, extra=(), version=None, lines=info):
            idx = os.path.join(tmp, name)
            git("update-index", "--index-info", stdin=lines.encode(), index=idx)
            if version:
                git("update-index", "--index-version", str(version), index=idx)
            for args in extra:
                git(*args, index=idx)
            data = read(idx)
            add("fuzz_git_index", name, data)
            return data

        v2 = make("v2")
        make("v3-skip-worktree", [("update-index", "--skip-worktree", paths[1])], version=3)
        make("v4", version=4)
        make("v4-tree", [("write-tree",)], version=4)
        make("v2-tree", [("write-tree",)])
        make("v2-unmerged", lines="".join("100644 %s %d\tmeshgate.yaml\n" % (blobs[k], k)
                                          for k in (1, 2, 3)) + info)
        make("v2-split", [("update-index", "--split-index")])
        body = v2[:-20]
        # an optional extension git does not know, a required one, and a sparse-index folder entry
        for name, data in (("v2-ext-optional", body + b"ZZZZ" + struct.pack(">I", 3) + b"abc"),
                           ("v2-ext-required", body + b"sdir" + struct.pack(">I", 0)),
                           ("v2-truncated", v2[:80]),
                           ("v2-count-too-big", v2[:8] + struct.pack(">I", 0xffffffff) + v2[12:-20]),
                           ("v5", b"DIRC" + struct.pack(">I", 5) + v2[8:-20])):
            add("fuzz_git_index", name, data + hashlib.sha1(data).digest())


def edge_cases():
    for name, text in JSON_CASES.items():
        add("fuzz_json", "edge-" + name + ".json", text)
    for name, text in YAML_CASES.items():
        add("fuzz_yaml", "edge-" + name + ".yaml", text)
    add("fuzz_config", "edge-full.yaml", CONFIG)
    add("fuzz_config", "edge-full.json", json.dumps({"catalogue": "c", "rules": {"parse": "warning"},
                                                   "limits": {"max-depth": 4}}))
    add("fuzz_config", "edge-bad.yaml", "rules: [1]\nsuppressions: {a: b}\npii: 3\nlimits: {max-depth: 0}\n")
    add("fuzz_schema", "edge-wrong-types.json",
        '{"data-product-name": 1, "outputs": "x", "consumers": [{"account": 123}], "tables": null}')
    for i, (pat, subject) in enumerate(REGEX_CASES):
        add("fuzz_regex", "edge-%02d" % i, pat.encode() + b"\0" + subject.encode())
    for name, text in STATUS_CASES.items():
        add("fuzz_status_body", name + ".json", text)
    # catalogue entry names: first byte the level (0 root, 1 environment, 2 product folder)
    for name, level, entry in (("typo", 2, "data-product-consumer.json"),
                               ("case", 2, "Data-Product-Consumers.JSON"),
                               ("swap", 2, ".data-product-visibility.yaml.swp"),
                               ("autosave", 2, "#data-product.json#"),
                               ("backup", 2, "data-product-outputs.json.bak~"),
                               ("dots", 2, "data-product-inputs..json"),
                               ("misplaced", 1, "data-product.json"),
                               ("root-file", 0, "LICENSE"),
                               ("allowed", 2, "README.md")):
        add("fuzz_entry_name", name, bytes([level]) + entry.encode())


def main():
    fixtures()
    git_index_seeds()
    edge_cases()
    # only the targets written here are replaced; hand-written corpora
    # (fuzz_pg_*, fuzz_aws_*) are kept
    for target, files in sorted(corpus.items()):
        d = os.path.join(CORPUS, target)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        for name, data in sorted(files.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%-18s %4d seeds %7d bytes" % (target, len(files), sum(map(len, files.values()))))


if __name__ == "__main__":
    main()
