/*
 * contract.c - the backend contract and the fault-injecting wrapper
 * (see contract.h).
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "mgt.h"

/* ---- the contract ---- */

/* Adds principal who's grant on columns [first, first + ncols) of the fixture's table. */
static void add_grant(mg_grant_set *s, const mgt_contract_fixture *fx, int who, bool except, size_t first,
		      size_t ncols)
{
	unsigned zero[3] = { 0, 0, 0 };
	const char *cols[3];
	for (size_t i = 0; i < ncols; i++)
		cols[i] = fx->columns[first + i];
	mg_grant g = { .environment = fx->environment, .product = fx->product, .principal = fx->principals[who],
		       .channel = fx->channel, .table = fx->table, .except = except, .columns = cols,
		       .column_exposure = zero, .ncolumns = ncols, .perms = MG_PERM_SELECT | MG_PERM_DESCRIBE };
	MGT_EQ_INT(mg_grant_set_add(s, &g), 0);
}

/* Sends plan through b in chunks of its max_batch; every op must come back ok. */
static void send(const char *label, mg_backend *b, const mg_plan *plan)
{
	size_t max = b->max_batch ? b->max_batch : plan->count;
	mg_op_result *res = calloc(plan->count ? plan->count : 1, sizeof *res);
	MGT_CHECK(res != NULL);
	for (size_t off = 0; res && off < plan->count; off += max) {
		size_t n = plan->count - off < max ? plan->count - off : max;
		int r = b->apply(b, plan->ops + off, n, res + off);
		if (r != 0)
			fprintf(stderr, "%s: apply: %s\n", label, mg_error_last());
		MGT_EQ_INT(r, 0);
		for (size_t i = 0; r == 0 && i < n; i++) {
			if (res[off + i].status != MG_OP_OK)
				fprintf(stderr, "%s: op %zu: %s: %s\n", label, off + i,
					mg_op_status_name(res[off + i].status), res[off + i].message);
			MGT_EQ_INT(res[off + i].status, MG_OP_OK);
		}
	}
	free(res);
}

/* What b grants the fixture's principals on its table in env. */
static void read_managed(mg_backend *b, const mgt_contract_fixture *fx, const char *env, mg_grant_set *out)
{
	mg_grant_set all;
	mg_grant_set_init(&all);
	mg_grant_set_init(out);
	MGT_EQ_INT(b->read_grants(b, env, &all), 0);
	MGT_EQ_INT(mg_grant_set_finish(&all), 0);
	for (size_t i = 0; i < all.count; i++) {
		const mg_grant *g = &all.items[i];
		if (strcmp(g->product, fx->product) != 0 || !g->table || strcmp(g->table, fx->table) != 0)
			continue;
		if (strcmp(g->principal, fx->principals[0]) != 0 && strcmp(g->principal, fx->principals[1]) != 0)
			continue;
		MGT_EQ_INT(mg_grant_set_add(out, g), 0);
	}
	MGT_EQ_INT(mg_grant_set_finish(out), 0);
	mg_grant_set_release(&all);
}

static bool same_set(const mg_grant_set *x, const mg_grant_set *y)
{
	if (x->count != y->count)
		return false;
	for (size_t i = 0; i < x->count; i++)
		if (!mg_grant_equal(&x->items[i], &y->items[i]))
			return false;
	return true;
}

/* b (and a reopened handle) shows exactly want; every op of plan is in effect. */
static void expect(const char *label, const char *step, mgt_backend_open open, void *ctx, mg_backend *b,
		   const mgt_contract_fixture *fx, const mg_grant_set *want, const mg_plan *plan)
{
	mg_grant_set got;
	read_managed(b, fx, fx->environment, &got);
	if (!same_set(&got, want))
		fprintf(stderr, "%s: %s: the backend holds %zu grants, %zu expected\n", label, step, got.count,
			want->count);
	MGT_CHECK(same_set(&got, want));
	for (size_t i = 0; plan && i < plan->count; i++)
		MGT_CHECK(mg_op_in_effect(&got, &plan->ops[i]));
	if (plan && b->probe && plan->count) {
		bool *in = calloc(plan->count, sizeof *in);
		MGT_CHECK(in && b->probe(b, plan->ops, plan->count, in) == 0);
		for (size_t i = 0; in && i < plan->count; i++)
			MGT_CHECK(in[i]);
		free(in);
	}
	mg_grant_set_release(&got);
	/* durable: a second handle sees the same, reading outside a session as drift and access do
	 * (a backend may refuse a second session while the first holds the environment) */
	mg_backend *again = open(ctx);
	MGT_CHECK(again != NULL);
	if (again) {
		read_managed(again, fx, fx->environment, &got);
		MGT_CHECK(same_set(&got, want));
		mg_grant_set_release(&got);
		if (fx->other_environment) {
			read_managed(again, fx, fx->other_environment, &got);
			MGT_EQ_INT(got.count, 0); /* listing is per environment */
			mg_grant_set_release(&got);
		}
		mg_backend_free(again);
	}
}

