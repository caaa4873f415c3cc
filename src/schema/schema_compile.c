/*
 * schema_compile.c - schema sets: adding documents, URI resolution
 * (RFC 3986), $id / $anchor / $dynamicAnchor registration, $ref resolution
 * and compilation of schema nodes into struct mg_schema (schema_int.h).
 *
 * A document added to a set is first scanned: every subschema reachable
 * through the applicator keywords gets its base URI and schema resource
 * recorded, so a $ref can name an $id or $anchor defined anywhere, before or
 * after it.  Compilation then walks the schema; each node is compiled once
 * (cached by node pointer, which also ends $ref cycles) and every $ref is
 * resolved at compile time, loading remote documents through the set's
 * loader.  A $ref that cannot be resolved does not fail the compilation: it
 * makes validation fail with MG_EINVALID when it is reached.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"
#include "schema/schema_int.h"

#define MAX_LOAD_DEPTH 32 /* remote documents loading other remote documents */

/* ---- node -> location table ---- */

static size_t ptr_hash(const void *p)
{
	uintptr_t v = (uintptr_t)p;
	v ^= v >> 17;
	v *= 0x9E3779B97F4A7C15ull & (uintptr_t)-1;
	return (size_t)(v ^ (v >> 29));
}

static mg_sloc *loc_get(mg_schema_set *set, const mg_node *node)
{
	if (!set->locs_cap)
		return NULL;
	for (size_t i = ptr_hash(node) & (set->locs_cap - 1);; i = (i + 1) & (set->locs_cap - 1)) {
		if (set->locs[i].node == node)
			return &set->locs[i];
		if (!set->locs[i].node)
			return NULL;
	}
}

/* Inserts node (unless present); the returned pointer is valid until the next insert. */
static mg_sloc *loc_put(mg_schema_set *set, const mg_node *node, const char *base, mg_resource *res)
{
	mg_sloc *l = loc_get(set, node);
	if (l)
		return l;
	if ((set->locs_count + 1) * 2 > set->locs_cap) {
		size_t cap = set->locs_cap ? set->locs_cap * 2 : 256;
		mg_sloc *n = calloc(cap, sizeof *n);
		if (!n)
			return NULL;
		for (size_t i = 0; i < set->locs_cap; i++) {
			if (!set->locs[i].node)
				continue;
			size_t j = ptr_hash(set->locs[i].node) & (cap - 1);
			while (n[j].node)
				j = (j + 1) & (cap - 1);
			n[j] = set->locs[i];
		}
		free(set->locs);
		set->locs = n;
		set->locs_cap = cap;
	}
	size_t i = ptr_hash(node) & (set->locs_cap - 1);
	while (set->locs[i].node)
		i = (i + 1) & (set->locs_cap - 1);
	l = &set->locs[i];
	l->node = node;
	l->base = base;
	l->resource = res;
	l->compiled = NULL;
	set->locs_count++;
	return l;
}

/* ---- resources and scanning ---- */

static mg_resource *resource_find(mg_schema_set *set, const char *uri)
{
	for (mg_resource *r = set->resources; r; r = r->next)
		if (strcmp(r->uri, uri) == 0)
			return r;
	return NULL;
}

static mg_resource *resource_add(mg_schema_set *set, const char *uri, const mg_node *root)
{
	mg_resource *r = resource_find(set, uri);
	if (r)
		return r; /* first definition wins */
	r = mg_arena_calloc(&set->arena, 1, sizeof *r);
	if (!r)
		return NULL;
	r->uri = uri;
	r->root = root;
	r->next = set->resources;
	set->resources = r;
	return r;
}

static int anchor_add(mg_schema_set *set, mg_resource *res, const char *name, const mg_node *node, bool dynamic)
{
	for (mg_sanchor *a = res->anchors; a; a = a->next)
		if (strcmp(a->name, name) == 0) {
			a->dynamic = a->dynamic || dynamic;
			return 0;
		}
	mg_sanchor *a = mg_arena_calloc(&set->arena, 1, sizeof *a);
	if (!a)
		return mg_oom();
	a->name = name;
	a->node = node;
	a->dynamic = dynamic;
	a->next = res->anchors;
	res->anchors = a;
	return 0;
}

