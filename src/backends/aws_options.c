/*
 * aws_options.c - the checks every AWS backend's options share (see
 * backends_int.h): region names, role ARNs, endpoint URLs (https, or http
 * only to loopback), and the keys that would put a credential in the
 * repository.  Plain C, no network: tested and fuzzed in every build.
 */
#include <stdbool.h>
#include <string.h>

#include <stdio.h>

#include "backends/backends_int.h"
#include "meshgate/error.h"

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool mg_backend_printable(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* eu-west-1, us-gov-west-1, cn-north-1: lower-case letters, digits and '-', 4 to 32 bytes */
bool mg_aws_region_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 4 || n > 32 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* arn:PARTITION:iam::123456789012:role/NAME */
bool mg_aws_role_arn_ok(const char *s)
{
	if (!mg_backend_printable(s, 2048) || strncmp(s, "arn:", 4) != 0)
		return false;
	const char *iam = strstr(s + 4, ":iam::");
	if (!iam || strlen(iam) < 6 + 12 + 7)
		return false;
	return digits(iam + 6, 12) && strncmp(iam + 18, ":role/", 6) == 0 && iam[24] != '\0';
}

/* 127.0.0.0/8 written as four decimal numbers of at most 3 digits */
static bool ipv4_loopback(const char *h, size_t n)
{
	int parts = 0, digits = 0;
	if (n < 9 || strncmp(h, "127.", 4) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (!digits)
				return false;
			parts++;
			digits = 0;
		} else if (h[i] >= '0' && h[i] <= '9') {
			if (++digits > 3)
				return false;
		} else {
			return false;
		}
	}
	return parts == 3 && digits;
}

bool mg_aws_endpoint_ok(const char *url)
{
	bool tls;
	const char *h;
	if (!url)
		return false;
	if (strncmp(url, "https://", 8) == 0) {
		tls = true;
		h = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		tls = false;
		h = url + 7;
	} else {
		return false;
	}
	size_t alen = strcspn(h, "/?#");
	if (!alen || memchr(h, '@', alen) || memchr(h, '\\', alen))
		return false; /* no host, or userinfo that would hide the real host */
	size_t hlen;
	if (h[0] == '[') {
		const char *close = memchr(h, ']', alen);
		if (!close)
			return false;
		hlen = (size_t)(close - h) + 1;
	} else {
		hlen = strcspn(h, ":/?#");
	}
	if (hlen > alen || !hlen)
		return false;
	if (hlen < alen) { /* a port: digits only */
		if (h[hlen] != ':' || hlen + 1 == alen)
			return false;
		for (size_t i = hlen + 1; i < alen; i++)
			if (h[i] < '0' || h[i] > '9')
				return false;
	}
	if (tls)
		return true;
	return (hlen == 9 && strncmp(h, "localhost", 9) == 0) || (hlen == 5 && strncmp(h, "[::1]", 5) == 0) ||
	       ipv4_loopback(h, hlen);
}

/* Keys that would put a credential in the repository. */
bool mg_aws_secret_key(const char *k)
{
	static const char *const keys[] = { "access-key-id", "aws-access-key-id", "aws_access_key_id", "access-key",
					    "secret-access-key", "aws-secret-access-key", "aws_secret_access_key",
					    "secret", "secret-key", "session-token", "aws-session-token",
					    "aws_session_token", "token", "password", "credentials" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

int mg_backend_aws_client(mg_aws_client **out, const mg_aws_client_options *o, const char *backend,
			  const char *environment)
{
	int r = mg_aws_client_new(out, o);
	if (r < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", mg_error_last());
		mg_error_set("%s backend of environment '%s': %s", backend, environment, msg);
		*out = NULL;
	}
	return r;
}
