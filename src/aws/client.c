/*
 * client.c - one client per service, region and identity (see
 * meshgate/aws.h): the endpoint rule, one libcurl easy handle reused for
 * every call, the signed request of each protocol, the response and its
 * outcome class, the client's own retries of idempotent calls, and the
 * refresh of expiring (assumed-role) credentials.
 */
#include "aws/aws_int.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "meshgate/error.h"

#define TIMEOUT_DEFAULT_MS 30000L
#define CONNECT_TIMEOUT_MAX_MS 10000L

struct mg_aws_client {
	CURL *h;
	char *service, *region, *base_url, *host;
	char *profile, *role_arn, *external_id, *session_name, *sts_endpoint_url;
	bool loopback, static_creds, anonymous;
	long timeout_ms;
	mg_retry_policy retry;
	mg_retry_budget budget;
	mg_aws_credentials creds;
	char identity[256];
};

static char *dup_or_null(const char *s, int *r)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*r = MG_ENOMEM;
	return d;
}

static bool label_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* 127.0.0.0/8, ::1, localhost */
bool mg_aws__host_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0)
		return true;
	unsigned v[4];
	int n = 0;
	const char *p = host;
	for (int i = 0; i < 4; i++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned x = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			x = x * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (x > 255 || digits > 3)
			return false;
		v[n++] = x;
		if (i < 3 && *p++ != '.')
			return false;
	}
	return *p == '\0' && v[0] == 127;
}

/* Checks endpoint_url and sets the client's base URL, signing host and loopback flag. */
static int set_endpoint(mg_aws_client *c, const char *url)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *query = NULL, *frag = NULL;
	CURLU *u = curl_url();
	int r = 0;
	if (!u)
		return mg_oom();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		mg_error_set("the %s endpoint url is not a URL", c->service);
		r = MG_EINVALID;
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (user || query || frag || (path && strcmp(path, "/") != 0 && *path)) {
		mg_error_set("the %s endpoint url must be scheme://host[:port] with no user, path, query or fragment",
			     c->service);
		r = MG_EINVALID;
		goto done;
	}
	c->loopback = mg_aws__host_loopback(host);
	bool https = strcasecmp(scheme, "https") == 0;
	if (!https && !(strcasecmp(scheme, "http") == 0 && c->loopback)) {
		mg_error_set("the %s endpoint url must use https (plain http is allowed only to 127.0.0.0/8, ::1 "
			     "and localhost, not '%.200s')", c->service, host);
		r = MG_EINVALID;
		goto done;
	}
	bool default_port = !port || (https && strcmp(port, "443") == 0) || (!https && strcmp(port, "80") == 0);
	size_t n = strlen(host) + (port ? strlen(port) : 0) + 16;
	c->host = malloc(n);
	c->base_url = malloc(n);
	if (!c->host || !c->base_url) {
		r = mg_oom();
		goto done;
	}
	snprintf(c->host, n, "%s%s%s", host, default_port ? "" : ":", default_port ? "" : port);
	snprintf(c->base_url, n, "%s://%s", https ? "https" : "http", c->host);
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return r;
}

