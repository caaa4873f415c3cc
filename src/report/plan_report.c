/*
 * plan_report.c - plans in data-product terms, as text, JSON and Markdown
 * (see meshgate/planner.h; the JSON form is documented in docs/plan.md).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "meshgate/error.h"
#include "meshgate/planner.h"
#include "report/report_int.h"

int mg_plan_format_parse(mg_plan_format *out, const char *name)
{
	static const char *const names[] = { "text", "json", "markdown" };
	for (int i = 0; i < 3; i++)
		if (strcmp(names[i], name) == 0) {
			*out = (mg_plan_format)i;
			return 0;
		}
	return MG_ENOTFOUND;
}

static const char *who(const mg_grant *g)
{
	switch (g->channel) {
	case MG_CHANNEL_IAM: return "iam role";
	case MG_CHANNEL_POSTGRES: return "role";
	default: return "consumer";
	}
}

static int exposure_words(mg_buf *b, unsigned e)
{
	int r = 0, first = 1;
	static const struct { unsigned bit; const char *word; } w[] = {
		{ MG_EXPOSE_PII, "pii" }, { MG_EXPOSE_PCI, "pci" }, { MG_EXPOSE_CONFIDENTIAL, "confidential" },
	};
	for (size_t i = 0; i < 3; i++)
		if (e & w[i].bit) {
			r |= mg_buf_addf(b, "%s%s", first ? "" : ", ", w[i].word);
			first = 0;
		}
	return r;
}

/* Why a risky op is risky: "pii", "declassified email", "pci, declassified ledger". */
static int risk_words(mg_buf *b, const mg_op *op)
{
	unsigned own = op->newly & ~op->declassified;
	int r = exposure_words(b, own);
	if (!op->ndeclassified)
		return r;
	r |= mg_buf_adds(b, own ? ", declassified " : "declassified ");
	for (size_t i = 0; i < op->ndeclassified; i++)
		r |= mg_buf_addf(b, "%s%s", i ? ", " : "", op->declassified_names[i]);
	return r;
}

/* "SELECT on orders (amount, id)" and friends. */
static int resource(mg_buf *b, const mg_op *op, int markdown)
{
	const mg_grant *g = &op->grant;
	const char *q = markdown ? "`" : "";
	int r;
	if (!g->table)
		return mg_buf_addf(b, "DESCRIBE on database %s%s%s", q, g->product, q);
	if (!g->except && g->ncolumns == 1)
		return mg_buf_addf(b, "SELECT on %s%s.%s%s", q, g->table, g->columns[0], q);
	r = mg_buf_addf(b, "SELECT on %s%s%s (", q, g->table, q);
	if (g->except)
		r |= mg_buf_adds(b, g->ncolumns ? "all columns except " : "all columns");
	size_t shown = g->ncolumns > 12 ? 12 : g->ncolumns;
	for (size_t i = 0; i < shown; i++)
		r |= mg_buf_addf(b, "%s%s", i ? ", " : "", g->columns[i]);
	if (shown < g->ncolumns)
		r |= mg_buf_addf(b, ", +%zu more", g->ncolumns - shown);
	return r | mg_buf_addc(b, ')');
}

static void counts(const mg_plan *p, size_t *grants, size_t *revokes, size_t *risky)
{
	*grants = *revokes = *risky = 0;
	for (size_t i = 0; i < p->count; i++) {
		if (p->ops[i].kind == MG_OP_GRANT)
			(*grants)++;
		else
			(*revokes)++;
		*risky += p->ops[i].risky;
	}
}

/*
 * The changes of meshgate.yaml the plan is applied with, before its
 * operations: "~ meshgate.yaml:4:3: turns rule 'x' off (it was error)
 * [loosens the gate]", or a Markdown list.
 */
