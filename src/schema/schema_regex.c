/*
 * schema_regex.c - the regular expressions of JSON Schema's `pattern` and
 * `patternProperties`: an ECMA-262 subset compiled to a Thompson NFA and run
 * as a breadth-first simulation, so matching is O(input * states) whatever
 * the pattern (no exponential backtracking on `(a+)+$`).
 *
 * Supported: literals, `.`, classes with ranges and negation, \d \w \s
 * \D \W \S \b \B, \p{L} / \p{Letter} (major scripts; an approximation of the
 * Unicode table), escapes \n \r \t \f \v \0 \cX \xHH \uHHHH \u{H..}, anchors
 * ^ $, groups ( ) (?: ) (?<name> ), alternation, quantifiers * + ? {n}
 * {n,} {n,m} greedy or lazy.  Matching works on Unicode code points (the
 * `u` flag).  Back-references and lookaround are refused at compile time.
 * Only "does it match" is computed, so greedy and lazy are equivalent.
 *
 * Ownership: programs live in the arena given to mg_regex_compile(); the
 * parser's temporary tree and code buffer are malloc'd and freed before
 * returning.
 */
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "schema/schema_int.h"

#define RE_MAX_INSTS 20000 /* after expanding counted repetitions */
#define RE_MAX_COUNT 1000  /* largest n in {n,m} */
#define RE_MAX_DEPTH 200   /* group nesting */
#define CP_MAX 0x10FFFFu

typedef struct re_range {
	uint32_t lo, hi;
} re_range;

typedef struct re_class {
	re_range *ranges;
	size_t count;
	bool negated;
} re_class;

enum re_op { OP_CHAR, OP_ANY, OP_CLASS, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL, OP_WORDB, OP_NWORDB, OP_MATCH };

typedef struct re_inst {
	uint8_t op;
	uint32_t c;  /* OP_CHAR: code point; OP_CLASS: class index */
	uint32_t x, y; /* OP_SPLIT: both targets; OP_JMP: x */
} re_inst;

struct mg_regex {
	const char *source;
	re_inst *prog;
	size_t n;
	re_class *classes;
	size_t nclasses;
};

/* ---- parse tree ---- */

enum ast_kind { A_EMPTY, A_CHAR, A_ANY, A_CLASS, A_CAT, A_ALT, A_REPEAT, A_BOL, A_EOL, A_WORDB, A_NWORDB };

typedef struct ast ast;
struct ast {
	uint8_t kind;
	uint32_t c; /* A_CHAR code point; A_CLASS index */
	uint32_t min, max; /* A_REPEAT; max UINT32_MAX for unbounded */
	ast *a, *b; /* A_CAT, A_ALT: both; A_REPEAT: a */
};

typedef struct re_parser {
	const char *p, *end;
	const char *src;
	size_t src_len;
	ast **nodes; /* every node, freed at the end */
	size_t nnodes, nodes_cap;
	re_class *classes;
	size_t nclasses, classes_cap;
	unsigned depth;
	int err;
} re_parser;

static int re_fail(re_parser *ps, const char *why)
{
	if (!ps->err) {
		mg_error_set("unsupported or invalid regular expression '%.*s': %s",
			     (int)(ps->src_len > 200 ? 200 : ps->src_len), ps->src, why);
		ps->err = MG_EINVALID;
	}
	return ps->err;
}

static ast *ast_new(re_parser *ps, int kind)
{
	if (ps->nnodes == ps->nodes_cap) {
		size_t cap = ps->nodes_cap ? ps->nodes_cap * 2 : 32;
		ast **n = realloc(ps->nodes, cap * sizeof *n);
		if (!n)
			goto oom;
		ps->nodes = n;
		ps->nodes_cap = cap;
	}
	ast *a = calloc(1, sizeof *a);
	if (!a)
		goto oom;
	a->kind = (uint8_t)kind;
	ps->nodes[ps->nnodes++] = a;
	return a;
oom:
	if (!ps->err)
		ps->err = mg_oom();
	return NULL;
}

static ast *ast_pair(re_parser *ps, int kind, ast *a, ast *b)
{
	ast *n = ast_new(ps, kind);
	if (n) {
		n->a = a;
		n->b = b;
	}
	return n;
}