static int default_endpoint(mg_aws_client *c)
{
	const char *suffix = strncmp(c->region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	size_t n = strlen(c->service) + strlen(c->region) + strlen(suffix) + 16;
	c->host = malloc(n);
	c->base_url = malloc(n);
	if (!c->host || !c->base_url)
		return mg_oom();
	snprintf(c->host, n, "%s.%s.%s", c->service, c->region, suffix);
	snprintf(c->base_url, n, "https://%s", c->host);
	return 0;
}

static void set_identity(mg_aws_client *c)
{
	const char *id = c->creds.access_key_id;
	size_t n = strlen(id);
	if (n > 8)
		snprintf(c->identity, sizeof c->identity, "%.200s (%.4s...%s)", c->creds.source, id, id + n - 3);
	else
		snprintf(c->identity, sizeof c->identity, "%.200s", c->creds.source);
}

/* The chain's credentials, and the role's when the client has one. */
static int obtain(mg_aws_client *c)
{
	mg_aws_credentials base, got;
	int r;
	memset(&base, 0, sizeof base);
	memset(&got, 0, sizeof got);
	if ((r = mg_aws_credentials_resolve(c->profile, c->region, c->sts_endpoint_url, &base)) < 0)
		goto done;
	if (c->role_arn) {
		mg_aws__assume_args a = {
			.role_arn = c->role_arn, .session_name = c->session_name, .external_id = c->external_id,
			.region = c->region, .endpoint_url = c->sts_endpoint_url, .timeout_ms = c->timeout_ms,
			.source = base.source,
		};
		if ((r = mg_aws__assume_role(&base, &a, &got)) < 0)
			goto done;
	} else {
		got = base;
	}
	mg_aws_credentials_wipe(&c->creds);
	c->creds = got;
	set_identity(c);
done:
	mg_aws_credentials_wipe(&base);
	mg_aws_credentials_wipe(&got);
	return r;
}

static int client_new(mg_aws_client **out, const mg_aws_client_options *o, const mg_aws_credentials *creds,
		      bool anonymous)
{
	mg_aws_client *c;
	int r = 0;
	*out = NULL;
	if (!o || !label_ok(o->service) || !label_ok(o->region)) {
		mg_error_set("an AWS client needs a service and a region (lower-case letters, digits and '-'), "
			     "not '%.64s' and '%.64s'", o && o->service ? o->service : "", o && o->region ? o->region : "");
		return MG_EINVALID;
	}
	if (o->role_arn && (!*o->role_arn || strlen(o->role_arn) > 2048)) {
		mg_error_set("the role_arn of the %s client is empty or too long", o->service);
		return MG_EINVALID;
	}
	if (!(c = calloc(1, sizeof *c)))
		return mg_oom();
	c->service = dup_or_null(o->service, &r);
	c->region = dup_or_null(o->region, &r);
	c->profile = dup_or_null(o->profile, &r);
	c->role_arn = dup_or_null(o->role_arn, &r);
	c->external_id = dup_or_null(o->external_id, &r);
	c->session_name = dup_or_null(o->session_name, &r);
	c->sts_endpoint_url = dup_or_null(o->sts_endpoint_url, &r);
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : TIMEOUT_DEFAULT_MS;
	mg_retry_policy standard = MG_RETRY_STANDARD;
	c->retry = o->retry ? *o->retry : standard;
	mg_retry_budget_init(&c->budget, &c->retry);
	if (r < 0) {
		r = mg_oom();
		goto fail;
	}
	if ((r = o->endpoint_url ? set_endpoint(c, o->endpoint_url) : default_endpoint(c)) < 0)
		goto fail;
	if (!(c->h = curl_easy_init())) {
		mg_error_set("cannot start libcurl");
		r = MG_ENOMEM;
		goto fail;
	}
	if (anonymous) {
		c->static_creds = c->anonymous = true;
		snprintf(c->identity, sizeof c->identity, "no credentials (an unsigned request)");
	} else if (creds) {
		c->creds = *creds;
		c->static_creds = true;
		set_identity(c);
	} else if ((r = obtain(c)) < 0) {
		goto fail;
	}
	*out = c;
	return 0;
fail:
	mg_aws_client_free(c);
	return r;
}

int mg_aws_client_new(mg_aws_client **out, const mg_aws_client_options *o)
{
	return client_new(out, o, NULL, false);
}

int mg_aws__client_new_static(mg_aws_client **out, const mg_aws_client_options *o, const mg_aws_credentials *c)
{
	return client_new(out, o, c, false);
}

int mg_aws__client_new_anonymous(mg_aws_client **out, const mg_aws_client_options *o)
{
	return client_new(out, o, NULL, true);
}

void mg_aws_client_free(mg_aws_client *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	mg_aws_credentials_wipe(&c->creds);
	free(c->service);
	free(c->region);
	free(c->base_url);
	free(c->host);
	free(c->profile);
	free(c->role_arn);
	if (c->external_id) {
		OPENSSL_cleanse(c->external_id, strlen(c->external_id));
		free(c->external_id);
	}
	free(c->session_name);
	free(c->sts_endpoint_url);
	free(c);
}

void mg_aws__client_expire(mg_aws_client *c)
{
	if (c->creds.expiration)
		c->creds.expiration = (long long)time(NULL);
}

const char *mg_aws_client_identity(const mg_aws_client *c)
{
	return c ? c->identity : "";
}

/* ---- one transfer ---- */

typedef struct transfer {
	mg_aws_response *resp;
	bool overflow, oom;
	char error_type[128];
	char retry_after[32];
} transfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	transfer *t = userdata;
	size_t len = size * nmemb;
	if (len > MG_AWS__RESPONSE_MAX - t->resp->body.len) {
		t->overflow = true;
		return 0;
	}
	if (mg_buf_add(&t->resp->body, data, len) < 0) {
		t->oom = true;
		return 0;
	}
	return len;
}

