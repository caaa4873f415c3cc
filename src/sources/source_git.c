/*
 * source_git.c - sources over a git repository (see meshgate/source.h):
 * the index and any commit or tree, read through libgit2 without a
 * checkout.  libgit2 objects never leave this file.
 *
 * The index source keeps one array of the index's paths in byte order, so
 * reading a file is a binary search and listing a folder costs a binary
 * search per child (a sub-folder's contents are skipped, not walked).  No
 * blob is read unless its file is.  The index file is read by our own
 * parser (git_index.c), which costs a fraction of libgit2's loader; an
 * index it does not handle (split or sparse) goes through libgit2.
 */
#include "meshgate/sort.h"
#include "meshgate/source.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "sources/repo.h"
#include "sources/git_index.h"

/* ---- shared ---- */

static const char *git_message(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

static mg_entry_type type_of_mode(unsigned int mode)
{
	switch (mode) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return MG_ENTRY_FILE;
	case GIT_FILEMODE_TREE:
		return MG_ENTRY_DIR;
	case GIT_FILEMODE_LINK:
		return MG_ENTRY_SYMLINK;
	case GIT_FILEMODE_COMMIT:
		return MG_ENTRY_SUBMODULE;
	default:
		return MG_ENTRY_OTHER;
	}
}

/* libgit2's own init count pairs each constructor with its free */
static int lib_init(void)
{
	if (mg_git_init() < 0) {
		mg_error_set("cannot initialise libgit2: %s", git_message());
		return MG_EIO;
	}
	return 0;
}

int mg_git_init(void)
{
	int n = git_libgit2_init();
	if (n < 0)
		return n;
	/*
	 * A catalogue's environment folder is one tree of thousands of entries,
	 * read again for every product folder below it.  libgit2 caches trees
	 * only up to 4 KiB and re-hashes every object it reads: keep big trees
	 * in its cache, and trust the object database as git itself does
	 * (`git fsck` is the place to verify it).
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_TREE, (size_t)64 << 20);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)256 << 20);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	return n;
}

/* The command's handle on the repository (sources/repo.h): borrowed, never freed here. */
static int open_repo(git_repository **out, const char *repo_path)
{
	return mg_repo_get(out, repo_path);
}

/* "./x", "x/" and "." to the repository-relative form ("x", ""); into b, returned */
static const char *norm_path(mg_buf *b, const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (strcmp(path, ".") == 0)
		path = "";
	mg_buf_clear(b);
	if (mg_buf_adds(b, path) < 0)
		return NULL;
	while (b->len && b->ptr[b->len - 1] == '/')
		b->ptr[--b->len] = '\0';
	return b->ptr;
}

/* Reads blob id into out, after checking its size from the object header alone. */
static int read_blob(git_odb *odb, const git_oid *id, const char *path, const char *where, mg_buf *out,
		     size_t max)
{
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t size;
	int r;
	if (git_odb_read_header(&size, &type, odb, id) < 0) {
		mg_error_set("cannot read '%s' from the %s: %s", path, where, git_message());
		return MG_EIO;
	}
	if (type != GIT_OBJECT_BLOB) {
		mg_error_set("'%s' is not a regular file", path);
		return MG_EINVALID;
	}
	if (size > max) {
		mg_error_set("'%s' is %zu bytes, larger than the limit of %zu", path, size, max);
		return MG_ETOOBIG;
	}
	if (git_odb_read(&obj, odb, id) < 0) {
		mg_error_set("cannot read '%s' from the %s: %s", path, where, git_message());
		return MG_EIO;
	}
	mg_buf_clear(out);
	if (git_odb_object_size(obj) > max) { /* a header that lied */
		mg_error_set("'%s' is larger than the limit of %zu bytes", path, max);
		r = MG_ETOOBIG;
		goto done;
	}
	if ((r = mg_buf_add(out, git_odb_object_data(obj), git_odb_object_size(obj))) < 0)
		goto done;
	r = 0;
done:
	git_odb_object_free(obj);
	return r;
}

/* One child of a listed folder; name is not NUL-terminated. */
typedef struct {
	const char *name;
	size_t len;
	mg_entry_type type;
} child;

typedef struct {
	child *items;
	size_t n, cap;
} children;

static int children_add(children *c, const char *name, size_t len, mg_entry_type type)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		child *items = realloc(c->items, cap * sizeof *items);
		if (!items)
			return mg_oom();
		c->items = items;
		c->cap = cap;
	}
	c->items[c->n].name = name;
	c->items[c->n].len = len;
	c->items[c->n++].type = type;
	return 0;
}

