/* sort.h - qsort/bsearch that accept an empty array.
 *
 * qsort and bsearch declare their base pointer non-null even when the count is
 * zero, and an empty list here is often a NULL array. These wrappers make
 * "sort nothing" and "find in nothing" defined, so callers need no guard.
 */
#ifndef MESHGATE_SORT_H
#define MESHGATE_SORT_H

#include <stdlib.h>

static inline void mg_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (base && n > 1)
		qsort(base, n, size, cmp);
}

static inline void *mg_find(const void *key, const void *base, size_t n, size_t size,
			    int (*cmp)(const void *, const void *))
{
	return base && n ? bsearch(key, base, n, size, cmp) : NULL;
}

#endif
