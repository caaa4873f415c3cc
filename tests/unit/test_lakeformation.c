/*
 * test_lakeformation.c - the lakeformation backend's plain-C parts, in
 * every build: meshgate.yaml options (credentials there are refused, http
 * only to loopback), the exact request bodies - checked member by member
 * against the Lake Formation API model (tests/data/aws-models) - and
 * reading Failures and ListPermissions pages, bounded.  The backend
 * against a Lake Formation endpoint is proven by tests/cli/t0085-lakeformation.sh.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backends/backends_int.h"
#include "backends/lakeformation_int.h"
#include "meshgate/buf.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "mgt.h"

static int parse_opts(const char *yaml, mg_findings *f, mg_lf_options *o, mg_doc **doc)
{
	*doc = NULL;
	MGT_EQ_INT(mg_doc_parse_yaml(doc, "meshgate.yaml", yaml, strlen(yaml), NULL, NULL), 0);
	return mg_lf_options_parse(*doc ? (*doc)->root : NULL, "meshgate.yaml", f, o);
}

static void test_options(void)
{
	mg_findings f;
	mg_lf_options o;
	mg_doc *doc;
	mg_findings_init(&f);
	MGT_EQ_INT(parse_opts("type: lakeformation\nregion: eu-west-1\ncatalog-id: \"111122223333\"\n"
			      "role-arn: arn:aws:iam::111122223333:role/meshgate\nexternal-id: x-42\n"
			      "endpoint-url: http://127.0.0.1:5000\ndatabases: {shop_orders: shop}\n",
			      &f, &o, &doc),
		   0);
	MGT_EQ_INT((int)f.count, 0);
	MGT_EQ_STR(o.region, "eu-west-1");
	MGT_EQ_STR(o.catalog_id, "111122223333");
	MGT_EQ_STR(o.role_arn, "arn:aws:iam::111122223333:role/meshgate");
	MGT_EQ_STR(mg_lf_database_of(&o, "shop_orders"), "shop");
	MGT_EQ_STR(mg_lf_database_of(&o, "customer_profiles"), "customer_profiles");
	MGT_EQ_INT((int)o.mode, (int)MG_LF_NAMED);
	mg_lf_options_release(&o);
	mg_doc_free(doc);

	/* credentials in the repository, a bad account, an unknown option, a mode not driven */
	MGT_EQ_INT(parse_opts("type: lakeformation\nregion: eu-west-1\ncatalog-id: 1234\n"
			      "secret-access-key: wJalrXUtnFEMI/K7MDENG\naws_session_token: FQoGZXIvYXdzEXAMPLE\n"
			      "mode: lf-tags\nfoo: 1\nrole-arn: arn:aws:s3:::bucket\n",
			      &f, &o, &doc),
		   0);
	MGT_EQ_INT((int)f.count, 6);
	for (size_t i = 0; i < f.count; i++) {
		MGT_CHECK(strstr(f.items[i].message, "wJalrXUtnFEMI") == NULL);
		MGT_CHECK(strstr(f.items[i].message, "FQoGZXIvYXdz") == NULL);
		MGT_EQ_INT(f.items[i].rule, MG_RULE_CONFIG);
	}
	MGT_CHECK(strstr(f.items[0].message, "12-digit") != NULL);
	MGT_CHECK(strstr(f.items[1].message, "never come from the repository") != NULL);
	MGT_CHECK(strstr(f.items[3].message, "lf-tags is not driven") != NULL);
	MGT_CHECK(strstr(f.items[4].message, "unknown option 'foo'") != NULL);
	mg_lf_options_release(&o);
	mg_doc_free(doc);
	mg_findings_release(&f);

	/* no region: allowed, the client finds the SDKs' (AWS_REGION, AWS_DEFAULT_REGION, the profile's) */
	MGT_EQ_INT(parse_opts("type: lakeformation\ncatalog-id: \"111122223333\"\n", NULL, &o, &doc), 0);
	MGT_CHECK(o.region == NULL);
	mg_lf_options_release(&o);
	mg_doc_free(doc);
}

