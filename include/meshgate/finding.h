/*
 * finding.h - validation findings: data, not errors.
 *
 * Every rule has a stable id and a default severity, listed once in
 * MG_FOREACH_RULE below and documented in docs/rules.md (the same text
 * `meshgate explain RULE` prints).  A mg_findings list owns its findings and
 * their strings.
 */
#ifndef MESHGATE_FINDING_H
#define MESHGATE_FINDING_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mg_severity {
	MG_SEV_OFF = 0,
	MG_SEV_NOTE,
	MG_SEV_WARNING,
	MG_SEV_ERROR
} mg_severity;

/* X(enum suffix, id, default severity, one-line summary) */
#define MG_FOREACH_RULE(X) \
	X(PARSE, "parse", ERROR, "file does not parse as strict JSON/YAML within the limits") \
	X(SCHEMA, "schema", ERROR, "file does not match its JSON Schema") \
	X(MISSING_FILE, "missing-file", ERROR, "a required file of a product folder is missing") \
	X(DUPLICATE_FILE, "duplicate-file", ERROR, "a product file exists in two spellings") \
	X(NOT_A_FILE, "not-a-file", ERROR, "a catalogue entry is not a regular file or folder") \
	X(MISNAMED_FILE, "misnamed-file", ERROR, "a file is named like a product file but is not read (a near miss, a backup, a misplaced one)") \
	X(UNEXPECTED_FILE, "unexpected-file", WARNING, "a catalogue entry that meshgate does not read and allowed-files does not allow") \
	X(EMPTY_ENVIRONMENT, "empty-environment", WARNING, "an environment folder holds no product folder") \
	X(NESTED_PRODUCT, "nested-product", ERROR, "a folder inside a product folder holds product files, which are not read") \
	X(DUPLICATE_PRODUCT, "duplicate-product", ERROR, "two products share a name in one environment") \
	X(OVERLAPPING_LOCATION, "overlapping-location", ERROR, "two outputs share or nest S3 locations") \
	X(LOCATION_OUTSIDE_BUCKET, "location-outside-bucket", ERROR, "an output location is outside the producer bucket") \
	X(ACCOUNT_ID, "account-id", ERROR, "an AWS account id is not 12 digits") \
	X(ARN_ACCOUNT_MISMATCH, "arn-account-mismatch", ERROR, "a role ARN names another account than declared") \
	X(PUBLIC_SENSITIVE, "public-sensitive", ERROR, "a public table has a pii or pci column") \
	X(UNCLASSIFIED_SENSITIVE, "unclassified-sensitive", WARNING, "a column looks like personal or card data but is not classified") \
	X(UNKNOWN_TABLE, "unknown-table", ERROR, "a table named in visibility, consumers or inputs does not exist") \
	X(UNKNOWN_COLUMN, "unknown-column", ERROR, "a column named in visibility or partitions is not declared") \
	X(AMBIGUOUS_NAME, "ambiguous-name", ERROR, "two table or column names differ only by case, Unicode form, invisible characters or spaces") \
	X(CONFLICTING_CLASSIFICATION, "conflicting-classification", WARNING, "a table or column is classified twice, differently; the stricter applies") \
	X(DUPLICATE_CONSUMER, "duplicate-consumer", ERROR, "a consumer is listed twice") \
	X(SELF_CONSUMER, "self-consumer", WARNING, "the producer lists itself as a consumer") \
	X(IAM_CONSUMER_SENSITIVE, "iam-consumer-sensitive", ERROR, "an iam consumer would get raw access to sensitive data") \
	X(CLEARANCE, "clearance", ERROR, "a clearance lacks approver or reason, or has expired") \
	X(CLEARANCE_TOO_LONG, "clearance-too-long", WARNING, "a clearance expires more than clearance-max-days ahead") \
	X(UNGRANTED_TABLE, "ungranted-table", WARNING, "a consumer names a confidential table without a confidential clearance") \
	X(UNKNOWN_INPUT, "unknown-input", ERROR, "an input declared as a data product does not exist") \
	X(LINEAGE_CYCLE, "lineage-cycle", ERROR, "data products feed each other in a cycle") \
	X(PRODUCT_RENAMED, "product-renamed", ERROR, "a product folder's data-product-name changed") \
	X(PRODUCT_MOVED, "product-moved", NOTE, "a product folder moved or was renamed, keeping its data-product-name") \
	X(OWNER_ACCOUNT_CHANGED, "owner-account-changed", ERROR, "a product's producer account changed") \
	X(DECLASSIFIED, "declassified", ERROR, "a column lost its pii/pci flag or a table's visibility was lowered") \
	X(BREAKING_REMOVAL, "breaking-removal", ERROR, "an output table or classified column was removed while consumers are listed") \
	X(UNUSED_SUPPRESSION, "unused-suppression", WARNING, "a suppression in meshgate.yaml matches nothing") \
	X(CONFIG, "config", ERROR, "meshgate.yaml is invalid") \
	X(CONFIG_LOOSENED, "config-loosened", ERROR, "a change to meshgate.yaml loosens the gate") \
	X(CONFIG_CHANGED, "config-changed", NOTE, "a change to meshgate.yaml that does not loosen the gate")

typedef enum mg_rule {
#define MG__RULE_ENUM(e, id, sev, summary) MG_RULE_##e,
	MG_FOREACH_RULE(MG__RULE_ENUM)
#undef MG__RULE_ENUM
	MG_RULE__COUNT
} mg_rule;

const char *mg_rule_id(mg_rule r);
const char *mg_rule_summary(mg_rule r);
mg_severity mg_rule_default_severity(mg_rule r);
/* Returns 0 and sets *out, or MG_ENOTFOUND. */
int mg_rule_lookup(mg_rule *out, const char *id);
const char *mg_severity_name(mg_severity s);
int mg_severity_parse(mg_severity *out, const char *s);

typedef struct mg_finding {
	char *path;   /* repo- or catalogue-relative file path; owned by the list */
	uint32_t line, col; /* 1-based; 0 when the finding concerns a whole file */
	mg_rule rule;
	mg_severity severity;
	char *message; /* owned by the list */
} mg_finding;

typedef struct mg_findings {
	mg_finding *items;
	size_t count, cap;
	/* Severity per rule, defaulted from the registry; the config overrides it. */
	mg_severity severity[MG_RULE__COUNT];
} mg_findings;

void mg_findings_init(mg_findings *f);
void mg_findings_release(mg_findings *f);
/* Adds a finding; rules graded `off` are dropped.  Returns 0 or MG_ENOMEM. */
int mg_findings_add(mg_findings *f, const char *path, uint32_t line, uint32_t col,
		    mg_rule rule, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int mg_findings_vadd(mg_findings *f, const char *path, uint32_t line, uint32_t col,
		     mg_rule rule, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
/* mg_findings_add of a message already written (a cached finding): copied, not formatted. */
int mg_findings_add_text(mg_findings *f, const char *path, uint32_t line, uint32_t col, mg_rule rule,
			 const char *message);
/* Stable order: path (bytewise), line, column, rule, message. */
void mg_findings_sort(mg_findings *f);
size_t mg_findings_count_at(const mg_findings *f, mg_severity s);

#endif
