/* retry.c - the standard retry mode (see meshgate/retry.h). */
#include "meshgate/retry.h"

#include <errno.h>
#include <time.h>

void mg_retry_budget_init(mg_retry_budget *b, const mg_retry_policy *p)
{
	b->tokens = p->capacity;
}

bool mg_retry_allow(mg_retry_budget *b, const mg_retry_policy *p, int attempt, bool timeout)
{
	long cost = timeout ? p->cost_timeout : p->cost_retry;
	if (attempt >= p->max_attempts || b->tokens < cost)
		return false;
	b->tokens -= cost;
	return true;
}

void mg_retry_success(mg_retry_budget *b, const mg_retry_policy *p)
{
	b->tokens += p->refund;
	if (b->tokens > p->capacity)
		b->tokens = p->capacity;
}

static unsigned long xorshift(void)
{
	static unsigned long long s;
	if (!s) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((unsigned long long)ts.tv_sec * 1000000007ull) ^ (unsigned long long)ts.tv_nsec ^ 0x9e3779b97f4a7c15ull;
	}
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned long)(s >> 11);
}

long mg_retry_delay_ms(const mg_retry_policy *p, int attempt, long retry_after_ms)
{
	long ceiling = p->base_ms;
	for (int i = 1; i < attempt && ceiling < p->cap_ms; i++)
		ceiling *= 2;
	if (ceiling > p->cap_ms)
		ceiling = p->cap_ms;
	unsigned long r = p->random ? p->random(p->ctx) : xorshift();
	long delay = ceiling > 0 ? (long)(r % (unsigned long)(ceiling + 1)) : 0;
	if (retry_after_ms > p->cap_ms)
		retry_after_ms = p->cap_ms;
	return delay < retry_after_ms ? retry_after_ms : delay;
}

void mg_retry_sleep(const mg_retry_policy *p, long ms)
{
	if (ms <= 0)
		return;
	if (p->sleep_ms) {
		p->sleep_ms(p->ctx, ms);
		return;
	}
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
