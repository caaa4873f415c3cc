/*
 * backend.h - where grants are executed.  One small interface that a local
 * ledger and a remote API can both meet; each backend is its own module in
 * src/backends/, built from meshgate.yaml through the registry below.
 *
 * A backend only says how: it applies the operations it is given and
 * reports one result per operation.  It never retries, never decides what
 * to do, and never touches the journal: the executor (meshgate/apply.h)
 * owns retries, batching, the journal and the audit log.  Nor does it
 * write to standard output or standard error: what it notices beyond an
 * operation's outcome (a managed resource open to more than meshgate
 * grants, a server's warning) it reports with mg_backend_warn() to the
 * sink its creator gave (mg_backend_params.warnings), and the caller
 * decides how it is shown and whether it is audited.
 *
 * Operations are idempotent: granting what exists and revoking what is
 * absent are successes (MG_OP_OK).
 */
#ifndef MESHGATE_BACKEND_H
#define MESHGATE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/access.h"
#include "meshgate/doc.h"
#include "meshgate/finding.h"

/* What became of one operation. */
typedef enum mg_op_status {
	MG_OP_OK,        /* applied, or already in effect */
	MG_OP_FAILED,    /* refused; trying again will not help (the message says why) */
	MG_OP_RETRYABLE, /* not applied: throttled or transient; the executor may try again */
	MG_OP_UNKNOWN    /* sent, but the outcome is unknown (connection dropped, timeout):
			    the executor re-reads the backend before trying again */
} mg_op_status;

/* "ok", "failed", "retryable", "unknown" */
const char *mg_op_status_name(mg_op_status s);

typedef struct mg_op_result {
	mg_op_status status;
	long retry_after_ms; /* MG_OP_RETRYABLE: the service's hint, 0 when none */
	char request_id[64]; /* the backend's id for the request, "" when none */
	char message[256];   /* why it did not succeed, "" on success; never holds secrets */
} mg_op_result;

/* Bit of a channel in mg_backend.channels. */
#define MG_CHANNEL_BIT(c) (1u << (unsigned)(c))
#define MG_CHANNELS_ALL \
	(MG_CHANNEL_BIT(MG_CHANNEL_LAKEFORMATION) | MG_CHANNEL_BIT(MG_CHANNEL_IAM) | MG_CHANNEL_BIT(MG_CHANNEL_POSTGRES))

/* "lakeformation", "iam", "postgres" ("unknown" for MG_CHANNEL_UNKNOWN). */
const char *mg_channel_name(mg_channel c);

typedef struct mg_backend mg_backend;

/*
 * A warning from a backend: not an operation's outcome and no error (the
 * run goes on), but something the people running meshgate must know, e.g.
 * a managed Lake Formation table that IAM_ALLOWED_PRINCIPALS still reads.
 * The strings are borrowed for the duration of the call.
 */
typedef struct mg_backend_warning {
	const char *backend;     /* the type, "lakeformation" */
	const char *environment;
	const char *code;        /* short and stable, for machines: "iam-allowed-principals" */
	const char *resource;    /* what it is about, "table shop.orders"; "" when nothing in particular */
	const char *message;     /* one line for people (no environment or backend prefix); never a secret */
} mg_backend_warning;

/* Where a backend's warnings go; warn NULL: they are dropped. */
typedef struct mg_backend_warnings {
	void (*warn)(void *ctx, const mg_backend_warning *w);
	void *ctx;
} mg_backend_warnings;