/* Without findings the first problem is the error, what apply sees: each refused entry and its message. */
static void test_refused_options(void)
{
	static const struct {
		const char *yaml, *error;
	} cases[] = {
		{ "region: eu-west-1\n", "meshgate.yaml: lakeformation: catalog-id is required: the 12-digit account id "
					   "of the catalog (the producer or central account)" },
		{ "catalog-id: \"111122223333\"\ntimeout: 0\n",
		  "meshgate.yaml: lakeformation: timeout is a number of seconds from 1 to 600" },
		{ "catalog-id: \"111122223333\"\nexternal-id: x-42\n",
		  "meshgate.yaml: lakeformation: external-id needs role-arn" },
		{ "catalog-id: \"111122223333\"\ndatabases: [shop]\n",
		  "meshgate.yaml: lakeformation: databases maps data-product names to Glue database names (at most "
		  "4096 entries)" },
		{ "catalog-id: \"111122223333\"\ndatabases: {shop_orders: shop, customer_profiles: [x]}\n",
		  "meshgate.yaml: lakeformation: the database of product 'customer_profiles' must be a name of 1 to "
		  "255 bytes without control characters" },
		{ "catalog-id: \"111122223333\"\ndatabases: {shop_orders: \"\\tshop\"}\n",
		  "meshgate.yaml: lakeformation: the database of product 'shop_orders' must be a name of 1 to 255 bytes "
		  "without control characters" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char yaml[512];
		mg_lf_options o;
		mg_doc *doc;
		snprintf(yaml, sizeof yaml, "type: lakeformation\n%s", cases[i].yaml);
		MGT_EQ_INT(parse_opts(yaml, NULL, &o, &doc), MG_EINVALID);
		MGT_EQ_STR(mg_error_last(), cases[i].error);
		mg_error_clear();
		mg_lf_options_release(&o);
		mg_doc_free(doc);
	}
}

static void test_endpoint_rule(void)
{
	MGT_CHECK(mg_aws_endpoint_ok("https://lakeformation.eu-west-1.amazonaws.com"));
	MGT_CHECK(mg_aws_endpoint_ok("https://vpce-1.lakeformation.eu-west-1.vpce.amazonaws.com:443/"));
	MGT_CHECK(mg_aws_endpoint_ok("http://127.0.0.1:5000"));
	MGT_CHECK(mg_aws_endpoint_ok("http://127.10.0.1"));
	MGT_CHECK(mg_aws_endpoint_ok("http://localhost:4566/"));
	MGT_CHECK(mg_aws_endpoint_ok("http://[::1]:5000"));
	/* plain http anywhere else, and hosts dressed up as loopback */
	MGT_CHECK(!mg_aws_endpoint_ok("http://lakeformation.eu-west-1.amazonaws.com"));
	MGT_CHECK(!mg_aws_endpoint_ok("http://127.0.0.1.evil.example"));
	MGT_CHECK(!mg_aws_endpoint_ok("http://localhost.evil.example:80"));
	MGT_CHECK(!mg_aws_endpoint_ok("http://127.0.0.1@evil.example/"));
	MGT_CHECK(!mg_aws_endpoint_ok("http://localhost:80@evil.example"));
	MGT_CHECK(!mg_aws_endpoint_ok("http://127.0.0.1:50x0"));
	MGT_CHECK(!mg_aws_endpoint_ok("https://user:pw@host.example"));
	MGT_CHECK(!mg_aws_endpoint_ok("ftp://127.0.0.1"));
	MGT_CHECK(!mg_aws_endpoint_ok("https://"));
	MGT_CHECK(!mg_aws_endpoint_ok(NULL));
}

/* ---- request bodies against the API model ---- */

static cJSON *model;

static void model_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void model_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: not what the Lake Formation model allows: ", mgt__current);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	mgt__failures++;
}

static const cJSON *shape(const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(model, "shapes"), name);
}

