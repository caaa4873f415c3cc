#!/bin/sh
# CPack's .deb: built from this build directory, its control fields carry the
# project version and the runtime Depends dpkg-shlibdeps computed (each one
# installed on this Debian, so the package installs cleanly here), and unpacked
# into a scratch root its binary runs and validates the example catalogue.
. "$TESTDIR/cli/lib.sh"
: "${BUILDDIR:?}" "${MESHGATE_VERSION:?}"
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
for t in cpack dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null 2>&1 || { echo "skipped: $t not installed (scripts/install-deps.sh --test)"; exit 77; }
done

begin "cpack -G DEB"
if cpack -G DEB --config "$BUILDDIR/CPackConfig.cmake" -B "$SCRATCH/pkg" >"$SCRATCH/cpack.log" 2>&1; then ok; else
	not_ok "cpack failed"; cat "$SCRATCH/cpack.log" >&2; finish; fi
deb=$(ls "$SCRATCH"/pkg/meshgate_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && ok || { not_ok "no .deb in $SCRATCH/pkg"; ls -l "$SCRATCH/pkg" >&2; finish; }

begin "control fields"
arch=$(dpkg --print-architecture)
expect_grep "meshgate_${MESHGATE_VERSION}-1_${arch}.deb" "$(printf '%s\n' "$deb" >"$SCRATCH/name"; echo "$SCRATCH/name")"
dpkg-deb -f "$deb" Package Version Depends >"$SCRATCH/control"
expect_grep "^Package: meshgate$" "$SCRATCH/control"
expect_grep "^Version: ${MESHGATE_VERSION}-1$" "$SCRATCH/control"
for lib in libc6 libgit2 libyaml libcjson libcurl libsqlite3; do
	expect_grep "^Depends:.*$lib" "$SCRATCH/control"
done
# every dependency (first of each alternative) is an installed package here
sed -n 's/^Depends: //p' "$SCRATCH/control" | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' >"$SCRATCH/deps"
while read -r p; do
	[ -z "$p" ] && continue
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then ok; else
		not_ok "dependency $p is not an installed package"; fi
done <"$SCRATCH/deps"

begin "contents"
dpkg-deb -c "$deb" | awk '{print $NF}' >"$SCRATCH/files"
for f in ./usr/bin/meshgate ./usr/share/man/man1/meshgate.1.gz ./usr/share/man/man5/meshgate.yaml.5.gz \
	./usr/share/meshgate/schemas/data-product.schema.json ./usr/share/bash-completion/completions/meshgate \
	./usr/share/fish/vendor_completions.d/meshgate.fish; do
	expect_grep "^$f$" "$SCRATCH/files"
done

begin "installed into a scratch root"
root=$SCRATCH/root
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/meshgate" --version >"$SCRATCH/out" 2>&1
# the version from project(VERSION), then what the build drives, as the built binary says
expect_grep "^meshgate $MESHGATE_VERSION\$" "$SCRATCH/out"
"$MESHGATE" --version >"$SCRATCH/want" 2>&1
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
cp -r "$SRCDIR/examples/quickstart" "$SCRATCH/qs"
status=0
(cd "$SCRATCH/qs" && "$root/usr/bin/meshgate" validate --today 2026-06-01) >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
expect_grep "0 errors, 0 warnings in 3 products" "$SCRATCH/err"
MANWIDTH=100 man -l "$root/usr/share/man/man1/meshgate.1.gz" 2>/dev/null | col -bx >"$SCRATCH/man" || true
expect_grep "meshgate - validate and apply" "$SCRATCH/man"
finish
