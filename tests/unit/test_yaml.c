/* test_yaml.c - the strict YAML loader: core schema, positions, and every refusal. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "mgt.h"

static mg_doc *load_n(const char *text, size_t len, const mg_doc_limits *lim)
{
	mg_doc *d = NULL;
	mg_findings f;
	mg_findings_init(&f);
	int r = mg_doc_parse_yaml(&d, "t.yaml", text, len, lim, &f);
	MGT_EQ_INT(r, 0);
	MGT_EQ_INT(f.count, 0);
	if (f.count)
		fprintf(stderr, "  unexpected: %u:%u %s\n", f.items[0].line, f.items[0].col,
			f.items[0].message);
	mg_findings_release(&f);
	return d;
}

static mg_doc *load(const char *text)
{
	return load_n(text, strlen(text), NULL);
}

/* Expects one parse finding at line:col whose message contains `what`. */
static void refuse_n(const char *text, size_t len, const mg_doc_limits *lim, unsigned line,
		     unsigned col, const char *what)
{
	mg_doc *d = (mg_doc *)1;
	mg_findings f;
	mg_findings_init(&f);
	int r = mg_doc_parse_yaml(&d, "t.yaml", text, len, lim, &f);
	MGT_EQ_INT(r, MG_EPARSE);
	MGT_CHECK(d == NULL);
	MGT_EQ_INT(f.count, 1);
	if (f.count == 1) {
		MGT_EQ_STR(f.items[0].path, "t.yaml");
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

static const mg_node *item(const mg_node *arr, size_t i)
{
	if (!arr || arr->type != MG_NODE_ARRAY || i >= arr->u.array.count)
		return NULL;
	return arr->u.array.items[i];
}

static unsigned line_of(const mg_node *n)
{
	return n ? n->line : 0;
}

static unsigned col_of(const mg_node *n)
{
	return n ? n->col : 0;
}

static void expect_number(const mg_node *n, double v, int is_integer)
{
	MGT_CHECK(n != NULL);
	if (!n)
		return;
	MGT_EQ_INT(n->type, MG_NODE_NUMBER);
	MGT_CHECK(n->u.number.value == v);
	MGT_EQ_INT(n->u.number.is_integer, is_integer);
}

static void expect_string(const mg_node *n, const char *s)
{
	MGT_CHECK(n != NULL);
	if (!n)
		return;
	MGT_EQ_INT(n->type, MG_NODE_STRING);
	MGT_EQ_STR(n->u.string.ptr, s);
	MGT_EQ_INT(n->u.string.len, strlen(s));
}

static void expect_type(const mg_node *n, mg_node_type t)
{
	MGT_CHECK(n != NULL);
	if (n)
		MGT_EQ_INT(n->type, t);
}

static void test_core_schema(void)
{
	mg_doc *d = load("nulls: [~, null, Null, NULL, ]\n"
			 "empty:\n"
			 "bools: [true, True, TRUE, false, False, FALSE]\n"
			 "strings: [yes, No, on, OFF, y, nULL, tRUE, 1_000, 0x, 0xG, -0x1, 0o8, 1e, .,"
			 " +, 1.2.3, 12:30, '1', \"true\", 'null', '']\n"
			 "ints: [0, 42, -17, +12, 012, 0x1F, 0xff, 0o17, -0, 18446744073709551616,"
			 " 0xFFFFFFFFFFFFFFFFFF]\n"
			 "floats: [1.5, -.5, 1., 1e3, 2.5E-1, +1.0e+2, 0.1]\n");
	if (!d)
		return;
	const mg_node *root = d->root;
	const mg_node *nulls = mg_obj_get(root, "nulls");
	MGT_EQ_INT(nulls->u.array.count, 4);
	for (size_t i = 0; i < nulls->u.array.count; i++)
		expect_type(item(nulls, i), MG_NODE_NULL);
	expect_type(mg_obj_get(root, "empty"), MG_NODE_NULL);

	const mg_node *bools = mg_obj_get(root, "bools");
	MGT_EQ_INT(bools->u.array.count, 6);
	for (size_t i = 0; i < 6; i++) {
		expect_type(item(bools, i), MG_NODE_BOOL);
		MGT_CHECK(item(bools, i) && item(bools, i)->u.boolean == (i < 3));
	}

	static const char *const strings[] = { "yes", "No", "on", "OFF", "y", "nULL", "tRUE",
					       "1_000", "0x", "0xG", "-0x1", "0o8", "1e", ".",
					       "+", "1.2.3", "12:30", "1", "true", "null", "" };
	const mg_node *s = mg_obj_get(root, "strings");
	MGT_EQ_INT(s->u.array.count, sizeof strings / sizeof strings[0]);
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		expect_string(item(s, i), strings[i]);

	const mg_node *ints = mg_obj_get(root, "ints");
	expect_number(item(ints, 0), 0, 1);
	expect_number(item(ints, 1), 42, 1);
	expect_number(item(ints, 2), -17, 1);
	expect_number(item(ints, 3), 12, 1);
	expect_number(item(ints, 4), 12, 1); /* 1.2 core: decimal, not octal */
	expect_number(item(ints, 5), 31, 1);
	expect_number(item(ints, 6), 255, 1);
	expect_number(item(ints, 7), 15, 1);
	expect_number(item(ints, 8), 0, 1);
	expect_number(item(ints, 9), 18446744073709551616.0, 1);
	expect_number(item(ints, 10), 4722366482869645213696.0, 1);

	const mg_node *floats = mg_obj_get(root, "floats");
	expect_number(item(floats, 0), 1.5, 0);
	expect_number(item(floats, 1), -0.5, 0);
	expect_number(item(floats, 2), 1.0, 1); /* mathematically an integer */
	expect_number(item(floats, 3), 1000.0, 1);
	expect_number(item(floats, 4), 0.25, 0);
	expect_number(item(floats, 5), 100.0, 1);
	expect_number(item(floats, 6), 0.1, 0);
	mg_doc_free(d);
}

static void test_quoted_and_block_scalars_are_strings(void)
{
	mg_doc *d = load("a: \"42\"\n"
			 "b: 'true'\n"
			 "c: |\n"
			 "  12\n"
			 "  line two\n"
			 "d: >-\n"
			 "  folded\n"
			 "  text\n"
			 "e: \"tab\\tnul\\0end\\u00e9\"\n"
			 "f: 'it''s'\n"
			 "g: \"\"\n");
	if (!d)
		return;
	expect_string(mg_obj_get(d->root, "a"), "42");
	expect_string(mg_obj_get(d->root, "b"), "true");
	expect_string(mg_obj_get(d->root, "c"), "12\nline two\n");
	expect_string(mg_obj_get(d->root, "d"), "folded text");
	const mg_node *e = mg_obj_get(d->root, "e");
	MGT_EQ_INT(e->u.string.len, 13);
	MGT_CHECK(memcmp(e->u.string.ptr, "tab\tnul\0end\xC3\xA9", 14) == 0); /* NUL-terminated too */
	expect_string(mg_obj_get(d->root, "f"), "it's");
	expect_string(mg_obj_get(d->root, "g"), "");
	mg_doc_free(d);
}

static void test_positions(void)
{
	/* columns count code points: "é" and "ü" are two bytes, "😀" four */
	mg_doc *d = load("é: ü\n"
			 "x: [é, b, \"ü\", 😀, c]\n"
			 "nested:\n"
			 "  - k: v\n"
			 "    😀😀: {ä: 1, b: [2]}\n"
			 "  - |\n"
			 "    text\n");
	if (!d)
		return;
	const mg_node *root = d->root;
	MGT_EQ_INT(root->type, MG_NODE_OBJECT);
	MGT_EQ_INT(root->line, 1);
	MGT_EQ_INT(root->col, 1);
	const mg_member *m = &root->u.object.members[0];
	MGT_EQ_STR(m->key, "é");
	MGT_EQ_INT(m->key_len, 2);
	MGT_EQ_INT(m->line, 1);
	MGT_EQ_INT(m->col, 1);
	MGT_EQ_INT(m->value->line, 1);
	MGT_EQ_INT(m->value->col, 4);

	const mg_node *x = mg_obj_get(root, "x");
	MGT_EQ_INT(x->line, 2);
	MGT_EQ_INT(x->col, 4);
	MGT_EQ_INT(col_of(item(x, 0)), 5);
	MGT_EQ_INT(col_of(item(x, 1)), 8);
	MGT_EQ_INT(col_of(item(x, 2)), 11);
	MGT_EQ_INT(col_of(item(x, 3)), 16);
	MGT_EQ_INT(col_of(item(x, 4)), 19);

	const mg_member *nested = mg_obj_member(root, "nested");
	MGT_EQ_INT(nested->line, 3);
	MGT_EQ_INT(nested->col, 1);
	const mg_node *seq = nested->value;
	MGT_EQ_INT(seq->line, 4);
	MGT_EQ_INT(seq->col, 3);
	const mg_node *obj = item(seq, 0);
	MGT_EQ_INT(obj->line, 4);
	MGT_EQ_INT(obj->col, 5);
	const mg_member *emoji = mg_obj_member(obj, "😀😀");
	MGT_EQ_INT(emoji->line, 5);
	MGT_EQ_INT(emoji->col, 5);
	MGT_EQ_INT(emoji->value->col, 9);
	const mg_member *ae = mg_obj_member(emoji->value, "ä");
	MGT_EQ_INT(ae->line, 5);
	MGT_EQ_INT(ae->col, 10);
	MGT_EQ_INT(ae->value->col, 13);
	const mg_node *b = mg_obj_get(emoji->value, "b");
	MGT_EQ_INT(b->col, 19);
	MGT_EQ_INT(col_of(item(b, 0)), 20);
	const mg_node *lit = item(seq, 1);
	MGT_EQ_INT(lit->line, 6);
	MGT_EQ_INT(lit->col, 5);
	expect_string(lit, "text\n");
	mg_doc_free(d);
}

static void test_crlf_and_bom(void)
{
	mg_doc *d = load("\xEF\xBB\xBF" "a: 1\r\nb:\r\n  - x\r\n");
	if (!d)
		return;
	const mg_member *a = mg_obj_member(d->root, "a");
	MGT_EQ_INT(a->line, 1);
	MGT_EQ_INT(a->col, 1); /* the BOM takes no column */
	const mg_node *b = mg_obj_get(d->root, "b");
	MGT_EQ_INT(b->line, 3);
	MGT_EQ_INT(b->col, 3);
	expect_string(item(b, 0), "x");
	mg_doc_free(d);
}

static void test_block_and_flow_give_one_tree(void)
{
	mg_doc *block = load("name: sales\n"
			     "tags:\n"
			     "  - a\n"
			     "  - 2\n"
			     "owner:\n"
			     "  team: x\n"
			     "  active: true\n"
			     "  none:\n");
	mg_doc *flow = load("{name: sales, tags: [a, 2], owner: {team: x, active: true, none: null}}");
	mg_doc *other = load("{name: sales, tags: [a, '2'], owner: {team: x, active: true, none: ~}}");
	if (block && flow && other) {
		MGT_CHECK(mg_node_equal(block->root, flow->root));
		MGT_CHECK(!mg_node_equal(block->root, other->root));
	}
	mg_doc_free(block);
	mg_doc_free(flow);
	mg_doc_free(other);
}

static void test_same_tree_as_json(void)
{
	static const char json[] = "{\n"
				   "  \"tables\": [\n"
				   "    {\"name\": \"sales_predictions\", \"visibility\": \"internal\",\n"
				   "     \"columns\": [{\"name\": \"article_number\", \"pci\": true}]},\n"
				   "    {\"name\": \"sales_trends\", \"visibility\": \"public\",\n"
				   "     \"columns\": [{\"name\": \"date\", \"pci\": true, \"pii\": false,\n"
				   "                    \"width\": 8, \"ratio\": 0.5}],\n"
				   "     \"note\": null, \"text\": \"multi\\nline\\n\"}\n"
				   "  ],\n"
				   "  \"version\": \"1.0\"\n"
				   "}\n";
	static const char yaml[] = "# the same document\n"
				   "tables:\n"
				   "  - name: sales_predictions\n"
				   "    visibility: internal\n"
				   "    columns:\n"
				   "      - name: article_number\n"
				   "        pci: true\n"
				   "  - name: sales_trends\n"
				   "    visibility: public\n"
				   "    columns:\n"
				   "      - {name: date, pci: true, pii: false,\n"
				   "         width: 8, ratio: 0.5}\n"
				   "    note:\n"
				   "    text: |\n"
				   "      multi\n"
				   "      line\n"
				   "version: \"1.0\"\n";
	mg_doc *j = NULL, *y = NULL;
	mg_findings f;
	mg_findings_init(&f);
	MGT_EQ_INT(mg_doc_parse(&j, "x/data-product-visibility.json", json, sizeof json - 1, NULL, &f), 0);
	MGT_EQ_INT(mg_doc_parse(&y, "x/data-product-visibility.yaml", yaml, sizeof yaml - 1, NULL, &f), 0);
	MGT_EQ_INT(f.count, 0);
	if (j && y) {
		MGT_EQ_INT(y->format, MG_FORMAT_YAML);
		MGT_EQ_STR(y->path, "x/data-product-visibility.yaml");
		MGT_CHECK(mg_node_equal(j->root, y->root));
	}
	mg_doc_free(j);
	mg_doc_free(y);
	mg_findings_release(&f);
}

static void test_empty_documents(void)
{
	static const char *const empties[] = { "", "# only a comment\n", "\n\n", "---\n", "--- ~\n" };
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		mg_doc *d = load(empties[i]);
		if (!d)
			continue;
		MGT_EQ_INT(d->root->type, MG_NODE_NULL);
		mg_doc_free(d);
	}
	mg_doc *d = load("");
	if (d) {
		MGT_EQ_INT(d->root->line, 1);
		MGT_EQ_INT(d->root->col, 1);
		mg_doc_free(d);
	}
	d = load("%YAML 1.2\n---\na: 1\n...\n");
	if (d) {
		expect_number(mg_obj_get(d->root, "a"), 1, 1);
		mg_doc_free(d);
	}
	d = load("--- scalar\n");
	if (d) {
		expect_string(d->root, "scalar");
		MGT_EQ_INT(d->root->col, 5);
		mg_doc_free(d);
	}
}

static void test_syntax_errors(void)
{
	refuse("a: 1\n- b", 2, 1, "did not find expected key while parsing a block mapping");
	refuse("a:\n  b: 1\n c: 2", 3, 2, "did not find expected key while parsing a block mapping");
	refuse("a: 1\n b: 2", 2, 3, "mapping values are not allowed in this context");
	refuse("é: [1, 2}", 1, 9, "did not find expected ',' or ']' while parsing a flow sequence");
	refuse("a: \"abc", 1, 8, "found unexpected end of stream while scanning a quoted scalar");
	refuse("ké: \"é\\qx\"", 1, 7, "found unknown escape character while parsing a quoted scalar");
	refuse("\t- a", 1, 1, "found character that cannot start any token");
	refuse("a: @x", 1, 4, "found character that cannot start any token");
	refuse("a:\n  - b\n  c: 1", 3, 3, "did not find expected '-' indicator");
}

static void test_duplicate_keys(void)
{
	refuse("a: 1\nb: 2\na: 3", 3, 1, "duplicate key 'a' (first at line 1)");
	refuse("x: {b: 1, ü: 2, ü: 3}", 1, 17, "duplicate key 'ü' (first at line 1)");
	refuse("- k: 1\n  k: 2", 2, 3, "duplicate key 'k' (first at line 1)");
	/* keys are text: 1 and "1" are the same key */
	refuse("1: a\ntrue: b\n\"1\": c", 3, 1, "duplicate key '1' (first at line 1)");
	/* an alias as a key is its anchor's text */
	refuse("a: &k name\nname: 1\n*k : 2", 3, 1, "duplicate key 'name' (first at line 2)");
	/* the same key in different mappings is fine, also nested and after closing */
	mg_doc *d = load("a: {a: {a: 1}, b: {a: 2}}\nb: [{a: 1}, {a: 2}]\nc: {a: 3}");
	mg_doc_free(d);

	/* many keys: the table grows and forgets closed mappings correctly */
	char *big = malloc(64 * 1024);
	size_t n = 0;
	for (int i = 0; i < 500; i++)
		n += (size_t)sprintf(big + n, "k%d: {k%d: %d, x: [{k%d: 1}]}\n", i, i, i, i);
	d = load_n(big, n, NULL);
	if (d) {
		MGT_EQ_INT(d->root->u.object.count, 500);
		mg_doc_free(d);
	}
	n += (size_t)sprintf(big + n, "k250: 0\n");
	refuse_n(big, n, NULL, 501, 1, "duplicate key 'k250' (first at line 251)");
	free(big);
}

static void test_tags_are_refused(void)
{
	refuse("a: !!str 1", 1, 4, "tags are not supported");
	refuse("a: !custom x", 1, 4, "tags are not supported");
	refuse("- !!binary aGVsbG8=", 1, 3, "tags are not supported");
	refuse("a: ! x", 1, 4, "tags are not supported");
	refuse("a: !!map {b: 1}", 1, 4, "tags are not supported");
	refuse("a:\n  - !!seq [1]", 2, 5, "tags are not supported");
	refuse("!!str k: v", 1, 1, "tags are not supported");
}

static void test_non_scalar_keys_are_refused(void)
{
	refuse("? [a, b]\n: x", 1, 3, "non-scalar keys are not supported");
	refuse("{a: 1}: b", 1, 1, "non-scalar keys are not supported");
	refuse("x:\n  ? {a: 1}\n  : b", 2, 5, "non-scalar keys are not supported");
	refuse("a: &m {b: 1}\n*m : c", 2, 1, "non-scalar keys are not supported");
}

static void test_one_document_only(void)
{
	refuse("a: 1\n---\nb: 2", 2, 1, "more than one document in the stream");
	refuse("---\n---\n", 2, 1, "more than one document in the stream");
	refuse("- a\n...\n--- b\n", 3, 1, "more than one document in the stream");
}

static void test_merge_key_is_ordinary(void)
{
	mg_doc *d = load("base: &b {x: 1}\nmine:\n  <<: *b\n  y: 2\n");
	if (!d)
		return;
	const mg_node *mine = mg_obj_get(d->root, "mine");
	MGT_EQ_INT(mine->u.object.count, 2);
	const mg_node *merged = mg_obj_get(mine, "<<");
	expect_type(merged, MG_NODE_OBJECT);
	MGT_CHECK(mg_obj_get(mine, "x") == NULL);
	mg_doc_free(d);
}

static void test_inf_and_nan_are_refused(void)
{
	refuse("a: .inf", 1, 4, "value '.inf' is not representable in JSON");
	refuse("a: [1, -.Inf]", 1, 8, "value '-.Inf' is not representable in JSON");
	refuse("a: +.INF", 1, 4, "not representable in JSON");
	refuse("a: .nan", 1, 4, "value '.nan' is not representable in JSON");
	refuse("a: .NaN", 1, 4, "not representable in JSON");
	refuse("a:\n  b: 1e400", 2, 6, "value '1e400' is not representable in JSON");
	/* quoted, they are strings */
	mg_doc *d = load("a: '.inf'\nb: \".nan\"\nc: -.inf0\n");
	if (d) {
		expect_string(mg_obj_get(d->root, "a"), ".inf");
		expect_string(mg_obj_get(d->root, "b"), ".nan");
		expect_string(mg_obj_get(d->root, "c"), "-.inf0");
		mg_doc_free(d);
	}
}

static void test_aliases(void)
{
	refuse("s: &s text\ns: 2", 2, 1, "duplicate key 's' (first at line 1)");

	mg_doc *d = load("defaults: &d\n"
		 "  unit: days\n"
		 "  time: 30\n"
		 "a: *d\n"
		 "n: &n 5\n"
		 "m: *n\n"
		 "s: &s text\n"
		 "s2: [*s, *s]\n"
		 "r: &s redefined\n"
		 "t: *s\n");
	if (!d)
		return;
	const mg_node *def = mg_obj_get(d->root, "defaults");
	const mg_node *a = mg_obj_get(d->root, "a");
	MGT_CHECK(mg_node_equal(def, a));
	/* the alias node sits where the alias is; its children are the anchor's */
	MGT_EQ_INT(a->line, 4);
	MGT_EQ_INT(a->col, 4);
	MGT_EQ_INT(def->line, 1); /* a node starts at its properties: the anchor */
	MGT_EQ_INT(def->col, 11);
	MGT_EQ_INT(mg_obj_member(a, "time")->line, 3);
	expect_number(mg_obj_get(d->root, "m"), 5, 1);
	MGT_EQ_INT(line_of(mg_obj_get(d->root, "m")), 6);
	const mg_node *s2 = mg_obj_get(d->root, "s2");
	expect_string(item(s2, 0), "text");
	expect_string(item(s2, 1), "text");
	MGT_EQ_INT(col_of(item(s2, 1)), 10);
	expect_string(mg_obj_get(d->root, "t"), "redefined");
	mg_doc_free(d);

	/* a redefined anchor: each alias takes the latest definition before it (YAML allows
	   redefinition), whatever the kinds, inside the node that redefines it too */
	d = load("a: &x [1]\n"
		 "b: *x\n"
		 "c: &x {k: v}\n"
		 "d: *x\n"
		 "e: &x [&x 2, *x]\n"
		 "f: *x\n"
		 "&y g: 3\n"
		 "h: *y\n"
		 "&y i: 4\n"
		 "j: *y\n"
		 "k: {*y : 5}\n");
	if (d) {
		expect_number(item(mg_obj_get(d->root, "b"), 0), 1, 1);
		expect_string(mg_obj_get(mg_obj_get(d->root, "d"), "k"), "v");
		const mg_node *e = mg_obj_get(d->root, "e"), *f = mg_obj_get(d->root, "f");
		expect_number(item(e, 1), 2, 1); /* the inner &x 2, not the list still open */
		MGT_CHECK(mg_node_equal(e, f));  /* after e ends, x is e */
		expect_string(mg_obj_get(d->root, "h"), "g");
		expect_string(mg_obj_get(d->root, "j"), "i");
		expect_number(mg_obj_get(mg_obj_get(d->root, "k"), "i"), 5, 1); /* as a key, the latest text */
	}
	mg_doc_free(d);

	refuse("a: 1\nb: *nope", 2, 4, "undefined alias 'nope'");
	refuse("a: &x [1, *x]", 1, 11, "alias 'x' refers to a node that contains it");
	refuse("a: *x\nb: &x 1", 1, 4, "undefined alias 'x'");
}

static void test_alias_bomb(void)
{
	static const char bomb[] = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
				   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
				   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
				   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
				   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	clock_t t0 = clock();
	/* a, b, c and d expand to 10, 91, 820 and 7381 nodes: 8289 so far, one *d more is too many */
	refuse(bomb, 5, 8, "aliases expand to more than the limit of 10000 nodes");
	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	lim.max_alias_nodes = (size_t)-1 / 2;
	lim.max_bytes = (size_t)-1 / 2; /* the text aliases repeat is charged against it too */
	mg_doc *d = load_n(bomb, sizeof bomb - 1, &lim); /* shared, not expanded: still fast */
	mg_doc_free(d);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	MGT_CHECK(secs < 0.1);

	/* exactly at the limit is fine */
	lim.max_alias_nodes = 2 * 10;
	static const char two[] = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a]";
	static const char three[] = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]";
	d = load_n(two, sizeof two - 1, &lim);
	mg_doc_free(d);
	refuse_n(three, sizeof three - 1, &lim, 2, 13,
		 "limit of 20 nodes");
}

