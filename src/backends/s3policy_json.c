/*
 * s3policy_json.c - what the s3-policy backend reads and writes (see
 * s3policy_int.h): S3 locations, the Sids and statements meshgate owns,
 * and bucket policy documents merged per Sid.  A policy's other
 * statements are carried over as they were read; only statements whose
 * Sid a change names are replaced or removed.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/s3policy_int.h"
#include "meshgate/aws.h"
#include "meshgate/error.h"
#include "meshgate/sort.h"

struct mg_s3p_policy {
	cJSON *root;  /* the document (an object); NULL for an empty policy */
	cJSON *stmts; /* its statements as an array (owned by root, or by `wrapped`) */
	cJSON *wrapped; /* a lone Statement object wrapped in an array, or NULL */
};

/* ---- locations ---- */

static bool bucket_ok(const char *b, size_t n)
{
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' || b[i] == '-'))
			return false;
	return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

int mg_s3p_location_parse(const char *location, mg_s3p_location *out)
{
	memset(out, 0, sizeof *out);
	if (!location || strncmp(location, "s3://", 5) != 0) {
		mg_error_set("the location '%.200s' is not s3://bucket/prefix", location ? location : "");
		return MG_EINVALID;
	}
	const char *b = location + 5, *slash = strchr(b, '/');
	size_t bn = slash ? (size_t)(slash - b) : strlen(b);
	if (!bucket_ok(b, bn)) {
		mg_error_set("the location '%.200s' does not name an S3 bucket (3 to 63 of a-z, 0-9, '.', '-')", location);
		return MG_EINVALID;
	}
	memcpy(out->bucket, b, bn);
	const char *p = slash ? slash + 1 : "";
	size_t pn = strlen(p);
	while (pn && p[pn - 1] == '/')
		pn--;
	if (pn >= sizeof out->prefix) {
		mg_error_set("the prefix of location '%.100s...' is longer than %zu bytes", location, sizeof out->prefix - 1);
		return MG_EINVALID;
	}
	for (size_t i = 0; i < pn; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch < 0x20 || ch == 0x7f || ch == '*' || ch == '?' || (ch == '/' && (i == 0 || p[i - 1] == '/'))) {
			mg_error_set("the prefix of location '%.200s' has a wildcard, a control character or an empty "
				     "segment: raw reads are granted on exact prefixes only", location);
			return MG_EINVALID;
		}
	}
	memcpy(out->prefix, p, pn);
	return 0;
}

/* ---- Sids and statements ---- */

void mg_s3p_sid_stem(const char *environment, const char *principal, const char *product, const char *table,
		     char out[26])
{
	mg_buf b = MG_BUF_INIT;
	char hex[65];
	const char *parts[] = { environment ? environment : "", principal ? principal : "", product ? product : "",
				table ? table : "" };
	for (size_t i = 0; i < 4; i++)
		if (mg_buf_add(&b, parts[i], strlen(parts[i]) + 1) < 0)
			break; /* out of memory: hash what fits (still deterministic for this input) */
	mg_aws_sha256_hex(b.ptr, b.len, hex);
	mg_buf_release(&b);
	snprintf(out, 26, MG_S3P_SID_PREFIX "%.16s", hex);
}

static bool add_string(cJSON *arr, const char *v)
{
	cJSON *x = cJSON_CreateString(v);
	if (x && cJSON_AddItemToArray(arr, x))
		return true;
	cJSON_Delete(x);
	return false;
}

