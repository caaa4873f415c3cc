/*
 * access.h - the access model (DESIGN §2): what a catalogue means as grants,
 * and the plan that moves one desired state to another.  Pure: no I/O.
 *
 * For consumer C of product P in environment E:
 *   tables   public/internal tables, narrowed to C.tables when given; a
 *            confidential table only when C names it AND holds a valid
 *            confidential clearance;
 *   columns  every column except pii ones (unless a valid pii clearance)
 *            and pci ones (unless a valid pci clearance), independently;
 *            when the column list is unknown the grant is "all columns
 *            except the excluded names";
 *   perms    SELECT and DESCRIBE on each granted table, DESCRIBE on the
 *            product's database;
 *   channel  lakeformation/postgres: column-precise; iam: raw S3 read, so
 *            only tables with no pii/pci column that are not confidential.
 * A clearance is valid when it has approved-by, reason and expires, and
 * `today` <= expires.
 */
#ifndef MESHGATE_ACCESS_H
#define MESHGATE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/arena.h"
#include "meshgate/model.h"

#define MG_PERM_SELECT 1u
#define MG_PERM_DESCRIBE 2u

/* What a grant (or one of its columns) exposes. */
#define MG_EXPOSE_PII 1u
#define MG_EXPOSE_PCI 2u
#define MG_EXPOSE_CONFIDENTIAL 4u

/*
 * One grant: a principal's permissions on one table of a product (or on the
 * product's database when table is NULL).  Strings are borrowed from the
 * set's arena or the catalogue the set was computed from.
 */
typedef struct mg_grant {
	const char *environment;
	const char *product;   /* data-product-name */
	const char *principal; /* lakeformation: account id; iam: role ARN; postgres: role */
	mg_channel channel;
	const char *table;     /* NULL: the product's database */
	/*
	 * iam table grants: the table's output `location` (s3://bucket/prefix)
	 * the raw read is granted on, or NULL when the catalogue gives none;
	 * NULL for the other channels.  Not part of the key or of equality.
	 */
	const char *location;
	bool except;           /* columns are the excluded names ("all columns except") */
	const char **columns;  /* sorted, unique */
	unsigned *column_exposure; /* per column: MG_EXPOSE_* of that column */
	size_t ncolumns;
	unsigned perms;        /* MG_PERM_* */
	unsigned exposure;     /* MG_EXPOSE_* of what the grant lets the principal read */
} mg_grant;

typedef struct mg_intern mg_intern; /* private: shared strings and column lists */

/*
 * A set of grants sorted by (environment, principal, product, table), keys
 * unique.  Equal strings and equal column lists are stored once and shared
 * between grants; treat a grant's columns as read-only.
 */
typedef struct mg_grant_set {
	mg_arena arena;
	mg_grant *items;
	size_t count, cap;
	mg_intern *intern;
} mg_grant_set;

void mg_grant_set_init(mg_grant_set *s);
void mg_grant_set_release(mg_grant_set *s);
/* Orders grants by key; 0 when equal keys. */
int mg_grant_key_cmp(const mg_grant *a, const mg_grant *b);
const mg_grant *mg_grant_set_find(const mg_grant_set *s, const mg_grant *key);
/* Deep equality of two grants (key, mode, columns, perms). */
bool mg_grant_equal(const mg_grant *a, const mg_grant *b);
/* Adds a copy of g (strings copied into the set's arena), merging with an existing key. */
int mg_grant_set_add(mg_grant_set *s, const mg_grant *g);
/* Sorts and merges; call after adds (adds keep the set unsorted). */
int mg_grant_set_finish(mg_grant_set *s);

/* Decides which products are computed: return true to include. */
typedef bool (*mg_product_filter)(const mg_product *p, void *ctx);

/*
 * The desired grants of cat: every product (filter NULL) or those the
 * filter accepts.  today is "YYYY-MM-DD".  out is initialised by the caller;
 * strings it holds are copied, so cat may be released afterwards.
 */
int mg_access_desired(const mg_catalogue *cat, const char *today, mg_product_filter filter,
		      void *filter_ctx, mg_grant_set *out);