/* Keywords whose value is a subschema, an object of them, or an array of them. */
static const char *const kw_single[] = {
	"additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
	"unevaluatedItems", "unevaluatedProperties", "contentSchema", NULL
};
static const char *const kw_object[] = {
	"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", NULL
};
static const char *const kw_array[] = { "prefixItems", "allOf", "anyOf", "oneOf", "items", NULL };

static bool in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

static int scan(mg_schema_set *set, const mg_node *node, const char *base, mg_resource *res, unsigned depth)
{
	if (depth > 512) {
		mg_error_set("schema nested too deeply");
		return MG_EINVALID;
	}
	if (node->type == MG_NODE_BOOL) {
		return loc_put(set, node, base, res) ? 0 : mg_oom();
	}
	if (node->type != MG_NODE_OBJECT)
		return 0;
	if (loc_get(set, node))
		return 0;
	const char *id = mg_node_str(mg_obj_get(node, "$id"));
	if (id) {
		char *abs = mg_uri_resolve(&set->arena, base, id);
		if (!abs || !(abs = mg_uri_strip_fragment(&set->arena, abs)))
			return mg_oom();
		base = abs;
		if (!(res = resource_add(set, abs, node)))
			return mg_oom();
	}
	if (!loc_put(set, node, base, res))
		return mg_oom();
	const char *anchor = mg_node_str(mg_obj_get(node, "$anchor"));
	if (anchor && anchor_add(set, res, anchor, node, false))
		return MG_ENOMEM;
	anchor = mg_node_str(mg_obj_get(node, "$dynamicAnchor"));
	if (anchor && anchor_add(set, res, anchor, node, true))
		return MG_ENOMEM;
	for (size_t i = 0; i < node->u.object.count; i++) {
		const mg_member *m = &node->u.object.members[i];
		const mg_node *v = m->value;
		int err = 0;
		if (in_list(kw_single, m->key) && (v->type == MG_NODE_OBJECT || v->type == MG_NODE_BOOL)) {
			err = scan(set, v, base, res, depth + 1);
		} else if (in_list(kw_object, m->key) && v->type == MG_NODE_OBJECT) {
			for (size_t j = 0; j < v->u.object.count && !err; j++)
				err = scan(set, v->u.object.members[j].value, base, res, depth + 1);
		} else if (in_list(kw_array, m->key) && v->type == MG_NODE_ARRAY) {
			for (size_t j = 0; j < v->u.array.count && !err; j++)
				err = scan(set, v->u.array.items[j], base, res, depth + 1);
		}
		if (err)
			return err;
	}
	return 0;
}

/* Registers a document's root under `uri` (and its $id, if any) and scans it. */
static int scan_document(mg_schema_set *set, const mg_node *root, const char *uri)
{
	mg_resource *res = resource_add(set, uri, root);
	if (!res)
		return mg_oom();
	return scan(set, root, uri, res, 0);
}

static int set_add_doc(mg_schema_set *set, mg_doc *doc)
{
	if (set->ndocs == set->docs_cap) {
		size_t cap = set->docs_cap ? set->docs_cap * 2 : 8;
		mg_doc **d = realloc(set->docs, cap * sizeof *d);
		if (!d)
			return mg_oom();
		set->docs = d;
		set->docs_cap = cap;
	}
	set->docs[set->ndocs++] = doc;
	return 0;
}

/* ---- $ref resolution ---- */

static int hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s into the arena. */
static char *percent_decode(mg_schema_set *set, const char *s, size_t *len_out)
{
	size_t n = strlen(s), k = 0;
	char *o = mg_arena_alloc(&set->arena, n + 1);
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 0 + 1 && hexdig((unsigned char)s[i + 1]) >= 0 &&
		    hexdig((unsigned char)s[i + 2]) >= 0) {
			o[k++] = (char)(hexdig((unsigned char)s[i + 1]) * 16 + hexdig((unsigned char)s[i + 2]));
			i += 2;
		} else {
			o[k++] = s[i];
		}
	}
	o[k] = '\0';
	*len_out = k;
	return o;
}

typedef struct ref_target {
	const mg_node *node;
	const char *base;
	mg_resource *res;
	const char *why; /* static text when not found */
} ref_target;