static void test_alias_text_limit(void)
{
	/* 2 aliases of a 1000-byte string: 2000 bytes repeated, past a 1500-byte budget */
	char doc[1100 + 40];
	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	int n = snprintf(doc, sizeof doc, "a: &a \"%0*d\"\nb: [*a, *a]\n", 1000, 7);
	lim.max_bytes = 1500;
	refuse_n(doc, (size_t)n, &lim, 2, 9, "aliases expand to more than the limit of 1500 bytes");
	lim.max_bytes = 2100;
	mg_doc_free(load_n(doc, (size_t)n, &lim));
}

static void test_depth_limit(void)
{
	size_t n = 10000;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	refuse_n(deep, 2 * n, NULL, 1, 65, "nesting deeper than the limit of 64");
	/* block sequences nested on one line: "- - - ... x" */
	for (size_t i = 0; i < n; i++)
		memcpy(deep + 2 * i, "- ", 2);
	deep[2 * n - 1] = 'x';
	refuse_n(deep, 2 * n, NULL, 1, 129, "nesting deeper than the limit of 64");
	free(deep);

	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	lim.max_depth = 2;
	refuse_n("a:\n  b:\n    c: 1", 16, &lim, 3, 5, "nesting deeper than the limit of 2");
	mg_doc *d = load_n("a:\n  b: 1", 9, &lim);
	mg_doc_free(d);
	d = load_n("just a scalar", 13, &lim);
	mg_doc_free(d);

	/* an alias counts the depth of what it stands for */
	lim.max_depth = 3;
	d = load_n("a: &x [[1]]\nb: *x", 17, &lim);
	mg_doc_free(d);
	refuse_n("a: &x [[1]]\nb: [*x]", 19, &lim, 2, 5, "nesting deeper than the limit of 3");
}

