/*
 * facts.c - the facts cache (see facts.h).
 *
 * The file: "MGFACTS1", the key (a blob), the number of entries, then the
 * entries sorted by folder (bytewise), each prefixed by its length so a
 * reader finds them without decoding them.  Integers are 32-bit
 * little-endian; a string is its length, its bytes and a NUL (so it is used
 * in place), or 0xffffffff for none; a blob is a length and bytes.  An
 * entry: folder, stamp (blob), today (or none), files read, budget spent
 * (two integers, low first), environment, the six file paths, name and its
 * position, the tables (count; name, location, location's position), the
 * inputs (count; key, position, declared-as-product flag, tables: count;
 * name, position), the findings (count; path, line, column, rule, message).
 * A position is a file (0-5: the product's file of that kind; 6: none; 7:
 * a string follows), a line and a column.
 *
 * A run that changed a few products appends them instead of rewriting the
 * file: after the sorted entries comes a tail of records, each "MGFA", the
 * entry as a blob and a 64-bit FNV-1a of the entry's bytes; a later record
 * for a folder replaces the earlier one.  A torn or damaged record ends the
 * tail (what precedes it is used, the next save rewrites the file).  The
 * file is rewritten, sorted and without dead entries, when the tail would
 * outgrow a quarter of the sorted part or many products changed at once.
 * Records are appended through a descriptor opened on the file that was
 * read (same device and inode), so a record never lands in a file written
 * since under another key; a rewrite by a concurrent run at worst loses a
 * record, which is a miss next time.
 */
#include "meshgate/sort.h"
#include "catalogue/facts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshgate/buf.h"
#include "meshgate/error.h"

#define MAGIC "MGFACTS1"
#define MAGIC_LEN 8
#define NONE 0xffffffffu
#define POS_NONE 6
#define POS_STRING 7
#define FILE_NAME "facts-v1"
/* a cache file beyond this size is ignored (and replaced) */
#define MAX_FILE ((size_t)1 << 30)

#define TAIL_MAGIC 0x4146474du /* "MGFA" little-endian */
/* folders the tail may add before the file is rewritten sorted */
#define MAX_TAIL_NEW 256

typedef struct {
	const char *folder;
	const unsigned char *data; /* the entry's bytes (after its length) */
	size_t len;
	bool keep;        /* written back */
	unsigned char *own; /* data, when malloc'd (a fresh entry); else NULL */
} entry;

struct mg_facts_cache {
	char *path;       /* "<dir>/facts-v1" */
	char *dir;
	mg_buf key;
	entry *ents;      /* sorted by folder: read entries, then fresh ones appended */
	size_t n, cap, nread;
	bool changed;
	/* the file that was read, for appending: identity, sorted part and tail sizes */
	bool appendable;
	dev_t dev;
	ino_t ino;
	size_t base_bytes, tail_bytes;
};

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* ---- decoding, with every length checked against the end ---- */

typedef struct {
	const unsigned char *p, *end;
	bool bad;
} reader;