/*
 * True when clearance c grants on `today`: present, with a non-empty
 * approved-by and reason, and an expires that is a calendar date not
 * before today.  The one definition: the validator's rules, the planner,
 * the site and the CLI all ask this.
 */
bool mg_clearance_valid(const mg_clearance *c, const char *today);

/* What the access model decides for one consumer and one table of its product. */
typedef enum mg_table_verdict {
	MG_TABLE_GRANTED,      /* granted (its columns narrowed by the pii/pci clearances) */
	MG_TABLE_NOT_NAMED,    /* the consumer lists tables, and not this one */
	MG_TABLE_CONFIDENTIAL, /* confidential, and not named with a valid confidential clearance */
	MG_TABLE_IAM_SENSITIVE /* an iam consumer (raw S3 read) and the table has a pii/pci
				  column or is confidential: raw reads cannot hide them */
} mg_table_verdict;

/*
 * The verdict for consumer c on table t (of the same product) on `today`.
 * A granted table can still give no columns when every column is hidden
 * by the consumer's missing clearances; mg_access_desired says which.
 */
mg_table_verdict mg_access_table_verdict(const mg_consumer *c, const mg_table *t, const char *today);

/* ---- plans ---- */

typedef enum mg_op_kind {
	MG_OP_REVOKE,
	MG_OP_GRANT
} mg_op_kind;

typedef struct mg_op {
	mg_op_kind kind;
	mg_grant grant; /* the columns/perms granted or revoked by this op */
	bool risky;     /* GRANT that exposes pii/pci/confidential data not exposed before */
	unsigned newly; /* MG_EXPOSE_* this op newly exposes (0 for revokes and safe grants) */
	/*
	 * Of newly, what is exposed only because the target declassified what
	 * the base classified (a column that lost pii/pci, a table that lost
	 * confidential, a deleted visibility entry), and the names that were
	 * (the op's columns, or its table when it was confidential), sorted,
	 * in the plan's arena.  Set only by mg_plan_diff_move with a base.
	 */
	unsigned declassified;
	const char **declassified_names;
	size_t ndeclassified;
	char key[17];   /* idempotency key: 16 hex digits of a hash of the op */
} mg_op;

typedef struct mg_plan {
	mg_arena arena;
	mg_op *ops; /* revokes first, then grants; each group in key order */
	size_t count, cap;
} mg_plan;

void mg_plan_init(mg_plan *p);
void mg_plan_release(mg_plan *p);

/*
 * The plan from desired state `from` to `to`: revokes for what only `from`
 * has, grants for what only `to` has, column-level where both lists are
 * explicit.  Where an "all except" grant excludes more names, those names
 * are revoked by name; where it excludes fewer, the new "all except" is
 * granted (grants add); iam grants and a change of mode or perms are a
 * revoke + re-grant.  Access never widens on the way to a narrower state.
 */
int mg_plan_diff(const mg_grant_set *from, const mg_grant_set *to, mg_plan *out);
/*
 * The same plan, but the ops borrow the strings and column lists of `from`
 * and `to` instead of copying them: their memory moves into out, and both
 * sets are left released (empty).  What the planner uses for whole
 * catalogues, where copying every grant's columns doubled the memory.
 *
 * base (may be NULL): the catalogue `from` was computed from.  Each grant
 * is then also judged by the base's classification: a column the base
 * classified pii/pci, or a table it classified confidential, that the
 * grant newly gives without the target classifying it so makes the grant
 * risky, with op.declassified saying why.  Products are matched by
 * environment and data-product-name; base is not kept.
 */
int mg_plan_diff_move(mg_grant_set *from, mg_grant_set *to, const mg_catalogue *base, mg_plan *out);

/*
 * Applies plan ops to a grant set in place, with the same semantics a
 * backend has (granting what exists and revoking what is absent succeed).
 * Used by tests and by the ledger to check convergence.
 */
int mg_grant_set_apply(mg_grant_set *s, const mg_op *ops, size_t n);

#endif
