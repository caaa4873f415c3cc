/*
 * apply.h - the executor: turns the diff between the last applied commit
 * of an environment and a target commit into operations on a backend,
 * exactly once.
 *
 * Under the environment's lock: a run left unfinished by a crash is
 * completed first (same commits, same dates, so the same plan; the ops its
 * journal shows as done are skipped, and the rest are idempotent); then a
 * run from the last applied commit to the target is recorded, its plan is
 * executed in batches whose outcomes go to the journal before anything
 * else moves, and only when every op succeeded does the state move to the
 * target.  Revokes run before grants, so at no point does a principal read
 * more than the old or the new commit allows.
 */
#ifndef MESHGATE_APPLY_H
#define MESHGATE_APPLY_H

#include <stddef.h>

#include "meshgate/backend.h"
#include "meshgate/buf.h"
#include "meshgate/model.h"
#include "meshgate/retry.h"
#include "meshgate/state.h"

typedef struct mg_apply_opts {
	const char *repo;        /* any path inside the repository */
	const char *to_rev;      /* target commit-ish, e.g. "HEAD" */
	const char *today;       /* "YYYY-MM-DD" */
	long lock_timeout_ms;
	size_t batch_size;       /* ops per journal write; 0: 2000 (backend calls are split by each backend's max_batch) */
	const char *holder;      /* who takes the lock, for messages */
	/* one JSON line per executed op (may be NULL); backend warnings: mg_audit_warning_line */
	void (*audit)(void *ctx, const char *json_line);
	void *audit_ctx;
	/* testing only: kill this process with SIGKILL after this many ops were
	 * sent to the backend (before their outcomes are journalled); 0: off */
	long fault_kill_after;
	/* Optional: to_rev's catalogue, already loaded and validated by the
	 * caller (NULL: the executor loads and validates it). */
	const mg_catalogue *target;
	const mg_retry_policy *retry; /* NULL: MG_RETRY_STANDARD */
} mg_apply_opts;

typedef struct mg_apply_stats {
	size_t planned, executed, skipped, failed;
	size_t resumed; /* ops executed while completing an unfinished run */
	size_t calls;   /* backend apply() calls, retries included */
	size_t retried; /* ops sent again after a retryable or unknown outcome */
	size_t probed;  /* ops whose unknown outcome was re-read from the backend */
	char from[65], to[65];
} mg_apply_stats;

/*
 * Applies to one environment through its backends: each op goes to the
 * first backend that serves its consumer's channel (an op no backend
 * serves stops the run before anything is sent).  MG_ELOCKED when the
 * lock is held; MG_EBACKEND when ops failed.
 */
int mg_apply_environment(mg_state *st, const mg_backends *bs, const mg_apply_opts *o, const char *env,
			 mg_apply_stats *stats);

/*
 * Executes `plan` on env's backends as a run from `commit` to itself under
 * the environment's lock (taken by this call): journalled, audited,
 * retried, exactly as apply does; the last applied commit does not move.
 * What `drift --fix` uses.  A run left unfinished by another command is
 * refused (MG_EINVALID: run apply first).
 */
int mg_execute_fix(mg_state *st, const mg_backends *bs, const mg_apply_opts *o, const char *env,
		   const char *commit, const char *date, const mg_plan *plan, mg_apply_stats *stats);

/*
 * The audit log's line for a backend warning (JSON, no newline), for the
 * commands that audit to put beside the operations' lines:
 *   {"time":"...","environment":"prod","backend":"lakeformation",
 *    "warning":"iam-allowed-principals","resource":"table shop.orders","message":"..."}
 * An operation's line has "operation" where this one has "warning".
 */
int mg_audit_warning_line(const mg_backend_warning *w, mg_buf *out);

#endif
