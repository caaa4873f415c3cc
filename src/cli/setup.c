/*
 * setup.c - what the command table declares a command needs (see cli.h):
 * the shared options, validated once, and the work tree's meshgate.yaml,
 * read once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "meshgate/changes.h"
#include "meshgate/date.h"
#include "meshgate/error.h"

void cli_ctx_init(cli_ctx *cx, const cli_cmd *cmd)
{
	memset(cx, 0, sizeof *cx);
	cx->cmd = cmd;
	cx->repo = ".";
	mg_config_init(&cx->cfg);
	mg_buf_init(&cx->top);
	/* each shared option in one place: its name, its argument and its help */
	static const cli_opt shared[CLI_SHARED__COUNT] = {
		[CLI_SHARED_QUIET] = CLI_OPT("quiet", 'q', NULL, "print no summary or progress lines, only findings and errors"),
		[CLI_SHARED_COLOR] = CLI_OPT("color", 0, "WHEN", "colour the report: auto (default), always or never"),
		[CLI_SHARED_STATS] = CLI_OPT("statistics", 0, NULL, "count the findings of each rule after the summary"),
		[CLI_SHARED_TODAY] = CLI_OPT("today", 0, "YYYY-MM-DD", "judge clearances on this day (default: today, UTC)"),
		[CLI_SHARED_DIR] = CLI_OPT("directory", 'C', "DIR", "run as if started in DIR (default: the current directory)"),
	};
	static const unsigned needs[CLI_SHARED__COUNT] = {
		[CLI_SHARED_QUIET] = CLI_TAKES_QUIET,
		[CLI_SHARED_COLOR] = CLI_TAKES_COLOR,
		[CLI_SHARED_STATS] = CLI_TAKES_STATS,
		[CLI_SHARED_TODAY] = CLI_TAKES_TODAY,
		[CLI_SHARED_DIR] = CLI_TAKES_DIR,
	};
	size_t n = 0;
	for (size_t i = 0; i < CLI_SHARED__COUNT; i++)
		if (cmd->setup & needs[i])
			cx->shared[n++] = shared[i];
	cx->shared[n] = (cli_opt)CLI_OPT_END;
}

void cli_ctx_release(cli_ctx *cx)
{
	mg_config_release(&cx->cfg);
	mg_buf_release(&cx->top);
	cx->have_cfg = false;
}

int cli_ctx_take(cli_ctx *cx)
{
	for (cli_opt *o = cx->shared; o->name; o++) {
		if (strcmp(o->name, "directory") == 0 && o->seen) {
			/* every command: DIR must be a directory (a file here is a mistake, not a repository) */
			struct stat st;
			if (stat(o->value, &st) != 0) {
				mg_error_set("-C '%s': %s", o->value, errno == ENOENT ? "no such directory" : strerror(errno));
				return cli_fail();
			}
			if (!S_ISDIR(st.st_mode)) {
				mg_error_set("-C '%s' is a file, not a directory; -C names the directory to run in", o->value);
				return cli_fail();
			}
			cx->dir = cx->repo = o->value;
		} else if (strcmp(o->name, "today") == 0 && o->seen) {
			if (!mg_date_valid(o->value, strlen(o->value)))
				return cli_usage_error(cx->cmd, "--today wants a date as YYYY-MM-DD, not '%s'", o->value);
			cx->today_given = o->value;
		} else if (strcmp(o->name, "quiet") == 0) {
			cx->quiet = o->seen;
		} else if (strcmp(o->name, "statistics") == 0) {
			cx->statistics = o->seen;
		} else if (strcmp(o->name, "color") == 0 && o->seen) {
			static const char *const whens[] = { "auto", "always", "never" };
			size_t i = 0;
			while (i < 3 && strcmp(o->value, whens[i]) != 0)
				i++;
			if (i == 3)
				return cli_usage_error(cx->cmd, "--color wants auto, always or never, not '%s'", o->value);
			cx->color = (cli_color_when)i;
		}
	}
	if (cx->today_given) {
		memcpy(cx->today, cx->today_given, sizeof cx->today);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(cx->today, sizeof cx->today, "%Y-%m-%d", &tm);
	}
	return CLI_RUN;
}

static int read_config(cli_ctx *cx)
{
	static const char *const names[] = { "meshgate.yaml", "meshgate.yml", "meshgate.json" };
	mg_buf path = MG_BUF_INIT, data = MG_BUF_INIT;
	mg_findings f;
	int r = 0;
	mg_findings_init(&f);
	if (cx->cmd->setup & CLI_NEEDS_REPO)
		r = mg_git_toplevel(&cx->top, cx->repo);
	else
		r = mg_buf_adds(&cx->top, cx->repo);
	/* a broken meshgate.yaml is validate's to report: the defaults stand for what cannot be read */
	for (size_t i = 0; r == 0 && i < sizeof names / sizeof *names; i++) {
		mg_buf_clear(&path);
		if ((r = mg_buf_addf(&path, "%s/%s", cx->top.ptr, names[i])) < 0)
			break;
		struct stat st;
		if (stat(path.ptr, &st) != 0)
			continue;
		if ((r = mg_buf_read_file(&data, path.ptr, cx->cfg.limits.max_bytes)) == 0)
			r = mg_config_parse(&cx->cfg, names[i], data.ptr, data.len, &f);
		break;
	}
	mg_findings_release(&f);
	mg_buf_release(&path);
	mg_buf_release(&data);
	return r;
}

int cli_config(cli_ctx *cx, const mg_config **out)
{
	*out = NULL;
	if (!(cx->cmd->setup & CLI_READS_CONFIG)) {
		mg_error_set("internal error: 'meshgate %s' does not act on the work tree's meshgate.yaml", cx->cmd->name);
		return MG_EINVALID;
	}
	if (!cx->have_cfg) {
		int r = read_config(cx);
		if (r < 0)
			return r;
		cx->have_cfg = true;
	}
	*out = &cx->cfg;
	return 0;
}
