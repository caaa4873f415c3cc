/*
 * cmd_init.c - `meshgate init`: starts a catalogue repository with a
 * commented meshgate.yaml and a data-products-catalogue/ skeleton (a README
 * and the dev/ and prod/ environments).  Running it again is harmless: what
 * exists is kept, and only --force rewrites meshgate.yaml.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"

static const char *const environments[] = { "dev", "prod" };

/* A catalogue folder relative to the repository: no absolute path, no "..", no hidden folder. */
static bool valid_catalogue(const char *s)
{
	if (!*s || s[0] == '/')
		return false;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || p[0] == '.')
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Writes one embedded template, expanded, to dir/name unless it exists (or replace). */
static int write_template(const char *dir, const char *name, const char *template_name,
			  const char *const *keys, bool replace, bool *wrote)
{
	mg_buf path = MG_BUF_INIT, text = MG_BUF_INIT;
	int r;
	const char *t = mg_embedded_find(template_name, NULL);
	*wrote = false;
	if (!t) {
		mg_error_set("this meshgate was built without templates/%s", template_name);
		return MG_ENOTFOUND;
	}
	if ((r = cli_join(&path, dir, name)) < 0)
		goto done;
	if (!replace && cli_exists(path.ptr)) {
		r = 0;
		goto done;
	}
	if ((r = cli_expand(&text, t, keys)) < 0 ||
	    (r = cli_write_file(path.ptr, text.ptr, text.len, 0666, replace)) < 0)
		goto done;
	*wrote = true;
done:
	mg_buf_release(&path);
	mg_buf_release(&text);
	return r;
}

static int init(cli_ctx *cx, const char *catalogue, bool force)
{
	const char *dir = cx->repo;
	mg_buf path = MG_BUF_INIT;
	const char *keys[] = { "CATALOGUE", catalogue, NULL, NULL };
	bool wrote, existed;
	int r;
	static const char *const spellings[] = { "meshgate.yml", "meshgate.json" };
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
		mg_buf_clear(&path);
		if ((r = cli_join(&path, dir, spellings[i])) < 0)
			goto done;
		if (cli_exists(path.ptr)) {
			mg_error_set("'%s' exists; meshgate reads it instead of a meshgate.yaml", path.ptr);
			r = MG_EINVALID;
			goto done;
		}
	}
	mg_buf_clear(&path);
	if ((r = cli_join(&path, dir, "meshgate.yaml")) < 0)
		goto done;
	existed = cli_exists(path.ptr);
	if ((r = write_template(dir, "meshgate.yaml", "meshgate.yaml", keys, force, &wrote)) < 0)
		goto done;
	cli_note(cx, stdout, "meshgate: %s %s\n", wrote ? (existed ? "rewrote" : "wrote") : "kept the existing", path.ptr);

	mg_buf_clear(&path);
	if ((r = cli_join(&path, dir, catalogue)) < 0)
		goto done;
	if ((r = cli_make_dirs(&path)) < 0 ||
	    (r = write_template(path.ptr, "README.md", "catalogue-README.md", keys, false, &wrote)) < 0)
		goto done;
	for (size_t i = 0; i < sizeof environments / sizeof *environments; i++) {
		size_t base = path.len;
		/* git keeps no empty folder: a .gitkeep holds each environment until its first product */
		if (mg_buf_addf(&path, "/%s", environments[i]) < 0) {
			r = mg_oom();
			goto done;
		}
		if ((r = cli_make_dirs(&path)) < 0)
			goto done;
		if (mg_buf_adds(&path, "/.gitkeep") < 0) {
			r = mg_oom();
			goto done;
		}
		if (!cli_exists(path.ptr) && (r = cli_write_file(path.ptr, "", 0, 0666, false)) < 0)
			goto done;
		path.len = base;
		path.ptr[base] = '\0';
	}
	cli_note(cx, stdout, "meshgate: the catalogue is %s/ with the environments dev/ and prod/\n", path.ptr);
	cli_note(cx, stdout, "next: meshgate new dev/PRODUCT, then replace each <...> placeholder until "
	       "'meshgate validate' is clean\n");
	r = 0;
done:
	mg_buf_release(&path);
	return r;
}

int cmd_init(int argc, char **argv, cli_ctx *cx)
{
	enum { O_CATALOGUE, O_FORCE };
	cli_opt opts[] = {
		CLI_OPT("catalogue", 0, "FOLDER", "the catalogue folder (default: data-products-catalogue)"),
		CLI_OPT("force", 0, NULL, "rewrite an existing meshgate.yaml"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos)
		return cli_usage_error(cx->cmd, "init takes no arguments");
	const char *catalogue = opts[O_CATALOGUE].value ? opts[O_CATALOGUE].value : "data-products-catalogue";
	if (!valid_catalogue(catalogue))
		return cli_usage_error(cx->cmd, "--catalogue wants a folder inside the repository, not '%s'", catalogue);
	char trimmed[4096];
	size_t n = strlen(catalogue);
	while (n > 1 && catalogue[n - 1] == '/')
		n--;
	if (n >= sizeof trimmed)
		return cli_usage_error(cx->cmd, "--catalogue is too long");
	memcpy(trimmed, catalogue, n);
	trimmed[n] = '\0';
	if (init(cx, trimmed, opts[O_FORCE].seen) < 0)
		return cli_fail();
	return CLI_EXIT_OK;
}
