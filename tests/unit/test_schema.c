/*
 * test_schema.c - the schema engine's messages and positions, formats, the
 * regex engine (including a pathological pattern), $ref errors and limits.
 * The JSON-Schema-Test-Suite run is in test_schema_suite.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "meshgate/schema.h"
#include "mgt.h"
#include "schema/schema_int.h"

/* One schema and one instance, both JSON text; findings kept for checks. */
typedef struct fixture {
	mg_schema_set *set;
	mg_schema *schema;
	mg_doc *inst;
	mg_findings f;
	int verdict;
} fixture;

static int fx_run(fixture *fx, const char *schema, const char *instance)
{
	mg_doc *sdoc = NULL;
	memset(fx, 0, sizeof *fx);
	mg_findings_init(&fx->f);
	MGT_EQ_INT(mg_schema_set_new(&fx->set, NULL, NULL), 0);
	MGT_EQ_INT(mg_doc_parse_json(&sdoc, "s.json", schema, strlen(schema), NULL, NULL), 0);
	int err = mg_schema_add(&fx->schema, fx->set, sdoc, NULL);
	if (err)
		return fx->verdict = err;
	MGT_EQ_INT(mg_doc_parse_json(&fx->inst, "i.json", instance, strlen(instance), NULL, NULL), 0);
	if (!fx->inst)
		return fx->verdict = -100;
	return fx->verdict = mg_schema_validate(fx->schema, fx->inst->root, "i.json", &fx->f);
}

static void fx_free(fixture *fx)
{
	mg_findings_release(&fx->f);
	mg_doc_free(fx->inst);
	mg_schema_set_free(fx->set);
}

/* Verdict only. */
static int valid(const char *schema, const char *instance)
{
	fixture fx;
	int r = fx_run(&fx, schema, instance);
	if (r == 1)
		MGT_EQ_INT(fx.f.count, 0);
	if (r == 0)
		MGT_CHECK(fx.f.count > 0);
	fx_free(&fx);
	return r;
}

/* Exactly one finding with this message at line:col. */
static void expect_one(const char *schema, const char *instance, const char *msg, unsigned line, unsigned col)
{
	fixture fx;
	MGT_EQ_INT(fx_run(&fx, schema, instance), 0);
	MGT_EQ_INT(fx.f.count, 1);
	if (fx.f.count >= 1) {
		MGT_EQ_STR(fx.f.items[0].message, msg);
		MGT_EQ_INT(fx.f.items[0].line, line);
		MGT_EQ_INT(fx.f.items[0].col, col);
		MGT_EQ_STR(fx.f.items[0].path, "i.json");
		MGT_EQ_INT(fx.f.items[0].rule, MG_RULE_SCHEMA);
	}
	fx_free(&fx);
}

static const char product_schema[] =
	"{\"type\": \"object\", \"properties\": {\"data-product\": {\"type\": \"object\","
	" \"required\": [\"name\", \"bucket-name\"], \"additionalProperties\": false,"
	" \"properties\": {\"name\": {\"type\": \"string\"}, \"bucket-name\": {\"type\": \"string\"},"
	" \"data-product-owner\": {\"type\": \"string\"},"
	" \"format\": {\"enum\": [\"parquet\", \"avro\", \"json\", \"csv\", \"delta\"]},"
	" \"account\": {\"type\": \"string\", \"pattern\": \"^[0-9]{12}$\"}}}}}";

