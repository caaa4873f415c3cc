/*
 * status.c - commit statuses through the GitHub and GitLab REST APIs
 * (see meshgate/status.h).
 *
 * One request per call: validate the request (nothing is sent when a field
 * is wrong), build the URL, the JSON body (cJSON) and the headers, run one
 * libcurl easy transfer, then turn the HTTP status and the API's error
 * message into one error message.  The curl handle never leaves this file.
 *
 * The token is checked to be a plain header value (no CR/LF injection), is
 * only ever copied into its header, and is redacted from every message
 * before it is set, including messages quoted from the server.
 */
#include "meshgate/status.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meshgate/error.h"
#include "documents/utf8.h"
#include "publish/status_int.h"

#define TIMEOUT_DEFAULT_MS 30000L
#define CONNECT_TIMEOUT_MAX_MS 10000L
#define TOKEN_MAX 4096
#define URL_MAX 4096
#define REDACTED "[redacted]"

typedef struct provider_info {
	const char *name;
	const char *default_api;
	const char *repo_var;
	const char *sha_var;
	const char *no_token; /* the message when no token is set */
} provider_info;

static const provider_info github = {
	"github", "https://api.github.com", "GITHUB_REPOSITORY", "GITHUB_SHA",
	"GITHUB_TOKEN is not set"
};
static const provider_info gitlab = {
	"gitlab", "https://gitlab.com/api/v4", "CI_PROJECT_ID", "CI_COMMIT_SHA",
	"neither GITLAB_TOKEN nor CI_JOB_TOKEN is set"
};

static const provider_info *provider_of(mg_status_provider p)
{
	switch (p) {
	case MG_STATUS_GITHUB: return &github;
	case MG_STATUS_GITLAB: return &gitlab;
	default: return NULL;
	}
}

int mg_status_provider_parse(mg_status_provider *out, const char *name)
{
	if (name && strcmp(name, "github") == 0)
		*out = MG_STATUS_GITHUB;
	else if (name && strcmp(name, "gitlab") == 0)
		*out = MG_STATUS_GITLAB;
	else {
		mg_error_set("unknown commit status provider '%s' (expected github or gitlab)",
			name ? name : "");
		return MG_EINVALID;
	}
	return 0;
}

/* --- text hygiene --------------------------------------------------------- */

static int is_control(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];
	if (n == 1)
		return c < 0x20 || c == 0x7f;
	/* C1 controls U+0080..U+009F, e.g. the 8-bit CSI of terminals */
	return n == 2 && c == 0xC2 && (unsigned char)p[1] < 0xA0;
}

int mg_status__add_clean_text(mg_buf *out, const char *s, size_t len, size_t max_cps)
{
	size_t total = 0, i, n;
	for (i = 0; i < len; total++) {
		n = mg_utf8_valid_prefix(s + i, len - i);
		i += n ? n : 1;
	}
	int cut = total > max_cps;
	size_t keep = cut ? (max_cps ? max_cps - 1 : 0) : total;
	int r = 0;
	i = 0;
	for (size_t cp = 0; cp < keep && r == 0; cp++) {
		n = mg_utf8_valid_prefix(s + i, len - i);
		if (n == 0) {
			r = mg_buf_adds(out, "\xEF\xBF\xBD");
			i++;
		} else {
			r = is_control(s + i, n) ? mg_buf_addc(out, ' ') : mg_buf_add(out, s + i, n);
			i += n;
		}
	}
	if (r == 0 && cut && max_cps)
		r = mg_buf_adds(out, "\xE2\x80\xA6");
	return r;
}

/* Replaces every occurrence of secret in b with REDACTED. */
static int redact(mg_buf *b, const char *secret)
{
	if (!secret || !*secret || !strstr(b->ptr, secret))
		return 0;
	size_t slen = strlen(secret);
	mg_buf out = MG_BUF_INIT;
	const char *p = b->ptr, *hit;
	int r = 0;
	while (r == 0 && (hit = strstr(p, secret)) != NULL) {
		if ((r = mg_buf_add(&out, p, (size_t)(hit - p))) == 0)
			r = mg_buf_adds(&out, REDACTED);
		p = hit + slen;
	}
	if (r == 0)
		r = mg_buf_adds(&out, p);
	if (r < 0) {
		mg_buf_release(&out);
		return r;
	}
	mg_buf_release(b);
	*b = out;
	return 0;
}