static uint32_t get_u32(reader *r)
{
	if (r->bad || r->end - r->p < 4) {
		r->bad = true;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

/* A string in place (NULL for none, or on damage: then r->bad). */
static const char *get_str(reader *r)
{
	uint32_t len = get_u32(r);
	if (r->bad || len == NONE)
		return NULL;
	if ((size_t)(r->end - r->p) <= len || r->p[len] != '\0' || memchr(r->p, '\0', len)) {
		r->bad = true;
		return NULL;
	}
	const char *s = (const char *)r->p;
	r->p += (size_t)len + 1;
	return s;
}

static const unsigned char *get_blob(reader *r, size_t *len)
{
	uint32_t n = get_u32(r);
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const unsigned char *b = r->p;
	r->p += n;
	*len = n;
	return b;
}

static mg_pos get_pos(reader *r, const mg_product *p)
{
	mg_pos pos = { NULL, 0, 0 };
	uint32_t k = get_u32(r);
	if (k < MG_FILE__COUNT)
		pos.file = p->files[k];
	else if (k == POS_STRING)
		pos.file = get_str(r);
	else if (k != POS_NONE)
		r->bad = true;
	pos.line = get_u32(r);
	pos.col = get_u32(r);
	return pos;
}

/* n elements of size sz from the arena, or NULL (r->bad) when the count cannot be right. */
static void *get_array(reader *r, mg_arena *a, uint32_t n, size_t sz)
{
	/* every element takes at least 4 bytes of the entry */
	if (r->bad || n > (size_t)(r->end - r->p) / 4) {
		r->bad = true;
		return NULL;
	}
	void *v = mg_arena_calloc(a, n ? n : 1, sz);
	if (!v)
		r->bad = true;
	return v;
}

/* ---- encoding ---- */

static int put_u32(mg_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	return mg_buf_add(b, x, 4);
}

static int put_str(mg_buf *b, const char *s)
{
	if (!s)
		return put_u32(b, NONE);
	size_t len = strlen(s);
	if (len >= NONE)
		return MG_EINVALID;
	if (put_u32(b, (uint32_t)len) < 0 || mg_buf_add(b, s, len + 1) < 0)
		return MG_ENOMEM;
	return 0;
}

static int put_blob(mg_buf *b, const void *data, size_t len)
{
	if (len >= NONE)
		return MG_EINVALID;
	if (put_u32(b, (uint32_t)len) < 0 || mg_buf_add(b, data, len) < 0)
		return MG_ENOMEM;
	return 0;
}

static int put_pos(mg_buf *b, const mg_product *p, mg_pos pos)
{
	int r;
	uint32_t k = POS_NONE;
	if (pos.file) {
		k = POS_STRING;
		for (uint32_t i = 0; i < MG_FILE__COUNT; i++)
			if (p->files[i] && (p->files[i] == pos.file || strcmp(p->files[i], pos.file) == 0)) {
				k = i;
				break;
			}
	}
	if ((r = put_u32(b, k)) < 0 || (k == POS_STRING && (r = put_str(b, pos.file)) < 0) ||
	    (r = put_u32(b, pos.line)) < 0 || (r = put_u32(b, pos.col)) < 0)
		return r;
	return 0;
}

/* ---- the file ---- */

/* What the findings depend on besides the catalogue: this binary, and the caller's key. */
static int build_key(mg_buf *out, const void *key, size_t keylen)
{
	struct stat st;
	if (mg_buf_addf(out, "meshgate %s\n", MESHGATE_VERSION) < 0)
		return mg_oom();
	/* a rebuilt binary may check differently under the same version */
	if (stat("/proc/self/exe", &st) == 0 &&
	    mg_buf_addf(out, "%lld %lld.%09ld %llu\n", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			st.st_mtim.tv_nsec, (unsigned long long)st.st_ino) < 0)
		return mg_oom();
	if (mg_buf_add(out, key, keylen) < 0)
		return mg_oom();
	return 0;
}

static int add_entry(mg_facts_cache *c, entry e)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		entry *ents = realloc(c->ents, cap * sizeof *ents);
		if (!ents)
			return mg_oom();
		c->ents = ents;
		c->cap = cap;
	}
	c->ents[c->n++] = e;
	return 0;
}

static int load_tail(mg_facts_cache *c, reader *rd);

