#!/bin/sh
# ci-comment.sh github|gitlab FILE - posts FILE (meshgate's Markdown report) as
# one sticky comment on the pull request or merge request of this CI job: the
# comment this job's token wrote before whose body starts with FILE's marker
# line (`<!-- meshgate:check -->`, the first line meshgate writes) is updated
# in place; without one a comment is created.  A comment by anyone else is
# never touched, even one that starts with the marker.
#
# github: GITHUB_TOKEN (needs `pull-requests: write`), GITHUB_REPOSITORY,
#   GITHUB_API_URL (default https://api.github.com), and the pull request's
#   number from MESHGATE_PR_NUMBER or GITHUB_EVENT_PATH.  The comments of
#   the author MESHGATE_COMMENT_AUTHOR (default github-actions[bot], the
#   author of GITHUB_TOKEN's comments; set it to a personal token's login)
#   are the ones updated.
# gitlab: GITLAB_TOKEN, a project (or group) access token with the `api`
#   scope and the Reporter role, stored as a masked CI/CD variable: GitLab's
#   CI_JOB_TOKEN cannot reach the merge-request notes API.  CI_API_V4_URL,
#   CI_PROJECT_ID, CI_MERGE_REQUEST_IID.  The notes updated are those of the
#   token's own user (GET /user).
#
# A report longer than 60000 bytes is cut at a line end with a note saying so
# (GitHub's limit is 65536 characters).  Needs curl and jq.  The API must be https (plain http only on loopback, for
# tests).  The token goes to curl in a header file, never on a command line,
# and is never printed.  Exit status 0 posted, 2 usage, 3 failure (the API's
# message is printed; a 403 says which permission is missing).
set -eu
usage() { echo "usage: scripts/ci-comment.sh github|gitlab FILE" >&2; exit 2; }
die() { echo "ci-comment.sh: $*" >&2; exit 3; }

[ $# -eq 2 ] || usage
kind=$1 file=$2
case $kind in github | gitlab) ;; *) usage ;; esac
[ -f "$file" ] && [ -r "$file" ] || die "cannot read '$file'"
marker=$(sed -n '1p' "$file")
printf '%s\n' "$marker" | grep -Eq '^<!-- meshgate:[a-z-]+ -->$' ||
	die "'$file' does not start with a meshgate marker line (<!-- meshgate:COMMAND -->): write it with meshgate --format markdown"
for t in curl jq; do command -v $t >/dev/null 2>&1 || die "$t not found"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/meshgate-comment.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
umask 077

# check_api URL: https, or http to a loopback address
check_api() {
	case $1 in
	https://*) ;;
	http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | http://\[::1\]*) ;;
	*) die "the API URL '$1' is not https; the token is sent only over https" ;;
	esac
}

# api METHOD URL [JSON_FILE]: the response body in $tmp/body, headers in $tmp/headers,
# dies on anything but 2xx with the API's own message
api() {
	set -- "$@" ""
	status=$(curl -sS -X "$1" -H @"$tmp/auth" -H "Accept: application/json" \
		${3:+-H "Content-Type: application/json" --data-binary @"$3"} \
		-D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' --max-time 60 -- "$2" 2>"$tmp/curl") ||
		die "$1 $(redact "$2"): $(cat "$tmp/curl")"
	case $status in
	2??) return 0 ;;
	esac
	msg=$(jq -r '.message // .error // empty' "$tmp/body" 2>/dev/null | head -c 300) || msg=""
	case $status in
	401) hint=" (the token is not valid)" ;;
	403) hint=" (the token may not write comments: $forbidden)" ;;
	404) hint=" (no such pull request or merge request, or the token cannot see it)" ;;
	*) hint="" ;;
	esac
	die "$1 $(redact "$2"): HTTP $status${msg:+: $msg}$hint"
}
# URLs carry no secret, but strip any query string to keep messages short
redact() { printf '%s' "${1%%\?*}"; }

# next_page: true when the last response says there is another page
next_page() {
	case $kind in
	github) grep -i '^link:' "$tmp/headers" | grep -q 'rel="next"' ;;
	gitlab) grep -i '^x-next-page:' "$tmp/headers" | tr -d '\r' | grep -Eq ':[[:space:]]*[0-9]+$' ;;
	esac
}

