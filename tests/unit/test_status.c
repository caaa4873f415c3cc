/*
 * test_status.c - commit statuses against a fake API server on loopback.
 *
 * Each network test forks a one-shot server on 127.0.0.1 (port 0): it
 * accepts one connection, sends the raw request it read back to the test
 * through a pipe, then answers with the scenario's raw HTTP reply, or stays
 * silent until the client hangs up.  Every wait in the server is bounded
 * (poll timeouts, SO_RCVTIMEO, and alarm() as a last resort), so it exits by
 * itself whatever the client does.
 */
#include "mgt.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "meshgate/error.h"
#include "meshgate/status.h"
#include "publish/status_int.h"

#define SHA "0123456789abcdef0123456789abcdef01234567"
#define TOKEN "ghp_S3cretT0kenValue0123456789abcdefXYZ"
#define CAPTURE_MAX (64 * 1024)

/* --- the fake server ------------------------------------------------------ */

typedef enum { REPLY, SILENT } server_mode;

typedef struct server {
	pid_t pid;
	int port;
	int capture_fd; /* read end: the request the server received */
} server;

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* Reads one request (headers, then Content-Length bytes of body) into buf. */
static size_t read_request(int fd, char *buf, size_t cap)
{
	size_t len = 0, want = 0;
	while (len < cap - 1) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		if (!want) {
			size_t body = 0;
			for (char *l = buf; l && l < end; l = strstr(l, "\r\n") ? strstr(l, "\r\n") + 2 : NULL)
				if (strncasecmp(l, "Content-Length:", 15) == 0)
					body = (size_t)strtoul(l + 15, NULL, 10);
			want = (size_t)(end + 4 - buf) + body;
		}
		if (len >= want)
			break;
	}
	buf[len] = '\0';
	return len;
}

static void serve(int lfd, int capture_fd, server_mode mode, const char *reply)
{
	static char req[CAPTURE_MAX];
	struct pollfd pfd = { lfd, POLLIN, 0 };
	alarm(10);
	if (poll(&pfd, 1, 5000) != 1)
		return;
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return;
	struct timeval tv = { 2, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	size_t len = read_request(fd, req, sizeof req);
	write_all(capture_fd, req, len);
	close(capture_fd);
	if (mode == REPLY) {
		write_all(fd, reply, strlen(reply));
		shutdown(fd, SHUT_WR);
	}
	/* wait (bounded) for the client to hang up */
	struct pollfd cfd = { fd, POLLIN, 0 };
	char sink[512];
	while (poll(&cfd, 1, mode == REPLY ? 2000 : 5000) == 1 && recv(fd, sink, sizeof sink, 0) > 0)
		;
	close(fd);
}

static int server_start(server *s, server_mode mode, const char *reply)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int p[2];
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4) < 0 ||
			getsockname(lfd, (struct sockaddr *)&a, &alen) < 0 || pipe(p) < 0) {
		perror("server_start");
		return -1;
	}
	s->port = ntohs(a.sin_port);
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		perror("fork");
		return -1;
	}
	if (s->pid == 0) {
		close(p[0]);
		serve(lfd, p[1], mode, reply);
		_exit(0);
	}
	close(lfd);
	close(p[1]);
	s->capture_fd = p[0];
	return 0;
}

/* Collects the captured request into out and reaps the server. */
static void server_finish(server *s, mg_buf *out)
{
	char chunk[4096];
	struct pollfd pfd = { s->capture_fd, POLLIN, 0 };
	while (poll(&pfd, 1, 5000) == 1) {
		ssize_t n = read(s->capture_fd, chunk, sizeof chunk);
		if (n <= 0)
			break;
		mg_buf_add(out, chunk, (size_t)n);
	}
	close(s->capture_fd);
	waitpid(s->pid, NULL, 0);
}

