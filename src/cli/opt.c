/* opt.c - option parsing from a table (see cli.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "meshgate/error.h"

static void usage_lines(FILE *out, const cli_opt *opts)
{
	for (const cli_opt *o = opts; o->name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(out, "  %-28s %s\n", left, o->help);
	}
}

void cli_usage(FILE *out, const cli_opt *opts, const cli_ctx *cx)
{
	fprintf(out, "usage: %s\n\n%s\n", cx->cmd->usage, cx->cmd->summary);
	if ((!opts || !opts[0].name) && !cx->shared[0].name)
		return;
	fputs("\noptions:\n", out);
	if (opts)
		usage_lines(out, opts);
	usage_lines(out, cx->shared);
	fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
}

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("meshgate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", cmd->usage);
	return CLI_EXIT_USAGE;
}

int cli_fail(void)
{
	const char *m = mg_error_last();
	fprintf(stderr, "meshgate: error: %s\n", *m ? m : "unexpected failure");
	return CLI_EXIT_FAILURE;
}

bool cli_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	return isatty(fileno(f)) != 0;
}

/* The command's own options, then the shared ones its table entry takes. */
static cli_opt *find_long(cli_opt *opts, cli_opt *shared, const char *name, size_t len)
{
	for (cli_opt *t = opts; t; t = t == opts ? shared : NULL)
		for (cli_opt *o = t; o->name; o++)
			if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
				return o;
	return NULL;
}

static cli_opt *find_short(cli_opt *opts, cli_opt *shared, char c)
{
	cli_opt *found = NULL;
	for (cli_opt *t = opts; t; t = t == opts ? shared : NULL)
		for (cli_opt *o = t; o->name; o++)
			if (o->short_name && o->short_name == c)
				found = o;
	return found;
}

int cli_parse(int argc, char **argv, cli_opt *opts, cli_ctx *cx, int *npos)
{
	const cli_cmd *cmd = cx->cmd;
	int pos = 0, only_pos = 0, seq = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			argv[pos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli_usage(stdout, opts, cx);
			return CLI_EXIT_OK;
		}
		cli_opt *o = NULL;
		const char *value = NULL;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_long(opts, cx->shared, a + 2, len);
			if (!o) {
				cli_usage_error(cmd, "unknown option '%s'", a);
				return CLI_EXIT_USAGE;
			}
			if (eq) {
				if (!o->arg) {
					cli_usage_error(cmd, "option '--%s' takes no value", o->name);
					return CLI_EXIT_USAGE;
				}
				value = eq + 1;
			}
		} else {
			o = find_short(opts, cx->shared, a[1]);
			if (!o || (a[2] && !o->arg)) {
				cli_usage_error(cmd, "unknown option '%s'", a);
				return CLI_EXIT_USAGE;
			}
			if (a[2])
				value = a + 2;
		}
		if (o->arg && !value) {
			if (i + 1 >= argc) {
				cli_usage_error(cmd, "option '--%s' needs a value (%s)", o->name, o->arg);
				return CLI_EXIT_USAGE;
			}
			value = argv[++i];
		}
		if (o->count >= CLI_MAX_REPEAT) {
			cli_usage_error(cmd, "option '--%s' given too often", o->name);
			return CLI_EXIT_USAGE;
		}
		o->seen = true;
		o->value = value;
		o->values[o->count] = value;
		o->order[o->count++] = seq++;
	}
	*npos = pos;
	return cli_ctx_take(cx);
}