static int cmp_children(const void *a, const void *b)
{
	const child *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Calls cb for each child in byte order of names, once per name. */
static int children_emit(children *c, mg_entry_cb cb, void *ctx)
{
	mg_buf name = MG_BUF_INIT;
	int r = 0;
	if (c->n > 1)
		mg_sort(c->items, c->n, sizeof *c->items, cmp_children);
	for (size_t i = 0; i < c->n && r == 0; i++) {
		if (i && cmp_children(&c->items[i - 1], &c->items[i]) == 0)
			continue;
		mg_buf_clear(&name);
		if ((r = mg_buf_add(&name, c->items[i].name, c->items[i].len)) < 0)
			break;
		mg_entry e = { name.ptr, c->items[i].type };
		r = cb(&e, ctx);
	}
	mg_buf_release(&name);
	return r;
}

/* ---- the index ---- */

typedef struct {
	const char *path; /* borrowed from the mg_git_index or the git_index */
	uint32_t mode;
	unsigned stage;
	const unsigned char *id; /* GIT_OID_RAWSZ bytes, borrowed like path */
} ientry;

typedef struct {
	mg_source base;
	git_repository *repo;
	git_odb *odb;
	mg_git_index gi;   /* the index as our parser read it, or empty */
	git_index *index;  /* or as libgit2 read it, or NULL */
	ientry *ents; /* sorted by path, one per path (stage 0 first) */
	size_t n;
	mg_buf path; /* scratch for normalised paths */
	mg_buf key;  /* scratch for search keys */
	mg_buf cache_dir; /* "<git dir>meshgate" */
} index_source;

static int cmp_ientries(const void *a, const void *b)
{
	const ientry *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->stage > y->stage) - (x->stage < y->stage);
}