static cJSON *statement(const char *sid, const char *principal, const char *action, const char *resource,
			const char *list_prefix)
{
	cJSON *s = cJSON_CreateObject(), *pr = NULL, *cond = NULL, *like = NULL, *pfx = NULL;
	if (!s || !cJSON_AddStringToObject(s, "Sid", sid) || !cJSON_AddStringToObject(s, "Effect", "Allow") ||
	    !(pr = cJSON_AddObjectToObject(s, "Principal")) || !cJSON_AddStringToObject(pr, "AWS", principal) ||
	    !cJSON_AddStringToObject(s, "Action", action) || !cJSON_AddStringToObject(s, "Resource", resource))
		goto fail;
	if (list_prefix) {
		if (!(cond = cJSON_AddObjectToObject(s, "Condition")) || !(like = cJSON_AddObjectToObject(cond, "StringLike")) ||
		    !(pfx = cJSON_AddArrayToObject(like, "s3:prefix")))
			goto fail;
		mg_buf a = MG_BUF_INIT;
		bool ok = mg_buf_addf(&a, "%s/*", list_prefix) == 0 && add_string(pfx, list_prefix) && add_string(pfx, a.ptr);
		mg_buf_release(&a);
		if (!ok)
			goto fail;
	}
	return s;
fail:
	cJSON_Delete(s);
	return NULL;
}

int mg_s3p_changes_for(const char *stem, const char *principal, const mg_s3p_location *loc, mg_s3p_change out[2])
{
	memset(out, 0, 2 * sizeof *out);
	snprintf(out[0].sid, sizeof out[0].sid, "%s-get", stem);
	snprintf(out[1].sid, sizeof out[1].sid, "%s-list", stem);
	if (!principal || !loc)
		return 0;
	mg_buf objects = MG_BUF_INIT, bucket = MG_BUF_INIT;
	cJSON *get = NULL, *list = NULL;
	int r = 0;
	if (mg_buf_addf(&objects, "arn:aws:s3:::%s/%s%s*", loc->bucket, loc->prefix, loc->prefix[0] ? "/" : "") < 0 ||
	    mg_buf_addf(&bucket, "arn:aws:s3:::%s", loc->bucket) < 0 ||
	    !(get = statement(out[0].sid, principal, "s3:GetObject", objects.ptr, NULL)) ||
	    !(list = statement(out[1].sid, principal, "s3:ListBucket", bucket.ptr, loc->prefix[0] ? loc->prefix : NULL)) ||
	    !(out[0].stmt_json = cJSON_PrintUnformatted(get)) || !(out[1].stmt_json = cJSON_PrintUnformatted(list))) {
		mg_s3p_change_release(&out[0]);
		mg_s3p_change_release(&out[1]);
		r = mg_oom();
	}
	cJSON_Delete(get);
	cJSON_Delete(list);
	mg_buf_release(&objects);
	mg_buf_release(&bucket);
	return r;
}

void mg_s3p_change_release(mg_s3p_change *c)
{
	if (c->stmt_json)
		cJSON_free(c->stmt_json);
	c->stmt_json = NULL;
}

/* ---- policies ---- */

