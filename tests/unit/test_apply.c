/*
 * test_apply.c - the executor on the real SQLite ledger and state store:
 *   - crash/resume: a run killed (SIGKILL) after every possible number of
 *     operations, with several batch sizes, resumes and ends with exactly
 *     desired(B); at every crash point the ledger grants nothing that
 *     neither desired(A) nor desired(B) grants;
 *   - a crash, then a new target: the interrupted run is completed first,
 *     then the new one;
 *   - the lock: a held lock makes a second apply wait and fail naming the
 *     holder; concurrent applies serialise and converge;
 *   - faults (lib/contract.h's wrapper): retryable ops are retried within the
 *     policy, unknown outcomes are re-read before anything is sent again,
 *     a lost call is retried, one refused op fails the run but every op
 *     sent is journalled and audited, the next run completes it, and calls
 *     never exceed the backend's max_batch.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/contract.h"
#include "meshgate/apply.h"
#include "meshgate/changes.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"
#include "mgt.h"

#define TODAY "2026-06-01"

static char repo[4096];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	if (st != 0) {
		fprintf(stderr, "command failed (%d): %s\n", st, cmd);
		MGT_CHECK(!"shell command succeeds");
	}
}

static void write_file(const char *rel, const char *text)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", repo, rel);
	for (char *p = path + strlen(repo) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0777);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	MGT_CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A product with tables t0..t2, some pii/pci columns, and the given consumers JSON. */
static void product(const char *env, const char *name, const char *consumers)
{
	char dir[512], path[1024], text[8192];
	snprintf(dir, sizeof dir, "data-products-catalogue/%s/%s", env, name);
	snprintf(path, sizeof path, "%s/data-product.json", dir);
	snprintf(text, sizeof text, "{\"data-product-name\": \"%s\", \"data-product-owner\": \"o@example.com\"}", name);
	write_file(path, text);
	snprintf(path, sizeof path, "%s/data-product-producer-info.json", dir);
	snprintf(text, sizeof text,
		 "{\"account-type\": \"aws\", \"producer-role-arn\": \"arn:aws:iam::999999999999:role/p\","
		 " \"producer-account-id\": \"999999999999\", \"bucket-name\": \"%s-bucket\"}", name);
	for (char *p = text; *p; p++)
		if (*p == '_')
			*p = '-';
	write_file(path, text);
	snprintf(path, sizeof path, "%s/data-product-outputs.json", dir);
	snprintf(text, sizeof text,
		 "{\"outputs\": {"
		 "\"t0\": {\"file-format\": \"parquet\", \"port-type\": \"blob\", \"location\": \"s3://%s-bucket/t0\","
		 " \"columns\": [{\"name\": \"id\"}, {\"name\": \"email\"}, {\"name\": \"card\"}, {\"name\": \"amount\"}]},"
		 "\"t1\": {\"file-format\": \"parquet\", \"port-type\": \"blob\", \"location\": \"s3://%s-bucket/t1\"},"
		 "\"t2\": {\"file-format\": \"parquet\", \"port-type\": \"blob\", \"location\": \"s3://%s-bucket/t2\","
		 " \"columns\": [{\"name\": \"k\"}, {\"name\": \"v\"}]}}}", name, name, name);
	for (char *p = strstr(text, "s3://"); p && *p; p++)
		if (*p == '_')
			*p = '-';
	write_file(path, text);
	snprintf(path, sizeof path, "%s/data-product-visibility.json", dir);
	write_file(path, "{\"tables\": ["
			 "{\"name\": \"t0\", \"visibility\": \"internal\", \"columns\": [{\"name\": \"email\", \"pii\": true},"
			 " {\"name\": \"card\", \"pci\": true}]},"
			 "{\"name\": \"t1\", \"visibility\": \"public\"},"
			 "{\"name\": \"t2\", \"visibility\": \"confidential\"}]}");
	snprintf(path, sizeof path, "%s/data-product-consumers.json", dir);
	write_file(path, consumers);
}