/* Reads the file into the arena and indexes its entries; any damage leaves the cache empty. */
static int load(mg_facts_cache *c, mg_catalogue *cat)
{
	struct stat st;
	int r = 0, fd = open(c->path, O_RDONLY | O_CLOEXEC);
	unsigned char *data;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < MAGIC_LEN ||
	    (size_t)st.st_size > MAX_FILE)
		goto done;
	size_t len = (size_t)st.st_size, got = 0;
	if (!(data = mg_arena_alloc(&cat->arena, len))) {
		r = mg_oom();
		goto done;
	}
	while (got < len) {
		ssize_t k = read(fd, data + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto done;
		got += (size_t)k;
	}
	reader rd = { data + MAGIC_LEN, data + len, false };
	size_t keylen = 0;
	if (memcmp(data, MAGIC, MAGIC_LEN) != 0)
		goto done;
	const unsigned char *key = get_blob(&rd, &keylen);
	if (rd.bad || keylen != c->key.len || memcmp(key, c->key.ptr, keylen) != 0)
		goto done;
	uint32_t n = get_u32(&rd);
	for (uint32_t i = 0; i < n && !rd.bad; i++) {
		size_t elen = 0;
		const unsigned char *e = get_blob(&rd, &elen);
		reader er = { e, e + elen, rd.bad };
		const char *folder = get_str(&er);
		if (er.bad || !folder)
			break;
		if (c->n && strcmp(c->ents[c->n - 1].folder, folder) >= 0)
			break; /* not sorted: damaged */
		if ((r = add_entry(c, (entry){ folder, e, elen, false, NULL })) < 0)
			goto done;
	}
	if (rd.bad || c->n != n) {
		c->n = 0;
		goto done;
	}
	c->base_bytes = (size_t)(rd.p - data);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->appendable = true;
	c->nread = c->n;
	if ((r = load_tail(c, &rd)) < 0)
		goto done;
done:
	c->nread = c->n;
	close(fd);
	return r;
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->folder, ((const entry *)b)->folder);
}

/*
 * The appended records after the sorted part: each replaces the entry of
 * its folder or adds one.  Stops at the first torn or damaged record (the
 * file is then rewritten by the next save).
 */
static int load_tail(mg_facts_cache *c, reader *rd)
{
	size_t base = c->n;
	const unsigned char *start = rd->p;
	while (rd->p < rd->end) {
		reader rec = *rd;
		uint32_t magic = get_u32(&rec);
		size_t elen = 0;
		const unsigned char *e = get_blob(&rec, &elen);
		uint32_t lo = get_u32(&rec), hi = get_u32(&rec);
		if (rec.bad || magic != TAIL_MAGIC || ((uint64_t)hi << 32 | lo) != fnv1a(e, elen))
			break;
		reader er = { e, e + elen, false };
		const char *folder = get_str(&er);
		if (er.bad || !folder)
			break;
		*rd = rec;
		entry *old = NULL;
		size_t lo_i = 0, hi_i = base;
		while (lo_i < hi_i) {
			size_t mid = lo_i + (hi_i - lo_i) / 2;
			int d = strcmp(c->ents[mid].folder, folder);
			if (d == 0) {
				old = &c->ents[mid];
				break;
			}
			if (d < 0)
				lo_i = mid + 1;
			else
				hi_i = mid;
		}
		/* a folder new since the sort: look among the ones the tail added (few; bounded below) */
		for (size_t i = base; !old && i < c->n; i++)
			if (strcmp(c->ents[i].folder, folder) == 0)
				old = &c->ents[i];
		if (old) {
			*old = (entry){ folder, e, elen, false, NULL };
		} else if (c->n - base >= MAX_TAIL_NEW) {
			break; /* rewrite rather than search a long tail */
		} else {
			int r = add_entry(c, (entry){ folder, e, elen, false, NULL });
			if (r < 0)
				return r;
		}
	}
	c->tail_bytes = (size_t)(rd->p - start);
	if (rd->p != rd->end)
		c->appendable = false; /* damaged or long tail: rewrite */
	if (c->n > base)
		mg_sort(c->ents, c->n, sizeof *c->ents, cmp_entries); /* folders are unique by now */
	return 0;
}

