/*
 * rules_util.c - helpers of the catalogue rules (see rules_int.h): a string
 * hash map, name normalisation, "did you mean", accounts and S3 URIs.
 */
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"
#include "rules/rules_int.h"

/* ---- string map: open addressing, linear probing, load <= 1/2 ---- */

static uint64_t hash_bytes(const char *s, size_t len)
{
	/* FNV-1a with a final avalanche so that probing sees all bits */
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return h;
}

static mg_strmap_slot *probe(mg_strmap_slot *slots, size_t cap, const char *key, size_t len,
			     uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);
	for (;;) {
		mg_strmap_slot *s = &slots[i];
		if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (cap - 1);
	}
}

static int grow(mg_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	mg_strmap_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return mg_oom();
	for (size_t i = 0; i < m->cap; i++) {
		const mg_strmap_slot *o = &m->slots[i];
		if (o->key)
			*probe(slots, cap, o->key, o->len, o->hash) = *o;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int mg_strmap_put(mg_strmap *m, const char *key, size_t len, size_t value, size_t *existing)
{
	int r;
	if ((m->count + 1) * 2 > m->cap && (r = grow(m)) < 0)
		return r;
	uint64_t h = hash_bytes(key, len);
	mg_strmap_slot *s = probe(m->slots, m->cap, key, len, h);
	if (s->key) {
		if (existing)
			*existing = s->value;
		return 1;
	}
	s->key = key;
	s->len = len;
	s->hash = h;
	s->value = value;
	m->count++;
	return 0;
}

bool mg_strmap_get(const mg_strmap *m, const char *key, size_t len, size_t *value)
{
	if (!m->cap)
		return false;
	mg_strmap_slot *s = probe(m->slots, m->cap, key, len, hash_bytes(key, len));
	if (!s->key)
		return false;
	if (value)
		*value = s->value;
	return true;
}

void mg_strmap_release(mg_strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}

/* ---- names ---- */

static char norm_char(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	if (c == '-' || c == '.' || c == ' ')
		return '_';
	return c;
}

int mg_rules_normalise(mg_buf *out, const char *name)
{
	size_t len = strlen(name);
	if (mg_buf_grow(out, len) < 0)
		return mg_oom();
	for (size_t i = 0; i < len; i++)
		out->ptr[out->len + i] = norm_char(name[i]);
	out->len += len;
	out->ptr[out->len] = '\0';
	return 0;
}

/* One code point of valid UTF-8 at s (the loaders checked it); *n its byte length. */
static uint32_t decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0 && s[1]) {
		*n = 2;
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
		*n = 3;
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	}
	if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3]) {
		*n = 4;
		return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
		       (s[3] & 0x3F);
	}
	*n = 1;
	return s[0];
}

static bool invisible(uint32_t c)
{
	return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) ||
	       c == 0xFEFF || (c >= 0x0300 && c <= 0x036F);
}

static bool space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x00A0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

int mg_rules_fold_name(mg_buf *out, const char *name)
{
	/* U+00C0-U+00FF: the base letter of each precomposed one, 0 for the rest (x, division sign) */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo\0ouuuuytsaaaaaaaceeeeiiiidnooooo\0ouuuuyty";
	const unsigned char *s = (const unsigned char *)name;
	size_t n, len = strlen(name), start = out->len, kept = out->len; /* kept: the end without trailing space */
	bool leading = true;
	int r = 0;
	for (size_t i = 0; r == 0 && i < len; i += n) {
		uint32_t c = decode(s + i, &n);
		if (i + n > len)
			n = len - i;
		if (invisible(c))
			continue;
		if (space(c)) {
			if (!leading)
				r = mg_buf_add(out, (const char *)s + i, n);
			continue;
		}
		leading = false;
		if (c >= 'A' && c <= 'Z')
			r = mg_buf_addc(out, (char)(c - 'A' + 'a'));
		else if (c >= 0xC0 && c <= 0xFF && latin1[c - 0xC0])
			r = mg_buf_addc(out, latin1[c - 0xC0]);
		else
			r = mg_buf_add(out, (const char *)s + i, n);
		kept = out->len;
	}
	if (r < 0)
		return mg_oom();
	if (kept != out->len) {
		/* trailing white space was added (so the buffer is allocated): drop it */
		out->len = kept > start ? kept : start;
		out->ptr[out->len] = '\0';
	}
	return 0;
}

/* ---- state ---- */

void mg_rules_state_release(mg_rules_state *st)
{
	free(st->env_of);
	st->env_of = NULL;
	mg_strmap_release(&st->products);
	mg_strmap_release(&st->tables);
	mg_strmap_release(&st->schema_at);
	mg_buf_release(&st->key);
	mg_arena_free(&st->arena);
}

int mg_rules_table_key(mg_rules_state *st, size_t product, const char *table)
{
	/* fixed-width binary prefix: cheaper than printf, and unambiguous */
	mg_buf_clear(&st->key);
	if (mg_buf_add(&st->key, &product, sizeof product) < 0 || mg_buf_adds(&st->key, table) < 0)
		return mg_oom();
	return 0;
}