# a comment holds at most 65536 characters on GitHub (a note 1,000,000 on GitLab): a longer
# report keeps its whole lines up to 60000 bytes and says where the rest is
limit=60000
if [ "$(wc -c <"$file")" -gt "$limit" ]; then
	LC_ALL=C awk -v max="$limit" '{ n += length($0) + 1; if (n > max) exit; print }' "$file" >"$tmp/body.md"
	printf '\n_The report was cut here to fit a comment; the whole report is in the job log and its artifacts._\n' >>"$tmp/body.md"
else
	cp "$file" "$tmp/body.md"
fi
jq -Rs '{body: .}' <"$tmp/body.md" >"$tmp/payload"

if [ "$kind" = github ]; then
	: "${GITHUB_TOKEN:?ci-comment.sh: GITHUB_TOKEN is not set (pass secrets.GITHUB_TOKEN as env)}"
	: "${GITHUB_REPOSITORY:?ci-comment.sh: GITHUB_REPOSITORY is not set}"
	base=${GITHUB_API_URL:-https://api.github.com}
	check_api "$base"
	number=${MESHGATE_PR_NUMBER:-}
	if [ -z "$number" ] && [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
		number=$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH")
	fi
	printf '%s' "$number" | grep -Eq '^[1-9][0-9]*$' ||
		die "no pull request number (not a pull_request event, and MESHGATE_PR_NUMBER is not set)"
	author=${MESHGATE_COMMENT_AUTHOR:-github-actions[bot]}
	forbidden="the job needs 'permissions: pull-requests: write', and a fork's pull request gets a read-only token"
	printf 'Authorization: Bearer %s\n' "$GITHUB_TOKEN" >"$tmp/auth"
	list="$base/repos/$GITHUB_REPOSITORY/issues/$number/comments?per_page=100&page="
	select='[.[] | select(.user.login == $a and (.body | startswith($m + "\n") or . == $m)) | .id][0] // empty'
	where="pull request #$number"
else
	token=${GITLAB_TOKEN:-}
	if [ -z "$token" ]; then
		[ -n "${CI_JOB_TOKEN:-}" ] &&
			die "GITLAB_TOKEN is not set: CI_JOB_TOKEN cannot write merge-request notes; store a project access token (api scope, Reporter) as the masked variable GITLAB_TOKEN"
		die "GITLAB_TOKEN is not set (a project access token with the api scope)"
	fi
	: "${CI_API_V4_URL:?ci-comment.sh: CI_API_V4_URL is not set}"
	: "${CI_PROJECT_ID:?ci-comment.sh: CI_PROJECT_ID is not set}"
	number=${CI_MERGE_REQUEST_IID:-}
	printf '%s' "$number" | grep -Eq '^[1-9][0-9]*$' ||
		die "CI_MERGE_REQUEST_IID is not set: not a merge-request pipeline"
	base=$CI_API_V4_URL
	check_api "$base"
	forbidden="it needs the api scope and at least the Reporter role"
	printf 'PRIVATE-TOKEN: %s\n' "$token" >"$tmp/auth"
	api GET "$base/user"
	author=$(jq -r '.id // empty' "$tmp/body")
	[ -n "$author" ] || die "GET /user returned no id"
	list="$base/projects/$CI_PROJECT_ID/merge_requests/$number/notes?sort=asc&order_by=created_at&per_page=100&page="
	select='[.[] | select((.author.id | tostring) == $a and (.system | not) and (.body | startswith($m + "\n") or . == $m)) | .id][0] // empty'
	where="merge request !$number"
fi

id="" page=1
while :; do
	api GET "$list$page"
	id=$(jq -r --arg a "$author" --arg m "$marker" "$select" "$tmp/body") || die "the comments are not JSON"
	[ -z "$id" ] || break
	next_page || break
	page=$((page + 1))
	[ "$page" -le 100 ] || die "more than 100 pages of comments; giving up"
done

if [ "$kind" = github ]; then
	if [ -n "$id" ]; then
		api PATCH "$base/repos/$GITHUB_REPOSITORY/issues/comments/$id" "$tmp/payload"
	else
		api POST "$base/repos/$GITHUB_REPOSITORY/issues/$number/comments" "$tmp/payload"
	fi
else
	if [ -n "$id" ]; then
		api PUT "$base/projects/$CI_PROJECT_ID/merge_requests/$number/notes/$id" "$tmp/payload"
	else
		api POST "$base/projects/$CI_PROJECT_ID/merge_requests/$number/notes" "$tmp/payload"
	fi
fi
new=$(jq -r '.id // empty' "$tmp/body")
if [ -n "$id" ]; then
	echo "ci-comment.sh: updated comment $id on $where"
else
	echo "ci-comment.sh: created comment ${new:-?} on $where"
fi
