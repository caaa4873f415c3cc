/*
 * validate.c - the validator pipeline (see meshgate/validate.h):
 * meshgate.yaml, discovery of <catalogue>/<environment>/<product>/,
 * parse, schema, model, rules, suppressions, sort.
 *
 * With a facts cache (facts.h), a product folder whose stamp is in the
 * cache is not read: its facts and own findings come from there, and only
 * the global rules run over it.  Each product's place in the run is kept in
 * `prods`, in discovery order, then sorted with the catalogue's products.
 */
#include "meshgate/sort.h"
#include "meshgate/validate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meshgate/error.h"
#include "meshgate/rules.h"
#include "meshgate/schema.h"
#include "catalogue/entries.h"
#include "catalogue/facts.h"

/* A product of a cached run. */
typedef struct {
	const char *folder; /* borrowed from the catalogue */
	char *stamp;        /* owned; NULL when taken from the cache */
	size_t stamplen;
	size_t nfiles;      /* files read */
	size_t first, end;  /* findings of its folder and files, as indexes */
	mg_rules_product_run rules;
} prod;

typedef struct {
	mg_source *src;
	mg_config *cfg;
	const mg_config *pol; /* the policy judged by: severities, suppressions, PII patterns, limits; NULL: cfg */
	bool defer_suppressions; /* the caller applies them (mg_suppressions_apply) */
	mg_catalogue *cat;
	mg_findings *f;
	mg_buf path;
	mg_buf data;
	/* with a cache: */
	mg_facts_cache *cache;
	const char *today;
	prod *prods;
	size_t nprods, capprods;
	const char *const *fresh; /* read in full whatever the cache holds (mg_validate_opts.fresh) */
	size_t nfresh;
	bool no_schema; /* load for the model only: nobody reads the schema's findings */
	/* the product files' schemas, looked up once; with the policy's extend-enums compiled into `own` */
	const mg_schema *schemas[MG_FILE__COUNT];
	mg_schema_set *own;
} run;

static const mg_config *policy(const run *rn)
{
	return rn->pol ? rn->pol : rn->cfg;
}

/*
 * The schema of product file kind k for this run: the shipped one, or,
 * when the policy's extend-enums open one of its enums, a copy compiled
 * for this run alone (other runs of the process keep the closed enums).
 * Not thread-safe: called before the parse threads start.
 */
static int run_schema(run *rn, mg_file_kind k, const mg_schema **out)
{
	mg_schema_enum_ext ext[8];
	mg_buf name = MG_BUF_INIT;
	int r;
	if ((*out = rn->schemas[k]))
		return 0;
	if ((r = mg_buf_addf(&name, "%s.schema.json", mg_file_kind_stem(k))) < 0)
		return r;
	size_t n = mg_config_schema_exts(policy(rn), name.ptr, ext, sizeof ext / sizeof *ext);
	if (!n)
		r = mg_schema_builtin(out, name.ptr);
	else if (rn->own || (r = mg_schema_builtin_set_new(&rn->own)) == 0)
		r = mg_schema_builtin_extended(out, rn->own, name.ptr, ext, n);
	mg_buf_release(&name);
	if (r == 0)
		rn->schemas[k] = *out;
	return r;
}

/* ---- discovery ---- */

typedef struct {
	char *name;
	mg_entry_type type;
} entry;

typedef struct {
	entry *items;
	size_t n, cap;
} entries;

static int collect(const mg_entry *e, void *ctx)
{
	entries *es = ctx;
	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 16;
		entry *items = realloc(es->items, cap * sizeof *items);
		if (!items)
			return mg_oom();
		es->items = items;
		es->cap = cap;
	}
	if (!(es->items[es->n].name = strdup(e->name)))
		return mg_oom();
	es->items[es->n++].type = e->type;
	return 0;
}

static void entries_release(entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->items[i].name);
	free(es->items);
	memset(es, 0, sizeof *es);
}

static int list(run *rn, const char *dir, entries *out)
{
	memset(out, 0, sizeof *out);
	int r = rn->src->list(rn->src, dir, collect, out);
	if (r < 0)
		entries_release(out);
	return r;
}

static const char *join(mg_buf *b, const char *dir, const char *name)
{
	mg_buf_clear(b);
	if (*dir && (mg_buf_adds(b, dir) < 0 || mg_buf_addc(b, '/') < 0))
		return NULL;
	if (mg_buf_adds(b, name) < 0)
		return NULL;
	return b->ptr;
}

static const char *type_words(mg_entry_type t)
{
	switch (t) {
	case MG_ENTRY_DIR: return "a directory";
	case MG_ENTRY_SYMLINK: return "a symbolic link (never followed)";
	case MG_ENTRY_SUBMODULE: return "a submodule";
	case MG_ENTRY_FILE: return "a file";
	case MG_ENTRY_OTHER: break;
	}
	return "not a regular file";
}

static int not_a_file(run *rn, const char *path, mg_entry_type t, const char *expected)
{
	return mg_findings_add(rn->f, path, 0, 0, MG_RULE_NOT_A_FILE, "'%s' is %s; expected %s", path,
			       type_words(t), expected);
}

/*
 * The entries of a product folder's listing that are not product files,
 * once its product files are known (p->files): misnamed, unexpected or
 * nested (see entries.h).  Only a run that reports findings looks.
 */
