/*
 * schema_validate.c - validation of instances against compiled schemas and
 * the findings that explain the violations.
 *
 * One recursive function evaluates a schema against a node.  In "report"
 * mode every failing assertion adds a `schema` finding at the position of
 * the offending node; in quiet mode (inside anyOf, oneOf, not, if, contains
 * and propertyNames probes) it stops at the first failure and reports
 * nothing.  Validation allocates nothing besides the findings themselves
 * (and a regex scratch buffer for patterns above 256 states).
 */
#include "meshgate/sort.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/distance.h"
#include "meshgate/error.h"
#include "schema/schema_int.h"

#define MAX_DEPTH 512  /* schema applications on the stack; $ref loops end here */
#define MAX_SCOPE 64   /* dynamic scope entries tracked for $dynamicRef */
#define MAX_PATH 128   /* instance path segments kept for messages */
#define MSG_MAX 1024
#define MAX_FINDINGS 100 /* per validation: bounds the work a hostile file can cause */
#define UNIQUE_SORT 32    /* uniqueItems: arrays longer than this are hashed */

typedef struct vseg {
	const char *key; /* NULL for an array index */
	size_t len, index;
} vseg;

typedef struct vctx {
	mg_findings *findings;
	const char *path;
	size_t first_finding; /* findings added by this call start here */
	size_t nreported;     /* findings added (or refused past MAX_FINDINGS) */
	unsigned depth;
	mg_resource *scope[MAX_SCOPE];
	size_t nscope;
	vseg seg[MAX_PATH];
	size_t nseg;
} vctx;

/*
 * `ann`, when not NULL, collects the annotations unevaluatedProperties and
 * unevaluatedItems need: one flag per member (object) or item (array) of the
 * instance, set when a keyword of the schema evaluated it.  Each schema
 * gets a fresh array; a parent merges it only when the schema is valid.
 */
static int v(vctx *c, const mg_schema *s, const mg_node *in, bool report, uint8_t *ann);

/* ---- rendering values for messages ---- */

static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	if (*n >= cap)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}

static void render_num(char *buf, size_t cap, size_t *n, double d, bool is_int)
{
	if (is_int && fabs(d) < 1e15)
		put(buf, cap, n, "%.0f", d);
	else
		put(buf, cap, n, "%.15g", d);
}

/* Renders a value briefly: strings (quoted unless bare) up to 60 bytes. */
static void render(char *buf, size_t cap, size_t *n, const mg_node *x, bool quote)
{
	switch (x->type) {
	case MG_NODE_NULL: put(buf, cap, n, "null"); break;
	case MG_NODE_BOOL: put(buf, cap, n, "%s", x->u.boolean ? "true" : "false"); break;
	case MG_NODE_NUMBER: render_num(buf, cap, n, x->u.number.value, x->u.number.is_integer); break;
	case MG_NODE_STRING: {
		size_t len = x->u.string.len;
		const char *more = "";
		if (len > 60) {
			len = 57;
			while (len > 0 && ((unsigned char)x->u.string.ptr[len] & 0xC0) == 0x80)
				len--; /* do not cut a UTF-8 sequence */
			more = "...";
		}
		put(buf, cap, n, quote ? "'%.*s%s'" : "%.*s%s", (int)len, x->u.string.ptr, more);
		break;
	}
	case MG_NODE_ARRAY: put(buf, cap, n, "an array"); break;
	case MG_NODE_OBJECT: put(buf, cap, n, "an object"); break;
	}
}

static const char *type_word(const mg_node *x)
{
	switch (x->type) {
	case MG_NODE_NULL: return "null";
	case MG_NODE_BOOL: return "boolean";
	case MG_NODE_NUMBER: return "number";
	case MG_NODE_STRING: return "string";
	case MG_NODE_ARRAY: return "array";
	case MG_NODE_OBJECT: return "object";
	}
	return "?";
}

static void render_types(char *buf, size_t cap, size_t *n, unsigned types)
{
	static const char *const names[] = { "null", "boolean", "object", "array", "number", "string", "integer" };
	bool first = true;
	for (int i = 0; i < 7; i++)
		if (types & (1u << i)) {
			put(buf, cap, n, "%s%s", first ? "" : " or ", names[i]);
			first = false;
		}
	if (first)
		put(buf, cap, n, "nothing");
}

/*
 * When a string is wanted and x is a number or a boolean, how to write it as
 * a string, appended to the type error; true when it applied.  Always for
 * YAML, where an unquoted account id 111122223333 is a number; for JSON only
 * when `json` (the schema's x-message, which the hint replaces, would
 * mislead: "AWS account ids have 12 digits" of a number that has them).
 */
