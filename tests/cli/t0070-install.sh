#!/bin/sh
# cmake --install into a scratch prefix: the binary, both man pages (built from
# docs/, rendered by man), the schemas (also the --format json report's), the hook and the completions land under
# the GNUInstallDirs paths, and the installed binary works on its own.
. "$TESTDIR/cli/lib.sh"
: "${BUILDDIR:?}" "${MESHGATE_VERSION:?}"
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
prefix=$SCRATCH/prefix

begin "cmake --install"
if cmake --install "$BUILDDIR" --prefix "$prefix" >"$SCRATCH/install.log" 2>&1; then ok; else
	not_ok "cmake --install failed"; cat "$SCRATCH/install.log" >&2; fi

begin "installed files"
for f in bin/meshgate share/man/man1/meshgate.1.gz share/man/man5/meshgate.yaml.5.gz \
	share/meshgate/schemas/data-product.schema.json \
	share/meshgate/schemas/data-product-producer-info.schema.json \
	share/meshgate/schemas/data-product-outputs.schema.json \
	share/meshgate/schemas/data-product-visibility.schema.json \
	share/meshgate/schemas/data-product-consumers.schema.json \
	share/meshgate/schemas/data-product-inputs.schema.json \
	share/meshgate/schemas/meshgate.schema.json \
	share/meshgate/schemas/report.schema.json \
	share/meshgate/hooks/pre-commit \
	share/bash-completion/completions/meshgate share/zsh/site-functions/_meshgate \
	share/fish/vendor_completions.d/meshgate.fish \
	share/doc/meshgate/LICENSE share/doc/meshgate/CHANGELOG.md; do
	if [ -f "$prefix/$f" ]; then ok; else not_ok "$f not installed"; fi
done
# the schemas installed are the ones the build embeds and the docs describe, byte for byte
for f in "$SRCDIR"/rules/*.schema.json "$SRCDIR/docs/report.schema.json"; do
	if cmp -s "$f" "$prefix/share/meshgate/schemas/${f##*/}"; then ok; else not_ok "${f##*/} differs from its source"; fi
done
if [ -x "$prefix/bin/meshgate" ] && [ -x "$prefix/share/meshgate/hooks/pre-commit" ]; then ok; else
	not_ok "binary or hook not executable"; fi

begin "the installed binary"
"$prefix/bin/meshgate" --version >"$SCRATCH/out" 2>&1
# the version from project(VERSION), then what the build drives, as the built binary says
expect_grep "^meshgate $MESHGATE_VERSION\$" "$SCRATCH/out"
"$MESHGATE" --version >"$SCRATCH/want" 2>&1
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
cp -r "$SRCDIR/examples/quickstart" "$SCRATCH/qs"
status=0
(cd "$SCRATCH/qs" && "$prefix/bin/meshgate" validate --today 2026-06-01) >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
expect_grep "0 errors, 0 warnings in 3 products" "$SCRATCH/err"

begin "man pages from the docs"
# groff's own checks: no warning for any page (-ww), then man renders it
for page in man1/meshgate.1 man5/meshgate.yaml.5; do
	if gzip -dc "$prefix/share/man/$page.gz" | groff -man -ww -z 2>"$SCRATCH/groff"; then
		if [ -s "$SCRATCH/groff" ]; then not_ok "groff warns on $page"; cat "$SCRATCH/groff" >&2; else ok; fi
	else not_ok "groff fails on $page"; fi
done
MANPATH=$prefix/share/man MANWIDTH=100 man meshgate 2>"$SCRATCH/err" | col -bx >"$SCRATCH/man1" || true
expect_grep "^MESHGATE(1) *meshgate manual" "$SCRATCH/man1"
expect_grep "^NAME" "$SCRATCH/man1"
expect_grep "meshgate - validate and apply" "$SCRATCH/man1"
expect_grep "meshgate $MESHGATE_VERSION" "$SCRATCH/man1"
# every command of the binary is in the manual's synopsis
"$prefix/bin/meshgate" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' >"$SCRATCH/cmds"
[ -s "$SCRATCH/cmds" ] && ok || not_ok "no command listed by --help"
while read -r c; do
	expect_grep "^ *meshgate $c" "$SCRATCH/man1"
done <"$SCRATCH/cmds"
MANPATH=$prefix/share/man MANWIDTH=100 man 5 meshgate.yaml 2>/dev/null | col -bx >"$SCRATCH/man5" || true
expect_grep "^MESHGATE.YAML(5)" "$SCRATCH/man5"
expect_grep "protected-branch" "$SCRATCH/man5"
man -l "$prefix/share/man/man1/meshgate.1.gz" >/dev/null 2>&1 && ok || not_ok "man -l fails"

begin "bash completion"
if command -v bash >/dev/null 2>&1; then
	cat >"$SCRATCH/comp.bash" <<SH
. "$prefix/share/bash-completion/completions/meshgate"
COMP_WORDS=(meshgate va); COMP_CWORD=1; _meshgate; echo "\${COMPREPLY[*]}"
COMP_WORDS=(meshgate validate --stag); COMP_CWORD=2; _meshgate; echo "\${COMPREPLY[*]}"
COMP_WORDS=(meshgate check --format s); COMP_CWORD=3; _meshgate; echo "\${COMPREPLY[*]}"
COMP_WORDS=(meshgate schema data-product-o); COMP_CWORD=2; _meshgate; echo "\${COMPREPLY[*]}"
SH
	bash "$SCRATCH/comp.bash" >"$SCRATCH/out" 2>&1
	printf '%s\n' validate --staged sarif data-product-outputs >"$SCRATCH/want"
	expect_cmp "$SCRATCH/want" "$SCRATCH/out"
fi
for sh in zsh fish; do
	if command -v $sh >/dev/null 2>&1; then
		f=$prefix/share/zsh/site-functions/_meshgate
		[ $sh = fish ] && f=$prefix/share/fish/vendor_completions.d/meshgate.fish
		$sh -n "$f" && ok || not_ok "$sh -n $f"
	fi
done
finish