/* Follows a JSON pointer (already percent-decoded) from a resource root. */
static void walk_pointer(mg_schema_set *set, ref_target *t, const char *ptr, size_t len)
{
	size_t i = 0;
	while (i < len && t->node) {
		if (ptr[i] != '/') {
			t->node = NULL;
			break;
		}
		i++;
		char seg[512];
		size_t k = 0;
		while (i < len && ptr[i] != '/') {
			char c = ptr[i++];
			if (c == '~' && i < len && (ptr[i] == '0' || ptr[i] == '1'))
				c = ptr[i++] == '0' ? '~' : '/';
			if (k + 1 >= sizeof seg) {
				t->node = NULL;
				return;
			}
			seg[k++] = c;
		}
		seg[k] = '\0';
		const mg_node *n = t->node, *next = NULL;
		if (n->type == MG_NODE_OBJECT) {
			for (size_t j = 0; j < n->u.object.count; j++)
				if (n->u.object.members[j].key_len == k &&
				    memcmp(n->u.object.members[j].key, seg, k) == 0) {
					next = n->u.object.members[j].value;
					break;
				}
		} else if (n->type == MG_NODE_ARRAY && k > 0 && k < 10) {
			char *end;
			unsigned long idx = strtoul(seg, &end, 10);
			if (*end == '\0' && (seg[0] != '0' || k == 1) && idx < n->u.array.count)
				next = n->u.array.items[idx];
		}
		t->node = next;
		if (next) {
			const mg_sloc *l = loc_get(set, next);
			if (l) {
				t->base = l->base;
				t->res = l->resource;
			}
		}
	}
	if (!t->node)
		t->why = "the JSON pointer names nothing";
}

static int load_remote(mg_schema_set *set, const char *uri)
{
	mg_doc *doc = NULL;
	if (!set->loader || set->load_depth >= MAX_LOAD_DEPTH)
		return MG_ENOTFOUND;
	int err = set->loader(&doc, uri, set->loader_ctx);
	if (err < 0)
		return err;
	if (!doc || !doc->root) {
		mg_doc_free(doc);
		return MG_ENOTFOUND;
	}
	if ((err = set_add_doc(set, doc)) < 0) {
		mg_doc_free(doc);
		return err;
	}
	return scan_document(set, doc->root, uri);
}

/* Finds what an absolute URI names.  Returns 0 (t->node NULL when not
 * found, with t->why) or a negative error. */
static int resolve_uri(mg_schema_set *set, const char *abs, ref_target *t)
{
	char *docpart = mg_uri_strip_fragment(&set->arena, abs);
	if (!docpart)
		return mg_oom();
	const char *hash = strchr(abs, '#');
	memset(t, 0, sizeof *t);
	mg_resource *res = resource_find(set, docpart);
	if (!res) {
		int err = load_remote(set, docpart);
		if (err == MG_ENOMEM)
			return err;
		res = resource_find(set, docpart);
		if (!res) {
			t->why = set->loader ? "the document could not be loaded" : "no such schema is known";
			return 0;
		}
	}
	const mg_sloc *l = loc_get(set, res->root);
	t->node = res->root;
	t->res = res;
	t->base = l ? l->base : res->uri;
	if (!hash || !hash[1])
		return 0;
	size_t flen;
	char *frag = percent_decode(set, hash + 1, &flen);
	if (!frag)
		return mg_oom();
	if (frag[0] == '/') {
		walk_pointer(set, t, frag, flen);
		return 0;
	}
	for (mg_sanchor *a = res->anchors; a; a = a->next)
		if (strcmp(a->name, frag) == 0) {
			const mg_sloc *al = loc_get(set, a->node);
			t->node = a->node;
			if (al) {
				t->base = al->base;
				t->res = al->resource;
			}
			return 0;
		}
	t->node = NULL;
	t->why = "no such anchor";
	return 0;
}

/* ---- compilation ---- */

static int compile_node(mg_schema **out, mg_schema_set *set, const mg_node *node, const char *base,
			mg_resource *res);

static int bad(const mg_node *at, const char *kw, const char *what)
{
	mg_error_set("invalid schema at line %u column %u: '%s' %s", (unsigned)at->line, (unsigned)at->col,
		     kw, what);
	return MG_EINVALID;
}

static int get_count(uint64_t *out, const mg_node *v, const char *kw)
{
	if (v->type != MG_NODE_NUMBER || !v->u.number.is_integer || v->u.number.value < 0)
		return bad(v, kw, "must be a non-negative integer");
	*out = v->u.number.value >= 1.8e19 ? UINT64_MAX - 1 : (uint64_t)v->u.number.value;
	return 0;
}

