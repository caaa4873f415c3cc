/*
 * test_rules.c - each catalogue rule with a hit and a near miss, through
 * the whole pipeline (files in the test's scratch directory, mg_validate),
 * so positions are the ones users see.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/date.h"
#include "meshgate/validate.h"
#include "mgt.h"

#define CAT "data-products-catalogue"

static mg_findings F;
static int validated;

static void put(const char *env, const char *dir, const char *stem, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes <catalogue>/<env>/<dir>/<stem>.json. */
static void put(const char *env, const char *dir, const char *stem, const char *fmt, ...)
{
	char rel[512];
	mg_buf b = MG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mg_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	snprintf(rel, sizeof rel, CAT "/%s/%s/%s.json", env, dir, stem);
	mgt_write(rel, b.ptr);
	mg_buf_release(&b);
}

/*
 * A valid product: name on line 2 (column 25), producer account
 * 111111111111 and bucket "bucket-<dir>", one output t1 at
 * s3://bucket-<dir>/t1 (location on line 2).
 */
static void product(const char *env, const char *dir, const char *name)
{
	put(env, dir, "data-product",
	    "{\n  \"data-product-name\": \"%s\",\n  \"data-product-owner\": \"o@example.com\"\n}\n",
	    name);
	put(env, dir, "data-product-producer-info",
	    "{\n  \"account-type\": \"aws\",\n"
	    "  \"producer-role-arn\": \"arn:aws:iam::111111111111:role/producer\",\n"
	    "  \"producer-account-id\": \"111111111111\",\n"
	    "  \"bucket-name\": \"bucket-%s\"\n}\n", dir);
	put(env, dir, "data-product-outputs",
	    "{\"outputs\": {\"t1\": {\"file-format\": \"parquet\", \"port-type\": \"blob\",\n"
	    "  \"location\": \"s3://bucket-%s/t1\"}}}\n", dir);
}

static void outputs(const char *env, const char *dir, const char *tables)
{
	put(env, dir, "data-product-outputs", "{\"outputs\": {%s}}\n", tables);
}

/* One output table line: "name": {..., "location": loc, extra} */
#define TABLE(name, loc, extra) \
	"\"" name "\": {\"file-format\": \"parquet\", \"port-type\": \"blob\", \"location\": \"" loc "\"" \
	extra "}"

static void validate(void)
{
	mg_source *src = NULL;
	mg_config cfg;
	mg_catalogue cat;
	mg_validate_opts vo = { .today = "2026-01-01", .catalogue = NULL };
	if (validated)
		mg_findings_release(&F);
	mg_findings_init(&F);
	mg_config_init(&cfg);
	mg_catalogue_init(&cat);
	MGT_EQ_INT(mg_source_dir_new(&src, mgt_scratch()), 0);
	MGT_EQ_INT(mg_validate(src, &vo, &cfg, &cat, &F), 0);
	mg_catalogue_release(&cat);
	mg_config_release(&cfg);
	mg_source_free(src);
	validated = 1;
}

static void dump(void)
{
	for (size_t i = 0; i < F.count; i++)
		fprintf(stderr, "    %s:%u:%u: %s [%s]\n", F.items[i].path, F.items[i].line,
			F.items[i].col, F.items[i].message, mg_rule_id(F.items[i].rule));
}

static size_t count(mg_rule rule)
{
	size_t n = 0;
	for (size_t i = 0; i < F.count; i++)
		n += F.items[i].rule == rule;
	return n;
}

static void expect_total(size_t n, int at)
{
	if (F.count == n)
		return;
	fprintf(stderr, "%s:%d: %s: %zu findings, expected %zu:\n", __FILE__, at, mgt__current, F.count, n);
	dump();
	mgt__failures++;
}

#define EXPECT_TOTAL(n) expect_total(n, __LINE__)

/* One expected finding: its rule, where (path under the catalogue, line, column) and a piece of its message. */
typedef struct want {
	mg_rule rule;
	const char *path; /* NULL: anywhere (ANYWHERE) */
	unsigned line, col;
	const char *text;
} want;

#define ANYWHERE NULL, 0, 0, NULL

static bool matches(const mg_finding *x, const want *w)
{
	char full[512];
	if (x->rule != w->rule)
		return false;
	snprintf(full, sizeof full, CAT "/%s", w->path);
	return strcmp(x->path, full) == 0 && x->line == w->line && x->col == w->col && strstr(x->message, w->text);
}

/*
 * The findings are exactly these rows: as many findings as rows, of each
 * rule as many as its rows, and for each row a finding it matches.
 */
