/*
 * targets.h - the entry points of the fuzz targets.
 *
 * Each entry takes any bytes and returns 0.  Memory errors and undefined
 * behaviour are the sanitizers' to report; an entry abort()s itself when
 * it sees a documented promise broken (a failed parse without its one
 * `parse` finding, a tree with invalid UTF-8, a JSON report that is not
 * JSON, a plan that does not converge, ...).
 *
 * The same entries are linked into the libFuzzer executables (fuzz/main.c,
 * one per target) and into the unit test that replays the committed corpus
 * and every reproducer in fuzz/regressions/ (tests/unit/test_fuzz_regressions.c),
 * so a crash found once stays a test.
 */
#ifndef MESHGATE_FUZZ_TARGETS_H
#define MESHGATE_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

typedef int (*mg_fuzz_fn)(const uint8_t *data, size_t size);

typedef struct mg_fuzz_target {
	const char *name;  /* "fuzz_json": the executable and its folders */
	mg_fuzz_fn fn;
	size_t max_len;    /* -max_len for libFuzzer */
} mg_fuzz_target;

/* Every target built into this program, in a fixed order. */
extern const mg_fuzz_target mg_fuzz_targets[];
extern const size_t mg_fuzz_ntargets;

/* The loaders on any bytes: default limits, then limits taken from the first bytes. */
int mg_fuzz_json(const uint8_t *data, size_t size);
int mg_fuzz_yaml(const uint8_t *data, size_t size);
/* A document (first byte: '{' or '[' JSON, else YAML) against every shipped schema. */
int mg_fuzz_schema(const uint8_t *data, size_t size);
/* meshgate.yaml (or meshgate.json when it starts with '{'), then the PII matcher it configures. */
int mg_fuzz_config(const uint8_t *data, size_t size);
/* The validator end to end on an in-memory catalogue (see targets.c for the layout). */
int mg_fuzz_validate(const uint8_t *data, size_t size);
/* A catalogue entry's name (first byte: its level) through the entries pass (src/catalogue/entries.c). */
int mg_fuzz_entry_name(const uint8_t *data, size_t size);
/* A pattern and a subject, split at the first NUL, through the schema regex engine. */
int mg_fuzz_regex(const uint8_t *data, size_t size);
/* A PostgreSQL SQLSTATE and error message through the backend's mapping (postgres_errors.c). */
int mg_fuzz_pg_error(const uint8_t *data, size_t size);
/* A connection string through the password masking (postgres_config.c). */
int mg_fuzz_pg_dsn(const uint8_t *data, size_t size);
/* Lake Formation batch answers and ListPermissions pages (backends/lakeformation_json.c). */
int mg_fuzz_lf_answer(const uint8_t *data, size_t size);
int mg_fuzz_s3_policy(const uint8_t *data, size_t size);
/* An AWS credentials/config file (first byte: the section and key looked up) through mg_aws_ini_get. */
int mg_fuzz_aws_ini(const uint8_t *data, size_t size);
/* An AWS error body, JSON or XML, through mg_aws_parse_error (also with a header). */
int mg_fuzz_aws_error(const uint8_t *data, size_t size);
/* An STS AssumeRole XML answer through mg_aws_parse_assume_role. */
int mg_fuzz_aws_assume_role(const uint8_t *data, size_t size);
/* An STS AssumeRoleWithWebIdentity XML answer through mg_aws_parse_assume_role_web_identity. */
int mg_fuzz_aws_web_identity(const uint8_t *data, size_t size);
/* First byte: container (even) or IMDS (odd); then a JSON credential document, also read as a GitHub OIDC answer. */
int mg_fuzz_aws_credential_document(const uint8_t *data, size_t size);
int mg_fuzz_s3_lock(const uint8_t *data, size_t size);
#ifdef MG_FUZZ_HAVE_STATUS
/* An HTTP error body of the GitHub/GitLab status APIs. */
int mg_fuzz_status_body(const uint8_t *data, size_t size);
#endif
#ifdef MG_FUZZ_HAVE_GIT_INDEX
/* A git index file ("DIRC", versions 2-4) through meshgate's own reader. */
int mg_fuzz_git_index(const uint8_t *data, size_t size);
#endif

#endif