static void test_did_you_mean(void)
{
	expect_one(product_schema,
		   "{\n  \"data-product\": {\n    \"name\": \"a\", \"bucket-name\": \"b\",\n"
		   "    \"data-product-ownr\": \"me\"\n  }\n}",
		   "unknown key 'data-product-ownr' in data-product (did you mean 'data-product-owner'?)", 4, 5);
	/* nothing close: no suggestion */
	expect_one(product_schema,
		   "{\"data-product\": {\"name\": \"a\", \"bucket-name\": \"b\", \"zzzzzz\": 1}}",
		   "unknown key 'zzzzzz' in data-product", 1, 52);
	/* unevaluatedProperties: false sees properties of allOf branches */
	expect_one("{\"allOf\": [{\"properties\": {\"outputs\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/o\"}}}}],"
		   " \"unevaluatedProperties\": false, \"$defs\": {\"o\": {\"properties\": {\"table\": {}},"
		   " \"additionalProperties\": false}}}",
		   "{\"outputs\": [{\"table\": 1}, {\"tabel\": 2}]}",
		   "unknown key 'tabel' in outputs[1] (did you mean 'table'?)", 1, 29);
	expect_one("{\"allOf\": [{\"properties\": {\"region\": {}}}], \"unevaluatedProperties\": false}",
		   "{\"regoin\": 1}", "unknown key 'regoin' (did you mean 'region'?)", 1, 2);
	/* transposition counts as one edit */
	expect_one("{\"properties\": {\"owner\": {}}, \"additionalProperties\": false}", "{\"ownre\": 1}",
		   "unknown key 'ownre' (did you mean 'owner'?)", 1, 2);
}

static void test_required_at_object(void)
{
	expect_one(product_schema, "{\"data-product\":\n  {\"name\": \"a\"}}", "missing required key 'bucket-name'", 2,
		   3);
}

static void test_enum_type_messages(void)
{
	expect_one(product_schema, "{\"data-product\": {\"name\": \"a\", \"bucket-name\": \"b\", \"format\": \"foo\"}}",
		   "'foo' is not one of: parquet, avro, json, csv, delta", 1, 62);
	expect_one(product_schema, "{\"data-product\": {\"name\": 5, \"bucket-name\": \"b\"}}",
		   "expected string, got number", 1, 27);
	expect_one("{\"type\": [\"string\", \"null\"]}", "[]", "expected null or string, got array", 1, 1);
	expect_one("{\"const\": \"x\"}", "\"y\"", "'y' must be 'x'", 1, 1);
	expect_one("{\"minLength\": 3}", "\"ab\"", "'ab' is too short (at least 3 characters)", 1, 1);
	expect_one("{\"maximum\": 10}", "11", "11 is greater than the maximum 10", 1, 1);
	expect_one("{\"minItems\": 2}", "[1]", "array has 1 item, at least 2 required", 1, 1);
	expect_one("{\"uniqueItems\": true}", "[1, 2, 1.0]", "duplicate item at index 2 (same as index 0)", 1, 8);
	expect_one("{\"dependentRequired\": {\"a\": [\"b\"]}}", "{\"a\": 1}", "key 'a' requires key 'b'", 1, 1);
	expect_one("{\"prefixItems\": [{}], \"items\": false}", "[1, 2]",
		   "unexpected item at index 1 (at most 1 items allowed)", 1, 5);
}

static void test_pattern_and_x_message(void)
{
	expect_one(product_schema,
		   "{\"data-product\": {\"name\": \"a\", \"bucket-name\": \"b\", \"account\": \"123456789\"}}",
		   "'123456789' does not match pattern ^[0-9]{12}$", 1, 63);
	expect_one("{\"properties\": {\"account\": {\"type\": \"string\", \"pattern\": \"^[0-9]{12}$\","
		   " \"x-message\": \"AWS account ids have 12 digits\"}}}",
		   "{\"account\": \"123\"}", "AWS account ids have 12 digits", 1, 13);
	/* a number where a string with an x-message is wanted: how to quote it, not the x-message */
	expect_one("{\"properties\": {\"account\": {\"type\": \"string\", \"pattern\": \"^[0-9]{12}$\","
		   " \"x-message\": \"AWS account ids have 12 digits\"}}}",
		   "{\"account\": 123456789012}",
		   "expected string, got number: write it in quotes (\"123456789012\") to make it a string", 1, 13);
	/* x-message covers only its own schema's assertions */
	expect_one("{\"x-message\": \"outer\", \"properties\": {\"a\": {\"type\": \"string\"}}}", "{\"a\": 1}",
		   "expected string, got number", 1, 7);
}

