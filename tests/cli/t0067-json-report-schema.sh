#!/bin/sh
# docs/report.schema.json describes `validate --format json` and `check
# --format json`: real reports (findings with and without a position, every
# severity, a clean catalogue, a check) validate against it with
# python3-jsonschema (draft 2020-12), reports that break it are rejected, and
# the summary's counts are the findings'.
. "$TESTDIR/cli/lib.sh"
py=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
	echo "SKIP: python3-jsonschema (with draft 2020-12) is not installed (apt-get install python3-jsonschema)"
	finish
fi
schema=$SRCDIR/docs/report.schema.json
cat >"$SCRATCH/check.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
rules = set(open(sys.argv[2]).read().split())
bad = 0
for name in sys.argv[3:]:
    doc = json.load(open(name, encoding="utf-8"))
    for e in list(v.iter_errors(doc))[:5]:
        print("%s: %s at /%s" % (name, e.message, "/".join(str(p) for p in e.absolute_path)))
        bad = 1
    counts = {"error": 0, "warning": 0, "note": 0}
    for f in doc.get("findings", []):
        counts[f["severity"]] += 1
        if f["rule"] not in rules:
            print("%s: rule %r is not in meshgate explain --list" % (name, f["rule"]))
            bad = 1
    s = doc.get("summary", {})
    if (s.get("errors"), s.get("warnings"), s.get("notes")) != (counts["error"], counts["warning"], counts["note"]):
        print("%s: summary %r does not count the findings %r" % (name, s, counts))
        bad = 1
sys.exit(bad)
PY
cat >"$SCRATCH/reject.py" <<'PY'
import copy, json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
assert v.is_valid(doc), "the base report must be valid"
f0 = doc["findings"][0]
broken = []
def variant(fn):
    d = copy.deepcopy(doc); fn(d); broken.append(d)
variant(lambda d: d.pop("version"))
variant(lambda d: d.__setitem__("version", 2))
variant(lambda d: d["findings"][0].__setitem__("severity", "fatal"))
variant(lambda d: d["findings"][0].__setitem__("line", -1))
variant(lambda d: d["findings"][0].__setitem__("rule", "Schema Error"))
variant(lambda d: d["findings"][0].pop("message"))
variant(lambda d: d["findings"][0].__setitem__("extra", 1))
variant(lambda d: d["summary"].pop("files"))
accepted = [i for i, d in enumerate(broken) if v.is_valid(d)]
print("accepted broken variants: %r" % accepted if accepted else "ok")
sys.exit(1 if accepted else 0)
PY
"$MESHGATE" explain --list | awk '{print $1}' >"$SCRATCH/rules"

# a catalogue with errors, a warning, a finding without a position (an environment folder without products)
cat=$SCRATCH/bad/data-products-catalogue
product "$cat/dev/a" a-product bucket-a 111111111111
product "$cat/dev/b" a-product bucket-b 22222222222
echo notes >"$cat/dev/a/notes.txt"
mkdir -p "$cat/empty-env"
good=$SCRATCH/good/data-products-catalogue
product "$good/dev/a" a-product bucket-a 111111111111

begin "validate reports"
run_mg validate -C "$SCRATCH/bad" --format json --output "$SCRATCH/bad.json"
expect_status 1 "$status"
grep -q '"line":[[:space:]]*0' "$SCRATCH/bad.json" && ok || not_ok "no finding without a position"
grep -q '"severity":[[:space:]]*"warning"' "$SCRATCH/bad.json" && ok || not_ok "no warning"
run_mg validate -C "$SCRATCH/good" --format json --output "$SCRATCH/good.json"
expect_status 0 "$status"
grep -q '"findings":[[:space:]]*\[\]' "$SCRATCH/good.json" && ok || not_ok "the clean report has findings"

begin "check reports, with notes (meshgate.yaml reviewed)"
repo=$SCRATCH/repo
quickstart_repo "$repo"
printf 'catalogue: data-products-catalogue\nprotected-branch: main\nrules:\n  public-sensitive: warning\n' >"$repo/meshgate.yaml"
git -C "$repo" commit -qam "policy"
run_mg check -C "$repo" --base HEAD~1 --format json --output "$SCRATCH/check.json" --today 2026-06-01
test "$status" -le 1 && ok || not_ok "check exit status $status: $(cat "$SCRATCH/err")"
grep -q '"severity":[[:space:]]*"\(note\|error\)"' "$SCRATCH/check.json" && ok || not_ok "check reported no config finding"

begin "each report validates against docs/report.schema.json"
if "$py" "$SCRATCH/check.py" "$schema" "$SCRATCH/rules" "$SCRATCH/bad.json" "$SCRATCH/good.json" "$SCRATCH/check.json" \
	>"$SCRATCH/py.out" 2>&1; then ok; else not_ok "invalid:"; cat "$SCRATCH/py.out" >&2; fi

begin "the schema rejects what a reader could not rely on"
if "$py" "$SCRATCH/reject.py" "$schema" "$SCRATCH/bad.json" >"$SCRATCH/py.out" 2>&1; then ok; else
	not_ok "$(cat "$SCRATCH/py.out")"; fi
finish