static bool quote_hint(char *buf, size_t cap, size_t *n, unsigned types, const mg_node *x, bool json)
{
	if (!(types & MG_T_STRING) || (x->type != MG_NODE_NUMBER && x->type != MG_NODE_BOOL) || (!x->plain && !json))
		return false;
	if (x->plain) {
		put(buf, cap, n, ": YAML reads an unquoted %.60s as a %s; quote it ('%.60s') to write a string",
		    x->plain, type_word(x), x->plain);
		return true;
	}
	put(buf, cap, n, ": write it in quotes (\"");
	render(buf, cap, n, x, false);
	put(buf, cap, n, "\") to make it a string");
	return true;
}

static void render_path(const vctx *c, char *buf, size_t cap, size_t *n)
{
	for (size_t i = 0; i < c->nseg && i < MAX_PATH; i++) {
		if (c->seg[i].key)
			put(buf, cap, n, "%s%.*s", i ? "." : "", (int)c->seg[i].len, c->seg[i].key);
		else
			put(buf, cap, n, "[%zu]", c->seg[i].index);
	}
}

/* ---- findings ---- */

/* Adds a finding for schema s at (line, col), unless quiet or a duplicate.
 * s->x_message replaces the generic text. */
static int report(vctx *c, const mg_schema *s, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int report(vctx *c, const mg_schema *s, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char msg[MSG_MAX];
	const char *text = msg;
	if (!c->findings || c->nreported > MAX_FINDINGS)
		return 0;
	if (c->nreported++ == MAX_FINDINGS)
		return mg_findings_add(c->findings, c->path, line, col, MG_RULE_SCHEMA,
				       "more than %d schema errors; the rest are not reported", MAX_FINDINGS);
	if (s && s->x_message) {
		text = s->x_message;
	} else {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	for (size_t i = c->first_finding; i < c->findings->count; i++) {
		const mg_finding *f = &c->findings->items[i];
		if (f->line == line && f->col == col && f->rule == MG_RULE_SCHEMA && strcmp(f->message, text) == 0)
			return 0;
	}
	return mg_findings_add(c->findings, c->path, line, col, MG_RULE_SCHEMA, "%s", text);
}

/* ---- keyword helpers ---- */

static bool type_ok(unsigned types, const mg_node *x)
{
	switch (x->type) {
	case MG_NODE_NULL: return types & MG_T_NULL;
	case MG_NODE_BOOL: return types & MG_T_BOOLEAN;
	case MG_NODE_OBJECT: return types & MG_T_OBJECT;
	case MG_NODE_ARRAY: return types & MG_T_ARRAY;
	case MG_NODE_STRING: return types & MG_T_STRING;
	case MG_NODE_NUMBER:
		return (types & MG_T_NUMBER) || ((types & MG_T_INTEGER) && x->u.number.is_integer);
	}
	return false;
}

static size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static bool is_multiple(double x, double m)
{
	if (m == 0 || !isfinite(x))
		return false;
	if (x == floor(x) && m == floor(m) && fabs(x) < 9e15 && fabs(m) < 9e15)
		return fmod(x, m) == 0;
	double q = x / m;
	if (!isfinite(q))
		return fmod(x, m) == 0; /* quotient overflows: fmod is exact */
	double r = nearbyint(q);
	return fabs(q - r) <= 1e-9 * (fabs(q) > 1 ? fabs(q) : 1);
}

static const mg_sprop *suggest(const mg_schema *s, const char *key, size_t len)
{
	const mg_sprop *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < s->nprops; i++) {
		const mg_sprop *p = &s->props[i];
		size_t d = mg_edit_distance(key, len, p->key, p->key_len);
		size_t shorter = len < p->key_len ? len : p->key_len;
		if (d == SIZE_MAX || d >= shorter)
			continue;
		if ((d <= 2 || d * 3 <= p->key_len) && d < best_d) {
			best = p;
			best_d = d;
		}
	}
	return best;
}

static void push_key(vctx *c, const char *key, size_t len)
{
	if (c->nseg < MAX_PATH) {
		c->seg[c->nseg].key = key;
		c->seg[c->nseg].len = len;
	}
	c->nseg++;
}

static void push_index(vctx *c, size_t i)
{
	if (c->nseg < MAX_PATH) {
		c->seg[c->nseg].key = NULL;
		c->seg[c->nseg].index = i;
	}
	c->nseg++;
}

/* Applies a subschema at a child; returns 1/0/<0. */
static int child(vctx *c, const mg_schema *s, const mg_node *x, bool report_)
{
	return v(c, s, x, report_, NULL);
}

static size_t elems(const mg_node *x)
{
	return x->type == MG_NODE_OBJECT ? x->u.object.count : x->type == MG_NODE_ARRAY ? x->u.array.count : 0;
}

/* Applies s to the same instance, merging its annotations into ann on success. */
static int in_place(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	uint8_t small[64];
	if (!ann)
		return v(c, s, x, rep, NULL);
	size_t n = elems(x);
	uint8_t *tmp = n <= sizeof small ? small : calloc(n, 1);
	if (!tmp)
		return mg_oom();
	memset(tmp, 0, n);
	int r = v(c, s, x, rep, tmp);
	/* When reporting, a failed subschema's annotations still count, so one
	 * bad value inside `outputs` does not also make `outputs` "unknown"; the
	 * verdict is invalid either way. */
	if (r == 1 || (r == 0 && rep))
		for (size_t i = 0; i < n; i++)
			ann[i] |= tmp[i];
	if (tmp != small)
		free(tmp);
	return r;
}

/* ---- anyOf / oneOf reporting ---- */

static const mg_schema *deref(const mg_schema *b)
{
	for (int i = 0; i < 8 && b && !b->is_bool && b->ref && b->ref->target && !b->types && !b->nprops; i++)
		b = b->ref->target;
	return b;
}

/* Whether branch b is the one the instance was meant to match, judging by
 * type and by `const` values of properties the instance has. */
static bool plausible(const mg_schema *b, const mg_node *x)
{
	b = deref(b);
	if (!b || b->is_bool)
		return b && b->bool_value;
	if (b->types && !type_ok(b->types, x))
		return false;
	if (b->const_value && !mg_node_equal(b->const_value, x))
		return false;
	if (x->type == MG_NODE_OBJECT) {
		for (size_t i = 0; i < b->nprops; i++) {
			const mg_schema *p = deref(b->props[i].schema);
			if (!p || p->is_bool || !p->const_value)
				continue;
			for (size_t j = 0; j < x->u.object.count; j++) {
				const mg_member *m = &x->u.object.members[j];
				if (m->key_len == b->props[i].key_len && memcmp(m->key, b->props[i].key, m->key_len) == 0 &&
				    !mg_node_equal(p->const_value, m->value))
					return false;
			}
		}
	}
	return true;
}

static int report_alternatives(vctx *c, const mg_schema *s, const mg_slist *l, const mg_node *x, const char *kw)
{
	char msg[MSG_MAX];
	size_t n = 0, nplaus = 0, which = 0;
	unsigned types = 0;
	bool all_const = true, all_typed = true;

	if (!c->findings)
		return 0;
	for (size_t i = 0; i < l->count; i++) {
		const mg_schema *b = deref(l->items[i]);
		if (plausible(l->items[i], x)) {
			nplaus++;
			which = i;
		}
		if (!b || b->is_bool || !b->const_value)
			all_const = false;
		if (!b || b->is_bool || !b->types)
			all_typed = false;
		else
			types |= b->types;
	}
	if (nplaus == 1 && !s->x_message)
		return v(c, l->items[which], x, true, NULL);
	if (all_const && l->count) {
		render(msg, sizeof msg, &n, x, true);
		put(msg, sizeof msg, &n, " is not one of: ");
		for (size_t i = 0; i < l->count && n < 600; i++) {
			put(msg, sizeof msg, &n, "%s", i ? ", " : "");
			render(msg, sizeof msg, &n, deref(l->items[i])->const_value, false);
		}
	} else if (all_typed && !type_ok(types, x)) {
		put(msg, sizeof msg, &n, "expected ");
		render_types(msg, sizeof msg, &n, types);
		put(msg, sizeof msg, &n, ", got %s", type_word(x));
		if (quote_hint(msg, sizeof msg, &n, types, x, s->x_message != NULL))
			return report(c, NULL, x->line, x->col, "%s", msg); /* the hint says more than x-message */
	} else {
		put(msg, sizeof msg, &n, "%s matches none of the %zu allowed forms (%s)",
		    x->type == MG_NODE_OBJECT ? "object" : x->type == MG_NODE_ARRAY ? "array" : "value", l->count, kw);
	}
	return report(c, s, x->line, x->col, "%s", msg);
}

/* ---- the validator ---- */

static int check_object(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	int ok = 1, r;
	size_t count = x->u.object.count;

	if (s->required) {
		for (size_t i = 0; i < s->required->u.array.count; i++) {
			const mg_node *k = s->required->u.array.items[i];
			bool found = false;
			for (size_t j = 0; j < count && !found; j++)
				found = x->u.object.members[j].key_len == k->u.string.len &&
					memcmp(x->u.object.members[j].key, k->u.string.ptr, k->u.string.len) == 0;
			if (!found) {
				if (!rep)
					return 0;
				ok = 0;
				if ((r = report(c, s, x->line, x->col, "missing required key '%s'", k->u.string.ptr)) < 0)
					return r;
			}
		}
	}
	if (count < s->min_props || (s->max_props != MG_NO_LIMIT && count > s->max_props)) {
		if (!rep)
			return 0;
		ok = 0;
		bool few = count < s->min_props;
		if ((r = report(c, s, x->line, x->col, "object has %zu key%s, %s %llu %s", count, count == 1 ? "" : "s",
				few ? "at least" : "at most",
				(unsigned long long)(few ? s->min_props : s->max_props),
				few ? "required" : "allowed")) < 0)
			return r;
	}
	for (size_t j = 0; j < count; j++) {
		const mg_member *m = &x->u.object.members[j];
		bool matched = false;
		push_key(c, m->key, m->key_len);
		for (size_t i = 0; i < s->nprops; i++) {
			const mg_sprop *p = &s->props[i];
			if (p->key_len != m->key_len || memcmp(p->key, m->key, m->key_len) != 0)
				continue;
			matched = true;
			if (ann)
				ann[j] = 1;
			if (p->schema->is_bool && !p->schema->bool_value) {
				r = 0;
				if (rep && (r = report(c, s, m->line, m->col, "key '%s' is not allowed here", m->key)) < 0)
					goto fail;
			} else if ((r = child(c, p->schema, m->value, rep)) < 0) {
				goto fail;
			}
			if (!r) {
				ok = 0;
				if (!rep)
					goto invalid;
			}
			break;
		}
		for (size_t i = 0; i < s->npprops; i++) {
			if ((r = mg_regex_search(s->pprops[i].re, m->key, m->key_len)) < 0)
				goto fail;
			if (!r)
				continue;
			matched = true;
			if (ann)
				ann[j] = 1;
			if ((r = child(c, s->pprops[i].schema, m->value, rep)) < 0)
				goto fail;
			if (!r) {
				ok = 0;
				if (!rep)
					goto invalid;
			}
		}
		if (!matched && s->additional) {
			if (ann)
				ann[j] = 1;
			if (s->additional->is_bool && !s->additional->bool_value) {
				ok = 0;
				if (!rep)
					goto invalid;
				char where[512] = "";
				size_t n = 0;
				c->nseg--;
				render_path(c, where, sizeof where, &n);
				c->nseg++;
				const mg_sprop *dym = c->nreported < MAX_FINDINGS ? suggest(s, m->key, m->key_len) : NULL;
				r = report(c, s, m->line, m->col, "unknown key '%s'%s%s%s%s%s", m->key, n ? " in " : "", where,
					   dym ? " (did you mean '" : "", dym ? dym->key : "", dym ? "'?)" : "");
				if (r < 0)
					goto fail;
			} else {
				if ((r = child(c, s->additional, m->value, rep)) < 0)
					goto fail;
				if (!r) {
					ok = 0;
					if (!rep)
						goto invalid;
				}
			}
		}
		if (s->property_names) {
			mg_node key;
			memset(&key, 0, sizeof key);
			key.type = MG_NODE_STRING;
			key.line = m->line;
			key.col = m->col;
			key.u.string.ptr = m->key;
			key.u.string.len = m->key_len;
			if ((r = child(c, s->property_names, &key, rep)) < 0)
				goto fail;
			if (!r) {
				ok = 0;
				if (!rep)
					goto invalid;
			}
		}
		c->nseg--;
		continue;
	invalid:
		c->nseg--;
		return 0;
	fail:
		c->nseg--;
		return r;
	}
	if (s->dep_required) {
		const mg_node *dr = s->dep_required;
		for (size_t i = 0; i < dr->u.object.count; i++) {
			const mg_member *d = &dr->u.object.members[i];
			if (!mg_obj_member(x, d->key))
				continue;
			for (size_t j = 0; j < d->value->u.array.count; j++) {
				const char *need = d->value->u.array.items[j]->u.string.ptr;
				if (mg_obj_member(x, need))
					continue;
				if (!rep)
					return 0;
				ok = 0;
				if ((r = report(c, s, x->line, x->col, "key '%s' requires key '%s'", d->key, need)) < 0)
					return r;
			}
		}
	}
	for (size_t i = 0; i < s->ndep_schemas; i++) {
		if (!mg_obj_member(x, s->dep_schemas[i].key))
			continue;
		if ((r = in_place(c, s->dep_schemas[i].schema, x, rep, ann)) < 0)
			return r;
		if (!r) {
			ok = 0;
			if (!rep)
				return 0;
		}
	}
	return ok;
}

/* A hash consistent with mg_node_equal: 1 and 1.0 hash alike, key order
 * does not matter. */
static uint64_t node_hash(const mg_node *x, unsigned depth)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)x->type;
	if (depth > 32)
		return h;
	switch (x->type) {
	case MG_NODE_NULL:
		return h;
	case MG_NODE_BOOL:
		return h * 31 + x->u.boolean;
	case MG_NODE_NUMBER: {
		double d = x->u.number.value == 0 ? 0 : x->u.number.value; /* -0 == 0 */
		uint64_t bits;
		memcpy(&bits, &d, sizeof bits);
		return (h ^ bits) * 0x100000001b3ull;
	}
	case MG_NODE_STRING:
		for (size_t i = 0; i < x->u.string.len; i++)
			h = (h ^ (unsigned char)x->u.string.ptr[i]) * 0x100000001b3ull;
		return h;
	case MG_NODE_ARRAY:
		for (size_t i = 0; i < x->u.array.count; i++)
			h = (h ^ node_hash(x->u.array.items[i], depth + 1)) * 0x100000001b3ull;
		return h;
	case MG_NODE_OBJECT: {
		uint64_t sum = 0;
		for (size_t i = 0; i < x->u.object.count; i++) {
			const mg_member *m = &x->u.object.members[i];
			uint64_t k = 0xcbf29ce484222325ull;
			for (size_t j = 0; j < m->key_len; j++)
				k = (k ^ (unsigned char)m->key[j]) * 0x100000001b3ull;
			sum += (k ^ node_hash(m->value, depth + 1)) * 0x9E3779B97F4A7C15ull;
		}
		return h ^ sum;
	}
	}
	return h;
}

