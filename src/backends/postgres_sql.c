/*
 * postgres_sql.c - the statements the postgres backend issues (see
 * postgres_int.h).  GRANT and REVOKE take no parameters, so every name is
 * quoted by the caller's quoter (PQescapeIdentifier in the backend); this
 * file never writes a table-level GRANT.
 */
#include <string.h>

#include "backends/postgres_int.h"
#include "meshgate/error.h"

size_t mg_pg_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x3fu >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int mg_pg_ident_check(const char *what, const char *ident)
{
	if (!ident || !*ident) {
		mg_error_set("%s: an empty name", what);
		return MG_EINVALID;
	}
	size_t n = strlen(ident);
	if (n > MG_PG_IDENT_MAX) {
		mg_error_set("%s '%.63s...': longer than PostgreSQL's %d bytes (the server would truncate it)", what,
			     ident, MG_PG_IDENT_MAX);
		return MG_EINVALID;
	}
	const unsigned char *s = (const unsigned char *)ident;
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x20 || s[i] == 0x7f) {
			mg_error_set("%s: a name with a control character", what);
			return MG_EINVALID;
		}
		size_t l = mg_pg_utf8_len(s + i, n - i);
		if (!l) {
			mg_error_set("%s: a name that is not valid UTF-8", what);
			return MG_EINVALID;
		}
		i += l;
	}
	return 0;
}

int mg_pg_quote_ident(void *ctx, const char *ident, mg_buf *out)
{
	(void)ctx;
	int r;
	if ((r = mg_pg_ident_check("identifier", ident)) < 0)
		return r;
	r = mg_buf_addc(out, '"');
	for (const char *p = ident; *p && r == 0; p++)
		r = *p == '"' ? mg_buf_adds(out, "\"\"") : mg_buf_addc(out, *p);
	if (r == 0)
		r = mg_buf_addc(out, '"');
	return r ? mg_oom() : 0;
}

int mg_pg_build(mg_buf *out, mg_pg_stmt kind, const char *schema, const char *table, const char *const *columns,
		size_t ncolumns, const char *role, mg_pg_quote_fn quote, void *quote_ctx)
{
	int r = 0;
	bool usage = kind == MG_PG_GRANT_USAGE || kind == MG_PG_REVOKE_USAGE;
	bool cols = kind == MG_PG_GRANT_COLUMNS || kind == MG_PG_REVOKE_COLUMNS;
	bool grant = kind == MG_PG_GRANT_USAGE || kind == MG_PG_GRANT_COLUMNS;
	if ((!usage && !table) || (cols && ncolumns == 0)) {
		mg_error_set("postgres: internal: a statement without its table or columns");
		return MG_EINVALID;
	}
	if ((r = mg_buf_adds(out, grant ? "GRANT " : "REVOKE ")) < 0)
		return r;
	if (usage) {
		r = mg_buf_adds(out, "USAGE ON SCHEMA ");
		if (r == 0)
			r = quote(quote_ctx, schema, out);
	} else {
		r = mg_buf_adds(out, "SELECT ");
		if (r == 0 && cols) {
			r = mg_buf_addc(out, '(');
			for (size_t i = 0; i < ncolumns && r == 0; i++) {
				if (i)
					r = mg_buf_adds(out, ", ");
				if (r == 0)
					r = quote(quote_ctx, columns[i], out);
			}
			if (r == 0)
				r = mg_buf_adds(out, ") ");
		}
		if (r == 0)
			r = mg_buf_adds(out, "ON TABLE ");
		if (r == 0)
			r = quote(quote_ctx, schema, out);
		if (r == 0)
			r = mg_buf_addc(out, '.');
		if (r == 0)
			r = quote(quote_ctx, table, out);
	}
	if (r == 0)
		r = mg_buf_adds(out, grant ? " TO " : " FROM ");
	if (r == 0)
		r = quote(quote_ctx, role, out);
	return r;
}

int mg_pg_text_array(mg_buf *out, const char *const *items, size_t n)
{
	int r = mg_buf_addc(out, '{');
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i)
			r = mg_buf_addc(out, ',');
		r |= mg_buf_addc(out, '"');
		for (const char *p = items[i]; *p && r == 0; p++) {
			if (*p == '"' || *p == '\\')
				r = mg_buf_addc(out, '\\');
			if (r == 0)
				r = mg_buf_addc(out, *p);
		}
		r |= mg_buf_addc(out, '"');
	}
	if (r == 0)
		r = mg_buf_addc(out, '}');
	return r ? mg_oom() : 0;
}