/* Sets the error message from msg, with the token redacted. */
static int set_error(int code, mg_buf *msg, const char *token)
{
	if (redact(msg, token) < 0)
		return mg_oom();
	mg_error_set("%s", msg->ptr);
	return code;
}

/* --- error responses ------------------------------------------------------ */

static int add_json_message(mg_buf *raw, const cJSON *item)
{
	if (cJSON_IsString(item) && item->valuestring)
		return mg_buf_adds(raw, item->valuestring);
	if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
		char *s = cJSON_PrintUnformatted(item);
		if (!s)
			return mg_oom();
		int r = mg_buf_adds(raw, s);
		cJSON_free(s);
		return r;
	}
	return 0;
}

/* The raw (unsanitised) message of an error body; see the public wrapper. */
static int extract_message(mg_buf *raw, const char *data, size_t len)
{
	if (len == 0 || len > MG_STATUS__RESPONSE_MAX)
		return 0;
	cJSON *root = cJSON_ParseWithLength(data, len);
	if (!root)
		return 0;
	int r = 0;
	if (cJSON_IsObject(root)) {
		const cJSON *message = cJSON_GetObjectItemCaseSensitive(root, "message");
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
		const cJSON *errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
		r = add_json_message(raw, message);
		if (r == 0 && raw->len == 0)
			r = add_json_message(raw, err);
		/* GitHub 422: {"message": "Validation Failed", "errors": [{"message": ...}]} */
		const cJSON *first = cJSON_IsArray(errors) ? errors->child : NULL;
		const cJSON *detail = cJSON_IsObject(first)
			? cJSON_GetObjectItemCaseSensitive(first, "message") : first;
		if (r == 0 && cJSON_IsString(detail) && detail->valuestring) {
			if (raw->len)
				r = mg_buf_adds(raw, ": ");
			if (r == 0)
				r = mg_buf_adds(raw, detail->valuestring);
		}
	}
	cJSON_Delete(root);
	return r;
}

static int parse_error_body(const char *data, size_t len, const char *token, mg_buf *out)
{
	mg_buf raw = MG_BUF_INIT;
	int r = extract_message(&raw, data, len);
	/* redact before cutting, so no prefix of the token survives the cut */
	if (r == 0)
		r = redact(&raw, token);
	if (r == 0)
		r = mg_status__add_clean_text(out, raw.ptr, raw.len, MG_STATUS__MESSAGE_MAX);
	mg_buf_release(&raw);
	return r < 0 ? mg_oom() : 0;
}

int mg_status__parse_error_body(const char *data, size_t len, mg_buf *out_message)
{
	return parse_error_body(data, len, NULL, out_message);
}

/* --- the environment ------------------------------------------------------ */

static const char *env(mg_status_getenv_fn *fn, void *ctx, const char *name)
{
	const char *v = fn ? fn(ctx, name) : getenv(name);
	return v && *v ? v : NULL;
}

