/*
 * cmd_explain.c - `meshgate explain RULE`: prints the rule's section of
 * docs/rules.md (embedded in the binary), so the CLI and the docs say the
 * same thing.  `--list` prints every rule id with its default severity.
 */
#include <string.h>

#include "cli/cli.h"
#include "meshgate/embedded.h"
#include "meshgate/finding.h"

/* Finds "## <id>\n" at a line start and returns the section up to the next "## ". */
static const char *section(const char *doc, const char *id, size_t *len)
{
	size_t idlen = strlen(id);
	for (const char *p = doc; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "## ", 3) != 0 || strncmp(p + 3, id, idlen) != 0 ||
		    (p[3 + idlen] != '\n' && p[3 + idlen] != ' ' && p[3 + idlen] != '\0'))
			continue;
		const char *end = strstr(p + 3, "\n## ");
		*len = end ? (size_t)(end - p) + 1 : strlen(p);
		return p;
	}
	return NULL;
}

int cmd_explain(int argc, char **argv, cli_ctx *cx)
{
	enum { O_LIST };
	cli_opt opts[] = {
		CLI_OPT("list", 'l', NULL, "list every rule with its default severity"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (opts[O_LIST].seen) {
		if (npos)
			return cli_usage_error(cx->cmd, "--list takes no rule");
		for (int i = 0; i < MG_RULE__COUNT; i++)
			printf("%-24s %-8s %s\n", mg_rule_id((mg_rule)i),
			       mg_severity_name(mg_rule_default_severity((mg_rule)i)),
			       mg_rule_summary((mg_rule)i));
		return CLI_EXIT_OK;
	}
	if (npos != 1)
		return cli_usage_error(cx->cmd, "name one rule (see 'meshgate explain --list')");
	mg_rule rule;
	if (mg_rule_lookup(&rule, argv[0]) < 0) {
		fprintf(stderr, "meshgate: unknown rule '%s'; see 'meshgate explain --list'\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	const char *doc = mg_embedded_find("rules.md", NULL);
	size_t len = 0;
	const char *s = doc ? section(doc, argv[0], &len) : NULL;
	if (!s) {
		printf("%s (default: %s): %s\n", argv[0], mg_severity_name(mg_rule_default_severity(rule)),
		       mg_rule_summary(rule));
		return CLI_EXIT_OK;
	}
	fwrite(s, 1, len, stdout);
	return CLI_EXIT_OK;
}
