/*
 * sigv4.c - AWS Signature Version 4 (see meshgate/aws.h): the canonical
 * request, the string to sign, the derived key and the Authorization value,
 * on OpenSSL's HMAC-SHA256 and SHA-256.  Every key and intermediate digest
 * is wiped before return.
 */
#include "aws/aws_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meshgate/error.h"
#include "meshgate/sort.h"

static const char hexdig[] = "0123456789abcdef";

static void to_hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[d[i] >> 4];
		out[2 * i + 1] = hexdig[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void mg_aws_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	SHA256(len ? data : (const void *)"", len, d);
	to_hex(d, sizeof d, out);
}

static int hmac(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32])
{
	unsigned int n = 32;
	if (!HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n) || n != 32) {
		mg_error_set("cannot compute HMAC-SHA256 (OpenSSL)");
		return MG_EINVALID;
	}
	return 0;
}

static bool unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '.' || ch == '_' || ch == '~';
}

int mg_aws__uri_encode(mg_buf *b, const char *s, size_t len, bool keep_slash)
{
	static const char up[] = "0123456789ABCDEF";
	if (mg_buf_grow(b, len) < 0)
		return mg_oom();
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (unreserved(ch) || (keep_slash && ch == '/')) {
			if (mg_buf_addc(b, (char)ch) < 0)
				return mg_oom();
		} else {
			char e[3] = { '%', up[ch >> 4], up[ch & 15] };
			if (mg_buf_add(b, e, 3) < 0)
				return mg_oom();
		}
	}
	return 0;
}

void mg_aws__amz_date(long long t, char out[17])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* ---- canonical URI ---- */

/* Removes "." and ".." segments and empty ones ("//"), keeping a trailing slash. */
static int normalize_path(mg_buf *out, const char *path)
{
	size_t len = strlen(path);
	size_t nseg = 0, cap = 16;
	struct seg { const char *p; size_t n; } *segs = malloc(cap * sizeof *segs);
	if (!segs)
		return mg_oom();
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		size_t n = j - i;
		if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (nseg)
				nseg--;
		} else if (n && !(n == 1 && path[i] == '.')) {
			if (nseg == cap) {
				struct seg *g = realloc(segs, 2 * cap * sizeof *segs);
				if (!g) {
					free(segs);
					return mg_oom();
				}
				segs = g;
				cap *= 2;
			}
			segs[nseg].p = path + i;
			segs[nseg++].n = n;
		}
		i = j + 1;
	}
	int r = mg_buf_addc(out, '/');
	for (size_t k = 0; k < nseg && r == 0; k++) {
		r = mg_buf_add(out, segs[k].p, segs[k].n);
		if (r == 0 && (k + 1 < nseg || (len && path[len - 1] == '/')))
			r = mg_buf_addc(out, '/');
	}
	free(segs);
	return r < 0 ? mg_oom() : 0;
}

static int canonical_uri(mg_buf *b, const mg_aws_sign_input *in)
{
	const char *path = in->path && *in->path ? in->path : "/";
	bool s3 = strcmp(in->service, "s3") == 0;
	bool normalize = !(in->path_unnormalized || s3);
	bool twice = !(in->path_encode_once || s3);
	mg_buf norm = MG_BUF_INIT, once = MG_BUF_INIT;
	int r = 0;
	if (path[0] != '/') {
		mg_error_set("cannot sign a request: the path must start with '/'");
		return MG_EINVALID;
	}
	if (normalize) {
		if ((r = normalize_path(&norm, path)) < 0)
			goto done;
		path = norm.ptr;
	}
	if (twice) {
		if ((r = mg_aws__uri_encode(&once, path, strlen(path), true)) < 0)
			goto done;
		path = once.ptr;
	}
	r = mg_aws__uri_encode(b, path, strlen(path), true);
done:
	mg_buf_release(&norm);
	mg_buf_release(&once);
	return r;
}

/* ---- canonical query ---- */

typedef struct param {
	char *name, *value; /* encoded */
} param;

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decodes %XX (a '%' not followed by two hex digits stays itself), then encodes canonically. */
static char *recode(const char *s, size_t len)
{
	mg_buf dec = MG_BUF_INIT, enc = MG_BUF_INIT;
	int r = mg_buf_grow(&dec, len);
	for (size_t i = 0; i < len && r == 0; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len && (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
			r = mg_buf_addc(&dec, (char)(h * 16 + l));
			i += 2;
		} else {
			r = mg_buf_addc(&dec, s[i]);
		}
	}
	if (r == 0)
		r = mg_aws__uri_encode(&enc, dec.ptr, dec.len, false);
	mg_buf_release(&dec);
	if (r < 0) {
		mg_buf_release(&enc);
		return NULL;
	}
	return mg_buf_detach(&enc, NULL);
}

