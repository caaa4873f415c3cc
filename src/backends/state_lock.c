/*
 * state_lock.c - a lock every runner sees, for environments applied from
 * more than one machine (docs/meshgate.yaml.md, `state.lock`): an object in
 * S3, created with a conditional PUT (If-None-Match: *), so that of two
 * appliers only one creates it; the other reads who holds it.
 *
 * It wraps the environment's state store: lock() takes the store's own
 * lock, then the object; unlock() deletes the object, then unlocks the
 * store; lock_info() and force_unlock() see and break both, so `meshgate
 * unlock` treats a stale object like a stale local lock (same host and
 * process gone, or --other-host).  Everything else is the store's.
 *
 * The object's body is ours ({"holder","host","pid","since"}), but it is
 * read back from S3, so it is outside input: bounded, parsed by
 * mg_s3_lock_parse (fuzzed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backends/backends_int.h"
#include "meshgate/date.h"
#include "meshgate/error.h"
#include "meshgate/state.h"

#define LOCK_BODY_MAX 4096

/* ---- options and the body: plain C, built in every build ---- */

int mg_s3_lock_url_parse(const char *url, char *bucket, size_t bcap, char *prefix, size_t pcap)
{
	if (!url || strncmp(url, "s3://", 5) != 0)
		return MG_EINVALID;
	const char *b = url + 5, *slash = strchr(b, '/');
	size_t bn = slash ? (size_t)(slash - b) : strlen(b);
	/* bucket names: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit */
	if (bn < 3 || bn > 63 || bn >= bcap)
		return MG_EINVALID;
	for (size_t i = 0; i < bn; i++) {
		char c = b[i];
		bool edge = i == 0 || i == bn - 1;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!edge && (c == '.' || c == '-'))))
			return MG_EINVALID;
	}
	const char *p = slash ? slash + 1 : "";
	size_t pn = strlen(p);
	if (pn > 900 || pn >= pcap)
		return MG_EINVALID;
	for (size_t i = 0; i < pn; i++) {
		unsigned char c = (unsigned char)p[i];
		/* a key prefix meshgate can sign without surprises: no control bytes, no '?' or '#' */
		if (c < 0x21 || c == 0x7f || c == '?' || c == '#' || c == '\\')
			return MG_EINVALID;
	}
	if (pn && strstr(p, "//"))
		return MG_EINVALID;
	memcpy(bucket, b, bn);
	bucket[bn] = '\0';
	memcpy(prefix, p, pn);
	prefix[pn] = '\0';
	return 0;
}

