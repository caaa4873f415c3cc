/*
 * files.h - the few file-system writes commands make (init, new, hook):
 * folders made as `mkdir -p` does, and files written whole, never over
 * something that is there unless asked.  0 or a negative error code with
 * the message set, as everywhere.
 */
#ifndef MESHGATE_CLI_FILES_H
#define MESHGATE_CLI_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/buf.h"

/* mkdir -p path (mode 0777 less the umask); path is restored on return. */
int cli_make_dirs(mg_buf *path);

/*
 * Writes len bytes of text to path with the given mode.  Without replace a
 * file that exists is an error (MG_EINVALID, "'path' exists"); with it the
 * new file is written beside and renamed over the old one, so a reader
 * never sees half a file and a symbolic link is replaced, not followed.
 */
int cli_write_file(const char *path, const char *text, size_t len, unsigned mode, bool replace);

/* Appends text to out with each @KEY@ of keys[] (NULL-terminated pairs: "KEY", "value") replaced. */
int cli_expand(mg_buf *out, const char *text, const char *const *keys);

/* Appends dir/name to out, or just name when dir is NULL or ".", so messages show paths as typed. */
int cli_join(mg_buf *out, const char *dir, const char *name);

/* true when path exists (lstat). */
bool cli_exists(const char *path);

#endif
