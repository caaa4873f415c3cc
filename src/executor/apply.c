/* apply.c - the executor (see meshgate/apply.h). */
#include "meshgate/apply.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meshgate/buf.h"
#include "meshgate/changes.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"

static void audit_line(const mg_apply_opts *o, const char *env, const char *commit, const mg_op *op,
		       const mg_op_result *res, const char *backend)
{
	if (!o->audit)
		return;
	mg_buf b = MG_BUF_INIT;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	const mg_grant *g = &op->grant;
	int r = mg_buf_addf(&b, "{\"time\":\"%s\",\"environment\":", now);
	r |= mg_buf_add_json_string(&b, env, strlen(env));
	r |= mg_buf_addf(&b, ",\"commit\":\"%s\",\"operation\":\"%s\",\"key\":\"%s\",\"backend\":\"%s\",\"principal\":",
			 commit, op->kind == MG_OP_GRANT ? "grant" : "revoke", op->key, backend);
	r |= mg_buf_add_json_string(&b, g->principal, strlen(g->principal));
	r |= mg_buf_adds(&b, ",\"product\":");
	r |= mg_buf_add_json_string(&b, g->product, strlen(g->product));
	r |= mg_buf_adds(&b, ",\"resource\":");
	if (g->table)
		r |= mg_buf_add_json_string(&b, g->table, strlen(g->table));
	else
		r |= mg_buf_adds(&b, "null");
	r |= mg_buf_addf(&b, ",\"permissions\":[%s%s%s],\"columns\":{\"%s\":[",
			 g->perms & MG_PERM_SELECT ? "\"SELECT\"" : "",
			 (g->perms & MG_PERM_SELECT) && (g->perms & MG_PERM_DESCRIBE) ? "," : "",
			 g->perms & MG_PERM_DESCRIBE ? "\"DESCRIBE\"" : "", g->except ? "all_except" : "only");
	for (size_t i = 0; i < g->ncolumns; i++) {
		if (i)
			r |= mg_buf_addc(&b, ',');
		r |= mg_buf_add_json_string(&b, g->columns[i], strlen(g->columns[i]));
	}
	r |= mg_buf_addf(&b, "]},\"risky\":%s,\"result\":\"%s\",\"request_id\":", op->risky ? "true" : "false",
			 res->ok ? "ok" : "failed");
	r |= mg_buf_add_json_string(&b, res->request_id, strlen(res->request_id));
	if (!res->ok) {
		r |= mg_buf_adds(&b, ",\"message\":");
		r |= mg_buf_add_json_string(&b, res->message, strlen(res->message));
	}
	r |= mg_buf_addc(&b, '}');
	if (r == 0)
		o->audit(o->audit_ctx, b.ptr);
	mg_buf_release(&b);
}

/* Executes plan ops not yet journalled as done; counts into stats. */
static int execute(mg_state *st, mg_backend *be, const mg_apply_opts *o, const char *env, const char *commit,
		   const mg_plan *plan, mg_apply_stats *stats, bool resuming, long *ops_sent)
{
	size_t batch = o->batch_size ? o->batch_size : 2000;
	mg_op *todo = malloc(batch * sizeof *todo);
	mg_op_result *res = calloc(batch, sizeof *res);
	int r = 0;
	if (!todo || !res) {
		free(todo);
		free(res);
		return mg_oom();
	}
	size_t i = 0;
	while (i < plan->count && r == 0) {
		size_t n = 0;
		while (i < plan->count && n < batch) {
			bool done = false;
			if (resuming && (r = st->journal_done(st, env, plan->ops[i].key, &done)) < 0)
				break;
			if (done)
				stats->skipped++;
			else
				todo[n++] = plan->ops[i];
			i++;
		}
		if (r < 0 || n == 0)
			continue;
		memset(res, 0, n * sizeof *res);
		if ((r = be->apply(be, todo, n, res)) < 0)
			break;
		*ops_sent += (long)n;
		if (o->fault_kill_after > 0 && *ops_sent >= o->fault_kill_after)
			kill(getpid(), SIGKILL);
		/* outcomes are journalled before anything else moves */
		if ((r = st->journal_record(st, env, todo, res, n)) < 0)
			break;
		for (size_t k = 0; k < n; k++) {
			audit_line(o, env, commit, &todo[k], &res[k], be->name);
			if (res[k].ok) {
				stats->executed++;
				if (resuming)
					stats->resumed++;
			} else {
				stats->failed++;
			}
		}
	}
	free(todo);
	free(res);
	if (r == 0 && stats->failed) {
		mg_error_set("%zu operation%s failed on the %s backend; the state was not moved, "
			     "run again to retry", stats->failed, stats->failed == 1 ? "" : "s", be->name);
		r = MG_EBACKEND;
	}
	return r;
}

