/*
 * test_access.c - the access model and plans: examples for each clause of
 * DESIGN §2, and properties over generated catalogues and random edits:
 *   - no consumer without a valid clearance ever receives a pii/pci column
 *     (nor a confidential table);
 *   - applying plan(A->B) to desired(A) yields desired(B);
 *   - plan(A->A) is empty;
 *   - plan(A->B) then plan(B->A) restores A.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/access.h"
#include "meshgate/doc.h"
#include "mgt.h"

#define TODAY "2026-06-01"

/* ---- building catalogues from JSON text ---- */

static void add_product(mg_catalogue *cat, const char *env, const char *folder, const char *outputs,
			const char *visibility, const char *consumers)
{
	const char *texts[MG_FILE__COUNT] = { 0 };
	char product[256];
	snprintf(product, sizeof product, "{\"data-product-name\": \"%s\"}", folder);
	texts[MG_FILE_PRODUCT] = product;
	texts[MG_FILE_OUTPUTS] = outputs;
	texts[MG_FILE_VISIBILITY] = visibility;
	texts[MG_FILE_CONSUMERS] = consumers;
	mg_doc *docs[MG_FILE__COUNT] = { 0 };
	for (int k = 0; k < MG_FILE__COUNT; k++)
		if (texts[k])
			MGT_EQ_INT(mg_doc_parse_json(&docs[k], "x.json", texts[k], strlen(texts[k]), NULL, NULL), 0);
	cat->products = realloc(cat->products, (cat->nproducts + 1) * sizeof *cat->products);
	mg_product *p = &cat->products[cat->nproducts++];
	memset(p, 0, sizeof *p);
	p->environment = env;
	p->folder = folder;
	MGT_EQ_INT(mg_model_build_product(cat, p, docs), 0);
}

static const mg_grant *find(const mg_grant_set *s, const char *principal, const char *table)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i].principal, principal) == 0 &&
		    ((!table && !s->items[i].table) ||
		     (table && s->items[i].table && strcmp(s->items[i].table, table) == 0)))
			return &s->items[i];
	return NULL;
}

static char *cols(const mg_grant *g)
{
	static char buf[1024];
	buf[0] = '\0';
	if (!g)
		return strcpy(buf, "(none)");
	strcat(buf, g->except ? "all except [" : "[");
	for (size_t i = 0; i < g->ncolumns; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, g->columns[i]);
	}
	strcat(buf, "]");
	return buf;
}

static const char *OUTPUTS =
	"{\"outputs\": {"
	" \"orders\": {\"location\": \"s3://b/orders\", \"columns\": [{\"name\": \"id\"}, {\"name\": \"email\"}, {\"name\": \"card\"}, {\"name\": \"amount\"}]},"
	" \"stats\": {\"location\": \"s3://b/stats\"},"
	" \"secret\": {\"location\": \"s3://b/secret\", \"columns\": [{\"name\": \"k\"}]}}}";
static const char *VISIBILITY =
	"{\"tables\": ["
	" {\"name\": \"orders\", \"visibility\": \"internal\", \"columns\": [{\"name\": \"email\", \"pii\": true}, {\"name\": \"card\", \"pci\": true, \"pii\": true}]},"
	" {\"name\": \"stats\", \"visibility\": \"public\", \"columns\": [{\"name\": \"ip\", \"pii\": true}]},"
	" {\"name\": \"secret\", \"visibility\": \"confidential\"}]}";

