/*
 * score.c - the DATSIS score: one point per line of MG_FOREACH_DATSIS
 * (site.h), each read off the product's definition and its own findings.
 * docs/site.md is the rubric in words; keep the two in step.
 */
#include <string.h>

#include "meshgate/access.h"
#include "meshgate/site.h"

static const struct {
	const char *id;
	unsigned letter;
	const char *text;
} points[] = {
#define MG__DATSIS_ROW(e, id, letter, text) { id, letter, text },
	MG_FOREACH_DATSIS(MG__DATSIS_ROW)
#undef MG__DATSIS_ROW
};

const char *mg_datsis_id(mg_datsis_point p)
{
	return (unsigned)p < MG_DATSIS__COUNT ? points[p].id : "?";
}

unsigned mg_datsis_letter(mg_datsis_point p)
{
	return (unsigned)p < MG_DATSIS__COUNT ? points[p].letter : 0;
}

const char *mg_datsis_text(mg_datsis_point p)
{
	return (unsigned)p < MG_DATSIS__COUNT ? points[p].text : "?";
}

const char *mg_datsis_letter_name(unsigned letter)
{
	static const char *const names[] = { "Discoverable", "Addressable", "Trustworthy",
					     "Self-describing", "Interoperable", "Secure" };
	return letter < 6 ? names[letter] : "?";
}

static bool set(const char *s)
{
	return s && *s;
}

static bool has_rule(const mg_finding *const *f, size_t n, mg_rule rule)
{
	for (size_t i = 0; i < n; i++)
		if (f[i]->rule == rule)
			return true;
	return false;
}

/* "s3://<bucket>/..." */
static bool under_bucket(const char *location, const char *bucket)
{
	size_t n = bucket ? strlen(bucket) : 0;
	return location && n && strncmp(location, "s3://", 5) == 0 && strncmp(location + 5, bucket, n) == 0 &&
	       location[5 + n] == '/';
}

/*
 * A format whose files carry their schema: the schema's own typed ones and the
 * table formats teams add with extend-enums (iceberg, hudi keep the schema in
 * their metadata; orc in the file).  csv, json and any other text format do not.
 */
static bool typed_format(const char *f)
{
	static const char *const typed[] = { "parquet", "avro", "delta", "iceberg", "orc", "hudi" };
	for (size_t i = 0; f && i < sizeof typed / sizeof *typed; i++)
		if (strcmp(f, typed[i]) == 0)
			return true;
	return false;
}

/* A clearance that is given must be valid; one that is absent is not a fault. */
static bool clearances_valid(const mg_product *p, const char *today)
{
	for (size_t i = 0; i < p->nconsumers; i++)
		for (int k = 0; k < MG_CLEAR__COUNT; k++)
			if (p->consumers[i].access[k].present && !mg_clearance_valid(&p->consumers[i].access[k], today))
				return false;
	return true;
}

void mg_datsis_score(const mg_product *p, const mg_finding *const *f, size_t n, const char *today, mg_datsis *out)
{
	bool *e = out->earned;
	memset(out, 0, sizeof *out);
	bool tables = p->ntables > 0;
	bool loc = tables, ret = tables, cols = tables, types = tables, described = tables, fmt = tables,
	     vis = tables;
	for (size_t i = 0; i < p->ntables; i++) {
		const mg_table *t = &p->tables[i];
		loc &= under_bucket(t->location, p->bucket);
		ret &= set(t->retention_unit) && t->retention_time > 0;
		cols &= t->columns_known && t->ncolumns > 0;
		described &= set(t->description);
		fmt &= typed_format(t->file_format);
		vis &= t->vis_listed;
		for (size_t j = 0; j < t->ncolumns; j++) {
			if (!t->columns[j].declared)
				continue;
			types &= set(t->columns[j].type);
			described &= set(t->columns[j].description);
		}
	}
	size_t errors = 0;
	for (size_t i = 0; i < n; i++)
		errors += f[i]->severity == MG_SEV_ERROR;

	e[MG_DATSIS_D_DESCRIPTION] = set(p->description);
	e[MG_DATSIS_D_OWNERS] = set(p->owner) && set(p->maintainer);
	e[MG_DATSIS_D_CONTEXT] = set(p->source_system) && p->nusage_patterns > 0;
	e[MG_DATSIS_A_VERSION] = set(p->version);
	e[MG_DATSIS_A_LOCATIONS] = loc;
	e[MG_DATSIS_A_UNIQUE] = !has_rule(f, n, MG_RULE_DUPLICATE_PRODUCT) && !has_rule(f, n, MG_RULE_OVERLAPPING_LOCATION);
	e[MG_DATSIS_T_DQ] = p->dq_rules != NULL;
	e[MG_DATSIS_T_RETENTION] = ret;
	e[MG_DATSIS_T_CLEAN] = errors == 0;
	e[MG_DATSIS_S_COLUMNS] = cols;
	e[MG_DATSIS_S_TYPES] = cols && types;
	e[MG_DATSIS_S_DESCRIBED] = cols && described;
	e[MG_DATSIS_I_FORMATS] = fmt;
	e[MG_DATSIS_I_LINEAGE] = p->ninputs > 0;
	e[MG_DATSIS_I_VOCABULARY] = set(p->eslit) && p->nedc_objects > 0;
	e[MG_DATSIS_X_VISIBILITY] = vis;
	e[MG_DATSIS_X_CLASSIFIED] = !has_rule(f, n, MG_RULE_UNCLASSIFIED_SENSITIVE) &&
				    !has_rule(f, n, MG_RULE_PUBLIC_SENSITIVE);
	e[MG_DATSIS_X_CLEARANCES] = clearances_valid(p, today) && !has_rule(f, n, MG_RULE_CLEARANCE) &&
				    !has_rule(f, n, MG_RULE_IAM_CONSUMER_SENSITIVE) &&
				    !has_rule(f, n, MG_RULE_UNGRANTED_TABLE);
	for (int i = 0; i < MG_DATSIS__COUNT; i++)
		if (e[i]) {
			out->letter[points[i].letter]++;
			out->total++;
		}
}
