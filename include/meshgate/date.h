/*
 * date.h - calendar dates as the catalogue writes them (YYYY-MM-DD, RFC
 * 3339 full-date).  Owned by src/core/date.c; the schema's "date" format,
 * the access model's clearance expiry and the CLI's --today all use it, so
 * they never disagree on what a date is.
 */
#ifndef MESHGATE_DATE_H
#define MESHGATE_DATE_H

#include <stdbool.h>
#include <stddef.h>

/* True for a calendar date in s[0..len): 2024-02-29 yes, 2026-02-30 and 2026-13-01 no. */
bool mg_date_valid(const char *s, size_t len);

/*
 * The day number of date s (NUL-terminated, YYYY-MM-DD): days since
 * 1970-01-01, so that the difference of two is the days between them.
 * false (and *out untouched) when s is not a calendar date.
 */
bool mg_date_days(const char *s, long *out);

/* Now, UTC, to the second: "2026-06-01T10:00:00Z" (what the state, the ledger and the audit log write). */
#define MG_TIMESTAMP_LEN 21
void mg_timestamp_now(char out[MG_TIMESTAMP_LEN]);

#endif
