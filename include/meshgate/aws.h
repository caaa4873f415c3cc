/*
 * aws.h - meshgate's own AWS client, on libcurl and OpenSSL (no SDK):
 * Signature Version 4, the credential chain, STS AssumeRole, and one
 * signed call whose failures are classified for the executor.  Owned by
 * src/aws/; the lakeformation backend (src/backends/) is its user.
 *
 * Secrets - secret access keys, session tokens, signatures - never appear
 * in a message, a log line or an error: messages name the credential's
 * source ("environment", "profile ci in ~/.aws/credentials", "assumed role
 * arn:...") and at most the access key id.
 */
#ifndef MESHGATE_AWS_H
#define MESHGATE_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/buf.h"
#include "meshgate/retry.h"

/* ---- credentials ---- */

typedef struct mg_aws_credentials {
	char access_key_id[128];
	char secret_access_key[128];
	char session_token[4096]; /* "" when none */
	long long expiration;     /* unix seconds; 0: does not expire */
	char source[192];         /* where they came from, for messages (no secret) */
} mg_aws_credentials;

/* Overwrites every byte (OPENSSL_cleanse), so no secret outlives its use. */
void mg_aws_credentials_wipe(mg_aws_credentials *c);

/*
 * The default chain, in the AWS CLI's and botocore's order (docs/aws.md):
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (skipped,
 * as the SDKs do, when the caller names a profile); profile `profile`
 * (NULL: $AWS_PROFILE, else "default") with role_arn and source_profile,
 * web_identity_token_file or credential_source; web identity
 * (AWS_WEB_IDENTITY_TOKEN_FILE or GitHub Actions' OIDC endpoint, with
 * AWS_ROLE_ARN) through an unsigned AssumeRoleWithWebIdentity; the
 * profile's keys in $AWS_SHARED_CREDENTIALS_FILE (default
 * ~/.aws/credentials), then in $AWS_CONFIG_FILE (default ~/.aws/config,
 * sections "[profile NAME]"); the container endpoint
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI); IMDSv2
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED).  Roles
 * are assumed through `sts_endpoint_url` (NULL: the regional endpoint).
 * A source that is configured but fails is the error; MG_ENOTFOUND with a
 * message naming every place looked when none has credentials.
 */
int mg_aws_credentials_resolve(const char *profile, const char *region, const char *sts_endpoint_url,
			       mg_aws_credentials *out);

/*
 * The region when the configuration names none, as the SDKs find it:
 * $AWS_REGION, $AWS_DEFAULT_REGION, then `region` of the profile (NULL:
 * $AWS_PROFILE, else "default") in the config file.  0, MG_ENOTFOUND
 * (message naming the places looked) or MG_EINVALID (not a region name).
 */
int mg_aws_region_resolve(const char *profile, char *out, size_t cap);

/* ---- SigV4 ---- */

typedef struct mg_aws_header {
	const char *name;
	const char *value;
} mg_aws_header;

typedef struct mg_aws_sign_input {
	const char *method;            /* "POST" */
	const char *host;              /* "lakeformation.eu-west-1.amazonaws.com" or "127.0.0.1:5000" */
	const char *path;              /* "/BatchGrantPermissions", not yet URI-encoded */
	const char *query;             /* "Action=AssumeRole&Version=2011-06-15" or "" */
	const mg_aws_header *headers;  /* further headers to sign (content-type, x-amz-target) */
	size_t nheaders;
	const void *body;
	size_t body_len;
	const char *region;            /* "eu-west-1" */
	const char *service;           /* signing name: "lakeformation", "glue", "sts", "s3" */
	const char *amz_date;          /* "20150830T123600Z" (UTC) */
	/*
	 * How the path is canonicalised.  By default (all false) as every
	 * service but S3 wants it: dot segments and empty segments removed, then
	 * URI-encoded twice (once for the wire, once for signing).  Service "s3"
	 * implies both flags: the path is signed as sent, encoded once.
	 */
	bool path_unnormalized;        /* keep ".", ".." and "//" as they are */
	bool path_encode_once;         /* encode once: the path as sent on the wire */
} mg_aws_sign_input;

