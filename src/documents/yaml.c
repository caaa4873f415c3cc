/*
 * yaml.c - the strict, bounded YAML loader (see meshgate/doc.h).
 *
 * Built on libyaml's event API: the tree grows as events arrive, with an
 * explicit stack of open containers, so nothing recurses on the input's
 * depth and every bound is checked before memory is spent on it.  Nodes and
 * strings go to the document's arena; the only heap memory is libyaml's own
 * and a few scratch stacks that start inline and are freed before return.
 *
 * What is accepted is the JSON data model, with plain scalars resolved by
 * the YAML 1.2 core schema:
 *
 *   null   ~, null, Null, NULL, or nothing at all
 *   bool   true, True, TRUE, false, False, FALSE (yes/no/on/off are strings)
 *   number [-+]?[0-9]+, 0x[0-9a-fA-F]+, 0o[0-7]+, and decimal floats with an
 *          optional exponent
 *   string everything else; quoted and block scalars are always strings
 *
 * Decisions (each refusal is one `parse` finding, see doc.h):
 *
 * - .inf, -.Inf, .nan and numbers too large for a double are refused with
 *   "value ... is not representable in JSON": the tree is JSON's.
 * - Explicit tags (!!str, !custom, !, ...) are refused, the core ones too:
 *   "tags are not supported".  %YAML and %TAG directives are allowed and
 *   change nothing; resolution is always the 1.2 core schema.
 * - The merge key `<<` is an ordinary key: `<<: *base` yields a member
 *   named "<<", which the schema then reports as unknown.  Merging would
 *   be YAML 1.1 behaviour and hides where a value came from.
 * - Mapping keys are the scalar's text as written (`1: x` has the key "1",
 *   `~: x` the key "~"); a sequence or mapping as a key is refused, so is
 *   an alias to one.
 * - Aliases share the anchored subtree (the tree is immutable once loaded):
 *   the alias itself becomes a new node at the alias's position, whose
 *   children are the anchor's.  Each anchor remembers how many nodes its
 *   subtree expands to and how deep it is, so an alias is charged its full
 *   expansion against max_alias_nodes, and its depth against max_depth,
 *   without expanding anything.  The text an alias repeats (scalars and
 *   keys) is charged against max_bytes in the same way, so a few aliases of
 *   a long string cannot make later stages read gigabytes.  An alias to an
 *   undefined (or not yet complete) anchor is refused.  An anchor may be redefined; an alias
 *   refers to the latest definition, as YAML says.
 * - An empty stream (nothing, or only comments) loads as a null root at
 *   1:1; an empty document (`---` alone) as a null root where libyaml puts
 *   it.  A second document in the stream is refused at its start.
 * - A node's position is where it starts, properties included: `&a [1]`
 *   starts at the `&`.
 * - Depth counts containers: a top-level sequence or mapping is at depth 1,
 *   and the first container past max_depth is refused at its start.
 * - The input must be UTF-8 (a UTF-8 BOM is skipped and takes no column);
 *   it is checked up front, with libyaml's set of allowed characters, so a
 *   bad byte or a control character is reported at its exact line:col.
 *   Lines end at \n, \r, \r\n and, as libyaml counts them, U+0085, U+2028
 *   and U+2029; columns count code points.
 * - What YAML 1.2 rejects or reads otherwise and libyaml 0.2.5 accepts is
 *   refused (see "what YAML 1.2 rejects" below and docs/rules.md, parse).
 */
#include "meshgate/doc.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "meshgate/error.h"
#include "meshgate/finding.h"

/* An open sequence or mapping. */
typedef struct frame {
	mg_node *node;
	size_t base;       /* its first child in ctx.items */
	size_t weight;     /* nodes the subtree expands to, itself included */
	unsigned height;   /* container levels in the subtree, itself included */
	size_t bytes;      /* bytes of scalars and keys the subtree expands to */
	const char *anchor; /* in the arena; registered when the node ends */
	size_t anchor_len;
	bool flow;         /* a flow collection ([...] or {...}) */
	size_t col;        /* block collections: its indentation (0-based), or SIZE_MAX when unknown */
	size_t need;       /* outermost flow collections: spaces its lines need, or SIZE_MAX */
	size_t start;      /* outermost flow collections: byte offset of its start */
	size_t line;       /* and its line (0-based) */
	bool have_key;     /* a mapping whose next event is a value */
	mg_member key;     /* that pending key (value unset) */
} frame;

/* Open-addressing hash table slot; tag 0 marks an empty slot. */
typedef struct slot {
	const char *s;
	size_t len;
	uint32_t hash;
	uint32_t tag;
	size_t val;
} slot;

typedef struct table {
	slot *slots;
	size_t cap, count; /* cap is a power of two */
	slot *inline_slots;
} table;

typedef struct anchor_info {
	const mg_node *node;
	const char *text; /* scalars: the text as written, for use as a key; else NULL */
	size_t text_len;
	size_t weight;
	unsigned height;
	size_t bytes;
} anchor_info;

#define INLINE_FRAMES 16
#define INLINE_ITEMS 64
#define INLINE_KEYS 64
#define INLINE_ANCHORS 16
#define ANCHOR_TAG 1u

