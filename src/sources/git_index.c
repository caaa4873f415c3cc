/*
 * git_index.c - the read-only index parser (see git_index.h).
 *
 * The format, as git's Documentation/gitformat-index.txt describes it: a
 * 12-byte header ("DIRC", version, entry count), the entries, optional
 * extensions (4-byte signature, 4-byte size, data), and a 20-byte
 * checksum.  All integers are big-endian.  An entry is 40 bytes of stat
 * data and mode, the 20-byte object id, 2 bytes of flags (stage, name
 * length, "extended"), 2 more flag bytes when extended (version 3 and
 * up), then the path: NUL-terminated and padded with 1-8 NULs to a
 * multiple of 8 bytes in versions 2 and 3; in version 4 a varint of bytes
 * to drop from the end of the previous path followed by the NUL-terminated
 * rest, without padding.
 */
#include "meshgate/sort.h"
#include "sources/git_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshgate/error.h"

#define HEADER_SIZE 12
#define TRAILER_SIZE MG_GIT_OID_RAWSZ
#define ENTRY_FIXED 62 /* stat data, mode, id and flags */
#define FLAG_EXTENDED 0x4000
#define NAME_MASK 0x0fff
/* a version 4 index whose paths expand beyond this many times its size is left to libgit2 */
#define V4_EXPANSION 64

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int malformed(const char *name, const char *what, size_t at)
{
	mg_error_set("malformed git index '%s': %s at byte %zu", name, what, at);
	return MG_EINVALID;
}

/* git's offset varint: 7 bits a byte, most significant first, each continuation adding one. */
static bool read_varint(const unsigned char **p, const unsigned char *end, size_t *out)
{
	const unsigned char *q = *p;
	if (q >= end)
		return false;
	unsigned char c = *q++;
	size_t v = c & 0x7f;
	while (c & 0x80) {
		if (q >= end || v > (SIZE_MAX >> 8))
			return false;
		c = *q++;
		v = ((v + 1) << 7) | (c & 0x7f);
	}
	*p = q;
	*out = v;
	return true;
}

static int cmp_entries(const mg_git_index_entry *a, const mg_git_index_entry *b)
{
	size_t n = a->path_len < b->path_len ? a->path_len : b->path_len;
	int c = memcmp(a->path, b->path, n);
	if (c)
		return c;
	if (a->path_len != b->path_len)
		return a->path_len < b->path_len ? -1 : 1;
	return (a->stage > b->stage) - (a->stage < b->stage);
}

static int qsort_entries(const void *a, const void *b)
{
	return cmp_entries(a, b);
}

/* Makes room for len more bytes in the version 4 path pool. */
static int pool_reserve(mg_git_index *ix, size_t used, size_t *cap, size_t len)
{
	if (*cap - used >= len)
		return 0;
	size_t ncap = *cap ? *cap : 4096;
	while (ncap - used < len)
		ncap *= 2;
	char *p = realloc(ix->paths, ncap);
	if (!p)
		return mg_oom();
	ix->paths = p;
	*cap = ncap;
	return 0;
}

typedef struct {
	const unsigned char *base, *end; /* end: where the checksum starts */
	const char *name;
	/* version 4: the pool's use, capacity and limit, and the previous path in it */
	size_t used, cap, limit, prev_off, prev_len;
} parser;

/*
 * Version 4: appends the entry's path, rebuilt from the previous one, to
 * the pool; *p moves past it.  Entries' paths follow each other in the pool
 * in entry order, each with its NUL, so they are pointed at once it is done.
 */
