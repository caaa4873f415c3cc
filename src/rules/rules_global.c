/*
 * rules_global.c - rules over all products of an environment:
 * duplicate-product, overlapping-location, unknown-input, the inputs'
 * unknown-table and lineage-cycle.  See docs/rules.md for each rule.
 *
 * None of them compares all pairs; with N products, T tables and E inputs:
 *
 *   duplicate-product     a hash map "<environment>\x1f<normalised name>" ->
 *                         first product (st->products, built in mg_rules_index);
 *                         O(N).
 *   overlapping-location  every output location split into (environment,
 *                         bucket, key without trailing '/'), sorted with '/'
 *                         ordered before every other byte, so the locations
 *                         under a prefix follow it directly; one scan with a
 *                         stack of enclosing prefixes finds each nested or
 *                         equal location; O(T log T).
 *   unknown-input,        each input key is looked up in st->products, each
 *   unknown-table         input table in st->tables ("<product>\x1f<table>");
 *                         O(E).  "Did you mean" spends a bounded budget.
 *   lineage-cycle         inputs naming products are edges of a graph in
 *                         CSR form; Tarjan's strongly connected components,
 *                         iterative (no recursion, so 10,000-deep chains are
 *                         fine); each component with a cycle is reported
 *                         once, with its shortest cycle through its first
 *                         product found by breadth-first search; O(N + E).
 */
#include "meshgate/sort.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "rules/rules_int.h"

#define ADD(st, pos, rule, ...) \
	mg_findings_add((st)->f, (pos).file, (pos).line, (pos).col, (rule), __VA_ARGS__)

/* The environment index (binary, fixed width), then the normalised name, in st->key. */
static int product_key(mg_rules_state *st, size_t env, const char *name)
{
	mg_buf_clear(&st->key);
	if (mg_buf_add(&st->key, &env, sizeof env) < 0 || mg_rules_normalise(&st->key, name) < 0)
		return mg_oom();
	return 0;
}

static int index_environments(mg_rules_state *st)
{
	const mg_catalogue *cat = st->cat;
	mg_strmap envs = MG_STRMAP_INIT;
	int r = 0;
	st->env_of = calloc(cat->nproducts ? cat->nproducts : 1, sizeof *st->env_of);
	if (!st->env_of)
		return mg_oom();
	for (size_t i = 0; i < cat->nproducts; i++) {
		const char *env = cat->products[i].environment ? cat->products[i].environment : "";
		size_t id;
		if ((r = mg_strmap_put(&envs, env, strlen(env), st->nenvs, &id)) < 0)
			break;
		st->env_of[i] = r == 1 ? id : st->nenvs++;
		r = 0;
	}
	mg_strmap_release(&envs);
	return r;
}

/* duplicate-product, and the product and table indexes the other rules use. */
int mg_rules_index(mg_rules_state *st)
{
	const mg_catalogue *cat = st->cat;
	int r;
	if ((r = index_environments(st)) < 0)
		return r;
	for (size_t i = 0; i < cat->nproducts; i++) {
		const mg_product *p = &cat->products[i];
		size_t first;
		for (size_t t = 0; t < p->ntables; t++) {
			char *k;
			if ((r = mg_rules_table_key(st, i, p->tables[t].name)) < 0)
				return r;
			if (!(k = mg_arena_strndup(&st->arena, st->key.ptr, st->key.len)))
				return mg_oom();
			if ((r = mg_strmap_put(&st->tables, k, st->key.len, t, NULL)) < 0)
				return r;
		}
		if (!p->name)
			continue;
		char *k;
		if ((r = product_key(st, st->env_of[i], p->name)) < 0)
			return r;
		if (!(k = mg_arena_strndup(&st->arena, st->key.ptr, st->key.len)))
			return mg_oom();
		if ((r = mg_strmap_put(&st->products, k, st->key.len, i, &first)) < 0)
			return r;
		if (r == 1) {
			const mg_product *q = &cat->products[first];
			if ((r = ADD(st, p->name_at, MG_RULE_DUPLICATE_PRODUCT,
				     "product name '%s' is already used by '%s' (%s:%u) in environment "
				     "'%s'; names are compared ignoring case and '-', '_', '.', ' ', so "
				     "rename one of them", p->name, q->name,
				     q->name_at.file ? q->name_at.file : "", q->name_at.line,
				     p->environment ? p->environment : "")) < 0)
				return r;
		}
	}
	return 0;
}