static void test_format_date(void)
{
	const char *s = "{\"format\": \"date\"}";
	MGT_EQ_INT(valid(s, "\"2024-02-29\""), 1);
	MGT_EQ_INT(valid(s, "\"2000-02-29\""), 1);
	MGT_EQ_INT(valid(s, "\"2023-02-29\""), 0);
	MGT_EQ_INT(valid(s, "\"1900-02-29\""), 0);
	MGT_EQ_INT(valid(s, "\"2023-04-31\""), 0);
	MGT_EQ_INT(valid(s, "\"2023-13-01\""), 0);
	MGT_EQ_INT(valid(s, "\"2023-1-01\""), 0);
	MGT_EQ_INT(valid(s, "\"2023-01-01T00:00:00Z\""), 0);
	MGT_EQ_INT(valid(s, "42"), 1); /* formats only apply to strings */
	expect_one(s, "\"2023-02-29\"", "'2023-02-29' is not a valid date (expected YYYY-MM-DD)", 1, 1);
	/* other formats are annotations */
	MGT_EQ_INT(valid("{\"format\": \"uri\"}", "\"not a uri\""), 1);
}

static void test_format_email(void)
{
	const char *s = "{\"format\": \"email\"}";
	MGT_EQ_INT(valid(s, "\"joe.bloggs@example.com\""), 1);
	MGT_EQ_INT(valid(s, "\"a+tag@sub.example.co.uk\""), 1);
	MGT_EQ_INT(valid(s, "\"\\\"quoted name\\\"@example.com\""), 1);
	MGT_EQ_INT(valid(s, "\"user@[192.168.0.1]\""), 1);
	MGT_EQ_INT(valid(s, "\"user@[IPv6:2001:db8::1]\""), 1);
	MGT_EQ_INT(valid(s, "\"user@[127.0.0.300]\""), 0);
	MGT_EQ_INT(valid(s, "\"2962\""), 0);
	MGT_EQ_INT(valid(s, "\"a..b@example.com\""), 0);
	MGT_EQ_INT(valid(s, "\".a@example.com\""), 0);
	MGT_EQ_INT(valid(s, "\"a.@example.com\""), 0);
	MGT_EQ_INT(valid(s, "\"@example.com\""), 0);
	MGT_EQ_INT(valid(s, "\"a@\""), 0);
	MGT_EQ_INT(valid(s, "\"a@-example.com\""), 0);
	MGT_EQ_INT(valid(s, "\"a@example..com\""), 0);
	MGT_EQ_INT(valid(s, "\"a b@example.com\""), 0);
	expect_one(s, "\"nope\"", "'nope' is not a valid email address", 1, 1);
}

/* 1 match, 0 no match, or the compile error code. */
static int re_match(const char *pattern, const char *subject)
{
	mg_arena a = MG_ARENA_INIT;
	mg_regex *re = NULL;
	int r = mg_regex_compile(&re, &a, pattern, strlen(pattern));
	if (r == 0)
		r = mg_regex_search(re, subject, strlen(subject));
	mg_arena_free(&a);
	return r;
}

/*
 * The linear fast path (^a{m,n}b...$ without the NFA) against the NFA:
 * every pattern below over every string of up to 5 characters drawn from
 * a small alphabet, plus a few long ones.
 */
