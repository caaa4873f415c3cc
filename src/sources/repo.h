/*
 * repo.h - one repository handle per command (private to src/): every
 * libgit2 user asks mg_repo_get for the repository at a path instead of
 * opening it again.  The first ask opens it (and reads .git/config,
 * the refs and the pack indexes once); later asks for the same path, or
 * for another path inside the same repository, get the same handle.
 * Handles live until mg_repo_close_all, which the CLI calls when a command
 * ends.  The cache holds its own libgit2 initialisation, so handles stay
 * valid whatever init/shutdown pairs run meanwhile.
 */
#ifndef MESHGATE_SOURCES_REPO_H
#define MESHGATE_SOURCES_REPO_H

#include <git2.h>

/*
 * The repository at or above path (NULL or "": "."), borrowed: never
 * git_repository_free it.  MG_ENOTFOUND "not a git repository" or MG_EIO
 * with the message set.
 */
int mg_repo_get(git_repository **out, const char *path);

/*
 * Sets the message for a revision repo does not know and returns
 * MG_ENOTFOUND: "unknown revision 'REV'", and for a branch of a remote
 * ("origin/main") the fetch that brings it, since a shallow or one-branch
 * CI checkout has only the branch it built.
 */
int mg_repo_unknown_revision(git_repository *repo, const char *rev);

/* How many times this process opened a repository from disk (for tests). */
long mg_repo_opened(void);

#endif
