/* test_json.c - the strict JSON loader: tree, positions, and every refusal. */
#include <stdlib.h>
#include <string.h>

#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "mgt.h"

static mg_doc *load(const char *text)
{
	mg_doc *d = NULL;
	mg_findings f;
	mg_findings_init(&f);
	int r = mg_doc_parse_json(&d, "t.json", text, strlen(text), NULL, &f);
	MGT_EQ_INT(r, 0);
	MGT_EQ_INT(f.count, 0);
	if (f.count)
		fprintf(stderr, "  unexpected: %u:%u %s\n", f.items[0].line, f.items[0].col,
			f.items[0].message);
	mg_findings_release(&f);
	return d;
}

/* Expects one parse finding at line:col whose message contains `what`. */
static void refuse_n(const char *text, size_t len, const mg_doc_limits *lim, unsigned line,
		     unsigned col, const char *what)
{
	mg_doc *d = (mg_doc *)1;
	mg_findings f;
	mg_findings_init(&f);
	int r = mg_doc_parse_json(&d, "t.json", text, len, lim, &f);
	MGT_EQ_INT(r, MG_EPARSE);
	MGT_CHECK(d == NULL);
	MGT_EQ_INT(f.count, 1);
	if (f.count == 1) {
		MGT_EQ_INT(f.items[0].rule, MG_RULE_PARSE);
		MGT_EQ_INT(f.items[0].line, line);
		MGT_EQ_INT(f.items[0].col, col);
		if (!strstr(f.items[0].message, what))
			MGT_EQ_STR(f.items[0].message, what);
	}
	mg_findings_release(&f);
}

static void refuse(const char *text, unsigned line, unsigned col, const char *what)
{
	refuse_n(text, strlen(text), NULL, line, col, what);
}

static void test_values_and_positions(void)
{
	mg_doc *d = load("{\n  \"a\": [1, 2.5, -0, 1e2, 1.0],\n  \"b\": {\"c\": null, \"d\": true},\n"
			 "  \"é\": \"ü\\u00e9\\ud83d\\ude00\\n\"\n}\n");
	if (!d)
		return;
	const mg_node *root = d->root;
	MGT_EQ_INT(root->type, MG_NODE_OBJECT);
	MGT_EQ_INT(root->line, 1);
	MGT_EQ_INT(root->col, 1);
	MGT_EQ_INT(root->u.object.count, 3);
	const mg_node *a = mg_obj_get(root, "a");
	MGT_EQ_INT(a->type, MG_NODE_ARRAY);
	MGT_EQ_INT(a->u.array.count, 5);
	MGT_EQ_INT(a->line, 2);
	MGT_EQ_INT(a->col, 8);
	MGT_CHECK(a->u.array.items[0]->u.number.is_integer);
	MGT_CHECK(!a->u.array.items[1]->u.number.is_integer);
	MGT_CHECK(a->u.array.items[3]->u.number.value == 100.0);
	MGT_CHECK(a->u.array.items[3]->u.number.is_integer);
	MGT_CHECK(a->u.array.items[4]->u.number.is_integer);
	MGT_EQ_INT(a->u.array.items[1]->col, 12);
	const mg_member *b = mg_obj_member(root, "b");
	MGT_EQ_INT(b->line, 3);
	MGT_EQ_INT(b->col, 3);
	MGT_EQ_INT(mg_obj_get(b->value, "c")->type, MG_NODE_NULL);
	MGT_CHECK(mg_obj_get(b->value, "d")->u.boolean);
	const mg_member *e = &root->u.object.members[2];
	MGT_EQ_STR(e->key, "é");
	/* columns count code points: the value after "é": starts at column 8 */
	MGT_EQ_INT(e->value->col, 8);
	MGT_EQ_STR(e->value->u.string.ptr, "üé\xF0\x9F\x98\x80\n");
	MGT_EQ_INT(e->value->u.string.len, 9);
	mg_doc_free(d);
}

static void test_escaped_nul_keeps_length(void)
{
	mg_doc *d = load("\"a\\u0000b\"");
	if (!d)
		return;
	MGT_EQ_INT(d->root->u.string.len, 3);
	MGT_CHECK(memcmp(d->root->u.string.ptr, "a\0b", 3) == 0);
	mg_doc_free(d);
}