static void test_visibility_columns_and_clearances(void)
{
	mg_catalogue cat;
	mg_catalogue_init(&cat);
	add_product(&cat, "prod", "p", OUTPUTS, VISIBILITY,
		    "{\"consumers\": ["
		    " {\"account\": \"111111111111\", \"type\": \"lakeformation\"},"
		    " {\"account\": \"222222222222\", \"type\": \"lakeformation\", \"tables\": [\"orders\", \"secret\"],"
		    "  \"access\": {\"pii\": {\"approved-by\": \"dpo\", \"reason\": \"r\", \"expires\": \"2030-01-01\"},"
		    "              \"confidential\": {\"approved-by\": \"dpo\", \"reason\": \"r\", \"expires\": \"2030-01-01\"}}},"
		    " {\"account\": \"333333333333\", \"type\": \"lakeformation\", \"tables\": [\"secret\"],"
		    "  \"access\": {\"confidential\": {\"approved-by\": \"dpo\", \"reason\": \"r\", \"expires\": \"2020-01-01\"}}},"
		    " {\"account\": \"444444444444\", \"type\": \"lakeformation\","
		    "  \"access\": {\"pii\": {\"approved-by\": \"dpo\", \"reason\": \"r\", \"expires\": \"2030-01-01\"},"
		    "              \"pci\": {\"approved-by\": \"dpo\", \"expires\": \"2030-01-01\"}}},"
		    " {\"account\": \"555555555555\", \"type\": \"iam\", \"consumer-role-arn\": \"arn:aws:iam::555555555555:role/r\"}"
		    "]}");
	mg_grant_set s;
	mg_grant_set_init(&s);
	MGT_EQ_INT(mg_access_desired(&cat, TODAY, NULL, NULL, &s), 0);

	/* plain consumer: public + internal tables, pii and pci columns hidden */
	MGT_EQ_STR(cols(find(&s, "111111111111", "orders")), "[amount,id]");
	MGT_EQ_STR(cols(find(&s, "111111111111", "stats")), "all except [ip]");
	MGT_CHECK(find(&s, "111111111111", "secret") == NULL);
	MGT_CHECK(find(&s, "111111111111", NULL) != NULL); /* DESCRIBE on the database */
	MGT_EQ_INT(find(&s, "111111111111", NULL)->perms, MG_PERM_DESCRIBE);
	MGT_EQ_INT(find(&s, "111111111111", "orders")->perms, MG_PERM_SELECT | MG_PERM_DESCRIBE);
	MGT_EQ_INT(find(&s, "111111111111", "orders")->exposure, 0);

	/* pii cleared, narrowed to orders+secret: email yes, card (pii AND pci) no; confidential ok */
	MGT_EQ_STR(cols(find(&s, "222222222222", "orders")), "[amount,email,id]");
	MGT_EQ_INT(find(&s, "222222222222", "orders")->exposure, MG_EXPOSE_PII);
	MGT_CHECK(find(&s, "222222222222", "stats") == NULL);
	MGT_EQ_STR(cols(find(&s, "222222222222", "secret")), "[k]");
	MGT_EQ_INT(find(&s, "222222222222", "secret")->exposure, MG_EXPOSE_CONFIDENTIAL);

	/* an expired confidential clearance is no clearance: nothing at all, not even DESCRIBE */
	MGT_CHECK(find(&s, "333333333333", "secret") == NULL);
	MGT_CHECK(find(&s, "333333333333", NULL) == NULL);

	/* a pci clearance without a reason is not valid: card stays hidden */
	MGT_EQ_STR(cols(find(&s, "444444444444", "orders")), "[amount,email,id]");
	MGT_EQ_STR(cols(find(&s, "444444444444", "stats")), "all except []");
	MGT_EQ_INT(find(&s, "444444444444", "stats")->exposure, MG_EXPOSE_PII);

	/* iam: raw access only to tables without pii/pci columns that are not confidential */
	const char *arn = "arn:aws:iam::555555555555:role/r";
	MGT_CHECK(find(&s, arn, "orders") == NULL);
	MGT_CHECK(find(&s, arn, "stats") == NULL);
	MGT_CHECK(find(&s, arn, "secret") == NULL);
	MGT_CHECK(find(&s, arn, NULL) == NULL);

	mg_grant_set_release(&s);
	mg_catalogue_release(&cat);
}

