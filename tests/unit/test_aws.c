/*
 * test_aws.c - src/aws/ apart from signing: the INI reader, the credential
 * chain (environment and files in a scratch HOME), the error-body and
 * AssumeRole parsers, the outcome classes, the endpoint rule, a transport
 * failure on a closed loopback port with the client's own retries, and that
 * no message ever holds the secret key or the session token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_int.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "mgt.h"

#define SECRET "SeCrEtKeY/abcdefghijklmnopqrstuvwxyz0123"
#define TOKEN "ToKeNvAlUe+zyxwvutsrqponmlkjihgfedcba9876543210"

static void no_secret(const char *s)
{
	MGT_CHECK(strstr(s, SECRET) == NULL);
	MGT_CHECK(strstr(s, TOKEN) == NULL);
	MGT_CHECK(strstr(s, "SeCrEt") == NULL);
	MGT_CHECK(strstr(s, "ToKeN") == NULL);
}

static void clear_env(void)
{
	static const char *const vars[] = { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
					    "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
					    "AWS_CONFIG_FILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
					    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
					    "ACTIONS_ID_TOKEN_REQUEST_URL" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", mgt_scratch(), 1);
}

static int ini(const char *text, const char *section, const char *key, char *out, size_t cap)
{
	return mg_aws_ini_get(text, strlen(text), section, key, out, cap);
}

/* ---- INI ---- */

static void test_ini__reads_sections_keys_and_comments(void)
{
	const char *t = "# top comment\n"
			"; another\n"
			"\n"
			"[default]\n"
			"aws_access_key_id=AKIADEFAULT\n"
			"aws_secret_access_key   =   with spaces inside  \n"
			"[profile   ci]   # trailing comment\r\n"
			"region = eu-west-1\r\n"
			"s3 =\n"
			"    max_concurrent_requests = 10\n"
			"AWS_SESSION_TOKEN = upper\n"
			"empty =\n";
	char v[64];
	MGT_EQ_INT(ini(t, "default", "aws_access_key_id", v, sizeof v), 0);
	MGT_EQ_STR(v, "AKIADEFAULT");
	MGT_EQ_INT(ini(t, "default", "aws_secret_access_key", v, sizeof v), 0);
	MGT_EQ_STR(v, "with spaces inside");
	MGT_EQ_INT(ini(t, "profile ci", "region", v, sizeof v), 0);
	MGT_EQ_STR(v, "eu-west-1");
	MGT_EQ_INT(ini(t, "profile ci", "aws_session_token", v, sizeof v), 0);
	MGT_EQ_STR(v, "upper");
	MGT_EQ_INT(ini(t, "profile ci", "empty", v, sizeof v), 0);
	MGT_EQ_STR(v, "");
	/* nested settings are not keys of the section */
	MGT_EQ_INT(ini(t, "profile ci", "max_concurrent_requests", v, sizeof v), MG_ENOTFOUND);
	MGT_EQ_INT(ini(t, "profile ci", "aws_access_key_id", v, sizeof v), MG_ENOTFOUND);
	MGT_EQ_INT(ini(t, "nope", "region", v, sizeof v), MG_ENOTFOUND);
	MGT_EQ_INT(ini(t, "default", "aws_access_key_id", v, 5), MG_ETOOBIG);
	MGT_CHECK(strstr(mg_error_last(), "AKIADEFAULT") == NULL);
	MGT_EQ_INT(ini("", "default", "x", v, sizeof v), MG_ENOTFOUND);
	MGT_EQ_INT(ini("[a]\nk = v", "a", "k", v, sizeof v), 0); /* no final newline */
	MGT_EQ_STR(v, "v");
	MGT_EQ_INT(ini("[a]\nk = v=w # not a comment", "a", "k", v, sizeof v), 0);
	MGT_EQ_STR(v, "v=w # not a comment");
}

