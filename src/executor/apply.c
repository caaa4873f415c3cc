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
#include "meshgate/date.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"
#include "meshgate/retry.h"

int mg_audit_warning_line(const mg_backend_warning *w, mg_buf *out)
{
	char now[32];
	mg_timestamp_now(now);
	int r = mg_buf_addf(out, "{\"time\":\"%s\",\"environment\":", now);
	r |= mg_buf_add_json_string(out, w->environment, strlen(w->environment));
	r |= mg_buf_adds(out, ",\"backend\":");
	r |= mg_buf_add_json_string(out, w->backend, strlen(w->backend));
	r |= mg_buf_adds(out, ",\"warning\":");
	r |= mg_buf_add_json_string(out, w->code, strlen(w->code));
	r |= mg_buf_adds(out, ",\"resource\":");
	r |= mg_buf_add_json_string(out, w->resource, strlen(w->resource));
	r |= mg_buf_adds(out, ",\"message\":");
	r |= mg_buf_add_json_string(out, w->message, strlen(w->message));
	r |= mg_buf_addc(out, '}');
	return r < 0 ? mg_oom() : 0;
}

static void audit_line(const mg_apply_opts *o, const char *env, const char *commit, const mg_op *op,
		       const mg_op_result *res, const char *backend, int attempts)
{
	if (!o->audit)
		return;
	mg_buf b = MG_BUF_INIT;
	char now[32];
	mg_timestamp_now(now);
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
	bool ok = res->status == MG_OP_OK;
	r |= mg_buf_addf(&b, "]},\"risky\":%s,\"result\":\"%s\",\"request_id\":", op->risky ? "true" : "false",
			 ok ? "ok" : "failed");
	r |= mg_buf_add_json_string(&b, res->request_id, strlen(res->request_id));
	r |= mg_buf_addf(&b, ",\"attempts\":%d", attempts);
	if (!ok) {
		r |= mg_buf_addf(&b, ",\"outcome\":\"%s\",\"message\":", mg_op_status_name(res->status));
		r |= mg_buf_add_json_string(&b, res->message, strlen(res->message));
	}
	r |= mg_buf_addc(&b, '}');
	if (r == 0)
		o->audit(o->audit_ctx, b.ptr);
	mg_buf_release(&b);
}

/* One run's execution: the backends, the retry policy and budget, the counters. */
typedef struct exec {
	mg_state *st;
	const mg_backends *bs;
	const mg_apply_opts *o;
	const char *env, *commit;
	mg_apply_stats *stats;
	bool resuming;
	long *ops_sent;
	mg_retry_policy pol;
	mg_retry_budget budget;
	char first_failure[400]; /* what the first failed op was told, for the run's message */
} exec;

static void set_message(mg_op_result *res, mg_op_status status, const char *msg)
{
	res->status = status;
	snprintf(res->message, sizeof res->message, "%s", msg);
}

/* Re-reads the backend for ops whose outcome is unknown; those in effect become ok. */
static int probe(exec *x, mg_backend *be, const mg_op *ops, mg_op_result *res, size_t n)
{
	bool *in = calloc(n ? n : 1, sizeof *in);
	int r = 0;
	if (!in)
		return mg_oom();
	if (be->probe) {
		r = be->probe(be, ops, n, in);
	} else {
		mg_grant_set actual;
		mg_grant_set_init(&actual);
		if ((r = be->read_grants(be, x->env, &actual)) == 0)
			for (size_t i = 0; i < n; i++)
				in[i] = mg_op_in_effect(&actual, &ops[i]);
		mg_grant_set_release(&actual);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		x->stats->probed++;
		if (in[i])
			set_message(&res[i], MG_OP_OK, "");
	}
	free(in);
	return r;
}

/*
 * Sends ops[0..n) (n <= the backend's max_batch) to be, retrying what is
 * retryable or unknown under the policy; fills res and attempts.
 */