/* Decodes one UTF-8 code point; invalid bytes decode as U+FFFD, one byte. */
static uint32_t utf8_next(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t c = p[0];
	size_t n = 1;
	if (c >= 0xF0 && end - *pp >= 4)
		c = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu), n = 4;
	else if (c >= 0xE0 && end - *pp >= 3)
		c = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu), n = 3;
	else if (c >= 0xC0 && end - *pp >= 2)
		c = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu), n = 2;
	else if (c >= 0x80)
		c = 0xFFFD;
	*pp += n;
	return c;
}

/* ---- character sets ---- */

static const re_range digit_ranges[] = { { '0', '9' } };
static const re_range word_ranges[] = { { '0', '9' }, { 'A', 'Z' }, { '_', '_' }, { 'a', 'z' } };
static const re_range space_ranges[] = {
	{ 0x09, 0x0D }, { 0x20, 0x20 }, { 0xA0, 0xA0 }, { 0x1680, 0x1680 }, { 0x2000, 0x200A },
	{ 0x2028, 0x2029 }, { 0x202F, 0x202F }, { 0x205F, 0x205F }, { 0x3000, 0x3000 }, { 0xFEFF, 0xFEFF }
};
/* Letters of the major scripts; an approximation of Unicode's L category. */
static const re_range letter_ranges[] = {
	{ 0x41, 0x5A }, { 0x61, 0x7A }, { 0xAA, 0xAA }, { 0xB5, 0xB5 }, { 0xBA, 0xBA },
	{ 0xC0, 0xD6 }, { 0xD8, 0xF6 }, { 0xF8, 0x2C1 }, { 0x2C6, 0x2D1 }, { 0x2E0, 0x2E4 },
	{ 0x2EC, 0x2EC }, { 0x2EE, 0x2EE }, { 0x370, 0x374 }, { 0x376, 0x377 }, { 0x37A, 0x37D },
	{ 0x37F, 0x37F }, { 0x386, 0x386 }, { 0x388, 0x3F5 }, { 0x3F7, 0x481 }, { 0x48A, 0x52F },
	{ 0x531, 0x556 }, { 0x559, 0x559 }, { 0x560, 0x588 }, { 0x5D0, 0x5EA }, { 0x5EF, 0x5F2 },
	{ 0x620, 0x64A }, { 0x66E, 0x66F }, { 0x671, 0x6D3 }, { 0x6D5, 0x6D5 }, { 0x6E5, 0x6E6 },
	{ 0x6EE, 0x6EF }, { 0x6FA, 0x6FC }, { 0x6FF, 0x6FF }, { 0x710, 0x710 }, { 0x712, 0x72F },
	{ 0x74D, 0x7A5 }, { 0x904, 0x939 }, { 0x93D, 0x93D }, { 0x950, 0x950 }, { 0x958, 0x961 },
	{ 0x971, 0x980 }, { 0xE01, 0xE30 }, { 0xE32, 0xE33 }, { 0xE40, 0xE46 }, { 0x10A0, 0x10C5 },
	{ 0x10D0, 0x10FA }, { 0x10FC, 0x1248 }, { 0x13A0, 0x13F5 }, { 0x1E00, 0x1F15 },
	{ 0x1F18, 0x1F1D }, { 0x1F20, 0x1F45 }, { 0x1F48, 0x1F4D }, { 0x1F50, 0x1F57 },
	{ 0x1F59, 0x1F59 }, { 0x1F5B, 0x1F5B }, { 0x1F5D, 0x1F5D }, { 0x1F5F, 0x1F7D },
	{ 0x1F80, 0x1FB4 }, { 0x1FB6, 0x1FBC }, { 0x1FBE, 0x1FBE }, { 0x1FC2, 0x1FC4 },
	{ 0x1FC6, 0x1FCC }, { 0x1FD0, 0x1FD3 }, { 0x1FD6, 0x1FDB }, { 0x1FE0, 0x1FEC },
	{ 0x1FF2, 0x1FF4 }, { 0x1FF6, 0x1FFC }, { 0x2071, 0x2071 }, { 0x207F, 0x207F },
	{ 0x2090, 0x209C }, { 0x2102, 0x2102 }, { 0x2107, 0x2107 }, { 0x210A, 0x2113 },
	{ 0x2115, 0x2115 }, { 0x2119, 0x211D }, { 0x2124, 0x2124 }, { 0x2126, 0x2126 },
	{ 0x2128, 0x2128 }, { 0x212A, 0x212D }, { 0x212F, 0x2139 }, { 0x2C00, 0x2CE4 },
	{ 0x2D00, 0x2D25 }, { 0x3005, 0x3006 }, { 0x3031, 0x3035 }, { 0x3041, 0x3096 },
	{ 0x309D, 0x309F }, { 0x30A1, 0x30FA }, { 0x30FC, 0x30FF }, { 0x3105, 0x312F },
	{ 0x3131, 0x318E }, { 0x31A0, 0x31BF }, { 0x31F0, 0x31FF }, { 0x3400, 0x4DBF },
	{ 0x4E00, 0x9FFF }, { 0xA000, 0xA48C }, { 0xA640, 0xA66E }, { 0xA680, 0xA69D },
	{ 0xA722, 0xA788 }, { 0xA78B, 0xA7CA }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFA6D },
	{ 0xFB00, 0xFB06 }, { 0xFB1D, 0xFB28 }, { 0xFE70, 0xFEFC }, { 0xFF21, 0xFF3A },
	{ 0xFF41, 0xFF5A }, { 0xFF66, 0xFFBE }, { 0x10400, 0x1044F }, { 0x1D400, 0x1D6A5 },
	{ 0x20000, 0x2A6DF }, { 0x2A700, 0x2EBE0 }, { 0x30000, 0x3134A }
};