static void test_ini__malformed_text_names_the_line_not_the_value(void)
{
	static const struct { const char *text; const char *line; } bad[] = {
		{ "[a]\nk = v\nthis line is " SECRET "\n", "line 3:" },
		{ "k = " SECRET "\n[a]\n", "line 1:" },
		{ "[a\nk = v\n", "line 1:" },
		{ "[]\n", "line 1:" },
		{ "[a] junk " SECRET "\n", "line 1:" },
		{ "[a]\n = " SECRET "\n", "line 2:" },
		{ "[a]\nk = v\n  indented " SECRET "\n", "line 3:" },
		{ "[a]\nk = 1\nk = " SECRET "\n", "line 3:" },
		{ "[a]\nk = 1\n[a]\nj = 2\n", "line 3:" },
		{ "[a]\nbad key = " SECRET "\n", "line 2:" },
		{ "[a]\nk = v\n[b]\nno equals " SECRET "\n", "line 4:" },
	};
	char v[64];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mg_error_clear();
		int r = ini(bad[i].text, "a", "k", v, sizeof v);
		if (r != MG_EPARSE)
			fprintf(stderr, "case %zu: %d %s\n", i, r, mg_error_last());
		MGT_EQ_INT(r, MG_EPARSE);
		if (!strstr(mg_error_last(), bad[i].line))
			fprintf(stderr, "case %zu: %s\n", i, mg_error_last());
		MGT_CHECK(strstr(mg_error_last(), bad[i].line) != NULL);
		no_secret(mg_error_last());
	}
	/* a NUL byte, and a line past the limit */
	MGT_EQ_INT(mg_aws_ini_get("[a]\nk = \0x\n", 11, "a", "k", v, sizeof v), MG_EPARSE);
	size_t n = MG_AWS__INI_LINE_MAX + 20;
	char *big = malloc(n + 8);
	memcpy(big, "[a]\nk = ", 8);
	memset(big + 8, 'x', n - 8);
	big[n] = '\0';
	MGT_EQ_INT(ini(big, "a", "k", v, sizeof v), MG_EPARSE);
	MGT_CHECK(strstr(mg_error_last(), "line 2") != NULL);
	free(big);
}

/* ---- the credential chain ---- */

static void test_credentials__environment_first(void)
{
	mg_aws_credentials c;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN, 1);
	mgt_write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = x\n");
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIAENVIRONMENT");
	MGT_EQ_STR(c.secret_access_key, SECRET);
	MGT_EQ_STR(c.session_token, TOKEN);
	MGT_EQ_STR(c.source, "environment");
	MGT_EQ_INT(c.expiration, 0);
	/* a profile named by the caller skips the environment */
	MGT_EQ_INT(mg_aws_credentials_resolve("default", "eu-west-1", NULL, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIAFILE");
	mg_aws_credentials_wipe(&c);
	for (size_t i = 0; i < sizeof c; i++)
		MGT_CHECK(((unsigned char *)&c)[i] == 0);
	/* half a pair is an error, not a silent fall-through */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "AWS_SECRET_ACCESS_KEY") != NULL);
	clear_env();
}

static void test_credentials__profiles_in_both_files(void)
{
	mg_aws_credentials c;
	clear_env();
	mgt_write(".aws/credentials", "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = " SECRET
				      "\n[ci]\naws_access_key_id = AKIACI\naws_secret_access_key = s2\n"
				      "aws_session_token = " TOKEN "\n");
	mgt_write(".aws/config", "[default]\nregion = eu-west-1\n[profile cfg]\naws_access_key_id = AKIACFG\n"
				 "aws_secret_access_key = s3\n[profile half]\naws_access_key_id = AKIAHALF\n"
				 "[profile sso]\nsso_session = x\n[profile loop]\nrole_arn = arn:aws:iam::1:role/r\n"
				 "source_profile = loop2\n[profile loop2]\nrole_arn = arn:aws:iam::1:role/r\n"
				 "source_profile = loop\n[profile norole]\nrole_arn = arn:aws:iam::1:role/r\n");
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, NULL, NULL, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIADEFAULT");
	MGT_CHECK(strstr(c.source, "profile default in ") != NULL);
	MGT_CHECK(strstr(c.source, ".aws/credentials") != NULL);
	setenv("AWS_PROFILE", "ci", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, NULL, NULL, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIACI");
	MGT_EQ_STR(c.session_token, TOKEN);
	MGT_EQ_INT(mg_aws_credentials_resolve("cfg", NULL, NULL, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIACFG");
	MGT_CHECK(strstr(c.source, ".aws/config") != NULL);
	MGT_EQ_INT(mg_aws_credentials_resolve("half", NULL, NULL, &c), MG_EINVALID);
	no_secret(mg_error_last());
	MGT_EQ_INT(mg_aws_credentials_resolve("sso", NULL, NULL, &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "SSO") != NULL);
	MGT_EQ_INT(mg_aws_credentials_resolve("loop", NULL, NULL, &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "loop") != NULL);
	MGT_EQ_INT(mg_aws_credentials_resolve("norole", NULL, NULL, &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "source_profile") != NULL);
	/* not found: every place looked is named */
	MGT_EQ_INT(mg_aws_credentials_resolve("absent", NULL, NULL, &c), MG_ENOTFOUND);
	MGT_CHECK(strstr(mg_error_last(), ".aws/credentials") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "[profile absent]") != NULL);
	unsetenv("AWS_PROFILE");
	setenv("AWS_SHARED_CREDENTIALS_FILE", mgt_write("other/creds", "[default]\n"), 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, NULL, NULL, &c), MG_ENOTFOUND);
	MGT_CHECK(strstr(mg_error_last(), "other/creds") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "/nonexistent/config' (no such file)") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "environment") != NULL);
	/* a malformed file is an error with its name and line */
	setenv("AWS_SHARED_CREDENTIALS_FILE", mgt_write("other/bad", "[default]\n" SECRET "\n"), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, NULL, NULL, &c), MG_EPARSE);
	MGT_CHECK(strstr(mg_error_last(), "other/bad' line 2") != NULL);
	no_secret(mg_error_last());
	mg_aws_credentials_wipe(&c);
	clear_env();
}

