/*
 * test_aws_chain.c - the credential chain's remote sources against a
 * scripted fake server on a loopback port (fake_http.h): web identity (a
 * token file, a profile, GitHub Actions' OIDC endpoint) through an unsigned
 * AssumeRoleWithWebIdentity, the container endpoint with its authorization
 * token, IMDSv2 through AWS_EC2_METADATA_SERVICE_ENDPOINT; the exact
 * requests each sends, the order of the chain, refreshes before expiry (and
 * a failed refresh of still-valid credentials), the parsers of their
 * answers, and that no token or secret reaches any message.  Every STS
 * form sent is checked against the STS API model (tests/data/aws-models):
 * the operation, its version, member names, required members, lengths,
 * ranges and patterns, and whether the operation is signed.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_int.h"
#include "fake_http.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "mgt.h"

#define WEB_TOKEN "eyJWebIdentityToken.PaYlOaD.SiGnAtUrE0123456789"
#define GH_BEARER "GhRequestBearer0123456789abcdef"
#define ECS_AUTH "EcsAuthToken0123456789abcdef"
#define IMDS_TOKEN "ImdsSessionToken0123456789abcdef=="
#define SECRET "ReMoTeSeCrEt/0123456789abcdefghijklmnopq"
#define SESSION "ReMoTeSeSsIoN+zyxwvutsrqponmlkjihgfedcba9876543210"

static void no_secret(const char *s)
{
	static const char *const secrets[] = { WEB_TOKEN, GH_BEARER, ECS_AUTH, IMDS_TOKEN, SECRET, SESSION,
					       "SiGnAtUrE", "ReMoTeSeCrEt", "ReMoTeSeSsIoN" };
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(s, secrets[i])) {
			fprintf(stderr, "a secret in: %s\n", s);
			MGT_CHECK(strstr(s, secrets[i]) == NULL);
		}
}

static void clear_env(void)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("HOME", mgt_scratch(), 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void iso(char *out, size_t cap, long long from_now)
{
	time_t t = (time_t)((long long)time(NULL) + from_now);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char url_buf[128];
static const char *url_of(const server *s, const char *path)
{
	snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%d%s", s->port, path);
	return url_buf;
}

#define OK_XML "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
#define OK_JSON "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

static char sts_body[2048];
static const char *web_identity_answer(const char *key_id, long long expires_in)
{
	char when[32];
	iso(when, sizeof when, expires_in);
	snprintf(sts_body, sizeof sts_body,
		 "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		 "<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>repo:o/r</SubjectFromWebIdentityToken>"
		 "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>" SECRET "</SecretAccessKey>"
		 "<SessionToken>" SESSION "</SessionToken><Expiration>%s</Expiration></Credentials>"
		 "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
		 key_id, when);
	return sts_body;
}

static void doc(char *out, size_t cap, const char *key_id, long long expires_in, bool imds)
{
	char when[32];
	iso(when, sizeof when, expires_in);
	snprintf(out, cap,
		 "{%s\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" SESSION "\","
		 "\"Expiration\":\"%s\"%s}",
		 imds ? "\"Code\":\"Success\",\"LastUpdated\":\"2026-01-01T00:00:00Z\",\"Type\":\"AWS-HMAC\"," : "",
		 key_id, when, imds ? "" : ",\"RoleArn\":\"arn:aws:iam::123456789012:role/task\"");
}

/* ---- the STS model ---- */

static cJSON *sts_model;

static const cJSON *sts_get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void load_sts_model(void)
{
	if (sts_model)
		return;
	mg_buf text = MG_BUF_INIT;
	MGT_EQ_INT(mg_buf_read_file(&text, MGT_SRCDIR "/data/aws-models/sts/2011-06-15/service-2.json", 1 << 20), 0);
	sts_model = cJSON_ParseWithLength(text.ptr, text.len);
	mg_buf_release(&text);
	MGT_CHECK(sts_model != NULL);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into out; false when malformed. */
static bool form_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o + 1 >= cap)
			return false;
		if (s[i] == '%') {
			if (i + 2 >= n)
				return false;
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return false;
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return true;
}

