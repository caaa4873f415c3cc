/*
 * entries.c - the catalogue-entries pass (see entries.h): what a listing
 * holds besides environments, products and product files is a finding.
 */
#include "catalogue/entries.h"

#include <stdio.h>
#include <string.h>

#include "meshgate/error.h"

/* Names longer than this are compared by their prefix only (no product file name comes close). */
#define NAME_MAX_CMP 128

static const char *const exts[] = { "json", "yaml", "yml" };
#define NEXTS (sizeof exts / sizeof *exts)

/* Suffixes of backup and editor copies, after case folding. */
static const char *const backup_suffixes[] = { "~", ".bak", ".orig", ".swp", ".swo", ".tmp", ".old", ".backup", ".rej" };

/* Lowercase, with '_' and ' ' read as '-': how the names are compared. */
static char fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c == '_' || c == ' ' ? '-' : c;
}

/* Optimal string alignment distance of a and b, or limit + 1 once it is sure to exceed limit. */
static unsigned osa(const char *a, size_t la, const char *b, size_t lb, unsigned limit)
{
	unsigned rows[3][NAME_MAX_CMP + 1];
	unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	if (la > NAME_MAX_CMP || lb > NAME_MAX_CMP)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned lowest;
		cur[0] = (unsigned)i;
		lowest = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1; /* a transposition */
			cur[j] = v;
			if (v < lowest)
				lowest = v;
		}
		if (lowest > limit)
			return limit + 1;
		unsigned *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] <= limit ? prev[lb] : limit + 1;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *cut)
{
	size_t k = strlen(suffix);
	if (n <= k || memcmp(s + n - k, suffix, k) != 0)
		return false;
	*cut = k;
	return true;
}

/* The accepted extension nearest to ext (json when none is close). */
static const char *nearest_ext(const char *ext, size_t len)
{
	const char *best = exts[0];
	unsigned bd = 3;
	for (size_t e = 0; e < NEXTS; e++) {
		unsigned d = osa(ext, len, exts[e], strlen(exts[e]), 2);
		if (d < bd) {
			bd = d;
			best = exts[e];
		}
	}
	return best;
}

mg_near mg_product_file_near(const char *name, mg_file_kind *kind, char *suggest, size_t cap)
{
	char s[NAME_MAX_CMP + 1];
	size_t n = strlen(name), start = 0;
	bool backup = false, truncated = n > NAME_MAX_CMP;
	if (truncated)
		n = NAME_MAX_CMP;
	for (size_t i = 0; i < n; i++)
		s[i] = fold(name[i]);
	s[n] = '\0';
	/* strip backup and editor affixes: x.json.bak, x.json~, .x.json.swp, #x.json# */
	for (bool again = !truncated; again;) {
		size_t cut = 0;
		again = false;
		for (size_t i = 0; i < sizeof backup_suffixes / sizeof *backup_suffixes; i++)
			if (ends_with(s + start, n - start, backup_suffixes[i], &cut)) {
				n -= cut;
				backup = again = true;
				break;
			}
		if (n - start > 2 && s[start] == '#' && s[n - 1] == '#') {
			start++;
			n--;
			backup = again = true;
		}
		if (backup && n - start > 1 && s[start] == '.') {
			start++;
			again = true;
		}
	}
	s[n] = '\0';
	const char *r = s + start;
	size_t rl = n - start;
	const char *dot = strrchr(r, '.');
	size_t stl = dot ? (size_t)(dot - r) : rl;
	const char *ext = dot ? dot + 1 : "";
	size_t el = dot ? rl - stl - 1 : 0;
	int best = -1;
	unsigned bd = 3;
	bool exact_ext = false;
	for (size_t e = 0; e < NEXTS; e++)
		if (el == strlen(exts[e]) && memcmp(ext, exts[e], el) == 0)
			exact_ext = true;
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		const char *stem = mg_file_kind_stem((mg_file_kind)k);
		size_t sl = strlen(stem);
		/* the stem within two edits (any extension, or none) */
		unsigned d = osa(r, stl, stem, sl, 2);
		/* or the whole name within two edits of "<stem>.<ext>" (a dot lost or doubled) */
		for (size_t e = 0; e < NEXTS && d; e++) {
			char full[64];
			int fl = snprintf(full, sizeof full, "%s.%s", stem, exts[e]);
			unsigned dd = osa(r, rl, full, (size_t)fl, 2);
			if (dd < d)
				d = dd;
		}
		if (d < bd) {
			bd = d;
			best = k;
		}
	}
	if (best < 0) {
		/* names beginning with data-product are the product files' own: the longest stem it begins with */
		size_t bl = 0;
		for (int k = 0; k < MG_FILE__COUNT; k++) {
			const char *stem = mg_file_kind_stem((mg_file_kind)k);
			size_t sl = strlen(stem);
			if (rl >= sl && memcmp(r, stem, sl) == 0 && sl > bl) {
				bl = sl;
				best = k;
			}
		}
	}
	if (best < 0)
		return MG_NEAR_NONE;
	*kind = (mg_file_kind)best;
	const char *stem = mg_file_kind_stem(*kind);
	const char *want = exact_ext ? ext : el ? nearest_ext(ext, el) : exts[0];
	if (exact_ext)
		snprintf(suggest, cap, "%s.%.*s", stem, (int)el, ext);
	else
		snprintf(suggest, cap, "%s.%s", stem, want);
	if (backup)
		return MG_NEAR_BACKUP;
	bool exact_fold = bd == 0 && exact_ext && stl == strlen(stem);
	if (exact_fold)
		return strcmp(name, suggest) == 0 ? MG_NEAR_EXACT : MG_NEAR_CASE;
	return MG_NEAR_TYPO;
}

