#!/bin/sh
# Command setup as data: the command table says which commands take -C and
# --today, and these are declared, parsed and validated in one place.  Driven
# from `meshgate --help` and each command's -h (both printed from the table),
# so a command added later is checked too: every command whose -h lists
# --today refuses a bad date with the one message, every command whose -h
# lists -C works from another directory as it does in DIR itself, both
# options are described alike everywhere, and apply acts on the meshgate.yaml
# of the commit it applies, never on the work tree's.
. "$TESTDIR/cli/lib.sh"
"$MESHGATE" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' >"$SCRATCH/cmds"
[ "$(wc -l <"$SCRATCH/cmds")" -ge 14 ] && ok || not_ok "--help lists $(wc -l <"$SCRATCH/cmds") commands"

# two identical repositories: `cd A && meshgate C ...` against `meshgate C -C B ...` from elsewhere
A=$SCRATCH/a B=$SCRATCH/b away=$SCRATCH/away
# the same commit in both (same dates), so the outputs naming it are the same
export GIT_AUTHOR_DATE=2026-05-01T00:00:00Z GIT_COMMITTER_DATE=2026-05-01T00:00:00Z
quickstart_repo "$A"
quickstart_repo "$B"
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
mkdir -p "$away"

# what a command needs beyond the shared options to do its work (the required parts of its synopsis)
args_of() {
	case $1 in
	check) echo "--base HEAD" ;;
	hook) echo "install" ;;
	access) echo "--consumer 444455556666" ;;
	unlock) echo "--env prod" ;;
	site) echo "--out $2/site-out" ;;
	new) echo "dev/fresh" ;;
	explain) echo "--list" ;;
	schema) echo "--list" ;;
	*) echo "" ;;
	esac
}

ntoday=0 ndir=0
: >"$SCRATCH/today-help"
: >"$SCRATCH/dir-help"
while read -r c; do
	"$MESHGATE" "$c" -h >"$SCRATCH/help" 2>&1
	if grep -q -- '--today YYYY-MM-DD' "$SCRATCH/help"; then
		begin "$c --today 2026-02-30"
		ntoday=$((ntoday + 1))
		grep -- '^  *--today YYYY-MM-DD ' "$SCRATCH/help" >>"$SCRATCH/today-help"
		# shellcheck disable=SC2046
		(cd "$A" && "$MESHGATE" "$c" --today 2026-02-30 $(args_of "$c" "$SCRATCH")) >"$SCRATCH/out" 2>"$SCRATCH/err" && status=0 || status=$?
		expect_status 2 "$status"
		printf "meshgate: --today wants a date as YYYY-MM-DD, not '2026-02-30'\n" >"$SCRATCH/want"
		head -1 "$SCRATCH/err" >"$SCRATCH/got"
		expect_cmp "$SCRATCH/want" "$SCRATCH/got"
		[ -s "$SCRATCH/out" ] && not_ok "wrote to standard output" || ok
	fi
	if grep -q -- '-C, --directory DIR' "$SCRATCH/help"; then
		begin "$c -C DIR"
		ndir=$((ndir + 1))
		grep -- '^  -C, --directory DIR ' "$SCRATCH/help" >>"$SCRATCH/dir-help"
		T=
		grep -q -- '--today' "$SCRATCH/help" && T="--today 2026-06-01"
		# shellcheck disable=SC2046
		(cd "$A" && "$MESHGATE" "$c" $T $(args_of "$c" "$SCRATCH/ra")) >"$SCRATCH/out-a" 2>"$SCRATCH/err-a" && sa=0 || sa=$?
		# shellcheck disable=SC2046
		(cd "$away" && "$MESHGATE" "$c" -C "$B" $T $(args_of "$c" "$SCRATCH/rb")) >"$SCRATCH/out-b" 2>"$SCRATCH/err-b" && sb=0 || sb=$?
		expect_status "$sa" "$sb"
		[ "$sa" -ne 2 ] && ok || not_ok "exit status 2 (a usage error) in DIR itself: $(head -1 "$SCRATCH/err-a")"
		for s in out err; do
			sed -e "s|$A/||g; s|$A|.|g; s|$SCRATCH/ra|OUT|g; s|^\./||; s| \./| |g; s|'\./|'|g" "$SCRATCH/$s-a" >"$SCRATCH/$s-a.n"
			sed -e "s|$B/||g; s|$B|.|g; s|$SCRATCH/rb|OUT|g; s|^\./||; s| \./| |g; s|'\./|'|g" "$SCRATCH/$s-b" >"$SCRATCH/$s-b.n"
			expect_cmp "$SCRATCH/$s-a.n" "$SCRATCH/$s-b.n"
		done
		# nothing is written where it was started from
		[ -z "$(ls -A "$away")" ] && ok || not_ok "wrote $(ls -A "$away") in the directory it was started from"
	fi
done <"$SCRATCH/cmds"

begin "the table has commands of both kinds"
[ "$ntoday" -ge 7 ] && ok || not_ok "only $ntoday commands take --today"
[ "$ndir" -ge 11 ] && ok || not_ok "only $ndir commands take -C"

begin "each shared option is described once, alike everywhere"
[ "$(sort -u "$SCRATCH/today-help" | wc -l)" -eq 1 ] && ok || { not_ok "--today is described differently:"; sort -u "$SCRATCH/today-help" >&2; }
[ "$(sort -u "$SCRATCH/dir-help" | wc -l)" -eq 1 ] && ok || { not_ok "-C is described differently:"; sort -u "$SCRATCH/dir-help" >&2; }

begin "a command the table does not give -C refuses it"
run_mg explain -C "$A" --list
expect_status 2 "$status"
expect_grep "unknown option '-C'" "$SCRATCH/err"

begin "apply acts on the meshgate.yaml of the commit it applies, not the work tree's"
C=$SCRATCH/c
quickstart_repo "$C"
# the work tree's (uncommitted) meshgate.yaml names another state directory and protected branch
sed -i 's/^protected-branch: .*/protected-branch: release/' "$C/meshgate.yaml"
printf 'state-dir: .elsewhere\n' >>"$C/meshgate.yaml"
grep -q '^protected-branch: release' "$C/meshgate.yaml" && ok || not_ok "the example has no protected-branch line"
run_mg apply -C "$C" --today 2026-06-01
expect_status 0 "$status"
[ -d "$C/.meshgate" ] && [ ! -e "$C/.elsewhere" ] && ok || not_ok "apply used the work tree's state-dir"
# plan reads the work tree's (it is marked so): no state in .elsewhere yet, so it plans a first run
run_mg plan -C "$C" --today 2026-06-01 --env prod
expect_status 0 "$status"
expect_grep '^+ prod/' "$SCRATCH/out"
git -C "$C" checkout -q meshgate.yaml
run_mg plan -C "$C" --today 2026-06-01 --env prod
expect_status 0 "$status"
[ ! -s "$SCRATCH/out" ] || ! grep -q '^+ prod/' "$SCRATCH/out" && ok || not_ok "plan after apply still grants"
finish