static void copy_str(char *dst, size_t cap, const char *s)
{
	size_t n = 0;
	for (; s && s[n] && n + 1 < cap; n++)
		dst[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? '?' : s[n];
	dst[n] = '\0';
}

int mg_s3_lock_parse(const char *body, size_t len, mg_lock_info *out)
{
	mg_doc *doc = NULL;
	mg_doc_limits lim = { LOCK_BODY_MAX, 4, 0 };
	memset(out, 0, sizeof *out);
	if (len > LOCK_BODY_MAX) {
		mg_error_set("the lock object is %zu bytes, more than meshgate writes (%d)", len, LOCK_BODY_MAX);
		return MG_EPARSE;
	}
	if (mg_doc_parse_json(&doc, "lock", body, len, &lim, NULL) < 0 || !doc->root ||
	    doc->root->type != MG_NODE_OBJECT) {
		mg_doc_free(doc);
		mg_error_clear();
		mg_error_set("the lock object is not meshgate's (not a JSON object)");
		return MG_EPARSE;
	}
	const mg_node *pid = mg_obj_get(doc->root, "pid");
	const char *holder = mg_node_str(mg_obj_get(doc->root, "holder"));
	if (!holder) {
		mg_doc_free(doc);
		mg_error_set("the lock object is not meshgate's (no holder)");
		return MG_EPARSE;
	}
	copy_str(out->holder, sizeof out->holder, holder);
	copy_str(out->host, sizeof out->host, mg_node_str(mg_obj_get(doc->root, "host")));
	copy_str(out->since, sizeof out->since, mg_node_str(mg_obj_get(doc->root, "since")));
	if (pid && pid->type == MG_NODE_NUMBER && pid->u.number.is_integer && pid->u.number.value > 0 &&
	    pid->u.number.value < 1e9)
		out->pid = (long)pid->u.number.value;
	mg_doc_free(doc);
	return 0;
}

/* What `state.lock` may hold. */
typedef struct lock_options {
	const char *url, *region, *endpoint_url, *profile, *role_arn, *external_id, *sts_endpoint_url;
	char bucket[64], prefix[901];
} lock_options;

static int parse_options(const mg_node *lock, const char *path, mg_findings *findings, lock_options *o)
{
	mg_backend_reporter rp = { path, findings, 0 };
	int r = 0;
	memset(o, 0, sizeof *o);
	if (!lock || lock->type != MG_NODE_OBJECT)
		return mg_backend_problem(&rp, lock, "state.lock: an object with url: s3://bucket/prefix/");
	for (size_t i = 0; i < lock->u.object.count; i++) {
		const mg_member *m = &lock->u.object.members[i];
		const char *s = mg_node_str(m->value);
		if (mg_aws_secret_key(m->key)) {
			r = mg_backend_problem(&rp, m->value, "state.lock: credentials never go in meshgate.yaml ('%s'); "
					       "give a profile or a role, or use the environment", m->key);
			continue;
		}
		const char **slot = strcmp(m->key, "url") == 0		    ? &o->url
				    : strcmp(m->key, "region") == 0	    ? &o->region
				    : strcmp(m->key, "endpoint-url") == 0     ? &o->endpoint_url
				    : strcmp(m->key, "profile") == 0	    ? &o->profile
				    : strcmp(m->key, "role-arn") == 0	    ? &o->role_arn
				    : strcmp(m->key, "external-id") == 0      ? &o->external_id
				    : strcmp(m->key, "sts-endpoint-url") == 0 ? &o->sts_endpoint_url
									      : NULL;
		if (!slot) {
			r = mg_backend_problem(&rp, m->value, "state.lock: unknown option '%s' (url, region, endpoint-url, "
					       "profile, role-arn, external-id, sts-endpoint-url)", m->key);
			continue;
		}
		if (!s || !mg_backend_printable(s, 2048)) {
			r = mg_backend_problem(&rp, m->value, "state.lock: %s must be a string of printable characters",
					       m->key);
			continue;
		}
		*slot = s;
	}
	if (r < 0 && !findings)
		return r;
	if (!o->url)
		r = mg_backend_problem(&rp, lock, "state.lock: url is required (s3://bucket/prefix/)");
	else if (mg_s3_lock_url_parse(o->url, o->bucket, sizeof o->bucket, o->prefix, sizeof o->prefix) < 0)
		r = mg_backend_problem(&rp, mg_obj_get(lock, "url"),
				       "state.lock: url must be s3://BUCKET/PREFIX (a bucket name of 3-63 a-z, 0-9, '.', "
				       "'-'; a key prefix of at most 900 printable bytes)");
	if (o->region && !mg_aws_region_ok(o->region))
		r = mg_backend_problem(&rp, mg_obj_get(lock, "region"), "state.lock: '%s' is not a region name", o->region);
	if (o->role_arn && !mg_aws_role_arn_ok(o->role_arn))
		r = mg_backend_problem(&rp, mg_obj_get(lock, "role-arn"),
				       "state.lock: role-arn must be arn:aws:iam::ACCOUNT:role/NAME");
	if (o->endpoint_url && !mg_aws_endpoint_ok(o->endpoint_url))
		r = mg_backend_problem(&rp, mg_obj_get(lock, "endpoint-url"),
				       "state.lock: endpoint-url must be https://..., or http:// to a loopback address");
	if (o->sts_endpoint_url && !mg_aws_endpoint_ok(o->sts_endpoint_url))
		r = mg_backend_problem(&rp, mg_obj_get(lock, "sts-endpoint-url"),
				       "state.lock: sts-endpoint-url must be https://..., or http:// to a loopback address");
	return r < 0 ? r : rp.first; /* without findings: the first problem is the error */
}

int mg_state_lock_check_config(const mg_node *lock, const char *path, mg_findings *findings)
{
	lock_options o;
	return parse_options(lock, path, findings, &o);
}

/* ---- the wrapper ---- */

typedef struct {
	mg_state base;
	mg_state *inner;
	mg_aws_client *s3;
	lock_options opt;
	char where[1024]; /* s3://bucket/key of the environment's object, for messages */
	char key[1024];   /* the object's key path "/bucket/prefix<env>.lock" */
	char env[128];
	char owner[128]; /* the environment the wrapper is for, for the client's messages */
	char *copies[7];  /* opt's strings, copied from the config */
	bool held;
	char last_failure[400]; /* why the last conditional PUT was not answered, for the timeout */
	char etag[130];         /* the ETag of the object read_object last saw */
	/* what lock_info showed, so that force_unlock breaks only that: the object alone when
	 * another run holds it than the store's lock (each is judged by its own holder) */
	mg_lock_info mine; /* the body this run wrote, while held */
	enum { SHOWN_NOTHING, SHOWN_STORE, SHOWN_OBJECT } shown;
	mg_lock_info shown_object; /* the object lock_info saw (holder "" when absent) */
} s3_state;

static int object_path(s3_state *s, const char *env)
{
	/* environment names are folder names: printable, no '/' (the catalogue checks) */
	int n = snprintf(s->key, sizeof s->key, "/%s/%s%s.lock", s->opt.bucket, s->opt.prefix, env);
	int m = snprintf(s->where, sizeof s->where, "s3://%s/%s%s.lock", s->opt.bucket, s->opt.prefix, env);
	if (n < 0 || (size_t)n >= sizeof s->key || m < 0 || (size_t)m >= sizeof s->where || strchr(env, '/')) {
		mg_error_set("state.lock: the lock key for environment '%s' is too long", env);
		return MG_EINVALID;
	}
	return 0;
}

/*
 * The S3 client, made when the lock is first used: plan, drift and the
 * other readers of the state never touch the lock, so they need no AWS
 * region or credentials for it.
 */
static int ensure_client(s3_state *s)
{
	if (s->s3)
		return 0;
	char region[40];
	const char *reg = s->opt.region;
	int r;
	if (!reg) {
		if ((r = mg_aws_region_resolve(s->opt.profile, region, sizeof region)) < 0)
			return r;
		reg = region;
	}
	mg_aws_client_options co = { .service = "s3", .region = reg, .endpoint_url = s->opt.endpoint_url,
				      .profile = s->opt.profile, .role_arn = s->opt.role_arn,
				      .external_id = s->opt.external_id, .session_name = "meshgate-lock",
				      .sts_endpoint_url = s->opt.sts_endpoint_url };
	return mg_backend_aws_client(&s->s3, &co, "state.lock", s->owner);
}

static int call(s3_state *s, const char *method, const char *body, const char *if_none_match,
		const char *if_match, mg_aws_response *resp)
{
	mg_aws_call_input in;
	memset(&in, 0, sizeof in);
	in.protocol = MG_AWS_REST_XML;
	in.method = method;
	in.path = s->key;
	in.body = body;
	in.body_len = body ? strlen(body) : 0;
	in.content_type = body ? "application/json" : NULL;
	in.if_none_match = if_none_match;
	in.if_match = if_match;
	in.idempotent = if_none_match == NULL; /* a conditional create is decided by its answer */
	mg_aws_response_init(resp);
	int r = ensure_client(s);
	return r < 0 ? r : mg_aws_call(s->s3, &in, resp);
}

static int refused(s3_state *s, const char *doing, const mg_aws_response *resp)
{
	mg_error_set("state.lock (%s): %s: %s%s%s%s%s%s", s->where, doing,
		     resp->error_code[0] ? resp->error_code : "error", resp->message[0] ? ": " : "", resp->message,
		     resp->request_id[0] ? " (request id " : "", resp->request_id, resp->request_id[0] ? ")" : "");
	return MG_EBACKEND;
}

/* The object is not there (but the bucket is: NoSuchBucket is an error). */
static bool no_such_key(const mg_aws_response *resp)
{
	return strcmp(resp->error_code, "NoSuchKey") == 0 || (resp->http_status == 404 && !resp->error_code[0]);
}

/*
 * An idempotent call (GET, DELETE) once more when its answer was lost or
 * throttled: mg_aws_call retries what was refused before it took effect,
 * not an answer cut short after it.
 */
static int call_idempotent(s3_state *s, const char *method, const char *if_match, mg_aws_response *resp)
{
	int r = 0;
	for (int attempt = 0; attempt < 4; attempt++) {
		if (attempt)
			mg_aws_response_release(resp);
		r = call(s, method, NULL, NULL, if_match, resp);
		if (r < 0 || (resp->outcome != MG_AWS_UNKNOWN && resp->outcome != MG_AWS_RETRYABLE))
			break;
		struct timespec nap = { 0, (long)(100 + 200 * attempt) * 1000000L };
		nanosleep(&nap, NULL);
	}
	return r;
}

/* Reads the object: 1 present (info filled, its ETag in s->etag), 0 absent, <0 error. */
static int read_object(s3_state *s, mg_lock_info *info)
{
	mg_aws_response resp;
	int r = call_idempotent(s, "GET", NULL, &resp);
	s->etag[0] = '\0';
	if (r == 0 && resp.outcome == MG_AWS_OK) {
		snprintf(s->etag, sizeof s->etag, "%s", resp.etag);
		r = mg_s3_lock_parse(resp.body.ptr ? resp.body.ptr : "", resp.body.len, info);
		if (r < 0) {
			char why[256];
			snprintf(why, sizeof why, "%s", mg_error_last());
			mg_error_set("state.lock (%s): %s; if nothing else writes there, delete it or use another url",
				     s->where, why);
		}
		r = r < 0 ? r : 1;
	} else if (r == 0 && no_such_key(&resp))
		r = 0;
	else if (r == 0)
		r = refused(s, "reading the lock", &resp);
	mg_aws_response_release(&resp);
	return r;
}

/*
 * Deletes the object; with etag, only the object that read_object saw
 * (S3 answers 412 when it was replaced since): then 1, nothing deleted.
 * 0 deleted (or already gone), <0 error.
 */
static int delete_object(s3_state *s, const char *etag)
{
	mg_aws_response resp;
	int r = call_idempotent(s, "DELETE", etag && *etag ? etag : NULL, &resp);
	if (r == 0 && resp.outcome != MG_AWS_OK && !no_such_key(&resp)) {
		if (etag && *etag && (resp.http_status == 412 || strcmp(resp.error_code, "PreconditionFailed") == 0))
			r = 1;
		else
			r = refused(s, "removing the lock", &resp);
	}
	mg_aws_response_release(&resp);
	return r;
}

/* Whether two lock records are one run's (the store's lock and the object it took). */
static bool same_run(const mg_lock_info *x, const mg_lock_info *y)
{
	return x->pid == y->pid && strcmp(x->host, y->host) == 0 && strcmp(x->holder, y->holder) == 0;
}

/*
 * Removes the object this run took, unless it is no longer ours (broken
 * by 'meshgate unlock --force' and taken by another run): that run's lock
 * stays, and the caller hears that this run was not alone.
 */
static int release_object(s3_state *s)
{
	mg_lock_info now;
	int k = read_object(s, &now);
	if (k < 0)
		return k;
	s->held = false;
	if (k == 0)
		return 0;
	if (!same_run(&now, &s->mine)) {
		mg_error_set("state.lock (%s): this run's lock was broken while it ran and is now held by %s on %s "
			     "since %s: another run may have applied beside it; that lock is left alone (check both "
			     "runs, then 'meshgate drift')",
			     s->where, now.holder, now.host, now.since);
		return MG_ELOCKED;
	}
	/* only the object just read: one taken over between the read and the delete is left */
	int r = delete_object(s, s->etag);
	if (r == 1) {
		mg_error_set("state.lock (%s): this run's lock was broken and taken by another run as it ended: "
			     "another run may have applied beside it; that lock is left alone (check both runs, "
			     "then 'meshgate drift')", s->where);
		return MG_ELOCKED;
	}
	if (r < 0)
		s->held = true; /* not removed: it stays ours to remove */
	return r;
}

/* One attempt: 1 taken, 0 held by another (info filled), <0 error. */
static int try_take(s3_state *s, const char *holder, mg_lock_info *info)
{
	char host[128] = "", since[32];
	mg_buf body = MG_BUF_INIT;
	gethostname(host, sizeof host - 1);
	mg_timestamp_now(since);
	memset(&s->mine, 0, sizeof s->mine);
	copy_str(s->mine.holder, sizeof s->mine.holder, holder);
	copy_str(s->mine.host, sizeof s->mine.host, host);
	copy_str(s->mine.since, sizeof s->mine.since, since);
	s->mine.pid = (long)getpid();
	int r = mg_buf_adds(&body, "{\"holder\":");
	if (r == 0)
		r = mg_buf_add_json_string(&body, holder, strlen(holder));
	if (r == 0)
		r = mg_buf_adds(&body, ",\"host\":");
	if (r == 0)
		r = mg_buf_add_json_string(&body, host, strlen(host));
	if (r == 0)
		r = mg_buf_addf(&body, ",\"pid\":%ld,\"since\":\"%s\"}", (long)getpid(), since);
	if (r < 0) {
		mg_buf_release(&body);
		return r;
	}
	mg_aws_response resp;
	r = call(s, "PUT", body.ptr, "*", NULL, &resp);
	mg_buf_release(&body);
	if (r == 0) {
		if (resp.outcome == MG_AWS_OK)
			r = 1;
		else if (resp.http_status == 412 || strcmp(resp.error_code, "PreconditionFailed") == 0 ||
			 resp.http_status == 409 || strcmp(resp.error_code, "ConditionalRequestConflict") == 0) {
			/* held, or a create racing ours: see who holds it */
			int k = read_object(s, info);
			r = k < 0 ? k : 0;
			if (k == 0)
				memset(info, 0, sizeof *info); /* gone again: the caller tries once more */
		} else if (resp.outcome == MG_AWS_RETRYABLE || resp.outcome == MG_AWS_UNKNOWN) {
			/* maybe created: if the object is ours (this host and process), we hold it */
			snprintf(s->last_failure, sizeof s->last_failure, "%s%s%s",
				 resp.error_code[0] ? resp.error_code : "no answer", resp.message[0] ? ": " : "",
				 resp.message);
			int k = read_object(s, info);
			char me[128] = "";
			gethostname(me, sizeof me - 1);
			r = k < 0 ? k : (k == 1 && info->pid == (long)getpid() && strcmp(info->host, me) == 0) ? 1 : 0;
		} else
			r = refused(s, "taking the lock", &resp);
	}
	mg_aws_response_release(&resp);
	return r;
}

static int s3_lock(mg_state *base, const char *env, const char *holder, long timeout_ms, mg_lock_info *held_by)
{
	s3_state *s = (s3_state *)base;
	int r = s->inner->lock(s->inner, env, holder, timeout_ms, held_by);
	if (r < 0)
		return r;
	if ((r = object_path(s, env)) < 0) {
		s->inner->unlock(s->inner, env);
		return r;
	}
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	mg_lock_info info;
	for (;;) {
		memset(&info, 0, sizeof info);
		r = try_take(s, holder, &info);
		if (r == 1) {
			s->held = true;
			snprintf(s->env, sizeof s->env, "%s", env);
			return 0;
		}
		if (r < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited >= timeout_ms && info.holder[0]) {
			if (held_by)
				*held_by = info;
			mg_error_set("environment '%s' is locked by %s on %s since %s (%s); waited %ld ms "
				     "(if that run is gone, see 'meshgate unlock --force')",
				     env, info.holder, info.host, info.since, s->where, waited);
			r = MG_ELOCKED;
			break;
		}
		if (waited >= timeout_ms && waited >= 10000) {
			/* nobody holds it, but S3 would not create it (throttled, unavailable) */
			mg_error_set("state.lock (%s): could not take the lock in %ld ms: %s", s->where, waited,
				     s->last_failure[0] ? s->last_failure : "the object came and went");
			r = MG_EBACKEND;
			break;
		}
		struct timespec nap = { 0, 500 * 1000000L };
		nanosleep(&nap, NULL);
	}
	s->inner->unlock(s->inner, env);
	return r;
}

static int s3_unlock(mg_state *base, const char *env)
{
	s3_state *s = (s3_state *)base;
	int r = 0;
	if (s->held && strcmp(s->env, env) == 0 && (r = object_path(s, env)) == 0)
		r = release_object(s);
	int k = s->inner->unlock(s->inner, env);
	return r < 0 ? r : k;
}

/*
 * The store's lock, or the object when the store is not locked or another
 * run holds the object: breaking a stale local lock must not break a live
 * run's object on another host (that needs its own --other-host).
 */
static int s3_lock_info(mg_state *base, const char *env, bool *locked, mg_lock_info *info)
{
	s3_state *s = (s3_state *)base;
	mg_lock_info mine, obj;
	memset(&mine, 0, sizeof mine);
	s->shown = SHOWN_NOTHING;
	int r = s->inner->lock_info(s->inner, env, locked, &mine);
	if (r < 0)
		return r;
	if ((r = object_path(s, env)) < 0 || (r = read_object(s, &obj)) < 0)
		return r;
	if (r == 0)
		memset(&obj, 0, sizeof obj);
	s->shown_object = obj;
	if (*locked && (r == 0 || same_run(&mine, &obj))) {
		s->shown = SHOWN_STORE;
		if (info)
			*info = mine;
		return 0;
	}
	*locked = r == 1;
	s->shown = *locked ? SHOWN_OBJECT : SHOWN_NOTHING;
	if (info)
		*info = obj;
	return 0;
}

static int s3_force_unlock(mg_state *base, const char *env)
{
	s3_state *s = (s3_state *)base;
	int r = object_path(s, env);
	if (r == 0 && s->shown != SHOWN_NOTHING) {
		/* only the object that was shown: not one another runner took since */
		mg_lock_info now;
		int k = read_object(s, &now);
		if (k < 0)
			return k;
		if (k == 1 && !(s->shown_object.holder[0] && same_run(&now, &s->shown_object) &&
				strcmp(now.since, s->shown_object.since) == 0)) {
			mg_error_set("state.lock (%s): taken by %s on %s since %s after it was looked at; "
				     "not breaking it (run 'meshgate unlock' again)", s->where, now.holder, now.host,
				     now.since);
			return MG_ELOCKED;
		}
		r = k == 1 ? delete_object(s, s->etag) : 0;
		if (r == 1) {
			mg_error_set("state.lock (%s): taken by another run after it was looked at; not breaking it "
				     "(run 'meshgate unlock' again)", s->where);
			return MG_ELOCKED;
		}
	} else if (r == 0)
		r = delete_object(s, NULL);
	if (r < 0)
		return r;
	s->held = false;
	if (s->shown == SHOWN_OBJECT)
		return 0; /* the store's lock, if any, is another run's: judged on its own */
	return s->inner->force_unlock(s->inner, env);
}

/* The rest is the store's. */
static int s3_last_applied(mg_state *b, const char *env, mg_applied *out)
{
	return ((s3_state *)b)->inner->last_applied(((s3_state *)b)->inner, env, out);
}
static int s3_run_get(mg_state *b, const char *env, mg_run_info *out)
{
	return ((s3_state *)b)->inner->run_get(((s3_state *)b)->inner, env, out);
}
static int s3_run_start(mg_state *b, const char *env, const mg_run_info *run)
{
	return ((s3_state *)b)->inner->run_start(((s3_state *)b)->inner, env, run);
}
static int s3_journal_record(mg_state *b, const char *env, const mg_op *ops, const mg_op_result *res, size_t n)
{
	return ((s3_state *)b)->inner->journal_record(((s3_state *)b)->inner, env, ops, res, n);
}
static int s3_journal_done(mg_state *b, const char *env, const char *key, bool *done)
{
	return ((s3_state *)b)->inner->journal_done(((s3_state *)b)->inner, env, key, done);
}
static int s3_run_finish(mg_state *b, const char *env)
{
	return ((s3_state *)b)->inner->run_finish(((s3_state *)b)->inner, env);
}
static int s3_environments(mg_state *b, char ***out, size_t *n)
{
	return ((s3_state *)b)->inner->environments(((s3_state *)b)->inner, out, n);
}

static void s3_free(mg_state *base)
{
	s3_state *s = (s3_state *)base;
	if (s->held) {
		/* a run that ends without unlocking (an error path): leave nothing of ours behind */
		if (object_path(s, s->env) == 0)
			release_object(s);
		mg_error_clear();
	}
	mg_aws_client_free(s->s3);
	mg_state_free(s->inner);
	for (size_t i = 0; i < sizeof s->copies / sizeof s->copies[0]; i++)
		free(s->copies[i]);
	free(s);
}

int mg_state_lock_wrap(mg_state **out, mg_state *inner, const mg_node *lock, const char *environment)
{
	s3_state *s = calloc(1, sizeof *s);
	int r;
	*out = NULL;
	if (!s) {
		mg_state_free(inner);
		return mg_oom();
	}
	s->inner = inner;
	if ((r = parse_options(lock, "meshgate.yaml", NULL, &s->opt)) < 0)
		goto fail;
	snprintf(s->owner, sizeof s->owner, "%s", environment ? environment : "");
	/* the client is made later (ensure_client): its options must not point into the config */
	const char **own[] = { &s->opt.url, &s->opt.region, &s->opt.endpoint_url, &s->opt.profile,
			       &s->opt.role_arn, &s->opt.external_id, &s->opt.sts_endpoint_url };
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (*own[i]) {
			if (!(s->copies[i] = strdup(*own[i]))) {
				r = mg_oom();
				goto fail;
			}
			*own[i] = s->copies[i];
		}
	s->base.lock = s3_lock;
	s->base.unlock = s3_unlock;
	s->base.lock_info = s3_lock_info;
	s->base.force_unlock = s3_force_unlock;
	s->base.last_applied = s3_last_applied;
	s->base.run_get = s3_run_get;
	s->base.run_start = s3_run_start;
	s->base.journal_record = s3_journal_record;
	s->base.journal_done = s3_journal_done;
	s->base.run_finish = s3_run_finish;
	s->base.environments = s3_environments;
	s->base.free = s3_free;
	*out = &s->base;
	return 0;
fail:
	mg_aws_client_free(s->s3);
	mg_state_free(s->inner);
	for (size_t i = 0; i < sizeof s->copies / sizeof s->copies[0]; i++)
		free(s->copies[i]);
	free(s);
	return r;
}