typedef struct ctx {
	mg_doc *doc;
	const mg_doc_limits *lim;
	struct mg_findings *findings;
	const char *path;
	int err; /* MG_EPARSE or MG_ENOMEM once something failed */

	frame *frames;
	size_t nframes, cap_frames;
	mg_member *items; /* children of the open containers, innermost last */
	size_t nitems, cap_items;
	table keys;    /* keys of the open mappings; tag = frame index + 2 */
	table anchors; /* tag ANCHOR_TAG, val = index in ainfo */
	anchor_info *ainfo;
	size_t nainfo, cap_ainfo;
	size_t alias_nodes;
	size_t alias_bytes;
	mg_node *root;

	/* libyaml's mark.index counts code points after the BOM, not bytes: a
	   cursor that turns one into a byte offset of the input (byte_at) */
	const unsigned char *data;
	size_t len, bom;
	size_t cur_chars, cur_bytes;
	size_t ev_start, ev_end;      /* byte offsets of the current event's marks */
	bool doc_end_implicit;        /* the last document ended without '...' */

	frame frames_inline[INLINE_FRAMES];
	mg_member items_inline[INLINE_ITEMS];
	slot keys_inline[INLINE_KEYS];
	slot anchors_inline[INLINE_ANCHORS];
	anchor_info ainfo_inline[INLINE_ANCHORS];
} ctx;

__attribute__((format(printf, 4, 5)))
static int fail(ctx *c, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mg_findings_vadd(c->findings, c->path, line > UINT32_MAX ? UINT32_MAX : (uint32_t)line,
				 col > UINT32_MAX ? UINT32_MAX : (uint32_t)col, MG_RULE_PARSE, fmt, ap);
	va_end(ap);
	c->err = r < 0 ? r : MG_EPARSE;
	return c->err;
}

static int nomem(ctx *c)
{
	c->err = mg_oom();
	return c->err;
}

/* Position of an event mark, 1-based. */
#define MARK_LINE(m) ((m).line + 1)
#define MARK_COL(m) ((m).column + 1)

/* Grows an array that may still live in its inline buffer. */
static int grow(void **ptr, size_t *cap, size_t elem, const void *inline_buf)
{
	size_t ncap = *cap * 2;
	if (ncap < *cap || ncap > SIZE_MAX / elem)
		return -1;
	void *p;
	if (*ptr == inline_buf) {
		p = malloc(ncap * elem);
		if (p)
			memcpy(p, *ptr, *cap * elem);
	} else {
		p = realloc(*ptr, ncap * elem);
	}
	if (!p)
		return -1;
	*ptr = p;
	*cap = ncap;
	return 0;
}

/* ---- UTF-8 and positions ---------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (0 when invalid); *cp gets it. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (b >= 0xC2 && b <= 0xDF) {
		len = 2, v = b & 0x1Fu, min = 0x80;
	} else if (b >= 0xE0 && b <= 0xEF) {
		len = 3, v = b & 0x0Fu, min = 0x800;
	} else if (b >= 0xF0 && b <= 0xF4) {
		len = 4, v = b & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* The characters libyaml accepts in a stream (its reader's check). */
