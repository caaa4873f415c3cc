/*
 * config.c - meshgate.yaml (see meshgate/config.h).
 *
 * The file is checked against rules/meshgate.schema.json first; entries
 * the schema rejects are skipped here, entries with values only this code
 * can judge (unknown rule ids) are `config` findings.
 */
#include "meshgate/config.h"
#include "meshgate/state.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/backend.h"
#include "meshgate/error.h"
#include "meshgate/schema.h"

/* allowed-files without a list in meshgate.yaml (docs/meshgate.yaml.md says the same) */
static const char *const default_allowed[] = { "README.md", "README", "*.md", ".gitkeep" };

void mg_config_init(mg_config *cfg)
{
	static const mg_doc_limits limits = MG_DOC_LIMITS_DEFAULT;
	memset(cfg, 0, sizeof *cfg);
	cfg->allowed_files = default_allowed;
	cfg->nallowed_files = sizeof default_allowed / sizeof *default_allowed;
	cfg->catalogue = "data-products-catalogue";
	cfg->protected_branch = "main";
	cfg->state_dir = ".meshgate";
	for (int i = 0; i < MG_RULE__COUNT; i++)
		cfg->severity[i] = mg_rule_default_severity((mg_rule)i);
	cfg->limits = limits;
	cfg->clearance_max_days = MG_CLEARANCE_MAX_DAYS_DEFAULT;
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
		if ((rule == MG_RULE_PARSE || rule == MG_RULE_CONFIG || rule == MG_RULE_CONFIG_LOOSENED) &&
		    sev == MG_SEV_OFF) {
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
		if (s->rule == MG_RULE_CONFIG_LOOSENED) {
			/* the review of the policy itself is what a suppression would switch off */
			if ((r = mg_findings_add(f, cfg->path, rule_n->line, rule_n->col, MG_RULE_CONFIG,
						 "rule '%s' cannot be suppressed; a change that loosens the gate "
						 "is always reviewed", rule_id)) < 0)
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

/* allowed-files: a list replaces the default one (an empty list allows nothing). */
static int parse_allowed_files(mg_config *cfg, const mg_node *arr)
{
	if (!arr || arr->type != MG_NODE_ARRAY)
		return 0; /* absent, or reported by the schema */
	const char **v = mg_arena_calloc(&cfg->arena, arr->u.array.count ? arr->u.array.count : 1, sizeof *v);
	size_t n = 0;
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < arr->u.array.count; i++) {
		const char *p = mg_node_str(arr->u.array.items[i]);
		if (p && *p)
			v[n++] = p;
	}
	cfg->allowed_files = v;
	cfg->nallowed_files = n;
	return 0;
}

/*
 * The enums extend-enums may open: descriptive ones only, that name what a
 * table is (file-format, port-type) and that no backend, rule or grant acts
 * on.  Enums that select behaviour stay closed: a consumer's type is the
 * channel a backend serves (a new one would be a grant nobody executes),
 * visibility and inputs' type decide who may read and how inputs resolve,
 * account-type and retention units are computed with.
 */
static const struct {
	const char *name, *schema, *pointer;
} extensible[] = {
	{ "file-format", "data-product-outputs.schema.json", "/$defs/output/properties/file-format/enum" },
	{ "port-type", "data-product-outputs.schema.json", "/$defs/output/properties/port-type/enum" },
};
#define NEXTENSIBLE (sizeof extensible / sizeof *extensible)

static int parse_enum_exts(mg_config *cfg, const mg_node *obj, mg_findings *f)
{
	int r;
	if (!obj || obj->type != MG_NODE_OBJECT || !obj->u.object.count)
		return 0;
	if (!(cfg->enum_exts = mg_arena_calloc(&cfg->arena, obj->u.object.count, sizeof *cfg->enum_exts)))
		return mg_oom();
	for (size_t i = 0; i < obj->u.object.count; i++) {
		const mg_member *m = &obj->u.object.members[i];
		size_t k = 0;
		while (k < NEXTENSIBLE && strcmp(extensible[k].name, m->key) != 0)
			k++;
		if (k == NEXTENSIBLE) {
			if ((r = mg_findings_add(f, cfg->path, m->line, m->col, MG_RULE_CONFIG,
						 "enum '%s' cannot be extended; only file-format and port-type can "
						 "(they describe a table, nothing acts on them)", m->key)) < 0)
				return r;
			continue;
		}
		mg_enum_ext *e = &cfg->enum_exts[cfg->nenum_exts];
		e->name = extensible[k].name;
		e->schema = extensible[k].schema;
		e->pointer = extensible[k].pointer;
		e->at.file = cfg->path;
		e->at.line = m->line;
		e->at.col = m->col;
		const mg_node *arr = m->value;
		if (arr->type != MG_NODE_ARRAY || !arr->u.array.count)
			continue; /* reported by the schema */
		if (!(e->values = mg_arena_calloc(&cfg->arena, arr->u.array.count, sizeof *e->values)))
			return mg_oom();
		for (size_t j = 0; j < arr->u.array.count; j++) {
			const char *v = mg_node_str(arr->u.array.items[j]);
			if (v && *v)
				e->values[e->nvalues++] = v;
		}
		cfg->nenum_exts++;
	}
	return 0;
}

size_t mg_config_schema_exts(const mg_config *cfg, const char *schema, mg_schema_enum_ext *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->nenum_exts && n < max; i++) {
		const mg_enum_ext *e = &cfg->enum_exts[i];
		if (strcmp(e->schema, schema) != 0 || !e->nvalues)
			continue;
		out[n].pointer = e->pointer;
		out[n].values = e->values;
		out[n].nvalues = e->nvalues;
		n++;
	}
	return n;
}

bool mg_config_allows_file(const mg_config *cfg, const char *path, const char *name)
{
	for (size_t i = 0; i < cfg->nallowed_files; i++) {
		const char *p = cfg->allowed_files[i];
		if (fnmatch(p, strchr(p, '/') ? path : name, 0) == 0)
			return true;
	}
	return false;
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
		e->state_lock = mg_obj_get(mg_obj_get(m->value, "state"), "lock");
		if (e->state_lock && (r = mg_state_lock_check_config(e->state_lock, cfg->path, f)) < 0)
			return r;
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
	const mg_node *n = mg_obj_get(doc->root, "clearance-max-days");
	if (n && n->type == MG_NODE_NUMBER && n->u.number.is_integer && n->u.number.value >= 1 &&
	    n->u.number.value <= 36525)
		cfg->clearance_max_days = (unsigned)n->u.number.value;
	if ((r = parse_rules(cfg, mg_obj_get(doc->root, "rules"), findings)) < 0 ||
	    (r = parse_suppressions(cfg, mg_obj_get(doc->root, "suppressions"), findings)) < 0 ||
	    (r = parse_pii(cfg, mg_obj_get(doc->root, "pii-patterns"))) < 0 ||
	    (r = parse_allowed_files(cfg, mg_obj_get(doc->root, "allowed-files"))) < 0 ||
	    (r = parse_enum_exts(cfg, mg_obj_get(doc->root, "extend-enums"), findings)) < 0 ||
	    (r = parse_environments(cfg, mg_obj_get(doc->root, "environments"), findings)) < 0)
		return r;
	return 0;
}

void mg_config_apply_severities(const mg_config *cfg, mg_findings *findings)
{
	memcpy(findings->severity, cfg->severity, sizeof findings->severity);
}

bool mg_suppression_matches(const mg_suppression *s, const mg_finding *x)
{
	/* fnmatch without FNM_PATHNAME lets '*' span folders too, so '**' works as users expect */
	return s->rule == x->rule && fnmatch(s->path_glob, x->path, 0) == 0;
}

/* ---- the review of a change (mg_config_changes) ---- */

typedef struct {
	const mg_config *base, *head;
	mg_findings *f;
	const char *path; /* the file findings point at */
	size_t judged;    /* findings in f before the review added any */
	bool merged;      /* for a plan: the change is merged, say only what it does */
} review;

/* Where head says `key` (and `key`.`sub`), as deep as it says it; line 0: nowhere. */
static mg_pos at(const review *rv, const char *key, const char *sub)
{
	mg_pos p = { rv->path, 0, 0 };
	const mg_node *root = rv->head->doc ? rv->head->doc->root : NULL;
	const mg_member *m = mg_obj_member(root, key);
	if (!m)
		return p;
	p.line = m->line;
	p.col = m->col;
	const mg_member *s = sub ? mg_obj_member(m->value, sub) : NULL;
	if (s) {
		p.line = s->line;
		p.col = s->col;
	}
	return p;
}

static int say(const review *rv, mg_pos p, bool loosens, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int say(const review *rv, mg_pos p, bool loosens, const char *fmt, ...)
{
	mg_buf what = MG_BUF_INIT;
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = mg_buf_vaddf(&what, fmt, ap);
	va_end(ap);
	if (r == 0 && rv->merged)
		r = mg_findings_add(rv->f, p.file, p.line, p.col, loosens ? MG_RULE_CONFIG_LOOSENED : MG_RULE_CONFIG_CHANGED,
				    "%s", what.ptr);
	else if (r == 0)
		r = loosens ? mg_findings_add(rv->f, p.file, p.line, p.col, MG_RULE_CONFIG_LOOSENED,
					      "%s; this loosens the gate for every change after the merge, so it "
					      "needs its own review", what.ptr)
			    : mg_findings_add(rv->f, p.file, p.line, p.col, MG_RULE_CONFIG_CHANGED,
					      "%s; it takes effect after the merge", what.ptr);
	mg_buf_release(&what);
	return r;
}

static int review_rules(const review *rv)
{
	int r;
	for (int i = 0; i < MG_RULE__COUNT; i++) {
		mg_severity a = rv->base->severity[i], b = rv->head->severity[i];
		const char *id = mg_rule_id((mg_rule)i);
		if (a == b)
			continue;
		mg_pos p = at(rv, "rules", id);
		if (b == MG_SEV_OFF)
			r = say(rv, p, true, "turns rule '%s' off (it was %s)", id, mg_severity_name(a));
		else
			r = say(rv, p, b < a, "%s rule '%s' from %s to %s", b < a ? "lowers" : "raises", id,
				mg_severity_name(a), mg_severity_name(b));
		if (r < 0)
			return r;
	}
	return 0;
}

static const mg_suppression *find_suppression(const mg_config *c, const mg_suppression *s)
{
	for (size_t i = 0; i < c->nsuppressions; i++)
		if (c->suppressions[i].rule == s->rule && strcmp(c->suppressions[i].path_glob, s->path_glob) == 0)
			return &c->suppressions[i];
	return NULL;
}

static int review_suppressions(const review *rv)
{
	int r;
	for (size_t i = 0; i < rv->head->nsuppressions; i++) {
		const mg_suppression *s = &rv->head->suppressions[i];
		if (find_suppression(rv->base, s))
			continue;
		size_t hides = 0;
		for (size_t k = 0; k < rv->judged; k++)
			hides += mg_suppression_matches(s, &rv->f->items[k]);
		char why[96] = "";
		if (hides)
			snprintf(why, sizeof why, " (it would hide %zu finding%s of this change)", hides,
				 hides == 1 ? "" : "s");
		mg_pos p = { rv->path, s->at.line, s->at.col };
		if ((r = say(rv, p, true, "adds a suppression of '%s' for '%s'%s", mg_rule_id(s->rule), s->path_glob,
			     why)) < 0)
			return r;
	}
	for (size_t i = 0; i < rv->base->nsuppressions; i++) {
		const mg_suppression *s = &rv->base->suppressions[i];
		if (!find_suppression(rv->head, s) &&
		    (r = say(rv, at(rv, "suppressions", NULL), false, "removes the suppression of '%s' for '%s'",
			     mg_rule_id(s->rule), s->path_glob)) < 0)
			return r;
	}
	return 0;
}

static const mg_pii_pattern *find_pattern(const mg_config *c, const char *name)
{
	for (size_t i = 0; i < c->npii; i++)
		if (strcmp(c->pii[i].name, name) == 0)
			return &c->pii[i];
	return NULL;
}

static bool has_word(const char **v, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], w) == 0)
			return true;
	return false;
}

