/*
 * errors.c - what an AWS answer means: the error code and message of a JSON
 * or XML error body, and the outcome class the executor retries by.
 */
#include "aws/aws_int.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <string.h>
#include <strings.h>

#include "meshgate/error.h"

void mg_aws_response_init(mg_aws_response *r)
{
	memset(r, 0, sizeof *r);
	mg_buf_init(&r->body);
}

void mg_aws_response_release(mg_aws_response *r)
{
	mg_buf_release(&r->body);
	mg_aws_response_init(r);
}

void mg_aws__clean_line(char *out, size_t cap, const char *text, size_t len)
{
	size_t o = 0;
	if (!cap)
		return;
	for (size_t i = 0; i < len && o + 1 < cap;) {
		unsigned char ch = (unsigned char)text[i];
		if (ch < 0x80) {
			if (ch == '\n' || ch == '\r' || ch == '\t') {
				if (o && out[o - 1] != ' ')
					out[o++] = ' ';
			} else if (ch >= 0x20 && ch != 0x7f) {
				out[o++] = (char)ch;
			}
			i++;
			continue;
		}
		/* a whole, valid UTF-8 sequence that fits, else nothing */
		size_t n = ch >= 0xF0 && ch <= 0xF4 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC2 && ch < 0xE0 ? 2 : 0;
		bool ok = n && i + n <= len;
		for (size_t k = 1; ok && k < n; k++)
			ok = ((unsigned char)text[i + k] & 0xC0) == 0x80;
		if (ok && n == 3) {
			unsigned char c1 = (unsigned char)text[i + 1];
			ok = !(ch == 0xE0 && c1 < 0xA0) && !(ch == 0xED && c1 >= 0xA0);
		}
		if (ok && n == 4) {
			unsigned char c1 = (unsigned char)text[i + 1];
			ok = !(ch == 0xF0 && c1 < 0x90) && !(ch == 0xF4 && c1 >= 0x90);
		}
		if (ok && n == 2 && ch == 0xC2 && (unsigned char)text[i + 1] < 0xA0)
			ok = false; /* a C1 control */
		if (!ok) {
			i++;
			continue;
		}
		if (o + n >= cap)
			break;
		memcpy(out + o, text + i, n);
		o += n;
		i += n;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

void mg_aws__scrub_secret(char *s, const char *secret)
{
	size_t n = strlen(secret);
	if (n < 4)
		return;
	char *p;
	while ((p = strstr(s, secret)) != NULL) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

void mg_aws__buf_wipe(mg_buf *b)
{
	if (b->cap)
		OPENSSL_cleanse(b->ptr, b->cap);
	mg_buf_release(b);
}

void mg_aws__scrub(char *s, const mg_aws_credentials *c)
{
	if (!c)
		return;
	mg_aws__scrub_secret(s, c->secret_access_key);
	mg_aws__scrub_secret(s, c->session_token);
}

/* The code without a "prefix#" namespace and a ":suffix" (botocore's rule). */
static void set_code(mg_aws_response *resp, const char *code, size_t len)
{
	const char *colon = memchr(code, ':', len);
	if (colon)
		len = (size_t)(colon - code);
	for (size_t i = len; i > 0; i--)
		if (code[i - 1] == '#') {
			len -= i;
			code += i;
			break;
		}
	mg_aws__clean_line(resp->error_code, sizeof resp->error_code, code, len);
	for (char *p = resp->error_code; *p; p++)
		if (*p == ' ') {
			*p = '\0';
			break;
		}
}

static const char *json_string(const cJSON *o, const char *const *names)
{
	for (; *names; names++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *names);
		if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
			return v->valuestring;
	}
	return NULL;
}

static void parse_json(const char *body, size_t len, mg_aws_response *resp, bool have_code)
{
	cJSON *o = cJSON_ParseWithLength(body, len);
	static const char *const codes[] = { "code", "Code", "__type", NULL };
	static const char *const msgs[] = { "message", "Message", "errorMessage", NULL };
	if (cJSON_IsObject(o)) {
		const char *c = have_code ? NULL : json_string(o, codes);
		if (c)
			set_code(resp, c, strlen(c));
		const char *m = json_string(o, msgs);
		if (m && !resp->message[0])
			mg_aws__clean_line(resp->message, sizeof resp->message, m, strlen(m));
	}
	cJSON_Delete(o);
}

typedef struct xml_err {
	mg_aws_response *resp;
	bool have_code;
} xml_err;

static int on_xml(void *ctx, const char *const *path, int depth, const char *text, size_t len)
{
	xml_err *x = ctx;
	const char *leaf = path[depth - 1];
	bool in_error = depth >= 2 && strcmp(path[depth - 2], "Error") == 0;
	if (depth == 1 && strcmp(leaf, "Error") != 0)
		return 0;
	if (in_error && strcmp(leaf, "Code") == 0 && !x->have_code && !x->resp->error_code[0])
		set_code(x->resp, text, len);
	else if (in_error && strcmp(leaf, "Message") == 0 && !x->resp->message[0])
		mg_aws__clean_line(x->resp->message, sizeof x->resp->message, text, len);
	else if (strcmp(leaf, "RequestId") == 0 && !x->resp->request_id[0])
		mg_aws__clean_line(x->resp->request_id, sizeof x->resp->request_id, text, len);
	return 0;
}

void mg_aws_parse_error(const char *body, size_t len, const char *error_type_header, mg_aws_response *resp)
{
	bool have_code = false;
	if (error_type_header && *error_type_header) {
		set_code(resp, error_type_header, strlen(error_type_header));
		have_code = resp->error_code[0] != '\0';
	}
	if (!body || len > MG_AWS__ERROR_BODY_MAX)
		return;
	size_t i = 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i < len && body[i] == '{') {
		parse_json(body + i, len - i, resp, have_code);
	} else if (i < len && body[i] == '<') {
		xml_err x = { resp, have_code };
		char saved[1024];
		/* a malformed body leaves what it gave; the walker's message is not the caller's error */
		memcpy(saved, mg_error_last(), sizeof saved);
		saved[sizeof saved - 1] = '\0';
		(void)mg_aws__xml_walk(body + i, len - i, on_xml, &x);
		mg_error_set("%s", saved);
	}
}

/* ---- classification ---- */

static const char *const throttling[] = {
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
	"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "ConcurrentModificationException",
};

static const char *const transient[] = {
	"RequestTimeout", "RequestTimeoutException", "InternalServiceException", "InternalFailure",
	"InternalError", "ServiceUnavailable", "ServiceUnavailableException",
	"IDPCommunicationError", /* STS could not reach the identity provider (web identity) */
};

mg_aws_outcome mg_aws__classify(long http_status, const char *code)
{
	if (http_status >= 200 && http_status < 300)
		return MG_AWS_OK;
	if (code && *code) {
		for (size_t i = 0; i < sizeof throttling / sizeof throttling[0]; i++)
			if (strcmp(code, throttling[i]) == 0)
				return MG_AWS_RETRYABLE;
		for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
			if (strcmp(code, transient[i]) == 0)
				return MG_AWS_RETRYABLE;
	}
	if (http_status == 429 || http_status == 500 || http_status == 502 || http_status == 503 ||
	    http_status == 504)
		return MG_AWS_RETRYABLE;
	return MG_AWS_FAILED;
}

/* ---- time ---- */

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

long long mg_aws__parse_iso8601(const char *s)
{
	int y, mo, d, h, mi, se;
	if (strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	long long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (oh * 3600LL + om * 60LL) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600LL + mi * 60LL + se - off;
}