int mg_facts_open(mg_facts_cache **out, const char *dir, const void *key, size_t keylen,
		  mg_catalogue *cat)
{
	mg_facts_cache *c = calloc(1, sizeof *c);
	mg_buf path = MG_BUF_INIT;
	int r;
	*out = NULL;
	if (!c)
		return mg_oom();
	mg_buf_init(&c->key);
	if (mg_buf_addf(&path, "%s/%s", dir, FILE_NAME) < 0 || !(c->dir = strdup(dir))) {
		r = mg_oom();
		goto done;
	}
	c->path = mg_buf_detach(&path, NULL);
	if ((r = build_key(&c->key, key, keylen)) < 0 || (r = load(c, cat)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	mg_buf_release(&path);
	mg_facts_free(c);
	return r;
}

/* The read entry for folder, or NULL. */
static entry *find(mg_facts_cache *c, const char *folder)
{
	size_t lo = 0, hi = c->nread;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->ents[mid].folder, folder);
		if (d == 0)
			return &c->ents[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Decodes an entry's facts into p; false when the entry is damaged. */
static bool decode_facts(reader *r, mg_arena *a, mg_product *p)
{
	for (int k = 0; k < MG_FILE__COUNT; k++)
		p->files[k] = get_str(r);
	p->name = get_str(r);
	p->name_at = get_pos(r, p);
	uint32_t nt = get_u32(r);
	if (!(p->tables = get_array(r, a, nt, sizeof *p->tables)))
		return false;
	p->ntables = nt;
	for (uint32_t t = 0; t < nt && !r->bad; t++) {
		mg_table *tb = &p->tables[t];
		tb->name = get_str(r);
		tb->location = get_str(r);
		tb->location_at = get_pos(r, p);
	}
	uint32_t ni = get_u32(r);
	if (!(p->inputs = get_array(r, a, ni, sizeof *p->inputs)))
		return false;
	p->ninputs = ni;
	for (uint32_t i = 0; i < ni && !r->bad; i++) {
		mg_input *in = &p->inputs[i];
		in->key = get_str(r);
		in->at = get_pos(r, p);
		in->declared_product = get_u32(r) != 0;
		uint32_t n = get_u32(r);
		in->tables = get_array(r, a, n, sizeof *in->tables);
		in->tables_at = get_array(r, a, n, sizeof *in->tables_at);
		if (r->bad)
			return false;
		in->ntables = n;
		for (uint32_t t = 0; t < n && !r->bad; t++) {
			in->tables[t] = get_str(r);
			in->tables_at[t] = get_pos(r, p);
		}
	}
	return !r->bad;
}

int mg_facts_lookup(mg_facts_cache *c, const char *stamp, size_t stamplen, const char *today,
		    mg_catalogue *cat, mg_product *p, mg_findings *f, size_t *nfiles, uint64_t *spent)
{
	entry *e = find(c, p->folder);
	if (!e || e->keep)
		return 0;
	reader r = { e->data, e->data + e->len, false };
	size_t slen = 0;
	(void)get_str(&r); /* the folder */
	const unsigned char *s = get_blob(&r, &slen);
	const char *day = get_str(&r);
	if (r.bad || slen != stamplen || memcmp(s, stamp, slen) != 0 || (day && strcmp(day, today) != 0))
		return 0;
	size_t files = get_u32(&r);
	uint64_t lo = get_u32(&r), hi = get_u32(&r);
	const char *env = get_str(&r);
	mg_product q = *p;
	if (r.bad || !env || !p->environment || strcmp(env, p->environment) != 0 ||
	    !decode_facts(&r, &cat->arena, &q))
		return 0;
	/* the findings: checked whole before any is added */
	uint32_t nf = get_u32(&r);
	const unsigned char *first = r.p;
	for (uint32_t i = 0; i < nf && !r.bad; i++) {
		const char *path = get_str(&r);
		(void)get_u32(&r);
		(void)get_u32(&r);
		uint32_t rule = get_u32(&r);
		const char *msg = get_str(&r);
		if (!path || !msg || rule >= MG_RULE__COUNT)
			r.bad = true;
	}
	if (r.bad || r.p != r.end)
		return 0;
	r.p = first;
	for (uint32_t i = 0; i < nf; i++) {
		const char *path = get_str(&r);
		uint32_t line = get_u32(&r), col = get_u32(&r), rule = get_u32(&r);
		const char *msg = get_str(&r);
		if (mg_findings_add_text(f, path, line, col, (mg_rule)rule, msg) < 0)
			return MG_ENOMEM;
	}
	*p = q;
	*nfiles = files;
	*spent = lo | hi << 32;
	e->keep = true;
	return 1;
}

static int encode(mg_buf *b, const char *stamp, size_t stamplen, const char *today, const mg_product *p,
		  const mg_findings *f, const size_t *first, const size_t *end, size_t nranges,
		  size_t nfiles, uint64_t spent)
{
	int r;
	size_t nf = 0;
	if ((r = put_str(b, p->folder)) < 0 || (r = put_blob(b, stamp, stamplen)) < 0 ||
	    (r = put_str(b, today)) < 0 || (r = put_u32(b, (uint32_t)nfiles)) < 0 ||
	    (r = put_u32(b, (uint32_t)spent)) < 0 || (r = put_u32(b, (uint32_t)(spent >> 32))) < 0 ||
	    (r = put_str(b, p->environment)) < 0)
		return r;
	for (int k = 0; k < MG_FILE__COUNT; k++)
		if ((r = put_str(b, p->files[k])) < 0)
			return r;
	if ((r = put_str(b, p->name)) < 0 || (r = put_pos(b, p, p->name_at)) < 0 ||
	    (r = put_u32(b, (uint32_t)p->ntables)) < 0)
		return r;
	for (size_t t = 0; t < p->ntables; t++) {
		const mg_table *tb = &p->tables[t];
		if ((r = put_str(b, tb->name)) < 0 || (r = put_str(b, tb->location)) < 0 ||
		    (r = put_pos(b, p, tb->location_at)) < 0)
			return r;
	}
	if ((r = put_u32(b, (uint32_t)p->ninputs)) < 0)
		return r;
	for (size_t i = 0; i < p->ninputs; i++) {
		const mg_input *in = &p->inputs[i];
		if ((r = put_str(b, in->key)) < 0 || (r = put_pos(b, p, in->at)) < 0 ||
		    (r = put_u32(b, in->declared_product)) < 0 || (r = put_u32(b, (uint32_t)in->ntables)) < 0)
			return r;
		for (size_t t = 0; t < in->ntables; t++)
			if ((r = put_str(b, in->tables[t])) < 0 || (r = put_pos(b, p, in->tables_at[t])) < 0)
				return r;
	}
	for (size_t k = 0; k < nranges; k++)
		nf += end[k] - first[k];
	if ((r = put_u32(b, (uint32_t)nf)) < 0)
		return r;
	for (size_t k = 0; k < nranges; k++)
		for (size_t i = first[k]; i < end[k]; i++) {
			const mg_finding *x = &f->items[i];
			if ((r = put_str(b, x->path)) < 0 || (r = put_u32(b, x->line)) < 0 ||
			    (r = put_u32(b, x->col)) < 0 || (r = put_u32(b, (uint32_t)x->rule)) < 0 ||
			    (r = put_str(b, x->message)) < 0)
				return r;
		}
	return 0;
}

int mg_facts_record(mg_facts_cache *c, const char *stamp, size_t stamplen, const char *today,
		    const mg_product *p, const mg_findings *f, const size_t *first, const size_t *end,
		    size_t nranges, size_t nfiles, uint64_t spent)
{
	mg_buf b = MG_BUF_INIT;
	int r = encode(&b, stamp, stamplen, today, p, f, first, end, nranges, nfiles, spent);
	if (r == MG_EINVALID) {
		mg_buf_release(&b);
		return 0; /* too large to keep: checked in full next time too */
	}
	if (r < 0) {
		mg_buf_release(&b);
		return mg_oom();
	}
	size_t len = b.len;
	unsigned char *data = (unsigned char *)mg_buf_detach(&b, NULL);
	/* the folder is the entry's first string, after its length */
	if ((r = add_entry(c, (entry){ (const char *)data + 4, data, len, true, data })) < 0) {
		free(data);
		return r;
	}
	c->changed = true;
	return 0;
}

/*
 * Appends the entries recorded in this run to the file that was read.
 * 1 when done, 0 when the file must be rewritten instead (it changed
 * under us or cannot be appended to), MG_ENOMEM.
 */
static int append(mg_facts_cache *c)
{
	mg_buf out = MG_BUF_INIT;
	struct stat st;
	int r = 0, fd = open(c->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || st.st_dev != c->dev || st.st_ino != c->ino ||
	    (size_t)st.st_size != c->base_bytes + c->tail_bytes)
		goto done; /* another run wrote it since: rewrite ours */
	for (size_t i = c->nread; i < c->n; i++) {
		uint64_t h = fnv1a(c->ents[i].data, c->ents[i].len);
		if (put_u32(&out, TAIL_MAGIC) < 0 || put_blob(&out, c->ents[i].data, c->ents[i].len) < 0 ||
		    put_u32(&out, (uint32_t)h) < 0 || put_u32(&out, (uint32_t)(h >> 32)) < 0) {
			r = mg_oom();
			goto done;
		}
	}
	/* one write: concurrent appenders do not interleave within a record */
	ssize_t k;
	do
		k = write(fd, out.ptr, out.len);
	while (k < 0 && errno == EINTR);
	if (k == (ssize_t)out.len)
		r = 1;
	else if (k > 0 && ftruncate(fd, st.st_size) < 0)
		r = 0; /* a torn record: the reader stops before it, the next save rewrites */
done:
	close(fd);
	mg_buf_release(&out);
	return r;
}

int mg_facts_save(mg_facts_cache *c)
{
	mg_buf out = MG_BUF_INIT, tmp = MG_BUF_INIT;
	size_t kept = 0, hits = 0, fresh_bytes = 0;
	int r = 0, fd = -1;
	for (size_t i = 0; i < c->n; i++) {
		kept += c->ents[i].keep;
		hits += i < c->nread && c->ents[i].keep;
		fresh_bytes += i >= c->nread ? c->ents[i].len + 16 : 0;
	}
	/*
	 * Append while that keeps the file small: few entries went stale (a
	 * product changed or removed leaves its old entry behind until the
	 * next rewrite) and the tail stays a fraction of the sorted part.
	 */
	bool rewrite = !c->appendable || (c->nread - hits) * 4 > c->nread ||
		       (c->tail_bytes + fresh_bytes) * 4 > c->base_bytes;
	if (!rewrite) {
		if (!c->changed)
			return 0;
		if ((r = append(c)) != 0)
			return r < 0 ? r : 0;
	} else if (!c->changed && kept == c->nread && c->appendable) {
		return 0;
	}
	entry *ents = malloc((kept ? kept : 1) * sizeof *ents);
	if (!ents)
		return mg_oom();
	kept = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->ents[i].keep)
			ents[kept++] = c->ents[i];
	mg_sort(ents, kept, sizeof *ents, cmp_entries);
	if (mg_buf_add(&out, MAGIC, MAGIC_LEN) < 0 || put_blob(&out, c->key.ptr, c->key.len) < 0 ||
	    put_u32(&out, (uint32_t)kept) < 0) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < kept; i++) {
		if (i && strcmp(ents[i - 1].folder, ents[i].folder) == 0)
			continue; /* cannot happen: one entry per folder per run */
		if (put_blob(&out, ents[i].data, ents[i].len) < 0) {
			r = mg_oom();
			goto done;
		}
	}
	if (mg_buf_addf(&tmp, "%s.%ld.tmp", c->path, (long)getpid()) < 0) {
		r = mg_oom();
		goto done;
	}
	if (mkdir(c->dir, 0777) < 0 && errno != EEXIST) {
		mg_error_set("cannot create '%s': %s", c->dir, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	if ((fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		mg_error_set("cannot write '%s': %s", tmp.ptr, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	for (size_t off = 0; off < out.len;) {
		ssize_t k = write(fd, out.ptr + off, out.len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			mg_error_set("cannot write '%s': %s", tmp.ptr, strerror(errno));
			r = MG_EIO;
			goto done;
		}
		off += (size_t)k;
	}
	if (close(fd) < 0 || rename(tmp.ptr, c->path) < 0) {
		fd = -1;
		mg_error_set("cannot replace '%s': %s", c->path, strerror(errno));
		r = MG_EIO;
		goto done;
	}
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	if (r < 0 && tmp.len)
		unlink(tmp.ptr);
	free(ents);
	mg_buf_release(&out);
	mg_buf_release(&tmp);
	return r;
}

void mg_facts_free(mg_facts_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->ents[i].own);
	free(c->ents);
	free(c->path);
	free(c->dir);
	mg_buf_release(&c->key);
	free(c);
}
