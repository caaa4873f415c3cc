/*
 * http.c - one unsigned HTTP request to a credential endpoint (the ECS
 * container endpoint, the EC2 instance metadata service, the GitHub Actions
 * OIDC token endpoint; see mg_aws__fetch in aws_int.h).  The URL is checked
 * first: https anywhere, plain http only to loopback or to the link-local
 * hosts the caller names.  No redirect is followed, no proxy is used for
 * plain http (those hosts are on the machine or its link), the body is
 * bounded, and the header values - which are tokens - are wiped after use
 * and never appear in a message.
 */
#include "aws/aws_int.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "meshgate/error.h"

typedef struct sink {
	mg_buf *body;
	size_t max;
	bool overflow, oom;
} sink;

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
	sink *s = userdata;
	size_t len = size * nmemb;
	if (len > s->max - s->body->len) {
		s->overflow = true;
		return 0;
	}
	if (mg_buf_add(s->body, data, len) < 0) {
		s->oom = true;
		return 0;
	}
	return len;
}

/* The URL's scheme and host, checked; *plain says http. */
static int check_url(const mg_aws__fetch_args *a, char *origin, size_t cap, bool *plain)
{
	char *scheme = NULL, *host = NULL, *user = NULL, *port = NULL;
	CURLU *u = curl_url();
	int r = 0;
	if (!u)
		return mg_oom();
	if (curl_url_set(u, CURLUPART_URL, a->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		mg_error_set("the URL of %s is not a URL", a->what);
		r = MG_EINVALID;
		goto done;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	snprintf(origin, cap, "%.10s://%.100s%s%.8s", scheme, host, port ? ":" : "", port ? port : "");
	if (user) {
		mg_error_set("the URL of %s must not have a user part", a->what);
		r = MG_EINVALID;
		goto done;
	}
	*plain = strcasecmp(scheme, "http") == 0;
	if (!*plain && strcasecmp(scheme, "https") != 0) {
		mg_error_set("the URL of %s must be http or https, not %.10s", a->what, scheme);
		r = MG_EINVALID;
		goto done;
	}
	if (*plain && !mg_aws__host_loopback(host)) {
		bool allowed = false;
		for (const char *const *h = a->http_hosts; h && *h && !allowed; h++)
			allowed = strcasecmp(host, *h) == 0;
		if (!allowed) {
			mg_error_set("%s at %s: plain http is allowed only to loopback%s, use https", a->what, origin,
				     a->http_hosts && a->http_hosts[0] ? " and the link-local service address" : "");
			r = MG_EINVALID;
		}
	}
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(port);
	curl_url_cleanup(u);
	return r;
}

int mg_aws__fetch(const mg_aws__fetch_args *a, long *status, mg_buf *body)
{
	char origin[160], errbuf[CURL_ERROR_SIZE];
	bool plain = false;
	struct curl_slist *headers = NULL;
	CURL *h = NULL;
	int r;
	*status = 0;
	mg_buf_clear(body);
	if ((r = check_url(a, origin, sizeof origin, &plain)) < 0)
		return r;
	for (size_t i = 0; i < a->nheaders; i++) {
		mg_buf line = MG_BUF_INIT;
		if (strpbrk(a->headers[i].value, "\r\n")) {
			mg_error_set("the %s header for %s has a line break", a->headers[i].name, a->what);
			r = MG_EINVALID;
			goto done;
		}
		if (mg_buf_addf(&line, "%s: %s", a->headers[i].name, a->headers[i].value) < 0) {
			r = mg_oom();
			goto done;
		}
		struct curl_slist *n = curl_slist_append(headers, line.ptr);
		OPENSSL_cleanse(line.ptr, line.len);
		mg_buf_release(&line);
		if (!n) {
			r = mg_oom();
			goto done;
		}
		headers = n;
	}
	if (!(h = curl_easy_init())) {
		mg_error_set("cannot start libcurl");
		r = MG_ENOMEM;
		goto done;
	}
	sink s = { .body = body, .max = a->max_body };
	CURLcode cc = CURLE_OK;
	errbuf[0] = '\0';
#define SET(opt, val) do { if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, a->url);
	SET(CURLOPT_PROTOCOLS_STR, plain ? "http" : "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, a->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, a->timeout_ms);
	if (strcmp(a->method, "PUT") == 0) {
		SET(CURLOPT_CUSTOMREQUEST, "PUT");
		SET(CURLOPT_POSTFIELDS, "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	} else {
		SET(CURLOPT_HTTPGET, 1L);
	}
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_USERAGENT, "meshgate/" MESHGATE_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_data);
	SET(CURLOPT_WRITEDATA, &s);
	if (plain)
		SET(CURLOPT_PROXY, ""); /* loopback and link-local: never through a proxy */
#undef SET
	if (cc != CURLE_OK) {
		mg_error_set("cannot set up the request to %s: %s", a->what, curl_easy_strerror(cc));
		r = MG_EBACKEND;
		goto done;
	}
	CURLcode rc = curl_easy_perform(h);
	if (s.oom) {
		r = mg_oom();
		goto done;
	}
	if (s.overflow) {
		mg_error_set("the answer of %s at %s is larger than %zu bytes", a->what, origin, a->max_body);
		r = MG_ETOOBIG;
		goto done;
	}
	if (rc != CURLE_OK) {
		char why[CURL_ERROR_SIZE];
		mg_aws__clean_line(why, sizeof why, errbuf[0] ? errbuf : curl_easy_strerror(rc),
				   strlen(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
		mg_error_set("no answer from %s at %s: %s", a->what, origin, why);
		r = MG_EBACKEND;
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	r = 0;
done:
	if (h)
		curl_easy_cleanup(h);
	for (struct curl_slist *p = headers; p; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(headers);
	if (r < 0 && body->cap)
		OPENSSL_cleanse(body->ptr, body->cap);
	return r;
}
