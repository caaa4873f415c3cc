#!/bin/sh
# ci-action.sh install|check - the logic of meshgate's GitHub composite action
# (action.yml at the top of this repository), kept here so that a test can run
# it outside GitHub.  Inputs come from the environment, as action.yml passes them.
#
# install: makes the meshgate of this action's commit runnable, and checks it
#   is the version the workflow pins (MESHGATE_VERSION, optional).
#   - INPUT_IMAGE empty: builds this commit's source (the action's own folder,
#     which GitHub downloads at the commit `uses:` names) on the runner:
#     the Debian/Ubuntu build packages (scripts/install-deps.sh, through sudo
#     when not root), a Release build of the binary into
#     $RUNNER_TEMP/meshgate-build, its folder appended to $GITHUB_PATH.  A
#     build, not the release's .deb, because the .deb runs only on the Debian
#     release it was built on (libgit2's soname; docs/install.md) and GitHub's
#     runners are Ubuntu.
#   - INPUT_IMAGE set: meshgate's container image of the release (docs/install.md),
#     pulled with docker; its `--version` must be MESHGATE_VERSION too.
#   Writes `meshgate=` (the binary, or docker:IMAGE) to $GITHUB_OUTPUT.
# check: runs `meshgate check` in $GITHUB_WORKSPACE (INPUT_DIRECTORY below it
#   with -C) from INPUT_BASE (default origin/$GITHUB_BASE_REF: the checkout
#   needs fetch-depth: 0) to INPUT_HEAD (default HEAD) with annotations on
#   standard output, SARIF to INPUT_SARIF and Markdown to INPUT_MARKDOWN
#   (relative to the workspace), appends the Markdown to $GITHUB_STEP_SUMMARY
#   unless INPUT_SUMMARY is false, writes `status=`, `sarif=` and `markdown=`
#   to $GITHUB_OUTPUT, and exits with meshgate's status (0 clean, 1 findings
#   at error level, 2 usage, 3 failure).
set -eu
die() { echo "ci-action.sh: $*" >&2; exit 3; }
src=$(cd "$(dirname "$0")/.." && pwd)

# output NAME VALUE: one line of $GITHUB_OUTPUT (values never hold a newline)
output() {
	[ -n "${GITHUB_OUTPUT:-}" ] || return 0
	case $2 in *"
"*) die "the output $1 holds a newline" ;; esac
	printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
}

# relative NAME PATH: PATH stays inside the workspace (the image sees only it)
relative() {
	case $2 in
	"" | /* | ../* | */../* | .. | */..) die "$1 '$2' must be a path relative to the workspace, inside it" ;;
	*"
"*) die "$1 holds a newline" ;;
	esac
}

# the version this commit is, from its one place
version=$(sed -n 's/^project(meshgate VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || die "no project(meshgate VERSION ...) in $src/CMakeLists.txt"
wanted=${MESHGATE_VERSION:-}
image=${INPUT_IMAGE:-}

# docker_mg ARGS...: meshgate in the image, the workspace mounted at /work, as the runner's user
docker_mg() {
	docker run --rm --user "$(id -u):$(id -g)" -v "$GITHUB_WORKSPACE:/work" -w /work "$image" "$@"
}

install() {
	if [ -n "$wanted" ] && [ -z "$image" ] && [ "$wanted" != "$version" ]; then
		die "this action is meshgate $version, but MESHGATE_VERSION is $wanted: pin \`uses:\` to the commit of v$wanted"
	fi
	if [ -n "$image" ]; then
		: "${GITHUB_WORKSPACE:?ci-action.sh: GITHUB_WORKSPACE is not set}"
		command -v docker >/dev/null 2>&1 || die "the image input needs docker on the runner (a Linux runner)"
		docker pull -q "$image" >/dev/null || die "cannot pull '$image'"
		got=$(docker_mg --version | sed -n '1s/^meshgate //p')
		[ -z "$wanted" ] || [ "$got" = "$wanted" ] ||
			die "the image '$image' is meshgate '$got', not MESHGATE_VERSION $wanted"
		echo "ci-action.sh: meshgate $got from the image $image"
		output meshgate "docker:$image"
		return 0
	fi
	tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
	build=$tmp/meshgate-build
	sh "$src/scripts/install-deps.sh" || die "cannot install the build packages"
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$tmp/meshgate-configure.log" 2>&1 ||
		{ cat "$tmp/meshgate-configure.log" >&2; die "cmake configure failed"; }
	cmake --build "$build" -j "${MESHGATE_JOBS_BUILD:-$(nproc 2>/dev/null || echo 2)}" --target meshgate >"$tmp/meshgate-build.log" 2>&1 ||
		{ tail -50 "$tmp/meshgate-build.log" >&2; die "the build failed"; }
	got=$("$build/meshgate" --version | sed -n '1s/^meshgate //p')
	[ "$got" = "$version" ] || die "the built meshgate says it is '$got', not $version"
	[ -z "${GITHUB_PATH:-}" ] || printf '%s\n' "$build" >>"$GITHUB_PATH"
	echo "ci-action.sh: meshgate $got built from $src"
	output meshgate "$build/meshgate"
}

check() {
	: "${GITHUB_WORKSPACE:?ci-action.sh: GITHUB_WORKSPACE is not set}"
	base=${INPUT_BASE:-}
	if [ -z "$base" ]; then
		[ -n "${GITHUB_BASE_REF:-}" ] ||
			die "no base to compare with: not a pull_request event (GITHUB_BASE_REF is empty); set the action's base input"
		base=origin/$GITHUB_BASE_REF
	fi
	head=${INPUT_HEAD:-HEAD}
	dir=${INPUT_DIRECTORY:-.}
	sarif=${INPUT_SARIF:-meshgate.sarif}
	md=${INPUT_MARKDOWN:-meshgate.md}
	relative directory "$dir"
	relative sarif "$sarif"
	relative markdown "$md"
	case ${INPUT_SUMMARY:-true} in true | false) ;; *) die "summary must be true or false, not '${INPUT_SUMMARY}'" ;; esac
	cd "$GITHUB_WORKSPACE" # --output is relative to it, also with -C
	rm -f "$sarif" "$md"
	set -- check -C "$dir" --base "$base" --head "$head" \
		--format github --format sarif --output "$sarif" --format markdown --output "$md"
	status=0
	if [ -n "$image" ]; then
		docker_mg "$@" || status=$?
	else
		command -v meshgate >/dev/null 2>&1 || die "meshgate is not on PATH (run the install step first)"
		meshgate "$@" || status=$?
	fi
	output status "$status"
	[ ! -f "$sarif" ] || output sarif "$sarif"
	if [ -f "$md" ]; then
		output markdown "$md"
		if [ "${INPUT_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
			cat "$md" >>"$GITHUB_STEP_SUMMARY"
		fi
	fi
	case $status in
	0) echo "ci-action.sh: meshgate check passed" ;;
	1) echo "ci-action.sh: meshgate check found errors (see the annotations and the job summary)" ;;
	*) echo "ci-action.sh: meshgate check failed (exit status $status)" >&2 ;;
	esac
	return "$status"
}

case ${1:-} in
install) install ;;
check) check ;;
*) echo "usage: scripts/ci-action.sh install|check" >&2; exit 2 ;;
esac