typedef struct hidx {
	uint64_t hash;
	size_t index;
} hidx;

static int hidx_cmp(const void *a, const void *b)
{
	const hidx *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* uniqueItems for long arrays in O(n log n): 1 when unique, 0 when not, <0. */
static int unique_sorted(vctx *c, const mg_schema *s, const mg_node *x, bool rep)
{
	size_t n = x->u.array.count;
	int ok = 1, r;
	hidx *v_ = malloc(n * sizeof *v_);
	if (!v_)
		return mg_oom();
	for (size_t i = 0; i < n; i++) {
		v_[i].hash = node_hash(x->u.array.items[i], 0);
		v_[i].index = i;
	}
	mg_sort(v_, n, sizeof *v_, hidx_cmp);
	/* within a run of equal hashes indices ascend: report each item once,
	 * against the first earlier item equal to it */
	for (size_t b = 1, run = 0; b < n; b++) {
		if (v_[b].hash != v_[run].hash) {
			run = b;
			continue;
		}
		const mg_node *later = x->u.array.items[v_[b].index];
		for (size_t a = run; a < b; a++) {
			if (!mg_node_equal(x->u.array.items[v_[a].index], later))
				continue;
			ok = 0;
			if (!rep)
				goto done;
			if ((r = report(c, s, later->line, later->col, "duplicate item at index %zu (same as index %zu)",
					v_[b].index, v_[a].index)) < 0) {
				ok = r;
				goto done;
			}
			break;
		}
	}
done:
	free(v_);
	return ok;
}

static int check_array(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	int ok = 1, r;
	size_t count = x->u.array.count;

	if (count < s->min_items || (s->max_items != MG_NO_LIMIT && count > s->max_items)) {
		if (!rep)
			return 0;
		ok = 0;
		bool few = count < s->min_items;
		if ((r = report(c, s, x->line, x->col, "array has %zu item%s, %s %llu %s", count, count == 1 ? "" : "s",
				few ? "at least" : "at most",
				(unsigned long long)(few ? s->min_items : s->max_items),
				few ? "required" : "allowed")) < 0)
			return r;
	}
	for (size_t i = 0; i < count; i++) {
		const mg_schema *is = i < s->prefix_items.count ? s->prefix_items.items[i] : s->items;
		if (!is)
			continue;
		if (ann)
			ann[i] = 1;
		if (is->is_bool && !is->bool_value) {
			if (!rep)
				return 0;
			ok = 0;
			if ((r = report(c, s, x->u.array.items[i]->line, x->u.array.items[i]->col,
					"unexpected item at index %zu (at most %zu items allowed)", i,
					s->prefix_items.count)) < 0)
				return r;
			continue;
		}
		push_index(c, i);
		r = child(c, is, x->u.array.items[i], rep);
		c->nseg--;
		if (r < 0)
			return r;
		if (!r) {
			ok = 0;
			if (!rep)
				return 0;
		}
	}
	if (s->contains) {
		size_t matches = 0;
		for (size_t i = 0; i < count; i++) {
			if ((r = v(c, s->contains, x->u.array.items[i], false, NULL)) < 0)
				return r;
			matches += (size_t)r;
			if (ann && r)
				ann[i] = 1;
			else if (!ann && matches > s->max_contains && s->min_contains <= matches)
				break;
		}
		if (matches < s->min_contains || matches > s->max_contains) {
			if (!rep)
				return 0;
			ok = 0;
			bool few = matches < s->min_contains;
			if (few && matches == 0)
				r = report(c, s, x->line, x->col, "no item of the array matches the 'contains' schema");
			else
				r = report(c, s, x->line, x->col, "%zu item%s of the array match%s the 'contains' schema, %s %llu %s",
					   matches, matches == 1 ? "" : "s", matches == 1 ? "es" : "",
					   few ? "at least" : "at most",
					   (unsigned long long)(few ? s->min_contains : s->max_contains),
					   few ? "required" : "allowed");
			if (r < 0)
				return r;
		}
	}
	if (s->unique_items && count > UNIQUE_SORT) {
		if ((r = unique_sorted(c, s, x, rep)) < 0)
			return r;
		if (!r) {
			if (!rep)
				return 0;
			ok = 0;
		}
	} else if (s->unique_items) {
		for (size_t j = 1; j < count; j++)
			for (size_t i = 0; i < j; i++) {
				if (!mg_node_equal(x->u.array.items[i], x->u.array.items[j]))
					continue;
				if (!rep)
					return 0;
				ok = 0;
				if ((r = report(c, s, x->u.array.items[j]->line, x->u.array.items[j]->col,
						"duplicate item at index %zu (same as index %zu)", j, i)) < 0)
					return r;
				break;
			}
	}
	return ok;
}

static int check_string(vctx *c, const mg_schema *s, const mg_node *x, bool rep)
{
	int ok = 1, r;
	char val[128];
	size_t n = 0;
	bool rendered = false;
/* the value is quoted into a message only when a check fails */
#define VAL() (rendered ? val : (render(val, sizeof val, &n, x, true), rendered = true, val))
	if (s->min_length || s->max_length != MG_NO_LIMIT) {
		size_t len = utf8_count(x->u.string.ptr, x->u.string.len);
		if (len < s->min_length || len > s->max_length) {
			if (!rep)
				return 0;
			ok = 0;
			bool few = len < s->min_length;
			if ((r = report(c, s, x->line, x->col, "%s is too %s (%s %llu character%s)", VAL(),
					few ? "short" : "long", few ? "at least" : "at most",
					(unsigned long long)(few ? s->min_length : s->max_length),
					(few ? s->min_length : s->max_length) == 1 ? "" : "s")) < 0)
				return r;
		}
	}
	if (s->pattern) {
		if ((r = mg_regex_search(s->pattern, x->u.string.ptr, x->u.string.len)) < 0)
			return r;
		if (!r) {
			if (!rep)
				return 0;
			ok = 0;
			if ((r = report(c, s, x->line, x->col, "%s does not match pattern %s", VAL(),
					mg_regex_source(s->pattern))) < 0)
				return r;
		}
	}
	if (s->format == MG_FMT_DATE && !mg_format_date(x->u.string.ptr, x->u.string.len)) {
		if (!rep)
			return 0;
		ok = 0;
		if ((r = report(c, s, x->line, x->col, "%s is not a valid date (expected YYYY-MM-DD)", VAL())) < 0)
			return r;
	}
	if (s->format == MG_FMT_EMAIL && !mg_format_email(x->u.string.ptr, x->u.string.len)) {
		if (!rep)
			return 0;
		ok = 0;
		if ((r = report(c, s, x->line, x->col, "%s is not a valid email address", VAL())) < 0)
			return r;
	}
	return ok;
#undef VAL
}

static int check_number(vctx *c, const mg_schema *s, const mg_node *x, bool rep)
{
	double d = x->u.number.value;
	const char *what = NULL;
	double limit = 0;
	int ok = 1, r;

	for (int k = 0; k < 5; k++) {
		switch (k) {
		case 0: if (s->has_min && d < s->minimum) what = "is less than the minimum", limit = s->minimum; break;
		case 1: if (s->has_max && d > s->maximum) what = "is greater than the maximum", limit = s->maximum; break;
		case 2: if (s->has_xmin && d <= s->xminimum) what = "must be greater than", limit = s->xminimum; break;
		case 3: if (s->has_xmax && d >= s->xmaximum) what = "must be less than", limit = s->xmaximum; break;
		case 4: if (s->has_mult && !is_multiple(d, s->multiple_of)) what = "is not a multiple of", limit = s->multiple_of; break;
		}
		if (!what)
			continue;
		if (!rep)
			return 0;
		ok = 0;
		char a[64], b[64];
		size_t na = 0, nb = 0;
		render_num(a, sizeof a, &na, d, x->u.number.is_integer);
		render_num(b, sizeof b, &nb, limit, limit == floor(limit));
		if ((r = report(c, s, x->line, x->col, "%s %s %s", a, what, b)) < 0)
			return r;
		what = NULL;
	}
	return ok;
}

static int check_enum(vctx *c, const mg_schema *s, const mg_node *x, bool rep)
{
	const mg_node *e = s->enum_values;
	for (size_t i = 0; i < e->u.array.count; i++)
		if (mg_node_equal(e->u.array.items[i], x))
			return 1;
	if (!rep)
		return 0;
	char msg[MSG_MAX];
	size_t n = 0;
	render(msg, sizeof msg, &n, x, true);
	put(msg, sizeof msg, &n, " is not one of: ");
	for (size_t i = 0; i < e->u.array.count; i++) {
		if (n > 700) {
			put(msg, sizeof msg, &n, ", ...");
			break;
		}
		put(msg, sizeof msg, &n, "%s", i ? ", " : "");
		render(msg, sizeof msg, &n, e->u.array.items[i], false);
	}
	int r = report(c, s, x->line, x->col, "%s", msg);
	return r < 0 ? r : 0;
}

/* Property names the schema (and schemas applied in place) declare, for
 * "did you mean" under unevaluatedProperties: false. */
static const mg_sprop *suggest_deep(const mg_schema *s, const char *key, size_t len, int depth)
{
	const mg_sprop *best;
	if (!s || s->is_bool || depth > 4)
		return NULL;
	if ((best = suggest(s, key, len)))
		return best;
	const mg_slist *lists[] = { &s->all_of, &s->any_of, &s->one_of };
	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->count; i++)
			if ((best = suggest_deep(lists[l]->items[i], key, len, depth + 1)))
				return best;
	if (s->ref && (best = suggest_deep(s->ref->target, key, len, depth + 1)))
		return best;
	if ((best = suggest_deep(s->then_, key, len, depth + 1)))
		return best;
	return suggest_deep(s->else_, key, len, depth + 1);
}

