/*
 * lakeformation_json.c - what the lakeformation backend sends and reads
 * (see lakeformation_int.h): the entries of BatchGrantPermissions /
 * BatchRevokePermissions, ListPermissions pages, and their answers.  Field
 * names are the Lake Formation API model's (2017-03-31); the unit test
 * checks the bodies against that model.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backends/lakeformation_int.h"
#include "meshgate/error.h"

static int add_key_str(mg_buf *b, const char *key, const char *value)
{
	int r = mg_buf_addf(b, "\"%s\":", key);
	return r < 0 ? r : mg_buf_add_json_string(b, value, strlen(value));
}

static int add_names(mg_buf *b, const char *key, const char *const *names, size_t n)
{
	int r = mg_buf_addf(b, "\"%s\":[", key);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (i)
			r = mg_buf_addc(b, ',');
		if (r == 0)
			r = mg_buf_add_json_string(b, names[i], strlen(names[i]));
	}
	return r < 0 ? r : mg_buf_addc(b, ']');
}

static int add_resource(mg_buf *b, const char *catalog_id, const mg_lf_entry *e)
{
	int r;
	switch (e->target) {
	case MG_LF_DATABASE:
		if ((r = mg_buf_adds(b, "{\"Database\":{")) < 0 || (r = add_key_str(b, "CatalogId", catalog_id)) < 0 ||
		    (r = mg_buf_addc(b, ',')) < 0 || (r = add_key_str(b, "Name", e->database)) < 0)
			return r;
		return mg_buf_adds(b, "}}");
	case MG_LF_TABLE:
	case MG_LF_TABLE_COLUMNS:
		if ((r = mg_buf_adds(b, e->target == MG_LF_TABLE ? "{\"Table\":{" : "{\"TableWithColumns\":{")) < 0 ||
		    (r = add_key_str(b, "CatalogId", catalog_id)) < 0 || (r = mg_buf_addc(b, ',')) < 0 ||
		    (r = add_key_str(b, "DatabaseName", e->database)) < 0 || (r = mg_buf_addc(b, ',')) < 0 ||
		    (r = add_key_str(b, "Name", e->table)) < 0)
			return r;
		if (e->target == MG_LF_TABLE_COLUMNS) {
			if (e->except)
				r = mg_buf_adds(b, ",\"ColumnWildcard\":{");
			else
				r = mg_buf_addc(b, ',');
			if (r == 0)
				r = add_names(b, e->except ? "ExcludedColumnNames" : "ColumnNames", e->columns, e->ncolumns);
			if (r == 0 && e->except)
				r = mg_buf_addc(b, '}');
		}
		return r < 0 ? r : mg_buf_adds(b, "}}");
	}
	return MG_EINVALID;
}

int mg_lf_batch_body(const char *catalog_id, const mg_lf_entry *entries, size_t n, mg_buf *out)
{
	if (n > MG_LF_BATCH_ENTRIES) {
		mg_error_set("lakeformation: a batch takes at most %d entries, not %zu", MG_LF_BATCH_ENTRIES, n);
		return MG_EINVALID;
	}
	int r = mg_buf_addc(out, '{');
	if (r == 0)
		r = add_key_str(out, "CatalogId", catalog_id);
	if (r == 0)
		r = mg_buf_adds(out, ",\"Entries\":[");
	for (size_t i = 0; r == 0 && i < n; i++) {
		const mg_lf_entry *e = &entries[i];
		const char *perm = e->perms == (MG_PERM_SELECT | MG_PERM_DESCRIBE) ? "\"SELECT\",\"DESCRIBE\""
				   : e->perms == MG_PERM_SELECT			  ? "\"SELECT\""
										  : "\"DESCRIBE\"";
		if ((r = mg_buf_addf(out, "%s{\"Id\":\"e%zu\",\"Principal\":{", i ? "," : "", i)) < 0 ||
		    (r = add_key_str(out, "DataLakePrincipalIdentifier", e->principal)) < 0 ||
		    (r = mg_buf_adds(out, "},\"Resource\":")) < 0 ||
		    (r = e->resource_json ? mg_buf_adds(out, e->resource_json) : add_resource(out, catalog_id, e)) < 0)
			break;
		r = mg_buf_addf(out, ",\"Permissions\":[%s],\"PermissionsWithGrantOption\":[]}", perm);
	}
	return r < 0 ? r : mg_buf_adds(out, "]}");
}

int mg_lf_list_body(const char *catalog_id, const char *resource_type, const char *next_token, mg_buf *out)
{
	int r = mg_buf_addc(out, '{');
	if (r == 0)
		r = add_key_str(out, "CatalogId", catalog_id);
	if (r == 0)
		r = mg_buf_addc(out, ',');
	if (r == 0)
		r = add_key_str(out, "ResourceType", resource_type);
	if (r == 0)
		r = mg_buf_adds(out, ",\"MaxResults\":1000");
	if (r == 0 && next_token && *next_token) {
		if ((r = mg_buf_addc(out, ',')) == 0)
			r = add_key_str(out, "NextToken", next_token);
	}
	return r < 0 ? r : mg_buf_addc(out, '}');
}

/* ---- answers ---- */

