/*
 * change_rules.c - rules that need two commits (see meshgate/check.h).
 *
 * Both catalogues are sorted by folder, so products are paired by a merge
 * walk; only changed folders are compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/check.h"
#include "meshgate/error.h"

static int vis_rank(mg_visibility v)
{
	return (int)v; /* public < internal < confidential */
}

static const mg_column *find_col(const mg_table *t, const char *name)
{
	return t ? mg_table_column(t, name) : NULL;
}

static int compare_product(const mg_product *a, const mg_product *b, mg_findings *f)
{
	int r;
	if (a->name && b->name && strcmp(a->name, b->name) != 0 &&
	    (r = mg_findings_add(f, b->name_at.file, b->name_at.line, b->name_at.col, MG_RULE_PRODUCT_RENAMED,
				 "data-product-name changed from '%s' to '%s': every consumer's grants move to a "
				 "new product and their queries break; keep the name, or add a new product folder",
				 a->name, b->name)) < 0)
		return r;
	if (a->producer_account && b->producer_account && strcmp(a->producer_account, b->producer_account) != 0 &&
	    (r = mg_findings_add(f, b->producer_account_at.file, b->producer_account_at.line,
				 b->producer_account_at.col, MG_RULE_OWNER_ACCOUNT_CHANGED,
				 "producer-account-id changed from '%s' to '%s': moving a product to another "
				 "account is a migration; create it anew and retire this one",
				 a->producer_account, b->producer_account)) < 0)
		return r;
	for (size_t i = 0; i < a->ntables; i++) {
		const mg_table *ta = &a->tables[i];
		const mg_table *tb = mg_product_table(b, ta->name);
		if (!tb) {
			if (b->nconsumers) {
				const char *file = b->files[MG_FILE_OUTPUTS] ? b->files[MG_FILE_OUTPUTS] : a->files[MG_FILE_OUTPUTS];
				if ((r = mg_findings_add(f, file, b->files[MG_FILE_OUTPUTS] ? 1 : 0, b->files[MG_FILE_OUTPUTS] ? 1 : 0,
							 MG_RULE_BREAKING_REMOVAL,
							 "output table '%s' was removed while %zu consumer%s listed; "
							 "tell them and remove them from this product first",
							 ta->name, b->nconsumers, b->nconsumers == 1 ? " is" : "s are")) < 0)
					return r;
			}
			continue;
		}
		if (vis_rank(tb->visibility) < vis_rank(ta->visibility)) {
			mg_pos at = tb->vis_listed ? tb->vis_at : tb->at;
			if ((r = mg_findings_add(f, at.file, at.line, at.col, MG_RULE_DECLASSIFIED,
						 "table '%s' was lowered from %s to %s%s; this widens access on the "
						 "next apply, so make it a reviewed decision (suppress with a reason)",
						 ta->name, mg_visibility_name(ta->visibility),
						 mg_visibility_name(tb->visibility),
						 tb->vis_listed ? "" : " (no longer listed in visibility)")) < 0)
				return r;
		}
		for (size_t k = 0; k < ta->ncolumns; k++) {
			const mg_column *ca = &ta->columns[k];
			if (!ca->pii && !ca->pci)
				continue;
			const mg_column *cb = find_col(tb, ca->name);
			if (tb->columns_known && (!cb || !cb->declared)) {
				/* the classified column is gone from the table */
				if (b->nconsumers &&
				    (r = mg_findings_add(f, tb->at.file, tb->at.line, tb->at.col, MG_RULE_BREAKING_REMOVAL,
							 "classified column '%s.%s' was removed while consumers are listed; "
							 "tell them first", ta->name, ca->name)) < 0)
					return r;
				continue;
			}
			bool lost_pii = ca->pii && !(cb && cb->pii), lost_pci = ca->pci && !(cb && cb->pci);
			if (!lost_pii && !lost_pci)
				continue;
			mg_pos at = cb && cb->classified ? cb->class_at : cb ? cb->at : tb->at;
			if ((r = mg_findings_add(f, at.file, at.line, at.col, MG_RULE_DECLASSIFIED,
						 "column '%s.%s' lost its %s%s%s flag; every consumer without a "
						 "clearance would read it after the next apply — make this a reviewed "
						 "decision (suppress with a reason)",
						 ta->name, ca->name, lost_pii ? "pii" : "", lost_pii && lost_pci ? " and " : "",
						 lost_pci ? "pci" : "")) < 0)
				return r;
		}
	}
	return 0;
}

