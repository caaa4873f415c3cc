/*
 * test_aws_client.c - mg_aws_call against a scripted fake server on a
 * loopback port (a thread here): the exact request of each protocol (method,
 * path, Content-Type, X-Amz-Target, the signed headers, the body, and an
 * Authorization that signs what was sent), and the outcome of each kind of
 * answer - success, a throttle then a 5xx then success (the client's own
 * retries, the Retry-After hint), a write tried once, a redirect not
 * followed, a dropped body, a timeout, a refusal by header, a service
 * message that echoes a secret.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_int.h"
#include "fake_http.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "mgt.h"

#define SECRET "FakeServerSecret0123456789abcdefghijklmn"
#define TOKEN "FakeServerToken/abcdefghijklmnopqrstuvwxyz+0123456789"

static int sleeps;
static long slept[8];
static void fake_sleep(void *ctx, long ms)
{
	(void)ctx;
	if (sleeps < 8)
		slept[sleeps] = ms;
	sleeps++;
}

static mg_aws_client *client_for(const server *s, const char *service, long timeout_ms, const mg_retry_policy *p)
{
	char url[64];
	mg_aws_client *c = NULL;
	snprintf(url, sizeof url, "http://127.0.0.1:%d", s->port);
	setenv("AWS_ACCESS_KEY_ID", "AKIAFAKESERVER", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN, 1);
	mg_aws_client_options o = { .service = service, .region = "eu-west-1", .endpoint_url = url,
				    .timeout_ms = timeout_ms, .retry = p };
	MGT_EQ_INT(mg_aws_client_new(&c, &o), 0);
	return c;
}

/* The Authorization sent signs the request sent: re-sign what was recorded and compare. */
static void check_signature(const char *req, const char *service, const char *path, const char *ctype,
			    const char *target)
{
	char date[32], host[64], auth[1024], want[1024];
	mg_aws_credentials c;
	memset(&c, 0, sizeof c);
	snprintf(c.access_key_id, sizeof c.access_key_id, "AKIAFAKESERVER");
	snprintf(c.secret_access_key, sizeof c.secret_access_key, SECRET);
	snprintf(c.session_token, sizeof c.session_token, TOKEN);
	header(req, "X-Amz-Date", date, sizeof date);
	header(req, "Host", host, sizeof host);
	header(req, "Authorization", auth, sizeof auth);
	mg_aws_header h[2] = { { "content-type", ctype }, { "x-amz-target", target } };
	const char *body = body_of(req);
	mg_aws_sign_input in = { .method = "POST", .host = host, .path = path, .query = "", .headers = h,
				 .nheaders = target ? 2 : 1, .body = body, .body_len = strlen(body),
				 .region = "eu-west-1", .service = service, .amz_date = date };
	MGT_EQ_INT(mg_aws_sigv4_sign(&in, &c, want, sizeof want), 0);
	MGT_EQ_STR(auth, want);
}

#define OK_HEAD "HTTP/1.1 200 OK\r\nx-amzn-RequestId: req-1\r\nContent-Type: application/json\r\n"
#define OK_BODY "{\"ok\":1}"

