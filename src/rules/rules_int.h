/*
 * rules_int.h - private parts of the catalogue rules (see meshgate/rules.h),
 * shared by rules_run.c, rules_product.c, rules_global.c and rules_util.c.
 *
 * Ownership: a mg_rules_state owns its scratch arena and maps and is
 * released with mg_rules_state_release(); everything it points to in the
 * catalogue, the context and the findings list is borrowed.  Map keys are
 * borrowed too: callers keep them in the state's arena (or in the
 * catalogue) for as long as the map lives.
 */
#ifndef MESHGATE_VALIDATOR_RULES_INT_H
#define MESHGATE_VALIDATOR_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate/arena.h"
#include "meshgate/buf.h"
#include "meshgate/rules.h"

/* ---- a hash map from byte strings to size_t (rules_util.c) ---- */

typedef struct mg_strmap_slot {
	const char *key; /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	size_t value;
} mg_strmap_slot;

typedef struct mg_strmap {
	mg_strmap_slot *slots;
	size_t cap, count;
} mg_strmap;

#define MG_STRMAP_INIT { NULL, 0, 0 }

/*
 * Inserts key -> value unless key is present.  Returns 0 when inserted,
 * 1 when present (and sets *existing, when not NULL, to the stored value),
 * or MG_ENOMEM.  The key is borrowed and must outlive the map.
 */
int mg_strmap_put(mg_strmap *m, const char *key, size_t len, size_t value, size_t *existing);
/* true and *value set when key is present. */
bool mg_strmap_get(const mg_strmap *m, const char *key, size_t len, size_t *value);
void mg_strmap_release(mg_strmap *m);

/* ---- names ---- */

/*
 * Appends the normalised form of name to out: ASCII lowercased, '-', '.'
 * and ' ' turned into '_'.  Two product names are the same product when
 * their normalised forms are equal.  0 or MG_ENOMEM.
 */
int mg_rules_normalise(mg_buf *out, const char *name);

/*
 * Appends the folded form of a table or column name to out, what
 * ambiguous-name compares: surrounding white space trimmed, invisible
 * characters (zero-width spaces and joiners, word joiners, soft hyphens,
 * byte-order marks, bidirectional controls) and combining marks
 * (U+0300-U+036F) dropped, the precomposed Latin-1 letters turned into
 * their base letter (so NFC and NFD fold alike), ASCII lowercased.  Names
 * themselves are matched exactly (byte for byte) everywhere; two names
 * that differ but fold alike are an ambiguous-name finding.  0 or
 * MG_ENOMEM.
 */
int mg_rules_fold_name(mg_buf *out, const char *name);

/* ---- shared state of one mg_rules_run() ---- */

typedef struct mg_rules_state {
	const mg_catalogue *cat;
	const mg_rules_ctx *ctx;
	mg_findings *f;
	mg_arena arena;   /* keys of the maps below and other scratch */
	mg_buf key;       /* scratch for building lookup keys */
	size_t *env_of;   /* environment number of each product */
	size_t nenvs;
	/* "<env>\x1f<normalised name>" -> first product with that name */
	mg_strmap products;
	/* "<product index>\x1f<table name>" -> table index, over all products */
	mg_strmap tables;
	/* "<path>\x1f<line>:<col>" of `schema` findings, built on first use */
	mg_strmap schema_at;
	bool schema_at_built;
	/* cells of edit-distance tables left for "did you mean" suggestions */
	size_t suggest_budget;
} mg_rules_state;

void mg_rules_state_release(mg_rules_state *st);

/* Builds the "<product index>\x1f<table>" lookup key in st->key. */
int mg_rules_table_key(mg_rules_state *st, size_t product, const char *table);
/* The index of table `name` in product `product`, or -1. */
long mg_rules_find_table(mg_rules_state *st, size_t product, const char *name);
/* Whether a `schema` finding already stands at pos (so a rule need not repeat it). */
bool mg_rules_schema_reported(mg_rules_state *st, const mg_pos *pos);

/*
 * "Did you mean": feed candidates with mg_suggest_add(), read `best`.
 * Candidates are compared by edit distance of their normalised forms,
 * within a distance that grows with the name's length.  Every comparison
 * spends from st->suggest_budget, so hostile catalogues cannot make
 * suggestions quadratic: when the budget is gone, suggestions stop.
 */
typedef struct mg_suggest {
	mg_rules_state *st;
	const char *target;
	const char *best; /* NULL when nothing is close; borrowed from the candidates */
	unsigned best_dist;
} mg_suggest;

void mg_suggest_begin(mg_suggest *s, mg_rules_state *st, const char *target);
void mg_suggest_add(mg_suggest *s, const char *candidate);
/*
 * "; did you mean 'x'?" when a candidate was close, else `otherwise`
 * (the advice to show instead); borrowed (static, or in st's arena).
 */
const char *mg_suggest_hint(const mg_suggest *s, const char *otherwise);

/* ---- accounts and S3 locations ---- */

/*
 * The account field of an ARN ("arn:<partition>:<service>:<region>:<account>:...")
 * as a span, or false when s is not shaped like an ARN.
 */
bool mg_rules_arn_account(const char *arn, const char **acc, size_t *len);
/*
 * Splits "s3://bucket/key" into bucket and key spans; the key loses its
 * trailing slashes ("" for the bucket root).  false unless s starts with
 * "s3://" and names a bucket.
 */
bool mg_rules_s3_split(const char *s, const char **bucket, size_t *blen, const char **key,
		       size_t *klen);

/* ---- the rules ---- */

/* Per-product and cross-file rules (rules_product.c). */
int mg_rules_product(mg_rules_state *st, size_t product);
/* Rules over a whole environment: duplicate-product, overlapping-location,
 * unknown-input, inputs' unknown-table, lineage-cycle (rules_global.c). */
int mg_rules_index(mg_rules_state *st);
int mg_rules_global(mg_rules_state *st);

#endif