static int bad_shape(const char *what)
{
	mg_error_set("lakeformation: the answer is not what the API returns (%s)", what);
	return MG_EPARSE;
}

static void copy_str(char *dst, size_t cap, const cJSON *s)
{
	const char *v = cJSON_IsString(s) ? s->valuestring : "";
	size_t n = strlen(v);
	if (n >= cap)
		n = cap - 1;
	/* keep it one printable line: the message is shown and journalled */
	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? ' ' : v[i];
	dst[n] = '\0';
}

int mg_lf_batch_failures(const char *body, size_t len, size_t n, mg_lf_failure *failures, size_t *nfail)
{
	*nfail = 0;
	cJSON *root = cJSON_ParseWithLength(body, len);
	int r = 0;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return bad_shape("not a JSON object");
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "Failures");
	if (list && !cJSON_IsArray(list) && !cJSON_IsNull(list))
		r = bad_shape("Failures is not a list");
	const cJSON *f;
	const cJSON *items = cJSON_IsArray(list) ? list : NULL;
	cJSON_ArrayForEach(f, items)
	{
		const cJSON *entry = cJSON_GetObjectItemCaseSensitive(f, "RequestEntry");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "Id");
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(f, "Error");
		char *end = NULL;
		if (!cJSON_IsString(id) || id->valuestring[0] != 'e' || id->valuestring[1] < '0' ||
		    id->valuestring[1] > '9') {
			r = bad_shape("a failure without the Id of an entry");
			break;
		}
		unsigned long k = strtoul(id->valuestring + 1, &end, 10);
		if (*end || k >= n) {
			r = bad_shape("a failure for an entry that was not sent");
			break;
		}
		bool seen = false;
		for (size_t i = 0; i < *nfail; i++)
			seen |= failures[i].entry == (size_t)k;
		if (seen)
			continue;
		mg_lf_failure *out = &failures[(*nfail)++];
		out->entry = (size_t)k;
		copy_str(out->code, sizeof out->code, cJSON_GetObjectItemCaseSensitive(err, "ErrorCode"));
		copy_str(out->message, sizeof out->message, cJSON_GetObjectItemCaseSensitive(err, "ErrorMessage"));
		if (!out->code[0])
			snprintf(out->code, sizeof out->code, "UnknownError");
	}
	cJSON_Delete(root);
	return r;
}

bool mg_lf_failure_is_absent(const mg_lf_failure *f)
{
	/* "No permissions revoked. Grantee has no permissions and no grantable permissions on resource." */
	return strcmp(f->code, "InvalidInputException") == 0 && strstr(f->message, "No permissions revoked") != NULL;
}

bool mg_lf_failure_is_unknown_principal(const mg_lf_failure *f)
{
	if (strcmp(f->code, "InvalidInputException") != 0)
		return false;
	/* "Invalid principal", "Grantee principal is invalid" - matched without regard to case */
	static const char *const says[] = { "invalid principal", "principal is invalid" };
	for (size_t i = 0; i < sizeof says / sizeof says[0]; i++) {
		size_t n = strlen(says[i]);
		for (const char *p = f->message; *p; p++)
			if (strncasecmp(p, says[i], n) == 0)
				return true;
	}
	return false;
}

