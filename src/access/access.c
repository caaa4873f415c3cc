/*
 * access.c - desired grants of a catalogue (see meshgate/access.h).
 *
 * This is the one implementation of DESIGN §2 that the validator's
 * exposure checks, the plan and every backend rely on.
 */
#include "meshgate/sort.h"
#include "meshgate/access.h"
#include "meshgate/date.h"

#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "access/access_int.h"

void mg_grant_set_init(mg_grant_set *s)
{
	memset(s, 0, sizeof *s);
}

void mg_grant_set_release(mg_grant_set *s)
{
	free(s->items);
	mg_arena_free(&s->arena);
	mg_intern_free(s->intern);
	memset(s, 0, sizeof *s);
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

int mg_grant_key_cmp(const mg_grant *a, const mg_grant *b)
{
	int c;
	if ((c = strcmp(a->environment, b->environment)) != 0 ||
	    (c = strcmp(a->principal, b->principal)) != 0 ||
	    (c = strcmp(a->product, b->product)) != 0)
		return c;
	return strcmp_null(a->table, b->table);
}

static int cmp_grant_ptr(const void *a, const void *b)
{
	return mg_grant_key_cmp(a, b);
}

const mg_grant *mg_grant_set_find(const mg_grant_set *s, const mg_grant *key)
{
	return s->count ? mg_find(key, s->items, s->count, sizeof *s->items, cmp_grant_ptr) : NULL;
}

bool mg_grant_equal(const mg_grant *a, const mg_grant *b)
{
	if (mg_grant_key_cmp(a, b) != 0 || a->except != b->except || a->perms != b->perms ||
	    a->ncolumns != b->ncolumns || a->channel != b->channel)
		return false;
	for (size_t i = 0; i < a->ncolumns; i++)
		if (strcmp(a->columns[i], b->columns[i]) != 0)
			return false;
	return true;
}

/* ---- column lists (sorted, unique, with per-column exposure) ---- */

typedef struct {
	const char *name;
	unsigned exposure;
} colx;

static int cmp_colx(const void *a, const void *b)
{
	return strcmp(((const colx *)a)->name, ((const colx *)b)->name);
}

/* Stores a sorted, de-duplicated copy of cols (n) into g: the set's shared list when it has one. */
static int set_columns(mg_grant_set *s, mg_grant *g, colx *cols, size_t n)
{
	if (n > 1)
		mg_sort(cols, n, sizeof *cols, cmp_colx);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(cols[k - 1].name, cols[i].name) == 0) {
			cols[k - 1].exposure |= cols[i].exposure;
			continue;
		}
		cols[k++] = cols[i];
	}
	g->ncolumns = k;
	g->columns = NULL;
	g->column_exposure = NULL;
	if (!k)
		return 0;
	const char *sn[64], **names = k <= 64 ? sn : malloc(k * sizeof *names);
	unsigned se[64], *exp = k <= 64 ? se : malloc(k * sizeof *exp);
	int r = 0;
	if (!names || !exp)
		r = mg_oom();
	for (size_t i = 0; r == 0 && i < k; i++) {
		names[i] = cols[i].name;
		exp[i] = cols[i].exposure;
	}
	if (r == 0)
		r = mg_intern_columns(&s->intern, &s->arena, names, exp, k, &g->columns, &g->column_exposure);
	if (names != sn)
		free(names);
	if (exp != se)
		free(exp);
	return r;
}

/* The key strings of g, shared in s. */
static int set_key(mg_grant_set *s, mg_grant *dst, const mg_grant *g)
{
	if (!(dst->environment = mg_intern_str(&s->intern, &s->arena, g->environment)) ||
	    !(dst->product = mg_intern_str(&s->intern, &s->arena, g->product)) ||
	    !(dst->principal = mg_intern_str(&s->intern, &s->arena, g->principal)) ||
	    (g->table && !(dst->table = mg_intern_str(&s->intern, &s->arena, g->table))) ||
	    (g->location && !(dst->location = mg_intern_str(&s->intern, &s->arena, g->location))))
		return mg_oom();
	return 0;
}