/* A raw HTTP/1.1 reply with a body and its Content-Length. */
static const char *http_reply(const char *status, const char *type, const char *body)
{
	static mg_buf b = MG_BUF_INIT;
	mg_buf_clear(&b);
	mg_buf_addf(&b, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n%s", status, type, strlen(body), body);
	return b.ptr;
}

static char api_url[64];

/* Starts a server, posts req to it (api_url set here), captures the request. */
static int post_to_server(mg_status_req *req, server_mode mode, const char *reply,
	const char *api_path, mg_buf *captured)
{
	server s;
	if (server_start(&s, mode, reply) < 0)
		return 999;
	snprintf(api_url, sizeof api_url, "http://127.0.0.1:%d%s", s.port, api_path);
	req->api_url = api_url;
	int r = mg_status_post(req);
	server_finish(&s, captured);
	return r;
}

/* --- reading the captured request ----------------------------------------- */

static char line_buf[1024];

static const char *request_line(const char *raw)
{
	const char *end = strstr(raw, "\r\n");
	size_t n = end ? (size_t)(end - raw) : strlen(raw);
	if (n >= sizeof line_buf)
		n = sizeof line_buf - 1;
	memcpy(line_buf, raw, n);
	line_buf[n] = '\0';
	return line_buf;
}

/* The value of the first header called name (NULL if none); *count gets how many. */
static const char *header(const char *raw, const char *name, int *count)
{
	static char value[1024];
	const char *found = NULL;
	size_t nlen = strlen(name);
	int c = 0;
	const char *l = strstr(raw, "\r\n");
	while (l && l[2] != '\r' && l[2] != '\0') {
		l += 2;
		const char *end = strstr(l, "\r\n");
		if (!end)
			break;
		if (strncasecmp(l, name, nlen) == 0 && l[nlen] == ':') {
			if (!c++) {
				const char *v = l + nlen + 1;
				while (*v == ' ')
					v++;
				size_t n = (size_t)(end - v) < sizeof value - 1 ? (size_t)(end - v) : sizeof value - 1;
				memcpy(value, v, n);
				value[n] = '\0';
				found = value;
			}
		}
		l = end;
	}
	if (count)
		*count = c;
	return found;
}

static cJSON *request_body(const char *raw)
{
	const char *b = strstr(raw, "\r\n\r\n");
	return b ? cJSON_Parse(b + 4) : NULL;
}

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static mg_status_req github_req(void)
{
	mg_status_req req = MG_STATUS_REQ_INIT;
	req.provider = MG_STATUS_GITHUB;
	req.repo = "acme/catalogue";
	req.sha = SHA;
	req.token = TOKEN;
	req.timeout_ms = 5000;
	return req;
}

static mg_status_req gitlab_req(void)
{
	mg_status_req req = github_req();
	req.provider = MG_STATUS_GITLAB;
	req.repo = "1234";
	return req;
}

/* --- GitHub --------------------------------------------------------------- */

static void test_github_success_exact_request(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	req.state = MG_STATUS_FAILURE;
	req.description = "2 errors in 1 product";
	req.target_url = "https://github.com/acme/catalogue/actions/runs/42";
	int r = post_to_server(&req, REPLY, http_reply("201 Created", "application/json",
		"{\"id\":1,\"state\":\"failure\"}"), "", &cap);
	MGT_EQ_INT(r, 0);
	MGT_EQ_STR(mg_error_last(), "");
	MGT_EQ_STR(request_line(cap.ptr), "POST /repos/acme/catalogue/statuses/" SHA " HTTP/1.1");
	int n;
	MGT_EQ_STR(header(cap.ptr, "Accept", &n), "application/vnd.github+json");
	MGT_EQ_INT(n, 1);
	MGT_EQ_STR(header(cap.ptr, "Authorization", &n), "Bearer " TOKEN);
	MGT_EQ_INT(n, 1);
	MGT_EQ_STR(header(cap.ptr, "X-GitHub-Api-Version", &n), "2022-11-28");
	MGT_EQ_STR(header(cap.ptr, "User-Agent", &n), "meshgate/" MESHGATE_VERSION);
	MGT_EQ_STR(header(cap.ptr, "Content-Type", &n), "application/json");
	MGT_CHECK(header(cap.ptr, "Expect", NULL) == NULL);
	MGT_CHECK(header(cap.ptr, "PRIVATE-TOKEN", NULL) == NULL);
	cJSON *body = request_body(cap.ptr);
	MGT_CHECK(cJSON_IsObject(body));
	MGT_EQ_INT(cJSON_GetArraySize(body), 4);
	MGT_EQ_STR(json_str(body, "state"), "failure");
	MGT_EQ_STR(json_str(body, "target_url"), "https://github.com/acme/catalogue/actions/runs/42");
	MGT_EQ_STR(json_str(body, "description"), "2 errors in 1 product");
	MGT_EQ_STR(json_str(body, "context"), "meshgate");
	cJSON_Delete(body);
	mg_buf_release(&cap);
}

static void test_github_states_and_optional_fields(void)
{
	static const mg_status_state states[] = {
		MG_STATUS_SUCCESS, MG_STATUS_ERROR, MG_STATUS_PENDING
	};
	static const char *const names[] = { "success", "error", "pending" };
	for (size_t i = 0; i < 3; i++) {
		mg_buf cap = MG_BUF_INIT;
		mg_status_req req = github_req();
		req.state = states[i];
		req.context = "meshgate/pr";
		/* a trailing slash on the api root is tolerated */
		int r = post_to_server(&req, REPLY, http_reply("201 Created", "application/json", "{}"),
			"/api/v3/", &cap);
		MGT_EQ_INT(r, 0);
		MGT_EQ_STR(request_line(cap.ptr), "POST /api/v3/repos/acme/catalogue/statuses/" SHA " HTTP/1.1");
		cJSON *body = request_body(cap.ptr);
		MGT_EQ_INT(cJSON_GetArraySize(body), 2);
		MGT_EQ_STR(json_str(body, "state"), names[i]);
		MGT_EQ_STR(json_str(body, "context"), "meshgate/pr");
		cJSON_Delete(body);
		mg_buf_release(&cap);
	}
}

static void test_github_long_description_is_cut(void)
{
	mg_buf desc = MG_BUF_INIT, cap = MG_BUF_INIT;
	for (int i = 0; i < 200; i++)
		mg_buf_adds(&desc, "\xE2\x82\xAC"); /* U+20AC, 3 bytes */
	mg_status_req req = github_req();
	req.description = desc.ptr;
	int r = post_to_server(&req, REPLY, http_reply("201 Created", "application/json", "{}"), "", &cap);
	MGT_EQ_INT(r, 0);
	cJSON *body = request_body(cap.ptr);
	const char *d = json_str(body, "description");
	MGT_CHECK(d != NULL);
	if (d) {
		MGT_EQ_INT(strlen(d), 139 * 3 + 3);
		MGT_CHECK(strcmp(d + 139 * 3, "\xE2\x80\xA6") == 0);
	}
	cJSON_Delete(body);
	mg_buf_release(&cap);
	mg_buf_release(&desc);
}

static void test_github_401_message_without_token(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	int r = post_to_server(&req, REPLY, http_reply("401 Unauthorized", "application/json",
		"{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\"}"),
		"", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "github rejected the token (HTTP 401): Bad credentials");
	MGT_CHECK(strstr(mg_error_last(), TOKEN) == NULL);
	MGT_CHECK(strstr(mg_error_last(), "Authorization") == NULL);
	mg_buf_release(&cap);
}

static void test_github_403_echoed_token_is_redacted(void)
{
	mg_buf cap = MG_BUF_INIT, body = MG_BUF_INIT;
	mg_status_req req = github_req();
	/* a hostile or careless server quotes the token, here at the point
	 * where the message is cut, so a prefix would leak without redaction */
	mg_buf_adds(&body, "{\"message\":\"");
	for (int i = 0; i < 150; i++)
		mg_buf_addc(&body, 'x');
	mg_buf_adds(&body, " Authorization: Bearer " TOKEN " and again " TOKEN "\"}");
	int r = post_to_server(&req, REPLY, http_reply("403 Forbidden", "application/json", body.ptr),
		"", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_CHECK(starts_with(mg_error_last(), "github rejected the token (HTTP 403): xxxx"));
	MGT_CHECK(strstr(mg_error_last(), TOKEN) == NULL);
	MGT_CHECK(strstr(mg_error_last(), "ghp_S3cret") == NULL);
	MGT_CHECK(strstr(mg_error_last(), "ghp_") == NULL);

	/* short enough to be quoted whole: the token is replaced */
	mg_buf_clear(&cap);
	r = post_to_server(&req, REPLY, http_reply("403 Forbidden", "application/json",
		"{\"message\":\"token " TOKEN " lacks repo:status\"}"), "", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(),
		"github rejected the token (HTTP 403): token [redacted] lacks repo:status");
	mg_buf_release(&body);
	mg_buf_release(&cap);
}

static void test_github_404(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	int r = post_to_server(&req, REPLY, http_reply("404 Not Found", "application/json",
		"{\"message\":\"Not Found\"}"), "", &cap);
	MGT_EQ_INT(r, MG_ENOTFOUND);
	MGT_EQ_STR(mg_error_last(), "github: repository 'acme/catalogue' or commit 0123456789ab "
		"not found, or not visible to the token (HTTP 404): Not Found");
	mg_buf_release(&cap);
}

static void test_github_422_validation_detail(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	int r = post_to_server(&req, REPLY, http_reply("422 Unprocessable Entity", "application/json",
		"{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"Status\","
		"\"code\":\"custom\",\"field\":\"state\",\"message\":\"state is not included in the list\"}]}"),
		"", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "github refused the commit status (HTTP 422): "
		"Validation Failed: state is not included in the list");
	mg_buf_release(&cap);
}

static void test_github_500_without_json(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	int r = post_to_server(&req, REPLY, http_reply("500 Internal Server Error", "text/html",
		"<html>\x1b[31moops</html>"), "", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "github server error (HTTP 500)");
	mg_buf_release(&cap);
}

static void test_github_huge_error_body_is_capped(void)
{
	mg_buf cap = MG_BUF_INIT, body = MG_BUF_INIT;
	mg_buf_adds(&body, "{\"message\":\"");
	for (int i = 0; i < 100000; i++)
		mg_buf_addc(&body, 'y');
	mg_buf_adds(&body, "\"}");
	mg_status_req req = github_req();
	int r = post_to_server(&req, REPLY, http_reply("502 Bad Gateway", "application/json", body.ptr),
		"", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "github server error (HTTP 502)");

	/* a success with an oversized body is still a success */
	mg_buf_clear(&cap);
	r = post_to_server(&req, REPLY, http_reply("201 Created", "application/json", body.ptr), "", &cap);
	MGT_EQ_INT(r, 0);
	mg_buf_release(&body);
	mg_buf_release(&cap);
}

static void test_github_redirect_not_followed(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	int r = post_to_server(&req, REPLY,
		"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/steal\r\n"
		"Content-Length: 0\r\nConnection: close\r\n\r\n", "", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "github answered with a redirect (HTTP 307), which is not "
		"followed; check the api url");
	mg_buf_release(&cap);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_github_timeout(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = github_req();
	req.timeout_ms = 500;
	double t0 = now_s();
	int r = post_to_server(&req, SILENT, NULL, "", &cap);
	double took = now_s() - t0;
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_CHECK(starts_with(mg_error_last(),
		"posting the github commit status timed out after 500 ms: "));
	MGT_CHECK(strstr(mg_error_last(), TOKEN) == NULL);
	MGT_CHECK(took < 3.0);
	/* the request did reach the server before it went silent */
	MGT_CHECK(starts_with(cap.ptr, "POST /repos/acme/catalogue/statuses/"));
	mg_buf_release(&cap);
}

static void test_github_connection_refused(void)
{
	/* a port that was bound and released: nothing listens there */
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	MGT_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
		getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
	close(fd);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	mg_status_req req = github_req();
	req.api_url = url;
	double t0 = now_s();
	MGT_EQ_INT(mg_status_post(&req), MG_EBACKEND);
	MGT_CHECK(now_s() - t0 < 3.0);
	MGT_CHECK(starts_with(mg_error_last(), "cannot connect to github: "));
	MGT_CHECK(strstr(mg_error_last(), "127.0.0.1") != NULL);
	MGT_CHECK(strstr(mg_error_last(), TOKEN) == NULL);
}

/* --- GitLab --------------------------------------------------------------- */

static void test_gitlab_success_job_token(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = gitlab_req();
	req.repo = "acme/data-mesh/catalogue";
	req.auth = MG_STATUS_AUTH_JOB;
	req.state = MG_STATUS_ERROR;
	req.context = "meshgate-pr";
	req.description = "could not read the catalogue";
	req.target_url = "https://gitlab.com/acme/data-mesh/catalogue/-/jobs/7";
	int r = post_to_server(&req, REPLY, http_reply("201 Created", "application/json",
		"{\"id\":93,\"status\":\"canceled\"}"), "/api/v4", &cap);
	MGT_EQ_INT(r, 0);
	MGT_EQ_STR(request_line(cap.ptr),
		"POST /api/v4/projects/acme%2Fdata-mesh%2Fcatalogue/statuses/" SHA " HTTP/1.1");
	int n;
	MGT_EQ_STR(header(cap.ptr, "JOB-TOKEN", &n), TOKEN);
	MGT_EQ_INT(n, 1);
	MGT_CHECK(header(cap.ptr, "PRIVATE-TOKEN", NULL) == NULL);
	MGT_CHECK(header(cap.ptr, "Authorization", NULL) == NULL);
	MGT_EQ_STR(header(cap.ptr, "Content-Type", NULL), "application/json");
	MGT_EQ_STR(header(cap.ptr, "Accept", NULL), "application/json");
	MGT_EQ_STR(header(cap.ptr, "User-Agent", NULL), "meshgate/" MESHGATE_VERSION);
	cJSON *body = request_body(cap.ptr);
	MGT_EQ_INT(cJSON_GetArraySize(body), 4);
	MGT_EQ_STR(json_str(body, "state"), "canceled");
	MGT_EQ_STR(json_str(body, "name"), "meshgate-pr");
	MGT_EQ_STR(json_str(body, "description"), "could not read the catalogue");
	MGT_EQ_STR(json_str(body, "target_url"), "https://gitlab.com/acme/data-mesh/catalogue/-/jobs/7");
	MGT_CHECK(json_str(body, "context") == NULL);
	cJSON_Delete(body);
	mg_buf_release(&cap);
}

static void test_gitlab_private_token_and_states(void)
{
	static const mg_status_state states[] = {
		MG_STATUS_SUCCESS, MG_STATUS_FAILURE, MG_STATUS_PENDING
	};
	static const char *const names[] = { "success", "failed", "pending" };
	for (size_t i = 0; i < 3; i++) {
		mg_buf cap = MG_BUF_INIT;
		mg_status_req req = gitlab_req();
		req.state = states[i];
		int r = post_to_server(&req, REPLY, http_reply("201 Created", "application/json", "{}"),
			"/api/v4", &cap);
		MGT_EQ_INT(r, 0);
		MGT_EQ_STR(request_line(cap.ptr), "POST /api/v4/projects/1234/statuses/" SHA " HTTP/1.1");
		MGT_EQ_STR(header(cap.ptr, "PRIVATE-TOKEN", NULL), TOKEN);
		MGT_CHECK(header(cap.ptr, "JOB-TOKEN", NULL) == NULL);
		cJSON *body = request_body(cap.ptr);
		MGT_EQ_INT(cJSON_GetArraySize(body), 2);
		MGT_EQ_STR(json_str(body, "state"), names[i]);
		MGT_EQ_STR(json_str(body, "name"), "meshgate");
		cJSON_Delete(body);
		mg_buf_release(&cap);
	}
}

static void test_gitlab_401_and_400(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = gitlab_req();
	int r = post_to_server(&req, REPLY, http_reply("401 Unauthorized", "application/json",
		"{\"message\":\"401 Unauthorized\"}"), "/api/v4", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "gitlab rejected the token (HTTP 401): 401 Unauthorized");
	MGT_CHECK(strstr(mg_error_last(), TOKEN) == NULL);

	mg_buf_clear(&cap);
	r = post_to_server(&req, REPLY, http_reply("400 Bad Request", "application/json",
		"{\"message\":{\"state\":[\"is invalid\"]}}"), "/api/v4", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(),
		"gitlab refused the commit status (HTTP 400): {\"state\":[\"is invalid\"]}");

	mg_buf_clear(&cap);
	r = post_to_server(&req, REPLY, http_reply("400 Bad Request", "application/json",
		"{\"error\":\"state does not have a valid value\"}"), "/api/v4", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(),
		"gitlab refused the commit status (HTTP 400): state does not have a valid value");
	mg_buf_release(&cap);
}

static void test_gitlab_404_and_503(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = gitlab_req();
	int r = post_to_server(&req, REPLY, http_reply("404 Not Found", "application/json",
		"{\"message\":\"404 Project Not Found\"}"), "/api/v4", &cap);
	MGT_EQ_INT(r, MG_ENOTFOUND);
	MGT_EQ_STR(mg_error_last(), "gitlab: project '1234' or commit 0123456789ab not found, "
		"or not visible to the token (HTTP 404): 404 Project Not Found");

	mg_buf_clear(&cap);
	r = post_to_server(&req, REPLY, http_reply("503 Service Unavailable", "application/json",
		"{\"message\":\"503 Service Unavailable\"}"), "/api/v4", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_EQ_STR(mg_error_last(), "gitlab server error (HTTP 503): 503 Service Unavailable");
	mg_buf_release(&cap);
}

static void test_gitlab_timeout(void)
{
	mg_buf cap = MG_BUF_INIT;
	mg_status_req req = gitlab_req();
	req.timeout_ms = 500;
	double t0 = now_s();
	int r = post_to_server(&req, SILENT, NULL, "/api/v4", &cap);
	MGT_EQ_INT(r, MG_EBACKEND);
	MGT_CHECK(starts_with(mg_error_last(),
		"posting the gitlab commit status timed out after 500 ms: "));
	MGT_CHECK(now_s() - t0 < 3.0);
	mg_buf_release(&cap);
}

/* --- checks made before anything is sent ---------------------------------- */

static void test_refuses_bad_requests(void)
{
	mg_status_req req = github_req();
	req.api_url = "http://example.com";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(), "the github api url must use https (plain http is allowed "
		"only to 127.0.0.1, localhost or [::1], not 'example.com')");

	req.api_url = "ftp://127.0.0.1/";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);

	req.api_url = "https://user:" TOKEN "@api.github.com";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(), "the github api url must not contain credentials; "
		"the token is read from the environment");

	req.api_url = "https://api.github.com?x=1";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	req.api_url = "not a url";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(), "the github api url is not a valid URL");

	req = github_req();
	req.token = NULL;
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(), "cannot post a github commit status: GITHUB_TOKEN is not set");
	req = gitlab_req();
	req.token = NULL;
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(),
		"cannot post a gitlab commit status: neither GITLAB_TOKEN nor CI_JOB_TOKEN is set");

	req = github_req();
	req.token = TOKEN "\r\nX-Injected: 1";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(), "cannot post a github commit status: the token contains "
		"characters not allowed in an HTTP header");

	static const char *const bad_repos[] = {
		"acme", "acme/", "/x", "acme/cat/extra", "acme/..", "../x", "acme/c?x", "acme/c at"
	};
	for (size_t i = 0; i < sizeof bad_repos / sizeof bad_repos[0]; i++) {
		req = github_req();
		req.repo = bad_repos[i];
		MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
		MGT_EQ_STR(mg_error_last(),
			"cannot post a github commit status: invalid repository (expected owner/name)");
	}
	req = gitlab_req();
	req.repo = "..";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);

	req = github_req();
	req.repo = NULL;
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(),
		"cannot post a github commit status: no repository (GITHUB_REPOSITORY is not set)");
	req = gitlab_req();
	req.sha = NULL;
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(),
		"cannot post a gitlab commit status: no commit (CI_COMMIT_SHA is not set)");
	req = github_req();
	req.sha = "0123abc";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	req.sha = "0123456789abcdef0123456789abcdef0123456z";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	req = github_req();
	req.target_url = "javascript:alert(1)";
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	req = github_req();
	req.timeout_ms = -1;
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
	req = github_req();
	req.provider = MG_STATUS_NONE;
	MGT_EQ_INT(mg_status_post(&req), MG_EINVALID);
}

