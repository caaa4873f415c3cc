/* changes.c - products changed between two commits (see meshgate/changes.h). */
#include "meshgate/sort.h"
#include "meshgate/changes.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshgate/buf.h"
#include "meshgate/error.h"
#include "sources/repo.h"
#include "meshgate/source.h"

void mg_changes_init(mg_changes *c)
{
	memset(c, 0, sizeof *c);
}

void mg_changes_release(mg_changes *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->folders[i]);
	free(c->folders);
	for (size_t i = 0; i < c->npaths; i++)
		free(c->paths[i]);
	free(c->paths);
	memset(c, 0, sizeof *c);
}

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	mg_error_set("%s: %s", what, e && e->message ? e->message : "libgit2 error");
	return MG_EIO;
}

static int open_repo(git_repository **repo, const char *path)
{
	return mg_repo_get(repo, path);
}

static int peel_tree(git_tree **tree, git_repository *repo, const char *rev)
{
	git_object *obj = NULL;
	if (git_revparse_single(&obj, repo, rev) < 0)
		return mg_repo_unknown_revision(repo, rev);
	int e = git_object_peel((git_object **)tree, obj, GIT_OBJECT_TREE);
	git_object_free(obj);
	if (e < 0) {
		mg_error_set("'%s' does not name a commit or tree", rev);
		return MG_EINVALID;
	}
	return 0;
}

static int is_config(const char *path)
{
	return strcmp(path, "meshgate.yaml") == 0 || strcmp(path, "meshgate.yml") == 0 ||
	       strcmp(path, "meshgate.json") == 0;
}

/* A changed path outside product folders: the entries pass reports such files, check keeps those findings. */
static int add_path(mg_changes *c, const char *path)
{
	char **p = realloc(c->paths, (c->npaths + 1) * sizeof *p);
	if (!p)
		return mg_oom();
	c->paths = p;
	if (!(c->paths[c->npaths] = strdup(path)))
		return mg_oom();
	c->npaths++;
	return 0;
}

static int add_folder(mg_changes *c, const char *path, const char *root)
{
	size_t rl = strlen(root);
	if (rl && (strncmp(path, root, rl) != 0 || path[rl] != '/'))
		return 0;
	const char *rest = path + (rl ? rl + 1 : 0);
	const char *s1 = strchr(rest, '/');
	if (!s1)
		return add_path(c, path); /* a file directly under the catalogue root */
	const char *s2 = strchr(s1 + 1, '/');
	size_t n = s2 ? (size_t)(s2 - path) : strlen(path);
	if (!s2)
		return add_path(c, path); /* a file directly under an environment */
	if (c->count && strlen(c->folders[c->count - 1]) == n && strncmp(c->folders[c->count - 1], path, n) == 0)
		return 0;
	char **f = realloc(c->folders, (c->count + 1) * sizeof *f);
	if (!f)
		return mg_oom();
	c->folders = f;
	if (!(c->folders[c->count] = strndup(path, n)))
		return mg_oom();
	c->count++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mg_changes_between(mg_changes *c, const char *repo_path, const char *from_rev, const char *to_rev,
		       const char *root)
{
	git_repository *repo = NULL;
	git_tree *from = NULL, *to = NULL;
	git_diff *diff = NULL;
	int r;
	mg_git_init();
	if (!from_rev || !*from_rev) {
		c->all = true;
		r = 0;
		goto done;
	}
	if ((r = open_repo(&repo, repo_path)) < 0 || (r = peel_tree(&from, repo, from_rev)) < 0 ||
	    (r = peel_tree(&to, repo, to_rev)) < 0)
		goto done;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	static char yaml[] = "meshgate.yaml", yml[] = "meshgate.yml", json[] = "meshgate.json";
	char *spec[4] = { NULL, yaml, yml, json };
	mg_buf prefix = MG_BUF_INIT;
	if (mg_buf_addf(&prefix, "%s/", root) < 0) {
		r = mg_oom();
		goto done;
	}
	spec[0] = prefix.ptr;
	opts.pathspec.strings = *root ? spec : NULL;
	opts.pathspec.count = *root ? 4 : 0;
	opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	int e = git_diff_tree_to_tree(&diff, repo, from, to, &opts);
	mg_buf_release(&prefix);
	if (e < 0) {
		r = git_fail("cannot diff the two commits");
		goto done;
	}
	size_t n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n && r == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *paths[2] = { d->old_file.path, d->new_file.path };
		for (int k = 0; k < 2 && r == 0; k++) {
			if (!paths[k])
				continue;
			if (is_config(paths[k])) {
				c->all = c->config_changed = true;
				continue;
			}
			r = add_folder(c, paths[k], root);
		}
	}
	if (r == 0 && c->count > 1) {
		mg_sort(c->folders, c->count, sizeof *c->folders, cmp_str);
		size_t k = 0;
		for (size_t i = 0; i < c->count; i++) {
			if (k && strcmp(c->folders[k - 1], c->folders[i]) == 0) {
				free(c->folders[i]);
				continue;
			}
			c->folders[k++] = c->folders[i];
		}
		c->count = k;
	}
	if (r == 0 && c->npaths > 1) {
		mg_sort(c->paths, c->npaths, sizeof *c->paths, cmp_str);
		size_t k = 0;
		for (size_t i = 0; i < c->npaths; i++) {
			if (k && strcmp(c->paths[k - 1], c->paths[i]) == 0) {
				free(c->paths[i]);
				continue;
			}
			c->paths[k++] = c->paths[i];
		}
		c->npaths = k;
	}
done:
	git_diff_free(diff);
	git_tree_free(from);
	git_tree_free(to);
	git_libgit2_shutdown();
	return r;
}

