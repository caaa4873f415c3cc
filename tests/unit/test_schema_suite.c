/*
 * test_schema_suite.c - the JSON-Schema-Test-Suite (draft 2020-12, required
 * tests) against the schema engine.  Remote refs to http://localhost:1234/
 * are served from the suite's remotes/ folder and the 2020-12 meta-schemas
 * from vectors/json-schema-metaschema-2020-12, through the set's loader.
 *
 * Files for keywords meshgate does not implement are skipped whole, and
 * single cases where meshgate deliberately differs from the spec (it
 * asserts formats date and email) are skipped, with the reason printed.  Each case is run twice: quiet (no findings) and
 * reporting; both verdicts must match the suite, and the reporting run must
 * add findings exactly when the instance is invalid.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/doc.h"
#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "meshgate/schema.h"
#include "mgt.h"

static const struct {
	const char *file, *why;
} skipped_files[] = {
	{ "vocabulary.json", "$vocabulary is not supported" },
};

/* Single cases where meshgate deliberately differs from the spec. */
static const struct {
	const char *file, *test, *why;
} deviations[] = {
	{ "format.json", "invalid email string is only an annotation by default",
	  "meshgate asserts format email (the spec makes it an annotation)" },
	{ "format.json", "invalid date string is only an annotation by default",
	  "meshgate asserts format date (the spec makes it an annotation)" },
};

static const char *deviation(const char *file, const char *test)
{
	for (size_t i = 0; i < sizeof deviations / sizeof deviations[0]; i++)
		if (strcmp(deviations[i].file, file) == 0 && strcmp(deviations[i].test, test) == 0)
			return deviations[i].why;
	return NULL;
}

static char shared_dir[1024];

static const char *skip_reason(const char *file)
{
	for (size_t i = 0; i < sizeof skipped_files / sizeof skipped_files[0]; i++)
		if (strcmp(skipped_files[i].file, file) == 0)
			return skipped_files[i].why;
	return NULL;
}

static int load_json_file(mg_doc **out, const char *path)
{
	mg_buf b = MG_BUF_INIT;
	int err = mg_buf_read_file(&b, path, 16u << 20);
	if (err)
		return err;
	mg_doc_limits lim = MG_DOC_LIMITS_DEFAULT;
	lim.max_bytes = 16u << 20;
	lim.max_depth = 256;
	err = mg_doc_parse_json(out, path, b.ptr, b.len, &lim, NULL);
	mg_buf_release(&b);
	return err;
}

static int suite_loader(mg_doc **out, const char *uri, void *ctx)
{
	char path[2048];
	static const char local[] = "http://localhost:1234/";
	static const char meta[] = "https://json-schema.org/draft/2020-12/";
	(void)ctx;
	if (strncmp(uri, local, sizeof local - 1) == 0)
		snprintf(path, sizeof path, "%s/vectors/json-schema-test-suite/remotes/%s", shared_dir,
			 uri + sizeof local - 1);
	else if (strncmp(uri, meta, sizeof meta - 1) == 0)
		snprintf(path, sizeof path, "%s/vectors/json-schema-metaschema-2020-12/%s.json", shared_dir,
			 uri + sizeof meta - 1);
	else
		return MG_ENOTFOUND;
	return load_json_file(out, path) == 0 ? 0 : MG_ENOTFOUND;
}

