/*
 * test_postgres.c - the postgres backend's plain-C parts, in every build:
 * DSN masking, the sslmode default, identifier quoting against injection,
 * the exact SQL text, SQLSTATE mapping, and meshgate.yaml options (a
 * connection string or password there is refused).  The server-side
 * behaviour is proven by tests/cli/t0080-postgres.sh and
 * tests/unit/live_postgres.c on a real server.
 */
#include <string.h>

#include "backends/postgres_int.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "mgt.h"

static char masked[1024];

static const char *mask(const char *dsn)
{
	mg_buf b = MG_BUF_INIT;
	MGT_EQ_INT(mg_pg_mask_dsn(dsn, &b), 0);
	snprintf(masked, sizeof masked, "%s", b.ptr ? b.ptr : "");
	mg_buf_release(&b);
	return masked;
}

static void test_mask_keyvalue(void)
{
	MGT_EQ_STR(mask("host=db port=5432 user=app password=s3cret dbname=x"),
		   "host=db port=5432 user=app password=**** dbname=x");
	MGT_EQ_STR(mask("host=db password = 'it\\'s a secret' user=app"), "host=db password=**** user=app");
	/* not libpq's syntax after the quote: the rest is never shown */
	MGT_EQ_STR(mask("host=db password='it''s secret' user=app"), "host=db password=**** ...");
	MGT_EQ_STR(mask("PASSWORD=abc"), "PASSWORD=****");
	MGT_EQ_STR(mask("host=db password='unterminated secret"), "host=db password=...");
	MGT_EQ_STR(mask("garbage secret"), "...");
	MGT_EQ_STR(mask("host=db user=app"), "host=db user=app");
	MGT_CHECK(strstr(mask("host=db\npassword=zz9"), "zz9") == NULL);
	MGT_EQ_STR(mask(NULL), "(none)");
}

static void test_mask_uri(void)
{
	MGT_EQ_STR(mask("postgresql://app:s3cret@db.example.com:5432/sales?sslmode=verify-full"),
		   "postgresql://app:****@db.example.com:5432/sales?sslmode=verify-full");
	MGT_EQ_STR(mask("postgres://app:p@ss@w0rd@db/sales"), "postgres://app:****@db/sales");
	MGT_EQ_STR(mask("postgresql://app@db/sales?password=s3cret&application_name=x"),
		   "postgresql://app@db/sales?password=****&application_name=x");
	MGT_EQ_STR(mask("postgresql://db/sales?pass%77ord=s3cret"), "postgresql://db/sales?pass%77ord=****");
	MGT_EQ_STR(mask("postgresql:///sales?host=/var/run/postgresql"), "postgresql:///sales?host=/var/run/postgresql");
	/* a long DSN is cut, never shown past the limit */
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "host=", 5);
	memcpy(big + 1500, " password=zz", 12);
	MGT_CHECK(strstr(mask(big), "zz") == NULL);
}

static void test_sslmode_default(void)
{
	mg_pg_options o;
	memset(&o, 0, sizeof o);
	MGT_EQ_STR(mg_pg_sslmode(&o, "db.example.com", NULL, NULL), "verify-full");
	MGT_EQ_STR(mg_pg_sslmode(&o, "localhost,db.example.com", NULL, NULL), "verify-full");
	MGT_CHECK(mg_pg_sslmode(&o, "/var/run/postgresql", NULL, NULL) == NULL);
	MGT_CHECK(mg_pg_sslmode(&o, "127.0.0.1", NULL, NULL) == NULL);
	MGT_CHECK(mg_pg_sslmode(&o, "::1", NULL, NULL) == NULL);
	MGT_CHECK(mg_pg_sslmode(&o, "localhost", NULL, NULL) == NULL);
	MGT_CHECK(mg_pg_sslmode(&o, NULL, NULL, NULL) == NULL); /* the default socket */
	MGT_CHECK(mg_pg_sslmode(&o, "db.example.com", "require", NULL) == NULL); /* the DSN says */
	MGT_CHECK(mg_pg_sslmode(&o, "db.example.com", NULL, "verify-ca") == NULL); /* PGSSLMODE says */
	o.sslmode = "require";
	MGT_EQ_STR(mg_pg_sslmode(&o, "db.example.com", "disable", NULL), "require");
	o.sslmode = NULL;
	o.service = "prod";
	MGT_EQ_STR(mg_pg_sslmode(&o, NULL, NULL, NULL), "verify-full");
}