/* A query-protocol form body as the model's operation wants it; signed says whether it was. */
static void check_form(const char *operation, const char *body, bool signed_request)
{
	load_sts_model();
	const cJSON *op = sts_get(sts_get(sts_model, "operations"), operation);
	MGT_CHECK(op != NULL);
	if (!op)
		return;
	MGT_EQ_STR(cJSON_GetStringValue(sts_get(sts_get(op, "http"), "method")), "POST");
	const char *authtype = cJSON_GetStringValue(sts_get(op, "authtype"));
	MGT_EQ_INT(signed_request, !(authtype && strcmp(authtype, "none") == 0));
	const cJSON *shapes = sts_get(sts_model, "shapes");
	const cJSON *input = sts_get(shapes, cJSON_GetStringValue(sts_get(sts_get(op, "input"), "shape")));
	const cJSON *members = sts_get(input, "members");
	bool seen_action = false, seen_version = false;
	char present[16][64];
	size_t npresent = 0;
	for (const char *p = body; *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		MGT_CHECK(eq != NULL);
		if (!eq)
			return;
		char key[64], value[MG_AWS__WEB_TOKEN_MAX + 1];
		MGT_CHECK(form_decode(p, (size_t)(eq - p), key, sizeof key));
		MGT_CHECK(form_decode(eq + 1, (size_t)(end - eq - 1), value, sizeof value));
		p = amp ? amp + 1 : end;
		if (strcmp(key, "Action") == 0) {
			MGT_EQ_STR(value, operation);
			seen_action = true;
			continue;
		}
		if (strcmp(key, "Version") == 0) {
			MGT_EQ_STR(value, cJSON_GetStringValue(sts_get(sts_get(sts_model, "metadata"), "apiVersion")));
			seen_version = true;
			continue;
		}
		const cJSON *m = sts_get(members, key);
		if (!m)
			fprintf(stderr, "%s has no member %s\n", operation, key);
		MGT_CHECK(m != NULL);
		if (!m)
			continue;
		if (npresent < 16)
			snprintf(present[npresent++], sizeof present[0], "%s", key);
		const cJSON *t = sts_get(shapes, cJSON_GetStringValue(sts_get(m, "shape")));
		const char *type = cJSON_GetStringValue(sts_get(t, "type"));
		const cJSON *min = sts_get(t, "min"), *max = sts_get(t, "max");
		if (strcmp(type, "string") == 0) {
			long n = (long)strlen(value);
			MGT_CHECK(!min || n >= (long)min->valuedouble);
			MGT_CHECK(!max || n <= (long)max->valuedouble);
			const char *pattern = cJSON_GetStringValue(sts_get(t, "pattern"));
			if (pattern && strcmp(pattern, "[\\w+=,.@-]*") == 0)
				for (const char *c = value; *c; c++)
					MGT_CHECK((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
						  (*c >= '0' && *c <= '9') || strchr("_+=,.@-", *c));
		} else if (strcmp(type, "integer") == 0) {
			char *e;
			long v = strtol(value, &e, 10);
			MGT_CHECK(*value && !*e);
			MGT_CHECK(!min || v >= (long)min->valuedouble);
			MGT_CHECK(!max || v <= (long)max->valuedouble);
		} else {
			fprintf(stderr, "%s.%s: a %s meshgate does not send\n", operation, key, type);
			MGT_CHECK(false);
		}
	}
	MGT_CHECK(seen_action && seen_version);
	const cJSON *req;
	cJSON_ArrayForEach(req, sts_get(input, "required"))
	{
		bool found = false;
		for (size_t i = 0; i < npresent; i++)
			found |= strcmp(present[i], req->valuestring) == 0;
		if (!found)
			fprintf(stderr, "%s: required %s not sent\n", operation, req->valuestring);
		MGT_CHECK(found);
	}
	/* the answer is read under the model's result wrapper */
	const char *wrapper = cJSON_GetStringValue(sts_get(sts_get(op, "output"), "resultWrapper"));
	char want[64];
	snprintf(want, sizeof want, "%sResult", operation);
	MGT_EQ_STR(wrapper, want);
}

/* ---- web identity ---- */

static void test_web_identity__token_file_and_role_from_the_environment(void)
{
	clear_env();
	const char *file = mgt_write("token", WEB_TOKEN "\n");
	reply rs[] = { { OK_XML, web_identity_answer("ASIAWEBIDENTITY", 3600), 0, 0 } };
	server s;
	server_start(&s, rs, 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", file, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci/deploy+x", 1);
	setenv("AWS_ROLE_SESSION_NAME", "run-42", 1);
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", url_of(&s, ""), &c), 0);
	server_stop(&s);
	MGT_EQ_INT((long long)s.got, 1);
	MGT_EQ_STR(c.access_key_id, "ASIAWEBIDENTITY");
	MGT_EQ_STR(c.secret_access_key, SECRET);
	MGT_EQ_STR(c.session_token, SESSION);
	MGT_CHECK(c.expiration > (long long)time(NULL) + 3500);
	MGT_CHECK(strstr(c.source, "web identity role arn:aws:iam::123456789012:role/ci/deploy+x") != NULL);
	no_secret(c.source);
	/* the request: unsigned, a form with the token, the role and the session name */
	const char *req = s.requests[0];
	char h[256];
	MGT_CHECK(strncmp(req, "POST / HTTP/1.1\r\n", 17) == 0);
	MGT_EQ_STR(header(req, "Authorization", h, sizeof h), "");
	MGT_EQ_STR(header(req, "X-Amz-Security-Token", h, sizeof h), "");
	MGT_EQ_STR(header(req, "Content-Type", h, sizeof h), "application/x-www-form-urlencoded; charset=utf-8");
	check_form("AssumeRoleWithWebIdentity", body_of(req), false);
	MGT_EQ_STR(body_of(req), "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
				 "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fci%2Fdeploy%2Bx"
				 "&RoleSessionName=run-42&WebIdentityToken=" WEB_TOKEN);
	mg_aws_credentials_wipe(&c);
}

static void test_web_identity__refusals_name_the_cause_never_the_token(void)
{
	clear_env();
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	const char *file = mgt_write("token", WEB_TOKEN);
	/* STS refuses, echoing the token: the message keeps the code and drops the token */
	reply rs[] = { { "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\n",
			 "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
			 "<Message>Token " WEB_TOKEN " has expired</Message></Error></ErrorResponse>", 0, 0 } };
	server s;
	server_start(&s, rs, 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", file, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", url_of(&s, ""), &c), MG_EBACKEND);
	server_stop(&s);
	MGT_CHECK(strstr(mg_error_last(), "InvalidIdentityToken") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "AssumeRoleWithWebIdentity") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "***") != NULL);
	no_secret(mg_error_last());
	/* half a configuration is an error, not a fallback */
	unsetenv("AWS_ROLE_ARN");
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "AWS_ROLE_ARN") != NULL);
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "ACTIONS_ID_TOKEN_REQUEST_URL") != NULL);
	/* an empty token file, a missing one, a token with a line inside */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", mgt_write("empty", " \n"), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "empty") != NULL);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token", 1);
	MGT_CHECK(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c) < 0);
	MGT_CHECK(strstr(mg_error_last(), "/nonexistent/token") != NULL);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", mgt_write("two", WEB_TOKEN "\n" WEB_TOKEN "\n"), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	no_secret(mg_error_last());
	/* a session name STS would refuse */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", file, 1);
	setenv("AWS_ROLE_SESSION_NAME", "no spaces", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(c.access_key_id[0] == '\0');
}

