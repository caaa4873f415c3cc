/*
 * targets.c - the fuzz targets' entry points (see targets.h).
 *
 * Besides "does not crash", every target checks what the headers promise
 * about the result, so a fuzzer also finds wrong answers:
 *   - loaders: success gives a tree of valid UTF-8 strings, unique keys,
 *     positions >= 1:1 and finite numbers within the depth limit; failure
 *     gives no tree and exactly one `parse` finding;
 *   - JSON and YAML agree: a loaded tree written back as JSON loads again
 *     (with the JSON loader) into an equal tree;
 *   - schema validation returns 1 exactly when it adds no finding, and
 *     the same verdict without a findings list;
 *   - the validator's JSON, SARIF and GitLab reports are JSON the strict
 *     loader accepts; a plan from one grant set to another, applied,
 *     converges;
 *   - a regex that compiles means the same as (?:it)|[^\s\S], and an
 *     anchored match implies an unanchored one;
 *   - a git index that reads gives sorted entries whose paths and ids lie
 *     in the file (or the version 4 path pool).
 * A broken promise prints what broke and abort()s.
 */
#include "targets.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_int.h"
#include "meshgate/access.h"
#include "meshgate/aws.h"
#include "meshgate/arena.h"
#include "meshgate/buf.h"
#include "meshgate/config.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/state.h"
#include "meshgate/finding.h"
#include "meshgate/report.h"
#include "meshgate/rules.h"
#include "meshgate/schema.h"
#include "meshgate/source.h"
#include "meshgate/validate.h"
#include "catalogue/entries.h"
#include "documents/utf8.h"
#include "schema/schema_int.h"
#include "backends/lakeformation_int.h"
#include "backends/postgres_int.h"
#include "backends/s3policy_int.h"
#ifdef MG_FUZZ_HAVE_STATUS
#include "publish/status_int.h"
#endif
#ifdef MG_FUZZ_HAVE_GIT_INDEX
#include "sources/git_index.h"
#endif

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			broken(__FILE__, __LINE__, #cond); \
	} while (0)

static void broken(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
	abort();
}

static bool valid_utf8(const char *s, size_t len)
{
	return mg_utf8_check(s, len) == len;
}

/* The first byte that is not JSON white space, or -1. */
static int first_token(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
			return data[i];
	return -1;
}

static bool looks_like_json(const uint8_t *data, size_t size)
{
	int c = first_token(data, size);
	return c == '{' || c == '[';
}

static void check_findings(const mg_findings *f, size_t from)
{
	for (size_t i = from; i < f->count; i++) {
		const mg_finding *x = &f->items[i];
		CHECK(x->path && x->message);
		CHECK((unsigned)x->rule < MG_RULE__COUNT);
		CHECK(x->severity != MG_SEV_OFF && x->severity <= MG_SEV_ERROR);
		CHECK(valid_utf8(x->message, strlen(x->message)));
		CHECK(valid_utf8(x->path, strlen(x->path)));
	}
}

/* ---- documents ---- */

typedef struct key_ref {
	const char *key;
	size_t len;
} key_ref;

static int cmp_keys(const void *a, const void *b)
{
	const key_ref *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->key, y->key, x->len);
}

/* Depth counts containers: a top-level array or object is at depth 1. */
static void check_node(const mg_node *n, unsigned depth, unsigned max_depth)
{
	CHECK(n != NULL);
	CHECK(n->line >= 1 && n->col >= 1);
	switch (n->type) {
	case MG_NODE_NULL:
	case MG_NODE_BOOL:
		break;
	case MG_NODE_NUMBER:
		CHECK(isfinite(n->u.number.value));
		CHECK(!n->u.number.is_integer || floor(n->u.number.value) == n->u.number.value);
		break;
	case MG_NODE_STRING:
		CHECK(n->u.string.ptr && n->u.string.ptr[n->u.string.len] == '\0');
		CHECK(valid_utf8(n->u.string.ptr, n->u.string.len));
		break;
	case MG_NODE_ARRAY:
		CHECK(depth + 1 <= max_depth);
		CHECK(n->u.array.count == 0 || n->u.array.items);
		for (size_t i = 0; i < n->u.array.count; i++)
			check_node(n->u.array.items[i], depth + 1, max_depth);
		break;
	case MG_NODE_OBJECT: {
		size_t count = n->u.object.count;
		CHECK(depth + 1 <= max_depth);
		CHECK(count == 0 || n->u.object.members);
		key_ref *keys = count ? malloc(count * sizeof *keys) : NULL;
		CHECK(count == 0 || keys);
		for (size_t i = 0; i < count; i++) {
			const mg_member *m = &n->u.object.members[i];
			CHECK(m->key && m->key[m->key_len] == '\0');
			CHECK(valid_utf8(m->key, m->key_len));
			CHECK(m->line >= 1 && m->col >= 1);
			keys[i].key = m->key;
			keys[i].len = m->key_len;
			check_node(m->value, depth + 1, max_depth);
		}
		if (count > 1) {
			qsort(keys, count, sizeof *keys, cmp_keys);
			for (size_t i = 1; i < count; i++)
				CHECK(cmp_keys(&keys[i - 1], &keys[i]) != 0);
		}
		free(keys);
		if (count && strlen(n->u.object.members[0].key) == n->u.object.members[0].key_len)
			CHECK(mg_obj_get(n, n->u.object.members[0].key) != NULL);
		break;
	}
	default:
		CHECK(!"a known node type");
	}
}

/* Nodes and string/key bytes of the tree as consumers see it (aliases expanded). */
static void measure(const mg_node *n, size_t *nodes, size_t *bytes)
{
	(*nodes)++;
	if (n->type == MG_NODE_STRING) {
		*bytes += n->u.string.len;
	} else if (n->type == MG_NODE_ARRAY) {
		for (size_t i = 0; i < n->u.array.count; i++)
			measure(n->u.array.items[i], nodes, bytes);
	} else if (n->type == MG_NODE_OBJECT) {
		for (size_t i = 0; i < n->u.object.count; i++) {
			*bytes += n->u.object.members[i].key_len;
			measure(n->u.object.members[i].value, nodes, bytes);
		}
	}
}

#define JSON_OUT_MAX (8u << 20)