static int classify_product_entries(run *rn, const entries *es, const char *folder, const mg_product *p,
				    mg_findings *f)
{
	mg_buf path = MG_BUF_INIT;
	int r = 0;
	if (!f || rn->no_schema)
		return 0;
	for (size_t i = 0; i < es->n && r == 0; i++) {
		mg_file_kind k;
		const entry *e = &es->items[i];
		if (mg_file_kind_from_name(&k, e->name) == 0 || (e->type != MG_ENTRY_FILE && e->type != MG_ENTRY_DIR))
			continue; /* read, or a not-a-file finding already */
		const char *fp = join(&path, folder, e->name);
		if (!fp)
			r = mg_oom();
		else if (e->type == MG_ENTRY_FILE)
			r = mg_entries_file(policy(rn), MG_LEVEL_PRODUCT, fp, e->name, (const char *const *)p->files, f);
		else
			r = mg_entries_subfolder(rn->src, policy(rn), folder, fp, e->name, f);
	}
	mg_buf_release(&path);
	return r;
}

/* ---- one product folder ---- */

static int load_file(run *rn, const char *path, mg_file_kind kind, mg_doc **out)
{
	const mg_schema *schema;
	int r;
	*out = NULL;
	mg_buf_clear(&rn->data);
	r = rn->src->read(rn->src, path, &rn->data, policy(rn)->limits.max_bytes);
	if (r == MG_ETOOBIG)
		return mg_findings_add(rn->f, path, 1, 1, MG_RULE_PARSE, "%s", mg_error_last());
	if (r == MG_EINVALID || r == MG_ENOTFOUND)
		return mg_findings_add(rn->f, path, 0, 0, MG_RULE_NOT_A_FILE, "%s", mg_error_last());
	if (r < 0)
		return r;
	rn->cat->nfiles++;
	r = mg_doc_parse(out, path, rn->data.ptr, rn->data.len, &policy(rn)->limits, rn->f);
	if (r == MG_EPARSE)
		return 0;
	if (r < 0)
		return r;
	if (rn->no_schema)
		goto done;
	if ((r = run_schema(rn, kind, &schema)) < 0)
		goto done;
	r = mg_schema_validate(schema, (*out)->root, path, rn->f);
	r = r < 0 ? r : 0;
done:
	if (r < 0) {
		mg_doc_free(*out);
		*out = NULL;
	}
	return r;
}

static int add_product(run *rn, mg_product **out)
{
	mg_catalogue *cat = rn->cat;
	/* products grow by doubling; capacity is kept in the unused tail */
	size_t n = cat->nproducts;
	if ((n & (n - 1)) == 0 && n >= 16) {
		mg_product *p = realloc(cat->products, 2 * n * sizeof *p);
		if (!p)
			return mg_oom();
		cat->products = p;
	} else if (n == 0) {
		if (!(cat->products = malloc(16 * sizeof *cat->products)))
			return mg_oom();
	}
	*out = &cat->products[cat->nproducts++];
	memset(*out, 0, sizeof **out);
	return 0;
}

static int load_product(run *rn, const char *env, const char *folder)
{
	entries es;
	mg_product *p = NULL;
	mg_doc *docs[MG_FILE__COUNT] = { 0 };
	mg_buf path = MG_BUF_INIT;
	int r;
	if ((r = list(rn, folder, &es)) < 0)
		return r;
	if ((r = add_product(rn, &p)) < 0)
		goto done;
	if (!(p->environment = mg_arena_strdup(&rn->cat->arena, env)) ||
	    !(p->folder = mg_arena_strdup(&rn->cat->arena, folder))) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < es.n; i++) {
		mg_file_kind k;
		const char *fp = join(&path, folder, es.items[i].name);
		if (!fp) {
			r = mg_oom();
			goto done;
		}
		if (mg_file_kind_from_name(&k, es.items[i].name) < 0) {
			if (es.items[i].type == MG_ENTRY_SYMLINK || es.items[i].type == MG_ENTRY_SUBMODULE ||
			    es.items[i].type == MG_ENTRY_OTHER)
				r = not_a_file(rn, fp, es.items[i].type, "only files and folders in a catalogue");
			if (r < 0)
				goto done;
			continue; /* other entries: classify_product_entries */
		}
		if (es.items[i].type != MG_ENTRY_FILE) {
			if ((r = not_a_file(rn, fp, es.items[i].type, "a regular file")) < 0)
				goto done;
			continue;
		}
		if (p->files[k]) {
			r = mg_findings_add(rn->f, fp, 0, 0, MG_RULE_DUPLICATE_FILE,
					    "'%s' and '%s' are two spellings of the same file; keep one",
					    p->files[k], fp);
			if (r < 0)
				goto done;
			continue;
		}
		if (!(p->files[k] = mg_arena_strdup(&rn->cat->arena, fp))) {
			r = mg_oom();
			goto done;
		}
	}
	if ((r = classify_product_entries(rn, &es, folder, p, rn->f)) < 0)
		goto done;
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		if (!p->files[k]) {
			if (mg_file_kind_required((mg_file_kind)k) &&
			    (r = mg_findings_add(rn->f, folder, 0, 0, MG_RULE_MISSING_FILE,
						 "product folder has no %s.json (or .yaml/.yml)",
						 mg_file_kind_stem((mg_file_kind)k))) < 0)
				goto done;
			continue;
		}
		if ((r = load_file(rn, p->files[k], (mg_file_kind)k, &docs[k])) < 0)
			goto done;
	}
	r = mg_model_build_product(rn->cat, p, docs);
	memset(docs, 0, sizeof docs); /* owned by the catalogue now, also on error */
