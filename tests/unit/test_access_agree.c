/*
 * test_access_agree.c - the validator and the planner never disagree on a
 * clearance or on what an iam consumer may read (issue 9: one access
 * model).  Random catalogues are written as files and run through both real
 * paths - mg_validate (schema, rules) and mg_access_desired (the planner's
 * desired grants) - and both are compared with a small reference model of
 * DESIGN §2 written here, independently of src/:
 *
 *   - a present clearance gets a `clearance` finding exactly when it grants
 *     nothing (approver or reason missing or empty, expiry missing, not a
 *     calendar date, or before today);
 *   - the planner exposes a pii (pci) column to a consumer exactly when its
 *     pii (pci) clearance is one the validator did not report;
 *   - an iam consumer is granted a table exactly when raw S3 read hides
 *     nothing (no pii/pci column, not confidential), and the validator
 *     reports `iam-consumer-sensitive` exactly when a table it would read
 *     has such a column or is confidential.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/access.h"
#include "meshgate/config.h"
#include "meshgate/source.h"
#include "meshgate/validate.h"
#include "mgt.h"

#define TODAY "2026-06-01"
#define SEEDS 150

static unsigned long long rng;
static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng >> 11) % n);
}

/* ---- the reference model ---- */

typedef struct {
	bool present;
	const char *approved_by, *reason, *expires; /* NULL: left out */
} ref_clearance;

typedef struct {
	const char *name;
	int visibility; /* 0 public, 1 internal, 2 confidential */
	bool pii[3], pci[3];
} ref_table;

typedef struct {
	int channel; /* 0 lakeformation, 1 iam, 2 postgres */
	int ntables_named; /* -1: no `tables` list */
	int named[3];
	ref_clearance access[3]; /* pii, pci, confidential */
} ref_consumer;

