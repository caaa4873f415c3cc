#!/bin/sh
# The GitHub composite action (action.yml, scripts/ci-action.sh) outside GitHub:
# the steps of action.yml as the runner would run them (their `run:` and `env:`,
# with ${{ inputs.* }} replaced by the defaults and the given inputs) in a fake
# GITHUB_* environment whose GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_PATH
# are files in the scratch folder, and the test asserts what they hold: on a
# pull request that breaks a product (status 1, annotations, SARIF, the
# Markdown with its marker in the summary), on one that does not (status 0);
# with the image through a stand-in `docker` (the version it reports is
# checked), and the build from this source tree (a real Release build, when
# the build packages are installed).  Bad input is refused with its reason.
. "$TESTDIR/cli/lib.sh"
: "${MESHGATE_VERSION:?}"
script=$SRCDIR/scripts/ci-action.sh
py=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skipped: no python3 with PyYAML (Debian's python3-yaml)"; exit 77; }

# a merge request: origin/main holds a valid product, `mr` breaks it or not
. "$TESTDIR/cli/ci-lib.sh"

steps_py=$TESTDIR/cli/ci-action-steps.py

begin "action.yml: composite, every step's run calls the scripts, inputs wired to env"
mkdir -p "$SCRATCH/steps"
"$py" "$steps_py" "$SRCDIR/action.yml" '{}' "$SCRATCH/steps" >"$SCRATCH/problems" 2>&1
: >"$SCRATCH/none"
expect_cmp "$SCRATCH/none" "$SCRATCH/problems"
printf '%s\n' "Install meshgate" "meshgate check" "Sticky comment" "No comment on a fork's pull request" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/steps/names"
"$py" - "$SRCDIR/action.yml" >"$SCRATCH/problems" 2>&1 <<'EOF'
import sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
steps = a["runs"]["steps"]
assert a["runs"]["using"] == "composite"
for s in steps:
    assert "${{" not in s.get("run", ""), "expression in run: %s (injection)" % s["name"]
    assert s.get("shell") == "sh", s["name"]
comment = [s for s in steps if s["name"] == "Sticky comment"][0]
assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"], "comment on forks"
assert comment["if"].startswith("always()"), "no comment when the check fails"
assert comment["env"]["GITHUB_TOKEN"] == "${{ inputs.token }}"
fork = [s for s in steps if s["name"].startswith("No comment on a fork")][0]
assert "!= github.repository" in fork["if"]
for o in ("status", "sarif", "markdown"):
    assert a["outputs"][o]["value"] == "${{ steps.check.outputs.%s }}" % o, o
EOF
expect_cmp "$SCRATCH/none" "$SCRATCH/problems"

# gh_run STEP WS [VAR=VALUE...]: step STEP of action.yml in a fake runner for workspace WS;
# stdout, stderr, status as run_mg; GITHUB_OUTPUT etc. are $SCRATCH/gh/{output,summary,path}
mkdir -p "$SCRATCH/gh" "$SCRATCH/bin"
ln -sf "$MESHGATE" "$SCRATCH/bin/meshgate"
gh_run() {
	stepf=$SCRATCH/steps/$1.sh ws=$2
	shift 2
	status=0
	(cd "$ws" && env -i PATH="$SCRATCH/bin:$PATH" HOME="$HOME" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C NO_COLOR=1 \
		GITHUB_ACTION_PATH="$SRCDIR" GITHUB_WORKSPACE="$ws" GITHUB_BASE_REF=main GITHUB_EVENT_NAME=pull_request \
		GITHUB_OUTPUT="$SCRATCH/gh/output" GITHUB_STEP_SUMMARY="$SCRATCH/gh/summary" GITHUB_PATH="$SCRATCH/gh/path" \
		RUNNER_TEMP="$SCRATCH/runner-temp" STEP_OUTPUTS="$SCRATCH/gh/output" DOCKER_LOG="$SCRATCH/docker.log" \
		"$@" timeout 600 sh -e "$stepf") >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
}
fresh() { rm -f "$SCRATCH/gh/output" "$SCRATCH/gh/summary" "$SCRATCH/gh/path"; }

begin "the script alone: a usage error without a step"
status=0
sh "$script" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 2 "$status"
expect_grep "^usage: scripts/ci-action.sh install|check$" "$SCRATCH/err"

begin "check: a pull request that breaks a product"
mr broken broken
fresh
gh_run 2 "$ws"
expect_status 1 "$status"
expect_grep "^::error file=$f,line=3,col=3" "$SCRATCH/out"
expect_grep "^ci-action.sh: meshgate check found errors" "$SCRATCH/out"
printf 'status=1\nsarif=meshgate.sarif\nmarkdown=meshgate.md\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh/output"
expect_cmp "$ws/meshgate.md" "$SCRATCH/gh/summary"
expect_grep '^<!-- meshgate:check -->$' "$SCRATCH/gh/summary"
expect_grep "data-product-ownr" "$SCRATCH/gh/summary"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and d["runs"][0]["results"]' \
	"$ws/meshgate.sarif" && ok || not_ok "no SARIF with results"

begin "check: the summary is appended to, the outputs file too"
echo "earlier step" >"$SCRATCH/gh/summary"
echo "earlier=1" >"$SCRATCH/gh/output"
gh_run 2 "$ws"
{ echo "earlier step"; cat "$ws/meshgate.md"; } >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh/summary"
printf 'earlier=1\nstatus=1\nsarif=meshgate.sarif\nmarkdown=meshgate.md\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh/output"

begin "check: a pull request that does not"
mr good good
fresh
gh_run 2 "$ws"
expect_status 0 "$status"
expect_grep "^ci-action.sh: meshgate check passed" "$SCRATCH/out"
printf 'status=0\nsarif=meshgate.sarif\nmarkdown=meshgate.md\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh/output"
expect_grep '^## .* meshgate check$' "$SCRATCH/gh/summary"

begin "check: inputs - other paths, no summary, an explicit base"
"$py" "$steps_py" "$SRCDIR/action.yml" \
	'{"sarif": "out/r.sarif", "markdown": "out/r.md", "summary": "false", "base": "origin/main~0"}' "$SCRATCH/steps"
mkdir -p "$ws/out"
fresh
gh_run 2 "$ws" GITHUB_BASE_REF=
expect_status 0 "$status"
printf 'status=0\nsarif=out/r.sarif\nmarkdown=out/r.md\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh/output"
[ ! -e "$SCRATCH/gh/summary" ] && ok || not_ok "a summary was written with summary: false"
[ -f "$ws/out/r.sarif" ] && [ -f "$ws/out/r.md" ] && ok || not_ok "the reports are not where the inputs say"

begin "check: refused - no base outside a pull request, paths outside the workspace"
"$py" "$steps_py" "$SRCDIR/action.yml" '{}' "$SCRATCH/steps"
gh_run 2 "$ws" GITHUB_BASE_REF=
expect_status 3 "$status"
expect_grep "no base to compare with: not a pull_request event" "$SCRATCH/err"
for bad in /tmp/x.sarif ../x.sarif a/../../x.sarif; do
	"$py" "$steps_py" "$SRCDIR/action.yml" "{\"sarif\": \"$bad\"}" "$SCRATCH/steps"
	gh_run 2 "$ws"
	expect_status 3 "$status"
	expect_grep "sarif '$bad' must be a path relative to the workspace" "$SCRATCH/err"
done
"$py" "$steps_py" "$SRCDIR/action.yml" '{"summary": "yes"}' "$SCRATCH/steps"
gh_run 2 "$ws"
expect_status 3 "$status"
expect_grep "summary must be true or false" "$SCRATCH/err"
"$py" "$steps_py" "$SRCDIR/action.yml" '{}' "$SCRATCH/steps"
gh_run 2 "$ws" PATH=/usr/bin:/bin
expect_status 3 "$status"
expect_grep "meshgate is not on PATH" "$SCRATCH/err"

# a stand-in for docker: `pull -q IMAGE`, and `run --rm --user U -v HOST:/work -w /work IMAGE ARGS`
# running this build's meshgate in HOST; logs each call
cat >"$SCRATCH/bin/docker" <<'EOF'
#!/bin/sh
echo "$*" >>"$DOCKER_LOG"
case $1 in
pull) [ "$2" = -q ] && [ $# = 3 ] || { echo "docker stand-in: pull -q IMAGE" >&2; exit 125; }; exit 0 ;;
run) shift ;;
*) echo "docker stand-in: only pull and run" >&2; exit 125 ;;
esac
[ "$1" = --rm ] && [ "$2" = --user ] && [ "$3" = "$(id -u):$(id -g)" ] && [ "$4" = -v ] && [ "$6" = -w ] ||
	{ echo "docker stand-in: unexpected options $*" >&2; exit 125; }
