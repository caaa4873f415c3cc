/*
 * source.h - where catalogue files come from: the work tree today; the
 * index and commits (libgit2) behind the same interface later.
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
};

/* A source over a directory of the file system (the work tree). */
int mg_source_dir_new(mg_source **out, const char *root);
void mg_source_free(mg_source *s);

#endif
