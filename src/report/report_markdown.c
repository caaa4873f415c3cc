/*
 * report_markdown.c - a summary fit for a pull-request comment (GitHub
 * flavoured Markdown, which GitLab renders too):
 *
 *   <!-- meshgate:validate -->
 *   ## ❌ meshgate validate
 *
 *   2 errors, 1 warning in 3 products (12 files).
 *
 *   | Location | Severity | Rule | Message |
 *   ...
 *
 * The first line is a hidden marker, an HTML comment naming the command,
 * which neither GitHub nor GitLab renders: scripts/ci-comment.sh finds the
 * comment that starts with it and updates that one in place (one sticky
 * comment per pull request instead of one per push).
 * ✅ when nothing is at error level (the check passes), ❌ otherwise.
 * More than MD_OPEN_MAX findings go inside a collapsed <details>, and the
 * table stops after MD_TABLE_MAX bytes (comments are limited to 65536
 * characters) with a line saying how many were left out.  Cells are
 * escaped so that no finding can break the table or inject markup: '|',
 * backslash, backticks and emphasis/link characters are backslash-escaped,
 * '&', '<' and '>' become entities, newlines become <br>, control
 * characters and ill-formed UTF-8 become U+FFFD.  The access plan,
 * when given, follows under "## Access plan" as it is.
 */
#include <string.h>

#include "meshgate/error.h"
#include "report/report_int.h"

#define MD_OPEN_MAX 50
#define MD_TABLE_MAX 50000

int mg_report_md_escape(mg_buf *out, const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;
		if (c >= 0x80) {
			size_t n = mg_report_utf8_seq(s + i, len - i);
			if ((n ? mg_buf_add(out, s + i, n) : mg_buf_adds(out, "\xEF\xBF\xBD")) < 0)
				return MG_ENOMEM;
			i += n ? n - 1 : 0;
			continue;
		}
		switch (c) {
		case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '~':
			r = mg_buf_addc(out, '\\');
			if (r == 0)
				r = mg_buf_addc(out, (char)c);
			break;
		case '&': r = mg_buf_adds(out, "&amp;"); break;
		case '<': r = mg_buf_adds(out, "&lt;"); break;
		case '>': r = mg_buf_adds(out, "&gt;"); break;
		case '\n': r = mg_buf_adds(out, "<br>"); break;
		case '\r': r = 0; break;
		case '\t': r = mg_buf_addc(out, ' '); break;
		default:
			r = c < 0x20 || c == 0x7f ? mg_buf_adds(out, "\xEF\xBF\xBD") : mg_buf_addc(out, (char)c);
			break;
		}
		if (r < 0)
			return MG_ENOMEM;
	}
	return 0;
}

static int add_count(mg_buf *out, const char *sep, size_t n, const char *what)
{
	return mg_buf_addf(out, "%s%zu %s%s", sep, n, what, n == 1 ? "" : "s");
}

static int add_row(mg_buf *out, const mg_finding *x)
{
	if (mg_buf_adds(out, "| ") < 0 || mg_report_md_escape(out, x->path[0] ? x->path : "catalogue") < 0 ||
	    (x->line && mg_buf_addf(out, ":%u", (unsigned)x->line) < 0) ||
	    mg_buf_addf(out, " | %s | ", mg_severity_name(x->severity)) < 0 ||
	    mg_report_md_escape(out, mg_rule_id(x->rule)) < 0 || mg_buf_adds(out, " | ") < 0 ||
	    mg_report_md_escape(out, x->message) < 0 || mg_buf_adds(out, " |\n") < 0)
		return MG_ENOMEM;
	return 0;
}

static int add_table(mg_buf *out, const mg_findings *f)
{
	size_t start = out->len, i;
	if (mg_buf_adds(out, "| Location | Severity | Rule | Message |\n| --- | --- | --- | --- |\n") < 0)
		return MG_ENOMEM;
	for (i = 0; i < f->count && out->len - start < MD_TABLE_MAX; i++)
		if (add_row(out, &f->items[i]) < 0)
			return MG_ENOMEM;
	if (i < f->count && mg_buf_addf(out, "\n%zu more finding%s not shown here; every finding is in the job log.\n",
					f->count - i, f->count - i == 1 ? "" : "s") < 0)
		return MG_ENOMEM;
	return 0;
}

int mg_report_markdown(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out)
{
	size_t e = mg_findings_count_at(f, MG_SEV_ERROR), w = mg_findings_count_at(f, MG_SEV_WARNING);
	size_t n = mg_findings_count_at(f, MG_SEV_NOTE);
	const char *cmd = ctx->command ? ctx->command : "validate";
	/* the marker names the command, escaped like a cell ('>' becomes &gt;),
	 * so nothing in it can close the HTML comment early */
	if (mg_buf_adds(out, "<!-- meshgate:") < 0 || mg_report_md_escape(out, cmd) < 0 || mg_buf_adds(out, " -->\n") < 0 ||
	    mg_buf_addf(out, "## %s meshgate ", e ? "\xE2\x9D\x8C" : "\xE2\x9C\x85") < 0 ||
	    mg_report_md_escape(out, cmd) < 0 || mg_buf_adds(out, "\n\n") < 0)
		return MG_ENOMEM;
	if (f->count == 0) {
		if (mg_buf_adds(out, "No findings") < 0)
			return MG_ENOMEM;
	} else if (add_count(out, "", e, "error") < 0 || add_count(out, ", ", w, "warning") < 0 ||
		   (n && add_count(out, ", ", n, "note") < 0)) {
		return MG_ENOMEM;
	}
	if (add_count(out, " in ", ctx->nproducts, "product") < 0 ||
	    add_count(out, " (", ctx->nfiles, "file") < 0 || mg_buf_adds(out, ").\n") < 0)
		return MG_ENOMEM;
	if (f->count > MD_OPEN_MAX) {
		if (mg_buf_addf(out, "\n<details>\n<summary>%zu findings</summary>\n\n", f->count) < 0 ||
		    add_table(out, f) < 0 || mg_buf_adds(out, "\n</details>\n") < 0)
			return MG_ENOMEM;
	} else if (f->count) {
		if (mg_buf_addc(out, '\n') < 0 || add_table(out, f) < 0)
			return MG_ENOMEM;
	}
	if (ctx->plan_markdown) {
		size_t len = strlen(ctx->plan_markdown);
		if (mg_buf_adds(out, "\n## Access plan\n\n") < 0 || mg_buf_add(out, ctx->plan_markdown, len) < 0 ||
		    (len && ctx->plan_markdown[len - 1] != '\n' && mg_buf_addc(out, '\n') < 0))
			return MG_ENOMEM;
	}
	return 0;
}
