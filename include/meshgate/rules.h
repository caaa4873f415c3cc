/*
 * rules.h - the validator's catalogue rules (everything after parse and
 * schema): product-folder, cross-file, classification and global rules.
 */
#ifndef MESHGATE_RULES_H
#define MESHGATE_RULES_H

#include "meshgate/config.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"

/* A compiled PII/PCI name matcher (built-in list, extended or replaced by the config). */
typedef struct mg_pii_matcher mg_pii_matcher;

/* Builds the matcher from the embedded rules/pii-patterns.yaml and cfg (may be NULL). */
int mg_pii_matcher_new(mg_pii_matcher **out, const mg_config *cfg);
void mg_pii_matcher_free(mg_pii_matcher *m);
/*
 * Returns the pattern a column name matches (snake_case, camelCase,
 * kebab-case split into words), or NULL.  Borrowed from the matcher.
 */
const mg_pii_pattern *mg_pii_match(const mg_pii_matcher *m, const char *column_name);

typedef struct mg_rules_ctx {
	const mg_config *config;      /* may be NULL: defaults */
	const mg_pii_matcher *pii;    /* required */
	const char *today;            /* "YYYY-MM-DD": clearances expiring before it are expired */
} mg_rules_ctx;

/* Runs every catalogue rule over cat, adding findings.  0 or a negative error. */
int mg_rules_run(const mg_catalogue *cat, const mg_rules_ctx *ctx, mg_findings *findings);

#endif
