/*
 * date.c - calendar dates (see meshgate/date.h).
 */
#include "meshgate/date.h"

#include <stdio.h>
#include <time.h>

#include <string.h>

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool mg_date_valid(const char *s, size_t len)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!s || len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

bool mg_date_days(const char *s, long *out)
{
	if (!s || !mg_date_valid(s, strlen(s)))
		return false;
	long y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	/* days from civil: March-based years, so the leap day ends a year */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400; /* y is -1 for January 0000 */
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = era * 146097 + doe - 719468;
	return true;
}

void mg_timestamp_now(char out[MG_TIMESTAMP_LEN])
{
	time_t t = time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, MG_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, MG_TIMESTAMP_LEN, "1970-01-01T00:00:00Z");
}