done:
	for (int k = 0; k < MG_FILE__COUNT; k++)
		mg_doc_free(docs[k]);
	mg_buf_release(&path);
	entries_release(&es);
	return r;
}

/* ---- product folders on several threads ----
 *
 * Reading stays on the calling thread (sources are not shared between
 * threads); parsing and the schema, most of a validation, run on up to
 * MESHGATE_JOBS threads, a chunk of products at a time; the models are
 * built and the findings appended in discovery order afterwards, so the
 * output is the single-threaded one byte for byte.  Each file's findings
 * are kept apart until then, in the order the sequential load adds them.
 */

#define CHUNK 64

typedef struct {
	bool product;  /* false: an entry that only has a finding (head) */
	size_t idx;    /* the product's index in cat->products */
	mg_findings head; /* listing findings */
	mg_findings kf[MG_FILE__COUNT]; /* per file: missing or unreadable, parse, schema */
	mg_buf data[MG_FILE__COUNT];
	bool read[MG_FILE__COUNT];
	mg_doc *docs[MG_FILE__COUNT];
	int r;         /* a worker's error, with its message */
	char err[512];
} ptask;

typedef struct {
	run *rn;
	ptask *tasks;
	size_t n;
	atomic_size_t next;
	const mg_schema *schemas[MG_FILE__COUNT];
} pchunk;

static long jobs_wanted(void)
{
	const char *e = getenv("MESHGATE_JOBS");
	long n;
	if (e && *e) {
		char *end;
		n = strtol(e, &end, 10);
		if (*end || n < 1)
			n = 1;
	} else {
		n = sysconf(_SC_NPROCESSORS_ONLN);
	}
	return n < 1 ? 1 : n > 8 ? 8 : n;
}

static void task_init(ptask *t, const mg_findings *like)
{
	memset(t, 0, sizeof *t);
	mg_findings_init(&t->head);
	if (like)
		memcpy(t->head.severity, like->severity, sizeof t->head.severity);
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		t->kf[k] = t->head;
		t->data[k] = (mg_buf)MG_BUF_INIT;
	}
}

static void task_release(ptask *t)
{
	mg_findings_release(&t->head);
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		mg_findings_release(&t->kf[k]);
		mg_buf_release(&t->data[k]);
		mg_doc_free(t->docs[k]);
	}
}

/* Moves every finding of from to the end of to (which may be NULL: dropped). */
static int findings_move(mg_findings *to, mg_findings *from)
{
	if (to && from->count) {
		if (to->cap - to->count < from->count) {
			size_t cap = to->count + from->count;
			mg_finding *v = realloc(to->items, cap * sizeof *v);
			if (!v)
				return mg_oom();
			to->items = v;
			to->cap = cap;
		}
		memcpy(to->items + to->count, from->items, from->count * sizeof *from->items);
		to->count += from->count;
		from->count = 0;
	}
	mg_findings_release(from);
	return 0;
}

/* The calling thread's half of load_product: the listing and the reads. */
static int prepare_product(run *rn, ptask *t, const char *env, const char *folder)
{
	entries es;
	mg_product *p = NULL;
	mg_buf path = MG_BUF_INIT;
	mg_findings *hf = rn->f ? &t->head : NULL;
	int r;
	if ((r = list(rn, folder, &es)) < 0)
		return r;
	if ((r = add_product(rn, &p)) < 0)
		goto done;
	t->product = true;
	t->idx = rn->cat->nproducts - 1;
	if (!(p->environment = mg_arena_strdup(&rn->cat->arena, env)) ||
	    !(p->folder = mg_arena_strdup(&rn->cat->arena, folder))) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < es.n; i++) {
		mg_file_kind k;
		const char *fp = join(&path, folder, es.items[i].name);
		if (!fp) {
			r = mg_oom();
			goto done;
		}
		if (mg_file_kind_from_name(&k, es.items[i].name) < 0) {
			if (es.items[i].type == MG_ENTRY_SYMLINK || es.items[i].type == MG_ENTRY_SUBMODULE ||
			    es.items[i].type == MG_ENTRY_OTHER)
				r = mg_findings_add(hf, fp, 0, 0, MG_RULE_NOT_A_FILE, "'%s' is %s; expected %s", fp,
						    type_words(es.items[i].type), "only files and folders in a catalogue");
			if (r < 0)
				goto done;
			continue;
		}
		if (es.items[i].type != MG_ENTRY_FILE) {
			if ((r = mg_findings_add(hf, fp, 0, 0, MG_RULE_NOT_A_FILE, "'%s' is %s; expected %s", fp,
						 type_words(es.items[i].type), "a regular file")) < 0)
				goto done;
			continue;
		}
		if (p->files[k]) {
			r = mg_findings_add(hf, fp, 0, 0, MG_RULE_DUPLICATE_FILE,
					    "'%s' and '%s' are two spellings of the same file; keep one",
					    p->files[k], fp);
			if (r < 0)
				goto done;
			continue;
		}
		if (!(p->files[k] = mg_arena_strdup(&rn->cat->arena, fp))) {
			r = mg_oom();
			goto done;
		}
	}
	if ((r = classify_product_entries(rn, &es, folder, p, hf)) < 0)
		goto done;
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		mg_findings *kf = rn->f ? &t->kf[k] : NULL;
		const char *fp = p->files[k];
		if (!fp) {
			if (mg_file_kind_required((mg_file_kind)k) &&
			    (r = mg_findings_add(kf, folder, 0, 0, MG_RULE_MISSING_FILE,
						 "product folder has no %s.json (or .yaml/.yml)",
						 mg_file_kind_stem((mg_file_kind)k))) < 0)
				goto done;
			continue;
		}
		r = rn->src->read(rn->src, fp, &t->data[k], policy(rn)->limits.max_bytes);
		if (r == MG_ETOOBIG)
			r = mg_findings_add(kf, fp, 1, 1, MG_RULE_PARSE, "%s", mg_error_last());
		else if (r == MG_EINVALID || r == MG_ENOTFOUND)
			r = mg_findings_add(kf, fp, 0, 0, MG_RULE_NOT_A_FILE, "%s", mg_error_last());
		else if (r == 0) {
			rn->cat->nfiles++;
			t->read[k] = true;
		}
		if (r < 0)
			goto done;
	}