host=${5%%:*} ctr=${5#*:}
[ "$ctr" = /work ] && [ "$7" = /work ] || { echo "docker stand-in: -w is not the mounted /work" >&2; exit 125; }
shift 8
cd "$host" && exec "$REAL_MESHGATE" "$@"
EOF
chmod 755 "$SCRATCH/bin/docker"
img=ghcr.io/acme/meshgate:$MESHGATE_VERSION

begin "image: install pulls it and checks its version"
"$py" "$steps_py" "$SRCDIR/action.yml" "{\"image\": \"$img\", \"version\": \"$MESHGATE_VERSION\"}" "$SCRATCH/steps"
fresh
rm -f "$SCRATCH/docker.log"
mr img-broken broken
gh_run 1 "$ws" REAL_MESHGATE="$MESHGATE" PATH="$SCRATCH/bin:/usr/bin:/bin"
expect_status 0 "$status"
expect_grep "^ci-action.sh: meshgate $MESHGATE_VERSION from the image $img$" "$SCRATCH/out"
printf 'meshgate=docker:%s\n' "$img" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/gh/output"
begin "image: check runs meshgate in it"
fresh
rm -f "$ws/meshgate.sarif"
rm "$SCRATCH/bin/meshgate" # from here on no meshgate on PATH: only the image runs it
gh_run 2 "$ws" REAL_MESHGATE="$MESHGATE" PATH="$SCRATCH/bin:/usr/bin:/bin"
expect_status 1 "$status"
expect_grep "^::error file=$f,line=3,col=3" "$SCRATCH/out"
expect_grep "^run --rm --user .* -v $ws:/work -w /work $img check -C . --base origin/main --head HEAD --format github" "$SCRATCH/docker.log"
[ -f "$ws/meshgate.sarif" ] && ok || not_ok "no SARIF from the image"
begin "image: another version than the workflow pins is refused"
"$py" "$steps_py" "$SRCDIR/action.yml" "{\"image\": \"$img\", \"version\": \"9.9.9\"}" "$SCRATCH/steps"
gh_run 1 "$ws" REAL_MESHGATE="$MESHGATE" PATH="$SCRATCH/bin:/usr/bin:/bin"
expect_status 3 "$status"
expect_grep "the image '$img' is meshgate '$MESHGATE_VERSION', not MESHGATE_VERSION 9.9.9" "$SCRATCH/err"

begin "build: another version than the workflow pins is refused before building"
"$py" "$steps_py" "$SRCDIR/action.yml" '{"version": "9.9.9"}' "$SCRATCH/steps"
gh_run 1 "$ws"
expect_status 3 "$status"
expect_grep "this action is meshgate $MESHGATE_VERSION, but MESHGATE_VERSION is 9.9.9: pin .uses:. to the commit of v9.9.9" "$SCRATCH/err"
[ ! -e "$SCRATCH/runner-temp/meshgate-build" ] && ok || not_ok "it built anyway"

# the build itself: this source tree, as the action's folder; only when nothing needs installing
missing=""
for p in build-essential cmake pkg-config git libgit2-dev libcjson-dev libyaml-dev libcurl4-openssl-dev \
	libssl-dev libsqlite3-dev libpq-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "build packages missing ($missing): the build from source is not tested"
else
	begin "build: install builds this commit and puts it on GITHUB_PATH"
	"$py" "$steps_py" "$SRCDIR/action.yml" "{\"version\": \"$MESHGATE_VERSION\"}" "$SCRATCH/steps"
	mkdir -p "$SCRATCH/runner-temp"
	fresh
	gh_run 1 "$ws" MESHGATE_JOBS_BUILD=2
	expect_status 0 "$status"
	[ "$status" = 0 ] || cat "$SCRATCH/err" >&2
	printf '%s\n' "$SCRATCH/runner-temp/meshgate-build" >"$SCRATCH/want"
	expect_cmp "$SCRATCH/want" "$SCRATCH/gh/path"
	printf 'meshgate=%s\n' "$SCRATCH/runner-temp/meshgate-build/meshgate" >"$SCRATCH/want"
	expect_cmp "$SCRATCH/want" "$SCRATCH/gh/output"
	begin "build: the built meshgate, from GITHUB_PATH, checks the pull request"
	"$py" "$steps_py" "$SRCDIR/action.yml" '{}' "$SCRATCH/steps"
	fresh
	gh_run 2 "$ws" PATH="$SCRATCH/runner-temp/meshgate-build:/usr/bin:/bin"
	expect_status 1 "$status"
	expect_grep "^::error file=$f,line=3,col=3" "$SCRATCH/out"
	expect_grep '^status=1$' "$SCRATCH/gh/output"
fi

finish
