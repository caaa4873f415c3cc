/*
 * cmd_site.c - `meshgate site`: write the static catalogue site, and
 * `meshgate score`: the DATSIS score of every product, for CI gates.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "meshgate/error.h"
#include "meshgate/site.h"

int cmd_site(int argc, char **argv, cli_ctx *cx)
{
	enum { O_OUT, O_REV, O_TITLE };
	cli_opt opts[] = {
		CLI_OPT("out", 'o', "DIR", "write the site to DIR (default: site)"),
		CLI_OPT("rev", 0, "COMMIT-ISH", "build from a commit, tag or tree instead of the work tree"),
		CLI_OPT("title", 0, "TEXT", "the site's title (default: Data products)"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos > 1)
		return cli_usage_error(cx->cmd, "too many arguments");
	mg_site_opts so = { cx->dir, opts[O_REV].value, npos ? argv[0] : NULL, cx->today,
			    opts[O_OUT].value ? opts[O_OUT].value : "site", opts[O_TITLE].value };
	mg_site_stats st;
	if (mg_site_build(&so, &st) < 0)
		return cli_fail();
	cli_note(cx, stderr, "meshgate: wrote %zu files (%zu bytes) to '%s': %zu products in %zu environments, %zu grants, %zu findings\n",
		st.files, st.bytes, so.out_dir, st.products, st.environments, st.grants, st.findings);
	return CLI_EXIT_OK;
}

int cmd_score(int argc, char **argv, cli_ctx *cx)
{
	enum { O_FORMAT, O_MIN, O_REV };
	cli_opt opts[] = {
		CLI_OPT("format", 'f', "FORMAT", "text (default) or json"),
		CLI_OPT("min", 0, "N", "exit 1 when a product scores below N (0..18)"),
		CLI_OPT("rev", 0, "COMMIT-ISH", "score a commit, tag or tree instead of the work tree"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos > 1)
		return cli_usage_error(cx->cmd, "too many arguments");
	const char *fmt = opts[O_FORMAT].value ? opts[O_FORMAT].value : "text";
	bool json = fmt[0] == 'j' && fmt[1] == 's';
	if (!json && (fmt[0] != 't' || fmt[1] != 'e'))
		return cli_usage_error(cx->cmd, "unknown format '%s' (text, json)", fmt);
	long min = 0;
	if (opts[O_MIN].value) {
		char *end;
		min = strtol(opts[O_MIN].value, &end, 10);
		if (*end || min < 0 || min > MG_DATSIS__COUNT)
			return cli_usage_error(cx->cmd, "--min wants a number from 0 to %d, not '%s'", MG_DATSIS__COUNT,
					       opts[O_MIN].value);
	}
	mg_site_opts so = { cx->dir, opts[O_REV].value, npos ? argv[0] : NULL, cx->today, NULL, NULL };
	mg_buf out = MG_BUF_INIT;
	unsigned lowest;
	int status = CLI_EXIT_FAILURE;
	if (mg_site_scores(&so, json, &out, &lowest) < 0 || cli_write_output(NULL, &out) < 0)
		status = cli_fail();
	else
		status = (long)lowest < min ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
	mg_buf_release(&out);
	return status;
}