/* Word sequences of `from` missing in `to`, said as "<verb> 'w'" about pattern `name`. */
static int review_words(const review *rv, mg_pos p, const char *name, const char **from, size_t nfrom,
			const char **to, size_t nto, bool loosens, const char *verb)
{
	int r;
	for (size_t i = 0; i < nfrom; i++)
		if (!has_word(to, nto, from[i]) &&
		    (r = say(rv, p, loosens, "PII pattern '%s' %s '%s'", name, verb, from[i])) < 0)
			return r;
	return 0;
}

static int review_pii(const review *rv)
{
	const mg_config *a = rv->base, *b = rv->head;
	mg_pos p = at(rv, "pii-patterns", NULL);
	int r;
	if (a->pii_replace != b->pii_replace &&
	    (r = say(rv, p, b->pii_replace, "%s", b->pii_replace ? "replaces the built-in PII patterns with its own"
							     : "extends the built-in PII patterns again")) < 0)
		return r;
	for (size_t i = 0; i < a->npii; i++) {
		const mg_pii_pattern *pa = &a->pii[i], *pb = find_pattern(b, pa->name);
		if (!pb) {
			if ((r = say(rv, p, true, "removes PII pattern '%s'", pa->name)) < 0)
				return r;
			continue;
		}
		if ((r = review_words(rv, p, pa->name, pa->match, pa->nmatch, pb->match, pb->nmatch, true,
				      "no longer matches")) < 0 ||
		    (r = review_words(rv, p, pa->name, pb->match, pb->nmatch, pa->match, pa->nmatch, false,
				      "now also matches")) < 0 ||
		    (r = review_words(rv, p, pa->name, pb->unless, pb->nunless, pa->unless, pa->nunless, true,
				      "now excuses")) < 0 ||
		    (r = review_words(rv, p, pa->name, pa->unless, pa->nunless, pb->unless, pb->nunless, false,
				      "no longer excuses")) < 0)
			return r;
		if (pa->pci != pb->pci &&
		    (r = say(rv, p, false, "PII pattern '%s' now names %s data", pa->name, pb->pci ? "card" : "personal")) < 0)
			return r;
	}
	for (size_t i = 0; i < b->npii; i++)
		if (!find_pattern(a, b->pii[i].name) &&
		    (r = say(rv, p, false, "adds PII pattern '%s'", b->pii[i].name)) < 0)
			return r;
	return 0;
}