#define CLEAR(kind, until) "\"" kind "\": {\"approved-by\": \"dpo@example.com\", \"reason\": \"needed\", \"expires\": \"" until "\"}"

static void commit(const char *msg, char out[41])
{
	sh("cd '%s' && git add -A && git -c user.name=t -c user.email=t@example.com commit -q -m '%s'", repo, msg);
	MGT_EQ_INT(mg_git_resolve_commit(out, repo, "HEAD"), 0);
}

static void make_repo(char a[41], char b[41], char c[41])
{
	snprintf(repo, sizeof repo, "%s/repo", mgt_scratch());
	mkdir(repo, 0777);
	sh("cd '%s' && git init -q -b main", repo);
	product("prod", "orders",
		"{\"consumers\": [{\"account\": \"111111111111\", \"type\": \"lakeformation\"},"
		" {\"account\": \"222222222222\", \"type\": \"lakeformation\", \"tables\": [\"t0\", \"t2\"], \"access\": {"
		CLEAR("pii", "2030-01-01") ", " CLEAR("confidential", "2030-01-01") "}}]}");
	product("prod", "payments", "{\"consumers\": [{\"account\": \"111111111111\", \"type\": \"lakeformation\"}]}");
	product("dev", "orders", "{\"consumers\": [{\"account\": \"333333333333\", \"type\": \"lakeformation\"}]}");
	commit("A", a);
	/* B: a consumer loses pii, another gains pci, a product goes, one arrives, a column is reclassified */
	product("prod", "orders",
		"{\"consumers\": [{\"account\": \"111111111111\", \"type\": \"lakeformation\", \"access\": {"
		CLEAR("pci", "2030-01-01") "}},"
		" {\"account\": \"222222222222\", \"type\": \"lakeformation\", \"tables\": [\"t0\", \"t2\"], \"access\": {"
		CLEAR("confidential", "2030-01-01") "}},"
		" {\"account\": \"444444444444\", \"type\": \"lakeformation\", \"tables\": [\"t1\"]}]}");
	sh("rm -rf '%s/data-products-catalogue/prod/payments'", repo);
	product("prod", "refunds", "{\"consumers\": [{\"account\": \"222222222222\", \"type\": \"lakeformation\"}]}");
	write_file("data-products-catalogue/dev/orders/data-product-visibility.json",
		   "{\"tables\": [{\"name\": \"t0\", \"visibility\": \"internal\", \"columns\": [{\"name\": \"amount\", \"pci\": true}]}]}");
	commit("B", b);
	/* C: takes back a consumer B added, and adds one elsewhere */
	product("prod", "orders",
		"{\"consumers\": [{\"account\": \"111111111111\", \"type\": \"lakeformation\", \"access\": {"
		CLEAR("pci", "2030-01-01") "}},"
		" {\"account\": \"222222222222\", \"type\": \"lakeformation\", \"tables\": [\"t0\", \"t2\"], \"access\": {"
		CLEAR("confidential", "2030-01-01") "}}]}");
	product("prod", "refunds",
		"{\"consumers\": [{\"account\": \"222222222222\", \"type\": \"lakeformation\"},"
		" {\"account\": \"555555555555\", \"type\": \"lakeformation\"}]}");
	commit("C", c);
}

/* The desired grants of a commit in env (through the planner: a first-run plan applied to nothing). */
static void desired(const char *rev, const char *env, mg_grant_set *out)
{
	mg_grant_set_init(out);
	if (mg_desired_at(repo, rev, env, TODAY, out) < 0)
		fprintf(stderr, "desired: %s\n", mg_error_last());
	MGT_CHECK(out->count > 0);
}

static void open_store(const char *dir, mg_state **st, mg_backend **be)
{
	char p[8192];
	mkdir(dir, 0700);
	snprintf(p, sizeof p, "%s/state.db", dir);
	MGT_EQ_INT(mg_state_sqlite_new(st, p), 0);
	snprintf(p, sizeof p, "%s/ledger.db", dir);
	MGT_EQ_INT(mg_backend_local_new(be, p), 0);
}

