/*
 * rules_pii.c - the PII/PCI column-name matcher (see meshgate/rules.h).
 *
 * A name is split into words at every character that is not an ASCII
 * letter or digit, between letters and digits, and at camelCase humps
 * ("customerEmail", "IPAddress"), then lowercased and joined without
 * separators: "customer_e-Mail2" becomes "customer|e|mail|2" ->
 * "customeremail2" with word starts {0, 8, 9, 13}.  A pattern's word
 * sequence goes through the same split and join ("e mail" -> "email"), and
 * it matches a name when it equals the joined text of a run of whole words
 * (optionally followed by a plural "s" or "es" closing the last word).  So
 * separators and case never matter ("e_mail", "eMail", "email" are all
 * "email"), but word boundaries do: "mailbox" is not "mail", "zip" is not
 * "ip", "passport" is not "pass".
 *
 * Patterns are tried in list order (the config's first, then the built-in
 * list of rules/pii-patterns.yaml); the first whose `match` fires and none
 * of whose `unless` sequences fires anywhere in the name wins.  Sequences
 * are bucketed by first byte, so a name costs about (words x sequences
 * starting with that word's letter) short comparisons.  Names longer than
 * PII_NAME_MAX bytes are matched on their first PII_NAME_MAX bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/embedded.h"
#include "meshgate/error.h"
#include "meshgate/rules.h"

#define PII_NAME_MAX 512

typedef struct words {
	char text[PII_NAME_MAX + 1];  /* joined lowercase words */
	size_t len;
	size_t starts[PII_NAME_MAX];  /* offsets of word starts in text */
	size_t nstarts;
	bool bound[PII_NAME_MAX + 1]; /* a word starts (or the text ends) here */
} words;

typedef struct seq {
	const char *s; /* joined words of the sequence */
	size_t len;
	size_t pattern;
} seq;

struct mg_pii_matcher {
	mg_arena arena;
	mg_pii_pattern *patterns; /* copies: the matcher borrows nothing */
	size_t npatterns;
	seq *match;          /* sorted by first byte */
	size_t nmatch;
	size_t bucket[257];  /* match[bucket[b] .. bucket[b + 1]) start with byte b */
	seq *unless;         /* grouped by pattern */
	size_t *unless_off;  /* unless[unless_off[p] .. unless_off[p + 1]) */
};

enum { C_SEP, C_LOWER, C_UPPER, C_DIGIT };

static int char_class(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return C_LOWER;
	if (c >= 'A' && c <= 'Z')
		return C_UPPER;
	if (c >= '0' && c <= '9')
		return C_DIGIT;
	return c >= 0x80 ? C_LOWER : C_SEP; /* non-ASCII bytes are letters without case */
}

static void split(words *w, const char *name)
{
	size_t n = strlen(name);
	int prev = C_SEP;
	if (n > PII_NAME_MAX)
		n = PII_NAME_MAX;
	w->len = w->nstarts = 0;
	memset(w->bound, 0, sizeof w->bound);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		int cls = char_class(c);
		if (cls == C_SEP) {
			prev = C_SEP;
			continue;
		}
		int next = i + 1 < n ? char_class((unsigned char)name[i + 1]) : C_SEP;
		bool start = prev == C_SEP || (prev == C_DIGIT) != (cls == C_DIGIT) ||
			     (prev == C_LOWER && cls == C_UPPER) ||
			     (prev == C_UPPER && cls == C_UPPER && next == C_LOWER);
		if (start) {
			w->starts[w->nstarts++] = w->len;
			w->bound[w->len] = true;
		}
		w->text[w->len++] = cls == C_UPPER ? (char)(c - 'A' + 'a') : (char)c;
		prev = cls;
	}
	w->text[w->len] = '\0';
	w->bound[w->len] = true;
}

/* Whether s equals the words from offset o on, up to a word end (plural allowed). */
static bool matches_at(const words *w, size_t o, const char *s, size_t len)
{
	if (len > w->len - o || memcmp(w->text + o, s, len) != 0)
		return false;
	size_t x = o + len;
	if (w->bound[x])
		return true;
	if (w->text[x] == 's' && w->bound[x + 1])
		return true;
	return x + 2 <= w->len && w->text[x] == 'e' && w->text[x + 1] == 's' && w->bound[x + 2];
}

static bool excused(const mg_pii_matcher *m, const words *w, size_t p)
{
	for (size_t u = m->unless_off[p]; u < m->unless_off[p + 1]; u++)
		for (size_t i = 0; i < w->nstarts; i++)
			if (matches_at(w, w->starts[i], m->unless[u].s, m->unless[u].len))
				return true;
	return false;
}

