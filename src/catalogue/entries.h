/*
 * entries.h - the catalogue-entries pass (private to src/catalogue/).
 *
 * Nothing in a catalogue is silently ignored.  The loader lists three
 * levels - the catalogue root (environment folders beside it), each
 * environment folder (product folders) and each product folder (the six
 * product files) - and hands every entry it does not read to this pass,
 * which classifies it from that listing alone:
 *
 *   misnamed-file      a file named like a product file that is not read:
 *                      a case or separator variant, a one- or two-edit
 *                      typo, another extension, a backup or editor copy
 *                      (.bak, ~, .orig, .swp, ...), or a product file
 *                      outside a product folder
 *   unexpected-file    any other file or folder that allowed-files does
 *                      not allow
 *   empty-environment  an environment folder without product folders (and
 *                      without the .gitkeep that says so on purpose)
 *   nested-product     a folder in a product folder that holds product files
 *
 * Only a folder inside a product folder is listed again (to tell a nested
 * product from a stray folder); everything else is decided from the names
 * and types the caller already has, so the pass costs no extra read of the
 * index or of a tree.
 *
 * Ownership: nothing here allocates what it hands back.  Names and paths
 * are borrowed for the call; findings are added to the caller's list,
 * which owns them (a NULL list drops them, as mg_findings_add does).
 */
#ifndef MESHGATE_CATALOGUE_ENTRIES_H
#define MESHGATE_CATALOGUE_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/config.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"
#include "meshgate/source.h"

/* Where a listed entry lies. */
typedef enum mg_level {
	MG_LEVEL_ROOT,        /* beside the environments, in the catalogue root */
	MG_LEVEL_ENVIRONMENT, /* in an environment folder, beside its products */
	MG_LEVEL_PRODUCT      /* in a product folder */
} mg_level;

/* How a name misses the product file it looks like. */
typedef enum mg_near {
	MG_NEAR_NONE = 0, /* not like a product file */
	MG_NEAR_EXACT,    /* exactly a product file name (a miss only outside a product folder) */
	MG_NEAR_CASE,     /* the name but for case or '_'/' ' for '-' */
	MG_NEAR_BACKUP,   /* a backup or editor copy of (a near miss of) the name */
	MG_NEAR_TYPO      /* within two edits, another extension, or data-product* otherwise */
} mg_near;

/*
 * Whether the base name `name` looks like one of the six product file
 * names, and which (*kind) with the name it should have been (*suggest,
 * "<stem>.<json|yaml|yml>", written to a buffer of `cap` bytes, at least
 * 64).  Case-insensitive on every file system.  Pure; never fails.
 */
mg_near mg_product_file_near(const char *name, mg_file_kind *kind, char *suggest, size_t cap);

/*
 * A regular file at `path` (repository-relative, base name `name`) in a
 * folder of `level` that the loader does not read as a product file.
 * Adds misnamed-file or unexpected-file at path:1:1, or nothing when
 * allowed-files of `policy` allows it (meshgate.yaml beside environments
 * that are the repository's top level is never a finding).  `files` is
 * the product folder's product files (NULL elsewhere), to say when the
 * file a near miss stands for is there too.  0 or MG_ENOMEM.
 */
int mg_entries_file(const mg_config *policy, mg_level level, const char *path, const char *name,
		    const char *const *files, mg_findings *f);

/*
 * A folder at `path` (base name `name`) inside product folder `product`:
 * listed through src, it is nested-product when it holds a product file,
 * else unexpected-file unless allowed.  0 or a negative error of the
 * source (MG_ENOMEM, MG_EIO).
 */
int mg_entries_subfolder(mg_source *src, const mg_config *policy, const char *product, const char *path,
			 const char *name, mg_findings *f);

/*
 * A hidden folder (".name") beside the environments of a catalogue below
 * the repository's top level: never an environment, so unexpected-file
 * unless allowed (at the top level, .git and .github are not the
 * catalogue's and the caller does not ask).  0 or MG_ENOMEM.
 */
int mg_entries_hidden_folder(const mg_config *policy, const char *path, const char *name, mg_findings *f);

/*
 * The environment folder at `path`, once listed: empty-environment when it
 * holds no product folder, unless it holds a .gitkeep, which says it is
 * empty on purpose (meshgate init prepares environments so).  0 or
 * MG_ENOMEM.
 */
int mg_entries_environment(const char *path, size_t product_folders, bool gitkeep, mg_findings *f);

#endif