static int cmp_param(const void *a, const void *b)
{
	const param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static int canonical_query(mg_buf *b, const char *q)
{
	size_t n = 0, len = q ? strlen(q) : 0;
	param *ps = NULL;
	int r = 0;
	if (!len)
		return 0;
	size_t cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += q[i] == '&';
	if (cap > MG_AWS__SIGN_PARAMS_MAX) {
		mg_error_set("cannot sign a request with more than %d query parameters", MG_AWS__SIGN_PARAMS_MAX);
		return MG_ETOOBIG;
	}
	if (!(ps = calloc(cap, sizeof *ps)))
		return mg_oom();
	for (size_t i = 0; i < len && r == 0;) {
		size_t j = i;
		while (j < len && q[j] != '&')
			j++;
		if (j > i) {
			const char *eq = memchr(q + i, '=', j - i);
			size_t nl = eq ? (size_t)(eq - (q + i)) : j - i;
			ps[n].name = recode(q + i, nl);
			ps[n].value = eq ? recode(eq + 1, (size_t)(q + j - eq - 1)) : recode("", 0);
			n++;
			if (!ps[n - 1].name || !ps[n - 1].value)
				r = mg_oom();
		}
		i = j + 1;
	}
	if (r == 0)
		mg_sort(ps, n, sizeof *ps, cmp_param);
	for (size_t k = 0; k < n && r == 0; k++)
		if (mg_buf_addf(b, "%s%s=%s", k ? "&" : "", ps[k].name, ps[k].value) < 0)
			r = mg_oom();
	for (size_t k = 0; k < n; k++) {
		free(ps[k].name);
		free(ps[k].value);
	}
	free(ps);
	return r;
}

/* ---- canonical headers ---- */

typedef struct hdr {
	char name[64];
	const char *value;
	size_t order;
} hdr;

static int cmp_hdr(const void *a, const void *b)
{
	const hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

static bool reserved_name(const char *lname)
{
	return strcmp(lname, "host") == 0 || strcmp(lname, "x-amz-date") == 0 ||
	       strcmp(lname, "x-amz-security-token") == 0 || strcmp(lname, "authorization") == 0;
}

static int add_hdr(hdr *h, size_t *n, const char *name, const char *value)
{
	size_t len = strlen(name);
	if (!len || len >= sizeof h->name) {
		mg_error_set("cannot sign a request: a header name is empty or longer than %zu bytes",
			     sizeof h->name - 1);
		return MG_EINVALID;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch <= 0x20 || ch >= 0x7f || ch == ':') {
			mg_error_set("cannot sign a request: a header name has a space, a control character or ':'");
			return MG_EINVALID;
		}
		h[*n].name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	h[*n].name[len] = '\0';
	for (const char *v = value; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			mg_error_set("cannot sign a request: the value of header '%s' has a control character",
				     h[*n].name);
			return MG_EINVALID;
		}
	}
	h[*n].value = value;
	h[*n].order = *n;
	(*n)++;
	return 0;
}

/* Appends v trimmed, with runs of spaces and tabs as one space. */
static int add_trimmed(mg_buf *b, const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	bool space = false;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space && mg_buf_addc(b, ' ') < 0)
			return mg_oom();
		space = false;
		if (mg_buf_addc(b, *v) < 0)
			return mg_oom();
	}
	return 0;
}

static int canonical_headers(mg_buf *b, mg_buf *signed_headers, const mg_aws_sign_input *in,
			     const mg_aws_credentials *c)
{
	hdr h[MG_AWS__SIGN_HEADERS_MAX + 3];
	size_t n = 0;
	int r;
	if (in->nheaders > MG_AWS__SIGN_HEADERS_MAX) {
		mg_error_set("cannot sign a request with more than %d headers", MG_AWS__SIGN_HEADERS_MAX);
		return MG_ETOOBIG;
	}
	for (size_t i = 0; i < in->nheaders; i++) {
		if ((r = add_hdr(h, &n, in->headers[i].name, in->headers[i].value ? in->headers[i].value : "")) < 0)
			return r;
		if (reserved_name(h[n - 1].name)) {
			mg_error_set("cannot sign a request: header '%s' is the signer's own", h[n - 1].name);
			return MG_EINVALID;
		}
	}
	if ((r = add_hdr(h, &n, "host", in->host)) < 0 || (r = add_hdr(h, &n, "x-amz-date", in->amz_date)) < 0)
		return r;
	if (c->session_token[0] && (r = add_hdr(h, &n, "x-amz-security-token", c->session_token)) < 0)
		return r;
	mg_sort(h, n, sizeof *h, cmp_hdr);
	for (size_t i = 0; i < n; i++) {
		bool same = i && strcmp(h[i].name, h[i - 1].name) == 0;
		if (same) {
			r = mg_buf_addc(b, ',');
		} else {
			if (i && mg_buf_addc(b, '\n') < 0)
				return mg_oom();
			r = mg_buf_addf(b, "%s:", h[i].name);
			if (r == 0 && signed_headers->len)
				r = mg_buf_addc(signed_headers, ';');
			if (r == 0)
				r = mg_buf_adds(signed_headers, h[i].name);
		}
		if (r < 0 || (r = add_trimmed(b, h[i].value)) < 0)
			return mg_oom();
	}
	return mg_buf_addc(b, '\n') < 0 ? mg_oom() : 0;
}

