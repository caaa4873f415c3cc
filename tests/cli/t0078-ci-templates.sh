#!/bin/sh
# The CI templates (ci/github, ci/gitlab) and the composite action (action.yml):
# they lint clean (yamllint; and action-validator or actionlint when installed -
# nothing is downloaded), and the linters can fail; they pin meshgate to this
# version and every third-party action to a commit; the check workflow has no
# `paths:` filter (a required check it skips never reports), uploads SARIF and
# comments only from the repository itself, not a fork, and runs meshgate's
# action with inputs action.yml declares; the apply templates run only after a
# merge into the protected branch, behind an environment, one at a time, with
# OIDC credentials, from the merged commit, with --audit.  And their scripts run:
# the check workflow's action steps with the workflow's inputs through a
# stand-in `docker` that runs this build's meshgate as the image would, the
# GitLab scripts as the jobs would, each on a merge request that breaks a
# product (exit 1, annotations, SARIF, code quality, JUnit and Markdown) and on
# one that does not (exit 0); the OIDC token step against a loopback stand-in
# for GitHub's token service, and both apply scripts on a merged repository
# (the token file, the audit log, the branch guard fed by the CI variables).
. "$TESTDIR/cli/lib.sh"
: "${MESHGATE_VERSION:?}"
gh=$SRCDIR/ci/github/meshgate-check.yml
gha=$SRCDIR/ci/github/meshgate-apply.yml
gl=$SRCDIR/ci/gitlab/meshgate.gitlab-ci.yml
gla=$SRCDIR/ci/gitlab/meshgate-apply.gitlab-ci.yml
action=$SRCDIR/action.yml
steps_py=$TESTDIR/cli/ci-action-steps.py
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
	if yamllint -s -c "$SCRATCH/yamllint.yml" "$gh" "$gha" "$gl" "$gla" "$action" >"$SCRATCH/lint" 2>&1; then ok; else
		not_ok "yamllint"; cat "$SCRATCH/lint" >&2; fi
	printf 'a: 1\na: 2\n' >"$SCRATCH/dup.yml"
	if yamllint -s -c "$SCRATCH/yamllint.yml" "$SCRATCH/dup.yml" >/dev/null 2>&1; then
		not_ok "yamllint passed a duplicate key"; else ok; fi
else
	echo "yamllint not installed (scripts/install-deps.sh --test): not linted"
fi

begin "action-validator, actionlint"
# whichever is installed (npm's @action-validator/cli: scripts/install-deps.sh --test); neither downloads anything
linted=0
if command -v action-validator >/dev/null 2>&1; then
	linted=1
	for w in "$gh" "$gha" "$action"; do
		if action-validator "$w" >"$SCRATCH/lint" 2>&1; then ok; else not_ok "action-validator $w"; cat "$SCRATCH/lint" >&2; fi
	done
	# it can fail: a job with a misspelt key; an action with no way to run
	sed 's/^    runs-on:/    runs-onn:/' "$gh" >"$SCRATCH/bad.yml"
	if action-validator "$SCRATCH/bad.yml" >/dev/null 2>&1; then not_ok "action-validator passed a broken workflow"; else ok; fi
	mkdir -p "$SCRATCH/badaction"
	sed 's/^  using: composite$/  using: compositee/' "$action" >"$SCRATCH/badaction/action.yml"
	if action-validator "$SCRATCH/badaction/action.yml" >/dev/null 2>&1; then
		not_ok "action-validator passed a broken action"; else ok; fi
fi
if command -v actionlint >/dev/null 2>&1; then
	linted=1
	if actionlint -no-color "$gh" "$gha" >"$SCRATCH/lint" 2>&1; then ok; else not_ok "actionlint"; cat "$SCRATCH/lint" >&2; fi
fi
[ "$linted" = 1 ] || echo "neither action-validator nor actionlint installed: the GitHub files are checked by structure only"

# structure: prints one line per problem; writes the scripts the runs below execute
cat >"$SCRATCH/check.py" <<'EOF'
import json, re, sys, yaml
version, gh_path, gha_path, gl_path, gla_path, action_path, out = sys.argv[1:8]
problems = []
def need(cond, msg):
    if not cond:
        problems.append(msg)
