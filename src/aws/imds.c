/*
 * imds.c - an EC2 instance's role credentials from the instance metadata
 * service, IMDSv2 only (a session token first; IMDSv1's unauthenticated
 * GETs are not used, so a forwarded request cannot read the credentials):
 *
 *   PUT {endpoint}/latest/api/token             X-aws-ec2-metadata-token-ttl-seconds: 21600
 *   GET {endpoint}/latest/meta-data/iam/security-credentials/         the role name
 *   GET {endpoint}/latest/meta-data/iam/security-credentials/{role}   the credential document
 *
 * with X-aws-ec2-metadata-token on the GETs.  {endpoint} is
 * $AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://[fd00:ec2::254] when
 * $AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is IPv6, else http://169.254.169.254;
 * plain http only to those two addresses or loopback.  AWS_EC2_METADATA_DISABLED=true
 * skips it.  One attempt of 1 s per request, as the SDKs: off EC2 nothing answers.
 */
#include "aws/aws_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meshgate/error.h"

#define TOKEN_MAX 4096
#define TTL "21600"

static const char *const imds_hosts[] = { "169.254.169.254", "[fd00:ec2::254]", NULL };

static int get(const char *base, const char *path, const mg_aws_header *h, size_t nh, const char *method,
	       long *status, mg_buf *body)
{
	mg_buf url = MG_BUF_INIT;
	if (mg_buf_addf(&url, "%s%s", base, path) < 0)
		return mg_oom();
	mg_aws__fetch_args a = {
		.what = "the instance metadata service", .method = method, .url = url.ptr, .headers = h,
		.nheaders = nh, .http_hosts = imds_hosts, .timeout_ms = MG_AWS__ENDPOINT_TIMEOUT_MS,
		.max_body = MG_AWS__DOCUMENT_MAX,
	};
	int r = mg_aws__fetch(&a, status, body);
	mg_buf_release(&url);
	return r;
}

/* A role name of the metadata answer (its first line): IAM's characters only. */
static bool role_ok(const char *s, size_t n)
{
	if (!n || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("_+=,.@-", s[i])))
			return false;
	return true;
}

int mg_aws__imds_credentials(mg_aws_credentials *out)
{
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	const char *endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	char base[512], role[129], path[200];
	mg_buf token = MG_BUF_INIT, body = MG_BUF_INIT;
	mg_aws_credentials got;
	long status = 0;
	int r;
	memset(&got, 0, sizeof got);
	if (off && strcasecmp(off, "true") == 0) {
		mg_error_set("the instance metadata service is not asked (AWS_EC2_METADATA_DISABLED=true)");
		return MG_ENOTFOUND;
	}
	if (mode && *mode && strcasecmp(mode, "IPv4") != 0 && strcasecmp(mode, "IPv6") != 0) {
		mg_error_set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6");
		return MG_EINVALID;
	}
	if (endpoint && *endpoint) {
		size_t n = strlen(endpoint);
		while (n && endpoint[n - 1] == '/')
			n--;
		if (n >= sizeof base) {
			mg_error_set("AWS_EC2_METADATA_SERVICE_ENDPOINT is longer than %zu bytes", sizeof base - 1);
			return MG_ETOOBIG;
		}
		snprintf(base, sizeof base, "%.*s", (int)n, endpoint);
	} else {
		snprintf(base, sizeof base, "%s",
			 mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]" : "http://169.254.169.254");
	}
	mg_aws_header ttl = { "X-aws-ec2-metadata-token-ttl-seconds", TTL };
	r = get(base, "/latest/api/token", &ttl, 1, "PUT", &status, &token);
	if (r == MG_EBACKEND) {
		/* nothing answered: not an EC2 instance (or a blocked hop limit) */
		char why[1024];
		snprintf(why, sizeof why, "%s", mg_error_last());
		mg_error_set("%s", why);
		r = MG_ENOTFOUND;
		goto done;
	}
	if (r < 0)
		goto done;
	if (status != 200) {
		mg_error_set("the instance metadata service refused a session token (HTTP %ld; meshgate uses "
			     "IMDSv2 only)", status);
		r = MG_ENOTFOUND;
		goto done;
	}
	while (token.len && strchr(" \t\r\n", token.ptr[token.len - 1]))
		token.ptr[--token.len] = '\0';
	bool token_ok = token.len > 0 && token.len <= TOKEN_MAX;
	for (size_t i = 0; token_ok && i < token.len; i++)
		token_ok = (unsigned char)token.ptr[i] > 0x20 && (unsigned char)token.ptr[i] < 0x7f;
	if (!token_ok) {
		mg_error_set("the instance metadata service's session token is empty, too long or not printable");
		r = MG_EPARSE;
		goto done;
	}
	mg_aws_header th = { "X-aws-ec2-metadata-token", token.ptr };
	if ((r = get(base, "/latest/meta-data/iam/security-credentials/", &th, 1, "GET", &status, &body)) < 0)
		goto done;
	if (status == 404) {
		mg_error_set("the instance metadata service at %.200s has no IAM role (no instance profile)", base);
		r = MG_ENOTFOUND;
		goto done;
	}
	if (status != 200) {
		mg_error_set("the instance metadata service answered HTTP %ld for the role name", status);
		r = MG_EBACKEND;
		goto done;
	}
	size_t n = 0;
	while (n < body.len && body.ptr[n] != '\n' && body.ptr[n] != '\r')
		n++;
	if (!role_ok(body.ptr, n)) {
		mg_error_set("the instance metadata service's role name is empty or not an IAM role name");
		r = MG_EPARSE;
		goto done;
	}
	memcpy(role, body.ptr, n);
	role[n] = '\0';
	snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%s", role);
	if ((r = get(base, path, &th, 1, "GET", &status, &body)) < 0)
		goto done;
	if (status != 200) {
		mg_error_set("the instance metadata service answered HTTP %ld for the credentials of role %s", status,
			     role);
		r = MG_EBACKEND;
		goto done;
	}
	snprintf(got.source, sizeof got.source, "instance metadata role %s", role);
	r = mg_aws_parse_credential_document(body.ptr, body.len, true, &got);
	if (r == 0)
		*out = got;
done:
	mg_aws_credentials_wipe(&got);
	mg_aws__buf_wipe(&token);
	mg_aws__buf_wipe(&body);
	return r;
}