static int write_config(const mg_findings *config, mg_buf *b, int md)
{
	int r = 0;
	if (!config || !config->count)
		return 0;
	if (md)
		r |= mg_buf_adds(b, "**meshgate.yaml changed**: this plan is applied with the new configuration.\n\n");
	for (size_t i = 0; i < config->count; i++) {
		const mg_finding *x = &config->items[i];
		bool loosens = x->rule == MG_RULE_CONFIG_LOOSENED;
		if (md) {
			r |= mg_buf_adds(b, loosens ? "- ⚠️ " : "- ");
			r |= mg_report_md_escape(b, x->path);
			if (x->line)
				r |= mg_buf_addf(b, ":%u", (unsigned)x->line);
			r |= mg_buf_adds(b, ": ");
			r |= mg_report_md_escape(b, x->message);
			r |= mg_buf_adds(b, loosens ? " (**loosens the gate**)\n" : "\n");
			continue;
		}
		r |= mg_buf_addf(b, "~ %s", x->path);
		if (x->line)
			r |= mg_buf_addf(b, ":%u:%u", (unsigned)x->line, (unsigned)x->col);
		r |= mg_buf_addf(b, ": %s%s\n", x->message, loosens ? "  [loosens the gate]" : "");
	}
	if (md)
		r |= mg_buf_adds(b, "\n");
	return r;
}

static int write_text(const mg_plan *p, const mg_findings *config, const char *from, const char *to, mg_buf *b,
		      int md)
{
	size_t grants, revokes, risky;
	int r = 0;
	counts(p, &grants, &revokes, &risky);
	if (md) {
		r |= mg_buf_addf(b, "%s **%zu change%s**: %zu revoke%s, %zu grant%s (%zu risky)",
				 risky ? "⚠️" : "✅", p->count, p->count == 1 ? "" : "s", revokes,
				 revokes == 1 ? "" : "s", grants, grants == 1 ? "" : "s", risky);
		if (from && *from)
			r |= mg_buf_addf(b, " — `%.12s` → `%.12s`", from, to ? to : "");
		else if (to)
			r |= mg_buf_addf(b, " — everything → `%.12s`", to);
		r |= mg_buf_adds(b, "\n\n");
		r |= write_config(config, b, md);
		if (!p->count)
			return r ? mg_oom() : 0;
		r |= mg_buf_adds(b, "| | environment | product | who | what | risk |\n|---|---|---|---|---|---|\n");
	} else if (from && *from) {
		r |= mg_buf_addf(b, "plan %.12s..%.12s\n", from, to ? to : "");
	} else if (to) {
		r |= mg_buf_addf(b, "plan: everything %.12s wants (nothing applied before)\n", to);
	}
	if (!md)
		r |= write_config(config, b, md);
	for (size_t i = 0; i < p->count; i++) {
		const mg_op *op = &p->ops[i];
		const mg_grant *g = &op->grant;
		const char *verb = op->kind == MG_OP_GRANT ? "gains" : "loses";
		if (md) {
			r |= mg_buf_addf(b, "| %s | %s | %s | %s `%s` | %s ", op->kind == MG_OP_GRANT ? "➕" : "➖",
					 g->environment, g->product, who(g), g->principal, verb);
			r |= resource(b, op, 1);
			r |= mg_buf_adds(b, op->risky ? " | **risky**: " : " | safe");
			if (op->risky)
				r |= risk_words(b, op);
			r |= mg_buf_adds(b, " |\n");
			continue;
		}
		r |= mg_buf_addf(b, "%c %s/%s: %s %s %s ", op->kind == MG_OP_GRANT ? '+' : '-', g->environment,
				 g->product, who(g), g->principal, verb);
		r |= resource(b, op, 0);
		if (op->risky) {
			r |= mg_buf_adds(b, "  [risky: ");
			r |= risk_words(b, op);
			r |= mg_buf_adds(b, "]\n");
		} else {
			r |= mg_buf_adds(b, "  [safe]\n");
		}
	}
	if (!md)
		r |= mg_buf_addf(b, "%zu change%s: %zu revoke%s, %zu grant%s (%zu risky)\n", p->count,
				 p->count == 1 ? "" : "s", revokes, revokes == 1 ? "" : "s", grants,
				 grants == 1 ? "" : "s", risky);
	return r ? mg_oom() : 0;
}

