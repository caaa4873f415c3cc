/*
 * backend_local.c - the embedded default backend: an SQLite ledger of
 * grants, one row per (environment, principal, product, table), that
 * `meshgate access` reads to answer who can read what.
 *
 * Each op is applied with the same semantics as mg_grant_set_apply (the
 * row is loaded into a one-grant set, the op applied, the row rewritten),
 * so the ledger cannot drift from the model's meaning of a plan.  A batch
 * is one transaction.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/backends_int.h"
#include "meshgate/backend.h"
#include "meshgate/buf.h"
#include "meshgate/date.h"
#include "meshgate/error.h"

typedef struct {
	mg_backend base;
	sqlite3 *db;
	char *path;
	sqlite3_stmt *sel, *ins, *add, *del;
	mg_buf cols, exps; /* a row's column lists, reused from row to row */
} ledger;

#define SEP '\x1f'

static const char SCHEMA[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS grants(environment TEXT NOT NULL, principal TEXT NOT NULL,"
	" product TEXT NOT NULL, tbl TEXT NOT NULL, channel INTEGER NOT NULL, except_mode INTEGER NOT NULL,"
	" perms INTEGER NOT NULL, exposure INTEGER NOT NULL, columns TEXT NOT NULL,"
	" column_exposure TEXT NOT NULL, updated TEXT NOT NULL,"
	" PRIMARY KEY(environment, principal, product, tbl)) WITHOUT ROWID;";

static int db_fail(ledger *l, const char *what)
{
	mg_error_set("ledger '%s': %s: %s", l->path, what, sqlite3_errmsg(l->db));
	return MG_EBACKEND;
}

/* Splits a SEP-joined list into arena strings. */
static int split(mg_arena *a, const char *text, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!text || !*text)
		return 0;
	size_t cnt = 1;
	for (const char *p = text; *p; p++)
		cnt += *p == SEP;
	const char **v = mg_arena_alloc(a, cnt * sizeof *v);
	if (!v)
		return mg_oom();
	const char *start = text;
	for (const char *p = text;; p++) {
		if (*p == SEP || *p == '\0') {
			if (!(v[(*n)++] = mg_arena_strndup(a, start, (size_t)(p - start))))
				return mg_oom();
			if (!*p)
				break;
			start = p + 1;
		}
	}
	*out = v;
	return 0;
}

/* Reads the current row of st (grants columns in order) into g, strings in a. */
static int row_to_grant(mg_arena *a, sqlite3_stmt *st, mg_grant *g)
{
	const char **exps = NULL;
	size_t nexp = 0;
	int r;
	memset(g, 0, sizeof *g);
	g->environment = mg_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
	g->principal = mg_arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
	g->product = mg_arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
	const char *tbl = (const char *)sqlite3_column_text(st, 3);
	g->table = tbl && *tbl ? mg_arena_strdup(a, tbl) : NULL;
	if (!g->environment || !g->principal || !g->product || (tbl && *tbl && !g->table))
		return mg_oom();
	g->channel = (mg_channel)sqlite3_column_int(st, 4);
	g->except = sqlite3_column_int(st, 5) != 0;
	g->perms = (unsigned)sqlite3_column_int(st, 6);
	g->exposure = (unsigned)sqlite3_column_int(st, 7);
	if ((r = split(a, (const char *)sqlite3_column_text(st, 8), &g->columns, &g->ncolumns)) < 0 ||
	    (r = split(a, (const char *)sqlite3_column_text(st, 9), &exps, &nexp)) < 0)
		return r;
	if (g->ncolumns) {
		g->column_exposure = mg_arena_calloc(a, g->ncolumns, sizeof *g->column_exposure);
		if (!g->column_exposure)
			return mg_oom();
		for (size_t i = 0; i < g->ncolumns && i < nexp; i++)
			g->column_exposure[i] = (unsigned)strtoul(exps[i], NULL, 10);
	}
	return 0;
}

/*
 * Writes g's row: replacing the one there, or (fresh) only when there is
 * none, *added telling which.  fresh is the common case of a first apply:
 * one B-tree search instead of a read before the write.
 */
static int put_grant(ledger *l, const mg_grant *g, const char *now, bool fresh, bool *added)
{
	mg_buf *c = &l->cols, *x = &l->exps;
	int r = 0;
	mg_buf_clear(c);
	mg_buf_clear(x);
	for (size_t i = 0; i < g->ncolumns && r == 0; i++) {
		if (i)
			r = mg_buf_addc(c, SEP) | mg_buf_addc(x, SEP);
		if (r == 0) {
			/* exposure is a small bit set: its decimal digits without printf */
			char digits[12], *d = digits + sizeof digits;
			unsigned v = g->column_exposure ? g->column_exposure[i] : 0;
			do
				*--d = (char)('0' + v % 10);
			while ((v /= 10) != 0);
			r = mg_buf_adds(c, g->columns[i]) | mg_buf_add(x, d, (size_t)(digits + sizeof digits - d));
		}
	}
	if (r < 0)
		return mg_oom();
	sqlite3_stmt *st = fresh ? l->add : l->ins;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, g->environment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, g->principal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, g->product, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, g->table ? g->table : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, (int)g->channel);
	sqlite3_bind_int(st, 6, g->except);
	sqlite3_bind_int(st, 7, (int)g->perms);
	sqlite3_bind_int(st, 8, (int)g->exposure);
	/* the buffers outlive the step: no copy */
	sqlite3_bind_text(st, 9, c->len ? c->ptr : "", (int)c->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, x->len ? x->ptr : "", (int)x->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(l, "writing a grant");
	else if (added)
		*added = sqlite3_changes(l->db) > 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

static int write_grant(ledger *l, const mg_grant *g, const char *now)
{
	return put_grant(l, g, now, false, NULL);
}

static int delete_grant(ledger *l, const mg_grant *g)
{
	sqlite3_stmt *st = l->del;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, g->environment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, g->principal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, g->product, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, g->table ? g->table : "", -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(l, "deleting a grant");
}

static int apply_one(ledger *l, const mg_op *op, const char *now)
{
	const mg_grant *o = &op->grant;
	mg_grant_set s;
	int r, rc;
	mg_grant_set_init(&s);
	if (op->kind == MG_OP_GRANT) {
		/* nothing there yet (a first apply): the grant is the row */
		bool added = false;
		if ((r = put_grant(l, o, now, true, &added)) < 0 || added)
			return r;
	}
	sqlite3_stmt *st = l->sel;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, o->environment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->principal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->product, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->table ? o->table : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		/* the common case of a first apply: nothing there yet */
		sqlite3_reset(st);
		if (op->kind == MG_OP_REVOKE)
			return 0;
		return write_grant(l, o, now);
	}
	if (rc != SQLITE_ROW)
		return db_fail(l, "reading a grant");
	mg_grant cur;
	if ((r = row_to_grant(&s.arena, st, &cur)) < 0 || (r = mg_grant_set_add(&s, &cur)) < 0 ||
	    (r = mg_grant_set_finish(&s)) < 0)
		goto done;
	sqlite3_reset(st);
	if ((r = mg_grant_set_apply(&s, op, 1)) < 0)
		goto done;
	r = s.count ? write_grant(l, &s.items[0], now) : delete_grant(l, o);
done:
	sqlite3_reset(st);
	mg_grant_set_release(&s);
	return r;
}

static int local_begin(mg_backend *b, const char *environment)
{
	(void)b;
	(void)environment;
	return 0;
}

static int local_apply(mg_backend *b, const mg_op *ops, size_t n, mg_op_result *results)
{
	ledger *l = (ledger *)b;
	char now[MG_TIMESTAMP_LEN];
	mg_timestamp_now(now);
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(l, "starting a batch");
	for (size_t i = 0; i < n; i++) {
		int r = apply_one(l, &ops[i], now);
		if (r < 0) {
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
		results[i].status = MG_OP_OK;
		snprintf(results[i].request_id, sizeof results[i].request_id, "ledger-%s", ops[i].key);
		results[i].message[0] = '\0';
	}
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int r = db_fail(l, "committing a batch");
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	return 0;
}

static int local_read(mg_backend *b, const char *environment, mg_grant_set *out)
{
	ledger *l = (ledger *)b;
	sqlite3_stmt *st;
	int r = 0, rc;
	const char *sql = environment
		? "SELECT environment, principal, product, tbl, channel, except_mode, perms, exposure, columns,"
		  " column_exposure FROM grants WHERE environment=?"
		: "SELECT environment, principal, product, tbl, channel, except_mode, perms, exposure, columns,"
		  " column_exposure FROM grants";
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(l, "reading grants");
	if (environment)
		sqlite3_bind_text(st, 1, environment, -1, SQLITE_STATIC);
	mg_arena tmp = MG_ARENA_INIT;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mg_grant g;
		if ((r = row_to_grant(&tmp, st, &g)) < 0 || (r = mg_grant_set_add(out, &g)) < 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(l, "reading grants");
	sqlite3_finalize(st);
	mg_arena_free(&tmp);
	return r < 0 ? r : mg_grant_set_finish(out);
}

static int local_end(mg_backend *b)
{
	(void)b;
	return 0;
}

static void local_free(mg_backend *b)
{
	ledger *l = (ledger *)b;
	sqlite3_finalize(l->sel);
	sqlite3_finalize(l->ins);
	sqlite3_finalize(l->add);
	sqlite3_finalize(l->del);
	mg_buf_release(&l->cols);
	mg_buf_release(&l->exps);
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

int mg_backend_local_new(mg_backend **out, const char *path)
{
	ledger *l = calloc(1, sizeof *l);
	int r;
	if (l) {
		l->cols = (mg_buf)MG_BUF_INIT;
		l->exps = (mg_buf)MG_BUF_INIT;
	}
	if (!l || !(l->path = strdup(path))) {
		free(l);
		return mg_oom();
	}
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
			    NULL) != SQLITE_OK) {
		r = db_fail(l, "cannot open");
		local_free(&l->base);
		return r;
	}
	sqlite3_busy_timeout(l->db, 10000);
	char *err = NULL;
	if (sqlite3_exec(l->db, SCHEMA, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(l->db, "PRAGMA synchronous=FULL", NULL, NULL, &err) != SQLITE_OK) {
		mg_error_set("ledger '%s': %s", path, err ? err : "cannot initialise");
		sqlite3_free(err);
		local_free(&l->base);
		return MG_EBACKEND;
	}
	if (sqlite3_prepare_v2(l->db,
			       "SELECT environment, principal, product, tbl, channel, except_mode, perms, exposure,"
			       " columns, column_exposure FROM grants"
			       " WHERE environment=? AND principal=? AND product=? AND tbl=?",
			       -1, &l->sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db,
			       "INSERT OR REPLACE INTO grants(environment, principal, product, tbl, channel,"
			       " except_mode, perms, exposure, columns, column_exposure, updated)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &l->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db,
			       "INSERT INTO grants(environment, principal, product, tbl, channel,"
			       " except_mode, perms, exposure, columns, column_exposure, updated)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
			       -1, &l->add, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db,
			       "DELETE FROM grants WHERE environment=? AND principal=? AND product=? AND tbl=?",
			       -1, &l->del, NULL) != SQLITE_OK) {
		r = db_fail(l, "preparing statements");
		local_free(&l->base);
		return r;
	}
	l->base.name = "local";
	l->base.channels = MG_CHANNELS_ALL;
	l->base.max_batch = 0;
	l->base.probe = NULL; /* reading the ledger is cheap: the executor compares with read_grants */
	l->base.begin = local_begin;
	l->base.apply = local_apply;
	l->base.read_grants = local_read;
	l->base.end = local_end;
	l->base.free = local_free;
	*out = &l->base;
	return 0;
}

/* The ledger is one file in the state directory, shared by every environment (rows carry it). */
int mg_backend_local_create(mg_backend **out, const mg_backend_params *p)
{
	mg_buf path = MG_BUF_INIT;
	int r = mg_buf_addf(&path, "%s/ledger.db", p->state_dir);
	if (r == 0)
		r = mg_backend_local_new(out, path.ptr);
	mg_buf_release(&path);
	return r;
}

int mg_backend_local_check(const mg_node *options, const char *path, mg_findings *findings)
{
	/* the ledger takes no options: anything but `type` is a mistake worth saying */
	if (!options || options->type != MG_NODE_OBJECT)
		return 0;
	for (size_t i = 0; i < options->u.object.count; i++) {
		const mg_member *m = &options->u.object.members[i];
		if (strcmp(m->key, "type") == 0)
			continue;
		int r = mg_findings_add(findings, path, m->line, m->col, MG_RULE_CONFIG,
					"the local backend takes no option '%s' (it keeps its ledger in the state directory)",
					m->key);
		if (r < 0)
			return r;
	}
	return 0;
}