/* ---- overlapping-location ---- */

typedef struct location {
	size_t env;
	uint64_t head; /* the bucket's first 8 bytes in key_cmp's order (see bucket_head), for a quick sort */
	const char *bucket, *key;
	size_t blen, klen;
	size_t product, table;
} location;

/* Bytes compared with '/' below all others, so "x", "x/y", "x-y" sort in that order. */
static int key_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb, i = 0;
	/* the common part 8 bytes at a time (bucket names share long prefixes), then byte by byte */
	for (uint64_t x, y; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	for (; i < n; i++) {
		unsigned ca = (unsigned char)a[i], cb = (unsigned char)b[i];
		if (ca == cb)
			continue;
		ca = ca == '/' ? 0 : ca + 1;
		cb = cb == '/' ? 0 : cb + 1;
		return ca < cb ? -1 : 1;
	}
	return la < lb ? -1 : la > lb ? 1 : 0;
}

/*
 * The first 8 bytes of a bucket name, big-endian, '/' as 0 and the end
 * padded with 0: a different head orders two buckets as key_cmp does (the
 * first differing byte decides, and both '/' and an end sort lowest); an
 * equal one leaves it to key_cmp.
 */
static uint64_t bucket_head(const char *s, size_t len)
{
	uint64_t h = 0;
	for (size_t i = 0; i < 8; i++) {
		unsigned c = i < len ? (unsigned char)s[i] : 0;
		h = h << 8 | (c == '/' ? 0 : c);
	}
	return h;
}

static int location_cmp(const void *va, const void *vb)
{
	const location *a = va, *b = vb;
	int c;
	if (a->env != b->env)
		return a->env < b->env ? -1 : 1;
	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	if ((c = key_cmp(a->bucket, a->blen, b->bucket, b->blen)) != 0)
		return c;
	if ((c = key_cmp(a->key, a->klen, b->key, b->klen)) != 0)
		return c;
	if (a->product != b->product)
		return a->product < b->product ? -1 : 1;
	return a->table < b->table ? -1 : a->table > b->table ? 1 : 0;
}

/* Whether a's prefix equals or encloses b's. */
static bool encloses(const location *a, const location *b)
{
	if (a->env != b->env || a->blen != b->blen || memcmp(a->bucket, b->bucket, a->blen) != 0)
		return false;
	if (a->klen == 0)
		return true; /* the bucket root */
	return b->klen >= a->klen && memcmp(a->key, b->key, a->klen) == 0 &&
	       (b->klen == a->klen || b->key[a->klen] == '/');
}

static int check_locations(mg_rules_state *st)
{
	const mg_catalogue *cat = st->cat;
	size_t n = 0, depth = 0;
	location *locs = NULL;
	size_t *stack = NULL;
	int r = 0;
	for (size_t i = 0; i < cat->nproducts; i++)
		n += cat->products[i].ntables;
	if (!n)
		return 0;
	locs = malloc(n * sizeof *locs);
	stack = malloc(n * sizeof *stack);
	if (!locs || !stack) {
		r = mg_oom();
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < cat->nproducts; i++)
		for (size_t t = 0; t < cat->products[i].ntables; t++) {
			const mg_table *tb = &cat->products[i].tables[t];
			location *l = &locs[n];
			if (!tb->location ||
			    !mg_rules_s3_split(tb->location, &l->bucket, &l->blen, &l->key, &l->klen))
				continue;
			l->env = st->env_of[i];
			l->head = bucket_head(l->bucket, l->blen);
			l->product = i;
			l->table = t;
			n++;
		}
	mg_sort(locs, n, sizeof *locs, location_cmp);
	for (size_t i = 0; i < n; i++) {
		const location *l = &locs[i];
		while (depth && !encloses(&locs[stack[depth - 1]], l))
			depth--;
		if (depth) {
			const location *o = &locs[stack[depth - 1]];
			const mg_table *t = &cat->products[l->product].tables[l->table];
			const mg_table *ot = &cat->products[o->product].tables[o->table];
			bool same = o->klen == l->klen;
			if ((r = ADD(st, t->location_at, MG_RULE_OVERLAPPING_LOCATION,
				     same ? "location '%s' of table '%s' is also the location '%s' of table "
					    "'%s' (%s:%u); give each output its own S3 prefix"
					  : "location '%s' of table '%s' lies inside the location '%s' of "
					    "table '%s' (%s:%u); give each output its own S3 prefix",
				     t->location, t->name, ot->location, ot->name,
				     ot->location_at.file ? ot->location_at.file : "",
				     ot->location_at.line)) < 0)
				goto done;
		}
		stack[depth++] = i;
	}
done:
	free(locs);
	free(stack);
	return r;
}