done:
	mg_buf_release(&path);
	entries_release(&es);
	return r;
}

/* A worker's half: parse and schema of one product's files read. */
static int parse_product(pchunk *c, ptask *t)
{
	run *rn = c->rn;
	const mg_product *p = &rn->cat->products[t->idx];
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		if (!t->read[k])
			continue;
		mg_findings *kf = rn->f ? &t->kf[k] : NULL;
		int r = mg_doc_parse(&t->docs[k], p->files[k], t->data[k].ptr, t->data[k].len, &policy(rn)->limits, kf);
		mg_buf_release(&t->data[k]);
		if (r == MG_EPARSE)
			continue;
		if (r < 0)
			return r;
		if (rn->no_schema)
			continue;
		r = mg_schema_validate(c->schemas[k], t->docs[k]->root, p->files[k], kf);
		if (r < 0) {
			mg_doc_free(t->docs[k]);
			t->docs[k] = NULL;
			return r;
		}
	}
	return 0;
}

static void *parse_worker(void *arg)
{
	pchunk *c = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&c->next, 1);
		if (i >= c->n)
			break;
		ptask *t = &c->tasks[i];
		if (t->product && (t->r = parse_product(c, t)) < 0)
			snprintf(t->err, sizeof t->err, "%s", mg_error_last());
	}
	return NULL;
}

static void *parse_thread(void *arg)
{
	parse_worker(arg);
	mg_schema_thread_release(); /* this thread's regex scratch */
	return NULL;
}

/* Parses the chunk's products on the threads, then builds their models and appends findings in order. */
static int finish_chunk(run *rn, ptask *tasks, size_t n, long jobs, int first_err)
{
	pchunk c = { .rn = rn, .tasks = tasks, .n = n };
	pthread_t th[8];
	long started = 0;
	int r = 0;
	atomic_init(&c.next, 0);
	for (int k = 0; k < MG_FILE__COUNT && !rn->no_schema; k++)
		if ((r = run_schema(rn, (mg_file_kind)k, &c.schemas[k])) < 0)
			goto done;
	for (long j = 1; j < jobs && (size_t)j < n; j++) {
		if (pthread_create(&th[started], NULL, parse_thread, &c) != 0)
			break; /* fewer threads: the work is the same */
		started++;
	}
	parse_worker(&c);
	for (long j = 0; j < started; j++)
		pthread_join(th[j], NULL);
	for (size_t i = 0; i < n && r == 0; i++) {
		ptask *t = &tasks[i];
		if ((r = findings_move(rn->f, &t->head)) < 0)
			break;
		for (int k = 0; k < MG_FILE__COUNT && r == 0; k++)
			r = findings_move(rn->f, &t->kf[k]);
		if (r < 0)
			break;
		if (t->r < 0) {
			mg_error_set("%s", t->err);
			r = t->r;
			break;
		}
		if (t->product) {
			r = mg_model_build_product(rn->cat, &rn->cat->products[t->idx], t->docs);
			memset(t->docs, 0, sizeof t->docs); /* the catalogue's now, also on error */
		}
	}
done:
	for (size_t i = 0; i < n; i++)
		task_release(&tasks[i]);
	return r < 0 ? r : first_err;
}

/*
 * What load_environment and mg_load_products give it: product folders (and,
 * from an environment's listing, other entries that are findings), loaded
 * as load_product would one by one.  skip_missing: a folder this source
 * lacks is skipped (mg_load_products), else its error stops the run.
 */
typedef struct {
	run *rn;
	long jobs;
	ptask *tasks;
	size_t n;
	bool skip_missing;
	int err;
} ploader;

static int ploader_flush(ploader *pl)
{
	int r = finish_chunk(pl->rn, pl->tasks, pl->n, pl->jobs, pl->err);
	pl->n = 0;
	pl->err = 0;
	return r;
}