SHA = r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}"
OWN = r"[\w.-]+/meshgate@v%s" % re.escape(version)  # meshgate's own action: the tag, see the template
def pinned(where, doc, env):
    need(env.get("MESHGATE_VERSION") == version, "%s: MESHGATE_VERSION is not %s" % (where, version))
    need(re.search(r":%s(@sha256:[0-9a-f]{64})?$" % re.escape(version), str(env.get("MESHGATE_IMAGE", ""))),
         "%s: MESHGATE_IMAGE is not pinned to %s" % (where, version))
def steps_of(doc):
    return [s for j in doc["jobs"].values() for s in j["steps"]]
def on_of(doc):
    return doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
def third_party(where, doc):
    for s in steps_of(doc):
        if "uses" in s:
            need(re.fullmatch(SHA, s["uses"]) or re.fullmatch(OWN, s["uses"]),
                 "%s: %s is not pinned by commit" % (where, s["uses"]))
        need("git clone" not in s.get("run", ""), "%s: a step clones a repository" % where)
        need("${{" not in s.get("run", ""), "%s: an expression inside run: (script injection)" % where)

# the check workflow
gh = yaml.safe_load(open(gh_path))
on = on_of(gh)
need(isinstance(on, dict) and list(on) == ["pull_request"], "github: not on pull_request alone")
pr = (on or {}).get("pull_request") or {}
need("paths" not in pr and "paths-ignore" not in pr, "github: a paths filter on a required check")
need(gh.get("permissions") == {"contents": "read"}, "github: workflow permissions beyond contents: read")
env = gh.get("env", {})
pinned("github", gh, env)
third_party("github", gh)
steps = steps_of(gh)
own = [s for s in steps if re.fullmatch(OWN, s.get("uses", ""))]
need(len(own) == 1, "github: no step uses meshgate's action at v%s" % version)
fc = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@")]
need(len(fc) == 1 and steps[fc[0]].get("with", {}).get("path") == ".git/meshgate" and
     own and fc[0] < steps.index(own[0]),
     "github: no actions/cache step of .git/meshgate before the check (check's facts cache)")
action = yaml.safe_load(open(action_path))
inputs = {}
if own:
    w = own[0].get("with", {})
    need(set(w) <= set(action["inputs"]), "github: inputs action.yml does not declare: %s" % (set(w) - set(action["inputs"])))
    need(w.get("version") == "${{ env.MESHGATE_VERSION }}" and w.get("image") == "${{ env.MESHGATE_IMAGE }}",
         "github: the action is not given MESHGATE_VERSION and MESHGATE_IMAGE")
    for k, v in w.items():  # the ${{ env.X }} of the workflow, as the runner resolves them
        inputs[k] = re.sub(r"\$\{\{\s*env\.(\w+)\s*\}\}", lambda m: str(env[m.group(1)]), str(v))
sarif = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
need(len(sarif) == 1 and "github.event.pull_request.head.repo.full_name == github.repository" in sarif[0].get("if", "")
     and sarif[0].get("with", {}).get("sarif_file") == "${{ steps.meshgate.outputs.sarif }}",
     "github: the SARIF upload is not the action's report, or is not skipped for a fork's pull request")
for name, job in gh["jobs"].items():
    perms = job.get("permissions", {})
    need(perms.get("security-events") == "write", "github: job %s cannot upload SARIF" % name)
    need(perms.get("pull-requests") == "write", "github: job %s cannot comment" % name)
comment = [s for s in action["runs"]["steps"] if "ci-comment.sh" in s.get("run", "")]
need(len(comment) == 1 and "github.event.pull_request.head.repo.full_name == github.repository" in comment[0].get("if", ""),
     "action: the comment is not skipped for a fork's pull request")

# the apply workflow
gha = yaml.safe_load(open(gha_path))
on = on_of(gha)
need(isinstance(on, dict) and list(on) == ["push"] and on["push"].get("branches") == ["main"],
     "github apply: not on push to the protected branch alone")
need(gha.get("permissions") == {"contents": "read"}, "github apply: workflow permissions beyond contents: read")
need(gha.get("concurrency", {}).get("group") and gha["concurrency"].get("cancel-in-progress") is False,
     "github apply: no concurrency group, or one that cancels a running apply")
