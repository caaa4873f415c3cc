/*
 * credentials.c - the credential chain (see mg_aws_credentials_resolve in
 * meshgate/aws.h):
 *
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless
 *      the caller names a profile itself (as the SDKs do);
 *   2. profile P ($AWS_PROFILE, else "default"):
 *      a. role_arn (config file, else credentials file) with source_profile:
 *         the source profile's credentials (itself resolved by this step, at
 *         most 4 roles deep) assume the role through STS;
 *      b. aws_access_key_id / aws_secret_access_key / aws_session_token in
 *         the credentials file [P];
 *      c. the same keys in the config file [profile P] ([default] for default).
 *
 * Files are read whole (at most 1 MiB each) and wiped after use.
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
	if (f->text.cap)
		OPENSSL_cleanse(f->text.ptr, f->text.cap);
	mg_buf_release(&f->text);
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

static int resolve_profile(const chain *ch, const char *profile, int depth, mg_aws_credentials *out);

static int assume_profile_role(const chain *ch, const char *profile, const char *role_arn, int depth,
			       mg_aws_credentials *out)
{
	char src[128], ext[1300], session[80], dur[16], region[64], other[8];
	mg_aws_credentials base;
	int r;
	memset(&base, 0, sizeof base);
	if (depth >= ROLE_DEPTH_MAX) {
		mg_error_set("profile %s: more than %d roles chained through source_profile (a loop?)", profile,
			     ROLE_DEPTH_MAX);
		return MG_EINVALID;
	}
	if ((r = setting(ch, profile, "source_profile", src, sizeof src)) == MG_ENOTFOUND) {
		if (setting(ch, profile, "credential_source", other, sizeof other) != MG_ENOTFOUND ||
		    setting(ch, profile, "web_identity_token_file", other, sizeof other) != MG_ENOTFOUND)
			mg_error_set("profile %s: role_arn with credential_source or web_identity_token_file is not "
				     "supported; use source_profile", profile);
		else
			mg_error_set("profile %s has role_arn but no source_profile", profile);
		return MG_EINVALID;
	}
	if (r < 0)
		return r;
	if (strcmp(src, profile) == 0) {
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
	if (r == MG_ENOTFOUND && looked_env) {
		char saved[900];
		snprintf(saved, sizeof saved, "%s", mg_error_last());
		mg_error_set("%s, nor in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", saved);
	}
done:
	if (r == 0)
		*out = got;
	mg_aws_credentials_wipe(&got);
	unload(&ch.cred);
	unload(&ch.conf);
	return r;
}