static void header_value(char *out, size_t cap, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	mg_aws__clean_line(out, cap, v, n);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	transfer *t = userdata;
	size_t len = size * nmemb;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget the last one's headers */
		t->resp->request_id[0] = t->resp->etag[0] = '\0';
		t->error_type[0] = t->retry_after[0] = '\0';
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return len;
	size_t nl = (size_t)(colon - data);
	const char *v = colon + 1;
	size_t vn = len - nl - 1;
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(data, name, nl) == 0)
	if (IS("x-amzn-requestid") || IS("x-amz-request-id"))
		header_value(t->resp->request_id, sizeof t->resp->request_id, v, vn);
	else if (IS("x-amzn-errortype"))
		header_value(t->error_type, sizeof t->error_type, v, vn);
	else if (IS("retry-after"))
		header_value(t->retry_after, sizeof t->retry_after, v, vn);
	else if (IS("etag"))
		header_value(t->resp->etag, sizeof t->resp->etag, v, vn);
#undef IS
	return len;
}

static long retry_after_ms(const char *v)
{
	char *end;
	if (!*v)
		return 0;
	long s = strtol(v, &end, 10);
	if (*end || s < 0)
		return 0; /* an HTTP date: not worth honouring */
	return s > 3600 ? 3600 * 1000L : s * 1000L;
}

static bool sent_nothing(CURLcode rc)
{
	return rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	       rc == CURLE_COULDNT_CONNECT || rc == CURLE_SSL_CONNECT_ERROR;
}

static void transport_outcome(mg_aws_client *c, mg_aws_response *resp, CURLcode rc, const char *errbuf,
			      const transfer *t)
{
	long sent = 0;
	curl_easy_getinfo(c->h, CURLINFO_REQUEST_SIZE, &sent);
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	if (t->overflow) {
		resp->outcome = MG_AWS_UNKNOWN;
		snprintf(resp->message, sizeof resp->message, "the %s response is larger than %d bytes", c->service,
			 MG_AWS__RESPONSE_MAX);
		return;
	}
	if (sent_nothing(rc) || (sent == 0 && rc == CURLE_OPERATION_TIMEDOUT)) {
		resp->outcome = MG_AWS_RETRYABLE;
		snprintf(resp->message, sizeof resp->message, "cannot reach %s at %.100s: %.100s", c->service,
			 c->base_url, why);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
		   rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT) {
		resp->outcome = MG_AWS_FAILED;
		snprintf(resp->message, sizeof resp->message, "cannot reach %s at %.100s: %.100s", c->service,
			 c->base_url, why);
	} else if (sent == 0 && rc != CURLE_OPERATION_TIMEDOUT && rc != CURLE_SEND_ERROR) {
		resp->outcome = MG_AWS_RETRYABLE;
		snprintf(resp->message, sizeof resp->message, "cannot send to %s at %.100s: %.100s", c->service,
			 c->base_url, why);
	} else {
		resp->outcome = MG_AWS_UNKNOWN;
		snprintf(resp->message, sizeof resp->message, "no complete answer from %s at %.100s: %.100s",
			 c->service, c->base_url, why);
	}
}

static int add_header(struct curl_slist **l, const char *name, const char *value)
{
	mg_buf b = MG_BUF_INIT;
	if (mg_buf_addf(&b, "%s: %s", name, value) < 0)
		return mg_oom();
	struct curl_slist *n = curl_slist_append(*l, b.ptr);
	OPENSSL_cleanse(b.ptr, b.len);
	mg_buf_release(&b);
	if (!n)
		return mg_oom();
	*l = n;
	return 0;
}

static void free_headers(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

/* The base64 of the MD5 of body, for Content-MD5 (S3 wants it on PutBucketPolicy). */
static int content_md5(const char *body, size_t len, char out[32])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(body, len, md, &mdlen, EVP_md5(), NULL) || mdlen != 16) {
		mg_error_set("cannot compute the MD5 of a request body");
		return MG_EINVALID;
	}
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return 0;
}

static bool method_ok(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0 ||
	       strcmp(m, "POST") == 0 || strcmp(m, "HEAD") == 0;
}

/* An encoded query: unreserved characters, '%', '=' and '&' only. */
static bool query_ok(const char *q)
{
	for (; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
		      strchr("-._~%=&", *q)))
			return false;
	return true;
}