static void expect_findings(const want *w, size_t n, int at)
{
	expect_total(n, at);
	for (size_t i = 0; i < n; i++) {
		size_t rows = 0, have = count(w[i].rule);
		bool first = true, found = !w[i].path;
		for (size_t k = 0; k < n; k++) {
			rows += w[k].rule == w[i].rule;
			first &= k >= i || w[k].rule != w[i].rule;
		}
		for (size_t k = 0; k < F.count && !found; k++)
			found = matches(&F.items[k], &w[i]);
		if (first && have != rows) {
			fprintf(stderr, "%s:%d: %s: %zu %s findings, expected %zu:\n", __FILE__, at, mgt__current,
				have, mg_rule_id(w[i].rule), rows);
			dump();
			mgt__failures++;
		}
		if (!found) {
			fprintf(stderr, "%s:%d: %s: no %s finding at " CAT "/%s:%u:%u with '%s'; have:\n", __FILE__,
				at, mgt__current, mg_rule_id(w[i].rule), w[i].path, w[i].line, w[i].col, w[i].text);
			dump();
			mgt__failures++;
		}
	}
}

#define EXPECT_FINDINGS(...) \
	expect_findings((const want[]){ __VA_ARGS__ }, sizeof((const want[]){ __VA_ARGS__ }) / sizeof(want), \
			__LINE__)

/* ---- the rules ---- */

static void test_rules__clean_products_have_no_findings(void)
{
	product("dev", "pa", "sales");
	product("dev", "pb", "orders");
	validate();
	EXPECT_TOTAL(0);
}

static void test_rules__duplicate_product(void)
{
	product("dev", "pa", "sales-orders");
	product("dev", "pb", "Sales_Orders");
	product("dev", "pc", "sales.orders");
	product("dev", "pd", "sales_order");  /* near miss */
	product("prod", "pa", "sales-orders"); /* another environment */
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_DUPLICATE_PRODUCT, "dev/pb/data-product.json", 2, 24,
		  "already used by 'sales-orders' (" CAT "/dev/pa/data-product.json:2)" },
		{ MG_RULE_DUPLICATE_PRODUCT, "dev/pc/data-product.json", 2, 24, "'sales.orders'" });
}

static void test_rules__overlapping_location(void)
{
	product("dev", "pa", "a");
	product("dev", "pb", "b");
	product("prod", "pa", "a");
	outputs("dev", "pa",
		TABLE("x", "s3://bucket-pa/x", "") ",\n" TABLE("xy", "s3://bucket-pa/xy", "") ",\n"
		TABLE("xdash", "s3://bucket-pa/x-y", "") ",\n" TABLE("z", "s3://bucket-pa/z/", ""));
	/* b shares pa's bucket: nested under x, and equal to z modulo the trailing slash */
	put("dev", "pb", "data-product-producer-info",
	    "{\"account-type\": \"aws\", \"producer-role-arn\": \"arn:aws:iam::111111111111:role/p\","
	    " \"producer-account-id\": \"111111111111\", \"bucket-name\": \"bucket-pa\"}");
	outputs("dev", "pb",
		TABLE("nested", "s3://bucket-pa/x/y/", "") ",\n" TABLE("same", "s3://bucket-pa/z", ""));
	/* same locations in another environment are fine */
	outputs("prod", "pa", TABLE("x", "s3://bucket-pa/x", "") ",\n" TABLE("y", "s3://bucket-pa/x-y", ""));
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_OVERLAPPING_LOCATION, "dev/pb/data-product-outputs.json", 1, 84,
		  "'s3://bucket-pa/x/y/' of table 'nested' lies inside the location 's3://bucket-pa/x'" },
		{ MG_RULE_OVERLAPPING_LOCATION, "dev/pb/data-product-outputs.json", 2, 69,
		  "is also the location 's3://bucket-pa/z/' of table 'z'" });
}

static void test_rules__bucket_root_contains_everything(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa", TABLE("all", "s3://bucket-pa", "") ",\n" TABLE("one", "s3://bucket-pa/one", ""));
	validate();
	EXPECT_FINDINGS({ MG_RULE_OVERLAPPING_LOCATION, ANYWHERE });
}

