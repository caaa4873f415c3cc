/*
 * intern.c - shared strings and column lists inside a grant set or plan.
 *
 * A catalogue's 500,000 grants name the same few thousand principals and
 * the same column lists over and over (every consumer of a table with the
 * same clearances reads the same columns), so a set stores each distinct
 * string and each distinct (sorted) column list once, in its arena.  Lists
 * and strings are immutable once stored: every change to a grant's columns
 * builds a new list (see set_columns in access.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access_int.h"
#include "meshgate/error.h"

typedef struct {
	uint64_t h; /* 0: empty slot */
	const char *s;
	size_t len;
} str_slot;

typedef struct {
	uint64_t h;
	const char **cols;
	unsigned *exp;
	size_t n;
} list_slot;

struct mg_intern {
	str_slot *strs;
	size_t nstrs, capstrs;
	list_slot *lists;
	size_t nlists, caplists;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	return h;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = mix(h, (unsigned char)s[i]);
	return h | 1; /* never 0 */
}

void mg_intern_free(mg_intern *t)
{
	if (!t)
		return;
	free(t->strs);
	free(t->lists);
	free(t);
}

static int ensure(mg_intern **tp)
{
	if (!*tp && !(*tp = calloc(1, sizeof **tp)))
		return mg_oom();
	return 0;
}

static int grow_strs(mg_intern *t)
{
	if ((t->nstrs + 1) * 4 < t->capstrs * 3)
		return 0;
	size_t cap = t->capstrs ? t->capstrs * 2 : 1024;
	str_slot *v = calloc(cap, sizeof *v);
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < t->capstrs; i++) {
		if (!t->strs[i].h)
			continue;
		size_t j = t->strs[i].h & (cap - 1);
		while (v[j].h)
			j = (j + 1) & (cap - 1);
		v[j] = t->strs[i];
	}
	free(t->strs);
	t->strs = v;
	t->capstrs = cap;
	return 0;
}

const char *mg_intern_str(mg_intern **tp, mg_arena *a, const char *s)
{
	if (!s)
		return NULL;
	if (ensure(tp) < 0 || grow_strs(*tp) < 0)
		return NULL;
	mg_intern *t = *tp;
	size_t len = strlen(s);
	uint64_t h = hash_bytes(s, len);
	size_t j = h & (t->capstrs - 1);
	for (; t->strs[j].h; j = (j + 1) & (t->capstrs - 1))
		if (t->strs[j].h == h && t->strs[j].len == len && memcmp(t->strs[j].s, s, len) == 0)
			return t->strs[j].s;
	char *copy = mg_arena_strndup(a, s, len);
	if (!copy)
		return NULL;
	t->strs[j] = (str_slot){ h, copy, len };
	t->nstrs++;
	return copy;
}

static int grow_lists(mg_intern *t)
{
	if ((t->nlists + 1) * 4 < t->caplists * 3)
		return 0;
	size_t cap = t->caplists ? t->caplists * 2 : 1024;
	list_slot *v = calloc(cap, sizeof *v);
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < t->caplists; i++) {
		if (!t->lists[i].h)
			continue;
		size_t j = t->lists[i].h & (cap - 1);
		while (v[j].h)
			j = (j + 1) & (cap - 1);
		v[j] = t->lists[i];
	}
	free(t->lists);
	t->lists = v;
	t->caplists = cap;
	return 0;
}

int mg_intern_columns(mg_intern **tp, mg_arena *a, const char *const *names, const unsigned *exp, size_t n,
		      const char ***out_cols, unsigned **out_exp)
{
	*out_cols = NULL;
	*out_exp = NULL;
	if (!n)
		return 0;
	int r;
	if ((r = ensure(tp)) < 0)
		return r;
	/* the names themselves first: then a list is equal when its pointers are */
	const char *stack[64], **tmp = n <= 64 ? stack : malloc(n * sizeof *tmp);
	if (!tmp)
		return mg_oom();
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		if (!(tmp[i] = mg_intern_str(tp, a, names[i]))) {
			if (tmp != stack)
				free(tmp);
			return mg_oom();
		}
		h = mix(h, (uint64_t)(uintptr_t)tmp[i]);
		h = mix(h, exp ? exp[i] : 0);
	}
	h = mix(h, n) | 1;
	mg_intern *t = *tp;
	if ((r = grow_lists(t)) < 0) {
		if (tmp != stack)
				free(tmp);
		return r;
	}
	size_t j = h & (t->caplists - 1);
	for (; t->lists[j].h; j = (j + 1) & (t->caplists - 1)) {
		const list_slot *e = &t->lists[j];
		if (e->h != h || e->n != n)
			continue;
		size_t i = 0;
		while (i < n && e->cols[i] == tmp[i] && e->exp[i] == (exp ? exp[i] : 0))
			i++;
		if (i == n) {
			if (tmp != stack)
				free(tmp);
			*out_cols = e->cols;
			*out_exp = e->exp;
			return 0;
		}
	}
	const char **cols = mg_arena_alloc(a, n * sizeof *cols);
	unsigned *ex = mg_arena_alloc(a, n * sizeof *ex);
	if (!cols || !ex) {
		if (tmp != stack)
				free(tmp);
		return mg_oom();
	}
	memcpy(cols, tmp, n * sizeof *cols);
	for (size_t i = 0; i < n; i++)
		ex[i] = exp ? exp[i] : 0;
	if (tmp != stack)
				free(tmp);
	t->lists[j] = (list_slot){ h, cols, ex, n };
	t->nlists++;
	*out_cols = cols;
	*out_exp = ex;
	return 0;
}
