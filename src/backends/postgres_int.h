/*
 * postgres_int.h - the parts of the postgres backend (docs/backends.md),
 * private to src/backends/:
 *
 *   postgres_config.c   meshgate.yaml options, where the DSN comes from,
 *                       the sslmode default, DSN password masking
 *   postgres_sql.c      the GRANT/REVOKE text, identifiers quoted by a
 *                       caller-given quoter (PQescapeIdentifier in the backend)
 *   postgres_errors.c   SQLSTATE / libpq message -> op status and a
 *                       message that says what to do
 *   postgres_catalog.c  reading the server's catalogue (libpq)
 *   postgres.c          the backend itself (libpq)
 *
 * The first three are plain C (no libpq) and always built, so they are
 * unit-tested and fuzzed in every build.
 */
#ifndef MESHGATE_POSTGRES_INT_H
#define MESHGATE_POSTGRES_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "backends/backends_int.h"
#include "meshgate/backend.h"
#include "meshgate/buf.h"

/* PostgreSQL's identifier limit (NAMEDATALEN - 1): longer names are truncated by the server. */
#define MG_PG_IDENT_MAX 63
/* Most product -> schema entries in `schemas:`. */
#define MG_PG_SCHEMAS_MAX 4096

/* ---- options (postgres_config.c) ---- */

typedef struct mg_pg_options {
	const char *dsn_env;   /* the environment variable holding the connection string */
	const char *service;   /* or a libpq service name (pg_service.conf) */
	const char *sslmode;   /* NULL: the DSN's, else verify-full unless local */
	const char *role;      /* SET ROLE to this after connecting, or NULL */
	mg_backend_names schemas; /* product -> schema (default: the product name) */
	long connect_timeout_s;
} mg_pg_options;

#define MG_PG_DSN_ENV_DEFAULT "MESHGATE_POSTGRES_DSN"

/*
 * Reads a postgres backend entry of meshgate.yaml into o (strings borrowed
 * from the node; o->schemas' items malloc'd, freed with mg_pg_options_release).
 * Problems are reported as `config` findings on path when findings is not
 * NULL, else as MG_EINVALID with the first problem as message.
 */
int mg_pg_options_parse(const mg_node *entry, const char *path, mg_findings *findings, mg_pg_options *o);
void mg_pg_options_release(mg_pg_options *o);
/* The schema that holds product's tables. */
const char *mg_pg_schema_of(const mg_pg_options *o, const char *product);

/*
 * Appends dsn to out with every password replaced by "****": the
 * `password=` keyword of the key/value form (quoted or not) and, in the URI
 * form, the password of the userinfo and a password= query parameter.
 * Anything it cannot read is cut off after "...", never shown.  Bounded:
 * at most 512 bytes of dsn are looked at.
 */
int mg_pg_mask_dsn(const char *dsn, mg_buf *out);

/*
 * The sslmode meshgate passes to libpq, or NULL to leave it to the DSN:
 * meshgate.yaml's sslmode when given; else the DSN's or PGSSLMODE's when
 * either says one (dsn_sslmode / env_sslmode non-empty); else "verify-full"
 * unless every host of the comma-separated hosts (the names TLS would
 * verify; NULL or "": the default socket) is a unix socket or loopback.
 * A libpq service gets "verify-full" unless meshgate.yaml says otherwise.
 */
const char *mg_pg_sslmode(const mg_pg_options *o, const char *hosts, const char *dsn_sslmode, const char *env_sslmode);

/* True for a unix-socket directory (absolute path, or empty: the default socket) or a loopback host. */
bool mg_pg_host_is_local(const char *host);

/* ---- SQL text (postgres_sql.c) ---- */

/* Appends the quoted identifier to out; < 0 (with a message) when it cannot be quoted. */
typedef int (*mg_pg_quote_fn)(void *ctx, const char *ident, mg_buf *out);

/*
 * A quoter with PQescapeIdentifier's rules for a UTF-8 connection: wrapped
 * in double quotes, embedded double quotes doubled.  Refuses what the
 * server would change or misread: empty names, names over 63 bytes,
 * control characters, invalid UTF-8.
 */
int mg_pg_quote_ident(void *ctx, const char *ident, mg_buf *out);
/* Length of the valid UTF-8 sequence at s (n >= 1 bytes left), 0 when invalid. */
size_t mg_pg_utf8_len(const unsigned char *s, size_t n);
/* The same checks, for callers whose quoter is libpq's. */
int mg_pg_ident_check(const char *what, const char *ident);

typedef enum mg_pg_stmt {
	MG_PG_GRANT_USAGE,         /* GRANT USAGE ON SCHEMA s TO r */
	MG_PG_REVOKE_USAGE,        /* REVOKE USAGE ON SCHEMA s FROM r */
	MG_PG_GRANT_COLUMNS,       /* GRANT SELECT (c, ...) ON TABLE s.t TO r */
	MG_PG_REVOKE_COLUMNS,      /* REVOKE SELECT (c, ...) ON TABLE s.t FROM r */
	MG_PG_REVOKE_TABLE         /* REVOKE SELECT ON TABLE s.t FROM r (a hand-made table-level grant) */
} mg_pg_stmt;

/*
 * Appends one statement to out.  table is unused for the USAGE forms;
 * columns (n >= 1) only for the *_COLUMNS forms.  Never a table-level GRANT.
 */
