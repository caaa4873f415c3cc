/*
 * container.c - the ECS (and EKS Pod Identity) container credential
 * endpoint, as the SDKs read it:
 *
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI  http://169.254.170.2{it} (the ECS agent)
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI      any https URL; plain http only to loopback or
 *                                           the link-local agent addresses 169.254.170.2,
 *                                           169.254.170.23 and [fd00:ec2::23]
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE  sent as the Authorization header (read at every
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN       refresh; the file wins when both are set)
 *
 * The answer is the JSON credential document (mg_aws_parse_credential_document).
 * Up to 3 attempts (2 s each, 1 s apart) when no answer or a 5xx comes.
 */
#include "aws/aws_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshgate/error.h"

#define ECS_HOST "http://169.254.170.2"
#define ATTEMPTS 3
#define TIMEOUT_MS 2000L
#define TOKEN_MAX 16384

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The authorization token (from the file or the variable) into tok, trimmed; "" when none. */
static int auth_token(mg_buf *tok)
{
	const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *value = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	int r;
	if (file) {
		if ((r = mg_buf_read_file(tok, file, TOKEN_MAX)) < 0) {
			char why[1100];
			snprintf(why, sizeof why, "%s", mg_error_last());
			mg_error_set("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %s", why);
			return r;
		}
	} else if (value && mg_buf_adds(tok, value) < 0) {
		return mg_oom();
	}
	while (tok->len && strchr(" \t\r\n", tok->ptr[tok->len - 1]))
		tok->ptr[--tok->len] = '\0';
	for (size_t i = 0; i < tok->len; i++)
		if ((unsigned char)tok->ptr[i] < 0x20 || tok->ptr[i] == 0x7f) {
			mg_error_set("the container authorization token (%s) has a control character or line break",
				     file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" : "AWS_CONTAINER_AUTHORIZATION_TOKEN");
			return MG_EINVALID;
		}
	return 0;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int mg_aws__container_credentials(mg_aws_credentials *out)
{
	static const char *const agents[] = { "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", NULL };
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	mg_buf url = MG_BUF_INIT, tok = MG_BUF_INIT, body = MG_BUF_INIT;
	mg_aws_credentials got;
	long status = 0;
	int r;
	memset(&got, 0, sizeof got);
	if (!rel && !full) {
		mg_error_set("no container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
			     "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set)");
		return MG_ENOTFOUND;
	}
	const char *var = rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
	if (rel && rel[0] != '/') {
		mg_error_set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with '/'");
		return MG_EINVALID;
	}
	if (mg_buf_addf(&url, "%s%s", rel ? ECS_HOST : "", rel ? rel : full) < 0)
		return mg_oom();
	if ((r = auth_token(&tok)) < 0)
		goto done;
	mg_aws_header h[] = { { "Accept", "application/json" }, { "Authorization", tok.ptr } };
	char what[96];
	snprintf(what, sizeof what, "the container credentials endpoint (%s)", var);
	mg_aws__fetch_args a = {
		.what = what, .method = "GET", .url = url.ptr, .headers = h, .nheaders = tok.len ? 2 : 1,
		.http_hosts = agents, .timeout_ms = TIMEOUT_MS, .max_body = MG_AWS__DOCUMENT_MAX,
	};
	for (int attempt = 1;; attempt++) {
		r = mg_aws__fetch(&a, &status, &body);
		bool again = (r == MG_EBACKEND || (r == 0 && status >= 500)) && attempt < ATTEMPTS;
		if (!again)
			break;
		pause_ms(1000);
	}
	if (r < 0)
		goto done;
	if (status != 200) {
		mg_error_set("%s answered HTTP %ld%s", what, status,
			     status == 401 || status == 403 ? " (is the authorization token right?)" : "");
		r = MG_EBACKEND;
		goto done;
	}
	snprintf(got.source, sizeof got.source, "container endpoint (%s)", var);
	r = mg_aws_parse_credential_document(body.ptr, body.len, false, &got);
	if (r == 0)
		*out = got;
done:
	mg_aws_credentials_wipe(&got);
	mg_aws__buf_wipe(&tok);
	mg_aws__buf_wipe(&body);
	mg_buf_release(&url);
	return r;
}
