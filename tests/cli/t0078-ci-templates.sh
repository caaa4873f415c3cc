#!/bin/sh
# The CI templates (ci/github, ci/gitlab): they lint clean (yamllint; and
# action-validator or actionlint when installed - nothing is downloaded), they pin meshgate to
# this version's image and every action to a commit, the GitHub workflow has
# no `paths:` filter (a required check it skips never reports) and uploads
# SARIF only from the repository itself, not a fork; and their scripts run:
# the GitHub step through a stand-in `docker` that runs this build's meshgate
# as the image would, the GitLab script as the job would, each on a merge
# request that breaks a product (exit 1, annotations, SARIF, code quality and
# JUnit reports) and on one that does not (exit 0).
. "$TESTDIR/cli/lib.sh"
: "${MESHGATE_VERSION:?}"
gh=$SRCDIR/ci/github/meshgate-check.yml
gl=$SRCDIR/ci/gitlab/meshgate.gitlab-ci.yml
py=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skipped: no python3 with PyYAML (Debian's python3-yaml; scripts/install-deps.sh --test)"; exit 77; }

begin "yamllint"
if command -v yamllint >/dev/null 2>&1; then
	# the default rules, with lines as long as the templates' commands and no document-start marker
	cat >"$SCRATCH/yamllint.yml" <<'EOF'
extends: default
rules:
  line-length: {max: 120}
  document-start: disable
  truthy: {check-keys: false}
  comments: {min-spaces-from-content: 1}
EOF
	if yamllint -s -c "$SCRATCH/yamllint.yml" "$gh" "$gl" >"$SCRATCH/lint" 2>&1; then ok; else
		not_ok "yamllint"; cat "$SCRATCH/lint" >&2; fi
else
	echo "yamllint not installed (scripts/install-deps.sh --test): not linted"
fi

begin "action-validator, actionlint"
# whichever is installed (npm's @action-validator/cli: scripts/install-deps.sh --test); neither downloads anything
linted=0
if command -v action-validator >/dev/null 2>&1; then
	linted=1
	if action-validator "$gh" >"$SCRATCH/lint" 2>&1; then ok; else not_ok "action-validator"; cat "$SCRATCH/lint" >&2; fi
	# it can fail: a job with a misspelt key
	sed 's/^    runs-on:/    runs-onn:/' "$gh" >"$SCRATCH/bad.yml"
	if action-validator "$SCRATCH/bad.yml" >/dev/null 2>&1; then not_ok "action-validator passed a broken workflow"; else ok; fi
fi
if command -v actionlint >/dev/null 2>&1; then
	linted=1
	if actionlint -no-color "$gh" >"$SCRATCH/lint" 2>&1; then ok; else not_ok "actionlint"; cat "$SCRATCH/lint" >&2; fi
fi
[ "$linted" = 1 ] || echo "neither action-validator nor actionlint installed: the GitHub workflow is checked by structure only"

# structure: prints one line per problem
cat >"$SCRATCH/check.py" <<'EOF'
import re, sys, yaml
version, gh_path, gl_path = sys.argv[1:4]
problems = []
def need(cond, msg):
    if not cond:
        problems.append(msg)

gh = yaml.safe_load(open(gh_path))
on = gh.get("on", gh.get(True))  # YAML 1.1 reads a bare `on` as true
need(isinstance(on, dict) and "pull_request" in on, "github: not on pull_request")
pr = (on or {}).get("pull_request") or {}
need("paths" not in pr and "paths-ignore" not in pr, "github: a paths filter on a required check")
need(gh.get("permissions") == {"contents": "read"}, "github: workflow permissions beyond contents: read")
env = gh.get("env", {})
need(env.get("MESHGATE_VERSION") == version, "github: MESHGATE_VERSION is not %s" % version)
need(re.search(r":%s(@sha256:[0-9a-f]{64})?$" % re.escape(version), str(env.get("MESHGATE_IMAGE", ""))),
     "github: MESHGATE_IMAGE is not pinned to %s" % version)
steps = [s for j in gh["jobs"].values() for s in j["steps"]]
for s in steps:
    if "uses" in s:
        need(re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", s["uses"]),
             "github: %s is not pinned by commit" % s["uses"])
    need("git clone" not in s.get("run", ""), "github: a step clones a repository")
runs = [s["run"] for s in steps if "$MESHGATE_IMAGE" in s.get("run", "")]
need(len(runs) == 1, "github: no step runs $MESHGATE_IMAGE")
sarif = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
need(len(sarif) == 1 and "github.event.pull_request.head.repo.full_name == github.repository" in sarif[0].get("if", ""),
     "github: the SARIF upload is not skipped for a fork's pull request")
for name, job in gh["jobs"].items():
    need(job.get("permissions", {}).get("security-events") == "write", "github: job %s cannot upload SARIF" % name)

gl = yaml.safe_load(open(gl_path))
job = gl.get("meshgate-check", {})
var = job.get("variables", {})
need(var.get("MESHGATE_VERSION") == version, "gitlab: MESHGATE_VERSION is not %s" % version)
need(re.search(r":%s(@sha256:[0-9a-f]{64})?$" % re.escape(version), str(var.get("MESHGATE_IMAGE", ""))),
     "gitlab: MESHGATE_IMAGE is not pinned to %s" % version)
need(job.get("image") == {"name": "${MESHGATE_IMAGE}", "entrypoint": [""]}, "gitlab: image is not ${MESHGATE_IMAGE} with no entrypoint")
script = "\n".join(job.get("script", []))
reports = job.get("artifacts", {}).get("reports", {})
for kind in ("codequality", "junit"):
    need(kind in reports and ("--output " + reports[kind]) in script, "gitlab: the %s report is not the file meshgate writes" % kind)
for p in problems:
    print(p)
# the scripts, for the runs below
open(sys.argv[4], "w").write(runs[0] if runs else "false\n")
open(sys.argv[5], "w").write(script + "\n")
EOF

begin "structure: pinned, no paths filter, no SARIF from forks, reports wired"
"$py" "$SCRATCH/check.py" "$MESHGATE_VERSION" "$gh" "$gl" "$SCRATCH/gh.sh" "$SCRATCH/gl.sh" >"$SCRATCH/problems" 2>&1
: >"$SCRATCH/none"
expect_cmp "$SCRATCH/none" "$SCRATCH/problems"

begin "the checks can fail"
sed 's/^  pull_request:$/  pull_request:\n    paths: ["x\/**"]/; s/^  MESHGATE_VERSION: .*/  MESHGATE_VERSION: "9.9.9"/; s/@11bd71901bbe5b1630ceea73d27597364c9af683/@v4/' \
	"$gh" >"$SCRATCH/bad-gh.yml"
"$py" "$SCRATCH/check.py" "$MESHGATE_VERSION" "$SCRATCH/bad-gh.yml" "$gl" "$SCRATCH/x" "$SCRATCH/y" >"$SCRATCH/problems" 2>&1
for m in "a paths filter" "MESHGATE_VERSION is not" "actions/checkout@v4 is not pinned by commit"; do
	expect_grep "$m" "$SCRATCH/problems"
done

# a merge request: origin/main holds a valid product, the branch breaks it or not
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CEILING_DIRECTORIES
git config --global user.name "Test" && git config --global user.email test@example.com &&
	git config --global init.defaultBranch main || exit 1
git init -q --bare "$SCRATCH/origin.git"
git init -q "$SCRATCH/seed"
product "$SCRATCH/seed/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
git -C "$SCRATCH/seed" add -A && git -C "$SCRATCH/seed" commit -q -m main &&
	git -C "$SCRATCH/seed" push -q "$SCRATCH/origin.git" main || exit 1
f=data-products-catalogue/prod/orders/data-product.json
# mr NAME broken|good: a clone at a branch with one commit on top of main
mr() {
	ws=$SCRATCH/$1
	git clone -q "$SCRATCH/origin.git" "$ws" && git -C "$ws" checkout -q -b change || exit 1
	if [ "$2" = broken ]; then
		sed -i 's/"data-product-owner"/"data-product-ownr"/' "$ws/$f"
	else
		sed -i 's/owner@example.com/team@example.com/' "$ws/$f"
	fi
	git -C "$ws" commit -q -a -m change
}

# a stand-in for `docker run [--rm] [--user U] [-v HOST:CTR] [-w DIR] IMAGE ARGS...`:
# runs this build's meshgate with ARGS in the host folder mounted at DIR
mkdir -p "$SCRATCH/bin"
cat >"$SCRATCH/bin/docker" <<'EOF'
#!/bin/sh
[ "$1" = run ] || { echo "docker stand-in: only run" >&2; exit 125; }
shift
host="" ctr="" wd=""
while [ $# -gt 0 ]; do
	case $1 in
	--rm) shift ;;
	--user) shift 2 ;;
	-v) host=${2%%:*}; ctr=${2#*:}; shift 2 ;;
	-w) wd=$2; shift 2 ;;
	-*) echo "docker stand-in: unknown option $1" >&2; exit 125 ;;
	*) break ;;
	esac