static bool yaml_printable(uint32_t c)
{
	return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
	       (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	       (c >= 0x10000 && c <= 0x10FFFF);
}

static size_t bom_len(const unsigned char *s, size_t n)
{
	return n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0;
}

/*
 * 1-based line and column (in code points) of byte `off`, counting line
 * breaks as libyaml does.  The bytes before `off` must be valid UTF-8.
 */
static void position_of(const unsigned char *s, size_t off, size_t *line, size_t *col)
{
	size_t l = 1, c = 1;
	size_t i = bom_len(s, off);
	while (i < off) {
		unsigned char b = s[i];
		if (b == '\n' || b == '\r') {
			l++, c = 1;
			i += (b == '\r' && i + 1 < off && s[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if ((b == 0xC2 && i + 1 < off && s[i + 1] == 0x85) ||
		    (b == 0xE2 && i + 2 < off && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))) {
			l++, c = 1;
			i += b == 0xC2 ? 2 : 3;
			continue;
		}
		if ((b & 0xC0) != 0x80)
			c++;
		i++;
	}
	*line = l;
	*col = c;
}

/*
 * Byte offset of the code point libyaml's mark index `index` names (the
 * input is valid UTF-8, checked up front).  Events come in order, so the
 * cursor mostly moves forward; it steps back when a mark is earlier.
 */
static size_t byte_at(ctx *c, size_t index)
{
	const unsigned char *s = c->data;
	while (c->cur_chars < index && c->cur_bytes < c->len) {
		unsigned char b = s[c->cur_bytes];
		size_t w = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		c->cur_bytes = w > c->len - c->cur_bytes ? c->len : c->cur_bytes + w;
		c->cur_chars++;
	}
	while (c->cur_chars > index && c->cur_bytes > c->bom) {
		do
			c->cur_bytes--;
		while (c->cur_bytes > c->bom && (s[c->cur_bytes] & 0xC0) == 0x80);
		c->cur_chars--;
	}
	return c->cur_bytes;
}

/* Checks the whole input; on a problem adds the finding and returns it. */
static int check_text(ctx *c, const unsigned char *s, size_t n)
{
	size_t i = bom_len(s, n);
	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7F) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (k && yaml_printable(cp)) {
			i += k;
			continue;
		}
		size_t line, col;
		position_of(s, i, &line, &col);
		if (!k)
			return fail(c, line, col, "invalid UTF-8 (byte 0x%02x)", s[i]);
		return fail(c, line, col, "control character U+%04X is not allowed", (unsigned)cp);
	}
	return 0;
}

/* ---- hash tables -------------------------------------------------------- */

static uint32_t hash_bytes(uint32_t tag, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ tag;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void table_init(table *t, slot *inline_slots, size_t cap)
{
	memset(inline_slots, 0, cap * sizeof *inline_slots);
	t->slots = t->inline_slots = inline_slots;
	t->cap = cap;
	t->count = 0;
}

static void table_release(table *t)
{
	if (t->slots != t->inline_slots)
		free(t->slots);
	t->slots = NULL;
}

/* The slot holding (tag, s), or the empty slot where it would go. */
static slot *table_find(const table *t, uint32_t tag, const char *s, size_t n, uint32_t h)
{
	size_t mask = t->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		slot *x = &t->slots[i];
		if (x->tag == 0 ||
		    (x->tag == tag && x->hash == h && x->len == n && memcmp(x->s, s, n) == 0))
			return x;
	}
}

/* Inserts a key known to be absent; returns -1 when out of memory. */
static int table_add(table *t, uint32_t tag, const char *s, size_t n, uint32_t h, size_t val)
{
	if ((t->count + 1) * 2 > t->cap) {
		size_t ncap = t->cap * 2;
		slot *ns = calloc(ncap, sizeof *ns);
		if (!ns)
			return -1;
		table old = *t;
		t->slots = ns;
		t->cap = ncap;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i].tag)
				*table_find(t, old.slots[i].tag, old.slots[i].s, old.slots[i].len,
					    old.slots[i].hash) = old.slots[i];
		if (old.slots != old.inline_slots)
			free(old.slots);
	}
	slot *x = table_find(t, tag, s, n, h);
	x->s = s;
	x->len = n;
	x->hash = h;
	x->tag = tag;
	x->val = val;
	t->count++;
	return 0;
}

/* Removes a slot, shifting later entries back so no probe chain breaks. */
static void table_remove(table *t, slot *x)
{
	size_t mask = t->cap - 1;
	size_t i = (size_t)(x - t->slots), j = i;
	t->slots[i].tag = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (t->slots[j].tag == 0)
			break;
		size_t home = t->slots[j].hash & mask;
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (stays)
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j].tag = 0;
		i = j;
	}
	t->count--;
}

/* ---- scalars ------------------------------------------------------------ */

typedef enum plain_kind {
	PLAIN_STRING,
	PLAIN_NULL,
	PLAIN_TRUE,
	PLAIN_FALSE,
	PLAIN_DECIMAL, /* integer or float: strtod reads it */
	PLAIN_HEX,
	PLAIN_OCTAL,
	PLAIN_INF_NAN
} plain_kind;

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return true;
	return false;
}

static size_t count_digits(const char *s, size_t n, int base)
{
	size_t i = 0;
	while (i < n && (base == 16 ? isxdigit((unsigned char)s[i])
				    : s[i] >= '0' && s[i] < '0' + base))
		i++;
	return i;
}

/* Resolves a plain scalar by the YAML 1.2 core schema. */
static plain_kind classify_plain(const char *s, size_t n)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	static const char *const infs[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };

	if (n == 0 || is_one_of(s, n, nulls))
		return PLAIN_NULL;
	if (is_one_of(s, n, trues))
		return PLAIN_TRUE;
	if (is_one_of(s, n, falses))
		return PLAIN_FALSE;
	if (is_one_of(s, n, nans))
		return PLAIN_INF_NAN;
	if (n > 2 && s[0] == '0' && s[1] == 'x' && count_digits(s + 2, n - 2, 16) == n - 2)
		return PLAIN_HEX;
	if (n > 2 && s[0] == '0' && s[1] == 'o' && count_digits(s + 2, n - 2, 8) == n - 2)
		return PLAIN_OCTAL;

	size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
	if (is_one_of(s + i, n - i, infs))
		return PLAIN_INF_NAN;
	size_t int_digits = count_digits(s + i, n - i, 10);
	i += int_digits;
	size_t frac_digits = 0;
	if (i < n && s[i] == '.') {
		i++;
		frac_digits = count_digits(s + i, n - i, 10);
		i += frac_digits;
		if (int_digits == 0 && frac_digits == 0)
			return PLAIN_STRING;
	} else if (int_digits == 0) {
		return PLAIN_STRING;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t exp_digits = count_digits(s + i, n - i, 10);
		if (exp_digits == 0)
			return PLAIN_STRING;
		i += exp_digits;
	}
	return i == n ? PLAIN_DECIMAL : PLAIN_STRING;
}

