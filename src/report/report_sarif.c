/*
 * report_sarif.c - SARIF 2.1.0 for code scanning (GitHub, Azure DevOps,
 * IDE viewers).  One run; the driver lists every rule of the registry with
 * its docs/rules.md section as help, so `ruleIndex` is the rule's enum
 * value.  Locations are repo-relative URIs against %SRCROOT%, and each
 * result carries a line-independent fingerprint (report_int.h).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "report/report_int.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT "%SRCROOT%"

static const char *level_of(mg_severity s)
{
	switch (s) {
	case MG_SEV_ERROR: return "error";
	case MG_SEV_WARNING: return "warning";
	case MG_SEV_NOTE: return "note";
	case MG_SEV_OFF: break;
	}
	return "none";
}

/*
 * Appends path as a relative URI reference (RFC 3986): unreserved
 * characters and '/' stay, every other byte (spaces, '%', ':', '#', '?',
 * non-ASCII UTF-8) becomes %XX.  Encoding ':' also keeps a first segment
 * like "c:x" from reading as a scheme.
 */
static int add_uri(mg_buf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		unsigned char c = *p;
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
		if (keep ? mg_buf_addc(out, (char)c) : mg_buf_add(out, esc, 3))
			return MG_ENOMEM;
	}
	return 0;
}

/* {"text": s} under key, with s made valid UTF-8; NULL when out of memory. */
static cJSON *add_message(cJSON *obj, const char *key, const char *s, size_t len, mg_buf *tmp)
{
	cJSON *m = cJSON_AddObjectToObject(obj, key);
	mg_buf_clear(tmp);
	if (!m || mg_report_add_utf8(tmp, s, len) < 0)
		return NULL;
	return cJSON_AddStringToObject(m, "text", tmp->ptr);
}

/* The length of the first paragraph of a rule's docs (up to a blank line). */
static size_t first_paragraph(const char *doc, size_t len)
{
	size_t n = 0;
	while (n < len) {
		const char *nl = memchr(doc + n, '\n', len - n);
		size_t next = nl ? (size_t)(nl - doc) + 1 : len;
		if (n > 0 && (next - n == 1 || (next - n == 2 && doc[n] == '\r')))
			break;
		n = next;
	}
	while (n > 0 && (doc[n - 1] == '\n' || doc[n - 1] == '\r'))
		n--;
	return n;
}

static int add_rule(cJSON *rules, mg_rule r, mg_buf *tmp)
{
	cJSON *o = cJSON_CreateObject(), *help, *cfg;
	if (!o)
		return MG_ENOMEM;
	cJSON_AddItemToArray(rules, o);
	const char *summary = mg_rule_summary(r);
	size_t doclen;
	const char *doc = mg_report_rule_doc(r, &doclen);
	if (!cJSON_AddStringToObject(o, "id", mg_rule_id(r)) ||
	    !add_message(o, "shortDescription", summary, strlen(summary), tmp) ||
	    !add_message(o, "fullDescription", doc ? doc : summary,
			 doc ? first_paragraph(doc, doclen) : strlen(summary), tmp) ||
	    !(help = add_message(o, "help", doc ? doc : summary, doc ? doclen : strlen(summary), tmp)))
		return MG_ENOMEM;
	/* add_message returned the "text" item; "markdown" goes beside it. */
	cJSON *helpobj = cJSON_GetObjectItemCaseSensitive(o, "help");
	if (!helpobj || !cJSON_AddStringToObject(helpobj, "markdown", help->valuestring) ||
	    !(cfg = cJSON_AddObjectToObject(o, "defaultConfiguration")) ||
	    !cJSON_AddStringToObject(cfg, "level", level_of(mg_rule_default_severity(r))))
		return MG_ENOMEM;
	return 0;
}

