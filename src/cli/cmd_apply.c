/*
 * cmd_apply.c - `meshgate apply`: the post-merge job on the protected
 * branch.  Applies the diff between each environment's last applied commit
 * and HEAD to the backend, exactly once (see meshgate/apply.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "meshgate/apply.h"
#include "meshgate/changes.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"
#include "meshgate/validate.h"


/* Refuses to run off the protected branch: from git, and from CI variables when set. */
static int check_branch(const char *repo, const char *protected_branch)
{
	char branch[256];
	int r;
	if ((r = mg_git_current_branch(branch, sizeof branch, repo)) < 0)
		return r;
	const char *gh_event = getenv("GITHUB_EVENT_NAME");
	const char *gh_ref = getenv("GITHUB_REF");
	const char *gl_branch = getenv("CI_COMMIT_BRANCH");
	if (gh_event && (strcmp(gh_event, "pull_request") == 0 || strcmp(gh_event, "pull_request_target") == 0)) {
		mg_error_set("refusing to apply from a pull request (GITHUB_EVENT_NAME=%s); apply runs after merge",
			     gh_event);
		return MG_EINVALID;
	}
	if (gh_ref && *gh_ref) {
		if (strncmp(gh_ref, "refs/heads/", 11) != 0 || strcmp(gh_ref + 11, protected_branch) != 0) {
			mg_error_set("refusing to apply: GITHUB_REF is '%s', not refs/heads/%s", gh_ref,
				     protected_branch);
			return MG_EINVALID;
		}
	}
	if (gl_branch && *gl_branch && strcmp(gl_branch, protected_branch) != 0) {
		mg_error_set("refusing to apply: CI_COMMIT_BRANCH is '%s', not '%s'", gl_branch, protected_branch);
		return MG_EINVALID;
	}
	if (getenv("CI_MERGE_REQUEST_IID") && *getenv("CI_MERGE_REQUEST_IID")) {
		mg_error_set("refusing to apply from a merge request pipeline; apply runs after merge");
		return MG_EINVALID;
	}
	/* CI checkouts are often detached at the branch tip: trust the CI variable then */
	if (!*branch && ((gh_ref && *gh_ref) || (gl_branch && *gl_branch)))
		return 0;
	if (strcmp(branch, protected_branch) != 0) {
		mg_error_set("refusing to apply: the current branch is '%s', not the protected branch '%s'",
			     *branch ? branch : "(detached HEAD)", protected_branch);
		return MG_EINVALID;
	}
	return 0;
}