static void test_regex_linear_path(void)
{
	static const char *const patterns[] = {
		"^[A-Za-z_][A-Za-z0-9_]{0,254}$", "^[0-9]{12}$", "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
		"^[a-z_][a-z0-9_$]{0,62}$", "^a*a{2}$", "^a?b+a{1,3}$", "^.{2,3}$", "^[^a]*a$",
		"^a{0,0}b$", "^(ab)c$", "^a*b*a*$", "^[a.]{1,2}[.-]{0,1}a$", "^\\d{2}$", "^a",
		"a$", "^a|b$", "^(a|b)$", "^$", "^\\ba$",
	};
	static const char alphabet[] = { 'a', 'b', '.', '-', '0', '\n' };
	char subject[600];
	mg_arena a = MG_ARENA_INIT;
	for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
		mg_regex *re = NULL;
		MGT_EQ_INT(mg_regex_compile(&re, &a, patterns[i], strlen(patterns[i])), 0);
		if (!re)
			continue;
		for (size_t len = 0; len <= 5; len++) {
			size_t total = 1;
			for (size_t k = 0; k < len; k++)
				total *= sizeof alphabet;
			for (size_t v = 0; v < total; v++) {
				size_t x = v;
				for (size_t k = 0; k < len; k++, x /= sizeof alphabet)
					subject[k] = alphabet[x % sizeof alphabet];
				int fast = mg_regex_search(re, subject, len), nfa = mg_regex__search_nfa(re, subject, len);
				if (fast != nfa)
					fprintf(stderr, "pattern %s on '%.*s': %d, the NFA says %d\n", patterns[i], (int)len,
						subject, fast, nfa);
				MGT_EQ_INT(fast, nfa);
			}
		}
		/* long subjects: around the fast path's length limit, and a non-ASCII code point */
		for (size_t len = 250; len < sizeof subject; len += 131) {
			memset(subject, 'a', len);
			memcpy(subject + len / 2, "\xc3\xa9", 2);
			MGT_EQ_INT(mg_regex_search(re, subject, len), mg_regex__search_nfa(re, subject, len));
			memset(subject, 'a', len);
			MGT_EQ_INT(mg_regex_search(re, subject, len), mg_regex__search_nfa(re, subject, len));
		}
	}
	mg_arena_free(&a);
}

static void test_regex_engine(void)
{
	MGT_EQ_INT(re_match("^a*$", "aaa"), 1);
	MGT_EQ_INT(re_match("^a*$", "aab"), 0);
	MGT_EQ_INT(re_match("a+", "xxaxx"), 1); /* unanchored search */
	MGT_EQ_INT(re_match("^(cat|dog)s?$", "dogs"), 1);
	MGT_EQ_INT(re_match("^(cat|dog)s?$", "cow"), 0);
	MGT_EQ_INT(re_match("^(?:ab)+$", "ababab"), 1);
	MGT_EQ_INT(re_match("^(?:ab)+$", "ababa"), 0);
	MGT_EQ_INT(re_match("^[0-9]{12}$", "123456789012"), 1);
	MGT_EQ_INT(re_match("^[0-9]{12}$", "12345678901"), 0);
	MGT_EQ_INT(re_match("^[0-9]{12}$", "1234567890123"), 0);
	MGT_EQ_INT(re_match("^x{2,3}$", "xxxx"), 0);
	MGT_EQ_INT(re_match("^x{2,3}$", "xxx"), 1);
	MGT_EQ_INT(re_match("^x{2,}$", "xxxxxxx"), 1);
	MGT_EQ_INT(re_match("^x{2,}?$", "x"), 0);
	MGT_EQ_INT(re_match("^a.*?b$", "axxb"), 1);
	MGT_EQ_INT(re_match("^[^a-c]+$", "xyz"), 1);
	MGT_EQ_INT(re_match("^[^a-c]+$", "xbz"), 0);
	MGT_EQ_INT(re_match("^\\d\\D\\w\\W\\s\\S$", "1a_ \tx"), 1);
	MGT_EQ_INT(re_match("^[\\d-]+$", "12-3"), 1);
	MGT_EQ_INT(re_match("^\\.\\*\\u0041\\x42$", ".*AB"), 1);
	MGT_EQ_INT(re_match("^.$", "\xc3\xa9"), 1);                 /* one code point, two bytes */
	MGT_EQ_INT(re_match("^[\xc3\xa0-\xc3\xbf]$", "\xc3\xa9"), 1); /* ranges of code points */
	MGT_EQ_INT(re_match("^\\p{Letter}+$", "\xcf\x80x"), 1);
	MGT_EQ_INT(re_match("^\\p{L}+$", "123"), 0);
	MGT_EQ_INT(re_match("\\bfoo\\b", "a foo b"), 1);
	MGT_EQ_INT(re_match("\\bfoo\\b", "afoo"), 0);
	MGT_EQ_INT(re_match("^a{,2}$", "a{,2}"), 1); /* not a quantifier: literal braces */
	MGT_EQ_INT(re_match("^$", ""), 1);
	MGT_EQ_INT(re_match("x|", "abc"), 1);
	MGT_EQ_INT(re_match("(a)\\1", "aa"), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "(a)\\1") != NULL);
	MGT_EQ_INT(re_match("a(?=b)", "ab"), MG_EINVALID);
	MGT_EQ_INT(re_match("(?<!a)b", "b"), MG_EINVALID);
	MGT_EQ_INT(re_match("(ab", "ab"), MG_EINVALID);
	MGT_EQ_INT(re_match("[a-", "a"), MG_EINVALID);
	MGT_EQ_INT(re_match("*a", "a"), MG_EINVALID);
	MGT_EQ_INT(re_match("[z-a]", "a"), MG_EINVALID);
	MGT_EQ_INT(re_match("(a{1000}){1000}", "a"), MG_EINVALID); /* bounded program size */
}

