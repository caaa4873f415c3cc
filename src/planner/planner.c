/* planner.c - two commits to a plan (see meshgate/planner.h). */
#include "meshgate/sort.h"
#include "meshgate/planner.h"

#include <stdlib.h>
#include <string.h>

#include "meshgate/changes.h"
#include "meshgate/error.h"
#include "meshgate/source.h"
#include "meshgate/validate.h"

void mg_plan_result_init(mg_plan_result *r)
{
	memset(r, 0, sizeof *r);
	mg_plan_init(&r->plan);
	mg_config_init(&r->to_cfg);
	mg_catalogue_init(&r->to_cat);
	mg_findings_init(&r->to_findings);
	mg_findings_init(&r->config_changes);
}

void mg_plan_result_release(mg_plan_result *r)
{
	mg_plan_release(&r->plan);
	mg_config_release(&r->to_cfg);
	mg_catalogue_release(&r->to_cat);
	mg_findings_release(&r->to_findings);
	mg_findings_release(&r->config_changes);
}

static int load_commit(const char *repo, const char *rev, const char *today, mg_config *cfg, mg_catalogue *cat,
		       mg_findings *f)
{
	mg_validate_opts vo = { .today = today, .catalogue = NULL };
	return mg_validate_commit(repo, rev, &vo, cfg, cat, f);
}

typedef struct {
	mg_changes *changes;
	const char *environment;
	/* folders whose clearances expire within the window */
	char **expiring;
	size_t nexpiring;
} filter_ctx;

static bool in_expiring(const filter_ctx *fc, const char *folder)
{
	for (size_t i = 0; i < fc->nexpiring; i++)
		if (strcmp(fc->expiring[i], folder) == 0)
			return true;
	return false;
}

static bool filter(const mg_product *p, void *ctx)
{
	filter_ctx *fc = ctx;
	if (fc->environment && strcmp(p->environment, fc->environment) != 0)
		return false;
	return mg_changes_has(fc->changes, p) || in_expiring(fc, p->folder);
}

/* Products with a clearance whose validity differs between the two days. */
static int note_expiring(filter_ctx *fc, const mg_catalogue *cat, const char *from_date, const char *to_date)
{
	if (!from_date || !to_date || strcmp(from_date, to_date) == 0)
		return 0;
	for (size_t i = 0; i < cat->nproducts; i++) {
		const mg_product *p = &cat->products[i];
		bool hit = false;
		for (size_t j = 0; j < p->nconsumers && !hit; j++)
			for (int k = 0; k < MG_CLEAR__COUNT && !hit; k++)
				hit = mg_clearance_valid(&p->consumers[j].access[k], from_date) !=
				      mg_clearance_valid(&p->consumers[j].access[k], to_date);
		if (!hit || in_expiring(fc, p->folder))
			continue;
		char **e = realloc(fc->expiring, (fc->nexpiring + 1) * sizeof *e);
		if (!e)
			return mg_oom();
		fc->expiring = e;
		if (!(e[fc->nexpiring] = strdup(p->folder)))
			return mg_oom();
		fc->nexpiring++;
	}
	return 0;
}

/* The fast path: config of the target, the tree diff, then only the changed folders of each side. */
static int plan_changed_only(const mg_plan_request *req, mg_plan_result *out, bool *done)
{
	mg_source *to_src = NULL, *from_src = NULL;
	mg_config from_cfg;
	mg_catalogue from_cat;
	mg_changes changes;
	mg_grant_set a, b;
	filter_ctx fc = { &changes, req->environment, NULL, 0 };
	int r;
	*done = false;
	mg_config_init(&from_cfg);
	mg_catalogue_init(&from_cat);
	mg_changes_init(&changes);
	mg_grant_set_init(&a);
	mg_grant_set_init(&b);
	if ((r = mg_source_git_rev_new(&to_src, req->repo, req->to_rev)) < 0 ||
	    (r = mg_source_git_rev_new(&from_src, req->repo, req->from_rev)) < 0 ||
	    (r = mg_load_config(to_src, &out->to_cfg, &out->to_findings)) < 0 ||
	    (r = mg_load_config(from_src, &from_cfg, NULL)) < 0)
		goto done;
	if (strcmp(from_cfg.catalogue, out->to_cfg.catalogue) != 0)
		goto done; /* the catalogue moved: compare everything the slow way */
	if ((r = mg_changes_between(&changes, req->repo, req->from_rev, req->to_rev, out->to_cfg.catalogue)) < 0)
		goto done;
	if (changes.all)
		goto done;
	const char *const *folders = (const char *const *)changes.folders;
	if ((r = mg_load_products(to_src, &out->to_cfg, folders, changes.count, &out->to_cat, &out->to_findings)) < 0 ||
	    (r = mg_load_products(from_src, &from_cfg, folders, changes.count, &from_cat, NULL)) < 0)
		goto done;
	for (size_t i = 0; i < out->to_cat.nproducts; i++)
		out->products_considered += filter(&out->to_cat.products[i], &fc);
	if ((r = mg_access_desired(&from_cat, req->from_date, filter, &fc, &a)) < 0 ||
	    (r = mg_access_desired(&out->to_cat, req->to_date, filter, &fc, &b)) < 0 ||
	    (r = mg_plan_diff_move(&a, &b, &from_cat, &out->plan)) < 0)
		goto done;
	mg_findings_sort(&out->to_findings);
	*done = true;
done:
	mg_grant_set_release(&a);
	mg_grant_set_release(&b);
	mg_changes_release(&changes);
	mg_catalogue_release(&from_cat);
	mg_config_release(&from_cfg);
	mg_source_free(to_src);
	mg_source_free(from_src);
	if (r == 0 && !*done) {
		/* start the slow path from a clean result */
		mg_plan_result_release(out);
		mg_plan_result_init(out);
	}
	return r;
}

