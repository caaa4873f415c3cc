/*
 * backends_int.h - what each backend module gives the registry
 * (registry.c): a constructor from meshgate.yaml and an option check.
 * Private to src/backends/.
 */
#ifndef MESHGATE_BACKENDS_INT_H
#define MESHGATE_BACKENDS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/aws.h"
#include "meshgate/backend.h"

/*
 * Where the problems of one backend's options go (options.c): `config`
 * findings on path when findings is not NULL (validate, check), else the
 * first problem becomes the error (MG_EINVALID in first) when a backend
 * is built.
 */
typedef struct mg_backend_reporter {
	const char *path;
	mg_findings *findings;
	int first; /* 0, or the error code of the first problem (findings == NULL) */
} mg_backend_reporter;

/* Reports one problem at node `at` (NULL: 1:1); < 0 only when a finding could not be stored. */
int mg_backend_problem(mg_backend_reporter *rp, const mg_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A whole number from lo to hi: sets *out and is true, else false (*out untouched). */
bool mg_backend_int_option(const mg_node *v, long lo, long hi, long *out);

/*
 * A map option from data-product names to names in the backend (postgres
 * `schemas:`, lakeformation `databases:`); a product not in it keeps its
 * own name.  Strings are borrowed from the node.
 */
typedef struct mg_backend_name {
	const char *product, *name;
} mg_backend_name;

typedef struct mg_backend_names {
	mg_backend_name *items; /* malloc'd; mg_backend_names_release */
	size_t count;
} mg_backend_names;

/* What a map option is called and which names it takes, for its checks and messages. */
typedef struct mg_backend_names_spec {
	const char *backend; /* "postgres" */
	const char *option;  /* "schemas" */
	const char *names;   /* what the values are: "schema", "Glue database" */
	const char *one;     /* one value, in "the schema of product 'x'" */
	int max_len;         /* longest value, in bytes (for the message) */
	int max_entries;
	bool (*name_ok)(const char *name); /* never called with NULL */
} mg_backend_names_spec;

/*
 * Reads the map option v into out (replacing what it held): an object of at
 * most spec->max_entries members whose values pass spec->name_ok.  Problems
 * go to rp; < 0 only when memory or a finding could not be had.
 */
int mg_backend_names_parse(mg_backend_reporter *rp, const mg_node *v, const mg_backend_names_spec *spec,
			   mg_backend_names *out);
void mg_backend_names_release(mg_backend_names *m);
/* The name product maps to, or product itself. */
const char *mg_backend_name_of(const mg_backend_names *m, const char *product);

/* ---- checks shared by the AWS backends' options (aws_options.c) ---- */

/* 1 to max bytes, no control characters. */
bool mg_backend_printable(const char *s, size_t max);
/* eu-west-1, us-gov-west-1, cn-north-1: lower-case letters, digits and '-', 4 to 32 bytes. */
bool mg_aws_region_ok(const char *s);
/* arn:PARTITION:iam::123456789012:role/NAME */
bool mg_aws_role_arn_ok(const char *s);
/* https://..., or http:// only to a loopback host; no userinfo that could hide the real host. */
bool mg_aws_endpoint_ok(const char *url);
/* Keys that would put a credential in meshgate.yaml (access keys, secrets, tokens). */
bool mg_aws_secret_key(const char *k);
/* mg_aws_client_new, its error prefixed with the backend and environment (never a secret). */
int mg_backend_aws_client(mg_aws_client **out, const mg_aws_client_options *o, const char *backend,
			  const char *environment);

/*
 * What every remote backend keeps beside the service, made in its create
 * once its options are known good: *environment, a copy of p->environment
 * ("" when none), and *meta, its meta-ledger, a local ledger at
 * STATE_DIR/TYPE-meta.db (created here) of what it granted that the
 * service cannot tell.  On failure what was made is left in *environment
 * and *meta for the backend's free.
 */
int mg_backend_remote_state(const mg_backend_params *p, const char *type, char **environment, mg_backend **meta);

int mg_backend_local_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_local_check(const mg_node *options, const char *path, mg_findings *findings);

#ifdef MESHGATE_WITH_POSTGRES
int mg_backend_postgres_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_postgres_check(const mg_node *options, const char *path, mg_findings *findings);
#endif
#ifdef MESHGATE_WITH_LAKEFORMATION
int mg_backend_s3policy_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_s3policy_check(const mg_node *options, const char *path, mg_findings *findings);
int mg_backend_lakeformation_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_lakeformation_check(const mg_node *options, const char *path, mg_findings *findings);
#endif

#endif
