/*
 * postgres.c - the postgres backend (docs/backends.md): product = schema,
 * output table = table, consumer = role; column-precise grants only.
 *
 *   grant, database   GRANT USAGE ON SCHEMA s TO r
 *   grant, table      GRANT SELECT (c1, c2, ...) ON TABLE s.t TO r; "all
 *                     columns except X" is expanded into the table's columns
 *                     as pg_attribute has them now, minus X
 *   revoke, database  REVOKE USAGE ON SCHEMA s FROM r
 *   revoke, table     REVOKE SELECT (cols) ON TABLE s.t FROM r; when r holds
 *                     a table-level SELECT (made by hand: meshgate never
 *                     grants one), a column REVOKE would not narrow it, so:
 *                     REVOKE SELECT ON TABLE s.t FROM r (which also drops
 *                     r's column grants) and GRANT SELECT (the column
 *                     grants r held, minus the revoked ones)
 *
 * A call is one transaction, each op in a savepoint: an op the server
 * refuses (missing table, role, privilege) fails alone; a serialization
 * failure, deadlock or lost connection rolls the batch back (retryable), and
 * a connection lost once COMMIT was sent leaves the batch unknown (the
 * executor re-reads the grants).  Never CREATE or DROP anything.
 *
 * What meshgate manages - which roles, products and tables, and whether a
 * grant was "these columns" or "all columns except" - is kept beside the
 * state (postgres-meta.db, a ledger of the ops this backend applied); the
 * privileges themselves are always read from the server.
 */
#include "meshgate/sort.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_int.h"
#include "backends/postgres_int.h"
#include "meshgate/error.h"

typedef struct {
	mg_backend base;
	mg_pg_options opt;
	char *environment;
	char *dsn;      /* from the environment variable; never printed */
	char *where;    /* the DSN with its password masked, or "service=x", for messages */
	PGconn *conn;
	bool in_session; /* between begin() and end(): holds the advisory lock */
	bool locked;
	mg_backend *meta;
	/* within one call's transaction: which roles and schemas exist (for revokes) */
	struct {
		char *name;
		bool role, exists;
	} seen[64];
	size_t nseen;
	/* the server answered a GRANT/REVOKE with "no privileges were granted/revoked" */
	bool refused;
	char refused_msg[200];
} pg;

/* ---- connecting ---- */

static int quote_pq(void *ctx, const char *ident, mg_buf *out)
{
	pg *p = ctx;
	int r;
	if ((r = mg_pg_ident_check("name", ident)) < 0)
		return r;
	char *q = PQescapeIdentifier(p->conn, ident, strlen(ident));
	if (!q) {
		mg_error_set("postgres: cannot quote a name: %s", PQerrorMessage(p->conn));
		return MG_EBACKEND;
	}
	r = mg_buf_adds(out, q);
	PQfreemem(q);
	return r;
}

/* The sslmode to pass, or NULL to leave it to the DSN / PGSSLMODE / libpq (mg_pg_sslmode). */
static const char *effective_sslmode(pg *p)
{
	if (p->opt.sslmode || p->opt.service)
		return mg_pg_sslmode(&p->opt, NULL, NULL, NULL);
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(p->dsn, &err);
	if (!opts) {
		PQfreemem(err);
		return "verify-full"; /* the connection will fail on the DSN anyway, and say why */
	}
	const char *mode = NULL, *host = NULL, *hostaddr = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "sslmode") == 0)
			mode = o->val;
		else if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
	}
	/* TLS verifies the host name when given, else the address */
	if (!host || !*host)
		host = hostaddr && *hostaddr ? hostaddr : getenv("PGHOST");
	const char *r = mg_pg_sslmode(&p->opt, host, mode, getenv("PGSSLMODE"));
	PQconninfoFree(opts);
	return r;
}

/*
 * The server's notices: libpq would print them on stderr.  "No privileges
 * were granted/could be revoked" (01007/01006: the applier's role lacks
 * the grant option, so the statement succeeds and changes nothing) makes
 * the operation fail: the journal must not call it done.  Any other
 * WARNING goes to the caller's sink; NOTICE and below are chatter and
 * dropped.
 */
static void pg_notice(void *ctx, const PGresult *res)
{
	pg *p = ctx;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!sev || strcmp(sev, "WARNING") != 0 || !msg)
		return;
	if (state && (strcmp(state, "01007") == 0 || strcmp(state, "01006") == 0)) {
		if (!p->refused)
			snprintf(p->refused_msg, sizeof p->refused_msg, "%s", msg);
		p->refused = true;
		return;
	}
	mg_backend_warn(&p->base, p->environment, "server-warning", "", "the server warns (%s): %s",
			state ? state : "01000", msg);
}

static void conn_close(pg *p)
{
	if (p->conn)
		PQfinish(p->conn);
	p->conn = NULL;
	p->locked = false;
}