typedef struct re_set {
	re_range *r;
	size_t n, cap;
} re_set;

static int set_add(re_parser *ps, re_set *s, uint32_t lo, uint32_t hi)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		re_range *r = realloc(s->r, cap * sizeof *r);
		if (!r)
			return ps->err = mg_oom();
		s->r = r;
		s->cap = cap;
	}
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	return 0;
}

/* Adds a sorted, disjoint table, or its complement. */
static int set_add_table(re_parser *ps, re_set *s, const re_range *t, size_t n, bool negate)
{
	if (!negate) {
		for (size_t i = 0; i < n; i++)
			if (set_add(ps, s, t[i].lo, t[i].hi))
				return ps->err;
		return 0;
	}
	uint32_t next = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].lo > next && set_add(ps, s, next, t[i].lo - 1))
			return ps->err;
		next = t[i].hi + 1;
	}
	if (next <= CP_MAX && set_add(ps, s, next, CP_MAX))
		return ps->err;
	return 0;
}

/* Moves a set into the class table; returns the class index or -1. */
static long class_push(re_parser *ps, re_set *s, bool negated)
{
	if (ps->nclasses == ps->classes_cap) {
		size_t cap = ps->classes_cap ? ps->classes_cap * 2 : 4;
		re_class *c = realloc(ps->classes, cap * sizeof *c);
		if (!c) {
			free(s->r);
			ps->err = mg_oom();
			return -1;
		}
		ps->classes = c;
		ps->classes_cap = cap;
	}
	ps->classes[ps->nclasses].ranges = s->r;
	ps->classes[ps->nclasses].count = s->n;
	ps->classes[ps->nclasses].negated = negated;
	s->r = NULL;
	return (long)ps->nclasses++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex(re_parser *ps, int digits, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < digits; i++) {
		if (ps->p >= ps->end || hexval((unsigned char)*ps->p) < 0)
			return false;
		v = v * 16 + (uint32_t)hexval((unsigned char)*ps->p++);
	}
	*out = v;
	return true;
}

/*
 * Parses the escape after a backslash.  Either *cp gets a single code point
 * (returns 1) or `set` gets a character set (returns 2); 3 for \b and 4 for
 * \B outside classes; negative on error.
 */