static int once(mg_aws_client *c, const mg_aws_call_input *in, mg_aws_response *resp)
{
	bool xml = in->protocol == MG_AWS_REST_XML;
	const char *path = (in->protocol == MG_AWS_REST_JSON || xml) && in->path && *in->path ? in->path : "/";
	const char *body = in->body, *ctype = NULL;
	const char *method = xml ? (in->method ? in->method : "GET") : "POST";
	const char *query = xml && in->query ? in->query : "";
	size_t body_len = in->body_len;
	mg_aws_header sh[6];
	size_t nsh = 0;
	char date[17], auth[1024], errbuf[CURL_ERROR_SIZE], sha[65], md5[32];
	mg_buf url = MG_BUF_INIT;
	struct curl_slist *headers = NULL;
	transfer t = { .resp = resp };
	int r;

	if (!body) {
		body = in->protocol == MG_AWS_QUERY || xml ? "" : "{}";
		body_len = strlen(body);
	}
	switch (in->protocol) {
	case MG_AWS_REST_JSON:
		ctype = "application/json";
		break;
	case MG_AWS_JSON_1_1:
		ctype = "application/x-amz-json-1.1";
		if (!in->target || !*in->target || strpbrk(in->target, "\r\n")) {
			mg_error_set("a %s call with the JSON 1.1 protocol needs an X-Amz-Target", c->service);
			return MG_EINVALID;
		}
		break;
	case MG_AWS_QUERY:
		ctype = "application/x-www-form-urlencoded; charset=utf-8";
		break;
	case MG_AWS_REST_XML:
		ctype = in->content_type;
		if (!method_ok(method) || !query_ok(query) || (ctype && strpbrk(ctype, "\r\n")) ||
		    (in->if_none_match && (!*in->if_none_match || strpbrk(in->if_none_match, "\r\n"))) ||
		    (in->if_match && (!*in->if_match || strpbrk(in->if_match, "\r\n")))) {
			mg_error_set("a %s call has a method, query or content type meshgate does not send", c->service);
			return MG_EINVALID;
		}
		break;
	default:
		mg_error_set("unknown AWS protocol %d", (int)in->protocol);
		return MG_EINVALID;
	}
	if (path[0] != '/') {
		mg_error_set("the path of a %s call must start with '/'", c->service);
		return MG_EINVALID;
	}
	if (xml && body_len && (r = content_md5(body, body_len, md5)) < 0)
		return r;
	if (ctype)
		sh[nsh++] = (mg_aws_header){ "content-type", ctype };
	if (in->protocol == MG_AWS_JSON_1_1)
		sh[nsh++] = (mg_aws_header){ "x-amz-target", in->target };
	if (xml) {
		mg_aws_sha256_hex(body, body_len, sha);
		sh[nsh++] = (mg_aws_header){ "x-amz-content-sha256", sha };
		if (body_len)
			sh[nsh++] = (mg_aws_header){ "content-md5", md5 };
		if (in->if_none_match)
			sh[nsh++] = (mg_aws_header){ "if-none-match", in->if_none_match };
		if (in->if_match)
			sh[nsh++] = (mg_aws_header){ "if-match", in->if_match };
	}
	mg_aws__amz_date((long long)time(NULL), date);
	mg_aws_sign_input si = {
		.method = method, .host = c->host, .path = path, .query = query, .headers = sh, .nheaders = nsh,
		.body = body, .body_len = body_len, .region = c->region, .service = c->service, .amz_date = date,
		.path_encode_once = xml,
	};
	auth[0] = '\0';
	if (!c->anonymous && (r = mg_aws_sigv4_sign(&si, &c->creds, auth, sizeof auth)) < 0)
		goto done;
	if (mg_buf_adds(&url, c->base_url) < 0) {
		r = mg_oom();
		goto done;
	}
	if ((r = mg_aws__uri_encode(&url, path, strlen(path), true)) < 0)
		goto done;
	if (*query && (mg_buf_addc(&url, '?') < 0 || mg_buf_adds(&url, query) < 0)) {
		r = mg_oom();
		goto done;
	}
	if ((r = add_header(&headers, "Host", c->host)) < 0 || (r = add_header(&headers, "X-Amz-Date", date)) < 0)
		goto done;
	for (size_t i = 0; i < nsh; i++)
		if ((r = add_header(&headers, sh[i].name, sh[i].value)) < 0)
			goto done;
	if ((c->creds.session_token[0] &&
	     (r = add_header(&headers, "X-Amz-Security-Token", c->creds.session_token)) < 0) ||
	    (auth[0] && (r = add_header(&headers, "Authorization", auth)) < 0))
		goto done;
	const char *extra[] = { "Expect:", ctype ? NULL : "Content-Type:" };
	for (size_t i = 0; i < 2; i++) {
		if (!extra[i])
			continue;
		struct curl_slist *n = curl_slist_append(headers, extra[i]);
		if (!n) {
			r = mg_oom();
			goto done;
		}
		headers = n;
	}

	CURL *h = c->h;
	long timeout = c->timeout_ms;
	long connect = timeout < CONNECT_TIMEOUT_MAX_MS ? timeout : CONNECT_TIMEOUT_MAX_MS;
	CURLcode cc = CURLE_OK;
	errbuf[0] = '\0';
	curl_easy_reset(h);
#define SET(opt, val) do { if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url.ptr);
	SET(CURLOPT_PROTOCOLS_STR, c->loopback ? "https,http" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, timeout);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect);
	if (strcmp(method, "POST") == 0 || body_len) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else {
		SET(CURLOPT_HTTPGET, 1L);
	}
	if (strcmp(method, "POST") != 0)
		SET(CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		SET(CURLOPT_NOBODY, 1L);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_USERAGENT, "meshgate/" MESHGATE_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, &t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, &t);
	if (c->loopback)
		SET(CURLOPT_PROXY, ""); /* a proxy from the environment never sees loopback traffic */