static int session_setup(pg *p)
{
	char state[6], msg[512], line[256];
	mg_buf sql = MG_BUF_INIT;
	int r = 0;
	/* a stuck lock is a retryable error, not a hang */
	if (mg_pg_exec(p->conn, "SET lock_timeout = '20s'", state, msg, sizeof msg) < 0)
		goto fail;
	if (p->opt.role) {
		if ((r = mg_buf_adds(&sql, "SET ROLE ")) < 0 || (r = quote_pq(p, p->opt.role, &sql)) < 0)
			goto done;
		if (mg_pg_exec(p->conn, sql.ptr, state, msg, sizeof msg) < 0)
			goto fail;
	}
	if (p->in_session && !p->locked) {
		/* two appliers against one server never both apply: a session lock per environment */
		const char *params[1] = { p->environment };
		PGresult *res = PQexecParams(p->conn,
					     "SELECT pg_catalog.pg_try_advisory_lock(1835365224, pg_catalog.hashtext($1))",
					     1, NULL, params, NULL, NULL, 0);
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
			snprintf(state, sizeof state, "%s",
				 res && PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "");
			snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn));
			PQclear(res);
			goto fail;
		}
		bool got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (!got) {
			mg_error_set("postgres (%s): another meshgate applier holds environment '%s' on this server "
				     "(advisory lock); try again when it has finished",
				     p->where, p->environment);
			r = MG_ELOCKED;
			goto done;
		}
		p->locked = true;
	}
	goto done;
fail:
	mg_pg_describe(line, sizeof line, state, msg, NULL);
	mg_error_set("postgres (%s): setting up the session: %s", p->where, line);
	r = MG_EBACKEND;
done:
	mg_buf_release(&sql);
	if (r < 0)
		conn_close(p);
	return r;
}

/* Connects (or reconnects after a lost connection); *status says how a failure counts. */
static int conn_open(pg *p, mg_op_status *status)
{
	if (status)
		*status = MG_OP_FAILED;
	if (p->conn && PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	conn_close(p);
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%ld", p->opt.connect_timeout_s);
	const char *kw[8], *val[8];
	int n = 0;
	if (p->opt.service) {
		kw[n] = "service";
		val[n++] = p->opt.service;
	} else {
		kw[n] = "dbname";
		val[n++] = p->dsn;
	}
	const char *mode = effective_sslmode(p);
	if (mode) {
		kw[n] = "sslmode";
		val[n++] = mode;
	}
	kw[n] = "connect_timeout";
	val[n++] = timeout;
	kw[n] = "application_name";
	val[n++] = "meshgate";
	kw[n] = "client_encoding";
	val[n++] = "UTF8";
	kw[n] = NULL;
	val[n] = NULL;
	p->conn = PQconnectdbParams(kw, val, p->opt.service ? 0 : 1);
	if (!p->conn) {
		mg_error_set("postgres (%s): out of memory connecting", p->where);
		return MG_ENOMEM;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		char line[256];
		const char *msg = PQerrorMessage(p->conn);
		/* authentication and configuration problems are final; a server not there yet is transient */
		bool auth = strstr(msg, "password") || strstr(msg, "authentication") || strstr(msg, "does not exist") ||
			    strstr(msg, "certificate") || strstr(msg, "SSL") || strstr(msg, "invalid");
		mg_pg_describe(line, sizeof line, auth ? "28000" : NULL, msg, NULL);
		mg_error_set("postgres: cannot connect to %s: %s", p->where, line);
		if (status)
			*status = auth ? MG_OP_FAILED : MG_OP_RETRYABLE;
		conn_close(p);
		return MG_EBACKEND;
	}
	PQsetNoticeReceiver(p->conn, pg_notice, p);
	return session_setup(p);
}

/* ---- applying ---- */

typedef struct {
	char state[6];
	char msg[512];
} pg_err;

static int run(pg *p, const char *sql, pg_err *e)
{
	return mg_pg_exec(p->conn, sql, e->state, e->msg, sizeof e->msg);
}

static bool listed(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* The role's own table-level SELECT and column SELECTs on schema.table. */
static int role_holds(pg *p, const char *role, const char *schema, const char *table, bool *table_level,
		      mg_pg_privs *cols)
{
	const char *roles[1] = { role }, *schemas[1] = { schema };
	mg_pg_privs all;
	memset(&all, 0, sizeof all);
	int r = mg_pg_read_privs(p->conn, roles, 1, schemas, 1, &all);
	*table_level = false;
	for (size_t i = 0; r == 0 && i < all.count; i++) {
		const mg_pg_priv *x = &all.items[i];
		if (!x->table || strcmp(x->table, table) != 0)
			continue;
		if (x->kind == MG_PG_PRIV_TABLE)
			*table_level = true;
		else if (x->kind == MG_PG_PRIV_COLUMN) {
			if (cols->count == cols->cap) {
				size_t cap = cols->cap ? cols->cap * 2 : 16;
				mg_pg_priv *g = realloc(cols->items, cap * sizeof *g);
				if (!g) {
					r = mg_oom();
					break;
				}
				cols->items = g;
				cols->cap = cap;
			}
			cols->items[cols->count] = *x;
			if (!(cols->items[cols->count].column = mg_arena_strdup(&cols->arena, x->column)))
				r = mg_oom();
			cols->count++;
		}
	}
	mg_pg_privs_release(&all);
	return r;
}

/* mg_pg_exists, remembered for the rest of the call (one transaction: the answer holds). */
static int exists_cached(pg *p, bool role, const char *name, bool *exists)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen[i].role == role && strcmp(p->seen[i].name, name) == 0) {
			*exists = p->seen[i].exists;
			return 0;
		}
	int r = mg_pg_exists(p->conn, role, name, exists);
	if (r == 0 && p->nseen < sizeof p->seen / sizeof p->seen[0] && (p->seen[p->nseen].name = strdup(name))) {
		p->seen[p->nseen].role = role;
		p->seen[p->nseen++].exists = *exists;
	}
	return r;
}

