/*
 * rules.h - the validator's catalogue rules (everything after parse and
 * schema): product-folder, cross-file, classification and global rules.
 */
#ifndef MESHGATE_RULES_H
#define MESHGATE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * One product of a partial run (mg_rules_run_partial): whether its own
 * rules run now, and what they spent of the run's budget for "did you
 * mean" suggestions, which is shared by all products in order, so that a
 * product checked before leaves the same budget to the rest as it would
 * now.
 */
typedef struct mg_rules_product_run {
	bool fresh;        /* in: run this product's own rules; else they ran before */
	uint64_t spent;    /* in when not fresh, out when fresh: budget the rules spent */
	bool clean;        /* out when fresh: the budget never ran out, so its findings did not depend on it */
	size_t first, end; /* out when fresh: the findings its rules added are items[first, end) */
} mg_rules_product_run;

/*
 * Like mg_rules_run, but the per-product and cross-file rules run only on
 * the products marked fresh in runs[] (one per product of cat); the others'
 * findings are the caller's to supply, and of those products only what the
 * global rules read need be filled in (name and its position, environment,
 * tables' names and locations, inputs).  The global rules run over all.
 * Returns 0, a negative error, or 1 when a product's recorded spending no
 * longer fits the budget (a catalogue that exhausts it): the findings are
 * then incomplete and the caller runs mg_rules_run on a full catalogue.
 */
int mg_rules_run_partial(const mg_catalogue *cat, const mg_rules_ctx *ctx, mg_rules_product_run *runs,
			 mg_findings *findings);

#endif
