/* opt.c - option parsing from a table (see cli.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "meshgate/distance.h"
#include "meshgate/error.h"
#include "meshgate/sort.h"

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

bool cli_color(const cli_ctx *cx, FILE *f)
{
	if (cx->color != CLI_COLOR_AUTO)
		return cx->color == CLI_COLOR_ALWAYS;
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	if ((nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fileno(f)) != 0;
}

void cli_note(const cli_ctx *cx, FILE *f, const char *fmt, ...)
{
	va_list ap;
	if (cx->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

typedef struct rule_count {
	mg_rule rule;
	mg_severity severity;
	size_t count;
} rule_count;

static int cmp_count(const void *x, const void *y)
{
	const rule_count *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return strcmp(mg_rule_id(a->rule), mg_rule_id(b->rule));
}

void cli_summary(const cli_ctx *cx, const mg_findings *f, const char *what)
{
	size_t errors = mg_findings_count_at(f, MG_SEV_ERROR), warnings = mg_findings_count_at(f, MG_SEV_WARNING);
	cli_note(cx, stderr, "meshgate: %zu error%s, %zu warning%s in %s\n", errors, errors == 1 ? "" : "s", warnings,
		 warnings == 1 ? "" : "s", what);
	if (!cx->statistics || !f->count)
		return;
	/* one row per rule and severity that occurs */
	rule_count rows[MG_RULE__COUNT * 4];
	size_t n = 0;
	for (size_t i = 0; i < f->count; i++) {
		const mg_finding *x = &f->items[i];
		size_t k = 0;
		while (k < n && (rows[k].rule != x->rule || rows[k].severity != x->severity))
			k++;
		if (k == n) {
			if (n == sizeof rows / sizeof *rows)
				continue;
			rows[n++] = (rule_count){ x->rule, x->severity, 0 };
		}
		rows[k].count++;
	}
	mg_sort(rows, n, sizeof *rows, cmp_count);
	for (size_t k = 0; k < n; k++)
		fprintf(stderr, "%7zu  %-8s %s\n", rows[k].count, mg_severity_name(rows[k].severity), mg_rule_id(rows[k].rule));
}

bool cli_close_enough(size_t distance, const char *candidate)
{
	return distance != (size_t)-1 && distance <= 2 && distance * 3 <= strlen(candidate);
}

/* The option name closest to name[0..len) among the command's and the shared ones, or NULL. */
static const char *closest_option(const cli_opt *opts, const cli_opt *shared, const char *name, size_t len)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	for (const cli_opt *t = opts; t; t = t == opts ? shared : NULL)
		for (const cli_opt *o = t; o->name; o++) {
			size_t d = mg_edit_distance(name, len, o->name, strlen(o->name));
			if (d < bd && cli_close_enough(d, o->name)) {
				bd = d;
				best = o->name;
			}
		}
	return best;
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
				const char *near = closest_option(opts, cx->shared, a + 2, len);
				if (near)
					return cli_usage_error(cmd, "unknown option '%.*s'; did you mean '--%s'?", (int)(len + 2), a,
							       near);
				return cli_usage_error(cmd, "unknown option '%s'", a);
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
