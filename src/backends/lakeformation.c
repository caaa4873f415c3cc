/*
 * lakeformation.c - the lakeformation backend, mode named (docs/backends.md):
 * product = Glue database (default: the product name), output table =
 * table, consumer `type: lakeformation` = the account id (or principal)
 * it names.  Column-precise grants only:
 *
 *   grant, database   DESCRIBE on Database {CatalogId, Name}
 *   grant, table      DESCRIBE on Table, and SELECT on TableWithColumns with
 *                     ColumnNames (the columns) or ColumnWildcard
 *                     {ExcludedColumnNames} ("all columns except")
 *   revoke            the same resources, revoked exactly as they are held:
 *                     narrowing a table's columns revokes the SELECT it holds
 *                     and grants the columns that remain (never a moment with
 *                     more access than either side)
 *
 * Lake Formation keeps a SELECT on a TableWithColumns per column list, so
 * the backend reads what is held (ListPermissions, once per session) and
 * revokes exactly that; "No permissions revoked" on a revoke means it was
 * not held, which is success; "Invalid principal" (IAM has not propagated a
 * new role yet) is `retryable` with a 5 s hint, so the executor's bounded
 * retries give IAM time.  Calls are BatchGrantPermissions of what a
 * narrowing keeps, BatchRevokePermissions, then BatchGrantPermissions of the
 * grants, at most 20 entries each, each entry's outcome read
 * from Failures by its Id.  The backend never retries: throttling and
 * ConcurrentModificationException are `retryable`, a timeout after sending
 * is `unknown`, and the executor decides.
 *
 * What meshgate manages - which principals and products - is kept beside the
 * state (lakeformation-meta.db, a ledger of the grants this backend made);
 * the permissions themselves are always read from Lake Formation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_int.h"
#include "backends/lakeformation_int.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "meshgate/sort.h"

/* ops per apply(): each op needs at most 2 revoke and 2 grant entries in the usual case */
#define LF_MAX_BATCH 10
#define LF_TOKEN_MAX 4096
#define LF_PAGES_MAX 100000

typedef struct {
	mg_backend base;
	mg_lf_options opt;
	char *environment;
	mg_aws_client *aws;
	mg_backend *meta;
	/*
	 * What Lake Formation holds: read once per session, then kept up to
	 * date with what this session revoked (perms cleared) and granted
	 * (appended).  Sorted by key up to held_sorted; the tail is sorted in
	 * when it grows past half the sorted part, so a session of n grants
	 * costs O(n log n) in all.
	 */
	mg_lf_held_list held;
	size_t held_sorted;
	bool held_loaded;
	/* databases and tables IAM_ALLOWED_PRINCIPALS holds something on (noted once a session) */
	struct open_res {
		char *database, *table;
		bool warned;
	} *open;
	size_t nopen;
	bool open_noted;
	char region[64]; /* the SDKs' region when meshgate.yaml names none */
} lf;

/* ---- the client ---- */

static int ensure_client(lf *b)
{
	if (b->aws)
		return 0;
	mg_aws_client_options o;
	memset(&o, 0, sizeof o);
	o.service = "lakeformation";
	o.region = b->opt.region;
	if (!o.region) {
		int r = mg_aws_region_resolve(b->opt.profile, b->region, sizeof b->region);
		if (r < 0) {
			char why[700];
			snprintf(why, sizeof why, "%s", mg_error_last());
			mg_error_set("lakeformation backend of environment '%s': %s; set region in meshgate.yaml",
				     b->environment, why);
			return r;
		}
		o.region = b->region;
	}
	o.endpoint_url = b->opt.endpoint_url;
	o.profile = b->opt.profile;
	o.role_arn = b->opt.role_arn;
	o.external_id = b->opt.external_id;
	o.session_name = "meshgate";
	o.timeout_ms = b->opt.timeout_s * 1000;
	o.sts_endpoint_url = b->opt.sts_endpoint_url;
	return mg_backend_aws_client(&b->aws, &o, "lakeformation", b->environment);
}

/* One REST-JSON call; resp initialised by the caller. */
static int call(lf *b, const char *path, const mg_buf *body, bool idempotent, mg_aws_response *resp)
{
	mg_aws_call_input in;
	memset(&in, 0, sizeof in);
	in.protocol = MG_AWS_REST_JSON;
	in.path = path;
	in.body = body->ptr;
	in.body_len = body->len;
	in.idempotent = idempotent;
	return mg_aws_call(b->aws, &in, resp);
}

static const char *outcome_text(const mg_aws_response *resp, char *buf, size_t cap)
{
	if (resp->error_code[0])
		snprintf(buf, cap, "%s: %s", resp->error_code, resp->message);
	else if (resp->http_status)
		snprintf(buf, cap, "HTTP %ld: %s", resp->http_status, resp->message);
	else
		snprintf(buf, cap, "%s", resp->message[0] ? resp->message : "no answer");
	return buf;
}

