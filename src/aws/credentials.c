/*
 * credentials.c - the credential chain (see mg_aws_credentials_resolve in
 * meshgate/aws.h), in the order of the AWS CLI and botocore:
 *
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless
 *      the caller names a profile itself (as the SDKs do);
 *   2. profile P ($AWS_PROFILE, else "default") with role_arn (config file,
 *      else credentials file) and
 *      - source_profile: the source profile's credentials (itself resolved by
 *        this step and 5, at most 4 roles deep) assume the role through STS;
 *      - web_identity_token_file: AssumeRoleWithWebIdentity with that token;
 *      - credential_source = Environment | EcsContainer | Ec2InstanceMetadata:
 *        those (1, 6 or 7) assume the role;
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE (or GitHub Actions' OIDC
 *      endpoint) + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME] (web_identity.c);
 *   4. aws_access_key_id / aws_secret_access_key / aws_session_token in
 *      the credentials file [P];
 *   5. the same keys in the config file [profile P] ([default] for default);
 *   6. the container endpoint, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *      _FULL_URI (container.c);
 *   7. the EC2 instance metadata service, IMDSv2 (imds.c), unless
 *      AWS_EC2_METADATA_DISABLED=true.
 *
 * A source that is configured but fails stops the chain with its error (a
 * misconfigured CI job should fail, not run as someone else); 6 and 7 are
 * only asked when 1-5 found nothing.  Files are read whole (at most 1 MiB
 * each) and wiped after use.
 */
#include "aws/aws_int.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "meshgate/error.h"

#define ROLE_DEPTH_MAX 4

void mg_aws_credentials_wipe(mg_aws_credentials *c)
{
	if (c)
		OPENSSL_cleanse(c, sizeof *c);
}

typedef struct aws_file {
	char path[1024];
	bool present;
	mg_buf text;
} aws_file;

typedef struct chain {
	aws_file cred, conf;
	const char *region;
	const char *sts_endpoint_url;
} chain;