mg_op_status mg_lf_failure_status(const mg_lf_failure *f)
{
	if (mg_lf_failure_is_unknown_principal(f))
		return MG_OP_RETRYABLE; /* IAM's eventual consistency: the executor's bounded retries */
	static const char *const retryable[] = { "ConcurrentModificationException", "ThrottlingException",
						 "InternalServiceException", "OperationTimeoutException",
						 "TooManyRequestsException", "ServiceUnavailableException" };
	for (size_t i = 0; i < sizeof retryable / sizeof retryable[0]; i++)
		if (strcmp(f->code, retryable[i]) == 0)
			return MG_OP_RETRYABLE;
	return MG_OP_FAILED;
}

/* ---- ListPermissions ---- */

#define NAME_MAX_BYTES 1024
#define RESOURCE_MAX_BYTES (64 * 1024)
#define COLUMNS_MAX 4096

static int dup_name(const cJSON *s, char **out)
{
	*out = NULL;
	if (!cJSON_IsString(s) || !s->valuestring[0])
		return bad_shape("a name that is not a string");
	if (strlen(s->valuestring) > NAME_MAX_BYTES) {
		mg_error_set("lakeformation: a name in the answer is longer than %d bytes", NAME_MAX_BYTES);
		return MG_ETOOBIG;
	}
	return (*out = strdup(s->valuestring)) ? 0 : mg_oom();
}

static void held_free(mg_lf_held *h)
{
	free(h->resource_json);
	free(h->principal);
	free(h->database);
	free(h->table);
	for (size_t i = 0; i < h->ncolumns; i++)
		free(h->columns[i]);
	free(h->columns);
	memset(h, 0, sizeof *h);
}