static int bad_policy(const char *why)
{
	mg_error_set("the bucket policy is not one meshgate can merge into: %s", why);
	return MG_EPARSE;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * True when an object anywhere in j has a key twice: such a document has
 * no one meaning (cJSON keeps both; S3 takes one), so it is not merged.
 */
static int has_duplicate_key(const cJSON *j, bool *dup)
{
	size_t n = 0, k = 0;
	for (const cJSON *e = j->child; e; e = e->next) {
		n++;
		if ((cJSON_IsObject(e) || cJSON_IsArray(e)) && has_duplicate_key(e, dup) < 0)
			return MG_ENOMEM;
		if (*dup)
			return 0;
	}
	if (!cJSON_IsObject(j) || n < 2)
		return 0;
	const char **keys = malloc(n * sizeof *keys);
	if (!keys)
		return mg_oom();
	for (const cJSON *e = j->child; e; e = e->next)
		keys[k++] = e->string ? e->string : "";
	mg_sort(keys, n, sizeof *keys, cmp_key);
	for (size_t i = 1; i < n && !*dup; i++)
		*dup = strcmp(keys[i - 1], keys[i]) == 0;
	free(keys);
	return 0;
}

int mg_s3p_policy_parse(const char *text, size_t len, mg_s3p_policy **out)
{
	mg_s3p_policy *p;
	*out = NULL;
	if (len > MG_S3P_READ_MAX)
		return bad_policy("it is longer than 64 KiB");
	if (!(p = calloc(1, sizeof *p)))
		return mg_oom();
	size_t n = len;
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == '\t'))
		n--;
	size_t s = 0;
	while (s < n && (text[s] == ' ' || text[s] == '\n' || text[s] == '\r' || text[s] == '\t'))
		s++;
	if (s == n) {
		*out = p;
		return 0;
	}
	const char *end = NULL;
	p->root = cJSON_ParseWithLengthOpts(text + s, n - s, &end, false);
	if (!p->root || !end || end != text + n) {
		mg_s3p_policy_free(p);
		return bad_policy("it is not JSON");
	}
	if (!cJSON_IsObject(p->root)) {
		mg_s3p_policy_free(p);
		return bad_policy("it is not a JSON object");
	}
	bool dup = false;
	if (has_duplicate_key(p->root, &dup) < 0) {
		mg_s3p_policy_free(p);
		return MG_ENOMEM;
	}
	if (dup) {
		mg_s3p_policy_free(p);
		return bad_policy("an object in it has the same key twice");
	}
	cJSON *st = cJSON_GetObjectItemCaseSensitive(p->root, "Statement");
	if (!st) {
		if (!(st = cJSON_AddArrayToObject(p->root, "Statement"))) {
			mg_s3p_policy_free(p);
			return mg_oom();
		}
	} else if (cJSON_IsObject(st)) {
		cJSON *arr = cJSON_CreateArray(), *copy = cJSON_Duplicate(st, true);
		if (!arr || !copy || !cJSON_AddItemToArray(arr, copy)) {
			cJSON_Delete(arr);
			cJSON_Delete(copy);
			mg_s3p_policy_free(p);
			return mg_oom();
		}
		p->wrapped = arr;
		st = arr;
	} else if (!cJSON_IsArray(st)) {
		mg_s3p_policy_free(p);
		return bad_policy("its Statement is neither an object nor an array");
	}
	size_t count = 0;
	for (cJSON *e = st->child; e; e = e->next) {
		if (!cJSON_IsObject(e)) {
			mg_s3p_policy_free(p);
			return bad_policy("a statement is not an object");
		}
		if (++count > MG_S3P_STATEMENTS_MAX) {
			mg_s3p_policy_free(p);
			return bad_policy("it has more than 4096 statements");
		}
		cJSON *sid = cJSON_GetObjectItemCaseSensitive(e, "Sid");
		if (sid && !cJSON_IsString(sid)) {
			mg_s3p_policy_free(p);
			return bad_policy("a statement's Sid is not a string");
		}
	}
	p->stmts = st;
	*out = p;
	return 0;
}

void mg_s3p_policy_free(mg_s3p_policy *p)
{
	if (!p)
		return;
	cJSON_Delete(p->root);
	cJSON_Delete(p->wrapped);
	free(p);
}

size_t mg_s3p_policy_count(const mg_s3p_policy *p)
{
	size_t n = 0;
	for (const cJSON *e = p && p->stmts ? p->stmts->child : NULL; e; e = e->next)
		n++;
	return n;
}

static const char *sid_of(const cJSON *stmt)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(stmt, "Sid");
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static const cJSON *find_sid(const mg_s3p_policy *p, const char *sid)
{
	for (const cJSON *e = p && p->stmts ? p->stmts->child : NULL; e; e = e->next) {
		const char *s = sid_of(e);
		if (s && strcmp(s, sid) == 0)
			return e;
	}
	return NULL;
}

bool mg_s3p_policy_has(const mg_s3p_policy *p, const char *sid, const char *stmt_json)
{
	const cJSON *e = find_sid(p, sid);
	if (!e || !stmt_json)
		return e != NULL;
	cJSON *want = cJSON_Parse(stmt_json);
	bool same = want && cJSON_Compare(e, want, true);
	cJSON_Delete(want);
	return same;
}

static bool changed(const char *sid, const mg_s3p_change *changes, size_t n)
{
	for (size_t i = 0; sid && i < n; i++)
		if (strcmp(changes[i].sid, sid) == 0)
			return true;
	return false;
}

