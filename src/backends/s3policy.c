/*
 * s3policy.c - the s3-policy backend (docs/backends.md): raw S3 read for
 * `type: iam` consumers (principal = consumer-role-arn) as statements in
 * the bucket policy of each granted table's location.
 *
 *   grant, table     two statements owned by meshgate, Sids from a hash of
 *                    (environment, principal, product, table):
 *                    "<stem>-get"  s3:GetObject on arn:aws:s3:::bucket/prefix/ *
 *                    "<stem>-list" s3:ListBucket on the bucket, s3:prefix
 *                                  "prefix" or "prefix/ *"
 *   revoke, table    both statements removed
 *   database grants  nothing in S3 (raw reads have no database); recorded only
 *
 * Never losing a statement: per bucket, under a lock file (lock-dir, default
 * the state directory, shared by every applier of the repository), read the
 * policy, merge the changes per Sid - statements meshgate does not own are
 * never touched -, refuse a result over 20 KiB, write it, and read it back:
 * every statement written must be there, every removed one gone, and every
 * statement that was there before must still be there.  Then wait
 * settle-ms and read once more.  When another writer got in between (an
 * applier that does not share the lock: another machine, the console), the
 * round starts again from what is there now, at most `attempts` times.
 *
 * The access model's rule is checked again before writing: a grant that
 * exposes pii, pci or confidential data is refused on this channel.
 *
 * What meshgate manages is kept beside the state: s3-policy-meta.db (a
 * ledger of the grants made) and s3-policy-buckets (the buckets written);
 * the statements themselves are always read from S3.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "backends/backends_int.h"
#include "backends/s3policy_int.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "meshgate/sort.h"

#define S3P_MAX_BATCH 50
#define S3P_BUCKETS_MAX 1024

typedef struct {
	mg_backend base;
	mg_s3p_options opt;
	char *environment, *state_dir;
	mg_aws_client *aws;
	mg_backend *meta;
	mg_grant_set held; /* the meta ledger's grants of the environment, this session */
	bool held_loaded;
	unsigned seed;
} s3p;

/* ---- the client ---- */