static bool has_pattern(const mg_config *c, const char *p)
{
	for (size_t i = 0; i < c->nallowed_files; i++)
		if (strcmp(c->allowed_files[i], p) == 0)
			return true;
	return false;
}

/* A pattern added to allowed-files hides unexpected-file findings: it loosens. */
static int review_allowed_files(const review *rv)
{
	mg_pos p = at(rv, "allowed-files", NULL);
	int r;
	for (size_t i = 0; i < rv->head->nallowed_files; i++) {
		const char *pat = rv->head->allowed_files[i];
		if (!has_pattern(rv->base, pat) &&
		    (r = say(rv, p, true, "allows catalogue entries matching '%s' (no unexpected-file finding)", pat)) < 0)
			return r;
	}
	for (size_t i = 0; i < rv->base->nallowed_files; i++) {
		const char *pat = rv->base->allowed_files[i];
		if (!has_pattern(rv->head, pat) &&
		    (r = say(rv, p, false, "no longer allows catalogue entries matching '%s'", pat)) < 0)
			return r;
	}
	return 0;
}

static const mg_enum_ext *find_enum_ext(const mg_config *c, const char *name)
{
	for (size_t i = 0; i < c->nenum_exts; i++)
		if (strcmp(c->enum_exts[i].name, name) == 0)
			return &c->enum_exts[i];
	return NULL;
}

