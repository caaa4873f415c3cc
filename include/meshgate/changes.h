/*
 * changes.h - which products changed between two commits, from git's diff
 * of the two trees (no checkout, no work tree).  The plan and `check` use
 * it to limit their work to what a change touched.
 */
#ifndef MESHGATE_CHANGES_H
#define MESHGATE_CHANGES_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/buf.h"
#include "meshgate/model.h"

typedef struct mg_changes {
	bool all;            /* everything counts as changed (first run, config changed) */
	bool config_changed; /* meshgate.yaml differs */
	char **folders;      /* changed product folders "<root>/<env>/<product>", sorted */
	size_t count;
	/* changed entries under root outside product folders (files beside environments or products), sorted */
	char **paths;
	size_t npaths;
} mg_changes;

void mg_changes_init(mg_changes *c);
void mg_changes_release(mg_changes *c);

/*
 * Fills c with the product folders under `root` that differ between the
 * trees of from_rev and to_rev (from_rev NULL: no base, c->all is set),
 * and with the other paths under `root` that differ (c->paths).
 * A change to meshgate.yaml (or .yml/.json) at the top sets all and
 * config_changed.  Works whatever the commits' ancestry.
 */
int mg_changes_between(mg_changes *c, const char *repo_path, const char *from_rev, const char *to_rev,
		       const char *root);

/* True when c->all or p's folder is among the changed ones. */
bool mg_changes_has(const mg_changes *c, const mg_product *p);
/* A mg_product_filter over a mg_changes (ctx). */
bool mg_changes_filter(const mg_product *p, void *ctx);

/* Resolves rev to a full hex commit id (41 bytes with the NUL). */
int mg_git_resolve_commit(char out[41], const char *repo_path, const char *rev);
/* The committer day (UTC, "YYYY-MM-DD") of a commit-ish. */
int mg_git_commit_date(char out[11], const char *repo_path, const char *rev);
/* The current branch ("main"), or "" when HEAD is detached. */
int mg_git_current_branch(char *out, size_t cap, const char *repo_path);

/* Appends the top level of the work tree around repo_path (no trailing slash). */
int mg_git_toplevel(mg_buf *out, const char *repo_path);

#endif
