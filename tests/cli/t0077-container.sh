#!/bin/sh
# The Dockerfile, checked without a container runtime: two stages on the
# same Debian 12 base; the build stage's packages are scripts/install-deps.sh's
# build list; the runtime stage installs exactly the libraries dpkg-shlibdeps
# computes for this build's binary (what the .deb Depends on), so the two
# cannot drift, and each is a package apt knows here; it runs as a non-root
# user with ENTRYPOINT meshgate; .dockerignore keeps build trees and .git out;
# the GitLab template runs the image of this version.
. "$TESTDIR/cli/lib.sh"
: "${MESHGATE_VERSION:?}"
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
df=$SRCDIR/Dockerfile
# arg NAME: the value of ARG NAME="..." in the Dockerfile (continuation lines joined), one word a line
arg() {
	sed -n "/^ARG $1=\"/,/\"\$/p" "$df" | sed 's/\\$//' | tr '\n' ' ' |
		sed "s/^ARG $1=\"//; s/\".*//" | tr -s ' \t' '\n' | sed '/^$/d' | sort
}

begin "two stages, one Debian 12 base"
grep -E '^FROM ' "$df" >"$SCRATCH/from"
printf 'FROM ${DEBIAN_IMAGE} AS build\nFROM ${DEBIAN_IMAGE} AS runtime\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/from"
expect_grep '^ARG DEBIAN_IMAGE=debian:12-slim$' "$df"
expect_grep '^COPY --from=build /out/ /$' "$df"

begin "the runtime stage: non-root, ENTRYPOINT meshgate"
# the last USER is the one the image runs as
grep '^USER ' "$df" | tail -1 >"$SCRATCH/user"
printf 'USER 10001:10001\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/user"
expect_grep 'useradd .*--uid 10001 ' "$df"
expect_grep '^ENTRYPOINT \["meshgate"\]$' "$df"
[ "$(grep -c '^ENTRYPOINT' "$df")" = 1 ] && ok || not_ok "more than one ENTRYPOINT"

begin "the build stage's packages are scripts/install-deps.sh's"
sed -n '/^packages="/,/"$/p' "$SRCDIR/scripts/install-deps.sh" | head -3 | tr '\n' ' ' |
	sed 's/^packages="//; s/".*//' | tr -s ' ' '\n' | sed '/^$/d' | sort >"$SCRATCH/want"
arg BUILD_PACKAGES >"$SCRATCH/build"
[ -s "$SCRATCH/want" ] && ok || not_ok "no package list in scripts/install-deps.sh"
expect_cmp "$SCRATCH/want" "$SCRATCH/build"

begin "the runtime libraries are the binary's computed dependencies"
. /etc/os-release 2>/dev/null || true
if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ] || ! command -v dpkg-shlibdeps >/dev/null 2>&1; then
	echo "skipped: the image's libraries are Debian 12's; this is ${PRETTY_NAME:-not Debian} (or dpkg-shlibdeps is missing)"
	exit 77
fi
"$MESHGATE" --version | grep -q '^backends: local, postgres, lakeformation\(, .*\)\{0,1\}$' ||
	{ echo "skipped: this build lacks a backend the image has (install libpq-dev: scripts/install-deps.sh)"; exit 77; }
mkdir -p "$SCRATCH/pkg/debian"
printf 'Source: meshgate\n\nPackage: meshgate\nArchitecture: any\n' >"$SCRATCH/pkg/debian/control"
(cd "$SCRATCH/pkg" && dpkg-shlibdeps -O "-e$MESHGATE" 2>"$SCRATCH/shlibdeps.err") >"$SCRATCH/shlibs" ||
	{ not_ok "dpkg-shlibdeps failed"; cat "$SCRATCH/shlibdeps.err" >&2; }
# package names only; a sanitizer build's own runtimes (libasan, libubsan) are not the image's
sed -n 's/^shlibs:Depends=//p' "$SCRATCH/shlibs" | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' |
	grep -Ev '^lib(a|ub|t|l|hwa)san[0-9]*$' | sed '/^$/d' | sort >"$SCRATCH/want"
grep -q libgit2 "$SCRATCH/want" && ok || not_ok "no libgit2 in the computed dependencies"
arg RUNTIME_LIBRARIES >"$SCRATCH/runtime"
expect_cmp "$SCRATCH/want" "$SCRATCH/runtime"

begin "every package the image installs is one apt knows here"
{ arg RUNTIME_LIBRARIES; arg RUNTIME_TOOLS; arg BUILD_PACKAGES; } | sort -u >"$SCRATCH/all"
# apt-cache policy names each package it knows with a "Candidate:" it would install
# shellcheck disable=SC2046
apt-cache policy $(cat "$SCRATCH/all") 2>/dev/null | awk '/^[^ ]/ {p=$1; sub(":$", "", p)} /Candidate: [^(]/ {print p}' |
	sort -u >"$SCRATCH/known"
expect_cmp "$SCRATCH/all" "$SCRATCH/known"
arg RUNTIME_TOOLS | grep -qx git && ok || not_ok "git is not in the runtime stage (the hook and CI jobs run it)"

begin ".dockerignore"
for p in .git 'build*/' dist/ .meshgate/; do
	grep -qxF -- "$p" "$SRCDIR/.dockerignore" && ok || not_ok ".dockerignore does not exclude $p"
done

begin "the GitLab template runs this version's image"
gl=$SRCDIR/ci/gitlab/meshgate.gitlab-ci.yml
expect_grep "^ *MESHGATE_VERSION: \"$MESHGATE_VERSION\"$" "$gl"
expect_grep "^ *MESHGATE_IMAGE: .*/meshgate:$MESHGATE_VERSION\"$" "$gl"
expect_grep 'name: \${MESHGATE_IMAGE}$' "$gl"
expect_grep 'entrypoint: \[""\]' "$gl"

finish
