/*
 * test_s3policy.c - the plain-C parts of the s3-policy backend: its
 * meshgate.yaml options, S3 locations, the Sids it owns, and bucket
 * policies merged per Sid (foreign statements kept as they are, the 20 KiB
 * limit, documents it refuses to merge into).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/s3policy_int.h"
#include "meshgate/buf.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "mgt.h"

static int parse_opts(const char *yaml, mg_findings *f, mg_s3p_options *o, mg_doc **doc)
{
	*doc = NULL;
	MGT_EQ_INT(mg_doc_parse_yaml(doc, "meshgate.yaml", yaml, strlen(yaml), NULL, NULL), 0);
	return mg_s3p_options_parse(*doc ? (*doc)->root : NULL, "meshgate.yaml", f, o);
}

static void test_s3policy__options(void)
{
	mg_findings f;
	mg_s3p_options o;
	mg_doc *doc;
	mg_findings_init(&f);
	MGT_EQ_INT(parse_opts("type: s3-policy\nregion: eu-west-1\nendpoint-url: http://127.0.0.1:5000\n"
			      "role-arn: arn:aws:iam::111122223333:role/meshgate\nlock-dir: /var/lock/mesh\n"
			      "attempts: 3\nsettle-ms: 0\n", &f, &o, &doc), 0);
	MGT_EQ_INT((int)f.count, 0);
	MGT_EQ_STR(o.region, "eu-west-1");
	MGT_EQ_STR(o.sts_endpoint_url, "http://127.0.0.1:5000"); /* a loopback endpoint serves STS too */
	MGT_EQ_STR(o.lock_dir, "/var/lock/mesh");
	MGT_EQ_INT((int)o.attempts, 3);
	MGT_EQ_INT((int)o.settle_ms, 0);
	MGT_EQ_INT((int)o.timeout_s, 30);
	mg_doc_free(doc);

	/* credentials, an unknown option, a relative lock-dir, bad numbers, http off loopback */
	MGT_EQ_INT(parse_opts("type: s3-policy\nregion: eu-west-1\nsecret-access-key: wJalrXUtnFEMI/K7MDENG\n"
			      "bucket: x\nlock-dir: locks\nattempts: 0\nsettle-ms: -1\n"
			      "endpoint-url: http://s3.example.com\n", &f, &o, &doc), 0);
	MGT_EQ_INT((int)f.count, 6);
	for (size_t i = 0; i < f.count; i++) {
		MGT_CHECK(strstr(f.items[i].message, "wJalrXUtnFEMI") == NULL);
		MGT_EQ_INT(f.items[i].rule, MG_RULE_CONFIG);
	}
	MGT_CHECK(strstr(f.items[0].message, "credentials never come from the repository") != NULL);
	MGT_CHECK(strstr(f.items[1].message, "unknown option 'bucket'") != NULL);
	mg_doc_free(doc);
	mg_findings_release(&f);

	/* building it: the first problem is the error */
	mg_findings_init(&f);
	MGT_EQ_INT(parse_opts("type: s3-policy\n", NULL, &o, &doc), MG_EINVALID);
	MGT_CHECK(strstr(mg_error_last(), "region is required") != NULL);
	mg_doc_free(doc);
	mg_findings_release(&f);
}

static void test_s3policy__locations(void)
{
	mg_s3p_location l;
	MGT_EQ_INT(mg_s3p_location_parse("s3://shop-orders-prod/orders/2024/", &l), 0);
	MGT_EQ_STR(l.bucket, "shop-orders-prod");
	MGT_EQ_STR(l.prefix, "orders/2024");
	MGT_EQ_INT(mg_s3p_location_parse("s3://bkt", &l), 0);
	MGT_EQ_STR(l.prefix, "");
	static const char *const bad[] = { "https://bkt/x", "s3://", "s3://ab/x", "s3://Bucket/x", "s3://bkt-/x",
					   "s3://bkt/a*", "s3://bkt/a?b", "s3://bkt//a", "s3://bkt/a//b",
					   "s3://bkt/a\nb", "s3://bkt_x/a" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		MGT_EQ_INT(mg_s3p_location_parse(bad[i], &l), MG_EINVALID);
		mg_error_clear();
	}
}

static void test_s3policy__sids(void)
{
	char a[26], b[26], c[26];
	/* sha256("prod\0arn:aws:iam::1:role/r\0p\0t\0"), by sha256sum */
	mg_s3p_sid_stem("prod", "arn:aws:iam::1:role/r", "p", "t", a);
	MGT_EQ_STR(a, "meshgate-fb85f4b717d3f12e");
	mg_s3p_sid_stem("dev", "arn:aws:iam::1:role/r", "p", "t", b);
	mg_s3p_sid_stem("prod", "arn:aws:iam::1:role/r", "pt", "", c); /* no ambiguity between fields */
	MGT_CHECK(strcmp(a, b) != 0);
	MGT_CHECK(strcmp(a, c) != 0);
}

#define FOREIGN "{\"Sid\":\"DenyInsecure\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\"," \
	"\"Resource\":\"arn:aws:s3:::bkt/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}"