static int get_number(double *out, bool *has, const mg_node *v, const char *kw)
{
	if (v->type != MG_NODE_NUMBER)
		return bad(v, kw, "must be a number");
	*out = v->u.number.value;
	*has = true;
	return 0;
}

static int sub(mg_schema **out, mg_schema_set *set, const mg_node *v, const char *kw, const char *base,
	       mg_resource *res)
{
	if (v->type != MG_NODE_OBJECT && v->type != MG_NODE_BOOL)
		return bad(v, kw, "must be a schema (object or boolean)");
	return compile_node(out, set, v, base, res);
}

static int sub_list(mg_slist *l, mg_schema_set *set, const mg_node *v, const char *kw, const char *base,
		    mg_resource *res)
{
	if (v->type != MG_NODE_ARRAY)
		return bad(v, kw, "must be an array of schemas");
	l->count = v->u.array.count;
	if (!l->count)
		return 0;
	l->items = mg_arena_calloc(&set->arena, l->count, sizeof *l->items);
	if (!l->items)
		return mg_oom();
	for (size_t i = 0; i < l->count; i++) {
		int err = sub(&l->items[i], set, v->u.array.items[i], kw, base, res);
		if (err)
			return err;
	}
	return 0;
}

static int sub_map(mg_sprop **out, size_t *n, mg_schema_set *set, const mg_node *v, const char *kw,
		   const char *base, mg_resource *res)
{
	if (v->type != MG_NODE_OBJECT)
		return bad(v, kw, "must be an object of schemas");
	*n = v->u.object.count;
	if (!*n)
		return 0;
	*out = mg_arena_calloc(&set->arena, *n, sizeof **out);
	if (!*out)
		return mg_oom();
	for (size_t i = 0; i < *n; i++) {
		const mg_member *m = &v->u.object.members[i];
		(*out)[i].key = m->key;
		(*out)[i].key_len = m->key_len;
		int err = sub(&(*out)[i].schema, set, m->value, kw, base, res);
		if (err)
			return err;
	}
	return 0;
}

static int compile_ref(mg_sref **out, mg_schema_set *set, const mg_node *v, const char *kw, const char *base,
		       bool dynamic)
{
	ref_target t;
	const char *s = mg_node_str(v);
	if (!s)
		return bad(v, kw, "must be a string");
	mg_sref *r = mg_arena_calloc(&set->arena, 1, sizeof *r);
	if (!r)
		return mg_oom();
	*out = r;
	if (!(r->uri = mg_uri_resolve(&set->arena, base, s)))
		return mg_oom();
	int err = resolve_uri(set, r->uri, &t);
	if (err)
		return err;
	if (!t.node) {
		char msg[600];
		snprintf(msg, sizeof msg, "cannot resolve %s '%.500s': %s", kw, r->uri, t.why);
		return (r->error = mg_arena_strdup(&set->arena, msg)) ? 0 : mg_oom();
	}
	if (t.node->type != MG_NODE_OBJECT && t.node->type != MG_NODE_BOOL) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s '%.500s' does not name a schema", kw, r->uri);
		return (r->error = mg_arena_strdup(&set->arena, msg)) ? 0 : mg_oom();
	}
	if (dynamic) {
		const char *hash = strchr(s, '#');
		if (hash && hash[1] && hash[1] != '/' && t.res) {
			for (mg_sanchor *a = t.res->anchors; a; a = a->next)
				if (a->dynamic && a->node == t.node && strcmp(a->name, hash + 1) == 0)
					r->dyn_name = a->name;
		}
	}
	return compile_node(&r->target, set, t.node, t.base, t.res);
}

static int type_bit(const mg_node *v, unsigned *bits)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = { { "null", MG_T_NULL }, { "boolean", MG_T_BOOLEAN }, { "object", MG_T_OBJECT },
		      { "array", MG_T_ARRAY }, { "number", MG_T_NUMBER }, { "string", MG_T_STRING },
		      { "integer", MG_T_INTEGER } };
	const char *s = mg_node_str(v);
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0) {
			*bits |= names[i].bit;
			return 0;
		}
	return bad(v, "type", "must name JSON types (null, boolean, object, array, number, string, integer)");
}