/* Checks value against shape `name`: members known, required present, types matching. */
static void conforms(const cJSON *value, const char *name, const char *at)
{
	const cJSON *s = shape(name);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "type"));
	char where[512];
	if (!s || !type) {
		model_fail("shape %s missing from the model (at %s)", name, at);
		return;
	}
	if (strcmp(type, "structure") == 0) {
		const cJSON *members = cJSON_GetObjectItemCaseSensitive(s, "members");
		const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
		const cJSON *m;
		if (!cJSON_IsObject(value)) {
			model_fail("%s: %s must be an object", at, name);
			return;
		}
		cJSON_ArrayForEach(m, value)
		{
			const cJSON *def = cJSON_GetObjectItemCaseSensitive(members, m->string);
			snprintf(where, sizeof where, "%s.%s", at, m->string);
			if (!def)
				model_fail("%s: %s has no member %s", at, name, m->string);
			else
				conforms(m, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(def, "shape")), where);
		}
		cJSON_ArrayForEach(m, req)
		if (!cJSON_GetObjectItemCaseSensitive(value, m->valuestring))
			model_fail("%s: %s requires %s", at, name, m->valuestring);
	} else if (strcmp(type, "list") == 0) {
		const char *member = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "member"), "shape"));
		const cJSON *x;
		int i = 0;
		if (!cJSON_IsArray(value)) {
			model_fail("%s: %s must be a list", at, name);
			return;
		}
		const cJSON *max = cJSON_GetObjectItemCaseSensitive(s, "max");
		if (cJSON_IsNumber(max) && cJSON_GetArraySize(value) > max->valueint)
			model_fail("%s: more than %d items", at, max->valueint);
		cJSON_ArrayForEach(x, value)
		{
			snprintf(where, sizeof where, "%s[%d]", at, i++);
			conforms(x, member, where);
		}
	} else if (strcmp(type, "string") == 0) {
		const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
		const cJSON *e;
		bool ok = !en;
		if (!cJSON_IsString(value)) {
			model_fail("%s: %s must be a string", at, name);
			return;
		}
		cJSON_ArrayForEach(e, en)
		ok |= strcmp(e->valuestring, value->valuestring) == 0;
		if (!ok)
			model_fail("%s: '%s' is not a %s", at, value->valuestring, name);
	} else if (strcmp(type, "integer") == 0) {
		if (!cJSON_IsNumber(value))
			model_fail("%s: %s must be a number", at, name);
	}
}

static void check_request(const char *operation, const mg_buf *body)
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(model, "operations"), operation);
	const char *input = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(op, "input"), "shape"));
	cJSON *v = cJSON_ParseWithLength(body->ptr, body->len);
	MGT_CHECK(v != NULL);
	MGT_CHECK(input != NULL);
	if (v && input)
		conforms(v, input, operation);
	cJSON_Delete(v);
}

static void load_model(void)
{
	mg_buf text = MG_BUF_INIT;
	MGT_EQ_INT(mg_buf_read_file(&text, MGT_SRCDIR "/data/aws-models/lakeformation/2017-03-31/service-2.json",
				    1 << 20),
		   0);
	model = cJSON_ParseWithLength(text.ptr, text.len);
	mg_buf_release(&text);
	MGT_CHECK(model != NULL);
}

