/*
 * lakeformation_int.h - the parts of the lakeformation backend
 * (docs/backends.md), private to src/backends/:
 *
 *   lakeformation_config.c  meshgate.yaml options (region, catalog, mode,
 *                           role, endpoint, product -> database)
 *   lakeformation_json.c    the request bodies (BatchGrantPermissions /
 *                           BatchRevokePermissions entries, ListPermissions)
 *                           and reading the answers (Failures by Id, pages of
 *                           PrincipalResourcePermissions)
 *   lakeformation.c         the backend itself, on the AWS client (src/aws/)
 *
 * The first two are plain C (no network) and always built, so they are
 * unit-tested and fuzzed in every build.
 */
#ifndef MESHGATE_LAKEFORMATION_INT_H
#define MESHGATE_LAKEFORMATION_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "backends/backends_int.h"
#include "meshgate/backend.h"
#include "meshgate/buf.h"

/* Most entries one BatchGrantPermissions / BatchRevokePermissions takes (the API's limit). */
#define MG_LF_BATCH_ENTRIES 20
/* Most product -> database entries in `databases:`. */
#define MG_LF_DATABASES_MAX 4096

/* ---- options (lakeformation_config.c) ---- */

typedef enum mg_lf_mode {
	MG_LF_NAMED,  /* grants on named databases, tables and columns */
	MG_LF_TAGS    /* LF-tag policies (not driven by this build: a config error) */
} mg_lf_mode;

typedef struct mg_lf_options {
	const char *region;
	const char *catalog_id;   /* 12 digits: the account that holds the catalog */
	mg_lf_mode mode;
	const char *role_arn;     /* assumed for this environment, or NULL */
	const char *external_id;
	const char *profile;
	const char *endpoint_url; /* https, or http on loopback only; NULL: AWS */
	const char *sts_endpoint_url; /* for role-arn; NULL: endpoint_url when it is loopback, else AWS */
	mg_backend_names databases; /* product -> Glue database (default: the product name) */
	long timeout_s;
} mg_lf_options;

/*
 * Reads a lakeformation backend entry of meshgate.yaml into o (strings
 * borrowed from the node; o->databases' items malloc'd, freed with
 * mg_lf_options_release).  Problems are `config` findings on path when
 * findings is not NULL, else MG_EINVALID with the first problem as message.
 * Credentials in meshgate.yaml (access keys, secrets, tokens) are refused.
 */
int mg_lf_options_parse(const mg_node *entry, const char *path, mg_findings *findings, mg_lf_options *o);
void mg_lf_options_release(mg_lf_options *o);
/* The Glue database that holds product's tables. */
const char *mg_lf_database_of(const mg_lf_options *o, const char *product);

/* ---- requests and answers (lakeformation_json.c) ---- */

/* What one entry of a batch asks for. */
typedef enum mg_lf_target {
	MG_LF_DATABASE,          /* Database {Name} */
	MG_LF_TABLE,             /* Table {DatabaseName, Name} */
	MG_LF_TABLE_COLUMNS      /* TableWithColumns {.., ColumnNames | ColumnWildcard} */
} mg_lf_target;

typedef struct mg_lf_entry {
	size_t op;               /* index of the op it belongs to */
	mg_lf_target target;
	const char *principal;   /* DataLakePrincipalIdentifier */
	const char *database;
	const char *table;       /* NULL for MG_LF_DATABASE */
	bool except;             /* columns are ExcludedColumnNames of a ColumnWildcard */
	const char *const *columns;
	size_t ncolumns;
	unsigned perms;          /* MG_PERM_*: the Permissions asked for */
	const char *resource_json; /* the Resource exactly as ListPermissions returned it (a revoke of
				      what is held), or NULL: built from the fields above */
} mg_lf_entry;

/*
 * The body of a BatchGrantPermissions / BatchRevokePermissions call for
 * entries[0..n) (n <= MG_LF_BATCH_ENTRIES); entry i has Id "e<i>".  The
 * resource's CatalogId and the request's are catalog_id.
 */
int mg_lf_batch_body(const char *catalog_id, const mg_lf_entry *entries, size_t n, mg_buf *out);

/* One failure of a batch: which entry (by Id) and why. */
typedef struct mg_lf_failure {
	size_t entry;            /* the index i of Id "e<i>" */
	char code[128];
	char message[256];
} mg_lf_failure;

/*
 * Reads the Failures of a batch answer for a batch of n entries.  Fills
 * failures (at most n, one per entry: later ones for the same Id are
 * dropped) and *nfail.  A failure whose Id names no entry, or a body that is
 * not the answer's shape, is MG_EPARSE (the caller treats the whole batch
 * as unknown).
 */
int mg_lf_batch_failures(const char *body, size_t len, size_t n, mg_lf_failure *failures, size_t *nfail);

/* True when a revoke entry's failure means "nothing was granted" (so the revoke is in effect). */
bool mg_lf_failure_is_absent(const mg_lf_failure *f);
/*
 * An "Invalid principal" InvalidInputException: IAM does not know the
 * grantee (yet - a role created moments ago takes a while to propagate).
 */
bool mg_lf_failure_is_unknown_principal(const mg_lf_failure *f);
/* The pause asked of the executor before trying an unknown principal again (IAM takes seconds). */
#define MG_LF_PRINCIPAL_WAIT_MS 5000L
/*
 * Op status for a failed entry: ConcurrentModification / throttling /
 * internal errors, and an unknown principal (mg_lf_failure_is_unknown_principal),
 * are retryable.
 */
mg_op_status mg_lf_failure_status(const mg_lf_failure *f);

/* The body of one ListPermissions page: CatalogId, ResourceType ("DATABASE"/"TABLE"), NextToken. */
int mg_lf_list_body(const char *catalog_id, const char *resource_type, const char *next_token, mg_buf *out);

/* One permission as ListPermissions returns it, reduced to what meshgate manages. */
typedef struct mg_lf_held {
	char *principal;
	char *database;
	char *table;             /* NULL: the database itself */
	mg_lf_target target;     /* the resource it is held on */
	bool except;             /* TableWithColumns: columns are a wildcard's exclusions */
	char **columns;
	size_t ncolumns;
	unsigned perms;          /* MG_PERM_*; ALL counts as SELECT | DESCRIBE */
	char *resource_json;     /* its Resource as the service wrote it, to revoke exactly that */
} mg_lf_held;

/* The columns a held SELECT covers: a Table resource covers every column (all except none). */
bool mg_lf_held_all_columns(const mg_lf_held *h);

typedef struct mg_lf_held_list {
	mg_lf_held *items;
	size_t count, cap;
} mg_lf_held_list;

void mg_lf_held_release(mg_lf_held_list *l);

/*
 * Appends the permissions of one ListPermissions answer to out and copies
 * its NextToken to next (empty when it is the last page).  Entries on
 * resources meshgate does not manage (data locations, catalogs, tags) and
 * permissions it does not grant (ALTER, INSERT, ...) are skipped.
 * MG_EPARSE when the body is not the answer's shape; MG_ETOOBIG when a
 * token or name exceeds its bound.
 */
int mg_lf_list_parse(const char *body, size_t len, mg_lf_held_list *out, char *next, size_t next_cap);

#endif
