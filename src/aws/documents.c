/*
 * documents.c - the JSON documents credential endpoints answer with (see
 * meshgate/aws.h): the ECS container endpoint's and IMDS's credential
 * document, and the GitHub Actions OIDC token answer.  Outside input:
 * bounded, strict about types, and no value ever reaches a message.
 */
#include "aws/aws_int.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "meshgate/error.h"

/* Wipes and frees a parsed document (its strings are secrets). */
static void wipe_json(cJSON *j)
{
	for (cJSON *c = j ? j->child : NULL; c; c = c->next)
		if (cJSON_IsString(c) && c->valuestring)
			OPENSSL_cleanse(c->valuestring, strlen(c->valuestring));
	cJSON_Delete(j);
}

static cJSON *parse_object(const char *json, size_t len, const char *what)
{
	if (!json || len == 0 || len > MG_AWS__DOCUMENT_MAX) {
		mg_error_set("%s is empty or larger than %d bytes", what, MG_AWS__DOCUMENT_MAX);
		return NULL;
	}
	cJSON *j = cJSON_ParseWithLength(json, len);
	if (!j || !cJSON_IsObject(j)) {
		wipe_json(j);
		mg_error_set("%s is not a JSON object", what);
		return NULL;
	}
	return j;
}

/* 0, MG_ENOTFOUND (absent or null), or MG_EPARSE (message set) when not a fitting non-empty string. */
static int field(const cJSON *j, const char *name, const char *what, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	if (!v || cJSON_IsNull(v))
		return MG_ENOTFOUND;
	size_t n = cJSON_IsString(v) && v->valuestring ? strlen(v->valuestring) : 0;
	if (!n || n >= cap) {
		mg_error_set("%s has a %s that is not a string of 1 to %zu bytes", what, name, cap - 1);
		return MG_EPARSE;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v->valuestring[i] < 0x21 || v->valuestring[i] == 0x7f) {
			mg_error_set("%s has a %s with a blank or control character", what, name);
			return MG_EPARSE;
		}
	memcpy(out, v->valuestring, n + 1);
	return 0;
}

int mg_aws_parse_credential_document(const char *json, size_t len, bool imds, mg_aws_credentials *out)
{
	const char *what = imds ? "the instance metadata credentials" : "the container credentials";
	mg_aws_credentials tmp;
	char code[64], when[64];
	int r;
	memset(&tmp, 0, sizeof tmp);
	cJSON *j = parse_object(json, len, what);
	if (!j)
		return MG_EPARSE;
	if (imds) {
		/* IMDS says whether the role's credentials could be made */
		r = field(j, "Code", what, code, sizeof code);
		if (r == 0 && strcmp(code, "Success") != 0) {
			mg_error_set("%s say Code %s, not Success", what, code);
			r = MG_EPARSE;
		}
		if (r < 0 && r != MG_ENOTFOUND)
			goto done;
	}
	static const char *const names[] = { "AccessKeyId", "SecretAccessKey" };
	char *dst[] = { tmp.access_key_id, tmp.secret_access_key };
	size_t caps[] = { sizeof tmp.access_key_id, sizeof tmp.secret_access_key };
	for (int i = 0; i < 2; i++) {
		if ((r = field(j, names[i], what, dst[i], caps[i])) == MG_ENOTFOUND) {
			mg_error_set("%s have no %s", what, names[i]);
			r = MG_EPARSE;
		}
		if (r < 0)
			goto done;
	}
	/* IMDS and ECS always send a token; a long-lived key (a test endpoint) may not */
	if ((r = field(j, "Token", what, tmp.session_token, sizeof tmp.session_token)) < 0 && r != MG_ENOTFOUND)
		goto done;
	if (imds && r == MG_ENOTFOUND) {
		mg_error_set("%s have no Token", what);
		r = MG_EPARSE;
		goto done;
	}
	r = field(j, "Expiration", what, when, sizeof when);
	if (r == 0) {
		tmp.expiration = mg_aws__parse_iso8601(when);
		if (tmp.expiration <= 0) {
			mg_error_set("%s have an Expiration that is not an ISO 8601 time", what);
			r = MG_EPARSE;
			goto done;
		}
	} else if (r != MG_ENOTFOUND) {
		goto done;
	} else if (tmp.session_token[0]) {
		/* temporary credentials always expire: not saying when is not believable */
		mg_error_set("%s have a Token but no Expiration", what);
		r = MG_EPARSE;
		goto done;
	}
	r = 0;
	memcpy(tmp.source, out->source, sizeof tmp.source);
	*out = tmp;
done:
	mg_aws_credentials_wipe(&tmp);
	wipe_json(j);
	return r;
}

int mg_aws_parse_oidc_token(const char *json, size_t len, char *out, size_t cap)
{
	const char *what = "the GitHub Actions OIDC token answer";
	cJSON *j = parse_object(json, len, what);
	if (!j)
		return MG_EPARSE;
	int r = field(j, "value", what, out, cap);
	if (r == MG_ENOTFOUND) {
		mg_error_set("%s has no value", what);
		r = MG_EPARSE;
	}
	if (r < 0 && cap)
		OPENSSL_cleanse(out, cap);
	wipe_json(j);
	return r;
}
