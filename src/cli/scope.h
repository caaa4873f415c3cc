/*
 * scope.h - what `meshgate validate PATH` names: the catalogue root, or an
 * environment folder, a product folder or one entry inside the configured
 * catalogue (validated with the whole catalogue, its findings narrowed to
 * the scope), or something that is not a catalogue root at all.
 */
#ifndef MESHGATE_CLI_SCOPE_H
#define MESHGATE_CLI_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/finding.h"
#include "meshgate/model.h"
#include "meshgate/source.h"

typedef enum cli_scope_kind {
	CLI_SCOPE_ROOT,    /* the catalogue: validate it all */
	CLI_SCOPE_ENV,     /* an environment folder of `root` */
	CLI_SCOPE_PRODUCT, /* a product folder of `root` */
	CLI_SCOPE_ENTRY    /* a file (or other entry) inside a product folder of `root` */
} cli_scope_kind;

typedef struct cli_scope {
	cli_scope_kind kind;
	char *root; /* the catalogue root to validate (owned) */
	char *path; /* the scope, a path of the source (owned); NULL for CLI_SCOPE_ROOT */
} cli_scope;

/*
 * Resolves `path` (as given on the command line; NULL: the configured
 * catalogue) against `catalogue`, the configured root.  `dir` is the
 * work tree's directory for the file system (NULL for git sources, where
 * paths are repository-relative).  0, or MG_ENOTFOUND / MG_EINVALID with a
 * message ("'x' is not a catalogue root: ...").
 */
int cli_scope_resolve(cli_scope *out, mg_source *src, const char *dir, const char *catalogue, const char *path);
void cli_scope_release(cli_scope *s);
/*
 * After the catalogue was not found (MG_ENOTFOUND): when a file has its
 * name, says so instead; otherwise the message stands.
 */
void cli_scope_not_found(mg_source *src, const char *catalogue);

/*
 * Narrows the findings of the whole catalogue to the scope (its own
 * findings, global ones elsewhere that name its products' folders, or
 * their names within their environment, and meshgate.yaml's), and counts
 * its products and files.  0 (it cannot fail).
 */
int cli_scope_narrow(const cli_scope *s, const mg_catalogue *cat, mg_findings *f, size_t *nproducts,
		     size_t *nfiles);

#endif
