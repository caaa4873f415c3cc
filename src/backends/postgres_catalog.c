/*
 * postgres_catalog.c - what the server says: tables' columns, whether
 * schemas and roles exist, and the privileges of managed roles, read in
 * bulk from pg_catalog (aclexplode over nspacl, relacl and attacl; not
 * information_schema, which shows only the privileges of enabled roles).
 * Every query is parameterised.
 */
#include "meshgate/sort.h"
#include <stdlib.h>
#include <string.h>

#include "backends/postgres_int.h"
#include "meshgate/error.h"

static int query_fail(PGresult *res, PGconn *c, const char *what)
{
	char msg[256];
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	mg_pg_describe(msg, sizeof msg, state, res ? PQresultErrorMessage(res) : PQerrorMessage(c), what);
	mg_error_set("postgres: %s", msg);
	PQclear(res);
	return MG_EBACKEND;
}

int mg_pg_exec(PGconn *c, const char *sql, char sqlstate[6], char *msg, size_t msgcap)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(sqlstate, 6, "%s", state ? state : "");
	const char *m = res ? PQresultErrorMessage(res) : "";
	if (!m || !*m)
		m = PQerrorMessage(c);
	snprintf(msg, msgcap, "%s", m ? m : "");
	PQclear(res);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void mg_pg_table_release(mg_pg_table *t)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		free(t->columns[i]);
	free(t->columns);
	free(t->schema);
	free(t->table);
	memset(t, 0, sizeof *t);
}