static const char *sql(mg_pg_stmt kind, const char *schema, const char *table, const char *const *cols, size_t n,
		       const char *role)
{
	mg_buf b = MG_BUF_INIT;
	int r = mg_pg_build(&b, kind, schema, table, cols, n, role, mg_pg_quote_ident, NULL);
	snprintf(masked, sizeof masked, "%s", r == 0 && b.ptr ? b.ptr : "(refused)");
	mg_buf_release(&b);
	mg_error_clear();
	return masked;
}

static void test_sql_text(void)
{
	const char *cols[] = { "amount", "order_id" };
	MGT_EQ_STR(sql(MG_PG_GRANT_USAGE, "shop", NULL, NULL, 0, "analyst"), "GRANT USAGE ON SCHEMA \"shop\" TO \"analyst\"");
	MGT_EQ_STR(sql(MG_PG_REVOKE_USAGE, "shop", NULL, NULL, 0, "analyst"),
		   "REVOKE USAGE ON SCHEMA \"shop\" FROM \"analyst\"");
	MGT_EQ_STR(sql(MG_PG_GRANT_COLUMNS, "shop", "orders", cols, 2, "analyst"),
		   "GRANT SELECT (\"amount\", \"order_id\") ON TABLE \"shop\".\"orders\" TO \"analyst\"");
	MGT_EQ_STR(sql(MG_PG_REVOKE_COLUMNS, "shop", "orders", cols, 1, "analyst"),
		   "REVOKE SELECT (\"amount\") ON TABLE \"shop\".\"orders\" FROM \"analyst\"");
	MGT_EQ_STR(sql(MG_PG_REVOKE_TABLE, "shop", "orders", NULL, 0, "analyst"),
		   "REVOKE SELECT ON TABLE \"shop\".\"orders\" FROM \"analyst\"");
	/* a column grant needs columns: never widened into a table-level one */
	MGT_EQ_STR(sql(MG_PG_GRANT_COLUMNS, "shop", "orders", cols, 0, "analyst"), "(refused)");
}

static void test_quoting(void)
{
	const char *cols[] = { "a\"b", "ü ñ" };
	MGT_EQ_STR(sql(MG_PG_GRANT_COLUMNS, "we\"ird sch", "t; DROP TABLE x --", cols, 2, "r'ole \"x\""),
		   "GRANT SELECT (\"a\"\"b\", \"ü ñ\") ON TABLE \"we\"\"ird sch\".\"t; DROP TABLE x --\" TO \"r'ole \"\"x\"\"\"");
	MGT_EQ_STR(sql(MG_PG_GRANT_USAGE, "", NULL, NULL, 0, "r"), "(refused)");
	MGT_EQ_STR(sql(MG_PG_GRANT_USAGE, "s\nx", NULL, NULL, 0, "r"), "(refused)");
	MGT_EQ_STR(sql(MG_PG_GRANT_USAGE, "s", NULL, NULL, 0, "\xff\xfe"), "(refused)");
	char longname[70];
	memset(longname, 'x', 64);
	longname[64] = '\0';
	MGT_EQ_STR(sql(MG_PG_GRANT_USAGE, longname, NULL, NULL, 0, "r"), "(refused)"); /* the server would truncate it */
	longname[63] = '\0';
	MGT_CHECK(strcmp(sql(MG_PG_GRANT_USAGE, longname, NULL, NULL, 0, "r"), "(refused)") != 0);
	mg_buf b = MG_BUF_INIT;
	const char *items[] = { "a\"b", "c\\d", "e,f" };
	MGT_EQ_INT(mg_pg_text_array(&b, items, 3), 0);
	MGT_EQ_STR(b.ptr, "{\"a\\\"b\",\"c\\\\d\",\"e,f\"}");
	mg_buf_release(&b);
}

