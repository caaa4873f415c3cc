/*
 * test_rules_scale.c - the catalogue rules on hand-built models: helpers,
 * and pathological sizes (10,000-deep lineage chains and cycles, 10,000
 * products in one environment, 10,000 consumers, huge names) that must give
 * the right findings without deep recursion or pairwise comparisons.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/rules.h"
#include "mgt.h"
#include "rules/rules_int.h"

#define N 10000

static mg_catalogue cat;
static mg_pii_matcher *pii;

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string in the catalogue's arena. */
static const char *fmt(const char *f, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	return mg_arena_strdup(&cat.arena, buf);
}

static mg_pos at(const char *file, uint32_t line)
{
	mg_pos p = { file, line, 1 };
	return p;
}

/* n products "p00000".. in environment dev, bucket "bucket", one table "t" at s3://bucket/<name>. */
static void build(size_t n)
{
	mg_catalogue_init(&cat);
	cat.products = calloc(n, sizeof *cat.products);
	cat.nproducts = n;
	for (size_t i = 0; i < n; i++) {
		mg_product *p = &cat.products[i];
		p->environment = "dev";
		p->folder = fmt("dc/dev/p%05zu", i);
		p->name = fmt("p%05zu", i);
		p->name_at = at(fmt("dc/dev/p%05zu/data-product.json", i), 2);
		p->bucket = "bucket";
		p->tables = mg_arena_calloc(&cat.arena, 1, sizeof *p->tables);
		p->ntables = 1;
		p->tables[0].name = "t";
		p->tables[0].location = fmt("s3://bucket/p%05zu", i);
		p->tables[0].location_at = at(fmt("dc/dev/p%05zu/data-product-outputs.json", i), 3);
	}
}

/* Product i reads product j. */
static void edge(size_t i, size_t j)
{
	mg_product *p = &cat.products[i];
	mg_input *in = mg_arena_calloc(&cat.arena, p->ninputs + 1, sizeof *in);
	if (p->ninputs)
		memcpy(in, p->inputs, p->ninputs * sizeof *in);
	in[p->ninputs].key = cat.products[j].name;
	in[p->ninputs].at = at(fmt("dc/dev/p%05zu/data-product-inputs.json", i), 2 + (uint32_t)p->ninputs);
	in[p->ninputs].declared_product = true;
	p->inputs = in;
	p->ninputs++;
}

static mg_findings F;

static void run(void)
{
	mg_rules_ctx ctx = { NULL, pii, "2026-01-01" };
	mg_findings_init(&F);
	MGT_EQ_INT(mg_rules_run(&cat, &ctx, &F), 0);
}

static size_t count(mg_rule r)
{
	size_t n = 0;
	for (size_t i = 0; i < F.count; i++)
		n += F.items[i].rule == r;
	return n;
}

static const mg_finding *first(mg_rule r)
{
	for (size_t i = 0; i < F.count; i++)
		if (F.items[i].rule == r)
			return &F.items[i];
	return NULL;
}

static void done(void)
{
	mg_findings_release(&F);
	mg_catalogue_release(&cat);
}

static void test_scale__helpers(void)
{
	const char *b, *k, *acc;
	size_t bl, kl, al;
	MGT_CHECK(mg_rules_s3_split("s3://bkt/a/b//", &b, &bl, &k, &kl));
	MGT_EQ_INT(bl, 3);
	MGT_EQ_INT(kl, 3);
	MGT_CHECK(memcmp(k, "a/b", 3) == 0);
	MGT_CHECK(mg_rules_s3_split("s3://bkt", &b, &bl, &k, &kl) && kl == 0);
	MGT_CHECK(!mg_rules_s3_split("s3:///x", &b, &bl, &k, &kl));
	MGT_CHECK(!mg_rules_s3_split("https://bkt/x", &b, &bl, &k, &kl));
	MGT_CHECK(mg_rules_arn_account("arn:aws:iam::123456789012:role/x", &acc, &al));
	MGT_CHECK(al == 12 && memcmp(acc, "123456789012", 12) == 0);
	MGT_CHECK(mg_rules_arn_account("arn:aws-cn:iam::1:role/x", &acc, &al) && al == 1);
	MGT_CHECK(!mg_rules_arn_account("arn:aws:iam::123", &acc, &al));
	MGT_CHECK(!mg_rules_arn_account("role/x", &acc, &al));
	mg_buf n = MG_BUF_INIT;
	MGT_EQ_INT(mg_rules_normalise(&n, "Sales-Orders.v2 X_y"), 0);
	MGT_EQ_STR(n.ptr, "sales_orders_v2_x_y");
	mg_buf_release(&n);
	mg_strmap m = MG_STRMAP_INIT;
	size_t v = 0;
	for (size_t i = 0; i < 1000; i++) {
		const char *key = fmt("k%zu", i);
		MGT_EQ_INT(mg_strmap_put(&m, key, strlen(key), i, NULL), 0);
	}
	MGT_EQ_INT(mg_strmap_put(&m, "k7", 2, 99, &v), 1);
	MGT_EQ_INT(v, 7);
	MGT_CHECK(mg_strmap_get(&m, "k999", 4, &v) && v == 999);
	MGT_CHECK(!mg_strmap_get(&m, "k1000", 5, NULL));
	mg_strmap_release(&m);
	mg_arena_free(&cat.arena);
}