static void forget_seen(pg *p)
{
	for (size_t i = 0; i < p->nseen; i++)
		free(p->seen[i].name);
	p->nseen = 0;
}

typedef enum { OP_DONE, OP_REFUSED, OP_SQL_ERROR, OP_ERROR } op_outcome;

/*
 * One op, inside the batch's transaction.  OP_REFUSED: res->message says why
 * (checked before any statement); OP_SQL_ERROR: a statement failed (e);
 * OP_ERROR: a local failure (mg_error).
 */
static op_outcome do_op(pg *p, const mg_op *op, mg_op_result *res, pg_err *e, bool *none_left)
{
	const mg_grant *g = &op->grant;
	const char *schema = mg_pg_schema_of(&p->opt, g->product);
	bool grant = op->kind == MG_OP_GRANT;
	mg_buf sql = MG_BUF_INIT;
	mg_pg_table t;
	const char **cols = NULL;
	size_t ncols = 0;
	op_outcome out = OP_DONE;
	int r = 0;
	memset(&t, 0, sizeof t);
	*none_left = !grant || !g->table; /* a revoke of USAGE, or of everything, leaves nothing to record */
	if (!grant) {
		/* revoking from a role, schema or table that is not there: nothing is granted */
		bool there = false;
		if (exists_cached(p, true, g->principal, &there) < 0)
			return OP_ERROR;
		if (there && exists_cached(p, false, schema, &there) < 0)
			return OP_ERROR;
		if (!there)
			return OP_DONE;
	}
	if (!g->table) {
		r = mg_pg_build(&sql, grant ? MG_PG_GRANT_USAGE : MG_PG_REVOKE_USAGE, schema, NULL, NULL, 0, g->principal,
				quote_pq, p);
		if (r == 0 && run(p, sql.ptr, e) < 0)
			out = OP_SQL_ERROR;
		goto done;
	}
	if (!(g->perms & MG_PERM_SELECT))
		goto done; /* DESCRIBE of a table: what a column SELECT already lets the role see */
	if (grant && !g->except) {
		/* the catalogue's own column list: the server says which one is missing */
		cols = (const char **)g->columns;
		ncols = g->ncolumns;
	} else {
		if ((r = mg_pg_read_table(p->conn, schema, g->table, &t)) < 0)
			goto done;
		if (!t.exists) {
			if (!grant)
				goto done;
			snprintf(res->message, sizeof res->message,
				 "table %s.%s (output '%s' of product '%s') does not exist; meshgate never creates "
				 "tables: create it, or fix the product",
				 schema, g->table, g->table, g->product);
			out = OP_REFUSED;
			goto done;
		}
		if (!(cols = calloc(t.ncolumns + g->ncolumns + 1, sizeof *cols))) {
			r = mg_oom();
			goto done;
		}
		for (size_t i = 0; i < t.ncolumns; i++) {
			bool in = listed((const char *const *)g->columns, g->ncolumns, t.columns[i]);
			if (g->except ? !in : in)
				cols[ncols++] = t.columns[i];
		}
	}
	if (grant) {
		if (ncols && (r = mg_pg_build(&sql, MG_PG_GRANT_COLUMNS, schema, g->table, cols, ncols, g->principal,
					      quote_pq, p)) == 0 &&
		    run(p, sql.ptr, e) < 0)
			out = OP_SQL_ERROR;
		goto done;
	}
	/* revoke: a column REVOKE does not narrow a table-level SELECT */
	bool table_level = false;
	mg_pg_privs held;
	memset(&held, 0, sizeof held);
	if ((r = role_holds(p, g->principal, schema, g->table, &table_level, &held)) < 0) {
		mg_pg_privs_release(&held);
		goto done;
	}
	if (table_level) {
		const char **keep = calloc(held.count + 1, sizeof *keep);
		size_t nkeep = 0;
		if (!keep) {
			mg_pg_privs_release(&held);
			r = mg_oom();
			goto done;
		}
		for (size_t i = 0; i < held.count; i++)
			if (!listed(cols, ncols, held.items[i].column))
				keep[nkeep++] = held.items[i].column;
		*none_left = nkeep == 0;
		r = mg_pg_build(&sql, MG_PG_REVOKE_TABLE, schema, g->table, NULL, 0, g->principal, quote_pq, p);
		if (r == 0 && run(p, sql.ptr, e) < 0)
			out = OP_SQL_ERROR;
		mg_buf_clear(&sql);
		if (r == 0 && out == OP_DONE && nkeep &&
		    (r = mg_pg_build(&sql, MG_PG_GRANT_COLUMNS, schema, g->table, keep, nkeep, g->principal, quote_pq,
				     p)) == 0 &&
		    run(p, sql.ptr, e) < 0)
			out = OP_SQL_ERROR;
		free(keep);
	} else {
		size_t left = 0;
		for (size_t i = 0; i < held.count; i++)
			left += !listed(cols, ncols, held.items[i].column);
		*none_left = left == 0;
	}
	if (!table_level && ncols) {
		r = mg_pg_build(&sql, MG_PG_REVOKE_COLUMNS, schema, g->table, cols, ncols, g->principal, quote_pq, p);
		if (r == 0 && run(p, sql.ptr, e) < 0)
			out = OP_SQL_ERROR;
	}
	mg_pg_privs_release(&held);
done:
	if (cols != (const char **)g->columns)
		free(cols);
	mg_pg_table_release(&t);
	mg_buf_release(&sql);
	if (r < 0) {
		if (mg_error_last()[0] == '\0')
			mg_error_set("postgres: out of memory");
		return OP_ERROR;
	}
	return out;
}

