/*
 * registry.c - the backend types meshgate knows, which of them this build
 * drives, and how meshgate.yaml entries become backends (see
 * meshgate/backend.h).  A configured type is used or refused: there is no
 * fallback from a type this build cannot drive to the ledger.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_int.h"
#include "meshgate/backend.h"
#include "meshgate/buf.h"
#include "meshgate/error.h"

#ifdef MESHGATE_WITH_POSTGRES
#define PG_CREATE mg_backend_postgres_create
#define PG_CHECK mg_backend_postgres_check
#else
#define PG_CREATE NULL
#define PG_CHECK NULL
#endif
#ifdef MESHGATE_WITH_LAKEFORMATION
#define LF_CREATE mg_backend_lakeformation_create
#define LF_CHECK mg_backend_lakeformation_check
#define S3P_CREATE mg_backend_s3policy_create
#define S3P_CHECK mg_backend_s3policy_check
#else
#define S3P_CREATE NULL
#define S3P_CHECK NULL
#define LF_CREATE NULL
#define LF_CHECK NULL
#endif

/* X(name, channels, create, check) */
#define MG_BACKEND_TYPES(X) \
	X("local", MG_CHANNELS_ALL, mg_backend_local_create, mg_backend_local_check) \
	X("postgres", MG_CHANNEL_BIT(MG_CHANNEL_POSTGRES), PG_CREATE, PG_CHECK) \
	X("lakeformation", MG_CHANNEL_BIT(MG_CHANNEL_LAKEFORMATION), LF_CREATE, LF_CHECK) \
	X("s3-policy", MG_CHANNEL_BIT(MG_CHANNEL_IAM), S3P_CREATE, S3P_CHECK)

#define ENTRY(name, channels, create, check) { name, channels, create, check },
static const mg_backend_type types[] = { MG_BACKEND_TYPES(ENTRY) };
#undef ENTRY

const mg_backend_type *mg_backend_type_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

const char *mg_backend_types_built(void)
{
	static char built[128];
	if (!built[0]) {
		size_t len = 0;
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (types[i].create)
				len += (size_t)snprintf(built + len, sizeof built - len, "%s%s", len ? ", " : "",
							types[i].name);
	}
	return built;
}

static int not_built(const char *type)
{
	const mg_backend_type *t = mg_backend_type_find(type);
	if (!t) {
		mg_error_set("unknown backend type '%s' (meshgate knows local, postgres, lakeformation, s3-policy)", type);
		return MG_EINVALID;
	}
	mg_error_set("backend '%s' is not built into this meshgate (it drives: %s); rebuild with it, "
		     "never falling back to another backend", type, mg_backend_types_built());
	return MG_EINVALID;
}

int mg_backend_create(mg_backend **out, const char *type, const mg_backend_params *p)
{
	const mg_backend_type *t = mg_backend_type_find(type ? type : "local");
	*out = NULL;
	if (!t || !t->create)
		return not_built(type ? type : "local");
	int r = t->create(out, p);
	if (r == 0 && !(*out)->channels)
		(*out)->channels = t->channels;
	if (r == 0)
		(*out)->warnings = p->warnings;
	return r;
}

void mg_backend_warn(mg_backend *b, const char *environment, const char *code, const char *resource,
		     const char *fmt, ...)
{
	if (!b || !b->warnings.warn)
		return;
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	mg_backend_warning w = { b->name, environment ? environment : "", code, resource ? resource : "", message };
	b->warnings.warn(b->warnings.ctx, &w);
}

int mg_backend_remote_state(const mg_backend_params *p, const char *type, char **environment, mg_backend **meta)
{
	mg_buf path = MG_BUF_INIT;
	int r;
	if (!(*environment = strdup(p->environment ? p->environment : "")))
		return mg_oom();
	if ((r = mg_buf_addf(&path, "%s/%s-meta.db", p->state_dir, type)) == 0)
		r = mg_backend_local_new(meta, path.ptr);
	mg_buf_release(&path);
	return r;
}

int mg_backend_check_config(const mg_node *entry, const char *path, mg_findings *findings)
{
	const mg_node *tn = mg_obj_get(entry, "type");
	const char *type = mg_node_str(tn);
	if (!type)
		return 0; /* the schema reported it */
	const mg_backend_type *t = mg_backend_type_find(type);
	if (!t || !t->create) {
		(void)not_built(type);
		int r = mg_findings_add(findings, path, tn->line, tn->col, MG_RULE_CONFIG, "%s", mg_error_last());
		mg_error_clear();
		return r;
	}
	return t->check ? t->check(entry, path, findings) : 0;
}

mg_backend *mg_backends_route(const mg_backends *bs, mg_channel c)
{
	for (size_t i = 0; i < bs->count; i++)
		if (bs->items[i]->channels & MG_CHANNEL_BIT(c))
			return bs->items[i];
	return NULL;
}

void mg_backends_release(mg_backends *bs)
{
	for (size_t i = 0; i < bs->count; i++)
		mg_backend_free(bs->items[i]);
	memset(bs, 0, sizeof *bs);
}

void mg_backend_free(mg_backend *b)
{
	if (b)
		b->free(b);
}

const char *mg_op_status_name(mg_op_status s)
{
	switch (s) {
	case MG_OP_OK: return "ok";
	case MG_OP_FAILED: return "failed";
	case MG_OP_RETRYABLE: return "retryable";
	case MG_OP_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *mg_channel_name(mg_channel c)
{
	switch (c) {
	case MG_CHANNEL_LAKEFORMATION: return "lakeformation";
	case MG_CHANNEL_IAM: return "iam";
	case MG_CHANNEL_POSTGRES: return "postgres";
	case MG_CHANNEL_UNKNOWN: break;
	}
	return "unknown";
}

bool mg_op_in_effect(const mg_grant_set *actual, const mg_op *op)
{
	const mg_grant *cur = mg_grant_set_find(actual, &op->grant);
	mg_grant_set one;
	bool same = false;
	if (!cur)
		return op->kind == MG_OP_REVOKE; /* nothing granted: a revoke is in effect, a grant is not */
	/* in effect when applying it again changes nothing */
	mg_grant_set_init(&one);
	if (mg_grant_set_add(&one, cur) == 0 && mg_grant_set_finish(&one) == 0 &&
	    mg_grant_set_apply(&one, op, 1) == 0)
		same = one.count == 1 ? mg_grant_equal(&one.items[0], cur) : false;
	mg_grant_set_release(&one);
	return same;
}
