/*
 * postgres_errors.c - what a PostgreSQL error means for the ops of a batch,
 * and a one-line message that says what to do (see postgres_int.h).
 * Inputs are the server's or libpq's text: outside input, fuzzed
 * (fuzz_pg_error).
 */
#include <stdio.h>
#include <string.h>

#include "backends/postgres_int.h"

static bool code_is(const char *s, const char *code)
{
	return s && strncmp(s, code, strlen(code)) == 0;
}

/* Case-sensitive substring search bounded to the first 4 KiB of the message. */
static bool says(const char *msg, const char *what)
{
	if (!msg)
		return false;
	size_t n = strnlen(msg, 4096), w = strlen(what);
	for (size_t i = 0; i + w <= n; i++)
		if (memcmp(msg + i, what, w) == 0)
			return true;
	return false;
}

static bool valid_state(const char *s)
{
	if (!s || strnlen(s, 6) != 5)
		return false;
	for (int i = 0; i < 5; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

bool mg_pg_connection_lost(const char *sqlstate, const char *message)
{
	if (valid_state(sqlstate))
		return code_is(sqlstate, "08") || code_is(sqlstate, "57P01") || code_is(sqlstate, "57P02") ||
		       code_is(sqlstate, "57P03");
	/* libpq gives no SQLSTATE when the connection itself failed */
	return says(message, "server closed the connection") || says(message, "no connection to the server") ||
	       says(message, "could not connect") || says(message, "connection to server") ||
	       says(message, "terminating connection") || says(message, "could not receive data") ||
	       says(message, "could not send data") || says(message, "connection not open") ||
	       says(message, "lost synchronization") || !message || !*message;
}

mg_op_status mg_pg_classify(const char *sqlstate, const char *message, mg_pg_phase phase)
{
	if (mg_pg_connection_lost(sqlstate, message))
		return phase == MG_PG_AT_COMMIT ? MG_OP_UNKNOWN : MG_OP_RETRYABLE;
	if (!valid_state(sqlstate))
		return MG_OP_FAILED; /* a libpq error that is not about the connection */
	if (code_is(sqlstate, "40001") || code_is(sqlstate, "40P01") || /* serialization, deadlock */
	    code_is(sqlstate, "55P03") || code_is(sqlstate, "57014") || /* lock not available, cancelled */
	    code_is(sqlstate, "53") || code_is(sqlstate, "58000") || code_is(sqlstate, "58030"))
		return MG_OP_RETRYABLE;
	if (code_is(sqlstate, "40") && phase == MG_PG_AT_COMMIT)
		return MG_OP_RETRYABLE; /* a rollback at commit: nothing took effect */
	return MG_OP_FAILED;
}

/* What to do, by SQLSTATE. */
static const char *advice(const char *s)
{
	if (code_is(s, "42501"))
		return "the role meshgate connects as (or its `role:`) must own the managed schemas and tables";
	if (code_is(s, "3F000"))
		return "meshgate never creates schemas: create it, or map the product to its schema under `schemas:`";
	if (code_is(s, "42P01"))
		return "meshgate never creates tables: create it, or fix the product's outputs";
	if (code_is(s, "42703"))
		return "the column is not in the table: add it, or fix the product's outputs";
	if (code_is(s, "42704"))
		return "meshgate never creates roles: create the consumer's postgres-role, or fix the catalogue";
	if (code_is(s, "28"))
		return "check the user and password (from the DSN's environment variable, PGPASSWORD or PGPASSFILE)";
	if (code_is(s, "3D000"))
		return "the database in the DSN does not exist";
	if (code_is(s, "40") || code_is(s, "55P03") || code_is(s, "57014") || code_is(s, "53"))
		return "transient: retried with backoff";
	if (code_is(s, "08") || code_is(s, "57P0"))
		return "the connection was lost: meshgate reconnects and re-reads what took effect";
	return NULL;
}

void mg_pg_describe(char *out, size_t cap, const char *sqlstate, const char *message, const char *context)
{
	if (!cap)
		return;
	char state[6] = "";
	if (valid_state(sqlstate))
		memcpy(state, sqlstate, 6);
	const char *tip = state[0] ? advice(state) : mg_pg_connection_lost(NULL, message) ? advice("08000") : NULL;
	/* the message's first line, without the "ERROR:  " libpq puts in front */
	const char *m = message ? message : "";
	if (strncmp(m, "ERROR:  ", 8) == 0)
		m += 8;
	else if (strncmp(m, "FATAL:  ", 8) == 0)
		m += 8;
	size_t mlen = strnlen(m, 1024);
	while (mlen && (m[mlen - 1] == '\n' || m[mlen - 1] == ' ' || m[mlen - 1] == '\r'))
		mlen--;
	int n = snprintf(out, cap, "%s%s%s%s%.*s%s%s", context ? context : "", context ? ": " : "",
			 state[0] ? state : "", state[0] ? " " : "", (int)mlen, m, tip ? "; " : "",
			 tip ? tip : "");
	(void)n;
	/* one line of printable UTF-8: control characters (newlines too) become spaces, bytes that
	 * are not UTF-8 '?', and a sequence cut by the size limit is dropped */
	size_t len = strlen(out);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)out[i];
		if (c < 0x20 || c == 0x7f) {
			out[i++] = ' ';
			continue;
		}
		size_t l = c < 0x80 ? 1 : mg_pg_utf8_len((const unsigned char *)out + i, len - i);
		if (l == 0) {
			/* a sequence the size limit cut is dropped, anything else is not UTF-8 */
			size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
			bool cut = want && i + want > len;
			for (size_t k = i + 1; cut && k < len; k++)
				cut = ((unsigned char)out[k] & 0xc0) == 0x80;
			if (cut && len + 1 >= cap) {
				out[i] = '\0';
				len = i;
				break;
			}
			out[i++] = '?';
			continue;
		}
		i += l;
	}
	while (len && out[len - 1] == ' ')
		out[--len] = '\0';
}