static int parse_escape(re_parser *ps, uint32_t *cp, re_set *set, bool in_class)
{
	if (ps->p >= ps->end)
		return re_fail(ps, "trailing backslash");
	char c = *ps->p++;
	switch (c) {
	case 'd': case 'D':
		return set_add_table(ps, set, digit_ranges, 1, c == 'D') ? ps->err : 2;
	case 'w': case 'W':
		return set_add_table(ps, set, word_ranges, 4, c == 'W') ? ps->err : 2;
	case 's': case 'S':
		return set_add_table(ps, set, space_ranges, sizeof space_ranges / sizeof space_ranges[0],
				     c == 'S') ? ps->err : 2;
	case 'p': case 'P': {
		const char *close = ps->p < ps->end && *ps->p == '{' ? memchr(ps->p, '}', (size_t)(ps->end - ps->p)) : NULL;
		if (!close)
			return re_fail(ps, "\\p needs a {property}");
		size_t n = (size_t)(close - ps->p - 1);
		const char *name = ps->p + 1;
		ps->p = close + 1;
		if (!((n == 1 && name[0] == 'L') || (n == 6 && memcmp(name, "Letter", 6) == 0) ||
		      (n == 19 && memcmp(name, "General_Category=L", 18) == 0)))
			return re_fail(ps, "only the \\p{L} / \\p{Letter} property is supported");
		return set_add_table(ps, set, letter_ranges, sizeof letter_ranges / sizeof letter_ranges[0],
				     c == 'P') ? ps->err : 2;
	}
	case 'b':
		if (in_class) {
			*cp = 8;
			return 1;
		}
		return 3;
	case 'B':
		if (in_class)
			return re_fail(ps, "\\B inside a class");
		return 4;
	case 'n': *cp = '\n'; return 1;
	case 'r': *cp = '\r'; return 1;
	case 't': *cp = '\t'; return 1;
	case 'f': *cp = '\f'; return 1;
	case 'v': *cp = '\v'; return 1;
	case '0':
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			return re_fail(ps, "octal escapes are not supported");
		*cp = 0;
		return 1;
	case 'c':
		if (ps->p < ps->end && ((*ps->p >= 'a' && *ps->p <= 'z') || (*ps->p >= 'A' && *ps->p <= 'Z'))) {
			*cp = (uint32_t)(*ps->p++ % 32);
			return 1;
		}
		return re_fail(ps, "invalid \\c escape");
	case 'x':
		if (!read_hex(ps, 2, cp))
			return re_fail(ps, "invalid \\x escape");
		return 1;
	case 'u':
		if (ps->p < ps->end && *ps->p == '{') {
			uint32_t v = 0;
			int nd = 0;
			ps->p++;
			while (ps->p < ps->end && hexval((unsigned char)*ps->p) >= 0 && nd < 8) {
				v = v * 16 + (uint32_t)hexval((unsigned char)*ps->p++);
				nd++;
			}
			if (!nd || ps->p >= ps->end || *ps->p != '}' || v > CP_MAX)
				return re_fail(ps, "invalid \\u{...} escape");
			ps->p++;
			*cp = v;
			return 1;
		}
		if (!read_hex(ps, 4, cp))
			return re_fail(ps, "invalid \\u escape");
		if (*cp >= 0xD800 && *cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
			const char *save = ps->p;
			uint32_t lo;
			ps->p += 2;
			if (read_hex(ps, 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
				*cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
			else
				ps->p = save;
		}
		return 1;
	case 'k':
		return re_fail(ps, "back-references are not supported");
	default:
		if (c >= '1' && c <= '9')
			return re_fail(ps, "back-references are not supported");
		if (strchr("^$\\.*+?()[]{}|/-", c)) {
			*cp = (uint32_t)(unsigned char)c;
			return 1;
		}
		return re_fail(ps, "unknown escape");
	}
}

static ast *parse_class(re_parser *ps)
{
	re_set set = { NULL, 0, 0 };
	bool negated = false;
	if (ps->p < ps->end && *ps->p == '^') {
		negated = true;
		ps->p++;
	}
	for (;;) {
		if (ps->p >= ps->end) {
			re_fail(ps, "unterminated character class");
			goto fail;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		uint32_t lo, hi;
		int kind = 1;
		if (*ps->p == '\\') {
			ps->p++;
			kind = parse_escape(ps, &lo, &set, true);
			if (kind < 0)
				goto fail;
		} else {
			lo = utf8_next(&ps->p, ps->end);
		}
		if (kind == 2)
			continue; /* a set like \d; a following '-' is a literal */
		hi = lo;
		if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] != ']') {
			ps->p++;
			if (*ps->p == '\\') {
				ps->p++;
				re_set tmp = { NULL, 0, 0 };
				int k2 = parse_escape(ps, &hi, &tmp, true);
				free(tmp.r);
				if (k2 < 0)
					goto fail;
				if (k2 != 1) {
					re_fail(ps, "class escape used as a range bound");
					goto fail;
				}
			} else {
				hi = utf8_next(&ps->p, ps->end);
			}
			if (hi < lo) {
				re_fail(ps, "range out of order in character class");
				goto fail;
			}
		}
		if (set_add(ps, &set, lo, hi))
			goto fail;
	}
	long idx = class_push(ps, &set, negated);
	if (idx < 0)
		return NULL;
	ast *a = ast_new(ps, A_CLASS);
	if (a)
		a->c = (uint32_t)idx;
	return a;
fail:
	free(set.r);
	return NULL;
}

static ast *parse_alt(re_parser *ps);

/* Reads {n}, {n,}, {n,m} at ps->p (on the '{'); false (and p unchanged)
 * when it is not a quantifier, in which case '{' is a literal. */
static bool parse_braces(re_parser *ps, uint32_t *min, uint32_t *max)
{
	const char *p = ps->p + 1;
	uint64_t a = 0, b;
	if (p >= ps->end || *p < '0' || *p > '9')
		return false;
	while (p < ps->end && *p >= '0' && *p <= '9')
		a = a < 100000 ? a * 10 + (uint64_t)(*p++ - '0') : a, p += a >= 100000;
	b = a;
	if (p < ps->end && *p == ',') {
		p++;
		if (p < ps->end && *p >= '0' && *p <= '9') {
			b = 0;
			while (p < ps->end && *p >= '0' && *p <= '9')
				b = b < 100000 ? b * 10 + (uint64_t)(*p++ - '0') : b, p += b >= 100000;
		} else {
			b = UINT32_MAX;
		}
	}
	if (p >= ps->end || *p != '}')
		return false;
	ps->p = p + 1;
	*min = (uint32_t)a;
	*max = (uint32_t)b;
	return true;
}

static ast *parse_atom(re_parser *ps)
{
	char c = *ps->p;
	ast *a;
	switch (c) {
	case '(':
		ps->p++;
		if (ps->p < ps->end && *ps->p == '?') {
			if (ps->end - ps->p >= 2 && ps->p[1] == ':') {
				ps->p += 2;
			} else if (ps->end - ps->p >= 3 && ps->p[1] == '<' && ps->p[2] != '=' && ps->p[2] != '!') {
				const char *close = memchr(ps->p, '>', (size_t)(ps->end - ps->p));
				if (!close) {
					re_fail(ps, "unterminated group name");
					return NULL;
				}
				ps->p = close + 1;
			} else {
				re_fail(ps, "lookaround assertions are not supported");
				return NULL;
			}
		}
		if (++ps->depth > RE_MAX_DEPTH) {
			re_fail(ps, "groups nested too deeply");
			return NULL;
		}
		a = parse_alt(ps);
		ps->depth--;
		if (!a)
			return NULL;
		if (ps->p >= ps->end || *ps->p != ')') {
			re_fail(ps, "missing ')'");
			return NULL;
		}
		ps->p++;
		return a;
	case '[':
		ps->p++;
		return parse_class(ps);
	case '.':
		ps->p++;
		return ast_new(ps, A_ANY);
	case '^':
		ps->p++;
		return ast_new(ps, A_BOL);
	case '$':
		ps->p++;
		return ast_new(ps, A_EOL);
	case '\\': {
		re_set set = { NULL, 0, 0 };
		uint32_t cp = 0;
		ps->p++;
		int kind = parse_escape(ps, &cp, &set, false);
		if (kind < 0) {
			free(set.r);
			return NULL;
		}
		if (kind == 3)
			return ast_new(ps, A_WORDB);
		if (kind == 4)
			return ast_new(ps, A_NWORDB);
		if (kind == 2) {
			long idx = class_push(ps, &set, false);
			if (idx < 0)
				return NULL;
			a = ast_new(ps, A_CLASS);
			if (a)
				a->c = (uint32_t)idx;
			return a;
		}
		a = ast_new(ps, A_CHAR);
		if (a)
			a->c = cp;
		return a;
	}
	case '*': case '+': case '?':
		re_fail(ps, "nothing to repeat");
		return NULL;
	case ')':
		re_fail(ps, "unmatched ')'");
		return NULL;
	default:
		a = ast_new(ps, A_CHAR);
		if (a)
			a->c = utf8_next(&ps->p, ps->end);
		return a;
	}
}

static ast *parse_cat(re_parser *ps)
{
	ast *seq = NULL;
	while (ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
		if (*ps->p == '{') {
			uint32_t mn, mx;
			const char *save = ps->p;
			if (parse_braces(ps, &mn, &mx)) {
				ps->p = save;
				re_fail(ps, "nothing to repeat");
				return NULL;
			}
		}
		ast *atom = parse_atom(ps);
		if (!atom)
			return NULL;
		for (;;) {
			uint32_t mn, mx;
			if (ps->p >= ps->end)
				break;
			if (*ps->p == '*')
				mn = 0, mx = UINT32_MAX, ps->p++;
			else if (*ps->p == '+')
				mn = 1, mx = UINT32_MAX, ps->p++;
			else if (*ps->p == '?')
				mn = 0, mx = 1, ps->p++;
			else if (*ps->p == '{' && parse_braces(ps, &mn, &mx))
				;
			else
				break;
			if (atom->kind == A_BOL || atom->kind == A_EOL || atom->kind == A_WORDB || atom->kind == A_NWORDB) {
				re_fail(ps, "nothing to repeat");
				return NULL;
			}
			if (mn > mx) {
				re_fail(ps, "numbers out of order in {} quantifier");
				return NULL;
			}
			if (mn > RE_MAX_COUNT || (mx != UINT32_MAX && mx > RE_MAX_COUNT)) {
				re_fail(ps, "repetition count too large");
				return NULL;
			}
			if (ps->p < ps->end && *ps->p == '?')
				ps->p++; /* lazy: same verdict */
			ast *r = ast_new(ps, A_REPEAT);
			if (!r)
				return NULL;
			r->a = atom;
			r->min = mn;
			r->max = mx;
			atom = r;
		}
		seq = seq ? ast_pair(ps, A_CAT, seq, atom) : atom;
		if (!seq)
			return NULL;
	}
	return seq ? seq : ast_new(ps, A_EMPTY);
}

static ast *parse_alt(re_parser *ps)
{
	ast *left = parse_cat(ps);
	while (left && ps->p < ps->end && *ps->p == '|') {
		ps->p++;
		ast *right = parse_cat(ps);
		if (!right)
			return NULL;
		left = ast_pair(ps, A_ALT, left, right);
	}
	return left;
}

/* ---- code generation ---- */

typedef struct re_code {
	re_inst *v;
	size_t n, cap;
} re_code;

static long emit(re_parser *ps, re_code *code, int op, uint32_t c)
{
	if (code->n >= RE_MAX_INSTS) {
		re_fail(ps, "pattern too large once repetitions are expanded");
		return -1;
	}
	if (code->n == code->cap) {
		size_t cap = code->cap ? code->cap * 2 : 64;
		re_inst *v = realloc(code->v, cap * sizeof *v);
		if (!v) {
			ps->err = mg_oom();
			return -1;
		}
		code->v = v;
		code->cap = cap;
	}
	re_inst *i = &code->v[code->n];
	i->op = (uint8_t)op;
	i->c = c;
	i->x = i->y = 0;
	return (long)code->n++;
}

static int gen(re_parser *ps, re_code *code, const ast *a)
{
	long at, j;
	switch (a->kind) {
	case A_EMPTY:
		return 0;
	case A_CHAR:
		return emit(ps, code, OP_CHAR, a->c) < 0 ? -1 : 0;
	case A_ANY:
		return emit(ps, code, OP_ANY, 0) < 0 ? -1 : 0;
	case A_CLASS:
		return emit(ps, code, OP_CLASS, a->c) < 0 ? -1 : 0;
	case A_BOL:
		return emit(ps, code, OP_BOL, 0) < 0 ? -1 : 0;
	case A_EOL:
		return emit(ps, code, OP_EOL, 0) < 0 ? -1 : 0;
	case A_WORDB:
		return emit(ps, code, OP_WORDB, 0) < 0 ? -1 : 0;
	case A_NWORDB:
		return emit(ps, code, OP_NWORDB, 0) < 0 ? -1 : 0;
	case A_CAT:
		return gen(ps, code, a->a) || gen(ps, code, a->b) ? -1 : 0;
	case A_ALT:
		/* split L1, L2; L1: a; jmp end; L2: b; end: */
		if ((at = emit(ps, code, OP_SPLIT, 0)) < 0)
			return -1;
		code->v[at].x = (uint32_t)code->n;
		if (gen(ps, code, a->a) || (j = emit(ps, code, OP_JMP, 0)) < 0)
			return -1;
		code->v[at].y = (uint32_t)code->n;
		if (gen(ps, code, a->b))
			return -1;
		code->v[j].x = (uint32_t)code->n;
		return 0;
	case A_REPEAT: {
		for (uint32_t i = 0; i < a->min; i++)
			if (gen(ps, code, a->a))
				return -1;
		if (a->max == UINT32_MAX) {
			/* L: split body, end; body; jmp L; end: */
			if ((at = emit(ps, code, OP_SPLIT, 0)) < 0)
				return -1;
			code->v[at].x = (uint32_t)code->n;
			if (gen(ps, code, a->a) || (j = emit(ps, code, OP_JMP, 0)) < 0)
				return -1;
			code->v[j].x = (uint32_t)at;
			code->v[at].y = (uint32_t)code->n;
			return 0;
		}
		/* optional copies: split body, end; body; split body, end; ... */
		size_t first = code->n;
		for (uint32_t i = a->min; i < a->max; i++) {
			if ((at = emit(ps, code, OP_SPLIT, 0)) < 0)
				return -1;
			code->v[at].x = (uint32_t)code->n;
			if (gen(ps, code, a->a))
				return -1;
		}
		/* every split's second branch goes to the end */
		for (size_t k = first; k < code->n; k++)
			if (code->v[k].op == OP_SPLIT && code->v[k].y == 0 && code->v[k].x == k + 1)
				code->v[k].y = (uint32_t)code->n;
		return 0;
	}
	}
	return 0;
}

int mg_regex_compile(mg_regex **out, mg_arena *arena, const char *pattern, size_t len)
{
	re_parser ps;
	re_code code = { NULL, 0, 0 };
	mg_regex *re = NULL;
	int err = 0;

	memset(&ps, 0, sizeof ps);
	ps.p = ps.src = pattern;
	ps.end = pattern + len;
	ps.src_len = len;
	ast *root = parse_alt(&ps);
	if (root && ps.p < ps.end)
		re_fail(&ps, "unmatched ')'");
	if (ps.err || !root) {
		err = ps.err ? ps.err : MG_EINVALID;
		goto done;
	}
	if (gen(&ps, &code, root) || emit(&ps, &code, OP_MATCH, 0) < 0) {
		err = ps.err;
		goto done;
	}
	re = mg_arena_calloc(arena, 1, sizeof *re);
	if (!re || !(re->source = mg_arena_strndup(arena, pattern, len)) ||
	    !(re->prog = mg_arena_alloc(arena, code.n * sizeof *re->prog)) ||
	    (ps.nclasses && !(re->classes = mg_arena_calloc(arena, ps.nclasses, sizeof *re->classes)))) {
		err = mg_oom();
		goto done;
	}
	memcpy(re->prog, code.v, code.n * sizeof *re->prog);
	re->n = code.n;
	for (size_t i = 0; i < ps.nclasses; i++) {
		re_class *c = &re->classes[i];
		c->negated = ps.classes[i].negated;
		c->count = ps.classes[i].count;
		if (c->count && !(c->ranges = mg_arena_alloc(arena, c->count * sizeof *c->ranges))) {
			err = mg_oom();
			goto done;
		}
		if (c->count)
			memcpy(c->ranges, ps.classes[i].ranges, c->count * sizeof *c->ranges);
	}
	re->nclasses = ps.nclasses;
	*out = re;
done:
	for (size_t i = 0; i < ps.nnodes; i++)
		free(ps.nodes[i]);
	free(ps.nodes);
	for (size_t i = 0; i < ps.nclasses; i++)
		free(ps.classes[i].ranges);
	free(ps.classes);
	free(code.v);
	return err;
}

const char *mg_regex_source(const mg_regex *re)
{
	return re->source;
}

/* ---- matching ---- */

static bool class_has(const re_class *c, uint32_t cp)
{
	bool in = false;
	for (size_t i = 0; i < c->count; i++)
		if (cp >= c->ranges[i].lo && cp <= c->ranges[i].hi) {
			in = true;
			break;
		}
	return in != c->negated;
}

static bool is_word(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
}

typedef struct re_vm {
	const mg_regex *re;
	uint32_t *list[2];
	size_t count[2];
	uint32_t *mark;
	uint32_t *stack;
	uint32_t gen;
	bool at_start, at_end, prev_word, next_word;
} re_vm;

/* Adds the epsilon closure of pc to list k; returns true when MATCH is reachable. */
static bool add_thread(re_vm *vm, int k, uint32_t pc)
{
	size_t sp = 0;
	if (vm->mark[pc] == vm->gen)
		return false;
	vm->mark[pc] = vm->gen;
	vm->stack[sp++] = pc;
	while (sp) {
		const re_inst *in = &vm->re->prog[vm->stack[--sp]];
		uint32_t next[2];
		int nn = 0;
		switch (in->op) {
		case OP_MATCH:
			return true;
		case OP_JMP:
			next[nn++] = in->x;
			break;
		case OP_SPLIT:
			next[nn++] = in->x;
			next[nn++] = in->y;
			break;
		case OP_BOL:
			if (vm->at_start)
				next[nn++] = (uint32_t)(in - vm->re->prog) + 1;
			break;
		case OP_EOL:
			if (vm->at_end)
				next[nn++] = (uint32_t)(in - vm->re->prog) + 1;
			break;
		case OP_WORDB:
		case OP_NWORDB:
			if ((vm->prev_word != vm->next_word) == (in->op == OP_WORDB))
				next[nn++] = (uint32_t)(in - vm->re->prog) + 1;
			break;
		default:
			vm->list[k][vm->count[k]++] = (uint32_t)(in - vm->re->prog);
			break;
		}
		for (int i = 0; i < nn; i++)
			if (vm->mark[next[i]] != vm->gen) {
				vm->mark[next[i]] = vm->gen;
				vm->stack[sp++] = next[i];
			}
	}
	return false;
}

int mg_regex_search(const mg_regex *re, const char *s, size_t len)
{
	enum { SMALL = 256 };
	uint32_t small[4 * SMALL];
	uint32_t *mem = small;
	re_vm vm;
	const char *p = s, *end = s + len;
	uint32_t cp = 0;
	int found = 0;

	if (re->n > SMALL) {
		mem = malloc(4 * re->n * sizeof *mem);
		if (!mem)
			return mg_oom();
	}
	vm.re = re;
	vm.list[0] = mem;
	vm.list[1] = mem + re->n;
	vm.mark = mem + 2 * re->n;
	vm.stack = mem + 3 * re->n;
	memset(vm.mark, 0, re->n * sizeof *vm.mark);
	vm.count[0] = vm.count[1] = 0;
	vm.gen = 1;
	vm.prev_word = false;
	int cur = 0;
	for (;;) {
		const char *q = p;
		bool has_next = p < end;
		uint32_t next_cp = has_next ? utf8_next(&q, end) : 0;
		vm.at_start = p == s;
		vm.at_end = !has_next;
		vm.next_word = has_next && is_word(next_cp);
		/* unanchored: a new thread starts at every position */
		if (add_thread(&vm, cur, 0)) {
			found = 1;
			break;
		}
		if (!has_next)
			break;
		/* nothing alive and a pattern starting with ^ cannot start again: no match */
		if (vm.count[cur] == 0 && re->prog[0].op == OP_BOL)
			break;
		cp = next_cp;
		p = q;
		vm.gen++;
		vm.prev_word = is_word(cp);
		vm.at_start = false;
		vm.at_end = p >= end;
		if (p < end) {
			const char *r = p;
			vm.next_word = is_word(utf8_next(&r, end));
		} else {
			vm.next_word = false;
		}
		int nxt = 1 - cur;
		vm.count[nxt] = 0;
		for (size_t i = 0; i < vm.count[cur]; i++) {
			const re_inst *in = &re->prog[vm.list[cur][i]];
			bool ok;
			switch (in->op) {
			case OP_CHAR: ok = in->c == cp; break;
			case OP_ANY: ok = cp != '\n' && cp != '\r' && cp != 0x2028 && cp != 0x2029; break;
			case OP_CLASS: ok = class_has(&re->classes[in->c], cp); break;
			default: ok = false; break;
			}
			if (ok && add_thread(&vm, nxt, vm.list[cur][i] + 1)) {
				found = 1;
				goto out;
			}
		}
		vm.count[cur] = 0;
		cur = nxt;
	}
out:
	if (mem != small)
		free(mem);
	return found;
}