static mg_s3p_policy *parsed(const char *text)
{
	mg_s3p_policy *p = NULL;
	MGT_EQ_INT(mg_s3p_policy_parse(text, strlen(text), &p), 0);
	return p;
}

static void test_s3policy__merge_per_sid(void)
{
	mg_s3p_location loc;
	mg_s3p_change add[2], rm[2];
	mg_buf out = MG_BUF_INIT;
	size_t n = 0;
	MGT_EQ_INT(mg_s3p_location_parse("s3://bkt/orders", &loc), 0);
	MGT_EQ_INT(mg_s3p_changes_for("meshgate-0123456789abcdef", "arn:aws:iam::1:role/r", &loc, add), 0);
	MGT_EQ_STR(add[0].sid, "meshgate-0123456789abcdef-get");
	MGT_EQ_STR(add[0].stmt_json, "{\"Sid\":\"meshgate-0123456789abcdef-get\",\"Effect\":\"Allow\",\"Principal\":"
				     "{\"AWS\":\"arn:aws:iam::1:role/r\"},\"Action\":\"s3:GetObject\",\"Resource\":"
				     "\"arn:aws:s3:::bkt/orders/*\"}");
	MGT_EQ_STR(add[1].stmt_json, "{\"Sid\":\"meshgate-0123456789abcdef-list\",\"Effect\":\"Allow\",\"Principal\":"
				     "{\"AWS\":\"arn:aws:iam::1:role/r\"},\"Action\":\"s3:ListBucket\",\"Resource\":"
				     "\"arn:aws:s3:::bkt\",\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"orders\","
				     "\"orders/*\"]}}}");
	MGT_EQ_INT(mg_s3p_changes_for("meshgate-0123456789abcdef", NULL, NULL, rm), 0);
	MGT_CHECK(rm[0].stmt_json == NULL && rm[1].stmt_json == NULL);

	/* a lone Statement object (not an array), foreign: kept exactly, ours appended */
	mg_s3p_policy *p = parsed("{\"Version\":\"2012-10-17\",\"Id\":\"keep-me\",\"Statement\":" FOREIGN "}");
	MGT_EQ_INT((int)mg_s3p_policy_count(p), 1);
	MGT_CHECK(!mg_s3p_policy_reflects(p, add, 2));
	MGT_EQ_INT(mg_s3p_policy_merge(p, add, 2, "bkt", &out, &n), 0);
	MGT_EQ_INT((int)n, 3);
	mg_s3p_policy *q = parsed(out.ptr);
	MGT_CHECK(strstr(out.ptr, "\"Id\":\"keep-me\"") != NULL);
	MGT_CHECK(mg_s3p_policy_reflects(q, add, 2));
	MGT_CHECK(mg_s3p_policy_keeps(q, p, add, 2));
	MGT_CHECK(mg_s3p_policy_has(q, "DenyInsecure", FOREIGN));

	/* merging the same again changes nothing; a changed statement of ours replaces it in place */
	mg_buf again = MG_BUF_INIT;
	MGT_EQ_INT(mg_s3p_policy_merge(q, add, 2, "bkt", &again, &n), 0);
	MGT_EQ_STR(again.ptr, out.ptr);
	mg_s3p_change moved[2];
	mg_s3p_location loc2;
	MGT_EQ_INT(mg_s3p_location_parse("s3://bkt/orders-v2", &loc2), 0);
	MGT_EQ_INT(mg_s3p_changes_for("meshgate-0123456789abcdef", "arn:aws:iam::1:role/r", &loc2, moved), 0);
	MGT_CHECK(!mg_s3p_policy_reflects(q, moved, 2));
	mg_buf_release(&again);
	MGT_EQ_INT(mg_s3p_policy_merge(q, moved, 2, "bkt", &again, &n), 0);
	MGT_EQ_INT((int)n, 3);
	MGT_CHECK(strstr(again.ptr, "orders-v2/*") != NULL);
	MGT_CHECK(strstr(again.ptr, "bkt/orders/*") == NULL);

	/* a revoke removes exactly ours; the foreign statement stays; a lost write is seen */
	mg_buf gone = MG_BUF_INIT;
	MGT_EQ_INT(mg_s3p_policy_merge(q, rm, 2, "bkt", &gone, &n), 0);
	MGT_EQ_INT((int)n, 1);
	mg_s3p_policy *r = parsed(gone.ptr);
	MGT_CHECK(mg_s3p_policy_reflects(r, rm, 2));
	MGT_CHECK(!mg_s3p_policy_reflects(r, add, 2)); /* what a writer sees when another overwrote its statements */
	MGT_CHECK(mg_s3p_policy_has(r, "DenyInsecure", FOREIGN));
	/* a foreign statement that went missing is noticed */
	mg_s3p_policy *empty = parsed("");
	MGT_CHECK(!mg_s3p_policy_keeps(empty, p, add, 2));
	MGT_EQ_INT((int)mg_s3p_policy_count(empty), 0);
	/* removing the last statement leaves none: the caller deletes the policy */
	mg_buf none = MG_BUF_INIT;
	mg_s3p_policy *only = parsed("{\"Statement\":[]}");
	MGT_EQ_INT(mg_s3p_policy_merge(only, rm, 2, "bkt", &none, &n), 0);
	MGT_EQ_INT((int)n, 0);

	mg_s3p_policy_free(p);
	mg_s3p_policy_free(q);
	mg_s3p_policy_free(r);
	mg_s3p_policy_free(empty);
	mg_s3p_policy_free(only);
	for (int i = 0; i < 2; i++) {
		mg_s3p_change_release(&add[i]);
		mg_s3p_change_release(&rm[i]);
		mg_s3p_change_release(&moved[i]);
	}
	mg_buf_release(&out);
	mg_buf_release(&again);
	mg_buf_release(&gone);
	mg_buf_release(&none);
}