static int send_chunk(exec *x, mg_backend *be, const mg_op *ops, size_t n, mg_op_result *res, int *attempts)
{
	mg_op *todo = malloc(n * sizeof *todo);
	mg_op_result *tres = calloc(n, sizeof *tres);
	size_t *idx = malloc(n * sizeof *idx);
	size_t np = n;
	int r = 0;
	if (!todo || !tres || !idx) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (int attempt = 1;; attempt++) {
		size_t nunknown = 0;
		long hint = 0;
		for (size_t k = 0; k < np; k++) {
			todo[k] = ops[idx[k]];
			attempts[idx[k]] = attempt;
		}
		memset(tres, 0, np * sizeof *tres);
		x->stats->calls++;
		if (be->apply(be, todo, np, tres) < 0) {
			/* the call could not be made or its answer was lost: nothing is known */
			for (size_t k = 0; k < np; k++)
				set_message(&tres[k], MG_OP_UNKNOWN, mg_error_last());
			mg_error_clear();
		}
		*x->ops_sent += (long)np;
		if (x->o->fault_kill_after > 0 && *x->ops_sent >= x->o->fault_kill_after)
			kill(getpid(), SIGKILL);
		for (size_t k = 0; k < np; k++)
			nunknown += tres[k].status == MG_OP_UNKNOWN;
		if (nunknown) {
			/* re-read before retrying, so a grant that did land is not sent twice */
			mg_op *uops = malloc(nunknown * sizeof *uops);
			mg_op_result *ures = malloc(nunknown * sizeof *ures);
			size_t u = 0;
			if (!uops || !ures) {
				free(uops);
				free(ures);
				r = mg_oom();
				goto done;
			}
			for (size_t k = 0; k < np; k++)
				if (tres[k].status == MG_OP_UNKNOWN) {
					uops[u] = todo[k];
					ures[u++] = tres[k];
				}
			if (probe(x, be, uops, ures, nunknown) < 0) {
				/* cannot tell: stays unknown, and is not retried blindly */
				for (size_t k = 0; k < nunknown; k++)
					snprintf(ures[k].message, sizeof ures[k].message,
						 "outcome unknown, and the backend could not be re-read: %s", mg_error_last());
				mg_error_clear();
				attempt = x->pol.max_attempts; /* no more tries */
			}
			u = 0;
			for (size_t k = 0; k < np; k++)
				if (tres[k].status == MG_OP_UNKNOWN)
					tres[k] = ures[u++];
			free(uops);
			free(ures);
		}
		size_t left = 0;
		bool timeout = false;
		for (size_t k = 0; k < np; k++) {
			res[idx[k]] = tres[k];
			if (tres[k].status == MG_OP_OK) {
				mg_retry_success(&x->budget, &x->pol);
				continue;
			}
			if (tres[k].status == MG_OP_FAILED)
				continue;
			timeout |= tres[k].status == MG_OP_UNKNOWN;
			if (tres[k].retry_after_ms > hint)
				hint = tres[k].retry_after_ms;
			idx[left++] = idx[k];
		}
		np = left;
		if (!np || !mg_retry_allow(&x->budget, &x->pol, attempt, timeout))
			break;
		x->stats->retried += np;
		mg_retry_sleep(&x->pol, mg_retry_delay_ms(&x->pol, attempt, hint));
	}
done:
	free(todo);
	free(tres);
	free(idx);
	return r;
}

/* Sends one journal batch: per backend, revokes before grants, in chunks of its max_batch. */
static int send_batch(exec *x, mg_op *ops, size_t n, mg_op_result *res, int *attempts)
{
	mg_op *group = malloc(n * sizeof *group);
	mg_op_result *gres = calloc(n, sizeof *gres);
	int *gatt = calloc(n, sizeof *gatt);
	size_t *gidx = malloc(n * sizeof *gidx);
	int r = 0;
	if (!group || !gres || !gatt || !gidx) {
		r = mg_oom();
		goto done;
	}
	for (int kind = 0; kind < 2 && r == 0; kind++) {
		mg_op_kind want = kind == 0 ? MG_OP_REVOKE : MG_OP_GRANT;
		for (size_t b = 0; b < x->bs->count && r == 0; b++) {
			mg_backend *be = x->bs->items[b];
			size_t ng = 0;
			for (size_t i = 0; i < n; i++)
				if (ops[i].kind == want && mg_backends_route(x->bs, ops[i].grant.channel) == be) {
					gidx[ng] = i;
					group[ng++] = ops[i];
				}
			size_t max = be->max_batch ? be->max_batch : ng;
			for (size_t off = 0; off < ng && r == 0; off += max) {
				size_t m = ng - off < max ? ng - off : max;
				r = send_chunk(x, be, group + off, m, gres + off, gatt + off);
			}
			for (size_t k = 0; k < ng; k++) {
				res[gidx[k]] = gres[k];
				attempts[gidx[k]] = gatt[k];
			}
		}
	}
done:
	free(group);
	free(gres);
	free(gatt);
	free(gidx);
	return r;
}

