/*
 * report_github.c - GitHub Actions workflow commands: one annotation per
 * finding, then a plain summary line.
 *
 *   ::error file=PATH,line=L,col=C,title=meshgate RULE::MESSAGE
 *
 * warning -> ::warning, note -> ::notice.  Escaping follows the Actions
 * toolkit (@actions/core command.ts): in data '%', CR and LF become %25,
 * %0D and %0A; property values additionally escape ':' and ','.  Actions
 * shows only the first 10 error and 10 warning annotations of a step, so
 * the summary line (which the runner prints as it is) gives the totals and
 * says so when annotations were cut.
 */
#include <stdbool.h>

#include "meshgate/error.h"
#include "report/report_int.h"

#define GITHUB_MAX_SHOWN 10

static int add_escaped(mg_buf *out, const char *s, bool property)
{
	for (; *s; s++) {
		int r;
		switch (*s) {
		case '%': r = mg_buf_adds(out, "%25"); break;
		case '\r': r = mg_buf_adds(out, "%0D"); break;
		case '\n': r = mg_buf_adds(out, "%0A"); break;
		case ':': r = property ? mg_buf_adds(out, "%3A") : mg_buf_addc(out, ':'); break;
		case ',': r = property ? mg_buf_adds(out, "%2C") : mg_buf_addc(out, ','); break;
		default: r = mg_buf_addc(out, *s); break;
		}
		if (r < 0)
			return MG_ENOMEM;
	}
	return 0;
}

static const char *command_of(mg_severity s)
{
	switch (s) {
	case MG_SEV_ERROR: return "error";
	case MG_SEV_WARNING: return "warning";
	case MG_SEV_NOTE:
	case MG_SEV_OFF: break;
	}
	return "notice";
}

static int add_annotation(mg_buf *out, const mg_finding *x)
{
	const char *sep = " ";
	if (mg_buf_addf(out, "::%s", command_of(x->severity)) < 0)
		return MG_ENOMEM;
	if (x->path[0]) {
		if (mg_buf_adds(out, " file=") < 0 || add_escaped(out, x->path, true) < 0)
			return MG_ENOMEM;
		sep = ",";
		if (x->line && mg_buf_addf(out, ",line=%u", (unsigned)x->line) < 0)
			return MG_ENOMEM;
		if (x->line && x->col && mg_buf_addf(out, ",col=%u", (unsigned)x->col) < 0)
			return MG_ENOMEM;
	}
	if (mg_buf_addf(out, "%stitle=", sep) < 0 || add_escaped(out, "meshgate ", true) < 0 ||
	    add_escaped(out, mg_rule_id(x->rule), true) < 0 || mg_buf_adds(out, "::") < 0 ||
	    add_escaped(out, x->message, false) < 0 || mg_buf_addc(out, '\n') < 0)
		return MG_ENOMEM;
	return 0;
}

int mg_report_github(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out)
{
	for (size_t i = 0; i < f->count; i++)
		if (add_annotation(out, &f->items[i]) < 0)
			return MG_ENOMEM;
	if (mg_report_add_summary(out, f, ctx) < 0)
		return MG_ENOMEM;
	if (mg_findings_count_at(f, MG_SEV_ERROR) > GITHUB_MAX_SHOWN ||
	    mg_findings_count_at(f, MG_SEV_WARNING) > GITHUB_MAX_SHOWN ||
	    mg_findings_count_at(f, MG_SEV_NOTE) > GITHUB_MAX_SHOWN) {
		if (mg_buf_addf(out, " (GitHub shows %d annotations of each kind per step; all are in this log)",
				GITHUB_MAX_SHOWN) < 0)
			return MG_ENOMEM;
	}
	return mg_buf_addc(out, '\n');
}