static int compile_keyword(mg_schema *s, mg_schema_set *set, const mg_member *m, const char *base,
			   mg_resource *res)
{
	const char *k = m->key;
	const mg_node *v = m->value;
	int err = 0;

	switch (k[0]) {
	case '$':
		if (strcmp(k, "$ref") == 0)
			return compile_ref(&s->ref, set, v, k, base, false);
		if (strcmp(k, "$dynamicRef") == 0)
			return compile_ref(&s->dyn_ref, set, v, k, base, true);
		if (strcmp(k, "$defs") == 0 || strcmp(k, "$id") == 0 || strcmp(k, "$anchor") == 0)
			return 0; /* scanned; $defs compiled when referenced */
		return 0;
	case 'a':
		if (strcmp(k, "additionalProperties") == 0)
			return sub(&s->additional, set, v, k, base, res);
		if (strcmp(k, "allOf") == 0)
			return sub_list(&s->all_of, set, v, k, base, res);
		if (strcmp(k, "anyOf") == 0)
			return sub_list(&s->any_of, set, v, k, base, res);
		return 0;
	case 'c':
		if (strcmp(k, "const") == 0)
			s->const_value = v;
		else if (strcmp(k, "contains") == 0)
			return sub(&s->contains, set, v, k, base, res);
		return 0;
	case 'd':
		if (strcmp(k, "dependentRequired") == 0) {
			if (v->type != MG_NODE_OBJECT)
				return bad(v, k, "must be an object of string arrays");
			for (size_t i = 0; i < v->u.object.count; i++) {
				const mg_node *a = v->u.object.members[i].value;
				if (a->type != MG_NODE_ARRAY)
					return bad(a, k, "must be an object of string arrays");
				for (size_t j = 0; j < a->u.array.count; j++)
					if (a->u.array.items[j]->type != MG_NODE_STRING)
						return bad(a->u.array.items[j], k, "must be an object of string arrays");
			}
			s->dep_required = v;
		} else if (strcmp(k, "dependentSchemas") == 0) {
			return sub_map(&s->dep_schemas, &s->ndep_schemas, set, v, k, base, res);
		}
		return 0;
	case 'e':
		if (strcmp(k, "enum") == 0) {
			if (v->type != MG_NODE_ARRAY)
				return bad(v, k, "must be an array");
			s->enum_values = v;
		} else if (strcmp(k, "else") == 0) {
			return sub(&s->else_, set, v, k, base, res);
		} else if (strcmp(k, "exclusiveMinimum") == 0) {
			return get_number(&s->xminimum, &s->has_xmin, v, k);
		} else if (strcmp(k, "exclusiveMaximum") == 0) {
			return get_number(&s->xmaximum, &s->has_xmax, v, k);
		}
		return 0;
	case 'f':
		if (strcmp(k, "format") == 0) {
			const char *f = mg_node_str(v);
			if (!f)
				return bad(v, k, "must be a string");
			s->format = strcmp(f, "date") == 0 ? MG_FMT_DATE : strcmp(f, "email") == 0 ? MG_FMT_EMAIL : MG_FMT_NONE;
		}
		return 0;
	case 'i':
		if (strcmp(k, "items") == 0) {
			if (v->type == MG_NODE_ARRAY) /* draft-07 tuple form */
				return sub_list(&s->prefix_items, set, v, k, base, res);
			return sub(&s->items, set, v, k, base, res);
		}
		if (strcmp(k, "if") == 0)
			return sub(&s->if_, set, v, k, base, res);
		return 0;
	case 'm':
		if (strcmp(k, "minLength") == 0)
			return get_count(&s->min_length, v, k);
		if (strcmp(k, "maxLength") == 0)
			return get_count(&s->max_length, v, k);
		if (strcmp(k, "minItems") == 0)
			return get_count(&s->min_items, v, k);
		if (strcmp(k, "maxItems") == 0)
			return get_count(&s->max_items, v, k);
		if (strcmp(k, "minProperties") == 0)
			return get_count(&s->min_props, v, k);
		if (strcmp(k, "maxProperties") == 0)
			return get_count(&s->max_props, v, k);
		if (strcmp(k, "minContains") == 0)
			return get_count(&s->min_contains, v, k);
		if (strcmp(k, "maxContains") == 0)
			return get_count(&s->max_contains, v, k);
		if (strcmp(k, "minimum") == 0)
			return get_number(&s->minimum, &s->has_min, v, k);
		if (strcmp(k, "maximum") == 0)
			return get_number(&s->maximum, &s->has_max, v, k);
		if (strcmp(k, "multipleOf") == 0) {
			if ((err = get_number(&s->multiple_of, &s->has_mult, v, k)))
				return err;
			if (!(s->multiple_of > 0))
				return bad(v, k, "must be a number greater than 0");
		}
		return 0;
	case 'n':
		if (strcmp(k, "not") == 0)
			return sub(&s->not_, set, v, k, base, res);
		return 0;
	case 'o':
		if (strcmp(k, "oneOf") == 0)
			return sub_list(&s->one_of, set, v, k, base, res);
		return 0;
	case 'p':
		if (strcmp(k, "properties") == 0)
			return sub_map(&s->props, &s->nprops, set, v, k, base, res);
		if (strcmp(k, "prefixItems") == 0)
			return sub_list(&s->prefix_items, set, v, k, base, res);
		if (strcmp(k, "propertyNames") == 0)
			return sub(&s->property_names, set, v, k, base, res);
		if (strcmp(k, "pattern") == 0) {
			if (v->type != MG_NODE_STRING)
				return bad(v, k, "must be a string");
			return mg_regex_compile(&s->pattern, &set->arena, v->u.string.ptr, v->u.string.len);
		}
		if (strcmp(k, "patternProperties") == 0) {
			if (v->type != MG_NODE_OBJECT)
				return bad(v, k, "must be an object of schemas");
			s->npprops = v->u.object.count;
			if (!s->npprops)
				return 0;
			if (!(s->pprops = mg_arena_calloc(&set->arena, s->npprops, sizeof *s->pprops)))
				return mg_oom();
			for (size_t i = 0; i < s->npprops; i++) {
				const mg_member *pm = &v->u.object.members[i];
				if ((err = mg_regex_compile(&s->pprops[i].re, &set->arena, pm->key, pm->key_len)) ||
				    (err = sub(&s->pprops[i].schema, set, pm->value, k, base, res)))
					return err;
			}
		}
		return 0;
	case 'r':
		if (strcmp(k, "required") == 0) {
			if (v->type != MG_NODE_ARRAY)
				return bad(v, k, "must be an array of strings");
			for (size_t i = 0; i < v->u.array.count; i++)
				if (v->u.array.items[i]->type != MG_NODE_STRING)
					return bad(v->u.array.items[i], k, "must be an array of strings");
			s->required = v;
		}
		return 0;
	case 't':
		if (strcmp(k, "type") == 0) {
			if (v->type == MG_NODE_ARRAY) {
				for (size_t i = 0; i < v->u.array.count; i++)
					if ((err = type_bit(v->u.array.items[i], &s->types)))
						return err;
				if (!v->u.array.count)
					s->types = 0x80; /* `type: []` allows nothing */
				return 0;
			}
			return type_bit(v, &s->types);
		}
		if (strcmp(k, "then") == 0)
			return sub(&s->then_, set, v, k, base, res);
		return 0;
	case 'u':
		if (strcmp(k, "unevaluatedProperties") == 0)
			return sub(&s->uneval_props, set, v, k, base, res);
		if (strcmp(k, "unevaluatedItems") == 0)
			return sub(&s->uneval_items, set, v, k, base, res);
		if (strcmp(k, "uniqueItems") == 0) {
			if (v->type != MG_NODE_BOOL)
				return bad(v, k, "must be a boolean");
			s->unique_items = v->u.boolean;
		}
		return 0;
	case 'x':
		if (strcmp(k, "x-message") == 0) {
			if (v->type != MG_NODE_STRING)
				return bad(v, k, "must be a string");
			s->x_message = v->u.string.ptr;
		}
		return 0;
	default:
		return 0; /* unknown keywords are annotations */
	}
}