int mg_status_req_from_env(mg_status_req *req, mg_buf *scratch,
	mg_status_getenv_fn *getenv_fn, void *ctx)
{
#define FILL(field, value) do { if (!req->field) req->field = (value); } while (0)
	if (req->provider == MG_STATUS_GITHUB) {
		FILL(api_url, env(getenv_fn, ctx, "GITHUB_API_URL"));
		FILL(repo, env(getenv_fn, ctx, "GITHUB_REPOSITORY"));
		FILL(sha, env(getenv_fn, ctx, "GITHUB_SHA"));
		FILL(token, env(getenv_fn, ctx, "GITHUB_TOKEN"));
		const char *server = env(getenv_fn, ctx, "GITHUB_SERVER_URL");
		const char *repository = env(getenv_fn, ctx, "GITHUB_REPOSITORY");
		const char *run = env(getenv_fn, ctx, "GITHUB_RUN_ID");
		if (!req->target_url && server && repository && run) {
			mg_buf_clear(scratch);
			if (mg_buf_addf(scratch, "%s/%s/actions/runs/%s", server, repository, run) < 0)
				return MG_ENOMEM;
			req->target_url = scratch->ptr;
		}
	} else if (req->provider == MG_STATUS_GITLAB) {
		FILL(api_url, env(getenv_fn, ctx, "CI_API_V4_URL"));
		FILL(repo, env(getenv_fn, ctx, "CI_PROJECT_ID"));
		FILL(sha, env(getenv_fn, ctx, "CI_COMMIT_SHA"));
		if (!req->token) {
			const char *t;
			if ((t = env(getenv_fn, ctx, "GITLAB_TOKEN")) != NULL) {
				req->token = t;
				if (req->auth == MG_STATUS_AUTH_DEFAULT)
					req->auth = MG_STATUS_AUTH_PRIVATE;
			} else if ((t = env(getenv_fn, ctx, "CI_JOB_TOKEN")) != NULL) {
				req->token = t;
				if (req->auth == MG_STATUS_AUTH_DEFAULT)
					req->auth = MG_STATUS_AUTH_JOB;
			}
		}
		FILL(target_url, env(getenv_fn, ctx, "CI_JOB_URL"));
		FILL(target_url, env(getenv_fn, ctx, "CI_PIPELINE_URL"));
	}
#undef FILL
	return 0;
}

/* --- the request ---------------------------------------------------------- */

static int all_bytes_in(const char *s, int (*ok)(unsigned char))
{
	for (; *s; s++)
		if (!ok((unsigned char)*s))
			return 0;
	return 1;
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A header value or URL byte: visible ASCII, no space. */
static int is_visible(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static int is_name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_' || c == '.';
}

static int is_unreserved(unsigned char c)
{
	return is_name_byte(c) || c == '~';
}

/* GitHub "owner/name": one slash, both parts of [A-Za-z0-9._-], not . or .. */
static int github_repo_ok(const char *repo)
{
	const char *slash = strchr(repo, '/');
	if (!slash || slash == repo || !slash[1] || strchr(slash + 1, '/'))
		return 0;
	for (const char *p = repo; *p; p++)
		if (p != slash && !is_name_byte((unsigned char)*p))
			return 0;
	const char *name = slash + 1;
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
		!(slash - repo == 1 && repo[0] == '.') &&
		!(slash - repo == 2 && repo[0] == '.' && repo[1] == '.');
}

static int check_req(const mg_status_req *req, const provider_info *pi)
{
	const char *n = pi->name;
	if (!req->token) {
		mg_error_set("cannot post a %s commit status: %s", n, pi->no_token);
		return MG_EINVALID;
	}
	if (strlen(req->token) > TOKEN_MAX || !all_bytes_in(req->token, is_visible)) {
		mg_error_set("cannot post a %s commit status: the token contains characters "
			"not allowed in an HTTP header", n);
		return MG_EINVALID;
	}
	if (!req->repo) {
		mg_error_set("cannot post a %s commit status: no repository (%s is not set)",
			n, pi->repo_var);
		return MG_EINVALID;
	}
	int repo_ok = req->provider == MG_STATUS_GITHUB ? github_repo_ok(req->repo)
		: (*req->repo && strlen(req->repo) <= 1024 && all_bytes_in(req->repo, is_visible) &&
			strcmp(req->repo, ".") != 0 && strcmp(req->repo, "..") != 0);
	if (!repo_ok) {
		mg_error_set(req->provider == MG_STATUS_GITHUB
			? "cannot post a %s commit status: invalid repository (expected owner/name)"
			: "cannot post a %s commit status: invalid project (expected an id or a path)", n);
		return MG_EINVALID;
	}
	if (!req->sha) {
		mg_error_set("cannot post a %s commit status: no commit (%s is not set)",
			n, pi->sha_var);
		return MG_EINVALID;
	}
	size_t shalen = strlen(req->sha);
	if ((shalen != 40 && shalen != 64) || !all_bytes_in(req->sha, is_hex)) {
		mg_error_set("cannot post a %s commit status: invalid commit id "
			"(expected 40 or 64 hex digits)", n);
		return MG_EINVALID;
	}
	if ((int)req->state < (int)MG_STATUS_SUCCESS || (int)req->state > (int)MG_STATUS_PENDING) {
		mg_error_set("cannot post a %s commit status: invalid state", n);
		return MG_EINVALID;
	}
	if (req->target_url && (strlen(req->target_url) > URL_MAX ||
			!all_bytes_in(req->target_url, is_visible) ||
			(strncasecmp(req->target_url, "https://", 8) != 0 &&
			 strncasecmp(req->target_url, "http://", 7) != 0))) {
		mg_error_set("cannot post a %s commit status: the target url is not an http(s) URL", n);
		return MG_EINVALID;
	}
	if (req->timeout_ms < 0) {
		mg_error_set("cannot post a %s commit status: negative timeout", n);
		return MG_EINVALID;
	}
	return 0;
}

static int is_loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 ||
		strcmp(host, "[::1]") == 0;
}