/* ---- reading what is held ---- */

static int held_cmp(const void *pa, const void *pb)
{
	const mg_lf_held *a = pa, *b = pb;
	int c = strcmp(a->principal, b->principal);
	if (!c)
		c = strcmp(a->database, b->database);
	if (!c)
		c = strcmp(a->table ? a->table : "", b->table ? b->table : "");
	return c;
}

/* Every DATABASE and TABLE permission of the catalog, all pages. */
static int list_all(lf *b, mg_lf_held_list *out)
{
	static const char *const types[] = { "DATABASE", "TABLE" };
	char *next = malloc(LF_TOKEN_MAX);
	int r = next ? 0 : mg_oom();
	for (size_t t = 0; r == 0 && t < 2; t++) {
		next[0] = '\0';
		for (long page = 0; r == 0; page++) {
			mg_buf body = MG_BUF_INIT;
			mg_aws_response resp;
			mg_aws_response_init(&resp);
			if (page >= LF_PAGES_MAX) {
				mg_error_set("lakeformation: ListPermissions returned more than %d pages", LF_PAGES_MAX);
				r = MG_EBACKEND;
			}
			if (r == 0)
				r = mg_lf_list_body(b->opt.catalog_id, types[t], next, &body);
			if (r == 0)
				r = call(b, "/ListPermissions", &body, true, &resp);
			if (r == 0 && resp.outcome != MG_AWS_OK) {
				char why[512];
				mg_error_set("lakeformation: ListPermissions in catalog %s failed: %s%s%s", b->opt.catalog_id,
					     outcome_text(&resp, why, sizeof why), resp.request_id[0] ? " (request " : "",
					     resp.request_id[0] ? resp.request_id : "");
				r = MG_EBACKEND;
			}
			if (r == 0)
				r = mg_lf_list_parse(resp.body.ptr, resp.body.len, out, next, LF_TOKEN_MAX);
			mg_buf_release(&body);
			mg_aws_response_release(&resp);
			if (r < 0 || !next[0])
				break;
		}
	}
	free(next);
	return r;
}

/* ---- the IAM_ALLOWED_PRINCIPALS preflight ---- */

#define OPEN_PRINCIPAL "IAM_ALLOWED_PRINCIPALS"

static void drop_open(lf *b)
{
	for (size_t i = 0; i < b->nopen; i++) {
		free(b->open[i].database);
		free(b->open[i].table);
	}
	free(b->open);
	b->open = NULL;
	b->nopen = 0;
	b->open_noted = false;
}

/* Notes what IAM_ALLOWED_PRINCIPALS holds in a listing (once a session). */
static int note_open(lf *b, const mg_lf_held_list *l)
{
	if (b->open_noted)
		return 0;
	for (size_t i = 0; i < l->count; i++) {
		const mg_lf_held *h = &l->items[i];
		if (strcmp(h->principal, OPEN_PRINCIPAL) != 0)
			continue;
		struct open_res *v = realloc(b->open, (b->nopen + 1) * sizeof *v);
		if (!v)
			return mg_oom();
		b->open = v;
		struct open_res *o = &v[b->nopen];
		o->warned = false;
		o->database = strdup(h->database);
		o->table = h->table ? strdup(h->table) : NULL;
		if (!o->database || (h->table && !o->table)) {
			free(o->database);
			free(o->table);
			return mg_oom();
		}
		b->nopen++;
	}
	b->open_noted = true;
	return 0;
}

/*
 * Warns, once a session per resource, when IAM_ALLOWED_PRINCIPALS holds a
 * permission on managed `database` or one of its tables: with it, IAM
 * policies alone decide who reads, and column grants protect nothing.
 * meshgate never grants or revokes it (it is not a managed principal).
 * The warning goes to the caller's sink (mg_backend_warn), never to stderr.
 */
static void warn_open(lf *b, const char *database)
{
	for (size_t i = 0; i < b->nopen; i++) {
		struct open_res *o = &b->open[i];
		if (o->warned || strcmp(o->database, database) != 0)
			continue;
		for (size_t k = i; k < b->nopen; k++)
			if (strcmp(b->open[k].database, o->database) == 0 &&
			    strcmp(b->open[k].table ? b->open[k].table : "", o->table ? o->table : "") == 0)
				b->open[k].warned = true;
		char resource[600];
		snprintf(resource, sizeof resource, "%s %s%s%s", o->table ? "table" : "database", o->database,
			 o->table ? "." : "", o->table ? o->table : "");
		mg_backend_warn(&b->base, b->environment, "iam-allowed-principals", resource,
				OPEN_PRINCIPAL " holds permissions on %s in catalog %s: any IAM principal whose IAM "
				"policy allows it reads it, so meshgate's column grants there protect nothing; revoke "
				"them from " OPEN_PRINCIPAL " (meshgate never does) and turn off \"Use only IAM access "
				"control\" for new databases and tables",
				resource, b->opt.catalog_id);
	}
}