static void test_bom_is_tolerated(void)
{
	mg_doc *d = load("\xEF\xBB\xBF{\"x\": 1}");
	if (!d)
		return;
	MGT_EQ_INT(mg_obj_member(d->root, "x")->col, 2);
	mg_doc_free(d);
}

static void test_syntax_errors(void)
{
	refuse("", 1, 1, "unexpected end of file");
	refuse("{\"a\": 1,}", 1, 9, "trailing comma");
	refuse("[1, 2", 1, 6, "unexpected end of file");
	refuse("{\n  \"a\" 1\n}", 2, 7, "expected ':'");
	refuse("{\"a\": tru}", 1, 7, "expected a value");
	refuse("[01]", 1, 2, "leading zeros");
	refuse("[1.]", 1, 4, "digit after '.'");
	refuse("{'a': 1}", 1, 2, "expected a string key");
	refuse("\"abc", 1, 1, "unterminated string");
	refuse("\"a\\qb\"", 1, 3, "invalid escape");
	refuse("\"\\ud800x\"", 1, 2, "unpaired UTF-16 surrogate");
	refuse("\"tab\there\"", 1, 5, "control character");
	refuse("{} {}", 1, 4, "expected end of file");
	refuse("[1e999]", 1, 2, "out of range");
	refuse("// comment\n{}", 1, 1, "unexpected '/'");
}

static void test_duplicate_keys(void)
{
	refuse("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", 3, 2, "duplicate key 'a' (first at line 1)");
	/* the large-object path (sorted) reports the first repeat in document order */
	char big[4096] = "{";
	for (int i = 0; i < 40; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "\"k%d\": %d,\n", i, i);
	strcat(big, "\"k7\": 0, \"k3\": 1}");
	refuse(big, 41, 1, "duplicate key 'k7' (first at line 8)");
}

static void test_invalid_utf8(void)
{
	refuse("{\"a\": \"ok\xC3\x28\"}", 1, 10, "invalid UTF-8");
	refuse("[\"\xED\xA0\x80\"]", 1, 3, "invalid UTF-8");     /* encoded surrogate */
	refuse("[\"\xC0\xAF\"]", 1, 3, "invalid UTF-8");         /* overlong */
	refuse("[\xFF]", 1, 2, "unexpected byte 0xff");
}

static void test_depth_limit(void)
{
	size_t n = 10000;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	refuse_n(deep, 2 * n, NULL, 1, 65, "nesting deeper than the limit of 64");
	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	lim.max_depth = 4;
	refuse_n("[[[[[]]]]]", 10, &lim, 1, 5, "limit of 4");
	free(deep);
	mg_doc *d = load("[[[[]]]]");
	mg_doc_free(d);
}

static void test_size_limit(void)
{
	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	lim.max_bytes = 8;
	refuse_n("[1,2,3,4,5]", 11, &lim, 1, 1, "larger than the limit of 8");
}

static void test_binary_garbage_and_truncation(void)
{
	static const char garbage[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	refuse_n(garbage, sizeof garbage - 1, NULL, 1, 1, "unexpected byte 0x89");
	refuse_n("{\"a\": [1, {\"b\": \"x", 18, NULL, 1, 17, "unterminated string");
	refuse_n("[1]\0", 4, NULL, 1, 4, "expected end of file");
}

static void test_equality(void)
{
	mg_doc *a = load("{\"x\": [1, {\"y\": \"z\"}], \"w\": 2.0}");
	mg_doc *b = load("{\"w\": 2, \"x\": [1.0, {\"y\": \"z\"}]}");
	mg_doc *c = load("{\"w\": 2, \"x\": [1.0, {\"y\": \"Z\"}]}");
	MGT_CHECK(mg_node_equal(a->root, b->root));
	MGT_CHECK(!mg_node_equal(a->root, c->root));
	mg_doc_free(a);
	mg_doc_free(b);
	mg_doc_free(c);
}

MGT_MAIN(test_values_and_positions, test_escaped_nul_keeps_length, test_bom_is_tolerated,
	 test_syntax_errors, test_duplicate_keys, test_invalid_utf8, test_depth_limit,
	 test_size_limit, test_binary_garbage_and_truncation, test_equality)