/* Writes n as JSON; false when the text would pass JSON_OUT_MAX (aliases expand). */
static bool write_json(mg_buf *out, const mg_node *n)
{
	char num[40];
	if (out->len > JSON_OUT_MAX)
		return false;
	switch (n->type) {
	case MG_NODE_NULL:
		return mg_buf_adds(out, "null") == 0;
	case MG_NODE_BOOL:
		return mg_buf_adds(out, n->u.boolean ? "true" : "false") == 0;
	case MG_NODE_NUMBER:
		snprintf(num, sizeof num, "%.17g", n->u.number.value);
		return mg_buf_adds(out, num) == 0;
	case MG_NODE_STRING:
		return mg_buf_add_json_string(out, n->u.string.ptr, n->u.string.len) == 0;
	case MG_NODE_ARRAY:
		if (mg_buf_addc(out, '[') < 0)
			return false;
		for (size_t i = 0; i < n->u.array.count; i++)
			if ((i && mg_buf_addc(out, ',') < 0) || !write_json(out, n->u.array.items[i]))
				return false;
		return mg_buf_addc(out, ']') == 0;
	case MG_NODE_OBJECT:
		if (mg_buf_addc(out, '{') < 0)
			return false;
		for (size_t i = 0; i < n->u.object.count; i++) {
			const mg_member *m = &n->u.object.members[i];
			if ((i && mg_buf_addc(out, ',') < 0) ||
			    mg_buf_add_json_string(out, m->key, m->key_len) < 0 ||
			    mg_buf_addc(out, ':') < 0 || !write_json(out, m->value))
				return false;
		}
		return mg_buf_addc(out, '}') == 0;
	}
	return false;
}

/* The tree written as JSON loads back, with the JSON loader, into an equal tree. */
static void check_round_trip(const mg_doc *doc, unsigned max_depth)
{
	mg_doc_limits big = { 64u << 20, max_depth + 1, 0 };
	mg_buf text = MG_BUF_INIT;
	mg_doc *again = NULL;
	mg_findings f;
	mg_findings_init(&f);
	if (write_json(&text, doc->root) && text.len <= JSON_OUT_MAX) {
		int r = mg_doc_parse_json(&again, "again.json", text.ptr, text.len, &big, &f);
		if (r != MG_ENOMEM) {
			if (r != 0)
				fprintf(stderr, "written back: %.200s\nrefused: %s\n", text.ptr,
					f.count ? f.items[0].message : "?");
			CHECK(r == 0);
			CHECK(mg_node_equal(doc->root, again->root));
			CHECK(mg_node_equal(again->root, doc->root));
		}
	}
	mg_doc_free(again);
	mg_findings_release(&f);
	mg_buf_release(&text);
}

typedef int (*parse_fn)(mg_doc **out, const char *path, const char *data, size_t len,
			const mg_doc_limits *limits, struct mg_findings *findings);

/* One load with its checks; max_depth is the depth the loader enforces. */
static void load_once(parse_fn parse, const char *path, const uint8_t *data, size_t size,
		      const mg_doc_limits *limits, unsigned max_depth)
{
	mg_doc *doc = (mg_doc *)1;
	mg_findings f;
	mg_findings_init(&f);
	int r = parse(&doc, path, (const char *)data, size, limits, &f);
	if (r == 0) {
		CHECK(doc && doc->root);
		CHECK(f.count == 0);
		check_node(doc->root, 0, max_depth);
		/*
		 * Bounded work for whoever walks the tree: aliases may add
		 * max_alias_nodes nodes and max_bytes of text (escapes such as
		 * \L decode to at most 1.5 times their length).
		 */
		size_t nodes = 0, bytes = 0;
		measure(doc->root, &nodes, &bytes);
		CHECK(nodes <= 2 * size + 2 + limits->max_alias_nodes);
		CHECK(bytes <= 2 * size + limits->max_bytes);
		CHECK(mg_node_equal(doc->root, doc->root));
		check_round_trip(doc, max_depth);
	} else {
		CHECK(doc == NULL);
		CHECK(r == MG_EPARSE || r == MG_ENOMEM);
		if (r == MG_EPARSE) {
			CHECK(f.count == 1);
			CHECK(f.items[0].rule == MG_RULE_PARSE);
			CHECK(strcmp(f.items[0].path, path) == 0);
			check_findings(&f, 0);
		}
	}
	mg_doc_free(r == 0 ? doc : NULL);
	mg_findings_release(&f);
}

/*
 * Small limits from the first four bytes: max_bytes from two bytes (so
 * inputs straddle it), max_depth from one (0 included), alias nodes from one.
 */
static bool small_limits(mg_doc_limits *out, const uint8_t *data, size_t size)
{
	if (size < 4)
		return false;
	out->max_bytes = (size_t)data[0] << 8 | data[1];
	out->max_depth = data[2] & 0x7f;
	out->max_alias_nodes = (size_t)data[3] * 4;
	return true;
}

int mg_fuzz_json(const uint8_t *data, size_t size)
{
	static const mg_doc_limits defaults = MG_DOC_LIMITS_DEFAULT;
	mg_doc_limits lim;
	load_once(mg_doc_parse_json, "fuzz.json", data, size, &defaults, defaults.max_depth);
	if (small_limits(&lim, data, size))
		load_once(mg_doc_parse_json, "fuzz.json", data, size, &lim,
			  lim.max_depth ? lim.max_depth : 64);
	return 0;
}

int mg_fuzz_yaml(const uint8_t *data, size_t size)
{
	static const mg_doc_limits defaults = MG_DOC_LIMITS_DEFAULT;
	mg_doc_limits lim;
	load_once(mg_doc_parse_yaml, "fuzz.yaml", data, size, &defaults, defaults.max_depth);
	if (small_limits(&lim, data, size))
		load_once(mg_doc_parse_yaml, "fuzz.yaml", data, size, &lim, lim.max_depth);
	return 0;
}

/* ---- schemas ---- */

static const char *const shipped_schemas[] = {
	"data-product.schema.json",
	"data-product-producer-info.schema.json",
	"data-product-outputs.schema.json",
	"data-product-visibility.schema.json",
	"data-product-consumers.schema.json",
	"data-product-inputs.schema.json",
	"meshgate.schema.json",
};

int mg_fuzz_schema(const uint8_t *data, size_t size)
{
	static const mg_doc_limits defaults = MG_DOC_LIMITS_DEFAULT;
	mg_doc *doc = NULL;
	mg_findings f;
	bool json = looks_like_json(data, size);
	const char *path = json ? "fuzz.json" : "fuzz.yaml";
	mg_findings_init(&f);
	int r = (json ? mg_doc_parse_json : mg_doc_parse_yaml)(&doc, path, (const char *)data, size,
								 &defaults, &f);
	if (r == 0) {
		for (size_t i = 0; i < sizeof shipped_schemas / sizeof *shipped_schemas; i++) {
			const mg_schema *schema = NULL;
			CHECK(mg_schema_builtin(&schema, shipped_schemas[i]) == 0 && schema);
			size_t before = f.count;
			int v = mg_schema_validate(schema, doc->root, path, &f);
			if (v == MG_ENOMEM)
				continue;
			CHECK(v == 0 || v == 1);
			CHECK((v == 1) == (f.count == before));
			for (size_t k = before; k < f.count; k++) {
				CHECK(f.items[k].rule == MG_RULE_SCHEMA);
				CHECK(f.items[k].line >= 1 && f.items[k].col >= 1);
			}
			check_findings(&f, before);
			int again = mg_schema_validate(schema, doc->root, path, NULL);
			CHECK(again == v || again == MG_ENOMEM);
		}
	}
	mg_doc_free(doc);
	mg_findings_release(&f);
	return 0;
}

