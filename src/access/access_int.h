/* access_int.h - helpers shared by access.c and plan.c; not part of the API. */
#ifndef MESHGATE_APPLIER_ACCESS_INT_H
#define MESHGATE_APPLIER_ACCESS_INT_H

#include "meshgate/access.h"

/* Deep-copies g into dst with strings and columns in set s (columns sorted, unique). */
int mg_access__copy_grant(mg_grant_set *s, mg_grant *dst, const mg_grant *g);
/* Merges b into a (same key): the union of what both allow; new columns in set s. */
int mg_access__merge(mg_grant_set *s, mg_grant *a, const mg_grant *b);

/* ---- intern.c: each distinct string and column list stored once ---- */

void mg_intern_free(mg_intern *t);
/* The stored copy of s (NULL for NULL, or when out of memory); *tp is created on first use. */
const char *mg_intern_str(mg_intern **tp, mg_arena *a, const char *s);
/* The stored copy of the list names[0..n) with exposures exp (NULL: all 0); names sorted, unique. */
int mg_intern_columns(mg_intern **tp, mg_arena *a, const char *const *names, const unsigned *exp, size_t n,
		      const char ***out_cols, unsigned **out_exp);

#endif