/* ---- parsers ---- */

static void test_credentials__region_as_the_sdks_find_it(void)
{
	char region[64];
	clear_env();
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	MGT_EQ_INT(mg_aws_region_resolve(NULL, region, sizeof region), MG_ENOTFOUND);
	MGT_CHECK(strstr(mg_error_last(), "AWS_DEFAULT_REGION") != NULL);
	MGT_CHECK(strstr(mg_error_last(), ".aws/config") != NULL);
	mgt_write(".aws/config", "[default]\nregion = eu-central-1\n[profile ci]\nregion = us-west-2\n"
				 "[profile bad]\nregion = Not A Region\n");
	MGT_EQ_INT(mg_aws_region_resolve(NULL, region, sizeof region), 0);
	MGT_EQ_STR(region, "eu-central-1");
	MGT_EQ_INT(mg_aws_region_resolve("ci", region, sizeof region), 0);
	MGT_EQ_STR(region, "us-west-2");
	setenv("AWS_PROFILE", "ci", 1);
	MGT_EQ_INT(mg_aws_region_resolve(NULL, region, sizeof region), 0);
	MGT_EQ_STR(region, "us-west-2");
	MGT_EQ_INT(mg_aws_region_resolve("bad", region, sizeof region), MG_EINVALID);
	/* the environment first, AWS_REGION before AWS_DEFAULT_REGION */
	setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
	MGT_EQ_INT(mg_aws_region_resolve("ci", region, sizeof region), 0);
	MGT_EQ_STR(region, "ap-south-1");
	setenv("AWS_REGION", "sa-east-1", 1);
	MGT_EQ_INT(mg_aws_region_resolve("ci", region, sizeof region), 0);
	MGT_EQ_STR(region, "sa-east-1");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
}

static void parse_err(const char *body, const char *header, mg_aws_response *r)
{
	mg_aws_response_init(r);
	mg_aws_parse_error(body, strlen(body), header, r);
}