static double parse_radix(const char *s, size_t n, int base)
{
	uint64_t u = 0;
	double d = 0;
	bool big = false;
	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0'
								     : (tolower((unsigned char)s[i]) - 'a' + 10));
		if (!big && u > (UINT64_MAX - v) / (unsigned)base) {
			big = true;
			d = (double)u;
		}
		if (big)
			d = d * base + v;
		else
			u = u * (unsigned)base + v;
	}
	return big ? d : (double)u;
}

static double parse_decimal(ctx *c, const char *s, size_t n)
{
	char buf[64];
	char *p = buf;
	if (n >= sizeof buf) {
		p = mg_arena_strndup(&c->doc->arena, s, n);
		if (!p) {
			nomem(c);
			return 0;
		}
	} else {
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	return strtod(p, NULL);
}

/*
 * Makes the node of a scalar event (tags already refused).  Returns NULL
 * after recording the problem.
 */
static mg_node *scalar_node(ctx *c, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	size_t line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	plain_kind kind = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? classify_plain(s, n)
									   : PLAIN_STRING;
	mg_node *node;
	double v;

	switch (kind) {
	case PLAIN_NULL:
		node = mg_doc_new_node(c->doc, MG_NODE_NULL, (uint32_t)line, (uint32_t)col);
		break;
	case PLAIN_TRUE:
	case PLAIN_FALSE:
		node = mg_doc_new_node(c->doc, MG_NODE_BOOL, (uint32_t)line, (uint32_t)col);
		if (node)
			node->u.boolean = kind == PLAIN_TRUE;
		break;
	case PLAIN_DECIMAL:
	case PLAIN_HEX:
	case PLAIN_OCTAL:
		if (kind == PLAIN_DECIMAL)
			v = parse_decimal(c, s, n);
		else
			v = parse_radix(s + 2, n - 2, kind == PLAIN_HEX ? 16 : 8);
		if (c->err)
			return NULL;
		if (!isfinite(v)) {
			fail(c, line, col, "value '%s' is not representable in JSON", s);
			return NULL;
		}
		node = mg_doc_new_node(c->doc, MG_NODE_NUMBER, (uint32_t)line, (uint32_t)col);
		if (node) {
			node->u.number.value = v;
			node->u.number.is_integer = floor(v) == v;
		}
		break;
	case PLAIN_INF_NAN:
		fail(c, line, col, "value '%s' is not representable in JSON", s);
		return NULL;
	case PLAIN_STRING:
	default:
		node = mg_doc_new_node(c->doc, MG_NODE_STRING, (uint32_t)line, (uint32_t)col);
		if (node) {
			node->u.string.ptr = mg_arena_strndup(&c->doc->arena, s, n);
			node->u.string.len = n;
			if (!node->u.string.ptr)
				node = NULL;
		}
		break;
	}
	if (node && (node->type == MG_NODE_NUMBER || node->type == MG_NODE_BOOL) &&
	    !(node->plain = mg_arena_strndup(&c->doc->arena, s, n)))
		node = NULL;
	if (!node)
		nomem(c);
	return node;
}

/* ---- the tree ----------------------------------------------------------- */

static frame *top(ctx *c)
{
	return c->nframes ? &c->frames[c->nframes - 1] : NULL;
}

static bool wants_key(ctx *c)
{
	frame *f = top(c);
	return f && f->node->type == MG_NODE_OBJECT && !f->have_key;
}

/* Attaches a finished node to its parent (or makes it the root). */
static size_t add_sat(size_t a, size_t b)
{
	return b > SIZE_MAX - a ? SIZE_MAX : a + b;
}

static int add_value(ctx *c, mg_node *node, size_t weight, unsigned height, size_t bytes)
{
	frame *f = top(c);
	if (!f) {
		c->root = node;
		return 0;
	}
	if (c->nitems == c->cap_items &&
	    grow((void **)&c->items, &c->cap_items, sizeof *c->items, c->items_inline) < 0)
		return nomem(c);
	mg_member *m = &c->items[c->nitems++];
	if (f->node->type == MG_NODE_OBJECT) {
		*m = f->key;
		f->have_key = false;
		bytes = add_sat(bytes, f->key.key_len);
	} else {
		memset(m, 0, sizeof *m);
	}
	m->value = node;
	f->weight = add_sat(f->weight, weight);
	f->bytes = add_sat(f->bytes, bytes);
	if (height + 1 > f->height)
		f->height = height + 1;
	return 0;
}

static int add_anchor(ctx *c, const char *name, size_t name_len, const anchor_info *info)
{
	uint32_t h = hash_bytes(ANCHOR_TAG, name, name_len);
	slot *x = table_find(&c->anchors, ANCHOR_TAG, name, name_len, h);
	size_t idx = c->nainfo;
	if (c->nainfo == c->cap_ainfo &&
	    grow((void **)&c->ainfo, &c->cap_ainfo, sizeof *c->ainfo, c->ainfo_inline) < 0)
		return nomem(c);
	c->ainfo[c->nainfo++] = *info;
	if (x->tag) {
		x->val = idx; /* redefined: later aliases see the new node */
		return 0;
	}
	if (table_add(&c->anchors, ANCHOR_TAG, name, name_len, h, idx) < 0)
		return nomem(c);
	return 0;
}

static const anchor_info *find_anchor(ctx *c, const char *name)
{
	size_t n = strlen(name);
	slot *x = table_find(&c->anchors, ANCHOR_TAG, name, n, hash_bytes(ANCHOR_TAG, name, n));
	return x->tag ? &c->ainfo[x->val] : NULL;
}

/* Sets the pending key of the innermost mapping, refusing duplicates. */
static int set_key(ctx *c, const char *key, size_t len, size_t line, size_t col)
{
	frame *f = top(c);
	uint32_t tag = (uint32_t)(c->nframes + 1);
	uint32_t h = hash_bytes(tag, key, len);
	slot *x = table_find(&c->keys, tag, key, len, h);
	if (x->tag)
		return fail(c, line, col, "duplicate key '%s' (first at line %zu)", key, x->val);
	if (table_add(&c->keys, tag, key, len, h, line) < 0)
		return nomem(c);
	f->key.key = key;
	f->key.key_len = len;
	f->key.line = (uint32_t)line;
	f->key.col = (uint32_t)col;
	f->key.value = NULL;
	f->have_key = true;
	return 0;
}

static char *arena_copy(ctx *c, const yaml_char_t *s, size_t n)
{
	char *p = mg_arena_strndup(&c->doc->arena, (const char *)s, n);
	if (!p)
		nomem(c);
	return p;
}

static int on_scalar(ctx *c, const yaml_event_t *ev)
{
	size_t line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	const char *anchor = NULL;
	size_t anchor_len = 0;

	if (ev->data.scalar.tag)
		return fail(c, line, col, "tags are not supported");
	if (ev->data.scalar.anchor) {
		anchor_len = strlen((const char *)ev->data.scalar.anchor);
		if (!(anchor = arena_copy(c, ev->data.scalar.anchor, anchor_len)))
			return c->err;
	}
	if (wants_key(c)) {
		char *key = arena_copy(c, ev->data.scalar.value, ev->data.scalar.length);
		if (!key)
			return c->err;
		if (anchor) {
			mg_node *node = scalar_node(c, ev);
			if (!node)
				return c->err;
			size_t len = ev->data.scalar.length;
			anchor_info info = { node, key, len, 1, 0, len };
			if (add_anchor(c, anchor, anchor_len, &info) < 0)
				return c->err;
		}
		return set_key(c, key, ev->data.scalar.length, line, col);
	}

	mg_node *node = scalar_node(c, ev);
	if (!node)
		return c->err;
	if (anchor) {
		size_t len = ev->data.scalar.length;
		anchor_info info = { node, NULL, len, 1, 0, len };
		if (node->type == MG_NODE_STRING) {
			info.text = node->u.string.ptr;
		} else if (!(info.text = arena_copy(c, ev->data.scalar.value, ev->data.scalar.length))) {
			return c->err;
		}
		if (add_anchor(c, anchor, anchor_len, &info) < 0)
			return c->err;
	}
	return add_value(c, node, 1, 0, ev->data.scalar.length);
}

static int on_alias(ctx *c, const yaml_event_t *ev)
{
	size_t line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	const anchor_info *a = find_anchor(c, name);

	if (!a) {
		size_t n = strlen(name);
		for (size_t i = 0; i < c->nframes; i++)
			if (c->frames[i].anchor && c->frames[i].anchor_len == n &&
			    memcmp(c->frames[i].anchor, name, n) == 0)
				return fail(c, line, col, "alias '%s' refers to a node that contains it",
					    name);
		return fail(c, line, col, "undefined alias '%s'", name);
	}
	if (a->weight > c->lim->max_alias_nodes - c->alias_nodes)
		return fail(c, line, col, "aliases expand to more than the limit of %zu nodes",
			    c->lim->max_alias_nodes);
	c->alias_nodes += a->weight;
	if (a->bytes > c->lim->max_bytes - c->alias_bytes)
		return fail(c, line, col, "aliases expand to more than the limit of %zu bytes",
			    c->lim->max_bytes);
	c->alias_bytes += a->bytes;
	if (wants_key(c)) {
		if (!a->text)
			return fail(c, line, col, "non-scalar keys are not supported");
		return set_key(c, a->text, a->text_len, line, col);
	}
	if (a->height > c->lim->max_depth - c->nframes)
		return fail(c, line, col, "nesting deeper than the limit of %u", c->lim->max_depth);
	mg_node *node = mg_doc_new_node(c->doc, a->node->type, (uint32_t)line, (uint32_t)col);
	if (!node)
		return nomem(c);
	node->u = a->node->u;
	return add_value(c, node, a->weight, a->height, a->bytes);
}

static int on_start(ctx *c, const yaml_event_t *ev, mg_node_type type)
{
	size_t line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	const yaml_char_t *anchor, *tag;
	if (type == MG_NODE_OBJECT) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}

	if (wants_key(c))
		return fail(c, line, col, "non-scalar keys are not supported");
	if (tag)
		return fail(c, line, col, "tags are not supported");
	if (c->nframes >= c->lim->max_depth)
		return fail(c, line, col, "nesting deeper than the limit of %u", c->lim->max_depth);
	if (c->nframes == c->cap_frames &&
	    grow((void **)&c->frames, &c->cap_frames, sizeof *c->frames, c->frames_inline) < 0)
		return nomem(c);

	frame *f = &c->frames[c->nframes];
	memset(f, 0, sizeof *f);
	f->node = mg_doc_new_node(c->doc, type, (uint32_t)line, (uint32_t)col);
	if (!f->node)
		return nomem(c);
	if (anchor) {
		f->anchor_len = strlen((const char *)anchor);
		if (!(f->anchor = arena_copy(c, anchor, f->anchor_len)))
			return c->err;
	}
	if (type == MG_NODE_OBJECT)
		f->flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	else
		f->flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	/* an anchor may sit on the line before, so the mark says nothing then */
	f->col = anchor ? SIZE_MAX : ev->start_mark.column;
	f->need = SIZE_MAX;
	f->start = c->ev_start;
	f->line = ev->start_mark.line;
	f->base = c->nitems;
	f->weight = 1;
	f->height = 1;
	c->nframes++;
	return 0;
}