static void test_scale__deep_chain_has_no_cycle(void)
{
	build(N);
	for (size_t i = 0; i + 1 < N; i++)
		edge(i, i + 1);
	run();
	MGT_EQ_INT(F.count, 0);
	done();
	/* the same chain pointing the other way round */
	build(N);
	for (size_t i = 1; i < N; i++)
		edge(i, i - 1);
	run();
	MGT_EQ_INT(F.count, 0);
	done();
}

static void test_scale__deep_cycle_reported_once(void)
{
	build(N);
	for (size_t i = 0; i + 1 < N; i++)
		edge(i, i + 1);
	edge(N - 1, 0);
	run();
	MGT_EQ_INT(F.count, 1);
	const mg_finding *x = first(MG_RULE_LINEAGE_CYCLE);
	MGT_CHECK(x != NULL);
	if (x) {
		MGT_EQ_STR(x->path, "dc/dev/p09999/data-product-inputs.json");
		MGT_CHECK(strstr(x->message, "'p00000' -> 'p00001' -> ") != NULL);
		MGT_CHECK(strstr(x->message, "-> ... (9985 more) -> 'p09997' -> 'p09998' -> 'p09999' -> "
					     "'p00000'") != NULL);
	}
	done();
}

static void test_scale__many_small_cycles(void)
{
	/* 5,000 two-product cycles: 5,000 findings, each at the closing input */
	build(N);
	for (size_t i = 0; i < N; i += 2) {
		edge(i, i + 1);
		edge(i + 1, i);
	}
	run();
	MGT_EQ_INT(count(MG_RULE_LINEAGE_CYCLE), N / 2);
	MGT_EQ_INT(F.count, N / 2);
	done();
}

static void test_scale__ten_thousand_products_in_one_environment(void)
{
	build(N);
	/* a duplicate name (normalised), a nested location and an equal one */
	cat.products[N - 1].name = "P00000";
	cat.products[5000].tables[0].location = "s3://bucket/p04999/sub";
	cat.products[6000].tables[0].location = "s3://bucket/p06001/";
	/* undeclared product inputs get suggestions within a budget */
	for (size_t i = 0; i < N; i++) {
		edge(i, i);
		cat.products[i].inputs[0].key = fmt("q%05zu", i);
	}
	run();
	MGT_EQ_INT(count(MG_RULE_DUPLICATE_PRODUCT), 1);
	const mg_finding *d = first(MG_RULE_DUPLICATE_PRODUCT);
	if (d) {
		MGT_EQ_STR(d->path, "dc/dev/p09999/data-product.json");
		MGT_CHECK(strstr(d->message, "already used by 'p00000' (dc/dev/p00000/data-product.json:2)"));
	}
	MGT_EQ_INT(count(MG_RULE_OVERLAPPING_LOCATION), 2);
	MGT_EQ_INT(count(MG_RULE_UNKNOWN_INPUT), N);
	MGT_EQ_INT(count(MG_RULE_LINEAGE_CYCLE), 0);
	done();
}

static void test_scale__nested_locations(void)
{
	/* s3://bucket/d, s3://bucket/d/d, ... 1,000 deep: each inside the previous */
	build(1000);
	mg_buf b = MG_BUF_INIT;
	mg_buf_adds(&b, "s3://bucket");
	for (size_t i = 0; i < 1000; i++) {
		mg_buf_adds(&b, "/d");
		cat.products[i].tables[0].location = mg_arena_strdup(&cat.arena, b.ptr);
	}
	mg_buf_release(&b);
	run();
	MGT_EQ_INT(count(MG_RULE_OVERLAPPING_LOCATION), 999);
	done();
}

