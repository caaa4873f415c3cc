/*
 * test_report.c - the report writers (meshgate/report.h): exact output of
 * small finding lists in every CI format, escaping of hostile paths and
 * messages, fingerprint stability, and the JSON formats parsed back.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"
#include "meshgate/report.h"
#include "mgt.h"

static const mg_report_ctx ctx = { "validate", 3, 12, 0, NULL };

/* The report of f in format, as a string owned by b. */
static const char *render(mg_buf *b, mg_report_format format, mg_findings *f, const mg_report_ctx *c)
{
	mg_buf_clear(b);
	mg_findings_sort(f);
	MGT_EQ_INT(mg_report_write(format, f, c, b), 0);
	return b->ptr;
}

/* An error with a position, a warning on a whole file, a note. */
static void sample(mg_findings *f)
{
	mg_findings_init(f);
	f->severity[MG_RULE_SELF_CONSUMER] = MG_SEV_NOTE;
	mg_findings_add(f, "cat/prod/a/data-product.json", 3, 25, MG_RULE_SCHEMA, "'x' is not an email");
	mg_findings_add(f, "cat/prod/a/data-product-consumers.json", 0, 0, MG_RULE_UNCLASSIFIED_SENSITIVE,
			"column 'email' looks like personal data");
	mg_findings_add(f, "cat/prod/b/data-product-consumers.json", 7, 0, MG_RULE_SELF_CONSUMER,
			"the producer lists itself");
}

/* A path and a message with everything the formats must escape. */
static void hostile(mg_findings *f)
{
	mg_findings_init(f);
	mg_findings_add(f, "cat/dev/caf\xC3\xA9 & co/a,b:c%.json", 2, 4, MG_RULE_SCHEMA,
			"50%% \"bad\" <x> ]]> 'q' a|b `c`\r\nnext\x01line \xFF end");
}

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	MGT_CHECK(j != NULL);
	return j;
}