const mg_pii_pattern *mg_pii_match(const mg_pii_matcher *m, const char *column_name)
{
	words w;
	size_t best = SIZE_MAX;
	if (!m || !column_name)
		return NULL;
	split(&w, column_name);
	for (size_t i = 0; i < w.nstarts; i++) {
		size_t o = w.starts[i];
		unsigned char b = (unsigned char)w.text[o];
		for (size_t k = m->bucket[b]; k < m->bucket[b + 1]; k++) {
			const seq *sq = &m->match[k];
			if (sq->pattern < best && matches_at(&w, o, sq->s, sq->len) &&
			    !excused(m, &w, sq->pattern))
				best = sq->pattern;
		}
	}
	return best < m->npatterns ? &m->patterns[best] : NULL;
}

/* ---- building ---- */

void mg_pii_matcher_free(mg_pii_matcher *m)
{
	if (!m)
		return;
	free(m->match);
	free(m->unless);
	free(m->unless_off);
	mg_arena_free(&m->arena);
	free(m);
}

/* A growable list of patterns while loading. */
typedef struct plist {
	mg_pii_pattern *items;
	size_t n, cap;
} plist;

static mg_pii_pattern *plist_add(plist *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		mg_pii_pattern *items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return NULL;
		l->items = items;
		l->cap = cap;
	}
	memset(&l->items[l->n], 0, sizeof l->items[l->n]);
	return &l->items[l->n++];
}

static int copy_strings(mg_arena *a, const char *const *in, size_t n, const char ***out)
{
	*out = NULL;
	if (!n)
		return 0;
	const char **v = mg_arena_alloc(a, n * sizeof *v);
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = mg_arena_strdup(a, in[i])))
			return mg_oom();
	*out = v;
	return 0;
}

static int copy_pattern(mg_pii_matcher *m, plist *l, const mg_pii_pattern *src)
{
	mg_pii_pattern *p = plist_add(l);
	int r;
	if (!p || !(p->name = mg_arena_strdup(&m->arena, src->name)))
		return mg_oom();
	p->pci = src->pci;
	if ((r = copy_strings(&m->arena, src->match, src->nmatch, &p->match)) < 0 ||
	    (r = copy_strings(&m->arena, src->unless, src->nunless, &p->unless)) < 0)
		return r;
	p->nmatch = src->nmatch;
	p->nunless = src->nunless;
	return 0;
}

/* The strings of an array node into the arena; MG_EINVALID when not all strings. */
static int yaml_strings(mg_arena *a, const mg_node *arr, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr)
		return 0;
	if (arr->type != MG_NODE_ARRAY)
		return MG_EINVALID;
	if (!arr->u.array.count)
		return 0;
	const char **v = mg_arena_alloc(a, arr->u.array.count * sizeof *v);
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < arr->u.array.count; i++) {
		const char *s = mg_node_str(arr->u.array.items[i]);
		if (!s)
			return MG_EINVALID;
		v[i] = s;
	}
	*out = v;
	*n = arr->u.array.count;
	return 0;
}

static int load_builtin(mg_pii_matcher *m, plist *l)
{
	static const char path[] = "rules/pii-patterns.yaml";
	size_t len;
	const char *text = mg_embedded_find("pii-patterns.yaml", &len);
	mg_findings f;
	mg_doc *doc = NULL;
	int r;
	if (!text) {
		mg_error_set("'%s' is not embedded in this build", path);
		return MG_ENOTFOUND;
	}
	mg_findings_init(&f);
	r = mg_doc_parse_yaml(&doc, path, text, len, NULL, &f);
	if (r == MG_EPARSE) {
		mg_error_set("%s:%u:%u: %s", path, f.count ? f.items[0].line : 0,
			     f.count ? f.items[0].col : 0, f.count ? f.items[0].message : "parse error");
		r = MG_EINVALID;
	}
	mg_findings_release(&f);
	if (r < 0)
		return r;
	const mg_node *root = doc->root;
	if (!root || root->type != MG_NODE_ARRAY) {
		mg_error_set("%s: expected a list of patterns", path);
		r = MG_EINVALID;
		goto done;
	}
	for (size_t i = 0; i < root->u.array.count; i++) {
		const mg_node *e = root->u.array.items[i];
		const char *kind = mg_node_str(mg_obj_get(e, "kind"));
		mg_pii_pattern tmp = { 0 };
		tmp.name = mg_node_str(mg_obj_get(e, "name"));
		tmp.pci = kind && strcmp(kind, "pci") == 0;
		r = yaml_strings(&m->arena, mg_obj_get(e, "match"), &tmp.match, &tmp.nmatch);
		if (r == 0)
			r = yaml_strings(&m->arena, mg_obj_get(e, "unless"), &tmp.unless, &tmp.nunless);
		if (r == MG_ENOMEM)
			goto done;
		if (r < 0 || !tmp.name || !kind || (strcmp(kind, "pii") != 0 && !tmp.pci) ||
		    !tmp.nmatch) {
			mg_error_set("%s:%u:%u: a pattern needs a name, kind pii or pci, and a list "
				     "of match sequences", path, e->line, e->col);
			r = MG_EINVALID;
			goto done;
		}
		/* strings still point into doc: copy them */
		if ((r = copy_pattern(m, l, &tmp)) < 0)
			goto done;
	}
	r = 0;
done:
	mg_doc_free(doc);
	return r;
}