static int on_end(ctx *c)
{
	frame f = c->frames[--c->nframes];
	size_t n = c->nitems - f.base;
	mg_member *kids = &c->items[f.base];
	mg_arena *arena = &c->doc->arena;

	if (f.node->type == MG_NODE_OBJECT) {
		uint32_t tag = (uint32_t)(c->nframes + 2);
		for (size_t i = n; i-- > 0;) {
			uint32_t h = hash_bytes(tag, kids[i].key, kids[i].key_len);
			table_remove(&c->keys, table_find(&c->keys, tag, kids[i].key, kids[i].key_len, h));
		}
		mg_member *m = NULL;
		if (n && !(m = mg_arena_alloc(arena, n * sizeof *m)))
			return nomem(c);
		if (n)
			memcpy(m, kids, n * sizeof *m);
		f.node->u.object.members = m;
		f.node->u.object.count = n;
	} else {
		mg_node **items = NULL;
		if (n && !(items = mg_arena_alloc(arena, n * sizeof *items)))
			return nomem(c);
		for (size_t i = 0; i < n; i++)
			items[i] = kids[i].value;
		f.node->u.array.items = items;
		f.node->u.array.count = n;
	}
	c->nitems = f.base;
	if (f.anchor) {
		anchor_info info = { f.node, NULL, 0, f.weight, f.height, f.bytes };
		if (add_anchor(c, f.anchor, f.anchor_len, &info) < 0)
			return c->err;
	}
	return add_value(c, f.node, f.weight, f.height, f.bytes);
}