static int ploader_product(ploader *pl, const char *env, const char *folder)
{
	ptask *t = &pl->tasks[pl->n];
	task_init(t, pl->rn->f);
	pl->n++;
	int r = prepare_product(pl->rn, t, env, folder);
	if (r == MG_ENOTFOUND && pl->skip_missing && !t->product) {
		mg_error_clear();
		r = 0;
	}
	if (r < 0) {
		/* what came before still counts; this product stops the run as it would alone */
		char msg[512];
		t->product = false;
		snprintf(msg, sizeof msg, "%s", mg_error_last());
		pl->err = r;
		int e = ploader_flush(pl);
		if (e == r)
			mg_error_set("%s", msg);
		return e;
	}
	return pl->n == CHUNK ? ploader_flush(pl) : 0;
}

static int ploader_not_a_file(ploader *pl, const char *path, mg_entry_type type, const char *expected)
{
	ptask *t = &pl->tasks[pl->n];
	task_init(t, pl->rn->f);
	pl->n++;
	int r = mg_findings_add(pl->rn->f ? &t->head : NULL, path, 0, 0, MG_RULE_NOT_A_FILE, "'%s' is %s; expected %s",
				path, type_words(type), expected);
	if (r < 0) {
		pl->err = r;
		return ploader_flush(pl);
	}
	return pl->n == CHUNK ? ploader_flush(pl) : 0;
}

static int add_prod(run *rn, prod **out)
{
	if (rn->nprods == rn->capprods) {
		size_t cap = rn->capprods ? rn->capprods * 2 : 64;
		prod *p = realloc(rn->prods, cap * sizeof *p);
		if (!p)
			return mg_oom();
		rn->prods = p;
		rn->capprods = cap;
	}
	*out = &rn->prods[rn->nprods++];
	memset(*out, 0, sizeof **out);
	return 0;
}

static int cmp_folder(const void *key, const void *item)
{
	return strcmp(key, *(const char *const *)item);
}

/* Whether the caller wants this folder read in full whatever the cache holds (mg_validate_opts.fresh). */
static bool must_read(const run *rn, const char *folder)
{
	return rn->nfresh && bsearch(folder, rn->fresh, rn->nfresh, sizeof *rn->fresh, cmp_folder);
}

/* A product folder from the cache when its stamp is there, else read in full and noted for the cache. */
static int load_product_cached(run *rn, const char *env, const char *folder)
{
	mg_buf stamp = MG_BUF_INIT;
	mg_product q, *p;
	prod *pr = NULL;
	size_t nfiles = 0;
	uint64_t spent = 0;
	int r;
	if ((r = rn->src->stamp(rn->src, folder, &stamp)) < 0 || (r = add_prod(rn, &pr)) < 0)
		goto done;
	memset(&q, 0, sizeof q);
	q.environment = env;
	q.folder = folder;
	if (!must_read(rn, folder) && (r = mg_facts_lookup(rn->cache, stamp.ptr, stamp.len, rn->today, rn->cat, &q,
							   rn->f, &nfiles, &spent)) < 0)
		goto done;
	if (r == 1) {
		if ((r = add_product(rn, &p)) < 0)
			goto done;
		*p = q;
		if (!(p->environment = mg_arena_strdup(&rn->cat->arena, env)) ||
		    !(p->folder = mg_arena_strdup(&rn->cat->arena, folder))) {
			r = mg_oom();
			goto done;
		}
		rn->cat->nfiles += nfiles;
		pr->folder = p->folder;
		pr->rules.spent = spent;
		r = 0;
		goto done;
	}
	size_t nfiles0 = rn->cat->nfiles;
	pr->first = rn->f->count;
	if ((r = load_product(rn, env, folder)) < 0)
		goto done;
	pr->end = rn->f->count;
	pr->nfiles = rn->cat->nfiles - nfiles0;
	pr->folder = rn->cat->products[rn->cat->nproducts - 1].folder;
	pr->rules.fresh = true;
	pr->stamplen = stamp.len;
	pr->stamp = mg_buf_detach(&stamp, NULL);
done:
	mg_buf_release(&stamp);
	return r;
}

