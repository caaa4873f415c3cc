/*
 * status.h - post the result of a check as a commit status (GitHub statuses
 * API or GitLab commit-status API), the "publish results" stage.
 *
 * Typical use from `meshgate check --post-status github|gitlab`:
 *
 *	mg_status_req req = MG_STATUS_REQ_INIT;
 *	mg_buf scratch = MG_BUF_INIT;
 *	req.provider = provider;             (from mg_status_provider_parse)
 *	req.sha = head_oid_hex;              (the resolved --head, see below)
 *	req.state = nerrors ? MG_STATUS_FAILURE : MG_STATUS_SUCCESS;
 *	req.description = "2 errors in 1 product";
 *	if ((error = mg_status_req_from_env(&req, &scratch, NULL, NULL)) == 0)
 *		error = mg_status_post(&req);
 *	mg_buf_release(&scratch);
 *	(error < 0: print mg_error_last(), exit 3)
 *
 * Ownership: every string in mg_status_req is borrowed; nothing here keeps a
 * pointer after the call returns.  mg_status_req_from_env() points fields at
 * the environment (stable while the environment is not changed) or into the
 * caller's scratch buffer.
 *
 * Secrets: the token is sent only in its header and never appears in an
 * error message, even when a server echoes it back (it is redacted).
 *
 * Transport (libcurl): TLS certificates and host names are always verified;
 * redirects are not followed (the auth header never goes to another host);
 * only https is accepted, except plain http to a loopback host (127.0.0.1,
 * localhost, [::1]), which exists for tests and local mirrors; a response body
 * is read up to 64 KiB; the whole exchange is bounded by timeout_ms.
 */
#ifndef MESHGATE_STATUS_H
#define MESHGATE_STATUS_H

#include "meshgate/buf.h"

typedef enum mg_status_provider {
	MG_STATUS_NONE = 0,
	MG_STATUS_GITHUB,
	MG_STATUS_GITLAB
} mg_status_provider;

/*
 * The result to report.  GitHub takes these names as they are; GitLab gets
 * success, failed, canceled and pending (error = the check could not run,
 * which GitLab shows as canceled).
 */
typedef enum mg_status_state {
	MG_STATUS_SUCCESS = 0,
	MG_STATUS_FAILURE,
	MG_STATUS_ERROR,
	MG_STATUS_PENDING
} mg_status_state;

/* Which header carries the token. */
typedef enum mg_status_auth {
	MG_STATUS_AUTH_DEFAULT = 0, /* GitHub: Bearer; GitLab: PRIVATE-TOKEN */
	MG_STATUS_AUTH_BEARER,      /* Authorization: Bearer <token> */
	MG_STATUS_AUTH_PRIVATE,     /* PRIVATE-TOKEN: <token> (GitLab personal/project token) */
	MG_STATUS_AUTH_JOB          /* JOB-TOKEN: <token> (GitLab CI_JOB_TOKEN) */
} mg_status_auth;

typedef struct mg_status_req {
	mg_status_provider provider;
	/* API root without a trailing path: https://api.github.com,
	 * https://gitlab.example.com/api/v4.  NULL: the provider's public one. */
	const char *api_url;
	/* GitHub "owner/name"; GitLab a numeric project id or a path
	 * "group/sub/project" (percent-encoded here, do not encode it). */
	const char *repo;
	/* Full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits. */
	const char *sha;
	mg_status_state state;
	/* The status name (GitHub context, GitLab name); NULL: "meshgate". */
	const char *context;
	/* Optional; cut to 140 code points (GitHub's limit), ending in U+2026
	 * when cut, on a UTF-8 boundary; ill-formed UTF-8 becomes U+FFFD. */
	const char *description;
	/* Optional link shown with the status (the CI job). */
	const char *target_url;
	const char *token;
	mg_status_auth auth;
	/* Bound on the whole request; 0: 30 s.  Connecting gets at most 10 s. */
	long timeout_ms;
} mg_status_req;

#define MG_STATUS_REQ_INIT { MG_STATUS_NONE, NULL, NULL, NULL, MG_STATUS_SUCCESS, \
	NULL, NULL, NULL, NULL, MG_STATUS_AUTH_DEFAULT, 0 }

/* "github" or "gitlab" into *out; MG_EINVALID with the message set otherwise. */
int mg_status_provider_parse(mg_status_provider *out, const char *name);

/* Looks a variable up; returns NULL when unset.  ctx is passed through. */
typedef const char *mg_status_getenv_fn(void *ctx, const char *name);

/*
 * Fills the fields of req that are still NULL (so values the caller took
 * from flags win) from the CI environment of req->provider, read through
 * getenv_fn (NULL: the process environment).  Empty variables count as unset.
 *
 *   GitHub: api_url GITHUB_API_URL (else https://api.github.com),
 *           repo GITHUB_REPOSITORY, sha GITHUB_SHA, token GITHUB_TOKEN,
 *           target_url GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID
 *   GitLab: api_url CI_API_V4_URL (else https://gitlab.com/api/v4),
 *           repo CI_PROJECT_ID, sha CI_COMMIT_SHA, token GITLAB_TOKEN
 *           (PRIVATE-TOKEN) else CI_JOB_TOKEN (JOB-TOKEN), target_url
 *           CI_JOB_URL else CI_PIPELINE_URL
 *
 * On a pull_request event GITHUB_SHA is the merge commit GitHub made, not the
 * PR head, so the caller should set req->sha to the resolved --head first.
 * The GitHub target_url is built in *scratch, so keep scratch until the last
 * use of req.  Missing values are not an error here; mg_status_post() says
 * which variable is missing.  Returns 0 or MG_ENOMEM.
 */
int mg_status_req_from_env(mg_status_req *req, mg_buf *scratch,
	mg_status_getenv_fn *getenv_fn, void *ctx);

/*
 * Posts the status: GitHub POST {api}/repos/{owner}/{repo}/statuses/{sha},
 * GitLab POST {api}/projects/{id}/statuses/{sha}, with a JSON body.
 * Returns 0 when the server answered 2xx, otherwise a negative code with the
 * message set (never containing the token):
 *   MG_EINVALID  a field is missing or malformed (nothing was sent)
 *   MG_ENOTFOUND HTTP 404: repository or commit unknown, or not visible to
 *                the token
 *   MG_EBACKEND  the token was rejected (401/403), another HTTP error, a
 *                timeout or a connection failure
 *   MG_ENOMEM
 * All of these are runtime failures for the CLI (exit status 3).
 */
int mg_status_post(const mg_status_req *req);

#endif