void mgt_backend_contract(const char *label, mgt_backend_open open, void *ctx, const mgt_contract_fixture *fx)
{
	mg_grant_set none, s1, s2;
	mg_plan p;
	mg_backend *b = open(ctx);
	MGT_CHECK(b != NULL);
	if (!b)
		return;
	MGT_CHECK(b->channels & MG_CHANNEL_BIT(fx->channel));
	MGT_EQ_INT(b->begin(b, fx->environment), 0);
	mg_grant_set_init(&none);
	mg_grant_set_init(&s1);
	mg_grant_set_init(&s2);
	MGT_EQ_INT(mg_grant_set_finish(&none), 0);

	/* s1: principal 0 reads columns 0 and 1; principal 1 all but column 2 (or columns 0, 1) */
	add_grant(&s1, fx, 0, false, 0, 2);
	if (fx->all_except)
		add_grant(&s1, fx, 1, true, 2, 1);
	else
		add_grant(&s1, fx, 1, false, 0, 2);
	MGT_EQ_INT(mg_grant_set_finish(&s1), 0);
	/* s2: principal 0 narrowed to column 0, principal 1 gone */
	add_grant(&s2, fx, 0, false, 0, 1);
	MGT_EQ_INT(mg_grant_set_finish(&s2), 0);

	/* grant */
	mg_plan_init(&p);
	MGT_EQ_INT(mg_plan_diff(&none, &s1, &p), 0);
	MGT_CHECK(p.count >= 2);
	send(label, b, &p);
	expect(label, "grant", open, ctx, b, fx, &s1, &p);
	/* granting what exists succeeds and changes nothing */
	send(label, b, &p);
	expect(label, "grant again", open, ctx, b, fx, &s1, &p);
	mg_plan_release(&p);

	/* narrow and revoke, in batches of at most max_batch */
	mg_plan_init(&p);
	MGT_EQ_INT(mg_plan_diff(&s1, &s2, &p), 0);
	MGT_CHECK(p.count >= 2);
	send(label, b, &p);
	expect(label, "narrow and revoke", open, ctx, b, fx, &s2, &p);
	/* revoking what is absent succeeds */
	send(label, b, &p);
	expect(label, "revoke again", open, ctx, b, fx, &s2, &p);
	mg_plan_release(&p);

	/* back to nothing */
	mg_plan_init(&p);
	MGT_EQ_INT(mg_plan_diff(&s2, &none, &p), 0);
	send(label, b, &p);
	expect(label, "revoke all", open, ctx, b, fx, &none, &p);
	mg_plan_release(&p);

	MGT_EQ_INT(b->end(b), 0);
	mg_backend_free(b);
	mg_grant_set_release(&none);
	mg_grant_set_release(&s1);
	mg_grant_set_release(&s2);
}

/* ---- the fault-injecting wrapper ---- */

typedef struct seen {
	char key[17];
	int n;
} seen;

typedef struct faulty {
	mg_backend base;
	mg_backend *inner;
	mgt_fault (*decide)(void *ctx, const mg_op *op, int nth);
	void *ctx;
	mgt_faulty_stats *stats;
	seen *seen;
	size_t nseen, capseen;
} faulty;

static int nth_sending(faulty *f, const mg_op *op)
{
	for (size_t i = 0; i < f->nseen; i++)
		if (strcmp(f->seen[i].key, op->key) == 0)
			return ++f->seen[i].n;
	if (f->nseen == f->capseen) {
		size_t cap = f->capseen ? 2 * f->capseen : 64;
		seen *s = realloc(f->seen, cap * sizeof *s);
		if (!s)
			abort();
		f->seen = s;
		f->capseen = cap;
	}
	memcpy(f->seen[f->nseen].key, op->key, sizeof op->key);
	f->seen[f->nseen].n = 1;
	f->nseen++;
	return 1;
}

static int f_begin(mg_backend *b, const char *env)
{
	faulty *f = (faulty *)b;
	return f->inner->begin(f->inner, env);
}

