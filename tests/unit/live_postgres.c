/*
 * live_postgres.c - the postgres backend against a real server, run by
 * tests/cli/pg-live.sh (which starts the server, creates the roles and
 * tables below and sets MESHGATE_POSTGRES_DSN to a role owning them):
 *
 *   - the backend contract (tests/unit/lib/contract.c), all-except grants too;
 *   - a property test: random desired states in sequence, each applied as the
 *     plan from the previous one; after each, the server's real column
 *     privileges (has_column_privilege for every managed role, table and
 *     column) are exactly the model's desired state, and read_grants gives
 *     the desired set back (no drift);
 *   - names with quotes, spaces, unicode and SQL metacharacters are quoted,
 *     never injected;
 *   - a connection dropped between calls (pg_terminate_backend) is
 *     retryable, and the next call reconnects and applies.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_int.h"
#include "backends/postgres_int.h"
#include "lib/contract.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "mgt.h"

static mg_doc *opts_doc;
static char state_dir[512];

static mg_backend *open_pg(void *ctx)
{
	(void)ctx;
	return mgt_backend_from("postgres", opts_doc, state_dir);
}

static void setup(const char *yaml)
{
	mgt_backend_options(&opts_doc, yaml);
	snprintf(state_dir, sizeof state_dir, "%s", mgt_scratch());
}

static PGconn *admin(void)
{
	PGconn *c = PQconnectdb(getenv("MESHGATE_POSTGRES_ADMIN_DSN"));
	MGT_CHECK(PQstatus(c) == CONNECTION_OK);
	return c;
}

static void test_contract(void)
{
	setup("type: postgres\n");
	mgt_contract_fixture fx = { "prod", "dev", "contract_p", "t", { "a", "b", "c" }, { "c_one", "c_two" },
				    MG_CHANNEL_POSTGRES, true };
	mgt_backend_contract("postgres", open_pg, NULL, &fx);
}

/* ---- the property test ---- */

static const char *const ptables[2] = { "t1", "t2" };
static const char *const pcols[2][4] = { { "a", "b", "c", "d" }, { "x", "y", "z", NULL } };
static const char *const proles[3] = { "p_r1", "p_r2", "p_r3" };

static mgt_world world = { "prod", "prop", MG_CHANNEL_POSTGRES, { "t1", "t2" },
			   { { "a", "b", "c", "d" }, { "x", "y", "z", NULL } }, { "p_r1", "p_r2", "p_r3" },
			   88172645463325252ull };

/* Whether the desired state lets role read table.column. */
static bool wants(const mg_grant_set *s, const char *role, const char *table, const char *column)
{
	for (size_t i = 0; i < s->count; i++) {
		const mg_grant *g = &s->items[i];
		if (strcmp(g->principal, role) != 0 || !g->table || strcmp(g->table, table) != 0)
			continue;
		bool listed = false;
		for (size_t k = 0; k < g->ncolumns; k++)
			listed |= strcmp(g->columns[k], column) == 0;
		return g->except ? !listed : listed;
	}
	return false;
}

static bool wants_usage(const mg_grant_set *s, const char *role)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i].principal, role) == 0 && !s->items[i].table)
			return true;
	return false;
}

