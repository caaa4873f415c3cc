/*
 * error.h - error codes and the last error message.
 *
 * Library functions return 0 on success or one of the negative codes below.
 * The function that detects an error sets the message once with
 * mg_error_set(); callers pass the code up unchanged and only the CLI prints
 * mg_error_last().  Validation findings are not errors (see finding.h).
 */
#ifndef MESHGATE_ERROR_H
#define MESHGATE_ERROR_H

enum {
	MG_OK = 0,
	MG_ENOMEM = -1,   /* out of memory */
	MG_EIO = -2,      /* a file or repository could not be read/written */
	MG_ETOOBIG = -3,  /* input above a configured limit */
	MG_EINVALID = -4, /* invalid input or argument; message says which */
	MG_ENOTFOUND = -5,
	MG_EPARSE = -6,   /* input did not parse; a `parse` finding was recorded */
	MG_EUSAGE = -7,   /* bad command line */
	MG_EBACKEND = -8,  /* a backend refused or failed an operation */
	MG_ELOCKED = -9    /* another run holds the lock */
};

void mg_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mg_error_clear(void);
/* The message of the last error in this thread; "" when none.  Borrowed. */
const char *mg_error_last(void);
/* Sets "out of memory" and returns MG_ENOMEM, for `return mg_oom();`. */
int mg_oom(void);

#endif