static void test_batch_bodies(void)
{
	static const char *const cols[] = { "id", "total" };
	static const char *const excluded[] = { "email" };
	mg_lf_entry e[4];
	memset(e, 0, sizeof e);
	e[0].target = MG_LF_DATABASE;
	e[0].principal = "444455556666";
	e[0].database = "shop";
	e[0].perms = MG_PERM_DESCRIBE;
	e[1] = e[0];
	e[1].target = MG_LF_TABLE;
	e[1].table = "orders";
	e[2] = e[1];
	e[2].target = MG_LF_TABLE_COLUMNS;
	e[2].perms = MG_PERM_SELECT;
	e[2].columns = cols;
	e[2].ncolumns = 2;
	e[3] = e[2];
	e[3].except = true;
	e[3].columns = excluded;
	e[3].ncolumns = 1;
	e[3].principal = "arn:aws:iam::444455556666:role/\"odd\"";
	mg_buf b = MG_BUF_INIT;
	MGT_EQ_INT(mg_lf_batch_body("111122223333", e, 4, &b), 0);
	MGT_EQ_STR(b.ptr,
		   "{\"CatalogId\":\"111122223333\",\"Entries\":["
		   "{\"Id\":\"e0\",\"Principal\":{\"DataLakePrincipalIdentifier\":\"444455556666\"},\"Resource\":"
		   "{\"Database\":{\"CatalogId\":\"111122223333\",\"Name\":\"shop\"}},\"Permissions\":[\"DESCRIBE\"],"
		   "\"PermissionsWithGrantOption\":[]},"
		   "{\"Id\":\"e1\",\"Principal\":{\"DataLakePrincipalIdentifier\":\"444455556666\"},\"Resource\":"
		   "{\"Table\":{\"CatalogId\":\"111122223333\",\"DatabaseName\":\"shop\",\"Name\":\"orders\"}},"
		   "\"Permissions\":[\"DESCRIBE\"],\"PermissionsWithGrantOption\":[]},"
		   "{\"Id\":\"e2\",\"Principal\":{\"DataLakePrincipalIdentifier\":\"444455556666\"},\"Resource\":"
		   "{\"TableWithColumns\":{\"CatalogId\":\"111122223333\",\"DatabaseName\":\"shop\",\"Name\":\"orders\","
		   "\"ColumnNames\":[\"id\",\"total\"]}},\"Permissions\":[\"SELECT\"],\"PermissionsWithGrantOption\":[]},"
		   "{\"Id\":\"e3\",\"Principal\":{\"DataLakePrincipalIdentifier\":\"arn:aws:iam::444455556666:role/\\\"odd\\\"\"},"
		   "\"Resource\":{\"TableWithColumns\":{\"CatalogId\":\"111122223333\",\"DatabaseName\":\"shop\","
		   "\"Name\":\"orders\",\"ColumnWildcard\":{\"ExcludedColumnNames\":[\"email\"]}}},"
		   "\"Permissions\":[\"SELECT\"],\"PermissionsWithGrantOption\":[]}]}");
	check_request("BatchGrantPermissions", &b);
	check_request("BatchRevokePermissions", &b);
	mg_buf_clear(&b);

	/* 20 entries is the API's limit, and the model's */
	mg_lf_entry many[MG_LF_BATCH_ENTRIES + 1];
	for (size_t i = 0; i < MG_LF_BATCH_ENTRIES + 1; i++)
		many[i] = e[i % 4];
	MGT_EQ_INT(mg_lf_batch_body("111122223333", many, MG_LF_BATCH_ENTRIES, &b), 0);
	check_request("BatchGrantPermissions", &b);
	mg_buf_clear(&b);
	MGT_EQ_INT(mg_lf_batch_body("111122223333", many, MG_LF_BATCH_ENTRIES + 1, &b), MG_EINVALID);
	mg_buf_clear(&b);

	MGT_EQ_INT(mg_lf_list_body("111122223333", "TABLE", "tok\"en", &b), 0);
	MGT_EQ_STR(b.ptr, "{\"CatalogId\":\"111122223333\",\"ResourceType\":\"TABLE\",\"MaxResults\":1000,"
			  "\"NextToken\":\"tok\\\"en\"}");
	check_request("ListPermissions", &b);
	mg_buf_clear(&b);
	MGT_EQ_INT(mg_lf_list_body("111122223333", "DATABASE", NULL, &b), 0);
	check_request("ListPermissions", &b);
	mg_buf_release(&b);
}