static int grow(mg_grant_set *s)
{
	if (s->count < s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 64;
	mg_grant *items = realloc(s->items, cap * sizeof *items);
	if (!items)
		return mg_oom();
	s->items = items;
	s->cap = cap;
	return 0;
}

/* Deep-copies g into set s (strings and columns). */
int mg_access__copy_grant(mg_grant_set *s, mg_grant *dst, const mg_grant *g)
{
	*dst = *g;
	if (set_key(s, dst, g) < 0)
		return mg_oom();
	colx *cols = g->ncolumns ? malloc(g->ncolumns * sizeof *cols) : NULL;
	if (g->ncolumns && !cols)
		return mg_oom();
	for (size_t i = 0; i < g->ncolumns; i++) {
		cols[i].name = g->columns[i];
		cols[i].exposure = g->column_exposure ? g->column_exposure[i] : 0;
	}
	int r = set_columns(s, dst, cols, g->ncolumns);
	free(cols);
	return r;
}

int mg_grant_set_add(mg_grant_set *s, const mg_grant *g)
{
	int r;
	if ((r = grow(s)) < 0)
		return r;
	if ((r = mg_access__copy_grant(s, &s->items[s->count], g)) < 0)
		return r;
	s->count++;
	return 0;
}

/* Merges b into a (same key): the union of what both allow. */
int mg_access__merge(mg_grant_set *s, mg_grant *a, const mg_grant *b)
{
	size_t n = 0;
	colx *cols = malloc((a->ncolumns + b->ncolumns + 1) * sizeof *cols);
	if (!cols)
		return mg_oom();
	if (a->except && b->except) {
		/* readable = all but the excluded: the union reads all but the intersection */
		for (size_t i = 0; i < a->ncolumns; i++)
			for (size_t j = 0; j < b->ncolumns; j++)
				if (strcmp(a->columns[i], b->columns[j]) == 0) {
					cols[n].name = a->columns[i];
					cols[n++].exposure = a->column_exposure[i];
				}
	} else if (a->except || b->except) {
		/* all-but-X plus an explicit list: all but the X names the list does not give */
		const mg_grant *ex = a->except ? a : b, *li = a->except ? b : a;
		for (size_t i = 0; i < ex->ncolumns; i++) {
			int given = 0;
			for (size_t j = 0; j < li->ncolumns && !given; j++)
				given = strcmp(ex->columns[i], li->columns[j]) == 0;
			if (!given) {
				cols[n].name = ex->columns[i];
				cols[n++].exposure = ex->column_exposure[i];
			}
		}
		a->except = true;
	} else {
		for (size_t i = 0; i < a->ncolumns; i++) {
			cols[n].name = a->columns[i];
			cols[n++].exposure = a->column_exposure[i];
		}
		for (size_t j = 0; j < b->ncolumns; j++) {
			cols[n].name = b->columns[j];
			cols[n++].exposure = b->column_exposure[j];
		}
	}
	int r = set_columns(s, a, cols, n);
	free(cols);
	a->perms |= b->perms;
	a->exposure |= b->exposure;
	return r;
}

int mg_grant_set_finish(mg_grant_set *s)
{
	int r;
	if (s->count > 1)
		mg_sort(s->items, s->count, sizeof *s->items, cmp_grant_ptr);
	size_t k = 0;
	for (size_t i = 0; i < s->count; i++) {
		if (k && mg_grant_key_cmp(&s->items[k - 1], &s->items[i]) == 0) {
			if ((r = mg_access__merge(s, &s->items[k - 1], &s->items[i])) < 0)
				return r;
			continue;
		}
		s->items[k++] = s->items[i];
	}
	s->count = k;
	return 0;
}

/* ---- the model ---- */

bool mg_clearance_valid(const mg_clearance *c, const char *today)
{
	return c->present && c->approved_by && *c->approved_by && c->reason && *c->reason &&
	       c->expires && mg_date_valid(c->expires, strlen(c->expires)) && (!today || strcmp(today, c->expires) <= 0);
}

static const char *principal_of(const mg_consumer *c)
{
	switch (c->channel) {
	case MG_CHANNEL_LAKEFORMATION: return c->account;
	case MG_CHANNEL_IAM: return c->role_arn;
	case MG_CHANNEL_POSTGRES: return c->postgres_role;
	case MG_CHANNEL_UNKNOWN: break;
	}
	return NULL;
}

static bool names_table(const mg_consumer *c, const char *table)
{
	for (size_t i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i], table) == 0)
			return true;
	return false;
}

static unsigned column_flags(const mg_column *col)
{
	return (col->pii ? MG_EXPOSE_PII : 0) | (col->pci ? MG_EXPOSE_PCI : 0);
}

mg_table_verdict mg_access_table_verdict(const mg_consumer *c, const mg_table *t, const char *today)
{
	bool listed = c->has_tables && names_table(c, t->name);
	unsigned sensitive = 0;
	if (t->visibility == MG_VIS_CONFIDENTIAL) {
		if (!listed || !mg_clearance_valid(&c->access[MG_CLEAR_CONFIDENTIAL], today))
			return MG_TABLE_CONFIDENTIAL;
	} else if (c->has_tables && !listed) {
		return MG_TABLE_NOT_NAMED;
	}
	for (size_t i = 0; i < t->ncolumns; i++)
		sensitive |= column_flags(&t->columns[i]);
	/* raw S3 access cannot hide columns: never for sensitive tables */
	if (c->channel == MG_CHANNEL_IAM && (sensitive || t->visibility == MG_VIS_CONFIDENTIAL))
		return MG_TABLE_IAM_SENSITIVE;
	return MG_TABLE_GRANTED;
}

/*
 * What a table's columns give a consumer with or without the pii and pci
 * clearances: computed once per product table and clearance pair, shared
 * by every consumer holding that pair.
 */
