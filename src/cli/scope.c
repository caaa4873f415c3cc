/*
 * scope.c - what `meshgate validate PATH` names (see cli/scope.h).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/scope.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/error.h"

void cli_scope_release(cli_scope *s)
{
	free(s->root);
	free(s->path);
	memset(s, 0, sizeof *s);
}

/* "./a//b/" -> "a/b" (in place); "." and "./" -> "". */
static void tidy(char *p)
{
	char *w = p;
	const char *r = p;
	while (*r) {
		if (r[0] == '.' && (r[1] == '/' || r[1] == '\0') && (r == p || r[-1] == '/')) {
			r += r[1] ? 2 : 1;
			continue;
		}
		if (r[0] == '/' && w > p && w[-1] == '/') {
			r++;
			continue;
		}
		*w++ = *r++;
	}
	while (w > p + 1 && w[-1] == '/')
		w--;
	*w = '\0';
}

static char *join(const char *a, const char *b)
{
	mg_buf x = MG_BUF_INIT;
	if ((*a ? mg_buf_addf(&x, "%s/%s", a, b) : mg_buf_adds(&x, b)) < 0) {
		mg_buf_release(&x);
		return NULL;
	}
	return mg_buf_detach(&x, NULL);
}

/* ---- looking at a folder through the source ---- */

typedef struct {
	bool product_files; /* the folder holds a file named like a product file */
	char **dirs;        /* its visible sub-folders */
	size_t ndirs;
	bool oom;
} listing;

static int on_entry(const mg_entry *e, void *ctx)
{
	listing *l = ctx;
	mg_file_kind k;
	if (e->type == MG_ENTRY_FILE && mg_file_kind_from_name(&k, e->name) == 0)
		l->product_files = true;
	if (e->type != MG_ENTRY_DIR || e->name[0] == '.')
		return 0;
	char **d = realloc(l->dirs, (l->ndirs + 1) * sizeof *d);
	if (!d || !(d[l->ndirs] = strdup(e->name))) {
		if (d)
			l->dirs = d;
		l->oom = true;
		return 1;
	}
	l->dirs = d;
	l->ndirs++;
	return 0;
}

static void listing_release(listing *l)
{
	for (size_t i = 0; i < l->ndirs; i++)
		free(l->dirs[i]);
	free(l->dirs);
	memset(l, 0, sizeof *l);
}

/* Lists dir; *found false when it is not a folder. */
static int list(mg_source *src, const char *dir, listing *l, bool *found)
{
	memset(l, 0, sizeof *l);
	int r = src->list(src, dir, on_entry, l);
	*found = r == 0;
	if (r == MG_ENOTFOUND) {
		mg_error_clear();
		return 0;
	}
	if (r == 0 && l->oom)
		r = mg_oom();
	return r;
}

/*
 * Where product files lie below dir: folders holding them directly at depth
 * 1 (dir is an environment folder) and at depth 2 (dir is a catalogue root).
 */
static int product_depths(mg_source *src, const char *dir, const listing *top, size_t *d1, size_t *d2)
{
	int r = 0;
	*d1 = *d2 = 0;
	for (size_t i = 0; r == 0 && i < top->ndirs; i++) {
		char *sub = join(dir, top->dirs[i]);
		listing l;
		bool found;
		if (!sub)
			return mg_oom();
		if ((r = list(src, sub, &l, &found)) == 0) {
			*d1 += l.product_files;
			for (size_t k = 0; r == 0 && k < l.ndirs; k++) {
				char *subsub = join(sub, l.dirs[k]);
				listing m;
				if (!subsub) {
					r = mg_oom();
					break;
				}
				if ((r = list(src, subsub, &m, &found)) == 0)
					*d2 += m.product_files;
				listing_release(&m);
				free(subsub);
			}
		}
		listing_release(&l);
		free(sub);
	}
	return r;
}

static bool exists_as_file(mg_source *src, const char *path)
{
	mg_buf b = MG_BUF_INIT;
	int r = src->read(src, path, &b, 1);
	mg_buf_release(&b);
	if (r < 0 && r != MG_ETOOBIG) {
		mg_error_clear();
		return false;
	}
	return true;
}

