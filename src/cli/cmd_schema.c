/*
 * cmd_schema.c - `meshgate schema NAME`: prints one of the JSON Schemas of
 * rules/ exactly as compiled into the binary, so an editor or another
 * validator can use the very schema this meshgate checks against.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "meshgate/embedded.h"

/* The six product files, then meshgate.yaml: rules/<name>.schema.json. */
static const char *const schema_names[] = {
	"data-product",           "data-product-producer-info", "data-product-outputs",
	"data-product-visibility", "data-product-consumers",    "data-product-inputs",
	"meshgate",
};
#define NSCHEMAS (sizeof schema_names / sizeof *schema_names)

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* "data-product", "data-product.yaml", "data-product.schema.json", "meshgate.yaml": the schema's index, or -1. */
static int lookup(const char *arg)
{
	size_t len = strlen(arg);
	static const char *const suffixes[] = { ".schema.json", ".json", ".yaml", ".yml" };
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
		if (ends_with(arg, len, suffixes[i])) {
			len -= strlen(suffixes[i]);
			break;
		}
	for (size_t i = 0; i < NSCHEMAS; i++)
		if (strlen(schema_names[i]) == len && strncmp(schema_names[i], arg, len) == 0)
			return (int)i;
	return -1;
}

int cmd_schema(int argc, char **argv, cli_ctx *cx)
{
	enum { O_LIST };
	cli_opt opts[] = {
		CLI_OPT("list", 'l', NULL, "list the schema names"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (opts[O_LIST].seen) {
		if (npos)
			return cli_usage_error(cx->cmd, "--list takes no name");
		for (size_t i = 0; i < NSCHEMAS; i++)
			printf("%s\n", schema_names[i]);
		return CLI_EXIT_OK;
	}
	if (npos != 1)
		return cli_usage_error(cx->cmd, "name one schema (see 'meshgate schema --list')");
	int i = lookup(argv[0]);
	if (i < 0) {
		fprintf(stderr, "meshgate: no schema named '%s'; see 'meshgate schema --list'\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	char file[64];
	snprintf(file, sizeof file, "%s.schema.json", schema_names[i]);
	size_t len = 0;
	const char *text = mg_embedded_find(file, &len);
	if (!text) {
		fprintf(stderr, "meshgate: error: this meshgate was built without rules/%s\n", file);
		return CLI_EXIT_FAILURE;
	}
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "meshgate: error: cannot write standard output\n");
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}