static int load_environment(run *rn, const char *root, const char *env)
{
	entries es;
	mg_buf dir = MG_BUF_INIT, sub = MG_BUF_INIT;
	bool listed = false;
	int r;
	if (!join(&dir, root, env))
		return mg_oom();
	if ((r = list(rn, dir.ptr, &es)) < 0)
		goto done;
	listed = true;
	long jobs = rn->cache ? 1 : jobs_wanted();
	if (jobs > 1) {
		ploader pl = { rn, jobs, malloc(CHUNK * sizeof(ptask)), 0, false, 0 };
		if (!pl.tasks) {
			r = mg_oom();
			entries_release(&es);
			goto done;
		}
		for (size_t i = 0; i < es.n && r >= 0; i++) {
			const char *fp = join(&sub, dir.ptr, es.items[i].name);
			if (!fp)
				r = mg_oom();
			else if (es.items[i].type == MG_ENTRY_DIR)
				r = ploader_product(&pl, env, fp);
			else if (es.items[i].type != MG_ENTRY_FILE)
				r = ploader_not_a_file(&pl, fp, es.items[i].type, "a product folder");
			else /* on this thread, between chunks: the workers never touch rn->f */
				r = mg_entries_file(policy(rn), MG_LEVEL_ENVIRONMENT, fp, es.items[i].name, NULL, rn->f);
		}
		if (pl.n) {
			int e = ploader_flush(&pl);
			r = r < 0 ? r : e;
		}
		free(pl.tasks);
		goto done;
	}
	for (size_t i = 0; i < es.n && r >= 0; i++) {
		const char *fp = join(&sub, dir.ptr, es.items[i].name);
		if (!fp)
			r = mg_oom();
		else if (es.items[i].type == MG_ENTRY_DIR)
			r = rn->cache ? load_product_cached(rn, env, fp) : load_product(rn, env, fp);
		else if (es.items[i].type != MG_ENTRY_FILE)
			r = not_a_file(rn, fp, es.items[i].type, "a product folder");
		else
			r = mg_entries_file(policy(rn), MG_LEVEL_ENVIRONMENT, fp, es.items[i].name, NULL, rn->f);
	}
done:
	if (r >= 0 && listed) {
		size_t folders = 0;
		bool gitkeep = false;
		for (size_t i = 0; i < es.n; i++) {
			folders += es.items[i].type == MG_ENTRY_DIR;
			gitkeep |= es.items[i].type == MG_ENTRY_FILE && strcmp(es.items[i].name, ".gitkeep") == 0;
		}
		r = mg_entries_environment(dir.ptr, folders, gitkeep, rn->f);
	}
	entries_release(&es);
	mg_buf_release(&dir);
	mg_buf_release(&sub);
	return r;
}

static int load_config(run *rn)
{
	static const char *const names[] = { "meshgate.yaml", "meshgate.yml", "meshgate.json" };
	int r;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		mg_buf_clear(&rn->data);
		r = rn->src->read(rn->src, names[i], &rn->data, rn->cfg->limits.max_bytes);
		if (r == MG_ENOTFOUND)
			continue;
		if (r == MG_ETOOBIG || r == MG_EINVALID)
			return mg_findings_add(rn->f, names[i], 1, 1, MG_RULE_CONFIG, "%s", mg_error_last());
		if (r < 0)
			return r;
		return mg_config_parse(rn->cfg, names[i], rn->data.ptr, rn->data.len, rn->f);
	}
	return 0;
}

/* ---- suppressions ---- */

/* The entry of meshgate.yaml a suppression of the policy is reported at: its twin in `shown`, if any. */
static const mg_suppression *shown_as(const mg_config *shown, const mg_suppression *s)
{
	if (!shown)
		return s;
	for (size_t i = 0; i < shown->nsuppressions; i++)
		if (shown->suppressions[i].rule == s->rule && strcmp(shown->suppressions[i].path_glob, s->path_glob) == 0)
			return &shown->suppressions[i];
	return NULL;
}

int mg_suppressions_apply(mg_config *policy, const mg_config *shown, mg_findings *f)
{
	size_t kept = 0;
	int r;
	if (!policy->nsuppressions)
		return 0;
	for (size_t j = 0; j < policy->nsuppressions; j++)
		policy->suppressions[j].hits = 0;
	for (size_t i = 0; i < f->count; i++) {
		mg_finding *x = &f->items[i];
		int hit = 0;
		for (size_t j = 0; j < policy->nsuppressions; j++) {
			mg_suppression *s = &policy->suppressions[j];
			if (mg_suppression_matches(s, x)) {
				s->hits++;
				hit = 1;
			}
		}
		if (hit) {
			free(x->path);
			free(x->message);
		} else {
			f->items[kept++] = *x;
		}
	}
	f->count = kept;
	for (size_t j = 0; j < policy->nsuppressions; j++) {
		const mg_suppression *s = &policy->suppressions[j], *at = shown_as(shown, s);
		if (s->hits == 0 && at &&
		    (r = mg_findings_add(f, at->at.file, at->at.line, at->at.col, MG_RULE_UNUSED_SUPPRESSION,
					 "suppression of '%s' for '%s' matches no finding; remove it",
					 mg_rule_id(s->rule), s->path_glob)) < 0)
			return r;
	}
	return 0;
}

static void today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int cmp_products(const void *a, const void *b)
{
	return strcmp(((const mg_product *)a)->folder, ((const mg_product *)b)->folder);
}

static int cmp_prods(const void *a, const void *b)
{
	return strcmp(((const prod *)a)->folder, ((const prod *)b)->folder);
}

/* Whether a product's own findings depend on the date: a clearance with an expiry. */
static bool dated(const mg_product *p)
{
	for (size_t i = 0; i < p->nconsumers; i++)
		for (int k = 0; k < MG_CLEAR__COUNT; k++)
			if (p->consumers[i].access[k].present && p->consumers[i].access[k].expires)
				return true;
	return false;
}

/* Opens the cache when the source keeps one, keyed by the config's stamp and the catalogue root. */
static int open_cache(run *rn)
{
	static const char *const names[] = { "meshgate.yaml", "meshgate.yml", "meshgate.json" };
	mg_buf key = MG_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < sizeof names / sizeof *names && r >= 0; i++)
		if ((r = mg_buf_addf(&key, "%s\n", names[i]) < 0 ? mg_oom() : 0) == 0)
			r = rn->src->stamp(rn->src, names[i], &key);
	if (r >= 0 && mg_buf_add(&key, rn->cat->root, strlen(rn->cat->root) + 1) < 0)
		r = mg_oom();
	if (r >= 0 && rn->pol)
		r = mg_config_policy_key(rn->pol, &key);
	if (r >= 0)
		r = mg_facts_open(&rn->cache, rn->src->cache_dir, key.ptr, key.len, rn->cat);
	mg_buf_release(&key);
	return r;
}