/* Every op must have a backend before anything is sent. */
static int check_routes(const mg_backends *bs, const char *env, const mg_plan *plan)
{
	for (size_t i = 0; i < plan->count; i++) {
		const mg_grant *g = &plan->ops[i].grant;
		if (mg_backends_route(bs, g->channel))
			continue;
		mg_buf served = MG_BUF_INIT;
		for (size_t b = 0; b < bs->count; b++)
			(void)mg_buf_addf(&served, "%s%s", b ? ", " : "", bs->items[b]->name);
		mg_error_set("environment '%s': no backend serves %s consumers (consumer %s of product '%s'); "
			     "its backends are: %s; add one to environments.%s in meshgate.yaml",
			     env, mg_channel_name(g->channel), g->principal, g->product,
			     served.len ? served.ptr : "none", env);
		mg_buf_release(&served);
		return MG_EINVALID;
	}
	return 0;
}

static int backends_call(const mg_backends *bs, const char *env, bool begin)
{
	int r = 0;
	for (size_t b = 0; b < bs->count; b++) {
		mg_backend *be = bs->items[b];
		int e = begin ? be->begin(be, env) : be->end(be);
		if (e < 0 && r == 0)
			r = e;
		if (e < 0 && begin)
			break;
	}
	return r;
}

/* Executes plan ops not yet journalled as done; counts into stats. */
static int execute(exec *x, const mg_plan *plan)
{
	const mg_apply_opts *o = x->o;
	size_t batch = o->batch_size ? o->batch_size : 2000;
	mg_op *todo = malloc(batch * sizeof *todo);
	mg_op_result *res = calloc(batch, sizeof *res);
	int *attempts = calloc(batch, sizeof *attempts);
	int r = 0;
	if (!todo || !res || !attempts) {
		free(todo);
		free(res);
		free(attempts);
		return mg_oom();
	}
	size_t i = 0;
	while (i < plan->count && r == 0) {
		size_t n = 0;
		while (i < plan->count && n < batch) {
			bool done = false;
			if (x->resuming && (r = x->st->journal_done(x->st, x->env, plan->ops[i].key, &done)) < 0)
				break;
			if (done)
				x->stats->skipped++;
			else
				todo[n++] = plan->ops[i];
			i++;
		}
		if (r < 0 || n == 0)
			continue;
		memset(res, 0, n * sizeof *res);
		int sent = send_batch(x, todo, n, res, attempts);
		/* outcomes are journalled before anything else moves; every op sent is recorded */
		if ((r = x->st->journal_record(x->st, x->env, todo, res, n)) < 0)
			break;
		for (size_t k = 0; k < n; k++) {
			mg_backend *be = mg_backends_route(x->bs, todo[k].grant.channel);
			audit_line(o, x->env, x->commit, &todo[k], &res[k], be ? be->name : "none", attempts[k]);
			if (res[k].status == MG_OP_OK) {
				x->stats->executed++;
				if (x->resuming)
					x->stats->resumed++;
			} else {
				if (!x->stats->failed)
					snprintf(x->first_failure, sizeof x->first_failure, "%s %s: %s",
						 todo[k].kind == MG_OP_GRANT ? "grant to" : "revoke from", todo[k].grant.principal,
						 res[k].message[0] ? res[k].message : mg_op_status_name(res[k].status));
				x->stats->failed++;
			}
		}
		if ((r = sent) < 0)
			break;
	}
	free(todo);
	free(res);
	free(attempts);
	if (r == 0 && x->stats->failed) {
		mg_error_set("%zu operation%s failed in environment '%s' (first: %s); the state was not moved, "
			     "run again to retry", x->stats->failed, x->stats->failed == 1 ? "" : "s", x->env,
			     x->first_failure);
		r = MG_EBACKEND;
	}
	return r;
}

