/* finding.c - the rule registry and findings lists (see meshgate/finding.h). */
#include "meshgate/sort.h"
#include "meshgate/finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/error.h"

static const struct {
	const char *id;
	mg_severity severity;
	const char *summary;
} rules[] = {
#define MG__RULE_ROW(e, id, sev, summary) { id, MG_SEV_##sev, summary },
	MG_FOREACH_RULE(MG__RULE_ROW)
#undef MG__RULE_ROW
};

const char *mg_rule_id(mg_rule r)
{
	return (unsigned)r < MG_RULE__COUNT ? rules[r].id : "?";
}

const char *mg_rule_summary(mg_rule r)
{
	return (unsigned)r < MG_RULE__COUNT ? rules[r].summary : "";
}

mg_severity mg_rule_default_severity(mg_rule r)
{
	return (unsigned)r < MG_RULE__COUNT ? rules[r].severity : MG_SEV_ERROR;
}

int mg_rule_lookup(mg_rule *out, const char *id)
{
	for (int i = 0; i < MG_RULE__COUNT; i++)
		if (strcmp(rules[i].id, id) == 0) {
			*out = (mg_rule)i;
			return 0;
		}
	return MG_ENOTFOUND;
}

static const char *const sev_names[] = { "off", "note", "warning", "error" };

const char *mg_severity_name(mg_severity s)
{
	return (unsigned)s <= MG_SEV_ERROR ? sev_names[s] : "?";
}

int mg_severity_parse(mg_severity *out, const char *s)
{
	for (int i = 0; i <= MG_SEV_ERROR; i++)
		if (strcmp(sev_names[i], s) == 0) {
			*out = (mg_severity)i;
			return 0;
		}
	return MG_ENOTFOUND;
}

void mg_findings_init(mg_findings *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < MG_RULE__COUNT; i++)
		f->severity[i] = rules[i].severity;
}

void mg_findings_release(mg_findings *f)
{
	for (size_t i = 0; i < f->count; i++) {
		free(f->items[i].path);
		free(f->items[i].message);
	}
	free(f->items);
	f->items = NULL;
	f->count = f->cap = 0;
}

/* Appends a finding that owns path and message (both freed here on failure). */
static int push(mg_findings *f, char *path, char *message, uint32_t line, uint32_t col, mg_rule rule)
{
	if (!path || !message) {
		free(path);
		free(message);
		return mg_oom();
	}
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		mg_finding *items = realloc(f->items, cap * sizeof *items);
		if (!items) {
			free(path);
			free(message);
			return mg_oom();
		}
		f->items = items;
		f->cap = cap;
	}
	mg_finding *x = &f->items[f->count++];
	x->path = path;
	x->line = line;
	x->col = col;
	x->rule = rule;
	x->severity = f->severity[rule];
	x->message = message;
	return 0;
}

int mg_findings_vadd(mg_findings *f, const char *path, uint32_t line, uint32_t col,
		     mg_rule rule, const char *fmt, va_list ap)
{
	if (!f || f->severity[rule] == MG_SEV_OFF)
		return 0;
	mg_buf msg = MG_BUF_INIT;
	if (mg_buf_vaddf(&msg, fmt, ap) < 0)
		return mg_oom();
	return push(f, strdup(path ? path : ""), mg_buf_detach(&msg, NULL), line, col, rule);
}

int mg_findings_add_text(mg_findings *f, const char *path, uint32_t line, uint32_t col, mg_rule rule,
			 const char *message)
{
	if (!f || f->severity[rule] == MG_SEV_OFF)
		return 0;
	return push(f, strdup(path ? path : ""), strdup(message), line, col, rule);
}

int mg_findings_add(mg_findings *f, const char *path, uint32_t line, uint32_t col,
		    mg_rule rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mg_findings_vadd(f, path, line, col, rule, fmt, ap);
	va_end(ap);
	return r;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const mg_finding *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return strcmp(a->message, b->message);
}

void mg_findings_sort(mg_findings *f)
{
	if (f->count > 1)
		mg_sort(f->items, f->count, sizeof *f->items, cmp_finding);
}

size_t mg_findings_count_at(const mg_findings *f, mg_severity s)
{
	size_t n = 0;
	for (size_t i = 0; i < f->count; i++)
		n += f->items[i].severity == s;
	return n;
}