/* ---- meshgate.yaml ---- */

static void match_names(const mg_pii_matcher *m, const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"email", "customer_email", "emailAddress", "date-of-birth", "card_number",
		"cvv", "ip_address", "first_name", "order_id", "", "_", "A", "x__y",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		(void)mg_pii_match(m, names[i]);
	/* the last line of the input (up to 64 bytes of valid UTF-8) as a column name */
	char name[65];
	size_t start = size > 64 ? size - 64 : 0, n = 0;
	for (size_t i = start; i < size; i++) {
		if (data[i] == '\n' || data[i] == '\0')
			n = 0;
		else
			name[n++] = (char)data[i];
	}
	name[mg_utf8_check(name, n)] = '\0';
	(void)mg_pii_match(m, name);
}

int mg_fuzz_config(const uint8_t *data, size_t size)
{
	mg_config cfg;
	mg_findings f;
	mg_pii_matcher *m = NULL;
	const char *path = first_token(data, size) == '{' ? "meshgate.json" : "meshgate.yaml";
	mg_config_init(&cfg);
	mg_findings_init(&f);
	int r = mg_config_parse(&cfg, path, (const char *)data, size, &f);
	CHECK(r == 0 || r == MG_ENOMEM);
	check_findings(&f, 0);
	if (r == 0) {
		CHECK(cfg.catalogue && cfg.protected_branch);
		for (size_t i = 0; i < cfg.nsuppressions; i++) {
			CHECK((unsigned)cfg.suppressions[i].rule < MG_RULE__COUNT);
			CHECK(cfg.suppressions[i].path_glob != NULL);
		}
		for (size_t i = 0; i < cfg.npii; i++) {
			const mg_pii_pattern *p = &cfg.pii[i];
			CHECK(p->nmatch == 0 || p->match);
			CHECK(p->nunless == 0 || p->unless);
			for (size_t k = 0; k < p->nmatch; k++)
				CHECK(p->match[k] != NULL);
			for (size_t k = 0; k < p->nunless; k++)
				CHECK(p->unless[k] != NULL);
		}
		mg_findings_release(&f);
		mg_findings_init(&f);
		mg_config_apply_severities(&cfg, &f);
		r = mg_pii_matcher_new(&m, &cfg);
		CHECK(r == 0 || r == MG_ENOMEM);
		if (r == 0)
			match_names(m, data, size);
	}
	mg_pii_matcher_free(m);
	mg_config_release(&cfg);
	mg_findings_release(&f);
	return 0;
}

/* ---- the validator on an in-memory catalogue ---- */

/*
 * The input is up to 13 chunks separated by NUL bytes (a 13th chunk takes
 * the rest, NULs included):
 *
 *   0-5   the six files of catalogue/prod/a, in mg_file_kind order
 *         (data-product, producer-info, outputs, visibility, consumers, inputs)
 *   6     meshgate.yaml at the root
 *   7-12  the six files of catalogue/prod/b
 *
 * An empty chunk is an absent file (product b exists when one of its
 * chunks is not empty).  A chunk whose first token is '{' or '[' is named
 * .json, any other .yaml.  The catalogue root is forced to "catalogue" so
 * a fuzzed `catalogue:` key in meshgate.yaml does not hide everything.
 */
#define MEM_CHUNKS 13
#define MEM_MAX_ENTRIES 24

typedef struct mem_entry {
	char path[96];
	mg_entry_type type;
	const char *data;
	size_t len;
} mem_entry;

typedef struct mem_source {
	mg_source base;
	mem_entry entries[MEM_MAX_ENTRIES];
	size_t n;
} mem_source;

static const mem_entry *mem_find(const mem_source *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->entries[i].path, path) == 0)
			return &s->entries[i];
	return NULL;
}

/* The base name of p when its parent folder is dir, else NULL. */
static const char *child_of(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 0)
		return strchr(p, '/') ? NULL : p;
	if (strncmp(p, dir, n) != 0 || p[n] != '/' || strchr(p + n + 1, '/'))
		return NULL;
	return p + n + 1;
}

static int cmp_entry_names(const void *a, const void *b)
{
	return strcmp(((const mg_entry *)a)->name, ((const mg_entry *)b)->name);
}

static int mem_list(mg_source *src, const char *dir, mg_entry_cb cb, void *ctx)
{
	const mem_source *s = (const mem_source *)src;
	mg_entry list[MEM_MAX_ENTRIES];
	size_t n = 0;
	if (*dir) {
		const mem_entry *d = mem_find(s, dir);
		if (!d || d->type != MG_ENTRY_DIR) {
			mg_error_set("cannot open directory '%s'", dir);
			return MG_ENOTFOUND;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		const char *name = child_of(s->entries[i].path, dir);
		if (name) {
			list[n].name = name;
			list[n++].type = s->entries[i].type;
		}
	}
	qsort(list, n, sizeof *list, cmp_entry_names);
	for (size_t i = 0; i < n; i++) {
		int r = cb(&list[i], ctx);
		if (r)
			return r;
	}
	return 0;
}

static int mem_read(mg_source *src, const char *path, mg_buf *out, size_t max)
{
	const mem_entry *e = mem_find((const mem_source *)src, path);
	if (!e) {
		mg_error_set("cannot open '%s'", path);
		return MG_ENOTFOUND;
	}
	if (e->type != MG_ENTRY_FILE) {
		mg_error_set("'%s' is not a file", path);
		return MG_EINVALID;
	}
	if (e->len > max) {
		mg_error_set("'%s' is %zu bytes, larger than the limit of %zu", path, e->len, max);
		return MG_ETOOBIG;
	}
	return mg_buf_add(out, e->data, e->len) < 0 ? MG_ENOMEM : 0;
}

static void mem_add(mem_source *s, const char *path, mg_entry_type type, const char *data,
		    size_t len)
{
	CHECK(s->n < MEM_MAX_ENTRIES);
	mem_entry *e = &s->entries[s->n++];
	snprintf(e->path, sizeof e->path, "%s", path);
	e->type = type;
	e->data = data;
	e->len = len;
}

static void mem_add_file(mem_source *s, const char *dir, const char *stem, const char *data,
			 size_t len)
{
	char path[96];
	const char *ext = looks_like_json((const uint8_t *)data, len) ? "json" : "yaml";
	snprintf(path, sizeof path, "%s%s%s.%s", dir, *dir ? "/" : "", stem, ext);
	mem_add(s, path, MG_ENTRY_FILE, data, len);
}

static void mem_build(mem_source *s, const uint8_t *data, size_t size)
{
	const char *chunk[MEM_CHUNKS] = { 0 };
	size_t len[MEM_CHUNKS] = { 0 };
	size_t c = 0, start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i == size || (data[i] == '\0' && c < MEM_CHUNKS - 1)) {
			chunk[c] = (const char *)data + start;
			len[c++] = i - start;
			start = i + 1;
		}
	}
	memset(s, 0, sizeof *s);
	s->base.name = "fuzz input";
	s->base.list = mem_list;
	s->base.read = mem_read;
	s->base.free = NULL;
	mem_add(s, "catalogue", MG_ENTRY_DIR, NULL, 0);
	mem_add(s, "catalogue/prod", MG_ENTRY_DIR, NULL, 0);
	mem_add(s, "catalogue/prod/a", MG_ENTRY_DIR, NULL, 0);
	bool have_b = false;
	for (size_t k = 7; k < MEM_CHUNKS; k++)
		have_b |= len[k] > 0;
	if (have_b)
		mem_add(s, "catalogue/prod/b", MG_ENTRY_DIR, NULL, 0);
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		const char *stem = mg_file_kind_stem((mg_file_kind)k);
		if (len[k])
			mem_add_file(s, "catalogue/prod/a", stem, chunk[k], len[k]);
		if (len[7 + k])
			mem_add_file(s, "catalogue/prod/b", stem, chunk[7 + k], len[7 + k]);
	}
	if (len[6])
		mem_add_file(s, "", "meshgate", chunk[6], len[6]);
}