/* After the rules: the fresh products whose findings did not depend on the suggestion budget go to the cache. */
static int record_fresh(run *rn)
{
	for (size_t i = 0; i < rn->nprods; i++) {
		const prod *pr = &rn->prods[i];
		const mg_product *p = &rn->cat->products[i];
		size_t first[2] = { pr->first, pr->rules.first }, end[2] = { pr->end, pr->rules.end };
		int r;
		if (!pr->rules.fresh || !pr->rules.clean)
			continue;
		if ((r = mg_facts_record(rn->cache, pr->stamp, pr->stamplen, dated(p) ? rn->today : NULL, p,
					 rn->f, first, end, 2, pr->nfiles, pr->rules.spent)) < 0)
			return r;
	}
	return 0;
}

static int validate(mg_source *src, const mg_validate_opts *opts, const mg_config *pol, bool defer, bool cached,
		    mg_config *cfg, mg_catalogue *cat, mg_findings *findings);

/* A cached run the cache cannot finish (see mg_rules_run_partial): all again, without it. */
static int validate_again(run *rn, const mg_validate_opts *opts)
{
	mg_facts_free(rn->cache); /* its entries live in the catalogue's arena */
	rn->cache = NULL;
	mg_findings_release(rn->f);
	mg_findings_init(rn->f);
	mg_catalogue_release(rn->cat);
	mg_catalogue_init(rn->cat);
	mg_config_release(rn->cfg);
	mg_config_init(rn->cfg);
	return validate(rn->src, opts, rn->pol, rn->defer_suppressions, false, rn->cfg, rn->cat, rn->f);
}

static int validate(mg_source *src, const mg_validate_opts *opts, const mg_config *pol, bool defer, bool cached,
		    mg_config *cfg, mg_catalogue *cat, mg_findings *findings)
{
	run rn = { .src = src, .cfg = cfg, .pol = pol, .defer_suppressions = defer, .cat = cat, .f = findings,
		   .path = MG_BUF_INIT, .data = MG_BUF_INIT };
	mg_rules_product_run *runs = NULL;
	mg_pii_matcher *pii = NULL;
	entries envs = { 0 };
	mg_buf dir = MG_BUF_INIT;
	char today[11];
	int r;
	if (!opts || !opts->today)
		today_utc(today);
	rn.today = opts && opts->today ? opts->today : today;
	if (opts) {
		rn.fresh = opts->fresh;
		rn.nfresh = opts->nfresh;
	}
	if ((r = load_config(&rn)) < 0)
		goto done;
	mg_config_apply_severities(policy(&rn), findings);
	const char *root = opts && opts->catalogue ? opts->catalogue : cfg->catalogue;
	size_t rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	if (!(cat->root = mg_arena_strndup(&cat->arena, root, rootlen))) {
		r = mg_oom();
		goto done;
	}
	if (strcmp(cat->root, ".") == 0)
		cat->root = "";
	if (cached && src->stamp && src->cache_dir && (r = open_cache(&rn)) < 0)
		goto done;
	r = list(&rn, cat->root, &envs);
	if (r == MG_ENOTFOUND) {
		mg_error_set("catalogue '%s' not found in the %s", *cat->root ? cat->root : ".", src->name);
		goto done;
	}
	if (r < 0)
		goto done;
	for (size_t i = 0; i < envs.n && r >= 0; i++) {
		if (envs.items[i].type == MG_ENTRY_DIR && envs.items[i].name[0] != '.') {
			r = load_environment(&rn, cat->root, envs.items[i].name);
		} else if (envs.items[i].type == MG_ENTRY_DIR && !*cat->root) {
			continue; /* the repository's own: .git, .github, the state folder */
		} else if (!join(&dir, cat->root, envs.items[i].name)) {
			r = mg_oom();
		} else if (envs.items[i].type == MG_ENTRY_DIR) {
			r = mg_entries_hidden_folder(policy(&rn), dir.ptr, envs.items[i].name, findings);
		} else if (envs.items[i].type != MG_ENTRY_FILE) {
			r = not_a_file(&rn, dir.ptr, envs.items[i].type, "an environment folder");
		} else {
			r = mg_entries_file(policy(&rn), MG_LEVEL_ROOT, dir.ptr, envs.items[i].name, NULL, findings);
		}
	}
	if (r < 0)
		goto done;
	if (cat->nproducts > 1)
		mg_sort(cat->products, cat->nproducts, sizeof *cat->products, cmp_products);
	if (rn.cache && rn.nprods > 1)
		mg_sort(rn.prods, rn.nprods, sizeof *rn.prods, cmp_prods);
	mg_rules_ctx ctx = { policy(&rn), NULL, rn.today };
	if ((r = mg_pii_matcher_new(&pii, policy(&rn))) < 0)
		goto done;
	ctx.pii = pii;
	if (rn.cache) {
		if (!(runs = malloc((rn.nprods ? rn.nprods : 1) * sizeof *runs))) {
			r = mg_oom();
			goto done;
		}
		for (size_t i = 0; i < rn.nprods; i++)
			runs[i] = rn.prods[i].rules;
		if ((r = mg_rules_run_partial(cat, &ctx, runs, findings)) == 1) {
			r = validate_again(&rn, opts);
			goto done;
		}
		for (size_t i = 0; r == 0 && i < rn.nprods; i++)
			rn.prods[i].rules = runs[i];
		if (r == 0)
			r = record_fresh(&rn);
	} else {
		r = mg_rules_run(cat, &ctx, findings);
	}
	if (r < 0)
		goto done;
	if (!defer && (r = mg_suppressions_apply(cfg, NULL, findings)) < 0)
		goto done;
	mg_findings_sort(findings);
	if (rn.cache)
		(void)mg_facts_save(rn.cache); /* only a cache: the next run re-reads what it lacks */
	r = 0;
done:
	mg_schema_set_free(rn.own);
	mg_facts_free(rn.cache);
	for (size_t i = 0; i < rn.nprods; i++)
		free(rn.prods[i].stamp);
	free(rn.prods);
	free(runs);
	mg_pii_matcher_free(pii);
	entries_release(&envs);
	mg_buf_release(&dir);
	mg_buf_release(&rn.path);
	mg_buf_release(&rn.data);
	return r;
}