/* An iam grant carries the table's S3 location (what the s3-policy backend grants on); others do not. */
static void test_iam_grants_carry_the_location(void)
{
	mg_catalogue cat;
	mg_catalogue_init(&cat);
	add_product(&cat, "prod", "p",
		    "{\"outputs\": {\"plain\": {\"location\": \"s3://bkt/plain/\", \"columns\": [{\"name\": \"id\"}]}}}",
		    "{\"tables\": [{\"name\": \"plain\", \"visibility\": \"internal\"}]}",
		    "{\"consumers\": ["
		    " {\"account\": \"111111111111\", \"type\": \"lakeformation\"},"
		    " {\"account\": \"555555555555\", \"type\": \"iam\", \"consumer-role-arn\": \"arn:aws:iam::555555555555:role/r\"}"
		    "]}");
	mg_grant_set s, empty;
	mg_plan plan;
	mg_grant_set_init(&s);
	mg_grant_set_init(&empty);
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_access_desired(&cat, TODAY, NULL, NULL, &s), 0);
	mg_catalogue_release(&cat); /* the set holds copies */
	const char *arn = "arn:aws:iam::555555555555:role/r";
	MGT_CHECK(find(&s, arn, "plain") != NULL);
	MGT_EQ_STR(find(&s, arn, "plain")->location, "s3://bkt/plain/");
	MGT_CHECK(find(&s, arn, NULL)->location == NULL);
	MGT_CHECK(find(&s, "111111111111", "plain")->location == NULL);
	/* the plan's ops keep it, both ways */
	MGT_EQ_INT(mg_plan_diff(&empty, &s, &plan), 0);
	size_t seen = 0;
	for (size_t i = 0; i < plan.count; i++)
		if (plan.ops[i].grant.table && strcmp(plan.ops[i].grant.principal, arn) == 0) {
			MGT_EQ_STR(plan.ops[i].grant.location, "s3://bkt/plain/");
			seen++;
		}
	MGT_EQ_INT(seen, 1);
	mg_plan_release(&plan);
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&s, &empty, &plan), 0);
	seen = 0;
	for (size_t i = 0; i < plan.count; i++)
		if (plan.ops[i].kind == MG_OP_REVOKE && plan.ops[i].grant.table && strcmp(plan.ops[i].grant.principal, arn) == 0) {
			MGT_EQ_STR(plan.ops[i].grant.location, "s3://bkt/plain/");
			seen++;
		}
	MGT_EQ_INT(seen, 1);
	mg_plan_release(&plan);
	mg_grant_set_release(&s);
	mg_grant_set_release(&empty);
}

static void test_same_principal_twice_is_a_union(void)
{
	mg_catalogue cat;
	mg_catalogue_init(&cat);
	add_product(&cat, "prod", "p", OUTPUTS, VISIBILITY,
		    "{\"consumers\": ["
		    " {\"account\": \"111111111111\", \"type\": \"lakeformation\", \"tables\": [\"orders\"]},"
		    " {\"account\": \"111111111111\", \"type\": \"lakeformation\", \"tables\": [\"stats\", \"orders\"],"
		    "  \"access\": {\"pii\": {\"approved-by\": \"dpo\", \"reason\": \"r\", \"expires\": \"2030-01-01\"}}}"
		    "]}");
	mg_grant_set s;
	mg_grant_set_init(&s);
	MGT_EQ_INT(mg_access_desired(&cat, TODAY, NULL, NULL, &s), 0);
	MGT_EQ_STR(cols(find(&s, "111111111111", "orders")), "[amount,email,id]");
	MGT_EQ_STR(cols(find(&s, "111111111111", "stats")), "all except []");
	MGT_EQ_INT(s.count, 3);
	mg_grant_set_release(&s);
	mg_catalogue_release(&cat);
}

static void test_clearance_expiry_day(void)
{
	mg_clearance c = { true, "dpo", "reason", "2026-06-01", { 0 }, { 0 } };
	MGT_CHECK(mg_clearance_valid(&c, "2026-06-01"));
	MGT_CHECK(!mg_clearance_valid(&c, "2026-06-02"));
	c.approved_by = "";
	MGT_CHECK(!mg_clearance_valid(&c, "2026-01-01"));
}

/* ---- generated catalogues ---- */

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static const char *const COLS[] = { "id", "email", "phone", "amount", "card", "ts", "country", "ip" };
static const char *const TABLES[] = { "t0", "t1", "t2", "t3" };
static const char *const ACCOUNTS[] = { "100000000001", "100000000002", "100000000003" };
static const char *const DATES[] = { "2020-01-01", "2026-06-01", "2030-01-01" };

