#!/bin/sh
# scripts/ci-comment.sh against a loopback stand-in for GitHub's and GitLab's
# REST APIs (tests/cli/ci-fake-api.py, started here and stopped on any exit)
# that records every request: the first run creates the sticky comment, the
# second updates that same comment in place (found on the second page of
# comments), comments by others - one of them starting with the same marker -
# and the bot's own comments without the marker are never touched, the token
# appears in no output, a read-only token (a fork's pull request) gets a clear
# error naming the permission, and bad input is refused before anything is sent.
. "$TESTDIR/cli/lib.sh"
script=$SRCDIR/scripts/ci-comment.sh
for t in curl jq python3; do
	command -v $t >/dev/null 2>&1 || { echo "skipped: no $t"; exit 77; }
done
token="ghs_t0079secretTOKENvalue"
api=$SCRATCH/api
mkdir -p "$api"

# a repository with a catalogue, and meshgate's Markdown report of a check
git_user
repo=$SCRATCH/repo
git init -q "$repo"
product "$repo/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
git -C "$repo" add -A && git -C "$repo" commit -q -m main && git -C "$repo" checkout -q -b change || exit 1
sed -i 's/"data-product-owner"/"data-product-ownr"/' "$repo/data-products-catalogue/prod/orders/data-product.json"
git -C "$repo" commit -q -a -m broken
run_mg check -C "$repo" --base main --head change --format markdown --output "$SCRATCH/report1.md"
expect_status 1 "$status"
begin "the report starts with the marker"
printf '<!-- meshgate:check -->\n' >"$SCRATCH/want"
head -1 "$SCRATCH/report1.md" >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
git -C "$repo" checkout -q main -- data-products-catalogue && git -C "$repo" commit -q -m fixed || exit 1
run_mg check -C "$repo" --base main --head change --format markdown --output "$SCRATCH/report2.md"
expect_status 0 "$status"

# seed: 120 comments on pull request 7 (so the bot's new one lands on page 2), among
# them a human's comment that starts with the marker and a bot comment without it;
# one on another pull request that starts with the marker and is the bot's
python3 - "$api/seed.json" <<'EOF'
import json, sys
gh = [{"id": i, "issue": 7, "user": {"login": "alice"}, "body": "comment %d" % i} for i in range(1, 119)]
gh.append({"id": 119, "issue": 7, "user": {"login": "mallory"}, "body": "<!-- meshgate:check -->\nnot meshgate's"})
gh.append({"id": 120, "issue": 7, "user": {"login": "github-actions[bot]"}, "body": "another bot's comment"})
gh.append({"id": 121, "issue": 8, "user": {"login": "github-actions[bot]"}, "body": "<!-- meshgate:check -->\nPR 8's"})
gl = [{"id": 500 + i, "mr": 3, "author": {"id": 5}, "system": False, "body": "note %d" % i} for i in range(1, 30)]
gl.append({"id": 600, "mr": 3, "author": {"id": 6}, "system": False, "body": "<!-- meshgate:check -->\nnot ours"})
gl.append({"id": 601, "mr": 3, "author": {"id": 77}, "system": True, "body": "<!-- meshgate:check -->\nsystem"})
json.dump({"github": gh, "gitlab": gl}, open(sys.argv[1], "w"))
EOF
cp "$api/seed.json" "$SCRATCH/seed.json"

server=""
start_api() { # start_api [env...]: the stand-in, on a free loopback port
	rm -f "$api/port" "$api/requests.jsonl"
	env FAKE_TOKEN="$token" "$@" python3 "$TESTDIR/cli/ci-fake-api.py" "$api" 2>"$SCRATCH/api.err" &
	server=$!
	i=0
	while [ ! -s "$api/port" ]; do
		i=$((i + 1))
		[ $i -le 100 ] && kill -0 "$server" 2>/dev/null || { cat "$SCRATCH/api.err" >&2; echo "the fake API did not start" >&2; exit 1; }
		sleep 0.1
	done
	port=$(cat "$api/port")
}
stop_api() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; server=""; }; }
trap 'stop_api' EXIT
trap 'stop_api; exit 1' INT TERM HUP

