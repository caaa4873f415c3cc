/*
 * config.h - meshgate.yaml: catalogue root, protected branch, rule
 * severities, suppressions, PII name patterns, document limits and the
 * files a catalogue may hold besides product files.
 *
 * A mg_config owns its strings (arena) and its document.  Without a
 * meshgate.yaml every field has its default (mg_config_init).
 */
#ifndef MESHGATE_CONFIG_H
#define MESHGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/arena.h"
#include "meshgate/buf.h"
#include "meshgate/doc.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"
#include "meshgate/schema.h"

typedef struct mg_suppression {
	mg_rule rule;
	const char *path_glob; /* fnmatch(3) pattern on repository-relative paths; '**' spans folders */
	const char *reason;
	mg_pos at;     /* the entry in meshgate.yaml */
	size_t hits;   /* findings it suppressed in the last run */
} mg_suppression;

/* One PII/PCI name pattern: word sequences that fire, and ones that excuse. */
typedef struct mg_pii_pattern {
	const char *name;     /* shown in findings: "email", "card number", ... */
	bool pci;             /* card data rather than personal data */
	const char **match;   /* each a space-separated word sequence, lowercase */
	size_t nmatch;
	const char **unless;
	size_t nunless;
} mg_pii_pattern;

/* One backend entry of an environment: environments.<env>.backend (or one item of .backends). */
typedef struct mg_env_backend {
	const char *type;      /* "local", "postgres", "lakeformation" */
	const mg_node *options; /* the entry's object (type and options), borrowed from the config's document */
	mg_pos at;
} mg_env_backend;

/* environments.<env> of meshgate.yaml. */
typedef struct mg_env_config {
	const char *name;
	mg_env_backend *backends; /* in the order given; none: the local ledger */
	size_t nbackends;
	const char *state_path; /* state.path: the SQLite state store, or NULL: <state-dir>/state.db */
	const mg_node *state_lock; /* state.lock: a lock every runner sees (an S3 object), or NULL */
	mg_pos at;
} mg_env_config;

/* extend-enums.<name>: values one closed, descriptive enum of the product schemas also accepts. */
typedef struct mg_enum_ext {
	const char *name;    /* "file-format", "port-type" */
	const char *schema;  /* the shipped schema holding it, "data-product-outputs.schema.json" (static) */
	const char *pointer; /* its enum in that file (static) */
	const char **values; /* in the order given, strings of the config's document */
	size_t nvalues;
	mg_pos at;           /* the key in meshgate.yaml */
} mg_enum_ext;

#define MG_CLEARANCE_MAX_DAYS_DEFAULT 365u

typedef struct mg_config {
	mg_arena arena;
	mg_doc *doc;          /* owned; NULL without meshgate.yaml */
	const char *path;     /* "meshgate.yaml" when loaded, else NULL */
	const char *catalogue;        /* default "data-products-catalogue" */
	const char *protected_branch; /* default "main" */
	const char *state_dir;        /* default ".meshgate" */
	mg_severity severity[MG_RULE__COUNT];
	mg_suppression *suppressions;
	size_t nsuppressions;
	bool pii_replace;     /* true: the config's patterns replace the built-in list */
	mg_pii_pattern *pii;  /* the config's own patterns */
	size_t npii;
	mg_doc_limits limits;
	mg_env_config *envs;  /* environments: as given in meshgate.yaml */
	size_t nenvs;
	/*
	 * allowed-files: fnmatch(3) patterns of the entries a catalogue may hold
	 * besides its environments, products and product files (no
	 * unexpected-file finding).  Default README.md, README, *.md, .gitkeep;
	 * a list in meshgate.yaml replaces it.  Strings borrowed from the arena
	 * or static.
	 */
	const char *const *allowed_files;
	size_t nallowed_files;
	/* clearance-max-days: a clearance expiring further ahead is a clearance-too-long warning (default 365) */
	unsigned clearance_max_days;
	mg_enum_ext *enum_exts; /* extend-enums, in the order given; only names that can be extended */
	size_t nenum_exts;
} mg_config;

/* The configuration of environment `name`, or NULL when meshgate.yaml does not name it. */
const mg_env_config *mg_config_env(const mg_config *cfg, const char *name);

void mg_config_init(mg_config *cfg);
void mg_config_release(mg_config *cfg);

/*
 * Parses meshgate.yaml content into cfg (initialised by the caller).
 * Problems are `config` or `parse`/`schema` findings on `path`; the
 * function returns 0 even then (bad entries are skipped), and a negative
 * code only for runtime failures.
 */
int mg_config_parse(mg_config *cfg, const char *path, const char *data, size_t len,
		    mg_findings *findings);

/* Copies the severities into a findings list (before rules run). */
void mg_config_apply_severities(const mg_config *cfg, mg_findings *findings);

/*
 * Whether allowed-files allows the catalogue entry at `path`
 * (repository-relative) whose base name is `name`: a pattern without '/'
 * is matched against the base name, one with '/' against the path ('*'
 * spans folders, as in suppressions).
 */
bool mg_config_allows_file(const mg_config *cfg, const char *path, const char *name);

/*
 * The extend-enums entries of cfg that open enums of shipped schema
 * `schema` ("data-product-outputs.schema.json"), as schema extensions for
 * mg_schema_builtin_extended: at most `max` into out (borrowed from cfg);
 * returns how many.
 */
size_t mg_config_schema_exts(const mg_config *cfg, const char *schema, mg_schema_enum_ext *out, size_t max);

/* Whether suppression s covers finding x (same rule, path matching the glob). */
bool mg_suppression_matches(const mg_suppression *s, const mg_finding *x);

/*
 * The review of a change to meshgate.yaml: compares the policy of `head`
 * with that of `base` (the protected branch's) and adds, in words, one
 * finding per difference to f: `config-loosened` for what loosens the gate
 * (a rule lowered or turned off, a suppression added, PII patterns
 * removed, replaced or excused, a limit raised, the protected branch
 * moved), `config-changed` for the rest (extend-enums values added or
 * removed among them: they open descriptive enums only).  A suppression added is counted
 * against the findings already in f ("it would hide 2 findings").
 * Findings point at head's meshgate.yaml, or at base's file when head has
 * none.  0 or MG_ENOMEM.
 */
int mg_config_changes(const mg_config *base, const mg_config *head, mg_findings *f);
/*
 * The same review of a change already merged, for the plan that applies
 * it: the same findings with the bare description ("turns rule
 * 'public-sensitive' off (it was error)"), without the advice for a
 * pull request.  0 or MG_ENOMEM.
 */
int mg_config_changes_merged(const mg_config *base, const mg_config *head, mg_findings *f);

/*
 * Appends to out a byte string that is equal for two configurations
 * exactly when they judge a catalogue alike (severities, suppressions, PII
 * patterns, limits, allowed files, enum extensions), for caches keyed by the policy.  0 or
 * MG_ENOMEM.
 */
int mg_config_policy_key(const mg_config *cfg, mg_buf *out);

#endif