static void result(mg_op_result *res, mg_op_status st, const char *msg)
{
	res->status = st;
	if (msg && msg != res->message) {
		size_t len = strnlen(msg, sizeof res->message - 1);
		memcpy(res->message, msg, len);
		res->message[len] = '\0';
	}
	else if (!msg)
		res->message[0] = '\0';
}

/* After a batch-wide failure: every op not already failed gets st and msg. */
static void all(mg_op_result *results, size_t n, mg_op_status st, const char *msg)
{
	for (size_t i = 0; i < n; i++)
		if (results[i].status != MG_OP_FAILED)
			result(&results[i], st, msg);
}

static int apply_batch(pg *p, const mg_op *ops, size_t n, mg_op_result *results, bool *none_left);

static int pg_apply(mg_backend *b, const mg_op *ops, size_t n, mg_op_result *results)
{
	pg *p = (pg *)b;
	mg_op_status cst;
	for (size_t i = 0; i < n; i++) {
		memset(&results[i], 0, sizeof results[i]);
		snprintf(results[i].request_id, sizeof results[i].request_id, "postgres-%s", ops[i].key);
	}
	if (conn_open(p, &cst) < 0) {
		if (cst == MG_OP_FAILED)
			return MG_EBACKEND; /* nothing can be attempted: the run stops with the message */
		all(results, n, MG_OP_RETRYABLE, mg_error_last());
		mg_error_clear();
		return 0;
	}
	bool *none_left = calloc(n ? n : 1, sizeof *none_left);
	if (!none_left)
		return mg_oom();
	int rc = apply_batch(p, ops, n, results, none_left);
	free(none_left);
	return rc;
}

/*
 * What meshgate manages, as the ops that made it: per key, the last grant
 * (its mode - these columns, or all but these - and exposures); a key is
 * forgotten when a revoke leaves the role nothing on it, unless the revoke
 * names columns (then the ledger narrows what it recorded: an "all except"
 * grant that now reads nothing is still the grant made).  Recorded before
 * the COMMIT, so it is a superset of what took effect.
 */
static int record_managed(pg *p, const mg_op *ops, size_t n, const mg_op_result *results, const bool *none_left)
{
	mg_op *m = malloc((2 * n + 1) * sizeof *m);
	mg_op_result *mres = calloc(2 * n + 1, sizeof *mres);
	size_t k = 0;
	int r = m && mres ? 0 : mg_oom();
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (results[i].status != MG_OP_OK)
			continue;
		if (ops[i].kind == MG_OP_REVOKE && none_left[i] && ops[i].grant.table && !ops[i].grant.except &&
		    ops[i].grant.ncolumns) {
			/* named columns revoked: an "all except" grant stays one, excluding them too
			 * (it may read nothing now, but it is still the grant meshgate made) */
			m[k++] = ops[i];
			continue;
		}
		if (ops[i].kind == MG_OP_GRANT || none_left[i]) {
			/* forget the key: revoke every permission on every column */
			m[k] = ops[i];
			m[k].kind = MG_OP_REVOKE;
			m[k].grant.except = true;
			m[k].grant.ncolumns = 0;
			m[k].grant.perms = MG_PERM_SELECT | MG_PERM_DESCRIBE;
			k++;
		}
		if (ops[i].kind == MG_OP_GRANT)
			m[k++] = ops[i];
	}
	if (r == 0 && k)
		r = p->meta->apply(p->meta, m, k, mres);
	free(m);
	free(mres);
	return r;
}

/* Whether an op needs the call's view of the server (columns, privileges) to go in a group. */
static bool needs_view(const mg_op *op)
{
	return op->kind == MG_OP_REVOKE || (op->grant.table && op->grant.except && (op->grant.perms & MG_PERM_SELECT));
}

/*
 * Appends op's statement to sql when the call's view says everything the
 * op needs (returns 1; nothing appended when nothing is to be done), or
 * returns 0 when the op must go alone (a table the view does not show, a
 * hand-made table-level SELECT, a role that may not exist): do_op then
 * reads for itself and reports exactly.
 */
