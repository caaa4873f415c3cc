/*
 * retry.h - when to try an operation again: the AWS SDKs' "standard" retry
 * mode (DESIGN §5), for every backend and every remote call.
 *
 *   attempts  at most max_attempts tries in all (default 3);
 *   backoff   full jitter: a uniformly random delay in [0, min(cap, base * 2^n)]
 *             before retry n+1 (base 1 s, cap 20 s), never less than the
 *             service's retry-after hint (itself capped);
 *   budget    a token bucket shared by a whole run (500 tokens): a retry
 *             costs 5, a retry after a timeout or unknown outcome 10, and a
 *             success refunds 1 up to the capacity; an empty bucket stops
 *             retrying, so a failing service is not hammered.
 *
 * Pure but for the injectable sleep and random source, so tests can run
 * the policy without waiting.
 */
#ifndef MESHGATE_RETRY_H
#define MESHGATE_RETRY_H

#include <stdbool.h>

typedef struct mg_retry_policy {
	int max_attempts;  /* tries in all, >= 1 */
	long base_ms, cap_ms;
	long capacity;     /* the bucket's size */
	long cost_retry, cost_timeout, refund;
	/* NULL: nanosleep / a per-process xorshift seeded from the clock */
	void (*sleep_ms)(void *ctx, long ms);
	unsigned long (*random)(void *ctx);
	void *ctx;
} mg_retry_policy;

/* 3 attempts, 1 s base, 20 s cap, 500 tokens, 5/10 per retry, 1 refunded. */
#define MG_RETRY_STANDARD { 3, 1000, 20000, 500, 5, 10, 1, NULL, NULL, NULL }

typedef struct mg_retry_budget {
	long tokens;
} mg_retry_budget;

void mg_retry_budget_init(mg_retry_budget *b, const mg_retry_policy *p);
/*
 * Decides whether to try again after attempt `attempt` (1-based) failed:
 * true (tokens taken) when attempts and budget allow.  timeout: the
 * failure was a timeout or an unknown outcome (costs more).
 */
bool mg_retry_allow(mg_retry_budget *b, const mg_retry_policy *p, int attempt, bool timeout);
/* A success: refunds a little of the budget. */
void mg_retry_success(mg_retry_budget *b, const mg_retry_policy *p);
/* The delay before the next try after attempt `attempt` failed (full jitter, hint honoured). */
long mg_retry_delay_ms(const mg_retry_policy *p, int attempt, long retry_after_ms);
/* Sleeps ms through the policy's sleep. */
void mg_retry_sleep(const mg_retry_policy *p, long ms);

#endif
