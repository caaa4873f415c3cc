/*
 * schema_int.h - private types of the JSON Schema engine (see
 * meshgate/schema.h), shared by its parts: schema_compile.c (sets, $ref
 * resolution, compilation, built-ins), schema_validate.c (validation and
 * messages), schema_regex.c (patterns), schema_uri.c (RFC 3986) and
 * schema_format.c (date, email).
 *
 * Ownership: a mg_schema_set owns everything here.  Compiled schemas,
 * regex programs, resources and URI strings live in the set's arena and are
 * released at once by mg_schema_set_free(); the documents handed to the set
 * are kept in `docs` and freed with it.  Schema nodes point into those
 * documents (borrowed).
 */
#ifndef MESHGATE_VALIDATOR_SCHEMA_INT_H
#define MESHGATE_VALIDATOR_SCHEMA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate/arena.h"
#include "meshgate/doc.h"
#include "meshgate/schema.h"

/* ---- regular expressions (schema_regex.c) ---- */

typedef struct mg_regex mg_regex;

/*
 * Compiles an ECMA-262 pattern (the subset described in schema_regex.c)
 * into `arena`.  Returns 0, MG_ENOMEM, or MG_EINVALID with the error message
 * set (naming the pattern).  The program is immutable once compiled, so
 * matching is safe from several threads.
 */
int mg_regex_compile(mg_regex **out, mg_arena *arena, const char *pattern, size_t len);
/* 1 when the pattern matches somewhere in s (unanchored search, as JSON
 * Schema's `pattern` says), 0 when not, MG_ENOMEM.  Runs in O(len * states). */
int mg_regex_search(const mg_regex *re, const char *s, size_t len);
const char *mg_regex_source(const mg_regex *re);

/* ---- compiled schemas ---- */

/* Instance type bits for `type`. */
enum {
	MG_T_NULL = 1 << 0,
	MG_T_BOOLEAN = 1 << 1,
	MG_T_OBJECT = 1 << 2,
	MG_T_ARRAY = 1 << 3,
	MG_T_NUMBER = 1 << 4,
	MG_T_STRING = 1 << 5,
	MG_T_INTEGER = 1 << 6
};

typedef enum mg_sformat { MG_FMT_NONE, MG_FMT_DATE, MG_FMT_EMAIL } mg_sformat;

typedef struct mg_resource mg_resource;

typedef struct mg_sprop {
	const char *key;
	size_t key_len;
	mg_schema *schema;
} mg_sprop;

typedef struct mg_spattern {
	mg_regex *re;
	mg_schema *schema;
} mg_spattern;

typedef struct mg_slist {
	mg_schema **items;
	size_t count;
} mg_slist;

/* A reference ($ref or $dynamicRef) resolved at compile time when possible. */
typedef struct mg_sref {
	const char *uri;      /* absolute, for messages */
	mg_schema *target;    /* NULL when unresolvable */
	const char *error;    /* why it is unresolvable (arena string) */
	const char *dyn_name; /* $dynamicRef to a $dynamicAnchor: the anchor name */
} mg_sref;

#define MG_NO_LIMIT UINT64_MAX

/*
 * One compiled (sub)schema.  Every keyword that is absent has its neutral
 * value (NULL, 0, MG_NO_LIMIT, NAN-free flags), so validation only tests
 * what the schema says.
 */
struct mg_schema {
	const mg_node *src; /* the schema node: object or boolean */
	mg_schema_set *set;
	mg_resource *resource; /* the schema resource it belongs to */
	bool is_bool, bool_value;
	const char *x_message; /* `x-message` override of this schema's assertions */

	unsigned types; /* MG_T_* bits; 0 when no `type` */
	const mg_node *enum_values; /* array */
	const mg_node *const_value;
	const mg_node *required;    /* array of strings */

	mg_sprop *props;
	size_t nprops;
	mg_spattern *pprops;
	size_t npprops;
	mg_schema *additional;
	mg_schema *property_names;
	uint64_t min_props, max_props;
	mg_sprop *dep_schemas;
	size_t ndep_schemas;
	const mg_node *dep_required; /* object of string arrays */

	mg_slist prefix_items;
	mg_schema *items;
	mg_schema *contains;
	uint64_t min_contains, max_contains; /* min defaults to 1 */
	uint64_t min_items, max_items;
	bool unique_items;

	uint64_t min_length, max_length;
	mg_regex *pattern;
	mg_sformat format;

	bool has_min, has_max, has_xmin, has_xmax, has_mult;
	double minimum, maximum, xminimum, xmaximum, multiple_of;

	mg_slist all_of, any_of, one_of;
	mg_schema *not_;
	mg_schema *if_, *then_, *else_;
	mg_sref *ref, *dyn_ref;
	mg_schema *uneval_props, *uneval_items; /* need annotation collection */
};

/* A dynamic anchor of a resource, compiled when first needed. */
typedef struct mg_sanchor {
	const char *name;
	const mg_node *node;
	bool dynamic;
	mg_schema *compiled; /* dynamic anchors: compiled with their resource */
	struct mg_sanchor *next;
} mg_sanchor;

/* A schema resource: a document root or a subschema with `$id`. */
struct mg_resource {
	const char *uri; /* absolute, without fragment */
	const mg_node *root;
	mg_sanchor *anchors;
	bool anchors_compiled;
	mg_resource *next;
};

/* Node -> base URI and resource, recorded while scanning a document. */
typedef struct mg_sloc {
	const mg_node *node;
	const char *base;
	mg_resource *resource;
	mg_schema *compiled; /* once compiled */
} mg_sloc;

struct mg_schema_set {
	mg_arena arena;
	mg_schema_loader loader;
	void *loader_ctx;
	mg_doc **docs; /* owned */
	size_t ndocs, docs_cap;
	mg_resource *resources;
	mg_sloc *locs; /* open-addressing table keyed by node pointer */
	size_t locs_cap, locs_count;
	unsigned anon_count;
	unsigned load_depth;
};

/* schema_compile.c: finds the compiled schema of a $dynamicAnchor `name` in
 * `res`, or NULL. */
mg_schema *mg_schema__dyn_anchor(mg_resource *res, const char *name);

/* schema_uri.c: ref resolved against base (RFC 3986 5.2; base may be NULL
 * or empty, then ref is copied), and a URI without its fragment.  Both
 * return arena strings, NULL when out of memory. */
char *mg_uri_resolve(mg_arena *arena, const char *base, const char *ref);
char *mg_uri_strip_fragment(mg_arena *arena, const char *uri);

/* schema_format.c */
bool mg_format_date(const char *s, size_t len);
bool mg_format_email(const char *s, size_t len);

#endif