static int compile_anchors(mg_schema_set *set, mg_resource *res)
{
	if (!res || res->anchors_compiled)
		return 0;
	res->anchors_compiled = true;
	for (mg_sanchor *a = res->anchors; a; a = a->next) {
		if (!a->dynamic)
			continue;
		const mg_sloc *l = loc_get(set, a->node);
		int err = compile_node(&a->compiled, set, a->node, l ? l->base : res->uri, res);
		if (err)
			return err;
	}
	return 0;
}

static int compile_node(mg_schema **out, mg_schema_set *set, const mg_node *node, const char *base,
			mg_resource *res)
{
	mg_sloc *l = loc_get(set, node);
	int err;

	if (l && l->compiled) {
		*out = l->compiled;
		return 0;
	}
	if (!l) {
		/* reached through a pointer into an unscanned place */
		if ((err = scan(set, node, base, res, 0)))
			return err;
		if (!(l = loc_get(set, node)))
			return mg_oom();
	}
	base = l->base;
	res = l->resource;
	mg_schema *s = mg_arena_calloc(&set->arena, 1, sizeof *s);
	if (!s)
		return mg_oom();
	l->compiled = s; /* before the children: ends $ref cycles */
	s->src = node;
	s->set = set;
	s->resource = res;
	s->max_props = s->max_items = s->max_length = s->max_contains = MG_NO_LIMIT;
	s->min_contains = 1;
	*out = s;
	if (node->type == MG_NODE_BOOL) {
		s->is_bool = true;
		s->bool_value = node->u.boolean;
		return 0;
	}
	for (size_t i = 0; i < node->u.object.count; i++)
		if ((err = compile_keyword(s, set, &node->u.object.members[i], base, res)))
			return err;
	return compile_anchors(set, res);
}