/* ---- lineage ---- */

typedef struct graph {
	size_t n;
	size_t *off;      /* edges of v: [off[v], off[v + 1]) */
	size_t *to;       /* target product */
	size_t *input;    /* index of the input entry in the source product */
} graph;

static void graph_release(graph *g)
{
	free(g->off);
	free(g->to);
	free(g->input);
	memset(g, 0, sizeof *g);
}

/* The product an input names in its environment, or -1. */
static long input_target(mg_rules_state *st, size_t pi, const mg_input *in)
{
	size_t q;
	if (product_key(st, st->env_of[pi], in->key) < 0)
		return -1;
	return mg_strmap_get(&st->products, st->key.ptr, st->key.len, &q) ? (long)q : -1;
}

static int check_input(mg_rules_state *st, size_t pi, const mg_input *in, long q)
{
	const mg_catalogue *cat = st->cat;
	const mg_product *p = &cat->products[pi];
	int r;
	if (q < 0) {
		if (!in->declared_product)
			return 0; /* a source system */
		mg_suggest s;
		mg_suggest_begin(&s, st, in->key);
		for (size_t i = 0; i < cat->nproducts && st->suggest_budget; i++)
			if (st->env_of[i] == st->env_of[pi] && cat->products[i].name)
				mg_suggest_add(&s, cat->products[i].name);
		return ADD(st, in->at, MG_RULE_UNKNOWN_INPUT,
			   "input '%s' is declared as a data product but environment '%s' has no "
			   "product of that name%s", in->key, p->environment ? p->environment : "",
			   mg_suggest_hint(&s, "; fix the name, or drop \"type\": \"data-product\" "
					       "if it is a source system"));
	}
	const mg_product *src = &cat->products[q];
	for (size_t i = 0; i < in->ntables; i++) {
		if (mg_rules_find_table(st, (size_t)q, in->tables[i]) >= 0)
			continue;
		mg_suggest s;
		mg_suggest_begin(&s, st, in->tables[i]);
		for (size_t t = 0; t < src->ntables && st->suggest_budget; t++)
			mg_suggest_add(&s, src->tables[t].name);
		if ((r = ADD(st, in->tables_at[i], MG_RULE_UNKNOWN_TABLE,
			     "input '%s' reads table '%s' that data product '%s' does not output%s",
			     in->key, in->tables[i], src->name,
			     mg_suggest_hint(&s, "; fix the name or remove it"))) < 0)
			return r;
	}
	return 0;
}

