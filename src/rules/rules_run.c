/*
 * rules_run.c - mg_rules_run(): the catalogue rules in one pass (see
 * meshgate/rules.h): indexes first, then each product, then the rules over
 * whole environments.
 */
#include <string.h>

#include "meshgate/error.h"
#include "rules/rules_int.h"

/* Edit-distance cells all "did you mean" suggestions of one run may spend. */
#define SUGGEST_BUDGET ((size_t)16 * 1024 * 1024)

static int run(const mg_catalogue *cat, const mg_rules_ctx *ctx, mg_rules_product_run *runs,
	       mg_findings *findings)
{
	mg_rules_state st;
	int r;
	if (!cat || !ctx || !ctx->pii || !findings) {
		mg_error_set("mg_rules_run: missing catalogue, context, PII matcher or findings");
		return MG_EINVALID;
	}
	memset(&st, 0, sizeof st);
	st.cat = cat;
	st.ctx = ctx;
	st.f = findings;
	mg_buf_init(&st.key);
	st.suggest_budget = SUGGEST_BUDGET;
	if ((r = mg_rules_index(&st)) < 0)
		goto done;
	for (size_t i = 0; i < cat->nproducts; i++) {
		mg_rules_product_run *pr = runs ? &runs[i] : NULL;
		if (pr && !pr->fresh) {
			/* its findings did not depend on the budget; it must not run out here either */
			if (pr->spent >= st.suggest_budget) {
				r = 1;
				goto done;
			}
			st.suggest_budget -= (size_t)pr->spent;
			continue;
		}
		size_t before = st.suggest_budget;
		if (pr)
			pr->first = findings->count;
		if ((r = mg_rules_product(&st, i)) < 0)
			goto done;
		if (pr) {
			pr->end = findings->count;
			pr->spent = before - st.suggest_budget;
			pr->clean = st.suggest_budget > 0;
		}
	}
	r = mg_rules_global(&st);
done:
	mg_rules_state_release(&st);
	return r;
}

int mg_rules_run(const mg_catalogue *cat, const mg_rules_ctx *ctx, mg_findings *findings)
{
	return run(cat, ctx, NULL, findings);
}

int mg_rules_run_partial(const mg_catalogue *cat, const mg_rules_ctx *ctx, mg_rules_product_run *runs,
			 mg_findings *findings)
{
	return run(cat, ctx, runs, findings);
}
