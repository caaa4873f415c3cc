/*
 * cmd_access.c - `meshgate access`: who can read what, as the backends of
 * each applied environment report it (the embedded ledger by default, the
 * real system for postgres or lakeformation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "meshgate/error.h"
#include "meshgate/planner.h"

static bool reads_column(const mg_grant *g, const char *column)
{
	bool listed = false;
	for (size_t i = 0; i < g->ncolumns && !listed; i++)
		listed = strcmp(g->columns[i], column) == 0;
	return g->except ? !listed : listed;
}

static const char *who(const mg_grant *g)
{
	return g->channel == MG_CHANNEL_IAM ? "iam role" : g->channel == MG_CHANNEL_POSTGRES ? "role" : "consumer";
}

/* What the backends of each applied environment (or only env) grant: the ledger, or the real system. */
static int read_backends(cli_applier *a, cli_ctx *cx, const char *env, mg_grant_set *s)
{
	char **envs = NULL;
	size_t nenvs = 0;
	int r;
	if ((r = cli_applier_open(a, cx, NULL, false)) < 0 || (r = cli_applier_environments(a, &envs, &nenvs)) < 0)
		return r;
	for (size_t e = 0; e < nenvs && r == 0; e++) {
		mg_backends bs;
		if (env && strcmp(envs[e], env) != 0)
			continue;
		if ((r = cli_applier_backends(a, envs[e], &bs)) < 0)
			break;
		for (size_t b = 0; b < bs.count && r == 0; b++)
			r = bs.items[b]->read_grants(bs.items[b], envs[e], s);
		mg_backends_release(&bs);
	}
	for (size_t i = 0; i < nenvs; i++)
		free(envs[i]);
	free(envs);
	return r < 0 ? r : mg_grant_set_finish(s);
}

int cmd_access(int argc, char **argv, cli_ctx *cx)
{
	enum { O_CONSUMER, O_PRODUCT, O_COLUMN, O_ENV, O_REV };
	cli_opt opts[] = {
		CLI_OPT("consumer", 0, "PRINCIPAL", "what this consumer (account, role ARN or role) can read"),
		CLI_OPT("product", 0, "PRODUCT", "who can read this data product"),
		CLI_OPT("column", 0, "TABLE.COLUMN", "who can read this column"),
		CLI_OPT("env", 'e', "ENV", "only this environment"),
		CLI_OPT("rev", 0, "COMMIT-ISH", "what this commit grants, through the access model (no backend, no state)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos)
		return cli_usage_error(cx->cmd, "unexpected argument '%s'", argv[0]);
	if (!opts[O_CONSUMER].seen && !opts[O_PRODUCT].seen && !opts[O_COLUMN].seen)
		return cli_usage_error(cx->cmd, "say what to look up: --consumer, --product or --column");
	const char *col_table = NULL, *col_name = NULL;
	char colbuf[512];
	if (opts[O_COLUMN].value) {
		snprintf(colbuf, sizeof colbuf, "%s", opts[O_COLUMN].value);
		char *dot = strchr(colbuf, '.');
		if (!dot || dot == colbuf || !dot[1])
			return cli_usage_error(cx->cmd, "--column wants TABLE.COLUMN, not '%s'", opts[O_COLUMN].value);
		*dot = '\0';
		col_table = colbuf;
		col_name = dot + 1;
	}
	cli_applier a;
	mg_grant_set s;
	int status = CLI_EXIT_FAILURE;
	mg_grant_set_init(&s);
	memset(&a, 0, sizeof a);
	if (opts[O_REV].value) {
		/* what the commit's catalogue grants, clearances judged on --today: nothing applied is needed */
		if (mg_desired_at(cx->repo, opts[O_REV].value, opts[O_ENV].value, cx->today, &s) < 0) {
			status = cli_fail();
			goto done;
		}
	} else if (read_backends(&a, cx, opts[O_ENV].value, &s) < 0) {
		status = cli_fail();
		goto done;
	}
	size_t shown = 0;
	for (size_t i = 0; i < s.count; i++) {
		const mg_grant *g = &s.items[i];
		if (opts[O_CONSUMER].value && strcmp(g->principal, opts[O_CONSUMER].value) != 0)
			continue;
		if (opts[O_PRODUCT].value && strcmp(g->product, opts[O_PRODUCT].value) != 0)
			continue;
		if (col_table && (!g->table || strcmp(g->table, col_table) != 0 || !reads_column(g, col_name)))
			continue;
		if (!g->table) {
			if (col_table)
				continue;
			printf("%s/%s: %s %s may DESCRIBE the database\n", g->environment, g->product, who(g), g->principal);
			shown++;
			continue;
		}
		printf("%s/%s: %s %s reads %s", g->environment, g->product, who(g), g->principal, g->table);
		if (g->except && !g->ncolumns)
			printf(" (all columns)");
		else {
			printf(g->except ? " (all columns except " : " (");
			for (size_t k = 0; k < g->ncolumns; k++)
				printf("%s%s", k ? ", " : "", g->columns[k]);
			printf(")");
		}
		if (g->exposure) {
			printf(" [%s%s%s%s%s]", g->exposure & MG_EXPOSE_PII ? "pii" : "",
			       (g->exposure & MG_EXPOSE_PII) && (g->exposure & (MG_EXPOSE_PCI | MG_EXPOSE_CONFIDENTIAL)) ? ", " : "",
			       g->exposure & MG_EXPOSE_PCI ? "pci" : "",
			       (g->exposure & MG_EXPOSE_PCI) && (g->exposure & MG_EXPOSE_CONFIDENTIAL) ? ", " : "",
			       g->exposure & MG_EXPOSE_CONFIDENTIAL ? "confidential" : "");
		}
		putchar('\n');
		shown++;
	}
	if (!shown)
		fprintf(stderr, "meshgate: no grant matches\n");
	status = CLI_EXIT_OK;
done:
	mg_grant_set_release(&s);
	cli_applier_close(&a);
	return status;
}
