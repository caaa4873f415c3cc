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
#include "meshgate/config.h"
#include "meshgate/finding.h"

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

/*
 * What a command needs set up, declared in the command table (main.c) as
 * git declares its builtins' setup: the shared options are added to the
 * command's own, parsed and validated once (cli_parse), and what they name
 * is in the command's cli_ctx.
 */
enum {
	CLI_TAKES_DIR = 1u << 0,    /* -C DIR: run as if started in DIR (cx->dir, cx->repo) */
	CLI_TAKES_TODAY = 1u << 1,  /* --today YYYY-MM-DD, validated (cx->today, cx->today_given) */
	CLI_NEEDS_REPO = 1u << 2,   /* works in the git repository found from DIR upwards */
	CLI_NEEDS_STATE = 1u << 3,  /* opens the applied state (cli_applier_open) */
	CLI_READS_CONFIG = 1u << 4, /* acts on the work tree's meshgate.yaml (cli_config), read once */
	CLI_TAKES_QUIET = 1u << 5,  /* -q, --quiet: no summary or progress lines (cli_note) */
	CLI_TAKES_COLOR = 1u << 6,  /* --color WHEN: auto, always or never (cli_color) */
	CLI_TAKES_STATS = 1u << 7,  /* --statistics: per-rule counts after the summary (cli_summary) */
};

struct cli_ctx;

typedef struct cli_cmd {
	const char *name;
	const char *summary;
	const char *usage; /* "meshgate validate [options] [PATH]" */
	int (*run)(int argc, char **argv, struct cli_ctx *cx);
	unsigned setup; /* CLI_TAKES_DIR | ... */
} cli_cmd;

/* The shared options, in the order -h lists them after a command's own. */
enum { CLI_SHARED_QUIET, CLI_SHARED_COLOR, CLI_SHARED_STATS, CLI_SHARED_TODAY, CLI_SHARED_DIR, CLI_SHARED__COUNT };

typedef enum cli_color_when { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER } cli_color_when;

/* One run of a command: what the command table and the shared options set up. */
typedef struct cli_ctx {
	const cli_cmd *cmd;
	const char *dir;         /* -C DIR as given; NULL: the current directory */
	const char *repo;        /* DIR, or "." */
	const char *today_given; /* --today as given; NULL: not given */
	char today[11];          /* --today, or today (UTC) */
	bool quiet;              /* --quiet */
	bool statistics;         /* --statistics */
	cli_color_when color;    /* --color */
	/* CLI_READS_CONFIG: the work tree's meshgate.yaml, read by the first cli_config() */
	mg_config cfg;
	mg_buf top;
	bool have_cfg;
	cli_opt shared[CLI_SHARED__COUNT + 1];
} cli_ctx;

void cli_ctx_init(cli_ctx *cx, const cli_cmd *cmd);
void cli_ctx_release(cli_ctx *cx);
/*
 * cli_parse's last step: the shared options it saw, validated into cx.
 * CLI_RUN, or the exit status after a message: CLI_EXIT_USAGE for a bad
 * value, CLI_EXIT_FAILURE for a -C DIR that is no directory.
 */
int cli_ctx_take(cli_ctx *cx);
/*
 * The configuration the command acts on: the meshgate.yaml (or .yml,
 * .json) at the top of the repository (CLI_NEEDS_REPO) or in DIR, the
 * defaults when there is none; read once.  Only for a command whose table
 * entry says CLI_READS_CONFIG (an error otherwise, so a command acting on
 * another commit's configuration cannot pick up the work tree's).
 */
int cli_config(cli_ctx *cx, const mg_config **out);

/*
 * Parses argv[1..] against opts (terminated by a {NULL} entry) and the
 * shared options the command's table entry takes; positional arguments are
 * moved to the front of argv and counted in *npos.  Validates the shared
 * options into cx.  Returns CLI_RUN, or the exit status: CLI_EXIT_OK after
 * -h/--help printed the usage, CLI_EXIT_USAGE after a usage error.
 */
int cli_parse(int argc, char **argv, cli_opt *opts, cli_ctx *cx, int *npos);
/* cli_parse's "go on": anything else it returns is the exit status. */
#define CLI_RUN (-1)
void cli_usage(FILE *out, const cli_opt *opts, const cli_ctx *cx);
/* Prints "meshgate: error: <mg_error_last()>" and returns CLI_EXIT_FAILURE. */
int cli_fail(void);
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Whether to colour what goes to f: --color always or never, else (auto)
 * on a terminal, never with NO_COLOR set or TERM=dumb.
 */
bool cli_color(const cli_ctx *cx, FILE *f);
/* A summary or progress line to f, unless --quiet. */
void cli_note(const cli_ctx *cx, FILE *f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * validate's and check's last words on standard error (unless --quiet):
 * "meshgate: N errors, N warnings in <what>", and with --statistics one
 * line per rule and severity, the most frequent first.
 */
void cli_summary(const cli_ctx *cx, const mg_findings *f, const char *what);

/* Did you mean: whether an edit distance (mg_edit_distance) makes candidate a likely meaning. */
bool cli_close_enough(size_t distance, const char *candidate);

/* Writes text to path, or to standard output when path is NULL. */
int cli_write_output(const char *path, const mg_buf *text);

int cmd_validate(int argc, char **argv, cli_ctx *cx);
int cmd_explain(int argc, char **argv, cli_ctx *cx);
int cmd_hook(int argc, char **argv, cli_ctx *cx);
int cmd_check(int argc, char **argv, cli_ctx *cx);
int cmd_plan(int argc, char **argv, cli_ctx *cx);
int cmd_apply(int argc, char **argv, cli_ctx *cx);
int cmd_access(int argc, char **argv, cli_ctx *cx);
int cmd_drift(int argc, char **argv, cli_ctx *cx);
int cmd_unlock(int argc, char **argv, cli_ctx *cx);
int cmd_site(int argc, char **argv, cli_ctx *cx);
int cmd_score(int argc, char **argv, cli_ctx *cx);
int cmd_init(int argc, char **argv, cli_ctx *cx);
int cmd_new(int argc, char **argv, cli_ctx *cx);
int cmd_schema(int argc, char **argv, cli_ctx *cx);

#endif
