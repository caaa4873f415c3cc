/*
 * cmd_hook.c - `meshgate hook install`: writes hooks/pre-commit (compiled
 * into the binary) where git runs hooks for the repository, honouring
 * core.hooksPath.  Idempotent; a pre-commit hook that is not meshgate's is
 * only replaced with --force.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"
#include "meshgate/source.h"

/* A line of hooks/pre-commit that marks a hook as meshgate's. */
#define HOOK_MARKER "# meshgate-hook:"
#define HOOK_MAX_BYTES (1u << 20)

/* mkdir -p */
static int make_dirs(mg_buf *path)
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
		int r = make_dirs(path);
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

static int is_ours(const mg_buf *text)
{
	return strncmp(text->ptr, HOOK_MARKER, strlen(HOOK_MARKER)) == 0 ||
	       strstr(text->ptr, "\n" HOOK_MARKER) != NULL;
}

/* Writes the hook beside its final name and renames it into place (replacing a link, not its target). */
static int write_hook(const char *dir, const char *path, const char *text, size_t len)
{
	mg_buf tmp = MG_BUF_INIT;
	int fd = -1, r;
	if ((r = mg_buf_addf(&tmp, "%s/.pre-commit.meshgate.XXXXXX", dir)) < 0)
		return r;
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		mg_error_set("cannot create a file in '%s': %s", dir, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, 0755) != 0 || close(fd) != 0) {
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

static int install(const char *repo, bool force)
{
	mg_buf dir = MG_BUF_INIT, path = MG_BUF_INIT, old = MG_BUF_INIT;
	size_t len;
	struct stat st;
	const char *verb = "installed", *note = "";
	int r;
	const char *script = mg_embedded_find("pre-commit", &len);
	if (!script) {
		mg_error_set("this meshgate was built without hooks/pre-commit");
		r = MG_ENOTFOUND;
		goto done;
	}
	if ((r = mg_git_hooks_dir(&dir, repo)) < 0 || (r = make_dirs(&dir)) < 0 ||
	    (r = mg_buf_addf(&path, "%s/pre-commit", dir.ptr)) < 0)
		goto done;
	if (lstat(path.ptr, &st) == 0) {
		int readable = S_ISREG(st.st_mode) || S_ISLNK(st.st_mode);
		if (readable && mg_buf_read_file(&old, path.ptr, HOOK_MAX_BYTES) < 0)
			readable = 0;
		if (readable && old.len == len && memcmp(old.ptr, script, len) == 0 &&
		    S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0755) {
			printf("meshgate: the pre-commit hook in '%s' is up to date\n", path.ptr);
			r = 0;
			goto done;
		}
		if (!readable || !is_ours(&old)) {
			if (!force) {
				mg_error_set("'%s' is another pre-commit hook, not meshgate's; "
					     "use --force to replace it",
					     path.ptr);
				r = MG_EINVALID;
				goto done;
			}
			verb = "replaced";
			note = " (the previous one was not meshgate's)";
		} else {
			verb = "updated";
		}
	}
	if ((r = write_hook(dir.ptr, path.ptr, script, len)) < 0)
		goto done;
	printf("meshgate: %s the pre-commit hook in '%s'%s\n", verb, path.ptr, note);
	r = 0;
done:
	mg_buf_release(&dir);
	mg_buf_release(&path);
	mg_buf_release(&old);
	return r;
}

int cmd_hook(int argc, char **argv, const cli_cmd *cmd)
{
	enum { O_FORCE, O_DIR };
	cli_opt opts[] = {
		CLI_OPT("force", 0, NULL, "replace a pre-commit hook that is not meshgate's"),
		CLI_OPT("directory", 'C', "DIR", "the repository (any directory in it; default: the current one)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cmd, &npos)) != 0)
		return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (npos == 0)
		return cli_usage_error(cmd, "which action? only 'install' exists");
	if (strcmp(argv[0], "install") != 0)
		return cli_usage_error(cmd, "unknown action '%s'; only 'install' exists", argv[0]);
	if (npos > 1)
		return cli_usage_error(cmd, "too many arguments");
	if (install(opts[O_DIR].value, opts[O_FORCE].seen) < 0)
		return cli_fail();
	return CLI_EXIT_OK;
}
