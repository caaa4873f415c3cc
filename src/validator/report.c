/*
 * report.c - writers for findings: text and JSON (see meshgate/validate.h).
 * JSON is built with cJSON, which stays inside this file.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "meshgate/error.h"
#include "meshgate/report.h"

static const char *sev_color(mg_severity s)
{
	switch (s) {
	case MG_SEV_ERROR: return "\033[1;31m";
	case MG_SEV_WARNING: return "\033[1;35m";
	case MG_SEV_NOTE: return "\033[1;36m";
	case MG_SEV_OFF: break;
	}
	return "";
}

static int report_text(const mg_findings *f, mg_buf *out, int color)
{
	int r = 0;
	for (size_t i = 0; i < f->count && r == 0; i++) {
		const mg_finding *x = &f->items[i];
		const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
		if (x->line)
			r = mg_buf_addf(out, "%s%s:%u:%u:%s ", bold, x->path, (unsigned)x->line,
					(unsigned)x->col, reset);
		else
			r = mg_buf_addf(out, "%s%s:%s ", bold, x->path, reset);
		if (r == 0)
			r = mg_buf_addf(out, "%s%s:%s %s [%s]\n", color ? sev_color(x->severity) : "",
					mg_severity_name(x->severity), reset, x->message, mg_rule_id(x->rule));
	}
	return r;
}

static int report_json(const mg_findings *f, const mg_report_ctx *ctx, mg_buf *out)
{
	cJSON *root = cJSON_CreateObject(), *list;
	int r = 0;
	if (!root || !cJSON_AddNumberToObject(root, "version", 1) ||
	    !(list = cJSON_AddArrayToObject(root, "findings")))
		goto oom;
	for (size_t i = 0; i < f->count; i++) {
		const mg_finding *x = &f->items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto oom;
		cJSON_AddItemToArray(list, o);
		if (!cJSON_AddStringToObject(o, "path", x->path) ||
		    !cJSON_AddNumberToObject(o, "line", x->line) ||
		    !cJSON_AddNumberToObject(o, "column", x->col) ||
		    !cJSON_AddStringToObject(o, "severity", mg_severity_name(x->severity)) ||
		    !cJSON_AddStringToObject(o, "rule", mg_rule_id(x->rule)) ||
		    !cJSON_AddStringToObject(o, "message", x->message))
			goto oom;
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	if (!sum || !cJSON_AddNumberToObject(sum, "errors", (double)mg_findings_count_at(f, MG_SEV_ERROR)) ||
	    !cJSON_AddNumberToObject(sum, "warnings", (double)mg_findings_count_at(f, MG_SEV_WARNING)) ||
	    !cJSON_AddNumberToObject(sum, "notes", (double)mg_findings_count_at(f, MG_SEV_NOTE)) ||
	    !cJSON_AddNumberToObject(sum, "products", (double)ctx->nproducts) ||
	    !cJSON_AddNumberToObject(sum, "files", (double)ctx->nfiles))
		goto oom;
	char *text = cJSON_Print(root);
	if (!text)
		goto oom;
	r = mg_buf_adds(out, text);
	if (r == 0)
		r = mg_buf_addc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
	return r;
oom:
	cJSON_Delete(root);
	return mg_oom();
}

static const char *const names[MG_REPORT__COUNT] = {
	"text", "json", "sarif", "github", "gitlab", "junit", "markdown",
};

int mg_report_format_parse(mg_report_format *out, const char *name)
{
	for (int i = 0; i < MG_REPORT__COUNT; i++)
		if (strcmp(names[i], name) == 0) {
			*out = (mg_report_format)i;
			return 0;
		}
	return MG_ENOTFOUND;
}

const char *mg_report_format_name(mg_report_format f)
{
	return (unsigned)f < MG_REPORT__COUNT ? names[f] : "?";
}

int mg_report_write(mg_report_format format, const mg_findings *f, const mg_report_ctx *ctx,
		    mg_buf *out)
{
	switch (format) {
	case MG_REPORT_TEXT: return report_text(f, out, ctx->color);
	case MG_REPORT_JSON: return report_json(f, ctx, out);
	default: break;
	}
	mg_error_set("the %s format is not implemented yet", mg_report_format_name(format));
	return MG_EINVALID;
}
