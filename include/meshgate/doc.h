/*
 * doc.h - documents: JSON or YAML content as one tree whose every node
 * carries the line and column it starts at.
 *
 * A mg_doc owns all of its nodes and strings (one arena); pointers into a
 * document are borrowed and live until mg_doc_free().  Positions are
 * 1-based; columns count Unicode code points, as editors show them.
 *
 * Loading is strict and bounded.  A document that is not acceptable
 * (syntax error, duplicate key, invalid UTF-8, nesting deeper than
 * max_depth, larger than max_bytes, YAML aliases expanding past
 * max_alias_nodes nodes or repeating more than max_bytes of text, YAML tags
 * or non-scalar keys) yields exactly one `parse`
 * finding at the offending position and MG_EPARSE; no partial tree is
 * returned.
 */
#ifndef MESHGATE_DOC_H
#define MESHGATE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate/arena.h"

struct mg_findings;

typedef enum mg_node_type {
	MG_NODE_NULL,
	MG_NODE_BOOL,
	MG_NODE_NUMBER,
	MG_NODE_STRING,
	MG_NODE_ARRAY,
	MG_NODE_OBJECT
} mg_node_type;

typedef struct mg_node mg_node;
typedef struct mg_member mg_member;

struct mg_member {
	const char *key; /* NUL-terminated; key_len excludes the NUL */
	size_t key_len;
	uint32_t line, col; /* position of the key */
	mg_node *value;
};

struct mg_node {
	mg_node_type type;
	uint32_t line, col;
	/* YAML only: a plain (unquoted) scalar read as a number or boolean, as
	 * written ("111122223333", "0123", "yes"), so a message can say how to
	 * quote it; NULL otherwise.  In the document's arena. */
	const char *plain;
	union {
		bool boolean;
		struct {
			double value;
			bool is_integer; /* mathematically an integer (1.0 too) */
		} number;
		struct {
			const char *ptr; /* NUL-terminated, valid UTF-8, may hold NULs */
			size_t len;
		} string;
		struct {
			mg_node **items;
			size_t count;
		} array;
		struct {
			mg_member *members; /* in document order, keys unique */
			size_t count;
		} object;
	} u;
};

typedef enum mg_doc_format { MG_FORMAT_JSON, MG_FORMAT_YAML } mg_doc_format;

typedef struct mg_doc_limits {
	size_t max_bytes;       /* default 1 MiB */
	unsigned max_depth;     /* default 64 */
	size_t max_alias_nodes; /* nodes created by expanding YAML aliases; default 10000 */
} mg_doc_limits;

#define MG_DOC_LIMITS_DEFAULT { 1u << 20, 64, 10000 }

typedef struct mg_doc {
	mg_arena arena;
	mg_node *root;
	const char *path; /* as given to the loader, copied into the arena */
	mg_doc_format format;
} mg_doc;

/*
 * Parse `len` bytes of `data` (need not be NUL-terminated).  On success
 * *out is a new document the caller frees with mg_doc_free().  On a parse
 * problem one `parse` finding is added to `findings` (when not NULL), *out
 * is NULL, and MG_EPARSE is returned; MG_ENOMEM on allocation failure.
 * `path` is used for findings and copied.
 */
int mg_doc_parse_json(mg_doc **out, const char *path, const char *data, size_t len,
		      const mg_doc_limits *limits, struct mg_findings *findings);
int mg_doc_parse_yaml(mg_doc **out, const char *path, const char *data, size_t len,
		      const mg_doc_limits *limits, struct mg_findings *findings);
/* Picks the parser from the path's extension (.json, .yaml, .yml). */
int mg_doc_parse(mg_doc **out, const char *path, const char *data, size_t len,
		 const mg_doc_limits *limits, struct mg_findings *findings);
void mg_doc_free(mg_doc *doc);

/* Helpers over nodes; all tolerate NULL and wrong types by returning NULL/false. */
const mg_node *mg_obj_get(const mg_node *obj, const char *key);
const mg_member *mg_obj_member(const mg_node *obj, const char *key);
const char *mg_node_str(const mg_node *n); /* NULL unless a string */
const char *mg_node_type_name(mg_node_type t);
/* Deep equality as JSON Schema defines it (1 == 1.0, key order ignored). */
bool mg_node_equal(const mg_node *a, const mg_node *b);

/* Internal to the loaders: an empty document (root NULL), and node allocation in its arena. */
int mg_doc_new(mg_doc **out, const char *path, mg_doc_format format);
mg_node *mg_doc_new_node(mg_doc *doc, mg_node_type type, uint32_t line, uint32_t col);

#endif