static void test_size_limit(void)
{
	size_t n = 2u << 20;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i += 8)
		memcpy(big + i, "- item\n\n", 8);
	refuse_n(big, n, NULL, 1, 1, "file is 2097152 bytes, larger than the limit of 1048576");
	free(big);
	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	lim.max_bytes = 8;
	refuse_n("[1, 2, 3, 4]", 12, &lim, 1, 1, "larger than the limit of 8");
	mg_doc *d = load_n("[1, 2]", 6, &lim);
	mg_doc_free(d);
}

static void test_invalid_utf8(void)
{
	refuse("a: ok\xC3\x28", 1, 6, "invalid UTF-8 (byte 0xc3)");
	refuse("é: ü\r\nb: \xFF", 2, 4, "invalid UTF-8 (byte 0xff)");
	refuse("é: ü\rb:\n  - \xFE", 3, 5, "invalid UTF-8");
	refuse("a: [\"ü\xED\xA0\x80\"]", 1, 7, "invalid UTF-8 (byte 0xed)"); /* encoded surrogate */
	refuse("\xC0\xAF: 1", 1, 1, "invalid UTF-8");                        /* overlong */
	refuse("a: \xE2\x82", 1, 4, "invalid UTF-8");                        /* truncated */
	refuse("\xEF\xBB\xBF" "a: \x80", 1, 4, "invalid UTF-8");             /* after a BOM */
	refuse("\xFF\xFE" "a\0:\0", 1, 1, "invalid UTF-8");                  /* UTF-16 */
	/* libyaml's control characters, at their exact place too */
	refuse("a: b\x07", 1, 5, "control character U+0007 is not allowed");
	refuse_n("a: \"x\0\"", 7, NULL, 1, 6, "control character U+0000 is not allowed");
	refuse("ä: \xC2\x9F", 1, 4, "control character U+009F is not allowed");
}