static void test_client__exact_requests_of_each_protocol(void)
{
	static const reply r[] = { { OK_HEAD, OK_BODY, 0, 0 }, { OK_HEAD, OK_BODY, 0, 0 }, { OK_HEAD, OK_BODY, 0, 0 } };
	server s;
	char v[1024], want[64];
	mg_aws_response resp;
	server_start(&s, r, 3);
	mg_aws_client *lf = client_for(&s, "lakeformation", 5000, NULL);
	mg_aws_client *glue = client_for(&s, "glue", 5000, NULL);
	mg_aws_client *sts = client_for(&s, "sts", 5000, NULL);
	mg_aws_response_init(&resp);
	const char *grant = "{\"Principal\":{\"DataLakePrincipalIdentifier\":\"arn:aws:iam::1:role/c\"}}";
	mg_aws_call_input a = { .protocol = MG_AWS_REST_JSON, .path = "/GrantPermissions", .body = grant,
				.body_len = strlen(grant) };
	mg_aws_call_input b = { .protocol = MG_AWS_JSON_1_1, .target = "AWSGlue.GetDatabase", .body = "{\"Name\":\"x\"}",
				.body_len = 12 };
	mg_aws_call_input q = { .protocol = MG_AWS_QUERY, .body = "Action=GetCallerIdentity&Version=2011-06-15",
				.body_len = 43 };
	MGT_EQ_INT(mg_aws_call(lf, &a, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_INT(resp.http_status, 200);
	MGT_EQ_STR(resp.request_id, "req-1");
	MGT_EQ_STR(resp.body.ptr, "{\"ok\":1}");
	MGT_EQ_STR(resp.error_code, "");
	MGT_EQ_INT(mg_aws_call(glue, &b, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_INT(mg_aws_call(sts, &q, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	server_stop(&s);
	MGT_EQ_INT(s.got, 3);

	snprintf(want, sizeof want, "127.0.0.1:%d", s.port);
	const char *r0 = s.requests[0], *r1 = s.requests[1], *r2 = s.requests[2];
	MGT_CHECK(strncmp(r0, "POST /GrantPermissions HTTP/1.1\r\n", 33) == 0);
	MGT_EQ_STR(header(r0, "Host", v, sizeof v), want);
	MGT_EQ_STR(header(r0, "Content-Type", v, sizeof v), "application/json");
	MGT_EQ_STR(header(r0, "X-Amz-Target", v, sizeof v), "");
	MGT_EQ_STR(header(r0, "X-Amz-Security-Token", v, sizeof v), TOKEN);
	MGT_CHECK(strstr(header(r0, "Authorization", v, sizeof v), "/eu-west-1/lakeformation/aws4_request, "
			 "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=") != NULL);
	MGT_EQ_STR(body_of(r0), grant);
	check_signature(r0, "lakeformation", "/GrantPermissions", "application/json", NULL);

	MGT_CHECK(strncmp(r1, "POST / HTTP/1.1\r\n", 17) == 0);
	MGT_EQ_STR(header(r1, "Content-Type", v, sizeof v), "application/x-amz-json-1.1");
	MGT_EQ_STR(header(r1, "X-Amz-Target", v, sizeof v), "AWSGlue.GetDatabase");
	MGT_CHECK(strstr(header(r1, "Authorization", v, sizeof v),
			 "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,") != NULL);
	MGT_EQ_STR(body_of(r1), "{\"Name\":\"x\"}");
	check_signature(r1, "glue", "/", "application/x-amz-json-1.1", "AWSGlue.GetDatabase");

	MGT_CHECK(strncmp(r2, "POST / HTTP/1.1\r\n", 17) == 0);
	MGT_EQ_STR(header(r2, "Content-Type", v, sizeof v), "application/x-www-form-urlencoded; charset=utf-8");
	MGT_EQ_STR(body_of(r2), "Action=GetCallerIdentity&Version=2011-06-15");
	check_signature(r2, "sts", "/", "application/x-www-form-urlencoded; charset=utf-8", NULL);
	/* no 100-continue round trip, no secret in the clear but the token header */
	MGT_EQ_STR(header(r0, "Expect", v, sizeof v), "");
	MGT_CHECK(strstr(r0, SECRET) == NULL);

	mg_aws_response_release(&resp);
	mg_aws_client_free(lf);
	mg_aws_client_free(glue);
	mg_aws_client_free(sts);
}

static void test_client__retries_throttles_and_5xx_of_reads(void)
{
	static const reply r[] = {
		{ "HTTP/1.1 400 Bad Request\r\nRetry-After: 2\r\nContent-Type: application/x-amz-json-1.1\r\n",
		  "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", 0, 0 },
		{ "HTTP/1.1 503 Service Unavailable\r\n", "", 0, 0 },
		{ OK_HEAD, OK_BODY, 0, 0 },
	};
	mg_retry_policy p = MG_RETRY_STANDARD;
	p.sleep_ms = fake_sleep;
	server s;
	mg_aws_response resp;
	server_start(&s, r, 3);
	mg_aws_client *c = client_for(&s, "glue", 5000, &p);
	mg_aws_response_init(&resp);
	mg_aws_call_input in = { .protocol = MG_AWS_JSON_1_1, .target = "AWSGlue.GetDatabases", .idempotent = true };
	sleeps = 0;
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	server_stop(&s);
	MGT_EQ_INT(s.got, 3);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_INT(sleeps, 2);
	MGT_CHECK(slept[0] >= 2000); /* the Retry-After hint */
	MGT_EQ_STR(body_of(s.requests[0]), "{}"); /* no body: an empty JSON object */
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

static void test_client__a_write_is_tried_once(void)
{
	static const reply r[] = {
		{ "HTTP/1.1 503 Service Unavailable\r\n", "", 0, 0 },
	};
	mg_retry_policy p = MG_RETRY_STANDARD;
	p.sleep_ms = fake_sleep;
	server s;
	mg_aws_response resp;
	server_start(&s, r, 1);
	mg_aws_client *c = client_for(&s, "lakeformation", 5000, &p);
	mg_aws_response_init(&resp);
	mg_aws_call_input in = { .protocol = MG_AWS_REST_JSON, .path = "/BatchGrantPermissions", .body = "{}",
				 .body_len = 2 };
	sleeps = 0;
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	server_stop(&s);
	MGT_EQ_INT(s.got, 1);
	MGT_EQ_INT(sleeps, 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_RETRYABLE);
	MGT_EQ_INT(resp.http_status, 503);
	MGT_EQ_STR(resp.message, "lakeformation answered HTTP 503");
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

static void test_client__refusals_redirects_drops_and_timeouts(void)
{
	static const reply r[] = {
		{ "HTTP/1.1 403 Forbidden\r\nx-amzn-ErrorType: AccessDeniedException:http://internal/\r\n"
		  "x-amz-request-id: rid-9\r\n", "{\"message\":\"Insufficient Lake Formation\"}", 0, 0 },
		{ "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\n", "", 0, 0 },
		{ "HTTP/1.1 200 OK\r\n", "{\"Permiss", 0, 100 },
		{ "HTTP/1.1 400 Bad Request\r\n",
		  "{\"__type\":\"InvalidInputException\",\"message\":\"bad token " TOKEN "\"}", 0, 0 },
		{ OK_HEAD, OK_BODY, 1500, 0 },
	};
	server s;
	mg_aws_response resp;
	server_start(&s, r, 5);
	mg_aws_client *c = client_for(&s, "lakeformation", 700, NULL);
	mg_aws_response_init(&resp);
	mg_aws_call_input in = { .protocol = MG_AWS_REST_JSON, .path = "/ListPermissions", .body = "{}", .body_len = 2 };
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED);
	MGT_EQ_INT(resp.http_status, 403);
	MGT_EQ_STR(resp.error_code, "AccessDeniedException");
	MGT_EQ_STR(resp.message, "Insufficient Lake Formation");
	MGT_EQ_STR(resp.request_id, "rid-9");
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED); /* not followed */
	MGT_EQ_INT(resp.http_status, 302);
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_UNKNOWN); /* the body was cut */
	MGT_CHECK(strstr(resp.message, "no complete answer from lakeformation") != NULL);
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED);
	MGT_EQ_STR(resp.error_code, "InvalidInputException");
	MGT_EQ_STR(resp.message, "bad token ***");
	MGT_EQ_INT(mg_aws_call(c, &in, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_UNKNOWN); /* sent, then timed out (the last: the server still sleeps) */
	MGT_EQ_INT(resp.http_status, 0);
	server_stop(&s);
	MGT_EQ_INT(s.got, 5);
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

#define S3_ERR "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucketPolicy</Code>" \
	"<Message>The bucket policy does not exist</Message><RequestId>rid-s3</RequestId></Error>"

/* REST-XML (S3): method, path-style path, query, x-amz-content-sha256 and Content-MD5, all signed. */
static void test_client__s3_rest_xml_requests(void)
{
	static const reply r[] = {
		{ "HTTP/1.1 204 No Content\r\nx-amz-request-id: rid-put\r\n", "", 0, 0 },
		{ "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\n", S3_ERR, 0, 0 },
		{ "HTTP/1.1 204 No Content\r\n", "", 0, 0 },
	};
	server s;
	char v[1024], sha[65], date[32], host[64], want[1024];
	mg_aws_response resp;
	server_start(&s, r, 3);
	mg_aws_client *c = client_for(&s, "s3", 5000, NULL);
	mg_aws_response_init(&resp);
	const char *pol = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
	mg_aws_call_input put = { .protocol = MG_AWS_REST_XML, .method = "PUT", .path = "/my bucket", .query = "policy",
				  .body = pol, .body_len = strlen(pol), .content_type = "application/json" };
	mg_aws_call_input get = { .protocol = MG_AWS_REST_XML, .method = "GET", .path = "/my bucket", .query = "policy",
				  .idempotent = true };
	mg_aws_call_input del = { .protocol = MG_AWS_REST_XML, .method = "DELETE", .path = "/my bucket",
				  .query = "policy" };
	MGT_EQ_INT(mg_aws_call(c, &put, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	MGT_EQ_STR(resp.request_id, "rid-put");
	MGT_EQ_INT(mg_aws_call(c, &get, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_FAILED);
	MGT_EQ_INT(resp.http_status, 404);
	MGT_EQ_STR(resp.error_code, "NoSuchBucketPolicy");
	MGT_EQ_INT(mg_aws_call(c, &del, &resp), 0);
	MGT_EQ_INT(resp.outcome, MG_AWS_OK);
	/* a query that is not encoded, or a method S3 does not take, is refused before sending */
	mg_aws_call_input bad = get;
	bad.query = "policy&x=a b";
	MGT_EQ_INT(mg_aws_call(c, &bad, &resp), MG_EINVALID);
	bad = get;
	bad.method = "PATCH";
	MGT_EQ_INT(mg_aws_call(c, &bad, &resp), MG_EINVALID);
	server_stop(&s);
	MGT_EQ_INT(s.got, 3);

	const char *r0 = s.requests[0], *r1 = s.requests[1], *r2 = s.requests[2];
	MGT_CHECK(strncmp(r0, "PUT /my%20bucket?policy HTTP/1.1\r\n", 34) == 0);
	MGT_EQ_STR(header(r0, "Content-Type", v, sizeof v), "application/json");
	mg_aws_sha256_hex(pol, strlen(pol), sha);
	MGT_EQ_STR(header(r0, "x-amz-content-sha256", v, sizeof v), sha);
	/* base64(md5(pol)), computed by python3's hashlib */
	MGT_EQ_STR(header(r0, "Content-MD5", v, sizeof v), "7ysbf9u2zR7hHgNqh4BIYg==");
	MGT_CHECK(strstr(header(r0, "Authorization", v, sizeof v), "/eu-west-1/s3/aws4_request, SignedHeaders="
			 "content-md5;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") != NULL);
	MGT_EQ_STR(body_of(r0), pol);
	/* the signature covers what was sent: the path encoded once, the query canonical */
	mg_aws_credentials cr;
	memset(&cr, 0, sizeof cr);
	snprintf(cr.access_key_id, sizeof cr.access_key_id, "AKIAFAKESERVER");
	snprintf(cr.secret_access_key, sizeof cr.secret_access_key, SECRET);
	snprintf(cr.session_token, sizeof cr.session_token, TOKEN);
	header(r0, "X-Amz-Date", date, sizeof date);
	header(r0, "Host", host, sizeof host);
	mg_aws_header h[3] = { { "content-type", "application/json" }, { "x-amz-content-sha256", sha },
			       { "content-md5", "7ysbf9u2zR7hHgNqh4BIYg==" } };
	mg_aws_sign_input in = { .method = "PUT", .host = host, .path = "/my bucket", .query = "policy", .headers = h,
				 .nheaders = 3, .body = pol, .body_len = strlen(pol), .region = "eu-west-1",
				 .service = "s3", .amz_date = date };
	MGT_EQ_INT(mg_aws_sigv4_sign(&in, &cr, want, sizeof want), 0);
	MGT_EQ_STR(header(r0, "Authorization", v, sizeof v), want);

	MGT_CHECK(strncmp(r1, "GET /my%20bucket?policy HTTP/1.1\r\n", 34) == 0);
	MGT_EQ_STR(header(r1, "Content-MD5", v, sizeof v), "");
	MGT_EQ_STR(header(r1, "Content-Type", v, sizeof v), "");
	MGT_EQ_STR(header(r1, "x-amz-content-sha256", v, sizeof v),
		   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	MGT_EQ_STR(body_of(r1), "");
	MGT_CHECK(strncmp(r2, "DELETE /my%20bucket?policy HTTP/1.1\r\n", 37) == 0);
	MGT_EQ_STR(header(r2, "Content-Length", v, sizeof v), "");
	mg_aws_response_release(&resp);
	mg_aws_client_free(c);
}

MGT_MAIN(test_client__exact_requests_of_each_protocol, test_client__retries_throttles_and_5xx_of_reads,
	 test_client__a_write_is_tried_once, test_client__refusals_redirects_drops_and_timeouts,
	 test_client__s3_rest_xml_requests)