/* Values of a's extension of `name` missing in b's, said with `verb`. */
static int review_enum_values(const review *rv, mg_pos p, const char *name, const mg_enum_ext *a,
			      const mg_enum_ext *b, const char *verb)
{
	int r;
	for (size_t i = 0; a && i < a->nvalues; i++)
		if (!(b && has_word(b->values, b->nvalues, a->values[i])) &&
		    (r = say(rv, p, false, "%s %s '%s'", verb, name, a->values[i])) < 0)
			return r;
	return 0;
}

/* extend-enums opens descriptive enums only: a change is worth a note, it loosens nothing the gate guards. */
static int review_enum_exts(const review *rv)
{
	int r;
	for (size_t k = 0; k < NEXTENSIBLE; k++) {
		const char *name = extensible[k].name;
		const mg_enum_ext *a = find_enum_ext(rv->base, name), *b = find_enum_ext(rv->head, name);
		mg_pos p = at(rv, "extend-enums", name);
		if ((r = review_enum_values(rv, p, name, b, a, "accepts")) < 0 ||
		    (r = review_enum_values(rv, p, name, a, b, "no longer accepts")) < 0)
			return r;
	}
	return 0;
}

static int review_limit(const review *rv, const char *key, const char *what, const char *unit, size_t a, size_t b)
{
	if (a == b)
		return 0;
	return say(rv, at(rv, "limits", key), b > a, "%s the %s limit from %zu to %zu%s", b > a ? "raises" : "lowers",
		   what, a, b, unit);
}

