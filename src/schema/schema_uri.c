/*
 * schema_uri.c - URI references as JSON Schema uses them for $id and $ref:
 * splitting (RFC 3986 section 3) and resolution against a base with dot
 * segments removed (section 5.2).  No normalisation beyond that (no case
 * folding, no percent-encoding changes), which is what $id matching needs.
 * Results are allocated in the caller's arena.
 */
#include <stdbool.h>
#include <string.h>

#include "meshgate/buf.h"
#include "schema/schema_int.h"

typedef struct uri_parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_len, auth_len, path_len, query_len, frag_len;
	bool has_scheme, has_auth, has_query, has_frag;
} uri_parts;

static void uri_parse(uri_parts *u, const char *s)
{
	const char *p = s;
	memset(u, 0, sizeof *u);
	size_t n = strcspn(s, ":/?#");
	if (n > 0 && s[n] == ':') {
		u->has_scheme = true;
		u->scheme = s;
		u->scheme_len = n;
		p = s + n + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		u->has_auth = true;
		u->auth = p + 2;
		u->auth_len = strcspn(p + 2, "/?#");
		p = u->auth + u->auth_len;
	}
	u->path = p;
	u->path_len = strcspn(p, "?#");
	p += u->path_len;
	if (*p == '?') {
		u->has_query = true;
		u->query = p + 1;
		u->query_len = strcspn(p + 1, "#");
		p = u->query + u->query_len;
	}
	if (*p == '#') {
		u->has_frag = true;
		u->frag = p + 1;
		u->frag_len = strlen(p + 1);
	}
}

/* RFC 3986 5.2.4, appending the result to out. */
static int remove_dots(mg_buf *out, const char *in, size_t len)
{
	size_t start = out->len;
	size_t i = 0;
	while (i < len) {
		const char *p = in + i;
		size_t rest = len - i;
		if (rest >= 3 && memcmp(p, "../", 3) == 0) {
			i += 3;
		} else if (rest >= 2 && memcmp(p, "./", 2) == 0) {
			i += 2;
		} else if (rest >= 3 && memcmp(p, "/./", 3) == 0) {
			i += 2;
		} else if (rest == 2 && memcmp(p, "/.", 2) == 0) {
			if (mg_buf_addc(out, '/'))
				return -1;
			i = len;
		} else if ((rest >= 4 && memcmp(p, "/../", 4) == 0) || (rest == 3 && memcmp(p, "/..", 3) == 0)) {
			bool last = rest == 3;
			i += 3;
			while (out->len > start && out->ptr[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			out->ptr[out->len] = '\0';
			if (last && mg_buf_addc(out, '/'))
				return -1;
		} else if ((rest == 1 && p[0] == '.') || (rest == 2 && memcmp(p, "..", 2) == 0)) {
			i = len;
		} else {
			/* move the first segment, with its leading '/', to the output */
			size_t seg = p[0] == '/' ? 1 : 0;
			while (seg < rest && p[seg] != '/')
				seg++;
			if (mg_buf_add(out, p, seg))
				return -1;
			i += seg;
		}
	}
	return 0;
}

static int add_query(mg_buf *out, const uri_parts *u)
{
	return u->has_query ? mg_buf_addc(out, '?') | mg_buf_add(out, u->query, u->query_len) : 0;
}

char *mg_uri_resolve(mg_arena *arena, const char *base, const char *ref)
{
	uri_parts b, r;
	mg_buf out = MG_BUF_INIT;
	int e = 0;
	char *res = NULL;

	if (!base || !*base)
		return mg_arena_strdup(arena, ref);
	uri_parse(&b, base);
	uri_parse(&r, ref);
	if (r.has_scheme) {
		e |= mg_buf_add(&out, r.scheme, r.scheme_len + 1);
		if (r.has_auth)
			e |= mg_buf_adds(&out, "//") | mg_buf_add(&out, r.auth, r.auth_len);
		e |= remove_dots(&out, r.path, r.path_len) | add_query(&out, &r);
	} else {
		if (b.has_scheme)
			e |= mg_buf_add(&out, b.scheme, b.scheme_len + 1);
		if (r.has_auth) {
			e |= mg_buf_adds(&out, "//") | mg_buf_add(&out, r.auth, r.auth_len);
			e |= remove_dots(&out, r.path, r.path_len) | add_query(&out, &r);
		} else {
			if (b.has_auth)
				e |= mg_buf_adds(&out, "//") | mg_buf_add(&out, b.auth, b.auth_len);
			if (r.path_len == 0) {
				e |= mg_buf_add(&out, b.path, b.path_len);
				e |= add_query(&out, r.has_query ? &r : &b);
			} else {
				if (r.path[0] == '/') {
					e |= remove_dots(&out, r.path, r.path_len);
				} else {
					/* merge (5.2.3): base path up to its last '/', then ref */
					mg_buf merged = MG_BUF_INIT;
					if (b.has_auth && b.path_len == 0) {
						e |= mg_buf_addc(&merged, '/');
					} else {
						size_t k = b.path_len;
						while (k > 0 && b.path[k - 1] != '/')
							k--;
						e |= mg_buf_add(&merged, b.path, k);
					}
					e |= mg_buf_add(&merged, r.path, r.path_len);
					e |= remove_dots(&out, merged.ptr, merged.len);
					mg_buf_release(&merged);
				}
				e |= add_query(&out, &r);
			}
		}
	}
	if (r.has_frag)
		e |= mg_buf_addc(&out, '#') | mg_buf_add(&out, r.frag, r.frag_len);
	if (!e)
		res = mg_arena_strndup(arena, out.ptr, out.len);
	mg_buf_release(&out);
	return res;
}

char *mg_uri_strip_fragment(mg_arena *arena, const char *uri)
{
	return mg_arena_strndup(arena, uri, strcspn(uri, "#"));
}