static int execute_plan(mg_state *st, const mg_backends *bs, const mg_apply_opts *o, const char *env,
			const char *commit, const mg_plan *plan, mg_apply_stats *stats, bool resuming, long *ops_sent)
{
	static const mg_retry_policy standard = MG_RETRY_STANDARD;
	exec x = { st, bs, o, env, commit, stats, resuming, ops_sent, o->retry ? *o->retry : standard, { 0 }, "" };
	int r;
	mg_retry_budget_init(&x.budget, &x.pol);
	if ((r = check_routes(bs, env, plan)) < 0)
		return r;
	if ((r = backends_call(bs, env, true)) < 0)
		return r;
	r = execute(&x, plan);
	int e = backends_call(bs, env, false);
	return r < 0 ? r : e;
}

static int run_plan(mg_state *st, const mg_backends *bs, const mg_apply_opts *o, const char *env,
		    const mg_run_info *run, mg_apply_stats *stats, bool resuming, long *ops_sent)
{
	char commit_day[11];
	mg_plan_request req = { .repo = o->repo, .from_rev = run->from, .from_date = run->from_date,
			.to_rev = run->to, .to_date = run->to_date, .environment = env };
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
	r = execute_plan(st, bs, o, env, run->to, &pr.plan, stats, resuming, ops_sent);
done:
	mg_plan_result_release(&pr);
	return r;
}

int mg_apply_environment(mg_state *st, const mg_backends *bs, const mg_apply_opts *o, const char *env,
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
		if ((r = run_plan(st, bs, o, env, &run, stats, true, &ops_sent)) < 0 || (r = st->run_finish(st, env)) < 0)
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
	if ((r = run_plan(st, bs, o, env, &run, stats, false, &ops_sent)) < 0)
		goto done;
	r = st->run_finish(st, env);
done:
	if (st->unlock(st, env) < 0 && r == 0)
		r = MG_EIO;
	return r;
}

int mg_execute_fix(mg_state *st, const mg_backends *bs, const mg_apply_opts *o, const char *env,
		   const char *commit, const char *date, const mg_plan *plan, mg_apply_stats *stats)
{
	mg_run_info run;
	long ops_sent = 0;
	int r;
	memset(stats, 0, sizeof *stats);
	if ((r = st->lock(st, env, o->holder ? o->holder : "meshgate drift --fix", o->lock_timeout_ms, NULL)) < 0)
		return r;
	if ((r = st->run_get(st, env, &run)) < 0)
		goto done;
	if (run.present) {
		mg_error_set("environment '%s' has an unfinished apply (to %.12s); run 'meshgate apply' first",
			     env, run.to);
		r = MG_EINVALID;
		goto done;
	}
	/* a run from the applied commit to itself: journalled like any other, and it moves nothing */
	memset(&run, 0, sizeof run);
	run.present = true;
	snprintf(run.from, sizeof run.from, "%s", commit);
	snprintf(run.to, sizeof run.to, "%s", commit);
	snprintf(run.from_date, sizeof run.from_date, "%s", date);
	snprintf(run.to_date, sizeof run.to_date, "%s", date);
	snprintf(stats->from, sizeof stats->from, "%s", commit);
	snprintf(stats->to, sizeof stats->to, "%s", commit);
	stats->planned = plan->count;
	if ((r = st->run_start(st, env, &run)) < 0)
		goto done;
	if ((r = execute_plan(st, bs, o, env, commit, plan, stats, false, &ops_sent)) < 0)
		goto done;
	r = st->run_finish(st, env);
done:
	if (st->unlock(st, env) < 0 && r == 0)
		r = MG_EIO;
	return r;
}