static bool ref_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool ref_date(const char *s)
{
	int y, m, d;
	char tail;
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (sscanf(s, "%d-%d-%d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= md[m - 1] + (m == 2 && ref_leap(y));
}

static bool ref_valid(const ref_clearance *c)
{
	return c->present && c->approved_by && *c->approved_by && c->reason && *c->reason && ref_date(c->expires) &&
	       strcmp(TODAY, c->expires) <= 0;
}

static bool ref_named(const ref_consumer *c, int t)
{
	for (int i = 0; i < c->ntables_named; i++)
		if (c->named[i] == t)
			return true;
	return false;
}

/* Would the consumer see table t at all (before the iam restriction)? */
static bool ref_visible(const ref_consumer *c, const ref_table *t, int ti)
{
	if (t->visibility == 2)
		return c->ntables_named >= 0 && ref_named(c, ti) && ref_valid(&c->access[2]);
	return c->ntables_named < 0 || ref_named(c, ti);
}

static bool ref_sensitive(const ref_table *t)
{
	for (int k = 0; k < 3; k++)
		if (t->pii[k] || t->pci[k])
			return true;
	return t->visibility == 2;
}

/* ---- random catalogues as files ---- */

static const char *const col_names[3] = { "c_a", "c_b", "c_c" };

static void random_clearance(ref_clearance *c)
{
	static const char *const dates[] = { "2030-12-31", "2026-06-01", "2026-05-31", "2026-02-30", "2024-02-29",
					     "2100-02-29", "2026/12/31", "2026-13-01", "soon", "" };
	memset(c, 0, sizeof *c);
	if (next(3) == 0)
		return;
	c->present = true;
	c->approved_by = next(6) == 0 ? NULL : next(6) == 0 ? "" : "ciso@example.com";
	c->reason = next(6) == 0 ? NULL : next(8) == 0 ? "" : "a reason";
	c->expires = next(8) == 0 ? NULL : dates[next(sizeof dates / sizeof dates[0])];
}

static void add_str(mg_buf *b, const char *key, const char *v, bool *first)
{
	if (!v)
		return;
	mg_buf_addf(b, "%s\"%s\": ", *first ? "" : ", ", key);
	mg_buf_add_json_string(b, v, strlen(v));
	*first = false;
}

static void write_product(int pi, const ref_table *tables, int ntables, const ref_consumer *cons, int ncons)
{
	char dir[64], path[128];
	mg_buf b = MG_BUF_INIT;
	snprintf(dir, sizeof dir, "data-products-catalogue/prod/p%d", pi);
	snprintf(path, sizeof path, "%s/data-product.json", dir);
	mg_buf_addf(&b, "{\"data-product-name\": \"p%d\", \"data-product-owner\": \"o@example.com\"}", pi);
	mgt_write(path, b.ptr);
	mg_buf_clear(&b);
	snprintf(path, sizeof path, "%s/data-product-producer-info.json", dir);
	mg_buf_addf(&b, "{\"account-type\": \"aws\", \"producer-role-arn\": \"arn:aws:iam::11112222333%d:role/p\", "
			"\"producer-account-id\": \"11112222333%d\", \"bucket-name\": \"bucket-p%d\"}", pi, pi, pi);
	mgt_write(path, b.ptr);
	mg_buf_clear(&b);
	mg_buf_adds(&b, "{\"outputs\": {");
	for (int t = 0; t < ntables; t++)
		mg_buf_addf(&b, "%s\"%s\": {\"file-format\": \"parquet\", \"port-type\": \"blob\", \"location\": "
				"\"s3://bucket-p%d/%s\", \"columns\": [{\"name\": \"c_a\", \"type\": \"string\"}, {\"name\": "
				"\"c_b\", \"type\": \"string\"}, {\"name\": \"c_c\", \"type\": \"string\"}]}",
			    t ? ", " : "", tables[t].name, pi, tables[t].name);
	mg_buf_adds(&b, "}}");
	snprintf(path, sizeof path, "%s/data-product-outputs.json", dir);
	mgt_write(path, b.ptr);
	mg_buf_clear(&b);
	static const char *const vis[] = { "public", "internal", "confidential" };
	mg_buf_adds(&b, "{\"tables\": [");
	for (int t = 0; t < ntables; t++) {
		mg_buf_addf(&b, "%s{\"name\": \"%s\", \"visibility\": \"%s\", \"columns\": [", t ? ", " : "",
			    tables[t].name, vis[tables[t].visibility]);
		for (int k = 0; k < 3; k++)
			mg_buf_addf(&b, "%s{\"name\": \"%s\", \"pii\": %s, \"pci\": %s}", k ? ", " : "", col_names[k],
				    tables[t].pii[k] ? "true" : "false", tables[t].pci[k] ? "true" : "false");
		mg_buf_adds(&b, "]}");
	}
	mg_buf_adds(&b, "]}");
	snprintf(path, sizeof path, "%s/data-product-visibility.json", dir);
	mgt_write(path, b.ptr);
	mg_buf_clear(&b);
	static const char *const kinds[] = { "pii", "pci", "confidential" };
	mg_buf_adds(&b, "{\"consumers\": [\n");
	for (int i = 0; i < ncons; i++) {
		const ref_consumer *c = &cons[i];
		if (i)
			mg_buf_adds(&b, ",\n");
		if (c->channel == 0)
			mg_buf_addf(&b, "{\"type\": \"lakeformation\", \"account\": \"5555666677%02d\"", i);
		else if (c->channel == 1)
			mg_buf_addf(&b, "{\"type\": \"iam\", \"account\": \"5555666677%02d\", \"consumer-role-arn\": "
					"\"arn:aws:iam::5555666677%02d:role/r\"", i, i);
		else
			mg_buf_addf(&b, "{\"type\": \"postgres\", \"postgres-role\": \"role_%d\"", i);
		mg_buf_adds(&b, ", \"contact\": \"c@example.com\"");
		if (c->ntables_named >= 0) {
			mg_buf_adds(&b, ", \"tables\": [");
			for (int k = 0; k < c->ntables_named; k++)
				mg_buf_addf(&b, "%s\"%s\"", k ? ", " : "", tables[c->named[k]].name);
			mg_buf_adds(&b, "]");
		}
		bool any = false;
		for (int k = 0; k < 3; k++)
			any |= c->access[k].present;
		if (any) {
			bool firstk = true;
			mg_buf_adds(&b, ",\n \"access\": {");
			for (int k = 0; k < 3; k++) {
				if (!c->access[k].present)
					continue;
				bool first = true;
				/* one line per clearance, so findings map to it by line */
				mg_buf_addf(&b, "%s\n  \"%s\": {", firstk ? "" : ",", kinds[k]);
				add_str(&b, "approved-by", c->access[k].approved_by, &first);
				add_str(&b, "reason", c->access[k].reason, &first);
				add_str(&b, "expires", c->access[k].expires, &first);
				mg_buf_adds(&b, "}");
				firstk = false;
			}
			mg_buf_adds(&b, "}");
		}
		mg_buf_adds(&b, "}");
	}
	mg_buf_adds(&b, "\n]}\n");
	snprintf(path, sizeof path, "%s/data-product-consumers.json", dir);
	mgt_write(path, b.ptr);
	mg_buf_release(&b);
}

/* ---- the comparison ---- */

typedef struct {
	ref_table tables[3];
	int ntables;
	ref_consumer cons[4];
	int ncons;
} ref_product;

/*
 * The 1-based line of consumer ci's clearance k (k < 0: of the consumer's
 * first line, where its type and tables are) in the consumers file written.
 */
static unsigned clearance_line(const ref_product *p, int ci, int k)
{
	unsigned line = 2; /* "{\"consumers\": [" then the first consumer */
	for (int i = 0; i <= ci; i++) {
		if (i == ci && k < 0)
			return line;
		const ref_consumer *c = &p->cons[i];
		bool any = false;
		for (int q = 0; q < 3; q++)
			any |= c->access[q].present;
		unsigned at = line + (any ? 1 : 0); /* the "access" line */
		for (int q = 0; q < 3; q++) {
			if (!c->access[q].present)
				continue;
			at++;
			if (i == ci && q == k)
				return at;
		}
		line = at + 1;
	}
	return 0;
}

static bool finding_at(const mg_findings *f, const char *file_suffix, unsigned line, mg_rule rule)
{
	for (size_t i = 0; i < f->count; i++) {
		size_t n = strlen(f->items[i].path), m = strlen(file_suffix);
		if (f->items[i].rule == rule && f->items[i].line == line && n >= m &&
		    strcmp(f->items[i].path + n - m, file_suffix) == 0)
			return true;
	}
	return false;
}

static const mg_grant *grant_of(const mg_grant_set *s, const char *product, const char *principal, const char *table)
{
	for (size_t i = 0; i < s->count; i++) {
		const mg_grant *g = &s->items[i];
		if (strcmp(g->product, product) == 0 && strcmp(g->principal, principal) == 0 && g->table &&
		    strcmp(g->table, table) == 0)
			return g;
	}
	return NULL;
}

static void principal_of(const ref_consumer *c, int i, char *out, size_t cap)
{
	if (c->channel == 0)
		snprintf(out, cap, "5555666677%02d", i);
	else if (c->channel == 1)
		snprintf(out, cap, "arn:aws:iam::5555666677%02d:role/r", i);
	else
		snprintf(out, cap, "role_%d", i);
}

static int disagreements;

static void expect(bool ok, int seed, const char *what, int pi, int ci, int k)
{
	if (ok)
		return;
	if (disagreements++ < 12)
		fprintf(stderr, "seed %d: product p%d consumer %d (%d): %s\n", seed, pi, ci, k, what);
	MGT_CHECK(ok);
}

static void one_seed(int seed)
{
	static const char *const tnames[3] = { "t_one", "t_two", "t_three" };
	ref_product prods[2];
	int nprod = 1 + (int)next(2);
	for (int pi = 0; pi < nprod; pi++) {
		ref_product *p = &prods[pi];
		memset(p, 0, sizeof *p);
		p->ntables = 1 + (int)next(3);
		for (int t = 0; t < p->ntables; t++) {
			p->tables[t].name = tnames[t];
			p->tables[t].visibility = (int)next(3);
			for (int k = 0; k < 3; k++) {
				p->tables[t].pii[k] = next(4) == 0;
				p->tables[t].pci[k] = next(5) == 0;
			}
		}
		p->ncons = 1 + (int)next(4);
		for (int i = 0; i < p->ncons; i++) {
			ref_consumer *c = &p->cons[i];
			c->channel = (int)next(3);
			c->ntables_named = next(2) ? -1 : (int)next((unsigned)p->ntables + 1);
			for (int k = 0; k < c->ntables_named; k++)
				c->named[k] = k; /* distinct, in order */
			for (int k = 0; k < 3; k++)
				random_clearance(&c->access[k]);
		}
	}
	for (int pi = 0; pi < nprod; pi++)
		write_product(pi, prods[pi].tables, prods[pi].ntables, prods[pi].cons, prods[pi].ncons);

	char catroot[700];
	snprintf(catroot, sizeof catroot, "%s", mgt_scratch());
	mg_source *src = NULL;
	mg_config cfg;
	mg_catalogue cat;
	mg_findings f;
	mg_grant_set desired;
	mg_config_init(&cfg);
	mg_catalogue_init(&cat);
	mg_findings_init(&f);
	mg_grant_set_init(&desired);
	mg_validate_opts vo = { .today = TODAY, .catalogue = NULL };
	MGT_EQ_INT(mg_source_dir_new(&src, catroot), 0);
	MGT_EQ_INT(mg_validate(src, &vo, &cfg, &cat, &f), 0);
	MGT_EQ_INT(mg_access_desired(&cat, TODAY, NULL, NULL, &desired), 0);
	/* the only schema findings are the bad clearances' own (an empty string, a date that is not one) */
	for (size_t i = 0; i < f.count; i++)
		if ((f.items[i].rule == MG_RULE_SCHEMA || f.items[i].rule == MG_RULE_PARSE) &&
		    !strstr(f.items[i].path, "data-product-consumers.json")) {
			fprintf(stderr, "seed %d: unexpected %s:%u: %s\n", seed, f.items[i].path, f.items[i].line,
				f.items[i].message);
			MGT_CHECK(false);
		}

	for (int pi = 0; pi < nprod; pi++) {
		const ref_product *p = &prods[pi];
		char product[16], file[64];
		snprintf(product, sizeof product, "p%d", pi);
		snprintf(file, sizeof file, "p%d/data-product-consumers.json", pi);
		for (int ci = 0; ci < p->ncons; ci++) {
			const ref_consumer *c = &p->cons[ci];
			char principal[64];
			bool reported[3];
			principal_of(c, ci, principal, sizeof principal);
			for (int k = 0; k < 3; k++) {
				reported[k] = c->access[k].present &&
					      finding_at(&f, file, clearance_line(p, ci, k), MG_RULE_CLEARANCE);
				if (c->access[k].present)
					expect(reported[k] == !ref_valid(&c->access[k]), seed,
					       reported[k] ? "validator reports a clearance the model finds valid"
							   : "validator is silent on a clearance that grants nothing",
					       pi, ci, k);
			}
			bool iam_sensitive_seen = false;
			for (int t = 0; t < p->ntables; t++) {
				const ref_table *rt = &p->tables[t];
				const mg_grant *g = grant_of(&desired, product, principal, rt->name);
				bool visible = ref_visible(c, rt, t);
				if (c->channel == 1) {
					bool want = visible && !ref_sensitive(rt);
					expect((g != NULL) == want, seed,
					       g ? "planner grants an iam consumer a table raw read would expose"
						 : "planner withholds a table an iam consumer may read", pi, ci, t);
					iam_sensitive_seen |= visible && ref_sensitive(rt);
					continue;
				}
				bool pii_cols = false, pci_cols = false, clear = false;
				for (int k = 0; k < 3; k++) {
					bool hide = (rt->pii[k] && !ref_valid(&c->access[0])) ||
						    (rt->pci[k] && !ref_valid(&c->access[1]));
					clear |= !hide;
					pii_cols |= rt->pii[k] && !hide;
					pci_cols |= rt->pci[k] && !hide;
				}
				bool want = visible && clear;
				expect((g != NULL) == want, seed, g ? "planner grants a table the model withholds"
								    : "planner withholds a table the model grants",
				       pi, ci, t);
				if (!g)
					continue;
				/* pii/pci reach the consumer exactly when the validator let the clearance stand */
				bool pii = (g->exposure & MG_EXPOSE_PII) != 0, pci = (g->exposure & MG_EXPOSE_PCI) != 0;
				expect(pii == pii_cols, seed, "planner's pii exposure differs from the model", pi, ci, t);
				expect(pci == pci_cols, seed, "planner's pci exposure differs from the model", pi, ci, t);
				if (pii)
					expect(c->access[0].present && !reported[0], seed,
					       "planner exposes pii under a clearance the validator reports", pi, ci, t);
				if (pci)
					expect(c->access[1].present && !reported[1], seed,
					       "planner exposes pci under a clearance the validator reports", pi, ci, t);
			}
			if (c->channel == 1) {
				/* on the consumer's first line: its type, or the entries of its tables list */
				bool seen = finding_at(&f, file, clearance_line(p, ci, -1), MG_RULE_IAM_CONSUMER_SENSITIVE);
				expect(seen == iam_sensitive_seen, seed,
				       iam_sensitive_seen ? "validator is silent on an iam consumer with a sensitive table"
							  : "validator reports an iam consumer the model finds safe",
				       pi, ci, -1);
			}
		}
	}
	mg_grant_set_release(&desired);
	mg_findings_release(&f);
	mg_catalogue_release(&cat);
	mg_config_release(&cfg);
	mg_source_free(src);
}

static void test_validator_and_planner_agree(void)
{
	for (int seed = 1; seed <= SEEDS; seed++) {
		rng = 0x9E3779B97F4A7C15ull * (unsigned long long)seed;
		one_seed(seed);
		/* each seed writes into the same catalogue folder: clear it */
		char cmd[700];
		snprintf(cmd, sizeof cmd, "rm -rf '%s/data-products-catalogue'", mgt_scratch());
		MGT_EQ_INT(system(cmd), 0);
	}
}

static void test_dates_are_calendar_dates(void)
{
	mg_clearance c;
	memset(&c, 0, sizeof c);
	c.present = true;
	c.approved_by = "ciso@example.com";
	c.reason = "r";
	c.expires = "2028-02-29";
	MGT_CHECK(mg_clearance_valid(&c, TODAY));
	/* valid through its expires day, revoked the day after */
	c.expires = "2026-06-30";
	MGT_CHECK(mg_clearance_valid(&c, "2026-06-30"));
	MGT_CHECK(!mg_clearance_valid(&c, "2026-07-01"));
	MGT_CHECK(!mg_clearance_valid(&c, "2027-01-01"));
	c.expires = "2026-02-30";
	MGT_CHECK(!mg_clearance_valid(&c, "2026-01-01"));
	c.expires = "2026/12/31";
	MGT_CHECK(!mg_clearance_valid(&c, TODAY));
	c.expires = "2100-02-29"; /* not a leap year */
	MGT_CHECK(!mg_clearance_valid(&c, TODAY));
	c.expires = "2030-12-31";
	c.approved_by = "";
	MGT_CHECK(!mg_clearance_valid(&c, TODAY));
}

MGT_MAIN(test_dates_are_calendar_dates, test_validator_and_planner_agree)
