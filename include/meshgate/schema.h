/*
 * schema.h - a JSON Schema (draft 2020-12 subset) engine over mg_node trees.
 *
 * Supported keywords: type, enum, const, required, properties,
 * additionalProperties, patternProperties, propertyNames, items,
 * prefixItems, contains/minContains/maxContains, minLength, maxLength,
 * minItems, maxItems, minProperties, maxProperties, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, multipleOf, pattern, format (date,
 * email; others are annotations), uniqueItems, dependentRequired,
 * dependentSchemas, $ref, $defs, $id, $anchor, $dynamicRef,
 * $dynamicAnchor, unevaluatedProperties, unevaluatedItems, allOf, anyOf,
 * oneOf, not, if/then/else, boolean schemas.  Other keywords (title,
 * description, default, examples, $comment, $vocabulary, content*, ...)
 * are annotations and ignored.  Unlike the spec's default, formats "date"
 * and "email" are assertions.  `pattern` is an ECMA-262 subset run in
 * linear time; back-references and lookaround make the schema invalid.
 *
 * Messages: a subschema with a string `x-message` has that text reported
 * instead of the generic message for its own failing assertions.
 *
 * A mg_schema_set owns compiled schemas and the documents they came from
 * that were handed to it.  Validation reports each violation as a `schema`
 * finding at the position of the offending instance node (an unknown key
 * at the key), once per node and message.  Compiled schemas are immutable:
 * one schema may validate from several threads at once; adding to a set
 * may not run concurrently with anything else on that set.
 */
#ifndef MESHGATE_SCHEMA_H
#define MESHGATE_SCHEMA_H

#include <stdbool.h>

#include "meshgate/doc.h"
#include "meshgate/finding.h"

typedef struct mg_schema_set mg_schema_set;
typedef struct mg_schema mg_schema; /* borrowed from its set */

/*
 * Resolves a URI the set does not know (a remote $ref) to a document.
 * Return 0 and a new document in *out (the set takes ownership), or
 * MG_ENOTFOUND.  May be NULL: unknown remote refs are then errors.
 */
typedef int (*mg_schema_loader)(mg_doc **out, const char *uri, void *ctx);

int mg_schema_set_new(mg_schema_set **out, mg_schema_loader loader, void *ctx);
void mg_schema_set_free(mg_schema_set *set);

/*
 * Adds a schema document to the set and compiles it.  `base_uri` is used when
 * the root has no $id (may be NULL).  The set takes ownership of doc, also on
 * failure.  On an invalid schema returns MG_EINVALID with the message set.
 */
int mg_schema_add(mg_schema **out, mg_schema_set *set, mg_doc *doc, const char *base_uri);

/*
 * Validates instance against schema; adds findings for path to `findings`
 * (may be NULL to only get the verdict).  Returns 1 if valid, 0 if not, or a
 * negative error code (MG_ENOMEM, MG_EINVALID for an unresolvable $ref).
 */
int mg_schema_validate(const mg_schema *schema, const mg_node *instance, const char *path,
		       mg_findings *findings);

/*
 * Shipped schemas, compiled from rules/ *.schema.json embedded in the
 * binary, by file name ("data-product.schema.json", ...).  Borrowed from a
 * process-wide set created on first use and never freed.  A root without
 * $id gets the base https://meshgate.invalid/rules/<name>; a remote $ref
 * is served by the embedded file named by the URI's last segment.
 * Not thread-safe: call it for every schema needed before starting
 * threads.  MG_ENOTFOUND for an unknown name.
 */
int mg_schema_builtin(const mg_schema **out, const char *name);

/* A closed enum of a shipped schema opened for one run (meshgate.yaml extend-enums). */
typedef struct mg_schema_enum_ext {
	const char *pointer;       /* JSON Pointer to an "enum" array in the file, "/$defs/x/properties/y/enum" */
	const char *const *values; /* strings appended to it (borrowed) */
	size_t nvalues;
} mg_schema_enum_ext;

/*
 * A new empty set whose remote $refs are served by the embedded rules
 * files, as for the shipped schemas; the caller frees it.
 */
int mg_schema_builtin_set_new(mg_schema_set **out);

/*
 * Compiles a fresh copy of shipped schema `name` into `set` (one from
 * mg_schema_builtin_set_new) with the values of each of `ext` appended to
 * the enum it points at.  The process-wide schemas of mg_schema_builtin()
 * are not touched, so other runs still see the closed enums.  *out is
 * borrowed from `set`.  MG_ENOTFOUND for an unknown name, MG_EINVALID when a
 * pointer does not name an enum array.
 */
int mg_schema_builtin_extended(const mg_schema **out, mg_schema_set *set, const char *name,
			       const mg_schema_enum_ext *ext, size_t next);

/*
 * mg_schema_validate keeps scratch memory per thread between calls; a
 * thread that validated calls this before it exits (the process's main
 * thread need not).
 */
void mg_schema_thread_release(void);

#endif
