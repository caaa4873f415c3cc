/*
 * validate.h - the validator pipeline: source -> documents -> schema ->
 * model -> rules -> suppressions -> sorted findings.
 */
#ifndef MESHGATE_VALIDATE_H
#define MESHGATE_VALIDATE_H

#include "meshgate/config.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"
#include "meshgate/source.h"

typedef struct mg_validate_opts {
	const char *today; /* "YYYY-MM-DD" for clearance expiry; NULL: today (UTC) */
	const char *catalogue; /* overrides the config's catalogue root; NULL: config/default */
	/*
	 * With the facts cache: product folders ("<root>/<env>/<product>",
	 * sorted, strcmp) read in full even when the cache has their stamp, so
	 * the caller gets every field of them (check: the changed products,
	 * which the change rules and the plan read).  Borrowed; may be NULL.
	 */
	const char *const *fresh;
	size_t nfresh;
} mg_validate_opts;

/*
 * Loads meshgate.yaml (if the source has one at its root) into cfg, then
 * discovers, parses and checks the catalogue, filling cat and findings
 * (sorted, suppressions applied).  cfg and cat are initialised by the
 * caller and released by the caller, also on error.  Returns 0 or a
 * negative error for runtime failures (a missing catalogue root is
 * MG_ENOTFOUND with a message).
 */
int mg_validate(mg_source *src, const mg_validate_opts *opts, mg_config *cfg, mg_catalogue *cat,
		mg_findings *findings);

/*
 * mg_validate with the facts cache: the facts and own findings of each
 * product are kept in the source's cache folder (when it has one and can
 * stamp paths, see mg_source; else this is mg_validate) and only the
 * products whose files changed are read again.  The findings are the same
 * as mg_validate's, but products taken from the cache are summaries: only
 * what the global rules read (environment, folder, files, name and its
 * position, tables' names and locations, inputs) is filled in.
 */
int mg_validate_cached(mg_source *src, const mg_validate_opts *opts, mg_config *cfg, mg_catalogue *cat,
		       mg_findings *findings);

/*
 * mg_validate (mg_validate_cached when `cached`) as the hook and the
 * pull-request check judge a change: by the policy of the protected
 * branch, not by the change's own.  The source's meshgate.yaml is still
 * loaded into cfg (its catalogue root, its own `config`, `parse` and
 * `schema` findings), but rule severities, PII patterns and limits come
 * from `policy` (borrowed), and no suppression is applied: the caller adds
 * its own findings (change rules, mg_config_changes) and then calls
 * mg_suppressions_apply(policy, cfg, ...) and mg_findings_sort.
 */
int mg_validate_judged(mg_source *src, const mg_validate_opts *opts, const mg_config *policy, bool cached,
		       mg_config *cfg, mg_catalogue *cat, mg_findings *findings);

/*
 * Drops the findings a suppression of `policy` matches (counting its hits)
 * and adds an `unused-suppression` warning for each suppression that
 * matched none.  With `shown` (the configuration whose file is reviewed,
 * may be NULL: policy's own), the warning points at the same suppression
 * in `shown`, and is left out when `shown` no longer has it.  0 or
 * MG_ENOMEM.  mg_validate does this itself.
 */
int mg_suppressions_apply(mg_config *policy, const mg_config *shown, mg_findings *f);

/* mg_validate over the tree of a commit-ish of the repository around repo_path (no checkout). */
int mg_validate_commit(const char *repo_path, const char *rev, const mg_validate_opts *opts, mg_config *cfg,
		       mg_catalogue *cat, mg_findings *findings);

/*
 * The parts of the pipeline the planner uses to load only what changed:
 * meshgate.yaml into cfg, and the given product folders
 * ("<root>/<env>/<product>", repository-relative) into cat, parsed and
 * schema-checked (findings to `findings`; NULL skips the schema, for callers
 * that only need the model) but without the catalogue rules.  Folders
 * missing from the source are skipped.
 */
int mg_load_config(mg_source *src, mg_config *cfg, mg_findings *findings);
int mg_load_products(mg_source *src, mg_config *cfg, const char *const *folders, size_t n, mg_catalogue *cat,
		     mg_findings *findings);

#endif