static void test_web_identity__github_actions_oidc(void)
{
	clear_env();
	reply rs[] = { { OK_JSON, "{\"count\":1,\"value\":\"" WEB_TOKEN "\"}", 0, 0 },
		       { OK_XML, web_identity_answer("ASIAGITHUB", 3600), 0, 0 } };
	server s;
	server_start(&s, rs, 2);
	char gh[160];
	snprintf(gh, sizeof gh, "http://127.0.0.1:%d/oidc/token?api-version=2.0", s.port);
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", gh, 1);
	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GH_BEARER, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/gha", 1);
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", url_of(&s, ""), &c), 0);
	server_stop(&s);
	MGT_EQ_INT((long long)s.got, 2);
	MGT_EQ_STR(c.access_key_id, "ASIAGITHUB");
	MGT_CHECK(strstr(c.source, "GitHub Actions OIDC") != NULL);
	char h[256];
	MGT_CHECK(strncmp(s.requests[0], "GET /oidc/token?api-version=2.0&audience=sts.amazonaws.com HTTP/1.1", 67) == 0);
	MGT_EQ_STR(header(s.requests[0], "Authorization", h, sizeof h), "bearer " GH_BEARER);
	MGT_CHECK(strstr(body_of(s.requests[1]), "&WebIdentityToken=" WEB_TOKEN) != NULL);
	MGT_CHECK(strstr(body_of(s.requests[1]), "RoleSessionName=meshgate&") != NULL);
	check_form("AssumeRoleWithWebIdentity", body_of(s.requests[1]), false);
	mg_aws_credentials_wipe(&c);
	/* the endpoint refuses (a job without id-token: write) */
	reply no[] = { { "HTTP/1.1 403 Forbidden\r\n", "{\"message\":\"" GH_BEARER "\"}", 0, 0 } };
	server_start(&s, no, 1);
	snprintf(gh, sizeof gh, "http://127.0.0.1:%d/oidc/token", s.port);
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", gh, 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EBACKEND);
	server_stop(&s);
	MGT_CHECK(strstr(mg_error_last(), "id-token: write") != NULL);
	no_secret(mg_error_last());
	/* plain http to anything but loopback is refused before connecting */
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "http://token.actions.example/x", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "use https") != NULL);
}

