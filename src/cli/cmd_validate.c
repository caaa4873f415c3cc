/*
 * cmd_validate.c - `meshgate validate`: check a catalogue in the work tree,
 * the index (--staged) or a commit (--rev).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outputs.h"
#include "cli/scope.h"
#include "meshgate/changes.h"
#include "meshgate/error.h"
#include "meshgate/report.h"
#include "meshgate/validate.h"

/*
 * The policy a staged change is judged by: HEAD's meshgate.yaml, the
 * branch's policy before this commit.  *found is false before the first
 * commit, when the staged configuration is all there is.
 */
static int load_head_policy(mg_config *cfg, bool *found, const char *dir)
{
	char sha[41];
	mg_source *src = NULL;
	int r = mg_git_resolve_commit(sha, dir, "HEAD");
	*found = false;
	if (r == MG_ENOTFOUND) {
		mg_error_clear();
		return 0;
	}
	if (r == 0 && (r = mg_source_git_rev_new(&src, dir, sha)) == 0 && (r = mg_load_config(src, cfg, NULL)) == 0)
		*found = true;
	mg_source_free(src);
	return r;
}

/* The source the options name: the work tree at DIR, or the index or a commit of the repository around DIR. */
static int open_source(mg_source **out, const char *dir, bool staged, const char *rev)
{
	if (staged) {
		/* inside a hook, git names the index it is about to commit (`git commit -a` or with paths) */
		const char *index_file = getenv("GIT_INDEX_FILE");
		return mg_source_git_index_new(out, dir, index_file && *index_file ? index_file : NULL);
	}
	if (rev)
		return mg_source_git_rev_new(out, dir, rev);
	return mg_source_dir_new(out, dir ? dir : ".");
}

int cmd_validate(int argc, char **argv, cli_ctx *cx)
{
	enum { O_FORMAT, O_OUTPUT, O_STAGED, O_REV, O_NO_CACHE };
	cli_opt opts[] = {
		CLI_OPT("format", 'f', "FORMAT", "text (default), json, sarif, github, gitlab, junit or markdown"),
		CLI_OPT("output", 'o', "FILE", "write the report of the preceding --format to FILE (repeatable)"),
		CLI_OPT("staged", 0, NULL, "check what is staged in the git index, not the work tree"),
		CLI_OPT("rev", 0, "COMMIT-ISH", "check the tree of a commit, tag or tree, e.g. HEAD~1"),
		CLI_OPT("no-cache", 0, NULL, "with --staged, re-read every product (no .git/meshgate/facts-v1)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos > 1)
		return cli_usage_error(cx->cmd, "too many arguments");
	cli_outputs outs;
	if (cli_outputs_collect(&outs, &opts[O_FORMAT], &opts[O_OUTPUT], cx) < 0)
		return CLI_EXIT_USAGE;
	bool from_git = opts[O_STAGED].seen || opts[O_REV].seen;
	if (opts[O_STAGED].seen && opts[O_REV].seen)
		return cli_usage_error(cx->cmd, "--staged and --rev cannot be used together");
	const char *path = npos ? argv[0] : NULL;
	if (from_git && path) {
		/* a catalogue inside the repository: "./cat/" is "cat", so findings' paths read the same */
		if (path[0] == '/')
			return cli_usage_error(cx->cmd, "with --staged or --rev, PATH is relative to the top of the repository, not '%s'", path);
		while (path[0] == '.' && path[1] == '/')
			path += 2;
	}

	mg_source *src = NULL;
	mg_config cfg, head_cfg, scope_cfg;
	mg_catalogue cat;
	mg_findings findings;
	cli_scope scope = { 0 };
	mg_validate_opts vo = { .today = cx->today_given, .catalogue = path };
	bool cached = opts[O_STAGED].seen && !opts[O_NO_CACHE].seen, judged = false;
	int status = CLI_EXIT_FAILURE;
	mg_config_init(&cfg);
	mg_config_init(&head_cfg);
	mg_config_init(&scope_cfg);
	mg_catalogue_init(&cat);
	mg_findings_init(&findings);
	if (open_source(&src, cx->dir, opts[O_STAGED].seen, opts[O_REV].value) < 0 ||
	    (opts[O_STAGED].seen && load_head_policy(&head_cfg, &judged, cx->dir) < 0)) {
		status = cli_fail();
		goto done;
	}
	/* PATH: the catalogue root, or a part of the configured catalogue validated within it */
	if (path && (mg_load_config(src, &scope_cfg, NULL) < 0 ||
		     cli_scope_resolve(&scope, src, from_git ? NULL : cx->repo,
				       scope_cfg.catalogue, path) < 0)) {
		status = cli_fail();
		goto done;
	}
	if (path)
		vo.catalogue = scope.root;
	if (judged) {
		/* as the pull-request check will: by the branch's policy, with the staged meshgate.yaml reviewed */
		if (mg_validate_judged(src, &vo, &head_cfg, cached, &cfg, &cat, &findings) < 0 ||
		    mg_config_changes(&head_cfg, &cfg, &findings) < 0 ||
		    mg_suppressions_apply(&head_cfg, &cfg, &findings) < 0) {
			status = cli_fail();
			goto done;
		}
		mg_findings_sort(&findings);
	} else if ((r = (cached ? mg_validate_cached : mg_validate)(src, &vo, &cfg, &cat, &findings)) < 0) {
		if (r == MG_ENOTFOUND)
			cli_scope_not_found(src, vo.catalogue ? vo.catalogue : cfg.catalogue);
		status = cli_fail();
		goto done;
	}
	size_t nproducts = cat.nproducts, nfiles = cat.nfiles;
	if (path && cli_scope_narrow(&scope, &cat, &findings, &nproducts, &nfiles) < 0) {
		status = cli_fail();
		goto done;
	}
	mg_report_ctx rc = { "validate", nproducts, nfiles, 0, NULL };
	if (cli_outputs_write(&outs, &findings, rc) < 0) {
		status = cli_fail();
		goto done;
	}
	char what[96];
	snprintf(what, sizeof what, "%zu product%s (%zu file%s)", nproducts, nproducts == 1 ? "" : "s", nfiles,
		 nfiles == 1 ? "" : "s");
	cli_summary(cx, &findings, what);
	size_t errors = mg_findings_count_at(&findings, MG_SEV_ERROR);
	status = errors ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
done:
	mg_findings_release(&findings);
	mg_catalogue_release(&cat);
	mg_config_release(&cfg);
	mg_config_release(&head_cfg);
	mg_config_release(&scope_cfg);
	cli_scope_release(&scope);
	mg_source_free(src);
	return status;
}
