/*
 * json.c - a strict RFC 8259 JSON loader that keeps positions.
 *
 * Why not cJSON here: cJSON keeps no line or column, accepts duplicate keys
 * and does not check UTF-8, and every finding must point at the offending
 * byte.  This loader is a recursive descent over the bytes, bounded by
 * limits->max_depth (so the C stack is too), allocating nodes in the
 * document's arena.  cJSON is still used where JSON is written (reports).
 *
 * Columns count code points: the column of the cursor is computed
 * incrementally from the last computed position on the same line, so a
 * minified one-line file stays linear.
 */
#include "meshgate/sort.h"
#include "meshgate/doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "meshgate/finding.h"
#include "documents/utf8.h"

typedef struct {
	mg_doc *doc;
	const char *p, *end, *start;
	uint32_t line;
	const char *line_start;
	/* column cache: col_at is a position on the current line with column col */
	const char *col_at;
	uint32_t col;
	unsigned depth, max_depth;
	mg_findings *findings;
	int failed;
	/* scratch stacks for the children of open arrays/objects */
	mg_node **items;
	size_t nitems, capitems;
	mg_member *members;
	size_t nmembers, capmembers;
} parser;

static uint32_t column_of(parser *ps, const char *at)
{
	if (ps->col_at < ps->line_start || ps->col_at > at) {
		ps->col_at = ps->line_start;
		ps->col = 1;
	}
	uint32_t c = ps->col;
	for (const char *q = ps->col_at; q < at; q++)
		c += ((unsigned char)*q & 0xC0) != 0x80;
	ps->col_at = at;
	ps->col = c;
	return c;
}