static void test_rules__location_outside_bucket(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa",
		TABLE("in", "s3://bucket-pa/in", "") ",\n" TABLE("other", "s3://bucket-pab/x", "") ",\n"
		TABLE("root", "s3://bucket-pa/", ""));
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_LOCATION_OUTSIDE_BUCKET, "dev/pa/data-product-outputs.json", 2, 70,
		  "outside the producer bucket 'bucket-pa'; put the output under s3://bucket-pa/" },
		{ MG_RULE_OVERLAPPING_LOCATION, ANYWHERE }); /* the root table encloses the other one */
}

static void producer_info(const char *dir, const char *account, const char *arn)
{
	put("dev", dir, "data-product-producer-info",
	    "{\n  \"account-type\": \"aws\",\n  \"producer-role-arn\": \"%s\",\n"
	    "  \"producer-account-id\": \"%s\",\n  \"bucket-name\": \"bucket-%s\"\n}\n", arn, account,
	    dir);
}

static void test_rules__account_id(void)
{
	product("dev", "pa", "a");
	producer_info("pa", "123456789", "arn:aws:iam::123456789:role/p");
	product("dev", "pb", "b");
	producer_info("pb", "000000000000", "arn:aws:iam::000000000000:role/p");
	product("dev", "pc", "c"); /* near miss: leading zero */
	producer_info("pc", "012345678901", "arn:aws:iam::012345678901:role/p");
	validate();
	/* 9 digits: the schema reports each value once, the rule stays quiet */
	EXPECT_FINDINGS(
		{ MG_RULE_SCHEMA, "dev/pa/data-product-producer-info.json", 4, 26, "12 digits" },
		{ MG_RULE_SCHEMA, "dev/pa/data-product-producer-info.json", 3, 24, "12 digits" },
		{ MG_RULE_ACCOUNT_ID, "dev/pb/data-product-producer-info.json", 4, 26,
		  "producer-account-id '000000000000' is a placeholder" },
		{ MG_RULE_ACCOUNT_ID, "dev/pb/data-product-producer-info.json", 3, 24,
		  "the account in producer-role-arn '000000000000'" });
}

static void consumers(const char *dir, const char *list)
{
	put("dev", dir, "data-product-consumers", "{\"consumers\": [\n%s\n]}\n", list);
}

static void test_rules__arn_account_mismatch(void)
{
	product("dev", "pa", "a");
	producer_info("pa", "111111111111", "arn:aws:iam::222222222222:role/p");
	consumers("pa",
		  "{\"type\": \"lakeformation\", \"account\": \"333333333333\", \"consumer-role-arn\": "
		  "\"arn:aws:iam::444444444444:role/c\"},\n"
		  "{\"type\": \"lakeformation\", \"account\": \"555555555555\", \"consumer-role-arn\": "
		  "\"arn:aws:iam::555555555555:role/c\"}");
	product("dev", "pb", "b"); /* near miss */
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_ARN_ACCOUNT_MISMATCH, "dev/pa/data-product-producer-info.json", 3, 24,
		  "producer-role-arn names account '222222222222' but producer-account-id is "
		  "'111111111111'" },
		{ MG_RULE_ARN_ACCOUNT_MISMATCH, "dev/pa/data-product-consumers.json", 2, 75,
		  "consumer-role-arn names account '444444444444' but the consumer's account is "
		  "'333333333333'" });
}

static void visibility(const char *dir, const char *tables)
{
	put("dev", dir, "data-product-visibility", "{\"tables\": [\n%s\n]}\n", tables);
}

static void test_rules__public_sensitive(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa",
		TABLE("pub", "s3://bucket-pa/pub", "") ",\n" TABLE("int", "s3://bucket-pa/int", "") ",\n"
		TABLE("clean", "s3://bucket-pa/clean", ""));
	visibility("pa",
		   "{\"name\": \"pub\", \"visibility\": \"public\", \"columns\": [{\"name\": \"email\", "
		   "\"pii\": true}, {\"name\": \"card\", \"pii\": true, \"pci\": true}]},\n"
		   "{\"name\": \"int\", \"visibility\": \"internal\", \"columns\": [{\"name\": \"email\", "
		   "\"pii\": true}]},\n"
		   "{\"name\": \"clean\", \"visibility\": \"public\", \"columns\": [{\"name\": \"email\", "
		   "\"pii\": false, \"pci\": false}]}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_PUBLIC_SENSITIVE, "dev/pa/data-product-visibility.json", 2, 78,
		  "table 'pub' is public but its column 'email' is classified pii" },
		{ MG_RULE_PUBLIC_SENSITIVE, "dev/pa/data-product-visibility.json", 2, 109,
		  "column 'card' is classified pii and pci" });
}