static void test_errors__json_and_xml_bodies(void)
{
	mg_aws_response r;
	parse_err("{\"__type\":\"com.amazonaws.glue#EntityNotFoundException\",\"Message\":\"Database x not found.\"}",
		  NULL, &r);
	MGT_EQ_STR(r.error_code, "EntityNotFoundException");
	MGT_EQ_STR(r.message, "Database x not found.");
	parse_err("{\"__type\":\"AccessDeniedException:http://internal.amazon.com/coral/\",\"message\":\"no\"}", NULL,
		  &r);
	MGT_EQ_STR(r.error_code, "AccessDeniedException");
	MGT_EQ_STR(r.message, "no");
	/* the header wins over the body, "code" over "__type" */
	parse_err("{\"code\":\"BodyCode\",\"__type\":\"Other\"}", "InvalidInputException:http://x/", &r);
	MGT_EQ_STR(r.error_code, "InvalidInputException");
	parse_err("{\"code\":\"BodyCode\",\"__type\":\"Other\",\"message\":\"line1\\nline2\\u0007\"}", NULL, &r);
	MGT_EQ_STR(r.error_code, "BodyCode");
	MGT_EQ_STR(r.message, "line1 line2");
	parse_err("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
		  "  <Error><Type>Sender</Type><Code>AccessDenied</Code>\n"
		  "    <Message>User: arn:aws:iam::1:user/x is not authorized &amp; &lt;b&gt; &#x41;&#66;</Message>\n"
		  "  </Error>\n  <RequestId>4c5a-11</RequestId>\n</ErrorResponse>", NULL, &r);
	MGT_EQ_STR(r.error_code, "AccessDenied");
	MGT_EQ_STR(r.message, "User: arn:aws:iam::1:user/x is not authorized & <b> AB");
	MGT_EQ_STR(r.request_id, "4c5a-11");
	parse_err("<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Reduce</Message></Error>", NULL, &r);
	MGT_EQ_STR(r.error_code, "SlowDown");
	MGT_EQ_STR(r.message, "Reduce");
	/* malformed or hostile bodies give nothing, and never a crash */
	parse_err("<!DOCTYPE x [<!ENTITY a \"b\">]><Error><Code>&a;</Code></Error>", NULL, &r);
	MGT_EQ_STR(r.error_code, "");
	parse_err("{\"__type\": 5, \"message\": []}", NULL, &r);
	MGT_EQ_STR(r.error_code, "");
	MGT_EQ_STR(r.message, "");
	parse_err("not an error body", NULL, &r);
	MGT_EQ_STR(r.error_code, "");
	char code[300];
	memset(code, 'A', sizeof code - 1);
	code[sizeof code - 1] = '\0';
	parse_err(code, code, &r);
	MGT_EQ_INT(strlen(r.error_code), sizeof r.error_code - 1);
}

static void test_errors__outcome_classes(void)
{
	MGT_EQ_INT(mg_aws__classify(200, ""), MG_AWS_OK);
	MGT_EQ_INT(mg_aws__classify(204, "Whatever"), MG_AWS_OK);
	static const char *const throttled[] = { "ThrottlingException", "Throttling", "TooManyRequestsException",
						 "RequestLimitExceeded", "ProvisionedThroughputExceededException",
						 "SlowDown", "ConcurrentModificationException" };
	for (size_t i = 0; i < sizeof throttled / sizeof throttled[0]; i++)
		MGT_EQ_INT(mg_aws__classify(400, throttled[i]), MG_AWS_RETRYABLE);
	MGT_EQ_INT(mg_aws__classify(429, ""), MG_AWS_RETRYABLE);
	MGT_EQ_INT(mg_aws__classify(500, "InternalServiceException"), MG_AWS_RETRYABLE);
	MGT_EQ_INT(mg_aws__classify(502, ""), MG_AWS_RETRYABLE);
	MGT_EQ_INT(mg_aws__classify(503, ""), MG_AWS_RETRYABLE);
	MGT_EQ_INT(mg_aws__classify(504, ""), MG_AWS_RETRYABLE);
	MGT_EQ_INT(mg_aws__classify(400, "InvalidInputException"), MG_AWS_FAILED);
	MGT_EQ_INT(mg_aws__classify(403, "AccessDeniedException"), MG_AWS_FAILED);
	MGT_EQ_INT(mg_aws__classify(400, "EntityNotFoundException"), MG_AWS_FAILED);
	MGT_EQ_INT(mg_aws__classify(404, ""), MG_AWS_FAILED);
	MGT_EQ_INT(mg_aws__classify(501, ""), MG_AWS_FAILED);
}

static const char assume_ok[] =
	"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
	"  <AssumeRoleResult>\n"
	"    <SourceIdentity>DevUser123</SourceIdentity>\n"
	"    <AssumedRoleUser>\n"
	"      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>\n"
	"      <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>\n"
	"    </AssumedRoleUser>\n"
	"    <Credentials>\n"
	"      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
	"      <SecretAccessKey>" SECRET "</SecretAccessKey>\n"
	"      <SessionToken>" TOKEN "&amp;x</SessionToken>\n"
	"      <Expiration>2019-11-09T13:34:41Z</Expiration>\n"
	"    </Credentials>\n"
	"    <PackedPolicySize>6</PackedPolicySize>\n"
	"  </AssumeRoleResult>\n"
	"  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>\n"
	"</AssumeRoleResponse>\n";

