/*
 * live_lakeformation.c - the lakeformation backend against a Lake Formation
 * endpoint (moto's, started by tests/cli/lf-live.sh, which sets
 * MESHGATE_LF_ENDPOINT and test credentials):
 *
 *   - the backend contract (tests/unit/lib/contract.c), "all columns except" too;
 *   - a property test: random desired states in sequence, each applied as the
 *     plan from the previous one; after each, read_grants (ListPermissions, every
 *     page) gives exactly the desired set back (no drift), so narrowing,
 *     widening, switching between column lists and wildcards and revoking never
 *     leave a permission behind;
 *   - a second handle on a fresh state directory still revokes what it did not
 *     grant itself (it revokes what Lake Formation holds, not what it remembers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_int.h"
#include "lib/contract.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "mgt.h"

static mg_doc *opts_doc;
static char state_dir[512];

static mg_backend *open_lf(void *ctx)
{
	(void)ctx;
	return mgt_backend_from("lakeformation", opts_doc, state_dir);
}

static void setup(const char *catalog)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml, "type: lakeformation\nregion: eu-west-1\ncatalog-id: \"%s\"\nendpoint-url: %s\n",
		 catalog, getenv("MESHGATE_LF_ENDPOINT"));
	mgt_backend_options(&opts_doc, yaml);
	snprintf(state_dir, sizeof state_dir, "%s", mgt_scratch());
}

static void test_contract(void)
{
	setup("111111111111");
	mgt_contract_fixture fx = { "prod", "dev", "contract_p", "t", { "a", "b", "c" },
				    { "444455556666", "555566667777" }, MG_CHANNEL_LAKEFORMATION, true };
	mgt_backend_contract("lakeformation", open_lf, NULL, &fx);
}

/* ---- the property test ---- */

static mgt_world world = { "prod", "prop", MG_CHANNEL_LAKEFORMATION, { "t1", "t2" },
			   { { "a", "b", "c", "d" }, { "x", "y", "z", NULL } },
			   { "100000000001", "100000000002", "arn:aws:iam::100000000003:role/r" }, 88172645463325252ull };

static void test_property_random_edits(void)
{
	setup("222222222222");
	mg_backend *b = open_lf(NULL);
	mg_grant_set prev;
	mg_grant_set_init(&prev);
	MGT_EQ_INT(mg_grant_set_finish(&prev), 0);
	MGT_EQ_INT(b->begin(b, "prod"), 0);
	for (int step = 0; step < 30; step++) {
		mgt_random_step(&world, b, &prev);
		MGT_EQ_INT((int)mgt_drift_count(b, "prod", &prev, step), 0);
		/* a new session now and then: what is held is read again from the service */
		if (step % 7 == 6) {
			MGT_EQ_INT(b->end(b), 0);
			MGT_EQ_INT(b->begin(b, "prod"), 0);
		}
	}
	MGT_EQ_INT(b->end(b), 0);

	/* a fresh state directory: revoking everything still leaves nothing held */
	mg_backend *fresh;
	mgt_write("fresh/.keep", "");
	snprintf(state_dir, sizeof state_dir, "%s/fresh", mgt_scratch());
	fresh = open_lf(NULL);
	mg_grant_set none;
	mg_plan plan;
	mg_grant_set_init(&none);
	MGT_EQ_INT(mg_grant_set_finish(&none), 0);
	mg_plan_init(&plan);
	MGT_EQ_INT(mg_plan_diff(&prev, &none, &plan), 0);
	MGT_EQ_INT(fresh->begin(fresh, "prod"), 0);
	mgt_apply_all(fresh, &plan);
	MGT_EQ_INT(fresh->end(fresh), 0);
	/* the first handle manages these principals: it must read nothing left */
	MGT_EQ_INT((int)mgt_drift_count(b, "prod", &none, 99), 0);
	mg_plan_release(&plan);
	mg_grant_set_release(&none);
	mg_grant_set_release(&prev);
	mg_backend_free(fresh);
	mg_backend_free(b);
}

MGT_MAIN(test_contract, test_property_random_edits)