static void test_web_identity__profile_with_web_identity_token_file(void)
{
	clear_env();
	const char *file = mgt_write("token", WEB_TOKEN);
	char cfg[1024];
	snprintf(cfg, sizeof cfg,
		 "[profile oidc]\nrole_arn = arn:aws:iam::123456789012:role/p\nweb_identity_token_file = %s\n"
		 "role_session_name = from-profile\n",
		 file);
	mgt_write(".aws/config", cfg);
	reply rs[] = { { OK_XML, web_identity_answer("ASIAPROFILE", 3600), 0, 0 } };
	server s;
	server_start(&s, rs, 1);
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	MGT_EQ_INT(mg_aws_credentials_resolve("oidc", "eu-west-1", url_of(&s, ""), &c), 0);
	server_stop(&s);
	MGT_EQ_STR(c.access_key_id, "ASIAPROFILE");
	MGT_CHECK(strstr(c.source, "profile oidc") != NULL);
	MGT_CHECK(strstr(body_of(s.requests[0]), "RoleSessionName=from-profile&WebIdentityToken=") != NULL);
	check_form("AssumeRoleWithWebIdentity", body_of(s.requests[0]), false);
	mg_aws_credentials_wipe(&c);
}

static void test_assume_role__profile_role_as_the_model_wants_it(void)
{
	clear_env();
	char when[32], xml[2048];
	iso(when, sizeof when, 3600);
	snprintf(xml, sizeof xml,
		 "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId>"
		 "<SecretAccessKey>" SECRET "</SecretAccessKey><SessionToken>" SESSION "</SessionToken>"
		 "<Expiration>%s</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
		 when);
	reply rs[] = { { OK_XML, xml, 0, 0 } };
	server s;
	server_start(&s, rs, 1);
	mgt_write(".aws/credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n");
	mgt_write(".aws/config", "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
				 "source_profile = base\nexternal_id = ext-123\nrole_session_name = ci.run@1\n"
				 "duration_seconds = 1800\n");
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	MGT_EQ_INT(mg_aws_credentials_resolve("deploy", "eu-west-1", url_of(&s, ""), &c), 0);
	server_stop(&s);
	MGT_EQ_STR(c.access_key_id, "ASIAASSUMED");
	char h[1024];
	MGT_CHECK(strstr(header(s.requests[0], "Authorization", h, sizeof h), "Credential=AKIABASE/") != NULL);
	MGT_EQ_STR(body_of(s.requests[0]), "Action=AssumeRole&Version=2011-06-15"
					   "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy"
					   "&RoleSessionName=ci.run%401&DurationSeconds=1800&ExternalId=ext-123");
	check_form("AssumeRole", body_of(s.requests[0]), true);
	mg_aws_credentials_wipe(&c);
}

/* ---- the container endpoint ---- */