long mg_rules_find_table(mg_rules_state *st, size_t product, const char *name)
{
	size_t v;
	if (mg_rules_table_key(st, product, name) < 0)
		return -1;
	return mg_strmap_get(&st->tables, st->key.ptr, st->key.len, &v) ? (long)v : -1;
}

static int pos_key(mg_buf *b, const char *path, uint32_t line, uint32_t col)
{
	/* the path, then a fixed-width binary suffix: unambiguous read from the end */
	uint32_t lc[2] = { line, col };
	mg_buf_clear(b);
	if (mg_buf_adds(b, path ? path : "") < 0 || mg_buf_add(b, lc, sizeof lc) < 0)
		return mg_oom();
	return 0;
}

bool mg_rules_schema_reported(mg_rules_state *st, const mg_pos *pos)
{
	if (!st->schema_at_built) {
		/* schema findings precede the rules' own; index them once */
		st->schema_at_built = true;
		for (size_t i = 0; i < st->f->count; i++) {
			const mg_finding *x = &st->f->items[i];
			if (x->rule != MG_RULE_SCHEMA || pos_key(&st->key, x->path, x->line, x->col) < 0)
				continue;
			char *k = mg_arena_strndup(&st->arena, st->key.ptr, st->key.len);
			if (!k || mg_strmap_put(&st->schema_at, k, st->key.len, i, NULL) < 0)
				break; /* out of memory: at worst a finding is repeated */
		}
	}
	if (!st->schema_at.count || pos_key(&st->key, pos->file, pos->line, pos->col) < 0)
		return false;
	return mg_strmap_get(&st->schema_at, st->key.ptr, st->key.len, NULL);
}

/* ---- did you mean ---- */

#define SUGGEST_MAX_LEN 128

/* Levenshtein distance of normalised a and b, or UINT32_MAX past `limit`. */
static unsigned distance(const char *a, size_t la, const char *b, size_t lb, unsigned limit)
{
	unsigned row[SUGGEST_MAX_LEN + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0], lowest;
		row[0] = (unsigned)i;
		lowest = row[0];
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned cost = norm_char(a[i - 1]) == norm_char(b[j - 1]) ? 0 : 1;
			unsigned v = diag + cost;
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < lowest)
				lowest = v;
		}
		if (lowest > limit)
			return UINT32_MAX;
	}
	return row[lb] <= limit ? row[lb] : UINT32_MAX;
}

void mg_suggest_begin(mg_suggest *s, mg_rules_state *st, const char *target)
{
	s->st = st;
	s->target = target;
	s->best = NULL;
	s->best_dist = UINT32_MAX;
}

void mg_suggest_add(mg_suggest *s, const char *candidate)
{
	if (!candidate || !s->target)
		return;
	size_t la = strlen(s->target), lb = strlen(candidate);
	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN || s->best_dist == 0)
		return;
	unsigned limit = la <= 3 ? 1 : la <= 8 ? 2 : 3;
	size_t diff = la > lb ? la - lb : lb - la;
	if (diff > limit)
		return;
	size_t cost = (la + 1) * (lb + 1);
	if (s->st->suggest_budget < cost) {
		s->st->suggest_budget = 0; /* spent: callers stop offering candidates */
		return;
	}
	s->st->suggest_budget -= cost;
	unsigned d = distance(s->target, la, candidate, lb, limit);
	/* ties keep the first candidate, so suggestions follow catalogue order */
	if (d < s->best_dist) {
		s->best_dist = d;
		s->best = candidate;
	}
}

const char *mg_suggest_hint(const mg_suggest *s, const char *otherwise)
{
	if (!s->best)
		return otherwise;
	mg_buf b = MG_BUF_INIT;
	const char *hint = "";
	if (mg_buf_addf(&b, "; did you mean '%s'?", s->best) == 0) {
		char *h = mg_arena_strndup(&s->st->arena, b.ptr, b.len);
		if (h)
			hint = h;
	}
	mg_buf_release(&b);
	return hint;
}

/* ---- accounts and S3 ---- */

bool mg_rules_arn_account(const char *arn, const char **acc, size_t *len)
{
	if (strncmp(arn, "arn:", 4) != 0)
		return false;
	const char *p = arn;
	for (int field = 0; field < 4; field++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	/* p: the account field */
	const char *end = strchr(p, ':');
	if (!end)
		return false;
	*acc = p;
	*len = (size_t)(end - p);
	return true;
}

bool mg_rules_s3_split(const char *s, const char **bucket, size_t *blen, const char **key,
		       size_t *klen)
{
	if (strncmp(s, "s3://", 5) != 0)
		return false;
	const char *b = s + 5;
	const char *slash = strchr(b, '/');
	size_t bl = slash ? (size_t)(slash - b) : strlen(b);
	if (bl == 0)
		return false;
	const char *k = slash ? slash + 1 : b + bl;
	size_t kl = strlen(k);
	while (kl && k[kl - 1] == '/')
		kl--;
	*bucket = b;
	*blen = bl;
	*key = k;
	*klen = kl;
	return true;
}
