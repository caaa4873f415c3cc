/*
 * history.c - when each product last changed: the newest commit on the
 * first-parent history of the site's commit (or of HEAD for the work tree)
 * whose tree of the product's folder differs from its parent's.  A merge
 * dates what it brought in, as the protected branch saw it.
 *
 * Cheap on large catalogues: a commit whose catalogue tree equals its
 * parent's is skipped at once, then each environment's tree is compared
 * before its products are, and the walk stops when every product is dated
 * (or after MAX_COMMITS).  libgit2 stays inside this file.
 */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "meshgate/error.h"
#include "sources/repo.h"
#include "site/site_int.h"

#define MAX_COMMITS 20000

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	mg_error_set("%s: %s", what, e && e->message ? e->message : "libgit2 error");
	return MG_EIO;
}

/* The tree entry's id at path in tree, or false when absent. */
static bool id_at(git_tree *tree, const char *path, git_oid *out)
{
	git_tree_entry *e = NULL;
	if (!tree || git_tree_entry_bypath(&e, tree, path) != 0)
		return false;
	git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return true;
}

static git_tree *subtree(git_repository *repo, git_tree *tree, const char *path)
{
	git_oid id;
	git_tree *t = NULL;
	if (!id_at(tree, path, &id) || git_tree_lookup(&t, repo, &id) != 0)
		return NULL;
	return t;
}

static void day_of(git_time_t t, char out[11])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm))
		strftime(out, 11, "%Y-%m-%d", &tm);
	else
		out[0] = '\0';
}

static int date_product(site_product *sp, git_commit *c)
{
	git_oid_tostr(sp->commit, sizeof sp->commit, git_commit_id(c));
	day_of(git_commit_time(c), sp->date);
	const char *subject = git_commit_summary(c);
	if (!(sp->subject = strdup(subject ? subject : "")))
		return mg_oom();
	return 0;
}

/* The folder of a product within the commit's tree. */
static const char *in_tree(const site_product *sp)
{
	return sp->p->folder;
}

int site_history(site *s)
{
	const char *dir = s->opts->dir && *s->opts->dir ? s->opts->dir : ".";
	const char *rev = s->opts->rev ? s->opts->rev : "HEAD";
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_commit *start = NULL;
	git_revwalk *walk = NULL;
	char *pending = NULL;
	int r = 0;

	if (!s->opts->rev) {
		/* the work tree's folders are named relative to DIR: only a DIR at the top maps onto trees */
		mg_buf dotgit = MG_BUF_INIT;
		struct stat st;
		bool top = mg_buf_addf(&dotgit, "%s/.git", dir) == 0 && stat(dotgit.ptr, &st) == 0;
		mg_buf_release(&dotgit);
		if (!top || mg_repo_get(&repo, dir) != 0) {
			mg_error_clear();
			return 0; /* no history to show */
		}
	} else if (mg_repo_get(&repo, dir) != 0) {
		return MG_EIO; /* the message says why */
	}
	if (git_revparse_single(&obj, repo, rev) != 0 ||
	    git_object_peel((git_object **)&start, obj, GIT_OBJECT_COMMIT) != 0) {
		/* a tree-ish without a commit, or an unborn HEAD: nothing to date */
		if (s->opts->rev)
			snprintf(s->origin, sizeof s->origin, "%s", s->opts->rev);
		goto done;
	}
	char sha[13], day[11];
	git_oid_tostr(sha, sizeof sha, git_commit_id(start));
	day_of(git_commit_time(start), day);
	snprintf(s->origin, sizeof s->origin, "%s %s (%s)", s->opts->rev ? "commit" : "the work tree at HEAD", sha, day);

	size_t left = s->nproducts;
	if (!(pending = malloc(s->nproducts + 1)))
		goto oom;
	memset(pending, 1, s->nproducts + 1);
	if (git_revwalk_new(&walk, repo) != 0 || git_revwalk_push(walk, git_commit_id(start)) != 0)
		goto fail;
	git_revwalk_simplify_first_parent(walk);
	git_oid id;
	size_t seen = 0;
	const char *root = s->cat.root ? s->cat.root : "";
	while (left && seen++ < MAX_COMMITS && git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL, *parent = NULL;
		git_tree *ct = NULL, *pt = NULL;
		if (git_commit_lookup(&c, repo, &id) != 0 || git_commit_tree(&ct, c) != 0)
			goto fail_commit;
		if (git_commit_parentcount(c) > 0 &&
		    (git_commit_parent(&parent, c, 0) != 0 || git_commit_tree(&pt, parent) != 0))
			goto fail_commit;
		git_oid a, b;
		bool ha = id_at(ct, root, &a), hb = id_at(pt, root, &b);
		if (ha && hb && git_oid_equal(&a, &b))
			goto next; /* the catalogue did not change in this commit */
		for (size_t e = 0; e < s->nenvs && r == 0; e++) {
			const site_env *env = &s->envs[e];
			const char *folder0 = in_tree(&s->products[env->first]);
			const char *slash = strrchr(folder0, '/');
			size_t envlen = slash ? (size_t)(slash - folder0) : 0;
			char *envpath = strndup(folder0, envlen);
			if (!envpath)
				goto oom_commit;
			ha = id_at(ct, envpath, &a);
			hb = id_at(pt, envpath, &b);
			git_tree *cenv = NULL, *penv = NULL;
			if (!(ha && hb && git_oid_equal(&a, &b))) {
				cenv = subtree(repo, ct, envpath);
				penv = subtree(repo, pt, envpath);
				for (size_t i = env->first; i < env->first + env->count && r == 0; i++) {
					if (!pending[i])
						continue;
					const char *name = in_tree(&s->products[i]) + envlen + (slash ? 1 : 0);
					const git_tree_entry *x = cenv ? git_tree_entry_byname(cenv, name) : NULL;
					const git_tree_entry *y = penv ? git_tree_entry_byname(penv, name) : NULL;
					if (x && y && git_oid_equal(git_tree_entry_id(x), git_tree_entry_id(y)))
						continue;
					pending[i] = 0;
					left--;
					r = date_product(&s->products[i], c);
				}
			}
			git_tree_free(cenv);
			git_tree_free(penv);
			free(envpath);
		}
	next:
		git_tree_free(pt);
		git_tree_free(ct);
		git_commit_free(parent);
		git_commit_free(c);
		if (r < 0)
			goto done;
		continue;
	oom_commit:
		git_tree_free(pt);
		git_tree_free(ct);
		git_commit_free(parent);
		git_commit_free(c);
		goto oom;
	fail_commit:
		git_tree_free(pt);
		git_tree_free(ct);
		git_commit_free(parent);
		git_commit_free(c);
		goto fail;
	}
	goto done;
oom:
	r = mg_oom();
	goto done;
fail:
	r = git_fail("cannot read the history");
done:
	free(pending);
	git_revwalk_free(walk);
	git_commit_free(start);
	git_object_free(obj);
	return r;
}
