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

begin "the check can fail"
printf '  bogus    x\n' | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | grep -qx bogus && ok || not_ok "the command list parser"
if grep -qE "^[[:space:]]*bogus\) opts=" "$comp/meshgate.bash"; then not_ok "bash has a bogus branch"; else ok; fi
finish