static int group_stmt(pg *p, const mg_op *op, const mg_pg_view *v, mg_buf *sql, bool *none_left)
{
	const mg_grant *g = &op->grant;
	const char *schema = mg_pg_schema_of(&p->opt, g->product);
	bool grant = op->kind == MG_OP_GRANT;
	*none_left = !grant || !g->table;
	if (grant && (!g->table || !(g->perms & MG_PERM_SELECT) || !g->except)) {
		if (g->table && (!(g->perms & MG_PERM_SELECT) || !g->ncolumns))
			return 1; /* DESCRIBE of a table: what a column SELECT already lets the role see */
		int r = mg_buf_adds(sql, "; ");
		if (r == 0)
			r = mg_pg_build(sql, g->table ? MG_PG_GRANT_COLUMNS : MG_PG_GRANT_USAGE, schema, g->table,
					(const char *const *)g->columns, g->ncolumns, g->principal, quote_pq, p);
		return r < 0 ? r : 1;
	}
	if (!v->loaded)
		return 0;
	bool role_there = true;
	if (!grant) {
		/* revoking from a role that is not there: nothing is granted */
		if (exists_cached(p, true, g->principal, &role_there) < 0)
			return MG_EBACKEND;
		if (!role_there)
			return 1;
		if (!g->table) {
			if (!mg_pg_view_schema_exists(v, schema))
				return 0;
			int r = mg_buf_adds(sql, "; ");
			if (r == 0)
				r = mg_pg_build(sql, MG_PG_REVOKE_USAGE, schema, NULL, NULL, 0, g->principal, quote_pq, p);
			return r < 0 ? r : 1;
		}
		if (!(g->perms & MG_PERM_SELECT))
			return 1;
	}
	mg_pg_range cols = mg_pg_view_columns(v, schema, g->table);
	if (!cols.n)
		return 0; /* no such table (or one without columns): do_op says which */
	mg_pg_range held = mg_pg_view_held(v, g->principal, schema, g->table);
	for (size_t i = 0; !grant && i < held.n; i++)
		if (held.v[i].kind == MG_PG_PRIV_TABLE)
			return 0; /* a hand-made table-level SELECT: revoked and re-granted by do_op */
	const char **pick = calloc(cols.n + 1, sizeof *pick);
	size_t npick = 0, left = 0;
	if (!pick)
		return mg_oom();
	for (size_t i = 0; i < cols.n; i++) {
		bool in = listed((const char *const *)g->columns, g->ncolumns, cols.v[i].column);
		if (g->except ? !in : in)
			pick[npick++] = cols.v[i].column;
	}
	for (size_t i = 0; !grant && i < held.n; i++)
		left += held.v[i].kind == MG_PG_PRIV_COLUMN && !listed(pick, npick, held.v[i].column);
	if (!grant)
		*none_left = left == 0;
	int r = 0;
	if (npick && (r = mg_buf_adds(sql, "; ")) == 0)
		r = mg_pg_build(sql, grant ? MG_PG_GRANT_COLUMNS : MG_PG_REVOKE_COLUMNS, schema, g->table, pick, npick,
				g->principal, quote_pq, p);
	free(pick);
	return r < 0 ? r : 1;
}

/*
 * Ops from `from` on, as many as group_stmt takes, in one round trip:
 * SAVEPOINT and their statements (then RELEASE, or ROLLBACK TO when the
 * server refused one or changed nothing for one).  *to is where the group ended.
 * 0 when they all took effect (results ok) or the group is empty; 1 when
 * the server refused one (rolled back to the savepoint: the caller applies
 * them one by one to say which); -1 when the batch cannot go on (e says why).
 */
static int apply_group(pg *p, const mg_op *ops, size_t from, size_t n, const mg_pg_view *v, mg_op_result *results,
		       bool *none_left, size_t *to, pg_err *e)
{
	mg_buf sql = MG_BUF_INIT;
	int r = mg_buf_adds(&sql, "SAVEPOINT meshgate_group");
	size_t i = from;
	for (; r == 0 && i < n; i++) {
		int k = group_stmt(p, &ops[i], v, &sql, &none_left[i]);
		if (k < 0)
			r = k;
		else if (k == 0)
			break;
	}
	*to = i;
	if (r == 0 && i == from) {
		mg_buf_release(&sql);
		return 0;
	}
	if (r < 0) {
		mg_buf_release(&sql);
		snprintf(e->state, sizeof e->state, "%s", PQstatus(p->conn) != CONNECTION_OK ? "08006" : "");
		snprintf(e->msg, sizeof e->msg, "%s", mg_error_last());
		return -1;
	}
	p->refused = false;
	int rc = run(p, sql.ptr, e);
	mg_buf_release(&sql);
	if (rc == 0 && !p->refused) {
		/* released apart: a refusal above must still be able to roll the group back */
		if (run(p, "RELEASE SAVEPOINT meshgate_group", e) < 0)
			return -1;
		for (size_t k = from; k < *to; k++)
			results[k].status = MG_OP_OK;
		return 0;
	}
	if (rc == 0) {
		/* took effect only in part: one by one, to say which op changed nothing */
		pg_err e2;
		if (run(p, "ROLLBACK TO SAVEPOINT meshgate_group", &e2) < 0) {
			*e = e2;
			return -1;
		}
		return 1;
	}
	if (mg_pg_classify(e->state, e->msg, MG_PG_BEFORE_COMMIT) != MG_OP_FAILED || PQstatus(p->conn) != CONNECTION_OK)
		return -1;
	pg_err e2;
	if (run(p, "ROLLBACK TO SAVEPOINT meshgate_group", &e2) < 0) {
		*e = e2;
		return -1;
	}
	return 1;
}

