/* files.c - see files.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/files.h"
#include "meshgate/error.h"

int cli_make_dirs(mg_buf *path)
{
	struct stat st;
	if (stat(path->ptr, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		mg_error_set("'%s' is not a directory", path->ptr);
		return MG_EIO;
	}
	char *slash = strrchr(path->ptr, '/');
	if (slash && slash != path->ptr) {
		*slash = '\0';
		int r = cli_make_dirs(path);
		*slash = '/';
		if (r < 0)
			return r;
	}
	if (mkdir(path->ptr, 0777) != 0 && errno != EEXIST) {
		mg_error_set("cannot create '%s': %s", path->ptr, strerror(errno));
		return MG_EIO;
	}
	return 0;
}

int cli_join(mg_buf *out, const char *dir, const char *name)
{
	int r = (!dir || strcmp(dir, ".") == 0) ? mg_buf_adds(out, name) : mg_buf_addf(out, "%s/%s", dir, name);
	return r < 0 ? mg_oom() : 0;
}

bool cli_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int cli_write_file(const char *path, const char *text, size_t len, unsigned mode, bool replace)
{
	mg_buf tmp = MG_BUF_INIT;
	int fd = -1, r;
	if (!replace) {
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, (mode_t)mode)) < 0) {
			if (errno == EEXIST) {
				mg_error_set("'%s' exists", path);
				return MG_EINVALID;
			}
			mg_error_set("cannot create '%s': %s", path, strerror(errno));
			return MG_EIO;
		}
		if (write_all(fd, text, len) < 0 || close(fd) != 0) {
			mg_error_set("cannot write '%s': %s", path, strerror(errno));
			unlink(path);
			return MG_EIO;
		}
		return 0;
	}
	const char *slash = strrchr(path, '/');
	if (slash)
		r = mg_buf_addf(&tmp, "%.*s/.meshgate-new.XXXXXX", (int)(slash - path), path);
	else
		r = mg_buf_adds(&tmp, ".meshgate-new.XXXXXX");
	if (r < 0)
		return mg_oom();
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		mg_error_set("cannot create a file beside '%s': %s", path, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	if (write_all(fd, text, len) < 0 || fchmod(fd, (mode_t)mode) != 0 || close(fd) != 0) {
		fd = -1;
		mg_error_set("cannot write '%s': %s", tmp.ptr, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0) {
		mg_error_set("cannot write '%s': %s", path, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	r = 0;
done:
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp.ptr);
	mg_buf_release(&tmp);
	return r;
}

int cli_expand(mg_buf *out, const char *text, const char *const *keys)
{
	const char *p = text;
	while (*p) {
		const char *at = strchr(p, '@');
		if (!at)
			break;
		bool done = false;
		for (const char *const *k = keys; k[0]; k += 2) {
			size_t n = strlen(k[0]);
			if (strncmp(at + 1, k[0], n) == 0 && at[1 + n] == '@') {
				if (mg_buf_add(out, p, (size_t)(at - p)) < 0 || mg_buf_adds(out, k[1]) < 0)
					return mg_oom();
				p = at + n + 2;
				done = true;
				break;
			}
		}
		if (!done) {
			if (mg_buf_add(out, p, (size_t)(at - p) + 1) < 0)
				return mg_oom();
			p = at + 1;
		}
	}
	return mg_buf_adds(out, p) < 0 ? mg_oom() : 0;
}