static int fail_at(parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(parser *ps, const char *at, const char *fmt, ...)
{
	if (ps->failed)
		return MG_EPARSE;
	ps->failed = 1;
	/* recompute the line of `at` (it may be ahead of the cursor's line) */
	uint32_t line = ps->line;
	const char *ls = ps->line_start;
	for (const char *q = ps->p < at ? ps->p : at; q < at && q < ps->end; q++)
		if (*q == '\n') {
			line++;
			ls = q + 1;
		}
	if (ls != ps->line_start) {
		ps->line = line;
		ps->line_start = ls;
	}
	uint32_t col = column_of(ps, at);
	va_list ap;
	va_start(ap, fmt);
	int r = mg_findings_vadd(ps->findings, ps->doc->path, line, col, MG_RULE_PARSE, fmt, ap);
	va_end(ap);
	return r < 0 ? r : MG_EPARSE;
}

static void skip_ws(parser *ps)
{
	const char *p = ps->p;
	while (p < ps->end) {
		char c = *p;
		if (c == '\n') {
			ps->line++;
			ps->line_start = p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		p++;
	}
	ps->p = p;
}

static mg_node *new_node(parser *ps, mg_node_type t)
{
	mg_node *n = mg_doc_new_node(ps->doc, t, ps->line, column_of(ps, ps->p));
	if (!n)
		mg_oom();
	return n;
}

static const char *describe(const parser *ps)
{
	if (ps->p >= ps->end)
		return "end of file";
	return NULL;
}

static int unexpected(parser *ps, const char *what)
{
	const char *d = describe(ps);
	if (d)
		return fail_at(ps, ps->p, "unexpected %s, expected %s", d, what);
	unsigned char c = (unsigned char)*ps->p;
	if (c >= 0x20 && c < 0x7f)
		return fail_at(ps, ps->p, "unexpected '%c', expected %s", c, what);
	return fail_at(ps, ps->p, "unexpected byte 0x%02x, expected %s", c, what);
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Parses a string at ps->p (on the opening quote) into *s / *len (arena). */
static int parse_string(parser *ps, const char **s, size_t *len)
{
	const char *p = ps->p + 1, *end = ps->end;
	int escapes = 0;
	/* first pass: find the end, validate, measure */
	size_t outlen = 0;
	while (1) {
		if (p >= end)
			return fail_at(ps, ps->p, "unterminated string");
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c == '\\') {
			escapes = 1;
			if (p + 1 >= end)
				return fail_at(ps, ps->p, "unterminated string");
			char e = p[1];
			if (e == 'u') {
				unsigned cp, lo;
				if (end - p < 6 || hex4(p + 2, &cp) < 0)
					return fail_at(ps, p, "invalid \\u escape");
				p += 6;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) < 0 ||
					    lo < 0xDC00 || lo > 0xDFFF)
						return fail_at(ps, p - 6, "unpaired UTF-16 surrogate in \\u escape");
					p += 6;
					outlen += 4;
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return fail_at(ps, p - 6, "unpaired UTF-16 surrogate in \\u escape");
				} else {
					outlen += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
				}
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == '\0')
				return fail_at(ps, p, "invalid escape '\\%c' in string",
					       (e >= 0x20 && e < 0x7f) ? e : '?');
			p += 2;
			outlen++;
			continue;
		}
		if (c < 0x20) {
			if (c == '\n')
				return fail_at(ps, p, "unterminated string (newline in string)");
			return fail_at(ps, p, "control character 0x%02x in string must be escaped", c);
		}
		if (c < 0x80) {
			p++;
			outlen++;
			continue;
		}
		size_t n = mg_utf8_valid_prefix(p, (size_t)(end - p));
		if (n == 0)
			return fail_at(ps, p, "invalid UTF-8 byte 0x%02x in string", c);
		p += n;
		outlen += n;
	}
	const char *close = p;
	char *dst = mg_arena_alloc(&ps->doc->arena, outlen + 1);
	if (!dst)
		return mg_oom();
	if (!escapes) {
		memcpy(dst, ps->p + 1, outlen);
	} else {
		char *o = dst;
		for (const char *q = ps->p + 1; q < close;) {
			if (*q != '\\') {
				*o++ = *q++;
				continue;
			}
			char e = q[1];
			q += 2;
			switch (e) {
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				hex4(q, &cp);
				q += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					hex4(q + 2, &lo);
					q += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				o += mg_utf8_encode(cp, o);
				break;
			}
			default: *o++ = e; break;
			}
		}
	}
	dst[outlen] = '\0';
	*s = dst;
	*len = outlen;
	ps->p = close + 1;
	return 0;
}

static int parse_number(parser *ps, mg_node **out)
{
	const char *p = ps->p, *end = ps->end, *s = p;
	int integer = 1;
	if (p < end && *p == '-')
		p++;
	if (p >= end || !(*p >= '0' && *p <= '9'))
		return fail_at(ps, s, "invalid number");
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			return fail_at(ps, s, "invalid number: leading zeros are not allowed");
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && *p == '.') {
		integer = 0;
		p++;
		if (p >= end || !(*p >= '0' && *p <= '9'))
			return fail_at(ps, p, "invalid number: expected a digit after '.'");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		integer = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !(*p >= '0' && *p <= '9'))
			return fail_at(ps, p, "invalid number: expected a digit in the exponent");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	char tmp[64], *heap = NULL, *txt = tmp;
	size_t n = (size_t)(p - s);
	if (n >= sizeof tmp) {
		heap = malloc(n + 1);
		if (!heap)
			return mg_oom();
		txt = heap;
	}
	memcpy(txt, s, n);
	txt[n] = '\0';
	double v = strtod(txt, NULL);
	free(heap);
	if (!isfinite(v))
		return fail_at(ps, s, "number out of range");
	mg_node *node = new_node(ps, MG_NODE_NUMBER);
	if (!node)
		return MG_ENOMEM;
	node->u.number.value = v;
	node->u.number.is_integer = integer || v == floor(v);
	ps->p = p;
	*out = node;
	return 0;
}

static int parse_value(parser *ps, mg_node **out);