static void test_sqlstates(void)
{
	MGT_EQ_INT(mg_pg_classify("40001", "could not serialize access", MG_PG_BEFORE_COMMIT), MG_OP_RETRYABLE);
	MGT_EQ_INT(mg_pg_classify("40P01", "deadlock detected", MG_PG_BEFORE_COMMIT), MG_OP_RETRYABLE);
	MGT_EQ_INT(mg_pg_classify("40001", "could not serialize access", MG_PG_AT_COMMIT), MG_OP_RETRYABLE);
	MGT_EQ_INT(mg_pg_classify("55P03", "lock timeout", MG_PG_BEFORE_COMMIT), MG_OP_RETRYABLE);
	MGT_EQ_INT(mg_pg_classify("53300", "too many connections", MG_PG_BEFORE_COMMIT), MG_OP_RETRYABLE);
	MGT_EQ_INT(mg_pg_classify("08006", "connection failure", MG_PG_BEFORE_COMMIT), MG_OP_RETRYABLE);
	MGT_EQ_INT(mg_pg_classify("57P01", "terminating connection due to administrator command", MG_PG_BEFORE_COMMIT),
		   MG_OP_RETRYABLE);
	/* the connection lost once COMMIT was sent: it may or may not have committed */
	MGT_EQ_INT(mg_pg_classify("", "server closed the connection unexpectedly", MG_PG_AT_COMMIT), MG_OP_UNKNOWN);
	MGT_EQ_INT(mg_pg_classify(NULL, "no connection to the server", MG_PG_AT_COMMIT), MG_OP_UNKNOWN);
	MGT_EQ_INT(mg_pg_classify("57P01", "terminating connection", MG_PG_AT_COMMIT), MG_OP_UNKNOWN);
	MGT_EQ_INT(mg_pg_classify("42501", "permission denied for table orders", MG_PG_BEFORE_COMMIT), MG_OP_FAILED);
	MGT_EQ_INT(mg_pg_classify("42P01", "relation \"shop.x\" does not exist", MG_PG_BEFORE_COMMIT), MG_OP_FAILED);
	MGT_EQ_INT(mg_pg_classify("42704", "role \"ghost\" does not exist", MG_PG_AT_COMMIT), MG_OP_FAILED);
	MGT_EQ_INT(mg_pg_classify("3F000", "schema \"x\" does not exist", MG_PG_BEFORE_COMMIT), MG_OP_FAILED);
	MGT_EQ_INT(mg_pg_classify("42703", "column \"x\" does not exist", MG_PG_BEFORE_COMMIT), MG_OP_FAILED);
	MGT_EQ_INT(mg_pg_classify("ZZ", "odd", MG_PG_BEFORE_COMMIT), MG_OP_FAILED);
	char out[256];
	mg_pg_describe(out, sizeof out, "42704", "ERROR:  role \"ghost\" does not exist\n", NULL);
	MGT_EQ_STR(out, "42704 role \"ghost\" does not exist; meshgate never creates roles: create the consumer's "
			"postgres-role, or fix the catalogue");
	mg_pg_describe(out, sizeof out, "42501", "permission denied for table orders", "granting");
	MGT_EQ_STR(out, "granting: 42501 permission denied for table orders; the role meshgate connects as (or its "
			"`role:`) must own the managed schemas and tables");
	/* one line, cut on a UTF-8 boundary */
	mg_pg_describe(out, 12, "42P01", "relation \"\xc3\xa9\xc3\xa9\xc3\xa9\"\n\tdoes not exist", NULL);
	MGT_CHECK(strchr(out, '\n') == NULL && strchr(out, '\t') == NULL);
	MGT_CHECK(strlen(out) < 12);
	size_t n = strlen(out);
	MGT_CHECK(n == 0 || ((unsigned char)out[n - 1] & 0xc0) != 0xc0);
}

static int parse_opts(const char *yaml, mg_findings *f, mg_pg_options *o, mg_doc **doc)
{
	MGT_EQ_INT(mg_doc_parse_yaml(doc, "meshgate.yaml", yaml, strlen(yaml), NULL, NULL), 0);
	return mg_pg_options_parse(*doc ? (*doc)->root : NULL, "meshgate.yaml", f, o);
}

