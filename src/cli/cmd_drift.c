/*
 * cmd_drift.c - `meshgate drift`: compares what the backend actually grants
 * with what the last applied commit wants (clearances judged today), and
 * with --fix applies the difference under the environment's lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "meshgate/apply.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"

static int drift_env(cli_applier *a, const char *repo, const char *env, const char *today, bool fix,
		     mg_buf *out, size_t *ndrift, void (*audit)(void *, const char *), void *audit_ctx)
{
	mg_applied applied;
	mg_grant_set actual, want;
	mg_plan plan;
	mg_backends bs = { { NULL }, 0 };
	mg_state *st;
	int r;
	mg_grant_set_init(&actual);
	mg_grant_set_init(&want);
	mg_plan_init(&plan);
	if ((r = cli_applier_state(a, env, &st)) < 0 || (r = st->last_applied(st, env, &applied)) < 0 ||
	    (r = cli_applier_backends(a, env, &bs)) < 0)
		goto done;
	if (applied.present && (r = mg_desired_at(repo, applied.commit, env, today, &want)) < 0)
		goto done;
	/* what every backend of the environment grants, as one set */
	for (size_t b = 0; b < bs.count; b++)
		if ((r = bs.items[b]->read_grants(bs.items[b], env, &actual)) < 0)
			goto done;
	if ((r = mg_grant_set_finish(&actual)) < 0 || (r = mg_plan_diff(&actual, &want, &plan)) < 0)
		goto done;
	*ndrift += plan.count;
	if (plan.count) {
		if ((r = mg_buf_addf(out, "== %s ==\n", env)) < 0 || (r = mg_plan_write(&plan, NULL, MG_PLAN_TEXT, NULL, NULL, out)) < 0)
			goto done;
	}
	if (fix && plan.count) {
		/* through the executor: journalled, audited, retried, under the lock */
		mg_apply_opts o = { .repo = repo, .to_rev = applied.commit, .today = today, .lock_timeout_ms = 60000,
				    .holder = "meshgate drift --fix", .audit = audit, .audit_ctx = audit_ctx };
		mg_apply_stats stats;
		r = mg_execute_fix(st, &bs, &o, env, applied.commit, applied.date, &plan, &stats);
	}
done:
	mg_backends_release(&bs);
	mg_plan_release(&plan);
	mg_grant_set_release(&actual);
	mg_grant_set_release(&want);
	return r;
}

int cmd_drift(int argc, char **argv, cli_ctx *cx)
{
	enum { O_ENV, O_FIX, O_AUDIT };
	cli_opt opts[] = {
		CLI_OPT("env", 'e', "ENV", "only this environment"),
		CLI_OPT("fix", 0, NULL, "apply what it takes to match the last applied commit"),
		CLI_OPT("audit", 0, "FILE", "with --fix: append one JSON line per operation and backend warning to FILE ('-': standard output)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos)
		return cli_usage_error(cx->cmd, "unexpected argument '%s'", argv[0]);
	const char *today = cx->today;
	const char *repo = cx->repo;
	cli_applier a;
	char **envs = NULL;
	size_t nenvs = 0, ndrift = 0, checked = 0;
	mg_buf out = MG_BUF_INIT;
	int status = CLI_EXIT_FAILURE;
	FILE *audit = NULL;
	if (cli_applier_open(&a, cx, NULL, false) < 0 || cli_applier_environments(&a, &envs, &nenvs) < 0) {
		status = cli_fail();
		goto done;
	}
	if (opts[O_AUDIT].value && cli_audit_open(opts[O_AUDIT].value, &audit) < 0) {
		status = cli_fail();
		goto done;
	}
	a.audit = audit; /* the backends' warnings go there too */
	for (size_t i = 0; i < nenvs; i++) {
		if (opts[O_ENV].value && strcmp(envs[i], opts[O_ENV].value) != 0)
			continue;
		checked++;
		if (drift_env(&a, repo, envs[i], today, opts[O_FIX].seen, &out, &ndrift, audit ? cli_audit_line : NULL,
			      audit) < 0) {
			status = cli_fail();
			goto done;
		}
	}
	if (!checked) {
		/* --env names no applied environment: nothing was compared, so it cannot say "no drift" */
		mg_error_set("nothing has been applied to '%s' here (applied: %zu environment%s)", opts[O_ENV].value, nenvs,
			     nenvs == 1 ? "" : "s");
		status = cli_fail();
		goto done;
	}
	fputs(out.ptr, stdout);
	if (!ndrift)
		cli_note(cx, stderr, "meshgate: no drift: the backend matches the last applied commit (%zu environment%s)\n",
			 checked, checked == 1 ? "" : "s");
	else
		cli_note(cx, stderr, "meshgate: %zu difference%s between the backend and the last applied commit%s\n", ndrift,
			ndrift == 1 ? "" : "s", opts[O_FIX].seen ? " (fixed)" : "");
	status = ndrift && !opts[O_FIX].seen ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
done:
	cli_audit_close(audit);
	for (size_t i = 0; i < nenvs; i++)
		free(envs[i]);
	free(envs);
	mg_buf_release(&out);
	cli_applier_close(&a);
	return status;
}
