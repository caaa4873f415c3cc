#!/bin/sh
# The CLI's surface cannot drift from what describes it: each command's usage
# line (-h) is its line in docs/meshgate.md's SYNOPSIS, every option -h lists
# is in that line, and the bash, zsh and fish completions offer every command
# of --help and every long option of each command's -h.
. "$TESTDIR/cli/lib.sh"
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
comp=$SRCDIR/completions
sed -n '/^## SYNOPSIS/,/^## /p' "$SRCDIR/docs/meshgate.md" >"$SCRATCH/synopsis"
"$MESHGATE" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' >"$SCRATCH/cmds"
[ "$(wc -l <"$SCRATCH/cmds")" -ge 14 ] && ok || not_ok "--help lists $(wc -l <"$SCRATCH/cmds") commands"

while read -r c; do
	begin "$c"
	"$MESHGATE" "$c" -h >"$SCRATCH/help" 2>&1
	sed -n '1s/^usage: //p' "$SCRATCH/help" >"$SCRATCH/usage"
	if grep -qxF -- "$(cat "$SCRATCH/usage")" "$SCRATCH/synopsis"; then ok; else
		not_ok "usage '$(cat "$SCRATCH/usage")' is not a SYNOPSIS line of docs/meshgate.md"; fi
	grep -o -- '--[a-z][a-z-]*' "$SCRATCH/help" | grep -vx -- '--help' | sort -u >"$SCRATCH/opts"
	# an option of -h missing from the usage line (-C DIR stands for --directory)
	while read -r o; do
		[ "$o" = --directory ] && u="-C DIR" || u=$o
		grep -qF -- "$u" "$SCRATCH/usage" && ok || not_ok "$o is not in the synopsis '$(cat "$SCRATCH/usage")'"
	done <"$SCRATCH/opts"
	# bash: the command's case branch names each option
	grep -E "^[[:space:]]*$c\) opts=" "$comp/meshgate.bash" >"$SCRATCH/bash" || not_ok "bash has no branch for $c"
	# zsh: the command's case branch, up to its ';;'
	awk -v c="$c" '$0 ~ "^"c"\\) " {on=1} on {print} on && /;;/ {exit}' "$comp/_meshgate" >"$SCRATCH/zsh"
	[ -s "$SCRATCH/zsh" ] && ok || not_ok "zsh has no branch for $c"
	# and the arrays it names ($common, $quiet, $report: options several commands share), resolved
	for v in $(grep -o '\$[a-z]*' "$SCRATCH/zsh" | sort -u | tr -d '$'); do
		grep -E "^$v=\(" "$comp/_meshgate" >>"$SCRATCH/zsh"
	done
	# fish: the lines whose condition names the command
	grep -E "__fish_seen_subcommand_from ([a-z-]+ )*$c( |\")" "$comp/meshgate.fish" >"$SCRATCH/fish"
	while read -r o; do
		grep -qE -- "(^| |\")$o( |\"|$)" "$SCRATCH/bash" && ok || not_ok "bash does not offer $c $o"
		if grep -qF -- "$o[" "$SCRATCH/zsh" || grep -qF -- "$o}" "$SCRATCH/zsh"; then ok; else
			not_ok "zsh does not offer $c $o"; fi
		grep -qE -- "-l ${o#--}( |$)" "$SCRATCH/fish" && ok || not_ok "fish does not offer $c $o"
	done <"$SCRATCH/opts"
	# and the command itself is offered at the first word
	grep -qE "^[[:space:]]*local commands=\"([a-z]+ )*$c( |\")" "$comp/meshgate.bash" && ok || not_ok "bash does not offer $c"
	grep -qE "^[[:space:]]*'$c:" "$comp/_meshgate" && ok || not_ok "zsh does not offer $c"
	grep -qE "^set -l commands ([a-z]+ )*$c( |$)" "$comp/meshgate.fish" && grep -qE -- "-a $c -d" "$comp/meshgate.fish" && ok ||
		not_ok "fish does not offer $c"
done <"$SCRATCH/cmds"

begin "every SYNOPSIS line is a command's usage"
while read -r c; do "$MESHGATE" "$c" -h | sed -n '1s/^usage: //p'; done <"$SCRATCH/cmds" >"$SCRATCH/usages"
grep '^meshgate ' "$SCRATCH/synopsis" | sed 's/ *#.*//' | grep -vxE 'meshgate (--version|--help|help COMMAND)' >"$SCRATCH/lines"
while read -r line; do
	grep -qxF -- "$line" "$SCRATCH/usages" && ok || not_ok "SYNOPSIS line '$line' is no command's usage"
done <"$SCRATCH/lines"
[ "$(wc -l <"$SCRATCH/lines")" -eq "$(wc -l <"$SCRATCH/cmds")" ] && ok || not_ok "the SYNOPSIS has $(wc -l <"$SCRATCH/lines") command lines for $(wc -l <"$SCRATCH/cmds") commands"

begin "every option of each -h is described in its command's section (or among the shared options)"
sed -n '/^### Options every command shares/,/^##* /p' "$SRCDIR/docs/meshgate.md" >"$SCRATCH/shared"
while read -r c; do
	awk -v c="$c" '/^##/ {on = ($0 ~ "^### meshgate "c"([ ,]|$)") || ($0 ~ ", meshgate "c"( |,|$)")} on' \
		"$SRCDIR/docs/meshgate.md" >"$SCRATCH/section"
	[ -s "$SCRATCH/section" ] || not_ok "docs/meshgate.md has no section '### meshgate $c'"
	"$MESHGATE" "$c" -h | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\} *\(--[a-z][a-z-]*\).*/\2/p' | grep -vx -- --help >"$SCRATCH/opts"
	while read -r o; do
		[ "$o" = --directory ] && o="-C"
		if grep -qE -- "(\`|\(| )$o( |\`|,|\)|=)" "$SCRATCH/section" || grep -qE -- "(\`|, )$o( |\`)" "$SCRATCH/shared"; then ok
		else not_ok "$c $o is described neither in '### meshgate $c' nor among the shared options"; fi
	done <"$SCRATCH/opts"
done <"$SCRATCH/cmds"

begin "validate's formats are the manual's"
"$MESHGATE" validate -h | sed -n 's/^  -f, --format FORMAT *//p' | tr -c 'a-z\n' ' ' | tr ' ' '\n' |
	grep -vxE '|default|or' | sort >"$SCRATCH/formats"
[ "$(wc -l <"$SCRATCH/formats")" -ge 7 ] && ok || not_ok "validate -h lists $(wc -l <"$SCRATCH/formats") formats"
grep -E '^\| `-f, --format FORMAT`' "$SRCDIR/docs/meshgate.md" | head -1 | grep -o '`[a-z]*`' | tr -d '`' | sort >"$SCRATCH/doc-formats"
expect_cmp "$SCRATCH/formats" "$SCRATCH/doc-formats"

begin "the check can fail"
printf '  bogus    x\n' | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | grep -qx bogus && ok || not_ok "the command list parser"
if grep -qE "^[[:space:]]*bogus\) opts=" "$comp/meshgate.bash"; then not_ok "bash has a bogus branch"; else ok; fi
finish