static int load_held(lf *b)
{
	if (b->held_loaded)
		return 0;
	int r = list_all(b, &b->held);
	if (r == 0)
		r = note_open(b, &b->held);
	if (r < 0) {
		mg_lf_held_release(&b->held);
		return r;
	}
	mg_sort(b->held.items, b->held.count, sizeof *b->held.items, held_cmp);
	b->held_sorted = b->held.count;
	b->held_loaded = true;
	return 0;
}

static void drop_held(lf *b)
{
	mg_lf_held_release(&b->held);
	b->held_sorted = 0;
	b->held_loaded = false;
}

/* Pointers to the held entries of one key (sorted part and this session's re-grants). */
typedef struct {
	mg_lf_held *v[16];
	size_t n;
	bool overflow; /* more than fit: the key is handled as unknown */
} key_entries;

typedef struct {
	const char *principal, *database, *table;
} held_key;

static int key_cmp(const void *pk, const void *ph)
{
	const held_key *k = pk;
	const mg_lf_held *h = ph;
	int c = strcmp(k->principal, h->principal);
	if (!c)
		c = strcmp(k->database, h->database);
	if (!c)
		c = strcmp(k->table ? k->table : "", h->table ? h->table : "");
	return c;
}

static void find_key(lf *b, const char *principal, const char *db, const char *table, key_entries *out)
{
	held_key key = { principal, db, table };
	out->n = 0;
	out->overflow = false;
	mg_lf_held *hit = mg_find(&key, b->held.items, b->held_sorted, sizeof *b->held.items, key_cmp);
	if (hit) {
		mg_lf_held *lo = hit, *hi = hit;
		while (lo > b->held.items && key_cmp(&key, lo - 1) == 0)
			lo--;
		while (hi + 1 < b->held.items + b->held_sorted && key_cmp(&key, hi + 1) == 0)
			hi++;
		for (mg_lf_held *h = lo; h <= hi; h++)
			if (h->perms) {
				if (out->n < sizeof out->v / sizeof out->v[0])
					out->v[out->n++] = h;
				else
					out->overflow = true;
			}
	}
	for (size_t i = b->held_sorted; i < b->held.count; i++) {
		mg_lf_held *h = &b->held.items[i];
		if (h->perms && key_cmp(&key, h) == 0) {
			if (out->n < sizeof out->v / sizeof out->v[0])
				out->v[out->n++] = h;
			else
				out->overflow = true;
		}
	}
}

/* ---- one op as entries ---- */

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A held SELECT as "all except" (wildcard or whole table) or explicit columns. */
static bool held_is_wildcard(const mg_lf_held *h)
{
	return h->target == MG_LF_TABLE || h->except;
}

static bool named_in(const mg_lf_held *h, const char *c)
{
	if (h->target == MG_LF_TABLE)
		return false;
	for (size_t q = 0; q < h->ncolumns; q++)
		if (strcmp(h->columns[q], c) == 0)
			return true;
	return false;
}

/*
 * The grant a key holds now, from its held entries: permissions united;
 * columns united (explicit lists), or "all except" the names every
 * wildcard excludes and no explicit list names.  Strings borrowed from the
 * entries and op; *cols malloc'd (the grant's column list).
 */
static int held_grant(const key_entries *ke, const mg_op *op, mg_grant *g, const char ***cols)
{
	size_t total = 0;
	bool except = false;
	memset(g, 0, sizeof *g);
	*cols = NULL;
	for (size_t i = 0; i < ke->n; i++) {
		total += ke->v[i]->ncolumns;
		g->perms |= ke->v[i]->perms;
		if (ke->v[i]->perms & MG_PERM_SELECT)
			except |= held_is_wildcard(ke->v[i]);
	}
	const char **v = malloc((total + 1) * sizeof *v);
	size_t n = 0;
	if (!v)
		return mg_oom();
	for (size_t i = 0; i < ke->n; i++) {
		const mg_lf_held *h = ke->v[i];
		if (!(h->perms & MG_PERM_SELECT) || h->target != MG_LF_TABLE_COLUMNS || h->except != except)
			continue;
		for (size_t k = 0; k < h->ncolumns; k++) {
			const char *c = h->columns[k];
			bool keep = true;
			for (size_t j = 0; except && keep && j < ke->n; j++) {
				const mg_lf_held *o = ke->v[j];
				if (!(o->perms & MG_PERM_SELECT))
					continue;
				keep = held_is_wildcard(o) ? named_in(o, c) : !named_in(o, c);
			}
			for (size_t q = 0; keep && q < n; q++)
				keep = strcmp(v[q], c) != 0;
			if (keep)
				v[n++] = c;
		}
	}
	mg_sort(v, n, sizeof *v, cmp_cstr);
	g->environment = op->grant.environment;
	g->product = op->grant.product;
	g->principal = op->grant.principal;
	g->channel = op->grant.channel;
	g->table = op->grant.table;
	g->except = (g->perms & MG_PERM_SELECT) ? except : false;
	g->columns = v;
	g->ncolumns = (g->perms & MG_PERM_SELECT) ? n : 0;
	*cols = v;
	return 0;
}

