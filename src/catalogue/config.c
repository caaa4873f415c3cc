/*
 * config.c - meshgate.yaml (see meshgate/config.h).
 *
 * The file is checked against rules/meshgate.schema.json first; entries
 * the schema rejects are skipped here, entries with values only this code
 * can judge (unknown rule ids) are `config` findings.
 */
#include "meshgate/config.h"

#include <stdlib.h>
#include <string.h>

#include "meshgate/backend.h"
#include "meshgate/error.h"
#include "meshgate/schema.h"

void mg_config_init(mg_config *cfg)
{
	static const mg_doc_limits limits = MG_DOC_LIMITS_DEFAULT;
	memset(cfg, 0, sizeof *cfg);
	cfg->catalogue = "data-products-catalogue";
	cfg->protected_branch = "main";
	cfg->state_dir = ".meshgate";
	for (int i = 0; i < MG_RULE__COUNT; i++)
		cfg->severity[i] = mg_rule_default_severity((mg_rule)i);
	cfg->limits = limits;
}

void mg_config_release(mg_config *cfg)
{
	mg_doc_free(cfg->doc);
	mg_arena_free(&cfg->arena);
	mg_config_init(cfg);
}

static mg_pos pos(const mg_config *cfg, const mg_node *n)
{
	mg_pos p = { cfg->path, n->line, n->col };
	return p;
}

/* Copies the string items of an array into an arena array. */
static int words(mg_config *cfg, const mg_node *arr, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr || arr->type != MG_NODE_ARRAY || !arr->u.array.count)
		return 0;
	const char **v = mg_arena_calloc(&cfg->arena, arr->u.array.count, sizeof *v);
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < arr->u.array.count; i++) {
		const mg_node *it = arr->u.array.items[i];
		if (it->type != MG_NODE_STRING)
			continue;
		/* normalise to lowercase words separated by single spaces */
		char *w = mg_arena_strndup(&cfg->arena, it->u.string.ptr, it->u.string.len);
		if (!w)
			return mg_oom();
		char *o = w;
		int space = 1;
		for (const char *q = w; *q; q++) {
			char c = *q;
			if (c == ' ' || c == '_' || c == '-' || c == '\t') {
				if (!space)
					*o++ = ' ';
				space = 1;
				continue;
			}
			*o++ = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
			space = 0;
		}
		if (o > w && o[-1] == ' ')
			o--;
		*o = '\0';
		v[(*n)++] = w;
	}
	*out = v;
	return 0;
}

static int parse_rules(mg_config *cfg, const mg_node *rules, mg_findings *f)
{
	int r;
	if (!rules || rules->type != MG_NODE_OBJECT)
		return 0;
	for (size_t i = 0; i < rules->u.object.count; i++) {
		const mg_member *m = &rules->u.object.members[i];
		mg_rule rule;
		mg_severity sev;
		if (mg_rule_lookup(&rule, m->key) < 0) {
			if ((r = mg_findings_add(f, cfg->path, m->line, m->col, MG_RULE_CONFIG,
						 "unknown rule '%s' (see 'meshgate explain --list')", m->key)) < 0)
				return r;
			continue;
		}
		const char *v = mg_node_str(m->value);
		if (!v || mg_severity_parse(&sev, v) < 0)
			continue; /* reported by the schema */
		if ((rule == MG_RULE_PARSE || rule == MG_RULE_CONFIG) && sev == MG_SEV_OFF) {
			if ((r = mg_findings_add(f, cfg->path, m->value->line, m->value->col, MG_RULE_CONFIG,
						 "rule '%s' cannot be turned off", m->key)) < 0)
				return r;
			continue;
		}
		cfg->severity[rule] = sev;
	}
	return 0;
}

