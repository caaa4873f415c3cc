/*
 * cmd_check.c - `meshgate check --base A --head B`: the pull-request check.
 * Validates B from git, adds the change rules A->B, reports the findings in
 * the products that changed (plus global ones involving them; --all for
 * everything), shows the access plan in Markdown, and can post a commit
 * status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "cli/outputs.h"
#include "meshgate/changes.h"
#include "meshgate/check.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"
#include "meshgate/source.h"
#include "meshgate/status.h"
#include "meshgate/validate.h"

/* The policy the change is judged by: the base's meshgate.yaml (the protected branch's). */
static int load_policy(const char *repo, const char *rev, mg_config *cfg)
{
	mg_source *src = NULL;
	int r = mg_source_git_rev_new(&src, repo, rev);
	if (r == 0)
		r = mg_load_config(src, cfg, NULL);
	mg_source_free(src);
	return r;
}

/*
 * The head, judged by the base's policy; suppressions wait for the change
 * rules.  With `cached`, the products the change did not touch come from the
 * facts cache (.git/meshgate/facts-v1, which a check of the base, an earlier
 * check or the pre-commit hook left) and only the changed ones are read,
 * in full: the change rules and the plan read every field of those.
 */
static int load(const char *repo, const char *rev, const char *today, const mg_config *policy,
		const mg_changes *changes, bool cached, mg_config *cfg, mg_catalogue *cat, mg_findings *f)
{
	mg_validate_opts vo = { .today = today, .fresh = (const char *const *)changes->folders, .nfresh = changes->count };
	mg_source *src = NULL;
	int r = mg_source_git_rev_new(&src, repo, rev);
	if (r == 0)
		r = mg_validate_judged(src, &vo, policy, cached && !changes->all, cfg, cat, f);
	mg_source_free(src);
	return r;
}

/* The catalogue root as the validator spells it: no trailing '/', "" for the top. */
static const char *catalogue_root(mg_buf *out, const char *root)
{
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '.')
		n = 0;
	mg_buf_clear(out);
	if (mg_buf_add(out, root, n) < 0) {
		(void)mg_oom();
		return NULL;
	}
	return out->ptr;
}

/*
 * The base only feeds the change rules, which compare changed products:
 * load just those folders (all of them when everything changed), without
 * the catalogue rules.  cfg is the base's, loaded already.
 */
static int load_base(const char *repo, const char *rev, const mg_changes *changes, const char *root,
		     mg_config *cfg, mg_catalogue *cat)
{
	mg_findings scratch;
	mg_source *src = NULL;
	int r;
	mg_findings_init(&scratch);
	if (changes->all) {
		mg_validate_opts vo = { .today = NULL, .catalogue = NULL };
		mg_config own;
		mg_config_init(&own);
		r = mg_validate_commit(repo, rev, &vo, &own, cat, &scratch);
		mg_config_release(&own);
	} else if ((r = mg_source_git_rev_new(&src, repo, rev)) == 0) {
		cat->root = mg_arena_strdup(&cat->arena, root);
		r = !cat->root ? MG_ENOMEM
			       : mg_load_products(src, cfg, (const char *const *)changes->folders, changes->count, cat, NULL);
	}
	mg_source_free(src);
	mg_findings_release(&scratch);
	return r;
}

static int post_status(const char *provider, const char *head_sha, size_t errors, size_t warnings)
{
	mg_status_req req = MG_STATUS_REQ_INIT;
	mg_buf scratch = MG_BUF_INIT;
	char desc[160];
	int r;
	if ((r = mg_status_provider_parse(&req.provider, provider)) < 0) {
		mg_error_set("--post-status wants github or gitlab, not '%s'", provider);
		return MG_EUSAGE;
	}
	req.sha = head_sha;
	req.state = errors ? MG_STATUS_FAILURE : MG_STATUS_SUCCESS;
	req.context = "meshgate";
	snprintf(desc, sizeof desc, "%zu error%s, %zu warning%s", errors, errors == 1 ? "" : "s", warnings,
		 warnings == 1 ? "" : "s");
	req.description = desc;
	if ((r = mg_status_req_from_env(&req, &scratch, NULL, NULL)) == 0)
		r = mg_status_post(&req);
	mg_buf_release(&scratch);
	return r;
}

