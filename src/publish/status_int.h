/* status_int.h - internals of the commit-status module, for its tests and fuzzer. */
#ifndef MESHGATE_PUBLISH_STATUS_INT_H
#define MESHGATE_PUBLISH_STATUS_INT_H

#include <stddef.h>

#include "meshgate/buf.h"

/* Largest response body read; the transfer is abandoned past it. */
#define MG_STATUS__RESPONSE_MAX (64 * 1024)
/* Description limit in code points (GitHub rejects longer ones). */
#define MG_STATUS__DESCRIPTION_MAX 140
/* Limit, in code points, of a server message quoted in an error. */
#define MG_STATUS__MESSAGE_MAX 160

/*
 * Extracts the human-readable message of an API error response (any bytes,
 * len of them, no NUL needed): GitHub {"message": "...", "errors": [...]},
 * GitLab {"message": "..." | {...}} or {"error": "..."}.  Appends it to
 * out_message as one line of valid UTF-8 without control characters, at most
 * MG_STATUS__MESSAGE_MAX code points; appends nothing when the body is not
 * JSON, has no message, or is longer than MG_STATUS__RESPONSE_MAX.
 * Returns 0, or MG_ENOMEM.  The libFuzzer target for response parsing.
 */
int mg_status__parse_error_body(const char *data, size_t len, mg_buf *out_message);

/*
 * Appends s[0..len) as one line of valid UTF-8: ill-formed bytes become
 * U+FFFD, control characters (C0, DEL, C1) a space, and text longer than
 * max_cps code points is cut to max_cps - 1 of them plus U+2026.
 * Returns 0, or MG_ENOMEM.
 */
int mg_status__add_clean_text(mg_buf *out, const char *s, size_t len, size_t max_cps);

#endif