pinned("github apply", gha, gha.get("env", {}))
third_party("github apply", gha)
need(gha.get("env", {}).get("AWS_ROLE_ARN", "").startswith("arn:aws:iam::"), "github apply: no AWS_ROLE_ARN")
for name, job in gha["jobs"].items():
    need(isinstance(job.get("environment"), str) and job["environment"], "github apply: job %s has no environment" % name)
    need(job.get("permissions") == {"contents": "read", "id-token": "write"},
         "github apply: job %s does not ask for exactly contents: read and id-token: write" % name)
asteps = steps_of(gha)
co = [s for s in asteps if s.get("uses", "").startswith("actions/checkout@")]
need(len(co) == 1 and co[0].get("with", {}).get("ref") == "${{ github.sha }}" and co[0]["with"].get("fetch-depth") == 0,
     "github apply: not checked out at the merged commit with its history")
oidc = [s["run"] for s in asteps if "ACTIONS_ID_TOKEN_REQUEST_URL" in s.get("run", "")]
need(len(oidc) == 1 and "audience=sts.amazonaws.com" in oidc[0] and "AWS_WEB_IDENTITY_TOKEN_FILE=" in oidc[0],
     "github apply: no step writes the OIDC token for AWS_WEB_IDENTITY_TOKEN_FILE")
applies = [s["run"] for s in asteps if "$MESHGATE_IMAGE" in s.get("run", "")]
need(len(applies) == 1 and re.search(r"\bapply --audit \S+", applies[0] if applies else ""),
     "github apply: no step runs meshgate apply --audit in $MESHGATE_IMAGE")

# gitlab: the check, the note, the apply
gl = yaml.safe_load(open(gl_path))
job = gl.get("meshgate-check", {})
var = job.get("variables", {})
pinned("gitlab", gl, var)
need(job.get("image") == {"name": "${MESHGATE_IMAGE}", "entrypoint": [""]}, "gitlab: image is not ${MESHGATE_IMAGE} with no entrypoint")
script = "\n".join(job.get("script", []))
reports = job.get("artifacts", {}).get("reports", {})
for kind in ("codequality", "junit"):
    need(kind in reports and ("--output " + reports[kind]) in script, "gitlab: the %s report is not the file meshgate writes" % kind)
need("--output meshgate.md" in script and "meshgate.md" in job.get("artifacts", {}).get("paths", []),
     "gitlab: the Markdown report is not kept for the note")
note = gl.get("meshgate-note", {})
rule = " ".join(r.get("if", "") for r in note.get("rules", []))
need("$GITLAB_TOKEN" in rule and "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID" in rule,
     "gitlab: the note runs without a token or for a fork's merge request")
need(note.get("needs") == [{"job": "meshgate-check", "artifacts": True}], "gitlab: the note does not take the check's report")
need(all(r.get("when") == "always" for r in note.get("rules", [])), "gitlab: no note when the check fails")
need(note.get("script") == ['sh "$MESHGATE_COMMENT_SCRIPT" gitlab meshgate.md'], "gitlab: the note does not post meshgate.md")
gla = yaml.safe_load(open(gla_path))
ajob = gla.get("meshgate-apply", {})
pinned("gitlab apply", gla, ajob.get("variables", {}))
need(ajob.get("variables", {}).get("GIT_DEPTH") == "0", "gitlab apply: no full history for the plan")
need(ajob.get("image") == {"name": "${MESHGATE_IMAGE}", "entrypoint": [""]}, "gitlab apply: not the image")
need(isinstance(ajob.get("environment"), dict) and ajob["environment"].get("name"), "gitlab apply: no environment")
need(ajob.get("resource_group"), "gitlab apply: no resource_group")
need(ajob.get("id_tokens", {}).get("AWS_OIDC_TOKEN", {}).get("aud") == "sts.amazonaws.com", "gitlab apply: no id_token for AWS")
arule = " ".join(r.get("if", "") for r in ajob.get("rules", []))
need('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' in arule and '$CI_PIPELINE_SOURCE == "push"' in arule
     and "merge_request" not in arule, "gitlab apply: not only after a merge into the default branch")
ascript = "\n".join(ajob.get("script", []))
need(re.search(r"^meshgate apply --audit (\S+)$", ascript, re.M) and
     re.search(r"^meshgate apply --audit (\S+)$", ascript, re.M).group(1) in ajob.get("artifacts", {}).get("paths", []),
     "gitlab apply: no meshgate apply --audit whose log is kept")
for p in problems:
    print(p)
