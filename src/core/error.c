/* error.c - the last error message (see meshgate/error.h). */
#include "meshgate/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last[1024];

void mg_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last, sizeof last, fmt, ap);
	va_end(ap);
}

void mg_error_clear(void)
{
	last[0] = '\0';
}

const char *mg_error_last(void)
{
	return last;
}

int mg_oom(void)
{
	mg_error_set("out of memory");
	return MG_ENOMEM;
}