/* First entry at or after `from` whose path is not below key in byte order. */
static size_t lower_bound(const index_source *s, size_t from, const char *key)
{
	size_t lo = from, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->ents[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int has_prefix(const char *s, const char *prefix, size_t len)
{
	return strncmp(s, prefix, len) == 0;
}

static int index_list(mg_source *src, const char *dir, mg_entry_cb cb, void *ctx)
{
	index_source *s = (index_source *)src;
	children c = { 0 };
	int r;
	if (!(dir = norm_path(&s->path, dir)))
		return MG_ENOMEM;
	mg_buf_clear(&s->key);
	if (*dir && ((r = mg_buf_adds(&s->key, dir)) < 0 || (r = mg_buf_addc(&s->key, '/')) < 0))
		return r;
	const size_t plen = s->key.len;
	size_t i = lower_bound(s, 0, s->key.ptr);
	if (*dir && (i == s->n || !has_prefix(s->ents[i].path, s->key.ptr, plen))) {
		mg_error_set("no folder '%s' in the index", dir);
		return MG_ENOTFOUND;
	}
	while (i < s->n && has_prefix(s->ents[i].path, s->key.ptr, plen)) {
		const char *rest = s->ents[i].path + plen;
		const char *slash = strchr(rest, '/');
		if (!slash) {
			const ientry *e = &s->ents[i++];
			if (*rest && (r = children_add(&c, rest, strlen(rest),
						       e->stage ? MG_ENTRY_OTHER : type_of_mode(e->mode))) < 0)
				goto done;
			continue;
		}
		size_t len = (size_t)(slash - rest);
		if ((r = children_add(&c, rest, len, MG_ENTRY_DIR)) < 0)
			goto done;
		/* skip the folder: every path below "<dir>/<name>/" sorts before "<dir>/<name>0" */
		if ((r = mg_buf_add(&s->key, rest, len)) < 0 || (r = mg_buf_addc(&s->key, '0')) < 0)
			goto done;
		i = lower_bound(s, i + 1, s->key.ptr);
		s->key.len = plen;
		s->key.ptr[plen] = '\0';
	}
	r = children_emit(&c, cb, ctx);
done:
	free(c.items);
	return r;
}

static int index_read(mg_source *src, const char *path, mg_buf *out, size_t max)
{
	index_source *s = (index_source *)src;
	int r;
	if (!(path = norm_path(&s->path, path)))
		return MG_ENOMEM;
	size_t i = lower_bound(s, 0, path);
	if (i < s->n && strcmp(s->ents[i].path, path) == 0) {
		const ientry *e = &s->ents[i];
		git_oid id;
		if (e->stage) {
			mg_error_set("'%s' has unresolved merge conflicts in the index", path);
			return MG_EINVALID;
		}
		if (type_of_mode(e->mode) != MG_ENTRY_FILE) {
			mg_error_set("'%s' is not a regular file", path);
			return MG_EINVALID;
		}
		memcpy(id.id, e->id, GIT_OID_RAWSZ);
		return read_blob(s->odb, &id, path, "index", out, max);
	}
	mg_buf_clear(&s->key);
	if ((r = mg_buf_adds(&s->key, path)) < 0 || (r = mg_buf_addc(&s->key, '/')) < 0)
		return r;
	i = lower_bound(s, i, s->key.ptr);
	if (*path && i < s->n && has_prefix(s->ents[i].path, s->key.ptr, s->key.len)) {
		mg_error_set("'%s' is not a regular file", path);
		return MG_EINVALID;
	}
	mg_error_set("'%s' is not in the index", path);
	return MG_ENOTFOUND;
}

static void index_free(mg_source *src)
{
	index_source *s = (index_source *)src;
	free(s->ents);
	mg_git_index_release(&s->gi);
	git_index_free(s->index);
	mg_buf_release(&s->cache_dir);
	git_odb_free(s->odb);
	mg_buf_release(&s->path);
	mg_buf_release(&s->key);
	free(s);
	git_libgit2_shutdown();
}

/* Appends one entry's part of a stamp: its name below the stamped path, mode, stage and id. */
static int stamp_entry(mg_buf *out, const ientry *e, size_t skip)
{
	unsigned char bin[4 + 1 + GIT_OID_RAWSZ];
	bin[0] = (unsigned char)(e->mode >> 24);
	bin[1] = (unsigned char)(e->mode >> 16);
	bin[2] = (unsigned char)(e->mode >> 8);
	bin[3] = (unsigned char)e->mode;
	bin[4] = (unsigned char)e->stage;
	memcpy(bin + 5, e->id, GIT_OID_RAWSZ);
	if (mg_buf_add(out, e->path + skip, strlen(e->path + skip) + 1) < 0 ||
	    mg_buf_add(out, bin, sizeof bin) < 0)
		return mg_oom();
	return 0;
}

static int index_stamp(mg_source *src, const char *path, mg_buf *out)
{
	index_source *s = (index_source *)src;
	int r;
	if (!(path = norm_path(&s->path, path)))
		return MG_ENOMEM;
	/* the path itself (one entry per stage is kept: the first), then what is below "<path>/" */
	size_t i = *path ? lower_bound(s, 0, path) : s->n;
	if (i < s->n && strcmp(s->ents[i].path, path) == 0 &&
	    (r = stamp_entry(out, &s->ents[i], s->path.len)) < 0)
		return r;
	mg_buf_clear(&s->key);
	if (*path && ((r = mg_buf_adds(&s->key, path)) < 0 || (r = mg_buf_addc(&s->key, '/')) < 0))
		return r;
	for (i = lower_bound(s, 0, s->key.ptr); i < s->n && has_prefix(s->ents[i].path, s->key.ptr, s->key.len); i++)
		if ((r = stamp_entry(out, &s->ents[i], s->key.len)) < 0)
			return r;
	return 0;
}

/* The index through libgit2, for what our parser does not handle. */
static int load_index_libgit2(index_source *s, const char *index_file)
{
	int e;
	if (index_file)
		e = git_index_open(&s->index, index_file);
	else
		e = git_repository_index(&s->index, s->repo);
	if (e < 0) {
		mg_error_set("cannot read the index '%s': %s",
			     index_file ? index_file : git_repository_path(s->repo), git_message());
		return MG_EIO;
	}
	size_t count = git_index_entrycount(s->index);
	if (!(s->ents = malloc((count ? count : 1) * sizeof *s->ents)))
		return mg_oom();
	for (size_t i = 0; i < count; i++) {
		const git_index_entry *ie = git_index_get_byindex(s->index, i);
		s->ents[i].path = ie->path;
		s->ents[i].mode = ie->mode;
		s->ents[i].stage = (unsigned)GIT_INDEX_ENTRY_STAGE(ie);
		s->ents[i].id = ie->id.id;
	}
	s->n = count;
	return 0;
}

static int load_index(index_source *s, const char *index_file)
{
	mg_buf own = MG_BUF_INIT;
	int r;
	if (!index_file && git_repository_is_bare(s->repo)) {
		mg_error_set("'%s' is a bare repository; it has no index", git_repository_path(s->repo));
		return MG_EINVALID;
	}
	if (!index_file && mg_buf_addf(&own, "%sindex", git_repository_path(s->repo)) < 0)
		return mg_oom();
	r = mg_git_index_read(&s->gi, index_file ? index_file : own.ptr);
	mg_buf_release(&own);
	if (r == MG_EGITINDEX_UNSUPPORTED)
		r = load_index_libgit2(s, index_file);
	else if (r == 0) {
		size_t count = s->gi.n;
		if (!(s->ents = malloc((count ? count : 1) * sizeof *s->ents)))
			return mg_oom();
		for (size_t i = 0; i < count; i++) {
			const mg_git_index_entry *ge = &s->gi.entries[i];
			s->ents[i].path = ge->path;
			s->ents[i].mode = ge->mode;
			s->ents[i].stage = ge->stage;
			s->ents[i].id = ge->id;
		}
		s->n = count;
	}
	if (r < 0)
		return r;
	int sorted = 1;
	for (size_t i = 1; i < s->n && sorted; i++)
		if (cmp_ientries(&s->ents[i - 1], &s->ents[i]) > 0)
			sorted = 0;
	/* git keeps the index sorted; libgit2 sorts case-insensitively on core.ignorecase */
	if (!sorted)
		mg_sort(s->ents, s->n, sizeof *s->ents, cmp_ientries);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (n == 0 || strcmp(s->ents[n - 1].path, s->ents[i].path) != 0)
			s->ents[n++] = s->ents[i];
	s->n = n;
	return 0;
}

int mg_source_git_index_new(mg_source **out, const char *repo_path, const char *index_file)
{
	index_source *s;
	int r;
	*out = NULL;
	if ((r = lib_init()) < 0)
		return r;
	if (!(s = calloc(1, sizeof *s))) {
		git_libgit2_shutdown();
		return mg_oom();
	}
	mg_buf_init(&s->path);
	mg_buf_init(&s->key);
	mg_buf_init(&s->cache_dir);
	s->base.name = "index";
	s->base.list = index_list;
	s->base.read = index_read;
	s->base.free = index_free;
	s->base.stamp = index_stamp;
	if ((r = open_repo(&s->repo, repo_path)) < 0)
		goto done;
	if (git_repository_odb(&s->odb, s->repo) < 0) {
		mg_error_set("cannot open the object database: %s", git_message());
		r = MG_EIO;
		goto done;
	}
	if ((r = load_index(s, index_file)) < 0)
		goto done;
	if (mg_buf_addf(&s->cache_dir, "%smeshgate", git_repository_path(s->repo)) < 0) {
		r = mg_oom();
		goto done;
	}
	s->base.cache_dir = s->cache_dir.ptr;
	*out = &s->base;
	r = 0;
done:
	if (r < 0)
		index_free(&s->base);
	return r;
}

/* ---- a commit or tree ---- */

/*
 * libgit2 caches only small trees, and a catalogue's environment folder is a
 * large one: the trees of recently used folders are kept here (least
 * recently used goes first), so each folder's tree is parsed about once.
 */
#define TREE_CACHE_SIZE 8

typedef struct {
	char *dir; /* NULL: an empty slot */
	git_tree *tree;
	unsigned long used;
} cached_tree;

typedef struct {
	mg_source base;
	git_repository *repo;
	git_odb *odb;
	git_tree *root;
	char name[64]; /* "commit <sha>" or "tree <sha>" */
	mg_buf path;   /* scratch for normalised paths */
	mg_buf dir;    /* scratch for a read's folder */
	mg_buf sub;    /* scratch for a stamp's relative paths */
	mg_buf cache_dir; /* "<git dir>meshgate" */
	cached_tree cache[TREE_CACHE_SIZE];
	unsigned long clock;
} rev_source;

/* The cached tree of dir, or of its longest cached ancestor (*rest: what is left of dir), or NULL. */
static cached_tree *cache_find(rev_source *s, const char *dir, const char **rest)
{
	cached_tree *best = NULL;
	size_t best_len = 0, n = strlen(dir);
	for (int i = 0; i < TREE_CACHE_SIZE; i++) {
		cached_tree *c = &s->cache[i];
		size_t len = c->dir ? strlen(c->dir) : 0;
		if (!c->dir || len > n || len <= best_len || memcmp(c->dir, dir, len) != 0 ||
		    (dir[len] != '\0' && dir[len] != '/'))
			continue;
		best = c;
		best_len = len;
	}
	if (best) {
		best->used = ++s->clock;
		*rest = dir[best_len] ? dir + best_len + 1 : "";
	}
	return best;
}

static int cache_put(rev_source *s, const char *dir, git_tree *tree)
{
	cached_tree *victim = &s->cache[0];
	char *copy = strdup(dir);
	if (!copy) {
		git_tree_free(tree);
		return mg_oom();
	}
	for (int i = 1; i < TREE_CACHE_SIZE; i++)
		if (s->cache[i].used < victim->used)
			victim = &s->cache[i];
	free(victim->dir);
	git_tree_free(victim->tree);
	victim->dir = copy;
	victim->tree = tree;
	victim->used = ++s->clock;
	return 0;
}

/* The tree at dir ("" is the root); borrowed, valid until the next call. */
static int rev_tree(rev_source *s, const char *dir, git_tree **out)
{
	git_tree_entry *te = NULL;
	git_tree *t = NULL;
	const char *rest = dir;
	int e, r = 0;
	*out = NULL;
	cached_tree *c = *dir ? cache_find(s, dir, &rest) : NULL;
	if (!*dir || (c && !*rest)) {
		*out = c ? c->tree : s->root;
		return 0;
	}
	e = git_tree_entry_bypath(&te, c ? c->tree : s->root, rest);
	if (e == GIT_ENOTFOUND || (e == 0 && git_tree_entry_type(te) != GIT_OBJECT_TREE)) {
		mg_error_set("no folder '%s' in the %s", dir, s->name);
		r = MG_ENOTFOUND;
	} else if (e < 0 || git_tree_lookup(&t, s->repo, git_tree_entry_id(te)) < 0) {
		mg_error_set("cannot read '%s' from the %s: %s", dir, s->name, git_message());
		r = MG_EIO;
	} else if ((r = cache_put(s, dir, t)) == 0) {
		*out = t;
	}
	git_tree_entry_free(te);
	return r;
}

static int rev_list(mg_source *src, const char *dir, mg_entry_cb cb, void *ctx)
{
	rev_source *s = (rev_source *)src;
	children c = { 0 };
	git_tree *t = NULL;
	int r;
	if (!(dir = norm_path(&s->path, dir)))
		return MG_ENOMEM;
	if ((r = rev_tree(s, dir, &t)) < 0)
		return r;
	size_t n = git_tree_entrycount(t);
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(te);
		if ((r = children_add(&c, name, strlen(name), type_of_mode(git_tree_entry_filemode(te)))) < 0)
			goto done;
	}
	r = children_emit(&c, cb, ctx);
done:
	free(c.items);
	return r;
}

static int rev_read(mg_source *src, const char *path, mg_buf *out, size_t max)
{
	rev_source *s = (rev_source *)src;
	git_tree *t;
	int r;
	if (!(path = norm_path(&s->path, path)))
		return MG_ENOMEM;
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	mg_buf_clear(&s->dir);
	if (slash && (r = mg_buf_add(&s->dir, path, (size_t)(slash - path))) < 0)
		return r;
	r = *name ? rev_tree(s, s->dir.ptr, &t) : MG_ENOTFOUND;
	const git_tree_entry *te = r == 0 ? git_tree_entry_byname(t, name) : NULL;
	if (r == MG_ENOTFOUND || (r == 0 && !te)) {
		mg_error_set("'%s' is not in the %s", path, s->name);
		return MG_ENOTFOUND;
	}
	if (r < 0)
		return r;
	if (type_of_mode(git_tree_entry_filemode(te)) != MG_ENTRY_FILE) {
		mg_error_set("'%s' is not a regular file", path);
		return MG_EINVALID;
	}
	return read_blob(s->odb, git_tree_entry_id(te), path, s->name, out, max);
}

/*
 * A stamp in the index's format (see index_stamp): every blob below the
 * tree, in path order (a tree's entry order is the order of the paths below
 * it), with its path below the stamped folder, mode, stage 0 and id.  So a
 * product folder staged unchanged and the same folder in a commit have one
 * stamp, and the hook's facts cache serves a check of that commit too.
 */
static int stamp_tree(rev_source *s, const git_tree *t, mg_buf *out, int depth)
{
	size_t n = git_tree_entrycount(t), keep = s->sub.len;
	int r = 0;
	if (depth > 64) {
		mg_error_set("folders nested too deep in the %s", s->name);
		return MG_ETOOBIG;
	}
	for (size_t i = 0; i < n && r >= 0; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(te);
		s->sub.len = keep;
		s->sub.ptr[keep] = '\0';
		if ((r = mg_buf_adds(&s->sub, name)) < 0)
			break;
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			if (git_tree_lookup(&sub, s->repo, git_tree_entry_id(te)) < 0) {
				mg_error_set("cannot read '%s' from the %s: %s", s->sub.ptr, s->name, git_message());
				r = MG_EIO;
			} else if ((r = mg_buf_addc(&s->sub, '/')) == 0) {
				r = stamp_tree(s, sub, out, depth + 1);
			}
			git_tree_free(sub);
			continue;
		}
		ientry e = { s->sub.ptr, (uint32_t)git_tree_entry_filemode(te), 0, git_tree_entry_id(te)->id };
		r = stamp_entry(out, &e, 0);
	}
	s->sub.len = keep;
	s->sub.ptr[keep] = '\0';
	return r;
}