done
[ -n "$wd" ] && [ "$wd" = "$ctr" ] || { echo "docker stand-in: -w is not the mounted folder" >&2; exit 125; }
printf '%s\n' "$1" >"$DOCKER_LOG"
shift
cd "$host" && exec "$MESHGATE" "$@"
EOF
chmod 755 "$SCRATCH/bin/docker"
export DOCKER_LOG="$SCRATCH/docker.log"

# run_gh WS: the GitHub step as the runner runs it (bash -e), env from the workflow
run_gh() {
	status=0
	(cd "$1" && PATH=$SCRATCH/bin:$PATH GITHUB_WORKSPACE=$1 GITHUB_BASE_REF=main \
		MESHGATE_IMAGE=$(sed -n 's/^  MESHGATE_IMAGE: //p' "$gh") bash -e "$SCRATCH/gh.sh") \
		>"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
}
begin "github: the step on a pull request that breaks a product"
mr gh-broken broken
run_gh "$ws"
expect_status 1 "$status"
expect_grep "^::error file=$f,line=3,col=3" "$SCRATCH/out"
printf '%s\n' "$(sed -n 's/^  MESHGATE_IMAGE: //p' "$gh")" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$DOCKER_LOG"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and d["runs"][0]["results"]' \
	"$ws/meshgate.sarif" && ok || not_ok "no SARIF with results"