static bool is_json_report(mg_report_format fmt)
{
	return fmt == MG_REPORT_JSON || fmt == MG_REPORT_SARIF || fmt == MG_REPORT_GITLAB;
}

static void check_reports(const mg_findings *f, const mg_catalogue *cat)
{
	mg_report_ctx ctx = { "validate", cat->nproducts, cat->nfiles, 0, NULL };
	mg_doc_limits big = { 256u << 20, 64, 0 };
	for (int fmt = 0; fmt < MG_REPORT__COUNT; fmt++) {
		mg_buf out = MG_BUF_INIT;
		int r = mg_report_write((mg_report_format)fmt, f, &ctx, &out);
		CHECK(r == 0 || r == MG_ENOMEM);
		if (r == 0) {
			CHECK(valid_utf8(out.ptr, out.len));
			if (is_json_report((mg_report_format)fmt)) {
				mg_doc *doc = NULL;
				mg_findings pf;
				mg_findings_init(&pf);
				r = mg_doc_parse_json(&doc, "report.json", out.ptr, out.len, &big, &pf);
				if (r != 0)
					fprintf(stderr, "%s report refused: %s\n",
						mg_report_format_name((mg_report_format)fmt),
						pf.count ? pf.items[0].message : "?");
				CHECK(r == 0 || r == MG_ENOMEM);
				mg_doc_free(doc);
				mg_findings_release(&pf);
			}
		}
		mg_buf_release(&out);
	}
}

/* Grants of the catalogue in 2100 (clearances expired) moved to those of 2026 by a plan. */
static void check_plan(const mg_catalogue *cat)
{
	mg_grant_set from, to;
	mg_plan plan;
	mg_grant_set_init(&from);
	mg_grant_set_init(&to);
	mg_plan_init(&plan);
	if (mg_access_desired(cat, "2100-01-01", NULL, NULL, &from) < 0 ||
	    mg_access_desired(cat, "2026-01-01", NULL, NULL, &to) < 0 ||
	    mg_plan_diff(&from, &to, &plan) < 0 ||
	    mg_grant_set_apply(&from, plan.ops, plan.count) < 0)
		goto done;
	CHECK(from.count == to.count);
	for (size_t i = 0; i < to.count; i++) {
		const mg_grant *g = mg_grant_set_find(&from, &to.items[i]);
		CHECK(g && mg_grant_equal(g, &to.items[i]));
	}
done:
	mg_plan_release(&plan);
	mg_grant_set_release(&from);
	mg_grant_set_release(&to);
}

int mg_fuzz_validate(const uint8_t *data, size_t size)
{
	mem_source src;
	mg_config cfg;
	mg_catalogue cat;
	mg_findings f;
	mg_validate_opts opts = { .today = "2026-01-01", .catalogue = "catalogue" };
	mem_build(&src, data, size);
	mg_config_init(&cfg);
	mg_catalogue_init(&cat);
	mg_findings_init(&f);
	int r = mg_validate(&src.base, &opts, &cfg, &cat, &f);
	if (r != 0 && r != MG_ENOMEM)
		fprintf(stderr, "mg_validate: %d %s\n", r, mg_error_last());
	CHECK(r == 0 || r == MG_ENOMEM);
	if (r == 0) {
		check_findings(&f, 0);
		CHECK(cat.nproducts >= 1 && cat.nproducts <= 2);
		check_reports(&f, &cat);
		check_plan(&cat);
	}
	mg_findings_release(&f);
	mg_catalogue_release(&cat);
	mg_config_release(&cfg);
	return 0;
}

/* ---- catalogue entry names ---- */

/*
 * A catalogue entry's name (the first byte picks the level) through the
 * entries pass: a near miss names one of the eighteen product file names,
 * an exact name is taken for itself, and a finding is misnamed-file or
 * unexpected-file at 1:1 with a message in valid UTF-8 when the name is.
 */
int mg_fuzz_entry_name(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	mg_level level = (mg_level)(data[0] % 3);
	char *name = strndup((const char *)data + 1, size - 1);
	mg_config cfg;
	mg_findings f;
	mg_buf path = MG_BUF_INIT;
	if (!name)
		return 0;
	mg_config_init(&cfg);
	mg_findings_init(&f);
	mg_file_kind k = MG_FILE__COUNT, exact;
	char suggest[64];
	mg_near how = mg_product_file_near(name, &k, suggest, sizeof suggest);
	CHECK(how >= MG_NEAR_NONE && how <= MG_NEAR_TYPO);
	if (how != MG_NEAR_NONE) {
		CHECK(k < MG_FILE__COUNT);
		CHECK(mg_file_kind_from_name(&exact, suggest) == 0 && exact == k);
	}
	if (mg_file_kind_from_name(&exact, name) == 0)
		CHECK(how == MG_NEAR_EXACT && exact == k);
	if (mg_buf_addf(&path, "catalogue/prod/a/%s", name) == 0 &&
	    mg_entries_file(&cfg, level, path.ptr, name, NULL, &f) == 0) {
		CHECK(f.count <= 1);
		for (size_t i = 0; i < f.count; i++) {
			CHECK(f.items[i].rule == MG_RULE_MISNAMED_FILE || f.items[i].rule == MG_RULE_UNEXPECTED_FILE);
			CHECK(f.items[i].line == 1 && f.items[i].col == 1);
			if (valid_utf8(name, strlen(name)))
				CHECK(valid_utf8(f.items[i].message, strlen(f.items[i].message)));
		}
		if (how != MG_NEAR_NONE && !(how == MG_NEAR_EXACT && level == MG_LEVEL_PRODUCT))
			CHECK(f.count == 1 && f.items[0].rule == MG_RULE_MISNAMED_FILE);
	}
	mg_buf_release(&path);
	mg_findings_release(&f);
	mg_config_release(&cfg);
	free(name);
	return 0;
}

