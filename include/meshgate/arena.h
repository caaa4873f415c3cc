/*
 * arena.h - a bump allocator.  Everything allocated from an arena is freed
 * at once by mg_arena_free(); nothing in it is freed alone.  Documents and
 * the catalogue model live in arenas, so a whole catalogue is released in a
 * few calls and parsing does not pay for malloc per node.
 */
#ifndef MESHGATE_ARENA_H
#define MESHGATE_ARENA_H

#include <stddef.h>

typedef struct mg_arena_block mg_arena_block;
typedef struct mg_arena {
	mg_arena_block *head;
	size_t total; /* bytes handed out, for limits and statistics */
} mg_arena;

#define MG_ARENA_INIT { NULL, 0 }

/* Returns NULL when out of memory; memory is 8-byte aligned, not zeroed. */
void *mg_arena_alloc(mg_arena *a, size_t size);
void *mg_arena_calloc(mg_arena *a, size_t n, size_t size);
/* Copies len bytes and adds a NUL. */
char *mg_arena_strndup(mg_arena *a, const char *s, size_t len);
char *mg_arena_strdup(mg_arena *a, const char *s);
void mg_arena_free(mg_arena *a);
/* Moves every block of src into dst (freed with it); src is left empty. */
void mg_arena_adopt(mg_arena *dst, mg_arena *src);

#endif