int mg_pg_build(mg_buf *out, mg_pg_stmt kind, const char *schema, const char *table, const char *const *columns,
		size_t ncolumns, const char *role, mg_pg_quote_fn quote, void *quote_ctx);

/* Appends a PostgreSQL text[] literal of items (for = ANY($1::text[])). */
int mg_pg_text_array(mg_buf *out, const char *const *items, size_t n);

/* ---- errors (postgres_errors.c) ---- */

typedef enum mg_pg_phase {
	MG_PG_BEFORE_COMMIT, /* a statement of the batch, or BEGIN */
	MG_PG_AT_COMMIT      /* COMMIT was sent */
} mg_pg_phase;

/*
 * What an error means for the ops of a batch.  sqlstate is the 5-character
 * code (NULL or "" when libpq gave none: the connection failed); message is
 * the server's or libpq's text.  Serialization failures, deadlocks, lock
 * timeouts, cancels, resource shortages and connection loss before COMMIT
 * are MG_OP_RETRYABLE; connection loss once COMMIT was sent is
 * MG_OP_UNKNOWN; the rest (privileges, undefined objects, bad input,
 * authentication) is MG_OP_FAILED.
 */
mg_op_status mg_pg_classify(const char *sqlstate, const char *message, mg_pg_phase phase);

/* True when the error means the connection is gone (reconnect before the next try). */
bool mg_pg_connection_lost(const char *sqlstate, const char *message);

/*
 * Writes into out (size cap, always NUL-terminated) one line that says what
 * happened and what to do: "permission denied (42501): ...; the applier
 * role must own the table".  Control characters become spaces; the text is
 * cut on a UTF-8 boundary.
 */
void mg_pg_describe(char *out, size_t cap, const char *sqlstate, const char *message, const char *context);

/* ---- the backend (postgres.c, postgres_catalog.c; libpq) ---- */

#ifdef MESHGATE_WITH_POSTGRES
#include <libpq-fe.h>

/* One table's columns as the server has them now. */
typedef struct mg_pg_table {
	char *schema, *table;
	char **columns; /* sorted */
	size_t ncolumns;
	bool exists;
} mg_pg_table;

void mg_pg_table_release(mg_pg_table *t);

/* Reads schema.table's columns (t->exists false when there is no such table). */
int mg_pg_read_table(PGconn *c, const char *schema, const char *table, mg_pg_table *t);
/* Whether a schema / role exists. */
int mg_pg_exists(PGconn *c, bool role, const char *name, bool *exists);

/* One privilege a managed role holds on a managed schema. */
typedef enum mg_pg_priv_kind { MG_PG_PRIV_USAGE, MG_PG_PRIV_TABLE, MG_PG_PRIV_COLUMN } mg_pg_priv_kind;

typedef struct mg_pg_priv {
	mg_pg_priv_kind kind;
	const char *role, *schema, *table, *column; /* table NULL for USAGE, column only for COLUMN */
} mg_pg_priv;

typedef struct mg_pg_privs {
	mg_pg_priv *items;
	size_t count, cap;
	mg_arena arena;
} mg_pg_privs;

void mg_pg_privs_release(mg_pg_privs *p);
/*
 * Reads in bulk (aclexplode over pg_namespace.nspacl, pg_class.relacl and
 * pg_attribute.attacl) the USAGE, table-level SELECT and column SELECT
 * privileges that roles[] hold on schemas[] and their tables.
 */
int mg_pg_read_privs(PGconn *c, const char *const *roles, size_t nroles, const char *const *schemas,
		     size_t nschemas, mg_pg_privs *out);
/* Every column of every table in schemas[], as (schema, table, column) triples in out (privs of kind COLUMN, role NULL). */
int mg_pg_read_columns(PGconn *c, const char *const *schemas, size_t nschemas, mg_pg_privs *out);

/* ---- one call's view of the server (postgres_batch.c) ---- */

typedef struct mg_pg_view {
	mg_pg_privs cols;  /* every column of the ops' schemas (role NULL), sorted */
	mg_pg_privs privs; /* what the ops' roles hold there, sorted */
	bool loaded;
} mg_pg_view;

typedef struct mg_pg_range {
	const mg_pg_priv *v;
	size_t n;
} mg_pg_range;

/* Reads, in two queries, the columns and privileges the ops[0..n) touch. */
int mg_pg_view_load(PGconn *c, const mg_op *ops, size_t n, const mg_pg_options *o, mg_pg_view *v);
void mg_pg_view_release(mg_pg_view *v);
/* schema.table's columns (sorted by name); none when the server has no such table. */
mg_pg_range mg_pg_view_columns(const mg_pg_view *v, const char *schema, const char *table);
/* Whether schema has a table (an empty schema is not seen: callers read it themselves). */
bool mg_pg_view_schema_exists(const mg_pg_view *v, const char *schema);
/* What role holds on schema.table (table NULL: the schema's USAGE). */
mg_pg_range mg_pg_view_held(const mg_pg_view *v, const char *role, const char *schema, const char *table);

/* Runs sql (no result rows wanted); on error fills sqlstate[6] and msg and returns -1. */
int mg_pg_exec(PGconn *c, const char *sql, char sqlstate[6], char *msg, size_t msgcap);
#endif

#endif