/*
 * Checks the API root (https, or http to a loopback host; no credentials,
 * query or fragment) and sets *loopback.
 */
static int check_api_url(const char *api, const provider_info *pi, int *loopback)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *part = NULL;
	int error = 0;
	if (!u)
		return mg_oom();
	if (strlen(api) > URL_MAX || !all_bytes_in(api, is_visible) ||
			curl_url_set(u, CURLUPART_URL, api, 0) != CURLUE_OK ||
			curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
			curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		mg_error_set("the %s api url is not a valid URL", pi->name);
		error = MG_EINVALID;
		goto done;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
			curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		mg_error_set("the %s api url must not contain credentials; the token is read "
			"from the environment", pi->name);
		error = MG_EINVALID;
		goto done;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
			curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		mg_error_set("the %s api url must not have a query or fragment", pi->name);
		error = MG_EINVALID;
		goto done;
	}
	*loopback = is_loopback(host);
	if (strcasecmp(scheme, "https") != 0 &&
			!(strcasecmp(scheme, "http") == 0 && *loopback)) {
		mg_error_set("the %s api url must use https (plain http is allowed only to "
			"127.0.0.1, localhost or [::1], not '%s')", pi->name, host);
		error = MG_EINVALID;
	}
done:
	curl_free(part);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return error;
}

static int build_url(mg_buf *url, const mg_status_req *req, const provider_info *pi,
	int *loopback)
{
	const char *api = req->api_url ? req->api_url : pi->default_api;
	int error;
	if ((error = check_api_url(api, pi, loopback)) < 0)
		return error;
	size_t len = strlen(api);
	while (len && api[len - 1] == '/')
		len--;
	if (mg_buf_add(url, api, len) < 0)
		return MG_ENOMEM;
	if (req->provider == MG_STATUS_GITHUB)
		return mg_buf_addf(url, "/repos/%s/statuses/%s", req->repo, req->sha);
	if (mg_buf_adds(url, "/projects/") < 0)
		return MG_ENOMEM;
	for (const char *p = req->repo; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int r = is_unreserved(c) ? mg_buf_addc(url, (char)c) : mg_buf_addf(url, "%%%02X", c);
		if (r < 0)
			return r;
	}
	return mg_buf_addf(url, "/statuses/%s", req->sha);
}

static const char *state_name(const mg_status_req *req)
{
	static const char *const gh[] = { "success", "failure", "error", "pending" };
	static const char *const gl[] = { "success", "failed", "canceled", "pending" };
	return (req->provider == MG_STATUS_GITHUB ? gh : gl)[req->state];
}

static int add_clean_field(cJSON *obj, const char *key, const char *s, size_t max_cps)
{
	mg_buf clean = MG_BUF_INIT;
	int r = mg_status__add_clean_text(&clean, s, strlen(s), max_cps);
	if (r == 0 && !cJSON_AddStringToObject(obj, key, clean.ptr))
		r = MG_ENOMEM;
	mg_buf_release(&clean);
	return r;
}