static void test_sts__assume_role_response(void)
{
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	snprintf(c.source, sizeof c.source, "kept");
	MGT_EQ_INT(mg_aws_parse_assume_role(assume_ok, strlen(assume_ok), &c), 0);
	MGT_EQ_STR(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
	MGT_EQ_STR(c.secret_access_key, SECRET);
	MGT_EQ_STR(c.session_token, TOKEN "&x");
	MGT_EQ_INT(c.expiration, 1573306481LL);
	MGT_EQ_STR(c.source, "kept");
	/* each field missing, a credential outside Credentials, truncation, junk */
	static const char *const fields[] = { "AccessKeyId>", "SecretAccessKey>", "SessionToken>", "Expiration>" };
	for (size_t i = 0; i < 4; i++) {
		char buf[sizeof assume_ok];
		snprintf(buf, sizeof buf, "%s", assume_ok);
		for (char *p = buf; (p = strstr(p, fields[i])) != NULL; p++)
			*p = 'X'; /* <XccessKeyId>..</XccessKeyId>: that field is missing */
		mg_aws_credentials d;
		memset(&d, 0, sizeof d);
		MGT_EQ_INT(mg_aws_parse_assume_role(buf, strlen(buf), &d), MG_EPARSE);
		if (i == 0)
			MGT_EQ_STR(mg_error_last(), "the AssumeRole response has no AssumeRoleResult/Credentials/AccessKeyId");
		no_secret(mg_error_last());
	}
	const char *outside = "<AssumeRoleResponse><AssumeRoleResult><AccessKeyId>A</AccessKeyId>"
			      "<Credentials><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
			      "<Expiration>2019-11-09T13:34:41Z</Expiration></Credentials></AssumeRoleResult>"
			      "</AssumeRoleResponse>";
	MGT_EQ_INT(mg_aws_parse_assume_role(outside, strlen(outside), &c), MG_EPARSE);
	MGT_CHECK(strstr(mg_error_last(), "AccessKeyId") != NULL);
	for (size_t n = 0; n < strlen(assume_ok) - 30; n += 7)
		MGT_EQ_INT(mg_aws_parse_assume_role(assume_ok, n, &c), MG_EPARSE);
	const char *bad_date = "<R><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s"
			       "</SecretAccessKey><SessionToken>t</SessionToken><Expiration>tomorrow</Expiration>"
			       "</Credentials></AssumeRoleResult></R>";
	MGT_EQ_INT(mg_aws_parse_assume_role(bad_date, strlen(bad_date), &c), MG_EPARSE);
	MGT_EQ_INT(mg_aws__parse_iso8601("1970-01-01T00:00:00Z"), 0);
	MGT_EQ_INT(mg_aws__parse_iso8601("2019-11-09T13:34:41.123Z"), 1573306481LL);
	MGT_EQ_INT(mg_aws__parse_iso8601("2019-11-09T14:34:41+01:00"), 1573306481LL);
	MGT_EQ_INT(mg_aws__parse_iso8601("2019-13-09T13:34:41Z"), -1);
	mg_aws_credentials_wipe(&c);
}

static void test_xml__depth_and_text_limits(void)
{
	mg_aws_response r;
	char deep[200];
	for (int i = 0; i < 40; i++)
		memcpy(deep + 3 * i, "<a>", 3);
	deep[120] = '\0';
	MGT_EQ_INT(mg_aws_parse_assume_role(deep, strlen(deep), &(mg_aws_credentials){ 0 }), MG_EPARSE);
	MGT_CHECK(strstr(mg_error_last(), "deep") != NULL);
	size_t n = MG_AWS__XML_TEXT_MAX + 100;
	char *big = malloc(n + 64);
	memcpy(big, "<Error><Code>", 13);
	memset(big + 13, 'x', n);
	memcpy(big + 13 + n, "</Code></Error>", 16);
	mg_aws_response_init(&r);
	mg_aws_parse_error(big, strlen(big), NULL, &r);
	MGT_EQ_STR(r.error_code, "");
	free(big);
}

/* ---- the client ---- */

static void env_keys(void)
{
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIATESTCLIENT", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN, 1);
}

static void test_client__endpoint_rule(void)
{
	static const char *const refused[] = {
		"http://lakeformation.eu-west-1.amazonaws.com", "http://127.0.0.1.example.com:5000",
		"http://128.0.0.1:5000", "http://[::2]:5000", "ftp://127.0.0.1/", "https://host/path",
		"https://user:pw@host", "https://host/?q=1", "not a url", "http://localhost.example.com",
	};
	static const char *const accepted[] = {
		"https://lakeformation.eu-west-1.amazonaws.com", "https://vpce-1.lakeformation.eu-west-1.vpce.amazonaws.com/",
		"http://127.0.0.1:5000", "http://127.9.8.7:1", "http://localhost:5000", "http://LOCALHOST",
		"http://[::1]:5000",
	};
	mg_aws_client *c = NULL;
	env_keys();
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		mg_aws_client_options o = { .service = "lakeformation", .region = "eu-west-1", .endpoint_url = refused[i] };
		int r = mg_aws_client_new(&c, &o);
		if (r != MG_EINVALID)
			fprintf(stderr, "endpoint %s: %d\n", refused[i], r);
		MGT_EQ_INT(r, MG_EINVALID);
		MGT_CHECK(c == NULL);
		no_secret(mg_error_last());
	}
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		mg_aws_client_options o = { .service = "glue", .region = "eu-west-1", .endpoint_url = accepted[i] };
		int r = mg_aws_client_new(&c, &o);
		if (r != 0)
			fprintf(stderr, "endpoint %s: %s\n", accepted[i], mg_error_last());
		MGT_EQ_INT(r, 0);
		if (c) {
			MGT_EQ_STR(mg_aws_client_identity(c), "environment (AKIA...ENT)");
			no_secret(mg_aws_client_identity(c));
		}
		mg_aws_client_free(c);
		c = NULL;
	}
	mg_aws_client_options bad = { .service = "glue", .region = "eu-west-1.evil.com/" };
	MGT_EQ_INT(mg_aws_client_new(&c, &bad), MG_EINVALID);
	clear_env();
}