static void test_scale__ten_thousand_consumers(void)
{
	build(1);
	mg_product *p = &cat.products[0];
	p->producer_account = "111111111111";
	p->consumers = mg_arena_calloc(&cat.arena, N, sizeof *p->consumers);
	p->nconsumers = N;
	for (size_t i = 0; i < N; i++) {
		mg_consumer *c = &p->consumers[i];
		c->at = at("dc/dev/p00000/data-product-consumers.json", (uint32_t)i + 2);
		c->account = fmt("%012zu", 200000000000u + i / 2); /* each account twice */
		c->account_at = c->at;
		c->channel = MG_CHANNEL_LAKEFORMATION;
		c->has_tables = true;
		c->tables = mg_arena_calloc(&cat.arena, 1, sizeof *c->tables);
		c->tables_at = mg_arena_calloc(&cat.arena, 1, sizeof *c->tables_at);
		c->tables[0] = i % 100 ? "t" : "no_such_table";
		c->tables_at[0] = c->at;
		c->ntables = 1;
	}
	run();
	MGT_EQ_INT(count(MG_RULE_DUPLICATE_CONSUMER), N / 2);
	MGT_EQ_INT(count(MG_RULE_UNKNOWN_TABLE), N / 100);
	MGT_EQ_INT(F.count, N / 2 + N / 100);
	done();
}

static void test_scale__hostile_values(void)
{
	build(2);
	size_t big = 1u << 20;
	char *huge = mg_arena_alloc(&cat.arena, big + 1);
	memset(huge, 'x', big);
	huge[big] = '\0';
	mg_product *p = &cat.products[0];
	/* a huge product name used twice, a huge input key, odd Unicode table names */
	p->name = huge;
	cat.products[1].name = huge;
	edge(0, 1);
	p->inputs[0].key = huge;
	p->inputs[0].tables = mg_arena_calloc(&cat.arena, 1, sizeof(char *));
	p->inputs[0].tables_at = mg_arena_calloc(&cat.arena, 1, sizeof(mg_pos));
	p->inputs[0].tables[0] = "\xe2\x80\xae\xf0\x9f\x98\x80";
	p->inputs[0].ntables = 1;
	p->tables[0].location = huge; /* not an s3 URI: the schema's business */
	p->tables[0].columns = mg_arena_calloc(&cat.arena, 1, sizeof(mg_column));
	p->tables[0].columns[0].name = huge;
	p->tables[0].columns[0].declared = true;
	p->tables[0].ncolumns = 1;
	p->tables[0].columns_known = true;
	run();
	/* the second product repeats the name; product 0 reads itself (its name is the input key) */
	MGT_EQ_INT(count(MG_RULE_DUPLICATE_PRODUCT), 1);
	MGT_EQ_INT(count(MG_RULE_UNKNOWN_TABLE), 1);
	MGT_EQ_INT(count(MG_RULE_LINEAGE_CYCLE), 1);
	done();
}

static void setup(void)
{
	if (!pii)
		MGT_EQ_INT(mg_pii_matcher_new(&pii, NULL), 0);
}

static void test_scale__zz_teardown(void)
{
	mg_pii_matcher_free(pii);
	pii = NULL;
}

#define S(name) \
	static void name##_(void) \
	{ \
		setup(); \
		name(); \
	}
S(test_scale__helpers)
S(test_scale__deep_chain_has_no_cycle)
S(test_scale__deep_cycle_reported_once)
S(test_scale__many_small_cycles)
S(test_scale__ten_thousand_products_in_one_environment)
S(test_scale__nested_locations)
S(test_scale__ten_thousand_consumers)
S(test_scale__hostile_values)

MGT_MAIN(test_scale__helpers_, test_scale__deep_chain_has_no_cycle_, test_scale__deep_cycle_reported_once_,
	 test_scale__many_small_cycles_, test_scale__ten_thousand_products_in_one_environment_,
	 test_scale__nested_locations_, test_scale__ten_thousand_consumers_, test_scale__hostile_values_,
	 test_scale__zz_teardown)