static int check_unevaluated_props(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	int ok = 1, r;
	for (size_t j = 0; j < x->u.object.count; j++) {
		const mg_member *m = &x->u.object.members[j];
		if (ann[j])
			continue;
		ann[j] = 1;
		if (s->uneval_props->is_bool && !s->uneval_props->bool_value) {
			if (!rep)
				return 0;
			ok = 0;
			char where[512] = "";
			size_t n = 0;
			render_path(c, where, sizeof where, &n);
			const mg_sprop *dym = c->nreported < MAX_FINDINGS ? suggest_deep(s, m->key, m->key_len, 0) : NULL;
			r = report(c, s, m->line, m->col, "unknown key '%s'%s%s%s%s%s", m->key, n ? " in " : "", where,
				   dym ? " (did you mean '" : "", dym ? dym->key : "", dym ? "'?)" : "");
			if (r < 0)
				return r;
			continue;
		}
		push_key(c, m->key, m->key_len);
		r = child(c, s->uneval_props, m->value, rep);
		c->nseg--;
		if (r < 0)
			return r;
		if (!r) {
			if (!rep)
				return 0;
			ok = 0;
		}
	}
	return ok;
}

static int check_unevaluated_items(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	int ok = 1, r;
	for (size_t i = 0; i < x->u.array.count; i++) {
		const mg_node *item = x->u.array.items[i];
		if (ann[i])
			continue;
		ann[i] = 1;
		if (s->uneval_items->is_bool && !s->uneval_items->bool_value) {
			if (!rep)
				return 0;
			ok = 0;
			if ((r = report(c, s, item->line, item->col, "unexpected item at index %zu", i)) < 0)
				return r;
			continue;
		}
		push_index(c, i);
		r = child(c, s->uneval_items, item, rep);
		c->nseg--;
		if (r < 0)
			return r;
		if (!r) {
			if (!rep)
				return 0;
			ok = 0;
		}
	}
	return ok;
}

