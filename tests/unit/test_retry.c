/*
 * test_retry.c - the standard retry mode: attempts, full-jitter backoff
 * bounds, the retry-after hint, and the run-wide token bucket.
 */
#include "meshgate/retry.h"
#include "mgt.h"

static unsigned long next_random;

static unsigned long fixed(void *ctx)
{
	(void)ctx;
	return next_random;
}

static void test_three_attempts_in_all(void)
{
	mg_retry_policy p = MG_RETRY_STANDARD;
	mg_retry_budget b;
	mg_retry_budget_init(&b, &p);
	MGT_CHECK(mg_retry_allow(&b, &p, 1, false));
	MGT_CHECK(mg_retry_allow(&b, &p, 2, false));
	MGT_CHECK(!mg_retry_allow(&b, &p, 3, false)); /* the third failure is final */
	MGT_EQ_INT(b.tokens, 500 - 2 * 5);
}

static void test_full_jitter_bounds(void)
{
	mg_retry_policy p = MG_RETRY_STANDARD;
	p.random = fixed;
	/* the largest random value reaches the ceiling: base * 2^(attempt-1), capped at 20 s */
	const long ceiling[] = { 1000, 2000, 4000, 8000, 16000, 20000, 20000 };
	for (int attempt = 1; attempt <= 7; attempt++) {
		next_random = (unsigned long)ceiling[attempt - 1];
		MGT_EQ_INT(mg_retry_delay_ms(&p, attempt, 0), ceiling[attempt - 1]);
		next_random = (unsigned long)ceiling[attempt - 1] + 1; /* wraps to 0: the floor is no wait */
		MGT_EQ_INT(mg_retry_delay_ms(&p, attempt, 0), 0);
	}
	/* with the real source every delay stays within [0, ceiling] */
	p.random = NULL;
	for (int i = 0; i < 1000; i++) {
		long d = mg_retry_delay_ms(&p, 2, 0);
		MGT_CHECK(d >= 0 && d <= 2000);
	}
}

static void test_retry_after_hint_is_a_floor_and_capped(void)
{
	mg_retry_policy p = MG_RETRY_STANDARD;
	p.random = fixed;
	next_random = 0;
	MGT_EQ_INT(mg_retry_delay_ms(&p, 1, 1500), 1500);    /* never sooner than the service asks */
	MGT_EQ_INT(mg_retry_delay_ms(&p, 1, 3600000), 20000); /* but a huge hint does not stall the run */
	next_random = 900;
	MGT_EQ_INT(mg_retry_delay_ms(&p, 1, 100), 900);
}

static void test_budget_stops_a_storm_and_refunds(void)
{
	mg_retry_policy p = MG_RETRY_STANDARD;
	mg_retry_budget b;
	mg_retry_budget_init(&b, &p);
	int allowed = 0;
	while (mg_retry_allow(&b, &p, 1, false))
		allowed++;
	MGT_EQ_INT(allowed, 100); /* 500 tokens at 5 per retry */
	MGT_EQ_INT(b.tokens, 0);
	for (int i = 0; i < 10; i++)
		mg_retry_success(&b, &p);
	MGT_EQ_INT(b.tokens, 10);
	MGT_CHECK(mg_retry_allow(&b, &p, 1, true)); /* a timeout costs 10 */
	MGT_EQ_INT(b.tokens, 0);
	MGT_CHECK(!mg_retry_allow(&b, &p, 1, false));
	/* successes never overfill the bucket */
	mg_retry_budget_init(&b, &p);
	for (int i = 0; i < 50; i++)
		mg_retry_success(&b, &p);
	MGT_EQ_INT(b.tokens, 500);
}

static long slept;

static void count_sleep(void *ctx, long ms)
{
	(void)ctx;
	slept += ms;
}

static void test_sleep_goes_through_the_policy(void)
{
	mg_retry_policy p = MG_RETRY_STANDARD;
	p.sleep_ms = count_sleep;
	slept = 0;
	mg_retry_sleep(&p, 1234);
	mg_retry_sleep(&p, 0);
	mg_retry_sleep(&p, -5);
	MGT_EQ_INT(slept, 1234);
	p.sleep_ms = NULL;
	mg_retry_sleep(&p, 1); /* the real sleep returns */
}

MGT_MAIN(test_three_attempts_in_all, test_full_jitter_bounds, test_retry_after_hint_is_a_floor_and_capped,
	 test_budget_stops_a_storm_and_refunds, test_sleep_goes_through_the_policy)