static int apply_to(const char *dir, const char *rev, const char *env, size_t batch, long kill_after,
		    long timeout_ms)
{
	mg_state *st = NULL;
	mg_backend *be = NULL;
	mg_apply_stats stats;
	open_store(dir, &st, &be);
	mg_apply_opts o = { .repo = repo, .to_rev = rev, .today = TODAY, .lock_timeout_ms = timeout_ms,
			    .batch_size = batch, .holder = "test", .fault_kill_after = kill_after };
	mg_backends bs = { { be }, 1 };
	int r = mg_apply_environment(st, &bs, &o, env, &stats);
	mg_backends_release(&bs);
	mg_state_free(st);
	return r;
}

/* Runs apply in a child; returns its wait status. */
static int apply_in_child(const char *dir, const char *rev, const char *env, size_t batch, long kill_after)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int r = apply_to(dir, rev, env, batch, kill_after, 20000);
		_exit(r == 0 ? 0 : 10 - r);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

static void ledger(const char *dir, const char *env, mg_grant_set *out)
{
	mg_state *st = NULL;
	mg_backend *be = NULL;
	open_store(dir, &st, &be);
	mg_grant_set_init(out);
	MGT_EQ_INT(be->read_grants(be, env, out), 0);
	mg_backend_free(be);
	mg_state_free(st);
}

static bool same(const mg_grant_set *x, const mg_grant_set *y)
{
	if (x->count != y->count)
		return false;
	for (size_t i = 0; i < x->count; i++)
		if (!mg_grant_equal(&x->items[i], &y->items[i]))
			return false;
	return true;
}

static bool has_col(const mg_grant *g, const char *c)
{
	for (size_t i = 0; i < g->ncolumns; i++)
		if (strcmp(g->columns[i], c) == 0)
			return true;
	return false;
}

/* Every column the ledger lets a principal read is readable in A or in B. */
static bool within_union(const mg_grant_set *l, const mg_grant_set *a, const mg_grant_set *b)
{
	for (size_t i = 0; i < l->count; i++) {
		const mg_grant *g = &l->items[i];
		const mg_grant *ga = mg_grant_set_find(a, g), *gb = mg_grant_set_find(b, g);
		if (!ga && !gb)
			return false;
		if (!g->except) {
			for (size_t k = 0; k < g->ncolumns; k++) {
				bool ok = false;
				for (int s = 0; s < 2 && !ok; s++) {
					const mg_grant *h = s ? gb : ga;
					if (h)
						ok = h->except ? !has_col(h, g->columns[k]) : has_col(h, g->columns[k]);
				}
				if (!ok)
					return false;
			}
		} else {
			/* reads all but g's exclusions: each exclusion of A and B's common ones must be excluded */
			const mg_grant *h[2] = { ga, gb };
			bool any_except = false;
			for (int s = 0; s < 2; s++)
				any_except |= h[s] && h[s]->except;
			if (!any_except)
				return false;
			for (int s = 0; s < 2; s++)
				if (h[s] && h[s]->except) {
					bool covered = true;
					for (size_t k = 0; k < h[s]->ncolumns && covered; k++)
						covered = has_col(g, h[s]->columns[k]) ||
							  (h[1 - s] && h[1 - s]->except && !has_col(h[1 - s], h[s]->columns[k]));
					if (covered)
						goto next;
				}
			return false;
		}
next:;
	}
	return true;
}