static int apply_ref(vctx *c, const mg_sref *ref, const mg_node *x, bool rep, uint8_t *ann)
{
	const mg_schema *t = ref->target;
	if (ref->error) {
		mg_error_set("%s", ref->error);
		return MG_EINVALID;
	}
	if (ref->dyn_name) {
		for (size_t i = 0; i < c->nscope && i < MAX_SCOPE; i++) {
			mg_schema *d = mg_schema__dyn_anchor(c->scope[i], ref->dyn_name);
			if (d) {
				t = d;
				break;
			}
		}
	}
	return in_place(c, t, x, rep, ann);
}

static int v_body(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	int ok = 1, r;

#define FAIL_OR_CONTINUE(expr) \
	do { \
		if ((r = (expr)) < 0) \
			return r; \
		if (!r) { \
			if (!rep) \
				return 0; \
			ok = 0; \
		} \
	} while (0)

	if (s->is_bool) {
		if (s->bool_value)
			return 1;
		if (rep && (r = report(c, NULL, x->line, x->col, "value is not allowed here")) < 0)
			return r;
		return 0;
	}
	if (s->types && !type_ok(s->types, x)) {
		if (!rep)
			return 0;
		char msg[MSG_MAX];
		size_t n = 0;
		put(msg, sizeof msg, &n, "expected ");
		render_types(msg, sizeof msg, &n, s->types);
		put(msg, sizeof msg, &n, ", got %s", type_word(x));
		/* the hint says more than x-message ("AWS account ids have 12 digits" of a number that has them) */
		bool hint = quote_hint(msg, sizeof msg, &n, s->types, x, s->x_message != NULL);
		if ((r = report(c, hint ? NULL : s, x->line, x->col, "%s", msg)) < 0)
			return r;
		return 0; /* other assertions would only repeat the type error */
	}
	if (s->const_value && !mg_node_equal(s->const_value, x)) {
		if (!rep)
			return 0;
		ok = 0;
		char a[160], b[160];
		size_t na = 0, nb = 0;
		render(a, sizeof a, &na, x, true);
		render(b, sizeof b, &nb, s->const_value, true);
		if ((r = report(c, s, x->line, x->col, "%s must be %s", a, b)) < 0)
			return r;
	}
	if (s->enum_values)
		FAIL_OR_CONTINUE(check_enum(c, s, x, rep));
	switch (x->type) {
	case MG_NODE_OBJECT: FAIL_OR_CONTINUE(check_object(c, s, x, rep, ann)); break;
	case MG_NODE_ARRAY: FAIL_OR_CONTINUE(check_array(c, s, x, rep, ann)); break;
	case MG_NODE_STRING: FAIL_OR_CONTINUE(check_string(c, s, x, rep)); break;
	case MG_NODE_NUMBER: FAIL_OR_CONTINUE(check_number(c, s, x, rep)); break;
	default: break;
	}
	if (s->ref)
		FAIL_OR_CONTINUE(apply_ref(c, s->ref, x, rep, ann));
	if (s->dyn_ref)
		FAIL_OR_CONTINUE(apply_ref(c, s->dyn_ref, x, rep, ann));
	for (size_t i = 0; i < s->all_of.count; i++)
		FAIL_OR_CONTINUE(in_place(c, s->all_of.items[i], x, rep, ann));
	if (s->any_of.count) {
		int any = 0;
		for (size_t i = 0; i < s->any_of.count && (!any || ann); i++) {
			/* collecting annotations needs every valid branch */
			if ((r = in_place(c, s->any_of.items[i], x, false, ann)) < 0)
				return r;
			any |= r;
		}
		if (!any) {
			if (!rep)
				return 0;
			ok = 0;
			if ((r = report_alternatives(c, s, &s->any_of, x, "anyOf")) < 0)
				return r;
		}
	}
	if (s->one_of.count) {
		size_t matches = 0;
		for (size_t i = 0; i < s->one_of.count && matches < 2; i++) {
			if ((r = in_place(c, s->one_of.items[i], x, false, ann)) < 0)
				return r;
			matches += (size_t)r;
		}
		if (matches != 1) {
			if (!rep)
				return 0;
			ok = 0;
			if (matches == 0)
				r = report_alternatives(c, s, &s->one_of, x, "oneOf");
			else
				r = report(c, s, x->line, x->col, "%s matches more than one of the allowed forms (oneOf); it must match exactly one",
					   x->type == MG_NODE_OBJECT ? "object" : x->type == MG_NODE_ARRAY ? "array" : "value");
			if (r < 0)
				return r;
		}
	}
	if (s->not_) {
		if ((r = v(c, s->not_, x, false, NULL)) < 0)
			return r;
		if (r) {
			if (!rep)
				return 0;
			ok = 0;
			/* the negated schema's x-message says what must not be (e.g. "not both a and b") */
			const mg_schema *why = s->not_->x_message ? s->not_ : s;
			if ((r = report(c, why, x->line, x->col, "value matches a schema it must not match ('not')")) < 0)
				return r;
		}
	}
	if (s->if_ && (s->then_ || s->else_ || ann)) {
		if ((r = in_place(c, s->if_, x, false, ann)) < 0)
			return r;
		const mg_schema *branch = r ? s->then_ : s->else_;
		if (branch)
			FAIL_OR_CONTINUE(in_place(c, branch, x, rep, ann));
	}
	if (s->uneval_props && x->type == MG_NODE_OBJECT)
		FAIL_OR_CONTINUE(check_unevaluated_props(c, s, x, rep, ann));
	if (s->uneval_items && x->type == MG_NODE_ARRAY)
		FAIL_OR_CONTINUE(check_unevaluated_items(c, s, x, rep, ann));
#undef FAIL_OR_CONTINUE
	return ok;
}

