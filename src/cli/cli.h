/*
 * cli.h - the command-line front end: a command table (one file per
 * command, cmd_<name>.c), options declared as data, and the one place
 * where errors become messages and exit codes.  Only the CLI prints.
 */
#ifndef MESHGATE_CLI_H
#define MESHGATE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "meshgate/buf.h"

/* Exit status, as documented in docs/meshgate.md. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FINDINGS = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_FAILURE = 3
};

typedef struct cli_opt {
	const char *name;  /* long name without "--" */
	char short_name;   /* 0 for none */
	const char *arg;   /* argument name for usage, NULL for a flag */
	const char *help;
	/* filled by cli_parse: */
	bool seen;
	const char *value; /* last value given */
	/* every occurrence, in command-line order (up to CLI_MAX_REPEAT) */
	int count;
	const char *values[16];
	int order[16]; /* position among all options parsed, for pairing */
} cli_opt;

#define CLI_MAX_REPEAT 16
/* An option table entry, and the entry that ends a table. */
#define CLI_OPT(name, short_name, arg, help) { name, short_name, arg, help, false, NULL, 0, { 0 }, { 0 } }
#define CLI_OPT_END CLI_OPT(NULL, 0, NULL, NULL)

typedef struct cli_cmd {
	const char *name;
	const char *summary;
	const char *usage; /* "meshgate validate [options] [PATH]" */
	int (*run)(int argc, char **argv, const struct cli_cmd *cmd);
} cli_cmd;

/*
 * Parses argv[1..] against opts (terminated by a {NULL} entry); positional
 * arguments are moved to the front of argv and counted in *npos.  Handles
 * -h/--help by printing usage and returning 1 (caller exits 0).  Returns 0,
 * 1 for help, or -1 after printing a usage error.
 */
int cli_parse(int argc, char **argv, cli_opt *opts, const cli_cmd *cmd, int *npos);
void cli_usage(FILE *out, const cli_opt *opts, const cli_cmd *cmd);
/* Prints "meshgate: error: <mg_error_last()>" and returns CLI_EXIT_FAILURE. */
int cli_fail(void);
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Colour on a terminal, never with NO_COLOR set. */
bool cli_color(FILE *f);

/* Writes text to path, or to standard output when path is NULL. */
int cli_write_output(const char *path, const mg_buf *text);

int cmd_validate(int argc, char **argv, const cli_cmd *cmd);
int cmd_explain(int argc, char **argv, const cli_cmd *cmd);
int cmd_hook(int argc, char **argv, const cli_cmd *cmd);
int cmd_check(int argc, char **argv, const cli_cmd *cmd);
int cmd_plan(int argc, char **argv, const cli_cmd *cmd);
int cmd_apply(int argc, char **argv, const cli_cmd *cmd);
int cmd_access(int argc, char **argv, const cli_cmd *cmd);
int cmd_drift(int argc, char **argv, const cli_cmd *cmd);
int cmd_unlock(int argc, char **argv, const cli_cmd *cmd);
int cmd_site(int argc, char **argv, const cli_cmd *cmd);
int cmd_score(int argc, char **argv, const cli_cmd *cmd);
int cmd_init(int argc, char **argv, const cli_cmd *cmd);
int cmd_new(int argc, char **argv, const cli_cmd *cmd);
int cmd_schema(int argc, char **argv, const cli_cmd *cmd);

#endif