static bool same_spec(const mg_lf_held *h, const mg_grant *g)
{
	if (h->target != MG_LF_TABLE_COLUMNS || h->except != g->except || h->ncolumns != g->ncolumns)
		return false;
	for (size_t i = 0; i < g->ncolumns; i++)
		if (strcmp(h->columns[i], g->columns[i]) != 0)
			return false;
	return true;
}

#define RV_MAX (LF_MAX_BATCH * 17)
typedef struct {
	mg_lf_entry rv[RV_MAX], gr[2 * LF_MAX_BATCH];
	mg_lf_held *rv_held[RV_MAX];       /* the held entry a revoke narrows */
	size_t nrv, ngr;
	mg_grant_set next[LF_MAX_BATCH];   /* per op: what its key holds afterwards (0 or 1 grant) */
} batch;

static mg_lf_entry entry_of(size_t op, mg_lf_target t, const char *principal, const char *db, const char *table,
			    unsigned perms)
{
	mg_lf_entry e;
	memset(&e, 0, sizeof e);
	e.op = op;
	e.target = t;
	e.principal = principal;
	e.database = db;
	e.table = table;
	e.perms = perms;
	return e;
}

/* Plans op i's entries into bt; the key's held entries in ke. */
static int plan_op(lf *b, batch *bt, size_t i, const mg_op *op, const key_entries *ke, mg_op_result *res)
{
	const mg_grant *o = &op->grant;
	const char *db = mg_lf_database_of(&b->opt, o->product);
	mg_grant cur;
	const char **cols = NULL;
	int r = held_grant(ke, op, &cur, &cols);
	mg_grant_set *next = &bt->next[i];
	if (r == 0 && cur.perms)
		r = mg_grant_set_add(next, &cur);
	if (r == 0)
		r = mg_grant_set_finish(next);
	if (r == 0)
		r = mg_grant_set_apply(next, op, 1);
	free(cols);
	if (r < 0)
		return r;
	if (ke->overflow) {
		res->status = MG_OP_FAILED;
		snprintf(res->message, sizeof res->message,
			 "lakeformation: %s holds more than %zu separate permissions on %s.%s; revoke them by hand",
			 o->principal, sizeof ke->v / sizeof ke->v[0], db, o->table ? o->table : "");
		return 1;
	}
	const mg_grant *nx = next->count ? &next->items[0] : NULL;
	unsigned nperms = nx ? nx->perms : 0;
	bool nsel = o->table && (nperms & MG_PERM_SELECT);
	bool narrowed = false, kept = false;
	for (size_t k = 0; k < ke->n; k++) {
		mg_lf_held *h = ke->v[k];
		unsigned drop = 0;
		if ((h->perms & MG_PERM_SELECT) && o->table) {
			if (nsel && same_spec(h, nx))
				kept = true;
			else
				drop |= MG_PERM_SELECT;
		}
		if ((h->perms & MG_PERM_DESCRIBE) && !(nperms & MG_PERM_DESCRIBE))
			drop |= MG_PERM_DESCRIBE;
		if (!drop)
			continue;
		if (bt->nrv == RV_MAX)
			return MG_ETOOBIG; /* cannot happen: ke holds at most 16 per op */
		mg_lf_entry e = entry_of(i, h->target, h->principal, h->database, h->table, drop);
		e.except = h->except;
		e.columns = (const char *const *)h->columns;
		e.ncolumns = h->ncolumns;
		e.resource_json = h->resource_json;
		bt->rv_held[bt->nrv] = h;
		bt->rv[bt->nrv++] = e;
		narrowed |= (drop & MG_PERM_SELECT) != 0;
	}
	bool grant = op->kind == MG_OP_GRANT;
	if (!o->table) {
		if (grant)
			bt->gr[bt->ngr++] = entry_of(i, MG_LF_DATABASE, o->principal, db, NULL, MG_PERM_DESCRIBE);
		return 0;
	}
	if (nsel && (grant || (narrowed && !kept))) {
		mg_lf_entry e = entry_of(i, MG_LF_TABLE_COLUMNS, o->principal, db, o->table, MG_PERM_SELECT);
		e.except = nx->except;
		e.columns = nx->columns;
		e.ncolumns = nx->ncolumns;
		bt->gr[bt->ngr++] = e;
	}
	if (grant && (nperms & MG_PERM_DESCRIBE))
		bt->gr[bt->ngr++] = entry_of(i, MG_LF_TABLE, o->principal, db, o->table, MG_PERM_DESCRIBE);
	return 0;
}