static int build_body(mg_buf *body, const mg_status_req *req)
{
	cJSON *obj = cJSON_CreateObject();
	char *text = NULL;
	int r = obj ? 0 : MG_ENOMEM;
	if (r == 0 && !cJSON_AddStringToObject(obj, "state", state_name(req)))
		r = MG_ENOMEM;
	if (r == 0 && req->target_url && !cJSON_AddStringToObject(obj, "target_url", req->target_url))
		r = MG_ENOMEM;
	if (r == 0 && req->description)
		r = add_clean_field(obj, "description", req->description, MG_STATUS__DESCRIPTION_MAX);
	if (r == 0)
		r = add_clean_field(obj, req->provider == MG_STATUS_GITHUB ? "context" : "name",
			req->context ? req->context : "meshgate", SIZE_MAX);
	if (r == 0 && (text = cJSON_PrintUnformatted(obj)) == NULL)
		r = MG_ENOMEM;
	if (r == 0)
		r = mg_buf_adds(body, text);
	cJSON_free(text);
	cJSON_Delete(obj);
	return r < 0 ? mg_oom() : 0;
}

static int build_headers(struct curl_slist **out, mg_buf *auth, const mg_status_req *req)
{
	const char *lines[4];
	size_t n = 0;
	mg_status_auth kind = req->auth;
	if (kind == MG_STATUS_AUTH_DEFAULT)
		kind = req->provider == MG_STATUS_GITHUB ? MG_STATUS_AUTH_BEARER : MG_STATUS_AUTH_PRIVATE;
	const char *prefix = kind == MG_STATUS_AUTH_BEARER ? "Authorization: Bearer "
		: kind == MG_STATUS_AUTH_JOB ? "JOB-TOKEN: " : "PRIVATE-TOKEN: ";
	if (mg_buf_adds(auth, prefix) < 0 || mg_buf_adds(auth, req->token) < 0)
		return MG_ENOMEM;
	if (req->provider == MG_STATUS_GITHUB) {
		lines[n++] = "Accept: application/vnd.github+json";
		lines[n++] = "X-GitHub-Api-Version: 2022-11-28";
	} else {
		lines[n++] = "Accept: application/json";
	}
	lines[n++] = "Content-Type: application/json";
	lines[n++] = "Expect:"; /* no 100-continue round trip */
	for (size_t i = 0; i <= n; i++) {
		struct curl_slist *l = curl_slist_append(*out, i < n ? lines[i] : auth->ptr);
		if (!l)
			return mg_oom();
		*out = l;
	}
	return 0;
}

/* --- the transfer --------------------------------------------------------- */

typedef struct response {
	mg_buf body;
	int overflow;
	int oom;
} response;

static size_t on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	response *resp = userdata;
	size_t len = size * nmemb;
	if (len > MG_STATUS__RESPONSE_MAX - resp->body.len) {
		resp->overflow = 1;
		return 0; /* abandons the transfer */
	}
	if (mg_buf_add(&resp->body, data, len) < 0) {
		resp->oom = 1;
		return 0;
	}
	return len;
}

static int setup(CURL *h, const mg_status_req *req, const mg_buf *url, const mg_buf *body,
	struct curl_slist *headers, int loopback, response *resp, char *errbuf)
{
	long timeout = req->timeout_ms ? req->timeout_ms : TIMEOUT_DEFAULT_MS;
	long connect = timeout < CONNECT_TIMEOUT_MAX_MS ? timeout : CONNECT_TIMEOUT_MAX_MS;
	CURLcode c = CURLE_OK;
#define SET(opt, val) do { if (c == CURLE_OK) c = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url->ptr);
	SET(CURLOPT_PROTOCOLS_STR, "https,http");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, timeout);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, body->ptr);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_USERAGENT, "meshgate/" MESHGATE_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, resp);
	/* a proxy from the environment never sees loopback traffic */
	if (loopback)
		SET(CURLOPT_PROXY, "");
#undef SET
	if (c != CURLE_OK) {
		mg_error_set("cannot set up the HTTP request: %s", curl_easy_strerror(c));
		return MG_EBACKEND;
	}
	return 0;
}

/* The message for a failed transfer (no HTTP status to judge). */
static int transport_error(mg_buf *msg, CURLcode rc, const char *errbuf,
	const mg_status_req *req, const provider_info *pi)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return mg_buf_addf(msg, "posting the %s commit status timed out after %ld ms: %s",
			pi->name, req->timeout_ms ? req->timeout_ms : TIMEOUT_DEFAULT_MS, why);
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return mg_buf_addf(msg, "cannot connect to %s: %s", pi->name, why);
	default:
		return mg_buf_addf(msg, "cannot post the %s commit status: %s", pi->name, why);
	}
}