static void test_crash_at_every_op_then_resume(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	mg_grant_set da, db;
	desired(a, "prod", &da);
	desired(b, "prod", &db);
	MGT_CHECK(da.count > 0 && db.count > 0 && !same(&da, &db));
	mg_plan pl;
	mg_plan_init(&pl);
	MGT_EQ_INT(mg_plan_diff(&da, &db, &pl), 0);
	size_t nops = pl.count;
	mg_plan_release(&pl);
	MGT_CHECK(nops >= 6);
	static const size_t batches[] = { 1, 2, 5 };
	int crashes = 0;
	for (size_t bi = 0; bi < 3; bi++) {
		for (size_t k = 1; k <= nops; k++) {
			char dir[8192];
			snprintf(dir, sizeof dir, "%s/state-%zu-%zu", mgt_scratch(), batches[bi], k);
			MGT_EQ_INT(apply_to(dir, a, "prod", batches[bi], 0, 1000), 0);
			int ws = apply_in_child(dir, b, "prod", batches[bi], (long)k);
			if (k < (nops + batches[bi] - 1) / batches[bi] * batches[bi] || k <= nops) {
				if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL) {
					crashes++;
					mg_grant_set mid;
					ledger(dir, "prod", &mid);
					if (!within_union(&mid, &da, &db)) {
						fprintf(stderr, "batch %zu, killed after %zu ops: ledger grants more than A or B\n",
							batches[bi], k);
						MGT_CHECK(0);
					}
					mg_grant_set_release(&mid);
				}
			}
			/* the killed process left its lock: break it as `unlock --force` would, then resume */
			mg_state *st = NULL;
			mg_backend *be = NULL;
			open_store(dir, &st, &be);
			st->force_unlock(st, "prod");
			mg_backend_free(be);
			mg_state_free(st);
			MGT_EQ_INT(apply_to(dir, b, "prod", batches[bi], 0, 1000), 0);
			mg_grant_set end;
			ledger(dir, "prod", &end);
			if (!same(&end, &db)) {
				fprintf(stderr, "batch %zu, killed after %zu ops: resumed ledger is not desired(B)\n",
					batches[bi], k);
				MGT_CHECK(0);
			}
			mg_grant_set_release(&end);
		}
	}
	MGT_CHECK(crashes >= (int)nops); /* the kill really happened at each point of batch 1 */
	mg_grant_set_release(&da);
	mg_grant_set_release(&db);
}

static void test_crash_then_new_target(void)
{
	char a[41], b[41], c[41], dir[8192];
	make_repo(a, b, c);
	snprintf(dir, sizeof dir, "%s/state", mgt_scratch());
	MGT_EQ_INT(apply_to(dir, a, "prod", 1, 0, 1000), 0);
	/* killed after its last op, before that op's outcome and the state were recorded:
	 * B's grants to 444444444444 are in the ledger, and C no longer wants them */
	mg_grant_set da, db;
	mg_plan pl;
	desired(a, "prod", &da);
	desired(b, "prod", &db);
	mg_plan_init(&pl);
	MGT_EQ_INT(mg_plan_diff(&da, &db, &pl), 0);
	int ws = apply_in_child(dir, b, "prod", 1, (long)pl.count);
	MGT_CHECK(WIFSIGNALED(ws));
	mg_plan_release(&pl);
	mg_grant_set_release(&da);
	mg_grant_set_release(&db);
	/* still locked by the dead run: a new apply waits, then names the holder */
	MGT_EQ_INT(apply_to(dir, c, "prod", 1, 0, 200), MG_ELOCKED);
	MGT_CHECK(strstr(mg_error_last(), "locked by test") != NULL);
	mg_state *st = NULL;
	mg_backend *be = NULL;
	open_store(dir, &st, &be);
	MGT_EQ_INT(st->force_unlock(st, "prod"), 0);
	mg_run_info run;
	MGT_EQ_INT(st->run_get(st, "prod", &run), 0);
	MGT_CHECK(run.present && strcmp(run.to, b) == 0);
	mg_backend_free(be);
	mg_state_free(st);
	MGT_EQ_INT(apply_to(dir, c, "prod", 1, 0, 1000), 0);
	mg_grant_set dc, end;
	desired(c, "prod", &dc);
	ledger(dir, "prod", &end);
	MGT_CHECK(same(&end, &dc));
	open_store(dir, &st, &be);
	mg_applied ap;
	MGT_EQ_INT(st->last_applied(st, "prod", &ap), 0);
	MGT_CHECK(ap.present && strcmp(ap.commit, c) == 0);
	MGT_EQ_INT(st->run_get(st, "prod", &run), 0);
	MGT_CHECK(!run.present);
	mg_backend_free(be);
	mg_state_free(st);
	mg_grant_set_release(&dc);
	mg_grant_set_release(&end);
}