static int parse_suppressions(mg_config *cfg, const mg_node *arr, mg_findings *f)
{
	int r;
	if (!arr || arr->type != MG_NODE_ARRAY || !arr->u.array.count)
		return 0;
	cfg->suppressions = mg_arena_calloc(&cfg->arena, arr->u.array.count, sizeof *cfg->suppressions);
	if (!cfg->suppressions)
		return mg_oom();
	for (size_t i = 0; i < arr->u.array.count; i++) {
		const mg_node *e = arr->u.array.items[i];
		const mg_node *rule_n = mg_obj_get(e, "rule");
		const char *rule_id = mg_node_str(rule_n);
		const char *glob = mg_node_str(mg_obj_get(e, "path"));
		const char *reason = mg_node_str(mg_obj_get(e, "reason"));
		if (!rule_id || !glob || !reason || !*reason)
			continue; /* reported by the schema */
		mg_suppression *s = &cfg->suppressions[cfg->nsuppressions];
		if (mg_rule_lookup(&s->rule, rule_id) < 0) {
			if ((r = mg_findings_add(f, cfg->path, rule_n->line, rule_n->col, MG_RULE_CONFIG,
						 "unknown rule '%s' in suppression", rule_id)) < 0)
				return r;
			continue;
		}
		s->path_glob = glob;
		s->reason = reason;
		s->at = pos(cfg, e);
		cfg->nsuppressions++;
	}
	return 0;
}

static int parse_pii(mg_config *cfg, const mg_node *obj)
{
	int r;
	if (!obj || obj->type != MG_NODE_OBJECT)
		return 0;
	const char *mode = mg_node_str(mg_obj_get(obj, "mode"));
	cfg->pii_replace = mode && strcmp(mode, "replace") == 0;
	const mg_node *arr = mg_obj_get(obj, "patterns");
	if (!arr || arr->type != MG_NODE_ARRAY || !arr->u.array.count)
		return 0;
	cfg->pii = mg_arena_calloc(&cfg->arena, arr->u.array.count, sizeof *cfg->pii);
	if (!cfg->pii)
		return mg_oom();
	for (size_t i = 0; i < arr->u.array.count; i++) {
		const mg_node *e = arr->u.array.items[i];
		mg_pii_pattern *p = &cfg->pii[cfg->npii];
		p->name = mg_node_str(mg_obj_get(e, "name"));
		const char *kind = mg_node_str(mg_obj_get(e, "kind"));
		p->pci = kind && strcmp(kind, "pci") == 0;
		if ((r = words(cfg, mg_obj_get(e, "match"), &p->match, &p->nmatch)) < 0 ||
		    (r = words(cfg, mg_obj_get(e, "unless"), &p->unless, &p->nunless)) < 0)
			return r;
		if (p->name && p->nmatch)
			cfg->npii++;
	}
	return 0;
}

static void parse_limits(mg_config *cfg, const mg_node *obj)
{
	const mg_node *n;
	if ((n = mg_obj_get(obj, "max-file-bytes")) && n->type == MG_NODE_NUMBER && n->u.number.is_integer &&
	    n->u.number.value >= 1024 && n->u.number.value <= 67108864)
		cfg->limits.max_bytes = (size_t)n->u.number.value;
	if ((n = mg_obj_get(obj, "max-depth")) && n->type == MG_NODE_NUMBER && n->u.number.is_integer &&
	    n->u.number.value >= 4 && n->u.number.value <= 1000)
		cfg->limits.max_depth = (unsigned)n->u.number.value;
	if ((n = mg_obj_get(obj, "max-alias-nodes")) && n->type == MG_NODE_NUMBER &&
	    n->u.number.is_integer && n->u.number.value >= 0 && n->u.number.value <= 1e7)
		cfg->limits.max_alias_nodes = (size_t)n->u.number.value;
}

static int parse_backend(mg_config *cfg, mg_env_backend *b, const mg_node *n, mg_findings *f)
{
	b->options = n;
	b->at = pos(cfg, n);
	b->type = mg_node_str(mg_obj_get(n, "type"));
	/* a type this build cannot drive is refused here, in validate, not only when applying */
	return b->type ? mg_backend_check_config(n, cfg->path, f) : 0;
}