static int rev_stamp(mg_source *src, const char *path, mg_buf *out)
{
	rev_source *s = (rev_source *)src;
	git_tree_entry *te = NULL;
	git_tree *t = NULL;
	int r;
	if (!(path = norm_path(&s->path, path)))
		return MG_ENOMEM;
	mg_buf_clear(&s->sub);
	if (!*path)
		return stamp_tree(s, s->root, out, 0);
	int e = git_tree_entry_bypath(&te, s->root, path);
	if (e == GIT_ENOTFOUND)
		return 0; /* an absent path: the empty stamp */
	if (e < 0) {
		mg_error_set("cannot read '%s' from the %s: %s", path, s->name, git_message());
		return MG_EIO;
	}
	if (git_tree_entry_type(te) != GIT_OBJECT_TREE) {
		ientry one = { "", (uint32_t)git_tree_entry_filemode(te), 0, git_tree_entry_id(te)->id };
		r = stamp_entry(out, &one, 0);
	} else if ((r = rev_tree(s, path, &t)) == 0) {
		r = stamp_tree(s, t, out, 0);
	}
	git_tree_entry_free(te);
	return r;
}

static void rev_free(mg_source *src)
{
	rev_source *s = (rev_source *)src;
	for (int i = 0; i < TREE_CACHE_SIZE; i++) {
		free(s->cache[i].dir);
		git_tree_free(s->cache[i].tree);
	}
	git_tree_free(s->root);
	git_odb_free(s->odb);
	mg_buf_release(&s->path);
	mg_buf_release(&s->dir);
	mg_buf_release(&s->sub);
	mg_buf_release(&s->cache_dir);
	free(s);
	git_libgit2_shutdown();
}