static bool is_config(const char *name)
{
	return strcmp(name, "meshgate.yaml") == 0 || strcmp(name, "meshgate.yml") == 0 ||
	       strcmp(name, "meshgate.json") == 0;
}

/* The folder part of path ("a/b" of "a/b/c"), for messages. */
static int parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (int)(slash - path) : 0;
}

static int misnamed(mg_level level, const char *path, const char *name, mg_near how, const char *suggest,
		    const char *const *files, mg_file_kind kind, mg_findings *f)
{
	int pl = parent(path);
	if (level != MG_LEVEL_PRODUCT)
		return mg_findings_add(f, path, 1, 1, MG_RULE_MISNAMED_FILE,
				       "'%s' is %s%s but lies %s '%.*s', outside any product folder, and is not read; "
				       "product files live in <catalogue>/<environment>/<product>/",
				       name, how == MG_NEAR_EXACT ? "a product file" : "named like the product file ",
				       how == MG_NEAR_EXACT ? "" : suggest,
				       level == MG_LEVEL_ROOT ? "beside the environments, in" : "in environment folder",
				       pl ? pl : 1, pl ? path : ".");
	const char *there = files && files[kind] ? files[kind] : NULL;
	char also[600] = "";
	if (there)
		snprintf(also, sizeof also, " ('%s' is read; remove this one)", there);
	switch (how) {
	case MG_NEAR_CASE:
		return mg_findings_add(f, path, 1, 1, MG_RULE_MISNAMED_FILE,
				       "'%s' is not read: product file names are lowercase with '-', on every file "
				       "system; did you mean %s?%s",
				       name, suggest, also);
	case MG_NEAR_BACKUP:
		return mg_findings_add(f, path, 1, 1, MG_RULE_MISNAMED_FILE,
				       "'%s' is a backup or editor copy and is not read; did you mean %s?%s", name,
				       suggest, there ? also : " (rename it, or remove it)");
	default:
		return mg_findings_add(f, path, 1, 1, MG_RULE_MISNAMED_FILE,
				       "'%s' is not a product file name and is not read; did you mean %s?%s", name,
				       suggest, also);
	}
}