# the scripts, for the runs below
open(out + "/inputs.json", "w").write(json.dumps(inputs))
open(out + "/gha-oidc.sh", "w").write(oidc[0] if oidc else "false\n")
open(out + "/gha-apply.sh", "w").write(applies[0] if applies else "false\n")
open(out + "/gl.sh", "w").write(script + "\n")
open(out + "/gl-note.sh", "w").write("\n".join(note.get("script", [])) + "\n")
open(out + "/gl-apply.sh", "w").write(ascript + "\n")
for k, v in (("gha-env", gha.get("env", {})), ("gl-note-env", note.get("variables", {}))):
    open(out + "/" + k, "w").write("".join("%s=%s\n" % kv for kv in v.items()))
EOF
mkdir -p "$SCRATCH/s" "$SCRATCH/x"
structure() { "$py" "$SCRATCH/check.py" "$MESHGATE_VERSION" "$@" >"$SCRATCH/problems" 2>&1; }

begin "structure: pinned, no paths filter, nothing from forks, reports wired, apply gated"
structure "$gh" "$gha" "$gl" "$gla" "$action" "$SCRATCH/s"
: >"$SCRATCH/none"
expect_cmp "$SCRATCH/none" "$SCRATCH/problems"

begin "the checks can fail"
sed 's/^  pull_request:$/  pull_request:\n    paths: ["x\/**"]/; s/^  MESHGATE_VERSION: .*/  MESHGATE_VERSION: "9.9.9"/; s/@11bd71901bbe5b1630ceea73d27597364c9af683/@v4/; s/meshgate@v[0-9.]*$/meshgate@main/' \
	"$gh" >"$SCRATCH/bad-gh.yml"
sed 's/^  cancel-in-progress: false/  cancel-in-progress: true/; s/^    environment: .*//; s/id-token: write/id-token: read/; s/--audit [^ ]*//' \
	"$gha" >"$SCRATCH/bad-gha.yml"
sed 's/^  resource_group: .*//; s/aud: sts.amazonaws.com/aud: other/; s/\$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == \$CI_PROJECT_ID/true/' \
	"$gla" >"$SCRATCH/bad-gla.yml"
sed 's/\$GITLAB_TOKEN && *$/true \&\&/; s/      - meshgate.md//' "$gl" >"$SCRATCH/bad-gl.yml"
sed 's/github.event.pull_request.head.repo.full_name == github.repository/true/' "$action" >"$SCRATCH/bad-action.yml"
structure "$SCRATCH/bad-gh.yml" "$SCRATCH/bad-gha.yml" "$SCRATCH/bad-gl.yml" "$SCRATCH/bad-gla.yml" "$SCRATCH/bad-action.yml" "$SCRATCH/x"
for m in "github: a paths filter" "github: MESHGATE_VERSION is not" "actions/checkout@v4 is not pinned by commit" \
	"no step uses meshgate's action at v$MESHGATE_VERSION" \
	"action: the comment is not skipped for a fork" "github apply: no concurrency group, or one that cancels" \
	"github apply: job apply has no environment" "github apply: job apply does not ask for exactly" \
	"github apply: no step runs meshgate apply --audit" "gitlab apply: no resource_group" \
	"gitlab apply: no id_token for AWS" "gitlab: the note runs without a token or for a fork" \
	"gitlab: the Markdown report is not kept"; do
	expect_grep "$m" "$SCRATCH/problems"
done


# a merge request: origin/main holds a valid product, `mr` breaks it or not
. "$TESTDIR/cli/ci-lib.sh"

# a stand-in for `docker pull -q IMAGE` and `docker run [--rm] [--user U] [-v HOST:CTR[:ro]]... [-w DIR]
# [-e VAR]... IMAGE ARGS...`: runs this build's meshgate with ARGS in the host folder mounted at DIR,
# with only the -e variables of the caller's environment (as a container would); any other mount
# must be at the same path inside; logs the image to $DOCKER_LOG
mkdir -p "$SCRATCH/bin"
cat >"$SCRATCH/bin/docker" <<'EOF'
#!/bin/sh
case $1 in
pull) [ "$2" = -q ] && [ $# = 3 ] && exit 0; echo "docker stand-in: pull -q IMAGE" >&2; exit 125 ;;
run) shift ;;
*) echo "docker stand-in: only pull and run" >&2; exit 125 ;;
esac
host="" ctr="" wd="" envs=""
while [ $# -gt 0 ]; do
	case $1 in
	--rm) shift ;;
	--user) shift 2 ;;
	-v) m=${2%:ro}; h=${m%%:*} c=${m#*:}
		if [ "$c" = /work ]; then host=$h ctr=$c
		elif [ "$h" != "$c" ] || [ ! -e "$h" ]; then echo "docker stand-in: mount $2 is not at its own path" >&2; exit 125; fi
		shift 2 ;;
	-w) wd=$2; shift 2 ;;
	-e) eval "v=\${$2-}"; envs="$envs $2=$v"; shift 2 ;;
	-*) echo "docker stand-in: unknown option $1" >&2; exit 125 ;;
	*) break ;;
	esac
