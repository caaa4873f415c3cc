/*
 * plan.c - the diff of two desired states, and applying a plan to a grant
 * set with backend semantics (see meshgate/access.h).
 */
#include "meshgate/sort.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/access.h"
#include "meshgate/error.h"
#include "access/access_int.h"

void mg_plan_init(mg_plan *p)
{
	memset(p, 0, sizeof *p);
}

void mg_plan_release(mg_plan *p)
{
	free(p->ops);
	mg_arena_free(&p->arena);
	memset(p, 0, sizeof *p);
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	h ^= 0x1f; /* field separator */
	h *= 1099511628211ull;
	return h;
}

/* Appends v in decimal to *p. */
static char *put_uint(char *p, unsigned v)
{
	char d[12];
	int n = 0;
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = d[--n];
	return p;
}

static void op_key(mg_op *op)
{
	static const char hex[] = "0123456789abcdef";
	const mg_grant *g = &op->grant;
	uint64_t h = 14695981039346656037ull;
	char num[40], *e = num;
	h = fnv(h, op->kind == MG_OP_GRANT ? "grant" : "revoke");
	h = fnv(h, g->environment);
	h = fnv(h, g->principal);
	h = fnv(h, g->product);
	h = fnv(h, g->table ? g->table : "");
	/* "perms/channel/except", as the key has always hashed it */
	e = put_uint(e, g->perms);
	*e++ = '/';
	e = put_uint(e, (unsigned)g->channel);
	*e++ = '/';
	*e++ = g->except ? '1' : '0';
	*e = '\0';
	h = fnv(h, num);
	for (size_t i = 0; i < g->ncolumns; i++)
		h = fnv(h, g->columns[i]);
	for (int i = 15; i >= 0; i--, h >>= 4)
		op->key[i] = hex[h & 15];
	op->key[16] = '\0';
}

/*
 * Selects columns of g by mask (1 = keep) into a new op's grant.  borrow:
 * the op points at g's strings (which the plan then owns or outlives)
 * instead of copying them.
 */
static int push(mg_plan *p, mg_op_kind kind, const mg_grant *g, const unsigned char *keep, unsigned newly,
		bool borrow)
{
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		mg_op *ops = realloc(p->ops, cap * sizeof *ops);
		if (!ops)
			return mg_oom();
		p->ops = ops;
		p->cap = cap;
	}
	mg_op *op = &p->ops[p->count];
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->newly = kind == MG_OP_GRANT ? newly : 0;
	op->risky = op->newly != 0;
	op->grant = *g;
	mg_arena *a = &p->arena;
	mg_grant *d = &op->grant;
	if (!borrow && (!(d->environment = mg_arena_strdup(a, g->environment)) ||
			!(d->product = mg_arena_strdup(a, g->product)) ||
			!(d->principal = mg_arena_strdup(a, g->principal)) ||
			(g->table && !(d->table = mg_arena_strdup(a, g->table))) ||
			(g->location && !(d->location = mg_arena_strdup(a, g->location)))))
		return mg_oom();
	if (borrow && !keep) {
		op_key(op);
		p->count++;
		return 0;
	}
	size_t n = 0;
	for (size_t i = 0; i < g->ncolumns; i++)
		n += !keep || keep[i];
	d->ncolumns = n;
	d->columns = NULL;
	d->column_exposure = NULL;
	if (n) {
		d->columns = mg_arena_alloc(a, n * sizeof *d->columns);
		d->column_exposure = mg_arena_alloc(a, n * sizeof *d->column_exposure);
		if (!d->columns || !d->column_exposure)
			return mg_oom();
		size_t k = 0;
		for (size_t i = 0; i < g->ncolumns; i++) {
			if (keep && !keep[i])
				continue;
			if (borrow)
				d->columns[k] = g->columns[i];
			else if (!(d->columns[k] = mg_arena_strdup(a, g->columns[i])))
				return mg_oom();
			d->column_exposure[k++] = g->column_exposure ? g->column_exposure[i] : 0;
		}
	}
	op_key(op);
	p->count++;
	return 0;
}

