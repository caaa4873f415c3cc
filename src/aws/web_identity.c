/*
 * web_identity.c - credentials for a web identity (an OIDC token: GitHub
 * Actions, EKS service accounts, any OIDC provider IAM trusts) through STS
 * AssumeRoleWithWebIdentity, which is unsigned: the token is the proof.
 *
 * The token comes from a file (AWS_WEB_IDENTITY_TOKEN_FILE, or a profile's
 * web_identity_token_file), read again at every refresh since the issuer
 * rotates it; or, in a GitHub Actions job with `permissions: id-token: write`
 * and no token file, from the job's OIDC endpoint
 * (ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN as the
 * bearer, audience sts.amazonaws.com).  The token, the request token and the
 * answer are wiped after use and never appear in a message.
 */
#include "aws/aws_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"

#define GITHUB_TIMEOUT_MS 10000L

static bool session_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_+=,.@-", *s)))
			return false;
	return true;
}

static bool role_arn_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 20 || n > 2048 || strncmp(s, "arn:", 4) != 0)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A token of printable ASCII, surrounding blanks and line ends dropped. */
static int clean_token(char *tok, size_t *len, const char *where)
{
	size_t a = 0, n = *len;
	while (a < n && (tok[a] == ' ' || tok[a] == '\t' || tok[a] == '\r' || tok[a] == '\n'))
		a++;
	while (n > a && (tok[n - 1] == ' ' || tok[n - 1] == '\t' || tok[n - 1] == '\r' || tok[n - 1] == '\n'))
		n--;
	if (n == a) {
		mg_error_set("the web identity token in %s is empty", where);
		return MG_EINVALID;
	}
	if (n - a > MG_AWS__WEB_TOKEN_MAX) {
		mg_error_set("the web identity token in %s is longer than %d bytes", where, MG_AWS__WEB_TOKEN_MAX);
		return MG_ETOOBIG;
	}
	for (size_t i = a; i < n; i++)
		if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] >= 0x7f) {
			mg_error_set("the web identity token in %s has a blank, control or non-ASCII character", where);
			return MG_EINVALID;
		}
	memmove(tok, tok + a, n - a);
	tok[n - a] = '\0';
	*len = n - a;
	return 0;
}

static int assume(const char *token, const char *role_arn, const char *session_name, const char *region,
		  const char *sts_endpoint_url, const char *token_from, mg_aws_credentials *out)
{
	char source[160];
	if (!role_arn_ok(role_arn)) {
		mg_error_set("the web identity role '%.200s' is not a role ARN", role_arn);
		return MG_EINVALID;
	}
	if (session_name && *session_name && !session_name_ok(session_name)) {
		mg_error_set("the role session name '%.64s' must be 2 to 64 letters, digits or _+=,.@-", session_name);
		return MG_EINVALID;
	}
	snprintf(source, sizeof source, "the web identity token of %.120s", token_from);
	mg_aws__assume_args a = {
		.role_arn = role_arn, .session_name = session_name, .region = region ? region : "us-east-1",
		.endpoint_url = sts_endpoint_url, .source = source,
	};
	int r = mg_aws__assume_role_web_identity(token, &a, out);
	if (r == 0)
		snprintf(out->source, sizeof out->source, "web identity role %.100s (token from %.55s)", role_arn,
			 token_from);
	return r;
}

int mg_aws__web_identity(const char *token_file, const char *role_arn, const char *session_name,
			 const char *region, const char *sts_endpoint_url, mg_aws_credentials *out)
{
	mg_buf tok = MG_BUF_INIT;
	char where[1100];
	snprintf(where, sizeof where, "'%.1000s'", token_file);
	int r = mg_buf_read_file(&tok, token_file, MG_AWS__WEB_TOKEN_MAX + 1024);
	if (r < 0) {
		char why[1100];
		snprintf(why, sizeof why, "%s", mg_error_last());
		mg_error_set("cannot read the web identity token file: %s", why);
		goto done;
	}
	size_t len = tok.len;
	if ((r = clean_token(tok.ptr, &len, where)) < 0)
		goto done;
	r = assume(tok.ptr, role_arn, session_name, region, sts_endpoint_url, token_file, out);
done:
	mg_aws__buf_wipe(&tok);
	return r;
}

/* GitHub Actions: the job's OIDC token for audience sts.amazonaws.com. */
static int github_token(const char *url, const char *bearer, char *tok, size_t cap)
{
	mg_buf full = MG_BUF_INIT, auth = MG_BUF_INIT, body = MG_BUF_INIT;
	long status = 0;
	int r;
	if (mg_buf_addf(&full, "%s%saudience=sts.amazonaws.com", url, strchr(url, '?') ? "&" : "?") < 0 ||
	    mg_buf_addf(&auth, "bearer %s", bearer) < 0) {
		r = mg_oom();
		goto done;
	}
	mg_aws_header h[] = { { "Authorization", auth.ptr }, { "Accept", "application/json" } };
	mg_aws__fetch_args a = {
		.what = "the GitHub Actions OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)", .method = "GET",
		.url = full.ptr, .headers = h, .nheaders = 2, .timeout_ms = GITHUB_TIMEOUT_MS,
		.max_body = MG_AWS__DOCUMENT_MAX,
	};
	if ((r = mg_aws__fetch(&a, &status, &body)) < 0)
		goto done;
	if (status != 200) {
		mg_error_set("the GitHub Actions OIDC token endpoint answered HTTP %ld (does the job have "
			     "`permissions: id-token: write`?)", status);
		r = MG_EBACKEND;
		goto done;
	}
	r = mg_aws_parse_oidc_token(body.ptr, body.len, tok, cap);
done:
	mg_aws__buf_wipe(&auth);
	mg_aws__buf_wipe(&body);
	mg_buf_release(&full);
	return r;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int mg_aws__web_identity_env(const char *region, const char *sts_endpoint_url, mg_aws_credentials *out)
{
	const char *file = env("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = env("AWS_ROLE_ARN");
	const char *session = env("AWS_ROLE_SESSION_NAME");
	const char *gh_url = env("ACTIONS_ID_TOKEN_REQUEST_URL"), *gh_token = env("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	if (!file && !role) {
		mg_error_set("no web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set)");
		return MG_ENOTFOUND;
	}
	if (file && !role) {
		mg_error_set("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN, the role to assume with it, is not");
		return MG_EINVALID;
	}
	if (file)
		return mg_aws__web_identity(file, role, session, region, sts_endpoint_url, out);
	if (!gh_url || !gh_token) {
		mg_error_set("AWS_ROLE_ARN is set but there is no web identity token: set AWS_WEB_IDENTITY_TOKEN_FILE, "
			     "or run in a GitHub Actions job with `permissions: id-token: write` "
			     "(ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)");
		return MG_EINVALID;
	}
	char *tok = malloc(MG_AWS__WEB_TOKEN_MAX + 1);
	if (!tok)
		return mg_oom();
	int r = github_token(gh_url, gh_token, tok, MG_AWS__WEB_TOKEN_MAX + 1);
	if (r == 0)
		r = assume(tok, role, session, region, sts_endpoint_url, "GitHub Actions OIDC", out);
	OPENSSL_cleanse(tok, MG_AWS__WEB_TOKEN_MAX + 1);
	free(tok);
	return r;
}