static int resolve_rev(rev_source *s, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int r = 0;
	int e = git_revparse_single(&obj, s->repo, rev);
	if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC || e == GIT_EAMBIGUOUS)
		return mg_repo_unknown_revision(s->repo, rev);
	if (e < 0) {
		mg_error_set("cannot resolve revision '%s': %s", rev, git_message());
		return MG_EIO;
	}
	const char *kind = "tree";
	const git_oid *id = git_object_id(obj);
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		kind = "commit";
		id = git_object_id(commit);
	}
	if (git_object_peel((git_object **)&s->root, obj, GIT_OBJECT_TREE) < 0) {
		mg_error_set("'%s' names no commit or tree", rev);
		r = MG_EINVALID;
		goto done;
	}
	if (strcmp(kind, "tree") == 0)
		id = git_tree_id(s->root);
	git_oid_tostr(hex, sizeof hex, id);
	snprintf(s->name, sizeof s->name, "%s %.12s", kind, hex);
done:
	git_object_free(commit);
	git_object_free(obj);
	return r;
}

int mg_source_git_rev_new(mg_source **out, const char *repo_path, const char *rev)
{
	rev_source *s;
	int r;
	*out = NULL;
	if ((r = lib_init()) < 0)
		return r;
	if (!(s = calloc(1, sizeof *s))) {
		git_libgit2_shutdown();
		return mg_oom();
	}
	mg_buf_init(&s->path);
	mg_buf_init(&s->dir);
	mg_buf_init(&s->sub);
	mg_buf_init(&s->cache_dir);
	snprintf(s->name, sizeof s->name, "commit");
	s->base.name = s->name;
	s->base.list = rev_list;
	s->base.read = rev_read;
	s->base.free = rev_free;
	s->base.stamp = rev_stamp;
	if ((r = open_repo(&s->repo, repo_path)) < 0)
		goto done;
	if (git_repository_odb(&s->odb, s->repo) < 0) {
		mg_error_set("cannot open the object database: %s", git_message());
		r = MG_EIO;
		goto done;
	}
	if ((r = resolve_rev(s, rev)) < 0)
		goto done;
	if (mg_buf_addf(&s->cache_dir, "%smeshgate", git_repository_path(s->repo)) < 0) {
		r = mg_oom();
		goto done;
	}
	s->base.cache_dir = s->cache_dir.ptr;
	*out = &s->base;
	r = 0;
done:
	if (r < 0)
		rev_free(&s->base);
	return r;
}