static void test_provider_parse(void)
{
	mg_status_provider p = MG_STATUS_NONE;
	MGT_EQ_INT(mg_status_provider_parse(&p, "github"), 0);
	MGT_EQ_INT(p, MG_STATUS_GITHUB);
	MGT_EQ_INT(mg_status_provider_parse(&p, "gitlab"), 0);
	MGT_EQ_INT(p, MG_STATUS_GITLAB);
	MGT_EQ_INT(mg_status_provider_parse(&p, "bitbucket"), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(),
		"unknown commit status provider 'bitbucket' (expected github or gitlab)");
}

/* --- the environment ------------------------------------------------------ */

static const char *table_getenv(void *ctx, const char *name)
{
	for (const char *const *kv = ctx; *kv; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static void test_env_github(void)
{
	static const char *vars[] = {
		"GITHUB_API_URL", "https://ghe.example.com/api/v3",
		"GITHUB_REPOSITORY", "acme/catalogue",
		"GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff",
		"GITHUB_TOKEN", TOKEN,
		"GITHUB_SERVER_URL", "https://ghe.example.com",
		"GITHUB_RUN_ID", "4242",
		"GITLAB_TOKEN", "not-this-one",
		"CI_PROJECT_ID", "99",
		NULL
	};
	mg_buf scratch = MG_BUF_INIT;
	mg_status_req req = MG_STATUS_REQ_INIT;
	req.provider = MG_STATUS_GITHUB;
	req.sha = SHA; /* from --head: wins over GITHUB_SHA */
	MGT_EQ_INT(mg_status_req_from_env(&req, &scratch, table_getenv, vars), 0);
	MGT_EQ_STR(req.api_url, "https://ghe.example.com/api/v3");
	MGT_EQ_STR(req.repo, "acme/catalogue");
	MGT_EQ_STR(req.sha, SHA);
	MGT_EQ_STR(req.token, TOKEN);
	MGT_EQ_INT(req.auth, MG_STATUS_AUTH_DEFAULT);
	MGT_EQ_STR(req.target_url, "https://ghe.example.com/acme/catalogue/actions/runs/4242");
	MGT_CHECK(req.context == NULL);
	mg_buf_release(&scratch);

	/* nothing set: fields stay NULL, the public API is the default */
	static const char *empty[] = { "GITHUB_TOKEN", "", "GITHUB_REPOSITORY", "", NULL };
	mg_status_req bare = MG_STATUS_REQ_INIT;
	bare.provider = MG_STATUS_GITHUB;
	MGT_EQ_INT(mg_status_req_from_env(&bare, &scratch, table_getenv, empty), 0);
	MGT_CHECK(bare.api_url == NULL && bare.repo == NULL && bare.sha == NULL &&
		bare.token == NULL && bare.target_url == NULL);
	MGT_EQ_INT(mg_status_post(&bare), MG_EINVALID);
	MGT_EQ_STR(mg_error_last(), "cannot post a github commit status: GITHUB_TOKEN is not set");
	mg_buf_release(&scratch);
}

static void test_env_gitlab(void)
{
	static const char *vars[] = {
		"CI_API_V4_URL", "https://gitlab.example.com/api/v4",
		"CI_PROJECT_ID", "1234",
		"CI_COMMIT_SHA", SHA,
		"GITLAB_TOKEN", "glpat-abc",
		"CI_JOB_TOKEN", "job-xyz",
		"CI_JOB_URL", "https://gitlab.example.com/acme/cat/-/jobs/7",
		"CI_PIPELINE_URL", "https://gitlab.example.com/acme/cat/-/pipelines/3",
		"GITHUB_TOKEN", "not-this-one",
		NULL
	};
	mg_buf scratch = MG_BUF_INIT;
	mg_status_req req = MG_STATUS_REQ_INIT;
	req.provider = MG_STATUS_GITLAB;
	MGT_EQ_INT(mg_status_req_from_env(&req, &scratch, table_getenv, vars), 0);
	MGT_EQ_STR(req.api_url, "https://gitlab.example.com/api/v4");
	MGT_EQ_STR(req.repo, "1234");
	MGT_EQ_STR(req.sha, SHA);
	MGT_EQ_STR(req.token, "glpat-abc");
	MGT_EQ_INT(req.auth, MG_STATUS_AUTH_PRIVATE);
	MGT_EQ_STR(req.target_url, "https://gitlab.example.com/acme/cat/-/jobs/7");

	/* only the job token: JOB-TOKEN header; the pipeline URL as the link */
	static const char *job_only[] = {
		"CI_PROJECT_ID", "1234", "CI_COMMIT_SHA", SHA, "CI_JOB_TOKEN", "job-xyz",
		"GITLAB_TOKEN", "", "CI_PIPELINE_URL", "https://gitlab.example.com/p/3", NULL
	};
	mg_status_req j = MG_STATUS_REQ_INIT;
	j.provider = MG_STATUS_GITLAB;
	MGT_EQ_INT(mg_status_req_from_env(&j, &scratch, table_getenv, job_only), 0);
	MGT_EQ_STR(j.token, "job-xyz");
	MGT_EQ_INT(j.auth, MG_STATUS_AUTH_JOB);
	MGT_CHECK(j.api_url == NULL);
	MGT_EQ_STR(j.target_url, "https://gitlab.example.com/p/3");

	/* the job-token mapping reaches the wire */
	mg_buf cap = MG_BUF_INIT;
	int r = post_to_server(&j, REPLY, http_reply("201 Created", "application/json", "{}"),
		"/api/v4", &cap);
	MGT_EQ_INT(r, 0);
	MGT_EQ_STR(header(cap.ptr, "JOB-TOKEN", NULL), "job-xyz");
	MGT_CHECK(header(cap.ptr, "PRIVATE-TOKEN", NULL) == NULL);
	mg_buf_release(&cap);
	mg_buf_release(&scratch);
}

/* --- text and error bodies ------------------------------------------------ */

static const char *clean(const char *s, size_t len, size_t max)
{
	static mg_buf b = MG_BUF_INIT;
	mg_buf_clear(&b);
	MGT_EQ_INT(mg_status__add_clean_text(&b, s, len, max), 0);
	return b.ptr;
}

static void test_clean_text(void)
{
	MGT_EQ_STR(clean("abc", 3, 140), "abc");
	MGT_EQ_STR(clean("abcdef", 6, 4), "abc\xE2\x80\xA6");
	MGT_EQ_STR(clean("abcd", 4, 4), "abcd");
	MGT_EQ_STR(clean("a\nb\tc\x1b[0m\x7f", 10, 140), "a b c [0m ");
	MGT_EQ_STR(clean("\xC2\x9B" "x", 3, 140), " x"); /* C1 CSI */
	MGT_EQ_STR(clean("\xFF" "a\xC3", 3, 140), "\xEF\xBF\xBD" "a\xEF\xBF\xBD");
	/* the cut falls between code points, never inside one */
	MGT_EQ_STR(clean("\xC3\xA9\xC3\xA9\xC3\xA9", 6, 2), "\xC3\xA9\xE2\x80\xA6");
	MGT_EQ_STR(clean("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 8, 2), "\xF0\x9F\x98\x80\xF0\x9F\x98\x80");

	mg_buf s = MG_BUF_INIT;
	for (int i = 0; i < 140; i++)
		mg_buf_adds(&s, "\xC3\xA9");
	MGT_EQ_INT(strlen(clean(s.ptr, s.len, MG_STATUS__DESCRIPTION_MAX)), 280);
	mg_buf_adds(&s, "\xC3\xA9");
	const char *cut = clean(s.ptr, s.len, MG_STATUS__DESCRIPTION_MAX);
	MGT_EQ_INT(strlen(cut), 139 * 2 + 3);
	mg_buf_release(&s);
}

static const char *parse(const char *data, size_t len)
{
	static mg_buf b = MG_BUF_INIT;
	mg_buf_clear(&b);
	MGT_EQ_INT(mg_status__parse_error_body(data, len, &b), 0);
	return b.ptr;
}

#define PARSE(lit) parse(lit, sizeof lit - 1)

static void test_parse_error_body(void)
{
	MGT_EQ_STR(PARSE("{\"message\":\"Bad credentials\"}"), "Bad credentials");
	MGT_EQ_STR(PARSE("{\"error\":\"insufficient_scope\"}"), "insufficient_scope");
	MGT_EQ_STR(PARSE("{\"message\":{\"name\":[\"too long\"]}}"), "{\"name\":[\"too long\"]}");
	MGT_EQ_STR(PARSE("{\"message\":\"Validation Failed\",\"errors\":[\"bad state\"]}"),
		"Validation Failed: bad state");
	MGT_EQ_STR(PARSE("{\"errors\":[{\"message\":\"only detail\"}]}"), "only detail");
	MGT_EQ_STR(PARSE("{\"message\":42}"), "");
	MGT_EQ_STR(PARSE("{\"message\":null,\"error\":\"x\"}"), "x");
	MGT_EQ_STR(PARSE("[\"message\"]"), "");
	MGT_EQ_STR(PARSE("\"message\""), "");
	MGT_EQ_STR(PARSE("<html>502</html>"), "");
	MGT_EQ_STR(PARSE(""), "");
	MGT_EQ_STR(PARSE("{\"message\":\"unterminated"), "");
	MGT_EQ_STR(PARSE("{\"message\":\"a\\u0000b\"}"), "a");
	MGT_EQ_STR(PARSE("{\"message\":\"line1\\nline2\\u001b[2J\"}"), "line1 line2 [2J");
	/* bytes after len are not read: the body is not NUL-terminated */
	MGT_EQ_STR(parse("{\"message\":\"ok\"}garbage", 16), "ok");
	MGT_EQ_STR(parse("{\"message\":\"ok\"}", 10), "");

	mg_buf big = MG_BUF_INIT;
	mg_buf_adds(&big, "{\"message\":\"");
	for (int i = 0; i < 1000; i++)
		mg_buf_adds(&big, "z");
	mg_buf_adds(&big, "\"}");
	const char *m = parse(big.ptr, big.len);
	MGT_EQ_INT(strlen(m), MG_STATUS__MESSAGE_MAX - 1 + 3);
	mg_buf_clear(&big);
	mg_buf_adds(&big, "{\"message\":\"");
	for (int i = 0; i < MG_STATUS__RESPONSE_MAX; i++)
		mg_buf_adds(&big, "z");
	mg_buf_adds(&big, "\"}");
	MGT_EQ_STR(parse(big.ptr, big.len), "");
	/* deep nesting neither crashes nor is quoted */
	mg_buf_clear(&big);
	for (int i = 0; i < 5000; i++)
		mg_buf_adds(&big, "[");
	MGT_EQ_STR(parse(big.ptr, big.len), "");
	mg_buf_release(&big);
}

MGT_MAIN(test_github_success_exact_request, test_github_states_and_optional_fields,
	test_github_long_description_is_cut, test_github_401_message_without_token,
	test_github_403_echoed_token_is_redacted, test_github_404, test_github_422_validation_detail,
	test_github_500_without_json, test_github_huge_error_body_is_capped,
	test_github_redirect_not_followed, test_github_timeout, test_github_connection_refused,
	test_gitlab_success_job_token, test_gitlab_private_token_and_states, test_gitlab_401_and_400,
	test_gitlab_404_and_503, test_gitlab_timeout, test_refuses_bad_requests, test_provider_parse,
	test_env_github, test_env_gitlab, test_clean_text, test_parse_error_body)
