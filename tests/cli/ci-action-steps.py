#!/usr/bin/env python3
"""ci-action-steps.py ACTION_YML INPUTS_JSON OUTDIR - the `run:` steps of a
composite action as shell scripts, for tests/cli/t0078 and t0079: OUTDIR/N.sh
for the Nth run step (exports of its env, then its run), their names in
OUTDIR/names.  ${{ inputs.X }} becomes the given input or the default (an input
action.yml does not declare is an error), ${{ github.token }} a stand-in,
${{ steps.check.outputs.X }} a read of $STEP_OUTPUTS at run time; any other
expression is an error.
"""
import json, os, re, sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
given, out = json.loads(sys.argv[2]), sys.argv[3]
inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
for k in given:
    if k not in inputs:
        sys.exit("no input %s in action.yml" % k)
inputs.update(given)
def expand(s, where):
    def one(m):
        e = m.group(1).strip()
        if e.startswith("inputs."):
            return inputs[e[7:]]
        if e == "github.token":
            return "token-from-github"
        if e.startswith("steps.check.outputs."):  # read at run time from the check step's outputs
            return "$(sed -n 's/^%s=//p' \"$STEP_OUTPUTS\")" % e[20:]
        sys.exit("%s: unexpected expression %s" % (where, e))
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(s))
def q(s):
    return "'" + s.replace("'", "'\\''") + "'"
names = []
for i, step in enumerate(action["runs"]["steps"]):
    if "run" not in step:
        continue
    names.append(step.get("name", str(i)))
    with open(os.path.join(out, "%d.sh" % len(names)), "w") as f:
        for k, v in (step.get("env") or {}).items():
            v = expand(v, step["name"])
            f.write("export %s=%s\n" % (k, v if v.startswith("$(sed") else q(v)))
        f.write(step["run"] + "\n")
open(os.path.join(out, "names"), "w").write("\n".join(names) + "\n")
