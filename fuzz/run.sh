#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and
# runs each for a fixed time on a scratch copy of its committed corpus.
#
#   sh fuzz/run.sh [seconds-per-target [target...]]     (default 30 s, all targets)
#
# Environment:
#   FUZZ_RUNS=N      also stop a target after N executions (-runs=N)
#   FUZZ_BUILD=dir   build directory (default build-fuzz)
#   FUZZ_NICE=n      niceness of the fuzzers (default 10)
#   CC               the clang to use (default clang)
#
# New inputs go to $FUZZ_BUILD/corpus-run/<target>/, never into fuzz/corpus/;
# crashes, leaks, timeouts and OOMs to $FUZZ_BUILD/artifacts/<target>/.  Logs
# and a figures table (summary.md) are in $FUZZ_BUILD/logs/.  Exits 1 when any
# target failed, after running all of them.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-30}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD:-build-fuzz}
niceness=${FUZZ_NICE:-10}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== fuzz build ($build) =="
CC=${CC:-clang} cmake -S . -B "$build" -DMESHGATE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(cd fuzz/corpus && ls -d fuzz_*)
fi
built=""
for t in $targets; do
	if cmake --build "$build" -j"$jobs" --target "$t" >"$build/build-$t.log" 2>&1; then
		built="$built $t"
	elif grep -qE "No rule to make target '$t'|unknown target '$t'" "$build/build-$t.log"; then
		# a corpus whose code is not in this tree (fuzz/entries.cmake)
		echo "skip $t: not a target of this tree"
	else
		cat "$build/build-$t.log"
		echo "cannot build $t" >&2
		exit 1
	fi
done

dict_for() {
	case "$1" in
	fuzz_json) cat fuzz/json.dict ;;
	fuzz_yaml) cat fuzz/yaml.dict ;;
	fuzz_regex) cat fuzz/regex.dict ;;
	fuzz_git_index) cat fuzz/git-index.dict ;;
	fuzz_pg_error|fuzz_pg_dsn) cat fuzz/postgres.dict ;;
	fuzz_aws_*) cat fuzz/aws.dict ;;
	fuzz_lf_answer) cat fuzz/json.dict; printf '%s\n' '"Failures"' '"RequestEntry"' '"Id"' '"e0"' '"Error"' \
		'"ErrorCode"' '"PrincipalResourcePermissions"' '"Resource"' '"TableWithColumns"' '"ColumnWildcard"' \
		'"ExcludedColumnNames"' '"ColumnNames"' '"NextToken"' '"Permissions"' '"SELECT"' '"DESCRIBE"' '"ALL"' \
		'"DataLakePrincipalIdentifier"' '"DatabaseName"' '"Database"' '"Table"' ;;
	fuzz_s3_policy) cat fuzz/json.dict; printf '%s\n' '"Statement"' '"Sid"' '"Effect"' '"Principal"' '"AWS"' \
		'"Action"' '"Resource"' '"Condition"' '"meshgate-0123456789abcdef-get"' '"meshgate-0123456789abcdef-list"' \
		'"s3://"' ;;
	fuzz_status_body) cat fuzz/json.dict; printf 'message="message"\nerrors="errors"\nerror="error"\n' ;;
	*) cat fuzz/json.dict fuzz/yaml.dict fuzz/catalogue.dict ;;
	esac
}

max_len_for() {
	case "$1" in
	fuzz_regex) echo 4096 ;;
	fuzz_status_body) echo 70000 ;; # past the 64 KiB response limit
	fuzz_pg_error) echo 8192 ;;
	fuzz_pg_dsn) echo 2048 ;;
	fuzz_aws_ini|fuzz_aws_assume_role|fuzz_aws_web_identity) echo 16384 ;;
	fuzz_aws_credential_document) echo 70000 ;; # past the 64 KiB document limit
	fuzz_aws_error) echo 70000 ;; # past the 64 KiB error-body limit
	fuzz_entry_name) echo 1024 ;;
	fuzz_s3_lock) echo 8192 ;; # past the 4 KiB lock body limit
	fuzz_s3_policy) echo 70000 ;; # past the 64 KiB policy read limit
	*) echo 65536 ;;
	esac
}

mkdir -p "$build/logs" "$build/dicts"
summary="$build/logs/summary.md"
failed=0
for t in $built; do
	work="$build/corpus-run/$t"
	art="$build/artifacts/$t/"
	log="$build/logs/$t.log"
	rm -rf "$work"
	mkdir -p "$work" "$art"
	cp fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
	dict_for "$t" >"$build/dicts/$t.dict"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len_for "$t")" -dict="$build/dicts/$t.dict" \
		-artifact_prefix="$art" -print_final_stats=1
	[ -n "${FUZZ_RUNS:-}" ] && set -- "$@" -runs="$FUZZ_RUNS"
	echo "== $t: ${secs}s${FUZZ_RUNS:+ or $FUZZ_RUNS runs} =="
	start=$(date +%s)
	rc=0
	nice -n "$niceness" "$build/fuzz/$t" "$@" "$work" >"$log" 2>&1 || rc=$?
	elapsed=$(( $(date +%s) - start ))
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc)"
		failed=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz invariant broken|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -20 || true
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "${execs:-?}" "${rate:-?}" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "$elapsed" "$result" >"$build/logs/$t.row"
	echo "$t: $result, ${execs:-?} runs, ${rate:-?}/s, cov ${cov:-?}, ft ${ft:-?}"
done
# the table covers every target run in this build directory (the last run of each)
{
	printf '| target | executions | exec/s | cov | ft | corpus | peak RSS MB | time s | result |\n'
	printf '|---|---|---|---|---|---|---|---|---|\n'
	cat "$build"/logs/*.row
} >"$summary"
echo
cat "$summary"
if [ "$failed" -ne 0 ]; then
	echo "fuzzing found a problem: reproducers are in $build/artifacts/; copy each into" \
		"fuzz/regressions/<target>/ (see fuzz/README.md)" >&2
	exit 1
fi