/* One generated product: parameters an edit can change. */
typedef struct {
	unsigned ntables;
	unsigned columns_known[4];
	unsigned vis[4];       /* 0 public, 1 internal, 2 confidential, 3 unlisted */
	unsigned colmask[4];   /* which COLS the table declares */
	unsigned piimask[4], pcimask[4];
	unsigned nconsumers;
	unsigned cons_account[4], cons_iam[4], cons_tables[4] /* bitmask; 0 = all */;
	unsigned clear[4][3];  /* 0 none, 1 + index into DATES, 4 = missing reason */
} gen_product;

static void gen(gen_product *g)
{
	memset(g, 0, sizeof *g);
	g->ntables = 1 + rnd(4);
	for (unsigned t = 0; t < g->ntables; t++) {
		g->columns_known[t] = rnd(2);
		g->vis[t] = rnd(4);
		g->colmask[t] = 1 + rnd(255);
		g->piimask[t] = rnd(256);
		g->pcimask[t] = rnd(256) & rnd(256);
	}
	g->nconsumers = rnd(5);
	for (unsigned c = 0; c < g->nconsumers; c++) {
		g->cons_account[c] = rnd(3);
		g->cons_iam[c] = rnd(5) == 0;
		g->cons_tables[c] = rnd(3) ? 0 : rnd(16);
		for (int k = 0; k < 3; k++)
			g->clear[c][k] = rnd(5);
	}
}

static void edit(gen_product *g)
{
	unsigned t = rnd(g->ntables), c = g->nconsumers ? rnd(g->nconsumers) : 0;
	switch (rnd(8)) {
	case 0: g->vis[t] = rnd(4); break;
	case 1: g->piimask[t] ^= 1u << rnd(8); break;
	case 2: g->pcimask[t] ^= 1u << rnd(8); break;
	case 3: g->colmask[t] ^= 1u << rnd(8); if (!g->colmask[t]) g->colmask[t] = 1; break;
	case 4: if (g->nconsumers < 4) { g->cons_account[g->nconsumers] = rnd(3); g->nconsumers++; } break;
	case 5: if (g->nconsumers) g->nconsumers--; break;
	case 6: if (g->nconsumers) g->clear[c][rnd(3)] = rnd(5); break;
	case 7: if (g->nconsumers) g->cons_tables[c] = rnd(16); break;
	}
}