/* ---- regular expressions ---- */

int mg_fuzz_regex(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nul = memchr(in, '\0', size);
	size_t plen = nul ? (size_t)(nul - in) : size;
	const char *subject = nul ? nul + 1 : in;
	size_t slen = nul ? size - plen - 1 : size;
	mg_arena arena = MG_ARENA_INIT;
	mg_buf wrapped = MG_BUF_INIT;
	mg_regex *re = NULL, *wre = NULL, *are = NULL;

	/* patterns and subjects are strings of a loaded document: valid UTF-8 */
	plen = mg_utf8_check(in, plen);
	slen = mg_utf8_check(subject, slen);
	int r = mg_regex_compile(&re, &arena, in, plen);
	CHECK(r == 0 || r == MG_EINVALID || r == MG_ENOMEM);
	if (r != 0)
		goto done;
	CHECK(strlen(mg_regex_source(re)) == plen && memcmp(mg_regex_source(re), in, plen) == 0);
	int found = mg_regex_search(re, subject, slen);
	CHECK(found == 0 || found == 1 || found == MG_ENOMEM);
	if (found < 0)
		goto done;
	CHECK(mg_regex_search(re, subject, slen) == found);
	/* the fast path for linear patterns answers as the NFA does */
	int nfa = mg_regex__search_nfa(re, subject, slen);
	CHECK(nfa == found || nfa == MG_ENOMEM);

	/* an alternative that never matches: same answer, without the ^ shortcut */
	if (mg_buf_adds(&wrapped, "(?:") < 0 || mg_buf_add(&wrapped, in, plen) < 0 ||
	    mg_buf_adds(&wrapped, ")|[^\\s\\S]") < 0)
		goto done;
	if (mg_regex_compile(&wre, &arena, wrapped.ptr, wrapped.len) == 0) {
		int w = mg_regex_search(wre, subject, slen);
		CHECK(w == found || w == MG_ENOMEM);
	}
	mg_buf_clear(&wrapped);
	if (mg_buf_adds(&wrapped, "^(?:") < 0 || mg_buf_add(&wrapped, in, plen) < 0 ||
	    mg_buf_addc(&wrapped, ')') < 0)
		goto done;
	if (mg_regex_compile(&are, &arena, wrapped.ptr, wrapped.len) == 0) {
		int a = mg_regex_search(are, subject, slen);
		CHECK(a != 1 || found == 1);
	}
done:
	mg_buf_release(&wrapped);
	mg_arena_free(&arena);
	return 0;
}

/* ---- network responses ---- */

#ifdef MG_FUZZ_HAVE_STATUS
int mg_fuzz_status_body(const uint8_t *data, size_t size)
{
	mg_buf msg = MG_BUF_INIT;
	int r = mg_status__parse_error_body((const char *)data, size, &msg);
	CHECK(r == 0 || r == MG_ENOMEM);
	if (r == 0) {
		CHECK(valid_utf8(msg.ptr, msg.len));
		CHECK(mg_utf8_length(msg.ptr, msg.len) <= MG_STATUS__MESSAGE_MAX);
		CHECK(size <= MG_STATUS__RESPONSE_MAX || msg.len == 0);
		for (size_t i = 0; i < msg.len; i++) {
			unsigned char c = (unsigned char)msg.ptr[i];
			CHECK(c >= 0x20 && c != 0x7f);
			/* C1 controls are U+0080..U+009F: C2 80..C2 9F */
			CHECK(!(c == 0xC2 && i + 1 < msg.len &&
				(unsigned char)msg.ptr[i + 1] >= 0x80 &&
				(unsigned char)msg.ptr[i + 1] <= 0x9F));
		}
	}
	mg_buf_release(&msg);
	return 0;
}
#endif

/* ---- PostgreSQL error text and connection strings ---- */

/* One line of printable text shorter than cap, not ending inside a UTF-8 sequence. */
static void check_line(const char *s, size_t cap)
{
	size_t n = strlen(s);
	CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
	size_t i = n;
	while (i && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i && (unsigned char)s[i - 1] >= 0xc0) {
		unsigned c = (unsigned char)s[i - 1];
		size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		CHECK(n - (i - 1) >= want);
	}
}

/*
 * First byte: the phase (odd: COMMIT was sent); then a SQLSTATE up to the
 * first NUL (any bytes); then the server's or libpq's message.
 */
int mg_fuzz_pg_error(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	mg_pg_phase phase = data[0] & 1 ? MG_PG_AT_COMMIT : MG_PG_BEFORE_COMMIT;
	const char *rest = (const char *)data + 1;
	size_t left = size - 1;
	const char *nul = memchr(rest, '\0', left);
	size_t slen = nul ? (size_t)(nul - rest) : 0;
	char *state = strndup(rest, slen);
	char *msg = nul ? strndup(nul + 1, left - slen - 1) : strndup(rest, left);
	if (!state || !msg) {
		free(state);
		free(msg);
		return 0;
	}
	mg_op_status st = mg_pg_classify(state, msg, phase);
	CHECK(st == MG_OP_FAILED || st == MG_OP_RETRYABLE || st == MG_OP_UNKNOWN);
	bool lost = mg_pg_connection_lost(state, msg);
	/* a connection lost after COMMIT is unknown, before it retryable; unknown is nothing else */
	if (lost)
		CHECK(st == (phase == MG_PG_AT_COMMIT ? MG_OP_UNKNOWN : MG_OP_RETRYABLE));
	else
		CHECK(st != MG_OP_UNKNOWN);
	CHECK(mg_pg_classify(state, msg, phase) == st);
	static const size_t caps[] = { 1, 7, 64, 256 };
	for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
		char out[256];
		memset(out, 'X', sizeof out);
		mg_pg_describe(out, caps[k], state, msg, k & 1 ? "context" : NULL);
		check_line(out, caps[k]);
	}
	free(state);
	free(msg);
	return 0;
}

