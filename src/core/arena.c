/* arena.c - the bump allocator (see meshgate/arena.h). */
#include "meshgate/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mg_arena_block {
	mg_arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

/* Blocks start small (most documents are a few KiB) and double up to 64 KiB. */
#define BLOCK_FIRST (4u * 1024u - sizeof(mg_arena_block))
#define BLOCK_MAX (64u * 1024u - sizeof(mg_arena_block))

void *mg_arena_alloc(mg_arena *a, size_t size)
{
	size = (size + 7u) & ~(size_t)7u;
	if (size == 0)
		size = 8;
	mg_arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t want = !b ? BLOCK_FIRST : b->size * 2 + sizeof *b > BLOCK_MAX ? BLOCK_MAX : b->size * 2 + sizeof *b;
		size_t bs = size > want ? size : want;
		if (bs > SIZE_MAX - sizeof *b)
			return NULL;
		mg_arena_block *nb = malloc(sizeof *nb + bs);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->size = bs;
		if (b && size > BLOCK_MAX) {
			/* Oversized: put it behind the head so the head keeps filling. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += size;
	a->total += size;
	return p;
}

void *mg_arena_calloc(mg_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = mg_arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *mg_arena_strndup(mg_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = mg_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *mg_arena_strdup(mg_arena *a, const char *s)
{
	return mg_arena_strndup(a, s, strlen(s));
}

void mg_arena_free(mg_arena *a)
{
	mg_arena_block *b = a->head;
	while (b) {
		mg_arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->total = 0;
}

void mg_arena_adopt(mg_arena *dst, mg_arena *src)
{
	if (!src->head)
		return;
	mg_arena_block *tail = src->head;
	while (tail->next)
		tail = tail->next;
	if (!dst->head) {
		dst->head = src->head;
	} else {
		/* behind dst's head, which keeps filling */
		tail->next = dst->head->next;
		dst->head->next = src->head;
	}
	dst->total += src->total;
	src->head = NULL;
	src->total = 0;
}