static void test_regex_pathological(void)
{
	char subject[64];
	memset(subject, 'a', 40);
	strcpy(subject + 40, "!");
	clock_t t0 = clock();
	MGT_EQ_INT(re_match("(a+)+$", subject), 0); /* '$' needs the end; the '!' is in the way */
	MGT_EQ_INT(re_match("^(a+)+$", subject), 0);
	MGT_EQ_INT(re_match("^(a|a?)+$", subject), 0);
	MGT_EQ_INT(re_match("^(a*)*b$", subject), 0);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	MGT_CHECK(secs < 0.5);
}

static void test_pattern_schema_error(void)
{
	fixture fx;
	MGT_EQ_INT(fx_run(&fx, "{\"properties\": {\"a\": {\"pattern\": \"(?=x)\"}}}", "{}"), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "'(?=x)'") != NULL);
	fx_free(&fx);
	MGT_EQ_INT(fx_run(&fx, "{\"minLength\": -1}", "{}"), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "minLength") != NULL);
	fx_free(&fx);
}

static void test_length_counts_code_points(void)
{
	MGT_EQ_INT(valid("{\"maxLength\": 2}", "\"\xc3\xa9\xc3\xa9\""), 1);
	MGT_EQ_INT(valid("{\"minLength\": 3}", "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\""), 0);
}

static void test_numbers(void)
{
	MGT_EQ_INT(valid("{\"type\": \"integer\"}", "1.0"), 1);
	MGT_EQ_INT(valid("{\"type\": \"integer\"}", "1.5"), 0);
	MGT_EQ_INT(valid("{\"multipleOf\": 0.01}", "19.99"), 1);
	MGT_EQ_INT(valid("{\"multipleOf\": 0.0001}", "0.0075"), 1);
	MGT_EQ_INT(valid("{\"multipleOf\": 0.0001}", "0.00751"), 0);
	MGT_EQ_INT(valid("{\"multipleOf\": 3}", "10"), 0);
	MGT_EQ_INT(valid("{\"exclusiveMinimum\": 0}", "0"), 0);
	MGT_EQ_INT(valid("{\"multipleOf\": 0.5}", "1e308"), 1); /* x / m overflows */
	MGT_EQ_INT(valid("{\"multipleOf\": 0.123456789}", "1e308"), 0);
	expect_one("{\"multipleOf\": 0.5}", "1.2", "1.2 is not a multiple of 0.5", 1, 1);
}

