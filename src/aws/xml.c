/*
 * xml.c - a small reader of the XML that STS and the query protocol answer
 * with (see mg_aws__xml_walk in aws_int.h).  It knows elements, attributes
 * (skipped), text, the five predefined entities and character references,
 * comments, CDATA and the <?xml?> declaration; it refuses DOCTYPE (so no
 * entity can expand), mismatched tags, more than MG_AWS__XML_DEPTH_MAX
 * levels and texts longer than MG_AWS__XML_TEXT_MAX.  Linear in the input.
 */
#include "aws/aws_int.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"

typedef struct walker {
	const char *p, *end;
	char *names[MG_AWS__XML_DEPTH_MAX];
	int depth;
	mg_buf text;
	bool has_child;
} walker;

static int bad(const char *what)
{
	mg_error_set("malformed XML in the response: %s", what);
	return MG_EPARSE;
}

static bool name_char(char ch)
{
	return !(ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '>' || ch == '/' || ch == '=' ||
		 ch == '<' || ch == '\0');
}

static int add_utf8(mg_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return bad("a character reference out of range");
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return mg_buf_add(b, u, n) < 0 ? mg_oom() : 0;
}

static int add_text(walker *w, const char *s, size_t n)
{
	if (w->text.len + n > MG_AWS__XML_TEXT_MAX)
		return bad("an element's text is too long");
	return mg_buf_add(&w->text, s, n) < 0 ? mg_oom() : 0;
}

