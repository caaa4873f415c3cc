/*
 * report_gitlab.c - GitLab Code Quality (a subset of the Code Climate
 * issue format): a JSON array with one object per finding.
 *
 *   { "type": "issue", "engine_name": "meshgate", "check_name": RULE,
 *     "description": MESSAGE, "fingerprint": 32 hex digits,
 *     "severity": "critical" | "minor" | "info",
 *     "location": { "path": PATH, "lines": { "begin": LINE } } }
 *
 * Error-level findings fail the check, so they are "critical" (shown first
 * in the merge request widget, above GitLab's default "major"); warnings are
 * "minor" and notes "info".  GitLab needs lines.begin >= 1, so a finding on
 * a whole file is put on line 1.  An empty report is "[]".
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "report/report_int.h"

static const char *severity_of(mg_severity s)
{
	switch (s) {
	case MG_SEV_ERROR: return "critical";
	case MG_SEV_WARNING: return "minor";
	case MG_SEV_NOTE:
	case MG_SEV_OFF: break;
	}
	return "info";
}

static int add_string(cJSON *o, const char *key, const char *s, mg_buf *tmp)
{
	mg_buf_clear(tmp);
	if (mg_report_add_utf8(tmp, s, strlen(s)) < 0 || !cJSON_AddStringToObject(o, key, tmp->ptr))
		return MG_ENOMEM;
	return 0;
}

static int add_issue(cJSON *list, const mg_finding *x, const char *fp, mg_buf *tmp)
{
	cJSON *o = cJSON_CreateObject(), *loc, *lines;
	if (!o)
		return MG_ENOMEM;
	cJSON_AddItemToArray(list, o);
	if (!cJSON_AddStringToObject(o, "type", "issue") ||
	    !cJSON_AddStringToObject(o, "engine_name", "meshgate") ||
	    !cJSON_AddStringToObject(o, "check_name", mg_rule_id(x->rule)) ||
	    add_string(o, "description", x->message, tmp) < 0 ||
	    !cJSON_AddStringToObject(o, "fingerprint", fp) ||
	    !cJSON_AddStringToObject(o, "severity", severity_of(x->severity)) ||
	    !(loc = cJSON_AddObjectToObject(o, "location")) || add_string(loc, "path", x->path, tmp) < 0 ||
	    !(lines = cJSON_AddObjectToObject(loc, "lines")) ||
	    !cJSON_AddNumberToObject(lines, "begin", x->line ? x->line : 1))
		return MG_ENOMEM;
	return 0;
}

int mg_report_gitlab(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out)
{
	(void)ctx;
	mg_buf tmp = MG_BUF_INIT;
	mg_report_fp *fps = NULL;
	cJSON *root = cJSON_CreateArray();
	int r = MG_ENOMEM;
	if (!root || mg_report_fingerprints(&fps, f) < 0)
		goto done;
	for (size_t i = 0; i < f->count; i++)
		if (add_issue(root, &f->items[i], fps[i], &tmp) < 0)
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