bool mg_changes_has(const mg_changes *c, const mg_product *p)
{
	if (c->all)
		return true;
	size_t lo = 0, hi = c->count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int k = strcmp(c->folders[mid], p->folder);
		if (k == 0)
			return true;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool mg_changes_filter(const mg_product *p, void *ctx)
{
	return mg_changes_has(ctx, p);
}

int mg_git_resolve_commit(char out[41], const char *repo_path, const char *rev)
{
	git_repository *repo = NULL;
	git_object *obj = NULL, *commit = NULL;
	int r;
	mg_git_init();
	if ((r = open_repo(&repo, repo_path)) < 0)
		goto done;
	if (git_revparse_single(&obj, repo, rev) < 0) {
		r = mg_repo_unknown_revision(repo, rev);
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		mg_error_set("'%s' does not name a commit", rev);
		r = MG_EINVALID;
		goto done;
	}
	git_oid_tostr(out, 41, git_object_id(commit));
	r = 0;
done:
	git_object_free(commit);
	git_object_free(obj);
	git_libgit2_shutdown();
	return r;
}

int mg_git_current_branch(char *out, size_t cap, const char *repo_path)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	int r;
	mg_git_init();
	out[0] = '\0';
	if ((r = open_repo(&repo, repo_path)) < 0)
		goto done;
	int e = git_repository_head(&head, repo);
	if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND) {
		r = 0;
		goto done;
	}
	if (e < 0) {
		r = git_fail("cannot read HEAD");
		goto done;
	}
	if (git_reference_is_branch(head))
		snprintf(out, cap, "%s", git_reference_shorthand(head));
	r = 0;
done:
	git_reference_free(head);
	git_libgit2_shutdown();
	return r;
}

int mg_git_toplevel(mg_buf *out, const char *repo_path)
{
	git_repository *repo = NULL;
	int r;
	mg_git_init();
	if ((r = open_repo(&repo, repo_path)) < 0)
		goto done;
	const char *wd = git_repository_workdir(repo);
	if (!wd) {
		mg_error_set("'%s' is a bare repository; meshgate needs a work tree here", repo_path ? repo_path : ".");
		r = MG_EINVALID;
		goto done;
	}
	size_t n = strlen(wd);
	while (n > 1 && wd[n - 1] == '/')
		n--;
	r = mg_buf_add(out, wd, n);
done:
	git_libgit2_shutdown();
	return r;
}

int mg_git_commit_date(char out[11], const char *repo_path, const char *rev)
{
	git_repository *repo = NULL;
	git_object *obj = NULL, *commit = NULL;
	int r;
	mg_git_init();
	if ((r = open_repo(&repo, repo_path)) < 0)
		goto done;
	if (git_revparse_single(&obj, repo, rev) < 0 || git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		r = mg_repo_unknown_revision(repo, rev);
		goto done;
	}
	time_t t = (time_t)git_commit_time((git_commit *)commit);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	r = 0;
done:
	git_object_free(commit);
	git_object_free(obj);
	git_libgit2_shutdown();
	return r;
}
