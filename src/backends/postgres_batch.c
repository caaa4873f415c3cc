/*
 * postgres_batch.c - what the server holds for one call's ops, read in two
 * queries before the call changes anything: every column of the schemas
 * the ops name, and the privileges their roles hold there (see
 * postgres_int.h).  With it most ops need no query of their own, so the
 * backend sends a call's statements in one round trip (postgres.c).
 */
#include <stdlib.h>
#include <string.h>

#include "backends/postgres_int.h"
#include "meshgate/error.h"
#include "meshgate/sort.h"

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_opt(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* columns: by schema, table, column */
static int col_cmp(const void *pa, const void *pb)
{
	const mg_pg_priv *a = pa, *b = pb;
	int c = strcmp(a->schema, b->schema);
	if (!c)
		c = cmp_opt(a->table, b->table);
	if (!c)
		c = cmp_opt(a->column, b->column);
	return c;
}

/* privileges: by schema, table, role */
static int priv_cmp(const void *pa, const void *pb)
{
	const mg_pg_priv *a = pa, *b = pb;
	int c = strcmp(a->schema, b->schema);
	if (!c)
		c = cmp_opt(a->table, b->table);
	if (!c)
		c = cmp_opt(a->role, b->role);
	return c;
}

/* Sorted, unique copies of the pointers in v[0..n). */
static size_t uniq(const char **v, size_t n)
{
	size_t k = 0;
	mg_sort(v, n, sizeof *v, cmp_cstr);
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	return k;
}

int mg_pg_view_load(PGconn *c, const mg_op *ops, size_t n, const mg_pg_options *o, mg_pg_view *v)
{
	const char **schemas = calloc(n + 1, sizeof *schemas), **roles = calloc(n + 1, sizeof *roles);
	int r = schemas && roles ? 0 : mg_oom();
	memset(v, 0, sizeof *v);
	for (size_t i = 0; r == 0 && i < n; i++) {
		schemas[i] = mg_pg_schema_of(o, ops[i].grant.product);
		roles[i] = ops[i].grant.principal;
	}
	size_t ns = r == 0 ? uniq(schemas, n) : 0, nr = r == 0 ? uniq(roles, n) : 0;
	if (r == 0)
		r = mg_pg_read_columns(c, schemas, ns, &v->cols);
	if (r == 0)
		r = mg_pg_read_privs(c, roles, nr, schemas, ns, &v->privs);
	if (r == 0) {
		mg_sort(v->cols.items, v->cols.count, sizeof *v->cols.items, col_cmp);
		mg_sort(v->privs.items, v->privs.count, sizeof *v->privs.items, priv_cmp);
		v->loaded = true;
	} else {
		mg_pg_view_release(v);
	}
	free(schemas);
	free(roles);
	return r;
}

void mg_pg_view_release(mg_pg_view *v)
{
	mg_pg_privs_release(&v->cols);
	mg_pg_privs_release(&v->privs);
	v->loaded = false;
}

/* The first item not ordered before key, by cmp. */
static size_t lower_bound(const mg_pg_priv *items, size_t n, const mg_pg_priv *key,
			  int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(&items[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

mg_pg_range mg_pg_view_columns(const mg_pg_view *v, const char *schema, const char *table)
{
	mg_pg_priv key = { MG_PG_PRIV_COLUMN, NULL, schema, table, "" };
	size_t at = lower_bound(v->cols.items, v->cols.count, &key, col_cmp), end = at;
	while (end < v->cols.count && strcmp(v->cols.items[end].schema, schema) == 0 &&
	       cmp_opt(v->cols.items[end].table, table) == 0)
		end++;
	mg_pg_range out = { v->cols.items + at, end - at };
	return out;
}

bool mg_pg_view_schema_exists(const mg_pg_view *v, const char *schema)
{
	mg_pg_priv key = { MG_PG_PRIV_COLUMN, NULL, schema, "", "" };
	size_t at = lower_bound(v->cols.items, v->cols.count, &key, col_cmp);
	return at < v->cols.count && strcmp(v->cols.items[at].schema, schema) == 0;
}

mg_pg_range mg_pg_view_held(const mg_pg_view *v, const char *role, const char *schema, const char *table)
{
	mg_pg_priv key = { MG_PG_PRIV_COLUMN, role, schema, table, NULL };
	size_t at = lower_bound(v->privs.items, v->privs.count, &key, priv_cmp), end = at;
	while (end < v->privs.count && priv_cmp(&v->privs.items[end], &key) == 0)
		end++;
	mg_pg_range out = { v->privs.items + at, end - at };
	return out;
}
