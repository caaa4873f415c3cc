/*
 * planner.h - from two commits to a plan: loads both catalogues from git
 * (validating the target), limits the work to the products git says
 * changed (all of them when meshgate.yaml changed or on a first run, plus
 * those whose clearances expired between the two dates), and diffs their
 * desired grants.
 */
#ifndef MESHGATE_PLANNER_H
#define MESHGATE_PLANNER_H

#include <stdbool.h>

#include "meshgate/access.h"
#include "meshgate/changes.h"
#include "meshgate/buf.h"
#include "meshgate/config.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"

typedef struct mg_plan_request {
	const char *repo;        /* any path inside the repository */
	const char *from_rev;    /* NULL or "": no base (a first run: the whole desired state) */
	const char *from_date;   /* the day the base was applied (clearances judged then) */
	const char *to_rev;
	const char *to_date;
	const char *environment; /* NULL: every environment */
	/* The day the target is validated as of (NULL: to_date).  The applier
	 * passes the target's commit day, so a clearance that expired after the
	 * merge is revoked by the plan instead of blocking the apply. */
	const char *validate_date;
	/* Load only the changed product folders of both commits (no catalogue
	 * rules; to_findings then holds only their parse/schema findings).
	 * Ignored when everything changed or the two days differ. */
	bool only_changed;
	/* Optional: the target already loaded and validated (judged on
	 * to_date), every product the plan considers in full: the changed
	 * folders, and when the days differ every product with a clearance
	 * (`check`, whose days are one, fills only the changed ones, the rest
	 * from the facts cache).  The planner then reads only the base's
	 * changed folders and those whose clearances changed validity, and
	 * leaves to_cfg/to_cat/to_findings of the result empty. */
	const mg_catalogue *target;
	/* Optional, with target: the product folders that differ between the
	 * two commits, already computed by the caller (`check`); the planner then
	 * does not diff the trees again. */
	const mg_changes *changes;
	/* Optional, with changes: the base's changed folders, already loaded
	 * (`check` reads them for its change rules) with the base's
	 * meshgate.yaml, so the planner does not read them again.  Used when
	 * the two days are one (no clearance changes validity between them). */
	const mg_catalogue *base;
} mg_plan_request;

/* What the planner loaded, for callers that report more than the plan. */
typedef struct mg_plan_result {
	mg_plan plan;
	mg_config to_cfg;
	mg_catalogue to_cat;
	mg_findings to_findings; /* validation of the target */
	/* meshgate.yaml's changes from the base to the target, said as a merged
	   change (mg_config_changes_merged): the configuration the plan is
	   applied with.  Left empty with a target (`check` reports them itself). */
	mg_findings config_changes;
	size_t products_considered;
	bool all_products;       /* every product was compared */
} mg_plan_result;

void mg_plan_result_init(mg_plan_result *r);
void mg_plan_result_release(mg_plan_result *r);

int mg_plan_between(const mg_plan_request *req, mg_plan_result *out);

/*
 * The desired grants of commit `rev` in environment env (NULL: every one),
 * clearances judged on `today`: what a backend should hold once rev is
 * applied.  What drift compares a backend with.  rev's findings are not
 * judged again (it was validated when applied; an expired clearance simply
 * grants nothing).  out is initialised by the caller.
 */
int mg_desired_at(const char *repo, const char *rev, const char *env, const char *today, mg_grant_set *out);

/* Environments present in a catalogue, sorted and unique (borrowed strings, array is the caller's). */
int mg_catalogue_environments(const mg_catalogue *cat, const char ***out, size_t *n);

/* ---- writing plans for people and machines ---- */

typedef enum mg_plan_format { MG_PLAN_TEXT, MG_PLAN_JSON, MG_PLAN_MARKDOWN } mg_plan_format;

int mg_plan_format_parse(mg_plan_format *out, const char *name);
/*
 * Appends the plan in data-product terms: "consumer 210987654321 loses
 * SELECT on sales_trends.email".  from/to label the commits (may be NULL).
 * config (may be NULL) holds the changes of meshgate.yaml the plan is
 * applied with (mg_plan_result.config_changes), listed before the
 * operations.  The JSON form is documented in docs/plan.md.
 */
int mg_plan_write(const mg_plan *plan, const mg_findings *config, mg_plan_format fmt, const char *from,
		  const char *to, mg_buf *out);

#endif