int cmd_check(int argc, char **argv, cli_ctx *cx)
{
	enum { O_BASE, O_HEAD, O_ALL, O_FORMAT, O_OUTPUT, O_STATUS, O_NOCACHE };
	cli_opt opts[] = {
		CLI_OPT("base", 0, "COMMIT", "the target branch's commit, e.g. origin/main (required)"),
		CLI_OPT("head", 0, "COMMIT", "the pull request's commit (default: HEAD)"),
		CLI_OPT("all", 0, NULL, "report every finding of the head, not only those the change touches"),
		CLI_OPT("format", 'f', "FORMAT", "text, json, sarif, github, gitlab, junit or markdown (repeatable)"),
		CLI_OPT("output", 'o', "FILE", "write the report of the preceding --format to FILE (repeatable)"),
		CLI_OPT("post-status", 0, "PROVIDER", "post the result as a commit status: github or gitlab"),
		CLI_OPT("no-cache", 0, NULL, "read every product of the head (no .git/meshgate/facts-v1)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos)
		return cli_usage_error(cx->cmd, "unexpected argument '%s'", argv[0]);
	if (!opts[O_BASE].value)
		return cli_usage_error(cx->cmd, "--base is required (the commit the pull request merges into)");
	cli_outputs outs;
	if (cli_outputs_collect(&outs, &opts[O_FORMAT], &opts[O_OUTPUT], cx) < 0)
		return CLI_EXIT_USAGE;
	if (opts[O_STATUS].value && strcmp(opts[O_STATUS].value, "github") != 0 &&
	    strcmp(opts[O_STATUS].value, "gitlab") != 0)
		return cli_usage_error(cx->cmd, "--post-status wants github or gitlab");
	const char *today = cx->today;

	const char *repo = cx->repo;
	const char *head = opts[O_HEAD].value ? opts[O_HEAD].value : "HEAD";
	const char *base = opts[O_BASE].value;
	mg_config hcfg, bcfg;
	mg_catalogue hcat, bcat;
	mg_findings f;
	mg_changes changes;
	mg_plan_result pr;
	mg_buf plan_md = MG_BUF_INIT, root = MG_BUF_INIT;
	char head_sha[41], base_sha[41];
	int status = CLI_EXIT_FAILURE;
	mg_config_init(&hcfg);
	mg_config_init(&bcfg);
	mg_catalogue_init(&hcat);
	mg_catalogue_init(&bcat);
	mg_findings_init(&f);
	mg_changes_init(&changes);
	mg_plan_result_init(&pr);
	if (mg_git_resolve_commit(head_sha, repo, head) < 0 || mg_git_resolve_commit(base_sha, repo, base) < 0 ||
	    load_policy(repo, base_sha, &bcfg) < 0) {
		status = cli_fail();
		goto done;
	}
	/* the changes first (under the base's root: a moved root changes meshgate.yaml, so all), then the head */
	if (!catalogue_root(&root, bcfg.catalogue)) {
		status = cli_fail();
		goto done;
	}
	if (mg_changes_between(&changes, repo, base_sha, head_sha, root.ptr) < 0 ||
	    load(repo, head_sha, today, &bcfg, &changes, !opts[O_NOCACHE].seen, &hcfg, &hcat, &f) < 0 ||
	    load_base(repo, base_sha, &changes, root.ptr, &bcfg, &bcat) < 0) {
		status = cli_fail();
		goto done;
	}
	if (strcmp(bcat.root, hcat.root) != 0)
		changes.all = true;
	/* the change rules and the review of meshgate.yaml, then the base's suppressions over all of it */
	size_t moved = 0;
	if (mg_change_rules(&bcat, &hcat, &changes, &f, &moved) < 0 || mg_config_changes(&bcfg, &hcfg, &f) < 0 ||
	    mg_suppressions_apply(&bcfg, &hcfg, &f) < 0) {
		status = cli_fail();
		goto done;
	}
	if (!opts[O_ALL].seen && mg_findings_keep_changed(&f, &hcat, &changes) < 0) {
		status = cli_fail();
		goto done;
	}
	mg_findings_sort(&f);
	/* the access plan the merge would cause, for the Markdown comment: from the head already
	   loaded and the changes already computed, so nothing is read or diffed twice */
	mg_plan_request req = { .repo = repo, .from_rev = base_sha, .from_date = today, .to_rev = head_sha,
			.to_date = today, .only_changed = true, .target = &hcat, .changes = &changes,
			.base = &bcat };
	if (mg_plan_between(&req, &pr) < 0 ||
	    mg_plan_write(&pr.plan, NULL, MG_PLAN_MARKDOWN, base_sha, head_sha, &plan_md) < 0) {
		status = cli_fail();
		goto done;
	}
	mg_report_ctx rc = { "check", hcat.nproducts, hcat.nfiles, 0, plan_md.ptr };
	if (cli_outputs_write(&outs, &f, rc) < 0) {
		status = cli_fail();
		goto done;
	}
	size_t errors = mg_findings_count_at(&f, MG_SEV_ERROR), warnings = mg_findings_count_at(&f, MG_SEV_WARNING);
	/* a moved product changed two folders (its old and its new one) but is one product */
	size_t scope = changes.all || opts[O_ALL].seen ? hcat.nproducts : changes.count - moved;
	char what[96];
	snprintf(what, sizeof what, "%s%zu %sproduct%s (%.12s..%.12s)", changes.all || opts[O_ALL].seen ? "all " : "the ",
		 scope, changes.all || opts[O_ALL].seen ? "" : "changed ", scope == 1 ? "" : "s", base_sha, head_sha);
	cli_summary(cx, &f, what);
	status = errors ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
	if (opts[O_STATUS].value && post_status(opts[O_STATUS].value, head_sha, errors, warnings) < 0)
		status = cli_fail();
done:
	mg_buf_release(&root);
	mg_buf_release(&plan_md);
	mg_plan_result_release(&pr);
	mg_changes_release(&changes);
	mg_findings_release(&f);
	mg_catalogue_release(&bcat);
	mg_catalogue_release(&hcat);
	mg_config_release(&bcfg);
	mg_config_release(&hcfg);
	return status;
}