static void test_container__full_uri_with_a_token_file(void)
{
	clear_env();
	char d[1024];
	doc(d, sizeof d, "ASIACONTAINER", 3600, false);
	reply rs[] = { { OK_JSON, d, 0, 0 } };
	server s;
	server_start(&s, rs, 1);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url_of(&s, "/v2/credentials/abc"), 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", mgt_write("ecs-token", ECS_AUTH "\n"), 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-the-file-is-set", 1);
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), 0);
	server_stop(&s);
	MGT_EQ_STR(c.access_key_id, "ASIACONTAINER");
	MGT_EQ_STR(c.session_token, SESSION);
	MGT_CHECK(c.expiration > (long long)time(NULL) + 3500);
	MGT_EQ_STR(c.source, "container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)");
	char h[256];
	MGT_CHECK(strncmp(s.requests[0], "GET /v2/credentials/abc HTTP/1.1\r\n", 34) == 0);
	MGT_EQ_STR(header(s.requests[0], "Authorization", h, sizeof h), ECS_AUTH);
	mg_aws_credentials_wipe(&c);
	/* the variable when there is no file; a 5xx is tried again, a 403 is not */
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", ECS_AUTH, 1);
	reply again[] = { { "HTTP/1.1 503 Unavailable\r\n", "", 0, 0 }, { OK_JSON, d, 0, 0 } };
	server_start(&s, again, 2);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url_of(&s, "/creds"), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), 0);
	server_stop(&s);
	MGT_EQ_INT((long long)s.got, 2);
	MGT_EQ_STR(header(s.requests[1], "Authorization", h, sizeof h), ECS_AUTH);
	mg_aws_credentials_wipe(&c);
	reply refused[] = { { "HTTP/1.1 403 Forbidden\r\n", "{\"message\":\"bad token " ECS_AUTH "\"}", 0, 0 } };
	server_start(&s, refused, 1);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url_of(&s, "/creds"), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EBACKEND);
	server_stop(&s);
	MGT_EQ_INT((long long)s.got, 1);
	MGT_CHECK(strstr(mg_error_last(), "HTTP 403") != NULL);
	no_secret(mg_error_last());
}

static void test_container__only_loopback_and_the_agent_over_http(void)
{
	clear_env();
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	static const char *const refused[] = { "http://10.0.0.1/creds", "http://169.254.169.254/creds",
					       "http://example.com/creds", "ftp://127.0.0.1/creds",
					       "http://user@127.0.0.1/creds" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused[i], 1);
		MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EINVALID);
	}
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "no-slash", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EINVALID);
	/* a token with a line break would add a header: refused */
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Injected: 1", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EINVALID);
	MGT_CHECK(c.access_key_id[0] == '\0');
}

/* ---- IMDSv2 ---- */

static void test_imds__token_role_and_credentials(void)
{
	clear_env();
	char d[1024];
	doc(d, sizeof d, "ASIAINSTANCE", 3600, true);
	reply rs[] = { { "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", IMDS_TOKEN, 0, 0 },
		       { "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", "runner-role\n", 0, 0 },
		       { OK_JSON, d, 0, 0 } };
	server s;
	server_start(&s, rs, 3);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url_of(&s, "/"), 1);
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), 0);
	server_stop(&s);
	MGT_EQ_INT((long long)s.got, 3);
	MGT_EQ_STR(c.access_key_id, "ASIAINSTANCE");
	MGT_EQ_STR(c.secret_access_key, SECRET);
	MGT_EQ_STR(c.source, "instance metadata role runner-role");
	char h[256];
	MGT_CHECK(strncmp(s.requests[0], "PUT /latest/api/token HTTP/1.1\r\n", 32) == 0);
	MGT_EQ_STR(header(s.requests[0], "X-aws-ec2-metadata-token-ttl-seconds", h, sizeof h), "21600");
	MGT_CHECK(strncmp(s.requests[1], "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\n", 58) == 0);
	MGT_EQ_STR(header(s.requests[1], "X-aws-ec2-metadata-token", h, sizeof h), IMDS_TOKEN);
	MGT_CHECK(strncmp(s.requests[2], "GET /latest/meta-data/iam/security-credentials/runner-role HTTP/1.1", 67) == 0);
	MGT_EQ_STR(header(s.requests[2], "X-aws-ec2-metadata-token", h, sizeof h), IMDS_TOKEN);
	mg_aws_credentials_wipe(&c);
}