static int push_item(parser *ps, mg_node *n)
{
	if (ps->nitems == ps->capitems) {
		size_t cap = ps->capitems ? ps->capitems * 2 : 64;
		mg_node **items = realloc(ps->items, cap * sizeof *items);
		if (!items)
			return mg_oom();
		ps->items = items;
		ps->capitems = cap;
	}
	ps->items[ps->nitems++] = n;
	return 0;
}

static int push_member(parser *ps, const mg_member *m)
{
	if (ps->nmembers == ps->capmembers) {
		size_t cap = ps->capmembers ? ps->capmembers * 2 : 64;
		mg_member *members = realloc(ps->members, cap * sizeof *members);
		if (!members)
			return mg_oom();
		ps->members = members;
		ps->capmembers = cap;
	}
	ps->members[ps->nmembers++] = *m;
	return 0;
}

static int parse_array(parser *ps, mg_node *node)
{
	size_t base = ps->nitems;
	int r;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	while (1) {
		mg_node *item;
		if ((r = parse_value(ps, &item)) < 0 || (r = push_item(ps, item)) < 0)
			return r;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ']')
				return fail_at(ps, ps->p, "trailing comma in array");
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			break;
		}
		return unexpected(ps, "',' or ']' in array");
	}
	size_t n = ps->nitems - base;
	mg_node **items = mg_arena_alloc(&ps->doc->arena, n * sizeof *items);
	if (!items)
		return mg_oom();
	memcpy(items, ps->items + base, n * sizeof *items);
	node->u.array.items = items;
	node->u.array.count = n;
	ps->nitems = base;
	return 0;
}

static int cmp_member_key(const void *pa, const void *pb)
{
	const mg_member *a = *(const mg_member *const *)pa, *b = *(const mg_member *const *)pb;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int same_key(const mg_member *a, const mg_member *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

/* Reports the first (in document order) key that repeats an earlier one. */
static int check_duplicates(parser *ps, mg_member *m, size_t n)
{
	const mg_member *dup = NULL, *first = NULL;
	if (n < 2)
		return 0;
	if (n <= 16) {
		for (size_t i = 1; i < n && !dup; i++)
			for (size_t j = 0; j < i; j++)
				if (same_key(&m[i], &m[j])) {
					dup = &m[i];
					first = &m[j];
					break;
				}
	} else {
		const mg_member **sorted = malloc(n * sizeof *sorted);
		if (!sorted)
			return mg_oom();
		for (size_t i = 0; i < n; i++)
			sorted[i] = &m[i];
		mg_sort(sorted, n, sizeof *sorted, cmp_member_key);
		for (size_t i = 1; i < n; i++)
			if (same_key(sorted[i], sorted[i - 1]) && (!dup || sorted[i] < dup)) {
				/* sorted[i-1] is the earlier one among equal keys in a run */
				size_t k = i;
				while (k > 0 && same_key(sorted[k - 1], sorted[i]))
					k--;
				dup = sorted[i];
				first = sorted[k];
			}
		free(sorted);
	}
	if (!dup)
		return 0;
	/* point at the key: recompute line/col from the stored member */
	ps->failed = 1;
	int r = mg_findings_add(ps->findings, ps->doc->path, dup->line, dup->col, MG_RULE_PARSE,
				"duplicate key '%s' (first at line %u)", dup->key, (unsigned)first->line);
	return r < 0 ? r : MG_EPARSE;
}

static int parse_object(parser *ps, mg_node *node)
{
	size_t base = ps->nmembers;
	int r;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	while (1) {
		mg_member m;
		if (ps->p >= ps->end || *ps->p != '"')
			return unexpected(ps, "a string key in object");
		m.line = ps->line;
		m.col = column_of(ps, ps->p);
		if ((r = parse_string(ps, &m.key, &m.key_len)) < 0)
			return r;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return unexpected(ps, "':' after object key");
		ps->p++;
		if ((r = parse_value(ps, &m.value)) < 0 || (r = push_member(ps, &m)) < 0)
			return r;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == '}')
				return fail_at(ps, ps->p, "trailing comma in object");
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		return unexpected(ps, "',' or '}' in object");
	}
	size_t n = ps->nmembers - base;
	mg_member *members = mg_arena_alloc(&ps->doc->arena, n * sizeof *members);
	if (!members)
		return mg_oom();
	memcpy(members, ps->members + base, n * sizeof *members);
	ps->nmembers = base;
	if ((r = check_duplicates(ps, members, n)) < 0)
		return r;
	node->u.object.members = members;
	node->u.object.count = n;
	return 0;
}

static int literal(parser *ps, const char *word, mg_node_type t, bool b, mg_node **out)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return unexpected(ps, "a value");
	mg_node *node = new_node(ps, t);
	if (!node)
		return MG_ENOMEM;
	node->u.boolean = b;
	ps->p += n;
	*out = node;
	return 0;
}

