/* outputs.c - format/output pairs and writing a command's output (see outputs.h, cli.h). */
#include "cli/outputs.h"

#include <stdio.h>

#include "meshgate/error.h"

int cli_outputs_collect(cli_outputs *out, const cli_opt *format, const cli_opt *output, const cli_ctx *cx)
{
	const cli_cmd *cmd = cx->cmd;
	int fi = 0, oi = 0, stdout_used = 0;
	out->count = 0;
	out->color = cli_color(cx, stdout);
	while (fi < format->count || oi < output->count) {
		bool take_format = oi >= output->count ||
				   (fi < format->count && format->order[fi] < output->order[oi]);
		if (take_format) {
			cli_output *o = &out->items[out->count++];
			if (mg_report_format_parse(&o->format, format->values[fi]) < 0) {
				cli_usage_error(cmd, "unknown format '%s' (text, json, sarif, github, gitlab, junit, markdown)",
						format->values[fi]);
				return -1;
			}
			o->path = NULL;
			fi++;
			continue;
		}
		/* an --output: for the latest format still without one, else a text report */
		int k = out->count - 1;
		while (k >= 0 && out->items[k].path)
			k--;
		if (k < 0) {
			cli_output *o = &out->items[out->count++];
			o->format = MG_REPORT_TEXT;
			o->path = output->values[oi++];
			continue;
		}
		out->items[k].path = output->values[oi++];
	}
	if (out->count == 0) {
		out->items[0].format = MG_REPORT_TEXT;
		out->items[0].path = NULL;
		out->count = 1;
	}
	for (int i = 0; i < out->count; i++)
		stdout_used += out->items[i].path == NULL;
	if (stdout_used > 1) {
		cli_usage_error(cmd, "only one report can go to standard output; give the others --output FILE");
		return -1;
	}
	return 0;
}

int cli_outputs_write(const cli_outputs *outs, const mg_findings *f, mg_report_ctx ctx)
{
	for (int i = 0; i < outs->count; i++) {
		mg_buf text = MG_BUF_INIT;
		ctx.color = outs->items[i].path == NULL && outs->items[i].format == MG_REPORT_TEXT && outs->color;
		int r = mg_report_write(outs->items[i].format, f, &ctx, &text);
		if (r == 0)
			r = cli_write_output(outs->items[i].path, &text);
		mg_buf_release(&text);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Writes text to path, or to standard output when path is NULL (cli.h). */
int cli_write_output(const char *path, const mg_buf *text)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	if (!f) {
		mg_error_set("cannot write '%s'", path);
		return MG_EIO;
	}
	int bad = fwrite(text->ptr, 1, text->len, f) != text->len;
	bad |= path ? fclose(f) != 0 : fflush(f) != 0;
	if (bad) {
		mg_error_set("cannot write '%s'", path ? path : "standard output");
		return MG_EIO;
	}
	return 0;
}