static void test_any_of_summary(void)
{
	/* branches by type: one summary finding */
	expect_one("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}", "true",
		   "expected string or integer, got boolean", 1, 1);
	/* all-const branches read like an enum */
	expect_one("{\"oneOf\": [{\"const\": \"a\"}, {\"const\": \"b\"}]}", "\"c\"", "'c' is not one of: a, b", 1, 1);
	/* exactly one branch fits the discriminator: its errors are reported */
	expect_one("{\"oneOf\": [{\"type\": \"object\", \"properties\": {\"kind\": {\"const\": \"s3\"}, "
		   "\"bucket\": {\"type\": \"string\"}}, \"required\": [\"kind\", \"bucket\"]},"
		   " {\"type\": \"object\", \"properties\": {\"kind\": {\"const\": \"glue\"}}, \"required\": [\"kind\", \"db\"]}]}",
		   "{\"kind\": \"s3\", \"bucket\": 3}", "expected string, got number", 1, 26);
	/* several plausible branches: one summary */
	expect_one("{\"anyOf\": [{\"required\": [\"a\"]}, {\"required\": [\"b\"]}]}", "{}",
		   "object matches none of the 2 allowed forms (anyOf)", 1, 1);
	expect_one("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 0}]}", "3",
		   "value matches more than one of the allowed forms (oneOf); it must match exactly one", 1, 1);
}

static void test_no_duplicates(void)
{
	fixture fx;
	MGT_EQ_INT(fx_run(&fx, "{\"allOf\": [{\"type\": \"string\"}, {\"type\": \"string\"}], \"$ref\": \"#/allOf/0\"}",
			  "1"), 0);
	MGT_EQ_INT(fx.f.count, 1);
	fx_free(&fx);
	/* several distinct problems are all reported */
	MGT_EQ_INT(fx_run(&fx, product_schema, "{\"data-product\": {\"nam\": 1, \"format\": 2}}"), 0);
	MGT_EQ_INT(fx.f.count, 4); /* 2 missing keys, 1 unknown key, 1 enum */
	fx_free(&fx);
}

static void test_ref_errors(void)
{
	fixture fx;
	/* infinite recursion on the same instance ends with an error, not a crash */
	MGT_EQ_INT(fx_run(&fx, "{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": {\"$ref\": \"#/$defs/a\"}},"
			  " \"$ref\": \"#/$defs/a\"}", "1"), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "recursion") != NULL);
	fx_free(&fx);
	/* an unresolvable $ref is an error when reached */
	MGT_EQ_INT(fx_run(&fx, "{\"properties\": {\"a\": {\"$ref\": \"#/$defs/missing\"}}}", "{\"b\": 1}"), 1);
	fx_free(&fx);
	MGT_EQ_INT(fx_run(&fx, "{\"properties\": {\"a\": {\"$ref\": \"#/$defs/missing\"}}}", "{\"a\": 1}"), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "#/$defs/missing") != NULL);
	fx_free(&fx);
	MGT_EQ_INT(fx_run(&fx, "{\"$ref\": \"other.json\"}", "1"), MG_EINVALID);
	fx_free(&fx);
	/* recursive schemas over finite instances are fine */
	MGT_EQ_INT(fx_run(&fx, "{\"$id\": \"https://x.test/tree\", \"type\": \"object\", \"properties\": {\"kids\":"
			  " {\"type\": \"array\", \"items\": {\"$ref\": \"tree\"}}}}",
			  "{\"kids\": [{\"kids\": []}, {\"kids\": [{\"kids\": 1}]}]}"), 0);
	MGT_EQ_INT(fx.f.count, 1);
	fx_free(&fx);
}

