/*
 * site.c - building the site: load and validate the catalogue (work tree or
 * a commit), compute the desired grants with the access model plan uses,
 * give each product its findings, grants, score, lineage and last change,
 * then write the pages and the assets.
 */
#include "meshgate/sort.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshgate/embedded.h"
#include "meshgate/error.h"
#include "meshgate/validate.h"
#include "site/site_int.h"

/* ---- writing files ---- */

static int mkdirs(mg_buf *path)
{
	for (size_t i = 1; i < path->len; i++) {
		if (path->ptr[i] != '/')
			continue;
		path->ptr[i] = '\0';
		int bad = mkdir(path->ptr, 0777) < 0 && errno != EEXIST;
		path->ptr[i] = '/';
		if (bad) {
			mg_error_set("cannot create the folder of '%s': %s", path->ptr, strerror(errno));
			return MG_EIO;
		}
	}
	return 0;
}

int site_write(site *s, const char *rel, const mg_buf *content)
{
	mg_buf_clear(&s->path);
	if (mg_buf_addf(&s->path, "%s/%s", s->opts->out_dir, rel) < 0)
		return mg_oom();
	/* the folders once per folder, not per file: 10,000 pages share two */
	const char *slash = strrchr(s->path.ptr, '/');
	size_t dirlen = slash ? (size_t)(slash - s->path.ptr) : 0;
	if (dirlen != s->made.len || memcmp(s->made.ptr, s->path.ptr, dirlen) != 0) {
		int r = mkdirs(&s->path);
		if (r < 0)
			return r;
		mg_buf_clear(&s->made);
		if (mg_buf_add(&s->made, s->path.ptr, dirlen) < 0)
			return mg_oom();
	}
	/* one write(2) of the whole page, no stdio copy */
	int fd = open(s->path.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		mg_error_set("cannot write '%s': %s", s->path.ptr, strerror(errno));
		return MG_EIO;
	}
	bool bad = false;
	for (size_t at = 0; at < content->len && !bad;) {
		ssize_t n = write(fd, content->ptr + at, content->len - at);
		if (n < 0 && errno == EINTR)
			continue;
		bad = n <= 0;
		at += bad ? 0 : (size_t)n;
	}
	int err = bad ? errno : 0;
	if (close(fd) != 0 && !bad) {
		bad = true;
		err = errno;
	}
	if (bad) {
		mg_error_set("cannot write '%s': %s", s->path.ptr, err ? strerror(err) : "short write");
		return MG_EIO;
	}
	s->stats.files++;
	s->stats.bytes += content->len;
	return 0;
}

static int write_asset(site *s, const char *name)
{
	size_t len;
	const char *data = mg_embedded_find(name, &len);
	if (!data) {
		mg_error_set("site asset '%s' is not built in", name);
		return MG_ENOTFOUND;
	}
	mg_buf b = MG_BUF_INIT;
	char rel[64];
	snprintf(rel, sizeof rel, "assets/%s", name);
	int r = mg_buf_add(&b, data, len) < 0 ? mg_oom() : site_write(s, rel, &b);
	mg_buf_release(&b);
	return r;
}

/* ---- loading ---- */

static void site_init(site *s, const mg_site_opts *opts)
{
	memset(s, 0, sizeof *s);
	s->opts = opts;
	s->today = opts->today;
	s->title = opts->title && *opts->title ? opts->title : "Data products";
	mg_config_init(&s->cfg);
	mg_catalogue_init(&s->cat);
	mg_findings_init(&s->findings);
	mg_grant_set_init(&s->grants);
	mg_buf_init(&s->page);
	mg_buf_init(&s->path);
	mg_buf_init(&s->made);
	snprintf(s->origin, sizeof s->origin, "%s", opts->rev ? opts->rev : "the work tree");
}

static void site_release(site *s)
{
	for (size_t i = 0; i < s->nproducts; i++) {
		site_product *sp = &s->products[i];
		free(sp->href);
		free(sp->findings);
		free(sp->subject);
		free(sp->up);
		free(sp->down);
		free(sp->sources);
	}
	free(s->products);
	for (size_t i = 0; i < s->nenvs; i++)
		free(s->envs[i].href);
	free(s->envs);
	mg_grant_set_release(&s->grants);
	mg_findings_release(&s->findings);
	mg_catalogue_release(&s->cat);
	mg_config_release(&s->cfg);
	mg_buf_release(&s->page);
	mg_buf_release(&s->path);
	mg_buf_release(&s->made);
}