static int v4_path(mg_git_index *ix, parser *ps, const unsigned char **p, size_t *len)
{
	size_t strip;
	const unsigned char *at = *p;
	int r;
	if (!read_varint(p, ps->end, &strip))
		return malformed(ps->name, "truncated path prefix length", (size_t)(at - ps->base));
	if (strip > ps->prev_len)
		return malformed(ps->name, "path prefix longer than the previous path",
				 (size_t)(at - ps->base));
	const unsigned char *nul = memchr(*p, '\0', (size_t)(ps->end - *p));
	if (!nul)
		return malformed(ps->name, "unterminated path", (size_t)(*p - ps->base));
	size_t keep = ps->prev_len - strip, rest = (size_t)(nul - *p);
	if (keep + rest == 0)
		return MG_EGITINDEX_UNSUPPORTED; /* a split index's replaced entry; see the "link" extension */
	if (keep + rest + 1 > ps->limit - ps->used)
		return MG_EGITINDEX_UNSUPPORTED;
	if ((r = pool_reserve(ix, ps->used, &ps->cap, keep + rest + 1)) < 0)
		return r;
	char *dst = ix->paths + ps->used;
	memcpy(dst, ix->paths + ps->prev_off, keep); /* the previous path ends before dst */
	memcpy(dst + keep, *p, rest);
	dst[keep + rest] = '\0';
	ps->prev_off = ps->used;
	ps->prev_len = keep + rest;
	ps->used += keep + rest + 1;
	*len = keep + rest;
	*p = nul + 1;
	return 0;
}

/* One entry at *p; *p moves past it. */
static int parse_entry(mg_git_index *ix, parser *ps, const unsigned char **p, mg_git_index_entry *e)
{
	const unsigned char *q = *p;
	const size_t at = (size_t)(q - ps->base);
	if ((size_t)(ps->end - q) < ENTRY_FIXED)
		return malformed(ps->name, "truncated entry", at);
	unsigned flags = be16(q + 60);
	size_t fixed = ENTRY_FIXED;
	e->mode = be32(q + 24);
	e->id = q + 40;
	e->stage = (flags >> 12) & 3;
	if (flags & FLAG_EXTENDED) {
		if (ix->version < 3)
			return malformed(ps->name, "extended flags in a version 2 index", at);
		if ((size_t)(ps->end - q) < ENTRY_FIXED + 2)
			return malformed(ps->name, "truncated entry", at);
		fixed += 2;
	}
	if ((e->mode & 0170000) == 0040000)
		return MG_EGITINDEX_UNSUPPORTED; /* a sparse index's folder entry */
	q += fixed;
	if (ix->version == 4) {
		int r = v4_path(ix, ps, &q, &e->path_len);
		if (r != 0)
			return r;
		e->path = NULL; /* pointed into the pool at the end */
	} else {
		const unsigned char *nul = memchr(q, '\0', (size_t)(ps->end - q));
		if (!nul)
			return malformed(ps->name, "unterminated path", (size_t)(q - ps->base));
		e->path = (const char *)q;
		e->path_len = (size_t)(nul - q);
		if (e->path_len == 0)
			return MG_EGITINDEX_UNSUPPORTED; /* a split index's replaced entry; see the "link" extension */
		/* 1-8 NULs pad the entry to a multiple of 8 bytes */
		size_t size = (fixed + e->path_len + 8) & ~(size_t)7;
		if ((size_t)(ps->end - *p) < size)
			return malformed(ps->name, "truncated entry padding", (size_t)(nul - ps->base));
		q = *p + size;
	}
	if ((flags & NAME_MASK) != NAME_MASK && (flags & NAME_MASK) != e->path_len)
		return malformed(ps->name, "path length does not match the entry's flags", at);
	*p = q;
	return 0;
}

/* Skips the extensions between p and the checksum; a required one (lowercase signature) is not ours. */
static int skip_extensions(parser *ps, const unsigned char *p)
{
	while (p < ps->end) {
		if ((size_t)(ps->end - p) < 8)
			return malformed(ps->name, "truncated extension header", (size_t)(p - ps->base));
		uint32_t size = be32(p + 4);
		if (p[0] < 'A' || p[0] > 'Z')
			return MG_EGITINDEX_UNSUPPORTED; /* "link" (split index), "sdir" (sparse), ... */
		if ((size_t)(ps->end - p) - 8 < size)
			return malformed(ps->name, "extension larger than the file", (size_t)(p - ps->base));
		p += 8 + (size_t)size;
	}
	return 0;
}

