/*
 * report.c - the report dispatcher, the text and JSON writers, and the
 * helpers the other writers share (see meshgate/report.h and
 * report_int.h).  JSON is built with cJSON, which stays inside the report
 * files.
 */
#include "meshgate/sort.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "documents/utf8.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"
#include "meshgate/report.h"
#include "report/report_int.h"

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

/* Appends the decimal digits of v. */
static int add_uint(mg_buf *b, unsigned v)
{
	char d[16];
	size_t n = sizeof d;
	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) && n);
	return mg_buf_add(b, d + n, sizeof d - n);
}

/*
 * "path:line:col: severity: message [rule]", one per finding, in pieces
 * rather than through printf: the hook prints every finding of the
 * catalogue on each commit, and formatting was a tenth of its time.
 */
static int report_text(const mg_findings *f, mg_buf *out, int color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	int r = 0;
	for (size_t i = 0; i < f->count && r == 0; i++) {
		const mg_finding *x = &f->items[i];
		r |= mg_buf_adds(out, bold);
		r |= mg_buf_adds(out, x->path);
		r |= mg_buf_addc(out, ':');
		if (x->line) {
			r |= add_uint(out, (unsigned)x->line);
			r |= mg_buf_addc(out, ':');
			r |= add_uint(out, (unsigned)x->col);
			r |= mg_buf_addc(out, ':');
		}
		r |= mg_buf_adds(out, reset);
		r |= mg_buf_addc(out, ' ');
		r |= mg_buf_adds(out, color ? sev_color(x->severity) : "");
		r |= mg_buf_adds(out, mg_severity_name(x->severity));
		r |= mg_buf_addc(out, ':');
		r |= mg_buf_adds(out, reset);
		r |= mg_buf_addc(out, ' ');
		r |= mg_buf_adds(out, x->message);
		r |= mg_buf_add(out, " [", 2);
		r |= mg_buf_adds(out, mg_rule_id(x->rule));
		r |= mg_buf_add(out, "]\n", 2);
	}
	return r ? MG_ENOMEM : 0;
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
	size_t start = out->len;
	int r;
	switch (format) {
	case MG_REPORT_TEXT: r = report_text(f, out, ctx->color); break;
	case MG_REPORT_JSON: r = report_json(f, ctx, out); break;
	case MG_REPORT_SARIF: r = mg_report_sarif(f, ctx, out); break;
	case MG_REPORT_GITHUB: r = mg_report_github(f, ctx, out); break;
	case MG_REPORT_GITLAB: r = mg_report_gitlab(f, ctx, out); break;
	case MG_REPORT_JUNIT: r = mg_report_junit(f, ctx, out); break;
	case MG_REPORT_MARKDOWN: r = mg_report_markdown(f, ctx, out); break;
	default:
		mg_error_set("unknown report format %d", (int)format);
		return MG_EINVALID;
	}
	if (r < 0) {
		if (r == MG_ENOMEM)
			mg_oom();
		if (out->cap) {
			out->len = start;
			out->ptr[start] = '\0';
		}
	}
	return r;
}

/* ---- helpers shared by the writers (report_int.h) ---- */

#define FNV_BASIS UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

typedef struct fp_key {
	uint64_t h[2];
	size_t index;
} fp_key;