static void test_concurrent_applies_serialise(void)
{
	char a[41], b[41], c[41], dir[8192];
	make_repo(a, b, c);
	snprintf(dir, sizeof dir, "%s/state", mgt_scratch());
	MGT_EQ_INT(apply_to(dir, a, "prod", 2, 0, 1000), 0);
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		fflush(NULL);
		kids[i] = fork();
		if (kids[i] == 0) {
			int r = apply_to(dir, i % 2 ? b : c, "prod", 1, 0, 30000);
			_exit(r == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int ws;
		waitpid(kids[i], &ws, 0);
		MGT_CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}
	/* whichever finished last, the ledger is exactly what its state says was applied */
	mg_state *st = NULL;
	mg_backend *be = NULL;
	open_store(dir, &st, &be);
	mg_applied ap;
	MGT_EQ_INT(st->last_applied(st, "prod", &ap), 0);
	mg_backend_free(be);
	mg_state_free(st);
	MGT_CHECK(strcmp(ap.commit, b) == 0 || strcmp(ap.commit, c) == 0);
	mg_grant_set want, end;
	desired(ap.commit, "prod", &want);
	ledger(dir, "prod", &end);
	MGT_CHECK(same(&end, &want));
	mg_grant_set_release(&want);
	mg_grant_set_release(&end);
}

static void test_first_apply_then_noop(void)
{
	char a[41], b[41], c[41], dir[8192];
	make_repo(a, b, c);
	snprintf(dir, sizeof dir, "%s/state", mgt_scratch());
	MGT_EQ_INT(apply_to(dir, c, "dev", 0, 0, 1000), 0);
	mg_grant_set want, end;
	desired(c, "dev", &want);
	ledger(dir, "dev", &end);
	MGT_CHECK(same(&end, &want));
	MGT_CHECK(end.count > 0);
	mg_grant_set_release(&end);
	/* again: nothing to do, nothing changes */
	MGT_EQ_INT(apply_to(dir, c, "dev", 0, 0, 1000), 0);
	ledger(dir, "dev", &end);
	MGT_CHECK(same(&end, &want));
	mg_grant_set_release(&end);
	/* the other environment was not touched */
	ledger(dir, "prod", &end);
	MGT_EQ_INT(end.count, 0);
	mg_grant_set_release(&end);
	mg_grant_set_release(&want);
}

static void same_plan(const mg_plan *x, const mg_plan *y, const char *what)
{
	if (x->count != y->count)
		fprintf(stderr, "%s: %zu ops, expected %zu\n", what, x->count, y->count);
	MGT_EQ_INT(x->count, y->count);
	for (size_t k = 0; k < x->count && k < y->count; k++) {
		MGT_EQ_STR(x->ops[k].key, y->ops[k].key);
		MGT_EQ_INT(x->ops[k].newly, y->ops[k].newly);
	}
}

/*
 * Loading only the changed folders (plan, check), or reading the base's
 * changed and expiring folders against a target loaded once (apply), gives
 * the very plan that loading both commits in full gives.
 */
static void test_partial_loads_plan_like_full_loads(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	const char *pairs[][2] = { { a, b }, { b, c }, { a, c }, { c, a } };
	/* same day, and across the 2030-01-01 expiry of the clearances */
	const char *days[][2] = { { TODAY, TODAY }, { TODAY, "2031-01-01" } };
	for (size_t d = 0; d < 2; d++)
		for (size_t i = 0; i < 4; i++) {
			mg_plan_result fast, full, targeted, given;
			mg_plan_request rq = { .repo = repo, .from_rev = pairs[i][0], .from_date = days[d][0],
					.to_rev = pairs[i][1], .to_date = days[d][1] };
			mg_plan_result_init(&fast);
			mg_plan_result_init(&full);
			mg_plan_result_init(&targeted);
			MGT_EQ_INT(mg_plan_between(&rq, &full), 0);
			MGT_CHECK(full.plan.count > 0);
			rq.only_changed = true;
			MGT_EQ_INT(mg_plan_between(&rq, &fast), 0);
			same_plan(&fast.plan, &full.plan, "changed folders only");
			rq.only_changed = false;
			rq.target = &full.to_cat;
			MGT_EQ_INT(mg_plan_between(&rq, &targeted), 0);
			same_plan(&targeted.plan, &full.plan, "with the target loaded");
			/* and with the changes computed by the caller, as `check` passes them */
			mg_changes ch;
			mg_changes_init(&ch);
			MGT_EQ_INT(mg_changes_between(&ch, repo, pairs[i][0], pairs[i][1], full.to_cat.root), 0);
			rq.changes = &ch;
			mg_plan_result_init(&given);
			MGT_EQ_INT(mg_plan_between(&rq, &given), 0);
			same_plan(&given.plan, &full.plan, "with the target and the changes given");
			mg_plan_result_release(&given);
			mg_changes_release(&ch);
			rq.changes = NULL;
			if (d == 0) /* the fast path really loaded less */
				MGT_CHECK(fast.to_cat.nproducts <= full.to_cat.nproducts);
			mg_plan_result_release(&fast);
			mg_plan_result_release(&full);
			mg_plan_result_release(&targeted);
		}
}


/* ---- faults: the executor against the fault-injecting wrapper ---- */

typedef struct fault_plan {
	mgt_fault fault;
	int until;          /* the fault hits sendings 1..until of an op (0: every sending) */
	const char *only;   /* only the op with this key (NULL: every op) */
	bool grants_only;
} fault_plan;

static mgt_fault decide(void *ctx, const mg_op *op, int nth)
{
	const fault_plan *fp = ctx;
	if (fp->only && strcmp(fp->only, op->key) != 0)
		return MGT_FAULT_NONE;
	if (fp->grants_only && op->kind != MG_OP_GRANT)
		return MGT_FAULT_NONE;
	return fp->until == 0 || nth <= fp->until ? fp->fault : MGT_FAULT_NONE;
}

typedef struct sleeps {
	long count, total_ms, min_ms;
} sleeps;

static void fake_sleep(void *ctx, long ms)
{
	sleeps *z = ctx;
	if (z->count == 0 || ms < z->min_ms)
		z->min_ms = ms;
	z->count++;
	z->total_ms += ms;
}

static unsigned long fixed_random(void *ctx)
{
	(void)ctx;
	return 0x7fffffffUL;
}

typedef struct audit_log {
	size_t lines, failed;
	char last_failed[1024];
} audit_log;

static void collect(void *ctx, const char *line)
{
	audit_log *a = ctx;
	a->lines++;
	if (strstr(line, "\"result\":\"failed\"")) {
		a->failed++;
		snprintf(a->last_failed, sizeof a->last_failed, "%s", line);
	}
}

static int apply_faulty(const char *dir, const char *rev, const char *env, fault_plan *fp, size_t max_batch,
			bool with_probe, mg_apply_stats *stats, mgt_faulty_stats *fs, sleeps *z, audit_log *log)
{
	mg_state *st = NULL;
	mg_backend *be = NULL;
	open_store(dir, &st, &be);
	memset(stats, 0, sizeof *stats);
	memset(fs, 0, sizeof *fs);
	mg_retry_policy pol = MG_RETRY_STANDARD;
	pol.sleep_ms = fake_sleep;
	pol.random = fixed_random;
	pol.ctx = z;
	mg_apply_opts o = { .repo = repo, .to_rev = rev, .today = TODAY, .lock_timeout_ms = 1000, .holder = "test",
			    .audit = collect, .audit_ctx = log, .retry = &pol };
	mg_backends bs = { { mgt_faulty_new(be, max_batch, with_probe, decide, fp, fs) }, 1 };
	int r = mg_apply_environment(st, &bs, &o, env, stats);
	mg_backends_release(&bs);
	mg_state_free(st);
	return r;
}

static void test_faults_retryable_ops_are_retried(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/store", mgt_scratch());
	fault_plan fp = { MGT_FAULT_RETRYABLE, 1, NULL, false };
	mg_apply_stats stats;
	mgt_faulty_stats fs;
	sleeps z = { 0, 0, 0 };
	audit_log log = { 0, 0, "" };
	MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 0, true, &stats, &fs, &z, &log), 0);
	MGT_CHECK(stats.planned > 0);
	MGT_EQ_INT(stats.executed, stats.planned);
	MGT_EQ_INT(stats.retried, stats.planned);     /* each op once more */
	MGT_EQ_INT(fs.ops_sent, 2 * (long)stats.planned);
	MGT_CHECK(z.count >= 1 && z.min_ms >= 1500);  /* waited, at least the service's retry-after */
	MGT_EQ_INT(log.lines, stats.planned);
	MGT_EQ_INT(log.failed, 0);
	mg_grant_set got, want;
	ledger(dir, "prod", &got);
	desired(a, "prod", &want);
	MGT_CHECK(same(&got, &want));
	mg_grant_set_release(&got);
	mg_grant_set_release(&want);
}

