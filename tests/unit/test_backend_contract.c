/*
 * test_backend_contract.c - the backend contract (lib/contract.h) on the
 * local ledger, and on the fault-injecting wrapper with its faults off and
 * a batch of one, so the wrapper the executor tests rely on is itself a
 * faithful backend.  And what the remote backends' constructors share: the
 * name, channels and batch they declare, and a meta-ledger beside the state
 * made only once the options are good.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/contract.h"
#include "meshgate/apply.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "mgt.h"

static const mgt_contract_fixture FX = {
	.environment = "prod",
	.other_environment = "dev",
	.product = "sales-orders",
	.table = "orders",
	.columns = { "amount", "country", "email" },
	.principals = { "111122223333", "444455556666" },
	.channel = MG_CHANNEL_LAKEFORMATION,
	.all_except = true,
};

static char ledger_path[4096];

static mg_backend *open_local(void *ctx)
{
	(void)ctx;
	mg_backend *b = NULL;
	if (mg_backend_local_new(&b, ledger_path) < 0)
		fprintf(stderr, "ledger: %s\n", mg_error_last());
	return b;
}

static mgt_faulty_stats wrapped_stats;

static mg_backend *open_wrapped(void *ctx)
{
	mg_backend *inner = open_local(ctx);
	return inner ? mgt_faulty_new(inner, 1, true, NULL, NULL, &wrapped_stats) : NULL;
}

static void test_local_ledger(void)
{
	snprintf(ledger_path, sizeof ledger_path, "%s/ledger.db", mgt_scratch());
	mgt_backend_contract("local", open_local, NULL, &FX);
}

static void test_wrapped_ledger(void)
{
	snprintf(ledger_path, sizeof ledger_path, "%s/ledger.db", mgt_scratch());
	mgt_backend_contract("faulty(none)", open_wrapped, NULL, &FX);
	MGT_EQ_INT(wrapped_stats.max_call_size, 1); /* the contract honours max_batch */
	MGT_CHECK(wrapped_stats.calls >= 8);
	MGT_CHECK(wrapped_stats.probes >= 1);
}

static mgt_fault lie_about_revokes(void *ctx, const mg_op *op, int nth)
{
	(void)ctx;
	(void)nth;
	return op->kind == MG_OP_REVOKE ? MGT_FAULT_LIE : MGT_FAULT_NONE;
}

static mg_backend *open_liar(void *ctx)
{
	mg_backend *inner = open_local(ctx);
	return inner ? mgt_faulty_new(inner, 0, false, lie_about_revokes, NULL, &wrapped_stats) : NULL;
}

/* The contract itself can fail: a backend that acknowledges revokes it never executed does not pass. */
static void test_contract_rejects_a_backend_that_skips_revokes(void)
{
	snprintf(ledger_path, sizeof ledger_path, "%s/ledger.db", mgt_scratch());
	int before = mgt__failures;
	fprintf(stderr, "(the next contract failures are expected: a backend that skips revokes)\n");
	mgt_backend_contract("liar", open_liar, NULL, &FX);
	int caught = mgt__failures - before;
	mgt__failures = before;
	MGT_CHECK(caught > 0);
}

/* Every channel: the ledger serves lakeformation, iam and postgres consumers alike. */
static void test_local_every_channel(void)
{
	const mg_channel chans[] = { MG_CHANNEL_IAM, MG_CHANNEL_POSTGRES };
	for (size_t i = 0; i < 2; i++) {
		mgt_contract_fixture fx = FX;
		fx.channel = chans[i];
		fx.all_except = false;
		snprintf(ledger_path, sizeof ledger_path, "%s/ledger-%zu.db", mgt_scratch(), i);
		mgt_backend_contract(mg_channel_name(chans[i]), open_local, NULL, &fx);
	}
}

/* A sink that keeps the last warning it was given. */
typedef struct {
	int calls;
	char backend[32], environment[32], code[64], resource[64], message[2048];
} seen_warning;

static void keep_warning(void *ctx, const mg_backend_warning *w)
{
	seen_warning *s = ctx;
	s->calls++;
	snprintf(s->backend, sizeof s->backend, "%s", w->backend);
	snprintf(s->environment, sizeof s->environment, "%s", w->environment);
	snprintf(s->code, sizeof s->code, "%s", w->code);
	snprintf(s->resource, sizeof s->resource, "%s", w->resource);
	snprintf(s->message, sizeof s->message, "%s", w->message);
}