static int run_plan(mg_state *st, mg_backend *be, const mg_apply_opts *o, const char *env,
		    const mg_run_info *run, mg_apply_stats *stats, bool resuming, long *ops_sent)
{
	char commit_day[11];
	mg_plan_request req = { o->repo, run->from, run->from_date, run->to, run->to_date, env, NULL, false, NULL };
	/* the caller's catalogue, when it is this run's target (not an older, interrupted one) */
	if (o->target && o->to_rev && strcmp(o->to_rev, run->to) == 0)
		req.target = o->target;
	mg_plan_result pr;
	int r;
	mg_plan_result_init(&pr);
	/* validated as of its commit day: clearances expiring later are revoked, not blocking */
	if ((r = mg_git_commit_date(commit_day, o->repo, run->to)) < 0)
		return r;
	if (strcmp(commit_day, run->to_date) < 0)
		req.validate_date = commit_day;
	if ((r = mg_plan_between(&req, &pr)) < 0)
		goto done;
	if (!resuming && !req.target && mg_findings_count_at(&pr.to_findings, MG_SEV_ERROR)) {
		mg_error_set("commit %.12s does not validate (%zu errors); run 'meshgate validate --rev %.12s'",
			     run->to, mg_findings_count_at(&pr.to_findings, MG_SEV_ERROR), run->to);
		r = MG_EINVALID;
		goto done;
	}
	stats->planned += pr.plan.count;
	if ((r = be->begin(be, env)) < 0)
		goto done;
	r = execute(st, be, o, env, run->to, &pr.plan, stats, resuming, ops_sent);
	int e = be->end(be);
	if (r == 0)
		r = e;
done:
	mg_plan_result_release(&pr);
	return r;
}

int mg_apply_environment(mg_state *st, mg_backend *be, const mg_apply_opts *o, const char *env,
			 mg_apply_stats *stats)
{
	mg_applied applied;
	mg_run_info run;
	char target[41];
	long ops_sent = 0; /* this call's, for fault injection */
	int r;
	memset(stats, 0, sizeof *stats);
	if ((r = mg_git_resolve_commit(target, o->repo, o->to_rev ? o->to_rev : "HEAD")) < 0)
		return r;
	if ((r = st->lock(st, env, o->holder ? o->holder : "meshgate apply", o->lock_timeout_ms, NULL)) < 0)
		return r;
	if ((r = st->run_get(st, env, &run)) < 0)
		goto done;
	if (run.present) {
		/* finish what a killed run started, exactly as it was planned */
		if ((r = run_plan(st, be, o, env, &run, stats, true, &ops_sent)) < 0 || (r = st->run_finish(st, env)) < 0)
			goto done;
	}
	if ((r = st->last_applied(st, env, &applied)) < 0)
		goto done;
	snprintf(stats->from, sizeof stats->from, "%s", applied.present ? applied.commit : "");
	snprintf(stats->to, sizeof stats->to, "%s", target);
	memset(&run, 0, sizeof run);
	run.present = true;
	snprintf(run.from, sizeof run.from, "%s", applied.present ? applied.commit : "");
	snprintf(run.from_date, sizeof run.from_date, "%s", applied.present ? applied.date : o->today);
	snprintf(run.to, sizeof run.to, "%s", target);
	snprintf(run.to_date, sizeof run.to_date, "%s", o->today);
	if (applied.present && strcmp(applied.commit, target) == 0 && strcmp(applied.date, o->today) == 0)
		goto done; /* converged: nothing can differ */
	if ((r = st->run_start(st, env, &run)) < 0)
		goto done;
	if ((r = run_plan(st, be, o, env, &run, stats, false, &ops_sent)) < 0)
		goto done;
	r = st->run_finish(st, env);
done:
	if (st->unlock(st, env) < 0 && r == 0)
		r = MG_EIO;
	return r;
}
