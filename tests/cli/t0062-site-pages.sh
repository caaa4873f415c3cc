#!/bin/sh
# The Pages templates (ci/github/meshgate-pages.yml, ci/gitlab/meshgate-pages.gitlab-ci.yml):
# each parses as YAML, publishes the folder its `meshgate site` step writes, triggers only on
# the protected branch, pins the meshgate version - and that very command, run on the
# quick-start repository, writes a site with an index into that folder.
. "$TESTDIR/cli/lib.sh"
python3 -c 'import yaml' 2>/dev/null ||
  { echo "SKIP: python3 has no yaml module to read the templates with" >&2; exit 77; }
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
repo=$SCRATCH/repo
cp -r "$SRCDIR/examples/quickstart" "$repo"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q -m one

for tpl in "$SRCDIR/ci/github/meshgate-pages.yml" "$SRCDIR/ci/gitlab/meshgate-pages.gitlab-ci.yml"; do
  begin "$(basename "$tpl")"
  python3 - "$tpl" >"$SCRATCH/facts" 2>"$SCRATCH/perr" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
if "jobs" in doc:  # GitHub
    steps = doc["jobs"]["site"]["steps"]
    run = next(s["run"] for s in steps if " site " in s.get("run", ""))
    # `docker run ... "$MESHGATE_IMAGE" site ...` runs the image's meshgate
    assert '"$MESHGATE_IMAGE"' in run, run
    cmd = "meshgate " + run.split('"$MESHGATE_IMAGE"', 1)[1].strip()
    assert doc["env"]["MESHGATE_IMAGE"].endswith(":" + doc["env"]["MESHGATE_VERSION"])
    path = next(s["with"]["path"] for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    trigger = doc[True]["push"]["branches"] if True in doc else doc["on"]["push"]["branches"]
    assert trigger == ["main"], trigger
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in steps)
    version = doc["env"]["MESHGATE_VERSION"]
else:  # GitLab
    job = doc["pages"]
    cmd = next(c for c in job["script"] if "meshgate site" in c)
    path = job["artifacts"]["paths"][0]
    assert path == "public", path
    assert "CI_DEFAULT_BRANCH" in job["rules"][0]["if"]
    version = job["variables"]["MESHGATE_VERSION"]
    assert job["variables"]["MESHGATE_IMAGE"].endswith(":" + version)
    assert job["image"]["entrypoint"] == [""]
assert version and version[0].isdigit(), version
print(cmd)
print(path)
PY
  test $? -eq 0 && ok || { not_ok "the template is not what it should be"; cat "$SCRATCH/perr" >&2; continue; }
  cmd=$(sed -n 1p "$SCRATCH/facts")
  out=$(sed -n 2p "$SCRATCH/facts")
  case "$cmd" in *"--out $out"*) ok ;; *) not_ok "'$cmd' does not write the published folder '$out'" ;; esac
  rm -rf "$repo/$out"
  (cd "$repo" && eval "\"\$MESHGATE\"${cmd#meshgate} --today 2026-06-01") >"$SCRATCH/out" 2>"$SCRATCH/err"
  test $? -eq 0 && ok || { not_ok "the template's command failed"; cat "$SCRATCH/err" >&2; }
  test -s "$repo/$out/index.html" && ok || not_ok "no $out/index.html"
done
begin "the Pages templates lint clean (the rules t0078 lints the check templates with)"
if command -v yamllint >/dev/null 2>&1; then
  printf 'extends: default\nrules:\n  line-length: {max: 120}\n  document-start: disable\n  truthy: {check-keys: false}\n  comments: {min-spaces-from-content: 1}\n' >"$SCRATCH/yamllint.yml"
  if yamllint -s -c "$SCRATCH/yamllint.yml" "$SRCDIR/ci/github/meshgate-pages.yml" \
       "$SRCDIR/ci/gitlab/meshgate-pages.gitlab-ci.yml" >"$SCRATCH/lint" 2>&1; then ok; else
    not_ok "yamllint"; cat "$SCRATCH/lint" >&2; fi
else
  echo "yamllint not installed (scripts/install-deps.sh --test): not linted"
fi
if command -v action-validator >/dev/null 2>&1; then
  action-validator "$SRCDIR/ci/github/meshgate-pages.yml" >"$SCRATCH/lint" 2>&1 && ok ||
    { not_ok "action-validator"; cat "$SCRATCH/lint" >&2; }
fi
finish