typedef struct {
	bool done, any;    /* any: at least one column granted (columns known) */
	unsigned exposure; /* of the columns read */
	const char **columns;
	unsigned *column_exposure;
	size_t ncolumns;
} variant;

static int compute_variant(mg_grant_set *s, const mg_table *t, bool pii_ok, bool pci_ok, variant *v)
{
	colx *cols = malloc((t->ncolumns + 1) * sizeof *cols);
	size_t n = 0;
	if (!cols)
		return mg_oom();
	v->exposure = 0;
	for (size_t i = 0; i < t->ncolumns; i++) {
		const mg_column *col = &t->columns[i];
		unsigned f = column_flags(col);
		bool hidden = (col->pii && !pii_ok) || (col->pci && !pci_ok);
		if (t->columns_known) {
			if (!col->declared || hidden)
				continue;
			v->exposure |= f;
			cols[n].name = col->name;
			cols[n++].exposure = f;
		} else if (hidden) {
			cols[n].name = col->name;
			cols[n++].exposure = f;
		} else {
			v->exposure |= f;
		}
	}
	v->any = !t->columns_known || n > 0;
	mg_grant g = { 0 };
	int r = set_columns(s, &g, cols, n);
	free(cols);
	v->columns = g.columns;
	v->column_exposure = g.column_exposure;
	v->ncolumns = g.ncolumns;
	v->done = true;
	return r;
}

/* The grant of table t to consumer c, or 0 with *granted false; vars: t's four variants. */
static int table_grant(mg_grant_set *out, const mg_product *p, const mg_consumer *c,
		       const char *principal, const mg_table *t, const char *today, variant *vars, bool *granted)
{
	bool pii_ok = mg_clearance_valid(&c->access[MG_CLEAR_PII], today);
	bool pci_ok = mg_clearance_valid(&c->access[MG_CLEAR_PCI], today);
	int r = 0;
	*granted = false;
	if (mg_access_table_verdict(c, t, today) != MG_TABLE_GRANTED)
		return 0;
	variant *v = &vars[(pii_ok ? 1 : 0) | (pci_ok ? 2 : 0)];
	if (!v->done && (r = compute_variant(out, t, pii_ok, pci_ok, v)) < 0)
		return r;
	if (!v->any)
		return 0; /* every column is hidden from this consumer */

	mg_grant g = { 0 };
	g.environment = p->environment;
	g.product = p->name;
	g.principal = principal;
	g.channel = c->channel;
	g.table = t->name;
	g.location = c->channel == MG_CHANNEL_IAM ? t->location : NULL; /* where raw S3 reads go */
	g.perms = MG_PERM_SELECT | MG_PERM_DESCRIBE;
	g.exposure = (t->visibility == MG_VIS_CONFIDENTIAL ? MG_EXPOSE_CONFIDENTIAL : 0) | v->exposure;
	g.except = !t->columns_known;
	g.columns = v->columns;
	g.column_exposure = v->column_exposure;
	g.ncolumns = v->ncolumns;
	if ((r = grow(out)) < 0)
		return r;
	mg_grant *dst = &out->items[out->count];
	*dst = g;
	if ((r = set_key(out, dst, &g)) < 0)
		return r;
	out->count++;
	*granted = true;
	return 0;
}

int mg_access_desired(const mg_catalogue *cat, const char *today, mg_product_filter filter,
		      void *filter_ctx, mg_grant_set *out)
{
	variant *vars = NULL;
	size_t cap = 0;
	int r = 0;
	for (size_t i = 0; i < cat->nproducts && r == 0; i++) {
		const mg_product *p = &cat->products[i];
		if (!p->name || !p->environment)
			continue;
		if (filter && !filter(p, filter_ctx))
			continue;
		if (p->ntables * 4 > cap) {
			variant *nv = realloc(vars, p->ntables * 4 * sizeof *nv);
			if (!nv) {
				r = mg_oom();
				break;
			}
			vars = nv;
			cap = p->ntables * 4;
		}
		if (p->ntables)
			memset(vars, 0, p->ntables * 4 * sizeof *vars);
		for (size_t j = 0; j < p->nconsumers && r == 0; j++) {
			const mg_consumer *c = &p->consumers[j];
			const char *principal = principal_of(c);
			bool any = false;
			if (!principal || !*principal)
				continue;
			for (size_t k = 0; k < p->ntables; k++) {
				bool granted;
				if ((r = table_grant(out, p, c, principal, &p->tables[k], today, &vars[k * 4], &granted)) < 0)
					break;
				any |= granted;
			}
			if (r < 0 || !any)
				continue;
			mg_grant db = { 0 };
			db.environment = p->environment;
			db.product = p->name;
			db.principal = principal;
			db.channel = c->channel;
			db.perms = MG_PERM_DESCRIBE;
			r = mg_grant_set_add(out, &db);
		}
	}
	free(vars);
	if (r < 0)
		return r;
	return mg_grant_set_finish(out);
}