static int load(aws_file *f, const char *env, const char *home, const char *rel)
{
	const char *p = getenv(env);
	struct stat st;
	if (p && *p)
		snprintf(f->path, sizeof f->path, "%s", p);
	else if (home && *home)
		snprintf(f->path, sizeof f->path, "%s/%s", home, rel);
	else
		snprintf(f->path, sizeof f->path, "~/%s", rel);
	if ((!p || !*p) && (!home || !*home))
		return 0;
	if (stat(f->path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		mg_error_set("cannot read '%s': %s", f->path, strerror(errno));
		return MG_EIO;
	}
	int r = mg_buf_read_file(&f->text, f->path, MG_AWS__INI_MAX);
	if (r == 0)
		f->present = true;
	return r;
}

static void unload(aws_file *f)
{
	mg_aws__buf_wipe(&f->text);
}

/* 0 (found), MG_ENOTFOUND, or an error (message set). */
static int get(const aws_file *f, const char *section, const char *key, char *out, size_t cap)
{
	if (!f->present) {
		if (cap)
			out[0] = '\0';
		return MG_ENOTFOUND;
	}
	return mg_aws__ini_get(f->text.ptr, f->text.len, f->path, section, key, out, cap);
}

static void conf_section(char *out, size_t cap, const char *profile)
{
	if (strcmp(profile, "default") == 0)
		snprintf(out, cap, "default");
	else
		snprintf(out, cap, "profile %s", profile);
}

/* Keys of one section of one file: 0 found, MG_ENOTFOUND none there, or an error. */
static int static_keys(const aws_file *f, const char *section, const char *profile, mg_aws_credentials *out)
{
	int r = get(f, section, "aws_access_key_id", out->access_key_id, sizeof out->access_key_id);
	if (r == MG_ENOTFOUND) {
		int s = get(f, section, "aws_secret_access_key", out->secret_access_key, sizeof out->secret_access_key);
		OPENSSL_cleanse(out->secret_access_key, sizeof out->secret_access_key);
		if (s == 0) {
			mg_error_set("profile %s in '%s' has aws_secret_access_key but no aws_access_key_id", profile,
				     f->path);
			return MG_EINVALID;
		}
		return s == MG_ENOTFOUND ? MG_ENOTFOUND : s;
	}
	if (r < 0)
		return r;
	r = get(f, section, "aws_secret_access_key", out->secret_access_key, sizeof out->secret_access_key);
	if (r == MG_ENOTFOUND) {
		mg_error_set("profile %s in '%s' has aws_access_key_id but no aws_secret_access_key", profile, f->path);
		return MG_EINVALID;
	}
	if (r < 0)
		return r;
	if (!out->access_key_id[0] || !out->secret_access_key[0]) {
		mg_error_set("profile %s in '%s' has an empty aws_access_key_id or aws_secret_access_key", profile,
			     f->path);
		return MG_EINVALID;
	}
	r = get(f, section, "aws_session_token", out->session_token, sizeof out->session_token);
	if (r == MG_ENOTFOUND)
		r = get(f, section, "aws_security_token", out->session_token, sizeof out->session_token);
	if (r < 0 && r != MG_ENOTFOUND)
		return r;
	out->expiration = 0;
	snprintf(out->source, sizeof out->source, "profile %.40s in %.136s", profile, f->path);
	return 0;
}

/* A setting of the profile, config file first: 0, MG_ENOTFOUND or an error. */
static int setting(const chain *ch, const char *profile, const char *key, char *out, size_t cap)
{
	char sec[160];
	conf_section(sec, sizeof sec, profile);
	int r = get(&ch->conf, sec, key, out, cap);
	if (r == MG_ENOTFOUND)
		r = get(&ch->cred, profile, key, out, cap);
	return r;
}

static int from_env(mg_aws_credentials *out, bool *found)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	*found = false;
	if (!token || !*token)
		token = getenv("AWS_SECURITY_TOKEN");
	bool has_id = id && *id, has_secret = secret && *secret;
	if (!has_id && !has_secret)
		return 0;
	if (!has_id || !has_secret) {
		mg_error_set("%s is set in the environment but %s is not", has_id ? "AWS_ACCESS_KEY_ID"
			     : "AWS_SECRET_ACCESS_KEY", has_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return MG_EINVALID;
	}
	if (strlen(id) >= sizeof out->access_key_id || strlen(secret) >= sizeof out->secret_access_key ||
	    (token && strlen(token) >= sizeof out->session_token)) {
		mg_error_set("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN is longer than meshgate "
			     "accepts (%zu, %zu and %zu bytes)", sizeof out->access_key_id - 1,
			     sizeof out->secret_access_key - 1, sizeof out->session_token - 1);
		return MG_ETOOBIG;
	}
	snprintf(out->access_key_id, sizeof out->access_key_id, "%s", id);
	snprintf(out->secret_access_key, sizeof out->secret_access_key, "%s", secret);
	snprintf(out->session_token, sizeof out->session_token, "%s", token ? token : "");
	out->expiration = 0;
	snprintf(out->source, sizeof out->source, "environment");
	*found = true;
	return 0;
}

static int resolve_profile(const chain *ch, const char *profile, int depth, mg_aws_credentials *out);

static int assume_profile_role(const chain *ch, const char *profile, const char *role_arn, int depth,
			       mg_aws_credentials *out)
{
	char src[128], ext[1300], session[80], dur[16], region[64], other[24];
	mg_aws_credentials base;
	int r;
	memset(&base, 0, sizeof base);
	if (depth >= ROLE_DEPTH_MAX) {
		mg_error_set("profile %s: more than %d roles chained through source_profile (a loop?)", profile,
			     ROLE_DEPTH_MAX);
		return MG_EINVALID;
	}
	if ((r = setting(ch, profile, "source_profile", src, sizeof src)) == MG_ENOTFOUND) {
		char token_file[1024], session_name[80];
		if ((r = setting(ch, profile, "web_identity_token_file", token_file, sizeof token_file)) == 0) {
			r = setting(ch, profile, "role_session_name", session_name, sizeof session_name);
			if (r < 0 && r != MG_ENOTFOUND)
				return r;
			r = mg_aws__web_identity(token_file, role_arn, r == 0 ? session_name : NULL,
						 ch->region ? ch->region : "us-east-1", ch->sts_endpoint_url, out);
			if (r == 0)
				snprintf(out->source, sizeof out->source, "web identity role %.120s (profile %.40s)",
					 role_arn, profile);
			return r;
		}
		if (r != MG_ENOTFOUND)
			return r;
		if ((r = setting(ch, profile, "credential_source", other, sizeof other)) == MG_ENOTFOUND) {
			mg_error_set("profile %s has role_arn but no source_profile, credential_source or "
				     "web_identity_token_file", profile);
			return MG_EINVALID;
		}
		if (r < 0) {
			if (r == MG_ETOOBIG)
				mg_error_set("profile %s: credential_source must be Environment, EcsContainer or "
					     "Ec2InstanceMetadata", profile);
			return r == MG_ETOOBIG ? MG_EINVALID : r;
		}
		bool found = false;
		if (strcmp(other, "Environment") == 0) {
			r = from_env(&base, &found);
			if (r == 0 && !found) {
				mg_error_set("profile %s: credential_source Environment, but AWS_ACCESS_KEY_ID and "
					     "AWS_SECRET_ACCESS_KEY are not set", profile);
				r = MG_ENOTFOUND;
			}
		} else if (strcmp(other, "EcsContainer") == 0) {
			r = mg_aws__container_credentials(&base);
		} else if (strcmp(other, "Ec2InstanceMetadata") == 0) {
			r = mg_aws__imds_credentials(&base);
		} else {
			mg_error_set("profile %s: credential_source must be Environment, EcsContainer or "
				     "Ec2InstanceMetadata", profile);
			r = MG_EINVALID;
		}
		if (r == MG_ENOTFOUND)
			r = MG_EINVALID; /* configured as the role's source: not a reason to look further */
		if (r < 0)
			goto done;
	} else if (r < 0) {
		return r;
	} else if (strcmp(src, profile) == 0) {
		/* a profile that is its own source: its static keys */
		char sec[160];
		conf_section(sec, sizeof sec, profile);
		r = static_keys(&ch->cred, profile, profile, &base);
		if (r == MG_ENOTFOUND)
			r = static_keys(&ch->conf, sec, profile, &base);
		if (r == MG_ENOTFOUND) {
			mg_error_set("profile %s is its own source_profile but has no keys", profile);
			r = MG_ENOTFOUND;
		}
	} else {
		r = resolve_profile(ch, src, depth + 1, &base);
	}
	if (r == MG_ENOTFOUND)
		r = MG_EINVALID; /* the role's source is configured but has nothing: not a reason to look further */
	if (r < 0)
		goto done;
	mg_aws__assume_args a = { .role_arn = role_arn, .source = base.source };
	if ((r = setting(ch, profile, "external_id", ext, sizeof ext)) == 0)
		a.external_id = ext;
	else if (r != MG_ENOTFOUND)
		goto done;
	if ((r = setting(ch, profile, "role_session_name", session, sizeof session)) == 0)
		a.session_name = session;
	else if (r != MG_ENOTFOUND)
		goto done;
	if ((r = setting(ch, profile, "duration_seconds", dur, sizeof dur)) == 0) {
		char *end;
		long v = strtol(dur, &end, 10);
		if (*end || v < 900 || v > 43200) {
			mg_error_set("profile %s: duration_seconds must be a number from 900 to 43200", profile);
			r = MG_EINVALID;
			goto done;
		}
		a.duration_s = v;
	} else if (r != MG_ENOTFOUND) {
		goto done;
	}
	a.region = ch->region;
	if (!a.region && (r = setting(ch, profile, "region", region, sizeof region)) == 0)
		a.region = region;
	else if (!a.region && r != MG_ENOTFOUND)
		goto done;
	if (!a.region)
		a.region = "us-east-1";
	a.endpoint_url = ch->sts_endpoint_url;
	r = mg_aws__assume_role(&base, &a, out);
	if (r == 0)
		snprintf(out->source, sizeof out->source, "assumed role %.120s (profile %.40s)", role_arn, profile);
done:
	mg_aws_credentials_wipe(&base);
	return r;
}

static int resolve_profile(const chain *ch, const char *profile, int depth, mg_aws_credentials *out)
{
	char role[2100], sec[160], other[8];
	int r = setting(ch, profile, "role_arn", role, sizeof role);
	if (r == 0)
		return assume_profile_role(ch, profile, role, depth, out);
	if (r != MG_ENOTFOUND)
		return r;
	/* the web identity of the environment, for the profile asked for (not for a source_profile) */
	if (depth == 0 && (r = mg_aws__web_identity_env(ch->region, ch->sts_endpoint_url, out)) != MG_ENOTFOUND)
		return r;
	if ((r = static_keys(&ch->cred, profile, profile, out)) != MG_ENOTFOUND)
		return r;
	conf_section(sec, sizeof sec, profile);
	if ((r = static_keys(&ch->conf, sec, profile, out)) != MG_ENOTFOUND)
		return r;
	if (setting(ch, profile, "credential_process", other, sizeof other) != MG_ENOTFOUND ||
	    setting(ch, profile, "sso_session", other, sizeof other) != MG_ENOTFOUND ||
	    setting(ch, profile, "sso_start_url", other, sizeof other) != MG_ENOTFOUND) {
		mg_error_set("profile %s uses credential_process or SSO, which meshgate does not support; give it keys "
			     "or role_arn with source_profile", profile);
		return MG_EINVALID;
	}
	mg_error_set("no AWS credentials for profile %s: no keys or role_arn in '%s'%s or [%s] of '%s'%s", profile,
		     ch->cred.path, ch->cred.present ? "" : " (no such file)", sec, ch->conf.path,
		     ch->conf.present ? "" : " (no such file)");
	return MG_ENOTFOUND;
}

int mg_aws_credentials_resolve(const char *profile, const char *region, const char *sts_endpoint_url,
			       mg_aws_credentials *out)
{
	mg_aws_credentials got;
	chain ch = { .region = region, .sts_endpoint_url = sts_endpoint_url };
	int r;
	bool found = false;
	memset(&got, 0, sizeof got);
	mg_buf_init(&ch.cred.text);
	mg_buf_init(&ch.conf.text);
	bool looked_env = !profile;
	if (!profile) {
		if ((r = from_env(&got, &found)) < 0)
			goto done;
		if (found)
			goto done;
		profile = getenv("AWS_PROFILE");
		if (!profile || !*profile)
			profile = "default";
	}
	if (!*profile || strlen(profile) > 64 || strpbrk(profile, "[]\n\r")) {
		mg_error_set("'%.64s' is not a profile name", profile);
		r = MG_EINVALID;
		goto done;
	}
	const char *home = getenv("HOME");
	if ((r = load(&ch.cred, "AWS_SHARED_CREDENTIALS_FILE", home, ".aws/credentials")) < 0 ||
	    (r = load(&ch.conf, "AWS_CONFIG_FILE", home, ".aws/config")) < 0)
		goto done;
	r = resolve_profile(&ch, profile, 0, &got);
	if (r == MG_ENOTFOUND) {
		/* the remote sources, and a summary of every place looked when none has them */
		char files[900], container[200];
		snprintf(files, sizeof files, "%s", mg_error_last());
		if ((r = mg_aws__container_credentials(&got)) != MG_ENOTFOUND)
			goto done;
		snprintf(container, sizeof container, "%s", mg_error_last());
		if ((r = mg_aws__imds_credentials(&got)) != MG_ENOTFOUND)
			goto done;
		char imds[400];
		snprintf(imds, sizeof imds, "%s", mg_error_last());
		mg_error_set("%s%s; no web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set); %s; %s",
			     files, looked_env ? ", nor in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)" : "",
			     container, imds);
	}
done:
	if (r == 0)
		*out = got;
	mg_aws_credentials_wipe(&got);
	unload(&ch.cred);
	unload(&ch.conf);
	return r;
}

int mg_aws_region_resolve(const char *profile, char *out, size_t cap)
{
	static const char *const vars[] = { "AWS_REGION", "AWS_DEFAULT_REGION" };
	chain ch;
	int r = MG_ENOTFOUND;
	char sec[160];
	memset(&ch, 0, sizeof ch);
	mg_buf_init(&ch.cred.text);
	mg_buf_init(&ch.conf.text);
	const char *from = NULL;
	for (size_t i = 0; i < 2 && !from; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			if (strlen(v) >= cap) {
				mg_error_set("%s is longer than a region name", vars[i]);
				return MG_EINVALID;
			}
			snprintf(out, cap, "%s", v);
			from = vars[i];
			r = 0;
		}
	}
	if (!from) {
		if (!profile || !*profile)
			profile = getenv("AWS_PROFILE");
		if (!profile || !*profile)
			profile = "default";
		if ((r = load(&ch.conf, "AWS_CONFIG_FILE", getenv("HOME"), ".aws/config")) == 0) {
			conf_section(sec, sizeof sec, profile);
			r = get(&ch.conf, sec, "region", out, cap);
			if (r == MG_ENOTFOUND)
				mg_error_set("no AWS region: none configured, AWS_REGION and AWS_DEFAULT_REGION are not set, "
					     "and [%s] of '%s' has no region%s", sec, ch.conf.path,
					     ch.conf.present ? "" : " (no such file)");
			else if (r == MG_ETOOBIG)
				mg_error_set("the region of [%s] in '%s' is longer than a region name", sec, ch.conf.path);
		}
		from = "the profile";
	}
	if (r == 0) {
		bool ok = strlen(out) >= 4;
		for (const char *p = out; ok && *p; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
		if (!ok) {
			mg_error_set("the region from %s is not an AWS region name such as eu-west-1", from);
			r = MG_EINVALID;
		}
	}
	if (r < 0 && cap)
		out[0] = '\0';
	unload(&ch.conf);
	return r;
}