int mg_entries_file(const mg_config *policy, mg_level level, const char *path, const char *name,
		    const char *const *files, mg_findings *f)
{
	mg_file_kind kind;
	char suggest[64];
	if (!f)
		return 0;
	if (level == MG_LEVEL_ROOT && !strchr(path, '/') && is_config(name))
		return 0; /* the catalogue is the repository's top level: meshgate.yaml lives there */
	mg_near how = mg_product_file_near(name, &kind, suggest, sizeof suggest);
	if (how == MG_NEAR_EXACT && level == MG_LEVEL_PRODUCT)
		return 0; /* a product file, read by the loader */
	if (how != MG_NEAR_NONE)
		return misnamed(level, path, name, how, suggest, files, kind, f);
	if (mg_config_allows_file(policy, path, name))
		return 0;
	switch (level) {
	case MG_LEVEL_ROOT:
		return mg_findings_add(f, path, 1, 1, MG_RULE_UNEXPECTED_FILE,
				       "'%s' is a file beside the environments, where meshgate reads only environment "
				       "folders; remove it, or allow it with allowed-files in meshgate.yaml",
				       path);
	case MG_LEVEL_ENVIRONMENT:
		return mg_findings_add(f, path, 1, 1, MG_RULE_UNEXPECTED_FILE,
				       "'%s' is a file in an environment folder, where meshgate reads only product "
				       "folders; remove it, or allow it with allowed-files in meshgate.yaml",
				       path);
	case MG_LEVEL_PRODUCT:
		break;
	}
	return mg_findings_add(f, path, 1, 1, MG_RULE_UNEXPECTED_FILE,
			       "'%s' is not one of the six product files and is not read; remove it, or allow it "
			       "with allowed-files in meshgate.yaml",
			       path);
}

typedef struct {
	bool product_file;
} sub_scan;

static int scan(const mg_entry *e, void *ctx)
{
	sub_scan *s = ctx;
	mg_file_kind k;
	if (mg_file_kind_from_name(&k, e->name) == 0) {
		s->product_file = true;
		return 1; /* enough */
	}
	return 0;
}

int mg_entries_subfolder(mg_source *src, const mg_config *policy, const char *product, const char *path,
			 const char *name, mg_findings *f)
{
	sub_scan s = { false };
	if (!f)
		return 0;
	int r = src->list(src, path, scan, &s);
	if (r == MG_ENOTFOUND) {
		mg_error_clear();
		r = 0;
	}
	if (r < 0)
		return r;
	if (s.product_file)
		return mg_findings_add(f, path, 0, 0, MG_RULE_NESTED_PRODUCT,
				       "'%s' holds product files but lies inside product folder '%s', so none of them "
				       "is read; product folders live directly in an environment folder: move it up "
				       "one level",
				       path, product);
	if (mg_config_allows_file(policy, path, name))
		return 0;
	return mg_findings_add(f, path, 0, 0, MG_RULE_UNEXPECTED_FILE,
			       "'%s' is a folder inside a product folder and is not read; remove it, or allow it "
			       "with allowed-files in meshgate.yaml",
			       path);
}

int mg_entries_hidden_folder(const mg_config *policy, const char *path, const char *name, mg_findings *f)
{
	if (!f || mg_config_allows_file(policy, path, name))
		return 0;
	return mg_findings_add(f, path, 0, 0, MG_RULE_UNEXPECTED_FILE,
			       "'%s' is a hidden folder beside the environments and is not read (a hidden folder "
			       "is never an environment); rename it, remove it, or allow it with allowed-files in "
			       "meshgate.yaml",
			       path);
}

int mg_entries_environment(const char *path, size_t product_folders, bool gitkeep, mg_findings *f)
{
	if (product_folders || gitkeep)
		return 0;
	return mg_findings_add(f, path, 0, 0, MG_RULE_EMPTY_ENVIRONMENT,
			       "environment folder '%s' holds no product folder; add a product "
			       "(<environment>/<product>/data-product.json, ...) or remove the folder",
			       path);
}
