/* doc.c - the document tree shared by the JSON and YAML loaders (see meshgate/doc.h). */
#include "meshgate/doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "meshgate/finding.h"

mg_node *mg_doc_new_node(mg_doc *doc, mg_node_type type, uint32_t line, uint32_t col)
{
	mg_node *n = mg_arena_calloc(&doc->arena, 1, sizeof *n);
	if (!n)
		return NULL;
	n->type = type;
	n->line = line;
	n->col = col;
	return n;
}

int mg_doc_new(mg_doc **out, const char *path, mg_doc_format format)
{
	mg_doc *doc = calloc(1, sizeof *doc);
	if (!doc)
		return mg_oom();
	doc->format = format;
	doc->path = mg_arena_strdup(&doc->arena, path ? path : "");
	if (!doc->path) {
		free(doc);
		return mg_oom();
	}
	*out = doc;
	return 0;
}

void mg_doc_free(mg_doc *doc)
{
	if (!doc)
		return;
	mg_arena_free(&doc->arena);
	free(doc);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int mg_doc_parse(mg_doc **out, const char *path, const char *data, size_t len,
		 const mg_doc_limits *limits, struct mg_findings *findings)
{
	if (has_suffix(path, ".yaml") || has_suffix(path, ".yml"))
		return mg_doc_parse_yaml(out, path, data, len, limits, findings);
	return mg_doc_parse_json(out, path, data, len, limits, findings);
}

const mg_member *mg_obj_member(const mg_node *obj, const char *key)
{
	if (!obj || obj->type != MG_NODE_OBJECT)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < obj->u.object.count; i++) {
		const mg_member *m = &obj->u.object.members[i];
		if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
			return m;
	}
	return NULL;
}

const mg_node *mg_obj_get(const mg_node *obj, const char *key)
{
	const mg_member *m = mg_obj_member(obj, key);
	return m ? m->value : NULL;
}

const char *mg_node_str(const mg_node *n)
{
	return n && n->type == MG_NODE_STRING ? n->u.string.ptr : NULL;
}

const char *mg_node_type_name(mg_node_type t)
{
	switch (t) {
	case MG_NODE_NULL: return "null";
	case MG_NODE_BOOL: return "boolean";
	case MG_NODE_NUMBER: return "number";
	case MG_NODE_STRING: return "string";
	case MG_NODE_ARRAY: return "array";
	case MG_NODE_OBJECT: return "object";
	}
	return "?";
}

bool mg_node_equal(const mg_node *a, const mg_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case MG_NODE_NULL:
		return true;
	case MG_NODE_BOOL:
		return a->u.boolean == b->u.boolean;
	case MG_NODE_NUMBER:
		return a->u.number.value == b->u.number.value;
	case MG_NODE_STRING:
		return a->u.string.len == b->u.string.len &&
		       memcmp(a->u.string.ptr, b->u.string.ptr, a->u.string.len) == 0;
	case MG_NODE_ARRAY:
		if (a->u.array.count != b->u.array.count)
			return false;
		for (size_t i = 0; i < a->u.array.count; i++)
			if (!mg_node_equal(a->u.array.items[i], b->u.array.items[i]))
				return false;
		return true;
	case MG_NODE_OBJECT:
		if (a->u.object.count != b->u.object.count)
			return false;
		for (size_t i = 0; i < a->u.object.count; i++) {
			const mg_member *m = &a->u.object.members[i];
			const mg_member *o = NULL;
			for (size_t j = 0; j < b->u.object.count; j++) {
				const mg_member *c = &b->u.object.members[j];
				if (c->key_len == m->key_len && memcmp(c->key, m->key, m->key_len) == 0) {
					o = c;
					break;
				}
			}
			if (!o || !mg_node_equal(m->value, o->value))
				return false;
		}
		return true;
	}
	return false;
}
