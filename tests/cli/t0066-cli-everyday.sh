#!/bin/sh
# Everyday command-line comforts: --quiet, --color and TERM=dumb, `meshgate
# help CMD`, did-you-mean for commands and options, --statistics, and drift
# saying "no drift".
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
quickstart_repo "$repo"
T="--today 2026-06-01"
# a catalogue with findings: two schema errors and an unexpected file
bad=$SCRATCH/bad
product "$bad/data-products-catalogue/dev/a" a-product bucket-a 111111111111
product "$bad/data-products-catalogue/dev/b" b-product bucket-b 22222222222
product "$bad/data-products-catalogue/dev/c" a-product bucket-c 333333333333
echo notes >"$bad/data-products-catalogue/dev/a/notes.txt"

begin "--quiet: findings only, no summary"
run_mg validate -C "$bad" $T
expect_status 1 "$status"
cp "$SCRATCH/out" "$SCRATCH/loud.out"
expect_grep '^meshgate: 3 errors, 1 warning in 3 products' "$SCRATCH/err"
run_mg validate -C "$bad" $T --quiet
expect_status 1 "$status"
expect_cmp "$SCRATCH/loud.out" "$SCRATCH/out"
[ -s "$SCRATCH/err" ] && not_ok "stderr: $(cat "$SCRATCH/err")" || ok
run_mg validate -C "$bad" $T -q --format json
expect_status 1 "$status"
[ -s "$SCRATCH/err" ] && not_ok "stderr with -q: $(cat "$SCRATCH/err")" || ok

begin "--quiet for apply, init and new"
run_mg apply -C "$repo" $T -q
expect_status 0 "$status"
[ -s "$SCRATCH/err" ] && not_ok "apply -q said: $(cat "$SCRATCH/err")" || ok
run_mg apply -C "$repo" $T
expect_grep '^dev: up to date at ' "$SCRATCH/err"
mkdir -p "$SCRATCH/fresh"
run_mg init -C "$SCRATCH/fresh" --quiet
expect_status 0 "$status"
[ -s "$SCRATCH/out" ] && not_ok "init -q said: $(cat "$SCRATCH/out")" || ok
[ -f "$SCRATCH/fresh/meshgate.yaml" ] && ok || not_ok "init -q wrote nothing"
run_mg new -C "$SCRATCH/fresh" -q dev/x
expect_status 0 "$status"
[ -s "$SCRATCH/out" ] && not_ok "new -q said: $(cat "$SCRATCH/out")" || ok
[ -f "$SCRATCH/fresh/data-products-catalogue/dev/x/data-product.yaml" ] && ok || not_ok "new -q wrote nothing"

esc=$(printf '\033')
begin "--color always colours the text report, also with NO_COLOR; never and auto do not off a terminal"
run_mg validate -C "$bad" $T --color always
grep -q "$esc\[" "$SCRATCH/out" && ok || not_ok "no colour with --color always"
run_mg validate -C "$bad" $T --color=never
grep -q "$esc\[" "$SCRATCH/out" && not_ok "colour with --color never" || ok
expect_cmp "$SCRATCH/loud.out" "$SCRATCH/out"
run_mg validate -C "$bad" $T --color auto
expect_cmp "$SCRATCH/loud.out" "$SCRATCH/out"
run_mg validate -C "$bad" $T --color sometimes
expect_status 2 "$status"
expect_grep "^meshgate: --color wants auto, always or never, not 'sometimes'" "$SCRATCH/err"

begin "auto on a terminal: colour, but not with NO_COLOR or TERM=dumb"
if command -v script >/dev/null 2>&1; then
	tty_run() { # ENV... : validate on a pseudo-terminal
		env "$@" script -qec "'$MESHGATE' validate -C '$bad' $T" /dev/null >"$SCRATCH/tty" 2>&1 </dev/null || :
	}
	tty_run -u NO_COLOR TERM=xterm
	grep -q "$esc\[" "$SCRATCH/tty" && ok || not_ok "no colour on a terminal"
	tty_run NO_COLOR=1 TERM=xterm
	grep -q "$esc\[" "$SCRATCH/tty" && not_ok "colour with NO_COLOR" || ok
	tty_run -u NO_COLOR TERM=dumb
	grep -q "$esc\[" "$SCRATCH/tty" && not_ok "colour with TERM=dumb" || ok
	tty_run NO_COLOR=1 TERM=dumb
	grep -q 'error' "$SCRATCH/tty" && ok || not_ok "the terminal run printed nothing: $(head -3 "$SCRATCH/tty")"