/* unknown-input and inputs' unknown-table, building the lineage graph on the way. */
static int build_graph(mg_rules_state *st, graph *g)
{
	const mg_catalogue *cat = st->cat;
	size_t ne = 0;
	long *target = NULL;
	int r = 0;
	g->n = cat->nproducts;
	for (size_t i = 0; i < cat->nproducts; i++)
		ne += cat->products[i].ninputs;
	g->off = calloc(g->n + 1, sizeof *g->off);
	target = malloc((ne ? ne : 1) * sizeof *target);
	g->to = malloc((ne ? ne : 1) * sizeof *g->to);
	g->input = malloc((ne ? ne : 1) * sizeof *g->input);
	if (!g->off || !target || !g->to || !g->input) {
		r = mg_oom();
		goto done;
	}
	size_t k = 0, e = 0;
	for (size_t i = 0; i < cat->nproducts; i++) {
		const mg_product *p = &cat->products[i];
		g->off[i] = e;
		for (size_t j = 0; j < p->ninputs; j++, k++) {
			target[k] = input_target(st, i, &p->inputs[j]);
			if ((r = check_input(st, i, &p->inputs[j], target[k])) < 0)
				goto done;
			if (target[k] >= 0) {
				g->to[e] = (size_t)target[k];
				g->input[e] = j;
				e++;
			}
		}
	}
	g->off[g->n] = e;
done:
	free(target);
	return r;
}

#define UNVISITED ((size_t)-1)

typedef struct tarjan {
	size_t *index, *low, *comp, *stack, *frame_v, *frame_e;
	bool *on;
} tarjan;

static void tarjan_release(tarjan *t)
{
	free(t->index);
	free(t->low);
	free(t->comp);
	free(t->stack);
	free(t->frame_v);
	free(t->frame_e);
	free(t->on);
}

/* Shows a cycle "a -> b -> ... -> a", eliding the middle of long ones. */
static int describe_cycle(mg_buf *b, const mg_catalogue *cat, const size_t *path, size_t len)
{
	const size_t head = 12, tail = 3;
	for (size_t i = 0; i < len; i++) {
		if (len > head + tail + 1 && i == head) {
			if (mg_buf_addf(b, " -> ... (%zu more)", len - head - tail) < 0)
				return mg_oom();
			i = len - tail - 1;
			continue;
		}
		if (mg_buf_addf(b, "%s'%s'", i ? " -> " : "", cat->products[path[i]].name) < 0)
			return mg_oom();
	}
	if (mg_buf_addf(b, " -> '%s'", cat->products[path[0]].name) < 0)
		return mg_oom();
	return 0;
}

/*
 * Reports the strongly connected component `members` (component c): its
 * shortest cycle through its first product, found by breadth-first search
 * inside the component, at the input that closes the cycle.
 */
static int report_cycle(mg_rules_state *st, const graph *g, const tarjan *tj, size_t c,
			const size_t *members, size_t nmembers, size_t *queue, size_t *parent,
			size_t *mark)
{
	const mg_catalogue *cat = st->cat;
	size_t start = members[0];
	for (size_t i = 1; i < nmembers; i++)
		if (members[i] < start)
			start = members[i];
	size_t qh = 0, qt = 0, last = UNVISITED, closing = 0;
	queue[qt++] = start;
	mark[start] = c;
	parent[start] = UNVISITED;
	while (qh < qt && last == UNVISITED) {
		size_t v = queue[qh++];
		for (size_t e = g->off[v]; e < g->off[v + 1]; e++) {
			size_t w = g->to[e];
			if (tj->comp[w] != c)
				continue;
			if (w == start) {
				last = v;
				closing = e;
				break;
			}
			if (mark[w] != c) {
				mark[w] = c;
				parent[w] = v;
				queue[qt++] = w;
			}
		}
	}
	if (last == UNVISITED)
		return 0; /* cannot happen in a component with a cycle */
	/* the path start -> ... -> last, reversed into queue (no longer needed) */
	size_t len = 0;
	for (size_t v = last; v != UNVISITED; v = parent[v])
		queue[len++] = v;
	for (size_t i = 0; i < len / 2; i++) {
		size_t tmp = queue[i];
		queue[i] = queue[len - 1 - i];
		queue[len - 1 - i] = tmp;
	}
	const mg_product *lp = &cat->products[last];
	const mg_input *in = &lp->inputs[g->input[closing]];
	mg_buf msg = MG_BUF_INIT;
	int r;
	if (len == 1) {
		r = ADD(st, in->at, MG_RULE_LINEAGE_CYCLE,
			"data product '%s' lists itself as an input; remove this input", lp->name);
		return r;
	}
	if ((r = describe_cycle(&msg, cat, queue, len)) == 0) {
		if (nmembers > len)
			r = mg_buf_addf(&msg, " (%zu products in all feed each other)", nmembers) < 0
				? mg_oom() : 0;
	}
	if (r == 0)
		r = ADD(st, in->at, MG_RULE_LINEAGE_CYCLE,
			"data products feed each other in a cycle: %s; remove one of these inputs to "
			"break it", msg.ptr);
	mg_buf_release(&msg);
	return r;
}