static int write_json(const mg_plan *p, const mg_findings *config, const char *from, const char *to, mg_buf *b)
{
	size_t grants, revokes, risky;
	cJSON *root = cJSON_CreateObject(), *ops, *cfg;
	counts(p, &grants, &revokes, &risky);
	if (!root || !cJSON_AddNumberToObject(root, "version", 1) ||
	    !(from && *from ? cJSON_AddStringToObject(root, "from", from) : cJSON_AddNullToObject(root, "from")) ||
	    !(to ? cJSON_AddStringToObject(root, "to", to) : cJSON_AddNullToObject(root, "to")) ||
	    !(ops = cJSON_AddArrayToObject(root, "operations")))
		goto oom;
	for (size_t i = 0; i < p->count; i++) {
		const mg_op *op = &p->ops[i];
		const mg_grant *g = &op->grant;
		cJSON *o = cJSON_CreateObject(), *cols, *perms, *exp, *decl;
		if (!o)
			goto oom;
		cJSON_AddItemToArray(ops, o);
		if (!cJSON_AddStringToObject(o, "kind", op->kind == MG_OP_GRANT ? "grant" : "revoke") ||
		    !cJSON_AddStringToObject(o, "key", op->key) ||
		    !cJSON_AddStringToObject(o, "environment", g->environment) ||
		    !cJSON_AddStringToObject(o, "product", g->product) ||
		    !cJSON_AddStringToObject(o, "principal", g->principal) ||
		    !cJSON_AddStringToObject(o, "channel", g->channel == MG_CHANNEL_IAM ? "iam"
							 : g->channel == MG_CHANNEL_POSTGRES ? "postgres"
							 : "lakeformation") ||
		    !(g->table ? cJSON_AddStringToObject(o, "table", g->table) : cJSON_AddNullToObject(o, "table")) ||
		    !(perms = cJSON_AddArrayToObject(o, "permissions")) ||
		    !(cols = cJSON_AddArrayToObject(o, g->except ? "all_columns_except" : "columns")) ||
		    !cJSON_AddStringToObject(o, "risk", op->risky ? "risky" : "safe") ||
		    !(exp = cJSON_AddArrayToObject(o, "exposes")) ||
		    !(decl = cJSON_AddArrayToObject(o, "declassified")))
			goto oom;
		for (size_t k = 0; k < op->ndeclassified; k++)
			cJSON_AddItemToArray(decl, cJSON_CreateString(op->declassified_names[k]));
		if (g->perms & MG_PERM_SELECT)
			cJSON_AddItemToArray(perms, cJSON_CreateString("SELECT"));
		if (g->perms & MG_PERM_DESCRIBE)
			cJSON_AddItemToArray(perms, cJSON_CreateString("DESCRIBE"));
		for (size_t k = 0; k < g->ncolumns; k++)
			cJSON_AddItemToArray(cols, cJSON_CreateString(g->columns[k]));
		unsigned e = op->newly;
		if (e & MG_EXPOSE_PII)
			cJSON_AddItemToArray(exp, cJSON_CreateString("pii"));
		if (e & MG_EXPOSE_PCI)
			cJSON_AddItemToArray(exp, cJSON_CreateString("pci"));
		if (e & MG_EXPOSE_CONFIDENTIAL)
			cJSON_AddItemToArray(exp, cJSON_CreateString("confidential"));
	}
	if (!(cfg = cJSON_AddArrayToObject(root, "config_changes")))
		goto oom;
	for (size_t i = 0; config && i < config->count; i++) {
		const mg_finding *x = &config->items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto oom;
		cJSON_AddItemToArray(cfg, o);
		if (!cJSON_AddStringToObject(o, "path", x->path) || !cJSON_AddNumberToObject(o, "line", x->line) ||
		    !cJSON_AddNumberToObject(o, "column", x->col) ||
		    !cJSON_AddBoolToObject(o, "loosens", x->rule == MG_RULE_CONFIG_LOOSENED) ||
		    !cJSON_AddStringToObject(o, "change", x->message))
			goto oom;
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	if (!sum || !cJSON_AddNumberToObject(sum, "grants", (double)grants) ||
	    !cJSON_AddNumberToObject(sum, "revokes", (double)revokes) ||
	    !cJSON_AddNumberToObject(sum, "risky", (double)risky))
		goto oom;
	char *text = cJSON_Print(root);
	if (!text)
		goto oom;
	int r = mg_buf_adds(b, text);
	r |= mg_buf_addc(b, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
	return r ? mg_oom() : 0;
oom:
	cJSON_Delete(root);
	return mg_oom();
}

int mg_plan_write(const mg_plan *plan, const mg_findings *config, mg_plan_format fmt, const char *from,
		  const char *to, mg_buf *out)
{
	switch (fmt) {
	case MG_PLAN_JSON: return write_json(plan, config, from, to, out);
	case MG_PLAN_MARKDOWN: return write_text(plan, config, from, to, out, 1);
	case MG_PLAN_TEXT: break;
	}
	return write_text(plan, config, from, to, out, 0);
}