static int memory_loader(mg_doc **out, const char *uri, void *ctx)
{
	(void)ctx;
	if (strcmp(uri, "https://x.test/common.json") != 0)
		return MG_ENOTFOUND;
	static const char text[] = "{\"$defs\": {\"account\": {\"type\": \"string\", \"pattern\": \"^[0-9]{12}$\"}}}";
	return mg_doc_parse_json(out, "common.json", text, sizeof text - 1, NULL, NULL);
}

static void test_remote_ref(void)
{
	mg_schema_set *set = NULL;
	mg_schema *s = NULL;
	mg_doc *sdoc = NULL, *inst = NULL;
	static const char schema[] = "{\"$id\": \"https://x.test/product.json\", \"properties\": {\"acct\":"
				     " {\"$ref\": \"common.json#/$defs/account\"}}}";
	MGT_EQ_INT(mg_schema_set_new(&set, memory_loader, NULL), 0);
	MGT_EQ_INT(mg_doc_parse_json(&sdoc, "p.json", schema, sizeof schema - 1, NULL, NULL), 0);
	MGT_EQ_INT(mg_schema_add(&s, set, sdoc, NULL), 0);
	MGT_EQ_INT(mg_doc_parse_json(&inst, "i.json", "{\"acct\": \"12\"}", 14, NULL, NULL), 0);
	MGT_EQ_INT(mg_schema_validate(s, inst->root, "i.json", NULL), 0);
	mg_doc_free(inst);
	mg_schema_set_free(set);
}

/* Hostile instances stay cheap: long arrays for uniqueItems are hashed and
 * findings stop after a cap. */
static void test_pathological_instances(void)
{
	enum { N = 20000 };
	char *text = malloc(N * 8 + 16);
	size_t n = 0;
	fixture fx;
	text[n++] = '[';
	for (int i = 0; i < N; i++)
		n += (size_t)sprintf(text + n, "%s%d", i ? "," : "", i % 2 ? i : 7);
	text[n++] = ']';
	text[n] = '\0';
	clock_t t0 = clock();
	MGT_EQ_INT(fx_run(&fx, "{\"uniqueItems\": true}", text), 0);
	MGT_EQ_INT(fx.f.count, 101); /* 100 and a note that more were not reported */
	MGT_EQ_STR(fx.f.items[0].message, "duplicate item at index 2 (same as index 0)");
	MGT_EQ_STR(fx.f.items[100].message, "more than 100 schema errors; the rest are not reported");
	fx_free(&fx);
	/* long array of distinct values (1 and 1.0 are equal) */
	n = 0;
	text[n++] = '[';
	for (int i = 0; i < N; i++)
		n += (size_t)sprintf(text + n, "%s%d", i ? "," : "", i);
	n += (size_t)sprintf(text + n, ",3.0]");
	MGT_EQ_INT(fx_run(&fx, "{\"uniqueItems\": true}", text), 0);
	MGT_EQ_INT(fx.f.count, 1);
	MGT_EQ_STR(fx.f.items[0].message, "duplicate item at index 20000 (same as index 3)");
	fx_free(&fx);
	MGT_EQ_INT(valid("{\"uniqueItems\": true}", "[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1}, 1,2,3,4,5,6,7,8,9,10,"
			 "11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33]"), 0);
	MGT_CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	free(text);
}

static void test_uri_resolve(void)
{
	/* RFC 3986 5.4.1 and 5.4.2 examples */
	static const char *const cases[][2] = {
		{ "g", "http://a/b/c/g" }, { "./g", "http://a/b/c/g" }, { "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" }, { "//g", "http://g" }, { "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" }, { "#s", "http://a/b/c/d;p?q#s" }, { "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" }, { "..", "http://a/b/" }, { "../g", "http://a/b/g" },
		{ "../..", "http://a/" }, { "../../../g", "http://a/g" }, { "/./g", "http://a/g" },
		{ "g.", "http://a/b/c/g." }, { "./../g", "http://a/b/g" }, { "g;x=1/../y", "http://a/b/c/y" },
		{ "urn:x:y#/a", "urn:x:y#/a" },
	};
	mg_arena a = MG_ARENA_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		MGT_EQ_STR(mg_uri_resolve(&a, "http://a/b/c/d;p?q", cases[i][0]), cases[i][1]);
	MGT_EQ_STR(mg_uri_resolve(&a, "urn:uuid:1234", "#foo"), "urn:uuid:1234#foo");
	MGT_EQ_STR(mg_uri_strip_fragment(&a, "http://x/y.json#/a"), "http://x/y.json");
	mg_arena_free(&a);
}

