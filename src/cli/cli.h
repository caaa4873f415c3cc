/*
 * cli.h - the command-line front end: a command table (one file per
 * command, cmd_<name>.c), options declared as data, and the one place
 * where errors become messages and exit codes.  Only the CLI prints.
 */
#ifndef MESHGATE_CLI_H
#define MESHGATE_CLI_H

#include <stdbool.h>
#include <stdio.h>

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
} cli_opt;

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

int cmd_validate(int argc, char **argv, const cli_cmd *cmd);
int cmd_explain(int argc, char **argv, const cli_cmd *cmd);

#endif