static void test_faults_unknown_outcomes_are_probed_not_resent(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	for (int with_probe = 0; with_probe < 2; with_probe++) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s/store-%d", mgt_scratch(), with_probe);
		/* the ops did land, but every answer was lost */
		fault_plan fp = { MGT_FAULT_UNKNOWN_DONE, 1, NULL, false };
		mg_apply_stats stats;
		mgt_faulty_stats fs;
		sleeps z = { 0, 0, 0 };
		audit_log log = { 0, 0, "" };
		MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 0, with_probe, &stats, &fs, &z, &log), 0);
		MGT_EQ_INT(stats.executed, stats.planned);
		MGT_EQ_INT(stats.probed, stats.planned);
		MGT_EQ_INT(stats.retried, 0);                  /* nothing sent twice */
		MGT_EQ_INT(fs.ops_sent, (long)stats.planned);
		MGT_EQ_INT(fs.probes, with_probe ? 1 : 0);     /* the backend's probe, or read_grants */
		mg_grant_set got, want;
		ledger(dir, "prod", &got);
		desired(a, "prod", &want);
		MGT_CHECK(same(&got, &want));
		mg_grant_set_release(&got);
		mg_grant_set_release(&want);
	}
}

static void test_faults_lost_ops_and_calls_are_sent_again(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	const mgt_fault faults[] = { MGT_FAULT_UNKNOWN_LOST, MGT_FAULT_CALL_LOST };
	for (int i = 0; i < 2; i++) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s/store-%d", mgt_scratch(), i);
		fault_plan fp = { faults[i], 1, NULL, false };
		mg_apply_stats stats;
		mgt_faulty_stats fs;
		sleeps z = { 0, 0, 0 };
		audit_log log = { 0, 0, "" };
		MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 0, true, &stats, &fs, &z, &log), 0);
		MGT_EQ_INT(stats.executed, stats.planned);
		MGT_EQ_INT(stats.probed, stats.planned); /* re-read first: none had landed */
		MGT_EQ_INT(stats.retried, stats.planned);
		mg_grant_set got, want;
		ledger(dir, "prod", &got);
		desired(a, "prod", &want);
		MGT_CHECK(same(&got, &want));
		mg_grant_set_release(&got);
		mg_grant_set_release(&want);
	}
}