struct mg_backend {
	const char *name;  /* the type: "local", "postgres", "lakeformation" */
	unsigned channels; /* MG_CHANNEL_BIT()s of the consumers it serves */
	size_t max_batch;  /* most operations one apply() call takes; 0: any number */
	/* Prepares to work on one environment (connect, open a session). */
	int (*begin)(mg_backend *b, const char *environment);
	/*
	 * Applies ops[0..n) (n <= max_batch) and fills results[0..n).  Returns
	 * 0 when every result was filled in (some may not be MG_OP_OK), or a
	 * negative code with a message when the call could not be attempted at
	 * all (then no op took effect, or the backend cannot tell: the executor
	 * treats all n as MG_OP_UNKNOWN).
	 */
	int (*apply)(mg_backend *b, const mg_op *ops, size_t n, mg_op_result *results);
	/*
	 * Optional (NULL: the executor compares with read_grants).  Sets
	 * in_effect[i] when the backend's state already reflects ops[i] (a
	 * grant's columns and permissions are granted; a revoke's are not).
	 */
	int (*probe)(mg_backend *b, const mg_op *ops, size_t n, bool *in_effect);
	/* The grants actually in place for the managed principals of environment, for drift. */
	int (*read_grants)(mg_backend *b, const char *environment, mg_grant_set *out);
	int (*end)(mg_backend *b);
	void (*free)(mg_backend *b);
	/* set by mg_backend_create() from mg_backend_params.warnings, after the type's create */
	mg_backend_warnings warnings;
};

void mg_backend_free(mg_backend *b);

/*
 * Reports a warning of b about resource in environment to b->warnings
 * (dropped when there is no sink).  A backend reports each resource once
 * a session; a sink that sees several sessions (or backends) decides
 * whether to show a repeat.  A message longer than 1 KiB is cut.
 */
void mg_backend_warn(mg_backend *b, const char *environment, const char *code, const char *resource,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * True when the effect of op is visible in actual (the backend's grants):
 * for a grant, the principal holds its permissions on its columns; for a
 * revoke, it holds none of them.  What a probe without a backend probe is.
 */
bool mg_op_in_effect(const mg_grant_set *actual, const mg_op *op);

/* ---- the registry: backends built from meshgate.yaml ---- */

/* What a backend is made from. */
typedef struct mg_backend_params {
	const char *environment;
	const char *state_dir;   /* the applier's state directory (exists) */
	const char *config_path; /* "meshgate.yaml", for messages */
	const mg_node *options;  /* its object in meshgate.yaml (type and options), or NULL */
	mg_backend_warnings warnings; /* where its warnings go ({ NULL }: dropped) */
} mg_backend_params;

typedef struct mg_backend_type {
	const char *name;
	unsigned channels;
	/* NULL when this build cannot drive the type (not compiled in). */
	int (*create)(mg_backend **out, const mg_backend_params *p);
	/* Optional: checks the options the schema cannot judge; `config` findings on path. */
	int (*check)(const mg_node *options, const char *path, mg_findings *findings);
} mg_backend_type;

/* The type called name, or NULL when meshgate knows no such type. */
const mg_backend_type *mg_backend_type_find(const char *name);
/* The types this build drives, "local, postgres" (static storage). */
const char *mg_backend_types_built(void);

/*
 * Builds the backend of type `type` (NULL: "local").  A type this build
 * cannot drive is MG_EINVALID with a message naming it and what the build
 * drives; it never falls back to another backend.
 */
int mg_backend_create(mg_backend **out, const char *type, const mg_backend_params *p);

/*
 * Checks one backend entry of meshgate.yaml: an unknown type or one this
 * build cannot drive, and the type's own options, as `config` findings.
 */
int mg_backend_check_config(const mg_node *entry, const char *path, mg_findings *findings);

/* The backends of one environment, and which serves which channel. */
#define MG_BACKENDS_MAX 4
typedef struct mg_backends {
	mg_backend *items[MG_BACKENDS_MAX];
	size_t count;
} mg_backends;

/* The first backend that serves channel c, or NULL. */
mg_backend *mg_backends_route(const mg_backends *bs, mg_channel c);
/* Frees every backend and empties the set. */
void mg_backends_release(mg_backends *bs);

/* ---- the backends ---- */

/* The embedded default: an SQLite ledger at `path` (created on first use); serves every channel. */
int mg_backend_local_new(mg_backend **out, const char *path);

#endif
