/*
 * rules_product.c - rules that look at one product folder at a time
 * (its six files together): accounts and ARNs, locations against the
 * bucket, classification, tables and columns named across files,
 * consumers and their clearances.  See docs/rules.md for each rule.
 *
 * Lookups are hashed (tables through st->tables, columns and consumers
 * through per-product maps), so a product with thousands of tables,
 * columns or consumers costs time linear in its size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/access.h"
#include "meshgate/date.h"
#include "meshgate/error.h"
#include "rules/rules_int.h"

#define ADD(st, pos, rule, ...) \
	mg_findings_add((st)->f, (pos).file, (pos).line, (pos).col, (rule), __VA_ARGS__)

/* ---- accounts ---- */

static bool all_zero(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != '0')
			return false;
	return len > 0;
}

static bool twelve_digits(const char *s, size_t len)
{
	if (len != 12)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * account-id.  The JSON Schemas already refuse account ids and ARNs whose
 * account is not 12 digits, at the same node; this rule reports such a
 * value only when no `schema` finding stands there (the schema rule turned
 * off, say), so a 9-digit id yields one finding.  What the schema cannot
 * see is a well-formed placeholder: the all-zero account.
 */
static int check_account(mg_rules_state *st, const char *what, const char *v, size_t len,
			 const mg_pos *at)
{
	if (!twelve_digits(v, len)) {
		if (mg_rules_schema_reported(st, at))
			return 0;
		return ADD(st, *at, MG_RULE_ACCOUNT_ID,
			   "%s '%.*s' is not a 12-digit AWS account id; write all 12 digits, quoted so "
			   "that leading zeros stay", what, (int)len, v);
	}
	if (all_zero(v, len))
		return ADD(st, *at, MG_RULE_ACCOUNT_ID,
			   "%s '%.*s' is a placeholder, not an AWS account; use the real account id",
			   what, (int)len, v);
	return 0;
}

/* account-id on a role ARN's account, then arn-account-mismatch against `account`. */
static int check_role_arn(mg_rules_state *st, const char *field, const char *arn, const mg_pos *at,
			  const char *account, const char *account_field)
{
	const char *acc;
	size_t len;
	char what[64];
	int r;
	if (!arn || !mg_rules_arn_account(arn, &acc, &len))
		return 0; /* not an ARN: the schema said so */
	snprintf(what, sizeof what, "the account in %s", field);
	if ((r = check_account(st, what, acc, len, at)) < 0)
		return r;
	if (account && (strlen(account) != len || memcmp(account, acc, len) != 0))
		return ADD(st, *at, MG_RULE_ARN_ACCOUNT_MISMATCH,
			   "%s names account '%.*s' but %s is '%s'; the role must belong to the "
			   "declared account, so fix whichever is wrong", field, (int)len, acc,
			   account_field, account);
	return 0;
}

static int check_producer(mg_rules_state *st, const mg_product *p)
{
	int r;
	if (p->producer_account &&
	    (r = check_account(st, "producer-account-id", p->producer_account,
			       strlen(p->producer_account), &p->producer_account_at)) < 0)
		return r;
	return check_role_arn(st, "producer-role-arn", p->producer_role_arn, &p->producer_role_arn_at,
			      p->producer_account, "producer-account-id");
}

/* ---- tables and columns ---- */

static const char *kind_words(const mg_column *c)
{
	return c->pii && c->pci ? "pii and pci" : c->pii ? "pii" : "pci";
}

static int check_location(mg_rules_state *st, const mg_product *p, const mg_table *t)
{
	const char *b, *k;
	size_t bl, kl;
	if (!t->location || !p->bucket || !mg_rules_s3_split(t->location, &b, &bl, &k, &kl))
		return 0;
	if (strlen(p->bucket) == bl && memcmp(p->bucket, b, bl) == 0)
		return 0;
	return ADD(st, t->location_at, MG_RULE_LOCATION_OUTSIDE_BUCKET,
		   "location '%s' of table '%s' is outside the producer bucket '%s'; put the "
		   "output under s3://%s/", t->location, t->name, p->bucket, p->bucket);
}

static int check_columns(mg_rules_state *st, const mg_table *t)
{
	int r;
	for (size_t i = 0; i < t->ncolumns; i++) {
		const mg_column *c = &t->columns[i];
		if (t->visibility == MG_VIS_PUBLIC && (c->pii || c->pci) &&
		    (r = ADD(st, c->pii ? c->pii_at : c->pci_at, MG_RULE_PUBLIC_SENSITIVE,
			     "table '%s' is public but its column '%s' is classified %s; make the "
			     "table internal or confidential in data-product-visibility, or remove "
			     "the column", t->name, c->name, kind_words(c))) < 0)
			return r;
		if (c->declared && !c->classified) {
			const mg_pii_pattern *m = mg_pii_match(st->ctx->pii, c->name);
			if (m && (r = ADD(st, c->at, MG_RULE_UNCLASSIFIED_SENSITIVE,
					  "column '%s' of table '%s' looks like %s data (pattern '%s') "
					  "but is not classified; list it in data-product-visibility "
					  "with \"%s\": true (or false if it is not)", c->name, t->name,
					  m->pci ? "card" : "personal", m->name, m->pci ? "pci" : "pii")) < 0)
				return r;
		}
		if (t->columns_known && c->classified && !c->declared) {
			mg_suggest s;
			mg_suggest_begin(&s, st, c->name);
			for (size_t j = 0; j < t->ncolumns && st->suggest_budget; j++)
				if (t->columns[j].declared)
					mg_suggest_add(&s, t->columns[j].name);
			if ((r = ADD(st, c->class_at, MG_RULE_UNKNOWN_COLUMN,
				     "visibility classifies column '%s' that table '%s' does not declare "
				     "in data-product-outputs%s", c->name, t->name,
				     mg_suggest_hint(&s, "; fix the name or declare the column"))) < 0)
				return r;
		}
	}
	return 0;
}

static int check_partitions(mg_rules_state *st, const mg_table *t)
{
	mg_strmap cols = MG_STRMAP_INIT;
	int r = 0;
	if (!t->columns_known || !t->npartitions)
		return 0;
	for (size_t i = 0; i < t->ncolumns; i++)
		if (t->columns[i].declared &&
		    (r = mg_strmap_put(&cols, t->columns[i].name, strlen(t->columns[i].name), i, NULL)) < 0)
			goto done;
	for (size_t i = 0; i < t->npartitions; i++) {
		const char *name = t->partitions[i];
		if (mg_strmap_get(&cols, name, strlen(name), NULL))
			continue;
		mg_suggest s;
		mg_suggest_begin(&s, st, name);
		for (size_t j = 0; j < t->ncolumns && st->suggest_budget; j++)
			if (t->columns[j].declared)
				mg_suggest_add(&s, t->columns[j].name);
		if ((r = ADD(st, t->partitions_at[i], MG_RULE_UNKNOWN_COLUMN,
			     "partition column '%s' of table '%s' is not among its declared columns%s",
			     name, t->name,
			     mg_suggest_hint(&s, "; declare it in columns or fix the name"))) < 0)
			goto done;
	}
	r = 0;
done:
	mg_strmap_release(&cols);
	return r;
}

static void suggest_table(mg_suggest *s, mg_rules_state *st, const mg_product *p, const char *name)
{
	mg_suggest_begin(s, st, name);
	for (size_t i = 0; i < p->ntables && st->suggest_budget; i++)
		mg_suggest_add(s, p->tables[i].name);
}

static int check_orphans(mg_rules_state *st, const mg_product *p)
{
	int r;
	for (size_t i = 0; i < p->norphans; i++) {
		mg_suggest s;
		suggest_table(&s, st, p, p->orphans[i].name);
		if ((r = ADD(st, p->orphans[i].at, MG_RULE_UNKNOWN_TABLE,
			     "visibility lists table '%s' that data-product-outputs does not declare%s",
			     p->orphans[i].name,
			     mg_suggest_hint(&s, "; fix the name or remove the entry"))) < 0)
			return r;
	}
	return 0;
}

/* ---- consumers ---- */

static const char *const clearance_names[MG_CLEAR__COUNT] = { "confidential", "pii", "pci" };

static const char *channel_name(mg_channel c)
{
	switch (c) {
	case MG_CHANNEL_LAKEFORMATION: return "lakeformation";
	case MG_CHANNEL_IAM: return "iam";
	case MG_CHANNEL_POSTGRES: return "postgres";
	case MG_CHANNEL_UNKNOWN: break;
	}
	return "unknown";
}

/* "account '123...'" / "postgres role 'x'" / "at line N", for messages. */
static const char *consumer_label(mg_rules_state *st, const mg_consumer *c)
{
	mg_buf b = MG_BUF_INIT;
	const char *out = "consumer";
	int r;
	if (c->account)
		r = mg_buf_addf(&b, "consumer '%s'", c->account);
	else if (c->postgres_role)
		r = mg_buf_addf(&b, "consumer '%s'", c->postgres_role);
	else
		r = mg_buf_addf(&b, "consumer at line %u", c->at.line);
	if (r == 0) {
		char *s = mg_arena_strndup(&st->arena, b.ptr, b.len);
		if (s)
			out = s;
	}
	mg_buf_release(&b);
	return out;
}

static bool filled(const char *s)
{
	return s && *s;
}

static bool date_ok(const mg_clearance *cl)
{
	return cl->expires && mg_date_valid(cl->expires, strlen(cl->expires));
}

static bool expired(const mg_rules_state *st, const mg_clearance *cl)
{
	return st->ctx->today && date_ok(cl) && strcmp(cl->expires, st->ctx->today) < 0;
}

/* clearance-too-long: an expiry further ahead of today than clearance-max-days. */
static int check_clearance_length(mg_rules_state *st, const mg_clearance *cl, const char *kind)
{
	unsigned max = st->ctx->config ? st->ctx->config->clearance_max_days : MG_CLEARANCE_MAX_DAYS_DEFAULT;
	long today, until;
	if (!st->ctx->today || !cl->expires || !mg_date_days(st->ctx->today, &today) ||
	    !mg_date_days(cl->expires, &until) || until - today <= (long)max)
		return 0;
	return ADD(st, cl->expires_at, MG_RULE_CLEARANCE_TOO_LONG,
		   "%s clearance expires on %s, %ld days after today (%s), more than the %u days "
		   "clearance-max-days allows; approve it for a shorter time and renew it when it ends",
		   kind, cl->expires, until - today, st->ctx->today, max);
}

/*
 * Why a present clearance grants nothing, as findings: the access model
 * (mg_clearance_valid) is the judge; these say which of its conditions
 * failed, so a clearance reported here is exactly one the planner ignores.
 */
static int check_clearances(mg_rules_state *st, const mg_consumer *c)
{
	int r;
	for (int k = 0; k < MG_CLEAR__COUNT; k++) {
		const mg_clearance *cl = &c->access[k];
		if (!cl->present)
			continue;
		bool a = filled(cl->approved_by), why = filled(cl->reason), e = filled(cl->expires);
		if (!a || !why || !e) {
			const char *missing = !a ? (!why ? (!e ? "approved-by, reason and expires" : "approved-by and reason")
							 : (!e ? "approved-by and expires" : "approved-by"))
						 : (!why ? (!e ? "reason and expires" : "reason") : "expires");
			if ((r = ADD(st, cl->at, MG_RULE_CLEARANCE,
				     "%s clearance lacks %s; a clearance needs approved-by, reason and "
				     "expires (YYYY-MM-DD), otherwise it grants nothing",
				     clearance_names[k], missing)) < 0)
				return r;
		} else if (!date_ok(cl)) {
			if ((r = ADD(st, cl->expires_at, MG_RULE_CLEARANCE,
				     "%s clearance expires on '%s', which is not a calendar date (YYYY-MM-DD), "
				     "so it grants nothing", clearance_names[k], cl->expires)) < 0)
				return r;
		}
		if (expired(st, cl) &&
		    (r = ADD(st, cl->expires_at, MG_RULE_CLEARANCE,
			     "%s clearance expired on %s (today is %s) and grants nothing; renew it "
			     "with a new approval and expiry, or remove it", clearance_names[k],
			     cl->expires, st->ctx->today)) < 0)
			return r;
		if ((r = check_clearance_length(st, cl, clearance_names[k])) < 0)
			return r;
	}
	return 0;
}

/* The first pii/pci column of each table, or NULL. */
static const mg_column **sensitive_columns(const mg_product *p)
{
	const mg_column **out = calloc(p->ntables ? p->ntables : 1, sizeof *out);
	if (!out)
		return NULL;
	for (size_t i = 0; i < p->ntables; i++)
		for (size_t j = 0; j < p->tables[i].ncolumns && !out[i]; j++)
			if (p->tables[i].columns[j].pii || p->tables[i].columns[j].pci)
				out[i] = &p->tables[i].columns[j];
	return out;
}

/* unknown-table for consumers[].tables, ungranted-table, iam-consumer-sensitive with `tables`. */
static int check_named_tables(mg_rules_state *st, size_t pi, const mg_consumer *c,
			      const mg_column **sens)
{
	const mg_product *p = &st->cat->products[pi];
	int r;
	for (size_t i = 0; i < c->ntables; i++) {
		long ti = mg_rules_find_table(st, pi, c->tables[i]);
		if (ti < 0) {
			mg_suggest s;
			suggest_table(&s, st, p, c->tables[i]);
			if ((r = ADD(st, c->tables_at[i], MG_RULE_UNKNOWN_TABLE,
				     "consumer names table '%s' that data-product-outputs does not "
				     "declare%s", c->tables[i],
				     mg_suggest_hint(&s, "; fix the name or remove it"))) < 0)
				return r;
			continue;
		}
		const mg_table *t = &p->tables[ti];
		bool confidential = t->visibility == MG_VIS_CONFIDENTIAL;
		if (confidential && !c->access[MG_CLEAR_CONFIDENTIAL].present) {
			if ((r = ADD(st, c->tables_at[i], MG_RULE_UNGRANTED_TABLE,
				     "table '%s' is confidential and %s holds no confidential "
				     "clearance, so it is not granted; add access.confidential with "
				     "approved-by, reason and expires, or remove the table",
				     t->name, consumer_label(st, c))) < 0)
				return r;
			continue;
		}
		/* the access model decides what raw S3 read would expose; the finding says why */
		if (mg_access_table_verdict(c, t, st->ctx->today) != MG_TABLE_IAM_SENSITIVE)
			continue;
		if (confidential)
			r = ADD(st, c->tables_at[i], MG_RULE_IAM_CONSUMER_SENSITIVE,
				"iam %s would get raw S3 read of confidential table '%s'; iam cannot "
				"enforce column or table policies, so use type lakeformation",
				consumer_label(st, c), t->name);
		else if (sens[ti])
			r = ADD(st, c->tables_at[i], MG_RULE_IAM_CONSUMER_SENSITIVE,
				"iam %s would get raw S3 read of table '%s', whose column '%s' is %s; "
				"iam cannot hide columns, so use type lakeformation or leave the table "
				"out", consumer_label(st, c), t->name, sens[ti]->name,
				kind_words(sens[ti]));
		else
			r = 0;
		if (r < 0)
			return r;
	}
	return 0;
}

/* iam-consumer-sensitive for an iam consumer without `tables`: it sees every non-confidential table. */
static int check_iam_all_tables(mg_rules_state *st, const mg_product *p, const mg_consumer *c,
				const mg_column **sens)
{
	mg_buf list = MG_BUF_INIT;
	size_t n = 0;
	int r = 0;
	for (size_t i = 0; i < p->ntables; i++) {
		if (p->tables[i].visibility == MG_VIS_CONFIDENTIAL || !sens[i] ||
		    mg_access_table_verdict(c, &p->tables[i], st->ctx->today) != MG_TABLE_IAM_SENSITIVE)
			continue;
		if (n < 5 && mg_buf_addf(&list, "%s'%s' (%s)", n ? ", " : "", p->tables[i].name,
					 sens[i]->name) < 0) {
			r = mg_oom();
			goto done;
		}
		n++;
	}
	if (n > 5 && mg_buf_addf(&list, " and %zu more", n - 5) < 0) {
		r = mg_oom();
		goto done;
	}
	if (n)
		r = ADD(st, c->type_at, MG_RULE_IAM_CONSUMER_SENSITIVE,
			"iam %s would get raw S3 read of tables with pii or pci columns: %s; iam "
			"cannot hide columns, so use type lakeformation or list only tables without "
			"pii/pci columns in \"tables\"", consumer_label(st, c), list.ptr);
done:
	mg_buf_release(&list);
	return r;
}

static int consumer_key(mg_buf *b, const mg_consumer *c)
{
	mg_buf_clear(b);
	if (mg_buf_addf(b, "%d\x1f%s\x1f%s\x1f%s", (int)c->channel, c->account ? c->account : "",
			c->role_arn ? c->role_arn : "", c->postgres_role ? c->postgres_role : "") < 0)
		return mg_oom();
	return 0;
}

static int check_consumers(mg_rules_state *st, size_t pi)
{
	const mg_product *p = &st->cat->products[pi];
	mg_strmap seen = MG_STRMAP_INIT;
	mg_buf key = MG_BUF_INIT;
	const mg_column **sens = NULL;
	int r = 0;
	if (!p->nconsumers)
		return 0;
	if (!(sens = sensitive_columns(p))) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < p->nconsumers; i++) {
		const mg_consumer *c = &p->consumers[i];
		size_t first;
		if (c->account && (r = check_account(st, "account", c->account, strlen(c->account),
						     &c->account_at)) < 0)
			goto done;
		if ((r = check_role_arn(st, "consumer-role-arn", c->role_arn, &c->role_arn_at,
					c->account, "the consumer's account")) < 0)
			goto done;
		if (c->account && p->producer_account && strcmp(c->account, p->producer_account) == 0 &&
		    (r = ADD(st, c->account_at, MG_RULE_SELF_CONSUMER,
			     "consumer account '%s' is the producer's own account; the producer "
			     "already reads its data, so remove this consumer", c->account)) < 0)
			goto done;
		if ((r = consumer_key(&key, c)) < 0)
			goto done;
		char *k = mg_arena_strndup(&st->arena, key.ptr, key.len);
		if (!k) {
			r = mg_oom();
			goto done;
		}
		if ((r = mg_strmap_put(&seen, k, key.len, i, &first)) < 0)
			goto done;
		if (r == 1 && (r = ADD(st, c->at, MG_RULE_DUPLICATE_CONSUMER,
				       "%s with type '%s'%s%s%s is already listed at line %u; merge "
				       "the two entries", consumer_label(st, c), channel_name(c->channel),
				       c->role_arn ? " and role '" : "", c->role_arn ? c->role_arn : "",
				       c->role_arn ? "'" : "", p->consumers[first].at.line)) < 0)
			goto done;
		if ((r = check_clearances(st, c)) < 0 || (r = check_named_tables(st, pi, c, sens)) < 0)
			goto done;
		if (c->channel == MG_CHANNEL_IAM && !c->has_tables &&
		    (r = check_iam_all_tables(st, p, c, sens)) < 0)
			goto done;
	}
	r = 0;
done:
	free(sens);
	mg_buf_release(&key);
	mg_strmap_release(&seen);
	return r;
}