/* Serialises a node back to JSON, so a schema can become its own document. */
static int to_json(mg_buf *b, const mg_node *n)
{
	int e = 0;
	switch (n->type) {
	case MG_NODE_NULL: return mg_buf_adds(b, "null");
	case MG_NODE_BOOL: return mg_buf_adds(b, n->u.boolean ? "true" : "false");
	case MG_NODE_NUMBER:
		if (n->u.number.is_integer && n->u.number.value < 1e15 && n->u.number.value > -1e15)
			return mg_buf_addf(b, "%.0f", n->u.number.value);
		return mg_buf_addf(b, "%.17g", n->u.number.value);
	case MG_NODE_STRING: return mg_buf_add_json_string(b, n->u.string.ptr, n->u.string.len);
	case MG_NODE_ARRAY:
		e |= mg_buf_addc(b, '[');
		for (size_t i = 0; i < n->u.array.count; i++)
			e |= (i ? mg_buf_addc(b, ',') : 0) | to_json(b, n->u.array.items[i]);
		return e | mg_buf_addc(b, ']');
	case MG_NODE_OBJECT:
		e |= mg_buf_addc(b, '{');
		for (size_t i = 0; i < n->u.object.count; i++) {
			const mg_member *m = &n->u.object.members[i];
			e |= (i ? mg_buf_addc(b, ',') : 0) | mg_buf_add_json_string(b, m->key, m->key_len);
			e |= mg_buf_addc(b, ':') | to_json(b, m->value);
		}
		return e | mg_buf_addc(b, '}');
	}
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t npassed, nfailed, nskipped;

static void run_file(const char *dir, const char *name)
{
	char path[4096];
	mg_doc *doc = NULL;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	MGT_EQ_INT(load_json_file(&doc, path), 0);
	if (!doc)
		return;
	const mg_node *groups = doc->root;
	const char *why = skip_reason(name);
	for (size_t g = 0; g < groups->u.array.count; g++) {
		const mg_node *group = groups->u.array.items[g];
		const mg_node *tests = mg_obj_get(group, "tests");
		const char *gdesc = mg_node_str(mg_obj_get(group, "description"));
		if (why) {
			nskipped += tests->u.array.count;
			continue;
		}
		mg_schema_set *set = NULL;
		mg_schema *schema = NULL;
		mg_doc *sdoc = NULL;
		mg_buf text = MG_BUF_INIT;
		int err = mg_schema_set_new(&set, suite_loader, NULL);
		if (!err)
			err = to_json(&text, mg_obj_get(group, "schema"));
		if (!err)
			err = mg_doc_parse_json(&sdoc, "schema.json", text.ptr, text.len, NULL, NULL);
		if (!err)
			err = mg_schema_add(&schema, set, sdoc, NULL);
		mg_buf_release(&text);
		if (err) {
			printf("FAIL %s: %s: schema does not compile: %s\n", name, gdesc, mg_error_last());
			nfailed += tests->u.array.count;
			mgt__failures++;
			mg_schema_set_free(set);
			continue;
		}
		for (size_t t = 0; t < tests->u.array.count; t++) {
			const mg_node *tc = tests->u.array.items[t];
			const mg_node *data = mg_obj_get(tc, "data");
			bool valid = mg_obj_get(tc, "valid")->u.boolean;
			const char *tdesc = mg_node_str(mg_obj_get(tc, "description"));
			const char *dev = deviation(name, tdesc);
			if (dev) {
				printf("skipped case %s: %s: %s\n", name, tdesc, dev);
				nskipped++;
				continue;
			}
			mg_findings f;
			mg_findings_init(&f);
			int quiet = mg_schema_validate(schema, data, "t.json", NULL);
			int loud = mg_schema_validate(schema, data, "t.json", &f);
			bool ok = quiet == (valid ? 1 : 0) && loud == quiet && (f.count == 0) == valid;
			if (ok) {
				npassed++;
			} else {
				nfailed++;
				mgt__failures++;
				printf("FAIL %s: %s: %s (expected %s, got %d/%d, %zu findings%s%s)\n", name, gdesc, tdesc,
				       valid ? "valid" : "invalid", quiet, loud, f.count, quiet < 0 ? ": " : "",
				       quiet < 0 ? mg_error_last() : "");
			}
			mg_findings_release(&f);
		}
		mg_schema_set_free(set);
	}
	mg_doc_free(doc);
}

static void test_suite_draft2020_12(void)
{
	const char *shared = mgt_shared();
	char dir[2048];
	if (!shared) {
		printf("SKIP: ../shared not found, JSON-Schema-Test-Suite not run\n");
		return;
	}
	snprintf(shared_dir, sizeof shared_dir, "%s", shared);
	snprintf(dir, sizeof dir, "%s/vectors/json-schema-test-suite/tests/draft2020-12", shared);
	DIR *d = opendir(dir);
	if (!d) {
		printf("SKIP: %s not found\n", dir);
		return;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_str);
	for (size_t i = 0; i < n; i++) {
		const char *why = skip_reason(names[i]);
		if (why)
			printf("skipped %s: %s\n", names[i], why);
		run_file(dir, names[i]);
		free(names[i]);
	}
	printf("suite: %zu passed, %zu failed, %zu skipped\n", npassed, nfailed, nskipped);
	MGT_CHECK(npassed > 800);
}

/* The loader serves the remotes the suite needs. */
static void test_suite_loader(void)
{
	const char *shared = mgt_shared();
	mg_doc *doc = NULL;
	if (!shared) {
		printf("SKIP: ../shared not found\n");
		return;
	}
	snprintf(shared_dir, sizeof shared_dir, "%s", shared);
	MGT_EQ_INT(suite_loader(&doc, "http://localhost:1234/integer.json", NULL), 0);
	MGT_CHECK(doc && mg_obj_get(doc->root, "type"));
	mg_doc_free(doc);
	doc = NULL;
	MGT_EQ_INT(suite_loader(&doc, "https://json-schema.org/draft/2020-12/meta/core", NULL), 0);
	mg_doc_free(doc);
	MGT_EQ_INT(suite_loader(&doc, "http://example.com/nope.json", NULL), MG_ENOTFOUND);
}

MGT_MAIN(test_suite_loader, test_suite_draft2020_12)
