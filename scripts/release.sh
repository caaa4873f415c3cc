#!/bin/sh
# release.sh [--dry-run] VERSION - the release recipe.
#
# From a clean work tree at the commit to release:
#   1. checks that VERSION is project(meshgate VERSION ...) in CMakeLists.txt,
#      that CHANGELOG.md has a "## [VERSION] - YYYY-MM-DD" section, that the CI
#      templates pin MESHGATE_VERSION to it, and that the tag vVERSION does
#      not exist yet;
#   2. builds the artefacts into dist/ from the commit, not the work tree:
#        meshgate-VERSION.tar.gz       git archive of HEAD (prefix meshgate-VERSION/)
#        meshgate_VERSION-1_ARCH.deb   cpack -G DEB, built from that tarball
#        SHA256SUMS                    sha256sum of both (check with sha256sum -c)
#      with SOURCE_DATE_EPOCH set to the commit's time, so the man pages'
#      date is the commit's;
#   3. creates the annotated tag vVERSION on HEAD, its message the version's
#      CHANGELOG section.  --dry-run does everything but this.
# Nothing is pushed: the script ends by printing the commands to publish.
# MESHGATE_JOBS_BUILD sets the build's parallelism (default 2).
set -eu
usage() { echo "usage: scripts/release.sh [--dry-run] VERSION" >&2; exit 2; }
die() { echo "release.sh: $*" >&2; exit 1; }

dry_run=0 version=""
for a in "$@"; do
	case $a in
	--dry-run) dry_run=1 ;;
	-h | --help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) usage ;;
	*) [ -z "$version" ] || usage; version=$a ;;
	esac
done
[ -n "$version" ] || usage
echo "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || die "'$version' is not a version like 1.2.3"

top=$(git rev-parse --show-toplevel 2>/dev/null) || die "not in a git repository"
cd "$top"
[ -f CMakeLists.txt ] && [ -f CHANGELOG.md ] || die "'$top' is not meshgate's source tree"

# 1. the version, from its one place
cmake_version=$(sed -n 's/^project(meshgate VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$cmake_version" ] || die "no project(meshgate VERSION ...) in CMakeLists.txt"
[ "$cmake_version" = "$version" ] ||
	die "VERSION $version does not match project(meshgate VERSION $cmake_version) in CMakeLists.txt"
grep -Eq "^## \[$(echo "$version" | sed 's/\./\\./g')\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md ||
	die "CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section (move the Unreleased entries into one)"
# the CI templates run the image of this version (tests/cli/t0077, t0078 check them too)
for t in ci/github/meshgate-check.yml ci/gitlab/meshgate.gitlab-ci.yml ci/github/meshgate-pages.yml \
	ci/github/meshgate-apply.yml ci/gitlab/meshgate-apply.gitlab-ci.yml \
	ci/gitlab/meshgate-pages.gitlab-ci.yml; do
	grep -Eq "^ *MESHGATE_VERSION: \"$version\"\$" "$t" ||
		die "$t does not pin MESHGATE_VERSION \"$version\" (set it, and MESHGATE_IMAGE's tag)"
done
grep -Eq "^ *uses: [A-Za-z0-9_.-]+/meshgate@v$(echo "$version" | sed 's/\./\\./g')( |\$)" ci/github/meshgate-check.yml ||
	die "ci/github/meshgate-check.yml does not use meshgate's action at v$version"
tag=v$version
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then die "the tag $tag exists already"; fi
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "the work tree has uncommitted changes; a release is built from a commit"
for t in cmake cpack dpkg-shlibdeps sha256sum; do
	command -v $t >/dev/null 2>&1 || die "$t not found (scripts/install-deps.sh installs the build tools)"
done

commit=$(git rev-parse HEAD)
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD)
export SOURCE_DATE_EPOCH
dist=$top/dist
work=$(mktemp -d "${TMPDIR:-/tmp}/meshgate-release.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
rm -rf "$dist"
mkdir -p "$dist"

# 2. the artefacts
src_tgz=meshgate-$version.tar.gz
git archive --format=tar.gz --prefix="meshgate-$version/" -o "$dist/$src_tgz" "$commit"
echo "release.sh: $src_tgz from $commit"
tar -xzf "$dist/$src_tgz" -C "$work"
cmake -S "$work/meshgate-$version" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_INSTALL_PREFIX=/usr >"$work/configure.log" 2>&1 ||
	{ cat "$work/configure.log" >&2; die "cmake configure failed"; }
cmake --build "$work/build" -j "${MESHGATE_JOBS_BUILD:-2}" --target meshgate meshgate_man >"$work/build.log" 2>&1 ||
	{ tail -50 "$work/build.log" >&2; die "the build failed"; }
built=$("$work/build/meshgate" --version | sed -n '1s/^meshgate //p')
[ "$built" = "$version" ] || die "the built meshgate says it is '$built', not $version"
(cd "$work/build" && cpack -G DEB -B "$work/pkg") >"$work/cpack.log" 2>&1 ||
	{ cat "$work/cpack.log" >&2; die "cpack failed"; }
set -- "$work"/pkg/meshgate_"$version"-*.deb
[ -f "$1" ] || die "cpack made no meshgate_$version-*.deb"
cp "$1" "$dist/"
deb=$(basename "$1")
echo "release.sh: $deb"
(cd "$dist" && sha256sum "$src_tgz" "$deb" >SHA256SUMS)
echo "release.sh: SHA256SUMS"

# 3. the tag
notes=$work/notes
{
	echo "meshgate $version"
	echo
	awk -v v="## [$version]" 'index($0, v) == 1 {on=1; next} on && /^## \[/ {exit} on {print}' CHANGELOG.md
} >"$notes"
if [ "$dry_run" = 1 ]; then
	echo "release.sh: dry run: the artefacts are in dist/; the tag $tag was not made"
	exit 0
fi
git tag -a -F "$notes" "$tag" "$commit"
echo "release.sh: tagged $tag ($commit)"
echo "publish with: git push origin $tag, then attach dist/* to the release"