/*
 * Signs one request: writes the value of the Authorization header to
 * `authorization` (the caller also sends X-Amz-Date, Host and, when there
 * is a token, X-Amz-Security-Token).  Canonical request and string to sign
 * as the AWS SigV4 test suite has them.  MG_ETOOBIG when cap is too small.
 */
int mg_aws_sigv4_sign(const mg_aws_sign_input *in, const mg_aws_credentials *c, char *authorization, size_t cap);

/* The lower-case hex SHA-256 of data (for an x-amz-content-sha256 header). */
void mg_aws_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- one client per service, region and identity ---- */

typedef struct mg_aws_client_options {
	const char *service;      /* signing name and endpoint prefix: "lakeformation", "glue", "sts" */
	const char *region;       /* required */
	const char *endpoint_url; /* NULL: https://{service}.{region}.amazonaws.com; http only on loopback */
	const char *profile;      /* NULL: $AWS_PROFILE or "default" */
	const char *role_arn;     /* NULL: the chain's credentials; else AssumeRole with them */
	const char *external_id;  /* for role_arn, or NULL */
	const char *session_name; /* for role_arn; NULL: "meshgate" */
	long timeout_ms;          /* per request; 0: 30 s */
	const mg_retry_policy *retry; /* for mg_aws_call's own retries of reads; NULL: MG_RETRY_STANDARD */
	const char *sts_endpoint_url; /* for role_arn and profiles' roles; NULL: https://sts.{region}.amazonaws.com */
} mg_aws_client_options;

typedef struct mg_aws_client mg_aws_client;

/* Resolves credentials (and assumes role_arn) now; errors name the cause, never a secret. */
int mg_aws_client_new(mg_aws_client **out, const mg_aws_client_options *o);
void mg_aws_client_free(mg_aws_client *c);

/* How a call ended, classified for the executor's retry policy. */
typedef enum mg_aws_outcome {
	MG_AWS_OK,        /* 2xx */
	MG_AWS_FAILED,    /* the service refused: a 4xx that retrying will not change */
	MG_AWS_RETRYABLE, /* throttled or 5xx/transient: not applied, safe to try again */
	MG_AWS_UNKNOWN    /* sent, outcome unknown (timeout, connection dropped mid-response) */
} mg_aws_outcome;

typedef struct mg_aws_response {
	mg_aws_outcome outcome;
	long http_status;       /* 0 when no response */
	char request_id[64];    /* x-amzn-RequestId / x-amz-request-id, "" when none */
	char etag[130];         /* S3: the ETag header as sent (quotes kept), "" when none */
	char error_code[128];   /* "AccessDeniedException", "ThrottlingException", ... "" on success */
	char message[256];      /* the service's message or the transport error; no secrets */
	long retry_after_ms;    /* Retry-After hint, 0 when none */
	mg_buf body;            /* the response body (JSON or XML), NUL-terminated */
} mg_aws_response;

void mg_aws_response_init(mg_aws_response *r);
void mg_aws_response_release(mg_aws_response *r);

typedef enum mg_aws_protocol {
	MG_AWS_REST_JSON, /* lakeformation: POST {path}, application/json body */
	MG_AWS_JSON_1_1,  /* glue: POST /, X-Amz-Target: {target}, application/x-amz-json-1.1 */
	MG_AWS_QUERY,     /* sts: POST /, form body Action=...&Version=..., XML response */
	MG_AWS_REST_XML   /* s3: {method} {path}?{query}, path-style; x-amz-content-sha256 signed,
			     Content-MD5 with a body; errors in an XML <Error> */
} mg_aws_protocol;