static bool self_loop(const graph *g, size_t v)
{
	for (size_t e = g->off[v]; e < g->off[v + 1]; e++)
		if (g->to[e] == v)
			return true;
	return false;
}

static int check_cycles(mg_rules_state *st, const graph *g)
{
	size_t n = g->n, counter = 0, sp = 0, ncomp = 0;
	size_t *queue = NULL, *parent = NULL, *mark = NULL;
	tarjan tj = { 0 };
	int r = 0;
	if (!n)
		return 0;
	tj.index = malloc(n * sizeof *tj.index);
	tj.low = malloc(n * sizeof *tj.low);
	tj.comp = malloc(n * sizeof *tj.comp);
	tj.stack = malloc(n * sizeof *tj.stack);
	tj.frame_v = malloc(n * sizeof *tj.frame_v);
	tj.frame_e = malloc(n * sizeof *tj.frame_e);
	tj.on = calloc(n, sizeof *tj.on);
	queue = malloc(n * sizeof *queue);
	parent = malloc(n * sizeof *parent);
	mark = malloc(n * sizeof *mark);
	if (!tj.index || !tj.low || !tj.comp || !tj.stack || !tj.frame_v || !tj.frame_e || !tj.on ||
	    !queue || !parent || !mark) {
		r = mg_oom();
		goto done;
	}
	for (size_t v = 0; v < n; v++) {
		tj.index[v] = UNVISITED;
		tj.comp[v] = UNVISITED;
		mark[v] = UNVISITED;
	}
	for (size_t root = 0; root < n; root++) {
		if (tj.index[root] != UNVISITED)
			continue;
		size_t depth = 0;
		tj.frame_v[depth] = root;
		tj.frame_e[depth++] = g->off[root];
		tj.index[root] = tj.low[root] = counter++;
		tj.stack[sp++] = root;
		tj.on[root] = true;
		while (depth) {
			size_t v = tj.frame_v[depth - 1];
			size_t e = tj.frame_e[depth - 1];
			if (e < g->off[v + 1]) {
				size_t w = g->to[e];
				tj.frame_e[depth - 1]++;
				if (tj.index[w] == UNVISITED) {
					tj.index[w] = tj.low[w] = counter++;
					tj.stack[sp++] = w;
					tj.on[w] = true;
					tj.frame_v[depth] = w;
					tj.frame_e[depth++] = g->off[w];
				} else if (tj.on[w] && tj.index[w] < tj.low[v]) {
					tj.low[v] = tj.index[w];
				}
				continue;
			}
			/* v is done */
			depth--;
			if (depth) {
				size_t u = tj.frame_v[depth - 1];
				if (tj.low[v] < tj.low[u])
					tj.low[u] = tj.low[v];
			}
			if (tj.low[v] != tj.index[v])
				continue;
			/* v roots a component: its members are on the stack above it */
			size_t base = sp;
			do {
				size_t w = tj.stack[--base];
				tj.on[w] = false;
				tj.comp[w] = ncomp;
			} while (tj.stack[base] != v);
			size_t nmembers = sp - base;
			if (nmembers > 1 || self_loop(g, v))
				r = report_cycle(st, g, &tj, ncomp, &tj.stack[base], nmembers, queue,
						 parent, mark);
			sp = base;
			ncomp++;
			if (r < 0)
				goto done;
		}
	}
done:
	tarjan_release(&tj);
	free(queue);
	free(parent);
	free(mark);
	return r;
}

int mg_rules_global(mg_rules_state *st)
{
	graph g = { 0 };
	int r;
	if ((r = check_locations(st)) < 0)
		return r;
	if ((r = build_graph(st, &g)) == 0)
		r = check_cycles(st, &g);
	graph_release(&g);
	return r;
}
