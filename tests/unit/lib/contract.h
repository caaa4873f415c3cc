/*
 * contract.h - the backend contract every backend must pass (issue 9 §4):
 * grant, idempotent re-grant, narrowing, revoke, revoking what is absent,
 * listing per environment, batches of at most max_batch.  A backend's own
 * test opens it against a world where the fixture's principals, product
 * and table exist, and calls mgt_backend_contract().
 */
#ifndef MGT_CONTRACT_H
#define MGT_CONTRACT_H

#include <stdbool.h>

#include "meshgate/backend.h"
#include "meshgate/doc.h"

typedef struct mgt_contract_fixture {
	const char *environment;       /* where the ops go */
	const char *other_environment; /* an environment the ops must not show up in */
	const char *product;
	const char *table;
	const char *columns[3];        /* three columns of table, sorted */
	const char *principals[2];     /* two managed principals */
	mg_channel channel;
	bool all_except;               /* the backend takes "all columns except" grants */
} mgt_contract_fixture;

/* Opens a fresh handle on the same backend (the contract reopens it to check durability). */
typedef mg_backend *(*mgt_backend_open)(void *ctx);

/* Runs the contract; failures are reported through the mgt harness, prefixed with label. */
void mgt_backend_contract(const char *label, mgt_backend_open open, void *ctx, const mgt_contract_fixture *fx);

/* ---- backends built from meshgate.yaml, for the backends' own tests ---- */

/* Replaces *doc (NULL or a document) with the backend entry yaml, parsed; a failure when it does not parse. */
void mgt_backend_options(mg_doc **doc, const char *yaml);
/*
 * A backend of type for environment "prod" over state_dir, from the entry
 * in options (which it borrows: free options after the backend); NULL, with
 * the error on stderr and a failure, when it cannot be built.
 */
mg_backend *mgt_backend_from(const char *type, const mg_doc *options, const char *state_dir);

/* ---- the property test every real backend runs (live_postgres.c, live_lakeformation.c) ---- */

typedef struct mgt_world {
	const char *environment, *product;
	mg_channel channel;
	const char *tables[2];
	const char *columns[2][4]; /* per table, NULL-terminated when fewer than 4 */
	const char *principals[3];
	unsigned long long rng;    /* the random state; seed it */
} mgt_world;

/*
 * A random desired state of w: per principal, maybe DESCRIBE on the
 * product, and per table maybe SELECT on a random column subset, as a list
 * or as "all columns except".  s is initialised here.
 */
void mgt_random_state(mgt_world *w, mg_grant_set *s);
/*
 * One step of the property test: a random desired state of w applied to b
 * (the plan from *held to it), which *held then becomes.  The caller checks
 * what b reads back (mgt_drift_count) and whatever else it can see.
 */
void mgt_random_step(mgt_world *w, mg_backend *b, mg_grant_set *held);
/* Applies plan in calls of max_batch; every op must come back ok. */
void mgt_apply_all(mg_backend *b, const mg_plan *plan);
/* How many ops the plan from what b holds in env to want has (0: no drift); the first few printed. */
size_t mgt_drift_count(mg_backend *b, const char *env, const mg_grant_set *want, int step);

/* ---- a fault-injecting wrapper of any backend ---- */

typedef enum mgt_fault {
	MGT_FAULT_NONE,
	MGT_FAULT_RETRYABLE,     /* not applied; retryable, with retry_after_ms */
	MGT_FAULT_FAILED,        /* not applied; refused for good */
	MGT_FAULT_UNKNOWN_DONE,  /* applied, but the answer says unknown */
	MGT_FAULT_UNKNOWN_LOST,  /* not applied, and the answer says unknown */
	MGT_FAULT_CALL_LOST,     /* the whole call fails (apply() < 0) after nothing was applied */
	MGT_FAULT_LIE            /* not applied, yet reported ok (a broken backend, for the contract's own test) */
} mgt_fault;

typedef struct mgt_faulty_stats {
	long calls, ops_sent, max_call_size, probes;
} mgt_faulty_stats;

/*
 * Wraps inner (taken over: freed with the wrapper).  decide(ctx, op, nth)
 * says what happens to op on its nth sending (1-based, counted per op key);
 * NULL decides MGT_FAULT_NONE.  max_batch overrides the inner one when > 0.
 * with_probe: expose a probe (else the executor falls back to read_grants).
 */
mg_backend *mgt_faulty_new(mg_backend *inner, size_t max_batch, bool with_probe,
			   mgt_fault (*decide)(void *ctx, const mg_op *op, int nth), void *ctx,
			   mgt_faulty_stats *stats);

#endif