static void test_faults_retries_are_bounded(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/store", mgt_scratch());
	fault_plan fp = { MGT_FAULT_RETRYABLE, 0, NULL, false }; /* throttled for ever */
	mg_apply_stats stats;
	mgt_faulty_stats fs;
	sleeps z = { 0, 0, 0 };
	audit_log log = { 0, 0, "" };
	MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 0, true, &stats, &fs, &z, &log), MG_EBACKEND);
	MGT_EQ_INT(fs.ops_sent, 3 * (long)stats.planned); /* the standard mode's three attempts, no more */
	MGT_EQ_INT(stats.failed, stats.planned);
	MGT_EQ_INT(log.failed, stats.planned);
	MGT_CHECK(strstr(log.last_failed, "\"attempts\":3") != NULL);
	MGT_CHECK(strstr(log.last_failed, "\"outcome\":\"retryable\"") != NULL);
	MGT_CHECK(strstr(mg_error_last(), "failed in environment 'prod'") != NULL);
	mg_state *st = NULL;
	mg_backend *be = NULL;
	mg_applied ap;
	open_store(dir, &st, &be);
	MGT_EQ_INT(st->last_applied(st, "prod", &ap), 0);
	MGT_CHECK(!ap.present); /* the state did not move */
	mg_backend_free(be);
	mg_state_free(st);
}