static int parse_environments(mg_config *cfg, const mg_node *obj, mg_findings *f)
{
	if (!obj || obj->type != MG_NODE_OBJECT || !obj->u.object.count)
		return 0;
	cfg->envs = mg_arena_calloc(&cfg->arena, obj->u.object.count, sizeof *cfg->envs);
	if (!cfg->envs)
		return mg_oom();
	for (size_t i = 0; i < obj->u.object.count; i++) {
		const mg_member *m = &obj->u.object.members[i];
		mg_env_config *e = &cfg->envs[cfg->nenvs];
		int r;
		if (m->value->type != MG_NODE_OBJECT)
			continue;
		e->name = m->key;
		e->at.file = cfg->path;
		e->at.line = m->line;
		e->at.col = m->col;
		e->state_path = mg_node_str(mg_obj_get(mg_obj_get(m->value, "state"), "path"));
		const mg_node *one = mg_obj_get(m->value, "backend"), *many = mg_obj_get(m->value, "backends");
		size_t n = many && many->type == MG_NODE_ARRAY ? many->u.array.count : 0;
		if (one && one->type == MG_NODE_OBJECT)
			n++;
		if (n) {
			if (!(e->backends = mg_arena_calloc(&cfg->arena, n, sizeof *e->backends)))
				return mg_oom();
			if (one && one->type == MG_NODE_OBJECT &&
			    (r = parse_backend(cfg, &e->backends[e->nbackends++], one, f)) < 0)
				return r;
			for (size_t k = 0; many && many->type == MG_NODE_ARRAY && k < many->u.array.count; k++) {
				const mg_node *it = many->u.array.items[k];
				if (it->type == MG_NODE_OBJECT && (r = parse_backend(cfg, &e->backends[e->nbackends++], it, f)) < 0)
					return r;
			}
		}
		cfg->nenvs++;
	}
	return 0;
}

const mg_env_config *mg_config_env(const mg_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nenvs; i++)
		if (strcmp(cfg->envs[i].name, name) == 0)
			return &cfg->envs[i];
	return NULL;
}

int mg_config_parse(mg_config *cfg, const char *path, const char *data, size_t len,
		    mg_findings *findings)
{
	mg_doc *doc = NULL;
	const mg_schema *schema;
	int r;
	if ((r = mg_doc_parse(&doc, path, data, len, &cfg->limits, findings)) == MG_EPARSE)
		return 0;
	if (r < 0)
		return r;
	cfg->doc = doc;
	if (!(cfg->path = mg_arena_strdup(&cfg->arena, path)))
		return mg_oom();
	if (doc->root->type == MG_NODE_NULL)
		return 0; /* an empty file: all defaults */
	if ((r = mg_schema_builtin(&schema, "meshgate.schema.json")) < 0)
		return r;
	if ((r = mg_schema_validate(schema, doc->root, path, findings)) < 0)
		return r;
	if (doc->root->type != MG_NODE_OBJECT)
		return 0;
	const char *s;
	if ((s = mg_node_str(mg_obj_get(doc->root, "catalogue"))) && *s)
		cfg->catalogue = s;
	if ((s = mg_node_str(mg_obj_get(doc->root, "protected-branch"))) && *s)
		cfg->protected_branch = s;
	if ((s = mg_node_str(mg_obj_get(doc->root, "state-dir"))) && *s)
		cfg->state_dir = s;
	parse_limits(cfg, mg_obj_get(doc->root, "limits"));
	if ((r = parse_rules(cfg, mg_obj_get(doc->root, "rules"), findings)) < 0 ||
	    (r = parse_suppressions(cfg, mg_obj_get(doc->root, "suppressions"), findings)) < 0 ||
	    (r = parse_pii(cfg, mg_obj_get(doc->root, "pii-patterns"))) < 0 ||
	    (r = parse_environments(cfg, mg_obj_get(doc->root, "environments"), findings)) < 0)
		return r;
	return 0;
}

void mg_config_apply_severities(const mg_config *cfg, mg_findings *findings)
{
	memcpy(findings->severity, cfg->severity, sizeof findings->severity);
}