/*
 * YAML that the 1.2 specification rejects and libyaml 0.2.5 accepts (the
 * yaml-test-suite cases it names), and the valid neighbours that stay.
 */
static void test_spec_errors_libyaml_accepts(void)
{
	/* flow collections and quoted scalars less indented than their block (9C9N, QB6E) */
	refuse("---\nflow: [a,\nb,\nc]\n", 3, 1, "this line of a flow collection is indented by 0 spaces");
	refuse("k: {a: 1,\nb: 2}\n", 2, 1, "flow collection is indented by 0 spaces, but YAML needs at least 1");
	refuse("k:\n  - [a,\n  b]\n", 3, 3, "needs at least 3");
	refuse("a:\n  b: [\n\tc]\n", 3, 1, "flow collection is indented by 0 spaces");
	refuse("---\nquoted: \"a\nb\nc\"\n", 3, 1, "this line of a quoted scalar is indented by 0 spaces");
	refuse("k: 'a\n b'\nq: 'c\nd'\n", 4, 1, "quoted scalar");
	/* a comment without white space before it (9JBA, CVW2, SU5Z, X4QW) */
	refuse("---\n[ a, b, c, ]#invalid\n", 2, 13, "'#' directly after a value");
	refuse("---\n[ a, b, c,#invalid\n]\n", 2, 11, "'#' directly after a value");
	refuse("key: \"value\"# invalid comment\n", 1, 13, "put a space before '#'");
	refuse("key: 'value'#c\n", 1, 13, "'#' directly after a value");
	refuse("k: {a: b}#c\n", 1, 10, "'#' directly after a value");
	refuse("block: ># comment\n  scalar\n", 1, 9, "after a block scalar header");
	refuse("block: |-#c\n  scalar\n", 1, 10, "after a block scalar header");
	/* libyaml's marks count code points after the BOM: the checks still hit the right bytes */
	refuse("\xEF\xBB\xBF" "k: \"a\"#c\n", 1, 7, "'#' directly after a value");
	refuse("\xEF\xBB\xBF" "k: [a,\nb]\n", 2, 1, "flow collection is indented by 0 spaces");
	refuse("k: \"\xC3\xA9\xC3\xA9\"#c\n", 1, 8, "'#' directly after a value");
	refuse("k: [\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9,\nb]\n", 2, 1, "flow collection is indented");
	refuse("\xEF\xBB\xBF" "a: \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"\r\nk: [a]#c\r\n", 2, 7, "'#' directly after a value");
	/* a plain '-' in a flow collection: '-' starts a plain scalar only before a safe character (G5U8) */
	refuse("---\n- [-, -]\n", 2, 4, "a plain '-' cannot stand alone in a flow collection");
	refuse("k: [a, -]\n", 1, 8, "quote it");
	refuse("k: {a: -}\n", 1, 8, "a plain '-' cannot stand alone");
	refuse("k: [&x -]\n", 1, 8, "a plain '-' cannot stand alone");
	/* '?' straight before a node in a flow collection: YAML reads the text '?x', libyaml a key x */
	refuse("k: [?x]\n", 1, 5, "'?x' in a flow collection");
	refuse("k: {?x: 1}\n", 1, 5, "'?x' in a flow collection");
	refuse("k: [a, ?b]\n", 1, 8, "'?b' in a flow collection");
	refuse("a: &a x\nk: [?*a]\n", 2, 5, "in a flow collection");
	refuse("k: [?[b]]\n", 1, 5, "a '?' with no space after it in a flow collection");
	refuse("k: {?: b}\n", 1, 5, "a '?' with no space after it");
	/* already refused by libyaml, kept as guards: a document marker inside a quoted scalar (9MQT) */
	refuse("--- \"a\n... x\nb\"\n", 2, 1, "unexpected document indicator");
	refuse("--- 'a\n--- x\nb'\n", 2, 1, "unexpected document indicator");
	/* a directive after a document without '...' (EB22): a second document, refused at the directive */
	refuse("---\nscalar1 # comment\n%YAML 1.2\n---\nscalar2\n", 3, 1,
	       "a %YAML or %TAG directive after a document must follow a '...' line");
	refuse("---\na\n...\n%YAML 1.2\n---\nb\n", 4, 1, "more than one document in the stream");

	/* valid YAML 1.2 that must stay accepted */
	mg_doc *d = load("k: v#c\n");
	MGT_CHECK(d != NULL);
	if (d)
		expect_string(mg_obj_get(d->root, "k"), "v#c");
	mg_doc_free(d);
	d = load("k: \"\xC3\xA9\xC3\xA9#\"\n"); /* a '#' inside the quotes, after non-ASCII text */
	if (d)
		expect_string(mg_obj_get(d->root, "k"), "\xC3\xA9\xC3\xA9#");
	mg_doc_free(d);
	d = load("--- \"a\n...x\nb\"\n"); /* 9MQT's valid half: '...x' is no marker */
	if (d)
		expect_string(d->root, "a ...x b");
	mg_doc_free(d);
	d = load("{-: a, b: [-x, --, -#]}\n");
	if (d) {
		expect_string(mg_obj_get(d->root, "-"), "a");
		const mg_node *b = mg_obj_get(d->root, "b");
		expect_string(item(b, 0), "-x");
		expect_string(item(b, 1), "--");
		expect_string(item(b, 2), "-#");
	}
	mg_doc_free(d);
	d = load("?x: 1\n"); /* in a block, '?x' is text, for libyaml too */
	if (d)
		expect_number(mg_obj_get(d->root, "?x"), 1, 1);
	mg_doc_free(d);
	const char *const ok[] = {
		"{a: 1,\nb: 2}\n",
		"[a,\nb]\n",
		"k: [a,\n  b]\n",
		"k: [a, # one\n# at column one\n  b]\n",
		"k:\n  - [a,\n     b]\n",
		"k:\n- [a,\n b]\n",
		"- k: [a,\n   b]\n",
		"k: \"a\n  b\"\n",
		"k: 'a\n\n  b'\n",
		"k: [a, b] # c\n",
		"k: \"v\" # c\n",
		"k: [a, b, # c\n  d]\n",
		"k: > # c\n  text\n",
		"k: |2-\n   text\n",
		"\"top\nlevel\"\n",
		"k: [a,\n  \tb]\n",
		"k: &x [a,\n  b]\nj: *x\n",
		"k: [? x, ? y : z]\n",
		"k: {? x : 1}\n",
		"k: [x?, \"?x\", '-', \"-\"]\n",
		"k: [-1, -0.5]\n",
		"\xEF\xBB\xBF" "k: [a,\n  b] # c\n",
		"k: \"\xC3\xA9\xC3\xA9\" # c\n",
		NULL,
	};
	for (size_t i = 0; ok[i]; i++) {
		d = load(ok[i]);
		if (!d)
			MGT_EQ_STR("refused", ok[i]);
		mg_doc_free(d);
	}
}

static void test_findings_may_be_null(void)
{
	mg_doc *d = (mg_doc *)1;
	MGT_EQ_INT(mg_doc_parse_yaml(&d, "t.yaml", "a: [", 4, NULL, NULL), MG_EPARSE);
	MGT_CHECK(d == NULL);
	MGT_EQ_INT(mg_doc_parse_yaml(&d, NULL, "a: 1", 4, NULL, NULL), 0);
	if (d)
		expect_number(mg_obj_get(d->root, "a"), 1, 1);
	mg_doc_free(d);
}

MGT_MAIN(test_core_schema, test_quoted_and_block_scalars_are_strings, test_positions,
	 test_crlf_and_bom, test_block_and_flow_give_one_tree, test_same_tree_as_json,
	 test_empty_documents, test_syntax_errors, test_duplicate_keys, test_tags_are_refused,
	 test_non_scalar_keys_are_refused, test_one_document_only, test_merge_key_is_ordinary,
	 test_inf_and_nan_are_refused, test_aliases, test_alias_bomb, test_alias_text_limit,
	 test_depth_limit, test_size_limit, test_invalid_utf8, test_findings_may_be_null,
	 test_spec_errors_libyaml_accepts)
