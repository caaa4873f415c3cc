/*
 * repo.c - the per-command repository handles (see repo.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "meshgate/source.h"
#include "sources/repo.h"

#define REPOS_MAX 16
/* paths of a repository already open take a slot only while this many stay free */
#define ALIAS_RESERVE 6

static struct {
	char *asked;   /* the path a caller gave */
	char *gitdir;  /* what it resolved to (git_repository_path) */
	git_repository *repo;
} repos[REPOS_MAX];
static size_t nrepos;
static long opened;
static bool holds_init;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int open_new(git_repository **out, const char *p)
{
	int e = git_repository_open_ext(out, p, 0, NULL);
	if (e == GIT_ENOTFOUND) {
		mg_error_set("not a git repository: '%s'", p);
		return MG_ENOTFOUND;
	}
	if (e < 0) {
		const git_error *ge = git_error_last();
		mg_error_set("cannot open the git repository at '%s': %s", p, ge && ge->message ? ge->message : "libgit2 error");
		return MG_EIO;
	}
	opened++;
	return 0;
}

int mg_repo_get(git_repository **out, const char *path)
{
	const char *p = path && *path ? path : ".";
	int r = 0;
	*out = NULL;
	pthread_mutex_lock(&lock);
	if (!holds_init) {
		if (mg_git_init() < 0) {
			mg_error_set("cannot initialise libgit2");
			pthread_mutex_unlock(&lock);
			return MG_EIO;
		}
		holds_init = true;
	}
	for (size_t i = 0; i < nrepos; i++)
		if (strcmp(repos[i].asked, p) == 0) {
			*out = repos[i].repo;
			goto done;
		}
	/* another path of a repository already open: find its git dir without opening it */
	git_buf found = { 0 };
	if (git_repository_discover(&found, p, 0, NULL) == 0) {
		for (size_t i = 0; i < nrepos && !*out; i++)
			if (strcmp(repos[i].gitdir, found.ptr) == 0)
				*out = repos[i].repo;
	}
	git_buf_dispose(&found);
	if (!*out) {
		git_repository *repo = NULL;
		if ((r = open_new(&repo, p)) < 0)
			goto done;
		if (nrepos == REPOS_MAX) {
			git_repository_free(repo);
			mg_error_set("more than %d git repositories in one command", REPOS_MAX);
			r = MG_ETOOBIG;
			goto done;
		}
		char *a = strdup(p), *g = strdup(git_repository_path(repo));
		if (!a || !g) {
			free(a);
			free(g);
			git_repository_free(repo);
			r = mg_oom();
			goto done;
		}
		repos[nrepos].asked = a;
		repos[nrepos].gitdir = g;
		repos[nrepos++].repo = repo;
		*out = repo;
		goto done;
	}
	/* remember this spelling of the path too */
	if (nrepos < REPOS_MAX - ALIAS_RESERVE) {
		char *a = strdup(p), *g = strdup(git_repository_path(*out));
		if (a && g) {
			repos[nrepos].asked = a;
			repos[nrepos].gitdir = g;
			repos[nrepos++].repo = *out;
		} else {
			free(a);
			free(g);
		}
	}
done:
	pthread_mutex_unlock(&lock);
	return r;
}

void mg_repo_close_all(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nrepos; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= repos[k].repo == repos[i].repo;
		if (!dup)
			git_repository_free(repos[i].repo);
		free(repos[i].asked);
		free(repos[i].gitdir);
	}
	nrepos = 0;
	if (holds_init) {
		git_libgit2_shutdown();
		holds_init = false;
	}
	pthread_mutex_unlock(&lock);
}

int mg_repo_unknown_revision(git_repository *repo, const char *rev)
{
	const char *slash = strchr(rev, '/');
	char remote[256], key[300];
	size_t n = slash ? (size_t)(slash - rev) : 0;
	if (n && n < sizeof remote && slash[1]) {
		memcpy(remote, rev, n);
		remote[n] = '\0';
		/* a remote is configured with a url (asked of the configuration directly: git_remote_lookup's
		   regex search of it leaks in this libgit2) */
		git_config *cfg = NULL;
		git_config_entry *url = NULL;
		snprintf(key, sizeof key, "remote.%s.url", remote);
		bool known = repo && git_repository_config_snapshot(&cfg, repo) == 0 &&
			     git_config_get_entry(&url, cfg, key) == 0;
		git_config_entry_free(url);
		git_config_free(cfg);
		if (known) {
			mg_error_set("unknown revision '%s': this clone has no branch '%s' of the remote '%s' (a shallow or "
				     "one-branch checkout, as CI makes, has only the branch it built); fetch it first: "
				     "git fetch %s %s",
				     rev, slash + 1, remote, remote, slash + 1);
			return MG_ENOTFOUND;
		}
		git_error_clear();
	}
	mg_error_set("unknown revision '%s'", rev);
	return MG_ENOTFOUND;
}

long mg_repo_opened(void)
{
	return opened;
}