int mg_pg_read_table(PGconn *c, const char *schema, const char *table, mg_pg_table *t)
{
	const char *params[2] = { schema, table };
	memset(t, 0, sizeof *t);
	PGresult *res = PQexecParams(c,
				     "SELECT a.attname FROM pg_catalog.pg_class c"
				     " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
				     " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
				     " AND NOT a.attisdropped"
				     " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p','v','m','f')",
				     2, NULL, params, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_fail(res, c, "reading a table's columns");
	int n = PQntuples(res);
	t->exists = n > 0;
	t->schema = strdup(schema);
	t->table = strdup(table);
	t->columns = calloc((size_t)n + 1, sizeof *t->columns);
	if (!t->schema || !t->table || !t->columns) {
		PQclear(res);
		mg_pg_table_release(t);
		return mg_oom();
	}
	for (int i = 0; i < n; i++) {
		if (PQgetisnull(res, i, 0))
			continue; /* a table without columns */
		if (!(t->columns[t->ncolumns++] = strdup(PQgetvalue(res, i, 0)))) {
			PQclear(res);
			mg_pg_table_release(t);
			return mg_oom();
		}
	}
	PQclear(res);
	mg_sort(t->columns, t->ncolumns, sizeof *t->columns, cmp_str);
	return 0;
}

int mg_pg_exists(PGconn *c, bool role, const char *name, bool *exists)
{
	const char *params[1] = { name };
	PGresult *res = PQexecParams(c,
				     role ? "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1"
					  : "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
				     1, NULL, params, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_fail(res, c, role ? "looking up a role" : "looking up a schema");
	*exists = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

void mg_pg_privs_release(mg_pg_privs *p)
{
	free(p->items);
	mg_arena_free(&p->arena);
	memset(p, 0, sizeof *p);
}

static int privs_push(mg_pg_privs *p, mg_pg_priv_kind kind, const char *role, const char *schema,
		      const char *table, const char *column)
{
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		mg_pg_priv *grown = realloc(p->items, cap * sizeof *grown);
		if (!grown)
			return mg_oom();
		p->items = grown;
		p->cap = cap;
	}
	mg_pg_priv *x = &p->items[p->count];
	x->kind = kind;
	x->role = role ? mg_arena_strdup(&p->arena, role) : NULL;
	x->schema = mg_arena_strdup(&p->arena, schema);
	x->table = table ? mg_arena_strdup(&p->arena, table) : NULL;
	x->column = column ? mg_arena_strdup(&p->arena, column) : NULL;
	if ((role && !x->role) || !x->schema || (table && !x->table) || (column && !x->column))
		return mg_oom();
	p->count++;
	return 0;
}

/* Runs sql with $1 = roles[] (text[]) and $2 = schemas[], rows (kind, role, schema, table, column). */
static int read_rows(PGconn *c, const char *sql, const char *const *roles, size_t nroles, const char *const *schemas,
		     size_t nschemas, mg_pg_privs *out, bool with_role)
{
	mg_buf ra = MG_BUF_INIT, sa = MG_BUF_INIT;
	int r;
	if ((r = mg_pg_text_array(&ra, roles, nroles)) < 0 || (r = mg_pg_text_array(&sa, schemas, nschemas)) < 0) {
		mg_buf_release(&ra);
		mg_buf_release(&sa);
		return r;
	}
	const char *params[2] = { ra.ptr, sa.ptr };
	PGresult *res = with_role ? PQexecParams(c, sql, 2, NULL, params, NULL, NULL, 0)
				  : PQexecParams(c, sql, 1, NULL, params + 1, NULL, NULL, 0);
	mg_buf_release(&ra);
	mg_buf_release(&sa);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_fail(res, c, "reading privileges");
	int n = PQntuples(res);
	for (int i = 0; i < n && r == 0; i++) {
		const char *k = PQgetvalue(res, i, 0);
		mg_pg_priv_kind kind = k[0] == 'u' ? MG_PG_PRIV_USAGE : k[0] == 't' ? MG_PG_PRIV_TABLE : MG_PG_PRIV_COLUMN;
		r = privs_push(out, kind, PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			       PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
			       PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4));
	}
	PQclear(res);
	return r;
}

int mg_pg_read_privs(PGconn *c, const char *const *roles, size_t nroles, const char *const *schemas,
		     size_t nschemas, mg_pg_privs *out)
{
	static const char sql[] =
		"SELECT 'u', r.rolname, n.nspname, NULL::name, NULL::name"
		" FROM pg_catalog.pg_namespace n, LATERAL aclexplode(n.nspacl) x"
		" JOIN pg_catalog.pg_roles r ON r.oid = x.grantee"
		" WHERE x.privilege_type = 'USAGE' AND n.nspname = ANY($2::text[]) AND r.rolname = ANY($1::text[])"
		" UNION ALL"
		" SELECT 't', r.rolname, n.nspname, c.relname, NULL::name"
		" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,"
		" LATERAL aclexplode(c.relacl) x JOIN pg_catalog.pg_roles r ON r.oid = x.grantee"
		" WHERE x.privilege_type = 'SELECT' AND c.relkind IN ('r','p','v','m','f')"
		" AND n.nspname = ANY($2::text[]) AND r.rolname = ANY($1::text[])"
		" UNION ALL"
		" SELECT 'c', r.rolname, n.nspname, c.relname, a.attname"
		" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,"
		" LATERAL aclexplode(a.attacl) x JOIN pg_catalog.pg_roles r ON r.oid = x.grantee"
		" WHERE x.privilege_type = 'SELECT' AND c.relkind IN ('r','p','v','m','f')"
		" AND n.nspname = ANY($2::text[]) AND r.rolname = ANY($1::text[])"
		" ORDER BY 2, 3, 4, 5";
	if (!nroles || !nschemas)
		return 0;
	return read_rows(c, sql, roles, nroles, schemas, nschemas, out, true);
}

int mg_pg_read_columns(PGconn *c, const char *const *schemas, size_t nschemas, mg_pg_privs *out)
{
	static const char sql[] =
		"SELECT 'c', NULL::name, n.nspname, c.relname, a.attname"
		" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
		" WHERE c.relkind IN ('r','p','v','m','f') AND n.nspname = ANY($1::text[])"
		" ORDER BY 3, 4, 5";
	if (!nschemas)
		return 0;
	return read_rows(c, sql, NULL, 0, schemas, nschemas, out, false);
}