mg_schema *mg_schema__dyn_anchor(mg_resource *res, const char *name)
{
	for (mg_sanchor *a = res->anchors; a; a = a->next)
		if (a->dynamic && a->compiled && strcmp(a->name, name) == 0)
			return a->compiled;
	return NULL;
}

/* ---- public API ---- */

int mg_schema_set_new(mg_schema_set **out, mg_schema_loader loader, void *ctx)
{
	mg_schema_set *set = calloc(1, sizeof *set);
	if (!set)
		return mg_oom();
	set->loader = loader;
	set->loader_ctx = ctx;
	*out = set;
	return 0;
}

void mg_schema_set_free(mg_schema_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->ndocs; i++)
		mg_doc_free(set->docs[i]);
	free(set->docs);
	free(set->locs);
	mg_arena_free(&set->arena);
	free(set);
}

int mg_schema_add(mg_schema **out, mg_schema_set *set, mg_doc *doc, const char *base_uri)
{
	int err;
	char anon[64];

	if (!doc)
		return MG_EINVALID;
	if ((err = set_add_doc(set, doc)) < 0) {
		mg_doc_free(doc);
		return err;
	}
	if (!doc->root || (doc->root->type != MG_NODE_OBJECT && doc->root->type != MG_NODE_BOOL)) {
		mg_error_set("a schema must be an object or a boolean");
		return MG_EINVALID;
	}
	if (!base_uri || !*base_uri) {
		snprintf(anon, sizeof anon, "urn:meshgate:schema:%u", ++set->anon_count);
		base_uri = anon;
	}
	char *uri = mg_uri_resolve(&set->arena, NULL, base_uri);
	if (!uri || !(uri = mg_uri_strip_fragment(&set->arena, uri)))
		return mg_oom();
	if ((err = scan_document(set, doc->root, uri)) < 0)
		return err;
	const mg_sloc *l = loc_get(set, doc->root);
	return compile_node(out, set, doc->root, l->base, l->resource);
}

/* ---- built-in schemas ---- */

/*
 * The process-wide set of shipped schemas, created on first use and never
 * freed.  Not thread-safe: call mg_schema_builtin() once from one thread
 * (e.g. at start-up) before validating from several.
 */
#define BUILTIN_BASE "https://meshgate.invalid/rules/"
#define BUILTIN_MAX 32

static mg_schema_set *builtin_set;
static struct {
	char name[128];
	const mg_schema *schema;
} builtin_cache[BUILTIN_MAX];
static size_t builtin_count;

/* Serves any URI whose last segment names an embedded rules file. */
static int builtin_loader(mg_doc **out, const char *uri, void *ctx)
{
	size_t len;
	const char *slash = strrchr(uri, '/');
	const char *name = slash ? slash + 1 : uri;
	const char *text = mg_embedded_find(name, &len);
	(void)ctx;
	if (!text)
		return MG_ENOTFOUND;
	return mg_doc_parse_json(out, name, text, len, NULL, NULL);
}