static void test_failures(void)
{
	mg_lf_failure f[4];
	size_t n = 9;
	const char *ok = "{\"Failures\":[]}";
	MGT_EQ_INT(mg_lf_batch_failures(ok, strlen(ok), 3, f, &n), 0);
	MGT_EQ_INT((int)n, 0);
	const char *some =
		"{\"Failures\":[{\"RequestEntry\":{\"Id\":\"e2\"},\"Error\":{\"ErrorCode\":\"InvalidInputException\","
		"\"ErrorMessage\":\"No permissions revoked. Grantee has no permissions and no grantable permissions on "
		"resource.\"}},{\"RequestEntry\":{\"Id\":\"e0\"},\"Error\":{\"ErrorCode\":\"ConcurrentModificationException\","
		"\"ErrorMessage\":\"try\\nagain\"}},{\"RequestEntry\":{\"Id\":\"e0\"},\"Error\":{\"ErrorCode\":\"x\"}},"
		"{\"RequestEntry\":{\"Id\":\"e1\"},\"Error\":{\"ErrorCode\":\"AccessDeniedException\",\"ErrorMessage\":\"no\"}}]}";
	MGT_EQ_INT(mg_lf_batch_failures(some, strlen(some), 3, f, &n), 0);
	MGT_EQ_INT((int)n, 3);
	MGT_EQ_INT((int)f[0].entry, 2);
	MGT_CHECK(mg_lf_failure_is_absent(&f[0]));
	MGT_EQ_INT((int)f[1].entry, 0);
	MGT_EQ_STR(f[1].message, "try again"); /* one line: it is journalled */
	MGT_EQ_INT((int)mg_lf_failure_status(&f[1]), (int)MG_OP_RETRYABLE);
	MGT_CHECK(!mg_lf_failure_is_absent(&f[1]));
	MGT_EQ_INT((int)f[2].entry, 1);
	MGT_EQ_INT((int)mg_lf_failure_status(&f[2]), (int)MG_OP_FAILED);
	MGT_CHECK(!mg_lf_failure_is_unknown_principal(&f[0]));
	/* IAM has not propagated a new role yet: retryable; the same words under another code are not */
	mg_lf_failure u = { .entry = 0, .code = "InvalidInputException", .message = "Invalid principal" };
	MGT_CHECK(mg_lf_failure_is_unknown_principal(&u));
	MGT_EQ_INT((int)mg_lf_failure_status(&u), (int)MG_OP_RETRYABLE);
	snprintf(u.message, sizeof u.message, "Grantee PRINCIPAL IS INVALID: arn:aws:iam::1:role/new");
	MGT_CHECK(mg_lf_failure_is_unknown_principal(&u));
	snprintf(u.code, sizeof u.code, "AccessDeniedException");
	MGT_CHECK(!mg_lf_failure_is_unknown_principal(&u));
	MGT_EQ_INT((int)mg_lf_failure_status(&u), (int)MG_OP_FAILED);
	/* a failure for an entry that was not sent, or not the answer's shape: the batch is unknown */
	const char *stray = "{\"Failures\":[{\"RequestEntry\":{\"Id\":\"e7\"},\"Error\":{}}]}";
	MGT_EQ_INT(mg_lf_batch_failures(stray, strlen(stray), 3, f, &n), MG_EPARSE);
	const char *noid = "{\"Failures\":[{\"Error\":{}}]}";
	MGT_EQ_INT(mg_lf_batch_failures(noid, strlen(noid), 3, f, &n), MG_EPARSE);
	MGT_EQ_INT(mg_lf_batch_failures("[1]", 3, 3, f, &n), MG_EPARSE);
	MGT_EQ_INT(mg_lf_batch_failures("{\"Failures\":7}", 14, 3, f, &n), MG_EPARSE);
	MGT_EQ_INT(mg_lf_batch_failures("", 0, 3, f, &n), MG_EPARSE);
}

