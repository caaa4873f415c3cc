#!/bin/sh
# CI smoke run of the benchmark (CTest label `bench`): bench/run.sh --quick end to end on
# 1,000 products, one repetition, checking that every case ran or was skipped with a reason.
# Never a timing assertion.  Downloads nothing: ajv-cli is measured only when bench/.node
# already has it.  Exit 77 (CTest skip) when a required tool (git, /usr/bin/python3 with
# python3-jsonschema) is missing.
#   MESHGATE=build/meshgate bench/smoke.sh OUTDIR [extra run.py options]
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: smoke.sh OUTDIR [options]}
shift
: "${MESHGATE:?set MESHGATE to the meshgate binary}"
for t in git /usr/bin/python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
done
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	{ echo "SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)"; exit 77; }
rm -rf "$out"
sh "$here/run.sh" --quick --no-install --meshgate "$MESHGATE" --out "$out" "$@"
rc=$?
[ $rc = 77 ] && { echo "SKIP: a tool the benchmark needs is missing"; exit 77; }
[ $rc = 0 ] || { echo "FAIL: bench/run.sh exited $rc"; exit 1; }
/usr/bin/python3 - "$out/results.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["key"]: r for r in d["rows"]}
want = ["raw-read", "validate-worktree", "validate-rev", "peer-jsonschema", "peer-ajv",
        "hook-staged", "check", "check-warm", "plan", "apply-first", "apply-change", "apply-grants"]
bad = [k for k in want if k not in rows or not ("median_ms" in rows[k] or rows[k].get("skipped"))]
if bad:
    sys.exit("FAIL: cases missing from results.json: %s" % ", ".join(bad))
for k in want:
    r = rows[k]
    print("%-18s %s" % (k, "skipped: " + r["skipped"] if "skipped" in r else "ran (%d run%s)"
                        % (r["runs"], "" if r["runs"] == 1 else "s")))
ran = [k for k in ("raw-read", "validate-worktree", "peer-jsonschema") if "median_ms" in rows[k]]
if len(ran) < 3:
    sys.exit("FAIL: the core cases did not run")
print("OK: the benchmark runs end to end (no timing is asserted)")
PY