static int cmp_fp_key(const void *pa, const void *pb)
{
	const fp_key *a = pa, *b = pb;
	for (int k = 0; k < 2; k++)
		if (a->h[k] != b->h[k])
			return a->h[k] < b->h[k] ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

int mg_report_fingerprints(mg_report_fp **out, const mg_findings *f)
{
	*out = NULL;
	if (f->count == 0)
		return 0;
	mg_report_fp *fps = calloc(f->count, sizeof *fps);
	fp_key *keys = calloc(f->count, sizeof *keys);
	if (!fps || !keys) {
		free(fps);
		free(keys);
		return mg_oom();
	}
	/* The second hash starts from a salted basis so the two are not equal. */
	uint64_t basis[2] = { FNV_BASIS, fnv1a(FNV_BASIS, "meshgate/v1", 11) };
	for (size_t i = 0; i < f->count; i++) {
		const mg_finding *x = &f->items[i];
		const char *id = mg_rule_id(x->rule);
		for (int k = 0; k < 2; k++) {
			uint64_t h = fnv1a(basis[k], id, strlen(id) + 1);
			h = fnv1a(h, x->path, strlen(x->path) + 1);
			keys[i].h[k] = fnv1a(h, x->message, strlen(x->message) + 1);
		}
		keys[i].index = i;
	}
	mg_sort(keys, f->count, sizeof *keys, cmp_fp_key);
	unsigned long occurrence = 0;
	for (size_t j = 0; j < f->count; j++) {
		fp_key *k = &keys[j];
		if (j > 0 && k->h[0] == keys[j - 1].h[0] && k->h[1] == keys[j - 1].h[1])
			occurrence++;
		else
			occurrence = 0;
		uint64_t h[2] = { k->h[0], k->h[1] };
		if (occurrence) {
			char num[24];
			int n = snprintf(num, sizeof num, "#%lu", occurrence);
			for (int m = 0; m < 2; m++)
				h[m] = fnv1a(h[m], num, (size_t)n);
		}
		snprintf(fps[k->index], sizeof fps[k->index], "%016llx%016llx",
			 (unsigned long long)h[0], (unsigned long long)h[1]);
	}
	free(keys);
	*out = fps;
	return 0;
}

int mg_report_add_summary(mg_buf *out, const mg_findings *f, const mg_report_ctx *ctx)
{
	size_t e = mg_findings_count_at(f, MG_SEV_ERROR), w = mg_findings_count_at(f, MG_SEV_WARNING);
	size_t n = mg_findings_count_at(f, MG_SEV_NOTE);
	if (mg_buf_addf(out, "meshgate: %zu error%s, %zu warning%s", e, e == 1 ? "" : "s", w,
			w == 1 ? "" : "s") < 0)
		return MG_ENOMEM;
	if (n && mg_buf_addf(out, ", %zu note%s", n, n == 1 ? "" : "s") < 0)
		return MG_ENOMEM;
	return mg_buf_addf(out, " in %zu product%s", ctx->nproducts, ctx->nproducts == 1 ? "" : "s");
}

const char *mg_report_rule_doc(mg_rule rule, size_t *len)
{
	const char *doc = mg_embedded_find("rules.md", NULL), *id = mg_rule_id(rule);
	size_t idlen = strlen(id);
	*len = 0;
	for (const char *p = doc; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "## ", 3) != 0 || strncmp(p + 3, id, idlen) != 0 ||
		    (p[3 + idlen] != '\n' && p[3 + idlen] != ' ' && p[3 + idlen] != '\r' &&
		     p[3 + idlen] != '\0'))
			continue;
		const char *body = strchr(p, '\n');
		if (!body)
			return NULL;
		const char *end = strstr(body, "\n## ");
		if (!end)
			end = body + strlen(body);
		while (body < end && (*body == '\n' || *body == '\r'))
			body++;
		while (end > body && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (body == end)
			return NULL;
		*len = (size_t)(end - body);
		return body;
	}
	return NULL;
}

size_t mg_report_utf8_seq(const char *s, size_t avail)
{
	return mg_utf8_valid_prefix(s, avail);
}

int mg_report_add_utf8(mg_buf *out, const char *s, size_t len)
{
	if (mg_utf8_check(s, len) == len)
		return mg_buf_add(out, s, len);
	for (size_t i = 0; i < len;) {
		size_t n = mg_utf8_valid_prefix(s + i, len - i);
		if (mg_buf_add(out, n ? s + i : "\xEF\xBF\xBD", n ? n : 3) < 0)
			return MG_ENOMEM;
		i += n ? n : 1;
	}
	return 0;
}