static void test_imds__absent_disabled_roleless_and_failing(void)
{
	clear_env();
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	/* disabled: not asked, and the summary says so */
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_ENOTFOUND);
	MGT_CHECK(strstr(mg_error_last(), "AWS_EC2_METADATA_DISABLED=true") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "no container endpoint") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "no web identity") != NULL);
	/* nothing listening: not found, quickly */
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
	time_t t0 = time(NULL);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_ENOTFOUND);
	MGT_CHECK(time(NULL) - t0 <= 3);
	MGT_CHECK(strstr(mg_error_last(), "instance metadata service") != NULL);
	/* an instance without a role */
	reply roleless[] = { { "HTTP/1.1 200 OK\r\n", IMDS_TOKEN, 0, 0 }, { "HTTP/1.1 404 Not Found\r\n", "", 0, 0 } };
	server s;
	server_start(&s, roleless, 2);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url_of(&s, ""), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_ENOTFOUND);
	server_stop(&s);
	MGT_CHECK(strstr(mg_error_last(), "no IAM role") != NULL);
	/* IMDSv1 only (the token PUT refused): not used */
	reply v1[] = { { "HTTP/1.1 405 Method Not Allowed\r\n", "", 0, 0 } };
	server_start(&s, v1, 1);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url_of(&s, ""), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_ENOTFOUND);
	server_stop(&s);
	MGT_CHECK(strstr(mg_error_last(), "IMDSv2 only") != NULL);
	/* a role name that would change the path; a document that is not Success */
	reply evil[] = { { "HTTP/1.1 200 OK\r\n", IMDS_TOKEN, 0, 0 }, { "HTTP/1.1 200 OK\r\n", "../../x", 0, 0 } };
	server_start(&s, evil, 2);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url_of(&s, ""), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EPARSE);
	server_stop(&s);
	reply bad[] = { { "HTTP/1.1 200 OK\r\n", IMDS_TOKEN, 0, 0 }, { "HTTP/1.1 200 OK\r\n", "r", 0, 0 },
			{ OK_JSON, "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"AccessKeyId\":\"A\"}", 0, 0 } };
	server_start(&s, bad, 3);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url_of(&s, ""), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EPARSE);
	server_stop(&s);
	MGT_CHECK(strstr(mg_error_last(), "AssumeRoleUnauthorizedAccess") != NULL);
	no_secret(mg_error_last());
	/* plain http only to loopback and the metadata addresses */
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.1.2.3", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), MG_EINVALID);
	MGT_CHECK(c.access_key_id[0] == '\0');
}

/* ---- the order ---- */

