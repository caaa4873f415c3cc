/*
 * source.h - where catalogue files come from: the work tree, the index
 * (staged content) or any commit or tree of a git repository, all behind
 * one interface.  Nothing is ever checked out.
 *
 * Paths are repository-relative with '/' separators.  A source never
 * follows symlinks: it reports them as MG_ENTRY_SYMLINK.
 */
#ifndef MESHGATE_SOURCE_H
#define MESHGATE_SOURCE_H

#include <stddef.h>

#include "meshgate/buf.h"

typedef enum mg_entry_type {
	MG_ENTRY_FILE,
	MG_ENTRY_DIR,
	MG_ENTRY_SYMLINK,
	MG_ENTRY_SUBMODULE,
	MG_ENTRY_OTHER
} mg_entry_type;

typedef struct mg_entry {
	const char *name; /* base name, borrowed for the callback's duration */
	mg_entry_type type;
} mg_entry;

typedef struct mg_source mg_source;

/* Called per entry of a listed directory, in byte order of names.  Non-zero stops. */
typedef int (*mg_entry_cb)(const mg_entry *e, void *ctx);

struct mg_source {
	const char *name; /* "work tree", "index", "commit <sha>" */
	/* Lists `dir` ("" is the root).  MG_ENOTFOUND when dir does not exist. */
	int (*list)(mg_source *s, const char *dir, mg_entry_cb cb, void *ctx);
	/* Reads a regular file; MG_ETOOBIG past max (without reading it all), MG_ENOTFOUND. */
	int (*read)(mg_source *s, const char *path, mg_buf *out, size_t max);
	void (*free)(mg_source *s);
	/*
	 * Optional (NULL: the source cannot tell).  Appends to out a stamp of
	 * `path` and everything below it: equal stamps mean equal names, types
	 * and contents (for a git source: each path's name, mode, stage and
	 * blob id), so results derived from those files may be reused.  An
	 * absent path has an empty stamp.  0 or a negative error.
	 */
	int (*stamp)(mg_source *s, const char *path, mg_buf *out);
	/* A folder where caches about this source may be kept (it may not exist yet), or NULL. */
	const char *cache_dir;
};

/* A source over a directory of the file system (the work tree). */
int mg_source_dir_new(mg_source **out, const char *root);

/*
 * Sources over a git repository, read through libgit2.  repo_path is any
 * directory inside the work tree (or the git directory); the repository is
 * discovered upwards from it (NULL or "" is the current directory).  Paths
 * are relative to the repository's top level.  Only what is asked for is
 * read: listings come from the index or from trees, and a file's size is
 * checked before its blob is loaded.  On success *out is the caller's, to
 * free with mg_source_free().  Errors: MG_ENOTFOUND with "not a git
 * repository: '<path>'" or "unknown revision '<rev>'", MG_EINVALID, MG_EIO.
 */

/*
 * The index: what `git commit` would commit.  index_file names another
 * index file (as git's GIT_INDEX_FILE does; relative to the current
 * directory), or NULL for the repository's own.  The index is read once,
 * when the source is made.  Unmerged paths are listed as MG_ENTRY_OTHER.
 */
int mg_source_git_index_new(mg_source **out, const char *repo_path, const char *index_file);

/* The tree of rev, any commit-ish or tree-ish that `git rev-parse` accepts ("HEAD~1", "v1.0", a sha). */
int mg_source_git_rev_new(mg_source **out, const char *repo_path, const char *rev);

/*
 * Appends to out the directory git runs hooks from for the repository
 * around repo_path: core.hooksPath (a relative one is taken from the top of
 * the work tree, as git does) or the hooks/ folder of the common git
 * directory.  The directory may not exist yet.  0 or a negative error.
 */
int mg_git_hooks_dir(mg_buf *out, const char *repo_path);

void mg_source_free(mg_source *s);

/*
 * git_libgit2_init() plus the settings meshgate reads repositories with
 * (large trees cached, no re-hashing of every object read).  Pair each call
 * with git_libgit2_shutdown().  Returns libgit2's init count or an error.
 */
int mg_git_init(void);
/*
 * Closes the repositories this process opened (src/sources/repo.c keeps one
 * handle per repository for the whole command); the CLI calls it when a
 * command ends.  Afterwards a library call opens them again.
 */
void mg_repo_close_all(void);

#endif