static const char *str_at(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_at(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *at(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* ---- formats and the dispatcher ---- */

static void test_format_names(void)
{
	static const char *const names[] = { "text", "json", "sarif", "github", "gitlab", "junit", "markdown" };
	for (int i = 0; i < MG_REPORT__COUNT; i++) {
		mg_report_format fmt;
		MGT_EQ_INT(mg_report_format_parse(&fmt, names[i]), 0);
		MGT_EQ_INT(fmt, i);
		MGT_EQ_STR(mg_report_format_name(fmt), names[i]);
	}
	mg_report_format fmt;
	MGT_EQ_INT(mg_report_format_parse(&fmt, "xml"), MG_ENOTFOUND);
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	mg_findings_init(&f);
	MGT_EQ_INT(mg_report_write(MG_REPORT__COUNT, &f, &ctx, &b), MG_EINVALID);
	MGT_EQ_INT(b.len, 0);
	mg_buf_release(&b);
}

/* Every format says something sensible about an empty list. */
static void test_empty(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	mg_findings_init(&f);
	MGT_EQ_STR(render(&b, MG_REPORT_TEXT, &f, &ctx), "");
	MGT_EQ_STR(render(&b, MG_REPORT_GITHUB, &f, &ctx), "meshgate: 0 errors, 0 warnings in 3 products\n");
	MGT_EQ_STR(render(&b, MG_REPORT_GITLAB, &f, &ctx), "[]\n");
	MGT_EQ_STR(render(&b, MG_REPORT_JUNIT, &f, &ctx),
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuite name=\"meshgate validate\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
		   "  <testcase name=\"catalogue\" classname=\"meshgate\"/>\n"
		   "</testsuite>\n");
	MGT_EQ_STR(render(&b, MG_REPORT_MARKDOWN, &f, &ctx),
		   "<!-- meshgate:validate -->\n## \xE2\x9C\x85 meshgate validate\n\nNo findings in 3 products (12 files).\n");
	cJSON *j = parse(render(&b, MG_REPORT_SARIF, &f, &ctx));
	const cJSON *run = cJSON_GetArrayItem(at(j, "runs"), 0);
	MGT_CHECK(cJSON_IsArray(at(run, "results")));
	MGT_EQ_INT(cJSON_GetArraySize(at(run, "results")), 0);
	cJSON_Delete(j);
	j = parse(render(&b, MG_REPORT_JSON, &f, &ctx));
	MGT_EQ_INT(num_at(at(j, "summary"), "errors"), 0);
	cJSON_Delete(j);
	mg_buf_release(&b);
}

/* A failed writer leaves what was in the buffer before it. */
static void test_appends(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	sample(&f);
	mg_buf_adds(&b, "before\n");
	MGT_EQ_INT(mg_report_write(MG_REPORT_GITHUB, &f, &ctx, &b), 0);
	MGT_CHECK(strncmp(b.ptr, "before\n::", 9) == 0);
	mg_buf_release(&b);
	mg_findings_release(&f);
}

/* ---- github ---- */

static void test_github(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	sample(&f);
	MGT_EQ_STR(render(&b, MG_REPORT_GITHUB, &f, &ctx),
		   "::warning file=cat/prod/a/data-product-consumers.json,title=meshgate unclassified-sensitive::"
		   "column 'email' looks like personal data\n"
		   "::error file=cat/prod/a/data-product.json,line=3,col=25,title=meshgate schema::"
		   "'x' is not an email\n"
		   "::notice file=cat/prod/b/data-product-consumers.json,line=7,title=meshgate self-consumer::"
		   "the producer lists itself\n"
		   "meshgate: 1 error, 1 warning, 1 note in 3 products\n");
	mg_findings_release(&f);
	mg_buf_release(&b);
}

static void test_github_escaping(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	hostile(&f);
	mg_findings_add(&f, "", 0, 0, MG_RULE_CONFIG, "a:b,c");
	MGT_EQ_STR(render(&b, MG_REPORT_GITHUB, &f, &ctx),
		   "::error title=meshgate config::a:b,c\n"
		   "::error file=cat/dev/caf\xC3\xA9 & co/a%2Cb%3Ac%25.json,line=2,col=4,title=meshgate schema::"
		   "50%25 \"bad\" <x> ]]> 'q' a|b `c`%0D%0Anext\x01line \xFF end\n"
		   "meshgate: 2 errors, 0 warnings in 3 products\n");
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* Past 10 annotations of a kind the summary says where the rest are. */
static void test_github_limit(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	mg_findings_init(&f);
	for (unsigned i = 1; i <= 11; i++)
		mg_findings_add(&f, "a.json", i, 1, MG_RULE_SCHEMA, "m%u", i);
	const char *out = render(&b, MG_REPORT_GITHUB, &f, &ctx);
	const char *last = strrchr(out, '\n');
	while (last > out && last[-1] != '\n')
		last--;
	MGT_EQ_STR(last, "meshgate: 11 errors, 0 warnings in 3 products (GitHub shows 10 annotations "
			 "of each kind per step; all are in this log)\n");
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* ---- gitlab ---- */

static void test_gitlab(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	sample(&f);
	cJSON *j = parse(render(&b, MG_REPORT_GITLAB, &f, &ctx));
	MGT_CHECK(cJSON_IsArray(j));
	MGT_EQ_INT(cJSON_GetArraySize(j), 3);
	static const struct {
		const char *check, *severity, *path;
		int line;
	} want[] = {
		{ "unclassified-sensitive", "minor", "cat/prod/a/data-product-consumers.json", 1 },
		{ "schema", "critical", "cat/prod/a/data-product.json", 3 },
		{ "self-consumer", "info", "cat/prod/b/data-product-consumers.json", 7 },
	};
	for (int i = 0; i < 3; i++) {
		const cJSON *o = cJSON_GetArrayItem(j, i);
		MGT_EQ_STR(str_at(o, "type"), "issue");
		MGT_EQ_STR(str_at(o, "check_name"), want[i].check);
		MGT_EQ_STR(str_at(o, "severity"), want[i].severity);
		MGT_EQ_STR(str_at(o, "description"), f.items[i].message);
		MGT_EQ_STR(str_at(at(o, "location"), "path"), want[i].path);
		MGT_EQ_INT(num_at(at(at(o, "location"), "lines"), "begin"), want[i].line);
		const char *fp = str_at(o, "fingerprint");
		MGT_CHECK(fp && strlen(fp) == 32 && strspn(fp, "0123456789abcdef") == 32);
	}
	cJSON_Delete(j);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* Invalid UTF-8 never reaches a JSON report: it becomes U+FFFD. */
static void test_gitlab_escaping(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	hostile(&f);
	cJSON *j = parse(render(&b, MG_REPORT_GITLAB, &f, &ctx));
	const cJSON *o = cJSON_GetArrayItem(j, 0);
	MGT_EQ_STR(str_at(o, "description"),
		   "50% \"bad\" <x> ]]> 'q' a|b `c`\r\nnext\x01line \xEF\xBF\xBD end");
	MGT_EQ_STR(str_at(at(o, "location"), "path"), "cat/dev/caf\xC3\xA9 & co/a,b:c%.json");
	cJSON_Delete(j);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* ---- fingerprints (shared by sarif and gitlab) ---- */

static void fingerprints(mg_findings *f, mg_buf *b, char out[][33], size_t n)
{
	cJSON *j = parse(render(b, MG_REPORT_GITLAB, f, &ctx));
	MGT_EQ_INT(cJSON_GetArraySize(j), n);
	for (size_t i = 0; i < n; i++) {
		const char *fp = str_at(cJSON_GetArrayItem(j, (int)i), "fingerprint");
		snprintf(out[i], 33, "%s", fp ? fp : "");
	}
	cJSON_Delete(j);
	/* SARIF carries the same value. */
	j = parse(render(b, MG_REPORT_SARIF, f, &ctx));
	const cJSON *results = at(cJSON_GetArrayItem(at(j, "runs"), 0), "results");
	for (size_t i = 0; i < n; i++)
		MGT_EQ_STR(str_at(at(cJSON_GetArrayItem(results, (int)i), "partialFingerprints"), "meshgate/v1"),
			   out[i]);
	cJSON_Delete(j);
}

static void test_fingerprint_stable(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	char before[3][33], after[3][33];

	mg_findings_init(&f);
	mg_findings_add(&f, "a.json", 3, 5, MG_RULE_SCHEMA, "bad");
	mg_findings_add(&f, "a.json", 9, 5, MG_RULE_SCHEMA, "bad");
	mg_findings_add(&f, "b.json", 4, 1, MG_RULE_SCHEMA, "bad");
	fingerprints(&f, &b, before, 3);
	/* Same rule, path and message: told apart by occurrence. */
	MGT_CHECK(strcmp(before[0], before[1]) != 0);
	/* Another path: another fingerprint. */
	MGT_CHECK(strcmp(before[0], before[2]) != 0);
	mg_findings_release(&f);

	/* Lines moved (a block inserted above), columns changed: same fingerprints. */
	mg_findings_init(&f);
	mg_findings_add(&f, "b.json", 40, 2, MG_RULE_SCHEMA, "bad");
	mg_findings_add(&f, "a.json", 13, 1, MG_RULE_SCHEMA, "bad");
	mg_findings_add(&f, "a.json", 19, 7, MG_RULE_SCHEMA, "bad");
	fingerprints(&f, &b, after, 3);
	for (int i = 0; i < 3; i++)
		MGT_EQ_STR(after[i], before[i]);
	mg_findings_release(&f);

	/* A different message or rule changes it. */
	mg_findings_init(&f);
	mg_findings_add(&f, "a.json", 3, 5, MG_RULE_SCHEMA, "worse");
	mg_findings_add(&f, "a.json", 3, 5, MG_RULE_PARSE, "bad");
	fingerprints(&f, &b, after, 2);
	MGT_CHECK(strcmp(after[0], before[0]) != 0 && strcmp(after[1], before[0]) != 0);
	MGT_CHECK(strcmp(after[0], after[1]) != 0);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* ---- sarif ---- */

static void test_sarif(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	sample(&f);
	cJSON *j = parse(render(&b, MG_REPORT_SARIF, &f, &ctx));
	MGT_EQ_STR(str_at(j, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
	MGT_EQ_STR(str_at(j, "version"), "2.1.0");
	MGT_EQ_INT(cJSON_GetArraySize(at(j, "runs")), 1);
	const cJSON *run = cJSON_GetArrayItem(at(j, "runs"), 0);
	const cJSON *driver = at(at(run, "tool"), "driver");
	MGT_EQ_STR(str_at(driver, "name"), "meshgate");
	MGT_EQ_STR(str_at(driver, "semanticVersion"), MESHGATE_VERSION);
	MGT_EQ_STR(str_at(run, "columnKind"), "unicodeCodePoints");
	MGT_CHECK(cJSON_IsObject(at(at(run, "originalUriBaseIds"), "%SRCROOT%")));

	const cJSON *rules = at(driver, "rules");
	const char *doc = mg_embedded_find("rules.md", NULL);
	MGT_EQ_INT(cJSON_GetArraySize(rules), MG_RULE__COUNT);
	for (int i = 0; i < MG_RULE__COUNT; i++) {
		const cJSON *r = cJSON_GetArrayItem(rules, i);
		MGT_EQ_STR(str_at(r, "id"), mg_rule_id((mg_rule)i));
		MGT_EQ_STR(str_at(at(r, "shortDescription"), "text"), mg_rule_summary((mg_rule)i));
		MGT_CHECK(str_at(at(r, "fullDescription"), "text") != NULL);
		const char *help = str_at(at(r, "help"), "text");
		MGT_CHECK(help && *help);
		MGT_EQ_STR(str_at(at(r, "help"), "markdown"), help);
		/* With a docs/rules.md section, help is its body and the full
		 * description its first paragraph; without, both are the summary. */
		const char *full = str_at(at(r, "fullDescription"), "text");
		MGT_CHECK(full && help && strncmp(help, full, strlen(full)) == 0);
		MGT_CHECK(help && strstr(help, "\n## ") == NULL);
		if (doc && help)
			MGT_CHECK(strstr(doc, help) != NULL || strcmp(help, mg_rule_summary((mg_rule)i)) == 0);
		const char *level = str_at(at(r, "defaultConfiguration"), "level");
		mg_severity def = mg_rule_default_severity((mg_rule)i);
		MGT_EQ_STR(level, def == MG_SEV_WARNING ? "warning" : def == MG_SEV_NOTE ? "note" : "error");
	}

	const cJSON *results = at(run, "results");
	MGT_EQ_INT(cJSON_GetArraySize(results), 3);
	static const struct {
		const char *rule, *level, *uri;
		int line, col;
	} want[] = {
		{ "unclassified-sensitive", "warning", "cat/prod/a/data-product-consumers.json", 0, 0 },
		{ "schema", "error", "cat/prod/a/data-product.json", 3, 25 },
		{ "self-consumer", "note", "cat/prod/b/data-product-consumers.json", 7, 0 },
	};
	for (int i = 0; i < 3; i++) {
		const cJSON *r = cJSON_GetArrayItem(results, i);
		MGT_EQ_STR(str_at(r, "ruleId"), want[i].rule);
		int idx = (int)num_at(r, "ruleIndex");
		MGT_EQ_STR(str_at(cJSON_GetArrayItem(rules, idx), "id"), want[i].rule);
		MGT_EQ_STR(str_at(r, "level"), want[i].level);
		MGT_EQ_STR(str_at(at(r, "message"), "text"), f.items[i].message);
		MGT_EQ_INT(cJSON_GetArraySize(at(r, "locations")), 1);
		const cJSON *phys = at(cJSON_GetArrayItem(at(r, "locations"), 0), "physicalLocation");
		MGT_EQ_STR(str_at(at(phys, "artifactLocation"), "uri"), want[i].uri);
		MGT_EQ_STR(str_at(at(phys, "artifactLocation"), "uriBaseId"), "%SRCROOT%");
		const cJSON *region = at(phys, "region");
		if (want[i].line == 0) {
			MGT_CHECK(region == NULL);
			continue;
		}
		MGT_EQ_INT(num_at(region, "startLine"), want[i].line);
		if (want[i].col)
			MGT_EQ_INT(num_at(region, "startColumn"), want[i].col);
		else
			MGT_CHECK(at(region, "startColumn") == NULL);
	}
	cJSON_Delete(j);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* URIs are percent-encoded (RFC 3986); text survives exactly, made valid UTF-8. */
static void test_sarif_escaping(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	hostile(&f);
	mg_findings_add(&f, "", 0, 0, MG_RULE_CONFIG, "no file");
	mg_findings_add(&f, "data products/\xE6\x97\xA5\xE6\x9C\xAC/x#1?.yaml", 1, 1, MG_RULE_PARSE, "p");
	cJSON *j = parse(render(&b, MG_REPORT_SARIF, &f, &ctx));
	const cJSON *results = at(cJSON_GetArrayItem(at(j, "runs"), 0), "results");
	MGT_EQ_INT(cJSON_GetArraySize(results), 3);
	/* Sorted: "" < "cat/..." < "data products/..." */
	const cJSON *r0 = cJSON_GetArrayItem(results, 0);
	MGT_EQ_STR(str_at(r0, "ruleId"), "config");
	MGT_CHECK(at(r0, "locations") == NULL);
	const cJSON *r1 = cJSON_GetArrayItem(results, 1);
	const cJSON *art = at(at(cJSON_GetArrayItem(at(r1, "locations"), 0), "physicalLocation"), "artifactLocation");
	MGT_EQ_STR(str_at(art, "uri"), "cat/dev/caf%C3%A9%20%26%20co/a%2Cb%3Ac%25.json");
	MGT_EQ_STR(str_at(at(r1, "message"), "text"),
		   "50% \"bad\" <x> ]]> 'q' a|b `c`\r\nnext\x01line \xEF\xBF\xBD end");
	const cJSON *r2 = cJSON_GetArrayItem(results, 2);
	art = at(at(cJSON_GetArrayItem(at(r2, "locations"), 0), "physicalLocation"), "artifactLocation");
	MGT_EQ_STR(str_at(art, "uri"), "data%20products/%E6%97%A5%E6%9C%AC/x%231%3F.yaml");
	cJSON_Delete(j);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* ---- junit ---- */

static void test_junit(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	sample(&f);
	mg_findings_add(&f, "cat/prod/a/data-product.json", 5, 1, MG_RULE_UNKNOWN_TABLE, "no table 'x'");
	MGT_EQ_STR(render(&b, MG_REPORT_JUNIT, &f, &ctx),
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuite name=\"meshgate validate\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
		   "  <testcase name=\"cat/prod/a/data-product-consumers.json\" classname=\"cat/prod/a/data-product-consumers.json\">\n"
		   "    <system-out>cat/prod/a/data-product-consumers.json: warning: column &apos;email&apos; looks like personal data [unclassified-sensitive]\n"
		   "</system-out>\n"
		   "  </testcase>\n"
		   "  <testcase name=\"cat/prod/a/data-product.json\" classname=\"cat/prod/a/data-product.json\">\n"
		   "    <failure message=\"&apos;x&apos; is not an email (and 1 more)\" type=\"schema\">"
		   "cat/prod/a/data-product.json:3:25: &apos;x&apos; is not an email [schema]\n"
		   "cat/prod/a/data-product.json:5:1: no table &apos;x&apos; [unknown-table]\n"
		   "</failure>\n"
		   "  </testcase>\n"
		   "  <testcase name=\"cat/prod/b/data-product-consumers.json\" classname=\"cat/prod/b/data-product-consumers.json\">\n"
		   "    <system-out>cat/prod/b/data-product-consumers.json:7: note: the producer lists itself [self-consumer]\n"
		   "</system-out>\n"
		   "  </testcase>\n"
		   "</testsuite>\n");
	mg_findings_release(&f);
	mg_buf_release(&b);
}

static void test_junit_escaping(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	hostile(&f);
	mg_findings_add(&f, "", 0, 0, MG_RULE_CONFIG, "tab\there \xEF\xBF\xBF");
	MGT_EQ_STR(render(&b, MG_REPORT_JUNIT, &f, &ctx),
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuite name=\"meshgate validate\" tests=\"2\" failures=\"2\" errors=\"0\" skipped=\"0\">\n"
		   "  <testcase name=\"catalogue\" classname=\"catalogue\">\n"
		   "    <failure message=\"tab&#9;here \xEF\xBF\xBD\" type=\"config\">"
		   "catalogue: tab\there \xEF\xBF\xBD [config]\n"
		   "</failure>\n"
		   "  </testcase>\n"
		   "  <testcase name=\"cat/dev/caf\xC3\xA9 &amp; co/a,b:c%.json\" classname=\"cat/dev/caf\xC3\xA9 &amp; co/a,b:c%.json\">\n"
		   "    <failure message=\"50% &quot;bad&quot; &lt;x&gt; ]]&gt; &apos;q&apos; a|b `c`&#13;&#10;next\xEF\xBF\xBDline \xEF\xBF\xBD end\" type=\"schema\">"
		   "cat/dev/caf\xC3\xA9 &amp; co/a,b:c%.json:2:4: 50% &quot;bad&quot; &lt;x&gt; ]]&gt; &apos;q&apos; a|b `c`&#13;\nnext\xEF\xBF\xBDline \xEF\xBF\xBD end [schema]\n"
		   "</failure>\n"
		   "  </testcase>\n"
		   "</testsuite>\n");
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* ---- markdown ---- */

static void test_markdown(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	sample(&f);
	mg_report_ctx c = ctx;
	c.command = "check";
	c.plan_markdown = "| grant | to |\n| --- | --- |\n| read | bi |";
	MGT_EQ_STR(render(&b, MG_REPORT_MARKDOWN, &f, &c),
		   "<!-- meshgate:check -->\n"
		   "## \xE2\x9D\x8C meshgate check\n"
		   "\n"
		   "1 error, 1 warning, 1 note in 3 products (12 files).\n"
		   "\n"
		   "| Location | Severity | Rule | Message |\n"
		   "| --- | --- | --- | --- |\n"
		   "| cat/prod/a/data-product-consumers.json | warning | unclassified-sensitive | column 'email' looks like personal data |\n"
		   "| cat/prod/a/data-product.json:3 | error | schema | 'x' is not an email |\n"
		   "| cat/prod/b/data-product-consumers.json:7 | note | self-consumer | the producer lists itself |\n"
		   "\n"
		   "## Access plan\n"
		   "\n"
		   "| grant | to |\n| --- | --- |\n| read | bi |\n");
	mg_findings_release(&f);
	mg_buf_release(&b);
}

static void test_markdown_escaping(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	mg_findings_init(&f);
	mg_findings_add(&f, "a|b_c.json", 1, 1, MG_RULE_UNCLASSIFIED_SENSITIVE,
			"x|y `z` *w* [l](u) <b>&amp;\\ ~s~\r\nnext\x01\xFF");
	MGT_EQ_STR(render(&b, MG_REPORT_MARKDOWN, &f, &ctx),
		   "<!-- meshgate:validate -->\n"
		   "## \xE2\x9C\x85 meshgate validate\n"
		   "\n"
		   "0 errors, 1 warning in 3 products (12 files).\n"
		   "\n"
		   "| Location | Severity | Rule | Message |\n"
		   "| --- | --- | --- | --- |\n"
		   "| a\\|b\\_c.json:1 | warning | unclassified-sensitive | "
		   "x\\|y \\`z\\` \\*w\\* \\[l\\](u) &lt;b&gt;&amp;amp;\\\\ \\~s\\~<br>next\xEF\xBF\xBD\xEF\xBF\xBD |\n");
	/* the hidden marker cannot be closed early by the command's name */
	mg_report_ctx c = ctx;
	c.command = "x-->y";
	static const char head[] = "<!-- meshgate:x--&gt;y -->\n## ";
	MGT_CHECK(strncmp(render(&b, MG_REPORT_MARKDOWN, &f, &c), head, sizeof head - 1) == 0);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

/* More than 50 findings fold into <details>; a huge list is cut with a count. */
static void test_markdown_long(void)
{
	mg_findings f;
	mg_buf b = MG_BUF_INIT;
	mg_findings_init(&f);
	for (unsigned i = 1; i <= 51; i++)
		mg_findings_add(&f, "a.json", i, 1, MG_RULE_SCHEMA, "m");
	const char *out = render(&b, MG_REPORT_MARKDOWN, &f, &ctx);
	MGT_CHECK(strstr(out, "\n<details>\n<summary>51 findings</summary>\n\n| Location |") != NULL);
	MGT_CHECK(strstr(out, "| a.json:51 | error | schema | m |\n\n</details>\n") != NULL);
	mg_findings_release(&f);

	mg_findings_init(&f);
	for (unsigned i = 1; i <= 2000; i++)
		mg_findings_add(&f, "a.json", i, 1, MG_RULE_SCHEMA, "%0100u", i);
	out = render(&b, MG_REPORT_MARKDOWN, &f, &ctx);
	MGT_CHECK(b.len < 60000);
	MGT_CHECK(strstr(out, " more findings not shown here; every finding is in the job log.\n") != NULL);
	MGT_CHECK(strstr(out, "</details>\n") != NULL);
	mg_findings_release(&f);
	mg_buf_release(&b);
}

MGT_MAIN(test_format_names, test_empty, test_appends, test_github, test_github_escaping,
	 test_github_limit, test_gitlab, test_gitlab_escaping, test_fingerprint_stable, test_sarif,
	 test_sarif_escaping, test_junit, test_junit_escaping, test_markdown, test_markdown_escaping,
	 test_markdown_long)