/* A connection string: masked, it is bounded, printable, and masking it again changes nothing. */
int mg_fuzz_pg_dsn(const uint8_t *data, size_t size)
{
	char *dsn = strndup((const char *)data, size);
	mg_buf a = MG_BUF_INIT, b = MG_BUF_INIT;
	if (!dsn)
		return 0;
	if (mg_pg_mask_dsn(dsn, &a) == 0) {
		const char *out = a.ptr ? a.ptr : "";
		CHECK(a.len <= 4 * 512 + 16);
		for (size_t i = 0; i < a.len; i++)
			CHECK((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] < 0x7f);
		/* an unquoted key/value password is never shown */
		const char *p = strstr(dsn, " password=");
		if (p && p > dsn && p[-1] != '=' && !strchr(" \t\n\r\f\v", p[-1]) && strncmp(dsn, "postgres", 8) != 0 &&
		    strchr(dsn, '\'') == NULL && strlen(dsn) < 512) {
			const char *v = p + 10;
			size_t vl = strcspn(v, " \t\n\r\f\v");
			if (vl >= 4 && memcmp(v, "****", 4) != 0 && !memchr(v, '=', vl)) {
				char *val = strndup(v, vl);
				/* only when the value is nowhere else in the string; the "..." that marks a cut
				 * output is meshgate's, not the input's (a value "s..." after the cut matched it) */
				size_t ol = a.len >= 3 && strcmp(out + a.len - 3, "...") == 0 ? a.len - 3 : a.len;
				char *shown = strndup(out, ol);
				if (val && shown && strstr(dsn, val) == v && !strstr(v + 1, val))
					CHECK(!strstr(shown, val));
				free(shown);
				free(val);
			}
		}
		if (a.len < 512 && (a.len < 3 || strcmp(out + a.len - 3, "...") != 0) && mg_pg_mask_dsn(out, &b) == 0)
			CHECK(strcmp(b.ptr ? b.ptr : "", out) == 0);
	}
	mg_buf_release(&a);
	mg_buf_release(&b);
	free(dsn);
	return 0;
}

/* ---- git index files ---- */

#ifdef MG_FUZZ_HAVE_GIT_INDEX
static bool inside(const void *p, size_t n, const uint8_t *data, size_t size)
{
	const uint8_t *q = p;
	return q >= data && q <= data + size && n <= (size_t)(data + size - q);
}

int mg_fuzz_git_index(const uint8_t *data, size_t size)
{
	mg_git_index ix = MG_GIT_INDEX_INIT;
	int r = mg_git_index_parse(&ix, data, size, "fuzz-index");
	CHECK(r == 0 || r == MG_EGITINDEX_UNSUPPORTED || r == MG_EINVALID || r == MG_ENOMEM);
	if (r == 0) {
		CHECK(ix.version >= 2 && ix.version <= 4);
		CHECK(ix.n == 0 || ix.entries);
		for (size_t i = 0; i < ix.n; i++) {
			const mg_git_index_entry *e = &ix.entries[i];
			CHECK(e->path && e->path_len > 0 && strlen(e->path) == e->path_len);
			CHECK(e->stage <= 3);
			CHECK(inside(e->id, MG_GIT_OID_RAWSZ, data, size));
			if (ix.version < 4)
				CHECK(inside(e->path, e->path_len + 1, data, size));
			if (i) {
				const mg_git_index_entry *prev = &ix.entries[i - 1];
				size_t n = prev->path_len < e->path_len ? prev->path_len : e->path_len;
				int c = memcmp(prev->path, e->path, n);
				CHECK(c < 0 || (c == 0 && (prev->path_len < e->path_len ||
							   (prev->path_len == e->path_len &&
							    prev->stage <= e->stage))));
			}
		}
	} else {
		CHECK(ix.n == 0 && ix.entries == NULL && ix.paths == NULL);
		if (r == MG_EINVALID)
			CHECK(*mg_error_last() != '\0');
	}
	mg_git_index_release(&ix);
	return 0;
}
#endif

/* ---- AWS: credentials files, error bodies, AssumeRole answers ---- */

#define AWS_FUZZ_SECRET "FuzzSecretValue"

/* printable, NUL-terminated within cap, no C0 or DEL */
static void check_printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

/*
 * First byte: which section and key to look up; the rest is the file.  A
 * value found is in the text, trimmed, and fits; a smaller buffer gives
 * ETOOBIG exactly when the value does not fit; a malformed file's message
 * starts "line N: " and never holds a value (the marker below).
 */
int mg_fuzz_aws_ini(const uint8_t *data, size_t size)
{
	static const char *const sections[] = { "default", "profile ci", "a", "ci" };
	static const char *const keys[] = { "aws_access_key_id", "aws_secret_access_key", "role_arn", "k" };
	if (size < 1)
		return 0;
	const char *section = sections[data[0] & 3], *key = keys[(data[0] >> 2) & 3];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	char out[256], small[4];
	mg_error_clear();
	int r = mg_aws_ini_get(text, len, section, key, out, sizeof out);
	CHECK(r == 0 || r == MG_ENOTFOUND || r == MG_EPARSE || r == MG_ETOOBIG);
	if (r == 0) {
		size_t n = strlen(out);
		CHECK(n < sizeof out);
		if (n) {
			CHECK(out[0] != ' ' && out[0] != '\t' && out[n - 1] != ' ' && out[n - 1] != '\t');
			bool inside = false;
			for (size_t i = 0; i + n <= len && !inside; i++)
				inside = memcmp(text + i, out, n) == 0;
			CHECK(inside);
		}
		int s = mg_aws_ini_get(text, len, section, key, small, sizeof small);
		CHECK(s == (n < sizeof small ? 0 : MG_ETOOBIG));
	} else {
		const char *m = mg_error_last();
		check_printable(m, 1024);
		CHECK(*m);
		CHECK(strstr(m, AWS_FUZZ_SECRET) == NULL);
		if (r == MG_EPARSE) {
			CHECK(strncmp(m, "line ", 5) == 0);
			size_t i = 5;
			while (m[i] >= '0' && m[i] <= '9')
				i++;
			CHECK(i > 5 && m[i] == ':');
		}
	}
	return 0;
}

