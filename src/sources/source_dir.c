/* source_dir.c - the work-tree source: a directory of the file system (see meshgate/source.h). */
#include "meshgate/sort.h"
#include "meshgate/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshgate/error.h"

typedef struct {
	mg_source base;
	char *root;
} dir_source;

static int join(mg_buf *out, const dir_source *s, const char *rel)
{
	mg_buf_clear(out);
	if (*rel == '/') /* an absolute path given on the command line */
		return mg_buf_adds(out, rel);
	if (mg_buf_adds(out, s->root) < 0)
		return MG_ENOMEM;
	if (*rel && (mg_buf_addc(out, '/') < 0 || mg_buf_adds(out, rel) < 0))
		return MG_ENOMEM;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dir_list(mg_source *src, const char *dir, mg_entry_cb cb, void *ctx)
{
	dir_source *s = (dir_source *)src;
	mg_buf path = MG_BUF_INIT;
	int r;
	if ((r = join(&path, s, dir)) < 0)
		return r;
	DIR *d = opendir(path.ptr);
	if (!d) {
		r = errno == ENOENT || errno == ENOTDIR ? MG_ENOTFOUND : MG_EIO;
		mg_error_set("cannot open directory '%s': %s", path.ptr, strerror(errno));
		mg_buf_release(&path);
		return r;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				r = mg_oom();
				goto done;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = mg_oom();
			goto done;
		}
		n++;
	}
	mg_sort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct stat st;
		mg_entry e = { names[i], MG_ENTRY_OTHER };
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISREG(st.st_mode))
				e.type = MG_ENTRY_FILE;
			else if (S_ISDIR(st.st_mode))
				e.type = MG_ENTRY_DIR;
			else if (S_ISLNK(st.st_mode))
				e.type = MG_ENTRY_SYMLINK;
		}
		r = cb(&e, ctx);
	}
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	mg_buf_release(&path);
	return r;
}

static int dir_read(mg_source *src, const char *rel, mg_buf *out, size_t max)
{
	dir_source *s = (dir_source *)src;
	mg_buf path = MG_BUF_INIT;
	int r;
	if ((r = join(&path, s, rel)) < 0)
		return r;
	/* O_NOFOLLOW: a symlink swapped in after listing is still not followed */
	int fd = open(path.ptr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0) {
		r = errno == ENOENT ? MG_ENOTFOUND : MG_EIO;
		mg_error_set("cannot open '%s': %s", rel, strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		mg_error_set("'%s' is not a regular file", rel);
		r = MG_EINVALID;
		goto done;
	}
	if ((size_t)st.st_size > max) {
		mg_error_set("'%s' is %lld bytes, larger than the limit of %zu", rel,
			     (long long)st.st_size, max);
		r = MG_ETOOBIG;
		goto done;
	}
	mg_buf_clear(out);
	if ((r = mg_buf_grow(out, (size_t)st.st_size)) < 0)
		goto done;
	while (1) {
		if ((r = mg_buf_grow(out, 4096)) < 0)
			goto done;
		ssize_t k = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			mg_error_set("cannot read '%s': %s", rel, strerror(errno));
			r = MG_EIO;
			goto done;
		}
		if (k == 0)
			break;
		out->len += (size_t)k;
		out->ptr[out->len] = '\0';
		if (out->len > max) { /* the file grew while we read it */
			mg_error_set("'%s' is larger than the limit of %zu bytes", rel, max);
			r = MG_ETOOBIG;
			goto done;
		}
	}
	r = 0;
done:
	if (fd >= 0)
		close(fd);
	mg_buf_release(&path);
	return r;
}

static void dir_free(mg_source *src)
{
	dir_source *s = (dir_source *)src;
	free(s->root);
	free(s);
}

int mg_source_dir_new(mg_source **out, const char *root)
{
	dir_source *s = calloc(1, sizeof *s);
	if (!s || !(s->root = strdup(root && *root ? root : "."))) {
		free(s);
		return mg_oom();
	}
	size_t n = strlen(s->root);
	while (n > 1 && s->root[n - 1] == '/')
		s->root[--n] = '\0';
	s->base.name = "work tree";
	s->base.list = dir_list;
	s->base.read = dir_read;
	s->base.free = dir_free;
	*out = &s->base;
	return 0;
}

void mg_source_free(mg_source *s)
{
	if (s)
		s->free(s);
}
