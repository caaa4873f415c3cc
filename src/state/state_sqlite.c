/*
 * state_sqlite.c - the default state store (see meshgate/state.h): one
 * SQLite file with the last applied commit, the lock and the journal of
 * each environment.
 *
 * Durability: WAL, which survives a kill -9 at any point.  A run's start is
 * written with synchronous=FULL, so it is on disk before any operation
 * executes; the journal and the final state move use NORMAL, since a power
 * cut that loses them is safe: every operation is idempotent, so a lost
 * journal entry means an operation is redone, and a lost state move means
 * the recorded run is completed again.  The lock is a row taken inside
 * BEGIN IMMEDIATE, so two processes cannot both insert it; a lock whose
 * holder died stays until `meshgate unlock --force`.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meshgate/date.h"
#include "meshgate/error.h"
#include "meshgate/state.h"

/* The keys journalled as applied in one environment's run, loaded when a run is resumed. */
typedef struct {
	char *env;
	char (*keys)[17]; /* open addressing; "" is an empty slot */
	size_t count, cap;
} done_set;

typedef struct {
	mg_state base;
	sqlite3 *db;
	char *path;
	sqlite3_stmt *record; /* INSERT INTO oplog */
	done_set done;
} sq_state;

static const char SCHEMA[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS applied(environment TEXT PRIMARY KEY, commit_id TEXT NOT NULL,"
	" day TEXT NOT NULL, at TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS locks(environment TEXT PRIMARY KEY, holder TEXT NOT NULL,"
	" host TEXT NOT NULL, pid INTEGER NOT NULL, since TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS runs(environment TEXT PRIMARY KEY, from_commit TEXT NOT NULL,"
	" to_commit TEXT NOT NULL, from_day TEXT NOT NULL, to_day TEXT NOT NULL, started TEXT NOT NULL);"
	/* the journal as earlier versions wrote it, keyed by the op's hash: inserting
	 * 500,000 random keys rewrote every page of the table on each batch.  Still
	 * read (a run an older version started), never written */
	"CREATE TABLE IF NOT EXISTS journal(environment TEXT NOT NULL, op_key TEXT NOT NULL,"
	" ok INTEGER NOT NULL, request_id TEXT NOT NULL, message TEXT NOT NULL, at TEXT NOT NULL,"
	" PRIMARY KEY(environment, op_key)) WITHOUT ROWID;"
	/* the journal: appended in the order outcomes arrive, read whole when a run resumes */
	"CREATE TABLE IF NOT EXISTS oplog(environment TEXT NOT NULL, op_key TEXT NOT NULL,"
	" ok INTEGER NOT NULL, request_id TEXT NOT NULL, message TEXT NOT NULL, at TEXT NOT NULL);";

static int db_fail(sq_state *s, const char *what)
{
	mg_error_set("state store '%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return MG_EIO;
}

static int exec(sq_state *s, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		mg_error_set("state store '%s': %s", s->path, err ? err : "failed");
		sqlite3_free(err);
		return MG_EIO;
	}
	return 0;
}

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	snprintf(dst, cap, "%s", v ? (const char *)v : "");
}

static int read_lock(sq_state *s, const char *env, bool *locked, mg_lock_info *info)
{
	sqlite3_stmt *st;
	*locked = false;
	if (sqlite3_prepare_v2(s->db, "SELECT holder, host, pid, since FROM locks WHERE environment=?", -1,
			       &st, NULL) != SQLITE_OK)
		return db_fail(s, "reading the lock");
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*locked = true;
		if (info) {
			copy_col(st, 0, info->holder, sizeof info->holder);
			copy_col(st, 1, info->host, sizeof info->host);
			info->pid = (long)sqlite3_column_int64(st, 2);
			copy_col(st, 3, info->since, sizeof info->since);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(s, "reading the lock");
}

static int sq_lock_info(mg_state *base, const char *env, bool *locked, mg_lock_info *info)
{
	return read_lock((sq_state *)base, env, locked, info);
}

/* One attempt: 1 taken, 0 held by someone else (info filled), <0 error. */
static int try_lock(sq_state *s, const char *env, const char *holder, mg_lock_info *info)
{
	bool locked;
	int r;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return 0; /* another writer right now: treat as busy */
	if ((r = read_lock(s, env, &locked, info)) < 0 || locked) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return r < 0 ? r : 0;
	}
	sqlite3_stmt *st;
	char host[128] = "", since[32];
	gethostname(host, sizeof host - 1);
	mg_timestamp_now(since);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO locks(environment, holder, host, pid, since) VALUES(?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return db_fail(s, "taking the lock");
	}
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)getpid());
	sqlite3_bind_text(st, 5, since, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return db_fail(s, "taking the lock");
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}