static bool has_column(const mg_grant *g, const char *name)
{
	size_t lo = 0, hi = g->ncolumns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(g->columns[mid], name);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* What replacing grant a with grant b wholesale newly exposes (MG_EXPOSE_*). */
static unsigned newly_exposed(const mg_grant *a, const mg_grant *b)
{
	unsigned e = b->exposure & ~a->exposure;
	if (a->except && b->except) {
		/* names excluded before for their class, readable now */
		for (size_t i = 0; i < a->ncolumns; i++)
			if (!has_column(b, a->columns[i]))
				e |= a->column_exposure[i];
	} else if (!a->except && !b->except) {
		for (size_t i = 0; i < b->ncolumns; i++)
			if (!has_column(a, b->columns[i]))
				e |= b->column_exposure[i];
	} else if (b->except) {
		e |= b->exposure & ~(a->exposure & MG_EXPOSE_CONFIDENTIAL);
	}
	return e;
}


/* ---- judging grants by the base's classification ---- */

/* The base's products by (environment, data-product-name); NULL: no base. */
typedef struct judge {
	const mg_product **by_name;
	size_t n;
} judge;

static int cmp_product_name(const void *x, const void *y)
{
	const mg_product *a = *(const mg_product *const *)x, *b = *(const mg_product *const *)y;
	int c = strcmp(a->environment, b->environment);
	return c ? c : strcmp(a->name, b->name);
}

static int judge_init(judge *j, const mg_catalogue *base)
{
	j->by_name = NULL;
	j->n = 0;
	if (!base || !base->nproducts)
		return 0;
	if (!(j->by_name = malloc(base->nproducts * sizeof *j->by_name)))
		return mg_oom();
	for (size_t i = 0; i < base->nproducts; i++)
		if (base->products[i].name && base->products[i].environment)
			j->by_name[j->n++] = &base->products[i];
	mg_sort(j->by_name, j->n, sizeof *j->by_name, cmp_product_name);
	return 0;
}

static const mg_product *judge_product(const judge *j, const char *environment, const char *name)
{
	mg_product key;
	const mg_product *kp = &key;
	memset(&key, 0, sizeof key);
	key.environment = environment;
	key.name = name;
	const mg_product *const *hit = j->n ? mg_find(&kp, j->by_name, j->n, sizeof *j->by_name, cmp_product_name)
					    : NULL;
	return hit ? *hit : NULL;
}

/* Whether grant g gives column `name` (an "all except" grant gives every name it does not list). */
static bool gives(const mg_grant *g, const char *name)
{
	return g->except ? !has_column(g, name) : has_column(g, name);
}

static unsigned column_exposure_of(const mg_grant *g, const char *name)
{
	if (g->except)
		return g->exposure; /* what the readable columns expose */
	for (size_t i = 0; i < g->ncolumns; i++)
		if (strcmp(g->columns[i], name) == 0)
			return g->column_exposure ? g->column_exposure[i] : 0;
	return 0;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/*
 * Judges the grant op by the base's classification: what it gives that the
 * base classified, the target does not, and `before` (the grant it
 * replaces, or NULL) did not give.
 */
static int judge_op(const judge *j, mg_plan *p, mg_op *op, const mg_grant *before)
{
	const mg_grant *g = &op->grant;
	if (!j || !j->n || op->kind != MG_OP_GRANT || !g->table)
		return 0;
	const mg_product *bp = judge_product(j, g->environment, g->product);
	const mg_table *bt = bp ? mg_product_table(bp, g->table) : NULL;
	if (!bt)
		return 0;
	const char **names = malloc((bt->ncolumns + 1) * sizeof *names);
	size_t n = 0, ncols;
	unsigned bits = 0;
	if (!names)
		return mg_oom();
	if (bt->visibility == MG_VIS_CONFIDENTIAL && !(g->exposure & MG_EXPOSE_CONFIDENTIAL) && !before) {
		names[n++] = bt->name;
		bits |= MG_EXPOSE_CONFIDENTIAL;
	}
	ncols = n;
	for (size_t i = 0; i < bt->ncolumns; i++) {
		const mg_column *c = &bt->columns[i];
		unsigned was = (c->pii ? MG_EXPOSE_PII : 0) | (c->pci ? MG_EXPOSE_PCI : 0);
		if (!was || !gives(g, c->name) || (before && gives(before, c->name)))
			continue;
		unsigned lost = was & ~column_exposure_of(g, c->name);
		if (!lost)
			continue;
		names[n++] = c->name;
		bits |= lost;
	}
	if (n > ncols)
		mg_sort(names + ncols, n - ncols, sizeof *names, cmp_name);
	int r = 0;
	if (n) {
		const char **kept = mg_arena_alloc(&p->arena, n * sizeof *kept);
		if (!kept)
			r = mg_oom();
		for (size_t i = 0; r == 0 && i < n; i++)
			if (!(kept[i] = mg_arena_strdup(&p->arena, names[i])))
				r = mg_oom();
		if (r == 0) {
			op->declassified_names = kept;
			op->ndeclassified = n;
			op->declassified = bits;
			op->newly |= bits;
			op->risky = true;
		}
	}
	free(names);
	return r;
}

/* Judges the last op of p when it is a grant pushed after count_before. */
static int judge_last(const judge *j, mg_plan *p, size_t count_before, const mg_grant *before)
{
	if (!j || p->count == count_before)
		return 0;
	return judge_op(j, p, &p->ops[p->count - 1], before);
}

/*
 * Two "all columns except" grants of one key with the same perms: the
 * names b newly excludes are revoked by name (an all-except grant that
 * loses named columns excludes them too: mg_grant_set_apply), and when b
 * excludes fewer names than a, b is granted (grants add: the held
 * exclusions shrink to b's).  Narrowing an all-except grant is then one
 * column revoke instead of a revoke of the whole grant and a re-grant,
 * and it never widens access on the way.  Not for iam: a raw S3 read has
 * no columns to revoke.
 */
static int diff_except(mg_plan *revokes, mg_plan *grants, const mg_grant *a, const mg_grant *b, bool borrow,
		       const judge *j)
{
	size_t nb = b->ncolumns, added = 0, dropped = 0;
	unsigned char *kb = calloc(nb + 1, 1);
	int r = 0;
	if (!kb)
		return mg_oom();
	for (size_t i = 0; i < nb; i++)
		if (!has_column(a, b->columns[i])) {
			kb[i] = 1;
			added++;
		}
	for (size_t i = 0; i < a->ncolumns; i++)
		dropped += !has_column(b, a->columns[i]);
	if (added) {
		mg_grant named = *b;
		named.except = false;
		r = push(revokes, MG_OP_REVOKE, &named, kb, 0, borrow);
	}
	free(kb);
	if (r == 0 && (dropped || !added)) {
		size_t before = grants->count;
		if ((r = push(grants, MG_OP_GRANT, b, NULL, newly_exposed(a, b), borrow)) == 0)
			r = judge_last(j, grants, before, a);
	}
	return r;
}

static int diff_one(mg_plan *revokes, mg_plan *grants, const mg_grant *a, const mg_grant *b, bool borrow,
		    const judge *j)
{
	int r = 0;
	if (mg_grant_equal(a, b))
		return 0;
	if (!a->except && !b->except && a->perms == b->perms && a->table) {
		size_t na = a->ncolumns, nb = b->ncolumns;
		unsigned char *ka = calloc(na + 1, 1), *kb = calloc(nb + 1, 1);
		size_t gone = 0, added = 0;
		unsigned newly = 0;
		if (!ka || !kb) {
			free(ka);
			free(kb);
			return mg_oom();
		}
		for (size_t i = 0; i < na; i++)
			if (!has_column(b, a->columns[i])) {
				ka[i] = 1;
				gone++;
			}
		for (size_t i = 0; i < nb; i++)
			if (!has_column(a, b->columns[i])) {
				kb[i] = 1;
				added++;
				newly |= b->column_exposure[i];
			}
		if ((b->exposure & MG_EXPOSE_CONFIDENTIAL) && !(a->exposure & MG_EXPOSE_CONFIDENTIAL))
			newly |= MG_EXPOSE_CONFIDENTIAL;
		if (gone)
			r = push(revokes, MG_OP_REVOKE, a, ka, 0, borrow);
		if (r == 0 && added) {
			size_t before = grants->count;
			if ((r = push(grants, MG_OP_GRANT, b, kb, newly, borrow)) == 0)
				r = judge_last(j, grants, before, a);
		}
		free(ka);
		free(kb);
		return r;
	}
	if (a->except && b->except && a->perms == b->perms && a->table && a->channel != MG_CHANNEL_IAM)
		return diff_except(revokes, grants, a, b, borrow, j);
	if ((r = push(revokes, MG_OP_REVOKE, a, NULL, 0, borrow)) < 0)
		return r;
	size_t before = grants->count;
	if ((r = push(grants, MG_OP_GRANT, b, NULL, newly_exposed(a, b), borrow)) < 0)
		return r;
	return judge_last(j, grants, before, a);
}

static int diff(const mg_grant_set *from, const mg_grant_set *to, mg_plan *out, bool borrow, const judge *jd)
{
	mg_plan grants;
	size_t i = 0, j = 0;
	int r = 0;
	mg_plan_init(&grants);
	while (r == 0 && (i < from->count || j < to->count)) {
		int c = i >= from->count ? 1 : j >= to->count ? -1
							      : mg_grant_key_cmp(&from->items[i], &to->items[j]);
		if (c < 0)
			r = push(out, MG_OP_REVOKE, &from->items[i++], NULL, 0, borrow);
		else if (c > 0) {
			const mg_grant *b = &to->items[j++];
			size_t before = grants.count;
			if ((r = push(&grants, MG_OP_GRANT, b, NULL, b->exposure, borrow)) == 0)
				r = judge_last(jd, &grants, before, NULL);
		} else
			r = diff_one(out, &grants, &from->items[i++], &to->items[j++], borrow, jd);
	}
	/* revokes (already in out) first, then the grants, so access narrows before it widens */
	if (r == 0 && borrow && grants.count && out->count == 0) {
		/* no revokes (a first run): the grants are the plan */
		mg_op *ops = out->ops;
		size_t cap = out->cap;
		out->ops = grants.ops;
		out->count = grants.count;
		out->cap = grants.cap;
		grants.ops = ops;
		grants.count = 0;
		grants.cap = cap;
		mg_arena_adopt(&out->arena, &grants.arena);
	} else if (r == 0 && borrow && grants.count) {
		/* the grants move as they are (their keys are computed), with their column lists */
		if (out->cap - out->count < grants.count) {
			mg_op *ops = realloc(out->ops, (out->count + grants.count) * sizeof *ops);
			if (!ops)
				r = mg_oom();
			else {
				out->ops = ops;
				out->cap = out->count + grants.count;
			}
		}
		if (r == 0) {
			memcpy(out->ops + out->count, grants.ops, grants.count * sizeof *grants.ops);
			out->count += grants.count;
			mg_arena_adopt(&out->arena, &grants.arena);
		}
	}
	for (size_t k = 0; r == 0 && !borrow && k < grants.count; k++) {
		const mg_op *op = &grants.ops[k];
		if ((r = push(out, op->kind, &op->grant, NULL, op->newly, false)) < 0)
			break;
	}
	mg_plan_release(&grants);
	return r;
}

int mg_plan_diff(const mg_grant_set *from, const mg_grant_set *to, mg_plan *out)
{
	return diff(from, to, out, false, NULL);
}

int mg_plan_diff_move(mg_grant_set *from, mg_grant_set *to, const mg_catalogue *base, mg_plan *out)
{
	judge j;
	int r = judge_init(&j, base);
	if (r == 0)
		r = diff(from, to, out, true, base ? &j : NULL);
	free(j.by_name);
	/* the ops point into both sets' arenas: the plan keeps them */
	mg_arena_adopt(&out->arena, &from->arena);
	mg_arena_adopt(&out->arena, &to->arena);
	mg_grant_set_release(from);
	mg_grant_set_release(to);
	return r;
}

/* ---- applying ---- */

static int cmp_key(const void *a, const void *b)
{
	return mg_grant_key_cmp(a, b);
}

static mg_grant *find_mut(mg_grant_set *s, size_t sorted, const mg_grant *key)
{
	mg_grant *g = sorted ? mg_find(key, s->items, sorted, sizeof *s->items, cmp_key) : NULL;
	if (g)
		return g;
	for (size_t i = sorted; i < s->count; i++)
		if (mg_grant_key_cmp(&s->items[i], key) == 0)
			return &s->items[i];
	return NULL;
}

/* Replaces g's columns by those of `keep` from g and `extra` (all of it). */
static int rebuild(mg_grant_set *s, mg_grant *g, const unsigned char *keep, const mg_grant *extra)
{
	size_t n = 0, cap = g->ncolumns + (extra ? extra->ncolumns : 0) + 1;
	const char **names = malloc(cap * sizeof *names);
	unsigned *exp = malloc(cap * sizeof *exp);
	int r = 0;
	if (!names || !exp) {
		free(names);
		free(exp);
		return mg_oom();
	}
	for (size_t i = 0; i < g->ncolumns; i++)
		if (!keep || keep[i]) {
			names[n] = g->columns[i];
			exp[n++] = g->column_exposure[i];
		}
	for (size_t i = 0; extra && i < extra->ncolumns; i++) {
		names[n] = extra->columns[i];
		exp[n++] = extra->column_exposure ? extra->column_exposure[i] : 0;
	}
	mg_grant tmp = *g;
	tmp.columns = names;
	tmp.column_exposure = exp;
	tmp.ncolumns = n;
	r = mg_access__copy_grant(s, g, &tmp);
	free(names);
	free(exp);
	return r;
}

int mg_grant_set_apply(mg_grant_set *s, const mg_op *ops, size_t n)
{
	size_t sorted = s->count;
	int r;
	for (size_t k = 0; k < n; k++) {
		const mg_op *op = &ops[k];
		const mg_grant *o = &op->grant;
		mg_grant *g = find_mut(s, sorted, o);
		if (op->kind == MG_OP_REVOKE) {
			if (!g || g->perms == 0)
				continue; /* revoking what is absent succeeds */
			if (!o->table || o->except || g->except) {
				if (!o->table || o->except) {
					g->perms = 0; /* whole grant revoked */
					continue;
				}
				/* columns revoked from an all-except grant join its exclusions */
				if ((r = rebuild(s, g, NULL, o)) < 0)
					return r;
				continue;
			}
			unsigned char *keep = malloc(g->ncolumns + 1);
			size_t left = 0;
			if (!keep)
				return mg_oom();
			for (size_t i = 0; i < g->ncolumns; i++) {
				keep[i] = !has_column(o, g->columns[i]);
				left += keep[i];
			}
			r = left ? rebuild(s, g, keep, NULL) : 0;
			if (!left)
				g->perms = 0;
			free(keep);
			if (r < 0)
				return r;
			continue;
		}
		if (!g || g->perms == 0) {
			if (g) {
				if ((r = mg_access__copy_grant(s, g, o)) < 0)
					return r;
				continue;
			}
			if ((r = mg_grant_set_add(s, o)) < 0)
				return r;
			continue;
		}
		if (o->except || g->except) {
			mg_grant merged = *g;
			if ((r = mg_access__merge(s, &merged, o)) < 0)
				return r;
			*g = merged;
			continue;
		}
		/* the union of g's columns and o's */
		if ((r = rebuild(s, g, NULL, o)) < 0)
			return r;
		g->perms |= o->perms;
		g->exposure |= o->exposure;
	}
	/* drop revoked grants and restore order */
	size_t k = 0;
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].perms)
			s->items[k++] = s->items[i];
	s->count = k;
	return mg_grant_set_finish(s);
}
