/*
 * cmd_new.c - `meshgate new ENV/PRODUCT`: writes a product folder with its
 * six files (YAML, with comments) in the repository's catalogue.  The files
 * are schema-shaped; what only the producer knows (owner, account, bucket,
 * tables) is a <...> placeholder that fails its schema check, so
 * `meshgate validate` points at each one left, file:line:col.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/files.h"
#include "meshgate/config.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"

static const char *const product_files[] = {
	"data-product.yaml",           "data-product-producer-info.yaml", "data-product-outputs.yaml",
	"data-product-visibility.yaml", "data-product-consumers.yaml",    "data-product-inputs.yaml",
};
#define NFILES (sizeof product_files / sizeof *product_files)

/* The data-product-name pattern of rules/data-product.schema.json, which folder names follow too. */
static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > 128)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* Any file in folder whose name starts with "data-product": a product is there already. */
static int check_empty(const char *folder)
{
	static const char *const exts[] = { ".json", ".yaml", ".yml" };
	mg_buf path = MG_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < NFILES && r == 0; i++) {
		size_t stem = strlen(product_files[i]) - strlen(".yaml");
		for (size_t e = 0; e < 3; e++) {
			mg_buf_clear(&path);
			if (mg_buf_addf(&path, "%s/%.*s%s", folder, (int)stem, product_files[i], exts[e]) < 0) {
				r = mg_oom();
				break;
			}
			if (cli_exists(path.ptr)) {
				mg_error_set("'%s' exists; meshgate new only starts new products", path.ptr);
				r = MG_EINVALID;
				break;
			}
		}
	}
	mg_buf_release(&path);
	return r;
}

/* Writes the product's files in the catalogue that DIR's meshgate.yaml names (or the default). */
static int new_product(cli_ctx *cx, const char *env, const char *product)
{
	mg_buf folder = MG_BUF_INIT, path = MG_BUF_INIT, text = MG_BUF_INIT;
	const char *keys[] = { "PRODUCT", product, "ENV", env, NULL, NULL };
	const mg_config *cfg;
	int r;
	if ((r = cli_config(cx, &cfg)) < 0)
		goto done;
	if ((r = cli_join(&folder, cx->dir, cfg->catalogue)) < 0)
		goto done;
	if (mg_buf_addf(&folder, "/%s/%s", env, product) < 0) {
		r = mg_oom();
		goto done;
	}
	if ((r = check_empty(folder.ptr)) < 0 || (r = cli_make_dirs(&folder)) < 0)
		goto done;
	for (size_t i = 0; i < NFILES; i++) {
		const char *t = mg_embedded_find(product_files[i], NULL);
		if (!t) {
			mg_error_set("this meshgate was built without templates/%s", product_files[i]);
			r = MG_ENOTFOUND;
			goto done;
		}
		mg_buf_clear(&path);
		mg_buf_clear(&text);
		if (mg_buf_addf(&path, "%s/%s", folder.ptr, product_files[i]) < 0) {
			r = mg_oom();
			goto done;
		}
		if ((r = cli_expand(&text, t, keys)) < 0 ||
		    (r = cli_write_file(path.ptr, text.ptr, text.len, 0666, false)) < 0)
			goto done;
		cli_note(cx, stdout, "meshgate: wrote %s\n", path.ptr);
	}
	cli_note(cx, stdout, "next: replace each <...> placeholder; 'meshgate validate' points at the ones left\n");
	r = 0;
done:
	mg_buf_release(&folder);
	mg_buf_release(&path);
	mg_buf_release(&text);
	return r;
}

int cmd_new(int argc, char **argv, cli_ctx *cx)
{
	cli_opt opts[] = { CLI_OPT_END };
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos != 1)
		return cli_usage_error(cx->cmd, "name the product as ENVIRONMENT/PRODUCT, e.g. dev/sales-orders");
	const char *arg = argv[0], *slash = strchr(arg, '/');
	if (!slash || strchr(slash + 1, '/'))
		return cli_usage_error(cx->cmd, "name the product as ENVIRONMENT/PRODUCT, not '%s'", arg);
	size_t envlen = (size_t)(slash - arg);
	const char *product = slash + 1;
	if (!valid_name(arg, envlen))
		return cli_usage_error(cx->cmd, "an environment is a folder name of letters, digits, '_', '.' and '-', "
					    "starting with a letter or digit, not '%.*s'",
				       (int)envlen, arg);
	if (!valid_name(product, strlen(product)))
		return cli_usage_error(cx->cmd, "a product name starts with a letter or digit and holds only letters, "
					    "digits, '_', '.' and '-' (at most 128), not '%s'",
				       product);
	char env[129];
	memcpy(env, arg, envlen);
	env[envlen] = '\0';
	if (new_product(cx, env, product) < 0)
		return cli_fail();
	return CLI_EXIT_OK;
}