static int apply_batch(pg *p, const mg_op *ops, size_t n, mg_op_result *results, bool *none_left)
{
	pg_err e;
	char line[256];
	size_t slow_until = 0; /* ops before it go one by one (a group was refused) */
	mg_pg_view view;
	bool want_view = false;
	memset(&view, 0, sizeof view);
	forget_seen(p);
	for (size_t i = 0; i < n; i++)
		want_view |= needs_view(&ops[i]);
	if (run(p, "BEGIN", &e) < 0)
		goto batch_error;
	if (want_view && mg_pg_view_load(p->conn, ops, n, &p->opt, &view) < 0) {
		snprintf(e.state, sizeof e.state, "%s", PQstatus(p->conn) != CONNECTION_OK ? "08006" : "40001");
		snprintf(e.msg, sizeof e.msg, "%s", mg_error_last());
		mg_error_clear();
		goto batch_error;
	}
	for (size_t i = 0; i < n; i++) {
		if (i >= slow_until) {
			size_t j = i;
			int f = apply_group(p, ops, i, n, &view, results, none_left, &j, &e);
			if (f < 0)
				goto batch_error;
			if (f == 0 && j > i) {
				i = j - 1;
				continue;
			}
			if (f == 1)
				slow_until = j;
		}
		if (run(p, "SAVEPOINT meshgate_op", &e) < 0)
			goto batch_error;
		p->refused = false;
		op_outcome o = do_op(p, &ops[i], &results[i], &e, &none_left[i]);
		if (o == OP_DONE && p->refused) {
			const mg_grant *g = &ops[i].grant;
			snprintf(results[i].message, sizeof results[i].message,
				 "the server %s nothing (%.100s): the applier's role must own %.30s%s%.30s (docs/backends.md)",
				 ops[i].kind == MG_OP_GRANT ? "granted" : "revoked", p->refused_msg,
				 mg_pg_schema_of(&p->opt, g->product), g->table ? "." : "", g->table ? g->table : "");
			o = OP_REFUSED;
		}
		if (o == OP_ERROR) {
			if (PQstatus(p->conn) != CONNECTION_OK || PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
				snprintf(e.state, sizeof e.state, "%s", PQstatus(p->conn) != CONNECTION_OK ? "08006" : "");
				snprintf(e.msg, sizeof e.msg, "%s", mg_error_last());
				mg_error_clear();
				if (!e.state[0]) {
					/* a catalogue read failed inside the transaction: that op fails */
					result(&results[i], MG_OP_FAILED, e.msg);
					if (run(p, "ROLLBACK TO SAVEPOINT meshgate_op", &e) < 0)
						goto batch_error;
					continue;
				}
				goto batch_error;
			}
			run(p, "ROLLBACK", &e);
			mg_pg_view_release(&view);
			return MG_EBACKEND;
		}
		if (o == OP_SQL_ERROR) {
			mg_op_status st = mg_pg_classify(e.state, e.msg, MG_PG_BEFORE_COMMIT);
			if (st != MG_OP_FAILED)
				goto batch_error;
			mg_pg_describe(line, sizeof line, e.state, e.msg, NULL);
			result(&results[i], MG_OP_FAILED, line);
			if (run(p, "ROLLBACK TO SAVEPOINT meshgate_op", &e) < 0)
				goto batch_error;
			continue;
		}
		if (o == OP_REFUSED) {
			results[i].status = MG_OP_FAILED;
			if (run(p, "ROLLBACK TO SAVEPOINT meshgate_op", &e) < 0)
				goto batch_error;
			continue;
		}
		if (run(p, "RELEASE SAVEPOINT meshgate_op", &e) < 0)
			goto batch_error;
		results[i].status = MG_OP_OK;
	}
	mg_pg_view_release(&view);
	/* what meshgate manages, recorded before the commit: a superset of what took effect */
	{
		int r = record_managed(p, ops, n, results, none_left);
		if (r < 0) {
			run(p, "ROLLBACK", &e);
			return r;
		}
	}
	if (run(p, "COMMIT", &e) < 0) {
		mg_op_status st = mg_pg_classify(e.state, e.msg, MG_PG_AT_COMMIT);
		mg_pg_describe(line, sizeof line, e.state, e.msg, "at COMMIT");
		for (size_t i = 0; i < n; i++)
			if (results[i].status == MG_OP_OK)
				result(&results[i], st, line);
		if (mg_pg_connection_lost(e.state, e.msg))
			conn_close(p);
	}
	return 0;
batch_error: {
	mg_pg_view_release(&view);
	mg_op_status st = mg_pg_classify(e.state, e.msg, MG_PG_BEFORE_COMMIT);
	bool lost = mg_pg_connection_lost(e.state, e.msg) || PQstatus(p->conn) != CONNECTION_OK;
	mg_pg_describe(line, sizeof line, e.state, e.msg, NULL);
	if (lost)
		conn_close(p); /* the next call reconnects */
	else {
		pg_err e2;
		run(p, "ROLLBACK", &e2);
	}
	/* the transaction is gone: nothing of it took effect */
	for (size_t i = 0; i < n; i++)
		if (results[i].status != MG_OP_FAILED || !results[i].message[0])
			result(&results[i], st == MG_OP_FAILED ? MG_OP_FAILED : MG_OP_RETRYABLE, line);
	return 0;
}
}

/* ---- reading ---- */

typedef struct {
	const char *role, *schema, *table; /* table NULL: the schema's USAGE */
	bool table_level, used;
	const char **cols;
	size_t ncols, cap;
} held_entry;

