/*
 * aws_int.h - the AWS client's private parts, shared by the files of
 * src/aws/ and its tests (never by the rest of meshgate, which uses
 * meshgate/aws.h).
 */
#ifndef MESHGATE_AWS_INT_H
#define MESHGATE_AWS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/aws.h"
#include "meshgate/buf.h"

/* Limits on outside input. */
#define MG_AWS__INI_MAX (1024 * 1024)        /* a credentials or config file */
#define MG_AWS__INI_LINE_MAX 8192            /* one line of it */
#define MG_AWS__RESPONSE_MAX (8 * 1024 * 1024) /* one response body */
#define MG_AWS__ERROR_BODY_MAX (64 * 1024)   /* the part of an error body that is parsed */
#define MG_AWS__XML_DEPTH_MAX 16
#define MG_AWS__XML_TEXT_MAX 16384           /* one element's text */
#define MG_AWS__SIGN_HEADERS_MAX 64
#define MG_AWS__SIGN_PARAMS_MAX 1024
#define MG_AWS__REFRESH_MARGIN_S 300          /* refresh credentials this long before they expire */
#define MG_AWS__DOCUMENT_MAX (64 * 1024)      /* a credential endpoint's answer */
#define MG_AWS__WEB_TOKEN_MAX 20000           /* a web identity token (the STS model's limit) */
#define MG_AWS__ENDPOINT_TIMEOUT_MS 1000L      /* IMDS and the container endpoint, as the SDKs */

/* ---- sigv4.c ---- */

/*
 * mg_aws_sigv4_sign, also handing out the canonical request and the string
 * to sign (either buffer may be NULL) for the test suite's vectors.
 */
int mg_aws__sigv4(const mg_aws_sign_input *in, const mg_aws_credentials *c, mg_buf *creq, mg_buf *sts,
		  char *authorization, size_t cap);
/* Appends s percent-encoded as SigV4 wants (unreserved A-Z a-z 0-9 - . _ ~ kept; '/' too when keep_slash). */
int mg_aws__uri_encode(mg_buf *b, const char *s, size_t len, bool keep_slash);
/* "20150830T123600Z" for a unix time. */
void mg_aws__amz_date(long long t, char out[17]);

/* ---- ini.c ---- */

/* mg_aws_ini_get with the file's name for messages ("line N" alone when name is NULL). */
int mg_aws__ini_get(const char *text, size_t len, const char *name, const char *section, const char *key,
		    char *out, size_t cap);

/* ---- xml.c: a small bounded reader of the XML AWS answers with ---- */

/*
 * Called at the end of every element that holds text only (no child
 * element): path[0..depth-1] are the element names from the root, without
 * namespace prefixes; text is the decoded content (NUL-terminated).  A
 * non-zero return stops the walk and is returned.
 */
typedef int (*mg_aws__xml_leaf_fn)(void *ctx, const char *const *path, int depth, const char *text, size_t len);
/* 0, the callback's non-zero value, or MG_EPARSE (message set, naming no content) / MG_ENOMEM. */
int mg_aws__xml_walk(const char *xml, size_t len, mg_aws__xml_leaf_fn fn, void *ctx);

/* ---- time ---- */

/* Reads "2019-11-09T13:34:41Z" (fraction and offset allowed) as unix seconds; -1 when malformed. */
long long mg_aws__parse_iso8601(const char *s);

/* ---- errors.c ---- */

/* The outcome of an HTTP answer with this status and error code. */
mg_aws_outcome mg_aws__classify(long http_status, const char *error_code);
/* Copies text to out as one printable line (controls dropped, cut at a UTF-8 boundary). */
void mg_aws__clean_line(char *out, size_t cap, const char *text, size_t len);
/* Replaces every occurrence of a secret of c in s (in place) by "***". */
void mg_aws__scrub(char *s, const mg_aws_credentials *c);
/* The same for one secret (ignored when shorter than 4 bytes). */
void mg_aws__scrub_secret(char *s, const char *secret);
/* Overwrites a buffer that held secrets (OPENSSL_cleanse) and releases it. */
void mg_aws__buf_wipe(mg_buf *b);

/* ---- sts.c ---- */

typedef struct mg_aws__assume_args {
	const char *role_arn;
	const char *session_name; /* NULL: "meshgate" */
	const char *external_id;  /* or NULL */
	long duration_s;          /* 0: the service's default (1 h) */
	const char *region;
	const char *endpoint_url; /* NULL: https://sts.{region}.amazonaws.com */
	long timeout_ms;
	const char *source;       /* where the source credentials came from, for messages */
} mg_aws__assume_args;

/* AssumeRole with `with`; out's source names the role. */
int mg_aws__assume_role(const mg_aws_credentials *with, const mg_aws__assume_args *a, mg_aws_credentials *out);
/* AssumeRoleWithWebIdentity (unsigned; external_id unused); the token never reaches a message. */
int mg_aws__assume_role_web_identity(const char *token, const mg_aws__assume_args *a, mg_aws_credentials *out);

/* ---- http.c: one unsigned request to a credential endpoint ---- */

typedef struct mg_aws__fetch_args {
	const char *what;               /* "the container credentials endpoint", for messages */
	const char *method;             /* "GET" or "PUT" (an empty body) */
	const char *url;
	const mg_aws_header *headers;   /* values may be tokens: wiped, never in a message */
	size_t nheaders;
	const char *const *http_hosts;  /* NULL-terminated hosts plain http may reach besides loopback */
	long timeout_ms;                /* connect and whole request */
	size_t max_body;
} mg_aws__fetch_args;

/*
 * 0 when an answer came (any status, in *status; body in body); MG_EINVALID
 * for a URL that is refused (before any connection), MG_EBACKEND when no
 * answer came, MG_ETOOBIG for a body over max_body - messages name the
 * endpoint's scheme, host and port, never a header value.
 */
int mg_aws__fetch(const mg_aws__fetch_args *a, long *status, mg_buf *body);

/* ---- the chain's remote sources (web_identity.c, container.c, imds.c) ---- */

/*
 * Each: 0 with out filled; MG_ENOTFOUND when the source is not configured
 * or (IMDS) not there - with a message saying so, for the chain's summary;
 * any other error (message set) when it is configured but fails.
 */
int mg_aws__web_identity(const char *token_file, const char *role_arn, const char *session_name,
			 const char *region, const char *sts_endpoint_url, mg_aws_credentials *out);
/* AWS_WEB_IDENTITY_TOKEN_FILE (or GitHub Actions' OIDC variables) + AWS_ROLE_ARN. */
int mg_aws__web_identity_env(const char *region, const char *sts_endpoint_url, mg_aws_credentials *out);
int mg_aws__container_credentials(mg_aws_credentials *out);
int mg_aws__imds_credentials(mg_aws_credentials *out);

/* ---- client.c ---- */

/* For tests: makes the client's credentials look expired, so the next call refreshes them. */
void mg_aws__client_expire(mg_aws_client *c);

/* A client that signs with the given credentials (copied), resolving nothing. */
int mg_aws__client_new_static(mg_aws_client **out, const mg_aws_client_options *o, const mg_aws_credentials *c);
/* A client that sends unsigned requests (AssumeRoleWithWebIdentity). */
int mg_aws__client_new_anonymous(mg_aws_client **out, const mg_aws_client_options *o);
/* 127.0.0.0/8, ::1 (with or without brackets), localhost. */
bool mg_aws__host_loopback(const char *host);

#endif