static int sq_lock(mg_state *base, const char *env, const char *holder, long timeout_ms,
		   mg_lock_info *held_by)
{
	sq_state *s = (sq_state *)base;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	mg_lock_info info;
	memset(&info, 0, sizeof info);
	while (1) {
		int r = try_lock(s, env, holder, &info);
		if (r < 0)
			return r;
		if (r == 1)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= timeout_ms) {
			if (held_by)
				*held_by = info;
			mg_error_set("environment '%s' is locked by %s on %s since %s; waited %ld ms "
				     "(if that run is gone, see 'meshgate unlock --force')",
				     env, info.holder, info.host, info.since, waited);
			return MG_ELOCKED;
		}
		struct timespec nap = { 0, 50 * 1000000L };
		nanosleep(&nap, NULL);
	}
}

static int delete_lock(sq_state *s, const char *env)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM locks WHERE environment=?", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "releasing the lock");
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "releasing the lock");
}

static int sq_unlock(mg_state *base, const char *env)
{
	return delete_lock((sq_state *)base, env);
}

static int sq_force_unlock(mg_state *base, const char *env)
{
	return delete_lock((sq_state *)base, env);
}

static int sq_last_applied(mg_state *base, const char *env, mg_applied *out)
{
	sq_state *s = (sq_state *)base;
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(s->db, "SELECT commit_id, day FROM applied WHERE environment=?", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(s, "reading the last applied commit");
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->present = true;
		copy_col(st, 0, out->commit, sizeof out->commit);
		copy_col(st, 1, out->date, sizeof out->date);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(s, "reading the last applied commit");
}

static int sq_run_get(mg_state *base, const char *env, mg_run_info *out)
{
	sq_state *s = (sq_state *)base;
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT from_commit, to_commit, from_day, to_day FROM runs WHERE environment=?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "reading the run in progress");
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->present = true;
		copy_col(st, 0, out->from, sizeof out->from);
		copy_col(st, 1, out->to, sizeof out->to);
		copy_col(st, 2, out->from_date, sizeof out->from_date);
		copy_col(st, 3, out->to_date, sizeof out->to_date);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(s, "reading the run in progress");
}

static void done_reset(sq_state *s);

