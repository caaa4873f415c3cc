/*
 * live_aws.c - the AWS client against a moto server (tests/cli/aws-moto.sh
 * starts one on a loopback port and passes its URL in MESHGATE_AWS_ENDPOINT):
 * credentials from the environment, a Glue JSON 1.1 call and its parsed
 * answer, a Glue refusal (EntityNotFoundException, FAILED), Lake Formation
 * REST-JSON calls (GrantPermissions, then ListPermissions shows the grant),
 * STS AssumeRole through the client (its identity and GetCallerIdentity
 * name the assumed role), an IAM query-protocol refusal (XML <Error>), and
 * a profile's role_arn + source_profile.  moto runs with IAM authentication
 * on, so it recomputes and checks every signature (a wrong secret is refused).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_int.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "mgt.h"

#define ROLE "arn:aws:iam::123456789012:role/meshgate-live"

static const char *env_or(const char *name, const char *dflt)
{
	const char *e = getenv(name);
	return e && *e ? e : dflt;
}

static const char *endpoint(void)
{
	return env_or("MESHGATE_AWS_ENDPOINT", "http://127.0.0.1:1");
}

/* moto checks signatures: the script made an IAM user whose key this is */
static const char *key_id(void)
{
	return env_or("MESHGATE_LIVE_KEY_ID", "AKIAUNSET");
}

static const char *secret(void)
{
	return env_or("MESHGATE_LIVE_SECRET", "unset");
}

