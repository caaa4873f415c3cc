#!/bin/sh
# scripts/release.sh in a scratch repository holding this source tree: it
# refuses a VERSION that is not the CMake project version or has no CHANGELOG
# section, CI templates pinned to another version, and a dirty tree; --dry-run builds dist/ (the git-archive tarball
# of HEAD, the .deb, SHA256SUMS that check) and makes no tag; a real run makes
# the annotated tag vVERSION with the CHANGELOG section as its message.
. "$TESTDIR/cli/lib.sh"
: "${MESHGATE_VERSION:?}"
for t in git cmake cpack dpkg-deb dpkg-shlibdeps sha256sum; do
	command -v $t >/dev/null 2>&1 || { echo "skipped: $t not installed (scripts/install-deps.sh --test)"; exit 77; }
done
git_user
src=${SRCDIR:-$TESTDIR/..}
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || { echo "skipped: $src is not a git work tree"; exit 77; }
v=$MESHGATE_VERSION

# the tracked (and new, not ignored) files as they are in the work tree, committed in a scratch repository
repo=$SCRATCH/meshgate
mkdir -p "$repo"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp -P --parents -t "$repo" 2>/dev/null)
git init -q "$repo" && git -C "$repo" add -A && git -C "$repo" commit -q -m "meshgate $v" || exit 1
head=$(git -C "$repo" rev-parse HEAD)

# release ARGS...: status in $status, output in $SCRATCH/out
release() {
	status=0
	(cd "$repo" && timeout 900 sh scripts/release.sh "$@") >"$SCRATCH/out" 2>&1 || status=$?
}

begin "a VERSION that is not the project version"
release --dry-run 9.8.7
expect_status 1 "$status"
expect_grep "^release.sh: VERSION 9.8.7 does not match project(meshgate VERSION $v) in CMakeLists.txt$" "$SCRATCH/out"
release --dry-run 1.2
expect_status 1 "$status"
expect_grep "'1.2' is not a version like 1.2.3" "$SCRATCH/out"
release
expect_status 2 "$status"

begin "a project version without a CHANGELOG section"
sed -i "s/^project(meshgate VERSION $v /project(meshgate VERSION 9.8.7 /" "$repo/CMakeLists.txt"
git -C "$repo" commit -q -a -m "9.8.7"
release --dry-run 9.8.7
expect_status 1 "$status"
expect_grep "CHANGELOG.md has no '## \[9.8.7\] - YYYY-MM-DD' section" "$SCRATCH/out"
git -C "$repo" reset -q --hard "$head"

begin "CI templates that pin another version"
sed -i 's/^  MESHGATE_VERSION: .*/  MESHGATE_VERSION: "0.0.1"/' "$repo/ci/github/meshgate-check.yml"
git -C "$repo" commit -q -a -m "0.0.1 in a template"
release --dry-run "$v"
expect_status 1 "$status"
expect_grep "ci/github/meshgate-check.yml does not pin MESHGATE_VERSION \"$v\"" "$SCRATCH/out"
git -C "$repo" reset -q --hard "$head"

begin "a dirty work tree"
printf '\n' >>"$repo/README.md"
release --dry-run "$v"
expect_status 1 "$status"
expect_grep "uncommitted changes" "$SCRATCH/out"
git -C "$repo" checkout -q README.md
[ -d "$repo/dist" ] && not_ok "dist/ made before the checks passed" || ok

begin "--dry-run: the artefacts, no tag"
release --dry-run "$v"
expect_status 0 "$status"
[ "$status" = 0 ] || cat "$SCRATCH/out" >&2
dist=$repo/dist
arch=$(dpkg --print-architecture)
ls "$dist" >"$SCRATCH/files"
printf '%s\n' SHA256SUMS "meshgate-$v.tar.gz" "meshgate_$v-1_$arch.deb" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/files"
# the checksums check, and name both artefacts
(cd "$dist" && sha256sum -c SHA256SUMS) >"$SCRATCH/sums" 2>&1 && ok || { not_ok "sha256sum -c failed"; cat "$SCRATCH/sums" >&2; }
printf '%s: OK\n' "meshgate-$v.tar.gz" "meshgate_$v-1_$arch.deb" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/sums"
# computed here independently: sha256sum's two-space format
(cd "$dist" && sha256sum "meshgate-$v.tar.gz" "meshgate_$v-1_$arch.deb") >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$dist/SHA256SUMS"
# the tarball is HEAD under meshgate-VERSION/, every tracked file and nothing else
tar -tzf "$dist/meshgate-$v.tar.gz" | grep -v '/$' | sort >"$SCRATCH/tar"
git -C "$repo" ls-files | sed "s|^|meshgate-$v/|" | sort >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/tar"
git -C "$repo" archive --format=tar.gz --prefix="meshgate-$v/" -o "$SCRATCH/again.tar.gz" HEAD
cmp -s "$SCRATCH/again.tar.gz" "$dist/meshgate-$v.tar.gz" && ok || not_ok "the tarball is not git archive of HEAD"
# the .deb: its version, and its binary's
dpkg-deb -f "$dist/meshgate_$v-1_$arch.deb" Package Version >"$SCRATCH/control"
printf 'Package: meshgate\nVersion: %s-1\n' "$v" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/control"
dpkg-deb -x "$dist/meshgate_$v-1_$arch.deb" "$SCRATCH/root"
"$SCRATCH/root/usr/bin/meshgate" --version 2>&1 | head -1 >"$SCRATCH/ver"
printf 'meshgate %s\n' "$v" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/ver"
git -C "$repo" tag >"$SCRATCH/tags"
[ -s "$SCRATCH/tags" ] && not_ok "a dry run made a tag: $(cat "$SCRATCH/tags")" || ok
expect_grep "the tag v$v was not made" "$SCRATCH/out"

begin "a release: the annotated tag on HEAD, the CHANGELOG section its message"
[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ] && not_ok "the dry run changed tracked files" || ok
release "$v"
expect_status 0 "$status"
[ "$(git -C "$repo" cat-file -t "v$v" 2>/dev/null)" = tag ] && ok || not_ok "v$v is not an annotated tag"
[ "$(git -C "$repo" rev-parse "v$v^{commit}" 2>/dev/null)" = "$head" ] && ok || not_ok "v$v is not HEAD"
git -C "$repo" tag -l --format='%(contents)' "v$v" >"$SCRATCH/msg"
expect_grep "^meshgate $v$" "$SCRATCH/msg"
awk -v s="## [$v]" 'index($0, s) == 1 {on=1; next} on && /^## \[/ {exit} on && NF {print; exit}' "$repo/CHANGELOG.md" >"$SCRATCH/first"
expect_grep "^$(sed 's/[][\.*^$]/\\&/g' "$SCRATCH/first")$" "$SCRATCH/msg"
(cd "$repo/dist" && sha256sum -c --quiet SHA256SUMS) && ok || not_ok "the release's checksums"
release "$v"
expect_status 1 "$status"
expect_grep "the tag v$v exists already" "$SCRATCH/out"

finish