/* An error body (JSON or XML), then again with its first line as the x-amzn-ErrorType header. */
int mg_fuzz_aws_error(const uint8_t *data, size_t size)
{
	for (int pass = 0; pass < 2; pass++) {
		char header[128] = "";
		if (pass) {
			size_t n = 0;
			while (n < size && n < sizeof header - 1 && data[n] != '\n' && data[n] != '\0')
				n++;
			memcpy(header, data, n);
			header[n] = '\0';
		}
		mg_aws_response r;
		mg_aws_response_init(&r);
		mg_aws_parse_error((const char *)data, size, pass ? header : NULL, &r);
		check_printable(r.error_code, sizeof r.error_code);
		check_printable(r.message, sizeof r.message);
		check_printable(r.request_id, sizeof r.request_id);
		CHECK(strchr(r.error_code, ' ') == NULL && strchr(r.error_code, '#') == NULL &&
		      strchr(r.error_code, ':') == NULL);
		CHECK(size <= MG_AWS__ERROR_BODY_MAX || pass || (!r.message[0] && !r.error_code[0]));
		/* the outcome of any code is one of the four */
		mg_aws_outcome o = mg_aws__classify(400, r.error_code);
		CHECK(o == MG_AWS_FAILED || o == MG_AWS_RETRYABLE);
		mg_aws_response_release(&r);
	}
	return 0;
}

/* An STS answer through parse: all four fields, or MG_EPARSE with the output untouched. */
static int sts_answer(const uint8_t *data, size_t size, int (*parse)(const char *, size_t, mg_aws_credentials *))
{
	mg_aws_credentials c, before;
	memset(&c, 0x5a, sizeof c);
	snprintf(c.source, sizeof c.source, "fuzz");
	before = c;
	int r = parse((const char *)data, size, &c);
	CHECK(r == 0 || r == MG_EPARSE || r == MG_ENOMEM);
	if (r == 0) {
		CHECK(c.access_key_id[0] && strnlen(c.access_key_id, sizeof c.access_key_id) < sizeof c.access_key_id);
		CHECK(c.secret_access_key[0] &&
		      strnlen(c.secret_access_key, sizeof c.secret_access_key) < sizeof c.secret_access_key);
		CHECK(c.session_token[0] && strnlen(c.session_token, sizeof c.session_token) < sizeof c.session_token);
		CHECK(c.expiration > 0);
		CHECK(strcmp(c.source, "fuzz") == 0);
	} else {
		CHECK(memcmp(&c, &before, sizeof c) == 0);
		check_printable(mg_error_last(), 1024);
	}
	mg_aws_credentials_wipe(&c);
	return 0;
}

/* An AssumeRole answer. */
int mg_fuzz_aws_assume_role(const uint8_t *data, size_t size)
{
	return sts_answer(data, size, mg_aws_parse_assume_role);
}

/* An AssumeRoleWithWebIdentity answer: the same promise, under its own result element. */
int mg_fuzz_aws_web_identity(const uint8_t *data, size_t size)
{
	return sts_answer(data, size, mg_aws_parse_assume_role_web_identity);
}

static bool token_chars(const char *s, size_t cap, bool allow_empty)
{
	size_t n = strnlen(s, cap);
	if (n >= cap || (!n && !allow_empty))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/*
 * The body of a state.lock object read back from S3 (src/backends/state_lock.c),
 * or, when the first byte is odd, the rest as a state.lock url: parses or is
 * refused with a printable message; a parsed body yields printable fields that fit,
 * a positive pid or none; a parsed url a valid bucket name and a prefix that fit.
 */
int mg_fuzz_s3_lock(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		char url[1024], bucket[64], prefix[901];
		if (len >= sizeof url)
			return 0;
		memcpy(url, text, len);
		url[len] = '\0';
		if (mg_s3_lock_url_parse(url, bucket, sizeof bucket, prefix, sizeof prefix) == 0) {
			size_t bn = strlen(bucket);
			CHECK(bn >= 3 && bn <= 63 && strlen(prefix) <= 900);
			CHECK(strncmp(url, "s3://", 5) == 0 && strstr(prefix, "//") == NULL);
		}
		return 0;
	}
	mg_lock_info info;
	int r = mg_s3_lock_parse(text, len, &info);
	CHECK(r == 0 || r == MG_EPARSE);
	if (r == 0) {
		check_printable(info.holder, sizeof info.holder);
		CHECK(memchr(info.host, '\0', sizeof info.host) && memchr(info.since, '\0', sizeof info.since));
		for (const char *c = info.host; *c; c++)
			CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
		CHECK(info.pid >= 0);
	} else
		check_printable(mg_error_last(), 1024);
	mg_error_clear();
	return 0;
}

/*
 * A credential document of the container endpoint (first byte even) or IMDS
 * (odd), then the same bytes as a GitHub OIDC token answer: fields without
 * blanks or controls, an expiration whenever there is a token (and a token
 * for IMDS), or MG_EPARSE with the output untouched and a message that holds
 * none of the input's strings.
 */
int mg_fuzz_aws_credential_document(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool imds = data[0] & 1;
	const char *json = (const char *)data + 1;
	size_t len = size - 1;
	mg_aws_credentials c, before;
	memset(&c, 0x5a, sizeof c);
	snprintf(c.source, sizeof c.source, "fuzz");
	before = c;
	int r = mg_aws_parse_credential_document(json, len, imds, &c);
	CHECK(r == 0 || r == MG_EPARSE);
	if (r == 0) {
		CHECK(token_chars(c.access_key_id, sizeof c.access_key_id, false));
		CHECK(token_chars(c.secret_access_key, sizeof c.secret_access_key, false));
		CHECK(token_chars(c.session_token, sizeof c.session_token, !imds));
		CHECK(c.session_token[0] ? c.expiration > 0 : c.expiration >= 0);
		CHECK(strcmp(c.source, "fuzz") == 0);
		CHECK(len <= MG_AWS__DOCUMENT_MAX);
	} else {
		CHECK(memcmp(&c, &before, sizeof c) == 0);
		check_printable(mg_error_last(), 1024);
	}
	mg_aws_credentials_wipe(&c);
	char tok[256];
	r = mg_aws_parse_oidc_token(json, len, tok, sizeof tok);
	CHECK(r == 0 || r == MG_EPARSE);
	if (r == 0)
		CHECK(token_chars(tok, sizeof tok, false));
	else
		check_printable(mg_error_last(), 1024);
	return 0;
}

/* ---- Lake Formation answers ---- */