static held_entry *held_find(held_entry *v, size_t n, const char *role, const char *schema, const char *table)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].role, role) == 0 && strcmp(v[i].schema, schema) == 0 &&
		    ((!v[i].table && !table) || (v[i].table && table && strcmp(v[i].table, table) == 0)))
			return &v[i];
	return NULL;
}

static int add_unique(const char ***v, size_t *n, size_t *cap, const char *s)
{
	if (listed(*v, *n, s))
		return 0;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		const char **g = realloc((void *)*v, c * sizeof *g);
		if (!g)
			return mg_oom();
		*v = g;
		*cap = c;
	}
	(*v)[(*n)++] = s;
	return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds a postgres grant built from parts; column exposures from rec where it names the column. */
static int emit(mg_grant_set *out, const char *env, const char *role, const char *product, const char *table,
		bool except, const char **cols, size_t ncols, const mg_grant *rec)
{
	unsigned *exp = calloc(ncols + 1, sizeof *exp);
	if (!exp)
		return mg_oom();
	mg_sort((void *)cols, ncols, sizeof *cols, cmp_cstr);
	for (size_t i = 0; rec && i < ncols; i++)
		for (size_t k = 0; k < rec->ncolumns; k++)
			if (strcmp(rec->columns[k], cols[i]) == 0 && rec->column_exposure)
				exp[i] = rec->column_exposure[k];
	mg_grant g;
	memset(&g, 0, sizeof g);
	g.environment = env;
	g.product = product;
	g.principal = role;
	g.channel = MG_CHANNEL_POSTGRES;
	g.table = table;
	g.except = except;
	g.columns = cols;
	g.column_exposure = exp;
	g.ncolumns = ncols;
	g.perms = table ? (MG_PERM_SELECT | MG_PERM_DESCRIBE) : MG_PERM_DESCRIBE;
	g.exposure = rec ? rec->exposure : 0;
	int r = mg_grant_set_add(out, &g);
	free(exp);
	return r;
}

static int pg_read(mg_backend *b, const char *environment, mg_grant_set *out)
{
	pg *p = (pg *)b;
	mg_grant_set rec;
	mg_pg_privs privs, colsv;
	const char **roles = NULL, **schemas = NULL, **products = NULL;
	size_t nroles = 0, croles = 0, nschemas = 0, cschemas = 0, nproducts = 0, cproducts = 0;
	held_entry *held = NULL;
	size_t nheld = 0;
	int r;
	const char *env = environment ? environment : p->environment;
	mg_grant_set_init(&rec);
	memset(&privs, 0, sizeof privs);
	memset(&colsv, 0, sizeof colsv);
	if ((r = p->meta->read_grants(p->meta, env, &rec)) < 0)
		goto done;
	for (size_t i = 0; r == 0 && i < rec.count; i++) {
		r = add_unique(&roles, &nroles, &croles, rec.items[i].principal);
		if (r == 0 && !listed(products, nproducts, rec.items[i].product)) {
			r = add_unique(&products, &nproducts, &cproducts, rec.items[i].product);
			if (r == 0)
				r = add_unique(&schemas, &nschemas, &cschemas, mg_pg_schema_of(&p->opt, rec.items[i].product));
		}
	}
	if (r < 0 || !nroles)
		goto done;
	if ((r = conn_open(p, NULL)) < 0 || (r = mg_pg_read_privs(p->conn, roles, nroles, schemas, nschemas, &privs)) < 0 ||
	    (r = mg_pg_read_columns(p->conn, schemas, nschemas, &colsv)) < 0)
		goto done;
	if (!(held = calloc(privs.count + 1, sizeof *held))) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; r == 0 && i < privs.count; i++) {
		const mg_pg_priv *x = &privs.items[i];
		held_entry *h = held_find(held, nheld, x->role, x->schema, x->table);
		if (!h) {
			h = &held[nheld++];
			h->role = x->role;
			h->schema = x->schema;
			h->table = x->table;
		}
		if (x->kind == MG_PG_PRIV_TABLE)
			h->table_level = true;
		else if (x->kind == MG_PG_PRIV_COLUMN)
			r = add_unique(&h->cols, &h->ncols, &h->cap, x->column);
	}
	/* a table-level SELECT reads every column the table has now */
	for (size_t i = 0; r == 0 && i < nheld; i++) {
		if (!held[i].table_level)
			continue;
		for (size_t k = 0; r == 0 && k < colsv.count; k++)
			if (strcmp(colsv.items[k].schema, held[i].schema) == 0 &&
			    strcmp(colsv.items[k].table, held[i].table) == 0)
				r = add_unique(&held[i].cols, &held[i].ncols, &held[i].cap, colsv.items[k].column);
	}
	/* what meshgate granted, in the form it granted it */
	for (size_t i = 0; r == 0 && i < rec.count; i++) {
		const mg_grant *g = &rec.items[i];
		const char *schema = mg_pg_schema_of(&p->opt, g->product);
		held_entry *h = held_find(held, nheld, g->principal, schema, g->table);
		if (!g->except && (!h || (g->table && !h->ncols)))
			continue;
		if (!g->table && !h)
			continue;
		if (h)
			h->used = true;
		if (!g->table) {
			r = emit(out, env, g->principal, g->product, NULL, false, NULL, 0, g);
			continue;
		}
		if (!g->except) {
			r = emit(out, env, g->principal, g->product, g->table, false, h->cols, h->ncols, g);
			continue;
		}
		/* "all columns except": the table's columns the role cannot read */
		const char **ex = calloc(colsv.count + 1, sizeof *ex);
		size_t nex = 0;
		if (!ex) {
			r = mg_oom();
			break;
		}
		for (size_t k = 0; k < colsv.count; k++)
			if (strcmp(colsv.items[k].schema, schema) == 0 && strcmp(colsv.items[k].table, g->table) == 0 &&
			    !(h && listed(h->cols, h->ncols, colsv.items[k].column)))
				ex[nex++] = colsv.items[k].column;
		/* all but every column reads nothing, but is the grant meshgate made; a table that is
		 * gone has no columns, and "all but none" would say it reads everything: left out */
		if (nex || (h && h->ncols))
			r = emit(out, env, g->principal, g->product, g->table, true, ex, nex, g);
		free(ex);
	}
	/* privileges of managed roles on managed schemas that meshgate did not grant: drift */
	for (size_t i = 0; r == 0 && i < nheld; i++) {
		if (held[i].used || (held[i].table && !held[i].ncols))
			continue;
		const char *product = held[i].schema;
		for (size_t k = 0; k < nproducts; k++)
			if (strcmp(mg_pg_schema_of(&p->opt, products[k]), held[i].schema) == 0) {
				product = products[k];
				break;
			}
		r = emit(out, env, held[i].role, product, held[i].table, false, held[i].cols, held[i].ncols, NULL);
	}