static int load(site *s)
{
	const mg_site_opts *o = s->opts;
	mg_validate_opts vo = { .today = s->today, .catalogue = o->catalogue };
	const char *dir = o->dir && *o->dir ? o->dir : ".";
	if (o->rev)
		return mg_validate_commit(dir, o->rev, &vo, &s->cfg, &s->cat, &s->findings);
	mg_source *src = NULL;
	int r = mg_source_dir_new(&src, dir);
	if (r == 0)
		r = mg_validate(src, &vo, &s->cfg, &s->cat, &s->findings);
	mg_source_free(src);
	return r;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int cmp_folder(const void *key, const void *elem)
{
	const site_product *sp = elem;
	return strcmp(key, sp->p->folder);
}

/* The product whose folder holds `path` (or is it), or NULL. */
static site_product *owner_of(site *s, const char *path, mg_buf *tmp)
{
	site_product *sp = mg_find(path, s->products, s->nproducts, sizeof *s->products, cmp_folder);
	if (sp)
		return sp;
	const char *slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	mg_buf_clear(tmp);
	if (mg_buf_add(tmp, path, (size_t)(slash - path)) < 0)
		return NULL;
	return mg_find(tmp->ptr, s->products, s->nproducts, sizeof *s->products, cmp_folder);
}

static int attach_findings(site *s)
{
	mg_buf tmp = MG_BUF_INIT;
	site_product **owner = calloc(s->findings.count + 1, sizeof *owner);
	if (!owner)
		return mg_oom();
	for (size_t i = 0; i < s->findings.count; i++) {
		const mg_finding *f = &s->findings.items[i];
		site_product *sp = owner_of(s, f->path, &tmp);
		owner[i] = sp;
		if (sp) {
			sp->nfindings++;
			sp->errors += f->severity == MG_SEV_ERROR;
			sp->warnings += f->severity == MG_SEV_WARNING;
		}
	}
	int r = 0;
	for (size_t i = 0; i < s->nproducts && r == 0; i++)
		if (s->products[i].nfindings &&
		    !(s->products[i].findings = malloc(s->products[i].nfindings * sizeof(mg_finding *))))
			r = mg_oom();
	for (size_t i = 0; i < s->nproducts; i++)
		s->products[i].nfindings = 0;
	for (size_t i = 0; r == 0 && i < s->findings.count; i++)
		if (owner[i])
			owner[i]->findings[owner[i]->nfindings++] = &s->findings.items[i];
	free(owner);
	mg_buf_release(&tmp);
	return r;
}

/* ---- (environment, product name) -> product, for the grants ---- */

static uint64_t hash2(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

static int attach_grants(site *s)
{
	size_t cap = 16;
	while (cap < s->nproducts * 2)
		cap *= 2;
	size_t *slot = malloc(cap * sizeof *slot);
	size_t *of = malloc((s->grants.count + 1) * sizeof *of);
	int r = 0;
	if (!slot || !of) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < cap; i++)
		slot[i] = SIZE_MAX;
	for (size_t i = 0; i < s->nproducts; i++) {
		const mg_product *p = s->products[i].p;
		if (!p->name)
			continue;
		size_t h = hash2(p->environment, p->name) & (cap - 1);
		bool dup = false;
		for (; slot[h] != SIZE_MAX && !dup; h = (h + 1) & (cap - 1)) {
			const mg_product *q = s->products[slot[h]].p;
			dup = strcmp(q->environment, p->environment) == 0 && strcmp(q->name, p->name) == 0;
		}
		if (!dup) /* a duplicate-product: its grants are merged into the first one's */
			slot[h] = i;
	}
	/* Each product's grants, in set order (principal, table), as one array of copies. */
	for (size_t g = 0; g < s->grants.count; g++) {
		const mg_grant *gr = &s->grants.items[g];
		size_t h = hash2(gr->environment, gr->product) & (cap - 1);
		of[g] = SIZE_MAX;
		for (; slot[h] != SIZE_MAX; h = (h + 1) & (cap - 1)) {
			const mg_product *q = s->products[slot[h]].p;
			if (strcmp(q->environment, gr->environment) == 0 && strcmp(q->name, gr->product) == 0) {
				of[g] = slot[h];
				s->products[slot[h]].ngrants++;
				break;
			}
		}
	}
	/* stable bucket order: a counting sort of the set's items by product */
	mg_grant *sorted = malloc((s->grants.count + 1) * sizeof *sorted);
	size_t *next = calloc(s->nproducts + 1, sizeof *next);
	if (!sorted || !next) {
		free(sorted);
		free(next);
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0, at = 0; i < s->nproducts; i++) {
		next[i] = at;
		at += s->products[i].ngrants;
	}
	size_t kept = 0;
	for (size_t g = 0; g < s->grants.count; g++)
		if (of[g] != SIZE_MAX) {
			sorted[next[of[g]]++] = s->grants.items[g];
			kept++;
		}
	free(s->grants.items);
	s->grants.items = sorted;
	s->grants.count = s->grants.cap = kept;
	for (size_t i = 0, at = 0; i < s->nproducts; i++) {
		s->products[i].grants = s->products[i].ngrants ? &sorted[at] : NULL;
		at += s->products[i].ngrants;
	}
	free(next);
done:
	free(slot);
	free(of);
	return r;
}

static int index_site(site *s)
{
	int r = 0;
	s->products = calloc(s->cat.nproducts + 1, sizeof *s->products);
	s->envs = calloc(s->cat.nproducts + 1, sizeof *s->envs);
	if (!s->products || !s->envs)
		return mg_oom();
	mg_buf b = MG_BUF_INIT;
	for (size_t i = 0; i < s->cat.nproducts && r == 0; i++) {
		const mg_product *p = &s->cat.products[i];
		site_product *sp = &s->products[s->nproducts++];
		sp->p = p;
		if (!s->nenvs || strcmp(s->envs[s->nenvs - 1].name, p->environment) != 0) {
			site_env *e = &s->envs[s->nenvs++];
			e->name = p->environment;
			e->first = i;
			mg_buf_clear(&b);
			r |= mg_buf_adds(&b, "lineage/");
			r |= site_segment(&b, p->environment);
			r |= mg_buf_adds(&b, ".html");
			if (r || !(e->href = strdup(b.ptr)))
				r = mg_oom();
		}
		s->envs[s->nenvs - 1].count++;
		mg_buf_clear(&b);
		r |= mg_buf_adds(&b, "products/");
		r |= site_segment(&b, p->environment);
		r |= mg_buf_addc(&b, '/');
		r |= site_segment(&b, base_name(p->folder));
		r |= mg_buf_adds(&b, ".html");
		if (r || !(sp->href = strdup(b.ptr)))
			r = mg_oom();
		for (size_t t = 0; t < p->ntables; t++) {
			const mg_table *tb = &p->tables[t];
			sp->vis[tb->visibility]++;
			for (size_t c = 0; c < tb->ncolumns; c++) {
				sp->pii += tb->columns[c].pii;
				sp->pci += tb->columns[c].pci;
			}
		}
	}
	mg_buf_release(&b);
	if (r == 0)
		r = attach_findings(s);
	if (r == 0)
		r = attach_grants(s);
	for (size_t i = 0; r == 0 && i < s->nproducts; i++) {
		site_product *sp = &s->products[i];
		mg_datsis_score(sp->p, sp->findings, sp->nfindings, s->today, &sp->score);
	}
	return r;
}

static int open_site(site *s)
{
	int r = load(s);
	if (r == 0) /* the access model, exactly as the planner computes a commit's desired state */
		r = mg_access_desired(&s->cat, s->today, NULL, NULL, &s->grants);
	if (r == 0)
		r = index_site(s);
	return r;
}

/* ---- scores ---- */

static int missing_json(mg_buf *b, const mg_datsis *d)
{
	int r = mg_buf_addc(b, '[');
	bool first = true;
	for (int k = 0; k < MG_DATSIS__COUNT; k++)
		if (!d->earned[k]) {
			r |= mg_buf_addf(b, "%s\"%s\"", first ? "" : ",", mg_datsis_id((mg_datsis_point)k));
			first = false;
		}
	return r | mg_buf_addc(b, ']');
}

static int scores_json(site *s, mg_buf *b)
{
	int r = mg_buf_addf(b, "{\"version\":1,\"max\":%d,\"today\":", MG_DATSIS__COUNT);
	r |= site_json_str(b, s->today);
	r |= mg_buf_adds(b, ",\"products\":[");
	for (size_t i = 0; i < s->nproducts; i++) {
		const site_product *sp = &s->products[i];
		r |= mg_buf_adds(b, i ? ",\n{\"environment\":" : "\n{\"environment\":");
		r |= site_json_str(b, sp->p->environment);
		r |= mg_buf_adds(b, ",\"folder\":");
		r |= site_json_str(b, sp->p->folder);
		r |= mg_buf_adds(b, ",\"name\":");
		r |= sp->p->name ? site_json_str(b, sp->p->name) : mg_buf_adds(b, "null");
		r |= mg_buf_addf(b, ",\"score\":%u,\"letters\":{\"D\":%u,\"A\":%u,\"T\":%u,\"S\":%u,\"I\":%u,\"Sec\":%u}"
				    ",\"missing\":",
				 sp->score.total, sp->score.letter[0], sp->score.letter[1], sp->score.letter[2],
				 sp->score.letter[3], sp->score.letter[4], sp->score.letter[5]);
		r |= missing_json(b, &sp->score);
		r |= mg_buf_addc(b, '}');
	}
	r |= mg_buf_adds(b, "\n]}\n");
	return r ? mg_oom() : 0;
}

int mg_site_scores(const mg_site_opts *opts, bool json, mg_buf *out, unsigned *lowest)
{
	site s;
	site_init(&s, opts);
	int r = open_site(&s);
	*lowest = MG_DATSIS__COUNT;
	for (size_t i = 0; r == 0 && i < s.nproducts; i++)
		if (s.products[i].score.total < *lowest)
			*lowest = s.products[i].score.total;
	if (r == 0 && json) {
		r = scores_json(&s, out);
	} else if (r == 0) {
		for (size_t i = 0; i < s.nproducts && r == 0; i++) {
			const site_product *sp = &s.products[i];
			r |= mg_buf_addf(out, "%2u/%d  %s/%s", sp->score.total, MG_DATSIS__COUNT, sp->p->environment,
					 base_name(sp->p->folder));
			bool first = true;
			for (int k = 0; k < MG_DATSIS__COUNT; k++)
				if (!sp->score.earned[k]) {
					r |= mg_buf_addf(out, "%s%s", first ? "  missing: " : " ",
							 mg_datsis_id((mg_datsis_point)k));
					first = false;
				}
			r |= mg_buf_addc(out, '\n');
			if (r)
				r = mg_oom();
		}
	}
	site_release(&s);
	return r;
}

int mg_site_build(const mg_site_opts *opts, mg_site_stats *stats)
{
	site s;
	site_init(&s, opts);
	if (!opts->out_dir || !*opts->out_dir) {
		mg_error_set("no output folder given");
		return MG_EINVALID;
	}
	int r = open_site(&s);
	if (r == 0)
		r = site_history(&s);
	if (r == 0)
		r = site_lineage_link(&s);
	if (r == 0)
		r = write_asset(&s, "site.css");
	if (r == 0)
		r = write_asset(&s, "site.js");
	if (r == 0)
		r = site_page_index(&s);
	for (size_t i = 0; r == 0 && i < s.nproducts; i++)
		r = site_page_product(&s, i);
	for (size_t i = 0; r == 0 && i < s.nenvs; i++)
		r = site_page_lineage(&s, i);
	if (r == 0) {
		mg_buf_clear(&s.page);
		r = scores_json(&s, &s.page);
		if (r == 0)
			r = site_write(&s, "scores.json", &s.page);
	}
	s.stats.products = s.nproducts;
	s.stats.environments = s.nenvs;
	s.stats.grants = s.grants.count;
	s.stats.findings = s.findings.count;
	if (stats)
		*stats = s.stats;
	site_release(&s);
	return r;
}