typedef struct mg_aws_call_input {
	mg_aws_protocol protocol;
	const char *path;    /* REST_JSON: "/BatchGrantPermissions"; REST_XML: "/bucket" (not yet
				encoded); others "/" (NULL means "/") */
	const char *target;  /* JSON_1_1: "AWSGlue.GetDatabase"; else NULL */
	const char *body;    /* JSON text, or the form body for QUERY (NULL: "{}" for the JSON protocols,
				"" for QUERY and REST_XML) */
	size_t body_len;
	bool idempotent;     /* true: mg_aws_call retries RETRYABLE outcomes itself under the
				client's retry policy; false: one attempt, the caller decides */
	/* REST_XML only (the others are POST with an empty query): */
	const char *method;       /* "GET", "PUT", "DELETE"; NULL: "GET" */
	const char *query;        /* already encoded, "policy" or "a=1&b=2"; NULL: none */
	const char *content_type; /* of the body, or NULL: no Content-Type */
	const char *if_none_match; /* "*": S3 writes only when no object has the key
				      (a conditional PUT answers 412 PreconditionFailed); NULL: none */
	const char *if_match;      /* an ETag: S3 deletes (or writes) only the object of that ETag
				      (412 PreconditionFailed when it changed); NULL: none */
} mg_aws_call_input;

/*
 * Sends one signed request and fills resp (which the caller initialised).
 * Returns 0 whenever resp->outcome says what happened - including refusals;
 * a negative code only when no request could be built (then nothing was sent).
 * Error codes are read from the JSON "__type"/"code" field, the
 * x-amzn-ErrorType header, or the XML <Code>; throttling codes, 5xx and
 * transient curl errors before sending are RETRYABLE, timeouts after sending UNKNOWN.
 */
int mg_aws_call(mg_aws_client *c, const mg_aws_call_input *in, mg_aws_response *resp);

/* The client's identity for messages: "profile ci (AKIA...XYZ)" - never a secret. */
const char *mg_aws_client_identity(const mg_aws_client *c);

/* ---- parsers of outside input, exposed for tests and fuzzers ---- */

/*
 * Reads [section] key = value from an AWS credentials/config file text.
 * Writes the value of `key` in `section` to out (NUL-terminated).  0 when
 * found, MG_ENOTFOUND when absent, MG_EPARSE (message with line number, no
 * values) when the text is malformed, MG_ETOOBIG when the value does not fit.
 */
int mg_aws_ini_get(const char *text, size_t len, const char *section, const char *key, char *out, size_t cap);

/* Fills resp->error_code/message from a JSON or XML error body (and header type, or NULL). */
void mg_aws_parse_error(const char *body, size_t len, const char *error_type_header, mg_aws_response *resp);

/*
 * Reads AccessKeyId, SecretAccessKey, SessionToken, Expiration from an STS
 * AssumeRole XML response.  MG_EPARSE when a field is missing.
 */
int mg_aws_parse_assume_role(const char *xml, size_t len, mg_aws_credentials *out);
/* The same for an AssumeRoleWithWebIdentity answer (...WithWebIdentityResult/Credentials). */
int mg_aws_parse_assume_role_web_identity(const char *xml, size_t len, mg_aws_credentials *out);

/*
 * Reads the JSON credential document of the ECS container endpoint (imds
 * false) or of IMDS (imds true): AccessKeyId and SecretAccessKey, Token and
 * Expiration (ISO 8601; both required by IMDS, and Expiration whenever there
 * is a Token); IMDS's Code must be "Success" when present.  At most 64 KiB.
 * 0 with out filled (its source kept), else MG_EPARSE naming the field,
 * never a value, with out untouched.
 */
int mg_aws_parse_credential_document(const char *json, size_t len, bool imds, mg_aws_credentials *out);

/* The "value" of GitHub Actions' OIDC token answer ({"count":..,"value":"eyJ..."}); out wiped on error. */
int mg_aws_parse_oidc_token(const char *json, size_t len, char *out, size_t cap);

#endif