static int parse_value(parser *ps, mg_node **out)
{
	int r;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return unexpected(ps, "a value");
	switch (*ps->p) {
	case '{':
	case '[': {
		if (ps->depth >= ps->max_depth)
			return fail_at(ps, ps->p, "nesting deeper than the limit of %u", ps->max_depth);
		mg_node *node = new_node(ps, *ps->p == '{' ? MG_NODE_OBJECT : MG_NODE_ARRAY);
		if (!node)
			return MG_ENOMEM;
		ps->depth++;
		r = node->type == MG_NODE_OBJECT ? parse_object(ps, node) : parse_array(ps, node);
		ps->depth--;
		if (r < 0)
			return r;
		*out = node;
		return 0;
	}
	case '"': {
		mg_node *node = new_node(ps, MG_NODE_STRING);
		if (!node)
			return MG_ENOMEM;
		if ((r = parse_string(ps, &node->u.string.ptr, &node->u.string.len)) < 0)
			return r;
		*out = node;
		return 0;
	}
	case 't': return literal(ps, "true", MG_NODE_BOOL, true, out);
	case 'f': return literal(ps, "false", MG_NODE_BOOL, false, out);
	case 'n': return literal(ps, "null", MG_NODE_NULL, false, out);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, out);
		return unexpected(ps, "a value");
	}
}

int mg_doc_parse_json(mg_doc **out, const char *path, const char *data, size_t len,
		      const mg_doc_limits *limits, struct mg_findings *findings)
{
	static const mg_doc_limits defaults = MG_DOC_LIMITS_DEFAULT;
	mg_doc *doc;
	int r;
	*out = NULL;
	if (!limits)
		limits = &defaults;
	if (len > limits->max_bytes) {
		r = mg_findings_add(findings, path, 1, 1, MG_RULE_PARSE,
				    "file is %zu bytes, larger than the limit of %zu", len,
				    limits->max_bytes);
		return r < 0 ? r : MG_EPARSE;
	}
	if ((r = mg_doc_new(&doc, path, MG_FORMAT_JSON)) < 0)
		return r;
	parser ps = { 0 };
	ps.doc = doc;
	ps.start = ps.p = ps.line_start = ps.col_at = data;
	ps.end = data + len;
	ps.line = ps.col = 1;
	ps.max_depth = limits->max_depth ? limits->max_depth : 64;
	if (ps.max_depth > 10000)
		ps.max_depth = 10000; /* keeps the recursion within the C stack */
	ps.findings = findings;
	/* a UTF-8 byte order mark is tolerated (RFC 8259 §8.1 allows ignoring it) */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		ps.p = ps.line_start = ps.col_at = data + 3;
	r = parse_value(&ps, &doc->root);
	if (r == 0) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			r = unexpected(&ps, "end of file after the top-level value");
	}
	free(ps.items);
	free(ps.members);
	if (r < 0) {
		mg_doc_free(doc);
		return r;
	}
	*out = doc;
	return 0;
}