else
	echo "# no script(1): terminal cases not run" >&2
fi

begin "--statistics: counts per rule after the summary, the most frequent first"
run_mg validate -C "$bad" $T --statistics
expect_status 1 "$status"
expect_cmp "$SCRATCH/loud.out" "$SCRATCH/out"
printf 'meshgate: 3 errors, 1 warning in 3 products (9 files)\n      2  error    schema\n      1  error    duplicate-product\n      1  warning  unexpected-file\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
# the counts are the report's, row for row
sed -n 's/^[^ ]*: \(error\|warning\|note\): .* \[\([a-z-]*\)\]$/\1 \2/p' "$SCRATCH/out" | sort | uniq -c |
	awk '{print $2, $3, $1}' | sort >"$SCRATCH/counted"
sed 1d "$SCRATCH/err" | awk '{print $2, $3, $1}' | sort >"$SCRATCH/stated"
expect_cmp "$SCRATCH/counted" "$SCRATCH/stated"
run_mg validate -C "$bad" $T --statistics -q
sed 1d "$SCRATCH/want" >"$SCRATCH/want-q"
expect_cmp "$SCRATCH/want-q" "$SCRATCH/err"
run_mg check -C "$repo" --base HEAD $T --statistics
expect_status 0 "$status"
expect_grep '^meshgate: 0 errors, 0 warnings in the 0 changed products' "$SCRATCH/err"
[ "$(wc -l <"$SCRATCH/err")" -eq 1 ] && ok || not_ok "statistics without findings: $(cat "$SCRATCH/err")"

begin "meshgate help CMD is the command's -h"
for c in $("$MESHGATE" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
	"$MESHGATE" "$c" -h >"$SCRATCH/h1" 2>&1
	run_mg help "$c"
	expect_status 0 "$status"
	expect_cmp "$SCRATCH/h1" "$SCRATCH/out"
done
run_mg help
expect_status 0 "$status"
expect_grep "^  validate " "$SCRATCH/out"
run_mg help valdate
expect_status 2 "$status"
expect_grep "did you mean 'meshgate validate'" "$SCRATCH/err"

begin "did you mean: commands"
run_mg chek --base HEAD
expect_status 2 "$status"
printf "meshgate: 'chek' is not a meshgate command; see 'meshgate --help'\ndid you mean 'meshgate check'?\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg aply
expect_grep "did you mean 'meshgate apply'" "$SCRATCH/err"
run_mg frobnicate
[ "$(wc -l <"$SCRATCH/err")" -eq 1 ] && ok || not_ok "a suggestion for frobnicate: $(cat "$SCRATCH/err")"

begin "did you mean: options, the command's own and the shared ones"
run_mg validate --formt json
expect_status 2 "$status"
expect_grep "^meshgate: unknown option '--formt'; did you mean '--format'?$" "$SCRATCH/err"
run_mg validate --stagd
expect_grep "did you mean '--staged'" "$SCRATCH/err"
run_mg plan --tody 2026-01-01
expect_grep "did you mean '--today'" "$SCRATCH/err"
run_mg apply --directory=x --lock-timout 3
expect_grep "^meshgate: unknown option '--lock-timout'; did you mean '--lock-timeout'?$" "$SCRATCH/err"
run_mg validate --statistic
expect_grep "did you mean '--statistics'" "$SCRATCH/err"
run_mg validate --frob
expect_grep "^meshgate: unknown option '--frob'$" "$SCRATCH/err"
# an option of another command is not offered
run_mg explain --fix
expect_grep "^meshgate: unknown option '--fix'$" "$SCRATCH/err"

begin "drift says 'no drift' when there is none"
run_mg drift -C "$repo" $T
expect_status 0 "$status"
[ -s "$SCRATCH/out" ] && not_ok "drift printed a plan: $(cat "$SCRATCH/out")" || ok
printf 'meshgate: no drift: the backend matches the last applied commit (2 environments)\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg drift -C "$repo" $T --env prod
printf 'meshgate: no drift: the backend matches the last applied commit (1 environment)\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg drift -C "$repo" $T -q
[ -s "$SCRATCH/err" ] && not_ok "drift -q said: $(cat "$SCRATCH/err")" || ok
run_mg drift -C "$repo" $T --env staging
expect_status 3 "$status"
expect_grep "nothing has been applied to 'staging' here" "$SCRATCH/err"
# and with drift: the difference, not "no drift"
sqlite3 "$repo/.meshgate/state.db" .tables >/dev/null 2>&1 || :
finish
