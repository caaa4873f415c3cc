/*
 * options.c - reporting problems in a backend's meshgate.yaml options, the
 * same way for every backend (see backends_int.h): as `config` findings
 * when validating, as the first error when building the backend; and the
 * product -> name maps that more than one backend takes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_int.h"
#include "meshgate/error.h"

int mg_backend_problem(mg_backend_reporter *rp, const mg_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = 0;
	if (rp->findings) {
		r = mg_findings_vadd(rp->findings, rp->path, at ? at->line : 1, at ? at->col : 1, MG_RULE_CONFIG, fmt, ap);
	} else if (!rp->first) {
		char msg[512];
		vsnprintf(msg, sizeof msg, fmt, ap);
		mg_error_set("%s: %s", rp->path, msg);
		rp->first = MG_EINVALID;
	}
	va_end(ap);
	return r;
}

bool mg_backend_int_option(const mg_node *v, long lo, long hi, long *out)
{
	if (!v || v->type != MG_NODE_NUMBER || !v->u.number.is_integer || v->u.number.value < (double)lo ||
	    v->u.number.value > (double)hi)
		return false;
	*out = (long)v->u.number.value;
	return true;
}

int mg_backend_names_parse(mg_backend_reporter *rp, const mg_node *v, const mg_backend_names_spec *spec,
			   mg_backend_names *out)
{
	int r = 0;
	if (v->type != MG_NODE_OBJECT || v->u.object.count > (size_t)spec->max_entries)
		return mg_backend_problem(rp, v, "%s: %s maps data-product names to %s names (at most %d entries)",
					  spec->backend, spec->option, spec->names, spec->max_entries);
	mg_backend_names_release(out);
	if (!(out->items = calloc(v->u.object.count ? v->u.object.count : 1, sizeof *out->items)))
		return mg_oom();
	for (size_t k = 0; k < v->u.object.count && r == 0; k++) {
		const mg_member *e = &v->u.object.members[k];
		const char *name = mg_node_str(e->value);
		if (!name || !spec->name_ok(name)) {
			r = mg_backend_problem(rp, e->value, "%s: the %s of product '%s' must be a name of 1 to %d bytes "
							     "without control characters", spec->backend, spec->one, e->key,
					       spec->max_len);
			continue;
		}
		out->items[out->count].product = e->key;
		out->items[out->count++].name = name;
	}
	return r;
}

void mg_backend_names_release(mg_backend_names *m)
{
	free(m->items);
	m->items = NULL;
	m->count = 0;
}

const char *mg_backend_name_of(const mg_backend_names *m, const char *product)
{
	for (size_t i = 0; i < m->count; i++)
		if (strcmp(m->items[i].product, product) == 0)
			return m->items[i].name;
	return product;
}