/* Joins the words of a sequence into the arena; *len 0 for a sequence without words. */
static int compile_seq(mg_pii_matcher *m, const char *text, size_t pattern, seq *out)
{
	words w;
	split(&w, text);
	out->len = w.len;
	out->pattern = pattern;
	out->s = w.len ? mg_arena_strndup(&m->arena, w.text, w.len) : "";
	return out->s ? 0 : mg_oom();
}

static int compile(mg_pii_matcher *m)
{
	size_t nm = 0, nu = 0;
	int r;
	for (size_t p = 0; p < m->npatterns; p++) {
		nm += m->patterns[p].nmatch;
		nu += m->patterns[p].nunless;
	}
	seq *all = malloc((nm ? nm : 1) * sizeof *all);
	m->match = malloc((nm ? nm : 1) * sizeof *m->match);
	m->unless = malloc((nu ? nu : 1) * sizeof *m->unless);
	m->unless_off = calloc(m->npatterns + 1, sizeof *m->unless_off);
	if (!all || !m->match || !m->unless || !m->unless_off) {
		free(all);
		return mg_oom();
	}
	size_t k = 0, u = 0;
	for (size_t p = 0; p < m->npatterns; p++) {
		const mg_pii_pattern *pt = &m->patterns[p];
		m->unless_off[p] = u;
		for (size_t i = 0; i < pt->nmatch; i++) {
			if ((r = compile_seq(m, pt->match[i], p, &all[k])) < 0)
				goto fail;
			k += all[k].len > 0;
		}
		for (size_t i = 0; i < pt->nunless; i++) {
			if ((r = compile_seq(m, pt->unless[i], p, &m->unless[u])) < 0)
				goto fail;
			u += m->unless[u].len > 0;
		}
	}
	m->unless_off[m->npatterns] = u;
	/* counting sort by first byte, stable, so each bucket keeps pattern order */
	size_t count[257] = { 0 };
	for (size_t i = 0; i < k; i++)
		count[(unsigned char)all[i].s[0] + 1]++;
	for (size_t b = 1; b < 257; b++)
		count[b] += count[b - 1];
	memcpy(m->bucket, count, sizeof m->bucket);
	for (size_t i = 0; i < k; i++)
		m->match[count[(unsigned char)all[i].s[0]]++] = all[i];
	m->nmatch = k;
	free(all);
	return 0;
fail:
	free(all);
	return r;
}

int mg_pii_matcher_new(mg_pii_matcher **out, const mg_config *cfg)
{
	mg_pii_matcher *m = calloc(1, sizeof *m);
	plist l = { 0 };
	int r = 0;
	*out = NULL;
	if (!m)
		return mg_oom();
	if (cfg)
		for (size_t i = 0; i < cfg->npii; i++)
			if (cfg->pii[i].name && (r = copy_pattern(m, &l, &cfg->pii[i])) < 0)
				goto fail;
	if ((!cfg || !cfg->pii_replace) && (r = load_builtin(m, &l)) < 0)
		goto fail;
	if (l.n) {
		m->patterns = mg_arena_alloc(&m->arena, l.n * sizeof *m->patterns);
		if (!m->patterns) {
			r = mg_oom();
			goto fail;
		}
		memcpy(m->patterns, l.items, l.n * sizeof *m->patterns);
	}
	m->npatterns = l.n;
	free(l.items);
	l.items = NULL;
	if ((r = compile(m)) < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	free(l.items);
	mg_pii_matcher_free(m);
	return r;
}