static void test_rules__unclassified_sensitive(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa",
		TABLE("orders", "s3://bucket-pa/orders",
		      ", \"columns\": [\n{\"name\": \"customerEmail\"},\n{\"name\": \"mailbox_count\"},\n"
		      "{\"name\": \"card_number\"},\n{\"name\": \"ip_address\"}]"));
	visibility("pa", "{\"name\": \"orders\", \"visibility\": \"internal\", \"columns\": "
			 "[{\"name\": \"ip_address\", \"pii\": false}]}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_UNCLASSIFIED_SENSITIVE, "dev/pa/data-product-outputs.json", 2, 1,
		  "column 'customerEmail' of table 'orders' looks like personal data (pattern "
		  "'email') but is not classified" },
		{ MG_RULE_UNCLASSIFIED_SENSITIVE, "dev/pa/data-product-outputs.json", 4, 1,
		  "looks like card data (pattern 'card number')" });
}

static void test_rules__unknown_table(void)
{
	product("dev", "pa", "sales");
	outputs("dev", "pa",
		TABLE("sales_trends", "s3://bucket-pa/trends", "") ",\n"
		TABLE("sales_predictions", "s3://bucket-pa/predictions", ""));
	visibility("pa", "{\"name\": \"sales_trend\", \"visibility\": \"internal\"},\n"
			 "{\"name\": \"sales_predictions\", \"visibility\": \"internal\"}");
	consumers("pa", "{\"type\": \"lakeformation\", \"account\": \"333333333333\", "
			"\"tables\": [\"sales_trends\", \"nothing_like_it\"]}");
	product("dev", "pb", "reports");
	put("dev", "pb", "data-product-inputs",
	    "{\"inputs\": {\n\"sales\": {\"tables\": [\"sales_trends\", \"sales_prediction\"]},\n"
	    "\"DataMeshPlatform\": {\"tables\": [\"table1\"]}}}\n");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_UNKNOWN_TABLE, "dev/pa/data-product-visibility.json", 2, 10,
		  "visibility lists table 'sales_trend' that data-product-outputs does not declare; "
		  "did you mean 'sales_trends'?" },
		{ MG_RULE_UNKNOWN_TABLE, "dev/pa/data-product-consumers.json", 2, 81,
		  "consumer names table 'nothing_like_it' that data-product-outputs does not "
		  "declare; fix" },
		{ MG_RULE_UNKNOWN_TABLE, "dev/pb/data-product-inputs.json", 2, 38,
		  "input 'sales' reads table 'sales_prediction' that data product 'sales' does not "
		  "output; did you mean 'sales_predictions'?" });
}

static void test_rules__unknown_column(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa",
		TABLE("known", "s3://bucket-pa/known",
		      ", \"partition-columns\": [\"day\", \"region\"], \"columns\": [{\"name\": \"day\"}, "
		      "{\"name\": \"amount\"}]") ",\n"
		TABLE("unknown", "s3://bucket-pa/unknown", ", \"partition-columns\": [\"day\"]"));
	visibility("pa", "{\"name\": \"known\", \"visibility\": \"internal\", \"columns\": "
			 "[{\"name\": \"amount\", \"pii\": false}, {\"name\": \"amont\", \"pii\": false}]},\n"
			 "{\"name\": \"unknown\", \"visibility\": \"internal\", \"columns\": "
			 "[{\"name\": \"anything\", \"pii\": false}]}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_UNKNOWN_COLUMN, "dev/pa/data-product-visibility.json", 2, 91,
		  "visibility classifies column 'amont' that table 'known' does not declare in "
		  "data-product-outputs; did you mean 'amount'?" },
		{ MG_RULE_UNKNOWN_COLUMN, "dev/pa/data-product-outputs.json", 1, 136,
		  "partition column 'region' of table 'known' is not among its declared columns" });
}

static void test_rules__duplicate_and_self_consumer(void)
{
	product("dev", "pa", "a");
	consumers("pa",
		  "{\"type\": \"lakeformation\", \"account\": \"333333333333\"},\n"
		  "{\"type\": \"iam\", \"account\": \"333333333333\", \"tables\": []},\n"
		  "{\"type\": \"lakeformation\", \"account\": \"333333333333\"},\n"
		  "{\"type\": \"lakeformation\", \"account\": \"111111111111\"}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_DUPLICATE_CONSUMER, "dev/pa/data-product-consumers.json", 4, 1,
		  "consumer '333333333333' with type 'lakeformation' is already listed at line 2" },
		{ MG_RULE_SELF_CONSUMER, "dev/pa/data-product-consumers.json", 5, 38,
		  "consumer account '111111111111' is the producer's own account" });
}

