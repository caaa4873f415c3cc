/*
 * main.c - the command table and dispatch.  Each command lives in its own
 * cmd_<name>.c; this file only finds it and handles the global options.
 */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "meshgate/backend.h"
#include "meshgate/distance.h"
#include "meshgate/source.h"

/*
 * Each command with what it needs set up (cli.h): -C and --today are
 * declared, parsed and validated once for the commands that take them, and
 * only a command marked CLI_READS_CONFIG reads the work tree's
 * meshgate.yaml (apply acts on the configuration of the commit it applies).
 */
static const cli_cmd commands[] = {
	{ "validate", "Check a data-product catalogue: schema, classification and consistency rules.",
	  "meshgate validate [--staged | --rev COMMIT-ISH] [--format F [--output FILE]]... [--today YYYY-MM-DD] [--no-cache] [--quiet] [--color WHEN] [--statistics] [-C DIR] [PATH]",
	  cmd_validate, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_TAKES_QUIET | CLI_TAKES_COLOR |
	    CLI_TAKES_STATS },
	{ "check", "The pull-request check: validate the head, apply the change rules, show the access plan.",
	  "meshgate check --base COMMIT [--head COMMIT] [--all] [--format F [--output FILE]]... [--post-status github|gitlab] [--today YYYY-MM-DD] [--no-cache] [--quiet] [--color WHEN] [--statistics] [-C DIR]",
	  cmd_check, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_NEEDS_REPO | CLI_TAKES_QUIET | CLI_TAKES_COLOR |
	    CLI_TAKES_STATS },
	{ "explain", "Print the documentation of a rule, or list every rule.",
	  "meshgate explain RULE | meshgate explain --list",
	  cmd_explain, 0 },
	{ "hook", "Install or remove meshgate's pre-commit hook in a git repository.",
	  "meshgate hook install [--force] [-C DIR] | meshgate hook uninstall [-C DIR]",
	  cmd_hook, CLI_TAKES_DIR | CLI_NEEDS_REPO },
	{ "plan", "Show the grants and revokes a change would cause, in data-product terms.",
	  "meshgate plan [--from COMMIT] [--to COMMIT] [--env ENV] [--format text|json|markdown] [--output FILE] [--today YYYY-MM-DD] [-C DIR]",
	  cmd_plan, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_NEEDS_REPO | CLI_NEEDS_STATE | CLI_READS_CONFIG },
	{ "apply", "Apply the catalogue to the backend (post-merge, protected branch only).",
	  "meshgate apply [--env ENV] [--lock-timeout SECONDS] [--audit FILE|-] [--batch-size N] [--today YYYY-MM-DD] [--quiet] [-C DIR]",
	  cmd_apply, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_NEEDS_REPO | CLI_NEEDS_STATE | CLI_TAKES_QUIET },
	{ "access", "Answer who can read what: from the backends, or from any commit with --rev.",
	  "meshgate access (--consumer PRINCIPAL | --product PRODUCT | --column TABLE.COLUMN) [--env ENV] [--rev COMMIT-ISH [--today YYYY-MM-DD]] [-C DIR]",
	  cmd_access, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_NEEDS_REPO | CLI_NEEDS_STATE | CLI_READS_CONFIG },
	{ "drift", "Compare the backend's grants with the last applied commit.",
	  "meshgate drift [--env ENV] [--fix [--audit FILE|-]] [--today YYYY-MM-DD] [--quiet] [-C DIR]",
	  cmd_drift, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_NEEDS_REPO | CLI_NEEDS_STATE | CLI_READS_CONFIG |
	    CLI_TAKES_QUIET },
	{ "unlock", "Break the stale lock of an environment after checking its holder is gone.",
	  "meshgate unlock --env ENV [--force [--other-host]] [-C DIR]",
	  cmd_unlock, CLI_TAKES_DIR | CLI_NEEDS_REPO | CLI_NEEDS_STATE | CLI_READS_CONFIG },
	{ "site", "Write a static catalogue site: products, effective access, lineage, DATSIS scores.",
	  "meshgate site [--out DIR] [--rev COMMIT-ISH] [--today YYYY-MM-DD] [--title TEXT] [--quiet] [-C DIR] [PATH]",
	  cmd_site, CLI_TAKES_DIR | CLI_TAKES_TODAY | CLI_TAKES_QUIET },
	{ "score", "Print each product's DATSIS score; --min N fails below N.",
	  "meshgate score [--format text|json] [--min N] [--rev COMMIT-ISH] [--today YYYY-MM-DD] [-C DIR] [PATH]",
	  cmd_score, CLI_TAKES_DIR | CLI_TAKES_TODAY },
	{ "init", "Start a catalogue repository: a commented meshgate.yaml and the catalogue folders.",
	  "meshgate init [--catalogue FOLDER] [--force] [--quiet] [-C DIR]",
	  cmd_init, CLI_TAKES_DIR | CLI_TAKES_QUIET },
	{ "new", "Start a data product: its six files, with placeholders to fill in.",
	  "meshgate new [--quiet] [-C DIR] ENV/PRODUCT",
	  cmd_new, CLI_TAKES_DIR | CLI_READS_CONFIG | CLI_TAKES_QUIET },
	{ "schema", "Print the JSON Schema of a catalogue file or of meshgate.yaml.",
	  "meshgate schema NAME | meshgate schema --list",
	  cmd_schema, 0 },
};

#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
	fputs("usage: meshgate [--version] [--help] <command> [<args>]\n\n"
	      "Data products as code: validate a data-mesh catalogue kept in git.\n\n"
	      "commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'meshgate help <command>' or 'meshgate <command> -h' shows a command's options; docs/meshgate.md has\n"
	      "the details.\n"
	      "exit status: 0 no errors, 1 error-level findings, 2 usage error, 3 runtime failure\n",
	      out);
}

static const cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	fprintf(stderr, "meshgate: '%s' is not a meshgate command; see 'meshgate --help'\n", name);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t d = mg_edit_distance(name, strlen(name), commands[i].name, strlen(commands[i].name));
		if (d < bd && cli_close_enough(d, commands[i].name)) {
			bd = d;
			best = commands[i].name;
		}
	}
	if (best)
		fprintf(stderr, "did you mean 'meshgate %s'?\n", best);
	return CLI_EXIT_USAGE;
}

static int run(const cli_cmd *cmd, int argc, char **argv)
{
	/*
	 * One libgit2 initialisation for the whole process: the library's
	 * own init/shutdown pairs then only count, instead of tearing
	 * libgit2 down and re-reading the TLS CA bundle each time.
	 */
	cli_ctx cx;
	mg_git_init();
	cli_ctx_init(&cx, cmd);
	int status = cmd->run(argc, argv, &cx);
	cli_ctx_release(&cx);
	mg_repo_close_all();
	git_libgit2_shutdown();
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 && argc > 2) {
		/* meshgate help CMD: the command's -h */
		if (argc > 3) {
			fprintf(stderr, "meshgate: 'help' takes one command\n");
			return CLI_EXIT_USAGE;
		}
		const cli_cmd *cmd = find_command(argv[2]);
		if (!cmd)
			return unknown_command(argv[2]);
		char help_flag[] = "--help", *help_argv[] = { argv[2], help_flag, NULL };
		return run(cmd, 2, help_argv);
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("meshgate %s\nbackends: %s\n", MESHGATE_VERSION, mg_backend_types_built());
		return CLI_EXIT_OK;
	}
	const cli_cmd *cmd = find_command(name);
	return cmd ? run(cmd, argc - 1, argv + 1) : unknown_command(name);
}