/* Text up to the next '<', entities decoded. */
static int read_text(walker *w)
{
	const char *lt = memchr(w->p, '<', (size_t)(w->end - w->p));
	const char *stop = lt ? lt : w->end; /* found once: the loop stays linear */
	while (w->p < stop) {
		const char *amp = memchr(w->p, '&', (size_t)(stop - w->p));
		if (!amp) {
			int r = add_text(w, w->p, (size_t)(stop - w->p));
			w->p = stop;
			return r;
		}
		int r = add_text(w, w->p, (size_t)(amp - w->p));
		if (r < 0)
			return r;
		const char *semi = memchr(amp, ';', (size_t)(stop - amp) < 12 ? (size_t)(stop - amp) : 12);
		if (!semi)
			return bad("an unterminated entity");
		size_t n = (size_t)(semi - amp - 1);
		const char *e = amp + 1;
		static const struct { const char *name; char ch; } ents[] = {
			{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' }
		};
		bool done = false;
		for (size_t i = 0; i < sizeof ents / sizeof ents[0] && !done; i++)
			if (strlen(ents[i].name) == n && memcmp(e, ents[i].name, n) == 0) {
				if ((r = add_text(w, &ents[i].ch, 1)) < 0)
					return r;
				done = true;
			}
		if (!done) {
			if (n < 2 || e[0] != '#')
				return bad("an unknown entity");
			bool hex = e[1] == 'x';
			unsigned long cp = 0;
			size_t k = hex ? 2 : 1;
			if (k >= n)
				return bad("an empty character reference");
			for (; k < n; k++) {
				char ch = e[k];
				int d = ch >= '0' && ch <= '9' ? ch - '0'
					: hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
					: hex && ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
				if (d < 0)
					return bad("a malformed character reference");
				cp = cp * (hex ? 16 : 10) + (unsigned long)d;
				if (cp > 0x10FFFF)
					return bad("a character reference out of range");
			}
			if (w->text.len + 4 > MG_AWS__XML_TEXT_MAX)
				return bad("an element's text is too long");
			if ((r = add_utf8(&w->text, cp)) < 0)
				return r;
		}
		w->p = semi + 1;
	}
	return 0;
}

static const char *find(const walker *w, const char *s)
{
	size_t n = strlen(s);
	for (const char *q = w->p; q + n <= w->end; q++) {
		q = memchr(q, s[0], (size_t)(w->end - q));
		if (!q || q + n > w->end)
			return NULL;
		if (memcmp(q, s, n) == 0)
			return q;
	}
	return NULL;
}

static char *local_name(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (colon) {
		n -= (size_t)(colon + 1 - s);
		s = colon + 1;
	}
	char *out = malloc(n + 1);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

/* After '<name': attributes up to '>' or '/>'; sets *empty for '/>'. */
static int skip_attributes(walker *w, bool *empty)
{
	char quote = 0;
	for (; w->p < w->end; w->p++) {
		char ch = *w->p;
		if (quote) {
			if (ch == quote)
				quote = 0;
			else if (ch == '<')
				return bad("'<' in an attribute value");
			continue;
		}
		if (ch == '"' || ch == '\'') {
			quote = ch;
		} else if (ch == '>') {
			w->p++;
			*empty = false;
			return 0;
		} else if (ch == '/' && w->p + 1 < w->end && w->p[1] == '>') {
			w->p += 2;
			*empty = true;
			return 0;
		} else if (ch == '<') {
			return bad("'<' inside a tag");
		}
	}
	return bad("an unterminated tag");
}

int mg_aws__xml_walk(const char *xml, size_t len, mg_aws__xml_leaf_fn fn, void *ctx)
{
	walker w = { .p = xml, .end = xml + len, .depth = 0, .text = MG_BUF_INIT };
	int r = 0;
	bool root_done = false;

	while (w.p < w.end && r == 0) {
		if (*w.p != '<') {
			if (w.depth == 0) {
				/* only blanks outside the root */
				if (*w.p != ' ' && *w.p != '\t' && *w.p != '\r' && *w.p != '\n')
					r = bad("text outside the root element");
				w.p++;
				continue;
			}
			r = read_text(&w);
			continue;
		}
		if (w.end - w.p >= 4 && memcmp(w.p, "<!--", 4) == 0) {
			w.p += 4;
			const char *e = find(&w, "-->");
			if (!e) {
				r = bad("an unterminated comment");
				break;
			}
			w.p = e + 3;
		} else if (w.end - w.p >= 9 && memcmp(w.p, "<![CDATA[", 9) == 0) {
			w.p += 9;
			const char *e = find(&w, "]]>");
			if (!e || w.depth == 0) {
				r = bad("an unterminated or misplaced CDATA section");
				break;
			}
			r = add_text(&w, w.p, (size_t)(e - w.p));
			w.p = e + 3;
		} else if (w.end - w.p >= 2 && w.p[1] == '?') {
			w.p += 2;
			const char *e = find(&w, "?>");
			if (!e) {
				r = bad("an unterminated processing instruction");
				break;
			}
			w.p = e + 2;
		} else if (w.end - w.p >= 2 && w.p[1] == '!') {
			r = bad("a DOCTYPE or other declaration");
		} else if (w.end - w.p >= 2 && w.p[1] == '/') {
			w.p += 2;
			const char *s = w.p;
			while (w.p < w.end && name_char(*w.p))
				w.p++;
			if (w.depth == 0) {
				r = bad("a closing tag without an opening one");
				break;
			}
			char *nm = local_name(s, (size_t)(w.p - s));
			if (!nm) {
				r = mg_oom();
				break;
			}
			bool same = strcmp(nm, w.names[w.depth - 1]) == 0;
			free(nm);
			while (w.p < w.end && (*w.p == ' ' || *w.p == '\t' || *w.p == '\r' || *w.p == '\n'))
				w.p++;
			if (!same || w.p >= w.end || *w.p != '>') {
				r = bad("a closing tag that does not match");
				break;
			}
			w.p++;
			if (!w.has_child)
				r = fn(ctx, (const char *const *)w.names, w.depth, w.text.ptr, w.text.len);
			free(w.names[--w.depth]);
			w.has_child = true; /* the parent has a child now */
			mg_buf_clear(&w.text);
			if (w.depth == 0)
				root_done = true;
		} else {
			w.p++;
			const char *s = w.p;
			while (w.p < w.end && name_char(*w.p))
				w.p++;
			if (w.p == s) {
				r = bad("a tag without a name");
				break;
			}
			if (root_done) {
				r = bad("a second root element");
				break;
			}
			if (w.depth == MG_AWS__XML_DEPTH_MAX) {
				r = bad("elements nested too deep");
				break;
			}
			char *nm = local_name(s, (size_t)(w.p - s));
			if (!nm) {
				r = mg_oom();
				break;
			}
			w.names[w.depth++] = nm;
			bool empty = false;
			if ((r = skip_attributes(&w, &empty)) < 0)
				break;
			mg_buf_clear(&w.text);
			w.has_child = false;
			if (empty) {
				r = fn(ctx, (const char *const *)w.names, w.depth, "", 0);
				free(w.names[--w.depth]);
				w.has_child = true;
				if (w.depth == 0)
					root_done = true;
			}
		}
	}
	if (r == 0 && (w.depth || !root_done))
		r = bad(w.depth ? "the document ends inside an element" : "no root element");
	while (w.depth)
		free(w.names[--w.depth]);
	if (w.text.cap)
		OPENSSL_cleanse(w.text.ptr, w.text.cap); /* texts may be secrets */
	mg_buf_release(&w.text);
	return r;
}