static int f_apply(mg_backend *b, const mg_op *ops, size_t n, mg_op_result *res)
{
	faulty *f = (faulty *)b;
	mgt_fault *what = calloc(n ? n : 1, sizeof *what);
	mg_op *pass = calloc(n ? n : 1, sizeof *pass);
	mg_op_result *pres = calloc(n ? n : 1, sizeof *pres);
	size_t np = 0;
	bool lost = false;
	int r = 0;
	if (!what || !pass || !pres)
		abort();
	f->stats->calls++;
	f->stats->ops_sent += (long)n;
	if ((long)n > f->stats->max_call_size)
		f->stats->max_call_size = (long)n;
	for (size_t i = 0; i < n; i++) {
		what[i] = f->decide ? f->decide(f->ctx, &ops[i], nth_sending(f, &ops[i])) : MGT_FAULT_NONE;
		lost |= what[i] == MGT_FAULT_CALL_LOST;
		if (what[i] == MGT_FAULT_NONE || what[i] == MGT_FAULT_UNKNOWN_DONE)
			pass[np++] = ops[i];
	}
	if (lost) {
		mg_error_set("injected: the connection was lost before the request was sent");
		r = MG_EBACKEND;
		goto done;
	}
	if (np && (r = f->inner->apply(f->inner, pass, np, pres)) < 0)
		goto done;
	for (size_t i = 0, k = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		switch (what[i]) {
		case MGT_FAULT_NONE:
			res[i] = pres[k++];
			break;
		case MGT_FAULT_UNKNOWN_DONE:
			k++;
			res[i].status = MG_OP_UNKNOWN;
			snprintf(res[i].message, sizeof res[i].message, "injected: timed out after sending");
			break;
		case MGT_FAULT_UNKNOWN_LOST:
			res[i].status = MG_OP_UNKNOWN;
			snprintf(res[i].message, sizeof res[i].message, "injected: timed out");
			break;
		case MGT_FAULT_RETRYABLE:
			res[i].status = MG_OP_RETRYABLE;
			res[i].retry_after_ms = 1500;
			snprintf(res[i].message, sizeof res[i].message, "injected: throttled");
			break;
		case MGT_FAULT_FAILED:
			res[i].status = MG_OP_FAILED;
			snprintf(res[i].message, sizeof res[i].message, "injected: access denied");
			break;
		case MGT_FAULT_LIE:
			res[i].status = MG_OP_OK;
			break;
		case MGT_FAULT_CALL_LOST:
			break;
		}
	}
done:
	free(what);
	free(pass);
	free(pres);
	return r;
}

static int f_probe(mg_backend *b, const mg_op *ops, size_t n, bool *in_effect)
{
	faulty *f = (faulty *)b;
	mg_grant_set actual;
	int r;
	f->stats->probes++;
	mg_grant_set_init(&actual);
	if ((r = f->inner->read_grants(f->inner, ops[0].grant.environment, &actual)) == 0 &&
	    (r = mg_grant_set_finish(&actual)) == 0)
		for (size_t i = 0; i < n; i++)
			in_effect[i] = mg_op_in_effect(&actual, &ops[i]);
	mg_grant_set_release(&actual);
	return r;
}

static int f_read(mg_backend *b, const char *env, mg_grant_set *out)
{
	faulty *f = (faulty *)b;
	return f->inner->read_grants(f->inner, env, out);
}

static int f_end(mg_backend *b)
{
	faulty *f = (faulty *)b;
	return f->inner->end(f->inner);
}

static void f_free(mg_backend *b)
{
	faulty *f = (faulty *)b;
	mg_backend_free(f->inner);
	free(f->seen);
	free(f);
}

mg_backend *mgt_faulty_new(mg_backend *inner, size_t max_batch, bool with_probe,
			   mgt_fault (*decide)(void *ctx, const mg_op *op, int nth), void *ctx,
			   mgt_faulty_stats *stats)
{
	faulty *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->base.name = inner->name;
	f->base.channels = inner->channels;
	f->base.max_batch = max_batch ? max_batch : inner->max_batch;
	f->base.begin = f_begin;
	f->base.apply = f_apply;
	f->base.probe = with_probe ? f_probe : NULL;
	f->base.read_grants = f_read;
	f->base.end = f_end;
	f->base.free = f_free;
	f->inner = inner;
	f->decide = decide;
	f->ctx = ctx;
	f->stats = stats;
	return &f->base;
}

/* ---- the property test's parts ---- */