/* The worse of two outcomes for an op: failed, then unknown, then retryable, then ok. */
static int rank(mg_op_status s)
{
	switch (s) {
	case MG_OP_FAILED: return 3;
	case MG_OP_UNKNOWN: return 2;
	case MG_OP_RETRYABLE: return 1;
	case MG_OP_OK: break;
	}
	return 0;
}

static void worsen(mg_op_result *res, mg_op_status st, long retry_after_ms, const char *request_id, const char *msg)
{
	if (rank(st) <= rank(res->status) && res->status != MG_OP_OK)
		return;
	if (rank(st) == 0)
		return;
	res->status = st;
	res->retry_after_ms = retry_after_ms;
	if (request_id && *request_id)
		snprintf(res->request_id, sizeof res->request_id, "%s", request_id);
	snprintf(res->message, sizeof res->message, "%s", msg);
}

static const char *describe_entry(const mg_lf_entry *e, bool grant, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %s on %s%s%s %s %s", grant ? "grant" : "revoke",
		 e->perms == MG_PERM_SELECT ? "SELECT" : e->perms == MG_PERM_DESCRIBE ? "DESCRIBE" : "SELECT, DESCRIBE",
		 e->database, e->table ? "." : "", e->table ? e->table : "", grant ? "to" : "from", e->principal);
	return buf;
}

/*
 * Sends entries[0..n) in calls of at most 20 and records each entry's
 * outcome in ok[] and in the results of its op.  Entries of ops that
 * already failed are not sent.
 */
static int send_entries(lf *b, const char *path, bool grant, const mg_lf_entry *entries, size_t n, bool *ok,
			mg_op_result *results)
{
	mg_lf_entry chunk[MG_LF_BATCH_ENTRIES];
	size_t map[MG_LF_BATCH_ENTRIES];
	mg_lf_failure fails[MG_LF_BATCH_ENTRIES];
	size_t at = 0;
	int r = 0;
	while (r == 0 && at < n) {
		size_t m = 0;
		for (; at < n && m < MG_LF_BATCH_ENTRIES; at++) {
			ok[at] = false;
			if (results[entries[at].op].status != MG_OP_OK)
				continue;
			map[m] = at;
			chunk[m++] = entries[at];
		}
		if (!m)
			break;
		mg_buf body = MG_BUF_INIT;
		mg_aws_response resp;
		mg_aws_response_init(&resp);
		size_t nfail = 0;
		char why[512], what[300];
		if ((r = mg_lf_batch_body(b->opt.catalog_id, chunk, m, &body)) == 0)
			r = call(b, path, &body, false, &resp);
		if (r == 0 && resp.outcome == MG_AWS_OK &&
		    mg_lf_batch_failures(resp.body.ptr, resp.body.len, m, fails, &nfail) < 0) {
			/* an answer we cannot read: whether the entries took effect is unknown */
			snprintf(resp.message, sizeof resp.message, "%s", mg_error_last());
			mg_error_clear();
			resp.outcome = MG_AWS_UNKNOWN;
		}
		for (size_t k = 0; r == 0 && k < m; k++) {
			mg_op_result *res = &results[chunk[k].op];
			if (resp.outcome != MG_AWS_OK) {
				mg_op_status st = resp.outcome == MG_AWS_FAILED	   ? MG_OP_FAILED
						  : resp.outcome == MG_AWS_RETRYABLE ? MG_OP_RETRYABLE
										     : MG_OP_UNKNOWN;
				char msg[900];
				snprintf(msg, sizeof msg, "lakeformation %s: %s (%s)", path + 1,
					 outcome_text(&resp, why, sizeof why),
					 describe_entry(&chunk[k], grant, what, sizeof what));
				worsen(res, st, resp.retry_after_ms, resp.request_id, msg);
				continue;
			}
			const mg_lf_failure *f = NULL;
			for (size_t q = 0; q < nfail; q++)
				if (fails[q].entry == k)
					f = &fails[q];
			if (!f || (!grant && mg_lf_failure_is_absent(f))) {
				ok[map[k]] = true;
				if (resp.request_id[0] && !res->request_id[0])
					snprintf(res->request_id, sizeof res->request_id, "%s", resp.request_id);
				continue;
			}
			char msg[900];
			bool unknown = mg_lf_failure_is_unknown_principal(f);
			if (unknown)
				snprintf(msg, sizeof msg,
					 "lakeformation: principal %s unknown to Lake Formation (\"%s\"): IAM may still be "
					 "propagating a new role; if it persists, check the consumer (%s)",
					 chunk[k].principal, f->message, describe_entry(&chunk[k], grant, what, sizeof what));
			else
				snprintf(msg, sizeof msg, "lakeformation: %s: %s (%s)", f->code, f->message,
					 describe_entry(&chunk[k], grant, what, sizeof what));
			/* an unknown principal: retried by the executor, a few seconds apart, a bounded number of times */
			worsen(res, mg_lf_failure_status(f), unknown ? MG_LF_PRINCIPAL_WAIT_MS : 0, resp.request_id, msg);
		}
		mg_buf_release(&body);
		mg_aws_response_release(&resp);
	}
	return r;
}

