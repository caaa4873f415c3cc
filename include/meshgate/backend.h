/*
 * backend.h - where grants are executed.  One small interface; each backend
 * is its own module (local SQLite ledger, PostgreSQL, Lake Formation).
 *
 * Operations are idempotent: granting what exists and revoking what is
 * absent succeed.  A backend applies a batch and reports one result per
 * operation; it never decides what to do, only how.
 */
#ifndef MESHGATE_BACKEND_H
#define MESHGATE_BACKEND_H

#include <stddef.h>

#include "meshgate/access.h"

typedef struct mg_op_result {
	int ok;              /* 1 applied (or already so), 0 failed */
	char request_id[64]; /* the backend's id for the request, "" when none */
	char message[256];   /* why it failed, "" on success; never holds secrets */
} mg_op_result;

typedef struct mg_backend mg_backend;

struct mg_backend {
	const char *name; /* "local", "postgres", "lakeformation" */
	/* Prepares to work on one environment (connect, open a session). */
	int (*begin)(mg_backend *b, const char *environment);
	/* Applies ops[0..n) and fills results[0..n).  Returns 0 when every result
	 * was recorded (some may have failed), or a negative code when the batch
	 * could not be attempted at all. */
	int (*apply)(mg_backend *b, const mg_op *ops, size_t n, mg_op_result *results);
	/* The grants actually in place in the environment, for drift. */
	int (*read_grants)(mg_backend *b, const char *environment, mg_grant_set *out);
	int (*end)(mg_backend *b);
	void (*free)(mg_backend *b);
};

/* The embedded default: an SQLite ledger at `path` (created on first use). */
int mg_backend_local_new(mg_backend **out, const char *path);
void mg_backend_free(mg_backend *b);

#endif