begin "github: the step on a pull request that does not"
mr gh-good good
run_gh "$ws"
expect_status 0 "$status"
[ -f "$ws/meshgate.sarif" ] && ok || not_ok "no SARIF"

# run_gl WS: the GitLab script as the job runs it (sh, stopping at the first failure)
run_gl() {
	status=0
	(cd "$1" && mkdir -p "$SCRATCH/glbin" && ln -sf "$MESHGATE" "$SCRATCH/glbin/meshgate" &&
		PATH=$SCRATCH/glbin:$PATH CI_PROJECT_DIR=$1 CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main sh -e "$SCRATCH/gl.sh") \
		>"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
}
begin "gitlab: the script on a merge request that breaks a product"
mr gl-broken broken
git -C "$ws" update-ref -d refs/remotes/origin/main # the job fetches it
run_gl "$ws"
expect_status 1 "$status"
expect_grep "^$f:3:3: error: unknown key 'data-product-ownr'" "$SCRATCH/out"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d and d[0]["location"]["path"]==sys.argv[2]' \
	"$ws/gl-code-quality-report.json" "$f" && ok || not_ok "no code-quality entry for $f"
expect_grep '<testsuite' "$ws/meshgate-junit.xml"
git config --global --get-all safe.directory >"$SCRATCH/safe"
printf '%s\n' "$ws" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/safe"
begin "gitlab: the script on a merge request that does not"
mr gl-good good
run_gl "$ws"
expect_status 0 "$status"
[ -f "$ws/gl-code-quality-report.json" ] && ok || not_ok "no code-quality report"

finish