static void append(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(buf);
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

static void render(mg_catalogue *cat, const gen_product *g, const char *env, const char *folder)
{
	static char out[8192], vis[8192], cons[8192];
	static const char *const VIS[] = { "public", "internal", "confidential" };
	static const char *const CL[] = { "confidential", "pii", "pci" };
	strcpy(out, "{\"outputs\": {");
	strcpy(vis, "{\"tables\": [");
	int firstvis = 1;
	for (unsigned t = 0; t < g->ntables; t++) {
		append(out, sizeof out, "%s\"%s\": {\"location\": \"s3://b/%s/%s\"", t ? "," : "", TABLES[t], folder, TABLES[t]);
		if (g->columns_known[t]) {
			append(out, sizeof out, ", \"columns\": [");
			int first = 1;
			for (unsigned k = 0; k < 8; k++)
				if (g->colmask[t] & (1u << k)) {
					append(out, sizeof out, "%s{\"name\": \"%s\"}", first ? "" : ",", COLS[k]);
					first = 0;
				}
			append(out, sizeof out, "]");
		}
		append(out, sizeof out, "}");
		if (g->vis[t] == 3)
			continue;
		append(vis, sizeof vis, "%s{\"name\": \"%s\", \"visibility\": \"%s\", \"columns\": [", firstvis ? "" : ",",
		       TABLES[t], VIS[g->vis[t]]);
		firstvis = 0;
		int first = 1;
		for (unsigned k = 0; k < 8; k++) {
			unsigned pii = g->piimask[t] >> k & 1, pci = g->pcimask[t] >> k & 1;
			if (!(g->colmask[t] >> k & 1) && g->columns_known[t])
				continue;
			if (!pii && !pci)
				continue;
			append(vis, sizeof vis, "%s{\"name\": \"%s\", \"pii\": %s, \"pci\": %s}", first ? "" : ",", COLS[k],
			       pii ? "true" : "false", pci ? "true" : "false");
			first = 0;
		}
		append(vis, sizeof vis, "]}");
	}
	append(out, sizeof out, "}}");
	append(vis, sizeof vis, "]}");
	strcpy(cons, "{\"consumers\": [");
	for (unsigned c = 0; c < g->nconsumers; c++) {
		append(cons, sizeof cons, "%s{\"account\": \"%s\", \"type\": \"%s\"", c ? "," : "", ACCOUNTS[g->cons_account[c]],
		       g->cons_iam[c] ? "iam" : "lakeformation");
		if (g->cons_iam[c])
			append(cons, sizeof cons, ", \"consumer-role-arn\": \"arn:aws:iam::%s:role/r\"", ACCOUNTS[g->cons_account[c]]);
		if (g->cons_tables[c]) {
			append(cons, sizeof cons, ", \"tables\": [");
			int first = 1;
			for (unsigned t = 0; t < 4; t++)
				if (g->cons_tables[c] >> t & 1) {
					append(cons, sizeof cons, "%s\"%s\"", first ? "" : ",", TABLES[t]);
					first = 0;
				}
			append(cons, sizeof cons, "]");
		}
		append(cons, sizeof cons, ", \"access\": {");
		int first = 1;
		for (int k = 0; k < 3; k++) {
			unsigned v = g->clear[c][k];
			if (!v)
				continue;
			if (v == 4)
				append(cons, sizeof cons, "%s\"%s\": {\"approved-by\": \"x\", \"expires\": \"2030-01-01\"}", first ? "" : ",", CL[k]);
			else
				append(cons, sizeof cons, "%s\"%s\": {\"approved-by\": \"x\", \"reason\": \"y\", \"expires\": \"%s\"}",
				       first ? "" : ",", CL[k], DATES[v - 1]);
			first = 0;
		}
		append(cons, sizeof cons, "}}");
	}
	append(cons, sizeof cons, "]}");
	add_product(cat, env, folder, out, vis, cons);
}

#define NPROD 6

static void desired_of(gen_product *gs, mg_grant_set *s)
{
	static const char *const FOLDERS[NPROD] = { "p0", "p1", "p2", "p3", "p4", "p5" };
	mg_catalogue cat;
	mg_catalogue_init(&cat);
	for (int i = 0; i < NPROD; i++)
		render(&cat, &gs[i], i % 2 ? "dev" : "prod", FOLDERS[i]);
	mg_grant_set_init(s);
	MGT_EQ_INT(mg_access_desired(&cat, TODAY, NULL, NULL, s), 0);

	/* safety: every exposed pii/pci column or confidential table has a valid clearance */
	for (size_t i = 0; i < cat.nproducts; i++) {
		const mg_product *p = &cat.products[i];
		for (size_t j = 0; j < s->count; j++) {
			const mg_grant *g = &s->items[j];
			if (strcmp(g->product, p->name) != 0 || strcmp(g->environment, p->environment) != 0 || !g->table)
				continue;
			bool pii_ok = false, pci_ok = false, conf_ok = false;
			for (size_t c = 0; c < p->nconsumers; c++) {
				const mg_consumer *con = &p->consumers[c];
				const char *pr = con->channel == MG_CHANNEL_IAM ? con->role_arn : con->account;
				if (strcmp(pr, g->principal) != 0)
					continue;
				pii_ok |= mg_clearance_valid(&con->access[MG_CLEAR_PII], TODAY);
				pci_ok |= mg_clearance_valid(&con->access[MG_CLEAR_PCI], TODAY);
				conf_ok |= mg_clearance_valid(&con->access[MG_CLEAR_CONFIDENTIAL], TODAY);
			}
			const mg_table *t = mg_product_table(p, g->table);
			MGT_CHECK(t != NULL);
			if (!t)
				continue;
			if (t->visibility == MG_VIS_CONFIDENTIAL)
				MGT_CHECK(conf_ok);
			for (size_t k = 0; k < t->ncolumns; k++) {
				const mg_column *col = &t->columns[k];
				bool readable = false;
				bool listed = false;
				for (size_t m = 0; m < g->ncolumns; m++)
					listed |= strcmp(g->columns[m], col->name) == 0;
				readable = g->except ? !listed : listed;
				if (readable && col->pii)
					MGT_CHECK(pii_ok);
				if (readable && col->pci)
					MGT_CHECK(pci_ok);
			}
		}
	}
	mg_catalogue_release(&cat);
}

static bool sets_equal(const mg_grant_set *a, const mg_grant_set *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (!mg_grant_equal(&a->items[i], &b->items[i]))
			return false;
	return true;
}

/* applies ops to a copy of `from` and compares with `to` */
static bool converges(const mg_grant_set *from, const mg_plan *plan, const mg_grant_set *to)
{
	mg_grant_set s;
	mg_grant_set_init(&s);
	for (size_t i = 0; i < from->count; i++)
		mg_grant_set_add(&s, &from->items[i]);
	mg_grant_set_finish(&s);
	MGT_EQ_INT(mg_grant_set_apply(&s, plan->ops, plan->count), 0);
	bool ok = sets_equal(&s, to);
	mg_grant_set_release(&s);
	return ok;
}

/* One "all columns except" grant of one key, excluding names (sorted). */
static void set_of_except(mg_grant_set *s, mg_channel ch, const char **names, size_t n)
{
	unsigned exp[4] = { MG_EXPOSE_PII, MG_EXPOSE_PII, MG_EXPOSE_PCI, MG_EXPOSE_PII };
	mg_grant g;
	memset(&g, 0, sizeof g);
	g.environment = "prod";
	g.product = "p";
	g.principal = ch == MG_CHANNEL_IAM ? "arn:aws:iam::555555555555:role/r" : "r1";
	g.channel = ch;
	g.table = "t0";
	g.location = ch == MG_CHANNEL_IAM ? "s3://b/t0/" : NULL;
	g.except = true;
	g.columns = names;
	g.column_exposure = exp;
	g.ncolumns = n;
	g.perms = MG_PERM_SELECT | MG_PERM_DESCRIBE;
	mg_grant_set_init(s);
	MGT_EQ_INT(mg_grant_set_add(s, &g), 0);
	MGT_EQ_INT(mg_grant_set_finish(s), 0);
}

/*
 * An "all columns except" grant that excludes one more name loses that
 * name, by name: one revoke, never the whole grant and a re-grant (which
 * would leave the consumer without the table in between and double the
 * work of a backend).  One that excludes fewer names is one grant.
 */
static void test_all_except_changes_by_name(void)
{
	const char *before[] = { "email" }, *after[] = { "country", "email" }, *swapped[] = { "country" };
	mg_grant_set a, b, c;
	mg_plan plan;
	set_of_except(&a, MG_CHANNEL_POSTGRES, before, 1);
	set_of_except(&b, MG_CHANNEL_POSTGRES, after, 2);
	set_of_except(&c, MG_CHANNEL_POSTGRES, swapped, 1);
	/* narrowing: revoke country by name */
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&a, &b, &plan), 0);
	MGT_EQ_INT(plan.count, 1);
	MGT_EQ_INT(plan.ops[0].kind, MG_OP_REVOKE);
	MGT_CHECK(!plan.ops[0].grant.except);
	MGT_EQ_INT(plan.ops[0].grant.ncolumns, 1);
	MGT_EQ_STR(plan.ops[0].grant.columns[0], "country");
	MGT_CHECK(converges(&a, &plan, &b));
	mg_plan_release(&plan);
	/* widening: grant the new "all except", nothing revoked; risky, it newly gives email */
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&b, &c, &plan), 0);
	MGT_EQ_INT(plan.count, 1);
	MGT_EQ_INT(plan.ops[0].kind, MG_OP_GRANT);
	MGT_CHECK(converges(&b, &plan, &c));
	mg_plan_release(&plan);
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&b, &a, &plan), 0);
	MGT_EQ_INT(plan.count, 1);
	MGT_EQ_INT(plan.ops[0].kind, MG_OP_GRANT);
	MGT_CHECK(plan.ops[0].grant.except);
	MGT_EQ_INT(plan.ops[0].grant.ncolumns, 1);
	MGT_CHECK(plan.ops[0].risky);
	MGT_CHECK(converges(&b, &plan, &a));
	mg_plan_release(&plan);
	/* both: country revoked by name first, then the new "all except" granted */
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&a, &c, &plan), 0);
	MGT_EQ_INT(plan.count, 2);
	MGT_EQ_INT(plan.ops[0].kind, MG_OP_REVOKE);
	MGT_CHECK(!plan.ops[0].grant.except);
	MGT_EQ_STR(plan.ops[0].grant.columns[0], "country");
	MGT_EQ_INT(plan.ops[1].kind, MG_OP_GRANT);
	MGT_CHECK(plan.ops[1].risky);
	MGT_CHECK(converges(&a, &plan, &c));
	mg_plan_release(&plan);
	mg_grant_set_release(&a);
	mg_grant_set_release(&b);
	mg_grant_set_release(&c);
	/* iam (a raw S3 read has no columns): the whole grant is revoked and re-granted */
	set_of_except(&a, MG_CHANNEL_IAM, before, 1);
	set_of_except(&b, MG_CHANNEL_IAM, after, 2);
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&a, &b, &plan), 0);
	MGT_EQ_INT(plan.count, 2);
	MGT_CHECK(plan.ops[0].kind == MG_OP_REVOKE && plan.ops[0].grant.except);
	MGT_EQ_INT(plan.ops[1].kind, MG_OP_GRANT);
	mg_plan_release(&plan);
	mg_grant_set_release(&a);
	mg_grant_set_release(&b);
}

