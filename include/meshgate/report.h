/*
 * report.h - writers that turn findings into the formats people and CI
 * systems read: text, json, sarif, github, gitlab, junit, markdown.
 * Pure: they append to a buffer; the CLI decides where it goes.
 */
#ifndef MESHGATE_REPORT_H
#define MESHGATE_REPORT_H

#include <stddef.h>

#include "meshgate/buf.h"
#include "meshgate/finding.h"

typedef enum mg_report_format {
	MG_REPORT_TEXT,
	MG_REPORT_JSON,
	MG_REPORT_SARIF,
	MG_REPORT_GITHUB,
	MG_REPORT_GITLAB,
	MG_REPORT_JUNIT,
	MG_REPORT_MARKDOWN,
	MG_REPORT__COUNT
} mg_report_format;

typedef struct mg_report_ctx {
	const char *command;      /* "validate" or "check" */
	size_t nproducts, nfiles; /* what was checked, for summaries */
	int color;                /* text only: ANSI colour */
	const char *plan_markdown; /* optional: an access-plan section for markdown (NULL: none) */
} mg_report_ctx;

/* "text", "json", ... ; 0 or MG_ENOTFOUND. */
int mg_report_format_parse(mg_report_format *out, const char *name);
const char *mg_report_format_name(mg_report_format f);

/* Appends the report of f (sorted) in `format` to out.  0, MG_ENOMEM, or MG_EINVALID for an unknown format; on failure out is cut back to its length on entry. */
int mg_report_write(mg_report_format format, const mg_findings *f, const mg_report_ctx *ctx,
		    mg_buf *out);

#endif
