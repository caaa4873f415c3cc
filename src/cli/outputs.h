/*
 * outputs.h - several reports from one run: `--format X --output F` pairs,
 * so CI parses the catalogue once.  Each --output belongs to the latest
 * --format that has none yet (an --output before any --format is text);
 * a format without an output goes to standard output, at most one does.
 */
#ifndef MESHGATE_CLI_OUTPUTS_H
#define MESHGATE_CLI_OUTPUTS_H

#include "cli/cli.h"
#include "meshgate/report.h"

typedef struct cli_output {
	mg_report_format format;
	const char *path; /* NULL: standard output */
} cli_output;

typedef struct cli_outputs {
	cli_output items[CLI_MAX_REPEAT * 2];
	int count;
	bool color; /* a text report to standard output is coloured (cli_color) */
} cli_outputs;

/* Pairs the occurrences of the two options; prints a usage error and returns -1 on misuse. */
int cli_outputs_collect(cli_outputs *out, const cli_opt *format, const cli_opt *output, const cli_ctx *cx);
/* Writes every report; 0 or a negative error (message set). */
int cli_outputs_write(const cli_outputs *outs, const mg_findings *f, mg_report_ctx ctx);

#endif