static void check_server(PGconn *c, const mg_grant_set *want, int step)
{
	for (int r = 0; r < 3; r++) {
		const char *p1[2] = { proles[r], "prop" };
		PGresult *u = PQexecParams(c, "SELECT has_schema_privilege($1, $2, 'USAGE')", 2, NULL, p1, NULL, NULL, 0);
		MGT_CHECK(PQresultStatus(u) == PGRES_TUPLES_OK);
		bool got_u = PQresultStatus(u) == PGRES_TUPLES_OK && strcmp(PQgetvalue(u, 0, 0), "t") == 0;
		if (got_u != wants_usage(want, proles[r]))
			fprintf(stderr, "step %d: %s USAGE is %d\n", step, proles[r], got_u);
		MGT_CHECK(got_u == wants_usage(want, proles[r]));
		PQclear(u);
		for (int t = 0; t < 2; t++)
			for (int k = 0; k < 4 && pcols[t][k]; k++) {
				char tbl[32];
				snprintf(tbl, sizeof tbl, "prop.%s", ptables[t]);
				const char *p[3] = { proles[r], tbl, pcols[t][k] };
				PGresult *res = PQexecParams(c, "SELECT has_column_privilege($1, $2, $3, 'SELECT')", 3, NULL, p,
							     NULL, NULL, 0);
				MGT_CHECK(PQresultStatus(res) == PGRES_TUPLES_OK);
				bool got = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
				bool w = wants(want, proles[r], ptables[t], pcols[t][k]);
				if (got != w)
					fprintf(stderr, "step %d: %s on %s.%s: server %d, model %d\n", step, proles[r], tbl,
						pcols[t][k], got, w);
				MGT_CHECK(got == w);
				PQclear(res);
			}
	}
	/* nothing table-level, ever */
	PGresult *res = PQexec(c, "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) x JOIN pg_roles r ON r.oid = "
				  "x.grantee WHERE r.rolname LIKE 'p\\_r%' AND x.privilege_type = 'SELECT'");
	MGT_EQ_STR(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
}

static void test_property_random_edits(void)
{
	setup("type: postgres\n");
	mg_backend *b = open_pg(NULL);
	PGconn *c = admin();
	mg_grant_set prev;
	mg_grant_set_init(&prev);
	MGT_EQ_INT(mg_grant_set_finish(&prev), 0);
	MGT_EQ_INT(b->begin(b, "prod"), 0);
	for (int step = 0; step < 40; step++) {
		mgt_random_step(&world, b, &prev);
		check_server(c, &prev, step);
		/* read back: exactly the desired set, so drift is empty */
		MGT_EQ_INT((int)mgt_drift_count(b, "prod", &prev, step), 0);
	}
	MGT_EQ_INT(b->end(b), 0);
	mg_grant_set_release(&prev);
	mg_backend_free(b);
	PQfinish(c);
}

/* ---- names ---- */

static void test_hostile_names(void)
{
	/* created by pg-live.sh: schema, table, columns and role with quotes, spaces, unicode, SQL */
	setup("type: postgres\nschemas:\n  weird_product: \"we\\\"ird sch; --\"\n");
	mg_backend *b = open_pg(NULL);
	PGconn *c = admin();
	unsigned zero[2] = { 0 };
	const char *cols[1] = { "c\"ol ü" };
	mg_plan plan;
	mg_plan_init(&plan);
	mg_grant_set from, to;
	mg_grant_set_init(&from);
	mg_grant_set_init(&to);
	mg_grant db = { .environment = "prod", .product = "weird_product", .principal = "r'ole \"x\"; DROP ROLE owner --",
			.channel = MG_CHANNEL_POSTGRES, .perms = MG_PERM_DESCRIBE, .column_exposure = zero };
	mg_grant g = db;
	g.table = "tä ble); DROP TABLE x; --";
	g.columns = cols;
	g.ncolumns = 1;
	g.perms = MG_PERM_SELECT | MG_PERM_DESCRIBE;
	MGT_EQ_INT(mg_grant_set_add(&to, &db), 0);
	MGT_EQ_INT(mg_grant_set_add(&to, &g), 0);
	MGT_EQ_INT(mg_grant_set_finish(&from), 0);
	MGT_EQ_INT(mg_grant_set_finish(&to), 0);
	MGT_EQ_INT(mg_plan_diff(&from, &to, &plan), 0);
	MGT_EQ_INT(b->begin(b, "prod"), 0);
	mgt_apply_all(b, &plan);
	const char *q = "SELECT has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT'),"
			" (SELECT count(*) FROM pg_class WHERE relname = 'x'), (SELECT count(*) FROM pg_roles WHERE rolname = 'owner')"
			" FROM pg_roles r, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			" JOIN pg_attribute a ON a.attrelid = c.oid"
			" WHERE r.rolname = $1 AND n.nspname = $2 AND c.relname = $3 AND a.attname = $4";
	const char *p[4] = { db.principal, "we\"ird sch; --", g.table, cols[0] };
	PGresult *res = PQexecParams(c, q, 4, NULL, p, NULL, NULL, 0);
	MGT_EQ_INT(PQntuples(res), 1);
	if (PQntuples(res) == 1) {
		MGT_EQ_STR(PQgetvalue(res, 0, 0), "t");
		MGT_EQ_STR(PQgetvalue(res, 0, 1), "1"); /* the decoy table x is still there */
		MGT_EQ_STR(PQgetvalue(res, 0, 2), "1");
	}
	PQclear(res);
	/* and it reads back under the same names */
	mg_grant_set actual;
	mg_grant_set_init(&actual);
	MGT_EQ_INT(b->read_grants(b, "prod", &actual), 0);
	const mg_grant *got = mg_grant_set_find(&actual, &g);
	MGT_CHECK(got != NULL && got->ncolumns == 1 && strcmp(got->columns[0], cols[0]) == 0);
	mg_grant_set_release(&actual);
	MGT_EQ_INT(b->end(b), 0);
	mg_plan_release(&plan);
	mg_grant_set_release(&from);
	mg_grant_set_release(&to);
	mg_backend_free(b);
	PQfinish(c);
}

/* ---- a dropped connection ---- */

static void test_connection_dropped(void)
{
	setup("type: postgres\n");
	mg_backend *b = open_pg(NULL);
	PGconn *c = admin();
	unsigned zero[1] = { 0 };
	mg_op op;
	memset(&op, 0, sizeof op);
	op.kind = MG_OP_GRANT;
	op.grant = (mg_grant){ .environment = "prod", .product = "contract_p", .principal = "c_one",
			       .channel = MG_CHANNEL_POSTGRES, .perms = MG_PERM_DESCRIBE, .column_exposure = zero };
	snprintf(op.key, sizeof op.key, "0123456789abcdef");
	mg_op_result res;
	MGT_EQ_INT(b->begin(b, "prod"), 0);
	MGT_EQ_INT(b->apply(b, &op, 1, &res), 0);
	MGT_EQ_INT(res.status, MG_OP_OK);
	PGresult *k = PQexec(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
				"WHERE application_name = 'meshgate' AND pid <> pg_backend_pid()");
	MGT_EQ_STR(PQgetvalue(k, 0, 0), "1");
	PQclear(k);
	op.kind = MG_OP_REVOKE;
	memset(&res, 0, sizeof res);
	MGT_EQ_INT(b->apply(b, &op, 1, &res), 0);
	MGT_CHECK(res.status == MG_OP_RETRYABLE || res.status == MG_OP_UNKNOWN);
	MGT_CHECK(res.message[0] != '\0');
	MGT_EQ_INT(b->apply(b, &op, 1, &res), 0); /* reconnected, lock taken again */
	MGT_EQ_INT(res.status, MG_OP_OK);
	PGresult *u = PQexec(c, "SELECT has_schema_privilege('c_one', 'contract_p', 'USAGE')");
	MGT_EQ_STR(PQgetvalue(u, 0, 0), "f");
	PQclear(u);
	MGT_EQ_INT(b->end(b), 0);
	mg_backend_free(b);
	PQfinish(c);
}

int main(int argc, char **argv)
{
	if (!getenv("MESHGATE_POSTGRES_DSN") || !getenv("MESHGATE_POSTGRES_ADMIN_DSN")) {
		fprintf(stderr, "SKIP: run by tests/cli/pg-live.sh, which starts the server\n");
		return 77;
	}
	static const mgt_case cases[] = { { "test_contract", test_contract },
					  { "test_property_random_edits", test_property_random_edits },
					  { "test_hostile_names", test_hostile_names },
					  { "test_connection_dropped", test_connection_dropped } };
	int r = mgt_run(cases, sizeof cases / sizeof cases[0], argc, argv);
	mg_doc_free(opts_doc);
	return r;
}