static int review_max_days(const review *rv, unsigned a, unsigned b)
{
	if (a == b)
		return 0;
	return say(rv, at(rv, "clearance-max-days", NULL), b > a,
		   "%s the longest a clearance may run before clearance-too-long from %u to %u days",
		   b > a ? "raises" : "lowers", a, b);
}

static int review_string(const review *rv, const char *key, const char *noun, const char *a, const char *b,
			 bool loosens, const char *tail)
{
	if (strcmp(a, b) == 0)
		return 0;
	return say(rv, at(rv, key, NULL), loosens, "moves the %s from '%s' to '%s'%s", noun, a, b, tail);
}

static int review_all(review rv)
{
	const mg_config *base = rv.base, *head = rv.head;
	const mg_doc_limits *la = &base->limits, *lb = &head->limits;
	int r;
	if (!rv.path)
		return 0; /* neither has a file: both are the defaults */
	const mg_node *ea = base->doc ? mg_obj_get(base->doc->root, "environments") : NULL;
	const mg_node *eb = head->doc ? mg_obj_get(head->doc->root, "environments") : NULL;
	if ((r = review_rules(&rv)) < 0 || (r = review_suppressions(&rv)) < 0 || (r = review_pii(&rv)) < 0 ||
	    (r = review_allowed_files(&rv)) < 0 || (r = review_enum_exts(&rv)) < 0 ||
	    (r = review_limit(&rv, "max-file-bytes", "file size", " bytes", la->max_bytes, lb->max_bytes)) < 0 ||
	    (r = review_limit(&rv, "max-depth", "nesting", "", la->max_depth, lb->max_depth)) < 0 ||
	    (r = review_limit(&rv, "max-alias-nodes", "YAML alias", " nodes", la->max_alias_nodes,
			      lb->max_alias_nodes)) < 0 ||
	    (r = review_max_days(&rv, base->clearance_max_days, head->clearance_max_days)) < 0 ||
	    (r = review_string(&rv, "protected-branch", "protected branch", base->protected_branch,
			       head->protected_branch, true, ", where apply would run")) < 0 ||
	    (r = review_string(&rv, "catalogue", "catalogue root", base->catalogue, head->catalogue, false, "")) < 0 ||
	    (r = review_string(&rv, "state-dir", "applier's state", base->state_dir, head->state_dir, false,
			       ", where it starts anew")) < 0)
		return r;
	if ((ea || eb) && !(ea && eb && mg_node_equal(ea, eb)) &&
	    (r = say(&rv, at(&rv, "environments", NULL), false, "changes the environments' backends or state")) < 0)
		return r;
	return 0;
}