int mg_validate(mg_source *src, const mg_validate_opts *opts, mg_config *cfg, mg_catalogue *cat,
		mg_findings *findings)
{
	return validate(src, opts, NULL, false, false, cfg, cat, findings);
}

int mg_validate_cached(mg_source *src, const mg_validate_opts *opts, mg_config *cfg, mg_catalogue *cat,
		       mg_findings *findings)
{
	return validate(src, opts, NULL, false, true, cfg, cat, findings);
}

int mg_validate_judged(mg_source *src, const mg_validate_opts *opts, const mg_config *policy, bool cached,
		       mg_config *cfg, mg_catalogue *cat, mg_findings *findings)
{
	return validate(src, opts, policy, true, cached, cfg, cat, findings);
}

int mg_load_products(mg_source *src, mg_config *cfg, const char *const *folders, size_t n, mg_catalogue *cat,
		     mg_findings *findings)
{
	mg_findings scratch;
	run rn = { .src = src, .cfg = cfg, .cat = cat, .f = findings, .path = MG_BUF_INIT, .data = MG_BUF_INIT,
		   .no_schema = findings == NULL };
	int r = 0;
	mg_findings_init(&scratch);
	if (!findings)
		rn.f = &scratch;
	if (!cat->root && !(cat->root = mg_arena_strdup(&cat->arena, cfg->catalogue)))
		r = mg_oom();
	size_t rl = cat->root ? strlen(cat->root) : 0;
	long jobs = jobs_wanted();
	ploader pl = { &rn, jobs, NULL, 0, true, 0 };
	if (jobs > 1 && !(pl.tasks = malloc(CHUNK * sizeof(ptask))))
		r = mg_oom();
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *folder = folders[i];
		/* "<root>/<env>/<product>": the environment is the component after the root */
		if (rl && (strncmp(folder, cat->root, rl) != 0 || folder[rl] != '/'))
			continue;
		const char *env = folder + (rl ? rl + 1 : 0);
		const char *slash = strchr(env, '/');
		if (!slash)
			continue;
		char *envname = strndup(env, (size_t)(slash - env));
		if (!envname) {
			r = mg_oom();
			break;
		}
		if (jobs > 1) {
			r = ploader_product(&pl, envname, folder);
			free(envname);
			continue;
		}
		r = load_product(&rn, envname, folder);
		free(envname);
		if (r == MG_ENOTFOUND) { /* not in this commit (added or deleted): nothing was added */
			mg_error_clear();
			r = 0;
		}
	}
	if (pl.n) {
		int e = ploader_flush(&pl);
		r = r < 0 ? r : e;
	}
	free(pl.tasks);
	if (r == 0 && cat->nproducts > 1)
		mg_sort(cat->products, cat->nproducts, sizeof *cat->products, cmp_products);
	mg_findings_release(&scratch);
	mg_schema_set_free(rn.own);
	mg_buf_release(&rn.path);
	mg_buf_release(&rn.data);
	return r;
}

int mg_load_config(mg_source *src, mg_config *cfg, mg_findings *findings)
{
	mg_findings scratch;
	run rn = { .src = src, .cfg = cfg, .f = findings, .path = MG_BUF_INIT, .data = MG_BUF_INIT };
	mg_findings_init(&scratch);
	if (!findings)
		rn.f = &scratch;
	int r = load_config(&rn);
	mg_findings_release(&scratch);
	mg_buf_release(&rn.data);
	return r;
}

int mg_validate_commit(const char *repo_path, const char *rev, const mg_validate_opts *opts, mg_config *cfg,
		       mg_catalogue *cat, mg_findings *findings)
{
	mg_source *src = NULL;
	int r = mg_source_git_rev_new(&src, repo_path, rev);
	if (r == 0)
		r = mg_validate(src, opts, cfg, cat, findings);
	mg_source_free(src);
	return r;
}