static int v(vctx *c, const mg_schema *s, const mg_node *x, bool rep, uint8_t *ann)
{
	bool pushed = false;
	uint8_t small[64], *own = NULL;
	int r;

	if (c->depth >= MAX_DEPTH) {
		mg_error_set("schema recursion deeper than %d levels (a $ref cycle?)", MAX_DEPTH);
		return MG_EINVALID;
	}
	if (s->resource && (c->nscope == 0 || c->scope[c->nscope - 1] != s->resource)) {
		if (c->nscope < MAX_SCOPE)
			c->scope[c->nscope] = s->resource;
		c->nscope++;
		pushed = true;
	}
	if (!ann && ((s->uneval_props && x->type == MG_NODE_OBJECT) ||
		     (s->uneval_items && x->type == MG_NODE_ARRAY))) {
		size_t n = elems(x);
		own = n <= sizeof small ? small : calloc(n, 1);
		if (!own) {
			r = mg_oom();
			goto done;
		}
		memset(own, 0, n);
		ann = own;
	}
	c->depth++;
	r = v_body(c, s, x, rep, ann);
	c->depth--;
	if (own && own != small)
		free(own);
done:
	if (pushed)
		c->nscope--;
	return r;
}

int mg_schema_validate(const mg_schema *schema, const mg_node *instance, const char *path,
		       mg_findings *findings)
{
	vctx c;
	if (!schema || !instance) {
		mg_error_set("no schema or no document to validate");
		return MG_EINVALID;
	}
	c.findings = findings;
	c.path = path ? path : "";
	c.first_finding = findings ? findings->count : 0;
	c.nreported = 0;
	c.depth = 0;
	c.nscope = 0;
	c.nseg = 0;
	return v(&c, schema, instance, findings != NULL, NULL);
}
