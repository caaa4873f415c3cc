/* applier.c - set-up shared by the applier commands (see applier.h). */
#include "meshgate/sort.h"
#include "cli/applier.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "meshgate/apply.h"
#include "meshgate/changes.h"
#include "meshgate/error.h"

int cli_audit_open(const char *path, FILE **out)
{
	*out = strcmp(path, "-") == 0 ? stdout : fopen(path, "a");
	if (!*out) {
		mg_error_set("cannot open audit log '%s': %s", path, strerror(errno));
		return MG_EIO;
	}
	return 0;
}

void cli_audit_line(void *ctx, const char *json_line)
{
	FILE *f = ctx;
	fputs(json_line, f);
	fputc('\n', f);
	fflush(f);
}

void cli_audit_close(FILE *f)
{
	if (f && f != stdout)
		fclose(f);
}

static int open_all(cli_applier *a, cli_ctx *cx, const mg_config *cfg, bool create);

/*
 * The sink of the backends' warnings: once a command per environment,
 * backend, kind, resource and message (a command may open an environment's backends
 * more than once, each a new session), on stderr, and in the audit log.
 */
static void backend_warning(void *ctx, const mg_backend_warning *w)
{
	cli_applier *a = ctx;
	mg_buf key = MG_BUF_INIT;
	if (mg_buf_addf(&key, "%s\t%s\t%s\t%s\t%s", w->environment, w->backend, w->code, w->resource,
			w->message) < 0)
		goto done; /* out of memory: show it, perhaps twice, rather than not at all */
	for (size_t i = 0; i < a->nwarned; i++)
		if (strcmp(a->warned[i], key.ptr) == 0) {
			mg_buf_release(&key);
			return;
		}
	char **grown = realloc(a->warned, (a->nwarned + 1) * sizeof *grown);
	if (grown) {
		a->warned = grown;
		char *k = mg_buf_detach(&key, NULL);
		if (k)
			a->warned[a->nwarned++] = k;
	}
done:
	mg_buf_release(&key);
	fprintf(stderr, "meshgate: warning: %s: %s: %s\n", w->environment, w->backend, w->message);
	if (a->audit) {
		mg_buf line = MG_BUF_INIT;
		if (mg_audit_warning_line(w, &line) == 0)
			cli_audit_line(a->audit, line.ptr);
		mg_buf_release(&line);
	}
}

int cli_applier_open(cli_applier *a, cli_ctx *cx, const mg_config *cfg, bool create)
{
	int r = open_all(a, cx, cfg, create);
	if (r < 0)
		cli_applier_close(a); /* nothing is left for the caller to release */
	return r;
}

static int open_all(cli_applier *a, cli_ctx *cx, const mg_config *cfg, bool create)
{
	mg_buf p = MG_BUF_INIT;
	struct stat st;
	int r;
	memset(a, 0, sizeof *a);
	mg_buf_init(&a->top);
	mg_buf_init(&a->dir);
	if (!(cx->cmd->setup & CLI_NEEDS_STATE)) {
		mg_error_set("internal error: 'meshgate %s' does not open the applied state", cx->cmd->name);
		return MG_EINVALID;
	}
	if ((r = mg_git_toplevel(&a->top, cx->repo)) < 0 || (!cfg && (r = cli_config(cx, &cfg)) < 0))
		return r;
	a->cfg = cfg;
	const char *sd = a->cfg->state_dir;
	if ((r = sd[0] == '/' ? mg_buf_adds(&a->dir, sd) : mg_buf_addf(&a->dir, "%s/%s", a->top.ptr, sd)) < 0)
		return r;
	if (stat(a->dir.ptr, &st) != 0) {
		if (!create) {
			mg_error_set("nothing has been applied here yet (no '%s')", sd);
			return MG_ENOTFOUND;
		}
		if (mkdir(a->dir.ptr, 0700) != 0) {
			mg_error_set("cannot create '%s': %s", a->dir.ptr, strerror(errno));
			return MG_EIO;
		}
		/* keep the ledger out of `git add -A` */
		if ((r = mg_buf_addf(&p, "%s/.gitignore", a->dir.ptr)) < 0)
			return r;
		FILE *f = fopen(p.ptr, "wx");
		if (f) {
			fputs("# meshgate's ledger and state: never commit these\n*\n", f);
			fclose(f);
		}
		mg_buf_clear(&p);
	} else if (!S_ISDIR(st.st_mode)) {
		mg_error_set("'%s' is not a directory", a->dir.ptr);
		return MG_EINVALID;
	}
	if ((r = mg_buf_addf(&p, "%s/state.db", a->dir.ptr)) < 0 || (r = mg_state_sqlite_new(&a->state, p.ptr)) < 0)
		goto done;
done:
	mg_buf_release(&p);
	return r;
}