static unsigned world_next(mgt_world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned)(w->rng >> 11);
}

void mgt_random_state(mgt_world *w, mg_grant_set *s)
{
	unsigned zero[4] = { 0 };
	mg_grant_set_init(s);
	for (int r = 0; r < 3; r++) {
		if (world_next(w) % 4 == 0)
			continue;
		mg_grant db = { .environment = w->environment, .product = w->product, .principal = w->principals[r],
				.channel = w->channel, .perms = MG_PERM_DESCRIBE, .column_exposure = zero };
		MGT_EQ_INT(mg_grant_set_add(s, &db), 0);
		for (int t = 0; t < 2; t++) {
			if (world_next(w) % 3 == 0)
				continue;
			const char *cols[4];
			size_t n = 0;
			for (int k = 0; k < 4 && w->columns[t][k]; k++)
				if (world_next(w) % 2)
					cols[n++] = w->columns[t][k];
			bool except = world_next(w) % 2;
			if (!except && n == 0)
				continue;
			mg_grant g = { .environment = w->environment, .product = w->product, .principal = w->principals[r],
				       .channel = w->channel, .table = w->tables[t], .except = except, .columns = cols,
				       .column_exposure = zero, .ncolumns = n, .perms = MG_PERM_SELECT | MG_PERM_DESCRIBE };
			MGT_EQ_INT(mg_grant_set_add(s, &g), 0);
		}
	}
	MGT_EQ_INT(mg_grant_set_finish(s), 0);
}

void mgt_apply_all(mg_backend *b, const mg_plan *plan)
{
	mg_op_result *res = calloc(plan->count + 1, sizeof *res);
	for (size_t off = 0; off < plan->count; off += b->max_batch) {
		size_t n = plan->count - off < b->max_batch ? plan->count - off : b->max_batch;
		int r = b->apply(b, plan->ops + off, n, res + off);
		if (r != 0)
			fprintf(stderr, "apply: %s\n", mg_error_last());
		MGT_EQ_INT(r, 0);
	}
	for (size_t i = 0; i < plan->count; i++) {
		if (res[i].status != MG_OP_OK)
			fprintf(stderr, "op %zu: %s: %s\n", i, mg_op_status_name(res[i].status), res[i].message);
		MGT_EQ_INT(res[i].status, MG_OP_OK);
	}
	free(res);
}

void mgt_random_step(mgt_world *w, mg_backend *b, mg_grant_set *held)
{
	mg_grant_set next;
	mg_plan plan;
	mgt_random_state(w, &next);
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(held, &next, &plan), 0);
	mgt_apply_all(b, &plan);
	mg_plan_release(&plan);
	mg_grant_set_release(held);
	*held = next;
}

size_t mgt_drift_count(mg_backend *b, const char *env, const mg_grant_set *want, int step)
{
	mg_grant_set actual;
	mg_plan drift;
	mg_grant_set_init(&actual);
	MGT_EQ_INT(b->read_grants(b, env, &actual), 0);
	mg_plan_init(&drift);
	MGT_EQ_INT(mg_plan_diff(&actual, want, &drift), 0);
	for (size_t i = 0; i < drift.count && i < 3; i++)
		fprintf(stderr, "step %d: drift %s %s on %s (%zu columns%s)\n", step,
			drift.ops[i].kind == MG_OP_GRANT ? "grant" : "revoke", drift.ops[i].grant.principal,
			drift.ops[i].grant.table ? drift.ops[i].grant.table : "(db)", drift.ops[i].grant.ncolumns,
			drift.ops[i].grant.except ? ", except" : "");
	size_t n = drift.count;
	mg_plan_release(&drift);
	mg_grant_set_release(&actual);
	return n;
}

/* ---- backends built from meshgate.yaml ---- */

void mgt_backend_options(mg_doc **doc, const char *yaml)
{
	mg_doc_free(*doc);
	*doc = NULL;
	MGT_EQ_INT(mg_doc_parse_yaml(doc, "meshgate.yaml", yaml, strlen(yaml), NULL, NULL), 0);
}

mg_backend *mgt_backend_from(const char *type, const mg_doc *options, const char *state_dir)
{
	mg_backend *b = NULL;
	mg_backend_params p = { "prod", state_dir, "meshgate.yaml", options ? options->root : NULL, { NULL, NULL } };
	int r = mg_backend_create(&b, type, &p);
	if (r != 0)
		fprintf(stderr, "open: %s\n", mg_error_last());
	MGT_EQ_INT(r, 0);
	return b;
}