# post KIND FILE [env...]: the script with a CI job's environment, output in $SCRATCH/out, err
post() {
	kind=$1 file=$2
	shift 2
	status=0
	env -i PATH="$PATH" HOME="$HOME" TMPDIR="$SCRATCH" "$@" timeout 60 sh "$script" "$kind" "$file" \
		>"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
}
gh_env() {
	echo "GITHUB_TOKEN=$token"
	echo "GITHUB_REPOSITORY=acme/catalogue"
	echo "GITHUB_API_URL=http://127.0.0.1:$port"
	echo "GITHUB_EVENT_PATH=$SCRATCH/event.json"
}
printf '{"pull_request": {"number": 7, "head": {"repo": {"full_name": "acme/catalogue"}}}}\n' >"$SCRATCH/event.json"
no_token() { # the token in no output of the script
	if grep -qF "$token" "$SCRATCH/out" "$SCRATCH/err"; then not_ok "the token was printed"; else ok; fi
}
# body ID: the stored body of comment or note ID
body() { jq -j --argjson id "$1" '[.github[], .gitlab[]] | .[] | select(.id == $id) | .body' "$api/state.json"; }
# untouched KIND: every seeded comment except those named after it is as it was
untouched() {
	k=$1
	shift
	if jq -e --slurpfile seed "$SCRATCH/seed.json" --arg k "$k" \
		'[.[$k][] | select(.id <= 1000)] == $seed[0][$k]' "$api/state.json" >/dev/null; then ok; else
		not_ok "a seeded $k comment changed"; fi
}
writes() { jq -r 'select(.method != "GET") | .method + " " + .path' "$api/requests.jsonl"; }

start_api
# shellcheck disable=SC2046
set -- $(gh_env)

begin "github: the first run creates the comment"
post github "$SCRATCH/report1.md" "$@"
expect_status 0 "$status"
expect_grep "^ci-comment.sh: created comment 1001 on pull request #7$" "$SCRATCH/out"
printf 'POST /repos/acme/catalogue/issues/7/comments\n' >"$SCRATCH/want"
writes >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
body 1001 >"$SCRATCH/got"
expect_cmp "$SCRATCH/report1.md" "$SCRATCH/got"
untouched github
no_token
# every request carried the token, and the listing was paged through to its end
jq -s -e 'all(.auth) and ([.[] | select(.method == "GET") | .query.page] == ["1", "2"])' "$api/requests.jsonl" \
	>/dev/null && ok || not_ok "requests without the token, or not paged: $(cat "$api/requests.jsonl")"

begin "github: the second run updates the same comment, found on page 2"
: >"$api/requests.jsonl"
post github "$SCRATCH/report2.md" "$@"
expect_status 0 "$status"
expect_grep "^ci-comment.sh: updated comment 1001 on pull request #7$" "$SCRATCH/out"
printf 'PATCH /repos/acme/catalogue/issues/comments/1001\n' >"$SCRATCH/want"
writes >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
body 1001 >"$SCRATCH/got"
expect_cmp "$SCRATCH/report2.md" "$SCRATCH/got"
[ "$(jq '[.github[] | select(.issue == 7)] | length' "$api/state.json")" = 121 ] && ok || not_ok "comment count changed"
untouched github
no_token

begin "github: a third run still updates that one"
post github "$SCRATCH/report1.md" "$@"
expect_grep "^ci-comment.sh: updated comment 1001 on pull request #7$" "$SCRATCH/out"

begin "github: another author's name finds nothing of its own and creates"
post github "$SCRATCH/report1.md" "$@" MESHGATE_COMMENT_AUTHOR=mallory-bot
expect_grep "^ci-comment.sh: created comment 1002" "$SCRATCH/out"
untouched github

begin "github: bad input is refused before any request"
: >"$api/requests.jsonl"
printf '## no marker\n' >"$SCRATCH/plain.md"
post github "$SCRATCH/plain.md" "$@"
expect_status 3 "$status"
expect_grep "does not start with a meshgate marker line" "$SCRATCH/err"
post github "$SCRATCH/report1.md" GITHUB_TOKEN="$token" GITHUB_REPOSITORY=acme/catalogue \
	GITHUB_API_URL=http://api.example.com MESHGATE_PR_NUMBER=7
expect_status 3 "$status"
expect_grep "is not https; the token is sent only over https" "$SCRATCH/err"
post github "$SCRATCH/report1.md" GITHUB_TOKEN="$token" GITHUB_REPOSITORY=acme/catalogue GITHUB_API_URL="http://127.0.0.1:$port"
expect_status 3 "$status"
expect_grep "no pull request number" "$SCRATCH/err"
post github "$SCRATCH/report1.md" GITHUB_REPOSITORY=acme/catalogue MESHGATE_PR_NUMBER=7
[ "$status" != 0 ] && ok || not_ok "ran without a token"
expect_grep "GITHUB_TOKEN is not set" "$SCRATCH/err"
status=0
sh "$script" github >/dev/null 2>&1 || status=$?
expect_status 2 "$status"
[ ! -s "$api/requests.jsonl" ] && ok || not_ok "requests were sent: $(cat "$api/requests.jsonl")"