/* Remembers what an entry granted as held, for the rest of the session. */
static int remember(lf *b, const mg_lf_entry *e)
{
	mg_lf_held_list *l = &b->held;
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		mg_lf_held *v = realloc(l->items, cap * sizeof *v);
		if (!v)
			return mg_oom();
		l->items = v;
		l->cap = cap;
	}
	mg_lf_held *h = &l->items[l->count];
	memset(h, 0, sizeof *h);
	h->target = e->target;
	h->except = e->except;
	h->perms = e->perms;
	if (!(h->principal = strdup(e->principal)) || !(h->database = strdup(e->database)) ||
	    (e->table && !(h->table = strdup(e->table))) ||
	    !(h->columns = calloc(e->ncolumns + 1, sizeof *h->columns)))
		goto oom;
	l->count++;
	for (size_t i = 0; i < e->ncolumns; i++) {
		if (!(h->columns[i] = strdup(e->columns[i])))
			return mg_oom();
		h->ncolumns++;
	}
	if (l->count - b->held_sorted > 256 + b->held_sorted / 2) {
		mg_sort(l->items, l->count, sizeof *l->items, held_cmp);
		b->held_sorted = l->count;
	}
	return 0;
oom:
	free(h->principal);
	free(h->database);
	free(h->table);
	free(h->columns);
	return mg_oom();
}

/*
 * Records what the ops that succeeded leave their keys holding in the meta
 * ledger: forget the key, then the grant it now holds (if any).
 */
static int record_managed(lf *b, const mg_op *ops, size_t n, const mg_op_result *results, batch *bt)
{
	mg_op m[2 * LF_MAX_BATCH];
	mg_op_result mres[2 * LF_MAX_BATCH];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (results[i].status != MG_OP_OK)
			continue;
		m[k] = ops[i];
		m[k].kind = MG_OP_REVOKE;
		m[k].grant.except = true;
		m[k].grant.ncolumns = 0;
		m[k].grant.perms = MG_PERM_SELECT | MG_PERM_DESCRIBE;
		k++;
		if (bt->next[i].count) {
			m[k] = ops[i];
			m[k].kind = MG_OP_GRANT;
			m[k].grant = bt->next[i].items[0];
			k++;
		}
	}
	return k ? b->meta->apply(b->meta, m, k, mres) : 0;
}

static bool same_key(const mg_op *a, const mg_op *b)
{
	const mg_grant *x = &a->grant, *y = &b->grant;
	return strcmp(x->principal, y->principal) == 0 && strcmp(x->product, y->product) == 0 &&
	       ((!x->table && !y->table) || (x->table && y->table && strcmp(x->table, y->table) == 0));
}

/*
 * One round: ops[idx[0..m)] touch m different keys.  The columns a
 * narrowing revoke keeps are granted first, then the revokes are sent, then
 * the grants of grant ops; what was revoked is cleared from the held view,
 * and what was granted is added to it.
 */
