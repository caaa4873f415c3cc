/*
 * s3policy_config.c - the s3-policy backend's options in meshgate.yaml
 * (see s3policy_int.h).  No network here: checked and fuzzed in every
 * build.  Credentials never come from the repository (docs/aws.md).
 */
#include <string.h>

#include "backends/backends_int.h"
#include "backends/s3policy_int.h"
#include "meshgate/error.h"

int mg_s3p_options_parse(const mg_node *entry, const char *path, mg_findings *findings, mg_s3p_options *o)
{
	mg_backend_reporter rp = { path ? path : "meshgate.yaml", findings, 0 };
	int r = 0;
	memset(o, 0, sizeof *o);
	o->timeout_s = 30;
	o->attempts = 8;
	o->settle_ms = 250;
	if (!entry || entry->type != MG_NODE_OBJECT)
		return mg_backend_problem(&rp, entry, "s3-policy: needs region"), rp.first;
	for (size_t i = 0; i < entry->u.object.count && r == 0; i++) {
		const mg_member *m = &entry->u.object.members[i];
		const mg_node *v = m->value;
		const char *s = mg_node_str(v);
		if (strcmp(m->key, "type") == 0)
			continue;
		if (strcmp(m->key, "region") == 0) {
			if (!mg_aws_region_ok(s))
				r = mg_backend_problem(&rp, v, "s3-policy: region is an AWS region name such as eu-west-1");
			else
				o->region = s;
		} else if (strcmp(m->key, "role-arn") == 0) {
			if (!mg_aws_role_arn_ok(s))
				r = mg_backend_problem(&rp, v, "s3-policy: role-arn is the IAM role meshgate assumes to edit "
							       "bucket policies, arn:aws:iam::123456789012:role/NAME");
			else
				o->role_arn = s;
		} else if (strcmp(m->key, "external-id") == 0) {
			if (!mg_backend_printable(s, 1224))
				r = mg_backend_problem(&rp, v, "s3-policy: external-id is the role's sts:ExternalId "
							       "(2 to 1224 characters)");
			else
				o->external_id = s;
		} else if (strcmp(m->key, "profile") == 0) {
			if (!mg_backend_printable(s, 128))
				r = mg_backend_problem(&rp, v, "s3-policy: profile names a profile of the AWS "
							       "credentials/config files");
			else
				o->profile = s;
		} else if (strcmp(m->key, "endpoint-url") == 0 || strcmp(m->key, "sts-endpoint-url") == 0) {
			if (!mg_backend_printable(s, 512) || !mg_aws_endpoint_ok(s))
				r = mg_backend_problem(&rp, v, "s3-policy: %s must be https://..., or http:// only to a "
							       "loopback host (127.0.0.1, localhost, [::1])", m->key);
			else if (m->key[0] == 'e')
				o->endpoint_url = s;
			else
				o->sts_endpoint_url = s;
		} else if (strcmp(m->key, "lock-dir") == 0) {
			if (!mg_backend_printable(s, 1024) || s[0] != '/')
				r = mg_backend_problem(&rp, v, "s3-policy: lock-dir is an absolute directory that every "
							       "applier writing to the same buckets shares");
			else
				o->lock_dir = s;
		} else if (strcmp(m->key, "timeout") == 0) {
			if (!mg_backend_int_option(v, 1, 600, &o->timeout_s))
				r = mg_backend_problem(&rp, v, "s3-policy: timeout is a number of seconds from 1 to 600");
		} else if (strcmp(m->key, "attempts") == 0) {
			if (!mg_backend_int_option(v, 1, 50, &o->attempts))
				r = mg_backend_problem(&rp, v, "s3-policy: attempts is how many read-modify-write rounds a "
							       "bucket gets when another writer interferes, 1 to 50");
		} else if (strcmp(m->key, "settle-ms") == 0) {
			if (!mg_backend_int_option(v, 0, 60000, &o->settle_ms))
				r = mg_backend_problem(&rp, v, "s3-policy: settle-ms is how long to wait before reading a "
							       "written policy back a second time, 0 to 60000");
		} else if (mg_aws_secret_key(m->key)) {
			r = mg_backend_problem(&rp, v, "s3-policy: '%s' does not belong in meshgate.yaml: credentials never "
						       "come from the repository; meshgate reads them from the AWS credential "
						       "chain (AWS_* variables, ~/.aws/credentials, a profile, or role-arn "
						       "to assume)", m->key);
		} else {
			r = mg_backend_problem(&rp, v, "s3-policy: unknown option '%s' (it takes region, role-arn, "
						       "external-id, profile, endpoint-url, sts-endpoint-url, lock-dir, "
						       "timeout, attempts, settle-ms)", m->key);
		}
	}
	if (r == 0 && !mg_obj_get(entry, "region"))
		r = mg_backend_problem(&rp, entry, "s3-policy: region is required (e.g. region: eu-west-1)");
	if (r == 0 && o->external_id && !o->role_arn)
		r = mg_backend_problem(&rp, mg_obj_get(entry, "external-id"), "s3-policy: external-id needs role-arn");
	if (r == 0 && !o->sts_endpoint_url && o->endpoint_url && strncmp(o->endpoint_url, "http://", 7) == 0)
		o->sts_endpoint_url = o->endpoint_url;
	if (r < 0)
		return r;
	return rp.first;
}
