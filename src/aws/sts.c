/*
 * sts.c - STS AssumeRole and AssumeRoleWithWebIdentity (query protocol, API
 * version 2011-06-15): the form body, the call through an STS client (signed
 * for AssumeRole; unsigned for AssumeRoleWithWebIdentity, whose token is the
 * proof), and the XML answer (...Response / ...Result / Credentials /
 * AccessKeyId, SecretAccessKey, SessionToken, Expiration - the names of the
 * STS model).
 */
#include "aws/aws_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "meshgate/error.h"

typedef struct ar_ctx {
	const char *result; /* "AssumeRoleResult" or "AssumeRoleWithWebIdentityResult" */
	mg_aws_credentials *out;
	bool have[4];
	bool too_long;
} ar_ctx;

static int on_leaf(void *ctx, const char *const *path, int depth, const char *text, size_t len)
{
	ar_ctx *a = ctx;
	if (depth < 3 || strcmp(path[depth - 2], "Credentials") != 0 ||
	    strcmp(path[depth - 3], a->result) != 0)
		return 0;
	const char *leaf = path[depth - 1];
	char *dst = NULL;
	size_t cap = 0;
	int k = -1;
	char when[64];
	if (strcmp(leaf, "AccessKeyId") == 0) {
		dst = a->out->access_key_id, cap = sizeof a->out->access_key_id, k = 0;
	} else if (strcmp(leaf, "SecretAccessKey") == 0) {
		dst = a->out->secret_access_key, cap = sizeof a->out->secret_access_key, k = 1;
	} else if (strcmp(leaf, "SessionToken") == 0) {
		dst = a->out->session_token, cap = sizeof a->out->session_token, k = 2;
	} else if (strcmp(leaf, "Expiration") == 0) {
		dst = when, cap = sizeof when, k = 3;
	} else {
		return 0;
	}
	if (len >= cap || len == 0 || memchr(text, '\0', len)) {
		a->too_long = true;
		return 0;
	}
	memcpy(dst, text, len);
	dst[len] = '\0';
	if (k == 3) {
		long long t = mg_aws__parse_iso8601(when);
		if (t <= 0) {
			a->too_long = true;
			return 0;
		}
		a->out->expiration = t;
	}
	a->have[k] = true;
	return 0;
}

static int parse_result(const char *xml, size_t len, const char *result, const char *call, mg_aws_credentials *out)
{
	mg_aws_credentials tmp;
	memset(&tmp, 0, sizeof tmp);
	ar_ctx a = { .result = result, .out = &tmp };
	int r = mg_aws__xml_walk(xml, len, on_leaf, &a);
	if (r == 0 && (a.too_long || !a.have[0] || !a.have[1] || !a.have[2] || !a.have[3])) {
		static const char *const names[] = { "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" };
		const char *missing = "a field";
		for (int i = 0; i < 4; i++)
			if (!a.have[i]) {
				missing = names[i];
				break;
			}
		if (a.too_long)
			mg_error_set("the %s response has an empty, malformed or too long credential field", call);
		else
			mg_error_set("the %s response has no %s/Credentials/%s", call, result, missing);
		r = MG_EPARSE;
	}
	if (r == 0) {
		/* keep the caller's source; the rest is the response's */
		memcpy(tmp.source, out->source, sizeof tmp.source);
		*out = tmp;
	}
	mg_aws_credentials_wipe(&tmp);
	return r;
}

int mg_aws_parse_assume_role(const char *xml, size_t len, mg_aws_credentials *out)
{
	return parse_result(xml, len, "AssumeRoleResult", "AssumeRole", out);
}

int mg_aws_parse_assume_role_web_identity(const char *xml, size_t len, mg_aws_credentials *out)
{
	return parse_result(xml, len, "AssumeRoleWithWebIdentityResult", "AssumeRoleWithWebIdentity", out);
}

static int form_add(mg_buf *b, const char *name, const char *value)
{
	if (mg_buf_addf(b, "%s%s=", b->len ? "&" : "", name) < 0)
		return mg_oom();
	return mg_aws__uri_encode(b, value, strlen(value), false);
}

typedef int (*parse_fn)(const char *xml, size_t len, mg_aws_credentials *out);