/* The message and code for an HTTP status other than 2xx. */
static int http_error(mg_buf *msg, long code, const response *resp,
	const mg_status_req *req, const provider_info *pi, int *error)
{
	mg_buf detail = MG_BUF_INIT;
	int r;
	if ((r = parse_error_body(resp->body.ptr, resp->body.len, req->token, &detail)) < 0)
		return r;
	const char *sep = detail.len ? ": " : "";
	*error = MG_EBACKEND;
	if (code == 401 || code == 403) {
		r = mg_buf_addf(msg, "%s rejected the token (HTTP %ld)", pi->name, code);
	} else if (code == 404) {
		*error = MG_ENOTFOUND;
		r = mg_buf_adds(msg, pi->name);
		if (r == 0)
			r = mg_buf_adds(msg, req->provider == MG_STATUS_GITHUB ? ": repository '"
				: ": project '");
		if (r == 0)
			r = mg_status__add_clean_text(msg, req->repo, strlen(req->repo), 200);
		if (r == 0)
			r = mg_buf_addf(msg, "' or commit %.12s not found, or not visible to the "
				"token (HTTP 404)", req->sha);
	} else if (code >= 500) {
		r = mg_buf_addf(msg, "%s server error (HTTP %ld)", pi->name, code);
	} else if (code >= 300 && code < 400) {
		r = mg_buf_addf(msg, "%s answered with a redirect (HTTP %ld), which is not "
			"followed; check the api url", pi->name, code);
	} else if (code == 400 || code == 422) {
		r = mg_buf_addf(msg, "%s refused the commit status (HTTP %ld)", pi->name, code);
	} else {
		r = mg_buf_addf(msg, "%s answered HTTP %ld", pi->name, code);
	}
	if (r == 0)
		r = mg_buf_addf(msg, "%s%s", sep, detail.ptr);
	mg_buf_release(&detail);
	return r;
}

int mg_status_post(const mg_status_req *req)
{
	mg_buf url = MG_BUF_INIT, body = MG_BUF_INIT, auth = MG_BUF_INIT, msg = MG_BUF_INIT;
	response resp = { MG_BUF_INIT, 0, 0 };
	struct curl_slist *headers = NULL;
	CURL *h = NULL;
	char errbuf[CURL_ERROR_SIZE];
	const provider_info *pi = provider_of(req->provider);
	int loopback = 0, error;
	long code = 0;

	errbuf[0] = '\0';
	if (!pi) {
		mg_error_set("cannot post a commit status: no provider (github or gitlab)");
		return MG_EINVALID;
	}
	if ((error = check_req(req, pi)) < 0 ||
			(error = build_url(&url, req, pi, &loopback)) < 0 ||
			(error = build_body(&body, req)) < 0 ||
			(error = build_headers(&headers, &auth, req)) < 0)
		goto done;
	if ((h = curl_easy_init()) == NULL) {
		mg_error_set("cannot initialise libcurl");
		error = MG_EBACKEND;
		goto done;
	}
	if ((error = setup(h, req, &url, &body, headers, loopback, &resp, errbuf)) < 0)
		goto done;

	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (resp.oom) {
		error = mg_oom();
		goto done;
	}
	/* a body over the cap still leaves the status line to judge */
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && resp.overflow && code)) {
		error = transport_error(&msg, rc, errbuf, req, pi) < 0
			? mg_oom() : set_error(MG_EBACKEND, &msg, req->token);
		goto done;
	}
	if (code >= 200 && code < 300) {
		error = 0;
		goto done;
	}
	if (http_error(&msg, code, &resp, req, pi, &error) < 0)
		error = mg_oom();
	else
		error = set_error(error, &msg, req->token);

done:
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	mg_buf_release(&resp.body);
	mg_buf_release(&msg);
	mg_buf_release(&auth);
	mg_buf_release(&body);
	mg_buf_release(&url);
	return error;
}