/* path below the configured catalogue (or equal to it): its remainder in *rest ("" when equal). */
static bool below(const char *path, const char *root, const char **rest)
{
	size_t n = strlen(root);
	if (!*root) {
		*rest = path;
		return true;
	}
	if (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return false;
	*rest = path[n] ? path + n + 1 : path + n;
	return true;
}

/* The configured catalogue as a path of the source, and path made relative to dir when it lies inside it. */
static char *inside_dir(const char *dir, const char *path)
{
	char rd[PATH_MAX], rp[PATH_MAX];
	if (!realpath(dir ? dir : ".", rd) || !realpath(path, rp))
		return NULL;
	size_t n = strlen(rd);
	if (strncmp(rp, rd, n) != 0 || (rp[n] != '/' && rp[n] != '\0'))
		return NULL;
	return strdup(rp[n] ? rp + n + 1 : "");
}

int cli_scope_resolve(cli_scope *out, mg_source *src, const char *dir, const char *catalogue, const char *path)
{
	memset(out, 0, sizeof *out);
	char *p = strdup(path ? path : catalogue), *cat = strdup(catalogue);
	const char *rest;
	listing l = { 0 };
	bool is_dir = false;
	int r = 0;
	if (!p || !cat) {
		r = mg_oom();
		goto done;
	}
	tidy(p);
	tidy(cat);
	if (!path || strcmp(p, cat) == 0)
		goto root;
	/* the work tree: an absolute path, or one through symbolic links, into the configured catalogue */
	if (dir) {
		char *rel = inside_dir(dir, p);
		if (rel) {
			tidy(rel);
			if (below(rel, cat, &rest)) {
				free(p);
				p = rel;
			} else {
				free(rel);
			}
		}
	}
	if ((r = list(src, p, &l, &is_dir)) < 0)
		goto done;
	if (!is_dir && !exists_as_file(src, p)) {
		mg_error_set(below(p, cat, &rest) ? "'%s' not found in the %s" : "catalogue '%s' not found in the %s", p,
			     src->name);
		r = MG_ENOTFOUND;
		goto done;
	}
	if (below(p, cat, &rest) && *rest) {
		/* inside the configured catalogue: <env>, <env>/<product>, or deeper */
		const char *slash = strchr(rest, '/');
		out->kind = !slash ? CLI_SCOPE_ENV : (!strchr(slash + 1, '/') && is_dir) ? CLI_SCOPE_PRODUCT
											 : CLI_SCOPE_ENTRY;
		out->root = cat;
		out->path = p;
		cat = p = NULL;
		goto done;
	}
	/* elsewhere: PATH must itself be a catalogue root */
	if (!is_dir) {
		mg_error_set("'%s' is not a catalogue root but a file outside the configured catalogue '%s'; "
			     "validate it from its repository (-C DIR), naming the file", p, cat);
		r = MG_EINVALID;
		goto done;
	}
	size_t d1, d2;
	if ((r = product_depths(src, p, &l, &d1, &d2)) < 0)
		goto done;
	if (l.product_files && !d1 && !d2) {
		mg_error_set("'%s' is not a catalogue root but a product folder, outside the configured catalogue '%s'; "
			     "validate it from its repository (-C DIR), or name its catalogue root", p, cat);
		r = MG_EINVALID;
	} else if (d1 > d2) {
		mg_error_set("'%s' is not a catalogue root but an environment folder, outside the configured catalogue "
			     "'%s'; validate it from its repository (-C DIR), or name its catalogue root", p, cat);
		r = MG_EINVALID;
	} else if (!d2) {
		mg_error_set("'%s' is not a catalogue root: it holds no <environment>/<product>/data-product.json "
			     "(or .yaml), so there is nothing to validate", p);
		r = MG_EINVALID;
	}
	if (r < 0)
		goto done;
root:
	out->kind = CLI_SCOPE_ROOT;
	out->root = p;
	p = NULL;
done:
	listing_release(&l);
	free(p);
	free(cat);
	return r;
}

void cli_scope_not_found(mg_source *src, const char *catalogue)
{
	char *c = strdup(catalogue), *was = strdup(mg_error_last());
	if (c && was) {
		tidy(c);
		if (!*c || !exists_as_file(src, c))
			mg_error_set("%s", was); /* looking cleared it */
		else
			mg_error_set("the catalogue '%s' is a file, not a folder: a catalogue is a folder of environments, "
				     "<catalogue>/<environment>/<product>/ (name yours with catalogue: in meshgate.yaml, or as PATH)",
				     c);
	}
	free(c);
	free(was);
}

static bool in_folder(const char *path, const char *folder)
{
	size_t n = strlen(folder);
	return strncmp(path, folder, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/*
 * Whether finding x concerns product p of the scope from elsewhere: a
 * global rule's finding that names p's folder, or p's name within p's
 * environment (duplicate-product, unknown-input, lineage-cycle).
 */
static bool names_product(const mg_finding *x, const mg_product *p, const char *root)
{
	if (strstr(x->message, p->folder))
		return true;
	if (!p->name || !p->environment)
		return false;
	char quoted[600], env[1200];
	snprintf(quoted, sizeof quoted, "'%s'", p->name);
	snprintf(env, sizeof env, "%s%s%s", root, *root ? "/" : "", p->environment);
	return strstr(x->message, quoted) && in_folder(x->path, env);
}

int cli_scope_narrow(const cli_scope *s, const mg_catalogue *cat, mg_findings *f, size_t *nproducts,
		     size_t *nfiles)
{
	*nproducts = cat->nproducts;
	*nfiles = cat->nfiles;
	if (s->kind == CLI_SCOPE_ROOT)
		return 0;
	*nproducts = *nfiles = 0;
	for (size_t i = 0; i < cat->nproducts; i++) {
		const mg_product *p = &cat->products[i];
		bool within = in_folder(p->folder, s->path), holds = in_folder(s->path, p->folder);
		if (!within && !holds)
			continue;
		(*nproducts)++;
		for (int k = 0; k < MG_FILE__COUNT; k++)
			*nfiles += p->files[k] && (within || strcmp(p->files[k], s->path) == 0);
	}
	size_t k = 0;
	for (size_t i = 0; i < f->count; i++) {
		mg_finding *x = &f->items[i];
		/* its own findings, an environment's entry findings about it, and meshgate.yaml's */
		bool keep = in_folder(x->path, s->path) || strncmp(x->path, "meshgate.", 9) == 0;
		for (size_t j = 0; !keep && s->kind != CLI_SCOPE_ENTRY && j < cat->nproducts; j++)
			keep = in_folder(cat->products[j].folder, s->path) &&
			       names_product(x, &cat->products[j], s->root);
		if (keep) {
			f->items[k++] = *x;
		} else {
			free(x->path);
			free(x->message);
		}
	}
	f->count = k;
	return 0;
}