static void test_list_pages(void)
{
	mg_lf_held_list l;
	char next[64];
	memset(&l, 0, sizeof l);
	const char *page =
		"{\"PrincipalResourcePermissions\":["
		"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"444455556666\"},\"Resource\":{\"Database\":{\"Name\":\"shop\"}},"
		"\"Permissions\":[\"DESCRIBE\",\"ALTER\"]},"
		"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"444455556666\"},\"Resource\":{\"TableWithColumns\":"
		"{\"DatabaseName\":\"shop\",\"Name\":\"orders\",\"ColumnNames\":[\"id\",\"total\"]}},\"Permissions\":[\"SELECT\"]},"
		"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"777788889999\"},\"Resource\":{\"TableWithColumns\":"
		"{\"DatabaseName\":\"shop\",\"Name\":\"orders\",\"ColumnWildcard\":{\"ExcludedColumnNames\":[\"email\"]}}},"
		"\"Permissions\":[\"SELECT\"]},"
		"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"777788889999\"},\"Resource\":{\"Table\":"
		"{\"DatabaseName\":\"shop\",\"Name\":\"orders\"}},\"Permissions\":[\"ALL\"]},"
		"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"777788889999\"},\"Resource\":{\"DataLocation\":"
		"{\"ResourceArn\":\"arn:aws:s3:::b\"}},\"Permissions\":[\"DATA_LOCATION_ACCESS\"]},"
		"{\"Principal\":{\"DataLakePrincipalIdentifier\":\"777788889999\"},\"Resource\":{\"Table\":"
		"{\"DatabaseName\":\"shop\",\"Name\":\"orders\"}},\"Permissions\":[\"INSERT\"]}"
		"],\"NextToken\":\"page-2\"}";
	MGT_EQ_INT(mg_lf_list_parse(page, strlen(page), &l, next, sizeof next), 0);
	MGT_EQ_STR(next, "page-2");
	MGT_EQ_INT((int)l.count, 4);
	MGT_EQ_INT((int)l.items[0].target, (int)MG_LF_DATABASE);
	MGT_EQ_INT((int)l.items[0].perms, (int)MG_PERM_DESCRIBE);
	MGT_CHECK(l.items[0].table == NULL);
	MGT_EQ_INT((int)l.items[1].target, (int)MG_LF_TABLE_COLUMNS);
	MGT_CHECK(!l.items[1].except);
	MGT_EQ_INT((int)l.items[1].ncolumns, 2);
	MGT_EQ_STR(l.items[1].columns[1], "total");
	MGT_CHECK(!mg_lf_held_all_columns(&l.items[1]));
	MGT_CHECK(l.items[2].except);
	MGT_EQ_STR(l.items[2].columns[0], "email");
	MGT_EQ_INT((int)l.items[3].target, (int)MG_LF_TABLE);
	MGT_EQ_INT((int)l.items[3].perms, (int)(MG_PERM_SELECT | MG_PERM_DESCRIBE));
	MGT_CHECK(mg_lf_held_all_columns(&l.items[3]));
	/* the last page has no token; a bad page keeps nothing and says so */
	const char *last = "{\"PrincipalResourcePermissions\":[]}";
	MGT_EQ_INT(mg_lf_list_parse(last, strlen(last), &l, next, sizeof next), 0);
	MGT_EQ_STR(next, "");
	const char *bad = "{\"PrincipalResourcePermissions\":[{\"Principal\":{},\"Resource\":7}]}";
	MGT_EQ_INT(mg_lf_list_parse(bad, strlen(bad), &l, next, sizeof next), MG_EPARSE);
	char longtok[200];
	snprintf(longtok, sizeof longtok, "{\"NextToken\":\"%0100d\"}", 1);
	MGT_EQ_INT(mg_lf_list_parse(longtok, strlen(longtok), &l, next, sizeof next), MG_ETOOBIG);
	MGT_EQ_INT((int)l.count, 4);
	mg_lf_held_release(&l);
}

static void test_model_loaded(void)
{
	load_model();
}

MGT_MAIN(test_options, test_refused_options, test_endpoint_rule, test_model_loaded, test_batch_bodies, test_failures, test_list_pages)