/* ---- names and classifications ---- */

/* The folded form of name (mg_rules_fold_name), in st's arena; NULL on OOM. */
static const char *fold(mg_rules_state *st, const char *name, size_t *len)
{
	mg_buf b = MG_BUF_INIT;
	const char *out = NULL;
	if (mg_rules_fold_name(&b, name) == 0)
		out = mg_arena_strndup(&st->arena, b.ptr, b.len);
	*len = b.len;
	mg_buf_release(&b);
	return out;
}

static const char *const ambiguous_why =
	"differ only by case, Unicode normalisation, invisible characters or surrounding spaces; names are "
	"matched exactly, while backends and people fold them, so a classification of one can miss the other";

/*
 * ambiguous-name: two tables of a product, two columns of a table (declared
 * or classified), or a visibility entry or a consumer's `tables` entry and a
 * table, whose names differ but fold alike.
 */
static int check_ambiguous(mg_rules_state *st, size_t pi)
{
	const mg_product *p = &st->cat->products[pi];
	mg_strmap tables = MG_STRMAP_INIT;
	size_t len, prev;
	int r = 0;
	for (size_t i = 0; r == 0 && i < p->ntables; i++) {
		const char *k = fold(st, p->tables[i].name, &len);
		if (!k) {
			r = mg_oom();
			break;
		}
		if ((r = mg_strmap_put(&tables, k, len, i, &prev)) == 1)
			r = ADD(st, p->tables[i].at, MG_RULE_AMBIGUOUS_NAME,
				"table '%s' and table '%s' (line %u) %s; rename one", p->tables[i].name,
				p->tables[prev].name, p->tables[prev].at.line, ambiguous_why);
	}
	for (size_t i = 0; r == 0 && i < p->norphans; i++) {
		const char *k = fold(st, p->orphans[i].name, &len);
		if (!k)
			r = mg_oom();
		else if (mg_strmap_get(&tables, k, len, &prev))
			r = ADD(st, p->orphans[i].at, MG_RULE_AMBIGUOUS_NAME,
				"visibility's table '%s' and output table '%s' %s: this entry classifies nothing; "
				"write the name exactly as in data-product-outputs", p->orphans[i].name,
				p->tables[prev].name, ambiguous_why);
	}
	for (size_t i = 0; r == 0 && i < p->nconsumers; i++) {
		const mg_consumer *c = &p->consumers[i];
		for (size_t j = 0; r == 0 && j < c->ntables; j++) {
			const char *k = fold(st, c->tables[j], &len);
			if (!k)
				r = mg_oom();
			else if (mg_strmap_get(&tables, k, len, &prev) &&
				 mg_rules_find_table(st, pi, c->tables[j]) < 0)
				r = ADD(st, c->tables_at[j], MG_RULE_AMBIGUOUS_NAME,
					"table '%s' listed by %s and output table '%s' %s: this entry grants "
					"nothing; write the name exactly as in data-product-outputs",
					c->tables[j], consumer_label(st, c), p->tables[prev].name, ambiguous_why);
		}
	}
	for (size_t i = 0; r == 0 && i < p->ntables; i++) {
		const mg_table *t = &p->tables[i];
		mg_strmap cols = MG_STRMAP_INIT;
		for (size_t j = 0; r == 0 && j < t->ncolumns; j++) {
			const mg_column *c = &t->columns[j], *o;
			const char *k = fold(st, c->name, &len);
			if (!k) {
				r = mg_oom();
				break;
			}
			if ((r = mg_strmap_put(&cols, k, len, j, &prev)) != 1)
				continue;
			o = &t->columns[prev];
			mg_pos at = c->declared ? c->at : c->class_at;
			r = ADD(st, at, MG_RULE_AMBIGUOUS_NAME,
				"column '%s'%s and column '%s'%s of table '%s' %s; rename one%s", c->name,
				c->declared ? "" : " (in visibility)", o->name, o->declared ? "" : " (in visibility)",
				t->name, ambiguous_why,
				c->declared != o->declared ? ", or write the visibility entry exactly as declared" : "");
		}
		mg_strmap_release(&cols);
	}
	mg_strmap_release(&tables);
	return r < 0 ? r : 0;
}

