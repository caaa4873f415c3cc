/*
 * cmd_unlock.c - `meshgate unlock --env E --force`: breaks a stale lock, but
 * only after checking that its holder is gone (same host, process not
 * running).  A lock held from another host is broken only with
 * --force --other-host, since we cannot see that process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/applier.h"
#include "cli/cli.h"
#include "meshgate/error.h"

int cmd_unlock(int argc, char **argv, cli_ctx *cx)
{
	enum { O_ENV, O_FORCE, O_OTHER };
	cli_opt opts[] = {
		CLI_OPT("env", 'e', "ENV", "the environment whose lock to break (required)"),
		CLI_OPT("force", 0, NULL, "break the lock (after checking its holder is gone)"),
		CLI_OPT("other-host", 0, NULL, "with --force: the holder ran on another host, break it anyway"),
		CLI_OPT_END,
	};
	int npos, r;
	if ((r = cli_parse(argc, argv, opts, cx, &npos)) != CLI_RUN)
		return r;
	if (npos || !opts[O_ENV].value)
		return cli_usage_error(cx->cmd, "name the environment with --env");
	cli_applier a;
	bool locked;
	mg_lock_info info;
	int status = CLI_EXIT_FAILURE;
	const char *env = opts[O_ENV].value;
	mg_state *st = NULL;
	if (cli_applier_open(&a, cx, NULL, false) < 0 ||
	    cli_applier_state(&a, env, &st) < 0 || st->lock_info(st, env, &locked, &info) < 0) {
		status = cli_fail();
		goto done;
	}
	if (!locked) {
		printf("%s is not locked\n", env);
		status = CLI_EXIT_OK;
		goto done;
	}
	printf("%s is locked by %s on %s since %s\n", env, info.holder, info.host, info.since);
	if (!opts[O_FORCE].seen) {
		printf("if that run is gone, break the lock with 'meshgate unlock --env %s --force'\n", env);
		status = CLI_EXIT_USAGE;
		goto done;
	}
	char host[128] = "";
	gethostname(host, sizeof host - 1);
	if (strcmp(host, info.host) == 0) {
		if (info.pid > 0 && (kill((pid_t)info.pid, 0) == 0 || errno == EPERM)) {
			mg_error_set("process %ld still runs on this host; not breaking the lock of a live run", info.pid);
			status = cli_fail();
			goto done;
		}
	} else if (!opts[O_OTHER].seen) {
		mg_error_set("the lock was taken on host '%s'; make sure that run is gone, then add --other-host",
			     info.host);
		status = cli_fail();
		goto done;
	}
	if (st->force_unlock(st, env) < 0) {
		status = cli_fail();
		goto done;
	}
	printf("lock of %s broken; the next 'meshgate apply' completes the interrupted run\n", env);
	status = CLI_EXIT_OK;
done:
	cli_applier_close(&a);
	return status;
}
