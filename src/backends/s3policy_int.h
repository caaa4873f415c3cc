/*
 * s3policy_int.h - the parts of the s3-policy backend (docs/backends.md),
 * which serves `type: iam` consumers with statements in the producer
 * bucket's policy; private to src/backends/:
 *
 *   s3policy_config.c  meshgate.yaml options (region, endpoint, role,
 *                      attempts, lock directory)
 *   s3policy_json.c    locations, Sids, the statements meshgate owns, and
 *                      reading / merging / writing a bucket policy document
 *   s3policy.c         the backend itself: read-modify-write of
 *                      GetBucketPolicy / PutBucketPolicy, verified by
 *                      reading back, on the AWS client (src/aws/)
 *
 * The first two are plain C (no network) and always built, so they are
 * unit-tested and fuzzed in every build.
 */
#ifndef MESHGATE_S3POLICY_INT_H
#define MESHGATE_S3POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/backend.h"
#include "meshgate/buf.h"

/* S3's limit on a bucket policy, in bytes (S3 counts it without whitespace; we write none). */
#define MG_S3P_POLICY_MAX 20480
/* The most of a GetBucketPolicy answer that is parsed. */
#define MG_S3P_READ_MAX (64 * 1024)
/* The most statements a policy may have for us to read it. */
#define MG_S3P_STATEMENTS_MAX 4096
/* Every statement meshgate owns has a Sid that starts with this. */
#define MG_S3P_SID_PREFIX "meshgate-"

/* ---- options (s3policy_config.c) ---- */

typedef struct mg_s3p_options {
	const char *region;
	const char *endpoint_url;     /* https, or http on loopback only; NULL: AWS */
	const char *sts_endpoint_url; /* for role-arn; NULL: endpoint_url when loopback, else AWS */
	const char *role_arn;         /* assumed for this environment, or NULL */
	const char *external_id;
	const char *profile;
	const char *lock_dir;         /* where the per-bucket lock files are; NULL: the state directory */
	long timeout_s;               /* per request */
	long attempts;                /* read-modify-write rounds per bucket before giving up */
	long settle_ms;               /* wait before the second read-back */
} mg_s3p_options;

/*
 * Reads an s3-policy backend entry of meshgate.yaml into o (strings
 * borrowed from the node).  Problems are `config` findings on path when
 * findings is not NULL, else MG_EINVALID with the first problem as
 * message.  Credentials in meshgate.yaml are refused.
 */
int mg_s3p_options_parse(const mg_node *entry, const char *path, mg_findings *findings, mg_s3p_options *o);

/* ---- locations, Sids and statements (s3policy_json.c) ---- */

typedef struct mg_s3p_location {
	char bucket[64];
	char prefix[1024]; /* without leading or trailing '/'; "" for the whole bucket */
} mg_s3p_location;

/*
 * Reads "s3://bucket[/prefix[/]]".  MG_EINVALID with a message when it is
 * not one: a bucket name S3 accepts (3 to 63 of a-z 0-9 . -), a prefix
 * without control characters, wildcards (* ?) or empty segments.
 */
int mg_s3p_location_parse(const char *location, mg_s3p_location *out);

/*
 * The Sid stem of one grant: "meshgate-" and 16 hex digits of a SHA-256 of
 * environment, principal, product and table.  The grant owns two
 * statements: "<stem>-get" (s3:GetObject on the prefix's objects) and
 * "<stem>-list" (s3:ListBucket on the bucket, for keys under the prefix).
 */
void mg_s3p_sid_stem(const char *environment, const char *principal, const char *product, const char *table,
		     char out[26]);

/* One statement a change wants (stmt_json, compact JSON) or wants gone (stmt_json NULL). */
typedef struct mg_s3p_change {
	char sid[32];
	char *stmt_json; /* malloc'd, or NULL: remove */
} mg_s3p_change;

/*
 * The two changes of a grant (add, when principal and loc are given) or a
 * revoke (remove: principal and loc NULL).  out[0..2) filled; stmt_json
 * malloc'd (mg_s3p_change_release).
 */
int mg_s3p_changes_for(const char *stem, const char *principal, const mg_s3p_location *loc, mg_s3p_change out[2]);
void mg_s3p_change_release(mg_s3p_change *c);

/* A bucket policy document, parsed. */
typedef struct mg_s3p_policy mg_s3p_policy;

/*
 * Parses a policy document (an empty text is an empty policy).  MG_EPARSE
 * with a message (naming no content) when it is not a JSON object with a
 * Statement object or array of objects, has more than
 * MG_S3P_STATEMENTS_MAX statements, or is longer than MG_S3P_READ_MAX.
 */
int mg_s3p_policy_parse(const char *text, size_t len, mg_s3p_policy **out);
void mg_s3p_policy_free(mg_s3p_policy *p);
size_t mg_s3p_policy_count(const mg_s3p_policy *p);
/* True when a statement with this Sid is present with exactly stmt_json's content (NULL: any). */
bool mg_s3p_policy_has(const mg_s3p_policy *p, const char *sid, const char *stmt_json);
/* True when every statement of `of` (by content) is in p. */
bool mg_s3p_policy_keeps(const mg_s3p_policy *p, const mg_s3p_policy *of, const mg_s3p_change *changes, size_t n);
/* True when p already reflects every change (each add present and equal, each remove absent). */
bool mg_s3p_policy_reflects(const mg_s3p_policy *p, const mg_s3p_change *changes, size_t n);

/*
 * Writes p with the changes merged per Sid - statements with a changed Sid
 * replaced or removed, every other statement (foreign ones above all) kept
 * as it is, added ones appended - as compact JSON to out.  *statements is
 * the number of statements written (0: the policy should be deleted).
 * MG_ETOOBIG with a clear message when the result exceeds
 * MG_S3P_POLICY_MAX bytes.
 */
int mg_s3p_policy_merge(const mg_s3p_policy *p, const mg_s3p_change *changes, size_t n, const char *bucket,
			mg_buf *out, size_t *statements);

/*
 * Calls fn for every statement meshgate owns (Sid with MG_S3P_SID_PREFIX):
 * its Sid and AWS principal ("" when not a single string).
 */
int mg_s3p_policy_owned(const mg_s3p_policy *p, int (*fn)(void *ctx, const char *sid, const char *principal),
			void *ctx);

#endif
