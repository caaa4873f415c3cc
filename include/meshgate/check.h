/*
 * check.h - the pull-request check: the change rules between a base and a
 * head catalogue, and the narrowing of findings to what a change touched.
 */
#ifndef MESHGATE_CHECK_H
#define MESHGATE_CHECK_H

#include "meshgate/changes.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"

/*
 * Adds product-renamed, owner-account-changed, declassified and
 * breaking-removal findings for the product folders in `changes` (all
 * folders when changes->all), comparing base with head.  Findings point
 * into the head's files, or at a deleted product's old folder.  A product
 * whose folder moved (same environment and data-product-name) is compared
 * with itself and gets a product-moved note; *moved (when not NULL) is set
 * to the number of such moves, each of which is two of changes->folders
 * but one changed product.
 */
int mg_change_rules(const mg_catalogue *base, const mg_catalogue *head, const mg_changes *changes,
		    mg_findings *f, size_t *moved);

/*
 * Drops the findings that do not concern a changed product: a finding is
 * kept when its file is in a changed product folder or is a changed path
 * beside environments or products (changes->paths), when it is an entry
 * finding (misnamed-file, unexpected-file, empty-environment,
 * nested-product, not-a-file) about a folder something changed in, when it
 * is about the configuration and the configuration changed, or when it is
 * a global one (duplicates, overlaps, lineage) that names a changed
 * product.  0 or MG_ENOMEM.
 */
int mg_findings_keep_changed(mg_findings *f, const mg_catalogue *head, const mg_changes *changes);

#endif