void mg_lf_held_release(mg_lf_held_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		held_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static unsigned perms_of(const cJSON *list)
{
	unsigned p = 0;
	const cJSON *x;
	const cJSON *items = cJSON_IsArray(list) ? list : NULL;
	cJSON_ArrayForEach(x, items)
	{
		const char *s = cJSON_IsString(x) ? x->valuestring : "";
		if (strcmp(s, "SELECT") == 0)
			p |= MG_PERM_SELECT;
		else if (strcmp(s, "DESCRIBE") == 0)
			p |= MG_PERM_DESCRIBE;
		else if (strcmp(s, "ALL") == 0)
			p |= MG_PERM_SELECT | MG_PERM_DESCRIBE;
	}
	return p;
}

static int read_columns(const cJSON *names, mg_lf_held *h)
{
	int n = cJSON_IsArray(names) ? cJSON_GetArraySize(names) : 0;
	if (names && !cJSON_IsArray(names))
		return bad_shape("column names that are not a list");
	if (n > COLUMNS_MAX) {
		mg_error_set("lakeformation: a permission in the answer names more than %d columns", COLUMNS_MAX);
		return MG_ETOOBIG;
	}
	if (!(h->columns = calloc((size_t)n + 1, sizeof *h->columns)))
		return mg_oom();
	const cJSON *c;
	cJSON_ArrayForEach(c, names)
	{
		int r = dup_name(c, &h->columns[h->ncolumns]);
		if (r < 0)
			return r;
		h->ncolumns++;
	}
	return 0;
}

/* One PrincipalResourcePermissions item into h; 1 when it is not something meshgate manages. */
static int read_item(const cJSON *item, mg_lf_held *h)
{
	const cJSON *principal = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(item, "Principal"), "DataLakePrincipalIdentifier");
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(item, "Resource");
	const cJSON *db = cJSON_GetObjectItemCaseSensitive(res, "Database");
	const cJSON *table = cJSON_GetObjectItemCaseSensitive(res, "Table");
	const cJSON *twc = cJSON_GetObjectItemCaseSensitive(res, "TableWithColumns");
	int r;
	if (!cJSON_IsObject(item) || !cJSON_IsObject(res))
		return bad_shape("a permission without a resource");
	h->perms = perms_of(cJSON_GetObjectItemCaseSensitive(item, "Permissions"));
	if (!h->perms || !cJSON_IsString(principal))
		return 1;
	/* the resource as the service wrote it: a revoke names exactly that */
	if (!(h->resource_json = cJSON_PrintUnformatted(res)))
		return mg_oom();
	if (strlen(h->resource_json) > RESOURCE_MAX_BYTES) {
		mg_error_set("lakeformation: a resource in the answer is longer than %d bytes", RESOURCE_MAX_BYTES);
		return MG_ETOOBIG;
	}
	if ((r = dup_name(principal, &h->principal)) < 0)
		return r;
	if (cJSON_IsObject(db)) {
		h->perms &= MG_PERM_DESCRIBE; /* SELECT on a database means nothing to meshgate */
		if (!h->perms)
			return 1;
		h->target = MG_LF_DATABASE;
		return dup_name(cJSON_GetObjectItemCaseSensitive(db, "Name"), &h->database);
	}
	const cJSON *t = cJSON_IsObject(twc) ? twc : table;
	if (!cJSON_IsObject(t))
		return 1; /* data locations, catalogs, LF-tags */
	if (cJSON_GetObjectItemCaseSensitive(t, "TableWildcard"))
		return 1; /* all tables of a database: not a grant meshgate makes (drift does not judge it) */
	if ((r = dup_name(cJSON_GetObjectItemCaseSensitive(t, "DatabaseName"), &h->database)) < 0 ||
	    (r = dup_name(cJSON_GetObjectItemCaseSensitive(t, "Name"), &h->table)) < 0)
		return r;
	h->target = t == twc ? MG_LF_TABLE_COLUMNS : MG_LF_TABLE;
	if (t == twc) {
		const cJSON *wild = cJSON_GetObjectItemCaseSensitive(twc, "ColumnWildcard");
		if (wild) {
			h->except = true;
			return read_columns(cJSON_GetObjectItemCaseSensitive(wild, "ExcludedColumnNames"), h);
		}
		return read_columns(cJSON_GetObjectItemCaseSensitive(twc, "ColumnNames"), h);
	}
	return 0;
}

bool mg_lf_held_all_columns(const mg_lf_held *h)
{
	return h->target == MG_LF_TABLE || (h->except && h->ncolumns == 0);
}

int mg_lf_list_parse(const char *body, size_t len, mg_lf_held_list *out, char *next, size_t next_cap)
{
	next[0] = '\0';
	cJSON *root = cJSON_ParseWithLength(body, len);
	int r = 0;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return bad_shape("not a JSON object");
	}
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "PrincipalResourcePermissions");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(root, "NextToken");
	if (list && !cJSON_IsArray(list) && !cJSON_IsNull(list))
		r = bad_shape("PrincipalResourcePermissions is not a list");
	if (r == 0 && cJSON_IsString(token)) {
		if (strlen(token->valuestring) >= next_cap) {
			mg_error_set("lakeformation: the NextToken of a ListPermissions page is longer than %zu bytes",
				     next_cap - 1);
			r = MG_ETOOBIG;
		} else {
			snprintf(next, next_cap, "%s", token->valuestring);
		}
	}
	const cJSON *item;
	const cJSON *items = r == 0 && cJSON_IsArray(list) ? list : NULL;
	cJSON_ArrayForEach(item, items)
	{
		if (out->count == out->cap) {
			size_t cap = out->cap ? 2 * out->cap : 64;
			mg_lf_held *v = realloc(out->items, cap * sizeof *v);
			if (!v) {
				r = mg_oom();
				break;
			}
			out->items = v;
			out->cap = cap;
		}
		mg_lf_held *h = &out->items[out->count];
		memset(h, 0, sizeof *h);
		int k = read_item(item, h);
		if (k != 0) {
			held_free(h);
			if (k < 0) {
				r = k;
				break;
			}
			continue;
		}
		out->count++;
	}
	cJSON_Delete(root);
	if (r < 0)
		next[0] = '\0';
	return r;
}