#undef SET
	if (cc != CURLE_OK) {
		mg_error_set("cannot set up the %s request: %s", c->service, curl_easy_strerror(cc));
		r = MG_EBACKEND;
		goto done;
	}
	CURLcode rc = curl_easy_perform(h);
	if (t.oom) {
		r = mg_oom();
		goto done;
	}
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	resp->http_status = status;
	if (rc != CURLE_OK) {
		transport_outcome(c, resp, rc, errbuf, &t);
	} else {
		resp->retry_after_ms = retry_after_ms(t.retry_after);
		if (status >= 200 && status < 300) {
			resp->outcome = MG_AWS_OK;
		} else {
			mg_aws_parse_error(resp->body.ptr, resp->body.len, t.error_type, resp);
			resp->outcome = mg_aws__classify(status, resp->error_code);
			if (!resp->message[0])
				snprintf(resp->message, sizeof resp->message, "%s answered HTTP %ld", c->service, status);
		}
	}
	mg_aws__scrub(resp->message, &c->creds);
	mg_aws__scrub(resp->error_code, &c->creds);
	r = 0;
done:
	OPENSSL_cleanse(auth, sizeof auth);
	free_headers(headers);
	mg_buf_release(&url);
	return r;
}

static void reset_response(mg_aws_response *resp)
{
	mg_buf body = resp->body;
	mg_buf_clear(&body);
	memset(resp, 0, sizeof *resp);
	resp->body = body;
}

int mg_aws_call(mg_aws_client *c, const mg_aws_call_input *in, mg_aws_response *resp)
{
	int r;
	for (int attempt = 1;; attempt++) {
		/*
		 * Refreshed MG_AWS__REFRESH_MARGIN_S before they expire.  A failed
		 * refresh while they are still valid keeps them (the SDKs' advisory
		 * refresh: the next call tries again); once expired it is the
		 * call's error - or, before a retry, the last attempt's answer
		 * stands, since something was sent.
		 */
		long long now = (long long)time(NULL);
		if (!c->static_creds && c->creds.expiration && now + MG_AWS__REFRESH_MARGIN_S >= c->creds.expiration &&
		    (r = obtain(c)) < 0 && now >= c->creds.expiration)
			return attempt == 1 ? r : 0;
		reset_response(resp);
		if ((r = once(c, in, resp)) < 0)
			return r;
		if (resp->outcome == MG_AWS_OK) {
			mg_retry_success(&c->budget, &c->retry);
			return 0;
		}
		if (!in->idempotent || (resp->outcome != MG_AWS_RETRYABLE && resp->outcome != MG_AWS_UNKNOWN))
			return 0;
		if (!mg_retry_allow(&c->budget, &c->retry, attempt, resp->outcome == MG_AWS_UNKNOWN))
			return 0;
		mg_retry_sleep(&c->retry, mg_retry_delay_ms(&c->retry, attempt, resp->retry_after_ms));
	}
}