static int apply_round(lf *b, const mg_op *ops, const size_t *idx, size_t m, mg_op_result *results)
{
	batch *bt = calloc(1, sizeof *bt);
	mg_op sub[LF_MAX_BATCH];
	mg_op_result sres[LF_MAX_BATCH];
	bool *rv_ok = NULL, *gr_ok = NULL;
	int r = bt ? 0 : mg_oom();
	for (size_t i = 0; bt && i < m; i++) {
		sub[i] = ops[idx[i]];
		memset(&sres[i], 0, sizeof sres[i]);
		mg_grant_set_init(&bt->next[i]);
	}
	for (size_t i = 0; r == 0 && i < m; i++) {
		key_entries ke;
		find_key(b, sub[i].grant.principal, mg_lf_database_of(&b->opt, sub[i].grant.product), sub[i].grant.table,
			 &ke);
		r = plan_op(b, bt, i, &sub[i], &ke, &sres[i]);
		if (r > 0)
			r = 0;
	}
	/*
	 * A revoke that narrows keeps the columns that remain: those are granted
	 * first, and the held SELECT is revoked only once they are (send_entries
	 * skips the entries of an op that already failed).  Revoking first lost
	 * the remainder when its grant then failed: the retry found nothing held
	 * and took the revoke as done.  Meanwhile the principal holds the old and
	 * the narrower SELECT, never more than before.  The grants of grant ops
	 * come last, so access narrows before it widens.
	 */
	mg_lf_entry *order = NULL;
	size_t nfirst = 0;
	if (r == 0) {
		rv_ok = calloc(bt->nrv + 1, sizeof *rv_ok);
		gr_ok = calloc(bt->ngr + 1, sizeof *gr_ok);
		order = calloc(bt->ngr + 1, sizeof *order);
		if (!rv_ok || !gr_ok || !order)
			r = mg_oom();
	}
	size_t w = 0;
	for (int pass = 0; r == 0 && pass < 2; pass++)
		for (size_t k = 0; k < bt->ngr; k++)
			if ((sub[bt->gr[k].op].kind == MG_OP_REVOKE) == (pass == 0)) {
				order[w++] = bt->gr[k];
				nfirst += pass == 0;
			}
	if (r == 0)
		r = send_entries(b, "/BatchGrantPermissions", true, order, nfirst, gr_ok, sres);
	if (r == 0)
		r = send_entries(b, "/BatchRevokePermissions", false, bt->rv, bt->nrv, rv_ok, sres);
	for (size_t k = 0; r == 0 && k < bt->nrv; k++)
		if (rv_ok[k])
			bt->rv_held[k]->perms &= ~bt->rv[k].perms;
	if (r == 0)
		r = send_entries(b, "/BatchGrantPermissions", true, order + nfirst, bt->ngr - nfirst, gr_ok + nfirst,
				 sres);
	for (size_t k = 0; r == 0 && k < bt->ngr; k++)
		if (gr_ok[k])
			r = remember(b, &order[k]);
	free(order);
	if (r == 0)
		r = record_managed(b, sub, m, sres, bt);
	for (size_t i = 0; bt && i < m; i++) {
		results[idx[i]] = sres[i];
		mg_grant_set_release(&bt->next[i]);
	}
	free(rv_ok);
	free(gr_ok);
	free(bt);
	return r;
}