/* With the target in hand: diff the trees, read only what the base must contribute. */
static int plan_with_target(const mg_plan_request *req, mg_plan_result *out)
{
	const mg_catalogue *to = req->target;
	mg_source *from_src = NULL;
	mg_config from_cfg;
	mg_catalogue from_cat;
	const mg_catalogue *base = &from_cat;
	mg_changes changes;
	mg_grant_set a, b;
	filter_ctx fc = { &changes, req->environment, NULL, 0 };
	bool has_base = req->from_rev && *req->from_rev;
	char **folders = NULL;
	int r;
	mg_config_init(&from_cfg);
	mg_catalogue_init(&from_cat);
	mg_changes_init(&changes);
	mg_grant_set_init(&a);
	mg_grant_set_init(&b);
	if (req->changes && has_base) {
		/* the caller's diff of the same two commits */
		changes.all = req->changes->all;
		changes.config_changed = req->changes->config_changed;
		if (req->changes->count && !(changes.folders = calloc(req->changes->count, sizeof *changes.folders))) {
			r = mg_oom();
			goto done;
		}
		for (size_t i = 0; i < req->changes->count; i++) {
			if (!(changes.folders[i] = strdup(req->changes->folders[i]))) {
				r = mg_oom();
				goto done;
			}
			changes.count++;
		}
	} else if ((r = mg_changes_between(&changes, req->repo, has_base ? req->from_rev : NULL, req->to_rev,
					   to->root)) < 0) {
		goto done;
	}
	if (has_base) {
		if ((r = mg_source_git_rev_new(&from_src, req->repo, req->from_rev)) < 0 ||
		    (r = mg_load_config(from_src, &from_cfg, NULL)) < 0)
			goto done;
		if (strcmp(from_cfg.catalogue, to->root) != 0)
			changes.all = true;
		if (changes.all) {
			mg_findings scratch;
			mg_validate_opts vo = { .today = req->from_date, .catalogue = NULL };
			mg_findings_init(&scratch);
			mg_config_release(&from_cfg);
			mg_config_init(&from_cfg);
			r = mg_validate(from_src, &vo, &from_cfg, &from_cat, &scratch);
			mg_findings_release(&scratch);
			if (r < 0)
				goto done;
		} else {
			/* the base's side of the changed folders, and of those whose clearances expired */
			if ((r = note_expiring(&fc, to, req->from_date, req->to_date)) < 0)
				goto done;
			size_t n = changes.count + fc.nexpiring;
			if (!(folders = malloc((n + 1) * sizeof *folders))) {
				r = mg_oom();
				goto done;
			}
			/* either list may be empty (and NULL): memcpy wants valid pointers even for 0 bytes */
			if (changes.count)
				memcpy(folders, changes.folders, changes.count * sizeof *folders);
			if (fc.nexpiring)
				memcpy(folders + changes.count, fc.expiring, fc.nexpiring * sizeof *folders);
			if (req->base && req->changes && !fc.nexpiring) {
				base = req->base; /* the caller read exactly these folders already */
			} else if (!(from_cat.root = mg_arena_strdup(&from_cat.arena, from_cfg.catalogue))) {
				r = mg_oom();
				goto done;
			} else if ((r = mg_load_products(from_src, &from_cfg, (const char *const *)folders, n, &from_cat,
							 NULL)) < 0) {
				goto done;
			}
			/* a folder the base lacks but whose clearance note came from the target is harmless */
		}
	}
	out->all_products = changes.all;
	if ((has_base && (r = mg_access_desired(base, req->from_date, filter, &fc, &a)) < 0) ||
	    (r = mg_access_desired(to, req->to_date, filter, &fc, &b)) < 0)
		goto done;
	for (size_t i = 0; i < to->nproducts; i++)
		out->products_considered += filter(&to->products[i], &fc);
	r = mg_plan_diff_move(&a, &b, has_base ? base : NULL, &out->plan);
done:
	free(folders);
	for (size_t i = 0; i < fc.nexpiring; i++)
		free(fc.expiring[i]);
	free(fc.expiring);
	mg_grant_set_release(&a);
	mg_grant_set_release(&b);
	mg_changes_release(&changes);
	mg_catalogue_release(&from_cat);
	mg_config_release(&from_cfg);
	mg_source_free(from_src);
	return r;
}