begin "github: a wrong token is a clear failure without the token"
post github "$SCRATCH/report1.md" GITHUB_TOKEN=wrong-token GITHUB_REPOSITORY=acme/catalogue \
	GITHUB_API_URL="http://127.0.0.1:$port" MESHGATE_PR_NUMBER=7
expect_status 3 "$status"
expect_grep "HTTP 401: Bad credentials (the token is not valid)" "$SCRATCH/err"
if grep -q wrong-token "$SCRATCH/err" "$SCRATCH/out"; then not_ok "the token was printed"; else ok; fi

begin "github: a report too long for a comment is cut at a line end, and says so"
{ head -1 "$SCRATCH/report1.md"; i=0; while [ $i -lt 3000 ]; do echo "| row $i | é ü ß 0123456789 abcdefghij |"; i=$((i + 1)); done; } >"$SCRATCH/long.md"
post github "$SCRATCH/long.md" "$@"
expect_status 0 "$status"
body 1001 >"$SCRATCH/got"
[ "$(wc -c <"$SCRATCH/got")" -le 60200 ] && ok || not_ok "the body has $(wc -c <"$SCRATCH/got") bytes"
head -1 "$SCRATCH/got" | grep -qx '<!-- meshgate:check -->' && ok || not_ok "the cut body lost its marker"
expect_grep "^_The report was cut here to fit a comment" "$SCRATCH/got"
tail -n 3 "$SCRATCH/got" | head -1 | grep -q '^| row [0-9]* | é ü ß 0123456789 abcdefghij |$' && ok || not_ok "not cut at a line end"

# gitlab: the same, with a project access token
gl_env() {
	echo "GITLAB_TOKEN=$token"
	echo "CI_JOB_TOKEN=job-token-not-for-notes"
	echo "CI_API_V4_URL=http://127.0.0.1:$port/api/v4"
	echo "CI_PROJECT_ID=42"
	echo "CI_MERGE_REQUEST_IID=3"
}
# shellcheck disable=SC2046
set -- $(gl_env)
begin "gitlab: the first run creates the note"
: >"$api/requests.jsonl"
post gitlab "$SCRATCH/report1.md" "$@"
expect_status 0 "$status"
expect_grep "^ci-comment.sh: created comment 1003 on merge request !3$" "$SCRATCH/out"
printf 'POST /api/v4/projects/42/merge_requests/3/notes\n' >"$SCRATCH/want"
writes >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
body 1003 >"$SCRATCH/got"
expect_cmp "$SCRATCH/report1.md" "$SCRATCH/got"
untouched gitlab
no_token
jq -s -e 'all(.auth) and ([.[] | select(.method == "GET" and (.path | endswith("/notes"))) | .query.page] == ["1"])' \
	"$api/requests.jsonl" >/dev/null && ok || not_ok "requests without the token, or paged wrongly"

begin "gitlab: the second run updates the same note"
: >"$api/requests.jsonl"
post gitlab "$SCRATCH/report2.md" "$@"
expect_status 0 "$status"
expect_grep "^ci-comment.sh: updated comment 1003 on merge request !3$" "$SCRATCH/out"
printf 'PUT /api/v4/projects/42/merge_requests/3/notes/1003\n' >"$SCRATCH/want"
writes >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
body 1003 >"$SCRATCH/got"
expect_cmp "$SCRATCH/report2.md" "$SCRATCH/got"
untouched gitlab
no_token

begin "gitlab: the job token alone is refused with the reason"
post gitlab "$SCRATCH/report1.md" CI_JOB_TOKEN=job-token-not-for-notes CI_API_V4_URL="http://127.0.0.1:$port/api/v4" \
	CI_PROJECT_ID=42 CI_MERGE_REQUEST_IID=3
expect_status 3 "$status"
expect_grep "CI_JOB_TOKEN cannot write merge-request notes" "$SCRATCH/err"
if grep -q job-token-not-for-notes "$SCRATCH/err" "$SCRATCH/out"; then not_ok "the job token was printed"; else ok; fi

# a read-only token, as a fork's pull request gets
stop_api
start_api FAKE_READONLY=1
begin "github: a read-only token cannot comment and says why"
# shellcheck disable=SC2046
set -- $(gh_env)
post github "$SCRATCH/report1.md" "$@" MESHGATE_COMMENT_AUTHOR=nobody
expect_status 3 "$status"
expect_grep "HTTP 403: Resource not accessible by integration (the token may not write comments: .*pull-requests: write.*fork" "$SCRATCH/err"
no_token
begin "gitlab: a token without the role says why"
# shellcheck disable=SC2046
set -- $(gl_env)
post gitlab "$SCRATCH/report1.md" "$@"
expect_status 3 "$status"
expect_grep "HTTP 403: 403 Forbidden (the token may not write comments: it needs the api scope" "$SCRATCH/err"
no_token
stop_api

finish
