/*
 * cmd_plan.c - `meshgate plan`: what merging (or applying) would change,
 * in data-product terms, each line classed safe or risky.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"

int cmd_plan(int argc, char **argv, cli_ctx *cx)
{
	enum { O_FROM, O_TO, O_ENV, O_FORMAT, O_OUTPUT };
	cli_opt opts[] = {
		CLI_OPT("from", 0, "COMMIT", "the base (default: the last applied commit; none: a first run)"),
		CLI_OPT("to", 0, "COMMIT", "the target (default: HEAD)"),
		CLI_OPT("env", 'e', "ENV", "only this environment"),
		CLI_OPT("format", 'f', "FORMAT", "text (default), json or markdown"),
		CLI_OPT("output", 'o', "FILE", "write the plan to FILE"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos)
		return cli_usage_error(cx->cmd, "unexpected argument '%s'", argv[0]);
	mg_plan_format fmt = MG_PLAN_TEXT;
	if (opts[O_FORMAT].value && mg_plan_format_parse(&fmt, opts[O_FORMAT].value) < 0)
		return cli_usage_error(cx->cmd, "unknown format '%s' (text, json, markdown)", opts[O_FORMAT].value);
	const char *today = cx->today;

	const char *repo = cx->repo;
	const char *to = opts[O_TO].value ? opts[O_TO].value : "HEAD";
	mg_buf out = MG_BUF_INIT;
	int status = CLI_EXIT_FAILURE;
	size_t errors = 0;
	const char **envs = NULL;
	size_t nenvs = 0;
	cli_applier a;
	bool have_state = false;
	mg_plan all;
	mg_plan_init(&all);

	if (!opts[O_FROM].value)
		have_state = cli_applier_open(&a, cx, NULL, false) == 0;
	if (!have_state) {
		/* one plan: from --from (or from nothing) to the target */
		mg_plan_result pr;
		mg_plan_request req = { .repo = repo, .from_rev = opts[O_FROM].value, .from_date = today,
				.to_rev = to, .to_date = today, .environment = opts[O_ENV].value,
				.only_changed = true };
		mg_plan_result_init(&pr);
		r = mg_plan_between(&req, &pr);
		if (r == 0)
			r = mg_plan_write(&pr.plan, &pr.config_changes, fmt, opts[O_FROM].value, to, &out);
		errors = mg_findings_count_at(&pr.to_findings, MG_SEV_ERROR);
		mg_plan_result_release(&pr);
		if (r < 0) {
			status = cli_fail();
			goto done;
		}
	} else {
		/* what `meshgate apply` would do now: each environment from its last applied commit */
		mg_plan_result head;
		mg_plan_request req0 = { .repo = repo, .from_date = today, .to_rev = to, .to_date = today,
				.environment = opts[O_ENV].value };
		char **known = NULL;
		size_t nknown = 0;
		mg_plan_result_init(&head);
		r = mg_plan_between(&req0, &head);
		if (r == 0)
			r = mg_catalogue_environments(&head.to_cat, &envs, &nenvs);
		if (r == 0)
			r = cli_applier_environments(&a, &known, &nknown);
		errors = mg_findings_count_at(&head.to_findings, MG_SEV_ERROR);
		for (size_t i = 0; r == 0 && i < nenvs + nknown; i++) {
			const char *env = i < nenvs ? envs[i] : known[i - nenvs];
			bool dup = false;
			for (size_t j = 0; i >= nenvs && j < nenvs && !dup; j++)
				dup = strcmp(envs[j], env) == 0;
			if (dup || (opts[O_ENV].value && strcmp(env, opts[O_ENV].value) != 0))
				continue;
			mg_applied applied;
			mg_state *st;
			if ((r = cli_applier_state(&a, env, &st)) < 0 || (r = st->last_applied(st, env, &applied)) < 0)
				break;
			mg_plan_result pr;
			mg_plan_request req = { .repo = repo,
					.from_rev = applied.present ? applied.commit : NULL,
					.from_date = applied.present ? applied.date : today, .to_rev = to,
					.to_date = today, .environment = env, .only_changed = true };
			mg_plan_result_init(&pr);
			r = mg_plan_between(&req, &pr);
			if (r == 0 && (pr.plan.count || pr.config_changes.count)) {
				/* label each environment's section with its own base */
				if (fmt == MG_PLAN_TEXT)
					r = mg_buf_addf(&out, "== %s ==\n", env);
				else if (fmt == MG_PLAN_MARKDOWN)
					r = mg_buf_addf(&out, "### %s\n\n", env);
				if (r == 0)
					r = mg_plan_write(&pr.plan, &pr.config_changes, fmt,
							  applied.present ? applied.commit : NULL, to, &out);
			}
			mg_plan_result_release(&pr);
		}
		for (size_t i = 0; i < nknown; i++)
			free(known[i]);
		free(known);
		mg_plan_result_release(&head);
		if (r < 0) {
			status = cli_fail();
			goto done;
		}
		if (out.len == 0)
			r = mg_plan_write(&all, NULL, fmt, NULL, to, &out);
	}
	if (errors && fmt != MG_PLAN_JSON) {
		/* the plan of a target apply refuses says so first, not only on stderr */
		mg_buf head = MG_BUF_INIT;
		if (mg_buf_addf(&head,
				fmt == MG_PLAN_TEXT ? "! %s does not validate (%zu error%s): 'meshgate apply' refuses it; "
						      "see 'meshgate validate --rev %s'\n"
						    : "> **%s does not validate** (%zu error%s): `meshgate apply` refuses it; "
						      "see `meshgate validate --rev %s`.\n\n",
				to, errors, errors == 1 ? "" : "s", to) < 0 ||
		    mg_buf_add(&head, out.ptr ? out.ptr : "", out.len) < 0) {
			mg_buf_release(&head);
			status = cli_fail();
			goto done;
		}
		mg_buf_release(&out);
		out = head;
	}
	if (cli_write_output(opts[O_OUTPUT].value, &out) < 0) {
		status = cli_fail();
		goto done;
	}
	if (errors)
		fprintf(stderr, "meshgate: warning: %s has %zu validation error%s; 'meshgate apply' would refuse it\n",
			to, errors, errors == 1 ? "" : "s");
	status = errors ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
done:
	if (have_state)
		cli_applier_close(&a);
	free(envs);
	mg_plan_release(&all);
	mg_buf_release(&out);
	return status;
}