static int syntax_error(ctx *c, const yaml_parser_t *p, const unsigned char *data)
{
	size_t line, col;
	if (p->error == YAML_MEMORY_ERROR)
		return nomem(c);
	if (p->error == YAML_READER_ERROR) {
		position_of(data, p->problem_offset, &line, &col);
	} else {
		line = MARK_LINE(p->problem_mark);
		col = MARK_COL(p->problem_mark);
	}
	const char *problem = p->problem ? p->problem : "invalid YAML";
	return fail(c, line, col, "%c%s%s%s", tolower((unsigned char)problem[0]), problem + 1,
		    p->context ? " " : "", p->context ? p->context : "");
}

/* ---- what YAML 1.2 rejects and libyaml 0.2.5 accepts ---- */

/*
 * Spaces the continuation lines of a flow collection or a quoted scalar
 * need when it opens now: more than the indentation of the enclosing block
 * collection, or any at the top level.  SIZE_MAX: nothing to check, because
 * the node is inside a flow collection (whose own check covers its lines) or
 * the enclosing indentation is unknown.
 */
static size_t flow_need(const ctx *c)
{
	if (!c->nframes)
		return 0;
	const frame *f = &c->frames[c->nframes - 1];
	if (f->flow || f->col == SIZE_MAX)
		return SIZE_MAX;
	return f->col + 1;
}

/*
 * Every line of data[from, to) after the first that holds content (not
 * blank, not only a comment) must start with at least `need` spaces; tabs
 * are not indentation.  `line` is the 0-based line of `from`.
 */
static int check_lines(ctx *c, const unsigned char *data, size_t from, size_t to, size_t line,
		       size_t need, const char *what)
{
	for (size_t i = from; i < to; i++) {
		if (data[i] != '\n' && data[i] != '\r')
			continue;
		if (data[i] == '\r' && i + 1 < to && data[i + 1] == '\n')
			i++;
		line++;
		size_t j = i + 1, spaces = 0;
		while (j < to && data[j] == ' ')
			j++, spaces++;
		size_t k = j;
		while (k < to && (data[k] == ' ' || data[k] == '\t'))
			k++;
		if (k >= to || data[k] == '\n' || data[k] == '\r' || data[k] == '#')
			continue;
		if (spaces < need)
			return fail(c, line + 1, spaces + 1,
				    "this line of a %s is indented by %zu space%s, but YAML needs at least %zu "
				    "here (more than the enclosing block); other YAML parsers reject it, so indent it",
				    what, spaces, spaces == 1 ? "" : "s", need);
	}
	return 0;
}