static int lf_apply(mg_backend *base, const mg_op *ops, size_t n, mg_op_result *results)
{
	lf *b = (lf *)base;
	bool done[LF_MAX_BATCH] = { false };
	size_t left = n;
	for (size_t i = 0; i < n; i++)
		memset(&results[i], 0, sizeof results[i]);
	if (n > LF_MAX_BATCH) {
		mg_error_set("lakeformation: at most %d operations per call, not %zu", LF_MAX_BATCH, n);
		return MG_EINVALID;
	}
	if (ensure_client(b) < 0 || load_held(b) < 0)
		return MG_EBACKEND; /* nothing was sent: the run stops with the message */
	for (size_t i = 0; i < n; i++)
		warn_open(b, mg_lf_database_of(&b->opt, ops[i].grant.product));
	while (left) {
		size_t idx[LF_MAX_BATCH], m = 0;
		for (size_t i = 0; i < n; i++) {
			bool clash = false;
			for (size_t k = 0; !done[i] && k < m; k++)
				clash |= same_key(&ops[i], &ops[idx[k]]);
			if (!done[i] && !clash) {
				idx[m++] = i;
				done[i] = true;
			}
		}
		left -= m;
		int r = apply_round(b, ops, idx, m, results);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- reading grants for drift, access and probes ---- */

typedef struct {
	const char *database, *product;
} db_product;

static int dbp_cmp(const void *a, const void *b)
{
	return strcmp(((const db_product *)a)->database, ((const db_product *)b)->database);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds the grant of one key, from its held entries, with exposures from the meta record. */
static int emit_key(mg_grant_set *out, const char *env, const char *product, const key_entries *ke,
		    const mg_grant_set *rec)
{
	mg_op probe;
	mg_grant g;
	const char **cols = NULL;
	memset(&probe, 0, sizeof probe);
	probe.grant.environment = env;
	probe.grant.product = product;
	probe.grant.principal = ke->v[0]->principal;
	probe.grant.channel = MG_CHANNEL_LAKEFORMATION;
	probe.grant.table = ke->v[0]->table;
	int r = held_grant(ke, &probe, &g, &cols);
	if (r < 0 || !g.perms) {
		free(cols);
		return r;
	}
	const mg_grant *m = mg_grant_set_find(rec, &g);
	unsigned *exp = calloc(g.ncolumns + 1, sizeof *exp);
	if (!exp) {
		free(cols);
		return mg_oom();
	}
	for (size_t i = 0; m && m->column_exposure && i < g.ncolumns; i++)
		for (size_t k = 0; k < m->ncolumns; k++)
			if (strcmp(m->columns[k], g.columns[i]) == 0)
				exp[i] = m->column_exposure[k];
	g.column_exposure = exp;
	g.exposure = m ? m->exposure : 0;
	r = mg_grant_set_add(out, &g);
	free(exp);
	free(cols);
	return r;
}

static int lf_read(mg_backend *base, const char *environment, mg_grant_set *out)
{
	lf *b = (lf *)base;
	const char *env = environment ? environment : b->environment;
	mg_grant_set rec;
	mg_lf_held_list all;
	const char **principals = NULL;
	db_product *dbs = NULL;
	size_t np = 0, nd = 0;
	int r;
	mg_grant_set_init(&rec);
	memset(&all, 0, sizeof all);
	if ((r = b->meta->read_grants(b->meta, env, &rec)) < 0 || !rec.count)
		goto done;
	principals = calloc(rec.count, sizeof *principals);
	dbs = calloc(rec.count, sizeof *dbs);
	if (!principals || !dbs) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < rec.count; i++) {
		principals[np++] = rec.items[i].principal;
		dbs[nd].product = rec.items[i].product;
		dbs[nd++].database = mg_lf_database_of(&b->opt, rec.items[i].product);
	}
	mg_sort(principals, np, sizeof *principals, str_cmp);
	mg_sort(dbs, nd, sizeof *dbs, dbp_cmp);
	if ((r = ensure_client(b)) < 0 || (r = list_all(b, &all)) < 0 || (r = note_open(b, &all)) < 0)
		goto done;
	for (size_t i = 0; i < nd; i++)
		warn_open(b, dbs[i].database);
	mg_sort(all.items, all.count, sizeof *all.items, held_cmp);
	for (size_t i = 0; r == 0 && i < all.count;) {
		key_entries ke = { .n = 0 };
		size_t j = i;
		while (j < all.count && held_cmp(&all.items[j], &all.items[i]) == 0) {
			if (ke.n < sizeof ke.v / sizeof ke.v[0])
				ke.v[ke.n++] = &all.items[j];
			j++;
		}
		const char *pr = all.items[i].principal;
		db_product key = { all.items[i].database, NULL };
		const db_product *d = mg_find(&key, dbs, nd, sizeof *dbs, dbp_cmp);
		if (d && mg_find(&pr, principals, np, sizeof *principals, str_cmp))
			r = emit_key(out, env, d->product, &ke, &rec);
		i = j;
	}
	if (r == 0)
		r = mg_grant_set_finish(out);
done:
	free(principals);
	free(dbs);
	mg_lf_held_release(&all);
	mg_grant_set_release(&rec);
	return r;
}

/* ---- session ---- */

static int lf_begin(mg_backend *base, const char *environment)
{
	lf *b = (lf *)base;
	(void)environment;
	drop_held(b);
	drop_open(b);
	return ensure_client(b);
}

static int lf_end(mg_backend *base)
{
	drop_held((lf *)base);
	drop_open((lf *)base);
	return 0;
}

static void lf_free(mg_backend *base)
{
	lf *b = (lf *)base;
	drop_held(b);
	drop_open(b);
	mg_aws_client_free(b->aws);
	mg_backend_free(b->meta);
	mg_lf_options_release(&b->opt);
	free(b->environment);
	free(b);
}

static const mg_backend lf_backend = {
	.name = "lakeformation",
	.channels = MG_CHANNEL_BIT(MG_CHANNEL_LAKEFORMATION),
	.max_batch = LF_MAX_BATCH,
	.begin = lf_begin,
	.apply = lf_apply,
	.probe = NULL, /* read_grants is a few pages of ListPermissions */
	.read_grants = lf_read,
	.end = lf_end,
	.free = lf_free,
};

int mg_backend_lakeformation_create(mg_backend **out, const mg_backend_params *prm)
{
	lf *b = calloc(1, sizeof *b);
	int r;
	*out = NULL;
	if (!b)
		return mg_oom();
	b->base = lf_backend;
	if ((r = mg_lf_options_parse(prm->options, prm->config_path, NULL, &b->opt)) < 0 ||
	    (r = mg_backend_remote_state(prm, b->base.name, &b->environment, &b->meta)) < 0) {
		lf_free(&b->base);
		return r;
	}
	*out = &b->base;
	return 0;
}

int mg_backend_lakeformation_check(const mg_node *options, const char *path, mg_findings *findings)
{
	mg_lf_options o;
	int r = mg_lf_options_parse(options, path, findings, &o);
	mg_lf_options_release(&o);
	return r;
}