static void lf_check_line(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

/*
 * First byte: odd reads a BatchGrant/BatchRevokePermissions answer for a
 * batch of (byte >> 1) % 21 entries, even a ListPermissions page; the rest
 * is the body.
 */
int mg_fuzz_lf_answer(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		size_t n = (size_t)(data[0] >> 1) % (MG_LF_BATCH_ENTRIES + 1), nfail = 99;
		mg_lf_failure f[MG_LF_BATCH_ENTRIES];
		int r = mg_lf_batch_failures(body, len, n, f, &nfail);
		CHECK(r == 0 || r == MG_EPARSE);
		CHECK(nfail <= n);
		for (size_t i = 0; i < nfail; i++) {
			CHECK(f[i].entry < n);
			for (size_t k = 0; k < i; k++)
				CHECK(f[k].entry != f[i].entry);
			lf_check_line(f[i].code, sizeof f[i].code);
			lf_check_line(f[i].message, sizeof f[i].message);
			mg_op_status st = mg_lf_failure_status(&f[i]);
			CHECK(st == MG_OP_FAILED || st == MG_OP_RETRYABLE);
		}
		if (r < 0)
			CHECK(*mg_error_last() != '\0');
		mg_error_clear();
		return 0;
	}
	mg_lf_held_list l;
	char next[64];
	memset(&l, 0, sizeof l);
	int r = mg_lf_list_parse(body, len, &l, next, sizeof next);
	CHECK(r == 0 || r == MG_EPARSE || r == MG_ETOOBIG || r == MG_ENOMEM);
	CHECK(strnlen(next, sizeof next) < sizeof next);
	if (r < 0)
		CHECK(next[0] == '\0');
	for (size_t i = 0; i < l.count; i++) {
		const mg_lf_held *h = &l.items[i];
		CHECK(h->principal && h->database && h->perms);
		CHECK((h->perms & ~(MG_PERM_SELECT | MG_PERM_DESCRIBE)) == 0);
		CHECK((h->target == MG_LF_DATABASE) == (h->table == NULL));
		for (size_t k = 0; k < h->ncolumns; k++)
			CHECK(h->columns[k] != NULL);
	}
	mg_lf_held_release(&l);
	mg_error_clear();
	return 0;
}

/* ---- s3-policy: bucket policy documents and locations ---- */

static int s3p_owned_check(void *ctx, const char *sid, const char *principal)
{
	(void)ctx;
	CHECK(strncmp(sid, MG_S3P_SID_PREFIX, strlen(MG_S3P_SID_PREFIX)) == 0);
	CHECK(principal != NULL);
	return 0;
}

/*
 * First byte: odd reads the rest as an S3 location; even as a bucket
 * policy, then merges a grant's statements (bit 1: a revoke's removals)
 * into it and checks the result: within 20 KiB, parseable, reflecting the
 * changes and keeping every statement it did not change.
 */
int mg_fuzz_s3_policy(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		char loc[2048];
		mg_s3p_location l;
		if (len >= sizeof loc)
			return 0;
		memcpy(loc, body, len);
		loc[len] = '\0';
		int r = mg_s3p_location_parse(loc, &l);
		CHECK(r == 0 || r == MG_EINVALID);
		if (r == 0) {
			CHECK(strlen(l.bucket) >= 3 && strlen(l.bucket) <= 63);
			CHECK(!strchr(l.prefix, '*') && !strchr(l.prefix, '?'));
			CHECK(l.prefix[0] != '/');
		}
		mg_error_clear();
		return 0;
	}
	mg_s3p_policy *p = NULL;
	int r = mg_s3p_policy_parse(body, len, &p);
	CHECK(r == 0 || r == MG_EPARSE || r == MG_ENOMEM);
	if (r < 0) {
		CHECK(p == NULL);
		mg_error_clear();
		return 0;
	}
	CHECK(mg_s3p_policy_count(p) <= MG_S3P_STATEMENTS_MAX);
	CHECK(mg_s3p_policy_owned(p, s3p_owned_check, NULL) == 0);
	mg_s3p_location l;
	mg_s3p_change ch[2];
	bool revoke = (data[0] & 2) != 0;
	CHECK(mg_s3p_location_parse("s3://fuzz-bucket/orders", &l) == 0);
	if (mg_s3p_changes_for("meshgate-0123456789abcdef", revoke ? NULL : "arn:aws:iam::1:role/r",
			       revoke ? NULL : &l, ch) == 0) {
		mg_buf out = MG_BUF_INIT;
		size_t n = 0;
		r = mg_s3p_policy_merge(p, ch, 2, "fuzz-bucket", &out, &n);
		CHECK(r == 0 || r == MG_ETOOBIG || r == MG_ENOMEM);
		if (r == 0) {
			mg_s3p_policy *q = NULL;
			CHECK(out.len <= MG_S3P_POLICY_MAX);
			CHECK(mg_s3p_policy_parse(out.ptr, out.len, &q) == 0);
			CHECK(mg_s3p_policy_count(q) == n);
			CHECK(mg_s3p_policy_reflects(q, ch, 2));
			CHECK(mg_s3p_policy_keeps(q, p, ch, 2));
			mg_s3p_policy_free(q);
		} else {
			CHECK(out.len == 0);
		}
		mg_buf_release(&out);
		mg_s3p_change_release(&ch[0]);
		mg_s3p_change_release(&ch[1]);
	}
	mg_s3p_policy_free(p);
	mg_error_clear();
	return 0;
}

/* ---- the table ---- */

const mg_fuzz_target mg_fuzz_targets[] = {
	{ "fuzz_json", mg_fuzz_json, 65536 },
	{ "fuzz_yaml", mg_fuzz_yaml, 65536 },
	{ "fuzz_schema", mg_fuzz_schema, 65536 },
	{ "fuzz_config", mg_fuzz_config, 65536 },
	{ "fuzz_validate", mg_fuzz_validate, 65536 },
	{ "fuzz_entry_name", mg_fuzz_entry_name, 1024 },
	{ "fuzz_regex", mg_fuzz_regex, 4096 },
	{ "fuzz_pg_error", mg_fuzz_pg_error, 8192 },
	{ "fuzz_pg_dsn", mg_fuzz_pg_dsn, 2048 },
	{ "fuzz_lf_answer", mg_fuzz_lf_answer, 65536 },
	{ "fuzz_s3_policy", mg_fuzz_s3_policy, 70000 },
	{ "fuzz_aws_ini", mg_fuzz_aws_ini, 16384 },
	{ "fuzz_aws_error", mg_fuzz_aws_error, 70000 },
	{ "fuzz_aws_assume_role", mg_fuzz_aws_assume_role, 16384 },
	{ "fuzz_aws_web_identity", mg_fuzz_aws_web_identity, 16384 },
	{ "fuzz_aws_credential_document", mg_fuzz_aws_credential_document, 70000 },
	{ "fuzz_s3_lock", mg_fuzz_s3_lock, 8192 },
#ifdef MG_FUZZ_HAVE_STATUS
	{ "fuzz_status_body", mg_fuzz_status_body, 70000 },
#endif
#ifdef MG_FUZZ_HAVE_GIT_INDEX
	{ "fuzz_git_index", mg_fuzz_git_index, 65536 },
#endif
};

const size_t mg_fuzz_ntargets = sizeof mg_fuzz_targets / sizeof *mg_fuzz_targets;