int cli_applier_state(cli_applier *a, const char *env, mg_state **out)
{
	const mg_env_config *ec = mg_config_env(a->cfg, env);
	mg_buf p = MG_BUF_INIT;
	int r;
	*out = a->state;
	if (!ec || (!ec->state_path && !ec->state_lock))
		return 0;
	for (size_t i = 0; i < a->nstates; i++)
		if (strcmp(a->states[i].env, env) == 0) {
			*out = a->states[i].state;
			return 0;
		}
	if (a->nstates == CLI_MAX_STATES) {
		mg_error_set("more than %d environments with a state store of their own", CLI_MAX_STATES);
		return MG_EINVALID;
	}
	/* a lock every runner sees wraps the environment's store (its own, or a handle on the shared file) */
	const char *sp = ec->state_path;
	mg_state *st = NULL;
	if ((r = !sp		    ? mg_buf_addf(&p, "%s/state.db", a->dir.ptr)
		 : sp[0] == '/' ? mg_buf_adds(&p, sp)
				: mg_buf_addf(&p, "%s/%s", a->top.ptr, sp)) == 0 &&
	    (r = mg_state_sqlite_new(&st, p.ptr)) == 0 &&
	    (!ec->state_lock || (r = mg_state_lock_wrap(&st, st, ec->state_lock, ec->name)) == 0)) {
		a->states[a->nstates].state = st;
		a->states[a->nstates].env = ec->name;
		*out = a->states[a->nstates++].state;
	}
	mg_buf_release(&p);
	return r;
}

int cli_applier_backends(cli_applier *a, const char *env, mg_backends *out)
{
	const mg_env_config *ec = mg_config_env(a->cfg, env);
	mg_buf dir = MG_BUF_INIT;
	int r = 0;
	memset(out, 0, sizeof *out);
	/* an environment with a state file of its own keeps its backends' local files beside it */
	if (ec && ec->state_path) {
		const char *sp = ec->state_path, *slash = strrchr(sp, '/');
		size_t len = slash ? (size_t)(slash - sp) : 0;
		if (sp[0] == '/')
			r = len ? mg_buf_add(&dir, sp, len) : mg_buf_adds(&dir, "/");
		else if ((r = mg_buf_adds(&dir, a->top.ptr)) == 0 && len)
			r = mg_buf_addc(&dir, '/') | mg_buf_add(&dir, sp, len);
		if (r < 0)
			return mg_oom();
	}
	mg_backend_params p = { env, dir.len ? dir.ptr : a->dir.ptr, a->cfg->path ? a->cfg->path : "meshgate.yaml", NULL,
				{ backend_warning, a } };
	if (!ec || !ec->nbackends) {
		if ((r = mg_backend_create(&out->items[0], "local", &p)) == 0)
			out->count = 1;
		mg_buf_release(&dir);
		return r;
	}
	for (size_t i = 0; i < ec->nbackends && i < MG_BACKENDS_MAX; i++) {
		p.options = ec->backends[i].options;
		if ((r = mg_backend_create(&out->items[out->count], ec->backends[i].type, &p)) < 0) {
			mg_backends_release(out);
			break;
		}
		out->count++;
	}
	mg_buf_release(&dir);
	return r;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int cli_applier_environments(cli_applier *a, char ***out, size_t *n)
{
	char **all = NULL;
	size_t nall = 0;
	int r = a->state->environments(a->state, &all, &nall);
	for (size_t i = 0; r == 0 && i < a->cfg->nenvs; i++) {
		const mg_env_config *ec = &a->cfg->envs[i];
		mg_state *st;
		char **more = NULL;
		size_t nmore = 0;
		if (!ec->state_path)
			continue;
		if ((r = cli_applier_state(a, ec->name, &st)) < 0 || (r = st->environments(st, &more, &nmore)) < 0)
			break;
		char **grown = realloc(all, (nall + nmore + 1) * sizeof *grown);
		if (!grown) {
			for (size_t k = 0; k < nmore; k++)
				free(more[k]);
			free(more);
			r = mg_oom();
			break;
		}
		all = grown;
		for (size_t k = 0; k < nmore; k++) {
			/* a separate store answers only for its own environment */
			if (strcmp(more[k], ec->name) == 0)
				all[nall++] = more[k];
			else
				free(more[k]);
		}
		free(more);
	}
	if (r == 0 && nall) {
		mg_sort(all, nall, sizeof *all, cmp_str);
		size_t w = 1;
		for (size_t i = 1; i < nall; i++) {
			if (strcmp(all[i], all[w - 1]) == 0)
				free(all[i]);
			else
				all[w++] = all[i];
		}
		nall = w;
	}
	if (r < 0) {
		for (size_t i = 0; i < nall; i++)
			free(all[i]);
		free(all);
		all = NULL;
		nall = 0;
	}
	*out = all;
	*n = nall;
	return r;
}

void cli_applier_close(cli_applier *a)
{
	mg_state_free(a->state);
	for (size_t i = 0; i < a->nstates; i++)
		mg_state_free(a->states[i].state);
	for (size_t i = 0; i < a->nwarned; i++)
		free(a->warned[i]);
	free(a->warned);
	mg_buf_release(&a->top);
	mg_buf_release(&a->dir);
	a->state = NULL;
	a->nstates = 0;
	a->warned = NULL;
	a->nwarned = 0;
	a->audit = NULL;
}