done:
	for (size_t i = 0; i < nheld; i++)
		free((void *)held[i].cols);
	free(held);
	free((void *)roles);
	free((void *)schemas);
	free((void *)products);
	mg_pg_privs_release(&privs);
	mg_pg_privs_release(&colsv);
	mg_grant_set_release(&rec);
	return r < 0 ? r : mg_grant_set_finish(out);
}

/* ---- session ---- */

static int pg_begin(mg_backend *b, const char *environment)
{
	pg *p = (pg *)b;
	(void)environment;
	p->in_session = true;
	int r = conn_open(p, NULL);
	if (r == 0 && !p->locked)
		r = session_setup(p); /* an already-open connection (read_grants) takes the lock now */
	if (r < 0)
		p->in_session = false;
	return r;
}

static int pg_end(mg_backend *b)
{
	pg *p = (pg *)b;
	p->in_session = false;
	conn_close(p); /* closing the session releases the advisory lock */
	return 0;
}

static void pg_free(mg_backend *b)
{
	pg *p = (pg *)b;
	forget_seen(p);
	conn_close(p);
	mg_backend_free(p->meta);
	mg_pg_options_release(&p->opt);
	if (p->dsn) {
		memset(p->dsn, 0, strlen(p->dsn));
		free(p->dsn);
	}
	free(p->where);
	free(p->environment);
	free(p);
}

/*
 * What the backend connects to: the DSN from its environment variable (kept
 * in p->dsn, never shown) or the libpq service; p->where says which for
 * messages, the password masked.
 */
static int connection_target(pg *p, const mg_backend_params *prm)
{
	mg_buf where = MG_BUF_INIT;
	int r;
	if (p->opt.service) {
		r = mg_buf_addf(&where, "service=%s", p->opt.service);
	} else {
		const char *dsn = getenv(p->opt.dsn_env);
		if (!dsn || !*dsn) {
			mg_error_set("postgres backend of environment '%s': the environment variable %s is not set; it "
				     "holds the connection string (never put it in %s), or name a libpq service",
				     prm->environment ? prm->environment : "", p->opt.dsn_env,
				     prm->config_path ? prm->config_path : "meshgate.yaml");
			return MG_EINVALID;
		}
		if (!(p->dsn = strdup(dsn)))
			return mg_oom();
		r = mg_pg_mask_dsn(dsn, &where);
	}
	if (r < 0 || !(p->where = mg_buf_detach(&where, NULL))) {
		mg_buf_release(&where);
		return r < 0 ? r : mg_oom();
	}
	return 0;
}

static const mg_backend pg_backend = {
	.name = "postgres",
	.channels = MG_CHANNEL_BIT(MG_CHANNEL_POSTGRES),
	.max_batch = 500,
	.begin = pg_begin,
	.apply = pg_apply,
	.probe = NULL, /* read_grants is one bulk query */
	.read_grants = pg_read,
	.end = pg_end,
	.free = pg_free,
};

int mg_backend_postgres_create(mg_backend **out, const mg_backend_params *prm)
{
	pg *p = calloc(1, sizeof *p);
	int r;
	*out = NULL;
	if (!p)
		return mg_oom();
	p->base = pg_backend;
	if ((r = mg_pg_options_parse(prm->options, prm->config_path, NULL, &p->opt)) < 0 ||
	    (r = connection_target(p, prm)) < 0 ||
	    (r = mg_backend_remote_state(prm, p->base.name, &p->environment, &p->meta)) < 0) {
		pg_free(&p->base);
		return r;
	}
	*out = &p->base;
	return 0;
}

int mg_backend_postgres_check(const mg_node *options, const char *path, mg_findings *findings)
{
	mg_pg_options o;
	int r = mg_pg_options_parse(options, path, findings, &o);
	mg_pg_options_release(&o);
	return r;
}