/*
 * A comment must follow white space: `"v"#c`, `[a]#c`, `[a,#c` and a block
 * scalar header `>#c` are errors in YAML 1.2 that libyaml reads as comments.
 * `end` is the offset just past a node; plain is true for plain scalars (for
 * which `v#c` is part of the text).
 */
static int check_comment_after(ctx *c, const unsigned char *data, size_t len, size_t end, bool plain,
			       const yaml_mark_t *at)
{
	size_t i = end;
	if (!plain && i < len && data[i] == '#')
		goto bad;
	while (i < len && (data[i] == ' ' || data[i] == '\t'))
		i++;
	if (i + 1 < len && data[i] == ',' && data[i + 1] == '#') {
		i++;
		goto bad;
	}
	return 0;
bad:
	return fail(c, MARK_LINE(*at) , MARK_COL(*at) + (i - end),
		    "'#' directly after a value starts no comment in YAML (a comment needs a space "
		    "before it); other YAML parsers reject it, so put a space before '#'");
}

static bool in_flow(const ctx *c)
{
	return c->nframes && c->frames[c->nframes - 1].flow;
}

/*
 * In a flow collection `-` starts a plain scalar only when a character
 * that may go on follows it: `[-, -]` and `{a: -}` are errors in YAML 1.2
 * (G5U8) that libyaml reads as the text "-".  (`- x` there libyaml refuses
 * itself; `{-: a}` and `[-x]` are valid.)
 */
static int lone_dash(ctx *c, const yaml_event_t *ev)
{
	size_t e = c->ev_end;
	if (!in_flow(c) || ev->data.scalar.length != 1 || ev->data.scalar.value[0] != '-' || e == 0 ||
	    e >= c->len || c->data[e - 1] != '-' || !c->data[e] || !strchr(",[]{}", c->data[e]))
		return 0;
	return fail(c, MARK_LINE(ev->end_mark), MARK_COL(ev->end_mark) - 1,
		    "a plain '-' cannot stand alone in a flow collection: YAML 1.2 rejects it and other "
		    "YAML parsers fail on it, so quote it ('-') if you mean the text");
}

/*
 * In a flow collection, `?` straight before a node (`[?x]`, `{?x: 1}`) is
 * the text "?x" in YAML 1.2, and an explicit key x for libyaml (and PyYAML):
 * two readings of one file, so it is refused.  `? x` (a key) and `?x` in a
 * block (the text, for libyaml too) are fine.
 */
static int glued_question_mark(ctx *c, const yaml_event_t *ev)
{
	size_t s = c->ev_start;
	if (!in_flow(c) || s == 0 || s > c->len || c->data[s - 1] != '?' || ev->start_mark.column == 0)
		return 0;
	size_t n = 0;
	while (s + n < c->len && n < 40 && c->data[s + n] && !strchr(" \t\r\n,[]{}:#", c->data[s + n]))
		n++;
	size_t line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark) - 1;
	if (n == 0) /* `?[a]`, `?:`: an error or other text in YAML 1.2, a key for libyaml */
		return fail(c, line, col,
			    "a '?' with no space after it in a flow collection is a key for libyaml but not "
			    "for YAML 1.2; write '? ' for a key, or quote the text");
	int w = (int)n;
	const char *t = (const char *)c->data + s;
	return fail(c, line, col,
		    "'?%.*s' in a flow collection: YAML reads it as the text '?%.*s', libyaml as the key "
		    "'%.*s'; write '? %.*s' for a key, or quote the text",
		    w, t, w, t, w, t, w, t);
}

/* The spec checks of one event, run before the event is loaded. */
static int spec_check(ctx *c, const yaml_event_t *ev, const unsigned char *data, size_t len)
{
	if ((ev->type == YAML_SCALAR_EVENT || ev->type == YAML_ALIAS_EVENT ||
	     ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) &&
	    glued_question_mark(c, ev) < 0)
		return c->err;
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		yaml_scalar_style_t st = ev->data.scalar.style;
		if (st == YAML_PLAIN_SCALAR_STYLE && lone_dash(c, ev) < 0)
			return c->err;
		if (st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE) {
			size_t i = c->ev_start;
			while (i < len && data[i] != '|' && data[i] != '>' && data[i] != '\n')
				i++;
			if (i < len && data[i] != '\n') {
				i++;
				while (i < len && (data[i] == '+' || data[i] == '-' ||
						   (data[i] >= '1' && data[i] <= '9')))
					i++;
				if (i < len && data[i] == '#')
					return fail(c, MARK_LINE(ev->start_mark),
						    MARK_COL(ev->start_mark) + (i - c->ev_start),
						    "'#' directly after a block scalar header starts no comment "
						    "in YAML (a comment needs a space before it); other YAML "
						    "parsers reject it, so put a space before '#'");
			}
			return 0;
		}
		if (st == YAML_SINGLE_QUOTED_SCALAR_STYLE || st == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
			size_t need = flow_need(c);
			if (need != SIZE_MAX && ev->end_mark.line != ev->start_mark.line &&
			    check_lines(c, data, c->ev_start, c->ev_end, ev->start_mark.line, need,
					"quoted scalar") < 0)
				return c->err;
		}
		return check_comment_after(c, data, len, c->ev_end, st == YAML_PLAIN_SCALAR_STYLE,
					   &ev->end_mark);
	}
	case YAML_ALIAS_EVENT:
		return check_comment_after(c, data, len, c->ev_end, true, &ev->end_mark);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		const frame *f = &c->frames[c->nframes - 1];
		if (!f->flow)
			return 0;
		if (f->need != SIZE_MAX &&
		    check_lines(c, data, f->start, c->ev_end, f->line, f->need, "flow collection") < 0)
			return c->err;
		return check_comment_after(c, data, len, c->ev_end, false, &ev->end_mark);
	}
	default:
		return 0;
	}
}

