/*
 * git_index.h - a small read-only parser of git's index file (the
 * "DIRC" format, versions 2, 3 and 4), private to src/sources/.
 *
 * It yields what the index source needs - each entry's path, mode, stage
 * and blob id - and nothing else, so a hook need not pay for libgit2's
 * index loader.  The input is outside data: every length is checked
 * against the end of the file and anything malformed is refused with
 * MG_EINVALID and a message; the trailing checksum is not verified (git
 * verifies it when it writes; checking it would cost a hash of the file).
 * What this parser does not handle (a split index's `link` extension, a
 * sparse index's `sdir`, any other required extension, SHA-256 ids, an
 * unknown version) is MG_ENOTSUP-like: it returns MG_EGITINDEX_UNSUPPORTED
 * so the caller can fall back to libgit2.
 */
#ifndef MESHGATE_SOURCES_GIT_INDEX_H
#define MESHGATE_SOURCES_GIT_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* Not an error for the user: "read this index another way". */
#define MG_EGITINDEX_UNSUPPORTED 1

#define MG_GIT_OID_RAWSZ 20

typedef struct mg_git_index_entry {
	const char *path; /* NUL-terminated; borrowed from the mg_git_index */
	size_t path_len;
	uint32_t mode;    /* 0100644, 0100755, 0120000, 0160000, ... */
	unsigned stage;   /* 0, or 1-3 for an unmerged path */
	const unsigned char *id; /* MG_GIT_OID_RAWSZ bytes; borrowed from the mg_git_index */
} mg_git_index_entry;

typedef struct mg_git_index {
	mg_git_index_entry *entries; /* sorted by path (bytewise), then stage */
	size_t n;
	unsigned version;
	/* owned: the file's bytes (mapped or read) and, for version 4, the paths */
	void *map;
	size_t map_len;
	char *paths;
} mg_git_index;

#define MG_GIT_INDEX_INIT { NULL, 0, 0, NULL, 0, NULL }

/*
 * Parses the index file at path into ix (MG_GIT_INDEX_INIT or released).
 * A missing file is an empty index, as for git.  Returns 0,
 * MG_EGITINDEX_UNSUPPORTED (ix left empty, no message), or MG_EINVALID /
 * MG_EIO / MG_ENOMEM with a message.  Release ix with
 * mg_git_index_release() in every case.
 */
int mg_git_index_read(mg_git_index *ix, const char *path);

/*
 * Parses len bytes at data, which must stay valid and unchanged while ix is
 * used (ix borrows paths and ids from them, and does not free them).  Same
 * returns as mg_git_index_read(); `name` is for messages.
 */
int mg_git_index_parse(mg_git_index *ix, const unsigned char *data, size_t len, const char *name);

void mg_git_index_release(mg_git_index *ix);

#endif
