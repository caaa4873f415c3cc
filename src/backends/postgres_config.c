/*
 * postgres_config.c - the postgres backend's options in meshgate.yaml, the
 * sslmode default, and masking of passwords in connection strings (see
 * postgres_int.h).  No libpq here: this is checked and fuzzed in every build.
 *
 * The connection string never comes from the repository: meshgate.yaml names
 * the environment variable that holds it (dsn-env) or a libpq service;
 * passwords come from the DSN's variable, PGPASSWORD or a PGPASSFILE.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backends/backends_int.h"
#include "backends/postgres_int.h"
#include "meshgate/error.h"

static const char *const sslmodes[] = { "disable", "allow", "prefer", "require", "verify-ca", "verify-full" };

static bool env_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 128 || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Keys that would put a secret or a connection string in the repository. */
static bool secret_key(const char *k)
{
	static const char *const keys[] = { "dsn", "password", "passwd", "connection-string", "conninfo", "url", "uri",
					    "host", "user", "port", "dbname", "database" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

/* A schema name the server keeps as written (mg_pg_ident_check's message is not wanted here). */
static bool schema_name_ok(const char *s)
{
	if (mg_pg_ident_check("schema", s) == 0)
		return true;
	mg_error_clear();
	return false;
}

static const mg_backend_names_spec schemas_spec = {
	"postgres", "schemas", "schema", "schema", MG_PG_IDENT_MAX, MG_PG_SCHEMAS_MAX, schema_name_ok
};

int mg_pg_options_parse(const mg_node *entry, const char *path, mg_findings *findings, mg_pg_options *o)
{
	mg_backend_reporter rp = { path ? path : "meshgate.yaml", findings, 0 };
	int r = 0;
	memset(o, 0, sizeof *o);
	o->dsn_env = MG_PG_DSN_ENV_DEFAULT;
	o->connect_timeout_s = 10;
	if (!entry || entry->type != MG_NODE_OBJECT)
		return 0;
	bool dsn_env_given = false;
	for (size_t i = 0; i < entry->u.object.count && r == 0; i++) {
		const mg_member *m = &entry->u.object.members[i];
		const mg_node *v = m->value;
		const char *s = mg_node_str(v);
		if (strcmp(m->key, "type") == 0)
			continue;
		if (strcmp(m->key, "dsn-env") == 0) {
			if (!env_name_ok(s))
				r = mg_backend_problem(&rp, v, "postgres: dsn-env names the environment variable that holds the connection "
						    "string (letters, digits, '_'), e.g. MESHGATE_POSTGRES_DSN");
			else {
				o->dsn_env = s;
				dsn_env_given = true;
			}
		} else if (strcmp(m->key, "service") == 0) {
			if (!s || !*s || strlen(s) > 256)
				r = mg_backend_problem(&rp, v, "postgres: service is a libpq service name from pg_service.conf");
			else
				o->service = s;
		} else if (strcmp(m->key, "sslmode") == 0) {
			bool ok = false;
			for (size_t k = 0; s && k < sizeof sslmodes / sizeof sslmodes[0]; k++)
				ok |= strcmp(s, sslmodes[k]) == 0;
			if (!ok)
				r = mg_backend_problem(&rp, v, "postgres: sslmode is one of disable, allow, prefer, require, verify-ca, "
						    "verify-full (default: verify-full unless on a unix socket or loopback)");
			else
				o->sslmode = s;
		} else if (strcmp(m->key, "role") == 0) {
			if (!s || mg_pg_ident_check("postgres: role", s) < 0) {
				r = mg_backend_problem(&rp, v, "postgres: role is the role meshgate acts as (SET ROLE), the owner of the "
						    "managed tables: a name of 1 to 63 bytes");
				mg_error_clear();
			} else
				o->role = s;
		} else if (strcmp(m->key, "connect-timeout") == 0) {
			if (!mg_backend_int_option(v, 1, 600, &o->connect_timeout_s))
				r = mg_backend_problem(&rp, v, "postgres: connect-timeout is a number of seconds from 1 to 600");
		} else if (strcmp(m->key, "schemas") == 0) {
			r = mg_backend_names_parse(&rp, v, &schemas_spec, &o->schemas);
		} else if (secret_key(m->key)) {
			r = mg_backend_problem(&rp, v, "postgres: '%s' does not belong in meshgate.yaml: the connection string and "
					    "password never come from the repository; put the connection string in the "
					    "environment variable named by dsn-env (default %s), or use a libpq service "
					    "and PGPASSFILE",
				    m->key, MG_PG_DSN_ENV_DEFAULT);
		} else {
			r = mg_backend_problem(&rp, v, "postgres: unknown option '%s' (it takes dsn-env, service, sslmode, role, "
					    "schemas, connect-timeout)",
				    m->key);
		}
	}
	if (r == 0 && dsn_env_given && o->service) {
		const mg_node *at = mg_obj_get(entry, "service");
		r = mg_backend_problem(&rp, at, "postgres: give dsn-env or service, not both");
	}
	if (r < 0)
		return r;
	return rp.first;
}

void mg_pg_options_release(mg_pg_options *o)
{
	mg_backend_names_release(&o->schemas);
}

const char *mg_pg_schema_of(const mg_pg_options *o, const char *product)
{
	return mg_backend_name_of(&o->schemas, product);
}

bool mg_pg_host_is_local(const char *host)
{
	if (!host || !*host || host[0] == '/' || host[0] == '@')
		return true; /* the default socket, a socket directory, an abstract socket */
	return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 || strncmp(host, "127.", 4) == 0;
}

const char *mg_pg_sslmode(const mg_pg_options *o, const char *hosts, const char *dsn_sslmode, const char *env_sslmode)
{
	if (o->sslmode)
		return o->sslmode;
	if (o->service)
		return "verify-full";
	if ((dsn_sslmode && *dsn_sslmode) || (env_sslmode && *env_sslmode))
		return NULL;
	if (!hosts || !*hosts)
		return NULL;
	char buf[1024];
	if (strlen(hosts) >= sizeof buf)
		return "verify-full";
	snprintf(buf, sizeof buf, "%s", hosts);
	bool local = true;
	for (char *save = NULL, *h = strtok_r(buf, ",", &save); h; h = strtok_r(NULL, ",", &save))
		local &= mg_pg_host_is_local(h);
	return local ? NULL : "verify-full";
}

/* ---- masking ---- */

#define MASK "****"
#define MASK_LOOK_MAX 512

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Case-insensitive: does s[0..n) equal the lowercase word w? */
static bool word_is(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	if (n != wl)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return false;
	}
	return true;
}

/* key=value [key=value ...]: values unquoted (to whitespace) or '...' with backslash escapes. */
static int mask_keyvalue(const char *s, size_t len, mg_buf *out)
{
	size_t i = 0;
	int r = 0;
	while (i < len && r == 0) {
		size_t ws = i;
		while (i < len && is_space(s[i]))
			i++;
		r = mg_buf_add(out, s + ws, i - ws);
		if (i >= len || r)
			break;
		size_t ks = i;
		while (i < len && s[i] != '=' && !is_space(s[i]))
			i++;
		size_t klen = i - ks;
		while (i < len && is_space(s[i]))
			i++;
		if (i >= len || s[i] != '=')
			return mg_buf_adds(out, "..."); /* not key=value: show nothing more */
		i++;
		while (i < len && is_space(s[i]))
			i++;
		size_t vs = i;
		if (i < len && s[i] == '\'') {
			i++;
			while (i < len && s[i] != '\'') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			if (i >= len)
				return mg_buf_add(out, s + ks, klen) | mg_buf_adds(out, "=..."); /* unterminated */
			i++;
			r = mg_buf_add(out, s + ks, klen) | mg_buf_addc(out, '=');
			r |= word_is(s + ks, klen, "password") ? mg_buf_adds(out, MASK) : mg_buf_add(out, s + vs, i - vs);
			/* libpq needs no space after a quoted value; the masked text gets one, so it reads the same */
			if (i < len && !is_space(s[i]))
				r |= mg_buf_addc(out, ' ');
			continue;
		} else {
			while (i < len && !is_space(s[i]))
				i++;
		}
		r = mg_buf_add(out, s + ks, klen) | mg_buf_addc(out, '=');
		if (word_is(s + ks, klen, "password"))
			r |= mg_buf_adds(out, MASK);
		else
			r |= mg_buf_add(out, s + vs, i - vs);
	}
	return r ? mg_oom() : 0;
}

/* postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...] */
static int mask_uri(const char *s, size_t len, size_t scheme_len, mg_buf *out)
{
	int r = mg_buf_add(out, s, scheme_len);
	size_t i = scheme_len;
	size_t auth_end = i;
	while (auth_end < len && s[auth_end] != '/' && s[auth_end] != '?')
		auth_end++;
	/* the userinfo ends at the last '@' of the authority */
	size_t at = auth_end;
	for (size_t k = i; k < auth_end; k++)
		if (s[k] == '@')
			at = k;
	if (at < auth_end) {
		size_t colon = at;
		for (size_t k = i; k < at; k++)
			if (s[k] == ':') {
				colon = k;
				break;
			}
		r |= mg_buf_add(out, s + i, colon - i);
		if (colon < at)
			r |= mg_buf_adds(out, ":" MASK);
		r |= mg_buf_add(out, s + at, auth_end - at);
	} else {
		r |= mg_buf_add(out, s + i, auth_end - i);
	}
	i = auth_end;
	size_t q = i;
	while (q < len && s[q] != '?')
		q++;
	r |= mg_buf_add(out, s + i, q - i);
	i = q;
	while (i < len && r == 0) {
		/* one '?name=value' or '&name=value' */
		size_t ps = i++;
		size_t ns = i;
		while (i < len && s[i] != '=' && s[i] != '&')
			i++;
		size_t nlen = i - ns;
		size_t ve = i;
		while (ve < len && s[ve] != '&')
			ve++;
		r |= mg_buf_add(out, s + ps, ns - ps) | mg_buf_add(out, s + ns, nlen);
		if (i < len && s[i] == '=') {
			r |= mg_buf_addc(out, '=');
			/* libpq percent-decodes names too: an encoded name may spell password */
			if (word_is(s + ns, nlen, "password") || memchr(s + ns, '%', nlen))
				r |= mg_buf_adds(out, MASK);
			else
				r |= mg_buf_add(out, s + i + 1, ve - i - 1);
		}
		i = ve;
	}
	return r ? mg_oom() : 0;
}

int mg_pg_mask_dsn(const char *dsn, mg_buf *out)
{
	if (!dsn)
		return mg_buf_adds(out, "(none)");
	size_t len = strnlen(dsn, MASK_LOOK_MAX + 1);
	bool cut = len > MASK_LOOK_MAX;
	if (cut)
		len = MASK_LOOK_MAX;
	/* a password can hide in percent-encoding or an odd spelling: anything not printable ASCII ends it */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)dsn[i] < 0x20 || (unsigned char)dsn[i] >= 0x7f) {
			len = i;
			cut = true;
			break;
		}
	int r;
	if (len >= 13 && strncmp(dsn, "postgresql://", 13) == 0)
		r = mask_uri(dsn, len, 13, out);
	else if (len >= 11 && strncmp(dsn, "postgres://", 11) == 0)
		r = mask_uri(dsn, len, 11, out);
	else
		r = mask_keyvalue(dsn, len, out);
	if (r == 0 && cut)
		r = mg_buf_adds(out, "...");
	return r;
}