static void test_chain__order_of_the_sources(void)
{
	clear_env();
	char d[1024];
	doc(d, sizeof d, "ASIACONTAINER", 3600, false);
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	/* the container endpoint is asked before IMDS, which is never reached */
	reply rs[] = { { OK_JSON, d, 0, 0 } };
	server s, imds;
	server_start(&s, rs, 1);
	reply none[] = { { "HTTP/1.1 500 Oops\r\n", "", 0, 0 } };
	server_start(&imds, none, 1);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url_of(&imds, ""), 1);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url_of(&s, "/c"), 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), 0);
	server_stop(&s);
	MGT_EQ_STR(c.access_key_id, "ASIACONTAINER");
	/* the profile's keys come before the container endpoint (not asked: the server is gone) */
	mgt_write(".aws/credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = x\n");
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", NULL, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIAPROFILE");
	/* web identity comes before the profile's keys */
	reply wi[] = { { OK_XML, web_identity_answer("ASIAWEB", 3600), 0, 0 } };
	server_start(&s, wi, 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", mgt_write("t", WEB_TOKEN), 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", url_of(&s, ""), &c), 0);
	server_stop(&s);
	MGT_EQ_STR(c.access_key_id, "ASIAWEB");
	/* and the environment's keys before everything */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "y", 1);
	MGT_EQ_INT(mg_aws_credentials_resolve(NULL, "eu-west-1", "http://127.0.0.1:1", &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIAENV");
	server_stop(&imds);
	MGT_EQ_INT((long long)imds.got, 0);
	/* a profile role with credential_source = EcsContainer */
	clear_env();
	mgt_write(".aws/credentials", "");
	mgt_write(".aws/config", "[profile task]\nrole_arn = arn:aws:iam::123456789012:role/t\n"
				 "credential_source = Ec2InstanceMetadata\n");
	MGT_EQ_INT(mg_aws_credentials_resolve("task", "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "AWS_EC2_METADATA_DISABLED") != NULL);
	mgt_write(".aws/config", "[profile task]\nrole_arn = arn:aws:iam::123456789012:role/t\n"
				 "credential_source = Somewhere\n");
	MGT_EQ_INT(mg_aws_credentials_resolve("task", "eu-west-1", "http://127.0.0.1:1", &c), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "credential_source must be") != NULL);
	mg_aws_credentials_wipe(&c);
}

/* ---- refresh during a long run ---- */

static void test_refresh__before_expiry_and_advisory_on_failure(void)
{
	clear_env();
	char a[1024], b[1024], h[4200];
	doc(a, sizeof a, "ASIAFIRST", 100, false); /* inside the 5-minute margin: refreshed at the next call */
	doc(b, sizeof b, "ASIASECOND", 3600, false);
	reply rs[] = { { OK_JSON, a, 0, 0 },
		       { OK_JSON, b, 0, 0 },
		       { OK_JSON, "{\"ok\":1}", 0, 0 } };
	server s;
	server_start(&s, rs, 3);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url_of(&s, "/creds"), 1);
	char ep[64];
	snprintf(ep, sizeof ep, "http://127.0.0.1:%d", s.port);
	mg_aws_client_options o = { .service = "lakeformation", .region = "eu-west-1", .endpoint_url = ep };
	mg_aws_client *cl = NULL;
	MGT_EQ_INT(mg_aws_client_new(&cl, &o), 0);
	MGT_CHECK(strstr(mg_aws_client_identity(cl), "ASIA...RST") != NULL);
	mg_aws_response resp;
	mg_aws_response_init(&resp);
	mg_aws_call_input in = { .protocol = MG_AWS_REST_JSON, .path = "/ListPermissions", .idempotent = true };
	MGT_EQ_INT(mg_aws_call(cl, &in, &resp), 0);
	server_stop(&s);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_INT((long long)s.got, 3);
	MGT_CHECK(strstr(header(s.requests[2], "Authorization", h, sizeof h), "Credential=ASIASECOND/") != NULL);
	MGT_CHECK(strstr(mg_aws_client_identity(cl), "ASIA...OND") != NULL);
	mg_aws_client_free(cl);

	/* the refresh fails while the credentials are still valid: the call goes on with them */
	reply rs2[] = { { OK_JSON, a, 0, 0 },
			{ "HTTP/1.1 403 Forbidden\r\n", "", 0, 0 },
			{ OK_JSON, "{\"ok\":1}", 0, 0 },
			{ "HTTP/1.1 403 Forbidden\r\n", "", 0, 0 } };
	server_start(&s, rs2, 4);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url_of(&s, "/creds"), 1);
	snprintf(ep, sizeof ep, "http://127.0.0.1:%d", s.port);
	cl = NULL;
	MGT_EQ_INT(mg_aws_client_new(&cl, &o), 0);
	MGT_EQ_INT(mg_aws_call(cl, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_CHECK(strstr(header(s.requests[2], "Authorization", h, sizeof h), "Credential=ASIAFIRST/") != NULL);
	MGT_EQ_STR(header(s.requests[2], "X-Amz-Security-Token", h, sizeof h), SESSION);
	/* once expired, a failed refresh is the call's error and nothing is sent */
	mg_aws__client_expire(cl);
	MGT_EQ_INT(mg_aws_call(cl, &in, &resp), MG_EBACKEND);
	server_stop(&s);
	MGT_EQ_INT((long long)s.got, 4);
	MGT_CHECK(strstr(mg_error_last(), "HTTP 403") != NULL);
	no_secret(mg_error_last());
	no_secret(mg_aws_client_identity(cl));
	mg_aws_response_release(&resp);
	mg_aws_client_free(cl);
}

/* ---- the parsers ---- */

static void test_parsers__credential_documents_and_oidc_answers(void)
{
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	snprintf(c.source, sizeof c.source, "kept");
	const char *ok = "{\"AccessKeyId\":\"AKIA1\",\"SecretAccessKey\":\"s3cr3t\",\"Token\":\"t0k\","
			 "\"Expiration\":\"2030-01-02T03:04:05Z\"}";
	MGT_EQ_INT(mg_aws_parse_credential_document(ok, strlen(ok), false, &c), 0);
	MGT_EQ_STR(c.access_key_id, "AKIA1");
	MGT_EQ_STR(c.source, "kept");
	MGT_EQ_INT(c.expiration, 1893553445LL);
	/* a long-lived key without a token (a test endpoint) has no expiry; IMDS must have a token */
	const char *keyonly = "{\"AccessKeyId\":\"AKIA2\",\"SecretAccessKey\":\"s\"}";
	MGT_EQ_INT(mg_aws_parse_credential_document(keyonly, strlen(keyonly), false, &c), 0);
	MGT_EQ_INT(c.expiration, 0);
	MGT_EQ_INT(mg_aws_parse_credential_document(keyonly, strlen(keyonly), true, &c), MG_EPARSE);
	static const char *const bad[] = {
		"", "[]", "{", "null", "{\"AccessKeyId\":\"A\"}", "{\"SecretAccessKey\":\"s3cr3tvalue\"}",
		"{\"AccessKeyId\":1,\"SecretAccessKey\":\"s\"}", "{\"AccessKeyId\":\"\",\"SecretAccessKey\":\"s\"}",
		"{\"AccessKeyId\":\"A B\",\"SecretAccessKey\":\"s\"}",
		"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3tvalue\",\"Token\":\"t\"}",
		"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s3cr3tvalue\",\"Token\":\"t\",\"Expiration\":\"soon\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&c, 0, sizeof c);
		MGT_EQ_INT(mg_aws_parse_credential_document(bad[i], strlen(bad[i]), false, &c), MG_EPARSE);
		MGT_CHECK(c.access_key_id[0] == '\0');
		MGT_CHECK(strstr(mg_error_last(), "s3cr3tvalue") == NULL);
	}
	char big[MG_AWS__DOCUMENT_MAX + 64];
	memset(big, ' ', sizeof big);
	memcpy(big, ok, strlen(ok));
	MGT_EQ_INT(mg_aws_parse_credential_document(big, sizeof big, false, &c), MG_EPARSE);
	char tok[64];
	const char *gh = "{\"count\":1,\"value\":\"eyJ.a.b\"}";
	MGT_EQ_INT(mg_aws_parse_oidc_token(gh, strlen(gh), tok, sizeof tok), 0);
	MGT_EQ_STR(tok, "eyJ.a.b");
	MGT_EQ_INT(mg_aws_parse_oidc_token("{\"value\":7}", 11, tok, sizeof tok), MG_EPARSE);
	MGT_EQ_INT(mg_aws_parse_oidc_token("{}", 2, tok, sizeof tok), MG_EPARSE);
	MGT_EQ_INT(mg_aws_parse_oidc_token(gh, strlen(gh), tok, 4), MG_EPARSE);
	/* the web identity answer: its own result element, not AssumeRole's */
	const char *xml = web_identity_answer("ASIAXML", 60);
	MGT_EQ_INT(mg_aws_parse_assume_role_web_identity(xml, strlen(xml), &c), 0);
	MGT_EQ_STR(c.access_key_id, "ASIAXML");
	MGT_EQ_INT(mg_aws_parse_assume_role(xml, strlen(xml), &c), MG_EPARSE);
	mg_aws_credentials_wipe(&c);
}

MGT_MAIN(test_web_identity__token_file_and_role_from_the_environment,
	 test_web_identity__refusals_name_the_cause_never_the_token, test_web_identity__github_actions_oidc,
	 test_web_identity__profile_with_web_identity_token_file, test_assume_role__profile_role_as_the_model_wants_it,
	 test_container__full_uri_with_a_token_file,
	 test_container__only_loopback_and_the_agent_over_http, test_imds__token_role_and_credentials,
	 test_imds__absent_disabled_roleless_and_failing, test_chain__order_of_the_sources,
	 test_refresh__before_expiry_and_advisory_on_failure, test_parsers__credential_documents_and_oidc_answers)
