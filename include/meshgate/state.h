/*
 * state.h - the applier's memory per environment: the last applied commit,
 * an exclusive lock, and the journal of the run in progress.  A small
 * interface so that each backend can bring its own store; the SQLite one
 * (state_sqlite.c) is the default and lives next to the local ledger.
 *
 * Strings returned in structs are copied into caller buffers; nothing here
 * returns borrowed pointers that outlive a call.
 */
#ifndef MESHGATE_STATE_H
#define MESHGATE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/backend.h"

typedef struct mg_state mg_state;

typedef struct mg_lock_info {
	char holder[256]; /* "user@host pid 1234 (meshgate apply)" */
	char host[128];
	long pid;
	char since[32];   /* UTC ISO-8601 */
} mg_lock_info;

typedef struct mg_applied {
	bool present;
	char commit[65];  /* hex object id */
	char date[11];    /* the day it was applied (clearances were judged on it) */
} mg_applied;

/* A run in progress: what it moves from and to. */
typedef struct mg_run_info {
	bool present;
	char from[65]; /* "" on a first run */
	char to[65];
	char from_date[11];
	char to_date[11];
} mg_run_info;

struct mg_state {
	/* Takes the environment's lock, waiting up to timeout_ms; on timeout
	 * returns MG_EBUSY-like MG_EINVALID with the holder in *held_by. */
	int (*lock)(mg_state *s, const char *env, const char *holder, long timeout_ms, mg_lock_info *held_by);
	int (*unlock)(mg_state *s, const char *env);
	/* Reads the lock (present=false when free). */
	int (*lock_info)(mg_state *s, const char *env, bool *locked, mg_lock_info *info);
	int (*force_unlock)(mg_state *s, const char *env);
	int (*last_applied)(mg_state *s, const char *env, mg_applied *out);
	/* Starts (or reads, when one is in progress) the run of env. */
	int (*run_get)(mg_state *s, const char *env, mg_run_info *out);
	int (*run_start)(mg_state *s, const char *env, const mg_run_info *run);
	/* Records the outcomes of ops in the journal of the run in progress. */
	int (*journal_record)(mg_state *s, const char *env, const mg_op *ops, const mg_op_result *res, size_t n);
	/* True when op key was recorded as applied in the run in progress. */
	int (*journal_done)(mg_state *s, const char *env, const char *key, bool *done);
	/* Moves last-applied to the run's target and clears the journal, atomically. */
	int (*run_finish)(mg_state *s, const char *env);
	/* Environments with applied state or a run in progress; *out is the caller's
	 * (free each string and the array). */
	int (*environments)(mg_state *s, char ***out, size_t *n);
	void (*free)(mg_state *s);
};

/* The SQLite state store in file `path` (created on first use). */
int mg_state_sqlite_new(mg_state **out, const char *path);
void mg_state_free(mg_state *s);

/*
 * `state.lock` of an environment (docs/meshgate.yaml.md): a lock every
 * runner sees, an object s3://BUCKET/PREFIX<env>.lock created with a
 * conditional PUT (src/backends/state_lock.c).  Wraps inner (and owns it,
 * also on failure): lock() takes inner's lock and then the object;
 * unlock(), lock_info() and force_unlock() cover both.
 */
int mg_state_lock_wrap(mg_state **out, mg_state *inner, const mg_node *lock, const char *environment);
/* Checks a state.lock object: `config` findings on path. */
int mg_state_lock_check_config(const mg_node *lock, const char *path, mg_findings *findings);
/* Parsers of outside input, for tests and fuzzers: the lock object's body, and its url. */
int mg_s3_lock_parse(const char *body, size_t len, mg_lock_info *out);
int mg_s3_lock_url_parse(const char *url, char *bucket, size_t bcap, char *prefix, size_t pcap);

#endif