/* The warnings path: the registry hands the creator's sink to the backend; no sink drops them. */
static void test_warnings_reach_the_sink_given_at_creation(void)
{
	seen_warning seen;
	memset(&seen, 0, sizeof seen);
	mg_backend_params p = { "prod", mgt_scratch(), "meshgate.yaml", NULL, { keep_warning, &seen } };
	mg_backend *b = NULL;
	MGT_EQ_INT(mg_backend_create(&b, "local", &p), 0);
	mg_backend_warn(b, "prod", "some-code", "table shop.orders", "%s holds %d", "someone", 3);
	MGT_EQ_INT(seen.calls, 1);
	MGT_EQ_STR(seen.backend, "local");
	MGT_EQ_STR(seen.environment, "prod");
	MGT_EQ_STR(seen.code, "some-code");
	MGT_EQ_STR(seen.resource, "table shop.orders");
	MGT_EQ_STR(seen.message, "someone holds 3");
	/* a NULL resource is "", and a long message is cut, not overrun */
	char long_text[3000];
	memset(long_text, 'x', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	mg_backend_warn(b, "prod", "some-code", NULL, "%s", long_text);
	MGT_EQ_INT(seen.calls, 2);
	MGT_EQ_STR(seen.resource, "");
	MGT_EQ_INT((long)strlen(seen.message), 1023);
	mg_backend_free(b);

	/* built without a sink (or by hand): dropped, never printed */
	mg_backend_params quiet = { "prod", mgt_scratch(), "meshgate.yaml", NULL, { NULL, NULL } };
	MGT_EQ_INT(mg_backend_create(&b, "local", &quiet), 0);
	mg_backend_warn(b, "prod", "some-code", "x", "dropped");
	mg_backend_free(b);
	MGT_EQ_INT(seen.calls, 2);
}

/* A warning's audit line: JSON, quotes and control characters escaped, "warning" for "operation". */
static void test_warning_audit_line(void)
{
	mg_backend_warning w = { "lakeformation", "prod", "iam-allowed-principals", "table shop.\"o\"",
				 "says \"no\"\nnext" };
	mg_buf b = MG_BUF_INIT;
	MGT_EQ_INT(mg_audit_warning_line(&w, &b), 0);
	const char *tail = strstr(b.ptr, "\",\"environment\"");
	MGT_CHECK(strncmp(b.ptr, "{\"time\":\"", 9) == 0);
	MGT_CHECK(tail != NULL);
	MGT_EQ_STR(tail, "\",\"environment\":\"prod\",\"backend\":\"lakeformation\",\"warning\":\"iam-allowed-principals\","
			 "\"resource\":\"table shop.\\\"o\\\"\",\"message\":\"says \\\"no\\\"\\nnext\"}");
	mg_buf_release(&b);
}

/*
 * Builds type from the options yaml in the state directory dir; the result
 * of mg_backend_create.  *doc holds the options, which the backend borrows.
 */
static int create(mg_backend **out, mg_doc **doc, const char *type, const char *yaml, const char *dir)
{
	*doc = NULL;
	MGT_EQ_INT(mg_doc_parse_yaml(doc, "meshgate.yaml", yaml, strlen(yaml), NULL, NULL), 0);
	mg_backend_params p = { "prod", dir, "meshgate.yaml", *doc ? (*doc)->root : NULL, { NULL, NULL } };
	return mg_backend_create(out, type, &p);
}

static void test_remote_backends_create(void)
{
	static const struct {
		const char *type, *good, *bad, *meta;
		mg_channel channel;
		size_t max_batch;
	} cases[] = {
		{ "postgres", "type: postgres\nservice: shop\n", "type: postgres\ndsn-env: MGT_NO_SUCH_DSN\n",
		  "postgres-meta.db", MG_CHANNEL_POSTGRES, 500 },
		{ "lakeformation", "type: lakeformation\ncatalog-id: \"111122223333\"\n", "type: lakeformation\n",
		  "lakeformation-meta.db", MG_CHANNEL_LAKEFORMATION, 10 },
		{ "s3-policy", "type: s3-policy\nregion: eu-west-1\n", "type: s3-policy\nregion: x\n",
		  "s3-policy-meta.db", MG_CHANNEL_IAM, 50 },
	};
	unsetenv("MGT_NO_SUCH_DSN");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const mg_backend_type *t = mg_backend_type_find(cases[i].type);
		char dir[4096], meta[4200];
		struct stat st;
		mg_backend *b = NULL;
		mg_doc *doc;
		if (!t || !t->create) {
			fprintf(stderr, "%s is not built in: skipped\n", cases[i].type);
			continue;
		}
		/* refused options: an error, and nothing written beside the state */
		snprintf(dir, sizeof dir, "%s/bad-%s", mgt_scratch(), cases[i].type);
		MGT_EQ_INT(mkdir(dir, 0700), 0);
		snprintf(meta, sizeof meta, "%s/%s", dir, cases[i].meta);
		MGT_EQ_INT(create(&b, &doc, cases[i].type, cases[i].bad, dir), MG_EINVALID);
		MGT_CHECK(b == NULL);
		MGT_CHECK(stat(meta, &st) != 0);
		mg_error_clear();
		mg_doc_free(doc);
		/* good ones: what the backend declares, and its meta-ledger at STATE/TYPE-meta.db */
		snprintf(dir, sizeof dir, "%s/good-%s", mgt_scratch(), cases[i].type);
		MGT_EQ_INT(mkdir(dir, 0700), 0);
		snprintf(meta, sizeof meta, "%s/%s", dir, cases[i].meta);
		MGT_EQ_INT(create(&b, &doc, cases[i].type, cases[i].good, dir), 0);
		if (!b) {
			mg_doc_free(doc);
			continue;
		}
		MGT_EQ_STR(b->name, cases[i].type);
		MGT_EQ_INT(b->channels, MG_CHANNEL_BIT(cases[i].channel));
		MGT_EQ_INT(b->max_batch, cases[i].max_batch);
		MGT_CHECK(b->begin && b->apply && b->read_grants && b->end && b->free && !b->probe);
		MGT_CHECK(stat(meta, &st) == 0);
		mg_backend_free(b);
		mg_doc_free(doc);
	}
}

MGT_MAIN(test_local_ledger, test_wrapped_ledger, test_local_every_channel,
	 test_contract_rejects_a_backend_that_skips_revokes, test_warnings_reach_the_sink_given_at_creation,
	 test_warning_audit_line, test_remote_backends_create)