static void test_options(void)
{
	mg_findings f;
	mg_pg_options o;
	mg_doc *doc = NULL;
	mg_findings_init(&f);
	MGT_EQ_INT(parse_opts("type: postgres\nschemas: {shop_orders: shop}\nrole: owner\nsslmode: require\n", &f, &o, &doc), 0);
	MGT_EQ_INT((int)f.count, 0);
	MGT_EQ_STR(o.dsn_env, MG_PG_DSN_ENV_DEFAULT);
	MGT_EQ_STR(mg_pg_schema_of(&o, "shop_orders"), "shop");
	MGT_EQ_STR(mg_pg_schema_of(&o, "customer_profiles"), "customer_profiles");
	MGT_EQ_STR(o.role, "owner");
	mg_pg_options_release(&o);
	mg_doc_free(doc);
	/* a connection string or password in the repository is refused, with what to do instead */
	MGT_EQ_INT(parse_opts("type: postgres\ndsn: host=db password=s3cret\npassword: s3cret\nsslmode: sometimes\n"
			      "dsn-env: 1BAD\nfoo: 1\n",
			      &f, &o, &doc),
		   0);
	MGT_EQ_INT((int)f.count, 5);
	for (size_t i = 0; i < f.count; i++) {
		MGT_CHECK(strstr(f.items[i].message, "s3cret") == NULL);
		MGT_EQ_INT(f.items[i].rule, MG_RULE_CONFIG);
	}
	MGT_CHECK(strstr(f.items[0].message, "never come from the repository") != NULL);
	MGT_CHECK(strstr(f.items[4].message, "unknown option 'foo'") != NULL);
	mg_pg_options_release(&o);
	mg_doc_free(doc);
	mg_findings_release(&f);
}

/* Without findings the first problem is the error, what apply sees: each refused entry and its message. */
static void test_refused_options(void)
{
	static const struct {
		const char *yaml, *error;
	} cases[] = {
		{ "dsn-env: PG_DSN\nservice: shop\n", "meshgate.yaml: postgres: give dsn-env or service, not both" },
		{ "connect-timeout: 601\n", "meshgate.yaml: postgres: connect-timeout is a number of seconds from 1 to 600" },
		{ "connect-timeout: 2.5\n", "meshgate.yaml: postgres: connect-timeout is a number of seconds from 1 to 600" },
		{ "schemas: shop\n", "meshgate.yaml: postgres: schemas maps data-product names to schema names (at "
				     "most 4096 entries)" },
		{ "schemas: {shop_orders: shop, customer_profiles: 7}\n",
		  "meshgate.yaml: postgres: the schema of product 'customer_profiles' must be a name of 1 to 63 bytes "
		  "without control characters" },
		{ "schemas: {shop_orders: a234567890123456789012345678901234567890123456789012345678901234}\n",
		  "meshgate.yaml: postgres: the schema of product 'shop_orders' must be a name of 1 to 63 bytes "
		  "without control characters" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char yaml[512];
		mg_pg_options o;
		mg_doc *doc = NULL;
		snprintf(yaml, sizeof yaml, "type: postgres\n%s", cases[i].yaml);
		MGT_EQ_INT(parse_opts(yaml, NULL, &o, &doc), MG_EINVALID);
		MGT_EQ_STR(mg_error_last(), cases[i].error);
		mg_error_clear();
		mg_pg_options_release(&o);
		mg_doc_free(doc);
	}
	/* the limits themselves are taken: a 63-byte schema, 600 seconds */
	mg_pg_options o;
	mg_doc *doc = NULL;
	MGT_EQ_INT(parse_opts("connect-timeout: 600\n"
			      "schemas: {shop_orders: a23456789012345678901234567890123456789012345678901234567890123}\n",
			      NULL, &o, &doc),
		   0);
	MGT_EQ_INT((int)strlen(mg_pg_schema_of(&o, "shop_orders")), 63);
	MGT_EQ_INT(o.connect_timeout_s, 600);
	mg_pg_options_release(&o);
	mg_doc_free(doc);
}

MGT_MAIN(test_mask_keyvalue, test_mask_uri, test_sslmode_default, test_sql_text, test_quoting, test_sqlstates,
	 test_options, test_refused_options)
