/*
 * options.c - reporting problems in a backend's meshgate.yaml options, the
 * same way for every backend (see backends_int.h): as `config` findings
 * when validating, as the first error when building the backend.
 */
#include <stdarg.h>
#include <stdio.h>

#include "backends/backends_int.h"
#include "meshgate/error.h"

int mg_backend_problem(mg_backend_reporter *rp, const mg_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = 0;
	if (rp->findings) {
		r = mg_findings_vadd(rp->findings, rp->path, at ? at->line : 1, at ? at->col : 1, MG_RULE_CONFIG, fmt, ap);
	} else if (!rp->first) {
		char msg[512];
		vsnprintf(msg, sizeof msg, fmt, ap);
		mg_error_set("%s: %s", rp->path, msg);
		rp->first = MG_EINVALID;
	}
	va_end(ap);
	return r;
}
