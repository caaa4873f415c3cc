#!/bin/sh
# The CI report formats from the binary, on a catalogue whose product folder
# has a space and non-ASCII in its name: SARIF validates against the SARIF
# 2.1.0 JSON Schema (tests/data/sarif-schema-2.1.0.json, with
# python3-jsonschema; skipped, and said so, when that is not installed),
# GitLab Code Quality has the fields GitLab documents, JUnit is well-formed
# XML with consistent counts, and a clean catalogue gives the exact empty
# reports.
. "$TESTDIR/cli/lib.sh"

repo=$SCRATCH/repo
cat=$repo/data-products-catalogue/prod
product "$cat/good" good good-bucket 111122223333
odd=$(printf 'caf\303\251 orders')
product "$cat/$odd" cafe cafe-bucket 222233334444
sed -i 's/"owner@example.com"/"not-an-email"/' "$cat/$odd/data-product.json"
path="data-products-catalogue/prod/$odd/data-product.json"
uri="data-products-catalogue/prod/caf%C3%A9%20orders/data-product.json"

# A Python that has jsonschema: Debian's python3-jsonschema lives under
# /usr/bin/python3, which a python3 earlier on PATH may not see.
py=""
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import jsonschema' 2>/dev/null; then py=$p; break; fi
done

begin "sarif validates against the SARIF 2.1.0 schema"
run_mg validate -C "$repo" --format sarif --output "$SCRATCH/out.sarif"
expect_status 1 "$status"
expect_grep "\"uri\":[[:space:]]*\"$uri\"" "$SCRATCH/out.sarif"
expect_grep '"uriBaseId":[[:space:]]*"%SRCROOT%"' "$SCRATCH/out.sarif"
if [ -z "$py" ]; then
  echo "SKIP: $current: python3-jsonschema is not installed (apt-get install python3-jsonschema)"
else
  cat >"$SCRATCH/check-sarif.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
validator = jsonschema.Draft4Validator(schema)
errors = list(validator.iter_errors(doc))
for e in errors[:10]:
    print("schema: %s at /%s" % (e.message, "/".join(str(p) for p in e.absolute_path)))
# A control: the validator must reject a log without "version".
bad = dict(doc)
del bad["version"]
if validator.is_valid(bad):
    print("schema: the validator accepted a log without version")
    sys.exit(1)
sys.exit(1 if errors else 0)
PY
  if "$py" "$SCRATCH/check-sarif.py" "$TESTDIR/data/sarif-schema-2.1.0.json" "$SCRATCH/out.sarif" \
       >"$SCRATCH/schema.out" 2>&1; then
    ok
  else
    not_ok "not valid SARIF 2.1.0"
    cat "$SCRATCH/schema.out" >&2
  fi
fi

begin "github annotations"
run_mg validate -C "$repo" --format github
expect_status 1 "$status"
expect_grep "^::error file=$path,line=3,col=25,title=meshgate schema::" "$SCRATCH/out"
expect_grep '^meshgate: 1 error, 0 warnings in 2 products$' "$SCRATCH/out"

begin "gitlab code quality has GitLab's documented fields"
run_mg validate -C "$repo" --format gitlab --output "$SCRATCH/out.json"
expect_status 1 "$status"
cat >"$SCRATCH/check-gitlab.py" <<'PY'
import json, re, sys
issues = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(issues, list) and issues, "a non-empty array"
for i in issues:
    for key in ("description", "check_name", "fingerprint", "severity", "location"):
        assert key in i, "missing " + key
    assert re.fullmatch(r"[0-9a-f]{32}", i["fingerprint"]), i["fingerprint"]
    assert i["severity"] in ("info", "minor", "major", "critical", "blocker"), i["severity"]
    assert isinstance(i["location"]["path"], str) and i["location"]["path"]
    begin = i["location"]["lines"]["begin"]
    assert isinstance(begin, int) and begin >= 1, begin
assert len({i["fingerprint"] for i in issues}) == len(issues), "fingerprints are unique"
print(issues[0]["location"]["path"])
PY
if python3 "$SCRATCH/check-gitlab.py" "$SCRATCH/out.json" >"$SCRATCH/gitlab.out" 2>&1; then ok; else
  not_ok "not GitLab code quality"; cat "$SCRATCH/gitlab.out" >&2; fi
expect_grep "^$path\$" "$SCRATCH/gitlab.out"

begin "junit is well-formed XML"
run_mg validate -C "$repo" --format junit --output "$SCRATCH/out.xml"
expect_status 1 "$status"
cat >"$SCRATCH/check-junit.py" <<'PY'
import sys
import xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
assert suite.tag == "testsuite", suite.tag
cases = suite.findall("testcase")
assert int(suite.get("tests")) == len(cases)
assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
print(cases[0].get("classname"))
PY
if python3 "$SCRATCH/check-junit.py" "$SCRATCH/out.xml" >"$SCRATCH/junit.out" 2>&1; then ok; else
  not_ok "not JUnit XML"; cat "$SCRATCH/junit.out" >&2; fi
expect_grep "^$path\$" "$SCRATCH/junit.out"

begin "markdown summary"
run_mg validate -C "$repo" --format markdown
expect_status 1 "$status"
expect_grep '^## .* meshgate validate$' "$SCRATCH/out"
expect_grep "^| $path:3 | error | schema | " "$SCRATCH/out"

# A clean catalogue: the exact empty reports.
sed -i 's/"not-an-email"/"owner@example.com"/' "$cat/$odd/data-product.json"

begin "empty github report"
run_mg validate -C "$repo" --format github
expect_status 0 "$status"
echo 'meshgate: 0 errors, 0 warnings in 2 products' >"$SCRATCH/expected"
expect_cmp "$SCRATCH/expected" "$SCRATCH/out"

begin "empty gitlab report"
run_mg validate -C "$repo" --format gitlab
expect_status 0 "$status"
echo '[]' >"$SCRATCH/expected"
expect_cmp "$SCRATCH/expected" "$SCRATCH/out"

begin "empty junit report"
run_mg validate -C "$repo" --format junit
expect_status 0 "$status"
cat >"$SCRATCH/expected" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="meshgate validate" tests="1" failures="0" errors="0" skipped="0">
  <testcase name="catalogue" classname="meshgate"/>
</testsuite>
XML
expect_cmp "$SCRATCH/expected" "$SCRATCH/out"

finish