static void test_properties_over_random_edits(void)
{
	unsigned seeds = getenv("MESHGATE_PROPERTY_SEEDS") ? (unsigned)atoi(getenv("MESHGATE_PROPERTY_SEEDS")) : 200;
	for (unsigned seed = 1; seed <= seeds; seed++) {
		rng_state = 0x9E3779B97F4A7C15ull * seed;
		gen_product a[NPROD], b[NPROD];
		for (int i = 0; i < NPROD; i++)
			gen(&a[i]);
		for (int step = 0; step < 5; step++) {
			memcpy(b, a, sizeof a);
			unsigned edits = 1 + rnd(4);
			for (unsigned e = 0; e < edits; e++)
				edit(&b[rnd(NPROD)]);
			mg_grant_set da, db;
			desired_of(a, &da);
			desired_of(b, &db);
			mg_plan ab, ba, aa;
			mg_plan_init(&ab);
			mg_plan_init(&ba);
			mg_plan_init(&aa);
			MGT_EQ_INT(mg_plan_diff(&da, &db, &ab), 0);
			MGT_EQ_INT(mg_plan_diff(&db, &da, &ba), 0);
			MGT_EQ_INT(mg_plan_diff(&da, &da, &aa), 0);
			MGT_EQ_INT(aa.count, 0);
			if (!converges(&da, &ab, &db)) {
				fprintf(stderr, "seed %u step %d: plan(A->B) applied to A is not B\n", seed, step);
				MGT_CHECK(0);
			}
			if (!converges(&db, &ba, &da)) {
				fprintf(stderr, "seed %u step %d: plan(B->A) applied to B is not A\n", seed, step);
				MGT_CHECK(0);
			}
			/* revokes come before grants */
			int seen_grant = 0;
			for (size_t i = 0; i < ab.count; i++) {
				if (ab.ops[i].kind == MG_OP_GRANT)
					seen_grant = 1;
				else
					MGT_CHECK(!seen_grant);
				/* a grant exposing sensitive data is risky */
				if (ab.ops[i].kind == MG_OP_GRANT && ab.ops[i].grant.table) {
					const mg_grant *old = mg_grant_set_find(&da, &ab.ops[i].grant);
					if (!old && ab.ops[i].grant.exposure)
						MGT_CHECK(ab.ops[i].risky);
				}
			}
			mg_plan_release(&ab);
			mg_plan_release(&ba);
			mg_plan_release(&aa);
			mg_grant_set_release(&da);
			mg_grant_set_release(&db);
			memcpy(a, b, sizeof a);
		}
	}
}

MGT_MAIN(test_iam_grants_carry_the_location, test_visibility_columns_and_clearances, test_same_principal_twice_is_a_union,
	 test_clearance_expiry_day, test_all_except_changes_by_name, test_properties_over_random_edits)