/* conflicting-classification: a table or column classified twice, differently (the model keeps the stricter). */
static int check_conflicts(mg_rules_state *st, const mg_product *p)
{
	int r;
	for (size_t i = 0; i < p->nconflicts; i++) {
		const mg_class_conflict *c = &p->conflicts[i];
		if (c->column)
			r = ADD(st, c->at, MG_RULE_CONFLICTING_CLASSIFICATION,
				"column '%s.%s' is classified twice: %s here, %s at line %u; the stricter applies (every "
				"flag either entry sets), so merge the two entries into one", c->table, c->column,
				c->later, c->first, c->first_at.line);
		else
			r = ADD(st, c->at, MG_RULE_CONFLICTING_CLASSIFICATION,
				"table '%s' is listed twice in visibility: %s here, %s at line %u; the stricter applies, "
				"so merge the two entries into one", c->table, c->later, c->first, c->first_at.line);
		if (r < 0)
			return r;
	}
	return 0;
}

int mg_rules_product(mg_rules_state *st, size_t pi)
{
	const mg_product *p = &st->cat->products[pi];
	int r;
	if ((r = check_producer(st, p)) < 0)
		return r;
	for (size_t i = 0; i < p->ntables; i++) {
		const mg_table *t = &p->tables[i];
		if ((r = check_location(st, p, t)) < 0 || (r = check_columns(st, t)) < 0 ||
		    (r = check_partitions(st, t)) < 0)
			return r;
	}
	if ((r = check_orphans(st, p)) < 0 || (r = check_ambiguous(st, pi)) < 0 || (r = check_conflicts(st, p)) < 0)
		return r;
	return check_consumers(st, pi);
}
