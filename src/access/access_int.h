/* access_int.h - helpers shared by access.c and plan.c; not part of the API. */
#ifndef MESHGATE_APPLIER_ACCESS_INT_H
#define MESHGATE_APPLIER_ACCESS_INT_H

#include "meshgate/access.h"

/* Deep-copies g into dst with strings and columns in arena a (columns sorted, unique). */
int mg_access__copy_grant(mg_arena *a, mg_grant *dst, const mg_grant *g);
/* Merges b into a (same key): the union of what both allow; new columns in arena ar. */
int mg_access__merge(mg_arena *ar, mg_grant *a, const mg_grant *b);

#endif
