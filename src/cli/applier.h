/*
 * applier.h - what the applier commands (plan, apply, access, drift,
 * unlock) share: finding the repository, its meshgate.yaml, the state
 * directory, the state store and the backend.
 */
#ifndef MESHGATE_CLI_APPLIER_H
#define MESHGATE_CLI_APPLIER_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "meshgate/backend.h"
#include "meshgate/buf.h"
#include "meshgate/config.h"
#include "meshgate/state.h"

#define CLI_MAX_STATES 16

typedef struct cli_applier {
	mg_buf top;  /* work-tree top level */
	const mg_config *cfg; /* the configuration acted on: the caller's or the work tree's (cli_config) */
	mg_buf dir;  /* the state directory */
	mg_state *state; /* the default state store, <state-dir>/state.db */
	/* environments whose meshgate.yaml entry names a state store of their own */
	struct { const char *env; mg_state *state; } states[CLI_MAX_STATES];
	size_t nstates;
	/*
	 * The backends' warnings (cli_applier_backends gives them this sink):
	 * each shown once a command on stderr, --quiet or not (they are not
	 * progress lines), and written to `audit` when the command audits.
	 */
	FILE *audit;     /* set by the caller after cli_audit_open, or NULL */
	char **warned;   /* "environment\tbackend\tcode\tresource\tmessage" of those shown */
	size_t nwarned;
} cli_applier;

/*
 * Opens the state store of the repository around cx->repo, configured by
 * cfg (borrowed; NULL: the work tree's meshgate.yaml, cli_config()), for a
 * command whose table entry says CLI_NEEDS_STATE.  With create false
 * and no state directory yet, returns MG_ENOTFOUND ("nothing has been
 * applied here yet").  On failure a is already released;
 * cli_applier_close() may still be called on it.
 */
int cli_applier_open(cli_applier *a, cli_ctx *cx, const mg_config *cfg, bool create);
void cli_applier_close(cli_applier *a);
/* The state store of env (its own when meshgate.yaml names one, else the default).  Borrowed. */
int cli_applier_state(cli_applier *a, const char *env, mg_state **out);
/*
 * Builds env's backends from the configuration (none named: the local
 * ledger).  A configured type this build cannot drive is an error, never
 * the ledger.  *out is the caller's (mg_backends_release).
 */
int cli_applier_backends(cli_applier *a, const char *env, mg_backends *out);
/*
 * Environments with applied state or a run in progress, in the default
 * store and in those meshgate.yaml names per environment; sorted, unique.
 * *out is the caller's (free each string and the array).
 */
int cli_applier_environments(cli_applier *a, char ***out, size_t *n);
/* --audit FILE: opens FILE for appending ('-': standard output). */
int cli_audit_open(const char *path, FILE **out);
/* An audit callback (mg_apply_opts.audit) writing one line to the FILE in ctx, flushed. */
void cli_audit_line(void *ctx, const char *json_line);
void cli_audit_close(FILE *f);

#endif