static int sleeps;
static long slept_ms;
static void fake_sleep(void *ctx, long ms)
{
	(void)ctx;
	sleeps++;
	slept_ms += ms;
}

static unsigned long fixed_random(void *ctx)
{
	(void)ctx;
	return 7;
}

static void test_client__closed_port_is_retryable_and_retried(void)
{
	mg_retry_policy p = MG_RETRY_STANDARD;
	p.sleep_ms = fake_sleep;
	p.random = fixed_random;
	mg_aws_client *c = NULL;
	mg_aws_response resp;
	env_keys();
	mg_aws_client_options o = { .service = "glue", .region = "eu-west-1", .endpoint_url = "http://127.0.0.1:1",
				    .retry = &p, .timeout_ms = 2000 };
	MGT_EQ_INT(mg_aws_client_new(&c, &o), 0);
	mg_aws_response_init(&resp);
	mg_aws_call_input in = { .protocol = MG_AWS_JSON_1_1, .target = "AWSGlue.GetDatabases", .body = "{}",
				 .body_len = 2, .idempotent = true };
	sleeps = 0;
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_RETRYABLE);
	MGT_EQ_INT(resp.http_status, 0);
	MGT_EQ_INT(sleeps, 2); /* 3 attempts in all */
	MGT_CHECK(strstr(resp.message, "cannot reach glue at http://127.0.0.1:1") != NULL);
	no_secret(resp.message);
	/* not idempotent: one attempt */
	in.idempotent = false;
	sleeps = 0;
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_RETRYABLE);
	MGT_EQ_INT(sleeps, 0);
	/* a JSON 1.1 call needs a target: nothing is sent */
	in.target = NULL;
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), MG_EINVALID);
	no_secret(mg_error_last());
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
	clear_env();
}

static void test_client__scrubs_secrets_from_service_messages(void)
{
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	snprintf(c.secret_access_key, sizeof c.secret_access_key, SECRET);
	snprintf(c.session_token, sizeof c.session_token, TOKEN);
	char msg[256];
	snprintf(msg, sizeof msg, "echoed " SECRET " and " TOKEN " back");
	mg_aws__scrub(msg, &c);
	MGT_EQ_STR(msg, "echoed *** and *** back");
	char line[8];
	mg_aws__clean_line(line, sizeof line, "abc\xe2\x82\xac\xe2\x82\xac", 9);
	MGT_EQ_STR(line, "abc\xe2\x82\xac");
}

MGT_MAIN(test_ini__reads_sections_keys_and_comments, test_credentials__region_as_the_sdks_find_it, test_ini__malformed_text_names_the_line_not_the_value,
	 test_credentials__environment_first, test_credentials__profiles_in_both_files,
	 test_errors__json_and_xml_bodies, test_errors__outcome_classes, test_sts__assume_role_response,
	 test_xml__depth_and_text_limits, test_client__endpoint_rule,
	 test_client__closed_port_is_retryable_and_retried, test_client__scrubs_secrets_from_service_messages)