bool mg_s3p_policy_keeps(const mg_s3p_policy *p, const mg_s3p_policy *of, const mg_s3p_change *changes, size_t n)
{
	for (const cJSON *e = of && of->stmts ? of->stmts->child : NULL; e; e = e->next) {
		if (changed(sid_of(e), changes, n))
			continue;
		bool found = false;
		for (const cJSON *f = p && p->stmts ? p->stmts->child : NULL; f && !found; f = f->next)
			found = cJSON_Compare(e, f, true);
		if (!found)
			return false;
	}
	return true;
}

bool mg_s3p_policy_reflects(const mg_s3p_policy *p, const mg_s3p_change *changes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool has = mg_s3p_policy_has(p, changes[i].sid, changes[i].stmt_json);
		if (changes[i].stmt_json ? !has : mg_s3p_policy_has(p, changes[i].sid, NULL))
			return false;
	}
	return true;
}

int mg_s3p_policy_merge(const mg_s3p_policy *p, const mg_s3p_change *changes, size_t n, const char *bucket,
			mg_buf *out, size_t *statements)
{
	cJSON *doc = p && p->root ? cJSON_Duplicate(p->root, true) : cJSON_CreateObject();
	cJSON *arr = cJSON_CreateArray();
	char *text = NULL;
	int r = 0;
	*statements = 0;
	if (!doc || !arr) {
		r = mg_oom();
		goto done;
	}
	if (!cJSON_GetObjectItemCaseSensitive(doc, "Version") && !cJSON_AddStringToObject(doc, "Version", "2012-10-17")) {
		r = mg_oom();
		goto done;
	}
	for (const cJSON *e = p && p->stmts ? p->stmts->child : NULL; e; e = e->next) {
		if (changed(sid_of(e), changes, n))
			continue;
		cJSON *c = cJSON_Duplicate(e, true);
		if (!c || !cJSON_AddItemToArray(arr, c)) {
			cJSON_Delete(c);
			r = mg_oom();
			goto done;
		}
		(*statements)++;
	}
	for (size_t i = 0; i < n; i++) {
		if (!changes[i].stmt_json)
			continue;
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(changes[k].sid, changes[i].sid) == 0 && changes[k].stmt_json;
		if (dup)
			continue;
		cJSON *c = cJSON_Parse(changes[i].stmt_json);
		if (!c || !cJSON_AddItemToArray(arr, c)) {
			cJSON_Delete(c);
			r = mg_oom();
			goto done;
		}
		(*statements)++;
	}
	if (!cJSON_ReplaceItemInObjectCaseSensitive(doc, "Statement", arr)) {
		if (!cJSON_AddItemToObject(doc, "Statement", arr)) {
			r = mg_oom();
			goto done;
		}
	}
	arr = NULL; /* owned by doc */
	if (!(text = cJSON_PrintUnformatted(doc))) {
		r = mg_oom();
		goto done;
	}
	size_t len = strlen(text);
	if (len > MG_S3P_POLICY_MAX) {
		mg_error_set("the policy of bucket '%s' would be %zu bytes, over S3's limit of %d (20 KiB): "
			     "nothing was written", bucket, len, MG_S3P_POLICY_MAX);
		r = MG_ETOOBIG;
		goto done;
	}
	if (mg_buf_add(out, text, len) < 0)
		r = mg_oom();
done:
	if (text)
		cJSON_free(text);
	cJSON_Delete(arr);
	cJSON_Delete(doc);
	return r;
}

int mg_s3p_policy_owned(const mg_s3p_policy *p, int (*fn)(void *ctx, const char *sid, const char *principal),
			void *ctx)
{
	for (const cJSON *e = p && p->stmts ? p->stmts->child : NULL; e; e = e->next) {
		const char *sid = sid_of(e);
		if (!sid || strncmp(sid, MG_S3P_SID_PREFIX, strlen(MG_S3P_SID_PREFIX)) != 0)
			continue;
		const cJSON *pr = cJSON_GetObjectItemCaseSensitive(e, "Principal");
		const cJSON *aws = cJSON_IsObject(pr) ? cJSON_GetObjectItemCaseSensitive(pr, "AWS") : NULL;
		int r = fn(ctx, sid, cJSON_IsString(aws) ? aws->valuestring : "");
		if (r)
			return r;
	}
	return 0;
}