static void test_s3policy__size_limit_and_refused_documents(void)
{
	mg_buf big = MG_BUF_INIT, out = MG_BUF_INIT;
	mg_s3p_location loc;
	mg_s3p_change add[2];
	size_t n;
	/* foreign statements up to just under 20 KiB: ours would pass the limit */
	MGT_EQ_INT(mg_buf_adds(&big, "{\"Version\":\"2012-10-17\",\"Statement\":["), 0);
	for (int i = 0; big.len < MG_S3P_POLICY_MAX - 300; i++)
		MGT_EQ_INT(mg_buf_addf(&big, "%s{\"Sid\":\"F%d\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":"
				       "\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::bkt/f/%d/*\"}", i ? "," : "", i, i), 0);
	MGT_EQ_INT(mg_buf_adds(&big, "]}"), 0);
	mg_s3p_policy *p = parsed(big.ptr);
	MGT_EQ_INT(mg_s3p_location_parse("s3://bkt/orders", &loc), 0);
	MGT_EQ_INT(mg_s3p_changes_for("meshgate-0123456789abcdef", "arn:aws:iam::1:role/r", &loc, add), 0);
	MGT_EQ_INT(mg_s3p_policy_merge(p, add, 2, "bkt", &out, &n), MG_ETOOBIG);
	MGT_CHECK(strstr(mg_error_last(), "over S3's limit of 20480 (20 KiB): nothing was written") != NULL);
	MGT_EQ_INT((int)out.len, 0);
	mg_s3p_policy_free(p);
	mg_s3p_change_release(&add[0]);
	mg_s3p_change_release(&add[1]);

	static const char *const bad[] = { "[]", "{\"Statement\":\"x\"}", "{\"Statement\":[1]}", "{\"Statement\":[{\"Sid\":1}]}",
					   "{\"Statement\":[]} trailing", "{", "\"s\"",
					   "{\"Statement\":[{\"Effect\":\"Deny\",\"Effect\":\"Allow\"}]}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mg_s3p_policy *x = (mg_s3p_policy *)1;
		MGT_EQ_INT(mg_s3p_policy_parse(bad[i], strlen(bad[i]), &x), MG_EPARSE);
		MGT_CHECK(x == NULL);
		mg_error_clear();
	}
	/* more statements than meshgate reads */
	mg_buf many = MG_BUF_INIT;
	MGT_EQ_INT(mg_buf_adds(&many, "{\"Statement\":["), 0);
	for (int i = 0; i <= MG_S3P_STATEMENTS_MAX; i++)
		MGT_EQ_INT(mg_buf_adds(&many, i ? ",{}" : "{}"), 0);
	MGT_EQ_INT(mg_buf_adds(&many, "]}"), 0);
	mg_s3p_policy *x = NULL;
	MGT_EQ_INT(mg_s3p_policy_parse(many.ptr, many.len, &x), MG_EPARSE);
	mg_error_clear();
	mg_buf_release(&many);
	mg_buf_release(&big);
	mg_buf_release(&out);
}

static int count_owned(void *ctx, const char *sid, const char *principal)
{
	int *n = ctx;
	MGT_CHECK(strncmp(sid, "meshgate-", 9) == 0);
	MGT_EQ_STR(principal, "arn:aws:iam::1:role/r");
	(*n)++;
	return 0;
}

static void test_s3policy__owned_statements(void)
{
	mg_s3p_policy *p = parsed("{\"Statement\":[" FOREIGN ",{\"Sid\":\"meshgate-1-get\",\"Principal\":{\"AWS\":"
				  "\"arn:aws:iam::1:role/r\"}},{\"Sid\":\"meshgateX\"},{\"Principal\":\"*\"}]}");
	int n = 0;
	MGT_EQ_INT(mg_s3p_policy_owned(p, count_owned, &n), 0);
	MGT_EQ_INT(n, 1);
	mg_s3p_policy_free(p);
}

MGT_MAIN(test_s3policy__options, test_s3policy__locations, test_s3policy__sids, test_s3policy__merge_per_sid,
	 test_s3policy__size_limit_and_refused_documents, test_s3policy__owned_statements)