int cmd_apply(int argc, char **argv, cli_ctx *cx)
{
	enum { O_ENV, O_TIMEOUT, O_AUDIT, O_BATCH };
	cli_opt opts[] = {
		CLI_OPT("env", 'e', "ENV", "only this environment (default: every one)"),
		CLI_OPT("lock-timeout", 0, "SECONDS", "wait this long for another apply to finish (default 60)"),
		CLI_OPT("audit", 0, "FILE", "append one JSON line per operation and backend warning to FILE ('-': standard output)"),
		CLI_OPT("batch-size", 0, "N", "operations per backend call and journal write (default 2000)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos)
		return cli_usage_error(cx->cmd, "unexpected argument '%s'", argv[0]);
	const char *today = cx->today;
	long timeout_s = 60, batch = 2000;
	char *end;
	if (opts[O_TIMEOUT].value) {
		timeout_s = strtol(opts[O_TIMEOUT].value, &end, 10);
		if (*end || timeout_s < 0 || timeout_s > 86400)
			return cli_usage_error(cx->cmd, "--lock-timeout wants seconds (0-86400)");
	}
	if (opts[O_BATCH].value) {
		batch = strtol(opts[O_BATCH].value, &end, 10);
		if (*end || batch < 1 || batch > 100000)
			return cli_usage_error(cx->cmd, "--batch-size wants 1-100000");
	}
	const char *repo = cx->repo;
	cli_applier a;
	FILE *audit = NULL;
	const char **envs = NULL;
	char **known = NULL;
	size_t nenvs = 0, nknown = 0;
	int status = CLI_EXIT_FAILURE;
	mg_config hcfg;
	mg_catalogue hcat;
	mg_findings hf;
	char head_sha[41];
	mg_config_init(&hcfg);
	mg_catalogue_init(&hcat);
	mg_findings_init(&hf);
	memset(&a, 0, sizeof a);
	/*
	 * HEAD is loaded and validated once, as of its commit day (a clearance
	 * that expired since is revoked by the plan, not blocking); the same
	 * catalogue is every environment's target, and HEAD's meshgate.yaml
	 * (reviewed with it) is the configuration acted on: protected branch,
	 * state directory, backends.  The environments: those in HEAD and
	 * those applied before (a removed one is revoked).
	 */
	char commit_day[11];
	if (mg_git_resolve_commit(head_sha, repo, "HEAD") < 0 || mg_git_commit_date(commit_day, repo, head_sha) < 0) {
		status = cli_fail();
		goto done;
	}
	mg_validate_opts vo = { .today = strcmp(commit_day, today) < 0 ? commit_day : today, .catalogue = NULL };
	if (mg_validate_commit(repo, head_sha, &vo, &hcfg, &hcat, &hf) < 0 || check_branch(repo, hcfg.protected_branch) < 0) {
		status = cli_fail();
		goto done;
	}
	/* nothing is opened or created before HEAD is known to be sound */
	size_t errors = mg_findings_count_at(&hf, MG_SEV_ERROR);
	if (errors) {
		fprintf(stderr, "meshgate: error: HEAD does not validate (%zu error%s); nothing was applied.\n", errors,
			errors == 1 ? "" : "s");
		size_t shown = 0;
		for (size_t i = 0; i < hf.count && shown < 5; i++) {
			const mg_finding *f = &hf.items[i];
			if (f->severity != MG_SEV_ERROR)
				continue;
			fprintf(stderr, "%s:%u:%u: error: %s [%s]\n", f->path, f->line, f->col, f->message,
				mg_rule_id(f->rule));
			shown++;
		}
		fprintf(stderr, "run 'meshgate validate --rev HEAD' to see %s\n", errors > shown ? "them all" : "them");
		status = CLI_EXIT_FINDINGS;
		goto done;
	}
	if (cli_applier_open(&a, cx, &hcfg, true) < 0 || mg_catalogue_environments(&hcat, &envs, &nenvs) < 0 ||
	    cli_applier_environments(&a, &known, &nknown) < 0) {
		status = cli_fail();
		goto done;
	}
	if (opts[O_AUDIT].value && cli_audit_open(opts[O_AUDIT].value, &audit) < 0) {
		status = cli_fail();
		goto done;
	}
	a.audit = audit; /* the backends' warnings go there too */
	char holder[256], host[64] = "";
	gethostname(host, sizeof host - 1);
	snprintf(holder, sizeof holder, "meshgate apply (pid %ld on %s)", (long)getpid(), host);
	const char *fault = getenv("MESHGATE_TEST_KILL_AFTER_OPS");
	mg_apply_opts ao = { .repo = repo, .to_rev = head_sha, .today = today, .lock_timeout_ms = timeout_s * 1000,
			     .batch_size = (size_t)batch, .holder = holder, .audit = audit ? cli_audit_line : NULL,
			     .audit_ctx = audit, .fault_kill_after = fault ? atol(fault) : 0, .target = &hcat };
	status = CLI_EXIT_OK;
	for (size_t i = 0; i < nenvs + nknown; i++) {
		const char *env = i < nenvs ? envs[i] : known[i - nenvs];
		bool dup = false;
		for (size_t j = 0; i >= nenvs && j < nenvs && !dup; j++)
			dup = strcmp(envs[j], env) == 0;
		if (dup || (opts[O_ENV].value && strcmp(env, opts[O_ENV].value) != 0))
			continue;
		mg_apply_stats st;
		mg_state *state;
		mg_backends bs;
		if ((r = cli_applier_state(&a, env, &state)) == 0 && (r = cli_applier_backends(&a, env, &bs)) == 0) {
			r = mg_apply_environment(state, &bs, &ao, env, &st);
			mg_backends_release(&bs);
		}
		if (r < 0) {
			fprintf(stderr, "meshgate: error: %s: %s\n", env, mg_error_last());
			status = CLI_EXIT_FAILURE;
			continue;
		}
		if (st.resumed || st.skipped)
			cli_note(cx, stderr, "%s: completed an interrupted run (%zu operations redone, %zu already done)\n",
				env, st.resumed, st.skipped);
		if (*st.from && strcmp(st.from, st.to) == 0 && st.executed == st.resumed)
			cli_note(cx, stderr, "%s: up to date at %.12s\n", env, st.to);
		else
			cli_note(cx, stderr, "%s: applied %zu operation%s, %.12s -> %.12s\n", env, st.executed - st.resumed,
				st.executed - st.resumed == 1 ? "" : "s", *st.from ? st.from : "(nothing)", st.to);
	}
done:
	cli_audit_close(audit);
	for (size_t i = 0; i < nknown; i++)
		free(known[i]);
	free(known);
	free(envs);
	mg_findings_release(&hf);
	mg_catalogue_release(&hcat);
	mg_config_release(&hcfg);
	cli_applier_close(&a);
	return status;
}