static int ensure_client(s3p *b)
{
	if (b->aws)
		return 0;
	mg_aws_client_options o;
	memset(&o, 0, sizeof o);
	o.service = "s3";
	o.region = b->opt.region;
	o.endpoint_url = b->opt.endpoint_url;
	o.profile = b->opt.profile;
	o.role_arn = b->opt.role_arn;
	o.external_id = b->opt.external_id;
	o.session_name = "meshgate";
	o.timeout_ms = b->opt.timeout_s * 1000;
	o.sts_endpoint_url = b->opt.sts_endpoint_url;
	return mg_backend_aws_client(&b->aws, &o, "s3-policy", b->environment);
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

static mg_op_status status_of(mg_aws_outcome o)
{
	switch (o) {
	case MG_AWS_OK: return MG_OP_OK;
	case MG_AWS_FAILED: return MG_OP_FAILED;
	case MG_AWS_RETRYABLE: return MG_OP_RETRYABLE;
	case MG_AWS_UNKNOWN: break;
	}
	return MG_OP_UNKNOWN;
}

static int policy_call(s3p *b, const char *method, const char *bucket, const mg_buf *body, mg_aws_response *resp)
{
	char path[80];
	snprintf(path, sizeof path, "/%s", bucket);
	mg_aws_call_input in;
	memset(&in, 0, sizeof in);
	in.protocol = MG_AWS_REST_XML;
	in.method = method;
	in.path = path;
	in.query = "policy";
	if (body) {
		in.body = body->ptr;
		in.body_len = body->len;
		in.content_type = "application/json";
	}
	in.idempotent = strcmp(method, "GET") == 0;
	return mg_aws_call(b->aws, &in, resp);
}

/* What one bucket's round ended with. */
typedef struct {
	mg_op_status status;
	long retry_after_ms;
	char request_id[64];
	char message[256];
} verdict;

static void say(verdict *v, mg_op_status st, const mg_aws_response *resp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void say(verdict *v, mg_op_status st, const mg_aws_response *resp, const char *fmt, ...)
{
	va_list ap;
	v->status = st;
	v->retry_after_ms = resp ? resp->retry_after_ms : 0;
	if (resp && resp->request_id[0])
		snprintf(v->request_id, sizeof v->request_id, "%s", resp->request_id);
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof v->message, fmt, ap);
	va_end(ap);
}

/*
 * GetBucketPolicy, parsed; a bucket without a policy has an empty one, and
 * so has a bucket that no longer exists when gone_ok (drift: it grants nothing).
 */
static int read_policy_of(s3p *b, const char *bucket, bool gone_ok, mg_s3p_policy **out, verdict *v)
{
	mg_aws_response resp;
	char why[512];
	int r;
	*out = NULL;
	mg_aws_response_init(&resp);
	if ((r = policy_call(b, "GET", bucket, NULL, &resp)) < 0)
		goto done;
	bool none = strcmp(resp.error_code, "NoSuchBucketPolicy") == 0 ||
		    (gone_ok && strcmp(resp.error_code, "NoSuchBucket") == 0);
	if (resp.outcome != MG_AWS_OK && !none) {
		mg_op_status st = status_of(resp.outcome);
		say(v, st == MG_OP_UNKNOWN ? MG_OP_RETRYABLE : st, &resp, "s3-policy: GetBucketPolicy of bucket '%s': %s",
		    bucket, outcome_text(&resp, why, sizeof why));
		r = 1;
		goto done;
	}
	const char *text = resp.outcome == MG_AWS_OK ? resp.body.ptr : "";
	size_t len = resp.outcome == MG_AWS_OK ? resp.body.len : 0;
	if ((r = mg_s3p_policy_parse(text, len, out)) == MG_EPARSE) {
		say(v, MG_OP_FAILED, &resp, "s3-policy: bucket '%s': %s", bucket, mg_error_last());
		mg_error_clear();
		r = 1;
	}
done:
	mg_aws_response_release(&resp);
	return r;
}

static int read_policy(s3p *b, const char *bucket, mg_s3p_policy **out, verdict *v)
{
	return read_policy_of(b, bucket, false, out, v);
}

static void sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Full jitter up to 50 ms * 2^attempt, at most 2 s: two writers that keep meeting drift apart. */
static void backoff(s3p *b, int attempt)
{
	long cap = 50L << (attempt < 6 ? attempt : 6);
	if (cap > 2000)
		cap = 2000;
	sleep_ms((long)(rand_r(&b->seed) % (unsigned)cap) + 1);
}

/* The lock every applier of the repository takes before editing a bucket's policy. */
static int lock_bucket(s3p *b, const char *bucket, int *fd)
{
	mg_buf p = MG_BUF_INIT;
	*fd = -1;
	if (mg_buf_addf(&p, "%s/s3-policy-%s.lock", b->opt.lock_dir ? b->opt.lock_dir : b->state_dir, bucket) < 0)
		return mg_oom();
	int f = open(p.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0 || flock(f, LOCK_EX) != 0) {
		mg_error_set("s3-policy: cannot lock '%s': %s", p.ptr, strerror(errno));
		if (f >= 0)
			close(f);
		mg_buf_release(&p);
		return MG_EIO;
	}
	mg_buf_release(&p);
	*fd = f;
	return 0;
}

/*
 * One bucket: read, merge, write, read back until the policy holds every
 * change and every statement that was there; fills v.  < 0 only for
 * local errors (memory, the lock).
 */
static int edit_bucket(s3p *b, const char *bucket, const mg_s3p_change *ch, size_t n, verdict *v)
{
	int fd, r;
	memset(v, 0, sizeof *v);
	if ((r = lock_bucket(b, bucket, &fd)) < 0)
		return r;
	for (int attempt = 1; r == 0; attempt++) {
		mg_s3p_policy *before = NULL, *after = NULL;
		mg_buf body = MG_BUF_INIT;
		mg_aws_response resp;
		char why[512];
		size_t nst = 0;
		mg_aws_response_init(&resp);
		if (attempt > b->opt.attempts) {
			v->status = MG_OP_UNKNOWN;
			snprintf(v->message, sizeof v->message,
				 "s3-policy: the policy of bucket '%s' kept changing under meshgate (another writer): "
				 "gave up after %ld read-modify-write rounds", bucket, b->opt.attempts);
			break;
		}
		if ((r = read_policy(b, bucket, &before, v)) != 0)
			goto round_done;
		bool wrote = false;
		if (!mg_s3p_policy_reflects(before, ch, n)) {
			r = mg_s3p_policy_merge(before, ch, n, bucket, &body, &nst);
			if (r == MG_ETOOBIG) {
				say(v, MG_OP_FAILED, NULL, "s3-policy: %s", mg_error_last());
				mg_error_clear();
				r = 1;
				goto round_done;
			}
			if (r < 0)
				goto round_done;
			if ((r = policy_call(b, nst ? "PUT" : "DELETE", bucket, nst ? &body : NULL, &resp)) < 0)
				goto round_done;
			if (resp.outcome == MG_AWS_FAILED) {
				say(v, MG_OP_FAILED, &resp, "s3-policy: writing the policy of bucket '%s': %s", bucket,
				    outcome_text(&resp, why, sizeof why));
				r = 1;
				goto round_done;
			}
			if (resp.outcome == MG_AWS_RETRYABLE) {
				backoff(b, attempt);
				goto round_done; /* not applied: try the round again */
			}
			if (resp.request_id[0])
				snprintf(v->request_id, sizeof v->request_id, "%s", resp.request_id);
			wrote = true; /* or unknown: the read-back says */
		}
		/* read back, twice when we wrote: a writer that read before our write lands after it */
		bool good = true;
		for (int pass = 0; good && pass < (wrote ? 2 : 1); pass++) {
			if (pass)
				sleep_ms(b->opt.settle_ms);
			mg_s3p_policy_free(after);
			after = NULL;
			if ((r = read_policy(b, bucket, &after, v)) != 0) {
				if (wrote)
					v->status = MG_OP_UNKNOWN; /* written, not confirmed */
				goto round_done;
			}
			good = mg_s3p_policy_reflects(after, ch, n) && (!wrote || mg_s3p_policy_keeps(after, before, ch, n));
		}
		if (good) {
			v->status = MG_OP_OK;
			v->message[0] = '\0';
			r = 1;
		} else {
			backoff(b, attempt); /* another writer: merge again from what is there now */
		}
round_done:
		mg_s3p_policy_free(before);
		mg_s3p_policy_free(after);
		mg_buf_release(&body);
		mg_aws_response_release(&resp);
	}
	close(fd); /* releases the lock */
	return r < 0 ? r : 0;
}

/* ---- the buckets written, for drift ---- */

static int buckets_path(s3p *b, mg_buf *p)
{
	return mg_buf_addf(p, "%s/s3-policy-buckets", b->state_dir) < 0 ? mg_oom() : 0;
}

/* The buckets file's names, one per line (missing file: none). */
static int read_buckets(s3p *b, mg_buf *text)
{
	mg_buf p = MG_BUF_INIT;
	int r = buckets_path(b, &p);
	if (r == 0 && access(p.ptr, F_OK) == 0)
		r = mg_buf_read_file(text, p.ptr, S3P_BUCKETS_MAX * 65);
	mg_buf_release(&p);
	return r;
}

static bool listed(const mg_buf *text, const char *bucket)
{
	size_t n = strlen(bucket);
	for (const char *l = text->ptr; *l;) {
		const char *e = strchr(l, '\n');
		size_t ln = e ? (size_t)(e - l) : strlen(l);
		if (ln == n && memcmp(l, bucket, n) == 0)
			return true;
		l += ln + (e ? 1 : 0);
	}
	return false;
}

static int remember_bucket(s3p *b, const char *bucket)
{
	mg_buf text = MG_BUF_INIT, p = MG_BUF_INIT, line = MG_BUF_INIT;
	int r = read_buckets(b, &text);
	if (r == 0 && !listed(&text, bucket) && (r = buckets_path(b, &p)) == 0) {
		int fd = open(p.ptr, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (mg_buf_addf(&line, "%s\n", bucket) < 0)
			r = mg_oom();
		else if (fd < 0 || write(fd, line.ptr, line.len) != (ssize_t)line.len) {
			mg_error_set("s3-policy: cannot write '%s': %s", p.ptr, strerror(errno));
			r = MG_EIO;
		}
		if (fd >= 0)
			close(fd);
	}
	mg_buf_release(&text);
	mg_buf_release(&p);
	mg_buf_release(&line);
	return r;
}

/* ---- apply ---- */

static int load_held(s3p *b)
{
	if (b->held_loaded)
		return 0;
	mg_grant_set_release(&b->held);
	mg_grant_set_init(&b->held);
	int r = b->meta->read_grants(b->meta, b->environment, &b->held);
	b->held_loaded = r == 0;
	return r;
}

/* Whether the key of op holds SELECT once op is applied to what the ledger records. */
static int selects_after(s3p *b, const mg_op *op, bool *out)
{
	mg_grant_set one;
	const mg_grant *cur = mg_grant_set_find(&b->held, &op->grant);
	int r = 0;
	mg_grant_set_init(&one);
	if (cur)
		r = mg_grant_set_add(&one, cur);
	if (r == 0)
		r = mg_grant_set_finish(&one);
	if (r == 0)
		r = mg_grant_set_apply(&one, op, 1);
	*out = r == 0 && one.count && (one.items[0].perms & MG_PERM_SELECT);
	mg_grant_set_release(&one);
	return r;
}

static bool grant_sensitive(const mg_grant *g)
{
	unsigned e = g->exposure;
	for (size_t i = 0; g->column_exposure && i < g->ncolumns; i++)
		if (!g->except)
			e |= g->column_exposure[i];
	return (e & (MG_EXPOSE_PII | MG_EXPOSE_PCI | MG_EXPOSE_CONFIDENTIAL)) != 0;
}

typedef struct {
	mg_s3p_location loc;
	mg_s3p_change ch[2 * S3P_MAX_BATCH];
	size_t nch;
	size_t ops[S3P_MAX_BATCH];
	size_t nops;
} bucket_batch;

static void fail_op(mg_op_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_op(mg_op_result *res, const char *fmt, ...)
{
	va_list ap;
	res->status = MG_OP_FAILED;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof res->message, fmt, ap);
	va_end(ap);
}

static int s3p_apply(mg_backend *base, const mg_op *ops, size_t n, mg_op_result *results)
{
	s3p *b = (s3p *)base;
	bucket_batch *bs = NULL;
	size_t nb = 0;
	int r = 0;
	for (size_t i = 0; i < n; i++)
		memset(&results[i], 0, sizeof results[i]);
	if (n > S3P_MAX_BATCH) {
		mg_error_set("s3-policy: at most %d operations per call, not %zu", S3P_MAX_BATCH, n);
		return MG_EINVALID;
	}
	if (ensure_client(b) < 0 || load_held(b) < 0)
		return MG_EBACKEND; /* nothing was sent */
	if (!(bs = calloc(n ? n : 1, sizeof *bs)))
		return mg_oom();
	for (size_t i = 0; r == 0 && i < n; i++) {
		const mg_grant *g = &ops[i].grant;
		bool want = false;
		mg_s3p_location loc;
		if (g->channel != MG_CHANNEL_IAM) {
			fail_op(&results[i], "s3-policy: %s.%s for %s is not an iam grant", g->product,
				g->table ? g->table : "", g->principal);
			continue;
		}
		if (!g->table)
			continue; /* the database: nothing in S3, recorded below */
		if (ops[i].kind == MG_OP_GRANT && grant_sensitive(g)) {
			fail_op(&results[i], "s3-policy: refused: %s.%s exposes pii, pci or confidential data, which raw "
					     "S3 reads by %s cannot hide", g->product, g->table, g->principal);
			continue;
		}
		if ((r = selects_after(b, &ops[i], &want)) < 0)
			break;
		if (!g->location) {
			if (want)
				fail_op(&results[i], "s3-policy: %s.%s has no location in the catalogue, so %s cannot be "
						     "granted raw S3 reads on it", g->product, g->table, g->principal);
			continue; /* nothing can have been granted without a location */
		}
		if (mg_s3p_location_parse(g->location, &loc) < 0) {
			fail_op(&results[i], "s3-policy: %s.%s (for %s): %s", g->product, g->table, g->principal,
				mg_error_last());
			mg_error_clear();
			continue;
		}
		size_t k = 0;
		while (k < nb && strcmp(bs[k].loc.bucket, loc.bucket) != 0)
			k++;
		if (k == nb)
			bs[nb++].loc = loc;
		char stem[26];
		mg_s3p_sid_stem(g->environment, g->principal, g->product, g->table, stem);
		/* a later op on the same key replaces an earlier one's changes */
		for (size_t c = 0; c < bs[k].nch; c++)
			if (strncmp(bs[k].ch[c].sid, stem, strlen(stem)) == 0)
				bs[k].ch[c].sid[0] = '\0';
		if ((r = mg_s3p_changes_for(stem, want ? g->principal : NULL, want ? &loc : NULL, &bs[k].ch[bs[k].nch])) < 0)
			break;
		bs[k].nch += 2;
		bs[k].ops[bs[k].nops++] = i;
	}
	for (size_t k = 0; r == 0 && k < nb; k++) {
		verdict v;
		/* drop the changes a later op replaced */
		size_t m = 0;
		for (size_t c = 0; c < bs[k].nch; c++) {
			if (bs[k].ch[c].sid[0])
				bs[k].ch[m++] = bs[k].ch[c];
			else
				mg_s3p_change_release(&bs[k].ch[c]);
		}
		bs[k].nch = m;
		if ((r = remember_bucket(b, bs[k].loc.bucket)) < 0 ||
		    (r = edit_bucket(b, bs[k].loc.bucket, bs[k].ch, bs[k].nch, &v)) < 0)
			break;
		for (size_t q = 0; q < bs[k].nops; q++) {
			mg_op_result *res = &results[bs[k].ops[q]];
			res->status = v.status;
			res->retry_after_ms = v.retry_after_ms;
			snprintf(res->request_id, sizeof res->request_id, "%s", v.request_id);
			snprintf(res->message, sizeof res->message, "%s", v.message);
		}
	}
	/* the ledger of what is managed: the ops that took effect */
	if (r == 0) {
		mg_op *done = malloc((n ? n : 1) * sizeof *done);
		mg_op_result *mres = calloc(n ? n : 1, sizeof *mres);
		size_t m = 0;
		if (!done || !mres)
			r = mg_oom();
		for (size_t i = 0; r == 0 && i < n; i++)
			if (results[i].status == MG_OP_OK)
				done[m++] = ops[i];
		if (r == 0 && m && (r = b->meta->apply(b->meta, done, m, mres)) == 0)
			r = mg_grant_set_apply(&b->held, done, m);
		free(done);
		free(mres);
	}
	for (size_t k = 0; k < nb; k++)
		for (size_t c = 0; c < bs[k].nch; c++)
			mg_s3p_change_release(&bs[k].ch[c]);
	free(bs);
	return r;
}

/* ---- reading grants for drift, access and probes ---- */

typedef struct {
	char **v; /* "sid\tprincipal", malloc'd */
	size_t n, cap;
} owned_list;

static int add_owned(void *ctx, const char *sid, const char *principal)
{
	owned_list *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return mg_oom();
		l->v = v;
		l->cap = cap;
	}
	mg_buf e = MG_BUF_INIT;
	if (mg_buf_addf(&e, "%s\t%s", sid, principal) < 0)
		return mg_oom();
	l->v[l->n++] = mg_buf_detach(&e, NULL);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool owns(const owned_list *l, const char *stem, const char *suffix, const char *principal)
{
	mg_buf k = MG_BUF_INIT;
	bool hit = false;
	if (mg_buf_addf(&k, "%s%s\t%s", stem, suffix, principal) == 0) {
		const char *key = k.ptr;
		hit = mg_find(&key, l->v, l->n, sizeof *l->v, str_cmp) != NULL;
	}
	mg_buf_release(&k);
	return hit;
}

static int s3p_read(mg_backend *base, const char *environment, mg_grant_set *out)
{
	s3p *b = (s3p *)base;
	const char *env = environment ? environment : b->environment;
	mg_grant_set rec;
	mg_buf buckets = MG_BUF_INIT;
	owned_list owned = { 0 };
	int r;
	mg_grant_set_init(&rec);
	if ((r = b->meta->read_grants(b->meta, env, &rec)) < 0 || !rec.count)
		goto done;
	if ((r = read_buckets(b, &buckets)) < 0 || (r = ensure_client(b)) < 0)
		goto done;
	for (char *l = buckets.ptr; r == 0 && *l;) {
		char *e = strchr(l, '\n');
		if (e)
			*e = '\0';
		if (*l) {
			mg_s3p_policy *p = NULL;
			verdict v;
			memset(&v, 0, sizeof v);
			if ((r = read_policy_of(b, l, true, &p, &v)) > 0) {
				mg_error_set("%s", v.message);
				r = MG_EBACKEND;
			}
			if (r == 0)
				r = mg_s3p_policy_owned(p, add_owned, &owned);
			mg_s3p_policy_free(p);
		}
		l = e ? e + 1 : l + strlen(l);
	}
	if (r < 0)
		goto done;
	mg_sort(owned.v, owned.n, sizeof *owned.v, str_cmp);
	/* table grants whose two statements are there; a database grant with any of its tables */
	bool *in = calloc(rec.count + 1, sizeof *in);
	if (!in) {
		r = mg_oom();
		goto done;
	}
	for (size_t i = 0; i < rec.count; i++) {
		const mg_grant *g = &rec.items[i];
		char stem[26];
		if (!g->table)
			continue;
		mg_s3p_sid_stem(env, g->principal, g->product, g->table, stem);
		in[i] = owns(&owned, stem, "-get", g->principal) && owns(&owned, stem, "-list", g->principal);
	}
	for (size_t i = 0; i < rec.count; i++) {
		const mg_grant *g = &rec.items[i];
		if (g->table)
			continue;
		for (size_t k = 0; k < rec.count && !in[i]; k++)
			in[i] = in[k] && rec.items[k].table && strcmp(rec.items[k].principal, g->principal) == 0 &&
				strcmp(rec.items[k].product, g->product) == 0;
	}
	for (size_t i = 0; r == 0 && i < rec.count; i++)
		if (in[i])
			r = mg_grant_set_add(out, &rec.items[i]);
	free(in);
	if (r == 0)
		r = mg_grant_set_finish(out);
done:
	for (size_t i = 0; i < owned.n; i++)
		free(owned.v[i]);
	free(owned.v);
	mg_buf_release(&buckets);
	mg_grant_set_release(&rec);
	return r;
}

/* ---- session ---- */

static int s3p_begin(mg_backend *base, const char *environment)
{
	s3p *b = (s3p *)base;
	(void)environment;
	b->held_loaded = false;
	return ensure_client(b);
}

static int s3p_end(mg_backend *base)
{
	((s3p *)base)->held_loaded = false;
	return 0;
}

static void s3p_free(mg_backend *base)
{
	s3p *b = (s3p *)base;
	mg_grant_set_release(&b->held);
	mg_aws_client_free(b->aws);
	mg_backend_free(b->meta);
	free(b->environment);
	free(b->state_dir);
	free(b);
}

static const mg_backend s3p_backend = {
	.name = "s3-policy",
	.channels = MG_CHANNEL_BIT(MG_CHANNEL_IAM),
	.max_batch = S3P_MAX_BATCH,
	.begin = s3p_begin,
	.apply = s3p_apply,
	.probe = NULL, /* read_grants is one GetBucketPolicy per bucket */
	.read_grants = s3p_read,
	.end = s3p_end,
	.free = s3p_free,
};

int mg_backend_s3policy_create(mg_backend **out, const mg_backend_params *prm)
{
	s3p *b = calloc(1, sizeof *b);
	int r;
	*out = NULL;
	if (!b)
		return mg_oom();
	b->base = s3p_backend;
	mg_grant_set_init(&b->held);
	b->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	if ((r = mg_s3p_options_parse(prm->options, prm->config_path, NULL, &b->opt)) == 0 &&
	    !(b->state_dir = strdup(prm->state_dir)))
		r = mg_oom();
	if (r == 0)
		r = mg_backend_remote_state(prm, b->base.name, &b->environment, &b->meta);
	if (r < 0) {
		s3p_free(&b->base);
		return r;
	}
	*out = &b->base;
	return 0;
}

int mg_backend_s3policy_check(const mg_node *options, const char *path, mg_findings *findings)
{
	mg_s3p_options o;
	return mg_s3p_options_parse(options, path, findings, &o);
}
