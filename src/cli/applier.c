/* applier.c - set-up shared by the applier commands (see applier.h). */
#include "cli/applier.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "meshgate/changes.h"
#include "meshgate/error.h"

int cli_today(char out[11], const char *given)
{
	if (given) {
		int y, m, d;
		char extra;
		if (strlen(given) != 10 || sscanf(given, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 ||
		    m > 12 || d < 1 || d > 31) {
			mg_error_set("--today wants a date as YYYY-MM-DD, not '%s'", given);
			return MG_EUSAGE;
		}
		memcpy(out, given, 11);
		return 0;
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return 0;
}

static int read_config(cli_applier *a)
{
	static const char *const names[] = { "meshgate.yaml", "meshgate.yml", "meshgate.json" };
	mg_buf path = MG_BUF_INIT, data = MG_BUF_INIT;
	mg_findings f;
	int r = 0;
	mg_findings_init(&f);
	for (size_t i = 0; i < 3; i++) {
		mg_buf_clear(&path);
		if ((r = mg_buf_addf(&path, "%s/%s", a->top.ptr, names[i])) < 0)
			break;
		struct stat st;
		if (stat(path.ptr, &st) != 0)
			continue;
		r = mg_buf_read_file(&data, path.ptr, a->cfg.limits.max_bytes);
		if (r == 0)
			r = mg_config_parse(&a->cfg, names[i], data.ptr, data.len, &f);
		break;
	}
	mg_findings_release(&f);
	mg_buf_release(&path);
	mg_buf_release(&data);
	return r;
}

static int open_all(cli_applier *a, const char *repo_dir, bool create);

int cli_applier_open(cli_applier *a, const char *repo_dir, bool create)
{
	int r = open_all(a, repo_dir, create);
	if (r < 0)
		cli_applier_close(a); /* nothing is left for the caller to release */
	return r;
}

static int open_all(cli_applier *a, const char *repo_dir, bool create)
{
	mg_buf p = MG_BUF_INIT;
	struct stat st;
	int r;
	memset(a, 0, sizeof *a);
	mg_buf_init(&a->top);
	mg_buf_init(&a->dir);
	mg_config_init(&a->cfg);
	if ((r = mg_git_toplevel(&a->top, repo_dir)) < 0 || (r = read_config(a)) < 0)
		return r;
	const char *sd = a->cfg.state_dir;
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
	mg_buf_clear(&p);
	if ((r = mg_buf_addf(&p, "%s/ledger.db", a->dir.ptr)) < 0 ||
	    (r = mg_backend_local_new(&a->backend, p.ptr)) < 0)
		goto done;
done:
	mg_buf_release(&p);
	return r;
}

void cli_applier_close(cli_applier *a)
{
	mg_backend_free(a->backend);
	mg_state_free(a->state);
	mg_config_release(&a->cfg);
	mg_buf_release(&a->top);
	mg_buf_release(&a->dir);
	a->backend = NULL;
	a->state = NULL;
}