static bool changed(const mg_changes *c, const char *folder)
{
	if (c->all)
		return true;
	size_t lo = 0, hi = c->count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int k = strcmp(c->folders[mid], folder);
		if (k == 0)
			return true;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A product of head that no base folder pairs with: the one a deleted base product moved to, if any. */
static const mg_product *moved_to(const mg_product *a, const mg_catalogue *head, const unsigned char *paired_head,
				  const unsigned char *in_base)
{
	if (!a->name || !a->environment)
		return NULL;
	for (size_t j = 0; j < head->nproducts; j++) {
		const mg_product *b = &head->products[j];
		if (!in_base[j] && !paired_head[j] && b->name && b->environment &&
		    strcmp(a->environment, b->environment) == 0 && strcmp(a->name, b->name) == 0)
			return b;
	}
	return NULL;
}

int mg_change_rules(const mg_catalogue *base, const mg_catalogue *head, const mg_changes *changes,
		    mg_findings *f, size_t *moved)
{
	size_t i = 0, j = 0, nmoved = 0;
	int r = 0;
	/* head products whose folder the base has (in_base), and those a moved base product took (paired) */
	unsigned char *in_base = calloc(head->nproducts + 1, 1), *paired = calloc(head->nproducts + 1, 1);
	if (!in_base || !paired) {
		free(in_base);
		free(paired);
		return mg_oom();
	}
	while (i < base->nproducts && j < head->nproducts) {
		int c = strcmp(base->products[i].folder, head->products[j].folder);
		if (c == 0)
			in_base[j] = 1;
		i += c <= 0;
		j += c >= 0;
	}
	i = j = 0;
	while (r == 0 && (i < base->nproducts || j < head->nproducts)) {
		int c = i >= base->nproducts ? 1 : j >= head->nproducts ? -1
			: strcmp(base->products[i].folder, head->products[j].folder);
		if (c < 0) {
			const mg_product *a = &base->products[i++];
			if (!changed(changes, a->folder))
				continue;
			/* the same product (environment and data-product-name) in a new folder: a move */
			const mg_product *b = moved_to(a, head, paired, in_base);
			if (b) {
				paired[b - head->products] = 1;
				nmoved++;
				mg_pos at = b->name_at.file ? b->name_at : (mg_pos){ b->folder, 0, 0 };
				if ((r = mg_findings_add(f, at.file, at.line, at.col, MG_RULE_PRODUCT_MOVED,
							 "product '%s' moved from '%s' to '%s'; it keeps its "
							 "data-product-name, so its consumers keep their grants",
							 a->name, a->folder, b->folder)) == 0)
					r = compare_product(a, b, f);
				continue;
			}
			if (!a->nconsumers)
				continue;
			const char *file = a->files[MG_FILE_PRODUCT] ? a->files[MG_FILE_PRODUCT] : a->folder;
			r = mg_findings_add(f, file, 0, 0, MG_RULE_BREAKING_REMOVAL,
					    "data product '%s' was deleted while %zu consumer%s listed; "
					    "tell them and remove them first", a->name ? a->name : a->folder,
					    a->nconsumers, a->nconsumers == 1 ? " was" : "s were");
		} else if (c > 0) {
			j++; /* a new product (or the new folder of a moved one): nothing to compare */
		} else {
			const mg_product *a = &base->products[i++], *b = &head->products[j++];
			if (changed(changes, b->folder))
				r = compare_product(a, b, f);
		}
	}
	free(in_base);
	free(paired);
	if (moved)
		*moved = nmoved;
	return r;
}

/* ---- narrowing ---- */

static bool is_global(mg_rule r)
{
	return r == MG_RULE_DUPLICATE_PRODUCT || r == MG_RULE_OVERLAPPING_LOCATION ||
	       r == MG_RULE_LINEAGE_CYCLE || r == MG_RULE_UNKNOWN_INPUT;
}

/* First index of the sorted list at or after key (strncmp over n bytes of key). */
static size_t lower_bound(char *const *list, size_t n, const char *key, size_t keylen)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(list[mid], key, keylen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether path is one of the sorted list's entries or below one: each of its '/'-prefixes looked up. */
static bool below_any(const char *path, char *const *list, size_t n)
{
	for (size_t len = 0;; len++) {
		if (path[len] == '/' || path[len] == '\0') {
			size_t i = lower_bound(list, n, path, len);
			if (i < n && strlen(list[i]) == len && strncmp(list[i], path, len) == 0)
				return true;
		}
		if (path[len] == '\0')
			return false;
	}
}

/* Whether an entry of the sorted list is path or below it (the entries under "<path>/" are adjacent). */
static bool any_below(const char *path, char *const *list, size_t n)
{
	size_t len = strlen(path);
	size_t i = lower_bound(list, n, path, len);
	return i < n && strncmp(list[i], path, len) == 0 && (list[i][len] == '/' || list[i][len] == '\0');
}

/* The entries pass's rules: about a file or a folder of the catalogue itself. */
static bool is_entry(mg_rule r)
{
	return r == MG_RULE_MISNAMED_FILE || r == MG_RULE_UNEXPECTED_FILE || r == MG_RULE_EMPTY_ENVIRONMENT ||
	       r == MG_RULE_NESTED_PRODUCT || r == MG_RULE_NOT_A_FILE;
}

/* chg: the head's changed products (n of them), found once for all findings. */
static bool concerns_changed(const mg_finding *x, const mg_changes *c, const mg_product *const *chg, size_t n)
{
	bool entry = is_entry(x->rule);
	/* an entry finding also concerns what changed below it (an environment, a hidden folder) */
	if (below_any(x->path, c->folders, c->count) || (entry && any_below(x->path, c->folders, c->count)))
		return true;
	/* a file beside environments or products that the change added or edited */
	if (below_any(x->path, c->paths, c->npaths) || (entry && any_below(x->path, c->paths, c->npaths)))
		return true;
	if (!is_global(x->rule))
		return false;
	/* a global finding elsewhere that names a changed product (its file or its name) */
	for (size_t i = 0; i < n; i++) {
		const mg_product *p = chg[i];
		char quoted[600];
		if (strstr(x->message, p->folder))
			return true;
		if (p->name) {
			snprintf(quoted, sizeof quoted, "'%s'", p->name);
			if (strstr(x->message, quoted))
				return true;
		}
	}
	return false;
}

int mg_findings_keep_changed(mg_findings *f, const mg_catalogue *head, const mg_changes *changes)
{
	if (changes->all)
		return 0;
	const mg_product **chg = malloc((head->nproducts ? head->nproducts : 1) * sizeof *chg);
	size_t n = 0, k = 0;
	if (!chg)
		return mg_oom();
	for (size_t i = 0; i < head->nproducts; i++)
		if (changed(changes, head->products[i].folder))
			chg[n++] = &head->products[i];
	for (size_t i = 0; i < f->count; i++) {
		mg_finding *x = &f->items[i];
		bool keep = concerns_changed(x, changes, chg, n) ||
			    (changes->config_changed && strncmp(x->path, "meshgate.", 9) == 0);
		if (keep) {
			f->items[k++] = *x;
		} else {
			free(x->path);
			free(x->message);
		}
	}
	f->count = k;
	free(chg);
	return 0;
}