/* ---- hooks ---- */

int mg_git_hooks_dir(mg_buf *out, const char *repo_path)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf hp = { 0 };
	int e, r;
	if ((r = lib_init()) < 0)
		return r;
	if ((r = open_repo(&repo, repo_path)) < 0)
		goto done;
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		mg_error_set("cannot read the git configuration: %s", git_message());
		r = MG_EIO;
		goto done;
	}
	e = git_config_get_path(&hp, cfg, "core.hooksPath");
	if (e < 0 && e != GIT_ENOTFOUND) {
		mg_error_set("cannot read core.hooksPath: %s", git_message());
		r = MG_EIO;
		goto done;
	}
	if (e == 0 && hp.size) {
		if (hp.ptr[0] != '/') {
			const char *top = git_repository_workdir(repo);
			if ((r = mg_buf_adds(out, top ? top : git_repository_path(repo))) < 0)
				goto done;
		}
		r = mg_buf_adds(out, hp.ptr);
	} else {
		r = mg_buf_addf(out, "%shooks", git_repository_commondir(repo));
	}
	if (r < 0)
		goto done;
	while (out->len > 1 && out->ptr[out->len - 1] == '/')
		out->ptr[--out->len] = '\0';
	r = 0;
done:
	git_buf_dispose(&hp);
	git_config_free(cfg);
	git_libgit2_shutdown();
	return r;
}