int mg_git_index_parse(mg_git_index *ix, const unsigned char *data, size_t len, const char *name)
{
	parser ps = { data, NULL, name, 0, 0, 0, 0, 0 };
	const unsigned char *p;
	int r;
	ix->entries = NULL;
	ix->n = 0;
	ix->paths = NULL;
	if (len < HEADER_SIZE + TRAILER_SIZE)
		return malformed(name, "file too small", len);
	if (memcmp(data, "DIRC", 4) != 0)
		return malformed(name, "bad signature", 0);
	ix->version = be32(data + 4);
	if (ix->version < 2 || ix->version > 4)
		return MG_EGITINDEX_UNSUPPORTED;
	uint32_t count = be32(data + 8);
	ps.end = data + len - TRAILER_SIZE;
	/* every entry takes more than ENTRY_FIXED bytes, which bounds the count by the size */
	if (count > (len - HEADER_SIZE - TRAILER_SIZE) / ENTRY_FIXED)
		return malformed(name, "more entries than the file can hold", 8);
	ps.limit = len > SIZE_MAX / V4_EXPANSION - 4096 ? SIZE_MAX : len * V4_EXPANSION + 4096;
	if (!(ix->entries = malloc((count ? count : 1) * sizeof *ix->entries)))
		return mg_oom();
	bool sorted = true;
	p = data + HEADER_SIZE;
	for (uint32_t i = 0; i < count; i++) {
		mg_git_index_entry *e = &ix->entries[i];
		if ((r = parse_entry(ix, &ps, &p, e)) != 0)
			goto done;
		ix->n = i + 1;
	}
	if ((r = skip_extensions(&ps, p)) != 0)
		goto done;
	if (ix->version == 4) {
		size_t off = 0;
		for (size_t i = 0; i < ix->n; i++) {
			ix->entries[i].path = ix->paths + off;
			off += ix->entries[i].path_len + 1;
		}
	}
	for (size_t i = 1; i < ix->n && sorted; i++)
		if (cmp_entries(&ix->entries[i - 1], &ix->entries[i]) > 0)
			sorted = false;
	if (!sorted)
		mg_sort(ix->entries, ix->n, sizeof *ix->entries, qsort_entries);
	r = 0;
done:
	if (r != 0) {
		free(ix->entries);
		free(ix->paths);
		ix->entries = NULL;
		ix->paths = NULL;
		ix->n = 0;
	}
	return r;
}

int mg_git_index_read(mg_git_index *ix, const char *path)
{
	struct stat st;
	int r, fd = open(path, O_RDONLY | O_CLOEXEC);
	memset(ix, 0, sizeof *ix);
	if (fd < 0 && errno == ENOENT)
		return 0; /* no index yet: nothing staged */
	if (fd < 0) {
		mg_error_set("cannot open the git index '%s': %s", path, strerror(errno));
		return MG_EIO;
	}
	if (fstat(fd, &st) < 0) {
		mg_error_set("cannot read the git index '%s': %s", path, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		mg_error_set("the git index '%s' is not a regular file", path);
		r = MG_EINVALID;
		goto done;
	}
	if (st.st_size < HEADER_SIZE + TRAILER_SIZE) {
		r = malformed(path, "file too small", (size_t)st.st_size);
		goto done;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		mg_error_set("cannot map the git index '%s': %s", path, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	ix->map = map;
	ix->map_len = (size_t)st.st_size;
	r = mg_git_index_parse(ix, map, ix->map_len, path);
done:
	close(fd);
	if (r != 0)
		mg_git_index_release(ix);
	return r;
}

void mg_git_index_release(mg_git_index *ix)
{
	free(ix->entries);
	free(ix->paths);
	if (ix->map)
		munmap(ix->map, ix->map_len);
	memset(ix, 0, sizeof *ix);
}