/* ---- the signature ---- */

static bool plain_label(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static bool amz_date_ok(const char *d)
{
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return false;
	return true;
}

int mg_aws__sigv4(const mg_aws_sign_input *in, const mg_aws_credentials *c, mg_buf *creq_out, mg_buf *sts_out,
		  char *authorization, size_t cap)
{
	mg_buf creq = MG_BUF_INIT, sts = MG_BUF_INIT, sh = MG_BUF_INIT;
	unsigned char k[32], k2[32];
	char hex[65], key[4 + sizeof c->secret_access_key];
	int r;

	if (!in->method || !*in->method || !in->host || !*in->host || !plain_label(in->region) ||
	    !plain_label(in->service)) {
		mg_error_set("cannot sign a request: method, host, region and service are required "
			     "(region and service in lower-case letters, digits and '-')");
		return MG_EINVALID;
	}
	if (!amz_date_ok(in->amz_date)) {
		mg_error_set("cannot sign a request: the date must look like 20150830T123600Z");
		return MG_EINVALID;
	}
	if (!c->access_key_id[0] || !c->secret_access_key[0]) {
		mg_error_set("cannot sign a request without an access key id and a secret access key");
		return MG_EINVALID;
	}
	/* 1. the canonical request */
	if ((r = mg_buf_addf(&creq, "%s\n", in->method)) < 0)
		goto oom;
	if ((r = canonical_uri(&creq, in)) < 0 || (r = mg_buf_addc(&creq, '\n')) < 0 ||
	    (r = canonical_query(&creq, in->query)) < 0 || (r = mg_buf_addc(&creq, '\n')) < 0 ||
	    (r = canonical_headers(&creq, &sh, in, c)) < 0)
		goto done;
	mg_aws_sha256_hex(in->body, in->body_len, hex);
	if (mg_buf_addf(&creq, "\n%s\n%s", sh.ptr, hex) < 0)
		goto oom;
	/* 2. the string to sign */
	mg_aws_sha256_hex(creq.ptr, creq.len, hex);
	if (mg_buf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s", in->amz_date, in->amz_date,
			in->region, in->service, hex) < 0)
		goto oom;
	/* 3. the derived key and the signature */
	size_t slen = strlen(c->secret_access_key);
	memcpy(key, "AWS4", 4);
	memcpy(key + 4, c->secret_access_key, slen);
	if ((r = hmac(key, 4 + slen, in->amz_date, 8, k)) < 0 ||
	    (r = hmac(k, 32, in->region, strlen(in->region), k2)) < 0 ||
	    (r = hmac(k2, 32, in->service, strlen(in->service), k)) < 0 ||
	    (r = hmac(k, 32, "aws4_request", 12, k2)) < 0 || (r = hmac(k2, 32, sts.ptr, sts.len, k)) < 0)
		goto done;
	to_hex(k, 32, hex);
	int n = snprintf(authorization, cap,
			 "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
			 c->access_key_id, in->amz_date, in->region, in->service, sh.ptr, hex);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			OPENSSL_cleanse(authorization, cap);
		mg_error_set("cannot sign a request: the Authorization value needs %d bytes", n + 1);
		r = MG_ETOOBIG;
		goto done;
	}
	r = 0;
	if (creq_out) {
		mg_buf_release(creq_out);
		*creq_out = creq;
		mg_buf_init(&creq);
	}
	if (sts_out) {
		mg_buf_release(sts_out);
		*sts_out = sts;
		mg_buf_init(&sts);
	}
	goto done;
oom:
	r = mg_oom();
done:
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(k2, sizeof k2);
	OPENSSL_cleanse(hex, sizeof hex);
	mg_buf_release(&creq);
	mg_buf_release(&sts);
	mg_buf_release(&sh);
	return r;
}

int mg_aws_sigv4_sign(const mg_aws_sign_input *in, const mg_aws_credentials *c, char *authorization, size_t cap)
{
	return mg_aws__sigv4(in, c, NULL, NULL, authorization, cap);
}