static void test_builtin_unknown(void)
{
	const mg_schema *s = NULL;
	MGT_EQ_INT(mg_schema_builtin(&s, "no-such.schema.json"), MG_ENOTFOUND);
	MGT_CHECK(strstr(mg_error_last(), "no-such.schema.json") != NULL);
}

/* One output whose file-format is `fmt`, against schema s: the verdict. */
static int outputs_valid(const mg_schema *s, const char *fmt)
{
	char text[256];
	mg_doc *doc = NULL;
	snprintf(text, sizeof text,
		 "{\"outputs\": {\"t\": {\"file-format\": \"%s\", \"port-type\": \"blob\", "
		 "\"location\": \"s3://bucket-a/t\"}}}", fmt);
	MGT_EQ_INT(mg_doc_parse_json(&doc, "o.json", text, strlen(text), NULL, NULL), 0);
	int r = mg_schema_validate(s, doc->root, "o.json", NULL);
	mg_doc_free(doc);
	return r;
}

/* extend-enums: a copy for one run accepts the extra values; the shared schema stays closed. */
static void test_builtin_extended(void)
{
	static const char *const extra[] = { "iceberg", "orc" };
	const mg_schema_enum_ext ext = { "/$defs/output/properties/file-format/enum", extra, 2 };
	const mg_schema_enum_ext bad = { "/$defs/output/properties/location", extra, 2 };
	const char *name = "data-product-outputs.schema.json";
	const mg_schema *shared = NULL, *own = NULL, *again = NULL;
	mg_schema_set *set = NULL;
	MGT_EQ_INT(mg_schema_builtin(&shared, name), 0);
	MGT_EQ_INT(outputs_valid(shared, "iceberg"), 0);
	MGT_EQ_INT(mg_schema_builtin_set_new(&set), 0);
	MGT_EQ_INT(mg_schema_builtin_extended(&own, set, name, &ext, 1), 0);
	MGT_EQ_INT(outputs_valid(own, "iceberg"), 1);
	MGT_EQ_INT(outputs_valid(own, "orc"), 1);
	MGT_EQ_INT(outputs_valid(own, "parquet"), 1);
	MGT_EQ_INT(outputs_valid(own, "hudi"), 0);
	MGT_EQ_INT(outputs_valid(shared, "iceberg"), 0);
	MGT_EQ_INT(mg_schema_builtin(&again, name), 0);
	MGT_EQ_INT(outputs_valid(again, "orc"), 0);
	MGT_EQ_INT(mg_schema_builtin_extended(&own, set, name, &bad, 1), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "is not an enum") != NULL);
	MGT_EQ_INT(mg_schema_builtin_extended(&own, set, "no-such.schema.json", &ext, 1), MG_ENOTFOUND);
	mg_schema_set_free(set);
}

MGT_MAIN(test_did_you_mean, test_required_at_object, test_enum_type_messages, test_pattern_and_x_message,
	 test_format_date, test_format_email, test_regex_engine, test_regex_linear_path, test_regex_pathological, test_pattern_schema_error,
	 test_length_counts_code_points, test_numbers, test_any_of_summary, test_no_duplicates, test_ref_errors,
	 test_remote_ref, test_pathological_instances, test_uri_resolve, test_builtin_unknown,
	 test_builtin_extended)
