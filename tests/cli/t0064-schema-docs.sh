#!/bin/sh
# Editors show a schema's `description` on hover and offer its `examples`:
# every property of the seven schemas in rules/ has a description (a member
# that is only a `$ref` takes the referenced one), each schema is a valid
# draft 2020-12 schema for Debian's python3-jsonschema, and every `examples`
# value validates against the subschema it sits in, with `$ref`s between the
# files resolved by their `$id`s.  Both checks are first shown to catch a
# missing description and a wrong example.  And the product files of the
# golden cases schema-key-miss/-hit, with a top-level "$schema" as editors
# write it, are judged by python3-jsonschema as meshgate judges them.
. "$TESTDIR/cli/lib.sh"
cat >"$SCRATCH/walk.py" <<'PY'
import json, sys
def missing(node, path=""):
    """Pointers of the properties members without a description."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            p = path + "/" + k.replace("~", "~0").replace("/", "~1")
            if k == "properties" and isinstance(v, dict):
                for name, sub in v.items():
                    if not isinstance(sub, dict) or ("description" not in sub and "$ref" not in sub):
                        out.append(p + "/" + name)
            out += missing(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += missing(v, "%s/%d" % (path, i))
    return out
probe = {"properties": {"a": {"description": "x"}, "b": {"$ref": "#/$defs/c"},
         "c": {"type": "object", "properties": {"d": {"type": "string"}}}}}
assert missing(probe) == ["/properties/c", "/properties/c/properties/d"], missing(probe)
bad = 0
for fn in sys.argv[1:]:
    for p in missing(json.load(open(fn, encoding="utf-8"))):
        print("%s: property %s has no description" % (fn, p))
        bad = 1
sys.exit(bad)
PY
cat >"$SCRATCH/examples.py" <<'PY'
import json, sys
import jsonschema
V = jsonschema.Draft202012Validator
fc = getattr(V, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
schemas = {}
for fn in sys.argv[1:]:
    s = json.load(open(fn, encoding="utf-8"))
    V.check_schema(s)
    schemas[s["$id"]] = s
def examples(node, path=""):
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            yield path, node["examples"]
        for k, v in node.items():
            yield from examples(v, path + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from examples(v, "%s/%d" % (path, i))
def wrong(sid, ptr, value):
    resolver = jsonschema.RefResolver(base_uri=sid, referrer=schemas[sid], store=dict(schemas))
    v = V({"$ref": sid + "#" + ptr}, resolver=resolver, format_checker=fc)
    return [e.message for e in v.iter_errors(value)]
# The check can fail: a bad role name, bucket and date are refused.
cid = "https://meshgate.dev/schemas/data-product-consumers.schema.json"
assert wrong(cid, "/$defs/consumer/properties/postgres-role", "Bad-Role")
assert wrong("https://meshgate.dev/schemas/data-product-producer-info.schema.json",
             "/properties/bucket-name", "No_Bucket")
assert wrong(cid, "/$defs/clearance/properties/expires", "2026-13-45")
assert not wrong(cid, "/$defs/clearance/properties/expires", "2026-06-30")
bad = count = 0
for sid, s in schemas.items():
    for ptr, vals in examples(s):
        for val in vals:
            count += 1
            for m in wrong(sid, ptr, val):
                print("%s#%s: example %r: %s" % (sid, ptr, val, m))
                bad = 1
print("%d examples checked" % count)
if count == 0:
    print("no examples found"); bad = 1
sys.exit(bad)
PY
cat >"$SCRATCH/docs.py" <<'PY'
import json, os, sys
import jsonschema
try:
    import yaml
except ImportError:
    yaml = None
V = jsonschema.Draft202012Validator
rules, want = sys.argv[1], sys.argv[2]
schemas = {}
for fn in os.listdir(rules):
    if fn.endswith(".schema.json"):
        s = json.load(open(os.path.join(rules, fn), encoding="utf-8"))
        schemas[fn[: -len(".schema.json")]] = s
store = {s["$id"]: s for s in schemas.values()}
bad = checked = 0
for path in sys.argv[3:]:
    kind, ext = os.path.basename(path).rsplit(".", 1)
    if ext != "json" and yaml is None:
        continue
    with open(path, encoding="utf-8") as f:
        doc = json.load(f) if ext == "json" else yaml.safe_load(f)
    s = schemas[kind]
    resolver = jsonschema.RefResolver(base_uri=s["$id"], referrer=s, store=store)
    errors = [e.message for e in V(s, resolver=resolver).iter_errors(doc)]
    checked += 1
    if (want == "valid") == bool(errors):
        bad = 1
        print("%s: %s" % (path, "; ".join(errors) or "valid, though meshgate refuses it"))
print("%d documents checked" % checked)
sys.exit(bad or checked == 0)
PY
set -- "$SRCDIR"/rules/*.schema.json
[ $# -eq 7 ] || { echo "expected 7 schemas in rules/, found $#"; exit 1; }

begin "every property has a description"
if python3 "$SCRATCH/walk.py" "$@" >"$SCRATCH/walk.out" 2>&1; then ok; else cat "$SCRATCH/walk.out"; not_ok; fi

# ajv (npm; scripts/install-deps.sh --test installs it where npm exists) in strict mode
ajv_missing=1
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	NODE_PATH=$(npm root -g 2>/dev/null); export NODE_PATH
	if node -e 'require("ajv/dist/2020"); require("ajv-formats")' >/dev/null 2>&1; then ajv_missing=0; fi
fi
if [ "$ajv_missing" = 0 ]; then
	begin "the schemas compile in ajv's strict mode"
	if node "$TESTDIR/cli/ajv-strict.js" "$SRCDIR/rules" >"$SCRATCH/ajv.out" 2>&1; then ok; else cat "$SCRATCH/ajv.out"; not_ok; fi
	begin "ajv's strict mode fails a schema with an unknown keyword or a required name nothing defines"
	mkdir -p "$SCRATCH/ajvbad"
	printf '{"$id": "https://x.example/a.schema.json", "type": "object", "frobnicate": 1}\n' >"$SCRATCH/ajvbad/a.schema.json"
	if node "$TESTDIR/cli/ajv-strict.js" "$SCRATCH/ajvbad" >/dev/null 2>&1; then not_ok "unknown keyword passed"; else ok; fi
	printf '{"$id": "https://x.example/a.schema.json", "type": "object", "then": {"required": ["a"]}}\n' >"$SCRATCH/ajvbad/a.schema.json"
	if node "$TESTDIR/cli/ajv-strict.js" "$SCRATCH/ajvbad" >/dev/null 2>&1; then not_ok "strictRequired passed"; else ok; fi
fi

py=""
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema; jsonschema.Draft202012Validator; jsonschema.RefResolver' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
	echo "SKIP: python3-jsonschema (with draft 2020-12) is not installed (apt-get install python3-jsonschema); descriptions checked, schemas and examples not"
	[ "$failed" -eq 0 ] || finish
	exit 77
fi
begin "schemas load and every example is valid"
if "$py" -W ignore::DeprecationWarning "$SCRATCH/examples.py" "$@" >"$SCRATCH/ex.out" 2>&1; then ok; else cat "$SCRATCH/ex.out"; not_ok; fi

begin "a top-level \"\$schema\" is valid for python3-jsonschema too; a typo, a nested one, \$id are not"
g=$TESTDIR/golden
if "$py" -W ignore::DeprecationWarning "$SCRATCH/docs.py" "$SRCDIR/rules" valid "$g"/schema-key-miss/data-products-catalogue/*/*/* \
	>"$SCRATCH/docs.out" 2>&1; then ok; else cat "$SCRATCH/docs.out"; not_ok; fi
# the hit case's four JSON files each break the schema (its YAML one, an empty $schema, too)
if "$py" -W ignore::DeprecationWarning "$SCRATCH/docs.py" "$SRCDIR/rules" invalid \
	"$g"/schema-key-hit/data-products-catalogue/dev/sales/data-product.json \
	"$g"/schema-key-hit/data-products-catalogue/dev/sales/data-product-outputs.json \
	"$g"/schema-key-hit/data-products-catalogue/dev/sales/data-product-producer-info.json \
	"$g"/schema-key-hit/data-products-catalogue/dev/sales/data-product-visibility.json \
	"$g"/schema-key-hit/data-products-catalogue/dev/sales/data-product-consumers.yaml >"$SCRATCH/docs.out" 2>&1
then ok; else cat "$SCRATCH/docs.out"; not_ok; fi
if [ "$ajv_missing" = 1 ] && [ "$failed" -eq 0 ]; then
	echo "SKIP: ajv (npm: ajv@8 and ajv-formats, scripts/install-deps.sh --test) is not installed; everything but ajv's strict mode checked"
	exit 77
fi
finish
