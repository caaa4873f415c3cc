/*
 * applier.h - what the applier commands (plan, apply, access, drift,
 * unlock) share: finding the repository, its meshgate.yaml, the state
 * directory, the state store and the backend.
 */
#ifndef MESHGATE_CLI_APPLIER_H
#define MESHGATE_CLI_APPLIER_H

#include <stdbool.h>

#include "meshgate/backend.h"
#include "meshgate/buf.h"
#include "meshgate/config.h"
#include "meshgate/state.h"

typedef struct cli_applier {
	mg_buf top;  /* work-tree top level */
	mg_config cfg; /* the work tree's meshgate.yaml (defaults without one) */
	mg_buf dir;  /* the state directory */
	mg_state *state;
	mg_backend *backend;
} cli_applier;

/*
 * Opens the state store and the local ledger of the repository around
 * repo_dir.  With create false and no state directory yet, returns
 * MG_ENOTFOUND ("nothing has been applied here yet").  On failure a is
 * already released; cli_applier_close() may still be called on it.
 */
int cli_applier_open(cli_applier *a, const char *repo_dir, bool create);
void cli_applier_close(cli_applier *a);
/* Today's date (UTC) unless --today gave one; validated. */
int cli_today(char out[11], const char *given);

#endif