done
[ -n "$wd" ] && [ "$wd" = "$ctr" ] || { echo "docker stand-in: -w is not the mounted folder" >&2; exit 125; }
printf '%s\n' "$1" >>"$DOCKER_LOG"
shift
# shellcheck disable=SC2086
cd "$host" && exec env -i PATH=/usr/bin:/bin HOME=/tmp LC_ALL=C $envs "$MESHGATE" "$@"
EOF
chmod 755 "$SCRATCH/bin/docker"
export DOCKER_LOG="$SCRATCH/docker.log"
image=$(sed -n 's/^  MESHGATE_IMAGE: //p' "$gh")

# run_gh WS: the workflow's meshgate step as the runner runs it: action.yml's install and check
# steps with the workflow's inputs (bash -e, as shell: sh is on the runner: sh -e)
mkdir -p "$SCRATCH/steps"
"$py" "$steps_py" "$action" "$(cat "$SCRATCH/s/inputs.json")" "$SCRATCH/steps" >"$SCRATCH/problems" 2>&1
begin "github: the workflow's inputs are the action's"
expect_cmp "$SCRATCH/none" "$SCRATCH/problems"
run_gh() {
	status=0
	rm -f "$SCRATCH/gh-output" "$DOCKER_LOG"
	for n in 1 2; do
		(cd "$1" && env PATH="$SCRATCH/bin:$PATH" GITHUB_WORKSPACE="$1" GITHUB_BASE_REF=main GITHUB_ACTION_PATH="$SRCDIR" \
			GITHUB_OUTPUT="$SCRATCH/gh-output" GITHUB_STEP_SUMMARY="$SCRATCH/gh-summary" STEP_OUTPUTS="$SCRATCH/gh-output" \
			sh -e "$SCRATCH/steps/$n.sh") >"$SCRATCH/out" 2>"$SCRATCH/err" || { status=$?; break; }
	done
}
begin "github: the workflow on a pull request that breaks a product"
mr gh-broken broken
run_gh "$ws"
expect_status 1 "$status"
expect_grep "^::error file=$f,line=3,col=3" "$SCRATCH/out"
printf '%s\n' "$image" "$image" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$DOCKER_LOG"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and d["runs"][0]["results"]' \
	"$ws/meshgate.sarif" && ok || not_ok "no SARIF with results"
expect_grep '^sarif=meshgate.sarif$' "$SCRATCH/gh-output"
begin "github: the workflow on a pull request that does not"
mr gh-good good
run_gh "$ws"
expect_status 0 "$status"
[ -f "$ws/meshgate.sarif" ] && ok || not_ok "no SARIF"