#define CLEAR(exp) \
	"{\"approved-by\": \"dpo@example.com\", \"reason\": \"fraud analytics\", \"expires\": \"" exp "\"}"

static void test_rules__iam_consumer_sensitive(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa",
		TABLE("pii", "s3://bucket-pa/pii", "") ",\n" TABLE("clean", "s3://bucket-pa/clean", "")
		",\n" TABLE("secret", "s3://bucket-pa/secret", ""));
	visibility("pa", "{\"name\": \"pii\", \"visibility\": \"internal\", \"columns\": "
			 "[{\"name\": \"email\", \"pii\": true}]},\n"
			 "{\"name\": \"secret\", \"visibility\": \"confidential\"}");
	consumers("pa",
		  "{\"type\": \"iam\", \"account\": \"333333333333\"},\n"
		  "{\"type\": \"iam\", \"account\": \"444444444444\", \"tables\": [\"clean\"]},\n"
		  "{\"type\": \"iam\", \"account\": \"555555555555\", \"tables\": [\"clean\", \"secret\"], "
		  "\"access\": {\"confidential\": " CLEAR("2027-01-01") "}},\n"
		  "{\"type\": \"lakeformation\", \"account\": \"666666666666\"}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_IAM_CONSUMER_SENSITIVE, "dev/pa/data-product-consumers.json", 2, 10,
		  "iam consumer '333333333333' would get raw S3 read of tables with pii or pci "
		  "columns: 'pii' (email)" },
		{ MG_RULE_IAM_CONSUMER_SENSITIVE, "dev/pa/data-product-consumers.json", 4, 64,
		  "iam consumer '555555555555' would get raw S3 read of confidential table 'secret'" });
}

static void test_rules__clearance_and_ungranted_table(void)
{
	product("dev", "pa", "a");
	outputs("dev", "pa", TABLE("secret", "s3://bucket-pa/secret", ""));
	visibility("pa", "{\"name\": \"secret\", \"visibility\": \"confidential\"}");
	consumers("pa",
		  "{\"type\": \"lakeformation\", \"account\": \"333333333333\", \"tables\": [\"secret\"]},\n"
		  "{\"type\": \"lakeformation\", \"account\": \"444444444444\", \"tables\": [\"secret\"], "
		  "\"access\": {\"confidential\": " CLEAR("2025-12-31") "}},\n"
		  "{\"type\": \"lakeformation\", \"account\": \"555555555555\", \"tables\": [\"secret\"], "
		  "\"access\": {\"confidential\": " CLEAR("2026-01-01") ", "
		  "\"pii\": {\"approved-by\": \"dpo@example.com\"}}}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_UNGRANTED_TABLE, "dev/pa/data-product-consumers.json", 2, 65,
		  "table 'secret' is confidential and consumer '333333333333' holds no confidential "
		  "clearance, so it is not granted" },
		{ MG_RULE_CLEARANCE, "dev/pa/data-product-consumers.json", 3, 178,
		  "confidential clearance expired on 2025-12-31 (today is 2026-01-01)" },
		{ MG_RULE_CLEARANCE, "dev/pa/data-product-consumers.json", 4, 200,
		  "pii clearance lacks reason and expires" });
}

static void inputs(const char *dir, const char *list)
{
	put("dev", dir, "data-product-inputs", "{\"inputs\": {\n%s\n}}\n", list);
}

static void test_rules__unknown_input(void)
{
	product("dev", "pa", "sales_orders");
	product("dev", "pb", "reports");
	inputs("pb", "\"sales_order\": {\"type\": \"data-product\"},\n"
		     "\"Sales-Orders\": {\"type\": \"data-product\", \"tables\": [\"t1\"]},\n"
		     "\"crm\": {\"tables\": [\"accounts\"]},\n"
		     "\"erp\": {\"type\": \"source-system\"}");
	product("prod", "pc", "elsewhere");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_UNKNOWN_INPUT, "dev/pb/data-product-inputs.json", 2, 1,
		  "input 'sales_order' is declared as a data product but environment 'dev' has no "
		  "product of that name; did you mean 'sales_orders'?" });
}