int mg_schema_builtin(const mg_schema **out, const char *name)
{
	size_t len;
	char uri[256];
	mg_doc *doc = NULL;
	mg_schema *s;
	int err;

	for (size_t i = 0; i < builtin_count; i++)
		if (strcmp(builtin_cache[i].name, name) == 0) {
			*out = builtin_cache[i].schema;
			return 0;
		}
	if (strlen(name) >= sizeof builtin_cache[0].name || builtin_count == BUILTIN_MAX) {
		mg_error_set("no built-in schema '%s'", name);
		return MG_ENOTFOUND;
	}
	const char *text = mg_embedded_find(name, &len);
	if (!text) {
		mg_error_set("no built-in schema '%s'", name);
		return MG_ENOTFOUND;
	}
	if (!builtin_set && (err = mg_schema_set_new(&builtin_set, builtin_loader, NULL)) < 0)
		return err;
	if ((err = mg_doc_parse_json(&doc, name, text, len, NULL, NULL)) < 0) {
		if (err == MG_EPARSE)
			mg_error_set("built-in schema '%s' is not valid JSON", name);
		return err == MG_EPARSE ? MG_EINVALID : err;
	}
	snprintf(uri, sizeof uri, BUILTIN_BASE "%s", name);
	if ((err = mg_schema_add(&s, builtin_set, doc, uri)) < 0)
		return err;
	memcpy(builtin_cache[builtin_count].name, name, strlen(name) + 1);
	builtin_cache[builtin_count++].schema = s;
	*out = s;
	return 0;
}

int mg_schema_builtin_set_new(mg_schema_set **out)
{
	return mg_schema_set_new(out, builtin_loader, NULL);
}

/* The member `key` (len bytes) of obj, writable: the document is the caller's own copy. */
static mg_node *member_value(mg_node *obj, const char *key, size_t len)
{
	if (!obj || obj->type != MG_NODE_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->u.object.count; i++)
		if (obj->u.object.members[i].key_len == len && memcmp(obj->u.object.members[i].key, key, len) == 0)
			return obj->u.object.members[i].value;
	return NULL;
}

/* Appends ext's values to the enum array at ext->pointer (object keys only, no ~ escapes). */
static int extend_enum(mg_doc *doc, const char *name, const mg_schema_enum_ext *ext)
{
	mg_node *n = doc->root;
	const char *p = ext->pointer;
	while (n && *p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		n = memchr(seg, '~', len) ? NULL : member_value(n, seg, len);
		p = seg + len;
	}
	if (!n || *p || n->type != MG_NODE_ARRAY) {
		mg_error_set("'%s' in built-in schema '%s' is not an enum", ext->pointer, name);
		return MG_EINVALID;
	}
	size_t count = n->u.array.count + ext->nvalues;
	mg_node **items = mg_arena_alloc(&doc->arena, (count ? count : 1) * sizeof *items);
	if (!items)
		return mg_oom();
	if (n->u.array.count)
		memcpy(items, n->u.array.items, n->u.array.count * sizeof *items);
	for (size_t i = 0; i < ext->nvalues; i++) {
		mg_node *v = mg_doc_new_node(doc, MG_NODE_STRING, n->line, n->col);
		if (!v || !(v->u.string.ptr = mg_arena_strdup(&doc->arena, ext->values[i])))
			return mg_oom();
		v->u.string.len = strlen(ext->values[i]);
		items[n->u.array.count + i] = v;
	}
	n->u.array.items = items;
	n->u.array.count = count;
	return 0;
}

int mg_schema_builtin_extended(const mg_schema **out, mg_schema_set *set, const char *name,
			       const mg_schema_enum_ext *ext, size_t next)
{
	size_t len;
	char uri[256];
	mg_doc *doc = NULL;
	mg_schema *s;
	int err;
	const char *text = mg_embedded_find(name, &len);
	*out = NULL;
	if (!text || strlen(name) >= sizeof uri - sizeof BUILTIN_BASE) {
		mg_error_set("no built-in schema '%s'", name);
		return MG_ENOTFOUND;
	}
	if ((err = mg_doc_parse_json(&doc, name, text, len, NULL, NULL)) < 0) {
		if (err == MG_EPARSE)
			mg_error_set("built-in schema '%s' is not valid JSON", name);
		return err == MG_EPARSE ? MG_EINVALID : err;
	}
	for (size_t i = 0; i < next; i++)
		if ((err = extend_enum(doc, name, &ext[i])) < 0) {
			mg_doc_free(doc);
			return err;
		}
	snprintf(uri, sizeof uri, BUILTIN_BASE "%s", name);
	if ((err = mg_schema_add(&s, set, doc, uri)) < 0)
		return err;
	*out = s;
	return 0;
}