# run_gl WS [SCRIPT]: a GitLab script as the job runs it (sh, stopping at the first failure)
mkdir -p "$SCRATCH/glbin"
ln -sf "$MESHGATE" "$SCRATCH/glbin/meshgate"
run_gl() {
	status=0
	(cd "$1" && PATH=$SCRATCH/glbin:$PATH CI_PROJECT_DIR=$1 CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
		sh -e "$SCRATCH/s/${2:-gl.sh}") >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
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
expect_grep '^<!-- meshgate:check -->$' "$ws/meshgate.md"
git config --global --get-all safe.directory >"$SCRATCH/safe"
printf '%s\n' "$ws" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/safe"
begin "gitlab: the note job posts the check's report with the copied script"
# the catalogue repository holds the script where the template says; a stand-in records the call
script_var=$(sed -n 's/^MESHGATE_COMMENT_SCRIPT=//p' "$SCRATCH/s/gl-note-env")
mkdir -p "$ws/$(dirname "$script_var")"
printf '#!/bin/sh\necho "$@" >"$NOTE_LOG"\n' >"$ws/$script_var"
(cd "$ws" && MESHGATE_COMMENT_SCRIPT=$script_var NOTE_LOG=$SCRATCH/note.log sh -e "$SCRATCH/s/gl-note.sh") || not_ok "note script failed"
printf 'gitlab meshgate.md\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/note.log"
begin "gitlab: the script on a merge request that does not"
mr gl-good good
run_gl "$ws"
expect_status 0 "$status"
[ -f "$ws/gl-code-quality-report.json" ] && ok || not_ok "no code-quality report"

# the apply templates on a merged repository: the quick start on main, with its consumers
merged=$SCRATCH/merged
cp -r "$SRCDIR/examples/quickstart" "$merged"
git -C "$merged" init -q -b main && git -C "$merged" add -A && git -C "$merged" commit -q -m merged || exit 1
sha=$(git -C "$merged" rev-parse HEAD)
git -C "$merged" checkout -q --detach "$sha" # as actions/checkout with ref: github.sha, and GitLab, leave it

# a loopback stand-in for GitHub's OIDC token service (tests/cli/ci-fake-api.py /oidc)
api=$SCRATCH/api
mkdir -p "$api"
echo '{"github": [], "gitlab": []}' >"$api/seed.json"
request_token="ghs_t0078requestTOKEN"
FAKE_TOKEN=$request_token python3 "$TESTDIR/cli/ci-fake-api.py" "$api" 2>"$SCRATCH/api.err" &
server=$!
trap 'kill "$server" 2>/dev/null' EXIT
trap 'kill "$server" 2>/dev/null; exit 1' INT TERM HUP
i=0
while [ ! -s "$api/port" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$server" 2>/dev/null; then cat "$SCRATCH/api.err" >&2; not_ok "the fake API did not start"; finish; fi
	sleep 0.1
done
port=$(cat "$api/port")

begin "github apply: the OIDC step writes the token to a private file and exports it"
mkdir -p "$SCRATCH/runner-temp"
: >"$SCRATCH/gh-env"
status=0
(cd "$merged" && env RUNNER_TEMP="$SCRATCH/runner-temp" GITHUB_ENV="$SCRATCH/gh-env" GITHUB_RUN_ID=4242 \
	ACTIONS_ID_TOKEN_REQUEST_URL="http://127.0.0.1:$port/oidc?api-version=2.0" \
	ACTIONS_ID_TOKEN_REQUEST_TOKEN="$request_token" bash -e "$SCRATCH/s/gha-oidc.sh") \
	>"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
tf=$SCRATCH/runner-temp/meshgate-web-identity-token
printf 'oidc-for-sts.amazonaws.com\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$tf"
[ "$(stat -c %a "$tf")" = 600 ] && ok || not_ok "the token file is mode $(stat -c %a "$tf")"
printf 'AWS_WEB_IDENTITY_TOKEN_FILE=%s\nAWS_ROLE_SESSION_NAME=meshgate-4242\n' "$tf" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh-env"
if grep -qF "$request_token" "$SCRATCH/out" "$SCRATCH/err" "$SCRATCH/gh-env"; then not_ok "the request token was printed"; else ok; fi
jq -s -e 'length == 1 and .[0].auth and .[0].query.audience == "sts.amazonaws.com"' "$api/requests.jsonl" >/dev/null &&
	ok || not_ok "the token request: $(cat "$api/requests.jsonl")"
begin "github apply: no token from the service is a failure, not an empty file"
(cd "$merged" && env RUNNER_TEMP="$SCRATCH/runner-temp" GITHUB_ENV="$SCRATCH/gh-env2" GITHUB_RUN_ID=1 \
	ACTIONS_ID_TOKEN_REQUEST_URL="http://127.0.0.1:$port/oidc?api-version=2.0" \
	ACTIONS_ID_TOKEN_REQUEST_TOKEN=wrong bash -e "$SCRATCH/s/gha-oidc.sh") >"$SCRATCH/out" 2>"$SCRATCH/err" && status=0 || status=$?
[ "$status" != 0 ] && ok || not_ok "a refused token request passed"
[ ! -s "$SCRATCH/gh-env2" ] && ok || not_ok "GITHUB_ENV was written without a token"
kill "$server" 2>/dev/null

begin "github apply: the apply step, on the merged commit, with the workflow's env"
mkdir -p "$SCRATCH/state"
rm -f "$DOCKER_LOG"
status=0
(cd "$merged" && set -a && . "$SCRATCH/s/gha-env" && set +a &&
	env PATH="$SCRATCH/bin:$PATH" GITHUB_WORKSPACE="$merged" GITHUB_REF=refs/heads/main GITHUB_EVENT_NAME=push \
		MESHGATE_STATE="$SCRATCH/state" AWS_WEB_IDENTITY_TOKEN_FILE="$tf" AWS_ROLE_SESSION_NAME=meshgate-4242 \
		bash -e "$SCRATCH/s/gha-apply.sh") >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
[ "$status" = 0 ] || cat "$SCRATCH/err" >&2
expect_grep '^prod: applied [1-9][0-9]* operations' "$SCRATCH/err"
expect_grep "\"commit\":\"$sha\".*\"result\":\"ok\"" "$merged/meshgate-audit.jsonl"
printf '%s\n' "$image" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$DOCKER_LOG"
begin "github apply: the branch guard sees GITHUB_REF through the container"
(cd "$merged" && set -a && . "$SCRATCH/s/gha-env" && set +a &&
	env PATH="$SCRATCH/bin:$PATH" GITHUB_WORKSPACE="$merged" GITHUB_REF=refs/heads/feature GITHUB_EVENT_NAME=push \
		MESHGATE_STATE="$SCRATCH/state" AWS_WEB_IDENTITY_TOKEN_FILE="$tf" AWS_ROLE_SESSION_NAME=x \
		bash -e "$SCRATCH/s/gha-apply.sh") >"$SCRATCH/out" 2>"$SCRATCH/err" && status=0 || status=$?
expect_status 3 "$status"
expect_grep "refusing to apply: GITHUB_REF is 'refs/heads/feature', not refs/heads/main" "$SCRATCH/err"

begin "gitlab apply: the script writes the id_token to a private file for meshgate, and applies"
rm -rf "$merged/.meshgate" "$merged/meshgate-audit.jsonl"
# meshgate on PATH is a wrapper that records what it was given, then runs this build's
rm -f "$SCRATCH/glbin/meshgate" # a symbolic link to the build: not to be written through
cat >"$SCRATCH/glbin/meshgate" <<'EOF'
#!/bin/sh
{ echo "file=$(cat "$AWS_WEB_IDENTITY_TOKEN_FILE")"; echo "mode=$(stat -c %a "$AWS_WEB_IDENTITY_TOKEN_FILE")"
  echo "session=$AWS_ROLE_SESSION_NAME"; } >"$WRAP_LOG"
exec "$MESHGATE" "$@"
EOF
chmod 755 "$SCRATCH/glbin/meshgate"
status=0
(cd "$merged" && env PATH="$SCRATCH/glbin:$PATH" CI_PROJECT_DIR="$merged" CI_COMMIT_BRANCH=main CI_JOB_ID=77 \
	AWS_OIDC_TOKEN=gitlab-oidc-jwt WRAP_LOG="$SCRATCH/wrap.log" sh -e "$SCRATCH/s/gl-apply.sh") \
	>"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
printf 'file=gitlab-oidc-jwt\nmode=600\nsession=meshgate-77\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/wrap.log"
expect_grep "\"commit\":\"$sha\".*\"result\":\"ok\"" "$merged/meshgate-audit.jsonl"
if grep -q gitlab-oidc-jwt "$SCRATCH/out" "$SCRATCH/err"; then not_ok "the id_token was printed"; else ok; fi
begin "gitlab apply: the branch guard sees CI_COMMIT_BRANCH"
(cd "$merged" && env PATH="$SCRATCH/glbin:$PATH" CI_PROJECT_DIR="$merged" CI_COMMIT_BRANCH=feature CI_JOB_ID=78 \
	AWS_OIDC_TOKEN=x WRAP_LOG="$SCRATCH/wrap.log" sh -e "$SCRATCH/s/gl-apply.sh") \
	>"$SCRATCH/out" 2>"$SCRATCH/err" && status=0 || status=$?
expect_status 3 "$status"
expect_grep "refusing to apply: CI_COMMIT_BRANCH is 'feature', not 'main'" "$SCRATCH/err"

finish
