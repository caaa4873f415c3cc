/*
 * report_junit.c - JUnit XML for CI systems that show test reports
 * (Jenkins, GitLab, Azure Pipelines, CircleCI, test-reporter actions).
 *
 * One <testsuite name="meshgate COMMAND">, one <testcase> per file with
 * findings (name and classname are the path).  A file with error-level
 * findings fails: its single <failure> carries the first error as the
 * message attribute and every error as a line of text, because Jenkins,
 * GitLab and Azure only read the first <failure> of a test case.  Warnings
 * and notes do not fail the build (nor the test case): they are listed in
 * <system-out>, which those systems show beside the test, not as skipped
 * tests (skipped would claim a check did not run).  With no findings at
 * all the suite holds one passing test case "catalogue".
 *
 * Text is escaped for XML 1.0: the five special characters become
 * entities, characters XML forbids (C0 controls other than tab, LF and CR,
 * U+FFFE, U+FFFF, ill-formed UTF-8) become U+FFFD, and in attributes tab,
 * LF and CR are character references so they survive normalisation.
 */
#include <stdbool.h>
#include <string.h>

#include "meshgate/error.h"
#include "report/report_int.h"

#define REPLACEMENT "\xEF\xBF\xBD"

static int add_xml(mg_buf *out, const char *s, bool attr)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = mg_report_utf8_seq(s + i, len - i);
		const char *rep = NULL;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\t': rep = attr ? "&#9;" : "\t"; break;
		case '\n': rep = attr ? "&#10;" : "\n"; break;
		case '\r': rep = "&#13;"; break;
		default:
			if (c < 0x20 || n == 0)
				rep = REPLACEMENT;
			else if (n == 3 && c == 0xEF && (unsigned char)s[i + 1] == 0xBF &&
				 ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF))
				rep = REPLACEMENT; /* U+FFFE, U+FFFF */
			break;
		}
		if (rep ? mg_buf_adds(out, rep) : mg_buf_add(out, s + i, n))
			return MG_ENOMEM;
		i += n ? n : 1;
	}
	return 0;
}

static const char *name_of(const mg_finding *x)
{
	return x->path[0] ? x->path : "catalogue";
}

/* "path:line:col: [severity: ]message [rule]" */
static int add_line(mg_buf *out, const mg_finding *x, bool with_severity)
{
	int r = add_xml(out, name_of(x), false);
	if (r == 0 && x->line)
		r = mg_buf_addf(out, ":%u", (unsigned)x->line);
	if (r == 0 && x->line && x->col)
		r = mg_buf_addf(out, ":%u", (unsigned)x->col);
	if (r == 0)
		r = mg_buf_adds(out, ": ");
	if (r == 0 && with_severity)
		r = mg_buf_addf(out, "%s: ", mg_severity_name(x->severity));
	if (r == 0)
		r = add_xml(out, x->message, false);
	if (r == 0)
		r = mg_buf_addf(out, " [%s]\n", mg_rule_id(x->rule));
	return r;
}

/* The end of the run of findings starting at i that share its path. */
static size_t group_end(const mg_findings *f, size_t i)
{
	size_t j = i + 1;
	while (j < f->count && strcmp(f->items[j].path, f->items[i].path) == 0)
		j++;
	return j;
}

static int add_testcase(mg_buf *out, const mg_findings *f, size_t from, size_t to)
{
	const mg_finding *first_error = NULL;
	size_t nerrors = 0, nother = 0;
	for (size_t i = from; i < to; i++) {
		if (f->items[i].severity == MG_SEV_ERROR) {
			if (!first_error)
				first_error = &f->items[i];
			nerrors++;
		} else {
			nother++;
		}
	}
	const char *name = name_of(&f->items[from]);
	if (mg_buf_adds(out, "  <testcase name=\"") < 0 || add_xml(out, name, true) < 0 ||
	    mg_buf_adds(out, "\" classname=\"") < 0 || add_xml(out, name, true) < 0 ||
	    mg_buf_adds(out, "\">\n") < 0)
		return MG_ENOMEM;
	if (first_error) {
		if (mg_buf_adds(out, "    <failure message=\"") < 0 ||
		    add_xml(out, first_error->message, true) < 0 ||
		    (nerrors > 1 && mg_buf_addf(out, " (and %zu more)", nerrors - 1) < 0) ||
		    mg_buf_addf(out, "\" type=\"%s\">", mg_rule_id(first_error->rule)) < 0)
			return MG_ENOMEM;
		for (size_t i = from; i < to; i++)
			if (f->items[i].severity == MG_SEV_ERROR && add_line(out, &f->items[i], false) < 0)
				return MG_ENOMEM;
		if (mg_buf_adds(out, "</failure>\n") < 0)
			return MG_ENOMEM;
	}
	if (nother) {
		if (mg_buf_adds(out, "    <system-out>") < 0)
			return MG_ENOMEM;
		for (size_t i = from; i < to; i++)
			if (f->items[i].severity != MG_SEV_ERROR && add_line(out, &f->items[i], true) < 0)
				return MG_ENOMEM;
		if (mg_buf_adds(out, "</system-out>\n") < 0)
			return MG_ENOMEM;
	}
	return mg_buf_adds(out, "  </testcase>\n");
}

int mg_report_junit(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out)
{
	size_t tests = 0, failures = 0;
	for (size_t i = 0, end; i < f->count; i = end) {
		end = group_end(f, i);
		tests++;
		for (size_t j = i; j < end; j++)
			if (f->items[j].severity == MG_SEV_ERROR) {
				failures++;
				break;
			}
	}
	if (mg_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"meshgate ") < 0 ||
	    add_xml(out, ctx->command ? ctx->command : "validate", true) < 0 ||
	    mg_buf_addf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
			tests ? tests : 1, failures) < 0)
		return MG_ENOMEM;
	if (f->count == 0 &&
	    mg_buf_adds(out, "  <testcase name=\"catalogue\" classname=\"meshgate\"/>\n") < 0)
		return MG_ENOMEM;
	for (size_t i = 0, end; i < f->count; i = end) {
		end = group_end(f, i);
		if (add_testcase(out, f, i, end) < 0)
			return MG_ENOMEM;
	}
	return mg_buf_adds(out, "</testsuite>\n");
}