static int add_result(cJSON *results, const mg_finding *x, const char *fp, mg_buf *tmp)
{
	cJSON *o = cJSON_CreateObject(), *locs, *loc, *phys, *art, *region, *fps;
	if (!o)
		return MG_ENOMEM;
	cJSON_AddItemToArray(results, o);
	if (!cJSON_AddStringToObject(o, "ruleId", mg_rule_id(x->rule)) ||
	    !cJSON_AddNumberToObject(o, "ruleIndex", (double)x->rule) ||
	    !cJSON_AddStringToObject(o, "level", level_of(x->severity)) ||
	    !add_message(o, "message", x->message, strlen(x->message), tmp))
		return MG_ENOMEM;
	if (x->path[0]) {
		mg_buf_clear(tmp);
		if (add_uri(tmp, x->path) < 0 || !(locs = cJSON_AddArrayToObject(o, "locations")) ||
		    !(loc = cJSON_CreateObject()))
			return MG_ENOMEM;
		cJSON_AddItemToArray(locs, loc);
		if (!(phys = cJSON_AddObjectToObject(loc, "physicalLocation")) ||
		    !(art = cJSON_AddObjectToObject(phys, "artifactLocation")) ||
		    !cJSON_AddStringToObject(art, "uri", tmp->ptr) ||
		    !cJSON_AddStringToObject(art, "uriBaseId", SRCROOT))
			return MG_ENOMEM;
		if (x->line) {
			if (!(region = cJSON_AddObjectToObject(phys, "region")) ||
			    !cJSON_AddNumberToObject(region, "startLine", x->line) ||
			    (x->col && !cJSON_AddNumberToObject(region, "startColumn", x->col)))
				return MG_ENOMEM;
		}
	}
	if (!(fps = cJSON_AddObjectToObject(o, "partialFingerprints")) ||
	    !cJSON_AddStringToObject(fps, "meshgate/v1", fp))
		return MG_ENOMEM;
	return 0;
}

int mg_report_sarif(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out)
{
	(void)ctx;
	mg_buf tmp = MG_BUF_INIT;
	mg_report_fp *fps = NULL;
	cJSON *root = cJSON_CreateObject(), *runs, *run, *tool, *driver, *rules, *bases, *src, *results;
	int r = MG_ENOMEM;
	if (!root || mg_report_fingerprints(&fps, f) < 0)
		goto done;
	if (!cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA) ||
	    !cJSON_AddStringToObject(root, "version", "2.1.0") ||
	    !(runs = cJSON_AddArrayToObject(root, "runs")) || !(run = cJSON_CreateObject()))
		goto done;
	cJSON_AddItemToArray(runs, run);
	if (!(tool = cJSON_AddObjectToObject(run, "tool")) ||
	    !(driver = cJSON_AddObjectToObject(tool, "driver")) ||
	    !cJSON_AddStringToObject(driver, "name", "meshgate") ||
	    !cJSON_AddStringToObject(driver, "semanticVersion", MESHGATE_VERSION) ||
	    !(rules = cJSON_AddArrayToObject(driver, "rules")))
		goto done;
	for (int i = 0; i < MG_RULE__COUNT; i++)
		if (add_rule(rules, (mg_rule)i, &tmp) < 0)
			goto done;
	if (!(bases = cJSON_AddObjectToObject(run, "originalUriBaseIds")) ||
	    !(src = cJSON_AddObjectToObject(bases, SRCROOT)) ||
	    !add_message(src, "description", "the root of the repository", 26, &tmp) ||
	    !cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints") ||
	    !(results = cJSON_AddArrayToObject(run, "results")))
		goto done;
	for (size_t i = 0; i < f->count; i++)
		if (add_result(results, &f->items[i], fps[i], &tmp) < 0)
			goto done;
	char *text = cJSON_Print(root);
	if (!text)
		goto done;
	r = mg_buf_adds(out, text);
	if (r == 0)
		r = mg_buf_addc(out, '\n');
	cJSON_free(text);
done:
	if (r == MG_ENOMEM)
		mg_oom();
	cJSON_Delete(root);
	free(fps);
	mg_buf_release(&tmp);
	return r;
}