static void test_rules__lineage_cycle(void)
{
	product("dev", "pa", "a");
	product("dev", "pb", "b");
	product("dev", "pc", "c");
	product("dev", "pd", "d");
	product("dev", "pe", "e");
	product("dev", "pf", "f");
	inputs("pa", "\"b\": {}");
	inputs("pb", "\"c\": {}");
	inputs("pc", "\"a\": {}, \"d\": {}");
	inputs("pd", "\"e\": {}"); /* d -> e is a chain, not a cycle */
	inputs("pf", "\"f\": {}");
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_LINEAGE_CYCLE, "dev/pc/data-product-inputs.json", 2, 1,
		  "data products feed each other in a cycle: 'a' -> 'b' -> 'c' -> 'a'; remove one" },
		{ MG_RULE_LINEAGE_CYCLE, "dev/pf/data-product-inputs.json", 2, 1,
		  "data product 'f' lists itself as an input" });
}

static void test_rules__lineage_cycle_once_per_component(void)
{
	/* a <-> b and b <-> c: one component, one finding, the shortest cycle through 'a' */
	product("dev", "pa", "a");
	product("dev", "pb", "b");
	product("dev", "pc", "c");
	inputs("pa", "\"b\": {}");
	inputs("pb", "\"a\": {}, \"c\": {}");
	inputs("pc", "\"b\": {}");
	product("prod", "pa", "a"); /* same names elsewhere: separate graph */
	validate();
	EXPECT_FINDINGS(
		{ MG_RULE_LINEAGE_CYCLE, "dev/pb/data-product-inputs.json", 2, 1,
		  "'a' -> 'b' -> 'a' (3 products in all feed each other)" });
}

static void cleanup(void)
{
	if (validated)
		mg_findings_release(&F);
	validated = 0;
}

#define T(name) \
	static void name##_run(void) \
	{ \
		name(); \
		cleanup(); \
	}
T(test_rules__clean_products_have_no_findings)
T(test_rules__duplicate_product)
T(test_rules__overlapping_location)
T(test_rules__bucket_root_contains_everything)
T(test_rules__location_outside_bucket)
T(test_rules__account_id)
T(test_rules__arn_account_mismatch)
T(test_rules__public_sensitive)
T(test_rules__unclassified_sensitive)
T(test_rules__unknown_table)
T(test_rules__unknown_column)
T(test_rules__duplicate_and_self_consumer)
T(test_rules__iam_consumer_sensitive)
T(test_rules__clearance_and_ungranted_table)
T(test_rules__unknown_input)
T(test_rules__lineage_cycle)
T(test_rules__lineage_cycle_once_per_component)

/* Day numbers, what clearance-too-long counts with: known dates and the days between. */
static void test_rules__date_days(void)
{
	long d = 42;
	MGT_CHECK(mg_date_days("1970-01-01", &d));
	MGT_EQ_INT(d, 0);
	MGT_CHECK(mg_date_days("1969-12-31", &d));
	MGT_EQ_INT(d, -1);
	MGT_CHECK(mg_date_days("2026-01-01", &d));
	MGT_EQ_INT(d, 20454);
	MGT_CHECK(mg_date_days("2024-02-29", &d));
	MGT_EQ_INT(d, 19782);
	MGT_CHECK(mg_date_days("2000-03-01", &d));
	MGT_EQ_INT(d, 11017);
	MGT_CHECK(mg_date_days("0000-01-01", &d));
	MGT_EQ_INT(d, -719528);
	long a = 0, b = 0;
	MGT_CHECK(mg_date_days("2027-06-01", &a) && mg_date_days("2028-06-01", &b));
	MGT_EQ_INT(b - a, 366); /* across a leap day */
	d = 42;
	MGT_CHECK(!mg_date_days("2026-02-30", &d));
	MGT_CHECK(!mg_date_days("2026-1-01", &d));
	MGT_CHECK(!mg_date_days(NULL, &d));
	MGT_EQ_INT(d, 42);
}

MGT_MAIN(test_rules__date_days, test_rules__clean_products_have_no_findings_run, test_rules__duplicate_product_run,
	 test_rules__overlapping_location_run, test_rules__bucket_root_contains_everything_run,
	 test_rules__location_outside_bucket_run, test_rules__account_id_run,
	 test_rules__arn_account_mismatch_run, test_rules__public_sensitive_run,
	 test_rules__unclassified_sensitive_run, test_rules__unknown_table_run,
	 test_rules__unknown_column_run, test_rules__duplicate_and_self_consumer_run,
	 test_rules__iam_consumer_sensitive_run, test_rules__clearance_and_ungranted_table_run,
	 test_rules__unknown_input_run, test_rules__lineage_cycle_run,
	 test_rules__lineage_cycle_once_per_component_run)