int mg_config_changes(const mg_config *base, const mg_config *head, mg_findings *f)
{
	review rv = { base, head, f, head->path ? head->path : base->path, f->count, false };
	return review_all(rv);
}

int mg_config_changes_merged(const mg_config *base, const mg_config *head, mg_findings *f)
{
	review rv = { base, head, f, head->path ? head->path : base->path, f->count, true };
	return review_all(rv);
}

/* ---- the policy key (mg_config_policy_key) ---- */

static int key_str(mg_buf *out, const char *s)
{
	return mg_buf_add(out, s ? s : "", strlen(s ? s : "") + 1);
}

static int key_words(mg_buf *out, const char **v, size_t n)
{
	int r = mg_buf_addf(out, "%zu:", n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = key_str(out, v[i]);
	return r;
}

int mg_config_policy_key(const mg_config *cfg, mg_buf *out)
{
	int r = mg_buf_adds(out, "policy:");
	for (int i = 0; r == 0 && i < MG_RULE__COUNT; i++)
		r = mg_buf_addf(out, "%s=%d,", mg_rule_id((mg_rule)i), (int)cfg->severity[i]);
	if (r == 0)
		r = mg_buf_addf(out, "limits=%zu,%u,%zu;days=%u;supp=%zu:", cfg->limits.max_bytes,
				cfg->limits.max_depth, cfg->limits.max_alias_nodes, cfg->clearance_max_days,
				cfg->nsuppressions);
	for (size_t i = 0; r == 0 && i < cfg->nsuppressions; i++)
		if ((r = key_str(out, mg_rule_id(cfg->suppressions[i].rule))) == 0)
			r = key_str(out, cfg->suppressions[i].path_glob);
	if (r == 0)
		r = mg_buf_addf(out, "pii=%d,%zu:", (int)cfg->pii_replace, cfg->npii);
	for (size_t i = 0; r == 0 && i < cfg->npii; i++) {
		const mg_pii_pattern *p = &cfg->pii[i];
		if ((r = key_str(out, p->name)) == 0 && (r = mg_buf_addc(out, p->pci ? 'c' : 'p')) == 0 &&
		    (r = key_words(out, p->match, p->nmatch)) == 0)
			r = key_words(out, p->unless, p->nunless);
	}
	if (r == 0)
		r = mg_buf_addf(out, "allowed=%zu:", cfg->nallowed_files);
	for (size_t i = 0; r == 0 && i < cfg->nallowed_files; i++)
		r = key_str(out, cfg->allowed_files[i]);
	if (r == 0)
		r = mg_buf_addf(out, "enums=%zu:", cfg->nenum_exts);
	for (size_t i = 0; r == 0 && i < cfg->nenum_exts; i++)
		if ((r = key_str(out, cfg->enum_exts[i].name)) == 0)
			r = key_words(out, cfg->enum_exts[i].values, cfg->enum_exts[i].nvalues);
	return r < 0 ? mg_oom() : 0;
}