/*
 * Sends the form body to STS (signed with `with`, or unsigned when it is
 * NULL) and reads the credentials of the answer.  `secret` (the web identity
 * token, or NULL) is scrubbed from the service's message.
 */
static int sts_call(const mg_aws_credentials *with, const mg_aws__assume_args *a, const mg_buf *body,
		    const char *call, const char *secret, parse_fn parse, mg_aws_credentials *out)
{
	mg_aws_client *sts = NULL;
	mg_aws_response resp;
	mg_aws_credentials got;
	int r;
	mg_aws_response_init(&resp);
	memset(&got, 0, sizeof got);
	mg_aws_client_options o = {
		.service = "sts",
		.region = a->region,
		.endpoint_url = a->endpoint_url,
		.timeout_ms = a->timeout_ms,
	};
	if ((r = with ? mg_aws__client_new_static(&sts, &o, with) : mg_aws__client_new_anonymous(&sts, &o)) < 0)
		goto done;
	/* both calls change nothing: they may be retried */
	mg_aws_call_input in = { .protocol = MG_AWS_QUERY, .body = body->ptr, .body_len = body->len, .idempotent = true };
	if ((r = mg_aws_call(sts, &in, &resp)) < 0)
		goto done;
	if (secret) {
		mg_aws__scrub_secret(resp.message, secret);
		mg_aws__scrub_secret(resp.error_code, secret);
	}
	if (resp.outcome != MG_AWS_OK) {
		mg_error_set("cannot assume role %s (%s) with the credentials of %s: %s%s%s%s (HTTP %ld)", a->role_arn, call,
			     a->source ? a->source : "the chain", resp.error_code[0] ? resp.error_code : "",
			     resp.error_code[0] && resp.message[0] ? ": " : "", resp.message,
			     !resp.error_code[0] && !resp.message[0] ? "no answer" : "", resp.http_status);
		r = MG_EBACKEND;
		goto done;
	}
	r = parse(resp.body.ptr, resp.body.len, &got);
	if (r == 0) {
		*out = got;
		snprintf(out->source, sizeof out->source, "assumed role %.150s", a->role_arn);
	}
done:
	mg_aws_credentials_wipe(&got);
	mg_aws__buf_wipe(&resp.body);
	mg_aws_response_release(&resp);
	mg_aws_client_free(sts);
	return r;
}

static int form_start(mg_buf *body, const char *action, const mg_aws__assume_args *a)
{
	const char *session = a->session_name && *a->session_name ? a->session_name : "meshgate";
	int r;
	if ((r = form_add(body, "Action", action)) < 0 || (r = form_add(body, "Version", "2011-06-15")) < 0 ||
	    (r = form_add(body, "RoleArn", a->role_arn)) < 0 || (r = form_add(body, "RoleSessionName", session)) < 0)
		return r;
	if (a->duration_s > 0 && mg_buf_addf(body, "&DurationSeconds=%ld", a->duration_s) < 0)
		return mg_oom();
	return 0;
}

/* AssumeRole signed with `with`, or AssumeRoleWithWebIdentity with `token` (with NULL). */
static int assume(const mg_aws_credentials *with, const char *token, const mg_aws__assume_args *a,
		  mg_aws_credentials *out)
{
	const char *call = token ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	mg_buf body = MG_BUF_INIT;
	int r;
	if ((r = form_start(&body, call, a)) < 0)
		goto done;
	if (token)
		r = form_add(&body, "WebIdentityToken", token);
	else if (a->external_id && *a->external_id)
		r = form_add(&body, "ExternalId", a->external_id);
	if (r == 0)
		r = sts_call(with, a, &body, call, token,
			     token ? mg_aws_parse_assume_role_web_identity : mg_aws_parse_assume_role, out);
done:
	mg_aws__buf_wipe(&body);
	return r;
}

int mg_aws__assume_role(const mg_aws_credentials *with, const mg_aws__assume_args *a, mg_aws_credentials *out)
{
	return assume(with, NULL, a, out);
}

int mg_aws__assume_role_web_identity(const char *token, const mg_aws__assume_args *a, mg_aws_credentials *out)
{
	return assume(NULL, token, a, out);
}