int mg_plan_between(const mg_plan_request *req, mg_plan_result *out)
{
	if (req->target)
		return plan_with_target(req, out);
	if (req->only_changed && req->from_rev && *req->from_rev &&
	    (!req->from_date || !req->to_date || strcmp(req->from_date, req->to_date) == 0)) {
		bool done;
		int e = plan_changed_only(req, out, &done);
		if (e < 0 || done)
			return e;
	}
	mg_config from_cfg;
	mg_catalogue from_cat;
	mg_findings from_findings;
	mg_changes changes;
	mg_grant_set a, b;
	filter_ctx fc = { &changes, req->environment, NULL, 0 };
	bool has_base = req->from_rev && *req->from_rev;
	int r;
	mg_config_init(&from_cfg);
	mg_catalogue_init(&from_cat);
	mg_findings_init(&from_findings);
	mg_changes_init(&changes);
	mg_grant_set_init(&a);
	mg_grant_set_init(&b);
	if ((r = load_commit(req->repo, req->to_rev, req->validate_date ? req->validate_date : req->to_date,
			     &out->to_cfg, &out->to_cat,
			     &out->to_findings)) < 0)
		goto done;
	if (has_base && (r = load_commit(req->repo, req->from_rev, req->from_date, &from_cfg, &from_cat,
					 &from_findings)) < 0)
		goto done;
	/* the configuration this plan is applied with, where it differs from the base's */
	if (has_base && (r = mg_config_changes_merged(&from_cfg, &out->to_cfg, &out->config_changes)) < 0)
		goto done;
	mg_findings_sort(&out->config_changes);
	if ((r = mg_changes_between(&changes, req->repo, has_base ? req->from_rev : NULL, req->to_rev,
				    out->to_cat.root)) < 0)
		goto done;
	/* a moved catalogue root changes every path: compare everything */
	if (has_base && strcmp(from_cat.root, out->to_cat.root) != 0)
		changes.all = true;
	out->all_products = changes.all;
	if ((r = note_expiring(&fc, &out->to_cat, req->from_date, req->to_date)) < 0 ||
	    (r = note_expiring(&fc, &from_cat, req->from_date, req->to_date)) < 0)
		goto done;
	for (size_t i = 0; i < out->to_cat.nproducts; i++)
		out->products_considered += filter(&out->to_cat.products[i], &fc);
	if ((has_base && (r = mg_access_desired(&from_cat, req->from_date, filter, &fc, &a)) < 0) ||
	    (r = mg_access_desired(&out->to_cat, req->to_date, filter, &fc, &b)) < 0)
		goto done;
	r = mg_plan_diff_move(&a, &b, has_base ? &from_cat : NULL, &out->plan);
done:
	for (size_t i = 0; i < fc.nexpiring; i++)
		free(fc.expiring[i]);
	free(fc.expiring);
	mg_grant_set_release(&a);
	mg_grant_set_release(&b);
	mg_changes_release(&changes);
	mg_findings_release(&from_findings);
	mg_catalogue_release(&from_cat);
	mg_config_release(&from_cfg);
	return r;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int mg_catalogue_environments(const mg_catalogue *cat, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!cat->nproducts)
		return 0;
	const char **v = malloc(cat->nproducts * sizeof *v);
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < cat->nproducts; i++)
		v[i] = cat->products[i].environment;
	mg_sort(v, cat->nproducts, sizeof *v, cmp_str);
	size_t k = 0;
	for (size_t i = 0; i < cat->nproducts; i++)
		if (!k || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*out = v;
	*n = k;
	return 0;
}

int mg_desired_at(const char *repo, const char *rev, const char *env, const char *today, mg_grant_set *out)
{
	/*
	 * rev was validated when it was applied; its findings are not judged
	 * again here: a clearance that expired since is an error today but
	 * simply grants nothing, which is exactly what a backend should hold.
	 */
	mg_plan_request req = { .repo = repo, .from_rev = NULL, .from_date = today, .to_rev = rev, .to_date = today,
				.environment = env };
	mg_plan_result pr;
	int r;
	mg_plan_result_init(&pr);
	/* a first-run plan applied to nothing is the desired state */
	if ((r = mg_plan_between(&req, &pr)) == 0)
		r = mg_grant_set_apply(out, pr.plan.ops, pr.plan.count);
	mg_plan_result_release(&pr);
	return r;
}
