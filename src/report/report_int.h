/*
 * report_int.h - private to the report writers (see meshgate/report.h).
 *
 * report.c holds the dispatcher, the text and json writers and the helpers
 * below; each CI format lives in its own report_<format>.c.  Every writer
 * appends to `out` and returns 0 or MG_ENOMEM (message set); on failure the
 * dispatcher truncates `out` back to where it started, so a writer may stop
 * halfway.  cJSON stays inside the report_*.c files: nothing here names it.
 */
#ifndef MESHGATE_VALIDATOR_REPORT_INT_H
#define MESHGATE_VALIDATOR_REPORT_INT_H

#include <stddef.h>

#include "meshgate/buf.h"
#include "meshgate/finding.h"
#include "meshgate/report.h"

int mg_report_sarif(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out);
int mg_report_github(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out);
int mg_report_gitlab(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out);
int mg_report_junit(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out);
int mg_report_markdown(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out);

/*
 * Stable fingerprints, one per finding, as 32 lowercase hex digits: two
 * FNV-1a 64 hashes (different offset bases) of the rule id, the path, the
 * message and the finding's occurrence among findings with that same
 * triple (0 for the first, in list order).  Line and column are left out on
 * purpose, so a finding keeps its fingerprint when lines above it move; the
 * occurrence keeps two identical messages in one file apart.  Returns a
 * malloc'd array of f->count entries (the caller frees it; NULL with
 * f->count == 0 is not an error: *out is then NULL and 0 is returned), or
 * MG_ENOMEM.
 */
typedef char mg_report_fp[33];
int mg_report_fingerprints(mg_report_fp **out, const mg_findings *f);

/* Appends s escaped for a Markdown table cell or line (report_markdown.c says how).  0 or MG_ENOMEM. */
int mg_report_md_escape(mg_buf *out, const char *s);

/* "meshgate: 2 errors, 1 warning in 3 products" (no newline). */
int mg_report_add_summary(mg_buf *out, const mg_findings *f, const mg_report_ctx *ctx);

/*
 * The body of the section "## <rule id>" of the embedded docs/rules.md,
 * without its heading and surrounding blank lines; *len is set.  Borrowed;
 * NULL when the docs have no section for the rule.
 */
const char *mg_report_rule_doc(mg_rule rule, size_t *len);

/*
 * Appends the len bytes at s with every ill-formed UTF-8 byte replaced by
 * U+FFFD, for the formats whose readers reject invalid UTF-8 (JSON, XML).
 * 0 or MG_ENOMEM.
 */
int mg_report_add_utf8(mg_buf *out, const char *s, size_t len);
/* Length (1-4) of the well-formed UTF-8 sequence at s, or 0 if ill-formed. */
size_t mg_report_utf8_seq(const char *s, size_t avail);

#endif
