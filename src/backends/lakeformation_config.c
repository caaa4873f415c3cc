/*
 * lakeformation_config.c - the lakeformation backend's options in
 * meshgate.yaml (see lakeformation_int.h).  No network here: checked and
 * fuzzed in every build.
 *
 * Credentials never come from the repository: they come from the AWS
 * credential chain (docs/aws.md) of the machine that runs apply; a key,
 * secret or token in meshgate.yaml is a config error.
 */
#include <string.h>

#include "backends/backends_int.h"
#include "backends/lakeformation_int.h"
#include "meshgate/error.h"

static bool digits12(const char *s)
{
	if (!s || strlen(s) != 12)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Glue database names: 1 to 255 bytes, no control characters. */
static bool database_name_ok(const char *s)
{
	return mg_backend_printable(s, 255);
}

static const mg_backend_names_spec databases_spec = {
	"lakeformation", "databases", "Glue database", "database", 255, MG_LF_DATABASES_MAX, database_name_ok
};

int mg_lf_options_parse(const mg_node *entry, const char *path, mg_findings *findings, mg_lf_options *o)
{
	mg_backend_reporter rp = { path ? path : "meshgate.yaml", findings, 0 };
	int r = 0;
	memset(o, 0, sizeof *o);
	o->mode = MG_LF_NAMED;
	o->timeout_s = 30;
	if (!entry || entry->type != MG_NODE_OBJECT)
		return mg_backend_problem(&rp, entry, "lakeformation: needs catalog-id (and region)"), rp.first;
	for (size_t i = 0; i < entry->u.object.count && r == 0; i++) {
		const mg_member *m = &entry->u.object.members[i];
		const mg_node *v = m->value;
		const char *s = mg_node_str(v);
		if (strcmp(m->key, "type") == 0)
			continue;
		if (strcmp(m->key, "region") == 0) {
			if (!mg_aws_region_ok(s))
				r = mg_backend_problem(&rp, v, "lakeformation: region is an AWS region name such as eu-west-1");
			else
				o->region = s;
		} else if (strcmp(m->key, "catalog-id") == 0) {
			if (!digits12(s))
				r = mg_backend_problem(&rp, v, "lakeformation: catalog-id is the 12-digit account id that "
							       "holds the Data Catalog (quote it: \"123456789012\")");
			else
				o->catalog_id = s;
		} else if (strcmp(m->key, "mode") == 0) {
			if (s && strcmp(s, "named") == 0)
				o->mode = MG_LF_NAMED;
			else if (s && strcmp(s, "lf-tags") == 0)
				r = mg_backend_problem(&rp, v, "lakeformation: mode lf-tags is not driven by this meshgate "
							       "(it drives mode named); it never falls back to another mode");
			else
				r = mg_backend_problem(&rp, v, "lakeformation: mode is named (the default) or lf-tags");
		} else if (strcmp(m->key, "role-arn") == 0) {
			if (!mg_aws_role_arn_ok(s))
				r = mg_backend_problem(&rp, v, "lakeformation: role-arn is the IAM role meshgate assumes for "
							       "this environment, arn:aws:iam::123456789012:role/NAME");
			else
				o->role_arn = s;
		} else if (strcmp(m->key, "external-id") == 0) {
			if (!mg_backend_printable(s, 1224))
				r = mg_backend_problem(&rp, v, "lakeformation: external-id is the role's sts:ExternalId "
							       "(2 to 1224 characters)");
			else
				o->external_id = s;
		} else if (strcmp(m->key, "profile") == 0) {
			if (!mg_backend_printable(s, 128))
				r = mg_backend_problem(&rp, v, "lakeformation: profile names a profile of the AWS "
							       "credentials/config files");
			else
				o->profile = s;
		} else if (strcmp(m->key, "endpoint-url") == 0) {
			if (!mg_backend_printable(s, 512) || !mg_aws_endpoint_ok(s))
				r = mg_backend_problem(&rp, v, "lakeformation: endpoint-url must be https://..., or http:// "
							       "only to a loopback host (127.0.0.1, localhost, [::1])");
			else
				o->endpoint_url = s;
		} else if (strcmp(m->key, "sts-endpoint-url") == 0) {
			if (!mg_backend_printable(s, 512) || !mg_aws_endpoint_ok(s))
				r = mg_backend_problem(&rp, v, "lakeformation: sts-endpoint-url must be https://..., or "
							       "http:// only to a loopback host");
			else
				o->sts_endpoint_url = s;
		} else if (strcmp(m->key, "timeout") == 0) {
			if (!mg_backend_int_option(v, 1, 600, &o->timeout_s))
				r = mg_backend_problem(&rp, v, "lakeformation: timeout is a number of seconds from 1 to 600");
		} else if (strcmp(m->key, "databases") == 0) {
			r = mg_backend_names_parse(&rp, v, &databases_spec, &o->databases);
		} else if (mg_aws_secret_key(m->key)) {
			r = mg_backend_problem(&rp, v, "lakeformation: '%s' does not belong in meshgate.yaml: credentials "
						       "never come from the repository; meshgate reads them from the AWS "
						       "credential chain (AWS_* variables, ~/.aws/credentials, a profile, "
						       "or role-arn to assume)", m->key);
		} else {
			r = mg_backend_problem(&rp, v, "lakeformation: unknown option '%s' (it takes region, catalog-id, "
						       "mode, role-arn, external-id, profile, endpoint-url, "
						       "sts-endpoint-url, timeout, databases)", m->key);
		}
	}
	/* no region: the SDKs' (AWS_REGION, AWS_DEFAULT_REGION, the profile's), found when the client is made */
	if (r == 0 && !mg_obj_get(entry, "catalog-id"))
		r = mg_backend_problem(&rp, entry, "lakeformation: catalog-id is required: the 12-digit account id "
						   "of the catalog (the producer or central account)");
	if (r == 0 && o->external_id && !o->role_arn)
		r = mg_backend_problem(&rp, mg_obj_get(entry, "external-id"), "lakeformation: external-id needs role-arn");
	/* a loopback endpoint (a test or a local emulator) serves STS too */
	if (r == 0 && !o->sts_endpoint_url && o->endpoint_url && strncmp(o->endpoint_url, "http://", 7) == 0)
		o->sts_endpoint_url = o->endpoint_url;
	if (r < 0)
		return r;
	return rp.first;
}

void mg_lf_options_release(mg_lf_options *o)
{
	mg_backend_names_release(&o->databases);
}

const char *mg_lf_database_of(const mg_lf_options *o, const char *product)
{
	return mg_backend_name_of(&o->databases, product);
}