static int run(ctx *c, yaml_parser_t *p, const unsigned char *data, size_t len)
{
	yaml_event_t ev;
	unsigned documents = 0;
	for (;;) {
		if (!yaml_parser_parse(p, &ev))
			return syntax_error(c, p, data);
		int r = 0;
		/* flow starts: note what their lines need before the frame exists */
		size_t need = flow_need(c);
		c->ev_start = byte_at(c, ev.start_mark.index);
		c->ev_end = byte_at(c, ev.end_mark.index);
		if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT ||
		    ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			r = spec_check(c, &ev, data, len);
		if (r < 0) {
			yaml_event_delete(&ev);
			return r;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			/* EB22: a directive straight after a document, which libyaml takes as the next one's */
			if (documents++ && c->doc_end_implicit &&
			    (ev.data.document_start.version_directive ||
			     ev.data.document_start.tag_directives.start != ev.data.document_start.tag_directives.end))
				r = fail(c, MARK_LINE(ev.start_mark), MARK_COL(ev.start_mark),
					 "a %%YAML or %%TAG directive after a document must follow a '...' line "
					 "(YAML 1.2), and a file holds only one document");
			else if (documents > 1)
				r = fail(c, MARK_LINE(ev.start_mark), MARK_COL(ev.start_mark),
					 "more than one document in the stream");
			break;
		case YAML_DOCUMENT_END_EVENT:
			c->doc_end_implicit = ev.data.document_end.implicit;
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(c, &ev);
			break;
		case YAML_ALIAS_EVENT:
			r = on_alias(c, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_start(c, &ev, MG_NODE_ARRAY);
			if (r == 0 && c->frames[c->nframes - 1].flow)
				c->frames[c->nframes - 1].need = need;
			break;
		case YAML_MAPPING_START_EVENT:
			r = on_start(c, &ev, MG_NODE_OBJECT);
			if (r == 0 && c->frames[c->nframes - 1].flow)
				c->frames[c->nframes - 1].need = need;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			r = on_end(c);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			return r;
	}
}

int mg_doc_parse_yaml(mg_doc **out, const char *path, const char *data, size_t len,
		      const mg_doc_limits *limits, struct mg_findings *findings)
{
	static const mg_doc_limits defaults = MG_DOC_LIMITS_DEFAULT;
	const unsigned char *bytes = (const unsigned char *)(data ? data : "");
	yaml_parser_t parser;
	ctx cx, *c = &cx;
	int err;

	*out = NULL;
	memset(c, 0, offsetof(ctx, frames_inline));
	c->lim = limits ? limits : &defaults;
	c->findings = findings;
	c->path = path;

	if (len > c->lim->max_bytes) {
		err = fail(c, 1, 1, "file is %zu bytes, larger than the limit of %zu", len,
			   c->lim->max_bytes);
		return err;
	}
	if ((err = check_text(c, bytes, len)) < 0) {
		return err;
	}
	if ((err = mg_doc_new(&c->doc, path, MG_FORMAT_YAML)) < 0)
		return err;
	if (!yaml_parser_initialize(&parser)) {
		mg_doc_free(c->doc);
		return mg_oom();
	}
	yaml_parser_set_input_string(&parser, bytes, len);
	c->data = bytes;
	c->len = len;
	c->bom = c->cur_bytes = bom_len(bytes, len);

	c->frames = c->frames_inline;
	c->cap_frames = INLINE_FRAMES;
	c->items = c->items_inline;
	c->cap_items = INLINE_ITEMS;
	c->ainfo = c->ainfo_inline;
	c->cap_ainfo = INLINE_ANCHORS;
	table_init(&c->keys, c->keys_inline, INLINE_KEYS);
	table_init(&c->anchors, c->anchors_inline, INLINE_ANCHORS);

	err = run(c, &parser, bytes, len);
	if (!err && !c->root &&
	    !(c->root = mg_doc_new_node(c->doc, MG_NODE_NULL, 1, 1)))
		err = mg_oom();

	yaml_parser_delete(&parser);
	if (c->frames != c->frames_inline)
		free(c->frames);
	if (c->items != c->items_inline)
		free(c->items);
	if (c->ainfo != c->ainfo_inline)
		free(c->ainfo);
	table_release(&c->keys);
	table_release(&c->anchors);
	if (err < 0) {
		mg_doc_free(c->doc);
	} else {
		c->doc->root = c->root;
		*out = c->doc;
	}
	return err;
}