static void env_keys(void)
{
	setenv("AWS_ACCESS_KEY_ID", key_id(), 1);
	setenv("AWS_SECRET_ACCESS_KEY", secret(), 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
}

static mg_aws_client *client(const char *service, const char *role)
{
	mg_aws_client *c = NULL;
	mg_aws_client_options o = { .service = service, .region = "eu-west-1", .endpoint_url = endpoint(),
				    .role_arn = role, .sts_endpoint_url = endpoint(), .timeout_ms = 10000 };
	int r = mg_aws_client_new(&c, &o);
	if (r < 0)
		fprintf(stderr, "client %s: %s\n", service, mg_error_last());
	MGT_EQ_INT(r, 0);
	MGT_CHECK(strstr(mg_error_last(), secret()) == NULL);
	return c;
}

static int call(mg_aws_client *c, mg_aws_protocol p, const char *path, const char *target, const char *body,
		bool idempotent, mg_aws_response *resp)
{
	mg_aws_call_input in = { .protocol = p, .path = path, .target = target, .body = body,
				 .body_len = body ? strlen(body) : 0, .idempotent = idempotent };
	int r = mg_aws_call(c, &in, resp);
	if (r < 0)
		fprintf(stderr, "call: %s\n", mg_error_last());
	else if (resp->outcome != MG_AWS_OK)
		fprintf(stderr, "call %s%s: outcome %d, HTTP %ld, %s: %s\n", path ? path : "", target ? target : "",
			(int)resp->outcome, resp->http_status, resp->error_code, resp->message);
	return r;
}

static void test_live__glue_json_1_1(void)
{
	env_keys();
	mg_aws_client *c = client("glue", NULL);
	mg_aws_response resp;
	mg_aws_response_init(&resp);
	if (!c)
		return;
	char want[128];
	snprintf(want, sizeof want, "environment (%.4s...%s)", key_id(), key_id() + strlen(key_id()) - 3);
	MGT_EQ_STR(mg_aws_client_identity(c), want);
	MGT_EQ_INT(call(c, MG_AWS_JSON_1_1, NULL, "AWSGlue.CreateDatabase",
			"{\"DatabaseInput\":{\"Name\":\"sales\",\"Description\":\"live test\"}}", false, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_INT(resp.http_status, 200);
	MGT_EQ_INT(call(c, MG_AWS_JSON_1_1, NULL, "AWSGlue.GetDatabases", "{}", true, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_CHECK(resp.request_id[0] != '\0');
	cJSON *j = cJSON_Parse(resp.body.ptr);
	const cJSON *list = cJSON_GetObjectItem(j, "DatabaseList");
	MGT_EQ_INT(cJSON_GetArraySize(list), 1);
	MGT_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "Name")), "sales");
	MGT_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "Description")), "live test");
	cJSON_Delete(j);
	/* a refusal: FAILED with the service's code and message, not retried */
	MGT_EQ_INT(call(c, MG_AWS_JSON_1_1, NULL, "AWSGlue.GetDatabase", "{\"Name\":\"missing\"}", true, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED);
	MGT_EQ_INT(resp.http_status, 400);
	MGT_EQ_STR(resp.error_code, "EntityNotFoundException");
	MGT_CHECK(strstr(resp.message, "missing") != NULL);
	MGT_CHECK(resp.request_id[0] != '\0');
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

static void test_live__lakeformation_rest_json(void)
{
	env_keys();
	mg_aws_client *c = client("lakeformation", NULL);
	mg_aws_response resp;
	mg_aws_response_init(&resp);
	if (!c)
		return;
	MGT_EQ_INT(call(c, MG_AWS_REST_JSON, "/GetDataLakeSettings", NULL, "{}", true, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	cJSON *j = cJSON_Parse(resp.body.ptr);
	MGT_CHECK(cJSON_IsObject(cJSON_GetObjectItem(j, "DataLakeSettings")));
	cJSON_Delete(j);
	MGT_EQ_INT(call(c, MG_AWS_REST_JSON, "/GrantPermissions", NULL,
			"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"arn:aws:iam::210987654321:role/consumer\"},"
			"\"Resource\":{\"Database\":{\"Name\":\"sales\"}},\"Permissions\":[\"DESCRIBE\"]}",
			false, &resp),
		   0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_INT(call(c, MG_AWS_REST_JSON, "/ListPermissions", NULL, NULL, true, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	j = cJSON_Parse(resp.body.ptr);
	const cJSON *list = cJSON_GetObjectItem(j, "PrincipalResourcePermissions");
	MGT_EQ_INT(cJSON_GetArraySize(list), 1);
	const cJSON *e = cJSON_GetArrayItem(list, 0);
	MGT_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "Principal"),
							     "DataLakePrincipalIdentifier")),
		   "arn:aws:iam::210987654321:role/consumer");
	MGT_EQ_STR(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(e, "Permissions"), 0)), "DESCRIBE");
	cJSON_Delete(j);
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

static void test_live__sts_assume_role_through_the_client(void)
{
	env_keys();
	mg_aws_client *c = client("sts", ROLE);
	mg_aws_response resp;
	mg_aws_response_init(&resp);
	if (!c)
		return;
	MGT_CHECK(strstr(mg_aws_client_identity(c), "assumed role " ROLE) != NULL);
	MGT_CHECK(strstr(mg_aws_client_identity(c), "(ASIA") != NULL);
	/* expiring credentials are refreshed before the next call: a new key */
	char before[256];
	snprintf(before, sizeof before, "%s", mg_aws_client_identity(c));
	mg_aws__client_expire(c);
	/* the assumed credentials are the ones signing: STS says who we are */
	MGT_EQ_INT(call(c, MG_AWS_QUERY, NULL, NULL, "Action=GetCallerIdentity&Version=2011-06-15", true, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_CHECK(strstr(resp.body.ptr, "<Arn>arn:aws:sts::123456789012:assumed-role/meshgate-live/meshgate</Arn>") !=
		  NULL);
	if (!strstr(resp.body.ptr, "assumed-role/meshgate-live/meshgate"))
		fprintf(stderr, "%s\n", resp.body.ptr);
	MGT_CHECK(strcmp(before, mg_aws_client_identity(c)) != 0);
	MGT_CHECK(strstr(mg_aws_client_identity(c), "assumed role " ROLE) != NULL);
	mg_aws_client_free(c);
	/* a query-protocol refusal (moto's STS answers its errors with HTML, IAM with XML): <Error><Code> */
	c = client("iam", NULL);
	if (!c)
		return;
	MGT_EQ_INT(call(c, MG_AWS_QUERY, NULL, NULL, "Action=GetRole&Version=2010-05-08&RoleName=missing", true, &resp),
		   0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED);
	MGT_EQ_INT(resp.http_status, 404);
	MGT_EQ_STR(resp.error_code, "NoSuchEntity");
	MGT_CHECK(strstr(resp.message, "missing") != NULL);
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

static const char *creds_file(void)
{
	char text[512];
	snprintf(text, sizeof text, "[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", key_id(), secret());
	return mgt_write("credentials", text);
}

/* moto recomputes every signature: a wrong secret is refused, FAILED, and the message holds no secret */
static void test_live__a_wrong_signature_is_refused(void)
{
	env_keys();
	setenv("AWS_SECRET_ACCESS_KEY", "WrongSecretKey0123456789abcdefghijklmnop", 1);
	mg_aws_client *c = client("glue", NULL);
	mg_aws_response resp;
	mg_aws_response_init(&resp);
	if (!c)
		return;
	MGT_EQ_INT(call(c, MG_AWS_JSON_1_1, NULL, "AWSGlue.GetDatabases", "{}", true, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED);
	MGT_EQ_INT(resp.http_status, 403);
	MGT_EQ_STR(resp.error_code, "SignatureDoesNotMatch");
	MGT_CHECK(strstr(resp.message, "WrongSecretKey") == NULL);
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
	env_keys();
}

static void test_live__profile_role_arn_with_source_profile(void)
{
	mg_aws_credentials cr;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	setenv("AWS_SHARED_CREDENTIALS_FILE", creds_file(), 1);
	setenv("AWS_CONFIG_FILE",
	       mgt_write("config", "[profile deploy]\nrole_arn = " ROLE "\nsource_profile = base\n"
				   "role_session_name = ci-run\nexternal_id = ext-123\nregion = eu-west-1\n"),
	       1);
	memset(&cr, 0, sizeof cr);
	int r = mg_aws_credentials_resolve("deploy", NULL, endpoint(), &cr);
	if (r < 0)
		fprintf(stderr, "resolve: %s\n", mg_error_last());
	MGT_EQ_INT(r, 0);
	MGT_CHECK(strncmp(cr.access_key_id, "ASIA", 4) == 0);
	MGT_CHECK(cr.secret_access_key[0] && cr.session_token[0]);
	MGT_CHECK(cr.expiration > (long long)time(NULL));
	MGT_CHECK(strstr(cr.source, "assumed role " ROLE " (profile deploy)") != NULL);
	mg_aws_credentials_wipe(&cr);
	/* the profile through a client, with its session name */
	mg_aws_client *c = NULL;
	mg_aws_client_options o = { .service = "sts", .region = "eu-west-1", .endpoint_url = endpoint(),
				    .profile = "deploy", .sts_endpoint_url = endpoint() };
	MGT_EQ_INT(mg_aws_client_new(&c, &o), 0);
	if (c) {
		mg_aws_response resp;
		mg_aws_response_init(&resp);
		MGT_EQ_INT(call(c, MG_AWS_QUERY, NULL, NULL, "Action=GetCallerIdentity&Version=2011-06-15", true,
				&resp),
			   0);
		MGT_CHECK(strstr(resp.body.ptr, "assumed-role/meshgate-live/ci-run") != NULL);
		mg_aws_response_release(&resp);
	}
	mg_aws_client_free(c);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
}

MGT_MAIN(test_live__a_wrong_signature_is_refused, test_live__glue_json_1_1, test_live__lakeformation_rest_json, test_live__sts_assume_role_through_the_client,
	 test_live__profile_role_arn_with_source_profile)