static int sq_run_start_impl(mg_state *base, const char *env, const mg_run_info *run)
{
	sq_state *s = (sq_state *)base;
	sqlite3_stmt *st;
	char now[32];
	mg_timestamp_now(now);
	int r;
	/* durable before the first operation runs: see the top of this file */
	if ((r = exec(s, "PRAGMA synchronous=FULL")) < 0 || (r = exec(s, "BEGIN IMMEDIATE")) < 0)
		return r;
	done_reset(s);
	for (int t = 0; t < 2; t++) {
		if (sqlite3_prepare_v2(s->db, t ? "DELETE FROM oplog WHERE environment=?" : "DELETE FROM journal WHERE environment=?",
				       -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO runs(environment, from_commit, to_commit, from_day, to_day, started)"
			       " VALUES(?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, run->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, run->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, run->from_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, run->to_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	if ((r = exec(s, "COMMIT")) < 0)
		return r;
	return exec(s, "PRAGMA synchronous=NORMAL");
fail:
	r = db_fail(s, "starting a run");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	return r;
}

static void done_reset(sq_state *s)
{
	free(s->done.env);
	free(s->done.keys);
	memset(&s->done, 0, sizeof s->done);
}

static uint64_t key_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Adds key (at most 16 characters: an op key) to the loaded set. */
static int done_add(done_set *d, const char *key)
{
	if ((d->count + 1) * 4 >= d->cap * 3) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		char (*v)[17] = calloc(cap, sizeof *v);
		if (!v)
			return mg_oom();
		for (size_t i = 0; i < d->cap; i++) {
			if (!d->keys[i][0])
				continue;
			size_t j = key_hash(d->keys[i]) & (cap - 1);
			while (v[j][0])
				j = (j + 1) & (cap - 1);
			memcpy(v[j], d->keys[i], 17);
		}
		free(d->keys);
		d->keys = v;
		d->cap = cap;
	}
	size_t j = key_hash(key) & (d->cap - 1);
	for (; d->keys[j][0]; j = (j + 1) & (d->cap - 1))
		if (strcmp(d->keys[j], key) == 0)
			return 0;
	snprintf(d->keys[j], sizeof d->keys[j], "%s", key);
	d->count++;
	return 0;
}

static bool done_has(const done_set *d, const char *key)
{
	if (!d->cap)
		return false;
	for (size_t j = key_hash(key) & (d->cap - 1); d->keys[j][0]; j = (j + 1) & (d->cap - 1))
		if (strcmp(d->keys[j], key) == 0)
			return true;
	return false;
}

static int sq_journal_record(mg_state *base, const char *env, const mg_op *ops, const mg_op_result *res,
			     size_t n)
{
	sq_state *s = (sq_state *)base;
	char now[32];
	int r;
	mg_timestamp_now(now);
	if (!s->record &&
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO oplog(environment, op_key, ok, request_id, message, at) VALUES(?,?,?,?,?,?)",
			       -1, &s->record, NULL) != SQLITE_OK)
		return db_fail(s, "recording outcomes");
	if ((r = exec(s, "BEGIN IMMEDIATE")) < 0)
		return r;
	sqlite3_stmt *st = s->record;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ops[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, res[i].status == MG_OP_OK);
		sqlite3_bind_text(st, 4, res[i].request_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, res[i].message, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			r = db_fail(s, "recording outcomes");
			sqlite3_reset(st);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
	}
	sqlite3_reset(st);
	if ((r = exec(s, "COMMIT")) < 0)
		return r;
	/* a loaded set follows what was recorded */
	if (s->done.env && strcmp(s->done.env, env) == 0)
		for (size_t i = 0; i < n; i++)
			if (res[i].status == MG_OP_OK && (r = done_add(&s->done, ops[i].key)) < 0)
				return r;
	return 0;
}

/* Loads every key journalled as applied in env's run: one read, however long the run. */
static int done_load(sq_state *s, const char *env)
{
	sqlite3_stmt *st;
	int rc, r = 0;
	done_reset(s);
	if (!(s->done.env = strdup(env)))
		return mg_oom();
	if (sqlite3_prepare_v2(s->db,
			       "SELECT op_key FROM oplog WHERE environment=?1 AND ok"
			       " UNION ALL SELECT op_key FROM journal WHERE environment=?1 AND ok",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "reading the journal");
	sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		if (k && strlen(k) < 17 && (r = done_add(&s->done, k)) < 0)
			break;
	}
	sqlite3_finalize(st);
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(s, "reading the journal");
	if (r < 0)
		done_reset(s);
	return r;
}

static int sq_journal_done(mg_state *base, const char *env, const char *key, bool *done)
{
	sq_state *s = (sq_state *)base;
	int r;
	*done = false;
	if ((!s->done.env || strcmp(s->done.env, env) != 0) && (r = done_load(s, env)) < 0)
		return r;
	*done = done_has(&s->done, key);
	return 0;
}

static int sq_run_finish(mg_state *base, const char *env)
{
	sq_state *s = (sq_state *)base;
	sqlite3_stmt *st;
	char now[32];
	int r;
	mg_timestamp_now(now);
	done_reset(s);
	if ((r = exec(s, "BEGIN IMMEDIATE")) < 0)
		return r;
	static const char *const sql[] = {
		("INSERT OR REPLACE INTO applied(environment, commit_id, day, at)"
		 " SELECT environment, to_commit, to_day, ?2 FROM runs WHERE environment=?1"),
		"DELETE FROM journal WHERE environment=?1",
		"DELETE FROM runs WHERE environment=?1",
		/* the journal holds rows of runs in progress only: with none left, empty it
		 * whole (SQLite drops its pages) instead of deleting 500,000 rows one by one */
		"DELETE FROM oplog WHERE environment=?1 AND EXISTS (SELECT 1 FROM runs)",
	};
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_text(st, 1, env, -1, SQLITE_STATIC);
		if (i == 0)
			sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM runs LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE && (r = exec(s, "DELETE FROM oplog")) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail;
	return exec(s, "COMMIT");
fail:
	r = db_fail(s, "finishing the run");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int sq_environments(mg_state *base, char ***out, size_t *n)
{
	sq_state *s = (sq_state *)base;
	sqlite3_stmt *st;
	int rc, r = 0;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT environment FROM applied UNION SELECT environment FROM runs ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "listing environments");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **v = realloc(*out, (*n + 1) * sizeof *v);
		if (!v) {
			r = mg_oom();
			break;
		}
		*out = v;
		if (!(v[*n] = strdup((const char *)sqlite3_column_text(st, 0)))) {
			r = mg_oom();
			break;
		}
		(*n)++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(s, "listing environments");
	sqlite3_finalize(st);
	return r;
}

static void sq_free(mg_state *base)
{
	sq_state *s = (sq_state *)base;
	done_reset(s);
	sqlite3_finalize(s->record);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int mg_state_sqlite_new(mg_state **out, const char *path)
{
	sq_state *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return mg_oom();
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
			    NULL) != SQLITE_OK) {
		int r = db_fail(s, "cannot open");
		sq_free(&s->base);
		return r;
	}
	sqlite3_busy_timeout(s->db, 10000);
	int r;
	if ((r = exec(s, SCHEMA)) < 0 || (r = exec(s, "PRAGMA synchronous=NORMAL")) < 0) {
		sq_free(&s->base);
		return r;
	}
	s->base.lock = sq_lock;
	s->base.unlock = sq_unlock;
	s->base.lock_info = sq_lock_info;
	s->base.force_unlock = sq_force_unlock;
	s->base.last_applied = sq_last_applied;
	s->base.run_get = sq_run_get;
	s->base.run_start = sq_run_start_impl;
	s->base.journal_record = sq_journal_record;
	s->base.journal_done = sq_journal_done;
	s->base.run_finish = sq_run_finish;
	s->base.environments = sq_environments;
	s->base.free = sq_free;
	*out = &s->base;
	return 0;
}

void mg_state_free(mg_state *s)
{
	if (s)
		s->free(s);
}