static void test_faults_one_refused_op_in_a_batch(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/store", mgt_scratch());
	/* the first grant of the plan is refused; its batch-mates are not */
	mg_grant_set none, want;
	mg_plan pl;
	mg_grant_set_init(&none);
	MGT_EQ_INT(mg_grant_set_finish(&none), 0);
	desired(a, "prod", &want);
	mg_plan_init(&pl);
	MGT_EQ_INT(mg_plan_diff(&none, &want, &pl), 0);
	MGT_CHECK(pl.count >= 3);
	char key[17];
	memcpy(key, pl.ops[0].key, sizeof key);
	fault_plan fp = { MGT_FAULT_FAILED, 0, key, false };
	mg_apply_stats stats;
	mgt_faulty_stats fs;
	sleeps z = { 0, 0, 0 };
	audit_log log = { 0, 0, "" };
	MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 0, true, &stats, &fs, &z, &log), MG_EBACKEND);
	MGT_EQ_INT(stats.failed, 1);
	MGT_EQ_INT(stats.executed, stats.planned - 1);
	MGT_EQ_INT(fs.ops_sent, (long)stats.planned); /* refused for good: not retried */
	MGT_EQ_INT(log.lines, stats.planned);         /* every op sent is audited, the refused one too */
	MGT_EQ_INT(log.failed, 1);
	MGT_CHECK(strstr(log.last_failed, key) && strstr(log.last_failed, "injected: access denied"));
	mg_grant_set got;
	ledger(dir, "prod", &got);
	MGT_EQ_INT(got.count, want.count - 1);
	mg_grant_set_release(&got);
	/* the next run completes it, skipping what the journal shows as done */
	fp.fault = MGT_FAULT_NONE;
	memset(&log, 0, sizeof log);
	MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 0, true, &stats, &fs, &z, &log), 0);
	MGT_EQ_INT(fs.ops_sent, 1);
	MGT_EQ_INT(stats.resumed, 1);
	MGT_EQ_INT(stats.skipped, pl.count - 1);
	ledger(dir, "prod", &got);
	MGT_CHECK(same(&got, &want));
	mg_grant_set_release(&got);
	mg_grant_set_release(&want);
	mg_grant_set_release(&none);
	mg_plan_release(&pl);
}

static void test_faults_calls_respect_max_batch(void)
{
	char a[41], b[41], c[41];
	make_repo(a, b, c);
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/store", mgt_scratch());
	fault_plan fp = { MGT_FAULT_NONE, 0, NULL, false };
	mg_apply_stats stats;
	mgt_faulty_stats fs;
	sleeps z = { 0, 0, 0 };
	audit_log log = { 0, 0, "" };
	MGT_EQ_INT(apply_faulty(dir, a, "prod", &fp, 2, true, &stats, &fs, &z, &log), 0);
	MGT_EQ_INT(fs.max_call_size, 2);
	MGT_CHECK(fs.calls >= (long)(stats.planned + 1) / 2);
	MGT_EQ_INT((long)stats.calls, fs.calls);
}

MGT_MAIN(test_partial_loads_plan_like_full_loads, test_first_apply_then_noop, test_crash_at_every_op_then_resume, test_crash_then_new_target,
	 test_concurrent_applies_serialise, test_faults_retryable_ops_are_retried,
	 test_faults_unknown_outcomes_are_probed_not_resent, test_faults_lost_ops_and_calls_are_sent_again,
	 test_faults_retries_are_bounded, test_faults_one_refused_op_in_a_batch, test_faults_calls_respect_max_batch)
